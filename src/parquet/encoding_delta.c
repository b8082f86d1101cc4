/*-------------------------------------------------------------------------
 *
 * encoding_delta.c
 *	  DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY.
 *
 * DELTA_BINARY_PACKED: a header <block size> <miniblocks per block>
 * <total count> <first value (zigzag)>, then blocks of <min delta
 * (zigzag)> <one bit width byte per miniblock> <miniblocks bit-packed LSB
 * first>.  Arithmetic wraps (unsigned) in the column's width, as the
 * writers do.  The miniblock holding the last value is stored whole;
 * miniblocks after it are omitted, so the consumed size is known only
 * after decoding every value.
 *
 * DELTA_LENGTH_BYTE_ARRAY: DELTA_BINARY_PACKED lengths, then the values'
 * bytes back to back; values are views into the page.  DELTA_BYTE_ARRAY:
 * prefix lengths, then DELTA_LENGTH_BYTE_ARRAY suffixes; each value is a
 * prefix of the previous one plus its suffix, so values are rebuilt into
 * one buffer whose total size is computed and limited first.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/encoding_delta.c
 *
 *-------------------------------------------------------------------------
 */
#include "pq_internal.h"

/* Limits that keep a hostile header from requesting huge work per block. */
#define PQ_DELTA_MAX_BLOCK (1 << 16)
#define PQ_DELTA_MAX_MINIBLOCKS 512

typedef struct DeltaReader
{
	const uint8_t *p;
	const uint8_t *end;
	PqError    *err;
} DeltaReader;

static bool
delta_varint(DeltaReader *r, uint64_t *out)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < 10; i++)
	{
		uint8_t		b;

		if (r->p >= r->end)
		{
			PqSetError(r->err, PQ_ERR_CORRUPT, "DELTA_BINARY_PACKED data truncated");
			return false;
		}
		b = *r->p++;
		v |= (uint64_t) (b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0)
		{
			*out = v;
			return true;
		}
	}
	PqSetError(r->err, PQ_ERR_CORRUPT, "DELTA_BINARY_PACKED varint too long");
	return false;
}

static inline uint64_t
unzigzag(uint64_t v)
{
	return (v >> 1) ^ (~(v & 1) + 1);
}

/*
 * Reads bits [bit, bit + width) (width <= 64), LSB first, from
 * base[0..nbytes); bits past the end read as zero.
 */
static inline uint64_t
read_bits(const uint8_t *base, size_t nbytes, uint64_t bit, int width)
{
	size_t		byte = (size_t) (bit >> 3);
	int			shift = (int) (bit & 7);
	uint64_t	v;

	if (width == 0)
		return 0;
	if (byte + 9 <= nbytes)
	{
		v = PqLoadU64(base + byte) >> shift;
		if (shift != 0 && width + shift > 64)
			v |= (uint64_t) base[byte + 8] << (64 - shift);
	}
	else
	{
		int			k;

		/* near the end: gather byte by byte */
		v = 0;
		for (k = 0; k < 9 && byte + (size_t) k < nbytes; k++)
		{
			int			pos = k * 8 - shift;
			uint64_t	b = base[byte + k];

			if (pos < 0)
				v |= b >> (-pos);
			else if (pos < 64)
				v |= b << pos;
		}
	}
	if (width < 64)
		v &= ((uint64_t) 1 << width) - 1;
	return v;
}

/*
 * Decodes a DELTA_BINARY_PACKED stream of exactly n values into out
 * (int32_t or int64_t as is64 says) and sets *consumed to the bytes the
 * whole stream occupies.  Bit widths up to 64 are accepted for INT32 too:
 * some writers (DuckDB) compute INT32 deltas in 64 bits, and the result
 * is the same modulo 2^32.
 */
PqCode
PqDecodeDeltaBinaryPacked(const uint8_t *src, size_t len, int64_t n,
						  bool is64, void *out, size_t *consumed, PqError *err)
{
	DeltaReader r;
	uint64_t	block_size,
				miniblocks,
				total,
				first;
	uint64_t	per_mini;
	uint64_t	value;
	int64_t		i = 0;
	int32_t    *o32 = out;
	int64_t    *o64 = out;

	r.p = src;
	r.end = src + len;
	r.err = err;
	if (!delta_varint(&r, &block_size) || !delta_varint(&r, &miniblocks) ||
		!delta_varint(&r, &total) || !delta_varint(&r, &first))
		return PQ_ERR_CORRUPT;
	if (block_size == 0 || block_size > PQ_DELTA_MAX_BLOCK || miniblocks == 0 ||
		miniblocks > PQ_DELTA_MAX_MINIBLOCKS || block_size % miniblocks != 0 ||
		(block_size / miniblocks) % 8 != 0)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "invalid DELTA_BINARY_PACKED block size %llu / %llu miniblocks",
						  (unsigned long long) block_size, (unsigned long long) miniblocks);
	/* the stream holds exactly the page's non-null values */
	if (total != (uint64_t) n)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "DELTA_BINARY_PACKED holds %llu values, %lld expected",
						  (unsigned long long) total, (long long) n);
	per_mini = block_size / miniblocks;
	value = unzigzag(first);
	if (total > 0)
	{
		if (n > 0)
		{
			if (is64)
				o64[0] = (int64_t) value;
			else
				o32[0] = (int32_t) (uint32_t) value;
		}
		i = 1;
	}
	while ((uint64_t) i < total)
	{
		uint64_t	min_delta;
		const uint8_t *widths;
		uint64_t	m;

		if (!delta_varint(&r, &min_delta))
			return PQ_ERR_CORRUPT;
		min_delta = unzigzag(min_delta);
		if ((uint64_t) (r.end - r.p) < miniblocks)
			return PqSetError(err, PQ_ERR_CORRUPT, "DELTA_BINARY_PACKED block truncated");
		widths = r.p;
		r.p += miniblocks;
		for (m = 0; m < miniblocks && (uint64_t) i < total; m++)
		{
			int			w = widths[m];
			size_t		mbytes = (size_t) (per_mini * (uint64_t) w / 8);
			size_t		avail = (size_t) (r.end - r.p);
			uint64_t	j;
			uint64_t	bit = 0;

			if (w > 64)
				return PqSetError(err, PQ_ERR_CORRUPT,
								  "DELTA_BINARY_PACKED bit width %d too large", w);
			/* values of this miniblock that exist */
			j = total - (uint64_t) i < per_mini ? total - (uint64_t) i : per_mini;
			if (((uint64_t) j * (uint64_t) w + 7) / 8 > avail)
				return PqSetError(err, PQ_ERR_CORRUPT, "DELTA_BINARY_PACKED miniblock truncated");
			for (; j > 0; j--, i++, bit += (uint64_t) w)
			{
				uint64_t	delta = read_bits(r.p, avail, bit, w);

				value += min_delta + delta;
				if (i < n)
				{
					if (is64)
						o64[i] = (int64_t) value;
					else
						o32[i] = (int32_t) (uint32_t) value;
				}
			}
			/* the miniblock is stored whole, padding included */
			r.p += mbytes <= avail ? mbytes : avail;
		}
	}
	*consumed = (size_t) (r.p - src);
	return PQ_OK;
}

/*
 * DELTA_LENGTH_BYTE_ARRAY: n views into src.  *consumed is the bytes used
 * (lengths plus data).  Temporary length storage comes from a.
 */
PqCode
PqDecodeDeltaLengthByteArray(const PqAllocator *a, const uint8_t *src,
							 size_t len, int64_t n, PqByteView *out,
							 size_t *consumed, PqError *err)
{
	int32_t    *lens;
	size_t		used;
	const uint8_t *p;
	size_t		left;
	int64_t		i;
	PqCode		rc;

	if (n < 0 || (uint64_t) n > len * 8 + 8)
		return PqSetError(err, PQ_ERR_CORRUPT, "DELTA_LENGTH_BYTE_ARRAY count exceeds data");
	lens = PqAlloc(a, sizeof(int32_t) * (size_t) (n + 1));
	if (lens == NULL)
		return PqSetError(err, PQ_ERR_NOMEM, "out of memory");
	rc = PqDecodeDeltaBinaryPacked(src, len, n, false, lens, &used, err);
	if (rc != PQ_OK)
	{
		PqFree(a, lens);
		return rc;
	}
	p = src + used;
	left = len - used;
	for (i = 0; i < n; i++)
	{
		if (lens[i] < 0 || (size_t) lens[i] > left)
		{
			int32_t		bad = lens[i];

			PqFree(a, lens);
			return PqSetError(err, PQ_ERR_CORRUPT,
							  "DELTA_LENGTH_BYTE_ARRAY length %d out of range", bad);
		}
		out[i].ptr = p;
		out[i].len = (uint32_t) lens[i];
		p += lens[i];
		left -= (size_t) lens[i];
	}
	PqFree(a, lens);
	*consumed = (size_t) (p - src);
	return PQ_OK;
}

/*
 * DELTA_BYTE_ARRAY (incremental encoding).  Values are rebuilt into a
 * buffer allocated from a and returned in *buffer (the caller frees it
 * when the views die).  The rebuilt size is bounded by max_out.  For
 * FIXED_LEN_BYTE_ARRAY, fixed_len > 0 and every value must have it.
 */
PqCode
PqDecodeDeltaByteArray(const PqAllocator *a, const uint8_t *src, size_t len,
					   int64_t n, int32_t fixed_len, size_t max_out,
					   PqByteView *out, uint8_t **buffer, PqError *err)
{
	int32_t    *prefix;
	size_t		used,
				used2;
	uint64_t	total = 0;
	uint64_t	prev_len = 0;
	uint8_t    *buf;
	uint8_t    *w;
	int64_t		i;
	PqCode		rc;

	*buffer = NULL;
	if (n < 0 || (uint64_t) n > len * 8 + 8)
		return PqSetError(err, PQ_ERR_CORRUPT, "DELTA_BYTE_ARRAY count exceeds data");
	prefix = PqAlloc(a, sizeof(int32_t) * (size_t) (n + 1));
	if (prefix == NULL)
		return PqSetError(err, PQ_ERR_NOMEM, "out of memory");
	rc = PqDecodeDeltaBinaryPacked(src, len, n, false, prefix, &used, err);
	if (rc == PQ_OK)
		rc = PqDecodeDeltaLengthByteArray(a, src + used, len - used, n, out, &used2, err);
	if (rc != PQ_OK)
	{
		PqFree(a, prefix);
		return rc;
	}
	/* size pass: check prefixes and bound the output */
	for (i = 0; i < n; i++)
	{
		uint64_t	l;

		if (prefix[i] < 0 || (uint64_t) prefix[i] > prev_len)
		{
			int32_t		bad = prefix[i];

			PqFree(a, prefix);
			return PqSetError(err, PQ_ERR_CORRUPT,
							  "DELTA_BYTE_ARRAY prefix %d longer than the previous value",
							  bad);
		}
		l = (uint64_t) prefix[i] + out[i].len;
		if (l > UINT32_MAX || (fixed_len > 0 && l != (uint64_t) fixed_len))
		{
			PqFree(a, prefix);
			return PqSetError(err, PQ_ERR_CORRUPT, "DELTA_BYTE_ARRAY value has a bad length");
		}
		total += l;
		if (total > max_out)
		{
			PqFree(a, prefix);
			return PqSetError(err, PQ_ERR_LIMIT,
							  "DELTA_BYTE_ARRAY page expands beyond %zu bytes", max_out);
		}
		prev_len = l;
	}
	buf = PqAlloc(a, (size_t) total + 1);
	if (buf == NULL)
	{
		PqFree(a, prefix);
		return PqSetError(err, PQ_ERR_NOMEM, "out of memory");
	}
	w = buf;
	for (i = 0; i < n; i++)
	{
		const uint8_t *suffix = out[i].ptr;
		uint32_t	slen = out[i].len;

		if (prefix[i] > 0)
			memcpy(w, out[i - 1].ptr, (size_t) prefix[i]);
		if (slen > 0)
			memcpy(w + prefix[i], suffix, slen);
		out[i].ptr = w;
		out[i].len = (uint32_t) prefix[i] + slen;
		w += out[i].len;
	}
	PqFree(a, prefix);
	*buffer = buf;
	return PQ_OK;
}
