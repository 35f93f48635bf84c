/*  clocksend — stands in for dunghan-assign in tests of the deadline
    daemon: a service named "assign" that sends the ClockChange it is
    told over the real link, so a test can send what assign never would
    (a pause of a stopped clock, an unknown item) and see it refused.

    clocksend [--config F]                 run as service "assign"
    clocksend send ENDPOINT 'LINE'         tell it one change; LINE is
        ITEM KIND ACTION AT_MS [unit=U] [holder=H] [node=N] [hours=H]
        [channel=online|in-person|post] [end=finished|refused|withdrawn|not-accepted]
        with KIND item|step and ACTION start|pause|resume|stop|move.  */
#include <czmq.h>
#include "deadline.pb-c.h"
#include "dh_call.h"
#include "dh_client.h"
#include "dh_error.h"
#include "dh_service.h"
#include "dh_types.h"
#include "identity.h"

static int
s_word (const char *word, const char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (!strcmp (word, names [i]))
            return i + 1;
    return 0;
}

static int
s_send (dh_call_t *call, void *arg)
{
    (void) arg;
    char line [1024];
    if (call->envelope->payload_size >= sizeof line)
        return dh_call_fail (call, DH_E_TOO_BIG, "line too long");
    memcpy (line, call->envelope->payload, call->envelope->payload_size);
    line [call->envelope->payload_size] = 0;
    static const char *const kinds [] = { "item", "step" };
    static const char *const actions [] = { "start", "pause", "resume", "stop", "move" };
    static const char *const channels [] = { "in-person", "online", "post" };
    static const char *const ends [] = { "finished", "refused", "withdrawn", "not-accepted" };
    Dh__ClockChange change = DH__CLOCK_CHANGE__INIT;
    char *save, *word = strtok_r (line, " ", &save);
    change.item = word? word: "";
    word = strtok_r (NULL, " ", &save);
    change.kind = word? s_word (word, kinds, 2): 0;
    word = strtok_r (NULL, " ", &save);
    change.action = word? s_word (word, actions, 5): 0;
    word = strtok_r (NULL, " ", &save);
    change.at = word? strtoll (word, NULL, 10): 0;
    change.channel = DH__CHANNEL__IN_PERSON;
    while ((word = strtok_r (NULL, " ", &save))) {
        char *value = strchr (word, '=');
        if (!value)
            return dh_call_fail (call, DH_E_INVALID, "'%s' is not key=value", word);
        *value++ = 0;
        if (!strcmp (word, "unit"))
            change.unit = value;
        else if (!strcmp (word, "holder"))
            change.holder = value;
        else if (!strcmp (word, "node"))
            change.node = value;
        else if (!strcmp (word, "hours"))
            change.hours = strtod (value, NULL);
        else if (!strcmp (word, "channel"))
            change.channel = s_word (value, channels, 3);
        else if (!strcmp (word, "end"))
            change.end = s_word (value, ends, 4);
        else
            return dh_call_fail (call, DH_E_INVALID, "unknown key %s", word);
    }
    size_t size;
    uint8_t *bytes = dh_call_pack (call, &change.base, &size);
    if (!bytes)
        return dh_call_fail (call, DH_E_NOMEM, "no memory");
    return dh_service_send (call->service, call->txn, "deadline", DH_MSG_CLOCK_CHANGE, "assign", bytes, size);
}

static const dh_command_t s_commands [] = {
    { DH_MSG_TEST_APPLY, s_send, DH_FROM_CLIENT, 0, false, NULL },
    { 0 }
};

static int
s_setup (dh_service_t *service, void *arg)
{
    dh_service_register (service, s_commands, arg);
    return dh_service_add_peer (service, "deadline");
}

int
main (int argc, char **argv)
{
    if (argc == 4 && !strcmp (argv [1], "send")) {
        dh_auth_t *auth = helper_auth ("linktest");
        dh_client_t *client = dh_client_new (auth, "assign", argv [2]);
        dh_reply_t reply;
        int rc = client? dh_client_call (client, DH_MSG_TEST_APPLY, "linktest", argv [3], strlen (argv [3]),
                                         5000, &reply): DH_E_INVALID;
        if (!rc && reply.status)
            fprintf (stderr, "clocksend: refused: %s\n", reply.error_text);
        dh_client_destroy (&client);
        dh_auth_destroy (&auth);
        return rc || reply.status? 1: 0;
    }
    return dh_service_main ("assign",
        "usage: clocksend [--config F] | clocksend send ENDPOINT 'ITEM KIND ACTION AT_MS [key=value]...'\n"
        "Sends the clock changes it is told to the deadline daemon, as assign would.",
        argc, argv, NULL, s_setup, NULL);
}
