/*  bench_disk — what one durable commit costs on this disk, before any
    of our code: a 4 KiB overwrite made durable (fdatasync), and sixteen
    4 KiB pages scattered over a file made durable together, which is
    what an LMDB commit writes (copy-on-write pages come from its free
    list, wherever they lie). Every figure of the daemons stands on
    these; they move from machine to machine and day to day.

    bench_disk FOLDER
    prints: bench disk_sync_us V us, bench disk_scattered16_sync_us V us  */
#include <czmq.h>
#include <fcntl.h>

#define S_PAGE      4096
#define S_PAGES     4096        //  a 16 MiB file
#define S_ROUNDS    300

static int64_t
s_measure (int fd, int pages_per_sync)
{
    static uint8_t page [S_PAGE];
    int64_t begin = zclock_usecs ();
    for (int round = 0; round < S_ROUNDS; round++) {
        for (int i = 0; i < pages_per_sync; i++) {
            //  A stride that is prime to the file's size visits scattered pages.
            off_t at = (off_t) (((round * pages_per_sync + i) * 257) % S_PAGES) * S_PAGE;
            page [0] = (uint8_t) round;
            if (pwrite (fd, page, S_PAGE, at) != S_PAGE)
                return -1;
        }
        if (fdatasync (fd))
            return -1;
    }
    return (zclock_usecs () - begin) / S_ROUNDS;
}

int
main (int argc, char **argv)
{
    if (argc < 2 || !strcmp (argv [1], "--help")) {
        fprintf (argc < 2? stderr: stdout, "usage: bench_disk FOLDER\n");
        return argc < 2? 2: 0;
    }
    char *path = zsys_sprintf ("%s/disk-bench", argv [1]);
    int fd = open (path, O_CREAT | O_RDWR | O_TRUNC, 0600);
    if (fd < 0) {
        fprintf (stderr, "bench_disk: cannot create %s: %s\n", path, strerror (errno));
        return 1;
    }
    //  Written and synced first: the measured writes overwrite blocks the
    //  file already has, as commits mostly do.
    static uint8_t chunk [S_PAGE * 64];
    int64_t one = -1, scattered = -1;
    for (int i = 0; i < S_PAGES / 64; i++)
        if (write (fd, chunk, sizeof chunk) != sizeof chunk)
            goto done;
    if (fsync (fd))
        goto done;
    one = s_measure (fd, 1);
    scattered = s_measure (fd, 16);
done:
    close (fd);
    unlink (path);
    free (path);
    if (one < 0 || scattered < 0) {
        fprintf (stderr, "bench_disk: write failed: %s\n", strerror (errno));
        return 1;
    }
    printf ("bench disk_sync_us %" PRId64 " us\n", one);
    printf ("bench disk_scattered16_sync_us %" PRId64 " us\n", scattered);
    return 0;
}
