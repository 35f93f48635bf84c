//  dunghanctl watch: the daemons' event feeds, one line per committed
//  change, with gaps named. The feed is best-effort (a PUB socket drops
//  what a slow subscriber cannot take), so a gap is reported, never hidden:
//  the watcher then re-reads the items it cares about.
#include <czmq.h>
#include "work.pb-c.h"
#include "dh_codec.h"
#include "dh_config.h"
#include "dh_types.h"
#include "ctl.h"
#include "pbtext.h"

#define S_SERVICES_MAX 8

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
    zsock_t *subscriber;
    uint64_t last_seq;          //  0 until the first event is seen
} s_feed_t;

static void
s_usage (FILE *out)
{
    fprintf (out,
        "usage: dunghanctl watch [SERVICE...] [--count N] [--idle MS] [--json] [--config FILE]\n"
        "  print every change the daemons commit, as it happens (default: intake and assign)\n"
        "  --count N      stop after N events (exit 0)\n"
        "  --idle MS      stop with exit 1 when nothing came for MS milliseconds\n"
        "  --json         one JSON object per line: service, seq, at, type, payload\n"
        "  --config FILE  configuration (default $DUNGHAN_CONFIG)\n"
        "A line starting with '#' on standard error names events the feed dropped\n"
        "(the subscriber was too slow): re-read those items with 'status'.\n");
}

static const ProtobufCMessageDescriptor *
s_payload_type (uint32_t type)
{
    for (size_t i = 0; i < sizeof s_payloads / sizeof s_payloads [0]; i++)
        if (s_payloads [i].type == type)
            return s_payloads [i].payload;
    return NULL;
}

//  "intake #12 2025-04-26T16:30:00+07:00 ITEM_CHANGED code state ..."
static void
s_print_text (const s_feed_t *feed, const dh_event_t *event, const ProtobufCMessage *payload)
{
    char at [40];
    pbtext_time (event->at, at, sizeof at);
    printf ("%s #%" PRIu64 " %s %s", feed->name, event->seq, at, dh_type_name (event->type));
    if (payload && payload->descriptor == &dh__item_changed__descriptor) {
        const Dh__ItemChanged *changed = (const Dh__ItemChanged *) payload;
        const ProtobufCEnumValue *state = protobuf_c_enum_descriptor_get_value (
            &dh__item_state__descriptor, changed->state);
        printf (" %s %s lead=%s handler=%s", changed->code, state? state->name: "?",
                changed->lead_unit, *changed->handler? changed->handler: "-");
        if (changed->step)
            printf (" step=\"%s\"", changed->step->action);
    }
    else
    if (payload && payload->descriptor == &dh__item_received__descriptor) {
        const Dh__ItemReceived *received = (const Dh__ItemReceived *) payload;
        char due [40];
        pbtext_time (received->due_at, due, sizeof due);
        printf (" %s procedure=%s lead=%s due=%s", received->code, received->procedure_code,
                received->lead_unit, due);
    }
    else
        printf (" (%zu bytes)", event->payload_size);
    printf ("\n");
}

static void
s_print_json (const s_feed_t *feed, const dh_event_t *event, const ProtobufCMessage *payload)
{
    char at [40];
    pbtext_time (event->at, at, sizeof at);
    json_t *line = json_pack ("{s:s, s:I, s:s, s:s}", "service", feed->name,
                              "seq", (json_int_t) event->seq, "at", at, "type", dh_type_name (event->type));
    if (payload)
        json_object_set_new (line, "payload", pbtext_json (payload));
    json_dumpf (line, stdout, JSON_COMPACT);
    printf ("\n");
    json_decref (line);
}

//  Name what the feed dropped since the last event of this daemon. A
//  sequence that goes back means the daemon's store was replaced.
static void
s_check_gap (s_feed_t *feed, uint64_t seq)
{
    if (feed->last_seq && seq > feed->last_seq + 1)
        fprintf (stderr, "# %s: events %" PRIu64 "..%" PRIu64 " were dropped by the feed; "
                 "re-read the items concerned with 'dunghanctl status'\n",
                 feed->name, feed->last_seq + 1, seq - 1);
    else
    if (feed->last_seq && seq <= feed->last_seq)
        fprintf (stderr, "# %s: event %" PRIu64 " after %" PRIu64 ": the daemon's sequence went back "
                 "(was its store replaced?)\n", feed->name, seq, feed->last_seq);
    feed->last_seq = seq;
}

int
ctl_watch_main (int argc, char **argv)
{
    const char *config_path = NULL;
    bool json = false;
    long count = 0, idle_ms = 0;
    s_feed_t feeds [S_SERVICES_MAX];
    int feeds_count = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv [i];
        if (!strcmp (arg, "--help") || !strcmp (arg, "-h")) {
            s_usage (stdout);
            return 0;
        }
        if (!strcmp (arg, "--json"))
            json = true;
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
                count = number;
            else
                idle_ms = number;
        }
        else
        if (arg [0] != '-' && feeds_count < S_SERVICES_MAX)
            feeds [feeds_count++] = (s_feed_t) { arg, NULL, 0 };
        else {
            fprintf (stderr, "dunghanctl watch: unexpected '%s' (see --help)\n", arg);
            return 2;
        }
    }
    if (!feeds_count) {
        feeds [feeds_count++] = (s_feed_t) { "intake", NULL, 0 };
        feeds [feeds_count++] = (s_feed_t) { "assign", NULL, 0 };
    }
    dh_config_t *config;
    if (dh_config_load_file ("ctl", config_path, NULL, &config))
        return 1;
    int exit_code = 0;
    zpoller_t *poller = zpoller_new (NULL);
    for (int i = 0; i < feeds_count; i++) {
        const char *endpoint = dh_config_get_for (config, feeds [i].name, "events");
        feeds [i].subscriber = zsock_new_sub (endpoint, "");
        if (!feeds [i].subscriber) {
            fprintf (stderr, "dunghanctl watch: cannot subscribe to %s at %s\n", feeds [i].name, endpoint);
            exit_code = 1;
            goto done;
        }
        zpoller_add (poller, feeds [i].subscriber);
        fprintf (stderr, "# watching %s at %s\n", feeds [i].name, endpoint);
    }
    dh_codec_t *codec = dh_codec_new (1 << 20);
    long seen = 0;
    while (!count || seen < count) {
        zsock_t *which = zpoller_wait (poller, idle_ms? (int) idle_ms: -1);
        if (!which) {
            if (!zpoller_expired (poller))
                break;                      //  interrupted: Ctrl-C ends a watch normally
            fprintf (stderr, "dunghanctl watch: nothing for %ld ms (%ld events seen)\n", idle_ms, seen);
            exit_code = 1;
            break;
        }
        s_feed_t *feed = NULL;
        for (int i = 0; i < feeds_count; i++)
            if (feeds [i].subscriber == which)
                feed = &feeds [i];
        zframe_t *frame = zframe_recv (which);
        dh_event_t event;
        if (!frame || !feed
        ||  dh_codec_decode_event (codec, zframe_data (frame), zframe_size (frame), &event)) {
            fprintf (stderr, "# %s: an event that does not decode (%zu bytes)\n",
                     feed? feed->name: "?", frame? zframe_size (frame): 0);
            zframe_destroy (&frame);
            continue;
        }
        s_check_gap (feed, event.seq);
        const ProtobufCMessageDescriptor *type = s_payload_type (event.type);
        ProtobufCMessage *payload = type?
            protobuf_c_message_unpack (type, NULL, event.payload_size, event.payload): NULL;
        if (json)
            s_print_json (feed, &event, payload);
        else
            s_print_text (feed, &event, payload);
        fflush (stdout);
        if (payload)
            protobuf_c_message_free_unpacked (payload, NULL);
        zframe_destroy (&frame);
        dh_codec_reset (codec);
        seen++;
    }
    dh_codec_destroy (&codec);
done:
    zpoller_destroy (&poller);
    for (int i = 0; i < feeds_count; i++)
        zsock_destroy (&feeds [i].subscriber);
    dh_config_destroy (&config);
    return exit_code;
}
