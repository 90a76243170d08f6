/* IPMI FRU images: building them (the lab's simulated BMCs carry the
 * BOM's serials) and reading them (through libfreeipmi's FRU parser,
 * into sb_hw components). FRU bytes come from a BMC: hostile until
 * parsed, so every length is checked and fields are cleaned by
 * sb_hw_set(). */
#include "firmware/bmc.h"
#include "common/error.h"
#include "common/str.h"

#include <freeipmi/freeipmi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building --------------------------------------------------------- */

#define FRU_FIELD_MAX 63	/* a type/length byte holds 6 bits of length */

static int put_field(struct sb_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char tl;

	if (n > FRU_FIELD_MAX)
		return sb_error_set(SB_EINPUT,
				    "FRU field '%.20s...' is %zu bytes; an IPMI FRU field holds at most %d",
				    s, n, FRU_FIELD_MAX);
	tl = (unsigned char)(0xC0 | n);	/* 8-bit ASCII + Latin 1 */
	if (sb_buf_append(b, &tl, 1))
		return SB_ENOMEM;
	return n ? sb_buf_append(b, s, n) : 0;
}

static unsigned char checksum(const unsigned char *p, size_t n)
{
	unsigned sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += p[i];
	return (unsigned char)(0x100 - (sum & 0xff));
}

/* Close an area that starts at `start`: end marker, pad to 8 bytes with
 * room for the checksum, store the length in 8-byte units, checksum. */
static int finish_area(struct sb_buf *b, size_t start)
{
	unsigned char end = 0xC1, zero = 0, sum;
	size_t len;

	if (sb_buf_append(b, &end, 1))
		return SB_ENOMEM;
	while ((b->len - start + 1) % 8)
		if (sb_buf_append(b, &zero, 1))
			return SB_ENOMEM;
	len = b->len - start + 1;
	if (len / 8 > 255)
		return sb_error_set(SB_EINPUT, "FRU area too large");
	((unsigned char *)b->data)[start + 1] = (unsigned char)(len / 8);
	sum = checksum((const unsigned char *)b->data + start, b->len - start);
	return sb_buf_append(b, &sum, 1);
}

int sb_bmc_ipmi_fru_build(unsigned char **out, size_t *len,
			  const struct sb_ipmi_fru *f)
{
	struct sb_buf b = SB_BUF_INIT(8192);
	unsigned char hdr[8] = { 0x01, 0, 0, 0, 0, 0, 0, 0 };
	unsigned char head[3];
	size_t start;
	int rc;

	*out = NULL;
	*len = 0;
	rc = sb_buf_append(&b, hdr, sizeof(hdr));
	if (rc)
		goto out;

	/* chassis info area */
	start = b.len;
	head[0] = 0x01;
	head[1] = 0;
	head[2] = (unsigned char)(f->chassis_type ? f->chassis_type : 0x17);
	if ((rc = sb_buf_append(&b, head, 3)) ||
	    (rc = put_field(&b, f->chassis_part)) ||
	    (rc = put_field(&b, f->chassis_serial)) ||
	    (rc = finish_area(&b, start)))
		goto out;
	((unsigned char *)b.data)[2] = (unsigned char)(start / 8);

	/* board info area: format, length, language, 3 bytes of date (0:
	 * unspecified) */
	start = b.len;
	{
		unsigned char bh[6] = { 0x01, 0, 0x00, 0, 0, 0 };
		if ((rc = sb_buf_append(&b, bh, sizeof(bh))))
			goto out;
	}
	if ((rc = put_field(&b, f->board_mfr)) ||
	    (rc = put_field(&b, f->board_name)) ||
	    (rc = put_field(&b, f->board_serial)) ||
	    (rc = put_field(&b, f->board_part)) ||
	    (rc = put_field(&b, NULL)) ||	/* FRU file id */
	    (rc = finish_area(&b, start)))
		goto out;
	((unsigned char *)b.data)[3] = (unsigned char)(start / 8);

	/* product info area */
	start = b.len;
	head[0] = 0x01;
	head[1] = 0;
	head[2] = 0x00;	/* language: English */
	if ((rc = sb_buf_append(&b, head, 3)) ||
	    (rc = put_field(&b, f->product_mfr)) ||
	    (rc = put_field(&b, f->product_name)) ||
	    (rc = put_field(&b, f->product_part)) ||
	    (rc = put_field(&b, f->product_version)) ||
	    (rc = put_field(&b, f->product_serial)) ||
	    (rc = put_field(&b, f->product_asset)) ||
	    (rc = put_field(&b, NULL)) ||	/* FRU file id */
	    (rc = finish_area(&b, start)))
		goto out;
	((unsigned char *)b.data)[4] = (unsigned char)(start / 8);
	((unsigned char *)b.data)[7] = checksum((unsigned char *)b.data, 7);

	*len = b.len;
	*out = (unsigned char *)b.data;
	b.data = NULL;
	rc = 0;
out:
	sb_buf_release(&b);
	return rc;
}

/* ---- parsing ---------------------------------------------------------- */

/* One field's text: libfreeipmi decodes the type/length encodings
 * (ASCII, BCD plus, 6-bit packed); we clean the result. */
static int field(ipmi_fru_ctx_t ctx, char **dst, const ipmi_fru_field_t *fl,
		 uint8_t lang)
{
	char text[IPMI_FRU_AREA_STRING_MAX + 1];
	unsigned int n = IPMI_FRU_AREA_STRING_MAX;

	if (!fl->type_length_field_length)
		return 0;
	memset(text, 0, sizeof(text));
	if (ipmi_fru_type_length_field_to_string(ctx, fl->type_length_field,
						 fl->type_length_field_length,
						 lang, text, &n) < 0)
		return 0;	/* an undecodable field is absent, not fatal */
	if (n > IPMI_FRU_AREA_STRING_MAX)
		n = IPMI_FRU_AREA_STRING_MAX;
	return sb_hw_set(dst, text, n);
}

static int fru_error(ipmi_fru_ctx_t ctx, const char *path)
{
	int e = ipmi_fru_ctx_errnum(ctx);

	if (e == IPMI_FRU_ERR_OUT_OF_MEMORY)
		return sb_error_set(SB_ENOMEM, "out of memory reading FRU %s", path);
	return sb_error_set(SB_EPROTO, "FRU %s is malformed: %s", path,
			    ipmi_fru_ctx_errormsg(ctx));
}

struct fru_areas {
	bool chassis, board, product;
	uint8_t chassis_type;
	ipmi_fru_field_t c_part, c_serial;
	ipmi_fru_field_t b_mfr, b_name, b_serial, b_part, b_file;
	ipmi_fru_field_t p_mfr, p_name, p_part, p_ver, p_serial, p_asset,
		p_file;
	uint8_t b_lang, p_lang;
};

static struct sb_hw_component *add(struct sb_hw_inventory *inv,
				   enum sb_hw_class cls, const char *path,
				   const char *area, int ev)
{
	char p[256];
	struct sb_hw_component *c;

	snprintf(p, sizeof(p), "%s/%s", path, area);
	c = sb_hw_add_component(inv, cls, "ipmi-fru", p);
	if (c) {
		c->evidence = ev;
		c->name = sb_strdup(area);
	}
	return c;
}

static int map_areas(struct sb_hw_inventory *inv, ipmi_fru_ctx_t ctx,
		     const struct fru_areas *a, const char *path, int ev)
{
	struct sb_hw_component *c;
	char *pmfr = NULL, *pname = NULL;
	int rc = SB_ENOMEM;

	if (a->product && ((rc = field(ctx, &pmfr, &a->p_mfr, a->p_lang)) ||
			   (rc = field(ctx, &pname, &a->p_name, a->p_lang))))
		goto out;
	if (a->chassis) {
		/* The chassis area carries no manufacturer or model: those
		 * of the product it holds name it. */
		if (!(c = add(inv, SB_HW_CHASSIS, path, "chassis", ev)))
			goto nomem;
		if ((rc = field(ctx, &c->part_number, &a->c_part, 0)) ||
		    (rc = field(ctx, &c->serial, &a->c_serial, 0)) ||
		    (pmfr && !(c->manufacturer = sb_strdup(pmfr))) ||
		    (pname && !(c->model = sb_strdup(pname))))
			goto nomem_rc;
		if (c->serial && !inv->chassis_serial &&
		    !(inv->chassis_serial = sb_strdup(c->serial)))
			goto nomem;
	}
	if (a->board) {
		if (!(c = add(inv, SB_HW_BOARD, path, "board", ev)))
			goto nomem;
		if ((rc = field(ctx, &c->manufacturer, &a->b_mfr, a->b_lang)) ||
		    (rc = field(ctx, &c->model, &a->b_name, a->b_lang)) ||
		    (rc = field(ctx, &c->serial, &a->b_serial, a->b_lang)) ||
		    (rc = field(ctx, &c->part_number, &a->b_part, a->b_lang)))
			goto nomem_rc;
	}
	if (a->product) {
		/* The product (the system as sold) is the chassis when the
		 * image has no chassis area, else a component of its own. */
		if (!(c = add(inv, a->chassis ? SB_HW_OTHER : SB_HW_CHASSIS,
			      path, "product", ev)))
			goto nomem;
		c->manufacturer = pmfr;
		c->model = pname;
		pmfr = pname = NULL;
		if ((rc = field(ctx, &c->part_number, &a->p_part, a->p_lang)) ||
		    (rc = field(ctx, &c->serial, &a->p_serial, a->p_lang)) ||
		    (rc = field(ctx, &c->asset_tag, &a->p_asset, a->p_lang)))
			goto nomem_rc;
		if (c->manufacturer && !inv->vendor &&
		    !(inv->vendor = sb_strdup(c->manufacturer)))
			goto nomem;
		if (c->model && !inv->product &&
		    !(inv->product = sb_strdup(c->model)))
			goto nomem;
		if (c->serial && !inv->chassis_serial &&
		    !(inv->chassis_serial = sb_strdup(c->serial)))
			goto nomem;
	}
	rc = 0;
	goto out;
nomem:
	rc = sb_error_set(SB_ENOMEM, "out of memory reading FRU %s", path);
	goto out;
nomem_rc:
	if (!rc)
		rc = sb_error_set(SB_ENOMEM, "out of memory reading FRU %s", path);
out:
	free(pmfr);
	free(pname);
	return rc;
}

int sb_bmc_ipmi_fru_parse(struct sb_hw_inventory *inv, const void *fru,
			  size_t len, const char *path)
{
	ipmi_fru_ctx_t ctx = NULL;
	struct fru_areas a;
	unsigned char *area = NULL;
	int rc, ev, more;

	memset(&a, 0, sizeof(a));
	if (len < 8 || len > IPMI_FRU_AREA_SIZE_MAX)
		return sb_error_set(SB_EPROTO,
				    "FRU %s is %zu bytes; an IPMI FRU image is 8 to %d bytes",
				    path, len, IPMI_FRU_AREA_SIZE_MAX);
	ev = sb_hw_add_evidence(inv, path, "application/octet-stream", fru, len);
	if (ev < 0)
		return ev;
	ctx = ipmi_fru_ctx_create(NULL);
	area = malloc(IPMI_FRU_AREA_SIZE_MAX + 1);
	if (!ctx || !area) {
		rc = sb_error_set(SB_ENOMEM, "out of memory reading FRU %s", path);
		goto out;
	}
	if (ipmi_fru_open_device_id_with_buffer(ctx, fru, (unsigned)len) < 0 ||
	    ipmi_fru_first(ctx) < 0) {
		rc = fru_error(ctx, path);
		goto out;
	}
	do {
		unsigned int type = 0, alen = 0;

		if (ipmi_fru_read_data_area(ctx, &type, &alen, area,
					    IPMI_FRU_AREA_SIZE_MAX) < 0) {
			rc = fru_error(ctx, path);
			goto out;
		}
		if (alen > IPMI_FRU_AREA_SIZE_MAX)
			alen = IPMI_FRU_AREA_SIZE_MAX;
		switch (type) {
		case IPMI_FRU_AREA_TYPE_CHASSIS_INFO_AREA:
			if (a.chassis || ipmi_fru_chassis_info_area(ctx, area, alen,
					&a.chassis_type, &a.c_part, &a.c_serial,
					NULL, 0) < 0)
				break;
			a.chassis = true;
			break;
		case IPMI_FRU_AREA_TYPE_BOARD_INFO_AREA: {
			uint32_t when = 0;
			if (a.board || ipmi_fru_board_info_area(ctx, area, alen,
					&a.b_lang, &when, &a.b_mfr, &a.b_name,
					&a.b_serial, &a.b_part, &a.b_file,
					NULL, 0) < 0)
				break;
			a.board = true;
			break;
		}
		case IPMI_FRU_AREA_TYPE_PRODUCT_INFO_AREA:
			if (a.product || ipmi_fru_product_info_area(ctx, area, alen,
					&a.p_lang, &a.p_mfr, &a.p_name,
					&a.p_part, &a.p_ver, &a.p_serial,
					&a.p_asset, &a.p_file, NULL, 0) < 0)
				break;
			a.product = true;
			break;
		default:
			break;	/* multirecords: power supplies etc. later */
		}
		more = ipmi_fru_next(ctx);
		if (more < 0) {
			rc = fru_error(ctx, path);
			goto out;
		}
	} while (more);
	if (!a.chassis && !a.board && !a.product) {
		rc = sb_error_set(SB_EPROTO,
				  "FRU %s holds no chassis, board or product area",
				  path);
		goto out;
	}
	rc = map_areas(inv, ctx, &a, path, ev);
out:
	free(area);
	if (ctx)
		ipmi_fru_ctx_destroy(ctx);
	return rc;
}
