# The public pages against the real daemons: the receipt slip holds what
# the form asks (code, applicant, procedure, papers, appointment in Hanoi
# time, the officer) and never the ID number; a wrong ID number and an
# unknown code get the same bytes; every value is escaped and the page's
# policy admits its own style sheet alone; Chromium renders the slip, and
# its QR code, read back with zbarimg, is the lookup's address, which
# with the ID number added shows the dossier. A public_url that is not a
# web address is refused; one that is names the slip's QR code.
. tests/lib.sh
dh_start_work
# Friday 25 April 2025, 09:00 in Hanoi: the procedure's 24 working hours
# (Saturday the 26th is a working day) fall due on Tuesday at 09:00. Set
# before the gateway joins the configuration: it keeps no clock to set.
dh_ctl time set "2025-04-25 09:00" >/dev/null
printf 'gateway\n    lookup_rate_per_s = 50\n    timeout_ms = 2000\n' >>"$DH_CONFIG"
dh_start_gateway
PROCEDURE=1.003583.000.00.00.H26
ID=001190004455

# submit NAME DOCUMENT: a dossier received by the clerk, with contact
# details the public pages must not show; sets CODE.
submit() {
    local reply
    reply=$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure "$PROCEDURE" --name "$1" --id "$ID" \
        --phone 0912345678 --address "12 Phố Huế" --document "Tờ khai đề nghị" --document "$2") \
        || dh_fail "submit failed: $reply"
    CODE=$(dh_field "$reply" code)
    [ -n "$CODE" ] || dh_fail "submit answered $reply"
}
# page PATH [FILE]: GET it into FILE (page.html); sets STATUS and TYPE.
page() {
    local out
    PAGE="$DH_DIR/${2:-page.html}"
    out=$(curl -sS --path-as-is -D "$DH_DIR/headers" -o "$PAGE" -w '%{http_code} %{content_type}' \
        "$DH_HTTP$1") || dh_fail "curl $1 failed"
    STATUS=${out%% *}
    TYPE=${out#* }
}
has() {
    grep -qF -- "$2" "$PAGE" || dh_fail "$1: '$2' is not in the page: $(head -c 4000 "$PAGE")"
}
lacks() {
    if grep -qF -- "$2" "$PAGE"; then dh_fail "$1: the page holds '$2'"; fi
}

# The slip of a plain dossier.
submit "Phạm Văn An" "Bản sao Căn cước công dân"
PLAIN=$CODE
page "/receipt?code=$PLAIN&id=$ID"
dh_expect_eq "receipt status" 200 "$STATUS"
dh_expect_eq "receipt type" "text/html; charset=utf-8" "$TYPE"
has "title" "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
has "code" "$PLAIN"
has "applicant" "Phạm Văn An"
has "procedure code" "$PROCEDURE"
has "procedure name" "Cấp bản sao trích lục khai sinh"
has "papers" "<li>Bản sao Căn cước công dân</li>"
has "processing time (24 working hours)" "3 ngày làm việc"
has "officer" "bd.mc"
has "lead unit" "BD.TP"
has "received in Hanoi time" "09 giờ 00 phút, ngày 25 tháng 04 năm 2025"
has "appointment in Hanoi time" "09 giờ 00 phút, ngày 29 tháng 04 năm 2025"
has "appointment as a machine reads it" 'datetime="2025-04-29T09:00:00+07:00"'
has "a QR code" "<svg"
for private in "$ID" 0912345678 "12 Phố Huế"; do lacks "private detail" "$private"; done
# The policy: no script from anywhere, and the style sheet by its hash.
csp=$(tr -d '\r' <"$DH_DIR/headers" | sed -n 's/^Content-Security-Policy: //Ip')
case "$csp" in *"default-src 'none'"*) ;; *) dh_fail "no default-src 'none' in the policy: '$csp'" ;; esac
style_hash=$(sed -n 's:.*<style>\(.*\)</style>.*:\1:p' "$PAGE" | tr -d '\n' \
    | openssl dgst -sha256 -binary | base64)
case "$csp" in
    *"style-src 'sha256-$style_hash'"*) ;;
    *) dh_fail "the policy '$csp' does not admit the page's style sheet ($style_hash)" ;;
esac
grep -qi '^Referrer-Policy: no-referrer' "$DH_DIR/headers" \
    || dh_fail "no Referrer-Policy: $(cat "$DH_DIR/headers")"

# A wrong ID number and an unknown code: one answer, byte for byte.
for path in /receipt /lookup; do
    page "$path?code=$PLAIN&id=001190009999" wrong-id.html
    dh_expect_eq "$path with a wrong ID number" 404 "$STATUS"
    page "$path?code=000.10.01.H26-991231-9999&id=$ID" unknown.html
    dh_expect_eq "$path of an unknown code" 404 "$STATUS"
    cmp -s "$DH_DIR/wrong-id.html" "$DH_DIR/unknown.html" || dh_fail "$path: a wrong ID number and an \
unknown code answer differently: $(diff "$DH_DIR/wrong-id.html" "$DH_DIR/unknown.html")"
    lacks "$path not found" "$PLAIN"
done
page "/lookup?code=$PLAIN&id=12ab"
dh_expect_eq "an ID number that is not digits" 400 "$STATUS"
page "/receipt?code=$PLAIN"
dh_expect_eq "a slip without the ID number" 400 "$STATUS"
page "/lookup"
dh_expect_eq "the lookup form" 200 "$STATUS"
has "the form" 'name="id"'

# Escaping: what the applicant typed stays text.
submit "Lê \"Tí\" <script>alert('x')</script> & Co" "<img src=x onerror=alert(1)>"
page "/receipt?code=$CODE&id=$ID"
dh_expect_eq "receipt of a strange name" 200 "$STATUS"
has "escaped name" "Lê &quot;Tí&quot; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"
has "escaped paper" "&lt;img src=x onerror=alert(1)&gt;"
lacks "a tag from the name" "<script"
lacks "a tag from a paper" "<img"
page "/lookup?code=%22%3E%3Cscript%3Ex"
dh_expect_eq "the form with a strange code" 200 "$STATUS"
has "escaped code in the form" 'value="&quot;&gt;&lt;script&gt;x"'
lacks "a tag from the code" "<script"

# Chromium renders the slip; its QR code is the lookup's address alone.
PNG="$DH_DIR/receipt.png"
timeout 60 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$DH_DIR/chromium" --screenshot="$PNG" --window-size=900,1400 \
    "$DH_HTTP/receipt?code=$PLAIN&id=$ID" >"$DH_DIR/chromium.log" 2>&1 \
    || dh_fail "chromium could not render the slip: $(tail -n 5 "$DH_DIR/chromium.log")"
[ -s "$PNG" ] || dh_fail "chromium wrote no screenshot: $(tail -n 5 "$DH_DIR/chromium.log")"
mkdir -p "$BUILD/artifacts"
cp "$PNG" "$BUILD/artifacts/receipt.png"
decoded=$(zbarimg --raw -q "$PNG" 2>"$DH_DIR/zbarimg.log") \
    || dh_fail "zbarimg found no QR code in the rendered slip: $(tail -n 3 "$DH_DIR/zbarimg.log")"
dh_expect_eq "the QR code" "$DH_HTTP/lookup?code=$PLAIN" "$decoded"
page "${decoded#"$DH_HTTP"}"
dh_expect_eq "the QR code's page" 200 "$STATUS"
has "the code filled in" "value=\"$PLAIN\""
page "${decoded#"$DH_HTTP"}&id=$ID"
dh_expect_eq "the QR code's page with the ID number" 200 "$STATUS"
has "lookup code" "$PLAIN"
has "lookup appointment" "09:00 ngày 29/04/2025"
grep -qE 'class="state">(Đã tiếp nhận|Đang xử lý)<' "$PAGE" || dh_fail "lookup shows no state: $(cat "$PAGE")"

# public_url: a script is no address; a web address names the QR code.
if "$DH_BIN/dunghan-gateway" --set http=127.0.0.1:0 --set "public_url=javascript:alert(1)" \
        >"$DH_DIR/bad-url.log" 2>&1; then
    dh_fail "a gateway with public_url javascript:alert(1) started"
fi
grep -q "public_url 'javascript:alert(1)' is not an http" "$DH_DIR/bad-url.log" \
    || dh_fail "the refusal does not name public_url: $(cat "$DH_DIR/bad-url.log")"
dh_stop gateway
dh_start_gateway --set public_url=https://dichvucong.example.gov.vn/
page "/receipt?code=$PLAIN&id=$ID"
has "the public address" "https://dichvucong.example.gov.vn/lookup?code=$PLAIN<"
dh_stop gateway
echo "ok"
