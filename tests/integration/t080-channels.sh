# The channel senders against real receivers. dh_mail: a Vietnamese mail
# through a real SMTP server (aiosmtpd) into a maildir, read back with
# Python's email package (recipient, decoded subject and body, Message-ID);
# eight at once from eight threads. dh_http: signed posts to
# tests/helpers/httpsink.py, which checks the signature and the token.
# Then what each must tell apart: never (a refused recipient or message,
# a 400: E_INVALID) from later (a 4xx mail reply, a 429 or 500, a server
# down, or one that takes the connection and never answers: E_IO, the
# last within the timeout). No daemon: mailprobe calls the senders.
. tests/lib.sh
PY=/usr/bin/python3
PROBE="$DH_HELPERS/mailprobe"
SINK="$DH_ROOT/tests/helpers/httpsink.py"
"$PY" -c 'import aiosmtpd' 2>/dev/null || dh_fail "Debian's python3-aiosmtpd is missing (make deps)"

# spawn NAME COMMAND...: a helper in the background, its output in
# $DH_DIR/NAME.log; the harness kills it at exit and shows its log on failure.
spawn() {
    local name=$1; shift
    "$@" >>"$DH_DIR/$name.log" 2>&1 &
    echo $! >"$DH_DIR/$name.pid"
    DH_NAMES="$DH_NAMES $name"
}
free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_for WHAT COMMAND...: until COMMAND succeeds (10 s at most).
wait_for() {
    local what=$1 i; shift
    for i in $(seq 1 200); do
        "$@" 2>/dev/null && return 0
        sleep 0.05
    done
    dh_fail "$what not after 10 s"
}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1"); }
# start_sink NAME ARGS...: httpsink.py with ARGS; its port in $DH_DIR/NAME.port,
# its log in $DH_DIR/NAME.jsonl.
start_sink() {
    local name=$1; shift
    spawn "$name" "$PY" "$SINK" "$DH_DIR/$name.port" "$DH_DIR/$name.jsonl" "$@"
    wait_for "$name listening" test -s "$DH_DIR/$name.port"
}
sink_url() { echo "http://127.0.0.1:$(cat "$DH_DIR/$1.port")$2"; }

# probe VERDICT MIN_MS MAX_MS ARGS...: mailprobe ARGS must say VERDICT (OK,
# E_IO, E_INVALID), exit 0 exactly when OK, and take MIN_MS to MAX_MS.
# Its line is left in $PROBED.
probe() {
    local verdict=$1 min_ms=$2 max_ms=$3 start rc=0 ms; shift 3
    start=$(date +%s%N)
    PROBED=$("$PROBE" "$@") || rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "$verdict in $ms ms: $PROBED"
    [ "${PROBED%% *}" = "$verdict" ] || dh_fail "mailprobe $*: expected $verdict, got '$PROBED'"
    if [ "$verdict" = OK ]; then dh_expect_eq "exit code" 0 "$rc"; else dh_expect_eq "exit code" 1 "$rc"; fi
    [ "$ms" -ge "$min_ms" ] && [ "$ms" -le "$max_ms" ] \
        || dh_fail "mailprobe $*: took $ms ms, expected $min_ms to $max_ms"
}

FROM=thongbao@badinh.hanoi.gov.vn
TO=hoa@example.vn
CODE=000.10.01.H26-260302-0001
SENTENCE="Hồ sơ $CODE đã có kết quả, hẹn trả 2026-03-05 09:00"
BODY="Kính gửi bà Trần Thị Hoa,
$SENTENCE.
Bộ phận một cửa quận Ba Đình"

# ------------------------------------------------------------ mail delivered
smtp_port=$(free_port)
spawn smtp "$PY" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$DH_DIR/maildir"
wait_for "the SMTP server listening" listening "$smtp_port"
SMTP="smtp://127.0.0.1:$smtp_port"
probe OK 0 5000 "$SMTP" "$FROM" "$TO" "$SENTENCE" "$BODY" "$CODE.ready"
out=$("$PROBE" --threads 8 "$SMTP" "$FROM" "$TO" "Thử $SENTENCE" "$BODY" "$CODE.burst") \
    || dh_fail "eight mails from eight threads: $out"
dh_expect_eq "mails sent from eight threads" 8 "$(grep -c '^OK$' <<<"$out")"
# Not delivered: STARTTLS required from a server that offers none.
probe E_IO 0 5000 --starttls "$SMTP" "$FROM" "$TO" "s" "b" "$CODE.tls"

# Every message in the maildir, as a reader's mail program sees it.
mails=$("$PY" - "$DH_DIR/maildir" <<'EOF'
import email, email.policy, json, mailbox, sys, time
box = mailbox.Maildir(sys.argv[1], create=False)
mails = []
for key in box.keys():
    raw = box.get_bytes(key)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    mails.append({
        "from": str(message["From"]), "to": str(message["To"]), "rcpt": message["X-RcptTo"],
        "subject": str(message["Subject"]), "message_id": str(message["Message-ID"]),
        "body": message.get_content().replace("\r\n", "\n"),
        "charset": message.get_content_charset(), "encoding": message["Content-Transfer-Encoding"],
        "date_ok": abs(message["Date"].datetime.timestamp() - time.time()) < 300,
        "longest_line": max(len(line) for line in raw.split(b"\r\n" if b"\r\n" in raw else b"\n")),
    })
print(json.dumps(sorted(mails, key=lambda m: m["message_id"]), ensure_ascii=False))
EOF
)
dh_expect_eq "mails delivered" 9 "$(jq length <<<"$mails")"
mail=$(jq -c --arg id "<$CODE.ready@badinh.hanoi.gov.vn>" '.[] | select(.message_id == $id)' <<<"$mails")
[ -n "$mail" ] || dh_fail "no mail with Message-ID <$CODE.ready@badinh.hanoi.gov.vn>: $mails"
dh_expect_eq "From" "$FROM" "$(dh_field "$mail" from)"
dh_expect_eq "To" "$TO" "$(dh_field "$mail" to)"
dh_expect_eq "envelope recipient" "$TO" "$(dh_field "$mail" rcpt)"
dh_expect_eq "decoded subject" "$SENTENCE" "$(dh_field "$mail" subject)"
dh_expect_eq "decoded body" "$BODY" "$(dh_field "$mail" body)"
dh_expect_eq "charset" utf-8 "$(dh_field "$mail" charset)"
dh_expect_eq "transfer encoding" base64 "$(dh_field "$mail" encoding)"
dh_expect_eq "Date within five minutes" true "$(dh_field "$mail" date_ok)"
[ "$(dh_field "$mail" longest_line)" -le 78 ] || dh_fail "a line longer than 78 characters: $mail"
dh_expect_eq "mails from eight threads, each its own Message-ID, subject and body" 8 \
    "$(jq --arg code "$CODE" --arg subject "Thử $SENTENCE" --arg body "$BODY" '[.[] | select(
        (.message_id | IN(range(1; 9) | "<\($code).burst-\(.)@badinh.hanoi.gov.vn>"))
        and .subject == $subject and .body == $body)] | map(.message_id) | unique | length' <<<"$mails")"

# ------------------------------------------------------------ mail refused
# Refused before any connection: not a bare address, or a second command
# smuggled into one.
probe E_INVALID 0 1000 "$SMTP" "$FROM" "Hoa <$TO>" "s" "b" "$CODE.x"
probe E_INVALID 0 1000 "$SMTP" "$FROM" "$TO"$'\r\nRCPT TO:<all@example.vn>' "s" "b" "$CODE.x"
probe E_INVALID 0 1000 "$SMTP" "no-address" "$TO" "s" "b" "$CODE.x"
# A server that refuses: 550 for nobody@ (never), 451 for later@ (later),
# and 554 for any message it is given (never).
cat >"$DH_DIR/refuser.py" <<'EOF'
class Refuser:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 <%s>: no such mailbox" % address
        if address.startswith("later@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return "554 5.6.0 message refused"
EOF
refuser_port=$(free_port)
spawn refuser env PYTHONPATH="$DH_DIR" "$PY" -m aiosmtpd -n -l "127.0.0.1:$refuser_port" -c refuser.Refuser
wait_for "the refusing SMTP server listening" listening "$refuser_port"
REFUSER="smtp://127.0.0.1:$refuser_port"
probe E_INVALID 0 5000 "$REFUSER" "$FROM" nobody@example.vn "s" "b" "$CODE.r1"
case "$PROBED" in *"550 5.1.1"*) ;; *) dh_fail "the server's words are not in the error: $PROBED" ;; esac
probe E_IO 0 5000 "$REFUSER" "$FROM" later@example.vn "s" "b" "$CODE.r2"
case "$PROBED" in *451*) ;; *) dh_fail "the server's code is not in the error: $PROBED" ;; esac
probe E_INVALID 0 5000 "$REFUSER" "$FROM" "$TO" "s" "b" "$CODE.r3"

# A server that is down (nobody on the port): at once. One that takes the
# connection and never says a word: when the timeout (1 s) runs out.
probe E_IO 0 2000 --timeout 2000 "smtp://127.0.0.1:$(free_port)" "$FROM" "$TO" "s" "b" "$CODE.d"
mute_port=$(free_port)
spawn mute "$PY" -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
held = []
while True:
    held.append(s.accept()[0])
' "$mute_port"
wait_for "the mute server listening" listening "$mute_port"
probe E_IO 900 3500 --timeout 1000 "smtp://127.0.0.1:$mute_port" "$FROM" "$TO" "s" "b" "$CODE.m"

# ------------------------------------------------------------ http
JSON='{"to":"0987654321","text":"Ho so 000.10.01.H26-260302-0001 da co ket qua","name":"Trần Thị Hoa"}'
start_sink signed --secret s3cret --token tok-0001
probe OK 0 5000 --token tok-0001 post "$(sink_url signed /sms)" s3cret "$JSON" sms-0001
probe OK 0 5000 --token tok-0001 post "$(sink_url signed /sms)" wrong-secret "$JSON" sms-0002
probe OK 0 5000 post "$(sink_url signed /hook)" "" "$JSON" hook-0003
out=$("$PROBE" --threads 8 post "$(sink_url signed /burst)" s3cret "$JSON" burst) \
    || dh_fail "eight posts from eight threads: $out"
log="$DH_DIR/signed.jsonl"
line() { jq -c --arg key "$1" 'select(.idempotency_key == $key)' "$log"; }
first=$(line sms-0001)
dh_expect_eq "path" /sms "$(dh_field "$first" path)"
dh_expect_eq "signature with the right secret" true "$(jq .signature_ok <<<"$first")"
dh_expect_eq "token" true "$(jq .token_ok <<<"$first")"
dh_expect_eq "body" "$(jq -c . <<<"$JSON")" "$(jq -c .body <<<"$first")"
dh_expect_eq "signature with a wrong secret" false "$(line sms-0002 | jq .signature_ok)"
dh_expect_eq "no signature" false "$(line hook-0003 | jq .signature_ok)"
dh_expect_eq "no token" false "$(line hook-0003 | jq .token_ok)"
dh_expect_eq "signed posts from eight threads" 8 \
    "$(jq -s '[.[] | select(.path == "/burst" and .signature_ok)] | length' "$log")"

start_sink down500 --status 500
probe E_IO 0 5000 post "$(sink_url down500 /sms)" s3cret "$JSON" sms-0004
dh_expect_eq "unsigned receiver" null "$(jq .signature_ok "$DH_DIR/down500.jsonl")"
start_sink busy429 --status 429
probe E_IO 0 5000 post "$(sink_url busy429 /sms)" s3cret "$JSON" sms-0005
start_sink bad400 --status 400
probe E_INVALID 0 5000 --token tok-secret-0001 post "$(sink_url bad400 /sms)" s3cret-0001 "$JSON" sms-0006
case "$PROBED" in *400*) ;; *) dh_fail "the status is not in the error: $PROBED" ;; esac
case "$PROBED" in *tok-secret-0001* | *s3cret-0001*) dh_fail "the token or secret in the error: $PROBED" ;; esac
start_sink hang --hang
probe E_IO 900 3500 --timeout 1000 post "$(sink_url hang /sms)" s3cret "$JSON" sms-0007
probe E_IO 0 2000 --timeout 2000 post "http://127.0.0.1:$(free_port)/sms" s3cret "$JSON" sms-0008
echo "mail and http channels: delivered, signed, refused and timed out as they should"
