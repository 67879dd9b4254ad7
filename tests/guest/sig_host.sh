#!/bin/sh
# sig_host.sh LXEMU PROG
# Signals from outside: runs each mode of the sig_host guest PROG in the
# background, natively and under LXEMU, waits for it to print "ready" (polls
# its output file), sends it host signals with kill (to the native pid, or to
# the lxemu pid), and compares what it printed, the script's own observations
# and its exit status as this shell sees it (128+N on death by signal N):
#   term     SIGTERM kills it: 143
#   int      its SIGINT handler runs: it prints the signal and exits 3
#   stop     it raises SIGSTOP; /proc/PID/stat must show state T (polled up
#            to 5 s); SIGCONT resumes it, its handler runs, it exits 0
#   bgint    a background job of this non-interactive sh starts with SIGINT
#            ignored: it says so, survives a SIGINT, dies of SIGTERM (143)
#   forward  SIGWINCH, SIGHUP, SIGUSR2 and SIGUSR1 reach its handlers
# Each expected event is awaited up to SIG_HOST_WAIT seconds (default 10).
# Exits 0 when every mode matches, 1 otherwise (printing the differences),
# 77 when it cannot run here.

if [ $# -ne 2 ]; then
    echo "usage: sig_host.sh LXEMU PROG" >&2
    exit 2
fi
lxemu=$1
prog=$2
if [ ! -x "$lxemu" ] || [ ! -x "$prog" ] || [ ! -r /proc/$$/stat ]; then
    echo "sig_host.sh: cannot run (no lxemu, guest program or /proc)"
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sig_host.XXXXXX") || exit 77
pid=
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

# state PID: the state letter in /proc/PID/stat ("" once the process is gone).
state() {
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    s=${s##*) }
    echo "${s%% *}"
}

# wait_for FILE TEXT SECS: poll until a line of FILE is TEXT; 1 on timeout.
wait_for() {
    n=0
    while ! grep -qx "$2" "$1" 2>/dev/null; do
        n=$((n + 1))
        [ "$n" -gt $(($3 * 20)) ] && return 1
        sleep 0.05
    done
    return 0
}

# wait_state PID LETTER SECS: poll until PID's state is LETTER; 1 on timeout.
wait_state() {
    n=0
    while [ "$(state "$1")" != "$2" ]; do
        n=$((n + 1))
        [ "$n" -gt $(($3 * 20)) ] && return 1
        sleep 0.05
    done
    return 0
}

# Seconds to wait for each expected event before giving up on it (only a
# failing run waits that long).
limit=${SIG_HOST_WAIT:-10}

# send SIG: kill -s SIG $pid, logging a failure.
send() {
    kill -s "$1" "$pid" 2>/dev/null || echo "SIG$1: cannot send" >>"$log"
}

# finish: wait up to $limit s for $pid to end (zombie or gone), killing it
# if it hangs, then log its status as this shell sees it.
finish() {
    n=0
    while st=$(state "$pid") && [ -n "$st" ] && [ "$st" != Z ]; do
        n=$((n + 1))
        if [ "$n" -gt $((limit * 20)) ]; then
            echo "hung: killed" >>"$log"
            kill -s CONT "$pid" 2>/dev/null
            kill -s KILL "$pid" 2>/dev/null
            break
        fi
        sleep 0.05
    done
    wait "$pid"
    echo "status $?" >>"$log"
}

# ready: wait for the guest's "ready"; 1 (logged) on timeout.
ready() {
    wait_for "$out" ready "$limit" && return 0
    echo "no ready line" >>"$log"
    return 1
}

# scenario MODE TAG CMD...: run CMD MODE in the background and drive it;
# leaves the guest's output, then the script's log, in $tmp/TAG.MODE.
scenario() {
    mode=$1
    tag=$2
    shift 2
    out=$tmp/$tag.$mode.out
    log=$tmp/$tag.$mode.log
    : >"$out"
    : >"$log"
    "$@" "$mode" >"$out" 2>"$tmp/$tag.$mode.err" </dev/null &
    pid=$!
    case $mode in
    term)
        ready && send TERM
        ;;
    int)
        ready && send INT
        ;;
    stop)
        if ready; then
            if wait_state "$pid" T 5; then
                echo stopped >>"$log"
            else
                echo "not stopped: state $(state "$pid")" >>"$log"
            fi
            send CONT
        fi
        ;;
    bgint)
        if ready; then
            send INT
            send USR1
            if wait_for "$out" "alive after SIGINT" "$limit"; then
                send TERM
            else
                echo "no alive line" >>"$log"
            fi
        fi
        ;;
    forward)
        if ready; then
            for sig in WINCH HUP USR2 USR1; do
                send "$sig"
                [ "$sig" = USR1 ] && break
                if ! wait_for "$out" "got SIG$sig, si_code SI_USER" "$limit"; then
                    echo "SIG$sig not reported" >>"$log"
                    break
                fi
            done
        fi
        ;;
    esac
    finish
    { cat "$out"; cat "$tmp/$tag.$mode.err"; echo "--"; cat "$log"; } >"$tmp/$tag.$mode"
}

fail=0
for want in term:143 int:3 stop:0 bgint:143 forward:0; do
    mode=${want%%:*}
    scenario "$mode" native "$prog"
    scenario "$mode" lxemu "$lxemu" "$prog"
    native=$tmp/native.$mode
    emu=$tmp/lxemu.$mode
    if ! grep -qx "status ${want#*:}" "$native"; then
        echo "FAIL $mode: native run did not end with status ${want#*:}:"
        sed 's/^/    /' "$native"
        fail=1
    elif ! cmp -s "$native" "$emu"; then
        echo "FAIL $mode: native and lxemu differ:"
        diff -u --label "native.$mode" --label "lxemu.$mode" "$native" "$emu"
        fail=1
    else
        echo "ok   $mode: $(grep -v -x -e ready -e -- "$native" | tr '\n' ';' | sed 's/;$//')"
    fi
done
exit $fail
