#include "common/json.h"
#include "common/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sb_json_parse(json_t **out, const char *buf, size_t len, size_t max,
		  const char *what)
{
	json_error_t jerr;
	json_t *doc;

	if (len > max)
		return sb_error_set(SB_EPROTO,
				    "%s: JSON of %zu bytes exceeds the limit of %zu",
				    what, len, max);
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return sb_error_set(SB_EPROTO,
				    "%s: malformed JSON at line %d column %d: %s",
				    what, jerr.line, jerr.column, jerr.text);
	*out = doc;
	return 0;
}

int sb_json_write(FILE *f, const json_t *doc)
{
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', f) == EOF || fflush(f) != 0 || ferror(f))
		return sb_error_set(SB_EIO, "cannot write JSON output: %s",
				    strerror(errno ? errno : EIO));
	return 0;
}

int sb_json_canonical(char **out, const json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS |
				  JSON_ENCODE_ANY);

	if (!s)
		return sb_error_set(SB_ENOMEM, "cannot encode JSON");
	*out = s;
	return 0;
}

const char *sb_json_str(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *sb_json_obj(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_object(v) ? v : NULL;
}

json_t *sb_json_arr(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_array(v) ? v : NULL;
}

bool sb_json_int(const json_t *obj, const char *key, long long *out)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (!json_is_integer(v))
		return false;
	*out = (long long)json_integer_value(v);
	return true;
}

int sb_json_set_str(json_t *obj, const char *key, const char *s)
{
	json_t *v = s ? json_string(s) : json_null();

	if (!v || json_object_set_new(obj, key, v) != 0)
		return sb_error_set(SB_ENOMEM, "out of memory building JSON");
	return 0;
}
