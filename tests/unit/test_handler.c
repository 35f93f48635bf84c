//  dh_handler's store helpers on a real service store: a message merged
//  field by field reads back as the whole changed message, and a varint
//  field is read off stored bytes without decoding them.
#include <czmq.h>
#include "dh_config.h"
#include "dh_error.h"
#include "dh_handler.h"
#include "work.pb-c.h"
#include "unit.h"

static int
s_field (dh_txn_t *txn, dh_dbi_t items, const char *key, unsigned field, uint64_t *value)
{
    dh_val_t stored;
    int rc = dh_txn_get (txn, items, key, strlen (key), &stored);
    return rc? rc: dh_message_varint_field (stored.data, stored.size, field, value);
}

static void
s_test_merge (dh_service_t *service, dh_dbi_t items)
{
    dh_txn_t *txn;
    CHECK (dh_txn_begin (dh_service_store (service), true, &txn) == 0, "begin");

    Dh__Applicant applicant = DH__APPLICANT__INIT;
    applicant.name = "Trần Văn An";
    applicant.id_number = "001099000001";
    Dh__Step received = DH__STEP__INIT;
    received.at = 1000;
    received.action = "received";
    Dh__Step *first_steps [] = { &received };
    Dh__Item item = DH__ITEM__INIT;
    item.code = "000.A0.01.H26-261125-0001";
    item.state = DH__ITEM_STATE__RECEIVED;
    item.lead_unit = "sở.một-cửa";
    item.applicant = &applicant;
    item.due_at = 5000;
    item.steps = first_steps;
    item.n_steps = 1;
    CHECK (dh_txn_put_message (service, txn, items, item.code, &item.base) == 0, "put the item");

    uint64_t state = 0;
    CHECK (s_field (txn, items, item.code, 3, &state) == 0
           && state == DH__ITEM_STATE__RECEIVED, "state read off the bytes: %" PRIu64, state);
    CHECK (s_field (txn, items, item.code, 14, &state) == 0 && state == 5000,
           "an int64 field too: %" PRIu64, state);
    CHECK (s_field (txn, items, item.code, 12, &state) == 0 && state == 0,
           "an absent field reads as its default");

    //  Two changes, as assign's steps arrive: state, handler, one step each.
    const char *handlers [] = { "cb.lan", "cb.minh" };
    Dh__ItemState states [] = { DH__ITEM_STATE__ASSIGNED, DH__ITEM_STATE__IN_PROGRESS };
    for (int i = 0; i < 2; i++) {
        Dh__Step step = DH__STEP__INIT;
        step.at = 2000 + i;
        step.action = i? "step-start": "assigned";
        Dh__Step *steps [] = { &step };
        Dh__Item delta = DH__ITEM__INIT;
        delta.state = states [i];
        delta.handler = (char *) handlers [i];
        delta.steps = steps;
        delta.n_steps = 1;
        dh_val_t stored;
        CHECK (dh_txn_get (txn, items, item.code, strlen (item.code), &stored) == 0
               && dh_txn_merge_message (service, txn, items, item.code, &stored, &delta.base) == 0, "merge %d", i);
    }
    CHECK (s_field (txn, items, item.code, 3, &state) == 0
           && state == DH__ITEM_STATE__IN_PROGRESS, "the last state wins on the bytes");
    Dh__Item *merged;
    CHECK (dh_txn_get_message (service, txn, items, item.code, &dh__item__descriptor,
                               (ProtobufCMessage **) &merged) == 0, "the merged item decodes");
    CHECK (merged->state == DH__ITEM_STATE__IN_PROGRESS, "state is the last one");
    CHECK (!strcmp (merged->handler, "cb.minh"), "handler is the last one: %s", merged->handler);
    CHECK (!strcmp (merged->lead_unit, "sở.một-cửa"), "a field no change named is kept");
    CHECK (merged->applicant && !strcmp (merged->applicant->id_number, "001099000001"),
           "the applicant is kept");
    CHECK (merged->due_at == 5000, "due_at is kept");
    CHECK (merged->n_steps == 3 && !strcmp (merged->steps [0]->action, "received")
           && !strcmp (merged->steps [1]->action, "assigned")
           && !strcmp (merged->steps [2]->action, "step-start"), "steps add up in order");

    uint8_t garbage [] = { 0x1a, 0x7f, 0x01 };     //  a length past the end
    CHECK (dh_txn_put (txn, items, "bad", 3, garbage, sizeof garbage) == 0, "put garbage");
    CHECK (s_field (txn, items, "bad", 3, &state) == DH_E_CORRUPT,
           "bytes that are not a message are corrupt");
    uint8_t cut [] = { 0x18 };                      //  field 3 varint, value missing
    CHECK (dh_message_varint_field (cut, sizeof cut, 3, &state) == DH_E_CORRUPT, "a cut varint is corrupt");
    uint8_t short_fixed [] = { 0x09, 1, 2, 3 };     //  field 1 64-bit, 3 bytes left
    CHECK (dh_message_varint_field (short_fixed, sizeof short_fixed, 3, &state) == DH_E_CORRUPT,
           "a cut fixed-size field is corrupt");
    dh_txn_abort (&txn);
}

int
main (void)
{
    zsys_init ();
    zsys_set_logstream (NULL);
    char *folder = unit_tmpdir ();
    char *run_dir = zsys_sprintf ("run_dir=%s", folder);
    char *argv [] = { "unit", "--set", run_dir, NULL };
    dh_config_t *config;
    CHECK (dh_config_load ("unit", "usage", 3, argv, NULL, &config) == 0, "config");
    dh_service_t *service = dh_service_new (config);
    CHECK (service, "service");
    dh_dbi_t items;
    if (service && dh_store_dbi (dh_service_store (service), "items", &items) == 0)
        s_test_merge (service, items);
    dh_service_destroy (&service);
    dh_config_destroy (&config);
    free (run_dir);
    unit_rmdir (folder);
    return UNIT_DONE ("test_handler");
}
