#!/usr/bin/env bash
# Installs the Debian packages Concord builds and runs with, and the browser
# tests' npm package (tests/browser); with --tests also the PostgreSQL server
# the tests start clusters of (deploy/test.sh passes it). Safe to re-run: it skips apt-get entirely
# when every package is already present, and npm when node_modules is current.
# 安装 Concord 所需的 Debian 软件包及浏览器测试的 npm 依赖（可重复运行）。
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git sqlite3 curl clang-format
  libzmq3-dev cppzmq-dev
  libprotobuf-dev protobuf-compiler
  libsqlite3-dev
  # The shared store ([store] kind = "postgresql"): libpq to build with. The
  # server only with --tests (below): the quick start runs on SQLite.
  libpq-dev
  libboost-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsodium-dev libjemalloc-dev libicu-dev libssl-dev openssl
  libabsl-dev
  libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev nlohmann-json3-dev
  # The package tests (ctest -L package): systemd-analyze, ip, pgrep, adduser,
  # systemd-nspawn (a container booted with systemd as PID 1), debootstrap (a
  # clean Debian 12 to install the packages on).
  systemd systemd-container debootstrap iproute2 procps adduser
  # The browser tests (tests/browser): Debian's chromium driven by playwright-core
  # from npm, and a CJK font (without one the screenshots show boxes for Chinese).
  chromium fonts-noto-cjk
)
# --tests (deploy/test.sh): PostgreSQL's server too, for the tests that start
# a cluster of their own (initdb in a temporary folder; tests/support/pg_server.h).
if [ "${1:-}" = "--tests" ]; then
  packages+=(postgresql)
fi
# Node.js and npm for the browser tests: Debian's, unless a node with its npm is
# already there (NodeSource's nodejs bundles npm and conflicts with Debian's npm).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "安装依赖 / installing: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# playwright-core for the browser tests, exactly as tests/browser/package-lock.json
# pins it (it downloads no browser). npm writes node_modules/.package-lock.json
# last on every install: a lock file newer than it means node_modules is stale.
browser_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
npm_done=0
if [ ! -f "$browser_dir/node_modules/playwright-core/package.json" ] ||
  [ ! -f "$browser_dir/node_modules/.package-lock.json" ] ||
  [ "$browser_dir/package-lock.json" -nt "$browser_dir/node_modules/.package-lock.json" ]; then
  echo "安装浏览器测试依赖 / npm ci in tests/browser (playwright-core)"
  (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error)
  npm_done=1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "警告 / warning: node $(node --version 2>/dev/null || echo missing) is older than 20, which playwright-core needs: the browser tests (ctest -L browser) will fail" >&2
fi

if [ ${#missing[@]} -eq 0 ] && [ $npm_done -eq 0 ]; then
  echo "依赖已齐全 / all dependencies present"
fi
