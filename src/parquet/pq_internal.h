/*-------------------------------------------------------------------------
 *
 * pq_internal.h
 *	  Declarations shared by the files of the Parquet reader core.
 *
 * Nothing here is part of the public interface (parquet.h).  Functions
 * follow one convention: they return a PqCode and, on failure, have filled
 * the PqError they were given.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/pq_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PQ_INTERNAL_H
#define PQ_INTERNAL_H

#include <string.h>

#include "parquet.h"

#if defined(__GNUC__) || defined(__clang__)
#define PQ_LIKELY(x)	__builtin_expect(!!(x), 1)
#define PQ_UNLIKELY(x)	__builtin_expect(!!(x), 0)
#define PQ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PQ_LIKELY(x)	(x)
#define PQ_UNLIKELY(x)	(x)
#define PQ_PRINTF(a, b)
#endif

/* Nesting limits: thrift structs and schema trees deeper than this are refused. */
#define PQ_THRIFT_MAX_DEPTH 64
#define PQ_SCHEMA_MAX_DEPTH 64

/* Entry points clear the caller's PqError first (PqSetError keeps the first). */
static inline void
PqErrorClear(PqError *err)
{
	if (err != NULL)
	{
		err->code = PQ_OK;
		err->message[0] = '\0';
	}
}

/* in memory.c */
extern PqCode PqSetError(PqError *err, PqCode code, const char *fmt,...) PQ_PRINTF(3, 4);
extern void *PqAlloc(const PqAllocator *a, size_t size);
extern void *PqRealloc(const PqAllocator *a, void *ptr, size_t size);
extern void PqFree(const PqAllocator *a, void *ptr);
extern PqCode PqGrow(const PqAllocator *a, void **buf, size_t *cap, size_t need,
					 size_t elem_size, PqError *err);
extern void *PqArenaAlloc(PqFile *file, size_t size);
extern char *PqArenaStrdup(PqFile *file, const uint8_t *s, size_t len);
extern void PqArenaFree(PqFile *file);

/* Little-endian loads that are safe for unaligned pointers. */
static inline uint32_t
PqLoadU32(const uint8_t *p)
{
	uint32_t	v;

	memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline uint64_t
PqLoadU64(const uint8_t *p)
{
	uint64_t	v;

	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* ----------------------------------------------------------------
 *		Thrift compact protocol (thrift_compact.c)
 * ----------------------------------------------------------------
 */

typedef enum PqThriftType
{
	PQ_TT_STOP = 0,
	PQ_TT_TRUE = 1,
	PQ_TT_FALSE = 2,
	PQ_TT_BYTE = 3,
	PQ_TT_I16 = 4,
	PQ_TT_I32 = 5,
	PQ_TT_I64 = 6,
	PQ_TT_DOUBLE = 7,
	PQ_TT_BINARY = 8,
	PQ_TT_LIST = 9,
	PQ_TT_SET = 10,
	PQ_TT_MAP = 11,
	PQ_TT_STRUCT = 12
} PqThriftType;

typedef struct PqThrift
{
	const uint8_t *p;
	const uint8_t *end;
	int			depth;
	PqError    *err;
} PqThrift;

/* Field callback of PqThriftReadStruct: consumes one field's value. */
typedef bool (*PqThriftFieldFn) (PqThrift *t, void *target, int16_t id, int type);

extern void PqThriftInit(PqThrift *t, const uint8_t *data, size_t len, PqError *err);
extern bool PqThriftReadStruct(PqThrift *t, PqThriftFieldFn fn, void *target,
							   uint32_t *seen);
extern bool PqThriftStructBegin(PqThrift *t);
extern void PqThriftStructEnd(PqThrift *t);
extern bool PqThriftFieldHeader(PqThrift *t, int16_t *last_id, int *type, int16_t *id);
extern bool PqThriftVarint(PqThrift *t, uint64_t *out);
extern bool PqThriftI32(PqThrift *t, int type, int32_t *out);
extern bool PqThriftI64(PqThrift *t, int type, int64_t *out);
extern bool PqThriftBool(PqThrift *t, int type, bool *out);
extern bool PqThriftBinary(PqThrift *t, int type, PqByteView *out);
extern bool PqThriftListBegin(PqThrift *t, int type, int *elem_type, int32_t *count);
extern bool PqThriftListI32(PqThrift *t, int elem_type, int32_t *out);
extern bool PqThriftSkip(PqThrift *t, int type);
extern bool PqThriftBadType(PqThrift *t, const char *what);

/* ----------------------------------------------------------------
 *		Page headers and decompression (page.c, codec.c)
 * ----------------------------------------------------------------
 */

typedef enum PqPageType
{
	PQ_PAGE_DATA = 0,
	PQ_PAGE_INDEX = 1,
	PQ_PAGE_DICTIONARY = 2,
	PQ_PAGE_DATA_V2 = 3
} PqPageType;

typedef struct PqPageHeader
{
	int32_t		type;
	int32_t		uncompressed_size;
	int32_t		compressed_size;
	int32_t		num_values;
	int32_t		encoding;
	int32_t		def_encoding;	/* v1 */
	int32_t		rep_encoding;	/* v1 */
	int32_t		num_nulls;		/* v2 */
	int32_t		num_rows;		/* v2 */
	int32_t		def_length;		/* v2 */
	int32_t		rep_length;		/* v2 */
	bool		is_compressed;	/* v2 */
	bool		has_data_header;
	bool		has_dict_header;
	bool		has_v2_header;
} PqPageHeader;

extern PqCode PqPageHeaderDecode(const uint8_t *data, size_t len, PqPageHeader *h,
								 size_t *header_len, PqError *err);

typedef PqCode (*PqDecompressFn) (const uint8_t *src, size_t src_len,
								  uint8_t *dst, size_t dst_len, PqError *err);

extern PqCode PqDecompress(PqCodec codec, const uint8_t *src, size_t src_len,
						   uint8_t *dst, size_t dst_len, PqError *err);

/* ----------------------------------------------------------------
 *		Encodings (encoding_*.c)
 * ----------------------------------------------------------------
 */

/* Size in bytes of one decoded value of a physical type in PqBatch.values. */
extern size_t PqValueSize(PqPhysicalType type);

/* encoding_plain.c */
typedef struct PqPlainCursor
{
	const uint8_t *p;			/* next value (BOOLEAN: the bits' first byte) */
	const uint8_t *end;
	uint64_t	bit;			/* BOOLEAN: next bit from p */
} PqPlainCursor;

extern PqCode PqDecodePlainNext(PqPhysicalType type, int32_t type_length,
								PqPlainCursor *c, int64_t n, void *out, PqError *err);
extern PqCode PqDecodePlain(PqPhysicalType type, int32_t type_length,
							const uint8_t *src, size_t len, int64_t n,
							void *out, PqError *err);
extern PqCode PqDecodeByteStreamSplit(PqPhysicalType type, int32_t type_length,
									  const uint8_t *src, size_t len, int64_t n,
									  void *out, PqError *err);
extern PqCode PqDecodeByteStreamSplitAt(PqPhysicalType type, int32_t type_length,
										const uint8_t *src, size_t len, uint64_t first,
										int64_t n, void *out, PqError *err);

/* encoding_rle.c: RLE / bit-packed hybrid and legacy BIT_PACKED */
typedef struct PqRleDecoder
{
	const uint8_t *p;
	const uint8_t *end;
	int			bit_width;
	uint64_t	rle_left;		/* values left in the current RLE run */
	uint32_t	rle_value;
	uint64_t	packed_left;	/* values left in the current bit-packed run */
	const uint8_t *packed;		/* start of the remaining bit-packed groups */
	uint32_t	packed_buf[8];	/* one unpacked group of 8 */
	int			packed_buf_pos; /* next index into packed_buf, 8 = empty */
} PqRleDecoder;

extern PqCode PqRleInit(PqRleDecoder *d, const uint8_t *data, size_t len,
						int bit_width, PqError *err);
extern PqCode PqRleDecode32(PqRleDecoder *d, uint32_t *out, int64_t n, PqError *err);
extern PqCode PqRleDecodeLevels(PqRleDecoder *d, int16_t *out, int64_t n,
								int16_t max_level, PqError *err);
extern PqCode PqBitPackedDecodeLevels(const uint8_t *data, size_t len, int bit_width,
									  int16_t *out, int64_t n, int16_t max_level,
									  PqError *err);
extern PqCode PqBitPackedDecodeLevelsAt(const uint8_t *data, size_t len, int bit_width,
										uint64_t first, int16_t *out, int64_t n,
										int16_t max_level, PqError *err);
extern void PqUnpack32(const uint8_t *in, uint32_t *out, int64_t n, int bit_width);
extern int	PqBitWidth(uint64_t max_value);

/* encoding_dict.c */
extern PqCode PqDictGather(PqPhysicalType type, const void *dict, int64_t dict_count,
						   const uint32_t *idx, int64_t n, void *out, PqError *err);

/* encoding_delta.c */
extern PqCode PqDecodeDeltaBinaryPacked(const uint8_t *src, size_t len,
										int64_t n, bool is64, void *out,
										size_t *consumed, PqError *err);
extern PqCode PqDecodeDeltaLengthByteArray(const PqAllocator *a, const uint8_t *src,
										   size_t len, int64_t n, PqByteView *out,
										   size_t *consumed, PqError *err);
extern PqCode PqDecodeDeltaByteArray(const PqAllocator *a, const uint8_t *src,
									 size_t len, int64_t n, int32_t fixed_len,
									 size_t max_out, PqByteView *out,
									 uint8_t **buffer, PqError *err);

/* schema.c */
extern PqCode PqSchemaBuild(PqFile *file, PqError *err);

#endif							/* PQ_INTERNAL_H */
