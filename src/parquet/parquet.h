/*-------------------------------------------------------------------------
 *
 * parquet.h
 *	  Public interface of the Parquet reader core.
 *
 * The core reads Parquet files from byte views (pointer plus length) and
 * never includes PostgreSQL headers, so it can be unit-tested and fuzzed on
 * its own.  It never longjmps: every entry point returns a PqCode and fills
 * a PqError.  All memory is obtained through a PqAllocator hook, so the
 * PostgreSQL adapter can route allocations to palloc.
 *
 * Typical use (what the adapter does, with ranged reads):
 *
 *	1. read the last PQ_FOOTER_TAIL_SIZE bytes; PqFooterPeek() says how many
 *	   bytes of metadata precede them;
 *	2. read those bytes; PqFooterDecode() builds a PqFile (schema tree, row
 *	   groups, column chunk byte ranges);
 *	3. for each row group, fetch the byte range of every projected column
 *	   chunk (PqColumnChunkMeta.range_offset / range_length) and open a
 *	   PqRowGroupReader (or one PqColumnReader per leaf);
 *	4. read batches of records; flat columns are consumed straight from the
 *	   PqBatch arrays, nested fields are walked per row with PqRecordVisit().
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/parquet.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PQ_PARQUET_H
#define PQ_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

/* ----------------------------------------------------------------
 *		Errors and allocation
 * ----------------------------------------------------------------
 */

typedef enum PqCode
{
	PQ_OK = 0,
	PQ_ERR_CORRUPT,				/* malformed or truncated file */
	PQ_ERR_UNSUPPORTED,			/* valid Parquet we cannot read (codec...) */
	PQ_ERR_NOMEM,				/* the allocator returned NULL */
	PQ_ERR_LIMIT,				/* a configured limit was exceeded */
	PQ_ERR_INVALID,				/* the caller passed invalid arguments */
	PQ_ERR_CALLBACK				/* a visitor callback asked to stop */
} PqCode;

#define PQ_ERROR_MESSAGE_SIZE 256

/* Error report: code plus a lower-case message without trailing period. */
typedef struct PqError
{
	PqCode		code;
	char		message[PQ_ERROR_MESSAGE_SIZE];
} PqError;

/*
 * Allocation hook.  malloc_fn/realloc_fn return NULL on failure; realloc_fn
 * is never called with a NULL pointer and free_fn never with NULL, so these
 * map directly onto palloc/repalloc/pfree.  The core never holds memory
 * owned by a compression library across an allocator call, so an allocator
 * that longjmps (palloc's ereport) leaks nothing but its own memory.
 * Single allocations are bounded by the page size limit (see
 * PqReaderOptions), so the adapter should use MCXT_ALLOC_HUGE only if it
 * raises that limit above 1 GB.
 */
typedef struct PqAllocator
{
	void	   *(*malloc_fn) (void *ctx, size_t size);
	void	   *(*realloc_fn) (void *ctx, void *ptr, size_t size);
	void		(*free_fn) (void *ctx, void *ptr);
	void	   *ctx;
} PqAllocator;

/* A non-owning view of bytes. */
typedef struct PqByteView
{
	const uint8_t *ptr;
	uint32_t	len;
} PqByteView;

/* ----------------------------------------------------------------
 *		Enumerations from parquet.thrift (values are the wire values)
 * ----------------------------------------------------------------
 */

typedef enum PqPhysicalType
{
	PQ_BOOLEAN = 0,
	PQ_INT32 = 1,
	PQ_INT64 = 2,
	PQ_INT96 = 3,
	PQ_FLOAT = 4,
	PQ_DOUBLE = 5,
	PQ_BYTE_ARRAY = 6,
	PQ_FIXED_LEN_BYTE_ARRAY = 7,
	PQ_GROUP = -1				/* not a wire value: interior schema node */
} PqPhysicalType;

typedef enum PqRepetition
{
	PQ_REQUIRED = 0,
	PQ_OPTIONAL = 1,
	PQ_REPEATED = 2
} PqRepetition;

typedef enum PqConvertedType
{
	PQ_CT_NONE = -1,
	PQ_CT_UTF8 = 0,
	PQ_CT_MAP = 1,
	PQ_CT_MAP_KEY_VALUE = 2,
	PQ_CT_LIST = 3,
	PQ_CT_ENUM = 4,
	PQ_CT_DECIMAL = 5,
	PQ_CT_DATE = 6,
	PQ_CT_TIME_MILLIS = 7,
	PQ_CT_TIME_MICROS = 8,
	PQ_CT_TIMESTAMP_MILLIS = 9,
	PQ_CT_TIMESTAMP_MICROS = 10,
	PQ_CT_UINT_8 = 11,
	PQ_CT_UINT_16 = 12,
	PQ_CT_UINT_32 = 13,
	PQ_CT_UINT_64 = 14,
	PQ_CT_INT_8 = 15,
	PQ_CT_INT_16 = 16,
	PQ_CT_INT_32 = 17,
	PQ_CT_INT_64 = 18,
	PQ_CT_JSON = 19,
	PQ_CT_BSON = 20,
	PQ_CT_INTERVAL = 21
} PqConvertedType;

/* LogicalType union members (field ids of the thrift union) */
typedef enum PqLogicalKind
{
	PQ_LT_NONE = 0,
	PQ_LT_STRING = 1,
	PQ_LT_MAP = 2,
	PQ_LT_LIST = 3,
	PQ_LT_ENUM = 4,
	PQ_LT_DECIMAL = 5,
	PQ_LT_DATE = 6,
	PQ_LT_TIME = 7,
	PQ_LT_TIMESTAMP = 8,
	PQ_LT_INTEGER = 10,
	PQ_LT_UNKNOWN = 11,			/* the "null" type */
	PQ_LT_JSON = 12,
	PQ_LT_BSON = 13,
	PQ_LT_UUID = 14,
	PQ_LT_FLOAT16 = 15,
	PQ_LT_OTHER = 99			/* a union member this reader does not know */
} PqLogicalKind;

typedef enum PqTimeUnit
{
	PQ_UNIT_NONE = 0,
	PQ_UNIT_MILLIS = 1,
	PQ_UNIT_MICROS = 2,
	PQ_UNIT_NANOS = 3
} PqTimeUnit;

typedef enum PqCodec
{
	PQ_CODEC_UNCOMPRESSED = 0,
	PQ_CODEC_SNAPPY = 1,
	PQ_CODEC_GZIP = 2,
	PQ_CODEC_LZO = 3,
	PQ_CODEC_BROTLI = 4,
	PQ_CODEC_LZ4 = 5,			/* Hadoop framing, or raw block as fallback */
	PQ_CODEC_ZSTD = 6,
	PQ_CODEC_LZ4_RAW = 7
} PqCodec;

typedef enum PqEncoding
{
	PQ_ENC_PLAIN = 0,
	PQ_ENC_PLAIN_DICTIONARY = 2,
	PQ_ENC_RLE = 3,
	PQ_ENC_BIT_PACKED = 4,
	PQ_ENC_DELTA_BINARY_PACKED = 5,
	PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
	PQ_ENC_DELTA_BYTE_ARRAY = 7,
	PQ_ENC_RLE_DICTIONARY = 8,
	PQ_ENC_BYTE_STREAM_SPLIT = 9
} PqEncoding;

/*
 * Logical type, normalized: when a file has only a ConvertedType, the
 * equivalent LogicalType is filled in (UTF8 -> STRING, TIMESTAMP_MICROS ->
 * TIMESTAMP(MICROS, utc), INT_8 -> INTEGER(8, signed), ...).
 */
typedef struct PqLogicalType
{
	PqLogicalKind kind;
	PqTimeUnit	unit;			/* TIME, TIMESTAMP */
	bool		is_adjusted_to_utc; /* TIME, TIMESTAMP */
	bool		is_signed;		/* INTEGER */
	int8_t		bit_width;		/* INTEGER: 8, 16, 32 or 64 */
	int32_t		scale;			/* DECIMAL */
	int32_t		precision;		/* DECIMAL */
} PqLogicalType;

/* ----------------------------------------------------------------
 *		File metadata (footer)
 * ----------------------------------------------------------------
 */

typedef struct PqSchemaNode PqSchemaNode;

/* How a node reads as JSON (computed once from the schema; see assemble.c). */
typedef enum PqNestedKind
{
	PQ_NESTED_LEAF = 0,			/* a primitive column */
	PQ_NESTED_STRUCT,			/* group: object keyed by field names */
	PQ_NESTED_LIST,				/* LIST group: array of `element` */
	PQ_NESTED_MAP				/* MAP group: object keyed by map keys */
} PqNestedKind;

struct PqSchemaNode
{
	const char *name;			/* field name, NUL-terminated */
	const char *path;			/* dotted path from the root, "" for it */
	PqRepetition repetition;
	PqPhysicalType physical_type;	/* PQ_GROUP for interior nodes */
	int32_t		type_length;	/* FIXED_LEN_BYTE_ARRAY width */
	PqConvertedType converted_type;
	PqLogicalType logical;		/* normalized, see above */
	int32_t		field_id;		/* -1 when absent */
	int16_t		max_def;		/* definition level of this node */
	int16_t		max_rep;		/* repetition level of this node */
	int			depth;			/* root is 0 */
	int			index;			/* position in PqFile.nodes */
	int			leaf_index;		/* position in PqFile.leaves, or -1 */
	int			leaf_first;		/* first leaf of this subtree */
	int			leaf_count;		/* number of leaves in this subtree */
	int			num_children;
	PqSchemaNode **children;
	PqSchemaNode *parent;
	size_t		name_len;
	PqNestedKind nested;		/* shape when read as a value */
	const PqSchemaNode *repeated;	/* LIST/MAP: the repeated child */
	const PqSchemaNode *element;	/* LIST: node visited per element */
};

typedef struct PqStatistics
{
	bool		has_min;
	bool		has_max;
	bool		has_null_count;
	bool		has_distinct_count;
	bool		legacy;			/* min/max came from deprecated fields 1/2 */
	PqByteView	min;			/* PLAIN-encoded value, points into PqFile */
	PqByteView	max;
	int64_t		null_count;
	int64_t		distinct_count;
} PqStatistics;

typedef struct PqColumnChunkMeta
{
	PqPhysicalType physical_type;
	PqCodec		codec;
	const char *path;			/* path_in_schema joined with '.' */
	const char *file_path;		/* NULL unless the chunk is in another file */
	int			num_encodings;
	const int32_t *encodings;	/* PqEncoding values */
	int64_t		num_values;
	int64_t		total_uncompressed_size;
	int64_t		total_compressed_size;
	int64_t		data_page_offset;
	int64_t		dictionary_page_offset; /* -1 when absent */
	int64_t		index_page_offset;	/* -1 when absent */
	PqStatistics statistics;
	/* byte range holding all pages of the chunk, validated against file */
	int64_t		range_offset;
	int64_t		range_length;
} PqColumnChunkMeta;

typedef struct PqRowGroupMeta
{
	int64_t		num_rows;
	int64_t		total_byte_size;
	int64_t		total_compressed_size;	/* -1 when absent */
	int			num_columns;	/* always PqFile.num_leaves */
	PqColumnChunkMeta *columns; /* indexed by leaf index */
} PqRowGroupMeta;

typedef struct PqKeyValue
{
	const char *key;
	const char *value;			/* NULL when absent */
} PqKeyValue;

typedef struct PqArenaBlock PqArenaBlock;

/*
 * Decoded FileMetaData.  Everything hangs off an arena owned by the PqFile
 * and is released by PqFileReset().
 */
typedef struct PqFile
{
	PqAllocator allocator;
	PqArenaBlock *arena;
	int32_t		version;
	int64_t		num_rows;
	int64_t		file_size;
	const char *created_by;		/* NULL when absent */
	int			num_key_values;
	PqKeyValue *key_values;
	int			num_nodes;
	PqSchemaNode *nodes;		/* nodes[0] is the root */
	int			num_leaves;
	PqSchemaNode **leaves;		/* leaf columns in file order */
	int			num_row_groups;
	PqRowGroupMeta *row_groups;
} PqFile;

/* ----------------------------------------------------------------
 *		Reading values
 * ----------------------------------------------------------------
 */

typedef struct PqInt96
{
	uint8_t		bytes[12];		/* nanos of day (LE int64), Julian day (LE int32) */
} PqInt96;

/* One value of any physical type, as handed to visitors. */
typedef struct PqValue
{
	union
	{
		bool		b;
		int32_t		i32;
		int64_t		i64;
		float		f;
		double		d;
		PqInt96		i96;
		PqByteView	bytes;		/* BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY */
	}			u;
} PqValue;

typedef struct PqReaderOptions
{
	/*
	 * Pages whose compressed or uncompressed size exceeds this are refused
	 * with PQ_ERR_LIMIT.  The number of values a page may declare, and a
	 * batch may hold, is bounded by max_page_size / 16 (+4096), so decoded
	 * arrays stay within about 1.5x this size whatever RLE claims.
	 */
	size_t		max_page_size;

	/*
	 * When true, a column reader owns the chunk buffers it is given: each
	 * must be one allocation of the reader's allocator, and the reader
	 * frees it as soon as nothing still to be read points into it (after
	 * its last page is decompressed, or when the reader moves on or is
	 * Reset, also on failure).  The first data page is then decompressed
	 * when the chunk is given, so that a chunk of one compressed page
	 * (DuckDB writes them) is freed at once and the compressed and the
	 * decompressed bytes of one row group are never all held together.
	 */
	bool		release_chunks;
} PqReaderOptions;

#define PQ_DEFAULT_MAX_PAGE_SIZE ((size_t) 256 * 1024 * 1024)

/*
 * A batch of decoded levels and values of one leaf column.
 *
 * n_levels slots; def_levels is NULL when the column's max_def is 0 (all
 * slots hold a value) and rep_levels is NULL when max_rep is 0.  values
 * holds the n_values non-null values densely, typed by physical type:
 * uint8_t for BOOLEAN, int32_t, int64_t, PqInt96, float, double, and
 * PqByteView for BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY.  Byte views point into
 * the chunk bytes, a decompressed page or the dictionary (zero-copy).
 * dict_indices is non-NULL only when every value of the batch came from
 * dictionary-encoded pages; it then holds each value's dictionary index,
 * so a caller may convert each dictionary entry once (PqColumnDictionary).
 *
 * All arrays and views stay valid until the next PqColumnReadBatch() or
 * PqColumnReaderReset() on the same reader.
 */
typedef struct PqBatch
{
	int64_t		n_levels;
	int64_t		n_values;
	int64_t		n_records;
	const int16_t *def_levels;
	const int16_t *rep_levels;
	const void *values;
	const int32_t *dict_indices;
} PqBatch;

typedef struct PqPageState PqPageState;

/* Column chunk reader; fields are private. */
typedef struct PqColumnReader
{
	PqAllocator allocator;
	const PqSchemaNode *leaf;
	const PqColumnChunkMeta *meta;
	PqReaderOptions options;
	const uint8_t *data;		/* chunk bytes (owned if release_chunks) */
	size_t		data_len;
	bool		data_owned;		/* data is to be freed by the reader */
	size_t		pos;			/* next page header */
	int64_t		values_seen;	/* level slots read from data pages */
	int			page_number;	/* data pages started so far, for messages */
	size_t		value_size;		/* bytes per decoded value */
	/* dictionary */
	bool		has_dict;
	int64_t		dict_count;
	void	   *dict_values;
	void	   *dict_buf;		/* decompressed dictionary page */
	/* current data page */
	PqPageState *page;
	/* output batch buffers */
	int16_t    *out_def;
	int16_t    *out_rep;
	uint8_t    *out_values;
	int32_t    *out_idx;
	size_t		out_cap_levels;
	size_t		out_cap_values;
	/* page buffers referenced by the last batch, freed on the next call */
	void	  **retired;
	int			n_retired;
	int			cap_retired;
} PqColumnReader;

/*
 * Event visitor for PqRecordVisit.  Each callback returns 0 to continue or
 * nonzero to stop (PqRecordVisit then returns PQ_ERR_CALLBACK).  A struct
 * is an object whose keys are field names; a MAP is an object whose keys
 * are the map keys (map_key receives the key's leaf and value); a LIST or
 * a bare repeated field is an array.  Callbacks may be NULL.
 */
typedef struct PqVisitor
{
	int			(*begin_object) (void *ctx, const PqSchemaNode *node);
	int			(*end_object) (void *ctx, const PqSchemaNode *node);
	int			(*begin_array) (void *ctx, const PqSchemaNode *node);
	int			(*end_array) (void *ctx, const PqSchemaNode *node);
	int			(*key) (void *ctx, const char *name, size_t len);
	int			(*map_key) (void *ctx, const PqSchemaNode *leaf, const PqValue *v);
	int			(*scalar) (void *ctx, const PqSchemaNode *leaf, const PqValue *v);
	int			(*null) (void *ctx, const PqSchemaNode *node);
	void	   *ctx;
} PqVisitor;

/* Per-leaf position inside a batch, used by record assembly. */
typedef struct PqLeafCursor
{
	const PqBatch *batch;
	const PqSchemaNode *leaf;
	int64_t		level_pos;
	int64_t		value_pos;
} PqLeafCursor;

/*
 * Walks the values of one field (any node of the schema, usually a
 * top-level one) row by row.  cursors[i] belongs to leaf field->leaf_first+i.
 */
typedef struct PqRecordCursor
{
	const PqSchemaNode *field;
	PqLeafCursor *cursors;
	int			n_cursors;
} PqRecordCursor;

/* Convenience reader for all projected leaves of one row group. */
typedef struct PqRowGroupReader
{
	PqAllocator allocator;
	const PqFile *file;
	int			row_group;
	int64_t		rows_left;
	PqColumnReader *readers;	/* indexed by leaf; unprojected ones unused */
	bool	   *projected;
	PqBatch    *batches;		/* last batch per leaf */
	PqLeafCursor *cursors;		/* scratch for PqRowGroupReaderCursor */
	PqReaderOptions options;
} PqRowGroupReader;

/* ----------------------------------------------------------------
 *		Functions
 * ----------------------------------------------------------------
 */

/* in memory.c */
extern const PqAllocator *PqDefaultAllocator(void);
extern const char *PqCodeName(PqCode code);
extern void PqReaderOptionsInit(PqReaderOptions *opts);

/* in footer.c */
#define PQ_MAGIC "PAR1"
#define PQ_FOOTER_TAIL_SIZE 8
extern PqCode PqFooterVerify(const uint8_t *head, size_t head_len, PqError *err);
extern PqCode PqFooterPeek(const uint8_t *tail, size_t tail_len,
						   uint64_t file_size, uint32_t *metadata_len,
						   PqError *err);
extern PqCode PqFooterDecode(PqFile *file, const uint8_t *metadata,
							 size_t metadata_len, uint64_t file_size,
							 const PqAllocator *allocator, PqError *err);
extern PqCode PqFileOpenMemory(PqFile *file, const uint8_t *data, size_t len,
							   const PqAllocator *allocator, PqError *err);
extern void PqFileReset(PqFile *file);

/* in schema.c */
extern const PqSchemaNode *PqSchemaFindPath(const PqFile *file, const char *path);
extern const PqSchemaNode *PqSchemaChild(const PqSchemaNode *node, const char *name,
										 bool case_insensitive);
extern const char *PqPhysicalTypeName(PqPhysicalType type);
extern const char *PqLogicalTypeName(const PqLogicalType *lt);
extern const char *PqConvertedTypeName(PqConvertedType ct);
extern const char *PqRepetitionName(PqRepetition rep);

/* in codec.c */
extern const char *PqCodecName(PqCodec codec);
extern bool PqCodecSupported(PqCodec codec);

/* in page.c */
extern const char *PqEncodingName(int32_t encoding);

/* in column.c */
extern PqCode PqColumnReaderInit(PqColumnReader *reader, const PqFile *file,
								 int row_group, int leaf,
								 const uint8_t *chunk, size_t chunk_len,
								 const PqReaderOptions *opts,
								 const PqAllocator *allocator, PqError *err);
extern PqCode PqColumnReaderReinit(PqColumnReader *reader, const PqFile *file,
								   int row_group, const uint8_t *chunk,
								   size_t chunk_len, PqError *err);
extern PqCode PqColumnReadBatch(PqColumnReader *reader, int64_t max_records,
								PqBatch *batch, PqError *err);
extern PqCode PqColumnDictionary(PqColumnReader *reader, const void **values,
								 int64_t *count, PqError *err);
extern void PqColumnReaderReset(PqColumnReader *reader);

/* in assemble.c */
extern PqCode PqRecordCursorInit(PqRecordCursor *rc, const PqSchemaNode *field,
								 PqLeafCursor *cursors, const PqBatch *batches,
								 PqError *err);
extern PqCode PqRecordVisit(PqRecordCursor *rc, const PqVisitor *visitor,
							PqError *err);
extern PqCode PqRecordSkip(PqRecordCursor *rc, PqError *err);

/* in rowgroup.c */
extern PqCode PqRowGroupReaderInit(PqRowGroupReader *rg, const PqFile *file,
								   int row_group, const PqByteView *chunks,
								   const PqReaderOptions *opts,
								   const PqAllocator *allocator, PqError *err);
extern PqCode PqRowGroupReaderReinit(PqRowGroupReader *rg, int row_group,
									 const PqByteView *chunks, PqError *err);
extern PqCode PqRowGroupReaderBegin(PqRowGroupReader *rg, int row_group,
									PqError *err);
extern PqCode PqRowGroupReaderSetChunk(PqRowGroupReader *rg, int leaf,
									   const uint8_t *chunk, size_t chunk_len,
									   PqError *err);
extern PqCode PqRowGroupReaderNext(PqRowGroupReader *rg, int64_t max_rows,
								   int64_t *n_rows, PqError *err);
extern PqCode PqRowGroupReaderCursor(PqRowGroupReader *rg,
									 const PqSchemaNode *field,
									 PqRecordCursor *rc, PqError *err);
extern void PqRowGroupReaderReset(PqRowGroupReader *rg);

/* in convert.c */
extern int64_t PqTimeUnitToMicros(int64_t v, PqTimeUnit unit);
extern bool PqTimeUnitSplit(int64_t v, PqTimeUnit unit, int64_t *seconds,
							int32_t *nanos);
extern void PqInt96Split(const PqInt96 *v, int64_t *seconds, int32_t *nanos);
extern int64_t PqInt96ToMicros(const PqInt96 *v);
extern void PqCivilFromDays(int64_t days, int64_t *year, int *month, int *day);
extern float PqFloat16ToFloat(const uint8_t *two_bytes);
extern size_t PqDecimalToString(const uint8_t *be, size_t len, int32_t scale,
								char *buf, size_t buflen);
extern size_t PqDecimalFromInt64(int64_t unscaled, int32_t scale,
								 char *buf, size_t buflen);
extern size_t PqUuidToString(const uint8_t *bytes16, char *buf, size_t buflen);

#ifdef __cplusplus
}
#endif

#endif							/* PQ_PARQUET_H */
