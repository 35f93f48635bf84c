//  Jobs: kept in the store, run by worker threads, results applied in a
//  group transaction. What is in flight (given to a worker, or run and
//  not yet applied) is known to the loop alone: the store keeps only the
//  queue, so a crash leaves every job queued and it is given again.
#include <sodium.h>
#include "dh_call.h"
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_jobs.h"
#include "dh_schedule.h"

#define S_WORKERS_MAX   64
#define S_JOB_MAX       (1 << 20)
#define S_RESULT_MAX    512
#define S_HEADER        12      //  a stored job: attempts (4), due time (8), then its bytes
#define S_APPLY_MS      1       //  results arriving together share a commit
#define S_APPLY_RETRY_MS 1000

typedef struct {
    uint64_t id;
    int status;
    dh_job_outcome_t outcome;   //  what applying it decided; 0: applied before
    char result [S_RESULT_MAX];
} s_result_t;

typedef struct {
    dh_jobs_t *jobs;
    size_t index;
} s_worker_ref_t;

struct _dh_jobs_t {
    dh_service_t *service;
    dh_jobs_options_t options;
    char name [32];
    dh_job_run_fn *run;
    dh_job_done_fn *done;
    void *arg;
    dh_dbi_t jobs;              //  id -> attempts, due time, bytes
    dh_dbi_t due;               //  dh_schedule (due time, id)
    dh_dbi_t dead;              //  id -> attempts, 0, bytes
    dh_dbi_t meta;              //  "next" -> the next id (ids are never reused)
    zactor_t *workers [S_WORKERS_MAX];
    s_worker_ref_t refs [S_WORKERS_MAX];
    uint64_t running [S_WORKERS_MAX];   //  the id each worker runs; 0 when idle
    zlist_t *results;           //  s_result_t, run and not yet applied
    dh_timer_t *timer;          //  the next due time
    int apply_timer;            //  zloop timer id while an apply is pending; -1
    bool dispatch_wanted;       //  a commit may have added jobs
    double tokens;              //  rate: jobs that may start now
    int64_t tokens_at;          //  zclock_mono ms of the last refill
    uint64_t applied;
    uint64_t outcomes [DH_JOB_DEAD + 1];    //  committed, by dh_job_outcome_t (for STATUS)
};

static void
s_put_header (uint8_t *at, uint32_t attempts, int64_t due)
{
    for (int i = 0; i < 4; i++)
        at [i] = (uint8_t) (attempts >> (24 - 8 * i));
    dh_key_u64 (at + 4, (uint64_t) due);
}

static void
s_get_header (const uint8_t *at, uint32_t *attempts, int64_t *due)
{
    *attempts = ((uint32_t) at [0] << 24) | ((uint32_t) at [1] << 16) | ((uint32_t) at [2] << 8) | at [3];
    *due = (int64_t) dh_key_u64_read (at + 4);
}

static bool
s_in_flight (dh_jobs_t *self, uint64_t id)
{
    for (size_t i = 0; i < self->options.workers; i++)
        if (self->running [i] == id)
            return true;
    for (s_result_t *result = zlist_first (self->results); result; result = zlist_next (self->results))
        if (result->id == id)
            return true;
    return false;
}

static size_t
s_idle_worker (dh_jobs_t *self)
{
    for (size_t i = 0; i < self->options.workers; i++)
        if (!self->running [i])
            return i;
    return SIZE_MAX;
}

//  The rate: a bucket refilled by real time (a provider's limit is in
//  seconds of the world, whatever a test clock says), at most one
//  second's worth kept.
static bool
s_take_token (dh_jobs_t *self)
{
    if (self->options.rate_per_s <= 0)
        return true;
    int64_t now = zclock_mono ();
    self->tokens += (now - self->tokens_at) * self->options.rate_per_s / 1000.0;
    self->tokens_at = now;
    double burst = self->options.rate_per_s < 1? 1: self->options.rate_per_s;
    if (self->tokens > burst)
        self->tokens = burst;
    if (self->tokens < 1)
        return false;
    self->tokens -= 1;
    return true;
}

//  Give due jobs to idle workers, reading the queue in txn. Arms the timer
//  for the first job not yet due, or for the rate's next token.
static int
s_dispatch_in (dh_jobs_t *self, dh_txn_t *txn)
{
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (txn, self->due, &cursor);
    if (rc)
        return rc;
    int64_t now = dh_clock_now ();
    dh_val_t key, value;
    for (rc = dh_cursor_first (cursor, &key, &value); !rc; rc = dh_cursor_next (cursor, &key, &value)) {
        if (key.size != 16) {
            rc = DH_E_CORRUPT;
            break;
        }
        int64_t due = (int64_t) dh_key_u64_read (key.data);
        if (due > now) {
            dh_timer_at (self->timer, due);
            break;
        }
        uint64_t id = dh_key_u64_read ((const uint8_t *) key.data + 8);
        if (s_in_flight (self, id))
            continue;
        size_t worker = s_idle_worker (self);
        if (worker == SIZE_MAX)
            break;              //  a worker's result dispatches again
        if (!s_take_token (self)) {
            dh_timer_at (self->timer, now + (int64_t) (1000 / self->options.rate_per_s) + 1);
            break;
        }
        dh_val_t job;
        if ((rc = dh_txn_get (txn, self->jobs, key.data + 8, 8, &job)) || job.size < S_HEADER) {
            zsys_error ("jobs %s: queued job %" PRIu64 " is not in the store (%s)", self->name, id,
                        rc? dh_strerror (rc): "too short");
            rc = 0;
            continue;
        }
        zmsg_t *message = zmsg_new ();
        uint8_t id_bytes [8];
        dh_key_u64 (id_bytes, id);
        if (!message || zmsg_addmem (message, id_bytes, 8)
        ||  zmsg_addmem (message, (const uint8_t *) job.data + S_HEADER, job.size - S_HEADER)
        ||  zmsg_send (&message, self->workers [worker])) {
            zmsg_destroy (&message);
            rc = DH_E_NOMEM;
            break;
        }
        self->running [worker] = id;
    }
    dh_cursor_close (&cursor);
    return rc == DH_E_NOT_FOUND? 0: rc;
}

static void
s_dispatch (dh_jobs_t *self)
{
    dh_txn_t *txn;
    int rc = dh_txn_begin (dh_service_store (self->service), false, &txn);
    if (!rc) {
        rc = s_dispatch_in (self, txn);
        dh_txn_abort (&txn);
    }
    if (rc)
        zsys_error ("jobs %s: cannot read the queue: %s", self->name, dh_strerror (rc));
}

static int
s_dispatch_work (dh_call_t *call, void *arg)
{
    dh_jobs_t *self = arg;
    int rc = s_dispatch_in (self, call->txn);
    return rc? dh_call_fail (call, rc, "jobs %s: cannot read the queue", self->name): 0;
}

static void
s_committed (dh_service_t *service, void *arg)
{
    (void) service;
    dh_jobs_t *self = arg;
    if (self->dispatch_wanted) {
        self->dispatch_wanted = false;
        s_dispatch (self);
    }
}

//  The wait before attempt `attempts` + 1: doubling, capped, ±25 %.
static int64_t
s_backoff (dh_jobs_t *self, uint32_t attempts)
{
    int64_t wait = self->options.backoff_ms;
    for (uint32_t i = 1; i < attempts && wait < self->options.backoff_cap_ms; i++)
        wait *= 2;
    if (wait > self->options.backoff_cap_ms)
        wait = self->options.backoff_cap_ms;
    int64_t spread = wait / 2;
    if (spread > 0)
        wait = wait - spread / 2 + (int64_t) randombytes_uniform ((uint32_t) (spread < UINT32_MAX? spread: UINT32_MAX));
    return wait > 0? wait: 1;
}

static int
s_apply_one (dh_jobs_t *self, dh_call_t *call, s_result_t *result)
{
    result->outcome = 0;
    uint8_t id_bytes [8];
    dh_key_u64 (id_bytes, result->id);
    dh_val_t stored;
    int rc = dh_txn_get (call->txn, self->jobs, id_bytes, 8, &stored);
    if (rc == DH_E_NOT_FOUND)
        return 0;               //  applied before (a second result after a restart)
    if (rc || stored.size < S_HEADER)
        return rc? rc: DH_E_CORRUPT;
    uint32_t attempts;
    int64_t due;
    s_get_header (stored.data, &attempts, &due);
    attempts++;
    size_t size = stored.size - S_HEADER;
    uint8_t *job = dh_service_scratch (call->service, size + 1);
    if (!job)
        return DH_E_NOMEM;
    memcpy (job, (const uint8_t *) stored.data + S_HEADER, size);
    dh_job_outcome_t outcome = result->status == 0? DH_JOB_DONE:
                               result->status == DH_E_INVALID || attempts >= self->options.max_attempts?
                               DH_JOB_DEAD: DH_JOB_RETRY;
    result->outcome = outcome;
    int64_t next_at = outcome == DH_JOB_RETRY? dh_clock_now () + s_backoff (self, attempts): 0;
    if ((rc = self->done (call, self->arg, result->id, job, size, result->status, result->result, attempts,
                          outcome, next_at)))
        return rc;
    if ((rc = dh_schedule_remove (call->txn, self->due, due, id_bytes, 8)) && rc != DH_E_NOT_FOUND)
        return rc;
    if (outcome == DH_JOB_RETRY) {
        uint8_t *record;
        if ((rc = dh_txn_reserve (call->txn, self->jobs, id_bytes, 8, S_HEADER + size, false, (void **) &record)))
            return rc;
        s_put_header (record, attempts, next_at);
        memcpy (record + S_HEADER, job, size);
        dh_timer_at (self->timer, next_at);
        return dh_schedule_put (call->txn, self->due, next_at, id_bytes, 8, NULL, 0);
    }
    if ((rc = dh_txn_del (call->txn, self->jobs, id_bytes, 8)))
        return rc;
    if (outcome == DH_JOB_DEAD) {
        uint8_t *record;
        if ((rc = dh_txn_reserve (call->txn, self->dead, id_bytes, 8, S_HEADER + size, false, (void **) &record)))
            return rc;
        s_put_header (record, attempts, 0);
        memcpy (record + S_HEADER, job, size);
        zsys_warning ("jobs %s: job %" PRIu64 " is dead after %u attempts: %s", self->name, result->id,
                      attempts, result->result);
    }
    return 0;
}

static int
s_apply_work (dh_call_t *call, void *arg)
{
    dh_jobs_t *self = arg;
    for (s_result_t *result = zlist_first (self->results); result; result = zlist_next (self->results)) {
        int rc = s_apply_one (self, call, result);
        if (rc)
            return dh_call_fail (call, rc, "jobs %s: cannot apply the result of job %" PRIu64 ": %s",
                                 self->name, result->id, dh_strerror (rc));
    }
    return 0;
}

static int
s_handle_apply (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    dh_jobs_t *self = arg;
    self->apply_timer = -1;
    if (!zlist_size (self->results))
        return 0;
    int rc = dh_service_transact (self->service, s_apply_work, self);
    if (rc) {
        zsys_warning ("jobs %s: results not applied (%s); again in %d ms", self->name, dh_strerror (rc),
                      S_APPLY_RETRY_MS);
        self->apply_timer = zloop_timer (dh_service_loop (self->service), S_APPLY_RETRY_MS, 1,
                                         s_handle_apply, self);
        return 0;
    }
    s_result_t *result;
    while ((result = zlist_pop (self->results))) {
        self->outcomes [result->outcome]++;
        free (result);
        self->applied++;
    }
    s_dispatch (self);
    return 0;
}

static int
s_handle_result (zloop_t *loop, zsock_t *reader, void *arg)
{
    s_worker_ref_t *ref = arg;
    dh_jobs_t *self = ref->jobs;
    uint64_t id;
    int status;
    char *text = NULL;
    if (zsock_recv (reader, "8is", &id, &status, &text) || !text) {
        free (text);
        return 0;
    }
    s_result_t *result = malloc (sizeof *result);
    if (result) {
        result->id = id;
        result->status = status;
        snprintf (result->result, sizeof result->result, "%s", text);
        zlist_append (self->results, result);
    }
    else
        zsys_error ("jobs %s: no memory for the result of job %" PRIu64 "; it runs again", self->name, id);
    free (text);
    self->running [ref->index] = 0;
    if (self->apply_timer < 0)
        self->apply_timer = zloop_timer (loop, S_APPLY_MS, 1, s_handle_apply, self);
    s_dispatch (self);
    return 0;
}

//  A worker thread: one job at a time, its result back on the pipe.
static void
s_worker (zsock_t *pipe, void *arg)
{
    dh_jobs_t *self = arg;
    zsock_signal (pipe, 0);
    char *result = malloc (S_RESULT_MAX);
    while (result) {
        zmsg_t *message = zmsg_recv (pipe);
        if (!message)
            break;
        zframe_t *first = zmsg_first (message);
        if (zframe_streq (first, "$TERM") || zmsg_size (message) != 2 || zframe_size (first) != 8) {
            zmsg_destroy (&message);
            break;
        }
        uint64_t id = dh_key_u64_read (zframe_data (first));
        zframe_t *job = zmsg_next (message);
        result [0] = 0;
        int status = self->run (self->arg, id, zframe_data (job), zframe_size (job), result, S_RESULT_MAX);
        result [S_RESULT_MAX - 1] = 0;
        zmsg_destroy (&message);
        zsock_send (pipe, "8is", id, status, result);
    }
    free (result);
}

static void
s_stop (void *arg)
{
    dh_jobs_t *self = arg;
    for (size_t i = 0; i < self->options.workers; i++)
        zactor_destroy (&self->workers [i]);
    s_result_t *result;
    while ((result = zlist_pop (self->results)))
        free (result);
    zlist_destroy (&self->results);
    free (self);
}

dh_jobs_t *
dh_jobs_new (dh_service_t *service, const dh_jobs_options_t *options, dh_job_run_fn *run,
             dh_job_done_fn *done, void *arg)
{
    if (options->workers < 1 || options->workers > S_WORKERS_MAX || options->max_attempts < 1
    ||  options->backoff_ms < 1 || options->backoff_cap_ms < options->backoff_ms || !*options->name
    ||  strlen (options->name) >= 24 || sodium_init () < 0) {
        zsys_error ("jobs %s: bad options", options->name);
        return NULL;
    }
    dh_jobs_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->service = service;
    self->options = *options;
    snprintf (self->name, sizeof self->name, "%s", options->name);
    self->options.name = self->name;
    self->run = run;
    self->done = done;
    self->arg = arg;
    self->apply_timer = -1;
    self->tokens_at = zclock_mono ();
    self->tokens = 1;
    self->results = zlist_new ();
    char name [64];
    dh_store_t *store = dh_service_store (service);
    int rc = self->results? 0: DH_E_NOMEM;
    const char *suffixes [4] = { "", ".due", ".dead", ".meta" };
    dh_dbi_t *dbis [4] = { &self->jobs, &self->due, &self->dead, &self->meta };
    for (int i = 0; i < 4 && !rc; i++) {
        snprintf (name, sizeof name, "jobs.%s%s", self->name, suffixes [i]);
        rc = dh_store_dbi (store, name, dbis [i]);
    }
    self->timer = rc? NULL: dh_service_timer_new (service, s_dispatch_work, self);
    if (rc || !self->timer || dh_daemon_on_stop (dh_service_daemon (service), s_stop, self)) {
        zsys_error ("jobs %s: cannot start: %s", self->name, dh_strerror (rc? rc: DH_E_NOMEM));
        zlist_destroy (&self->results);
        free (self);
        return NULL;
    }
    for (size_t i = 0; i < options->workers; i++) {
        self->refs [i] = (s_worker_ref_t) { self, i };
        self->workers [i] = zactor_new (s_worker, self);
        if (!self->workers [i]
        ||  zloop_reader (dh_service_loop (service), zactor_sock (self->workers [i]), s_handle_result,
                          &self->refs [i])) {
            zsys_error ("jobs %s: cannot start worker %zu", self->name, i);
            return NULL;        //  the stop hook frees what was made
        }
    }
    dh_service_on_commit (service, s_committed, self);
    dh_service_add_jobs (service, self);
    //  What was queued (or running when the daemon stopped) goes now.
    dh_timer_at (self->timer, dh_clock_now ());
    return self;
}

int
dh_jobs_add (dh_jobs_t *self, dh_txn_t *txn, const void *job, size_t size, uint64_t *id_out)
{
    if (size > S_JOB_MAX)
        return DH_E_TOO_BIG;
    uint64_t id = 1;
    dh_val_t value;
    int rc = dh_txn_get (txn, self->meta, "next", 4, &value);
    if (rc == 0 && value.size == 8)
        id = dh_key_u64_read (value.data);
    else
    if (rc != DH_E_NOT_FOUND)
        return rc? rc: DH_E_CORRUPT;
    uint8_t id_bytes [8], next [8];
    dh_key_u64 (id_bytes, id);
    dh_key_u64 (next, id + 1);
    int64_t now = dh_clock_now ();
    uint8_t *record;
    if ((rc = dh_txn_put (txn, self->meta, "next", 4, next, 8))
    ||  (rc = dh_txn_reserve (txn, self->jobs, id_bytes, 8, S_HEADER + size, false, (void **) &record)))
        return rc;
    s_put_header (record, 0, now);
    memcpy (record + S_HEADER, job, size);
    if ((rc = dh_schedule_put (txn, self->due, now, id_bytes, 8, NULL, 0)))
        return rc;
    self->dispatch_wanted = true;
    if (id_out)
        *id_out = id;
    return 0;
}

int
dh_jobs_requeue (dh_jobs_t *self, dh_txn_t *txn, uint64_t id)
{
    uint8_t id_bytes [8];
    dh_key_u64 (id_bytes, id);
    dh_val_t stored;
    int rc = dh_txn_get (txn, self->dead, id_bytes, 8, &stored);
    if (rc)
        return rc;
    if (stored.size < S_HEADER)
        return DH_E_CORRUPT;
    size_t size = stored.size - S_HEADER;
    int64_t now = dh_clock_now ();
    uint8_t *record;
    if ((rc = dh_txn_reserve (txn, self->jobs, id_bytes, 8, S_HEADER + size, false, (void **) &record)))
        return rc;
    //  Read again: the reserve may have moved the dead record's page.
    if ((rc = dh_txn_get (txn, self->dead, id_bytes, 8, &stored)))
        return rc;
    s_put_header (record, 0, now);
    memcpy (record + S_HEADER, (const uint8_t *) stored.data + S_HEADER, size);
    if ((rc = dh_txn_del (txn, self->dead, id_bytes, 8))
    ||  (rc = dh_schedule_put (txn, self->due, now, id_bytes, 8, NULL, 0)))
        return rc;
    self->dispatch_wanted = true;
    return 0;
}

int
dh_jobs_dead_each (dh_jobs_t *self, dh_txn_t *txn, dh_job_each_fn *fn, void *arg)
{
    dh_cursor_t *cursor;
    int rc = dh_cursor_open (txn, self->dead, &cursor);
    if (rc)
        return rc;
    dh_val_t key, value;
    for (rc = dh_cursor_first (cursor, &key, &value); !rc; rc = dh_cursor_next (cursor, &key, &value)) {
        if (key.size != 8 || value.size < S_HEADER) {
            rc = DH_E_CORRUPT;
            break;
        }
        uint32_t attempts;
        int64_t unused;
        s_get_header (value.data, &attempts, &unused);
        if ((rc = fn (arg, dh_key_u64_read (key.data), (const uint8_t *) value.data + S_HEADER,
                      value.size - S_HEADER, attempts)))
            break;
    }
    dh_cursor_close (&cursor);
    return rc == DH_E_NOT_FOUND? 0: rc;
}

const char *
dh_jobs_name (dh_jobs_t *self)
{
    return self->name;
}

int
dh_jobs_figures (dh_jobs_t *self, dh_txn_t *txn, dh_jobs_figures_t *figures)
{
    *figures = (dh_jobs_figures_t) {
        .done = self->outcomes [DH_JOB_DONE], .retried = self->outcomes [DH_JOB_RETRY],
        .dead = self->outcomes [DH_JOB_DEAD]
    };
    uint64_t applied;
    dh_jobs_counts (self, &figures->running, &applied);
    int rc = dh_txn_count (txn, self->jobs, &figures->queued);
    return rc? rc: dh_txn_count (txn, self->dead, &figures->dead_held);
}

void
dh_jobs_counts (dh_jobs_t *self, uint64_t *running, uint64_t *applied)
{
    *running = 0;
    for (size_t i = 0; i < self->options.workers; i++)
        *running += self->running [i] != 0;
    *applied = self->applied;
}
