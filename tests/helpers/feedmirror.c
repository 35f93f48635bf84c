/*  feedmirror — a follower of the daemons' feeds built on dh_subscriber:
    it mirrors each item's state (state, lead unit, handler) from events
    and snapshots, and prints its final state sorted, so a test can set a
    follower that lost events beside a fresh one.

    feedmirror [OPTIONS] SERVICE...
      --once          print as soon as the first snapshots are in
      --idle MS       print once nothing came for MS ms (after the first snapshots)
      --pause FILE    read nothing while FILE exists (a stalled reader)
      --ready FILE    create FILE once the first snapshots are in
      --queue N       events kept for it while it does not read (SUB high-water mark)
      --page N        entries per snapshot page
      --check MS      ask a quiet daemon for its seq after MS ms
    Prints "# SERVICE seq N" and "SERVICE CODE STATE lead=U handler=H"
    lines; on stderr each gap, seq going back and snapshot. Exit 0, or 1
    when it did not finish within 120 s.  */
#include <czmq.h>
#include "work.pb-c.h"
#include "dh_config.h"
#include "dh_error.h"
#include "dh_subscriber.h"
#include "dh_types.h"
#include "identity.h"

#define S_SERVICES_MAX 8

typedef struct {
    char *state;
    char *lead;
    char *handler;
    uint64_t seq;               //  the seq this value is as of
} s_item_t;

typedef struct {
    const char *name;
    zhashx_t *items;            //  code -> s_item_t
} s_mirror_t;

typedef struct {
    s_mirror_t mirrors [S_SERVICES_MAX];
    int count;
} s_state_t;

static void
s_item_destroy (void **item_p)
{
    s_item_t *item = *item_p;
    if (item) {
        free (item->state);
        free (item->lead);
        free (item->handler);
        free (item);
        *item_p = NULL;
    }
}

static s_mirror_t *
s_mirror (s_state_t *self, const char *service)
{
    for (int i = 0; i < self->count; i++)
        if (!strcmp (self->mirrors [i].name, service))
            return &self->mirrors [i];
    return NULL;
}

static void
s_set (char **field, const char *value)
{
    free (*field);
    *field = strdup (value);
}

//  Apply one change as the daemons do: the state always, the lead unit
//  and handler when given. `whole` (a snapshot entry) replaces them.
static void
s_apply (s_mirror_t *mirror, const char *code, int state, const char *lead, const char *handler,
         uint64_t seq, bool whole)
{
    s_item_t *item = zhashx_lookup (mirror->items, code);
    //  Per key the value with the newest seq: an entry as of its page's
    //  seq, an event as of its own (dh_subscriber.h).
    if (item && (whole? seq < item->seq: seq <= item->seq))
        return;
    if (!item) {
        item = calloc (1, sizeof *item);
        item->lead = strdup ("");
        item->handler = strdup ("");
        zhashx_update (mirror->items, code, item);
    }
    const ProtobufCEnumValue *name = protobuf_c_enum_descriptor_get_value (&dh__item_state__descriptor, state);
    s_set (&item->state, name? name->name: "?");
    if (whole || *lead)
        s_set (&item->lead, lead);
    if (whole || *handler)
        s_set (&item->handler, handler);
    item->seq = seq;
}

static void
s_change (s_mirror_t *mirror, uint32_t type, const uint8_t *data, size_t size, uint64_t seq, bool whole)
{
    if (type == DH_MSG_ITEM_RECEIVED) {
        Dh__ItemReceived *received = dh__item_received__unpack (NULL, size, data);
        if (received)
            s_apply (mirror, received->code, DH__ITEM_STATE__RECEIVED, received->lead_unit, "", seq, whole);
        dh__item_received__free_unpacked (received, NULL);
    }
    else
    if (type == DH_MSG_ITEM_CHANGED) {
        Dh__ItemChanged *changed = dh__item_changed__unpack (NULL, size, data);
        if (changed)
            s_apply (mirror, changed->code, changed->state, changed->lead_unit, changed->handler, seq, whole);
        dh__item_changed__free_unpacked (changed, NULL);
    }
}

static void
s_on_event (void *arg, const char *service, const dh_event_t *event)
{
    s_mirror_t *mirror = s_mirror (arg, service);
    if (mirror)
        s_change (mirror, event->type, event->payload, event->payload_size, event->seq, false);
}

static void
s_on_entry (void *arg, const char *service, uint64_t seq, const dh_subscriber_entry_t *entry)
{
    s_mirror_t *mirror = s_mirror (arg, service);
    if (mirror)
        s_change (mirror, entry->type, entry->payload, entry->payload_size, seq, true);
}

static void
s_on_notice (void *arg, const dh_notice_t *notice)
{
    s_mirror_t *mirror = s_mirror (arg, notice->service);
    const char *name = notice->service;
    switch (notice->kind) {
        case DH_NOTICE_GAP:
            fprintf (stderr, "# %s: events %" PRIu64 "..%" PRIu64 " lost\n", name, notice->from, notice->to);
            break;
        case DH_NOTICE_BACK:
            fprintf (stderr, "# %s: seq went back from %" PRIu64 " to %" PRIu64 "\n", name, notice->from, notice->to);
            if (mirror)
                zhashx_purge (mirror->items);
            break;
        case DH_NOTICE_SNAPSHOT_BEGIN:
            break;
        case DH_NOTICE_SNAPSHOT_END:
            fprintf (stderr, "# %s: %s snapshot, %" PRIu64 " items as of %" PRIu64 "..%" PRIu64 "\n", name,
                     notice->initial? "first": "recovery", notice->count, notice->from, notice->to);
            break;
        case DH_NOTICE_SNAPSHOT_FAILED:
            fprintf (stderr, "# %s: snapshot failed: %s\n", name, dh_errname (notice->error));
            break;
    }
}

static const dh_subscriber_handlers_t s_handlers = { s_on_event, s_on_entry, s_on_notice };

static int
s_compare (const void *a, const void *b)
{
    return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
s_print (s_state_t *self, dh_subscriber_t *subscriber)
{
    for (int i = 0; i < self->count; i++) {
        s_mirror_t *mirror = &self->mirrors [i];
        printf ("# %s seq %" PRIu64 "\n", mirror->name, dh_subscriber_seq (subscriber, mirror->name));
        size_t count = 0;
        char **lines = calloc (zhashx_size (mirror->items) + 1, sizeof *lines);
        for (s_item_t *item = zhashx_first (mirror->items); item; item = zhashx_next (mirror->items))
            lines [count++] = zsys_sprintf ("%s %s %s lead=%s handler=%s", mirror->name,
                                            (const char *) zhashx_cursor (mirror->items), item->state,
                                            *item->lead? item->lead: "-", *item->handler? item->handler: "-");
        qsort (lines, count, sizeof *lines, s_compare);
        for (size_t line = 0; line < count; line++) {
            printf ("%s\n", lines [line]);
            zstr_free (&lines [line]);
        }
        free (lines);
    }
}

int
main (int argc, char **argv)
{
    const char *pause = NULL, *ready = NULL;
    long idle_ms = 0, queue = 0, page = 0, check_ms = -1;
    bool once = false;
    s_state_t self = { .count = 0 };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        const char *value = i + 1 < argc? argv [i + 1]: "";
        if (!strcmp (arg, "--once"))
            once = true;
        else
        if (!strcmp (arg, "--pause") && ++i)
            pause = value;
        else
        if (!strcmp (arg, "--ready") && ++i)
            ready = value;
        else
        if (!strcmp (arg, "--idle") && ++i)
            idle_ms = atol (value);
        else
        if (!strcmp (arg, "--queue") && ++i)
            queue = atol (value);
        else
        if (!strcmp (arg, "--page") && ++i)
            page = atol (value);
        else
        if (!strcmp (arg, "--check") && ++i)
            check_ms = atol (value);
        else
        if (arg [0] != '-' && self.count < S_SERVICES_MAX)
            self.mirrors [self.count++] = (s_mirror_t) { arg, NULL };
        else {
            fprintf (stderr, "usage: feedmirror [--once] [--idle MS] [--pause FILE] [--ready FILE] "
                     "[--queue N] [--page N] [--check MS] SERVICE...\n");
            return 2;
        }
    }
    if (!self.count || (!once && !idle_ms)) {
        fprintf (stderr, "feedmirror: name the daemons, and --once or --idle\n");
        return 2;
    }
    dh_config_t *config;
    if (dh_config_load_file ("feedmirror", NULL, NULL, &config))
        return 1;
    dh_auth_t *auth = helper_auth ("feedmirror");
    dh_subscriber_t *subscriber = dh_subscriber_new (config, auth, &s_handlers, &self);
    if (queue)
        dh_subscriber_set_queue (subscriber, (int) queue);
    if (page)
        dh_subscriber_set_page (subscriber, (uint32_t) page);
    if (check_ms >= 0)
        dh_subscriber_set_check (subscriber, (int) check_ms);
    for (int i = 0; i < self.count; i++) {
        self.mirrors [i].items = zhashx_new ();
        zhashx_set_destructor (self.mirrors [i].items, s_item_destroy);
        if (dh_subscriber_add (subscriber, self.mirrors [i].name, DH_SNAPSHOT_ALWAYS))
            return 1;
    }
    int64_t start = zclock_mono (), active = start;
    bool synced_once = false;
    int exit_code = 1;
    while (!zsys_interrupted && zclock_mono () - start < 120 * 1000) {
        if (pause && zsys_file_exists (pause)) {
            zclock_sleep (10);
            active = zclock_mono ();
            continue;
        }
        if (dh_subscriber_wait (subscriber, 50))
            active = zclock_mono ();
        bool synced = dh_subscriber_synced (subscriber);
        if (synced && !synced_once) {
            synced_once = true;
            if (ready)
                fclose (fopen (ready, "w"));
        }
        if ((once && synced) || (idle_ms && synced_once && synced && zclock_mono () - active >= idle_ms)) {
            exit_code = 0;
            break;
        }
    }
    if (exit_code)
        fprintf (stderr, "feedmirror: not done after 120 s\n");
    else
        s_print (&self, subscriber);
    dh_subscriber_destroy (&subscriber);
    for (int i = 0; i < self.count; i++)
        zhashx_destroy (&self.mirrors [i].items);
    dh_config_destroy (&config);
    return exit_code;
}
