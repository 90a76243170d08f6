/* The lab's Redfish emulator: make a mockup tree hold one BOM node's
 * expected hardware (sb_rfemu_apply_node, see rfemu.h).
 *
 * Per class, the mockup's resources (found by @odata.type, never by
 * hard-coded paths, so other mockups work too) are taken in natural order;
 * the first N get the BOM's N items, extra ones are deleted with every
 * reference to them, and when the BOM has more, the last one is cloned. */
#include "bootstrap/rfemu.h"
#include "common/error.h"
#include "common/json.h"
#include "common/log.h"
#include "common/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct item {
	const json_t *line;	/* the BOM component line */
	const char *serial;
	const char *slot;
	const char *mac;	/* ethernet interfaces only */
};

struct items {
	struct item *v;
	size_t n;
};

static int items_push(struct items *it, const json_t *line, const char *serial,
		      const char *slot, const char *mac)
{
	struct item *nv = realloc(it->v, (it->n + 1) * sizeof(*nv));

	if (!nv)
		return sb_error_set(SB_ENOMEM, "out of memory");
	it->v = nv;
	it->v[it->n++] = (struct item){ line, serial, slot, mac };
	return 0;
}

/* Every unit of the node's lines of one class ("cpu"), or with macs set,
 * every MAC of its nic lines. */
static int items_of(struct items *it, const json_t *node, const char *cls, bool macs)
{
	size_t i;
	json_t *line;

	json_array_foreach(sb_json_arr(node, "components"), i, line) {
		if (!sb_streq(sb_json_str(line, "class"), cls))
			continue;
		json_t *serials = sb_json_arr(line, "serials");
		json_t *slots = sb_json_arr(line, "slots");
		if (macs) {
			size_t k;
			json_t *m;
			json_array_foreach(sb_json_arr(line, "macs"), k, m)
				if (json_is_string(m) &&
				    items_push(it, line, NULL, NULL, json_string_value(m)))
					return SB_ENOMEM;
			continue;
		}
		long long q = 0;
		if (!sb_json_int(line, "quantity", &q) || q < 0 || q > 4096)
			q = 0;
		for (size_t k = 0; k < (size_t)q; k++)
			if (items_push(it, line, json_string_value(json_array_get(serials, k)),
				       json_string_value(json_array_get(slots, k)), NULL))
				return SB_ENOMEM;
	}
	return 0;
}

/* ---- finding, deleting and cloning resources --------------------------- */

typedef bool (*pick_fn)(const char *key, const json_t *res);

static bool type_is(const json_t *res, const char *prefix)
{
	const char *t = sb_json_str(res, "@odata.type");

	return t && sb_startswith(t, prefix);
}

static bool pick_cpu(const char *key, const json_t *res)
{
	const char *pt = sb_json_str(res, "ProcessorType");

	return type_is(res, "#Processor.") && sb_rfemu_parent_is(key, "Processors") &&
	       (!pt || strcmp(pt, "CPU") == 0);
}

static bool pick_gpu(const char *key, const json_t *res)
{
	return type_is(res, "#Processor.") && sb_rfemu_parent_is(key, "Processors") &&
	       sb_streq(sb_json_str(res, "ProcessorType"), "GPU");
}

static bool pick_memory(const char *key, const json_t *res)
{
	return type_is(res, "#Memory.") && sb_rfemu_parent_is(key, "Memory");
}

static bool pick_drive(const char *key, const json_t *res)
{
	(void)key;
	return type_is(res, "#Drive.");
}

static bool pick_nic(const char *key, const json_t *res)
{
	(void)key;
	return type_is(res, "#NetworkAdapter.");
}

static bool pick_psu(const char *key, const json_t *res)
{
	return type_is(res, "#PowerSupply.") && sb_rfemu_parent_is(key, "PowerSupplies");
}

static bool pick_eth(const char *key, const json_t *res)
{
	return type_is(res, "#EthernetInterface.") && sb_startswith(key, "/redfish/v1/Systems/");
}

static bool pick_fw(const char *key, const json_t *res)
{
	return type_is(res, "#SoftwareInventory.") && sb_rfemu_parent_is(key, "FirmwareInventory");
}

static int natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			char *ea, *eb;
			unsigned long long x = strtoull(a, &ea, 10), y = strtoull(b, &eb, 10);
			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int natcmp_p(const void *a, const void *b)
{
	return natcmp(*(char *const *)a, *(char *const *)b);
}

static int find(struct sb_strv *out, json_t *tree, pick_fn pick)
{
	const char *key;
	json_t *res;

	json_object_foreach(tree, key, res)
		if (pick(key, res) && sb_strv_push(out, key))
			return sb_error_set(SB_ENOMEM, "out of memory");
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(char *), natcmp_p);
	return 0;
}

/* Is a reference ("/redfish/v1/X#/frag") to something in `gone`? */
static bool ref_gone(const char *ref, const struct sb_strv *gone)
{
	char path[2048];

	sb_strlcpy(path, ref, sizeof(path));
	path[strcspn(path, "#")] = '\0';
	for (size_t i = 0; i < gone->n; i++)
		if (sb_rfemu_under(path, gone->v[i]))
			return true;
	return false;
}

/* Drop every nested reference to a deleted resource and fix the
 * "X@odata.count" beside arrays. */
static void scrub(json_t *v, const struct sb_strv *gone, bool top)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *c;
		void *tmp;
		json_object_foreach_safe(v, tmp, k, c) {
			const char *ref = sb_json_str(c, "@odata.id");
			if (json_is_object(c) && ref && ref_gone(ref, gone)) {
				json_object_del(v, k);
				continue;
			}
			scrub(c, gone, false);
		}
		json_object_foreach(v, k, c) {
			size_t kl = strlen(k);
			if (kl > 12 && strcmp(k + kl - 12, "@odata.count") == 0) {
				char base[256];
				snprintf(base, sizeof(base), "%.*s", (int)(kl - 12), k);
				json_t *arr = json_object_get(v, base);
				if (json_is_array(arr))
					json_object_set_new(v, k, json_integer((json_int_t)json_array_size(arr)));
			}
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v);) {
			json_t *c = json_array_get(v, i);
			const char *ref = sb_json_str(c, "@odata.id");
			if (ref && ref_gone(ref, gone)) {
				json_array_remove(v, i);
				continue;
			}
			scrub(c, gone, false);
			i++;
		}
	}
	(void)top;
}

static void delete_subtree(json_t *tree, const char *key, struct sb_strv *gone)
{
	struct sb_strv keys = { 0 };
	const char *k;
	json_t *res;

	json_object_foreach(tree, k, res)
		if (sb_rfemu_under(k, key))
			sb_strv_push(&keys, k);
	for (size_t i = 0; i < keys.n; i++)
		json_object_del(tree, keys.v[i]);
	sb_strv_release(&keys);
	sb_strv_push(gone, key);
}

static void replace_prefix(json_t *v, const char *from, const char *to)
{
	size_t n = strlen(from);

	if (json_is_object(v)) {
		const char *k;
		json_t *c;
		json_object_foreach(v, k, c) {
			if (json_is_string(c)) {
				const char *s = json_string_value(c);
				if (strncmp(s, from, n) == 0 &&
				    (s[n] == '\0' || s[n] == '/' || s[n] == '#')) {
					char *ns = sb_asprintf("%s%s", to, s + n);
					if (ns)
						json_object_set_new(v, k, json_string(ns));
					free(ns);
				}
			} else {
				replace_prefix(c, from, to);
			}
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *c;
		json_array_foreach(v, i, c)
			replace_prefix(c, from, to);
	}
}

/* Add a reference to `dst` next to every reference to `src` in arrays. */
static void add_sibling_refs(json_t *v, const char *src, const char *dst)
{
	if (json_is_object(v)) {
		const char *k;
		json_t *c;
		json_object_foreach(v, k, c)
			add_sibling_refs(c, src, dst);
	} else if (json_is_array(v)) {
		size_t n = json_array_size(v);
		for (size_t i = 0; i < n; i++) {
			json_t *c = json_array_get(v, i);
			if (json_is_object(c) && json_object_size(c) == 1 &&
			    sb_streq(sb_json_str(c, "@odata.id"), src)) {
				json_array_append_new(v, json_pack("{s:s}", "@odata.id", dst));
				continue;
			}
			add_sibling_refs(c, src, dst);
		}
	}
}

/* Clone the resource at `src` and everything under it to a new sibling
 * ("CPU8" -> "CPU9"); returns the new key in `out`. */
static int clone_subtree(json_t *tree, const char *src, char *out, size_t size)
{
	const char *slash = strrchr(src, '/');
	char stem[256];
	struct sb_strv keys = { 0 };
	const char *k;
	json_t *res;
	size_t sl;

	snprintf(stem, sizeof(stem), "%s", slash + 1);
	sl = strlen(stem);
	while (sl > 0 && isdigit((unsigned char)stem[sl - 1]))
		stem[--sl] = '\0';
	for (unsigned n = 2;; n++) {
		snprintf(out, size, "%.*s/%s%u", (int)(slash - src), src, stem, n);
		if (!json_object_get(tree, out))
			break;
	}
	json_object_foreach(tree, k, res)
		if (sb_rfemu_under(k, src))
			sb_strv_push(&keys, k);
	for (size_t i = 0; i < keys.n; i++) {
		json_t *copy = json_deep_copy(json_object_get(tree, keys.v[i]));
		char *nk = sb_asprintf("%s%s", out, keys.v[i] + strlen(src));
		if (!copy || !nk) {
			json_decref(copy);
			free(nk);
			sb_strv_release(&keys);
			return sb_error_set(SB_ENOMEM, "out of memory");
		}
		replace_prefix(copy, src, out);
		if (strcmp(keys.v[i], src) == 0)
			json_object_set_new(copy, "Id", json_string(strrchr(out, '/') + 1));
		json_object_set_new(tree, nk, copy);
		free(nk);
	}
	sb_strv_release(&keys);
	json_object_foreach(tree, k, res)
		if (!sb_rfemu_under(k, out))
			add_sibling_refs(res, src, out);
	return 0;
}

/* Make the class's resources exactly as many as the items; `keys` ends
 * up holding them in order. */
static int fit(json_t *tree, struct sb_strv *keys, size_t want, struct sb_strv *gone,
	       const char *what)
{
	if (keys->n == 0) {
		if (want)
			sb_warn("lab-redfish-bmc: the mockup has no %s to hold the BOM's %zu",
				what, want);
		return 0;
	}
	while (keys->n > want) {
		delete_subtree(tree, keys->v[keys->n - 1], gone);
		free(keys->v[--keys->n]);
		keys->v[keys->n] = NULL;
	}
	while (keys->n < want) {
		char nk[2048];
		int rc = clone_subtree(tree, keys->v[keys->n - 1], nk, sizeof(nk));
		if (!rc)
			rc = sb_strv_push(keys, nk);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- patching --------------------------------------------------------- */

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

static void set_location(json_t *res, const char *prop, const char *slot)
{
	if (slot)
		set_str(sb_rfemu_obj_at(sb_rfemu_obj_at(res, prop), "PartLocation"), "ServiceLabel", slot);
}

static const char *fw_version(const json_t *fw)
{
	const char *v = sb_json_str(fw, "version");

	return v ? v : sb_json_str(fw, "min_version");
}

static void patch_common(json_t *res, const struct item *it)
{
	set_str(res, "Manufacturer", sb_json_str(it->line, "manufacturer"));
	set_str(res, "Model", sb_json_str(it->line, "model"));
	set_str(res, "PartNumber", sb_json_str(it->line, "part_number"));
	set_str(res, "SerialNumber", it->serial);
}

static void patch_class(json_t *res, const struct item *it, const char *cls)
{
	long long size = 0;
	const char *fw = fw_version(sb_json_obj(it->line, "firmware"));

	sb_json_int(it->line, "size_bytes", &size);
	patch_common(res, it);
	if (strcmp(cls, "cpu") == 0 || strcmp(cls, "gpu") == 0) {
		set_str(res, "Socket", it->slot);
		set_location(res, "Location", it->slot);
	} else if (strcmp(cls, "memory") == 0) {
		set_str(res, "DeviceLocator", it->slot);
		set_location(res, "Location", it->slot);
		if (size > 0)
			json_object_set_new(res, "CapacityMiB", json_integer(size >> 20));
	} else if (strcmp(cls, "drive") == 0) {
		static const char *const proto[][2] = { { "sata", "SATA" }, { "sas", "SAS" },
			{ "nvme", "NVMe" }, { NULL, NULL } };
		const char *ifc = sb_json_str(it->line, "interface");
		const char *media = sb_json_str(it->line, "media");
		set_location(res, "PhysicalLocation", it->slot);
		if (size > 0)
			json_object_set_new(res, "CapacityBytes", json_integer(size));
		for (size_t i = 0; ifc && proto[i][0]; i++)
			if (strcmp(ifc, proto[i][0]) == 0)
				set_str(res, "Protocol", proto[i][1]);
		if (media)
			set_str(res, "MediaType", strcmp(media, "ssd") == 0 ? "SSD" : "HDD");
		set_str(res, "Revision", fw);
	} else if (strcmp(cls, "nic") == 0) {
		json_t *c = json_array_get(sb_json_arr(res, "Controllers"), 0);
		if (c) {
			set_str(c, "FirmwarePackageVersion", fw);
			set_location(c, "Location", it->slot);
		}
		set_location(res, "Location", it->slot);
	} else if (strcmp(cls, "psu") == 0) {
		set_location(res, "Location", it->slot);
		set_str(res, "FirmwareVersion", fw);
	}
}

/* The legacy Power resource carries its power supplies inline. */
static void patch_legacy_psus(json_t *tree, const struct items *psus)
{
	const char *key;
	json_t *res;

	json_object_foreach(tree, key, res) {
		json_t *arr = sb_json_arr(res, "PowerSupplies");
		if (!type_is(res, "#Power.") || !arr || json_array_size(arr) == 0)
			continue;
		while (json_array_size(arr) > psus->n)
			json_array_remove(arr, json_array_size(arr) - 1);
		while (json_array_size(arr) < psus->n && json_array_size(arr) > 0) {
			size_t n = json_array_size(arr);
			json_t *c = json_deep_copy(json_array_get(arr, n - 1));
			char id[2048], num[16];
			snprintf(num, sizeof(num), "%zu", n);
			snprintf(id, sizeof(id), "%s#/PowerSupplies/%zu", key, n);
			json_object_set_new(c, "@odata.id", json_string(id));
			json_object_set_new(c, "MemberId", json_string(num));
			json_array_append_new(arr, c);
		}
		for (size_t i = 0; i < json_array_size(arr); i++) {
			json_t *p = json_array_get(arr, i);
			patch_common(p, &psus->v[i]);
			set_str(p, "FirmwareVersion", fw_version(sb_json_obj(psus->v[i].line,
									   "firmware")));
		}
		json_object_set_new(res, "PowerSupplies@odata.count",
				    json_integer((json_int_t)json_array_size(arr)));
	}
}

static int apply_class(json_t *tree, const json_t *node, const char *cls, pick_fn pick,
		       bool macs, struct sb_strv *gone)
{
	struct items it = { 0 };
	struct sb_strv keys = { 0 };
	int rc = items_of(&it, node, cls, macs);

	if (!rc && macs && it.n == 0)
		goto out;	/* MACs unknown: keep the mockup's interfaces */
	if (!rc)
		rc = find(&keys, tree, pick);
	if (!rc)
		rc = fit(tree, &keys, it.n, gone, macs ? "EthernetInterface" : cls);
	for (size_t i = 0; !rc && i < keys.n && i < it.n; i++) {
		json_t *res = json_object_get(tree, keys.v[i]);
		if (macs) {
			set_str(res, "MACAddress", it.v[i].mac);
			set_str(res, "PermanentMACAddress", it.v[i].mac);
		} else {
			patch_class(res, &it.v[i], cls);
		}
	}
	if (!rc && strcmp(cls, "psu") == 0 && !macs && it.n)
		patch_legacy_psus(tree, &it);
out:
	sb_strv_release(&keys);
	free(it.v);
	return rc;
}

/* One firmware version: the FirmwareInventory entry of that name (made
 * when missing), and for BMC and BIOS the Manager's and System's own
 * properties. */
static int apply_firmware(json_t *tree, const char *name, const char *version,
			  const char *manufacturer)
{
	struct sb_strv keys = { 0 };
	const char *key;
	json_t *res, *hit = NULL;
	int rc;

	if (!name || !version)
		return 0;
	rc = find(&keys, tree, pick_fw);
	for (size_t i = 0; !rc && i < keys.n && !hit; i++) {
		res = json_object_get(tree, keys.v[i]);
		if (sb_strcaseeq(sb_json_str(res, "Id"), name) ||
		    sb_strcaseeq(sb_json_str(res, "Name"), name))
			hit = res;
	}
	if (!rc && !hit && keys.n) {
		char id[64], nk[2048];
		size_t o = 0;
		const char *slash = strrchr(keys.v[0], '/');
		for (const char *p = name; *p && o + 1 < sizeof(id); p++)
			id[o++] = isalnum((unsigned char)*p) || *p == '-' ? *p : '_';
		id[o] = '\0';
		snprintf(nk, sizeof(nk), "%.*s/%s", (int)(slash - keys.v[0]), keys.v[0], id);
		if (!json_object_get(tree, nk)) {
			hit = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:b}", "@odata.type",
					sb_json_str(json_object_get(tree, keys.v[0]), "@odata.type"),
					"@odata.id", nk, "Id", id, "Name", name, "Status",
					"State", "Enabled", "Health", "OK", "Updateable", 1);
			json_object_set_new(tree, nk, hit);
			char coll[2048];
			snprintf(coll, sizeof(coll), "%.*s", (int)(slash - keys.v[0]), keys.v[0]);
			json_t *c = json_object_get(tree, coll);
			json_t *m = sb_json_arr(c, "Members");
			if (m) {
				json_array_append_new(m, json_pack("{s:s}", "@odata.id", nk));
				json_object_set_new(c, "Members@odata.count",
						    json_integer((json_int_t)json_array_size(m)));
			}
		} else {
			hit = json_object_get(tree, nk);
		}
	}
	if (hit) {
		set_str(hit, "Name", name);
		set_str(hit, "Version", version);
		set_str(hit, "Manufacturer", manufacturer);
	}
	json_object_foreach(tree, key, res) {
		if (sb_strcaseeq(name, "BMC") && type_is(res, "#Manager."))
			set_str(res, "FirmwareVersion", version);
		if (sb_strcaseeq(name, "BIOS") && type_is(res, "#ComputerSystem."))
			set_str(res, "BiosVersion", version);
	}
	sb_strv_release(&keys);
	return rc;
}

static void apply_chassis(json_t *tree, const json_t *node)
{
	const json_t *ch = sb_json_obj(node, "chassis");
	struct sb_strv keys = { 0 };
	const char *key;
	json_t *res;

	json_object_foreach(tree, key, res)
		if (type_is(res, "#Chassis."))
			sb_strv_push(&keys, key);
	if (keys.n > 1)
		qsort(keys.v, keys.n, sizeof(char *), natcmp_p);
	if (keys.n && ch) {
		res = json_object_get(tree, keys.v[0]);
		set_str(res, "Manufacturer", sb_json_str(ch, "manufacturer"));
		set_str(res, "Model", sb_json_str(ch, "model"));
		set_str(res, "PartNumber", sb_json_str(ch, "part_number"));
		set_str(res, "SKU", sb_json_str(ch, "sku"));
		set_str(res, "SerialNumber", sb_json_str(ch, "serial"));
	}
	sb_strv_release(&keys);
	json_object_foreach(tree, key, res) {
		if (!type_is(res, "#ComputerSystem."))
			continue;
		if (ch) {
			set_str(res, "Manufacturer", sb_json_str(ch, "manufacturer"));
			set_str(res, "Model", sb_json_str(ch, "model"));
			set_str(res, "PartNumber", sb_json_str(ch, "part_number"));
			set_str(res, "SKU", sb_json_str(ch, "sku"));
			set_str(res, "SerialNumber", sb_json_str(ch, "serial"));
		}
		set_str(res, "HostName", sb_json_str(node, "name"));
	}
}

/* Storage: a subsystem left without drives goes (with its volumes); the
 * remaining subsystems' StorageControllers become the BOM's `other` lines,
 * in order, and controllers beyond those go, so that no mockup serial is
 * left for discovery to find. */
static int apply_storage(json_t *tree, const json_t *node, struct sb_strv *gone)
{
	struct sb_strv keys = { 0 };
	struct items it = { 0 };
	const char *key;
	json_t *res;
	size_t used = 0;
	int rc = items_of(&it, node, "other", false);

	json_object_foreach(tree, key, res)
		if (!rc && type_is(res, "#Storage.") && sb_strv_push(&keys, key))
			rc = sb_error_set(SB_ENOMEM, "out of memory");
	if (keys.n > 1)
		qsort(keys.v, keys.n, sizeof(char *), natcmp_p);
	for (size_t i = 0; !rc && i < keys.n; i++) {
		res = json_object_get(tree, keys.v[i]);
		json_t *drives = sb_json_arr(res, "Drives");
		if (!drives || json_array_size(drives) == 0) {
			delete_subtree(tree, keys.v[i], gone);
			continue;
		}
		json_t *ctl = sb_json_arr(res, "StorageControllers");
		while (ctl && json_array_size(ctl) > 0 &&
		       used + json_array_size(ctl) > it.n)
			json_array_remove(ctl, json_array_size(ctl) - 1);
		for (size_t k = 0; ctl && k < json_array_size(ctl); k++) {
			json_t *c = json_array_get(ctl, k);
			patch_common(c, &it.v[used]);
			set_location(c, "Location", it.v[used].slot);
			used++;
		}
		if (ctl)
			json_object_set_new(res, "StorageControllers@odata.count",
					    json_integer((json_int_t)json_array_size(ctl)));
	}
	sb_strv_release(&keys);
	free(it.v);
	return rc;
}

/* An Assembly under a component describes that component's FRU: it
 * carries the component's own maker, model, part and serial. */
static void apply_assemblies(json_t *tree)
{
	const char *key;
	json_t *res;

	json_object_foreach(tree, key, res) {
		char parent[2048];
		json_t *owner, *arr;
		if (!type_is(res, "#Assembly.") || !sb_endswith(key, "/Assembly"))
			continue;
		snprintf(parent, sizeof(parent), "%.*s", (int)(strlen(key) - strlen("/Assembly")),
			 key);
		owner = json_object_get(tree, parent);
		arr = sb_json_arr(res, "Assemblies");
		if (!owner || !arr)
			continue;
		for (size_t i = 0; i < json_array_size(arr); i++) {
			json_t *a = json_array_get(arr, i);
			static const char *const props[] = { "Manufacturer", "Model",
				"PartNumber", "SerialNumber", NULL };
			for (size_t k = 0; props[k]; k++)
				set_str(a, props[k], sb_json_str(owner, props[k]));
		}
	}
}

/* ProcessorSummary and MemorySummary follow the resources. */
static void apply_summaries(json_t *tree)
{
	const char *key;
	json_t *res;
	long long cpus = 0, cores = 0, threads = 0, mib = 0;
	const char *model = NULL;

	json_object_foreach(tree, key, res) {
		long long v;
		if (pick_cpu(key, res)) {
			cpus++;
			if (sb_json_int(res, "TotalCores", &v))
				cores += v;
			if (sb_json_int(res, "TotalThreads", &v))
				threads += v;
			if (!model)
				model = sb_json_str(res, "Model");
		}
		if (pick_memory(key, res) && sb_json_int(res, "CapacityMiB", &v))
			mib += v;
	}
	json_object_foreach(tree, key, res) {
		json_t *ps = sb_json_obj(res, "ProcessorSummary");
		json_t *ms = sb_json_obj(res, "MemorySummary");
		if (!type_is(res, "#ComputerSystem."))
			continue;
		if (ps) {
			json_object_set_new(ps, "Count", json_integer(cpus));
			if (cores)
				json_object_set_new(ps, "CoreCount", json_integer(cores));
			if (threads)
				json_object_set_new(ps, "LogicalProcessorCount", json_integer(threads));
			set_str(ps, "Model", model);
		}
		if (ms)
			json_object_set_new(ms, "TotalSystemMemoryGiB", json_integer(mib / 1024));
	}
}

int sb_rfemu_apply_node(struct sb_rfemu *e, const json_t *node)
{
	static const struct {
		const char *cls;
		pick_fn pick;
		bool macs;
	} classes[] = {
		{ "cpu", pick_cpu, false }, { "gpu", pick_gpu, false },
		{ "memory", pick_memory, false }, { "drive", pick_drive, false },
		{ "nic", pick_nic, false }, { "nic", pick_eth, true },
		{ "psu", pick_psu, false },
	};
	json_t *tree = sb_rfemu_tree(e), *line, *fw;
	struct sb_strv gone = { 0 };
	const char *key;
	json_t *res;
	size_t i;
	int rc = 0;

	if (!json_is_object(node) || !sb_json_str(node, "name"))
		return sb_error_set(SB_EINPUT, "node JSON: not a node of `siteboot bom show "
				    "--json` (no \"name\")");
	for (i = 0; !rc && i < sizeof(classes) / sizeof(classes[0]); i++)
		rc = apply_class(tree, node, classes[i].cls, classes[i].pick, classes[i].macs,
				 &gone);
	if (rc)
		goto out;
	if (gone.n)
		json_object_foreach(tree, key, res)
			scrub(res, &gone, true);
	sb_strv_release(&gone);
	rc = apply_storage(tree, node, &gone);
	if (rc)
		goto out;
	if (gone.n)
		json_object_foreach(tree, key, res)
			scrub(res, &gone, true);
	apply_chassis(tree, node);
	json_array_foreach(sb_json_arr(node, "firmware"), i, fw)
		if (!rc)
			rc = apply_firmware(tree, sb_json_str(fw, "name"), fw_version(fw), NULL);
	json_array_foreach(sb_json_arr(node, "components"), i, line) {
		const json_t *lfw = sb_json_obj(line, "firmware");
		/* component firmware such as the BMC line's */
		if (!rc && lfw)
			rc = apply_firmware(tree, sb_json_str(lfw, "name"), fw_version(lfw),
					    sb_json_str(line, "manufacturer"));
		if (!rc && sb_streq(sb_json_str(line, "class"), "bmc")) {
			json_t *serials = sb_json_arr(line, "serials");
			json_object_foreach(tree, key, res)
				if (type_is(res, "#Manager."))
					patch_common(res, &(struct item){ line,
						json_string_value(json_array_get(serials, 0)), NULL, NULL });
		}
	}
	apply_assemblies(tree);
	apply_summaries(tree);
out:
	sb_strv_release(&gone);
	sb_rfemu_changed(e);
	return rc;
}
