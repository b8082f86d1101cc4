/*-------------------------------------------------------------------------
 *
 * loader.c
 *	  copy_from_url() and copy_from_manifest(): load objects into a table.
 *
 * One call is one transaction's worth of work: every entry loads, or the
 * call raises and the target is unchanged.  The steps are
 *	  1. open the target, check the caller may INSERT (as COPY does);
 *	  2. check the caller may read every URL, then HEAD each entry to apply
 *		 the manifest rules (mandatory, content_length);
 *	  3. stream the objects through one fetcher, so the next ones download
 *		 while the current one is parsed;
 *	  4. each entry's format reader emits rows; LoaderRowEnd adds defaults
 *		 and hands them to the executor (insert.c).
 * Errors carry a context naming the object, the line or row, the column
 * and the value, like COPY's.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/loader/loader.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/progress.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "parser/parse_relation.h"
#include "pgstat.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "pg_clickstream.h"
#include "loader/loader.h"
#include "manifest/manifest.h"
#include "manifest/manifest_parse.h"

PG_FUNCTION_INFO_V1(pg_clickstream_copy_from_url);
PG_FUNCTION_INFO_V1(pg_clickstream_copy_from_manifest);
PG_FUNCTION_INFO_V1(pg_clickstream_copy_from_manifest_jsonb);
PG_FUNCTION_INFO_V1(pg_clickstream_copy_from_manifest_entries);

/* Longest raw value kept in an error message or in load_errors. */
#define RAW_VALUE_MAX	200

/*
 * Largest object of a ranged format read whole (reads_stream), whatever
 * clickstream.download_buffer_size: the reader holds it whole while it
 * loads.
 */
#define STREAM_SMALL_MAX	((int64) 8 * 1024 * 1024)

/* How often (rows) progress is published and interrupts are checked. */
#define PROGRESS_EVERY	1024

static uint64 load_entries(Oid relid, Manifest *manifest, int64 *entry_rows,
						   const char *format, Jsonb *options);
static Relation open_target(Oid relid, List **range_table);
static void check_entries(Manifest *manifest, ObjstoreInfo *infos,
						  bool *skip);
static const FormatRoutine *format_routine(LoadFormat format, const char *url);
static bool reads_stream(const FormatRoutine *routine, const char *url,
						 int64 size);
static void loader_error_callback(void *arg);
static void record_rejected_row(LoadContext *ctx, ErrorData *edata);
static char *truncate_value(const char *value);
static Oid	relation_owner(Oid relid);

/*
 * copy_from_url(target regclass, url text, format text, options jsonb)
 *		Load one object; returns the rows loaded.
 */
Datum
pg_clickstream_copy_from_url(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *url = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *format = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	Jsonb	   *options = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	Manifest   *manifest = palloc0(sizeof(Manifest));

	(void) ObjstoreUrlKind(url);	/* reject unknown schemes first */
	manifest->nentries = 1;
	manifest->entries = palloc0(sizeof(ManifestEntry));
	manifest->entries[0].url = url;
	manifest->entries[0].mandatory = true;
	manifest->entries[0].content_length = -1;

	PG_RETURN_INT64((int64) load_entries(relid, manifest, NULL, format, options));
}

/*
 * copy_from_manifest(target regclass, manifest_url text, format, options)
 *		Read the manifest object, then load its entries.
 */
Datum
pg_clickstream_copy_from_manifest(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *manifest_url = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *format = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	Jsonb	   *options = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	bytea	   *raw;
	Manifest   *manifest;

	ObjstoreCheckPrivileges(manifest_url);
	raw = ObjstoreReadAll(manifest_url, (int64) MF_MAX_BYTES);
	manifest = ManifestParse(VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw),
							 ObjstoreRedactUrl(manifest_url));
	PG_RETURN_INT64((int64) load_entries(relid, manifest, NULL, format, options));
}

/*
 * copy_from_manifest(target regclass, manifest jsonb, format, options)
 *		Load the entries of an inline manifest.
 */
Datum
pg_clickstream_copy_from_manifest_jsonb(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Jsonb	   *jb = PG_GETARG_JSONB_P(1);
	char	   *format = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	Jsonb	   *options = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);

	PG_RETURN_INT64((int64) load_entries(relid, ManifestFromJsonb(jb), NULL,
										 format, options));
}

/*
 * copy_from_manifest_entries(target regclass, manifest jsonb, format, options)
 *		Load the entries of an inline manifest in one call, like
 *		copy_from_manifest, and return one row per entry: its position, its
 *		URL (credentials redacted) and the rows it loaded.  One call lets the
 *		next objects download while the current one loads, which one call
 *		per object (to learn each object's count) would not.
 */
Datum
pg_clickstream_copy_from_manifest_entries(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = PG_GETARG_OID(0);
	Jsonb	   *jb = PG_GETARG_JSONB_P(1);
	char	   *format = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	Jsonb	   *options = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	Manifest   *manifest = ManifestFromJsonb(jb);
	int64	   *entry_rows = palloc0(sizeof(int64) * Max(manifest->nentries, 1));
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	(void) load_entries(relid, manifest, entry_rows, format, options);
	for (i = 0; i < manifest->nentries; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(ObjstoreRedactUrl(manifest->entries[i].url));
		values[2] = Int64GetDatum(entry_rows[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * reads_stream
 *		Whether the object at url (size bytes, -1 if unknown) is read through
 *		a streaming download: always for a streaming format; for a ranged one
 *		(Parquet) when it is a network object no larger than one download
 *		buffer (and STREAM_SMALL_MAX).  A small Parquet file read in ranges
 *		costs two round trips (footer, then chunks) while nothing else
 *		happens, more than its transfer; as a stream it arrives whole while
 *		the objects before it load.  Larger objects keep ranged reads: only
 *		the needed columns, in bounded memory.
 */
static bool
reads_stream(const FormatRoutine *routine, const char *url, int64 size)
{
	if (routine->streaming)
		return true;
	return routine->stream_small && size > 0 &&
		size <= Min((int64) clickstream_download_buffer_kb * 1024, STREAM_SMALL_MAX) &&
		ObjstoreUrlKind(url) != OBJSTORE_FILE;
}

/*
 * load_entries
 *		Load every entry of manifest into relid; returns rows loaded, and
 *		each entry's rows in entry_rows[] unless it is NULL.
 */
static uint64
load_entries(Oid relid, Manifest *manifest, int64 *entry_rows, const char *format,
			 Jsonb *options)
{
	MemoryContext callcxt;
	MemoryContext oldcxt;
	LoadContext *ctx;
	List	   *range_table;
	ObjstoreInfo *infos;
	bool	   *skip;
	const FormatRoutine **routines;
	ObjstoreStream **streams;
	ObjstoreFetcher *fetcher;
	ErrorContextCallback errcallback;
	uint64		result;
	int			i;

	callcxt = AllocSetContextCreate(CurrentMemoryContext,
									"clickstream load",
									ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(callcxt);

	ctx = palloc0(sizeof(LoadContext));
	ctx->options = LoadOptionsParse(options, format);
	ctx->rel = open_target(relid, &range_table);
	ctx->tupdesc = RelationGetDescr(ctx->rel);
	ctx->natts = ctx->tupdesc->natts;
	ctx->values = palloc0(sizeof(Datum) * Max(ctx->natts, 1));
	ctx->nulls = palloc0(sizeof(bool) * Max(ctx->natts, 1));
	ctx->present = palloc0(sizeof(bool) * Max(ctx->natts, 1));
	ctx->row_context = AllocSetContextCreate(callcxt, "clickstream row",
											 ALLOCSET_DEFAULT_SIZES);
	ctx->estate = CreateExecutorState();
	ctx->default_econtext = CreateStandaloneExprContext();
	ConvertInitColumns(ctx);

	/* every URL and format is checked before anything is read */
	routines = palloc(sizeof(FormatRoutine *) * Max(manifest->nentries, 1));
	for (i = 0; i < manifest->nentries; i++)
	{
		const char *url = manifest->entries[i].url;

		ObjstoreCheckPrivileges(url);
		routines[i] = format_routine(LoadFormatForUrl(ctx->options, url), url);
	}
	infos = palloc0(sizeof(ObjstoreInfo) * Max(manifest->nentries, 1));
	skip = palloc0(sizeof(bool) * Max(manifest->nentries, 1));
	check_entries(manifest, infos, skip);
	for (i = 0; i < manifest->nentries; i++)
		if (!skip[i] && infos[i].size > 0)
			ctx->bytes_total += infos[i].size;

	errcallback.callback = loader_error_callback;
	errcallback.arg = ctx;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	ctx->inserter = RowInserterBegin(ctx->rel, range_table, ctx->estate);
	RowInserterSetLineCounter(ctx->inserter, &ctx->lineno);
	if (ctx->volatile_default)
		RowInserterDisableBatching(ctx->inserter);
	LoaderProgressStart(ctx);

	/* queue the streaming downloads in order; they start as slots free up */
	fetcher = ObjstoreFetcherCreate(clickstream_max_concurrent_downloads);
	ctx->fetcher = fetcher;
	streams = palloc0(sizeof(ObjstoreStream *) * Max(manifest->nentries, 1));
	for (i = 0; i < manifest->nentries; i++)
		if (!skip[i] && reads_stream(routines[i], manifest->entries[i].url, infos[i].size))
			streams[i] = ObjstoreFetcherAdd(fetcher, manifest->entries[i].url,
											infos[i].size);

	for (i = 0; i < manifest->nentries; i++)
	{
		LoadFile	file;

		if (skip[i])
			continue;
		file.url = manifest->entries[i].url;
		file.size = infos[i].size;
		file.stream = streams[i];
		ctx->url = ObjstoreRedactUrl(file.url);
		ctx->position = NULL;
		ctx->lineno = 0;
		ctx->file_rows = 0;
		routines[i]->load(ctx, &file);
		/* errors of the last rows' index entries still name the reader's unit */
		RowInserterFlush(ctx->inserter);
		if (entry_rows)
			entry_rows[i] = (int64) ctx->file_rows;
		if (file.stream)
			ObjstoreStreamClose(file.stream);
		ctx->url = NULL;
		ctx->lineno = 0;
	}

	RowInserterFinish(ctx->inserter);
	ObjstoreFetcherDestroy(fetcher);
	LoaderReportProgress(ctx);
	pgstat_progress_end_command();
	error_context_stack = errcallback.previous;

	if (ctx->rows_rejected > 0)
		ereport(NOTICE,
				(errmsg(UINT64_FORMAT " rows were rejected", ctx->rows_rejected),
				 errdetail("They are listed in clickstream.load_errors with load_id " INT64_FORMAT ".",
						   ctx->load_id)));

	result = ctx->rows_loaded;
	FreeExprContext(ctx->default_econtext, true);
	FreeExecutorState(ctx->estate);
	table_close(ctx->rel, NoLock);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(callcxt);
	return result;
}

/*
 * open_target
 *		Open relid for insertion with COPY's rules: a table or partitioned
 *		table, no row-level security, INSERT privilege on the columns.
 *		Returns the relation (locked) and the one-entry range table.
 */
static Relation
open_target(Oid relid, List **range_table)
{
	Relation	rel = table_open(relid, RowExclusiveLock);
	ParseState *pstate = make_parsestate(NULL);
	ParseNamespaceItem *nsitem;
	RangeTblEntry *rte;
	int			i;

	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot load into \"%s\"", RelationGetRelationName(rel)),
				 errdetail("Only tables and partitioned tables can be loaded.")));
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("loading into a table with row-level security is not supported"),
				 errhint("Load into a table without row-level security, then INSERT ... SELECT.")));

	nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock,
										   NULL, false, false);
	rte = nsitem->p_rte;
	rte->requiredPerms = ACL_INSERT;
	for (i = 0; i < RelationGetDescr(rel)->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), i);

		if (att->attisdropped || att->attgenerated)
			continue;
		rte->insertedCols = bms_add_member(rte->insertedCols,
										   att->attnum - FirstLowInvalidHeapAttributeNumber);
	}
	ExecCheckRTPerms(pstate->p_rtable, true);
	*range_table = pstate->p_rtable;
	return rel;
}

/*
 * check_entries
 *		HEAD every entry: a missing mandatory object and a content_length
 *		that differs from the object's size are errors; a missing optional
 *		object is skipped with a NOTICE.
 */
static void
check_entries(Manifest *manifest, ObjstoreInfo *infos, bool *skip)
{
	int			i;

	for (i = 0; i < manifest->nentries; i++)
	{
		ManifestEntry *e = &manifest->entries[i];

		CHECK_FOR_INTERRUPTS();
		if (!ObjstoreStat(e->url, &infos[i]))
		{
			if (e->mandatory)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_FILE),
						 errmsg("mandatory object \"%s\" does not exist",
								ObjstoreRedactUrl(e->url))));
			ereport(NOTICE,
					(errmsg("skipping missing object \"%s\"",
							ObjstoreRedactUrl(e->url)),
					 errdetail("The manifest entry is not mandatory.")));
			skip[i] = true;
			continue;
		}
		if (e->content_length >= 0 && infos[i].size >= 0 &&
			e->content_length != infos[i].size)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("object \"%s\" has " INT64_FORMAT " bytes, but the manifest says " INT64_FORMAT,
							ObjstoreRedactUrl(e->url), infos[i].size,
							e->content_length),
					 errhint("The object changed after the manifest was written, or the manifest is wrong.")));
	}
}

static const FormatRoutine *
format_routine(LoadFormat format, const char *url)
{
	switch (format)
	{
		case LOAD_FORMAT_CSV:
			return &CsvFormat;
		case LOAD_FORMAT_JSONL:
			return &JsonlFormat;
		case LOAD_FORMAT_PARQUET:
			return &ParquetFormat;
		default:
			elog(ERROR, "no reader for format %d", (int) format);
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * LoaderRowStart
 *		Begin a row: no column has a value yet.  Called by the readers from
 *		their conversion callback, in the row memory context.
 */
void
LoaderRowStart(LoadContext *ctx)
{
	memset(ctx->present, 0, sizeof(bool) * ctx->natts);
}

/*
 * LoaderRowEnd
 *		Give columns the row did not set their default (or NULL) and insert
 *		the row.
 */
void
LoaderRowEnd(LoadContext *ctx)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(ctx->row_context);
	int			i;

	for (i = 0; i < ctx->natts; i++)
	{
		TargetColumn *col = &ctx->columns[i];

		if (ctx->present[i])
			continue;
		if (col->defexpr != NULL)
			ctx->values[i] = ExecEvalExpr(col->defexpr, ctx->default_econtext,
										  &ctx->nulls[i]);
		else
		{
			ctx->values[i] = (Datum) 0;
			ctx->nulls[i] = true;
		}
	}
	RowInserterPut(ctx->inserter, ctx->values, ctx->nulls);
	MemoryContextSwitchTo(oldcxt);

	ctx->rows_loaded++;
	ctx->file_rows++;
	if (ctx->rows_loaded % PROGRESS_EVERY == 0)
	{
		LoaderReportProgress(ctx);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * LoaderConvertRow
 *		Run convert(ctx, arg), which fills the row, in a fresh row memory
 *		context.  With a max_errors budget the conversion runs in a
 *		subtransaction: a failure is recorded in clickstream.load_errors and
 *		the row skipped (returns false), until the budget is spent.
 */
bool
LoaderConvertRow(LoadContext *ctx, void (*convert) (LoadContext *ctx, void *arg),
				 void *arg)
{
	MemoryContext oldcxt;
	ResourceOwner oldowner;
	volatile bool ok = true;

	MemoryContextReset(ctx->row_context);
	oldcxt = MemoryContextSwitchTo(ctx->row_context);
	if (ctx->options->max_errors == 0)
	{
		convert(ctx, arg);
		MemoryContextSwitchTo(oldcxt);
		return true;
	}

	oldowner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(ctx->row_context);
	PG_TRY();
	{
		convert(ctx, arg);
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		ok = false;
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		record_rejected_row(ctx, edata);
		FreeErrorData(edata);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	CurrentResourceOwner = oldowner;
	ctx->colname = NULL;
	ctx->rawvalue = NULL;
	return ok;
}

/*
 * LoaderProgressStart
 *		(Re)start the pg_stat_progress_copy row of this backend and publish
 *		the load's totals.  COPY's own BeginCopyFrom/EndCopyFrom, used by
 *		the CSV reader, start and end it too, hence "re".
 */
void
LoaderProgressStart(LoadContext *ctx)
{
	pgstat_progress_start_command(PROGRESS_COMMAND_COPY,
								  RelationGetRelid(ctx->rel));
	pgstat_progress_update_param(PROGRESS_COPY_COMMAND,
								 PROGRESS_COPY_COMMAND_FROM);
	pgstat_progress_update_param(PROGRESS_COPY_TYPE,
								 PROGRESS_COPY_TYPE_CALLBACK);
	LoaderReportProgress(ctx);
}

/*
 * LoaderReportProgress
 *		Publish bytes and rows so far in pg_stat_progress_copy.
 */
void
LoaderReportProgress(LoadContext *ctx)
{
	const int	index[] = {
		PROGRESS_COPY_BYTES_PROCESSED,
		PROGRESS_COPY_BYTES_TOTAL,
		PROGRESS_COPY_TUPLES_PROCESSED,
		PROGRESS_COPY_TUPLES_EXCLUDED
	};
	int64		values[4];

	values[0] = ctx->bytes_read;
	values[1] = ctx->bytes_total;
	values[2] = (int64) ctx->rows_loaded;
	values[3] = (int64) ctx->rows_rejected;
	pgstat_progress_update_multi_param(4, index, values);
}

/*
 * loader_error_callback
 *		Error context: the object, the line or row, the column and value.
 */
static void
loader_error_callback(void *arg)
{
	LoadContext *ctx = arg;
	const char *unit = ctx->position ? ctx->position : "line";

	if (ctx->url == NULL)
		return;
	if (ctx->colname && ctx->rawvalue)
		errcontext("loading \"%s\", %s " INT64_FORMAT ", column %s: \"%s\"",
				   ctx->url, unit, ctx->lineno, ctx->colname,
				   truncate_value(ctx->rawvalue));
	else if (ctx->colname)
		errcontext("loading \"%s\", %s " INT64_FORMAT ", column %s",
				   ctx->url, unit, ctx->lineno, ctx->colname);
	else if (ctx->lineno > 0)
		errcontext("loading \"%s\", %s " INT64_FORMAT,
				   ctx->url, unit, ctx->lineno);
	else
		errcontext("loading \"%s\"", ctx->url);
}

/*
 * record_rejected_row
 *		Count a rejected row, raise when the budget is spent, else keep it
 *		in clickstream.load_errors.
 */
static void
record_rejected_row(LoadContext *ctx, ErrorData *edata)
{
	Oid			argtypes[7] = {INT8OID, TEXTOID, INT8OID, TEXTOID, TEXTOID,
	TEXTOID, TEXTOID};
	Datum		args[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	Oid			load_errors;
	Oid			save_userid;
	int			save_sec_context;

	ctx->rows_rejected++;
	if ((int64) ctx->rows_rejected > ctx->options->max_errors)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("more than " INT64_FORMAT " rows were rejected",
						ctx->options->max_errors),
				 errdetail("The last rejected row: %s", edata->message),
				 errhint("Fix the input or raise max_errors.")));

	load_errors = get_relname_relid("load_errors",
									get_namespace_oid("clickstream", false));
	args[1] = CStringGetTextDatum(ctx->url ? ctx->url : "");
	args[2] = Int64GetDatum(ctx->lineno);
	if (ctx->colname)
		args[3] = CStringGetTextDatum(ctx->colname);
	else
		nulls[3] = 'n';
	if (ctx->rawvalue)
		args[4] = CStringGetTextDatum(truncate_value(ctx->rawvalue));
	else
		nulls[4] = 'n';
	args[5] = CStringGetTextDatum(edata->message ? edata->message : "");
	args[6] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));

	/* write as the table's owner: callers have no privilege on it */
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(relation_owner(load_errors),
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	if (ctx->load_id == 0)
		ctx->load_id = DatumGetInt64(DirectFunctionCall1(nextval_oid,
														 ObjectIdGetDatum(get_relname_relid("load_id_seq",
																							get_namespace_oid("clickstream", false)))));
	args[0] = Int64GetDatum(ctx->load_id);
	SPI_connect();
	if (SPI_execute_with_args("INSERT INTO clickstream.load_errors "
							  "(load_id, url, line, column_name, raw_value, message, loaded_by) "
							  "VALUES ($1, $2, $3, $4, $5, $6, $7)",
							  7, argtypes, args, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record a rejected row");
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/* The owner of a relation. */
static Oid
relation_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/* At most RAW_VALUE_MAX bytes of a value, cut at a character boundary. */
static char *
truncate_value(const char *value)
{
	int			len = strlen(value);

	if (len <= RAW_VALUE_MAX)
		return pstrdup(value);
	len = pg_mbcliplen(value, len, RAW_VALUE_MAX);
	return psprintf("%.*s...", len, value);
}
