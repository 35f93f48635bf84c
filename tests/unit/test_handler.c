//  dh_journal through dh_handler's helpers, on a real service store:
//  journals of interleaved items read back each item's own entries in
//  order, through commits; broken links are reported, not followed. And a
//  service refuses a store of another layout.
#include <czmq.h>
#include "dh_config.h"
#include "dh_error.h"
#include "dh_handler.h"
#include "work.pb-c.h"
#include "unit.h"

static int
s_steps (dh_service_t *service, dh_txn_t *txn, dh_dbi_t journal, uint64_t newest, size_t max,
         Dh__Step ***steps, size_t *count)
{
    return dh_txn_journal_messages (service, txn, journal, newest, max, &dh__step__descriptor,
                                    (ProtobufCMessage ***) steps, count);
}

static void
s_test_journal (dh_service_t *service)
{
    dh_store_t *store = dh_service_store (service);
    dh_dbi_t journal;
    CHECK (dh_store_dbi (store, "steps", &journal) == 0, "dbi");
    //  Three items take turns, over three commits: each item's chain
    //  holds its own steps, oldest first.
    uint64_t newest [3] = { 0, 0, 0 };
    uint64_t expected_seq = 1;
    for (int round = 0; round < 3; round++) {
        dh_txn_t *txn;
        CHECK (dh_txn_begin (store, true, &txn) == 0, "begin");
        for (int item = 0; item < 3; item++)
            for (int n = 0; n <= item; n++) {
                char action [64];
                snprintf (action, sizeof action, "item%d-round%d-%d", item, round, n);
                Dh__Step step = DH__STEP__INIT;
                step.action = action;
                step.at = round;
                uint64_t seq;
                CHECK (dh_txn_journal_message (txn, journal, newest [item], &step.base, &seq) == 0, "append");
                CHECK (seq == expected_seq++ && seq > newest [item], "one sequence for the journal: %" PRIu64, seq);
                newest [item] = seq;
            }
        CHECK (dh_txn_commit (&txn) == 0, "commit");
    }
    dh_txn_t *txn;
    CHECK (dh_txn_begin (store, true, &txn) == 0, "begin");
    for (int item = 0; item < 3; item++) {
        Dh__Step **steps;
        size_t count;
        CHECK (s_steps (service, txn, journal, newest [item], 100, &steps, &count) == 0, "read item %d", item);
        CHECK (count == (size_t) (item + 1) * 3, "item %d has %zu steps", item, count);
        for (size_t i = 0; i < count; i++) {
            char action [64];
            snprintf (action, sizeof action, "item%d-round%zu-%zu", item, i / (item + 1), i % (item + 1));
            CHECK (!strcmp (steps [i]->action, action), "item %d step %zu is %s, not %s",
                   item, i, steps [i]->action, action);
        }
    }
    size_t counted;
    CHECK (dh_journal_read (txn, journal, newest [2], NULL, 1000, &counted) == 0 && counted == 9,
           "counted without reading back: %zu", counted);
    Dh__Step **steps;
    size_t count = 99;
    CHECK (s_steps (service, txn, journal, 0, 10, &steps, &count) == 0 && count == 0, "an item with no steps");
    CHECK (s_steps (service, txn, journal, newest [2], 8, &steps, &count) == DH_E_FULL,
           "more steps than asked for: full");

    //  What a crash or a bug could leave: a link forward, a missing entry.
    uint8_t key [8], entry [9] = { 0 };
    dh_key_u64 (key, 1000);
    dh_key_u64 (entry, 2000);
    CHECK (dh_txn_put (txn, journal, key, 8, entry, sizeof entry) == 0, "an entry linking forward");
    CHECK (s_steps (service, txn, journal, 1000, 100, &steps, &count) == DH_E_CORRUPT, "a link forward: corrupt");
    CHECK (s_steps (service, txn, journal, 999, 100, &steps, &count) == DH_E_CORRUPT, "a missing entry: corrupt");
    Dh__Step step = DH__STEP__INIT;
    uint64_t seq;
    CHECK (dh_txn_journal_message (txn, journal, 5000, &step.base, &seq) == DH_E_CORRUPT,
           "an append after an entry that does not exist yet is refused");
    dh_txn_abort (&txn);
}

//  A service on a daemon of its own; destroying the daemon destroys it.
static dh_service_t *
s_service (const char *folder, dh_config_t **config, dh_daemon_t **daemon)
{
    char *run_dir = zsys_sprintf ("run_dir=%s", folder);
    char *argv [] = { "unit", "--set", run_dir, NULL };
    dh_service_t *service = NULL;
    int why;
    if (dh_config_load ("unit", "usage", 3, argv, NULL, config) == 0
    &&  (*daemon = dh_daemon_new (*config, &why)))
        service = dh_service_new (*daemon, &why);
    free (run_dir);
    return service;
}

static void
s_test_layout (const char *folder)
{
    dh_config_t *config = NULL;
    dh_daemon_t *daemon = NULL;
    dh_service_t *service = s_service (folder, &config, &daemon);
    CHECK (service && dh_service_layout (service, 2) == 0, "a new store takes the layout");
    CHECK (service && dh_service_layout (service, 2) == 0, "and keeps it");
    CHECK (service && dh_service_layout (service, 3) == DH_E_LAYOUT, "another layout is refused");
    dh_daemon_destroy (&daemon);
    dh_config_destroy (&config);
    service = s_service (folder, &config, &daemon);
    CHECK (service && dh_service_layout (service, 2) == 0, "the layout is kept across a restart");
    dh_daemon_destroy (&daemon);
    dh_config_destroy (&config);
}

int
main (void)
{
    zsys_init ();
    zsys_set_logstream (NULL);
    char *folder = unit_tmpdir ();
    dh_config_t *config = NULL;
    dh_daemon_t *daemon = NULL;
    dh_service_t *service = s_service (folder, &config, &daemon);
    CHECK (service, "service");
    CHECK (!strcmp (dh_enum_name (&dh__item_state__descriptor, DH__ITEM_STATE__ASSIGNED), "ASSIGNED"),
           "an enum value's name");
    CHECK (!strcmp (dh_enum_name (&dh__item_state__descriptor, 9999), "?"), "a value the enum lacks");
    if (service) {
        s_test_journal (service);
        //  A store with audit records but no layout is from before
        //  layouts were recorded: layout 1.
        dh_txn_t *txn;
        CHECK (dh_txn_begin (dh_service_store (service), true, &txn) == 0
               && dh_service_audit (service, txn, "unit", "test", "x") == 0
               && dh_txn_commit (&txn) == 0, "an audit record");
        CHECK (dh_service_layout (service, 2) == DH_E_LAYOUT, "an old store is refused");
        CHECK (dh_service_layout (service, 1) == 0, "as layout 1");
    }
    dh_daemon_destroy (&daemon);
    dh_config_destroy (&config);
    unit_rmdir (folder);
    folder = unit_tmpdir ();
    s_test_layout (folder);
    unit_rmdir (folder);
    return UNIT_DONE ("test_handler");
}
