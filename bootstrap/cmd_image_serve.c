/* siteboot image serve: the media server for a run (images/serve.h). */
#include "bom/bom.h"
#include "bootstrap/cli.h"
#include "bootstrap/cmd_image.h"
#include "common/error.h"
#include "common/file.h"
#include "common/str.h"
#include "common/url.h"
#include "images/serve.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { S_DIR, S_LISTEN, S_PORT, S_ALLOW, S_SITE, S_FOR, S_LOG, S_PORTFILE };

const struct sb_opt sb_image_serve_opts[] = {
	[S_DIR] = { "dir", 0, SB_OPT_ARG, "DIR", "serve: the folder whose files are served" },
	[S_LISTEN] = { "listen", 0, SB_OPT_ARG, "ADDR", "serve: the appliance's address on the BMC network" },
	[S_PORT] = { "port", 0, SB_OPT_ARG, "N", "serve: the TCP port (default 8080; 0: any free)" },
	[S_ALLOW] = { "allow", 0, SB_OPT_ARG, "CIDR", "serve: a network whose clients are served (repeatable)" },
	[S_SITE] = { "site", 0, SB_OPT_ARG, "FILE", "serve: allow the BOM's BMC network (networks: bmc)" },
	[S_FOR] = { "for", 0, SB_OPT_ARG, "DURATION", "serve: stop after this long (default 2h, at most 24h)" },
	[S_LOG] = { "log", 0, SB_OPT_ARG, "FILE", "serve: append the fetch log here (default standard error)" },
	[S_PORTFILE] = { "port-file", 0, SB_OPT_ARG, "FILE", "serve: write the port once listening" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void ready(void *ctx, unsigned port)
{
	const char *portfile = ctx;
	char buf[16];

	if (portfile) {
		snprintf(buf, sizeof(buf), "%u\n", port);
		if (sb_file_write_atomic(portfile, buf, strlen(buf), 0644) != 0)
			sb_error_clear();
	}
}

int sb_image_serve(struct sb_cli *cli, int argc, char **argv)
{
	const char *dir = NULL, *listen_on = NULL, *site = NULL, *logpath = NULL, *portfile = NULL, *arg;
	const char *allow[16];
	size_t nallow = 0;
	uint64_t dur = 2ULL * 3600 * 1000;
	long long port = 8080;
	struct sb_optparse op;
	struct sb_site *s = NULL;
	FILE *log = stderr;
	int k, rc;

	sb_optparse_init(&op, argc, argv);
	while ((k = sb_optparse_next(&op, cli, sb_image_serve_opts, &arg)) != -2) {
		switch (k) {
		case -3:
			return SB_EXIT_USAGE;
		case -1:
			return sb_cli_usage_error(cli, "unexpected argument '%s'", arg);
		case S_DIR: dir = arg; break;
		case S_LISTEN: listen_on = arg; break;
		case S_PORT:
			if (sb_parse_ll(&port, arg, 0, 65535, "--port"))
				return sb_cli_usage_error(cli, "%s", sb_error_message());
			break;
		case S_ALLOW:
			if (nallow == 15)
				return sb_cli_usage_error(cli, "at most 15 --allow");
			allow[nallow++] = arg;
			break;
		case S_SITE: site = arg; break;
		case S_FOR:
			if (sb_parse_duration_ms(&dur, arg, "--for") || dur == 0 || dur > 24ULL * 3600 * 1000)
				return sb_cli_usage_error(cli, "--for takes a duration from 1s to 24h");
			break;
		case S_LOG: logpath = arg; break;
		case S_PORTFILE: portfile = arg; break;
		}
	}
	if (!dir || !listen_on)
		return sb_cli_usage_error(cli, "serve needs --dir DIR and --listen ADDR");
	if (site) {
		struct sb_diags d;
		sb_diags_init(&d);
		rc = sb_bom_load(&s, site, &d);
		if (rc)
			sb_cli_diags_print(cli, &d);
		sb_diags_release(&d);
		if (rc)
			return sb_cli_fail(cli, rc);
		for (size_t i = 0; i < s->nnetworks && nallow < 15; i++)
			if (sb_streq(s->networks[i].name, "bmc") && s->networks[i].cidr)
				allow[nallow++] = s->networks[i].cidr;
	}
	for (size_t i = 0; i < nallow; i++) {
		char ip[64];
		unsigned pfx;
		if (sb_cidr_parse(allow[i], ip, sizeof(ip), &pfx) != 0) {
			sb_bom_free(s);
			return sb_cli_usage_error(cli, "--allow '%s' is not ADDRESS/PREFIX", allow[i]);
		}
	}
	if (nallow == 0) {
		sb_bom_free(s);
		return sb_cli_usage_error(cli, "say who may fetch: --allow CIDR or --site FILE with a "
					  "networks: bmc");
	}
	if (logpath && !(log = fopen(logpath, "ae"))) {
		sb_bom_free(s);
		return sb_cli_fail(cli, sb_error_set(SB_EIO, "%s: cannot append to it", logpath));
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	struct sb_media_serve_opts o = {
		.dir = dir, .host = listen_on, .port = (unsigned)port, .allow = allow, .nallow = nallow,
		.duration_ms = dur, .log = log, .stop = &stop_flag, .ready = ready, .ctx = (void *)portfile,
	};
	rc = sb_media_serve(&o);
	if (log != stderr)
		fclose(log);
	sb_bom_free(s);
	return rc ? sb_cli_fail(cli, rc) : SB_EXIT_OK;
}
