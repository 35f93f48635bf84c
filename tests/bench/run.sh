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
cleanup() { [ -n "$PIDS" ] && kill $PIDS 2>/dev/null || true; wait 2>/dev/null; rm -rf "$ON_DISK" $NO_DISK; }
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
for name in intake assign deadline sender receiver; do
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
disk=$("$BUILD/bench/bench_disk" "$WORK")
echo "$disk"
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
    # A receiver busy in one long commit may not answer within count's 2 s
    # on a loaded machine: ask again rather than end the whole run.
    figures=$("$LINKTEST" count "ipc://$WORK/receiver.api") || { note "link: count not answered in 2 s"; continue; }
    case "$figures" in "applied=$N "*) break ;; esac
    sleep 0.01
done
end=$(date +%s%N)
link=$(( N * 1000000000 / (end - begin) ))
echo "bench link_durable_msgs_per_s $link msgs_per_s"
case "$figures" in
    *" first_at=0 "*) note "link: the receiver kept no latencies ($figures): link_p99_ms not measured" ;;
    *) echo "bench link_p99_ms $(printf '%s' "$figures" | sed 's/.*p99_ms=\([0-9]*\).*/\1/') ms" ;;
esac
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

# 5. Deadlines: the deadline daemon alone with a million clocks and then
#    ten million, fed over the real link by a stand-in for assign
#    (bench_deadline assign: CLOCK_CHANGE messages, 2,048 to a link
#    batch), in a configuration of its own so CLOCK commands move its
#    clock (test_clock) and nobody else's. Intake and assign above go on
#    running on the same disk and processors: the submits during a burst
#    of firings measure what the two share.
DL_N=1000000                 # open item clocks for the firing, STATS and RECOMPUTE
DL_BIG=10000000              # ... for the restart and memory, if they load in ~5 minutes
DL="$WORK/deadline"
DL_CONFIG="$DL/dunghan.cfg"
BENCH_DL="$BUILD/bench/bench_deadline"
dl_began=$(date +%s)
mkdir -p "$DL"
cp -r deploy/calendar "$DL/calendar"
ms() { echo $(( $(date -d "$1 +0700" +%s) * 1000 )); }
printf 'run_dir = %s\ncerts = %s\ntest_clock = 1\ndeadline\n    calendar = %s/calendar\n    test_clock_start = %s\nassign\n    ready_file = %s/loader.ready\nctl\n    cert = %s/ops.cert\n' \
    "$DL" "$CERTS" "$DL" "$(ms '2026-01-01 00:00')" "$DL" "$CERTS" >"$DL_CONFIG"
dl() { DUNGHAN_CONFIG="$DL_CONFIG" "$@"; }
WORK=$DL start deadline "$BUILD/bin/dunghan-deadline" --config "$DL_CONFIG"
WORK=$DL start loader "$BENCH_DL" assign --config "$DL_CONFIG"
# Item i (BD000000000 on) is received on day i × 365 / 1M of 2026 with 80
# working hours, in one of ten units; every 100th (10,000: 1 %) instead
# on Monday 5 January 08:00 with one hour (warned at receipt, due 09:00),
# and every 5th of the rest (190,000) the same on Tuesday 6 January, for
# a burst longer than the submits that run against it. The clock stays
# at 1 January while they load: nothing fires until a CLOCK moves it.
PLAN="at=$(ms '2026-01-01 09:00') spread_days=365 spread_first=0 spread_count=$DL_N short_every=100
      short_at=$(ms '2026-01-05 08:00') burst_every=5 burst_at=$(ms '2026-01-06 08:00')"
dl_load() {  # dl_load FIRST COUNT [KEY=VALUE]...: clocks applied per second
    dl "$BENCH_DL" load "ipc://$DL/assign.api" "$@" | awk '{print $6}'
}
# shellcheck disable=SC2086  # the plan is words
load_rate=$(dl_load 0 100000 $PLAN)
[ -n "$load_rate" ] || { echo "bench: the deadline clocks did not load" >&2; tail "$DL"/*.log >&2; exit 1; }
echo "bench deadline_load_per_s $load_rate per_s"
# shellcheck disable=SC2086
note "deadline: the first 100,000 clocks loaded at $load_rate per s, the next $((DL_N - 100000)) at" \
     "$(dl_load 100000 $((DL_N - 100000)) $PLAN) per s"

# The 10,000 short clocks fall due at once among the million: one CLOCK
# command moves the clock past their warning (08:30), another past their
# due time (09:30), fire_batch (1,000) per commit. The daemon's own
# figures over each: STATUS apply_us + commit_us (the loop's busy time;
# the few STATUS polls of the wait are in it), and what the disk wrote.
dl_fire() {  # dl_fire TIME EXPECTED: "fired N batches B messages M apply_us A commit_us C wall_ms W"
    dl "$BENCH_DL" fire "ipc://$DL/deadline.api" "$(ms "$1")" "$2"
}
per_10k() { awk '{ printf "%.0f", ($8 + $10) / 1000 * 10000 / $2 }'; }
warned=$(dl_fire "2026-01-05 08:30" 10000)
sectors=$(disk_sectors)
breached=$(dl_fire "2026-01-05 09:30" 10000)
written=$(( ($(disk_sectors) - sectors) * 512 ))
echo "bench deadline_fire_ms_per_10k $(echo "$breached" | per_10k) ms"
echo "bench deadline_warn_fire_ms_per_10k $(echo "$warned" | per_10k) ms"
[ "$written" -gt 0 ] && echo "bench deadline_fire_disk_bytes_per_firing $(( written / 10000 )) bytes"
note "deadline breaches: $breached; $(echo "$breached" | awk '{ printf "%.1f", $10 / ($4 - $6) / 1000 }') ms" \
     "per commit of a fire batch (disk_sync_us $(echo "$disk" | awk '$2 == "disk_sync_us" {print $3}'))"
note "deadline warnings: $warned"
note "each firing reads its clock (for the notice), takes its schedule entry, marks itself in the" \
     "fired table (ordered by time, like the schedule: pages written in order, not one per clock)," \
     "adds the item to a list, counts, and publishes; one fsync per batch of fire_batch"

# One unit's year of figures (a tenth of the million): 21 STATS round
# trips, beside PING's (a command that reads nothing).
stats=$(dl "$BENCH_DL" stats "ipc://$DL/deadline.api" BENCH.U00 2026 21)
echo "bench stats_query_ms_1m $(echo "$stats" | awk '{print $2}') ms"
note "stats of BENCH.U00 for 2026: $stats"

# Submits while the deadline daemon fires: 64 clerks against intake (with
# assign, as in 4.), first with the deadline daemon idle, then while it
# fires the 190,000 warnings of 6 January, at most burst_share (25 %) of
# the time: some 5 s, which 40,000 submits fit in (a p99 of 10,000, a
# hundred slowest, moves 3x from run to run on this machine alone).
SUBMIT_N=40000
p99() { sed 's/.*p99_ms \([0-9.]*\).*/\1/'; }
took_ms() { awk '{ printf "%.0f", $4 * 1000 / $10 }'; }    # a submitload line: its duration
quiet=$("$BUILD/tests/helpers/submitload" "ipc://$WORK/intake.api" $SUBMIT_N 64 "$WORK/acked-quiet.txt")
dl_fire "2026-01-06 08:30" 190000 >"$DL/burst.txt" &
burst=$!
sleep 0.05
busy=$("$BUILD/tests/helpers/submitload" "ipc://$WORK/intake.api" $SUBMIT_N 64 "$WORK/acked-busy.txt")
wait $burst
echo "bench submit_p99_no_fire_ms $(echo "$quiet" | p99) ms"
echo "bench submit_p99_during_fire_ms $(echo "$busy" | p99) ms"
note "submits, deadline idle: $quiet"
note "submits, deadline firing: $busy"
note "the burst: $(cat "$DL/burst.txt") ($(per_10k <"$DL/burst.txt") ms per 10,000);" \
     "the submits took $(echo "$busy" | took_ms) ms from 50 ms after it began"
[ "$(echo "$busy" | took_ms)" -lt "$(awk '{ printf "%.0f", $12 }' "$DL/burst.txt")" ] \
    || note "submit_p99_during_fire_ms: the submits outlasted the burst; the figure is diluted"
note "submits go to intake and assign; the deadline daemon runs beside them on the same 2 processors" \
     "and disk, fed by its stand-in loader, not by this assign (wiring all three is the lifecycle's job)"

# RECOMPUTE: a holiday added to its calendar moves the clocks that cross
# it; every open clock is recomputed, recompute_batch (2,000) to a
# transaction, commands served between (the slowest status round trip
# during the run says how long one waited), at most burst_share (25 %)
# of the time.
printf '2026-03-02,0,bench: a day off announced late\n' >>"$DL/calendar/holidays-2026.csv"
recompute=$(dl "$BENCH_DL" recompute "ipc://$DL/deadline.api" "$PID_deadline")
echo "bench recompute_per_s $(echo "$recompute" | awk '{print $8}') per_s"
echo "bench recompute_anon_growth_mb_1m $(echo "$recompute" | awk '{printf "%.0f", ($12 - $10) / 1024}') mb"
echo "bench recompute_command_wait_max_ms $(echo "$recompute" | awk '{print $18}') ms"
sleep 1
note "recompute: $recompute (kB); RssAnon a second later: $(awk '/RssAnon/ {print $2}' \
     /proc/$PID_deadline/status) kB"

# The restart and memory with as many clocks as load in ~5 minutes at the
# rate measured on the first 100,000 (10 million if they do).
more=$((DL_BIG - DL_N))
if [ $((more / load_rate)) -gt 300 ]; then
    more=$(( load_rate * 300 / 1000000 * 1000000 ))
    note "deadline: $DL_BIG clocks would take over 5 minutes to load at $load_rate per s;" \
         "the restart and memory figures are at $((DL_N + more))"
fi
M=$(( (DL_N + more) / 1000000 ))m
began=$(date +%s%N)
[ "$more" -gt 0 ] && rate=$(dl_load $DL_N $more at="$(ms '2026-01-01 09:00')" spread_days=365)
note "deadline: $more more clocks loaded in $(( ($(date +%s%N) - began) / 1000000000 )) s (${rate:-0} per s)"
stop deadline
rm -f "$DL/deadline.ready"
began=$(date +%s%N)
"$BUILD/bin/dunghan-deadline" --config "$DL_CONFIG" >>"$DL/deadline.log" 2>&1 &
PID_deadline=$!
PIDS="$PIDS $PID_deadline"
ready=$("$BENCH_DL" wait-file "$DL/deadline.ready" 60)
echo "bench deadline_restart_ms_$M $(( (ready - began) / 1000000 )) ms"
sleep 0.2
anon_start=$(awk '/RssAnon/ {print $2}' /proc/$PID_deadline/status)
dl "$BENCH_DL" stats "ipc://$DL/deadline.api" BENCH.U00 2026 1 >/dev/null
anon=$(awk '/RssAnon/ {print $2}' /proc/$PID_deadline/status)
echo "bench deadline_anon_mb_$M $(awk -v kb="$anon" 'BEGIN { printf "%.1f", kb / 1024 }') mb"
note "deadline with $((DL_N + more)) clocks: RssAnon $anon_start kB after start, $anon kB after a STATS;" \
     "its store $(du -sm "$DL/deadline.lmdb" | cut -f1) MB on disk, read through the page cache"
stop deadline
stop loader
rm -rf "$DL"
note "deadline section: $(( $(date +%s) - dl_began )) s"

# 6. Notifications: dunghan-notify's workers delivering to local servers,
#    in a folder of its own on the same disk. First its throughput: a
#    stand-in for intake (bench_notify intake) sends NT_N "received"
#    events over the real link, each an applicant who chose mail, and
#    bench_notify deliver follows notify's feed until every notification
#    is told sent; the figure is over the notifications' own times, from
#    the first queued to the last sent. Mail goes to a real SMTP server
#    (Debian's aiosmtpd, its Sink handler: it takes and drops), with 4
#    and with 8 workers, and (notes) to bench_notify's own SMTP sink in C,
#    which says what notify alone can do; webhooks to bench_notify's
#    discarding HTTP receiver. rate_per_s = 0: no limit.
#    Then submits to the real intake (with assign and notify), each
#    dossier's applicant choosing mail: with that SMTP server, and with
#    one that accepts connections and never answers.
nt_began=$(date +%s)
stop intake; stop assign        # section 4's, idle: out of the way (7. starts its own)
NT="$WORK/notify"
NT_N=3000
PY=/usr/bin/python3
BENCH_NT="$BUILD/bench/bench_notify"
"$BUILD/bin/dunghanctl" cert new --name notify --role service --dir "$CERTS" >/dev/null
nt_config() {  # nt_config DIR SECTIONS...: a configuration for a run there
    local dir=$1 section; shift
    mkdir -p "$dir"
    {
        printf 'run_dir = %s\ncerts = %s\n' "$dir" "$CERTS"
        for section in "$@"; do printf '%s\n' "$section"; done
        printf 'notify\n    smtp_from = motcua@badinh.hanoi.gov.vn\n    rate_per_s = 0\n'
        printf '    timeout_ms = 10000\n    max_attempts = 8\n    backoff_ms = 60000\n'
        printf 'ctl\n    cert = %s/ops.cert\n' "$CERTS"
    } >"$dir/dunghan.cfg"
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }      # processor time of PID, user and system
cpu_pct() {  # cpu_pct TICKS_BEFORE PID MS: the share of one processor PID used over MS
    echo $(( ($(ticks "$2") - $1) * 100000 / $(getconf CLK_TCK) / $3 ))
}
wait_port_file() {
    for _ in $(seq 1 100); do [ -s "$1" ] && return; sleep 0.05; done
    echo "bench: no port in $1" >&2; exit 1
}
SMTP_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$NT"
$PY -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Sink >>"$NT/smtp.log" 2>&1 &
PID_smtp=$!
PIDS="$PIDS $PID_smtp"
for _ in $(seq 1 100); do
    $PY -c "import socket; socket.create_connection(('127.0.0.1',$SMTP_PORT),1)" 2>/dev/null && break
    sleep 0.05
done
"$BENCH_NT" sink http "$NT/http.port" >>"$NT/sink.log" 2>&1 &
PID_sink=$!
PIDS="$PIDS $PID_sink"
"$BENCH_NT" sink smtp "$NT/smtp.port" >>"$NT/smtp-sink.log" 2>&1 &
PID_smtp_sink=$!
PIDS="$PIDS $PID_smtp_sink"
"$BENCH_NT" sink hang "$NT/hang.port" >>"$NT/hang.log" 2>&1 &
PID_hang=$!
PIDS="$PIDS $PID_hang"
wait_port_file "$NT/http.port"
wait_port_file "$NT/hang.port"
wait_port_file "$NT/smtp.port"

NS="$NT/stand"
nt_config "$NS" intake
ns() { DUNGHAN_CONFIG="$NS/dunghan.cfg" "$@"; }
WORK=$NS start intake "$BENCH_NT" intake --config "$NS/dunghan.cfg"
nt_status() { ns "$BUILD/bin/dunghanctl" service-status notify --json; }
nt_deliver() {  # nt_deliver PREFIX SERVER_PID NOTIFY_OPTIONS...: one run; sets NT_PER_S and NT_LINE
    local prefix=$1 server=$2 began ms t_notify t_server t_intake before sectors; shift 2
    WORK=$NS start notify "$BUILD/bin/dunghan-notify" --config "$NS/dunghan.cfg" "$@"
    ns "$BUILD/bin/dunghanctl" notify templates deploy/templates/templates.txt >/dev/null
    before=$(nt_status)
    sectors=$(disk_sectors)
    t_notify=$(ticks "$PID_notify"); t_server=$(ticks "$server"); t_intake=$(ticks "$PID_intake")
    began=$(date +%s%N)
    NT_LINE=$(ns "$BENCH_NT" deliver "ipc://$NS/intake.api" "$prefix" $NT_N)
    ms=$(( ($(date +%s%N) - began) / 1000000 ))
    NT_PER_S=$(echo "$NT_LINE" | awk '{print $8}')
    NT_LINE="$NT_LINE; processor: notify $(cpu_pct "$t_notify" "$PID_notify" $ms) %, the receiver"
    NT_LINE="$NT_LINE $(cpu_pct "$t_server" "$server" $ms) %, the stand-in $(cpu_pct "$t_intake" "$PID_intake" $ms) %;"
    NT_LINE="$NT_LINE notify's commits: $(jq -nr --argjson a "$before" --argjson b "$(nt_status)" --argjson n $NT_N '
        ($b.batches - $a.batches) as $c | "\($c), \($n / $c * 10 | floor / 10) notifications each," +
        " \(($b.apply_us - $a.apply_us) / $c | floor) us applying, \(($b.commit_us - $a.commit_us) / $c | floor) us committing"')"
    NT_LINE="$NT_LINE; the disk wrote $(( ($(disk_sectors) - sectors) * 512 / NT_N )) bytes per notification"
    stop notify
}
nt_deliver MA "$PID_smtp" --set smtp_url="smtp://127.0.0.1:$SMTP_PORT" --set workers=4
echo "bench notify_smtp_per_s $NT_PER_S per_s"
note "notify smtp, 4 workers: $NT_LINE"
nt_deliver MB "$PID_smtp" --set smtp_url="smtp://127.0.0.1:$SMTP_PORT" --set workers=8
echo "bench notify_smtp_8_workers_per_s $NT_PER_S per_s"
note "notify smtp, 8 workers: $NT_LINE"
nt_deliver MC "$PID_smtp_sink" --set smtp_url="smtp://127.0.0.1:$(cat "$NT/smtp.port")" --set workers=4
note "notify smtp to bench_notify's C SMTP sink, 4 workers ($NT_PER_S per s): $NT_LINE"
nt_deliver MD "$PID_smtp_sink" --set smtp_url="smtp://127.0.0.1:$(cat "$NT/smtp.port")" --set workers=8
note "notify smtp to bench_notify's C SMTP sink, 8 workers ($NT_PER_S per s): $NT_LINE"
nt_deliver WA "$PID_sink" --set webhook_url="http://127.0.0.1:$(cat "$NT/http.port")/hook" \
    --set webhook_secret=s3cret --set workers=4
echo "bench notify_webhook_per_s $NT_PER_S per_s"
note "notify webhook, 4 workers: $NT_LINE"
stop intake

# Submits with notify: 64 clerks against the real intake (with assign
# and notify), each dossier's applicant choosing mail, so every submit
# queues the receipt and the handler's assignment mail in the
# transactions that hear of it. Rounds alternate between the SMTP server
# above and one that accepts connections and never answers (every worker
# hangs until timeout_ms, 3 s here so a stop does not wait longer; the
# attempt is retried after backoff_ms and the next jobs hang in turn),
# notify restarted for each; three of each, so a swing of the machine's
# load falls on both, and each figure is its rounds' median. A hung
# server must hold up only its own workers: the goal is a hung p99 within
# 1.5 times the other.
NL="$NT/live"
nt_config "$NL" intake assign
nl() { DUNGHAN_CONFIG="$NL/dunghan.cfg" "$@"; }
WORK=$NL start intake "$BUILD/bin/dunghan-intake" --config "$NL/dunghan.cfg" --set calendar="$PWD/deploy/calendar"
WORK=$NL start assign "$BUILD/bin/dunghan-assign" --config "$NL/dunghan.cfg"
WORK=$NL start notify "$BUILD/bin/dunghan-notify" --config "$NL/dunghan.cfg"
nl "$BUILD/bin/dunghanctl" catalog import deploy/catalog/procedures.csv >/dev/null
nl "$BUILD/bin/dunghanctl" org import units deploy/org/units.csv >/dev/null
nl "$BUILD/bin/dunghanctl" org import staff deploy/org/staff.csv >/dev/null
nl "$BUILD/bin/dunghanctl" notify templates deploy/templates/templates.txt >/dev/null
nl "$BUILD/bin/dunghanctl" notify contacts deploy/org/staff.csv >/dev/null
SUBMIT_N=10000
declare -A NT_P99
nt_round() {  # nt_round NAME SMTP_PORT: notify restarted on that server, then the submits
    local began line
    began=$(date +%s%N)
    stop notify
    NT_STOPPED_MS=$(( ($(date +%s%N) - began) / 1000000 ))
    WORK=$NL start notify "$BUILD/bin/dunghan-notify" --config "$NL/dunghan.cfg" \
        --set smtp_url="smtp://127.0.0.1:$2" --set timeout_ms=3000
    sleep 0.2
    line=$(nl "$BENCH_NT" submit "ipc://$NL/intake.api" $SUBMIT_N 64)
    NT_P99[$1]="${NT_P99[$1]:-} $(echo "$line" | p99)"
    note "submits, SMTP server $1: $line (notify: $(nl "$BUILD/bin/dunghanctl" service-status notify --json |
        jq -r '"\(.messages) messages in \(.batches) commits, \(.apply_us / .batches | floor) us applying and \(.commit_us / .batches | floor) us committing each"'))"
}
# shellcheck disable=SC2086  # the three values are words
median3() { printf '%s\n' $1 | sort -g | sed -n 2p; }
for _ in 1 2 3; do
    nt_round working "$SMTP_PORT"
    nt_round hung "$(cat "$NT/hang.port")"
done
idle=$(median3 "${NT_P99[working]}")
hung=$(median3 "${NT_P99[hung]}")
echo "bench submit_p99_notify_idle_ms $idle ms"
echo "bench submit_p99_smtp_hung_ms $hung ms"
echo "bench submit_p99_smtp_hung_pct $(awk -v h="$hung" -v i="$idle" 'BEGIN { printf "%.0f", h * 100 / i }') pct"
note "submit p99 (ms) with the SMTP server working:${NT_P99[working]}; hung:${NT_P99[hung]}"
began=$(date +%s%N)
stop notify
note "notify took $(( ($(date +%s%N) - began) / 1000000 )) ms to stop with its workers hung (timeout_ms 3000;" \
     "$NT_STOPPED_MS ms with the SMTP server working): a stop waits for every attempt under way"
stop intake; stop assign
kill $PID_smtp $PID_smtp_sink $PID_sink $PID_hang 2>/dev/null || true
wait $PID_smtp $PID_smtp_sink $PID_sink $PID_hang 2>/dev/null || true
rm -rf "$NT"
note "notify section: $(( $(date +%s) - nt_began )) s"

# 7. The same lifecycles with the stores in memory (/dev/shm), where a
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

# 8. The web gateway on the real intake and assign, in a folder of its own
#    on the disk (7. may have left WORK in memory). First the public
#    lookup: 32 keep-alive connections, one GET /api/lookup outstanding
#    each, every one a LOOKUP to intake; the rate limit per client IP (10
#    a second in production) is raised here for the one IP the load comes
#    from. Beside it the same load on a path no route has (a 404 without
#    a daemon): what libmicrohttpd and the routing cost alone. Then 100
#    staff streams of /events while intake takes submits (bench_gateway
#    sse: each stream's ITEM_RECEIVED timed from the submit's reply, sent
#    after the commit), at 1,000 events a second on the stream (334
#    submits: each makes three events, intake's ITEM_RECEIVED and
#    ITEM_CHANGED and assign's ITEM_CHANGED), then at 1,000 submits
#    (sse_3x_*: three times the events); and the gateway's private memory
#    with the streams still open.
gw_began=$(date +%s)
stop intake; stop assign
GW="$ON_DISK/gateway"
mkdir -p "$GW"
"$BUILD/bin/dunghanctl" cert new --name gateway --role service --dir "$CERTS" >/dev/null
"$BUILD/bin/dunghanctl" cert new --name gateway-web --role gateway --dir "$CERTS" >/dev/null
export DUNGHAN_CONFIG="$GW/dunghan.cfg"
printf 'run_dir = %s\ncerts = %s\nintake\nassign\ngateway\n    http = 127.0.0.1:0\n    lookup_rate_per_s = 100000\nctl\n    cert = %s/ops.cert\n' \
    "$GW" "$CERTS" "$CERTS" >"$DUNGHAN_CONFIG"
WORK=$GW start intake "$BUILD/bin/dunghan-intake" --set calendar="$PWD/deploy/calendar"
WORK=$GW start assign "$BUILD/bin/dunghan-assign"
import_samples
WORK=$GW start gateway "$BUILD/bin/dunghan-gateway"
GW_URL="http://$(sed -n 's/^http=//p' "$GW/gateway.ready")"
BENCH_GW="$BUILD/bench/bench_gateway"
GW_SECONDS=10
# cpu_us_per PID TICKS_BEFORE COUNT: processor time PID used since, per one of COUNT
cpu_us_per() { echo $(( ($(ticks "$1") - $2) * 1000000 / $(getconf CLK_TCK) / $3 )); }
t_gateway=$(ticks "$PID_gateway"); t_intake=$(ticks "$PID_intake")
lookup=$("$BENCH_GW" lookup "$GW_URL" "ipc://$GW/intake.api" 32 $GW_SECONDS)
echo "$lookup"
# Processor time per request, its half-second warm-up counted in: which
# of them bounds the figure (the load generator says its own share).
lookups=$(( $(echo "$lookup" | awk '$2 == "http_lookup_per_s" {print $3}') * (GW_SECONDS * 2 + 1) / 2 ))
note "lookup: processor per lookup: the gateway $(cpu_us_per "$PID_gateway" "$t_gateway" $lookups) us," \
     "intake $(cpu_us_per "$PID_intake" "$t_intake" $lookups) us (the machine has $(nproc) processors)"
t_gateway=$(ticks "$PID_gateway")
floor=$("$BENCH_GW" floor "$GW_URL" 32 $GW_SECONDS)
echo "$floor"
floors=$(( $(echo "$floor" | awk '$2 == "http_floor_404_per_s" {print $3}') * (GW_SECONDS * 2 + 1) / 2 ))
note "floor: processor per 404: the gateway $(cpu_us_per "$PID_gateway" "$t_gateway" $floors) us"
token=$("$BUILD/bin/dunghanctl" token new --staff bd.mc 2>/dev/null)
t_gateway=$(ticks "$PID_gateway"); t_intake=$(ticks "$PID_intake")
began=$(date +%s%N)
"$BENCH_GW" sse "$GW_URL" "$token" "ipc://$GW/intake.api" 100 334 $GW_SECONDS "$PID_gateway"
ms=$(( ($(date +%s%N) - began) / 1000000 ))
note "sse: processor used by the gateway $(cpu_pct "$t_gateway" "$PID_gateway" $ms) %," \
     "intake $(cpu_pct "$t_intake" "$PID_intake" $ms) % (of one)"
BENCH_NAME=sse_3x "$BENCH_GW" sse "$GW_URL" "$token" "ipc://$GW/intake.api" 100 1000 $GW_SECONDS \
    "$PID_gateway"
stop gateway; stop assign; stop intake
note "gateway section: $(( $(date +%s) - gw_began )) s"
