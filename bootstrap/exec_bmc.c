/* The bmc executor: the node's BMC through firmware/bmc.h's generic layer
 * (power with read-back, boot device with read-back, virtual media per
 * slot). As a check, power, boot and media compare instead of setting. */
#include "bootstrap/exec.h"
#include "bootstrap/oob.h"
#include "common/error.h"
#include "common/str.h"
#include "firmware/bmc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* As a check: does the slot hold the image (insert), or is it (or every
 * slot) empty (eject)? */
static int media_check(struct sb_exec_host *h, struct sb_bmc *b, const struct sb_action *a)
{
	struct sb_media_slot *v = NULL;
	size_t n = 0;
	long i;
	int rc = sb_bmc_media_list(b, &v, &n);

	if (rc)
		return rc;
	for (size_t k = 0; k < n; k++)
		sb_exec_log(h->log_fd, "virtual media %s of %s: %s\n", v[k].id, h->name,
			    v[k].inserted ? (v[k].image ? v[k].image : "inserted") : "empty");
	if (strcmp(a->bmc_value, "insert") == 0) {
		i = sb_media_slot_pick(v, n, a->bmc_slot, h->name);
		if (i < 0)
			rc = SB_EUNSUPPORTED;
		else if (!v[i].inserted || !sb_streq(v[i].image, a->bmc_image))
			rc = sb_error_set(SB_EFAILED, "%s: virtual media %s holds %s, not %s", h->name,
					  v[i].id, v[i].inserted && v[i].image ? v[i].image : "nothing",
					  a->bmc_image);
	} else {
		i = a->bmc_slot ? sb_media_slot_pick(v, n, a->bmc_slot, h->name) : -1;
		if (a->bmc_slot && i < 0)
			rc = SB_EUNSUPPORTED;
		for (size_t k = 0; k < n && !rc; k++) {
			bool chosen = !a->bmc_slot || i == (long)k;
			if (chosen && v[k].inserted)
				rc = sb_error_set(SB_EFAILED, "%s: virtual media %s still holds %s",
						  h->name, v[k].id, v[k].image ? v[k].image : "an image");
		}
	}
	sb_media_slots_free(v, n);
	return rc;
}

static int bmc_exec(struct sb_exec_host *h, const struct sb_action *a,
		    enum sb_exec_mode mode, uint64_t timeout_ms,
		    struct sb_exec_result *res)
{
	struct sb_bmc_creds bc = { 0 };
	struct sb_bmc_opts opts;
	struct sb_bmc *b = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	res->exit_status = -1;
	if (!h->node || !h->node->bmc_url)
		return sb_error_set(SB_EINPUT, "%s: the BOM lists no BMC for this node", h->name);
	struct sb_oob_target t = { (char *)h->name, (char *)h->name, (char *)h->node->bmc_url,
				   (char *)h->node->credential };
	struct sb_oob_creds empty = { 0 };
	rc = sb_oob_creds_for(&bc, h->creds ? h->creds : &empty, &t, NULL);
	if (rc)
		return rc;
	sb_bmc_opts_default(&opts);
	opts.ca_file = h->bmc_ca_file;
	rc = sb_bmc_open(&b, h->node->bmc_url, &bc, &opts);
	sb_bmc_creds_release(&bc);
	if (rc)
		return rc;
	if (strcmp(a->bmc_op, "power") == 0) {
		enum sb_power_action act;
		enum sb_power_state st = SB_POWER_UNKNOWN;
		if ((rc = sb_power_action_parse(&act, a->bmc_value)))
			goto out;
		if (mode == SB_MODE_CHECK) {
			if ((rc = sb_bmc_power_get(b, &st)))
				goto out;
			enum sb_power_state want = act == SB_POWER_ACT_OFF || act == SB_POWER_ACT_SOFT ?
						   SB_POWER_OFF : SB_POWER_ON;
			sb_exec_log(h->log_fd, "power of %s: %s\n", h->name, sb_power_state_name(st));
			if (st != want)
				rc = sb_error_set(SB_EFAILED, "%s: power is %s, not %s", h->name,
						  sb_power_state_name(st), sb_power_state_name(want));
		} else {
			rc = sb_bmc_power_set_verified(b, act, (uint32_t)timeout_ms, &st);
			sb_exec_log(h->log_fd, "power %s on %s: now %s\n", a->bmc_value, h->name,
				    sb_power_state_name(st));
		}
	} else if (strcmp(a->bmc_op, "boot") == 0) {
		struct sb_boot want = { 0 }, have = { 0 };
		if ((rc = sb_boot_device_parse(&want.device, a->bmc_value)))
			goto out;
		want.persistent = a->bmc_persistent;
		want.uefi = a->bmc_uefi;
		if (mode == SB_MODE_CHECK) {
			if ((rc = sb_bmc_boot_get(b, &have)))
				goto out;
			if (have.device != want.device)
				rc = sb_error_set(SB_EFAILED, "%s: boot device is %s, not %s", h->name,
						  sb_boot_device_name(have.device), a->bmc_value);
		} else {
			rc = sb_bmc_boot_set(b, &want);
			if (!rc)
				sb_exec_log(h->log_fd, "boot device of %s: %s\n", h->name, a->bmc_value);
		}
	} else if (mode == SB_MODE_CHECK) {
		rc = media_check(h, b, a);
	} else if (strcmp(a->bmc_value, "insert") == 0) {
		rc = sb_bmc_media_insert(b, a->bmc_slot, a->bmc_image);
		if (!rc)
			sb_exec_log(h->log_fd, "virtual media of %s: %s inserted into %s\n", h->name,
				    a->bmc_image, a->bmc_slot ? a->bmc_slot : "cd");
	} else {
		rc = sb_bmc_media_eject(b, a->bmc_slot);
		if (!rc)
			sb_exec_log(h->log_fd, "virtual media of %s: %s ejected\n", h->name,
				    a->bmc_slot ? a->bmc_slot : "every slot");
	}
out:
	sb_bmc_close(b);
	res->exit_status = rc ? 1 : 0;
	return rc;
}

const struct sb_executor sb_exec_bmc = { "bmc", bmc_exec };
