# A fee or obligation due before the result (national status 6): the
# holder asks for it, the item waits (its clock paused, not counted as a
# supplementation), the applicant hears `fee_due`; paid at the counter,
# the clock runs again, extended by the wait.
. tests/lib.sh
dh_with_deadline
printf 'notify\n' >>"$DH_CONFIG"
dh_start notify "$DH_HELPERS/eventrecorder"
dh_start_work
dh_start_deadline
dh_ctl time set "2026-03-02 09:00" >/dev/null
recorded() { DUNGHAN_CERT=$(dh_cert ops) "$DH_HELPERS/eventrecorder" dump "ipc://$DH_DIR/notify.api"; }
wait_for() {  # wait_for WHAT WANT COMMAND...
    local what=$1 want=$2 i; shift 2
    for i in $(seq 1 100); do [ "$("$@" 2>/dev/null)" = "$want" ] && return 0; sleep 0.05; done
    dh_fail "$what: wanted '$want', got '$("$@" 2>&1)'"
}
state() { dh_field "$(dh_ctl status "$1" --json)" state; }

code=$(dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
        --name "Đỗ Thị Mai" --id 001199007788 --email mai@example.vn --notify email)" code)
wait_for "assigned" ASSIGNED state "$code"
holder=$(dh_field "$(dh_ctl assignment "$code" --json)" handler)
token=$(dh_field "$(dh_ctl assignment "$code" --json)" step_token)
DUNGHAN_ACTOR=$holder dh_ctl step start "$code" --token "$token" --node "Thẩm định hồ sơ" >/dev/null

# Tuesday 09:00, 8 of 24 hours used: a fee is due.
dh_ctl time set "2026-03-03 09:00" >/dev/null
out=$(DUNGHAN_ACTOR=$holder dh_ctl fee request "$code" --token "$token" 2>&1) && dh_fail "a fee without a reason was taken"
case "$out" in *reason*) ;; *) dh_fail "fee without reason: $out" ;; esac
DUNGHAN_ACTOR=$holder dh_ctl fee request "$code" --token "$token" --reason "lệ phí 8.000 đồng" >/dev/null
wait_for "intake's state" AWAITING_FEE state "$code"
wait_for "the clock" true dh_clock "$code" paused
dh_expect_eq "the pause is a fee's" fee \
    "$(dh_ctl clock "$code" --json | jq -r '.clocks[0].segments[-1].state')"
dh_expect_eq "no applicant's deadline" 0 \
    "$(dh_ctl clock "$code" --json | jq '[.clocks[] | select (.clock.kind == "SUPPLEMENT_CLOCK")] | length')"
fee_lines() { recorded | grep -c "^fee_due $code .*reason=lệ phí 8.000 đồng"; }
wait_for "the applicant hears" 1 fee_lines
stats() { dh_ctl stats --unit BD.TP --from 2026-03-01 --to 2026-03-31 --json | jq -r "$1"; }
dh_expect_eq "paused, not a supplementation" "1 0" "$(stats '"\(.paused) \(.supplements)"')"

# Paid on Wednesday 09:00: 16 hours are left from then.
dh_ctl time set "2026-03-04 09:00" >/dev/null
out=$(DUNGHAN_ACTOR=bd.mc dh_ctl fee paid "$code" 2>&1) || dh_fail "fee paid: $out"
assign_state() { dh_field "$(dh_ctl assignment "$code" --json)" state; }
wait_for "assign's state" IN_PROGRESS assign_state
wait_for "the clock runs" false dh_clock "$code" paused
dh_expect_eq "extended by the wait" "2026-03-06T09:00:00+07:00" "$(dh_clock "$code" due_at_local)"
dh_expect_eq "no longer paused" 0 "$(stats .paused)"
out=$(DUNGHAN_ACTOR=bd.mc dh_ctl fee paid "$code" 2>&1) && dh_fail "a fee paid twice was taken"
case "$out" in *E_STATE*) ;; *) dh_fail "fee paid twice: $out" ;; esac
