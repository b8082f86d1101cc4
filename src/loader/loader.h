/*-------------------------------------------------------------------------
 *
 * loader.h
 *	  The manifest-driven loader: options, the per-load state shared by the
 *	  format readers, row emission and insertion.
 *
 * A format reader (CSV, JSON lines, Parquet) turns one object into rows.  For
 * each row it calls LoaderRowStart, fills ctx->values/nulls/present for the
 * target columns it found, and calls LoaderRowEnd, which supplies defaults
 * for the columns the row did not mention and hands the row to the inserter.
 * The inserter uses the executor, so defaults, constraints, indexes,
 * triggers, partition routing and privileges behave as with COPY.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/loader/loader.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOADER_H
#define LOADER_H

#include "access/tupdesc.h"
#include "executor/execdesc.h"
#include "fmgr.h"
#include "nodes/execnodes.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"

#include "objstore/objstore.h"

struct LoadContext;
struct RowInserter;

typedef enum LoadFormat
{
	LOAD_FORMAT_AUTO,
	LOAD_FORMAT_CSV,
	LOAD_FORMAT_JSONL,
	LOAD_FORMAT_PARQUET
} LoadFormat;

typedef enum ColumnMatch
{
	COLUMN_MATCH_NAME,
	COLUMN_MATCH_POSITION
} ColumnMatch;

/* Options of one load, parsed from the jsonb argument (see options.c). */
typedef struct LoadOptions
{
	LoadFormat	format;
	ColumnMatch column_match;
	int64		max_errors;		/* rows that may be skipped; 0 = none */
	char	   *accept_invalid_chars;	/* replacement for bad UTF-8, or NULL */
	bool		strict;			/* unmatched columns are errors */
	/* CSV */
	bool		csv_header;
	char	   *csv_delimiter;
	char	   *csv_quote;
	char	   *csv_escape;
	char	   *csv_null;
	/* target column -> path in the file ("device.mobile_brand_name") */
	List	   *column_paths;	/* list of ColumnPath */
	List	   *defaults;		/* column names never read from files */
} LoadOptions;

typedef struct ColumnPath
{
	char	   *column;
	char	   *path;
} ColumnPath;

/* How to turn text (or a JSON token) into a Datum for one target column. */
typedef struct TargetColumn
{
	char	   *name;
	Oid			typid;
	Oid			basetype;		/* typid, or a domain's base type */
	int32		typmod;
	Oid			typioparam;
	FmgrInfo	infunc;
	bool		generated;		/* stored generated: never loaded */
	bool		dropped;
	bool		use_default;	/* in the "defaults" option: never read */
	ExprState  *defexpr;		/* default, or NULL for NULL */
} TargetColumn;

/* Does the column take its value from the files?  Not if dropped, generated or defaulted. */
static inline bool
TargetColumnIsRead(const TargetColumn *col)
{
	return !col->dropped && !col->generated && !col->use_default;
}

/* Per-load state shared with the format readers. */
typedef struct LoadContext
{
	Relation	rel;
	TupleDesc	tupdesc;
	int			natts;
	TargetColumn *columns;		/* natts entries */
	LoadOptions *options;
	int64		load_id;
	int		   *lookup;			/* name hash: attidx + 1, or 0 (convert.c) */
	uint32		lookup_mask;
	bool		volatile_default;	/* rows must go in one at a time */

	/* the row being built, in row_context */
	Datum	   *values;
	bool	   *nulls;
	bool	   *present;
	MemoryContext row_context;

	/* what the error context names */
	const char *url;
	int64		lineno;			/* line (text formats) or row (Parquet) */
	const char *colname;		/* column being converted, or NULL */
	const char *rawvalue;		/* value being converted, or NULL */
	const char *position;		/* extra position, e.g. row group and column */

	/* totals */
	uint64		rows_loaded;
	uint64		rows_rejected;
	uint64		file_rows;
	int64		bytes_read;
	int64		bytes_total;

	struct RowInserter *inserter;
	ObjstoreFetcher *fetcher;	/* downloads of this load */
	EState	   *estate;
	ExprContext *default_econtext;	/* evaluates column defaults */
} LoadContext;

/* What a reader gets for one object. */
typedef struct LoadFile
{
	const char *url;
	int64		size;			/* -1 if unknown */
	ObjstoreStream *stream;		/* streaming formats; small objects of others */
} LoadFile;

/* A format reader. */
typedef struct FormatRoutine
{
	const char *name;
	bool		streaming;		/* reads through ObjstoreStream (else ranges) */
	bool		stream_small;	/* a ranged format that takes a network object
								 * no larger than a download buffer as a
								 * stream (LoadFile.stream), downloaded whole
								 * while the objects before it load */
	void		(*load) (LoadContext *ctx, LoadFile *file);
} FormatRoutine;

/* in options.c */
extern LoadOptions *LoadOptionsParse(Jsonb *options, const char *format);
extern LoadFormat LoadFormatForUrl(LoadOptions *options, const char *url);
extern const char *LoadFormatName(LoadFormat format);

/* in loader.c */
extern void LoaderRowStart(LoadContext *ctx);
extern void LoaderRowEnd(LoadContext *ctx);
extern bool LoaderConvertRow(LoadContext *ctx,
							 void (*convert) (LoadContext *ctx, void *arg),
							 void *arg);
extern void LoaderProgressStart(LoadContext *ctx);
extern void LoaderReportProgress(LoadContext *ctx);

/* in convert.c */
extern void ConvertInitColumns(LoadContext *ctx);
extern int	ConvertLookupColumn(LoadContext *ctx, const char *name, int len);
extern void ConvertText(LoadContext *ctx, int attidx, char *text);
extern void ConvertNull(LoadContext *ctx, int attidx);

/* in insert.c */
extern struct RowInserter *RowInserterBegin(Relation rel, List *range_table,
											EState *estate);
extern void RowInserterSetLineCounter(struct RowInserter *ins,
									  int64 *lineno);
extern void RowInserterDisableBatching(struct RowInserter *ins);
extern void RowInserterPut(struct RowInserter *ins, Datum *values,
						   bool *nulls);
extern void RowInserterFlush(struct RowInserter *ins);
extern void RowInserterFinish(struct RowInserter *ins);

/* in textsource.c */
typedef struct TextSource TextSource;
extern TextSource *TextSourceOpen(LoadContext *ctx, LoadFile *file);
extern int	TextSourceRead(TextSource *src, char *buf, int len);
extern bool TextSourceNextLine(TextSource *src, char **line, int *len);
extern void TextSourceClose(TextSource *src);

/* format readers, in formats/ */
extern const FormatRoutine CsvFormat;
extern const FormatRoutine JsonlFormat;

/* in parquet_pg.c */
extern const FormatRoutine ParquetFormat;

#endif							/* LOADER_H */
