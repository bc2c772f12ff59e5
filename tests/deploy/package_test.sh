#!/usr/bin/env bash
# The Debian packages, end to end (run by package_test.cc as root):
#   package_test.sh WORK_DIR      (CONCORD_BUILD_DIR: the built tree)
# 1. deploy/package.sh --no-build makes the .debs into WORK_DIR/packages;
# 2. their contents: paths, conffiles, no key files, maintainer scripts that
#    `sh -n` accepts, shared-library Depends;
# 3. `systemd-analyze verify` on every unit, in a root made of the extracted
#    packages and this machine's systemd units (so ExecStart resolves);
# 4. install: in a private mount, pid and network namespace, an overlay of /
#    (writes go to WORK_DIR/upper), chroot, `dpkg -i` every package; the hub
#    starts as user concord with NOTIFY_SOCKET=/run/concord-test/notify
#    (WORK_DIR/sock, read by package_test.cc, which writes ready-seen there on
#    READY=1); `dpkg --purge` must leave no process of concord, no
#    /var/lib/concord and no user concord.
set -euo pipefail
WORK="$1"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PKG="$WORK/packages"
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== 1. 构建安装包 / cpack"
CONCORD_PACKAGE_DIR="$PKG" "$ROOT/deploy/package.sh" --no-build
debs=("$PKG"/concord-*.deb)
[ ${#debs[@]} = 4 ] || fail "expected 4 packages, got ${#debs[@]}: ${debs[*]}"

echo "== 2. 内容 / contents"
# package|paths it must hold|its conffiles
expect=(
  "concord-hub|./usr/bin/concord-hub ./usr/lib/systemd/system/concord-hub.service|/etc/concord/hub.toml /etc/concord/registry.toml /etc/concord/acl.toml"
  "concord-adapter|./usr/bin/concord-adapter ./usr/lib/systemd/system/concord-adapter@.service|/etc/concord/court.toml"
  "concord-agents|./usr/bin/concord-aid-agent ./usr/bin/concord-ledger-agent ./usr/bin/concord-risk-agent ./usr/bin/concord-conference-agent ./usr/lib/systemd/system/concord-aid-agent.service ./usr/lib/systemd/system/concord-ledger-agent.service ./usr/lib/systemd/system/concord-risk-agent.service ./usr/lib/systemd/system/concord-conference-agent.service ./usr/share/concord/calendar/cn-holidays.txt ./usr/share/concord/risk/factors.toml|/etc/concord/ledger.toml /etc/concord/risk.toml /etc/concord/conference.toml /etc/concord/aid.toml"
  "concord-tools|./usr/bin/concordctl|"
)
for e in "${expect[@]}"; do
  IFS='|' read -r name paths conffiles <<<"$e"
  deb=$(ls "$PKG/${name}"_*.deb)
  listing=$(dpkg-deb -c "$deb" | awk '{print $6}')
  for p in $paths; do grep -qx -- "$p" <<<"$listing" || fail "$name lacks $p"; done
  # No secret key, no key folder, nothing outside /usr and /etc/concord.
  if grep -E '\.key$|/keys/|^\./(var|home|root|tmp|opt)/' <<<"$listing"; then fail "$name holds the files above"; fi
  [ "$(dpkg-deb -f "$deb" Package)" = "$name" ] || fail "$deb is not $name"
  depends=$(dpkg-deb -f "$deb" Depends)
  grep -q 'libc6' <<<"$depends" || fail "$name: no shared-library Depends ($depends)"
  ctl="$WORK/control/$name"
  mkdir -p "$ctl"
  dpkg-deb -e "$deb" "$ctl"
  got=""
  [ ! -f "$ctl/conffiles" ] || got=$(sort "$ctl/conffiles" | tr '\n' ' ' | sed 's/ $//')
  want=$(tr ' ' '\n' <<<"$conffiles" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
  [ "$got" = "$want" ] || fail "$name conffiles: got '$got', want '$want'"
  if [ "$name" != concord-tools ]; then
    for s in postinst prerm postrm; do
      [ -x "$ctl/$s" ] || fail "$name has no executable $s"
      sh -n "$ctl/$s" || fail "$name $s: sh -n"
    done
  fi
done
echo "contents OK"

echo "== 3. systemd-analyze verify"
vroot="$WORK/verify"
mkdir -p "$vroot"
for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$vroot"; done
# The example configs name the packages' absolute paths only.
for f in "$vroot"/etc/concord/*.toml; do
  while read -r path; do
    case "$path" in
      /var/lib/concord/*) ;;
      /usr/share/concord/*) [ -f "$vroot$path" ] || fail "$f names $path, which no package holds" ;;
      *) fail "$f: data_dir/drop_dir/calendar/factors $path is not under /var/lib/concord or /usr/share/concord" ;;
    esac
  done < <(sed -n -E 's/^(data_dir|drop_dir|calendar|factors) *= *"([^"]*)".*/\2/p' "$f")
done
cp -an /usr/lib/systemd/system/. "$vroot/usr/lib/systemd/system/"
units=(concord-hub.service concord-adapter@.service concord-adapter@court.service concord-aid-agent.service
       concord-ledger-agent.service concord-risk-agent.service concord-conference-agent.service)
out=$(cd "$vroot/usr/lib/systemd/system" && systemd-analyze verify --root="$vroot" "${units[@]}" 2>&1) ||
  fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify warns: $out"
for u in "${units[@]}"; do
  [ "$u" = concord-adapter@court.service ] && continue
  f="$vroot/usr/lib/systemd/system/$u"
  for key in Type=notify NotifyAccess=main Restart=on-failure WatchdogSec= User=concord ProtectSystem=strict \
             CapabilityBoundingSet= StateDirectory=concord/ ConfigurationDirectory=concord; do
    grep -q "^$key" "$f" || fail "$u lacks $key"
  done
done
echo "units OK (${#units[@]} verified)"

echo "== 4. 安装、启动、彻底卸载 / install, start, purge in an overlay of /"
mkdir -p "$WORK/upper" "$WORK/ovl-work" "$WORK/root" "$WORK/sock"
chmod 0777 "$WORK/sock"
unshare --mount --pid --net --fork --kill-child bash -euo pipefail -s -- "$WORK" <<'OUTER'
WORK="$1"
R="$WORK/root"
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=/,upperdir=$WORK/upper,workdir=$WORK/ovl-work" "$R"
mount --rbind /dev "$R/dev"
mount -t proc proc "$R/proc"
mount -t tmpfs tmpfs "$R/run"
mount -t tmpfs tmpfs "$R/tmp"
mkdir -p "$R/run/concord-test" "$R/tmp/debs"
mount --bind "$WORK/sock" "$R/run/concord-test"
cp "$WORK"/packages/concord-*.deb "$R/tmp/debs/"
ip link set lo up
chroot "$R" /bin/bash -euo pipefail -s <<'INNER'
fail() { echo "FAIL: $*" >&2; exit 1; }
# This root is a copy of the build machine: start from no concord at all.
dpkg --purge concord-hub concord-adapter concord-agents concord-tools >/dev/null 2>&1 || true
userdel concord >/dev/null 2>&1 || true
rm -rf /etc/concord /var/lib/concord
[ ! -d /run/systemd/system ] || fail "/run/systemd/system in the test root"

dpkg -i /tmp/debs/concord-*.deb
for p in concord-hub concord-adapter concord-agents concord-tools; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' $p)" = installed ] || fail "$p not installed"
done
uid=$(id -u concord) || fail "no user concord"
[ "$(stat -c %U:%a /var/lib/concord/hub)" = concord:750 ] || fail "/var/lib/concord/hub: $(stat -c %U:%a /var/lib/concord/hub)"
[ "$(stat -c %G:%a /etc/concord/keys)" = concord:750 ] || fail "/etc/concord/keys: $(stat -c %G:%a /etc/concord/keys)"
version=$(dpkg-query -W -f='${Version}' concord-hub)
for b in concord-hub concord-adapter concord-aid-agent concord-ledger-agent concord-risk-agent \
         concord-conference-agent concordctl; do
  /usr/bin/$b --version | grep -q "^$b $version" || fail "$b --version: $(/usr/bin/$b --version 2>&1)"
done

# Every daemon's --check-config accepts its installed example, run as user
# concord once the keys are made as an operator would (the adapter's state
# folder made as its unit's StateDirectory= would).
as_concord() { setpriv --reuid=concord --regid=concord --init-groups --no-new-privs "$@"; }
for k in hub court ledger risk conference aid; do
  concordctl keys gen --out /etc/concord/keys/$k >/dev/null
done
concordctl aid keygen --out /etc/concord/keys/linkage.key >/dev/null
# keys gen gives a secret key in the concord-group folder to that group (0640).
for k in hub court ledger risk conference aid; do
  [ "$(stat -c %G:%a /etc/concord/keys/$k.key)" = concord:640 ] ||
    fail "keys gen in /etc/concord/keys: $k.key is $(stat -c %G:%a /etc/concord/keys/$k.key), not concord:640"
done
chgrp concord /etc/concord/keys/linkage.key
chmod 0640 /etc/concord/keys/linkage.key
install -d -o concord -g concord -m 0750 /var/lib/concord/court
for d in concord-hub:hub concord-adapter:court concord-ledger-agent:ledger concord-risk-agent:risk \
         concord-conference-agent:conference concord-aid-agent:aid; do
  out=$(as_concord /usr/bin/${d%%:*} --check-config --config /etc/concord/${d#*:}.toml 2>&1) ||
    fail "${d%%:*} --check-config /etc/concord/${d#*:}.toml: $out"
done

# The hub with the installed hub.toml, as its unit runs it: user concord,
# no new privileges, / read-only but for its state folder (ProtectSystem=strict
# with StateDirectory=concord/hub).
NOTIFY_SOCKET=/run/concord-test/notify unshare --mount /bin/sh -c '
  mount --bind /var/lib/concord/hub /var/lib/concord/hub &&
  mount -o remount,bind,ro / &&
  exec setpriv --reuid=concord --regid=concord --init-groups --no-new-privs \
    /usr/bin/concord-hub --config /etc/concord/hub.toml --ready-file /run/concord-test/hub.ready' \
  >/run/concord-test/hub.log 2>&1 &
for _ in $(seq 150); do
  [ -e /run/concord-test/ready-seen ] && [ -e /run/concord-test/hub.ready ] && break
  sleep 0.2
done
[ -e /run/concord-test/hub.ready ] || fail "hub did not start: $(cat /run/concord-test/hub.log)"
[ -e /run/concord-test/ready-seen ] || fail "no READY=1 on NOTIFY_SOCKET within 30 s"
[ -f /var/lib/concord/hub/hub.db ] || fail "no /var/lib/concord/hub/hub.db"
pgrep -u "$uid" -x concord-hub >/dev/null || fail "hub not running as concord"
echo "hub up as concord (uid $uid)"

dpkg --purge concord-adapter concord-agents concord-hub concord-tools
left=$(pgrep -u "$uid" -a || true)
[ -z "$left" ] || fail "processes of concord left after purge: $left"
[ ! -e /var/lib/concord ] || fail "/var/lib/concord left after purge"
! getent passwd concord >/dev/null || fail "user concord left after purge"
! ls /etc/concord/*.toml >/dev/null 2>&1 || fail "conffiles left after purge"
left=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' 'concord-*' 2>/dev/null | grep -v '^not-installed' || true)
[ -z "$left" ] || fail "packages left: $left"
echo "purged: no process, no /var/lib/concord, no user"
INNER
OUTER
echo "PASS"
