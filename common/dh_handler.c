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

//  One base-128 varint at *at (at most 10 bytes); false past the end.
static bool
s_read_varint (const uint8_t **at, const uint8_t *end, uint64_t *value)
{
    *value = 0;
    for (unsigned shift = 0; shift < 70 && *at < end; shift += 7) {
        uint8_t byte = *(*at)++;
        *value |= (uint64_t) (byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

int
dh_message_varint_field (const void *data, size_t size, unsigned field, uint64_t *value)
{
    *value = 0;
    const uint8_t *at = data, *end = at + size;
    while (at < end) {
        uint64_t tag, scalar;
        if (!s_read_varint (&at, end, &tag))
            return DH_E_CORRUPT;
        switch (tag & 7) {
            case 0:             //  varint
                if (!s_read_varint (&at, end, &scalar))
                    return DH_E_CORRUPT;
                if (tag >> 3 == field)
                    *value = scalar;
                break;
            case 1:             //  64-bit
            case 5:             //  32-bit
                scalar = (tag & 7) == 1? 8: 4;
                if (scalar > (uint64_t) (end - at))
                    return DH_E_CORRUPT;
                at += scalar;
                break;
            case 2:             //  length-delimited
                if (!s_read_varint (&at, end, &scalar) || scalar > (uint64_t) (end - at))
                    return DH_E_CORRUPT;
                at += scalar;
                break;
            default:
                return DH_E_CORRUPT;
        }
    }
    return 0;
}

int
dh_txn_merge_message (dh_service_t *service, dh_txn_t *txn, dh_dbi_t dbi, const char *key,
                      const dh_val_t *stored, const ProtobufCMessage *delta)
{
    size_t delta_size = protobuf_c_message_get_packed_size (delta);
    //  The stored bytes live in the map, which the write may move: copy
    //  them first.
    uint8_t *merged = dh_service_scratch (service, stored->size + delta_size + 1);
    if (!merged)
        return DH_E_NOMEM;
    memcpy (merged, stored->data, stored->size);
    protobuf_c_message_pack (delta, merged + stored->size);
    return dh_txn_put (txn, dbi, key, strlen (key), merged, stored->size + delta_size);
}
