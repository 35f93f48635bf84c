#!/usr/bin/env bash
# `make run`: start every daemon with the default configuration and the
# sample data, print where things are, stop them all on Ctrl-C.
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/.."
export DUNGHAN_CONFIG=${DUNGHAN_CONFIG:-deploy/dunghan.cfg}
. deploy/paths.sh
RUN_DIR=$(config_path run_dir)
CERTS=$(config_path certs)
CERTS=${CERTS:-$RUN_DIR/certs}
mkdir -p "$RUN_DIR"
DAEMONS=""
# The daemons the configuration names (a section each) and that are built.
for name in intake assign deadline notify gateway; do
    grep -q "^$name\$" "$DUNGHAN_CONFIG" && [ -x "$BUILD/bin/dunghan-$name" ] && DAEMONS="$DAEMONS $name"
done
# Every daemon speaks with a certificate of its own, and the operator
# with one (ops, as in the sample org chart): made once, kept after.
for name in $DAEMONS ops; do
    role=service; [ "$name" = ops ] && role=operator
    [ -f "$CERTS/$name.cert" ] || "$BUILD/bin/dunghanctl" cert new --name "$name" --role "$role" \
        --dir "$CERTS" >/dev/null
done
# A daemon already running here keeps its store (one process per store):
# say so rather than start a second one that would refuse.
for name in $DAEMONS; do
    pid=$(sed -n 's/^pid=//p' "$RUN_DIR/$name.ready" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        echo "dunghan-$name is already running here (pid $pid, $RUN_DIR/$name.ready); stop it first" >&2
        exit 1
    fi
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
