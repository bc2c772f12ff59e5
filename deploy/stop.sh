#!/usr/bin/env bash
# Stops the daemons that quickstart.sh started (SIGTERM, then SIGKILL after 5 s).
# Only a process that is still a Concord daemon is signalled (a pid file left
# from before a reboot may name another process by now). Exits non-zero if one
# is still running afterwards: the quick start resets the demo data only after
# they all stopped.
# 停止快速开始启动的守护进程。
set -uo pipefail
source "$(dirname "$0")/common.sh"
RUN="$DISTRICT_DIR/run"
quiet=0; [ "${1:-}" = "--quiet" ] && quiet=1
[ -d "$RUN" ] || { [ $quiet = 1 ] || echo "没有运行中的守护进程 / nothing to stop"; exit 0; }
ours() {  # ours PID: a live (not zombie) concord-* process
  case "$(cat "/proc/$1/comm" 2>/dev/null)" in concord-*) ;; *) return 1 ;; esac
  case "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" in Z*|X*|"") return 1 ;; esac
}
stopped=0; left=0
for pidfile in "$RUN"/*.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  name="$(basename "$pidfile" .pid)"
  if ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do ours "$pid" || break; sleep 0.1; done
    if ours "$pid"; then
      kill -KILL "$pid" 2>/dev/null
      for _ in $(seq 1 20); do ours "$pid" || break; sleep 0.1; done
    fi
    if ours "$pid"; then
      echo "未能停止 / could not stop $name ($pid)" >&2
      left=$((left + 1))
      continue
    fi
    [ $quiet = 1 ] || echo "已停止 / stopped $name ($pid)"
    stopped=$((stopped + 1))
  fi
  rm -f "$pidfile" "$RUN/$name.ready"
done
[ $quiet = 1 ] || echo "共停止 $stopped 个进程 / $stopped stopped"
[ $left = 0 ]
