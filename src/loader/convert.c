/*-------------------------------------------------------------------------
 *
 * convert.c
 *	  Target columns of a load: their input functions, defaults, and a fast
 *	  name lookup for readers that meet column names once per row.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/loader/convert.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "loader/loader.h"

static uint32 name_hash(const char *name, int len);

/*
 * ConvertInitColumns
 *		Fill ctx->columns for every attribute of ctx->rel: the type's input
 *		function, and the default expression prepared in ctx->estate.  Build
 *		the case-insensitive name lookup.  Sets ctx->volatile_default when a
 *		default is volatile (nextval excepted, as in COPY): rows must then
 *		be inserted one at a time.
 */
void
ConvertInitColumns(LoadContext *ctx)
{
	int			i;
	uint32		size = 16;
	ListCell   *lc;

	ctx->columns = palloc0(sizeof(TargetColumn) * ctx->natts);
	for (i = 0; i < ctx->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(ctx->tupdesc, i);
		TargetColumn *col = &ctx->columns[i];
		Oid			infunc;
		Node	   *defexpr;

		col->name = NameStr(att->attname);
		col->dropped = att->attisdropped;
		if (col->dropped)
			continue;
		col->typid = att->atttypid;
		col->basetype = getBaseType(att->atttypid);
		col->typmod = att->atttypmod;
		col->generated = att->attgenerated != '\0';
		getTypeInputInfo(att->atttypid, &infunc, &col->typioparam);
		fmgr_info(infunc, &col->infunc);

		if (col->generated)
			continue;
		defexpr = build_column_default(ctx->rel, i + 1);
		if (defexpr != NULL)
		{
			defexpr = (Node *) expression_planner((Expr *) defexpr);
			col->defexpr = ExecInitExpr((Expr *) defexpr, NULL);
			if (contain_volatile_functions_not_nextval(defexpr))
				ctx->volatile_default = true;
		}
	}

	/* open addressing, at most half full */
	while (size < (uint32) ctx->natts * 2)
		size <<= 1;
	ctx->lookup = palloc0(sizeof(int) * size);
	ctx->lookup_mask = size - 1;
	for (i = 0; i < ctx->natts; i++)
	{
		uint32		h;

		if (ctx->columns[i].dropped)
			continue;
		h = name_hash(ctx->columns[i].name, strlen(ctx->columns[i].name));
		while (ctx->lookup[h & ctx->lookup_mask] != 0)
			h++;
		ctx->lookup[h & ctx->lookup_mask] = i + 1;
	}

	/* the "defaults" option: named columns are never read, only defaulted */
	foreach(lc, ctx->options->defaults)
	{
		const char *name = lfirst(lc);
		int			att = ConvertLookupColumn(ctx, name, strlen(name));

		if (att < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of option \"defaults\" is not a column of relation \"%s\"",
							name, RelationGetRelationName(ctx->rel))));
		ctx->columns[att].use_default = true;
	}
}

/*
 * ConvertLookupColumn
 *		The attribute index (0-based) of the column called name (len bytes,
 *		not necessarily terminated), or -1.  Names match case-insensitively;
 *		an exact match wins over a case-insensitive one.
 */
int
ConvertLookupColumn(LoadContext *ctx, const char *name, int len)
{
	uint32		h = name_hash(name, len);
	int			found = -1;

	for (;; h++)
	{
		int			slot = ctx->lookup[h & ctx->lookup_mask];
		const char *colname;

		if (slot == 0)
			return found;
		colname = ctx->columns[slot - 1].name;
		if (pg_strncasecmp(colname, name, len) == 0 && colname[len] == '\0')
		{
			if (strncmp(colname, name, len) == 0)
				return slot - 1;
			if (found < 0)
				found = slot - 1;
		}
	}
}

/*
 * ConvertText
 *		Convert text (NUL-terminated, in the current memory context) into the
 *		column attidx of the row being built, through the type's input
 *		function.  Errors name the column and the value (error context).
 */
void
ConvertText(LoadContext *ctx, int attidx, char *text)
{
	TargetColumn *col = &ctx->columns[attidx];

	ctx->colname = col->name;
	ctx->rawvalue = text;
	if (col->typid == TEXTOID)
		ctx->values[attidx] = PointerGetDatum(cstring_to_text(text));
	else
		ctx->values[attidx] = InputFunctionCall(&col->infunc, text,
												col->typioparam, col->typmod);
	ctx->nulls[attidx] = false;
	ctx->present[attidx] = true;
	ctx->colname = NULL;
	ctx->rawvalue = NULL;
}

/*
 * ConvertNull
 *		Set column attidx of the row being built to NULL.  Domains with NOT
 *		NULL are checked by running the input function on NULL, as COPY does.
 */
void
ConvertNull(LoadContext *ctx, int attidx)
{
	TargetColumn *col = &ctx->columns[attidx];

	ctx->colname = col->name;
	ctx->values[attidx] = InputFunctionCall(&col->infunc, NULL,
											col->typioparam, col->typmod);
	ctx->nulls[attidx] = true;
	ctx->present[attidx] = true;
	ctx->colname = NULL;
}

/* FNV-1a over ASCII-lowercased bytes */
static uint32
name_hash(const char *name, int len)
{
	uint32		h = 2166136261u;
	int			i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) name[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 16777619u;
	}
	return h;
}
