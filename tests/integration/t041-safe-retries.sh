# Safe retries: a command given again with the same idempotency key is
# applied once and answered as the first time, across a kill -9 of the
# daemon; a command whose client stopped waiting (expires_at passed) is
# refused when it finally arrives, never applied.
. tests/lib.sh
dh_start_work
submit() {
    DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 --name "Lê Văn Nam" --id 001088001122 "$@"
}
records() {
    dh_ctl audit verify --service intake --json | jq '.[0].records'
}
messages() {
    dh_ctl service-status intake --json | jq '.messages'
}

# A retry while intake is up: the same code, no second dossier.
first=$(dh_field "$(submit --key retry-1)" code)
[ -n "$first" ] || dh_fail "the first submit gave no code"
before=$(records)
again=$(dh_field "$(submit --key retry-1)" code)
dh_expect_eq "code of the retry" "$first" "$again"
dh_expect_eq "audit records after the retry" "$before" "$(records)"
other=$(dh_field "$(submit --key retry-2)" code)
[ -n "$other" ] && [ "$other" != "$first" ] || dh_fail "another key made no new dossier ($other)"
dh_expect_eq "audit records after another key" $((before + 1)) "$(records)"

# The key outlives a kill -9: it was kept in the transaction of the dossier.
code=$(dh_field "$(submit --key crash-1)" code)
count=$(records)
dh_kill intake
dh_start intake "$DH_BIN/dunghan-intake" --set calendar="$DH_ROOT/deploy/calendar"
again=$(dh_field "$(submit --key crash-1)" code)
dh_expect_eq "code of the retry after kill -9" "$code" "$again"
dh_expect_eq "audit records after the retry after kill -9" "$count" "$(records)"

# A key given with another command is refused, not taken for the first.
out=$(DUNGHAN_ACTOR=bd.mc dh_ctl status "$code" --json --key crash-1 2>/dev/null) || true
dh_expect_eq "a key reused for another command" E_INVALID "$(dh_field "$out" name)"

# A client that gave up: its command reaches intake's socket while intake
# is stopped; the client times out (and names the key to retry with).
# When intake goes on the command is there (one message more than the
# status calls), too late: refused, not applied.
count=$(records)
seen=$(messages)
DUNGHAN_CERT=$(dh_cert latecall gateway) "$DH_HELPERS/latecall" "ipc://$DH_DIR/intake.api" intake late-1 300 \
    "$DH_DIR" >"$DH_DIR/late.txt" 2>&1 &
late_pid=$!
for i in $(seq 1 100); do [ -f "$DH_DIR/latecall.ready" ] && break; sleep 0.05; done
[ -f "$DH_DIR/latecall.ready" ] || dh_fail "latecall did not connect: $(cat "$DH_DIR/late.txt")"
kill -STOP "$(cat "$DH_DIR/intake.pid")"
touch "$DH_DIR/latecall.go"
wait "$late_pid" || true
sleep 0.2
kill -CONT "$(cat "$DH_DIR/intake.pid")"
dh_expect_eq "the late client" "timeout late-1" "$(cat "$DH_DIR/late.txt")"
[ $(( $(messages) - seen )) -ge 2 ] || dh_fail "the late submit never reached intake"
dh_expect_eq "audit records after a late submit" "$count" "$(records)"
# Given again with its key, it is applied, once.
late=$(dh_field "$(submit --key late-1)" code)
[ -n "$late" ] || dh_fail "the retry of the late submit gave no code"
dh_expect_eq "the retry of the late submit" $((count + 1)) "$(records)"
dh_expect_eq "and its retry" "$late" "$(dh_field "$(submit --key late-1)" code)"
dh_expect_eq "a dossier once" $((count + 1)) "$(records)"
echo "retries answered once each, a late command refused"
