/* Checklist loading and validation (docs/checklists.md). Every problem is
 * reported with FILE:LINE:COL, in one pass, like a BOM. */
#include "bootstrap/checklist.h"
#include "common/error.h"
#include "common/str.h"
#include "common/yaml.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS (10u * 60u * 1000u)
#define DEFAULT_BACKOFF_MS 5000u
#define MAX_RETRIES 20
#define MAX_STEPS 2000

static const char *const top_keys[] = {
	"schema_version", "name", "tier", "description", "defaults", "steps", NULL,
};
static const char *const default_keys[] = {
	"timeout", "retries", "backoff", "on_failure", NULL,
};
static const char *const step_keys[] = {
	"id", "title", "description", "hosts", "needs", "run", "check", "verify",
	"timeout", "retries", "backoff", "on_failure", "idempotent", NULL,
};
static const char *const host_keys[] = { "roles", "nodes", "bmc", NULL };
static const char *const host_bmcs[] = { "redfish", "ipmi", "none", NULL };
static const char *const serve_keys[] = { "dir", "listen", "port", "for", NULL };
static const char *const executors[] = {
	"ssh", "local", "virt", "bmc", "attest", "serve", NULL,
};
static const char *const ssh_keys[] = { "command", "pty", "upload", "wait", "new_host_key", NULL };
static const char *const upload_keys[] = { "from", "to", "mode", NULL };
static const char *const local_keys[] = { "command", NULL };
static const char *const virt_keys[] = {
	"uri", "action", "domain", "state", "iso", "vcpus", "memory", "disk", NULL,
};
static const char *const virt_actions[] = {
	"define", "start", "shutdown", "destroy", "undefine", "attach-iso",
	"wait", "state", NULL,
};
static const char *const virt_states[] = {
	"running", "shut-off", "paused", "absent", "defined", NULL,
};
static const char *const bmc_keys[] = {
	"power", "boot", "media", "persistent", "uefi", "image", "slot", NULL,
};
static const char *const bmc_power[] = {
	"on", "off", "cycle", "reset", "soft", NULL,
};
static const char *const bmc_boot[] = { "pxe", "disk", "cd", "bios", NULL };
static const char *const bmc_media[] = { "insert", "eject", NULL };
static const char *const on_failures[] = {
	"stop-host", "stop-site", "continue", NULL,
};

const char *sb_exec_kind_name(enum sb_exec_kind k)
{
	return executors[k];
}

const char *sb_on_failure_name(enum sb_on_failure f)
{
	return on_failures[f];
}

struct parser {
	struct sb_checklist *c;
	struct sb_diags *d;
	const char *file;
	struct sb_arena *a;
	uint64_t def_timeout, def_backoff;
	unsigned def_retries;
	enum sb_on_failure def_fail;
};

static void perr(struct parser *p, const struct sb_ynode *at, const char *hint,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void perr(struct parser *p, const struct sb_ynode *at, const char *hint,
		 const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sb_diags_add(p->d, SB_DIAG_ERROR, p->file, at ? at->line : 0,
		     at ? at->col : 0, hint, "%s", msg);
}

static void pwarn(struct parser *p, const struct sb_ynode *at, const char *hint,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void pwarn(struct parser *p, const struct sb_ynode *at, const char *hint,
		  const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sb_diags_add(p->d, SB_DIAG_WARNING, p->file, at ? at->line : 0,
		     at ? at->col : 0, hint, "%s", msg);
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static int list_index(const char *s, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return i;
	return -1;
}

static void check_keys(struct parser *p, const struct sb_ynode *map,
		       const char *const *allowed, const char *what)
{
	for (size_t i = 0; map && map->type == SB_YMAP && i < map->n; i++) {
		const char *k = map->pairs[i].key->str;
		if (in_list(k, allowed))
			continue;
		char hint[512];
		sb_hint_choice(hint, sizeof(hint), k, allowed, "allowed keys:", true);
		perr(p, map->pairs[i].key, hint, "unknown key '%s' in %s", k, what);
	}
}

static bool want(struct parser *p, const struct sb_ynode *n, enum sb_ytype t,
		 const char *what)
{
	static const char *const tn[] = { "a text value", "a list", "a mapping" };

	if (n && n->type == t)
		return true;
	perr(p, n, NULL, "%s must be %s, not %s", what, tn[t], sb_ytype_name(n));
	return false;
}

/* A scalar as an arena string; NULL (reported) when of another type. */
static const char *scalar(struct parser *p, const struct sb_ynode *n,
			  const char *what)
{
	if (!n || n->type != SB_YSCALAR || (sb_yscalar_is_null(n) && !n->quoted)) {
		perr(p, n, NULL, "%s must be a text value, not %s", what,
		     n && n->type == SB_YSCALAR ? "empty" : sb_ytype_name(n));
		return NULL;
	}
	return sb_arena_strndup(p->a, n->str, n->len);
}

static const char *get_str(struct parser *p, const struct sb_ynode *map,
			   const char *key, bool required, const char *what)
{
	const struct sb_ynode *n = sb_ymap_get(map, key);
	char w[256];

	if (!n) {
		if (required)
			perr(p, map, NULL, "%s has no '%s'", what, key);
		return NULL;
	}
	snprintf(w, sizeof(w), "'%s' of %s", key, what);
	return scalar(p, n, w);
}

static bool get_bool(struct parser *p, const struct sb_ynode *map,
		     const char *key, bool *out, const char *what)
{
	const struct sb_ynode *n = sb_ymap_get(map, key);

	if (!n)
		return true;
	if (n->type == SB_YSCALAR && !n->quoted) {
		if (strcmp(n->str, "true") == 0 || strcmp(n->str, "yes") == 0) {
			*out = true;
			return true;
		}
		if (strcmp(n->str, "false") == 0 || strcmp(n->str, "no") == 0) {
			*out = false;
			return true;
		}
	}
	perr(p, n, "write true or false", "'%s' of %s must be true or false", key, what);
	return false;
}

/* The scalar under `key` for a number parser: *s is NULL when the key is
 * absent; w gets "'key' of what" for messages. False when it is there but
 * not a scalar (reported). */
static bool keyed_scalar(struct parser *p, const struct sb_ynode *map,
			 const char *key, const char *what, char w[256],
			 const struct sb_ynode **node, const char **s)
{
	*s = NULL;
	if (!(*node = sb_ymap_get(map, key)))
		return true;
	snprintf(w, 256, "'%s' of %s", key, what);
	return (*s = scalar(p, *node, w)) != NULL;
}

/* A number parser refused the scalar at n: its message, at n's place. */
static bool parse_failed(struct parser *p, const struct sb_ynode *n)
{
	perr(p, n, NULL, "%s", sb_error_message());
	sb_error_clear();
	return false;
}

/* A duration or a size: `parse` is sb_parse_duration_ms or sb_parse_size. */
static bool get_u64(struct parser *p, const struct sb_ynode *map,
		    const char *key, uint64_t *out, const char *what,
		    int (*parse)(uint64_t *, const char *, const char *))
{
	const struct sb_ynode *n;
	const char *s;
	char w[256];

	if (!keyed_scalar(p, map, key, what, w, &n, &s))
		return false;
	if (s && parse(out, s, w))
		return parse_failed(p, n);
	return true;
}

static bool get_duration(struct parser *p, const struct sb_ynode *map,
			 const char *key, uint64_t *out, const char *what)
{
	return get_u64(p, map, key, out, what, sb_parse_duration_ms);
}

static bool get_size(struct parser *p, const struct sb_ynode *map,
		     const char *key, uint64_t *out, const char *what)
{
	return get_u64(p, map, key, out, what, sb_parse_size);
}

static bool get_uint(struct parser *p, const struct sb_ynode *map,
		     const char *key, long long max, unsigned *out,
		     const char *what)
{
	const struct sb_ynode *n;
	const char *s;
	char w[256];
	long long v;

	if (!keyed_scalar(p, map, key, what, w, &n, &s))
		return false;
	if (!s)
		return true;
	if (sb_parse_ll(&v, s, 0, max, w))
		return parse_failed(p, n);
	*out = (unsigned)v;
	return true;
}

static const char *get_enum(struct parser *p, const struct sb_ynode *map,
			    const char *key, const char *const *allowed,
			    bool required, const char *what)
{
	const char *s = get_str(p, map, key, required, what);
	char hint[512];

	if (!s || in_list(s, allowed))
		return s;
	sb_hint_choice(hint, sizeof(hint), s, allowed, "allowed:", true);
	perr(p, sb_ymap_get(map, key), hint, "'%s' of %s cannot be '%s'", key, what, s);
	return NULL;
}

/* A list of text values; a single text value counts as a list of one. */
static bool get_strlist(struct parser *p, const struct sb_ynode *n,
			const char *const **out, size_t *nout, const char *what)
{
	const char **v;

	*out = NULL;
	*nout = 0;
	if (!n)
		return true;
	if (n->type == SB_YSCALAR) {
		if (sb_yscalar_is_null(n) && !n->quoted)
			return true;
		v = sb_arena_calloc(p->a, 1, sizeof(*v));
		if (!v || !(v[0] = scalar(p, n, what)))
			return false;
		*out = v;
		*nout = 1;
		return true;
	}
	if (!want(p, n, SB_YSEQ, what))
		return false;
	v = sb_arena_calloc(p->a, n->n + 1, sizeof(*v));
	if (!v)
		return false;
	for (size_t i = 0; i < n->n; i++)
		if (!(v[i] = scalar(p, n->items[i], what)))
			return false;
	*out = v;
	*nout = n->n;
	return true;
}

static bool valid_id(const char *s)
{
	if (!s || !isalnum((unsigned char)*s) || strlen(s) > 63)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

/* ---- actions ------------------------------------------------------------- */

static void parse_ssh(struct parser *p, const struct sb_ynode *n,
		      struct sb_action *a, const char *what)
{
	if (n->type == SB_YSCALAR) {
		a->command = scalar(p, n, what);
		return;
	}
	if (!want(p, n, SB_YMAP, what))
		return;
	check_keys(p, n, ssh_keys, what);
	int count = !!sb_ymap_get(n, "command") + !!sb_ymap_get(n, "upload") +
		    !!sb_ymap_get(n, "wait");
	if (count != 1) {
		perr(p, n, "an ssh action is a command (text or {command: ...}), {upload: {from, to}} or {wait: DURATION}",
		     "%s must have exactly one of command, upload and wait", what);
		return;
	}
	get_bool(p, n, "pty", &a->pty, what);
	if (sb_ymap_get(n, "new_host_key") && !sb_ymap_get(n, "wait"))
		perr(p, sb_ymap_get(n, "new_host_key"), "use it as {wait: 30m, new_host_key: true}",
		     "%s: new_host_key is only for wait", what);
	if (sb_ymap_get(n, "command")) {
		a->command = get_str(p, n, "command", true, what);
	} else if (sb_ymap_get(n, "wait")) {
		a->ssh_op = SB_SSH_WAIT;
		get_duration(p, n, "wait", &a->wait_ms, what);
		get_bool(p, n, "new_host_key", &a->new_host_key, what);
	} else {
		const struct sb_ynode *u = sb_ymap_get(n, "upload");
		unsigned mode = 0644;
		a->ssh_op = SB_SSH_UPLOAD;
		if (!want(p, u, SB_YMAP, "upload"))
			return;
		check_keys(p, u, upload_keys, "upload");
		a->upload_from = get_str(p, u, "from", true, "upload");
		a->upload_to = get_str(p, u, "to", true, "upload");
		const struct sb_ynode *m = sb_ymap_get(u, "mode");
		if (m) {
			const char *ms = scalar(p, m, "'mode' of upload");
			char *end = NULL;
			unsigned long v = ms ? strtoul(ms, &end, 8) : 0;
			if (!ms || !*ms || *end || v > 07777)
				perr(p, m, "write an octal mode such as \"0644\"",
				     "'mode' of upload is not an octal file mode");
			else
				mode = (unsigned)v;
		}
		a->upload_mode = mode;
	}
}

static void parse_virt(struct parser *p, const struct sb_ynode *n,
		       struct sb_action *a, const char *what)
{
	if (!want(p, n, SB_YMAP, what))
		return;
	check_keys(p, n, virt_keys, what);
	a->virt_uri = get_str(p, n, "uri", false, what);
	a->virt_op = get_enum(p, n, "action", virt_actions, true, what);
	a->virt_domain = get_str(p, n, "domain", true, what);
	a->virt_iso = get_str(p, n, "iso", false, what);
	a->virt_state = get_enum(p, n, "state", virt_states, false, what);
	get_uint(p, n, "vcpus", 1024, &a->virt_vcpus, what);
	get_size(p, n, "memory", &a->virt_memory, what);
	get_size(p, n, "disk", &a->virt_disk, what);
	if (a->virt_op && (strcmp(a->virt_op, "wait") == 0 ||
			   strcmp(a->virt_op, "state") == 0) && !a->virt_state)
		perr(p, n, "add state: running (or shut-off, paused, absent, defined)",
		     "virt action '%s' needs a state", a->virt_op);
	if (a->virt_op && strcmp(a->virt_op, "attach-iso") == 0 && !a->virt_iso)
		perr(p, n, "add iso: /path/to/image.iso", "virt action 'attach-iso' needs an iso");
}

static void parse_bmc(struct parser *p, const struct sb_ynode *n,
		      struct sb_action *a, const char *what)
{
	if (!want(p, n, SB_YMAP, what))
		return;
	check_keys(p, n, bmc_keys, what);
	int count = !!sb_ymap_get(n, "power") + !!sb_ymap_get(n, "boot") +
		    !!sb_ymap_get(n, "media");
	if (count != 1) {
		perr(p, n, "write {power: on}, {boot: pxe} or {media: insert, image: URL}",
		     "%s must have exactly one of power, boot and media", what);
		return;
	}
	if (sb_ymap_get(n, "power")) {
		a->bmc_op = "power";
		a->bmc_value = get_enum(p, n, "power", bmc_power, true, what);
	} else if (sb_ymap_get(n, "boot")) {
		a->bmc_op = "boot";
		a->bmc_value = get_enum(p, n, "boot", bmc_boot, true, what);
		a->bmc_uefi = true;
		get_bool(p, n, "persistent", &a->bmc_persistent, what);
		get_bool(p, n, "uefi", &a->bmc_uefi, what);
	} else {
		a->bmc_op = "media";
		a->bmc_value = get_enum(p, n, "media", bmc_media, true, what);
		a->bmc_image = get_str(p, n, "image", false, what);
		if (sb_streq(a->bmc_value, "insert") && !a->bmc_image)
			perr(p, n, "add image: http://.../file.iso", "media insert needs an image URL");
		a->bmc_slot = get_str(p, n, "slot", false, what);
		for (const char *c = a->bmc_slot; c && *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.') {
				perr(p, sb_ymap_get(n, "slot"), "write slot: cd, slot: usb or a device Id such as Floppy1",
				     "%s: slot '%s' is not cd, usb or a device Id", what, a->bmc_slot);
				break;
			}
		if (a->bmc_slot && !*a->bmc_slot)
			perr(p, sb_ymap_get(n, "slot"), "write slot: cd or slot: usb", "%s: slot is empty", what);
	}
	if (!a->bmc_slot && sb_ymap_get(n, "slot") && !sb_ymap_get(n, "media"))
		perr(p, sb_ymap_get(n, "slot"), "remove slot:, or use it with media:",
		     "%s: slot is only for media", what);
}

static void parse_serve(struct parser *p, const struct sb_ynode *n,
			struct sb_action *a, const char *what)
{
	if (!want(p, n, SB_YMAP, what))
		return;
	check_keys(p, n, serve_keys, what);
	a->serve_dir = get_str(p, n, "dir", true, what);
	a->serve_listen = get_str(p, n, "listen", false, what);
	a->serve_port = 8080;
	get_uint(p, n, "port", 65535, &a->serve_port, what);
	a->serve_for_ms = 2ULL * 3600 * 1000;
	get_duration(p, n, "for", &a->serve_for_ms, what);
	if (a->serve_for_ms == 0 || a->serve_for_ms > 24ULL * 3600 * 1000)
		perr(p, sb_ymap_get(n, "for"), "give a duration from 1s to 24h, such as 2h",
		     "'for' of %s is out of range", what);
}

/* `{EXECUTOR: ARGS}` */
static bool parse_action(struct parser *p, const struct sb_ynode *n,
			 struct sb_action *a, const char *what)
{
	char hint[512];

	memset(a, 0, sizeof(*a));
	if (!want(p, n, SB_YMAP, what))
		return false;
	a->line = n->line;
	a->col = n->col;
	if (n->n != 1) {
		perr(p, n, "write one of {ssh: ...}, {local: ...}, {virt: {...}}, {bmc: {...}}, {attest: \"...\"}",
		     "%s must name exactly one executor, not %zu keys", what, n->n);
		return false;
	}
	const char *k = n->pairs[0].key->str;
	const struct sb_ynode *v = n->pairs[0].val;
	int kind = list_index(k, executors);
	if (kind < 0) {
		sb_hint_choice(hint, sizeof(hint), k, executors, "executors:", true);
		perr(p, n->pairs[0].key, hint, "unknown executor '%s' in %s", k, what);
		return false;
	}
	a->kind = (enum sb_exec_kind)kind;
	a->line = v->line;
	a->col = v->col;
	switch (a->kind) {
	case SB_EXEC_SSH:
		parse_ssh(p, v, a, what);
		break;
	case SB_EXEC_LOCAL:
		if (v->type == SB_YMAP) {
			check_keys(p, v, local_keys, what);
			a->command = get_str(p, v, "command", true, what);
		} else {
			a->command = scalar(p, v, what);
		}
		break;
	case SB_EXEC_VIRT:
		parse_virt(p, v, a, what);
		break;
	case SB_EXEC_BMC:
		parse_bmc(p, v, a, what);
		break;
	case SB_EXEC_ATTEST:
		a->text = scalar(p, v, what);
		break;
	case SB_EXEC_SERVE:
		parse_serve(p, v, a, what);
		break;
	}
	return true;
}

/* ---- steps --------------------------------------------------------------- */

static void parse_hosts(struct parser *p, const struct sb_ynode *n,
			struct sb_hostsel *h, const char *what)
{
	char hint[512];

	if (n->type == SB_YSCALAR) {
		if (strcmp(n->str, "site") == 0)
			h->site = true;
		else if (strcmp(n->str, "all") == 0)
			h->all = true;
		else
			perr(p, n, "write site, all, {roles: [ROLE, ...]} or {nodes: [NAME, ...]}",
			     "'hosts' of %s cannot be '%s'", what, n->str);
		return;
	}
	if (!want(p, n, SB_YMAP, "'hosts'"))
		return;
	check_keys(p, n, host_keys, "'hosts'");
	get_strlist(p, sb_ymap_get(n, "roles"), &h->roles, &h->nroles, "'roles' of 'hosts'");
	get_strlist(p, sb_ymap_get(n, "nodes"), &h->nodes, &h->nnodes, "'nodes' of 'hosts'");
	h->bmc = get_enum(p, n, "bmc", host_bmcs, false, "'hosts'");
	for (size_t i = 0; i < h->nroles; i++)
		if (!in_list(h->roles[i], sb_bom_roles)) {
			sb_hint_choice(hint, sizeof(hint), h->roles[i], sb_bom_roles,
				       "roles:", true);
			perr(p, sb_ymap_get(n, "roles"), hint, "unknown role '%s' in %s",
			     h->roles[i], what);
		}
	if (!h->nroles && !h->nnodes && !h->bmc)
		perr(p, n, "list roles: or nodes:, or write hosts: site / hosts: all",
		     "'hosts' of %s selects nothing", what);
}

static void parse_step(struct parser *p, const struct sb_ynode *n,
		       struct sb_step *s, size_t idx)
{
	char what[128];

	snprintf(what, sizeof(what), "step %zu", idx + 1);
	s->line = n ? n->line : 0;
	s->col = n ? n->col : 0;
	if (!want(p, n, SB_YMAP, what))
		return;
	check_keys(p, n, step_keys, what);
	s->id = get_str(p, n, "id", true, what);
	if (s->id && !valid_id(s->id)) {
		perr(p, sb_ymap_get(n, "id"),
		     "use letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters",
		     "step id '%s' is not valid", s->id);
		s->id = NULL;
	}
	if (s->id)
		snprintf(what, sizeof(what), "step '%s'", s->id);
	s->title = get_str(p, n, "title", false, what);
	if (!s->title)
		s->title = s->id;
	const struct sb_ynode *h = sb_ymap_get(n, "hosts");
	if (!h)
		perr(p, n, "add hosts: {roles: [...]}, {nodes: [...]}, site or all",
		     "%s has no 'hosts'", what);
	else
		parse_hosts(p, h, &s->hosts, what);
	get_strlist(p, sb_ymap_get(n, "needs"), &s->needs, &s->nneeds, "'needs'");
	const struct sb_ynode *r = sb_ymap_get(n, "run");
	if (!r)
		perr(p, n, "add run: {ssh: \"command\"} (or local, virt, bmc, attest)",
		     "%s has no 'run'", what);
	else
		parse_action(p, r, &s->run, "'run'");
	const char *names[2] = { "check", "verify" };
	struct sb_action **slots[2] = { &s->check, &s->verify };
	for (int i = 0; i < 2; i++) {
		const struct sb_ynode *cn = sb_ymap_get(n, names[i]);
		if (!cn)
			continue;
		struct sb_action *a = sb_arena_calloc(p->a, 1, sizeof(*a));
		char w[32];
		snprintf(w, sizeof(w), "'%s'", names[i]);
		if (!a || !parse_action(p, cn, a, w))
			continue;
		if (a->kind == SB_EXEC_ATTEST) {
			perr(p, cn, "a manual confirmation can only be a step's run",
			     "'%s' of %s cannot be an attest", names[i], what);
			continue;
		}
		if (a->kind == SB_EXEC_SERVE) {
			perr(p, cn, "the media server can only be a step's run",
			     "'%s' of %s cannot be a serve", names[i], what);
			continue;
		}
		if (a->kind == SB_EXEC_SSH && a->ssh_op == SB_SSH_UPLOAD) {
			perr(p, cn, "check an upload with a command, e.g. {ssh: \"test -f PATH\"}",
			     "'%s' of %s cannot be an upload", names[i], what);
			continue;
		}
		*slots[i] = a;
	}
	s->timeout_ms = p->def_timeout;
	s->backoff_ms = p->def_backoff;
	s->retries = p->def_retries;
	s->on_failure = p->def_fail;
	get_duration(p, n, "timeout", &s->timeout_ms, what);
	get_duration(p, n, "backoff", &s->backoff_ms, what);
	get_uint(p, n, "retries", MAX_RETRIES, &s->retries, what);
	const char *of = get_enum(p, n, "on_failure", on_failures, false, what);
	if (of)
		s->on_failure = (enum sb_on_failure)list_index(of, on_failures);
	get_bool(p, n, "idempotent", &s->idempotent, what);
	if (s->timeout_ms == 0)
		perr(p, sb_ymap_get(n, "timeout"), "give a timeout such as 30s or 10m",
		     "'timeout' of %s must be more than 0", what);
	if (!s->hosts.site && s->run.kind == SB_EXEC_SERVE)
		perr(p, sb_ymap_get(n, "hosts"), "write hosts: site",
		     "%s runs the media server, which runs once per site on the appliance", what);
	if (s->hosts.site && (s->run.kind == SB_EXEC_SSH || s->run.kind == SB_EXEC_BMC))
		perr(p, sb_ymap_get(n, "run"),
		     "a step with hosts: site runs on the appliance: use local, virt or attest, or select hosts",
		     "%s runs once per site, but a %s action needs a host",
		     what, sb_exec_kind_name(s->run.kind));
	for (int i = 0; i < 2; i++) {
		const struct sb_action *a = *slots[i];
		if (a && s->hosts.site && (a->kind == SB_EXEC_SSH || a->kind == SB_EXEC_BMC))
			perr(p, sb_ymap_get(n, names[i]), "use local or virt in a site step",
			     "'%s' of %s needs a host, but the step runs once per site",
			     names[i], what);
	}
}

/* ---- the graph ----------------------------------------------------------- */

long sb_checklist_step(const struct sb_checklist *c, const char *id)
{
	for (size_t i = 0; i < c->nsteps; i++)
		if (sb_streq(c->steps[i].id, id))
			return (long)i;
	return -1;
}

bool sb_checklist_depends(const struct sb_checklist *c, size_t s, size_t anc)
{
	/* iterative DFS; the graph is acyclic once loaded */
	size_t *stack = malloc(c->nsteps * sizeof(*stack) + 1);
	unsigned char *seen = calloc(c->nsteps + 1, 1);
	size_t sp = 0;
	bool found = false;

	if (!stack || !seen)
		goto out;
	stack[sp++] = s;
	while (sp && !found) {
		size_t v = stack[--sp];
		const struct sb_step *st = &c->steps[v];
		for (size_t k = 0; k < st->nneeds && st->need_idx; k++) {
			size_t w = st->need_idx[k];
			if (w == anc) {
				found = true;
				break;
			}
			if (!seen[w]) {
				seen[w] = 1;
				stack[sp++] = w;
			}
		}
	}
out:
	free(stack);
	free(seen);
	return found;
}

/* Resolve needs to indexes; report unknown ones and self-needs. */
static bool resolve_needs(struct parser *p, const struct sb_ynode *steps_n)
{
	struct sb_checklist *c = p->c;
	const char **ids = sb_arena_calloc(p->a, c->nsteps + 1, sizeof(*ids));
	bool ok = true;

	if (!ids)
		return false;
	for (size_t i = 0; i < c->nsteps; i++)
		ids[i] = c->steps[i].id ? c->steps[i].id : "";
	for (size_t i = 0; i < c->nsteps; i++) {
		struct sb_step *s = &c->steps[i];
		const struct sb_ynode *at = sb_ymap_get(steps_n->items[i], "needs");
		s->need_idx = sb_arena_calloc(p->a, s->nneeds + 1, sizeof(size_t));
		if (!s->need_idx)
			return false;
		for (size_t k = 0; k < s->nneeds; k++) {
			long j = sb_checklist_step(c, s->needs[k]);
			char hint[512];
			if (j < 0) {
				sb_hint_choice(hint, sizeof(hint), s->needs[k], ids,
					       "it must be the id of a step in this checklist", false);
				perr(p, at, hint, "step '%s' needs '%s', which is not a step",
				     s->id, s->needs[k]);
				ok = false;
			} else if ((size_t)j == i) {
				perr(p, at, "remove it from needs", "step '%s' needs itself", s->id);
				ok = false;
			} else {
				s->need_idx[k] = (size_t)j;
			}
		}
	}
	return ok;
}

/* Find a cycle from v (colour: 0 white, 1 grey, 2 black); on finding one,
 * write it into path as "a -> b -> a". */
static bool find_cycle(const struct sb_checklist *c, size_t v,
		       unsigned char *colour, size_t *stack, size_t depth,
		       char *path, size_t psize, size_t *first)
{
	colour[v] = 1;
	stack[depth] = v;
	for (size_t k = 0; k < c->steps[v].nneeds; k++) {
		size_t w = c->steps[v].need_idx[k];
		if (colour[w] == 1) {
			size_t start = 0, off = 0;
			while (stack[start] != w)
				start++;
			/* edges point from a step to what it needs: print in
			 * the order "X needs Y needs ... needs X" */
			for (size_t i = start; i <= depth && off < psize; i++)
				off += (size_t)snprintf(path + off, psize - off, "%s -> ",
							c->steps[stack[i]].id);
			if (off < psize)
				snprintf(path + off, psize - off, "%s", c->steps[w].id);
			*first = w;
			return true;
		}
		if (colour[w] == 0 &&
		    find_cycle(c, w, colour, stack, depth + 1, path, psize, first))
			return true;
	}
	colour[v] = 2;
	return false;
}

/* Kahn's algorithm, taking the lowest file position among the ready steps,
 * so that the order is the file's order wherever needs allow. */
static bool topo_order(struct parser *p)
{
	struct sb_checklist *c = p->c;
	size_t n = c->nsteps;
	size_t *indeg = calloc(n + 1, sizeof(*indeg));
	unsigned char *done = calloc(n + 1, 1);
	bool ok = false;

	c->order = sb_arena_calloc(p->a, n + 1, sizeof(size_t));
	if (!indeg || !done || !c->order)
		goto out;
	for (size_t i = 0; i < n; i++)
		indeg[i] = c->steps[i].nneeds;
	for (size_t k = 0; k < n; k++) {
		size_t pick = n;
		for (size_t i = 0; i < n; i++)
			if (!done[i] && indeg[i] == 0) {
				pick = i;
				break;
			}
		if (pick == n) {
			unsigned char *colour = calloc(n + 1, 1);
			size_t *stack = calloc(n + 1, sizeof(*stack));
			char path[1024] = "";
			size_t first = 0;
			for (size_t i = 0; colour && stack && i < n; i++)
				if (!done[i] && colour[i] == 0 &&
				    find_cycle(c, i, colour, stack, 0, path, sizeof(path), &first))
					break;
			struct sb_ynode at = { .line = c->steps[first].line,
					       .col = c->steps[first].col };
			perr(p, &at, "a step cannot need, directly or not, a step that needs it: remove one of these needs",
			     "steps depend on each other in a cycle: %s (each needs the next)", path);
			free(colour);
			free(stack);
			c->order = NULL;
			goto out;
		}
		done[pick] = 1;
		c->order[k] = pick;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < c->steps[i].nneeds; j++)
				if (c->steps[i].need_idx[j] == pick)
					indeg[i]--;
	}
	ok = true;
out:
	free(indeg);
	free(done);
	return ok;
}

static void check_action_templates(struct parser *p, size_t i,
				   const struct sb_action *a)
{
	const struct sb_checklist *c = p->c;
	bool site = c->steps[i].hosts.site;
	const char *t[] = { a->command, a->upload_from, a->upload_to, a->virt_uri,
			    a->virt_domain, a->virt_iso, a->bmc_image, a->text,
			    a->serve_dir, a->serve_listen };

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++)
		sb_tmpl_check(c, i, site, t[k], p->file, a->line, a->col, p->d);
}

static void sha256_hex(char out[65], const char *buf, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL);
	sb_hex(out, md, 32);
}

int sb_checklist_load_buf(struct sb_checklist **out, const char *path,
			  const char *buf, size_t len, struct sb_diags *diags)
{
	struct sb_ydoc *doc = NULL;
	struct sb_checklist *c = NULL;
	struct parser p = { 0 };
	size_t errors0 = diags->nerrors;
	int rc;

	*out = NULL;
	rc = sb_yaml_load_buf(&doc, path, buf, len, &sb_ylimits_default, diags);
	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c) {
		rc = sb_error_set(SB_ENOMEM, "out of memory loading %s", path);
		goto out;
	}
	sb_arena_init(&c->arena, 64u * 1024u * 1024u);
	p = (struct parser){ c, diags, path, &c->arena, DEFAULT_TIMEOUT_MS,
			     DEFAULT_BACKOFF_MS, 0, SB_FAIL_STOP_HOST };
	c->path = sb_arena_strdup(&c->arena, path);
	sha256_hex(c->sha256, buf, len);
	const struct sb_ynode *root = doc->root;
	if (!root) {
		perr(&p, NULL, "start with schema_version: 1", "%s is empty", path);
		goto done;
	}
	if (!want(&p, root, SB_YMAP, "a checklist"))
		goto done;
	check_keys(&p, root, top_keys, "the checklist");
	const struct sb_ynode *sv = sb_ymap_get(root, "schema_version");
	if (!sv) {
		perr(&p, root, "add schema_version: 1 at the top", "the checklist has no schema_version");
	} else {
		unsigned v = 0;
		if (get_uint(&p, root, "schema_version", 1000, &v, "the checklist") &&
		    v != SB_CHECKLIST_SCHEMA_VERSION)
			perr(&p, sv, "this siteboot reads schema_version 1",
			     "schema_version %u is not supported", v);
		c->schema_version = v;
	}
	c->name = get_str(&p, root, "name", true, "the checklist");
	if (c->name && !valid_id(c->name))
		perr(&p, sb_ymap_get(root, "name"), "use letters, digits, '-' and '_'",
		     "checklist name '%s' is not valid", c->name);
	c->tier = get_enum(&p, root, "tier", sb_bom_tiers, false, "the checklist");
	c->description = get_str(&p, root, "description", false, "the checklist");
	const struct sb_ynode *def = sb_ymap_get(root, "defaults");
	if (def && want(&p, def, SB_YMAP, "'defaults'")) {
		check_keys(&p, def, default_keys, "'defaults'");
		get_duration(&p, def, "timeout", &p.def_timeout, "'defaults'");
		get_duration(&p, def, "backoff", &p.def_backoff, "'defaults'");
		get_uint(&p, def, "retries", MAX_RETRIES, &p.def_retries, "'defaults'");
		const char *of = get_enum(&p, def, "on_failure", on_failures, false, "'defaults'");
		if (of)
			p.def_fail = (enum sb_on_failure)list_index(of, on_failures);
	}
	const struct sb_ynode *steps = sb_ymap_get(root, "steps");
	if (!steps) {
		perr(&p, root, "add steps: with a list of steps", "the checklist has no steps");
		goto done;
	}
	if (!want(&p, steps, SB_YSEQ, "'steps'"))
		goto done;
	if (steps->n == 0 || steps->n > MAX_STEPS) {
		perr(&p, steps, NULL, "'steps' must hold 1 to %d steps, not %zu", MAX_STEPS, steps->n);
		goto done;
	}
	c->nsteps = steps->n;
	c->steps = sb_arena_calloc(&c->arena, c->nsteps, sizeof(*c->steps));
	if (!c->steps) {
		rc = sb_error_set(SB_ENOMEM, "out of memory loading %s", path);
		goto out;
	}
	for (size_t i = 0; i < c->nsteps; i++)
		parse_step(&p, steps->items[i], &c->steps[i], i);
	for (size_t i = 0; i < c->nsteps; i++)
		for (size_t j = 0; j < i; j++)
			if (c->steps[i].id && sb_streq(c->steps[i].id, c->steps[j].id)) {
				char hint[128];
				snprintf(hint, sizeof(hint), "the first is at line %u; give each step its own id",
					 c->steps[j].line);
				perr(&p, sb_ymap_get(steps->items[i], "id"), hint,
				     "two steps have the id '%s'", c->steps[i].id);
				break;
			}
	if (diags->nerrors > errors0)
		goto done;
	if (!resolve_needs(&p, steps) || !topo_order(&p))
		goto done;
	for (size_t i = 0; i < c->nsteps; i++) {
		const struct sb_step *s = &c->steps[i];
		check_action_templates(&p, i, &s->run);
		if (s->check)
			check_action_templates(&p, i, s->check);
		if (s->verify)
			check_action_templates(&p, i, s->verify);
		if (!s->check && !s->idempotent && s->run.kind != SB_EXEC_ATTEST &&
		    s->run.kind != SB_EXEC_SERVE)
			pwarn(&p, steps->items[i],
			      "add a check: so that a re-run or a resumed run can tell it is done, or idempotent: true",
			      "step '%s' has no check", s->id);
	}
done:
	if (diags->nerrors > errors0) {
		rc = SB_EINPUT;
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	sb_checklist_free(c);
	sb_yaml_free(doc);
	return rc;
}

int sb_checklist_load(struct sb_checklist **out, const char *path,
		      struct sb_diags *diags)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = sb_yaml_read_file(&buf, &len, path, &sb_ylimits_default, diags);
	if (rc)
		return rc;
	rc = sb_checklist_load_buf(out, path, buf, len, diags);
	free(buf);
	return rc;
}

void sb_checklist_free(struct sb_checklist *c)
{
	if (!c)
		return;
	sb_arena_release(&c->arena);
	free(c);
}

extern const char sb_checklist_core_yaml[];
extern const char sb_checklist_regional_yaml[];
extern const char sb_checklist_edge_yaml[];

const char *sb_checklist_builtin(const char *tier)
{
	if (sb_streq(tier, "core"))
		return sb_checklist_core_yaml;
	if (sb_streq(tier, "regional"))
		return sb_checklist_regional_yaml;
	if (sb_streq(tier, "edge"))
		return sb_checklist_edge_yaml;
	return NULL;
}

int sb_checklist_open(struct sb_checklist **out, const char *tier_or_file,
		      struct sb_diags *diags)
{
	const char *text = sb_checklist_builtin(tier_or_file);
	char name[64];

	if (!text)
		return sb_checklist_load(out, tier_or_file, diags);
	snprintf(name, sizeof(name), "builtin:%s", tier_or_file);
	return sb_checklist_load_buf(out, name, text, strlen(text), diags);
}
