/*-------------------------------------------------------------------------
 *
 * parquet_pg.c
 *	  The Parquet format of the loader: the reader core (src/parquet/, no
 *	  PostgreSQL headers) adapted to palloc, ereport, ranged object reads
 *	  and Datums.
 *
 * A file is read footer first (one ranged read of its tail), then one row
 * group at a time, fetching only the column chunks the target needs (byte
 * ranges that lie close together are fetched as one request), each chunk
 * into a buffer of its own that the reader frees once the chunk's pages
 * are decompressed (fetch_chunks).  A small network object (no larger
 * than a download buffer) comes instead as one stream, downloaded whole
 * while the objects before it load; its footer and chunks are then read
 * from memory (read_whole).  Values go straight
 * into Datums: a leaf column by a conversion chosen once per column, a
 * nested one (struct, list, map) by building jsonb from the reader's
 * events, never printing and re-parsing JSON.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/parquet_pg.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "pg_clickstream.h"
#include "loader/loader.h"
#include "parquet/parquet.h"
#include "parquet_pg.h"

/*
 * Rows decoded and converted per batch: small enough for cache and for the
 * converted Datums (about 4 MB of a 100-column row at 512 rows), big
 * enough to amortize the per-batch work.  1,024 measured no faster.
 */
#define PQ_BATCH_ROWS	512

/* Block size of the converted batch's memory context (see init_batches). */
#define PQ_BATCH_BLOCK	(8 * 1024 * 1024)

/* Column chunks closer than this are fetched with one ranged read. */
#define PQ_RANGE_GAP	(1024 * 1024)

/* Microseconds between 1970-01-01 (Parquet) and 2000-01-01 (PostgreSQL). */
#define PQ_EPOCH_SHIFT_US	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)
#define PQ_EPOCH_SHIFT_DAYS	(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE)

/* What a leaf's values are, whatever their physical storage. */
typedef enum PqSource
{
	SRC_BOOL,
	SRC_INT,					/* fits int64 */
	SRC_UINT64,
	SRC_FLOAT,					/* FLOAT, DOUBLE, FLOAT16 */
	SRC_DATE,					/* days since 1970-01-01 */
	SRC_TIMESTAMP,				/* micros since 1970-01-01 */
	SRC_TIME,					/* micros since midnight */
	SRC_DECIMAL,
	SRC_STRING,					/* UTF-8 bytes */
	SRC_BINARY,
	SRC_UUID
} PqSource;

/* One target column and where its values come from. */
typedef struct PqTarget
{
	int			att;
	const PqSchemaNode *node;
	bool		nested;			/* a group or repeated node: built as JSON */
	PqSource	src;			/* for leaves */
	Oid			typid;			/* base type of the target column */
	/* per batch, for leaves: value index of each row, -1 for NULL */
	int64	   *vindex;
} PqTarget;

/* The ranges of a row group being downloaded ahead. */
typedef struct PqPrefetch
{
	int			row_group;		/* -1: none */
	int			nranges;
	int64	   *starts;
	int64	   *lens;
	int		   *order;			/* needed leaves by offset (row_group_ranges) */
	int			norder;
	ObjstoreStream **streams;
} PqPrefetch;

/* Everything about the file being loaded. */
typedef struct PqLoad
{
	LoadContext *ctx;
	const char *url;			/* for messages */
	const char *source_url;		/* for reading (may hold a presigned query) */
	PqAllocator alloc;
	PqReaderOptions ropts;
	PqFile		file;
	PqTarget   *targets;
	int			ntargets;
	bool	   *need;			/* per leaf: read by some target */
	PqRowGroupReader rg;
	bool		rg_open;		/* rg initialized (for the first row group) */
	PqRecordCursor *cursors;	/* per target, nested ones only */
	int			row_group;
	PqPrefetch	prefetch;
	char	   *whole;			/* the whole object, when it came as a stream
								 * (a small network object), else NULL */
	MemoryContext file_cxt;		/* lives while the file is loaded */
	int64		batch_row;		/* row within the current batch */
	/* load_batch_by_column: the converted batch, row-major, and its memory */
	Datum	   *matrix_values;
	bool	   *matrix_nulls;
	MemoryContext batch_cxt;
	MemoryContext value_cxt;	/* one nested value's building, reset after it */
	/* jsonb being built by the visitor */
	JsonbParseState *jb;
	JsonbValue *jb_result;
	bool		jb_null;		/* the whole value was null */
} PqLoad;

static void *pq_palloc(void *ctx, size_t size);
static void *pq_repalloc(void *ctx, void *ptr, size_t size);
static void pq_pfree(void *ctx, void *ptr);
static void plan_targets(PqLoad *pl);
static void init_batches(PqLoad *pl);
static void read_whole(PqLoad *pl, ObjstoreStream *stream, int64 size);
static void read_stream(PqLoad *pl, ObjstoreStream *stream, char *buf,
						int64 len);
static void load_row_group(PqLoad *pl, int g);
static void prepare_batch(PqLoad *pl, int64 nrows);
static void convert_row(LoadContext *ctx, void *arg);
static Datum convert_value(PqLoad *pl, int k, int64 r, bool *isnull);
static void load_batch_by_column(PqLoad *pl, int64 nrows, int64 first_row);
static Datum leaf_datum(PqLoad *pl, PqTarget *t, const PqValue *v);
static Datum nested_datum(PqLoad *pl, PqTarget *t, bool *isnull);

/*
 * PqErrorReport
 *		Turn a core error into an ERROR naming the file and where in it.
 */
void
PqErrorReport(const PqError *err, const char *url, int row_group,
			  const char *column)
{
	int			code;

	switch (err->code)
	{
		case PQ_ERR_UNSUPPORTED:
			code = ERRCODE_FEATURE_NOT_SUPPORTED;
			break;
		case PQ_ERR_LIMIT:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			break;
		case PQ_ERR_NOMEM:
			code = ERRCODE_OUT_OF_MEMORY;
			break;
		default:
			code = ERRCODE_DATA_CORRUPTED;
			break;
	}
	if (row_group >= 0)
		ereport(ERROR,
				(errcode(code),
				 errmsg("cannot read Parquet file \"%s\"", url),
				 column ?
				 errdetail("Row group %d, column \"%s\": %s.", row_group,
						   column, err->message) :
				 errdetail("Row group %d: %s.", row_group, err->message),
				 err->code == PQ_ERR_LIMIT ?
				 errhint("Pages are limited by clickstream.parquet_max_page_size.") : 0));
	ereport(ERROR,
			(errcode(code),
			 errmsg("cannot read Parquet file \"%s\"", url),
			 errdetail("%s.", err->message)));
}

/* The core allocates through palloc, in alloc->ctx or the current context. */
static void *
pq_palloc(void *ctx, size_t size)
{
	/* ctx: a memory context the reader's buffers must live in, or NULL */
	return MemoryContextAllocExtended(ctx ? (MemoryContext) ctx : CurrentMemoryContext,
									  size, MCXT_ALLOC_HUGE);
}

static void *
pq_repalloc(void *ctx, void *ptr, size_t size)
{
	return repalloc_huge(ptr, size);
}

static void
pq_pfree(void *ctx, void *ptr)
{
	pfree(ptr);
}

/*
 * PqAdapterAllocator
 *		The allocator hook shared by the loader and the SQL helpers.
 */
void
PqAdapterAllocator(PqAllocator *alloc)
{
	alloc->malloc_fn = pq_palloc;
	alloc->realloc_fn = pq_repalloc;
	alloc->free_fn = pq_pfree;
	alloc->ctx = NULL;
}

/*
 * read_object_range
 *		len bytes at offset of the object at url: from whole, the object's
 *		bytes when they are in memory already, else with a ranged read.
 */
static void
read_object_range(const char *url, const char *whole, int64 offset,
				  int64 len, char *buf)
{
	if (whole)
		memcpy(buf, whole + offset, len);
	else
		ObjstoreReadRange(url, offset, len, buf);
}

/*
 * PqOpenFooter
 *		Read and decode the footer of the object at url (size bytes) into
 *		file, with one ranged read of the tail when the footer fits in it;
 *		whole is the object's bytes when they are in memory, else NULL.
 */
void
PqOpenFooter(PqFile *file, const char *url, int64 size, const char *whole)
{
	PqAllocator alloc;
	PqError		err;
	int64		tail_len;
	char	   *tail;
	uint32_t	meta_len;
	const char *display = ObjstoreRedactUrl(url);

	memset(file, 0, sizeof(PqFile));
	if (size < 12)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("\"%s\" is not a Parquet file", display),
				 errdetail("It has " INT64_FORMAT " bytes; a Parquet file has at least 12.", size)));

	/* most footers are small: read 64 kB once, more only when needed */
	tail_len = Min(size, 64 * 1024);
	tail = palloc(tail_len);
	read_object_range(url, whole, size - tail_len, tail_len, tail);
	if (PqFooterPeek((const uint8_t *) tail + tail_len - PQ_FOOTER_TAIL_SIZE,
					 PQ_FOOTER_TAIL_SIZE, (uint64_t) size, &meta_len,
					 &err) != PQ_OK)
		PqErrorReport(&err, display, -1, NULL);
	if ((int64) meta_len + PQ_FOOTER_TAIL_SIZE > tail_len)
	{
		pfree(tail);
		tail_len = (int64) meta_len + PQ_FOOTER_TAIL_SIZE;
		tail = palloc_extended(tail_len, MCXT_ALLOC_HUGE);
		read_object_range(url, whole, size - tail_len, tail_len, tail);
	}
	PqAdapterAllocator(&alloc);
	if (PqFooterDecode(file,
					   (const uint8_t *) tail + tail_len - PQ_FOOTER_TAIL_SIZE - meta_len,
					   meta_len, (uint64_t) size, &alloc, &err) != PQ_OK)
		PqErrorReport(&err, display, -1, NULL);
}

/*
 * parquet_load
 *		Load one Parquet object (FormatRoutine.load).
 */
static void
parquet_load(LoadContext *ctx, LoadFile *file)
{
	PqLoad		pl;
	int			g;
	int64		size = file->size;

	memset(&pl, 0, sizeof(pl));
	pl.ctx = ctx;
	pl.url = ObjstoreRedactUrl(file->url);
	pl.source_url = file->url;
	pl.prefetch.row_group = -1;
	/* the row-group reader and its buffers live as long as the file */
	pl.file_cxt = AllocSetContextCreate(CurrentMemoryContext, "parquet file",
										ALLOCSET_DEFAULT_SIZES);
	PqAdapterAllocator(&pl.alloc);
	pl.alloc.ctx = pl.file_cxt;
	PqReaderOptionsInit(&pl.ropts);
	pl.ropts.max_page_size = (size_t) clickstream_parquet_max_page_kb * 1024;
	pl.ropts.release_chunks = true;

	if (size < 0)
	{
		ObjstoreInfo info;

		if (!ObjstoreStat(file->url, &info) || info.size < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FILE),
					 errmsg("cannot find the size of \"%s\"", pl.url)));
		size = info.size;
	}
	ctx->position = "row";
	ctx->lineno = 0;
	if (file->stream)
	{
		read_whole(&pl, file->stream, size);
		/* the chunks are slices of the object's bytes, freed with the file */
		pl.ropts.release_chunks = false;
	}
	PqOpenFooter(&pl.file, file->url, size, pl.whole);
	plan_targets(&pl);
	init_batches(&pl);
	for (g = 0; g < pl.file.num_row_groups; g++)
	{
		pl.row_group = g;
		load_row_group(&pl, g);
	}
	if (pl.rg_open)
		PqRowGroupReaderReset(&pl.rg);
	PqFileReset(&pl.file);
	MemoryContextDelete(pl.file_cxt);
}

/*
 * read_whole
 *		Read the whole object (size bytes) from its stream into pl->whole,
 *		then to the stream's end, where the stream checks that the object
 *		has the size the manifest gave (ObjstoreFetcherAdd).
 */
static void
read_whole(PqLoad *pl, ObjstoreStream *stream, int64 size)
{
	char		scratch[1024];

	pl->whole = MemoryContextAllocExtended(pl->file_cxt, size, MCXT_ALLOC_HUGE);
	read_stream(pl, stream, pl->whole, size);
	while (ObjstoreStreamRead(stream, scratch, sizeof(scratch)) > 0)
		CHECK_FOR_INTERRUPTS();
	pl->ctx->bytes_read += size;
}

/*
 * init_batches
 *		The batch state every row group of the file reuses, in file_cxt.  A
 *		converted batch lives in its context's keeper block, which a reset
 *		keeps: with default sizes every batch malloc'd and freed its blocks
 *		again, and the fresh pages cost 1.4 million page faults per million
 *		rows.
 */
static void
init_batches(PqLoad *pl)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(pl->file_cxt);
	int			k;

	pl->cursors = palloc0(sizeof(PqRecordCursor) * Max(pl->ntargets, 1));
	pl->matrix_values = palloc(sizeof(Datum) * PQ_BATCH_ROWS * Max(pl->ntargets, 1));
	pl->matrix_nulls = palloc(sizeof(bool) * PQ_BATCH_ROWS * Max(pl->ntargets, 1));
	pl->batch_cxt = AllocSetContextCreate(pl->file_cxt, "parquet batch",
										  PQ_BATCH_BLOCK, PQ_BATCH_BLOCK,
										  PQ_BATCH_BLOCK);
	pl->value_cxt = AllocSetContextCreate(pl->file_cxt, "parquet nested value",
										  ALLOCSET_DEFAULT_SIZES);
	for (k = 0; k < pl->ntargets; k++)
		if (!pl->targets[k].nested)
			pl->targets[k].vindex = palloc(sizeof(int64) * PQ_BATCH_ROWS);
	MemoryContextSwitchTo(oldcxt);
}

/* Follow a dotted path from the root, case-insensitively. */
static const PqSchemaNode *
find_path(const PqFile *file, const char *path)
{
	const PqSchemaNode *node = &file->nodes[0];
	char	   *copy = pstrdup(path);
	char	   *part;
	char	   *save = NULL;

	for (part = strtok_r(copy, ".", &save); part && node;
		 part = strtok_r(NULL, ".", &save))
		node = PqSchemaChild(node, part, true);
	pfree(copy);
	return node;
}

/* Is this node a plain (non-repeated, non-group) leaf? */
static bool
is_simple_leaf(const PqSchemaNode *node)
{
	return node->physical_type != PQ_GROUP && node->max_rep == 0;
}

/*
 * source_of
 *		What a leaf's values mean, from its physical and logical types.
 */
static PqSource
source_of(const PqSchemaNode *leaf)
{
	const PqLogicalType *lt = &leaf->logical;

	switch (lt->kind)
	{
		case PQ_LT_DATE:
			return SRC_DATE;
		case PQ_LT_TIMESTAMP:
			return SRC_TIMESTAMP;
		case PQ_LT_TIME:
			return SRC_TIME;
		case PQ_LT_DECIMAL:
			return SRC_DECIMAL;
		case PQ_LT_STRING:
		case PQ_LT_ENUM:
		case PQ_LT_JSON:
			return SRC_STRING;
		case PQ_LT_UUID:
			return SRC_UUID;
		case PQ_LT_FLOAT16:
			return SRC_FLOAT;
		case PQ_LT_INTEGER:
			if (!lt->is_signed && lt->bit_width == 64)
				return SRC_UINT64;
			return SRC_INT;
		default:
			break;
	}
	switch (leaf->physical_type)
	{
		case PQ_BOOLEAN:
			return SRC_BOOL;
		case PQ_INT32:
		case PQ_INT64:
			return SRC_INT;
		case PQ_INT96:
			return SRC_TIMESTAMP;
		case PQ_FLOAT:
		case PQ_DOUBLE:
			return SRC_FLOAT;
		default:
			return SRC_BINARY;
	}
}

static const char *
source_name(PqSource src)
{
	static const char *const names[] = {
		"boolean", "integer", "unsigned 64-bit integer", "floating point",
		"date", "timestamp", "time", "decimal", "string", "binary", "uuid"
	};

	return names[src];
}

/*
 * conversion_possible
 *		Whether values of src can ever load into a column of base type typid
 *		(decided once per column, so that a hopeless mapping fails before
 *		any row, naming both types).  Strings may go anywhere: the target
 *		type's input function judges each value.
 */
static bool
conversion_possible(PqSource src, Oid typid)
{
	if (src == SRC_STRING || typid == TEXTOID || typid == VARCHAROID ||
		typid == BPCHAROID || typid == JSONBOID || typid == JSONOID)
		return true;
	switch (typid)
	{
		case BOOLOID:
			return src == SRC_BOOL || src == SRC_INT;
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return src == SRC_INT || src == SRC_UINT64 || src == SRC_FLOAT ||
				src == SRC_DECIMAL || src == SRC_BOOL;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return src == SRC_DATE || src == SRC_TIMESTAMP;
		case TIMEOID:
			return src == SRC_TIME;
		case UUIDOID:
			return src == SRC_UUID;
		case BYTEAOID:
			return src == SRC_BINARY || src == SRC_UUID;
		default:
			/* other types: through their input function, value by value */
			return true;
	}
}

/*
 * plan_targets
 *		Match target columns to schema nodes (by name, by position, or by
 *		the "columns" option's paths) and choose each column's conversion.
 */
static void
plan_targets(PqLoad *pl)
{
	LoadContext *ctx = pl->ctx;
	const PqSchemaNode *root = &pl->file.nodes[0];
	int			pos = 0;
	int			i;

	pl->targets = palloc0(sizeof(PqTarget) * Max(ctx->natts, 1));
	for (i = 0; i < ctx->natts; i++)
	{
		TargetColumn *col = &ctx->columns[i];
		const PqSchemaNode *node = NULL;
		const char *path = NULL;
		ListCell   *lc;
		PqTarget   *t;

		if (!TargetColumnIsRead(col))
			continue;
		foreach(lc, ctx->options->column_paths)
		{
			ColumnPath *cp = lfirst(lc);

			if (pg_strcasecmp(cp->column, col->name) == 0)
				path = cp->path;
		}
		if (path != NULL)
		{
			node = find_path(&pl->file, path);
			if (node == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("path \"%s\" for column \"%s\" is not in Parquet file \"%s\"",
								path, col->name, pl->url)));
		}
		else if (ctx->options->column_match == COLUMN_MATCH_POSITION)
			node = pos < root->num_children ? root->children[pos++] : NULL;
		else
			node = PqSchemaChild(root, col->name, true);

		if (node == NULL)
		{
			if (ctx->options->strict)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("target column \"%s\" is missing from Parquet file \"%s\"",
								col->name, pl->url),
						 errhint("Remove \"strict\" to give it its default.")));
			continue;			/* gets its default */
		}
		t = &pl->targets[pl->ntargets++];
		t->att = i;
		t->node = node;
		t->typid = col->basetype;
		t->nested = !is_simple_leaf(node);
		if (t->nested)
		{
			if (t->typid != JSONBOID && t->typid != JSONOID &&
				t->typid != TEXTOID && t->typid != VARCHAROID)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("cannot load nested Parquet column \"%s\" into column \"%s\" of type %s",
								node->path, col->name, format_type_be(col->typid)),
						 errhint("Nested values load into jsonb, json or text columns, or map a leaf with the \"columns\" option.")));
		}
		else
		{
			t->src = source_of(node);
			if (!conversion_possible(t->src, t->typid))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("cannot load Parquet column \"%s\" of type %s into column \"%s\" of type %s",
								node->path, source_name(t->src), col->name,
								format_type_be(col->typid))));
		}
	}

	/* the leaves to read: those under the targets' nodes */
	pl->need = palloc0(sizeof(bool) * Max(pl->file.num_leaves, 1));
	for (i = 0; i < pl->ntargets; i++)
	{
		const PqSchemaNode *n = pl->targets[i].node;
		int			leaf;

		for (leaf = n->leaf_first; leaf < n->leaf_first + n->leaf_count; leaf++)
			pl->need[leaf] = true;
	}

	if (ctx->options->strict)
	{
		/* every top-level field of the file must land somewhere */
		for (i = 0; i < root->num_children; i++)
		{
			const PqSchemaNode *child = root->children[i];
			int			k;
			bool		found = false;

			for (k = 0; k < pl->ntargets && !found; k++)
			{
				const PqSchemaNode *n = pl->targets[k].node;

				while (n && n->parent != root)
					n = n->parent;
				found = (n == child);
			}
			if (!found)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("Parquet column \"%s\" matches no column of the target",
								child->name),
						 errhint("Remove \"strict\" to ignore it.")));
		}
	}
}

/*
 * row_group_ranges
 *		The byte ranges to fetch for row group g: the needed column chunks in
 *		file order, chunks less than PQ_RANGE_GAP apart fetched together.
 *		Returns the number of ranges; *starts and *lens are palloc'd, and so
 *		is *order, the *norder needed leaves sorted by offset.
 */
static int
row_group_ranges(PqLoad *pl, int g, int64 **starts, int64 **lens, int **order,
				 int *norder)
{
	PqRowGroupMeta *rgm = &pl->file.row_groups[g];
	int			nleaves = pl->file.num_leaves;
	int		   *ord = palloc(sizeof(int) * Max(nleaves, 1));
	int			n = 0;
	int			nranges = 0;
	int			i;

	for (i = 0; i < nleaves; i++)
		if (pl->need[i])
			ord[n++] = i;
	/* insertion sort by offset: writers almost always store them in order */
	for (i = 1; i < n; i++)
	{
		int			v = ord[i];
		int			j = i - 1;

		while (j >= 0 && rgm->columns[ord[j]].range_offset > rgm->columns[v].range_offset)
		{
			ord[j + 1] = ord[j];
			j--;
		}
		ord[j + 1] = v;
	}

	*starts = palloc(sizeof(int64) * Max(n, 1));
	*lens = palloc(sizeof(int64) * Max(n, 1));
	for (i = 0; i < n;)
	{
		int64		start = rgm->columns[ord[i]].range_offset;
		int64		end = start + rgm->columns[ord[i]].range_length;
		int			j = i + 1;

		while (j < n &&
			   rgm->columns[ord[j]].range_offset <= end + PQ_RANGE_GAP &&
			   rgm->columns[ord[j]].range_offset + rgm->columns[ord[j]].range_length - start <= (int64) MaxAllocHugeSize)
		{
			end = Max(end, rgm->columns[ord[j]].range_offset +
					  rgm->columns[ord[j]].range_length);
			j++;
		}
		(*starts)[nranges] = start;
		(*lens)[nranges] = end - start;
		nranges++;
		i = j;
	}
	*order = ord;
	*norder = n;
	return nranges;
}

/*
 * prefetch_row_group
 *		Start downloading row group g's ranges in the background (network
 *		URLs only: a local file is read when needed).  The bytes arrive
 *		while the current row group is decoded and inserted, moved along by
 *		ObjstoreFetcherPoll once per batch.
 */
static void
prefetch_row_group(PqLoad *pl, int g)
{
	PqPrefetch *pf = &pl->prefetch;
	MemoryContext oldcxt;
	int			i;

	if (pl->whole || pl->ctx->fetcher == NULL || g >= pl->file.num_row_groups ||
		pl->file.row_groups[g].num_rows == 0 ||
		ObjstoreUrlKind(pl->source_url) == OBJSTORE_FILE)
		return;
	oldcxt = MemoryContextSwitchTo(pl->file_cxt);
	pf->nranges = row_group_ranges(pl, g, &pf->starts, &pf->lens, &pf->order,
								   &pf->norder);
	pf->streams = palloc(sizeof(ObjstoreStream *) * Max(pf->nranges, 1));
	for (i = 0; i < pf->nranges; i++)
		pf->streams[i] = ObjstoreFetcherAddRange(pl->ctx->fetcher, pl->source_url,
												 pf->starts[i], pf->lens[i]);
	pf->row_group = g;
	MemoryContextSwitchTo(oldcxt);
	ObjstoreFetcherPoll(pl->ctx->fetcher);
}

/*
 * read_stream
 *		Read exactly len bytes of a stream into buf, or skip them when buf
 *		is NULL.  A range that ends early is an error.
 */
static void
read_stream(PqLoad *pl, ObjstoreStream *stream, char *buf, int64 len)
{
	char		scratch[8192];
	int64		got = 0;

	while (got < len)
	{
		size_t		want = buf ? (size_t) Min(len - got, (int64) 16 * 1024 * 1024) :
			(size_t) Min(len - got, (int64) sizeof(scratch));
		size_t		n = ObjstoreStreamRead(stream, buf ? buf + got : scratch, want);

		if (n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("cannot read Parquet file \"%s\"", pl->url),
					 errdetail("Row group %d: the object ended inside a column chunk.",
							   pl->row_group)));
		got += n;
	}
}

/*
 * give_chunk
 *		Hand leaf i its chunk, buf: allocated with the reader's allocator,
 *		the reader owns it (release_chunks), decompresses its first page at
 *		once and frees it when it is no longer needed; or a slice of the
 *		whole object (pl->whole, release_chunks off).
 */
static void
give_chunk(PqLoad *pl, int g, int i, char *buf, int64 len)
{
	PqError		err;

	if (PqRowGroupReaderSetChunk(&pl->rg, i, (const uint8_t *) buf, (size_t) len,
								 &err) != PQ_OK)
	{
		pl->rg_open = false;	/* SetChunk reset it */
		PqErrorReport(&err, pl->url, g, pl->file.leaves[i]->path);
	}
}

/*
 * fetch_chunks
 *		Give every needed leaf of row group g its column chunk, one chunk at
 *		a time: each is read into a buffer of its own, which the reader
 *		frees once the chunk's pages are decompressed.  So the compressed
 *		chunks of the row group are never all held beside its decompressed
 *		pages (nor beside the previous row group's page buffers, which the
 *		readers reuse), as they were when one buffer held them all.  From
 *		a network URL the chunks are read from the ranged streams of the
 *		prefetch, in offset order, skipping the gaps between them.
 */
static void
fetch_chunks(PqLoad *pl, int g)
{
	PqRowGroupMeta *rgm = &pl->file.row_groups[g];
	PqPrefetch *pf = &pl->prefetch;
	int			i;
	int			k;

	if (pf->row_group == g)
	{
		int			o = 0;

		for (k = 0; k < pf->nranges; k++)
		{
			int64		pos = pf->starts[k];
			int64		end = pf->starts[k] + pf->lens[k];

			for (; o < pf->norder && rgm->columns[pf->order[o]].range_offset < end; o++)
			{
				PqColumnChunkMeta *cm = &rgm->columns[pf->order[o]];
				char	   *buf;

				CHECK_FOR_INTERRUPTS();
				buf = pl->alloc.malloc_fn(pl->alloc.ctx, (size_t) cm->range_length);
				if (cm->range_offset >= pos)
				{
					read_stream(pl, pf->streams[k], NULL, cm->range_offset - pos);
					read_stream(pl, pf->streams[k], buf, cm->range_length);
					pos = cm->range_offset + cm->range_length;
				}
				else			/* overlapping chunks: read this one again */
					ObjstoreReadRange(pl->source_url, cm->range_offset,
									  cm->range_length, buf);
				pl->ctx->bytes_read += cm->range_length;
				give_chunk(pl, g, pf->order[o], buf, cm->range_length);
			}
			ObjstoreStreamClose(pf->streams[k]);
		}
		pf->row_group = -1;
		return;
	}

	for (i = 0; i < pl->file.num_leaves; i++)
	{
		PqColumnChunkMeta *cm = &rgm->columns[i];
		char	   *buf;

		if (!pl->need[i])
			continue;
		CHECK_FOR_INTERRUPTS();
		if (pl->whole)
		{
			/* the footer checked that every chunk lies inside the object */
			give_chunk(pl, g, i, pl->whole + cm->range_offset, cm->range_length);
			continue;
		}
		buf = pl->alloc.malloc_fn(pl->alloc.ctx, (size_t) cm->range_length);
		ObjstoreReadRange(pl->source_url, cm->range_offset, cm->range_length, buf);
		pl->ctx->bytes_read += cm->range_length;
		give_chunk(pl, g, i, buf, cm->range_length);
	}
}

/*
 * load_row_group
 *		Fetch the needed chunks of row group g (prefetched, or now), start
 *		prefetching the next one, then decode and insert the rows batch by
 *		batch.
 */
static void
load_row_group(PqLoad *pl, int g)
{
	LoadContext *ctx = pl->ctx;
	PqRowGroupMeta *rgm = &pl->file.row_groups[g];
	MemoryContext rgcxt;
	MemoryContext oldcxt;
	PqError		err;

	if (rgm->num_rows == 0)
		return;

	rgcxt = AllocSetContextCreate(CurrentMemoryContext, "parquet row group",
								  ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(rgcxt);

	/* the readers move on to the next row group keeping their buffers */
	if (!pl->rg_open)
	{
		PqByteView *none = palloc0(sizeof(PqByteView) * (pl->file.num_leaves + 1));

		if (PqRowGroupReaderInit(&pl->rg, &pl->file, g, none, &pl->ropts,
								 &pl->alloc, &err) != PQ_OK)
			PqErrorReport(&err, pl->url, g, NULL);
		pl->rg_open = true;
	}
	else if (PqRowGroupReaderBegin(&pl->rg, g, &err) != PQ_OK)
		PqErrorReport(&err, pl->url, g, NULL);

	/* from the network, stream the ranges even when not prefetched */
	if (pl->prefetch.row_group != g)
		prefetch_row_group(pl, g);
	fetch_chunks(pl, g);
	prefetch_row_group(pl, g + 1);

	for (;;)
	{
		int64		nrows;
		int64		r;

		if (PqRowGroupReaderNext(&pl->rg, PQ_BATCH_ROWS, &nrows, &err) != PQ_OK)
			PqErrorReport(&err, pl->url, g, NULL);
		if (nrows == 0)
			break;
		prepare_batch(pl, nrows);
		if (pl->prefetch.row_group >= 0)
			ObjstoreFetcherPoll(ctx->fetcher);
		if (ctx->options->max_errors == 0)
		{
			load_batch_by_column(pl, nrows, ctx->lineno);
			continue;
		}
		for (r = 0; r < nrows; r++)
		{
			pl->batch_row = r;
			ctx->lineno++;
			if (LoaderConvertRow(ctx, convert_row, pl))
				LoaderRowEnd(ctx);
		}
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(rgcxt);
}

/*
 * prepare_batch
 *		For each leaf target, the value index of every row of the batch (or
 *		-1 for NULL), so that a row's values do not depend on the rows
 *		before it having converted; position the nested targets' cursors.
 */
static void
prepare_batch(PqLoad *pl, int64 nrows)
{
	PqError		err;
	int			k;

	for (k = 0; k < pl->ntargets; k++)
	{
		PqTarget   *t = &pl->targets[k];

		if (t->nested)
		{
			if (PqRowGroupReaderCursor(&pl->rg, t->node, &pl->cursors[k], &err) != PQ_OK)
				PqErrorReport(&err, pl->url, pl->row_group, t->node->path);
		}
		else
		{
			const PqBatch *b = &pl->rg.batches[t->node->leaf_index];
			int64		v = 0;
			int64		r;

			if (b->def_levels == NULL)
			{
				for (r = 0; r < nrows; r++)
					t->vindex[r] = r;
			}
			else
			{
				int16		max_def = t->node->max_def;

				for (r = 0; r < nrows; r++)
					t->vindex[r] = b->def_levels[r] == max_def ? v++ : -1;
			}
		}
	}
}

/*
 * convert_value
 *		The value of target k in row r of the batch.  Nested targets advance
 *		their record cursor, so their rows must be asked for in order.
 */
static Datum
convert_value(PqLoad *pl, int k, int64 r, bool *isnull)
{
	PqTarget   *t = &pl->targets[k];
	const PqBatch *b;
	PqValue		v;
	int64		i;

	if (t->nested)
		return nested_datum(pl, t, isnull);
	i = t->vindex[r];
	if (i < 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = false;

	/* values are dense arrays of the physical type */
	b = &pl->rg.batches[t->node->leaf_index];
	switch (t->node->physical_type)
	{
		case PQ_BOOLEAN:
			v.u.b = ((const uint8_t *) b->values)[i] != 0;
			break;
		case PQ_INT32:
			v.u.i32 = ((const int32_t *) b->values)[i];
			break;
		case PQ_INT64:
			v.u.i64 = ((const int64_t *) b->values)[i];
			break;
		case PQ_INT96:
			v.u.i96 = ((const PqInt96 *) b->values)[i];
			break;
		case PQ_FLOAT:
			v.u.f = ((const float *) b->values)[i];
			break;
		case PQ_DOUBLE:
			v.u.d = ((const double *) b->values)[i];
			break;
		default:
			v.u.bytes = ((const PqByteView *) b->values)[i];
			break;
	}
	return leaf_datum(pl, t, &v);
}

/*
 * convert_row
 *		Fill the row being built from row pl->batch_row of the batch
 *		(LoaderConvertRow callback: used when rows may be rejected one by
 *		one under a max_errors budget).
 */
static void
convert_row(LoadContext *ctx, void *arg)
{
	PqLoad	   *pl = arg;
	int			k;

	LoaderRowStart(ctx);
	for (k = 0; k < pl->ntargets; k++)
	{
		int			att = pl->targets[k].att;

		ctx->colname = ctx->columns[att].name;
		ctx->values[att] = convert_value(pl, k, pl->batch_row, &ctx->nulls[att]);
		ctx->present[att] = true;
		ctx->colname = NULL;
		ctx->rawvalue = NULL;
	}
}

/*
 * load_batch_by_column
 *		Without an error budget, convert the batch one column at a time into
 *		a row-major matrix, then insert it row by row: reading a hundred
 *		columns' value arrays in step, row after row, was mostly cache
 *		misses.  first_row is the file row number of the batch's first row.
 */
static void
load_batch_by_column(PqLoad *pl, int64 nrows, int64 first_row)
{
	LoadContext *ctx = pl->ctx;
	int			nt = pl->ntargets;
	Datum	   *values = pl->matrix_values;
	bool	   *nulls = pl->matrix_nulls;
	MemoryContext oldcxt;
	int64		r;
	int			k;

	MemoryContextReset(pl->batch_cxt);
	oldcxt = MemoryContextSwitchTo(pl->batch_cxt);
	for (k = 0; k < nt; k++)
	{
		ctx->colname = ctx->columns[pl->targets[k].att].name;
		for (r = 0; r < nrows; r++)
		{
			ctx->lineno = first_row + r + 1;
			values[r * nt + k] = convert_value(pl, k, r, &nulls[r * nt + k]);
			ctx->rawvalue = NULL;
		}
	}
	ctx->colname = NULL;
	MemoryContextSwitchTo(oldcxt);

	for (r = 0; r < nrows; r++)
	{
		ctx->lineno = first_row + r + 1;
		MemoryContextReset(ctx->row_context);
		LoaderRowStart(ctx);
		for (k = 0; k < nt; k++)
		{
			int			att = pl->targets[k].att;

			ctx->values[att] = values[r * nt + k];
			ctx->nulls[att] = nulls[r * nt + k];
			ctx->present[att] = true;
		}
		LoaderRowEnd(ctx);
	}
}

/* ----------------------------------------------------------------
 *		Values
 * ----------------------------------------------------------------
 */

/* A leaf value as a signed 64-bit integer (SRC_INT). */
static int64
value_int(const PqSchemaNode *leaf, const PqValue *v)
{
	if (leaf->physical_type == PQ_INT32)
	{
		if (leaf->logical.kind == PQ_LT_INTEGER && !leaf->logical.is_signed)
			return (int64) (uint32) v->u.i32;
		return v->u.i32;
	}
	return v->u.i64;
}

static double
value_float(const PqSchemaNode *leaf, const PqValue *v)
{
	if (leaf->physical_type == PQ_FLOAT)
		return v->u.f;
	if (leaf->physical_type == PQ_DOUBLE)
		return v->u.d;
	return PqFloat16ToFloat(v->u.bytes.ptr);	/* FLOAT16 in FLBA(2) */
}

/*
 * Nanoseconds to microseconds, rounded to the nearest (ties to even) as
 * PostgreSQL rounds '...123456789'::timestamp (rint), not truncated.
 */
static int64
nanos_to_micros(int64 ns)
{
	int64		q = ns / 1000;
	int64		r = ns % 1000;

	if (r < 0)
	{
		q -= 1;
		r += 1000;
	}
	if (r > 500 || (r == 500 && (q & 1) != 0))
		return q + 1;
	return q;
}

/* Microseconds since 1970 of a timestamp leaf (INT64 or INT96). */
static int64
value_timestamp(const PqSchemaNode *leaf, const PqValue *v)
{
	if (leaf->physical_type == PQ_INT96)
	{
		int64_t		seconds;
		int32_t		nanos;

		PqInt96Split(&v->u.i96, &seconds, &nanos);
		return seconds * USECS_PER_SEC + nanos_to_micros(nanos);
	}
	if (leaf->logical.unit == PQ_UNIT_NANOS)
		return nanos_to_micros(v->u.i64);
	return PqTimeUnitToMicros(v->u.i64, leaf->logical.unit);
}

static int64
value_time(const PqSchemaNode *leaf, const PqValue *v)
{
	if (leaf->physical_type == PQ_INT32)
		return PqTimeUnitToMicros(v->u.i32, leaf->logical.unit);
	if (leaf->logical.unit == PQ_UNIT_NANOS)
		return nanos_to_micros(v->u.i64);
	return PqTimeUnitToMicros(v->u.i64, leaf->logical.unit);
}

/* A decimal leaf as text (exact, any storage). */
static char *
value_decimal(const PqSchemaNode *leaf, const PqValue *v)
{
	char		buf[128];

	if (leaf->physical_type == PQ_INT32)
		PqDecimalFromInt64(v->u.i32, leaf->logical.scale, buf, sizeof(buf));
	else if (leaf->physical_type == PQ_INT64)
		PqDecimalFromInt64(v->u.i64, leaf->logical.scale, buf, sizeof(buf));
	else if (PqDecimalToString(v->u.bytes.ptr, v->u.bytes.len,
							   leaf->logical.scale, buf, sizeof(buf)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("decimal value too wide")));
	return pstrdup(buf);
}

/* UTF-8 bytes checked, as COPY checks its input. */
static void
check_utf8(const PqByteView *bytes)
{
	if (pg_encoding_verifymbstr(PG_UTF8, (const char *) bytes->ptr, bytes->len) != (int) bytes->len)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("invalid UTF-8 in a Parquet string")));
}

static Timestamp
timestamp_from_micros(int64 us)
{
	Timestamp	ts = us - PQ_EPOCH_SHIFT_US;

	if (!IS_VALID_TIMESTAMP(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return ts;
}

/*
 * value_text
 *		Any leaf value as text, as DuckDB renders it: used for text targets,
 *		for types reached through their input function, and for JSON.
 */
static char *
value_text(const PqSchemaNode *leaf, PqSource src, const PqValue *v)
{
	switch (src)
	{
		case SRC_BOOL:
			return pstrdup(v->u.b ? "true" : "false");
		case SRC_INT:
			return psprintf(INT64_FORMAT, value_int(leaf, v));
		case SRC_UINT64:
			return psprintf(UINT64_FORMAT, (uint64) v->u.i64);
		case SRC_FLOAT:
			{
				double		d = value_float(leaf, v);
				char	   *buf;

				if (isnan(d))
					return pstrdup("NaN");
				if (isinf(d))
					return pstrdup(d > 0 ? "Infinity" : "-Infinity");
				buf = palloc(DOUBLE_SHORTEST_DECIMAL_LEN);
				if (leaf->physical_type == PQ_DOUBLE)
					double_to_shortest_decimal_buf(d, buf);
				else
					float_to_shortest_decimal_buf((float) d, buf);
				return buf;
			}
		case SRC_DATE:
			{
				/* ISO whatever DateStyle says, as DuckDB prints it */
				struct pg_tm tm;
				char		buf[MAXDATELEN + 1];
				DateADT		date = value_int(leaf, v) - PQ_EPOCH_SHIFT_DAYS;

				if (DATE_NOT_FINITE(date) || !IS_VALID_DATE(date))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("date out of range")));
				j2date(date + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon,
					   &tm.tm_mday);
				EncodeDateOnly(&tm, USE_ISO_DATES, buf);
				return pstrdup(buf);
			}
		case SRC_TIMESTAMP:
			{
				struct pg_tm tm;
				fsec_t		fsec;
				char		buf[MAXDATELEN + 1];
				Timestamp	ts = timestamp_from_micros(value_timestamp(leaf, v));

				if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("timestamp out of range")));
				EncodeDateTime(&tm, fsec, false, 0, NULL, USE_ISO_DATES, buf);
				return pstrdup(buf);
			}
		case SRC_TIME:
			{
				struct pg_tm tm;
				fsec_t		fsec;
				char		buf[MAXDATELEN + 1];

				time2tm(value_time(leaf, v), &tm, &fsec);
				EncodeTimeOnly(&tm, fsec, false, 0, USE_ISO_DATES, buf);
				return pstrdup(buf);
			}
		case SRC_DECIMAL:
			return value_decimal(leaf, v);
		case SRC_STRING:
			check_utf8(&v->u.bytes);
			return pnstrdup((const char *) v->u.bytes.ptr, v->u.bytes.len);
		case SRC_UUID:
			{
				char		buf[40];

				PqUuidToString(v->u.bytes.ptr, buf, sizeof(buf));
				return pstrdup(buf);
			}
		case SRC_BINARY:
		default:
			{
				/* bytea's hex form */
				bytea	   *b = palloc(VARHDRSZ + v->u.bytes.len);

				SET_VARSIZE(b, VARHDRSZ + v->u.bytes.len);
				memcpy(VARDATA(b), v->u.bytes.ptr, v->u.bytes.len);
				return DatumGetCString(DirectFunctionCall1(byteaout, PointerGetDatum(b)));
			}
	}
}

/* The integer into a smaller integer type, range-checked. */
static Datum
int_datum(int64 i, Oid typid)
{
	if ((typid == INT2OID && (i < PG_INT16_MIN || i > PG_INT16_MAX)) ||
		(typid == INT4OID && (i < PG_INT32_MIN || i > PG_INT32_MAX)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value " INT64_FORMAT " is out of range for type %s",
						i, format_type_be(typid))));
	switch (typid)
	{
		case INT2OID:
			return Int16GetDatum((int16) i);
		case INT4OID:
			return Int32GetDatum((int32) i);
		case INT8OID:
			return Int64GetDatum(i);
		case FLOAT4OID:
			return Float4GetDatum((float4) i);
		case FLOAT8OID:
			return Float8GetDatum((float8) i);
		case NUMERICOID:
			return NumericGetDatum(int64_to_numeric(i));
		case BOOLOID:
			return BoolGetDatum(i != 0);
		default:
			return (Datum) 0;	/* not reached: callers check */
	}
}

/*
 * leaf_datum
 *		Convert one leaf value into the target column's type: directly for
 *		the usual pairs, through the type's input function otherwise.
 */
static Datum
leaf_datum(PqLoad *pl, PqTarget *t, const PqValue *v)
{
	LoadContext *ctx = pl->ctx;
	const PqSchemaNode *leaf = t->node;
	TargetColumn *col = &ctx->columns[t->att];
	char	   *text;

	switch (t->src)
	{
		case SRC_STRING:
			/*
			 * text, and varchar(n) when the bytes cannot exceed n characters:
			 * the same datum varcharin would build, without the cstring round
			 * trip (longer values go through varcharin for its exact rules)
			 */
			if ((t->typid == TEXTOID && col->typid == TEXTOID) ||
				(t->typid == VARCHAROID && col->typid == VARCHAROID &&
				 (col->typmod < (int32) VARHDRSZ ||
				  v->u.bytes.len <= (uint32) (col->typmod - VARHDRSZ))))
			{
				check_utf8(&v->u.bytes);
				return PointerGetDatum(cstring_to_text_with_len((const char *) v->u.bytes.ptr,
																v->u.bytes.len));
			}
			break;
		case SRC_BINARY:
		case SRC_UUID:
			if (t->typid == BYTEAOID)
			{
				bytea	   *b = palloc(VARHDRSZ + v->u.bytes.len);

				SET_VARSIZE(b, VARHDRSZ + v->u.bytes.len);
				memcpy(VARDATA(b), v->u.bytes.ptr, v->u.bytes.len);
				return PointerGetDatum(b);
			}
			if (t->typid == UUIDOID && v->u.bytes.len == UUID_LEN)
			{
				pg_uuid_t  *u = palloc(sizeof(pg_uuid_t));

				memcpy(u->data, v->u.bytes.ptr, UUID_LEN);
				return UUIDPGetDatum(u);
			}
			break;
		case SRC_INT:
			if (t->typid == INT2OID || t->typid == INT4OID ||
				t->typid == INT8OID || t->typid == FLOAT4OID ||
				t->typid == FLOAT8OID || t->typid == NUMERICOID ||
				t->typid == BOOLOID)
				return int_datum(value_int(leaf, v), t->typid);
			break;
		case SRC_BOOL:
			if (t->typid == BOOLOID)
				return BoolGetDatum(v->u.b);
			if (t->typid != TEXTOID && t->typid != VARCHAROID &&
				t->typid != BPCHAROID && t->typid != JSONBOID &&
				t->typid != JSONOID)
				return int_datum(v->u.b ? 1 : 0, t->typid);
			break;
		case SRC_FLOAT:
			if (t->typid == FLOAT8OID)
				return Float8GetDatum(value_float(leaf, v));
			if (t->typid == FLOAT4OID)
				return Float4GetDatum((float4) value_float(leaf, v));
			break;
		case SRC_TIMESTAMP:
			if (t->typid == TIMESTAMPOID || t->typid == TIMESTAMPTZOID)
				return TimestampGetDatum(timestamp_from_micros(value_timestamp(leaf, v)));
			if (t->typid == DATEOID)
				return DirectFunctionCall1(timestamp_date,
										   TimestampGetDatum(timestamp_from_micros(value_timestamp(leaf, v))));
			break;
		case SRC_DATE:
			if (t->typid == DATEOID)
			{
				int64		date = value_int(leaf, v) - PQ_EPOCH_SHIFT_DAYS;

				if (date < PG_INT32_MIN || date > PG_INT32_MAX ||
					!IS_VALID_DATE((DateADT) date))
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("date out of range")));
				return DateADTGetDatum((DateADT) date);
			}
			if (t->typid == TIMESTAMPOID || t->typid == TIMESTAMPTZOID)
				return TimestampGetDatum(timestamp_from_micros(value_int(leaf, v) * USECS_PER_DAY));
			break;
		case SRC_TIME:
			if (t->typid == TIMEOID)
				return TimeADTGetDatum(value_time(leaf, v));
			break;
		case SRC_DECIMAL:
		case SRC_UINT64:
			break;
	}

	/* a jsonb column gets a JSON scalar, not the text parsed as JSON */
	if (t->typid == JSONBOID && t->src != SRC_STRING)
	{
		JsonbValue	jv;

		PqValueToJsonb(leaf, v, &jv);
		return JsonbPGetDatum(JsonbValueToJsonb(&jv));
	}
	text = value_text(leaf, t->src, v);
	if (t->typid == JSONOID && t->src != SRC_STRING)
	{
		JsonbValue	jv;

		PqValueToJsonb(leaf, v, &jv);
		text = JsonbToCString(NULL, &JsonbValueToJsonb(&jv)->root, 0);
	}
	ctx->rawvalue = text;
	return InputFunctionCall(&col->infunc, text, col->typioparam, col->typmod);
}

/*
 * PqValueToJsonb
 *		A leaf value as a JSON scalar: numbers as numbers (NaN and infinities,
 *		which JSON lacks, as strings), booleans as booleans, everything else
 *		as a string rendered as DuckDB renders it (binary included, so that
 *		our JSON matches an independent engine's).
 */
void
PqValueToJsonb(const PqSchemaNode *leaf, const PqValue *v, JsonbValue *jv)
{
	PqSource	src = source_of(leaf);

	switch (src)
	{
		case SRC_BOOL:
			jv->type = jbvBool;
			jv->val.boolean = v->u.b;
			return;
		case SRC_INT:
			jv->type = jbvNumeric;
			jv->val.numeric = int64_to_numeric(value_int(leaf, v));
			return;
		case SRC_FLOAT:
			{
				double		d = value_float(leaf, v);

				if (!isnan(d) && !isinf(d))
				{
					jv->type = jbvNumeric;
					jv->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
																		  CStringGetDatum(value_text(leaf, src, v)),
																		  ObjectIdGetDatum(InvalidOid),
																		  Int32GetDatum(-1)));
					return;
				}
				break;
			}
		case SRC_UINT64:
		case SRC_DECIMAL:
			jv->type = jbvNumeric;
			jv->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
																  CStringGetDatum(value_text(leaf, src, v)),
																  ObjectIdGetDatum(InvalidOid),
																  Int32GetDatum(-1)));
			return;
		case SRC_STRING:
			check_utf8(&v->u.bytes);
			jv->type = jbvString;
			jv->val.string.val = (char *) v->u.bytes.ptr;
			jv->val.string.len = v->u.bytes.len;
			return;
		case SRC_BINARY:
			{
				/* as DuckDB renders a BLOB: printable ASCII, else \xHH */
				StringInfoData buf;
				uint32		i;

				initStringInfo(&buf);
				for (i = 0; i < v->u.bytes.len; i++)
				{
					uint8		c = v->u.bytes.ptr[i];

					if (c >= 0x20 && c < 0x7f && c != '\\')
						appendStringInfoChar(&buf, (char) c);
					else
						appendStringInfo(&buf, "\\x%02X", c);
				}
				jv->type = jbvString;
				jv->val.string.val = buf.data;
				jv->val.string.len = buf.len;
				return;
			}
		default:
			break;
	}
	jv->type = jbvString;
	jv->val.string.val = value_text(leaf, src, v);
	jv->val.string.len = strlen(jv->val.string.val);
}

/* ----------------------------------------------------------------
 *		Nested values: jsonb built from the reader's events
 * ----------------------------------------------------------------
 */

static JsonbIteratorToken
slot_token(PqLoad *pl)
{
	return (pl->jb != NULL && pl->jb->contVal.type == jbvArray) ?
		WJB_ELEM : WJB_VALUE;
}

static void
push_value(PqLoad *pl, JsonbValue *jv)
{
	if (pl->jb == NULL)
	{
		/* a scalar at the top: a jsonb scalar */
		pl->jb_result = palloc(sizeof(JsonbValue));
		*pl->jb_result = *jv;
		return;
	}
	pl->jb_result = pushJsonbValue(&pl->jb, slot_token(pl), jv);
}

/* A container boundary of the value being built. */
static int
push_token(void *arg, JsonbIteratorToken token)
{
	PqLoad	   *pl = arg;

	pl->jb_result = pushJsonbValue(&pl->jb, token, NULL);
	return 0;
}

static int
v_begin_object(void *arg, const PqSchemaNode *node)
{
	return push_token(arg, WJB_BEGIN_OBJECT);
}

static int
v_end_object(void *arg, const PqSchemaNode *node)
{
	return push_token(arg, WJB_END_OBJECT);
}

static int
v_begin_array(void *arg, const PqSchemaNode *node)
{
	return push_token(arg, WJB_BEGIN_ARRAY);
}

static int
v_end_array(void *arg, const PqSchemaNode *node)
{
	return push_token(arg, WJB_END_ARRAY);
}

static int
v_key(void *arg, const char *name, size_t len)
{
	PqLoad	   *pl = arg;
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) name;
	k.val.string.len = len;
	pushJsonbValue(&pl->jb, WJB_KEY, &k);
	return 0;
}

static int
v_map_key(void *arg, const PqSchemaNode *leaf, const PqValue *v)
{
	PqLoad	   *pl = arg;
	JsonbValue	k;

	k.type = jbvString;
	if (source_of(leaf) == SRC_STRING)
	{
		check_utf8(&v->u.bytes);
		k.val.string.val = (char *) v->u.bytes.ptr;
		k.val.string.len = v->u.bytes.len;
	}
	else
	{
		k.val.string.val = value_text(leaf, source_of(leaf), v);
		k.val.string.len = strlen(k.val.string.val);
	}
	pushJsonbValue(&pl->jb, WJB_KEY, &k);
	return 0;
}

static int
v_scalar(void *arg, const PqSchemaNode *leaf, const PqValue *v)
{
	PqLoad	   *pl = arg;
	JsonbValue	jv;

	PqValueToJsonb(leaf, v, &jv);
	push_value(pl, &jv);
	return 0;
}

static int
v_null(void *arg, const PqSchemaNode *node)
{
	PqLoad	   *pl = arg;
	JsonbValue	jv;

	if (pl->jb == NULL)
	{
		pl->jb_null = true;		/* the whole value is null */
		return 0;
	}
	jv.type = jbvNull;
	push_value(pl, &jv);
	return 0;
}

static const PqVisitor jsonb_visitor_template = {
	.begin_object = v_begin_object,
	.end_object = v_end_object,
	.begin_array = v_begin_array,
	.end_array = v_end_array,
	.key = v_key,
	.map_key = v_map_key,
	.scalar = v_scalar,
	.null = v_null,
};

/*
 * nested_datum
 *		The next value of a nested target as jsonb (or its text for json and
 *		text columns); a null struct or list is SQL NULL.
 */
static Datum
nested_datum(PqLoad *pl, PqTarget *t, bool *isnull)
{
	PqVisitor	visitor = jsonb_visitor_template;
	PqError		err;
	Jsonb	   *jb;
	int			k = t - pl->targets;
	MemoryContext outcxt;
	Datum		result = (Datum) 0;

	/*
	 * The visitor's parse state and the intermediate values are garbage once
	 * the value is built: they go in value_cxt, reset after each value, and
	 * only the result is copied into the batch.
	 */
	outcxt = MemoryContextSwitchTo(pl->value_cxt);
	visitor.ctx = pl;
	pl->jb = NULL;
	pl->jb_result = NULL;
	pl->jb_null = false;
	if (PqRecordVisit(&pl->cursors[k], &visitor, &err) != PQ_OK)
		PqErrorReport(&err, pl->url, pl->row_group, t->node->path);
	*isnull = (pl->jb_null || pl->jb_result == NULL);
	if (!*isnull)
	{
		jb = JsonbValueToJsonb(pl->jb_result);
		if (t->typid == JSONBOID)
		{
			MemoryContextSwitchTo(outcxt);
			result = PointerGetDatum(memcpy(palloc(VARSIZE(jb)), jb, VARSIZE(jb)));
		}
		else
		{
			char	   *s = JsonbToCString(NULL, &jb->root, VARSIZE(jb));

			MemoryContextSwitchTo(outcxt);
			result = CStringGetTextDatum(s);
		}
	}
	MemoryContextSwitchTo(outcxt);
	MemoryContextReset(pl->value_cxt);
	return result;
}

const FormatRoutine ParquetFormat = {
	.name = "parquet",
	.streaming = false,
	.stream_small = true,
	.load = parquet_load
};
