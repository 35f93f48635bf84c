#!/usr/bin/env bash
# make bench: the machine's limits and ours, measured in the same run.
# One line per figure on stdout: bench <name> <value> <unit>; notes on stderr.
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
case "$BUILD" in /*) ;; *) BUILD="$PWD/$BUILD" ;; esac
WORK="$BUILD/bench-run"          # on the repository's disk: fsync costs what it costs there
rm -rf "$WORK" && mkdir -p "$WORK"
NO_DISK=""                       # the last phase's folder in memory (/dev/shm)
PIDS=""
ON_DISK=$WORK
cleanup() { [ -n "$PIDS" ] && kill $PIDS 2>/dev/null; wait 2>/dev/null; rm -rf "$ON_DISK" $NO_DISK; }
trap cleanup EXIT
export DUNGHAN_CONFIG="$WORK/dunghan.cfg"
# Every endpoint is CURVE (dh_auth.h): a certificate for each daemon and
# program of the run, the operator's for dunghanctl. bench_floor and
# bench_zmq_raw stay plaintext: they are the stack without our code.
CERTS="$WORK/certs"
configure() {  # configure RUN_DIR: the configuration of a run there
    printf 'run_dir = %s\ncerts = %s\nintake\nassign\nctl\n    cert = %s/ops.cert\n' "$1" "$CERTS" "$CERTS" \
        >"$DUNGHAN_CONFIG"
}
configure "$WORK"
for name in intake assign sender receiver; do
    "$BUILD/bin/dunghanctl" cert new --name $name --role service --dir "$CERTS" >/dev/null
done
"$BUILD/bin/dunghanctl" cert new --name ops --role operator --dir "$CERTS" >/dev/null
"$BUILD/bin/dunghanctl" cert new --name linktest --role operator --dir "$CERTS" >/dev/null
# These act for the clerks and handlers named in their envelopes.
for name in bench submitload; do
    "$BUILD/bin/dunghanctl" cert new --name $name --role gateway --dir "$CERTS" >/dev/null
done
LINKTEST="$BUILD/tests/helpers/linktest"
note() { echo "# $*" >&2; }

start() {  # start NAME COMMAND...: wait for its ready file
    local name=$1; shift
    rm -f "$WORK/$name.ready"
    "$@" >>"$WORK/$name.log" 2>&1 &
    PIDS="$PIDS $!"
    eval "PID_$name=$!"
    for _ in $(seq 1 200); do [ -f "$WORK/$name.ready" ] && return; sleep 0.05; done
    echo "bench: $name did not start" >&2; tail "$WORK/$name.log" >&2; exit 1
}
stop() {  # stop NAME
    local pid; eval "pid=\$PID_$1"
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
}

# 1. The machine: what one durable write costs on this disk (every figure
#    below stands on it, and it moves from machine to machine), raw
#    ZeroMQ, and batched durable LMDB commits.
"$BUILD/bench/bench_disk" "$WORK"
raw=$("$BUILD/bench/bench_zmq_raw" "$WORK" 2000000)
echo "$raw"
"$BUILD/bench/bench_lmdb" "$WORK"
# The floor for a durable command: 64 raw ZeroMQ clients, one command
# outstanding each, against a raw server that appends each to LMDB and
# replies after the group's commit. No code of ours: what submit_per_s
# and rpc_durable_acks_per_s can be read against.
floor=$("$BUILD/bench/bench_floor" "$WORK" 64 5)
echo "$floor"
floor_per_s=$(echo "$floor" | awk '$2 == "floor_durable_rpc_per_s" {print $3}')

# 2. The link: 500,000 messages, durable in the sender's outbox and in the
#    receiver's store; wall time from the sender's start to the last one
#    applied (polled every 10 ms). The sender commits up to 2,048 messages
#    at a time, as many as the receiver applies in one batch (batch_limit).
N=500000
start receiver "$LINKTEST" receiver
begin=$(date +%s%N)
start sender "$LINKTEST" sender --set count=$N --set per_commit=2048
while :; do
    figures=$("$LINKTEST" count "ipc://$WORK/receiver.api")
    case "$figures" in "applied=$N "*) break ;; esac
    sleep 0.01
done
end=$(date +%s%N)
link=$(( N * 1000000000 / (end - begin) ))
echo "bench link_durable_msgs_per_s $link msgs_per_s"
echo "bench link_p99_ms $(printf '%s' "$figures" | sed 's/.*p99_ms=\([0-9]*\).*/\1/') ms"
echo "bench link_zmq_ratio_pct $(( link * 100 / $(echo "$raw" | awk '{print $3}') )) pct"
echo "bench receiver_rss_kb $(awk '/VmHWM/ {print $2}' /proc/$PID_receiver/status) kb"
stop sender

# 3. Commands: 64 clients, one outstanding each, every reply after a
#    durable group commit.
"$BUILD/bench/bench_rpc" "ipc://$WORK/receiver.api" 64 5
stop receiver

# figures NAME SERVICE...: how each daemon's commits went during the last
# phase (STATUS totals, minus those at the phase's start): messages per
# commit, and the time one commit spent applying and in LMDB's commit
# (the fsyncs). They say what bounds the phase's figure.
declare -A SEEN
snapshot() {
    local d
    for d in "$@"; do SEEN[$d]=$("$BUILD/bin/dunghanctl" service-status "$d" --json); done
}
figures() {
    local phase=$1 d now; shift
    for d in "$@"; do
        now=$("$BUILD/bin/dunghanctl" service-status "$d" --json)
        jq -nr --argjson a "${SEEN[$d]}" --argjson b "$now" --arg p "${phase}_$d" '
            ($b.batches - $a.batches) as $n | select ($n > 0) |
            "bench \($p)_msgs_per_commit \(($b.messages - $a.messages) / $n | floor) msgs",
            "bench \($p)_apply_us_per_commit \(($b.apply_us - $a.apply_us) / $n | floor) us",
            "bench \($p)_commit_us_per_commit \(($b.commit_us - $a.commit_us) / $n | floor) us"'
    done
}

# disk_bytes_per_dossier PHASE DOSSIERS SECTORS_BEFORE: what the disk under
# WORK wrote during the phase (its kernel counters: both daemons' commits,
# at the device), per dossier. Steadier from run to run than the speed
# figures on a shared virtual disk, and what each commit waits for.
DISK_STAT=/sys/class/block/$(basename "$(df --output=source "$WORK" | tail -1)")/stat
disk_sectors() { if [ -r "$DISK_STAT" ]; then awk '{print $7}' "$DISK_STAT"; else echo 0; fi; }
disk_bytes_per_dossier() {
    local sectors; sectors=$(disk_sectors)
    if [ "$sectors" -gt "$3" ]; then
        echo "bench $1_disk_bytes_per_dossier $(( (sectors - $3) * 512 / $2 )) bytes"
    else
        note "$1: no disk counters at $DISK_STAT"
    fi
}

# 4. Dossiers: submits from 64 clerks, then whole lifecycles.
import_samples() {
    "$BUILD/bin/dunghanctl" catalog import deploy/catalog/procedures.csv >/dev/null
    "$BUILD/bin/dunghanctl" org import units deploy/org/units.csv >/dev/null
    "$BUILD/bin/dunghanctl" org import staff deploy/org/staff.csv >/dev/null
}
# cpu_per_dossier PHASE DOSSIERS TICKS_BEFORE: processor time both daemons
# used in the phase (user and system, their I/O threads included), per
# dossier. It moves less than the speed figures and says what a batch costs.
daemons_cpu_ticks() { awk '{ t += $14 + $15 } END { print t }' /proc/$PID_intake/stat /proc/$PID_assign/stat; }
cpu_per_dossier() {
    local ticks; ticks=$(daemons_cpu_ticks)
    echo "bench $1_cpu_us_per_dossier $(( (ticks - $3) * 1000000 / $(getconf CLK_TCK) / $2 )) us"
}
start intake "$BUILD/bin/dunghan-intake" --set calendar="$PWD/deploy/calendar"
start assign "$BUILD/bin/dunghan-assign"
import_samples
snapshot intake assign
sectors=$(disk_sectors)
submit=$("$BUILD/tests/helpers/submitload" "ipc://$WORK/intake.api" 100000 64 "$WORK/acked.txt")
note "submit: $submit"
submit_per_s=$(echo "$submit" | sed 's/.*per_s \([0-9]*\).*/\1/')
echo "bench submit_per_s $submit_per_s per_s"
# What our code costs on top of the bare stack, read against the floor of
# the same run (the disk moves both alike).
echo "bench submit_floor_pct $(( submit_per_s * 100 / floor_per_s )) pct"
echo "bench submit_p99_ms $(echo "$submit" | sed 's/.*p99_ms \([0-9.]*\).*/\1/') ms"
figures submit intake
disk_bytes_per_dossier submit 100000 "$sectors"
# Capacity: 4,096 dossiers in flight over 4 connections per daemon, the
# load that keeps both processors busy (a pipeline's throughput is its
# in-flight count over a life's time: with fewer in flight the daemons
# wait on the disk between commits and the figure says so, not what the
# machine can carry).
LIFE_N=100000
snapshot intake assign
sectors=$(disk_sectors)
cpu=$(daemons_cpu_ticks)
"$BUILD/bench/bench_lifecycle" "$WORK" $LIFE_N 4096 4
figures lifecycle intake assign
disk_bytes_per_dossier lifecycle $LIFE_N "$sectors"
cpu_per_dossier lifecycle $LIFE_N "$cpu"
# 1,024 in flight (a busy gateway's load), below capacity: how long one
# dossier's life takes when the daemons are not full.
BENCH_NAME=lifecycle_1024 "$BUILD/bench/bench_lifecycle" "$WORK" 40000 1024 4
echo "bench intake_rss_kb $(awk '/VmHWM/ {print $2}' /proc/$PID_intake/status) kb"
echo "bench assign_rss_kb $(awk '/VmHWM/ {print $2}' /proc/$PID_assign/status) kb"

# 5. The same lifecycles with the stores in memory (/dev/shm), where a
#    commit costs no disk: NOT a durable figure, only what the processors
#    allow. Set beside lifecycle_dossiers_per_s it says whether the disk
#    or the processors bound it.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    stop intake; stop assign
    NO_DISK=$(mktemp -d /dev/shm/dunghan-bench.XXXXXX)
    WORK=$NO_DISK
    export DUNGHAN_CONFIG="$WORK/dunghan.cfg"
    configure "$WORK"
    start intake "$BUILD/bin/dunghan-intake" --set calendar="$PWD/deploy/calendar"
    start assign "$BUILD/bin/dunghan-assign"
    import_samples
    cpu=$(daemons_cpu_ticks)
    BENCH_NAME=lifecycle_no_disk "$BUILD/bench/bench_lifecycle" "$WORK" $LIFE_N 4096 4
    cpu_per_dossier lifecycle_no_disk $LIFE_N "$cpu"
else
    note "no writable /dev/shm: lifecycle_no_disk not measured"
fi
"$BUILD/bench/bench_calendar" deploy/calendar
