#include <poll.h>
#include <stdarg.h>
#include "dh_audit.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_link.h"
#include "dh_service.h"
#include "dh_types.h"

#define S_MAX_TYPE      1024
#define S_ERROR_TEXT    200
#define S_RID_MAX       256
#define S_RERUN         1

typedef struct {
    dh_handler_fn *fn;
    void *state;
    int flags;
} s_handler_t;

//  One message of a batch.
typedef struct {
    uint8_t rid [S_RID_MAX];
    size_t rid_size;
    dh_envelope_t envelope;
    int decode_rc;              //  the envelope itself was bad
    int forced_rc;              //  refused in an earlier run of this batch
    dh_envelope_t *inner;       //  a link batch's messages (in the arena), else NULL
    size_t inner_count;
    int *inner_forced;          //  forced_rc of each
    int status;
    bool answer;                //  send a Reply (commands, bad input)
    const void *reply;
    size_t reply_size;
    char error_text [S_ERROR_TEXT];
} s_entry_t;

typedef struct {
    const uint8_t *data;
    size_t size;
} s_packed_t;

typedef struct {
    uint8_t rid [S_RID_MAX];
    size_t size;
} s_rid_t;

struct _dh_service_t {
    char *name;
    dh_config_t *config;
    dh_store_t *store;
    dh_dbi_t table;             //  the service's own counters
    dh_dbi_t audit;             //  the hash-chained audit log
    dh_audit_head_t audit_head; //  its newest record, in the open transaction
    dh_codec_t *codec;
    dh_link_t *link;
    zloop_t *loop;
    zsock_t *router;
    zsock_t *publisher;
    char *ready_file;
    s_handler_t handlers [S_MAX_TYPE];
    s_entry_t *entries;
    size_t batch_limit;
    size_t max_message;
    uint64_t event_seq;         //  committed
    uint64_t event_pending;     //  in the open transaction
    s_packed_t *events;         //  packed events waiting for the commit
    size_t event_count, event_capacity;
    uint8_t *reply_buffer;
    size_t reply_capacity;
    uint64_t batches, messages;
    uint64_t apply_us, commit_us, lingered_us;
    //  Senders the last commit answered. Each is likely to send again one
    //  round trip later; waiting for them (up to the linger) lets all
    //  share the next commit, instead of the senders splitting into two
    //  groups that take turns, each waiting out the other's commit.
    s_rid_t *answered;
    size_t answered_count;
    int64_t linger_us;
    int64_t linger_gap_us;
    dh_commit_fn *on_commit;
    void *on_commit_arg;
};

static const char *s_event_seq_key = "event_seq";

static int s_handle_api (zloop_t *loop, zsock_t *reader, void *arg);
static int s_handle_housekeeping (zloop_t *loop, int timer_id, void *arg);

//  *why gets DH_E_CONFIG when a configuration value is wrong (the
//  operator must change it), else a general failure.
static dh_service_t *
s_service_new (dh_config_t *config, int *why)
{
    *why = DH_E_IO;
    dh_service_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->name = strdup (dh_config_service (config));
    self->config = config;
    int64_t batch_limit, window, resend_ms, max_message, map_size_mb, map_max_mb, test_clock, events_queue;
    if (dh_config_int (config, "batch_limit", 1, 100000, &batch_limit)
    ||  dh_config_int (config, "events_queue", 1, 10000000, &events_queue)
    ||  dh_config_int (config, "commit_linger_us", 0, 100000, &self->linger_us)
    ||  dh_config_int (config, "commit_linger_gap_us", 0, 100000, &self->linger_gap_us)
    ||  dh_config_int (config, "window", 1, 10000000, &window)
    ||  dh_config_int (config, "resend_ms", 10, 3600000, &resend_ms)
    ||  dh_config_int (config, "max_message", 1024, 64 << 20, &max_message)
    ||  dh_config_int (config, "map_size_mb", 1, 1 << 22, &map_size_mb)
    ||  dh_config_int (config, "map_max_mb", 1, 1 << 22, &map_max_mb)
    ||  dh_config_int (config, "test_clock", 0, 1, &test_clock)) {
        *why = DH_E_CONFIG;
        goto fail;
    }
    self->batch_limit = batch_limit;
    self->max_message = max_message;
    if (test_clock) {
        dh_clock_set_test_mode (true);
        zsys_warning ("%s: test clock on: CLOCK commands can move time", self->name);
    }
    const char *run_dir = dh_config_get (config, "run_dir");
    if (zsys_dir_create ("%s", run_dir)) {
        zsys_error ("%s: cannot create run folder %s", self->name, run_dir);
        goto fail;
    }
    dh_store_options_t store_options = {
        (size_t) map_size_mb << 20, (size_t) map_max_mb << 20, 128
    };
    if (dh_store_open (dh_config_get (config, "data"), &store_options, &self->store)
    ||  dh_store_dbi (self->store, "service", &self->table)
    ||  dh_store_dbi (self->store, "audit", &self->audit))
        goto fail;
    dh_txn_t *txn;
    if (dh_txn_begin (self->store, false, &txn))
        goto fail;
    dh_val_t value;
    if (dh_txn_get (txn, self->table, s_event_seq_key, strlen (s_event_seq_key), &value) == 0
    &&  value.size == 8)
        self->event_seq = dh_key_u64_read (value.data);
    dh_txn_abort (&txn);
    self->event_pending = self->event_seq;

    self->codec = dh_codec_new (max_message);
    self->entries = calloc (self->batch_limit, sizeof (s_entry_t));
    self->answered = calloc (self->batch_limit, sizeof (s_rid_t));
    self->loop = zloop_new ();
    self->router = zsock_new (ZMQ_ROUTER);
    self->publisher = zsock_new (ZMQ_PUB);
    if (!self->codec || !self->entries || !self->answered || !self->loop || !self->router || !self->publisher)
        goto fail;
    zsock_set_sndhwm (self->router, 200000);
    zsock_set_rcvhwm (self->router, 200000);
    //  A subscriber that falls further behind loses events (the feed is
    //  best-effort): never block a commit's replies on a dashboard.
    zsock_set_sndhwm (self->publisher, (int) events_queue);
    zsock_set_linger (self->router, 0);
    const char *api = dh_config_get (config, "api");
    const char *events = dh_config_get (config, "events");
    if (zsock_bind (self->router, "%s", api) < 0) {
        zsys_error ("%s: cannot bind api %s: %s", self->name, api, zmq_strerror (zmq_errno ()));
        goto fail;
    }
    if (zsock_bind (self->publisher, "%s", events) < 0) {
        zsys_error ("%s: cannot bind events %s: %s", self->name, events, zmq_strerror (zmq_errno ()));
        goto fail;
    }
    dh_link_options_t link_options = { (uint64_t) window, resend_ms, (size_t) max_message };
    self->link = dh_link_new (self->name, self->store, self->router, self->loop, &link_options);
    if (!self->link)
        goto fail;
    zloop_reader (self->loop, self->router, s_handle_api, self);
    zloop_timer (self->loop, 200, 0, s_handle_housekeeping, self);
    self->ready_file = strdup (dh_config_get (config, "ready_file"));
    dh_service_register_builtins (self);
    return self;
fail:
    zsys_error ("%s: cannot start", self->name);
    dh_service_destroy (&self);
    return NULL;
}

dh_service_t *
dh_service_new (dh_config_t *config)
{
    int why;
    return s_service_new (config, &why);
}

void
dh_service_destroy (dh_service_t **self_p)
{
    dh_service_t *self = *self_p;
    if (!self)
        return;
    dh_link_destroy (&self->link);
    zloop_destroy (&self->loop);
    zsock_destroy (&self->router);
    zsock_destroy (&self->publisher);
    dh_codec_destroy (&self->codec);
    dh_store_destroy (&self->store);
    if (self->ready_file)
        unlink (self->ready_file);
    free (self->ready_file);
    free (self->entries);
    free (self->answered);
    free (self->events);
    free (self->reply_buffer);
    free (self->name);
    free (self);
    *self_p = NULL;
}

void
dh_service_on (dh_service_t *self, uint32_t type, dh_handler_fn *fn, void *state, int flags)
{
    assert (type < S_MAX_TYPE);
    self->handlers [type] = (s_handler_t) { fn, state, flags };
}

int
dh_service_add_peer (dh_service_t *self, const char *peer)
{
    return dh_link_add_peer (self->link, peer, dh_config_get_for (self->config, peer, "api"));
}

int
dh_service_send (dh_service_t *self, dh_txn_t *txn, const char *peer, uint32_t type,
                 const char *actor, const void *payload, size_t size)
{
    return dh_link_enqueue (self->link, txn, peer, type, actor, payload, size);
}

int
dh_service_publish (dh_service_t *self, dh_txn_t *txn, uint32_t type,
                    const void *payload, size_t size)
{
    (void) txn;                 //  the seq reaches the store in s_prepare
    if (self->event_count == self->event_capacity) {
        size_t capacity = self->event_capacity? self->event_capacity * 2: 256;
        s_packed_t *events = realloc (self->events, capacity * sizeof *events);
        if (!events)
            return DH_E_NOMEM;
        self->events = events;
        self->event_capacity = capacity;
    }
    dh_event_t event = {
        .service = self->name, .seq = self->event_pending + 1, .type = type,
        .at = dh_clock_now (), .payload = payload, .payload_size = size
    };
    size_t packed_size = dh_event_size (&event);
    uint8_t *data = dh_codec_alloc (self->codec, packed_size);
    if (!data)
        return DH_E_NOMEM;
    dh_event_pack (&event, data);
    self->events [self->event_count++] = (s_packed_t) { data, packed_size };
    self->event_pending++;
    return 0;
}

int
dh_service_audit (dh_service_t *self, dh_txn_t *txn, const char *actor,
                  const char *command, const char *item)
{
    return dh_audit_append (txn, self->audit, &self->audit_head, actor, command, item, dh_clock_now ());
}

int
dh_service_layout (dh_service_t *self, uint32_t layout)
{
    static const char *key = "layout";
    dh_txn_t *txn;
    int rc = dh_txn_begin (self->store, true, &txn);
    if (rc)
        return rc;
    uint64_t stored = 0, audited = 0;
    dh_val_t value;
    rc = dh_txn_get (txn, self->table, key, strlen (key), &value);
    if (rc == 0 && value.size != 8)
        rc = DH_E_CORRUPT;
    else
    if (rc == 0)
        stored = dh_key_u64_read (value.data);
    else
    if (rc == DH_E_NOT_FOUND)
        //  Stores from before layouts were recorded hold layout 1; a new
        //  store has nothing in its audit chain yet.
        rc = dh_txn_count (txn, self->audit, &audited);
    if (!rc && stored == 0 && audited == 0) {
        uint8_t bytes [8];
        dh_key_u64 (bytes, layout);
        if (!(rc = dh_txn_put (txn, self->table, key, strlen (key), bytes, 8)))
            return dh_txn_commit (&txn);
    }
    dh_txn_abort (&txn);
    if (rc)
        return rc;
    if (stored == 0)
        stored = 1;
    if (stored != layout) {
        zsys_error ("%s: the store %s holds layout %" PRIu64 "; this program reads layout %u. Run the version that "
                    "wrote it, or move the store aside to start afresh (README: Upgrading)",
                    self->name, dh_config_get (self->config, "data"), stored, layout);
        return DH_E_LAYOUT;
    }
    return 0;
}

dh_dbi_t
dh_service_audit_dbi (dh_service_t *self)
{
    return self->audit;
}

void *
dh_service_scratch (dh_service_t *self, size_t size)
{
    return dh_codec_alloc (self->codec, size);
}

int
dh_call_fail (dh_call_t *call, int code, const char *format, ...)
{
    if (call->error_text) {
        va_list args;
        va_start (args, format);
        vsnprintf (call->error_text, S_ERROR_TEXT, format, args);
        va_end (args);
    }
    return code;
}

int
dh_call_reply (dh_call_t *call, const void *payload, size_t size)
{
    void *copy = dh_codec_alloc (call->service->codec, size? size: 1);
    if (!copy)
        return DH_E_NOMEM;
    if (size)
        memcpy (copy, payload, size);
    call->reply = copy;
    call->reply_size = size;
    return 0;
}

//  Run the handler of one message. *forced holds a refusal from an
//  earlier run of this batch, kept with its words instead of running the
//  handler again; a refusal after writing is recorded there and the
//  batch runs again without the message. Returns S_RERUN, a negative code
//  when the transaction failed, else 0 (*status says how it went).
static int
s_dispatch (dh_service_t *self, dh_txn_t *txn, const dh_envelope_t *envelope, int *forced,
            char *error_text, int *status, const void **reply, size_t *reply_size)
{
    *reply = NULL;
    *reply_size = 0;
    //  A link message refused in an earlier run still counts as applied,
    //  or its sender would resend it forever.
    if (*forced) {
        *status = *forced;
        return 0;
    }
    error_text [0] = 0;
    s_handler_t *handler = envelope->type < S_MAX_TYPE? &self->handlers [envelope->type]: NULL;
    int from = envelope->link? DH_FROM_LINK: DH_FROM_CLIENT;
    dh_call_t call = { self, txn, envelope, NULL, 0, error_text };
    uint64_t writes = dh_txn_writes (txn);
    if (!handler || !handler->fn)
        *status = dh_call_fail (&call, DH_E_UNKNOWN, "%s does not handle message type %u",
                                self->name, envelope->type);
    else
    if (!(handler->flags & from))
        *status = dh_call_fail (&call, DH_E_DENIED, "%s accepts %s only %s", self->name,
                                dh_type_name (envelope->type),
                                from == DH_FROM_LINK? "from clients": "from peer services");
    else
        *status = handler->fn (&call, handler->state);
    if (dh_txn_error (txn))
        return dh_txn_error (txn);
    if (*status && dh_txn_writes (txn) != writes) {
        *forced = *status;
        return S_RERUN;
    }
    if (*status && envelope->link)
        zsys_warning ("%s: %s from %s refused: %s (%s)", self->name, dh_type_name (envelope->type),
                      envelope->sender, error_text, dh_strerror (*status));
    *reply = call.reply;
    *reply_size = call.reply_size;
    return 0;
}

//  Apply one entry: a command, a link message, or a link batch (its
//  messages in order, under the batch's one seq). Returns S_RERUN when
//  the batch must run again without a message, a negative code when the
//  transaction failed, else 0.
static int
s_apply (dh_service_t *self, dh_txn_t *txn, s_entry_t *entry)
{
    entry->reply = NULL;
    entry->reply_size = 0;
    if (entry->decode_rc) {
        entry->status = entry->decode_rc;
        return 0;
    }
    const dh_envelope_t *envelope = &entry->envelope;
    entry->answer = !envelope->link;
    if (envelope->link) {
        int accepted = dh_link_accept (self->link, txn, envelope, entry->rid, entry->rid_size);
        if (accepted < 0 && accepted != DH_E_RANGE)
            zsys_warning ("%s: link message from %s refused: %s",
                          self->name, envelope->sender, dh_strerror (accepted));
        if (accepted <= 0)
            return 0;           //  duplicate (acknowledged again) or out of order
    }
    if (!entry->inner)
        return s_dispatch (self, txn, envelope, &entry->forced_rc, entry->error_text,
                           &entry->status, &entry->reply, &entry->reply_size);
    entry->status = 0;
    for (size_t i = 0; i < entry->inner_count; i++) {
        int status;
        const void *reply;
        size_t reply_size;
        int rc = s_dispatch (self, txn, &entry->inner [i], &entry->inner_forced [i], entry->error_text,
                             &status, &reply, &reply_size);
        if (rc)
            return rc;
    }
    return 0;
}

static int
s_prepare (dh_service_t *self, dh_txn_t *txn)
{
    int rc = dh_link_prepare (self->link, txn);
    if (!rc && self->event_pending != self->event_seq) {
        uint8_t bytes [8];
        dh_key_u64 (bytes, self->event_pending);
        rc = dh_txn_put (txn, self->table, s_event_seq_key, strlen (s_event_seq_key), bytes, 8);
    }
    return rc;
}

static void
s_rollback (dh_service_t *self)
{
    dh_link_aborted (self->link);
    self->audit_head.seq = 0;
    self->event_pending = self->event_seq;
    self->event_count = 0;
}

static void
s_send_reply (dh_service_t *self, s_entry_t *entry)
{
    dh_reply_t reply = {
        .sender = self->name, .seq = entry->decode_rc? 0: entry->envelope.seq,
        .status = entry->status,
        .error_name = entry->status? dh_errname (entry->status): "",
        .error_text = entry->status? (entry->error_text [0]? entry->error_text: dh_strerror (entry->status)): "",
        .payload = entry->reply, .payload_size = entry->reply_size
    };
    size_t size = dh_reply_size (&reply);
    if (size > self->reply_capacity) {
        free (self->reply_buffer);
        self->reply_capacity = size * 2;
        self->reply_buffer = malloc (self->reply_capacity);
    }
    dh_reply_pack (&reply, self->reply_buffer);
    void *router = zsock_resolve (self->router);
    if (zmq_send (router, entry->rid, entry->rid_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
        zmq_send (router, self->reply_buffer, size, ZMQ_DONTWAIT);
}

static int
s_rid_compare (const void *a, const void *b)
{
    const s_rid_t *left = a, *right = b;
    if (left->size != right->size)
        return left->size < right->size? -1: 1;
    return memcmp (left->rid, right->rid, left->size);
}

static void
s_remember_answered (dh_service_t *self, const s_entry_t *entries, size_t count)
{
    self->answered_count = 0;
    for (size_t i = 0; i < count; i++)
        if (entries [i].answer) {
            s_rid_t *answered = &self->answered [self->answered_count++];
            answered->size = entries [i].rid_size;
            memcpy (answered->rid, entries [i].rid, entries [i].rid_size);
        }
    qsort (self->answered, self->answered_count, sizeof (s_rid_t), s_rid_compare);
}

//  bsearch's key is the entry itself: no copy of its routing id per message.
static int
s_entry_rid_compare (const void *key, const void *element)
{
    const s_entry_t *entry = key;
    const s_rid_t *answered = element;
    if (entry->rid_size != answered->size)
        return entry->rid_size < answered->size? -1: 1;
    return memcmp (entry->rid, answered->rid, entry->rid_size);
}

static bool
s_was_answered (dh_service_t *self, const s_entry_t *entry)
{
    return bsearch (entry, self->answered, self->answered_count, sizeof (s_rid_t), s_entry_rid_compare);
}

//  Wait until the socket has a message or the deadline passes. zmq_poll
//  counts in milliseconds; a linger is a fraction of one, so wait on the
//  socket's descriptor, which signals a change of ZMQ_EVENTS.
static bool
s_wait_readable (zsock_t *reader, int64_t until_us)
{
    int fd = zsock_fd (reader);
    for (;;) {
        if (zsock_events (reader) & ZMQ_POLLIN)
            return true;
        int64_t left = until_us - zclock_usecs ();
        if (left <= 0)
            return false;
        struct pollfd wait = { .fd = fd, .events = POLLIN };
        struct timespec timeout = { left / 1000000, (left % 1000000) * 1000 };
        ppoll (&wait, 1, &timeout, NULL);
    }
}

static int
s_begin (dh_service_t *self, dh_txn_t **txn)
{
    int rc = dh_txn_begin (self->store, true, txn);
    if (!rc && (rc = dh_link_begin (self->link, *txn)))
        dh_txn_abort (txn);
    return rc;
}

//  The group commit: apply entries (and work) in one transaction, commit
//  once, then reply, acknowledge and publish. The caller may hand over a
//  transaction in which the first `applied` entries already ran; a rerun
//  starts a fresh one.
static int
s_cycle (dh_service_t *self, s_entry_t *entries, size_t count, dh_work_fn *work, void *arg,
         dh_txn_t *open, size_t applied)
{
    int rc;
    int64_t started = zclock_usecs (), committing = started;
    for (;;) {
        dh_txn_t *txn = open;
        size_t first = applied;
        open = NULL;
        applied = 0;
        if (!txn) {
            first = 0;
            if ((rc = s_begin (self, &txn)))
                break;
        }
        rc = 0;
        for (size_t i = first; i < count && !rc; i++)
            rc = s_apply (self, txn, &entries [i]);
        if (!rc && work)
            rc = work (self, txn, arg);
        if (!rc)
            rc = dh_txn_error (txn);
        if (!rc)
            rc = s_prepare (self, txn);
        if (rc == S_RERUN) {
            dh_txn_abort (&txn);
            s_rollback (self);
            continue;           //  an entry is now forced to fail
        }
        committing = zclock_usecs ();
        rc = rc? (dh_txn_abort (&txn), rc): dh_txn_commit (&txn);
        if (rc == 0)
            break;
        s_rollback (self);
        if (rc == DH_E_FULL && dh_store_grow (self->store) == 0)
            continue;
        break;
    }
    if (rc) {
        zsys_error ("%s: batch of %zu not applied: %s", self->name, count, dh_strerror (rc));
        for (size_t i = 0; i < count; i++) {
            entries [i].status = rc;
            entries [i].reply_size = 0;
            snprintf (entries [i].error_text, S_ERROR_TEXT, "%s: %s", self->name, dh_strerror (rc));
        }
    }
    else {
        int64_t committed = zclock_usecs ();
        self->apply_us += committing - started;
        self->commit_us += committed - committing;
        self->event_seq = self->event_pending;
        if (self->on_commit)
            self->on_commit (self, self->on_commit_arg);
        dh_link_committed (self->link);
        void *publisher = zsock_resolve (self->publisher);
        for (size_t i = 0; i < self->event_count; i++)
            zmq_send (publisher, self->events [i].data, self->events [i].size, ZMQ_DONTWAIT);
        self->event_count = 0;
        self->batches++;
        for (size_t i = 0; i < count; i++)
            self->messages += entries [i].inner? entries [i].inner_count: 1;
    }
    for (size_t i = 0; i < count; i++)
        if (entries [i].answer)
            s_send_reply (self, &entries [i]);
    if (entries)
        s_remember_answered (self, entries, count);
    dh_codec_reset (self->codec);
    return rc;
}

void
dh_service_on_commit (dh_service_t *self, dh_commit_fn *fn, void *arg)
{
    self->on_commit = fn;
    self->on_commit_arg = arg;
}

int
dh_service_transact (dh_service_t *self, dh_work_fn *work, void *arg)
{
    return s_cycle (self, NULL, 0, work, arg, NULL, 0);
}

//  Take one message off the api socket into entry; false when none is ready.
static bool
s_receive (dh_service_t *self, zsock_t *reader, zmq_msg_t *frame, s_entry_t *entry)
{
    void *socket = zsock_resolve (reader);
    int size = zmq_recv (socket, entry->rid, S_RID_MAX, ZMQ_DONTWAIT);
    if (size < 0)
        return false;
    entry->rid_size = size > S_RID_MAX? S_RID_MAX: size;
    entry->decode_rc = entry->forced_rc = 0;
    entry->answer = true;
    entry->status = 0;
    if (!zsock_rcvmore (reader) || zmq_msg_recv (frame, socket, 0) < 0) {
        entry->decode_rc = DH_E_MALFORMED;
        return true;
    }
    entry->decode_rc = dh_codec_decode_envelope (self->codec, zmq_msg_data (frame),
                                                 zmq_msg_size (frame), &entry->envelope);
    while (zsock_rcvmore (reader)) {
        entry->decode_rc = DH_E_MALFORMED;
        zmq_msg_recv (frame, socket, 0);
    }
    entry->inner = NULL;
    entry->inner_count = 0;
    if (!entry->decode_rc && entry->envelope.link && entry->envelope.type == DH_MSG_LINK_BATCH) {
        entry->decode_rc = dh_codec_decode_batch (self->codec, entry->envelope.payload,
                                                  entry->envelope.payload_size, entry->envelope.sender,
                                                  &entry->inner, &entry->inner_count);
        if (!entry->decode_rc) {
            entry->inner_forced = dh_codec_alloc (self->codec, entry->inner_count * sizeof (int));
            if (entry->inner_forced)
                memset (entry->inner_forced, 0, entry->inner_count * sizeof (int));
            else
                entry->decode_rc = DH_E_NOMEM;
        }
    }
    if (entry->decode_rc)
        snprintf (entry->error_text, S_ERROR_TEXT, "%s: bad envelope (%zu bytes): %s", self->name,
                  zmq_msg_size (frame), dh_strerror (entry->decode_rc));
    return true;
}

//  Drain what is ready (up to the batch limit) and apply it as one batch.
//  Entries are applied as they arrive, so the time spent waiting for the
//  senders the last commit answered is not lost: the batch is ready to
//  commit as soon as the last of them is in.
static int
s_handle_api (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    dh_service_t *self = arg;
    size_t count = 0, returned = 0, applied = 0;
    //  The linger counts only time spent waiting: applying what came
    //  first must not use up the wait for those still on their way.
    int64_t waited = 0;
    dh_txn_t *txn = NULL;
    bool applying = true;
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    while (count < self->batch_limit) {
        s_entry_t *entry = &self->entries [count];
        if (!s_receive (self, reader, &frame, entry)) {
            //  Wait while the answered senders keep coming back; a pause
            //  says the rest went elsewhere.
            if (returned < self->answered_count && waited < self->linger_us) {
                int64_t waiting = zclock_usecs ();
                int64_t wait = self->linger_us - waited;
                if (wait > self->linger_gap_us)
                    wait = self->linger_gap_us;
                bool readable = s_wait_readable (reader, waiting + wait);
                int64_t spent = zclock_usecs () - waiting;
                waited += spent;
                self->lingered_us += spent;
                if (readable)
                    continue;
            }
            break;
        }
        count++;
        int64_t arrived = zclock_usecs ();
        if (s_was_answered (self, entry))
            returned++;
        if (!applying)
            continue;
        int rc = txn? 0: s_begin (self, &txn);
        if (!rc)
            rc = s_apply (self, txn, entry);
        self->apply_us += zclock_usecs () - arrived;
        if (rc) {
            //  A rerun or a store error: s_cycle starts over with a fresh
            //  transaction and handles it as for any batch.
            if (txn) {
                dh_txn_abort (&txn);
                s_rollback (self);
            }
            applying = false;
        }
        else
            applied = count;
    }
    zmq_msg_close (&frame);
    if (count)              //  a transaction is open only once something came
        s_cycle (self, self->entries, count, NULL, NULL, txn, applied);
    return 0;
}

static int
s_noop (dh_service_t *service, dh_txn_t *txn, void *arg)
{
    (void) service;
    (void) txn;
    (void) arg;
    return 0;
}

//  Acknowledged outbox entries are deleted by the next transaction; when
//  none comes, run an empty one so the outbox does not keep them.
static int
s_handle_housekeeping (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    dh_service_t *self = arg;
    if (dh_link_has_garbage (self->link))
        dh_service_transact (self, s_noop, NULL);
    return 0;
}

int
dh_service_run (dh_service_t *self)
{
    FILE *ready = fopen (self->ready_file, "w");
    if (ready) {
        fprintf (ready, "pid=%d\napi=%s\nevents=%s\n", getpid (),
                 dh_config_get (self->config, "api"), dh_config_get (self->config, "events"));
        fclose (ready);
    }
    else
        zsys_warning ("%s: cannot write ready file %s", self->name, self->ready_file);
    zsys_info ("%s: ready, api %s, events %s, store %s, event seq %" PRIu64, self->name,
               dh_config_get (self->config, "api"), dh_config_get (self->config, "events"),
               dh_store_path (self->store), self->event_seq);
    zloop_start (self->loop);
    zsys_info ("%s: stopping after %" PRIu64 " batches, %" PRIu64 " messages; "
               "per batch %.0f us applying, %.0f us committing, %.0f us lingering",
               self->name, self->batches, self->messages,
               self->batches? (double) self->apply_us / self->batches: 0.0,
               self->batches? (double) self->commit_us / self->batches: 0.0,
               self->batches? (double) self->lingered_us / self->batches: 0.0);
    return 0;
}

dh_store_t *
dh_service_store (dh_service_t *self)
{
    return self->store;
}

zloop_t *
dh_service_loop (dh_service_t *self)
{
    return self->loop;
}

dh_config_t *
dh_service_config (dh_service_t *self)
{
    return self->config;
}

const char *
dh_service_name (dh_service_t *self)
{
    return self->name;
}

void
dh_service_stats (dh_service_t *self, dh_service_stats_t *stats)
{
    stats->event_seq = self->event_seq;
    stats->batches = self->batches;
    stats->apply_us = self->apply_us;
    stats->commit_us = self->commit_us;
    stats->linger_us = self->lingered_us;
    stats->messages = self->messages;
}

struct _dh_link_t *
dh_service_link (dh_service_t *self)
{
    return self->link;
}

int
dh_service_main (const char *name, const char *usage, int argc, char **argv,
                 const dh_config_key_t *keys, dh_setup_fn *setup, void *state)
{
    char *ident = zsys_sprintf ("dunghan-%s", name);
    zsys_set_logident (ident);
    zsys_set_logstream (stderr);
    dh_config_t *config;
    int rc = dh_config_load (name, usage, argc, argv, keys, &config);
    if (rc == DH_CONFIG_HELP) {
        free (ident);
        return 0;
    }
    if (rc) {
        free (ident);
        return DH_EXIT_CONFIG;
    }
    int status = 0, why;
    dh_service_t *service = s_service_new (config, &why);
    if (!service)
        status = why == DH_E_CONFIG? DH_EXIT_CONFIG: 1;     //  s_service_new said why
    else
    if ((rc = setup (service, state))) {
        zsys_error ("%s: setup failed: %s", name, dh_strerror (rc));
        status = rc == DH_E_CONFIG || rc == DH_E_LAYOUT? DH_EXIT_CONFIG: 1;
    }
    else
        dh_service_run (service);
    dh_service_destroy (&service);
    dh_config_destroy (&config);
    free (ident);
    return status;
}
