/* Private to inventory/: the open database and shared helpers. */
#ifndef SB_INVENTORY_INV_PRIV_H
#define SB_INVENTORY_INV_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "inventory/inventory.h"

struct sb_inv {
	sqlite3 *db;
	char *path;
	bool readonly;		/* the API refuses writes */
	bool conn_rw;		/* the connection itself can write */
	int depth;		/* sb_inv_begin nesting */
	/* the ledger head, valid inside a write transaction */
	bool head_valid;
	int64_t head_seq;
	unsigned char head_hash[32];
	sqlite3_stmt *ins_ledger;
	sqlite3_stmt *last_ledger;
	sqlite3_stmt *rec[24];	/* record.c's statements */
};

/* Prepare (cached in *st) or reset a statement. */
int sb_inv_prep(struct sb_inv *db, sqlite3_stmt **st, const char *sql);
/* Run SQL without results. */
int sb_inv_exec(struct sb_inv *db, const char *sql);
/* Bind text or NULL. */
void sb_inv_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Column text that may be NULL, as const char*. */
const char *sb_inv_col(sqlite3_stmt *st, int i);

/* The time as stored: ISO 8601 UTC with milliseconds. */
void sb_inv_time(char out[32], int64_t ms);

/* Chain and leaf hashes of one event entry. */
void sb_inv_event_hashes(unsigned char leaf[32], unsigned char hash[32],
			 const unsigned char prev[32], const char *entry,
			 size_t len);
/* Leaf hashes of events 1..limit (all when limit <= 0), in order; a gap
 * in the sequence is SB_ETAMPER. */
int sb_inv_leaves(struct sb_inv *db, unsigned char (**out)[32], int64_t *n,
		  int64_t limit);
/* Check a checkpoint note's signature with the appliance key (the one
 * beside the database, or key_path). *checked is false when no key is
 * available to check with. */
int sb_inv_note_check(const char *key_path, const char *db_path,
		      const char *note, int64_t tree_size,
		      const unsigned char root[32], bool *ok, bool *checked);
/* The name of the read-ahead VFS for connections that scan the file
 * from end to end (scanvfs.c), or NULL for the default one. */
const char *sb_inv_scan_vfs(void);
#define SB_INV_ORIGIN "siteboot/inventory"

#endif
