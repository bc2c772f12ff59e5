#!/usr/bin/env bash
# Installs the Debian packages Concord builds and runs with. Safe to re-run:
# it skips apt-get entirely when every package is already present.
# 安装 Concord 所需的 Debian 软件包（可重复运行）。
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git sqlite3 curl clang-format
  libzmq3-dev cppzmq-dev
  libprotobuf-dev protobuf-compiler
  libsqlite3-dev
  libboost-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsodium-dev libjemalloc-dev libicu-dev
  libabsl-dev
  libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev nlohmann-json3-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "依赖已齐全 / all dependencies present"
  exit 0
fi

echo "安装依赖 / installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
