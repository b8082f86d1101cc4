/*-------------------------------------------------------------------------
 *
 * options.c
 *	  Parse and validate the options of a load (the jsonb argument).
 *
 * An unknown option or a value of the wrong type is an error that lists
 * what is accepted: a typo must never silently change how data is loaded.
 * The options are documented in docs/loading.md.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/loader/options.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "loader/loader.h"

#define VALID_OPTIONS \
	"format, column_match, max_errors, accept_invalid_chars, strict, " \
	"header, delimiter, quote, escape, null, columns, defaults"

static char *jbv_string(JsonbValue *v, const char *key);
static bool jbv_bool(JsonbValue *v, const char *key);
static int64 jbv_int(JsonbValue *v, const char *key);
static char *jbv_single_byte(JsonbValue *v, const char *key);
static List *parse_column_paths(JsonbValue *v);
static List *parse_defaults(JsonbValue *v);

/*
 * LoadFormatFromName
 *		Map a format name to LoadFormat; error for an unknown one.
 */
static LoadFormat
LoadFormatFromName(const char *name)
{
	if (name == NULL || pg_strcasecmp(name, "auto") == 0)
		return LOAD_FORMAT_AUTO;
	if (pg_strcasecmp(name, "csv") == 0)
		return LOAD_FORMAT_CSV;
	if (pg_strcasecmp(name, "json") == 0 ||
		pg_strcasecmp(name, "jsonl") == 0 ||
		pg_strcasecmp(name, "ndjson") == 0)
		return LOAD_FORMAT_JSONL;
	if (pg_strcasecmp(name, "parquet") == 0)
		return LOAD_FORMAT_PARQUET;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown format \"%s\"", name),
			 errhint("Use auto, csv, json (JSON lines) or parquet.")));
	return LOAD_FORMAT_AUTO;	/* keep compiler quiet */
}

/*
 * LoadFormatName
 *		The name shown in messages.
 */
const char *
LoadFormatName(LoadFormat format)
{
	switch (format)
	{
		case LOAD_FORMAT_CSV:
			return "csv";
		case LOAD_FORMAT_JSONL:
			return "json";
		case LOAD_FORMAT_PARQUET:
			return "parquet";
		default:
			return "auto";
	}
}

/*
 * LoadOptionsParse
 *		Build LoadOptions from the options object and the format argument
 *		(a "format" key in options must agree with it unless it is 'auto').
 */
LoadOptions *
LoadOptionsParse(Jsonb *options, const char *format)
{
	LoadOptions *opts = palloc0(sizeof(LoadOptions));
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	opts->format = LoadFormatFromName(format);
	opts->column_match = COLUMN_MATCH_NAME;
	opts->csv_delimiter = ",";
	opts->csv_quote = "\"";
	opts->csv_null = "";

	if (options == NULL || JB_ROOT_COUNT(options) == 0)
		return opts;
	if (!JB_ROOT_IS_OBJECT(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("load options must be a JSON object")));

	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (tok != WJB_VALUE)
			continue;

		if (strcmp(key, "format") == 0)
		{
			LoadFormat	f = LoadFormatFromName(jbv_string(&v, key));

			if (opts->format != LOAD_FORMAT_AUTO && f != LOAD_FORMAT_AUTO &&
				f != opts->format)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("format option \"%s\" conflicts with format argument \"%s\"",
								LoadFormatName(f), LoadFormatName(opts->format))));
			if (f != LOAD_FORMAT_AUTO)
				opts->format = f;
		}
		else if (strcmp(key, "column_match") == 0)
		{
			char	   *m = jbv_string(&v, key);

			if (strcmp(m, "name") == 0)
				opts->column_match = COLUMN_MATCH_NAME;
			else if (strcmp(m, "position") == 0)
				opts->column_match = COLUMN_MATCH_POSITION;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid column_match \"%s\"", m),
						 errhint("Use \"name\" or \"position\".")));
		}
		else if (strcmp(key, "max_errors") == 0)
		{
			opts->max_errors = jbv_int(&v, key);
			if (opts->max_errors < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("max_errors must not be negative")));
		}
		else if (strcmp(key, "accept_invalid_chars") == 0)
		{
			if (v.type == jbvBool)
				opts->accept_invalid_chars = v.val.boolean ? "?" : NULL;
			else
			{
				opts->accept_invalid_chars = jbv_single_byte(&v, key);
				if ((unsigned char) opts->accept_invalid_chars[0] >= 0x80 ||
					opts->accept_invalid_chars[0] == '\0')
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("accept_invalid_chars must be one ASCII character")));
			}
		}
		else if (strcmp(key, "strict") == 0)
			opts->strict = jbv_bool(&v, key);
		else if (strcmp(key, "header") == 0)
			opts->csv_header = jbv_bool(&v, key);
		else if (strcmp(key, "delimiter") == 0)
			opts->csv_delimiter = jbv_single_byte(&v, key);
		else if (strcmp(key, "quote") == 0)
			opts->csv_quote = jbv_single_byte(&v, key);
		else if (strcmp(key, "escape") == 0)
			opts->csv_escape = jbv_single_byte(&v, key);
		else if (strcmp(key, "null") == 0)
			opts->csv_null = jbv_string(&v, key);
		else if (strcmp(key, "columns") == 0)
			opts->column_paths = parse_column_paths(&v);
		else if (strcmp(key, "defaults") == 0)
			opts->defaults = parse_defaults(&v);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown load option \"%s\"", key),
					 errhint("Valid options are: %s.", VALID_OPTIONS)));
	}
	return opts;
}

/*
 * LoadFormatForUrl
 *		The format of one object: the one asked for, or by suffix with
 *		'auto' (compression suffixes are looked through).
 */
LoadFormat
LoadFormatForUrl(LoadOptions *options, const char *url)
{
	const char *end;
	const char *q;
	int			len;
	static const char *const compressed[] = {".gz", ".gzip", ".zst", ".zstd"};
	int			i;

	if (options->format != LOAD_FORMAT_AUTO)
		return options->format;

	/* the suffix is judged on the path, without a query string */
	q = strchr(url, '?');
	len = q ? (int) (q - url) : (int) strlen(url);
	for (i = 0; i < (int) lengthof(compressed); i++)
	{
		int			sl = strlen(compressed[i]);

		if (len > sl && pg_strncasecmp(url + len - sl, compressed[i], sl) == 0)
		{
			len -= sl;
			break;
		}
	}
	end = url + len;
#define HAS_SUFFIX(s) (len > (int) strlen(s) && \
					   pg_strncasecmp(end - strlen(s), s, strlen(s)) == 0)
	if (HAS_SUFFIX(".csv"))
		return LOAD_FORMAT_CSV;
	if (HAS_SUFFIX(".json") || HAS_SUFFIX(".jsonl") || HAS_SUFFIX(".ndjson"))
		return LOAD_FORMAT_JSONL;
	if (HAS_SUFFIX(".parquet") || HAS_SUFFIX(".parq"))
		return LOAD_FORMAT_PARQUET;
#undef HAS_SUFFIX
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot tell the format of \"%s\" from its name",
					ObjstoreRedactUrl(url)),
			 errhint("Name files *.csv, *.json, *.jsonl or *.parquet (optionally .gz or .zst), or pass the format argument.")));
	return LOAD_FORMAT_AUTO;	/* keep compiler quiet */
}

static void
wrong_type(const char *key, const char *expected)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("load option \"%s\" must be %s", key, expected)));
}

static char *
jbv_string(JsonbValue *v, const char *key)
{
	if (v->type != jbvString)
		wrong_type(key, "a string");
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static bool
jbv_bool(JsonbValue *v, const char *key)
{
	if (v->type != jbvBool)
		wrong_type(key, "true or false");
	return v->val.boolean;
}

static int64
jbv_int(JsonbValue *v, const char *key)
{
	if (v->type != jbvNumeric)
		wrong_type(key, "an integer");
	return DatumGetInt64(DirectFunctionCall1(numeric_int8,
											 NumericGetDatum(v->val.numeric)));
}

static char *
jbv_single_byte(JsonbValue *v, const char *key)
{
	char	   *s = jbv_string(v, key);

	if (strlen(s) != 1)
		wrong_type(key, "a single one-byte character");
	return s;
}

/* "columns": {"target_column": "path.in.file", ...} */
static List *
parse_column_paths(JsonbValue *v)
{
	List	   *result = NIL;
	JsonbIterator *it;
	JsonbValue	e;
	JsonbIteratorToken tok;
	char	   *col = NULL;

	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		wrong_type("columns", "an object mapping column names to paths");
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			col = pnstrdup(e.val.string.val, e.val.string.len);
		else if (tok == WJB_VALUE)
		{
			ColumnPath *cp = palloc(sizeof(ColumnPath));

			cp->column = col;
			cp->path = jbv_string(&e, "columns");
			result = lappend(result, cp);
		}
	}
	return result;
}

/*
 * parse_defaults
 *		The "defaults" option: an array of target column names that are never
 *		read from the files and always get their default (e.g. a load time).
 */
static List *
parse_defaults(JsonbValue *v)
{
	List	   *result = NIL;
	JsonbIterator *it;
	JsonbValue	e;
	JsonbIteratorToken tok;

	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		wrong_type("defaults", "an array of column names");
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (e.type != jbvString)
			wrong_type("defaults", "an array of column names");
		result = lappend(result, pnstrdup(e.val.string.val, e.val.string.len));
	}
	return result;
}
