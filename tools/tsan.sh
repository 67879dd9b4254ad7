#!/usr/bin/env bash
# Builds lxemu with ThreadSanitizer (-DLXEMU_TSAN=ON) and runs the unit tests
# and the thread guest tests under it. Any TSan report fails its test: the run
# exits 66 (a unit test fails) or prints the report on lxemu's stderr, which
# run-diff.sh compares with the native run's (a guest test fails).
#
# usage: tools/tsan.sh [--ci] [BUILD_DIR] [-- CTEST_ARGS...]
#   --ci        the subset CI runs (see CI_REGEX below) instead of the full set
#   BUILD_DIR   default: build-tsan in the repo root
# Only lxemu is instrumented; libunicorn is not. tools/tsan.supp is for reports
# whose stacks lie entirely inside such a library (none so far), never lxemu's.
# Exit status: 0 if every test passed, 1 otherwise (the failed tests are listed).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# The unit tests and every guest test whose lxemu runs more than one host
# thread: the thread guests (in parallel and taking turns), the --stop-storm
# runs, the signal guests (the signal forwarder and the timer thread).
FULL_REGEX='^unit\.|^guest\.(thr_|smp-|stopstorm-|sig_|proc_|pipe_|fd_|sock_)'
# CI (2 cores): the unit tests, every thread test built with musl (the glibc
# builds take 2-5 times as long under TSan), one run in the other --smp mode
# and one --stop-storm run, and the signal guests that cross threads.
CI_REGEX='^unit\.|^guest\.thr_[^.]+\.musl$|^guest\.smp-[a-z]+-thr_futex\.musl$|^guest\.stopstorm-hash\.musl$|^guest\.sig_(thread|timer|signalfd|wait)\.musl$|^guest\.proc_(fork|wait|exec)\.musl$|^guest\.(pipe_ring|fd_poll|fd_share|fd_epoll|sock_unix)\.musl$'

regex=$FULL_REGEX
if [ "${1:-}" = "--ci" ]; then
  regex=$CI_REGEX
  shift
fi
build=$root/build-tsan
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  build=$1
  shift
fi
[ "${1:-}" = "--" ] && shift

"$root/tools/setup.sh" "$build" -DLXEMU_TSAN=ON -DLXEMU_SANITIZE=OFF

export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 \
suppressions=$root/tools/tsan.supp ${TSAN_OPTIONS:-}"

# TSan's shadow layout needs the host's mmap randomization within what this
# libtsan knows ("unexpected memory mapping" on kernels with large
# vm.mmap_rnd_bits): if a trial run aborts so, run everything with ASLR off.
# Guest programs see no difference: lxemu lays guest memory out itself.
wrap=()
probe=$build/tests/unit/test_syscall_table
if ! "$probe" >/dev/null 2>"$build/tsan-probe.err"; then
  grep -q "unexpected memory mapping" "$build/tsan-probe.err" && wrap=(setarch "$(uname -m)" -R)
  if ((${#wrap[@]} == 0)) || ! "${wrap[@]}" "$probe" >/dev/null 2>"$build/tsan-probe.err"; then
    echo "tsan: $probe does not run under TSan:" >&2
    cat "$build/tsan-probe.err" >&2
    echo "tsan: (if TSan cannot map its shadow: sudo sysctl vm.mmap_rnd_bits=28)" >&2
    exit 1
  fi
  echo "tsan: running with ASLR off (setarch -R): TSan needs it on this kernel"
fi

cd "$build"
start=$SECONDS
status=0
"${wrap[@]}" ctest --output-on-failure -j"$(nproc)" -R "$regex" "$@" || status=1
echo "tsan: $((SECONDS - start)) s, tests matching '$regex'"
if [ $status -ne 0 ]; then
  failed=Testing/Temporary/LastTestsFailed.log
  echo "tsan: FAILED:"
  [ -f "$failed" ] && sed 's/^[0-9]*:/  /' "$failed"
  # Which failures are TSan reports (LastTest.log holds every test's output).
  awk '/^[0-9]+\/[0-9]+ Testing: / { name = $3 }
       /WARNING: ThreadSanitizer|ERROR: ThreadSanitizer/ && name != "" {
         print "  " name ": ThreadSanitizer report"; name = "" }' \
      Testing/Temporary/LastTest.log
fi
exit $status
