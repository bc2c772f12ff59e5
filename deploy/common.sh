# Shared settings for the deploy scripts (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${CONCORD_BUILD_DIR:-$ROOT/build}"
BIN="$BUILD_DIR/bin"
DISTRICT_DIR="${CONCORD_DISTRICT_DIR:-$ROOT/var/district}"
HUB_PORT="${CONCORD_HUB_PORT:-7100}"
HUB_HTTP_PORT="${CONCORD_HUB_HTTP_PORT:-7180}"
ADAPTER_BASE_PORT="${CONCORD_ADAPTER_BASE_PORT:-7200}"

# name|display|roles|http port offset|superior (the organ above, which
# reviews its answers: 《信访工作条例》第三十五、三十六条). The city's organs
# take part on the district's bus like any agency.
AGENCIES=(
  "procuratorate|上州区人民检察院|agency,procuratorate,aid_grantor|1|city-procuratorate"
  "plc|上州区委政法委|agency,plc|2|city-plc"
  "court|上州区人民法院|agency,court,aid_grantor|3|city-court"
  "police|上州区公安分局|agency,police,aid_grantor|4|city-police"
  "justice|上州区司法局|agency,justice,aid_grantor|5|city-justice"
  "petition|上州区信访局|agency,petition|6|city-petition"
  "city-procuratorate|上州市人民检察院|agency,procuratorate|7|"
  "city-plc|中共上州市委政法委员会|agency,plc|8|"
  "city-court|上州市中级人民法院|agency,court|9|"
  "city-police|上州市公安局|agency,police|10|"
  "city-justice|上州市司法局|agency,justice|11|"
  "city-petition|上州市信访局|agency,petition|12|"
)
DISTRICT="shangzhou"
DISTRICT_DISPLAY="上州区"
AID_HTTP_PORT="${CONCORD_AID_HTTP_PORT:-7190}"
LEDGER_HTTP_PORT="${CONCORD_LEDGER_HTTP_PORT:-7191}"
RISK_HTTP_PORT="${CONCORD_RISK_HTTP_PORT:-7192}"
CONFERENCE_HTTP_PORT="${CONCORD_CONFERENCE_HTTP_PORT:-7193}"
# The agencies' web consoles: https://127.0.0.1:(CONSOLE_BASE_PORT + offset)/
CONSOLE_BASE_PORT="${CONCORD_CONSOLE_BASE_PORT:-8440}"
# The demo accounts' password (quick start only; every person gets their own in a real district).
DEMO_PASSWORD="${CONCORD_DEMO_PASSWORD:-shangzhou2026}"

# api_curl CURL_ARGS...: curl to a daemon of the demo district
# (http://127.0.0.1:PORT/...) with that daemon's API token: the file named by
# `token_file` in the config whose [http] port is the URL's (make-district.sh
# writes keys/<name>.api-token). The header goes through stdin, never the
# command line (which other local users can read).
api_curl() {
  local arg port="" cfg tf=""
  for arg in "$@"; do
    case "$arg" in
      http://127.0.0.1:*) port="${arg#http://127.0.0.1:}"; port="${port%%/*}"; port="${port%%\?*}" ;;
    esac
  done
  cfg="$(grep -l "^port = $port\$" "$DISTRICT_DIR"/*.toml 2>/dev/null | head -1 || true)"
  [ -n "$cfg" ] && tf="$(sed -n 's/^token_file = "\(.*\)".*/\1/p' "$cfg" | head -1)"
  if [ -n "$tf" ] && [ -r "$DISTRICT_DIR/$tf" ]; then
    curl -H @- "$@" <<<"Authorization: Bearer $(cat "$DISTRICT_DIR/$tf")"
  else
    curl "$@"
  fi
}

# build_concord [CMAKE_ARGS...]: configures and builds everything in $BUILD_DIR.
build_concord() {
  local fresh=0
  [ -f "$BUILD_DIR/CMakeCache.txt" ] || fresh=1
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${CONCORD_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
  # CMake places libzmq's pkg-config flag (-isystem /usr/include/mit-krb5) in
  # one spot on a tree's first configure and in another on every later one:
  # configuring a fresh tree twice keeps the compile commands stable, so the
  # second README command does not recompile a third of the tree.
  if [ $fresh = 1 ]; then cmake -S "$ROOT" -B "$BUILD_DIR" >/dev/null; fi
  ninja -C "$BUILD_DIR" -j "$(nproc)"
}
