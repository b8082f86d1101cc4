/*-------------------------------------------------------------------------
 *
 * column.c
 *	  Column chunk reader: pages to batches of levels and values.
 *
 * A PqColumnReader walks the pages of one column chunk held in memory
 * (the byte range PqColumnChunkMeta.range_offset/range_length).  A data
 * page is decompressed when it is reached, but decoded incrementally:
 * its repetition and definition levels a window of PQ_LEVEL_WINDOW slots
 * at a time (resumable RLE and BIT_PACKED decoders), and its non-null
 * values on demand, straight into the batch arrays (a PLAIN cursor, a
 * resumable dictionary index decoder, a BYTE_STREAM_SPLIT index).  Writers
 * such as DuckDB put a whole row group's column in one page, so decoding
 * pages whole would cost ~20 bytes per value of the row group; streaming
 * bounds decoded memory by the batch.  Only the DELTA_* encodings, whose
 * values cannot be located without decoding the ones before, are decoded
 * a page at a time.  PqColumnReadBatch() takes level slots until it has
 * the requested number of records; a record of a repeated column never
 * straddles two batches.
 *
 * Memory: the level window and batch arrays are reused; a decompressed
 * page buffer lives until the batch that last referenced it is replaced
 * (it is "retired" and freed at the next call), so byte views in a batch
 * stay valid for exactly one call.  Nothing is allocated per value.  Every
 * page size, and every count that sizes an allocation, is checked against
 * the page limit before allocating.  With release_chunks the reader owns
 * the chunk bytes and frees them once its last page is decompressed, so a
 * row group's compressed and decompressed bytes are not held together.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/column.c
 *
 *-------------------------------------------------------------------------
 */
#include "pq_internal.h"

/* Level slots decoded at a time: the page's levels are streamed through this window. */
#define PQ_LEVEL_WINDOW 4096

/* A resumable stream of repetition or definition levels. */
typedef struct LevelStream
{
	bool		bit_packed;		/* legacy BIT_PACKED, else RLE/bit-packed hybrid */
	PqRleDecoder rle;
	const uint8_t *data;		/* BIT_PACKED: the levels' bytes */
	size_t		len;
	int			bit_width;
	uint64_t	next;			/* BIT_PACKED: index of the next level */
} LevelStream;

/* How the present values of the current page are produced. */
typedef enum ValueKind
{
	VK_PLAIN,					/* PLAIN, cursor in plain */
	VK_DICT,					/* dictionary indices, decoder in rle */
	VK_RLE_BOOL,				/* RLE booleans, decoder in rle */
	VK_BSS,						/* BYTE_STREAM_SPLIT, next index in bss_next */
	VK_DECODED					/* DELTA_*: decoded whole into values */
} ValueKind;

struct PqPageState
{
	bool		loaded;			/* a data page is being read */
	int64_t		n_levels;		/* level slots of the page */
	int64_t		levels_read;	/* slots decoded into the window so far */
	int64_t		win_n;			/* slots in the window */
	int64_t		win_pos;		/* next slot of the window */
	LevelStream rep_s;
	LevelStream def_s;
	int16_t    *def;			/* the window, PQ_LEVEL_WINDOW slots */
	int16_t    *rep;
	size_t		def_cap;
	size_t		rep_cap;
	/* values, decoded on demand straight into the batch */
	ValueKind	kind;
	bool		dict_encoded;
	PqPlainCursor plain;
	PqRleDecoder rle;
	bool		rle_ready;		/* VK_DICT: bit width read and decoder set up */
	const uint8_t *vsrc;		/* values section of the page */
	size_t		vlen;
	uint64_t	bss_next;
	uint8_t    *values;			/* VK_DECODED: every present value of the page */
	size_t		values_cap;		/* in values */
	int64_t		n_values;
	int64_t		value_pos;
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
 * Frees the chunk bytes when the reader owns them (release_chunks).  The
 * position is kept: a released chunk has no pages left to read.
 */
static void
release_chunk(PqColumnReader *r)
{
	if (r->data_owned && r->data != NULL)
		PqFree(&r->allocator, (void *) r->data);
	r->data = NULL;
	r->data_owned = false;
}

/*
 * Returns the body of a page, decompressed if needed.  For UNCOMPRESSED
 * pages the body is a view into the chunk; otherwise a buffer of at least
 * uncompressed_size is allocated and returned in *owned.  Only data pages
 * (data_page) use and leave the spare buffer: a dictionary page, read
 * first, would take the spare of the previous chunk's data page and make
 * the data page allocate a second body of its size.
 */
static PqCode
page_body(PqColumnReader *r, const uint8_t *src, size_t src_len,
		  size_t uncompressed, bool compressed, bool data_page,
		  const uint8_t **out, void **owned, size_t *owned_cap, PqError *err)
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
	if (!data_page)
	{
		buf = PqAlloc(&r->allocator, cap);
		if (buf == NULL)
			return PqSetError(err, PQ_ERR_NOMEM, "out of memory for a page of %zu bytes", uncompressed);
	}
	else if (pg != NULL && pg->spare != NULL && pg->spare_cap >= cap)
	{
		buf = pg->spare;
		cap = pg->spare_cap;
		pg->spare = NULL;
		pg->spare_cap = 0;
	}
	else
	{
		/*
		 * A spare too small is freed first (nothing references it), so the
		 * reader never holds two bodies of a column's page size; a little
		 * slack lets the next row group's slightly larger page reuse this
		 * one.
		 */
		if (pg != NULL && pg->spare != NULL)
		{
			PqFree(&r->allocator, pg->spare);
			pg->spare = NULL;
			pg->spare_cap = 0;
		}
		if (cap < r->options.max_page_size)
			cap += cap / 32;
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
				   true, false, &body, &owned, &owned_cap, err);
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

/* Sets up the level stream s over an RLE/bit-packed hybrid section. */
static PqCode
level_stream_rle(LevelStream *s, const uint8_t *data, size_t len, int16_t max_level,
				 PqError *err)
{
	memset(s, 0, sizeof(*s));
	return PqRleInit(&s->rle, data, len, PqBitWidth((uint64_t) max_level), err);
}

/*
 * Sets up the level stream of a v1 page whose n levels start at *p, and
 * advances *p past them (their length is known without decoding them).
 */
static PqCode
level_stream_v1(int32_t encoding, const uint8_t **p, const uint8_t *end, int64_t n,
				int16_t max_level, LevelStream *s, PqError *err)
{
	int			bw = PqBitWidth((uint64_t) max_level);
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
		rc = level_stream_rle(s, *p, len, max_level, err);
		*p += len;
		return rc;
	}
	if (encoding == PQ_ENC_BIT_PACKED)
	{
		size_t		len = (size_t) (((uint64_t) n * (uint64_t) bw + 7) / 8);

		if (len > (size_t) (end - *p))
			return PqSetError(err, PQ_ERR_CORRUPT, "BIT_PACKED levels exceed the page");
		memset(s, 0, sizeof(*s));
		s->bit_packed = true;
		s->data = *p;
		s->len = len;
		s->bit_width = bw;
		*p += len;
		return PQ_OK;
	}
	return PqSetError(err, PQ_ERR_UNSUPPORTED, "level encoding %s is not supported",
					  PqEncodingName(encoding));
}

/* Decodes the next n levels of a stream. */
static PqCode
level_stream_next(LevelStream *s, int16_t *out, int64_t n, int16_t max_level,
				  PqError *err)
{
	PqCode		rc;

	if (!s->bit_packed)
		return PqRleDecodeLevels(&s->rle, out, n, max_level, err);
	rc = PqBitPackedDecodeLevelsAt(s->data, s->len, s->bit_width, s->next, out, n,
								   max_level, err);
	s->next += (uint64_t) n;
	return rc;
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

/*
 * The number of present values among the page's n slots, counted on a
 * copy of the definition level stream (which is left where it is).  Only
 * the DELTA_* encodings, decoded a page at a time, need it up front.
 */
static PqCode
count_page_values(PqColumnReader *r, int64_t n, int64_t *nv, PqError *err)
{
	LevelStream s = r->page->def_s;
	int16_t		buf[1024];
	int16_t		max_def = r->leaf->max_def;

	*nv = 0;
	if (max_def == 0)
	{
		*nv = n;
		return PQ_OK;
	}
	while (n > 0)
	{
		int64_t		k = n < 1024 ? n : 1024;
		PqCode		rc = level_stream_next(&s, buf, k, max_def, err);

		if (rc != PQ_OK)
			return rc;
		*nv += count_present(buf, k, max_def);
		n -= k;
	}
	return PQ_OK;
}

/*
 * Prepares the values section src[0..len) of a data page with n level
 * slots for decoding on demand.  Only the DELTA_* encodings, whose values
 * cannot be located without decoding the ones before, are decoded whole
 * here; every other encoding keeps a cursor and decodes per batch.
 */
static PqCode
start_values(PqColumnReader *r, int32_t encoding, const uint8_t *src, size_t len,
			 int64_t n, PqError *err)
{
	PqPageState *pg = r->page;
	PqPhysicalType type = r->leaf->physical_type;
	PqCode		rc;
	size_t		used;
	int64_t		nv;

	pg->dict_encoded = false;
	pg->rle_ready = false;
	pg->vsrc = src;
	pg->vlen = len;
	pg->n_values = pg->value_pos = 0;
	/* an encoding that does not apply to the physical type is "not supported" */
	switch (encoding)
	{
		case PQ_ENC_PLAIN:
			pg->kind = VK_PLAIN;
			pg->plain.p = src;
			pg->plain.end = src + len;
			pg->plain.bit = 0;
			return PQ_OK;
		case PQ_ENC_PLAIN_DICTIONARY:
		case PQ_ENC_RLE_DICTIONARY:
			if (!r->has_dict)
				return PqSetError(err, PQ_ERR_CORRUPT, "dictionary-encoded page without a dictionary");
			/* the bit width byte is read with the first value */
			pg->kind = VK_DICT;
			pg->dict_encoded = true;
			return PQ_OK;
		case PQ_ENC_RLE:
			{
				uint32_t	len32;

				if (type != PQ_BOOLEAN)
					break;
				if (len < 4 || (len32 = PqLoadU32(src)) > len - 4)
					return PqSetError(err, PQ_ERR_CORRUPT, "RLE boolean data truncated");
				pg->kind = VK_RLE_BOOL;
				return PqRleInit(&pg->rle, src + 4, len32, 1, err);
			}
		case PQ_ENC_BYTE_STREAM_SPLIT:
			pg->kind = VK_BSS;
			pg->bss_next = 0;
			/* checks the type and the length */
			return PqDecodeByteStreamSplitAt(type, r->leaf->type_length, src, len, 0, 0,
											 NULL, err);
		case PQ_ENC_DELTA_BINARY_PACKED:
		case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
		case PQ_ENC_DELTA_BYTE_ARRAY:
			if (encoding == PQ_ENC_DELTA_BINARY_PACKED ? (type != PQ_INT32 && type != PQ_INT64) :
				encoding == PQ_ENC_DELTA_LENGTH_BYTE_ARRAY ? type != PQ_BYTE_ARRAY :
				(type != PQ_BYTE_ARRAY && type != PQ_FIXED_LEN_BYTE_ARRAY))
				break;
			pg->kind = VK_DECODED;
			rc = count_page_values(r, n, &nv, err);
			if (rc == PQ_OK)
				rc = PqGrow(&r->allocator, (void **) &pg->values, &pg->values_cap,
							(size_t) nv + 1, r->value_size, err);
			if (rc != PQ_OK)
				return rc;
			if (encoding == PQ_ENC_DELTA_BINARY_PACKED)
				rc = PqDecodeDeltaBinaryPacked(src, len, nv, type == PQ_INT64, pg->values,
											   &used, err);
			else if (encoding == PQ_ENC_DELTA_LENGTH_BYTE_ARRAY)
				rc = PqDecodeDeltaLengthByteArray(&r->allocator, src, len, nv,
												  (PqByteView *) pg->values, &used, err);
			else
				rc = PqDecodeDeltaByteArray(&r->allocator, src, len, nv,
											type == PQ_FIXED_LEN_BYTE_ARRAY ? r->leaf->type_length : 0,
											r->options.max_page_size,
											(PqByteView *) pg->values,
											(uint8_t **) &pg->extra_buf, err);
			pg->n_values = nv;
			return rc;
		default:
			break;
	}
	return PqSetError(err, PQ_ERR_UNSUPPORTED, "encoding %s (%d) is not supported for %s",
					  PqEncodingName(encoding), encoding, PqPhysicalTypeName(type));
}

/*
 * Decodes the page's next n present values into out (typed like
 * PqBatch.values); idx receives dictionary indices (and is scratch space
 * for RLE booleans).
 */
static PqCode
next_values(PqColumnReader *r, int64_t n, uint8_t *out, int32_t *idx, PqError *err)
{
	PqPageState *pg = r->page;
	PqPhysicalType type = r->leaf->physical_type;
	PqCode		rc;
	int64_t		i;

	switch (pg->kind)
	{
		case VK_PLAIN:
			return PqDecodePlainNext(type, r->leaf->type_length, &pg->plain, n, out, err);
		case VK_DICT:
			if (!pg->rle_ready)
			{
				/* one byte of bit width, then the hybrid-encoded indices */
				if (pg->vlen < 1)
					return PqSetError(err, PQ_ERR_CORRUPT, "dictionary page data is empty");
				rc = PqRleInit(&pg->rle, pg->vsrc + 1, pg->vlen - 1, pg->vsrc[0], err);
				if (rc != PQ_OK)
					return rc;
				pg->rle_ready = true;
			}
			rc = PqRleDecode32(&pg->rle, (uint32_t *) idx, n, err);
			if (rc != PQ_OK)
				return rc;
			return PqDictGather(type, r->dict_values, r->dict_count, (const uint32_t *) idx,
								n, out, err);
		case VK_RLE_BOOL:
			rc = PqRleDecode32(&pg->rle, (uint32_t *) idx, n, err);
			for (i = 0; rc == PQ_OK && i < n; i++)
				out[i] = (uint8_t) idx[i];
			return rc;
		case VK_BSS:
			rc = PqDecodeByteStreamSplitAt(type, r->leaf->type_length, pg->vsrc, pg->vlen,
										   pg->bss_next, n, out, err);
			pg->bss_next += (uint64_t) n;
			return rc;
		case VK_DECODED:
			if (n > pg->n_values - pg->value_pos)
				return PqSetError(err, PQ_ERR_CORRUPT, "page has fewer values than its levels say");
			memcpy(out, pg->values + (size_t) pg->value_pos * r->value_size,
				   (size_t) n * r->value_size);
			pg->value_pos += n;
			return PQ_OK;
	}
	return PqSetError(err, PQ_ERR_INVALID, "no data page");
}

/* Decodes the page's next window of levels. */
static PqCode
fill_window(PqColumnReader *r, PqError *err)
{
	PqPageState *pg = r->page;
	const PqSchemaNode *leaf = r->leaf;
	int64_t		k = pg->n_levels - pg->levels_read;
	PqCode		rc = PQ_OK;

	if (k > PQ_LEVEL_WINDOW)
		k = PQ_LEVEL_WINDOW;
	if (leaf->max_rep > 0)
		rc = level_stream_next(&pg->rep_s, pg->rep, k, leaf->max_rep, err);
	if (rc == PQ_OK && leaf->max_def > 0)
		rc = level_stream_next(&pg->def_s, pg->def, k, leaf->max_def, err);
	if (rc != PQ_OK)
		return rc;
	pg->win_n = k;
	pg->win_pos = 0;
	pg->levels_read += k;
	return PQ_OK;
}

/*
 * Starts a data page (v1 or v2): decompresses its body if needed and sets
 * up the level and value streams; levels and values are decoded later, a
 * window and a batch at a time, so decoded memory does not grow with the
 * page.
 */
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

	/* RLE lets a few bytes declare millions of values: refuse absurd counts */
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
	/* the level window is allocated once */
	pg->loaded = false;
	if (leaf->max_def > 0)
		rc = PqGrow(&r->allocator, (void **) &pg->def, &pg->def_cap, PQ_LEVEL_WINDOW,
					sizeof(int16_t), err);
	if (rc == PQ_OK && leaf->max_rep > 0)
		rc = PqGrow(&r->allocator, (void **) &pg->rep, &pg->rep_cap, PQ_LEVEL_WINDOW,
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
					   true, true, &body, &owned, &owned_cap, err);
		if (rc != PQ_OK)
			return rc;
		pg->page_buf = owned;
		pg->page_buf_cap = owned_cap;
		p = body;
		end = body + h->uncompressed_size;
		if (leaf->max_rep > 0)
		{
			rc = level_stream_v1(h->rep_encoding, &p, end, n, leaf->max_rep, &pg->rep_s, err);
			if (rc != PQ_OK)
				return rc;
		}
		if (leaf->max_def > 0)
		{
			rc = level_stream_v1(h->def_encoding, &p, end, n, leaf->max_def, &pg->def_s, err);
			if (rc != PQ_OK)
				return rc;
		}
	}
	else
	{
		size_t		lev = (size_t) h->rep_length + (size_t) h->def_length;

		if (!h->has_v2_header)
			return PqSetError(err, PQ_ERR_CORRUPT, "data page v2 without its header");
		if (lev > (size_t) h->compressed_size || lev > (size_t) h->uncompressed_size)
			return PqSetError(err, PQ_ERR_CORRUPT, "data page v2 levels exceed the page");
		/* levels are never compressed in v2; they point into the chunk */
		if (leaf->max_rep > 0)
		{
			rc = level_stream_rle(&pg->rep_s, src, (size_t) h->rep_length, leaf->max_rep, err);
			if (rc != PQ_OK)
				return rc;
		}
		if (leaf->max_def > 0)
		{
			rc = level_stream_rle(&pg->def_s, src + h->rep_length, (size_t) h->def_length,
								  leaf->max_def, err);
			if (rc != PQ_OK)
				return rc;
		}
		rc = page_body(r, src + lev, (size_t) h->compressed_size - lev,
					   (size_t) h->uncompressed_size - lev, h->is_compressed, true,
					   &body, &owned, &owned_cap, err);
		if (rc != PQ_OK)
			return rc;
		pg->page_buf = owned;
		pg->page_buf_cap = owned_cap;
		p = body;
		end = body + ((size_t) h->uncompressed_size - lev);
	}

	rc = start_values(r, h->encoding, p, (size_t) (end - p), n, err);
	if (rc != PQ_OK)
		return rc;
	pg->n_levels = n;
	pg->levels_read = 0;
	rc = fill_window(r, err);
	if (rc != PQ_OK)
		return rc;
	/* a chunk must start a record; otherwise batches could not align rows */
	if (leaf->max_rep > 0 && r->values_seen == 0 && n > 0 && pg->rep[0] != 0)
		return PqSetError(err, PQ_ERR_CORRUPT, "column chunk starts inside a record");
	pg->loaded = true;
	r->values_seen += n;

	/*
	 * The chunk's last page, decompressed whole: if neither its levels (v2
	 * keeps them in the chunk) nor the dictionary point into the chunk, it
	 * is not needed any more.
	 */
	if (r->data_owned && r->pos >= r->data_len && h->type == PQ_PAGE_DATA &&
		pg->page_buf != NULL && (!r->has_dict || r->dict_buf != NULL))
		release_chunk(r);
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

	/* the previous chunk goes; the new one is ours from now on, even on failure */
	release_chunk(r);
	r->data = chunk;
	r->data_len = chunk_len;
	r->data_owned = r->options.release_chunks && chunk != NULL;
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
	pg->n_levels = pg->levels_read = pg->win_n = pg->win_pos = 0;
	pg->n_values = pg->value_pos = 0;
	PqFree(&r->allocator, r->dict_values);
	PqFree(&r->allocator, r->dict_buf);
	r->dict_values = NULL;
	r->dict_buf = NULL;
	r->has_dict = false;
	r->dict_count = 0;
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

	/*
	 * A reader that owns its chunk starts the first data page now, so that
	 * the chunk can go as soon as its last page is decompressed (see
	 * read_data_page) rather than at the first batch, when every other
	 * column's pages are decompressed too.
	 */
	if (rc == PQ_OK && r->data_owned)
	{
		bool		eof;

		rc = next_page(r, &eof, err);
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
	/*
	 * A flat column's batch never holds more slots than records asked for,
	 * so its arrays are sized exactly; a repeated column's grow with room.
	 */
	bool		flat = r->leaf->max_rep == 0;

	if (levels > r->out_cap_levels)
	{
		size_t		newcap = flat ? levels : levels + levels / 2 + 64;
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
		size_t		newcap = !flat ? values + values / 2 + 64 :
			values > r->out_cap_levels ? values : r->out_cap_levels;
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
 * Reads up to max_records records (rows) into *batch.  For a column that
 * is not repeated a record is one level slot; for a repeated column a
 * record runs from a repetition level 0 to the next, possibly across pages.
 * batch->n_records == 0 means the chunk is exhausted.  Levels come from the
 * page's level window, values are decoded straight into the batch arrays,
 * so the memory of a batch is proportional to the batch, not to the page.
 * The arrays are valid until the next call or Reset.
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
	PqCode		rc;

	PqErrorClear(err);
	memset(batch, 0, sizeof(*batch));
	if (pg == NULL || max_records <= 0)
		return pg == NULL ? PqSetError(err, PQ_ERR_INVALID, "column reader not initialized") : PQ_OK;
	free_retired(r);

	for (;;)
	{
		int64_t		take,
					left,
					nv;
		bool		done = false;

		if (pg->win_pos >= pg->win_n)
		{
			bool		eof;

			if (pg->loaded && pg->levels_read < pg->n_levels)
				rc = fill_window(r, err);
			else
			{
				/* a flat batch that is full needs no look-ahead */
				if (records >= max_records && leaf->max_rep == 0)
					break;
				pg->loaded = false;
				rc = next_page(r, &eof, err);
				if (rc == PQ_OK && eof)
					break;
			}
			if (rc != PQ_OK)
				return rc;
			continue;
		}
		/*
		 * How many of the window's remaining slots belong to the batch: for
		 * a flat column one slot is one record; for a repeated column a
		 * record ends where the next repetition level 0 starts one.
		 */
		left = pg->win_n - pg->win_pos;
		if (leaf->max_rep == 0)
		{
			take = max_records - records < left ? max_records - records : left;
			records += take;
			done = records >= max_records;
		}
		else
		{
			const int16_t *rep = pg->rep + pg->win_pos;

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
		/* values are dense: only the present slots carry one */
		nv = count_present(leaf->max_def > 0 ? pg->def + pg->win_pos : NULL, take, leaf->max_def);
		rc = reserve_output(r, (size_t) (n_lev + take), (size_t) (n_val + nv), err);
		if (rc != PQ_OK)
			return rc;
		if (leaf->max_def > 0)
			memcpy(r->out_def + n_lev, pg->def + pg->win_pos, (size_t) take * sizeof(int16_t));
		if (leaf->max_rep > 0)
			memcpy(r->out_rep + n_lev, pg->rep + pg->win_pos, (size_t) take * sizeof(int16_t));
		if (nv > 0)
		{
			rc = next_values(r, nv, r->out_values + (size_t) n_val * r->value_size,
							 r->out_idx + n_val, err);
			if (rc != PQ_OK)
				return rc;
			if (!pg->dict_encoded)
				all_dict = false;
		}
		pg->win_pos += take;
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
	batch->def_levels = leaf->max_def > 0 ? r->out_def : NULL;
	batch->rep_levels = leaf->max_rep > 0 ? r->out_rep : NULL;
	batch->values = r->out_values;
	batch->dict_indices = (all_dict && r->has_dict && n_val > 0) ? r->out_idx : NULL;
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
		PqFree(&a, pg->page_buf);
		PqFree(&a, pg->extra_buf);
		PqFree(&a, pg);
	}
	release_chunk(r);
	PqFree(&a, r->dict_values);
	PqFree(&a, r->dict_buf);
	PqFree(&a, r->out_def);
	PqFree(&a, r->out_rep);
	PqFree(&a, r->out_values);
	PqFree(&a, r->out_idx);
	memset(r, 0, sizeof(*r));
	r->allocator = a;
}
