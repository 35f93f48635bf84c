/*  Protobuf messages to and from JSON by their descriptors (protobuf-c):
    what dunghanctl --json prints and what the gateway answers and takes.
    Enums by name; every *_at instant (UTC milliseconds) with a *_at_local
    twin in Asia/Ho_Chi_Minh; bytes fields left out (null).  */
#ifndef DH_PBJSON_H
#define DH_PBJSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  The message as JSON (new reference).
json_t *dh_pbjson_from_message (const ProtobufCMessage *message);

//  A new message of descriptor's type from a JSON object, strictly: an
//  unknown field, a value of the wrong JSON type or an unknown enum name
//  is refused with words in why naming the field. Returns 0 or
//  DH_E_INVALID (DH_E_NOMEM). @note *message is the caller's:
//  protobuf_c_message_free_unpacked.
int dh_pbjson_to_message (const ProtobufCMessageDescriptor *descriptor, json_t *json,
                          ProtobufCMessage **message, char *why, size_t why_size);

//  "2025-04-26T16:30:00+07:00" for a UTC millisecond instant.
void dh_pbjson_time (int64_t utc_ms, char *buffer, size_t size);

//  True for a field our naming rule makes an instant: `at`, or `*_at`.
bool dh_pbjson_is_time (const ProtobufCFieldDescriptor *field);

//  One value of field (a scalar, an enum by name, a message as an
//  object) as JSON (new reference).
json_t *dh_pbjson_value (const ProtobufCFieldDescriptor *field, const void *value);

//  The size of one value of field in a message's memory (one element of
//  a repeated field).
size_t dh_pbjson_value_size (const ProtobufCFieldDescriptor *field);

#endif
