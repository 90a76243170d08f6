/* `inventory verify`: recompute every payload hash, the chain, the Merkle
 * root and every checkpoint, and name the first event that does not match.
 *
 * The fast path is one pass in sequence order. Only when something does
 * not match is the whole ledger loaded a second time, to tell a change
 * from a deletion, an insertion or a reordering: each stored event names
 * its predecessor's hash (`prev`), so where that predecessor now sits says
 * what was done. */
#include "inventory/inv_priv.h"

#include "common/error.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>

const char *sb_inv_problem_name(enum sb_inv_problem p)
{
	switch (p) {
	case SB_INV_OK: return "ok";
	case SB_INV_CHANGED: return "changed";
	case SB_INV_DELETED: return "deleted";
	case SB_INV_INSERTED: return "inserted";
	case SB_INV_REORDERED: return "reordered";
	case SB_INV_CHECKPOINT: return "checkpoint";
	case SB_INV_GUARD: return "guard";
	}
	return "?";
}

#define ENTRY_MAX (4 + 8 + 6 + 32 + 3 * 65536)

struct row {
	int64_t seq;
	unsigned char prev[32], hash[32];
	bool payload_ok;
	bool self_ok;		/* hash == H(prev || leaf(own fields)) */
};

struct rows {
	struct row *r;
	size_t n, cap;
};

static void problem(struct sb_inv_verify *v, enum sb_inv_problem p,
		    int64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void problem(struct sb_inv_verify *v, enum sb_inv_problem p,
		    int64_t seq, const char *fmt, ...)
{
	va_list ap;

	if (v->problem != SB_INV_OK && v->problem != SB_INV_GUARD)
		return;
	v->problem = p;
	v->seq = seq;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

/* Hash one stored row; returns false when a field is missing or
 * malformed (then the row counts as changed). */
static bool row_hash(sqlite3_stmt *st, char *entry, unsigned char psha[32],
		     unsigned char leaf[32], unsigned char hash[32],
		     const unsigned char prev[32], struct row *r)
{
	const char *t = sb_inv_col(st, 1), *a = sb_inv_col(st, 2),
		   *k = sb_inv_col(st, 3);
	const void *payload = sqlite3_column_blob(st, 4);
	int plen = sqlite3_column_bytes(st, 4);
	const void *ps = sqlite3_column_blob(st, 5), *pv = sqlite3_column_blob(st, 6),
		   *h = sqlite3_column_blob(st, 7);
	size_t elen;

	r->seq = sqlite3_column_int64(st, 0);
	r->payload_ok = false;
	r->self_ok = false;
	memset(r->prev, 0, 32);
	memset(r->hash, 0, 32);
	if (pv && sqlite3_column_bytes(st, 6) == 32)
		memcpy(r->prev, pv, 32);
	if (h && sqlite3_column_bytes(st, 7) == 32)
		memcpy(r->hash, h, 32);
	if (!t || !a || !k || !ps || sqlite3_column_bytes(st, 5) != 32 ||
	    strlen(t) > 65535 || strlen(a) > 65535 || strlen(k) > 65535)
		return false;
	sb_sha256(psha, payload ? payload : "", (size_t)plen);
	r->payload_ok = memcmp(psha, ps, 32) == 0;
	elen = sb_inv_event_entry(entry, ENTRY_MAX, r->seq, t, a, k, ps);
	sb_inv_event_hashes(leaf, hash, prev, entry, elen);
	if (memcmp(prev, r->prev, 32) == 0)
		r->self_ok = memcmp(hash, r->hash, 32) == 0;
	else {
		unsigned char l2[32], h2[32];
		sb_inv_event_hashes(l2, h2, r->prev, entry, elen);
		r->self_ok = memcmp(h2, r->hash, 32) == 0;
	}
	return true;
}

static int rows_push(struct rows *rs, const struct row *r)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 1024;
		void *p = realloc(rs->r, cap * sizeof(*rs->r));
		if (!p)
			return sb_error_set(SB_ENOMEM, "out of memory");
		rs->r = p;
		rs->cap = cap;
	}
	rs->r[rs->n++] = *r;
	return 0;
}

/* Where is the event whose chain hash is h? Index into rs, or -1. */
static ssize_t find_hash(const struct rows *rs, const unsigned char h[32])
{
	for (size_t i = 0; i < rs->n; i++)
		if (memcmp(rs->r[i].hash, h, 32) == 0)
			return (ssize_t)i;
	return -1;
}

static bool is_zero(const unsigned char h[32])
{
	for (int i = 0; i < 32; i++)
		if (h[i])
			return false;
	return true;
}

/* Say what happened at row i, the first that does not follow from the
 * rows before it (expected sequence e, expected predecessor hash P). */
static void classify(struct sb_inv_verify *v, const struct rows *rs, size_t i,
		     int64_t e, const unsigned char P[32])
{
	const struct row *r = &rs->r[i];
	const struct row *next = i + 1 < rs->n ? &rs->r[i + 1] : NULL;
	ssize_t at;

	if (r->seq > e) {
		problem(v, SB_INV_DELETED, e, "event %lld was deleted: the ledger "
			"goes from event %lld to event %lld", (long long)e,
			(long long)(e - 1), (long long)r->seq);
		return;
	}
	if (!r->payload_ok) {
		problem(v, SB_INV_CHANGED, r->seq, "event %lld was changed: its "
			"payload does not match its SHA-256", (long long)r->seq);
		return;
	}
	at = is_zero(r->prev) ? -2 : find_hash(rs, r->prev);
	if (at >= 0 && (size_t)at > i) {
		problem(v, SB_INV_REORDERED, r->seq, "event %lld is out of order: "
			"it was written after the event now numbered %lld",
			(long long)r->seq, (long long)rs->r[at].seq);
		return;
	}
	/* the next event skips this one and follows the expected one */
	if (next && memcmp(next->prev, P, 32) == 0) {
		problem(v, SB_INV_INSERTED, r->seq, "event %lld was inserted: the "
			"event after it follows event %lld directly",
			(long long)r->seq, (long long)(e - 1));
		return;
	}
	if (memcmp(r->prev, P, 32) == 0) {
		problem(v, SB_INV_CHANGED, r->seq, "event %lld was changed: its "
			"time, actor, kind or number does not match its hash",
			(long long)r->seq);
		return;
	}
	if (at >= 0 && (size_t)at + 1 < i) {
		problem(v, SB_INV_INSERTED, rs->r[at + 1].seq, "event %lld was "
			"inserted: event %lld follows event %lld directly",
			(long long)rs->r[at + 1].seq, (long long)r->seq,
			(long long)rs->r[at].seq);
		return;
	}
	if (at == -1 && (!next || memcmp(next->prev, r->hash, 32) == 0)) {
		problem(v, SB_INV_DELETED, e, "event %lld was deleted: the event "
			"now numbered %lld follows an event that is no longer in "
			"the ledger", (long long)e, (long long)r->seq);
		return;
	}
	problem(v, SB_INV_CHANGED, r->seq, "event %lld was changed: it does not "
		"chain to event %lld", (long long)r->seq, (long long)(e - 1));
}

struct cp {
	int64_t id, size;
	unsigned char root[32];
	char *note;
};

static int load_checkpoints(struct sb_inv *db, struct cp **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct cp *v = NULL;
	size_t k = 0;
	int rc = 0, s;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db->db, "SELECT id, tree_size, root, note FROM "
			       "checkpoints ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read checkpoints");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		void *p = realloc(v, (k + 1) * sizeof(*v));
		if (!p) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			break;
		}
		v = p;
		memset(&v[k], 0, sizeof(v[k]));
		v[k].id = sqlite3_column_int64(st, 0);
		v[k].size = sqlite3_column_int64(st, 1);
		if (sqlite3_column_bytes(st, 2) == 32)
			memcpy(v[k].root, sqlite3_column_blob(st, 2), 32);
		v[k].note = sb_strdup(sb_inv_col(st, 3) ? sb_inv_col(st, 3) : "");
		k++;
	}
	if (!rc && s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "read checkpoints");
	sqlite3_finalize(st);
	*out = v;
	*n = k;
	return rc;
}

static void free_checkpoints(struct cp *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].note);
	free(c);
}

static int check_guards(struct sb_inv *db, struct sb_inv_verify *v)
{
	static const char *const names[] = {
		"ledger_no_update", "ledger_no_delete", "checkpoints_no_update",
		"checkpoints_no_delete", NULL
	};
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db->db, "SELECT 1 FROM sqlite_master WHERE "
			       "type = 'trigger' AND name = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return sb_inv_sqlerr(db, "read the schema");
	for (int i = 0; names[i]; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			if (v->nguards_missing++ == 0)
				problem(v, SB_INV_GUARD, 0, "the guard trigger %s was "
					"dropped: someone edited the database by hand",
					names[i]);
		}
	}
	sqlite3_finalize(st);
	return 0;
}

int sb_inv_verify(struct sb_inv *db, struct sb_inv_verify *v)
{
	static const char *sql = "SELECT seq, time, actor, kind, payload, "
				 "payload_sha256, prev, hash FROM ledger ORDER BY seq";
	struct sb_merkle_acc acc;
	struct rows rs = { 0 };
	struct cp *cps = NULL;
	size_t ncp = 0, ci = 0;
	sqlite3_stmt *st = NULL;
	unsigned char P[32], psha[32], leaf[32], hash[32];
	char *entry = NULL;
	int64_t e = 1;
	bool bad = false, in_txn = false;
	int rc, s;

	memset(v, 0, sizeof(*v));
	memset(P, 0, 32);
	sb_merkle_acc_init(&acc);
	if (!(entry = malloc(ENTRY_MAX)))
		return sb_error_set(SB_ENOMEM, "out of memory");
	/* one read transaction: a consistent view while writers go on */
	if (db->depth == 0) {
		if ((rc = sb_inv_exec(db, "BEGIN")))
			goto out;
		in_txn = true;
	}
	if ((rc = load_checkpoints(db, &cps, &ncp)))
		goto out;
	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = sb_inv_sqlerr(db, "read the ledger");
		goto out;
	}
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct row r;
		bool ok = row_hash(st, entry, psha, leaf, hash, P, &r);

		if (!ok || r.seq != e || !r.payload_ok ||
		    memcmp(r.prev, P, 32) != 0 || memcmp(hash, r.hash, 32) != 0) {
			bad = true;
			break;
		}
		sb_merkle_acc_push(&acc, leaf);
		memcpy(P, hash, 32);
		e++;
		while (ci < ncp && cps[ci].size <= (int64_t)acc.n) {
			unsigned char root[32];
			sb_merkle_acc_root(&acc, root);
			if (cps[ci].size != (int64_t)acc.n) {
				problem(v, SB_INV_CHECKPOINT, 0, "checkpoint %lld "
					"claims %lld events, fewer than the one before "
					"it: the checkpoints were edited",
					(long long)cps[ci].id, (long long)cps[ci].size);
				bad = true;
			} else if (memcmp(root, cps[ci].root, 32) != 0) {
				problem(v, SB_INV_CHECKPOINT, 0, "checkpoint %lld "
					"(%lld events) does not match the ledger: "
					"events up to %lld were rewritten",
					(long long)cps[ci].id, (long long)cps[ci].size,
					(long long)cps[ci].size);
				bad = true;
			}
			ci++;
		}
		if (bad)
			break;
	}
	if (!bad && s != SQLITE_DONE) {
		rc = sb_inv_sqlerr(db, "read the ledger");
		goto out;
	}
	v->events = e - 1;
	sb_merkle_acc_root(&acc, v->root);
	memcpy(v->head, P, 32);
	if (bad && v->problem == SB_INV_OK) {
		/* second pass: load every row to say what happened */
		unsigned char P2[32];
		int64_t e2 = 1;

		sqlite3_reset(st);
		memset(P2, 0, 32);
		while ((s = sqlite3_step(st)) == SQLITE_ROW) {
			struct row r;
			row_hash(st, entry, psha, leaf, hash, P2, &r);
			if ((rc = rows_push(&rs, &r)))
				goto out;
			if (r.seq == e2 && memcmp(hash, r.hash, 32) == 0 &&
			    r.payload_ok && memcmp(r.prev, P2, 32) == 0) {
				memcpy(P2, hash, 32);
				e2++;
			}
		}
		/* the first pass matched rows 1..e-1: row e-1 (0-based) is
		 * the first that did not */
		if ((size_t)(e - 1) < rs.n)
			classify(v, &rs, (size_t)(e - 1), e, P);
		else
			problem(v, SB_INV_CHANGED, e, "event %lld changed while it "
				"was being read", (long long)e);
	}
	/* checkpoints beyond the end: events at the end were deleted */
	if (v->problem == SB_INV_OK) {
		for (; ci < ncp; ci++) {
			if (cps[ci].size > v->events) {
				problem(v, SB_INV_DELETED, v->events + 1, "event %lld was "
					"deleted: checkpoint %lld covers %lld events and "
					"the ledger now ends at %lld",
					(long long)(v->events + 1), (long long)cps[ci].id,
					(long long)cps[ci].size, (long long)v->events);
				break;
			}
		}
	}
	/* signatures */
	for (size_t i = 0; v->problem == SB_INV_OK && i < ncp; i++) {
		bool ok, checked;
		if ((rc = sb_inv_note_check(NULL, db->path, cps[i].note, cps[i].size,
					    cps[i].root, &ok, &checked)))
			goto out;
		if (checked && !ok)
			problem(v, SB_INV_CHECKPOINT, 0, "checkpoint %lld: the signed "
				"note does not match its tree size and root, or its "
				"signature is not the appliance key's",
				(long long)cps[i].id);
		else if (checked)
			v->checkpoints++;
	}
	if ((rc = check_guards(db, v)))
		goto out;
	rc = 0;
out:
	if (in_txn)
		sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(st);
	free_checkpoints(cps, ncp);
	free(rs.r);
	free(entry);
	return rc;
}
