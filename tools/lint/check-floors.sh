#!/usr/bin/env bash
# The floors (docs/architecture.md): every include points down. Prints each
# include that points up or sideways, with its file and line; exit 1 if any.
# 分层检查：只允许向下层引用。
#
#   proto  <-  common  <-  domain  <-  hub (transport, audit, registry, broker, client)
#          <-  agents (runtime, then one folder per agent)  /  adapters  <-  tools
# common knows no ZeroMQ and no law; domain knows no bus; hub knows no law;
# an agent includes only its own folder and agents/runtime; agents and
# adapters never include each other; only tests and bench include tests/.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
bad=0

# forbid FOLDER PATTERN WHY: no file under FOLDER may include a path matching PATTERN.
forbid() {
  local folder=$1 pattern=$2 why=$3 hits
  [ -d "$folder" ] || return 0
  hits=$(grep -rnE --include='*.h' --include='*.cc' "^#include \"($pattern)" "$folder" || true)
  if [ -n "$hits" ]; then
    echo "$hits" | sed "s|\$|   <- $why|"
    bad=1
  fi
}

forbid common 'domain/|hub/|agents/|adapters/|tools/|bench/|tests/' \
  "common/ 是最底层 / common is the ground floor"
forbid domain 'hub/|agents/|adapters/|tools/|bench/|tests/' \
  "domain/ 不依赖总线与各代理 / the domain knows no bus, agent or adapter"
forbid hub 'domain/|agents/|adapters/|tools/|bench/|tests/' \
  "hub/ 只做传输 / the hub is transport only"
# Inside the hub: the broker and the client share transport, never each other.
forbid hub/transport 'hub/(audit|registry|broker|client)/' "传输层在枢纽最底层 / transport is the hub's ground"
forbid hub/audit 'hub/(registry|broker|client)/' "审计链独立 / the audit chain stands alone"
forbid hub/registry 'hub/(audit|broker|client)/' "登记表独立 / the registry stands alone"
forbid hub/client 'hub/(audit|registry|broker)/' "客户端不引用代理服务器 / the client knows no broker"
forbid hub/broker 'hub/client/' "代理服务器不引用客户端 / the broker knows no client"
forbid adapters 'agents/|tools/|bench/|tests/' \
  "适配器不引用代理 / an adapter links the domain and the client, never an agent"
forbid agents/runtime 'agents/(aid|ledger|risk|conference)/|adapters/|tools/|bench/|tests/' \
  "代理骨架不认识具体代理 / the runtime knows no agent"
for agent in agents/*/; do
  name=$(basename "$agent")
  [ "$name" = runtime ] && continue
  others=$(ls -d agents/*/ | xargs -n1 basename | grep -vx -e "$name" -e runtime | paste -sd'|')
  forbid "$agent" "agents/($others)/|adapters/|tools/|bench/|tests/" \
    "代理之间不互相引用 / an agent includes its own folder and agents/runtime only"
done
forbid tools 'bench/|tests/' "工具不引用测试 / tools never include tests or benchmarks"

if [ $bad -eq 0 ]; then echo "分层正确 / every include points down"; fi
exit $bad
