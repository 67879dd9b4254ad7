#!/usr/bin/env bash
# Thread scaling: runs the parallel CPU benchmark (bench/thr_cpu.c) with 1, 2,
# 4, 8 and 16 threads natively, under qemu-x86_64 and under lxemu, and prints
# the wall time and the speed-up N x t(1) / t(N) of each (every thread does
# the same work: N idle cores give N, threads taking turns give 1).
#
# usage: bench/scaling.sh [BUILD_DIR]
#   BUILD_DIR  a built tree (default: $LXEMU_BUILD, else build/ in the repo
#              root); uses BUILD_DIR/lxemu and BUILD_DIR/bench/thr_cpu, so the
#              measuring machine needs no compiler and no network
#
# environment:
#   THREADS          thread counts            (default: "1 2 4 8 16")
#   ROUNDS           rounds per thread        (default: 150000, ~0.5 s natively)
#   REPS             timed runs per cell      (default: 3, median is reported)
#   QEMU             user-mode qemu binary    (default: qemu-x86_64; a missing
#                    one gives a column of "-")
#   LXEMU            lxemu binary             (default: BUILD_DIR/lxemu)
#   LXEMU_ARGS       extra lxemu options for every lxemu run (word-split)
#   LXEMU_SMP_MODES  e.g. "turns atomic": one lxemu column per mode, run with
#                    --smp=MODE (unset: one lxemu column, no --smp)
#   RUN_TIMEOUT      seconds before one run counts as hung (default: 900)
#
# Exit status: 0, or 1 if any run failed, hung or printed another checksum
# than the native run with the same thread count.

set -u -o pipefail
export LC_ALL=C   # '.' as decimal separator in $EPOCHREALTIME and awk

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(dirname "$bench_dir")
build=${1:-${LXEMU_BUILD:-$repo_root/build}}
lxemu=${LXEMU:-$build/lxemu}
prog=$build/bench/thr_cpu
qemu=${QEMU:-qemu-x86_64}
read -r -a threads <<< "${THREADS:-1 2 4 8 16}"
rounds=${ROUNDS:-150000}
reps=${REPS:-3}
run_timeout=${RUN_TIMEOUT:-900}
read -r -a lxemu_args <<< "${LXEMU_ARGS:-}"
read -r -a smp_modes <<< "${LXEMU_SMP_MODES:-}"

die() { echo "scaling.sh: $*" >&2; exit 1; }
[[ -x $prog ]] || die "$prog not found: build the tree first (cmake --build $build)"
[[ -x $lxemu ]] || die "$lxemu not found"

runners=(native qemu)
if ((${#smp_modes[@]})); then
    runners+=("${smp_modes[@]/#/lxemu:}")
else
    runners+=(lxemu)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lxemu-scaling.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# run_with RUNNER CMD...
run_with() {
    local runner=$1; shift
    local to=()
    command -v timeout > /dev/null && to=(timeout -k 10 "$run_timeout")
    case $runner in
    native)  "${to[@]}" "$@" ;;
    qemu)    "${to[@]}" "$qemu" "$@" ;;
    lxemu)   "${to[@]}" "$lxemu" "${lxemu_args[@]}" "$@" ;;
    lxemu:*) "${to[@]}" "$lxemu" "--smp=${runner#lxemu:}" "${lxemu_args[@]}" "$@" ;;
    esac
}

# measure RUNNER N: median wall time of $reps runs of thr_cpu N, "FAILED" or
# "MISMATCH"; the first run's output is kept in $work/RUNNER.N.
measure() {
    local runner=$1 n=$2 out="$work/$1.$2" times=() i t0 t1 rc
    if [[ $runner == qemu ]] && ! command -v "$qemu" > /dev/null; then
        echo -; return
    fi
    for ((i = 0; i < reps; i++)); do
        t0=$EPOCHREALTIME
        run_with "$runner" "$prog" "$n" "$rounds" > "$out.$i" 2> "$out.err"
        rc=$?
        t1=$EPOCHREALTIME
        if ((rc != 0)); then
            echo "$runner, $n threads: exit status $rc$( ((rc == 124)) &&
                echo " (timed out after ${run_timeout}s)"): $(head -c 300 "$out.err")" \
                >> "$work/problems"
            echo FAILED; return
        fi
        if ! cmp -s "$out.$i" "$work/native.$n.0"; then
            echo "$runner, $n threads: printed $(cat "$out.$i"); native: $(cat "$work/native.$n.0")" \
                >> "$work/problems"
            echo MISMATCH; return
        fi
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}

speedup() {  # speedup N T1 TN, T1 being the time with ${threads[0]} threads
    awk -v n="$1" -v n1="${threads[0]}" -v a="$2" -v b="$3" 'BEGIN {
        if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) print "-"
        else printf "%.2f\n", n / n1 * a / b }'
}

echo "thr_cpu scaling: $rounds rounds of 16 KiB per thread, median of $reps runs, seconds"
echo "host: $(nproc) cores; lxemu: $lxemu ${lxemu_args[*]}; qemu: $(command -v "$qemu" || echo "$qemu (not found)")"
echo "speed-up = N x t(1) / t(N): N on N idle cores, 1 when threads take turns"
echo

header=$(printf '%7s' threads)
for r in "${runners[@]}"; do
    header+=$(printf ' %12s %8s' "$r" speed-up)
done
echo "$header"

declare -A t
for n in "${threads[@]}"; do
    line=$(printf '%7s' "$n")
    for r in "${runners[@]}"; do
        t[$r,$n]=$(measure "$r" "$n")
        line+=$(printf ' %12s %8s' "${t[$r,$n]}" "$(speedup "$n" "${t[$r,${threads[0]}]}" "${t[$r,$n]}")")
    done
    echo "$line"
done
[[ ${threads[0]} == 1 ]] || echo "(speed-ups: N / ${threads[0]} x t(${threads[0]}) / t(N))"

if [[ -s $work/problems ]]; then
    echo
    echo "!!! problems:"
    sed 's/^/  /' "$work/problems"
    exit 1
fi
exit 0
