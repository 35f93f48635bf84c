/*  noticecount — stands in for dunghan-notify in tests: a service named
    "notify" that takes what the deadline daemon tells it over the link
    (DEADLINE_WARNING, DEADLINE_BREACHED, CLOCK_STOPPED) and counts each
    (type, clock) in its store, in the transaction that acknowledges it.
    A warning or breach told twice for one clock shows as a duplicate.

    noticecount [--config F]            run as service "notify"
    TEST_COUNT answers "warnings=W breaches=B stops=S duplicates=D".  */
#include <czmq.h>
#include "deadline.pb-c.h"
#include "dh_call.h"
#include "dh_error.h"
#include "dh_service.h"
#include "dh_types.h"

typedef struct {
    dh_dbi_t seen;              //  type(1) clock id -> times told (uint32)
    dh_dbi_t totals;            //  "w" "b" "s" "d" -> uint64
} s_counter_t;

static int
s_add (dh_txn_t *txn, dh_dbi_t dbi, const void *key, size_t key_size, uint32_t *times)
{
    dh_val_t value;
    *times = 0;
    if (dh_txn_get (txn, dbi, key, key_size, &value) == 0 && value.size == 4)
        memcpy (times, value.data, 4);
    (*times)++;
    return dh_txn_put (txn, dbi, key, key_size, times, 4);
}

static int
s_notice (dh_call_t *call, void *state)
{
    s_counter_t *self = state;
    uint32_t type = call->envelope->type;
    const char *clock;
    ProtobufCAllocator allocator = dh_call_allocator (call);
    if (type == DH_MSG_CLOCK_STOPPED) {
        Dh__ClockStopped *stopped = dh__clock_stopped__unpack (&allocator, call->envelope->payload_size,
                                                               call->envelope->payload);
        if (!stopped)
            return dh_call_fail (call, DH_E_MALFORMED, "not a ClockStopped");
        clock = stopped->clock;
    }
    else {
        Dh__DeadlineNotice *notice = dh__deadline_notice__unpack (&allocator, call->envelope->payload_size,
                                                                  call->envelope->payload);
        if (!notice)
            return dh_call_fail (call, DH_E_MALFORMED, "not a DeadlineNotice");
        clock = notice->clock;
    }
    char key [300];
    int key_size = snprintf (key, sizeof key, "%c%s", type == DH_MSG_DEADLINE_WARNING? 'w':
                             type == DH_MSG_DEADLINE_BREACHED? 'b': 's', clock);
    if (key_size <= 1 || key_size >= (int) sizeof key)
        return dh_call_fail (call, DH_E_INVALID, "bad clock id");
    uint32_t times, total;
    int rc = s_add (call->txn, self->seen, key, (size_t) key_size, &times);
    if (!rc)
        rc = s_add (call->txn, self->totals, key, 1, &total);
    if (!rc && times > 1)
        rc = s_add (call->txn, self->totals, "d", 1, &total);
    return rc;
}

static uint32_t
s_total (dh_call_t *call, s_counter_t *self, const char *name)
{
    dh_val_t value;
    uint32_t total = 0;
    if (dh_txn_get (call->txn, self->totals, name, 1, &value) == 0 && value.size == 4)
        memcpy (&total, value.data, 4);
    return total;
}

static int
s_count (dh_call_t *call, void *state)
{
    s_counter_t *self = state;
    char text [128];
    int size = snprintf (text, sizeof text, "warnings=%u breaches=%u stops=%u duplicates=%u",
                         s_total (call, self, "w"), s_total (call, self, "b"), s_total (call, self, "s"),
                         s_total (call, self, "d"));
    return dh_call_reply (call, text, (size_t) size);
}

static const dh_command_t s_commands [] = {
    { DH_MSG_DEADLINE_WARNING,  s_notice, DH_FROM_LINK,   0, false, NULL },
    { DH_MSG_DEADLINE_BREACHED, s_notice, DH_FROM_LINK,   0, false, NULL },
    { DH_MSG_CLOCK_STOPPED,     s_notice, DH_FROM_LINK,   0, false, NULL },
    { DH_MSG_TEST_COUNT,        s_count,  DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

static int
s_setup (dh_service_t *service, void *arg)
{
    s_counter_t *self = arg;
    int rc;
    if ((rc = dh_store_dbi (dh_service_store (service), "seen", &self->seen))
    ||  (rc = dh_store_dbi (dh_service_store (service), "totals", &self->totals)))
        return rc;
    dh_service_register (service, s_commands, self);
    return 0;
}

int
main (int argc, char **argv)
{
    s_counter_t counter = { 0 };
    return dh_service_main ("notify",
        "usage: noticecount [--config F] [--set key=value]...\n"
        "Counts the warnings, breaches and stops the deadline daemon tells notify.",
        argc, argv, NULL, s_setup, &counter);
}
