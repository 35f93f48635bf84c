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
# The gateway has a second one, role gateway, that it acts for the staff
# signed in to it with.
CERT_NAMES="$DAEMONS ops"
case " $DAEMONS " in *" gateway "*) CERT_NAMES="$CERT_NAMES gateway-web" ;; esac
for name in $CERT_NAMES; do
    case $name in ops) role=operator ;; gateway-web) role=gateway ;; *) role=service ;; esac
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
    where=$(sed -n 's/^api=//p' "$RUN_DIR/$name.ready")
    [ -n "$where" ] || where="http://$(sed -n 's/^http=//p' "$RUN_DIR/$name.ready")/"
    printf '  %-9s %s   log %s\n' "$name" "$where" "$RUN_DIR/$name.log"
done
# The dashboard wants a sign-in token: the operator's, issued once and
# kept beside the stores (dunghanctl token new --staff ID gives others).
if [ -f "$RUN_DIR/gateway.ready" ]; then
    TOKEN_FILE="$RUN_DIR/dashboard.token"
    [ -s "$TOKEN_FILE" ] || (umask 077 && "$BUILD/bin/dunghanctl" token new --staff ops >"$TOKEN_FILE" 2>/dev/null)
    echo
    echo "open the dashboard: http://$(sed -n 's/^http=//p' "$RUN_DIR/gateway.ready")/"
    echo "  sign in with the token in $TOKEN_FILE: $(cat "$TOKEN_FILE")"
    echo "  public lookup: http://$(sed -n 's/^http=//p' "$RUN_DIR/gateway.ready")/lookup"
    echo
fi
echo "try: DUNGHAN_CONFIG=$DUNGHAN_CONFIG $BUILD/bin/dunghanctl --help"
echo "Ctrl-C stops everything."
wait
