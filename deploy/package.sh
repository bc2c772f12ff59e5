#!/usr/bin/env bash
# Builds the Debian packages into build/packages (or $CONCORD_PACKAGE_DIR):
# concord-hub, concord-adapter, concord-agents, concord-tools (CPack, see
# deploy/CMakeLists.txt). Builds the binaries first unless --no-build.
#   deploy/package.sh            then: dpkg -i build/packages/concord-hub_*.deb ...
# 构建 Debian 安装包（输出到 build/packages）。
set -euo pipefail
source "$(dirname "$0")/common.sh"
OUT="${CONCORD_PACKAGE_DIR:-$BUILD_DIR/packages}"
if [ "${1:-}" != --no-build ]; then
  [ -f "$BUILD_DIR/CMakeCache.txt" ] ||
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake -S "$ROOT" -B "$BUILD_DIR" >/dev/null
  ninja -C "$BUILD_DIR" concord-hub concord-adapter concord-aid-agent concord-ledger-agent \
    concord-risk-agent concord-conference-agent concordctl
fi
mkdir -p "$OUT"
rm -f "$OUT"/concord-*.deb
cpack --config "$BUILD_DIR/CPackConfig.cmake" -B "$OUT" >"$OUT/cpack.log" 2>&1 || {
  cat "$OUT/cpack.log" >&2
  echo "打包失败 / cpack failed (log above)" >&2
  exit 1
}
rm -rf "$OUT/_CPack_Packages"
ls -1 "$OUT"/concord-*.deb
