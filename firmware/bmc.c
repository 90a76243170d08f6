/* The generic BMC layer: driver choice, capability checks, the rate
 * limit, verified power changes and boot read-back, for every driver. */
#include "firmware/bmc.h"
#include "common/error.h"
#include "common/log.h"
#include "common/str.h"
#include "common/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Both drivers are linked in: the URL scheme picks one. */

void sb_bmc_creds_release(struct sb_bmc_creds *c)
{
	if (!c)
		return;
	free(c->user);
	sb_free_secret(c->password);
	c->user = c->password = NULL;
}

void sb_bmc_opts_default(struct sb_bmc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = 5000;
	o->retries = 2;
	o->cipher_suite = -1;
}

void sb_bmc_info_release(struct sb_bmc_info *i)
{
	if (!i)
		return;
	free(i->vendor);
	free(i->product);
	free(i->firmware_version);
	free(i->system_guid);
	free(i->protocol_version);
	free(i->cert_sha256);
	memset(i, 0, sizeof(*i));
}

void sb_bmc_sel_free(struct sb_sel_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

void sb_bmc_findings_free(struct sb_bmc_finding *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].severity);
		free(v[i].text);
	}
	free(v);
}

static const char *const power_states[] = { "unknown", "off", "on" };
static const char *const power_actions[] = {
	"on", "off", "cycle", "reset", "soft", NULL,
};
static const char *const boot_devices[] = {
	"none", "pxe", "disk", "cd", "bios", NULL,
};

const char *sb_power_state_name(enum sb_power_state s)
{
	return (unsigned)s <= SB_POWER_ON ? power_states[s] : "unknown";
}

const char *sb_power_action_name(enum sb_power_action a)
{
	return (unsigned)a <= SB_POWER_ACT_SOFT ? power_actions[a] : "?";
}

int sb_power_action_parse(enum sb_power_action *out, const char *s)
{
	for (int i = 0; power_actions[i]; i++) {
		if (strcmp(s, power_actions[i]) == 0) {
			*out = (enum sb_power_action)i;
			return 0;
		}
	}
	return sb_error_set(SB_EINPUT,
			    "unknown power action '%s'; use on, off, cycle, reset or soft",
			    s);
}

const char *sb_boot_device_name(enum sb_boot_device d)
{
	return (unsigned)d <= SB_BOOT_BIOS ? boot_devices[d] : "?";
}

int sb_boot_device_parse(enum sb_boot_device *out, const char *s)
{
	for (int i = 0; boot_devices[i]; i++) {
		if (strcmp(s, boot_devices[i]) == 0) {
			*out = (enum sb_boot_device)i;
			return 0;
		}
	}
	if (strcmp(s, "cdrom") == 0) {
		*out = SB_BOOT_CD;
		return 0;
	}
	return sb_error_set(SB_EINPUT,
			    "unknown boot device '%s'; use pxe, disk, cd or bios",
			    s);
}

const struct sb_bmc_driver *sb_bmc_driver_for(const struct sb_bmc_url *url)
{
	const struct sb_bmc_driver *d = url->proto == SB_PROTO_IPMI ?
		&sb_bmc_ipmi_driver : &sb_bmc_redfish_driver;

	if (!d)
		sb_error_set(SB_EUNSUPPORTED,
			     "this siteboot was built without the %s driver",
			     url->proto == SB_PROTO_IPMI ? "IPMI" : "Redfish");
	return d;
}

int sb_bmc_open(struct sb_bmc **out, const char *url,
		const struct sb_bmc_creds *creds,
		const struct sb_bmc_opts *opts)
{
	struct sb_bmc_url u;
	struct sb_bmc_opts def;
	const struct sb_bmc_driver *d;
	int rc;

	*out = NULL;
	rc = sb_bmc_url_parse(&u, url);
	if (rc)
		return rc;
	d = sb_bmc_driver_for(&u);
	if (!d)
		return SB_EUNSUPPORTED;
	if (!opts) {
		sb_bmc_opts_default(&def);
		opts = &def;
	}
	rc = d->open(out, &u, creds, opts);
	if (rc)
		return rc;
	(*out)->drv = d;
	(*out)->url = u;
	(*out)->opts = *opts;
	sb_bmc_url_hostport((*out)->name, sizeof((*out)->name), &u);
	return 0;
}

void sb_bmc_close(struct sb_bmc *b)
{
	if (b)
		b->drv->close(b);
}

/* Capability check and rate limit before every command. */
static int before(struct sb_bmc *b, bool have, const char *what)
{
	if (!have)
		return sb_error_set(SB_EUNSUPPORTED,
				    "bmc %s: the %s driver does not support %s",
				    b->name, b->drv->name, what);
	if (b->opts.min_interval_ms) {
		uint64_t now = sb_time_mono_ms();
		if (b->last_cmd_ms &&
		    now - b->last_cmd_ms < b->opts.min_interval_ms)
			sb_time_sleep_ms(b->opts.min_interval_ms -
					 (now - b->last_cmd_ms));
		b->last_cmd_ms = sb_time_mono_ms();
	}
	return 0;
}

int sb_bmc_info(struct sb_bmc *b, struct sb_bmc_info *out)
{
	int rc = before(b, b->drv->info != NULL, "BMC information");

	return rc ? rc : b->drv->info(b, out);
}

int sb_bmc_power_get(struct sb_bmc *b, enum sb_power_state *out)
{
	int rc = before(b, b->drv->power_get != NULL, "power control");

	return rc ? rc : b->drv->power_get(b, out);
}

int sb_bmc_power_set(struct sb_bmc *b, enum sb_power_action a)
{
	int rc = before(b, b->drv->power_set != NULL, "power control");

	return rc ? rc : b->drv->power_set(b, a);
}

int sb_bmc_power_set_verified(struct sb_bmc *b, enum sb_power_action a,
			      uint32_t timeout_ms,
			      enum sb_power_state *final)
{
	enum sb_power_state want, now = SB_POWER_UNKNOWN;
	uint64_t deadline;
	unsigned attempt = 0;
	int rc;

	want = (a == SB_POWER_ACT_OFF || a == SB_POWER_ACT_SOFT) ?
		SB_POWER_OFF : SB_POWER_ON;
	rc = sb_bmc_power_set(b, a);
	if (rc)
		return rc;
	deadline = sb_time_mono_ms() + timeout_ms;
	for (;;) {
		rc = sb_bmc_power_get(b, &now);
		if (rc == 0 && now == want)
			break;
		if (sb_time_mono_ms() >= deadline) {
			if (final)
				*final = now;
			return sb_error_set(SB_ETIMEOUT,
					    "bmc %s: accepted 'power %s' but still reports power %s after %u ms; the BMC may be lying or the host stuck",
					    b->name, sb_power_action_name(a),
					    sb_power_state_name(now), timeout_ms);
		}
		sb_time_sleep_ms(sb_time_backoff_ms(++attempt, 50, 1000));
	}
	if (final)
		*final = now;
	return 0;
}

int sb_bmc_boot_get(struct sb_bmc *b, struct sb_boot *out)
{
	int rc = before(b, b->drv->boot_get != NULL, "reading the boot device");

	return rc ? rc : b->drv->boot_get(b, out);
}

int sb_bmc_boot_set(struct sb_bmc *b, const struct sb_boot *bt)
{
	struct sb_boot got;
	int rc = before(b, b->drv->boot_set != NULL, "setting the boot device");

	if (rc)
		return rc;
	rc = b->drv->boot_set(b, bt);
	if (rc)
		return rc;
	if (!b->drv->boot_get)
		return 0;
	rc = sb_bmc_boot_get(b, &got);
	if (rc)
		return rc;
	if (got.device != bt->device || got.persistent != bt->persistent ||
	    got.uefi != bt->uefi)
		return sb_error_set(SB_EPROTO,
				    "bmc %s: accepted boot %s %s %s but reads back %s %s %s",
				    b->name, sb_boot_device_name(bt->device),
				    bt->persistent ? "persistent" : "once",
				    bt->uefi ? "uefi" : "legacy",
				    sb_boot_device_name(got.device),
				    got.persistent ? "persistent" : "once",
				    got.uefi ? "uefi" : "legacy");
	return 0;
}

int sb_bmc_inventory_read(struct sb_bmc *b, struct sb_hw_inventory *inv)
{
	int rc = before(b, b->drv->inventory_read != NULL, "hardware inventory");

	return rc ? rc : b->drv->inventory_read(b, inv);
}

int sb_bmc_firmware_read(struct sb_bmc *b, struct sb_hw_inventory *inv)
{
	int rc = before(b, b->drv->firmware_read != NULL, "firmware inventory");

	return rc ? rc : b->drv->firmware_read(b, inv);
}

/* IPMI has no virtual media: say what to do instead. */
static int media_before(struct sb_bmc *b, bool have)
{
	if (!have && strcmp(b->drv->name, "ipmi") == 0)
		return sb_error_set(SB_EUNSUPPORTED,
				    "bmc %s: IPMI has no virtual media; boot the installer over PXE "
				    "(siteboot boot pxe --once) or from a USB stick, or use the BMC's "
				    "Redfish URL (redfish://...) when it has one",
				    b->name);
	return before(b, have, "virtual media");
}

int sb_bmc_media_list(struct sb_bmc *b, struct sb_media_slot **out, size_t *n)
{
	int rc = media_before(b, b->drv->media_list != NULL);

	*out = NULL;
	*n = 0;
	return rc ? rc : b->drv->media_list(b, out, n);
}

int sb_bmc_media_insert(struct sb_bmc *b, const char *slot, const char *image_url)
{
	int rc = media_before(b, b->drv->media_insert != NULL);

	return rc ? rc : b->drv->media_insert(b, slot, image_url);
}

int sb_bmc_media_eject(struct sb_bmc *b, const char *slot)
{
	int rc = media_before(b, b->drv->media_eject != NULL);

	return rc ? rc : b->drv->media_eject(b, slot);
}

void sb_media_slots_free(struct sb_media_slot *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].id);
		free(v[i].path);
		free(v[i].types);
		free(v[i].image);
	}
	free(v);
}

unsigned sb_media_type_kinds(const char *type)
{
	if (!type)
		return 0;
	if (strcasecmp(type, "CD") == 0 || strcasecmp(type, "DVD") == 0)
		return SB_MEDIA_CD;
	if (strcasecmp(type, "USBStick") == 0 || strcasecmp(type, "Floppy") == 0 ||
	    strcasecmp(type, "Removable") == 0)
		return SB_MEDIA_USB;
	return 0;
}

long sb_media_slot_pick(const struct sb_media_slot *v, size_t n, const char *slot,
			const char *bmc)
{
	unsigned want = 0;
	char have[512];
	size_t off = 0;

	if (!slot || strcasecmp(slot, "cd") == 0)
		want = SB_MEDIA_CD;
	else if (strcasecmp(slot, "usb") == 0)
		want = SB_MEDIA_USB;
	for (size_t i = 0; i < n; i++)
		if (want ? (v[i].kinds & want) != 0 : (v[i].id && strcasecmp(v[i].id, slot) == 0))
			return (long)i;
	have[0] = '\0';
	for (size_t i = 0; i < n && off < sizeof(have); i++)
		off += (size_t)snprintf(have + off, sizeof(have) - off, "%s%s (%s)", i ? ", " : "",
					v[i].id ? v[i].id : "?", v[i].types ? v[i].types : "no MediaTypes");
	sb_error_set(SB_EUNSUPPORTED, "bmc %s: %s%s%s; its virtual media: %s; choose the slot "
		     "with cd, usb or a device Id", bmc,
		     want == SB_MEDIA_CD ? "no virtual media device plays a CD or DVD" :
		     want == SB_MEDIA_USB ? "no virtual media device takes a USB stick or floppy image" :
		     "no virtual media device '", want ? "" : slot, want ? "" : "'",
		     n ? have : "none");
	return -1;
}

int sb_bmc_sel_read(struct sb_bmc *b, struct sb_sel_entry **out, size_t *n)
{
	int rc = before(b, b->drv->sel_read != NULL, "the event log");

	return rc ? rc : b->drv->sel_read(b, out, n);
}
