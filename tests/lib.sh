# The integration harness (sourced by tests/integration/t*.sh).
#
# Each test gets its own temporary folder ($DH_DIR) with a configuration
# ($DH_CONFIG) whose run_dir is that folder, so sockets are ipc:// paths
# under it and nothing is shared between tests. Its sections name the
# daemons deployed (dunghanctl asks those); a test may append keys to
# them (a section named again adds to the first). Daemons started with
# dh_start are killed at exit; when a test fails, their logs are printed.
set -eu
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$PWD/$BUILD" ;; esac
DH_BIN="$BUILD/bin"
DH_HELPERS="$BUILD/tests/helpers"
DH_ROOT=$PWD
DH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dunghan-test.XXXXXX")
DH_CONFIG="$DH_DIR/dunghan.cfg"
DH_NAMES=""
DH_CERTS="$DH_DIR/certs"
export DUNGHAN_CONFIG="$DH_CONFIG"
printf 'run_dir = %s\ntest_clock = 1\nintake\nassign\nctl\n    cert = %s/ops.cert\n' "$DH_DIR" "$DH_CERTS" >"$DH_CONFIG"

# dh_cert NAME [ROLE]: the certificate NAME speaks with, made in the
# deployment's folder ($DH_CERTS, which the daemons admit) the first time;
# prints its path. ROLE defaults to staff (a person of the org chart),
# operator for ops.
dh_cert() {
    local name=$1 role=${2:-}
    [ -n "$role" ] || case "$name" in ops) role=operator ;; *) role=staff ;; esac
    [ -f "$DH_CERTS/$name.cert" ] || "$DH_BIN/dunghanctl" cert new --name "$name" --role "$role" \
        --dir "$DH_CERTS" >/dev/null || dh_fail "cannot make the certificate of $name"
    echo "$DH_CERTS/$name.cert"
}
# Every daemon and helper the tests start has one (a service's name is its
# section's), and so has the operator.
for dh_name in intake assign deadline notify sender receiver timers; do dh_cert "$dh_name" service >/dev/null; done
for dh_name in linktest feedmirror; do dh_cert "$dh_name" operator >/dev/null; done
# These act for the clerk named in each envelope (gateway).
for dh_name in submitload bench; do dh_cert "$dh_name" gateway >/dev/null; done
# The web gateway: a daemon (its own certificate, role service) that acts
# for the staff signed in to it with a second one, role gateway.
dh_cert gateway service >/dev/null
dh_cert gateway-web gateway >/dev/null
dh_cert ops >/dev/null

dh_cleanup() {
    local status=$?
    local name
    for name in $DH_NAMES; do
        if [ -f "$DH_DIR/$name.pid" ]; then
            kill -TERM "$(cat "$DH_DIR/$name.pid")" 2>/dev/null || true
        fi
    done
    sleep 0.1
    for name in $DH_NAMES; do
        if [ -f "$DH_DIR/$name.pid" ]; then
            kill -9 "$(cat "$DH_DIR/$name.pid")" 2>/dev/null || true
        fi
    done
    wait 2>/dev/null || true
    if [ "$status" -ne 0 ]; then
        for name in $DH_NAMES; do
            echo "--- log of $name (last 30 lines) ---"
            tail -n 30 "$DH_DIR/$name.log" 2>/dev/null || true
        done
        # Said again last: the runner shows only the end of a failed test.
        [ -z "$DH_FAILURE" ] || echo "FAILED: $DH_FAILURE" >&2
    fi
    rm -rf "$DH_DIR"
    exit "$status"
}
trap dh_cleanup EXIT

DH_FAILURE=""
dh_fail() {
    DH_FAILURE="$*"
    echo "FAILED: $*" >&2
    exit 1
}

# dh_start NAME COMMAND ARGS...  start a daemon whose service name is NAME,
# wait until its ready file appears (10 s at most).
dh_start() {
    local name=$1; shift
    rm -f "$DH_DIR/$name.ready"
    "$@" >>"$DH_DIR/$name.log" 2>&1 &
    echo $! >"$DH_DIR/$name.pid"
    case " $DH_NAMES " in *" $name "*) ;; *) DH_NAMES="$DH_NAMES $name" ;; esac
    dh_wait_ready "$name"
}

dh_wait_ready() {
    local name=$1 i
    for i in $(seq 1 200); do
        [ -f "$DH_DIR/$name.ready" ] && return 0
        kill -0 "$(cat "$DH_DIR/$name.pid")" 2>/dev/null || dh_fail "$name exited before it was ready"
        sleep 0.05
    done
    dh_fail "$name not ready after 10 s"
}

# dh_stop NAME: SIGTERM and wait for a clean exit.
dh_stop() {
    local pid
    pid=$(cat "$DH_DIR/$1.pid")
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$DH_DIR/$1.pid"
}

# dh_kill NAME: kill -9, no chance to clean up.
dh_kill() {
    local pid
    pid=$(cat "$DH_DIR/$1.pid")
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$DH_DIR/$1.pid"
}

dh_running() {
    [ -f "$DH_DIR/$1.pid" ] && kill -0 "$(cat "$DH_DIR/$1.pid")" 2>/dev/null
}

# dh_expect_eq WHAT EXPECTED ACTUAL
dh_expect_eq() {
    [ "$2" = "$3" ] || dh_fail "$1: expected '$2', got '$3'"
}

# dh_start_work [INTAKE OPTIONS...]: intake and assign with the sample
# catalog and org chart.
dh_start_work() {
    dh_start intake "$DH_BIN/dunghan-intake" --set calendar="$DH_ROOT/deploy/calendar" "$@"
    dh_start assign "$DH_BIN/dunghan-assign"
    dh_ctl catalog import "$DH_ROOT/deploy/catalog/procedures.csv" >/dev/null
    dh_ctl org import units "$DH_ROOT/deploy/org/units.csv" >/dev/null
    dh_ctl org import staff "$DH_ROOT/deploy/org/staff.csv" >/dev/null
}

# dh_with_deadline: this deployment runs the deadline daemon (call before
# starting any daemon: intake and assign tell it only if the configuration
# names it). dh_start_deadline [OPTIONS...] starts it on the calendar.
dh_with_deadline() {
    printf 'deadline\n' >>"$DH_CONFIG"
}
dh_start_deadline() {
    dh_start deadline "$DH_BIN/dunghan-deadline" --set calendar="$DH_ROOT/deploy/calendar" "$@"
}

# dh_start_gateway [OPTIONS...]: the web gateway on a free port (call
# after adding a `gateway` section); sets DH_HTTP to its base URL.
dh_start_gateway() {
    dh_start gateway "$DH_BIN/dunghan-gateway" --set http=127.0.0.1:0 "$@"
    DH_HTTP="http://$(sed -n 's/^http=//p' "$DH_DIR/gateway.ready")"
}

# dh_ms "YYYY-MM-DD HH:MM": that Hanoi time in UTC ms (test_clock_start).
dh_ms() { echo $(( $(date -d "$1 +0700" +%s) * 1000 )); }

# dh_clock CODE FIELD: a field of the item's own clock (the first of
# `dunghanctl clock`'s report); dh_wait_clock CODE FIELD VALUE: until the
# deadline daemon has heard it (5 s at most).
dh_clock() { dh_ctl clock "$1" --json | jq -r ".clocks[0].clock.$2"; }
dh_wait_clock() {
    local i
    for i in $(seq 1 100); do
        [ "$(dh_clock "$1" "$2" 2>/dev/null)" = "$3" ] && return 0
        sleep 0.05
    done
    dh_fail "the clock of $1 never had $2 = $3 (it has '$(dh_clock "$1" "$2" 2>&1)')"
}

# dh_ctl ARGS...: dunghanctl as the operator unless DUNGHAN_ACTOR names
# someone else: with that person's certificate (dunghanctl itself trusts
# no variable for who acts; the daemons read the certificate).
# dh_resolve CODE: the item's holder starts the examination step and
# resolves it (approved), each with the step token assignment gives.
dh_resolve() {
    local assignment handler token
    assignment=$(dh_ctl assignment "$1" --json)
    handler=$(dh_field "$assignment" handler)
    token=$(dh_field "$assignment" step_token)
    DUNGHAN_ACTOR=$handler dh_ctl step start "$1" --token "$token" --node "Thẩm định hồ sơ" >/dev/null
    DUNGHAN_ACTOR=$handler dh_ctl resolve "$1" --token "$token" >/dev/null
}

dh_ctl() {
    DUNGHAN_CERT=$(dh_cert "${DUNGHAN_ACTOR:-ops}") "$DH_BIN/dunghanctl" "$@"
}

# dh_field JSON KEY: one top-level field of a JSON reply (strings bare).
dh_field() {
    printf '%s' "$1" | jq -r --arg key "$2" '.[$key] // empty | if type == "object" or type == "array" then tojson else . end'
}
