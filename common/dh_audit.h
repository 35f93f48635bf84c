/*  dh_audit — the append-only, hash-chained audit log (DESIGN.md §5).

    Every command that changes state appends one record (who, what, which
    item, when, the previous record's hash) in the same write transaction
    as its effect, so the log and the state never disagree. A record's hash
    is SHA-256 over the previous hash and its own fields; changing,
    removing or reordering any record breaks every hash after it.  */
#ifndef DH_AUDIT_H
#define DH_AUDIT_H

#include <stdint.h>
#include "dh_store.h"

#define DH_AUDIT_HASH 32

//  Append a record to the chain in sub-database dbi, inside txn.
//  Errors: DH_E_TOO_BIG (fields over 256 bytes), DH_E_CORRUPT (the last
//  record is unreadable), store errors.
int dh_audit_append (dh_txn_t *txn, dh_dbi_t dbi, const char *actor, const char *command,
                     const char *item, int64_t at);

//  Check the whole chain. *count gets the records checked; *broken the
//  seq of the first bad record (0 when the chain holds). Returns 0 when
//  the chain holds, DH_E_CORRUPT when it does not, or a store error.
int dh_audit_verify (dh_txn_t *txn, dh_dbi_t dbi, uint64_t *count, uint64_t *broken);

#endif
