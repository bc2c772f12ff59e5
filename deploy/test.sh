#!/usr/bin/env bash
# Installs what is needed, builds everything and runs every test through ctest.
# 安装依赖、编译并通过 ctest 运行全部测试。
set -euo pipefail
source "$(dirname "$0")/common.sh"
"$ROOT/deploy/install-deps.sh"
build_concord
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 900 -j "${CONCORD_TEST_JOBS:-2}"
