/*-------------------------------------------------------------------------
 *
 * encoding_plain.c
 *	  PLAIN and BYTE_STREAM_SPLIT value decoding.
 *
 * Decoders write n values into a caller-provided array whose element type
 * follows the physical type (see PqBatch in parquet.h).  Byte arrays are
 * returned as views into the source bytes, never copied.  Both encodings
 * also decode dictionary pages (PLAIN) and are checked against the bytes
 * available before anything is written.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/encoding_plain.c
 *
 *-------------------------------------------------------------------------
 */
#include "pq_internal.h"

/* Bytes per element of PqBatch.values for a physical type. */
size_t
PqValueSize(PqPhysicalType type)
{
	switch (type)
	{
		case PQ_BOOLEAN:
			return 1;
		case PQ_INT32:
		case PQ_FLOAT:
			return 4;
		case PQ_INT64:
		case PQ_DOUBLE:
			return 8;
		case PQ_INT96:
			return sizeof(PqInt96);
		case PQ_BYTE_ARRAY:
		case PQ_FIXED_LEN_BYTE_ARRAY:
			return sizeof(PqByteView);
		case PQ_GROUP:
			break;
	}
	return 0;
}

static PqCode
plain_short(PqError *err, int64_t n, const char *what)
{
	return PqSetError(err, PQ_ERR_CORRUPT, "PLAIN data too short for %lld %s values",
					  (long long) n, what);
}

/*
 * Decodes the next n PLAIN values at cursor c and advances it.  Fixed-width
 * types are copied (the file is little-endian like the hosts we build on);
 * BYTE_ARRAY values are length-prefixed and returned as views into the
 * data; BOOLEAN values are bits, so the cursor keeps a bit position.
 */
PqCode
PqDecodePlainNext(PqPhysicalType type, int32_t type_length, PqPlainCursor *c,
				  int64_t n, void *out, PqError *err)
{
	int64_t		i;
	size_t		len = (size_t) (c->end - c->p);

	if (n <= 0)
		return PQ_OK;
	switch (type)
	{
		case PQ_BOOLEAN:
			{
				uint8_t    *o = out;
				uint64_t	bit = c->bit;

				if ((bit + (uint64_t) n + 7) / 8 > len)
					return plain_short(err, n, "BOOLEAN");
				for (i = 0; i < n; i++, bit++)
					o[i] = (c->p[bit >> 3] >> (bit & 7)) & 1;
				c->bit = bit;
				return PQ_OK;
			}
		case PQ_INT32:
		case PQ_FLOAT:
		case PQ_INT64:
		case PQ_DOUBLE:
		case PQ_INT96:
			{
				size_t		w = PqValueSize(type);

				if ((uint64_t) n > len / w)
					return plain_short(err, n, PqPhysicalTypeName(type));
				memcpy(out, c->p, (size_t) n * w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "big-endian hosts are not supported by the Parquet reader"
#endif
				c->p += (size_t) n * w;
				return PQ_OK;
			}
		case PQ_BYTE_ARRAY:
			{
				PqByteView *o = out;
				const uint8_t *p = c->p;
				const uint8_t *end = c->end;

				for (i = 0; i < n; i++)
				{
					uint32_t	l;

					if (end - p < 4)
						return plain_short(err, n, "BYTE_ARRAY");
					l = PqLoadU32(p);
					p += 4;
					if (l > (size_t) (end - p))
						return PqSetError(err, PQ_ERR_CORRUPT,
										  "PLAIN BYTE_ARRAY value of %u bytes exceeds the page",
										  l);
					o[i].ptr = p;
					o[i].len = l;
					p += l;
				}
				c->p = p;
				return PQ_OK;
			}
		case PQ_FIXED_LEN_BYTE_ARRAY:
			{
				PqByteView *o = out;

				if (type_length <= 0 || (uint64_t) n > len / (size_t) type_length)
					return plain_short(err, n, "FIXED_LEN_BYTE_ARRAY");
				for (i = 0; i < n; i++)
				{
					o[i].ptr = c->p + (size_t) i * type_length;
					o[i].len = (uint32_t) type_length;
				}
				c->p += (size_t) n * (size_t) type_length;
				return PQ_OK;
			}
		case PQ_GROUP:
			break;
	}
	return PqSetError(err, PQ_ERR_INVALID, "PLAIN decode of a group");
}

/* Decodes n PLAIN values from src[0..len) (see PqDecodePlainNext). */
PqCode
PqDecodePlain(PqPhysicalType type, int32_t type_length, const uint8_t *src,
			  size_t len, int64_t n, void *out, PqError *err)
{
	PqPlainCursor c;

	c.p = src;
	c.end = src + len;
	c.bit = 0;
	return PqDecodePlainNext(type, type_length, &c, n, out, err);
}

/*
 * BYTE_STREAM_SPLIT: byte k of value i is at src[k * stride + i], where
 * stride = len / width is the number of values in the page.  Supported for
 * FLOAT, DOUBLE, INT32 and INT64.
 */
PqCode
PqDecodeByteStreamSplit(PqPhysicalType type, int32_t type_length,
						const uint8_t *src, size_t len, int64_t n,
						void *out, PqError *err)
{
	return PqDecodeByteStreamSplitAt(type, type_length, src, len, 0, n, out, err);
}

/* Values first .. first + n - 1 of a BYTE_STREAM_SPLIT section. */
PqCode
PqDecodeByteStreamSplitAt(PqPhysicalType type, int32_t type_length,
						  const uint8_t *src, size_t len, uint64_t first,
						  int64_t n, void *out, PqError *err)
{
	size_t		w;
	size_t		stride;
	uint8_t    *o = out;
	int64_t		i;
	size_t		k;

	if (type != PQ_FLOAT && type != PQ_DOUBLE && type != PQ_INT32 && type != PQ_INT64)
		return PqSetError(err, PQ_ERR_UNSUPPORTED,
						  "BYTE_STREAM_SPLIT is not supported for %s",
						  PqPhysicalTypeName(type));
	w = PqValueSize(type);
	if (len % w != 0)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "BYTE_STREAM_SPLIT data length %zu is not a multiple of %zu",
						  len, w);
	stride = len / w;
	if (first > stride || (uint64_t) n > stride - first)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "BYTE_STREAM_SPLIT data too short for %lld values",
						  (long long) ((int64_t) first + n));
	if (n <= 0)
		return PQ_OK;
	/* stream-major loop: sequential reads, strided writes within the batch */
	for (k = 0; k < w; k++)
	{
		const uint8_t *s = src + k * stride + first;
		uint8_t    *d = o + k;

		for (i = 0; i < n; i++)
			d[(size_t) i * w] = s[i];
	}
	return PQ_OK;
}
