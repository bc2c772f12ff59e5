#!/bin/sh
# The ledger agent's failover soak (issue 17): two ledger agents sharing one
# book on a PostgreSQL server of the test's own; the active one is SIGKILLed
# ROUNDS times (default 20) at random points while deadlines fall due and
# petitions arrive. Fails if any petition is answered twice or not at all, or
# any alert is sent twice; prints each takeover time and their p50/p99.
#
#   bench/ledger_failover.sh [BUILD_DIR] [ROUNDS]   (BUILD_DIR default: build)
#
# The test binary is ctest's pg-labelled ledger_failover_test, run longer.
set -eu
BUILD=${1:-build}
ROUNDS=${2:-20}
BIN="$BUILD/bin/ledger_failover_test"
[ -x "$BIN" ] || { echo "ledger_failover.sh: $BIN not built (ninja -C $BUILD)" >&2; exit 2; }
CONCORD_FAILOVER_ROUNDS=$ROUNDS CONCORD_BIN_DIR="$BUILD/bin" "$BIN" 2>&1 |
  grep -E '^\[ ledger failover \]|^\[ *(OK|FAILED|PASSED) *\]|Failure|sent twice|answered'
