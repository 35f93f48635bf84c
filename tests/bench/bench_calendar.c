/*  bench_calendar — due computations per second over random receipt
    times spanning the years of deploy/calendar, on one core: the deadline
    daemon recomputes every open clock when a calendar changes.
    bench_calendar [CALENDAR_DIR]  */
#include <czmq.h>
#include "dh_calendar.h"

int
main (int argc, char **argv)
{
    const char *folder = argc > 1? argv [1]: "deploy/calendar";
    dh_calendar_t *calendar;
    if (dh_calendar_load (folder, &calendar)) {
        fprintf (stderr, "bench_calendar: %s\n", dh_calendar_error ());
        return 1;
    }
    int64_t first, last;
    dh_time_parse ("2024-01-01 00:00", &first);
    dh_time_parse ("2027-06-30 00:00", &last);
    enum { N = 1 << 16 };
    int64_t *starts = malloc (N * sizeof (int64_t));
    double *hours = malloc (N * sizeof (double));
    uint64_t state = 88172645463325252ULL;
    for (int i = 0; i < N; i++) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
        starts [i] = first + (int64_t) (state % (uint64_t) (last - first));
        hours [i] = (double) ((state >> 40) % 1024) / 4;     //  up to 256 h (32 days)
    }
    int64_t checksum = 0, due;
    long computed = 0;
    int64_t begin = zclock_usecs ();
    while (zclock_usecs () - begin < 2000000) {
        for (int i = 0; i < N; i++)
            if (dh_calendar_due (calendar, starts [i], hours [i], &due, NULL) == 0)
                checksum += due;
        computed += N;
    }
    double seconds = (zclock_usecs () - begin) / 1e6;
    printf ("bench calendar_due_per_s %.0f per_s\n", computed / seconds);
    fprintf (stderr, "calendar: %ld due computations in %.2f s (checksum %" PRId64 ")\n", computed, seconds, checksum);
    free (starts);
    free (hours);
    dh_calendar_destroy (&calendar);
    return 0;
}
