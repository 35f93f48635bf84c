#include <string.h>
#include "dh_error.h"
#include "dh_handler.h"
#include "dh_types.h"

static void *
s_alloc (void *service, size_t size)
{
    return dh_service_scratch (service, size);
}

static void
s_free (void *service, void *pointer)
{
    (void) service;
    (void) pointer;
}

ProtobufCAllocator
dh_service_allocator (dh_service_t *service)
{
    ProtobufCAllocator allocator = { s_alloc, s_free, service };
    return allocator;
}

ProtobufCMessage *
dh_call_unpack (dh_call_t *call, const ProtobufCMessageDescriptor *descriptor)
{
    ProtobufCAllocator allocator = dh_service_allocator (call->service);
    ProtobufCMessage *message = protobuf_c_message_unpack (descriptor, &allocator,
        call->envelope->payload_size, call->envelope->payload);
    if (!message)
        dh_call_fail (call, DH_E_MALFORMED, "%s payload is not a valid %s",
                      dh_type_name (call->envelope->type), descriptor->short_name);
    return message;
}

uint8_t *
dh_service_pack (dh_service_t *service, const ProtobufCMessage *message, size_t *size)
{
    *size = protobuf_c_message_get_packed_size (message);
    uint8_t *buffer = dh_service_scratch (service, *size? *size: 1);
    if (buffer)
        protobuf_c_message_pack (message, buffer);
    return buffer;
}

int
dh_call_reply_message (dh_call_t *call, const ProtobufCMessage *message)
{
    size_t size;
    uint8_t *buffer = dh_service_pack (call->service, message, &size);
    if (!buffer)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the reply");
    call->reply = buffer;
    call->reply_size = size;
    return 0;
}

int
dh_txn_get_message (dh_service_t *service, dh_txn_t *txn, dh_dbi_t dbi, const char *key,
                    const ProtobufCMessageDescriptor *descriptor, ProtobufCMessage **message)
{
    dh_val_t value;
    int rc = dh_txn_get (txn, dbi, key, strlen (key), &value);
    if (rc)
        return rc;
    ProtobufCAllocator allocator = dh_service_allocator (service);
    *message = protobuf_c_message_unpack (descriptor, &allocator, value.size, value.data);
    return *message? 0: DH_E_CORRUPT;
}

int
dh_txn_put_message (dh_service_t *service, dh_txn_t *txn, dh_dbi_t dbi, const char *key,
                    const ProtobufCMessage *message)
{
    size_t size;
    uint8_t *bytes = dh_service_pack (service, message, &size);
    return bytes? dh_txn_put (txn, dbi, key, strlen (key), bytes, size): DH_E_NOMEM;
}

int
dh_txn_journal_message (dh_txn_t *txn, dh_dbi_t dbi, uint64_t previous,
                        const ProtobufCMessage *message, uint64_t *seq)
{
    size_t size = protobuf_c_message_get_packed_size (message);
    void *data;
    int rc = dh_journal_reserve (txn, dbi, previous, size, &data, seq);
    if (!rc)
        protobuf_c_message_pack (message, data);
    return rc;
}

int
dh_txn_journal_messages (dh_service_t *service, dh_txn_t *txn, dh_dbi_t dbi, uint64_t newest,
                         size_t max, const ProtobufCMessageDescriptor *descriptor,
                         ProtobufCMessage ***messages, size_t *count)
{
    *count = 0;
    //  Counted first: max is a limit, often far above what an item has.
    size_t found;
    int rc = dh_journal_read (txn, dbi, newest, NULL, max, &found);
    if (rc)
        return rc;
    dh_val_t *entries = dh_service_scratch (service, (found + 1) * sizeof *entries);
    *messages = dh_service_scratch (service, (found + 1) * sizeof **messages);
    if (!entries || !*messages)
        return DH_E_NOMEM;
    if ((rc = dh_journal_read (txn, dbi, newest, entries, found, &found)))
        return rc;
    ProtobufCAllocator allocator = dh_service_allocator (service);
    for (size_t i = 0; i < found; i++) {
        (*messages) [i] = protobuf_c_message_unpack (descriptor, &allocator, entries [i].size, entries [i].data);
        if (!(*messages) [i])
            return DH_E_CORRUPT;
    }
    *count = found;
    return 0;
}

const char *
dh_enum_name (const ProtobufCEnumDescriptor *descriptor, int value)
{
    const ProtobufCEnumValue *found = protobuf_c_enum_descriptor_get_value (descriptor, value);
    return found? found->name: "?";
}
