//  What was sent to whom, when, and how it went (NOTIFY_LOG), the dead
//  letters (NOTIFY_DEAD), and sending them again (NOTIFY_RETRY).
#include "dh_call.h"
#include "dh_error.h"
#include "dh_types.h"
#include "notify.h"

#define S_LIST_MAX 10000

static dh_handler_fn s_log, s_dead, s_retry;

const dh_command_t notify_log_commands [] = {
    { DH_MSG_NOTIFY_LOG,   s_log,   DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_NOTIFY_DEAD,  s_dead,  DH_FROM_CLIENT, 0, false, NULL },
    { DH_MSG_NOTIFY_RETRY, s_retry, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

typedef struct {
    notify_t *self;
    dh_call_t *call;
    notify_channel_t *channel;
    Dh__Notification **list;    //  NOTIFY_LOG, NOTIFY_DEAD
    uint64_t *jobs;             //  NOTIFY_RETRY --all
    size_t count, capacity;
    uint32_t requeued;
    bool requeue;
} s_gather_t;

static int
s_add (s_gather_t *gather, const char *key)
{
    if (gather->count == S_LIST_MAX)
        return 0;
    Dh__Notification *notification;
    int rc = dh_call_get_message (gather->call, gather->self->notifications, key, &dh__notification__descriptor,
                                  (ProtobufCMessage **) &notification);
    if (rc)
        return rc;
    if (gather->count == gather->capacity) {
        size_t capacity = gather->capacity? gather->capacity * 2: 16;
        Dh__Notification **grown = dh_service_scratch (gather->call->service, capacity * sizeof *grown);
        if (!grown)
            return DH_E_NOMEM;
        if (gather->count)
            memcpy (grown, gather->list, gather->count * sizeof *grown);
        gather->list = grown;
        gather->capacity = capacity;
    }
    gather->list [gather->count++] = notification;
    return 0;
}

static int
s_reply (s_gather_t *gather)
{
    Dh__NotificationList reply = DH__NOTIFICATION_LIST__INIT;
    reply.notifications = gather->list;
    reply.n_notifications = gather->count;
    return dh_call_reply_message (gather->call, &reply.base);
}

static int
s_log (dh_call_t *call, void *state)
{
    Dh__NotifyQuery *query;
    int rc = dh_call_unpack (call, &dh__notify_query__descriptor, (ProtobufCMessage **) &query);
    if (rc)
        return rc;
    size_t code_size = strlen (query->code);
    if (!code_size || code_size > 100)
        return dh_call_fail (call, DH_E_INVALID, "an item's code is required (1-100 bytes)");
    s_gather_t gather = { .self = state, .call = call };
    dh_cursor_t *cursor;
    if ((rc = dh_cursor_open (call->txn, gather.self->by_item, &cursor)))
        return dh_call_fail (call, rc, "cannot read the log: %s", dh_strerror (rc));
    dh_val_t key, value;
    char id [80];
    for (rc = dh_cursor_seek (cursor, query->code, code_size + 1, &key, &value);
         !rc && key.size > code_size + 1 && !memcmp (key.data, query->code, code_size + 1);
         rc = dh_cursor_next (cursor, &key, &value)) {
        size_t id_size = key.size - code_size - 1;
        if (id_size >= sizeof id) {
            rc = DH_E_CORRUPT;
            break;
        }
        memcpy (id, (const char *) key.data + code_size + 1, id_size);
        id [id_size] = 0;
        if ((rc = s_add (&gather, id)))
            break;
    }
    dh_cursor_close (&cursor);
    if (rc && rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read the log of %s: %s", query->code, dh_strerror (rc));
    return s_reply (&gather);
}

static int
s_each_dead (void *arg, uint64_t job, const void *bytes, size_t size, uint32_t attempts)
{
    (void) bytes;
    (void) size;
    (void) attempts;
    s_gather_t *gather = arg;
    char id [64];
    snprintf (id, sizeof id, "%s-%" PRIu64, gather->channel->name, job);
    return s_add (gather, id);
}

static int
s_dead (dh_call_t *call, void *state)
{
    notify_t *self = state;
    s_gather_t gather = { .self = self, .call = call };
    for (int i = 0; i < NOTIFY_CHANNELS; i++) {
        gather.channel = &self->channels [i];
        int rc = dh_jobs_dead_each (gather.channel->jobs, call->txn, s_each_dead, &gather);
        if (rc)
            return dh_call_fail (call, rc, "cannot read the dead letters: %s", dh_strerror (rc));
    }
    return s_reply (&gather);
}

//  A dead letter back in its queue, its notification marked queued again.
static int
s_requeue (notify_t *self, dh_call_t *call, notify_channel_t *channel, uint64_t job, const char *id)
{
    int rc = dh_jobs_requeue (channel->jobs, call->txn, job);
    if (rc == DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "%s is not a dead letter (see notify dead)", id);
    Dh__Notification *notification;
    if (rc || (rc = dh_call_get_message (call, self->notifications, id, &dh__notification__descriptor,
                                         (ProtobufCMessage **) &notification)))
        return dh_call_fail (call, rc, "cannot requeue %s: %s", id, dh_strerror (rc));
    notification->outcome = "queued";
    notification->attempts = 0;
    if ((rc = dh_call_put_message (call, self->notifications, id, &notification->base))
    ||  (rc = dh_service_audit (call->service, call->txn, call->envelope->actor, "notify-retry", id)))
        return dh_call_fail (call, rc, "cannot requeue %s: %s", id, dh_strerror (rc));
    return 0;
}

static int
s_retry_each (void *arg, uint64_t job, const void *bytes, size_t size, uint32_t attempts)
{
    (void) bytes;
    (void) size;
    (void) attempts;
    s_gather_t *gather = arg;
    if (gather->count == S_LIST_MAX)
        return 0;
    //  Collected first: requeueing while the dead letters are read would
    //  move the cursor's ground.
    if (gather->count == gather->capacity) {
        size_t capacity = gather->capacity? gather->capacity * 2: 64;
        uint64_t *grown = dh_service_scratch (gather->call->service, capacity * sizeof *grown);
        if (!grown)
            return DH_E_NOMEM;
        if (gather->count)
            memcpy (grown, gather->jobs, gather->count * sizeof *grown);
        gather->jobs = grown;
        gather->capacity = capacity;
    }
    gather->jobs [gather->count++] = job;
    return 0;
}

static int
s_retry (dh_call_t *call, void *state)
{
    notify_t *self = state;
    Dh__NotifyQuery *query;
    int rc = dh_call_unpack (call, &dh__notify_query__descriptor, (ProtobufCMessage **) &query);
    if (rc)
        return rc;
    Dh__NotifyRetryReply reply = DH__NOTIFY_RETRY_REPLY__INIT;
    if (!query->all) {
        uint64_t job;
        notify_channel_t *channel = notify_channel_of (self, query->id, &job);
        if (!channel)
            return dh_call_fail (call, DH_E_INVALID, "'%.60s' is not a notification id (email-17, sms-3, ...)",
                                 query->id);
        if ((rc = s_requeue (self, call, channel, job, query->id)))
            return rc;
        reply.requeued = 1;
        return dh_call_reply_message (call, &reply.base);
    }
    for (int i = 0; i < NOTIFY_CHANNELS; i++) {
        s_gather_t gather = { .self = self, .call = call, .channel = &self->channels [i] };
        if ((rc = dh_jobs_dead_each (gather.channel->jobs, call->txn, s_retry_each, &gather)))
            return dh_call_fail (call, rc, "cannot read the dead letters: %s", dh_strerror (rc));
        for (size_t j = 0; j < gather.count; j++) {
            uint64_t job = gather.jobs [j];
            char id [64];
            snprintf (id, sizeof id, "%s-%" PRIu64, gather.channel->name, job);
            if ((rc = s_requeue (self, call, gather.channel, job, id)))
                return rc;
            reply.requeued++;
        }
    }
    return dh_call_reply_message (call, &reply.base);
}
