/* siteboot ceph check|network: the Ceph recipe's judge and BOM facts. */
#include "bom/bom.h"
#include "bootstrap/ceph.h"
#include "bootstrap/cli.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const ceph_verbs[] = { "check", "network", NULL };

enum { O_STATUS, O_SITE, O_OSDS, O_MONS, O_WARN };

static const struct sb_opt ceph_opts[] = {
	[O_STATUS] = { "status", 0, SB_OPT_ARG, "FILE",
		       "check: output of 'ceph -s --format json' ('-': standard input)" },
	[O_SITE] = { "site", 0, SB_OPT_ARG, "FILE",
		     "the site BOM: expected OSDs and monitors (check), the network (network)" },
	[O_OSDS] = { "osds", 0, SB_OPT_ARG, "N", "check: expect N OSDs" },
	[O_MONS] = { "mons", 0, SB_OPT_ARG, "N", "check: expect N monitors" },
	[O_WARN] = { "allow-warn", 0, SB_OPT_NONE, NULL, "check: accept HEALTH_WARN" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

static int read_input(char **out, size_t *len, const char *path)
{
	struct sb_buf b = SB_BUF_INIT(16u << 20);
	char chunk[65536];
	ssize_t n;

	if (strcmp(path, "-") != 0)
		return sb_file_read(out, len, path, 16u << 20);
	while ((n = read(0, chunk, sizeof(chunk))) > 0)
		if (sb_buf_append(&b, chunk, (size_t)n)) {
			sb_buf_release(&b);
			return sb_error_set(SB_EINPUT, "standard input: more than 16 MiB");
		}
	*len = b.len;
	if (b.len == 0) {
		sb_buf_release(&b);
		return sb_error_set(SB_EINPUT, "standard input is empty: pipe 'ceph -s --format json' in");
	}
	return sb_buf_detach(out, &b);
}

static int load_site(struct sb_cli *cli, struct sb_site **s, const char *path)
{
	struct sb_diags d;
	int rc;

	sb_diags_init(&d);
	rc = sb_bom_load(s, path, &d);
	if (rc)
		sb_cli_diags_print(cli, &d);
	sb_diags_release(&d);
	return rc;
}

static int run_ceph(struct sb_cli *cli, int argc, char **argv)
{
	struct sb_ceph_expect exp = { -1, -1, false };
	const char *status = NULL, *site = NULL, *arg;
	struct sb_optparse op;
	struct sb_site *s = NULL;
	long long v;
	int k, rc;

	if (argc < 2 || argv[1][0] == '-')
		return sb_cli_usage_error(cli, "say 'check' or 'network'");
	sb_optparse_init(&op, argc - 1, argv + 1);
	while ((k = sb_optparse_next(&op, cli, ceph_opts, &arg)) != -2) {
		switch (k) {
		case -3:
			return SB_EXIT_USAGE;
		case -1:
			return sb_cli_usage_error(cli, "unexpected argument '%s'", arg);
		case O_STATUS: status = arg; break;
		case O_SITE: site = arg; break;
		case O_OSDS:
		case O_MONS:
			if (sb_parse_ll(&v, arg, 0, 100000, k == O_OSDS ? "--osds" : "--mons"))
				return sb_cli_usage_error(cli, "%s", sb_error_message());
			*(k == O_OSDS ? &exp.osds : &exp.mons) = (long)v;
			break;
		case O_WARN: exp.allow_warn = true; break;
		}
	}
	if (site && (rc = load_site(cli, &s, site)) != 0)
		return sb_cli_fail(cli, rc);
	if (strcmp(argv[1], "network") == 0) {
		const char *net = s ? sb_ceph_network(s) : NULL;
		if (!s)
			return sb_cli_usage_error(cli, "network needs --site FILE");
		if (!net) {
			sb_bom_free(s);
			return sb_cli_fail(cli, sb_error_set(SB_EINPUT, "%s: no 'ceph' or 'data' network: add "
							      "networks: ceph: {cidr: ...} to the BOM", site));
		}
		printf("%s\n", net);
		sb_bom_free(s);
		return SB_EXIT_OK;
	}
	if (strcmp(argv[1], "check") != 0) {
		sb_bom_free(s);
		const char *best = sb_did_you_mean(argv[1], ceph_verbs);
		return best ? sb_cli_usage_error(cli, "unknown verb '%s'; did you mean '%s'?", argv[1], best)
			    : sb_cli_usage_error(cli, "unknown verb '%s'; say 'check' or 'network'", argv[1]);
	}
	if (!status) {
		sb_bom_free(s);
		return sb_cli_usage_error(cli, "check needs --status FILE (or - for standard input)");
	}
	if (s) {
		struct sb_ceph_expect b;
		sb_ceph_expect_from_bom(&b, s);
		if (exp.osds < 0)
			exp.osds = b.osds;
		if (exp.mons < 0)
			exp.mons = b.mons;
		sb_bom_free(s);
	}
	char *text = NULL;
	size_t len = 0;
	struct sb_ceph_state st;
	struct sb_buf problems = SB_BUF_INIT(64 * 1024);
	if ((rc = read_input(&text, &len, status)) != 0)
		return sb_cli_fail(cli, rc);
	rc = sb_ceph_judge(&st, &problems, text, len, &exp);
	free(text);
	if (rc && rc != SB_EFAILED) {
		sb_buf_release(&problems);
		return sb_cli_fail(cli, rc == SB_EPROTO ? sb_error_set(SB_EINPUT, "%s", sb_error_message()) : rc);
	}
	if (cli->json) {
		json_t *doc = json_pack("{s:b, s:s, s:s, s:{s:i, s:i}, s:{s:i, s:i, s:i}, s:{s:i, s:i}, s:s?}",
					"healthy", rc == 0, "health", st.health, "layout", st.layout,
					"mons", "total", (int)st.mons, "quorum", (int)st.mons_in_quorum,
					"osds", "total", (int)st.osds, "up", (int)st.osds_up, "in",
					(int)st.osds_in, "pgs", "total", (int)st.pgs, "active_clean",
					(int)st.pgs_active_clean, "problems", problems.len ? problems.data : NULL);
		sb_cli_json_out(cli, doc);
	} else if (rc == 0) {
		printf("ceph: %s, %ld/%ld monitors in quorum, %ld/%ld OSDs up and in, %ld/%ld PGs "
		       "active+clean\n", st.health, st.mons_in_quorum, st.mons, st.osds_up, st.osds,
		       st.pgs_active_clean, st.pgs);
	}
	if (rc)
		fprintf(stderr, "siteboot ceph: error: the cluster is not healthy: %s\n", problems.data);
	sb_buf_release(&problems);
	sb_error_clear();
	return rc ? SB_EXIT_PROBLEMS : SB_EXIT_OK;
}

const struct sb_cmd sb_cmd_ceph = {
	.name = "ceph",
	.run = run_ceph,
	.summary = "judge a Ceph cluster from 'ceph -s --format json'",
	.usage = "siteboot ceph check --status FILE|- [--site FILE] [--osds N] [--mons N] [--allow-warn]\n"
		 "siteboot ceph network --site FILE",
	.description =
		"'ceph check' reads the output of 'ceph -s --format json' and says whether the "
		"cluster is healthy: HEALTH_OK, every monitor in quorum, every OSD up and in, every "
		"PG active+clean, and, with --site, as many OSDs as the BOM has ceph-osd drives on "
		"ceph-osd nodes and as many monitors as ceph-mon nodes. It reads the JSON layouts of "
		"Ceph from Jewel to Reef (docs/ceph.md). It exits 0 when healthy and 1 with every "
		"problem on one line otherwise (HEALTH_WARN with the checks' messages, OSDs down, "
		"monitors out of quorum, PGs not clean).\n\n"
		"'ceph network' prints the Ceph public network of the BOM (networks: ceph, else data), "
		"for 'pveceph init --network'.",
	.verbs = ceph_verbs,
	.opts = ceph_opts,
	.example = "ssh root@edge-n01 ceph -s --format json | siteboot ceph check --status - --site site.yaml",
};
