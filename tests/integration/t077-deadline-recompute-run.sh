# A recompute over many clocks runs in turns of recompute_batch, each a
# transaction of its own, with commands served in between: while it runs,
# a second RECOMPUTE is refused (E_BUSY) and recompute-status says how far
# it got; killed -9 in the middle, the daemon goes on after the last clock
# committed when it starts again, and ends having recomputed every open
# clock exactly once (a recompute after it moves nothing).
. tests/lib.sh
dh_with_deadline
CALENDAR="$DH_DIR/calendar"
cp -r "$DH_ROOT/deploy/calendar" "$CALENDAR"
N=40000
start_deadline() {
    dh_start deadline "$DH_BIN/dunghan-deadline" --set calendar="$CALENDAR" --set recompute_batch=50 \
        --set test_clock_start="$(dh_ms "2026-06-01 08:00")"
}
start_deadline
# The benchmark's stand-in for assign loads the clocks over the real link:
# item i received on day i × 20 / N from Monday 1 June, 80 working hours.
dh_start assign "$BUILD/bench/bench_deadline" assign
"$BUILD/bench/bench_deadline" load "ipc://$DH_DIR/assign.api" 0 $N at="$(dh_ms "2026-06-01 09:00")" \
    spread_days=20 hours=80 units=2 >/dev/null || dh_fail "the clocks did not load"
dh_expect_eq "loaded" 40000 "$(dh_ctl stats --from 2026-06-01 --to 2026-06-30 --json | jq -r .received)"
status() { dh_ctl recompute-status --json | jq -r "$1"; }
out=$(dh_ctl recompute-status 2>&1) && dh_fail "a status of no recompute: $out"
case "$out" in *E_NOT_FOUND*"no recompute"*) ;; *) dh_fail "no recompute yet: $out" ;; esac

# Monday 15 June becomes a day off: the clocks received before it and due
# after it move a working day later.
printf '2026-06-15,0,Ngày nghỉ bổ sung (test)\n' >>"$CALENDAR/holidays-2026.csv"
started=$(dh_ctl recompute --no-wait --json)
dh_expect_eq "started" "true $N 0 ops" \
    "$(printf '%s' "$started" | jq -r '"\(.running) \(.total) \(.checked // 0) \(.by)"')"
out=$(dh_ctl recompute 2>&1) && dh_fail "a second recompute was taken while one runs: $out"
case "$out" in *E_BUSY*"under way"*) ;; *) dh_fail "second recompute: $out" ;; esac
# Served between turns: a status mid-run, then killed there.
before=$(status '"\(.running) \(.checked // 0)"')
kill -9 "$(cat "$DH_DIR/deadline.pid")"
wait "$(cat "$DH_DIR/deadline.pid")" 2>/dev/null || true
case "$before" in
    "true "*) checked=${before#true }
              [ "$checked" -lt $N ] || dh_fail "killed after the run: $before" ;;
    *) dh_fail "the run was over before the kill (it should take hundreds of turns): $before" ;;
esac
start_deadline
for _ in $(seq 1 600); do
    [ "$(status .running)" = false ] && break
    sleep 0.1
done
dh_expect_eq "every clock once" "false $N $N" "$(status '"\(.running) \(.checked) \(.clocks)"')"
moved=$(status .moved)
[ "$moved" -gt 0 ] && [ "$moved" -lt $N ] || dh_fail "moved $moved of $N"
# Later by a day, or by three when the next day is the weekend's.
dh_expect_eq "all later" "$moved 0" "$(status '"\(.moved_later) \(.moved_earlier // 0)"')"
max=$(status .max_shift_ms)
[ "$max" -ge 86400000 ] && [ "$max" -le 259200000 ] || dh_fail "the largest shift: $max ms"
grep -q "recompute asked by ops done: $N open clocks, $moved moved" "$DH_DIR/deadline.log" \
    || dh_fail "the end of the run is not in the log"
# Nothing was left on the old calendar, and nothing moved twice.
dh_expect_eq "again" "false 0" "$(dh_ctl recompute --json | jq -r '"\(.running) \(.moved // 0)"')"
