//  GET /events: every daemon's feed as Server-Sent Events.
//
//  The common subscriber (dh_subscriber) runs on the daemon's loop and
//  puts each event, already written as its SSE text, into a ring of the
//  last `events_ring` events, numbered gateway-wide; each stream, on its
//  own connection thread, reads the ring from where it stands and waits
//  on a condition variable when it is at the end. The numbers start at
//  the gateway's start time in milliseconds, so the id a client saw
//  before a restart is (unless the gateway ran at over a thousand events
//  a second) below every new one, and the client is told to start afresh
//  rather than be given a wrong replay.
//
//  A client that comes back with Last-Event-ID gets what followed it, or
//  `event: snapshot-needed` when the ring no longer holds it (it then
//  reads the state it shows from the API, as at its start). A gap in a
//  daemon's own feed (events it dropped) is passed on as `event: gap`,
//  and the gateway fetches that daemon's state (dh_subscriber, the Clone
//  pattern), passed on item by item as `event: snapshot`.
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include "deadline.pb-c.h"
#include "notify.pb-c.h"
#include "work.pb-c.h"
#include "dh_error.h"
#include "dh_subscriber.h"
#include "dh_types.h"
#include "gateway.h"

#define S_KEEPALIVE_MS 15000
#define S_GATHER_US 5000            //  the most an event waits for others to go with it
#define S_CHUNK_MAX (64 * 1024)     //  most bytes a stream takes from the ring at once
#define S_QUEUE 100000              //  events the feeds keep for us while we are busy

//  The payload type of each event type the daemons publish.
static const struct {
    uint32_t type;
    const ProtobufCMessageDescriptor *payload;
} s_payloads [] = {
    { DH_MSG_ITEM_RECEIVED,       &dh__item_received__descriptor },
    { DH_MSG_ITEM_CHANGED,        &dh__item_changed__descriptor },
    { DH_MSG_DEADLINE_WARNING,    &dh__deadline_notice__descriptor },
    { DH_MSG_DEADLINE_BREACHED,   &dh__deadline_notice__descriptor },
    { DH_MSG_CLOCK_STOPPED,       &dh__clock_stopped__descriptor },
    { DH_MSG_NOTIFICATION_SENT,   &dh__notification__descriptor },
    { DH_MSG_NOTIFICATION_FAILED, &dh__notification__descriptor },
};

typedef struct {
    uint64_t id;
    char *text;                 //  "id: N\n[event: E\n]data: {...}\n\n"
} s_slot_t;

struct _events_t {
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    s_slot_t *slots;            //  id N lives in slots [N % capacity]
    size_t capacity;
    size_t count;               //  held: ids next_id - count .. next_id - 1
    uint64_t next_id;
    bool stopping;
    uint64_t received;
    uint64_t clients;
    dh_subscriber_t *subscriber;
};

//  One stream: where it stands in the ring and the text not yet sent.
typedef struct {
    events_t *events;
    uint64_t next;
    char *pending;
    size_t size;
    size_t offset;
} s_stream_t;

//  data (taken) as the next id of the ring, under event if named. On the
//  loop's thread.
static void
s_push (events_t *self, const char *event, json_t *data)
{
    char *json = json_dumps (data, JSON_COMPACT);
    json_decref (data);
    if (!json)
        return;
    pthread_mutex_lock (&self->mutex);
    uint64_t id = self->next_id++;
    char *text = event? zsys_sprintf ("id: %" PRIu64 "\nevent: %s\ndata: %s\n\n", id, event, json)
                      : zsys_sprintf ("id: %" PRIu64 "\ndata: %s\n\n", id, json);
    s_slot_t *slot = &self->slots [id % self->capacity];
    free (slot->text);
    slot->id = id;
    slot->text = text;
    if (self->count < self->capacity)
        self->count++;
    self->received++;
    pthread_cond_broadcast (&self->changed);
    pthread_mutex_unlock (&self->mutex);
    free (json);
}

static const ProtobufCMessageDescriptor *
s_payload_type (uint32_t type)
{
    for (size_t i = 0; i < sizeof s_payloads / sizeof s_payloads [0]; i++)
        if (s_payloads [i].type == type)
            return s_payloads [i].payload;
    return NULL;
}

//  The payload into data: as JSON when its type is known, else its
//  bytes, untouched (a type this gateway does not know yet).
static void
s_set_payload (json_t *data, uint32_t type, const uint8_t *bytes, size_t size)
{
    const ProtobufCMessageDescriptor *descriptor = s_payload_type (type);
    ProtobufCMessage *payload = descriptor? protobuf_c_message_unpack (descriptor, NULL, size, bytes): NULL;
    if (payload) {
        json_object_set_new (data, "payload", dh_pbjson_from_message (payload));
        protobuf_c_message_free_unpacked (payload, NULL);
        return;
    }
    size_t encoded = sodium_base64_ENCODED_LEN (size, sodium_base64_VARIANT_ORIGINAL);
    char *base64 = malloc (encoded);
    if (base64) {
        sodium_bin2base64 (base64, encoded, bytes, size, sodium_base64_VARIANT_ORIGINAL);
        json_object_set_new (data, "payload_base64", json_string (base64));
        free (base64);
    }
}

static void
s_on_event (void *arg, const char *service, const dh_event_t *event)
{
    events_t *self = arg;
    char when [40] = "";
    dh_pbjson_time (event->at, when, sizeof when);
    json_t *data = json_pack ("{s:s, s:I, s:s, s:I, s:s}", "daemon", service, "seq", (json_int_t) event->seq,
                              "type", dh_type_name (event->type), "at", (json_int_t) event->at,
                              "at_local", when);
    if (!data)
        return;
    s_set_payload (data, event->type, event->payload, event->payload_size);
    s_push (self, NULL, data);
}

//  A daemon's feed dropped events: the subscriber fetched its state (the
//  Clone pattern), and each item of it goes to the streams as
//  `event: snapshot`, between snapshot-begin and snapshot-end, so a
//  client that keeps per-item state can mend it.
static void
s_on_entry (void *arg, const char *service, uint64_t seq, const dh_subscriber_entry_t *entry)
{
    events_t *self = arg;
    json_t *data = json_pack ("{s:s, s:I, s:s%, s:s}", "daemon", service, "seq", (json_int_t) seq,
                              "key", (const char *) entry->key, entry->key_size, "type", dh_type_name (entry->type));
    if (!data)
        return;
    s_set_payload (data, entry->type, entry->payload, entry->payload_size);
    s_push (self, "snapshot", data);
}

static void
s_on_notice (void *arg, const dh_notice_t *notice)
{
    events_t *self = arg;
    const char *service = notice->service;
    switch (notice->kind) {
        case DH_NOTICE_GAP:
        case DH_NOTICE_BACK:
            zsys_warning ("gateway: %s's feed %s (%" PRIu64 " .. %" PRIu64 "): its state is fetched again",
                          service, notice->kind == DH_NOTICE_GAP? "dropped events": "went back",
                          notice->from, notice->to);
            s_push (self, notice->kind == DH_NOTICE_GAP? "gap": "reset",
                    json_pack ("{s:s, s:I, s:I}", "daemon", service, "from", (json_int_t) notice->from,
                               "to", (json_int_t) notice->to));
            break;
        case DH_NOTICE_SNAPSHOT_BEGIN:
            s_push (self, "snapshot-begin", json_pack ("{s:s}", "daemon", service));
            break;
        case DH_NOTICE_SNAPSHOT_END:
            zsys_info ("gateway: %s's state fetched: %" PRIu64 " items as of seq %" PRIu64 "", service,
                       notice->count, notice->to);
            s_push (self, "snapshot-end", json_pack ("{s:s, s:I, s:I}", "daemon", service,
                                                     "count", (json_int_t) notice->count,
                                                     "seq", (json_int_t) notice->to));
            break;
        case DH_NOTICE_SNAPSHOT_FAILED:
            zsys_warning ("gateway: %s's state could not be fetched (%s%s%s): asked again later", service,
                          dh_errname (notice->error), notice->text? ": ": "", notice->text? notice->text: "");
            break;
    }
}

static const dh_subscriber_handlers_t s_handlers = { s_on_event, s_on_entry, s_on_notice };

events_t *
events_new (gateway_t *gateway, dh_daemon_t *daemon, size_t capacity)
{
    events_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->slots = calloc (capacity, sizeof *self->slots);
    self->capacity = capacity;
    self->next_id = (uint64_t) zclock_time ();
    pthread_mutex_init (&self->mutex, NULL);
    pthread_cond_init (&self->changed, NULL);
    //  The feeds are followed with the daemon's own certificate.
    self->subscriber = self->slots? dh_subscriber_new (gateway->config, dh_daemon_auth (daemon), &s_handlers, self)
                                  : NULL;
    if (!self->subscriber) {
        events_destroy (&self);
        return NULL;
    }
    dh_subscriber_set_queue (self->subscriber, S_QUEUE);
    for (size_t i = 0; i < gateway->daemon_count; i++)
        if (dh_subscriber_add (self->subscriber, gateway->daemons [i], DH_SNAPSHOT_ON_GAP)) {
            zsys_error ("gateway: cannot follow the feed of %s at %s", gateway->daemons [i],
                        dh_config_get_for (gateway->config, gateway->daemons [i], "events"));
            events_destroy (&self);
            return NULL;
        }
    if (dh_subscriber_attach (self->subscriber, dh_daemon_loop (daemon))) {
        events_destroy (&self);
        return NULL;
    }
    return self;
}

void
events_stop (events_t *self)
{
    if (!self)
        return;
    pthread_mutex_lock (&self->mutex);
    self->stopping = true;
    pthread_cond_broadcast (&self->changed);
    pthread_mutex_unlock (&self->mutex);
}

void
events_destroy (events_t **self_p)
{
    events_t *self = *self_p;
    if (!self)
        return;
    dh_subscriber_destroy (&self->subscriber);
    for (size_t i = 0; self->slots && i < self->capacity; i++)
        free (self->slots [i].text);
    free (self->slots);
    pthread_cond_destroy (&self->changed);
    pthread_mutex_destroy (&self->mutex);
    free (self);
    *self_p = NULL;
}

void
events_figures (events_t *self, uint64_t *received, uint64_t *clients, uint64_t *held)
{
    pthread_mutex_lock (&self->mutex);
    *received = self->received;
    *clients = self->clients;
    *held = self->count;
    pthread_mutex_unlock (&self->mutex);
}

//  The stream's next text: events it has not had, a snapshot-needed when
//  the ring lost them, or a keepalive after a quiet while. False when the
//  gateway stops. Under no lock; takes the ring's.
static bool
s_fill (s_stream_t *stream)
{
    events_t *self = stream->events;
    free (stream->pending);
    stream->pending = NULL;
    stream->size = stream->offset = 0;
    struct timespec deadline;
    clock_gettime (CLOCK_REALTIME, &deadline);
    deadline.tv_sec += S_KEEPALIVE_MS / 1000;
    pthread_mutex_lock (&self->mutex);
    while (!self->stopping) {
        uint64_t oldest = self->next_id - self->count;
        if (stream->next < oldest || stream->next > self->next_id) {
            stream->pending = zsys_sprintf ("id: %" PRIu64 "\nevent: snapshot-needed\ndata: {\"after\": %" PRIu64
                                            ", \"oldest\": %" PRIu64 "}\n\n", self->next_id - 1,
                                            stream->next - 1, oldest);
            stream->next = self->next_id;
            break;
        }
        if (stream->next < self->next_id) {
            size_t size = 0;
            uint64_t last = stream->next;
            while (last < self->next_id && (last == stream->next
                || size + strlen (self->slots [last % self->capacity].text) <= S_CHUNK_MAX))
                size += strlen (self->slots [last++ % self->capacity].text);
            stream->pending = malloc (size + 1);
            if (stream->pending) {
                char *at = stream->pending;
                for (uint64_t id = stream->next; id < last; id++) {
                    const char *text = self->slots [id % self->capacity].text;
                    size_t length = strlen (text);
                    memcpy (at, text, length);
                    at += length;
                }
                *at = 0;
                stream->next = last;
            }
            break;
        }
        if (pthread_cond_timedwait (&self->changed, &self->mutex, &deadline) == ETIMEDOUT) {
            stream->pending = strdup (": keepalive\n\n");
            break;
        }
        //  Woken by an event: let the next few come too before taking
        //  them. A stream then wakes at most once per S_GATHER_US however
        //  fast events come, rather than every stream at every event
        //  (with a hundred streams, the ring's lock was the bound).
        pthread_mutex_unlock (&self->mutex);
        usleep (S_GATHER_US);
        pthread_mutex_lock (&self->mutex);
    }
    bool going = !self->stopping && stream->pending;
    pthread_mutex_unlock (&self->mutex);
    if (going)
        stream->size = strlen (stream->pending);
    return going;
}

//  libmicrohttpd asks for the stream's next bytes on its connection's
//  thread, which may wait here: one thread per connection.
static ssize_t
s_read (void *cls, uint64_t position, char *buffer, size_t max)
{
    (void) position;
    s_stream_t *stream = cls;
    if (stream->offset == stream->size && !s_fill (stream))
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t size = stream->size - stream->offset;
    if (size > max)
        size = max;
    memcpy (buffer, stream->pending + stream->offset, size);
    stream->offset += size;
    return (ssize_t) size;
}

static void
s_stream_free (void *cls)
{
    s_stream_t *stream = cls;
    events_t *self = stream->events;
    pthread_mutex_lock (&self->mutex);
    self->clients--;
    pthread_mutex_unlock (&self->mutex);
    free (stream->pending);
    free (stream);
}

static void
s_events (gateway_t *gateway, http_request_t *request, http_reply_t *reply)
{
    events_t *self = gateway->events;
    const char *last = http_request_header (request, "Last-Event-ID");
    uint64_t after = 0;
    if (last && *last) {
        char *end;
        errno = 0;
        after = strtoull (last, &end, 10);
        if (errno || *end || *last == '-' || after == UINT64_MAX) {
            http_reply_error (reply, DH_E_INVALID, "Last-Event-ID must be an id this stream gave");
            return;
        }
    }
    s_stream_t *stream = calloc (1, sizeof *stream);
    if (!stream) {
        http_reply_error (reply, DH_E_NOMEM, "out of memory");
        return;
    }
    stream->events = self;
    //  The first bytes say the stream is open (and how soon to come back).
    stream->pending = strdup ("retry: 1000\n: connected\n\n");
    stream->size = stream->pending? strlen (stream->pending): 0;
    pthread_mutex_lock (&self->mutex);
    stream->next = last && *last? after + 1: self->next_id;
    self->clients++;
    pthread_mutex_unlock (&self->mutex);
    reply->response = MHD_create_response_from_callback (MHD_SIZE_UNKNOWN, 16 * 1024, s_read, stream,
                                                         s_stream_free);
    if (!reply->response) {
        s_stream_free (stream);
        http_reply_error (reply, DH_E_NOMEM, "out of memory");
        return;
    }
    reply->status = MHD_HTTP_OK;
    MHD_add_response_header (reply->response, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream; charset=utf-8");
    MHD_add_response_header (reply->response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header (reply->response, "X-Accel-Buffering", "no");
}

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

//  Staff only: the feeds name handlers, and notify's the applicants'
//  addresses.
const http_route_t gateway_events_routes [] = {
    { "GET", "/events", HTTP_STAFF, s_events, { NULL } },
    { NULL }
};
