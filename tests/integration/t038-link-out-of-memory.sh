# A link message that runs out of memory is not refused: a refusal counts
# as applied, and the dossier would never be routed. It is left unapplied
# and unacknowledged, the sender resends it, and it is applied exactly
# once when memory is there again.
. tests/lib.sh
dh_start_work
dh_stop assign
# The first scratch allocation of every batch fails: the one that
# unpacks intake's ITEM_RECEIVED.
dh_start assign "$DH_BIN/dunghan-assign" --set test_fail_alloc=1
# Let intake's link see the reconnect first: a copy resent by the
# reconnect in the same batch as the first would pass the one failing
# allocation of that batch and be applied at once.
sleep 0.5
code=$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --name "Lê Văn Nam" --id 001088001122 \
           --procedure 1.003583.000.00.00.H26 | jq -r .code)
state() { dh_ctl status "$code" --json | jq -r .state; }
resends() { grep -c "left for a resend" "$DH_DIR/assign.log" || true; }
for i in $(seq 1 60); do [ "$(resends)" -ge 2 ] && break; sleep 0.1; done
[ "$(resends)" -ge 2 ] || dh_fail "the ITEM_RECEIVED was not resent after it ran out of memory"
dh_expect_eq "state at intake while assign has no memory" RECEIVED "$(state)"
dh_ctl assignment "$code" --json >/dev/null 2>&1 && dh_fail "assign holds the item it could not apply"
dh_stop assign
dh_start assign "$DH_BIN/dunghan-assign"
for i in $(seq 1 60); do [ "$(state)" = ASSIGNED ] && break; sleep 0.1; done
dh_expect_eq "state at intake once assign has memory" ASSIGNED "$(state)"
dh_expect_eq "steps at assign" '["assigned"]' "$(dh_ctl history "$code" --json | jq -c '[.steps[].action]')"
dh_expect_eq "steps at intake" "received assigned" "$(dh_ctl status "$code" --json | jq -r '[.steps[].action] | join(" ")')"
echo "ITEM_RECEIVED resent $(resends) times while out of memory, applied once after"
