/* siteboot inventory show|history|verify|checkpoint|prove|disposition|
 * export|import */
#include "bootstrap/cli.h"
#include "bootstrap/inv_cli.h"
#include "bootstrap/table.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "inventory/inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const inv_verbs[] = {
	"show", "history", "verify", "checkpoint", "prove", "import", NULL
};

enum {
	O_KEY, O_SIZE, O_CONSISTENCY, O_OPERATOR, O_SITE, O_NODE,
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
	if ((rc = sb_cli_open_inventory(cli, &db, true)))
		return rc;
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

static const struct {
	const char *name;
	int (*run)(struct sb_cli *cli, struct inv_args *a);
} inv_table[] = {
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
	.usage = "siteboot inventory verify\n"
		 "siteboot inventory checkpoint [--key FILE]\n"
		 "siteboot inventory prove SEQ [--size N]\n"
		 "siteboot inventory prove --consistency OLD [--size N]",
	.description =
		"The inventory database records every component seen, where it sits, "
		"who saw it from which source with which evidence, and a provenance "
		"ledger of every change and operator action (docs/inventory.md).\n\n"
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
	.example = "siteboot inventory verify\n"
		   "siteboot inventory checkpoint > checkpoint.txt\n"
		   "siteboot inventory prove 42 --json > proof-42.json",
	.flags = SB_CMD_DB,
};
