/*  dh_handler — what a handler needs to read and answer protobuf payloads.
    Only handlers include this (it brings protobuf-c); decoded messages
    live in the batch's arena, so nothing is freed by hand.  */
#ifndef DH_HANDLER_H
#define DH_HANDLER_H

#include <protobuf-c/protobuf-c.h>
#include "dh_service.h"

//  Unpack the call's payload as descriptor's message; NULL after
//  dh_call_fail (E_MALFORMED) when it is not one.
//  @note the message lives until the batch ends.
ProtobufCMessage *dh_call_unpack (dh_call_t *call, const ProtobufCMessageDescriptor *descriptor);

//  Answer with a message (packed into the batch's arena).
int dh_call_reply_message (dh_call_t *call, const ProtobufCMessage *message);

//  Pack a message into the batch's arena; *size gets its length. NULL if
//  out of memory.
uint8_t *dh_service_pack (dh_service_t *service, const ProtobufCMessage *message, size_t *size);

//  Read the message stored under key (a string) in dbi. Errors:
//  DH_E_NOT_FOUND, DH_E_CORRUPT (not a valid message), store errors.
//  @note the message lives until the batch ends.
int dh_txn_get_message (dh_service_t *service, dh_txn_t *txn, dh_dbi_t dbi, const char *key,
                        const ProtobufCMessageDescriptor *descriptor, ProtobufCMessage **message);

//  Store a message under key (a string) in dbi.
int dh_txn_put_message (dh_service_t *service, dh_txn_t *txn, dh_dbi_t dbi, const char *key,
                        const ProtobufCMessage *message);

//  The last value of the top-level varint field `field` (an enum, an
//  integer, a bool) in a packed message, without decoding it; 0 when the
//  field is absent (proto3's default). Errors: DH_E_CORRUPT when the
//  bytes are not a message.
int dh_message_varint_field (const void *data, size_t size, unsigned field, uint64_t *value);

//  Fold delta into the message stored under key, whose bytes the caller
//  has just read (stored): delta's packed bytes are appended to them.
//  Protobuf reads concatenated messages as one merged message (a singular
//  field's last value wins, repeated fields add up), so only what changed
//  is encoded and the stored message is never decoded. Fields left at
//  their default in delta keep their stored values. Errors: store errors.
int dh_txn_merge_message (dh_service_t *service, dh_txn_t *txn, dh_dbi_t dbi, const char *key,
                          const dh_val_t *stored, const ProtobufCMessage *delta);

//  A protobuf-c allocator over the batch's arena.
ProtobufCAllocator dh_service_allocator (dh_service_t *service);

#endif
