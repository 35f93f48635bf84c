/*  dossier.h — the dossier the load tools submit, packed once here for
    submitload and the benchmarks: a clerk at the counter, one paper, the
    applicant reachable by phone (and by mail when email is given).  */
#ifndef DOSSIER_H
#define DOSSIER_H

#include <assert.h>
#include "work.pb-c.h"

#define DOSSIER_PROCEDURE "1.003583.000.00.00.H26"

//  The dossier into payload (size bytes at least), for procedure, with
//  the applicant's id_number; email NULL: none, and no notification
//  asked. Returns its packed size.
static inline size_t
dossier_pack (uint8_t *payload, size_t size, const char *procedure, const char *id_number, const char *email)
{
    Dh__Applicant applicant = DH__APPLICANT__INIT;
    applicant.name = "Nguyễn Văn Tải";
    applicant.id_number = (char *) id_number;
    applicant.phone = "0912345678";
    Dh__SubmitDossier submit = DH__SUBMIT_DOSSIER__INIT;
    submit.procedure_code = (char *) procedure;
    submit.applicant = &applicant;
    submit.channel = DH__CHANNEL__IN_PERSON;
    char *documents [] = { "Tờ khai (application form)" };
    submit.documents = documents;
    submit.n_documents = 1;
    char *notify [] = { "email" };
    if (email) {
        applicant.email = (char *) email;
        submit.notify = notify;
        submit.n_notify = 1;
    }
    assert (dh__submit_dossier__get_packed_size (&submit) <= size);
    return dh__submit_dossier__pack (&submit, payload);
}

#endif
