/* siteboot: the media server. A BMC fetches virtual media by URL, so
 * during a run the appliance serves the verified install images and the
 * answer media over HTTP from its own address: only the files of one
 * folder, only to clients in the allowed networks (the site's BMC
 * network), only for a bounded time, and every request (and every refused
 * client) is logged. GET and HEAD with single byte ranges, which BMCs use
 * to read ISOs piecemeal. libmicrohttpd does the HTTP. */
#ifndef SB_IMAGES_SERVE_H
#define SB_IMAGES_SERVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

struct sb_media_serve_opts {
	const char *dir;		/* the files served, by base name */
	const char *host;		/* address to listen on (IPv4 or IPv6) */
	unsigned port;			/* 0: any free port */
	const char *const *allow;	/* CIDRs whose clients are served */
	size_t nallow;
	uint64_t duration_ms;		/* stop after this long (0: until *stop) */
	FILE *log;			/* one line per request */
	volatile sig_atomic_t *stop;	/* set to stop early (signal handler) */
	/* called once listening, with the port */
	void (*ready)(void *ctx, unsigned port);
	void *ctx;
	/* called for every request answered and every client refused
	 * (status 0: refused by the allowed networks), from the server's
	 * threads, one at a time; NULL: none. bytes: what was sent. */
	void (*on_request)(void *ctx, const char *client, const char *method,
			   const char *name, unsigned status, uint64_t bytes,
			   uint64_t size);
};

/* Serve until the duration ends or *stop is set. */
int sb_media_serve(const struct sb_media_serve_opts *o);

/* The same server in the background (the engine's serve step): started
 * listening, *port set, and stopped by sb_media_server_stop (which also
 * logs how long it ran). duration_ms still bounds it: past it, every
 * request is refused with 503 and logged. o must outlive the server. */
struct sb_media_server;
int sb_media_server_start(struct sb_media_server **out,
			  const struct sb_media_serve_opts *o, unsigned *port);
void sb_media_server_stop(struct sb_media_server *s);

/* Is the address inside "ADDR/PREFIX" (IPv4 or IPv6)? */
bool sb_cidr_contains(const char *cidr, const struct sockaddr *sa);

/* Parse a Range header "bytes=A-B", "bytes=A-" or "bytes=-N" against a
 * size: true with [*start, *end] inclusive when it is one satisfiable
 * range. */
bool sb_http_range(const char *h, uint64_t size, uint64_t *start, uint64_t *end);

#endif
