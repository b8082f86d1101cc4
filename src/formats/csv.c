/*-------------------------------------------------------------------------
 *
 * csv.c
 *	  CSV reader: PostgreSQL's own COPY parser splits the records, the loader
 *	  converts and inserts them.
 *
 * BeginCopyFrom() with a data-source callback reads the (inflated) object;
 * NextCopyFromRawFields() returns each record's fields as strings, with
 * COPY's quoting, escaping, NULL-string and encoding rules.  Converting the
 * fields here rather than in NextCopyFrom() lets the loader match header
 * names, skip file columns the table lacks, and budget bad rows.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/formats/csv.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/copy.h"
#include "commands/copyfrom_internal.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "parser/parse_node.h"

#include "loader/loader.h"

/* COPY's data-source callback has no argument: the object being read. */
static TextSource *current_source = NULL;

typedef struct CsvRow
{
	char	  **fields;
	int			nfields;
	int		   *map;			/* field index -> attidx, or -1 */
	int			nmap;
} CsvRow;

static int	read_callback(void *outbuf, int minread, int maxread);
static List *copy_options(LoadOptions *opts);
static int *map_by_header(LoadContext *ctx, char **fields, int nfields);
static int *map_by_position(LoadContext *ctx, int *nmap);
static void convert_row(LoadContext *ctx, void *arg);

/*
 * csv_load
 *		Load one CSV object into ctx's target.
 */
static void
csv_load(LoadContext *ctx, LoadFile *file)
{
	TextSource *volatile saved = current_source;
	ParseState *pstate = make_parsestate(NULL);
	CopyFromState cstate;
	CsvRow		row;

	current_source = TextSourceOpen(ctx, file);
	PG_TRY();
	{
		cstate = BeginCopyFrom(pstate, ctx->rel, NULL, NULL, false,
							   read_callback, NIL,
							   copy_options(ctx->options));
		row.map = NULL;
		if (ctx->options->csv_header)
		{
			ctx->lineno = 1;
			if (!NextCopyFromRawFields(cstate, &row.fields, &row.nfields))
				row.nfields = -1;	/* empty object: nothing to load */
			else if (ctx->options->column_match == COLUMN_MATCH_NAME)
			{
				row.map = map_by_header(ctx, row.fields, row.nfields);
				row.nmap = row.nfields;
			}
		}
		if (row.map == NULL)
			row.map = map_by_position(ctx, &row.nmap);

		for (;;)
		{
			ctx->lineno = cstate->cur_lineno + 1;
			if (!NextCopyFromRawFields(cstate, &row.fields, &row.nfields))
				break;
			ctx->lineno = cstate->cur_lineno;
			if (LoaderConvertRow(ctx, convert_row, &row))
				LoaderRowEnd(ctx);
		}
		EndCopyFrom(cstate);
		LoaderProgressStart(ctx);	/* EndCopyFrom ended it */
	}
	PG_FINALLY();
	{
		TextSource *src = current_source;

		current_source = saved;
		TextSourceClose(src);
	}
	PG_END_TRY();
}

/* BeginCopyFrom's data source: at least minread bytes unless at the end */
static int
read_callback(void *outbuf, int minread, int maxread)
{
	int			total = 0;

	while (total < minread)
	{
		int			n = TextSourceRead(current_source, (char *) outbuf + total,
									   maxread - total);

		if (n == 0)
			break;
		total += n;
	}
	return total;
}

/* The COPY options equivalent to the load's CSV options. */
static List *
copy_options(LoadOptions *opts)
{
	List	   *l = NIL;

	l = lappend(l, makeDefElem("format", (Node *) makeString("csv"), -1));
	l = lappend(l, makeDefElem("delimiter",
							   (Node *) makeString(opts->csv_delimiter), -1));
	l = lappend(l, makeDefElem("quote",
							   (Node *) makeString(opts->csv_quote), -1));
	if (opts->csv_escape)
		l = lappend(l, makeDefElem("escape",
								   (Node *) makeString(opts->csv_escape), -1));
	l = lappend(l, makeDefElem("null", (Node *) makeString(opts->csv_null), -1));
	/* objects are UTF-8 whatever the database encoding; COPY converts */
	l = lappend(l, makeDefElem("encoding", (Node *) makeString("UTF8"), -1));
	return l;
}

/*
 * map_by_header
 *		Map header names to target columns.  Unknown names are skipped, or an
 *		error with strict; so is a target column the header lacks.
 */
static int *
map_by_header(LoadContext *ctx, char **fields, int nfields)
{
	int		   *map = palloc(sizeof(int) * Max(nfields, 1));
	bool	   *seen = palloc0(sizeof(bool) * ctx->natts);
	int			i;

	for (i = 0; i < nfields; i++)
	{
		const char *name = fields[i] ? fields[i] : "";
		int			att = ConvertLookupColumn(ctx, name, strlen(name));

		if (att >= 0 && !TargetColumnIsRead(&ctx->columns[att]))
			att = -1;
		if (att >= 0 && seen[att])
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_COLUMN),
					 errmsg("column \"%s\" appears twice in the header", name)));
		if (att < 0 && ctx->options->strict)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("file column \"%s\" matches no column of the target",
							name),
					 errhint("Remove \"strict\" to ignore it.")));
		map[i] = att;
		if (att >= 0)
			seen[att] = true;
	}
	if (ctx->options->strict)
	{
		for (i = 0; i < ctx->natts; i++)
			if (!seen[i] && TargetColumnIsRead(&ctx->columns[i]))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("target column \"%s\" is missing from the file",
								ctx->columns[i].name),
						 errhint("Remove \"strict\" to give it its default.")));
	}
	return map;
}

/* Fields in file order go to the table's columns in order (Redshift rule). */
static int *
map_by_position(LoadContext *ctx, int *nmap)
{
	int		   *map = palloc(sizeof(int) * Max(ctx->natts, 1));
	int			n = 0;
	int			i;

	for (i = 0; i < ctx->natts; i++)
		if (TargetColumnIsRead(&ctx->columns[i]))
			map[n++] = i;
	*nmap = n;
	return map;
}

/* Convert one record's fields (LoaderConvertRow callback). */
static void
convert_row(LoadContext *ctx, void *arg)
{
	CsvRow	   *row = arg;
	int			i;

	LoaderRowStart(ctx);
	if (row->nfields > row->nmap)
		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg("extra data after last expected column"),
				 errdetail("The record has %d fields; %d were expected.",
						   row->nfields, row->nmap)));
	if (row->nfields < row->nmap)
	{
		int			att = row->map[row->nfields];

		ereport(ERROR,
				(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
				 errmsg("missing data for column \"%s\"",
						att >= 0 ? ctx->columns[att].name : "?"),
				 errdetail("The record has %d fields; %d were expected.",
						   row->nfields, row->nmap)));
	}
	for (i = 0; i < row->nfields; i++)
	{
		int			att = row->map[i];

		if (att < 0)
			continue;
		if (row->fields[i] == NULL)
			ConvertNull(ctx, att);
		else
			ConvertText(ctx, att, row->fields[i]);
	}
}

const FormatRoutine CsvFormat = {
	.name = "csv",
	.streaming = true,
	.load = csv_load
};
