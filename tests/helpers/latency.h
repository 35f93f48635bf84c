/*  latency.h — the load tools' latencies (microseconds) and percentiles,
    written once for submitload, linktest and the benchmarks.  */
#ifndef LATENCY_H
#define LATENCY_H

#include <stdint.h>
#include <stdlib.h>

static int
latency_compare (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y? -1: x > y;
}

//  Sort count latencies in place, for latency_ms.
static inline void
latency_sort (int64_t *latencies, size_t count)
{
    qsort (latencies, count, sizeof (int64_t), latency_compare);
}

//  The percent-th percentile of sorted latencies, in milliseconds (0 when
//  there are none).
static inline double
latency_ms (const int64_t *sorted, size_t count, int percent)
{
    return count? sorted [count * (size_t) percent / 100] / 1000.0: 0;
}

#endif
