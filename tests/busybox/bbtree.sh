#!/bin/sh
# bbtree.sh LXEMU BUSYBOX MODE OP
# Busybox file tools on a fixture tree, natively and under LXEMU, each side
# in a fresh copy of the fixture (native/ and lxemu/ in the current
# directory).  OP names a script of busybox applets (below) that busybox sh
# runs in the copy, with paths relative to it.  Passes when stdout, stderr,
# the exit status and the resulting tree (every entry's type, mode, owner,
# size, mtime, contents or link target: list_tree) are the same.
#
# MODE cwd:  the copy is the cwd; lxemu runs with the host's / as root.
# MODE root: the copy is the root: lxemu --root COPY /bin/busybox, and
#            natively chroot COPY where chroot works (as root; the fixture
#            then also holds absolute symlinks into the tree, which must
#            resolve inside the root); elsewhere natively in COPY as cwd.

if [ $# -ne 4 ]; then
    echo "usage: bbtree.sh LXEMU BUSYBOX MODE OP" >&2
    exit 2
fi
lxemu=$1
busybox=$2
mode=$3
op=$4
bb=$busybox

stamp="2021-03-04 05:06:07"   # every fixture mtime (TZ=UTC in ctest)
stamp_s=1614834367
chroot_ok=
chroot_cmd=$(command -v chroot)
if [ "$mode" = root ] && [ -n "$chroot_cmd" ] && "$chroot_cmd" / true 2>/dev/null; then
    chroot_ok=1
fi

# The scripts.  ";" ends a command, "echo status $?" shows a failure's status.
script() {
    case $1 in
    find) cat <<'EOF'
find tree | sort
find tree -type f | sort
find tree -type d | sort
find tree -type l | sort
find tree -type p
find tree -name '*.txt' | sort
find tree -size +8k
find tree -perm 755 | sort
find tree -empty | sort
find tree -maxdepth 1 -mindepth 1 | sort
find tree -L -type f -name 'a*' | sort
find tree/none; echo status $?
EOF
    ;;
    grep-r) cat <<'EOF'
rm tree/fifo
grep -r alpha tree | sort
grep -rn deep tree | sort
grep -rl -i ALPHA tree | sort
grep -rc e tree | sort
grep -r -h -o 'line [0-9]*5$' tree/sub | sort | head -3
grep -r nomatch tree; echo status $?
EOF
    ;;
    tar) cat <<'EOF'
mkdir out
tar c --numeric-owner -f out/t.tar tree
tar tvf out/t.tar | sort -k 6
mkdir out/x
tar xf out/t.tar -C out/x
tar czf out/t.tgz tree/sub
tar tzvf out/t.tgz | sort -k 6
mkdir out/y
tar xzf out/t.tgz -C out/y
tar xf out/none.tar; echo status $?
EOF
    ;;
    cp) cat <<'EOF'
cp -r tree out-r
cp -a tree out-a
cp -p tree/a.txt out-p.txt
cp tree/a.txt tree/b.sh tree/sub
cp -a tree/link out-link
cp -r tree/sub tree/sub/deeper; echo status $?
cp tree/none out; echo status $?
EOF
    ;;
    mv) cat <<'EOF'
mkdir dst
mv tree/a.txt tree/sub/moved.txt
mv tree/b.sh dst/
mv tree/sub dst/sub2
mv tree/link tree/fifo dst/
mv dst/sub2/deep.txt tree/
mv tree/none dst/; echo status $?
mv dst dst/sub2; echo status $?
EOF
    ;;
    rm) cat <<'EOF'
rm -r tree/sub
rm tree/a.txt tree/link
rm -rf tree/dirlink tree/none
rm -r tree/none; echo status $?
rm tree/sub2; echo status $?
cp -a tree tree2
rm -rf tree
EOF
    ;;
    du) cat <<'EOF'
du -s -k tree
du -a -k tree | sort -k 2
du -s -k tree/sub tree/a.txt tree/sub/big.dat
du -k -d 1 tree | sort -k 2
du -c -k tree/a.txt tree/sub/deep.txt
EOF
    ;;
    sort) cat <<'EOF'
sort big.txt >out-sorted
sort -n -r big.txt | head -5
sort -t ' ' -k 3 -n big.txt | md5sum
sort -u -o out-u big.txt
sort -c out-sorted; echo status $?
sort -c big.txt; echo status $?
EOF
    ;;
    ls) cat <<'EOF'
ls -lR tree
ls -la tree/sub
ls -lR --full-time tree/sub
EOF
    ;;
    ls-n) cat <<'EOF'
ls -lnR tree
ls -lan tree/sub
ls -lnRL tree
EOF
    ;;
    meta) cat <<'EOF'
mkfifo -m 640 tree/f2
mknod tree/f3 p
touch -d '2020-01-02 03:04:05' tree/a.txt
touch -r tree/a.txt tree/empty
touch -h -d '2019-05-06 07:08:09' tree/link
chmod 0640 tree/a.txt
chown -h "$(id -u):$(id -g)" tree/link
chown -R "$(id -u)" tree/sub
fallocate -l 12288 tree/alloc
truncate -s 100 tree/alloc
stat -f -c '%t %n' tree tree/a.txt
sync
chroot tree /bin/busybox true; echo status $?
touch -d '2022-01-01 00:00:00' tree/f2 tree/f3 tree/alloc
ls -ln tree
EOF
    ;;
    *) echo "bbtree.sh: no such OP $1" >&2; exit 2 ;;
    esac
}

# make_fixture DIR: the tree, big files, bin/ and (root mode) etc/.
make_fixture() {
    d=$1
    rm -rf "$d" && mkdir -p "$d/tree/sub/deeper" || exit 2
    (
        cd "$d" || exit 2
        echo alpha >tree/a.txt
        printf '#!/bin/sh\necho hi\n' >tree/b.sh
        echo secret alpha >tree/.hidden
        : >tree/empty
        echo deep >tree/sub/deep.txt
        printf 'x\0y\0z' >tree/sub/deeper/x.dat
        "$bb" awk 'BEGIN { for (i = 0; i < 2000; i++) printf "line %d\n", i }' >tree/sub/big.dat
        ln -s a.txt tree/link
        ln -s sub tree/dirlink
        mkfifo tree/fifo
        if [ -n "$chroot_ok" ]; then
            ln -s /tree/a.txt tree/abs
            ln -s /tree/sub tree/absdir
        fi
        # ~1 MiB of lines, fixed: the sort test's input
        "$bb" awk 'BEGIN { x = 7; for (i = 0; i < 60000; i++) { x = (x * 1103515245 + 12345) % 2147483648; printf "%09d line %d\n", x % 1000000000, i } }' >big.txt
        chmod 0644 tree/a.txt tree/.hidden tree/sub/deep.txt tree/sub/big.dat big.txt
        chmod 0755 tree/b.sh tree/sub tree tree/sub/deeper
        chmod 0600 tree/empty tree/sub/deeper/x.dat
        chmod 0640 tree/fifo
        "$bb" find tree big.txt -depth -exec touch -h -d "$stamp" {} +
        # bin/: busybox and a link per applet, the scripts' PATH (an applet
        # that runs another finds it there, natively in chroot too, where
        # busybox has no /proc/self/exe to run itself by).
        mkdir bin && cp "$busybox" bin/busybox || exit 2
        for applet in $("$bb" --list); do
            [ "$applet" = busybox ] || ln -s busybox "bin/$applet"
        done
        # etc/: the host's user and group names, so that a root without
        # chroot natively (names from the host's /etc) names ids alike.
        if [ "$mode" = root ]; then
            mkdir etc && cp /etc/passwd /etc/group etc/ || exit 2
        fi
    )
}

# list_tree DIR: every entry but bin/ and etc/, with what an operation may change.
# An mtime after the fixture's (made or changed by the run) reads "new".
list_tree() {
    (
        cd "$1" || exit 2
        "$bb" find . \( -path ./bin -o -path ./etc \) -prune -o -print | LC_ALL=C "$bb" sort |
        while IFS= read -r f; do
            set -- $("$bb" stat -c '%f %a %u %g %s %Y' "$f")
            t=$(( 0x$1 & 0170000 ))
            m=$6
            if [ "$m" -gt $((stamp_s + 86400)) ]; then m=new; fi
            case $t in
            32768) extra="$5 $("$bb" md5sum <"$f" | "$bb" cut -d ' ' -f 1)" ;;
            40960) extra="-> $("$bb" readlink "$f")" ;;
            16384) extra="dir" ;;
            *) extra="type $t" ;;
            esac
            echo "$f $2 $3:$4 $m $extra"
        done
    )
}

# run SIDE: the script on SIDE's copy; output in SIDE.out/.err/.status.
run() {
    side=$1
    s=$(script "$op") || exit 2
    if [ "$side" = lxemu ] && [ "$mode" = root ]; then
        (cd lxemu && PATH=/bin "$lxemu" --root "$PWD" /bin/busybox sh -c "$s")
    elif [ "$side" = lxemu ]; then
        (cd lxemu && PATH=$PWD/bin "$lxemu" "$busybox" sh -c "$s")
    elif [ -n "$chroot_ok" ]; then
        PATH=/bin "$chroot_cmd" native /bin/busybox sh -c "cd / && $s"
    else
        (cd native && PATH=$PWD/bin "$busybox" sh -c "$s")
    fi >"$side.out" 2>"$side.err" </dev/null
    echo "exit status $?" >"$side.status"
    list_tree "$side" >"$side.tree"
}

make_fixture native
make_fixture lxemu
run native
run lxemu

status=0
for part in status out err tree; do
    if ! cmp -s "native.$part" "lxemu.$part"; then
        echo "bbtree.sh: MISMATCH in $part for $op ($mode)"
        diff -u "native.$part" "lxemu.$part" | head -n 100
        status=1
    fi
done
if [ $status -eq 0 ]; then
    echo "bbtree.sh: match ($(cat native.status)) for $op ($mode${chroot_ok:+, native in chroot})"
    if [ -n "${BBTREE_SHOW:-}" ]; then
        cat native.out native.err native.tree
    fi
fi
exit $status
