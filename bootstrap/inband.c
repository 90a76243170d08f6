/* In-band parsers: dmidecode text, lsblk JSON, ip link JSON. */
#include "bootstrap/inband.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "inventory/inventory.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* dmidecode's words for "nothing here"; kept out of the fields so that
 * "Not Specified" never becomes a manufacturer. Serial placeholders of
 * vendors ("To Be Filled By O.E.M.") are the inventory's business. */
static const char *const dmi_absent[] = {
	"Not Specified", "Not Provided", "Unknown", "None", "Not Installed",
	"No Module Installed", "[Empty]", "NO DIMM", "Undefined", NULL,
};

static bool dmi_is_absent(const char *v)
{
	for (size_t i = 0; dmi_absent[i]; i++)
		if (sb_strcaseeq(v, dmi_absent[i]))
			return true;
	return *v == '\0';
}

enum dmi_section { DMI_NONE, DMI_SYSTEM, DMI_BOARD, DMI_MEMORY };

struct dmi_rec {
	enum dmi_section sec;
	char handle[16];
	char *manufacturer, *product, *version, *serial, *uuid, *asset;
	char *locator, *bank, *part, *size, *speed, *type;
};

static void dmi_rec_release(struct dmi_rec *r)
{
	free(r->manufacturer);
	free(r->product);
	free(r->version);
	free(r->serial);
	free(r->uuid);
	free(r->asset);
	free(r->locator);
	free(r->bank);
	free(r->part);
	free(r->size);
	free(r->speed);
	free(r->type);
	memset(r, 0, sizeof(*r));
}

/* "32 GB", "32768 MB", "1 TB" -> bytes (memory sizes are binary). */
static uint64_t dmi_size(const char *s)
{
	char *end;
	unsigned long long v;

	if (!s)
		return 0;
	v = strtoull(s, &end, 10);
	while (*end == ' ')
		end++;
	if (v == 0 || v > (1ULL << 20))
		return 0;
	if (strcmp(end, "kB") == 0 || strcmp(end, "KB") == 0)
		return v << 10;
	if (strcmp(end, "MB") == 0)
		return v << 20;
	if (strcmp(end, "GB") == 0)
		return v << 30;
	if (strcmp(end, "TB") == 0)
		return v << 40;
	return 0;
}

static int dmi_flush(struct sb_hw_inventory *inv, struct dmi_rec *r, int ev)
{
	struct sb_hw_component *c = NULL;
	char path[64];
	int rc = 0;

	snprintf(path, sizeof(path), "dmidecode handle %s", r->handle);
	switch (r->sec) {
	case DMI_NONE:
		return 0;
	case DMI_SYSTEM:
		if (!(c = sb_hw_add_component(inv, SB_HW_CHASSIS, "ssh-dmidecode", path)))
			return SB_ENOMEM;
		if (r->uuid)
			rc = sb_hw_set(&inv->system_guid, r->uuid, strlen(r->uuid));
		if (!rc && r->serial)
			rc = sb_hw_set(&inv->chassis_serial, r->serial, strlen(r->serial));
		if (!rc && r->manufacturer && !inv->vendor)
			rc = sb_hw_set(&inv->vendor, r->manufacturer, strlen(r->manufacturer));
		if (!rc && r->product && !inv->product)
			rc = sb_hw_set(&inv->product, r->product, strlen(r->product));
		if (!rc && r->uuid)
			rc = sb_hw_set(&c->durable_id, r->uuid, strlen(r->uuid));
		if (!rc)
			rc = sb_hw_set(&c->name, "System", 6);
		break;
	case DMI_BOARD:
		if (!(c = sb_hw_add_component(inv, SB_HW_BOARD, "ssh-dmidecode", path)))
			return SB_ENOMEM;
		rc = sb_hw_set(&c->name, "Base Board", 10);
		break;
	case DMI_MEMORY:
		/* an empty slot is not a component */
		if (!r->size || dmi_size(r->size) == 0)
			return 0;
		if (!(c = sb_hw_add_component(inv, SB_HW_MEMORY, "ssh-dmidecode", path)))
			return SB_ENOMEM;
		c->capacity_bytes = dmi_size(r->size);
		if (r->speed)
			c->speed = (uint32_t)strtoul(r->speed, NULL, 10);
		if (r->locator)
			rc = sb_hw_set(&c->location, r->locator, strlen(r->locator));
		if (!rc && r->part)
			rc = sb_hw_set(&c->part_number, r->part, strlen(r->part));
		if (!rc && r->type)
			rc = sb_hw_set(&c->name, r->type, strlen(r->type));
		break;
	}
	if (!c)
		return 0;
	if (!rc && r->manufacturer)
		rc = sb_hw_set(&c->manufacturer, r->manufacturer, strlen(r->manufacturer));
	if (!rc && r->product)
		rc = sb_hw_set(&c->model, r->product, strlen(r->product));
	if (!rc && r->serial)
		rc = sb_hw_set(&c->serial, r->serial, strlen(r->serial));
	if (!rc && r->asset)
		rc = sb_hw_set(&c->asset_tag, r->asset, strlen(r->asset));
	c->evidence = ev;
	return rc ? sb_error_set(SB_ENOMEM, "out of memory") : 0;
}

static int dmi_take(char **field, const char *v)
{
	free(*field);
	*field = NULL;
	if (dmi_is_absent(v))
		return 0;
	*field = sb_strndup(v, strnlen(v, SB_HW_FIELD_MAX));
	return *field ? 0 : SB_ENOMEM;
}

int sb_inband_dmidecode(struct sb_hw_inventory *inv, const char *text, size_t len)
{
	struct dmi_rec r = { 0 };
	char line[1024];
	size_t off = 0, lineno = 0, records = 0;
	int ev, rc = 0;
	bool want_title = false;

	if (len > SB_INBAND_MAX)
		return sb_error_set(SB_EINPUT, "dmidecode: %zu bytes of output, more than %u",
				    len, SB_INBAND_MAX);
	if (memchr(text, '\0', len))
		return sb_error_set(SB_EINPUT, "dmidecode: output holds a NUL byte");
	ev = sb_hw_add_evidence(inv, SB_INBAND_DMIDECODE_CMD, "text/plain", text, len);
	if (ev < 0)
		return ev;
	while (off < len && rc == 0) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - (text + off)) : len - off;
		lineno++;
		snprintf(line, sizeof(line), "%.*s", (int)(ll < sizeof(line) - 1 ? ll : sizeof(line) - 1),
			 text + off);
		off += ll + (nl ? 1 : 0);
		if (ll && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (sb_startswith(line, "Handle ")) {
			if ((rc = dmi_flush(inv, &r, ev)) != 0)
				break;
			dmi_rec_release(&r);
			const char *h = line + 7, *comma = strchr(h, ',');
			snprintf(r.handle, sizeof(r.handle), "%.*s",
				 (int)(comma ? (size_t)(comma - h) : strlen(h)) & 15, h);
			want_title = true;
			records++;
			continue;
		}
		if (want_title) {
			want_title = false;
			if (strcmp(line, "System Information") == 0)
				r.sec = DMI_SYSTEM;
			else if (strcmp(line, "Base Board Information") == 0)
				r.sec = DMI_BOARD;
			else if (strcmp(line, "Memory Device") == 0)
				r.sec = DMI_MEMORY;
			else
				r.sec = DMI_NONE;
			continue;
		}
		if (r.sec == DMI_NONE || line[0] != '\t' || line[1] == '\t')
			continue;
		char *colon = strchr(line + 1, ':');
		if (!colon)
			continue;
		*colon = '\0';
		const char *key = line + 1;
		char *val = sb_trim(colon + 1);
		if (strcmp(key, "Manufacturer") == 0)
			rc = dmi_take(&r.manufacturer, val);
		else if (strcmp(key, "Product Name") == 0)
			rc = dmi_take(&r.product, val);
		else if (strcmp(key, "Version") == 0)
			rc = dmi_take(&r.version, val);
		else if (strcmp(key, "Serial Number") == 0)
			rc = dmi_take(&r.serial, val);
		else if (strcmp(key, "UUID") == 0)
			rc = dmi_take(&r.uuid, val);
		else if (strcmp(key, "Asset Tag") == 0)
			rc = dmi_take(&r.asset, val);
		else if (strcmp(key, "Locator") == 0)
			rc = dmi_take(&r.locator, val);
		else if (strcmp(key, "Bank Locator") == 0)
			rc = dmi_take(&r.bank, val);
		else if (strcmp(key, "Part Number") == 0)
			rc = dmi_take(&r.part, val);
		else if (strcmp(key, "Size") == 0)
			rc = dmi_take(&r.size, val);
		else if (strcmp(key, "Speed") == 0)
			rc = dmi_take(&r.speed, val);
		else if (strcmp(key, "Type") == 0)
			rc = dmi_take(&r.type, val);
		if (rc)
			rc = sb_error_set(SB_ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = dmi_flush(inv, &r, ev);
	dmi_rec_release(&r);
	if (rc == 0 && records == 0)
		rc = sb_error_set(SB_EINPUT, "dmidecode: no 'Handle' records in the output: was "
				  "it run as root, and does the host have SMBIOS tables?");
	return rc;
}

/* lsblk: a size in bytes (-b gives a number) or as text ("3.5T"). */
static uint64_t lsblk_size(const json_t *v)
{
	if (json_is_integer(v) && json_integer_value(v) > 0)
		return (uint64_t)json_integer_value(v);
	if (json_is_string(v)) {
		uint64_t b = 0;
		if (sb_parse_size(&b, json_string_value(v), "size") == 0)
			return b;
		sb_error_clear();
	}
	return 0;
}

/* Block devices that are not drives in a chassis. */
static bool lsblk_virtual(const char *name)
{
	static const char *const pfx[] = { "loop", "zram", "ram", "rbd", "nbd", "dm-", "md",
					   "sr", "drbd", "zd", NULL };
	for (size_t i = 0; pfx[i]; i++)
		if (sb_startswith(name, pfx[i]))
			return true;
	return false;
}

static int lsblk_field(char **dst, const json_t *o, const char *key)
{
	const char *s = sb_json_str(o, key);

	return s ? sb_hw_set(dst, s, strlen(s)) : 0;
}

int sb_inband_lsblk(struct sb_hw_inventory *inv, const char *text, size_t len)
{
	json_t *doc = NULL, *devs;
	int ev, rc;

	if ((rc = sb_json_parse(&doc, text, len, SB_INBAND_MAX, "lsblk output")) != 0)
		return rc;
	devs = sb_json_arr(doc, "blockdevices");
	if (!devs) {
		json_decref(doc);
		return sb_error_set(SB_EINPUT, "lsblk output: no \"blockdevices\" array: run "
				    "'%s'", SB_INBAND_LSBLK_CMD);
	}
	ev = sb_hw_add_evidence(inv, SB_INBAND_LSBLK_CMD, "application/json", text, len);
	if (ev < 0) {
		json_decref(doc);
		return ev;
	}
	for (size_t i = 0; i < json_array_size(devs) && rc == 0; i++) {
		const json_t *d = json_array_get(devs, i);
		const char *name = sb_json_str(d, "name");
		const char *type = sb_json_str(d, "type");
		struct sb_hw_component *c;
		char path[300];

		if (!json_is_object(d) || !name || !*name || strchr(name, '/') ||
		    strlen(name) > 200) {
			rc = sb_error_set(SB_EINPUT, "lsblk output: device %zu has no usable name", i + 1);
			break;
		}
		if (!sb_streq(type, "disk") || lsblk_virtual(name))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", name);
		if (!(c = sb_hw_add_component(inv, SB_HW_DRIVE, "ssh-lsblk", path))) {
			rc = SB_ENOMEM;
			break;
		}
		c->evidence = ev;
		c->capacity_bytes = lsblk_size(json_object_get(d, "size"));
		if ((rc = sb_hw_set(&c->name, name, strlen(name))) ||
		    (rc = lsblk_field(&c->serial, d, "serial")) ||
		    (rc = lsblk_field(&c->model, d, "model")) ||
		    (rc = lsblk_field(&c->durable_id, d, "wwn")))
			rc = sb_error_set(SB_ENOMEM, "out of memory");
	}
	json_decref(doc);
	return rc;
}

int sb_inband_ip_link(struct sb_hw_inventory *inv, const char *text, size_t len)
{
	json_t *doc = NULL;
	int ev, rc;

	if ((rc = sb_json_parse(&doc, text, len, SB_INBAND_MAX, "ip link output")) != 0)
		return rc;
	if (!json_is_array(doc)) {
		json_decref(doc);
		return sb_error_set(SB_EINPUT, "ip link output: a JSON array was expected: run '%s'",
				    SB_INBAND_IP_CMD);
	}
	ev = sb_hw_add_evidence(inv, SB_INBAND_IP_CMD, "application/json", text, len);
	if (ev < 0) {
		json_decref(doc);
		return ev;
	}
	for (size_t i = 0; i < json_array_size(doc) && rc == 0; i++) {
		const json_t *l = json_array_get(doc, i);
		const char *name = sb_json_str(l, "ifname");
		const char *mac = sb_json_str(l, "permaddr");	/* enslaved to a bond */
		const json_t *info = sb_json_obj(l, "linkinfo");
		struct sb_hw_component *c;

		if (!mac)
			mac = sb_json_str(l, "address");
		/* a physical Ethernet port: ether, no linkinfo kind (bridges,
		 * bonds, VLANs, veth, tunnels all have one) */
		if (!json_is_object(l) || !name || !mac || !sb_streq(sb_json_str(l, "link_type"), "ether"))
			continue;
		if (info && sb_json_str(info, "info_kind"))
			continue;
		if (!(c = sb_hw_add_component(inv, SB_HW_NIC, "ssh-ip", name))) {
			rc = SB_ENOMEM;
			break;
		}
		c->evidence = ev;
		if (sb_hw_set(&c->name, name, strlen(name)) ||
		    sb_hw_set(&c->durable_id, mac, strlen(mac)))
			rc = sb_error_set(SB_ENOMEM, "out of memory");
	}
	json_decref(doc);
	return rc;
}

int sb_inband_drive_path(char **out, const struct sb_hw_inventory *inv,
			 const char *serial, const char *wwn)
{
	char want[128], got[128], wwant[128], wgot[128];
	const struct sb_hw_component *hit = NULL;
	struct sb_buf seen = SB_BUF_INIT(4096);
	bool have_serial = serial && sb_inv_serial_norm(want, sizeof(want), serial);
	bool have_wwn = wwn && sb_inv_durable_norm(wwant, sizeof(wwant), wwn);
	int pass, rc;

	*out = NULL;
	if (!have_serial && !have_wwn)
		return sb_error_set(SB_EINPUT, "a drive needs a serial or a WWN to be found");
	/* serial first; the WWN only when no serial matched */
	for (pass = 0; pass < 2 && !hit; pass++) {
		for (size_t i = 0; i < inv->ncomponents; i++) {
			const struct sb_hw_component *c = &inv->components[i];
			bool match;
			if (c->cls != SB_HW_DRIVE || !sb_streq(c->source, "ssh-lsblk"))
				continue;
			if (pass == 0)
				match = have_serial && c->serial &&
					sb_inv_serial_norm(got, sizeof(got), c->serial) &&
					strcmp(got, want) == 0;
			else
				match = have_wwn && c->durable_id &&
					sb_inv_durable_norm(wgot, sizeof(wgot), c->durable_id) &&
					strcmp(wgot, wwant) == 0;
			if (!match)
				continue;
			if (hit) {
				sb_buf_release(&seen);
				return sb_error_set(SB_ECONFLICT, "drive %s: both %s and %s answer to it "
						    "(multipath?): give the path by hand",
						    serial ? serial : wwn, hit->path, c->path);
			}
			hit = c;
		}
	}
	if (hit) {
		*out = sb_strdup(hit->path);
		sb_buf_release(&seen);
		return *out ? 0 : sb_error_set(SB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < inv->ncomponents; i++) {
		const struct sb_hw_component *c = &inv->components[i];
		if (c->cls == SB_HW_DRIVE && sb_streq(c->source, "ssh-lsblk"))
			sb_buf_printf(&seen, "%s%s=%s", seen.len ? ", " : "", c->name ? c->name : "?",
				      c->serial ? c->serial : "(no serial)");
	}
	rc = sb_error_set(SB_ENOTFOUND, "no drive with serial %s%s%s on the host; lsblk saw: %s",
			  serial ? serial : "-", have_wwn ? " or WWN " : "", have_wwn ? wwn : "",
			  seen.len ? seen.data : "no drives");
	sb_buf_release(&seen);
	return rc;
}
