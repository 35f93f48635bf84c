# The event feed, through `dunghanctl watch`: every committed change of a
# dossier's life is published by intake and by assign, in order, numbered
# per daemon without gaps; the numbering is kept in the store, so a
# restarted daemon goes on where it stopped instead of starting at 1.
. tests/lib.sh
# A short queue for slow subscribers, so that the last part can overflow it.
printf 'intake\n    events_queue = 100\nassign\n    events_queue = 100\n' >>"$DH_CONFIG"
dh_start_work
WATCH="$DH_DIR/watch.jsonl"
# The watcher is one more process the harness stops at exit.
"$DH_BIN/dunghanctl" watch --json >"$WATCH" 2>"$DH_DIR/watch.log" &
echo $! >"$DH_DIR/watch.pid"
DH_NAMES="$DH_NAMES watch"

submit() {
    dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
                --name "Lê Thị Hoa" --id 001188002233)" code
}
# events SERVICE CODE: that daemon's events for one item, "TYPE STATE" a line.
events() {
    jq -r --arg s "$1" --arg c "$2" 'select (.service == $s and .payload.code == $c)
        | "\(.type) \(.payload.state // "-")"' "$WATCH"
}
# seen SERVICE CODE STATE: wait until the watcher printed it.
seen() {
    local i
    for i in $(seq 1 100); do
        events "$1" "$2" | grep -q " $3\$" && return 0
        sleep 0.05
    done
    return 1
}
# A subscriber joins in the background and misses what came before: send
# probes until one shows from both daemons; from then on it sees all.
joined() {
    local i probe
    for i in $(seq 1 20); do
        probe=$(submit)
        seen intake "$probe" ASSIGNED && seen assign "$probe" ASSIGNED && return 0
    done
    dh_fail "the watcher never received an event"
}
joined

# One dossier's whole life.
code=$(submit)
seen assign "$code" ASSIGNED || dh_fail "$code was never routed"
assignment=$(dh_ctl assignment "$code" --json)
holder=$(dh_field "$assignment" handler)
token=$(dh_field "$assignment" step_token)
DUNGHAN_ACTOR=$holder dh_ctl step start "$code" --token "$token" --node "thẩm định" >/dev/null
DUNGHAN_ACTOR=$holder dh_ctl step complete "$code" --token "$token" --content "đủ điều kiện" >/dev/null
DUNGHAN_ACTOR=$holder dh_ctl resolve "$code" --token "$token" >/dev/null
DUNGHAN_ACTOR=bd.mc dh_ctl return "$code" >/dev/null
seen intake "$code" RETURNED || dh_fail "intake never published $code as returned"
life="ITEM_CHANGED ASSIGNED
ITEM_CHANGED IN_PROGRESS
ITEM_CHANGED IN_PROGRESS
ITEM_CHANGED RESOLVED
ITEM_CHANGED RETURNED"
dh_expect_eq "assign's events for $code" "$life" "$(events assign "$code")"
dh_expect_eq "intake's events for $code" "ITEM_RECEIVED -
$life" "$(events intake "$code")"

# Numbered per daemon, one by one, with nothing dropped, and the watcher
# reported no gap.
for service in intake assign; do
    gaps=$(jq -s --arg s "$service" '[.[] | select (.service == $s) | .seq]
        | [range (1; length) as $i | select (.[$i] != .[$i - 1] + 1)] | length' "$WATCH")
    dh_expect_eq "$service's sequence has no gap" 0 "$gaps"
done
grep -q "dropped" "$DH_DIR/watch.log" && dh_fail "the watcher reported dropped events: $(cat "$DH_DIR/watch.log")"

# The numbering survives a restart: what assign published last is what
# its store says after it comes back, and the next event follows it.
last=$(jq -s '[.[] | select (.service == "assign") | .seq] | max' "$WATCH")
dh_expect_eq "assign's event seq before the restart" "$last" \
    "$(dh_field "$(dh_ctl service-status assign --json)" event_seq)"
dh_stop assign
dh_start assign "$DH_BIN/dunghan-assign"
dh_expect_eq "assign's event seq after the restart" "$last" \
    "$(dh_field "$(dh_ctl service-status assign --json)" event_seq)"
joined
first=$(jq -s --argjson last "$last" '[.[] | select (.service == "assign" and .seq > $last) | .seq] | min' "$WATCH")
[ "$first" != null ] && [ "$first" -gt "$last" ] || dh_fail "assign's events after the restart: '$first' after $last"

# A bad invocation is refused with a clear message and exit status 2.
status=0; out=$("$DH_BIN/dunghanctl" watch --count 0 2>&1) || status=$?
dh_expect_eq "--count 0" 2 "$status"
case "$out" in *"positive number"*) ;; *) dh_fail "unclear refusal: $out" ;; esac
# With nothing published, --idle ends the watch with exit status 1.
status=0; "$DH_BIN/dunghanctl" watch --idle 300 >/dev/null 2>&1 || status=$?
dh_expect_eq "idle watch" 1 "$status"

# A watcher too slow for the feed (stopped here): the daemons drop what it
# cannot take and carry on without waiting for it, and the watcher names
# the gap instead of hiding it.
kill -STOP "$(cat "$DH_DIR/watch.pid")"
"$DH_HELPERS/submitload" "ipc://$DH_DIR/intake.api" 5000 16 "$DH_DIR/acked.txt" >/dev/null
kill -CONT "$(cat "$DH_DIR/watch.pid")"
joined
for i in $(seq 1 100); do grep -q "dropped" "$DH_DIR/watch.log" && break; sleep 0.05; done
grep -q "intake: events .* were dropped by the feed" "$DH_DIR/watch.log" ||
    dh_fail "no gap reported after the watcher fell behind: $(cat "$DH_DIR/watch.log")"
