#!/usr/bin/env bash
# `make run`: start every daemon with the default configuration and the
# sample data, print where things are, stop them all on Ctrl-C.
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/.."
export DUNGHAN_CONFIG=${DUNGHAN_CONFIG:-deploy/dunghan.cfg}
RUN_DIR=$(sed -n 's/^run_dir *= *//p' "$DUNGHAN_CONFIG")
mkdir -p "$RUN_DIR"
DAEMONS=""
for name in intake assign deadline notify gateway; do
    [ -x "$BUILD/bin/dunghan-$name" ] && DAEMONS="$DAEMONS $name"
done
PIDS=""
stop() {
    echo; echo "stopping:$DAEMONS"
    [ -n "$PIDS" ] && kill -TERM $PIDS 2>/dev/null || true
    wait 2>/dev/null || true
    exit 0
}
trap stop INT TERM
for name in $DAEMONS; do
    rm -f "$RUN_DIR/$name.ready"
    "$BUILD/bin/dunghan-$name" >>"$RUN_DIR/$name.log" 2>&1 &
    PIDS="$PIDS $!"
done
for name in $DAEMONS; do
    for _ in $(seq 1 100); do [ -f "$RUN_DIR/$name.ready" ] && break; sleep 0.1; done
    [ -f "$RUN_DIR/$name.ready" ] || { echo "$name did not start; see $RUN_DIR/$name.log"; tail "$RUN_DIR/$name.log"; stop; }
done
if [ -x deploy/sample.sh ]; then deploy/sample.sh "$BUILD"; fi
echo "dunghan is running (config $DUNGHAN_CONFIG):"
for name in $DAEMONS; do
    printf '  %-9s api %s   log %s\n' "$name" "$(sed -n 's/^api=//p' "$RUN_DIR/$name.ready")" "$RUN_DIR/$name.log"
done
echo "try: DUNGHAN_CONFIG=$DUNGHAN_CONFIG $BUILD/bin/dunghanctl --help"
echo "Ctrl-C stops everything."
wait
