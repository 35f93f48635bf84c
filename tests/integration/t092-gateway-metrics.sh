# /metrics and health against the real daemons: the scrape passes
# Prometheus's own linter (promtool check metrics, no finding at all)
# before and after items fall overdue; the histograms agree with the
# daemons' counters; a unit's overdue items land in the age buckets they
# belong to; notify's deliveries, failures and dead letters are counted;
# a link whose peer is down shows its depth and the time of its oldest
# batch. dunghanctl health prints every daemon's release, uptime, store
# and links, asks the gateway over HTTP (/healthz), and exits 1 naming
# the daemon that is down or the link that lags.
. tests/lib.sh
PY=/usr/bin/python3
"$PY" "$DH_ROOT/tests/helpers/httpsink.py" "$DH_DIR/http.port" "$DH_DIR/http.log" --secret s3cret \
    >>"$DH_DIR/httpsink.log" 2>&1 &
echo $! >"$DH_DIR/httpsink.pid"
DH_NAMES="$DH_NAMES httpsink"
for _ in $(seq 1 100); do [ -s "$DH_DIR/http.port" ] && break; sleep 0.05; done
# Nothing listens there: every SMS fails.
CLOSED=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dh_with_deadline
cat >>"$DH_CONFIG" <<EOF
notify
    sms_url = http://127.0.0.1:$CLOSED/sms
    webhook_url = http://127.0.0.1:$(cat "$DH_DIR/http.port")/hook
    webhook_secret = s3cret
    timeout_ms = 1000
    backoff_ms = 60000
    backoff_cap_ms = 60000
    max_attempts = 2
gateway
    timeout_ms = 1000
EOF
dh_start notify "$DH_BIN/dunghan-notify" --set test_clock_start="$(dh_ms "2026-03-02 09:00")"
dh_start_work
dh_start_deadline
dh_start_gateway
dh_ctl time set "2026-03-02 09:00" >/dev/null
dh_ctl notify templates "$DH_ROOT/deploy/templates/templates.txt" >/dev/null
dh_ctl notify contacts "$DH_ROOT/deploy/org/staff.csv" >/dev/null
COPY=1.003583.000.00.00.H26     # birth certificate copy, BD.TP, due 3 working days on
submit() {
    dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure $COPY --name "Nguyễn Thị Lan" \
                --id 001199003456 --phone 0912345678 --notify sms "$@")" code
}

SCRAPE="$DH_DIR/metrics.txt"
scrape() {
    curl -sS -D "$DH_DIR/headers.txt" -o "$SCRAPE" "$DH_HTTP/metrics" || dh_fail "GET /metrics failed"
}
# lint WHEN: promtool finds nothing to say, not even a lint warning.
lint() {
    local said
    said=$(promtool check metrics <"$SCRAPE" 2>&1) || dh_fail "promtool check metrics ($1) failed: $said"
    [ -z "$said" ] || dh_fail "promtool check metrics ($1) said: $said"
}
# metric 'NAME{LABELS}': its value in the last scrape ("" when absent).
metric() { awk -v name="$1" '$1 == name { print $2 }' "$SCRAPE"; }
# wait_metric 'NAME{LABELS}' TEST VALUE: scrape until [ value TEST VALUE ] (10 s at most).
wait_metric() {
    local i
    for i in $(seq 1 100); do
        scrape
        [ -n "$(metric "$1")" ] && [ "$(metric "$1")" "$2" "$3" ] && return 0
        sleep 0.1
    done
    dh_fail "$1 never $2 $3 (it is '$(metric "$1")')"
}

# ---------------------------------------------------- a scrape, linted
a=$(submit); b=$(submit)
# Notifications: the webhook takes every event; each SMS fails, once for
# now (its retry waits a minute of the test clock, which stands still).
wait_metric 'dunghan_notifications_sent_total{daemon="notify",channel="webhook"}' -ge 2
wait_metric 'dunghan_notifications_failed_total{daemon="notify",channel="sms"}' -eq 2
dh_expect_eq "no dead letter yet" 0 "$(metric 'dunghan_notifications_dead_total{daemon="notify",channel="sms"}')"
dh_expect_eq "two SMS waiting" 2 "$(metric 'dunghan_notifications_queued{daemon="notify",channel="sms"}')"
dh_ctl time set "2026-03-03 09:00" >/dev/null
c=$(submit)
for code in $a $b $c; do dh_wait_clock "$code" open_step "$code|s|0001"; done
scrape
grep -qi '^content-type: text/plain; version=0.0.4' "$DH_DIR/headers.txt" \
    || dh_fail "/metrics is not Prometheus text: $(cat "$DH_DIR/headers.txt")"
lint "after three submits"
for family in dunghan_commit_duration_seconds dunghan_batch_messages dunghan_queue_overdue_age_seconds; do
    grep -qx "# TYPE $family histogram" "$SCRAPE" || dh_fail "$family is not a histogram"
done

# The histograms count batches: for each daemon, as many commits timed
# and sized as batches, the +Inf bucket holding them all, buckets never
# going down, and the sizes adding up to the messages applied.
for daemon in intake assign deadline notify; do
    l="{daemon=\"$daemon\"}"
    batches=$(metric "dunghan_batches_total$l")
    [ "${batches:-0}" -gt 0 ] || dh_fail "$daemon: no batches in /metrics"
    dh_expect_eq "$daemon: commits timed" "$batches" "$(metric "dunghan_commit_duration_seconds_count$l")"
    dh_expect_eq "$daemon: batches sized" "$batches" "$(metric "dunghan_batch_messages_count$l")"
    dh_expect_eq "$daemon: +Inf" "$batches" \
        "$(metric "dunghan_commit_duration_seconds_bucket{daemon=\"$daemon\",le=\"+Inf\"}")"
    dh_expect_eq "$daemon: sizes add up" "$(metric "dunghan_messages_total$l")" \
        "$(metric "dunghan_batch_messages_sum$l")"
    grep "^dunghan_commit_duration_seconds_bucket{daemon=\"$daemon\"," "$SCRAPE" \
        | awk '$2 < last { exit 1 } { last = $2 }' || dh_fail "$daemon: commit buckets go down"
    dh_expect_eq "$daemon: version" 1 "$(metric "dunghan_build_info{daemon=\"$daemon\",version=\"0.1.0\"}")"
done
# Intake told assign of three dossiers; its store is in use.
[ "$(metric 'dunghan_messages_out_total{daemon="intake"}')" -ge 3 ] || dh_fail "intake's messages out: $(metric 'dunghan_messages_out_total{daemon="intake"}')"
[ "$(metric 'dunghan_map_used_bytes{daemon="intake"}')" -gt 0 ] || dh_fail "intake's map in use is 0"
dh_expect_eq "nothing overdue yet" 0 "$(metric 'dunghan_queue_overdue_age_seconds_count{unit="BD.TP"}')"

# ------------------------------------------ overdue, by how late (t075)
# Thursday 10:30: the two dossiers of Monday are an hour and a half past
# their due time (Thursday 09:00); Tuesday's is due on Friday.
dh_ctl time set "2026-03-05 10:30" >/dev/null
dh_wait_clock "$a" breached true
dh_wait_clock "$b" breached true
wait_metric 'dunghan_queue_overdue_age_seconds_count{unit="BD.TP"}' -eq 2
lint "with items overdue"
dh_expect_eq "overdue items" 2 "$(metric 'dunghan_queue_overdue_items{unit="BD.TP"}')"
dh_expect_eq "late an hour at most" 0 "$(metric 'dunghan_queue_overdue_age_seconds_bucket{unit="BD.TP",le="3600"}')"
dh_expect_eq "late four hours at most" 2 "$(metric 'dunghan_queue_overdue_age_seconds_bucket{unit="BD.TP",le="14400"}')"
dh_expect_eq "+Inf" 2 "$(metric 'dunghan_queue_overdue_age_seconds_bucket{unit="BD.TP",le="+Inf"}')"
dh_expect_eq "seconds late in all" 10800 "$(metric 'dunghan_queue_overdue_age_seconds_sum{unit="BD.TP"}')"
# Every SMS was tried a second time and given up: as many dead letters
# counted as notify keeps.
wait_metric 'dunghan_notifications_dead_total{daemon="notify",channel="sms"}' -ge 3
dead=$(dh_ctl notify dead --json | jq '[.notifications[] | select (.channel == "sms")] | length')
wait_metric 'dunghan_notifications_dead_letters{daemon="notify",channel="sms"}' -eq "$dead"

# ---------------------------------------------------------- health
dh_ctl health >"$DH_DIR/health.txt" || dh_fail "health with all up: $(cat "$DH_DIR/health.txt")"
for daemon in intake assign deadline notify; do
    grep -Eq "^$daemon +up, version 0\.1\.0, uptime [0-9]+[smhd].*, store [0-9.]+ MiB of a 64 MiB map \([0-9.]+ %\)" \
        "$DH_DIR/health.txt" || dh_fail "health of $daemon: $(cat "$DH_DIR/health.txt")"
done
grep -q "^intake .*links: assign 0 waiting" "$DH_DIR/health.txt" || dh_fail "intake's link: $(cat "$DH_DIR/health.txt")"
grep -Eq "^gateway +up, version 0\.1\.0, uptime [0-9]+[smhd].*, web $DH_HTTP \(healthz: ok\)" "$DH_DIR/health.txt" \
    || dh_fail "the gateway is not asked over HTTP: $(cat "$DH_DIR/health.txt")"
json=$(dh_ctl health --json)
dh_expect_eq "every one ok" "true" "$(printf '%s' "$json" | jq '[.[].ok] | all')"
dh_expect_eq "the gateway over http" "http" "$(printf '%s' "$json" | jq -r '.[] | select (.service == "gateway") | .via')"
healthz=$(curl -sS "$DH_HTTP/healthz")
dh_expect_eq "healthz" "ok 0.1.0 up" "$(printf '%s' "$healthz" | jq -r '"\(.status) \(.version) \(.daemons.intake)"')"
curl -sS "$DH_HTTP/api/openapi.json" | jq -e '.paths["/healthz"].get' >/dev/null \
    || dh_fail "openapi.json does not describe /healthz"
# The gateway has no clock and no audit chain: skipped, not down.
dh_ctl time advance 1m >"$DH_DIR/out.txt" || dh_fail "time advance with the gateway: $(cat "$DH_DIR/out.txt")"
grep -q "^gateway   skipped" "$DH_DIR/out.txt" || dh_fail "time advance does not skip the gateway: $(cat "$DH_DIR/out.txt")"
dh_ctl audit verify >"$DH_DIR/out.txt" || dh_fail "audit verify with the gateway: $(cat "$DH_DIR/out.txt")"
grep -q "^gateway   skipped" "$DH_DIR/out.txt" || dh_fail "audit verify does not skip the gateway"

# A link whose peer is down: intake's batch for assign waits, its time
# in /metrics; two minutes on, health names the lag, unless allowed.
dh_stop assign
d=$(submit)
wait_metric 'dunghan_outbox_depth{daemon="intake",peer="assign"}' -eq 1
dh_expect_eq "oldest batch" $(($(dh_ms "2026-03-05 10:31") / 1000)) \
    "$(metric 'dunghan_outbox_oldest_entry_timestamp_seconds{daemon="intake",peer="assign"}')"
dh_ctl time advance 2m >/dev/null 2>&1 || true
if dh_ctl health >"$DH_DIR/health.txt" 2>&1; then dh_fail "health with assign down"; fi
grep -q "^assign    down" "$DH_DIR/health.txt" || dh_fail "assign not down: $(cat "$DH_DIR/health.txt")"
grep -q "^intake .*assign 1 waiting (oldest 120 s),.*; PROBLEM: link to assign: .* 120 s (over 60)" \
    "$DH_DIR/health.txt" || dh_fail "intake's lag not named: $(cat "$DH_DIR/health.txt")"
dh_expect_eq "a lag allowed" "true" \
    "$(dh_ctl health --max-lag 300 --json 2>/dev/null | jq '.[] | select (.service == "intake") | .ok')"
dh_start assign "$DH_BIN/dunghan-assign"
wait_metric 'dunghan_outbox_depth{daemon="intake",peer="assign"}' -eq 0
dh_ctl health >/dev/null || dh_fail "health once assign is back"

# A daemon killed: named, exit 1; the gateway still up, its healthz degraded.
dh_kill deadline
if dh_ctl health >"$DH_DIR/health.txt" 2>&1; then dh_fail "health with deadline killed"; fi
grep -q "^deadline  down" "$DH_DIR/health.txt" || dh_fail "deadline not down: $(cat "$DH_DIR/health.txt")"
grep -q "^gateway   up.*(healthz: degraded)" "$DH_DIR/health.txt" || dh_fail "gateway: $(cat "$DH_DIR/health.txt")"
dh_expect_eq "healthz of a deadline killed" "degraded down" \
    "$(curl -sS "$DH_HTTP/healthz" | jq -r '"\(.status) \(.daemons.deadline)"')"
scrape
lint "with deadline down"
dh_expect_eq "deadline down in /metrics" 0 "$(metric 'dunghan_up{daemon="deadline"}')"
dh_start_deadline
dh_kill gateway
if dh_ctl health >"$DH_DIR/health.txt" 2>&1; then dh_fail "health with the gateway killed"; fi
grep -q "^gateway   down: no answer at $DH_HTTP/healthz" "$DH_DIR/health.txt" \
    || dh_fail "gateway not down: $(cat "$DH_DIR/health.txt")"
grep -q "^deadline  up" "$DH_DIR/health.txt" || dh_fail "deadline not back: $(cat "$DH_DIR/health.txt")"
