/*  dh_call — what a handler needs, in one header: the call it answers
    (dh_service.h), the store (dh_store.h), items' journals (dh_journal.h),
    and protobuf payloads into and out of all three. Only handlers include
    it (it brings protobuf-c).

    Every function here takes the call and allocates from the batch's
    arena: what it hands back lives until the batch ends, and nothing is
    freed by hand. Out of memory is DH_E_NOMEM, never a crash, and never
    mistaken for bad input.  */
#ifndef DH_CALL_H
#define DH_CALL_H

#include <protobuf-c/protobuf-c.h>
#include "dh_journal.h"
#include "dh_service.h"
#include "dh_store.h"

//  Unpack the call's payload as descriptor's message into *message (a
//  command or link message: timer work has no envelope). Errors (after
//  dh_call_fail): DH_E_MALFORMED when it is not one, DH_E_NOMEM.
//  @note the message lives until the batch ends.
int dh_call_unpack (dh_call_t *call, const ProtobufCMessageDescriptor *descriptor,
                    ProtobufCMessage **message);

//  Answer the call with message, packed into the batch's arena.
//  Errors (after dh_call_fail): DH_E_NOMEM.
int dh_call_reply_message (dh_call_t *call, const ProtobufCMessage *message);

//  Pack message into the batch's arena; *size gets its length. NULL when
//  out of memory (answer DH_E_NOMEM). @note lives until the batch ends.
uint8_t *dh_call_pack (dh_call_t *call, const ProtobufCMessage *message, size_t *size);

//  Read the message stored under key (a string) in dbi, in the call's
//  transaction. Errors: DH_E_NOT_FOUND, DH_E_CORRUPT (not a valid
//  message), DH_E_NOMEM, store errors. @note the message lives until the
//  batch ends.
int dh_call_get_message (dh_call_t *call, dh_dbi_t dbi, const char *key,
                         const ProtobufCMessageDescriptor *descriptor, ProtobufCMessage **message);

//  Store message under key (a string) in dbi, in the call's transaction.
//  Errors: DH_E_NOMEM, store errors.
int dh_call_put_message (dh_call_t *call, dh_dbi_t dbi, const char *key,
                         const ProtobufCMessage *message);

//  Append message to an item's journal in dbi after previous (0: the
//  item's first); *seq gets the entry's number, the item's newest.
//  Packed straight into the store: it takes no arena memory.
//  Errors: those of dh_journal_reserve.
int dh_call_journal_append (dh_call_t *call, dh_dbi_t dbi, uint64_t previous,
                            const ProtobufCMessage *message, uint64_t *seq);

//  The messages of the item whose newest journal entry is newest, oldest
//  first, at most max, in an array of *count. Errors: those of
//  dh_journal_read; DH_E_CORRUPT for an entry that is not a descriptor
//  message; DH_E_NOMEM. @note the array and messages live until the
//  batch ends.
int dh_call_journal_read (dh_call_t *call, dh_dbi_t dbi, uint64_t newest, size_t max,
                          const ProtobufCMessageDescriptor *descriptor,
                          ProtobufCMessage ***messages, size_t *count);

//  A protobuf-c allocator over the batch's arena, for a handler that
//  unpacks by itself. Its alloc returns NULL when out of memory, so
//  protobuf-c's unpack returns NULL: answer DH_E_NOMEM, or use
//  dh_call_unpack, which tells that apart from bad input.
ProtobufCAllocator dh_call_allocator (dh_call_t *call);

//  The name of an enum value as the .proto spells it ("ASSIGNED"), "?"
//  for a value the enum does not have. @note static text.
const char *dh_call_enum_name (const ProtobufCEnumDescriptor *descriptor, int value);

#endif
