#include "common/error.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char err_msg[SB_ERROR_MAX];
static _Thread_local int err_code;

int sb_error_vset(int code, const char *fmt, va_list ap)
{
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	err_code = code;
	return code;
}

int sb_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_error_vset(code, fmt, ap);
	va_end(ap);
	return code;
}

int sb_error_prefix(const char *fmt, ...)
{
	char prefix[SB_ERROR_MAX], old[SB_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err_msg, sizeof(old));
	snprintf(err_msg, sizeof(err_msg), "%s%s", prefix, old);
	return err_code;
}

const char *sb_error_message(void)
{
	return err_msg;
}

int sb_error_code(void)
{
	return err_code;
}

void sb_error_clear(void)
{
	err_msg[0] = '\0';
	err_code = 0;
}

const char *sb_error_name(int code)
{
	switch (code) {
	case SB_OK: return "ok";
	case SB_EINTERNAL: return "internal";
	case SB_ENOMEM: return "no-memory";
	case SB_EINPUT: return "bad-input";
	case SB_EUSAGE: return "usage";
	case SB_ENOTFOUND: return "not-found";
	case SB_EIO: return "io";
	case SB_ETIMEOUT: return "timeout";
	case SB_EAUTH: return "auth";
	case SB_EUNSUPPORTED: return "unsupported";
	case SB_EPROTO: return "protocol";
	case SB_ESECURITY: return "security";
	case SB_ECONFLICT: return "conflict";
	case SB_ETAMPER: return "tamper";
	case SB_ECANCELED: return "canceled";
	case SB_ECONNECT: return "connect";
	case SB_EFAILED: return "failed";
	case SB_ENOLIB: return "missing-library";
	}
	return "unknown";
}

int sb_error_exit_status(int code)
{
	switch (code) {
	case SB_OK:
		return 0;
	case SB_EINPUT:
	case SB_EUSAGE:
	case SB_ENOLIB:
		return 2;
	default:
		return 1;
	}
}
