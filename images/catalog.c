/* The image catalog: names, versions, file names, sizes and the
 * checksums their publishers print. A catalog is hand-edited YAML, so
 * every problem is reported with its place, all in one pass. */
#include "images/images.h"

#include "common/error.h"
#include "common/str.h"
#include "common/yaml.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const entry_keys[] = {
	"name", "version", "filename", "size", "sha256", "sha512", "url",
	"source", NULL,
};

static void entry_release(struct sb_image_entry *e)
{
	free(e->name);
	free(e->version);
	free(e->filename);
	free(e->url);
	free(e->source);
}

void sb_image_catalog_free(struct sb_image_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_release(&c->entries[i]);
	free(c->entries);
	free(c->file);
	free(c);
}

static bool hex_norm(char *out, size_t digits, const char *s)
{
	if (!s || strlen(s) != digits)
		return false;
	for (size_t i = 0; i < digits; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[digits] = '\0';
	return true;
}

bool sb_image_sha256_parse(char norm[SB_SHA256_HEX], const char *s)
{
	return hex_norm(norm, 64, s);
}

/* A text value of the entry, or NULL with a diagnostic when required. */
static const char *text(struct sb_diags *d, const char *file,
			const struct sb_ynode *map, const char *key, bool required,
			const char *what)
{
	const struct sb_ynode *v = sb_ymap_get(map, key);

	if (!v) {
		if (required)
			sb_diags_add(d, SB_DIAG_ERROR, file, map->line, map->col,
				     "every image needs name, version, filename and sha256",
				     "%s has no '%s'", what, key);
		return NULL;
	}
	if (v->type != SB_YSCALAR || sb_yscalar_is_null(v) || v->len == 0) {
		sb_diags_add(d, SB_DIAG_ERROR, file, v->line, v->col, NULL,
			     "'%s' of %s must be a text value, not %s", key,
			     what, v->type == SB_YSCALAR ? "empty" : sb_ytype_name(v));
		return NULL;
	}
	return v->str;
}

static void entry_parse(struct sb_image_catalog *c, struct sb_diags *d,
			const struct sb_ynode *m, size_t idx)
{
	const char *file = c->file;
	struct sb_image_entry *e = &c->entries[c->n];
	char what[96];
	const char *s;
	const struct sb_ynode *v;
	size_t errs = d->nerrors;

	memset(e, 0, sizeof(*e));
	if (m->type != SB_YMAP) {
		sb_diags_add(d, SB_DIAG_ERROR, file, m->line, m->col,
			     "write each image as 'name: ..., version: ..., filename: ..., sha256: ...'",
			     "image %zu is %s, not a mapping", idx + 1, sb_ytype_name(m));
		return;
	}
	e->line = m->line;
	s = text(d, file, m, "name", false, "an image");
	if (s)
		snprintf(what, sizeof(what), "image '%s'", s);
	else
		snprintf(what, sizeof(what), "image %zu", idx + 1);
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->pairs[i].key->str;
		bool known = false;
		for (const char *const *kk = entry_keys; *kk; kk++)
			known = known || strcmp(*kk, k) == 0;
		if (!known) {
			char hint[256];
			sb_hint_choice(hint, sizeof(hint), k, entry_keys, NULL, true);
			sb_diags_add(d, SB_DIAG_ERROR, file, m->pairs[i].key->line,
				     m->pairs[i].key->col, hint,
				     "unknown key '%s' in %s", k, what);
		}
	}
	e->name = sb_strdup(text(d, file, m, "name", true, what));
	e->version = sb_strdup(text(d, file, m, "version", true, what));
	e->filename = sb_strdup(text(d, file, m, "filename", true, what));
	if (e->filename && strchr(e->filename, '/'))
		sb_diags_add(d, SB_DIAG_ERROR, file, sb_ymap_get(m, "filename")->line,
			     sb_ymap_get(m, "filename")->col, "give the file name alone",
			     "filename of %s contains '/'", what);
	e->url = sb_strdup(text(d, file, m, "url", false, what));
	e->source = sb_strdup(text(d, file, m, "source", false, what));
	s = text(d, file, m, "sha256", true, what);
	if (s && !hex_norm(e->sha256, 64, s))
		sb_diags_add(d, SB_DIAG_ERROR, file, sb_ymap_get(m, "sha256")->line,
			     sb_ymap_get(m, "sha256")->col,
			     "copy the 64 hex digits from the publisher's SHA256SUMS",
			     "sha256 of %s is not 64 hex digits", what);
	s = text(d, file, m, "sha512", false, what);
	if (s && !hex_norm(e->sha512, 128, s))
		sb_diags_add(d, SB_DIAG_ERROR, file, sb_ymap_get(m, "sha512")->line,
			     sb_ymap_get(m, "sha512")->col,
			     "copy the 128 hex digits from the publisher's SHA512SUMS",
			     "sha512 of %s is not 128 hex digits", what);
	v = sb_ymap_get(m, "size");
	if (v) {
		uint64_t sz = 0;
		if (v->type != SB_YSCALAR || sb_parse_u64(&sz, v->str, UINT64_MAX, "size") || sz == 0) {
			sb_error_clear();
			sb_diags_add(d, SB_DIAG_ERROR, file, v->line, v->col,
				     "give the size in bytes, as the publisher lists it",
				     "size of %s is not a positive whole number of bytes", what);
		}
		e->size = sz;
	}
	if (d->nerrors != errs) {
		entry_release(e);
		memset(e, 0, sizeof(*e));
		return;
	}
	if (!e->name || !e->version || !e->filename) {
		entry_release(e);
		sb_diags_add(d, SB_DIAG_ERROR, file, m->line, m->col, NULL,
			     "out of memory reading %s", what);
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct sb_image_entry *o = &c->entries[i];
		if (strcmp(o->filename, e->filename) == 0)
			sb_diags_add(d, SB_DIAG_ERROR, file, e->line, 1,
				     "each file name may appear once",
				     "%s repeats the file name '%s' of line %u", what,
				     e->filename, o->line);
		else if (strcmp(o->sha256, e->sha256) == 0)
			sb_diags_add(d, SB_DIAG_ERROR, file, e->line, 1,
				     "two different files cannot have the same checksum: one is a copy-paste slip",
				     "%s has the same sha256 as '%s' (line %u)", what,
				     o->filename, o->line);
	}
	c->n++;
}

int sb_image_catalog_load(struct sb_image_catalog **out, const char *path,
			  struct sb_diags *d)
{
	struct sb_ydoc *doc = NULL;
	struct sb_image_catalog *c = NULL;
	const struct sb_ynode *imgs;
	size_t errs = d->nerrors;
	int rc;

	*out = NULL;
	rc = sb_yaml_load_file(&doc, path, &sb_ylimits_default, d);
	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->file = sb_strdup(path))) {
		rc = sb_error_set(SB_ENOMEM, "out of memory loading %s", path);
		goto out;
	}
	if (!doc->root || doc->root->type != SB_YMAP) {
		sb_diags_add(d, SB_DIAG_ERROR, path, doc->root ? doc->root->line : 1,
			     doc->root ? doc->root->col : 1,
			     "a catalog is a mapping with a list under 'images:'",
			     "%s is not an image catalog", path);
		rc = SB_EINPUT;
		goto out;
	}
	imgs = sb_ymap_get(doc->root, "images");
	if (!imgs || imgs->type != SB_YSEQ) {
		sb_diags_add(d, SB_DIAG_ERROR, path, imgs ? imgs->line : doc->root->line,
			     imgs ? imgs->col : doc->root->col,
			     "list the images under 'images:'",
			     "%s has no list of images", path);
		rc = SB_EINPUT;
		goto out;
	}
	c->entries = calloc(imgs->n ? imgs->n : 1, sizeof(*c->entries));
	if (!c->entries) {
		rc = sb_error_set(SB_ENOMEM, "out of memory loading %s", path);
		goto out;
	}
	for (size_t i = 0; i < imgs->n; i++)
		entry_parse(c, d, imgs->items[i], i);
	for (size_t i = 0; i < doc->root->n; i++) {
		const char *k = doc->root->pairs[i].key->str;
		if (strcmp(k, "images") != 0 && strcmp(k, "catalog") != 0)
			sb_diags_add(d, SB_DIAG_ERROR, path, doc->root->pairs[i].key->line,
				     doc->root->pairs[i].key->col,
				     "a catalog has 'catalog: 1' and 'images:'",
				     "unknown key '%s' at the top of the catalog", k);
	}
	rc = d->nerrors != errs ? SB_EINPUT : 0;
	if (rc == 0) {
		*out = c;
		c = NULL;
	} else {
		sb_error_set(SB_EINPUT, "%s: the catalog has errors", path);
	}
out:
	sb_image_catalog_free(c);
	sb_yaml_free(doc);
	return rc;
}

const struct sb_image_entry *
sb_image_catalog_find_file(const struct sb_image_catalog *c, const char *filename)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (strcmp(c->entries[i].filename, filename) == 0)
			return &c->entries[i];
	return NULL;
}

const struct sb_image_entry *
sb_image_catalog_find_sha256(const struct sb_image_catalog *c, const char *hex)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (strcmp(c->entries[i].sha256, hex) == 0)
			return &c->entries[i];
	return NULL;
}

const struct sb_image_entry *
sb_image_catalog_find_spec(const struct sb_image_catalog *c, const char *spec)
{
	const char *at = strchr(spec, '@');
	size_t nlen = at ? (size_t)(at - spec) : strlen(spec);

	for (size_t i = 0; c && i < c->n; i++) {
		const struct sb_image_entry *e = &c->entries[i];
		if (strlen(e->name) != nlen || strncmp(e->name, spec, nlen) != 0)
			continue;
		if (!at || strcmp(e->version, at + 1) == 0)
			return e;
	}
	return NULL;
}
