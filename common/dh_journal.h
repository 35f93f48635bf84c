/*  dh_journal — an append-only journal of entries that belong to items
    (a dossier's steps, in intake and in assign).

    Entries are keyed by one sequence for the whole journal, so every
    append lands on the journal's last page. Keyed by item, the entries of
    the thousand items in flight would be spread over hundreds of pages,
    and each commit would write most of them again. Each entry links back
    to its item's previous entry; the item keeps only its newest
    (`newest`). An entry is: previous seq (8 bytes, big-endian), payload.  */
#ifndef DH_JOURNAL_H
#define DH_JOURNAL_H

#include "dh_store.h"

//  Make room for an entry of size bytes after previous (0: the item's
//  first) and hand back where to write it; *seq gets the entry's number,
//  which the item keeps as its newest.
//  @note *data is valid until the next write in this transaction.
int dh_journal_reserve (dh_txn_t *txn, dh_dbi_t dbi, uint64_t previous, size_t size,
                        void **data, uint64_t *seq);

//  The payloads of the item whose newest entry is newest, oldest first:
//  at most max of them in entries, *count says how many (entries NULL:
//  only count them, checking the links). Errors:
//  DH_E_CORRUPT (a link that does not point back, a missing entry),
//  DH_E_FULL (more than max entries), store errors.
//  @note entries point into the map; valid while txn is open and unwritten.
int dh_journal_read (dh_txn_t *txn, dh_dbi_t dbi, uint64_t newest,
                     dh_val_t *entries, size_t max, size_t *count);

#endif
