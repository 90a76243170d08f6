/* The checklist template language (docs/checklists.md, "Templates").
 *
 * Small on purpose: `{{ VARIABLE }}` or `{{ VARIABLE | FILTER }}`, a fixed
 * set of variables and two filters. There is no fallback value and no
 * conditional: a variable that is unknown, or that has no value for a
 * host, is an error when the plan is made, never an empty string when the
 * step runs. `{{ "{{" }}` writes a literal "{{". */
#include "bootstrap/checklist.h"
#include "common/error.h"
#include "common/file.h"
#include "common/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TMPL_MAX_OUT (1024u * 1024u)
#define EXPR_MAX 256

static const char *const node_fields[] = {
	"name", "mgmt_ip", "mgmt_address", "data_ip", "ssh_user", "ssh_port",
	"bmc", "rack", "roles", "chassis_serial", "parent", "parent_mgmt_ip", NULL,
};
static const char *const site_fields[] = {
	"id", "name", "tier", "timezone", "bom", NULL,
};
static const char *const run_fields[] = { "id", "dir", NULL };
static const char *const appliance_fields[] = { "etc", "images", NULL };
static const char *const besu_fields[] = {
	"chain_id", "block_period", "epoch_length", "request_timeout", NULL,
};
static const char *const step_fields[] = {
	"stdout", "stderr", "exit_status", NULL,
};
static const char *const role_fields[] = {
	"count", "names", "mgmt_ips", "first_name", "first_mgmt_ip", NULL,
};
static const char *const namespaces[] = {
	"node", "site", "run", "steps", "role", "besu", "appliance", NULL,
};
static const char *const filters[] = { "shell", "trim", NULL };

/* A parsed `{{ ... }}`: either a literal or a dotted path with filters. */
struct expr {
	bool literal;
	char lit[EXPR_MAX];
	char seg[4][EXPR_MAX];
	size_t nseg;
	char filt[4][16];
	size_t nfilt;
};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool seg_char(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/* Parse the text between "{{" and "}}". Returns 0 or SB_EINPUT. */
static int parse_expr(struct expr *e, const char *s, size_t n)
{
	size_t i = 0;

	memset(e, 0, sizeof(*e));
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '"') {
		size_t st = ++i;
		while (i < n && s[i] != '"')
			i++;
		if (i >= n || i - st >= EXPR_MAX)
			return sb_error_set(SB_EINPUT, "unterminated text in '{{ ... }}'");
		memcpy(e->lit, s + st, i - st);
		e->literal = true;
		i++;
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i != n)
			return sb_error_set(SB_EINPUT, "only one quoted text may stand in '{{ ... }}'");
		return 0;
	}
	for (;;) {
		size_t st = i;
		while (i < n && seg_char((unsigned char)s[i]))
			i++;
		if (i == st)
			return sb_error_set(SB_EINPUT, "expected a variable name such as node.name in '{{%.*s}}'",
					    (int)n, s);
		if (e->nseg == 4 || i - st >= EXPR_MAX)
			return sb_error_set(SB_EINPUT, "variable '%.*s' is too long", (int)n, s);
		memcpy(e->seg[e->nseg++], s + st, i - st);
		if (i < n && s[i] == '.') {
			i++;
			continue;
		}
		break;
	}
	for (;;) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i == n)
			break;
		if (s[i] != '|')
			return sb_error_set(SB_EINPUT, "unexpected '%c' in '{{%.*s}}': write '{{ VARIABLE }}' or '{{ VARIABLE | FILTER }}'",
					    s[i], (int)n, s);
		i++;
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		size_t st = i;
		while (i < n && seg_char((unsigned char)s[i]))
			i++;
		if (i == st || i - st >= sizeof(e->filt[0]) || e->nfilt == 4)
			return sb_error_set(SB_EINPUT, "expected a filter name (shell, trim) after '|' in '{{%.*s}}'",
					    (int)n, s);
		memcpy(e->filt[e->nfilt], s + st, i - st);
		if (!in_list(e->filt[e->nfilt], filters)) {
			char hint[256];
			sb_hint_choice(hint, sizeof(hint), e->filt[e->nfilt], filters,
				       "known filters:", true);
			return sb_error_set(SB_EINPUT, "unknown filter '%s'; %s",
					    e->filt[e->nfilt], hint);
		}
		e->nfilt++;
	}
	return 0;
}

static int unknown_var(const char *full, const char *what, const char *word,
		       const char *const *cands)
{
	char hint[512];

	sb_hint_choice(hint, sizeof(hint), word, cands, "known:", true);
	return sb_error_set(SB_EINPUT, "unknown variable '%s': no %s '%s'; %s",
			    full, what, word, hint);
}

/* Static check of a path: namespace and field names, steps.ID against the
 * step's dependencies. */
static int check_path(const struct expr *e, const struct sb_checklist *c,
		      size_t step, bool site_step)
{
	const char *ns = e->seg[0];
	char full[EXPR_MAX * 4 + 8] = "";

	for (size_t i = 0; i < e->nseg; i++) {
		size_t l = strlen(full);
		snprintf(full + l, sizeof(full) - l, "%s%s", i ? "." : "", e->seg[i]);
	}
	if (!in_list(ns, namespaces))
		return unknown_var(full, "namespace", ns, namespaces);
	if (strcmp(ns, "node") == 0 || strcmp(ns, "site") == 0 ||
	    strcmp(ns, "run") == 0 || strcmp(ns, "besu") == 0 ||
	    strcmp(ns, "appliance") == 0) {
		const char *const *f = ns[0] == 'n' ? node_fields :
				       ns[0] == 's' ? site_fields :
				       ns[0] == 'b' ? besu_fields :
				       ns[0] == 'r' ? run_fields : appliance_fields;
		char what[32];
		snprintf(what, sizeof(what), "field of %s", ns);
		if (e->nseg != 2)
			return sb_error_set(SB_EINPUT, "'%s' is not a variable: write %s.FIELD (e.g. %s.%s)",
					    full, ns, ns, f[0]);
		if (!in_list(e->seg[1], f))
			return unknown_var(full, what, e->seg[1], f);
		if (site_step && ns[0] == 'n')
			return sb_error_set(SB_EINPUT, "'%s' has no value in a step that runs once per site (hosts: site): there is no node",
					    full);
		return 0;
	}
	if (strcmp(ns, "steps") == 0) {
		if (e->nseg != 3)
			return sb_error_set(SB_EINPUT, "'%s' is not a variable: write steps.ID.stdout (or .stderr, .exit_status)",
					    full);
		long id = sb_checklist_step(c, e->seg[1]);
		if (id < 0) {
			const char *ids[65];
			size_t k = 0;
			for (size_t i = 0; i < c->nsteps && k < 64; i++)
				ids[k++] = c->steps[i].id;
			ids[k] = NULL;
			return unknown_var(full, "step", e->seg[1], ids);
		}
		if (!in_list(e->seg[2], step_fields))
			return unknown_var(full, "field of a step", e->seg[2], step_fields);
		if (c->order && !sb_checklist_depends(c, step, (size_t)id))
			return sb_error_set(SB_EINPUT, "'%s': step '%s' does not need '%s', so its output may not exist yet; add '%s' to its needs",
					    full, c->steps[step].id, e->seg[1], e->seg[1]);
		if (site_step && !c->steps[id].hosts.site)
			return sb_error_set(SB_EINPUT, "'%s': a step that runs once per site cannot use the output of '%s', which runs per host",
					    full, e->seg[1]);
		return 0;
	}
	/* role.NAME.FIELD */
	if (e->nseg != 3)
		return sb_error_set(SB_EINPUT, "'%s' is not a variable: write role.ROLE.FIELD (e.g. role.proxmox.first_mgmt_ip)",
				    full);
	if (!in_list(e->seg[1], sb_bom_roles))
		return unknown_var(full, "role", e->seg[1], sb_bom_roles);
	if (!in_list(e->seg[2], role_fields))
		return unknown_var(full, "field of a role", e->seg[2], role_fields);
	return 0;
}

/* Walk a template: for each piece of literal text call lit(), for each
 * expression expr(). Returns 0 or the first SB_E* (with message). */
typedef int (*lit_fn)(void *ctx, const char *s, size_t n);
typedef int (*expr_fn)(void *ctx, const struct expr *e);

static int walk(const char *t, lit_fn lit, expr_fn ex, void *ctx)
{
	const char *p = t;
	int rc;

	for (;;) {
		const char *o = strstr(p, "{{");
		if (!o)
			return lit(ctx, p, strlen(p));
		if ((rc = lit(ctx, p, (size_t)(o - p))))
			return rc;
		const char *cl = strstr(o + 2, "}}");
		/* a quoted "}}" inside a literal: look past the closing quote */
		const char *q = o + 2;
		while (*q == ' ')
			q++;
		if (*q == '"') {
			const char *endq = strchr(q + 1, '"');
			if (endq)
				cl = strstr(endq, "}}");
		}
		if (!cl)
			return sb_error_set(SB_EINPUT, "'{{' without a closing '}}': close it, or write {{ \"{{\" }} for a literal '{{'");
		struct expr e;
		if ((rc = parse_expr(&e, o + 2, (size_t)(cl - o - 2))))
			return rc;
		if ((rc = ex(ctx, &e)))
			return rc;
		p = cl + 2;
	}
}

struct checkctx {
	const struct sb_checklist *c;
	size_t step;
	bool site_step;
};

static int check_lit(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	(void)s;
	(void)n;
	return 0;
}

static int check_expr(void *ctx, const struct expr *e)
{
	struct checkctx *k = ctx;

	return e->literal ? 0 : check_path(e, k->c, k->step, k->site_step);
}

void sb_tmpl_check(const struct sb_checklist *c, size_t step, bool site_step,
		   const char *tmpl, const char *file, unsigned line,
		   unsigned col, struct sb_diags *diags)
{
	struct checkctx k = { c, step, site_step };

	if (!tmpl)
		return;
	if (walk(tmpl, check_lit, check_expr, &k))
		sb_diags_add(diags, SB_DIAG_ERROR, file, line, col,
			     "see docs/checklists.md, \"Templates\", for the variables",
			     "%s", sb_error_message());
	sb_error_clear();
}

/* ---- rendering ---------------------------------------------------------- */

struct renderctx {
	const struct sb_tmpl_env *env;
	struct sb_buf out;
};

static int render_lit(void *ctx, const char *s, size_t n)
{
	struct renderctx *r = ctx;

	return sb_buf_append(&r->out, s, n);
}

char *sb_shell_quote(const char *s)
{
	struct sb_buf b = SB_BUF_INIT(TMPL_MAX_OUT * 4 + 2);
	char *out = NULL;

	if (sb_buf_puts(&b, "'"))
		goto fail;
	for (const char *p = s; *p; p++)
		if (sb_buf_puts(&b, *p == '\'' ? "'\\''" : (char[2]){ *p, 0 }))
			goto fail;
	if (sb_buf_puts(&b, "'") || sb_buf_detach(&out, &b))
		goto fail;
	return out;
fail:
	sb_buf_release(&b);
	return NULL;
}

static int need(const char *v, const char *var, const char *who,
		const char *fix, char **out)
{
	if (!v || !*v)
		return sb_error_set(SB_EINPUT, "'%s' has no value for %s: %s", var, who, fix);
	*out = strdup(v);
	return *out ? 0 : SB_ENOMEM;
}

static int role_value(char **out, const struct sb_site *s, const char *role,
		      const char *field, const char *var)
{
	struct sb_buf b = SB_BUF_INIT(TMPL_MAX_OUT);
	size_t count = 0;
	const struct sb_bom_node *first = NULL;

	for (size_t i = 0; i < sb_bom_nhosts(s); i++) {
		const struct sb_bom_node *n = sb_bom_host(s, i);
		if (!sb_bom_node_has_role(n, role))
			continue;
		if (!first)
			first = n;
		if (strcmp(field, "names") == 0 &&
		    sb_buf_printf(&b, "%s%s", count ? " " : "", n->name))
			goto fail;
		if (strcmp(field, "mgmt_ips") == 0) {
			if (!n->mgmt.ip) {
				sb_buf_release(&b);
				return sb_error_set(SB_EINPUT, "'%s': node %s (role %s) has no management address in the BOM; add its mgmt: address",
						    var, n->name, role);
			}
			if (sb_buf_printf(&b, "%s%s", count ? " " : "", n->mgmt.ip))
				goto fail;
		}
		count++;
	}
	if (strcmp(field, "count") == 0) {
		sb_buf_release(&b);
		*out = sb_asprintf("%zu", count);
		return *out ? 0 : SB_ENOMEM;
	}
	if (strncmp(field, "first_", 6) == 0) {
		sb_buf_release(&b);
		if (!first)
			return sb_error_set(SB_EINPUT, "'%s' has no value: site %s has no node with role %s",
					    var, s->id, role);
		if (strcmp(field, "first_name") == 0)
			return need(first->name, var, first->name, "", out);
		return need(first->mgmt.ip, var, first->name,
			    "add its mgmt: address to the BOM", out);
	}
	if (count == 0) {
		sb_buf_release(&b);
		return sb_error_set(SB_EINPUT, "'%s' has no value: site %s has no node with role %s",
				    var, s->id, role);
	}
	return sb_buf_detach(out, &b);
fail:
	sb_buf_release(&b);
	return SB_ENOMEM;
}

static int lookup(char **out, const struct expr *e, const struct sb_tmpl_env *env)
{
	const char *ns = e->seg[0], *f = e->nseg > 1 ? e->seg[1] : "";
	char var[EXPR_MAX * 4 + 8] = "";
	const struct sb_bom_node *n = env->node;
	const struct sb_site *s = env->site;

	for (size_t i = 0; i < e->nseg; i++) {
		size_t l = strlen(var);
		snprintf(var + l, sizeof(var) - l, "%s%s", i ? "." : "", e->seg[i]);
	}
	if (strcmp(ns, "node") == 0 && e->nseg == 2) {
		if (!n)
			return sb_error_set(SB_EINPUT, "'%s' has no value in a step that runs once per site", var);
		if (strcmp(f, "name") == 0)
			return need(n->name, var, n->name, "", out);
		if (strcmp(f, "mgmt_ip") == 0)
			return need(n->mgmt.ip, var, n->name, "add its mgmt: address to the BOM", out);
		if (strcmp(f, "mgmt_address") == 0)
			return need(n->mgmt.address, var, n->name, "add its mgmt: address to the BOM", out);
		if (strcmp(f, "data_ip") == 0)
			return need(n->data.ip, var, n->name, "add its data: address to the BOM", out);
		if (strcmp(f, "ssh_user") == 0)
			return need(n->ssh_user ? n->ssh_user : "root", var, n->name, "", out);
		if (strcmp(f, "ssh_port") == 0) {
			*out = sb_asprintf("%u", n->ssh_port ? n->ssh_port : 22);
			return *out ? 0 : SB_ENOMEM;
		}
		if (strcmp(f, "bmc") == 0)
			return need(n->bmc_url, var, n->name, "add its bmc: url to the BOM", out);
		if (strcmp(f, "rack") == 0)
			return need(n->rack, var, n->name, "add its rack: to the BOM", out);
		if (strcmp(f, "chassis_serial") == 0)
			return need(n->chassis.serial, var, n->name,
				    "add the chassis serial to the BOM", out);
		if (strcmp(f, "parent") == 0)
			return need(n->parent ? n->parent->name : NULL, var, n->name,
				    "node.parent is for VMs (a node's vms: in the BOM)", out);
		if (strcmp(f, "parent_mgmt_ip") == 0)
			return need(n->parent ? n->parent->mgmt.ip : NULL, var, n->name,
				    n->parent ? "add the carrying node's mgmt: address to the BOM" :
				    "node.parent_mgmt_ip is for VMs (a node's vms: in the BOM)", out);
		if (strcmp(f, "roles") == 0) {
			struct sb_buf b = SB_BUF_INIT(4096);
			for (size_t i = 0; i < n->nroles; i++)
				if (sb_buf_printf(&b, "%s%s", i ? " " : "", n->roles[i])) {
					sb_buf_release(&b);
					return SB_ENOMEM;
				}
			if (!b.len) {
				sb_buf_release(&b);
				return need(NULL, var, n->name, "give the node roles in the BOM", out);
			}
			return sb_buf_detach(out, &b);
		}
	}
	if (strcmp(ns, "site") == 0 && e->nseg == 2) {
		if (strcmp(f, "id") == 0)
			return need(s->id, var, "the site", "", out);
		if (strcmp(f, "name") == 0)
			return need(s->name, var, "the site", "add site: name to the BOM", out);
		if (strcmp(f, "tier") == 0)
			return need(s->tier, var, "the site", "", out);
		if (strcmp(f, "timezone") == 0)
			return need(s->timezone, var, "the site", "add site: timezone to the BOM", out);
		if (strcmp(f, "bom") == 0)	/* for local steps that run siteboot */
			return need(s->path, var, "the site", "", out);
	}
	if (strcmp(ns, "besu") == 0 && e->nseg == 2) {
		const struct sb_bom_besu *b = &s->besu;
		if (strcmp(f, "chain_id") == 0) {
			if (!b->chain_id)
				return sb_error_set(SB_EINPUT, "'%s' has no value: %s names no chain id; add 'besu: {chain_id: N}' to the BOM (docs/bom.md, \"besu\")",
						    var, s->path);
			*out = sb_asprintf("%llu", (unsigned long long)b->chain_id);
			return *out ? 0 : SB_ENOMEM;
		}
		unsigned v = strcmp(f, "block_period") == 0 ? b->block_period :
			     strcmp(f, "epoch_length") == 0 ? b->epoch_length :
			     strcmp(f, "request_timeout") == 0 ? b->request_timeout : 0;
		if (v) {
			*out = sb_asprintf("%u", v);
			return *out ? 0 : SB_ENOMEM;
		}
	}
	if (strcmp(ns, "run") == 0 && e->nseg == 2) {
		if (strcmp(f, "id") == 0)
			return need(env->run_id ? env->run_id : "RUN-ID", var, "this run", "", out);
		if (strcmp(f, "dir") == 0)
			return need(env->run_dir ? env->run_dir : "RUN-DIR", var, "this run", "", out);
	}
	if (strcmp(ns, "appliance") == 0 && e->nseg == 2) {
		if (strcmp(f, "etc") == 0)
			return need(sb_appliance_etc(), var, "the appliance", "", out);
		if (strcmp(f, "images") == 0)
			return need(sb_appliance_images(), var, "the appliance", "", out);
	}
	if (strcmp(ns, "steps") == 0 && e->nseg == 3) {
		if (!env->step_value) {
			*out = sb_asprintf("<%s>", var);
			return *out ? 0 : SB_ENOMEM;
		}
		return env->step_value(env->ctx, e->seg[1], e->seg[2], out);
	}
	if (strcmp(ns, "role") == 0 && e->nseg == 3 && in_list(e->seg[1], sb_bom_roles) &&
	    in_list(e->seg[2], role_fields))
		return role_value(out, s, e->seg[1], e->seg[2], var);
	return sb_error_set(SB_EINPUT, "unknown variable '%s'", var);
}

static int render_expr(void *ctx, const struct expr *e)
{
	struct renderctx *r = ctx;
	char *v = NULL;
	int rc;

	if (e->literal)
		return sb_buf_puts(&r->out, e->lit);
	if ((rc = lookup(&v, e, r->env)))
		return rc;
	for (size_t i = 0; i < e->nfilt; i++) {
		char *nv = NULL;
		if (strcmp(e->filt[i], "trim") == 0) {
			nv = strdup(sb_trim(v));
		} else {
			nv = sb_shell_quote(v);
		}
		free(v);
		if (!nv)
			return SB_ENOMEM;
		v = nv;
	}
	rc = sb_buf_puts(&r->out, v);
	free(v);
	return rc;
}

int sb_tmpl_render(char **out, const char *tmpl, const struct sb_tmpl_env *env)
{
	struct renderctx r = { env, SB_BUF_INIT(TMPL_MAX_OUT) };
	int rc;

	*out = NULL;
	if (!tmpl)
		return 0;
	rc = walk(tmpl, render_lit, render_expr, &r);
	if (rc == 0)
		rc = sb_buf_detach(out, &r.out);
	sb_buf_release(&r.out);
	return rc;
}
