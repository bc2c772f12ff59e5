# Sourced by the package tests (tests/deploy/package_*_test.sh), inside their
# private mount namespace, as root:
#   overlay_root LOWER WORK
# mounts an overlay of LOWER at WORK/root (writes go to WORK/upper; the
# mount goes with the namespace) and sets R to it;
#   boot_container ROOT CONSOLE_LOG NAME
# boots ROOT with systemd as PID 1 (systemd-nspawn --boot --private-network)
# and waits up to 30 s for systemd to be running; sets CONTAINER_LEADER (its
# PID 1, for `nsenter -t "$CONTAINER_LEADER" -a ...`) and CONTAINER_STATE.
# An EXIT trap powers the container off (SIGKILL after 20 s) and unmounts ROOT.

overlay_root() {
  R="$2/root"
  mkdir -p "$2/upper" "$2/ovl-work" "$R"
  mount --make-rprivate /
  mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/ovl-work" "$R"
}

stop_container() {
  if kill -0 "$CONTAINER_NSPAWN" 2>/dev/null; then
    kill -TERM "$CONTAINER_NSPAWN" 2>/dev/null || true  # systemd-nspawn powers it off
    for _ in $(seq 100); do kill -0 "$CONTAINER_NSPAWN" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$CONTAINER_NSPAWN" 2>/dev/null || true
  fi
  wait "$CONTAINER_NSPAWN" 2>/dev/null || true
  umount -l "$CONTAINER_ROOT" 2>/dev/null || true
}

boot_container() {
  CONTAINER_ROOT="$1"
  local log="$2" name="$3"
  systemd-nspawn -D "$CONTAINER_ROOT" --boot --private-network --register=no --keep-unit -q \
    --machine "$name" >"$log" 2>&1 &
  CONTAINER_NSPAWN=$!
  trap stop_container EXIT
  CONTAINER_LEADER=""
  CONTAINER_STATE=""
  for _ in $(seq 150); do
    CONTAINER_LEADER=$(pgrep -P "$CONTAINER_NSPAWN" -x systemd || true)
    if [ -n "$CONTAINER_LEADER" ]; then
      CONTAINER_STATE=$(nsenter -t "$CONTAINER_LEADER" -a systemctl is-system-running 2>/dev/null || true)
      case "$CONTAINER_STATE" in running|degraded) return 0 ;; esac
    fi
    sleep 0.2
  done
  [ -n "$CONTAINER_LEADER" ] || { echo "FAIL: no systemd in the container: $(tail -20 "$log")" >&2; exit 1; }
}
