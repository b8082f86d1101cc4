/*-------------------------------------------------------------------------
 *
 * encoding_rle.c
 *	  RLE / bit-packed hybrid decoding, legacy BIT_PACKED levels and the
 *	  bit-unpacking kernel shared with the delta decoder.
 *
 * The hybrid encoding (Encodings.md) is a sequence of runs, each headed by
 * a ULEB128 varint: an even header is an RLE run of header>>1 copies of a
 * value stored in ceil(bit_width / 8) bytes; an odd header is header>>1
 * groups of 8 values bit-packed LSB first.  It encodes definition and
 * repetition levels, dictionary indices and (rarely) booleans.
 *
 * Speed matters here: most columns are dictionary-encoded and most levels
 * are long RLE runs, so RLE runs are filled with a plain loop and
 * bit-packed runs are unpacked in bulk straight into the output with
 * 64-bit loads when enough input remains.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/encoding_rle.c
 *
 *-------------------------------------------------------------------------
 */
#include "pq_internal.h"

/* Number of bits needed to store max_value (0 for 0). */
int
PqBitWidth(uint64_t max_value)
{
	int			w = 0;

	while (max_value != 0)
	{
		w++;
		max_value >>= 1;
	}
	return w;
}

/*
 * Unpacks n values of bit_width (0..32) bits, packed LSB first, from in.
 * The caller guarantees ceil(n * bit_width / 8) readable bytes.  Values are
 * read with unaligned 64-bit loads while at least 8 bytes remain; the tail
 * goes through a zero-padded copy.
 */
void
PqUnpack32(const uint8_t *in, uint32_t *out, int64_t n, int bit_width)
{
	uint64_t	mask;
	size_t		nbytes;
	uint64_t	bit = 0;
	int64_t		i = 0;

	if (bit_width == 0)
	{
		memset(out, 0, (size_t) n * sizeof(uint32_t));
		return;
	}
	mask = bit_width == 32 ? 0xffffffffu : (((uint64_t) 1 << bit_width) - 1);
	nbytes = ((size_t) n * bit_width + 7) / 8;

	if (bit_width == 1)
	{
		/* booleans and single-bit levels: one byte gives eight values */
		for (; i + 8 <= n; i += 8)
		{
			uint8_t		b = in[i >> 3];

			out[i] = b & 1;
			out[i + 1] = (b >> 1) & 1;
			out[i + 2] = (b >> 2) & 1;
			out[i + 3] = (b >> 3) & 1;
			out[i + 4] = (b >> 4) & 1;
			out[i + 5] = (b >> 5) & 1;
			out[i + 6] = (b >> 6) & 1;
			out[i + 7] = (b >> 7) & 1;
		}
		for (; i < n; i++)
			out[i] = (in[i >> 3] >> (i & 7)) & 1;
		return;
	}

	/* fast path: a 64-bit window always covers shift (<8) + width (<=32) */
	for (; i < n; i++, bit += (uint64_t) bit_width)
	{
		size_t		byte = (size_t) (bit >> 3);

		if (byte + 8 > nbytes)
			break;
		out[i] = (uint32_t) ((PqLoadU64(in + byte) >> (bit & 7)) & mask);
	}
	if (i < n)
	{
		uint8_t		tail[16];
		size_t		start = (size_t) (bit >> 3);
		size_t		avail = nbytes - start;

		memset(tail, 0, sizeof(tail));
		memcpy(tail, in + start, avail);
		bit &= 7;
		for (; i < n; i++, bit += (uint64_t) bit_width)
			out[i] = (uint32_t) ((PqLoadU64(tail + (bit >> 3)) >> (bit & 7)) & mask);
	}
}

/*
 * Prepares a hybrid decoder over data[0..len) (no length prefix).  A
 * bit_width of 0 decodes zeros without reading input.
 */
PqCode
PqRleInit(PqRleDecoder *d, const uint8_t *data, size_t len, int bit_width,
		  PqError *err)
{
	if (bit_width < 0 || bit_width > 32)
		return PqSetError(err, PQ_ERR_CORRUPT, "invalid RLE bit width %d", bit_width);
	memset(d, 0, sizeof(*d));
	d->p = data;
	d->end = data + len;
	d->bit_width = bit_width;
	d->packed_buf_pos = 8;
	return PQ_OK;
}

/*
 * Reads the next run header.  A truncated bit-packed run is shortened to
 * the whole values available (some writers omit padding bytes), and a
 * value count that runs past the data is reported by the caller.
 */
static PqCode
next_run(PqRleDecoder *d, PqError *err)
{
	uint64_t	header = 0;
	int			shift = 0;

	for (;;)
	{
		uint8_t		b;

		if (d->p >= d->end)
			return PqSetError(err, PQ_ERR_CORRUPT, "RLE data ends before all values are decoded");
		if (shift > 35)
			return PqSetError(err, PQ_ERR_CORRUPT, "RLE run header too long");
		b = *d->p++;
		header |= (uint64_t) (b & 0x7f) << shift;
		shift += 7;
		if ((b & 0x80) == 0)
			break;
	}
	if (header & 1)
	{
		uint64_t	groups = header >> 1;
		uint64_t	avail = (uint64_t) (d->end - d->p);
		uint64_t	bytes = groups * (uint64_t) d->bit_width;

		if (bytes > avail)
		{
			groups = avail / (uint64_t) d->bit_width;
			bytes = groups * (uint64_t) d->bit_width;
			if (groups == 0)
				return PqSetError(err, PQ_ERR_CORRUPT, "truncated bit-packed run");
		}
		d->packed = d->p;
		d->packed_left = groups * 8;
		d->packed_buf_pos = 8;
		d->p += bytes;
	}
	else
	{
		int			nbytes = (d->bit_width + 7) / 8;
		uint32_t	v = 0;
		int			i;

		if (d->end - d->p < nbytes)
			return PqSetError(err, PQ_ERR_CORRUPT, "truncated RLE run");
		for (i = 0; i < nbytes; i++)
			v |= (uint32_t) d->p[i] << (8 * i);
		d->p += nbytes;
		if (d->bit_width < 32 && (v >> d->bit_width) != 0)
			return PqSetError(err, PQ_ERR_CORRUPT, "RLE value wider than its bit width");
		d->rle_left = header >> 1;
		d->rle_value = v;
	}
	return PQ_OK;
}

/*
 * Decodes the next n values as uint32.  Bulk bit-packed groups are
 * unpacked directly into out; partial groups go through packed_buf.
 */
PqCode
PqRleDecode32(PqRleDecoder *d, uint32_t *out, int64_t n, PqError *err)
{
	PqCode		rc;

	if (d->bit_width == 0)
	{
		memset(out, 0, (size_t) n * sizeof(uint32_t));
		return PQ_OK;
	}
	while (n > 0)
	{
		if (d->rle_left > 0)
		{
			int64_t		k = (uint64_t) n < d->rle_left ? n : (int64_t) d->rle_left;
			int64_t		i;
			uint32_t	v = d->rle_value;

			for (i = 0; i < k; i++)
				out[i] = v;
			out += k;
			n -= k;
			d->rle_left -= (uint64_t) k;
			continue;
		}
		if (d->packed_buf_pos < 8)
		{
			while (d->packed_buf_pos < 8 && n > 0)
			{
				*out++ = d->packed_buf[d->packed_buf_pos++];
				n--;
			}
			continue;
		}
		if (d->packed_left > 0)
		{
			int64_t		whole = (uint64_t) n < d->packed_left ? n : (int64_t) d->packed_left;

			whole &= ~(int64_t) 7;
			if (whole > 0)
			{
				PqUnpack32(d->packed, out, whole, d->bit_width);
				d->packed += (size_t) (whole / 8) * d->bit_width;
				d->packed_left -= (uint64_t) whole;
				out += whole;
				n -= whole;
			}
			else
			{
				/* fewer than 8 wanted: unpack one group into the buffer */
				PqUnpack32(d->packed, d->packed_buf, 8, d->bit_width);
				d->packed += d->bit_width;
				d->packed_left -= 8;
				d->packed_buf_pos = 0;
			}
			continue;
		}
		rc = next_run(d, err);
		if (rc != PQ_OK)
			return rc;
	}
	return PQ_OK;
}

/*
 * Decodes n levels (values <= max_level) into int16.  RLE runs, the
 * common case for levels, are filled without going through uint32.
 */
PqCode
PqRleDecodeLevels(PqRleDecoder *d, int16_t *out, int64_t n, int16_t max_level,
				  PqError *err)
{
	uint32_t	tmp[256];
	PqCode		rc;

	while (n > 0)
	{
		if (d->rle_left > 0 && d->bit_width > 0)
		{
			int64_t		k = (uint64_t) n < d->rle_left ? n : (int64_t) d->rle_left;
			int64_t		i;
			int16_t		v = (int16_t) d->rle_value;

			if (d->rle_value > (uint32_t) max_level)
				return PqSetError(err, PQ_ERR_CORRUPT, "level %u exceeds maximum %d",
								  d->rle_value, max_level);
			for (i = 0; i < k; i++)
				out[i] = v;
			out += k;
			n -= k;
			d->rle_left -= (uint64_t) k;
			continue;
		}
		if (d->packed_left == 0 && d->packed_buf_pos >= 8 && d->bit_width > 0)
		{
			rc = next_run(d, err);
			if (rc != PQ_OK)
				return rc;
			continue;
		}
		{
			int64_t		k = n < 256 ? n : 256;
			int64_t		i;
			uint32_t	bad = 0;

			/* stay within the current bit-packed run so RLE runs keep their fast path */
			if (d->bit_width > 0 && d->packed_buf_pos >= 8 && (uint64_t) k > d->packed_left)
				k = (int64_t) d->packed_left;
			rc = PqRleDecode32(d, tmp, k, err);
			if (rc != PQ_OK)
				return rc;
			for (i = 0; i < k; i++)
			{
				bad |= tmp[i] > (uint32_t) max_level;
				out[i] = (int16_t) tmp[i];
			}
			if (bad)
				return PqSetError(err, PQ_ERR_CORRUPT, "level exceeds maximum %d", max_level);
			out += k;
			n -= k;
		}
	}
	return PQ_OK;
}

/*
 * Deprecated BIT_PACKED levels (data page v1): values packed MSB first,
 * without run headers, in exactly ceil(n * bit_width / 8) bytes.
 */
PqCode
PqBitPackedDecodeLevels(const uint8_t *data, size_t len, int bit_width,
						int16_t *out, int64_t n, int16_t max_level,
						PqError *err)
{
	return PqBitPackedDecodeLevelsAt(data, len, bit_width, 0, out, n, max_level, err);
}

/* Levels first .. first + n - 1 of a BIT_PACKED level section. */
PqCode
PqBitPackedDecodeLevelsAt(const uint8_t *data, size_t len, int bit_width,
						  uint64_t first, int16_t *out, int64_t n,
						  int16_t max_level, PqError *err)
{
	uint64_t	bit;
	int64_t		i;

	if (bit_width < 0 || bit_width > 16)
		return PqSetError(err, PQ_ERR_CORRUPT, "invalid BIT_PACKED width %d", bit_width);
	if (first > (uint64_t) len * 8 ||
		((first + (uint64_t) n) * (uint64_t) bit_width + 7) / 8 > len)
		return PqSetError(err, PQ_ERR_CORRUPT, "BIT_PACKED levels truncated");
	bit = first * (uint64_t) bit_width;
	for (i = 0; i < n; i++)
	{
		uint32_t	v = 0;
		int			b;

		for (b = 0; b < bit_width; b++, bit++)
			v = (v << 1) | ((data[bit >> 3] >> (7 - (bit & 7))) & 1);
		if (v > (uint32_t) max_level)
			return PqSetError(err, PQ_ERR_CORRUPT, "level %u exceeds maximum %d", v, max_level);
		out[i] = (int16_t) v;
	}
	return PQ_OK;
}
