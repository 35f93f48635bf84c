/*  dh_jobs — slow work off the loop: anything that waits on the outside
    world (a mail server, an SMS provider, a webhook) is a job kept in the
    store, written in the transaction that caused it, run by worker
    threads (CZMQ zactors), and its result applied in a later group
    transaction. The loop never waits on it: a hung server holds only its
    own workers.

    A job is given to a worker when it is due, as workers are free and the
    rate allows; until its result is applied it is given to no other. Its
    result decides: done (the job is deleted), retry (due again after a
    backoff that doubles with each attempt, with jitter, up to a cap), or
    dead (kept apart, after max_attempts or a refusal that will not
    change, until an operator requeues it). Every outcome is handed to the
    service's done function in the same transaction, for its own records.

    A daemon killed while a job runs gives it again when it starts: jobs
    are delivered at least once. The job's id goes with it, so a receiver
    can drop a second delivery (README says which channels can).  */
#ifndef DH_JOBS_H
#define DH_JOBS_H

#include "dh_service.h"

typedef struct _dh_jobs_t dh_jobs_t;

typedef struct {
    const char *name;           //  names its sub-databases (jobs.NAME, ...) and its log lines
    size_t workers;             //  threads running jobs, 1 to 64
    uint32_t max_attempts;      //  then a dead letter
    int64_t backoff_ms;         //  the first retry after this, doubling (±25 % jitter)
    int64_t backoff_cap_ms;     //  ... up to this
    double rate_per_s;          //  most jobs started per second; 0: no limit
} dh_jobs_options_t;

//  Run job id in a worker thread: the slow thing. Returns 0 when done,
//  DH_E_INVALID when it never will be (no retry), another error code to
//  retry; words in result (always ended). The id is the receiver's
//  idempotency key. @note arg is shared by every worker: what it points
//  to must be read-only or thread-safe.
typedef int (dh_job_run_fn) (void *arg, uint64_t id, const void *job, size_t size, char *result,
                             size_t result_size);

typedef enum {
    DH_JOB_DONE = 1,
    DH_JOB_RETRY = 2,           //  next_at says when
    DH_JOB_DEAD = 3
} dh_job_outcome_t;

//  A job's result, in the loop, in a group transaction (call->txn):
//  what the service records of it (a delivery log). status and result
//  are run's; attempts counts this one. A non-zero return undoes the
//  transaction; the result is applied again later.
typedef int (dh_job_done_fn) (dh_call_t *call, void *arg, uint64_t id, const void *job, size_t size,
                              int status, const char *result, uint32_t attempts,
                              dh_job_outcome_t outcome, int64_t next_at);

//  Jobs of one kind on service, with their workers, started now; stopped
//  with the daemon. Call from setup, outside any transaction. NULL on
//  error (logged).
dh_jobs_t *dh_jobs_new (dh_service_t *service, const dh_jobs_options_t *options, dh_job_run_fn *run,
                        dh_job_done_fn *done, void *arg);

//  Queue a job (bytes copied) in txn, due now; *id (may be NULL) gets
//  its number. It is given to a worker once txn commits. Errors:
//  DH_E_TOO_BIG (over 1 MB), store errors.
int dh_jobs_add (dh_jobs_t *self, dh_txn_t *txn, const void *job, size_t size, uint64_t *id);

//  A dead job back into the queue, due now, its attempts counted from 0.
//  Errors: DH_E_NOT_FOUND (no such dead job), store errors.
int dh_jobs_requeue (dh_jobs_t *self, dh_txn_t *txn, uint64_t id);

//  Every dead job, oldest first, to fn; a non-zero return of fn stops
//  and is returned.
typedef int (dh_job_each_fn) (void *arg, uint64_t id, const void *job, size_t size, uint32_t attempts);
int dh_jobs_dead_each (dh_jobs_t *self, dh_txn_t *txn, dh_job_each_fn *fn, void *arg);

//  Jobs running now, and results applied since the start.
void dh_jobs_counts (dh_jobs_t *self, uint64_t *running, uint64_t *applied);

//  What STATUS says of a kind of jobs: the outcomes of the results
//  committed since the start, and what the store holds now (read in txn).
typedef struct {
    uint64_t done, retried, dead;   //  results applied, by outcome
    uint64_t queued;                //  jobs waiting or running now
    uint64_t dead_held;             //  dead letters kept now
    uint64_t running;               //  in a worker now
} dh_jobs_figures_t;
//  Errors: store errors.
int dh_jobs_figures (dh_jobs_t *self, dh_txn_t *txn, dh_jobs_figures_t *figures);

//  Its name (options.name). @note owned by the jobs.
const char *dh_jobs_name (dh_jobs_t *self);

#endif
