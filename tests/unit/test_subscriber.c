//  dh_subscriber's seq logic against a daemon played by hand (a PUB and a
//  ROUTER in this process): the first snapshot in pages with events held
//  meanwhile, stale events dropped, a gap and a seq going back mended by
//  a snapshot, a daemon that does not answer, one without snapshots,
//  events lost at the end found by the quiet check, and snapshots asked
//  on a gap only.
#include <czmq.h>
#include "dh_codec.h"
#include "dh_config.h"
#include "dh_error.h"
#include "dh_subscriber.h"
#include "dh_types.h"
#include "envelope.pb-c.h"
#include "unit.h"

//  What the callbacks saw, one word each, space-separated.
static char s_log [4096];

static void
s_say (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    size_t used = strlen (s_log);
    vsnprintf (s_log + used, sizeof s_log - used, format, args);
    va_end (args);
}

static void
s_on_event (void *arg, const char *service, const dh_event_t *event)
{
    (void) arg;
    s_say ("%s:e%" PRIu64 ":%.*s ", service, event->seq, (int) event->payload_size, event->payload);
}

static void
s_on_entry (void *arg, const char *service, uint64_t seq, const dh_subscriber_entry_t *entry)
{
    (void) arg;
    (void) service;
    s_say ("%.*s@%" PRIu64 " ", (int) entry->key_size, entry->key, seq);
}

static void
s_on_notice (void *arg, const dh_notice_t *notice)
{
    (void) arg;
    switch (notice->kind) {
        case DH_NOTICE_GAP: s_say ("gap:%" PRIu64 "-%" PRIu64 " ", notice->from, notice->to); break;
        case DH_NOTICE_BACK: s_say ("back:%" PRIu64 "-%" PRIu64 " ", notice->from, notice->to); break;
        case DH_NOTICE_SNAPSHOT_BEGIN: s_say ("begin%s ", notice->initial? "(initial)": ""); break;
        case DH_NOTICE_SNAPSHOT_END:
            s_say ("end:%" PRIu64 "-%" PRIu64 ":%" PRIu64 " ", notice->from, notice->to, notice->count);
            break;
        case DH_NOTICE_SNAPSHOT_FAILED: s_say ("failed:%s ", dh_errname (notice->error)); break;
    }
}

static const dh_subscriber_handlers_t s_handlers = { s_on_event, s_on_entry, s_on_notice };

//  The daemon: its feed and its api.
typedef struct {
    zsock_t *pub;
    zsock_t *api;
    dh_codec_t *codec;
} s_daemon_t;

static void
s_publish (s_daemon_t *daemon, uint64_t seq, const char *key)
{
    dh_event_t event = { "fake", seq, DH_MSG_ITEM_CHANGED, 0, (const uint8_t *) key, strlen (key) };
    uint8_t buffer [256];
    size_t size = dh_event_pack (&event, buffer);
    zmq_send (zsock_resolve (daemon->pub), buffer, size, 0);
}

typedef struct {
    zframe_t *rid;              //  the ROUTER's routing id, for the answer
    uint64_t seq;
    uint32_t type;
    char after [32];            //  SNAPSHOT: the key the page starts after
} s_request_t;

//  The next request, within 2 s.
static bool
s_request (s_daemon_t *daemon, s_request_t *request)
{
    zsock_set_rcvtimeo (daemon->api, 2000);
    zmsg_t *msg = zmsg_recv (daemon->api);
    if (!msg)
        return false;
    request->rid = zmsg_pop (msg);
    zframe_t *data = zmsg_pop (msg);
    zmsg_destroy (&msg);
    dh_codec_reset (daemon->codec);
    dh_envelope_t envelope;
    bool ok = data && dh_codec_decode_envelope (daemon->codec, zframe_data (data), zframe_size (data),
                                                &envelope) == 0;
    if (ok) {
        request->seq = envelope.seq;
        request->type = envelope.type;
        request->after [0] = 0;
        Dh__SnapshotRequest *snapshot = envelope.type == DH_MSG_SNAPSHOT?
            dh__snapshot_request__unpack (NULL, envelope.payload_size, envelope.payload): NULL;
        if (snapshot) {
            snprintf (request->after, sizeof request->after, "%.*s", (int) snapshot->after.len,
                      snapshot->after.data);
            dh__snapshot_request__free_unpacked (snapshot, NULL);
        }
    }
    zframe_destroy (&data);
    return ok;
}

static void
s_answer (s_daemon_t *daemon, s_request_t *request, int status, const void *payload, size_t size)
{
    dh_reply_t reply = { "fake", request->seq, status, status? dh_errname (status): "",
                         status? "refused by the test": "", payload, size };
    uint8_t buffer [4096];
    size_t packed = dh_reply_pack (&reply, buffer);
    zframe_send (&request->rid, daemon->api, ZFRAME_MORE);
    zmq_send (zsock_resolve (daemon->api), buffer, packed, 0);
}

//  Answer the next request, which must be a SNAPSHOT after `after`, with
//  a page of `keys` (space-separated), as of seq, and `more`.
static bool
s_page (s_daemon_t *daemon, const char *after, uint64_t seq, const char *keys, bool more)
{
    s_request_t request;
    if (!s_request (daemon, &request))
        return false;
    bool ok = request.type == DH_MSG_SNAPSHOT && !strcmp (request.after, after);
    if (!ok)
        fprintf (stderr, "expected SNAPSHOT after '%s', got type %u after '%s'\n", after,
                 request.type, request.after);
    Dh__SnapshotReply reply = DH__SNAPSHOT_REPLY__INIT;
    Dh__SnapshotEntry entries [8], *pointers [8];
    char *words = strdup (keys), *word, *rest = words;
    while ((word = strtok_r (rest, " ", &rest)) && reply.n_entries < 8) {
        Dh__SnapshotEntry *entry = &entries [reply.n_entries];
        dh__snapshot_entry__init (entry);
        entry->key = (ProtobufCBinaryData) { strlen (word), (uint8_t *) word };
        entry->type = DH_MSG_ITEM_CHANGED;
        pointers [reply.n_entries++] = entry;
    }
    reply.entries = pointers;
    reply.seq = seq;
    reply.more = more;
    if (reply.n_entries)
        reply.next = entries [reply.n_entries - 1].key;
    uint8_t buffer [1024];
    s_answer (daemon, &request, 0, buffer, dh__snapshot_reply__pack (&reply, buffer));
    free (words);
    return ok;
}

//  Let the subscriber work for ms, whatever it delivers.
static void
s_run (dh_subscriber_t *subscriber, int ms)
{
    int64_t end = zclock_mono () + ms;
    while (zclock_mono () < end)
        dh_subscriber_wait (subscriber, (int) (end - zclock_mono ()));
}

static int
s_stop_loop (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    (void) arg;
    return -1;
}

//  Run the loop for ms.
static void
s_loop_for (zloop_t *loop, int ms)
{
    zloop_timer (loop, ms, 1, s_stop_loop, NULL);
    zloop_start (loop);
}

//  The log since the last look, which it clears.
static bool
s_saw (const char *expected, const char *what)
{
    bool same = !strcmp (s_log, expected);
    if (!same)
        fprintf (stderr, "%s:\n  expected '%s'\n  got      '%s'\n", what, expected, s_log);
    s_log [0] = 0;
    return same;
}

int
main (void)
{
    zsys_set_logstream (NULL);
    char *folder = unit_tmpdir ();
    char *path = zsys_sprintf ("%s/dunghan.cfg", folder);
    FILE *file = fopen (path, "w");
    fprintf (file, "run_dir = %s\nfake\n    api = inproc://fake-api\n    events = inproc://fake-events\n", folder);
    fclose (file);
    dh_config_t *config;
    CHECK (dh_config_load_file ("ctl", path, NULL, &config) == 0, "config");
    //  Over inproc:// no handshake runs, but the subscriber still wants to
    //  know the daemon's key and hold its own.
    char *certs = zsys_sprintf ("%s/certs", folder);
    CHECK (dh_auth_cert_new (certs, "ctl", "operator") == 0 && dh_auth_cert_new (certs, "fake", "service") == 0,
           "certificates");
    free (certs);
    int why;
    dh_auth_t *auth = dh_auth_new (config, NULL, &why);
    CHECK (auth, "identity");
    s_daemon_t daemon = { zsock_new_pub ("inproc://fake-events"), zsock_new_router ("inproc://fake-api"),
                          dh_codec_new (1 << 20) };
    dh_subscriber_t *subscriber = dh_subscriber_new (config, auth, &s_handlers, NULL);
    dh_subscriber_set_check (subscriber, 0);
    dh_subscriber_set_page (subscriber, 2);
    CHECK (dh_subscriber_add (subscriber, "fake", DH_SNAPSHOT_ALWAYS) == 0, "add");
    CHECK (dh_subscriber_add (subscriber, "fake", DH_SNAPSHOT_ALWAYS) == DH_E_EXISTS, "added twice");
    CHECK (!dh_subscriber_synced (subscriber), "not synced before the first snapshot");

    //  The first snapshot, in two pages; events published meanwhile are
    //  held, and those the first page has (11) are dropped.
    s_run (subscriber, 50);
    s_publish (&daemon, 11, "k1");
    CHECK (s_page (&daemon, "", 11, "k1 k2", true), "page 1");
    s_run (subscriber, 50);
    s_publish (&daemon, 12, "k3");
    CHECK (s_page (&daemon, "k2", 12, "k3", false), "page 2");
    s_run (subscriber, 50);
    CHECK (s_saw ("begin(initial) k1@11 k2@11 k3@12 end:11-12:3 fake:e12:k3 ", "first snapshot"), "first snapshot");
    CHECK (dh_subscriber_synced (subscriber) && dh_subscriber_seq (subscriber, "fake") == 12, "synced at 12");

    //  Live: in order, delivered; a gap is named and mended, and the
    //  event that showed it is in the snapshot (at or below its seq).
    s_publish (&daemon, 13, "k1");
    s_run (subscriber, 30);
    s_publish (&daemon, 15, "k2");
    s_run (subscriber, 30);
    CHECK (s_page (&daemon, "", 15, "", false), "gap snapshot");
    s_run (subscriber, 30);
    s_publish (&daemon, 16, "k1");
    s_run (subscriber, 30);
    CHECK (s_saw ("fake:e13:k1 gap:14-14 begin end:15-15:0 fake:e16:k1 ", "gap"), "gap mended");

    //  The seq goes back (a new store): said once, then a snapshot of it.
    s_publish (&daemon, 3, "k9");
    s_run (subscriber, 30);
    CHECK (s_page (&daemon, "", 3, "k9", false), "snapshot after the seq went back");
    s_run (subscriber, 30);
    s_publish (&daemon, 4, "k9");
    s_run (subscriber, 30);
    CHECK (s_saw ("back:16-3 begin k9@3 end:3-3:1 fake:e4:k9 ", "back"), "seq back mended");

    //  A snapshot not answered in time is asked again, on a new socket.
    dh_subscriber_set_timeout (subscriber, 200);
    s_publish (&daemon, 6, "k9");
    s_run (subscriber, 30);
    s_request_t lost;
    CHECK (s_request (&daemon, &lost) && lost.type == DH_MSG_SNAPSHOT, "the request that is left unanswered");
    zframe_destroy (&lost.rid);
    s_run (subscriber, 1300);
    CHECK (s_page (&daemon, "", 6, "k9", false), "asked again");
    s_run (subscriber, 30);
    CHECK (s_saw ("gap:5-5 failed:E_TIMEOUT begin k9@6 end:6-6:1 ", "timeout"), "retried after a timeout");

    //  A daemon that serves no snapshots: events flow, gaps are only named.
    s_publish (&daemon, 9, "k8");
    s_run (subscriber, 30);
    s_request_t request;
    CHECK (s_request (&daemon, &request) && request.type == DH_MSG_SNAPSHOT, "snapshot asked");
    s_answer (&daemon, &request, DH_E_UNKNOWN, NULL, 0);
    s_run (subscriber, 30);
    s_publish (&daemon, 10, "k8");
    s_publish (&daemon, 12, "k8");
    s_run (subscriber, 30);
    CHECK (s_saw ("gap:7-8 failed:E_UNKNOWN_TYPE fake:e9:k8 fake:e10:k8 gap:11-11 fake:e12:k8 ", "no snapshots"),
           "a daemon without snapshots");
    dh_subscriber_destroy (&subscriber);

    //  The last events lost, with none after them to show the gap: the
    //  quiet check asks the daemon for its seq and finds them.
    subscriber = dh_subscriber_new (config, auth, &s_handlers, NULL);
    dh_subscriber_set_check (subscriber, 100);
    CHECK (dh_subscriber_add (subscriber, "fake", DH_SNAPSHOT_ALWAYS) == 0, "add again");
    s_run (subscriber, 30);
    CHECK (s_page (&daemon, "", 20, "k1", false), "first snapshot again");
    s_run (subscriber, 150);
    CHECK (s_request (&daemon, &request) && request.type == DH_MSG_STATUS, "a quiet feed is checked");
    Dh__ServiceStatus status = DH__SERVICE_STATUS__INIT;
    status.event_seq = 20;
    uint8_t buffer [64];
    s_answer (&daemon, &request, 0, buffer, dh__service_status__pack (&status, buffer));
    s_run (subscriber, 150);
    CHECK (s_request (&daemon, &request) && request.type == DH_MSG_STATUS, "checked again");
    status.event_seq = 22;
    s_answer (&daemon, &request, 0, buffer, dh__service_status__pack (&status, buffer));
    s_run (subscriber, 1200);
    CHECK (s_page (&daemon, "", 22, "k1", false), "the snapshot after the check");
    s_run (subscriber, 30);
    CHECK (s_saw ("begin(initial) k1@20 end:20-20:1 gap:21-22 begin k1@22 end:22-22:1 ", "check"),
           "events lost at the end found");
    dh_subscriber_destroy (&subscriber);

    //  Snapshots on a gap only: no first one (the first event is
    //  delivered at once and sets the seq), one when a gap shows.
    subscriber = dh_subscriber_new (config, auth, &s_handlers, NULL);
    dh_subscriber_set_check (subscriber, 0);
    CHECK (dh_subscriber_add (subscriber, "fake", DH_SNAPSHOT_ON_GAP) == 0, "add, snapshots on a gap");
    s_run (subscriber, 30);
    s_publish (&daemon, 40, "k1");
    s_run (subscriber, 30);
    CHECK (s_saw ("fake:e40:k1 ", "on gap: no first snapshot"), "the first event delivered at once");
    s_publish (&daemon, 42, "k2");
    s_run (subscriber, 30);
    CHECK (s_page (&daemon, "", 42, "k1 k2", false), "a snapshot asked after the gap");
    s_run (subscriber, 30);
    s_publish (&daemon, 43, "k1");
    s_run (subscriber, 30);
    CHECK (s_saw ("gap:41-41 begin k1@42 k2@42 end:42-42:2 fake:e43:k1 ", "on gap"), "a gap mended by a snapshot");
    dh_subscriber_destroy (&subscriber);

    //  On a zloop, as a daemon runs it: its timers ask, retry and check.
    zloop_t *loop = zloop_new ();
    subscriber = dh_subscriber_new (config, auth, &s_handlers, NULL);
    dh_subscriber_set_check (subscriber, 0);
    dh_subscriber_set_timeout (subscriber, 200);
    CHECK (dh_subscriber_attach (subscriber, loop) == 0, "attach");
    CHECK (dh_subscriber_attach (subscriber, loop) == DH_E_EXISTS, "attached twice");
    CHECK (dh_subscriber_add (subscriber, "fake", DH_SNAPSHOT_ALWAYS) == 0, "add to an attached subscriber");
    s_loop_for (loop, 50);
    CHECK (s_request (&daemon, &lost) && lost.type == DH_MSG_SNAPSHOT, "asked from the loop");
    zframe_destroy (&lost.rid);
    s_loop_for (loop, 1300);
    CHECK (s_page (&daemon, "", 30, "k1", false), "asked again from the loop's timer");
    s_publish (&daemon, 31, "k1");
    s_loop_for (loop, 50);
    CHECK (s_saw ("failed:E_TIMEOUT begin(initial) k1@30 end:30-30:1 fake:e31:k1 ", "loop"), "on a loop");
    dh_subscriber_destroy (&subscriber);
    zloop_destroy (&loop);

    zsock_destroy (&daemon.pub);
    zsock_destroy (&daemon.api);
    dh_codec_destroy (&daemon.codec);
    dh_config_destroy (&config);
    dh_auth_destroy (&auth);
    free (path);
    unit_rmdir (folder);
    return UNIT_DONE ("subscriber");
}
