# The gateway loses events of a daemon's feed (stopped while intake keeps
# only 10 events for it): it says `event: gap` on /events, fetches
# intake's state (the Clone pattern) and passes it on, one `event:
# snapshot` per dossier between snapshot-begin and snapshot-end, then goes
# on with the live events.
. tests/lib.sh
printf 'gateway\n' >>"$DH_CONFIG"
dh_start_work --set events_queue=10
dh_start_gateway
TOKEN=$(dh_ctl token new --staff bd.mc 2>/dev/null)
EVENTS="$DH_DIR/events.txt"
curl -sS -N -m 60 -H "Authorization: Bearer $TOKEN" "$DH_HTTP/events" >"$EVENTS" 2>/dev/null &
echo $! >"$DH_DIR/events.pid"
DH_NAMES="$DH_NAMES events"
for i in $(seq 1 100); do grep -q '^: connected' "$EVENTS" && break; sleep 0.05; done
grep -q '^: connected' "$EVENTS" || dh_fail "the event stream never opened"

# A live event first: the gateway now stands at a seq of intake's feed.
submit() {
    DUNGHAN_ACTOR=bd.mc dh_ctl submit --procedure 1.003583.000.00.00.H26 --name "Lê Văn Nam" --id 001088001122 \
        >/dev/null || dh_fail "submit"
}
submit
for i in $(seq 1 100); do grep -q '"type":"ITEM_RECEIVED"' "$EVENTS" && break; sleep 0.05; done
grep -q '"type":"ITEM_RECEIVED"' "$EVENTS" || dh_fail "the first event never came"

# The gateway stopped while thousands of events go by: intake's feed
# drops what its socket and 10 queued events cannot hold.
GATEWAY_PID=$(sed -n 's/^pid=//p' "$DH_DIR/gateway.ready")
kill -STOP "$GATEWAY_PID"
DUNGHAN_CERT=$(dh_cert submitload) "$DH_HELPERS/submitload" "ipc://$DH_DIR/intake.api" 3000 32 \
    "$DH_DIR/acked.txt" >/dev/null 2>&1 || { kill -CONT "$GATEWAY_PID"; dh_fail "the load failed"; }
kill -CONT "$GATEWAY_PID"
# Once more live: the event after the loss shows the gap if none did.
submit
for i in $(seq 1 200); do grep -q '^event: snapshot-end' "$EVENTS" && break; sleep 0.05; done
grep -q '^event: gap' "$EVENTS" || dh_fail "no gap was said: $(grep '^event:' "$EVENTS" | sort | uniq -c)"
grep -q '^event: snapshot-begin' "$EVENTS" || dh_fail "no snapshot began"
end=$(grep -A1 '^event: snapshot-end' "$EVENTS" | sed -n 's/^data: //p' | grep '"daemon":"intake"' | head -n 1)
[ -n "$end" ] || dh_fail "intake's snapshot never ended: $(grep '^event:' "$EVENTS" | sort | uniq -c)"
# Every dossier intake held when asked came as a snapshot item, with its
# state: the load's and the first single one, and the one submitted just
# after if it was in before the gateway asked.
loaded=$(LC_ALL=C sort -u "$DH_DIR/acked.txt" | wc -l)
[ "$loaded" -gt 2000 ] || dh_fail "only $loaded of the load's dossiers were acknowledged"
count=$(printf '%s' "$end" | jq .count)
[ "$count" -eq $((loaded + 1)) ] || [ "$count" -eq $((loaded + 2)) ] \
    || dh_fail "intake's snapshot held $count items; $loaded + 1 or 2 dossiers were received"
items=$(grep -A1 '^event: snapshot$' "$EVENTS" | sed -n 's/^data: //p' | grep -c '"daemon":"intake"')
dh_expect_eq "snapshot events of intake" "$count" "$items"
grep -A1 '^event: snapshot$' "$EVENTS" | sed -n 's/^data: //p' | head -n 1 \
    | jq -e '.key and .type == "ITEM_CHANGED" and .payload.state' >/dev/null \
    || dh_fail "a snapshot item lacks its key or state: $(grep -A1 '^event: snapshot$' "$EVENTS" | head -n 2)"
grep -q 'feed dropped events' "$DH_DIR/gateway.log" || dh_fail "the gateway's log does not say what happened"

# Live again after it: a new dossier's event comes as usual.
before=$(grep -c '"type":"ITEM_RECEIVED"' "$EVENTS")
submit
for i in $(seq 1 100); do [ "$(grep -c '"type":"ITEM_RECEIVED"' "$EVENTS")" -gt "$before" ] && break; sleep 0.05; done
[ "$(grep -c '"type":"ITEM_RECEIVED"' "$EVENTS")" -gt "$before" ] || dh_fail "no live event after the snapshot"
echo ok
