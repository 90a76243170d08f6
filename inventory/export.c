/* Exports: CSV of what sits where, CycloneDX 1.6 (the observed inventory
 * as lifecycle phase "discovery", a BOM as "design"), NetBox bulk import
 * objects, and the ledger as JSON lines for an auditor. */
#include "inventory/inv_priv.h"

#include "common/error.h"
#include "common/json.h"
#include "common/str.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* ---- CSV -------------------------------------------------------------------- */

int sb_inv_csv_field(FILE *f, const char *s, bool last)
{
	if (s && strpbrk(s, ",\"\n\r")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(nz(s), f);
	}
	return fputc(last ? '\n' : ',', f) == EOF ? -1 : 0;
}

int sb_inv_export_csv(FILE *f, struct sb_inv *db)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, s;

	if (sqlite3_prepare_v2(db->db,
			       "SELECT p.site, p.node, p.slot, c.class, c.manufacturer, "
			       "c.model, c.part_number, c.serial_raw, c.serial, "
			       "c.durable_id, p.valid_from, c.first_seen, c.last_seen, "
			       "p.source, (SELECT evidence_sha256 FROM observations o "
			       "WHERE o.component_id = c.id ORDER BY o.id DESC LIMIT 1) "
			       "FROM placements p JOIN components c ON c.id = p.component_id "
			       "WHERE p.valid_to IS NULL ORDER BY p.node, c.class, p.slot",
			       -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read the inventory");
	fputs("site,node,slot,class,manufacturer,model,part_number,serial,"
	      "serial_normalised,durable_id,placed_since,first_seen,last_seen,"
	      "source,evidence_sha256\n", f);
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		for (int i = 0; i < 15; i++)
			sb_inv_csv_field(f, sb_inv_col(st, i), i == 14);
	if (s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "read the inventory");
	sqlite3_finalize(st);
	if (!rc && (fflush(f) != 0 || ferror(f)))
		rc = sb_error_set(SB_EIO, "cannot write the export");
	return rc;
}

/* ---- CycloneDX 1.6 ------------------------------------------------------------ */

static void prop(json_t *props, const char *name, const char *value)
{
	if (value && *value)
		json_array_append_new(props, json_pack("{s:s, s:s}", "name", name,
						       "value", value));
}

static json_t *manufacturer(const char *name)
{
	return name ? json_pack("{s:s}", "name", name) : NULL;
}

static void uuid_urn(char out[46])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0x5a, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 46, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
		 b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static json_t *cdx_doc(const char *phase, const char *site, json_t *components)
{
	char urn[46], time[32];
	json_t *meta;

	uuid_urn(urn);
	sb_inv_time(time, 0);
	/* seconds are enough and keep the timestamp plain date-time */
	meta = json_pack("{s:s, s:[{s:s}], s:{s:[{s:s, s:s, s:s}]}}",
			 "timestamp", time, "lifecycles", "phase", phase,
			 "tools", "components", "type", "application", "name",
			 "siteboot", "version", SB_VERSION);
	if (meta && site)
		json_object_set_new(meta, "properties",
				    json_pack("[{s:s, s:s}]", "name", "siteboot:site",
					      "value", site));
	return json_pack("{s:s, s:s, s:s, s:i, s:o, s:o}", "bomFormat", "CycloneDX",
			 "specVersion", "1.6", "serialNumber", urn, "version", 1,
			 "metadata", meta, "components", components);
}

/* A node's device holding its parts and firmware. */
static json_t *node_device(const char *node, const char *site)
{
	json_t *props = json_array();
	char ref[300];

	snprintf(ref, sizeof(ref), "node:%s", node);
	prop(props, "cdx:device:location", site ? site : NULL);
	return json_pack("{s:s, s:s, s:s, s:o, s:[], s:s}", "type", "device",
			 "bom-ref", ref, "name", node, "properties", props,
			 "components", "description", "server");
}

int sb_inv_export_cyclonedx(json_t **out, struct sb_inv *db, const char *site)
{
	json_t *nodes = json_array(), *node = NULL;
	sqlite3_stmt *st = NULL;
	char last[256] = "";
	int rc = 0, s;

	*out = NULL;
	if (!nodes)
		return sb_error_set(SB_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(db->db,
			       "SELECT p.node, p.slot, c.class, c.manufacturer, c.model, "
			       "c.part_number, c.serial_raw, c.durable_id, c.identity, "
			       "p.site FROM placements p JOIN components c ON "
			       "c.id = p.component_id WHERE p.valid_to IS NULL AND "
			       "(?1 IS NULL OR p.site = ?1) ORDER BY p.node, c.class, p.slot",
			       -1, &st, NULL) != SQLITE_OK) {
		json_decref(nodes);
		return sb_inv_sqlerr(db, "read the inventory");
	}
	sb_inv_bind_text(st, 1, site);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = sb_inv_col(st, 0), *slot = sb_inv_col(st, 1),
			   *cls = sb_inv_col(st, 2), *model = sb_inv_col(st, 4),
			   *pn = sb_inv_col(st, 5), *ser = sb_inv_col(st, 6),
			   *dur = sb_inv_col(st, 7);
		json_t *props = json_array(), *c;
		char loc[600];

		if (strcmp(n, last) != 0) {
			node = node_device(n, sb_inv_col(st, 9));
			json_array_append_new(nodes, node);
			sb_strlcpy(last, n, sizeof(last));
		}
		snprintf(loc, sizeof(loc), "%s/%s", n, slot ? slot : "-");
		prop(props, "cdx:device:serialNumber", ser);
		prop(props, "cdx:device:location", loc);
		prop(props, "cdx:device:function", cls);
		if (strcmp(cls, "nic") == 0)
			prop(props, "cdx:device:macAddress", dur);
		else
			prop(props, "siteboot:durable_id", dur);
		prop(props, "siteboot:part_number", pn);
		c = json_pack("{s:s, s:s, s:s, s:o}", "type", "device", "bom-ref",
			      sb_inv_col(st, 8), "name", model ? model : pn ? pn : cls,
			      "properties", props);
		if (c && sb_inv_col(st, 3))
			json_object_set_new(c, "manufacturer", manufacturer(sb_inv_col(st, 3)));
		if (c && pn)
			json_object_set_new(c, "description", json_string(pn));
		if (c && strcmp(cls, "chassis") == 0 && ser) {
			/* the server itself carries the chassis serial too */
			json_t *np = json_object_get(node, "properties");
			prop(np, "cdx:device:serialNumber", ser);
		}
		json_array_append_new(json_object_get(node, "components"), c);
	}
	if (s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "read the inventory");
	sqlite3_finalize(st);
	st = NULL;
	/* firmware as nested components of the node */
	if (!rc && sqlite3_prepare_v2(db->db,
				      "SELECT f.node, f.name, f.version, f.component FROM "
				      "firmware f WHERE f.id IN (SELECT max(id) FROM "
				      "firmware GROUP BY node, name, coalesce(component, '')) "
				      "AND (?1 IS NULL OR f.site = ?1) ORDER BY f.node, f.name",
				      -1, &st, NULL) != SQLITE_OK)
		rc = sb_inv_sqlerr(db, "read firmware");
	if (!rc) {
		sb_inv_bind_text(st, 1, site);
		while ((s = sqlite3_step(st)) == SQLITE_ROW) {
			const char *n = sb_inv_col(st, 0);
			json_t *holder = NULL, *x;
			size_t i;
			char ref[600];
			json_array_foreach(nodes, i, x)
				if (sb_streq(sb_json_str(x, "name"), n))
					holder = x;
			if (!holder) {
				holder = node_device(n, site);
				json_array_append_new(nodes, holder);
			}
			snprintf(ref, sizeof(ref), "fw:%s:%s:%s", n, nz(sb_inv_col(st, 1)),
				 nz(sb_inv_col(st, 3)));
			x = json_pack("{s:s, s:s, s:s, s:s}", "type", "firmware",
				      "bom-ref", ref, "name", nz(sb_inv_col(st, 1)),
				      "version", sb_inv_col(st, 2) ? sb_inv_col(st, 2) :
				      "unknown");
			json_array_append_new(json_object_get(holder, "components"), x);
		}
		if (s != SQLITE_DONE)
			rc = sb_inv_sqlerr(db, "read firmware");
	}
	sqlite3_finalize(st);
	if (rc) {
		json_decref(nodes);
		return rc;
	}
	*out = cdx_doc("discovery", site, nodes);
	return *out ? 0 : sb_error_set(SB_ENOMEM, "out of memory");
}

int sb_inv_export_cyclonedx_design(json_t **out, const struct sb_inv_expect *e)
{
	json_t *nodes = json_array();

	*out = NULL;
	if (!nodes)
		return sb_error_set(SB_ENOMEM, "out of memory");
	for (size_t i = 0; i < e->nnodes; i++) {
		const struct sb_inv_expect_node *n = &e->nodes[i];
		json_t *node = node_device(n->name, e->site);
		json_t *kids = json_object_get(node, "components");

		if (n->chassis.nserials)
			prop(json_object_get(node, "properties"), "cdx:device:serialNumber",
			     n->chassis.serials[0]);
		if (n->chassis.part_number)
			prop(json_object_get(node, "properties"), "siteboot:part_number",
			     n->chassis.part_number);
		if (n->chassis.manufacturer)
			json_object_set_new(node, "manufacturer",
					    manufacturer(n->chassis.manufacturer));
		for (size_t k = 0; k < n->nlines; k++) {
			const struct sb_inv_expect_line *l = &n->lines[k];
			for (unsigned u = 0; u < l->quantity; u++) {
				json_t *props = json_array(), *c;
				char ref[600], qty[16], loc[600];
				snprintf(ref, sizeof(ref), "bom:%s:%s:%u", n->name, l->id, u + 1);
				if (u < l->nslots)
					snprintf(loc, sizeof(loc), "%s/%s", n->name, l->slots[u]);
				else
					snprintf(loc, sizeof(loc), "%s", n->name);
				snprintf(qty, sizeof(qty), "1");
				prop(props, "cdx:device:quantity", qty);
				prop(props, "cdx:device:location", loc);
				prop(props, "cdx:device:function", sb_hw_class_name(l->cls));
				if (u < l->nserials)
					prop(props, "cdx:device:serialNumber", l->serials[u]);
				if (l->cls == SB_HW_NIC && u < l->nids)
					prop(props, "cdx:device:macAddress", l->ids[u]);
				prop(props, "siteboot:part_number", l->part_number);
				prop(props, "siteboot:po", l->po);
				prop(props, "siteboot:bom_line", l->id);
				c = json_pack("{s:s, s:s, s:s, s:o}", "type", "device",
					      "bom-ref", ref, "name",
					      l->model ? l->model : l->part_number ?
					      l->part_number : sb_hw_class_name(l->cls),
					      "properties", props);
				if (c && l->manufacturer)
					json_object_set_new(c, "manufacturer",
							    manufacturer(l->manufacturer));
				json_array_append_new(kids, c);
			}
		}
		for (size_t k = 0; k < n->nfirmware; k++) {
			const struct sb_inv_expect_fw *f = &n->firmware[k];
			char ref[600];
			snprintf(ref, sizeof(ref), "bom-fw:%s:%s", n->name, nz(f->name));
			json_array_append_new(kids, json_pack("{s:s, s:s, s:s, s:s}",
							      "type", "firmware", "bom-ref", ref,
							      "name", nz(f->name), "version",
							      f->version ? f->version :
							      f->min_version ? f->min_version :
							      "unknown"));
		}
		json_array_append_new(nodes, node);
	}
	*out = cdx_doc("design", e->site, nodes);
	return *out ? 0 : sb_error_set(SB_ENOMEM, "out of memory");
}

/* ---- NetBox ------------------------------------------------------------------ */

int sb_inv_export_netbox(json_t **out, struct sb_inv *db, const char *site)
{
	json_t *devices = json_array(), *modules = json_array();
	sqlite3_stmt *st = NULL;
	int rc = 0, s;

	*out = NULL;
	if (!devices || !modules)
		goto nomem;
	/* devices: one per node, from its chassis */
	if (sqlite3_prepare_v2(db->db,
			       "SELECT p.node, coalesce(p.site, ?1), c.manufacturer, "
			       "c.model, c.serial_raw FROM placements p JOIN components c "
			       "ON c.id = p.component_id WHERE p.valid_to IS NULL AND "
			       "c.class = 'chassis' AND (?1 IS NULL OR p.site = ?1) "
			       "ORDER BY p.node", -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	sb_inv_bind_text(st, 1, site);
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(devices,
				      json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:s, s:s?}",
						"name", sb_inv_col(st, 0),
						"site", sb_inv_col(st, 1),
						"manufacturer", sb_inv_col(st, 2),
						"device_type", sb_inv_col(st, 3),
						"role", "server", "status", "active",
						"serial", sb_inv_col(st, 4)));
	if (s != SQLITE_DONE)
		goto sqlerr;
	sqlite3_finalize(st);
	st = NULL;
	/* modules: the parts in their bays */
	if (sqlite3_prepare_v2(db->db,
			       "SELECT p.node, p.slot, c.manufacturer, "
			       "coalesce(c.part_number, c.model), c.serial_raw, c.class "
			       "FROM placements p JOIN components c ON c.id = p.component_id "
			       "WHERE p.valid_to IS NULL AND c.class NOT IN ('chassis') AND "
			       "(?1 IS NULL OR p.site = ?1) ORDER BY p.node, p.slot",
			       -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	sb_inv_bind_text(st, 1, site);
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(modules,
				      json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s?, s:s?}",
						"device", sb_inv_col(st, 0),
						"module_bay", sb_inv_col(st, 1) ?
						sb_inv_col(st, 1) : "-",
						"manufacturer", sb_inv_col(st, 2),
						"module_type", sb_inv_col(st, 3),
						"status", "active",
						"serial", sb_inv_col(st, 4),
						"description", sb_inv_col(st, 5)));
	if (s != SQLITE_DONE)
		goto sqlerr;
	sqlite3_finalize(st);
	*out = json_pack("{s:o, s:o}", "dcim.device", devices, "dcim.module", modules);
	return *out ? 0 : sb_error_set(SB_ENOMEM, "out of memory");
sqlerr:
	rc = sb_inv_sqlerr(db, "read the inventory");
	sqlite3_finalize(st);
	json_decref(devices);
	json_decref(modules);
	return rc;
nomem:
	json_decref(devices);
	json_decref(modules);
	return sb_error_set(SB_ENOMEM, "out of memory");
}

/* ---- the ledger as JSON lines ------------------------------------------------- */

static int put_line(FILE *f, json_t *o)
{
	char *s;
	int rc = 0;

	if (!o)
		return sb_error_set(SB_ENOMEM, "out of memory");
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!s)
		return sb_error_set(SB_ENOMEM, "out of memory");
	if (fputs(s, f) == EOF || fputc('\n', f) == EOF)
		rc = sb_error_set(SB_EIO, "cannot write the export");
	free(s);
	return rc;
}

int sb_inv_export_jsonl(FILE *f, struct sb_inv *db)
{
	sqlite3_stmt *st = NULL;
	unsigned char pub[32];
	char hex[3][65];
	int rc, s;

	rc = sb_inv_key_public(NULL, db->path, pub);
	if (rc)
		sb_error_clear();
	else
		sb_hex(hex[0], pub, 32);
	if ((rc = put_line(f, json_pack("{s:s, s:s, s:s, s:s?}", "type", "header",
					"format", "siteboot-ledger-v1", "origin",
					SB_INV_ORIGIN, "ed25519_public_key",
					rc ? NULL : hex[0]))))
		return rc;
	if ((rc = sb_inv_exec(db, "BEGIN")))
		return rc;
	if (sqlite3_prepare_v2(db->db, "SELECT seq, time, actor, kind, payload, "
			       "payload_sha256, prev, hash FROM ledger ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = sb_inv_sqlerr(db, "read the ledger");
		goto out;
	}
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *p = json_loads(sb_inv_col(st, 4) ? sb_inv_col(st, 4) : "null",
				       JSON_DECODE_ANY, NULL);
		for (int i = 0; i < 3; i++) {
			if (sqlite3_column_bytes(st, 5 + i) == 32)
				sb_hex(hex[i], sqlite3_column_blob(st, 5 + i), 32);
			else
				hex[i][0] = '\0';
		}
		rc = put_line(f, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s}",
					   "type", "event",
					   "seq", (json_int_t)sqlite3_column_int64(st, 0),
					   "time", nz(sb_inv_col(st, 1)),
					   "actor", nz(sb_inv_col(st, 2)),
					   "kind", nz(sb_inv_col(st, 3)),
					   "payload_text", nz(sb_inv_col(st, 4)),
					   "payload", p ? p : json_null(),
					   "payload_sha256", hex[0], "prev", hex[1],
					   "hash", hex[2]));
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc)
		goto out;
	if (sqlite3_prepare_v2(db->db, "SELECT id, tree_size, root, time, key_id, note "
			       "FROM checkpoints ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		rc = sb_inv_sqlerr(db, "read checkpoints");
		goto out;
	}
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 2) == 32)
			sb_hex(hex[0], sqlite3_column_blob(st, 2), 32);
		else
			hex[0][0] = '\0';
		rc = put_line(f, json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s}",
					   "type", "checkpoint",
					   "id", (json_int_t)sqlite3_column_int64(st, 0),
					   "tree_size", (json_int_t)sqlite3_column_int64(st, 1),
					   "root", hex[0], "time", nz(sb_inv_col(st, 3)),
					   "key_id", nz(sb_inv_col(st, 4)),
					   "note", nz(sb_inv_col(st, 5))));
	}
out:
	sqlite3_finalize(st);
	sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
	if (!rc && (fflush(f) != 0 || ferror(f)))
		rc = sb_error_set(SB_EIO, "cannot write the export");
	return rc;
}
