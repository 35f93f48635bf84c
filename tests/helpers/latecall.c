/*  latecall — a command that arrives after its client stopped waiting.

    latecall ENDPOINT SERVICE KEY TIMEOUT_MS FOLDER
    Connects and pings SERVICE (so the connection is up), writes
    FOLDER/latecall.ready, waits for FOLDER/latecall.go, then submits a
    dossier with idempotency key KEY, waiting TIMEOUT_MS for the answer.
    A test stops the daemon between the two files: the command sits in
    the daemon's socket while its expiry passes. Prints "timeout KEY" or
    "status CODE"; exits 0 either way, 1 when the daemon never answered
    the ping.  */
#include <czmq.h>
#include "work.pb-c.h"
#include "dh_client.h"
#include "dh_error.h"
#include "dh_types.h"
#include "identity.h"

int
main (int argc, char **argv)
{
    if (argc != 6) {
        fprintf (stderr, "usage: latecall ENDPOINT SERVICE KEY TIMEOUT_MS FOLDER\n");
        return 2;
    }
    dh_auth_t *auth = helper_auth ("latecall");
    dh_client_t *client = dh_client_new (auth, argv [2], argv [1]);
    dh_auth_destroy (&auth);
    dh_reply_t reply;
    if (!client || dh_client_call (client, DH_MSG_PING, "bd.mc", NULL, 0, 5000, &reply)) {
        fprintf (stderr, "latecall: %s did not answer the ping\n", argv [2]);
        return 1;
    }
    char *ready = zsys_sprintf ("%s/latecall.ready", argv [5]);
    char *go = zsys_sprintf ("%s/latecall.go", argv [5]);
    FILE *file = fopen (ready, "w");
    if (file)
        fclose (file);
    while (!zsys_file_exists (go))
        zclock_sleep (10);
    Dh__Applicant applicant = DH__APPLICANT__INIT;
    applicant.name = "Người Đến Muộn";
    applicant.id_number = "001099012345";
    Dh__SubmitDossier submit = DH__SUBMIT_DOSSIER__INIT;
    submit.procedure_code = "1.003583.000.00.00.H26";
    submit.applicant = &applicant;
    submit.channel = DH__CHANNEL__IN_PERSON;
    uint8_t payload [512];
    size_t size = dh__submit_dossier__pack (&submit, payload);
    dh_client_set_key (client, argv [3]);
    int rc = dh_client_call (client, DH_MSG_SUBMIT, "bd.mc", payload, size, atoi (argv [4]), &reply);
    if (rc == DH_E_TIMEOUT)
        printf ("timeout %s\n", dh_client_key (client));
    else
        printf ("status %s\n", rc? dh_errname (rc): dh_errname (reply.status));
    dh_client_destroy (&client);
    free (ready);
    free (go);
    return 0;
}
