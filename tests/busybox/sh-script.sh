# sh-script.sh: the busybox shell with processes, run by bbtest.sh as
# `busybox sh sh-script.sh` natively and under lxemu: pipelines, subshells,
# command substitution, background jobs and wait, traps, exit statuses,
# set -e, here-documents, a while-read loop in a pipe, exec redirections.
# Only busybox applets run: PATH is bbtest.sh's bin/ of symlinks to busybox.
PATH=$PWD/bin
export PATH
echo "pipeline: $(seq 1 20 | grep 1 | sort -rn | head -n 3 | tr '\n' ' ')"
echo "nested substitution: $(echo outer $(echo inner | tr a-z A-Z))"
(cd /; echo "subshell pwd: $PWD"; exit 7); echo "subshell status: $?, cwd kept: ${PWD##*/}"
v=outer; (v=inner); echo "subshell variable: $v"
sleep 0.2 & p1=$!
(exit 3) & p2=$!
wait $p2; echo "wait \$! of (exit 3): $?"
wait $p1; echo "wait \$! of sleep: $?"
false & wait $!; echo "wait false: $?"
sh -c 'kill -TERM $$' & wait $!; echo "job killed by SIGTERM: $?"
{ echo "from a background group" >bg.txt; } & wait; cat bg.txt
trap 'echo "trap USR1"' USR1
kill -USR1 $$
trap 'echo "trap INT"' INT
kill -INT $$
echo "after the traps"
sum=0
seq 1 5 | while read n; do sum=$((sum + n)); echo "read $n, sum $sum"; done
echo "sum in the parent shell: $sum"
printf 'a b c\nd e\n' | { read first rest; echo "first=$first rest=$rest"; }
cat <<END | tr a-z A-Z
here-doc: $((6 * 7)) $(echo substituted)
END
cat <<'END'
quoted here-doc: $HOME $(not run)
END
exec 3>out.txt
echo "line one via fd 3" >&3
echo "line two via fd 3" >&3
exec 3>&-
exec 4<out.txt
read line <&4; echo "fd 4 gave: $line"
exec 4<&-
wc -l <out.txt
(set -e; echo "set -e on"; false; echo "not reached"); echo "set -e: subshell status $?"
if (set -e; false; echo "set -e: ignored in an if condition"); then echo "if: true"; fi
(set -e; false || true; if false; then :; fi; ! true; echo "set -e: ||, if and ! go on")
sh -c 'exit 42'; echo "sh -c 'exit 42': $?"
sh -c 'exit 300'; echo "sh -c 'exit 300': $?"
nosuchcommand 2>/dev/null; echo "not found: $?"
echo "to stderr" >&2
trap 'echo "trap EXIT, status $?"' EXIT
exit 5
