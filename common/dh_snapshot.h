/*  dh_snapshot — the SNAPSHOT command: a service's state, one page at a
    time, for a subscriber that lost events from the feed (dh_subscriber.h,
    the zguide "Clone" pattern).

    State is listed per item (a key, the event type whose payload shape
    it has, and that payload: what a subscriber would hold had it seen
    every event). Pages go in key order, each starting after the last key
    of the one before, so a big store is never read in one transaction
    or sent in one message.

    Why each page carries its own seq: a page is read in the transaction
    of the batch it is answered in, after the commands before it in that
    batch; dh_service_feed_seq then counts exactly the events those
    commands published, which leave before the reply does. So page i
    shows every key on it as of seq S_i, and pages read later have a
    higher S. A subscriber that subscribed before asking drops events at
    or below S_1 (every page has them), applies those above S_last, and
    for one in between keeps, per key, the value with the newer seq (an
    entry counts as of its page's seq), as the zguide's kvmsg does.
    Keys are never reused for another item, so a key's newest seq is its
    truth.

    A module serves snapshots with one row in its command table:
        { DH_MSG_SNAPSHOT, dh_snapshot_handle, DH_FROM_CLIENT, 0, false, &my_source }
    where my_source lists its entries after a key; the row's state (the
    module's, from dh_service_register) is passed to the listing.  */
#ifndef DH_SNAPSHOT_H
#define DH_SNAPSHOT_H

#include <protobuf-c/protobuf-c.h>
#include "dh_service.h"

//  Most entries in a page, whatever the request asks, and the page's
//  size in bytes past which no more entries are added (one entry always
//  goes, however big).
#define DH_SNAPSHOT_LIMIT       4096
#define DH_SNAPSHOT_LIMIT_BYTES (512 * 1024)
//  The page a request gets when it asks for no number.
#define DH_SNAPSHOT_PAGE        1024
//  Longest key (LMDB's own limit).
#define DH_SNAPSHOT_KEY_MAX     511

typedef struct _dh_snapshot_page_t dh_snapshot_page_t;

//  List the module's entries whose keys sort after `after` (after_size 0:
//  from the first), in key order, into page with dh_snapshot_add, until
//  it says the page is full or there is no more. Read from call->txn.
//  Return 0 or an error code (then say why with dh_call_fail).
typedef int (dh_snapshot_list_fn) (dh_call_t *call, void *state, const void *after,
                                   size_t after_size, dh_snapshot_page_t *page);

//  What the command table's `rule` column points to.
typedef struct {
    dh_snapshot_list_fn *list;
} dh_snapshot_source_t;

//  The SNAPSHOT handler: the request's page from call->command->rule's
//  source, answered as a SnapshotReply. Errors: DH_E_MALFORMED (not a
//  SnapshotRequest), DH_E_INVALID (a key longer than DH_SNAPSHOT_KEY_MAX),
//  DH_E_NOMEM, and the source's.
int dh_snapshot_handle (dh_call_t *call, void *state);

//  Add one entry (key, the event type, its payload; all copied) to the
//  page. Keys must come in ascending order. Returns 0 to go on, 1 when
//  the page is now full (stop: the next page starts after this key), or
//  DH_E_NOMEM.
int dh_snapshot_add (dh_snapshot_page_t *page, const void *key, size_t key_size,
                     uint32_t type, const void *payload, size_t size);

//  The same with the payload a message, packed in the batch's arena.
//  Errors: as dh_snapshot_add; DH_E_NOMEM after dh_call_fail has said so.
int dh_snapshot_add_message (dh_call_t *call, dh_snapshot_page_t *page, const void *key, size_t key_size,
                             uint32_t type, const ProtobufCMessage *message);

//  The usual listing: a table's rows after `after`, each turned into an
//  entry by fn (which calls dh_snapshot_add and returns what it
//  returned, or an error). Stops when the page is full. Errors: fn's and
//  the store's.
typedef int (dh_snapshot_row_fn) (dh_call_t *call, void *state, const dh_val_t *key,
                                  const dh_val_t *value, dh_snapshot_page_t *page);
int dh_snapshot_walk (dh_call_t *call, dh_dbi_t dbi, const void *after, size_t after_size,
                      dh_snapshot_row_fn *fn, void *state, dh_snapshot_page_t *page);

#endif
