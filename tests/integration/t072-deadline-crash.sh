# Every warning and breach fires exactly once: across a kill -9 of assign
# while it sends clock messages, and of the deadline daemon while it fires.
# A stand-in for notify counts what it is told per clock; the figures
# equal a recount from the clocks. Then a burst of 10,000 clocks falling
# due at once fires in bounded batches while submits go on.
. tests/lib.sh
dh_with_deadline
printf 'notify\n' >>"$DH_CONFIG"
dh_start notify "$DH_HELPERS/noticecount"
dh_start_work
dh_ctl catalog import "$DH_ROOT/deploy/catalog/steps.csv" >/dev/null
BATCH=10
dh_start_deadline --set fire_batch=$BATCH
dh_ctl time set "2026-03-02 09:00" >/dev/null
SUBMIT="$DH_HELPERS/submitload ipc://$DH_DIR/intake.api"
PROCEDURE=1.003583.000.00.00.H26      # 24 working hours: due Thursday 09:00
notices() { "$DH_HELPERS/linktest" count "ipc://$DH_DIR/notify.api"; }
received() {
    dh_ctl stats --unit BD.TP --from 2026-03-01 --to 2026-03-31 --json | jq -r .received_in_person
}
wait_for() {
    local what=$1 want=$2 i
    for i in $(seq 1 300); do
        [ "$($what)" = "$want" ] && return 0
        sleep 0.1
    done
    dh_fail "$what: wanted '$want', got '$($what)'"
}

$SUBMIT 150 4 "$DH_DIR/acked1" $PROCEDURE >/dev/null
# assign dies while it passes clock messages on; restarted, it goes on.
$SUBMIT 150 4 "$DH_DIR/acked2" $PROCEDURE >/dev/null &
load=$!
sleep 0.2
dh_kill assign
wait $load
dh_start assign "$DH_BIN/dunghan-assign" --set test_clock_start="$(dh_ms '2026-03-02 09:00')"
wait_for received 300

# Due within three working days from receipt: each item and its first
# step are warned of once the clock moves.
dh_ctl time advance 1m >/dev/null
wait_for notices "warnings=600 breaches=0 stops=0 duplicates=0"

# Thursday 10:00: 600 breaches due, fired $BATCH at a time; the deadline
# daemon is killed as it starts, and fires the rest once back.
dh_ctl time set "2026-03-05 10:00" >/dev/null
dh_kill deadline
[ "$(notices)" != "warnings=600 breaches=600 stops=0 duplicates=0" ] || dh_fail "all fired before the kill"
dh_start_deadline --set fire_batch=$BATCH --set test_clock_start="$(dh_ms '2026-03-05 10:00')"
wait_for notices "warnings=600 breaches=600 stops=0 duplicates=0"
grep -q "fired $BATCH, a full batch" "$DH_DIR/deadline.log" || dh_fail "no full batch of $BATCH was logged"
if sed -n 's/.*deadline: fired \([0-9]*\),.*/\1/p' "$DH_DIR/deadline.log" | awk -v b=$BATCH '$1 > b' | grep -q .; then
    dh_fail "a batch fired more than $BATCH"
fi
stats=$(dh_ctl stats --unit BD.TP --from 2026-03-01 --to 2026-03-31 --json)
dh_expect_eq "open overdue" "300 300" "$(printf '%s' "$stats" | jq -r '"\(.in_progress) \(.open_overdue)"')"
columns='[.received_in_person, .in_progress, .open_within, .open_overdue] | join(" ")'
dh_expect_eq "stats equal the recount" \
    "$(dh_ctl recount --unit BD.TP --from 2026-03-01 --to 2026-03-31 --json | jq -r "$columns")" \
    "$(printf '%s' "$stats" | jq -r "$columns")"
dh_expect_eq "overdue list" 300 "$(dh_ctl overdue --unit BD.TP --json | jq '.entries | length')"
