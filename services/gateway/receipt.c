//  The public pages, in Vietnamese, without sign-in and at the lookup
//  rate: /lookup (a form; with a code and an ID number, the dossier's
//  state and appointment) and /receipt, the printable receipt slip (giấy
//  tiếp nhận hồ sơ và hẹn trả kết quả, BM-VP01.02) whose QR code opens
//  the lookup. Both ask intake's LOOKUP as "public", as /api/lookup does.
//
//  What they must not give away: whether a code exists (a wrong ID number
//  and an unknown code get the same page, byte for byte), and the ID
//  number (the QR code carries the code alone, so a photo of the slip
//  does not leak it). Every value goes into the HTML escaped; the
//  Content-Security-Policy allows no script at all, and the one style
//  sheet by its hash.
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <pthread.h>
#include <qrencode.h>
#include <sodium.h>
#include "work.pb-c.h"
#include "dh_error.h"
#include "dh_types.h"
#include "gateway.h"

#define S_ACTOR_PUBLIC "public"
#define S_CODE_MAX 64           //  a dossier code's bytes at most, as /api/lookup
#define S_QUIET 4               //  modules of white around a QR code (ISO/IEC 18004)
#define S_URL_MAX 512
#define S_UTC7_MS (7 * 3600 * 1000LL)

static const char s_css [] =
    "body{font-family:'Times New Roman',Times,serif;margin:0;background:#eee;color:#000}"
    "main{max-width:190mm;margin:12px auto;background:#fff;padding:16px 24px}"
    "h1{font-size:1.3em;text-align:center;text-transform:uppercase;margin:18px 0 4px}"
    ".heading{display:flex;justify-content:space-between;text-align:center}"
    ".heading p,.sign p{margin:2px 0}.caps{text-transform:uppercase}.sub{text-align:center;margin:0 0 12px}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;vertical-align:top;padding:4px 6px;border-bottom:1px solid #ccc}"
    "th{width:38%;font-weight:normal}td{font-weight:bold}ol{margin:0;padding-left:1.2em}"
    "dt{margin-top:8px}dd{margin:0;font-weight:bold}"
    ".qr{display:flex;align-items:center;gap:16px;margin:16px 0}.qr svg{width:220px;height:220px;flex:none}"
    ".url{font-family:monospace;word-break:break-all}"
    ".sign{display:flex;justify-content:space-around;text-align:center;margin-top:24px}"
    ".sign .name{margin-top:64px;font-weight:bold}"
    "form{display:grid;gap:10px;max-width:420px}label{display:grid;gap:4px}"
    "input,button{font:inherit;padding:6px}"
    ".notice{padding:8px;border:1px solid #c00;background:#fee}"
    "@page{size:A4;margin:15mm}"
    "@media print{body{background:#fff}main{margin:0;padding:0;max-width:none}.noprint{display:none}"
    ".qr svg{width:40mm;height:40mm}}";

//  The portal's words for each state (DOMAIN: dossier life).
static const char *const s_states [] = {
    [DH__ITEM_STATE__RECEIVED]             = "Đã tiếp nhận",
    [DH__ITEM_STATE__ASSIGNED]             = "Đang xử lý",
    [DH__ITEM_STATE__IN_PROGRESS]          = "Đang xử lý",
    [DH__ITEM_STATE__SUPPLEMENT_REQUESTED] = "Yêu cầu bổ sung hồ sơ",
    [DH__ITEM_STATE__RESOLVED]             = "Đã có kết quả",
    [DH__ITEM_STATE__RETURNED]             = "Đã trả kết quả",
    [DH__ITEM_STATE__REJECTED]             = "Không tiếp nhận / từ chối giải quyết",
    [DH__ITEM_STATE__WITHDRAWN]            = "Đã rút hồ sơ",
    [DH__ITEM_STATE__TRANSFERRED]          = "Đã chuyển đơn vị khác giải quyết",
    [DH__ITEM_STATE__AWAITING_FEE]         = "Chờ thực hiện nghĩa vụ tài chính",
};

//  How the dossier came, and so where its result goes back.
static const struct {
    const char *came;
    const char *returned;
} s_channels [] = {
    [DH__CHANNEL__IN_PERSON] = { "Trực tiếp", "Tại Bộ phận tiếp nhận và trả kết quả" },
    [DH__CHANNEL__ONLINE]    = { "Trực tuyến", "Trực tuyến, trên Cổng dịch vụ công" },
    [DH__CHANNEL__POST]      = { "Qua dịch vụ bưu chính", "Qua dịch vụ bưu chính công ích" },
};

//  ---------------------------------------------------------------------
//  Writing HTML

static void
s_esc (FILE *out, const char *text)
{
    for (; *text; text++)
        switch (*text) {
            case '&':  fputs ("&amp;", out);  break;
            case '<':  fputs ("&lt;", out);   break;
            case '>':  fputs ("&gt;", out);   break;
            case '"':  fputs ("&quot;", out); break;
            case '\'': fputs ("&#39;", out);  break;
            default:   fputc (*text, out);
        }
}

//  A page is written to memory, then sent whole.
typedef struct {
    FILE *out;
    char *data;
    size_t size;
} s_page_t;

static pthread_once_t s_csp_once = PTHREAD_ONCE_INIT;
static char s_csp [256];

//  The style sheet by its hash: no inline style, script or resource from
//  anywhere else is allowed, should any ever slip past the escaping.
static void
s_csp_compute (void)
{
    unsigned char hash [crypto_hash_sha256_BYTES];
    char base64 [sodium_base64_ENCODED_LEN (crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    crypto_hash_sha256 (hash, (const unsigned char *) s_css, strlen (s_css));
    sodium_bin2base64 (base64, sizeof base64, hash, sizeof hash, sodium_base64_VARIANT_ORIGINAL);
    snprintf (s_csp, sizeof s_csp, "default-src 'none'; style-src 'sha256-%s'; form-action 'self'; "
              "base-uri 'none'; frame-ancestors 'none'", base64);
}

static bool
s_page_open (s_page_t *page, const char *title)
{
    page->data = NULL;
    page->out = open_memstream (&page->data, &page->size);
    if (!page->out)
        return false;
    fputs ("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<meta name=\"referrer\" content=\"no-referrer\"><title>", page->out);
    s_esc (page->out, title);
    fprintf (page->out, "</title><style>%s</style></head><body><main>\n", s_css);
    return true;
}

//  Send the page with status; it is the reply's from now on.
static void
s_page_send (s_page_t *page, http_reply_t *reply, int status)
{
    fputs ("</main></body></html>\n", page->out);
    bool failed = ferror (page->out);
    if (fclose (page->out) || failed || !page->data) {
        free (page->data);
        http_reply_error (reply, DH_E_NOMEM, "out of memory writing the page");
        return;
    }
    pthread_once (&s_csp_once, s_csp_compute);
    reply->status = status;
    reply->text = page->data;
    reply->content_type = "text/html; charset=utf-8";
    //  The page's own address holds the ID number.
    if (!http_reply_header (reply, "Content-Security-Policy", s_csp)
    ||  !http_reply_header (reply, "Referrer-Policy", "no-referrer")) {
        free (reply->text);
        reply->text = NULL;
        http_reply_error (reply, DH_E_NOMEM, "out of memory sending the page");
    }
}

//  "16 giờ 30 phút, ngày 28 tháng 04 năm 2025" (the form's words), or
//  "16:30 ngày 28/04/2025", in Hanoi time, inside <time>.
static void
s_time (FILE *out, int64_t utc_ms, bool in_words)
{
    if (utc_ms <= 0) {
        fputs ("—", out);
        return;
    }
    char iso [40];
    dh_pbjson_time (utc_ms, iso, sizeof iso);
    time_t seconds = (time_t) ((utc_ms + S_UTC7_MS) / 1000);
    struct tm local;
    gmtime_r (&seconds, &local);
    fprintf (out, "<time datetime=\"%s\">", iso);
    if (in_words)
        fprintf (out, "%02d giờ %02d phút, ngày %02d tháng %02d năm %04d", local.tm_hour, local.tm_min,
                 local.tm_mday, local.tm_mon + 1, local.tm_year + 1900);
    else
        fprintf (out, "%02d:%02d ngày %02d/%02d/%04d", local.tm_hour, local.tm_min, local.tm_mday,
                 local.tm_mon + 1, local.tm_year + 1900);
    fputs ("</time>", out);
}

//  The code as a query parameter's value: all but unreserved bytes as %XX.
static void
s_put_query_value (char *buffer, size_t size, const char *value)
{
    static const char hex [] = "0123456789ABCDEF";
    size_t length = strlen (buffer);
    for (const unsigned char *at = (const unsigned char *) value; *at && length + 4 < size; at++)
        if (isalnum (*at) || strchr ("-._~", *at))
            buffer [length++] = (char) *at;
        else {
            buffer [length++] = '%';
            buffer [length++] = hex [*at >> 4];
            buffer [length++] = hex [*at & 15];
        }
    buffer [length] = 0;
}

//  The QR code as SVG: one path of dark runs, row by row, on white with
//  the quiet zone a reader needs. Nothing when it cannot be made (logged):
//  the slip prints the address beside it anyway.
static void
s_qr_svg (FILE *out, const char *text)
{
    QRcode *qr = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) {
        zsys_warning ("gateway: cannot make the QR code of %s: %s", text, strerror (errno));
        return;
    }
    int side = qr->width + 2 * S_QUIET;
    fprintf (out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
             "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"Mã QR tra cứu hồ sơ\">"
             "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
             side, side, side, side);
    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width; ) {
            int run = 0;
            while (x + run < qr->width && (qr->data [y * qr->width + x + run] & 1))
                run++;
            if (run)
                fprintf (out, "M%d %dh%dv1h-%dz", x + S_QUIET, y + S_QUIET, run, run);
            x += run? run: 1;
        }
    fputs ("\"/></svg>", out);
    QRcode_free (qr);
}

//  The lookup form, its code filled in (NULL: empty).
static void
s_form (FILE *out, const char *code)
{
    fputs ("<form method=\"get\" action=\"/lookup\"><label>Mã hồ sơ<input name=\"code\" required "
           "maxlength=\"64\" autocomplete=\"off\" value=\"", out);
    s_esc (out, code? code: "");
    fputs ("\"></label><label>Số CCCD / số định danh cá nhân<input name=\"id\" required maxlength=\"12\" "
           "inputmode=\"numeric\" pattern=\"[0-9]{9}|[0-9]{12}\" autocomplete=\"off\"></label>"
           "<button type=\"submit\">Tra cứu</button></form>\n", out);
}

//  A page of a notice and the form: why (NULL: none), the code filled in.
static void
s_form_page (http_reply_t *reply, int status, const char *why, const char *code)
{
    s_page_t page;
    if (!s_page_open (&page, "Tra cứu hồ sơ")) {
        http_reply_error (reply, DH_E_NOMEM, "out of memory writing the page");
        return;
    }
    fputs ("<h1>Tra cứu hồ sơ</h1>\n<p class=\"sub\">Nhập mã hồ sơ (in trên giấy tiếp nhận) và số định danh "
           "cá nhân của người nộp.</p>\n", page.out);
    if (why) {
        fputs ("<p class=\"notice\">", page.out);
        s_esc (page.out, why);
        fputs ("</p>\n", page.out);
    }
    s_form (page.out, code);
    s_page_send (&page, reply, status);
}

//  ---------------------------------------------------------------------
//  Asking intake

//  Dossier codes are ASCII ({agency}-{yyMMdd}-{NNNN}); anything else, a
//  space or a control byte among it, cannot be one.
static bool
s_code_ok (const char *code)
{
    size_t length = strlen (code);
    for (size_t i = 0; i < length; i++)
        if (code [i] <= 0x20 || code [i] >= 0x7f)
            return false;
    return length && length <= S_CODE_MAX;
}

//  A citizen ID (CCCD) has 12 digits, the old ID card 9: intake stores
//  no other, so no other can match.
static bool
s_id_ok (const char *id)
{
    size_t length = strspn (id, "0123456789");
    return !id [length] && (length == 9 || length == 12);
}

//  A query parameter; "" (an empty form field) is none.
static const char *
s_param (http_request_t *request, const char *key)
{
    const char *value = http_request_query (request, key);
    return value && *value? value: NULL;
}

//  The dossier, or NULL with the page that says why in reply. Not found
//  is one page, the same whichever of code and id was wrong.
static Dh__LookupReply *
s_ask (gateway_t *self, http_reply_t *reply, const char *code, const char *id)
{
    if (!s_code_ok (code)) {
        s_form_page (reply, MHD_HTTP_BAD_REQUEST, "Mã hồ sơ không hợp lệ (không dấu, không khoảng trắng, "
                     "tối đa 64 ký tự).", NULL);
        return NULL;
    }
    if (!s_id_ok (id)) {
        s_form_page (reply, MHD_HTTP_BAD_REQUEST, "Số định danh cá nhân gồm 12 chữ số (chứng minh nhân "
                     "dân cũ: 9 chữ số).", code);
        return NULL;
    }
    Dh__ItemCommand command = DH__ITEM_COMMAND__INIT;
    command.code = (char *) code;
    command.id_number = (char *) id;
    ProtobufCMessage *answer;
    int rc = gateway_call (self, "intake", DH_MSG_RECEIPT, S_ACTOR_PUBLIC, &command.base,
                           &dh__lookup_reply__descriptor, &answer, reply);
    if (rc == DH_E_NOT_FOUND)
        s_form_page (reply, MHD_HTTP_NOT_FOUND, "Không tìm thấy hồ sơ có mã hồ sơ và số định danh đã nhập. "
                     "Xin kiểm tra lại cả hai.", NULL);
    else
    if (rc)
        s_form_page (reply, reply->status, reply->status >= 500?
                     "Hệ thống tra cứu tạm thời không trả lời. Xin thử lại sau ít phút.":
                     "Không tra cứu được hồ sơ với mã hồ sơ và số định danh đã nhập.", NULL);
    return rc? NULL: (Dh__LookupReply *) answer;
}

static const char *
s_state_name (Dh__ItemState state)
{
    size_t count = sizeof s_states / sizeof s_states [0];
    return (size_t) state < count && s_states [state]? s_states [state]: "Đang xử lý";
}

//  ---------------------------------------------------------------------
//  The lookup page

static void
s_lookup_found (http_reply_t *reply, const Dh__LookupReply *found, const char *id)
{
    s_page_t page;
    if (!s_page_open (&page, "Tra cứu hồ sơ")) {
        http_reply_error (reply, DH_E_NOMEM, "out of memory writing the page");
        return;
    }
    FILE *out = page.out;
    fputs ("<h1>Tra cứu hồ sơ</h1>\n<dl><dt>Mã hồ sơ</dt><dd class=\"code\">", out);
    s_esc (out, found->code);
    fputs ("</dd><dt>Thủ tục</dt><dd>", out);
    s_esc (out, *found->procedure_name? found->procedure_name: found->procedure_code);
    fputs ("</dd><dt>Tình trạng</dt><dd class=\"state\">", out);
    s_esc (out, s_state_name (found->state));
    fputs ("</dd><dt>Ngày tiếp nhận</dt><dd>", out);
    s_time (out, found->received_at, false);
    fputs ("</dd><dt>Ngày hẹn trả kết quả</dt><dd class=\"due\">", out);
    s_time (out, found->due_at, false);
    char href [S_URL_MAX] = "/receipt?code=";
    s_put_query_value (href, sizeof href, found->code);
    strncat (href, "&id=", sizeof href - strlen (href) - 1);
    s_put_query_value (href, sizeof href, id);
    fputs ("</dd></dl>\n<p class=\"noprint\"><a href=\"", out);
    s_esc (out, href);
    fputs ("\">Giấy tiếp nhận hồ sơ và hẹn trả kết quả (bản in)</a></p>\n", out);
    s_page_send (&page, reply, MHD_HTTP_OK);
}

//  The form; with code, the form filled in (from the slip's QR code);
//  with code and id, the dossier.
static void
s_lookup (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    const char *code = s_param (request, "code");
    const char *id = s_param (request, "id");
    if (!id || !code) {
        if (id)
            s_form_page (reply, MHD_HTTP_BAD_REQUEST, "Cần nhập mã hồ sơ.", NULL);
        else
            s_form_page (reply, MHD_HTTP_OK, NULL, code && s_code_ok (code)? code: NULL);
        return;
    }
    Dh__LookupReply *found = s_ask (self, reply, code, id);
    if (found) {
        s_lookup_found (reply, found, id);
        protobuf_c_message_free_unpacked (&found->base, NULL);
    }
}

//  ---------------------------------------------------------------------
//  The receipt slip

//  "3 ngày làm việc", "4 giờ làm việc", "Trong ngày", "30 ngày".
static void
s_processing_time (FILE *out, const Dh__LookupReply *found)
{
    if (found->same_day)
        fputs ("Trong ngày làm việc", out);
    else
    if (found->calendar_days)
        fprintf (out, "%u ngày", found->calendar_days);
    else
    if (found->hours > 0 && fmod (found->hours, 8) == 0)
        fprintf (out, "%.0f ngày làm việc", found->hours / 8);
    else
    if (found->hours > 0)
        fprintf (out, "%g giờ làm việc", found->hours);
    else
        fputs ("—", out);
}

static void
s_row (FILE *out, const char *label, const char *value)
{
    fprintf (out, "<tr><th>%s</th><td>", label);
    s_esc (out, value);
    fputs ("</td></tr>\n", out);
}

static const char *
s_channel (Dh__Channel channel, bool returned)
{
    size_t count = sizeof s_channels / sizeof s_channels [0];
    if ((size_t) channel >= count || !s_channels [channel].came)
        return "—";
    return returned? s_channels [channel].returned: s_channels [channel].came;
}

static void
s_receipt_heading (FILE *out, const Dh__LookupReply *found)
{
    fputs ("<header class=\"heading\"><div><p>Cơ quan: ", out);
    s_esc (out, found->agency);
    fputs ("</p><p class=\"caps\"><b>Bộ phận tiếp nhận và trả kết quả</b></p></div><div><p class=\"caps\">"
           "<b>Cộng hòa xã hội chủ nghĩa Việt Nam</b></p><p><b>Độc lập - Tự do - Hạnh phúc</b></p></div>"
           "</header>\n<h1>Giấy tiếp nhận hồ sơ và hẹn trả kết quả</h1>\n"
           "<p class=\"sub\">Mã hồ sơ: <b class=\"code\">", out);
    s_esc (out, found->code);
    fputs ("</b></p>\n", out);
}

static void
s_receipt_table (FILE *out, const Dh__LookupReply *found)
{
    fputs ("<table>\n", out);
    s_row (out, "Tiếp nhận hồ sơ của", found->applicant_name);
    fputs ("<tr><th>Nội dung yêu cầu giải quyết (thủ tục)</th><td>", out);
    s_esc (out, found->procedure_name);
    fputs ("<br><small>Mã thủ tục: ", out);
    s_esc (out, found->procedure_code);
    fputs ("</small></td></tr>\n<tr><th>Thành phần hồ sơ đã nhận</th><td><ol>", out);
    for (size_t i = 0; i < found->n_documents; i++) {
        fputs ("<li>", out);
        s_esc (out, found->documents [i]);
        fputs ("</li>", out);
    }
    fputs ("</ol></td></tr>\n", out);
    s_row (out, "Hình thức nộp", s_channel (found->channel, false));
    fputs ("<tr><th>Thời gian giải quyết theo quy định</th><td>", out);
    s_processing_time (out, found);
    fputs ("</td></tr>\n<tr><th>Thời gian nhận hồ sơ</th><td class=\"received\">", out);
    s_time (out, found->received_at, true);
    fputs ("</td></tr>\n<tr><th>Thời gian hẹn trả kết quả</th><td class=\"due\">", out);
    s_time (out, found->due_at, true);
    fputs ("</td></tr>\n", out);
    s_row (out, "Nơi trả kết quả", s_channel (found->channel, true));
    s_row (out, "Đơn vị giải quyết", found->lead_unit);
    s_row (out, "Tình trạng hiện nay", s_state_name (found->state));
    fputs ("</table>\n", out);
}

static void
s_receipt_qr (FILE *out, const char *url)
{
    fputs ("<section class=\"qr\">", out);
    s_qr_svg (out, url);
    fputs ("<p>Quét mã QR hoặc mở địa chỉ dưới đây, rồi nhập số định danh cá nhân, để tra cứu tình trạng "
           "hồ sơ:<br><span class=\"url\">", out);
    s_esc (out, url);
    fputs ("</span></p></section>\n", out);
}

static void
s_receipt_signatures (FILE *out, const Dh__LookupReply *found)
{
    fputs ("<footer class=\"sign\"><div><p><b>NGƯỜI NỘP HỒ SƠ</b></p><p><i>(Ký và ghi rõ họ tên)</i></p>"
           "<p class=\"name\">", out);
    s_esc (out, found->applicant_name);
    fputs ("</p></div><div><p><b>NGƯỜI TIẾP NHẬN HỒ SƠ</b></p><p><i>(Ký và ghi rõ họ tên)</i></p>"
           "<p class=\"name officer\">", out);
    s_esc (out, found->received_by);
    fputs ("</p></div></footer>\n<p class=\"noprint\">Bấm Ctrl+P để in giấy này.</p>\n", out);
}

static void
s_receipt (gateway_t *self, http_request_t *request, http_reply_t *reply)
{
    const char *code = s_param (request, "code");
    const char *id = s_param (request, "id");
    if (!code || !id) {
        s_form_page (reply, MHD_HTTP_BAD_REQUEST, "Cần mã hồ sơ và số định danh cá nhân để in giấy "
                     "tiếp nhận.", code && s_code_ok (code)? code: NULL);
        return;
    }
    Dh__LookupReply *found = s_ask (self, reply, code, id);
    if (!found)
        return;
    char url [S_URL_MAX];
    snprintf (url, sizeof url, "%s/lookup?code=", self->public_url);
    s_put_query_value (url, sizeof url, found->code);
    s_page_t page;
    if (s_page_open (&page, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả")) {
        s_receipt_heading (page.out, found);
        s_receipt_table (page.out, found);
        s_receipt_qr (page.out, url);
        s_receipt_signatures (page.out, found);
        s_page_send (&page, reply, MHD_HTTP_OK);
    }
    else
        http_reply_error (reply, DH_E_NOMEM, "out of memory writing the page");
    protobuf_c_message_free_unpacked (&found->base, NULL);
}

//  ---------------------------------------------------------------------
//  Setup

//  An address a phone opens, with nothing in it to escape or to confuse
//  the lookup's own query.
static bool
s_public_url_ok (const char *url, size_t length)
{
    size_t scheme = !strncmp (url, "https://", 8)? 8: !strncmp (url, "http://", 7)? 7: 0;
    if (!scheme || length <= scheme)
        return false;
    for (size_t i = 0; i < length; i++)
        if (url [i] <= 0x20 || url [i] >= 0x7f || strchr ("\"'<>\\`{}|^?#", url [i]))
            return false;
    return true;
}

int
gateway_receipt_setup (gateway_t *self, const char *bound)
{
    const char *url = dh_config_get (self->config, "public_url");
    if (!*url) {
        //  Listening on every address names none that a phone could open.
        const char *port = strrchr (bound, ':');
        bool every = port == bound || !strncmp (bound, "*:", 2) || !strncmp (bound, "0.0.0.0:", 8);
        if (every)
            zsys_warning ("gateway: public_url is not set and http listens on every address: receipt slips' "
                          "QR codes will name 127.0.0.1");
        snprintf (self->public_url, sizeof self->public_url, "http://%s%s", every? "127.0.0.1": "",
                  every? port: bound);
        return 0;
    }
    size_t length = strlen (url);
    while (length && url [length - 1] == '/')
        length--;
    if (length >= sizeof self->public_url || !s_public_url_ok (url, length)) {
        zsys_error ("gateway: public_url '%s' is not an http:// or https:// address of at most %zu bytes "
                    "without spaces, quotes, '?' or '#'", url, sizeof self->public_url - 1);
        return DH_E_CONFIG;
    }
    memcpy (self->public_url, url, length);
    self->public_url [length] = 0;
    return 0;
}

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

const http_route_t gateway_receipt_routes [] = {
    { "GET", "/lookup",  HTTP_LIMITED, s_lookup,  { "code", "id" } },
    { "GET", "/receipt", HTTP_LIMITED, s_receipt, { "code", "id" } },
    { NULL }
};
