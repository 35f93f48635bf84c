# Out of memory answers E_NOMEM and changes nothing. A daemon restarted
# with test_fail_alloc = N has the Nth scratch allocation of every batch
# fail; each command is run with N = 1, 2, ... until N is past its last
# allocation. Until then every answer is E_NOMEM (twice: the next batch
# fails alike, so the first left nothing behind), the daemon stays up and
# answers the next command; once the command succeeds, the stores hold
# exactly one application of it: no dossier number skipped, one audit
# record and one event more, one step more, the item where it should be,
# and the other daemon told once.
. tests/lib.sh
dh_start_work
# A unit with a head and no handler: its dossiers wait for ASSIGN.
printf 'code,name,parent,head\nBD.TN,Tổ thử nghiệm,BD,bdtn.tp\n' >"$DH_DIR/units.csv"
printf 'id,name,unit,role,email\nbdtn.tp,Người Thử,BD.TN,head,\n' >"$DH_DIR/staff.csv"
{ grep '^code,' "$DH_ROOT/deploy/catalog/procedures.csv"
  echo '9.000001.000.00.00.H26,Thủ tục thử,000.10.01.H26,BD.TN,24,24,24,0,0,extend,24,ND118/2025'
} >"$DH_DIR/catalog.csv"
dh_ctl org import units "$DH_DIR/units.csv" >/dev/null
dh_ctl org import staff "$DH_DIR/staff.csv" >/dev/null
dh_ctl catalog import "$DH_DIR/catalog.csv" >/dev/null

submit() {
    DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --name "Lê Văn Nam" --id 001088001122 "$@"
}
# wait_for WHAT COMMAND...: until the command's output holds WHAT (5 s).
wait_for() {
    local want=$1 i; shift
    for i in $(seq 1 100); do
        case $("$@" 2>/dev/null) in *"$want"*) return 0 ;; esac
        sleep 0.05
    done
    dh_fail "'$*' never showed $want"
}
state_at_assign() { dh_field "$(dh_ctl assignment "$1" --json)" state; }
state_at_intake() { dh_field "$(dh_ctl status "$1" --json)" state; }

a=$(dh_field "$(submit --procedure 1.003583.000.00.00.H26)" code)
c=$(dh_field "$(submit --procedure 9.000001.000.00.00.H26)" code)
wait_for ASSIGNED state_at_intake "$a"
wait_for RECEIVED state_at_assign "$c"
handler=$(dh_field "$(dh_ctl assignment "$a" --json)" handler)
other=bdtp.cv2; [ "$handler" = bdtp.cv2 ] && other=bdtp.cv3

start_daemon() {
    case $1 in
        intake) dh_start intake "$DH_BIN/dunghan-intake" --set calendar="$DH_ROOT/deploy/calendar" \
                    --set test_fail_alloc="$2" ;;
        assign) dh_start assign "$DH_BIN/dunghan-assign" --set test_fail_alloc="$2" ;;
    esac
}
restart() {
    dh_stop "$1"
    start_daemon "$1" "$2"
}

# counts SERVICE: its audit records and events, "records events".
counts() {
    local audit
    audit=$(dh_ctl audit verify --service "$1" --json)
    printf '%s' "$audit" | jq -e '.[0].ok' >/dev/null || dh_fail "$1: audit chain broken: $audit"
    echo "$(printf '%s' "$audit" | jq '.[0].records') $(dh_field "$(dh_ctl service-status "$1" --json)" event_seq)"
}
# expect_counts WHAT SERVICE BEFORE DELTA: records and events moved by DELTA.
expect_counts() {
    local records events
    read -r records events <<<"$3"
    dh_expect_eq "$1: $2's audit records and events" "$((records + $4)) $((events + $4))" "$(counts "$2")"
}

# under_oom SERVICE ACTOR -- ARGS...: the command with allocation N of
# its batch failing, N = 1, 2, ... until it succeeds. Sets answer (the
# successful reply) and failures (how many N failed).
failures_total=0
under_oom() {
    local service=$1 actor=$2 n=0 out again text
    shift 3
    while :; do
        n=$((n + 1))
        [ "$n" -le 300 ] || dh_fail "'$*' still fails with allocation 300 failing"
        restart "$service" "$n"
        if out=$(DUNGHAN_ACTOR=$actor dh_ctl "$@" --json 2>/dev/null); then
            break
        fi
        dh_expect_eq "'$*' with allocation $n failing" E_NOMEM "$(dh_field "$out" name)"
        text=$(dh_field "$out" text)
        case $text in *memory*) ;; *) dh_fail "'$*' with allocation $n failing says '$text'" ;; esac
        again=$(DUNGHAN_ACTOR=$actor dh_ctl "$@" --json 2>/dev/null) && dh_fail "'$*' succeeded the second time at $n"
        dh_expect_eq "'$*' again with allocation $n failing" "$out" "$again"
        dh_running "$service" || dh_fail "$service died on '$*' with allocation $n failing"
        dh_ctl ping "$service" >/dev/null || dh_fail "$service does not answer after '$*' ran out of memory"
        # STATUS takes two allocations (its figures, the reply's copy):
        # past the second, it is served.
        if [ "$n" -gt 2 ]; then
            dh_ctl service-status "$service" >/dev/null || dh_fail "$service: STATUS failed after '$*' at $n"
        fi
    done
    [ "$n" -gt 1 ] || dh_fail "'$*' allocated nothing: nothing was made to fail"
    failures=$((n - 1))
    failures_total=$((failures_total + failures))
    echo "$failures refusals: $*" >&2
    restart "$service" 0
    answer=$out
}

# ---- intake, with assign stopped so that nothing but our commands reach it
dh_stop assign
status_a=$(dh_ctl status "$a" --json)
lookup_a=$(dh_ctl lookup "$a" --id 001088001122 --json)
before=$(counts intake)
under_oom intake bd.mc -- submit --procedure 1.003583.000.00.00.H26 --name "Trần Thị Hoa" --id 001199003456
b=$(dh_field "$answer" code)
dh_expect_eq "the dossier number after $failures refused submits" "${c%-*}-0003" "$b"
expect_counts "submit" intake "$before" 1
dh_expect_eq "B's steps" '["received"]' "$(dh_ctl status "$b" --json | jq -c '[.steps[].action]')"

under_oom intake ops -- status "$a"
dh_expect_eq "status once it had memory" "$status_a" "$answer"
under_oom intake ops -- lookup "$a" --id 001088001122
dh_expect_eq "lookup once it had memory" "$lookup_a" "$answer"

before=$(counts intake)
under_oom intake bd.mc -- withdraw "$b"
dh_expect_eq "B withdrawn" WITHDRAWN "$(state_at_intake "$b")"
dh_expect_eq "B's steps" '["received","withdraw"]' "$(dh_ctl status "$b" --json | jq -c '[.steps[].action]')"
expect_counts "withdraw" intake "$before" 1
dh_expect_eq "A untouched" "$status_a" "$(dh_ctl status "$a" --json)"

# assign hears of B once: received, then withdrawn
start_daemon assign 0
wait_for WITHDRAWN state_at_assign "$b"
dh_expect_eq "B's steps at assign" '["assigned","withdraw"]' "$(dh_ctl history "$b" --json | jq -c '[.steps[].action]')"

# ---- assign; intake follows it through the link
history_a=$(dh_ctl history "$a" --json)
under_oom assign ops -- history "$a"
dh_expect_eq "history once it had memory" "$history_a" "$answer"

# item_command WHAT ACTOR -- ARGS...: one state-changing command on an item
# under out of memory; one audit record, one event and one step more.
item_command() {
    local what=$1 actor=$2 item=$3 steps before
    shift 4
    steps=$(dh_ctl history "$item" --json | jq '.steps | length')
    before=$(counts assign)
    under_oom assign "$actor" -- "$@"
    expect_counts "$what" assign "$before" 1
    dh_expect_eq "$what: steps of $item" "$((steps + 1))" "$(dh_ctl history "$item" --json | jq '.steps | length')"
}
item_command assign bdtn.tp "$c" -- assign "$c" --handler bdtn.tp
dh_expect_eq "C assigned" "ASSIGNED bdtn.tp 1" "$(dh_ctl assignment "$c" --json | jq -r '"\(.state) \(.handler) \(.step_token)"')"
item_command step-start "$handler" "$a" -- step start "$a" --token 1 --node "thẩm định"
dh_expect_eq "A started" "IN_PROGRESS thẩm định 1" \
    "$(dh_ctl assignment "$a" --json | jq -r '"\(.state) \(.step_node) \(.step_token)"')"
item_command reassign bdtp.tp "$a" -- reassign "$a" --handler "$other"
dh_expect_eq "A reassigned" "IN_PROGRESS $other 2" \
    "$(dh_ctl assignment "$a" --json | jq -r '"\(.state) \(.handler) \(.step_token)"')"
item_command supplement-request "$other" "$a" -- supplement request "$a" --token 2 --reason "thiếu" --paper "Tờ khai"
dh_expect_eq "A waits for papers" SUPPLEMENT_REQUESTED "$(state_at_assign "$a")"
wait_for SUPPLEMENT_REQUESTED state_at_intake "$a"
DUNGHAN_ACTOR=bd.mc dh_ctl supplement provide "$a" >/dev/null
wait_for IN_PROGRESS state_at_assign "$a"
item_command resolve "$other" "$a" -- resolve "$a" --token 2
item_command return bd.mc "$a" -- return "$a"
dh_expect_eq "A returned" RETURNED "$(state_at_assign "$a")"

# intake heard every change once, in order, and nothing of the refusals
wait_for RETURNED state_at_intake "$a"
dh_expect_eq "A's steps at intake" \
    "received $(dh_ctl history "$a" --json | jq -r '[.steps[].action] | join(" ")')" \
    "$(dh_ctl status "$a" --json | jq -r '[.steps[].action] | join(" ")')"
dh_expect_eq "C at intake" ASSIGNED "$(state_at_intake "$c")"

for name in intake assign; do
    dh_running "$name" || dh_fail "$name is not running"
    if grep -E 'Assertion|AddressSanitizer|runtime error|Segmentation|Aborted' "$DH_DIR/$name.log"; then
        dh_fail "$name crashed or asserted"
    fi
done
echo "$failures_total commands ran out of memory; each answered E_NOMEM twice and changed nothing"
