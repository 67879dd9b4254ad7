#!/bin/sh
# check-reject.sh LXEMU STATUS FILE
# Runs `LXEMU FILE` and checks lxemu's contract for programs it cannot run:
# exit status STATUS (126, or 127 for a missing file; never a signal),
# nothing on stdout, and exactly one line on stderr, starting with "lxemu: ".

if [ $# -ne 3 ]; then
    echo "usage: check-reject.sh LXEMU STATUS FILE" >&2
    exit 2
fi
lxemu=$1
want=$2
file=$3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-reject.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
ulimit -c 0 2>/dev/null

"$lxemu" "$file" </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?

fail=0
complain() {
    echo "FAIL: $*"
    fail=1
}

[ "$status" -eq "$want" ] || complain "exit status $status, want $want"
[ -s "$tmp/out" ] && complain "stdout is not empty"
lines=$(wc -l <"$tmp/err")
[ "$lines" -eq 1 ] || complain "stderr has $lines newline-terminated lines, want 1"
[ -s "$tmp/err" ] && [ "$(tail -c 1 "$tmp/err" | od -An -c | tr -d ' ')" != '\n' ] &&
    complain "stderr does not end with a newline"
case $(head -n 1 "$tmp/err") in
    "lxemu: "*) ;;
    *) complain "stderr does not start with 'lxemu: '" ;;
esac

echo "file:   $file"
echo "status: $status"
echo "stderr: $(head -c 2000 "$tmp/err")"
if [ -s "$tmp/out" ]; then
    echo "stdout: $(head -c 2000 "$tmp/out")"
fi
[ $fail -eq 0 ] && echo "ok"
exit $fail
