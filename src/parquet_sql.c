/*-------------------------------------------------------------------------
 *
 * parquet_sql.c
 *	  parquet_schema(url) and parquet_metadata(url): look inside a Parquet
 *	  file's footer from SQL (the helpers pg_parquet users expect).
 *
 * Only the footer is read (ranged reads of the object's tail).
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/parquet_sql.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"

#include "objstore/objstore.h"
#include "parquet_pg.h"

PG_FUNCTION_INFO_V1(pg_clickstream_parquet_schema);
PG_FUNCTION_INFO_V1(pg_clickstream_parquet_metadata);

/* Open url's footer after the privilege check. */
static void
open_footer(PqFile *file, const char *url)
{
	ObjstoreInfo info;

	ObjstoreCheckPrivileges(url);
	if (!ObjstoreStat(url, &info))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("object \"%s\" does not exist", ObjstoreRedactUrl(url))));
	PqOpenFooter(file, url, info.size, NULL);
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* The logical type's name, or NULL when it has none. */
static const char *
logical_name(const PqSchemaNode *node)
{
	if (node->logical.kind == PQ_LT_NONE)
		return NULL;
	return PqLogicalTypeName(&node->logical);
}

/*
 * parquet_schema(url text) RETURNS TABLE (position int, name text, path text,
 *		physical_type text, logical_type text, converted_type text,
 *		repetition text, type_length int, max_definition_level int,
 *		max_repetition_level int, num_children int)
 *		One row per schema node, root first, in file order.
 */
Datum
pg_clickstream_parquet_schema(PG_FUNCTION_ARGS)
{
	char	   *url = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PqFile		file;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	open_footer(&file, url);
	for (i = 0; i < file.num_nodes; i++)
	{
		const PqSchemaNode *n = &file.nodes[i];
		Datum		values[11];
		bool		nulls[11] = {0};

		values[0] = Int32GetDatum(i);
		values[1] = CStringGetTextDatum(n->name ? n->name : "");
		values[2] = CStringGetTextDatum(n->path ? n->path : "");
		values[3] = text_or_null(n->physical_type == PQ_GROUP ? NULL :
								 PqPhysicalTypeName(n->physical_type), &nulls[3]);
		values[4] = text_or_null(logical_name(n), &nulls[4]);
		values[5] = text_or_null(n->converted_type == PQ_CT_NONE ? NULL :
								 PqConvertedTypeName(n->converted_type), &nulls[5]);
		values[6] = text_or_null(i == 0 ? NULL : PqRepetitionName(n->repetition),
								 &nulls[6]);
		values[7] = Int32GetDatum(n->type_length);
		nulls[7] = (n->physical_type != PQ_FIXED_LEN_BYTE_ARRAY);
		values[8] = Int32GetDatum(n->max_def);
		values[9] = Int32GetDatum(n->max_rep);
		values[10] = Int32GetDatum(n->num_children);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PqFileReset(&file);
	return (Datum) 0;
}

/* Encodings of a chunk as "PLAIN, RLE_DICTIONARY". */
static char *
encodings_text(const PqColumnChunkMeta *cm)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < cm->num_encodings; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "",
						 PqEncodingName(cm->encodings[i]));
	return buf.data;
}

/* A statistics bound as bytea (PLAIN encoded, as in the file). */
static Datum
stat_bytes(bool has, PqByteView v, bool *isnull)
{
	bytea	   *b;

	*isnull = !has;
	if (!has)
		return (Datum) 0;
	b = palloc(VARHDRSZ + v.len);
	SET_VARSIZE(b, VARHDRSZ + v.len);
	memcpy(VARDATA(b), v.ptr, v.len);
	return PointerGetDatum(b);
}

/*
 * parquet_metadata(url text) RETURNS TABLE (row_group int, row_group_rows
 *		bigint, column_index int, path text, physical_type text, codec text,
 *		encodings text, num_values bigint, compressed_size bigint,
 *		uncompressed_size bigint, data_page_offset bigint,
 *		dictionary_page_offset bigint, null_count bigint, min bytea, max bytea)
 *		One row per row group and column chunk.
 */
Datum
pg_clickstream_parquet_metadata(PG_FUNCTION_ARGS)
{
	char	   *url = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PqFile		file;
	int			g;
	int			c;

	InitMaterializedSRF(fcinfo, 0);
	open_footer(&file, url);
	for (g = 0; g < file.num_row_groups; g++)
	{
		const PqRowGroupMeta *rg = &file.row_groups[g];

		for (c = 0; c < rg->num_columns; c++)
		{
			const PqColumnChunkMeta *cm = &rg->columns[c];
			Datum		values[15];
			bool		nulls[15] = {0};

			values[0] = Int32GetDatum(g);
			values[1] = Int64GetDatum(rg->num_rows);
			values[2] = Int32GetDatum(c);
			values[3] = CStringGetTextDatum(cm->path ? cm->path : "");
			values[4] = CStringGetTextDatum(PqPhysicalTypeName(cm->physical_type));
			values[5] = CStringGetTextDatum(PqCodecName(cm->codec));
			values[6] = CStringGetTextDatum(encodings_text(cm));
			values[7] = Int64GetDatum(cm->num_values);
			values[8] = Int64GetDatum(cm->total_compressed_size);
			values[9] = Int64GetDatum(cm->total_uncompressed_size);
			values[10] = Int64GetDatum(cm->data_page_offset);
			values[11] = Int64GetDatum(cm->dictionary_page_offset);
			nulls[11] = cm->dictionary_page_offset < 0;
			values[12] = Int64GetDatum(cm->statistics.null_count);
			nulls[12] = !cm->statistics.has_null_count;
			values[13] = stat_bytes(cm->statistics.has_min, cm->statistics.min,
									&nulls[13]);
			values[14] = stat_bytes(cm->statistics.has_max, cm->statistics.max,
									&nulls[14]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
								 values, nulls);
		}
	}
	PqFileReset(&file);
	return (Datum) 0;
}
