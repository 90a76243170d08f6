/* siteboot: in-band inventory — what a node's own operating system says
 * about its hardware, once it answers over SSH. The BMC cannot see drive
 * serials behind some controllers, the kernel's device names or every
 * MAC; these parsers turn three commands' output into the same
 * sb_hw_inventory the BMC drivers produce (common/hw.h), with the raw
 * output kept as evidence, so `sb_inv_record` stores them as observations
 * and reconciliation matches drives by serial and WWN, NICs by MAC.
 *
 *   dmidecode -t system -t baseboard -t memory    source "ssh-dmidecode"
 *   lsblk -J -b -o NAME,SERIAL,WWN,MODEL,SIZE,TYPE,TRAN   "ssh-lsblk"
 *   ip -d -j link                                  source "ssh-ip"
 *
 * Output is hostile input: sizes are capped, JSON goes through
 * sb_json_parse, every string through sb_hw_set. */
#ifndef SB_BOOTSTRAP_INBAND_H
#define SB_BOOTSTRAP_INBAND_H

#include <stddef.h>

#include "common/hw.h"

/* The commands, as the recipes run them. */
#define SB_INBAND_DMIDECODE_CMD "dmidecode -t system -t baseboard -t memory"
#define SB_INBAND_LSBLK_CMD "lsblk -J -b -o NAME,SERIAL,WWN,MODEL,SIZE,TYPE,TRAN"
#define SB_INBAND_IP_CMD "ip -d -j link"
/* Largest output accepted from one command. */
#define SB_INBAND_MAX (4u * 1024u * 1024u)

/* Each parser appends components (and one evidence item with the raw
 * text) to `inv`; SB_EINPUT names what was wrong and where. */
int sb_inband_dmidecode(struct sb_hw_inventory *inv, const char *text, size_t len);
int sb_inband_lsblk(struct sb_hw_inventory *inv, const char *text, size_t len);
int sb_inband_ip_link(struct sb_hw_inventory *inv, const char *text, size_t len);

/* The device path of the drive with this serial (compared after
 * normalisation) or, failing that, this WWN, among the drives an lsblk
 * report listed: "/dev/NAME" of the whole disk. SB_ENOTFOUND lists the
 * serials that were seen; SB_ECONFLICT when two disks answer (multipath:
 * the same drive twice). Never a guess from the order of names. */
int sb_inband_drive_path(char **out, const struct sb_hw_inventory *inv,
			 const char *serial, const char *wwn);

#endif
