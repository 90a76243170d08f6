/* siteboot: logging. Module code logs through here and never prints to
 * stdout; the command layer sets the level (-v, -q) and an optional log
 * file. Lines are written whole, so threads do not interleave them.
 * Never log a secret. */
#ifndef SB_COMMON_LOG_H
#define SB_COMMON_LOG_H

enum sb_log_level {
	SB_LOG_ERROR = 0,
	SB_LOG_WARN = 1,
	SB_LOG_INFO = 2,
	SB_LOG_DEBUG = 3,
};

/* Messages at or below `level` go to stderr (default SB_LOG_WARN). */
void sb_log_set_level(enum sb_log_level level);
enum sb_log_level sb_log_get_level(void);
/* Also append every message at or below `level` to an open fd (-1: none),
 * with a timestamp. The fd stays the caller's. */
void sb_log_set_file(int fd, enum sb_log_level level);

void sb_log(enum sb_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define sb_warn(...) sb_log(SB_LOG_WARN, __VA_ARGS__)
#define sb_info(...) sb_log(SB_LOG_INFO, __VA_ARGS__)
#define sb_debug(...) sb_log(SB_LOG_DEBUG, __VA_ARGS__)

#endif
