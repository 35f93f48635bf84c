# The reliable link under kill -9: a sender writes N numbered messages to
# its outbox, a receiver applies each to a counter in LMDB; both are killed
# at random moments, many times, and restarted. At the end every number
# must have been applied exactly once.
. tests/lib.sh
N=${DH_LINK_MESSAGES:-120000}
KILLS=${DH_LINK_KILLS:-16}
LINKTEST="$DH_HELPERS/linktest"
start_receiver() { dh_start receiver "$LINKTEST" receiver; }
start_sender() { dh_start sender "$LINKTEST" sender --set count="$N" --set per_tick=100 --set tick_ms=5; }

start_receiver
start_sender
for round in $(seq 1 "$KILLS"); do
    sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
    if [ $((RANDOM % 2)) = 0 ]; then victim=sender; else victim=receiver; fi
    dh_kill "$victim"
    echo "round $round: killed $victim at $("$LINKTEST" count "ipc://$DH_DIR/receiver.api" 2>/dev/null | cut -d' ' -f1 || echo '?')"
    if [ "$victim" = sender ]; then start_sender; else start_receiver; fi
done
applied=""
for i in $(seq 1 600); do
    applied=$("$LINKTEST" count "ipc://$DH_DIR/receiver.api" | sed 's/ .*//')
    [ "$applied" = "applied=$N" ] && break
    sleep 0.1
done
dh_stop sender
dh_stop receiver
"$LINKTEST" verify "$DH_DIR/receiver.lmdb" "$N" || dh_fail "messages lost or applied twice"
echo "$KILLS kills, $N messages, each applied exactly once"
