#!/usr/bin/env bash
# Benchmark driver: runs each benchmark natively, under qemu-x86_64 and under
# lxemu, and prints a comparison table.
#
# usage: bench/run.sh [LXEMU]
#   LXEMU  emulator to test (default: build/lxemu in the repo root)
#
# environment:
#   QEMU        user-mode qemu binary       (default: qemu-x86_64)
#   BUSYBOX     static busybox binary       (default: /usr/bin/busybox)
#   REPS        timed runs per measurement  (default: 3, median is reported)
#   MUSL_GCC    compiler for the guests     (default: musl-gcc)
#   KEEP_WORK   set to 1 to keep the temporary work directory
#   BENCH       extended regexp: run only the benchmarks whose name matches
#   LXEMU_ARGS  extra lxemu options for every lxemu run (word-split)
#   PIN_CPUS    run every runner under `taskset -c PIN_CPUS` (e.g. 0: the
#               processes of the ping-pong rows then take turns on one CPU
#               instead of waking each other across CPUs; see README.md)
#   LXEMU_SMP_MODES  e.g. "turns atomic": run lxemu once per mode with
#               --smp=MODE, one table row each (unset: one run, no --smp)
#   CPU_THREADS threads of the parallel CPU benchmark (default: 4)
#   CPU_ROUNDS  its rounds per thread (default: 150000)
#   FORK_COUNT  forks of the fork+exit+wait rows (default: 2000)
#   EXEC_COUNT  fork+execve of the fork+exec row (default: 1000)
#   SH_COUNT    subshells of the busybox sh row (default: 1000)
#   PIPE_MB     MiB sent through the pipe throughput row (default: 1024)
#   PINGPONG_COUNT  round trips of the pipe ping-pong row (default: 100000)
#   OPEN_COUNT  open+fstat+close of the open row (default: 100000)
#   TAR_FILES   files in the tree of the busybox tar row (default: 2000)
#
# Exit status: 0 if every successful run produced the same output as the
# native run; 1 on any output mismatch, a failed native run, or a failed
# self-check of sha256.c. A failing lxemu alone does not change the status.

set -u -o pipefail
export LC_ALL=C   # '.' as decimal separator in $EPOCHREALTIME and awk

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(dirname "$bench_dir")

lxemu=${1:-$repo_root/build/lxemu}
qemu=${QEMU:-qemu-x86_64}
busybox=${BUSYBOX:-/usr/bin/busybox}
reps=${REPS:-3}
cc=${MUSL_GCC:-musl-gcc}
filter=${BENCH:-}
read -r -a lxemu_args <<< "${LXEMU_ARGS:-}"
read -r -a smp_modes <<< "${LXEMU_SMP_MODES:-}"
pin=()
if [[ -n ${PIN_CPUS:-} ]]; then
    command -v taskset > /dev/null || { echo "run.sh: PIN_CPUS needs taskset" >&2; exit 1; }
    pin=(taskset -c "$PIN_CPUS")
fi
cpu_threads=${CPU_THREADS:-4}
cpu_rounds=${CPU_ROUNDS:-150000}
fork_count=${FORK_COUNT:-2000}
exec_count=${EXEC_COUNT:-1000}
sh_count=${SH_COUNT:-1000}
pipe_mb=${PIPE_MB:-1024}
pingpong_count=${PINGPONG_COUNT:-100000}
open_count=${OPEN_COUNT:-100000}
tar_files=${TAR_FILES:-2000}

work=$(mktemp -d "${TMPDIR:-/tmp}/lxemu-bench.XXXXXX") || exit 1
work=$(cd "$work" && pwd)   # absolute: fork_exec execs $work/true_static
if [[ ${KEEP_WORK:-0} == 1 ]]; then
    echo "work directory: $work"
else
    trap 'rm -rf "$work"' EXIT
fi

status=0

die() { echo "run.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- build

echo "building guests with $cc ..."
for prog in getppid sha256 mmap_cycles malloc_churn thr_create thr_pingpong thr_cpu \
            sig_roundtrip sig_pingpong fork_wait fork_exec true_static \
            pipe_bw pipe_pingpong open_fstat; do
    "$cc" -static -O2 -std=c11 -Wall -Wextra -o "$work/$prog" \
        "$bench_dir/$prog.c" || die "failed to build $prog"
done

data_file=$work/data-16MiB.bin
"$work/sha256" -g 16 > "$data_file" || die "failed to generate $data_file"

# The tree for the busybox tar row: TAR_FILES files, 100 per directory
# (tree/dNNN/fNN), file n holds (n % 8 + 1) x 200 bytes of one letter. Written
# with bash builtins only, so making it takes a fraction of a second.
tar_dir=$work/tree
mkdir "$tar_dir" || die "failed to create $tar_dir"
letters=abcdefghijklmnopqrstuvwxyz
for ((n = 0; n < tar_files; n++)); do
    printf -v sub '%s/d%03d' "$tar_dir" $((n / 100))
    printf -v file '%s/f%02d' "$sub" $((n % 100))
    ((n % 100 == 0)) && { mkdir "$sub" || die "failed to create $sub"; }
    printf -v fill '%*s' $(((n % 8 + 1) * 200)) ''
    c=${letters:n % 26:1}
    printf '%s' "${fill// /$c}" > "$file" || die "failed to write $file"
done

# Cross-check our SHA-256 against the system sha256sum on the same stream.
if command -v sha256sum > /dev/null; then
    want=$("$work/sha256" -g 64 | sha256sum | cut -d' ' -f1)
    got=$("$work/sha256" 64 | cut -d' ' -f1)
    if [[ $want != "$got" ]]; then
        echo "!!! sha256.c self-check FAILED: got $got, sha256sum says $want" >&2
        status=1
    fi
fi

# ---------------------------------------------------------------- runners

# The lxemu runners: "lxemu", or "lxemu:MODE" for each LXEMU_SMP_MODES entry.
lxemu_runners=(lxemu)
if ((${#smp_modes[@]})); then
    lxemu_runners=("${smp_modes[@]/#/lxemu:}")
fi

# run_with RUNNER CMD...: run a guest command line natively or under an emulator.
run_with() {
    local runner=$1; shift
    case $runner in
    native)  "${pin[@]}" "$@" ;;
    qemu)    "${pin[@]}" "$qemu" "$@" ;;
    lxemu)   "${pin[@]}" "$lxemu" "${lxemu_args[@]}" "$@" ;;
    lxemu:*) "${pin[@]}" "$lxemu" "--smp=${runner#lxemu:}" "${lxemu_args[@]}" "$@" ;;
    esac
}

runner_available() {
    case $1 in
    native)  return 0 ;;
    qemu)    command -v "$qemu" > /dev/null ;;
    lxemu*)  [[ -x $lxemu ]] || command -v "$lxemu" > /dev/null ;;
    esac
}

# measure RUNNER OUTFILE CMD...
# Runs CMD under RUNNER $reps times; prints the median wall time in seconds,
# or FAILED. stdout of the first run is kept in OUTFILE for comparison;
# stderr of failed runs is kept in OUTFILE.err.
measure() {
    local runner=$1 out=$2; shift 2
    local times=() i t0 t1 rc

    if ! runner_available "$runner"; then
        echo "$runner runner not found" > "$out.err"
        echo FAILED
        return
    fi

    for ((i = 0; i < reps; i++)); do
        t0=$EPOCHREALTIME
        run_with "$runner" "$@" > "$out.$i" 2> "$out.err"
        rc=$?
        t1=$EPOCHREALTIME
        if ((rc != 0)); then
            echo "[exit status $rc]" >> "$out.err"
            echo FAILED
            return
        fi
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
        if [[ $i -gt 0 ]] && ! cmp -s "$out.0" "$out.$i"; then
            echo "output changed between repetitions" > "$out.err"
            echo FAILED
            return
        fi
    done
    mv "$out.0" "$out"
    printf '%s\n' "${times[@]}" | sort -g | awk '{ t[NR] = $1 }
        END { print t[int((NR + 1) / 2)] }'
}

# ratio A B -> A/B with two decimals, or "-" if either is not a number.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) print "-"
        else printf "%.2f\n", a / b }'
}

# ---------------------------------------------------------------- benchmarks

# One array per benchmark holding its guest command line (used through a
# nameref below); names[i] labels the table row for benchmarks[i].
# shellcheck disable=SC2034
{
    cmd_getppid=("$work/getppid" 1000000)
    cmd_sha256=("$work/sha256" 64)
    cmd_busybox=("$busybox" sha256sum "$data_file")
    cmd_mmap=("$work/mmap_cycles" 100000)
    cmd_malloc=("$work/malloc_churn" 2000000)
    cmd_thr_create=("$work/thr_create" 10000)
    cmd_thr_pingpong=("$work/thr_pingpong" 100000)
    cmd_thr_cpu1=("$work/thr_cpu" 1 "$cpu_rounds")
    cmd_thr_cpuN=("$work/thr_cpu" "$cpu_threads" "$cpu_rounds")
    cmd_sig_roundtrip=("$work/sig_roundtrip" 100000)
    cmd_sig_pingpong=("$work/sig_pingpong" 10000)
    cmd_fork_wait1=("$work/fork_wait" "$fork_count" 1)
    cmd_fork_wait64=("$work/fork_wait" "$fork_count" 64)
    cmd_fork_exec=("$work/fork_exec" "$work/true_static" "$exec_count")
    cmd_sh_subshell=("$busybox" sh -c \
        "i=0; while [ \$i -lt $sh_count ]; do (true); i=\$((i+1)); done")
    cmd_pipe_bw=("$work/pipe_bw" "$pipe_mb")
    cmd_pipe_pingpong=("$work/pipe_pingpong" "$pingpong_count")
    cmd_open_fstat=("$work/open_fstat" "$data_file" "$open_count")
    # tar is the process itself (not run from a shell): qemu-x86_64 runs
    # the programs a guest execs natively. The archive goes to stdout, which
    # the driver keeps in a file and compares byte for byte with native's.
    cmd_tar=("$busybox" tar -C "$work" -cf - tree)
}

benchmarks=(cmd_getppid    cmd_sha256       cmd_busybox
            cmd_mmap             cmd_malloc
            cmd_thr_create       cmd_thr_pingpong
            cmd_thr_cpu1         cmd_thr_cpuN
            cmd_sig_roundtrip    cmd_sig_pingpong
            cmd_fork_wait1       cmd_fork_wait64
            cmd_fork_exec        cmd_sh_subshell
            cmd_pipe_bw          cmd_pipe_pingpong
            cmd_open_fstat       cmd_tar)
names=(     "getppid x1M"  "sha256.c 64MiB" "busybox sha256 16MiB"
            "mmap 64KiB x100k"   "malloc churn x2M"
            "thread create x10k" "mutex pingpong x100k"
            "cpu work 1 thread"  "cpu work $cpu_threads threads"
            "signal raise x100k" "signal pingpong x10k"
            "fork+exit+wait x$fork_count (1 MiB)" "fork+exit+wait x$fork_count (64 MiB)"
            "fork+exec+wait x$exec_count" "busybox sh subshell x$sh_count"
            "pipe ${pipe_mb} MiB in 64 KiB writes" "pipe pingpong x$pingpong_count"
            "open+fstat+close x$open_count" "busybox tar c $tar_files files")

echo "runners: native, $qemu, $lxemu ${lxemu_args[*]}  (median of $reps runs, seconds)"
((${#pin[@]})) && echo "every run pinned: ${pin[*]}"
((${#smp_modes[@]})) && echo "lxemu modes: ${smp_modes[*]} (one row each, --smp=MODE)"
echo

row() { printf '%-38s %9s %9s %9s %9s %9s %9s\n' "$@"; }
row benchmark native qemu lxemu qemu/nat lxemu/nat lxemu/qemu
row --------- ------ ---- ----- -------- --------- ----------

notes=()
declare -A t
declare -A cpu_t        # thr_cpu times: cpu_t[RUNNER,1] and cpu_t[RUNNER,N]
for idx in "${!benchmarks[@]}"; do
    name=${names[$idx]}
    [[ -n $filter && ! $name =~ $filter ]] && continue
    declare -n cmd=${benchmarks[$idx]}
    t=()
    for runner in native qemu "${lxemu_runners[@]}"; do
        out="$work/out.$idx.$runner"
        t[$runner]=$(measure "$runner" "$out" "${cmd[@]}")

        if [[ ${t[$runner]} == FAILED ]]; then
            notes+=("$name [$runner] FAILED: $(head -c 300 "$out.err" | tr '\n' ' ')")
            [[ $runner == native ]] && status=1
        elif [[ $runner != native && -f "$work/out.$idx.native" ]] &&
             ! cmp -s "$work/out.$idx.native" "$out"; then
            t[$runner]=MISMATCH
            notes+=("$name [$runner] OUTPUT MISMATCH vs native:"
                    "    native: $(head -c 200 "$work/out.$idx.native" | tr -c '[:print:]\n' .)"
                    "    $runner: $(head -c 200 "$out" | tr -c '[:print:]\n' .)")
            status=1
        fi
    done
    for runner in "${lxemu_runners[@]}"; do
        label=$name
        [[ $runner == lxemu:* ]] && label="$name [${runner#lxemu:}]"
        row "$label" "${t[native]}" "${t[qemu]}" "${t[$runner]}" \
            "$(ratio "${t[qemu]}" "${t[native]}")" \
            "$(ratio "${t[$runner]}" "${t[native]}")" \
            "$(ratio "${t[$runner]}" "${t[qemu]}")"
    done
    case ${benchmarks[$idx]} in
    cmd_thr_cpu1) for r in "${!t[@]}"; do cpu_t[$r,1]=${t[$r]}; done ;;
    cmd_thr_cpuN) for r in "${!t[@]}"; do cpu_t[$r,N]=${t[$r]}; done ;;
    esac
    unset -n cmd
done

# Speed-up of N threads over 1: each thread does the same work, so N threads
# on N idle cores take t(1) (speed-up N) and threads taking turns N x t(1) (1).
if [[ -n ${cpu_t[native,1]:-} && -n ${cpu_t[native,N]:-} ]]; then
    echo
    echo "cpu work: speed-up of $cpu_threads threads over 1 = $cpu_threads x t(1) / t($cpu_threads)" \
         "(ideal $cpu_threads on $cpu_threads idle cores, 1 = taking turns; $(nproc) host cores)"
    for runner in native qemu "${lxemu_runners[@]}"; do
        printf '  %-16s t(1) %9s   t(%s) %9s   speed-up %s\n' "$runner" \
            "${cpu_t[$runner,1]}" "$cpu_threads" "${cpu_t[$runner,N]}" \
            "$(awk -v a="${cpu_t[$runner,1]}" -v b="${cpu_t[$runner,N]}" -v n="$cpu_threads" 'BEGIN {
                if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) print "-"
                else printf "%.2f\n", n * a / b }')"
    done
fi

if ((${#notes[@]})); then
    echo
    echo "!!! problems:"
    printf '  %s\n' "${notes[@]}"
fi

exit "$status"
