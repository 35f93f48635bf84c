//  dunghanctl watch: the daemons' event feeds, one line per committed
//  change. The feed is best-effort (a PUB socket drops what a slow
//  subscriber cannot take): a gap is named, never hidden, and then
//  mended: the watcher reads a snapshot of the daemon's state
//  (dh_subscriber) and prints it, so it ends with the true state.
#include <czmq.h>
#include "work.pb-c.h"
#include "dh_codec.h"
#include "dh_config.h"
#include "dh_error.h"
#include "dh_subscriber.h"
#include "dh_types.h"
#include "ctl.h"
#include "dh_pbjson.h"
#include "pbtext.h"

#define S_SERVICES_MAX 16

//  The payload type of each event type a daemon publishes.
static const struct {
    uint32_t type;
    const ProtobufCMessageDescriptor *payload;
} s_payloads [] = {
    { DH_MSG_ITEM_RECEIVED, &dh__item_received__descriptor },
    { DH_MSG_ITEM_CHANGED,  &dh__item_changed__descriptor },
};

typedef struct {
    const char *name;
    bool printing;              //  the entries of the snapshot being read are shown
    bool failing;               //  a snapshot failure was already named
} s_feed_t;

typedef struct {
    s_feed_t feeds [S_SERVICES_MAX];
    int feeds_count;
    bool json;
    bool show_first;            //  --snapshot: print the state at the start too
    long count;                 //  stop after this many events (0: never)
    long seen;
} s_watch_t;

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: dunghanctl watch [SERVICE...] [--count N] [--idle MS] [--snapshot] [--json] [--config FILE]\n"
        "       [--cert FILE]\n"
        "  print every change the daemons commit, as it happens (default: every daemon\n"
        "  the configuration names in a section)\n"
        "  --count N      stop after N events (exit 0)\n"
        "  --idle MS      stop with exit 1 when nothing came for MS milliseconds\n"
        "  --snapshot     print each daemon's state first, one line per item\n"
        "  --json         one JSON object per line: service, seq, at, type, payload\n"
        "                 (a snapshot's items: service, seq, snapshot: true, type, payload)\n"
        "  --config FILE  configuration (default $DUNGHAN_CONFIG)\n"
        "  --cert FILE    your certificate (default $DUNGHAN_CERT, else ctl/cert in the configuration)\n"
        "A line starting with '#' on standard error names events the feed dropped (the\n"
        "watcher was too slow); the watcher then reads the daemon's state and prints it,\n"
        "one line per item, and follows the feed from there.\n");
}

static const ProtobufCMessageDescriptor *
s_payload_type (uint32_t type)
{
    for (size_t i = 0; i < sizeof s_payloads / sizeof s_payloads [0]; i++)
        if (s_payloads [i].type == type)
            return s_payloads [i].payload;
    return NULL;
}

static s_feed_t *
s_feed (s_watch_t *self, const char *name)
{
    for (int i = 0; i < self->feeds_count; i++)
        if (!strcmp (self->feeds [i].name, name))
            return &self->feeds [i];
    return NULL;
}

//  "code STATE lead=... handler=... step=..." or "code procedure=... due=..."
static void
s_print_payload (const ProtobufCMessage *payload, size_t size)
{
    if (payload && payload->descriptor == &dh__item_changed__descriptor) {
        const Dh__ItemChanged *changed = (const Dh__ItemChanged *) payload;
        const ProtobufCEnumValue *state = protobuf_c_enum_descriptor_get_value (
            &dh__item_state__descriptor, changed->state);
        printf (" %s %s lead=%s handler=%s", changed->code, state? state->name: "?",
                *changed->lead_unit? changed->lead_unit: "-", *changed->handler? changed->handler: "-");
        if (changed->step)
            printf (" step=\"%s\"", changed->step->action);
    }
    else
    if (payload && payload->descriptor == &dh__item_received__descriptor) {
        const Dh__ItemReceived *received = (const Dh__ItemReceived *) payload;
        char due [40];
        dh_pbjson_time (received->due_at, due, sizeof due);
        printf (" %s procedure=%s lead=%s due=%s", received->code, received->procedure_code,
                received->lead_unit, due);
    }
    else
        printf (" (%zu bytes)", size);
}

//  One line: "intake #12 2025-04-26T16:30:00+07:00 ITEM_CHANGED code state ...", or
//  for a snapshot's item "intake snapshot@12 ITEM_CHANGED code state ...".
static void
s_print (s_watch_t *self, const char *service, uint64_t seq, const int64_t *at, uint32_t type,
         const uint8_t *data, size_t size)
{
    const ProtobufCMessageDescriptor *descriptor = s_payload_type (type);
    ProtobufCMessage *payload = descriptor? protobuf_c_message_unpack (descriptor, NULL, size, data): NULL;
    char when [40] = "";
    if (at)
        dh_pbjson_time (*at, when, sizeof when);
    if (self->json) {
        json_t *line = json_pack ("{s:s, s:I, s:s}", "service", service, "seq", (json_int_t) seq,
                                  "type", dh_type_name (type));
        if (at)
            json_object_set_new (line, "at", json_string (when));
        else
            json_object_set_new (line, "snapshot", json_true ());
        if (payload)
            json_object_set_new (line, "payload", dh_pbjson_from_message (payload));
        json_dumpf (line, stdout, JSON_COMPACT);
        json_decref (line);
    }
    else {
        if (at)
            printf ("%s #%" PRIu64 " %s %s", service, seq, when, dh_type_name (type));
        else
            printf ("%s snapshot@%" PRIu64 " %s", service, seq, dh_type_name (type));
        s_print_payload (payload, size);
    }
    printf ("\n");
    fflush (stdout);
    if (payload)
        protobuf_c_message_free_unpacked (payload, NULL);
}

static void
s_on_event (void *arg, const char *service, const dh_event_t *event)
{
    s_watch_t *self = arg;
    if (self->count && self->seen >= self->count)
        return;
    s_print (self, service, event->seq, &event->at, event->type, event->payload, event->payload_size);
    self->seen++;
}

static void
s_on_entry (void *arg, const char *service, uint64_t seq, const dh_subscriber_entry_t *entry)
{
    s_watch_t *self = arg;
    s_feed_t *feed = s_feed (self, service);
    if (feed && feed->printing)
        s_print (self, service, seq, NULL, entry->type, entry->payload, entry->payload_size);
}

static void
s_on_notice (void *arg, const dh_notice_t *notice)
{
    s_watch_t *self = arg;
    s_feed_t *feed = s_feed (self, notice->service);
    if (!feed)
        return;
    const char *name = notice->service;
    switch (notice->kind) {
        case DH_NOTICE_GAP:
            fprintf (stderr, "# %s: events %" PRIu64 "..%" PRIu64 " were dropped by the feed; "
                     "reading the daemon's state to recover\n", name, notice->from, notice->to);
            break;
        case DH_NOTICE_BACK:
            fprintf (stderr, "# %s: event %" PRIu64 " after %" PRIu64 ": the daemon's sequence went back "
                     "(was its store replaced?); reading its state afresh\n", name, notice->to, notice->from);
            break;
        case DH_NOTICE_SNAPSHOT_BEGIN:
            feed->printing = !notice->initial || self->show_first;
            feed->failing = false;
            if (feed->printing)
                fprintf (stderr, "# %s: its state as of event %" PRIu64 ":\n", name, notice->from);
            break;
        case DH_NOTICE_SNAPSHOT_END:
            if (feed->printing)
                fprintf (stderr, "# %s: %" PRIu64 " items as of events %" PRIu64 "..%" PRIu64
                         "; following the feed from there\n", name, notice->count, notice->from, notice->to);
            feed->printing = false;
            break;
        case DH_NOTICE_SNAPSHOT_FAILED:
            if (notice->error == DH_E_UNKNOWN)
                fprintf (stderr, "# %s serves no snapshots: a gap will only be named\n", name);
            else
            if (!feed->failing)
                fprintf (stderr, "# %s: cannot read its state: %s (%s)%s\n", name, dh_errname (notice->error),
                         notice->text? notice->text: dh_strerror (notice->error),
                         notice->error == DH_E_TIMEOUT? "; is it running? trying again": "; trying again");
            feed->failing = true;
            feed->printing = false;
            break;
    }
}

static const dh_subscriber_handlers_t s_handlers = { s_on_event, s_on_entry, s_on_notice };

int
ctl_watch_main (int argc, char **argv)
{
    const char *config_path = NULL, *cert = NULL;
    long idle_ms = 0;
    s_watch_t self = { .feeds_count = 0 };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        if (!strcmp (arg, "--help") || !strcmp (arg, "-h")) {
            s_usage (stdout);
            return 0;
        }
        if (!strcmp (arg, "--json"))
            self.json = true;
        else
        if (!strcmp (arg, "--snapshot"))
            self.show_first = true;
        else
        if (!strcmp (arg, "--cert") && i + 1 < argc)
            cert = argv [++i];
        else
        if ((!strcmp (arg, "--count") || !strcmp (arg, "--idle") || !strcmp (arg, "--config"))) {
            if (i + 1 >= argc) {
                fprintf (stderr, "dunghanctl watch: %s needs a value\n", arg);
                return 2;
            }
            const char *value = argv [++i];
            char *end;
            long number = strtol (value, &end, 10);
            if (!strcmp (arg, "--config"))
                config_path = value;
            else
            if (*end || number <= 0) {
                fprintf (stderr, "dunghanctl watch: %s wants a positive number, not '%s'\n", arg, value);
                return 2;
            }
            else
            if (!strcmp (arg, "--count"))
                self.count = number;
            else
                idle_ms = number;
        }
        else
        if (arg [0] != '-' && self.feeds_count < S_SERVICES_MAX)
            self.feeds [self.feeds_count++] = (s_feed_t) { .name = arg };
        else {
            fprintf (stderr, "dunghanctl watch: unexpected '%s' (see --help)\n", arg);
            return 2;
        }
    }
    dh_config_t *config;
    if (dh_config_load_file ("ctl", config_path, NULL, &config))
        return 1;
    //  By default, every daemon the configuration names.
    const char *section;
    bool named = self.feeds_count > 0;
    for (size_t i = 0; !named && (section = dh_config_section (config, i)); i++)
        if (strcmp (section, dh_config_service (config)) && self.feeds_count < S_SERVICES_MAX)
            self.feeds [self.feeds_count++] = (s_feed_t) { .name = section };
    int exit_code = 0;
    dh_subscriber_t *subscriber = NULL;
    dh_auth_t *auth = ctl_auth (config, cert);
    if (!auth) {
        exit_code = 1;
        goto done;
    }
    if (!self.feeds_count) {
        fprintf (stderr, "dunghanctl watch: the configuration names no daemon (a section per daemon; "
                 "see deploy/dunghan.cfg), and none was named here\n");
        exit_code = 1;
        goto done;
    }
    subscriber = dh_subscriber_new (config, auth, &s_handlers, &self);
    for (int i = 0; subscriber && i < self.feeds_count; i++) {
        if (dh_subscriber_add (subscriber, self.feeds [i].name, DH_SNAPSHOT_ALWAYS)) {
            fprintf (stderr, "dunghanctl watch: cannot subscribe to %s at %s\n", self.feeds [i].name,
                     dh_config_get_for (config, self.feeds [i].name, "events"));
            exit_code = 1;
            goto done;
        }
        fprintf (stderr, "# watching %s at %s\n", self.feeds [i].name,
                 dh_config_get_for (config, self.feeds [i].name, "events"));
    }
    while (subscriber && (!self.count || self.seen < self.count)) {
        if (dh_subscriber_wait (subscriber, idle_ms? (int) idle_ms: -1))
            continue;
        if (zsys_interrupted)
            break;                      //  Ctrl-C ends a watch normally
        fprintf (stderr, "dunghanctl watch: nothing for %ld ms (%ld events seen)\n", idle_ms, self.seen);
        exit_code = 1;
        break;
    }
done:
    dh_subscriber_destroy (&subscriber);
    dh_auth_destroy (&auth);
    dh_config_destroy (&config);
    return exit_code;
}
