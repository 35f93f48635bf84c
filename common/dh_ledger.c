#include <math.h>
#include <string.h>
#include "dh_error.h"
#include "dh_ledger.h"

#define S_VERSION 1
#define S_HEADER 36             //  version, policy, count, reappointed, budget, original, reappointed_due, stopped_at
#define S_SEGMENT 17

static dh_segment_t *
s_last (dh_ledger_t *self)
{
    return self->count? &self->segments [self->count - 1]: NULL;
}

static int
s_open (dh_ledger_t *self, int64_t at, uint8_t paused)
{
    if (self->count == DH_LEDGER_MAX_SEGMENTS)
        return DH_E_FULL;
    self->segments [self->count++] = (dh_segment_t) { at, 0, paused };
    return 0;
}

int
dh_ledger_start (dh_ledger_t *self, dh_calendar_t *calendar, int64_t received,
                 double hours, dh_policy_t policy)
{
    if (!isfinite (hours) || hours < 0 || (policy != DH_POLICY_EXTEND && policy != DH_POLICY_RESTART))
        return DH_E_INVALID;
    memset (self, 0, sizeof *self);
    self->budget_ms = llround (hours * DH_HOUR_MS);
    self->policy = policy;
    s_open (self, received, 0);
    bool paused;
    return dh_ledger_due (self, calendar, &self->original_due, &paused);
}

static int
s_check_time (dh_ledger_t *self, int64_t at)
{
    dh_segment_t *last = s_last (self);
    if (!last || self->stopped_at)
        return DH_E_STATE;
    return at < last->start? DH_E_RANGE: 0;
}

int
dh_ledger_pause (dh_ledger_t *self, int64_t at, dh_pause_t reason)
{
    int rc = s_check_time (self, at);
    if (rc)
        return rc;
    dh_segment_t *last = s_last (self);
    if (last->paused)
        return DH_E_STATE;
    if (self->count == DH_LEDGER_MAX_SEGMENTS)
        return DH_E_FULL;
    last->end = at;
    return s_open (self, at, (uint8_t) reason);
}

int
dh_ledger_resume (dh_ledger_t *self, int64_t at)
{
    int rc = s_check_time (self, at);
    if (rc)
        return rc;
    dh_segment_t *last = s_last (self);
    if (!last->paused)
        return DH_E_STATE;
    if (self->count == DH_LEDGER_MAX_SEGMENTS)
        return DH_E_FULL;
    last->end = at;
    return s_open (self, at, 0);
}

int
dh_ledger_stop (dh_ledger_t *self, int64_t at)
{
    int rc = s_check_time (self, at);
    if (rc)
        return rc;
    s_last (self)->end = at;
    self->stopped_at = at;
    return 0;
}

int
dh_ledger_reappoint (dh_ledger_t *self, dh_calendar_t *calendar, int64_t new_due)
{
    if (self->reappointed || self->stopped_at || !self->count)
        return DH_E_STATE;
    int64_t due;
    bool paused;
    int rc = dh_ledger_due (self, calendar, &due, &paused);
    if (rc)
        return rc;
    if (!paused && new_due <= due)
        return DH_E_INVALID;
    self->reappointed = 1;
    self->reappointed_due = new_due;
    return 0;
}

int
dh_ledger_used (const dh_ledger_t *self, dh_calendar_t *calendar, int64_t now, int64_t *used_ms)
{
    int64_t used = 0;
    for (int i = 0; i < self->count; i++) {
        const dh_segment_t *segment = &self->segments [i];
        if (segment->paused) {
            if (self->policy == DH_POLICY_RESTART && segment->paused == DH_PAUSE_SUPPLEMENT)
                used = 0;       //  the full time counts again after the papers came
            continue;
        }
        int64_t working, end = segment->end? segment->end: now;
        if (end <= segment->start)
            continue;
        int rc = dh_calendar_between (calendar, segment->start, end, &working);
        if (rc)
            return rc;
        used += working;
    }
    *used_ms = used;
    return 0;
}

int
dh_ledger_due (const dh_ledger_t *self, dh_calendar_t *calendar, int64_t *due, bool *paused)
{
    *paused = false;
    if (self->reappointed) {
        *due = self->reappointed_due;
        return 0;
    }
    const dh_segment_t *last = self->count? &self->segments [self->count - 1]: NULL;
    if (!last)
        return DH_E_STATE;
    if (last->paused && !self->stopped_at) {
        *paused = true;
        *due = 0;
        return 0;
    }
    //  Working time used before the last running segment began, then the
    //  rest of the budget from its start.
    int index = self->count - 1;
    while (index > 0 && self->segments [index].paused)
        index--;
    const dh_segment_t *running = &self->segments [index];
    dh_ledger_t before = *self;
    before.count = (uint8_t) (running - self->segments);
    int64_t used;
    int rc = dh_ledger_used (&before, calendar, running->start, &used);
    if (rc)
        return rc;
    int64_t rest = self->budget_ms - used;
    return dh_calendar_due (calendar, running->start, rest > 0? rest / (double) DH_HOUR_MS: 0, due, NULL);
}

static void
s_put64 (uint8_t *at, int64_t value)
{
    for (int i = 7; i >= 0; i--) {
        at [i] = (uint8_t) value;
        value = (int64_t) ((uint64_t) value >> 8);
    }
}

static int64_t
s_get64 (const uint8_t *at)
{
    uint64_t value = 0;
    for (int i = 0; i < 8; i++)
        value = (value << 8) | at [i];
    return (int64_t) value;
}

size_t
dh_ledger_packed_size (const dh_ledger_t *self)
{
    return S_HEADER + (size_t) self->count * S_SEGMENT;
}

size_t
dh_ledger_pack (const dh_ledger_t *self, uint8_t *buffer)
{
    buffer [0] = S_VERSION;
    buffer [1] = self->policy;
    buffer [2] = self->count;
    buffer [3] = self->reappointed;
    s_put64 (buffer + 4, self->budget_ms);
    s_put64 (buffer + 12, self->original_due);
    s_put64 (buffer + 20, self->reappointed_due);
    s_put64 (buffer + 28, self->stopped_at);
    for (int i = 0; i < self->count; i++) {
        uint8_t *at = buffer + S_HEADER + i * S_SEGMENT;
        s_put64 (at, self->segments [i].start);
        s_put64 (at + 8, self->segments [i].end);
        at [16] = self->segments [i].paused;
    }
    return dh_ledger_packed_size (self);
}

int
dh_ledger_unpack (dh_ledger_t *self, const uint8_t *data, size_t size)
{
    if (size < S_HEADER || data [0] != S_VERSION || data [2] > DH_LEDGER_MAX_SEGMENTS
    ||  size != S_HEADER + (size_t) data [2] * S_SEGMENT
    ||  (data [1] != DH_POLICY_EXTEND && data [1] != DH_POLICY_RESTART) || data [3] > 1)
        return DH_E_MALFORMED;
    memset (self, 0, sizeof *self);
    self->policy = data [1];
    self->count = data [2];
    self->reappointed = data [3];
    self->budget_ms = s_get64 (data + 4);
    self->original_due = s_get64 (data + 12);
    self->reappointed_due = s_get64 (data + 20);
    self->stopped_at = s_get64 (data + 28);
    if (self->budget_ms < 0)
        return DH_E_MALFORMED;
    for (int i = 0; i < self->count; i++) {
        const uint8_t *at = data + S_HEADER + i * S_SEGMENT;
        self->segments [i].start = s_get64 (at);
        self->segments [i].end = s_get64 (at + 8);
        self->segments [i].paused = at [16];
        if (at [16] > DH_PAUSE_STOPPED || (i > 0 && self->segments [i].start < self->segments [i - 1].start))
            return DH_E_MALFORMED;
    }
    return 0;
}
