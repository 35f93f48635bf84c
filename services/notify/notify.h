/*  dunghan-notify: who hears what, when (README: Notifications). What the
    other daemons tell it becomes notifications queued in its store in
    the same transaction; worker threads deliver them off the loop
    (common/dh_jobs), each channel with its own workers, retries and rate,
    and the results come back into a later group commit.  */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include "notify.pb-c.h"
#include "dh_service.h"

//  What the store holds (dh_service_layout).
#define NOTIFY_LAYOUT 1

#include "dh_http.h"
#include "dh_jobs.h"
#include "dh_mail.h"

//  The channels, each with its own queue, workers, retries and rate.
typedef enum {
    NOTIFY_EMAIL, NOTIFY_SMS, NOTIFY_ZALO, NOTIFY_WEBHOOK, NOTIFY_CHANNELS
} notify_channel_id_t;

typedef struct _notify_t notify_t;

typedef struct {
    notify_t *owner;
    const char *name;           //  email, sms, zalo, webhook
    notify_channel_id_t id;
    bool configured;            //  its url is set
    dh_mail_config_t mail;      //  email
    dh_http_config_t http;      //  the others
    dh_jobs_t *jobs;
} notify_channel_t;

struct _notify_t {
    dh_service_t *service;
    dh_dbi_t templates;         //  "event channel" -> subject \0 body
    dh_dbi_t staff;             //  staff id -> Contact (contacts import)
    dh_dbi_t items;             //  item code -> NotifyEvent "received": the applicant and channels
    dh_dbi_t notifications;     //  "channel-N" -> Notification
    dh_dbi_t by_item;           //  code \0 "channel-N" -> nothing
    const char *counter;        //  where results are collected, for {counter}
    notify_channel_t channels [NOTIFY_CHANNELS];
};

//  Each file's commands (dh_command_t rows), registered by main.c.
extern const dh_command_t notify_event_commands [];     //  events.c
extern const dh_command_t notify_log_commands [];       //  log.c
extern const dh_command_t notify_import_commands [];    //  imports.c

//  deliver.c: the channels' work in the worker threads, and its results.
dh_job_run_fn notify_deliver;
dh_job_done_fn notify_delivered;
//  The channel a notification id ("email-17") is on, and its job number.
notify_channel_t *notify_channel_of (notify_t *self, const char *id, uint64_t *job);

//  events.c: queue one notification (its key set here) on channel.
int notify_queue (notify_t *self, dh_call_t *call, notify_channel_t *channel, Dh__Notification *notification);


//  ----------------------------------------------------------- templates
//  template.c. A template is the words for one event on one channel, in
//  deploy/templates/templates.txt (README: Notifications).

//  The values a template's placeholders take: {code} {procedure}
//  {applicant} {due} {new_due} {counter} {reason} {papers} {staff} {unit}
//  {open} {overdue}; open and overdue are counts (a queue summary's) as
//  decimal text.
typedef struct {
    const char *code, *procedure, *applicant, *due, *new_due, *counter, *reason, *papers, *staff, *unit;
    const char *open, *overdue;
} notify_fields_t;

//  Check a whole templates file: every block names a known event and
//  channel, every placeholder is known and closed, every event's required
//  placeholders are there, the text is valid UTF-8, SMS and Zalo text is
//  without diacritics. On error returns DH_E_INVALID with "templates.txt
//  line N: why" in error. On success calls put for each template (event,
//  channel, subject ("" but for email), body), in file order.
typedef int (notify_template_put_fn) (void *arg, const char *event, const char *channel,
                                      const char *subject, const char *body);
int notify_templates_parse (const char *name, const char *text, notify_template_put_fn *put, void *arg,
                            char *error, size_t error_size);

//  Fill a template's text with fields into out (size bytes, always ended).
//  For sms and zalo (ascii true) the values lose their diacritics too.
//  Returns 0, or DH_E_TOO_BIG when it does not fit.
int notify_render (const char *text, const notify_fields_t *fields, bool ascii, char *out, size_t size);

//  Is event one notify knows; is channel one (email, sms, zalo, webhook)?
bool notify_event_known (const char *event);
bool notify_channel_known (const char *channel);

#endif
