/*  batchmix — good and bad commands from several clerks in one batch.

    batchmix ENDPOINT GOOD FOLDER
    Connects GOOD + 2 clients to intake and pings each (every connection
    up), writes FOLDER/batchmix.ready, waits for FOLDER/batchmix.go, then
    sends at once, without waiting: GOOD submits, one with an actor over
    DH_NAME_MAX (its envelope does not decode) and one whose name is not
    valid UTF-8 (its handler's text check refuses it). A test stops the
    daemon between the two files so that all arrive in the one batch it
    drains when it goes on. Prints one line per command, in sending
    order: "ok CODE" or "refused E_NAME text".  */
#include <czmq.h>
#include "work.pb-c.h"
#include "dh_client.h"
#include "dh_error.h"
#include "dh_types.h"
#include "identity.h"

#define S_MAX 64

int
main (int argc, char **argv)
{
    int good = argc == 4? atoi (argv [2]): 0;
    if (good < 1 || good > S_MAX - 2) {
        fprintf (stderr, "usage: batchmix ENDPOINT GOOD FOLDER   (GOOD 1 to %d)\n", S_MAX - 2);
        return 2;
    }
    int count = good + 2;
    dh_auth_t *auth = helper_auth ("batchmix");
    dh_client_t *clients [S_MAX];
    dh_reply_t reply;
    for (int i = 0; i < count; i++) {
        clients [i] = dh_client_new (auth, "intake", argv [1]);
        if (!clients [i] || dh_client_call (clients [i], DH_MSG_PING, "bd.mc", NULL, 0, 5000, &reply)) {
            fprintf (stderr, "batchmix: intake did not answer the ping\n");
            return 1;
        }
    }
    dh_auth_destroy (&auth);
    char *ready = zsys_sprintf ("%s/batchmix.ready", argv [3]);
    char *go = zsys_sprintf ("%s/batchmix.go", argv [3]);
    FILE *file = fopen (ready, "w");
    if (file)
        fclose (file);
    while (!zsys_file_exists (go))
        zclock_sleep (10);
    char long_actor [DH_NAME_MAX + 2];
    memset (long_actor, 'a', DH_NAME_MAX + 1);
    long_actor [DH_NAME_MAX + 1] = 0;
    Dh__Applicant applicant = DH__APPLICANT__INIT;
    applicant.id_number = "001099012345";
    Dh__SubmitDossier submit = DH__SUBMIT_DOSSIER__INIT;
    submit.procedure_code = "1.003583.000.00.00.H26";
    submit.applicant = &applicant;
    submit.channel = DH__CHANNEL__IN_PERSON;
    //  The bad ones go in the middle, between good neighbours.
    int bad_actor = good / 2, bad_name = good / 2 + 1;
    for (int i = 0; i < count; i++) {
        applicant.name = i == bad_name? "Nguy\xe1\xbb" "n": "Nguyễn Văn Tốt";
        uint8_t payload [512];
        size_t size = dh__submit_dossier__pack (&submit, payload);
        dh_client_send (clients [i], DH_MSG_SUBMIT, i == bad_actor? long_actor: "bd.mc", payload, size, NULL);
    }
    for (int i = 0; i < count; i++) {
        int rc = dh_client_recv (clients [i], 5000, &reply);
        if (rc)
            printf ("refused %s no answer\n", dh_errname (rc));
        else
        if (reply.status)
            printf ("refused %s %s\n", reply.error_name, reply.error_text);
        else {
            Dh__SubmitReply *answer = dh__submit_reply__unpack (NULL, reply.payload_size, reply.payload);
            printf ("ok %s\n", answer? answer->code: "?");
            dh__submit_reply__free_unpacked (answer, NULL);
        }
        dh_client_destroy (&clients [i]);
    }
    free (ready);
    free (go);
    return 0;
}
