# The JSON API's lifecycle endpoints against the real daemons, each acting
# for the signed-in staff member: a dossier from the counter to the
# applicant (assignment, step, resolve, return, history, clock), a
# supplementation and a fee, a withdrawal, a refusal after examination,
# an apology drafted and approved; the backlog and the queues; and the
# refusals: a code or a verdict the path already says, unknown fields, a
# right the org chart does not give, a step token out of date.
. tests/lib.sh
dh_with_deadline
printf 'gateway\n    timeout_ms = 2000\n' >>"$DH_CONFIG"
dh_start_work
dh_start_deadline
dh_start_gateway
dh_ctl catalog import "$DH_ROOT/deploy/catalog/steps.csv" >/dev/null
dh_ctl time set "2026-03-02 09:00" >/dev/null
PROCEDURE=1.003583.000.00.00.H26

req() {  # req METHOD PATH TOKEN [BODY]: sets STATUS and BODY
    local out
    out=$(curl -sS -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $3" ${4:+-d "$4"} "$DH_HTTP$2") \
        || dh_fail "curl $1 $2 failed"
    STATUS=${out##*$'\n'}
    BODY=${out%$'\n'*}
}
expect() {  # expect WHAT STATUS [ERROR_NAME]
    [ "$STATUS" = "$2" ] || dh_fail "$1: expected status $2, got $STATUS: $BODY"
    [ -z "${3:-}" ] || dh_expect_eq "$1: error" "$3" "$(dh_field "$BODY" error)"
}
token_for() { dh_ctl token new --staff "$1" 2>/dev/null; }
CLERK=$(token_for bd.mc)
HEAD=$(token_for bdtp.tp)
declare -A TOKENS
as_holder() {  # as_holder CODE: sets HOLDER, HOLDER_TOKEN (sign-in) and STEP (step token)
    local i
    for i in $(seq 1 100); do
        req GET "/api/dossiers/$1/assignment" "$CLERK"
        [ "$STATUS" = 200 ] && [ "$(dh_field "$BODY" state)" = ASSIGNED ] && break
        sleep 0.05
    done
    expect "assignment of $1" 200
    HOLDER=$(dh_field "$BODY" handler)
    STEP=$(dh_field "$BODY" step_token)
    [ -n "${TOKENS[$HOLDER]:-}" ] || TOKENS[$HOLDER]=$(token_for "$HOLDER")
    HOLDER_TOKEN=${TOKENS[$HOLDER]}
}
started() {  # started CODE: as_holder, and the holder starts the examination step
    as_holder "$1"
    req POST "/api/dossiers/$1/steps/start" "$HOLDER_TOKEN" '{"step_token": '"$STEP"', "node": "Thẩm định hồ sơ"}'
    expect "step start of $1" 200
}
submit() {
    req POST /api/dossiers "$CLERK" '{"procedure_code": "'$PROCEDURE'", "applicant":
        {"name": "'"$1"'", "id_number": "001199003456"}, "documents": ["Tờ khai"]}'
    expect "submit" 200
    CODE=$(dh_field "$BODY" code)
}

# From the counter to the applicant.
submit "Nguyễn Thị Lan"; whole=$CODE
as_holder "$whole"
req POST "/api/dossiers/$whole/steps/start" "$HOLDER_TOKEN" '{"step_token": '"$STEP"', "node": "Thẩm định hồ sơ"}'
expect "step start" 200
req POST "/api/dossiers/$whole/steps/start" "$HOLDER_TOKEN" '{"step_token": 999999, "node": "Thẩm định hồ sơ"}'
[ "$STATUS" = 409 ] || [ "$STATUS" = 400 ] || dh_fail "a stale step token: status $STATUS: $BODY"
req POST "/api/dossiers/$whole/resolve" "$HOLDER_TOKEN" '{"step_token": '"$STEP"', "approved": false}'
expect "resolve with a verdict in the body" 400 E_INVALID
req POST "/api/dossiers/$whole/resolve" "$HOLDER_TOKEN" '{"code": "000.00.00.H26-260302-0001", "step_token": 1}'
expect "a code in the body" 400 E_INVALID
req POST "/api/dossiers/$whole/resolve" "$HOLDER_TOKEN" '{"step_token": '"$STEP"', "verdict": "ok"}'
expect "an unknown field" 400 E_INVALID
dh_field "$BODY" message | grep -q verdict || dh_fail "the unknown field is not named: $BODY"
req POST "/api/dossiers/$whole/resolve" "$HOLDER_TOKEN" '{"step_token": "'"$STEP"'"}'
expect "a step token as a string" 400 E_INVALID
req POST "/api/dossiers/$whole/resolve" "$CLERK" '{"step_token": '"$STEP"'}'
expect "resolve by someone who does not hold it" 403 E_DENIED
req POST "/api/dossiers/$whole/resolve" "$HOLDER_TOKEN" '{"step_token": '"$STEP"'}'
expect "resolve" 200
req POST "/api/dossiers/$whole/return" "$CLERK" '{}'
expect "return" 200
req POST "/api/dossiers/$whole/return" "$CLERK" '{}'
expect "return twice" 409 E_STATE
req GET "/api/dossiers/$whole/history" "$CLERK"
expect "history" 200
printf '%s' "$BODY" | jq -e '.steps | length >= 3' >/dev/null || dh_fail "history has too few steps: $BODY"
req GET "/api/dossiers/$whole/clock" "$CLERK"
expect "clock" 200
[ "$(printf '%s' "$BODY" | jq -r '.clocks[0].clock.outcome')" = EARLY ] \
    || dh_fail "the finished item's clock: $(printf '%s' "$BODY" | head -c 600)"

# A refusal after examination needs its reason.
submit "Trần Văn Nam"; refused=$CODE
started "$refused"
req POST "/api/dossiers/$refused/refuse" "$HOLDER_TOKEN" '{"step_token": '"$STEP"'}'
expect "refuse without a reason" 400 E_INVALID
req POST "/api/dossiers/$refused/refuse" "$HOLDER_TOKEN" '{"step_token": '"$STEP"', "reason": "không đủ điều kiện"}'
expect "refuse" 200
dh_expect_eq "refused" false "$(printf '%s' "$BODY" | jq -r '.approved // false')"

# A supplementation asked and brought; a fee asked and paid.
submit "Lê Thị Hoa"; paused=$CODE
started "$paused"
req POST "/api/dossiers/$paused/supplement/request" "$HOLDER_TOKEN" \
    '{"step_token": '"$STEP"', "reason": "thiếu giấy", "papers": ["Bản sao CCCD"]}'
expect "supplement request" 200
for i in $(seq 1 100); do [ "$(dh_field "$(dh_ctl status "$paused" --json)" state)" = SUPPLEMENT_REQUESTED ] && break; sleep 0.05; done
req POST "/api/dossiers/$paused/supplement/provide" "$CLERK" '{"content": "Bản sao CCCD"}'
expect "supplement provide" 200
as_holder "$paused"
req POST "/api/dossiers/$paused/fee/request" "$HOLDER_TOKEN" '{"step_token": '"$STEP"', "reason": "lệ phí 8.000 đồng"}'
expect "fee request" 200
for i in $(seq 1 100); do [ "$(dh_field "$(dh_ctl status "$paused" --json)" state)" = AWAITING_FEE ] && break; sleep 0.05; done
req POST "/api/dossiers/$paused/fee/paid" "$CLERK" '{}'
expect "fee paid" 200

# Withdrawn by the applicant, at the counter.
submit "Phạm Văn Đức"; withdrawn=$CODE
req POST "/api/dossiers/$withdrawn/withdraw" "$CLERK" '{"reason": "công dân rút hồ sơ"}'
expect "withdraw" 200
req POST "/api/dossiers/$withdrawn/withdraw" "$CLERK"
expect "a POST without a body" 400 E_INVALID

# An apology drafted by the holder and approved by the head of the unit.
submit "Hoàng Thị Yến"; late=$CODE
as_holder "$late"
req POST "/api/dossiers/$late/apology" "$HOLDER_TOKEN" '{"new_due": "2026-03-10 16:00", "reason": "chờ xác minh"}'
expect "apology draft" 200
req POST "/api/dossiers/$late/apology/approve" "$HOLDER_TOKEN" '{}'
expect "apology approved by the holder" 403 E_DENIED
req POST "/api/dossiers/$late/apology/approve" "$HEAD" '{"approved": false}'
expect "a verdict in the body of approve" 400 E_INVALID
req POST "/api/dossiers/$late/apology/approve" "$HEAD" '{}'
expect "apology approved" 200

# Assignment rights: a clerk may not reassign or transfer.
req POST "/api/dossiers/$late/transfer" "$CLERK" '{"unit": "BD.VP", "reason": "sai thẩm quyền"}'
expect "transfer by a clerk" 403 E_DENIED
req GET "/api/dossiers/000.00.00.H26-991231-9999/history" "$CLERK"
expect "history of an unknown code" 404 E_NOT_FOUND

# The backlog (open items, earliest received first) and the queues.
for i in $(seq 1 100); do
    req GET "/api/backlog?unit=BD.TP" "$HEAD"
    [ "$(printf '%s' "$BODY" | jq '.entries | length')" = 2 ] && break
    sleep 0.05
done
expect "backlog" 200
dh_expect_eq "backlog: the open items, in the order received" "$paused $late" \
    "$(printf '%s' "$BODY" | jq -r '[.entries[].item] | join(" ")')"
printf '%s' "$BODY" | jq -e '.entries[0].received_at_local and .entries[0].holder' >/dev/null \
    || dh_fail "backlog entries lack receipt time or holder: $BODY"
req GET "/api/backlog?limit=100000" "$HEAD"
expect "backlog with a limit too large" 400 E_RANGE
req GET "/api/queues" "$HEAD"
expect "queues" 200
dh_expect_eq "queue of BD.TP" 2 "$(printf '%s' "$BODY" | jq '.rows[] | select(.unit == "BD.TP") | .open')"
req GET "/api/queues?unit=BD.TP&x=1" "$HEAD"
expect "queues with an unknown parameter" 400 E_INVALID
out=$(dh_ctl backlog --unit BD.TP) || dh_fail "dunghanctl backlog: $out"
printf '%s\n' "$out" | head -n 1 | grep -q "^$paused .*received 2026-03-02" || dh_fail "dunghanctl backlog: $out"
echo ok
