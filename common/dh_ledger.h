/*  dh_ledger — a clock as a ledger of running and paused segments, never
    a due date patched in place: pausing for
    supplementation (yêu cầu bổ sung), a fee, a stop (dừng xử lý), resuming,
    a corrected calendar or an apology's re-appointment all recompute the
    due time from the ledger.

    Policies after a pause: EXTEND moves the due time by the paused working
    time (the working time already used still counts); RESTART gives the
    full processing time again from the resume. One re-appointment (phiếu
    xin lỗi và hẹn lại) sets a new due time; the original is kept for the
    statistics, which judge by it.  */
#ifndef DH_LEDGER_H
#define DH_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dh_calendar.h"

#define DH_LEDGER_MAX_SEGMENTS 32

typedef enum {
    DH_POLICY_EXTEND = 1,
    DH_POLICY_RESTART = 2
} dh_policy_t;

typedef enum {
    DH_PAUSE_SUPPLEMENT = 1,    //  waiting for the applicant's papers
    DH_PAUSE_FEE = 2,           //  waiting for a fee or obligation
    DH_PAUSE_STOPPED = 3        //  processing stopped
} dh_pause_t;

typedef struct {
    int64_t start;              //  UTC ms
    int64_t end;                //  0 while open
    uint8_t paused;             //  0 running, else a dh_pause_t
} dh_segment_t;

typedef struct {
    int64_t budget_ms;          //  working time allowed
    uint8_t policy;             //  dh_policy_t
    uint8_t count;              //  segments used
    uint8_t reappointed;        //  an apology's new due time was set
    int64_t original_due;       //  the first due time, for statistics
    int64_t reappointed_due;
    int64_t stopped_at;         //  finished, 0 while open
    dh_segment_t segments [DH_LEDGER_MAX_SEGMENTS];
} dh_ledger_t;

//  Start a clock at `received` (already adjusted) with `hours` of working
//  time. Computes the original due time. Errors: calendar errors,
//  DH_E_INVALID.
int dh_ledger_start (dh_ledger_t *self, dh_calendar_t *calendar, int64_t received,
                     double hours, dh_policy_t policy);

//  Pause at `at` for a reason. Errors: DH_E_STATE (not running),
//  DH_E_FULL (too many segments), DH_E_RANGE (before the last change).
int dh_ledger_pause (dh_ledger_t *self, int64_t at, dh_pause_t reason);

//  Resume at `at`. Errors: DH_E_STATE (not paused), DH_E_RANGE.
int dh_ledger_resume (dh_ledger_t *self, int64_t at);

//  Stop the clock (finished) at `at`. Errors: DH_E_STATE (already), DH_E_RANGE.
int dh_ledger_stop (dh_ledger_t *self, int64_t at);

//  The apology's re-appointment: once only, and later than the current
//  due time. Errors: DH_E_STATE (already re-appointed or stopped),
//  DH_E_INVALID (not later).
int dh_ledger_reappoint (dh_ledger_t *self, dh_calendar_t *calendar, int64_t new_due);

//  The due time now, recomputed from the segments on calendar (so a
//  corrected calendar gives a corrected time). While paused *due gets the
//  due time as if resumed at that moment never came: 0, and *paused true.
//  A re-appointment, if any, is the due time. Errors: calendar errors.
int dh_ledger_due (const dh_ledger_t *self, dh_calendar_t *calendar, int64_t *due, bool *paused);

//  Working time used so far (up to `now` for an open running segment).
int dh_ledger_used (const dh_ledger_t *self, dh_calendar_t *calendar, int64_t now, int64_t *used_ms);

//  Bytes to store a ledger, and back. unpack checks every bound.
//  Errors of unpack: DH_E_MALFORMED.
size_t dh_ledger_packed_size (const dh_ledger_t *self);
size_t dh_ledger_pack (const dh_ledger_t *self, uint8_t *buffer);
int dh_ledger_unpack (dh_ledger_t *self, const uint8_t *data, size_t size);

#endif
