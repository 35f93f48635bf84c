/*  dh_clock — the one clock every program reads business time from.

    Real mode: UTC milliseconds from the system clock.  Test mode: the
    clock stands still at an instant a test sets, and moves only when a
    test advances it, so a ten-day deadline is checked in milliseconds.
    Timeouts of the link use the monotonic zclock_mono(), never this clock:
    a test that jumps ten days must not make every peer look dead.  */
#ifndef DH_CLOCK_H
#define DH_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

//  Now, in UTC milliseconds.
int64_t dh_clock_now (void);

//  Switch the process to test mode (true) or real time (false). Test mode
//  starts at the real time of the switch.
void dh_clock_set_test_mode (bool on);
bool dh_clock_test_mode (void);

//  Test mode only: set the clock, or move it forward. Returns 0, or
//  DH_E_STATE outside test mode, DH_E_RANGE for a negative step or instant.
int dh_clock_set (int64_t utc_ms);
int dh_clock_advance (int64_t delta_ms);

#endif
