# The supervisors' dashboard in a real browser: Debian's headless
# Chromium through chromedriver (tests/helpers/webdriver.py), against the
# real daemons. The page signs in through its own form; a dossier
# submitted shows in it without a reload; the gateway killed with kill -9
# and started again on the same port is caught up with (the stream comes
# back and the page asks again); the figures, the overdue list with its
# holder and the charts match what the deadline daemon says; the page
# asks nothing of another host. The sign-in cookie serves GETs only.
# A screenshot is kept in $BUILD/artifacts/dashboard.png.
. tests/lib.sh
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] \
    || dh_fail "the browser test needs Debian's chromium and chromium-driver (make deps)"
dh_with_deadline
dh_start_work
dh_start_deadline
WD="/usr/bin/python3 $DH_ROOT/tests/helpers/webdriver.py"
COPY=1.003583.000.00.00.H26     # birth certificate copy: BD.TP, 3 working days

# The gateway is killed and started again: on the same port, which the
# page was loaded from.
PORT=$($WD port)
printf 'gateway\n    timeout_ms = 3000\n    http = 127.0.0.1:%s\n' "$PORT" >>"$DH_CONFIG"
DH_HTTP="http://127.0.0.1:$PORT"
CLERK=$(dh_ctl token new --staff bd.mc 2>/dev/null)
HEAD=$(dh_ctl token new --staff bdtp.tp 2>/dev/null)

# settime "YYYY-MM-DD HH:MM": the daemons' clocks (the gateway has none).
settime() {
    local service
    for service in intake assign deadline; do dh_ctl time set "$1" --service $service >/dev/null; done
}
submit_ctl() {
    dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure $COPY --name "Nguyễn Văn An" \
                --id 001199003456)" code
}
submit_api() {
    curl -sS -H "Authorization: Bearer $CLERK" "$DH_HTTP/api/dossiers" -d '{"procedure_code": "'$COPY'",
        "applicant": {"name": "Trần Thị Bình", "id_number": "001188002233"}, "documents": ["Tờ khai"]}' \
        | jq -r '.code // empty'
}
# board: the figures as the API gives them to the page.
board() { curl -sS -H "Authorization: Bearer $HEAD" "$DH_HTTP/api/dashboard$1"; }
status() { curl -sS -o /dev/null -w '%{http_code}' "$@"; }
page() { $WD "$SESSION" "$@"; }
# BD.TP's "received" as the page shows it (NaN, said null, before it does).
received='Number(document.querySelector("#units tbody tr[data-unit=\"BD.TP\"] [data-field=received]")?.dataset.value)'


# Monday 2 June 2025: two dossiers; one is resolved the next day (early),
# the other falls overdue by the 16th, when a third comes.
settime "2025-06-02 09:00"
early=$(submit_ctl)
late=$(submit_ctl)
dh_wait_clock "$early" open_step "$early|s|0001"
dh_wait_clock "$late" open_step "$late|s|0001"
settime "2025-06-03 09:00"
dh_resolve "$early"
dh_wait_clock "$early" outcome EARLY
settime "2025-06-16 09:00"
dh_wait_clock "$late" breached true
other=$(submit_ctl)
dh_wait_clock "$other" open_step "$other|s|0001"
dh_start gateway "$DH_BIN/dunghan-gateway"

# The API the page reads: this month up to the daemons' today.
json=$(board "")
dh_expect_eq "default period" "2025-06-01 2025-06-16" "$(printf '%s' "$json" | jq -r '"\(.from) \(.to)"')"
dh_expect_eq "BD.TP received, early, on time, late, rate, open, overdue" "3 1 0 0 100 2 1" \
    "$(printf '%s' "$json" | jq -r '.units[] | select(.unit == "BD.TP")
        | "\(.received) \(.early) \(.on_time) \(.late) \(.on_time_rate) \(.queue.open) \(.open_overdue)"')"
dh_expect_eq "BD.TP's on-time rate by week: the early one in the week of 2 June" \
    "2025-06-02 null,null,null,null,null,100,null,null" \
    "$(printf '%s' "$json" | jq -r '"\(.weeks[5].from) \(.units[] | select(.unit == "BD.TP") | .weekly | map(tostring) | join(","))"')"
dh_expect_eq "the oldest open item's age" $((14 * 86400)) \
    "$(printf '%s' "$json" | jq -r '.units[] | select(.unit == "BD.TP") | .queue.oldest_age_s')"
dh_expect_eq "eight weeks, the last up to today" "8 2025-06-16 2025-06-16" \
    "$(printf '%s' "$json" | jq -r '"\(.weeks | length) \(.weeks[7].from) \(.weeks[7].to)"')"
overdue=$(dh_ctl overdue --json | jq -c --arg item "$late" '[.entries[] | select(.item == $item and .kind == "ITEM_CLOCK")][0]')
holder=$(printf '%s' "$overdue" | jq -r .holder)
days=$(printf '%s' "$overdue" | jq -r .working_days)
[ -n "$holder" ] && [ "$holder" != null ] || dh_fail "deadline names no holder of $late: $overdue"
dh_expect_eq "the overdue item, its holder and days over, as deadline says" "$late $holder $days" \
    "$(printf '%s' "$json" | jq -r --arg item "$late" '.overdue[] | select(.item == $item and .kind == "item")
                                                       | "\(.item) \(.holder) \(.working_days)"')"
band=$(awk -v d="$days" 'BEGIN { print (d <= 2? 0: d <= 5? 1: d <= 10? 2: 3) }')
dh_expect_eq "the overdue item in its age band" "1 1" \
    "$(printf '%s' "$json" | jq -r --argjson b "$band" '"\(.bands[$b].count) \([.bands[].count] | add)"')"
dh_expect_eq "a period asked for" "0" \
    "$(board "?from=2025-05-01&to=2025-05-31" | jq -r '.total.received - .total.carried_over')"
dh_expect_eq "from without to" 400 "$(status -H "Authorization: Bearer $HEAD" "$DH_HTTP/api/dashboard?from=2025-06-01")"
dh_expect_eq "not a date" 400 "$(status -H "Authorization: Bearer $HEAD" "$DH_HTTP/api/dashboard?from=2025-02-30&to=2025-03-01")"
dh_expect_eq "the figures without signing in" 401 "$(status "$DH_HTTP/api/dashboard")"

# The page's files: served, from this host only; Debian's Chart.js.
for path in /dashboard /static/dashboard.js /static/dashboard.css; do
    dh_expect_eq "GET $path" 200 "$(status "$DH_HTTP$path")"
    curl -sS "$DH_HTTP$path" | grep -n 'https\?://' && dh_fail "$path names another host"
done
curl -sS -D "$DH_DIR/page.headers" -o /dev/null "$DH_HTTP/dashboard"
grep -qi "^Content-Security-Policy: default-src 'none'; script-src 'self'" "$DH_DIR/page.headers" \
    || dh_fail "the page has no policy keeping it to this host: $(cat "$DH_DIR/page.headers")"
cmp -s <(curl -sS "$DH_HTTP/static/chart.js") /usr/share/javascript/chart.js/chart.min.js \
    || dh_fail "/static/chart.js is not Debian's Chart.js"
cmp -s <(curl -sS "$DH_HTTP/") <(curl -sS "$DH_HTTP/dashboard") || dh_fail "the address alone is not the dashboard"

# The session cookie: set for a good token only, taken on a GET, never
# on a POST (a cookie rides along on any site's request: CSRF).
dh_expect_eq "a wrong token" 401 "$(status "$DH_HTTP/api/session" -d '{"token": "00ff"}')"
dh_expect_eq "a token that is no token" 400 "$(status "$DH_HTTP/api/session" -d '{"token": "a;b"}')"
curl -sS -D "$DH_DIR/session.headers" -o /dev/null "$DH_HTTP/api/session" -d '{"token": "'$HEAD'"}'
grep -qi "^Set-Cookie: dunghan_session=$HEAD; HttpOnly; SameSite=Strict; Path=/; Max-Age=86400" \
    "$DH_DIR/session.headers" || dh_fail "no session cookie: $(cat "$DH_DIR/session.headers")"
cookie="Cookie: dunghan_session=$HEAD"
dh_expect_eq "a GET with the cookie" 200 "$(status -H "$cookie" "$DH_HTTP/api/dashboard")"
dh_expect_eq "a POST with the cookie only" 401 "$(status -H "$cookie" "$DH_HTTP/api/dossiers" -d '{}')"
curl -sS -D "$DH_DIR/signout.headers" -o /dev/null -X DELETE "$DH_HTTP/api/session"
grep -qi '^Set-Cookie: dunghan_session=;.*Max-Age=0' "$DH_DIR/signout.headers" \
    || dh_fail "signing out does not clear the cookie: $(cat "$DH_DIR/signout.headers")"

# The browser. chromedriver leads its own process group, so that the
# harness's kill at the end takes Chromium with it.
DRIVER_PORT=$($WD port)
setsid /usr/bin/chromedriver --port="$DRIVER_PORT" >>"$DH_DIR/chromedriver.log" 2>&1 &
echo "-$!" >"$DH_DIR/chromedriver.pid"
DH_NAMES="$DH_NAMES chromedriver"
SESSION=$($WD new "http://127.0.0.1:$DRIVER_PORT") || dh_fail "no browser session"
page open "$DH_HTTP/dashboard" >/dev/null

# Not signed in: the page asks for the token, and signs in with it.
page wait 15 'return !document.getElementById("signin").hidden' >/dev/null || dh_fail "no sign-in form"
page type '#token' "$HEAD" >/dev/null
page click '#signin button[type=submit]' >/dev/null
first=$(page wait 15 "return $received") || dh_fail "the page never showed BD.TP's figures: $(page log)"
dh_expect_eq "BD.TP received, in the page" 3 "$first"
page wait 15 'return document.getElementById("live").dataset.state === "live"' >/dev/null \
    || dh_fail "the page never went live: $(page log)"
dh_expect_eq "the overdue row in the page" "$holder $days" "$(page run "const row = document.querySelector(
    '#overdue tr[data-item=\"$late\"][data-kind=item]'); return row.querySelector('[data-field=holder]').textContent
    + ' ' + row.querySelector('[data-field=working_days]').dataset.value;")"
dh_expect_eq "the charts, from the same figures" "100 1" "$(page run 'const weekly = Chart.getChart("chart-weekly");
    const bands = Chart.getChart("chart-bands");
    return weekly.data.datasets.find((set) => set.label === "BD.TP").data[5] + " "
         + bands.data.datasets.flatMap((set) => set.data).reduce((a, b) => a + b, 0);')"
loaded=$(page run 'return window.dhLoadedAt')

# A dossier submitted: the page's count follows, without a reload.
[ -n "$(submit_api)" ] || dh_fail "the submit through the API failed"
page wait 10 "return $received === $((first + 1))" >/dev/null \
    || dh_fail "the page did not show the new dossier: received $(page run "return $received")"
dh_expect_eq "no reload" "$loaded" "$(page run 'return window.dhLoadedAt')"

# The gateway killed: the page says it lost the stream. A dossier comes
# meanwhile; the gateway comes back on the same port, the stream with it,
# and the page catches up, still without a reload.
dh_kill gateway
page wait 10 'return document.getElementById("live").dataset.state === "lost"' >/dev/null \
    || dh_fail "the page did not notice the gateway was gone"
[ -n "$(submit_ctl)" ] || dh_fail "the submit through dunghanctl failed"
# The page's own second look after an event (SETTLE_MS, 2 s) is over
# by now: only the stream's coming back can tell it of this dossier.
sleep 2.5
dh_expect_eq "BD.TP received, while the gateway is down" $((first + 1)) "$(page run "return $received")"
dh_start gateway "$DH_BIN/dunghan-gateway"
page wait 15 "return $received === $((first + 2))" >/dev/null \
    || dh_fail "the page did not catch up after the gateway came back: received $(page run "return $received")"
page wait 10 'return document.getElementById("live").dataset.state === "live"' >/dev/null \
    || dh_fail "the page is not live again: $(page run 'return document.getElementById("live").textContent')"
dh_expect_eq "no reload across the outage" "$loaded" "$(page run 'return window.dhLoadedAt')"

# Nothing asked of another host, nothing the page's policy refused, no
# script error; the picture kept.
dh_expect_eq "requests to other hosts" "[]" "$(page run 'return JSON.stringify(performance
    .getEntriesByType("resource").map((entry) => entry.name).filter((name) => !name.startsWith(location.origin + "/")))')"
console=$(page log)
printf '%s\n' "$console" | grep -i 'uncaught\|content security policy\|refused to' \
    && dh_fail "the page's console has errors: $console"
ARTIFACTS="$BUILD/artifacts"
mkdir -p "$ARTIFACTS"
page screenshot "$ARTIFACTS/dashboard.png" >/dev/null
[ "$(head -c 8 "$ARTIFACTS/dashboard.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
    && [ "$(stat -c %s "$ARTIFACTS/dashboard.png")" -gt 10000 ] || dh_fail "the screenshot is not a PNG"

# Without Chart.js: the file is missed clearly, and the page, loaded again
# (signed in by its cookie), still has its tables and says why it has no
# charts.
dh_stop gateway
dh_start gateway "$DH_BIN/dunghan-gateway" --set chartjs="$DH_DIR/no-chart.js"
answer=$(curl -sS -w '\n%{http_code}' "$DH_HTTP/static/chart.js")
dh_expect_eq "Chart.js missing" "503 E_CONFIG" "${answer##*$'\n'} $(dh_field "${answer%$'\n'*}" error)"
page open "$DH_HTTP/dashboard" >/dev/null
page wait 15 "return $received === $((first + 2))" >/dev/null \
    || dh_fail "without Chart.js the page shows no figures: $(page log)"
dh_expect_eq "the page says why it has no charts" false "$(page run 'return document.getElementById("charts-note").hidden')"
page quit >/dev/null
dh_stop gateway
echo "ok"
