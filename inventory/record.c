/* Recording what a target reported: evidence, components (identity),
 * placements, observations, firmware, and their ledger events, all in one
 * transaction. */
#include "inventory/inv_priv.h"

#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "common/time.h"

#include <stdlib.h>
#include <string.h>

enum {
	S_REPORT_FIND, S_REPORT_INS, S_EV_INS, S_COMP_FIND, S_COMP_INS,
	S_COMP_SEEN, S_PLACE_OPEN, S_PLACE_CLOSE, S_PLACE_INS, S_OBS_INS,
	S_FW_LAST, S_FW_INS, S_PLACE_AT_NODE, S_PARTS_INS,
};

static const char *const rec_sql[] = {
	[S_REPORT_FIND] = "SELECT id FROM reports WHERE digest = ?",
	[S_REPORT_INS] = "INSERT INTO reports (digest, time, operator, site, node, "
			 "target, protocol, vendor, product, chassis_serial_raw, "
			 "chassis_serial, system_guid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
	[S_EV_INS] = "INSERT OR IGNORE INTO evidence (sha256, media_type, size, data) "
		     "VALUES (?,?,?,?)",
	[S_COMP_FIND] = "SELECT id FROM components WHERE identity = ?",
	[S_COMP_INS] = "INSERT INTO components (identity, class, manufacturer, model, "
		       "part_number, serial, serial_raw, durable_id, first_seen, "
		       "last_seen) VALUES (?,?,?,?,?,?,?,?,?,?)",
	[S_COMP_SEEN] = "UPDATE components SET last_seen = ?3, "
			"manufacturer = coalesce(manufacturer, ?4), "
			"model = coalesce(model, ?5), "
			"part_number = coalesce(part_number, ?6) WHERE id = ?1 AND ?2",
	[S_PLACE_OPEN] = "SELECT id, site, node, slot FROM placements "
			 "WHERE component_id = ? AND valid_to IS NULL",
	[S_PLACE_CLOSE] = "UPDATE placements SET valid_to = ? WHERE id = ?",
	[S_PLACE_INS] = "INSERT INTO placements (component_id, site, node, slot, "
			"source, valid_from) VALUES (?,?,?,?,?,?)",
	[S_OBS_INS] = "INSERT INTO observations (component_id, report_id, time, "
		      "operator, source, target, path, site, node, slot, manufacturer, "
		      "model, part_number, serial_raw, durable_id_raw, name, "
		      "capacity_bytes, speed, cores, evidence_sha256) VALUES "
		      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[S_FW_LAST] = "SELECT version FROM firmware WHERE node = ? AND name = ? AND "
		      "coalesce(component, '') = coalesce(?, '') ORDER BY id DESC LIMIT 1",
	[S_FW_INS] = "INSERT INTO firmware (report_id, time, site, node, name, "
		     "version, component, source, target, path, evidence_sha256) "
		     "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	[S_PLACE_AT_NODE] = "SELECT p.id, p.slot, p.source, c.identity FROM placements p "
			    "JOIN components c ON c.id = p.component_id "
			    "WHERE p.node = ? AND p.valid_to IS NULL",
	[S_PARTS_INS] = "INSERT INTO report_parts (report_id, n, rows) "
			SB_INV_PK_SELECT " WHERE r.id = ?",
};

static sqlite3_stmt *stmt(struct sb_inv *db, int which)
{
	if (sb_inv_prep(db, &db->rec[which], rec_sql[which]))
		return NULL;
	return db->rec[which];
}

/* A BMC URL without its user information: never store credentials. */
static char *clean_target(const char *t)
{
	const char *p, *at, *slash;

	if (!t)
		return NULL;
	p = strstr(t, "://");
	if (!p)
		return sb_strdup(t);
	p += 3;
	slash = strchr(p, '/');
	at = strchr(p, '@');
	if (!at || (slash && at > slash))
		return sb_strdup(t);
	return sb_asprintf("%.*s%s", (int)(p - t), t, at + 1);
}

struct rec {
	struct sb_inv *db;
	const struct sb_hw_inventory *hw;
	const struct sb_inv_ctx *ctx;
	struct sb_inv_record_stats *st;
	char time[32];
	char actor[160];
	char *target;
	const char *node;
	int64_t report_id;
	char digest[65];
	char (*evhex)[65];	/* per evidence index */
	struct sb_strv seen;	/* identities seen in this report */
	struct sb_strv sources;	/* sources in this report */
};

static int event(struct rec *r, const char *kind, json_t *payload)
{
	int rc;

	if (!payload)
		return sb_error_set(SB_ENOMEM, "out of memory");
	rc = sb_inv_ledger_append(r->db, r->actor, kind, payload);
	json_decref(payload);
	if (!rc)
		r->st->events++;
	return rc;
}

static int step_done(struct sb_inv *db, sqlite3_stmt *st, const char *what)
{
	int s = sqlite3_step(st);

	sqlite3_reset(st);
	if (s != SQLITE_DONE && s != SQLITE_ROW)
		return sb_inv_sqlerr(db, what);
	return 0;
}

static int identity_of(char *out, size_t size, const struct sb_hw_component *c,
		       const char *node, char *serial, size_t ssize,
		       char *durable, size_t dsize)
{
	const char *cls = sb_hw_class_name(c->cls);
	const char *slot = c->location ? c->location : c->name ? c->name :
			   c->path ? c->path : "-";
	const char *part = c->part_number ? c->part_number :
			   c->model ? c->model : "-";

	sb_inv_serial_norm(serial, ssize, c->serial);
	sb_inv_durable_norm(durable, dsize, c->durable_id);
	if (serial[0])
		snprintf(out, size, "s:%s:%s", cls, serial);
	else if (durable[0])
		snprintf(out, size, "d:%s:%s", cls, durable);
	else
		snprintf(out, size, "p:%s:%s/%s:%s", cls, node, slot, part);
	return 0;
}

static const char *ev_of(const struct rec *r, int idx)
{
	if (idx < 0 || (size_t)idx >= r->hw->nevidence)
		return NULL;
	return r->evhex[idx];
}

static int record_component(struct rec *r, const struct sb_hw_component *c)
{
	struct sb_inv *db = r->db;
	char ident[3 * SB_HW_FIELD_MAX + 64], serial[SB_HW_FIELD_MAX + 1],
	     durable[SB_HW_FIELD_MAX + 1];
	const char *slot = c->location ? c->location : c->name;
	const char *source = c->source ? c->source : "unknown";
	sqlite3_stmt *st;
	int64_t cid = 0, obs;
	bool is_new = false, placed = false;
	json_t *moved_from = NULL;
	int rc, s;

	identity_of(ident, sizeof(ident), c, r->node, serial, sizeof(serial),
		    durable, sizeof(durable));
	if (sb_strv_contains(&r->seen, ident)) {
		/* the same identity twice in one report (two DIMMs with one
		 * serial): keep them apart by slot */
		char alt[sizeof(ident) + SB_HW_FIELD_MAX + 8];
		snprintf(alt, sizeof(alt), "%s@%s/%s", ident, r->node,
			 slot ? slot : "-");
		sb_strlcpy(ident, alt, sizeof(ident));
	}
	if ((rc = sb_strv_push(&r->seen, ident)))
		return rc;
	if (!sb_strv_contains(&r->sources, source) &&
	    (rc = sb_strv_push(&r->sources, source)))
		return rc;
	if (!(st = stmt(db, S_COMP_FIND)))
		return sb_error_code();
	sqlite3_bind_text(st, 1, ident, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		cid = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return sb_inv_sqlerr(db, "find a component");
	if (!cid) {
		if (!(st = stmt(db, S_COMP_INS)))
			return sb_error_code();
		sqlite3_bind_text(st, 1, ident, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, sb_hw_class_name(c->cls), -1, SQLITE_STATIC);
		sb_inv_bind_text(st, 3, c->manufacturer);
		sb_inv_bind_text(st, 4, c->model);
		sb_inv_bind_text(st, 5, c->part_number);
		sb_inv_bind_text(st, 6, serial[0] ? serial : NULL);
		sb_inv_bind_text(st, 7, c->serial);
		sb_inv_bind_text(st, 8, durable[0] ? durable : NULL);
		sqlite3_bind_text(st, 9, r->time, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, r->time, -1, SQLITE_STATIC);
		if ((rc = step_done(db, st, "add a component")))
			return rc;
		cid = sqlite3_last_insert_rowid(db->db);
		is_new = true;
		r->st->new_components++;
	} else {
		if (!(st = stmt(db, S_COMP_SEEN)))
			return sb_error_code();
		sqlite3_bind_int64(st, 1, cid);
		sqlite3_bind_int(st, 2, 1);
		sqlite3_bind_text(st, 3, r->time, -1, SQLITE_STATIC);
		sb_inv_bind_text(st, 4, c->manufacturer);
		sb_inv_bind_text(st, 5, c->model);
		sb_inv_bind_text(st, 6, c->part_number);
		if ((rc = step_done(db, st, "update a component")))
			return rc;
	}
	/* placement: the last known place; a part seen elsewhere moved */
	if (!(st = stmt(db, S_PLACE_OPEN)))
		return sb_error_code();
	sqlite3_bind_int64(st, 1, cid);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pid = sqlite3_column_int64(st, 0);
		const char *pnode = sb_inv_col(st, 2), *pslot = sb_inv_col(st, 3);
		if (sb_streq(pnode, r->node) && sb_streq(pslot, slot)) {
			placed = true;
			continue;
		}
		if (!moved_from)
			moved_from = json_pack("{s:s?, s:s?, s:s?}", "site",
					       sb_inv_col(st, 1), "node", pnode,
					       "slot", pslot);
		{
			sqlite3_stmt *cl = stmt(db, S_PLACE_CLOSE);
			if (!cl) {
				sqlite3_reset(st);
				json_decref(moved_from);
				return sb_error_code();
			}
			sqlite3_bind_text(cl, 1, r->time, -1, SQLITE_STATIC);
			sqlite3_bind_int64(cl, 2, pid);
			if ((rc = step_done(db, cl, "close a placement"))) {
				sqlite3_reset(st);
				json_decref(moved_from);
				return rc;
			}
			r->st->placements_closed++;
		}
	}
	sqlite3_reset(st);
	if (s != SQLITE_DONE) {
		json_decref(moved_from);
		return sb_inv_sqlerr(db, "read placements");
	}
	if (!placed) {
		if (!(st = stmt(db, S_PLACE_INS))) {
			json_decref(moved_from);
			return sb_error_code();
		}
		sqlite3_bind_int64(st, 1, cid);
		sb_inv_bind_text(st, 2, r->ctx->site);
		sqlite3_bind_text(st, 3, r->node, -1, SQLITE_STATIC);
		sb_inv_bind_text(st, 4, slot);
		sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->time, -1, SQLITE_STATIC);
		if ((rc = step_done(db, st, "add a placement"))) {
			json_decref(moved_from);
			return rc;
		}
		r->st->placements_opened++;
		if ((rc = event(r, "placement.changed",
				json_pack("{s:s, s:o, s:{s:s?, s:s, s:s?}}",
					  "component", ident,
					  "from", moved_from ? moved_from : json_null(),
					  "to", "site", r->ctx->site, "node", r->node,
					  "slot", slot))))
			return rc;
	} else {
		json_decref(moved_from);
	}
	/* the observation itself */
	if (!(st = stmt(db, S_OBS_INS)))
		return sb_error_code();
	sqlite3_bind_int64(st, 1, cid);
	sqlite3_bind_int64(st, 2, r->report_id);
	sqlite3_bind_text(st, 3, r->time, -1, SQLITE_STATIC);
	sb_inv_bind_text(st, 4, r->ctx->operator_name);
	sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
	sb_inv_bind_text(st, 6, r->target);
	sb_inv_bind_text(st, 7, c->path);
	sb_inv_bind_text(st, 8, r->ctx->site);
	sqlite3_bind_text(st, 9, r->node, -1, SQLITE_STATIC);
	sb_inv_bind_text(st, 10, slot);
	sb_inv_bind_text(st, 11, c->manufacturer);
	sb_inv_bind_text(st, 12, c->model);
	sb_inv_bind_text(st, 13, c->part_number);
	sb_inv_bind_text(st, 14, c->serial);
	sb_inv_bind_text(st, 15, c->durable_id);
	sb_inv_bind_text(st, 16, c->name);
	if (c->capacity_bytes)
		sqlite3_bind_int64(st, 17, (sqlite3_int64)c->capacity_bytes);
	if (c->speed)
		sqlite3_bind_int64(st, 18, c->speed);
	if (c->cores)
		sqlite3_bind_int64(st, 19, c->cores);
	sb_inv_bind_text(st, 20, ev_of(r, c->evidence));
	if ((rc = step_done(db, st, "add an observation")))
		return rc;
	obs = sqlite3_last_insert_rowid(db->db);
	r->st->components++;
	return event(r, "component.observed",
		     json_pack("{s:s, s:b, s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, "
			       "s:s?, s:s, s:s?, s:s, s:s?, s:s?, s:s?}",
			       "component", ident, "new", is_new,
			       "observation", (json_int_t)obs,
			       "class", sb_hw_class_name(c->cls),
			       "manufacturer", c->manufacturer, "model", c->model,
			       "part_number", c->part_number, "serial", c->serial,
			       "durable_id", c->durable_id, "site", r->ctx->site,
			       "node", r->node, "slot", slot, "source", source,
			       "target", r->target, "path", c->path,
			       "evidence_sha256", ev_of(r, c->evidence)));
}

static int record_firmware(struct rec *r, const struct sb_hw_firmware *f)
{
	struct sb_inv *db = r->db;
	sqlite3_stmt *st = stmt(db, S_FW_LAST);
	char *prev = NULL;
	int rc, s;

	if (!st)
		return sb_error_code();
	sqlite3_bind_text(st, 1, r->node, -1, SQLITE_STATIC);
	sb_inv_bind_text(st, 2, f->name);
	sb_inv_bind_text(st, 3, f->component);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		prev = sb_strdup(sb_inv_col(st, 0));
	sqlite3_reset(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return sb_inv_sqlerr(db, "read firmware");
	if (!(st = stmt(db, S_FW_INS))) {
		free(prev);
		return sb_error_code();
	}
	sqlite3_bind_int64(st, 1, r->report_id);
	sqlite3_bind_text(st, 2, r->time, -1, SQLITE_STATIC);
	sb_inv_bind_text(st, 3, r->ctx->site);
	sqlite3_bind_text(st, 4, r->node, -1, SQLITE_STATIC);
	sb_inv_bind_text(st, 5, f->name);
	sb_inv_bind_text(st, 6, f->version);
	sb_inv_bind_text(st, 7, f->component);
	sb_inv_bind_text(st, 8, f->source);
	sb_inv_bind_text(st, 9, r->target);
	sb_inv_bind_text(st, 10, f->path);
	sb_inv_bind_text(st, 11, ev_of(r, f->evidence));
	if ((rc = step_done(db, st, "add firmware"))) {
		free(prev);
		return rc;
	}
	if (prev && sb_streq(prev, f->version)) {
		free(prev);
		return 0;	/* the same version again: no change */
	}
	if (prev)
		r->st->firmware_changed++;
	rc = event(r, prev ? "firmware.changed" : "firmware.observed",
		   json_pack("{s:s?, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}",
			     "site", r->ctx->site, "node", r->node, "name", f->name,
			     "component", f->component, "from", prev,
			     "to", f->version, "source", f->source,
			     "evidence_sha256", ev_of(r, f->evidence)));
	free(prev);
	return rc;
}

/* Placements at this node, from the sources of this report, whose
 * component this report no longer shows: the part was removed. */
static int close_missing(struct rec *r)
{
	struct sb_inv *db = r->db;
	sqlite3_stmt *st = stmt(db, S_PLACE_AT_NODE);
	struct { int64_t id; char *ident, *slot; } *gone = NULL;
	size_t ngone = 0;
	int rc = 0, s;

	if (!st)
		return sb_error_code();
	sqlite3_bind_text(st, 1, r->node, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ident = sb_inv_col(st, 3), *src = sb_inv_col(st, 2);
		void *p;
		if (!src || !sb_strv_contains(&r->sources, src) ||
		    sb_strv_contains(&r->seen, ident))
			continue;
		if (!(p = realloc(gone, (ngone + 1) * sizeof(*gone)))) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			break;
		}
		gone = p;
		gone[ngone].id = sqlite3_column_int64(st, 0);
		gone[ngone].ident = sb_strdup(ident);
		gone[ngone].slot = sb_strdup(sb_inv_col(st, 1));
		ngone++;
	}
	sqlite3_reset(st);
	if (!rc && s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "read placements");
	for (size_t i = 0; !rc && i < ngone; i++) {
		sqlite3_stmt *cl = stmt(db, S_PLACE_CLOSE);
		if (!cl) {
			rc = sb_error_code();
			break;
		}
		sqlite3_bind_text(cl, 1, r->time, -1, SQLITE_STATIC);
		sqlite3_bind_int64(cl, 2, gone[i].id);
		if ((rc = step_done(db, cl, "close a placement")))
			break;
		r->st->placements_closed++;
		rc = event(r, "placement.changed",
			   json_pack("{s:s, s:{s:s?, s:s, s:s?}, s:n}", "component",
				     gone[i].ident, "from", "site", r->ctx->site,
				     "node", r->node, "slot", gone[i].slot, "to"));
	}
	for (size_t i = 0; i < ngone; i++) {
		free(gone[i].ident);
		free(gone[i].slot);
	}
	free(gone);
	return rc;
}

static int report_digest(struct rec *r)
{
	json_t *doc = sb_inv_report_json(r->hw, false);
	char *text = NULL;
	int rc;

	if (!doc)
		return sb_error_set(SB_ENOMEM, "out of memory");
	json_object_set_new(doc, "node", json_string(r->node));
	sb_json_set_str(doc, "site", r->ctx->site);
	if (r->ctx->time_ms)
		json_object_set_new(doc, "time_ms", json_integer(r->ctx->time_ms));
	rc = sb_json_canonical(&text, doc);
	json_decref(doc);
	if (rc)
		return rc;
	sb_sha256_hex(r->digest, text, strlen(text));
	free(text);
	return 0;
}

static int record_report(struct rec *r)
{
	const struct sb_hw_inventory *hw = r->hw;
	struct sb_inv *db = r->db;
	char cser[SB_HW_FIELD_MAX + 1];
	sqlite3_stmt *st;
	int rc, s;

	if ((rc = report_digest(r)))
		return rc;
	if (!(st = stmt(db, S_REPORT_FIND)))
		return sb_error_code();
	sqlite3_bind_text(st, 1, r->digest, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	sqlite3_reset(st);
	if (s == SQLITE_ROW) {
		r->st->skipped = true;
		return 0;
	}
	if (s != SQLITE_DONE)
		return sb_inv_sqlerr(db, "find a report");
	/* evidence first: observations refer to it */
	for (size_t i = 0; i < hw->nevidence; i++) {
		const struct sb_hw_evidence *e = &hw->evidence[i];
		sb_sha256_hex(r->evhex[i], e->data ? (const void *)e->data : "", e->len);
		if (!(st = stmt(db, S_EV_INS)))
			return sb_error_code();
		sqlite3_bind_text(st, 1, r->evhex[i], -1, SQLITE_STATIC);
		sb_inv_bind_text(st, 2, e->media_type);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)e->len);
		sqlite3_bind_blob(st, 4, e->data ? (const void *)e->data : "",
				  (int)e->len, SQLITE_STATIC);
		if ((rc = step_done(db, st, "store evidence")))
			return rc;
		if (sqlite3_changes(db->db))
			r->st->evidence_new++;
	}
	sb_inv_serial_norm(cser, sizeof(cser), hw->chassis_serial);
	if (!(st = stmt(db, S_REPORT_INS)))
		return sb_error_code();
	sqlite3_bind_text(st, 1, r->digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->time, -1, SQLITE_STATIC);
	sb_inv_bind_text(st, 3, r->ctx->operator_name);
	sb_inv_bind_text(st, 4, r->ctx->site);
	sqlite3_bind_text(st, 5, r->node, -1, SQLITE_STATIC);
	sb_inv_bind_text(st, 6, r->target);
	sb_inv_bind_text(st, 7, hw->protocol);
	sb_inv_bind_text(st, 8, hw->vendor);
	sb_inv_bind_text(st, 9, hw->product);
	sb_inv_bind_text(st, 10, hw->chassis_serial);
	sb_inv_bind_text(st, 11, cser[0] ? cser : NULL);
	sb_inv_bind_text(st, 12, hw->system_guid);
	if ((rc = step_done(db, st, "add a report")))
		return rc;
	r->report_id = sqlite3_last_insert_rowid(db->db);
	for (size_t i = 0; i < hw->ncomponents; i++)
		if ((rc = record_component(r, &hw->components[i])))
			return rc;
	/* the report's rows as reconcile reads them, packed (inv_priv.h) */
	if (!(st = stmt(db, S_PARTS_INS)))
		return sb_error_code();
	sqlite3_bind_int64(st, 1, r->report_id);
	if ((rc = step_done(db, st, "pack the report's observations")))
		return rc;
	for (size_t i = 0; i < hw->nfirmware; i++)
		if ((rc = record_firmware(r, &hw->firmware[i])))
			return rc;
	if ((rc = close_missing(r)))
		return rc;
	{
		json_t *ev = json_array();
		for (size_t i = 0; ev && i < hw->nevidence; i++)
			json_array_append_new(ev, json_string(r->evhex[i]));
		rc = event(r, "report.recorded",
			   json_pack("{s:s, s:s?, s:s, s:s?, s:s?, s:s?, s:s?, s:I, "
				     "s:I, s:o}", "digest", r->digest, "site",
				     r->ctx->site, "node", r->node, "target", r->target,
				     "protocol", hw->protocol, "chassis_serial",
				     hw->chassis_serial, "operator", r->ctx->operator_name,
				     "components", (json_int_t)hw->ncomponents,
				     "firmware", (json_int_t)hw->nfirmware,
				     "evidence", ev ? ev : json_array()));
	}
	return rc;
}

int sb_inv_record(struct sb_inv *db, const struct sb_hw_inventory *hw,
		  const struct sb_inv_ctx *ctx, struct sb_inv_record_stats *st)
{
	static const struct sb_inv_ctx none = { 0 };
	struct sb_inv_record_stats dummy;
	struct rec r = { 0 };
	int rc;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	r.db = db;
	r.hw = hw;
	r.ctx = ctx ? ctx : &none;
	r.st = st;
	sb_inv_time(r.time, r.ctx->time_ms);
	snprintf(r.actor, sizeof(r.actor), "operator:%.120s",
		 r.ctx->operator_name ? r.ctx->operator_name : "siteboot");
	r.target = clean_target(hw->target);
	r.node = r.ctx->node ? r.ctx->node : r.target;
	if (!r.node) {
		free(r.target);
		return sb_error_set(SB_EINPUT, "a report names neither a node nor a "
				    "target");
	}
	if (hw->nevidence &&
	    !(r.evhex = calloc(hw->nevidence, sizeof(*r.evhex)))) {
		free(r.target);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	if ((rc = sb_inv_begin(db)))
		goto out;
	rc = record_report(&r);
	if (rc) {
		sb_inv_rollback(db);
		sb_error_prefix("%s: ", r.node);
	} else {
		rc = sb_inv_commit(db);
	}
out:
	sb_strv_release(&r.seen);
	sb_strv_release(&r.sources);
	free(r.evhex);
	free(r.target);
	return rc;
}

int sb_inv_evidence_get(struct sb_inv *db, const char *sha256hex,
			unsigned char **data, size_t *len, char **media_type)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, s;

	*data = NULL;
	*len = 0;
	if (media_type)
		*media_type = NULL;
	if (sqlite3_prepare_v2(db->db, "SELECT data, media_type FROM evidence "
			       "WHERE sha256 = ?", -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read evidence");
	sqlite3_bind_text(st, 1, sha256hex, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		int n = sqlite3_column_bytes(st, 0);
		char check[65];
		*data = malloc((size_t)n + 1);
		if (!*data) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
		} else {
			if (n)
				memcpy(*data, sqlite3_column_blob(st, 0), (size_t)n);
			(*data)[n] = 0;
			*len = (size_t)n;
			sb_sha256_hex(check, *data, *len);
			if (strcmp(check, sha256hex) != 0) {
				rc = sb_error_set(SB_ETAMPER, "evidence %s does not "
						  "match its hash: the database was "
						  "edited", sha256hex);
				free(*data);
				*data = NULL;
			} else if (media_type) {
				*media_type = sb_strdup(sb_inv_col(st, 1));
			}
		}
	} else if (s == SQLITE_DONE) {
		rc = sb_error_set(SB_ENOTFOUND, "no evidence %s in %s", sha256hex,
				  db->path);
	} else {
		rc = sb_inv_sqlerr(db, "read evidence");
	}
	sqlite3_finalize(st);
	return rc;
}
