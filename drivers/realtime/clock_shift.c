/* A runner host's wall clock, skewed: preloaded into a runner process (and the workers it spawns).
 *
 * Shifts CLOCK_REALTIME (clock_gettime, gettimeofday, time) by
 *     offset + drift * (real - epoch)
 * seconds, read once from PYNENC_SUITE_CLOCK_OFFSET, PYNENC_SUITE_CLOCK_DRIFT and PYNENC_SUITE_CLOCK_EPOCH.
 * Every other clock (CLOCK_MONOTONIC: sleeps and timed waits) is left alone: libfaketime also shifts the
 * monotonic clock, and Python >= 3.12's timed waits (sem_clockwait) then never return.  Built by
 * pynenc_suite.drivers.realtime.clock_shift with the machine's C compiler.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static double offset_seconds, drift_rate, epoch_seconds;
static int (*real_clock_gettime)(clockid_t, struct timespec *);

__attribute__((constructor)) static void read_environment(void) {
    const char *value;
    real_clock_gettime = dlsym(RTLD_NEXT, "clock_gettime");
    if ((value = getenv("PYNENC_SUITE_CLOCK_OFFSET"))) offset_seconds = strtod(value, NULL);
    if ((value = getenv("PYNENC_SUITE_CLOCK_DRIFT"))) drift_rate = strtod(value, NULL);
    if ((value = getenv("PYNENC_SUITE_CLOCK_EPOCH"))) epoch_seconds = strtod(value, NULL);
}

static void shift(struct timespec *ts) {
    double real = (double)ts->tv_sec + ts->tv_nsec / 1e9;
    long long ns = (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec
                   + (long long)((offset_seconds + drift_rate * (real - epoch_seconds)) * 1e9);
    ts->tv_sec = ns / 1000000000LL;
    ts->tv_nsec = ns % 1000000000LL;
}

int clock_gettime(clockid_t clock, struct timespec *ts) {
    if (!real_clock_gettime) real_clock_gettime = dlsym(RTLD_NEXT, "clock_gettime");
    int status = real_clock_gettime(clock, ts);
    if (status == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) shift(ts);
    return status;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
    struct timespec ts;
    (void)tz;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return -1;
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return 0;
}

time_t time(time_t *out) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out) *out = ts.tv_sec;
    return ts.tv_sec;
}
