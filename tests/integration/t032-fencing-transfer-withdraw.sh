# Fencing after a reassignment, a transfer to another unit, a withdrawal
# and a dossier not accepted at the counter.
. tests/lib.sh
dh_start_work
submit() {
    dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure "$1" --name "Phạm Văn Bình" --id 001077004455)" code
}
assigned() {
    local i
    for i in $(seq 1 100); do
        [ "$(dh_field "$(dh_ctl status "$1" --json)" state)" = "${2:-ASSIGNED}" ] && return 0; sleep 0.05
    done
    dh_fail "$1 never became ${2:-ASSIGNED}"
}

# Fencing: the old holder's token is refused after a reassignment.
code=$(submit 1.003583.000.00.00.H26)
assigned "$code"
old=$(dh_field "$(dh_ctl assignment "$code" --json)" handler)
DUNGHAN_ACTOR=$old dh_ctl step start "$code" --token 1 --node "thẩm định" >/dev/null
new=bdtp.cv1; [ "$old" = bdtp.cv1 ] && new=bdtp.cv2
reply=$(DUNGHAN_ACTOR=bdtp.tp dh_ctl reassign "$code" --handler "$new" --reason "nghỉ phép" --json)
dh_expect_eq "token after reassign" 2 "$(dh_field "$reply" step_token)"
out=$(DUNGHAN_ACTOR=$old dh_ctl resolve "$code" --token 1 --json 2>/dev/null) && dh_fail "stale token accepted"
dh_expect_eq "stale token" E_STALE "$(dh_field "$out" name)"
DUNGHAN_ACTOR=$new dh_ctl resolve "$code" --token 2 >/dev/null
assigned "$code" RESOLVED

# A head above the lead unit (the district's chairman over BD.TP) may
# hand an item on as well; t031 checks who may not.
code=$(submit 1.003583.000.00.00.H26)
assigned "$code"
old=$(dh_field "$(dh_ctl assignment "$code" --json)" handler)
new=bdtp.cv1; [ "$old" = bdtp.cv1 ] && new=bdtp.cv2
reply=$(DUNGHAN_ACTOR=bd.ct dh_ctl reassign "$code" --handler "$new" --reason "cân đối công việc" --json)
dh_expect_eq "handler after the chairman's reassign" "$new" "$(dh_field "$reply" handler)"

# Transfer: another unit leads it, with a handler of that unit.
code=$(submit 1.003583.000.00.00.H26)
assigned "$code"
reply=$(DUNGHAN_ACTOR=bdtp.tp dh_ctl transfer "$code" --unit CG.TP --reason "đúng thẩm quyền quận Cầu Giấy" --json)
dh_expect_eq "lead unit" CG.TP "$(dh_field "$reply" lead_unit)"
dh_expect_eq "handler" cgtp.cv1 "$(dh_field "$reply" handler)"
for i in $(seq 1 100); do [ "$(dh_field "$(dh_ctl status "$code" --json)" lead_unit)" = CG.TP ] && break; sleep 0.05; done
dh_expect_eq "intake's lead unit" CG.TP "$(dh_field "$(dh_ctl status "$code" --json)" lead_unit)"

# Withdraw: both daemons close it; the handler can no longer act.
code=$(submit 1.003583.000.00.00.H26)
assigned "$code"
holder=$(dh_field "$(dh_ctl assignment "$code" --json)" handler)
DUNGHAN_ACTOR=bd.mc dh_ctl withdraw "$code" --reason "người dân rút hồ sơ" >/dev/null
for i in $(seq 1 100); do [ "$(dh_field "$(dh_ctl assignment "$code" --json)" state)" = WITHDRAWN ] && break; sleep 0.05; done
dh_expect_eq "assign after withdraw" WITHDRAWN "$(dh_field "$(dh_ctl assignment "$code" --json)" state)"
out=$(DUNGHAN_ACTOR=$holder dh_ctl step start "$code" --token 1 --node x --json 2>/dev/null) && dh_fail "step on a withdrawn item"
dh_expect_eq "step after withdraw" E_STATE "$(dh_field "$out" name)"

# Not accepted at the counter, with a reason for the refusal slip.
code=$(submit 2.000815.000.00.00.H26)
reply=$(DUNGHAN_ACTOR=bd.mc dh_ctl not-accept "$code" --reason "không thuộc thẩm quyền" --json)
dh_expect_eq "not accepted" REJECTED "$(dh_field "$reply" state)"
for i in $(seq 1 100); do [ "$(dh_field "$(dh_ctl assignment "$code" --json)" state)" = REJECTED ] && break; sleep 0.05; done
dh_expect_eq "assign after not-accept" REJECTED "$(dh_field "$(dh_ctl assignment "$code" --json)" state)"

dh_stop intake
dh_stop assign
"$DH_HELPERS/workcheck" "$DH_DIR/intake.lmdb" "$DH_DIR/assign.lmdb"
