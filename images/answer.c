/* Proxmox VE answer.toml: generation from the BOM, our schema, the ISO. */
#include "images/answer.h"
#include "common/error.h"
#include "common/file.h"
#include "common/url.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the schema: what the installer accepts (snake_case, PVE 8.2+) ---- */

enum vtype { V_STR, V_BOOL, V_INT, V_NUM, V_STRV, V_ENUM, V_MAP };

struct key {
	const char *name;	/* "zfs.raid"; for V_MAP the prefix "filter" */
	enum vtype type;
	const char *const *choices;	/* V_ENUM */
};

static const char *const keyboards[] = {
	"de", "de-ch", "dk", "en-gb", "en-us", "es", "fi", "fr", "fr-be", "fr-ca", "fr-ch",
	"hu", "is", "it", "jp", "lt", "mk", "nl", "no", "pl", "pt", "pt-br", "se", "si", "tr",
	NULL,
};
static const char *const net_sources[] = { "from-dhcp", "from-answer", NULL };
static const char *const filesystems[] = { "ext4", "xfs", "zfs", "btrfs", NULL };
static const char *const zfs_raids[] = {
	"raid0", "raid1", "raid10", "raidz-1", "raidz-2", "raidz-3", NULL,
};
static const char *const btrfs_raids[] = { "raid0", "raid1", "raid10", NULL };
static const char *const filter_matches[] = { "any", "all", NULL };
static const char *const zfs_compress[] = {
	"on", "off", "lzjb", "lz4", "zle", "gzip", "zstd", NULL,
};
static const char *const zfs_checksum[] = { "on", "fletcher4", "sha256", NULL };

static const struct key global_keys[] = {
	{ "keyboard", V_ENUM, keyboards }, { "country", V_STR, NULL },
	{ "fqdn", V_STR, NULL }, { "mailto", V_STR, NULL }, { "timezone", V_STR, NULL },
	{ "root_password", V_STR, NULL }, { "root_password_hashed", V_STR, NULL },
	{ "root_ssh_keys", V_STRV, NULL }, { "reboot_on_error", V_BOOL, NULL },
	{ NULL, V_STR, NULL },
};
static const struct key network_keys[] = {
	{ "source", V_ENUM, net_sources }, { "cidr", V_STR, NULL }, { "dns", V_STR, NULL },
	{ "gateway", V_STR, NULL }, { "filter", V_MAP, NULL }, { NULL, V_STR, NULL },
};
static const struct key disk_keys[] = {
	{ "filesystem", V_ENUM, filesystems }, { "disk_list", V_STRV, NULL },
	{ "filter", V_MAP, NULL }, { "filter_match", V_ENUM, filter_matches },
	{ "zfs.raid", V_ENUM, zfs_raids }, { "zfs.ashift", V_INT, NULL },
	{ "zfs.arc_max", V_INT, NULL }, { "zfs.checksum", V_ENUM, zfs_checksum },
	{ "zfs.compress", V_ENUM, zfs_compress }, { "zfs.copies", V_INT, NULL },
	{ "zfs.hdsize", V_NUM, NULL }, { "lvm.hdsize", V_NUM, NULL },
	{ "lvm.swapsize", V_NUM, NULL }, { "lvm.maxroot", V_NUM, NULL },
	{ "lvm.maxvz", V_NUM, NULL }, { "lvm.minfree", V_NUM, NULL },
	{ "btrfs.raid", V_ENUM, btrfs_raids }, { "btrfs.hdsize", V_NUM, NULL },
	{ NULL, V_STR, NULL },
};

struct section {
	const char *name;
	const struct key *keys;
};
static const struct section sections[] = {
	{ "global", global_keys }, { "network", network_keys }, { "disk-setup", disk_keys },
	{ NULL, NULL },
};

/* ---- writing TOML ---- */

static int toml_str(struct sb_buf *b, const char *s)
{
	int rc = sb_buf_append(b, "\"", 1);

	for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p; p++) {
		if (*p == '"' || *p == '\\')
			rc = sb_buf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			rc = sb_buf_printf(b, "\\u%04x", *p);
		else
			rc = sb_buf_append(b, p, 1);
	}
	return rc ? rc : sb_buf_append(b, "\"", 1);
}

static int kv(struct sb_buf *b, const char *key, const char *val)
{
	int rc = sb_buf_printf(b, "%s = ", key);

	if (rc == 0)
		rc = toml_str(b, val);
	return rc ? rc : sb_buf_puts(b, "\n");
}

static int need(const char *v, const struct sb_bom_node *n, const char *what, const char *fix)
{
	if (v && *v)
		return 0;
	return sb_error_set(SB_EINPUT, "answer.toml for %s: no %s in the BOM: %s", n->name, what, fix);
}

static const struct sb_bom_network *network(const struct sb_site *s, const char *name)
{
	for (size_t i = 0; i < s->nnetworks; i++)
		if (sb_streq(s->networks[i].name, name))
			return &s->networks[i];
	return NULL;
}

/* The MAC that names the management NIC: mgmt.mac, else the first MAC of
 * the first NIC line. As udev's ID_NET_NAME_MAC: "enx" + 12 hex digits. */
static const char *mgmt_mac(const struct sb_bom_node *n)
{
	if (n->mgmt.mac)
		return n->mgmt.mac;
	for (size_t i = 0; i < n->nlines; i++)
		if (n->lines[i].cls == SB_HW_NIC && n->lines[i].nmacs)
			return n->lines[i].macs[0];
	return NULL;
}

int sb_answer_toml(char **out, const struct sb_site *s, const struct sb_bom_node *n,
		   const struct sb_answer_opts *o)
{
	struct sb_buf b = SB_BUF_INIT(1 << 20);
	const struct sb_bom_network *mgmt = network(s, "mgmt");
	const char *gateway = n->mgmt.gateway ? n->mgmt.gateway : mgmt ? mgmt->gateway : NULL;
	const char *dns = mgmt && mgmt->ndns ? mgmt->dns[0] : NULL;
	const char *mac = mgmt_mac(n), *fs = o->filesystem ? o->filesystem : "zfs";
	const char *serials[8];
	size_t nos = 0;
	char fqdn[300], country[8], macf[32];
	int rc;

	*out = NULL;
	if ((rc = need(s->country, n, "site country", "add site: location: country")) ||
	    (rc = need(s->timezone, n, "site timezone", "add site: timezone")) ||
	    (rc = need(s->contact_email, n, "contact e-mail (mailto)", "add site: contact: email")) ||
	    (rc = need(n->mgmt.address, n, "management address", "add mgmt: address to the node")) ||
	    (rc = need(gateway, n, "management gateway", "add gateway to networks: mgmt")) ||
	    (rc = need(dns, n, "DNS server", "add dns to networks: mgmt")) ||
	    (rc = need(mac, n, "management NIC MAC", "add mgmt: mac, or macs of a NIC line")))
		return rc;
	if (!o->root_password_hash || o->root_password_hash[0] != '$')
		return sb_error_set(SB_EINPUT, "answer.toml for %s: the root password must be a crypt(3) "
				    "hash ($6$... or $y$...): make one with 'mkpasswd -m sha-512'", n->name);
	if (o->nssh_keys == 0)
		return sb_error_set(SB_EINPUT, "answer.toml for %s: no SSH public key for root: give "
				    "the appliance's key so siteboot can log in after the install", n->name);
	for (size_t i = 0; i < n->nlines; i++) {
		const struct sb_bom_line *l = &n->lines[i];
		if (l->cls != SB_HW_DRIVE || !sb_streq(l->use, "os"))
			continue;
		if (l->nserials < l->quantity)
			return sb_error_set(SB_EINPUT, "answer.toml for %s: OS drive line '%s' lists %zu "
					    "serial(s) for %u drive(s): the installer selects disks by "
					    "serial; add them under serials: %s", n->name, l->id,
					    l->nserials, l->quantity, l->id);
		for (size_t k = 0; k < l->nserials; k++) {
			if (nos == 2)
				return sb_error_set(SB_EINPUT, "answer.toml for %s: more than 2 OS drives: "
						    "a serial filter selects at most 2 (see docs/proxmox.md)",
						    n->name);
			serials[nos++] = l->serials[k];
		}
	}
	if (nos == 0)
		return sb_error_set(SB_EINPUT, "answer.toml for %s: no drive line with use: os in the "
				    "BOM: say which drives Proxmox VE goes on", n->name);
	/* the FQDN: node name and the site's domain */
	if (o->domain)
		snprintf(fqdn, sizeof(fqdn), "%s.%s", n->name, o->domain);
	else
		snprintf(fqdn, sizeof(fqdn), "%s.%s.lan", n->name, s->id);
	for (size_t i = 0; i < sizeof(country) - 1; i++) {
		country[i] = (char)tolower((unsigned char)s->country[i]);
		if (!s->country[i])
			break;
	}
	country[sizeof(country) - 1] = '\0';
	{
		size_t k = 0;
		for (const char *p = mac; *p && k < sizeof(macf) - 1; p++)
			if (isxdigit((unsigned char)*p))
				macf[k++] = (char)tolower((unsigned char)*p);
		macf[k] = '\0';
	}

	rc = sb_buf_printf(&b, "# Proxmox VE automated installation: %s of site %s (%s).\n"
			   "# Written by siteboot from the BOM; checked against siteboot's schema.\n\n"
			   "[global]\n", n->name, s->id, s->path ? s->path : "BOM");
	if (!rc) rc = kv(&b, "keyboard", o->keyboard ? o->keyboard : "en-us");
	if (!rc) rc = kv(&b, "country", country);
	if (!rc) rc = kv(&b, "fqdn", fqdn);
	if (!rc) rc = kv(&b, "mailto", s->contact_email);
	if (!rc) rc = kv(&b, "timezone", s->timezone);
	if (!rc) rc = kv(&b, "root_password_hashed", o->redact ? "<secret>" : o->root_password_hash);
	if (!rc) rc = sb_buf_puts(&b, "root_ssh_keys = [\n");
	for (size_t i = 0; !rc && i < o->nssh_keys; i++) {
		rc = sb_buf_puts(&b, "  ");
		if (!rc) rc = toml_str(&b, o->ssh_keys[i]);
		if (!rc) rc = sb_buf_puts(&b, ",\n");
	}
	if (!rc) rc = sb_buf_puts(&b, "]\n\n[network]\n");
	if (!rc) rc = kv(&b, "source", "from-answer");
	if (!rc) rc = kv(&b, "cidr", n->mgmt.address);
	if (!rc) rc = kv(&b, "dns", dns);
	if (!rc) rc = kv(&b, "gateway", gateway);
	if (!rc) rc = sb_buf_printf(&b, "filter.ID_NET_NAME_MAC = \"*%s\"\n\n[disk-setup]\n", macf);
	if (!rc) rc = kv(&b, "filesystem", fs);
	if (!rc && strcmp(fs, "zfs") == 0)
		rc = kv(&b, "zfs.raid", o->zfs_raid ? o->zfs_raid : nos == 2 ? "raid1" : "raid0");
	/* one drive: its short serial; two: one by ID_SERIAL_SHORT and the
	 * other by the end of ID_SERIAL, either matching (a filter holds one
	 * pattern per udev property) */
	if (!rc) rc = sb_buf_puts(&b, "filter.ID_SERIAL_SHORT = ");
	if (!rc) rc = toml_str(&b, serials[0]);
	if (!rc && nos == 2) {
		char pat[200];
		snprintf(pat, sizeof(pat), "*_%s", serials[1]);
		rc = sb_buf_puts(&b, "\nfilter.ID_SERIAL = ");
		if (!rc) rc = toml_str(&b, pat);
		if (!rc) rc = sb_buf_puts(&b, "\nfilter_match = \"any\"");
	}
	if (!rc) rc = sb_buf_puts(&b, "\n");
	if (rc) {
		sb_buf_release_secret(&b);
		return rc;
	}
	return sb_buf_detach(out, &b);
}

/* ---- reading TOML (the subset answer files use) and checking it ---- */

static bool in_list(const char *const *v, const char *s)
{
	for (size_t i = 0; v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

struct tval {
	enum vtype type;	/* V_STR, V_BOOL, V_INT, V_NUM, V_STRV */
	char *str;		/* V_STR */
	size_t nstrv;
};

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* A basic "..." string with escapes, or a literal '...'. */
static int parse_string(const char **p, char **out)
{
	struct sb_buf b = SB_BUF_INIT(64 * 1024);
	char q = **p;
	int rc = 0;

	(*p)++;
	while (**p && **p != q && **p != '\n' && rc == 0) {
		if (q == '"' && **p == '\\') {
			(*p)++;
			char c = **p;
			if (c == 'n') rc = sb_buf_append(&b, "\n", 1);
			else if (c == 't') rc = sb_buf_append(&b, "\t", 1);
			else if (c == '"' || c == '\\') rc = sb_buf_append(&b, p[0], 1);
			else if (c == 'u' && strlen(*p) >= 5) {
				char hex[5];
				memcpy(hex, *p + 1, 4);
				hex[4] = '\0';
				unsigned long v = strtoul(hex, NULL, 16);
				char ch = (char)(v < 0x80 ? v : '?');
				rc = sb_buf_append(&b, &ch, 1);
				*p += 4;
			} else {
				sb_buf_release(&b);
				return -1;
			}
			(*p)++;
			continue;
		}
		rc = sb_buf_append(&b, *p, 1);
		(*p)++;
	}
	if (rc || **p != q) {
		sb_buf_release(&b);
		return -1;
	}
	(*p)++;
	if (sb_buf_detach(out, &b)) {
		sb_buf_release(&b);
		return -1;
	}
	return 0;
}

static const char *vtype_name(enum vtype t)
{
	switch (t) {
	case V_STR: case V_ENUM: case V_MAP: return "a string";
	case V_BOOL: return "true or false";
	case V_INT: return "an integer";
	case V_NUM: return "a number";
	case V_STRV: return "a list of strings";
	}
	return "?";
}

struct seen {
	bool global, network, disk;
	bool root_password, root_hashed, ssh_keys;
	char *net_source;
	bool cidr, dns, gateway, net_filter;
	char *filesystem;
	bool disk_list, disk_filter, zfs_raid, btrfs_raid;
	char *keys[128];
	size_t nkeys;
};

int sb_answer_validate(const char *text, size_t len, const char *name, struct sb_diags *d)
{
	struct seen st = { 0 };
	const struct section *sec = NULL;
	const char *p = text, *end = text + len;
	unsigned line = 0;
	size_t errs0 = d->nerrors;
	char *copy = NULL;

	if (memchr(text, '\0', len)) {
		sb_diags_add(d, SB_DIAG_ERROR, name, 1, 1, NULL, "the file holds a NUL byte");
		return SB_EINPUT;
	}
	copy = sb_strndup(text, len);
	if (!copy)
		return sb_error_set(SB_ENOMEM, "out of memory");
	p = copy;
	end = copy + len;
	while (p < end && *p) {
		const char *ls = p;
		char key[128];
		size_t kl = 0;
		line++;
		skip_ws(&p);
		if (*p == '#' || *p == '\n' || *p == '\r' || !*p)
			goto next;
		if (*p == '[') {
			const char *e = strchr(p, ']');
			const char *nl = strchr(p, '\n');
			if (!e || (nl && e > nl)) {
				sb_diags_add(d, SB_DIAG_ERROR, name, line, (unsigned)(p - ls) + 1, NULL,
					     "a section header without ']'");
				goto next;
			}
			char sname[64];
			snprintf(sname, sizeof(sname), "%.*s", (int)(e - p - 1) & 63, p + 1);
			sec = NULL;
			for (size_t i = 0; sections[i].name; i++)
				if (strcmp(sections[i].name, sname) == 0)
					sec = &sections[i];
			if (!sec) {
				const char *names[] = { "global", "network", "disk-setup", NULL };
				char hint[128];
				sb_hint_choice(hint, sizeof(hint), sname, names, "sections are", true);
				sb_diags_add(d, SB_DIAG_ERROR, name, line, (unsigned)(p - ls) + 1, hint,
					     "unknown section [%s]: the installer refuses it", sname);
			} else {
				bool *flag = sec == &sections[0] ? &st.global : sec == &sections[1] ? &st.network : &st.disk;
				if (*flag)
					sb_diags_add(d, SB_DIAG_ERROR, name, line, 1, NULL, "section [%s] twice", sname);
				*flag = true;
			}
			goto next;
		}
		/* key = value */
		unsigned col = (unsigned)(p - ls) + 1;
		while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.') &&
		       kl < sizeof(key) - 1)
			key[kl++] = *p++;
		key[kl] = '\0';
		skip_ws(&p);
		if (kl == 0 || *p != '=') {
			sb_diags_add(d, SB_DIAG_ERROR, name, line, col, "write KEY = VALUE",
				     "not a key = value line");
			goto next;
		}
		p++;
		skip_ws(&p);
		struct tval v = { 0 };
		unsigned vcol = (unsigned)(p - ls) + 1;
		if (*p == '"' || *p == '\'') {
			v.type = V_STR;
			if (parse_string(&p, &v.str)) {
				sb_diags_add(d, SB_DIAG_ERROR, name, line, vcol, NULL, "a string without its end");
				goto next;
			}
		} else if (*p == '[') {
			v.type = V_STRV;
			p++;
			for (;;) {
				while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ',') {
					if (*p == '\n')
						line++;
					p++;
				}
				if (*p == ']') {
					p++;
					break;
				}
				char *item = NULL;
				if ((*p != '"' && *p != '\'') || parse_string(&p, &item)) {
					sb_diags_add(d, SB_DIAG_ERROR, name, line, 1, NULL,
						     "a list here holds strings only");
					goto next;	/* reported */
				}
				free(item);
				v.nstrv++;
			}
		} else if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
			v.type = V_BOOL;
			p += *p == 't' ? 4 : 5;
		} else if (*p == '-' || isdigit((unsigned char)*p)) {
			char *e;
			v.type = V_INT;
			(void)strtoll(p, &e, 10);
			if (*e == '.') {
				v.type = V_NUM;
				(void)strtod(p, &e);
			}
			p = e;
		} else {
			sb_diags_add(d, SB_DIAG_ERROR, name, line, vcol, "quote strings: \"...\"",
				     "a value of '%s' that is not a string, number, boolean or list", key);
			goto next;
		}
		skip_ws(&p);
		if (*p && *p != '\n' && *p != '\r' && *p != '#')
			sb_diags_add(d, SB_DIAG_ERROR, name, line, (unsigned)(p - ls) + 1, NULL,
				     "text after the value of '%s'", key);
		if (!sec) {
			sb_diags_add(d, SB_DIAG_ERROR, name, line, col, "put it under [global], [network] "
				     "or [disk-setup]", "key '%s' outside a section", key);
			free(v.str);
			goto next;
		}
		/* duplicate keys */
		char full[200];
		snprintf(full, sizeof(full), "%s.%s", sec->name, key);
		for (size_t i = 0; i < st.nkeys; i++)
			if (strcmp(st.keys[i], full) == 0)
				sb_diags_add(d, SB_DIAG_ERROR, name, line, col, NULL, "key '%s' twice in [%s]",
					     key, sec->name);
		if (st.nkeys < 128)
			st.keys[st.nkeys++] = sb_strdup(full);
		const struct key *k = NULL;
		for (size_t i = 0; sec->keys[i].name; i++) {
			const struct key *c = &sec->keys[i];
			if (c->type == V_MAP ? (sb_startswith(key, c->name) && key[strlen(c->name)] == '.' &&
						key[strlen(c->name) + 1])
					     : strcmp(key, c->name) == 0)
				k = c;
		}
		if (!k) {
			const char *cands[32];
			size_t nc = 0;
			char hint[512];
			for (size_t i = 0; sec->keys[i].name && nc < 31; i++)
				cands[nc++] = sec->keys[i].name;
			cands[nc] = NULL;
			sb_hint_choice(hint, sizeof(hint), key, cands, "keys of this section are", true);
			sb_diags_add(d, SB_DIAG_ERROR, name, line, col, hint,
				     "unknown key '%s' in [%s]: the installer refuses unknown keys", key,
				     sec->name);
			free(v.str);
			goto next;
		}
		if (v.type == V_STR && !v.str)
			goto next;
		enum vtype want = k->type == V_ENUM || k->type == V_MAP ? V_STR : k->type;
		if (v.type != want && !(want == V_NUM && v.type == V_INT)) {
			sb_diags_add(d, SB_DIAG_ERROR, name, line, vcol, NULL, "'%s' must be %s", key,
				     vtype_name(k->type));
			free(v.str);
			goto next;
		}
		if (k->type == V_ENUM && !in_list(k->choices, v.str)) {
			char hint[512];
			sb_hint_choice(hint, sizeof(hint), v.str, k->choices, "allowed", true);
			sb_diags_add(d, SB_DIAG_ERROR, name, line, vcol, hint, "'%s' = \"%s\" is not a value "
				     "the installer knows", key, v.str);
		}
		/* facts for the cross-key rules */
		if (sec == &sections[0]) {
			if (strcmp(key, "root_password") == 0) st.root_password = true;
			if (strcmp(key, "root_password_hashed") == 0) st.root_hashed = true;
			if (strcmp(key, "country") == 0 && (strlen(v.str) != 2 || !islower((unsigned char)v.str[0]) ||
							    !islower((unsigned char)v.str[1])))
				sb_diags_add(d, SB_DIAG_ERROR, name, line, vcol, "for Ghana write \"gh\"",
					     "country must be a two-letter ISO 3166 code in lower case");
			if (strcmp(key, "fqdn") == 0 && (!strchr(v.str, '.') || strchr(v.str, ' ')))
				sb_diags_add(d, SB_DIAG_ERROR, name, line, vcol, NULL,
					     "fqdn '%s' is not a fully qualified name (host.domain)", v.str);
			if (strcmp(key, "mailto") == 0 && !strchr(v.str, '@'))
				sb_diags_add(d, SB_DIAG_ERROR, name, line, vcol, NULL, "mailto is not an address");
			if (strcmp(key, "root_password_hashed") == 0 && v.str[0] != '$' &&
			    strcmp(v.str, "<secret>") != 0)
				sb_diags_add(d, SB_DIAG_ERROR, name, line, vcol, "make one with mkpasswd -m sha-512",
					     "root_password_hashed is not a crypt(3) hash");
		} else if (sec == &sections[1]) {
			if (strcmp(key, "source") == 0) { free(st.net_source); st.net_source = sb_strdup(v.str); }
			if (strcmp(key, "cidr") == 0) {
				char ip[64];
				unsigned pfx;
				st.cidr = true;
				if (sb_cidr_parse(v.str, ip, sizeof(ip), &pfx) != 0) {
					sb_error_clear();
					sb_diags_add(d, SB_DIAG_ERROR, name, line, vcol, NULL,
						     "cidr '%s' is not ADDRESS/PREFIX", v.str);
				}
			}
			if ((strcmp(key, "dns") == 0 || strcmp(key, "gateway") == 0) && !sb_ip_valid(v.str))
				sb_diags_add(d, SB_DIAG_ERROR, name, line, vcol, NULL, "%s '%s' is not an IP address",
					     key, v.str);
			if (strcmp(key, "dns") == 0) st.dns = true;
			if (strcmp(key, "gateway") == 0) st.gateway = true;
			if (k->type == V_MAP) st.net_filter = true;
		} else {
			if (strcmp(key, "filesystem") == 0) { free(st.filesystem); st.filesystem = sb_strdup(v.str); }
			if (strcmp(key, "disk_list") == 0) st.disk_list = v.nstrv > 0;
			if (k->type == V_MAP) st.disk_filter = true;
			if (strcmp(key, "zfs.raid") == 0) st.zfs_raid = true;
			if (strcmp(key, "btrfs.raid") == 0) st.btrfs_raid = true;
		}
		free(v.str);
next:
		while (p < end && *p && *p != '\n')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
	/* rules across keys */
	if (!st.global || !st.network || !st.disk)
		sb_diags_add(d, SB_DIAG_ERROR, name, 0, 0, NULL, "an answer file needs [global], [network] "
			     "and [disk-setup]");
	if (st.global) {
		static const char *const req[] = { "keyboard", "country", "fqdn", "mailto", "timezone", NULL };
		for (size_t i = 0; req[i]; i++) {
			char full[64];
			bool found = false;
			snprintf(full, sizeof(full), "global.%s", req[i]);
			for (size_t k = 0; k < st.nkeys; k++)
				found |= strcmp(st.keys[k], full) == 0;
			if (!found)
				sb_diags_add(d, SB_DIAG_ERROR, name, 0, 0, NULL, "[global] needs %s", req[i]);
		}
		if (st.root_password == st.root_hashed)
			sb_diags_add(d, SB_DIAG_ERROR, name, 0, 0, NULL, "[global] needs exactly one of "
				     "root_password and root_password_hashed");
	}
	if (st.network) {
		bool answer = sb_streq(st.net_source, "from-answer");
		if (answer && (!st.cidr || !st.dns || !st.gateway || !st.net_filter))
			sb_diags_add(d, SB_DIAG_ERROR, name, 0, 0, NULL, "[network] source = \"from-answer\" "
				     "needs cidr, dns, gateway and a filter");
		if (!answer && (st.cidr || st.dns || st.gateway || st.net_filter))
			sb_diags_add(d, SB_DIAG_ERROR, name, 0, 0, NULL, "[network] cidr, dns, gateway and "
				     "filter belong to source = \"from-answer\"");
	}
	if (st.disk) {
		if (st.disk_list == st.disk_filter)
			sb_diags_add(d, SB_DIAG_ERROR, name, 0, 0, NULL, "[disk-setup] needs either "
				     "disk_list or a filter, not both");
		if (sb_streq(st.filesystem, "zfs") && !st.zfs_raid)
			sb_diags_add(d, SB_DIAG_ERROR, name, 0, 0, NULL, "[disk-setup] filesystem zfs needs zfs.raid");
		if (sb_streq(st.filesystem, "btrfs") && !st.btrfs_raid)
			sb_diags_add(d, SB_DIAG_ERROR, name, 0, 0, NULL, "[disk-setup] filesystem btrfs needs btrfs.raid");
		if (!st.filesystem)
			sb_diags_add(d, SB_DIAG_ERROR, name, 0, 0, NULL, "[disk-setup] needs filesystem");
	}
	for (size_t i = 0; i < st.nkeys; i++)
		free(st.keys[i]);
	free(st.net_source);
	free(st.filesystem);
	free(copy);
	return d->nerrors > errs0 ? SB_EINPUT : 0;
}

/* ---- the ISO ---- */

int sb_answer_iso_write(const char *path, const char *toml, size_t len)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	char *tmp = sb_asprintf("%s.tmp.%ld", path, (long)getpid());
	int rc = SB_EIO;

	if (!a || !e || !tmp) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	if (archive_write_set_format_iso9660(a) != ARCHIVE_OK ||
	    archive_write_set_format_option(a, "iso9660", "volume-id", SB_ANSWER_LABEL) != ARCHIVE_OK ||
	    archive_write_set_format_option(a, "iso9660", "joliet", "1") != ARCHIVE_OK ||
	    archive_write_set_format_option(a, "iso9660", "rockridge", "1") != ARCHIVE_OK) {
		rc = sb_error_set(SB_EINTERNAL, "libarchive: %s", archive_error_string(a));
		goto out;
	}
	if (archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
		rc = sb_error_set(SB_EIO, "%s: %s", path, archive_error_string(a));
		goto out;
	}
	archive_entry_set_pathname(e, SB_ANSWER_FILE);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0400);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    archive_write_data(a, toml, len) != (la_ssize_t)len ||
	    archive_write_close(a) != ARCHIVE_OK) {
		rc = sb_error_set(SB_EIO, "%s: %s", path, archive_error_string(a));
		unlink(tmp);
		goto out;
	}
	if (chmod(tmp, 0600) != 0 || rename(tmp, path) != 0) {
		rc = sb_error_set(SB_EIO, "%s: cannot put the image in place", path);
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	archive_entry_free(e);
	archive_write_free(a);
	free(tmp);
	return rc;
}
