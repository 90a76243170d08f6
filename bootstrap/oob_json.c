/* The --json contracts of the out-of-band commands (docs/oob.md). Keys
 * are stable: people script against them. Never a secret in here. */
#include "bootstrap/oob.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "common/time.h"
#include "inventory/inventory.h"

#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
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

json_t *sb_oob_result_json(const struct sb_oob_result *r, enum sb_oob_op op,
			   bool evidence_data)
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
	case SB_OOB_MEDIA_STATUS:
		if (op != SB_OOB_MEDIA_STATUS)
			json_object_set_new(o, "media",
					    json_string(op == SB_OOB_MEDIA_INSERT ?
							"inserted" : "ejected"));
		if (r->done && r->rc == 0) {
			json_t *arr = json_array();
			for (size_t i = 0; arr && i < r->nslots; i++) {
				const struct sb_media_slot *m = &r->slots[i];
				json_t *kinds = json_array();
				if (m->kinds & SB_MEDIA_CD)
					json_array_append_new(kinds, json_string("cd"));
				if (m->kinds & SB_MEDIA_USB)
					json_array_append_new(kinds, json_string("usb"));
				json_array_append_new(arr, json_pack("{s:s, s:o, s:s, s:b, s:s?}",
								     "id", m->id ? m->id : "",
								     "kinds", kinds,
								     "media_types", m->types ? m->types : "",
								     "inserted", m->inserted,
								     "image", m->image));
			}
			json_object_set_new(o, "slots", arr ? arr : json_null());
		}
		break;
	case SB_OOB_INFO:
		json_object_set_new(o, "protocol", str_or_null(r->protocol));
		set_info(o, &r->info);
		break;
	case SB_OOB_DISCOVER: {
		json_t *rep = sb_inv_report_json(&r->inv, evidence_data);
		char when[40];

		if (!rep) {
			json_decref(o);
			return NULL;
		}
		/* the report's target is the same name; its keys come first */
		json_object_update_missing(o, rep);
		json_decref(rep);
		if (r->time_ms) {
			sb_time_iso8601(when, sizeof(when), r->time_ms);
			json_object_set_new(o, "time", json_string(when));
		}
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
	}
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
