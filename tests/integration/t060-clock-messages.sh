# What assign tells the deadline daemon: one ClockChange per clock that
# moves, over the link, in the order the item moved. A recorder stands in
# for dunghan-deadline (tests/helpers/clockrecorder: service "deadline",
# one line per message). Also: the process steps of the catalog
# (steps.csv), which the item clock carries; a supplementation deadline
# missed (SUPPLEMENT_EXPIRED from deadline); and without a `deadline`
# section, nothing is sent and everything works as before.
. tests/lib.sh
RECORDER="$DH_HELPERS/clockrecorder"
dh_start_work

# ------------------------------------------------------------ steps.csv
steps_csv="$DH_ROOT/deploy/catalog/steps.csv"
reply=$(dh_ctl catalog import "$steps_csv" --json)
dh_expect_eq "steps imported" "$(grep -vc '^#\|^procedure_code,' "$steps_csv")" "$(dh_field "$reply" rows)"
grep -q 'catalog steps imported, [0-9]* steps of 7 procedures, by ops' "$DH_DIR/intake.log" \
    || dh_fail "intake did not log the steps import"
# A file with one bad row is refused whole, naming its line; its good
# rows (a one-step process for 1.003583) are not kept.
header='procedure_code,node,hours,role'
good='1.003583.000.00.00.H26,Một bước,1,clerk'
refused=0
bad_row() {
    local row=$1 why=$2 out
    printf '# a comment\n%s\n%s\n%s\n' "$header" "$good" "$row" >"$DH_DIR/steps.csv"
    out=$(dh_ctl catalog import "$DH_DIR/steps.csv" 2>&1) && dh_fail "steps row '$row' accepted"
    case "$out" in *E_INVALID*"steps line 4: $why"*) ;; *) dh_fail "steps row '$row': $out" ;; esac
    refused=$((refused + 1))
}
bad_row '9.999999.000.00.00.H26,Thẩm định,8,handler' 'no such procedure'
bad_row '1.003583.000.00.00.H26,Thẩm định,0,handler' 'hours must be'
bad_row '1.003583.000.00.00.H26,Thẩm định,-2,handler' 'hours must be'
bad_row '1.003583.000.00.00.H26,Thẩm định,10001,handler' 'hours must be'
bad_row '1.003583.000.00.00.H26,Thẩm định,tám,handler' 'hours must be'
bad_row '1.003583.000.00.00.H26,,8,handler' 'node must be'
bad_row '1.003583.000.00.00.H26,Thẩm định,8,boss' 'role must be clerk, handler or head'
bad_row '1.003583.000.00.00.H26,Thẩm định,8' 'wrong number of columns'
printf '%s\n# nothing else\n' "$header" >"$DH_DIR/steps.csv"
out=$(dh_ctl catalog import "$DH_DIR/steps.csv" 2>&1) && dh_fail "an empty steps file was accepted"
case "$out" in *"steps has no steps"*) ;; *) dh_fail "empty steps file: $out" ;; esac
# Importing the procedures again keeps their steps (checked below, on
# the item clock of a dossier received after it).
dh_ctl catalog import "$DH_ROOT/deploy/catalog/procedures.csv" >/dev/null

# -------------------------------------------- no deadline section: as before
grep -q 'no deadline section in the configuration; deadline is not told' "$DH_DIR/assign.log" \
    || dh_fail "assign did not say it runs without deadline"
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
submit() {
    local procedure=$1; shift
    DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure "$procedure" --name "Nguyễn Văn An" \
        --id 001088001122 "$@"
}
code=$(dh_field "$(submit 1.003583.000.00.00.H26)" code)
wait_state "$code" ASSIGNED
handler=$(dh_field "$(dh_ctl assignment "$code" --json)" handler)
DUNGHAN_ACTOR=$handler dh_ctl step start "$code" --token 1 --node "Thẩm định hồ sơ" >/dev/null
DUNGHAN_ACTOR=$handler dh_ctl resolve "$code" --token 1 >/dev/null
wait_state "$code" RESOLVED
dh_expect_eq "assign's peers without deadline" intake \
    "$(dh_ctl service-status assign --json | jq -r '[.peers[].peer] | join(",")')"

# ------------------------------------------- a deadline section: the recorder
dh_stop intake
dh_stop assign
dh_cert deadline service >/dev/null
printf 'deadline\n' >>"$DH_CONFIG"
dh_start deadline "$RECORDER"
dh_start intake "$DH_BIN/dunghan-intake" --set calendar="$DH_ROOT/deploy/calendar"
dh_start assign "$DH_BIN/dunghan-assign"
dh_expect_eq "assign's peers with deadline" intake,deadline \
    "$(dh_ctl service-status assign --json | jq -r '[.peers[].peer] | join(",")')"
DEADLINE_API="ipc://$DH_DIR/deadline.api"
recorded() { DUNGHAN_CERT=$(dh_cert ops) "$RECORDER" dump "$DEADLINE_API"; }
# clocks CODE N: every line recorded for CODE, without its details, once
# there are N.
clocks() {
    local i
    for i in $(seq 1 100); do
        [ "$(recorded | grep -c "^$1 ")" -ge "$2" ] && break; sleep 0.05
    done
    recorded | grep "^$1 " | sed 's/ | .*//'
}
# detail CODE LINE KEY: the value of KEY in the LINE-th line for CODE.
detail() {
    recorded | grep "^$1 " | sed -n "$2p" | awk -F ' [|] ' -v key="$3" \
        '{ for (i = 2; i <= NF; i++) if (index ($i, key "=") == 1) print substr ($i, length (key) + 2) }'
}

# A dossier's whole life: routed, a step, papers missing and supplied, the
# step done, resolved, returned.
reply=$(submit 1.003583.000.00.00.H26 --document "Tờ khai")
a=$(dh_field "$reply" code)
wait_state "$a" ASSIGNED
h=$(dh_field "$(dh_ctl assignment "$a" --json)" handler)
export DUNGHAN_ACTOR=$h
dh_ctl step start "$a" --token 1 --node "Thẩm định hồ sơ" >/dev/null
dh_ctl supplement request "$a" --token 1 --reason "thiếu giấy tờ" --paper "Bản sao CCCD" >/dev/null
wait_state "$a" SUPPLEMENT_REQUESTED
DUNGHAN_ACTOR=bd.mc dh_ctl supplement provide "$a" >/dev/null
wait_assign_state "$a" IN_PROGRESS
dh_ctl step complete "$a" --token 1 --content "đủ điều kiện" >/dev/null
dh_ctl resolve "$a" --token 1 >/dev/null
wait_state "$a" RESOLVED
DUNGHAN_ACTOR=bd.mc dh_ctl return "$a" >/dev/null
unset DUNGHAN_ACTOR
wait_state "$a" RETURNED
expected="$a ITEM_CLOCK CLOCK_START BD.TP - - -
$a STEP_CLOCK CLOCK_START BD.TP $h handling -
$a STEP_CLOCK CLOCK_START BD.TP $h Thẩm định hồ sơ -
$a ITEM_CLOCK CLOCK_PAUSE - - - -
$a ITEM_CLOCK CLOCK_RESUME - - - -
$a STEP_CLOCK CLOCK_STOP BD.TP $h Thẩm định hồ sơ -
$a ITEM_CLOCK CLOCK_STOP - - - END_FINISHED"
dh_expect_eq "clocks of a whole life" "$expected" "$(clocks "$a" 7)"
# The item clock starts with what intake received: the appointment, the
# catalog's time and supplementation rules, the process (steps.csv, kept
# through the procedures' second import), the head of the lead unit.
dh_expect_eq "item clock: at" "$(dh_field "$reply" received_at)" "$(detail "$a" 1 at)"
dh_expect_eq "item clock: due" "$(dh_field "$reply" due_at)" "$(detail "$a" 1 due)"
dh_expect_eq "item clock: procedure" 1.003583.000.00.00.H26 "$(detail "$a" 1 procedure)"
dh_expect_eq "item clock: channel" IN_PERSON "$(detail "$a" 1 channel)"
dh_expect_eq "item clock: hours" 24 "$(detail "$a" 1 hours)"
dh_expect_eq "item clock: supplement" "0 24" "$(detail "$a" 1 restart) $(detail "$a" 1 supplement_hours)"
dh_expect_eq "item clock: head" bdtp.tp "$(detail "$a" 1 head)"
dh_expect_eq "item clock: steps" "Tiếp nhận hồ sơ/clerk/2;Thẩm định hồ sơ/handler/12;Phê duyệt kết quả/head/6;Trả kết quả/clerk/4" \
    "$(detail "$a" 1 steps)"
dh_expect_eq "step clock: head" bdtp.tp "$(detail "$a" 2 head)"
dh_expect_eq "pause: reason" "thiếu giấy tờ" "$(detail "$a" 4 reason)"

# Withdrawn (online; its clock started, then stopped as withdrawn).
b=$(dh_field "$(submit 2.000815.000.00.00.H26 --channel online)" code)
wait_state "$b" ASSIGNED
hb=$(dh_field "$(dh_ctl assignment "$b" --json)" handler)
DUNGHAN_ACTOR=bd.mc dh_ctl withdraw "$b" --reason "người dân rút hồ sơ" >/dev/null
wait_assign_state "$b" WITHDRAWN
expected="$b ITEM_CLOCK CLOCK_START BD.TP - - -
$b STEP_CLOCK CLOCK_START BD.TP $hb handling -
$b ITEM_CLOCK CLOCK_STOP - - - END_WITHDRAWN"
dh_expect_eq "clocks of a withdrawn dossier" "$expected" "$(clocks "$b" 3)"
dh_expect_eq "withdrawn: channel and hours" "ONLINE 8" "$(detail "$b" 1 channel) $(detail "$b" 1 hours)"

# Not accepted at the counter; a same-day procedure: no hours, its due
# time says when.
reply=$(submit 1.001193.000.00.00.H26)
c=$(dh_field "$reply" code)
DUNGHAN_ACTOR=bd.mc dh_ctl not-accept "$c" --reason "không thuộc thẩm quyền" >/dev/null
wait_assign_state "$c" REJECTED
hc=$(dh_field "$(dh_ctl assignment "$c" --json)" handler)
expected="$c ITEM_CLOCK CLOCK_START BD.TP - - -
$c STEP_CLOCK CLOCK_START BD.TP $hc handling -
$c ITEM_CLOCK CLOCK_STOP - - - END_NOT_ACCEPTED"
dh_expect_eq "clocks of a dossier not accepted" "$expected" "$(clocks "$c" 3)"
dh_expect_eq "same day: hours and due" "0 $(dh_field "$reply" due_at)" "$(detail "$c" 1 hours) $(detail "$c" 1 due)"

# Handed on: reassigned, transferred to another district, refused after
# examination.
d=$(dh_field "$(submit 1.003583.000.00.00.H26)" code)
wait_state "$d" ASSIGNED
old=$(dh_field "$(dh_ctl assignment "$d" --json)" handler)
new=bdtp.cv1; [ "$old" = bdtp.cv1 ] && new=bdtp.cv2
DUNGHAN_ACTOR=bdtp.tp dh_ctl reassign "$d" --handler "$new" --reason "nghỉ phép" >/dev/null
DUNGHAN_ACTOR=bdtp.tp dh_ctl transfer "$d" --unit CG.TP --reason "đúng thẩm quyền" >/dev/null
hd=$(dh_field "$(dh_ctl assignment "$d" --json)" handler)
token=$(dh_field "$(dh_ctl assignment "$d" --json)" step_token)
DUNGHAN_ACTOR=$hd dh_ctl step start "$d" --token "$token" --node "Thẩm định" >/dev/null
DUNGHAN_ACTOR=$hd dh_ctl resolve "$d" --token "$token" --refuse --reason "không đủ điều kiện" >/dev/null
expected="$d ITEM_CLOCK CLOCK_START BD.TP - - -
$d STEP_CLOCK CLOCK_START BD.TP $old handling -
$d STEP_CLOCK CLOCK_START BD.TP $new handling -
$d ITEM_CLOCK CLOCK_MOVE CG.TP - - -
$d STEP_CLOCK CLOCK_START CG.TP $hd handling -
$d STEP_CLOCK CLOCK_START CG.TP $hd Thẩm định -
$d ITEM_CLOCK CLOCK_STOP - - - END_REFUSED"
dh_expect_eq "clocks of a dossier handed on" "$expected" "$(clocks "$d" 7)"
dh_expect_eq "moved: the new head" "cgtp.tp cgtp.tp" "$(detail "$d" 4 head) $(detail "$d" 5 head)"

# A unit with no handler: only the item clock starts; the step clock
# starts when its head assigns someone by hand.
printf 'code,name,parent,head\nBD.THU,Tổ thử nghiệm,BD,bdthu.tt\n' >"$DH_DIR/units.csv"
printf 'id,name,unit,role,email\nbdthu.tt,Tổ trưởng,BD.THU,head,\n' >"$DH_DIR/staff.csv"
dh_ctl org import units "$DH_DIR/units.csv" >/dev/null
dh_ctl org import staff "$DH_DIR/staff.csv" >/dev/null
grep '^1.003583.000.00.00.H26,' "$DH_ROOT/deploy/catalog/procedures.csv" \
    | sed 's/^1\.003583\.000\.00\.00\.H26,/9.000001.000.00.00.H26,/; s/,BD\.TP,/,BD.THU,/' >"$DH_DIR/extra.csv"
dh_ctl catalog import "$DH_DIR/extra.csv" >/dev/null
e=$(dh_field "$(submit 9.000001.000.00.00.H26)" code)
dh_expect_eq "no handler yet" "$e ITEM_CLOCK CLOCK_START BD.THU - - -" "$(clocks "$e" 1)"
dh_expect_eq "steps of a procedure with none" - "$(detail "$e" 1 steps)"
DUNGHAN_ACTOR=bd.ct dh_ctl assign "$e" --handler bdthu.tt >/dev/null
expected="$e ITEM_CLOCK CLOCK_START BD.THU - - -
$e STEP_CLOCK CLOCK_START BD.THU bdthu.tt handling -"
dh_expect_eq "clocks of an item assigned by hand" "$expected" "$(clocks "$e" 2)"

# The applicant did not bring the papers in time: deadline says so,
# intake ends the dossier (not accepted, by "deadline"), assign stops
# its clock. Said again, or too late, it changes nothing.
f=$(dh_field "$(submit 1.003583.000.00.00.H26)" code)
wait_state "$f" ASSIGNED
hf=$(dh_field "$(dh_ctl assignment "$f" --json)" handler)
DUNGHAN_ACTOR=$hf dh_ctl step start "$f" --token 1 --node "Thẩm định hồ sơ" >/dev/null
DUNGHAN_ACTOR=$hf dh_ctl supplement request "$f" --token 1 --reason "thiếu" --paper "Sổ hộ khẩu" >/dev/null
wait_state "$f" SUPPLEMENT_REQUESTED
DUNGHAN_CERT=$(dh_cert ops) "$RECORDER" expire "$DEADLINE_API" "$f" >/dev/null || dh_fail "expire $f"
wait_state "$f" REJECTED
wait_assign_state "$f" REJECTED
status=$(dh_ctl status "$f" --json)
dh_expect_eq "expired: last step" "supplement-expired deadline" \
    "$(printf '%s' "$status" | jq -r '.steps[-1] | "\(.action) \(.sender)"')"
dh_expect_eq "expired: reason" "hết hạn bổ sung hồ sơ" "$(dh_field "$status" reason)"
expected="$f ITEM_CLOCK CLOCK_START BD.TP - - -
$f STEP_CLOCK CLOCK_START BD.TP $hf handling -
$f STEP_CLOCK CLOCK_START BD.TP $hf Thẩm định hồ sơ -
$f ITEM_CLOCK CLOCK_PAUSE - - - -
$f ITEM_CLOCK CLOCK_STOP - - - END_NOT_ACCEPTED"
dh_expect_eq "clocks of a supplementation missed" "$expected" "$(clocks "$f" 5)"
# Too late for a dossier already supplied (a), or already ended (f).
steps_before=$(dh_ctl status "$a" --json | jq '.steps | length')
DUNGHAN_CERT=$(dh_cert ops) "$RECORDER" expire "$DEADLINE_API" "$f" >/dev/null || dh_fail "expire $f again"
DUNGHAN_CERT=$(dh_cert ops) "$RECORDER" expire "$DEADLINE_API" "$a" >/dev/null || dh_fail "expire $a"
for i in $(seq 1 100); do
    [ "$(grep -c 'supplementation time ran out, but it is' "$DH_DIR/intake.log")" = 2 ] && break; sleep 0.05
done
grep -q "$f: supplementation time ran out, but it is REJECTED; nothing to do" "$DH_DIR/intake.log" \
    || dh_fail "intake did not log the late expiry of $f"
grep -q "$a: supplementation time ran out, but it is RETURNED; nothing to do" "$DH_DIR/intake.log" \
    || dh_fail "intake did not log the late expiry of $a"
dh_expect_eq "a after a late expiry" RETURNED "$(state_of "$a")"
dh_expect_eq "a's steps after a late expiry" "$steps_before" "$(dh_ctl status "$a" --json | jq '.steps | length')"
dh_expect_eq "clocks after late expiries" 5 "$(recorded | grep -c "^$f ")"

# Nothing more came for any of them (a return moves no clock).
dh_expect_eq "clocks in all" "7 3 3 7 2 5" \
    "$(for x in "$a" "$b" "$c" "$d" "$e" "$f"; do recorded | grep -c "^$x "; done | xargs)"
dh_expect_eq "every clock line once" "$(recorded | wc -l)" "$(recorded | sort -u | wc -l)"
dh_ctl audit verify >/dev/null || dh_fail "audit chains"
echo "$refused bad steps rows refused; clocks of $(recorded | cut -d' ' -f1 | sort -u | wc -l) dossiers as expected"
