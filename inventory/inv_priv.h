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
/* report_parts (schema 4, docs/inventory.md): per report, the rows of
 * its observations that reconcile reads, packed in one TEXT. Rows are in
 * observation id order, each ended by a line feed except the last;
 * fields are separated by tabs; in a field a backslash, tab and line feed
 * are written as the two characters \\, \t and \n, and NULL as \N.
 * Fields: observation id, component id, class, manufacturer, model and
 * part number (each the observation's, or else the component's when it
 * was packed), serial, raw serial (the observation's or the component's),
 * durable id, slot, source, evidence SHA-256, capacity in bytes. Two
 * shorthands: \= is the previous row's value of the field (class, names,
 * source, evidence: mostly the same down a report, and the evidence hash
 * alone is 64 of ~165 bytes a row), and a raw serial of \s is the row's
 * serial. `n` counts the rows. This one SELECT makes a report's row:
 * migration 4 ran it over every report, record.c runs it with
 * "WHERE r.id = ?" for each new one, in the transaction that adds the
 * observations. Changing the form needs a new migration that rebuilds
 * the table. */
#define SB_INV_PK_ESC(x) "replace(replace(replace(" x ", '\\', '\\\\'), " \
	"char(9), '\\t'), char(10), '\\n')"
#define SB_INV_PK_TEXT(x) "CASE WHEN " x " IS NULL THEN '\\N' ELSE " \
	SB_INV_PK_ESC(x) " END"
#define SB_INV_PK_SAME(x) "CASE WHEN " x " IS NULL THEN '\\N' WHEN " x \
	" = lag(" x ") OVER w THEN '\\=' ELSE " SB_INV_PK_ESC(x) " END"
#define SB_INV_PK_FROM "FROM observations o JOIN components c ON " \
	"c.id = o.component_id WHERE o.node = r.node AND o.report_id = r.id"
#define SB_INV_PK_RAW "coalesce(o.serial_raw, c.serial_raw)"
#define SB_INV_PK_ROW \
	"o.id || char(9) || o.component_id || char(9) || " \
	SB_INV_PK_SAME("c.class") " || char(9) || " \
	SB_INV_PK_SAME("coalesce(o.manufacturer, c.manufacturer)") " || char(9) || " \
	SB_INV_PK_SAME("coalesce(o.model, c.model)") " || char(9) || " \
	SB_INV_PK_SAME("coalesce(o.part_number, c.part_number)") " || char(9) || " \
	SB_INV_PK_TEXT("c.serial") " || char(9) || " \
	"CASE WHEN " SB_INV_PK_RAW " IS NULL THEN '\\N' WHEN " SB_INV_PK_RAW \
	" = c.serial THEN '\\s' ELSE " SB_INV_PK_ESC(SB_INV_PK_RAW) " END" \
	" || char(9) || " \
	SB_INV_PK_TEXT("c.durable_id") " || char(9) || " \
	SB_INV_PK_TEXT("o.slot") " || char(9) || " \
	SB_INV_PK_SAME("o.source") " || char(9) || " \
	SB_INV_PK_SAME("o.evidence_sha256") " || char(9) || " \
	"coalesce(CAST(o.capacity_bytes AS INTEGER), '\\N')"
#define SB_INV_PK_SELECT \
	"SELECT r.id, (SELECT count(*) " SB_INV_PK_FROM "), " \
	"coalesce((SELECT group_concat(row, char(10)) FROM (SELECT " \
	SB_INV_PK_ROW " AS row " SB_INV_PK_FROM " WINDOW w AS (ORDER BY o.id) " \
	"ORDER BY o.id)), '') FROM reports r"
#define SB_INV_PK_FIELDS 13

#define SB_INV_ORIGIN "siteboot/inventory"

#endif
