/* Benchmark helper for the inventory ledger (tests/bench/b_ledger_*.sh).
 *
 *   invbench append DB N BATCH   append N events with ~200-byte canonical
 *                                JSON payloads, BATCH per transaction, and
 *                                print "events SECONDS RATE"
 *   invbench sql N               print the same rows as SQL text for the
 *                                sqlite3 shell (one transaction), hashes
 *                                included, so both sides write equal rows
 */
#include "common/error.h"
#include "common/str.h"
#include "common/time.h"
#include "inventory/inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A payload of about 200 bytes, different for every event. */
static size_t payload(char *buf, size_t size, long i)
{
	int n = snprintf(buf, size,
			 "{\"class\":\"memory\",\"component\":\"s:memory:DM%010ld\","
			 "\"evidence_sha256\":\"%064lx\",\"node\":\"core-n%05ld\","
			 "\"slot\":\"DIMM_A%ld\",\"source\":\"redfish\"}",
			 i, (unsigned long)i * 2654435761ul, i / 50, i % 16);
	return n > 0 ? (size_t)n : 0;
}

static int append(const char *path, long n, long batch)
{
	struct sb_inv *db;
	char buf[512];
	uint64_t t0;
	double secs;

	if (sb_inv_open(&db, path, SB_INV_NOCHECK)) {
		fprintf(stderr, "invbench: %s\n", sb_error_message());
		return 1;
	}
	t0 = sb_time_mono_ns();
	for (long i = 0; i < n;) {
		if (sb_inv_begin(db))
			goto fail;
		for (long k = 0; k < batch && i < n; k++, i++) {
			size_t len = payload(buf, sizeof(buf), i);
			if (sb_inv_ledger_append_raw(db, "operator:bench", "component.observed",
						     buf, len, NULL))
				goto fail;
		}
		if (sb_inv_commit(db))
			goto fail;
	}
	secs = (double)(sb_time_mono_ns() - t0) / 1e9;
	printf("%ld %.3f %.0f\n", n, secs, (double)n / secs);
	sb_inv_close(db);
	return 0;
fail:
	fprintf(stderr, "invbench: %s\n", sb_error_message());
	sb_inv_close(db);
	return 1;
}

static void hexblob(char *out, const unsigned char h[32])
{
	sb_hex(out, h, 32);
}

static int sql(long n)
{
	unsigned char psha[32], prev[32] = { 0 }, leaf[32], hash[32];
	char buf[512], entry[512], time[32], hp[65], hv[65], hh[65];

	sb_time_iso8601(time, sizeof(time), sb_time_now_ms());
	puts("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
	puts("CREATE TABLE IF NOT EXISTS ledger (seq INTEGER PRIMARY KEY, time TEXT NOT NULL, "
	     "actor TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, "
	     "payload_sha256 BLOB NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL);");
	puts("BEGIN;");
	for (long i = 0; i < n; i++) {
		size_t len = payload(buf, sizeof(buf), i), el;
		unsigned char tmp[64];
		sb_sha256(psha, buf, len);
		el = sb_inv_event_entry(entry, sizeof(entry), i + 1, time, "operator:bench",
					"component.observed", psha);
		sb_merkle_leaf(leaf, entry, el);
		memcpy(tmp, prev, 32);
		memcpy(tmp + 32, leaf, 32);
		sb_sha256(hash, tmp, 64);
		hexblob(hp, psha);
		hexblob(hv, prev);
		hexblob(hh, hash);
		printf("INSERT INTO ledger VALUES (%ld,'%s','operator:bench',"
		       "'component.observed','%s',X'%s',X'%s',X'%s');\n",
		       i + 1, time, buf, hp, hv, hh);
		memcpy(prev, hash, 32);
	}
	puts("COMMIT;");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "append") == 0) {
		long n = strtol(argv[3], NULL, 10), b = strtol(argv[4], NULL, 10);
		return append(argv[2], n > 0 ? n : 0, b > 0 ? b : 1);
	}
	if (argc == 3 && strcmp(argv[1], "sql") == 0)
		return sql(strtol(argv[2], NULL, 10));
	fprintf(stderr, "usage: invbench append DB N BATCH | invbench sql N\n");
	return 2;
}
