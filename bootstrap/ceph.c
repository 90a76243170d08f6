/* Ceph status judging across JSON layouts (see ceph.h). */
#include "bootstrap/ceph.h"
#include "common/error.h"
#include "common/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static long num(const json_t *o, const char *key)
{
	const json_t *v = o ? json_object_get(o, key) : NULL;

	return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

static int add(struct sb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add(struct sb_buf *b, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sb_buf_printf(b, "%s%s", b->len ? "; " : "", msg);
}

int sb_ceph_judge(struct sb_ceph_state *st, struct sb_buf *problems,
		  const char *text, size_t len, const struct sb_ceph_expect *exp)
{
	json_t *doc = NULL, *health, *osdmap, *monmap, *pgmap, *q;
	const char *status;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = sb_json_parse(&doc, text, len, 16u << 20, "ceph -s --format json")) != 0)
		return rc;
	health = sb_json_obj(doc, "health");
	osdmap = sb_json_obj(doc, "osdmap");
	monmap = sb_json_obj(doc, "monmap");
	pgmap = sb_json_obj(doc, "pgmap");
	if (!health || !osdmap || !monmap) {
		json_decref(doc);
		return sb_error_set(SB_EPROTO, "ceph -s --format json: no health, osdmap or monmap: "
				    "is this the output of 'ceph -s --format json'?");
	}
	/* health, then its problems */
	status = sb_json_str(health, "status");
	st->layout = "luminous+";
	if (!status) {
		status = sb_json_str(health, "overall_status");
		st->layout = "jewel";
	}
	sb_strlcpy(st->health, status ? status : "HEALTH_UNKNOWN", sizeof(st->health));
	bool health_ok = sb_streq(st->health, "HEALTH_OK") ||
			 (exp->allow_warn && sb_streq(st->health, "HEALTH_WARN"));
	if (!health_ok) {
		add(problems, "health is %s", st->health);
		json_t *checks = sb_json_obj(health, "checks");
		const char *name;
		json_t *c;
		if (checks) {
			json_object_foreach(checks, name, c) {
				const char *m = sb_json_str(sb_json_obj(c, "summary"), "message");
				add(problems, "%s: %s", name, m ? m : "(no message)");
			}
		}
		json_t *summary = sb_json_arr(health, "summary");
		for (size_t i = 0; summary && i < json_array_size(summary); i++) {
			const char *m = sb_json_str(json_array_get(summary, i), "summary");
			if (m)
				add(problems, "%s", m);
		}
	}
	/* monitors */
	q = sb_json_arr(doc, "quorum_names");
	st->mons_in_quorum = q ? (long)json_array_size(q) : 0;
	st->mons = num(monmap, "num_mons");
	if (st->mons >= 0) {
		st->layout = "octopus+";
	} else {
		json_t *mons = sb_json_arr(monmap, "mons");
		st->mons = mons ? (long)json_array_size(mons) : -1;
	}
	if (st->mons < 0)
		add(problems, "the monitor count is missing from monmap");
	else if (st->mons_in_quorum < st->mons)
		add(problems, "%ld of %ld monitors in quorum", st->mons_in_quorum, st->mons);
	if (exp->mons >= 0 && st->mons >= 0 && st->mons != exp->mons)
		add(problems, "%ld monitors, the BOM has %ld", st->mons, exp->mons);
	/* OSDs, flat (Octopus on) or one level deeper (before) */
	json_t *inner = sb_json_obj(osdmap, "osdmap");
	if (inner)
		osdmap = inner;
	st->osds = num(osdmap, "num_osds");
	st->osds_up = num(osdmap, "num_up_osds");
	st->osds_in = num(osdmap, "num_in_osds");
	if (st->osds < 0 || st->osds_up < 0 || st->osds_in < 0) {
		add(problems, "osdmap lacks num_osds, num_up_osds or num_in_osds");
	} else {
		if (st->osds_up < st->osds)
			add(problems, "%ld of %ld OSDs down", st->osds - st->osds_up, st->osds);
		if (st->osds_in < st->osds)
			add(problems, "%ld of %ld OSDs out", st->osds - st->osds_in, st->osds);
		if (exp->osds >= 0 && st->osds != exp->osds)
			add(problems, "%ld OSDs, the BOM has %ld ceph-osd drives", st->osds, exp->osds);
	}
	/* placement groups */
	st->pgs = num(pgmap, "num_pgs");
	json_t *states = sb_json_arr(pgmap, "pgs_by_state");
	for (size_t i = 0; states && i < json_array_size(states); i++) {
		json_t *s = json_array_get(states, i);
		const char *name = sb_json_str(s, "state_name");
		long n = num(s, "count");
		if (name && n > 0 && strcmp(name, "active+clean") == 0)
			st->pgs_active_clean += n;
		else if (name && n > 0)
			add(problems, "%ld PGs %s", n, name);
	}
	if (st->pgs < 0)
		add(problems, "pgmap lacks num_pgs");
	else if (st->pgs_active_clean < st->pgs && !states)
		add(problems, "pgmap lacks pgs_by_state");
	json_decref(doc);
	if (problems->len)
		return sb_error_set(SB_EFAILED, "ceph: %s", problems->data);
	return 0;
}

void sb_ceph_expect_from_bom(struct sb_ceph_expect *exp, const struct sb_site *s)
{
	exp->osds = 0;
	exp->mons = 0;
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct sb_bom_node *n = &s->nodes[i];
		if (sb_bom_node_has_role(n, "ceph-mon"))
			exp->mons++;
		if (!sb_bom_node_has_role(n, "ceph-osd"))
			continue;
		for (size_t k = 0; k < n->nlines; k++)
			if (n->lines[k].cls == SB_HW_DRIVE && sb_streq(n->lines[k].use, "ceph-osd"))
				exp->osds += n->lines[k].quantity;
	}
}

const char *sb_ceph_network(const struct sb_site *s)
{
	const char *data = NULL;

	for (size_t i = 0; i < s->nnetworks; i++) {
		if (sb_streq(s->networks[i].name, "ceph"))
			return s->networks[i].cidr;
		if (sb_streq(s->networks[i].name, "data"))
			data = s->networks[i].cidr;
	}
	return data;
}
