# Forged and unauthenticated clients: a table of them, each refused, each
# logged by the daemon it tried, and none changing anything (the dossier,
# its history, both audit chains, the event seqs, and the dossier the
# forged link message would have created). Then the controls: the same
# daemons do apply what the right certificates send, so the refusals
# above are the certificates' doing.
. tests/lib.sh
dh_start_work
FORGE="$DH_HELPERS/forge"
code=$(dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
    --name "Lê Văn Nam" --id 001088001122)" code)
for i in $(seq 1 100); do [ "$(dh_field "$(dh_ctl status "$code" --json)" state)" = ASSIGNED ] && break; sleep 0.05; done
dh_expect_eq "routed" ASSIGNED "$(dh_field "$(dh_ctl status "$code" --json)" state)"
handler=$(dh_field "$(dh_ctl assignment "$code" --json)" handler)
other=bdtp.cv1; [ "$handler" = bdtp.cv1 ] && other=bdtp.cv2
FORGED=000.10.01.H26-251124-9999     # the dossier a forged ITEM_RECEIVED would create

snapshot() {
    { dh_ctl status "$code" --json; dh_ctl assignment "$code" --json; dh_ctl history "$code" --json
      dh_ctl assignment "$FORGED" --json
      dh_ctl audit verify --json
      for d in intake assign; do
          dh_ctl service-status "$d" --json | jq -c '{event_seq, peers}'
      done; } 2>&1
}
# The next seq a daemon expects from a peer, so that only the
# certificate check stands between a forged link message and its effect.
next_seq() {  # next_seq FROM TO
    dh_ctl service-status "$1" --json | jq --arg to "$2" '[.peers[] | select(.peer == $to) | .last_seq][0] + 1'
}
log_count() { grep -c -F -- "$2" "$DH_DIR/$1.log" || true; }

# row NAME EXPECTED DAEMON LOG_TEXT -- COMMAND...: COMMAND's last output
# line is EXPECTED, DAEMON's log gains a line holding LOG_TEXT, and the
# snapshot is the same before and after. An empty LOG_TEXT: a person
# refused by the org chart, with nothing forged, is answered, not logged.
rows=0
row() {
    local name=$1 want=$2 daemon=$3 pattern=$4; shift 5
    local before after logged out
    before=$(snapshot)
    logged=$(log_count "$daemon" "$pattern")
    out=$("$@" 2>&1 | tail -1) || true
    dh_expect_eq "$name: answer" "$want" "$out"
    if [ -n "$pattern" ]; then
        for i in $(seq 1 40); do [ "$(log_count "$daemon" "$pattern")" -gt "$logged" ] && break; sleep 0.05; done
        [ "$(log_count "$daemon" "$pattern")" -gt "$logged" ] || dh_fail "$name: $daemon did not log '$pattern'"
    fi
    after=$(snapshot)
    [ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") | head -20; dh_fail "$name changed something"; }
    rows=$((rows + 1))
}
ctl_as() {  # ctl_as CERT ARGS...: dunghanctl with that certificate, the error's name or "ok"
    local cert=$1 out; shift
    if out=$(DUNGHAN_CERT=$cert "$DH_BIN/dunghanctl" "$@" --json --timeout 1500 2>/dev/null); then echo ok
    else dh_field "$out" name; [ -n "$out" ] || echo "no answer"; fi
}

ASSIGN_API="ipc://$DH_DIR/assign.api"
INTAKE_API="ipc://$DH_DIR/intake.api"
# Strangers: a certificate made outside the deployment's folder, even one
# that says it is intake, is not let in.
mkdir -p "$DH_DIR/elsewhere"
"$DH_BIN/dunghanctl" cert new --name intake --role service --dir "$DH_DIR/elsewhere" >/dev/null
"$DH_BIN/dunghanctl" cert new --name ops --role operator --dir "$DH_DIR/elsewhere" >/dev/null
stranger_key=$(sed -n 's/.*public-key = "\(.*\)"/\1/p' "$DH_DIR/elsewhere/intake.cert")
# Insiders with the wrong role or name: people, and a peer that names
# another peer.
dh_cert deadline service >/dev/null
dh_cert bd.mc >/dev/null; dh_cert bdtp.tp >/dev/null

row "a plaintext client" "no answer" assign "api refused a connection at $ASSIGN_API: " -- \
    "$FORGE" "$ASSIGN_API" assign plain item-received intake "$(next_seq intake assign)" "$FORGED"
row "a certificate not in the folder, named intake" "no answer" assign "denied (CURVE) client_key=$stranger_key" -- \
    "$FORGE" "$ASSIGN_API" assign "$DH_DIR/elsewhere/intake.cert" item-received intake "$(next_seq intake assign)" "$FORGED"
row "dunghanctl with a certificate not in the folder" "no answer" intake "not in the certs folder" -- \
    ctl_as "$DH_DIR/elsewhere/ops.cert" status "$code"
row "a staff certificate sending link messages" E_DENIED assign \
    "(name bd.mc, role staff) claiming sender intake" -- \
    "$FORGE" "$ASSIGN_API" assign "$DH_CERTS/bd.mc.cert" item-received intake "$(next_seq intake assign)" "$FORGED"
row "an operator certificate sending link messages" E_DENIED intake \
    "(name ops, role operator) claiming sender assign" -- \
    "$FORGE" "$INTAKE_API" intake "$DH_CERTS/ops.cert" item-changed assign "$(next_seq assign intake)" "$code"
row "a peer service certificate claiming another peer's name" E_DENIED assign \
    "(name deadline, role service) claiming sender intake" -- \
    "$FORGE" "$ASSIGN_API" assign "$DH_CERTS/deadline.cert" item-received intake "$(next_seq intake assign)" "$FORGED"
row "a peer service certificate claiming another peer's name, to intake" E_DENIED intake \
    "(name receiver, role service) claiming sender assign" -- \
    "$FORGE" "$INTAKE_API" intake "$DH_CERTS/receiver.cert" item-changed assign "$(next_seq assign intake)" "$code"
row "a clerk reassigning (outside the clerk's role)" E_DENIED assign "REASSIGN by bd.mc denied" -- \
    ctl_as "$DH_CERTS/bd.mc.cert" reassign "$code" --handler "$other"
row "a clerk reassigning in the head's name" E_DENIED assign "claimed actor bdtp.tp: taken as bd.mc" -- \
    ctl_as "$DH_CERTS/bd.mc.cert" reassign "$code" --handler "$other" --actor bdtp.tp
row "a clerk importing the org chart in the operator's name" E_DENIED assign "claimed actor ops: taken as bd.mc" -- \
    ctl_as "$DH_CERTS/bd.mc.cert" org import staff "$DH_ROOT/deploy/org/staff.csv" --actor ops

# Without its certificate a daemon does not start (78: systemd leaves it
# stopped), and dunghanctl says what is missing.
status=0
"$DH_BIN/dunghan-assign" --set cert="$DH_DIR/none.cert" --set data="$DH_DIR/other.lmdb" \
    --set api="ipc://$DH_DIR/other.api" --set events="ipc://$DH_DIR/other.events" \
    --set ready_file="$DH_DIR/other.ready" >"$DH_DIR/nocert.log" 2>&1 || status=$?
dh_expect_eq "a daemon without its certificate exits" 78 "$status"
grep -q "no certificate $DH_DIR/none.cert" "$DH_DIR/nocert.log" || dh_fail "no reason logged: $(cat "$DH_DIR/nocert.log")"
status=0
DUNGHAN_CERT="$DH_DIR/none.cert" "$DH_BIN/dunghanctl" status "$code" >/dev/null 2>"$DH_DIR/nocert.err" || status=$?
dh_expect_eq "dunghanctl without a certificate exits" 1 "$status"
grep -q "no usable certificate" "$DH_DIR/nocert.err" || dh_fail "dunghanctl said: $(cat "$DH_DIR/nocert.err")"
# A daemon whose certificate is another's (a person's) does not start either.
status=0
"$DH_BIN/dunghan-assign" --set cert="$DH_CERTS/ops.cert" --set data="$DH_DIR/other.lmdb" \
    --set ready_file="$DH_DIR/other.ready" >"$DH_DIR/wrongcert.log" 2>&1 || status=$?
dh_expect_eq "a daemon with a person's certificate exits" 78 "$status"

# The controls. The right certificate's link message is applied (the same
# forge, as intake itself: seq and payload were never the obstacle).
before_seq=$(next_seq intake assign)
dh_expect_eq "intake's own certificate" ok \
    "$("$FORGE" "$ASSIGN_API" assign "$DH_CERTS/intake.cert" item-received intake "$(next_seq intake assign)" "$FORGED" | tail -1)"
dh_expect_eq "the forged dossier, sent by intake's key, exists" "$FORGED" \
    "$(dh_field "$(dh_ctl assignment "$FORGED" --json)" code)"
# The head reassigns with their own certificate, even claiming to be the
# clerk: the step and the audit name the head.
dh_expect_eq "the head reassigns" ok "$(ctl_as "$DH_CERTS/bdtp.tp.cert" reassign "$code" --handler "$other" --actor bd.mc)"
dh_expect_eq "the new handler" "$other" "$(dh_field "$(dh_ctl assignment "$code" --json)" handler)"
dh_expect_eq "the step names the head" bdtp.tp \
    "$(dh_ctl history "$code" --json | jq -r '[.steps[] | select(.action == "reassign")][-1].sender')"
# A gateway acts for its signed-in user: the head, through the portal.
dh_cert portal gateway >/dev/null
dh_expect_eq "the gateway, for the head" ok \
    "$(ctl_as "$DH_CERTS/portal.cert" reassign "$code" --handler "$handler" --actor bdtp.tp)"
dh_expect_eq "the gateway's step names its user" bdtp.tp \
    "$(dh_ctl history "$code" --json | jq -r '[.steps[] | select(.action == "reassign")][-1].sender')"
dh_expect_eq "the gateway, for a clerk, is refused as the clerk" E_DENIED \
    "$(ctl_as "$DH_CERTS/portal.cert" reassign "$code" --handler "$other" --actor bd.mc)"
dh_ctl audit verify >/dev/null || dh_fail "audit chains"
echo "$rows forged clients refused, logged, nothing changed; 4 controls applied"
