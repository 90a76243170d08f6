/* Questions asked of a loaded site: node lookup, selection by names and
 * ranges, procurement totals. */
#include "bom/bom.h"
#include "common/error.h"
#include "common/range.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>

const struct sb_bom_node *sb_bom_node_find(const struct sb_site *s,
					   const char *name)
{
	for (size_t i = 0; i < s->nnodes; i++)
		if (strcmp(s->nodes[i].name, name) == 0)
			return &s->nodes[i];
	return NULL;
}

/* Select among the first `count` hosts (count is nnodes for nodes, or
 * sb_bom_nhosts for nodes and VMs). */
static int select_among(size_t **idx, size_t *n, const struct sb_site *s,
			size_t count, const char *const *patterns,
			size_t npatterns, bool all)
{
	bool *take = calloc(count ? count : 1, sizeof(*take));
	size_t *out = NULL, cnt = 0;
	int rc = 0;

	*idx = NULL;
	*n = 0;
	if (!take)
		return sb_error_set(SB_ENOMEM, "out of memory");
	for (size_t i = 0; all && i < count; i++)
		take[i] = true;
	for (size_t p = 0; p < npatterns && rc == 0; p++) {
		struct sb_strv names = { 0 };
		rc = sb_range_expand(&names, patterns[p], 0);
		for (size_t k = 0; rc == 0 && k < names.n; k++) {
			size_t i;
			for (i = 0; i < count; i++)
				if (strcmp(sb_bom_host(s, i)->name, names.v[k]) == 0)
					break;
			if (i == count) {
				const char **cands = calloc(count + 1,
							    sizeof(*cands));
				const char *best = NULL;
				if (cands) {
					for (size_t j = 0; j < count; j++)
						cands[j] = sb_bom_host(s, j)->name;
					best = sb_did_you_mean(names.v[k], cands);
				}
				if (best)
					rc = sb_error_set(SB_EINPUT,
							  "%s lists no %s '%s'; did you mean '%s'?",
							  s->path, count > s->nnodes ? "node or VM" : "node",
							  names.v[k], best);
				else
					rc = sb_error_set(SB_EINPUT,
							  "%s lists no %s '%s'; 'siteboot bom show %s' lists the nodes",
							  s->path, count > s->nnodes ? "node or VM" : "node",
							  names.v[k], s->path);
				free(cands);
				break;
			}
			take[i] = true;
		}
		sb_strv_release(&names);
	}
	if (rc)
		goto out;
	out = malloc((count ? count : 1) * sizeof(*out));
	if (!out) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < count; i++)
		if (take[i])
			out[cnt++] = i;
	*idx = out;
	*n = cnt;
out:
	free(take);
	return rc;
}

int sb_bom_select(size_t **idx, size_t *n, const struct sb_site *s,
		  const char *const *patterns, size_t npatterns, bool all)
{
	return select_among(idx, n, s, s->nnodes, patterns, npatterns, all);
}

int sb_bom_select_hosts(size_t **idx, size_t *n, const struct sb_site *s,
			const char *const *patterns, size_t npatterns)
{
	return select_among(idx, n, s, sb_bom_nhosts(s), patterns, npatterns, false);
}

size_t sb_bom_nhosts(const struct sb_site *s)
{
	return s->nnodes + s->nguests;
}

const struct sb_bom_node *sb_bom_host(const struct sb_site *s, size_t i)
{
	return i < s->nnodes ? &s->nodes[i] : &s->guests[i - s->nnodes];
}

const struct sb_bom_node *sb_bom_host_find(const struct sb_site *s,
					   const char *name)
{
	for (size_t i = 0; i < sb_bom_nhosts(s); i++)
		if (strcmp(sb_bom_host(s, i)->name, name) == 0)
			return sb_bom_host(s, i);
	return NULL;
}

static int total_cmp(const void *a, const void *b)
{
	const struct sb_bom_total *x = a, *y = b;

	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	return strcmp(x->part_number, y->part_number);
}

static int add_total(struct sb_bom_total **v, size_t *n, size_t *cap,
		     const char *pn, const char *mfr, const char *model,
		     enum sb_hw_class cls, unsigned long qty, const char *po,
		     size_t node, size_t *last_node)
{
	for (size_t i = 0; i < *n; i++) {
		if ((*v)[i].cls == cls && strcmp((*v)[i].part_number, pn) == 0) {
			(*v)[i].quantity += qty;
			if (last_node[i] != node) {
				(*v)[i].nodes++;
				last_node[i] = node;
			}
			if (!(*v)[i].po)
				(*v)[i].po = po;
			return 0;
		}
	}
	if (*n == *cap)
		return SB_ENOMEM;	/* the caller sized the array */
	struct sb_bom_total *t = &(*v)[(*n)];
	t->part_number = pn;
	t->manufacturer = mfr;
	t->model = model;
	t->cls = cls;
	t->quantity = qty;
	t->nodes = 1;
	t->po = po;
	last_node[*n] = node;
	(*n)++;
	return 0;
}

int sb_bom_totals(struct sb_bom_total **out, size_t *nout,
		  const struct sb_site *s)
{
	size_t cap = 0, n = 0;
	struct sb_bom_total *v;
	size_t *last;

	for (size_t i = 0; i < s->nnodes; i++)
		cap += s->nodes[i].nlines + 1;
	v = calloc(cap ? cap : 1, sizeof(*v));
	last = calloc(cap ? cap : 1, sizeof(*last));
	if (!v || !last) {
		free(v);
		free(last);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct sb_bom_node *nd = &s->nodes[i];
		if (nd->chassis.part_number)
			add_total(&v, &n, &cap, nd->chassis.part_number,
				  nd->chassis.manufacturer, nd->chassis.model,
				  SB_HW_CHASSIS, 1, nd->chassis.order.po, i,
				  last);
		for (size_t k = 0; k < nd->nlines; k++) {
			const struct sb_bom_line *l = &nd->lines[k];
			if (l->part_number)
				add_total(&v, &n, &cap, l->part_number,
					  l->manufacturer, l->model, l->cls,
					  l->quantity, l->order.po, i, last);
		}
	}
	free(last);
	qsort(v, n, sizeof(*v), total_cmp);
	*out = v;
	*nout = n;
	return 0;
}
