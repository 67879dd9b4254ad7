#!/bin/sh
# run-trace-diff.sh LXEMU PROG [ARGS...]
# Traces PROG ARGS with `strace -f -o native.txt` and with `LXEMU --trace=lxemu.txt`
# in fresh, identical working directories, normalises both traces and compares
# them line by line; the exit statuses must match too.  Exits 0 on a match,
# 1 on a difference (printed as a unified diff), 77 (ctest's skip) without
# strace or when ptrace is not allowed.
#
# Normalisation, per trace:
#   - the leading pid column goes, and the traced pid becomes PID where a
#     call shows it (getpid, gettid, set_tid_address, kill, tkill, tgkill,
#     rt_sigqueueinfo, rt_tgsigqueueinfo, si_pid);
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
normalise() {
    pid=$(sed -n '1s/^\([0-9][0-9]*\) .*/\1/p' "$1")
    sed -e 's/^[0-9][0-9]* *//' \
        -e "s/^\\(getpid\\|gettid\\|set_tid_address\\)(\\(.*\\)) *= ${pid:-PID}\$/\\1(\\2) = PID/" \
        -e "s/^\\(t\\{0,1\\}kill\\|tgkill\\|rt_sigqueueinfo\\|rt_tgsigqueueinfo\\)(${pid:-PID}\\b/\\1(PID/" \
        -e "s/^\\(tgkill\\|rt_tgsigqueueinfo\\)(PID, ${pid:-PID}\\b/\\1(PID, PID/" \
        -e "s/si_pid=${pid:-PID}\\b/si_pid=PID/g" \
        -e 's/0x[0-9a-f]\{8,\}/ADDR/g' \
        -e 's/^brk(.*) *= .*/brk(...) = .../' \
        -e 's/^\(execve(.*\], \)[^ ]* /\1ADDR /' \
        -e 's/^\(.*)\) *= /\1 = /' "$1"
}

run native strace -f -o "$tmp/native.txt" "$@"
run lxemu "$lxemu" --trace="$tmp/lxemu.txt" "$@"

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
