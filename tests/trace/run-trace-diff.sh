#!/bin/sh
# run-trace-diff.sh LXEMU PROG [ARGS...]
# Traces PROG ARGS with `strace -f -o native.txt` and with `LXEMU --trace=lxemu.txt`
# in fresh, identical working directories, normalises both traces and compares
# them line by line; the exit statuses must match too.  Exits 0 on a match,
# 1 on a difference (printed as a unified diff), 77 (ctest's skip) without
# strace or when ptrace is not allowed.
#
# Normalisation, per trace:
#   - each task's lines come together, named PID for the first task and
#     PID-k for the k-th task it creates (procs.awk), calls split by other
#     tasks' lines joined again; every pid a line shows becomes its name;
#     the first task's name goes from the start of its lines;
#   - hexadecimal numbers of 8 or more digits become ADDR (stack and mmap
#     addresses, which differ between any two runs);
#   - brk lines become "brk(...) = ..." (the heap start is random natively);
#   - the environment pointer in the execve line becomes ADDR;
#   - the padding before " = " shrinks to one space (replaced values change
#     the column).
# Set TRACE_DIFF_KEEP=DIR to keep both traces (raw and normalised) in DIR.

if [ $# -lt 2 ]; then
    echo "usage: run-trace-diff.sh LXEMU PROG [ARGS...]" >&2
    exit 2
fi
lxemu=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
# Both run in a scratch directory: make relative paths absolute.
case $lxemu in /*) ;; */*) lxemu=$(pwd)/$lxemu ;; esac
prog=$1
shift
case $prog in /*) ;; */*) prog=$(pwd)/$prog ;; esac
set -- "$prog" "$@"

command -v strace >/dev/null 2>&1 || { echo "run-trace-diff.sh: no strace; skipped"; exit 77; }
strace -o /dev/null true >/dev/null 2>&1 || { echo "run-trace-diff.sh: strace cannot trace here; skipped"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-trace-diff.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
ulimit -c 0 2>/dev/null

# run TAG CMD...: run CMD in a fresh $tmp/work; keep its status.
run() {
    tag=$1
    shift
    rm -rf "$tmp/work"
    mkdir "$tmp/work"
    # (the braces keep the shell's "Terminated" for a guest killed by a signal quiet)
    { (cd "$tmp/work" && "$@" </dev/null >"$tmp/$tag.out" 2>"$tmp/$tag.err"); } 2>/dev/null
    echo "exit status $?" >"$tmp/$tag.status"
}

# normalise RAW: print the trace of RAW with run-dependent values replaced.
# procs.awk names the tasks (PID, PID-1, ...) and orders their lines; the
# first task's name then goes, as the pid column does from a one-task trace.
normalise() {
    awk -f "$here/procs.awk" "$1" |
    sed -e 's/^PID //' \
        -e 's/0x[0-9a-f]\{8,\}/ADDR/g' \
        -e 's/si_utime=[^,}]*, si_stime=[^,}]*/si_utime=T, si_stime=T/g' \
        -e 's/^\(PID[-0-9]* \)\{0,1\}brk(.*) *= .*/\1brk(...) = .../' \
        -e 's/^\(\(PID[-0-9]* \)\{0,1\}execve(.*\], \)[^ ]* /\1ADDR /' \
        -e 's/^\(.*)\) *= /\1 = /'
}

run native strace -f -o "$tmp/native.txt" "$@"
# lxemu's pids start high, so no pid is a small number the calls also show.
run lxemu "$lxemu" --pid-base=300000 --trace="$tmp/lxemu.txt" "$@"

for tag in native lxemu; do
    if [ ! -s "$tmp/$tag.txt" ]; then
        echo "run-trace-diff.sh: no $tag trace for: $*"
        cat "$tmp/$tag.err"
        exit 1
    fi
    normalise "$tmp/$tag.txt" >"$tmp/$tag.norm"
done

if [ -n "${TRACE_DIFF_KEEP:-}" ]; then
    mkdir -p "$TRACE_DIFF_KEEP" && cp "$tmp"/*.txt "$tmp"/*.norm "$TRACE_DIFF_KEEP"/
fi

status=0
if ! cmp -s "$tmp/native.norm" "$tmp/lxemu.norm"; then
    echo "run-trace-diff.sh: TRACE MISMATCH for: $*"
    diff -u --label native --label lxemu "$tmp/native.norm" "$tmp/lxemu.norm" | head -n 200
    status=1
fi
if ! cmp -s "$tmp/native.status" "$tmp/lxemu.status"; then
    echo "run-trace-diff.sh: native $(cat "$tmp/native.status"); lxemu $(cat "$tmp/lxemu.status")"
    status=1
fi
[ $status -eq 0 ] && echo "run-trace-diff.sh: traces match: $*"
exit $status
