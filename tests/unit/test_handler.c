//  dh_call on a real service store: journals of interleaved items read
//  back each item's own entries in order, through commits; broken links
//  are reported, not followed; messages in and out of the store and the
//  payload, bad bytes told apart from memory that ran out; with the Nth
//  allocation of a batch failing, every function answers DH_E_NOMEM or
//  works. And a service refuses a store of another layout.
#include <czmq.h>
#include "dh_call.h"
#include "dh_auth.h"
#include "dh_config.h"
#include "dh_error.h"
#include "dh_types.h"
#include "work.pb-c.h"
#include "unit.h"

//  A call outside any batch: no envelope, no words kept.
static dh_call_t
s_call (dh_service_t *service, dh_txn_t *txn)
{
    return (dh_call_t) { .service = service, .txn = txn };
}

static int
s_steps (dh_service_t *service, dh_txn_t *txn, dh_dbi_t journal, uint64_t newest, size_t max,
         Dh__Step ***steps, size_t *count)
{
    dh_call_t call = s_call (service, txn);
    return dh_call_journal_read (&call, journal, newest, max, &dh__step__descriptor,
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
        dh_call_t call = s_call (service, txn);
        for (int item = 0; item < 3; item++)
            for (int n = 0; n <= item; n++) {
                char action [64];
                snprintf (action, sizeof action, "item%d-round%d-%d", item, round, n);
                Dh__Step step = DH__STEP__INIT;
                step.action = action;
                step.at = round;
                uint64_t seq;
                CHECK (dh_call_journal_append (&call, journal, newest [item], &step.base, &seq) == 0, "append");
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
    dh_call_t call = s_call (service, txn);
    CHECK (dh_call_journal_append (&call, journal, 5000, &step.base, &seq) == DH_E_CORRUPT,
           "an append after an entry that does not exist yet is refused");
    dh_txn_abort (&txn);
}

//  A service on a daemon of its own; destroying the daemon destroys it.
//  fail_alloc and test_clock set the keys of those names.
static dh_service_t *
s_service_with (const char *folder, int fail_alloc, int test_clock, dh_config_t **config,
                dh_daemon_t **daemon)
{
    char *run_dir = zsys_sprintf ("run_dir=%s", folder);
    char *fail = zsys_sprintf ("test_fail_alloc=%d", fail_alloc);
    char *clock = zsys_sprintf ("test_clock=%d", test_clock);
    char *argv [] = { "unit", "--set", run_dir, "--set", fail, "--set", clock, NULL };
    dh_service_t *service = NULL;
    int why;
    //  A daemon speaks with its certificate (dh_auth.h): the first run makes it.
    char *certs = zsys_sprintf ("%s/certs", folder);
    dh_auth_cert_new (certs, "unit", "service");
    free (certs);
    if (dh_config_load ("unit", "usage", 7, argv, NULL, config) == 0
    &&  (*daemon = dh_daemon_new (*config, &why)))
        service = dh_service_new (*daemon, &why);
    free (run_dir);
    free (fail);
    free (clock);
    return service;
}

static dh_service_t *
s_service (const char *folder, dh_config_t **config, dh_daemon_t **daemon)
{
    return s_service_with (folder, 0, 0, config, daemon);
}

//  Messages to and from the store and the payload, and what bad bytes give.
static void
s_test_messages (dh_service_t *service)
{
    dh_store_t *store = dh_service_store (service);
    dh_dbi_t dbi;
    CHECK (dh_store_dbi (store, "messages", &dbi) == 0, "dbi");
    dh_txn_t *txn;
    CHECK (dh_txn_begin (store, true, &txn) == 0, "begin");
    char error_text [256] = "";
    dh_call_t call = s_call (service, txn);
    call.error_text = error_text;

    Dh__Step step = DH__STEP__INIT;
    step.action = "thẩm định";
    step.at = 42;
    Dh__Step *read;
    CHECK (dh_call_put_message (&call, dbi, "one", &step.base) == 0, "put");
    CHECK (dh_call_get_message (&call, dbi, "one", &dh__step__descriptor, (ProtobufCMessage **) &read) == 0
           && !strcmp (read->action, "thẩm định") && read->at == 42, "get what was put");
    CHECK (dh_call_get_message (&call, dbi, "two", &dh__step__descriptor, (ProtobufCMessage **) &read)
           == DH_E_NOT_FOUND, "get what is not there");
    //  A field 1 of wire type 7, which no message has.
    static const uint8_t garbage [] = { 0x0f, 0xff, 0xff };
    CHECK (dh_txn_put (txn, dbi, "bad", 3, garbage, sizeof garbage) == 0, "garbage stored");
    CHECK (dh_call_get_message (&call, dbi, "bad", &dh__step__descriptor, (ProtobufCMessage **) &read)
           == DH_E_CORRUPT, "stored garbage is corrupt");

    size_t size;
    uint8_t *packed = dh_call_pack (&call, &step.base, &size);
    CHECK (packed && size == protobuf_c_message_get_packed_size (&step.base), "pack");
    dh_envelope_t envelope = { .sender = "unit", .type = DH_MSG_HISTORY, .actor = "unit",
                               .payload = packed, .payload_size = size };
    call.envelope = &envelope;
    CHECK (dh_call_unpack (&call, &dh__step__descriptor, (ProtobufCMessage **) &read) == 0
           && !strcmp (read->action, "thẩm định"), "unpack the payload");
    envelope.payload = garbage;
    envelope.payload_size = sizeof garbage;
    error_text [0] = 0;
    CHECK (dh_call_unpack (&call, &dh__step__descriptor, (ProtobufCMessage **) &read) == DH_E_MALFORMED
           && strstr (error_text, "not a valid"), "a bad payload is malformed: %s", error_text);

    CHECK (dh_call_reply_message (&call, &step.base) == 0 && call.reply && call.reply_size == size
           && !memcmp (call.reply, packed, size), "the reply is the packed message");
    ProtobufCAllocator allocator = dh_call_allocator (&call);
    read = dh__step__unpack (&allocator, size, packed);
    CHECK (read && read->at == 42, "the arena's allocator unpacks");
    dh_txn_abort (&txn);
}

//  One batch that calls every function of dh_call that allocates, and
//  notes what each answered.
#define S_OPS 6
typedef struct {
    dh_dbi_t dbi;
    dh_dbi_t journal;
    uint64_t newest;            //  a journal entry to read back
    int rc [S_OPS];
} s_ops_t;

static int
s_every_allocation (dh_call_t *call, void *arg)
{
    s_ops_t *ops = arg;
    Dh__Step step = DH__STEP__INIT;
    step.action = "thẩm định";
    step.node = "handling";
    size_t size;
    uint8_t *packed = dh_call_pack (call, &step.base, &size);
    ops->rc [0] = packed? 0: DH_E_NOMEM;
    ops->rc [1] = dh_call_put_message (call, ops->dbi, "step", &step.base);
    ProtobufCMessage *message;
    ops->rc [2] = dh_call_get_message (call, ops->dbi, "kept", &dh__step__descriptor, &message);
    ProtobufCMessage **messages;
    size_t count;
    ops->rc [3] = dh_call_journal_read (call, ops->journal, ops->newest, 10, &dh__step__descriptor, &messages, &count);
    static const uint8_t payload [] = { 0x0a, 0x03, 'a', 'b', 'c' };     //  field 1, "abc"
    dh_envelope_t envelope = { .sender = "unit", .type = DH_MSG_HISTORY, .actor = "unit",
                               .payload = payload, .payload_size = sizeof payload };
    dh_call_t command = *call;
    command.envelope = &envelope;
    ops->rc [4] = dh_call_unpack (&command, &dh__item_command__descriptor, &message);
    ops->rc [5] = dh_call_reply_message (call, &step.base);
    return 0;
}

//  test_fail_alloc = n: in each batch the nth scratch allocation fails,
//  and only it; every function says DH_E_NOMEM for it, never that the
//  bytes were bad; past the batch's last allocation nothing fails.
static void
s_test_out_of_memory (void)
{
    bool failed [S_OPS] = { false };
    int n;
    for (n = 1; n < 100; n++) {
        char *folder = unit_tmpdir ();
        dh_config_t *config = NULL;
        dh_daemon_t *daemon = NULL;
        dh_service_t *service = s_service_with (folder, n, 1, &config, &daemon);
        CHECK (service, "service with test_fail_alloc=%d", n);
        if (!service)
            break;
        s_ops_t ops = { 0 };
        dh_txn_t *txn;
        CHECK (dh_store_dbi (dh_service_store (service), "ops", &ops.dbi) == 0
               && dh_store_dbi (dh_service_store (service), "journal", &ops.journal) == 0
               && dh_txn_begin (dh_service_store (service), true, &txn) == 0, "begin");
        //  Kept outside any batch: the scratch counter starts at the
        //  first batch, so this must not count (it takes no scratch).
        Dh__Step step = DH__STEP__INIT;
        step.action = "kept";
        dh_call_t call = s_call (service, txn);
        uint8_t bytes [64];
        size_t size = protobuf_c_message_pack (&step.base, bytes);
        bool ready = dh_txn_put (txn, ops.dbi, "kept", 4, bytes, size) == 0
                  && dh_call_journal_append (&call, ops.journal, 0, &step.base, &ops.newest) == 0;
        CHECK (ready && dh_txn_commit (&txn) == 0, "setup");
        if (txn)
            dh_txn_abort (&txn);
        int batches_failing = 0;
        for (int batch = 0; batch < 2; batch++) {
            CHECK (dh_service_transact (service, s_every_allocation, &ops) == 0, "the batch commits");
            int failing = 0;
            for (int i = 0; i < S_OPS; i++) {
                CHECK (ops.rc [i] == 0 || ops.rc [i] == DH_E_NOMEM, "n=%d op %d: %s", n, i, dh_errname (ops.rc [i]));
                if (ops.rc [i] == DH_E_NOMEM) {
                    failing++;
                    failed [i] = true;
                }
            }
            CHECK (failing <= 1, "n=%d: one allocation fails, not %d", n, failing);
            batches_failing += failing;
        }
        CHECK (batches_failing == 0 || batches_failing == 2, "n=%d: every batch fails alike", n);
        dh_daemon_destroy (&daemon);
        dh_config_destroy (&config);
        unit_rmdir (folder);
        if (batches_failing == 0)
            break;              //  past the batch's allocations
    }
    CHECK (n > S_OPS && n < 100, "every operation allocates, and the batch ends (n=%d)", n);
    for (int i = 0; i < S_OPS; i++)
        CHECK (failed [i], "op %d was made to run out of memory and said so", i);

    //  Without test_clock the key means nothing.
    char *folder = unit_tmpdir ();
    dh_config_t *config = NULL;
    dh_daemon_t *daemon = NULL;
    dh_service_t *service = s_service_with (folder, 1, 0, &config, &daemon);
    s_ops_t ops = { 0 };
    CHECK (service && dh_store_dbi (dh_service_store (service), "ops", &ops.dbi) == 0
           && dh_store_dbi (dh_service_store (service), "journal", &ops.journal) == 0
           && dh_service_transact (service, s_every_allocation, &ops) == 0, "batch");
    CHECK (ops.rc [0] == 0 && ops.rc [1] == 0 && ops.rc [4] == 0 && ops.rc [5] == 0,
           "nothing fails without test_clock");
    dh_daemon_destroy (&daemon);
    dh_config_destroy (&config);
    unit_rmdir (folder);
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
    CHECK (!strcmp (dh_call_enum_name (&dh__item_state__descriptor, DH__ITEM_STATE__ASSIGNED), "ASSIGNED"),
           "an enum value's name");
    CHECK (!strcmp (dh_call_enum_name (&dh__item_state__descriptor, 9999), "?"), "a value the enum lacks");
    if (service) {
        s_test_journal (service);
        s_test_messages (service);
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
    s_test_out_of_memory ();
    return UNIT_DONE ("test_handler");
}
