//  The subscriber: per daemon a SUB socket for its feed and a client for
//  SNAPSHOT pages and seq checks, and the seq logic between the two.
#include "envelope.pb-c.h"
#include "dh_client.h"
#include "dh_error.h"
#include "dh_subscriber.h"
#include "dh_types.h"

#define S_RETRY_MS      1000        //  ask again this long after a failed snapshot
#define S_GRACE_MS      1000        //  events a check announced should be here by then
#define S_POSTPONE_MS   100         //  a deadline met while the answer waits unread
#define S_HELD_MAX      (1 << 20)   //  events held back during one snapshot
#define S_DRAIN_MAX     1024        //  messages taken from one socket per turn, so none starves
#define S_EVENT_MAX     (64 << 20)

typedef enum { S_LIVE, S_WANT, S_ASKING } s_state_t;

typedef struct {
    dh_subscriber_t *owner;
    char *name;
    const char *api;            //  the config's
    zsock_t *sub;
    dh_client_t *client;
    void *client_socket;        //  as polled (the loop knows it by this)
    bool snapshots;             //  the daemon serves them (until it says not)
    s_state_t state;
    uint64_t last;              //  the seq delivered state stands at...
    bool based;                 //  ... once a snapshot or the first event said it
    //  Just after a snapshot, events at or below its S_1 may still come
    //  (sent before the page, read after it): stale, not a seq going back.
    bool settling;
    //  The snapshot being read.
    int64_t due;                //  S_WANT: when to ask; S_ASKING: when the answer is late
    uint64_t request;           //  the page request whose answer is awaited
    uint8_t *cursor;            //  the last key received
    size_t cursor_size;
    uint64_t pages, entries, first_seq, last_seq, failures;
    bool initial;
    zlist_t *held;              //  zframe_t: events that came meanwhile
    bool overflow;              //  ... more than S_HELD_MAX of them: some are gone
    //  The quiet check.
    int64_t heard;              //  the last event came then
    int64_t checked;            //  the last check went then
    uint64_t probe;             //  the STATUS request awaited
    int64_t probe_due;
    uint64_t expect;            //  a check said the daemon published up to here...
    int64_t expect_by;          //  ...so its events should be here by then
} s_feed_t;

struct _dh_subscriber_t {
    dh_config_t *config;
    dh_auth_t *auth;
    const dh_subscriber_handlers_t *handlers;
    void *arg;
    s_feed_t **feeds;
    size_t count;
    dh_codec_t *codec;
    int queue;
    uint32_t page;
    int timeout_ms;
    int check_ms;
    uint64_t delivered;
    zloop_t *loop;
    int timer_id;               //  -1: none set
    int64_t timer_at;
    zmq_msg_t msg;
};

static void s_on_frame (s_feed_t *feed, const void *data, size_t size, int64_t now);

static void
s_notice (s_feed_t *feed, dh_notice_kind_t kind, uint64_t from, uint64_t to, uint64_t count,
          int error, const char *text)
{
    dh_subscriber_t *self = feed->owner;
    if (!self->handlers->notice)
        return;
    dh_notice_t notice = {
        .kind = kind, .service = feed->name, .from = from, .to = to, .count = count,
        .initial = feed->initial, .error = error, .text = text && *text? text: NULL
    };
    self->handlers->notice (self->arg, &notice);
}

static bool
s_readable (void *socket)
{
    int events = 0;
    size_t size = sizeof events;
    return zmq_getsockopt (socket, ZMQ_EVENTS, &events, &size) == 0 && (events & ZMQ_POLLIN);
}

static void
s_held_purge (s_feed_t *feed)
{
    zframe_t *frame;
    while ((frame = zlist_pop (feed->held)))
        zframe_destroy (&frame);
}

//  ------------------------------------------------------------- the client
static int s_loop_client (zloop_t *loop, zmq_pollitem_t *item, void *arg);

//  A request that got no answer may still sit in the DEALER's queue, to
//  reach a daemon that comes back, with more behind it: start afresh.
static void
s_client_remake (s_feed_t *feed)
{
    dh_subscriber_t *self = feed->owner;
    dh_client_t *client = dh_client_new (self->auth, feed->name, feed->api);
    if (!client)
        return;                 //  the endpoint parsed when the feed was added
    if (self->loop) {
        zmq_pollitem_t item = { feed->client_socket, 0, ZMQ_POLLIN, 0 };
        zloop_poller_end (self->loop, &item);
    }
    dh_client_destroy (&feed->client);
    feed->client = client;
    feed->client_socket = dh_client_socket (client);
    feed->request = feed->probe = 0;
    if (self->loop) {
        zmq_pollitem_t item = { feed->client_socket, 0, ZMQ_POLLIN, 0 };
        zloop_poller (self->loop, &item, s_loop_client, feed);
    }
}

//  ------------------------------------------------------------- snapshots
static void
s_want (s_feed_t *feed, int64_t now, int64_t after_ms)
{
    feed->state = S_WANT;
    feed->due = now + after_ms;
    feed->request = 0;
    feed->pages = feed->entries = 0;
    feed->cursor_size = 0;
    feed->settling = false;
}

static void s_failed (s_feed_t *feed, int error, const char *text, int64_t now);

static void
s_ask (s_feed_t *feed, int64_t now)
{
    dh_subscriber_t *self = feed->owner;
    Dh__SnapshotRequest request = DH__SNAPSHOT_REQUEST__INIT;
    request.after = (ProtobufCBinaryData) { feed->cursor_size, feed->cursor };
    request.limit = self->page;
    uint8_t buffer [DH_NAME_MAX + 600];
    size_t size = dh__snapshot_request__get_packed_size (&request);
    int rc = size <= sizeof buffer? 0: DH_E_TOO_BIG;
    if (!rc) {
        dh__snapshot_request__pack (&request, buffer);
        rc = dh_client_send (feed->client, DH_MSG_SNAPSHOT, dh_config_service (self->config),
                             buffer, size, &feed->request);
    }
    feed->state = S_ASKING;
    feed->due = now + self->timeout_ms;
    if (rc)
        s_failed (feed, rc, NULL, now);
}

static void
s_go_live (s_feed_t *feed, int64_t now)
{
    feed->state = S_LIVE;
    feed->heard = now;
    //  What was held goes through the live path in order; a gap among it
    //  holds the rest again for the next snapshot.
    zlist_t *held = feed->held;
    feed->held = zlist_new ();
    zframe_t *frame;
    while ((frame = zlist_pop (held))) {
        s_on_frame (feed, zframe_data (frame), zframe_size (frame), now);
        zframe_destroy (&frame);
    }
    zlist_destroy (&held);
}

static void
s_failed (s_feed_t *feed, int error, const char *text, int64_t now)
{
    feed->failures++;
    s_notice (feed, DH_NOTICE_SNAPSHOT_FAILED, 0, 0, feed->failures, error, text);
    if (error == DH_E_UNKNOWN) {
        //  What was held goes out as it is, the gap already named.
        feed->based = false;
        feed->snapshots = false;
        feed->overflow = false;
        feed->initial = false;
        s_go_live (feed, now);
        return;
    }
    if (error == DH_E_TIMEOUT)
        s_client_remake (feed);
    s_want (feed, now, S_RETRY_MS);
}

static void
s_on_page (s_feed_t *feed, const dh_reply_t *reply, int64_t now)
{
    dh_subscriber_t *self = feed->owner;
    feed->request = 0;
    if (reply->status) {
        s_failed (feed, reply->status, reply->error_text, now);
        return;
    }
    Dh__SnapshotReply *page = dh__snapshot_reply__unpack (NULL, reply->payload_size, reply->payload);
    if (!page) {
        s_failed (feed, DH_E_MALFORMED, "the answer to SNAPSHOT is not a SnapshotReply", now);
        return;
    }
    if (feed->pages++ == 0) {
        //  Every event we delivered was published before this page was
        //  read, so a page below them is from another store.
        if (feed->based && page->seq < feed->last) {
            s_notice (feed, DH_NOTICE_BACK, feed->last, page->seq, 0, 0, NULL);
            feed->based = false;
        }
        feed->first_seq = page->seq;
        s_notice (feed, DH_NOTICE_SNAPSHOT_BEGIN, page->seq, page->seq, 0, 0, NULL);
    }
    feed->last_seq = page->seq;
    for (size_t i = 0; i < page->n_entries; i++) {
        const Dh__SnapshotEntry *entry = page->entries [i];
        dh_subscriber_entry_t item = {
            entry->key.data, entry->key.len, entry->type, entry->payload.data, entry->payload.len
        };
        if (self->handlers->entry)
            self->handlers->entry (self->arg, feed->name, page->seq, &item);
        self->delivered++;
        feed->entries++;
    }
    if (page->more && page->n_entries && page->next.len) {
        uint8_t *cursor = realloc (feed->cursor, page->next.len);
        if (cursor) {
            memcpy (cursor, page->next.data, page->next.len);
            feed->cursor = cursor;
            feed->cursor_size = page->next.len;
        }
        dh__snapshot_reply__free_unpacked (page, NULL);
        if (!cursor)
            s_failed (feed, DH_E_NOMEM, NULL, now);
        else
            s_ask (feed, now);
        return;
    }
    dh__snapshot_reply__free_unpacked (page, NULL);
    s_notice (feed, DH_NOTICE_SNAPSHOT_END, feed->first_seq, feed->last_seq, feed->entries, 0, NULL);
    feed->failures = 0;
    feed->initial = false;
    feed->last = feed->first_seq;
    feed->based = true;
    feed->expect = 0;
    if (feed->overflow) {
        //  Held events were lost while this snapshot was read: read
        //  another, which has them.
        feed->overflow = false;
        s_held_purge (feed);
        s_want (feed, now, 0);
        return;
    }
    feed->settling = true;
    s_go_live (feed, now);
}

//  ------------------------------------------------------------- the seq logic
static void
s_deliver (s_feed_t *feed, const dh_event_t *event)
{
    dh_subscriber_t *self = feed->owner;
    feed->last = event->seq;
    feed->based = true;
    feed->settling = false;
    if (feed->expect && feed->last >= feed->expect)
        feed->expect = 0;
    if (self->handlers->event)
        self->handlers->event (self->arg, feed->name, event);
    self->delivered++;
}

static void
s_hold (s_feed_t *feed, const void *data, size_t size)
{
    if (feed->overflow)
        return;
    if (zlist_size (feed->held) >= S_HELD_MAX) {
        s_held_purge (feed);
        feed->overflow = true;
        return;
    }
    zframe_t *frame = zframe_new (data, size);
    if (!frame || zlist_append (feed->held, frame)) {
        zframe_destroy (&frame);
        s_held_purge (feed);
        feed->overflow = true;
    }
}

static void
s_on_frame (s_feed_t *feed, const void *data, size_t size, int64_t now)
{
    dh_subscriber_t *self = feed->owner;
    feed->heard = now;
    if (feed->state != S_LIVE) {
        s_hold (feed, data, size);
        return;
    }
    dh_codec_reset (self->codec);
    dh_event_t event;
    if (dh_codec_decode_event (self->codec, data, size, &event)) {
        zsys_warning ("subscriber: %s sent an event that does not decode (%zu bytes)", feed->name, size);
        return;
    }
    uint64_t seq = event.seq;
    if (!feed->based || seq == feed->last + 1) {
        s_deliver (feed, &event);
        return;
    }
    if (seq <= feed->last && feed->settling)
        return;                 //  the snapshot has it
    if (seq > feed->last)
        s_notice (feed, DH_NOTICE_GAP, feed->last + 1, seq - 1, seq - 1 - feed->last, 0, NULL);
    else
        s_notice (feed, DH_NOTICE_BACK, feed->last, seq, 0, 0, NULL);
    if (!feed->snapshots) {
        s_deliver (feed, &event);
        return;
    }
    if (seq <= feed->last)
        feed->based = false;    //  told once; the snapshot sets it again
    s_want (feed, now, 0);
    s_hold (feed, data, size);
}

//  A daemon's seq, from a check: above ours means events lost or on
//  their way; give them a moment before calling it a gap.
static void
s_on_probe (s_feed_t *feed, const dh_reply_t *reply, int64_t now)
{
    feed->probe = 0;
    if (reply->status || feed->state != S_LIVE || !feed->based)
        return;
    Dh__ServiceStatus *status = dh__service_status__unpack (NULL, reply->payload_size, reply->payload);
    if (!status)
        return;
    uint64_t seq = status->event_seq;
    dh__service_status__free_unpacked (status, NULL);
    if (seq < feed->last) {
        s_notice (feed, DH_NOTICE_BACK, feed->last, seq, 0, 0, NULL);
        feed->based = false;
        if (feed->snapshots)
            s_want (feed, now, 0);
    }
    else
    if (seq > feed->last) {
        feed->expect = seq;
        feed->expect_by = now + S_GRACE_MS;
    }
}

//  ------------------------------------------------------------- turning
static void
s_drain (s_feed_t *feed, int64_t now)
{
    dh_subscriber_t *self = feed->owner;
    void *sub = zsock_resolve (feed->sub);
    for (int i = 0; i < S_DRAIN_MAX; i++) {
        if (zmq_msg_recv (&self->msg, sub, ZMQ_DONTWAIT) < 0)
            break;
        s_on_frame (feed, zmq_msg_data (&self->msg), zmq_msg_size (&self->msg), now);
    }
    dh_reply_t reply;
    for (int i = 0; i < S_DRAIN_MAX && dh_client_recv (feed->client, 0, &reply) == 0; i++) {
        if (feed->probe && reply.seq == feed->probe)
            s_on_probe (feed, &reply, now);
        else
        if (feed->state == S_ASKING && feed->request && reply.seq == feed->request)
            s_on_page (feed, &reply, now);
        //  else the late answer to a request given up on
    }
}

static void
s_check (s_feed_t *feed, int64_t now)
{
    dh_subscriber_t *self = feed->owner;
    if (feed->expect && now >= feed->expect_by) {
        if (s_readable (zsock_resolve (feed->sub)))
            feed->expect_by = now + S_POSTPONE_MS;
        else {
            if (feed->last < feed->expect) {
                s_notice (feed, DH_NOTICE_GAP, feed->last + 1, feed->expect,
                          feed->expect - feed->last, 0, NULL);
                if (feed->snapshots)
                    s_want (feed, now, 0);
                else
                    feed->last = feed->expect;
            }
            feed->expect = 0;
        }
    }
    if (feed->probe && now >= feed->probe_due)
        s_client_remake (feed);
    int64_t quiet_since = feed->heard > feed->checked? feed->heard: feed->checked;
    if (feed->state == S_LIVE && !feed->probe && !feed->expect && self->check_ms
    &&  now - quiet_since >= self->check_ms) {
        feed->checked = now;
        if (dh_client_send (feed->client, DH_MSG_STATUS, dh_config_service (self->config),
                            NULL, 0, &feed->probe) == 0)
            feed->probe_due = now + self->timeout_ms;
        else
            feed->probe = 0;
    }
}

static void
s_expire (dh_subscriber_t *self, int64_t now)
{
    for (size_t i = 0; i < self->count; i++) {
        s_feed_t *feed = self->feeds [i];
        if (feed->state == S_WANT && now >= feed->due)
            s_ask (feed, now);
        else
        if (feed->state == S_ASKING && now >= feed->due) {
            if (s_readable (feed->client_socket))
                feed->due = now + S_POSTPONE_MS;
            else
                s_failed (feed, DH_E_TIMEOUT, NULL, now);
        }
        if (feed->state == S_LIVE)
            s_check (feed, now);
    }
}

//  When the subscriber has something to do next, whatever comes; -1: never.
static int64_t
s_next_due (dh_subscriber_t *self)
{
    int64_t next = -1;
#define S_SOONER(at) do { int64_t at_ = (at); if (next < 0 || at_ < next) next = at_; } while (0)
    for (size_t i = 0; i < self->count; i++) {
        s_feed_t *feed = self->feeds [i];
        if (feed->state != S_LIVE)
            S_SOONER (feed->due);
        else {
            if (feed->expect)
                S_SOONER (feed->expect_by);
            if (feed->probe)
                S_SOONER (feed->probe_due);
            else
            if (self->check_ms && !feed->expect)
                S_SOONER ((feed->heard > feed->checked? feed->heard: feed->checked) + self->check_ms);
        }
    }
#undef S_SOONER
    return next;
}

//  ------------------------------------------------------------- on a zloop
static int s_loop_timer (zloop_t *loop, int timer_id, void *arg);

static void
s_arm (dh_subscriber_t *self)
{
    if (!self->loop)
        return;
    int64_t due = s_next_due (self);
    if (due == self->timer_at && (due < 0 || self->timer_id >= 0))
        return;
    if (self->timer_id >= 0)
        zloop_timer_end (self->loop, self->timer_id);
    self->timer_id = -1;
    self->timer_at = due;
    if (due >= 0) {
        int64_t delay = due - zclock_mono ();
        self->timer_id = zloop_timer (self->loop, delay > 0? (size_t) delay: 1, 1, s_loop_timer, self);
    }
}

static int
s_loop_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    dh_subscriber_t *self = arg;
    self->timer_id = -1;
    self->timer_at = -1;
    s_expire (self, zclock_mono ());
    s_arm (self);
    return 0;
}

static int
s_loop_sub (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    (void) item;
    s_feed_t *feed = arg;
    int64_t now = zclock_mono ();
    s_drain (feed, now);
    s_expire (feed->owner, now);
    s_arm (feed->owner);
    return 0;
}

static int
s_loop_client (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    return s_loop_sub (loop, item, arg);
}

static int
s_attach_feed (dh_subscriber_t *self, s_feed_t *feed)
{
    zmq_pollitem_t sub = { zsock_resolve (feed->sub), 0, ZMQ_POLLIN, 0 };
    zmq_pollitem_t client = { feed->client_socket, 0, ZMQ_POLLIN, 0 };
    if (zloop_poller (self->loop, &sub, s_loop_sub, feed)
    ||  zloop_poller (self->loop, &client, s_loop_client, feed))
        return DH_E_NOMEM;
    return 0;
}

int
dh_subscriber_attach (dh_subscriber_t *self, zloop_t *loop)
{
    if (self->loop)
        return DH_E_EXISTS;
    self->loop = loop;
    for (size_t i = 0; i < self->count; i++) {
        int rc = s_attach_feed (self, self->feeds [i]);
        if (rc)
            return rc;
    }
    s_expire (self, zclock_mono ());
    s_arm (self);
    return 0;
}

//  ------------------------------------------------------------- the class
dh_subscriber_t *
dh_subscriber_new (dh_config_t *config, dh_auth_t *auth, const dh_subscriber_handlers_t *handlers,
                   void *arg)
{
    dh_subscriber_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->config = config;
    self->auth = auth;
    self->handlers = handlers;
    self->arg = arg;
    self->codec = dh_codec_new (S_EVENT_MAX);
    self->timeout_ms = 5000;
    self->check_ms = 2000;
    self->timer_id = -1;
    self->timer_at = -1;
    zmq_msg_init (&self->msg);
    if (!self->codec)
        dh_subscriber_destroy (&self);
    return self;
}

static void
s_feed_destroy (s_feed_t **feed_p)
{
    s_feed_t *feed = *feed_p;
    if (!feed)
        return;
    zsock_destroy (&feed->sub);
    dh_client_destroy (&feed->client);
    if (feed->held)
        s_held_purge (feed);
    zlist_destroy (&feed->held);
    free (feed->cursor);
    free (feed->name);
    free (feed);
    *feed_p = NULL;
}

void
dh_subscriber_destroy (dh_subscriber_t **self_p)
{
    dh_subscriber_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++) {
        s_feed_t *feed = self->feeds [i];
        if (self->loop) {
            zmq_pollitem_t sub = { zsock_resolve (feed->sub), 0, ZMQ_POLLIN, 0 };
            zmq_pollitem_t client = { feed->client_socket, 0, ZMQ_POLLIN, 0 };
            zloop_poller_end (self->loop, &sub);
            zloop_poller_end (self->loop, &client);
        }
        s_feed_destroy (&feed);
    }
    if (self->loop && self->timer_id >= 0)
        zloop_timer_end (self->loop, self->timer_id);
    free (self->feeds);
    dh_codec_destroy (&self->codec);
    zmq_msg_close (&self->msg);
    free (self);
    *self_p = NULL;
}

static s_feed_t *
s_find (dh_subscriber_t *self, const char *service)
{
    for (size_t i = 0; i < self->count; i++)
        if (!strcmp (self->feeds [i]->name, service))
            return self->feeds [i];
    return NULL;
}

int
dh_subscriber_add (dh_subscriber_t *self, const char *service, dh_snapshot_when_t when)
{
    if (s_find (self, service))
        return DH_E_EXISTS;
    s_feed_t **feeds = realloc (self->feeds, (self->count + 1) * sizeof *feeds);
    if (!feeds)
        return DH_E_NOMEM;
    self->feeds = feeds;
    s_feed_t *feed = calloc (1, sizeof *feed);
    if (!feed)
        return DH_E_NOMEM;
    feed->owner = self;
    feed->name = strdup (service);
    feed->api = dh_config_get_for (self->config, service, "api");
    feed->held = zlist_new ();
    feed->sub = zsock_new (ZMQ_SUB);
    if (!feed->name || !feed->held || !feed->sub) {
        s_feed_destroy (&feed);
        return DH_E_NOMEM;
    }
    //  Subscribed before anything is asked: no event falls between.
    const char *events = dh_config_get_for (self->config, service, "events");
    if (self->queue)
        zsock_set_rcvhwm (feed->sub, self->queue);
    zsock_set_subscribe (feed->sub, "");
    //  The feed is a CURVE server like the api: same key, same admission.
    if (dh_auth_client (self->auth, feed->sub, service)) {
        s_feed_destroy (&feed);
        return DH_E_INVALID;
    }
    if (zsock_connect (feed->sub, "%s", events)) {
        zsys_error ("subscriber: %s's events endpoint '%s' is not valid", service, events);
        s_feed_destroy (&feed);
        return DH_E_INVALID;
    }
    feed->client = dh_client_new (self->auth, service, feed->api);
    if (!feed->client) {
        s_feed_destroy (&feed);
        return DH_E_INVALID;
    }
    feed->client_socket = dh_client_socket (feed->client);
    int64_t now = zclock_mono ();
    feed->heard = now;
    feed->snapshots = when != DH_SNAPSHOT_NEVER;
    feed->initial = when == DH_SNAPSHOT_ALWAYS;
    if (when == DH_SNAPSHOT_ALWAYS)
        s_want (feed, now, 0);
    else
        feed->state = S_LIVE;
    self->feeds [self->count++] = feed;
    if (self->loop) {
        int rc = s_attach_feed (self, feed);
        s_arm (self);
        return rc;
    }
    return 0;
}

void
dh_subscriber_set_queue (dh_subscriber_t *self, int events)
{
    self->queue = events > 0? events: 0;
}

void
dh_subscriber_set_page (dh_subscriber_t *self, uint32_t entries)
{
    self->page = entries;
}

void
dh_subscriber_set_timeout (dh_subscriber_t *self, int timeout_ms)
{
    self->timeout_ms = timeout_ms > 0? timeout_ms: 5000;
}

void
dh_subscriber_set_check (dh_subscriber_t *self, int quiet_ms)
{
    self->check_ms = quiet_ms > 0? quiet_ms: 0;
}

int
dh_subscriber_wait (dh_subscriber_t *self, int timeout_ms)
{
    uint64_t before = self->delivered;
    if (!self->count) {
        zclock_sleep (timeout_ms < 0? 0: timeout_ms);
        return 0;
    }
    int64_t end = timeout_ms < 0? -1: zclock_mono () + timeout_ms;
    zmq_pollitem_t *items = NULL;
    size_t items_for = 0;
    while (!zsys_interrupted) {
        //  A callback may have added a daemon.
        if (items_for < self->count) {
            zmq_pollitem_t *more = realloc (items, self->count * 2 * sizeof *items);
            if (!more)
                break;
            items = more;
            items_for = self->count;
        }
        int64_t now = zclock_mono ();
        s_expire (self, now);
        if (self->delivered > before || (end >= 0 && now >= end))
            break;
        int64_t until = s_next_due (self);
        if (end >= 0 && (until < 0 || end < until))
            until = end;
        long wait = until < 0? -1: until > now? (long) (until - now): 0;
        for (size_t i = 0; i < self->count; i++) {
            items [2 * i] = (zmq_pollitem_t) { zsock_resolve (self->feeds [i]->sub), 0, ZMQ_POLLIN, 0 };
            items [2 * i + 1] = (zmq_pollitem_t) { self->feeds [i]->client_socket, 0, ZMQ_POLLIN, 0 };
        }
        if (zmq_poll (items, (int) self->count * 2, wait) < 0)
            break;              //  a signal
        now = zclock_mono ();
        for (size_t i = 0; i < self->count; i++)
            if ((items [2 * i].revents | items [2 * i + 1].revents) & ZMQ_POLLIN)
                s_drain (self->feeds [i], now);
        if (self->delivered > before)
            break;
    }
    free (items);
    return (int) (self->delivered - before);
}

uint64_t
dh_subscriber_seq (dh_subscriber_t *self, const char *service)
{
    s_feed_t *feed = s_find (self, service);
    return feed? feed->last: 0;
}

bool
dh_subscriber_synced (dh_subscriber_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        if (self->feeds [i]->state != S_LIVE)
            return false;
    return true;
}
