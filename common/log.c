#include "common/log.h"
#include "common/time.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static atomic_int log_level = SB_LOG_WARN;
static atomic_int file_fd = -1;
static atomic_int file_level = SB_LOG_INFO;

void sb_log_set_level(enum sb_log_level level)
{
	atomic_store(&log_level, (int)level);
}

enum sb_log_level sb_log_get_level(void)
{
	return (enum sb_log_level)atomic_load(&log_level);
}

void sb_log_set_file(int fd, enum sb_log_level level)
{
	atomic_store(&file_level, (int)level);
	atomic_store(&file_fd, fd);
}

static const char *level_name(enum sb_log_level l)
{
	switch (l) {
	case SB_LOG_ERROR: return "error";
	case SB_LOG_WARN: return "warning";
	case SB_LOG_INFO: return "info";
	case SB_LOG_DEBUG: return "debug";
	}
	return "?";
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

void sb_log(enum sb_log_level level, const char *fmt, ...)
{
	char msg[2048], line[2200], ts[40];
	int fd = atomic_load(&file_fd);
	va_list ap;
	int n;

	if ((int)level > atomic_load(&log_level) &&
	    (fd < 0 || (int)level > atomic_load(&file_level)))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((int)level <= atomic_load(&log_level)) {
		n = snprintf(line, sizeof(line), "siteboot: %s: %s\n",
			     level_name(level), msg);
		if (n > 0)
			write_all(2, line, (size_t)n < sizeof(line) ?
				  (size_t)n : sizeof(line) - 1);
	}
	if (fd >= 0 && (int)level <= atomic_load(&file_level)) {
		sb_time_iso8601(ts, sizeof(ts), sb_time_now_ms());
		n = snprintf(line, sizeof(line), "%s %s %s\n", ts,
			     level_name(level), msg);
		if (n > 0)
			write_all(fd, line, (size_t)n < sizeof(line) ?
				  (size_t)n : sizeof(line) - 1);
	}
}
