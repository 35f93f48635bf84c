# Notifications through real parts: a real SMTP server (Debian's aiosmtpd)
# and a local HTTP receiver standing in for the SMS provider and a
# webhook. The applicant hears on the channels chosen at submit, the
# handler on assignment; mail survives an SMTP outage (retried with
# backoff), a dead letter is sent again from the CLI, and a kill -9 of
# notify in a burst loses nothing (a resend carries the same id).
. tests/lib.sh
PY=/usr/bin/python3
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SMTP_PORT=$(free_port)
MAILDIR="$DH_DIR/maildir"
start_smtp() {
    $PY -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR" \
        >>"$DH_DIR/smtp.log" 2>&1 &
    echo $! >"$DH_DIR/smtp.pid"
    case " $DH_NAMES " in *" smtp "*) ;; *) DH_NAMES="$DH_NAMES smtp" ;; esac
    for _ in $(seq 1 100); do
        $PY -c "import socket; socket.create_connection(('127.0.0.1',$SMTP_PORT),1)" 2>/dev/null && return 0
        sleep 0.05
    done
    dh_fail "the SMTP server did not start: $(cat "$DH_DIR/smtp.log")"
}
stop_smtp() { dh_stop smtp; }
start_smtp
"$PY" "$DH_ROOT/tests/helpers/httpsink.py" "$DH_DIR/http.port" "$DH_DIR/http.log" --secret s3cret \
    >>"$DH_DIR/httpsink.log" 2>&1 &
echo $! >"$DH_DIR/httpsink.pid"
DH_NAMES="$DH_NAMES httpsink"
for _ in $(seq 1 100); do [ -s "$DH_DIR/http.port" ] && break; sleep 0.05; done
HTTP="http://127.0.0.1:$(cat "$DH_DIR/http.port")"

dh_with_deadline
cat >>"$DH_CONFIG" <<EOF
notify
    smtp_url = smtp://127.0.0.1:$SMTP_PORT
    smtp_from = motcua@badinh.hanoi.gov.vn
    sms_url = $HTTP/sms
    sms_token = t0ken
    webhook_url = $HTTP/hook
    webhook_secret = s3cret
    timeout_ms = 2000
    backoff_ms = 60000
    backoff_cap_ms = 60000
    max_attempts = 3
EOF
start_notify() { dh_start notify "$DH_BIN/dunghan-notify" --set test_clock_start="$(dh_ms "$1")"; }
start_notify "2026-03-02 09:00"
dh_start_work
dh_start_deadline --set warn_before=1h
dh_ctl time set "2026-03-02 09:00" >/dev/null
dh_ctl notify templates "$DH_ROOT/deploy/templates/templates.txt" >/dev/null
dh_ctl notify contacts "$DH_ROOT/deploy/org/staff.csv" >/dev/null

# mails: one line per delivered message: Message-ID|To|Subject|Body (decoded)
mails() {
    $PY - "$MAILDIR" <<'PYEOF'
import email, email.policy, mailbox, sys
box = mailbox.Maildir(sys.argv[1], create=False) if __import__('os').path.isdir(sys.argv[1] + '/new') else []
for key in sorted(box.keys()) if box else []:
    m = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
    body = m.get_body(('plain',)).get_content().replace('\n', ' ')
    print('%s|%s|%s|%s' % (m['Message-ID'], m['To'], m['Subject'], body))
PYEOF
}
wait_mail() {  # wait_mail PATTERN [COUNT]
    local i
    for i in $(seq 1 200); do
        [ "$(mails | grep -c -- "$1")" -ge "${2:-1}" ] && return 0
        sleep 0.05
    done
    dh_fail "no mail matching '$1' (have: $(mails | cut -c1-160))"
}
http_posts() { jq -c --arg p "$1" 'select (.path == $p)' "$DH_DIR/http.log" 2>/dev/null; }
outcome() {  # outcome CODE EVENT: how the mail of EVENT for CODE went
    dh_ctl notify log "$1" --json | jq -r --arg e "$2" '[.notifications[] | select (.event == $e and .channel == "email")][0].outcome'
}
wait_outcome() {
    local i
    for i in $(seq 1 200); do [ "$(outcome "$1" "$2")" = "$3" ] && return 0; sleep 0.05; done
    dh_fail "the $2 mail of $1 is '$(outcome "$1" "$2")', not $3"
}

code=$(dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
        --name "Trần Thị Hoa" --id 001199003456 --phone 0987654321 --email hoa@example.vn \
        --notify email --notify sms)" code)
# The applicant's mail: UTF-8 subject and body with the code and appointment.
wait_mail "|hoa@example.vn|.*$code"
line=$(mails | grep "|hoa@example.vn|" | head -1)
case "$line" in *"$code"*"09:00 ngày 05/03/2026"*) ;; *) dh_fail "the receipt mail: $line" ;; esac
case "$line" in "<email-"*"@badinh.hanoi.gov.vn>|"*) ;; *) dh_fail "Message-ID: $line" ;; esac
# The handler hears of the assignment.
handler=$(dh_field "$(dh_ctl assignment "$code" --json)" handler)
wait_mail "|$handler@example.hanoi.gov.vn|.*$code"
# The SMS provider got the text, without diacritics, with our id.
for _ in $(seq 1 100); do [ -n "$(http_posts /sms)" ] && break; sleep 0.05; done
sms=$(http_posts /sms | head -1)
dh_expect_eq "sms to" 0987654321 "$(printf '%s' "$sms" | jq -r .body.to)"
printf '%s' "$sms" | jq -r .body.text | grep -q "$code" || dh_fail "the SMS has no code: $sms"
printf '%s' "$sms" | jq -r .body.text | LC_ALL=C grep -q '[^ -~]' && dh_fail "the SMS has diacritics: $sms"
dh_expect_eq "sms key" "$(printf '%s' "$sms" | jq -r .body.id)" "$(printf '%s' "$sms" | jq -r .idempotency_key)"
# The webhook got every event, signed.
for _ in $(seq 1 100); do [ "$(http_posts /hook | wc -l)" -ge 2 ] && break; sleep 0.05; done
# (Each channel's workers send side by side: the order is not kept.)
dh_expect_eq "webhook events" "assigned,received" \
    "$(http_posts /hook | jq -r 'select (.body.code == "'"$code"'") | .body.event' | sort | paste -sd,)"
dh_expect_eq "webhook signatures" "true" "$(http_posts /hook | jq -r .signature_ok | sort -u | paste -sd,)"

# The SMTP server goes down: the result-ready mail waits and is retried.
stop_smtp
token=$(dh_field "$(dh_ctl assignment "$code" --json)" step_token)
DUNGHAN_ACTOR=$handler dh_ctl step start "$code" --token "$token" --node "Thẩm định hồ sơ" >/dev/null
DUNGHAN_ACTOR=$handler dh_ctl resolve "$code" --token "$token" >/dev/null
wait_outcome "$code" result_ready retrying
start_smtp
dh_ctl time advance 2m >/dev/null
wait_outcome "$code" result_ready sent
wait_mail "|hoa@example.vn|.*$code" 2

# Down for good: three attempts, then a dead letter; retried from the CLI.
stop_smtp
DUNGHAN_ACTOR=bd.mc dh_ctl return "$code" >/dev/null
wait_outcome "$code" returned retrying
dh_ctl time advance 2m >/dev/null
for _ in $(seq 1 100); do
    [ "$(dh_ctl notify log "$code" --json | jq -r '[.notifications[] | select (.event == "returned" and .channel == "email")][0].attempts')" = 2 ] && break
    sleep 0.05
done
dh_ctl time advance 2m >/dev/null
wait_outcome "$code" returned dead
dead=$(dh_ctl notify dead --json | jq -r '.notifications[] | select (.event == "returned" and .channel == "email") | .id')
[ -n "$dead" ] || dh_fail "no dead letter listed"
start_smtp
dh_ctl notify retry "$dead" >/dev/null
wait_outcome "$code" returned sent
dh_expect_eq "no dead letters left" 0 "$(dh_ctl notify dead --json | jq '.notifications | length')"

# kill -9 in a burst: 40 dossiers, each a receipt mail and an assignment
# mail; every one arrives, a resend carries the same Message-ID.
distinct() { mails | cut -d'|' -f1 | sort -u | wc -l; }
before=$(distinct)
for i in $(seq 1 40); do
    DUNGHAN_ACTOR=bd.mc dh_ctl submit --procedure 1.003583.000.00.00.H26 --name "Lê Văn Nam" \
        --id 00119900$(printf '%04d' "$i") --email "nam$i@example.vn" --notify email --json | jq -r .code >>"$DH_DIR/burst"
    # Back at the time the others stand at (the clock was moved since
    # 09:00): a mail queued just before the kill is due at that time.
    [ "$i" = 20 ] && { dh_kill notify; dh_start notify "$DH_BIN/dunghan-notify" \
        --set test_clock_start="$(dh_ctl service-status intake --json | jq .now_ms)"; }
done
expected=$((before + 80))
for _ in $(seq 1 400); do
    [ "$(distinct)" -ge "$expected" ] && break
    sleep 0.05
done
[ "$(distinct)" = "$expected" ] || dh_fail "distinct mails after the crash: $(distinct), not $expected; \
not sent: $(for c in $(cat "$DH_DIR/burst"); do dh_ctl notify log "$c" --json | jq -r '.notifications[] | select (.channel == "email" and .outcome != "sent") | "\(.id) \(.event) \(.outcome) \(.address)"'; done) \
twice: $(mails | cut -d'|' -f1,2 | sort | uniq -d)"

# Bad templates: refused, naming the line; nothing changes.
printf '[received email]\nSubject: Hồ sơ {code}\nKính gửi {applicant}, {nope}\n' >"$DH_DIR/bad.txt"
out=$(dh_ctl notify templates "$DH_DIR/bad.txt" 2>&1) && dh_fail "a template with an unknown placeholder was taken"
case "$out" in *E_INVALID*"line 3"*) ;; *) dh_fail "unknown placeholder: $out" ;; esac
printf '[received fax]\nHS {code}\n' >"$DH_DIR/bad.txt"
out=$(dh_ctl notify templates "$DH_DIR/bad.txt" 2>&1) && dh_fail "an unknown channel was taken"
case "$out" in *E_INVALID*"line 1"*) ;; *) dh_fail "unknown channel: $out" ;; esac
printf '[arrived email]\nSubject: {code}\nHS {code}\n' >"$DH_DIR/bad.txt"
out=$(dh_ctl notify templates "$DH_DIR/bad.txt" 2>&1) && dh_fail "an unknown event was taken"
case "$out" in *E_INVALID*"line 1"*) ;; *) dh_fail "unknown event: $out" ;; esac
printf '[received sms]\nHS \xff {code}\n' >"$DH_DIR/bad.txt"
out=$(dh_ctl notify templates "$DH_DIR/bad.txt" 2>&1) && dh_fail "bad UTF-8 was taken"
case "$out" in *E_INVALID*"line 2"*) ;; *) dh_fail "bad UTF-8: $out" ;; esac
