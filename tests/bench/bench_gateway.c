/*  bench_gateway — dunghan-gateway under load (tests/bench/run.sh,
    section 8). Three parts:

    bench_gateway lookup BASE_URL INTAKE_ENDPOINT CONNECTIONS SECONDS
        submits one dossier to intake, then CONNECTIONS keep-alive HTTP/1.1
        connections (plain sockets on one epoll) each ask GET /api/lookup
        for it, one request at a time, for SECONDS after a warm-up of half
        a second. Prints: bench http_lookup_per_s V /s (answers 200 only),
        bench http_lookup_p99_ms V ms; on stderr the answers by status and
        the processor time this program used.
    bench_gateway floor BASE_URL CONNECTIONS SECONDS
        the same on a path no route has (404): libmicrohttpd, the routing
        and a JSON error, no daemon. Prints http_floor_404_per_s and
        http_floor_404_p99_ms (404s counted).
    bench_gateway sse BASE_URL TOKEN INTAKE_ENDPOINT CLIENTS RATE SECONDS GATEWAY_PID
        CLIENTS streams of GET /events (TOKEN a staff member's), then
        SUBMIT to intake at RATE a second for SECONDS, pipelined on one
        connection, each success reply stamped as it arrives (the
        dossier is committed then). Each stream's ITEM_RECEIVED of that
        dossier, found by its code, is one arrival; its latency runs from
        the stamp (0 when the event came first: both leave intake after
        its commit). Dossiers acknowledged in the first second are not
        counted (connections warming up). Prints bench sse_latency_p99_ms,
        sse_submits_per_s and sse_events_per_s (what one stream received,
        every daemon's events), and gateway_anon_mb: GATEWAY_PID's
        RssAnon with the streams still open. With $BENCH_NAME set, its
        figures are named BENCH_NAME_... instead of sse_... (and
        BENCH_NAME_gateway_anon_mb). The streams are read with libcurl's
        multi interface (it takes the chunked encoding off).

    lookup and sse speak to intake with the certificate "bench" (a gateway's, for
    the clerk bd.mc) of $DUNGHAN_CONFIG.  */
#include <arpa/inet.h>
#include <czmq.h>
#include <curl/curl.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include "work.pb-c.h"
#include "dh_client.h"
#include "dh_error.h"
#include "dh_types.h"
#include "../helpers/dossier.h"
#include "../helpers/identity.h"
#include "../helpers/latency.h"

#define S_ID_NUMBER "001099012345"
#define S_CLERK "bd.mc"
#define S_WARMUP_US 500000
#define S_SSE_WARMUP_US 1000000
#define S_OUTSTANDING_MAX 5000      //  submits unanswered before the pacer waits
#define S_DRAIN_US 5000000          //  how long after the last submit arrivals are awaited

//  ------------------------------------------------------------- common

//  A growing list of latencies (microseconds).
typedef struct {
    int64_t *values;
    size_t count, capacity;
} s_latencies_t;

static void
s_latencies_add (s_latencies_t *self, int64_t value)
{
    if (self->count == self->capacity) {
        size_t capacity = self->capacity? self->capacity * 2: 1 << 16;
        int64_t *grown = realloc (self->values, capacity * sizeof (int64_t));
        if (!grown)
            return;             //  a figure short of some samples, not a crash
        self->values = grown;
        self->capacity = capacity;
    }
    self->values [self->count++] = value;
}

//  The code a success reply gives, into code; false for a refusal.
static bool
s_submitted_code (const dh_reply_t *reply, char *code, size_t size)
{
    if (reply->status)
        return false;
    Dh__SubmitReply *answer = dh__submit_reply__unpack (NULL, reply->payload_size, reply->payload);
    if (!answer)
        return false;
    snprintf (code, size, "%s", answer->code);
    dh__submit_reply__free_unpacked (answer, NULL);
    return true;
}

//  Processor time this program used so far, in microseconds.
static int64_t
s_cpu_us (void)
{
    struct rusage usage;
    getrusage (RUSAGE_SELF, &usage);
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL
         + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

//  ------------------------------------------------------------- lookup

//  One keep-alive connection with one request outstanding, spoken in
//  plain sockets: libcurl cost this program half a processor at 8,000
//  requests a second, on a machine of two that the gateway and intake
//  share with it.
#define S_RESPONSE_MAX 16384

typedef struct {
    int fd;
    int64_t started;
    char response [S_RESPONSE_MAX];
    size_t size;
} s_connection_t;

typedef struct {
    struct sockaddr_in address;
    char *request;
    size_t request_size;
    int epoll;
    s_connection_t *connections;
    int count;
    int64_t measure_from;
    int expected;               //  the status counted as an answer
    long statuses [600];        //  answers by HTTP status; [0]: unreadable or cut
    long reconnects;
    s_latencies_t latencies;
} s_getter_t;

//  "http://HOST:PORT" into address. False when it is not that.
static bool
s_address (const char *url, struct sockaddr_in *address)
{
    char host [64];
    int port;
    memset (address, 0, sizeof *address);
    address->sin_family = AF_INET;
    if (sscanf (url, "http://%63[^:]:%d", host, &port) != 2 || port <= 0 || port > 65535
    ||  inet_pton (AF_INET, host, &address->sin_addr) != 1)
        return false;
    address->sin_port = htons ((uint16_t) port);
    return true;
}

//  Send the connection's next request, connecting first when it has no
//  socket (the server closed it).
static void
s_get (s_getter_t *self, s_connection_t *connection)
{
    if (connection->fd < 0) {
        connection->fd = socket (AF_INET, SOCK_STREAM, 0);
        int on = 1;
        setsockopt (connection->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        if (connect (connection->fd, (struct sockaddr *) &self->address, sizeof self->address)) {
            close (connection->fd);
            connection->fd = -1;
            return;
        }
        struct epoll_event event = { .events = EPOLLIN, .data.ptr = connection };
        epoll_ctl (self->epoll, EPOLL_CTL_ADD, connection->fd, &event);
    }
    connection->size = 0;
    connection->started = zclock_usecs ();
    if (send (connection->fd, self->request, self->request_size, MSG_NOSIGNAL) != (ssize_t) self->request_size)
        connection->size = S_RESPONSE_MAX;      //  counted as cut when it is read
}

static void
s_count (s_getter_t *self, s_connection_t *connection, int status, int64_t now)
{
    if (connection->started < self->measure_from)
        return;
    self->statuses [status > 0 && status < 600? status: 0]++;
    if (status == self->expected)
        s_latencies_add (&self->latencies, now - connection->started);
}

static void
s_reconnect (s_getter_t *self, s_connection_t *connection)
{
    s_count (self, connection, 0, 0);
    close (connection->fd);                     //  also leaves the epoll set
    connection->fd = -1;
    self->reconnects++;
    s_get (self, connection);
}

//  The response's length when its head is all in: head and Content-Length
//  body; 0 when more is to come, -1 when it has no Content-Length.
static long
s_response_length (const s_connection_t *connection)
{
    const char *end = memmem (connection->response, connection->size, "\r\n\r\n", 4);
    if (!end)
        return 0;
    long head = (long) (end - connection->response) + 4;
    //  Each header line follows a CRLF; the first is the status line's.
    const char *line = memmem (connection->response, (size_t) (end - connection->response), "\r\n", 2);
    for (; line && line < end; line = memmem (line + 2, (size_t) (end - line - 2), "\r\n", 2))
        if (!strncasecmp (line + 2, "Content-Length:", 15))
            return head + atol (line + 17);
    return -1;
}

//  Read what came; a whole response is counted and the next request sent.
static void
s_readable (s_getter_t *self, s_connection_t *connection)
{
    ssize_t got = recv (connection->fd, connection->response + connection->size,
                        S_RESPONSE_MAX - connection->size, MSG_DONTWAIT);
    if (got <= 0) {
        if (got == 0 || errno != EAGAIN)
            s_reconnect (self, connection);
        return;
    }
    connection->size += (size_t) got;
    long length = s_response_length (connection);
    if (length < 0 || connection->size == S_RESPONSE_MAX || (length > 0 && connection->size > (size_t) length))
        s_reconnect (self, connection);
    else
    if (length > 0 && connection->size == (size_t) length) {
        s_count (self, connection, atoi (connection->response + 9), zclock_usecs ());
        s_get (self, connection);
    }
}

static void
s_getter_report (s_getter_t *self, const char *name, double seconds, int64_t cpu_us)
{
    latency_sort (self->latencies.values, self->latencies.count);
    printf ("bench http_%s_per_s %.0f /s\n", name, self->latencies.count / seconds);
    printf ("bench http_%s_p99_ms %.2f ms\n", name, latency_ms (self->latencies.values, self->latencies.count, 99));
    fprintf (stderr, "# %s: %d connections, %.1f s, p50 %.2f ms; answers:", name, self->count, seconds,
             latency_ms (self->latencies.values, self->latencies.count, 50));
    for (int status = 0; status < 600; status++)
        if (self->statuses [status])
            fprintf (stderr, " %ld x %s%d", self->statuses [status], status? "": "cut ", status);
    fprintf (stderr, "; %ld reconnects; this load generator used %.0f %% of a processor\n", self->reconnects,
             cpu_us / seconds / 1e4);
}

//  GET path over connections for seconds after the warm-up; prints
//  http_NAME_per_s (answers with status expected) and http_NAME_p99_ms.
static int
s_get_load (const char *url, const char *path, int expected, const char *name, int connections, double seconds)
{
    s_getter_t self = { .request = zsys_sprintf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path),
                        .epoll = epoll_create1 (0), .count = connections, .expected = expected,
                        .connections = calloc (connections, sizeof (s_connection_t)) };
    if (!s_address (url, &self.address)) {
        fprintf (stderr, "bench_gateway: %s is not http://HOST:PORT\n", url);
        return 2;
    }
    self.request_size = strlen (self.request);
    self.measure_from = zclock_usecs () + S_WARMUP_US;
    for (int i = 0; i < connections; i++) {
        self.connections [i].fd = -1;
        s_get (&self, &self.connections [i]);
    }
    int64_t measure_to = self.measure_from + (int64_t) (seconds * 1e6), cpu_from = 0;
    struct epoll_event ready [64];
    while (zclock_usecs () < measure_to && !zsys_interrupted) {
        if (!cpu_from && zclock_usecs () >= self.measure_from)
            cpu_from = s_cpu_us ();
        int count = epoll_wait (self.epoll, ready, 64, 100);
        for (int i = 0; i < count; i++)
            s_readable (&self, ready [i].data.ptr);
    }
    s_getter_report (&self, name, seconds, s_cpu_us () - cpu_from);
    for (int i = 0; i < connections; i++)
        if (self.connections [i].fd >= 0)
            close (self.connections [i].fd);
    close (self.epoll);
    bool answered = self.latencies.count > 0;
    free (self.latencies.values);
    free (self.connections);
    zstr_free (&self.request);
    return answered? 0: 1;
}

//  One dossier to look up; its code into code.
static int
s_submit_one (const char *endpoint, char *code, size_t size)
{
    dh_auth_t *auth = helper_auth ("bench");
    dh_client_t *client = dh_client_new (auth, "intake", endpoint);
    uint8_t payload [1024];
    size_t length = dossier_pack (payload, sizeof payload, DOSSIER_PROCEDURE, S_ID_NUMBER, NULL);
    dh_reply_t reply;
    int rc = client? dh_client_call (client, DH_MSG_SUBMIT, S_CLERK, payload, length, 10000, &reply): DH_E_IO;
    if (!rc && !s_submitted_code (&reply, code, size)) {
        fprintf (stderr, "bench_gateway: the submit was refused: %s %s\n", reply.error_name, reply.error_text);
        rc = DH_E_INVALID;
    }
    dh_client_destroy (&client);
    dh_auth_destroy (&auth);
    return rc;
}

static int
s_lookup_main (int argc, char **argv)
{
    if (argc != 6) {
        fprintf (stderr, "usage: bench_gateway lookup BASE_URL INTAKE_ENDPOINT CONNECTIONS SECONDS\n");
        return 2;
    }
    int connections = atoi (argv [4]);
    double seconds = atof (argv [5]);
    char code [64];
    if (connections <= 0 || connections > 1000 || seconds <= 0 || s_submit_one (argv [3], code, sizeof code))
        return 1;
    char *path = zsys_sprintf ("/api/lookup?code=%s&id=%s", code, S_ID_NUMBER);
    int rc = s_get_load (argv [2], path, 200, "lookup", connections, seconds);
    zstr_free (&path);
    return rc;
}

//  The same load on a path no route has: what libmicrohttpd and the
//  routing cost without a daemon behind them (the answer is a 404).
static int
s_floor_main (int argc, char **argv)
{
    if (argc != 5) {
        fprintf (stderr, "usage: bench_gateway floor BASE_URL CONNECTIONS SECONDS\n");
        return 2;
    }
    int connections = atoi (argv [3]);
    double seconds = atof (argv [4]);
    if (connections <= 0 || connections > 1000 || seconds <= 0)
        return 2;
    return s_get_load (argv [2], "/bench-floor", 404, "floor_404", connections, seconds);
}

//  ---------------------------------------------------------------- sse

//  A dossier submitted: when its reply came, and its arrivals that came
//  before it (counted as 0 ms once it does).
typedef struct {
    int64_t acked_at;
    int early;
    bool counted;               //  acknowledged after the warm-up
} s_dossier_t;

//  What the submitting thread and the streams share, under mutex.
typedef struct {
    pthread_mutex_t mutex;
    zhashx_t *dossiers;         //  code -> s_dossier_t
    s_latencies_t latencies;
    long arrivals_expected;     //  counted dossiers x streams
    atomic_bool submitting;
    //  The submitter's own, read after it ends.
    const char *endpoint;
    double rate, seconds;
    int streams;
    int64_t counted_from;       //  acknowledged from then on: counted
    long acknowledged, refused;
    int64_t began, ended;
} s_shared_t;

static void
s_dossier_free (void **item)
{
    free (*item);
    *item = NULL;
}

static s_dossier_t *
s_dossier (s_shared_t *self, const char *code)
{
    s_dossier_t *dossier = zhashx_lookup (self->dossiers, code);
    if (!dossier) {
        dossier = calloc (1, sizeof *dossier);
        if (dossier)
            zhashx_insert (self->dossiers, code, dossier);
    }
    return dossier;
}

//  A stream saw code's ITEM_RECEIVED at now.
static void
s_arrived (s_shared_t *self, const char *code, int64_t now)
{
    pthread_mutex_lock (&self->mutex);
    s_dossier_t *dossier = s_dossier (self, code);
    if (dossier && !dossier->acked_at)
        dossier->early++;
    else
    if (dossier && dossier->counted)
        s_latencies_add (&self->latencies, now > dossier->acked_at? now - dossier->acked_at: 0);
    pthread_mutex_unlock (&self->mutex);
}

//  Intake committed code (its reply came at now).
static void
s_acknowledged (s_shared_t *self, const char *code, int64_t now)
{
    pthread_mutex_lock (&self->mutex);
    s_dossier_t *dossier = s_dossier (self, code);
    if (dossier) {
        dossier->acked_at = now;
        dossier->counted = now >= self->counted_from;
        if (dossier->counted) {
            self->arrivals_expected += self->streams;
            for (; dossier->early > 0; dossier->early--)
                s_latencies_add (&self->latencies, 0);
        }
    }
    pthread_mutex_unlock (&self->mutex);
}

static void
s_submitter_receive (s_shared_t *self, dh_client_t *client, int timeout_ms, long *outstanding)
{
    dh_reply_t reply;
    while (dh_client_recv (client, timeout_ms, &reply) == 0) {
        timeout_ms = 0;
        (*outstanding)--;
        char code [64];
        if (s_submitted_code (&reply, code, sizeof code)) {
            self->acknowledged++;
            s_acknowledged (self, code, zclock_usecs ());
        }
        else
        if (++self->refused <= 3)
            fprintf (stderr, "bench_gateway: submit refused: %s %s\n", reply.error_name, reply.error_text);
    }
}

//  Submits at rate a second, on time: the sends due are sent every
//  millisecond, whatever the replies do (up to S_OUTSTANDING_MAX waiting).
static void *
s_submitter (void *arg)
{
    s_shared_t *self = arg;
    dh_auth_t *auth = helper_auth ("bench");
    dh_client_t *client = dh_client_new (auth, "intake", self->endpoint);
    uint8_t payload [1024];
    size_t size = dossier_pack (payload, sizeof payload, DOSSIER_PROCEDURE, S_ID_NUMBER, NULL);
    long sent = 0, outstanding = 0;
    self->began = zclock_usecs ();
    self->counted_from = self->began + S_SSE_WARMUP_US;
    int64_t until = self->began + (int64_t) (self->seconds * 1e6);
    for (int64_t now = self->began; client && now < until && !zsys_interrupted; now = zclock_usecs ()) {
        long due = (long) ((now - self->began) * self->rate / 1e6);
        for (; sent < due && outstanding < S_OUTSTANDING_MAX; sent++, outstanding++)
            dh_client_send (client, DH_MSG_SUBMIT, S_CLERK, payload, size, NULL);
        s_submitter_receive (self, client, 1, &outstanding);
    }
    self->ended = zclock_usecs ();
    for (int64_t waited = 0; client && outstanding > 0 && waited < S_DRAIN_US; waited += 100000)
        s_submitter_receive (self, client, 100, &outstanding);
    if (outstanding)
        fprintf (stderr, "bench_gateway: %ld submits never answered\n", outstanding);
    dh_client_destroy (&client);
    dh_auth_destroy (&auth);
    atomic_store (&self->submitting, false);
    return NULL;
}

//  One /events stream and the text it has not yet read.
typedef struct {
    s_shared_t *shared;
    CURL *easy;
    char *text;
    size_t size, capacity;
    bool connected;
    long events, lost;          //  lost: named events (snapshot-needed, gap, ...)
} s_stream_t;

#define S_RECEIVED "\"daemon\":\"intake\",\"seq\":"
#define S_RECEIVED_TYPE "\"type\":\"ITEM_RECEIVED\""
#define S_PAYLOAD_CODE "\"payload\":{\"code\":\""

//  One event block ("id: N\n...data: {...}"): intake's ITEM_RECEIVED are arrivals.
static void
s_stream_event (s_stream_t *self, char *event, size_t size, int64_t now)
{
    if (size < 4 || memcmp (event, "id: ", 4))
        return;
    self->events++;
    if (memmem (event, size, "\nevent: ", 8)) {
        self->lost++;
        return;
    }
    char *code = memmem (event, size, S_PAYLOAD_CODE, strlen (S_PAYLOAD_CODE));
    if (!code || !memmem (event, size, S_RECEIVED, strlen (S_RECEIVED))
    ||  !memmem (event, size, S_RECEIVED_TYPE, strlen (S_RECEIVED_TYPE)))
        return;
    code += strlen (S_PAYLOAD_CODE);
    char *end = memchr (code, '"', size - (size_t) (code - event));
    if (!end || end - code >= 64)
        return;
    *end = 0;
    s_arrived (self->shared, code, now);
}

static size_t
s_stream_write (char *data, size_t size, size_t count, void *arg)
{
    s_stream_t *self = arg;
    size_t length = size * count;
    if (self->size + length > self->capacity) {
        size_t capacity = (self->size + length) * 2;
        char *grown = realloc (self->text, capacity);
        if (!grown)
            return 0;
        self->text = grown;
        self->capacity = capacity;
    }
    memcpy (self->text + self->size, data, length);
    self->size += length;
    int64_t now = zclock_usecs ();
    char *at = self->text, *limit = self->text + self->size, *end;
    while ((end = memmem (at, (size_t) (limit - at), "\n\n", 2))) {
        if (!self->connected && memmem (at, (size_t) (end - at), ": connected", 11))
            self->connected = true;
        s_stream_event (self, at, (size_t) (end - at), now);
        at = end + 2;
    }
    self->size = (size_t) (limit - at);
    memmove (self->text, at, self->size);
    return length;
}

static int
s_streams_open (CURLM *multi, s_stream_t *streams, int count, const char *url, struct curl_slist *headers)
{
    for (int i = 0; i < count; i++) {
        CURL *easy = streams [i].easy = curl_easy_init ();
        curl_easy_setopt (easy, CURLOPT_URL, url);
        curl_easy_setopt (easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, s_stream_write);
        curl_easy_setopt (easy, CURLOPT_WRITEDATA, &streams [i]);
        curl_multi_add_handle (multi, easy);
    }
    int64_t until = zclock_usecs () + 10000000;
    int connected = 0;
    while (connected < count && zclock_usecs () < until) {
        int running;
        curl_multi_perform (multi, &running);
        curl_multi_poll (multi, NULL, 0, 100, NULL);
        connected = 0;
        for (int i = 0; i < count; i++)
            connected += streams [i].connected;
    }
    return connected;
}

//  Read the streams until the submitter is done and every counted
//  arrival came (or S_DRAIN_US after it).
static void
s_streams_pump (CURLM *multi, s_shared_t *shared)
{
    int64_t drain_until = 0;
    for (;;) {
        int running;
        curl_multi_perform (multi, &running);
        curl_multi_poll (multi, NULL, 0, 50, NULL);
        if (atomic_load (&shared->submitting) || zsys_interrupted)
            continue;
        if (!drain_until)
            drain_until = zclock_usecs () + S_DRAIN_US;
        pthread_mutex_lock (&shared->mutex);
        bool all = (long) shared->latencies.count >= shared->arrivals_expected;
        pthread_mutex_unlock (&shared->mutex);
        if (all || zclock_usecs () > drain_until || !running)
            return;
    }
}

//  RssAnon of pid, in kB (-1 when it cannot be read).
static long
s_anon_kb (const char *pid)
{
    char path [64], line [256];
    snprintf (path, sizeof path, "/proc/%s/status", pid);
    FILE *file = fopen (path, "r");
    long kb = -1;
    while (file && fgets (line, sizeof line, file))
        if (!strncmp (line, "RssAnon:", 8))
            kb = atol (line + 8);
    if (file)
        fclose (file);
    return kb;
}

static void
s_sse_report (s_shared_t *shared, s_stream_t *streams, long anon_kb)
{
    const char *name = getenv ("BENCH_NAME")? getenv ("BENCH_NAME"): "sse";
    double seconds = (shared->ended - shared->began) / 1e6;
    long lost = 0;
    for (int i = 0; i < shared->streams; i++)
        lost += streams [i].lost;
    s_latencies_t *latencies = &shared->latencies;
    latency_sort (latencies->values, latencies->count);
    printf ("bench %s_latency_p99_ms %.2f ms\n", name, latency_ms (latencies->values, latencies->count, 99));
    printf ("bench %s_submits_per_s %.0f /s\n", name, shared->acknowledged / seconds);
    printf ("bench %s_events_per_s %.0f /s\n", name, streams [0].events / seconds);
    printf ("bench %s%sgateway_anon_mb %.1f MB\n", getenv ("BENCH_NAME")? name: "", getenv ("BENCH_NAME")? "_": "",
            anon_kb / 1024.0);
    fprintf (stderr, "# %s: %d streams, %ld submits acknowledged (%ld refused) at %.0f asked a second for "
             "%.1f s; %zu of %ld arrivals counted, p50 %.2f ms, max %.2f ms; %ld named events (snapshot-needed, "
             "gap: a stream fell behind or a feed lost some); a stream received %ld events\n", name, shared->streams, shared->acknowledged,
             shared->refused, shared->rate, seconds, latencies->count, shared->arrivals_expected,
             latency_ms (latencies->values, latencies->count, 50),
             latencies->count? latencies->values [latencies->count - 1] / 1000.0: 0, lost, streams [0].events);
}

static int
s_sse_main (int argc, char **argv)
{
    if (argc != 9) {
        fprintf (stderr, "usage: bench_gateway sse BASE_URL TOKEN INTAKE_ENDPOINT CLIENTS RATE SECONDS GATEWAY_PID\n");
        return 2;
    }
    s_shared_t shared = { .endpoint = argv [4], .streams = atoi (argv [5]), .rate = atof (argv [6]),
                          .seconds = atof (argv [7]), .dossiers = zhashx_new () };
    if (shared.streams <= 0 || shared.streams > 1000 || shared.rate <= 0 || shared.seconds <= 0)
        return 2;
    pthread_mutex_init (&shared.mutex, NULL);
    zhashx_set_destructor (shared.dossiers, s_dossier_free);
    char *url = zsys_sprintf ("%s/events", argv [2]);
    char *authorization = zsys_sprintf ("Authorization: Bearer %s", argv [3]);
    struct curl_slist *headers = curl_slist_append (NULL, authorization);
    s_stream_t *streams = calloc (shared.streams, sizeof *streams);
    CURLM *multi = curl_multi_init ();
    for (int i = 0; i < shared.streams; i++)
        streams [i].shared = &shared;
    int connected = s_streams_open (multi, streams, shared.streams, url, headers);
    int rc = 1;
    pthread_t submitter;
    if (connected < shared.streams)
        fprintf (stderr, "bench_gateway: %d of %d streams opened\n", connected, shared.streams);
    else {
        atomic_store (&shared.submitting, true);
        pthread_create (&submitter, NULL, s_submitter, &shared);
        s_streams_pump (multi, &shared);
        pthread_join (submitter, NULL);
        s_sse_report (&shared, streams, s_anon_kb (argv [8]));
        rc = shared.latencies.count? 0: 1;
    }
    for (int i = 0; i < shared.streams; i++) {
        curl_multi_remove_handle (multi, streams [i].easy);
        curl_easy_cleanup (streams [i].easy);
        free (streams [i].text);
    }
    curl_multi_cleanup (multi);
    curl_slist_free_all (headers);
    zhashx_destroy (&shared.dossiers);
    pthread_mutex_destroy (&shared.mutex);
    free (shared.latencies.values);
    free (streams);
    zstr_free (&url);
    zstr_free (&authorization);
    return rc;
}

int
main (int argc, char **argv)
{
    curl_global_init (CURL_GLOBAL_DEFAULT);
    int rc = 2;
    if (argc > 1 && !strcmp (argv [1], "lookup"))
        rc = s_lookup_main (argc, argv);
    else
    if (argc > 1 && !strcmp (argv [1], "floor"))
        rc = s_floor_main (argc, argv);
    else
    if (argc > 1 && !strcmp (argv [1], "sse"))
        rc = s_sse_main (argc, argv);
    else
        fprintf (stderr, "usage: bench_gateway lookup|floor|sse ... (see tests/bench/bench_gateway.c)\n");
    curl_global_cleanup ();
    return rc;
}
