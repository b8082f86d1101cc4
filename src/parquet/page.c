/*-------------------------------------------------------------------------
 *
 * page.c
 *	  Decoding page headers (PageHeader and its data v1, data v2 and
 *	  dictionary sub-headers).
 *
 * A column chunk is a sequence of pages, each a Thrift compact PageHeader
 * followed by compressed_page_size bytes.  Only the fields the column
 * reader needs are kept; statistics, CRCs and unknown fields are skipped.
 * Index pages and unknown page types are returned as such so the reader
 * can skip them by size.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/page.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>

#include "pq_internal.h"

/*
 * The sub-headers are all i32 fields (plus v2's is_compressed), so they
 * are decoded from tables mapping field ids to PqPageHeader members.
 */
typedef struct I32Field
{
	int16_t		id;
	size_t		offset;
} I32Field;

typedef struct SubHeader
{
	PqPageHeader *h;
	const I32Field *fields;
	int			n_fields;
} SubHeader;

#define FIELD(id, member) {id, offsetof(PqPageHeader, member)}

static const I32Field data_v1_fields[] = {
	FIELD(1, num_values), FIELD(2, encoding), FIELD(3, def_encoding), FIELD(4, rep_encoding)
};
static const I32Field dict_fields[] = {
	FIELD(1, num_values), FIELD(2, encoding)
};
static const I32Field data_v2_fields[] = {
	FIELD(1, num_values), FIELD(2, num_nulls), FIELD(3, num_rows), FIELD(4, encoding),
	FIELD(5, def_length), FIELD(6, rep_length)
};

static bool
sub_header_field(PqThrift *t, void *target, int16_t id, int type)
{
	SubHeader  *sh = target;
	int			i;

	for (i = 0; i < sh->n_fields; i++)
		if (sh->fields[i].id == id)
			return PqThriftI32(t, type, (int32_t *) ((char *) sh->h + sh->fields[i].offset));
	/* DataPageHeaderV2.is_compressed */
	if (id == 7 && sh->fields == data_v2_fields)
		return PqThriftBool(t, type, &sh->h->is_compressed);
	return PqThriftSkip(t, type);
}

/*
 * Reads a sub-header struct with the given field table; every field of
 * the table is required.
 */
static bool
sub_header(PqThrift *t, int type, PqPageHeader *h, const I32Field *fields,
		   int n_fields, const char *what)
{
	SubHeader	sh = {h, fields, n_fields};
	uint32_t	seen;
	uint32_t	required = 0;
	int			i;

	if (type != PQ_TT_STRUCT)
		return PqThriftBadType(t, what);
	if (!PqThriftReadStruct(t, sub_header_field, &sh, &seen))
		return false;
	for (i = 0; i < n_fields; i++)
		required |= 1u << fields[i].id;
	if ((seen & required) != required)
	{
		PqSetError(t->err, PQ_ERR_CORRUPT, "%s lacks required fields", what);
		return false;
	}
	return true;
}

#define SUB_HEADER(t, type, h, table, what) \
	sub_header((t), (type), (h), (table), (int) (sizeof(table) / sizeof((table)[0])), (what))

/* PageHeader fields */
static bool
page_header_field(PqThrift *t, void *target, int16_t id, int type)
{
	PqPageHeader *h = target;

	switch (id)
	{
		case 1:
			return PqThriftI32(t, type, &h->type);
		case 2:
			return PqThriftI32(t, type, &h->uncompressed_size);
		case 3:
			return PqThriftI32(t, type, &h->compressed_size);
		case 5:
			h->has_data_header = SUB_HEADER(t, type, h, data_v1_fields, "data page header");
			return h->has_data_header;
		case 7:
			h->has_dict_header = SUB_HEADER(t, type, h, dict_fields, "dictionary page header");
			return h->has_dict_header;
		case 8:
			/* is_compressed defaults to true */
			h->is_compressed = true;
			h->has_v2_header = SUB_HEADER(t, type, h, data_v2_fields, "data page v2 header");
			return h->has_v2_header;
		default:
			return PqThriftSkip(t, type);
	}
}

/*
 * Decodes the PageHeader at data[0..len).  On success *header_len is the
 * header's encoded size (the page body follows it).  Sizes and counts are
 * checked to be non-negative; the caller checks them against the chunk
 * and the page size limit.
 */
PqCode
PqPageHeaderDecode(const uint8_t *data, size_t len, PqPageHeader *h,
				   size_t *header_len, PqError *err)
{
	PqThrift	t;
	uint32_t	seen;

	memset(h, 0, sizeof(*h));
	h->type = -1;
	PqThriftInit(&t, data, len, err);
	if (!PqThriftReadStruct(&t, page_header_field, h, &seen))
		return PqSetError(err, PQ_ERR_CORRUPT, "corrupt page header");
	if ((seen & 0xe) != 0xe)
		return PqSetError(err, PQ_ERR_CORRUPT, "page header lacks required fields");
	if (h->uncompressed_size < 0 || h->compressed_size < 0 || h->num_values < 0 ||
		h->num_nulls < 0 || h->num_rows < 0 || h->def_length < 0 || h->rep_length < 0)
		return PqSetError(err, PQ_ERR_CORRUPT, "page header has negative sizes");
	*header_len = (size_t) (t.p - data);
	return PQ_OK;
}

/* Name of an Encoding wire value, for messages and metadata functions. */
const char *
PqEncodingName(int32_t encoding)
{
	switch (encoding)
	{
		case PQ_ENC_PLAIN:
			return "PLAIN";
		case 1:
			return "GROUP_VAR_INT";
		case PQ_ENC_PLAIN_DICTIONARY:
			return "PLAIN_DICTIONARY";
		case PQ_ENC_RLE:
			return "RLE";
		case PQ_ENC_BIT_PACKED:
			return "BIT_PACKED";
		case PQ_ENC_DELTA_BINARY_PACKED:
			return "DELTA_BINARY_PACKED";
		case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
			return "DELTA_LENGTH_BYTE_ARRAY";
		case PQ_ENC_DELTA_BYTE_ARRAY:
			return "DELTA_BYTE_ARRAY";
		case PQ_ENC_RLE_DICTIONARY:
			return "RLE_DICTIONARY";
		case PQ_ENC_BYTE_STREAM_SPLIT:
			return "BYTE_STREAM_SPLIT";
	}
	return "UNKNOWN";
}
