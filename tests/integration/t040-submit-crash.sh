# kill -9 of intake, then of assign, in the middle of a burst of submits
# from parallel clients, then restart: every acknowledged dossier exists
# exactly once, codes are unique and gap-free per agency and day, assign
# holds each exactly once with one lead unit, loads add up, and both audit
# chains verify.
. tests/lib.sh
N=${DH_BURST:-10000}
dh_start_work
"$DH_HELPERS/submitload" "ipc://$DH_DIR/intake.api" "$N" 32 "$DH_DIR/acked.txt" >"$DH_DIR/load.txt" 2>&1 &
load=$!
count_acked() { cat "$DH_DIR/acked.txt" 2>/dev/null | wc -l; }
wait_acked() {  # until at least $1 acknowledged
    local i
    for i in $(seq 1 400); do [ "$(count_acked)" -ge "$1" ] && return 0; sleep 0.05; done
}
wait_acked $((N / 5))
dh_kill intake
echo "killed intake after $(count_acked) acknowledged"
sleep 0.3
dh_start intake "$DH_BIN/dunghan-intake" --set calendar="$DH_ROOT/deploy/calendar"
wait_acked $((N / 2))
dh_kill assign
echo "killed assign after $(count_acked) acknowledged"
sleep 0.3
dh_start assign "$DH_BIN/dunghan-assign"
wait "$load"
cat "$DH_DIR/load.txt"
# Let the links drain: assign holds as many items as intake has.
for i in $(seq 1 200); do
    a=$(dh_ctl service-status intake --json | jq '.peers[0] | .last_seq - .acked_seq')
    b=$(dh_ctl service-status assign --json | jq '.peers[0] | .last_seq - .acked_seq')
    [ "$a" = 0 ] && [ "$b" = 0 ] && break
    sleep 0.1
done
dh_ctl audit verify | tee "$DH_DIR/audit.txt"
grep -q '^intake    ok' "$DH_DIR/audit.txt" && grep -q '^assign    ok' "$DH_DIR/audit.txt" || dh_fail "audit chains"
dh_stop intake
dh_stop assign
"$DH_HELPERS/workcheck" "$DH_DIR/intake.lmdb" "$DH_DIR/assign.lmdb" "$DH_DIR/acked.txt"
acked=$(count_acked)
[ "$acked" -ge $((N * 8 / 10)) ] || dh_fail "only $acked of $N acknowledged"
