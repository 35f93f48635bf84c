//  Delivery: in a worker thread, one notification to its channel (the job
//  carries all of it, so a worker never reads the store); back in the
//  loop, its outcome written to the notification and told on the feed.
#include <jansson.h>
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_types.h"
#include "notify.h"

notify_channel_t *
notify_channel_of (notify_t *self, const char *id, uint64_t *job)
{
    const char *dash = strrchr (id, '-');
    if (!dash || !dash [1])
        return NULL;
    char *end;
    unsigned long long number = strtoull (dash + 1, &end, 10);
    if (*end || !number)
        return NULL;
    for (int i = 0; i < NOTIFY_CHANNELS; i++) {
        size_t length = strlen (self->channels [i].name);
        if ((size_t) (dash - id) == length && !strncmp (id, self->channels [i].name, length)) {
            *job = number;
            return &self->channels [i];
        }
    }
    return NULL;
}

//  An SMS or Zalo provider's request: to, text, and our id.
static char *
s_provider_body (const Dh__Notification *notification, const char *key)
{
    json_t *body = json_pack ("{s:s, s:s, s:s}", "to", notification->address, "text", notification->body,
                              "id", key);
    char *text = body? json_dumps (body, JSON_COMPACT): NULL;
    json_decref (body);
    return text;
}

int
notify_deliver (void *arg, uint64_t id, const void *job, size_t size, char *result, size_t result_size)
{
    notify_channel_t *channel = arg;
    Dh__Notification *notification = dh__notification__unpack (NULL, size, job);
    if (!notification) {
        snprintf (result, result_size, "the queued notification does not decode");
        return DH_E_INVALID;
    }
    char key [64];
    snprintf (key, sizeof key, "%s-%" PRIu64, channel->name, id);
    int rc;
    if (!channel->configured) {
        snprintf (result, result_size, "%s is not configured (no %s_url)", channel->name,
                  channel->id == NOTIFY_EMAIL? "smtp": channel->name);
        rc = DH_E_IO;           //  kept until someone configures it, then retried
    }
    else
    if (channel->id == NOTIFY_EMAIL)
        rc = dh_mail_send (&channel->mail, notification->address, notification->subject, notification->body,
                           key, result, result_size);
    else
    if (channel->id == NOTIFY_WEBHOOK)
        rc = dh_http_post (&channel->http, notification->body, key, result, result_size);
    else {
        char *body = s_provider_body (notification, key);
        rc = body? dh_http_post (&channel->http, body, key, result, result_size): DH_E_NOMEM;
        if (!body)
            snprintf (result, result_size, "no memory for the request");
        free (body);
    }
    if (!rc && !*result)
        snprintf (result, result_size, "sent to %s", notification->address);
    dh__notification__free_unpacked (notification, NULL);
    return rc;
}

int
notify_delivered (dh_call_t *call, void *arg, uint64_t id, const void *job, size_t size, int status,
                  const char *result, uint32_t attempts, dh_job_outcome_t outcome, int64_t next_at)
{
    (void) job;
    (void) size;
    notify_channel_t *channel = arg;
    notify_t *self = channel->owner;
    char key [64];
    snprintf (key, sizeof key, "%s-%" PRIu64, channel->name, id);
    Dh__Notification *notification;
    int rc = dh_call_get_message (call, self->notifications, key, &dh__notification__descriptor,
                                  (ProtobufCMessage **) &notification);
    if (rc)
        return dh_call_fail (call, rc, "cannot read notification %s: %s", key, dh_strerror (rc));
    notification->attempts = attempts;
    notification->outcome = outcome == DH_JOB_DONE? "sent": outcome == DH_JOB_RETRY? "retrying": "dead";
    notification->last_error = status? (char *) result: "";
    notification->next_at = next_at;
    if (outcome == DH_JOB_DONE)
        notification->sent_at = dh_clock_now ();
    if ((rc = dh_call_put_message (call, self->notifications, key, &notification->base)))
        return dh_call_fail (call, rc, "cannot store notification %s: %s", key, dh_strerror (rc));
    if (outcome == DH_JOB_RETRY)
        zsys_info ("notify: %s to %s (%s of %s): attempt %u failed, again later: %s", key,
                   notification->address, notification->event, notification->code, attempts, result);
    else
        zsys_info ("notify: %s to %s (%s of %s): %s after %u attempt%s: %s", key, notification->address,
                   notification->event, notification->code, notification->outcome, attempts,
                   attempts == 1? "": "s", result);
    if (outcome == DH_JOB_RETRY)
        return 0;
    //  The feed says what reached whom (the body stays in the store).
    Dh__Notification told = *notification;
    told.body = "";
    told.subject = "";
    size_t packed_size;
    uint8_t *bytes = dh_call_pack (call, &told.base, &packed_size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory to tell of %s", key);
    rc = dh_service_publish (call->service, call->txn, outcome == DH_JOB_DONE? DH_MSG_NOTIFICATION_SENT:
                             DH_MSG_NOTIFICATION_FAILED, bytes, packed_size);
    return rc? dh_call_fail (call, rc, "cannot publish %s", key): 0;
}
