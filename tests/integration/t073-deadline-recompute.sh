# The deadline daemon alone, driven over the real link by a stand-in for
# assign: a holiday added next week moves exactly the clocks that cross
# it; a calendar file with a bad row is refused and changes nothing; what
# assign would never send (an unknown item, a pause of a stopped clock)
# is refused with a clear word in the log and changes nothing; bad
# queries get clear errors.
. tests/lib.sh
dh_with_deadline
CALENDAR="$DH_DIR/calendar"
cp -r "$DH_ROOT/deploy/calendar" "$CALENDAR"
MONDAY=$(dh_ms "2026-06-01 09:00")
dh_start deadline "$DH_BIN/dunghan-deadline" --set calendar="$CALENDAR" --set test_clock_start="$MONDAY"
dh_start assign "$DH_HELPERS/clocksend"
send() { "$DH_HELPERS/clocksend" send "ipc://$DH_DIR/assign.api" "$1"; }

send "SHORT item start $MONDAY unit=U1 hours=16"
send "MIDDLE item start $MONDAY unit=U1 hours=40"
send "LONG item start $MONDAY unit=U2 hours=80"
send "DONE item start $MONDAY unit=U2 hours=80"
send "DONE item stop $MONDAY end=finished"
dh_wait_clock DONE outcome EARLY
dh_expect_eq "short" "2026-06-03T09:00:00+07:00" "$(dh_clock SHORT due_at_local)"
dh_expect_eq "middle" "2026-06-08T09:00:00+07:00" "$(dh_clock MIDDLE due_at_local)"
dh_expect_eq "long" "2026-06-15T09:00:00+07:00" "$(dh_clock LONG due_at_local)"

# Friday 5 June becomes a day off: MIDDLE and LONG cross it, SHORT does
# not, DONE is stopped.
printf '2026-06-05,0,Ngày nghỉ bổ sung (test)\n' >>"$CALENDAR/holidays-2026.csv"
reply=$(dh_ctl recompute --json)
dh_expect_eq "recomputed" "3 2 2 0 86400000 172800000" \
    "$(printf '%s' "$reply" | jq -r '"\(.clocks) \(.moved) \(.moved_later) \(.moved_earlier) \(.max_shift_ms) \(.total_shift_ms)"')"
dh_expect_eq "short after" "2026-06-03T09:00:00+07:00" "$(dh_clock SHORT due_at_local)"
dh_expect_eq "middle after" "2026-06-09T09:00:00+07:00" "$(dh_clock MIDDLE due_at_local)"
dh_expect_eq "long after" "2026-06-16T09:00:00+07:00" "$(dh_clock LONG due_at_local)"
# The breach follows the new due time: nothing fires on the old one.
dh_ctl time set --service deadline "2026-06-08 10:00" >/dev/null
sleep 0.2
dh_expect_eq "not breached on the old due time" false "$(dh_clock MIDDLE breached)"
dh_ctl time set --service deadline "2026-06-09 10:00" >/dev/null
dh_wait_clock MIDDLE breached true

# A calendar file with a bad row: refused, naming the file, nothing moves.
cp "$CALENDAR/holidays-2026.csv" "$DH_DIR/good.csv"
printf '2026-13-45,0,không có ngày này\n' >>"$CALENDAR/holidays-2026.csv"
out=$(dh_ctl recompute 2>&1) && dh_fail "a bad calendar was taken"
case "$out" in *E_INVALID*holidays-2026.csv*) ;; *) dh_fail "bad calendar: $out" ;; esac
dh_expect_eq "long unchanged" "2026-06-16T09:00:00+07:00" "$(dh_clock LONG due_at_local)"
# ... and the calendar in force is still the one with the holiday.
cp "$DH_DIR/good.csv" "$CALENDAR/holidays-2026.csv"
dh_expect_eq "again: nothing moves" "0" "$(dh_ctl recompute --json | jq -r .moved)"

# What assign would never send is refused, logged, and changes nothing;
# the next message still applies.
send "NOPE item pause $MONDAY"
send "DONE item pause $MONDAY"
send "LATER item start $MONDAY unit=U1 hours=8"
dh_wait_clock LATER unit U1
grep -q "CLOCK_CHANGE from assign refused: no clock for item NOPE" "$DH_DIR/deadline.log" \
    || dh_fail "the unknown item's refusal is not in the log"
grep -q "CLOCK_CHANGE from assign refused: the clock of DONE is stopped" "$DH_DIR/deadline.log" \
    || dh_fail "the stopped clock's refusal is not in the log"
dh_expect_eq "DONE stays stopped" "EARLY false" "$(dh_clock DONE outcome) $(dh_clock DONE paused)"
out=$(dh_ctl clock NOPE 2>&1) && dh_fail "a clock of an unknown item was shown"
case "$out" in *E_NOT_FOUND*NOPE*) ;; *) dh_fail "unknown item: $out" ;; esac
out=$(dh_ctl stats --unit U1 --from 2026-06-31 --to 2026-07-01 2>&1) && dh_fail "a bad date was taken"
case "$out" in *E_INVALID*YYYY-MM-DD*) ;; *) dh_fail "bad date: $out" ;; esac
out=$(dh_ctl stats --unit U1 --from 2026-07-01 --to 2026-06-01 2>&1) && dh_fail "a backwards period was taken"
case "$out" in *E_RANGE*) ;; *) dh_fail "backwards period: $out" ;; esac
