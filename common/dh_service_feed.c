//  The event feed: every committed change on the PUB socket as an Event
//  whose seq is kept in the store with the change, so it never restarts
//  at 1 and a subscriber sees every gap.
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_service_private.h"

static const char *s_event_seq_key = "event_seq";

int
dh_service_feed_load (dh_service_t *self)
{
    dh_txn_t *txn;
    int rc = dh_txn_begin (self->store, false, &txn);
    if (rc)
        return rc;
    dh_val_t value;
    rc = dh_txn_get (txn, self->table, s_event_seq_key, strlen (s_event_seq_key), &value);
    if (rc == 0 && value.size == 8)
        self->event_seq = dh_key_u64_read (value.data);
    else
    if (rc == 0)
        rc = DH_E_CORRUPT;
    dh_txn_abort (&txn);
    self->event_pending = self->event_seq;
    return rc == DH_E_NOT_FOUND? 0: rc;
}

int
dh_service_publish (dh_service_t *self, dh_txn_t *txn, uint32_t type,
                    const void *payload, size_t size)
{
    (void) txn;                 //  the seq reaches the store in dh_service_feed_prepare
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

uint64_t
dh_service_feed_seq (dh_service_t *self)
{
    return self->event_pending;
}

int
dh_service_feed_prepare (dh_service_t *self, dh_txn_t *txn)
{
    if (self->event_pending == self->event_seq)
        return 0;
    uint8_t bytes [8];
    dh_key_u64 (bytes, self->event_pending);
    return dh_txn_put (txn, self->table, s_event_seq_key, strlen (s_event_seq_key), bytes, 8);
}

void
dh_service_feed_committed (dh_service_t *self)
{
    self->event_seq = self->event_pending;
    void *publisher = zsock_resolve (self->publisher);
    for (size_t i = 0; i < self->event_count; i++)
        zmq_send (publisher, self->events [i].data, self->events [i].size, ZMQ_DONTWAIT);
    self->event_count = 0;
}

void
dh_service_feed_rollback (dh_service_t *self)
{
    self->event_pending = self->event_seq;
    self->event_count = 0;
}
