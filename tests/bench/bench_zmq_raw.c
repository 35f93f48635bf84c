/*  bench_zmq_raw — the machine's messaging limit: PUSH/PULL between two
    processes over ipc://, 200-byte messages, measured at the receiver.
    bench_zmq_raw FOLDER [COUNT]  */
#include <czmq.h>
#include <sys/wait.h>

int
main (int argc, char **argv)
{
    const char *folder = argc > 1? argv [1]: "/tmp";
    long count = argc > 2? atol (argv [2]): 2000000;
    char *endpoint = zsys_sprintf ("ipc://%s/zmq-raw.ipc", folder);
    int result [2];
    if (pipe (result))
        return 1;
    pid_t child = fork ();
    if (child == 0) {
        void *context = zmq_ctx_new ();
        void *pull = zmq_socket (context, ZMQ_PULL);
        int hwm = 100000;
        zmq_setsockopt (pull, ZMQ_RCVHWM, &hwm, sizeof hwm);
        zmq_bind (pull, endpoint);
        char buffer [256];
        zmq_recv (pull, buffer, sizeof buffer, 0);
        int64_t begin = zclock_usecs ();
        for (long i = 1; i < count; i++)
            zmq_recv (pull, buffer, sizeof buffer, 0);
        double rate = (count - 1) / ((zclock_usecs () - begin) / 1e6);
        if (write (result [1], &rate, sizeof rate) != sizeof rate)
            _exit (1);
        zmq_close (pull);
        zmq_ctx_term (context);
        _exit (0);
    }
    void *context = zmq_ctx_new ();
    void *push = zmq_socket (context, ZMQ_PUSH);
    int hwm = 100000;
    zmq_setsockopt (push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_connect (push, endpoint);
    char message [200];
    memset (message, 'x', sizeof message);
    for (long i = 0; i < count; i++)
        zmq_send (push, message, sizeof message, 0);
    double rate = 0;
    if (read (result [0], &rate, sizeof rate) != sizeof rate)
        rate = 0;
    waitpid (child, NULL, 0);
    printf ("bench zmq_raw_msgs_per_s %.0f msgs_per_s\n", rate);
    zmq_close (push);
    zmq_ctx_term (context);
    free (endpoint);
    return rate > 0? 0: 1;
}
