/* siteboot: clocks, sleeping, timestamps and retry back-off. */
#ifndef SB_COMMON_TIME_H
#define SB_COMMON_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Wall clock, milliseconds since the epoch (UTC). */
int64_t sb_time_now_ms(void);
/* Monotonic clock in milliseconds, for timeouts and elapsed times. */
uint64_t sb_time_mono_ms(void);
/* Monotonic clock in nanoseconds, for benchmarks. */
uint64_t sb_time_mono_ns(void);
/* Sleep, restarting after signals until the time has passed. */
void sb_time_sleep_ms(uint64_t ms);
/* "2026-11-23T19:26:03.123Z" for a wall-clock time in ms. */
void sb_time_iso8601(char *buf, size_t size, int64_t ms);
/* Back-off before retry number `attempt` (1-based): base * 2^(attempt-1),
 * capped at `max`, with up to 25% random jitter subtracted so that many
 * clients do not retry in lock step. */
uint64_t sb_time_backoff_ms(unsigned attempt, uint64_t base, uint64_t max);

#endif
