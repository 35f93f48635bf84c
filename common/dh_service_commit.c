//  The group commit: apply a batch in one transaction, run it again
//  without a message that was refused after writing, commit once, and
//  only then reply, acknowledge and publish.
#include "dh_error.h"
#include "dh_service_private.h"
#include "dh_types.h"

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
    const dh_command_t *command = handler? handler->command: NULL;
    int from = envelope->link? DH_FROM_LINK: DH_FROM_CLIENT;
    dh_call_t call = { self, txn, envelope, command, NULL, 0, error_text };
    uint64_t writes = dh_txn_writes (txn);
    if (!command)
        *status = dh_call_fail (&call, DH_E_UNKNOWN, "%s does not handle message type %u",
                                self->name, envelope->type);
    else
    if (!(command->from & from))
        *status = dh_call_fail (&call, DH_E_DENIED, "%s accepts %s only %s", self->name,
                                dh_type_name (envelope->type),
                                from == DH_FROM_LINK? "from clients": "from peer services");
    else
    if (envelope->link || !dh_service_answered_before (self, &call, envelope, status)) {
        *status = command->fn (&call, handler->state);
        //  A command that changed nothing has nothing a retry could repeat.
        if (!*status && !envelope->link && dh_service_has_key (envelope) && dh_txn_writes (txn) != writes)
            *status = dh_service_keep_reply (self, &call, envelope);
    }
    if (dh_txn_error (txn))
        return dh_txn_error (txn);
    //  Memory may be there on the sender's next try; a refusal would
    //  count the message as applied and lose its effect for good.
    if (*status == DH_E_NOMEM && envelope->link)
        return S_DROP;
    if (*status && dh_txn_writes (txn) != writes) {
        *forced = *status;
        return S_RERUN;
    }
    if (*status && envelope->link)
        zsys_warning ("%s: %s from %s refused: %s (%s)", self->name, dh_type_name (envelope->type),
                      envelope->sender, error_text, dh_strerror (*status));
    else
    if (*status == DH_E_DENIED)
        //  Someone tried what their role does not allow: a supervisor
        //  looks for these, as for any attempt at the boundary.
        zsys_warning ("%s: %s by %s denied: %s", self->name, dh_type_name (envelope->type),
                      envelope->actor, error_text);
    *reply = call.reply;
    *reply_size = call.reply_size;
    return 0;
}

int
dh_service_apply (dh_service_t *self, dh_txn_t *txn, s_entry_t *entry)
{
    entry->reply = NULL;
    entry->reply_size = 0;
    if (entry->decode_rc) {
        entry->status = entry->decode_rc;
        return 0;
    }
    const dh_envelope_t *envelope = &entry->envelope;
    entry->answer = !envelope->link;
    if (entry->dropped)
        return 0;
    if (envelope->link) {
        int accepted = dh_link_accept (self->link, txn, envelope, entry->rid, entry->rid_size);
        if (accepted < 0 && accepted != DH_E_RANGE)
            zsys_warning ("%s: link message from %s refused: %s",
                          self->name, envelope->sender, dh_strerror (accepted));
        if (accepted <= 0)
            return 0;           //  duplicate (acknowledged again) or out of order
    }
    int rc = 0;
    if (!entry->inner)
        rc = s_dispatch (self, txn, envelope, &entry->forced_rc, entry->error_text,
                         &entry->status, &entry->reply, &entry->reply_size);
    else {
        entry->status = 0;
        //  A message of the batch that did not decode is refused alone
        //  (counted as applied, as any refused link message), once.
        for (size_t i = 0; i < entry->inner_count && !entry->inner_logged; i++)
            if (entry->inner_why [i])
                zsys_warning ("%s: message %zu of %zu in link batch %" PRIu64 " from %s refused: %s (%s)",
                              self->name, i + 1, entry->inner_count, envelope->seq, envelope->sender,
                              entry->inner_why [i], dh_errname (entry->inner_forced [i]));
        entry->inner_logged = true;
        for (size_t i = 0; i < entry->inner_count && !rc; i++) {
            int status;
            const void *reply;
            size_t reply_size;
            rc = s_dispatch (self, txn, &entry->inner [i], &entry->inner_forced [i], entry->error_text,
                             &status, &reply, &reply_size);
        }
    }
    if (rc == S_DROP) {
        //  Run the batch again without it: its seq is not recorded, so the
        //  sender resends it (and what followed it) after resend_ms.
        zsys_warning ("%s: link batch %" PRIu64 " from %s left for a resend: %s", self->name,
                      envelope->seq, envelope->sender, entry->error_text);
        entry->dropped = true;
        rc = S_RERUN;
    }
    return rc;
}

int
dh_service_begin (dh_service_t *self, dh_txn_t **txn)
{
    int rc = dh_txn_begin (self->store, true, txn);
    if (!rc && (rc = dh_link_begin (self->link, *txn)))
        dh_txn_abort (txn);
    return rc;
}

static int
s_prepare (dh_service_t *self, dh_txn_t *txn)
{
    int rc = dh_link_prepare (self->link, txn);
    return rc? rc: dh_service_feed_prepare (self, txn);
}

void
dh_service_rollback (dh_service_t *self)
{
    dh_link_aborted (self->link);
    self->audit_head.seq = 0;
    dh_service_feed_rollback (self);
}

static void
s_send_reply (dh_service_t *self, s_entry_t *entry)
{
    dh_reply_t reply = {
        .sender = self->name, .seq = entry->envelope.seq,     //  recovered even when it did not decode
        .status = entry->status,
        .error_name = entry->status? dh_errname (entry->status): "",
        .error_text = entry->status? (entry->error_text [0]? entry->error_text: dh_strerror (entry->status)): "",
        .payload = entry->reply, .payload_size = entry->reply_size
    };
    size_t size = dh_reply_size (&reply);
    if (size > self->reply_capacity) {
        uint8_t *buffer = malloc (size * 2);
        if (!buffer) {
            //  The effect is durable; only its answer is lost, and the
            //  client's retry finds it. Say so rather than crash.
            zsys_error ("%s: no memory for a reply of %zu bytes", self->name, size);
            return;
        }
        free (self->reply_buffer);
        self->reply_buffer = buffer;
        self->reply_capacity = size * 2;
    }
    dh_reply_pack (&reply, self->reply_buffer);
    void *router = zsock_resolve (self->router);
    if (zmq_send (router, entry->rid, entry->rid_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
        zmq_send (router, self->reply_buffer, size, ZMQ_DONTWAIT);
}

//  Work of the service's own, in the open transaction. A failure after
//  writing fails the whole transaction: work has no neighbours to spare.
static int
s_work (dh_service_t *self, dh_txn_t *txn, dh_work_fn *work, void *arg)
{
    char error_text [S_ERROR_TEXT] = "";
    dh_call_t call = { self, txn, NULL, NULL, NULL, 0, error_text };
    int rc = work (&call, arg);
    if (rc && error_text [0])
        zsys_warning ("%s: %s", self->name, error_text);
    return rc;
}

//  A commit takes from a fraction of a millisecond (an SSD's flush) to a
//  second (a disk in trouble); a batch holds one message to batch_limit.
const int64_t dh_service_commit_bounds_us [S_BUCKETS] = {
    500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 250000, 500000, 1000000
};
const int64_t dh_service_batch_bounds [S_BUCKETS] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 };

//  Count value in its bucket: a few comparisons, nothing on the disk.
static void
s_observe (uint64_t *buckets, const int64_t *bounds, int64_t value)
{
    size_t bucket = 0;
    while (bucket < S_BUCKETS && value > bounds [bucket])
        bucket++;
    buckets [bucket]++;
}

//  After the durable commit: counters, hooks, the link, the feed.
static void
s_committed (dh_service_t *self, s_entry_t *entries, size_t count, int64_t started, int64_t committing)
{
    int64_t committed = zclock_usecs ();
    self->apply_us += committing - started;
    self->commit_us += committed - committing;
    for (size_t i = 0; i < self->on_commit_count; i++)
        self->on_commit [i].fn (self, self->on_commit [i].arg);
    dh_link_committed (self->link);
    dh_service_feed_committed (self);
    self->batches++;
    uint64_t messages = 0;
    for (size_t i = 0; i < count; i++)
        messages += entries [i].inner? entries [i].inner_count: 1;
    self->messages += messages;
    s_observe (self->commit_buckets, dh_service_commit_bounds_us, committed - committing);
    s_observe (self->batch_buckets, dh_service_batch_bounds, (int64_t) messages);
}

int
dh_service_commit_batch (dh_service_t *self, s_entry_t *entries, size_t count,
                         dh_work_fn *work, void *arg, dh_txn_t *open, size_t applied)
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
            if ((rc = dh_service_begin (self, &txn)))
                break;
        }
        rc = 0;
        for (size_t i = first; i < count && !rc; i++)
            rc = dh_service_apply (self, txn, &entries [i]);
        if (!rc && work)
            rc = s_work (self, txn, work, arg);
        if (!rc)
            rc = dh_txn_error (txn);
        if (!rc)
            rc = s_prepare (self, txn);
        if (rc == S_RERUN) {
            dh_txn_abort (&txn);
            dh_service_rollback (self);
            continue;
        }
        committing = zclock_usecs ();
        rc = rc? (dh_txn_abort (&txn), rc): dh_txn_commit (&txn);
        if (rc == 0)
            break;
        dh_service_rollback (self);
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
    else
        s_committed (self, entries, count, started, committing);
    for (size_t i = 0; i < count; i++)
        if (entries [i].answer)
            s_send_reply (self, &entries [i]);
    if (count)
        dh_service_remember_answered (self, entries, count);
    dh_codec_reset (self->codec);
    return rc;
}

void
dh_service_on_commit (dh_service_t *self, dh_commit_fn *fn, void *arg)
{
    for (size_t i = 0; i < self->on_commit_count; i++)
        if (self->on_commit [i].fn == fn && self->on_commit [i].arg == arg)
            return;
    assert (self->on_commit_count < DH_SERVICE_COMMIT_HOOKS);
    self->on_commit [self->on_commit_count].fn = fn;
    self->on_commit [self->on_commit_count++].arg = arg;
}

int
dh_service_transact (dh_service_t *self, dh_work_fn *work, void *arg)
{
    return dh_service_commit_batch (self, NULL, 0, work, arg, NULL, 0);
}
