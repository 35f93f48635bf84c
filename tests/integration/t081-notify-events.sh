# What intake, assign and deadline tell dunghan-notify: one NotifyEvent
# per thing an applicant or an official must hear, over the link, in the
# transaction of the change. A recorder stands in for notify
# (tests/helpers/eventrecorder: service "notify", one line per event).
# First without a `notify` section: nobody tells it and all works (as in
# every other test, whose configuration has none).
. tests/lib.sh
RECORDER="$DH_HELPERS/eventrecorder"
dh_with_deadline
dh_start_work
dh_start_deadline
dh_ctl time set "2026-03-02 09:00" >/dev/null

state_of() { dh_field "$(dh_ctl status "$1" --json)" state; }
assign_state_of() { dh_field "$(dh_ctl assignment "$1" --json)" state; }
wait_state() {
    local i
    for i in $(seq 1 100); do [ "$(state_of "$1")" = "$2" ] && return 0; sleep 0.05; done
    dh_fail "intake never saw $1 $2 (it is $(state_of "$1"))"
}
wait_assign_state() {
    local i
    for i in $(seq 1 100); do [ "$(assign_state_of "$1")" = "$2" ] && return 0; sleep 0.05; done
    dh_fail "assign never saw $1 $2 (it is $(assign_state_of "$1"))"
}
holder() { dh_field "$(dh_ctl assignment "$1" --json)" handler; }
token() { dh_field "$(dh_ctl assignment "$1" --json)" step_token; }
as_holder() {
    local code=$1; shift
    DUNGHAN_ACTOR=$(holder "$code") dh_ctl "$@"
}
peers() { dh_ctl service-status "$1" --json | jq -r '[.peers[].peer] | join(",")'; }
# A Hanoi time in UTC ms, as the daemons' test clock reads it.

BIRTH=1.003583.000.00.00.H26    # 24 h, 24 h to supplement, BD.TP, agency 000.10.01.H26
BIRTH_NAME="Cấp bản sao trích lục khai sinh (birth certificate copy)"
submit() {
    DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure $BIRTH --id 001088001122 "$@"
}

# ---------------------------------------------------- no notify section
for name in intake assign deadline; do
    grep -q 'no notify section in the configuration; notify is not told' "$DH_DIR/$name.log" \
        || dh_fail "$name did not say it runs without notify"
done
dh_expect_eq "intake's peers without notify" assign "$(peers intake)"
dh_expect_eq "assign's peers without notify" intake,deadline "$(peers assign)"
code=$(dh_field "$(submit --name "Trần Văn Bình" --notify email --email binh@example.vn)" code)
wait_state "$code" ASSIGNED
as_holder "$code" step start "$code" --token "$(token "$code")" --node "Thẩm định hồ sơ" >/dev/null
as_holder "$code" resolve "$code" --token "$(token "$code")" >/dev/null
wait_state "$code" RESOLVED

# ------------------------------------------- a notify section: the recorder
dh_stop deadline
dh_stop assign
dh_stop intake
printf 'notify\n' >>"$DH_CONFIG"
dh_start notify "$RECORDER"
dh_start intake "$DH_BIN/dunghan-intake" --set calendar="$DH_ROOT/deploy/calendar"
dh_start assign "$DH_BIN/dunghan-assign"
dh_start_deadline
dh_ctl time set "2026-03-02 09:00" >/dev/null
dh_expect_eq "intake's peers with notify" assign,notify "$(peers intake)"
dh_expect_eq "assign's peers with notify" intake,deadline,notify "$(peers assign)"
dh_expect_eq "deadline's peers with notify" intake,notify "$(peers deadline)"

NOTIFY_API="ipc://$DH_DIR/notify.api"
recorded() { DUNGHAN_CERT=$(dh_cert ops) "$RECORDER" dump "$NOTIFY_API"; }
# expect_events WHAT CODE EXPECTED: once as many lines are recorded for
# CODE as EXPECTED has, they are those lines. Intake, assign and deadline
# each send over their own link, so only each sender's own lines keep
# their order: both sides are compared sorted.
expect_events() {
    local what=$1 code=$2 expected=$3 count i
    count=$(printf '%s\n' "$expected" | grep -c .)
    for i in $(seq 1 100); do
        [ "$(recorded | grep -c "^[a-z_]* $code ")" -ge "$count" ] && break; sleep 0.05
    done
    dh_expect_eq "$what" "$(printf '%s\n' "$expected" | LC_ALL=C sort)" \
        "$(recorded | grep "^[a-z_]* $code " | LC_ALL=C sort)"
}
# line EVENT CODE KEY=VALUE...: the line the recorder prints, "-" and 0
# where a field is not given.
line() {
    local event=$1 code=$2; shift 2
    local staff=- channels=- applicant=- email=- phone=- due=0 new_due=0 counter=- reason=- papers=- \
          unit=- procedure=- at=0 pair
    for pair in "$@"; do local "$pair"; done
    echo "$event $code staff=$staff channels=$channels applicant=$applicant email=$email phone=$phone" \
         "due=$due new_due=$new_due counter=$counter reason=$reason papers=$papers unit=$unit" \
         "procedure=$procedure at=$at"
}
t0=$(dh_ms "2026-03-02 09:00")

# A dossier's whole life: received with the applicant's contact and
# channels, routed to a handler, papers asked for and supplied, resolved,
# returned. Starting a step, supplying papers tell nobody.
reply=$(submit --name "Nguyễn Thị Hoa" --email hoa@example.vn --phone 0912345678 --notify email --notify sms)
a=$(dh_field "$reply" code); due_a=$(dh_field "$reply" due_at)
wait_state "$a" ASSIGNED
ha=$(holder "$a")
dh_ctl time set "2026-03-03 09:00" >/dev/null; t1=$(dh_ms "2026-03-03 09:00")
as_holder "$a" step start "$a" --token 1 --node "Thẩm định hồ sơ" >/dev/null
as_holder "$a" supplement request "$a" --token 1 --reason "thiếu giấy tờ" \
    --paper "Bản sao CCCD" --paper "Giấy khai sinh" >/dev/null
wait_state "$a" SUPPLEMENT_REQUESTED
DUNGHAN_ACTOR=bd.mc dh_ctl supplement provide "$a" >/dev/null
wait_assign_state "$a" IN_PROGRESS
dh_ctl time set "2026-03-03 14:00" >/dev/null; t2=$(dh_ms "2026-03-03 14:00")
as_holder "$a" resolve "$a" --token 1 >/dev/null
wait_state "$a" RESOLVED
DUNGHAN_ACTOR=bd.mc dh_ctl return "$a" >/dev/null
wait_state "$a" RETURNED
expect_events "the events of a whole life" "$a" "$(
    line received "$a" channels=email,sms "applicant=Nguyễn Thị Hoa" email=hoa@example.vn phone=0912345678 \
        due="$due_a" unit=BD.TP "procedure=$BIRTH_NAME" at="$t0"
    line assigned "$a" staff="$ha" due="$due_a" unit=BD.TP at="$t0"
    line supplement_requested "$a" due="$due_a" "reason=thiếu giấy tờ" \
        "papers=Bản sao CCCD; Giấy khai sinh" unit=BD.TP at="$t1"
    line result_ready "$a" due="$due_a" unit=BD.TP at="$t2"
    line returned "$a" due="$due_a" unit=BD.TP at="$t2")"

# Not accepted at the counter (with no contact and no channel chosen:
# received says so); withdrawn by the applicant: nothing more.
reply=$(submit --name "Lê Văn Cường")
b=$(dh_field "$reply" code); due_b=$(dh_field "$reply" due_at)
wait_state "$b" ASSIGNED
hb=$(holder "$b")
DUNGHAN_ACTOR=bd.mc dh_ctl not-accept "$b" --reason "không thuộc thẩm quyền" >/dev/null
wait_assign_state "$b" REJECTED
reply=$(submit --name "Đỗ Thị Dung" --phone +84912000111 --notify zalo)
c=$(dh_field "$reply" code); due_c=$(dh_field "$reply" due_at)
wait_state "$c" ASSIGNED
hc=$(holder "$c")
DUNGHAN_ACTOR=bd.mc dh_ctl withdraw "$c" --reason "người dân rút hồ sơ" >/dev/null
wait_assign_state "$c" WITHDRAWN
expect_events "not accepted at the counter" "$b" "$(
    line received "$b" "applicant=Lê Văn Cường" due="$due_b" unit=BD.TP \
        "procedure=$BIRTH_NAME" at="$t2"
    line assigned "$b" staff="$hb" due="$due_b" unit=BD.TP at="$t2"
    line not_accepted "$b" due="$due_b" "reason=không thuộc thẩm quyền" unit=BD.TP \
        "procedure=$BIRTH_NAME" at="$t2")"
expect_events "withdrawn" "$c" "$(
    line received "$c" channels=zalo "applicant=Đỗ Thị Dung" phone=+84912000111 due="$due_c" \
        unit=BD.TP "procedure=$BIRTH_NAME" at="$t2"
    line assigned "$c" staff="$hc" due="$due_c" unit=BD.TP at="$t2")"

# Handed on (each new holder hears it, with why), then refused after
# examination: the applicant hears it as not accepted, with the reason.
reply=$(submit --name "Phạm Văn Minh")
d=$(dh_field "$reply" code); due_d=$(dh_field "$reply" due_at)
wait_state "$d" ASSIGNED
old=$(holder "$d"); new=bdtp.cv1; [ "$old" = bdtp.cv1 ] && new=bdtp.cv2
DUNGHAN_ACTOR=bdtp.tp dh_ctl reassign "$d" --handler "$new" --reason "nghỉ phép" >/dev/null
DUNGHAN_ACTOR=bdtp.tp dh_ctl transfer "$d" --unit CG.TP --reason "đúng thẩm quyền" >/dev/null
hd=$(holder "$d")
as_holder "$d" step start "$d" --token "$(token "$d")" --node "Thẩm định" >/dev/null
as_holder "$d" resolve "$d" --token "$(token "$d")" --refuse --reason "không đủ điều kiện" >/dev/null
wait_state "$d" REJECTED
expect_events "handed on and refused" "$d" "$(
    line received "$d" "applicant=Phạm Văn Minh" due="$due_d" unit=BD.TP \
        "procedure=$BIRTH_NAME" at="$t2"
    line assigned "$d" staff="$old" due="$due_d" unit=BD.TP at="$t2"
    line assigned "$d" staff="$new" due="$due_d" "reason=nghỉ phép" unit=BD.TP at="$t2"
    line assigned "$d" staff="$hd" due="$due_d" "reason=đúng thẩm quyền" unit=CG.TP at="$t2"
    line not_accepted "$d" due="$due_d" "reason=không đủ điều kiện" unit=CG.TP at="$t2")"

# An apology: the head hears it is waiting for approval; approved, the
# applicant hears of the new appointment. One refused tells nobody.
reply=$(submit --name "Vũ Thị Lan"); e=$(dh_field "$reply" code); due_e=$(dh_field "$reply" due_at)
reply=$(submit --name "Hoàng Văn Nam"); f=$(dh_field "$reply" code); due_f=$(dh_field "$reply" due_at)
dh_wait_clock "$e" open_step "$e|s|0001"; dh_wait_clock "$f" open_step "$f|s|0001"
he=$(holder "$e"); hf=$(holder "$f")
new_due="2026-03-12 17:00"
as_holder "$e" apology draft "$e" --new-due "$new_due" --reason "chờ xác minh" >/dev/null
as_holder "$f" apology draft "$f" --new-due "$new_due" --reason "chờ xác minh" >/dev/null
dh_ctl time set "2026-03-03 15:00" >/dev/null; t3=$(dh_ms "2026-03-03 15:00")
DUNGHAN_ACTOR=bdtp.tp dh_ctl apology approve "$e" >/dev/null
DUNGHAN_ACTOR=bdtp.tp dh_ctl apology refuse "$f" --reason "không có căn cứ" >/dev/null
expect_events "an apology approved" "$e" "$(
    line received "$e" "applicant=Vũ Thị Lan" due="$due_e" unit=BD.TP \
        "procedure=$BIRTH_NAME" at="$t2"
    line assigned "$e" staff="$he" due="$due_e" unit=BD.TP at="$t2"
    line apology_to_approve "$e" staff=bdtp.tp due="$due_e" new_due="$(dh_ms "$new_due")" \
        "reason=chờ xác minh" unit=BD.TP at="$t2"
    line apology "$e" due="$due_e" new_due="$(dh_ms "$new_due")" "reason=chờ xác minh" unit=BD.TP at="$t3")"
expect_events "an apology refused" "$f" "$(
    line received "$f" "applicant=Hoàng Văn Nam" due="$due_f" unit=BD.TP \
        "procedure=$BIRTH_NAME" at="$t2"
    line assigned "$f" staff="$hf" due="$due_f" unit=BD.TP at="$t2"
    line apology_to_approve "$f" staff=bdtp.tp due="$due_f" new_due="$(dh_ms "$new_due")" \
        "reason=chờ xác minh" unit=BD.TP at="$t2")"

# The applicant's time to bring the papers runs out: intake makes the
# dossier not accepted on the deadline daemon's word, and tells it.
reply=$(submit --name "Bùi Văn Hải"); g=$(dh_field "$reply" code); due_g=$(dh_field "$reply" due_at)
wait_state "$g" ASSIGNED
hg=$(holder "$g")
as_holder "$g" step start "$g" --token 1 --node "Thẩm định hồ sơ" >/dev/null
as_holder "$g" supplement request "$g" --token 1 --reason "thiếu giấy tờ" --paper "Tờ khai" >/dev/null
dh_wait_clock "$g" paused true
dh_ctl time set "2026-03-09 09:00" >/dev/null; t4=$(dh_ms "2026-03-09 09:00")
wait_state "$g" REJECTED
expect_events "supplementation not made in time" "$g" "$(
    line received "$g" "applicant=Bùi Văn Hải" due="$due_g" unit=BD.TP \
        "procedure=$BIRTH_NAME" at="$t3"
    line assigned "$g" staff="$hg" due="$due_g" unit=BD.TP at="$t3"
    line supplement_requested "$g" due="$due_g" "reason=thiếu giấy tờ" papers="Tờ khai" unit=BD.TP at="$t3"
    line not_accepted "$g" due="$due_g" "reason=the missing papers were not supplied in time" unit=BD.TP \
        "procedure=$BIRTH_NAME" at="$t4")"

# Nothing else was told, of the dossier from before notify or twice: the
# recorder printed each line once, after its commit, as it recorded them.
dh_expect_eq "lines recorded" 26 "$(recorded | grep -c .)"
dh_expect_eq "nothing before notify" 0 "$(recorded | grep -c " $code " || true)"
sleep 0.3
dh_expect_eq "printed once each, in order" "$(recorded)" "$(cat "$DH_DIR/notify.log" | grep '^[a-z_]* [0-9]')"
