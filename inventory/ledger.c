/* The provenance ledger: appending hash-chained events.
 *
 * Each event commits to an "entry" (inv_priv.h, docs/inventory.md): the
 * sequence number, time, actor, kind and the SHA-256 of the payload. Its
 * Merkle leaf is SHA-256(0x00 || entry) and its chain hash
 * SHA-256(prev || leaf), so one pass over the ledger yields both the chain
 * and the RFC 6962 tree. */
#include "inventory/inv_priv.h"

#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "common/time.h"

#include <stdlib.h>
#include <string.h>

#define LEDGER_MAGIC "SBL1"
#define LEDGER_NAME_MAX 128

static size_t put_str(char *buf, size_t size, size_t off, const char *s)
{
	size_t n = strlen(s);

	if (off + 2 <= size) {
		buf[off] = (char)((n >> 8) & 0xff);
		buf[off + 1] = (char)(n & 0xff);
	}
	if (off + 2 + n <= size)
		memcpy(buf + off + 2, s, n);
	return off + 2 + n;
}

size_t sb_inv_event_entry(char *buf, size_t size, int64_t seq,
			  const char *time, const char *actor,
			  const char *kind, const unsigned char psha[32])
{
	size_t off = 0;
	uint64_t u = (uint64_t)seq;

	if (size >= 4)
		memcpy(buf, LEDGER_MAGIC, 4);
	off = 4;
	for (int i = 7; i >= 0; i--, off++)
		if (off < size)
			buf[off] = (char)((u >> (i * 8)) & 0xff);
	off = put_str(buf, size, off, time);
	off = put_str(buf, size, off, actor);
	off = put_str(buf, size, off, kind);
	if (off + 32 <= size)
		memcpy(buf + off, psha, 32);
	return off + 32;
}

void sb_inv_event_hashes(unsigned char leaf[32], unsigned char hash[32],
			 const unsigned char prev[32], const char *entry,
			 size_t len)
{
	unsigned char buf[64];

	sb_merkle_leaf(leaf, entry, len);
	memcpy(buf, prev, 32);
	memcpy(buf + 32, leaf, 32);
	sb_sha256(hash, buf, 64);
}

static int check_name(const char *what, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > LEDGER_NAME_MAX)
		return sb_error_set(SB_EINPUT, "ledger event %s must be 1 to %d "
				    "characters", what, LEDGER_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return sb_error_set(SB_EINPUT, "ledger event %s '%s' holds a "
					    "control character", what, s);
	if (!sb_utf8_valid(s, n, NULL))
		return sb_error_set(SB_EINPUT, "ledger event %s is not UTF-8", what);
	return 0;
}

static int load_head(struct sb_inv *db)
{
	int rc, s;

	if (db->head_valid)
		return 0;
	if ((rc = sb_inv_prep(db, &db->last_ledger,
			      "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")))
		return rc;
	s = sqlite3_step(db->last_ledger);
	if (s == SQLITE_ROW) {
		const void *h = sqlite3_column_blob(db->last_ledger, 1);
		if (sqlite3_column_bytes(db->last_ledger, 1) != 32 || !h) {
			sqlite3_reset(db->last_ledger);
			return sb_error_set(SB_ETAMPER, "%s: the last ledger event has "
					    "no valid hash; run 'siteboot inventory "
					    "verify'", db->path);
		}
		db->head_seq = sqlite3_column_int64(db->last_ledger, 0);
		memcpy(db->head_hash, h, 32);
	} else if (s == SQLITE_DONE) {
		db->head_seq = 0;
		memset(db->head_hash, 0, 32);
	} else {
		return sb_inv_sqlerr(db, "read the ledger head");
	}
	sqlite3_reset(db->last_ledger);
	db->head_valid = true;
	return 0;
}

int sb_inv_ledger_append_raw(struct sb_inv *db, const char *actor,
			     const char *kind, const char *payload,
			     size_t len, int64_t *seq)
{
	char time[32], entry[4 + 8 + 3 * 2 + 32 + 32 + 2 * LEDGER_NAME_MAX];
	unsigned char psha[32], leaf[32], hash[32];
	size_t elen;
	int rc;

	if ((rc = check_name("actor", actor)) || (rc = check_name("kind", kind)))
		return rc;
	if ((rc = sb_inv_begin(db)))
		return rc;
	if ((rc = load_head(db)))
		goto fail;
	sb_inv_time(time, 0);
	sb_sha256(psha, payload, len);
	elen = sb_inv_event_entry(entry, sizeof(entry), db->head_seq + 1, time,
				  actor, kind, psha);
	sb_inv_event_hashes(leaf, hash, db->head_hash, entry, elen);
	if ((rc = sb_inv_prep(db, &db->ins_ledger,
			      "INSERT INTO ledger (seq, time, actor, kind, payload, "
			      "payload_sha256, prev, hash) VALUES (?,?,?,?,?,?,?,?)")))
		goto fail;
	sqlite3_bind_int64(db->ins_ledger, 1, db->head_seq + 1);
	sqlite3_bind_text(db->ins_ledger, 2, time, -1, SQLITE_STATIC);
	sqlite3_bind_text(db->ins_ledger, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(db->ins_ledger, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(db->ins_ledger, 5, payload, (int)len, SQLITE_STATIC);
	sqlite3_bind_blob(db->ins_ledger, 6, psha, 32, SQLITE_STATIC);
	sqlite3_bind_blob(db->ins_ledger, 7, db->head_hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(db->ins_ledger, 8, hash, 32, SQLITE_STATIC);
	if (sqlite3_step(db->ins_ledger) != SQLITE_DONE) {
		rc = sb_inv_sqlerr(db, "append to the ledger");
		sqlite3_reset(db->ins_ledger);
		goto fail;
	}
	sqlite3_reset(db->ins_ledger);
	db->head_seq++;
	memcpy(db->head_hash, hash, 32);
	if (seq)
		*seq = db->head_seq;
	return sb_inv_commit(db);
fail:
	sb_inv_rollback(db);
	return rc;
}

int sb_inv_ledger_append_seq(struct sb_inv *db, const char *actor,
			     const char *kind, const json_t *payload,
			     int64_t *seq)
{
	char *text = NULL;
	int rc;

	if (!payload)
		return sb_error_set(SB_EINTERNAL, "ledger event %s without payload",
				    kind ? kind : "?");
	if ((rc = sb_json_canonical(&text, payload)))
		return rc;
	rc = sb_inv_ledger_append_raw(db, actor, kind, text, strlen(text), seq);
	free(text);
	return rc;
}

int sb_inv_ledger_append(struct sb_inv *db, const char *actor,
			 const char *kind, const json_t *payload)
{
	return sb_inv_ledger_append_seq(db, actor, kind, payload, NULL);
}

int sb_inv_ledger_size(struct sb_inv *db, int64_t *size)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	*size = 0;
	if (sqlite3_prepare_v2(db->db, "SELECT count(*) FROM ledger", -1, &st,
			       NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "count ledger events");
	if (sqlite3_step(st) == SQLITE_ROW)
		*size = sqlite3_column_int64(st, 0);
	else
		rc = sb_inv_sqlerr(db, "count ledger events");
	sqlite3_finalize(st);
	return rc;
}

int sb_inv_ledger_last(struct sb_inv *db, const char *kind, int64_t *seq,
		       json_t **payload)
{
	sqlite3_stmt *st = NULL;
	json_error_t je;
	int rc = 0, step;

	*seq = 0;
	*payload = NULL;
	if (sqlite3_prepare_v2(db->db, "SELECT seq, payload FROM ledger WHERE kind = ? "
			       "ORDER BY seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read the ledger");
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 1);
		*seq = sqlite3_column_int64(st, 0);
		*payload = text ? json_loads(text, JSON_DECODE_ANY, &je) : NULL;
		if (!*payload)
			rc = sb_error_set(SB_EPROTO, "%s: ledger event %lld (%s) holds no JSON",
					  db->path, (long long)*seq, kind);
	} else if (step == SQLITE_DONE) {
		rc = sb_error_set(SB_ENOTFOUND, "%s: the ledger holds no '%s' event", db->path, kind);
	} else {
		rc = sb_inv_sqlerr(db, "read the ledger");
	}
	sqlite3_finalize(st);
	return rc;
}

int sb_inv_leaves(struct sb_inv *db, unsigned char (**out)[32], int64_t *n,
		  int64_t limit)
{
	sqlite3_stmt *st = NULL;
	unsigned char (*v)[32] = NULL;
	int64_t cap = 0, k = 0;
	int rc = 0, s;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db->db, "SELECT seq, time, actor, kind, "
			       "payload_sha256 FROM ledger WHERE seq <= ? ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read the ledger");
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : INT64_MAX);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		char entry[4 + 8 + 3 * 2 + 32 + 32 + 2 * LEDGER_NAME_MAX + 64];
		const void *ps = sqlite3_column_blob(st, 4);
		const char *t = sb_inv_col(st, 1), *a = sb_inv_col(st, 2),
			   *kd = sb_inv_col(st, 3);
		size_t elen;

		if (!ps || sqlite3_column_bytes(st, 4) != 32 || !t || !a || !kd) {
			rc = sb_error_set(SB_ETAMPER, "%s: ledger event %lld is "
					  "malformed; run 'siteboot inventory verify'",
					  db->path, (long long)sqlite3_column_int64(st, 0));
			goto out;
		}
		if (sqlite3_column_int64(st, 0) != k + 1) {
			rc = sb_error_set(SB_ETAMPER, "%s: ledger event %lld is "
					  "missing; run 'siteboot inventory verify'",
					  db->path, (long long)(k + 1));
			goto out;
		}
		if (k == cap) {
			int64_t nc = cap ? cap * 2 : 1024;
			void *nv = realloc(v, (size_t)nc * 32);
			if (!nv) {
				rc = sb_error_set(SB_ENOMEM, "out of memory");
				goto out;
			}
			v = nv;
			cap = nc;
		}
		elen = sb_inv_event_entry(entry, sizeof(entry), k + 1, t, a, kd, ps);
		if (elen > sizeof(entry)) {
			rc = sb_error_set(SB_ETAMPER, "%s: ledger event %lld is "
					  "malformed", db->path, (long long)(k + 1));
			goto out;
		}
		sb_merkle_leaf(v[k], entry, elen);
		k++;
	}
	if (s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "read the ledger");
out:
	sqlite3_finalize(st);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}
