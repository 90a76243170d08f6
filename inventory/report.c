/* A hardware report as JSON: the fields of one element of discover's
 * --json array (docs/oob.md), plus each evidence item's bytes in base64,
 * so a report can be saved, carried and imported with its evidence. */
#include "inventory/inventory.h"

#include "common/error.h"
#include "common/json.h"
#include "common/str.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_EVIDENCE_MAX (16u << 20)

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *sb_inv_report_json(const struct sb_hw_inventory *hw, bool with_data)
{
	json_t *o = json_object(), *comps = json_array(), *fw = json_array(),
	       *ev = json_array();

	if (!o || !comps || !fw || !ev)
		goto fail;
	json_object_set_new(o, "target", str_or_null(hw->target));
	json_object_set_new(o, "protocol", str_or_null(hw->protocol));
	json_object_set_new(o, "vendor", str_or_null(hw->vendor));
	json_object_set_new(o, "product", str_or_null(hw->product));
	json_object_set_new(o, "system_guid", str_or_null(hw->system_guid));
	json_object_set_new(o, "chassis_serial", str_or_null(hw->chassis_serial));
	for (size_t i = 0; i < hw->ncomponents; i++) {
		const struct sb_hw_component *c = &hw->components[i];
		json_t *x = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
				      "s:o, s:o}", "class", sb_hw_class_name(c->cls),
				      "manufacturer", str_or_null(c->manufacturer),
				      "model", str_or_null(c->model),
				      "part_number", str_or_null(c->part_number),
				      "serial", str_or_null(c->serial),
				      "asset_tag", str_or_null(c->asset_tag),
				      "durable_id", str_or_null(c->durable_id),
				      "location", str_or_null(c->location),
				      "name", str_or_null(c->name),
				      "source", str_or_null(c->source),
				      "path", str_or_null(c->path));
		if (!x)
			goto fail;
		if (c->capacity_bytes)
			json_object_set_new(x, "capacity_bytes",
					    json_integer((json_int_t)c->capacity_bytes));
		if (c->speed)
			json_object_set_new(x, "speed", json_integer(c->speed));
		if (c->cores)
			json_object_set_new(x, "cores", json_integer(c->cores));
		if (c->evidence >= 0)
			json_object_set_new(x, "evidence", json_integer(c->evidence));
		json_array_append_new(comps, x);
	}
	for (size_t i = 0; i < hw->nfirmware; i++) {
		const struct sb_hw_firmware *f = &hw->firmware[i];
		json_t *x = json_pack("{s:o, s:o, s:o, s:o, s:o}",
				      "name", str_or_null(f->name),
				      "version", str_or_null(f->version),
				      "component", str_or_null(f->component),
				      "source", str_or_null(f->source),
				      "path", str_or_null(f->path));
		if (!x)
			goto fail;
		if (f->evidence >= 0)
			json_object_set_new(x, "evidence", json_integer(f->evidence));
		json_array_append_new(fw, x);
	}
	for (size_t i = 0; i < hw->nevidence; i++) {
		const struct sb_hw_evidence *e = &hw->evidence[i];
		char hex[65];
		json_t *x;

		sb_sha256_hex(hex, e->data ? (const void *)e->data : "", e->len);
		x = json_pack("{s:o, s:o, s:s, s:I}", "path", str_or_null(e->path),
			      "media_type", str_or_null(e->media_type),
			      "sha256", hex, "bytes", (json_int_t)e->len);
		if (!x)
			goto fail;
		if (with_data) {
			size_t b64len = 4 * ((e->len + 2) / 3) + 1;
			char *b64 = malloc(b64len);
			if (!b64) {
				json_decref(x);
				goto fail;
			}
			EVP_EncodeBlock((unsigned char *)b64, e->data, (int)e->len);
			json_object_set_new(x, "data", json_string(b64));
			free(b64);
		}
		json_array_append_new(ev, x);
	}
	json_object_set_new(o, "components", comps);
	json_object_set_new(o, "firmware", fw);
	json_object_set_new(o, "evidence", ev);
	return o;
fail:
	json_decref(o);
	json_decref(comps);
	json_decref(fw);
	json_decref(ev);
	return NULL;
}

static int take(char **dst, const json_t *obj, const char *key)
{
	const char *s = sb_json_str(obj, key);

	if (!s)
		return 0;
	return sb_hw_set(dst, s, strlen(s));
}

static const char *source_of(const json_t *obj)
{
	const char *s = sb_json_str(obj, "source");

	return s && *s ? s : "unknown";
}

static int evidence_index(const json_t *obj, size_t nev, int *out)
{
	long long n;

	*out = -1;
	if (!sb_json_int(obj, "evidence", &n))
		return 0;
	if (n < 0 || (size_t)n >= nev)
		return sb_error_set(SB_EINPUT, "evidence index %lld is out of range",
				    n);
	*out = (int)n;
	return 0;
}

static int parse_evidence(struct sb_hw_inventory *hw, const json_t *e)
{
	const char *b64 = sb_json_str(e, "data"), *want = sb_json_str(e, "sha256");
	unsigned char *data = NULL;
	size_t len = 0, n;
	char hex[65];
	int rc, k;

	if (!b64)
		return sb_error_set(SB_EINPUT, "an evidence item without its bytes "
				    "(\"data\", base64): evidence is kept by content, "
				    "so a report must carry it; discover records "
				    "into the inventory directly with its evidence");
	n = strlen(b64);
	if (n % 4 || n / 4 * 3 > REPORT_EVIDENCE_MAX)
		return sb_error_set(SB_EINPUT, "evidence data is not base64 or is "
				    "larger than 16 MiB");
	if (!(data = malloc(n / 4 * 3 + 1)))
		return sb_error_set(SB_ENOMEM, "out of memory");
	k = n ? EVP_DecodeBlock(data, (const unsigned char *)b64, (int)n) : 0;
	if (k < 0) {
		free(data);
		return sb_error_set(SB_EINPUT, "evidence data is not base64");
	}
	len = (size_t)k;
	if (n >= 1 && b64[n - 1] == '=')
		len--;
	if (n >= 2 && b64[n - 2] == '=')
		len--;
	sb_sha256_hex(hex, data, len);
	if (want && strcmp(hex, want) != 0) {
		free(data);
		return sb_error_set(SB_EINPUT, "evidence data does not match its "
				    "sha256 %s", want);
	}
	rc = sb_hw_add_evidence(hw, sb_json_str(e, "path"),
				sb_json_str(e, "media_type"), data, len);
	free(data);
	return rc < 0 ? rc : 0;
}

int sb_inv_report_parse(struct sb_hw_inventory *hw, const json_t *doc)
{
	const json_t *comps = sb_json_arr(doc, "components"),
		     *fw = sb_json_arr(doc, "firmware"),
		     *ev = sb_json_arr(doc, "evidence");
	size_t i;
	json_t *v;
	int rc = 0;

	if (!json_is_object(doc))
		return sb_error_set(SB_EINPUT, "a report must be a JSON object");
	if ((rc = take(&hw->target, doc, "target")) ||
	    (rc = take(&hw->protocol, doc, "protocol")) ||
	    (rc = take(&hw->vendor, doc, "vendor")) ||
	    (rc = take(&hw->product, doc, "product")) ||
	    (rc = take(&hw->system_guid, doc, "system_guid")) ||
	    (rc = take(&hw->chassis_serial, doc, "chassis_serial")))
		return rc;
	json_array_foreach(ev, i, v)
		if ((rc = parse_evidence(hw, v)))
			return sb_error_prefix("evidence %zu: ", i);
	json_array_foreach(comps, i, v) {
		const char *cls = sb_json_str(v, "class");
		int c = cls ? sb_hw_class_parse(cls) : -1;
		struct sb_hw_component *x;
		long long n;

		if (c < 0)
			return sb_error_set(SB_EINPUT, "component %zu: class '%s' is "
					    "not one of chassis, board, cpu, memory, "
					    "drive, nic, psu, gpu, bmc, other", i,
					    cls ? cls : "(none)");
		x = sb_hw_add_component(hw, (enum sb_hw_class)c,
					source_of(v), sb_json_str(v, "path"));
		if (!x)
			return sb_error_set(SB_ENOMEM, "out of memory");
		if ((rc = take(&x->manufacturer, v, "manufacturer")) ||
		    (rc = take(&x->model, v, "model")) ||
		    (rc = take(&x->part_number, v, "part_number")) ||
		    (rc = take(&x->serial, v, "serial")) ||
		    (rc = take(&x->asset_tag, v, "asset_tag")) ||
		    (rc = take(&x->durable_id, v, "durable_id")) ||
		    (rc = take(&x->location, v, "location")) ||
		    (rc = take(&x->name, v, "name")) ||
		    (rc = evidence_index(v, hw->nevidence, &x->evidence)))
			return sb_error_prefix("component %zu: ", i);
		if (sb_json_int(v, "capacity_bytes", &n) && n > 0)
			x->capacity_bytes = (uint64_t)n;
		if (sb_json_int(v, "speed", &n) && n > 0 && n <= UINT32_MAX)
			x->speed = (uint32_t)n;
		if (sb_json_int(v, "cores", &n) && n > 0 && n <= UINT32_MAX)
			x->cores = (uint32_t)n;
	}
	json_array_foreach(fw, i, v) {
		struct sb_hw_firmware *x = sb_hw_add_firmware(hw, sb_json_str(v, "name"),
							      sb_json_str(v, "version"),
							      source_of(v),
							      sb_json_str(v, "path"));
		if (!x)
			return sb_error_set(SB_ENOMEM, "out of memory");
		if ((rc = take(&x->component, v, "component")) ||
		    (rc = evidence_index(v, hw->nevidence, &x->evidence)))
			return sb_error_prefix("firmware %zu: ", i);
	}
	return 0;
}
