#include <time.h>
#include "dh_clock.h"
#include "dh_error.h"

static bool s_test_mode;
static int64_t s_test_now;

static int64_t
s_real_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
dh_clock_now (void)
{
    return s_test_mode? s_test_now: s_real_now ();
}

void
dh_clock_set_test_mode (bool on)
{
    if (on && !s_test_mode)
        s_test_now = s_real_now ();
    s_test_mode = on;
}

bool
dh_clock_test_mode (void)
{
    return s_test_mode;
}

int
dh_clock_set (int64_t utc_ms)
{
    if (!s_test_mode)
        return DH_E_STATE;
    if (utc_ms < 0)
        return DH_E_RANGE;
    s_test_now = utc_ms;
    return 0;
}

int
dh_clock_advance (int64_t delta_ms)
{
    if (!s_test_mode)
        return DH_E_STATE;
    if (delta_ms < 0)
        return DH_E_RANGE;
    s_test_now += delta_ms;
    return 0;
}
