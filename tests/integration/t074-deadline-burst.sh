# A burst: 10,000 dossiers fall due at once (20,000 clocks: each item and
# its first step, warned and breached: 40,000 firings). The deadline daemon
# fires them in batches of fire_batch, serving the clock messages of new
# dossiers between batches, while clerks go on submitting: every submit
# is answered, every firing is told exactly once.
. tests/lib.sh
dh_with_deadline
printf 'notify\n' >>"$DH_CONFIG"
dh_start notify "$DH_HELPERS/noticecount"
dh_start_work
BATCH=1000
dh_start_deadline --set fire_batch=$BATCH --set warn_before=1h
dh_ctl time set "2026-03-02 09:00" >/dev/null
SUBMIT="$DH_HELPERS/submitload ipc://$DH_DIR/intake.api"
PROCEDURE=2.000815.000.00.00.H26      # 8 working hours: due Tuesday 09:00
notices() { "$DH_HELPERS/linktest" count "ipc://$DH_DIR/notify.api"; }
received() {
    dh_ctl stats --unit BD.TP --from 2026-03-01 --to 2026-03-31 --json | jq -r .received_in_person
}
wait_for() {
    local what=$1 want=$2 i
    for i in $(seq 1 600); do
        [ "$($what)" = "$want" ] && return 0
        sleep 0.1
    done
    dh_fail "$what: wanted '$want', got '$($what)'"
}

$SUBMIT 10000 8 "$DH_DIR/acked" $PROCEDURE >/dev/null
dh_expect_eq "acknowledged" 10000 "$(wc -l <"$DH_DIR/acked")"
wait_for received 10000

# Tuesday 10:00: everything is past its warning and its due time. Clerks
# keep submitting while the daemon fires (intake and assign are moved
# first: the new dossiers are Tuesday's, due Wednesday).
dh_ctl time set --service intake "2026-03-03 10:00" >/dev/null
dh_ctl time set --service assign "2026-03-03 10:00" >/dev/null
$SUBMIT 2000 4 "$DH_DIR/during" $PROCEDURE >"$DH_DIR/during.out" &
load=$!
dh_ctl time set --service deadline "2026-03-03 10:00" >/dev/null
wait $load || dh_fail "the submits during the burst failed: $(cat "$DH_DIR/during.out")"
dh_expect_eq "acknowledged during the burst" 2000 "$(wc -l <"$DH_DIR/during")"
wait_for notices "warnings=20000 breaches=20000 stops=0 duplicates=0"
wait_for received 12000
full=$(grep -c "fired $BATCH, a full batch" "$DH_DIR/deadline.log")
[ "$full" -ge 39 ] || dh_fail "40,000 firings took $full full batches of $BATCH, not 39 or more"
if sed -n 's/.*deadline: fired \([0-9]*\),.*/\1/p' "$DH_DIR/deadline.log" | awk -v b=$BATCH '$1 > b' | grep -q .; then
    dh_fail "a batch fired more than $BATCH"
fi
dh_expect_eq "overdue" 10000 "$(dh_ctl stats --unit BD.TP --from 2026-03-01 --to 2026-03-31 --json | jq -r .open_overdue)"
