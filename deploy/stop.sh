#!/usr/bin/env bash
# Stops the daemons that quickstart.sh started (SIGTERM, then SIGKILL after 5 s).
# 停止快速开始启动的守护进程。
set -uo pipefail
source "$(dirname "$0")/common.sh"
RUN="$DISTRICT_DIR/run"
quiet=0; [ "${1:-}" = "--quiet" ] && quiet=1
[ -d "$RUN" ] || { [ $quiet = 1 ] || echo "没有运行中的守护进程 / nothing to stop"; exit 0; }
stopped=0
for pidfile in "$RUN"/*.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  name="$(basename "$pidfile" .pid)"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    [ $quiet = 1 ] || echo "已停止 / stopped $name ($pid)"
    stopped=$((stopped + 1))
  fi
  rm -f "$pidfile" "$RUN/$name.ready"
done
[ $quiet = 1 ] || echo "共停止 $stopped 个进程 / $stopped stopped"
