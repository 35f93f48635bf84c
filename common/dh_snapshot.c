//  The SNAPSHOT command: one page of a module's state, as of the feed seq
//  of the batch that reads it.
#include "envelope.pb-c.h"
#include "dh_call.h"
#include "dh_error.h"
#include "dh_snapshot.h"

struct _dh_snapshot_page_t {
    dh_service_t *service;
    Dh__SnapshotEntry **entries;
    size_t count;
    size_t limit;
    size_t capacity;
    size_t bytes;
};

int
dh_snapshot_add (dh_snapshot_page_t *self, const void *key, size_t key_size,
                 uint32_t type, const void *payload, size_t size)
{
    if (self->count == self->capacity) {
        //  Scratch cannot grow in place: a new array, the old one left to
        //  the batch's end. Doubling keeps the waste below the array's size.
        size_t capacity = self->capacity? self->capacity * 2: 64;
        if (capacity > self->limit)
            capacity = self->limit;
        Dh__SnapshotEntry **entries = dh_service_scratch (self->service, capacity * sizeof *entries);
        if (!entries)
            return DH_E_NOMEM;
        if (self->count)
            memcpy (entries, self->entries, self->count * sizeof *entries);
        self->entries = entries;
        self->capacity = capacity;
    }
    Dh__SnapshotEntry *entry = dh_service_scratch (self->service, sizeof *entry);
    uint8_t *copy = dh_service_scratch (self->service, key_size + size + 1);
    if (!entry || !copy)
        return DH_E_NOMEM;
    dh__snapshot_entry__init (entry);
    memcpy (copy, key, key_size);
    if (size)
        memcpy (copy + key_size, payload, size);
    entry->key = (ProtobufCBinaryData) { key_size, copy };
    entry->type = type;
    entry->payload = (ProtobufCBinaryData) { size, copy + key_size };
    self->entries [self->count++] = entry;
    self->bytes += key_size + size + 16;
    return self->count >= self->limit || self->bytes >= DH_SNAPSHOT_LIMIT_BYTES? 1: 0;
}

int
dh_snapshot_add_message (dh_call_t *call, dh_snapshot_page_t *page, const void *key, size_t key_size,
                         uint32_t type, const ProtobufCMessage *message)
{
    size_t size;
    uint8_t *bytes = dh_call_pack (call, message, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for a snapshot");
    return dh_snapshot_add (page, key, key_size, type, bytes, size);
}

int
dh_snapshot_walk (dh_call_t *call, dh_dbi_t dbi, const void *after, size_t after_size,
                  dh_snapshot_row_fn *fn, void *state, dh_snapshot_page_t *page)
{
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (call->txn, dbi, &cursor);
    if (rc)
        return rc;
    dh_val_t key, value;
    rc = after_size? dh_cursor_seek (cursor, after, after_size, &key, &value)
                   : dh_cursor_first (cursor, &key, &value);
    //  The seek lands on `after` itself when it still exists: the page
    //  before ended with it.
    if (rc == 0 && after_size && key.size == after_size && !memcmp (key.data, after, after_size))
        rc = dh_cursor_next (cursor, &key, &value);
    while (rc == 0) {
        rc = fn (call, state, &key, &value, page);
        if (rc)
            break;
        rc = dh_cursor_next (cursor, &key, &value);
    }
    dh_cursor_close (&cursor);
    return rc == 1 || rc == DH_E_NOT_FOUND? 0: rc;
}

int
dh_snapshot_handle (dh_call_t *call, void *state)
{
    const dh_snapshot_source_t *source = call->command? call->command->rule: NULL;
    if (!source || !source->list)
        return dh_call_fail (call, DH_E_INTERNAL, "SNAPSHOT is registered without a source");
    Dh__SnapshotRequest *request = dh__snapshot_request__unpack (NULL, call->envelope->payload_size,
                                                                 call->envelope->payload);
    if (!request)
        return dh_call_fail (call, DH_E_MALFORMED, "SNAPSHOT payload is not a SnapshotRequest");
    int rc = 0;
    if (request->after.len > DH_SNAPSHOT_KEY_MAX)
        rc = dh_call_fail (call, DH_E_INVALID, "a snapshot key is at most %d bytes", DH_SNAPSHOT_KEY_MAX);
    dh_snapshot_page_t page = {
        .service = call->service,
        .limit = request->limit == 0? DH_SNAPSHOT_PAGE:
                 request->limit > DH_SNAPSHOT_LIMIT? DH_SNAPSHOT_LIMIT: request->limit
    };
    Dh__SnapshotReply reply = DH__SNAPSHOT_REPLY__INIT;
    if (!rc) {
        //  The commands before this one in the batch are in call->txn and
        //  their events in this seq; they leave before this reply does.
        reply.seq = dh_service_feed_seq (call->service);
        rc = source->list (call, state, request->after.data, request->after.len, &page);
        if (rc && !call->error_text)
            dh_call_fail (call, rc, "cannot list the state: %s", dh_strerror (rc));
    }
    dh__snapshot_request__free_unpacked (request, NULL);
    if (rc)
        return rc;
    reply.entries = page.entries;
    reply.n_entries = page.count;
    //  A full page may have been the last; the next request then gets an
    //  empty page that says so. Cheaper than looking one key ahead.
    reply.more = page.count >= page.limit || page.bytes >= DH_SNAPSHOT_LIMIT_BYTES;
    if (page.count)
        reply.next = page.entries [page.count - 1]->key;
    size_t size = dh__snapshot_reply__get_packed_size (&reply);
    uint8_t *bytes = dh_service_scratch (call->service, size? size: 1);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for a snapshot page");
    dh__snapshot_reply__pack (&reply, bytes);
    return dh_call_reply (call, bytes, size);
}
