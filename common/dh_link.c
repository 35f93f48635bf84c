#include "dh_clock.h"
#include "dh_error.h"
#include "dh_link.h"
#include "dh_types.h"

#define S_MAX_PEERS   16
#define S_MAX_SENDERS 64

typedef struct {
    dh_link_t *link;
    char name [DH_NAME_MAX + 1];
    char counter_key [DH_NAME_MAX + 8];     //  "out:<peer>" in the link table
    zsock_t *dealer;
    zsock_t *monitor;
    dh_dbi_t outbox;
    uint64_t last_seq;          //  highest seq committed to the outbox
    uint64_t pending_seq;       //  highest seq written by the open transaction
    uint64_t acked;             //  the peer applied everything up to here
    uint64_t deleted;           //  outbox entries up to here are gone (committed)
    uint64_t pending_deleted;   //  ... or deleted by the open transaction
    uint64_t sent;              //  highest seq handed to ZeroMQ
    int64_t progress_at;        //  monotonic ms of the last ack progress or first send
    uint64_t messages_out;      //  link messages committed to the outbox since start
    uint64_t pending_messages;  //  ... written by the open transaction
    //  The open transaction's messages for this peer, packed as one
    //  batch: they become one outbox entry, one send, one acknowledgement.
    uint8_t *batch;
    size_t batch_size, batch_capacity;
} s_peer_t;

typedef struct {
    char name [DH_NAME_MAX + 1];
    char counter_key [DH_NAME_MAX + 8];     //  "in:<sender>"
    uint64_t applied;           //  committed high-water mark
    uint64_t pending;           //  high-water mark in the open transaction
    bool ack_due;
    uint8_t rid [256];
    size_t rid_size;
} s_sender_t;

struct _dh_link_t {
    char *name;
    dh_auth_t *auth;
    dh_store_t *store;
    dh_dbi_t table;             //  counters and high-water marks
    zsock_t *router;
    zloop_t *loop;
    int timer_id;
    dh_link_options_t options;
    s_peer_t *peers [S_MAX_PEERS];
    size_t peer_count;
    s_sender_t *senders [S_MAX_SENDERS];
    size_t sender_count;
    uint8_t *ack_buffer;
};

static int s_handle_tick (zloop_t *loop, int timer_id, void *arg);
static void s_pump (s_peer_t *peer);

dh_link_t *
dh_link_new (const char *name, dh_auth_t *auth, dh_store_t *store, zsock_t *router,
             zloop_t *loop, const dh_link_options_t *options)
{
    dh_link_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->name = strdup (name);
    self->auth = auth;
    self->store = store;
    self->router = router;
    self->loop = loop;
    self->options = *options;
    self->ack_buffer = malloc (256);
    if (dh_store_dbi (store, "link", &self->table)) {
        dh_link_destroy (&self);
        return NULL;
    }
    int64_t tick = self->options.resend_ms / 4;
    self->timer_id = zloop_timer (loop, tick < 10? 10: (size_t) tick, 0, s_handle_tick, self);
    return self;
}

void
dh_link_destroy (dh_link_t **self_p)
{
    dh_link_t *self = *self_p;
    if (!self)
        return;
    if (self->timer_id > 0)
        zloop_timer_end (self->loop, self->timer_id);
    for (size_t i = 0; i < self->peer_count; i++) {
        s_peer_t *peer = self->peers [i];
        zloop_reader_end (self->loop, peer->dealer);
        if (peer->monitor) {
            zloop_reader_end (self->loop, peer->monitor);
            zmq_socket_monitor (zsock_resolve (peer->dealer), NULL, 0);
            zsock_destroy (&peer->monitor);
        }
        zsock_destroy (&peer->dealer);
        free (peer->batch);
        free (peer);
    }
    for (size_t i = 0; i < self->sender_count; i++)
        free (self->senders [i]);
    free (self->ack_buffer);
    free (self->name);
    free (self);
    *self_p = NULL;
}

static int
s_read_counter (dh_txn_t *txn, dh_dbi_t table, const char *key, uint64_t *value)
{
    dh_val_t stored;
    int rc = dh_txn_get (txn, table, key, strlen (key), &stored);
    if (rc == DH_E_NOT_FOUND) {
        *value = 0;
        return 0;
    }
    if (rc)
        return rc;
    if (stored.size != 8)
        return DH_E_CORRUPT;
    *value = dh_key_u64_read (stored.data);
    return 0;
}

static int
s_write_counter (dh_txn_t *txn, dh_dbi_t table, const char *key, uint64_t value)
{
    uint8_t bytes [8];
    dh_key_u64 (bytes, value);
    return dh_txn_put (txn, table, key, strlen (key), bytes, 8);
}

static s_peer_t *
s_peer (dh_link_t *self, const char *name)
{
    for (size_t i = 0; i < self->peer_count; i++)
        if (!strcmp (self->peers [i]->name, name))
            return self->peers [i];
    return NULL;
}

bool
dh_link_has_peer (dh_link_t *self, const char *peer)
{
    return s_peer (self, peer) != NULL;
}

//  Go back to the last acknowledged entry: whatever ZeroMQ held in flight
//  may be gone, and the receiver drops anything after a gap.
static void
s_rewind (s_peer_t *peer, const char *why)
{
    if (peer->sent > peer->acked)
        zsys_info ("link: %s -> %s: %s, resending from seq %" PRIu64,
                   peer->link->name, peer->name, why, peer->acked + 1);
    peer->sent = peer->acked;
    peer->progress_at = zclock_mono ();
}

static int
s_handle_ack (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    s_peer_t *peer = arg;
    dh_codec_t *codec = dh_codec_new (peer->link->options.max_message);
    void *socket = zsock_resolve (reader);
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    while (zmq_msg_recv (&frame, socket, ZMQ_DONTWAIT) >= 0) {
        dh_reply_t reply;
        int rc = dh_codec_decode_reply (codec, zmq_msg_data (&frame), zmq_msg_size (&frame), &reply);
        if (rc)
            zsys_warning ("link: bad acknowledgement from %s: %s", peer->name, dh_strerror (rc));
        else
        if (reply.status)
            zsys_warning ("link: %s refused seq %" PRIu64 ": %s %s", peer->name,
                          reply.seq, reply.error_name, reply.error_text);
        else
        if (reply.seq > peer->last_seq)
            zsys_warning ("link: %s acknowledged seq %" PRIu64 " but only %" PRIu64
                          " was ever written (store replaced?)", peer->name, reply.seq, peer->last_seq);
        else
        if (reply.seq > peer->acked) {
            peer->acked = reply.seq;
            peer->progress_at = zclock_mono ();
            if (peer->sent < peer->acked)
                peer->sent = peer->acked;
        }
        dh_codec_reset (codec);
    }
    zmq_msg_close (&frame);
    dh_codec_destroy (&codec);
    s_pump (peer);
    return 0;
}

static int
s_handle_monitor (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    s_peer_t *peer = arg;
    zmsg_t *msg = zmsg_recv (reader);
    zframe_t *frame = msg? zmsg_first (msg): NULL;
    if (frame && zframe_size (frame) >= 2) {
        uint16_t event;
        memcpy (&event, zframe_data (frame), 2);
        if (event == ZMQ_EVENT_CONNECTED) {
            s_rewind (peer, "connected");
            s_pump (peer);
        }
        else
        if (event == ZMQ_EVENT_DISCONNECTED)
            zsys_info ("link: %s -> %s: disconnected", peer->link->name, peer->name);
    }
    zmsg_destroy (&msg);
    return 0;
}

int
dh_link_add_peer (dh_link_t *self, const char *name, const char *endpoint)
{
    if (strlen (name) > DH_NAME_MAX || !*name)
        return DH_E_INVALID;
    if (s_peer (self, name))
        return DH_E_EXISTS;
    if (self->peer_count == S_MAX_PEERS)
        return DH_E_FULL;
    s_peer_t *peer = calloc (1, sizeof *peer);
    if (!peer)
        return DH_E_NOMEM;
    peer->link = self;
    snprintf (peer->name, sizeof peer->name, "%s", name);
    snprintf (peer->counter_key, sizeof peer->counter_key, "out:%s", name);
    char *outbox_name = zsys_sprintf ("outbox:%s", name);
    int rc = dh_store_dbi (self->store, outbox_name, &peer->outbox);
    free (outbox_name);
    dh_txn_t *txn = NULL;
    if (rc || (rc = dh_txn_begin (self->store, false, &txn)))
        goto fail;
    if ((rc = s_read_counter (txn, self->table, peer->counter_key, &peer->last_seq)))
        goto fail;
    //  Entries still in the outbox are not known to be applied.
    dh_cursor_t *cursor;
    if ((rc = dh_cursor_open (txn, peer->outbox, &cursor)))
        goto fail;
    dh_val_t key;
    if (dh_cursor_first (cursor, &key, NULL) == 0 && key.size == 8)
        peer->acked = dh_key_u64_read (key.data) - 1;
    else
        peer->acked = peer->last_seq;
    dh_cursor_close (&cursor);
    dh_txn_abort (&txn);
    peer->pending_seq = peer->last_seq;
    peer->deleted = peer->pending_deleted = peer->acked;
    peer->sent = peer->acked;

    peer->dealer = zsock_new (ZMQ_DEALER);
    if (!peer->dealer) {
        rc = DH_E_IO;
        goto fail;
    }
    int hwm = (int) self->options.window + 1000;
    zsock_set_sndhwm (peer->dealer, hwm);
    zsock_set_rcvhwm (peer->dealer, hwm);
    zsock_set_linger (peer->dealer, 0);
    zsock_set_reconnect_ivl (peer->dealer, 100);
    zsock_set_reconnect_ivl_max (peer->dealer, 2000);
    //  Acknowledgements count only from the peer itself: the server key
    //  proves it.
    if ((rc = dh_auth_client (self->auth, peer->dealer, name))) {
        zsock_destroy (&peer->dealer);
        goto fail;
    }
    char *monitor_endpoint = zsys_sprintf ("inproc://dh-link-monitor-%s-%p", name, (void *) peer);
    zmq_socket_monitor (zsock_resolve (peer->dealer), monitor_endpoint,
                        ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED);
    peer->monitor = zsock_new (ZMQ_PAIR);
    if (peer->monitor)
        zsock_connect (peer->monitor, "%s", monitor_endpoint);
    free (monitor_endpoint);
    if (!peer->monitor || zsock_connect (peer->dealer, "%s", endpoint) != 0) {
        zsys_error ("link: %s cannot connect to %s at %s", self->name, name, endpoint);
        zsock_destroy (&peer->monitor);
        zsock_destroy (&peer->dealer);
        rc = DH_E_IO;
        goto fail;
    }
    zloop_reader (self->loop, peer->dealer, s_handle_ack, peer);
    zloop_reader (self->loop, peer->monitor, s_handle_monitor, peer);
    self->peers [self->peer_count++] = peer;
    zsys_info ("link: %s -> %s at %s, outbox seq %" PRIu64 ", unacknowledged %" PRIu64,
               self->name, name, endpoint, peer->last_seq, peer->last_seq - peer->acked);
    return 0;
fail:
    dh_txn_abort (&txn);
    free (peer);
    return rc;
}

int
dh_link_begin (dh_link_t *self, dh_txn_t *txn)
{
    for (size_t i = 0; i < self->peer_count; i++) {
        s_peer_t *peer = self->peers [i];
        if (peer->acked <= peer->deleted)
            continue;
        dh_cursor_t *cursor;
        int rc = dh_cursor_open (txn, peer->outbox, &cursor);
        if (rc)
            return rc;
        uint8_t start [8];
        dh_key_u64 (start, peer->deleted + 1);
        dh_val_t key;
        rc = dh_cursor_seek (cursor, start, 8, &key, NULL);
        while (rc == 0 && dh_key_u64_read (key.data) <= peer->acked) {
            if ((rc = dh_cursor_del (cursor)))
                break;
            //  LMDB leaves the cursor so that NEXT gives the entry after
            //  the deleted one.
            rc = dh_cursor_next (cursor, &key, NULL);
        }
        dh_cursor_close (&cursor);
        if (rc && rc != DH_E_NOT_FOUND)
            return rc;
        peer->pending_deleted = peer->acked;
    }
    return 0;
}

//  Room for the batch's own envelope around its messages.
#define S_BATCH_OVERHEAD 256

//  Write the peer's open batch to its outbox as the next entry.
static int
s_flush_batch (dh_link_t *self, s_peer_t *peer, dh_txn_t *txn)
{
    if (peer->batch_size == 0)
        return 0;
    dh_envelope_t envelope = {
        .sender = self->name, .seq = peer->pending_seq + 1, .type = DH_MSG_LINK_BATCH,
        .sent_at = dh_clock_now (), .actor = "",
        .payload = peer->batch, .payload_size = peer->batch_size, .link = true
    };
    size_t packed_size = dh_envelope_size (&envelope);
    uint8_t key [8];
    dh_key_u64 (key, envelope.seq);
    void *data;
    int rc = dh_txn_reserve (txn, peer->outbox, key, 8, packed_size, true, &data);
    if (rc)
        return rc;
    dh_envelope_pack (&envelope, data);
    peer->pending_seq = envelope.seq;
    peer->batch_size = 0;
    return 0;
}

int
dh_link_enqueue (dh_link_t *self, dh_txn_t *txn, const char *peer_name, uint32_t type,
                 const char *actor, const void *payload, size_t size)
{
    s_peer_t *peer = s_peer (self, peer_name);
    if (!peer)
        return DH_E_NOT_FOUND;
    dh_envelope_t envelope = {
        .sender = self->name, .type = type, .sent_at = dh_clock_now (), .actor = actor,
        .payload = payload, .payload_size = size, .link = true
    };
    size_t item_size = dh_batch_item_size (&envelope);
    if (item_size + S_BATCH_OVERHEAD > self->options.max_message)
        return DH_E_TOO_BIG;
    int rc;
    if (peer->batch_size + item_size + S_BATCH_OVERHEAD > self->options.max_message
    &&  (rc = s_flush_batch (self, peer, txn)))
        return rc;
    if (peer->batch_size + item_size > peer->batch_capacity) {
        size_t capacity = (peer->batch_size + item_size) * 2;
        uint8_t *batch = realloc (peer->batch, capacity);
        if (!batch)
            return DH_E_NOMEM;
        peer->batch = batch;
        peer->batch_capacity = capacity;
    }
    peer->batch_size += dh_batch_item_pack (&envelope, peer->batch + peer->batch_size);
    peer->pending_messages++;
    return 0;
}

static s_sender_t *
s_sender (dh_link_t *self, dh_txn_t *txn, const char *name, int *rc)
{
    for (size_t i = 0; i < self->sender_count; i++)
        if (!strcmp (self->senders [i]->name, name))
            return self->senders [i];
    if (self->sender_count == S_MAX_SENDERS) {
        *rc = DH_E_FULL;
        return NULL;
    }
    s_sender_t *sender = calloc (1, sizeof *sender);
    if (!sender) {
        *rc = DH_E_NOMEM;
        return NULL;
    }
    snprintf (sender->name, sizeof sender->name, "%s", name);
    snprintf (sender->counter_key, sizeof sender->counter_key, "in:%s", name);
    //  Read inside the open transaction: it sees exactly the committed mark.
    if ((*rc = s_read_counter (txn, self->table, sender->counter_key, &sender->applied))) {
        free (sender);
        return NULL;
    }
    sender->pending = sender->applied;
    self->senders [self->sender_count++] = sender;
    return sender;
}

int
dh_link_accept (dh_link_t *self, dh_txn_t *txn, const dh_envelope_t *envelope,
                const void *rid, size_t rid_size)
{
    int rc = 0;
    s_sender_t *sender = s_sender (self, txn, envelope->sender, &rc);
    if (!sender)
        return rc;
    if (envelope->seq > sender->pending + 1)
        return DH_E_RANGE;
    if (rid_size <= sizeof sender->rid) {
        memcpy (sender->rid, rid, rid_size);
        sender->rid_size = rid_size;
    }
    sender->ack_due = true;
    if (envelope->seq <= sender->pending)
        return 0;
    sender->pending = envelope->seq;
    return 1;
}

int
dh_link_prepare (dh_link_t *self, dh_txn_t *txn)
{
    int rc = 0;
    for (size_t i = 0; i < self->peer_count && !rc; i++) {
        s_peer_t *peer = self->peers [i];
        rc = s_flush_batch (self, peer, txn);
        if (!rc && peer->pending_seq != peer->last_seq)
            rc = s_write_counter (txn, self->table, peer->counter_key, peer->pending_seq);
    }
    for (size_t i = 0; i < self->sender_count && !rc; i++) {
        s_sender_t *sender = self->senders [i];
        if (sender->pending != sender->applied)
            rc = s_write_counter (txn, self->table, sender->counter_key, sender->pending);
    }
    return rc;
}

static void
s_send_ack (dh_link_t *self, s_sender_t *sender)
{
    dh_reply_t reply = { .sender = self->name, .seq = sender->applied };
    size_t size = dh_reply_pack (&reply, self->ack_buffer);
    void *router = zsock_resolve (self->router);
    if (zmq_send (router, sender->rid, sender->rid_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
        zmq_send (router, self->ack_buffer, size, ZMQ_DONTWAIT);
}

void
dh_link_committed (dh_link_t *self)
{
    for (size_t i = 0; i < self->sender_count; i++) {
        s_sender_t *sender = self->senders [i];
        sender->applied = sender->pending;
        if (sender->ack_due) {
            s_send_ack (self, sender);
            sender->ack_due = false;
        }
    }
    for (size_t i = 0; i < self->peer_count; i++) {
        s_peer_t *peer = self->peers [i];
        peer->last_seq = peer->pending_seq;
        peer->deleted = peer->pending_deleted;
        peer->messages_out += peer->pending_messages;
        peer->pending_messages = 0;
        s_pump (peer);
    }
}

void
dh_link_aborted (dh_link_t *self)
{
    for (size_t i = 0; i < self->sender_count; i++) {
        self->senders [i]->pending = self->senders [i]->applied;
        self->senders [i]->ack_due = false;
    }
    for (size_t i = 0; i < self->peer_count; i++) {
        self->peers [i]->pending_seq = self->peers [i]->last_seq;
        self->peers [i]->pending_deleted = self->peers [i]->deleted;
        self->peers [i]->batch_size = 0;
        self->peers [i]->pending_messages = 0;
    }
}

bool
dh_link_has_garbage (dh_link_t *self)
{
    for (size_t i = 0; i < self->peer_count; i++)
        if (self->peers [i]->acked > self->peers [i]->deleted)
            return true;
    return false;
}

bool
dh_link_peer_status (dh_link_t *self, size_t index, const char **peer,
                     uint64_t *last_seq, uint64_t *acked_seq, uint64_t *sent_seq)
{
    if (index >= self->peer_count)
        return false;
    *peer = self->peers [index]->name;
    *last_seq = self->peers [index]->last_seq;
    *acked_seq = self->peers [index]->acked;
    *sent_seq = self->peers [index]->sent;
    return true;
}

uint64_t
dh_link_messages_out (dh_link_t *self, size_t index)
{
    return index < self->peer_count? self->peers [index]->messages_out: 0;
}

//  The oldest entry waiting is the one after the last acknowledged: its
//  envelope says when it was written. Read at STATUS, never on the
//  commit path, and right after a restart too.
int
dh_link_peer_oldest (dh_link_t *self, dh_txn_t *txn, size_t index, int64_t *sent_at)
{
    *sent_at = 0;
    if (index >= self->peer_count)
        return DH_E_NOT_FOUND;
    s_peer_t *peer = self->peers [index];
    if (peer->acked >= peer->last_seq)
        return 0;
    uint8_t key [8];
    dh_key_u64 (key, peer->acked + 1);
    dh_val_t value;
    int rc = dh_txn_get (txn, peer->outbox, key, 8, &value);
    if (rc)
        return rc == DH_E_NOT_FOUND? 0: rc;
    dh_codec_t *codec = dh_codec_new (value.size);
    if (!codec)
        return DH_E_NOMEM;
    dh_envelope_t envelope;
    rc = dh_codec_decode_envelope (codec, value.data, value.size, &envelope);
    if (!rc)
        *sent_at = envelope.sent_at;
    dh_codec_destroy (&codec);
    return rc;
}

//  Send committed outbox entries, in order, while the window allows.
static void
s_pump (s_peer_t *peer)
{
    dh_link_t *self = peer->link;
    if (peer->sent >= peer->last_seq || peer->sent - peer->acked >= self->options.window)
        return;
    dh_txn_t *txn;
    if (dh_txn_begin (self->store, false, &txn))
        return;
    dh_cursor_t *cursor;
    if (dh_cursor_open (txn, peer->outbox, &cursor) == 0) {
        if (peer->sent == peer->acked)
            peer->progress_at = zclock_mono ();
        void *socket = zsock_resolve (peer->dealer);
        uint8_t start [8];
        dh_key_u64 (start, peer->sent + 1);
        dh_val_t key, value;
        int rc = dh_cursor_seek (cursor, start, 8, &key, &value);
        while (rc == 0 && key.size == 8) {
            uint64_t seq = dh_key_u64_read (key.data);
            if (seq > peer->last_seq || peer->sent - peer->acked >= self->options.window)
                break;
            if (zmq_send (socket, value.data, value.size, ZMQ_DONTWAIT) < 0)
                break;          //  queue full: the tick or the next ack resumes
            peer->sent = seq;
            rc = dh_cursor_next (cursor, &key, &value);
        }
        dh_cursor_close (&cursor);
    }
    dh_txn_abort (&txn);
}

static int
s_handle_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    dh_link_t *self = arg;
    int64_t now = zclock_mono ();
    for (size_t i = 0; i < self->peer_count; i++) {
        s_peer_t *peer = self->peers [i];
        if (peer->sent > peer->acked && now - peer->progress_at > self->options.resend_ms)
            s_rewind (peer, "no acknowledgement in time");
        s_pump (peer);
    }
    return 0;
}
