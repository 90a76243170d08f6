/* siteboot discover | power | boot | media | bmc: the out-of-band
 * commands. Parsing, targets and output live here; the work is
 * bootstrap/oob.c over firmware/bmc.h. */
#include "bom/bom.h"
#include "bootstrap/cli.h"
#include "bootstrap/inv_cli.h"
#include "bootstrap/oob.h"
#include "bootstrap/table.h"
#include "common/error.h"
#include "common/json.h"
#include "common/pool.h"
#include "common/str.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options every out-of-band command shares: targets, credentials,
 * fan-out and per-BMC settings. */
#define OOB_TARGET_OPTS                                                         \
	{ "site", 's', SB_OPT_ARG, "FILE",                                      \
	  "the site BOM: positional names are its nodes (ranges allowed)" },    \
	{ "all", 0, SB_OPT_NONE, NULL, "every node of the --site BOM" },       \
	{ "bmc", 0, SB_OPT_ARG, "URL",                                          \
	  "a BMC URL, ranges allowed (repeatable): ipmi://admin@127.0.0.1:[9001-9020]" }, \
	{ "credentials", 0, SB_OPT_ARG, "FILE",                                 \
	  "secrets file, mode 0600: NAME: {user: U, password: P}" },            \
	{ "credential", 0, SB_OPT_ARG, "NAME",                                  \
	  "the entry of --credentials for --bmc targets" },                     \
	{ "parallel", 'j', SB_OPT_ARG, "N",                                     \
	  "at most N BMCs at once (default 64)" },                              \
	{ "timeout", 0, SB_OPT_ARG, "TIME",                                     \
	  "per request to one BMC, e.g. 2s or 500ms (default 5s)" },            \
	{ "retries", 0, SB_OPT_ARG, "N",                                        \
	  "retransmissions per request (default 2)" },                          \
	{ "min-interval", 0, SB_OPT_ARG, "TIME",                                \
	  "rate limit: at least TIME between commands to one BMC" },            \
	{ "insecure", 0, SB_OPT_NONE, NULL,                                     \
	  "Redfish: do not verify TLS certificates (says so loudly)" },         \
	{ "pin", 0, SB_OPT_ARG, "SHA256",                                       \
	  "Redfish: accept only the certificate with this SHA-256 fingerprint" }, \
	{ "ca-file", 0, SB_OPT_ARG, "FILE",                                     \
	  "Redfish: trust the CAs in FILE as well" },                           \
	{ "cipher", 0, SB_OPT_ARG, "N",                                         \
	  "IPMI: use cipher suite 17 or 3 only (default 17, then 3)" },         \
	{ "quirks", 0, SB_OPT_ARG, "LIST",                                      \
	  "IPMI workarounds or a quirk set, e.g. ipmi_sim, or a Redfish vendor set, e.g. supermicro (default: detected)" }

struct oob_args {
	const char *site;
	bool all;
	struct sb_strv bmcs;
	struct sb_strv names;
	const char *creds_file;
	const char *credential;
	struct sb_oob_request req;
	/* discover */
	struct sb_strv scans;
	unsigned ipmi_port, rf_port;
	bool rf_http;
	bool no_evidence;
	char *site_id;		/* the --site BOM's site id, for reports */
	/* boot */
	int boot_mode, boot_fw;		/* -1 unset, else persistent/uefi */
};

static const char *opt_name(const struct sb_opt *opts, int k)
{
	return opts[k].name;
}

/* Options shared by every command; returns 1 when `name` was one of
 * them, 0 when not, or SB_EXIT_USAGE after printing the problem. */
static int common_opt(struct sb_cli *cli, struct oob_args *a,
		      const char *name, const char *arg)
{
	long long n;
	uint64_t ms;

	if (strcmp(name, "site") == 0) {
		a->site = arg;
	} else if (strcmp(name, "all") == 0) {
		a->all = true;
	} else if (strcmp(name, "bmc") == 0) {
		if (sb_strv_push(&a->bmcs, arg))
			return SB_EXIT_PROBLEMS;
	} else if (strcmp(name, "credentials") == 0) {
		a->creds_file = arg;
	} else if (strcmp(name, "credential") == 0) {
		a->credential = arg;
	} else if (strcmp(name, "parallel") == 0) {
		if (sb_parse_ll(&n, arg, 1, 4096, "--parallel"))
			return sb_cli_usage_error(cli, "%s", sb_error_message());
		a->req.parallel = (unsigned)n;
	} else if (strcmp(name, "timeout") == 0) {
		if (sb_parse_duration_ms(&ms, arg, "--timeout") || ms == 0 ||
		    ms > 600000)
			return sb_cli_usage_error(cli, "--timeout '%s': give a time from 1ms to 10m, e.g. 2s", arg);
		a->req.opts.timeout_ms = (uint32_t)ms;
	} else if (strcmp(name, "retries") == 0) {
		if (sb_parse_ll(&n, arg, 0, 20, "--retries"))
			return sb_cli_usage_error(cli, "%s", sb_error_message());
		a->req.opts.retries = (unsigned)n;
	} else if (strcmp(name, "min-interval") == 0) {
		if (sb_parse_duration_ms(&ms, arg, "--min-interval") ||
		    ms > 600000)
			return sb_cli_usage_error(cli, "--min-interval '%s': give a time up to 10m, e.g. 200ms", arg);
		a->req.opts.min_interval_ms = (uint32_t)ms;
	} else if (strcmp(name, "insecure") == 0) {
		a->req.opts.insecure = true;
	} else if (strcmp(name, "pin") == 0) {
		a->req.opts.pin_sha256 = arg;
	} else if (strcmp(name, "ca-file") == 0) {
		a->req.opts.ca_file = arg;
	} else if (strcmp(name, "quirks") == 0) {
		unsigned wa;
		if (!sb_bmc_redfish_quirks_known(arg) &&
		    sb_bmc_ipmi_workarounds_parse(&wa, arg))
			return sb_cli_usage_error(cli, "--quirks: %s (Redfish sets: generic, supermicro, hpe-ilo, dell-idrac, lenovo-xcc)",
						  sb_error_message());
		a->req.opts.quirks = arg;
	} else if (strcmp(name, "cipher") == 0) {
		if (strcmp(arg, "3") != 0 && strcmp(arg, "17") != 0)
			return sb_cli_usage_error(cli, "--cipher '%s': use 17 or 3 (suite 0 is never used: anyone can log in with it)", arg);
		a->req.opts.cipher_suite = strcmp(arg, "3") == 0 ? 3 : 17;
	} else {
		return 0;
	}
	return 1;
}

static void args_release(struct oob_args *a)
{
	sb_strv_release(&a->bmcs);
	sb_strv_release(&a->names);
	sb_strv_release(&a->scans);
	free(a->site_id);
}

/* Resolve the targets from --site/--all/names and --bmc. */
static int resolve(struct sb_cli *cli, struct oob_args *a,
		   struct sb_oob_targets *t)
{
	struct sb_site *s = NULL;
	struct sb_strv urls = { 0 }, nodes = { 0 };
	int rc = 0;

	/* a URL given where a node name goes is taken as --bmc */
	for (size_t i = 0; i < a->names.n; i++)
		rc |= strstr(a->names.v[i], "://") ?
			sb_strv_push(&urls, a->names.v[i]) :
			sb_strv_push(&nodes, a->names.v[i]);
	if (rc) {
		rc = sb_cli_fail(cli, SB_ENOMEM);
		goto out;
	}
	if ((nodes.n || a->all) && !a->site) {
		rc = sb_cli_usage_error(cli, nodes.n ?
					"node name '%s' needs --site FILE (or give BMC URLs with --bmc)" :
					"--all%s needs --site FILE",
					nodes.n ? nodes.v[0] : "");
		goto out;
	}
	if (a->site && !nodes.n && !a->all) {
		rc = sb_cli_usage_error(cli, "name the nodes of %s to act on (ranges such as n[01-04] work), or say --all",
					a->site);
		goto out;
	}
	if (a->site) {
		struct sb_diags d;
		sb_diags_init(&d);
		rc = sb_bom_load(&s, a->site, &d);
		sb_diags_sort(&d);
		if (rc)
			sb_cli_diags_print(cli, &d);
		sb_diags_release(&d);
		if (rc == SB_EINPUT) {
			fprintf(stderr, "siteboot %s: error: %s is not a valid BOM; 'siteboot bom check %s' lists its problems\n",
				cli->cmd->name, a->site, a->site);
			rc = SB_EXIT_USAGE;
			goto out;
		}
		if (rc) {
			rc = sb_cli_fail(cli, rc);
			goto out;
		}
		a->site_id = sb_strdup(s->id);
		rc = sb_oob_targets_add_site(t, s, (const char *const *)nodes.v,
					     nodes.n, a->all);
		if (rc) {
			rc = sb_cli_fail(cli, rc);
			goto out;
		}
	}
	for (size_t i = 0; i < a->bmcs.n && rc == 0; i++)
		rc = sb_oob_targets_add_urls(t, a->bmcs.v[i]);
	for (size_t i = 0; i < urls.n && rc == 0; i++)
		rc = sb_oob_targets_add_urls(t, urls.v[i]);
	for (size_t i = 0; i < a->scans.n && rc == 0; i++)
		rc = sb_oob_targets_add_scan(t, a->scans.v[i], a->ipmi_port,
					     a->rf_port, a->rf_http);
	if (rc) {
		rc = sb_cli_fail(cli, rc);
		goto out;
	}
	if (t->n == 0)
		rc = sb_cli_usage_error(cli, "no targets: name nodes with --site FILE, or give --bmc URL");
out:
	sb_bom_free(s);
	sb_strv_release(&urls);
	sb_strv_release(&nodes);
	return rc;
}

static int load_creds(struct sb_cli *cli, struct oob_args *a,
		      struct sb_oob_creds *c)
{
	int rc;

	rc = sb_oob_creds_from_env(c);
	if (rc)
		return sb_cli_fail(cli, rc);
	if (!a->creds_file) {
		if (!c->env_password && a->req.op != SB_OOB_SCAN)
			return sb_cli_usage_error(cli, "no credentials: give --credentials FILE (mode 0600) or set SITEBOOT_BMC_USER and SITEBOOT_BMC_PASSWORD");
		return 0;
	}
	struct sb_diags d;
	sb_diags_init(&d);
	rc = sb_oob_creds_load(c, a->creds_file, &d);
	sb_diags_sort(&d);
	sb_cli_diags_print(cli, &d);
	sb_diags_release(&d);
	if (rc)
		return sb_cli_fail(cli, rc);
	if (a->credential) {
		bool found = false;
		for (size_t i = 0; i < c->n; i++)
			found |= strcmp(c->v[i].name, a->credential) == 0;
		if (!found)
			return sb_cli_usage_error(cli, "--credential '%s' is not in %s",
						  a->credential, a->creds_file);
	}
	return 0;
}

/* ---- output ---------------------------------------------------------------- */

struct out {
	struct sb_cli *cli;
	enum sb_oob_op op;
	size_t nok, nfail;
	bool progress_shown;
};

static void detail(char *buf, size_t size, const struct sb_oob_result *r,
		   enum sb_oob_op op)
{
	switch (op) {
	case SB_OOB_POWER_STATUS:
	case SB_OOB_POWER:
		snprintf(buf, size, "%s", sb_power_state_name(r->power));
		break;
	case SB_OOB_BOOT:
		snprintf(buf, size, "%s %s %s", sb_boot_device_name(r->boot.device),
			 r->boot.persistent ? "persistent" : "once",
			 r->boot.uefi ? "uefi" : "legacy");
		break;
	case SB_OOB_MEDIA_INSERT:
	case SB_OOB_MEDIA_EJECT:
	case SB_OOB_MEDIA_STATUS: {
		size_t off = (size_t)snprintf(buf, size, "%s", op == SB_OOB_MEDIA_INSERT ? "inserted; " :
					      op == SB_OOB_MEDIA_EJECT ? "ejected; " : "");
		for (size_t i = 0; i < r->nslots && off < size; i++) {
			const struct sb_media_slot *m = &r->slots[i];
			off += (size_t)snprintf(buf + off, size - off, "%s%s (%s): %s", i ? ", " : "",
						m->id, m->kinds & SB_MEDIA_CD ? "cd" :
						m->kinds & SB_MEDIA_USB ? "usb" : "other",
						m->inserted ? (m->image ? m->image : "inserted") : "empty");
		}
		break;
	}
	case SB_OOB_INFO:
		snprintf(buf, size, "%s %s, firmware %s, %s",
			 r->info.vendor ? r->info.vendor : "?",
			 r->info.product ? r->info.product : "?",
			 r->info.firmware_version ? r->info.firmware_version : "?",
			 r->info.protocol_version ? r->info.protocol_version :
						    r->protocol);
		break;
	case SB_OOB_DISCOVER:
		snprintf(buf, size, "%s, %s %s, %zu components, %zu firmware, %zu finding%s",
			 r->protocol, r->inv.vendor ? r->inv.vendor : "?",
			 r->inv.product ? r->inv.product : "",
			 r->inv.ncomponents, r->inv.nfirmware, r->nfindings,
			 r->nfindings == 1 ? "" : "s");
		break;
	case SB_OOB_SCAN:
		snprintf(buf, size, "%s, %s %s, credentials %s, %zu finding%s",
			 r->protocol, r->info.vendor ? r->info.vendor : "?",
			 r->info.product ? r->info.product : "",
			 r->credentials ? r->credentials : "untested",
			 r->nfindings, r->nfindings == 1 ? "" : "s");
		break;
	}
}

static void progress(struct out *o, size_t done, size_t total)
{
	fprintf(stderr, "\r\033[K[%zu/%zu] %zu ok, %zu failed", done, total,
		o->nok, o->nfail);
	fflush(stderr);
	o->progress_shown = true;
}

static void on_result(const struct sb_oob_result *r, size_t done,
		      size_t total, void *ctx)
{
	struct out *o = ctx;
	char d[512];
	bool quiet_scan = o->op == SB_OOB_SCAN && r->rc;

	if (r->rc && !quiet_scan)
		o->nfail++;
	else if (!r->rc)
		o->nok++;
	if (o->progress_shown)
		fputs("\r\033[K", stderr);
	if (!o->cli->json && o->cli->verbosity >= 0 && !quiet_scan) {
		if (r->rc) {
			printf("%s: FAILED: %s\n", r->target->name, r->error);
		} else {
			detail(d, sizeof(d), r, o->op);
			printf("%s: %s\n", r->target->name, d);
		}
		fflush(stdout);
	}
	if (o->cli->progress && done < total)
		progress(o, done, total);
}

static void table_out(const struct sb_oob_result *res, size_t n,
		      enum sb_oob_op op)
{
	static const char *const cols[] = { "TARGET", "RESULT", "DETAIL" };
	struct sb_table tb;
	char d[512];

	sb_table_init(&tb, 0, 3, cols);
	for (size_t i = 0; i < n; i++) {
		const struct sb_oob_result *r = &res[i];
		if (op == SB_OOB_SCAN && (r->rc || !r->done))
			continue;
		if (!r->done)
			snprintf(d, sizeof(d), "canceled before it started");
		else if (r->rc)
			snprintf(d, sizeof(d), "%s", sb_error_name(r->rc));
		else
			detail(d, sizeof(d), r, op);
		sb_table_rowf(&tb, "%s\t%s\t%s", r->target->name,
			      r->done && !r->rc ? "ok" : "FAILED", d);
	}
	printf("\n");
	sb_table_print(stdout, &tb);
	sb_table_release(&tb);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < res[i].nfindings; k++)
			printf("security: %s: %s %s: %s\n", res[i].target->name,
			       res[i].findings[k].severity,
			       res[i].findings[k].id, res[i].findings[k].text);
}

static void components_out(const struct sb_oob_result *r)
{
	static const char *const cols[] = { "CLASS", "MANUFACTURER", "MODEL",
					    "PART NUMBER", "SERIAL", "LOCATION",
					    "SOURCE" };
	struct sb_table tb;

	printf("\n%s (%s):\n", r->target->name, r->protocol);
	sb_table_init(&tb, 2, 7, cols);
	for (size_t k = 0; k < r->inv.ncomponents; k++) {
		const struct sb_hw_component *c = &r->inv.components[k];
		const char *cells[7] = { sb_hw_class_name(c->cls),
					 c->manufacturer, c->model,
					 c->part_number, c->serial,
					 c->location, c->source };
		sb_table_row(&tb, cells);
	}
	sb_table_print(stdout, &tb);
	sb_table_release(&tb);
	for (size_t k = 0; k < r->inv.nfirmware; k++)
		printf("  firmware %s %s (%s)\n", r->inv.firmware[k].name,
		       r->inv.firmware[k].version ? r->inv.firmware[k].version : "?",
		       r->inv.firmware[k].source ? r->inv.firmware[k].source : "?");
}

static void on_sigint(int sig)
{
	(void)sig;
	sb_pool_cancel();
}

/* Run the request over the targets and report; the exit status. */
static int fan_out(struct sb_cli *cli, struct oob_args *a,
		   const struct sb_oob_targets *t)
{
	struct out o = { .cli = cli, .op = a->req.op };
	struct sb_cli_recorder rec = { 0 };
	struct sb_oob_result *res = NULL;
	struct sigaction sa, old_int, old_term;
	size_t nfound = 0;
	int rc;

	if (a->req.opts.insecure)
		sb_cli_warn(cli, "--insecure: TLS certificates of the BMCs are NOT verified; anyone on the path can read the BMC passwords");
	a->req.on_result = on_result;
	a->req.ctx = &o;
	if (cli->progress)
		progress(&o, 0, t->n);
	/* discover writes what it reads into the inventory (inv_cli.h) */
	if (a->req.op == SB_OOB_DISCOVER &&
	    (rc = sb_cli_recorder_begin(&rec, cli, a->site, &a->req)))
		return rc;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = sb_oob_run(&res, t, &a->req);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sb_cli_recorder_end(&rec, cli);
	if (o.progress_shown)
		fputs("\r\033[K", stderr);
	if (rc)
		return sb_cli_fail(cli, rc);
	if (cli->json) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < t->n; i++) {
			if (a->req.op == SB_OOB_SCAN && (res[i].rc || !res[i].done))
				continue;
			json_t *obj = sb_oob_result_json(&res[i], a->req.op,
							 !a->no_evidence);
			if (obj && a->site_id && a->req.op == SB_OOB_DISCOVER)
				json_object_set_new(obj, "site", json_string(a->site_id));
			json_array_append_new(arr, obj);
		}
		rc = sb_cli_json_out(cli, arr);
		if (rc) {
			sb_oob_results_free(res, t->n);
			return sb_cli_fail(cli, rc);
		}
	} else if (cli->verbosity >= 0) {
		if (t->n > 1 || a->req.op == SB_OOB_DISCOVER)
			table_out(res, t->n, a->req.op);
		if (a->req.op == SB_OOB_DISCOVER && cli->verbosity > 0)
			for (size_t i = 0; i < t->n; i++)
				if (res[i].done && !res[i].rc)
					components_out(&res[i]);
	}
	for (size_t i = 0; i < t->n; i++)
		if (res[i].done && !res[i].rc)
			nfound++;
	rc = SB_EXIT_OK;
	if (a->req.op == SB_OOB_SCAN) {
		if (!cli->json && cli->verbosity >= 0)
			printf("scanned %zu address%s: %zu BMC%s found\n", t->n / 2,
			       t->n / 2 == 1 ? "" : "es", nfound,
			       nfound == 1 ? "" : "s");
		if (nfound == 0) {
			fprintf(stderr, "siteboot discover: error: no BMC answered on any scanned address (IPMI port %u, Redfish port %u); check the range, the ports and --timeout\n",
				a->ipmi_port, a->rf_port);
			rc = SB_EXIT_PROBLEMS;
		}
	} else if (nfound < t->n) {
		size_t nfail = t->n - nfound;
		fprintf(stderr, "siteboot %s: error: %zu of %zu target%s failed:\n",
			cli->cmd->name, nfail, t->n, t->n == 1 ? "" : "s");
		for (size_t i = 0; i < t->n; i++)
			if (!res[i].done)
				fprintf(stderr, "  %s: canceled before it started\n",
					res[i].target->name);
			else if (res[i].rc)
				fprintf(stderr, "  %s: %s: %s\n", res[i].target->name,
					sb_error_name(res[i].rc), res[i].error);
		rc = SB_EXIT_PROBLEMS;
	}
	for (size_t i = 0; i < t->n; i++)
		if (res[i].warning && res[i].done && !res[i].rc && cli->verbosity > 0)
			sb_cli_warn(cli, "%s: %s", res[i].target->name, res[i].warning);
	sb_oob_results_free(res, t->n);
	return rc;
}

/* Parse, resolve, run: the skeleton every command shares. `verb_opt`
 * handles the command's own options (returns 1 when it took one). */
typedef int (*extra_opt_fn)(struct sb_cli *cli, struct oob_args *a,
			    const char *name, const char *arg);

static int oob_main(struct sb_cli *cli, int argc, char **argv, int first,
		    struct oob_args *a, const struct sb_opt *opts,
		    extra_opt_fn extra, const char **image)
{
	struct sb_optparse op;
	struct sb_oob_targets t = { 0 };
	struct sb_oob_creds c = { 0 };
	const char *arg;
	int k, rc;

	sb_optparse_init(&op, argc - first + 1, argv + first - 1);
	while ((k = sb_optparse_next(&op, cli, opts, &arg)) != -2) {
		if (k == -3)
			return SB_EXIT_USAGE;
		if (k == -1) {
			if (sb_strv_push(&a->names, arg))
				return sb_cli_fail(cli, SB_ENOMEM);
			continue;
		}
		rc = common_opt(cli, a, opt_name(opts, k), arg);
		if (rc == 0 && extra)
			rc = extra(cli, a, opt_name(opts, k), arg);
		if (rc != 1)
			return rc ? rc : sb_cli_usage_error(cli, "option '--%s' is not for this command",
							    opt_name(opts, k));
	}
	if (image) {
		/* media insert: the last positional is the image */
		if (a->names.n == 0)
			return sb_cli_usage_error(cli, "give the image URL to insert (http://... or https://...)");
		*image = a->names.v[--a->names.n];
		a->req.image_url = *image;
	}
	rc = resolve(cli, a, &t);
	if (rc == 0)
		rc = load_creds(cli, a, &c);
	if (rc == 0) {
		a->req.creds = &c;
		a->req.credential = a->credential;
		rc = fan_out(cli, a, &t);
	}
	if (image && *image)
		a->names.v[a->names.n++] = (char *)*image;
	sb_oob_targets_release(&t);
	sb_oob_creds_release(&c);
	return rc;
}

static int verb_error(struct sb_cli *cli, const char *verb,
		      const char *const *verbs)
{
	char hint[200];

	sb_hint_choice(hint, sizeof(hint), verb, verbs, "say", true);
	return sb_cli_usage_error(cli, "unknown verb '%s'; %s", verb, hint);
}

/* ---- power ------------------------------------------------------------------ */

static const char *const power_verbs[] = { "on", "off", "cycle", "reset",
					   "soft", "status", NULL };

static const struct sb_opt power_opts[] = {
	OOB_TARGET_OPTS,
	{ "wait", 0, SB_OPT_ARG, "TIME",
	  "how long a change may take to read back (default 30s)" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

static int power_opt(struct sb_cli *cli, struct oob_args *a,
		     const char *name, const char *arg)
{
	uint64_t ms;

	if (strcmp(name, "wait") != 0)
		return 0;
	if (sb_parse_duration_ms(&ms, arg, "--wait") || ms > 3600000)
		return sb_cli_usage_error(cli, "--wait '%s': give a time up to 1h, e.g. 30s", arg);
	a->req.verify_timeout_ms = (uint32_t)ms;
	return 1;
}

static int run_power(struct sb_cli *cli, int argc, char **argv)
{
	struct oob_args a = { 0 };
	enum sb_power_action act;
	int rc;

	if (argc < 2 || argv[1][0] == '-')
		return sb_cli_usage_error(cli, "say on, off, cycle, reset, soft or status");
	if (strcmp(argv[1], "status") == 0) {
		sb_oob_request_init(&a.req, SB_OOB_POWER_STATUS);
	} else if (sb_power_action_parse(&act, argv[1]) == 0) {
		sb_oob_request_init(&a.req, SB_OOB_POWER);
		a.req.power = act;
	} else {
		return verb_error(cli, argv[1], power_verbs);
	}
	rc = oob_main(cli, argc, argv, 2, &a, power_opts, power_opt, NULL);
	args_release(&a);
	return rc;
}

const struct sb_cmd sb_cmd_power = {
	.name = "power",
	.run = run_power,
	.summary = "power BMC-managed servers on, off, cycle, reset, soft-off, or read it",
	.usage = "siteboot power on|off|cycle|reset|soft|status NODE... --site FILE [OPTIONS]\n"
		 "siteboot power on|off|cycle|reset|soft|status --all --site FILE [OPTIONS]\n"
		 "siteboot power on|off|cycle|reset|soft|status --bmc URL... [OPTIONS]",
	.description =
		"Drives every target's BMC at once (up to --parallel), each with its own "
		"timeout, so a dead or slow BMC never holds the others back. Results print "
		"one line per target as they arrive, then a table in target order; --json "
		"prints one array of {target, node, url, ok, power | error, error_code, "
		"elapsed_ms}.\n\n"
		"A change is verified by reading the power state back until it matches "
		"(on and off reach that state, cycle and reset end on, soft reaches off) "
		"within --wait; a BMC that accepts a command but never gets there fails "
		"with a timeout naming the state it reports. Changes are never retried "
		"(a second cycle is not harmless); requests are retransmitted --retries "
		"times.\n\n"
		"Credentials come from --credentials FILE (the entry each BOM node names, "
		"or --credential NAME, or the file's only entry) or from "
		"SITEBOOT_BMC_USER and SITEBOOT_BMC_PASSWORD; never from the command line. "
		"Exit status 1 when any target failed; each is named with its reason on "
		"standard error.",
	.verbs = power_verbs,
	.opts = power_opts,
	.example = "SITEBOOT_BMC_USER=admin SITEBOOT_BMC_PASSWORD=... siteboot power status --bmc 'ipmi://127.0.0.1:[9001-9020]'\n"
		   "siteboot power cycle edge-n[01-03] --site site.yaml --credentials creds.yaml --wait 60s",
};

/* ---- boot ------------------------------------------------------------------- */

static const char *const boot_verbs[] = { "pxe", "disk", "cd", "bios", NULL };

static const struct sb_opt boot_opts[] = {
	OOB_TARGET_OPTS,
	{ "once", 0, SB_OPT_NONE, NULL, "for the next boot only (default)" },
	{ "persistent", 0, SB_OPT_NONE, NULL, "for every boot from now on" },
	{ "uefi", 0, SB_OPT_NONE, NULL, "boot in UEFI mode (default)" },
	{ "legacy", 0, SB_OPT_NONE, NULL, "boot in legacy BIOS mode" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

static int boot_opt(struct sb_cli *cli, struct oob_args *a, const char *name,
		    const char *arg)
{
	(void)arg;
	if (strcmp(name, "once") == 0 || strcmp(name, "persistent") == 0) {
		int v = strcmp(name, "persistent") == 0;
		if (a->boot_mode >= 0 && a->boot_mode != v)
			return sb_cli_usage_error(cli, "say --once or --persistent, not both");
		a->boot_mode = v;
	} else if (strcmp(name, "uefi") == 0 || strcmp(name, "legacy") == 0) {
		int v = strcmp(name, "uefi") == 0;
		if (a->boot_fw >= 0 && a->boot_fw != v)
			return sb_cli_usage_error(cli, "say --uefi or --legacy, not both");
		a->boot_fw = v;
	} else {
		return 0;
	}
	return 1;
}

/* Apply the flags to the request as they are parsed. */
static int boot_opt_apply(struct sb_cli *cli, struct oob_args *a,
			  const char *name, const char *arg)
{
	int rc = boot_opt(cli, a, name, arg);

	a->req.boot.persistent = a->boot_mode == 1;
	a->req.boot.uefi = a->boot_fw != 0;
	return rc;
}

static int run_boot_cmd(struct sb_cli *cli, int argc, char **argv)
{
	struct oob_args a = { 0 };
	enum sb_boot_device dev;
	int rc;

	if (argc < 2 || argv[1][0] == '-')
		return sb_cli_usage_error(cli, "say pxe, disk, cd or bios");
	if (sb_boot_device_parse(&dev, argv[1]) != 0 || dev == SB_BOOT_NONE)
		return verb_error(cli, argv[1], boot_verbs);
	sb_oob_request_init(&a.req, SB_OOB_BOOT);
	a.boot_mode = a.boot_fw = -1;
	a.req.boot.device = dev;
	a.req.boot.persistent = false;
	a.req.boot.uefi = true;
	rc = oob_main(cli, argc, argv, 2, &a, boot_opts, boot_opt_apply, NULL);
	args_release(&a);
	return rc;
}

const struct sb_cmd sb_cmd_boot = {
	.name = "boot",
	.run = run_boot_cmd,
	.summary = "set the boot device (pxe, disk, cd, bios) and read it back",
	.usage = "siteboot boot pxe|disk|cd|bios NODE... --site FILE [--once|--persistent] [--uefi|--legacy] [OPTIONS]\n"
		 "siteboot boot pxe|disk|cd|bios --bmc URL... [--once|--persistent] [--uefi|--legacy] [OPTIONS]",
	.description =
		"Sets the boot device override on every target at once, for the next boot "
		"(--once, the default) or for good (--persistent), in UEFI (default) or "
		"legacy mode, then reads the setting back: a BMC that accepts it but "
		"reports something else fails. Targets, credentials and fan-out options "
		"are those of 'siteboot power'. --json prints one array of {target, ok, "
		"boot: {device, mode, firmware} | error}.",
	.verbs = boot_verbs,
	.opts = boot_opts,
	.example = "siteboot boot pxe --once --all --site site.yaml --credentials creds.yaml",
};

/* ---- media ------------------------------------------------------------------ */

static const char *const media_verbs[] = { "insert", "eject", "status", NULL };

static const struct sb_opt media_opts[] = {
	OOB_TARGET_OPTS,
	{ "slot", 0, SB_OPT_ARG, "SLOT",
	  "media: cd (default for insert), usb, or a device Id such as Floppy1; eject without it: every device" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

static int media_opt(struct sb_cli *cli, struct oob_args *a, const char *name, const char *arg)
{
	(void)cli;
	if (strcmp(name, "slot") != 0)
		return 0;
	if (!*arg)
		return sb_cli_usage_error(cli, "--slot takes cd, usb or a device Id (siteboot media status lists them)");
	a->req.slot = arg;
	return 1;
}

static const struct sb_opt info_opts[] = {
	OOB_TARGET_OPTS,
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

static int run_media(struct sb_cli *cli, int argc, char **argv)
{
	struct oob_args a = { 0 };
	const char *image = NULL;
	int rc;

	if (argc < 2 || argv[1][0] == '-')
		return sb_cli_usage_error(cli, "say insert, eject or status");
	if (strcmp(argv[1], "insert") == 0)
		sb_oob_request_init(&a.req, SB_OOB_MEDIA_INSERT);
	else if (strcmp(argv[1], "eject") == 0)
		sb_oob_request_init(&a.req, SB_OOB_MEDIA_EJECT);
	else if (strcmp(argv[1], "status") == 0)
		sb_oob_request_init(&a.req, SB_OOB_MEDIA_STATUS);
	else
		return verb_error(cli, argv[1], media_verbs);
	rc = oob_main(cli, argc, argv, 2, &a, media_opts, media_opt,
		      a.req.op == SB_OOB_MEDIA_INSERT ? &image : NULL);
	args_release(&a);
	return rc;
}

const struct sb_cmd sb_cmd_media = {
	.name = "media",
	.run = run_media,
	.summary = "virtual media through the BMC (Redfish): insert, eject, status per slot (CD, USB)",
	.usage = "siteboot media insert NODE... IMAGE-URL --site FILE [--slot cd|usb|ID] [OPTIONS]\n"
		 "siteboot media insert --bmc URL... IMAGE-URL [--slot cd|usb|ID] [OPTIONS]\n"
		 "siteboot media eject NODE... --site FILE [--slot cd|usb|ID] [OPTIONS]\n"
		 "siteboot media status NODE... --site FILE [OPTIONS]",
	.description =
		"Redfish virtual media. A BMC has several virtual media devices (slots), "
		"typically a CD/DVD drive and a removable one (USB stick or floppy); "
		"'status' lists them with what they hold. 'insert' makes the BMC attach "
		"IMAGE-URL (which the BMC itself fetches, so it must reach it) to the slot "
		"--slot names: cd (the default), usb, or a device Id from 'status'; an "
		"image already there is left alone, another one is ejected first. 'eject' "
		"detaches the --slot, or every slot holding media. Each change is read "
		"back. IPMI has no virtual media: it answers 'unsupported' and names the "
		"alternatives (PXE with 'siteboot boot pxe --once', a USB stick, or the "
		"BMC's Redfish URL). Targets, credentials and fan-out options are those "
		"of 'siteboot power'. --json prints one array of {target, ok, media, "
		"slots: [{id, kinds, media_types, inserted, image}] | error}.",
	.verbs = media_verbs,
	.opts = media_opts,
	.example = "siteboot media insert edge-n01 http://10.20.0.5:8080/proxmox-ve.iso --site site.yaml --credentials creds.yaml\n"
		   "siteboot media insert edge-n01 http://10.20.0.5:8080/edge-n01-answer.iso --slot usb --site site.yaml --credentials creds.yaml\n"
		   "siteboot media status edge-n01 --site site.yaml --credentials creds.yaml\n"
		   "siteboot media eject edge-n01 --site site.yaml --credentials creds.yaml",
};

/* ---- bmc info -------------------------------------------------------------- */

static const char *const bmc_verbs[] = { "info", NULL };

static int run_bmc(struct sb_cli *cli, int argc, char **argv)
{
	struct oob_args a = { 0 };
	int rc;

	if (argc < 2 || argv[1][0] == '-')
		return sb_cli_usage_error(cli, "say info");
	if (strcmp(argv[1], "info") != 0)
		return verb_error(cli, argv[1], bmc_verbs);
	sb_oob_request_init(&a.req, SB_OOB_INFO);
	rc = oob_main(cli, argc, argv, 2, &a, info_opts, NULL, NULL);
	args_release(&a);
	return rc;
}

const struct sb_cmd sb_cmd_bmc = {
	.name = "bmc",
	.run = run_bmc,
	.summary = "show what the BMCs are: vendor, product, firmware, GUID, protocol",
	.usage = "siteboot bmc info NODE... --site FILE [OPTIONS]\n"
		 "siteboot bmc info --bmc URL... [OPTIONS]",
	.description =
		"Logs in to every target's BMC and prints its vendor, product, firmware "
		"version, system GUID and protocol version. Targets, credentials and "
		"fan-out options are those of 'siteboot power'. --json prints one array of "
		"{target, ok, protocol, vendor, product, firmware_version, system_guid, "
		"protocol_version | error}.",
	.verbs = bmc_verbs,
	.opts = info_opts,
	.example = "siteboot bmc info --all --site site.yaml --credentials creds.yaml --json",
};

/* ---- discover ----------------------------------------------------------------- */

static const struct sb_opt discover_opts[] = {
	OOB_TARGET_OPTS,
	{ "scan", 0, SB_OPT_ARG, "RANGE",
	  "sweep addresses for BMCs (repeatable): 10.0.0.[1-254]" },
	{ "ipmi-port", 0, SB_OPT_ARG, "PORT", "--scan: IPMI port (default 623)" },
	{ "redfish-port", 0, SB_OPT_ARG, "PORT",
	  "--scan: Redfish port (default 443)" },
	{ "redfish-http", 0, SB_OPT_NONE, NULL,
	  "--scan: Redfish over plain HTTP (labs only)" },
	{ "no-security", 0, SB_OPT_NONE, NULL,
	  "skip the security checks (such as IPMI cipher suite 0)" },
	{ "no-evidence", 0, SB_OPT_NONE, NULL,
	  "--json without the evidence bytes (then 'inventory import' refuses it)" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

static int discover_opt(struct sb_cli *cli, struct oob_args *a,
			const char *name, const char *arg)
{
	long long n;

	if (strcmp(name, "scan") == 0) {
		if (sb_strv_push(&a->scans, arg))
			return SB_EXIT_PROBLEMS;
	} else if (strcmp(name, "ipmi-port") == 0 ||
		   strcmp(name, "redfish-port") == 0) {
		if (sb_parse_ll(&n, arg, 1, 65535, name))
			return sb_cli_usage_error(cli, "%s", sb_error_message());
		*(name[0] == 'i' ? &a->ipmi_port : &a->rf_port) = (unsigned)n;
	} else if (strcmp(name, "redfish-http") == 0) {
		a->rf_http = true;
	} else if (strcmp(name, "no-security") == 0) {
		a->req.security = false;
	} else if (strcmp(name, "no-evidence") == 0) {
		a->no_evidence = true;
	} else {
		return 0;
	}
	return 1;
}

/* The inventory plugs in here: set a.req.on_inventory (and
 * a.req.inventory_ctx) to record each target's hardware as it arrives
 * (bootstrap/oob.h, sb_oob_inventory_fn). */
static int run_discover(struct sb_cli *cli, int argc, char **argv)
{
	struct oob_args a = { 0 };
	bool scan;
	int rc;

	sb_oob_request_init(&a.req, SB_OOB_DISCOVER);
	a.ipmi_port = 623;
	a.rf_port = 443;
	/* scan first: decide the operation before running */
	scan = false;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--scan") == 0 ||
		    strncmp(argv[i], "--scan=", 7) == 0)
			scan = true;
	if (scan) {
		a.req.op = SB_OOB_SCAN;
		/* a sweep mostly meets silence: do not wait 5 s per address */
		a.req.opts.timeout_ms = 1000;
		a.req.opts.retries = 0;
	}
	rc = oob_main(cli, argc, argv, 1, &a, discover_opts, discover_opt,
		      NULL);
	args_release(&a);
	return rc;
}

const struct sb_cmd sb_cmd_discover = {
	.name = "discover",
	.run = run_discover,
	.summary = "find BMCs and read their hardware and firmware inventory",
	.usage = "siteboot discover NODE... --site FILE [OPTIONS]\n"
		 "siteboot discover --all --site FILE [OPTIONS]\n"
		 "siteboot discover --bmc URL... [OPTIONS]\n"
		 "siteboot discover --scan RANGE [--ipmi-port N] [--redfish-port N] [--redfish-http] [OPTIONS]",
	.description =
		"Logs in to every target's BMC at once and reads what it is (vendor, "
		"product, firmware), the server's hardware (chassis, board, CPUs, memory, "
		"drives, NICs with MACs, power supplies: manufacturer, model, part number, "
		"serial, location, each tagged with its source: ipmi-fru or redfish) and "
		"its firmware versions, and checks the BMC's security: an IPMI BMC that "
		"accepts cipher suite 0 lets anyone in with any password "
		"(CVE-2013-4782), a critical finding.\n\n"
		"--json prints one array with one object per target: {target, node, url, "
		"ok, protocol, vendor, product, system_guid, chassis_serial, security: "
		"[{id, severity, text}], components: [{class, manufacturer, model, "
		"part_number, serial, location, source, path, ...}], firmware: [{name, "
		"version, source, ...}], evidence: [{path, media_type, sha256, bytes, "
		"data}], site, time, error} (docs/oob.md). A saved array is recorded "
		"later with 'siteboot inventory import FILE' (the evidence bytes make it "
		"importable; --no-evidence leaves them out).\n\n"
		"--scan RANGE sweeps addresses instead: on each it asks for IPMI channel "
		"authentication capabilities on UDP --ipmi-port (623) and GETs /redfish/v1 "
		"on --redfish-port (443), and lists the BMCs that answered with their "
		"protocol, vendor, whether the credentials work and the security findings. "
		"A sweep waits 1s per silent address unless --timeout says otherwise. It "
		"exits 1 when nothing answered.",
	.opts = discover_opts,
	.example = "siteboot discover --all --site site.yaml --credentials creds.yaml --json > discovered.json\n"
		   "siteboot discover --scan '10.20.0.[1-254]' --credentials creds.yaml --credential bmc",
};
