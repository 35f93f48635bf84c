# The daily queue summary: at queue_summary_at (07:30 Hanoi time by
# default) assign tells dunghan-notify, once per handler who holds open
# items, how many they hold. Exactly once a day: a restart the same day
# sends nothing more, the next day sends again with that day's counts,
# a long walk goes in batches. Then through the real dunghan-notify: the
# summary is logged under its day and its mail says the counts.
. tests/lib.sh
RECORDER="$DH_HELPERS/eventrecorder"
# A Hanoi time in UTC ms, as the daemons' test clock reads it.
# Every daemon starts on Monday 07:00, before the summary's time; one
# restarted goes on at the time it is given.
for name in intake assign notify; do
    printf '%s\n    test_clock_start = %s\n' "$name" "$(dh_ms "2026-03-02 07:00")" >>"$DH_CONFIG"
done
dh_start notify "$RECORDER"
dh_start_work

NOTIFY_API="ipc://$DH_DIR/notify.api"
recorded() { DUNGHAN_CERT=$(dh_cert ops) "$RECORDER" dump "$NOTIFY_API"; }
summaries() { recorded | grep '^queue_summary ' || true; }
# wait_lines PATTERN COUNT: until the recorder holds COUNT lines matching.
wait_lines() {
    local i
    for i in $(seq 1 100); do
        [ "$(recorded | grep -c -- "$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
    dh_fail "wanted $2 lines matching '$1'; have: $(recorded)
assign said: $(grep 'queue summary' "$DH_DIR/assign.log")"
}
# wait_log TEXT [COUNT]: until assign's log says TEXT (COUNT times).
wait_log() {
    local i
    for i in $(seq 1 100); do
        [ "$(grep -cF -- "$1" "$DH_DIR/assign.log")" -ge "${2:-1}" ] && return 0
        sleep 0.05
    done
    dh_fail "assign never logged '$1'"
}
holder() { dh_field "$(dh_ctl assignment "$1" --json)" handler; }
wait_holder() {
    local i
    for i in $(seq 1 100); do [ -n "$(holder "$1")" ] && return 0; sleep 0.05; done
    dh_fail "$1 was never given a handler"
}
token() { dh_field "$(dh_ctl assignment "$1" --json)" step_token; }
LAND=1.004227.000.00.00.H26     # SO-TNMT.VPDK: handlers vpdk.cv1 and vpdk.cv2
BIRTH=1.003583.000.00.00.H26    # BD.TP
submit() {
    local code
    code=$(dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure "$1" --id 001088001122 \
        --name "Nguyễn Văn A")" code)
    wait_holder "$code"
    echo "$code"
}
# summary STAFF UNIT OPEN AT: the line the recorder prints for it.
summary() {
    echo "queue_summary - staff=$1 channels=- applicant=- email=- phone=- due=0 new_due=0 counter=-" \
         "reason=- papers=- unit=$2 procedure=- at=$4 open=$3 overdue=0"
}

grep -q 'queue summary to each handler holding open items daily at 07:30' "$DH_DIR/assign.log" \
    || dh_fail "assign did not say when it sends the summary"
wait_log "queue summary of 2026-03-02 not due yet; the next at 2026-03-02T07:30:00+07:00"

# Three land dossiers go to the two handlers of VPDK, the one with fewer
# first: vpdk.cv1 holds two, vpdk.cv2 one. A birth certificate handled
# and resolved leaves its handler with none: they are not told.
l1=$(submit $LAND); l2=$(submit $LAND); l3=$(submit $LAND)
dh_expect_eq "land holders" "vpdk.cv1 vpdk.cv2 vpdk.cv1" "$(holder "$l1") $(holder "$l2") $(holder "$l3")"
b=$(submit $BIRTH); hb=$(holder "$b")
DUNGHAN_ACTOR=$hb dh_ctl step start "$b" --token "$(token "$b")" --node "Thẩm định hồ sơ" >/dev/null
DUNGHAN_ACTOR=$hb dh_ctl resolve "$b" --token "$(token "$b")" >/dev/null
# Before 07:30 nothing is told (the assigned events are, for a sync).
wait_lines "^assigned " 4
dh_expect_eq "summaries before 07:30" "" "$(summaries)"

# ------------------------------------------------------- Monday 07:30
dh_ctl time set "2026-03-02 07:30" >/dev/null
t1=$(dh_ms "2026-03-02 07:30")
wait_lines "^queue_summary " 2
wait_log "queue summary of 2026-03-02: 2 told"
sleep 0.2
dh_expect_eq "Monday's summaries" "$(summary vpdk.cv1 SO-TNMT.VPDK 2 "$t1"
                                    summary vpdk.cv2 SO-TNMT.VPDK 1 "$t1")" "$(summaries)"

# Later that day the clock moves on and assign restarts: nothing more.
dh_ctl time set "2026-03-02 10:00" >/dev/null
dh_stop assign
dh_start assign "$DH_BIN/dunghan-assign" --set test_clock_start="$(dh_ms "2026-03-02 10:00")" \
    --set queue_summary_batch=1
wait_log "queue summary of 2026-03-02 sent already; the next at 2026-03-03T07:30:00+07:00"
# The day changes hands: one land dossier more (to vpdk.cv2, who holds
# fewer), one of vpdk.cv1's withdrawn.
l4=$(submit $LAND)
dh_expect_eq "the fourth's holder" vpdk.cv2 "$(holder "$l4")"
DUNGHAN_ACTOR=bd.mc dh_ctl withdraw "$l1" --reason "người dân rút hồ sơ" >/dev/null
for _ in $(seq 1 100); do
    [ "$(dh_field "$(dh_ctl assignment "$l1" --json)" state)" = WITHDRAWN ] && break; sleep 0.05
done
wait_lines "^assigned " 5
sleep 0.2
dh_expect_eq "after a restart the same day" 2 "$(summaries | wc -l)"

# ------------------------------------------------------ Tuesday 07:30
# With queue_summary_batch=1 the walk over the three handlers who ever
# held an item takes a turn each, commands served between: the birth
# certificate's handler (none left: not told), vpdk.cv1, vpdk.cv2.
dh_ctl time set "2026-03-03 07:30" >/dev/null
t2=$(dh_ms "2026-03-03 07:30")
wait_lines "^queue_summary " 4
wait_log "queue summary of 2026-03-03: " 3
sleep 0.2
dh_expect_eq "Tuesday's summaries" "$(summary vpdk.cv1 SO-TNMT.VPDK 2 "$t1"
                                     summary vpdk.cv2 SO-TNMT.VPDK 1 "$t1"
                                     summary vpdk.cv1 SO-TNMT.VPDK 1 "$t2"
                                     summary vpdk.cv2 SO-TNMT.VPDK 2 "$t2")" "$(summaries)"
dh_expect_eq "Tuesday's turns" "0 told, more in the next turn
1 told, more in the next turn
1 told" "$(sed -n 's/.*queue summary of 2026-03-03: //p' "$DH_DIR/assign.log")"

# A day without assign running sends that day's when it is back, once;
# the day before is not sent late. (Thursday 09:00: Wednesday is gone.)
dh_stop assign
dh_start assign "$DH_BIN/dunghan-assign" --set test_clock_start="$(dh_ms "2026-03-05 09:00")"
t3=$(dh_ms "2026-03-05 09:00")
wait_lines "^queue_summary " 6
wait_log "queue summary of 2026-03-05: 2 told"
dh_expect_eq "Thursday's, late" "$(summary vpdk.cv1 SO-TNMT.VPDK 1 "$t3"
                                  summary vpdk.cv2 SO-TNMT.VPDK 2 "$t3")" "$(summaries | tail -n 2)"
dh_expect_eq "no Wednesday" 0 "$(grep -c 'queue summary of 2026-03-04' "$DH_DIR/assign.log" || true)"

# Off: nothing on Friday. A time that is not one is refused at start.
dh_stop assign
dh_start assign "$DH_BIN/dunghan-assign" --set test_clock_start="$(dh_ms "2026-03-05 09:00")" \
    --set queue_summary_at=off
grep -q 'no daily queue summary (queue_summary_at is off)' "$DH_DIR/assign.log" || dh_fail "off not said"
dh_ctl time set "2026-03-06 08:00" >/dev/null
l5=$(submit $LAND)          # assign works (and had its turn to send)
wait_lines "^assigned " 6
sleep 0.2
dh_expect_eq "summaries when off" 6 "$(summaries | wc -l)"
dh_stop assign
status=0
"$DH_BIN/dunghan-assign" --set queue_summary_at=7h30 >"$DH_DIR/bad.log" 2>&1 || status=$?
dh_expect_eq "a bad time's exit status" 78 "$status"
grep -q "queue_summary_at '7h30' is neither a time HH:MM (Hanoi) nor off" "$DH_DIR/bad.log" \
    || dh_fail "the bad time is not named: $(cat "$DH_DIR/bad.log")"

# --------------------------------------------- through the real notify
# A new deployment in the same folder, with dunghan-notify itself: the
# summary is logged under its day, and its mail (waiting on a mail
# server that is down) says the counts.
dh_stop notify
dh_stop intake
rm -rf "$DH_DIR"/*.lmdb
SMTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'notify\n    smtp_url = smtp://127.0.0.1:%s\n' "$SMTP_PORT" >>"$DH_CONFIG"
dh_start notify "$DH_BIN/dunghan-notify"
dh_start_work
dh_ctl notify templates "$DH_ROOT/deploy/templates/templates.txt" >/dev/null
dh_ctl notify contacts "$DH_ROOT/deploy/org/staff.csv" >/dev/null
submit $LAND >/dev/null
dh_ctl time set "2026-03-02 07:30" >/dev/null
log() { dh_ctl notify log queue-2026-03-02 --json | jq -r '.notifications[] | "\(.event)|\(.recipient)|\(.address)|\(.subject)"'; }
for _ in $(seq 1 100); do [ -n "$(log)" ] && break; sleep 0.05; done
dh_expect_eq "notify's log of the day" \
    "queue_summary|vpdk.cv1|vpdk.cv1@example.hanoi.gov.vn|Tổng hợp hồ sơ đang xử lý: 1 hồ sơ" "$(log)"
body=$(dh_ctl notify log queue-2026-03-02 --json | jq -r '.notifications[0].body')
for want in "Kính gửi đồng chí Phạm Thị Dung," "tại SO-TNMT.VPDK:" "- Số hồ sơ đang xử lý: 1" \
            "- Trong đó, số hồ sơ đã quá hạn: 0"; do
    case "$body" in *"$want"*) ;; *) dh_fail "the mail does not say '$want': $body" ;; esac
done
echo "summaries: Monday 2, none after a restart, Tuesday 2 in 3 turns, Thursday 2 late, none when off; notify logs and words them"
