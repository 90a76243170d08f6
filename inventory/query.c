/* Reading the inventory back: what sits where (show) and everything known
 * about one component (history). */
#include "inventory/inv_priv.h"

#include "common/error.h"
#include "common/json.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>

static json_t *col_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	default:
		return json_string(sb_inv_col(st, i));
	}
}

/* Every row of a query as an object keyed by the column names. */
static int rows_json(struct sb_inv *db, json_t *arr, const char *sql,
		     const char *const *binds, size_t nbinds)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, s;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "query the inventory");
	for (size_t i = 0; i < nbinds; i++)
		sb_inv_bind_text(st, (int)i + 1, binds[i]);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		if (!o) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			break;
		}
		for (int i = 0; i < sqlite3_column_count(st); i++)
			json_object_set_new(o, sqlite3_column_name(st, i), col_json(st, i));
		json_array_append_new(arr, o);
	}
	if (!rc && s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "query the inventory");
	sqlite3_finalize(st);
	return rc;
}

int sb_inv_show(json_t **out, struct sb_inv *db, const char *node)
{
	const char *b[1] = { node };
	json_t *comps = json_array(), *fw = json_array();
	int rc;

	*out = NULL;
	if (!comps || !fw) {
		json_decref(comps);
		json_decref(fw);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	rc = rows_json(db, comps,
		       "SELECT p.site, p.node, p.slot, c.class, c.manufacturer, c.model, "
		       "c.part_number, c.serial_raw AS serial, c.serial AS serial_normalised, "
		       "c.durable_id, c.identity, p.source, p.valid_from AS since, "
		       "c.first_seen, c.last_seen FROM placements p "
		       "JOIN components c ON c.id = p.component_id "
		       "WHERE p.valid_to IS NULL AND (?1 IS NULL OR p.node = ?1) "
		       "ORDER BY p.node, c.class, p.slot, c.identity", b, 1);
	if (!rc)
		rc = rows_json(db, fw,
			       "SELECT f.site, f.node, f.name, f.component, f.version, "
			       "f.source, f.time, f.evidence_sha256 FROM firmware f "
			       "WHERE f.id IN (SELECT max(id) FROM firmware "
			       "WHERE ?1 IS NULL OR node = ?1 "
			       "GROUP BY node, name, coalesce(component, '')) "
			       "ORDER BY f.node, f.name", b, 1);
	if (rc) {
		json_decref(comps);
		json_decref(fw);
		return rc;
	}
	*out = json_pack("{s:o, s:o}", "components", comps, "firmware", fw);
	return *out ? 0 : sb_error_set(SB_ENOMEM, "out of memory");
}

int sb_inv_history(json_t **out, struct sb_inv *db, const char *serial)
{
	char norm[SB_HW_FIELD_MAX + 1], dur[SB_HW_FIELD_MAX + 1];
	json_t *comps = json_array();
	sqlite3_stmt *st = NULL;
	int rc = 0, s;

	*out = NULL;
	if (!comps)
		return sb_error_set(SB_ENOMEM, "out of memory");
	sb_inv_serial_norm(norm, sizeof(norm), serial);
	sb_inv_durable_norm(dur, sizeof(dur), serial);
	if (sqlite3_prepare_v2(db->db,
			       "SELECT id, identity, class, manufacturer, model, "
			       "part_number, serial_raw, serial, durable_id, first_seen, "
			       "last_seen FROM components WHERE serial = ?1 OR "
			       "serial_raw = ?2 OR durable_id = ?3 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		json_decref(comps);
		return sb_inv_sqlerr(db, "query the inventory");
	}
	sb_inv_bind_text(st, 1, norm[0] ? norm : NULL);
	sb_inv_bind_text(st, 2, serial);
	sb_inv_bind_text(st, 3, dur[0] ? dur : NULL);
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		char id[32];
		const char *ident = sb_inv_col(st, 1);
		const char *b[2] = { id, ident };
		json_t *c = json_object(), *pl = json_array(), *ob = json_array(),
		       *ev = json_array();

		snprintf(id, sizeof(id), "%lld", (long long)sqlite3_column_int64(st, 0));
		if (!c || !pl || !ob || !ev) {
			json_decref(c);
			json_decref(pl);
			json_decref(ob);
			json_decref(ev);
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			break;
		}
		for (int i = 1; i < sqlite3_column_count(st); i++)
			json_object_set_new(c, sqlite3_column_name(st, i), col_json(st, i));
		rc = rows_json(db, pl, "SELECT site, node, slot, source, valid_from, "
			       "valid_to FROM placements WHERE component_id = ?1 "
			       "ORDER BY id", b, 1);
		if (!rc)
			rc = rows_json(db, ob, "SELECT time, operator, source, target, "
				       "path, site, node, slot, manufacturer, model, "
				       "part_number, serial_raw AS serial, durable_id_raw "
				       "AS durable_id, evidence_sha256 FROM observations "
				       "WHERE component_id = ?1 ORDER BY id", b, 1);
		if (!rc)
			rc = rows_json(db, ev, "SELECT seq, time, actor, kind, payload "
				       "FROM ledger WHERE json_extract(payload, "
				       "'$.component') = ?2 ORDER BY seq", b, 2);
		if (!rc) {
			size_t k;
			json_t *e;
			/* payloads are canonical JSON text: show them as JSON */
			json_array_foreach(ev, k, e) {
				const char *t = sb_json_str(e, "payload");
				json_t *pj = t ? json_loads(t, 0, NULL) : NULL;
				if (pj)
					json_object_set_new(e, "payload", pj);
			}
		}
		json_object_set_new(c, "placements", pl);
		json_object_set_new(c, "observations", ob);
		json_object_set_new(c, "events", ev);
		json_array_append_new(comps, c);
	}
	sqlite3_finalize(st);
	if (rc) {
		json_decref(comps);
		return rc;
	}
	if (json_array_size(comps) == 0) {
		json_decref(comps);
		return sb_error_set(SB_ENOTFOUND, "no component with serial or "
				    "identifier '%s' in the inventory; 'siteboot "
				    "inventory show' lists what is there", serial);
	}
	*out = comps;
	return 0;
}
