/* The media server (serve.h) over libmicrohttpd. */
#include "images/serve.h"
#include "common/error.h"
#include "common/str.h"
#include "common/time.h"
#include "common/url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct server {
	const struct sb_media_serve_opts *o;
	int dirfd;
	pthread_mutex_t log_lock;
	uint64_t t0;		/* monotonic start */
};

struct sb_media_server {
	struct server s;
	struct MHD_Daemon *d;
};

static void note(struct server *s, const char *who, const char *method, const char *name,
		 unsigned status, uint64_t bytes, uint64_t size)
{
	if (!s->o->on_request)
		return;
	pthread_mutex_lock(&s->log_lock);
	s->o->on_request(s->o->ctx, who, method, name, status, bytes, size);
	pthread_mutex_unlock(&s->log_lock);
}

bool sb_cidr_contains(const char *cidr, const struct sockaddr *sa)
{
	char ip[64];
	unsigned prefix;
	unsigned char net[16], addr[16];
	size_t len;

	if (sb_cidr_parse(cidr, ip, sizeof(ip), &prefix) != 0) {
		sb_error_clear();
		return false;
	}
	if (sa->sa_family == AF_INET && inet_pton(AF_INET, ip, net) == 1) {
		memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		len = 4;
	} else if (sa->sa_family == AF_INET6 && inet_pton(AF_INET6, ip, net) == 1) {
		memcpy(addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		len = 16;
	} else {
		return false;
	}
	if (prefix > len * 8)
		return false;
	for (unsigned i = 0; i < prefix; i++) {
		unsigned byte = i / 8, bit = 7 - i % 8;
		if (((net[byte] >> bit) & 1) != ((addr[byte] >> bit) & 1))
			return false;
	}
	return true;
}

bool sb_http_range(const char *h, uint64_t size, uint64_t *start, uint64_t *end)
{
	char *e;
	unsigned long long a, b;

	if (!h || strncmp(h, "bytes=", 6) != 0 || size == 0 || strchr(h, ','))
		return false;
	h += 6;
	if (*h == '-') {	/* the last N bytes */
		if (!isdigit((unsigned char)h[1]))
			return false;
		b = strtoull(h + 1, &e, 10);
		if (*e || b == 0)
			return false;
		*start = b >= size ? 0 : size - b;
		*end = size - 1;
		return true;
	}
	if (!isdigit((unsigned char)*h))
		return false;
	a = strtoull(h, &e, 10);
	if (*e != '-' || a >= size)
		return false;
	h = e + 1;
	if (*h == '\0') {
		b = size - 1;
	} else {
		if (!isdigit((unsigned char)*h))
			return false;
		b = strtoull(h, &e, 10);
		if (*e || b < a)
			return false;
		if (b >= size)
			b = size - 1;
	}
	*start = a;
	*end = b;
	return true;
}

static void peer(char *buf, size_t size, const struct sockaddr *sa)
{
	buf[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)size);
}

static void logline(struct server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logline(struct server *s, const char *fmt, ...)
{
	char ts[40], msg[1200];
	va_list ap;

	if (!s->o->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sb_time_iso8601(ts, sizeof(ts), sb_time_now_ms());
	pthread_mutex_lock(&s->log_lock);
	fprintf(s->o->log, "%s %s\n", ts, msg);
	fflush(s->o->log);
	pthread_mutex_unlock(&s->log_lock);
}

static enum MHD_Result accept_policy(void *ctx, const struct sockaddr *sa, socklen_t len)
{
	struct server *s = ctx;
	char who[64];

	(void)len;
	for (size_t i = 0; i < s->o->nallow; i++)
		if (sb_cidr_contains(s->o->allow[i], sa))
			return MHD_YES;
	peer(who, sizeof(who), sa);
	logline(s, "%s refused: not in the allowed networks", who);
	note(s, who, "", "", 0, 0, 0);
	return MHD_NO;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								  MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A served name: one path component of safe characters, no dot files. */
static bool safe_name(const char *n)
{
	if (!*n || *n == '.' || strlen(n) > 255)
		return false;
	for (const char *p = n; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
			return false;
	return true;
}

static enum MHD_Result on_request(void *ctx, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **state)
{
	struct server *s = ctx;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char who[64];
	bool head = strcmp(method, "HEAD") == 0;
	uint64_t start = 0, end = 0;
	struct stat st;
	int fd;

	(void)version;
	(void)data;
	(void)data_size;
	peer(who, sizeof(who), ci ? ci->client_addr : NULL);
	if (!head && strcmp(method, "GET") != 0) {
		/* answered at once, before any body is read */
		logline(s, "%s %s %s 405", who, method, url);
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or HEAD only\n");
	}
	if (!*state) {	/* first call: headers only */
		*state = (void *)1;
		return MHD_YES;
	}
	if (s->o->duration_ms && sb_time_mono_ms() - s->t0 >= s->o->duration_ms) {
		logline(s, "%s %s %s 503 (the serving time is over)", who, method, url);
		note(s, who, method, url + (url[0] == '/'), 503, 0, 0);
		return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the serving time is over\n");
	}
	if (url[0] != '/' || !safe_name(url + 1)) {
		logline(s, "%s %s %s 404 (not a served name)", who, method, url);
		note(s, who, method, url, 404, 0, 0);
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
	}
	fd = openat(s->dirfd, url + 1, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		logline(s, "%s %s %s 404", who, method, url);
		note(s, who, method, url + 1, 404, 0, 0);
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
	}
	uint64_t size = (uint64_t)st.st_size;
	const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
	unsigned status = MHD_HTTP_OK;
	if (range) {
		if (!sb_http_range(range, size, &start, &end)) {
			char cr[64];
			close(fd);
			logline(s, "%s %s %s 416 range %s of %" PRIu64, who, method, url, range, size);
			note(s, who, method, url + 1, 416, 0, size);
			struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
			if (!r)
				return MHD_NO;
			snprintf(cr, sizeof(cr), "bytes */%" PRIu64, size);
			MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
			enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, r);
			MHD_destroy_response(r);
			return ret;
		}
		status = MHD_HTTP_PARTIAL_CONTENT;
	} else {
		end = size ? size - 1 : 0;
	}
	uint64_t len = size ? end - start + 1 : 0;
	struct MHD_Response *r;
	if (head) {
		close(fd);
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else {
		r = MHD_create_response_from_fd_at_offset64(len, fd, start);
	}
	if (!r) {
		if (!head)
			close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
	if (head) {
		char cl[32];
		snprintf(cl, sizeof(cl), "%" PRIu64, size);
		MHD_add_response_header(r, "X-Content-Length", cl);
	}
	if (status == MHD_HTTP_PARTIAL_CONTENT) {
		char cr[96];
		snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, start, end, size);
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
	}
	logline(s, "%s %s %s %u bytes %" PRIu64 "-%" PRIu64 " of %" PRIu64, who, method, url, status,
		start, size ? end : 0, size);
	note(s, who, method, url + 1, status, head ? 0 : len, size);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

int sb_media_server_start(struct sb_media_server **out, const struct sb_media_serve_opts *o,
			  unsigned *port)
{
	struct sb_media_server *m;
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;

	*out = NULL;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, o->host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)o->port);
	} else if (inet_pton(AF_INET6, o->host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)o->port);
		flags |= MHD_USE_IPv6;
	} else {
		return sb_error_set(SB_EINPUT, "'%s' is not an IP address to listen on", o->host);
	}
	if (o->nallow == 0)
		return sb_error_set(SB_EINPUT, "no allowed network: give the site's BMC network");
	m = calloc(1, sizeof(*m));
	if (!m)
		return sb_error_set(SB_ENOMEM, "out of memory");
	m->s.o = o;
	m->s.dirfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->s.dirfd < 0) {
		int rc = sb_error_set(SB_EINPUT, "%s: %s", o->dir, strerror(errno));
		free(m);
		return rc;
	}
	pthread_mutex_init(&m->s.log_lock, NULL);
	m->s.t0 = sb_time_mono_ms();
	m->d = MHD_start_daemon(flags, 0, accept_policy, &m->s, on_request, &m->s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_TIMEOUT, 300u, MHD_OPTION_END);
	if (!m->d) {
		int rc = sb_error_set(SB_EIO, "cannot listen on %s port %u: %s", o->host, o->port,
				      strerror(errno ? errno : EADDRINUSE));
		close(m->s.dirfd);
		pthread_mutex_destroy(&m->s.log_lock);
		free(m);
		return rc;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
	*port = di ? di->port : o->port;
	logline(&m->s, "serving %s on %s port %u to %zu network(s)", o->dir, o->host, *port, o->nallow);
	*out = m;
	return 0;
}

void sb_media_server_stop(struct sb_media_server *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->d);
	logline(&m->s, "stopped after %.0f s", (double)(sb_time_mono_ms() - m->s.t0) / 1000.0);
	close(m->s.dirfd);
	pthread_mutex_destroy(&m->s.log_lock);
	free(m);
}

int sb_media_serve(const struct sb_media_serve_opts *o)
{
	struct sb_media_server *m = NULL;
	unsigned port = 0;
	int rc = sb_media_server_start(&m, o, &port);

	if (rc)
		return rc;
	if (o->ready)
		o->ready(o->ctx, port);
	while (!(o->stop && *o->stop) &&
	       (o->duration_ms == 0 || sb_time_mono_ms() - m->s.t0 < o->duration_ms))
		sb_time_sleep_ms(100);
	sb_media_server_stop(m);
	return 0;
}
