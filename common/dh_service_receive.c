//  Receiving a batch: drain the api socket up to batch_limit, applying
//  each message as it comes, and linger for the senders the last commit
//  answered so they share the next one.
#include <poll.h>
#include "dh_error.h"
#include "dh_service_private.h"
#include "dh_types.h"

static int
s_rid_compare (const void *a, const void *b)
{
    const s_rid_t *left = a, *right = b;
    if (left->size != right->size)
        return left->size < right->size? -1: 1;
    return memcmp (left->rid, right->rid, left->size);
}

void
dh_service_remember_answered (dh_service_t *self, const s_entry_t *entries, size_t count)
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

//  A link batch's messages, each with its own forced refusal: one that
//  did not decode starts refused, and its neighbours are applied.
static int
s_decode_link_batch (dh_service_t *self, s_entry_t *entry)
{
    dh_batch_t batch;
    int rc = dh_codec_decode_batch (self->codec, entry->envelope.payload, entry->envelope.payload_size,
                                    entry->envelope.sender, &batch);
    if (rc)
        return rc;
    entry->inner = batch.envelopes;
    entry->inner_count = batch.count;
    entry->inner_forced = batch.results;
    entry->inner_why = batch.why;
    entry->inner_logged = false;
    return 0;
}

//  Who sent a message is who its connection's certificate says (dh_auth.h),
//  never what the envelope claims: a link message is taken only from the
//  service it names as its sender, and a command acts as the certificate's
//  name, except a gateway's, which acts for the user signed in to it. A
//  refusal changes nothing and is logged with the certificate's key.
static void
s_authenticate (dh_service_t *self, zmq_msg_t *frame, s_entry_t *entry)
{
    dh_envelope_t *envelope = &entry->envelope;
    dh_auth_peer_t peer;
    const char *refusal = NULL;
    if (!dh_auth_peer (frame, &peer))
        refusal = "the connection has no certificate";
    else
    if (envelope->link) {
        if (strcmp (peer.role, DH_ROLE_SERVICE) || strcmp (peer.name, envelope->sender))
            refusal = "a link message must come from the service it names";
    }
    else
    if (!dh_auth_role_known (peer.role))
        refusal = "the certificate's role is unknown";
    else
    if (strcmp (peer.role, DH_ROLE_GATEWAY) || !*envelope->actor) {
        if (*envelope->actor && strcmp (envelope->actor, peer.name))
            zsys_warning ("%s: %s from certificate %s (role %s) claimed actor %.64s: taken as %s", self->name,
                          dh_type_name (envelope->type), peer.key, peer.role, envelope->actor, peer.name);
        char *actor = dh_codec_alloc (self->codec, strlen (peer.name) + 1);
        if (!actor) {
            entry->decode_rc = DH_E_NOMEM;
            snprintf (entry->error_text, S_ERROR_TEXT, "%s: no memory for the actor", self->name);
            return;
        }
        envelope->actor = strcpy (actor, peer.name);
    }
    if (!refusal)
        return;
    entry->decode_rc = DH_E_DENIED;
    snprintf (entry->error_text, S_ERROR_TEXT, "%s: %s refused from %s (role %s): %s", self->name,
              dh_type_name (envelope->type), peer.name? peer.name: "nobody", peer.role? peer.role: "none",
              refusal);
    zsys_warning ("%s: refused %s%s from certificate %s (name %s, role %s) claiming sender %.64s: %s",
                  self->name, envelope->link? "link message ": "", dh_type_name (envelope->type),
                  peer.key? peer.key: "none", peer.name? peer.name: "none", peer.role? peer.role: "none",
                  envelope->sender, refusal);
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
    entry->dropped = false;
    entry->answer = true;
    entry->status = 0;
    entry->inner = NULL;
    entry->inner_count = 0;
    if (!zsock_rcvmore (reader) || zmq_msg_recv (frame, socket, 0) < 0) {
        entry->decode_rc = DH_E_MALFORMED;
        entry->envelope.seq = 0;
        snprintf (entry->error_text, S_ERROR_TEXT, "%s: a message without its envelope frame", self->name);
        return true;
    }
    entry->decode_rc = dh_codec_decode_envelope (self->codec, zmq_msg_data (frame),
                                                 zmq_msg_size (frame), &entry->envelope);
    size_t bytes = zmq_msg_size (frame);
    bool extra = false;
    while (zsock_rcvmore (reader)) {
        extra = true;
        zmq_msg_recv (frame, socket, 0);
    }
    if (extra) {
        entry->decode_rc = DH_E_MALFORMED;
        snprintf (entry->error_text, S_ERROR_TEXT, "%s: a message of more frames than an envelope", self->name);
        return true;
    }
    if (!entry->decode_rc && entry->envelope.link && entry->envelope.type == DH_MSG_LINK_BATCH)
        entry->decode_rc = s_decode_link_batch (self, entry);
    if (entry->decode_rc)
        snprintf (entry->error_text, S_ERROR_TEXT, "%s: bad envelope (%zu bytes): %s", self->name,
                  bytes, dh_codec_error (self->codec));
    else
        s_authenticate (self, frame, entry);
    return true;
}

//  Wait while the senders the last commit answered keep coming back; a
//  pause says the rest went elsewhere. True when a message came.
static bool
s_linger (dh_service_t *self, zsock_t *reader, size_t returned, int64_t *waited)
{
    if (returned >= self->answered_count || *waited >= self->linger_us)
        return false;
    int64_t waiting = zclock_usecs ();
    int64_t wait = self->linger_us - *waited;
    if (wait > self->linger_gap_us)
        wait = self->linger_gap_us;
    bool readable = s_wait_readable (reader, waiting + wait);
    int64_t spent = zclock_usecs () - waiting;
    *waited += spent;
    self->lingered_us += spent;
    return readable;
}

//  Drain what is ready (up to the batch limit) and apply it as one batch.
//  Entries are applied as they arrive, so the time spent waiting for the
//  senders the last commit answered is not lost: the batch is ready to
//  commit as soon as the last of them is in. A rerun or a store error
//  stops the early applying; dh_service_commit_batch then starts over
//  with a fresh transaction, as for any batch.
int
dh_service_handle_api (zloop_t *loop, zsock_t *reader, void *arg)
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
            if (s_linger (self, reader, returned, &waited))
                continue;
            break;
        }
        count++;
        int64_t arrived = zclock_usecs ();
        if (s_was_answered (self, entry))
            returned++;
        if (!applying)
            continue;
        int rc = txn? 0: dh_service_begin (self, &txn);
        if (!rc)
            rc = dh_service_apply (self, txn, entry);
        self->apply_us += zclock_usecs () - arrived;
        if (rc) {
            if (txn) {
                dh_txn_abort (&txn);
                dh_service_rollback (self);
            }
            applying = false;
        }
        else
            applied = count;
    }
    zmq_msg_close (&frame);
    if (count)              //  a transaction is open only once something came
        dh_service_commit_batch (self, self->entries, count, NULL, NULL, txn, applied);
    return 0;
}
