#!/usr/bin/env bash
# The Debian packages under a real systemd (run by package_test.cc as root):
#   package_systemd_test.sh WORK_DIR      (CONCORD_BUILD_DIR: the built tree)
# 1. deploy/package.sh --no-build makes the .debs into WORK_DIR/packages;
# 2. an overlay of / (writes go to WORK_DIR/upper, in a private mount
#    namespace) with no concord in it is booted with systemd as PID 1 in a
#    container of its own (systemd-nspawn --boot --private-network);
# 3. inside it, as docs/operations.md tells an IT officer: `apt-get install`
#    of the four packages, `concordctl district init --agents` over the
#    installed examples for district beihu (not the examples' shangzhou: no
#    file may name it after), `concordctl agency init --agencies` for one
#    agency with the printed `keys add` line run at the hub; then
#    `systemctl start` of every unit (Type=notify: it returns once the daemon
#    said READY=1), /readyz of each, the console over HTTPS and its first
#    account, journald fields, a SIGKILLed hub brought
#    back by Restart=on-failure, and `apt-get purge`, after which no process,
#    no state and no user of concord is left;
# 4. the container is powered off and the overlay removed.
set -euo pipefail
WORK="$1"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PKG="$WORK/packages"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v systemd-nspawn >/dev/null || fail "systemd-nspawn missing: deploy/install-deps.sh installs systemd-container"

echo "== 1. 构建安装包 / cpack"
CONCORD_PACKAGE_DIR="$PKG" "$ROOT/deploy/package.sh" --no-build >"$WORK/cpack.log" 2>&1 ||
  fail "deploy/package.sh: $(tail -20 "$WORK/cpack.log")"
debs=("$PKG"/concord-*.deb)
[ ${#debs[@]} = 4 ] || fail "expected 4 packages, got ${#debs[@]}"

echo "== 2. 启动容器 / boot systemd in a container"
unshare --mount --fork bash -euo pipefail -s -- "$WORK" "$ROOT" <<'OUTER'
WORK="$1"
source "$2/tests/deploy/container.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
overlay_root / "$WORK"
# This root is a copy of the build machine: start from no concord at all, and
# boot nothing of the machine's own services (a database server, timers).
chroot "$R" /bin/sh -c 'dpkg --purge concord-hub concord-adapter concord-agents concord-tools >/dev/null 2>&1;
  userdel concord >/dev/null 2>&1; rm -rf /etc/concord /var/lib/concord; true'
rm -rf "$R"/etc/systemd/system/multi-user.target.wants/* "$R"/etc/systemd/system/timers.target.wants/*
mkdir -p "$R/root/debs"
cp "$WORK"/packages/concord-*.deb "$R/root/debs/"

boot_container "$R" "$WORK/console.log" "concord-pkg-$$"
echo "systemd up in the container (state $CONTAINER_STATE)"

echo "== 3. 安装、登记、启动、卸载 / install, enrol, start, purge"
nsenter -t "$CONTAINER_LEADER" -a /bin/bash -euo pipefail -s <<'INNER'
fail() { echo "FAIL: $*" >&2; journalctl --no-pager -n 60 -u 'concord-*' >&2 || true; exit 1; }
# GET on 127.0.0.1:PORT (bash's /dev/tcp: nothing else needed in the root).
http_get() {
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  cat <&3
  exec 3<&-
}
[ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is $(cat /proc/1/comm), not systemd"

export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q /root/debs/concord-*.deb >/root/apt.log 2>&1 ||
  fail "apt-get install: $(tail -20 /root/apt.log)"
for u in concord-hub concord-ledger-agent concord-aid-agent concord-risk-agent concord-conference-agent; do
  [ "$(systemctl is-enabled $u)" = enabled ] || fail "$u not enabled by the package"
  ! systemctl is-active -q $u || fail "$u started before enrolment"
done

# At the hub machine (docs/operations.md 3.1), over the installed examples,
# for a district that is not the examples' (names come from config), with
# the four agents on this machine (their keys, configs and registry entries).
concordctl district init --dir /etc/concord --district beihu --display 北湖区 \
  --endpoint tcp://0.0.0.0:7100 --agents >/root/district.out || fail "district init"
grep -q '^secret_key = "keys/hub.key"' /etc/concord/hub.toml || fail "hub.toml not written"
for k in ledger aid risk conference; do
  grep -q "^name = \"beihu.agent.$k\"" /etc/concord/$k.toml || fail "$k.toml not for beihu"
  grep -q "^name = \"beihu.agent.$k\"" /etc/concord/registry.toml || fail "beihu.agent.$k not added"
done
# One agency (3.2), here on the same machine: only its public key and the
# keys add line come out; the hub officer runs that line (3.3).
# Its name, roles and the district's other agencies come from agencies.txt
# (district init wrote it); its console gets a self-signed certificate.
concordctl aid keygen --out /etc/concord/keys/linkage.key >/dev/null
concordctl agency init --dir /etc/concord --name beihu.court --agencies /etc/concord/agencies.txt \
  --hub tcp://127.0.0.1:7100 --hub-key /etc/concord/keys/hub.pub --linkage-key keys/linkage.key \
  --console-host 127.0.0.1:8443 >/root/court.out 2>/dev/null || fail "agency init"
[ "$(wc -l </root/court.out)" = 2 ] || fail "agency init printed: $(cat /root/court.out)"
eval "$(sed -n 2p /root/court.out)" >/dev/null || fail "keys add: $(sed -n 2p /root/court.out)"
! grep -l shangzhou /etc/concord/*.toml || fail "the examples' district is left in the files above"
grep -q -- '--roles agency,court,aid_grantor' /root/court.out || fail "roles: $(cat /root/court.out)"
for k in hub ledger aid risk conference court console linkage; do
  [ "$(stat -c %U:%G:%a /etc/concord/keys/$k.key)" = root:concord:640 ] ||
    fail "keys/$k.key is $(stat -c %U:%G:%a /etc/concord/keys/$k.key), not root:concord:640"
done

# Every unit, started by systemd as the package installed it.
units=(concord-hub concord-ledger-agent concord-aid-agent concord-risk-agent
       concord-conference-agent concord-adapter@court)
for u in "${units[@]}"; do
  timeout 60 systemctl start "$u" || fail "systemctl start $u"
  systemctl is-active -q "$u" || fail "$u is $(systemctl is-active $u)"
  [ "$(systemctl show -p User --value "$u")" = concord ] || fail "$u not as user concord"
done
echo "started: ${units[*]}"
# Ready: the hub's database; each daemon's hub connection and database.
for port in 7180 7191 7190 7192 7193 7200; do
  ok=""
  for _ in $(seq 100); do
    if [[ $(http_get $port /readyz 2>/dev/null) == *'"ready":true'* ]]; then ok=1; break; fi
    sleep 0.1
  done
  [ -n "$ok" ] || fail "127.0.0.1:$port/readyz: $(http_get $port /readyz 2>&1 | tail -1)"
done
[[ $(http_get 7200 /readyz) == *'"hub_connected":true'* ]] || fail "court not connected"
echo "every daemon ready"
# The clerks' console over HTTPS, and its first account made as the docs say
# (the admin adds the others in the console); the adapter keeps its files.
[ "$(curl -sk -o /dev/null -w '%{http_code}' https://127.0.0.1:8443/login)" = 200 ] ||
  fail "console: GET https://127.0.0.1:8443/login"
printf 'Beihu-2026-admin\n' | concordctl account add --agency-config /etc/concord/court.toml \
  --login admin --name 王管理 --roles admin --password-stdin >/dev/null || fail "account add"
concordctl account list --agency-config /etc/concord/court.toml >/root/accounts.out
grep -q admin /root/accounts.out || fail "account list: $(cat /root/accounts.out)"
owners=$(find /var/lib/concord/court -not -user concord)
[ -z "$owners" ] || fail "files in /var/lib/concord/court not owned by concord: $owners"
[[ $(http_get 7200 /readyz) == *'"ready":true'* ]] || fail "court not ready after account add"
echo "console: HTTPS /login 200, first account admin made"
# Structured journal fields (common/log.h): the agency on every record.
# (Into a file first: grep -q would end the pipe early, journalctl get
# SIGPIPE, and pipefail fail the test.)
journalctl --no-pager -o export -u concord-adapter@court >/root/court.journal
grep -q '^CONCORD_AGENCY=beihu.court$' /root/court.journal ||
  fail "no CONCORD_AGENCY=beihu.court in the journal of concord-adapter@court"
# Hardening the daemon survives, as systemd applied it.
[ "$(systemctl show -p ProtectSystem --value concord-hub)" = strict ] || fail "ProtectSystem"
[ "$(systemctl show -p NoNewPrivileges --value concord-hub)" = yes ] || fail "NoNewPrivileges"

# A hub killed outright is restarted by systemd (Restart=on-failure, 5 s).
old=$(systemctl show -p MainPID --value concord-hub)
kill -KILL "$old"
back=""
for _ in $(seq 300); do
  now=$(systemctl show -p MainPID --value concord-hub)
  if [ "$now" != 0 ] && [ "$now" != "$old" ] && systemctl is-active -q concord-hub; then back=1; break; fi
  sleep 0.1
done
[ -n "$back" ] || fail "hub not restarted after SIGKILL: $(systemctl status --no-pager concord-hub | head -5)"
[ "$(systemctl show -p NRestarts --value concord-hub)" -ge 1 ] || fail "NRestarts"
ok=""
for _ in $(seq 200); do
  if [[ $(http_get 7200 /readyz 2>/dev/null) == *'"hub_connected":true'* ]]; then ok=1; break; fi
  sleep 0.1
done
[ -n "$ok" ] || fail "court did not reconnect to the restarted hub"
echo "hub SIGKILLed: restarted by systemd as pid $now, court reconnected"

uid=$(id -u concord)
apt-get purge -y -q concord-adapter concord-agents concord-hub concord-tools >/root/purge.log 2>&1 ||
  fail "apt-get purge: $(tail -20 /root/purge.log)"
left=$(ps -eo uid=,comm= | awk -v u="$uid" '$1 == u' || true)
[ -z "$left" ] || fail "processes of concord left after purge: $left"
for u in "${units[@]}"; do
  ! systemctl is-active -q "$u" || fail "$u still active after purge"
done
[ ! -e /var/lib/concord ] || fail "/var/lib/concord left after purge"
! getent passwd concord >/dev/null || fail "user concord left after purge"
! ls /etc/concord/*.toml >/dev/null 2>&1 || fail "configs left after purge: $(ls /etc/concord)"
echo "purged: no process, no unit active, no /var/lib/concord, no user"
INNER
echo "== 4. 关机 / power off"
OUTER
echo "PASS"
