#!/usr/bin/env bash
# The Debian packages on a clean Debian 12 (run by package_test.cc as root):
#   package_clean_test.sh WORK_DIR      (CONCORD_BUILD_DIR: the built tree)
# 1. deploy/package.sh --no-build makes the .debs into WORK_DIR/packages;
# 2. a minimal Debian 12 (debootstrap --variant=minbase bookworm, with
#    systemd) from Debian's mirror, kept in CONCORD_BUILD_DIR/test-cache/
#    for the next run; an overlay on it takes this run's writes;
# 3. in it: `apt-get install ./concord-*.deb`, which must find every library
#    the packages depend on in Debian 12 itself (a missing Depends fails
#    here, not on an agency's machine);
# 4. booted with systemd as PID 1 (systemd-nspawn --boot --private-network):
#    the hub enrolled and started with `systemctl start concord-hub`, ready;
#    then `apt-get purge` leaves no process, no state and no user.
# Needs Debian's mirror (the one in this machine's apt sources) the first time.
set -euo pipefail
WORK="$1"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/deploy/common.sh"  # BUILD_DIR
PKG="$WORK/packages"
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in debootstrap systemd-nspawn; do
  command -v $tool >/dev/null || fail "$tool missing: deploy/install-deps.sh installs it"
done

echo "== 1. 构建安装包 / cpack"
CONCORD_PACKAGE_DIR="$PKG" "$ROOT/deploy/package.sh" --no-build >"$WORK/cpack.log" 2>&1 ||
  fail "deploy/package.sh: $(tail -20 "$WORK/cpack.log")"

echo "== 2. 干净的 Debian 12 / a clean Debian 12"
CACHE="$BUILD_DIR/test-cache"
BASE="$CACHE/debian12-minbase"
if [ ! -x "$BASE/usr/bin/apt-get" ]; then
  mirror=$(sed -n -E 's/^URIs: *(http[^ ]*\/debian)\/?$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror=${mirror:-http://deb.debian.org/debian}
  mkdir -p "$CACHE"
  rm -rf "$BASE.partial"
  start=$(date +%s)
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,curl bookworm \
    "$BASE.partial" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    fail "debootstrap bookworm from $mirror: $(tail -15 "$WORK/debootstrap.log")"
  mv "$BASE.partial" "$BASE"
  echo "debootstrap: $(( $(date +%s) - start )) s, $(du -sh "$BASE" | cut -f1)"
else
  echo "cached: $BASE"
fi

unshare --mount --fork bash -euo pipefail -s -- "$WORK" "$BASE" "$ROOT" <<'OUTER'
WORK="$1"
BASE="$2"
source "$3/tests/deploy/container.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
overlay_root "$BASE" "$WORK"
[ ! -e "$R/usr/bin/concord-hub" ] || fail "the clean root has concord in it"
mkdir -p "$R/root/debs"
cp "$WORK"/packages/concord-*.deb "$R/root/debs/"
cp /etc/resolv.conf "$R/etc/resolv.conf"

echo "== 3. apt-get install（依赖取自 Debian 12）/ dependencies from Debian 12 only"
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
chroot "$R" /bin/bash -euo pipefail -c '
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/root/apt-update.log 2>&1 || { tail -20 /root/apt-update.log; exit 1; }
  apt-get install -y -q --no-install-recommends /root/debs/concord-*.deb >/root/apt.log 2>&1 ||
    { tail -30 /root/apt.log; exit 1; }
  grep -E "^(Setting up|Unpacking) " /root/apt.log | grep -c . | sed "s/^/packages unpacked or set up: /"
  for b in concord-hub concord-adapter concord-aid-agent concord-ledger-agent concord-risk-agent \
           concord-conference-agent concordctl; do
    /usr/bin/$b --version >/dev/null || { echo "$b does not run on a clean Debian 12"; exit 1; }
  done' || fail "apt-get install on the clean Debian 12"
umount -l "$R/dev" "$R/proc"
echo "installed; every binary runs"

echo "== 4. systemd"
boot_container "$R" "$WORK/console.log" "concord-clean-$$"
nsenter -t "$CONTAINER_LEADER" -a /bin/bash -euo pipefail -s <<'INNER'
fail() { echo "FAIL: $*" >&2; journalctl --no-pager -n 40 -u 'concord-*' >&2 || true; exit 1; }
concordctl district init --dir /etc/concord --district nanshan --display 南山区 --agents \
  >/root/district.out || fail "district init"
timeout 60 systemctl start concord-hub || fail "systemctl start concord-hub"
timeout 60 systemctl start concord-ledger-agent || fail "systemctl start concord-ledger-agent"
# READY=1 comes once the agent started; /readyz also wants the hub's session,
# which follows within moments: wait for it (up to 10 s), as the systemd test does.
for _ in $(seq 100); do
  ready=$(curl -s http://127.0.0.1:7191/readyz || true)
  [[ $ready == *'"ready":true'* ]] && break
  sleep 0.1
done
[[ $ready == *'"ready":true'* ]] || fail "ledger agent /readyz: $ready"
echo "hub and ledger agent started by systemd on a clean Debian 12: $ready"
uid=$(id -u concord)
apt-get purge -y -q concord-adapter concord-agents concord-hub concord-tools >/root/purge.log 2>&1 ||
  fail "apt-get purge: $(tail -20 /root/purge.log)"
left=$(ps -eo uid=,comm= | awk -v u="$uid" '$1 == u || $2 ~ /^concord/' || true)
[ -z "$left" ] || fail "left after purge: $left"
[ ! -e /var/lib/concord ] || fail "/var/lib/concord left after purge"
! getent passwd concord >/dev/null || fail "user concord left after purge"
echo "purged: no process, no /var/lib/concord, no user"
INNER
OUTER
echo "PASS"
