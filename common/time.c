#include "common/time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int64_t sb_time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t sb_time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t sb_time_mono_ms(void)
{
	return sb_time_mono_ns() / 1000000ULL;
}

void sb_time_sleep_ms(uint64_t ms)
{
	struct timespec req = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&req, &req) == -1 && errno == EINTR)
		;
}

void sb_time_iso8601(char *buf, size_t size, int64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

uint64_t sb_time_backoff_ms(unsigned attempt, uint64_t base, uint64_t max)
{
	uint64_t d = base;
	unsigned seed = (unsigned)sb_time_mono_ns();

	for (unsigned i = 1; i < attempt && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	if (d >= 4)
		d -= (uint64_t)rand_r(&seed) % (d / 4);
	return d;
}
