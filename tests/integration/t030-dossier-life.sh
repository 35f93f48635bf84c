# A dossier from the counter to the applicant, through the real intake and
# assign daemons: submit, routing, steps, a supplementation round trip,
# resolve, return; history, public lookup and the audit chains.
. tests/lib.sh
dh_start_work
# Friday 25 April 2025, 09:00 in Hanoi: Saturday 26/4 is a compensatory
# working day and 30/4-4/5 are holidays, so 24 working hours end Tuesday.
dh_ctl time set "2025-04-25 09:00" >/dev/null

reply=$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
        --name "Trần Thị Hoa" --id 001199003456 --phone 0987654321 --email hoa@example.vn \
        --document "Tờ khai" --notify email)
code=$(dh_field "$reply" code)
case "$code" in 000.10.01.H26-250425-0001) ;; *) dh_fail "unexpected code '$code'" ;; esac
dh_expect_eq "received at" "2025-04-25T09:00:00+07:00" "$(dh_field "$reply" received_at_local)"
dh_expect_eq "appointment" "2025-04-29T09:00:00+07:00" "$(dh_field "$reply" due_at_local)"

# assign routes it to the least-loaded handler of BD.TP and tells intake.
state_of() { dh_field "$(dh_ctl status "$code" --json)" state; }
wait_state() {
    local i
    for i in $(seq 1 100); do [ "$(state_of)" = "$1" ] && return 0; sleep 0.05; done
    dh_fail "intake never saw $code $1 (it is $(state_of))"
}
wait_state ASSIGNED
assignment=$(dh_ctl assignment "$code" --json)
handler=$(dh_field "$assignment" handler)
token=$(dh_field "$assignment" step_token)
case "$handler" in bdtp.cv1|bdtp.cv2|bdtp.cv3) ;; *) dh_fail "handler '$handler' is not a BD.TP handler" ;; esac
dh_expect_eq "lead unit" BD.TP "$(dh_field "$assignment" lead_unit)"
dh_expect_eq "intake's handler" "$handler" "$(dh_field "$(dh_ctl status "$code" --json)" handler)"

export DUNGHAN_ACTOR=$handler
dh_ctl step start "$code" --token "$token" --node "thẩm định" >/dev/null
dh_ctl step complete "$code" --token "$token" --content "hồ sơ đủ điều kiện" >/dev/null
dh_ctl supplement request "$code" --token "$token" --reason "thiếu giấy tờ" --paper "Bản sao CCCD" >/dev/null
wait_state SUPPLEMENT_REQUESTED
DUNGHAN_ACTOR=bd.mc dh_ctl supplement provide "$code" >/dev/null
dh_expect_eq "after supplement (intake)" IN_PROGRESS "$(state_of)"
for i in $(seq 1 100); do
    [ "$(dh_field "$(dh_ctl assignment "$code" --json)" state)" = IN_PROGRESS ] && break; sleep 0.05
done
dh_expect_eq "after supplement (assign)" IN_PROGRESS "$(dh_field "$(dh_ctl assignment "$code" --json)" state)"
dh_ctl resolve "$code" --token "$token" >/dev/null
wait_state RESOLVED
DUNGHAN_ACTOR=bd.mc dh_ctl return "$code" >/dev/null
wait_state RETURNED
unset DUNGHAN_ACTOR

# The history names who held it at every step.
history=$(dh_ctl history "$code" --json)
actions=$(printf '%s' "$history" | jq -r '[.steps[].action] | join(",")')
dh_expect_eq "history" "assigned,step-start,step-complete,supplement-request,supplement-provide,resolved,return" "$actions"
dh_expect_eq "resolved by" "$handler" "$(printf '%s' "$history" | jq -r '.steps[5].sender')"
dh_expect_eq "nodes" "routing,thẩm định,thẩm định" "$(printf '%s' "$history" | jq -r '[.steps[0:3][].node] | join(",")')"

# The public sees state and appointment with code + ID, nothing without.
lookup=$(dh_ctl lookup "$code" --id 001199003456 --json)
dh_expect_eq "lookup state" RETURNED "$(dh_field "$lookup" state)"
printf '%s' "$lookup" | jq -e '[.applicant, .applicant_name, .received_by, .documents[0]?] | all(. == null or . == "")' \
    >/dev/null || dh_fail "lookup shows what is private: $lookup"
if dh_ctl lookup "$code" --id 001199009999 >/dev/null 2>&1; then dh_fail "lookup with a wrong ID number succeeded"; fi

# A long-running dossier: its 32 steps sit in intake's and assign's steps
# journals among other dossiers' steps; both read back every step of it, in
# order, with the latest holder and state.
long=$(dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
        --name "Phạm Văn Dài" --id 001199004567)" code)
other=$(dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
        --name "Lê Thị Xen" --id 001199004568)" code)
code=$long wait_state ASSIGNED
code=$other wait_state ASSIGNED
long_assignment=$(dh_ctl assignment "$long" --json)
long_handler=$(dh_field "$long_assignment" handler)
long_token=$(dh_field "$long_assignment" step_token)
other_assignment=$(dh_ctl assignment "$other" --json)
for round in $(seq 1 15); do
    DUNGHAN_ACTOR=$long_handler dh_ctl step start "$long" --token "$long_token" --node "bước $round" >/dev/null
    DUNGHAN_ACTOR=$(dh_field "$other_assignment" handler) dh_ctl step start "$other" \
        --token "$(dh_field "$other_assignment" step_token)" --node "khác $round" >/dev/null
    DUNGHAN_ACTOR=$long_handler dh_ctl step complete "$long" --token "$long_token" --content "xong $round" >/dev/null
done
for i in $(seq 1 100); do
    [ "$(dh_ctl status "$long" --json | jq '.steps | length')" = 32 ] && break; sleep 0.05
done
long_status=$(dh_ctl status "$long" --json)
dh_expect_eq "steps intake holds" 32 "$(printf '%s' "$long_status" | jq '.steps | length')"
dh_expect_eq "step order" "received,assigned,step-start,step-complete,step-start" \
    "$(printf '%s' "$long_status" | jq -r '[.steps[0:5][].action] | join(",")')"
dh_expect_eq "last step" "xong 15" "$(printf '%s' "$long_status" | jq -r '.steps[31].content')"
dh_expect_eq "state after many steps" IN_PROGRESS "$(dh_field "$long_status" state)"
dh_expect_eq "holder after many steps" "$long_handler" "$(dh_field "$long_status" handler)"
dh_expect_eq "applicant kept" 001199004567 "$(printf '%s' "$long_status" | jq -r '.applicant.id_number')"
long_history=$(dh_ctl history "$long" --json)
dh_expect_eq "assign's steps" 31 "$(printf '%s' "$long_history" | jq '.steps | length')"
dh_expect_eq "assign's last step" "xong 15" "$(printf '%s' "$long_history" | jq -r '.steps[30].content')"
dh_expect_eq "the other dossier's steps" "assigned,step-start,step-start" \
    "$(dh_ctl history "$other" --json | jq -r '[.steps[0:3][].action] | join(",")')"
for i in $(seq 1 100); do
    [ "$(dh_ctl status "$other" --json | jq '.steps | length')" = 17 ] && break; sleep 0.05
done
dh_expect_eq "the other's steps at intake" "received,assigned,step-start" \
    "$(dh_ctl status "$other" --json | jq -r '[.steps[0:3][].action] | join(",")')"

# Every change is in both audit chains, and the chains hold. The daemons
# asked are those the configuration names: two more named here, never
# started, are reported as down, and the verification fails.
printf 'deadline\nnotify\n' >>"$DH_CONFIG"
dh_ctl audit verify | tee "$DH_DIR/audit.txt"
grep -q '^intake    ok' "$DH_DIR/audit.txt" || dh_fail "intake's chain"
grep -q '^assign    ok' "$DH_DIR/audit.txt" || dh_fail "assign's chain"
grep -q '^deadline  down' "$DH_DIR/audit.txt" || dh_fail "deadline is not reported down"
audit_json=$(dh_ctl audit verify --json) && dh_fail "audit verify succeeded with two daemons down" || true
dh_expect_eq "audit json, deployed" "intake:true:true,assign:true:true" \
    "$(printf '%s' "$audit_json" | jq -r '[.[] | select(.reachable) | "\(.service):\(.reachable):\(.ok)"] | join(",")')"
dh_expect_eq "audit json, configured but down" "deadline,notify" \
    "$(printf '%s' "$audit_json" | jq -r '[.[] | select(.reachable | not) | .service] | join(",")')"
echo "dossier $code: submitted, assigned to $handler, supplemented, resolved, returned"
