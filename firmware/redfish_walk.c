/* Redfish: walking a service from its root and mapping what it holds to
 * the shared hardware types (common/hw.h). No network here: the driver
 * hands in a fetcher (redfish.c fetches in parallel over HTTP; the unit
 * tests and the fuzz target fetch from files or memory).
 *
 * The walk is breadth-first in rounds: every resource found in one round
 * is fetched in the next, all at once, so a BMC's latency is paid once
 * per level of the tree rather than once per resource. Each queued link
 * carries what it is expected to be (a "kind"), taken from the property
 * that pointed at it, never from the shape of its path. */
#include "firmware/redfish_int.h"
#include "common/error.h"
#include "common/json.h"
#include "common/log.h"
#include "common/str.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum kind {
	K_COLL,			/* a collection; members are `sub` */
	K_SYSTEM,
	K_CHASSIS,
	K_MANAGER,
	K_CPU,
	K_MEMORY,
	K_STORAGE,
	K_STORCTRL,
	K_SIMPLESTORAGE,
	K_DRIVE,
	K_ETH,
	K_NETADAPTER,
	K_NDF,
	K_POWERSUB,
	K_POWER,
	K_PSU,
	K_ASSEMBLY,
	K_UPDATESVC,
	K_FW,
};

struct item {
	char *path;
	unsigned char kind, sub;
	int parent;		/* component index this belongs to, or -1 */
};

struct walk {
	const struct sb_rf_walk_opts *o;
	struct sb_hw_inventory *inv;
	struct item *q;
	size_t nq, capq;
	struct sb_strv seen;
	size_t max;
	bool truncated;
	size_t fw_before;	/* firmware entries before the walk */
	char *bios_version;	/* fallbacks when there is no UpdateService */
	char *bmc_version;
	char *bios_path, *bmc_path;
};

/* ---- small helpers ------------------------------------------------------ */

bool sb_rf_path_ok(const char *p)
{
	size_t n;

	if (!p || !sb_startswith(p, "/redfish/v1"))
		return false;
	n = strlen(p);
	if (n >= SB_RF_PATH_MAX)
		return false;
	if (p[11] && p[11] != '/' && p[11] != '?' && p[11] != '#')
		return false;
	if (strstr(p, "..") || strstr(p, "//") || strchr(p, '\\'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= 0x20 || c >= 0x7f)
			return false;
	}
	return true;
}

bool sb_rf_root_can_expand(const json_t *root)
{
	json_t *pf = sb_json_obj(root, "ProtocolFeaturesSupported");
	json_t *ex = sb_json_obj(pf, "ExpandQuery");

	return json_is_true(json_object_get(ex, "Levels")) &&
	       json_is_true(json_object_get(ex, "NoLinks"));
}

static const char *link_of(const json_t *d, const char *key)
{
	return sb_json_str(sb_json_obj(d, key), "@odata.id");
}

static bool absent(const json_t *d)
{
	return sb_streq(sb_json_str(sb_json_obj(d, "Status"), "State"),
			"Absent");
}

static int setj(char **field, const char *s)
{
	return sb_hw_set(field, s, s ? strlen(s) : 0);
}

/* A part's place as the BMC names it, from whichever property the schema
 * version in use has. */
static const char *location_of(const json_t *d)
{
	json_t *loc = json_object_get(d, "Location");
	const char *s = NULL;

	if (json_is_array(loc))	/* Drive.Location in old schemas */
		loc = json_array_get(loc, 0);
	s = sb_json_str(sb_json_obj(loc, "PartLocation"), "ServiceLabel");
	if (!s)
		s = sb_json_str(loc, "Info");
	if (!s) {
		json_t *pl = sb_json_obj(d, "PhysicalLocation");
		s = sb_json_str(sb_json_obj(pl, "PartLocation"), "ServiceLabel");
		if (!s)
			s = sb_json_str(pl, "Info");
	}
	if (!s)
		s = sb_json_str(d, "DeviceLocator");
	if (!s)
		s = sb_json_str(d, "Socket");
	return s;
}

static void lower_mac(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* ---- the queue ---------------------------------------------------------- */

static int enqueue(struct walk *w, const char *path, int kind, int sub,
		   int parent)
{
	struct item *it;

	if (!path)
		return 0;
	if (!sb_rf_path_ok(path) || strchr(path, '#')) {
		sb_debug("redfish: not following link '%.80s'", path);
		return 0;
	}
	if (sb_strv_contains(&w->seen, path))
		return 0;
	if (w->seen.n >= w->max) {
		w->truncated = true;
		return 0;
	}
	if (sb_strv_push(&w->seen, path))
		return SB_ENOMEM;
	if (w->nq == w->capq) {
		size_t ncap = w->capq ? w->capq * 2 : 64;
		struct item *p = realloc(w->q, ncap * sizeof(*p));
		if (!p)
			return sb_error_set(SB_ENOMEM, "out of memory");
		w->q = p;
		w->capq = ncap;
	}
	it = &w->q[w->nq];
	it->path = sb_strdup(path);
	if (!it->path)
		return sb_error_set(SB_ENOMEM, "out of memory");
	it->kind = (unsigned char)kind;
	it->sub = (unsigned char)sub;
	it->parent = parent;
	w->nq++;
	return 0;
}

static int coll(struct walk *w, const json_t *d, const char *key, int sub,
		int parent)
{
	return enqueue(w, link_of(d, key), K_COLL, sub, parent);
}

/* ---- components --------------------------------------------------------- */

/* Evidence for a resource is added the first time a fact uses it. */
struct res {
	const char *path;
	const json_t *d;
	const char *raw;
	size_t len;
	int ev;
};

static int evidence(struct walk *w, struct res *r)
{
	if (r->ev < 0)
		r->ev = sb_hw_add_evidence(w->inv, r->path, "application/json",
					   r->raw, r->len);
	return r->ev;
}

/* Add a component from a Redfish object d (the resource or a member
 * inline in it) found at `path`. Returns its index or a negative code. */
static int add_comp(struct walk *w, struct res *r, enum sb_hw_class cls,
		    const json_t *d, const char *path)
{
	struct sb_hw_component *c;
	int ev = evidence(w, r);
	const char *mfr = sb_json_str(d, "Manufacturer");

	if (ev < 0)
		return ev;
	c = sb_hw_add_component(w->inv, cls, "redfish", path);
	if (!c)
		return SB_ENOMEM;
	c->evidence = ev;
	if (!mfr)
		mfr = sb_json_str(d, "Vendor");
	if (setj(&c->manufacturer, mfr) ||
	    setj(&c->model, sb_json_str(d, "Model")) ||
	    setj(&c->part_number, sb_json_str(d, "PartNumber")) ||
	    setj(&c->serial, sb_json_str(d, "SerialNumber")) ||
	    setj(&c->asset_tag, sb_json_str(d, "AssetTag")) ||
	    setj(&c->name, sb_json_str(d, "Name")) ||
	    setj(&c->location, location_of(d)))
		return SB_ENOMEM;
	return (int)(w->inv->ncomponents - 1);
}

static struct sb_hw_component *comp(struct walk *w, int idx)
{
	return idx >= 0 && (size_t)idx < w->inv->ncomponents ?
		&w->inv->components[idx] : NULL;
}

static void set_u64(uint64_t *f, const json_t *d, const char *key,
		    uint64_t mult)
{
	long long v;

	if (sb_json_int(d, key, &v) && v > 0 &&
	    (unsigned long long)v <= UINT64_MAX / mult)
		*f = (uint64_t)v * mult;
}

static void set_u32(uint32_t *f, const json_t *d, const char *key)
{
	long long v;

	if (sb_json_int(d, key, &v) && v > 0 && v <= (long long)UINT32_MAX)
		*f = (uint32_t)v;
}

static int follow_assembly(struct walk *w, const json_t *d, int idx)
{
	return enqueue(w, link_of(d, "Assembly"), K_ASSEMBLY, 0, idx);
}

/* Append a MAC to a component's durable id ("a,b" for multi-port cards). */
static int add_mac(struct sb_hw_component *c, const char *mac)
{
	char buf[SB_HW_FIELD_MAX + 1];

	if (!c || !mac || !*mac)
		return 0;
	if (c->durable_id) {
		if (strstr(c->durable_id, mac))
			return 0;
		snprintf(buf, sizeof(buf), "%s,%s", c->durable_id, mac);
	} else {
		sb_strlcpy(buf, mac, sizeof(buf));
	}
	if (setj(&c->durable_id, buf))
		return SB_ENOMEM;
	lower_mac(c->durable_id);
	return 0;
}

static const char *mac_of(const json_t *d)
{
	const char *m = sb_json_str(d, "PermanentMACAddress");

	if (!m || !*m)
		m = sb_json_str(d, "MACAddress");
	return m && *m ? m : NULL;
}

/* ---- one resource per kind ---------------------------------------------- */

static int handle(struct walk *w, const struct item *it, struct res *r);

static int handle_members(struct walk *w, const struct item *it,
			  struct res *r)
{
	json_t *members = sb_json_arr(r->d, "Members");
	size_t i;
	json_t *m;
	int rc;

	json_array_foreach(members, i, m) {
		const char *id = sb_json_str(m, "@odata.id");

		if (!id)
			continue;
		if (json_object_size(m) > 1 && sb_rf_path_ok(id) &&
		    !strchr(id, '#')) {
			/* expanded inline: handle it here, its own JSON is
			 * the evidence */
			struct item sub = { (char *)id, it->sub, 0, it->parent };
			struct res mr = { id, m, NULL, 0, -1 };
			char *raw;

			if (sb_strv_contains(&w->seen, id))
				continue;
			if (w->seen.n >= w->max) {
				w->truncated = true;
				break;
			}
			if (sb_strv_push(&w->seen, id))
				return SB_ENOMEM;
			raw = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (!raw)
				return sb_error_set(SB_ENOMEM, "out of memory");
			mr.raw = raw;
			mr.len = strlen(raw);
			rc = handle(w, &sub, &mr);
			free(raw);
			if (rc)
				return rc;
		} else {
			rc = enqueue(w, id, it->sub, 0, it->parent);
			if (rc)
				return rc;
		}
	}
	return enqueue(w, sb_json_str(r->d, "Members@odata.nextLink"), K_COLL,
		       it->sub, it->parent);
}

static int handle_system(struct walk *w, struct res *r)
{
	const json_t *d = r->d;
	int rc = 0;

	if (!w->inv->vendor && setj(&w->inv->vendor, sb_json_str(d, "Manufacturer")))
		return SB_ENOMEM;
	if (!w->inv->product && setj(&w->inv->product, sb_json_str(d, "Model")))
		return SB_ENOMEM;
	if (!w->inv->system_guid &&
	    setj(&w->inv->system_guid, sb_json_str(d, "UUID")))
		return SB_ENOMEM;
	if (!w->bios_version && sb_json_str(d, "BiosVersion")) {
		w->bios_version = sb_strdup(sb_json_str(d, "BiosVersion"));
		w->bios_path = sb_strdup(r->path);
	}
	if (!w->o->hardware)
		return 0;
	if ((rc = coll(w, d, "Processors", K_CPU, -1)) ||
	    (rc = coll(w, d, "Memory", K_MEMORY, -1)) ||
	    (rc = coll(w, d, "Storage", K_STORAGE, -1)) ||
	    (rc = coll(w, d, "SimpleStorage", K_SIMPLESTORAGE, -1)) ||
	    (rc = coll(w, d, "EthernetInterfaces", K_ETH, -1)))
		return rc;
	return 0;
}

static int handle_chassis(struct walk *w, struct res *r)
{
	const json_t *d = r->d;
	const char *type = sb_json_str(d, "ChassisType");
	enum sb_hw_class cls = SB_HW_CHASSIS;
	json_t *drives, *m;
	size_t i;
	int idx, rc;

	if (sb_streq(type, "Card") || sb_streq(type, "Module") ||
	    sb_streq(type, "Component"))
		cls = SB_HW_BOARD;
	if (absent(d))
		return 0;
	idx = add_comp(w, r, cls, d, r->path);
	if (idx < 0)
		return idx;
	if (cls == SB_HW_CHASSIS && !w->inv->chassis_serial &&
	    setj(&w->inv->chassis_serial, sb_json_str(d, "SerialNumber")))
		return SB_ENOMEM;
	if ((rc = coll(w, d, "NetworkAdapters", K_NETADAPTER, -1)) ||
	    (rc = follow_assembly(w, d, idx)) ||
	    (rc = coll(w, d, "Drives", K_DRIVE, -1)))
		return rc;
	/* PowerSubsystem replaces the deprecated Power resource. */
	if (link_of(d, "PowerSubsystem"))
		rc = enqueue(w, link_of(d, "PowerSubsystem"), K_POWERSUB, 0, -1);
	else
		rc = enqueue(w, link_of(d, "Power"), K_POWER, 0, -1);
	if (rc)
		return rc;
	drives = sb_json_arr(sb_json_obj(d, "Links"), "Drives");
	json_array_foreach(drives, i, m)
		if ((rc = enqueue(w, sb_json_str(m, "@odata.id"), K_DRIVE, 0, -1)))
			return rc;
	return 0;
}

static int handle_manager(struct walk *w, struct res *r)
{
	int idx;

	if (!w->bmc_version && sb_json_str(r->d, "FirmwareVersion")) {
		w->bmc_version = sb_strdup(sb_json_str(r->d, "FirmwareVersion"));
		w->bmc_path = sb_strdup(r->path);
	}
	if (!w->o->hardware || absent(r->d))
		return 0;
	idx = add_comp(w, r, SB_HW_BMC, r->d, r->path);
	return idx < 0 ? idx : 0;
}

static int handle_cpu(struct walk *w, struct res *r)
{
	const char *type = sb_json_str(r->d, "ProcessorType");
	enum sb_hw_class cls = SB_HW_CPU;
	struct sb_hw_component *c;
	int idx;

	if (absent(r->d))
		return 0;
	if (sb_streq(type, "GPU"))
		cls = SB_HW_GPU;
	else if (type && !sb_streq(type, "CPU"))
		cls = SB_HW_OTHER;
	idx = add_comp(w, r, cls, r->d, r->path);
	if (idx < 0)
		return idx;
	c = comp(w, idx);
	set_u32(&c->speed, r->d, "MaxSpeedMHz");
	set_u32(&c->cores, r->d, "TotalCores");
	return follow_assembly(w, r->d, idx);
}

static int handle_memory(struct walk *w, struct res *r)
{
	struct sb_hw_component *c;
	int idx;

	if (absent(r->d))
		return 0;
	idx = add_comp(w, r, SB_HW_MEMORY, r->d, r->path);
	if (idx < 0)
		return idx;
	c = comp(w, idx);
	set_u64(&c->capacity_bytes, r->d, "CapacityMiB", 1024 * 1024);
	set_u32(&c->speed, r->d, "OperatingSpeedMhz");
	return follow_assembly(w, r->d, idx);
}

static int drive_fill(struct sb_hw_component *c, const json_t *d)
{
	json_t *ids = sb_json_arr(d, "Identifiers");

	set_u64(&c->capacity_bytes, d, "CapacityBytes", 1);
	if (json_array_size(ids) &&
	    setj(&c->durable_id,
		 sb_json_str(json_array_get(ids, 0), "DurableName")))
		return SB_ENOMEM;
	return 0;
}

static int handle_drive(struct walk *w, struct res *r)
{
	int idx, rc;

	if (absent(r->d))
		return 0;
	idx = add_comp(w, r, SB_HW_DRIVE, r->d, r->path);
	if (idx < 0)
		return idx;
	if ((rc = drive_fill(comp(w, idx), r->d)))
		return rc;
	return follow_assembly(w, r->d, idx);
}

/* Members written inline in a resource (StorageControllers, the old
 * Power.PowerSupplies, SimpleStorage.Devices): each becomes a component
 * whose path is its own @odata.id (a #fragment) or the parent's path
 * with the JSON pointer to it. */
static int inline_members(struct walk *w, struct res *r, const char *key,
			  enum sb_hw_class cls, bool need_identity)
{
	json_t *arr = sb_json_arr(r->d, key), *m;
	size_t i;

	json_array_foreach(arr, i, m) {
		char path[SB_RF_PATH_MAX + 64];
		const char *id = sb_json_str(m, "@odata.id");
		int idx;

		if (!json_is_object(m) || absent(m))
			continue;
		if (need_identity && !sb_json_str(m, "Model") &&
		    !sb_json_str(m, "SerialNumber") &&
		    !sb_json_str(m, "PartNumber"))
			continue;
		if (id && sb_rf_path_ok(id))
			sb_strlcpy(path, id, sizeof(path));
		else
			snprintf(path, sizeof(path), "%s#/%s/%zu", r->path, key, i);
		idx = add_comp(w, r, cls, m, path);
		if (idx < 0)
			return idx;
		if (cls == SB_HW_DRIVE && drive_fill(comp(w, idx), m))
			return SB_ENOMEM;
	}
	return 0;
}

static int handle_storage(struct walk *w, struct res *r)
{
	json_t *drives = sb_json_arr(r->d, "Drives"), *m;
	size_t i;
	int rc;

	if ((rc = inline_members(w, r, "StorageControllers", SB_HW_OTHER, true)))
		return rc;
	if (!sb_json_arr(r->d, "StorageControllers") &&
	    (rc = coll(w, r->d, "Controllers", K_STORCTRL, -1)))
		return rc;
	json_array_foreach(drives, i, m)
		if ((rc = enqueue(w, sb_json_str(m, "@odata.id"), K_DRIVE, 0, -1)))
			return rc;
	return 0;
}

static int handle_eth(struct walk *w, struct res *r)
{
	const char *mac = mac_of(r->d);
	struct sb_hw_component *c;
	int idx;

	/* A VLAN or host interface without an address of its own is not a
	 * piece of hardware. */
	if (!mac || absent(r->d))
		return 0;
	idx = add_comp(w, r, SB_HW_NIC, r->d, r->path);
	if (idx < 0)
		return idx;
	c = comp(w, idx);
	set_u32(&c->speed, r->d, "SpeedMbps");
	return add_mac(c, mac);
}

static int handle_netadapter(struct walk *w, struct res *r)
{
	json_t *ctrl = json_array_get(sb_json_arr(r->d, "Controllers"), 0);
	struct sb_hw_component *c;
	int idx, rc;

	if (absent(r->d))
		return 0;
	idx = add_comp(w, r, SB_HW_NIC, r->d, r->path);
	if (idx < 0)
		return idx;
	c = comp(w, idx);
	if (!c->location && setj(&c->location, location_of(ctrl)))
		return SB_ENOMEM;
	if ((rc = coll(w, r->d, "NetworkDeviceFunctions", K_NDF, idx)))
		return rc;
	return follow_assembly(w, r->d, idx);
}

static int handle_ndf(struct walk *w, struct res *r, int parent)
{
	return add_mac(comp(w, parent), mac_of(sb_json_obj(r->d, "Ethernet")));
}

static int handle_psu(struct walk *w, struct res *r)
{
	int idx;

	if (absent(r->d))
		return 0;
	idx = add_comp(w, r, SB_HW_PSU, r->d, r->path);
	return idx < 0 ? idx : follow_assembly(w, r->d, idx);
}

/* An Assembly fills what its part left out; a sub-assembly with a serial
 * of its own is a component of its own. */
static int handle_assembly(struct walk *w, struct res *r, int parent)
{
	json_t *arr = sb_json_arr(r->d, "Assemblies"), *a;
	size_t i;

	json_array_foreach(arr, i, a) {
		struct sb_hw_component *p = comp(w, parent);
		const char *serial = sb_json_str(a, "SerialNumber");
		const char *mfr = sb_json_str(a, "Vendor");

		if (!json_is_object(a))
			continue;
		if (!mfr)
			mfr = sb_json_str(a, "Producer");
		if (p && i == 0) {
			if ((!p->serial && setj(&p->serial, serial)) ||
			    (!p->part_number &&
			     setj(&p->part_number, sb_json_str(a, "PartNumber"))) ||
			    (!p->model && setj(&p->model, sb_json_str(a, "Model"))) ||
			    (!p->manufacturer && setj(&p->manufacturer, mfr)))
				return SB_ENOMEM;
		}
		p = comp(w, parent);
		if (serial && (!p || !sb_streq(p->serial, serial))) {
			char path[SB_RF_PATH_MAX + 64];
			const char *id = sb_json_str(a, "@odata.id");
			int idx;

			if (id && sb_rf_path_ok(id))
				sb_strlcpy(path, id, sizeof(path));
			else
				snprintf(path, sizeof(path), "%s#/Assemblies/%zu",
					 r->path, i);
			idx = add_comp(w, r, SB_HW_OTHER, a, path);
			if (idx < 0)
				return idx;
			if (!comp(w, idx)->manufacturer &&
			    setj(&comp(w, idx)->manufacturer, mfr))
				return SB_ENOMEM;
		}
	}
	return 0;
}

static int handle_fw(struct walk *w, struct res *r)
{
	const char *name = sb_json_str(r->d, "Name");
	const char *version = sb_json_str(r->d, "Version");
	json_t *rel = json_array_get(sb_json_arr(r->d, "RelatedItem"), 0);
	struct sb_hw_firmware *f;
	int ev;

	if (!version || !*version)
		return 0;
	if (!name)
		name = sb_json_str(r->d, "Id");
	ev = evidence(w, r);
	if (ev < 0)
		return ev;
	f = sb_hw_add_firmware(w->inv, name ? name : r->path, version,
			       "redfish", r->path);
	if (!f)
		return SB_ENOMEM;
	f->evidence = ev;
	if (setj(&f->component, sb_json_str(rel, "@odata.id")))
		return SB_ENOMEM;
	return 0;
}

static int handle(struct walk *w, const struct item *it, struct res *r)
{
	const json_t *d = r->d;

	if (!json_is_object(d))
		return 0;
	switch (it->kind) {
	case K_COLL:
		return handle_members(w, it, r);
	case K_SYSTEM:
		return handle_system(w, r);
	case K_CHASSIS:
		return w->o->hardware ? handle_chassis(w, r) : 0;
	case K_MANAGER:
		return handle_manager(w, r);
	case K_CPU:
		return handle_cpu(w, r);
	case K_MEMORY:
		return handle_memory(w, r);
	case K_STORAGE:
		return handle_storage(w, r);
	case K_STORCTRL: {
		int idx = absent(d) ? 0 : add_comp(w, r, SB_HW_OTHER, d, r->path);
		return idx < 0 ? idx : 0;
	}
	case K_SIMPLESTORAGE:
		return inline_members(w, r, "Devices", SB_HW_DRIVE, false);
	case K_DRIVE:
		return handle_drive(w, r);
	case K_ETH:
		return handle_eth(w, r);
	case K_NETADAPTER:
		return handle_netadapter(w, r);
	case K_NDF:
		return handle_ndf(w, r, it->parent);
	case K_POWERSUB:
		return coll(w, d, "PowerSupplies", K_PSU, -1);
	case K_POWER:
		return inline_members(w, r, "PowerSupplies", SB_HW_PSU, false);
	case K_PSU:
		return handle_psu(w, r);
	case K_ASSEMBLY:
		return handle_assembly(w, r, it->parent);
	case K_UPDATESVC:
		return coll(w, d, "FirmwareInventory", K_FW, -1);
	case K_FW:
		return handle_fw(w, r);
	default:
		return 0;
	}
}

/* ---- the walk ------------------------------------------------------------ */

static char *request_path(const struct walk *w, const struct item *it)
{
	if (it->kind == K_COLL && w->o->expand)
		return sb_asprintf("%s%c$expand=.($levels=1)", it->path,
				   strchr(it->path, '?') ? '&' : '?');
	return sb_strdup(it->path);
}

static void free_items(struct item *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

static int fallback_firmware(struct walk *w)
{
	if (!w->o->firmware || w->inv->nfirmware > w->fw_before)
		return 0;
	if (w->bios_version &&
	    !sb_hw_add_firmware(w->inv, "BIOS", w->bios_version, "redfish",
				w->bios_path))
		return SB_ENOMEM;
	if (w->bmc_version &&
	    !sb_hw_add_firmware(w->inv, "BMC", w->bmc_version, "redfish",
				w->bmc_path))
		return SB_ENOMEM;
	return 0;
}

int sb_rf_walk(const struct sb_rf_walk_opts *o, const json_t *root,
	       sb_rf_fetch_fn fetch, void *ctx, struct sb_hw_inventory *inv,
	       struct sb_rf_walk_stats *stats)
{
	struct walk w;
	struct sb_rf_walk_stats st = { 0, 0, 0 };
	int rc = 0;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.inv = inv;
	w.max = o->max_resources ? o->max_resources : 4096;
	w.fw_before = inv->nfirmware;
	if (!json_is_object(root)) {
		rc = sb_error_set(SB_EPROTO, "the Redfish service root is not a JSON object");
		goto out;
	}
	if (o->hardware || (o->firmware && !link_of(root, "UpdateService"))) {
		if ((rc = coll(&w, root, "Systems", K_SYSTEM, -1)) ||
		    (rc = coll(&w, root, "Managers", K_MANAGER, -1)))
			goto out;
	}
	if (o->hardware && (rc = coll(&w, root, "Chassis", K_CHASSIS, -1)))
		goto out;
	if (o->firmware &&
	    (rc = enqueue(&w, link_of(root, "UpdateService"), K_UPDATESVC, 0, -1)))
		goto out;

	while (w.nq) {
		struct item *batch = w.q;
		size_t n = w.nq, i;
		char **paths = calloc(n, sizeof(*paths));
		struct sb_rf_doc *docs = calloc(n, sizeof(*docs));

		w.q = NULL;
		w.nq = w.capq = 0;
		if (!paths || !docs) {
			free(paths);
			free(docs);
			free_items(batch, n);
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < n && rc == 0; i++)
			if (!(paths[i] = request_path(&w, &batch[i])))
				rc = sb_error_set(SB_ENOMEM, "out of memory");
		if (rc == 0)
			rc = fetch(ctx, (const char *const *)paths, n, docs);
		st.rounds++;
		st.fetched += n;
		for (i = 0; i < n; i++) {
			if (rc == 0 && docs[i].doc) {
				struct res r = { batch[i].path, docs[i].doc,
						 docs[i].raw, docs[i].len, -1 };
				rc = handle(&w, &batch[i], &r);
			} else if (rc == 0) {
				st.missing++;
			}
			json_decref(docs[i].doc);
			free(docs[i].raw);
			free(paths[i]);
		}
		free(paths);
		free(docs);
		free_items(batch, n);
		if (rc)
			goto out;
	}
	if (w.truncated)
		sb_warn("redfish: stopped following links after %zu resources",
			w.max);
	rc = fallback_firmware(&w);
out:
	free_items(w.q, w.nq);
	sb_strv_release(&w.seen);
	free(w.bios_version);
	free(w.bmc_version);
	free(w.bios_path);
	free(w.bmc_path);
	if (stats)
		*stats = st;
	return rc;
}

/* ---- mapping helpers for the driver -------------------------------------- */

bool sb_rf_reset_allowed(const json_t *allowed, const char *type)
{
	size_t i;
	json_t *v;

	if (!json_is_array(allowed))
		return true;
	json_array_foreach(allowed, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), type) == 0)
			return true;
	return false;
}

const char *sb_rf_reset_type(enum sb_power_action a, const json_t *allowed)
{
	/* Preferences per action, best first. PushPowerButton toggles and
	 * GracefulRestart may never happen: neither stands in for a hard
	 * action. */
	static const char *const on[] = { "On", "ForceOn", NULL };
	static const char *const off[] = { "ForceOff", NULL };
	static const char *const cycle[] = { "PowerCycle", NULL };
	static const char *const reset[] = { "ForceRestart", "PowerCycle", NULL };
	static const char *const soft[] = { "GracefulShutdown", NULL };
	const char *const *pref;

	switch (a) {
	case SB_POWER_ACT_ON: pref = on; break;
	case SB_POWER_ACT_OFF: pref = off; break;
	case SB_POWER_ACT_CYCLE: pref = cycle; break;
	case SB_POWER_ACT_RESET: pref = reset; break;
	case SB_POWER_ACT_SOFT: pref = soft; break;
	default: return NULL;
	}
	for (; *pref; pref++)
		if (sb_rf_reset_allowed(allowed, *pref))
			return *pref;
	return NULL;
}

enum sb_power_state sb_rf_power_state(const char *s)
{
	if (sb_streq(s, "On"))
		return SB_POWER_ON;
	if (sb_streq(s, "Off"))
		return SB_POWER_OFF;
	return SB_POWER_UNKNOWN;	/* PoweringOn, PoweringOff, Paused, absent */
}

static const struct {
	enum sb_boot_device dev;
	const char *target;
} boot_targets[] = {
	{ SB_BOOT_NONE, "None" },
	{ SB_BOOT_PXE, "Pxe" },
	{ SB_BOOT_DISK, "Hdd" },
	{ SB_BOOT_CD, "Cd" },
	{ SB_BOOT_BIOS, "BiosSetup" },
};

const char *sb_rf_boot_target(enum sb_boot_device d)
{
	for (size_t i = 0; i < sizeof(boot_targets) / sizeof(boot_targets[0]); i++)
		if (boot_targets[i].dev == d)
			return boot_targets[i].target;
	return NULL;
}

int sb_rf_boot_parse(struct sb_boot *out, const json_t *boot)
{
	const char *en = sb_json_str(boot, "BootSourceOverrideEnabled");
	const char *tg = sb_json_str(boot, "BootSourceOverrideTarget");
	const char *mode = sb_json_str(boot, "BootSourceOverrideMode");
	size_t i;

	memset(out, 0, sizeof(*out));
	out->uefi = !sb_streq(mode, "Legacy");
	if (!json_is_object(boot))
		return sb_error_set(SB_EUNSUPPORTED,
				    "the system has no Boot property: boot override is not offered");
	if (!en || sb_streq(en, "Disabled"))
		return 0;
	out->persistent = sb_streq(en, "Continuous");
	for (i = 0; i < sizeof(boot_targets) / sizeof(boot_targets[0]); i++)
		if (sb_streq(tg, boot_targets[i].target)) {
			out->device = boot_targets[i].dev;
			return 0;
		}
	/* Usb, Diags, UefiTarget...: an override we have no name for. */
	return sb_error_set(SB_EPROTO, "boot override target '%.40s' is not one of pxe, disk, cd, bios",
			    tg ? tg : "(none)");
}

static const json_t *ext_info0(const json_t *body)
{
	json_t *err = sb_json_obj(body, "error");
	json_t *ext = sb_json_arr(err, "@Message.ExtendedInfo");

	if (!ext)
		ext = sb_json_arr(body, "@Message.ExtendedInfo");
	return json_array_get(ext, 0);
}

const char *sb_rf_error_text(const json_t *body)
{
	const char *s = sb_json_str(ext_info0(body), "Message");

	return s ? s : sb_json_str(sb_json_obj(body, "error"), "message");
}

const char *sb_rf_error_id(const json_t *body)
{
	const char *s = sb_json_str(ext_info0(body), "MessageId");

	return s ? s : sb_json_str(sb_json_obj(body, "error"), "code");
}
