//  dunghan-notify — the loop: configuration, store, the channels' job
//  queues and workers, handlers, run.
#include "dh_error.h"
#include "dh_types.h"
#include "notify.h"

static const dh_config_key_t s_keys [] = {
    { "counter", "Bộ phận Một cửa", "where results are collected, for the {counter} of templates", false },
    { "smtp_url", "", "mail server, smtp://host:587 or smtps://host:465; empty: no mail", false },
    { "smtp_from", "dunghan@localhost", "the sender's address", false },
    { "smtp_user", "", "login, if the server wants one", false },
    { "smtp_password", "", "its password", false },
    { "smtp_starttls", "0", "1: require STARTTLS on smtp://", false },
    { "sms_url", "", "the SMS provider's API (a JSON POST); empty: no SMS", false },
    { "sms_token", "", "its bearer token", false },
    { "zalo_url", "", "the Zalo provider's API (a JSON POST); empty: no Zalo", false },
    { "zalo_token", "", "its bearer token", false },
    { "webhook_url", "", "every event as JSON to this URL; empty: none", false },
    { "webhook_secret", "", "the HMAC-SHA256 key of the webhook's signature header", false },
    { "timeout_ms", "10000", "longest wait for a server or provider, per attempt", false },
    { "workers", "4", "worker threads per channel", false },
    { "rate_per_s", "50", "most sends started per second per channel (0: no limit)", false },
    { "max_attempts", "8", "attempts before a notification is a dead letter", false },
    { "backoff_ms", "60000", "the first retry after this, doubling each time", false },
    { "backoff_cap_ms", "3600000", "longest wait between attempts", false },
    { NULL, NULL, NULL, false }
};

static const char *s_names [NOTIFY_CHANNELS] = { "email", "sms", "zalo", "webhook" };

static int
s_channels (notify_t *self, dh_service_t *service)
{
    dh_config_t *config = dh_service_config (service);
    int64_t timeout, workers, rate, attempts, backoff, cap, starttls;
    int rc;
    if ((rc = dh_config_int (config, "timeout_ms", 100, 600000, &timeout))
    ||  (rc = dh_config_int (config, "workers", 1, 64, &workers))
    ||  (rc = dh_config_int (config, "rate_per_s", 0, 100000, &rate))
    ||  (rc = dh_config_int (config, "max_attempts", 1, 1000, &attempts))
    ||  (rc = dh_config_int (config, "backoff_ms", 1, 86400000, &backoff))
    ||  (rc = dh_config_int (config, "backoff_cap_ms", 1, 7 * 86400000LL, &cap))
    ||  (rc = dh_config_int (config, "smtp_starttls", 0, 1, &starttls)))
        return rc;
    if (cap < backoff) {
        zsys_error ("notify: backoff_cap_ms (%" PRId64 ") is below backoff_ms (%" PRId64 ")", cap, backoff);
        return DH_E_CONFIG;
    }
    for (int i = 0; i < NOTIFY_CHANNELS; i++) {
        notify_channel_t *channel = &self->channels [i];
        channel->owner = self;
        channel->name = s_names [i];
        channel->id = (notify_channel_id_t) i;
        if (i == NOTIFY_EMAIL) {
            channel->mail = (dh_mail_config_t) {
                dh_config_get (config, "smtp_url"), dh_config_get (config, "smtp_from"),
                dh_config_get (config, "smtp_user"), dh_config_get (config, "smtp_password"),
                starttls != 0, (long) timeout };
            channel->configured = *channel->mail.url;
        }
        else {
            char url [32], token [32];
            snprintf (url, sizeof url, "%s_url", s_names [i]);
            snprintf (token, sizeof token, "%s_%s", s_names [i], i == NOTIFY_WEBHOOK? "secret": "token");
            channel->http = (dh_http_config_t) {
                dh_config_get (config, url), i == NOTIFY_WEBHOOK? "": dh_config_get (config, token),
                i == NOTIFY_WEBHOOK? dh_config_get (config, token): "", (long) timeout };
            channel->configured = *channel->http.url;
        }
        dh_jobs_options_t options = { s_names [i], (size_t) workers, (uint32_t) attempts, backoff, cap,
                                      (double) rate };
        channel->jobs = dh_jobs_new (service, &options, notify_deliver, notify_delivered, channel);
        if (!channel->jobs)
            return DH_E_CONFIG;
        zsys_info ("notify: %s %s", s_names [i], channel->configured? "configured": "not configured (nothing sent)");
    }
    return 0;
}

static int
s_setup (dh_service_t *service, void *state)
{
    notify_t *self = state;
    self->service = service;
    dh_store_t *store = dh_service_store (service);
    int rc;
    if ((rc = dh_service_layout (service, NOTIFY_LAYOUT))
    ||  (rc = dh_store_dbi (store, "templates", &self->templates))
    ||  (rc = dh_store_dbi (store, "staff", &self->staff))
    ||  (rc = dh_store_dbi (store, "items", &self->items))
    ||  (rc = dh_store_dbi (store, "notifications", &self->notifications))
    ||  (rc = dh_store_dbi (store, "by_item", &self->by_item))
    ||  (rc = s_channels (self, service)))
        return rc;
    self->counter = dh_config_get (dh_service_config (service), "counter");
    dh_service_register (service, notify_event_commands, self);
    dh_service_register (service, notify_log_commands, self);
    dh_service_register (service, notify_import_commands, self);
    return 0;
}

int
main (int argc, char **argv)
{
    notify_t notify = { 0 };
    return dh_service_main ("notify",
        "usage: dunghan-notify [--config FILE] [--set KEY=VALUE]...\n"
        "Tells citizens and officials what happened, by mail, SMS, Zalo and webhooks, exactly once per event.",
        argc, argv, s_keys, s_setup, &notify);
}
