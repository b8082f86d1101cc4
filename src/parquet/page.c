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
#include "pq_internal.h"

/* DataPageHeader (v1) */
static bool
decode_data_header(PqThrift *t, PqPageHeader *h)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;
	unsigned	seen = 0;

	if (!PqThriftStructBegin(t))
		return false;
	for (;;)
	{
		bool		ok;

		if (!PqThriftFieldHeader(t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		switch (id)
		{
			case 1:
				ok = PqThriftI32(t, type, &h->num_values);
				break;
			case 2:
				ok = PqThriftI32(t, type, &h->encoding);
				break;
			case 3:
				ok = PqThriftI32(t, type, &h->def_encoding);
				break;
			case 4:
				ok = PqThriftI32(t, type, &h->rep_encoding);
				break;
			default:
				ok = PqThriftSkip(t, type);
				break;
		}
		if (!ok)
			return false;
		if (id >= 1 && id <= 4)
			seen |= 1u << id;
	}
	PqThriftStructEnd(t);
	if (seen != 0x1e)
	{
		PqSetError(t->err, PQ_ERR_CORRUPT, "data page header lacks required fields");
		return false;
	}
	return true;
}

/* DictionaryPageHeader */
static bool
decode_dict_header(PqThrift *t, PqPageHeader *h)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;
	unsigned	seen = 0;

	if (!PqThriftStructBegin(t))
		return false;
	for (;;)
	{
		bool		ok;

		if (!PqThriftFieldHeader(t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		switch (id)
		{
			case 1:
				ok = PqThriftI32(t, type, &h->num_values);
				break;
			case 2:
				ok = PqThriftI32(t, type, &h->encoding);
				break;
			default:
				ok = PqThriftSkip(t, type);
				break;
		}
		if (!ok)
			return false;
		if (id >= 1 && id <= 2)
			seen |= 1u << id;
	}
	PqThriftStructEnd(t);
	if (seen != 0x6)
	{
		PqSetError(t->err, PQ_ERR_CORRUPT, "dictionary page header lacks required fields");
		return false;
	}
	return true;
}

/* DataPageHeaderV2 */
static bool
decode_v2_header(PqThrift *t, PqPageHeader *h)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;
	unsigned	seen = 0;

	h->is_compressed = true;	/* thrift default */
	if (!PqThriftStructBegin(t))
		return false;
	for (;;)
	{
		bool		ok;

		if (!PqThriftFieldHeader(t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		switch (id)
		{
			case 1:
				ok = PqThriftI32(t, type, &h->num_values);
				break;
			case 2:
				ok = PqThriftI32(t, type, &h->num_nulls);
				break;
			case 3:
				ok = PqThriftI32(t, type, &h->num_rows);
				break;
			case 4:
				ok = PqThriftI32(t, type, &h->encoding);
				break;
			case 5:
				ok = PqThriftI32(t, type, &h->def_length);
				break;
			case 6:
				ok = PqThriftI32(t, type, &h->rep_length);
				break;
			case 7:
				ok = PqThriftBool(t, type, &h->is_compressed);
				break;
			default:
				ok = PqThriftSkip(t, type);
				break;
		}
		if (!ok)
			return false;
		if (id >= 1 && id <= 6)
			seen |= 1u << id;
	}
	PqThriftStructEnd(t);
	if (seen != 0x7e)
	{
		PqSetError(t->err, PQ_ERR_CORRUPT, "data page v2 header lacks required fields");
		return false;
	}
	return true;
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
	int16_t		last = 0;
	int			type;
	int16_t		id;
	unsigned	seen = 0;

	memset(h, 0, sizeof(*h));
	h->type = -1;
	PqThriftInit(&t, data, len, err);
	if (!PqThriftStructBegin(&t))
		return PQ_ERR_CORRUPT;
	for (;;)
	{
		bool		ok;

		if (!PqThriftFieldHeader(&t, &last, &type, &id))
			return PqSetError(err, PQ_ERR_CORRUPT, "corrupt page header");
		if (type == PQ_TT_STOP)
			break;
		switch (id)
		{
			case 1:
				ok = PqThriftI32(&t, type, &h->type);
				break;
			case 2:
				ok = PqThriftI32(&t, type, &h->uncompressed_size);
				break;
			case 3:
				ok = PqThriftI32(&t, type, &h->compressed_size);
				break;
			case 5:
				ok = type == PQ_TT_STRUCT ? decode_data_header(&t, h) :
					PqThriftBadType(&t, "data_page_header");
				h->has_data_header = ok;
				break;
			case 7:
				ok = type == PQ_TT_STRUCT ? decode_dict_header(&t, h) :
					PqThriftBadType(&t, "dictionary_page_header");
				h->has_dict_header = ok;
				break;
			case 8:
				ok = type == PQ_TT_STRUCT ? decode_v2_header(&t, h) :
					PqThriftBadType(&t, "data_page_header_v2");
				h->has_v2_header = ok;
				break;
			default:
				ok = PqThriftSkip(&t, type);
				break;
		}
		if (!ok)
			return PqSetError(err, PQ_ERR_CORRUPT, "corrupt page header");
		if (id >= 1 && id <= 3)
			seen |= 1u << id;
	}
	PqThriftStructEnd(&t);
	if (seen != 0xe)
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
