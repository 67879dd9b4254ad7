#!/bin/sh
# run-diff.sh LXEMU PROG [ARGS...]
# Runs PROG ARGS natively, then LXEMU PROG ARGS, in the same cwd and environment,
# and compares stdout, stderr and the exit status as a shell sees it (128+N on
# death by signal N). Stdin is /dev/null, or the file named by RUN_DIFF_STDIN.
# Exits 0 when all three match; otherwise prints the differences and exits 1.
# With RUN_DIFF_SHOW=1 in the environment it also prints the native output;
# RUN_DIFF_LXEMU_ARGS (word-split) adds options for lxemu, e.g. "--trace".

if [ $# -lt 2 ]; then
    echo "usage: run-diff.sh LXEMU PROG [ARGS...]" >&2
    exit 2
fi
lxemu=$1
shift

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-diff.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
ulimit -c 0 2>/dev/null   # no core files from the crash tests

stdin_file=${RUN_DIFF_STDIN:-/dev/null}
if [ ! -r "$stdin_file" ]; then
    echo "run-diff.sh: cannot read RUN_DIFF_STDIN file '$stdin_file'" >&2
    exit 2
fi

# run TAG CMD...: run CMD with the fixed stdin; keep its output and status.
run() {
    tag=$1
    shift
    "$@" <"$stdin_file" >"$tmp/$tag.out" 2>"$tmp/$tag.err"
    echo "exit status $?" >"$tmp/$tag.status"
}

run native "$@"
# shellcheck disable=SC2086
run lxemu "$lxemu" ${RUN_DIFF_LXEMU_ARGS:-} "$@"

status=0
for part in status out err; do
    if ! cmp -s "$tmp/native.$part" "$tmp/lxemu.$part"; then
        echo "run-diff.sh: MISMATCH in $part for: $*"
        diff -u --label "native.$part" --label "lxemu.$part" \
            "$tmp/native.$part" "$tmp/lxemu.$part" | head -n 200
        status=1
    fi
done

if [ $status -eq 0 ]; then
    echo "run-diff.sh: match ($(cat "$tmp/native.status")): $*"
    if [ -n "${RUN_DIFF_SHOW:-}" ]; then
        echo "--- native stdout:"
        cat "$tmp/native.out"
        echo "--- native stderr:"
        cat "$tmp/native.err"
    fi
else
    echo "native: $(cat "$tmp/native.status"); lxemu: $(cat "$tmp/lxemu.status")"
fi
exit $status
