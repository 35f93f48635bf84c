#include <string.h>
#include "dh_call.h"
#include "dh_error.h"
#include "dh_text.h"
#include "dh_types.h"

static void *
s_alloc (void *service, size_t size)
{
    return dh_service_scratch (service, size);
}

static void
s_free (void *arg, void *pointer)
{
    (void) arg;
    (void) pointer;
}

ProtobufCAllocator
dh_call_allocator (dh_call_t *call)
{
    ProtobufCAllocator allocator = { s_alloc, s_free, call->service };
    return allocator;
}

//  protobuf-c answers NULL both for bytes that are no message and for an
//  allocation that failed; the arena remembers which it was.
typedef struct {
    dh_service_t *service;
    bool failed;
} s_arena_t;

static void *
s_arena_alloc (void *arg, size_t size)
{
    s_arena_t *arena = arg;
    void *block = dh_service_scratch (arena->service, size);
    if (!block)
        arena->failed = true;
    return block;
}

//  Returns 0, DH_E_NOMEM, or bad_input when the bytes are no message.
static int
s_unpack (dh_call_t *call, const ProtobufCMessageDescriptor *descriptor, const void *data, size_t size,
          int bad_input, ProtobufCMessage **message)
{
    s_arena_t arena = { call->service, false };
    ProtobufCAllocator allocator = { s_arena_alloc, s_free, &arena };
    *message = protobuf_c_message_unpack (descriptor, &allocator, size, data);
    return *message? 0: arena.failed? DH_E_NOMEM: bad_input;
}

int
dh_call_unpack (dh_call_t *call, const ProtobufCMessageDescriptor *descriptor, ProtobufCMessage **message)
{
    int rc = s_unpack (call, descriptor, call->envelope->payload, call->envelope->payload_size,
                       DH_E_MALFORMED, message);
    if (rc == DH_E_NOMEM)
        return dh_call_fail (call, rc, "no memory for the %s payload", dh_type_name (call->envelope->type));
    if (rc)
        return dh_call_fail (call, rc, "%s payload is not a valid %s",
                             dh_type_name (call->envelope->type), descriptor->short_name);
    //  A peer's message was checked at its own door, and refusing it here
    //  would lose an effect its sender has already committed.
    if (call->envelope->link)
        return 0;
    char why [DH_TEXT_WHY_MAX];
    if ((rc = dh_text_check_message (*message, why, sizeof why)))
        return dh_call_fail (call, rc, "%s", why);
    return 0;
}

uint8_t *
dh_call_pack (dh_call_t *call, const ProtobufCMessage *message, size_t *size)
{
    *size = protobuf_c_message_get_packed_size (message);
    uint8_t *buffer = dh_service_scratch (call->service, *size? *size: 1);
    if (buffer)
        protobuf_c_message_pack (message, buffer);
    return buffer;
}

int
dh_call_reply_message (dh_call_t *call, const ProtobufCMessage *message)
{
    size_t size;
    uint8_t *buffer = dh_call_pack (call, message, &size);
    if (!buffer)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the reply");
    call->reply = buffer;
    call->reply_size = size;
    return 0;
}

int
dh_call_get_message (dh_call_t *call, dh_dbi_t dbi, const char *key,
                     const ProtobufCMessageDescriptor *descriptor, ProtobufCMessage **message)
{
    dh_val_t value;
    int rc = dh_txn_get (call->txn, dbi, key, strlen (key), &value);
    return rc? rc: s_unpack (call, descriptor, value.data, value.size, DH_E_CORRUPT, message);
}

int
dh_call_put_message (dh_call_t *call, dh_dbi_t dbi, const char *key, const ProtobufCMessage *message)
{
    size_t size;
    uint8_t *bytes = dh_call_pack (call, message, &size);
    return bytes? dh_txn_put (call->txn, dbi, key, strlen (key), bytes, size): DH_E_NOMEM;
}

int
dh_call_journal_append (dh_call_t *call, dh_dbi_t dbi, uint64_t previous,
                        const ProtobufCMessage *message, uint64_t *seq)
{
    size_t size = protobuf_c_message_get_packed_size (message);
    void *data;
    int rc = dh_journal_reserve (call->txn, dbi, previous, size, &data, seq);
    if (!rc)
        protobuf_c_message_pack (message, data);
    return rc;
}

int
dh_call_journal_read (dh_call_t *call, dh_dbi_t dbi, uint64_t newest, size_t max,
                      const ProtobufCMessageDescriptor *descriptor,
                      ProtobufCMessage ***messages, size_t *count)
{
    *count = 0;
    //  Counted first: max is a limit, often far above what an item has.
    size_t found;
    int rc = dh_journal_read (call->txn, dbi, newest, NULL, max, &found);
    if (rc)
        return rc;
    dh_val_t *entries = dh_service_scratch (call->service, (found + 1) * sizeof *entries);
    *messages = dh_service_scratch (call->service, (found + 1) * sizeof **messages);
    if (!entries || !*messages)
        return DH_E_NOMEM;
    if ((rc = dh_journal_read (call->txn, dbi, newest, entries, found, &found)))
        return rc;
    for (size_t i = 0; i < found; i++)
        if ((rc = s_unpack (call, descriptor, entries [i].data, entries [i].size, DH_E_CORRUPT,
                            &(*messages) [i])))
            return rc;
    *count = found;
    return 0;
}

const char *
dh_call_enum_name (const ProtobufCEnumDescriptor *descriptor, int value)
{
    const ProtobufCEnumValue *found = protobuf_c_enum_descriptor_get_value (descriptor, value);
    return found? found->name: "?";
}
