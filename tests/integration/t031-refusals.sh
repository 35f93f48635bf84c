# Bad input and invalid transitions: each gets a clear error code and
# changes nothing (the item, both audit chains and the event feeds are the
# same before and after).
. tests/lib.sh
dh_start_work
submit() {
    DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 --name "Lê Văn Nam" --id 001088001122 "$@"
}
code=$(dh_field "$(submit)" code)
for i in $(seq 1 100); do [ "$(dh_field "$(dh_ctl status "$code" --json)" state)" = ASSIGNED ] && break; sleep 0.05; done
handler=$(dh_field "$(dh_ctl assignment "$code" --json)" handler)

# What a daemon counts of its own work moves with every batch, refused or not.
FIGURES='del(.batches,.messages,.now_ms,.apply_us,.commit_us,.linger_us,.commit_seconds,.batch_messages,.map_used)'
snapshot() {
    { dh_ctl status "$code" --json; dh_ctl assignment "$code" --json; dh_ctl history "$code" --json
      dh_ctl audit verify --service intake; dh_ctl audit verify --service assign; dh_ctl service-status intake --json | jq "$FIGURES"
      dh_ctl service-status assign --json | jq "$FIGURES"; } 2>&1
}

# expect_refused ERROR_NAME ACTOR -- dunghanctl arguments...
checked=0
expect_refused() {
    local want=$1 actor=$2; shift 3
    local before after out
    before=$(snapshot)
    if out=$(DUNGHAN_ACTOR=$actor dh_ctl "$@" --json 2>/dev/null); then
        dh_fail "'$*' succeeded; expected $want"
    fi
    dh_expect_eq "error of '$*'" "$want" "$(dh_field "$out" name)"
    [ -n "$(dh_field "$out" text)" ] || dh_fail "'$*' gave no error text"
    after=$(snapshot)
    [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") | head -20; dh_fail "'$*' changed something"; }
    checked=$((checked + 1))
}

long=$(printf 'x%.0s' $(seq 1 300))
# bad input
expect_refused E_NOT_FOUND bd.mc -- submit --procedure 9.999999.000.00.00.H26 --name A --id 001088001122
expect_refused E_INVALID bd.mc -- submit --procedure 1.003583.000.00.00.H26 --name A --id ""
expect_refused E_INVALID bd.mc -- submit --procedure 1.003583.000.00.00.H26 --name A --id 12AB
expect_refused E_INVALID bd.mc -- submit --procedure 1.003583.000.00.00.H26 --name A --id +01088001122
expect_refused E_INVALID bd.mc -- submit --procedure 1.003583.000.00.00.H26 --name "$long" --id 001088001122
expect_refused E_INVALID bd.mc -- submit --procedure 1.003583.000.00.00.H26 --name A --id 001088001122 --email nobody
expect_refused E_INVALID bd.mc -- submit --procedure 1.003583.000.00.00.H26 --name A --id 001088001122 --notify fax
expect_refused E_INVALID bd.mc -- submit --procedure 1.003583.000.00.00.H26 --name A --id 001088001122 --notify email --notify email --email a@example.vn
expect_refused E_INVALID bd.mc -- submit --procedure 1.003583.000.00.00.H26 --name A --id 001088001122 --phone 12
expect_refused E_INVALID bd.mc -- submit --procedure 1.003583.000.00.00.H26 --name A --id 001088001122 --phone +12a45678
expect_refused E_NOT_FOUND ops -- assign NO-SUCH-CODE --handler bdtp.cv1
expect_refused E_NOT_FOUND bdtp.tp -- reassign "$code" --handler nobody
expect_refused E_INVALID bdtp.tp -- reassign "$code" --handler cpxd.cv1
expect_refused E_INVALID bdtp.tp -- reassign "$code" --handler "$handler"
expect_refused E_NOT_FOUND bdtp.tp -- transfer "$code" --unit NO-SUCH-UNIT --reason x
expect_refused E_INVALID bdtp.tp -- transfer "$code" --unit BD.TP --reason "same unit"
expect_refused E_DENIED nobody -- reassign "$code" --handler bdtp.cv1
# who may: the lead unit's line (BD.TP, then BD above it), in the row's roles
other_handler=bdtp.cv2; [ "$handler" = bdtp.cv2 ] && other_handler=bdtp.cv3
expect_refused E_DENIED ops -- reassign "$code" --handler "$other_handler"
expect_refused E_DENIED "$handler" -- reassign "$code" --handler "$other_handler"
expect_refused E_DENIED bd.mc -- transfer "$code" --unit CG.TP --reason x
expect_refused E_DENIED cgtp.tp -- transfer "$code" --unit CG.TP --reason x
expect_refused E_DENIED xd.gd -- reassign "$code" --handler "$other_handler"
expect_refused E_DENIED bdtp.tp -- step start "$code" --token 1 --node x
expect_refused E_STALE "$handler" -- step start "$code" --token 7 --node x
expect_refused E_INVALID "$handler" -- step start "$code" --token 1 --node ""
expect_refused E_INVALID ops -- not-accept "$code" --reason ""
expect_refused E_NOT_FOUND ops -- lookup "$code" --id 001088009999
# invalid transitions (the item is ASSIGNED)
expect_refused E_STATE "$handler" -- step complete "$code" --token 1
expect_refused E_STATE "$handler" -- resolve "$code" --token 1
expect_refused E_STATE "$handler" -- supplement request "$code" --token 1 --reason x --paper y
expect_refused E_STATE bd.mc -- return "$code"
expect_refused E_STATE ops -- assign "$code" --handler bdtp.cv1
expect_refused E_STATE bd.mc -- supplement provide "$code"
# once returned, nothing moves it any more
DUNGHAN_ACTOR=$handler dh_ctl step start "$code" --token 1 --node x >/dev/null
DUNGHAN_ACTOR=$handler dh_ctl resolve "$code" --token 1 >/dev/null
expect_refused E_DENIED xd.mc -- return "$code"
expect_refused E_DENIED "$handler" -- return "$code"
DUNGHAN_ACTOR=bd.mc dh_ctl return "$code" >/dev/null
for i in $(seq 1 100); do [ "$(dh_field "$(dh_ctl status "$code" --json)" state)" = RETURNED ] && break; sleep 0.05; done
expect_refused E_STATE bd.mc -- withdraw "$code"
expect_refused E_STATE bd.mc -- not-accept "$code" --reason late
expect_refused E_STATE bd.mc -- return "$code"
expect_refused E_STATE ops -- transfer "$code" --unit CG.TP --reason x
expect_refused E_STATE "$handler" -- step start "$code" --token 1 --node x
# the catalog and the org chart refuse a bad file whole
printf 'code,name\nX,Y\n' >"$DH_DIR/bad.csv"
expect_refused E_INVALID ops -- catalog import "$DH_DIR/bad.csv"
printf 'code,name,parent,head\nNEW,New unit,NO-PARENT,\n' >"$DH_DIR/units.csv"
expect_refused E_INVALID ops -- org import units "$DH_DIR/units.csv"
printf 'id,name,unit,role,email\nnew.cv,New,BD.TP,wizard,\n' >"$DH_DIR/staff.csv"
expect_refused E_INVALID ops -- org import staff "$DH_DIR/staff.csv"
# once the chart names its people, only an operator changes it, and never
# so that no operator is left
expect_refused E_DENIED bdtp.tp -- org import staff "$DH_ROOT/deploy/org/staff.csv"
expect_refused E_DENIED nobody -- org import units "$DH_ROOT/deploy/org/units.csv"
printf 'id,name,unit,role,email\nops,Vận hành,HN,handler,\n' >"$DH_DIR/staff.csv"
expect_refused E_INVALID ops -- org import staff "$DH_DIR/staff.csv"
dh_ctl org import staff "$DH_ROOT/deploy/org/staff.csv" >/dev/null || dh_fail "ops is no longer an operator"
echo "$checked refusals, each with its code and text, none changed anything"
