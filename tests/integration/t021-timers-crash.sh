# Timers under kill -9: a service schedules 10,000 timers in its store and
# fires each, in the transaction that takes it from the schedule, as a
# count in its own store and a link message to a receiver. Both are killed
# at random moments and restarted. At the end every timer has fired
# exactly once on both sides: effect and outbox entry committed together.
. tests/lib.sh
N=${DH_TIMERS:-10000}
KILLS=${DH_TIMER_KILLS:-16}
LINKTEST="$DH_HELPERS/linktest"
start_receiver() { dh_start receiver "$LINKTEST" receiver; }
start_timers() {
    dh_start timers "$DH_HELPERS/timertest" --set test_clock=0 --set count="$N" --set spread_ms=5000 --set per_turn=50
}
count() { "$LINKTEST" count "ipc://$DH_DIR/receiver.api" 2>/dev/null | sed 's/ .*//'; }

start_receiver
start_timers
for round in $(seq 1 "$KILLS"); do
    sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
    if [ $((RANDOM % 3)) = 0 ]; then victim=receiver; else victim=timers; fi
    dh_kill "$victim"
    echo "round $round: killed $victim at $(count || echo '?')"
    if [ "$victim" = timers ]; then start_timers; else start_receiver; fi
done
applied=""
for i in $(seq 1 600); do
    applied=$(count)
    [ "$applied" = "applied=$N" ] && break
    sleep 0.1
done
dh_expect_eq "applied at the receiver" "applied=$N" "$applied"
left=$("$LINKTEST" count "ipc://$DH_DIR/timers.api" | sed 's/.* //')
dh_expect_eq "timers left in the schedule" "scheduled=0" "$left"
dh_stop timers
dh_stop receiver
"$LINKTEST" verify "$DH_DIR/receiver.lmdb" "$N" || dh_fail "a timer's message lost or applied twice"
"$LINKTEST" verify "$DH_DIR/timers.lmdb" "$N" || dh_fail "a timer's effect lost or applied twice"
echo "$KILLS kills, $N timers, each fired exactly once"

# Under the test clock nothing fires until a CLOCK command moves time
# past it; then the timers re-arm and fire what fell due, no more. The
# helper gets a section, as a deployed daemon has, so dunghanctl asks it.
rm -rf "$DH_DIR/timers.lmdb" "$DH_DIR/receiver.lmdb"
printf 'timers\n' >>"$DH_CONFIG"
start_receiver
dh_start timers "$DH_HELPERS/timertest" --set count=100 --set spread_ms=10000
sleep 0.3
fired() { "$LINKTEST" count "ipc://$DH_DIR/timers.api" | sed 's/ .*//'; }
dh_expect_eq "fired before the clock moved" "fired=1" "$(fired)"
dh_ctl time advance 4950ms --service timers >/dev/null
for i in $(seq 1 50); do [ "$(fired)" = "fired=50" ] && break; sleep 0.1; done
dh_expect_eq "fired once the clock passed half of them" "fired=50" "$(fired)"
dh_ctl time advance 5000 --service timers >/dev/null
for i in $(seq 1 50); do [ "$(fired)" = "fired=100" ] && break; sleep 0.1; done
dh_expect_eq "fired once the clock passed them all" "fired=100" "$(fired)"
for i in $(seq 1 100); do [ "$(count)" = "applied=100" ] && break; sleep 0.1; done
dh_expect_eq "applied at the receiver" "applied=100" "$(count)"
