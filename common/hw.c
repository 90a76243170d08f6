#include "common/hw.h"
#include "common/error.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>

const char *const sb_hw_class_names[] = {
	"chassis", "board", "cpu", "memory", "drive", "nic", "psu", "gpu",
	"bmc", "other", NULL,
};

const char *sb_hw_class_name(enum sb_hw_class c)
{
	if ((unsigned)c >= SB_HW_CLASS_COUNT)
		return "other";
	return sb_hw_class_names[c];
}

int sb_hw_class_parse(const char *name)
{
	for (int i = 0; sb_hw_class_names[i]; i++)
		if (strcmp(name, sb_hw_class_names[i]) == 0)
			return i;
	return -1;
}

void sb_hw_inventory_init(struct sb_hw_inventory *inv)
{
	memset(inv, 0, sizeof(*inv));
}

static void component_release(struct sb_hw_component *c)
{
	free(c->manufacturer);
	free(c->model);
	free(c->part_number);
	free(c->serial);
	free(c->asset_tag);
	free(c->durable_id);
	free(c->location);
	free(c->name);
	free(c->source);
	free(c->path);
}

void sb_hw_inventory_release(struct sb_hw_inventory *inv)
{
	if (!inv)
		return;
	for (size_t i = 0; i < inv->ncomponents; i++)
		component_release(&inv->components[i]);
	free(inv->components);
	for (size_t i = 0; i < inv->nfirmware; i++) {
		free(inv->firmware[i].name);
		free(inv->firmware[i].version);
		free(inv->firmware[i].component);
		free(inv->firmware[i].source);
		free(inv->firmware[i].path);
	}
	free(inv->firmware);
	for (size_t i = 0; i < inv->nevidence; i++) {
		free(inv->evidence[i].path);
		free(inv->evidence[i].media_type);
		free(inv->evidence[i].data);
	}
	free(inv->evidence);
	free(inv->target);
	free(inv->protocol);
	free(inv->vendor);
	free(inv->product);
	free(inv->system_guid);
	free(inv->chassis_serial);
	memset(inv, 0, sizeof(*inv));
}

static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = realloc(*v, ncap * elem);
	if (!p)
		return sb_error_set(SB_ENOMEM, "out of memory");
	*v = p;
	*cap = ncap;
	return 0;
}

struct sb_hw_component *sb_hw_add_component(struct sb_hw_inventory *inv,
					    enum sb_hw_class cls,
					    const char *source,
					    const char *path)
{
	struct sb_hw_component *c;

	if (grow((void **)&inv->components, &inv->components_cap,
		 inv->ncomponents, sizeof(*c)))
		return NULL;
	c = &inv->components[inv->ncomponents];
	memset(c, 0, sizeof(*c));
	c->cls = cls;
	c->evidence = -1;
	c->source = sb_strdup(source);
	c->path = sb_strdup(path);
	if ((source && !c->source) || (path && !c->path)) {
		component_release(c);
		sb_error_set(SB_ENOMEM, "out of memory");
		return NULL;
	}
	inv->ncomponents++;
	return c;
}

struct sb_hw_firmware *sb_hw_add_firmware(struct sb_hw_inventory *inv,
					  const char *name,
					  const char *version,
					  const char *source,
					  const char *path)
{
	struct sb_hw_firmware *f;

	if (grow((void **)&inv->firmware, &inv->firmware_cap, inv->nfirmware,
		 sizeof(*f)))
		return NULL;
	f = &inv->firmware[inv->nfirmware];
	memset(f, 0, sizeof(*f));
	f->evidence = -1;
	if (sb_hw_set(&f->name, name, name ? strlen(name) : 0) ||
	    sb_hw_set(&f->version, version, version ? strlen(version) : 0) ||
	    !(f->source = sb_strdup(source)) ||
	    (path && !(f->path = sb_strdup(path)))) {
		free(f->name);
		free(f->version);
		free(f->source);
		free(f->path);
		sb_error_set(SB_ENOMEM, "out of memory");
		return NULL;
	}
	inv->nfirmware++;
	return f;
}

int sb_hw_add_evidence(struct sb_hw_inventory *inv, const char *path,
		       const char *media_type, const void *data, size_t len)
{
	struct sb_hw_evidence *e;

	if (grow((void **)&inv->evidence, &inv->evidence_cap, inv->nevidence,
		 sizeof(*e)))
		return SB_ENOMEM;
	e = &inv->evidence[inv->nevidence];
	memset(e, 0, sizeof(*e));
	e->path = sb_strdup(path);
	e->media_type = sb_strdup(media_type);
	e->data = malloc(len ? len : 1);
	if (!e->path || !e->media_type || !e->data) {
		free(e->path);
		free(e->media_type);
		free(e->data);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	if (len)
		memcpy(e->data, data, len);
	e->len = len;
	return (int)inv->nevidence++;
}

int sb_hw_set(char **field, const char *text, size_t len)
{
	char buf[SB_HW_FIELD_MAX + 1];
	size_t n = 0, i = 0;

	free(*field);
	*field = NULL;
	if (!text)
		return 0;
	/* Hostile text from a BMC or a host: control characters become
	 * spaces, bytes that are not UTF-8 become '?', and a multi-byte
	 * character is never cut in half at the length limit. */
	while (i < len && text[i]) {
		unsigned char c = (unsigned char)text[i];
		size_t clen = 1;

		if (c >= 0x80) {
			size_t bad = 0, avail = len - i;
			clen = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
			       (c & 0xF8) == 0xF0 ? 4 : 0;
			if (clen == 0 || clen > avail ||
			    !sb_utf8_valid(text + i, clen, &bad)) {
				clen = 1;
				c = '?';
			} else {
				if (n + clen > SB_HW_FIELD_MAX)
					break;
				memcpy(buf + n, text + i, clen);
				n += clen;
				i += clen;
				continue;
			}
		} else if (c < 0x20 || c == 0x7f) {
			c = ' ';
		}
		if (n + 1 > SB_HW_FIELD_MAX)
			break;
		buf[n++] = (char)c;
		i += clen;
	}
	buf[n] = '\0';
	sb_trim(buf);
	if (!buf[0])
		return 0;
	*field = strdup(buf);
	return *field ? 0 : sb_error_set(SB_ENOMEM, "out of memory");
}
