/*-------------------------------------------------------------------------
 *
 * column.c
 *	  Column chunk reader: pages to batches of levels and values.
 *
 * A PqColumnReader walks the pages of one column chunk held in memory
 * (the byte range PqColumnChunkMeta.range_offset/range_length).  Each data
 * page is decoded whole when it is reached: its repetition and definition
 * levels into int16 arrays and its non-null values into a typed array
 * (byte arrays as views).  PqColumnReadBatch() then copies slices of the
 * current page(s) into the batch arrays until it has the requested number
 * of records; a record of a repeated column never straddles two batches.
 *
 * Memory: page arrays are reused from page to page; a decompressed page
 * buffer lives until the batch that last referenced it is replaced (it is
 * "retired" and freed at the next call), so byte views in a batch stay
 * valid for exactly one call.  Nothing is allocated per value.  Every page
 * size, and every count that sizes an allocation, is checked against the
 * page limit before allocating.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/column.c
 *
 *-------------------------------------------------------------------------
 */
#include "pq_internal.h"

struct PqPageState
{
	bool		loaded;			/* a data page is decoded into the arrays */
	int64_t		n_levels;
	int64_t		level_pos;
	int64_t		n_values;
	int64_t		value_pos;
	bool		dict_encoded;
	int16_t    *def;
	int16_t    *rep;
	size_t		def_cap;
	size_t		rep_cap;
	uint8_t    *values;
	size_t		values_cap;		/* in values */
	uint32_t   *idx;
	size_t		idx_cap;
	void	   *page_buf;		/* decompressed body, owned */
	size_t		page_buf_cap;
	void	   *extra_buf;		/* DELTA_BYTE_ARRAY values, owned */
	/* decompressed bodies still referenced by the batch, and one spare */
	void	  **old_bufs;
	size_t	   *old_caps;
	size_t		n_old;
	size_t		cap_old;
	void	   *spare;
	size_t		spare_cap;
};

/* Keeps buf alive until the next batch call (the batch may point into it). */
static PqCode
retire(PqColumnReader *r, void *buf, PqError *err)
{
	PqCode		rc;
	size_t		cap = (size_t) r->cap_retired;

	if (buf == NULL)
		return PQ_OK;
	rc = PqGrow(&r->allocator, (void **) &r->retired, &cap,
				(size_t) r->n_retired + 1, sizeof(void *), err);
	if (rc != PQ_OK)
	{
		PqFree(&r->allocator, buf);
		return rc;
	}
	r->cap_retired = (int) cap;
	r->retired[r->n_retired++] = buf;
	return PQ_OK;
}

/*
 * Keeps the current page's decompressed body alive for the batch being
 * built; it becomes reusable at the next call.
 */
static PqCode
retire_page_buf(PqColumnReader *r, PqError *err)
{
	PqPageState *pg = r->page;

	if (pg->page_buf == NULL)
		return PQ_OK;
	if (pg->n_old == pg->cap_old)
	{
		size_t		ncap = pg->cap_old ? pg->cap_old * 2 : 8;
		void	  **b = PqRealloc(&r->allocator, pg->old_bufs, ncap * sizeof(void *));
		size_t	   *c;

		if (b == NULL)
			return PqSetError(err, PQ_ERR_NOMEM, "out of memory");
		pg->old_bufs = b;
		c = PqRealloc(&r->allocator, pg->old_caps, ncap * sizeof(size_t));
		if (c == NULL)
			return PqSetError(err, PQ_ERR_NOMEM, "out of memory");
		pg->old_caps = c;
		pg->cap_old = ncap;
	}
	pg->old_bufs[pg->n_old] = pg->page_buf;
	pg->old_caps[pg->n_old++] = pg->page_buf_cap;
	pg->page_buf = NULL;
	pg->page_buf_cap = 0;
	return PQ_OK;
}

/*
 * Frees what the previous batch referenced.  The largest decompressed
 * body is kept as a spare for the next page, so steady-state reading does
 * not allocate (and, with glibc, does not mmap and fault in) a buffer per
 * page.
 */
static void
free_retired(PqColumnReader *r)
{
	PqPageState *pg = r->page;
	int			i;
	size_t		k;

	for (i = 0; i < r->n_retired; i++)
		PqFree(&r->allocator, r->retired[i]);
	r->n_retired = 0;
	if (pg == NULL)
		return;
	for (k = 0; k < pg->n_old; k++)
	{
		if (pg->spare == NULL || pg->old_caps[k] > pg->spare_cap)
		{
			PqFree(&r->allocator, pg->spare);
			pg->spare = pg->old_bufs[k];
			pg->spare_cap = pg->old_caps[k];
		}
		else
			PqFree(&r->allocator, pg->old_bufs[k]);
	}
	pg->n_old = 0;
}

/*
 * Returns the body of a page, decompressed if needed.  For UNCOMPRESSED
 * pages the body is a view into the chunk; otherwise a buffer of exactly
 * uncompressed_size is allocated and returned in *owned.
 */
static PqCode
page_body(PqColumnReader *r, const uint8_t *src, size_t src_len,
		  size_t uncompressed, bool compressed, const uint8_t **out,
		  void **owned, size_t *owned_cap, PqError *err)
{
	PqPageState *pg = r->page;
	uint8_t    *buf;
	size_t		cap = uncompressed + 8;
	PqCode		rc;

	*owned = NULL;
	*owned_cap = 0;
	if (!compressed || r->meta->codec == PQ_CODEC_UNCOMPRESSED)
	{
		if (src_len != uncompressed)
			return PqSetError(err, PQ_ERR_CORRUPT,
							  "uncompressed page of %zu bytes declares %zu", src_len, uncompressed);
		*out = src;
		return PQ_OK;
	}
	if (!PqCodecSupported(r->meta->codec))
		return PqSetError(err, PQ_ERR_UNSUPPORTED,
						  "compression codec %s (%d) is not supported",
						  PqCodecName(r->meta->codec), (int) r->meta->codec);
	if (pg != NULL && pg->spare != NULL && pg->spare_cap >= cap)
	{
		buf = pg->spare;
		cap = pg->spare_cap;
		pg->spare = NULL;
		pg->spare_cap = 0;
	}
	else
	{
		buf = PqAlloc(&r->allocator, cap);
		if (buf == NULL)
			return PqSetError(err, PQ_ERR_NOMEM, "out of memory for a page of %zu bytes", uncompressed);
	}
	rc = PqDecompress(r->meta->codec, src, src_len, buf, uncompressed, err);
	if (rc != PQ_OK)
	{
		PqFree(&r->allocator, buf);
		return rc;
	}
	*out = buf;
	*owned = buf;
	*owned_cap = cap;
	return PQ_OK;
}

/*
 * Largest number of values (level slots) a page may declare, and a batch
 * may hold.  RLE lets a few bytes declare millions of values, so the count
 * is bounded separately from the byte size: at 16 bytes per decoded value
 * plus levels and indices, the arrays of one page stay within about 1.5x
 * max_page_size.  The default limit allows 16M values per page.
 */
static int64_t
max_page_values(const PqColumnReader *r)
{
	return (int64_t) (r->options.max_page_size / 16) + 4096;
}

/* Decodes the dictionary page whose header is h and body src. */
static PqCode
read_dictionary(PqColumnReader *r, const PqPageHeader *h, const uint8_t *src,
				PqError *err)
{
	const uint8_t *body;
	void	   *owned;
	size_t		owned_cap;
	PqCode		rc;
	size_t		vs = r->value_size;

	if (r->has_dict)
		return PqSetError(err, PQ_ERR_CORRUPT, "column chunk has two dictionary pages");
	if (r->values_seen > 0)
		return PqSetError(err, PQ_ERR_CORRUPT, "dictionary page after data pages");
	if (!h->has_dict_header)
		return PqSetError(err, PQ_ERR_CORRUPT, "dictionary page without its header");
	if (h->encoding != PQ_ENC_PLAIN && h->encoding != PQ_ENC_PLAIN_DICTIONARY)
		return PqSetError(err, PQ_ERR_UNSUPPORTED, "dictionary page encoding %s is not supported",
						  PqEncodingName(h->encoding));
	if (h->num_values > max_page_values(r))
		return PqSetError(err, PQ_ERR_LIMIT, "dictionary of %d entries exceeds the page limit",
						  h->num_values);
	rc = page_body(r, src, (size_t) h->compressed_size, (size_t) h->uncompressed_size,
				   true, &body, &owned, &owned_cap, err);
	if (rc != PQ_OK)
		return rc;
	r->dict_buf = owned;
	r->dict_values = PqAlloc(&r->allocator, vs * (size_t) (h->num_values + 1));
	if (r->dict_values == NULL)
		return PqSetError(err, PQ_ERR_NOMEM, "out of memory for a dictionary");
	rc = PqDecodePlain(r->leaf->physical_type, r->leaf->type_length, body,
					   (size_t) h->uncompressed_size, h->num_values, r->dict_values, err);
	if (rc != PQ_OK)
		return rc;
	r->dict_count = h->num_values;
	r->has_dict = true;
	return PQ_OK;
}

/* Decodes one level stream of a v1 page; advances *p past it. */
static PqCode
read_levels_v1(PqColumnReader *r, int32_t encoding, const uint8_t **p,
			   const uint8_t *end, int64_t n, int16_t max_level, int16_t *out,
			   PqError *err)
{
	int			bw = PqBitWidth((uint64_t) max_level);
	PqRleDecoder d;
	PqCode		rc;

	if (encoding == PQ_ENC_RLE)
	{
		uint32_t	len;

		if (end - *p < 4)
			return PqSetError(err, PQ_ERR_CORRUPT, "page too short for its levels");
		len = PqLoadU32(*p);
		*p += 4;
		if (len > (size_t) (end - *p))
			return PqSetError(err, PQ_ERR_CORRUPT, "level data of %u bytes exceeds the page", len);
		rc = PqRleInit(&d, *p, len, bw, err);
		if (rc == PQ_OK)
			rc = PqRleDecodeLevels(&d, out, n, max_level, err);
		*p += len;
		return rc;
	}
	if (encoding == PQ_ENC_BIT_PACKED)
	{
		size_t		len = (size_t) (((uint64_t) n * (uint64_t) bw + 7) / 8);

		if (len > (size_t) (end - *p))
			return PqSetError(err, PQ_ERR_CORRUPT, "BIT_PACKED levels exceed the page");
		rc = PqBitPackedDecodeLevels(*p, len, bw, out, n, max_level, err);
		*p += len;
		return rc;
	}
	return PqSetError(err, PQ_ERR_UNSUPPORTED, "level encoding %s is not supported",
					  PqEncodingName(encoding));
}

/* Decodes the n non-null values of a data page from src[0..len). */
static PqCode
read_values(PqColumnReader *r, int32_t encoding, const uint8_t *src, size_t len,
			int64_t n, PqError *err)
{
	PqPageState *pg = r->page;
	PqPhysicalType type = r->leaf->physical_type;
	PqCode		rc;
	size_t		used;

	rc = PqGrow(&r->allocator, (void **) &pg->values, &pg->values_cap,
				(size_t) n + 1, r->value_size, err);
	if (rc != PQ_OK)
		return rc;
	pg->dict_encoded = false;
	/*
	 * Every encoding decodes the page's n present values at once into
	 * pg->values; an encoding that does not apply to the physical type
	 * falls through to "not supported".
	 */
	switch (encoding)
	{
		case PQ_ENC_PLAIN:
			return PqDecodePlain(type, r->leaf->type_length, src, len, n, pg->values, err);
		case PQ_ENC_PLAIN_DICTIONARY:
		case PQ_ENC_RLE_DICTIONARY:
			{
				PqRleDecoder d;

				if (!r->has_dict)
					return PqSetError(err, PQ_ERR_CORRUPT, "dictionary-encoded page without a dictionary");
				if (n == 0)
					return PQ_OK;
				if (len < 1)
					return PqSetError(err, PQ_ERR_CORRUPT, "dictionary page data is empty");
				/* one byte of bit width, then the hybrid-encoded indices */
				rc = PqGrow(&r->allocator, (void **) &pg->idx, &pg->idx_cap,
							(size_t) n + 1, sizeof(uint32_t), err);
				if (rc == PQ_OK)
					rc = PqRleInit(&d, src + 1, len - 1, src[0], err);
				if (rc == PQ_OK)
					rc = PqRleDecode32(&d, pg->idx, n, err);
				if (rc == PQ_OK)
					rc = PqDictGather(type, r->dict_values, r->dict_count, pg->idx, n,
									  pg->values, err);
				pg->dict_encoded = (rc == PQ_OK);
				return rc;
			}
		case PQ_ENC_RLE:
			{
				PqRleDecoder d;
				uint32_t	len32;
				int64_t		i;

				if (type != PQ_BOOLEAN)
					break;
				if (len < 4 || (len32 = PqLoadU32(src)) > len - 4)
					return PqSetError(err, PQ_ERR_CORRUPT, "RLE boolean data truncated");
				rc = PqGrow(&r->allocator, (void **) &pg->idx, &pg->idx_cap,
							(size_t) n + 1, sizeof(uint32_t), err);
				if (rc == PQ_OK)
					rc = PqRleInit(&d, src + 4, len32, 1, err);
				if (rc == PQ_OK)
					rc = PqRleDecode32(&d, pg->idx, n, err);
				for (i = 0; rc == PQ_OK && i < n; i++)
					pg->values[i] = (uint8_t) pg->idx[i];
				return rc;
			}
		case PQ_ENC_DELTA_BINARY_PACKED:
			if (type != PQ_INT32 && type != PQ_INT64)
				break;
			return PqDecodeDeltaBinaryPacked(src, len, n, type == PQ_INT64, pg->values,
											 &used, err);
		case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
			if (type != PQ_BYTE_ARRAY)
				break;
			return PqDecodeDeltaLengthByteArray(&r->allocator, src, len, n,
												(PqByteView *) pg->values, &used, err);
		case PQ_ENC_DELTA_BYTE_ARRAY:
			if (type != PQ_BYTE_ARRAY && type != PQ_FIXED_LEN_BYTE_ARRAY)
				break;
			return PqDecodeDeltaByteArray(&r->allocator, src, len, n,
										  type == PQ_FIXED_LEN_BYTE_ARRAY ? r->leaf->type_length : 0,
										  r->options.max_page_size,
										  (PqByteView *) pg->values,
										  (uint8_t **) &pg->extra_buf, err);
		case PQ_ENC_BYTE_STREAM_SPLIT:
			return PqDecodeByteStreamSplit(type, r->leaf->type_length, src, len, n,
										   pg->values, err);
		default:
			break;
	}
	return PqSetError(err, PQ_ERR_UNSUPPORTED, "encoding %s (%d) is not supported for %s",
					  PqEncodingName(encoding), encoding, PqPhysicalTypeName(type));
}

/* Counts slots whose definition level says a value is present. */
static int64_t
count_present(const int16_t *def, int64_t n, int16_t max_def)
{
	int64_t		c = 0;
	int64_t		i;

	if (def == NULL)
		return n;
	for (i = 0; i < n; i++)
		c += def[i] == max_def;
	return c;
}

/* Decodes a data page (v1 or v2) into the page state. */
static PqCode
read_data_page(PqColumnReader *r, const PqPageHeader *h, const uint8_t *src,
			   PqError *err)
{
	PqPageState *pg = r->page;
	const PqSchemaNode *leaf = r->leaf;
	int64_t		n = h->num_values;
	const uint8_t *body;
	const uint8_t *p;
	const uint8_t *end;
	void	   *owned = NULL;
	size_t		owned_cap = 0;
	PqCode		rc;
	int64_t		nv;

	/*
	 * Refuse absurd value counts before sizing any array by them: the
	 * levels below are decoded for all n slots at once.
	 */
	if (n > max_page_values(r))
		return PqSetError(err, PQ_ERR_LIMIT, "page of %lld values exceeds the page limit",
						  (long long) n);
	/* the previous page's buffers may still be referenced by the batch */
	rc = retire_page_buf(r, err);
	if (rc == PQ_OK && pg->extra_buf)
		rc = retire(r, pg->extra_buf, err);
	pg->extra_buf = NULL;
	if (rc != PQ_OK)
		return rc;
	/* level arrays are reused from page to page and only ever grow */
	pg->loaded = false;
	if (leaf->max_def > 0)
		rc = PqGrow(&r->allocator, (void **) &pg->def, &pg->def_cap, (size_t) n + 1,
					sizeof(int16_t), err);
	if (rc == PQ_OK && leaf->max_rep > 0)
		rc = PqGrow(&r->allocator, (void **) &pg->rep, &pg->rep_cap, (size_t) n + 1,
					sizeof(int16_t), err);
	if (rc != PQ_OK)
		return rc;

	/*
	 * v1: the whole body is compressed, and holds repetition levels, then
	 * definition levels, then values.  v2: the levels come first,
	 * uncompressed and with their lengths in the header; only the values
	 * section may be compressed.
	 */
	if (h->type == PQ_PAGE_DATA)
	{
		if (!h->has_data_header)
			return PqSetError(err, PQ_ERR_CORRUPT, "data page without its header");
		rc = page_body(r, src, (size_t) h->compressed_size, (size_t) h->uncompressed_size,
					   true, &body, &owned, &owned_cap, err);
		if (rc != PQ_OK)
			return rc;
		pg->page_buf = owned;
		pg->page_buf_cap = owned_cap;
		p = body;
		end = body + h->uncompressed_size;
		if (leaf->max_rep > 0)
		{
			rc = read_levels_v1(r, h->rep_encoding, &p, end, n, leaf->max_rep, pg->rep, err);
			if (rc != PQ_OK)
				return rc;
		}
		if (leaf->max_def > 0)
		{
			rc = read_levels_v1(r, h->def_encoding, &p, end, n, leaf->max_def, pg->def, err);
			if (rc != PQ_OK)
				return rc;
		}
	}
	else
	{
		size_t		lev = (size_t) h->rep_length + (size_t) h->def_length;
		PqRleDecoder d;

		if (!h->has_v2_header)
			return PqSetError(err, PQ_ERR_CORRUPT, "data page v2 without its header");
		if (lev > (size_t) h->compressed_size || lev > (size_t) h->uncompressed_size)
			return PqSetError(err, PQ_ERR_CORRUPT, "data page v2 levels exceed the page");
		/* levels are never compressed in v2 */
		if (leaf->max_rep > 0)
		{
			rc = PqRleInit(&d, src, (size_t) h->rep_length, PqBitWidth((uint64_t) leaf->max_rep), err);
			if (rc == PQ_OK)
				rc = PqRleDecodeLevels(&d, pg->rep, n, leaf->max_rep, err);
			if (rc != PQ_OK)
				return rc;
		}
		if (leaf->max_def > 0)
		{
			rc = PqRleInit(&d, src + h->rep_length, (size_t) h->def_length,
						   PqBitWidth((uint64_t) leaf->max_def), err);
			if (rc == PQ_OK)
				rc = PqRleDecodeLevels(&d, pg->def, n, leaf->max_def, err);
			if (rc != PQ_OK)
				return rc;
		}
		rc = page_body(r, src + lev, (size_t) h->compressed_size - lev,
					   (size_t) h->uncompressed_size - lev, h->is_compressed,
					   &body, &owned, &owned_cap, err);
		if (rc != PQ_OK)
			return rc;
		pg->page_buf = owned;
		pg->page_buf_cap = owned_cap;
		p = body;
		end = body + ((size_t) h->uncompressed_size - lev);
	}

	/* a chunk must start a record; otherwise batches could not align rows */
	if (leaf->max_rep > 0 && r->values_seen == 0 && n > 0 && pg->rep[0] != 0)
		return PqSetError(err, PQ_ERR_CORRUPT, "column chunk starts inside a record");
	/* only slots at the maximum definition level carry a value */
	nv = count_present(leaf->max_def > 0 ? pg->def : NULL, n, leaf->max_def);
	rc = read_values(r, h->encoding, p, (size_t) (end - p), nv, err);
	if (rc != PQ_OK)
		return rc;
	pg->n_levels = n;
	pg->level_pos = 0;
	pg->n_values = nv;
	pg->value_pos = 0;
	pg->loaded = true;
	r->values_seen += n;
	return PQ_OK;
}

/*
 * Advances to the next data page, handling dictionary and index pages on
 * the way.  Sets *eof when the chunk has no more pages.
 */
static PqCode
next_page(PqColumnReader *r, bool *eof, PqError *err)
{
	*eof = false;
	for (;;)
	{
		PqPageHeader h;
		size_t		hlen;
		const uint8_t *body;
		PqCode		rc;

		if (r->pos >= r->data_len)
		{
			*eof = true;
			return PQ_OK;
		}
		/* every size is checked against the chunk and the limit before use */
		rc = PqPageHeaderDecode(r->data + r->pos, r->data_len - r->pos, &h, &hlen, err);
		if (rc != PQ_OK)
			return rc;
		if ((size_t) h.compressed_size > r->data_len - r->pos - hlen)
			return PqSetError(err, PQ_ERR_CORRUPT,
							  "page of %d bytes exceeds the column chunk", h.compressed_size);
		if ((size_t) h.compressed_size > r->options.max_page_size ||
			(size_t) h.uncompressed_size > r->options.max_page_size)
			return PqSetError(err, PQ_ERR_LIMIT,
							  "page of %d bytes (%d uncompressed) exceeds the page size limit of %zu bytes",
							  h.compressed_size, h.uncompressed_size, r->options.max_page_size);
		body = r->data + r->pos + hlen;
		r->pos += hlen + (size_t) h.compressed_size;
		switch (h.type)
		{
			case PQ_PAGE_DICTIONARY:
				rc = read_dictionary(r, &h, body, err);
				if (rc != PQ_OK)
					return rc;
				break;
			case PQ_PAGE_DATA:
			case PQ_PAGE_DATA_V2:
				r->page_number++;
				return read_data_page(r, &h, body, err);
			default:
				/* index pages and unknown page types are skipped */
				break;
		}
	}
}

/*
 * Points the reader at a new chunk: positions, dictionary and page state
 * are cleared, buffers (page arrays, output arrays, the spare page buffer)
 * are kept.  A leading dictionary page is decoded here.
 */
static PqCode
start_chunk(PqColumnReader *r, const PqFile *file, int row_group,
			const uint8_t *chunk, size_t chunk_len, PqError *err)
{
	PqPageState *pg = r->page;
	int			leaf = r->leaf->leaf_index;
	PqCode		rc = PQ_OK;

	if (row_group < 0 || row_group >= file->num_row_groups ||
		(chunk == NULL && chunk_len > 0))
		return PqSetError(err, PQ_ERR_INVALID, "invalid column reader arguments");
	r->meta = &file->row_groups[row_group].columns[leaf];
	if ((int64_t) chunk_len != r->meta->range_length)
		return PqSetError(err, PQ_ERR_INVALID,
						  "column chunk \"%s\" is %lld bytes, %zu given",
						  r->leaf->path, (long long) r->meta->range_length, chunk_len);
	free_retired(r);
	if (pg->page_buf)
	{
		/* nothing can reference the old chunk's pages any more */
		rc = retire_page_buf(r, err);
		free_retired(r);
		if (rc != PQ_OK)
			return rc;
	}
	PqFree(&r->allocator, pg->extra_buf);
	pg->extra_buf = NULL;
	pg->loaded = false;
	pg->n_levels = pg->level_pos = pg->n_values = pg->value_pos = 0;
	PqFree(&r->allocator, r->dict_values);
	PqFree(&r->allocator, r->dict_buf);
	r->dict_values = NULL;
	r->dict_buf = NULL;
	r->has_dict = false;
	r->dict_count = 0;
	r->data = chunk;
	r->data_len = chunk_len;
	r->pos = 0;
	r->values_seen = 0;
	r->page_number = 0;

	/* decode a leading dictionary page now */
	if (chunk_len > 0)
	{
		PqPageHeader h;
		size_t		hlen;

		rc = PqPageHeaderDecode(chunk, chunk_len, &h, &hlen, err);
		if (rc == PQ_OK && h.type == PQ_PAGE_DICTIONARY)
		{
			if ((size_t) h.compressed_size > chunk_len - hlen)
				rc = PqSetError(err, PQ_ERR_CORRUPT, "dictionary page exceeds the column chunk");
			else if ((size_t) h.compressed_size > r->options.max_page_size ||
					 (size_t) h.uncompressed_size > r->options.max_page_size)
				rc = PqSetError(err, PQ_ERR_LIMIT, "dictionary page exceeds the page size limit");
			else
			{
				rc = read_dictionary(r, &h, chunk + hlen, err);
				r->pos = hlen + (size_t) h.compressed_size;
			}
		}
	}
	return rc;
}

/*
 * Opens a reader over the column chunk of leaf `leaf` in row group
 * `row_group`.  chunk must hold the chunk's byte range (range_offset,
 * range_length) and stay valid and unchanged while the reader is used:
 * values of uncompressed pages point into it.  opts may be NULL for
 * defaults, allocator NULL for malloc.  A leading dictionary page is
 * decoded here, so PqColumnDictionary() works right after Init.
 */
PqCode
PqColumnReaderInit(PqColumnReader *r, const PqFile *file, int row_group,
				   int leaf, const uint8_t *chunk, size_t chunk_len,
				   const PqReaderOptions *opts, const PqAllocator *allocator,
				   PqError *err)
{
	PqCode		rc;

	PqErrorClear(err);
	memset(r, 0, sizeof(*r));
	r->allocator = allocator ? *allocator : *PqDefaultAllocator();
	if (file == NULL || leaf < 0 || leaf >= file->num_leaves)
		return PqSetError(err, PQ_ERR_INVALID, "invalid column reader arguments");
	r->leaf = file->leaves[leaf];
	if (opts)
		r->options = *opts;
	else
		PqReaderOptionsInit(&r->options);
	if (r->options.max_page_size == 0)
		r->options.max_page_size = PQ_DEFAULT_MAX_PAGE_SIZE;
	r->value_size = PqValueSize(r->leaf->physical_type);
	r->page = PqAlloc(&r->allocator, sizeof(PqPageState));
	if (r->page == NULL)
		return PqSetError(err, PQ_ERR_NOMEM, "out of memory");
	memset(r->page, 0, sizeof(PqPageState));
	rc = start_chunk(r, file, row_group, chunk, chunk_len, err);
	if (rc != PQ_OK)
		PqColumnReaderReset(r);
	return rc;
}

/*
 * Re-targets an initialized reader to the same leaf's chunk in another
 * row group, keeping its buffers, so reading row group after row group
 * allocates (and faults in) almost nothing.  Batches from the previous
 * chunk become invalid.  On failure the reader is Reset.
 */
PqCode
PqColumnReaderReinit(PqColumnReader *r, const PqFile *file, int row_group,
					 const uint8_t *chunk, size_t chunk_len, PqError *err)
{
	PqCode		rc;

	PqErrorClear(err);
	if (r->page == NULL || file == NULL)
		return PqSetError(err, PQ_ERR_INVALID, "column reader not initialized");
	rc = start_chunk(r, file, row_group, chunk, chunk_len, err);
	if (rc != PQ_OK)
		PqColumnReaderReset(r);
	return rc;
}

/*
 * Returns the decoded dictionary (typed like PqBatch.values) or a NULL
 * pointer and zero count when the chunk has none.  Valid until Reset.
 */
PqCode
PqColumnDictionary(PqColumnReader *r, const void **values, int64_t *count,
				   PqError *err)
{
	PqErrorClear(err);
	*values = r->has_dict ? r->dict_values : NULL;
	*count = r->has_dict ? r->dict_count : 0;
	return PQ_OK;
}

/* Makes the output arrays hold at least the given numbers of entries. */
static PqCode
reserve_output(PqColumnReader *r, size_t levels, size_t values, PqError *err)
{
	if (levels > r->out_cap_levels)
	{
		size_t		newcap = levels + levels / 2 + 64;
		int16_t    *p;

		if (r->leaf->max_def > 0)
		{
			p = PqRealloc(&r->allocator, r->out_def, newcap * sizeof(int16_t));
			if (p == NULL)
				return PqSetError(err, PQ_ERR_NOMEM, "out of memory");
			r->out_def = p;
		}
		if (r->leaf->max_rep > 0)
		{
			p = PqRealloc(&r->allocator, r->out_rep, newcap * sizeof(int16_t));
			if (p == NULL)
				return PqSetError(err, PQ_ERR_NOMEM, "out of memory");
			r->out_rep = p;
		}
		r->out_cap_levels = newcap;
	}
	if (values > r->out_cap_values || r->out_values == NULL)
	{
		size_t		newcap = values + values / 2 + 64;
		void	   *p;

		p = PqRealloc(&r->allocator, r->out_values, newcap * r->value_size);
		if (p == NULL)
			return PqSetError(err, PQ_ERR_NOMEM, "out of memory");
		r->out_values = p;
		p = PqRealloc(&r->allocator, r->out_idx, newcap * sizeof(int32_t));
		if (p == NULL)
			return PqSetError(err, PQ_ERR_NOMEM, "out of memory");
		r->out_idx = p;
		r->out_cap_values = newcap;
	}
	return PQ_OK;
}

/*
 * A slice of the current page, not yet copied: the first segment of a
 * batch is handed out in place when the batch ends inside the same page,
 * which is the common case and saves copying every level and value.
 */
typedef struct Segment
{
	bool		pending;
	bool		dict;
	const int16_t *def;
	const int16_t *rep;
	const uint8_t *values;
	const uint32_t *idx;
	int64_t		n_lev;
	int64_t		n_val;
} Segment;

/* Copies a pending in-place segment to the start of the output arrays. */
static PqCode
materialize(PqColumnReader *r, Segment *seg, PqError *err)
{
	PqCode		rc;

	if (!seg->pending)
		return PQ_OK;
	seg->pending = false;
	rc = reserve_output(r, (size_t) seg->n_lev, (size_t) seg->n_val, err);
	if (rc != PQ_OK)
		return rc;
	if (seg->def)
		memcpy(r->out_def, seg->def, (size_t) seg->n_lev * sizeof(int16_t));
	if (seg->rep)
		memcpy(r->out_rep, seg->rep, (size_t) seg->n_lev * sizeof(int16_t));
	memcpy(r->out_values, seg->values, (size_t) seg->n_val * r->value_size);
	if (seg->dict)
		memcpy(r->out_idx, seg->idx, (size_t) seg->n_val * sizeof(int32_t));
	return PQ_OK;
}

/*
 * Reads up to max_records records (rows) into *batch.  For a column that
 * is not repeated a record is one level slot; for a repeated column a
 * record runs from a repetition level 0 to the next, possibly across pages.
 * batch->n_records == 0 means the chunk is exhausted.  The batch's arrays
 * point into the reader (its output buffers, or the current page when the
 * batch lies within one page) and are valid until the next call or Reset.
 */
PqCode
PqColumnReadBatch(PqColumnReader *r, int64_t max_records, PqBatch *batch,
				  PqError *err)
{
	PqPageState *pg = r->page;
	const PqSchemaNode *leaf = r->leaf;
	int64_t		n_lev = 0,
				n_val = 0,
				records = 0;
	bool		all_dict = true;
	Segment		seg;
	PqCode		rc;

	PqErrorClear(err);
	memset(batch, 0, sizeof(*batch));
	memset(&seg, 0, sizeof(seg));
	if (pg == NULL || max_records <= 0)
		return pg == NULL ? PqSetError(err, PQ_ERR_INVALID, "column reader not initialized") : PQ_OK;
	free_retired(r);

	for (;;)
	{
		int64_t		take,
					left,
					nv;
		bool		done = false;

		if (!pg->loaded || pg->level_pos >= pg->n_levels)
		{
			bool		eof;

			/* a flat batch that is full needs no look-ahead */
			if (records >= max_records && leaf->max_rep == 0)
				break;
			/* the page arrays are about to be reused: copy what we point to */
			rc = materialize(r, &seg, err);
			if (rc == PQ_OK)
				rc = next_page(r, &eof, err);
			if (rc != PQ_OK)
				return rc;
			if (eof)
				break;
			continue;
		}
		/*
		 * How many of this page's remaining slots belong to the batch: for a
		 * flat column one slot is one record; for a repeated column a record
		 * ends where the next repetition level 0 starts one.
		 */
		left = pg->n_levels - pg->level_pos;
		if (leaf->max_rep == 0)
		{
			take = max_records - records < left ? max_records - records : left;
			records += take;
			done = records >= max_records;
		}
		else
		{
			const int16_t *rep = pg->rep + pg->level_pos;

			for (take = 0; take < left; take++)
			{
				if (rep[take] == 0)
				{
					if (records >= max_records)
					{
						done = true;
						break;
					}
					records++;
				}
			}
		}
		if (take == 0)
		{
			if (done)
				break;
			continue;
		}
		if (n_lev + take > max_page_values(r))
			return PqSetError(err, PQ_ERR_LIMIT,
							  "batch of %lld values exceeds the page size limit (one record too large?)",
							  (long long) (n_lev + take));
		/* values are dense: advance them by the present slots only */
		nv = count_present(leaf->max_def > 0 ? pg->def + pg->level_pos : NULL, take, leaf->max_def);
		if (nv > pg->n_values - pg->value_pos)
			return PqSetError(err, PQ_ERR_CORRUPT, "page has fewer values than its levels say");
		if (!pg->dict_encoded && nv > 0)
			all_dict = false;
		if (n_lev == 0)
		{
			/* first segment: reference the page in place */
			seg.pending = true;
			seg.dict = pg->dict_encoded;
			seg.def = leaf->max_def > 0 ? pg->def + pg->level_pos : NULL;
			seg.rep = leaf->max_rep > 0 ? pg->rep + pg->level_pos : NULL;
			seg.values = pg->values + (size_t) pg->value_pos * r->value_size;
			seg.idx = pg->dict_encoded ? pg->idx + pg->value_pos : NULL;
			seg.n_lev = take;
			seg.n_val = nv;
		}
		else
		{
			rc = materialize(r, &seg, err);
			if (rc == PQ_OK)
				rc = reserve_output(r, (size_t) (n_lev + take), (size_t) (n_val + nv), err);
			if (rc != PQ_OK)
				return rc;
			if (leaf->max_def > 0)
				memcpy(r->out_def + n_lev, pg->def + pg->level_pos, (size_t) take * sizeof(int16_t));
			if (leaf->max_rep > 0)
				memcpy(r->out_rep + n_lev, pg->rep + pg->level_pos, (size_t) take * sizeof(int16_t));
			memcpy(r->out_values + (size_t) n_val * r->value_size,
				   pg->values + (size_t) pg->value_pos * r->value_size,
				   (size_t) nv * r->value_size);
			if (pg->dict_encoded)
				memcpy(r->out_idx + n_val, pg->idx + pg->value_pos, (size_t) nv * sizeof(int32_t));
		}
		pg->level_pos += take;
		pg->value_pos += nv;
		n_lev += take;
		n_val += nv;
		if (done)
			break;
	}
	/*
	 * dict_indices is offered only when every value came from the
	 * dictionary, so a caller can trust it for the whole batch.
	 */
	batch->n_levels = n_lev;
	batch->n_values = n_val;
	batch->n_records = records;
	if (seg.pending)
	{
		batch->def_levels = seg.def;
		batch->rep_levels = seg.rep;
		batch->values = seg.values;
		batch->dict_indices = (seg.dict && r->has_dict && n_val > 0) ? (const int32_t *) seg.idx : NULL;
	}
	else
	{
		batch->def_levels = leaf->max_def > 0 ? r->out_def : NULL;
		batch->rep_levels = leaf->max_rep > 0 ? r->out_rep : NULL;
		batch->values = r->out_values;
		batch->dict_indices = (all_dict && r->has_dict && n_val > 0) ? r->out_idx : NULL;
	}
	return PQ_OK;
}

/* Frees everything the reader owns; the struct is left zeroed. */
void
PqColumnReaderReset(PqColumnReader *r)
{
	PqAllocator a = r->allocator;
	PqPageState *pg = r->page;

	if (a.free_fn == NULL)
		return;
	free_retired(r);
	PqFree(&a, r->retired);
	if (pg != NULL)
	{
		PqFree(&a, pg->spare);
		PqFree(&a, pg->old_bufs);
		PqFree(&a, pg->old_caps);
		PqFree(&a, pg->def);
		PqFree(&a, pg->rep);
		PqFree(&a, pg->values);
		PqFree(&a, pg->idx);
		PqFree(&a, pg->page_buf);
		PqFree(&a, pg->extra_buf);
		PqFree(&a, pg);
	}
	PqFree(&a, r->dict_values);
	PqFree(&a, r->dict_buf);
	PqFree(&a, r->out_def);
	PqFree(&a, r->out_rep);
	PqFree(&a, r->out_values);
	PqFree(&a, r->out_idx);
	memset(r, 0, sizeof(*r));
	r->allocator = a;
}
