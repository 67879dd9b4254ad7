#!/bin/sh
# sigstatus.sh LXEMU CRASHPROG
# A parent `sh -c` runs each crash mode of the crash guest natively and under
# lxemu, in the foreground ($?), in the background (wait $!) and via an inner
# `sh -c 'exec ...'`; each status must be 128+signal natively and the same
# under lxemu. Exits 1 on any difference.

if [ $# -ne 2 ]; then
    echo "usage: sigstatus.sh LXEMU CRASHPROG" >&2
    exit 2
fi
lxemu=$1
prog=$2
ulimit -c 0 2>/dev/null

# statuses CMD...: print "fg bg exec" statuses of CMD as a parent sh sees them.
statuses() {
    fg=$(sh -c '"$@" >/dev/null 2>&1; echo $?' sh "$@" 2>/dev/null)
    bg=$(sh -c '"$@" >/dev/null 2>&1 & wait $!; echo $?' sh "$@" 2>/dev/null)
    ex=$(sh -c 'sh -c '\''exec "$@"'\'' sh "$@" >/dev/null 2>&1; echo $?' sh "$@" 2>/dev/null)
    echo "$fg $bg $ex"
}

fail=0
for mode in segv-null segv-prot fpe-div0 fpe-intmin ill-ud2 trap-int3 abort kill; do
    native=$(statuses "$prog" "$mode")
    emu=$(statuses "$lxemu" "$prog" "$mode")
    set -- $native
    name=$(kill -l $(($1 - 128)) 2>/dev/null)
    if [ "$1" -le 128 ]; then
        echo "FAIL $mode: native run did not die of a signal ($native)"
        fail=1
    elif [ "$native" != "$emu" ]; then
        echo "FAIL $mode: native (fg bg exec) = $native, lxemu = $emu"
        fail=1
    else
        echo "ok   $mode: $native (SIG$name)"
    fi
done
exit $fail
