#!/bin/sh
# root-run.sh LXEMU PROG [ARGS...]
# Runs PROG as /bin/NAME under `lxemu --root root` in a fresh test root made
# in the current directory (root/bin with PROG in it, root/tmp), beside which
# lie markers no guest path may reach: a file "marker" and "fz/marker".
# Passes (exit 0) when the guest exits 0, the markers are as they were and
# nothing new appeared outside the root. With RUN_ROOT_NATIVE=1, where
# chroot(8) works (as root), the same program also runs natively in a fresh
# root of its own and must print the same.

if [ $# -lt 2 ]; then
    echo "usage: root-run.sh LXEMU PROG [ARGS...]" >&2
    exit 2
fi
lxemu=$1
prog=$2
shift 2
name=$(basename "$prog")

# fresh DIR: a test root in DIR/root and the markers beside it.
fresh() {
    rm -rf "$1" && mkdir -p "$1/root/bin" "$1/root/tmp" "$1/fz" &&
        cp "$prog" "$1/root/bin/$name" &&
        echo "outside the root" >"$1/marker" &&
        echo "outside the root" >"$1/fz/marker"
}

# outside DIR: what lies beside the root, with sizes and contents.
outside() {
    (cd "$1" && find . -path ./root -prune -o -print | LC_ALL=C sort &&
        cat marker fz/marker)
}

fresh lxemu || exit 2
outside lxemu >before.txt
"$lxemu" --root lxemu/root "/bin/$name" "$@" >lxemu.out 2>&1
status=$?
cat lxemu.out
if [ $status -ne 0 ]; then
    echo "root-run.sh: lxemu exit status $status"
    exit 1
fi
outside lxemu >after.txt
if ! cmp -s before.txt after.txt; then
    echo "root-run.sh: something changed outside the root:"
    diff -u before.txt after.txt
    exit 1
fi

if [ -n "${RUN_ROOT_NATIVE:-}" ]; then
    if ! chroot / true 2>/dev/null; then
        echo "root-run.sh: no native run (chroot needs root)"
        exit 0
    fi
    fresh native || exit 2
    chroot native/root "/bin/$name" "$@" >native.out 2>&1
    if [ $? -ne 0 ] || ! cmp -s native.out lxemu.out; then
        echo "root-run.sh: MISMATCH with the native run in chroot:"
        diff -u native.out lxemu.out | head -n 100
        exit 1
    fi
    echo "root-run.sh: same as natively in chroot"
fi
exit 0
