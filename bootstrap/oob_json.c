/* The --json contracts of the out-of-band commands (docs/oob.md). Keys
 * are stable: people script against them. Never a secret in here. */
#include "bootstrap/oob.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *component_json(const struct sb_hw_component *c)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "class", json_string(sb_hw_class_name(c->cls)));
	json_object_set_new(o, "manufacturer", str_or_null(c->manufacturer));
	json_object_set_new(o, "model", str_or_null(c->model));
	json_object_set_new(o, "part_number", str_or_null(c->part_number));
	json_object_set_new(o, "serial", str_or_null(c->serial));
	json_object_set_new(o, "location", str_or_null(c->location));
	json_object_set_new(o, "source", str_or_null(c->source));
	json_object_set_new(o, "path", str_or_null(c->path));
	json_object_set_new(o, "name", str_or_null(c->name));
	json_object_set_new(o, "asset_tag", str_or_null(c->asset_tag));
	json_object_set_new(o, "durable_id", str_or_null(c->durable_id));
	if (c->capacity_bytes)
		json_object_set_new(o, "capacity_bytes",
				    json_integer((json_int_t)c->capacity_bytes));
	if (c->speed)
		json_object_set_new(o, "speed", json_integer(c->speed));
	if (c->cores)
		json_object_set_new(o, "cores", json_integer(c->cores));
	if (c->evidence >= 0)
		json_object_set_new(o, "evidence", json_integer(c->evidence));
	return o;
}

static json_t *firmware_json(const struct sb_hw_firmware *f)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "name", str_or_null(f->name));
	json_object_set_new(o, "version", str_or_null(f->version));
	json_object_set_new(o, "source", str_or_null(f->source));
	json_object_set_new(o, "component", str_or_null(f->component));
	json_object_set_new(o, "path", str_or_null(f->path));
	if (f->evidence >= 0)
		json_object_set_new(o, "evidence", json_integer(f->evidence));
	return o;
}

static json_t *evidence_json(const struct sb_hw_evidence *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1] = "";

	if (EVP_Digest(e->data, e->len, md, &mdlen, EVP_sha256(), NULL) == 1)
		sb_hex(hex, md, mdlen);
	return json_pack("{s:s?, s:s?, s:s, s:I}", "path", e->path,
			 "media_type", e->media_type, "sha256", hex,
			 "bytes", (json_int_t)e->len);
}

int sb_oob_inventory_to_json(json_t *obj, const struct sb_hw_inventory *inv)
{
	json_t *comps = json_array(), *fw = json_array(), *ev = json_array();

	if (!comps || !fw || !ev) {
		json_decref(comps);
		json_decref(fw);
		json_decref(ev);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < inv->ncomponents; i++)
		json_array_append_new(comps, component_json(&inv->components[i]));
	for (size_t i = 0; i < inv->nfirmware; i++)
		json_array_append_new(fw, firmware_json(&inv->firmware[i]));
	for (size_t i = 0; i < inv->nevidence; i++)
		json_array_append_new(ev, evidence_json(&inv->evidence[i]));
	json_object_set_new(obj, "protocol", str_or_null(inv->protocol));
	json_object_set_new(obj, "vendor", str_or_null(inv->vendor));
	json_object_set_new(obj, "product", str_or_null(inv->product));
	json_object_set_new(obj, "system_guid", str_or_null(inv->system_guid));
	json_object_set_new(obj, "chassis_serial",
			    str_or_null(inv->chassis_serial));
	json_object_set_new(obj, "components", comps);
	json_object_set_new(obj, "firmware", fw);
	json_object_set_new(obj, "evidence", ev);
	return 0;
}

/* Copy a JSON string member into an owned field through sb_hw_set's
 * rules (it came from a file: treat it as untrusted). */
static int take(char **field, const json_t *o, const char *key)
{
	const char *s = sb_json_str(o, key);

	return s ? sb_hw_set(field, s, strlen(s)) : 0;
}

int sb_oob_inventory_from_json(struct sb_hw_inventory *inv, const json_t *obj)
{
	const json_t *comps, *fw, *v;
	size_t i;
	int rc = 0;

	if (!json_is_object(obj))
		return sb_error_set(SB_EINPUT,
				    "a discover result must be a JSON object");
	if (!sb_json_str(obj, "target"))
		return sb_error_set(SB_EINPUT,
				    "a discover result needs a 'target'");
	rc = take(&inv->target, obj, "target");
	rc = rc ? rc : take(&inv->protocol, obj, "protocol");
	rc = rc ? rc : take(&inv->vendor, obj, "vendor");
	rc = rc ? rc : take(&inv->product, obj, "product");
	rc = rc ? rc : take(&inv->system_guid, obj, "system_guid");
	rc = rc ? rc : take(&inv->chassis_serial, obj, "chassis_serial");
	if (rc)
		return rc;
	comps = sb_json_arr(obj, "components");
	json_array_foreach(comps, i, v) {
		const char *cls = sb_json_str(v, "class");
		int c = cls ? sb_hw_class_parse(cls) : -1;
		struct sb_hw_component *x;
		long long n;

		if (c < 0)
			return sb_error_set(SB_EINPUT,
					    "%s: component %zu: unknown class '%s'",
					    inv->target, i, cls ? cls : "");
		x = sb_hw_add_component(inv, (enum sb_hw_class)c, NULL, NULL);
		if (!x)
			return sb_error_set(SB_ENOMEM, "out of memory");
		rc = take(&x->source, v, "source");
		rc = rc ? rc : take(&x->path, v, "path");
		rc = rc ? rc : take(&x->manufacturer, v, "manufacturer");
		rc = rc ? rc : take(&x->model, v, "model");
		rc = rc ? rc : take(&x->part_number, v, "part_number");
		rc = rc ? rc : take(&x->serial, v, "serial");
		rc = rc ? rc : take(&x->location, v, "location");
		rc = rc ? rc : take(&x->name, v, "name");
		rc = rc ? rc : take(&x->asset_tag, v, "asset_tag");
		rc = rc ? rc : take(&x->durable_id, v, "durable_id");
		if (rc)
			return rc;
		if (sb_json_int(v, "capacity_bytes", &n) && n > 0)
			x->capacity_bytes = (uint64_t)n;
		if (sb_json_int(v, "speed", &n) && n > 0 && n <= UINT32_MAX)
			x->speed = (uint32_t)n;
		if (sb_json_int(v, "cores", &n) && n > 0 && n <= UINT32_MAX)
			x->cores = (uint32_t)n;
	}
	fw = sb_json_arr(obj, "firmware");
	json_array_foreach(fw, i, v) {
		const char *src = sb_json_str(v, "source");
		struct sb_hw_firmware *f;

		f = sb_hw_add_firmware(inv, sb_json_str(v, "name"),
				       sb_json_str(v, "version"),
				       src ? src : "unknown", NULL);
		if (!f)
			return sb_error_set(SB_ENOMEM, "out of memory");
		rc = take(&f->component, v, "component");
		rc = rc ? rc : take(&f->path, v, "path");
		if (rc)
			return rc;
	}
	return 0;
}

static json_t *findings_json(const struct sb_oob_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < r->nfindings; i++)
		json_array_append_new(a, json_pack("{s:s?, s:s?, s:s?}",
						   "id", r->findings[i].id,
						   "severity", r->findings[i].severity,
						   "text", r->findings[i].text));
	return a;
}

static void set_info(json_t *o, const struct sb_bmc_info *i)
{
	json_object_set_new(o, "vendor", str_or_null(i->vendor));
	json_object_set_new(o, "product", str_or_null(i->product));
	json_object_set_new(o, "firmware_version",
			    str_or_null(i->firmware_version));
	json_object_set_new(o, "system_guid", str_or_null(i->system_guid));
	json_object_set_new(o, "protocol_version",
			    str_or_null(i->protocol_version));
	/* Redfish over HTTPS: the certificate seen, to pin on first use */
	if (i->cert_sha256)
		json_object_set_new(o, "cert_sha256", json_string(i->cert_sha256));
}

json_t *sb_oob_result_json(const struct sb_oob_result *r, enum sb_oob_op op)
{
	const struct sb_oob_target *t = r->target;
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "target", json_string(t->name));
	if (op != SB_OOB_SCAN) {
		json_object_set_new(o, "node", str_or_null(t->node));
		json_object_set_new(o, "url", json_string(t->url));
	}
	json_object_set_new(o, "ok", json_boolean(r->done && r->rc == 0));
	if (!r->done) {
		json_object_set_new(o, "error", json_string("canceled before it started"));
		json_object_set_new(o, "error_code", json_string(sb_error_name(SB_ECANCELED)));
	} else if (r->rc) {
		json_object_set_new(o, "error", json_string(r->error ? r->error : ""));
		json_object_set_new(o, "error_code", json_string(sb_error_name(r->rc)));
	}
	switch (op) {
	case SB_OOB_POWER_STATUS:
	case SB_OOB_POWER:
		if (r->done && r->rc == 0)
			json_object_set_new(o, "power",
					    json_string(sb_power_state_name(r->power)));
		else if (r->power != SB_POWER_UNKNOWN)
			json_object_set_new(o, "power_seen",
					    json_string(sb_power_state_name(r->power)));
		break;
	case SB_OOB_BOOT:
		if (r->done && r->rc == 0)
			json_object_set_new(o, "boot",
					    json_pack("{s:s, s:s, s:s}", "device",
						      sb_boot_device_name(r->boot.device),
						      "mode", r->boot.persistent ? "persistent" : "once",
						      "firmware", r->boot.uefi ? "uefi" : "legacy"));
		break;
	case SB_OOB_MEDIA_INSERT:
	case SB_OOB_MEDIA_EJECT:
		json_object_set_new(o, "media",
				    json_string(op == SB_OOB_MEDIA_INSERT ?
						"inserted" : "ejected"));
		break;
	case SB_OOB_INFO:
		json_object_set_new(o, "protocol", str_or_null(r->protocol));
		set_info(o, &r->info);
		break;
	case SB_OOB_DISCOVER:
		sb_oob_inventory_to_json(o, &r->inv);
		json_object_set_new(o, "bmc", json_pack("{s:s?, s:s?, s:s?, s:s?}",
							"vendor", r->info.vendor,
							"product", r->info.product,
							"firmware_version", r->info.firmware_version,
							"protocol_version", r->info.protocol_version));
		json_object_set_new(o, "security", findings_json(r));
		if (r->security_error)
			json_object_set_new(o, "security_error",
					    json_string(r->security_error));
		break;
	case SB_OOB_SCAN:
		json_object_set_new(o, "url", json_string(t->url));
		json_object_set_new(o, "protocol", str_or_null(r->protocol));
		set_info(o, &r->info);
		json_object_set_new(o, "credentials", str_or_null(r->credentials));
		json_object_set_new(o, "security", findings_json(r));
		if (r->security_error)
			json_object_set_new(o, "security_error",
					    json_string(r->security_error));
		break;
	}
	if (r->warning)
		json_object_set_new(o, "warning", json_string(r->warning));
	json_object_set_new(o, "elapsed_ms", json_integer((json_int_t)r->elapsed_ms));
	return o;
}
