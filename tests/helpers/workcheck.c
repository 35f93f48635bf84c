/*  workcheck — read intake's and assign's stores straight from LMDB (read
    only, none of our store code) and check the promises of a dossier's
    life after crashes:
      every acknowledged code exists, once; codes are unique and gap-free
      per agency and day; assign holds every item intake has, exactly once,
      each with one lead unit; handlers' loads match the items they hold;
      every item's steps journal links back, entry by entry, to its first.
    workcheck INTAKE_LMDB ASSIGN_LMDB [ACKED_FILE]  */
#include <czmq.h>
#include <lmdb.h>
#include "org.pb-c.h"
#include "work.pb-c.h"

static int s_failures;

#define CHECK(cond, ...) do { if (!(cond)) { s_failures++; if (s_failures < 20) \
    { fprintf (stderr, "workcheck: "); fprintf (stderr, __VA_ARGS__); fprintf (stderr, "\n"); } } } while (0)

typedef struct {
    MDB_env *env;
    MDB_txn *txn;
} s_store_t;

static int
s_open (s_store_t *store, const char *path)
{
    mdb_env_create (&store->env);
    mdb_env_set_maxdbs (store->env, 128);
    if (mdb_env_open (store->env, path, MDB_RDONLY, 0)
    ||  mdb_txn_begin (store->env, NULL, MDB_RDONLY, &store->txn)) {
        fprintf (stderr, "workcheck: cannot open %s\n", path);
        return -1;
    }
    return 0;
}

static MDB_cursor *
s_cursor (s_store_t *store, const char *name)
{
    MDB_dbi dbi;
    MDB_cursor *cursor = NULL;
    if (mdb_dbi_open (store->txn, name, 0, &dbi) || mdb_cursor_open (store->txn, dbi, &cursor))
        fprintf (stderr, "workcheck: no table %s\n", name);
    return cursor;
}

static MDB_dbi
s_dbi (s_store_t *store, const char *name)
{
    MDB_dbi dbi = 0;
    if (mdb_dbi_open (store->txn, name, 0, &dbi))
        fprintf (stderr, "workcheck: no table %s\n", name);
    return dbi;
}

//  How many entries the journal chain ending at newest holds (each an
//  8-byte big-endian link to the previous one, then a Step); -1 if a
//  link is missing, points forward or an entry is not a Step.
static long
s_chain (s_store_t *store, MDB_dbi journal, uint64_t newest)
{
    long count = 0;
    for (uint64_t seq = newest; seq; count++) {
        uint8_t key_bytes [8];
        for (int i = 0; i < 8; i++)
            key_bytes [i] = (uint8_t) (seq >> (56 - 8 * i));
        MDB_val key = { 8, key_bytes }, value;
        if (mdb_get (store->txn, journal, &key, &value) || value.mv_size < 8)
            return -1;
        uint64_t previous = 0;
        for (int i = 0; i < 8; i++)
            previous = previous << 8 | ((uint8_t *) value.mv_data) [i];
        Dh__Step *step = dh__step__unpack (NULL, value.mv_size - 8, (uint8_t *) value.mv_data + 8);
        if (!step || previous >= seq)
            return -1;
        dh__step__free_unpacked (step, NULL);
        seq = previous;
    }
    return count;
}

static char *
s_key (MDB_val *key)
{
    return strndup (key->mv_data, key->mv_size);
}

int
main (int argc, char **argv)
{
    if (argc < 3) {
        fprintf (stderr, "usage: workcheck INTAKE_LMDB ASSIGN_LMDB [ACKED_FILE]\n");
        return 2;
    }
    s_store_t intake, assign;
    if (s_open (&intake, argv [1]) || s_open (&assign, argv [2]))
        return 2;
    zhash_t *intake_items = zhash_new ();       //  code -> state name
    zhash_t *day_max = zhash_new ();            //  agency-day -> highest number (as text)
    zhash_t *day_count = zhash_new ();
    MDB_val key, value;
    //  Intake keeps a dossier in two parts under its code: as received,
    //  and its status.
    MDB_cursor *cursor = s_cursor (&intake, "status");
    MDB_dbi dossiers = s_dbi (&intake, "dossiers"), intake_steps = s_dbi (&intake, "steps");
    long items = 0;
    for (int op = MDB_FIRST; cursor && mdb_cursor_get (cursor, &key, &value, op) == 0; op = MDB_NEXT) {
        char *code = s_key (&key);
        MDB_val received = { 0, NULL };
        Dh__Item *item = NULL;
        CHECK (mdb_get (intake.txn, dossiers, &key, &received) == 0, "intake has a status but no dossier %s", code);
        if (received.mv_data)
            item = dh__item__unpack (NULL, received.mv_size, received.mv_data);
        Dh__ItemStatus *status = dh__item_status__unpack (NULL, value.mv_size, value.mv_data);
        CHECK (item && !strcmp (item->code, code), "intake item %s unreadable or misfiled", code);
        CHECK (status && *status->lead_unit, "intake item %s has no lead unit", code);
        CHECK (status && s_chain (&intake, intake_steps, status->last_step) >= 1,
               "intake item %s: its steps do not read back", code);
        if (status)
            dh__item_status__free_unpacked (status, NULL);
        zhash_insert (intake_items, code, "1");
        //  agency-yyMMdd-NNNN: the number after the last '-'.
        char *dash = strrchr (code, '-');
        CHECK (dash && strlen (dash + 1) >= 4, "code %s is not {agency}-{yyMMdd}-{NNNN}", code);
        if (dash) {
            char *group = strndup (code, dash - code);
            long number = atol (dash + 1);
            long max = zhash_lookup (day_max, group)? atol (zhash_lookup (day_max, group)): 0;
            long count = zhash_lookup (day_count, group)? atol (zhash_lookup (day_count, group)): 0;
            char text [32];
            snprintf (text, sizeof text, "%ld", number > max? number: max);
            zhash_update (day_max, group, strdup (text));
            zhash_freefn (day_max, group, free);
            snprintf (text, sizeof text, "%ld", count + 1);
            zhash_update (day_count, group, strdup (text));
            zhash_freefn (day_count, group, free);
            free (group);
        }
        if (item)
            dh__item__free_unpacked (item, NULL);
        free (code);
        items++;
    }
    MDB_stat dossier_stat = { 0 };
    mdb_stat (intake.txn, dossiers, &dossier_stat);
    CHECK ((long) dossier_stat.ms_entries == items, "intake has %zu dossiers but %ld status records",
           dossier_stat.ms_entries, items);
    //  Gap-free: N codes in a group, numbered 1..N.
    for (char *max = zhash_first (day_max); max; max = zhash_next (day_max)) {
        const char *group = zhash_cursor (day_max);
        const char *count = zhash_lookup (day_count, group);
        CHECK (!strcmp (max, count), "%s: highest number %s but %s codes (a gap)", group, max, count);
    }
    long acked = 0, acked_missing = 0;
    if (argc > 3) {
        FILE *file = fopen (argv [3], "r");
        zhash_t *seen = zhash_new ();
        char line [200];
        while (file && fgets (line, sizeof line, file)) {
            line [strcspn (line, "\n")] = 0;
            if (!*line)
                continue;
            acked++;
            CHECK (!zhash_lookup (seen, line), "code %s acknowledged twice", line);
            zhash_insert (seen, line, "1");
            if (!zhash_lookup (intake_items, line)) {
                acked_missing++;
                CHECK (false, "acknowledged %s is not in intake's store", line);
            }
        }
        if (file)
            fclose (file);
        zhash_destroy (&seen);
    }
    //  Assign: the same items, each once, one lead unit, loads that add up.
    zhash_t *held = zhash_new ();       //  handler -> open items held
    cursor = s_cursor (&assign, "items");
    MDB_dbi assign_steps = s_dbi (&assign, "steps");
    long assigned = 0;
    for (int op = MDB_FIRST; cursor && mdb_cursor_get (cursor, &key, &value, op) == 0; op = MDB_NEXT) {
        char *code = s_key (&key);
        Dh__AssignmentRecord *record = dh__assignment_record__unpack (NULL, value.mv_size, value.mv_data);
        Dh__Assignment *item = record? record->item: NULL;
        CHECK (item && !strcmp (item->code, code), "assignment %s unreadable or misfiled", code);
        CHECK (zhash_lookup (intake_items, code), "assign holds %s that intake does not have", code);
        if (item) {
            CHECK (*item->lead_unit, "%s has no lead unit", code);
            CHECK (s_chain (&assign, assign_steps, record->last_step) == item->history_count,
                   "%s: its %u steps do not read back", code, item->history_count);
            bool open = item->state == DH__ITEM_STATE__ASSIGNED || item->state == DH__ITEM_STATE__IN_PROGRESS
                     || item->state == DH__ITEM_STATE__SUPPLEMENT_REQUESTED;
            if (open && *item->handler) {
                long count = zhash_lookup (held, item->handler)? atol (zhash_lookup (held, item->handler)): 0;
                char text [32];
                snprintf (text, sizeof text, "%ld", count + 1);
                zhash_update (held, item->handler, strdup (text));
                zhash_freefn (held, item->handler, free);
            }
        }
        if (record)
            dh__assignment_record__free_unpacked (record, NULL);
        free (code);
        assigned++;
    }
    CHECK (assigned == items, "intake has %ld items, assign holds %ld", items, assigned);
    cursor = s_cursor (&assign, "load");
    for (int op = MDB_FIRST; cursor && mdb_cursor_get (cursor, &key, &value, op) == 0; op = MDB_NEXT) {
        char *handler = s_key (&key);
        uint32_t load = 0;
        if (value.mv_size == 4)
            memcpy (&load, value.mv_data, 4);
        const char *count = zhash_lookup (held, handler);
        CHECK ((long) load == (count? atol (count): 0), "%s: load %u but holds %s open items",
               handler, load, count? count: "0");
        zhash_delete (held, handler);
        free (handler);
    }
    CHECK (zhash_size (held) == 0, "%zu handlers hold items but have no load", zhash_size (held));
    printf ("items %ld, assigned %ld, acknowledged %ld (missing %ld), agency-days %zu, failures %d\n",
            items, assigned, acked, acked_missing, zhash_size (day_max), s_failures);
    zhash_destroy (&intake_items);
    zhash_destroy (&day_max);
    zhash_destroy (&day_count);
    zhash_destroy (&held);
    mdb_txn_abort (intake.txn);
    mdb_txn_abort (assign.txn);
    mdb_env_close (intake.env);
    mdb_env_close (assign.env);
    return s_failures? 1: 0;
}
