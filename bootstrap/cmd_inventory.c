/* siteboot inventory show|history|verify|checkpoint|prove|disposition|
 * export|import */
#include "bom/bom.h"
#include "bootstrap/cli.h"
#include "bootstrap/inv_cli.h"
#include "bootstrap/table.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/time.h"
#include "common/str.h"
#include "inventory/inventory.h"

#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

static const char *const inv_verbs[] = {
	"show", "history", "verify", "checkpoint", "prove", "disposition",
	"export", "import", NULL
};

enum {
	O_KEY, O_SIZE, O_CONSISTENCY, O_OPERATOR, O_SITE, O_NODE, O_BY, O_NOTE,
	O_FORMAT, O_PHASE, O_BOM,
};

static const struct sb_opt inv_opts[] = {
	[O_KEY] = { "key", 0, SB_OPT_ARG, "FILE",
		    "checkpoint: the Ed25519 signing key (default: ledger.key beside "
		    "the database, made 0600 on first use)" },
	[O_SIZE] = { "size", 0, SB_OPT_ARG, "N",
		     "prove: the tree size to prove against (default: the latest "
		     "checkpoint's)" },
	[O_CONSISTENCY] = { "consistency", 0, SB_OPT_ARG, "OLD",
			    "prove: a consistency proof from tree size OLD instead "
			    "of an inclusion proof" },
	[O_OPERATOR] = { "operator", 0, SB_OPT_ARG, "NAME",
			 "import: who recorded it (default $USER)" },
	[O_SITE] = { "site", 0, SB_OPT_ARG, "ID",
		     "import: the site the reports belong to" },
	[O_NODE] = { "node", 0, SB_OPT_ARG, "NAME",
		     "import: the BOM node a report without one belongs to" },
	[O_BY] = { "by", 0, SB_OPT_ARG, "NAME",
		   "disposition: who decides (required)" },
	[O_NOTE] = { "note", 0, SB_OPT_ARG, "TEXT",
		     "disposition: why (an RMA number, a PO change, ...)" },
	[O_FORMAT] = { "format", 0, SB_OPT_ARG, "FMT",
		       "export: csv, cyclonedx, netbox or jsonl" },
	[O_PHASE] = { "phase", 0, SB_OPT_ARG, "PHASE",
		      "export --format cyclonedx: discovery (what was seen, the "
		      "default) or design (what the --bom orders)" },
	[O_BOM] = { "bom", 0, SB_OPT_ARG, "FILE",
		    "export: the site BOM (limits the export to its site; needed "
		    "for --phase design)" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

struct inv_args {
	const char *verb;
	const char *pos[8];
	int npos;
	const char *opt[sizeof(inv_opts) / sizeof(inv_opts[0])];
};

int sb_cli_open_inventory(const struct sb_cli *cli, struct sb_inv **db,
			  bool readonly)
{
	int rc = sb_inv_open(db, sb_cli_db_path(cli),
			     readonly ? SB_INV_READONLY : 0);

	return rc ? sb_cli_fail(cli, rc) : 0;
}

static int inv_verify(struct sb_cli *cli, struct inv_args *a)
{
	struct sb_inv *db = NULL;
	struct sb_inv_verify v;
	char root[65], head[65];
	int rc;

	if (a->npos)
		return sb_cli_usage_error(cli, "verify takes no arguments");
	/* no separate quick_check: verify reads every ledger page itself,
	 * and SQLite reports a damaged page it reads as such */
	rc = sb_inv_open(&db, sb_cli_db_path(cli), SB_INV_READONLY | SB_INV_NOCHECK);
	if (rc)
		return sb_cli_fail(cli, rc);
	rc = sb_inv_verify(db, &v);
	sb_inv_close(db);
	if (rc)
		return sb_cli_fail(cli, rc);
	sb_hex(root, v.root, 32);
	sb_hex(head, v.head, 32);
	if (cli->json) {
		json_t *o = json_pack("{s:b, s:I, s:I, s:s, s:s, s:s, s:s}",
				      "ok", v.problem == SB_INV_OK,
				      "events", (json_int_t)v.events,
				      "checkpoints", (json_int_t)v.checkpoints,
				      "root", root, "head", head,
				      "problem", sb_inv_problem_name(v.problem),
				      "detail", v.detail);
		if (o && v.seq)
			json_object_set_new(o, "seq", json_integer(v.seq));
		if ((rc = sb_cli_json_out(cli, o)))
			return sb_cli_fail(cli, rc);
	} else if (v.problem == SB_INV_OK) {
		if (cli->verbosity >= 0)
			printf("ledger ok: %lld events, %lld signed checkpoint%s verified, "
			       "root %s\n", (long long)v.events, (long long)v.checkpoints,
			       v.checkpoints == 1 ? "" : "s", root);
	} else {
		printf("ledger NOT ok: %s\n", v.detail);
		if (v.seq)
			printf("first bad event: %lld (%s)\n", (long long)v.seq,
			       sb_inv_problem_name(v.problem));
	}
	return v.problem == SB_INV_OK ? SB_EXIT_OK : SB_EXIT_PROBLEMS;
}

static int inv_checkpoint(struct sb_cli *cli, struct inv_args *a)
{
	struct sb_inv *db = NULL;
	struct sb_inv_checkpoint c;
	char root[65];
	int rc;

	if (a->npos)
		return sb_cli_usage_error(cli, "checkpoint takes no arguments");
	if ((rc = sb_cli_open_inventory(cli, &db, false)))
		return rc;
	rc = sb_inv_checkpoint_make(db, a->opt[O_KEY], NULL, &c);
	sb_inv_close(db);
	if (rc)
		return sb_cli_fail(cli, rc);
	sb_hex(root, c.root, 32);
	if (cli->json)
		rc = sb_cli_json_out(cli, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}",
						    "id", (json_int_t)c.id,
						    "tree_size", (json_int_t)c.tree_size,
						    "root", root, "time", c.time,
						    "key_id", c.key_id, "note", c.note));
	else
		fputs(c.note, stdout);
	sb_inv_checkpoint_release(&c);
	return rc ? sb_cli_fail(cli, rc) : SB_EXIT_OK;
}

static int parse_size(struct sb_cli *cli, const char *s, const char *what,
		      int64_t *out)
{
	long long v;

	if (sb_parse_ll(&v, s, 0, INT64_MAX, what)) {
		sb_cli_usage_error(cli, "%s", sb_error_message());
		return -1;
	}
	*out = v;
	return 0;
}

static int inv_prove(struct sb_cli *cli, struct inv_args *a)
{
	struct sb_inv *db = NULL;
	int64_t seq = 0, size = 0, old = 0;
	json_t *proof = NULL;
	int rc;

	if (a->opt[O_CONSISTENCY] ? a->npos != 0 : a->npos != 1)
		return sb_cli_usage_error(cli, "say 'prove SEQ' or 'prove "
					  "--consistency OLD'");
	if ((a->npos && parse_size(cli, a->pos[0], "event number", &seq)) ||
	    (a->opt[O_SIZE] && parse_size(cli, a->opt[O_SIZE], "--size", &size)) ||
	    (a->opt[O_CONSISTENCY] &&
	     parse_size(cli, a->opt[O_CONSISTENCY], "--consistency", &old)))
		return SB_EXIT_USAGE;
	if ((rc = sb_cli_open_inventory(cli, &db, true)))
		return rc;
	if (a->opt[O_CONSISTENCY])
		rc = sb_inv_prove_consistency(&proof, db, old, size);
	else
		rc = sb_inv_prove_inclusion(&proof, db, seq, size);
	sb_inv_close(db);
	if (rc)
		return sb_cli_fail(cli, rc);
	if (cli->json) {
		rc = sb_cli_json_out(cli, proof);
	} else {
		json_t *path = json_object_get(proof, "path");
		size_t i;
		json_t *h;
		if (a->opt[O_CONSISTENCY])
			printf("consistency of the tree of %lld events with the tree "
			       "of %lld\nold root %s\nnew root %s\n",
			       (long long)json_integer_value(json_object_get(proof, "old_size")),
			       (long long)json_integer_value(json_object_get(proof, "new_size")),
			       sb_json_str(proof, "old_root"), sb_json_str(proof, "new_root"));
		else
			printf("inclusion of event %lld (leaf %lld) in the tree of %lld "
			       "events\nleaf hash %s\nroot      %s\n", (long long)seq,
			       (long long)(seq - 1),
			       (long long)json_integer_value(json_object_get(proof, "tree_size")),
			       sb_json_str(proof, "leaf_hash"), sb_json_str(proof, "root"));
		printf("path (%zu hash%s):\n", json_array_size(path),
		       json_array_size(path) == 1 ? "" : "es");
		json_array_foreach(path, i, h)
			printf("  %s\n", json_string_value(h));
		if (json_is_object(json_object_get(proof, "checkpoint")))
			printf("signed checkpoint:\n%s",
			       sb_json_str(json_object_get(proof, "checkpoint"), "note"));
		json_decref(proof);
	}
	return rc ? sb_cli_fail(cli, rc) : SB_EXIT_OK;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

static int inv_show(struct sb_cli *cli, struct inv_args *a)
{
	static const char *const cols[] = { "NODE", "SLOT", "CLASS", "MANUFACTURER",
					    "MODEL", "PART NUMBER", "SERIAL",
					    "SOURCE" };
	static const char *const fcols[] = { "NODE", "FIRMWARE", "VERSION",
					     "SOURCE", "SEEN" };
	struct sb_inv *db = NULL;
	json_t *doc = NULL, *v;
	struct sb_table tb;
	size_t i;
	int rc;

	if (a->npos > 1)
		return sb_cli_usage_error(cli, "say 'show' or 'show NODE'");
	if ((rc = sb_cli_open_inventory(cli, &db, true)))
		return rc;
	rc = sb_inv_show(&doc, db, a->npos ? a->pos[0] : NULL);
	sb_inv_close(db);
	if (rc)
		return sb_cli_fail(cli, rc);
	if (a->npos && json_array_size(json_object_get(doc, "components")) == 0 &&
	    json_array_size(json_object_get(doc, "firmware")) == 0) {
		json_decref(doc);
		fprintf(stderr, "siteboot inventory: error: nothing recorded for node "
			"'%s'; 'siteboot inventory show' lists every node\n", a->pos[0]);
		return SB_EXIT_PROBLEMS;
	}
	if (cli->json)
		return (rc = sb_cli_json_out(cli, doc)) ? sb_cli_fail(cli, rc) : 0;
	sb_table_init(&tb, 0, 8, cols);
	json_array_foreach(json_object_get(doc, "components"), i, v)
		sb_table_rowf(&tb, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s",
			      dash(sb_json_str(v, "node")), dash(sb_json_str(v, "slot")),
			      dash(sb_json_str(v, "class")),
			      dash(sb_json_str(v, "manufacturer")),
			      dash(sb_json_str(v, "model")),
			      dash(sb_json_str(v, "part_number")),
			      dash(sb_json_str(v, "serial")), dash(sb_json_str(v, "source")));
	sb_table_print(stdout, &tb);
	sb_table_release(&tb);
	if (json_array_size(json_object_get(doc, "firmware"))) {
		printf("\n");
		sb_table_init(&tb, 0, 5, fcols);
		json_array_foreach(json_object_get(doc, "firmware"), i, v)
			sb_table_rowf(&tb, "%s\t%s\t%s\t%s\t%s",
				      dash(sb_json_str(v, "node")),
				      dash(sb_json_str(v, "name")),
				      dash(sb_json_str(v, "version")),
				      dash(sb_json_str(v, "source")),
				      dash(sb_json_str(v, "time")));
		sb_table_print(stdout, &tb);
		sb_table_release(&tb);
	}
	json_decref(doc);
	return SB_EXIT_OK;
}

static int inv_history(struct sb_cli *cli, struct inv_args *a)
{
	struct sb_inv *db = NULL;
	json_t *doc = NULL, *c, *x;
	size_t i, k;
	int rc;

	if (a->npos != 1)
		return sb_cli_usage_error(cli, "say 'history SERIAL'");
	if ((rc = sb_cli_open_inventory(cli, &db, true)))
		return rc;
	rc = sb_inv_history(&doc, db, a->pos[0]);
	sb_inv_close(db);
	if (rc)
		return sb_cli_fail(cli, rc);
	if (cli->json)
		return (rc = sb_cli_json_out(cli, doc)) ? sb_cli_fail(cli, rc) : 0;
	json_array_foreach(doc, i, c) {
		printf("%s%s %s %s %s, serial %s (%s)\n", i ? "\n" : "",
		       dash(sb_json_str(c, "class")), dash(sb_json_str(c, "manufacturer")),
		       dash(sb_json_str(c, "model")), dash(sb_json_str(c, "part_number")),
		       dash(sb_json_str(c, "serial_raw")), sb_json_str(c, "identity"));
		printf("  placements:\n");
		json_array_foreach(json_object_get(c, "placements"), k, x)
			printf("    %s .. %s  %s/%s  (%s)\n", sb_json_str(x, "valid_from"),
			       sb_json_str(x, "valid_to") ? sb_json_str(x, "valid_to") : "now",
			       dash(sb_json_str(x, "node")), dash(sb_json_str(x, "slot")),
			       dash(sb_json_str(x, "source")));
		printf("  observations:\n");
		json_array_foreach(json_object_get(c, "observations"), k, x)
			printf("    %s  %s via %s %s%s  by %s, evidence %.16s\n",
			       sb_json_str(x, "time"), dash(sb_json_str(x, "node")),
			       dash(sb_json_str(x, "source")), dash(sb_json_str(x, "target")),
			       dash(sb_json_str(x, "path")), dash(sb_json_str(x, "operator")),
			       dash(sb_json_str(x, "evidence_sha256")));
		printf("  ledger events:\n");
		json_array_foreach(json_object_get(c, "events"), k, x)
			printf("    %lld  %s  %s  %s\n",
			       (long long)json_integer_value(json_object_get(x, "seq")),
			       sb_json_str(x, "time"), sb_json_str(x, "kind"),
			       sb_json_str(x, "actor"));
	}
	json_decref(doc);
	return SB_EXIT_OK;
}

static const char *default_operator(const char *given)
{
	const char *u = given ? given : getenv("SUDO_USER");

	if (!u || !*u)
		u = getenv("USER");
	return u && *u ? u : "siteboot";
}

/* "2026-12-05T08:31:17Z" or with ".123" milliseconds, UTC only. */
static int parse_iso(int64_t *ms, const char *s)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec, frac = 0, n = 0;
	char z = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -1;
	s += n;
	if (*s == '.') {
		int k = 0;
		for (s++; *s >= '0' && *s <= '9'; s++, k++)
			if (k < 3)
				frac = frac * 10 + (*s - '0');
		while (k++ < 3)
			frac *= 10;
	}
	z = *s;
	if (z != 'Z' || s[1] || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || y < 1970)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ms = (int64_t)timegm(&tm) * 1000 + frac;
	return 0;
}

/* The reports in one file: an array, {"reports": [...]}, or one report. */
static int import_file(struct sb_cli *cli, struct sb_inv *db, const char *file,
		       struct inv_args *a, struct sb_inv_record_stats *tot,
		       size_t *nrep, size_t *nskip)
{
	char *buf = NULL;
	size_t len, i;
	json_t *doc = NULL, *arr, *r;
	int rc;

	if ((rc = sb_file_read(&buf, &len, file, 1u << 30)))
		return rc;
	rc = sb_json_parse(&doc, buf, len, 1u << 30, file);
	free(buf);
	if (rc)
		return rc;
	arr = json_is_array(doc) ? doc : sb_json_arr(doc, "reports");
	if (!arr) {
		arr = json_array();
		json_array_append(arr, doc);
		json_decref(doc);
		doc = arr;
	}
	json_array_foreach(arr, i, r) {
		struct sb_hw_inventory hw;
		struct sb_inv_record_stats st;
		struct sb_inv_ctx ctx = { 0 };
		const char *t = sb_json_str(r, "time");

		if (json_is_false(json_object_get(r, "ok")))
			continue;	/* a failed discover target */
		ctx.operator_name = default_operator(a->opt[O_OPERATOR]);
		ctx.site = sb_json_str(r, "site") ? sb_json_str(r, "site") : a->opt[O_SITE];
		ctx.node = sb_json_str(r, "node") ? sb_json_str(r, "node") : a->opt[O_NODE];
		if (t && parse_iso(&ctx.time_ms, t)) {
			rc = sb_error_set(SB_EINPUT, "%s: report %zu: time '%s' is not "
					  "ISO 8601 UTC", file, i, t);
			break;
		}
		sb_hw_inventory_init(&hw);
		rc = sb_inv_report_parse(&hw, r);
		if (rc) {
			sb_error_prefix("%s: report %zu: ", file, i);
			sb_hw_inventory_release(&hw);
			break;
		}
		rc = sb_inv_record(db, &hw, &ctx, &st);
		sb_hw_inventory_release(&hw);
		if (rc)
			break;
		if (st.skipped)
			(*nskip)++;
		(*nrep)++;
		tot->components += st.components;
		tot->new_components += st.new_components;
		tot->placements_opened += st.placements_opened;
		tot->placements_closed += st.placements_closed;
		tot->firmware_changed += st.firmware_changed;
		tot->evidence_new += st.evidence_new;
		tot->events += st.events;
		if (cli->progress && !cli->json)
			fprintf(stderr, "\r%s: %zu reports", file, *nrep);
	}
	if (cli->progress && !cli->json)
		fprintf(stderr, "\n");
	json_decref(doc);
	return rc;
}

static int inv_import(struct sb_cli *cli, struct inv_args *a)
{
	struct sb_inv *db = NULL;
	struct sb_inv_record_stats tot = { 0 };
	size_t nrep = 0, nskip = 0;
	int rc = 0;

	if (a->npos < 1)
		return sb_cli_usage_error(cli, "say 'import FILE...'");
	if ((rc = sb_cli_open_inventory(cli, &db, false)))
		return rc;
	for (int i = 0; i < a->npos && !rc; i++)
		rc = import_file(cli, db, a->pos[i], a, &tot, &nrep, &nskip);
	sb_inv_close(db);
	if (rc)
		return sb_cli_fail(cli, rc);
	if (cli->json)
		rc = sb_cli_json_out(cli, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
						    "reports", (json_int_t)nrep,
						    "already_recorded", (json_int_t)nskip,
						    "components", (json_int_t)tot.components,
						    "new_components", (json_int_t)tot.new_components,
						    "placements_changed",
						    (json_int_t)(tot.placements_opened + tot.placements_closed),
						    "firmware_changed", (json_int_t)tot.firmware_changed,
						    "evidence_new", (json_int_t)tot.evidence_new,
						    "events", (json_int_t)tot.events));
	else if (cli->verbosity >= 0)
		printf("recorded %zu report%s (%zu already recorded): %zu components "
		       "(%zu new), %zu new evidence, %zu ledger events\n", nrep,
		       nrep == 1 ? "" : "s", nskip, tot.components, tot.new_components,
		       tot.evidence_new, tot.events);
	return rc ? sb_cli_fail(cli, rc) : SB_EXIT_OK;
}

static int inv_disposition(struct sb_cli *cli, struct inv_args *a)
{
	struct sb_inv *db = NULL;
	int64_t seq = 0;
	int rc;

	if (a->npos != 2)
		return sb_cli_usage_error(cli, "say 'disposition FINDING "
					  "accept|rma|return|waive --by NAME [--note TEXT]'");
	if (!a->opt[O_BY] || !*a->opt[O_BY])
		return sb_cli_usage_error(cli, "say who decides: --by NAME");
	if ((rc = sb_cli_open_inventory(cli, &db, false)))
		return rc;
	rc = sb_inv_disposition(db, a->pos[0], a->pos[1], a->opt[O_BY],
				a->opt[O_NOTE], &seq);
	sb_inv_close(db);
	if (rc)
		return sb_cli_fail(cli, rc);
	if (cli->json)
		rc = sb_cli_json_out(cli, json_pack("{s:s, s:s, s:s, s:s?, s:I}",
						    "finding", a->pos[0], "decision",
						    a->pos[1], "by", a->opt[O_BY],
						    "note", a->opt[O_NOTE],
						    "ledger_seq", (json_int_t)seq));
	else if (cli->verbosity >= 0)
		printf("%s: %s by %s, ledger event %lld\n", a->pos[0], a->pos[1],
		       a->opt[O_BY], (long long)seq);
	return rc ? sb_cli_fail(cli, rc) : SB_EXIT_OK;
}

static int inv_export(struct sb_cli *cli, struct inv_args *a)
{
	static const char *const formats[] = { "csv", "cyclonedx", "netbox", "jsonl",
					       NULL };
	const char *fmt = a->opt[O_FORMAT], *phase = a->opt[O_PHASE];
	struct sb_site *s = NULL;
	struct sb_inv *db = NULL;
	struct sb_arena ar;
	json_t *doc = NULL;
	bool design = phase && strcmp(phase, "design") == 0;
	int rc = 0;

	if (a->npos)
		return sb_cli_usage_error(cli, "say 'export --format FMT'");
	if (!fmt)
		return sb_cli_usage_error(cli, "say which format: --format csv, "
					  "cyclonedx, netbox or jsonl");
	{
		bool ok = false;
		for (size_t i = 0; formats[i]; i++)
			ok = ok || strcmp(fmt, formats[i]) == 0;
		if (!ok) {
			char hint[160];
			sb_hint_choice(hint, sizeof(hint), fmt, formats, "formats:", true);
			return sb_cli_usage_error(cli, "unknown format '%s'; %s", fmt, hint);
		}
	}
	if (phase && !design && strcmp(phase, "discovery") != 0)
		return sb_cli_usage_error(cli, "--phase is discovery or design");
	if (phase && strcmp(fmt, "cyclonedx") != 0)
		return sb_cli_usage_error(cli, "--phase goes with --format cyclonedx");
	if (design && !a->opt[O_BOM])
		return sb_cli_usage_error(cli, "--phase design exports a BOM: give "
					  "--bom FILE");
	sb_arena_init(&ar, 0);
	if (a->opt[O_BOM]) {
		struct sb_diags d;
		sb_diags_init(&d);
		rc = sb_bom_load(&s, a->opt[O_BOM], &d);
		sb_diags_sort(&d);
		sb_cli_diags_print(cli, &d);
		sb_diags_release(&d);
		if (rc) {
			sb_arena_release(&ar);
			return rc == SB_EINPUT ? SB_EXIT_USAGE : sb_cli_fail(cli, rc);
		}
	}
	if (design) {
		struct sb_inv_expect e;
		if ((rc = sb_cli_site_expect(&e, &ar, s)) ||
		    (rc = sb_inv_export_cyclonedx_design(&doc, &e)))
			goto fail;
	} else {
		if ((rc = sb_cli_open_inventory(cli, &db, true))) {
			sb_bom_free(s);
			sb_arena_release(&ar);
			return rc;
		}
		if (strcmp(fmt, "csv") == 0)
			rc = sb_inv_export_csv(stdout, db);
		else if (strcmp(fmt, "jsonl") == 0)
			rc = sb_inv_export_jsonl(stdout, db);
		else if (strcmp(fmt, "netbox") == 0)
			rc = sb_inv_export_netbox(&doc, db, s ? s->id : NULL);
		else
			rc = sb_inv_export_cyclonedx(&doc, db, s ? s->id : NULL);
		if (rc)
			goto fail;
	}
	if (doc && (rc = sb_json_write(stdout, doc)))
		goto fail;
	json_decref(doc);
	sb_inv_close(db);
	sb_bom_free(s);
	sb_arena_release(&ar);
	return SB_EXIT_OK;
fail:
	json_decref(doc);
	sb_inv_close(db);
	sb_bom_free(s);
	sb_arena_release(&ar);
	return sb_cli_fail(cli, rc);
}

static const struct {
	const char *name;
	int (*run)(struct sb_cli *cli, struct inv_args *a);
} inv_table[] = {
	{ "export", inv_export },
	{ "disposition", inv_disposition },
	{ "show", inv_show },
	{ "history", inv_history },
	{ "import", inv_import },
	{ "verify", inv_verify },
	{ "checkpoint", inv_checkpoint },
	{ "prove", inv_prove },
};

static int run_inventory(struct sb_cli *cli, int argc, char **argv)
{
	struct sb_optparse op;
	struct inv_args a = { 0 };
	const char *arg;
	int k;

	if (argc < 2)
		return sb_cli_usage_error(cli, "say which: show, history, verify, "
					  "checkpoint, prove, import");
	a.verb = argv[1];
	sb_optparse_init(&op, argc - 1, argv + 1);
	while ((k = sb_optparse_next(&op, cli, inv_opts, &arg)) != -2) {
		if (k == -3)
			return SB_EXIT_USAGE;
		if (k >= 0) {
			a.opt[k] = arg ? arg : "";
			continue;
		}
		if (a.npos == (int)(sizeof(a.pos) / sizeof(a.pos[0])))
			return sb_cli_usage_error(cli, "too many arguments");
		a.pos[a.npos++] = arg;
	}
	for (size_t i = 0; i < sizeof(inv_table) / sizeof(inv_table[0]); i++)
		if (strcmp(a.verb, inv_table[i].name) == 0)
			return inv_table[i].run(cli, &a);
	{
		const char *best = sb_did_you_mean(a.verb, inv_verbs);
		if (best)
			return sb_cli_usage_error(cli, "unknown verb '%s'; did you mean "
						  "'%s'?", a.verb, best);
	}
	return sb_cli_usage_error(cli, "unknown verb '%s'; say show, history, "
				  "verify, checkpoint, prove or import", a.verb);
}

const struct sb_cmd sb_cmd_inventory = {
	.name = "inventory",
	.run = run_inventory,
	.summary = "the inventory and its tamper-evident ledger: show, verify, prove",
	.usage = "siteboot inventory show [NODE] [--json]\n"
		 "siteboot inventory history SERIAL [--json]\n"
		 "siteboot inventory import FILE... [--site ID] [--node NAME] [--operator NAME]\n"
		 "siteboot inventory disposition FINDING accept|rma|return|waive --by NAME [--note TEXT]\n"
		 "siteboot inventory export --format csv|cyclonedx|netbox|jsonl [--bom FILE] [--phase discovery|design]\n"
		 "siteboot inventory verify\n"
		 "siteboot inventory checkpoint [--key FILE]\n"
		 "siteboot inventory prove SEQ [--size N]\n"
		 "siteboot inventory prove --consistency OLD [--size N]",
	.description =
		"The inventory database records every component seen, where it sits, "
		"who saw it from which source with which evidence, and a provenance "
		"ledger of every change and operator action (docs/inventory.md).\n\n"
		"'inventory show' lists what sits where now (node, slot, class, part, "
		"serial, source) and the firmware versions last seen; 'inventory history "
		"SERIAL' every placement, observation (source, target, resource path, "
		"operator, evidence hash) and ledger event of the components with that "
		"serial or durable identifier (WWN, MAC).\n\n"
		"'inventory import' records saved hardware reports (a JSON array of "
		"discover's report objects whose evidence items carry their bytes in "
		"base64 as \"data\"; docs/inventory.md): each report in one transaction, "
		"so an interrupted import keeps whole reports only, and a report recorded "
		"before is skipped, so re-running the import resumes it.\n\n"
		"'inventory disposition' records a decision on a finding of 'siteboot "
		"reconcile' (accept, rma, return or waive), who made it and why, in the "
		"ledger; the finding then no longer blocks.\n\n"
		"'inventory export' writes what sits where as CSV; as CycloneDX 1.6 JSON "
		"(a device per node holding its parts as devices with the "
		"cdx:device:serialNumber, location, function and macAddress properties, "
		"and its firmware as firmware components; lifecycle phase discovery, or "
		"with --phase design the parts the --bom orders); as NetBox bulk-import "
		"objects (dcim.device, dcim.module); or the ledger with its checkpoints "
		"as JSON lines for an auditor (jsonl).\n\n"
		"'inventory verify' recomputes every payload hash, the hash chain, the "
		"RFC 6962 Merkle tree and every signed checkpoint, and names the first "
		"event that does not match: changed, deleted, inserted or reordered. "
		"It exits 1 on any mismatch.\n\n"
		"'inventory checkpoint' signs the tree size and Merkle root over every "
		"committed event with the appliance's Ed25519 key, as a C2SP signed "
		"note. 'inventory prove SEQ' prints the inclusion proof of event SEQ in "
		"the latest checkpoint's tree; with --consistency OLD, the proof that the "
		"tree of OLD events is a prefix of it.",
	.verbs = inv_verbs,
	.opts = inv_opts,
	.example = "siteboot inventory export --format cyclonedx --bom site.yaml > observed.cdx.json\n"
		   "siteboot inventory verify\n"
		   "siteboot inventory checkpoint > checkpoint.txt\n"
		   "siteboot inventory prove 42 --json > proof-42.json",
	.flags = SB_CMD_DB,
};
