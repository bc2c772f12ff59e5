#!/usr/bin/env bash
# Long fuzz runs (issue 16): builds the fuzz targets of tests/fuzz/ with
# clang and libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer in
# build-fuzz/ (only the targets and what they link), runs each from a copy
# of its seed corpus, and prints per target the executions, executions per
# second, coverage (libFuzzer's cov: edges and ft: features at the end) and
# the crashes, timeouts and out-of-memory inputs it saved.
# 模糊测试长跑：以 clang + libFuzzer 编译 tests/fuzz 的目标并逐个运行。
#
#   bench/fuzz.sh                      # 10,000,000 executions per target
#   CONCORD_FUZZ_RUNS=1000000 bench/fuzz.sh frame http
#
# Environment: CONCORD_FUZZ_RUNS (executions per target, default 10000000);
# CONCORD_FUZZ_MAX_SECONDS (a cap on each run's time, default none: the
# summary says how many executions were made); CONCORD_FUZZ_PARALLEL=1 (the
# targets at once rather than one after another); CONCORD_FUZZ_BUILD_DIR
# (default build-fuzz); CONCORD_FUZZ_JOBS (build jobs, default 2);
# CONCORD_FUZZ_CXX (default clang++-14). Arguments: the targets to run
# (frame csv json toml http by default).
# Each run works in <build>/fuzz-work/<target>/: corpus/ (the seeds and what
# libFuzzer added), log, and any crash-*, timeout-*, oom-* input. A saved
# input replays with `<build>/bin/<target>_fuzz <file>`; copy it to
# tests/fuzz/corpus/<target>/ once fixed, so the CI run keeps it.
# Exit status: 1 when any target saved a crash, timeout or oom input.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${CONCORD_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
RUNS="${CONCORD_FUZZ_RUNS:-10000000}"
MAX_SECONDS="${CONCORD_FUZZ_MAX_SECONDS:-0}"
JOBS="${CONCORD_FUZZ_JOBS:-2}"
CXX_BIN="${CONCORD_FUZZ_CXX:-clang++-14}"
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(frame csv json toml http)

export CCACHE_BASEDIR="$ROOT"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$CXX_BIN" -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" \
  -DCONCORD_SANITIZE=address,undefined -DCONCORD_FUZZ=ON -DCONCORD_WERROR=OFF >/dev/null
ninja -C "$BUILD" -j "$JOBS" "${TARGETS[@]/%/_fuzz}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# run_one TARGET: one libFuzzer run in its own folder, from a copy of the seeds.
run_one() {
  local t=$1 work="$BUILD/fuzz-work/$1"
  rm -rf "$work"
  mkdir -p "$work/corpus"
  cp "$ROOT/tests/fuzz/corpus/$t/"* "$work/corpus/"
  echo "== $t: $RUNS executions ($work/log, from $(date -u +%H:%M:%S))"
  local rc=0
  (cd "$work" && "$BUILD/bin/${t}_fuzz" -runs="$RUNS" -max_total_time="$MAX_SECONDS" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 corpus >log 2>&1) || rc=$?
  echo "$rc" >"$work/rc"
}

if [ "${CONCORD_FUZZ_PARALLEL:-0}" = 1 ]; then
  for t in "${TARGETS[@]}"; do run_one "$t" & done
  wait
else
  for t in "${TARGETS[@]}"; do run_one "$t"; done
fi

status=0
summary=()
for t in "${TARGETS[@]}"; do
  work="$BUILD/fuzz-work/$t"
  rc=$(cat "$work/rc")
  # libFuzzer's last status line: "#N  DONE|pulse|NEW  cov: C ft: F corp: ..."
  last=$(grep -E '^#[0-9]+' "$work/log" | tail -1 || true)
  # (grep finds nothing in the log of a run that crashed: '|| true', then '?')
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/log" | grep -oE '[0-9]+$' || true)
  speed=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$work/log" | grep -oE '[0-9]+$' || true)
  cov=$(echo "$last" | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+' || true)
  ft=$(echo "$last" | grep -oE 'ft: [0-9]+' | grep -oE '[0-9]+' || true)
  secs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$work/log" | grep -oE '[0-9]+ second' |
    grep -oE '[0-9]+' || true)
  corp=$(ls "$work/corpus" | wc -l)
  crashes=$(find "$work" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \
    -o -name 'leak-*' \) | wc -l)
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    status=1
    echo "== $t: exit $rc"
    grep -E 'ERROR|SUMMARY' "$work/log" | head -5 || true
  fi
  summary+=("$(printf '%-6s %12s %8s %9s %7s %7s %6s %8s' "$t" "${execs:-?}" "${secs:-?}" \
    "${speed:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$crashes")")
done

echo
printf '%-6s %12s %8s %9s %7s %7s %6s %8s\n' target execs seconds exec/s cov ft corpus crashes
printf '%s\n' "${summary[@]}"
exit $status
