/* siteboot reconcile --site FILE: the BOM against what was discovered. */
#include "bom/bom.h"
#include "bootstrap/cli.h"
#include "bootstrap/inv_cli.h"
#include "bootstrap/table.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "common/time.h"
#include "inventory/inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

enum { O_SITE, O_CSV, O_ALL, O_OPERATOR };

static const struct sb_opt rec_opts[] = {
	[O_SITE] = { "site", 0, SB_OPT_ARG, "FILE", "the site's BOM (required)" },
	[O_CSV] = { "csv", 0, SB_OPT_NONE, NULL,
		    "print CSV (one row per finding, matched ones included)" },
	[O_ALL] = { "all", 0, SB_OPT_NONE, NULL,
		    "list matched parts too, not only the problems" },
	[O_OPERATOR] = { "operator", 0, SB_OPT_ARG, "NAME",
			 "who ran it, for the ledger (default $USER)" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

static const char *nz(const char *s)
{
	return s ? s : "";
}

static void csv_uint(FILE *f, unsigned v, bool show)
{
	if (show)
		fprintf(f, "%u", v);
	fputc(',', f);
}

static void print_csv(const struct sb_inv_reconcile *r, const char *site)
{
	fputs("site,po,po_line,vendor,bom_line,node,line,part_number,ordered,found,"
	      "expected_serial,observed_serial,observed_part,location,finding,"
	      "severity,blocking,evidence,id,disposition,detail\n", stdout);
	for (size_t i = 0; i < r->n; i++) {
		const struct sb_inv_finding *f = &r->v[i];
		sb_inv_csv_field(stdout, site, false);
		sb_inv_csv_field(stdout, f->po, false);
		csv_uint(stdout, f->po_line, f->po_line);
		sb_inv_csv_field(stdout, f->vendor, false);
		csv_uint(stdout, f->bom_line, f->bom_line);
		sb_inv_csv_field(stdout, f->node, false);
		sb_inv_csv_field(stdout, f->line, false);
		sb_inv_csv_field(stdout, f->part_number, false);
		csv_uint(stdout, f->ordered, f->ordered);
		csv_uint(stdout, f->found, f->ordered);
		sb_inv_csv_field(stdout, f->expected_serial, false);
		sb_inv_csv_field(stdout, f->observed_serial, false);
		sb_inv_csv_field(stdout, f->observed_part, false);
		sb_inv_csv_field(stdout, f->location, false);
		sb_inv_csv_field(stdout, f->kind, false);
		sb_inv_csv_field(stdout, sb_inv_severity_name(f->severity), false);
		sb_inv_csv_field(stdout, f->blocking ? "yes" : "no", false);
		sb_inv_csv_field(stdout, f->evidence, false);
		sb_inv_csv_field(stdout, f->id, false);
		sb_inv_csv_field(stdout, f->disposition, false);
		sb_inv_csv_field(stdout, f->detail, true);
	}
}

static json_t *finding_json(const struct sb_inv_finding *f)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:s?, s:s?, s:s?, s:s?, s:s?}",
			      "id", f->id, "finding", f->kind,
			      "severity", sb_inv_severity_name(f->severity),
			      "blocking", f->blocking, "node", f->node, "line", f->line,
			      "part_number", f->part_number, "po", f->po,
			      "vendor", f->vendor);

	if (!o)
		return NULL;
	if (f->po_line)
		json_object_set_new(o, "po_line", json_integer(f->po_line));
	if (f->bom_line)
		json_object_set_new(o, "bom_line", json_integer(f->bom_line));
	if (f->ordered) {
		json_object_set_new(o, "ordered", json_integer(f->ordered));
		json_object_set_new(o, "found", json_integer(f->found));
	}
	sb_json_set_str(o, "expected_serial", f->expected_serial);
	sb_json_set_str(o, "observed_serial", f->observed_serial);
	sb_json_set_str(o, "observed_part", f->observed_part);
	sb_json_set_str(o, "location", f->location);
	sb_json_set_str(o, "evidence", f->evidence);
	sb_json_set_str(o, "detail", f->detail);
	if (f->disposition)
		json_object_set_new(o, "disposition",
				    json_pack("{s:s, s:s?, s:s?}", "decision",
					      f->disposition, "by", f->disposition_by,
					      "note", f->disposition_note));
	return o;
}

static int print_json(const struct sb_cli *cli, const struct sb_inv_reconcile *r,
		      const struct sb_site *s)
{
	json_t *doc = json_object(), *arr = json_array(), *counts = json_object();

	if (!doc || !arr || !counts) {
		json_decref(doc);
		json_decref(arr);
		json_decref(counts);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->n; i++) {
		const char *k = r->v[i].kind;
		json_t *c = json_object_get(counts, k);
		json_object_set_new(counts, k, json_integer(c ? json_integer_value(c) + 1 : 1));
		json_array_append_new(arr, finding_json(&r->v[i]));
	}
	json_object_set_new(doc, "site", json_string(s->id));
	json_object_set_new(doc, "tier", json_string(s->tier));
	json_object_set_new(doc, "bom", json_string(s->path));
	json_object_set_new(doc, "bom_sha256", json_string(s->sha256));
	json_object_set_new(doc, "nodes", json_integer((json_int_t)s->nnodes));
	json_object_set_new(doc, "observed_nodes", json_integer((json_int_t)r->nobserved_nodes));
	json_object_set_new(doc, "ok", json_boolean(r->nblocking == 0));
	json_object_set_new(doc, "blocking", json_integer((json_int_t)r->nblocking));
	json_object_set_new(doc, "counts", counts);
	json_object_set_new(doc, "findings", arr);
	return sb_cli_json_out(cli, doc);
}

static void print_text(const struct sb_inv_reconcile *r, const struct sb_site *s,
		       bool all)
{
	static const char *const cols[] = { "ID", "NODE", "LINE", "FINDING", "SEV",
					    "PART", "EXPECTED", "OBSERVED", "LOCATION",
					    "DETAIL" };
	struct sb_table tb;
	size_t matched = 0, shown = 0;

	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].kind, "matched") == 0)
			matched++;
	printf("Site %s (%s): %zu node%s in the BOM, %zu discovered; %zu matched, "
	       "%zu finding%s, %zu blocking\n", s->id, s->tier, s->nnodes,
	       s->nnodes == 1 ? "" : "s", r->nobserved_nodes, matched, r->n - matched,
	       r->n - matched == 1 ? "" : "s", r->nblocking);
	sb_table_init(&tb, 0, 10, cols);
	for (size_t i = 0; i < r->n; i++) {
		const struct sb_inv_finding *f = &r->v[i];
		char detail[600];
		if (!all && strcmp(f->kind, "matched") == 0)
			continue;
		shown++;
		if (f->disposition)
			snprintf(detail, sizeof(detail), "[%s by %s] %s", f->disposition,
				 nz(f->disposition_by), nz(f->detail));
		else
			sb_strlcpy(detail, nz(f->detail), sizeof(detail));
		sb_table_rowf(&tb, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", f->id,
			      nz(f->node), nz(f->line), f->kind,
			      sb_inv_severity_name(f->severity), nz(f->part_number),
			      nz(f->expected_serial), nz(f->observed_serial),
			      nz(f->location), detail);
	}
	if (shown) {
		printf("\n");
		sb_table_print(stdout, &tb);
	}
	sb_table_release(&tb);
	if (r->nblocking)
		printf("\n%zu blocking finding%s: fix them, or record a decision with "
		       "'siteboot inventory disposition ID accept|rma|return|waive --by "
		       "NAME --note TEXT'\n", r->nblocking, r->nblocking == 1 ? "" : "s");
}

/* -v: where the time went, phase by phase (wall and this process's CPU) */
struct phase_clock {
	bool on;
	uint64_t wall, cpu;
};

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void phase(struct phase_clock *pc, const char *what)
{
	uint64_t w = sb_time_mono_ns(), c = cpu_ns();

	if (pc->on && what)
		fprintf(stderr, "siteboot reconcile: %-28s %7.1f ms wall %7.1f ms CPU\n",
			what, (double)(w - pc->wall) / 1e6, (double)(c - pc->cpu) / 1e6);
	pc->wall = w;
	pc->cpu = c;
}

/* The integrity check runs on the second core, on its own connection,
 * while this thread parses the BOM, reads and matches; nothing is printed
 * until it has said the file is sound (docs/decisions.md). It covers the
 * tables reconcile reads; the ledger is checked too before reconcile
 * appends to it (a new BOM). */
static const char *const read_tables[] = {
	"reports", "observations", "components", "firmware", "dispositions",
	"boms", NULL,
};

struct checker {
	pthread_t tid;
	bool started;
	const char *path;
	int rc;
	char msg[1024];
};

static void *check_main(void *arg)
{
	struct checker *k = arg;
	struct sb_inv *db = NULL;

	k->rc = sb_inv_open(&db, k->path, SB_INV_READONLY | SB_INV_NOCHECK);
	if (!k->rc)
		k->rc = sb_inv_quick_check(db, read_tables);
	if (k->rc)
		snprintf(k->msg, sizeof(k->msg), "%s", sb_error_message());
	sb_inv_close(db);
	return NULL;
}

/* Wait for the check; its verdict becomes this thread's error. */
static int check_wait(struct checker *k)
{
	if (!k->started)
		return 0;
	pthread_join(k->tid, NULL);
	k->started = false;
	return k->rc ? sb_error_set(k->rc, "%s", k->msg) : 0;
}

static int run_reconcile(struct sb_cli *cli, int argc, char **argv)
{
	struct phase_clock pc = { .on = cli->verbosity > 0 };
	struct sb_optparse op;
	const char *arg, *opt[sizeof(rec_opts) / sizeof(rec_opts[0])] = { 0 };
	struct sb_diags d;
	struct sb_site *s = NULL;
	struct sb_inv *db = NULL;
	struct sb_inv_observed *ob = NULL;
	struct sb_inv_expect e;
	struct sb_inv_reconcile r = { 0 };
	struct checker chk = { 0 };
	struct sb_arena a;
	char actor[160];
	const char *who;
	bool is_new, known;
	int k, rc;

	sb_optparse_init(&op, argc, argv);
	while ((k = sb_optparse_next(&op, cli, rec_opts, &arg)) != -2) {
		if (k == -3)
			return SB_EXIT_USAGE;
		if (k == -1)
			return sb_cli_usage_error(cli, "unexpected argument '%s'; say "
						  "'reconcile --site FILE'", arg);
		opt[k] = arg ? arg : "";
	}
	if (!opt[O_SITE])
		return sb_cli_usage_error(cli, "say which site: --site FILE");
	if (opt[O_CSV] && cli->json)
		return sb_cli_usage_error(cli, "choose --csv or --json, not both");
	phase(&pc, NULL);
	sb_arena_init(&a, 0);
	/* open (and migrate) first, then check beside the rest */
	rc = sb_inv_open(&db, sb_cli_db_path(cli), SB_INV_NOCHECK);
	if (rc) {
		rc = sb_cli_fail(cli, rc);
		goto done;
	}
	chk.path = sb_inv_path(db);
	chk.started = pthread_create(&chk.tid, NULL, check_main, &chk) == 0;
	if (!chk.started && (rc = sb_inv_quick_check(db, read_tables))) {
		rc = sb_cli_fail(cli, rc);
		goto done;
	}
	phase(&pc, "open");
	sb_diags_init(&d);
	rc = sb_bom_load(&s, opt[O_SITE], &d);
	sb_diags_sort(&d);
	sb_cli_diags_print(cli, &d);
	sb_diags_release(&d);
	if (rc) {
		if (rc == SB_EINPUT)
			fprintf(stderr, "siteboot reconcile: error: %s is not a valid BOM; "
				"'siteboot bom check %s' lists its problems\n",
				opt[O_SITE], opt[O_SITE]);
		rc = rc == SB_EINPUT ? SB_EXIT_USAGE : sb_cli_fail(cli, rc);
		goto done;
	}
	phase(&pc, "BOM load");
	if ((rc = sb_inv_observed_load(&ob, db))) {
		rc = sb_cli_fail(cli, rc);
		goto done;
	}
	phase(&pc, "observations read");
	if ((rc = sb_cli_site_expect(&e, &a, s)) ||
	    (rc = sb_inv_reconcile_observed(&r, ob, &e))) {
		rc = sb_cli_fail(cli, rc);
		goto done;
	}
	if (pc.on)
		fprintf(stderr, "siteboot reconcile:   %zu observations of this site\n",
			r.nobservations);
	phase(&pc, "expectations and matching");
	if ((rc = check_wait(&chk))) {
		rc = sb_cli_fail(cli, rc);
		goto done;
	}
	phase(&pc, "waiting for quick_check");
	/* the BOM goes into the ledger the first time: check the ledger
	 * before appending to it */
	who = opt[O_OPERATOR] ? opt[O_OPERATOR] : getenv("USER");
	snprintf(actor, sizeof(actor), "operator:%.120s", who && *who ? who : "siteboot");
	if ((rc = sb_inv_bom_known(db, s->sha256, &known)) ||
	    (!known && (rc = sb_inv_quick_check(db, (const char *const[]){
			"ledger", "checkpoints", NULL }))) ||
	    (rc = sb_inv_bom_record(db, s->id, s->tier, s->sha256, s->path, actor,
				    &is_new))) {
		rc = sb_cli_fail(cli, rc);
		goto done;
	}
	phase(&pc, "BOM recorded in the ledger");
	if (cli->json) {
		if ((rc = print_json(cli, &r, s))) {
			rc = sb_cli_fail(cli, rc);
			goto done;
		}
	} else if (opt[O_CSV]) {
		print_csv(&r, s->id);
	} else {
		print_text(&r, s, opt[O_ALL] != NULL);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		rc = sb_cli_fail(cli, sb_error_set(SB_EIO, "cannot write the report "
						   "to standard output"));
		goto done;
	}
	phase(&pc, "output");
	rc = r.nblocking ? SB_EXIT_PROBLEMS : SB_EXIT_OK;
done:
	check_wait(&chk);
	sb_inv_reconcile_release(&r);
	sb_inv_observed_free(ob);
	sb_inv_close(db);
	sb_arena_release(&a);
	sb_bom_free(s);
	return rc;
}

const struct sb_cmd sb_cmd_reconcile = {
	.name = "reconcile",
	.run = run_reconcile,
	.summary = "compare the BOM with what was discovered: per BOM line and node",
	.usage = "siteboot reconcile --site FILE [--all] [--json | --csv]",
	.description =
		"Compares what the site's BOM orders with the latest observations in the "
		"inventory and reports, per BOM line and per node: matched, missing, "
		"extra (found, not ordered), wrong_part (part number not among the "
		"allowed ones; a match on model alone is reported, never accepted), "
		"serial_mismatch (possible substitution), duplicate_serial (the same "
		"serial in two places), moved (on another node of the site), wrong_slot, "
		"quantity_short, quantity_over, firmware_below_baseline, "
		"firmware_unverifiable, tier_requirement (e.g. a validator with less "
		"than 64 GiB of RAM) and identity_conflict (two sources disagree about a "
		"chassis serial). Parts are matched by serial, then by durable "
		"identifier (MAC, WWN), then by node, slot and part number.\n\n"
		"Each finding has a stable ID; 'siteboot inventory disposition ID "
		"accept|rma|return|waive' records a decision in the ledger, after which "
		"the finding no longer blocks. The text report lists the problems (--all: "
		"everything); --json and --csv give every row with site, PO, PO line, "
		"vendor, BOM line, part number, quantities ordered and found, expected "
		"and observed serials, location, finding, severity and evidence. The BOM "
		"used is recorded in the ledger (bom.imported) the first time. Exits 1 "
		"when a blocking finding exists.",
	.opts = rec_opts,
	.example = "siteboot reconcile --site site.yaml\n"
		   "siteboot reconcile --site site.yaml --csv > reconcile.csv",
	.flags = SB_CMD_DB,
};
