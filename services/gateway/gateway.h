/*  dunghan-gateway — the daemons on the web: a JSON API (api.c), the
    event feeds as Server-Sent Events (events.c), Prometheus figures
    (metrics.c) and the OpenAPI document (openapi.c), served by
    libmicrohttpd (http.c) on its own threads. It keeps nothing durable:
    every answer comes from a daemon, asked with dh_client.

    Two certificates: the daemon's own (`cert`, name gateway, role
    service: what dh_daemon requires of every daemon, and what it follows
    the feeds with), and the one it acts for its users with (`user_cert`,
    role gateway), whose envelopes name the signed-in staff member (or
    "public") as actor.  */
#ifndef GATEWAY_H
#define GATEWAY_H

#include <czmq.h>
#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include "dh_auth.h"
#include "dh_config.h"
#include "dh_daemon.h"
#include "dh_pbjson.h"

#define GATEWAY_DAEMONS_MAX 16
#define GATEWAY_BODY_MAX (64 * 1024)

struct MHD_Response;
struct MHD_Connection;
typedef struct _tokens_t tokens_t;
typedef struct _events_t events_t;
typedef struct _http_t http_t;
typedef struct _ratelimit_t ratelimit_t;

typedef struct {
    dh_config_t *config;
    dh_auth_t *user_auth;       //  role gateway: acts for the user it names
    int timeout_ms;             //  how long a request waits for a daemon
    const char *daemons [GATEWAY_DAEMONS_MAX];  //  the sections it follows
    size_t daemon_count;
    tokens_t *tokens;
    events_t *events;
    ratelimit_t *lookups;
    http_t *http;
    char public_url [256];      //  where the public reaches it (receipt.c), no trailing '/'
} gateway_t;

//  ---------------------------------------------------------------------
//  http.c: the web server, its routing table and its JSON answers.

typedef enum {
    HTTP_PUBLIC,                //  anyone
    HTTP_LIMITED,               //  anyone, at lookup_rate_per_s per client IP
    HTTP_STAFF,                 //  Authorization: Bearer TOKEN (tokens.c); a GET
                                //  may carry it in the session cookie instead
} http_access_t;

//  The cookie POST /api/session sets (dashboard.c) for a browser's GETs.
#define HTTP_SESSION_COOKIE "dunghan_session"

typedef struct _http_request_t http_request_t;

#define HTTP_REPLY_HEADERS 4

//  What a handler answers: JSON (owned, freed after sending), text
//  (owned), or a response it built itself (a stream, a file), with the
//  headers it adds (http_reply_header).
typedef struct {
    int status;
    json_t *json;
    char *text;
    const char *content_type;
    struct MHD_Response *response;
    char *headers [HTTP_REPLY_HEADERS][2];  //  name, value (owned)
} http_reply_t;

typedef void (http_handler_fn) (gateway_t *gateway, http_request_t *request, http_reply_t *reply);

//  One row of a module's routing table. path matches segment by segment;
//  "*" matches one segment (http_request_segment gives it). query lists
//  the parameters it takes: any other is refused (E_INVALID).
typedef struct {
    const char *method;
    const char *path;
    http_access_t access;
    http_handler_fn *handler;
    const char *query [6];
    bool body;                  //  takes a JSON body (else one is refused)
    const void *arg;            //  for a handler that serves several rows
    const char *summary;        //  for /api/openapi.json, when openapi.c does not describe the path
} http_route_t;

//  Start serving `address` ("127.0.0.1:8080"; port 0: any free one) with
//  the routing tables (NULL-terminated list of {NULL}-terminated tables).
//  NULL on error (logged). @note gateway and tables must outlive it.
http_t *http_new (gateway_t *gateway, const char *address, const http_route_t * const *tables);
//  Stop accepting, wait for the connection threads, free.
void http_destroy (http_t **self_p);
//  The port it listens on.
int http_port (http_t *self);
//  The routing tables it serves (NULL-terminated).
const http_route_t * const *http_tables (http_t *self);

//  The request's parts. @note owned by the request; valid during the handler.
const char *http_request_query (http_request_t *self, const char *key);
const char *http_request_segment (http_request_t *self, size_t index);
const char *http_request_header (http_request_t *self, const char *name);
//  The staff member signed in (HTTP_STAFF rows), else "".
const char *http_request_staff (http_request_t *self);
//  The JSON body, parsed (rows with `body`); never NULL for them.
json_t *http_request_json (http_request_t *self);
//  The matched row's arg.
const void *http_request_arg (http_request_t *self);
struct MHD_Connection *http_request_connection (http_request_t *self);

void http_reply_json (http_reply_t *reply, int status, json_t *json);
//  One more header on the answer, whatever its kind (Set-Cookie, a
//  Content-Security-Policy): copied. False when out of memory or room.
bool http_reply_header (http_reply_t *reply, const char *name, const char *value);
//  {"error": "E_NAME", "code": N, "message": "..."} with the HTTP status
//  that code maps to (one table in http.c); dh_error is a DH_E_* code.
void http_reply_error (http_reply_t *reply, int dh_error, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
//  The same with an explicit HTTP status (401, 413, 429, 503).
void http_reply_error_status (http_reply_t *reply, int status, int dh_error, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

//  Per client IP, at most rate requests a second (a token bucket holding
//  one second's worth). Thread-safe.
ratelimit_t *ratelimit_new (int rate_per_s);
void ratelimit_destroy (ratelimit_t **self_p);
bool ratelimit_allow (ratelimit_t *self, const char *client);

//  ---------------------------------------------------------------------
//  api.c: the JSON API's routes, and one command to a daemon.

extern const http_route_t gateway_api_routes [];

//  Ask service one command as actor ("" for the gateway itself): request
//  packed (NULL: no payload), the reply unpacked into *answer as
//  reply_type (NULL: status only). Returns 0, or fills reply with the
//  error (503 when the daemon did not answer) and returns its code.
//  @note *answer is the caller's: protobuf_c_message_free_unpacked.
int gateway_call (gateway_t *self, const char *service, uint32_t type, const char *actor,
                  const ProtobufCMessage *request, const ProtobufCMessageDescriptor *reply_type,
                  ProtobufCMessage **answer, http_reply_t *reply);

//  ---------------------------------------------------------------------
//  clients.c: each connection thread's dh_client per daemon, kept across
//  its requests (a new one costs a CURVE handshake).

typedef struct _dh_client_t dh_client_t;

//  A client of service speaking with user_auth: the one the calling
//  thread kept, else a new one. NULL when it cannot be made (logged).
//  @note the caller's until gateway_client_give_back.
dh_client_t *gateway_client_take (gateway_t *self, const char *service);
//  Keep *client_p for the thread's next call to service, or destroy it
//  when its call got no answer (a reply may still be owed to it) or too
//  many are kept. Sets *client_p to NULL.
void gateway_client_give_back (gateway_t *self, const char *service, dh_client_t **client_p, bool answered);

//  ---------------------------------------------------------------------
//  tokens.c: staff sign-in tokens, only their hashes kept on disk.

//  The tokens file at path (re-read whenever it changes). NULL when out
//  of memory; a missing file is an empty one.
tokens_t *tokens_new (const char *path);
void tokens_destroy (tokens_t **self_p);
//  Who token signs in: the staff id into staff. Returns 0, or
//  DH_E_NOT_FOUND (unknown) or DH_E_STATE (expired), words in *why.
//  Thread-safe.
int tokens_check (tokens_t *self, const char *token, char *staff, size_t staff_size, const char **why);

//  ---------------------------------------------------------------------
//  events.c: every daemon's feed, in a ring, as Server-Sent Events.

extern const http_route_t gateway_events_routes [];

//  Follow every daemon of gateway->daemons on loop, keeping the last
//  capacity events. NULL on error (logged).
events_t *events_new (gateway_t *gateway, dh_daemon_t *daemon, size_t capacity);
//  Wake every stream so it ends (before http_destroy).
void events_stop (events_t *self);
void events_destroy (events_t **self_p);
//  Figures for /metrics.
void events_figures (events_t *self, uint64_t *received, uint64_t *clients, uint64_t *held);

//  ---------------------------------------------------------------------
//  metrics.c and openapi.c

extern const http_route_t gateway_metrics_routes [];
extern const http_route_t gateway_openapi_routes [];

//  ---------------------------------------------------------------------
//  receipt.c: the public lookup page and the printable receipt slip with
//  its QR code.

extern const http_route_t gateway_receipt_routes [];

//  Fill self->public_url from the key public_url, else from bound
//  ("HOST:PORT" where http listens). Returns 0, or DH_E_CONFIG (logged)
//  for an address a phone could not open from the slip's QR code.
int gateway_receipt_setup (gateway_t *self, const char *bound);

//  ---------------------------------------------------------------------
//  dashboard.c: the supervisors' live dashboard and its sign-in.

extern const http_route_t gateway_dashboard_routes [];

//  board.c: GET /api/dashboard, the figures the dashboard shows, from the
//  deadline daemon.
void board_answer (gateway_t *gateway, http_request_t *request, http_reply_t *reply);

#endif
