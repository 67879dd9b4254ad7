#!/bin/sh
# bbtest.sh RUNDIFF LXEMU BUSYBOX [--stdin FILE] APPLET [ARGS...]
# Recreates the fixture files in the current directory (fixed contents, modes
# and mtimes), then runs `BUSYBOX APPLET ARGS` natively and under LXEMU with
# run-diff.sh, which compares stdout, stderr and exit status.

if [ $# -lt 4 ]; then
    echo "usage: bbtest.sh RUNDIFF LXEMU BUSYBOX [--stdin FILE] APPLET [ARGS...]" >&2
    exit 2
fi
rundiff=$1
lxemu=$2
busybox=$3
shift 3
if [ "$1" = "--stdin" ]; then
    RUN_DIFF_STDIN=$2
    export RUN_DIFF_STDIN
    shift 2
fi
set -e

stamp="2021-03-04 05:06:07"          # every fixture mtime (TZ=UTC in ctest)

# Text inputs for the filters.
make_texts() {
    printf '%s\n' pear Apple banana apple cherry banana date Elderberry fig \
        grape apple kiwi >words.txt
    printf '%s\n' 42 -7 3.5 100 0 42 17 -120 8 999 5 >nums.txt
    printf '%s\n' root:x:0:0:root:/root:/bin/sh daemon:x:1:1::/usr/sbin:/bin/false \
        'user:x:1000:1000:A User,,,:/home/user:/bin/bash' >colon.txt
    {
        echo "Lorem ipsum dolor sit amet, consectetur adipiscing elit."
        echo "Sed do eiusmod tempor incididunt ut labore et dolore magna."
        echo ""
        echo "	Ut enim ad minim veniam, quis nostrud exercitation."
        echo "Duis aute irure dolor in reprehenderit in voluptate velit."
        echo "Excepteur sint occaecat cupidatat non proident, sunt in culpa."
    } >lorem.txt
    head -c 8192 "$busybox" >bin.dat     # binary input, fixed per machine
    # ~1 MiB of lines for the malloc/mmap-heavy paths (sort, gzip)
    awk 'BEGIN { x = 7; for (i = 0; i < 60000; i++) { x = (x * 1103515245 + 12345) % 2147483648; printf "%09d line %d\n", x % 1000000000, i } }' >big.txt
}

# A small tree for ls/find/stat: files, a hidden file, a subdirectory, a
# symlink, varied modes, all with the same fixed mtime.
make_tree() {
    rm -rf tree
    mkdir -p tree/sub
    echo alpha >tree/a.txt
    printf '#!/bin/sh\necho hi\n' >tree/b.sh
    echo secret >tree/.hidden
    : >tree/empty
    echo deep >tree/sub/deep.txt
    ln -s a.txt tree/link
    chmod 0644 tree/a.txt tree/.hidden tree/sub/deep.txt
    chmod 0755 tree/b.sh tree/sub tree
    chmod 0600 tree/empty
    touch -d "$stamp" tree/a.txt tree/b.sh tree/.hidden tree/empty tree/sub/deep.txt
    touch -h -d "$stamp" tree/link
    touch -d "$stamp" tree/sub tree
}

# bin/: a symlink to busybox for each applet, the shell tests' PATH.
make_bin() {
    rm -rf bin
    mkdir bin
    for applet in $("$busybox" --list); do
        ln -s "$busybox" "bin/$applet"
    done
}

make_texts
make_tree
if [ "$1" = sh ]; then
    make_bin
fi
touch -d "$stamp" words.txt nums.txt colon.txt lorem.txt bin.dat
set +e
exec sh "$rundiff" "$lxemu" "$busybox" "$@"
