/* siteboot: the one error model.
 *
 * Functions return 0 on success or a negative SB_E* code, and set a
 * per-thread message that names the thing, what went wrong and what to do.
 * Library errors (FreeIPMI, libcurl, SQLite, libssh, ...) are translated
 * into this model once, where the library is called.
 *
 * Messages never contain secrets: never format a password or key into one.
 */
#ifndef SB_COMMON_ERROR_H
#define SB_COMMON_ERROR_H

#include <stdarg.h>

enum sb_err {
	SB_OK = 0,
	SB_EINTERNAL = -1,	/* a bug or an unexpected library failure */
	SB_ENOMEM = -2,		/* out of memory */
	SB_EINPUT = -3,		/* bad input: a file, a reply, an argument value */
	SB_EUSAGE = -4,		/* bad command-line usage */
	SB_ENOTFOUND = -5,	/* a named thing does not exist */
	SB_EIO = -6,		/* operating-system I/O failed */
	SB_ETIMEOUT = -7,	/* a peer did not answer in time */
	SB_EAUTH = -8,		/* authentication failed */
	SB_EUNSUPPORTED = -9,	/* the peer or driver lacks the capability */
	SB_EPROTO = -10,	/* a peer answered something we cannot accept */
	SB_ESECURITY = -11,	/* refused on purpose: weak cipher, key changed */
	SB_ECONFLICT = -12,	/* state conflict: stale ETag, lock held */
	SB_ETAMPER = -13,	/* an integrity check failed */
	SB_ECANCELED = -14,	/* interrupted by the user or a signal */
	SB_ECONNECT = -15,	/* could not reach the peer at all */
	SB_EFAILED = -16,	/* the work ran and found problems (exit 1) */
	SB_ENOLIB = -17,	/* a shared library it needs is not installed (exit 2) */
};

#define SB_ERROR_MAX 1024

/* Set the calling thread's error and return code, so that callers can
 * write `return sb_error_set(SB_EINPUT, "...")`. */
int sb_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sb_error_vset(int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Prefix the current message with context ("bmc 127.0.0.1:9001: ") and
 * return the current code. */
int sb_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The calling thread's last message ("" when none) and code (0 when none). */
const char *sb_error_message(void);
int sb_error_code(void);
void sb_error_clear(void);

/* Short stable name for a code, for --json output ("timeout", "auth"). */
const char *sb_error_name(int code);

/* The process exit status for a code: 0 ok, 1 the work found problems,
 * 2 bad usage or bad input or a missing library, and 1 for operational
 * failures. */
int sb_error_exit_status(int code);

#endif
