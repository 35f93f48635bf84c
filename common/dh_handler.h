/*  dh_handler — what a handler needs to read and answer protobuf payloads.
    Only handlers include this (it brings protobuf-c); decoded messages
    live in the batch's arena, so nothing is freed by hand.  */
#ifndef DH_HANDLER_H
#define DH_HANDLER_H

#include <protobuf-c/protobuf-c.h>
#include "dh_journal.h"
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

//  Append a message to an item's journal (dh_journal.h) after previous
//  (0: the item's first); *seq gets the entry's number, the item's newest.
int dh_txn_journal_message (dh_txn_t *txn, dh_dbi_t dbi, uint64_t previous,
                            const ProtobufCMessage *message, uint64_t *seq);

//  The messages of the item whose newest journal entry is newest, oldest
//  first, at most max. Errors: those of dh_journal_read; DH_E_CORRUPT for
//  an entry that is not a descriptor message.
//  @note the messages live until the batch ends.
int dh_txn_journal_messages (dh_service_t *service, dh_txn_t *txn, dh_dbi_t dbi, uint64_t newest,
                             size_t max, const ProtobufCMessageDescriptor *descriptor,
                             ProtobufCMessage ***messages, size_t *count);

//  The name of an enum value as the .proto spells it ("ASSIGNED"), "?"
//  for a value the enum does not have. @note static text.
const char *dh_enum_name (const ProtobufCEnumDescriptor *descriptor, int value);

//  A protobuf-c allocator over the batch's arena.
ProtobufCAllocator dh_service_allocator (dh_service_t *service);

#endif
