//  Timers: work run in a group transaction when the service clock
//  reaches a time. One zloop timer per dh_timer_t, armed for its one due
//  time; what is due (a million clocks) is the work's to read from its
//  store, so the loop never holds more than one timer per kind of work.
#include "dh_clock.h"
#include "dh_error.h"
#include "dh_service_private.h"

#define S_RETRY_MS      1000    //  after work that failed
#define S_LONGEST_MS    60000   //  re-read the clock at least this often (it may be set back or forward)

static void s_arm (dh_timer_t *self);

static int
s_handle_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    dh_timer_t *self = arg;
    self->zloop_id = -1;
    if (!self->due_ms)
        return 0;
    if (dh_clock_now () < self->due_ms) {
        s_arm (self);           //  woke for a clock re-read, or the clock went back
        return 0;
    }
    self->due_ms = 0;
    int64_t began_us = zclock_usecs ();
    int rc = dh_service_transact (self->service, self->fn, self->arg);
    if (self->share < 100) {
        int64_t ended_us = zclock_usecs ();
        self->rest_until_us = ended_us + (ended_us - began_us) * (100 - self->share) / self->share;
        s_arm (self);
    }
    if (rc) {
        zsys_warning ("%s: timer work failed (%s); trying again in %d ms",
                      self->service->name, dh_strerror (rc), S_RETRY_MS);
        //  The work may have set the timer in the transaction that failed;
        //  its retry comes first either way.
        self->due_ms = 0;
        dh_timer_at (self, dh_clock_now () + (dh_clock_test_mode ()? 0: S_RETRY_MS));
    }
    return 0;
}

//  Under the test clock nothing moves until a CLOCK command does, so only
//  a time already reached is armed (for the next turn of the loop).
static void
s_arm (dh_timer_t *self)
{
    if (self->zloop_id >= 0) {
        zloop_timer_end (self->service->loop, self->zloop_id);
        self->zloop_id = -1;
    }
    if (!self->due_ms)
        return;
    int64_t delay = self->due_ms - dh_clock_now ();
    if (delay < 0)
        delay = 0;
    if (delay > 0 && dh_clock_test_mode ())
        return;
    if (delay > S_LONGEST_MS)
        delay = S_LONGEST_MS;
    int64_t rest_ms = (self->rest_until_us - zclock_usecs () + 999) / 1000;
    if (rest_ms > delay)
        delay = rest_ms;
    self->zloop_id = zloop_timer (self->service->loop, (size_t) delay, 1, s_handle_timer, self);
    if (self->zloop_id < 0)
        zsys_error ("%s: cannot arm a timer", self->service->name);
}

dh_timer_t *
dh_service_timer_new (dh_service_t *service, dh_work_fn *fn, void *arg)
{
    dh_timer_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    *self = (dh_timer_t) { service, fn, arg, 0, -1, 100, 0, service->timers };
    service->timers = self;
    return self;
}

void
dh_timer_at (dh_timer_t *self, int64_t at_ms)
{
    if (at_ms <= 0)
        at_ms = 1;
    if (self->due_ms && self->due_ms <= at_ms)
        return;
    self->due_ms = at_ms;
    s_arm (self);
}

void
dh_timer_share (dh_timer_t *self, int percent)
{
    self->share = percent < 1? 1: percent > 100? 100: percent;
}

int64_t
dh_timer_due (dh_timer_t *self)
{
    return self->due_ms;
}

void
dh_service_timers_rearm (dh_service_t *service)
{
    for (dh_timer_t *timer = service->timers; timer; timer = timer->next)
        s_arm (timer);
}

void
dh_service_timers_destroy (dh_service_t *service)
{
    while (service->timers) {
        dh_timer_t *timer = service->timers;
        service->timers = timer->next;
        if (timer->zloop_id >= 0)
            zloop_timer_end (service->loop, timer->zloop_id);
        free (timer);
    }
}
