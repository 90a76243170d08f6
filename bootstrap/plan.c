/* A checklist applied to a site: which step runs on which host, in which
 * order, with every template rendered once so that a variable without a
 * value is an error now rather than an empty string later. */
#include "bootstrap/checklist.h"
#include "common/error.h"
#include "common/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sb_node_bmc_kind(const struct sb_bom_node *n)
{
	const char *u = n ? n->bmc_url : NULL;

	if (!u)
		return "none";
	if (sb_startswith(u, "ipmi://"))
		return "ipmi";
	return "redfish";	/* redfish://, redfish+http://, https:// */
}

static bool step_on_node_sel(const struct sb_step *s, const struct sb_site *site,
			     size_t node);

/* Does step s run on host `node` (an index as sb_bom_host takes it: the
 * nodes, then the VMs)? hosts: {bmc: KIND} keeps only the hosts whose BMC
 * is of that kind (alone: every such node). */
static bool step_on_node(const struct sb_step *s, const struct sb_site *site,
			 size_t node)
{
	const struct sb_bom_node *n = sb_bom_host(site, node);

	if (s->hosts.bmc && strcmp(sb_node_bmc_kind(n), s->hosts.bmc) != 0)
		return false;
	if (s->hosts.bmc && !s->hosts.nroles && !s->hosts.nnodes && !s->hosts.site)
		return !n->parent;
	return step_on_node_sel(s, site, node);
}

/* The roles/nodes/all/site part of the selection; `all` means every
 * node, not the VMs; roles and names select VMs too. */
static bool step_on_node_sel(const struct sb_step *s, const struct sb_site *site,
			     size_t node)
{
	const struct sb_bom_node *n = sb_bom_host(site, node);

	if (s->hosts.site)
		return false;
	if (s->hosts.all)
		return !n->parent;
	for (size_t i = 0; i < s->hosts.nroles; i++)
		if (sb_bom_node_has_role(n, s->hosts.roles[i]))
			return true;
	if (s->hosts.nnodes) {
		size_t *idx = NULL, nidx = 0;
		bool hit = false;
		if (sb_bom_select_hosts(&idx, &nidx, site, s->hosts.nodes,
					s->hosts.nnodes) == 0)
			for (size_t i = 0; i < nidx; i++)
				if (idx[i] == node)
					hit = true;
		free(idx);
		sb_error_clear();
		return hit;
	}
	return false;
}

/* The host index (sb_bom_host) of a node or VM of the site. */
static size_t host_index(const struct sb_site *s, const struct sb_bom_node *n)
{
	return n->parent ? s->nnodes + (size_t)(n - s->guests) : (size_t)(n - s->nodes);
}

void sb_plan_free(struct sb_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nhosts; i++)
		free(p->hosts[i].items);
	free(p->hosts);
	free(p->items);
	free(p);
}

long sb_plan_find(const struct sb_plan *p, size_t host, size_t step)
{
	const struct sb_plan_host *h = &p->hosts[host];

	for (size_t i = 0; i < h->nitems; i++)
		if (p->items[h->items[i]].step == step)
			return (long)h->items[i];
	return -1;
}

static int add_item(struct sb_plan *p, size_t host, size_t step)
{
	struct sb_plan_host *h = &p->hosts[host];
	size_t *v = realloc(h->items, (h->nitems + 1) * sizeof(*v));

	if (!v)
		return SB_ENOMEM;
	h->items = v;
	p->items[p->nitems] = (struct sb_plan_item){ step, host };
	h->items[h->nitems++] = p->nitems++;
	return 0;
}

/* steps.ID references in a host step must name a step that runs on the
 * same host (or once per site). */
static int plan_step_value(void *ctx, const char *step, const char *field,
			   char **out)
{
	const struct sb_plan *p = ((void **)ctx)[0];
	const size_t *host = ((void **)ctx)[1];
	long id = sb_checklist_step(p->cl, step);

	if (id < 0)
		return sb_error_set(SB_EINPUT, "unknown step '%s'", step);
	const struct sb_step *s = &p->cl->steps[id];
	if (!s->hosts.site && p->hosts[*host].node &&
	    !step_on_node(s, p->site, host_index(p->site, p->hosts[*host].node)))
		return sb_error_set(SB_EINPUT, "'steps.%s.%s' has no value on %s: step '%s' does not run there",
				    step, field, p->hosts[*host].name, step);
	*out = sb_asprintf("<steps.%s.%s>", step, field);
	return *out ? 0 : SB_ENOMEM;
}

static void render_check(struct sb_plan *p, size_t host, const struct sb_step *s,
			 const struct sb_action *a, struct sb_diags *d)
{
	const char *t[] = { a->command, a->upload_from, a->upload_to, a->virt_uri,
			    a->virt_domain, a->virt_iso, a->bmc_image, a->text,
			    a->serve_dir, a->serve_listen };
	void *ctx[2] = { p, &host };
	struct sb_tmpl_env env = { p->site, p->hosts[host].node, NULL, NULL,
				   plan_step_value, ctx };

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		char *out = NULL;
		if (!t[k])
			continue;
		if (sb_tmpl_render(&out, t[k], &env))
			sb_diags_add(d, SB_DIAG_ERROR, p->cl->path, a->line, a->col,
				     "fix the BOM or the template (docs/checklists.md, \"Templates\")",
				     "step '%s' on %s: %s", s->id, p->hosts[host].name,
				     sb_error_message());
		sb_error_clear();
		free(out);
	}
	if (a->kind == SB_EXEC_BMC && p->hosts[host].node && !p->hosts[host].node->bmc_url)
		sb_diags_add(d, SB_DIAG_ERROR, p->cl->path, a->line, a->col,
			     "add the node's bmc: url to the BOM",
			     "step '%s' on %s: a bmc action needs the node's BMC, and the BOM lists none",
			     s->id, p->hosts[host].name);
	if (a->kind == SB_EXEC_SSH && p->hosts[host].node && !p->hosts[host].node->mgmt.ip)
		sb_diags_add(d, SB_DIAG_ERROR, p->cl->path, a->line, a->col,
			     "add the node's mgmt: address to the BOM",
			     "step '%s' on %s: an ssh action needs the node's management address, and the BOM lists none",
			     s->id, p->hosts[host].name);
}

int sb_plan_build(struct sb_plan **out, const struct sb_checklist *c,
		  const struct sb_site *s, const struct sb_plan_filter *f,
		  struct sb_diags *d)
{
	struct sb_plan *p = calloc(1, sizeof(*p));
	bool *sel_step = calloc(c->nsteps + 1, sizeof(bool));
	size_t nh = sb_bom_nhosts(s);
	bool *sel_node = calloc(nh + 1, sizeof(bool));
	size_t errors0 = d->nerrors;
	size_t *hostof = calloc(nh + 1, sizeof(size_t));
	int rc = SB_ENOMEM;

	*out = NULL;
	if (!p || !sel_step || !sel_node || !hostof)
		goto out;
	p->cl = c;
	p->site = s;
	/* which steps */
	for (size_t i = 0; i < c->nsteps; i++)
		sel_step[i] = true;
	const char *which[2] = { f ? f->only : NULL, f ? f->from : NULL };
	for (int w = 0; w < 2; w++) {
		if (!which[w])
			continue;
		long id = sb_checklist_step(c, which[w]);
		if (id < 0) {
			const char *ids[129];
			size_t k = 0;
			char hint[512];
			for (size_t i = 0; i < c->nsteps && k < 128; i++)
				ids[k++] = c->steps[i].id;
			ids[k] = NULL;
			sb_hint_choice(hint, sizeof(hint), which[w], ids, "steps:", true);
			rc = sb_error_set(SB_EUSAGE, "--%s %s: %s has no such step; %s",
					  w ? "from" : "only", which[w], c->path, hint);
			goto out;
		}
		bool seen = false;
		for (size_t k = 0; k < c->nsteps; k++) {
			size_t i = c->order[k];
			if (w == 0)
				sel_step[i] = sel_step[i] && i == (size_t)id;
			else {
				seen = seen || i == (size_t)id;
				sel_step[i] = sel_step[i] && seen;
			}
		}
	}
	/* which nodes */
	if (f && f->nhosts) {
		size_t *idx = NULL, n = 0;
		rc = sb_bom_select_hosts(&idx, &n, s, f->hosts, f->nhosts);
		if (rc) {
			sb_error_prefix("--hosts: ");
			rc = SB_EUSAGE;
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			sel_node[idx[i]] = true;
		free(idx);
	} else {
		for (size_t i = 0; i < nh; i++)
			sel_node[i] = true;
	}
	/* hosts: the site first when any selected step is a site step, then
	 * nodes in BOM order that have a selected step, then VMs */
	p->hosts = calloc(nh + 1, sizeof(*p->hosts));
	p->items = calloc((nh + 1) * c->nsteps + 1, sizeof(*p->items));
	if (!p->hosts || !p->items)
		goto out;
	bool any_site = false;
	for (size_t i = 0; i < c->nsteps; i++)
		if (sel_step[i] && c->steps[i].hosts.site)
			any_site = true;
	if (any_site)
		p->hosts[p->nhosts++] = (struct sb_plan_host){ "site", NULL, NULL, 0 };
	for (size_t n = 0; n < nh; n++) {
		if (!sel_node[n])
			continue;
		bool any = false;
		for (size_t i = 0; i < c->nsteps && !any; i++)
			any = sel_step[i] && step_on_node(&c->steps[i], s, n);
		if (!any)
			continue;
		hostof[n] = p->nhosts;
		p->hosts[p->nhosts++] = (struct sb_plan_host){ sb_bom_host(s, n)->name,
							       sb_bom_host(s, n), NULL, 0 };
	}
	for (size_t h = 0; h < p->nhosts; h++) {
		for (size_t k = 0; k < c->nsteps; k++) {
			size_t i = c->order[k];
			const struct sb_step *st = &c->steps[i];
			if (!sel_step[i])
				continue;
			bool on = p->hosts[h].node ?
				  step_on_node(st, s, host_index(s, p->hosts[h].node)) :
				  st->hosts.site;
			if (!on)
				continue;
			if ((rc = add_item(p, h, i)))
				goto out;
			render_check(p, h, st, &st->run, d);
			if (st->check)
				render_check(p, h, st, st->check, d);
			if (st->verify)
				render_check(p, h, st, st->verify, d);
		}
	}
	for (size_t i = 0; i < c->nsteps; i++) {
		/* a step for one kind of BMC is one of several paths: the
		 * site may have no node of its kind */
		if (!sel_step[i] || c->steps[i].hosts.site || c->steps[i].hosts.bmc)
			continue;
		bool any = false;
		for (size_t n = 0; n < nh && !any; n++)
			any = step_on_node(&c->steps[i], s, n);
		if (!any)
			sb_diags_add(d, SB_DIAG_WARNING, c->path, c->steps[i].line,
				     c->steps[i].col,
				     "check the step's hosts: against the BOM's roles and node and VM names",
				     "step '%s' applies to no node or VM of site %s", c->steps[i].id,
				     s->id);
	}
	if (d->nerrors > errors0) {
		rc = sb_error_set(SB_EINPUT, "%s does not apply to %s: %zu error%s",
				  c->path, s->path, d->nerrors - errors0,
				  d->nerrors - errors0 == 1 ? "" : "s");
		goto out;
	}
	*out = p;
	p = NULL;
	rc = 0;
out:
	if (rc == SB_ENOMEM)
		sb_error_set(SB_ENOMEM, "out of memory building the plan");
	sb_plan_free(p);
	free(sel_step);
	free(sel_node);
	free(hostof);
	return rc;
}

char *sb_action_describe(const struct sb_action *a, const struct sb_tmpl_env *env)
{
	char *t1 = NULL, *t2 = NULL, *res = NULL;

#define R(dst, src) do { if (env) { if (sb_tmpl_render(&dst, src, env)) { sb_error_clear(); dst = sb_strdup(src); } } else dst = sb_strdup(src); } while (0)
	switch (a->kind) {
	case SB_EXEC_SSH:
		if (a->ssh_op == SB_SSH_COMMAND) {
			R(t1, a->command);
			res = sb_asprintf("ssh%s: %s", a->pty ? " (pty)" : "", t1 ? t1 : "");
		} else if (a->ssh_op == SB_SSH_UPLOAD) {
			R(t1, a->upload_from);
			R(t2, a->upload_to);
			res = sb_asprintf("ssh upload: %s -> %s (mode %04o)", t1 ? t1 : "",
					  t2 ? t2 : "", a->upload_mode);
		} else {
			res = sb_asprintf("ssh wait: up to %llus",
					  (unsigned long long)(a->wait_ms / 1000));
		}
		break;
	case SB_EXEC_LOCAL:
		R(t1, a->command);
		res = sb_asprintf("local: %s", t1 ? t1 : "");
		break;
	case SB_EXEC_VIRT:
		R(t1, a->virt_domain);
		R(t2, a->virt_uri);
		res = sb_asprintf("virt %s %s%s%s on %s", a->virt_op, t1 ? t1 : "",
				  a->virt_state ? " " : "", a->virt_state ? a->virt_state : "",
				  t2 ? t2 : "qemu:///system");
		break;
	case SB_EXEC_BMC:
		R(t1, a->bmc_image);
		res = sb_asprintf("bmc %s %s%s%s%s%s", a->bmc_op, a->bmc_value,
				  t1 ? " " : "", t1 ? t1 : "", a->bmc_slot ? " slot " : "",
				  a->bmc_slot ? a->bmc_slot : "");
		break;
	case SB_EXEC_ATTEST:
		R(t1, a->text);
		res = sb_asprintf("attest: %s", t1 ? t1 : "");
		break;
	case SB_EXEC_SERVE:
		R(t1, a->serve_dir);
		R(t2, a->serve_listen);
		res = sb_asprintf("serve %s over HTTP on %s port %u to the BMC network, for at most %llu min",
				  t1 ? t1 : "", t2 ? t2 : "the appliance's BMC-network address",
				  a->serve_port, (unsigned long long)(a->serve_for_ms / 60000));
		break;
	}
#undef R
	free(t1);
	free(t2);
	return res;
}
