/*  bench_notify — dunghan-notify's delivery under load (tests/bench/run.sh,
    section 6). One program, several parts:

    bench_notify intake [--config F] [--set KEY=VALUE]...
        a service named "intake" that stands in for dunghan-intake: told a
        plan (TEST_APPLY "prefix=P first=F count=N"), it writes N NOTIFY_EVENT
        "received" messages to its outbox for "notify", each a new item
        P000000000.. whose applicant chose mail (an address of its own),
        per_commit at a time, at most in_flight link batches
        unacknowledged; TEST_COUNT tells how far it got.
    bench_notify deliver INTAKE_ENDPOINT PREFIX COUNT
        follows notify's feed (in DUNGHAN_CONFIG), gives the stand-in the
        plan, and waits until COUNT notifications were told on the feed
        (NOTIFICATION_SENT or _FAILED). Prints: delivered S failed F lost L
        per_s R span_ms M wall_ms W, where span is from the first queued
        to the last sent (the notifications' own queued_at and sent_at)
        and per_s is S over it; wall is from the plan to the last event.
    bench_notify submit INTAKE_ENDPOINT N CLIENTS
        tests/helpers/submitload's clerks (C clients, one SUBMIT
        outstanding each, N in all), but with an applicant who chose mail
        (submitload's gives no address and no channel), so that every
        dossier received queues one. Prints as submitload: submitted,
        acknowledged, refused, timed_out, per_s, p50_ms, p99_ms.
    bench_notify sink http|smtp|hang PORT_FILE
        a receiver on 127.0.0.1, one thread, its port written to PORT_FILE:
        http answers every request 200 and keeps nothing (a webhook
        receiver that costs next to nothing); smtp says yes to every
        command and mail and keeps nothing (what notify alone can send,
        beside a real server); hang accepts connections and never reads
        or writes (a mail server that hung after accepting).

    Clients speak with the certificate "linktest" (an operator's), the
    clerks with "submitload" (a gateway's).  */
#include <czmq.h>
#include <poll.h>
#include "notify.pb-c.h"
#include "work.pb-c.h"
#include "dh_client.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_link.h"
#include "dh_service.h"
#include "dh_subscriber.h"
#include "dh_types.h"
#include "../helpers/dossier.h"
#include "../helpers/identity.h"
#include "../helpers/latency.h"

#define S_PROCEDURE "Cấp bản sao trích lục khai sinh"

//  --------------------------------------------------------------- intake

typedef struct {
    dh_service_t *service;
    char prefix [16];
    uint64_t first, count;
    bool active;
    uint64_t produced;          //  of the plan, committed
    uint64_t batch;             //  what the transaction under way writes
    uint64_t per_commit, in_flight;
} s_intake_t;

static int
s_produce (dh_call_t *call, void *arg)
{
    s_intake_t *self = arg;
    //  From what is committed: a batch run again writes the same events.
    uint64_t batch = self->count - self->produced;
    if (batch > self->per_commit)
        batch = self->per_commit;
    self->batch = batch;
    int64_t now = dh_clock_now ();
    char *channels [] = { "email" };
    for (uint64_t n = 0; n < batch; n++) {
        uint64_t i = self->first + self->produced + n;
        char code [32], email [64];
        snprintf (code, sizeof code, "%s%09" PRIu64, self->prefix, i);
        snprintf (email, sizeof email, "nguoidan%" PRIu64 "@example.vn", i);
        Dh__Contact applicant = DH__CONTACT__INIT;
        applicant.name = "Nguyễn Văn Tải";
        applicant.email = email;
        applicant.phone = "0912345678";
        Dh__NotifyEvent event = DH__NOTIFY_EVENT__INIT;
        event.event = "received";
        event.code = code;
        event.procedure = S_PROCEDURE;
        event.applicant = &applicant;
        event.channels = channels;
        event.n_channels = 1;
        event.due_at = now + 3 * 86400000LL;
        event.unit = "UBND-BD.TP";
        event.at = now;
        uint8_t bytes [512];
        if (dh__notify_event__get_packed_size (&event) > sizeof bytes)
            return DH_E_TOO_BIG;
        size_t size = dh__notify_event__pack (&event, bytes);
        int rc = dh_service_send (call->service, call->txn, "notify", DH_MSG_NOTIFY_EVENT, "bd.mc", bytes, size);
        if (rc)
            return rc;
    }
    return 0;
}

static int
s_intake_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_intake_t *self = arg;
    if (!self->active)
        return 0;
    const char *peer;
    uint64_t last, acked, sent;
    dh_link_t *link = dh_service_link (self->service);
    dh_link_peer_status (link, 0, &peer, &last, &acked, &sent);
    for (int commits = 0; commits < 16 && self->produced < self->count && last - acked < self->in_flight;
         commits++) {
        if (dh_service_transact (self->service, s_produce, self))
            break;              //  nothing kept: produced again next tick
        self->produced += self->batch;
        dh_link_peer_status (link, 0, &peer, &last, &acked, &sent);
    }
    if (self->produced == self->count && last == acked)
        self->active = false;
    return 0;
}

//  TEST_APPLY: "prefix=P first=F count=N".
static int
s_handle_plan (dh_call_t *call, void *arg)
{
    s_intake_t *self = arg;
    if (self->active)
        return dh_call_fail (call, DH_E_BUSY, "a plan is being sent");
    char text [256], prefix [16] = "";
    size_t size = call->envelope->payload_size;
    if (size >= sizeof text)
        return dh_call_fail (call, DH_E_TOO_BIG, "plan too long");
    memcpy (text, call->envelope->payload, size);
    text [size] = 0;
    unsigned long long first = 0, count = 0;
    if (sscanf (text, "prefix=%15[A-Z] first=%llu count=%llu", prefix, &first, &count) != 3 || !count)
        return dh_call_fail (call, DH_E_INVALID, "the plan is 'prefix=P first=F count=N'");
    strcpy (self->prefix, prefix);
    self->first = first;
    self->count = count;
    self->produced = 0;
    self->active = true;
    return 0;
}

static int
s_handle_count (dh_call_t *call, void *arg)
{
    s_intake_t *self = arg;
    char text [96];
    int size = snprintf (text, sizeof text, "produced=%" PRIu64 " count=%" PRIu64 " done=%d", self->produced,
                         self->count, !self->active);
    return dh_call_reply (call, text, (size_t) size);
}

static const dh_config_key_t s_intake_keys [] = {
    { "per_commit", "2048", "events written in one commit (one link batch)", false },
    { "in_flight", "8", "most link batches unacknowledged by notify", false },
    { NULL, NULL, NULL, false }
};

static int
s_intake_setup (dh_service_t *service, void *arg)
{
    s_intake_t *self = arg;
    self->service = service;
    int64_t per_commit, in_flight;
    dh_config_t *config = dh_service_config (service);
    int rc = dh_config_int (config, "per_commit", 1, 100000, &per_commit);
    if (!rc)
        rc = dh_config_int (config, "in_flight", 1, 256, &in_flight);
    if (rc)
        return rc;
    self->per_commit = (uint64_t) per_commit;
    self->in_flight = (uint64_t) in_flight;
    static const dh_command_t commands [] = {
        { DH_MSG_TEST_APPLY, s_handle_plan,  DH_FROM_CLIENT, 0, false, NULL },
        { DH_MSG_TEST_COUNT, s_handle_count, DH_FROM_CLIENT, 0, false, NULL },
        { 0 }
    };
    dh_service_register (service, commands, self);
    if ((rc = dh_service_add_peer (service, "notify")))
        return rc;
    zloop_timer (dh_service_loop (service), 1, 0, s_intake_timer, self);
    return 0;
}

//  -------------------------------------------------------------- deliver

typedef struct {
    uint64_t sent, failed, lost;
    int64_t first_queued, last_sent;    //  the notifications' own times (UTC ms)
} s_tally_t;

static void
s_on_event (void *arg, const char *service, const dh_event_t *event)
{
    (void) service;
    s_tally_t *tally = arg;
    if (event->type != DH_MSG_NOTIFICATION_SENT && event->type != DH_MSG_NOTIFICATION_FAILED)
        return;
    Dh__Notification *told = dh__notification__unpack (NULL, event->payload_size, event->payload);
    if (!told)
        return;
    if (event->type == DH_MSG_NOTIFICATION_SENT) {
        tally->sent++;
        if (told->sent_at > tally->last_sent)
            tally->last_sent = told->sent_at;
    }
    else
        tally->failed++;
    if (!tally->first_queued || told->queued_at < tally->first_queued)
        tally->first_queued = told->queued_at;
    dh__notification__free_unpacked (told, NULL);
}

static void
s_on_entry (void *arg, const char *service, uint64_t seq, const dh_subscriber_entry_t *entry)
{
    (void) arg;
    (void) service;
    (void) seq;
    (void) entry;
}

//  The feed dropped events for us: counted, not hidden.
static void
s_on_notice (void *arg, const dh_notice_t *notice)
{
    s_tally_t *tally = arg;
    if (notice->kind == DH_NOTICE_GAP) {
        tally->lost += notice->to - notice->from + 1;
        fprintf (stderr, "bench_notify: the feed lost events %" PRIu64 "..%" PRIu64 "\n", notice->from, notice->to);
    }
}

static int
s_deliver (const char *endpoint, const char *prefix, uint64_t count)
{
    dh_config_t *config;
    if (dh_config_load_file ("linktest", NULL, NULL, &config))
        return 1;
    dh_auth_t *auth = helper_auth ("linktest");
    s_tally_t tally = { 0 };
    static const dh_subscriber_handlers_t handlers = { s_on_event, s_on_entry, s_on_notice };
    dh_subscriber_t *subscriber = dh_subscriber_new (config, auth, &handlers, &tally);
    if (!subscriber)
        return 1;
    dh_subscriber_set_queue (subscriber, 1000000);
    if (dh_subscriber_add (subscriber, "notify", DH_SNAPSHOT_NEVER))
        return 1;
    //  Subscribed before anything is sent: a SUB socket misses what is
    //  published while it joins.
    for (int64_t until = zclock_mono () + 300; zclock_mono () < until; )
        dh_subscriber_wait (subscriber, 50);
    dh_client_t *client = dh_client_new (auth, "intake", endpoint);
    if (!client)
        return 1;
    char plan [96];
    int size = snprintf (plan, sizeof plan, "prefix=%s first=0 count=%" PRIu64, prefix, count);
    dh_reply_t reply;
    int rc = dh_client_call (client, DH_MSG_TEST_APPLY, "linktest", plan, (size_t) size, 5000, &reply);
    if (rc || reply.status) {
        fprintf (stderr, "bench_notify: the plan was not taken: %s %s\n", rc? dh_strerror (rc): reply.error_name,
                 rc? "": reply.error_text);
        return 1;
    }
    int64_t started = zclock_usecs (), last_us = started;
    uint64_t seen = 0;
    while (tally.sent + tally.failed + tally.lost < count && !zsys_interrupted) {
        dh_subscriber_wait (subscriber, 100);
        if (tally.sent + tally.failed != seen) {
            seen = tally.sent + tally.failed;
            last_us = zclock_usecs ();
        }
        if (zclock_usecs () - last_us > 30000000) {
            fprintf (stderr, "bench_notify: %" PRIu64 " of %" PRIu64 " told, then nothing for 30 s\n", seen, count);
            return 1;
        }
    }
    int64_t span = tally.last_sent - tally.first_queued;
    printf ("delivered %" PRIu64 " failed %" PRIu64 " lost %" PRIu64 " per_s %.0f span_ms %" PRId64
            " wall_ms %.0f\n", tally.sent, tally.failed, tally.lost, span > 0? tally.sent * 1000.0 / span: 0,
            span, (last_us - started) / 1000.0);
    dh_client_destroy (&client);
    dh_subscriber_destroy (&subscriber);
    dh_auth_destroy (&auth);
    dh_config_destroy (&config);
    return 0;
}

//  --------------------------------------------------------------- submit

typedef struct {
    dh_client_t *client;
    uint64_t seq;
    int64_t sent_at;
    bool busy;
} s_clerk_t;

static void
s_clerk_send (s_clerk_t *clerk, const uint8_t *payload, size_t size, long *sent, long total)
{
    if (*sent >= total)
        return;
    dh_client_send (clerk->client, DH_MSG_SUBMIT, "bd.mc", payload, size, &clerk->seq);
    clerk->sent_at = zclock_usecs ();
    clerk->busy = true;
    (*sent)++;
}

static int
s_submit (const char *endpoint, long total, int clients)
{
    if (total <= 0 || clients <= 0 || clients > 1024)
        return 2;
    uint8_t payload [1024];
    size_t size = dossier_pack (payload, sizeof payload, DOSSIER_PROCEDURE, "001099012345", "tai@example.vn");

    dh_auth_t *auth = helper_auth ("submitload");
    s_clerk_t *clerks = calloc ((size_t) clients, sizeof *clerks);
    zmq_pollitem_t *items = calloc ((size_t) clients, sizeof *items);
    int64_t *latencies = calloc ((size_t) total, sizeof (int64_t));
    long sent = 0, acknowledged = 0, refused = 0, timed_out = 0, done = 0;
    for (int i = 0; i < clients; i++)
        clerks [i].client = dh_client_new (auth, "intake", endpoint);
    int64_t started = zclock_usecs ();
    for (int i = 0; i < clients; i++) {
        s_clerk_send (&clerks [i], payload, size, &sent, total);
        items [i] = (zmq_pollitem_t) { dh_client_socket (clerks [i].client), 0, ZMQ_POLLIN, 0 };
    }
    while (done < total && !zsys_interrupted) {
        zmq_poll (items, clients, 100);
        int64_t polled = zclock_usecs ();
        for (int i = 0; i < clients; i++) {
            s_clerk_t *clerk = &clerks [i];
            if (!clerk->busy)
                continue;
            dh_reply_t reply;
            if ((items [i].revents & ZMQ_POLLIN) && dh_client_recv (clerk->client, 0, &reply) == 0) {
                if (reply.seq != clerk->seq)
                    continue;
                clerk->busy = false;
                done++;
                if (reply.status && ++refused <= 3)
                    fprintf (stderr, "bench_notify: refused: %s %s\n", reply.error_name, reply.error_text);
                if (!reply.status)
                    latencies [acknowledged++] = zclock_usecs () - clerk->sent_at;
                s_clerk_send (clerk, payload, size, &sent, total);
            }
            else
            if (polled - clerk->sent_at > 3000000) {
                //  Not answered in 3 s: counted, and the clerk goes on
                //  with a new connection (never a resend).
                dh_client_destroy (&clerk->client);
                clerk->client = dh_client_new (auth, "intake", endpoint);
                items [i].socket = dh_client_socket (clerk->client);
                clerk->busy = false;
                timed_out++;
                done++;
                s_clerk_send (clerk, payload, size, &sent, total);
            }
        }
    }
    double seconds = (zclock_usecs () - started) / 1e6;
    latency_sort (latencies, (size_t) acknowledged);
    printf ("submitted %ld acknowledged %ld refused %ld timed_out %ld per_s %.0f p50_ms %.2f p99_ms %.2f\n",
            sent, acknowledged, refused, timed_out, acknowledged / seconds,
            latency_ms (latencies, (size_t) acknowledged, 50), latency_ms (latencies, (size_t) acknowledged, 99));
    for (int i = 0; i < clients; i++)
        dh_client_destroy (&clerks [i].client);
    free (clerks);
    free (items);
    free (latencies);
    dh_auth_destroy (&auth);
    return 0;
}

//  ----------------------------------------------------------------- sink

#define S_CONNECTIONS 1024
#define S_REQUEST_MAX 65536

typedef enum { S_SINK_HTTP, S_SINK_SMTP, S_SINK_HANG } s_sink_mode_t;

typedef struct {
    char *data;                 //  what came and is not yet answered
    size_t size;
    bool in_data;               //  SMTP: between DATA and its lone "."
} s_connection_t;

//  HTTP: a whole request in data (its head and Content-Length bytes of
//  body) is answered 200 and the connection closed. Returns the bytes
//  used (all, or 0 while the request is not whole); -1 to close.
static ssize_t
s_http_take (int fd, s_connection_t *connection)
{
    static const char answer [] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                                  "Connection: close\r\n\r\n{}";
    const char *end = memmem (connection->data, connection->size, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t body = 0;
    for (const char *line = connection->data; line < end; line = strchr (line, '\n') + 1)
        if (!strncasecmp (line, "Content-Length:", 15))
            body = strtoul (line + 15, NULL, 10);
    if ((size_t) (end + 4 - connection->data) + body > connection->size)
        return 0;
    if (write (fd, answer, sizeof answer - 1) < 0)
        perror ("bench_notify sink: write");
    return -1;
}

//  SMTP: every command taken (250), DATA up to its lone "." (354, 250),
//  QUIT (221, then closed). Returns the bytes of whole lines used; -1 to
//  close.
static ssize_t
s_smtp_take (int fd, s_connection_t *connection)
{
    size_t used = 0;
    const char *line = connection->data, *end;
    while ((end = memmem (line, connection->size - used, "\r\n", 2))) {
        size_t length = (size_t) (end - line);
        const char *answer = NULL;
        if (connection->in_data) {
            if (length == 1 && line [0] == '.') {
                connection->in_data = false;
                answer = "250 2.0.0 taken\r\n";
            }
        }
        else
        if (!strncasecmp (line, "DATA", 4)) {
            connection->in_data = true;
            answer = "354 go on\r\n";
        }
        else
        if (!strncasecmp (line, "QUIT", 4)) {
            if (write (fd, "221 bye\r\n", 9) < 0)
                perror ("bench_notify sink: write");
            return -1;
        }
        else
            answer = "250 ok\r\n";
        if (answer && write (fd, answer, strlen (answer)) < 0)
            return -1;
        used += length + 2;
        line = end + 2;
    }
    return (ssize_t) used;
}

static int
s_sink (s_sink_mode_t mode, const char *port_file)
{
    int listener = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    socklen_t length = sizeof address;
    if (listener < 0 || bind (listener, (struct sockaddr *) &address, sizeof address)
    ||  listen (listener, 512) || getsockname (listener, (struct sockaddr *) &address, &length)) {
        perror ("bench_notify sink");
        return 1;
    }
    char temporary [4096];
    snprintf (temporary, sizeof temporary, "%s.tmp", port_file);
    FILE *file = fopen (temporary, "w");
    if (!file || fprintf (file, "%d\n", ntohs (address.sin_port)) < 0 || fclose (file)
    ||  rename (temporary, port_file)) {
        perror ("bench_notify sink: the port file");
        return 1;
    }
    static struct pollfd polled [S_CONNECTIONS + 1];
    static s_connection_t connections [S_CONNECTIONS + 1];
    size_t count = 1;
    polled [0] = (struct pollfd) { listener, POLLIN, 0 };
    char buffer [16384];
    while (!zsys_interrupted) {
        if (poll (polled, count, 1000) < 0 && errno != EINTR)
            break;
        if ((polled [0].revents & POLLIN) && count <= S_CONNECTIONS) {
            int fd = accept (listener, NULL, NULL);
            if (fd >= 0) {
                //  Hung: nothing is ever read or said; the peer's close is seen.
                polled [count] = (struct pollfd) { fd, mode == S_SINK_HANG? 0: POLLIN, 0 };
                connections [count] = (s_connection_t) { NULL, 0, false };
                count++;
                if (mode == S_SINK_SMTP && write (fd, "220 sink ESMTP\r\n", 16) < 0)
                    perror ("bench_notify sink: write");
            }
        }
        for (size_t i = 1; i < count; i++) {
            if (!polled [i].revents)
                continue;
            s_connection_t *connection = &connections [i];
            ssize_t got = mode == S_SINK_HANG? 0: read (polled [i].fd, buffer, sizeof buffer);
            ssize_t used = got <= 0 || connection->size + (size_t) got > S_REQUEST_MAX? -1: 0;
            char *grown = used? NULL: realloc (connection->data, connection->size + (size_t) got);
            if (grown) {
                memcpy (grown + connection->size, buffer, (size_t) got);
                connection->data = grown;
                connection->size += (size_t) got;
                used = mode == S_SINK_HTTP? s_http_take (polled [i].fd, connection):
                                            s_smtp_take (polled [i].fd, connection);
            }
            else
                used = -1;
            if (used > 0) {
                memmove (connection->data, connection->data + used, connection->size - (size_t) used);
                connection->size -= (size_t) used;
            }
            if (used < 0) {
                close (polled [i].fd);
                free (connection->data);
                count--;
                polled [i] = polled [count];
                connections [i] = connections [count];
                i--;
            }
        }
    }
    return 0;
}

int
main (int argc, char **argv)
{
    const char *usage =
        "usage: bench_notify intake [--config F] [--set KEY=VALUE]...\n"
        "       bench_notify deliver INTAKE_ENDPOINT PREFIX COUNT\n"
        "       bench_notify submit INTAKE_ENDPOINT N CLIENTS\n"
        "       bench_notify sink http|smtp|hang PORT_FILE";
    const char *part = argc > 1? argv [1]: "";
    if (!strcmp (part, "intake")) {
        s_intake_t intake = { 0 };
        return dh_service_main ("intake", usage, argc - 1, argv + 1, s_intake_keys, s_intake_setup, &intake);
    }
    if (!strcmp (part, "deliver") && argc == 5 && strtoull (argv [4], NULL, 10) > 0)
        return s_deliver (argv [2], argv [3], strtoull (argv [4], NULL, 10));
    if (!strcmp (part, "submit") && argc == 5)
        return s_submit (argv [2], atol (argv [3]), atoi (argv [4]));
    if (!strcmp (part, "sink") && argc == 4) {
        const char *modes [] = { "http", "smtp", "hang" };
        for (int mode = S_SINK_HTTP; mode <= S_SINK_HANG; mode++)
            if (!strcmp (argv [2], modes [mode]))
                return s_sink ((s_sink_mode_t) mode, argv [3]);
    }
    fprintf (!strcmp (part, "--help")? stdout: stderr, "%s\n", usage);
    return strcmp (part, "--help")? 2: 0;
}
