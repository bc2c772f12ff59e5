#!/usr/bin/env bash
# Installs what is needed, builds everything with warnings as errors and runs
# every test through ctest (unit, integration and fault tests, the benchmark
# smoke runs, the format and floors checks); then builds the unit tests with
# AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/ and runs
# them there: any sanitizer report fails the run. CONCORD_SANITIZE_TESTS=0
# skips that second part (a developer's quick run; CI always runs it).
# 安装依赖、编译（警告即错误）并通过 ctest 运行全部测试，再以 ASan/UBSan 运行单元测试。
set -euo pipefail
source "$(dirname "$0")/common.sh"
"$ROOT/deploy/install-deps.sh" --tests
build_concord -DCONCORD_WERROR=ON
(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 900 -j "${CONCORD_TEST_JOBS:-2}")

if [ "${CONCORD_SANITIZE_TESTS:-1}" != 0 ]; then
  ASAN_DIR="${CONCORD_ASAN_BUILD_DIR:-$ROOT/build-asan}"
  echo "== 单元测试 ASan + UBSan / unit tests under AddressSanitizer and UndefinedBehaviorSanitizer ($ASAN_DIR)"
  # -O1 -g1: half the compile time of -O2 -g, and still line numbers in every report.
  # float-cast-overflow: not part of GCC's "undefined" (a double too big for
  # the integer it is cast to; the TOML fuzzer found one under clang).
  cmake -S "$ROOT" -B "$ASAN_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DCONCORD_WERROR=ON -DCONCORD_SANITIZE=address,undefined,float-cast-overflow >/dev/null
  ninja -C "$ASAN_DIR" -j "$(nproc)" unit_tests
  cd "$ASAN_DIR"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --output-on-failure --timeout 900 -j "${CONCORD_TEST_JOBS:-2}" -L unit
fi
