/*-------------------------------------------------------------------------
 *
 * fuzz_parquet.c
 *	  libFuzzer target for the Parquet reader core.
 *
 * An input that starts with "PAR1" is decoded as a whole file through the
 * public API (footer, every row group and column, record assembly and the
 * conversion helpers; see test/unit/parquet/walk.c).  Any other input
 * drives one low-level decoder directly, chosen by its first byte, so the
 * fuzzer reaches the encodings without first having to build a valid
 * footer: page headers, RLE/bit-packed hybrid, levels, DELTA_* and PLAIN
 * decoders, and every codec.  Inputs starting with a byte 0xC0..0xCF are
 * column chunks: the rest is read, page after page, as the chunk of one
 * leaf (chosen by the next byte) of a real DuckDB footer embedded in
 * footers.h, with the codec chosen by the low bits of the first byte, so
 * page sequences (dictionary, v1, v2, index pages) get deep coverage.
 * Errors are expected; crashes, leaks,
 * sanitizer reports and unbounded allocations are bugs.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  test/fuzz/parquet/fuzz_parquet.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "footers.h"
#include "pq_internal.h"
#include "walk.h"

#define FUZZ_MAX_PAGE (16u * 1024 * 1024)

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decoders fed directly; the output arrays are sized for n values. */
static void
fuzz_decoder(uint8_t which, const uint8_t *p, size_t len)
{
	PqError		err;
	int64_t		n;
	void	   *out;
	size_t		used;
	uint8_t    *buf = NULL;

	if (len < 2)
		return;
	n = (int64_t) (p[0] | (p[1] & 0x0f) << 8);	/* up to 4095 values */
	p += 2;
	len -= 2;
	out = calloc((size_t) n + 1, 16);
	memset(&err, 0, sizeof(err));
	switch (which % 10)
	{
		case 0:
			{
				PqPageHeader h;

				PqPageHeaderDecode(p, len, &h, &used, &err);
				break;
			}
		case 1:
			{
				PqRleDecoder d;

				if (len > 0 && PqRleInit(&d, p + 1, len - 1, p[0] & 0x3f, &err) == PQ_OK)
					PqRleDecode32(&d, out, n, &err);
				break;
			}
		case 2:
			{
				PqRleDecoder d;

				if (len > 0 && PqRleInit(&d, p + 1, len - 1, p[0] & 7, &err) == PQ_OK)
					PqRleDecodeLevels(&d, out, n, (int16_t) (p[0] >> 3), &err);
				PqBitPackedDecodeLevels(p, len, which >> 4, out, n, 15, &err);
				break;
			}
		case 3:
			PqDecodeDeltaBinaryPacked(p, len, n, (which & 0x10) != 0, out, &used, &err);
			break;
		case 4:
			PqDecodeDeltaLengthByteArray(PqDefaultAllocator(), p, len, n, out, &used, &err);
			break;
		case 5:
			PqDecodeDeltaByteArray(PqDefaultAllocator(), p, len, n, (which >> 4) & 3,
								   1 << 20, out, &buf, &err);
			free(buf);
			break;
		case 6:
			PqDecodePlain((PqPhysicalType) ((which >> 4) & 7), 3, p, len, n, out, &err);
			break;
		case 7:
			PqDecodeByteStreamSplit((PqPhysicalType) ((which >> 4) & 7), 3, p, len, n, out, &err);
			break;
		case 8:
			{
				/* every codec, output sized from the input's first bytes */
				uint8_t    *dst = malloc((size_t) n * 16 + 1);

				PqDecompress((PqCodec) ((which >> 4) & 7), p, len, dst, (size_t) n * 16, &err);
				free(dst);
				break;
			}
		case 9:
			{
				PqFile		f;

				PqFooterDecode(&f, p, len, (uint64_t) len + 12 + ((uint64_t) n << 10), NULL, &err);
				PqFileReset(&f);
				break;
			}
	}
	free(out);
}

/* Column chunk mode: the input is one leaf's chunk under a real footer. */
static void
fuzz_chunk(uint8_t which, const uint8_t *p, size_t len)
{
	static PqFile files[2];
	static bool loaded = false;
	PqFile	   *f;
	PqColumnChunkMeta *meta;
	PqColumnChunkMeta saved;
	PqColumnReader r;
	PqReaderOptions opts;
	PqError		err;
	PqBatch		b;
	int			leaf;
	int			i;

	if (!loaded)
	{
		/* decoded once; the fuzzer's leak check ignores these */
		if (PqFooterDecode(&files[0], footer_types_v2, sizeof(footer_types_v2),
						   UINT32_MAX, NULL, &err) != PQ_OK ||
			PqFooterDecode(&files[1], footer_nested_v1, sizeof(footer_nested_v1),
						   UINT32_MAX, NULL, &err) != PQ_OK)
			abort();
		loaded = true;
	}
	if (len < 1)
		return;
	f = &files[(which >> 3) & 1];
	leaf = p[0] % f->num_leaves;
	p++;
	len--;
	meta = &f->row_groups[0].columns[leaf];
	saved = *meta;
	meta->range_length = (int64_t) len;
	meta->codec = (PqCodec) (which & 7);
	PqReaderOptionsInit(&opts);
	opts.max_page_size = 1 << 20;
	if (PqColumnReaderInit(&r, f, 0, leaf, p, len, &opts, NULL, &err) == PQ_OK)
	{
		for (i = 0; i < 1000; i++)
			if (PqColumnReadBatch(&r, 1 + (which & 7) * 37, &b, &err) != PQ_OK ||
				b.n_records == 0)
				break;
		PqColumnReaderReset(&r);
	}
	*meta = saved;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	PqError		err;
	uint64_t	sum = 0;

	if (size >= 4 && memcmp(data, "PAR1", 4) == 0)
	{
		/* vary the batch size with the last-but-eight byte (inside the footer) */
		int64_t		batch = size > 9 ? 1 + data[size - 9] % 97 : 7;

		PqTestDecodeAll(data, size, batch, FUZZ_MAX_PAGE, &sum, &err);
	}
	else if (size > 0 && (data[0] & 0xf0) == 0xc0)
		fuzz_chunk(data[0], data + 1, size - 1);
	else if (size > 0)
		fuzz_decoder(data[0], data + 1, size - 1);
	return 0;
}
