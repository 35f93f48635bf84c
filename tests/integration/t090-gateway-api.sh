# The web gateway against the real daemons, through curl only: the public
# lookup (one answer for a wrong ID number and an unknown code, a rate
# limit per address), staff sign-in by token (missing, unknown, expired),
# a submit that the lookup then finds, a refusal by role, bad bodies and
# paths that change nothing, the event stream with its replay, /metrics
# and the OpenAPI document.
. tests/lib.sh
dh_with_deadline
printf 'gateway\n    lookup_rate_per_s = 20\n    timeout_ms = 1000\n    trusted_proxy = 127.0.0.1\n' >>"$DH_CONFIG"
dh_start_work
dh_start_deadline
dh_start_gateway
GATEWAY="$DH_BIN/dunghan-gateway"
PROCEDURE=1.003583.000.00.00.H26

# req METHOD PATH [CURL ARGS...]: sets STATUS and BODY.
req() {
    local method=$1 path=$2 out
    shift 2
    out=$(curl -sS --path-as-is -w '\n%{http_code}' -X "$method" "$@" "$DH_HTTP$path") \
        || dh_fail "curl $method $path failed"
    STATUS=${out##*$'\n'}
    BODY=${out%$'\n'*}
}
# expect WHAT STATUS [ERROR_NAME]: the last answer's status (and error).
expect() {
    [ "$STATUS" = "$2" ] || dh_fail "$1: expected status $2, got $STATUS: $BODY"
    printf '%s' "$BODY" | jq -e . >/dev/null 2>&1 || dh_fail "$1: the answer is not JSON: $BODY"
    [ -z "${3:-}" ] || dh_expect_eq "$1: error" "$3" "$(dh_field "$BODY" error)"
}
# submit NAME: a good dossier by the clerk; sets CODE. Codes are numbered
# one by one per agency and day, so the next one tells whether any
# dossier was received in between.
submit() {
    req POST /api/dossiers -H "$(auth "$CLERK")" -d '{"procedure_code": "'$PROCEDURE'",
        "applicant": {"name": "'"$1"'", "id_number": "001188002233", "phone": "0912345678"},
        "channel": "in-person", "documents": ["Tờ khai"], "notify": ["sms"]}'
    expect "submit" 200
    CODE=$(dh_field "$BODY" code)
    [ -n "$CODE" ] && [ -n "$(dh_field "$BODY" due_at_local)" ] || dh_fail "submit answered $BODY"
}
number() {
    local n=${1##*-}
    echo $((10#$n))
}

# Tokens: issued while the gateway runs (it reads the file again).
CLERK=$(dh_ctl token new --staff bd.mc 2>/dev/null)
HEAD=$(dh_ctl token new --staff bdtp.tp --days 1 2>/dev/null)
[ ${#CLERK} -eq 64 ] || dh_fail "token new printed '$CLERK', not 64 hex digits"
grep -q "bd.mc" "$DH_DIR/gateway.tokens" || dh_fail "no line for bd.mc in the tokens file"
grep -q "$CLERK" "$DH_DIR/gateway.tokens" && dh_fail "the tokens file holds a token itself, not its hash"
OLD=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
printf '%s bd.mc 1000\n' "$(printf '%s' "$OLD" | sha256sum | cut -d' ' -f1)" >>"$DH_DIR/gateway.tokens"
auth() { printf 'Authorization: Bearer %s' "$1"; }

# The event stream, opened before anything happens.
EVENTS="$DH_DIR/events.txt"
curl -sS -N -m 30 -H "$(auth "$CLERK")" "$DH_HTTP/events" >"$EVENTS" 2>/dev/null &
echo $! >"$DH_DIR/events.pid"
DH_NAMES="$DH_NAMES events"
for i in $(seq 1 100); do grep -q '^: connected' "$EVENTS" && break; sleep 0.05; done
grep -q '^: connected' "$EVENTS" || dh_fail "the event stream never opened"

# Sign-in refusals.
req POST /api/dossiers -H 'Content-Type: application/json' -d '{}'
expect "submit without a token" 401 E_DENIED
req POST /api/dossiers -H "$(auth nonsense)" -d '{}'
expect "submit with an unknown token" 401 E_DENIED
req POST /api/dossiers -H "$(auth "$OLD")" -d '{}'
expect "submit with an expired token" 401 E_DENIED
dh_field "$BODY" message | grep -q expired || dh_fail "an expired token is not named so: $BODY"

# A submit, and what the public sees of it.
submit "Lê Thị Hoa"
req GET "/api/lookup?code=$CODE&id=001188002233"
expect "lookup" 200
dh_expect_eq "lookup code" "$CODE" "$(dh_field "$BODY" code)"
[ -n "$(dh_field "$BODY" state)" ] && [ -n "$(dh_field "$BODY" due_at_local)" ] \
    || dh_fail "lookup answered $BODY"
req GET "/api/lookup?code=$CODE&id=001188009999"
expect "lookup with a wrong ID number" 404 E_NOT_FOUND
wrong_id=$BODY
req GET "/api/lookup?code=000.10.01.H26-991231-9999&id=001188002233"
expect "lookup of an unknown code" 404 E_NOT_FOUND
dh_expect_eq "unknown code and wrong ID number answer alike" "$wrong_id" "$BODY"
req GET "/api/lookup?code=$CODE"
expect "lookup without the ID number" 400 E_INVALID
req GET "/api/dossiers/$CODE" -H "$(auth "$CLERK")"
expect "status" 200
dh_expect_eq "status applicant" "Lê Thị Hoa" "$(printf '%s' "$BODY" | jq -r .applicant.name)"
dh_expect_eq "submitted by the signed-in clerk" bd.mc "$(dh_field "$BODY" received_by)"

# Refused by role: a clerk may not reassign; the head of the lead unit may.
for i in $(seq 1 100); do
    state=$(dh_ctl assignment "$CODE" --json 2>/dev/null | jq -r '.state // empty')
    [ "$state" = ASSIGNED ] && break
    sleep 0.05
done
req POST "/api/dossiers/$CODE/reassign" -H "$(auth "$CLERK")" -d '{"handler": "bdtp.cv3"}'
expect "reassign by a clerk" 403 E_DENIED
req POST "/api/dossiers/$CODE/reassign" -H "$(auth "$HEAD")" -d '{"handler": "bdtp.cv3", "reason": "cân tải"}'
expect "reassign by the head" 200
dh_expect_eq "reassigned" bdtp.cv3 "$(dh_field "$BODY" handler)"

# Bad bodies and paths: clear JSON refusals, and nothing received.
head -c 70000 /dev/zero | tr '\0' 'x' >"$DH_DIR/big.json"
req POST /api/dossiers -H "$(auth "$CLERK")" --data-binary @"$DH_DIR/big.json"
expect "an oversize body" 413 E_TOO_BIG
req POST /api/dossiers -H "$(auth "$CLERK")" -d '{"procedure_code": 42, "applicant": {}}'
expect "a number for a string" 400 E_INVALID
dh_field "$BODY" message | grep -q procedure_code || dh_fail "the wrong type is not named: $BODY"
req POST /api/dossiers -H "$(auth "$CLERK")" -d '{"procedure_code": "'$PROCEDURE'", "applicant": []}'
expect "an array for an object" 400 E_INVALID
req POST /api/dossiers -H "$(auth "$CLERK")" -d '{"procedure_code": "'$PROCEDURE'", "applicant":
    {"name": "A", "id_number": "001188002233", "shoe_size": "42"}}'
expect "an unknown field" 400 E_INVALID
dh_field "$BODY" message | grep -q applicant.shoe_size || dh_fail "the unknown field is not named: $BODY"
printf '{"procedure_code": "%s", "applicant": {"name": "\xc3\x28", "id_number": "001188002233"}}' \
    "$PROCEDURE" >"$DH_DIR/bad-utf8.json"
req POST /api/dossiers -H "$(auth "$CLERK")" --data-binary @"$DH_DIR/bad-utf8.json"
expect "invalid UTF-8" 400 E_MALFORMED
req POST /api/dossiers -H "$(auth "$CLERK")" -d '{"procedure_code": "'$PROCEDURE'", "applicant":
    {"name": "A\u001b[31m", "id_number": "001188002233"}}'
expect "a control character" 400 E_INVALID
req POST /api/dossiers -H "$(auth "$CLERK")" -d '{"procedure_code": '
expect "a body that is not JSON" 400 E_MALFORMED
req POST /api/dossiers -H "$(auth "$CLERK")" -d '{"a": 1, "a": 2}'
expect "a key given twice" 400 E_MALFORMED
req GET /api/../../etc/passwd
expect "a path with .." 400 E_INVALID
req GET /api/%2e%2e/%2e%2e/etc/passwd
expect "an encoded .." 400 E_INVALID
req GET "/api/dossiers/..%2f..%2fetc" -H "$(auth "$CLERK")"
expect "an encoded traversal in a code" 400 E_INVALID
req GET /api/nothing-here
expect "an unknown path" 404 E_NOT_FOUND
req DELETE /api/lookup
expect "a method the path does not take" 405 E_INVALID
req GET "/api/lookup?code=$CODE&id=001188002233&debug=1"
expect "an unknown parameter" 400 E_INVALID
first=$CODE
submit "Trần Văn Bình"
dh_expect_eq "no dossier received from a bad request" $(($(number "$first") + 1)) "$(number "$CODE")"
CODE=$first

# The deadline daemon's queries.
req GET "/api/stats?from=2025-01-01&to=2026-12-31" -H "$(auth "$HEAD")"
expect "stats" 200
[ -n "$(dh_field "$BODY" received)" ] || dh_fail "stats answered $BODY"
req GET "/api/stats?from=yesterday&to=2026-12-31" -H "$(auth "$HEAD")"
expect "stats with a bad date" 400
req GET "/api/overdue?unit=BD.TP" -H "$(auth "$HEAD")"
expect "overdue" 200
req GET "/api/due-soon?limit=5" -H "$(auth "$HEAD")"
expect "due soon" 200
req GET "/api/due-soon?limit=0" -H "$(auth "$HEAD")"
expect "due soon with limit 0" 400 E_RANGE

# The stream saw the submit, numbered; a client that comes back after
# the first of them gets the rest again.
for i in $(seq 1 100); do grep -q "\"code\":\"$CODE\"" "$EVENTS" && break; sleep 0.05; done
grep '^data: ' "$EVENTS" | grep "ITEM_RECEIVED" | grep -q "\"code\":\"$CODE\"" \
    || dh_fail "the stream never carried ITEM_RECEIVED of $CODE: $(head -c 2000 "$EVENTS")"
mapfile -t ids < <(sed -n 's/^id: //p' "$EVENTS")
[ ${#ids[@]} -ge 3 ] || dh_fail "only ${#ids[@]} events came: $(cat "$EVENTS")"
for ((i = 1; i < ${#ids[@]}; i++)); do
    [ "${ids[i]}" -eq $((ids[i - 1] + 1)) ] || dh_fail "event ids not consecutive: ${ids[*]}"
done
curl -sS -N -m 2 -H "$(auth "$CLERK")" -H "Last-Event-ID: ${ids[0]}" "$DH_HTTP/events" \
    >"$DH_DIR/replay.txt" 2>/dev/null || true
replayed=$(sed -n 's/^id: //p' "$DH_DIR/replay.txt" | head -n $((${#ids[@]} - 1)) | tr '\n' ' ')
dh_expect_eq "replay after Last-Event-ID" "${ids[*]:1} " "$replayed"
curl -sS -N -m 2 -H "$(auth "$CLERK")" -H "Last-Event-ID: 5" "$DH_HTTP/events" \
    >"$DH_DIR/lost.txt" 2>/dev/null || true
grep -q '^event: snapshot-needed' "$DH_DIR/lost.txt" \
    || dh_fail "an id the ring no longer holds got no snapshot-needed: $(cat "$DH_DIR/lost.txt")"
req GET /events
expect "events without a token" 401 E_DENIED

# Metrics: HELP and TYPE for every family, every daemon up.
METRICS=$(curl -sS "$DH_HTTP/metrics")
for daemon in intake assign deadline; do
    printf '%s\n' "$METRICS" | grep -qx "dunghan_up{daemon=\"$daemon\"} 1" \
        || dh_fail "$daemon is not up in /metrics: $METRICS"
done
printf '%s\n' "$METRICS" | grep -q '^dunghan_messages_total{daemon="intake"} [1-9]' \
    || dh_fail "no messages counted for intake: $METRICS"
printf '%s\n' "$METRICS" | grep -q '^dunghan_outbox_depth{daemon="intake",peer="assign"} ' \
    || dh_fail "no outbox depth of intake to assign: $METRICS"
# Per unit: the dossiers submitted above are open in their lead unit.
for family in dunghan_queue_items dunghan_queue_oldest_item_timestamp_seconds; do
    printf '%s\n' "$METRICS" | grep -q "^$family{unit=\"BD.TP\"} [1-9]" \
        || dh_fail "no $family for BD.TP: $(printf '%s\n' "$METRICS" | grep queue)"
done
families=$(printf '%s\n' "$METRICS" | grep -v '^#' | sed 's/[{ ].*//' | sort -u)
for family in $families; do
    # A histogram's samples are its family's name and _bucket, _sum, _count.
    case "$family" in
        *_bucket|*_sum|*_count) printf '%s\n' "$METRICS" | grep -q "^# TYPE ${family%_*} histogram$" \
            && family=${family%_*} ;;
    esac
    printf '%s\n' "$METRICS" | grep -q "^# HELP $family " || dh_fail "no HELP for $family"
    printf '%s\n' "$METRICS" | grep -q "^# TYPE $family \(counter\|gauge\|histogram\)$" || dh_fail "no TYPE for $family"
    case "$family" in
        *_total) printf '%s\n' "$METRICS" | grep -q "^# TYPE $family counter" || dh_fail "$family is not a counter" ;;
    esac
done

# The OpenAPI document parses and names what the API serves.
req GET /api/openapi.json
expect "openapi.json" 200
dh_expect_eq "openapi version" 3 "$(printf '%s' "$BODY" | jq -r '.openapi | split(".")[0]')"
for path in /api/lookup /api/dossiers '/api/dossiers/{code}' '/api/dossiers/{code}/reassign' /api/stats \
            /api/overdue /api/due-soon /events /metrics; do
    printf '%s' "$BODY" | jq -e --arg p "$path" '.paths[$p]' >/dev/null || dh_fail "openapi.json lacks $path"
done
# Every row of every routing table is described, with its method; staff
# rows need the bearer token.
for path in '/api/dossiers/{code}/steps/start' '/api/dossiers/{code}/apology/approve' /api/backlog /api/queues \
            /api/dashboard /lookup /receipt /healthz; do
    printf '%s' "$BODY" | jq -e --arg p "$path" '.paths[$p] | to_entries[0].value.responses' >/dev/null \
        || dh_fail "openapi.json lacks $path: $(printf '%s' "$BODY" | jq -c --arg p "$path" '.paths[$p]')"
done
printf '%s' "$BODY" | jq -e '.paths["/api/dossiers/{code}/resolve"].post.security[0].staff' >/dev/null \
    || dh_fail "openapi.json: resolve needs no sign-in?"

# Behind the reverse proxy (trusted_proxy), each client the proxy names
# last in X-Forwarded-For has a bucket of its own: one that spent its
# lookups leaves the proxy's own address untouched.
args=()
for i in $(seq 1 60); do
    args+=(-o /dev/null "$DH_HTTP/api/lookup?code=$CODE&id=001188002233")
done
statuses=$(curl -sS --no-progress-meter -Z --parallel-max 30 -H "X-Forwarded-For: 198.51.100.9, 203.0.113.7" \
           -w '%{http_code}\n' "${args[@]}" | sort | uniq -c)
printf '%s\n' "$statuses" | grep -q ' 429$' || dh_fail "60 lookups of one client behind the proxy: $statuses"
req GET "/api/lookup?code=$CODE&id=001188002233"
expect "a lookup from another client just after" 200
printf '%s' "$BODY" | jq -e 'keys == ["code", "due_at", "due_at_local", "state", "steps"]' >/dev/null \
    || dh_fail "the public lookup shows more than state and appointment: $BODY"
sleep 1.1

# The rate limit, last (it spends this address's lookups): 20 a second,
# and 60 asked at once.
args=()
for i in $(seq 1 60); do
    args+=(-o "$DH_DIR/burst.$i" "$DH_HTTP/api/lookup?code=$CODE&id=001188002233")
done
statuses=$(curl -sS --no-progress-meter -Z --parallel-max 30 -w '%{http_code}\n' "${args[@]}" | sort | uniq -c)
printf '%s\n' "$statuses" | grep -q ' 429$' || dh_fail "60 lookups at once were never limited: $statuses"
printf '%s\n' "$statuses" | grep -q ' 200$' || dh_fail "60 lookups at once were all refused: $statuses"
limited=$(grep -l '"E_BUSY"' "$DH_DIR"/burst.* | head -n 1)
[ -n "$limited" ] && jq -e '.code == 2017 and (.message | length > 0)' "$limited" >/dev/null \
    || dh_fail "a limited lookup did not get a JSON refusal: $(cat "$DH_DIR"/burst.* | head -c 600)"
sleep 1.1
req GET "/api/lookup?code=$CODE&id=001188002233"
expect "a lookup a second later" 200

# A daemon down: 503 for what needs it, dunghan_up 0.
dh_stop deadline
req GET "/api/overdue" -H "$(auth "$HEAD")" 
expect "overdue with deadline down" 503
curl -sS "$DH_HTTP/metrics" | grep -qx 'dunghan_up{daemon="deadline"} 0' \
    || dh_fail "a stopped deadline is not down in /metrics"
dh_stop gateway
echo "ok"
