/* The inventory schema as an ordered list of forward migrations.
 *
 * Append new entries at the end with the next version; never edit one that
 * has shipped, since files in the field already ran it. The layout is
 * described in docs/inventory.md. */
#include "inventory/inv_priv.h"

const struct sb_inv_migration sb_inv_migrations[] = {
	{ 1, "core",
	  /* Identity: one row per physical component. `identity` is the key
	   * the component is known by: "s:CLASS:SERIAL", "d:CLASS:ID" or,
	   * for parts with neither, "p:CLASS:NODE/SLOT:PART". */
	  "CREATE TABLE components ("
	  "  id INTEGER PRIMARY KEY,"
	  "  identity TEXT NOT NULL UNIQUE,"
	  "  class TEXT NOT NULL,"
	  "  manufacturer TEXT, model TEXT, part_number TEXT,"
	  "  serial TEXT,"		/* normalised, NULL when absent */
	  "  serial_raw TEXT,"		/* as first reported */
	  "  durable_id TEXT,"		/* normalised WWN/MAC */
	  "  first_seen TEXT NOT NULL, last_seen TEXT NOT NULL);"
	  "CREATE INDEX components_serial ON components(serial);"
	  "CREATE INDEX components_durable ON components(durable_id);"
	  /* Placement: where a component sits, with a validity period. */
	  "CREATE TABLE placements ("
	  "  id INTEGER PRIMARY KEY,"
	  "  component_id INTEGER NOT NULL REFERENCES components(id),"
	  "  site TEXT, node TEXT NOT NULL, slot TEXT,"
	  "  source TEXT NOT NULL,"
	  "  valid_from TEXT NOT NULL, valid_to TEXT);"
	  "CREATE INDEX placements_open ON placements(node, valid_to);"
	  "CREATE INDEX placements_component ON placements(component_id);"
	  /* Evidence: raw bytes by SHA-256 (hex). */
	  "CREATE TABLE evidence ("
	  "  sha256 TEXT PRIMARY KEY,"
	  "  media_type TEXT, size INTEGER NOT NULL, data BLOB NOT NULL);"
	  /* One recorded report of one target. `digest` makes re-recording
	   * the same report a no-op. */
	  "CREATE TABLE reports ("
	  "  id INTEGER PRIMARY KEY,"
	  "  digest TEXT NOT NULL UNIQUE,"
	  "  time TEXT NOT NULL, operator TEXT, site TEXT, node TEXT NOT NULL,"
	  "  target TEXT, protocol TEXT, vendor TEXT, product TEXT,"
	  "  chassis_serial_raw TEXT, chassis_serial TEXT, system_guid TEXT);"
	  /* Observation: who saw which component where and when. */
	  "CREATE TABLE observations ("
	  "  id INTEGER PRIMARY KEY,"
	  "  component_id INTEGER NOT NULL REFERENCES components(id),"
	  "  report_id INTEGER NOT NULL REFERENCES reports(id),"
	  "  time TEXT NOT NULL, operator TEXT,"
	  "  source TEXT NOT NULL, target TEXT, path TEXT,"
	  "  site TEXT, node TEXT NOT NULL, slot TEXT,"
	  "  manufacturer TEXT, model TEXT, part_number TEXT,"
	  "  serial_raw TEXT, durable_id_raw TEXT, name TEXT,"
	  "  capacity_bytes INTEGER, speed INTEGER, cores INTEGER,"
	  "  evidence_sha256 TEXT REFERENCES evidence(sha256));"
	  "CREATE INDEX observations_component ON observations(component_id);"
	  "CREATE INDEX observations_node ON observations(node, report_id);"
	  /* Firmware versions seen per node. */
	  "CREATE TABLE firmware ("
	  "  id INTEGER PRIMARY KEY,"
	  "  report_id INTEGER NOT NULL REFERENCES reports(id),"
	  "  time TEXT NOT NULL, site TEXT, node TEXT NOT NULL,"
	  "  name TEXT NOT NULL, version TEXT, component TEXT,"
	  "  source TEXT, target TEXT, path TEXT,"
	  "  evidence_sha256 TEXT REFERENCES evidence(sha256));"
	  "CREATE INDEX firmware_node ON firmware(node, name);"
	  /* Decisions on reconciliation findings. */
	  "CREATE TABLE dispositions ("
	  "  id INTEGER PRIMARY KEY,"
	  "  finding TEXT NOT NULL, decision TEXT NOT NULL,"
	  "  by TEXT NOT NULL, note TEXT, time TEXT NOT NULL,"
	  "  ledger_seq INTEGER NOT NULL);"
	  "CREATE INDEX dispositions_finding ON dispositions(finding);"
	  /* Sites whose BOM was imported, by BOM hash. */
	  "CREATE TABLE boms ("
	  "  sha256 TEXT PRIMARY KEY, site TEXT NOT NULL, tier TEXT,"
	  "  path TEXT, time TEXT NOT NULL, ledger_seq INTEGER NOT NULL);"
	  /* The provenance ledger (docs/inventory.md). Hashes are 32-byte
	   * blobs; the payload is canonical JSON text. */
	  "CREATE TABLE ledger ("
	  "  seq INTEGER PRIMARY KEY,"
	  "  time TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL,"
	  "  payload TEXT NOT NULL, payload_sha256 BLOB NOT NULL,"
	  "  prev BLOB NOT NULL, hash BLOB NOT NULL);"
	  "CREATE TABLE checkpoints ("
	  "  id INTEGER PRIMARY KEY,"
	  "  tree_size INTEGER NOT NULL, root BLOB NOT NULL,"
	  "  time TEXT NOT NULL, key_id TEXT NOT NULL, note TEXT NOT NULL);"
	  /* Guards against accidents; the hashes are what detect tampering. */
	  "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger"
	  "  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
	  "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger"
	  "  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
	  "CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints"
	  "  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
	  "CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints"
	  "  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
	  "CREATE TRIGGER dispositions_no_update BEFORE UPDATE ON dispositions"
	  "  BEGIN SELECT RAISE(ABORT, 'dispositions are append-only'); END;"
	  "CREATE TRIGGER dispositions_no_delete BEFORE DELETE ON dispositions"
	  "  BEGIN SELECT RAISE(ABORT, 'dispositions are append-only'); END;" },
	{ 2, "runs",
	  /* Checklist runs (bootstrap/runstore.c, docs/runs.md): one row per
	   * run, one per step per host, and the SSH host keys pinned per
	   * node. Step outputs are kept capped (64 KiB) for templates. */
	  "CREATE TABLE runs ("
	  "  id TEXT PRIMARY KEY, checklist TEXT NOT NULL, checklist_path TEXT,"
	  "  checklist_sha256 TEXT NOT NULL, site TEXT NOT NULL, bom_path TEXT,"
	  "  bom_sha256 TEXT NOT NULL, selection TEXT NOT NULL DEFAULT '',"
	  "  started_by TEXT, dir TEXT, state TEXT NOT NULL,"
	  "  started_at INTEGER NOT NULL, finished_at INTEGER);"
	  "CREATE INDEX runs_resume ON runs(checklist_sha256, bom_sha256, selection);"
	  "CREATE TABLE run_steps ("
	  "  run_id TEXT NOT NULL REFERENCES runs(id), host TEXT NOT NULL,"
	  "  step TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL,"
	  "  attempts INTEGER NOT NULL DEFAULT 0, started_at INTEGER,"
	  "  finished_at INTEGER, exit_status INTEGER, output_sha256 TEXT,"
	  "  stdout TEXT, error TEXT, log TEXT,"
	  "  PRIMARY KEY (run_id, host, step));"
	  "CREATE INDEX run_steps_history ON run_steps(host, step, state);"
	  "CREATE TABLE ssh_host_keys ("
	  "  node TEXT PRIMARY KEY, endpoint TEXT, fingerprint TEXT NOT NULL,"
	  "  source TEXT, pinned_at INTEGER NOT NULL);" },
	{ 3, "bom_compiled",
	  /* A BOM as reconcile uses it (expectations and the parser's
	   * diagnostics), compiled once per BOM file and siteboot build:
	   * derived data, rebuilt from the file whenever it is missing or
	   * was made by another build (docs/decisions.md). */
	  "CREATE TABLE bom_compiled ("
	  "  id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, compiler TEXT NOT NULL,"
	  "  time TEXT NOT NULL, data BLOB NOT NULL,"
	  "  UNIQUE (sha256, compiler));" },
	{ 4, "report_parts",
	  /* Per report, the rows of its observations that reconcile reads,
	   * packed in one TEXT (inv_priv.h, SB_INV_PK_SELECT): derived from
	   * observations and components, written with them; one row per
	   * report, also for a report without observations. */
	  "CREATE TABLE report_parts ("
	  "  report_id INTEGER PRIMARY KEY REFERENCES reports(id),"
	  "  n INTEGER NOT NULL, rows TEXT NOT NULL);"
	  "INSERT INTO report_parts (report_id, n, rows) " SB_INV_PK_SELECT ";" },
};

const size_t sb_inv_nmigrations =
	sizeof(sb_inv_migrations) / sizeof(sb_inv_migrations[0]);
