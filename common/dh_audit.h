/*  dh_audit — the append-only, hash-chained audit log.

    Every command that changes state appends one record (who, what, which
    item, when, the previous record's hash) in the same write transaction
    as its effect, so the log and the state never disagree. A record's hash
    is BLAKE2b-256 over the previous hash and its own fields; changing,
    removing or reordering any record breaks every hash after it.  */
#ifndef DH_AUDIT_H
#define DH_AUDIT_H

#include <stdint.h>
#include "dh_store.h"

#define DH_AUDIT_HASH 32

//  The chain's newest record as its writer last saw it, so an append
//  need not read the record before it back from the store. Valid only
//  within the transaction that wrote it: clear it (seq = 0) when that
//  transaction is aborted, since its numbers are given out again.
typedef struct {
    uint64_t seq;
    uint8_t hash [DH_AUDIT_HASH];
} dh_audit_head_t;

//  Append a record to the chain in sub-database dbi, inside txn. head
//  (NULL: none) is used when it is the record before and then moved on.
//  Errors: DH_E_TOO_BIG (fields over 256 bytes), DH_E_CORRUPT (the last
//  record is unreadable), store errors.
int dh_audit_append (dh_txn_t *txn, dh_dbi_t dbi, dh_audit_head_t *head, const char *actor,
                     const char *command, const char *item, int64_t at);

//  Check the whole chain. *count gets the records checked; *broken the
//  seq of the first bad record (0 when the chain holds). Returns 0 when
//  the chain holds, DH_E_CORRUPT when it does not, or a store error.
int dh_audit_verify (dh_txn_t *txn, dh_dbi_t dbi, uint64_t *count, uint64_t *broken);

#endif
