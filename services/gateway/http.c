//  The web server: libmicrohttpd with a thread per connection (a stream
//  of events may block its own thread, and a request's dh_client lives
//  and dies on it, since ZeroMQ sockets are not thread-safe), a routing
//  table of (method, path, access, handler) rows from each module, and
//  every answer, errors included, in JSON.
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include "dh_codec.h"
#include "dh_error.h"
#include "gateway.h"

#define S_SEGMENTS 8
#define S_CONNECTIONS 256
#define S_IDLE_S 60
//  A body this much over the limit is refused before it is read; a
//  smaller one is read and dropped, so the client sees the answer rather
//  than a connection cut while it sends.
#define S_BODY_REFUSE_EARLY (16 * GATEWAY_BODY_MAX)

struct _http_t {
    gateway_t *gateway;
    const char *trusted_proxy;  //  whose X-Forwarded-For names the client ("": nobody's)
    const http_route_t * const *tables;
    struct MHD_Daemon *mhd;
    int port;
};

struct _http_request_t {
    http_t *http;
    struct MHD_Connection *connection;
    char *body;
    size_t body_size;
    bool too_big;
    bool answered;              //  refused before its body was read
    char client [INET6_ADDRSTRLEN];
    char staff [DH_NAME_MAX + 1];
    char *path;                 //  a copy, cut into segments
    const char *segments [S_SEGMENTS];
    size_t segment_count;
    const char *matched [S_SEGMENTS];   //  what each "*" of the route matched
    size_t matched_count;
    json_t *json;
    const http_route_t *route;
};

//  A daemon's refusal to the HTTP status that says it on the web.
static const struct {
    int code;
    int status;
} s_statuses [] = {
    { DH_E_INVALID,   MHD_HTTP_BAD_REQUEST },
    { DH_E_MALFORMED, MHD_HTTP_BAD_REQUEST },
    { DH_E_TOO_BIG,   MHD_HTTP_BAD_REQUEST },
    { DH_E_RANGE,     MHD_HTTP_BAD_REQUEST },
    { DH_E_NOT_FOUND, MHD_HTTP_NOT_FOUND },
    { DH_E_DENIED,    MHD_HTTP_FORBIDDEN },
    { DH_E_STATE,     MHD_HTTP_CONFLICT },
    { DH_E_STALE,     MHD_HTTP_CONFLICT },
    { DH_E_EXISTS,    MHD_HTTP_CONFLICT },
    { DH_E_TIMEOUT,   MHD_HTTP_SERVICE_UNAVAILABLE },
    { DH_E_BUSY,      MHD_HTTP_SERVICE_UNAVAILABLE },
};

static void
s_reply_error_v (http_reply_t *reply, int status, int dh_error, const char *format, va_list args)
{
    char message [512];
    vsnprintf (message, sizeof message, format, args);
    json_decref (reply->json);
    reply->status = status;
    reply->json = json_pack ("{s:s, s:i, s:s}", "error", dh_errname (dh_error),
                             "code", dh_error < 0? -dh_error: dh_error, "message", message);
}

void
http_reply_error (http_reply_t *reply, int dh_error, const char *format, ...)
{
    int status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    for (size_t i = 0; i < sizeof s_statuses / sizeof s_statuses [0]; i++)
        if (s_statuses [i].code == dh_error)
            status = s_statuses [i].status;
    va_list args;
    va_start (args, format);
    s_reply_error_v (reply, status, dh_error, format, args);
    va_end (args);
}

void
http_reply_error_status (http_reply_t *reply, int status, int dh_error, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_reply_error_v (reply, status, dh_error, format, args);
    va_end (args);
}

bool
http_reply_header (http_reply_t *reply, const char *name, const char *value)
{
    for (size_t i = 0; i < HTTP_REPLY_HEADERS; i++)
        if (!reply->headers [i][0]) {
            reply->headers [i][0] = strdup (name);
            reply->headers [i][1] = strdup (value);
            return reply->headers [i][0] && reply->headers [i][1];
        }
    return false;
}

void
http_reply_json (http_reply_t *reply, int status, json_t *json)
{
    json_decref (reply->json);
    reply->status = status;
    reply->json = json;
}

const char *
http_request_query (http_request_t *self, const char *key)
{
    return MHD_lookup_connection_value (self->connection, MHD_GET_ARGUMENT_KIND, key);
}

const char *
http_request_segment (http_request_t *self, size_t index)
{
    return index < self->matched_count? self->matched [index]: NULL;
}

const char *
http_request_header (http_request_t *self, const char *name)
{
    return MHD_lookup_connection_value (self->connection, MHD_HEADER_KIND, name);
}

const char *
http_request_staff (http_request_t *self)
{
    return self->staff;
}

json_t *
http_request_json (http_request_t *self)
{
    return self->json;
}

const void *
http_request_arg (http_request_t *self)
{
    return self->route? self->route->arg: NULL;
}

struct MHD_Connection *
http_request_connection (http_request_t *self)
{
    return self->connection;
}

//  ".." in any spelling (MHD has already decoded %2e%2e and %2f), a
//  backslash, an empty segment or a control byte: no route has them, and
//  a path that tries them is named as such rather than "not found".
static const char *
s_path_refusal (const char *path)
{
    if (path [0] != '/')
        return "does not start with /";
    if (strstr (path, ".."))
        return "holds '..'";
    if (strstr (path, "//"))
        return "holds an empty segment";
    for (const unsigned char *at = (const unsigned char *) path; *at; at++)
        if (*at < 0x20 || *at == 0x7f || *at == '\\')
            return "holds a control character or a backslash";
    return NULL;
}

static bool
s_split (http_request_t *self, const char *url)
{
    self->path = strdup (url + 1);
    if (!self->path)
        return false;
    self->segment_count = 0;
    //  "/" has no segment (and matches the route "/").
    for (char *at = *self->path? self->path: NULL; at; ) {
        if (self->segment_count == S_SEGMENTS)
            return false;
        self->segments [self->segment_count++] = at;
        char *slash = strchr (at, '/');
        if (slash)
            *slash++ = 0;
        at = slash;
    }
    return true;
}

//  True when route's path is the request's, "*" matching one segment.
static bool
s_match (http_request_t *self, const http_route_t *route)
{
    const char *pattern = route->path + 1;
    size_t index = 0;
    self->matched_count = 0;
    while (*pattern) {
        const char *slash = strchr (pattern, '/');
        size_t length = slash? (size_t) (slash - pattern): strlen (pattern);
        if (index == self->segment_count)
            return false;
        const char *segment = self->segments [index++];
        if (length == 1 && *pattern == '*') {
            if (!*segment)
                return false;
            self->matched [self->matched_count++] = segment;
        }
        else
        if (strlen (segment) != length || strncmp (segment, pattern, length))
            return false;
        pattern += length + (slash? 1: 0);
    }
    return index == self->segment_count;
}

typedef struct {
    const http_route_t *route;
    const char *unknown;
} s_query_check_t;

static enum MHD_Result
s_query_key (void *arg, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void) kind;
    (void) value;
    s_query_check_t *check = arg;
    for (size_t i = 0; i < 6 && check->route->query [i]; i++)
        if (!strcmp (key, check->route->query [i]))
            return MHD_YES;
    check->unknown = key;
    return MHD_NO;
}

//  The token of the request: its Authorization header, or, on a GET
//  only, the session cookie a browser got from POST /api/session (an
//  EventSource cannot send a header). A cookie goes with every request
//  the browser makes, even one another site makes it send, so it never
//  signs in a request that changes anything (CSRF).
static const char *
s_token (http_request_t *request, const char *method)
{
    const char *header = http_request_header (request, MHD_HTTP_HEADER_AUTHORIZATION);
    if (header)
        return strncasecmp (header, "Bearer ", 7) || !header [7]? NULL: header + 7;
    const char *cookie = strcmp (method, MHD_HTTP_METHOD_GET)? NULL:
        MHD_lookup_connection_value (request->connection, MHD_COOKIE_KIND, HTTP_SESSION_COOKIE);
    return cookie && *cookie? cookie: NULL;
}

static bool
s_signed_in (http_t *self, http_request_t *request, const char *method, http_reply_t *reply)
{
    const char *token = s_token (request, method);
    if (!token) {
        http_reply_error_status (reply, MHD_HTTP_UNAUTHORIZED, DH_E_DENIED,
                                 "sign in: send Authorization: Bearer TOKEN (dunghanctl token new); "
                                 "a GET may carry the " HTTP_SESSION_COOKIE " cookie of POST /api/session");
        return false;
    }
    const char *why = NULL;
    if (tokens_check (self->gateway->tokens, token, request->staff, sizeof request->staff, &why)) {
        http_reply_error_status (reply, MHD_HTTP_UNAUTHORIZED, DH_E_DENIED, "sign in: %s", why);
        return false;
    }
    return true;
}

static void
s_dispatch (http_t *self, http_request_t *request, const char *url, const char *method, http_reply_t *reply)
{
    const char *refusal = s_path_refusal (url);
    if (refusal) {
        http_reply_error (reply, DH_E_INVALID, "path %s", refusal);
        return;
    }
    if (!s_split (request, url)) {
        http_reply_error (reply, DH_E_NOT_FOUND, "no such endpoint");
        return;
    }
    const http_route_t *route = NULL;
    bool path_known = false;
    for (size_t t = 0; self->tables [t] && !route; t++)
        for (const http_route_t *row = self->tables [t]; row->path && !route; row++)
            if (s_match (request, row)) {
                path_known = true;
                if (!strcmp (row->method, method))
                    route = row;
            }
    if (!route) {
        if (path_known)
            http_reply_error_status (reply, MHD_HTTP_METHOD_NOT_ALLOWED, DH_E_INVALID,
                                     "%.16s is not allowed on this path", method);
        else
            http_reply_error (reply, DH_E_NOT_FOUND, "no such endpoint");
        return;
    }
    //  s_match of a later row may have overwritten the segments.
    s_match (request, route);
    if (route->access == HTTP_LIMITED && !ratelimit_allow (self->gateway->lookups, request->client)) {
        http_reply_error_status (reply, MHD_HTTP_TOO_MANY_REQUESTS, DH_E_BUSY,
                                 "too many requests from %s: try again in a second", request->client);
        return;
    }
    if (route->access == HTTP_STAFF && !s_signed_in (self, request, method, reply))
        return;
    if (request->too_big) {
        http_reply_error_status (reply, MHD_HTTP_CONTENT_TOO_LARGE, DH_E_TOO_BIG,
                                 "the body is larger than %d bytes", GATEWAY_BODY_MAX);
        return;
    }
    s_query_check_t check = { route, NULL };
    MHD_get_connection_values (request->connection, MHD_GET_ARGUMENT_KIND, s_query_key, &check);
    if (check.unknown) {
        http_reply_error (reply, DH_E_INVALID, "unknown parameter '%.64s'", check.unknown);
        return;
    }
    if (route->body) {
        json_error_t error;
        request->json = request->body_size? json_loadb (request->body, request->body_size,
                                                        JSON_REJECT_DUPLICATES, &error): NULL;
        if (!request->body_size) {
            http_reply_error (reply, DH_E_INVALID, "a JSON object is required as the body");
            return;
        }
        if (!request->json) {
            http_reply_error (reply, DH_E_MALFORMED, "the body is not JSON (line %d, column %d): %s",
                              error.line, error.column, error.text);
            return;
        }
        if (!json_is_object (request->json)) {
            http_reply_error (reply, DH_E_INVALID, "the body must be a JSON object");
            return;
        }
    }
    else
    if (request->body_size) {
        http_reply_error (reply, DH_E_INVALID, "%.16s %.64s takes no body", method, route->path);
        return;
    }
    request->route = route;
    route->handler (self->gateway, request, reply);
}

static enum MHD_Result
s_send (struct MHD_Connection *connection, http_reply_t *reply)
{
    struct MHD_Response *response = reply->response;
    if (!response) {
        if (!reply->json && !reply->text)
            http_reply_error (reply, DH_E_INTERNAL, "the gateway gave no answer (a bug: please report it)");
        char *text = reply->text? reply->text: json_dumps (reply->json, JSON_COMPACT);
        reply->text = NULL;
        if (!text)
            return MHD_NO;
        response = MHD_create_response_from_buffer (strlen (text), text, MHD_RESPMEM_MUST_FREE);
        if (!response) {
            free (text);
            return MHD_NO;
        }
        MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                 reply->content_type? reply->content_type: "application/json; charset=utf-8");
        MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    MHD_add_response_header (response, "X-Content-Type-Options", "nosniff");
    for (size_t i = 0; i < HTTP_REPLY_HEADERS && reply->headers [i][0]; i++) {
        if (reply->headers [i][1])
            MHD_add_response_header (response, reply->headers [i][0], reply->headers [i][1]);
        free (reply->headers [i][0]);
        free (reply->headers [i][1]);
    }
    if (reply->status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header (response, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    if (reply->status == MHD_HTTP_TOO_MANY_REQUESTS)
        MHD_add_response_header (response, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    if (reply->status >= 500 && reply->json)
        zsys_warning ("gateway: answered %d: %s", reply->status,
                      json_string_value (json_object_get (reply->json, "message")));
    enum MHD_Result result = MHD_queue_response (connection, (unsigned) reply->status, response);
    MHD_destroy_response (response);
    json_decref (reply->json);
    free (reply->text);
    return result;
}

static void
s_client_address (http_request_t *request)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info (request->connection,
                                                                    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    strcpy (request->client, "?");
    if (!info || !info->client_addr)
        return;
    const struct sockaddr *address = info->client_addr;
    if (address->sa_family == AF_INET)
        inet_ntop (AF_INET, &((const struct sockaddr_in *) address)->sin_addr, request->client,
                   sizeof request->client);
    else
    if (address->sa_family == AF_INET6)
        inet_ntop (AF_INET6, &((const struct sockaddr_in6 *) address)->sin6_addr, request->client,
                   sizeof request->client);
}

//  Behind the department's reverse proxy every request comes from the
//  proxy: the client is the last address the proxy appended to
//  X-Forwarded-For (earlier ones the client could have written itself).
//  Only the proxy named in trusted_proxy is believed.
static void
s_forwarded_for (http_t *self, http_request_t *request)
{
    if (!*self->trusted_proxy || strcmp (request->client, self->trusted_proxy))
        return;
    const char *header = MHD_lookup_connection_value (request->connection, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!header)
        return;
    const char *last = strrchr (header, ',');
    last = last? last + 1: header;
    while (*last == ' ')
        last++;
    char address [INET6_ADDRSTRLEN];
    size_t length = strcspn (last, " ");
    unsigned char bytes [sizeof (struct in6_addr)];
    if (length && length < sizeof address) {
        memcpy (address, last, length);
        address [length] = 0;
        //  Only an address: anything else would make a bucket per string.
        if (inet_pton (AF_INET, address, bytes) == 1 || inet_pton (AF_INET6, address, bytes) == 1)
            strcpy (request->client, address);
    }
}

static enum MHD_Result
s_access (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void) version;
    http_t *self = cls;
    http_request_t *request = *con_cls;
    if (!request) {
        request = calloc (1, sizeof *request);
        if (!request)
            return MHD_NO;
        request->http = self;
        request->connection = connection;
        s_client_address (request);
        s_forwarded_for (self, request);
        *con_cls = request;
        const char *length = MHD_lookup_connection_value (connection, MHD_HEADER_KIND,
                                                          MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length && strtoull (length, NULL, 10) > S_BODY_REFUSE_EARLY) {
            request->answered = true;
            http_reply_t reply = { 0 };
            http_reply_error_status (&reply, MHD_HTTP_CONTENT_TOO_LARGE, DH_E_TOO_BIG,
                                     "the body is larger than %d bytes", GATEWAY_BODY_MAX);
            return s_send (connection, &reply);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t size = *upload_data_size;
        *upload_data_size = 0;
        if (request->too_big || request->answered)
            return MHD_YES;
        if (request->body_size + size > GATEWAY_BODY_MAX) {
            request->too_big = true;
            free (request->body);
            request->body = NULL;
            return MHD_YES;
        }
        char *grown = realloc (request->body, request->body_size + size);
        if (!grown)
            return MHD_NO;
        memcpy (grown + request->body_size, upload_data, size);
        request->body = grown;
        request->body_size += size;
        return MHD_YES;
    }
    if (request->answered)
        return MHD_YES;
    request->answered = true;
    http_reply_t reply = { 0 };
    s_dispatch (self, request, url, method, &reply);
    return s_send (connection, &reply);
}

static void
s_completed (void *cls, struct MHD_Connection *connection, void **con_cls,
             enum MHD_RequestTerminationCode code)
{
    (void) cls;
    (void) connection;
    (void) code;
    http_request_t *request = *con_cls;
    if (!request)
        return;
    json_decref (request->json);
    free (request->body);
    free (request->path);
    free (request);
    *con_cls = NULL;
}

static void
s_log (void *cls, const char *format, va_list args)
{
    (void) cls;
    char line [512];
    vsnprintf (line, sizeof line, format, args);
    size_t length = strlen (line);
    while (length && line [length - 1] == '\n')
        line [--length] = 0;
    zsys_warning ("gateway: http: %s", line);
}

//  "host:port", host an IPv4 address or "*"/"" for all of them.
static int
s_address (const char *text, struct sockaddr_in *address)
{
    memset (address, 0, sizeof *address);
    address->sin_family = AF_INET;
    const char *colon = strrchr (text, ':');
    if (!colon)
        return DH_E_CONFIG;
    char host [64];
    size_t length = (size_t) (colon - text);
    if (length >= sizeof host)
        return DH_E_CONFIG;
    memcpy (host, text, length);
    host [length] = 0;
    char *end;
    long port = strtol (colon + 1, &end, 10);
    if (end == colon + 1 || *end || port < 0 || port > 65535)
        return DH_E_CONFIG;
    address->sin_port = htons ((uint16_t) port);
    if (!*host || !strcmp (host, "*"))
        address->sin_addr.s_addr = htonl (INADDR_ANY);
    else
    if (inet_pton (AF_INET, host, &address->sin_addr) != 1)
        return DH_E_CONFIG;
    return 0;
}

http_t *
http_new (gateway_t *gateway, const char *address, const http_route_t * const *tables)
{
    struct sockaddr_in bind_to;
    if (s_address (address, &bind_to)) {
        zsys_error ("gateway: http = '%s' is not HOST:PORT (an IPv4 address, or * for all)", address);
        return NULL;
    }
    http_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->gateway = gateway;
    self->trusted_proxy = dh_config_get (gateway->config, "trusted_proxy");
    self->tables = tables;
    //  The threads libmicrohttpd starts inherit this mask: SIGINT and
    //  SIGTERM must reach the loop's thread, which stops the daemon.
    sigset_t stop, before;
    sigemptyset (&stop);
    sigaddset (&stop, SIGINT);
    sigaddset (&stop, SIGTERM);
    pthread_sigmask (SIG_BLOCK, &stop, &before);
    self->mhd = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION
                                  | MHD_USE_ERROR_LOG, 0, NULL, NULL, s_access, self,
                                  MHD_OPTION_EXTERNAL_LOGGER, s_log, self,
                                  MHD_OPTION_SOCK_ADDR, &bind_to,
                                  MHD_OPTION_NOTIFY_COMPLETED, s_completed, self,
                                  MHD_OPTION_CONNECTION_LIMIT, (unsigned) S_CONNECTIONS,
                                  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) S_IDLE_S,
                                  MHD_OPTION_END);
    pthread_sigmask (SIG_SETMASK, &before, NULL);
    if (!self->mhd) {
        zsys_error ("gateway: cannot listen on %s (in use? not an address of this machine?)", address);
        free (self);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info (self->mhd, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info? info->port: ntohs (bind_to.sin_port);
    return self;
}

void
http_destroy (http_t **self_p)
{
    http_t *self = *self_p;
    if (!self)
        return;
    MHD_stop_daemon (self->mhd);
    free (self);
    *self_p = NULL;
}

int
http_port (http_t *self)
{
    return self->port;
}

const http_route_t * const *
http_tables (http_t *self)
{
    return self->tables;
}

//  ---------------------------------------------------------------------
//  The rate limit: a token bucket per client address.

#define S_CLIENTS_MAX 10000

typedef struct {
    double tokens;
    int64_t at_ms;
} s_bucket_t;

struct _ratelimit_t {
    pthread_mutex_t mutex;
    zhash_t *buckets;
    double rate;
};

ratelimit_t *
ratelimit_new (int rate_per_s)
{
    ratelimit_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->buckets = zhash_new ();
    if (!self->buckets) {
        free (self);
        return NULL;
    }
    self->rate = rate_per_s;
    pthread_mutex_init (&self->mutex, NULL);
    return self;
}

void
ratelimit_destroy (ratelimit_t **self_p)
{
    ratelimit_t *self = *self_p;
    if (!self)
        return;
    zhash_destroy (&self->buckets);
    pthread_mutex_destroy (&self->mutex);
    free (self);
    *self_p = NULL;
}

//  Buckets full again say nothing a new one would not: drop them.
static void
s_forget_full (ratelimit_t *self, int64_t now)
{
    zlist_t *keys = zhash_keys (self->buckets);
    for (const char *key = zlist_first (keys); key; key = zlist_next (keys)) {
        s_bucket_t *bucket = zhash_lookup (self->buckets, key);
        if (bucket->tokens + (now - bucket->at_ms) * self->rate / 1000.0 >= self->rate)
            zhash_delete (self->buckets, key);
    }
    zlist_destroy (&keys);
}

bool
ratelimit_allow (ratelimit_t *self, const char *client)
{
    int64_t now = zclock_mono ();
    pthread_mutex_lock (&self->mutex);
    s_bucket_t *bucket = zhash_lookup (self->buckets, client);
    if (!bucket) {
        if (zhash_size (self->buckets) >= S_CLIENTS_MAX)
            s_forget_full (self, now);
        bucket = calloc (1, sizeof *bucket);
        if (bucket) {
            bucket->tokens = self->rate;
            bucket->at_ms = now;
            zhash_insert (self->buckets, client, bucket);
            zhash_freefn (self->buckets, client, free);
        }
    }
    bool allowed = true;            //  out of memory: let it through
    if (bucket) {
        bucket->tokens += (now - bucket->at_ms) * self->rate / 1000.0;
        if (bucket->tokens > self->rate)
            bucket->tokens = self->rate;
        bucket->at_ms = now;
        allowed = bucket->tokens >= 1;
        if (allowed)
            bucket->tokens -= 1;
    }
    pthread_mutex_unlock (&self->mutex);
    return allowed;
}
