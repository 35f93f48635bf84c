//  What the other daemons tell notify, and who hears it: the applicant on
//  the channels chosen at submit, the official holding the item on
//  assignment, due soon and breach, the head of the lead unit on a breach
//  (escalation) and on an apology to approve; every event to the webhook.
//  Each becomes notifications queued in the transaction that takes the
//  message off the link, so each is queued exactly once.
#include <jansson.h>
#include "deadline.pb-c.h"
#include "dh_calendar.h"
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_types.h"
#include "notify.h"

#define S_TEXT_MAX 8192

static dh_handler_fn s_notify_event, s_deadline_notice, s_clock_stopped;

const dh_command_t notify_event_commands [] = {
    { DH_MSG_NOTIFY_EVENT,       s_notify_event,    DH_FROM_LINK, 0, false, NULL },
    { DH_MSG_DEADLINE_WARNING,   s_deadline_notice, DH_FROM_LINK, 0, false, NULL },
    { DH_MSG_DEADLINE_BREACHED,  s_deadline_notice, DH_FROM_LINK, 0, false, NULL },
    { DH_MSG_CLOCK_STOPPED,      s_clock_stopped,   DH_FROM_LINK, 0, false, NULL },
    { 0 }
};

static bool
s_for_citizen (const char *event)
{
    static const char *events [] = { "received", "not_accepted", "supplement_requested", "fee_due",
                                     "apology", "result_ready", "returned" };
    for (size_t i = 0; i < sizeof events / sizeof events [0]; i++)
        if (!strcmp (event, events [i]))
            return true;
    return false;
}

int
notify_queue (notify_t *self, dh_call_t *call, notify_channel_t *channel, Dh__Notification *notification)
{
    notification->channel = (char *) channel->name;
    notification->queued_at = dh_clock_now ();
    notification->outcome = "queued";
    size_t size;
    uint8_t *bytes = dh_call_pack (call, &notification->base, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for a notification of %s", notification->code);
    uint64_t job;
    int rc = dh_jobs_add (channel->jobs, call->txn, bytes, size, &job);
    if (rc)
        return dh_call_fail (call, rc, "cannot queue a notification of %s: %s", notification->code,
                             dh_strerror (rc));
    char *key = dh_service_scratch (call->service, 64);
    size_t code_size = strlen (notification->code);
    uint8_t *index = dh_service_scratch (call->service, code_size + 65);
    if (!key || !index)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for a notification of %s", notification->code);
    int key_size = snprintf (key, 64, "%s-%" PRIu64, channel->name, job);
    notification->id = key;
    memcpy (index, notification->code, code_size);
    index [code_size] = 0;
    memcpy (index + code_size + 1, key, (size_t) key_size);
    if ((rc = dh_call_put_message (call, self->notifications, key, &notification->base))
    ||  (rc = dh_txn_put (call->txn, self->by_item, index, code_size + 1 + (size_t) key_size, "", 0)))
        return dh_call_fail (call, rc, "cannot store notification %s: %s", key, dh_strerror (rc));
    return 0;
}

//  The Hanoi date of at, and the minute of its day.
static void
s_local (int64_t at, int *year, int *month, int *date, int *minute)
{
    int64_t local = at + DH_UTC7_MS;
    int64_t day = local >= 0? local / 86400000: (local - 86399999) / 86400000;
    *minute = (int) ((local - day * 86400000) / 60000);
    dh_civil_from_days (day, year, month, date);
}

//  "09:00 ngày 05/03/2026" in Hanoi time; "" for none.
static char *
s_when (dh_call_t *call, int64_t at)
{
    char *text = dh_service_scratch (call->service, 32);
    if (!text)
        return "";
    if (!at) {
        *text = 0;
        return text;
    }
    int year, month, date, minute;
    s_local (at, &year, &month, &date, &minute);
    snprintf (text, 32, "%02d:%02d ngày %02d/%02d/%04d", minute / 60, minute % 60, date, month, year);
    return text;
}

//  A count as decimal text, for {open} and {overdue}.
static char *
s_count (dh_call_t *call, uint32_t count)
{
    char *text = dh_service_scratch (call->service, 12);
    if (!text)
        return "";
    snprintf (text, 12, "%" PRIu32, count);
    return text;
}

//  The template of event on channel: *subject and *body point into the
//  store (valid in this transaction). DH_E_NOT_FOUND when there is none.
static int
s_template (notify_t *self, dh_call_t *call, const char *event, const char *channel, const char **subject,
            const char **body)
{
    char key [96];
    int key_size = snprintf (key, sizeof key, "%s %s", event, channel);
    dh_val_t value;
    int rc = dh_txn_get (call->txn, self->templates, key, (size_t) key_size, &value);
    if (rc)
        return rc;
    const char *text = value.data;
    const char *split = memchr (text, 0, value.size);
    if (!split || ((const char *) value.data) [value.size - 1])
        return DH_E_CORRUPT;
    *subject = text;
    *body = split + 1;
    return 0;
}

//  One notification of event to address on channel, from its template;
//  none when the channel is not set up or has no template for it.
static int
s_tell_one (notify_t *self, dh_call_t *call, notify_channel_t *channel, const Dh__NotifyEvent *event,
            const notify_fields_t *fields, const char *recipient, const char *address)
{
    if (!channel->configured || !*address)
        return 0;
    const char *subject_template, *body_template;
    int rc = s_template (self, call, event->event, channel->name, &subject_template, &body_template);
    if (rc == DH_E_NOT_FOUND)
        return 0;
    if (rc)
        return dh_call_fail (call, rc, "cannot read the template %s %s", event->event, channel->name);
    char *subject = dh_service_scratch (call->service, S_TEXT_MAX);
    char *body = dh_service_scratch (call->service, S_TEXT_MAX);
    if (!subject || !body)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for a notification of %s", event->code);
    bool ascii = channel->id == NOTIFY_SMS || channel->id == NOTIFY_ZALO;
    if ((rc = notify_render (subject_template, fields, ascii, subject, S_TEXT_MAX))
    ||  (rc = notify_render (body_template, fields, ascii, body, S_TEXT_MAX)))
        return dh_call_fail (call, rc, "the %s %s notification of %s does not fit", event->event,
                             channel->name, event->code);
    Dh__Notification notification = DH__NOTIFICATION__INIT;
    notification.event = event->event;
    notification.code = event->code;
    notification.recipient = (char *) recipient;
    notification.address = (char *) address;
    notification.subject = subject;
    notification.body = body;
    return notify_queue (self, call, channel, &notification);
}

static notify_channel_t *
s_channel (notify_t *self, const char *name)
{
    for (int i = 0; i < NOTIFY_CHANNELS; i++)
        if (!strcmp (self->channels [i].name, name))
            return &self->channels [i];
    return NULL;
}

//  Every event to the webhook, as JSON.
static int
s_tell_webhook (notify_t *self, dh_call_t *call, const Dh__NotifyEvent *event, const char *staff)
{
    notify_channel_t *channel = &self->channels [NOTIFY_WEBHOOK];
    if (!channel->configured)
        return 0;
    json_t *body = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I}", "event", event->event,
                              "code", event->code, "procedure", event->procedure, "unit", event->unit,
                              "staff", staff, "due_at", (json_int_t) event->due_at,
                              "new_due_at", (json_int_t) event->new_due_at, "reason", event->reason,
                              "at", (json_int_t) event->at);
    char *text = body? json_dumps (body, JSON_COMPACT): NULL;
    json_decref (body);
    char *copy = text? dh_service_scratch (call->service, strlen (text) + 1): NULL;
    if (copy)
        strcpy (copy, text);
    free (text);
    if (!copy)
        return dh_call_fail (call, DH_E_NOMEM, "no memory for the webhook of %s", event->code);
    Dh__Notification notification = DH__NOTIFICATION__INIT;
    notification.event = event->event;
    notification.code = event->code;
    notification.recipient = "webhook";
    notification.address = (char *) channel->http.url;
    notification.body = copy;
    return notify_queue (self, call, channel, &notification);
}

static int
s_staff (notify_t *self, dh_call_t *call, const char *id, Dh__Contact **contact)
{
    *contact = NULL;
    if (!*id)
        return 0;
    int rc = dh_call_get_message (call, self->staff, id, &dh__contact__descriptor, (ProtobufCMessage **) contact);
    if (rc == DH_E_NOT_FOUND) {
        zsys_warning ("notify: no contact for staff %s (import the staff file): not told", id);
        return 0;
    }
    return rc? dh_call_fail (call, rc, "cannot read the contact of %s", id): 0;
}

//  Who hears event, on which channels: the applicant, officials, the webhook.
static int
s_tell (notify_t *self, dh_call_t *call, const Dh__NotifyEvent *event, const char *head)
{
    Dh__NotifyEvent *item = NULL;
    int rc = dh_call_get_message (call, self->items, event->code, &dh__notify_event__descriptor,
                                  (ProtobufCMessage **) &item);
    if (rc && rc != DH_E_NOT_FOUND)
        return dh_call_fail (call, rc, "cannot read item %s", event->code);
    Dh__Contact *staff, *chief;
    if ((rc = s_staff (self, call, event->staff, &staff)) || (rc = s_staff (self, call, head, &chief)))
        return rc;
    notify_fields_t fields = {
        .code = event->code,
        .procedure = *event->procedure? event->procedure: item? item->procedure: "",
        .applicant = item && item->applicant? item->applicant->name: "",
        .due = s_when (call, event->due_at? event->due_at: item? item->due_at: 0),
        .new_due = s_when (call, event->new_due_at),
        .counter = *event->counter? event->counter: self->counter,
        .reason = event->reason,
        .papers = event->papers,
        .staff = staff? staff->name: event->staff,
        .unit = event->unit,
        .open = s_count (call, event->open_items),
        .overdue = s_count (call, event->overdue_items),
    };
    if (s_for_citizen (event->event)) {
        if (!item || !item->applicant)
            zsys_warning ("notify: %s of %s, whose applicant notify never heard of: not told", event->event,
                          event->code);
        else
        for (size_t i = 0; i < item->n_channels; i++) {
            notify_channel_t *channel = s_channel (self, item->channels [i]);
            const Dh__Contact *applicant = item->applicant;
            const char *address = !channel? "": channel->id == NOTIFY_EMAIL? applicant->email:
                                  channel->id == NOTIFY_ZALO && *applicant->zalo? applicant->zalo: applicant->phone;
            if (channel && channel->id != NOTIFY_WEBHOOK
            &&  (rc = s_tell_one (self, call, channel, event, &fields, "applicant", address)))
                return rc;
        }
    }
    else {
        notify_channel_t *email = &self->channels [NOTIFY_EMAIL];
        if ((staff && (rc = s_tell_one (self, call, email, event, &fields, event->staff, staff->email)))
        ||  (chief && (rc = s_tell_one (self, call, email, event, &fields, head, chief->email))))
            return rc;
    }
    return s_tell_webhook (self, call, event, event->staff);
}

static int
s_notify_event (dh_call_t *call, void *state)
{
    notify_t *self = state;
    Dh__NotifyEvent *event;
    int rc = dh_call_unpack (call, &dh__notify_event__descriptor, (ProtobufCMessage **) &event);
    if (rc)
        return rc;
    if (!notify_event_known (event->event))
        return dh_call_fail (call, DH_E_INVALID, "no event '%.40s'", event->event);
    //  A queue summary is about all a handler holds and names no item. It
    //  is logged under its Hanoi day instead, "queue-2026-03-05", so
    //  `notify log queue-2026-03-05` shows that morning's summaries in one
    //  list, to whom and how each went (the recipient says who); no
    //  item's code has that shape. (Under the staff id, `notify log
    //  vpdk.cv1` would look like all that official's mail and hold only
    //  the summaries.)
    if (!strcmp (event->event, "queue_summary")) {
        if (*event->code || !*event->staff || strlen (event->staff) > 100)
            return dh_call_fail (call, DH_E_INVALID, "queue_summary: the staff is required, and no item's code");
        char *code = dh_service_scratch (call->service, 32);
        if (!code)
            return dh_call_fail (call, DH_E_NOMEM, "no memory for the queue summary of %s", event->staff);
        int year, month, date, minute;
        s_local (event->at? event->at: dh_clock_now (), &year, &month, &date, &minute);
        snprintf (code, 32, "queue-%04d-%02d-%02d", year, month, date);
        event->code = code;
        return s_tell (self, call, event, "");
    }
    if (!*event->code || strlen (event->code) > 100)
        return dh_call_fail (call, DH_E_INVALID, "%s: the item's code is required", event->event);
    //  The applicant's contact and channels come once, with "received".
    if (!strcmp (event->event, "received")
    &&  (rc = dh_call_put_message (call, self->items, event->code, &event->base)))
        return dh_call_fail (call, rc, "cannot store item %s", event->code);
    return s_tell (self, call, event, "");
}

//  A warning or breach of an item's clock: the holder hears it, and on a
//  breach the head of the lead unit too. Steps' clocks are the holder's
//  own business and the item's say enough.
static int
s_deadline_notice (dh_call_t *call, void *state)
{
    notify_t *self = state;
    Dh__DeadlineNotice *notice;
    int rc = dh_call_unpack (call, &dh__deadline_notice__descriptor, (ProtobufCMessage **) &notice);
    if (rc)
        return rc;
    if (notice->kind != DH__CLOCK_KIND__ITEM_CLOCK || !*notice->item)
        return 0;
    bool breached = call->envelope->type == DH_MSG_DEADLINE_BREACHED;
    Dh__NotifyEvent event = DH__NOTIFY_EVENT__INIT;
    event.event = breached? "breached": "due_soon";
    event.code = notice->item;
    event.staff = notice->holder;
    event.unit = notice->unit;
    event.due_at = notice->due_at;
    event.at = notice->at;
    return s_tell (self, call, &event, breached? notice->head: "");
}

static int
s_clock_stopped (dh_call_t *call, void *state)
{
    (void) call;
    (void) state;
    return 0;                   //  the outcome is told by the events of the life that ended it
}
