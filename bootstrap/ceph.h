/* siteboot: judging a Ceph cluster from `ceph -s --format json`.
 *
 * The JSON layout changed over Ceph's releases; the judge reads every
 * layout we have samples of (tests/data/recipes/ceph/README.md):
 *   health:   health.status (Luminous on) or health.overall_status (older);
 *             problems in health.checks{NAME: {severity, summary.message}}
 *             or health.summary[{severity, summary}] (older)
 *   monitors: quorum_names; the total from monmap.num_mons (Octopus on)
 *             or the length of monmap.mons (older)
 *   OSDs:     osdmap.{num_osds, num_up_osds, num_in_osds}, or the same
 *             one level deeper in osdmap.osdmap (before Octopus)
 *   PGs:      pgmap.num_pgs and pgmap.pgs_by_state[{state_name, count}]
 * A cluster is healthy when the status is HEALTH_OK, every monitor is in
 * quorum, every OSD is up and in (and there are as many as expected),
 * and every PG is active+clean. */
#ifndef SB_BOOTSTRAP_CEPH_H
#define SB_BOOTSTRAP_CEPH_H

#include <stdbool.h>
#include <stddef.h>

#include "bom/bom.h"
#include "common/str.h"

struct sb_ceph_expect {
	long osds;		/* -1: do not check the count */
	long mons;		/* -1: do not check the count */
	bool allow_warn;	/* HEALTH_WARN is acceptable (not HEALTH_ERR) */
};

struct sb_ceph_state {
	char health[32];	/* HEALTH_OK, HEALTH_WARN, HEALTH_ERR */
	long mons, mons_in_quorum;
	long osds, osds_up, osds_in;
	long pgs, pgs_active_clean;
	const char *layout;	/* "luminous+", "octopus+", "jewel" */
};

/* Parse and judge. Returns 0 when healthy; SB_EFAILED when the cluster is
 * not, with every problem in *problems ("; "-separated, for one line);
 * SB_EPROTO when the text is not a ceph status document. */
int sb_ceph_judge(struct sb_ceph_state *st, struct sb_buf *problems,
		  const char *json, size_t len, const struct sb_ceph_expect *exp);

/* What the BOM expects: OSDs = the ceph-osd drives of nodes with the
 * ceph-osd role; monitors = nodes with the ceph-mon role. */
void sb_ceph_expect_from_bom(struct sb_ceph_expect *exp, const struct sb_site *s);

/* The CIDR of the Ceph public network: networks.ceph, else networks.data
 * (NULL when the BOM has neither). */
const char *sb_ceph_network(const struct sb_site *s);

#endif
