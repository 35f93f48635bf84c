# A follower of the feeds that loses events (dh_subscriber) names the gap,
# reads a snapshot of the daemon's state and ends with exactly the state a
# fresh follower reads at the end: (a) a reader that stalls while intake's
# feed keeps only 10 events for it, recovering page by page while more
# dossiers come in; (b) a reader away (stopped) while assign and intake
# restart, so that what they publish before it reconnects is lost to it.
. tests/lib.sh
dh_start_work --set events_queue=10
MIRROR="$DH_HELPERS/feedmirror"
LOAD="$DH_HELPERS/submitload"
INTAKE_API="ipc://$DH_DIR/intake.api"
: >"$DH_DIR/acked.txt"

# mirror NAME OPTIONS...: a follower of intake and assign in the
# background (the harness stops it at exit); its state goes to NAME.out.
mirror() {
    local name=$1; shift
    "$MIRROR" "$@" intake assign >"$DH_DIR/$name.out" 2>"$DH_DIR/$name.log" &
    echo $! >"$DH_DIR/$name.pid"
    DH_NAMES="$DH_NAMES $name"
    local i
    for i in $(seq 1 200); do [ -e "$DH_DIR/$name.ready" ] && return 0; sleep 0.05; done
    dh_fail "$name never read its first snapshots: $(cat "$DH_DIR/$name.log")"
}
# finish NAME: the follower printed its state (it does when idle) and exited 0.
finish() {
    local status=0
    wait "$(cat "$DH_DIR/$1.pid")" || status=$?
    rm -f "$DH_DIR/$1.pid"
    [ "$status" = 0 ] || dh_fail "$1 ended with status $status: $(tail -5 "$DH_DIR/$1.log")"
}
load() {
    "$LOAD" "$INTAKE_API" "$1" "$2" "$DH_DIR/acked.part" >/dev/null
    cat "$DH_DIR/acked.part" >>"$DH_DIR/acked.txt"
}
# Every link message applied: everything the daemons will publish is out.
drained() {
    local i a b
    for i in $(seq 1 200); do
        a=$(dh_ctl service-status intake --json | jq '.peers[0] | .last_seq - .acked_seq')
        b=$(dh_ctl service-status assign --json | jq '.peers[0] | .last_seq - .acked_seq')
        [ "$a" = 0 ] && [ "$b" = 0 ] && return 0
        sleep 0.1
    done
    dh_fail "the links never drained"
}
# same_as_fresh NAME: NAME's final state is what a follower started now
# reads, and that is the truth: every dossier acknowledged, each routed
# (ASSIGNED at both daemons), at the seqs the daemons stand at.
same_as_fresh() {
    drained
    "$MIRROR" --once intake assign >"$DH_DIR/fresh.out" 2>"$DH_DIR/fresh.log" ||
        dh_fail "a fresh follower failed: $(cat "$DH_DIR/fresh.log")"
    diff "$DH_DIR/fresh.out" "$DH_DIR/$1.out" >"$DH_DIR/$1.diff" ||
        dh_fail "$1 ended unlike a fresh follower ($(wc -l <"$DH_DIR/$1.diff") diff lines): $(head -8 "$DH_DIR/$1.diff")"
    local acked service
    acked=$(LC_ALL=C sort -u "$DH_DIR/acked.txt" | wc -l)
    [ "$acked" -gt 0 ] || dh_fail "no dossier acknowledged"
    for service in intake assign; do
        dh_expect_eq "$service's items" "$acked" "$(grep -c "^$service .* ASSIGNED " "$DH_DIR/fresh.out")"
        dh_expect_eq "$service's seq" "# $service seq $(dh_field "$(dh_ctl service-status $service --json)" event_seq)" \
            "$(grep "^# $service seq" "$DH_DIR/fresh.out")"
    done
    LC_ALL=C sort -u "$DH_DIR/acked.txt" >"$DH_DIR/acked.sorted"
    awk '$1 == "intake" { print $2 }' "$DH_DIR/$1.out" | diff "$DH_DIR/acked.sorted" - >"$DH_DIR/acked.diff" ||
        dh_fail "$1's dossiers are not those acknowledged: $(head -8 "$DH_DIR/acked.diff")"
}

# (a) A stalled reader: it follows 200 dossiers live, then reads nothing
# while 3,000 come (the feed keeps 10 events for it, its socket 10), and
# recovers in pages of 50 while 1,500 more come.
mirror a --queue 10 --page 50 --check 200 --idle 3000 --ready "$DH_DIR/a.ready" --pause "$DH_DIR/a.pause"
load 200 8
touch "$DH_DIR/a.pause"
load 3000 16
"$LOAD" "$INTAKE_API" 1500 4 "$DH_DIR/acked.late" >/dev/null &
late=$!
rm "$DH_DIR/a.pause"
wait "$late"
cat "$DH_DIR/acked.late" >>"$DH_DIR/acked.txt"
finish a
grep -q "^# intake: events .* lost" "$DH_DIR/a.log" || dh_fail "the stalled reader lost nothing: $(cat "$DH_DIR/a.log")"
grep -q "^# intake: recovery snapshot" "$DH_DIR/a.log" || dh_fail "no recovery snapshot: $(cat "$DH_DIR/a.log")"
same_as_fresh a
echo "(a) $(grep -c "lost" "$DH_DIR/a.log") gaps, $(grep -c "recovery snapshot" "$DH_DIR/a.log") recovery snapshots"

# (b) A reader away while the daemons restart: stopped, it cannot
# reconnect, so what the restarted daemons publish before it comes back
# is lost to it, and it has no later event to show the gap: its quiet
# check finds it.
mirror b --queue 10 --check 200 --idle 3000 --ready "$DH_DIR/b.ready"
load 100 4
kill -STOP "$(cat "$DH_DIR/b.pid")"
dh_stop assign
load 200 4
dh_start assign "$DH_BIN/dunghan-assign"
drained
dh_stop intake
dh_start intake "$DH_BIN/dunghan-intake" --set calendar="$DH_ROOT/deploy/calendar" --set events_queue=10
load 100 4
drained
kill -CONT "$(cat "$DH_DIR/b.pid")"
finish b
grep -q "^# assign: events .* lost" "$DH_DIR/b.log" || dh_fail "the reader away lost nothing of assign: $(cat "$DH_DIR/b.log")"
grep -q "^# assign: recovery snapshot" "$DH_DIR/b.log" || dh_fail "no recovery snapshot: $(cat "$DH_DIR/b.log")"
grep -q "went back" "$DH_DIR/b.log" && dh_fail "a restart is no store replaced: $(cat "$DH_DIR/b.log")"
same_as_fresh b
echo "(b) $(grep -c "lost" "$DH_DIR/b.log") gaps, $(grep -c "recovery snapshot" "$DH_DIR/b.log") recovery snapshots"
