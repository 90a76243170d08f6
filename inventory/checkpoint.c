/* Signed checkpoints of the ledger, and inclusion and consistency proofs.
 *
 * A checkpoint is a signed note in the C2SP tlog-checkpoint form, so that
 * tools made for transparency logs can read it:
 *
 *     siteboot/inventory
 *     <tree size>
 *     <base64 Merkle root>
 *
 *     — siteboot/inventory <base64(key id[4] || Ed25519 signature[64])>
 *
 * The key id is the first four bytes of SHA-256(name || "\n" || 0x01 ||
 * public key), as the signed-note format defines for Ed25519. */
#include "inventory/inv_priv.h"

#include "common/error.h"
#include "common/file.h"
#include "common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EM_DASH "\xe2\x80\x94"

static char *key_file(const char *key_path, const char *db_path)
{
	const char *slash;

	if (key_path)
		return sb_strdup(key_path);
	slash = strrchr(db_path, '/');
	if (!slash)
		return sb_strdup("ledger.key");
	return sb_asprintf("%.*s/ledger.key", (int)(slash - db_path), db_path);
}

static int key_load(EVP_PKEY **out, const char *path, bool create)
{
	struct stat st;
	FILE *f = NULL;
	EVP_PKEY *k = NULL;
	int fd, rc;

	*out = NULL;
	if (stat(path, &st) == 0) {
		if ((rc = sb_file_check_private(path))) {
			char msg[SB_ERROR_MAX];
			sb_strlcpy(msg, sb_error_message(), sizeof(msg));
			return sb_error_set(SB_ESECURITY, "%s; the ledger key signs "
					    "checkpoints and must be readable by its "
					    "owner only", msg);
		}
		if (!(f = fopen(path, "re")))
			return sb_error_set(SB_EIO, "%s: cannot read the ledger key: %s",
					    path, strerror(errno));
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		if (!k || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
			EVP_PKEY_free(k);
			return sb_error_set(SB_EINPUT, "%s: not an Ed25519 private key "
					    "in PEM form; move it aside to make a new one "
					    "(older checkpoints then need the old key)",
					    path);
		}
		*out = k;
		return 0;
	}
	if (!create)
		return sb_error_set(SB_ENOTFOUND, "%s: no ledger key", path);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!k)
		return sb_error_set(SB_EINTERNAL, "cannot make an Ed25519 key");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		rc = sb_error_set(SB_EIO, "%s: cannot create the ledger key: %s",
				  path, strerror(errno));
		if (fd >= 0)
			close(fd);
		EVP_PKEY_free(k);
		return rc;
	}
	if (!PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) ||
	    fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		unlink(path);
		EVP_PKEY_free(k);
		return sb_error_set(SB_EIO, "%s: cannot write the ledger key", path);
	}
	fclose(f);
	*out = k;
	return 0;
}

static int key_pub(const EVP_PKEY *k, unsigned char pub[32])
{
	size_t len = 32;

	if (!EVP_PKEY_get_raw_public_key(k, pub, &len) || len != 32)
		return sb_error_set(SB_EINTERNAL, "cannot read the public key");
	return 0;
}

int sb_inv_key_public(const char *key_path, const char *db_path,
		      unsigned char pub[32])
{
	char *path = key_file(key_path, db_path);
	EVP_PKEY *k = NULL;
	int rc;

	if (!path)
		return sb_error_set(SB_ENOMEM, "out of memory");
	rc = key_load(&k, path, false);
	if (!rc)
		rc = key_pub(k, pub);
	EVP_PKEY_free(k);
	free(path);
	return rc;
}

static void key_id(unsigned char id[4], const char *name,
		   const unsigned char pub[32])
{
	unsigned char buf[256 + 2 + 32], h[32];
	size_t n = strlen(name);

	if (n > 256)
		n = 256;
	memcpy(buf, name, n);
	buf[n] = '\n';
	buf[n + 1] = 0x01;
	memcpy(buf + n + 2, pub, 32);
	sb_sha256(h, buf, n + 2 + 32);
	memcpy(id, h, 4);
}

static char *note_body(const char *origin, int64_t size,
		       const unsigned char root[32])
{
	char b64[64];

	EVP_EncodeBlock((unsigned char *)b64, root, 32);
	return sb_asprintf("%s\n%lld\n%s\n", origin, (long long)size, b64);
}

static int sign_note(char **out, EVP_PKEY *k, const char *origin,
		     int64_t size, const unsigned char root[32], char kid[9])
{
	unsigned char pub[32], sig[4 + 64], id[4];
	char b64[128];
	size_t siglen = 64;
	EVP_MD_CTX *md = NULL;
	char *body = note_body(origin, size, root);
	int rc;

	*out = NULL;
	if (!body)
		return sb_error_set(SB_ENOMEM, "out of memory");
	if ((rc = key_pub(k, pub)))
		goto out;
	key_id(id, origin, pub);
	memcpy(sig, id, 4);
	sb_hex(kid, id, 4);
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit(md, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(md, sig + 4, &siglen, (const unsigned char *)body,
			   strlen(body)) != 1 || siglen != 64) {
		rc = sb_error_set(SB_EINTERNAL, "cannot sign the checkpoint");
		goto out;
	}
	EVP_EncodeBlock((unsigned char *)b64, sig, sizeof(sig));
	*out = sb_asprintf("%s\n" EM_DASH " %s %s\n", body, origin, b64);
	rc = *out ? 0 : sb_error_set(SB_ENOMEM, "out of memory");
out:
	EVP_MD_CTX_free(md);
	free(body);
	return rc;
}

int sb_inv_note_check(const char *key_path, const char *db_path,
		      const char *note, int64_t tree_size,
		      const unsigned char root[32], bool *ok, bool *checked)
{
	char *path = key_file(key_path, db_path), *body = NULL, *line = NULL;
	unsigned char pub[32], sig[4 + 64 + 4], id[4];
	EVP_PKEY *k = NULL, *pk = NULL;
	EVP_MD_CTX *md = NULL;
	const char *sep, *sl, *b64;
	int rc = 0, n;

	*ok = false;
	*checked = false;
	if (!path)
		return sb_error_set(SB_ENOMEM, "out of memory");
	if (key_load(&k, path, false)) {
		sb_error_clear();	/* no key here: signatures not checked */
		goto out;
	}
	if ((rc = key_pub(k, pub)))
		goto out;
	*checked = true;
	body = note_body(SB_INV_ORIGIN, tree_size, root);
	if (!body) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	/* the note must be exactly body + "\n" + one signature line */
	if (strncmp(note, body, strlen(body)) != 0)
		goto out;
	sep = note + strlen(body);
	if (*sep != '\n')
		goto out;
	sl = sep + 1;
	if (!sb_startswith(sl, EM_DASH " " SB_INV_ORIGIN " "))
		goto out;
	b64 = sl + strlen(EM_DASH " " SB_INV_ORIGIN " ");
	line = sb_strdup(b64);
	if (!line || !*line || line[strlen(line) - 1] != '\n')
		goto out;
	line[strlen(line) - 1] = '\0';
	if (strlen(line) != 92)	/* 68 bytes in base64 */
		goto out;
	n = EVP_DecodeBlock(sig, (const unsigned char *)line, (int)strlen(line));
	if (n < 68)
		goto out;
	key_id(id, SB_INV_ORIGIN, pub);
	if (memcmp(id, sig, 4) != 0)
		goto out;
	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	md = EVP_MD_CTX_new();
	if (!pk || !md || EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) != 1) {
		rc = sb_error_set(SB_EINTERNAL, "cannot check a signature");
		goto out;
	}
	*ok = EVP_DigestVerify(md, sig + 4, 64, (const unsigned char *)body,
			       strlen(body)) == 1;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(k);
	free(line);
	free(body);
	free(path);
	return rc;
}

void sb_inv_checkpoint_release(struct sb_inv_checkpoint *c)
{
	if (c) {
		free(c->note);
		c->note = NULL;
	}
}

int sb_inv_checkpoint_get(struct sb_inv *db, int64_t id,
			  struct sb_inv_checkpoint *out)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, s;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db->db, id > 0 ?
			       "SELECT id, tree_size, root, time, key_id, note "
			       "FROM checkpoints WHERE id = ?" :
			       "SELECT id, tree_size, root, time, key_id, note "
			       "FROM checkpoints ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read checkpoints");
	if (id > 0)
		sqlite3_bind_int64(st, 1, id);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->tree_size = sqlite3_column_int64(st, 1);
		if (sqlite3_column_bytes(st, 2) == 32)
			memcpy(out->root, sqlite3_column_blob(st, 2), 32);
		sb_strlcpy(out->time, sb_inv_col(st, 3) ? sb_inv_col(st, 3) : "",
			   sizeof(out->time));
		sb_strlcpy(out->key_id, sb_inv_col(st, 4) ? sb_inv_col(st, 4) : "",
			   sizeof(out->key_id));
		out->note = sb_strdup(sb_inv_col(st, 5));
	} else if (s == SQLITE_DONE) {
		rc = id > 0 ? sb_error_set(SB_ENOTFOUND, "%s: no checkpoint %lld; "
					   "'siteboot inventory checkpoint' makes one",
					   db->path, (long long)id) :
			      sb_error_set(SB_ENOTFOUND, "%s: no checkpoint yet; "
					   "'siteboot inventory checkpoint' makes one",
					   db->path);
	} else {
		rc = sb_inv_sqlerr(db, "read checkpoints");
	}
	sqlite3_finalize(st);
	return rc;
}

int sb_inv_checkpoint_make(struct sb_inv *db, const char *key_path,
			   const char *origin, struct sb_inv_checkpoint *out)
{
	struct sb_inv_verify v;
	EVP_PKEY *k = NULL;
	char *path = NULL, *note = NULL, time[32], kid[9];
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!origin)
		origin = SB_INV_ORIGIN;
	if (db->depth > 0)
		return sb_error_set(SB_EINTERNAL, "a checkpoint covers committed "
				    "events only: commit first");
	/* Every committed transaction is on disk (synchronous=FULL), so the
	 * events verify reads are durable. Never sign over a ledger that does
	 * not verify. */
	if ((rc = sb_inv_verify(db, &v)))
		return rc;
	if (v.problem != SB_INV_OK && v.problem != SB_INV_GUARD)
		return sb_error_set(SB_ETAMPER, "%s: will not sign a checkpoint: %s; "
				    "'siteboot inventory verify' says more",
				    db->path, v.detail);
	if (!(path = key_file(key_path, db->path))) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = key_load(&k, path, true)))
		goto out;
	if ((rc = sign_note(&note, k, origin, v.events, v.root, kid)))
		goto out;
	sb_inv_time(time, 0);
	if ((rc = sb_inv_begin(db)))
		goto out;
	if (sqlite3_prepare_v2(db->db, "INSERT INTO checkpoints (tree_size, root, "
			       "time, key_id, note) VALUES (?,?,?,?,?)", -1, &st,
			       NULL) != SQLITE_OK) {
		rc = sb_inv_sqlerr(db, "store the checkpoint");
		sb_inv_rollback(db);
		goto out;
	}
	sqlite3_bind_int64(st, 1, v.events);
	sqlite3_bind_blob(st, 2, v.root, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, time, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sb_inv_sqlerr(db, "store the checkpoint");
		sb_inv_rollback(db);
		goto out;
	}
	out->id = sqlite3_last_insert_rowid(db->db);
	if ((rc = sb_inv_commit(db)))
		goto out;
	out->tree_size = v.events;
	memcpy(out->root, v.root, 32);
	sb_strlcpy(out->time, time, sizeof(out->time));
	sb_strlcpy(out->key_id, kid, sizeof(out->key_id));
	out->note = note;
	note = NULL;
out:
	sqlite3_finalize(st);
	EVP_PKEY_free(k);
	free(note);
	free(path);
	return rc;
}

static json_t *hashes_json(const unsigned char (*h)[32], size_t n)
{
	json_t *a = json_array();
	char hex[65];

	for (size_t i = 0; a && i < n; i++) {
		sb_hex(hex, h[i], 32);
		json_array_append_new(a, json_string(hex));
	}
	return a;
}

/* The tree size to prove against: the one asked for, the latest
 * checkpoint's, or every event. */
static int pick_size(struct sb_inv *db, int64_t *size, json_t **cp)
{
	struct sb_inv_checkpoint c;
	int64_t n;
	int rc;

	*cp = json_null();
	if ((rc = sb_inv_ledger_size(db, &n)))
		return rc;
	if (*size > 0) {
		if (*size > n)
			return sb_error_set(SB_EINPUT, "the ledger has %lld events, "
					    "not %lld", (long long)n, (long long)*size);
		return 0;
	}
	rc = sb_inv_checkpoint_get(db, 0, &c);
	if (rc == SB_ENOTFOUND) {
		sb_error_clear();
		*size = n;
		return 0;
	}
	if (rc)
		return rc;
	*size = c.tree_size;
	*cp = json_pack("{s:I, s:s}", "id", (json_int_t)c.id, "note", c.note);
	sb_inv_checkpoint_release(&c);
	return 0;
}

int sb_inv_prove_inclusion(json_t **out, struct sb_inv *db, int64_t seq,
			   int64_t tree_size)
{
	unsigned char (*leaves)[32] = NULL, (*path)[32] = NULL, root[32];
	char rhex[65], lhex[65];
	size_t plen = 0;
	int64_t n;
	json_t *cp = NULL;
	int rc;

	*out = NULL;
	if ((rc = pick_size(db, &tree_size, &cp)))
		goto out;
	if (seq < 1 || seq > tree_size) {
		rc = sb_error_set(SB_EINPUT, "event %lld is not in the tree of %lld "
				  "events%s", (long long)seq, (long long)tree_size,
				  json_is_null(cp) ? "" : " of the latest checkpoint; "
				  "make a new checkpoint first");
		goto out;
	}
	if ((rc = sb_inv_leaves(db, &leaves, &n, tree_size)))
		goto out;
	if ((rc = sb_merkle_inclusion(&path, &plen, (const unsigned char (*)[32])leaves,
				      (size_t)n, (size_t)(seq - 1))))
		goto out;
	sb_merkle_root(root, (const unsigned char (*)[32])leaves, (size_t)n);
	sb_hex(rhex, root, 32);
	sb_hex(lhex, leaves[seq - 1], 32);
	*out = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:o, s:O}",
			 "type", "inclusion", "seq", (json_int_t)seq,
			 "leaf_index", (json_int_t)(seq - 1),
			 "tree_size", (json_int_t)tree_size, "leaf_hash", lhex,
			 "root", rhex,
			 "path", hashes_json((const unsigned char (*)[32])path, plen),
			 "checkpoint", cp);
	if (!*out)
		rc = sb_error_set(SB_ENOMEM, "out of memory");
out:
	json_decref(cp);
	free(leaves);
	free(path);
	return rc;
}

int sb_inv_prove_consistency(json_t **out, struct sb_inv *db, int64_t old_size,
			     int64_t new_size)
{
	unsigned char (*leaves)[32] = NULL, (*path)[32] = NULL, r1[32], r2[32];
	char h1[65], h2[65];
	size_t plen = 0;
	int64_t n;
	json_t *cp = NULL;
	int rc;

	*out = NULL;
	if ((rc = pick_size(db, &new_size, &cp)))
		goto out;
	if (old_size < 0 || old_size > new_size) {
		rc = sb_error_set(SB_EINPUT, "tree size %lld is not within 0..%lld",
				  (long long)old_size, (long long)new_size);
		goto out;
	}
	if ((rc = sb_inv_leaves(db, &leaves, &n, new_size)))
		goto out;
	if ((rc = sb_merkle_consistency(&path, &plen,
					(const unsigned char (*)[32])leaves,
					(size_t)n, (size_t)old_size)))
		goto out;
	sb_merkle_root(r1, (const unsigned char (*)[32])leaves, (size_t)old_size);
	sb_merkle_root(r2, (const unsigned char (*)[32])leaves, (size_t)n);
	sb_hex(h1, r1, 32);
	sb_hex(h2, r2, 32);
	*out = json_pack("{s:s, s:I, s:I, s:s, s:s, s:o, s:O}",
			 "type", "consistency", "old_size", (json_int_t)old_size,
			 "new_size", (json_int_t)new_size, "old_root", h1,
			 "new_root", h2,
			 "path", hashes_json((const unsigned char (*)[32])path, plen),
			 "checkpoint", cp);
	if (!*out)
		rc = sb_error_set(SB_ENOMEM, "out of memory");
out:
	json_decref(cp);
	free(leaves);
	free(path);
	return rc;
}
