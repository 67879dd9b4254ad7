#!/usr/bin/env python3
"""Generate lxemu's system-call table from abi/syscalls.tbl.

usage: gensyscalls.py [--desc emu/trace/syscall_desc.h] TBL OUTDIR

Writes into OUTDIR:
  syscall_nr.h        LINUX_NR_<name> for every call, and LINUX_NR_SYSCALLS
  syscall_handlers.h  the prototype of sys_<name> for every full/partial call
  syscall_table.c     syscall_table[]: one struct syscall_desc per number

The kinds the .tbl declares (`kind` and `ret` lines) must match
SYSCALL_ARG_KINDS and SYSCALL_RET_KINDS in syscall_desc.h.  A malformed table
is refused with "TBL:LINE: message" on stderr and exit status 1; nothing is
written then.
"""

import argparse
import os
import re
import sys

MAX_ARGS = 6
STATUSES = {"none": "SYSCALL_NONE", "partial": "SYSCALL_PARTIAL", "full": "SYSCALL_FULL"}
CTYPES = ("int", "u32", "s64", "u64")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TableError(Exception):
    """A problem in the input, reported as file:line: message."""

    def __init__(self, where, message):
        super().__init__(f"{where}: {message}")


class Kind:
    def __init__(self, name, ctype, cls):
        self.name, self.ctype, self.cls = name, ctype, cls


class Call:
    def __init__(self, nr, name, status, ret, args):
        self.nr, self.name, self.status, self.ret, self.args = nr, name, status, ret, args


def parse_kind_line(where, fields, kinds):
    """`kind NAME CTYPE CLASS description...`"""
    if len(fields) < 4:
        raise TableError(where, "kind line needs NAME CTYPE CLASS")
    name, ctype, cls = fields[1], fields[2], fields[3]
    if not IDENT.match(name):
        raise TableError(where, f"bad kind name '{name}'")
    if name in kinds:
        raise TableError(where, f"kind '{name}' declared twice")
    if ctype not in CTYPES:
        raise TableError(where, f"kind '{name}': C type must be one of {', '.join(CTYPES)}")
    if cls not in ("num", "ptr"):
        raise TableError(where, f"kind '{name}': class must be num or ptr")
    if cls == "ptr" and ctype != "u64":
        raise TableError(where, f"pointer kind '{name}' must be u64")
    kinds[name] = Kind(name, ctype, cls)


def parse_ret_line(where, fields, rets):
    """`ret NAME description...`"""
    if len(fields) < 2 or not IDENT.match(fields[1]):
        raise TableError(where, "ret line needs a NAME")
    if fields[1] in rets:
        raise TableError(where, f"return kind '{fields[1]}' declared twice")
    rets.append(fields[1])


def parse_arg(where, text, kinds, names):
    """One KIND:NAME argument of a call line."""
    kind, sep, name = text.partition(":")
    if not sep or not kind or not name:
        raise TableError(where, f"argument '{text}' is not KIND:NAME")
    if kind not in kinds:
        raise TableError(where, f"unknown argument kind '{kind}'")
    if not IDENT.match(name):
        raise TableError(where, f"bad argument name '{name}'")
    if name in names or name == "t":
        raise TableError(where, f"argument name '{name}' used twice")
    if kinds[kind].cls == "ptr" and not name.startswith("u"):
        raise TableError(where, f"pointer argument '{name}' must be named u<name>")
    names.add(name)
    return (kind, name)


def parse_call_line(where, fields, kinds, rets):
    """`NR NAME STATUS RET KIND:NAME...`"""
    if len(fields) < 4:
        raise TableError(where, "call line needs NR NAME STATUS RET")
    nr_text, name, status, ret = fields[:4]
    if not nr_text.isdigit():
        raise TableError(where, f"bad number '{nr_text}'")
    if not IDENT.match(name):
        raise TableError(where, f"bad name '{name}'")
    if status not in STATUSES:
        raise TableError(where, f"status '{status}' is not full, partial or none")
    if ret not in rets:
        raise TableError(where, f"unknown return kind '{ret}'")
    if len(fields) - 4 > MAX_ARGS:
        raise TableError(where, f"{name} has {len(fields) - 4} arguments, at most {MAX_ARGS}")
    names = set()
    args = [parse_arg(where, a, kinds, names) for a in fields[4:]]
    return Call(int(nr_text), name, status, ret, args)


def parse_table(path):
    kinds, rets, calls = {}, [], {}
    by_name = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            where = f"{path}:{lineno}"
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            if fields[0] == "kind":
                parse_kind_line(where, fields, kinds)
            elif fields[0] == "ret":
                parse_ret_line(where, fields, rets)
            else:
                call = parse_call_line(where, fields, kinds, rets)
                if call.nr in calls:
                    raise TableError(where, f"number {call.nr} already used by "
                                     f"{calls[call.nr].name}")
                if call.name in by_name:
                    raise TableError(where, f"name {call.name} already used by number "
                                     f"{by_name[call.name]}")
                calls[call.nr] = call
                by_name[call.name] = call.nr
    if not calls:
        raise TableError(path, "no system calls")
    return kinds, rets, calls


def parse_desc_header(path):
    """The kind lists of syscall_desc.h: [(name, ctype)] and [name]."""
    with open(path, encoding="utf-8") as f:
        text = f.read()

    def macro_body(macro):
        m = re.search(r"#define\s+" + macro + r"\(X\)((?:.*\\\n)*.*)", text)
        if not m:
            raise TableError(path, f"no {macro}(X) macro")
        return re.sub(r"/\*.*?\*/", "", m.group(1))

    arg_kinds = re.findall(r"X\(\s*(\w+)\s*,\s*(\w+)\s*\)", macro_body("SYSCALL_ARG_KINDS"))
    ret_kinds = re.findall(r"X\(\s*(\w+)\s*\)", macro_body("SYSCALL_RET_KINDS"))
    return arg_kinds, ret_kinds


def check_kinds_match(tbl, kinds, rets, desc):
    """The .tbl and syscall_desc.h must list the same kinds in the same order."""
    arg_kinds, ret_kinds = parse_desc_header(desc)
    tbl_args = [(k.name, k.ctype) for k in kinds.values()]
    if tbl_args != arg_kinds:
        missing = [k for k in tbl_args if k not in arg_kinds]
        extra = [k for k in arg_kinds if k not in tbl_args]
        raise TableError(tbl, f"argument kinds differ from {desc} (SYSCALL_ARG_KINDS): "
                         f"only in table {missing}, only in header {extra}"
                         + ("" if missing or extra else ", order differs"))
    if rets != ret_kinds:
        raise TableError(tbl, f"return kinds {rets} differ from {desc} "
                         f"(SYSCALL_RET_KINDS) {ret_kinds}")


HEADER = "/* Generated by tools/gensyscalls.py from {src}; do not edit. */\n"


def c_param(kinds, arg):
    kind, name = arg
    return f"{kinds[kind].ctype} {name}"


def c_cast(kinds, arg, i):
    ctype = kinds[arg[0]].ctype
    return f"a[{i}]" if ctype == "u64" else f"({ctype})a[{i}]"


def has_handler(call):
    return call.status != "none"


def gen_nr_h(src, calls):
    top = max(calls) + 1
    lines = [HEADER.format(src=src), "#ifndef LXEMU_SYSCALL_NR_H", "#define LXEMU_SYSCALL_NR_H", ""]
    for nr in sorted(calls):
        lines.append(f"#define LINUX_NR_{calls[nr].name} {nr}")
    lines += ["", "/* One past the highest number: the size of syscall_table[]. */",
              f"#define LINUX_NR_SYSCALLS {top}", "", "#endif", ""]
    return "\n".join(lines)


def gen_handlers_h(src, kinds, calls):
    lines = [HEADER.format(src=src), "#ifndef LXEMU_SYSCALL_HANDLERS_H",
             "#define LXEMU_SYSCALL_HANDLERS_H", "", '#include "emu/types.h"', "",
             "struct task;", ""]
    for nr in sorted(calls):
        call = calls[nr]
        if not has_handler(call):
            continue
        params = ", ".join(["struct task *t"] + [c_param(kinds, a) for a in call.args])
        lines.append(f"long sys_{call.name}({params});")
    lines += ["", "#endif", ""]
    return "\n".join(lines)


def gen_thunk(kinds, call):
    args = ", ".join(["t"] + [c_cast(kinds, a, i) for i, a in enumerate(call.args)])
    unused = "" if call.args else "\t(void)a;\n"
    return (f"static long thunk_{call.name}(struct task *t, const u64 *a)\n"
            f"{{\n{unused}\treturn sys_{call.name}({args});\n}}\n")


def gen_row(call):
    kinds = ", ".join(f"ARG_{k}" for k, _ in call.args) or "0"
    names = ", ".join(f'"{n}"' for _, n in call.args) or "NULL"
    fn = f"FN(thunk_{call.name})" if has_handler(call) else "NULL"
    return (f"\t[{call.nr}] = {{ \"{call.name}\", {len(call.args)}, {STATUSES[call.status]}, "
            f"RET_{call.ret}, {{ {kinds} }}, {{ {names} }}, {fn} }},")


def gen_table_c(src, kinds, calls):
    out = [HEADER.format(src=src),
           "/*",
           " * Build with -DSYSCALL_TABLE_NO_HANDLERS to get the table without its",
           " * handler thunks (every fn NULL), for programs that only trace.",
           " */",
           '#include "emu/trace/syscall_desc.h"',
           '#include "syscall_nr.h"',
           '#include "syscall_handlers.h"', "",
           "#ifdef SYSCALL_TABLE_NO_HANDLERS",
           "#define FN(thunk) NULL",
           "#else",
           "#define FN(thunk) thunk", ""]
    for nr in sorted(calls):
        if has_handler(calls[nr]):
            out.append(gen_thunk(kinds, calls[nr]))
    out += ["#endif", "",
            "const struct syscall_desc syscall_table[LINUX_NR_SYSCALLS] = {"]
    out += [gen_row(calls[nr]) for nr in sorted(calls)]
    out += ["};", "", "const unsigned syscall_table_size = LINUX_NR_SYSCALLS;", ""]
    return "\n".join(out)


def write_if_changed(path, text):
    """Leave unchanged outputs alone so that make does not rebuild them."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Generate the system-call table from syscalls.tbl")
    ap.add_argument("--desc", default=os.path.join(here, "..", "emu", "trace", "syscall_desc.h"),
                    help="the header whose kind lists the table must match")
    ap.add_argument("tbl")
    ap.add_argument("outdir")
    opts = ap.parse_args(argv)
    try:
        kinds, rets, calls = parse_table(opts.tbl)
        check_kinds_match(opts.tbl, kinds, rets, opts.desc)
    except (TableError, OSError) as e:
        print(f"gensyscalls: {e}", file=sys.stderr)
        return 1
    src = os.path.basename(opts.tbl)
    outputs = {
        "syscall_nr.h": gen_nr_h(src, calls),
        "syscall_handlers.h": gen_handlers_h(src, kinds, calls),
        "syscall_table.c": gen_table_c(src, kinds, calls),
    }
    os.makedirs(opts.outdir, exist_ok=True)
    for name, text in outputs.items():
        write_if_changed(os.path.join(opts.outdir, name), text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
