/*  dh_subscriber — follow daemons' event feeds without losing anything:
    the zguide "Clone" pattern over dh_service's feed and SNAPSHOT command.

    The feed is best-effort: a subscriber too slow for it loses events,
    and sees a gap in the daemon's seq. So, per daemon, the subscriber
    tracks the last seq and, at the start, on a gap, or when the seq goes
    back (the daemon's store was replaced), asks the daemon for a snapshot
    of its state (dh_snapshot.h) and goes on from it:

      - it subscribes first, then asks, so no event falls between the two;
      - events that come while the snapshot is read are held back;
      - the snapshot comes in pages, each consistent with a seq of its own
        (S_1 for the first, S_last for the last), delivered as entries;
      - then the held events go out: those at or below S_1 are dropped
        (every page has them), later ones are delivered.

    An event between S_1 and S_last may be older than the page its item
    was on: keep, per key, the value with the newest seq (an entry is as
    of its page's seq; an event as of its own), and apply an event only
    to a value older than it. With one page (S_1 == S_last), as for any
    state that fits in one, every delivered event is newer than every
    entry.

    A change published in the instant between subscribing and the
    subscription reaching the daemon is missed like any dropped event: the
    next event shows the gap. When a feed is quiet, the subscriber asks the
    daemon for its seq now and then (set_check), so lost last events are
    found too.

    It runs on a zloop (dh_subscriber_attach: daemons) or in a blocking
    program (dh_subscriber_wait: dunghanctl, tests). Callbacks run inside
    the loop's handlers or inside dh_subscriber_wait; they must not
    destroy the subscriber.  */
#ifndef DH_SUBSCRIBER_H
#define DH_SUBSCRIBER_H

#include <czmq.h>
#include "dh_auth.h"
#include "dh_codec.h"
#include "dh_config.h"

typedef struct _dh_subscriber_t dh_subscriber_t;

//  One item of a snapshot: its key, the event type whose payload shape
//  it has, and that payload.
typedef struct {
    const uint8_t *key;
    size_t key_size;
    uint32_t type;
    const uint8_t *payload;
    size_t payload_size;
} dh_subscriber_entry_t;

typedef enum {
    DH_NOTICE_GAP = 1,          //  events from..to never came; a snapshot follows
    DH_NOTICE_BACK,             //  the seq went back from `from` to `to`: the store was
                                //  replaced, forget what you hold of this daemon
    DH_NOTICE_SNAPSHOT_BEGIN,   //  entries follow; `initial` for the one at the start
    DH_NOTICE_SNAPSHOT_END,     //  `count` entries, as of seqs `from` (S_1) to `to` (S_last)
    DH_NOTICE_SNAPSHOT_FAILED,  //  `error` (and the daemon's `text`); asked again later,
                                //  `count` failures in a row. E_UNKNOWN_TYPE: the daemon
                                //  serves no snapshots; gaps are then only noticed.
} dh_notice_kind_t;

typedef struct {
    dh_notice_kind_t kind;
    const char *service;
    uint64_t from;
    uint64_t to;
    uint64_t count;
    bool initial;
    int error;
    const char *text;           //  NULL unless the daemon said why
} dh_notice_t;

//  The callbacks (arg is dh_subscriber_new's). Everything they get
//  points into the subscriber: valid during the call only.
typedef void (dh_subscriber_event_fn) (void *arg, const char *service, const dh_event_t *event);
typedef void (dh_subscriber_entry_fn) (void *arg, const char *service, uint64_t seq,
                                       const dh_subscriber_entry_t *entry);
typedef void (dh_subscriber_notice_fn) (void *arg, const dh_notice_t *notice);

typedef struct {
    dh_subscriber_event_fn *event;
    dh_subscriber_entry_fn *entry;
    dh_subscriber_notice_fn *notice;    //  may be NULL
} dh_subscriber_handlers_t;

//  A subscriber that finds each daemon's endpoints in config (its
//  `events` and `api` keys) and calls handlers with arg. It connects to
//  both with auth's certificate (CURVE), each daemon known by its own,
//  {certs}/<daemon>.cert. NULL when out of memory.
//  @note config, auth and handlers stay the caller's and must outlive it.
dh_subscriber_t *dh_subscriber_new (dh_config_t *config, dh_auth_t *auth,
                                    const dh_subscriber_handlers_t *handlers, void *arg);

//  Close the sockets and leave the loop it was attached to (which must
//  still exist).
void dh_subscriber_destroy (dh_subscriber_t **self_p);

//  When a daemon's state is asked for.
typedef enum {
    DH_SNAPSHOT_NEVER,          //  the first event sets the seq; gaps are only noticed
    DH_SNAPSHOT_ALWAYS,         //  at the start and after every gap (a full mirror)
    DH_SNAPSHOT_ON_GAP,         //  the first event sets the seq; a gap brings one (a
                                //  follower that needs the state only to repair a loss)
} dh_snapshot_when_t;

//  Follow one more daemon: subscribe to its feed now, snapshots as when
//  says (the first as soon as the subscriber runs). Errors: DH_E_EXISTS
//  (already followed), DH_E_INVALID (an endpoint that does not parse, or
//  no certificate of the daemon; logged), DH_E_NOMEM.
int dh_subscriber_add (dh_subscriber_t *self, const char *service, dh_snapshot_when_t when);

//  Settings. Events kept for us while we are busy (the SUB socket's
//  high-water mark; ZeroMQ's default, 1000, when not set), for daemons
//  added after it; the others apply at once.
void dh_subscriber_set_queue (dh_subscriber_t *self, int events);
//  Entries per snapshot page asked for (0: the daemon's default).
void dh_subscriber_set_page (dh_subscriber_t *self, uint32_t entries);
//  How long to wait for an answer (default 5000 ms).
void dh_subscriber_set_timeout (dh_subscriber_t *self, int timeout_ms);
//  When a feed was quiet this long, ask its daemon for its seq, to find
//  events lost at the end (default 2000 ms; 0: never).
void dh_subscriber_set_check (dh_subscriber_t *self, int quiet_ms);

//  Run on loop: its sockets polled, its timers set there.
//  Errors: DH_E_EXISTS (already attached), DH_E_NOMEM.
int dh_subscriber_attach (dh_subscriber_t *self, zloop_t *loop);

//  Without a loop: wait up to timeout_ms (-1: no limit) until events or
//  entries were delivered, doing the subscriber's work meanwhile. Returns
//  how many were delivered; 0 when the time ran out or a signal came
//  (check zsys_interrupted).
int dh_subscriber_wait (dh_subscriber_t *self, int timeout_ms);

//  The seq a daemon's delivered state stands at (the last event, or the
//  snapshot's S_1); 0 before any. 0 for a daemon not followed.
uint64_t dh_subscriber_seq (dh_subscriber_t *self, const char *service);

//  True when no daemon awaits a snapshot or is sending one.
bool dh_subscriber_synced (dh_subscriber_t *self);

#endif
