#include "dh_error.h"
#include "dh_journal.h"

#define S_LINK 8

int
dh_journal_reserve (dh_txn_t *txn, dh_dbi_t dbi, uint64_t previous, size_t size,
                    void **data, uint64_t *seq)
{
    //  The number comes from the journal itself, inside the transaction,
    //  so a batch that is run again or a crash never leaves a gap or
    //  reuses one.
    uint8_t *entry;
    int rc = dh_txn_reserve_next (txn, dbi, S_LINK + size, (void **) &entry, seq);
    if (rc)
        return rc;
    if (previous >= *seq)
        return DH_E_CORRUPT;    //  the caller's transaction is then dropped
    dh_key_u64 (entry, previous);
    *data = entry + S_LINK;
    return 0;
}

int
dh_journal_read (dh_txn_t *txn, dh_dbi_t dbi, uint64_t newest,
                 dh_val_t *entries, size_t max, size_t *count)
{
    *count = 0;
    //  Walked newest first, then turned around.
    for (uint64_t seq = newest; seq; ) {
        if (*count == max)
            return DH_E_FULL;
        uint8_t key [8];
        dh_key_u64 (key, seq);
        dh_val_t value;
        int rc = dh_txn_get (txn, dbi, key, 8, &value);
        if (rc == DH_E_NOT_FOUND || (!rc && value.size < S_LINK))
            return DH_E_CORRUPT;
        if (rc)
            return rc;
        uint64_t previous = dh_key_u64_read (value.data);
        if (previous >= seq)
            return DH_E_CORRUPT;        //  links only point back: no loops
        if (entries)
            entries [*count] = (dh_val_t) {
                .data = (uint8_t *) value.data + S_LINK, .size = value.size - S_LINK
            };
        ++*count;
        seq = previous;
    }
    for (size_t i = 0; entries && i < *count / 2; i++) {
        dh_val_t swap = entries [i];
        entries [i] = entries [*count - 1 - i];
        entries [*count - 1 - i] = swap;
    }
    return 0;
}
