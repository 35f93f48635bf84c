//  The supervisors' dashboard (bảng theo dõi): one page in Vietnamese
//  that shows board.c's figures and follows /events to refresh them
//  without a reload; Chart.js from Debian's libjs-chart.js; and the
//  sign-in that gives a browser its session cookie.
//
//  The page's files (services/gateway/web/) are built into the program
//  (.incbin), so what is served is what was tested with it, and the
//  page asks for nothing outside the gateway: its Content-Security-Policy
//  says so to the browser too.
#include <fcntl.h>
#include <microhttpd.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dh_codec.h"
#include "dh_error.h"
#include "gateway.h"

#define S_SESSION_S 86400       //  the cookie's life; the token is checked on every request anyway
#define S_TOKEN_MAX 128

//  A file of web/ as symbol .. symbol_end, with a 0 after it.
#define S_EMBED(symbol, file) \
    __asm__ (".pushsection .rodata\n" \
             ".global " #symbol "\n.hidden " #symbol "\n" #symbol ":\n" \
             ".incbin \"services/gateway/web/" file "\"\n" \
             ".global " #symbol "_end\n.hidden " #symbol "_end\n" #symbol "_end:\n" \
             ".byte 0\n.popsection\n"); \
    extern const char symbol [], symbol##_end []

S_EMBED (dashboard_web_html, "dashboard.html");
S_EMBED (dashboard_web_js, "dashboard.js");
S_EMBED (dashboard_web_css, "dashboard.css");

typedef struct {
    const char *start, *end;
    const char *content_type;
    const char *policy;         //  Content-Security-Policy (the page), or NULL
} s_file_t;

static const s_file_t s_page = {
    dashboard_web_html, dashboard_web_html_end, "text/html; charset=utf-8",
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
};
static const s_file_t s_script = { dashboard_web_js, dashboard_web_js_end, "text/javascript; charset=utf-8", NULL };
static const s_file_t s_style = { dashboard_web_css, dashboard_web_css_end, "text/css; charset=utf-8", NULL };

static void
s_file (gateway_t *gateway, http_request_t *request, http_reply_t *reply)
{
    (void) gateway;
    const s_file_t *file = http_request_arg (request);
    reply->response = MHD_create_response_from_buffer ((size_t) (file->end - file->start), (void *) file->start,
                                                       MHD_RESPMEM_PERSISTENT);
    if (!reply->response) {
        http_reply_error (reply, DH_E_NOMEM, "out of memory");
        return;
    }
    reply->status = MHD_HTTP_OK;
    MHD_add_response_header (reply->response, MHD_HTTP_HEADER_CONTENT_TYPE, file->content_type);
    //  Built into this program: a new one may serve a new page.
    MHD_add_response_header (reply->response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    if (file->policy)
        MHD_add_response_header (reply->response, "Content-Security-Policy", file->policy);
}

//  Read at each request: an upgrade of the package shows without a
//  restart, and a missing file is said at once.
static void
s_chartjs (gateway_t *gateway, http_request_t *request, http_reply_t *reply)
{
    (void) request;
    const char *path = dh_config_get (gateway->config, "chartjs");
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    struct stat status;
    if (fd < 0 || fstat (fd, &status) || !S_ISREG (status.st_mode)) {
        if (fd >= 0)
            close (fd);
        http_reply_error_status (reply, MHD_HTTP_SERVICE_UNAVAILABLE, DH_E_CONFIG,
                                 "Chart.js is not at %s (chartjs): install Debian's libjs-chart.js", path);
        return;
    }
    reply->response = MHD_create_response_from_fd ((uint64_t) status.st_size, fd);
    if (!reply->response) {
        close (fd);
        http_reply_error (reply, DH_E_NOMEM, "out of memory");
        return;
    }
    reply->status = MHD_HTTP_OK;
    MHD_add_response_header (reply->response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/javascript; charset=utf-8");
    //  Asked again at each load of the page (200 kB, once a day on a
    //  screen left open), so that it is the file there now.
    MHD_add_response_header (reply->response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
}

//  JSON with the session cookie set to value (empty: cleared); Secure
//  when the public reaches the gateway over https (through the reverse
//  proxy), so the browser never sends it in the clear.
static void
s_cookie_reply (gateway_t *self, http_reply_t *reply, json_t *json, const char *value, int max_age_s)
{
    char cookie [S_TOKEN_MAX + 120];
    snprintf (cookie, sizeof cookie, HTTP_SESSION_COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d%s",
              value, max_age_s, strncmp (self->public_url, "https:", 6)? "": "; Secure");
    http_reply_json (reply, MHD_HTTP_OK, json);
    if (!http_reply_header (reply, MHD_HTTP_HEADER_SET_COOKIE, cookie))
        http_reply_error (reply, DH_E_NOMEM, "out of memory");
}

//  A token goes into a header: only the letters a token is made of.
static bool
s_token_ok (const char *token)
{
    size_t length = strlen (token);
    return length && length <= S_TOKEN_MAX && strspn (token, "0123456789abcdefABCDEF") == length;
}

//  {"token": TOKEN}: the browser keeps the token as an HttpOnly cookie
//  that its GETs carry (page scripts never see it again).
static void
s_session_open (gateway_t *gateway, http_request_t *request, http_reply_t *reply)
{
    json_t *body = http_request_json (request);
    const char *token = json_string_value (json_object_get (body, "token"));
    if (json_object_size (body) != 1 || !token || !s_token_ok (token)) {
        http_reply_error (reply, DH_E_INVALID, "the body is {\"token\": TOKEN}, the hex digits of "
                          "dunghanctl token new");
        return;
    }
    char staff [DH_NAME_MAX + 1];
    const char *why = NULL;
    if (tokens_check (gateway->tokens, token, staff, sizeof staff, &why)) {
        http_reply_error_status (reply, MHD_HTTP_UNAUTHORIZED, DH_E_DENIED, "sign in: %s", why);
        return;
    }
    zsys_info ("gateway: %s signed in to the dashboard", staff);
    s_cookie_reply (gateway, reply, json_pack ("{s:s, s:i}", "staff", staff, "max_age_s", S_SESSION_S), token,
                    S_SESSION_S);
}

static void
s_session_close (gateway_t *gateway, http_request_t *request, http_reply_t *reply)
{
    (void) request;
    s_cookie_reply (gateway, reply, json_pack ("{s:b}", "ok", 1), "", 0);
}

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

//  The page is public (it holds no data); what it shows comes from
//  /api/dashboard and /events, staff only.
const http_route_t gateway_dashboard_routes [] = {
    { "GET",    "/",                     HTTP_PUBLIC,  s_file,          { NULL }, false, &s_page,
      "The supervisors' dashboard (HTML, in Vietnamese; no data in it)" },
    { "GET",    "/dashboard",            HTTP_PUBLIC,  s_file,          { NULL }, false, &s_page,
      "The supervisors' dashboard (HTML, in Vietnamese; no data in it)" },
    { "GET",    "/static/dashboard.js",  HTTP_PUBLIC,  s_file,          { NULL }, false, &s_script,
      "The dashboard's script" },
    { "GET",    "/static/dashboard.css", HTTP_PUBLIC,  s_file,          { NULL }, false, &s_style,
      "The dashboard's style sheet" },
    { "GET",    "/static/chart.js",      HTTP_PUBLIC,  s_chartjs,       { NULL }, false, NULL,
      "Chart.js, from the file at the key chartjs (Debian's libjs-chart.js); 503 when it is missing" },
    { "POST",   "/api/session",          HTTP_LIMITED, s_session_open,  { NULL }, true,  NULL,
      "Sign a browser in: {\"token\": TOKEN} sets the HttpOnly cookie dunghan_session, which GET "
      "requests (the dashboard's fetches and its EventSource) may carry instead of the bearer header" },
    { "DELETE", "/api/session",          HTTP_PUBLIC,  s_session_close, { NULL }, false, NULL,
      "Sign a browser out: clears the cookie" },
    { "GET",    "/api/dashboard",        HTTP_STAFF,   board_answer,    { "from", "to" }, false, NULL,
      "The dashboard's figures for a period (from, to: YYYY-MM-DD; default this month up to today): "
      "per unit and for the agency, received, finished early, on time and late, the on-time rate, "
      "open within the deadline and overdue, the queue and its oldest item, the on-time rate of each "
      "of the last 8 weeks; the overdue list with holders, overdue items by age band" },
    { NULL }
};
