/*-------------------------------------------------------------------------
 *
 * codec.c
 *	  Page decompression through a table of codecs.
 *
 * Each codec is a function that decompresses a whole page into a buffer
 * of exactly the size the page header announces (the caller allocated it
 * after checking the size against the page limit, so no codec can grow
 * memory on its own: decompression bombs are stopped before this point).
 * A codec missing from the table, or compiled out, is a clean
 * PQ_ERR_UNSUPPORTED.  Codecs use one-shot library calls, and no library
 * state survives a call, so an allocator that longjmps cannot leak it.
 *
 * Build with -DPQ_NO_SNAPPY, -DPQ_NO_ZLIB, -DPQ_NO_ZSTD, -DPQ_NO_LZ4 or
 * -DPQ_NO_BROTLI to drop a library.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/codec.c
 *
 *-------------------------------------------------------------------------
 */
#include "pq_internal.h"

#ifndef PQ_NO_SNAPPY
#include <snappy-c.h>
#endif
#ifndef PQ_NO_ZLIB
#include <zlib.h>
#endif
#ifndef PQ_NO_ZSTD
#include <zstd.h>
#endif
#ifndef PQ_NO_LZ4
#include <lz4.h>
#endif
#ifndef PQ_NO_BROTLI
#include <brotli/decode.h>
#endif

static PqCode
size_mismatch(PqError *err, const char *codec, size_t got, size_t want)
{
	return PqSetError(err, PQ_ERR_CORRUPT,
					  "%s page decompressed to %zu bytes, header says %zu",
					  codec, got, want);
}

static PqCode
decompress_uncompressed(const uint8_t *src, size_t src_len, uint8_t *dst,
						size_t dst_len, PqError *err)
{
	if (src_len != dst_len)
		return size_mismatch(err, "uncompressed", src_len, dst_len);
	if (dst_len > 0)
		memcpy(dst, src, dst_len);
	return PQ_OK;
}

#ifndef PQ_NO_SNAPPY
static PqCode
decompress_snappy(const uint8_t *src, size_t src_len, uint8_t *dst,
				  size_t dst_len, PqError *err)
{
	size_t		n;

	/* snappy records the output size up front: check it before writing */
	if (snappy_uncompressed_length((const char *) src, src_len, &n) != SNAPPY_OK)
		return PqSetError(err, PQ_ERR_CORRUPT, "invalid snappy data");
	if (n != dst_len)
		return size_mismatch(err, "snappy", n, dst_len);
	if (snappy_uncompress((const char *) src, src_len, (char *) dst, &n) != SNAPPY_OK)
		return PqSetError(err, PQ_ERR_CORRUPT, "invalid snappy data");
	return PQ_OK;
}
#endif

#ifndef PQ_NO_ZLIB
/*
 * GZIP: gzip or zlib headers are auto-detected (windowBits 15 + 32);
 * concatenated gzip members are accepted.
 */
static PqCode
decompress_gzip(const uint8_t *src, size_t src_len, uint8_t *dst,
				size_t dst_len, PqError *err)
{
	z_stream	zs;
	int			zrc;
	size_t		out = 0;

	if (src_len > UINT32_MAX || dst_len > UINT32_MAX)
		return PqSetError(err, PQ_ERR_LIMIT, "gzip page too large");
	/* zlib counts in uInt: pages above 4 GB were refused by the size checks */
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return PqSetError(err, PQ_ERR_NOMEM, "cannot initialize zlib");
	zs.next_in = (Bytef *) src;
	zs.avail_in = (uInt) src_len;
	for (;;)
	{
		zs.next_out = dst + out;
		zs.avail_out = (uInt) (dst_len - out);
		zrc = inflate(&zs, Z_FINISH);
		out = dst_len - zs.avail_out;
		if (zrc == Z_STREAM_END && zs.avail_in > 0 && out < dst_len)
		{
			/* another gzip member follows */
			if (inflateReset(&zs) != Z_OK)
				break;
			continue;
		}
		break;
	}
	inflateEnd(&zs);
	/* a stream must end properly (its checksum verified), not just fill dst */
	if (zrc != Z_STREAM_END)
		return PqSetError(err, PQ_ERR_CORRUPT, "invalid gzip data (zlib code %d)", zrc);
	if (out != dst_len)
		return size_mismatch(err, "gzip", out, dst_len);
	return PQ_OK;
}
#endif

#ifndef PQ_NO_ZSTD
static PqCode
decompress_zstd(const uint8_t *src, size_t src_len, uint8_t *dst,
				size_t dst_len, PqError *err)
{
	size_t		n = ZSTD_decompress(dst, dst_len, src, src_len);

	if (ZSTD_isError(n))
		return PqSetError(err, PQ_ERR_CORRUPT, "invalid zstd data: %s",
						  ZSTD_getErrorName(n));
	if (n != dst_len)
		return size_mismatch(err, "zstd", n, dst_len);
	return PQ_OK;
}
#endif

#ifndef PQ_NO_LZ4
static PqCode
decompress_lz4_raw(const uint8_t *src, size_t src_len, uint8_t *dst,
				   size_t dst_len, PqError *err)
{
	int			n;

	if (src_len > INT32_MAX || dst_len > INT32_MAX)
		return PqSetError(err, PQ_ERR_LIMIT, "lz4 page too large");
	n = LZ4_decompress_safe((const char *) src, (char *) dst, (int) src_len, (int) dst_len);
	if (n < 0)
		return PqSetError(err, PQ_ERR_CORRUPT, "invalid lz4 data");
	if ((size_t) n != dst_len)
		return size_mismatch(err, "lz4", (size_t) n, dst_len);
	return PQ_OK;
}

static uint32_t
load_be32(const uint8_t *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
		((uint32_t) p[2] << 8) | (uint32_t) p[3];
}

/*
 * The deprecated LZ4 codec: Hadoop framing (big-endian uncompressed and
 * compressed lengths before each raw block), as parquet-mr writes it.  Old
 * parquet-cpp wrote a bare LZ4 block instead, so fall back to that, as
 * Arrow does.
 */
static PqCode
decompress_lz4_hadoop(const uint8_t *src, size_t src_len, uint8_t *dst,
					  size_t dst_len, PqError *err)
{
	const uint8_t *p = src;
	size_t		left = src_len;
	size_t		out = 0;

	while (left >= 8)
	{
		uint32_t	ulen = load_be32(p);
		uint32_t	clen = load_be32(p + 4);
		int			n;

		/* a frame that does not fit is not Hadoop framing: try a raw block */
		if (clen > left - 8 || ulen > dst_len - out)
			break;
		n = LZ4_decompress_safe((const char *) p + 8, (char *) dst + out,
								(int) clen, (int) ulen);
		if (n < 0 || (uint32_t) n != ulen)
			break;
		out += ulen;
		p += 8 + clen;
		left -= 8 + (size_t) clen;
		if (left == 0 && out == dst_len)
			return PQ_OK;
	}
	return decompress_lz4_raw(src, src_len, dst, dst_len, err);
}
#endif

#ifndef PQ_NO_BROTLI
static PqCode
decompress_brotli(const uint8_t *src, size_t src_len, uint8_t *dst,
				  size_t dst_len, PqError *err)
{
	size_t		n = dst_len;

	if (BrotliDecoderDecompress(src_len, src, &n, dst) != BROTLI_DECODER_RESULT_SUCCESS)
		return PqSetError(err, PQ_ERR_CORRUPT, "invalid brotli data");
	if (n != dst_len)
		return size_mismatch(err, "brotli", n, dst_len);
	return PQ_OK;
}
#endif

typedef struct PqCodecEntry
{
	const char *name;
	PqDecompressFn decompress;	/* NULL: not supported in this build */
} PqCodecEntry;

/* Indexed by the CompressionCodec wire value. */
static const PqCodecEntry codec_table[] = {
	[PQ_CODEC_UNCOMPRESSED] = {"UNCOMPRESSED", decompress_uncompressed},
#ifndef PQ_NO_SNAPPY
	[PQ_CODEC_SNAPPY] = {"SNAPPY", decompress_snappy},
#else
	[PQ_CODEC_SNAPPY] = {"SNAPPY", NULL},
#endif
#ifndef PQ_NO_ZLIB
	[PQ_CODEC_GZIP] = {"GZIP", decompress_gzip},
#else
	[PQ_CODEC_GZIP] = {"GZIP", NULL},
#endif
	[PQ_CODEC_LZO] = {"LZO", NULL},
#ifndef PQ_NO_BROTLI
	[PQ_CODEC_BROTLI] = {"BROTLI", decompress_brotli},
#else
	[PQ_CODEC_BROTLI] = {"BROTLI", NULL},
#endif
#ifndef PQ_NO_LZ4
	[PQ_CODEC_LZ4] = {"LZ4", decompress_lz4_hadoop},
#else
	[PQ_CODEC_LZ4] = {"LZ4", NULL},
#endif
#ifndef PQ_NO_ZSTD
	[PQ_CODEC_ZSTD] = {"ZSTD", decompress_zstd},
#else
	[PQ_CODEC_ZSTD] = {"ZSTD", NULL},
#endif
#ifndef PQ_NO_LZ4
	[PQ_CODEC_LZ4_RAW] = {"LZ4_RAW", decompress_lz4_raw},
#else
	[PQ_CODEC_LZ4_RAW] = {"LZ4_RAW", NULL},
#endif
};

#define N_CODECS ((int) (sizeof(codec_table) / sizeof(codec_table[0])))

const char *
PqCodecName(PqCodec codec)
{
	if ((int) codec < 0 || (int) codec >= N_CODECS)
		return "UNKNOWN";
	return codec_table[codec].name;
}

bool
PqCodecSupported(PqCodec codec)
{
	return (int) codec >= 0 && (int) codec < N_CODECS &&
		codec_table[codec].decompress != NULL;
}

/*
 * Decompresses src into dst, which must be exactly the page's declared
 * uncompressed size.  Output of any other size is PQ_ERR_CORRUPT.
 */
PqCode
PqDecompress(PqCodec codec, const uint8_t *src, size_t src_len,
			 uint8_t *dst, size_t dst_len, PqError *err)
{
	if (!PqCodecSupported(codec))
		return PqSetError(err, PQ_ERR_UNSUPPORTED, "compression codec %s (%d) is not supported",
						  PqCodecName(codec), (int) codec);
	return codec_table[codec].decompress(src, src_len, dst, dst_len, err);
}
