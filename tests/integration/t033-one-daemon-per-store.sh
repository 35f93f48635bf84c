# A second daemon started on a store in use refuses to start, says why,
# and leaves the running one serving (it would otherwise take over the api
# endpoint and share the store without the link's counters).
. tests/lib.sh
dh_start_work
dh_ctl time set "2025-04-25 09:00" >/dev/null
code=$(dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
        --name "Lê Thị Hoa" --id 001199000222)" code)
[ -n "$code" ] || dh_fail "no dossier submitted"
for daemon in intake assign; do
    options=""
    [ "$daemon" = intake ] && options="--set calendar=$DH_ROOT/deploy/calendar"
    status=0
    # shellcheck disable=SC2086
    timeout 10 "$DH_BIN/dunghan-$daemon" $options >"$DH_DIR/second.out" 2>&1 || status=$?
    dh_expect_eq "exit of a second dunghan-$daemon" 1 "$status"
    grep -q "is in use by another process" "$DH_DIR/second.out" \
        || dh_fail "second $daemon did not say why: $(cat "$DH_DIR/second.out")"
    dh_running "$daemon" || dh_fail "the first $daemon stopped"
done
dh_expect_eq "intake still answers" "$code" "$(dh_field "$(dh_ctl status "$code" --json)" code)"
dh_ctl service-status assign >/dev/null || dh_fail "assign does not answer"
echo "a second intake and a second assign refuse a store in use; the first ones go on"
