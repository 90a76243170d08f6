/* siteboot: the inventory database and its provenance ledger.
 *
 * One SQLite file (WAL, synchronous=FULL, foreign keys on) holds:
 *   - components: one row per physical part (identity), however often seen;
 *   - placements: where a component sits (site, node, slot) with a
 *     validity period, so a part that moves is one component, two rows;
 *   - observations: who saw what, from which source, target and resource
 *     path, when, and the SHA-256 of the raw evidence;
 *   - evidence: the raw bytes, content-addressed by SHA-256;
 *   - ledger: an append-only list of events, hash-chained, over which an
 *     RFC 6962 Merkle tree is built for signed checkpoints and proofs.
 * The formats are described in docs/inventory.md so that an auditor can
 * verify an export without siteboot.
 *
 * Module code: returns 0 or a negative SB_E* with a message; never prints.
 * Secrets never enter this database: no function here takes one. */
#ifndef SB_INVENTORY_INVENTORY_H
#define SB_INVENTORY_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common/arena.h"
#include "common/diag.h"
#include "common/hw.h"

struct sb_inv;			/* an open inventory database */

/* ---- opening, schema, transactions ------------------------------------ */

enum {
	SB_INV_READONLY = 1 << 0,	/* no writes; the file must exist */
	SB_INV_NOCHECK = 1 << 1,	/* skip PRAGMA quick_check at open */
};

/* Open (creating when missing, unless SB_INV_READONLY) and migrate the
 * database at `path`. A damaged file is SB_ETAMPER with a message naming
 * the file, what quick_check said and how to recover; a file written by a
 * newer siteboot is SB_EUNSUPPORTED. */
int sb_inv_open(struct sb_inv **out, const char *path, unsigned flags);
/* PRAGMA quick_check of the whole file (tables NULL), or of the listed
 * tables and their indexes (a NULL-terminated list): SB_ETAMPER with the
 * message sb_inv_open gives when it reports damage. For a reader that
 * opened with SB_INV_NOCHECK and checks what it reads, perhaps on another
 * connection beside its own work. */
int sb_inv_quick_check(struct sb_inv *db, const char *const *tables);
/* Close; NULL is fine. An open transaction is rolled back. */
void sb_inv_close(struct sb_inv *db);

/* The underlying connection, for modules that keep their own tables
 * (added through a migration below). Do not close it. */
sqlite3 *sb_inv_sqlite(struct sb_inv *db);
const char *sb_inv_path(const struct sb_inv *db);

/* Forward migrations, applied in order at open, each in a transaction.
 * To add tables, append an entry to the array in inventory/schema.c with
 * the next version number; never edit an entry that has shipped. */
struct sb_inv_migration {
	int version;		/* 1, 2, 3, ... without gaps */
	const char *name;	/* "core", "runs", ... */
	const char *sql;	/* one or more statements */
};
extern const struct sb_inv_migration sb_inv_migrations[];
extern const size_t sb_inv_nmigrations;
/* The schema version of the open file. */
int sb_inv_schema_version(struct sb_inv *db);

/* A write transaction (BEGIN IMMEDIATE). Transactions nest by counting:
 * only the outermost commit commits. Everything a module writes together
 * with its ledger events goes in one, so that a crash keeps all or none. */
int sb_inv_begin(struct sb_inv *db);
int sb_inv_commit(struct sb_inv *db);
void sb_inv_rollback(struct sb_inv *db);

/* Translate the connection's last SQLite error into SB_E* with context. */
int sb_inv_sqlerr(struct sb_inv *db, const char *what);

/* ---- the ledger ---------------------------------------------------------- */

/* Append one event. `actor` names who did it ("operator:ama",
 * "siteboot discover"), `kind` what happened ("bom.imported",
 * "component.observed", "checklist.step.done", "attestation.given",
 * "image.verified"); both are 1..128 printable characters. `payload` is
 * any JSON value; it is stored in canonical form (compact, keys sorted)
 * and must not hold secrets. Joins the caller's transaction when one is
 * open, otherwise commits its own. *seq (may be NULL) gets the event's
 * sequence number. */
int sb_inv_ledger_append(struct sb_inv *db, const char *actor,
			 const char *kind, const json_t *payload);
int sb_inv_ledger_append_seq(struct sb_inv *db, const char *actor,
			     const char *kind, const json_t *payload,
			     int64_t *seq);
/* Same with the payload already in canonical JSON text (len bytes). */
int sb_inv_ledger_append_raw(struct sb_inv *db, const char *actor,
			     const char *kind, const char *payload,
			     size_t len, int64_t *seq);
/* Number of events (the last sequence number when nothing was lost). */
int sb_inv_ledger_size(struct sb_inv *db, int64_t *size);
/* The latest event of `kind`: *seq and its payload (parsed). SB_ENOTFOUND
 * when there is none. The payload is the stored text; run
 * sb_inv_verify() when its integrity matters. */
int sb_inv_ledger_last(struct sb_inv *db, const char *kind, int64_t *seq,
		       json_t **payload);

/* One event as stored. */
struct sb_inv_event {
	int64_t seq;
	int64_t time_ms;
	char time[32];		/* ISO 8601 UTC, milliseconds */
	const char *actor;	/* valid until the next read */
	const char *kind;
	const char *payload;
	size_t payload_len;
	unsigned char payload_sha256[32];
	unsigned char prev[32];
	unsigned char hash[32];
};

/* The bytes an event commits to (docs/inventory.md, "entry"): its Merkle
 * leaf is SHA-256(0x00 || entry) and its chain hash
 * SHA-256(prev || entry). Writes at most `size` bytes; returns the full
 * length. */
size_t sb_inv_event_entry(char *buf, size_t size, int64_t seq,
			  const char *time, const char *actor,
			  const char *kind, const unsigned char psha[32]);

/* ---- verification -------------------------------------------------------- */

enum sb_inv_problem {
	SB_INV_OK = 0,
	SB_INV_CHANGED,		/* an event's content does not match its hashes */
	SB_INV_DELETED,		/* an event is missing */
	SB_INV_INSERTED,	/* an event was added between others */
	SB_INV_REORDERED,	/* events were moved */
	SB_INV_CHECKPOINT,	/* a signed checkpoint does not match */
	SB_INV_GUARD,		/* a guard trigger is missing (accident risk) */
};
const char *sb_inv_problem_name(enum sb_inv_problem p);

struct sb_inv_verify {
	int64_t events;		/* events read */
	int64_t checkpoints;	/* checkpoints verified */
	unsigned char root[32];	/* Merkle root over all events */
	unsigned char head[32];	/* chain hash of the last event */
	enum sb_inv_problem problem;	/* the first one found */
	int64_t seq;		/* the event it concerns (0: none) */
	char detail[512];	/* one sentence for people */
	int nguards_missing;
	unsigned threads;	/* threads of the chunked check; 0 when the
				   one-pass check ran (something differed) */
};
/* Recompute every hash, the chain, the Merkle root and every checkpoint
 * (signature, root, consistency with the previous one). Returns 0 when
 * the check ran (look at v->problem), or an SB_E* when it could not. */
int sb_inv_verify(struct sb_inv *db, struct sb_inv_verify *v);
/* Tests and benchmarks: chunks of 2^chunk_log2 events on `threads`
 * threads (0: the defaults, 2^16 and up to 4 threads). */
void sb_inv_verify_tune(unsigned chunk_log2, unsigned threads);

/* ---- Merkle trees (RFC 6962 / RFC 9162 section 2.1) ----------------------- */

void sb_merkle_leaf(unsigned char out[32], const void *data, size_t len);
void sb_merkle_node(unsigned char out[32], const unsigned char l[32],
		    const unsigned char r[32]);
/* Root of n leaf hashes (n may be 0: SHA-256 of the empty string). */
void sb_merkle_root(unsigned char out[32], const unsigned char (*leaves)[32],
		    size_t n);
/* Incremental root, O(log n) memory: push leaf hashes in order. */
struct sb_merkle_acc {
	unsigned char stack[64][32];
	uint64_t n;
};
void sb_merkle_acc_init(struct sb_merkle_acc *a);
void sb_merkle_acc_push(struct sb_merkle_acc *a, const unsigned char leaf[32]);
void sb_merkle_acc_root(const struct sb_merkle_acc *a, unsigned char out[32]);
/* Push the root of a perfect subtree of 2^height leaves at once; a->n
 * must be a multiple of 2^height. */
void sb_merkle_acc_push_subtree(struct sb_merkle_acc *a,
				const unsigned char root[32], unsigned height);
/* Push every subtree of b (the leaves after a's): a->n must be a multiple
 * of a power of two larger than b->n. */
void sb_merkle_acc_append(struct sb_merkle_acc *a, const struct sb_merkle_acc *b);
/* Inclusion proof of leaf m (0-based) in the tree of the first n leaves.
 * *out (caller frees) gets *len hashes. */
int sb_merkle_inclusion(unsigned char (**out)[32], size_t *len,
			const unsigned char (*leaves)[32], size_t n, size_t m);
bool sb_merkle_inclusion_check(const unsigned char leaf[32], size_t m,
			       size_t n, const unsigned char (*proof)[32],
			       size_t len, const unsigned char root[32]);
/* Consistency proof between the trees of the first m and n leaves. */
int sb_merkle_consistency(unsigned char (**out)[32], size_t *len,
			  const unsigned char (*leaves)[32], size_t n,
			  size_t m);
bool sb_merkle_consistency_check(size_t m, size_t n,
				 const unsigned char oldroot[32],
				 const unsigned char newroot[32],
				 const unsigned char (*proof)[32], size_t len);

/* SHA-256 through libcrypto. */
void sb_sha256(unsigned char out[32], const void *data, size_t len);
void sb_sha256_hex(char out[65], const void *data, size_t len);
/* out[i] = SHA-256(msg[i], len[i]) for n messages, several at once where
 * the CPU has SHA-NI or AVX-512 (inventory/sha256_lanes.c). */
void sb_sha256_many(unsigned char (*out)[32], const unsigned char *const *msg,
		    const size_t *len, size_t n);
/* The ways sb_sha256_many can go, each using the ones before it too. */
enum { SB_SHA256_ONE, SB_SHA256_SHANI, SB_SHA256_AVX512 };
/* Tests: the widest way sb_sha256_many may take (the default: AVX512,
 * or the best the CPU has); the best the CPU has. */
void sb_sha256_lanes_max(unsigned level);
unsigned sb_sha256_lanes_best(void);
/* Tests: force the one-at-a-time libcrypto path (or allow all again). */
void sb_sha256_lanes_disable(bool off);

/* ---- checkpoints and proofs -------------------------------------------- */

/* The Ed25519 key that signs checkpoints: `key_path`, or "ledger.key"
 * beside the database. Created 0600 on first use; a key file readable by
 * others is refused (SB_ESECURITY) with the chmod that fixes it. */
struct sb_inv_checkpoint {
	int64_t id;
	int64_t tree_size;
	unsigned char root[32];
	char time[32];
	char key_id[9];		/* hex of the note key id */
	char *note;		/* the signed note text (caller frees) */
};
void sb_inv_checkpoint_release(struct sb_inv_checkpoint *c);
/* Sign a checkpoint over every committed event. Refused inside an open
 * transaction: only durable events are covered. `origin` names the log
 * ("siteboot inventory SITE"); NULL gives a default. */
int sb_inv_checkpoint_make(struct sb_inv *db, const char *key_path,
			   const char *origin, struct sb_inv_checkpoint *out);
/* The latest checkpoint (id 0 = latest) or checkpoint `id`. */
int sb_inv_checkpoint_get(struct sb_inv *db, int64_t id,
			  struct sb_inv_checkpoint *out);
/* The public key (32 bytes) of the signing key, and its note name. */
int sb_inv_key_public(const char *key_path, const char *db_path,
		      unsigned char pub[32]);

/* An inclusion proof of event `seq` in the tree of `tree_size` events
 * (0: the latest checkpoint's size, or all events when none), and a
 * consistency proof between two sizes, as JSON (docs/inventory.md). */
int sb_inv_prove_inclusion(json_t **out, struct sb_inv *db, int64_t seq,
			   int64_t tree_size);
int sb_inv_prove_consistency(json_t **out, struct sb_inv *db, int64_t old_size,
			     int64_t new_size);

/* ---- serial numbers ------------------------------------------------------ */

/* Normalise a serial: drop padding (white space, NUL, 0xFF, dots, dashes
 * at either end), control characters and inner white space, upper-case,
 * and drop a "0x" before a hexadecimal serial. Returns false (and out[0]
 * = 0) when the serial is absent or a placeholder ("To be filled by
 * O.E.M.", "Default string", "0123456789", all zeros, blanks, ..., or
 * one added with sb_inv_placeholder_add). Leading zeros are kept: they
 * are significant in some vendors' serials. */
bool sb_inv_serial_norm(char *out, size_t size, const char *raw);
/* Add a placeholder to the process-wide list (compared normalised). */
int sb_inv_placeholder_add(const char *serial);
bool sb_inv_serial_is_placeholder(const char *raw);
/* Durable identifiers (WWN, MAC): lower-case hex without separators. */
bool sb_inv_durable_norm(char *out, size_t size, const char *raw);

/* ---- recording observations ---------------------------------------------- */

struct sb_inv_ctx {
	const char *operator_name;	/* who ran it: "ama" or "siteboot" */
	const char *site;	/* BOM site id, or NULL */
	const char *node;	/* BOM node name, or NULL: the target is used */
	int64_t time_ms;	/* 0: now */
};

struct sb_inv_record_stats {
	size_t components;	/* observed */
	size_t new_components;
	size_t placements_opened, placements_closed;
	size_t firmware_changed;
	size_t evidence_new;
	size_t events;
	bool skipped;		/* this exact report was recorded before */
};

/* Record what one target reported, in one transaction: evidence by hash,
 * components (by serial, then durable id, then node+slot+part), their
 * placements, one observation per component, firmware versions, and one
 * ledger event per change. Recording the same report twice is a no-op
 * (stats->skipped), so an interrupted import can simply be re-run. This
 * is the seam `discover` and the in-band recipes call. */
int sb_inv_record(struct sb_inv *db, const struct sb_hw_inventory *hw,
		  const struct sb_inv_ctx *ctx, struct sb_inv_record_stats *st);

/* A hardware report as JSON (docs/inventory.md, "reports": discover's
 * --json element plus each evidence item's bytes in base64 as "data" when
 * with_data) and back, so reports can be saved and imported. Parsing
 * appends to an initialised `hw`; evidence must carry its bytes. */
json_t *sb_inv_report_json(const struct sb_hw_inventory *hw, bool with_data);
int sb_inv_report_parse(struct sb_hw_inventory *hw, const json_t *doc);

/* Evidence by hash (64 hex digits): *data (caller frees). */
int sb_inv_evidence_get(struct sb_inv *db, const char *sha256hex,
			unsigned char **data, size_t *len, char **media_type);

/* ---- queries --------------------------------------------------------------- */

/* What sits where now, for one node (or all when NULL), as
 * {"components": [{site, node, slot, class, manufacturer, model,
 * part_number, serial, serial_normalised, durable_id, identity, source,
 * since, first_seen, last_seen}], "firmware": [{site, node, name,
 * component, version, source, time, evidence_sha256}]}. */
int sb_inv_show(json_t **out, struct sb_inv *db, const char *node);
/* Everything known about the components with this serial (raw or
 * normalised) or durable id, as a JSON array of {identity, class, ...,
 * placements: [...], observations: [...], events: [...]}; SB_ENOTFOUND
 * when none. */
int sb_inv_history(json_t **out, struct sb_inv *db, const char *serial);

/* ---- reconciliation ------------------------------------------------------ */

/* What a site should hold, in inventory terms. The command layer fills it
 * from the BOM (inventory/ does not read BOMs). Strings are borrowed. */
struct sb_inv_expect_line {
	const char *id;		/* the BOM line id: "dimm" */
	enum sb_hw_class cls;
	const char *manufacturer, *model, *part_number;
	const char *const *alternates;	/* other acceptable part numbers */
	size_t nalternates;
	const char *const *mfr_parts;	/* the maker's part numbers: as good */
	size_t nmfr_parts;
	unsigned quantity;
	const char *const *slots;	/* 0 or quantity of them */
	size_t nslots;
	const char *const *serials;	/* expected serials */
	size_t nserials;
	const char *const *ids;	/* expected MACs / WWNs */
	size_t nids;
	const char *po, *vendor;
	unsigned po_line;
	unsigned bom_line;	/* line in the BOM file */
	const char *fw_name, *fw_version, *fw_min;	/* or NULL */
};

struct sb_inv_expect_fw {
	const char *name, *version, *min_version;
	unsigned bom_line;
};

struct sb_inv_expect_node {
	const char *name;
	unsigned bom_line;
	struct sb_inv_expect_line chassis;	/* quantity 0: none expected */
	const struct sb_inv_expect_line *lines;
	size_t nlines;
	const struct sb_inv_expect_fw *firmware;	/* baseline */
	size_t nfirmware;
	uint64_t memory_min;	/* tier requirement, bytes; 0: none */
	const char *memory_reason;
};

struct sb_inv_expect {
	const char *site, *tier;
	const struct sb_inv_expect_node *nodes;
	size_t nnodes;
};

enum sb_inv_severity {
	SB_INV_SEV_OK, SB_INV_SEV_INFO, SB_INV_SEV_WARNING, SB_INV_SEV_ERROR,
};
const char *sb_inv_severity_name(enum sb_inv_severity s);

/* One line of the reconciliation report. `kind` is one of: matched,
 * missing, extra, wrong_part, serial_mismatch, duplicate_serial, moved,
 * wrong_slot, quantity_short, quantity_over, firmware_below_baseline,
 * firmware_unverifiable, tier_requirement, identity_conflict. */
struct sb_inv_finding {
	char id[16];		/* "F-" + 10 hex digits, stable across runs */
	const char *kind;
	enum sb_inv_severity severity;
	bool blocking;		/* an error nobody has dispositioned */
	const char *node, *line, *part_number, *po, *vendor;
	unsigned po_line, bom_line, ordered, found;
	const char *expected_serial, *observed_serial, *observed_part;
	const char *location;	/* node/slot where it was seen or expected */
	const char *detail;	/* one sentence for people */
	const char *evidence;	/* SHA-256 of the evidence, or NULL */
	const char *disposition, *disposition_by, *disposition_note;
};

struct sb_inv_reconcile {
	struct sb_arena arena;
	struct sb_inv_finding *v;
	size_t n, cap;
	size_t nblocking;
	size_t nobserved_nodes;
	size_t nobservations;	/* observations read */
	struct sb_inv_observed *owned;	/* freed with the report */
	uint64_t ns_load, ns_match;	/* where the time went (-v) */
};

/* Compare the latest observations with what the site should hold. Matching
 * goes by serial, then durable identifier, then (node, slot, part number);
 * a match on model alone is reported, never accepted silently. Returns 0
 * when it ran (see r->nblocking). */
int sb_inv_reconcile(struct sb_inv_reconcile *r, struct sb_inv *db,
		     const struct sb_inv_expect *e);
void sb_inv_reconcile_release(struct sb_inv_reconcile *r);
/* The same in two steps, so that the reading can run beside other work
 * (the command parses the BOM meanwhile): the latest observations of
 * every site, read in one transaction, then matched against a site. The
 * observed set is not changed by matching and can be matched again; the
 * findings point into it, so free it after the report. */
struct sb_inv_observed;
/* Tune a connection for one pass over the observed side (reconcile's
 * reading and its quick_check): reads through SQLite's own small page
 * cache rather than a memory map. A process that reads its tables once
 * pays a page fault per mapped page, which costs more than the copy on
 * a virtual machine (docs/decisions.md). */
int sb_inv_read_tune(struct sb_inv *db);
int sb_inv_observed_load(struct sb_inv_observed **out, struct sb_inv *db);
void sb_inv_observed_free(struct sb_inv_observed *ob);
/* The observations are read from report_parts (docs/inventory.md); how
 * many of them needed a name looked up in components (a manufacturer,
 * model or part number learnt after their report was recorded). */
size_t sb_inv_observed_fills(const struct sb_inv_observed *ob);
int sb_inv_reconcile_observed(struct sb_inv_reconcile *r,
			      struct sb_inv_observed *ob,
			      const struct sb_inv_expect *e);

/* Record a decision on a finding (accept, rma, return, waive) in the
 * dispositions table and the ledger. */
extern const char *const sb_inv_decisions[];
int sb_inv_disposition(struct sb_inv *db, const char *finding,
		       const char *decision, const char *by, const char *note,
		       int64_t *seq);

/* Record that a BOM was used for this site (once per BOM hash): a
 * "bom.imported" ledger event. *is_new says whether it was new. */
/* Whether a BOM with this hash was recorded. */
int sb_inv_bom_known(struct sb_inv *db, const char *sha256, bool *known);
int sb_inv_bom_record(struct sb_inv *db, const char *site, const char *tier,
		      const char *sha256, const char *path, const char *actor,
		      bool *is_new);

/* ---- a BOM's compiled form (bom_compiled) -------------------------------- */

/* A site's expectations and its BOM's diagnostics as one self-contained
 * blob, so that reconcile need not parse a BOM it has seen before
 * (docs/decisions.md, "reconcile's compiled BOM"). `path` is the BOM's
 * path as given: diagnostics about it are stored without it. `bom_sha256`
 * (64 hex digits) is the BOM file's, as sb_inv_bom_record takes it.
 * *out (caller frees) gets *len bytes. */
int sb_inv_expect_pack(unsigned char **out, size_t *len,
		       const struct sb_inv_expect *e, const struct sb_diags *d,
		       const char *path, const char *bom_sha256);
/* The reverse: fills *e (arrays in `a`, strings pointing into `blob`,
 * which must outlive it) and appends the diagnostics to `d`, naming
 * `path` where the BOM was meant. Every offset and count is checked
 * against `len`, and the content against its digest and `bom_sha256`:
 * a damaged blob is SB_ETAMPER with the reason (nothing added to `d`),
 * never a crash or other expectations. */
int sb_inv_expect_unpack(struct sb_inv_expect *e, struct sb_arena *a,
			 struct sb_diags *d, const unsigned char *blob,
			 size_t len, const char *path, const char *bom_sha256);
/* The stored blob for (sha256, compiler): *blob (caller frees), or
 * SB_ENOTFOUND. */
int sb_inv_bom_compiled_get(struct sb_inv *db, const char *sha256,
			    const char *compiler, unsigned char **blob,
			    size_t *len);
/* Store it, replacing this BOM's blob and dropping every other
 * compiler's (derived data), in one transaction (joins the caller's). */
int sb_inv_bom_compiled_put(struct sb_inv *db, const char *sha256,
			    const char *compiler, const void *blob, size_t len);

/* ---- exports ------------------------------------------------------------- */

/* One CSV field (RFC 4180 quoting) followed by ',' or, when last, '\n'. */
int sb_inv_csv_field(FILE *f, const char *s, bool last);
/* What sits where now, as CSV (docs/inventory.md, "Exports"). */
int sb_inv_export_csv(FILE *f, struct sb_inv *db);
/* CycloneDX 1.6 JSON of the observed inventory (lifecycle phase
 * "discovery"): a device per node holding its parts (devices, with the
 * cdx:device:serialNumber, location, function and macAddress properties)
 * and its firmware (firmware components). `site` (or NULL: all) filters. */
int sb_inv_export_cyclonedx(json_t **out, struct sb_inv *db, const char *site);
/* The same shape for what a BOM orders (lifecycle phase "design"). */
int sb_inv_export_cyclonedx_design(json_t **out, const struct sb_inv_expect *e);
/* Objects for NetBox's bulk import: {"dcim.device": [...], "dcim.module":
 * [...]}, with NetBox's import field names. */
int sb_inv_export_netbox(json_t **out, struct sb_inv *db, const char *site);
/* The ledger as JSON lines: a header (format, origin, public key), every
 * event (with its exact payload text and hashes in hex), every checkpoint. */
int sb_inv_export_jsonl(FILE *f, struct sb_inv *db);

/* Compare firmware versions part by part (numbers as numbers):
 * negative, zero or positive like strcmp. */
int sb_inv_version_cmp(const char *a, const char *b);

#endif
