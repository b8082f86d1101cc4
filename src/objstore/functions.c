/*-------------------------------------------------------------------------
 *
 * functions.c
 *	  SQL-callable object-store functions: list_objects and read_object.
 *
 * Both check the caller's privileges for the URL (objstore.c) before any
 * I/O.  See docs/objstore.md.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/objstore/functions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "pg_clickstream.h"
#include "objstore/objstore.h"

PG_FUNCTION_INFO_V1(pg_clickstream_list_objects);
PG_FUNCTION_INFO_V1(pg_clickstream_read_object);

/*
 * pg_clickstream_list_objects
 *		list_objects(prefix_url text) RETURNS TABLE(url text, size bigint,
 *		last_modified timestamptz, etag text): every object under the
 *		prefix, all pages, sorted by URL.  Unknown values are NULL.
 */
Datum
pg_clickstream_list_objects(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *prefix = text_to_cstring(PG_GETARG_TEXT_PP(0));
	List	   *entries;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	entries = ObjstoreList(prefix);
	foreach(lc, entries)
	{
		ObjstoreEntry *e = lfirst(lc);
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(e->url);
		values[1] = Int64GetDatum(e->size);
		nulls[1] = e->size < 0;
		values[2] = TimestampTzGetDatum(e->last_modified);
		nulls[2] = e->last_modified == 0;
		values[3] = e->etag ? CStringGetTextDatum(e->etag) : (Datum) 0;
		nulls[3] = e->etag == NULL;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * pg_clickstream_read_object
 *		read_object(url text) RETURNS bytea: the whole object, at most
 *		clickstream.read_object_max_size.
 */
Datum
pg_clickstream_read_object(PG_FUNCTION_ARGS)
{
	char	   *url = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_BYTEA_P(ObjstoreReadAll(url,
									  (int64) clickstream_read_object_max_kb * 1024));
}
