/* bmcctl: drive one BMC through siteboot's generic BMC API (firmware/bmc.h)
 * and print what came back as one JSON object, for the integration tests
 * (the driver seen from outside, before and beside the CLI commands).
 *
 *   bmcctl [--cipher N] [--quirks SET] [--timeout MS] [--retries N]
 *          [--pin SHA256] [--insecure 1] [--log debug|info]
 *          URL probe|info|power-status|power ACTION|boot-get|
 *              boot-set DEV once|persistent uefi|legacy|inventory|
 *              firmware|sel|security|media-insert IMAGE|media-eject|
 *              fingerprint|boot-race DEV once|persistent uefi|legacy CMD
 *
 * boot-race reads the boot override, runs CMD (sh -c) and then sets it:
 * CMD changes the system behind the driver's back, so that the ETag the
 * driver holds is stale (the Redfish If-Match test).
 *
 * The user comes from the URL or SITEBOOT_BMC_USER, the password from
 * SITEBOOT_BMC_PASSWORD. Exit 0 on success, 1 on a BMC error (message
 * and error name in the JSON and on stderr), 2 on bad usage. */
#include "common/error.h"
#include "common/hw.h"
#include "common/json.h"
#include "common/log.h"
#include "common/str.h"
#include "firmware/bmc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *comp_json(const struct sb_hw_component *c)
{
	return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}",
			 "class", sb_hw_class_name(c->cls),
			 "manufacturer", c->manufacturer, "model", c->model,
			 "part_number", c->part_number, "serial", c->serial,
			 "asset_tag", c->asset_tag, "name", c->name,
			 "source", c->source, "path", c->path);
}

static int usage(void)
{
	fprintf(stderr, "usage: bmcctl [--cipher N] [--quirks SET] [--timeout MS] [--retries N] URL ACTION [ARGS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sb_bmc_opts o;
	struct sb_bmc_creds cr = { 0 };
	struct sb_bmc *b = NULL;
	const char *url, *act;
	json_t *doc = json_object();
	int i = 1, rc = 0;

	sb_bmc_opts_default(&o);
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		long long v;

		if (strcmp(argv[i], "--quirks") == 0) {
			o.quirks = argv[i + 1];
			continue;
		}
		if (strcmp(argv[i], "--pin") == 0) {
			o.pin_sha256 = argv[i + 1];
			continue;
		}
		if (strcmp(argv[i], "--insecure") == 0) {
			o.insecure = strcmp(argv[i + 1], "1") == 0;
			continue;
		}
		if (strcmp(argv[i], "--log") == 0) {
			sb_log_set_level(strcmp(argv[i + 1], "debug") == 0 ?
					 SB_LOG_DEBUG : SB_LOG_INFO);
			continue;
		}
		if (sb_parse_ll(&v, argv[i + 1], -1, 600000, argv[i]))
			return usage();
		if (strcmp(argv[i], "--cipher") == 0)
			o.cipher_suite = (int)v;
		else if (strcmp(argv[i], "--timeout") == 0)
			o.timeout_ms = (uint32_t)v;
		else if (strcmp(argv[i], "--retries") == 0)
			o.retries = (unsigned)v;
		else
			return usage();
	}
	if (argc - i < 2)
		return usage();
	url = argv[i];
	act = argv[i + 1];
	cr.user = sb_strdup(getenv("SITEBOOT_BMC_USER"));
	cr.password = sb_strdup(getenv("SITEBOOT_BMC_PASSWORD"));
	json_object_set_new(doc, "target", json_string(url));

	if (strcmp(act, "fingerprint") == 0) {
		char fp[65];

		rc = sb_bmc_tls_fingerprint(fp, url, &o);
		if (!rc)
			json_object_set_new(doc, "sha256", json_string(fp));
		goto done;
	}
	if (strcmp(act, "probe") == 0 || strcmp(act, "security") == 0) {
		struct sb_bmc_url u;
		const struct sb_bmc_driver *d;

		rc = sb_bmc_url_parse(&u, url);
		d = rc ? NULL : sb_bmc_driver_for(&u);
		if (!rc && !d)
			rc = SB_EUNSUPPORTED;
		if (!rc && strcmp(act, "probe") == 0) {
			struct sb_bmc_info info = { 0 };
			rc = d->probe(&u, &o, &info);
			if (!rc)
				json_object_set_new(doc, "probe",
						    json_pack("{s:s?, s:s?}", "vendor", info.vendor,
							      "protocol", info.protocol_version));
			sb_bmc_info_release(&info);
		} else if (!rc) {
			struct sb_bmc_finding *f = NULL;
			size_t n = 0;
			json_t *a = json_array();

			rc = d->security_scan(&u, &cr, &o, &f, &n);
			for (size_t k = 0; !rc && k < n; k++)
				json_array_append_new(a, json_pack("{s:s, s:s, s:s}",
								   "id", f[k].id, "severity", f[k].severity,
								   "text", f[k].text));
			json_object_set_new(doc, "security", a);
			sb_bmc_findings_free(f, n);
		}
		goto done;
	}
	rc = sb_bmc_open(&b, url, &cr, &o);
	if (rc)
		goto done;
	if (strcmp(act, "info") == 0) {
		struct sb_bmc_info info = { 0 };
		rc = sb_bmc_info(b, &info);
		if (!rc)
			json_object_set_new(doc, "info",
					    json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}",
						      "vendor", info.vendor, "product", info.product,
						      "firmware", info.firmware_version,
						      "guid", info.system_guid,
						      "protocol", info.protocol_version,
						      "cert_sha256", info.cert_sha256));
		sb_bmc_info_release(&info);
	} else if (strcmp(act, "power-status") == 0) {
		enum sb_power_state s;
		rc = sb_bmc_power_get(b, &s);
		if (!rc)
			json_object_set_new(doc, "power", json_string(sb_power_state_name(s)));
	} else if (strcmp(act, "power") == 0 && argc - i >= 3) {
		enum sb_power_action a;
		enum sb_power_state s = SB_POWER_UNKNOWN;
		rc = sb_power_action_parse(&a, argv[i + 2]);
		if (!rc)
			rc = sb_bmc_power_set_verified(b, a, 10000, &s);
		if (!rc)
			json_object_set_new(doc, "power", json_string(sb_power_state_name(s)));
	} else if (strcmp(act, "boot-get") == 0) {
		struct sb_boot bt;
		rc = sb_bmc_boot_get(b, &bt);
		if (!rc)
			json_object_set_new(doc, "boot",
					    json_pack("{s:s, s:b, s:b}", "device",
						      sb_boot_device_name(bt.device),
						      "persistent", bt.persistent, "uefi", bt.uefi));
	} else if (strcmp(act, "boot-set") == 0 && argc - i >= 5) {
		struct sb_boot bt = { 0 };
		rc = sb_boot_device_parse(&bt.device, argv[i + 2]);
		bt.persistent = strcmp(argv[i + 3], "persistent") == 0;
		bt.uefi = strcmp(argv[i + 4], "uefi") == 0;
		if (!rc)
			rc = sb_bmc_boot_set(b, &bt);
		if (!rc)
			json_object_set_new(doc, "boot",
					    json_pack("{s:s, s:b, s:b}", "device",
						      sb_boot_device_name(bt.device),
						      "persistent", bt.persistent, "uefi", bt.uefi));
	} else if (strcmp(act, "boot-race") == 0 && argc - i >= 6) {
		struct sb_boot bt = { 0 }, seen;
		rc = sb_boot_device_parse(&bt.device, argv[i + 2]);
		bt.persistent = strcmp(argv[i + 3], "persistent") == 0;
		bt.uefi = strcmp(argv[i + 4], "uefi") == 0;
		if (!rc)
			rc = sb_bmc_boot_get(b, &seen);
		if (!rc && system(argv[i + 5]) != 0)
			rc = sb_error_set(SB_EINTERNAL, "boot-race: the command in between failed");
		if (!rc)
			rc = sb_bmc_boot_set(b, &bt);
		if (!rc)
			json_object_set_new(doc, "boot", json_string(sb_boot_device_name(bt.device)));
	} else if (strcmp(act, "media-insert") == 0 && argc - i >= 3) {
		rc = sb_bmc_media_insert(b, NULL, argv[i + 2]);
	} else if (strcmp(act, "media-eject") == 0) {
		rc = sb_bmc_media_eject(b, NULL);
	} else if (strcmp(act, "inventory") == 0 || strcmp(act, "firmware") == 0) {
		struct sb_hw_inventory inv;
		json_t *a = json_array(), *fa = json_array();

		sb_hw_inventory_init(&inv);
		rc = strcmp(act, "inventory") == 0 ? sb_bmc_inventory_read(b, &inv) :
			sb_bmc_firmware_read(b, &inv);
		for (size_t k = 0; !rc && k < inv.ncomponents; k++)
			json_array_append_new(a, comp_json(&inv.components[k]));
		for (size_t k = 0; !rc && k < inv.nfirmware; k++)
			json_array_append_new(fa, json_pack("{s:s?, s:s?, s:s?}",
							    "name", inv.firmware[k].name,
							    "version", inv.firmware[k].version,
							    "source", inv.firmware[k].source));
		json_object_set_new(doc, "components", a);
		json_object_set_new(doc, "firmware", fa);
		json_object_set_new(doc, "evidence", json_integer((json_int_t)inv.nevidence));
		if (inv.nevidence)
			json_object_set_new(doc, "evidence_bytes",
					    json_integer((json_int_t)inv.evidence[0].len));
		sb_hw_inventory_release(&inv);
	} else if (strcmp(act, "sel") == 0) {
		struct sb_sel_entry *v = NULL;
		size_t n = 0;
		json_t *a = json_array();
		rc = sb_bmc_sel_read(b, &v, &n);
		for (size_t k = 0; !rc && k < n; k++)
			json_array_append_new(a, json_pack("{s:i, s:I, s:s}", "id", (int)v[k].id,
							   "time", (json_int_t)v[k].time,
							   "text", v[k].text));
		json_object_set_new(doc, "sel", a);
		sb_bmc_sel_free(v, n);
	} else {
		sb_bmc_close(b);
		return usage();
	}
done:
	sb_bmc_close(b);
	sb_bmc_creds_release(&cr);
	json_object_set_new(doc, "ok", json_boolean(rc == 0));
	if (rc) {
		json_object_set_new(doc, "error", json_string(sb_error_message()));
		json_object_set_new(doc, "code", json_string(sb_error_name(rc)));
		fprintf(stderr, "bmcctl: %s\n", sb_error_message());
	}
	sb_json_write(stdout, doc);
	json_decref(doc);
	return rc ? 1 : 0;
}
