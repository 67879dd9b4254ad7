#!/usr/bin/env bash
# Stress the thread tests: runs every guest thread test (ctest -R '^guest\.(thr_|smp-)')
# N times against a built tree, two tests at a time, and stops at the first
# failure, printing which test failed, in which round, and its output.
#
# usage: tools/stress.sh [-n N] [-j J] [-R REGEX] [BUILD_DIR]
#   -n N        rounds (default: 50)
#   -j J        tests run in parallel (default: 2)
#   -R REGEX    ctest test regexp (default: '^guest\.(thr_|smp-)': the thread
#               tests and the same programs under --smp=atomic)
#   BUILD_DIR   a built tree (default: build/ in the repo root)
# A test that runs past ctest's timeout (60 s for guest tests) is a failure:
# a hang shows up as "Timeout". Exit status: 0 if every run passed, 1 if one
# failed, 2 on a usage error or when no test matches.

set -u -o pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=50 jobs=2 regex='^guest\.(thr_|smp-)'
while getopts n:j:R:h opt; do
    case $opt in
    n) rounds=$OPTARG ;;
    j) jobs=$OPTARG ;;
    R) regex=$OPTARG ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
build=$(cd "${1:-$root/build}" 2>/dev/null && pwd) || {
    echo "stress.sh: no build directory ${1:-$root/build}" >&2; exit 2; }

ntests=$(cd "$build" && ctest -N -R "$regex" | sed -n 's/^Total Tests: //p')
if [[ -z $ntests || $ntests == 0 ]]; then
    echo "stress.sh: no test in $build matches $regex" >&2
    exit 2
fi

log=$(mktemp "${TMPDIR:-/tmp}/lxemu-stress.XXXXXX") || exit 2
trap 'rm -f "$log"' EXIT
echo "stress: $ntests tests matching $regex, $rounds rounds, -j$jobs, in $build"

start=$EPOCHREALTIME
passed=0
for ((round = 1; round <= rounds; round++)); do
    # --stop-on-failure: no new test starts after the first failure.
    (cd "$build" && ctest -R "$regex" -j"$jobs" --stop-on-failure \
        --output-on-failure) > "$log" 2>&1
    rc=$?
    ok=$(grep -c ' Passed ' "$log")
    passed=$((passed + ok))
    if ((rc != 0)); then
        secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
        echo "!!! round $round of $rounds: FAILED after $secs s, $passed runs passed in all"
        echo "failed:"
        grep -E '\*\*\*(Failed|Timeout|Exception)|Not Run' "$log" | sed 's/^/  /'
        echo "--- ctest output of round $round:"
        # the failed tests' own output (ctest prints it under the test's line)
        awk '/\*\*\*(Failed|Timeout|Exception)/ { show = 1 }
             /^ *[0-9]+\/[0-9]+ Test +#[0-9]+: .* Passed / { show = 0 }
             /tests passed, .* tests failed out of/ { show = 1 }
             show' "$log"
        first=$(grep -m1 -E '\*\*\*(Failed|Timeout|Exception)' "$log" |
                sed -E 's/.*Test +#[0-9]+: ([^ ]+) .*/\1/')
        echo "reproduce: (cd $build && ctest -R '^${first//./\\.}\$' --output-on-failure)"
        exit 1
    fi
    secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
    if [[ -t 1 ]]; then
        printf '\rround %d/%d: %d passed, %s s' "$round" "$rounds" "$passed" "$secs"
        ((round == rounds)) && echo
    else
        echo "round $round/$rounds: $passed passed, $secs s"
    fi
done
echo "stress: all passed: $rounds rounds x $ntests tests = $passed runs, ${secs} s"
