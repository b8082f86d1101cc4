/*-------------------------------------------------------------------------
 *
 * jsonl.c
 *	  JSON lines reader: one object per line, keys matched to columns.
 *
 * The top level of a line is read by a fast scanner (jsonl_scan.c); nested
 * objects and arrays, and whole lines in a database whose encoding is not
 * UTF-8, go through PostgreSQL's own JSON parser (common/jsonapi.h) with
 * the semantic actions below.  Either way scalars arrive as their exact
 * text: numbers keep every digit, strings are de-escaped once, and nothing
 * is printed and re-parsed.  A scalar goes through its column type's input
 * function; an object or array in a jsonb column is built with
 * pushJsonbValue() while parsing, and in a json or text column it is the
 * value's original text.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/formats/jsonl.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "formats/jsonl_int.h"
#include "loader/loader.h"

/* How a top-level field's nested value is collected. */
typedef enum NestMode
{
	NEST_NONE,					/* no nested value in progress */
	NEST_SKIP,					/* unknown key: parse and drop */
	NEST_JSONB,					/* build jsonb */
	NEST_TEXT					/* keep the original text (json, text) */
} NestMode;

typedef struct JsonlState
{
	LoadContext *ctx;
	JsonLexContext *lex;
	char	   *line;
	int			depth;			/* 0 outside the top-level object */
	int			att;			/* column of the current top-level key */
	NestMode	mode;
	JsonbParseState *jb;
	JsonbValue *jb_result;
	const char *nest_start;		/* NEST_TEXT: where the value began */
} JsonlState;

typedef struct JsonlLine
{
	char	   *text;
	int			len;
	JsonlKeys  *keys;
} JsonlLine;

static void convert_line(LoadContext *ctx, void *arg);
static void on_object_start(void *state);
static void on_object_end(void *state);
static void on_array_start(void *state);
static void on_array_end(void *state);
static void on_field_start(void *state, char *fname, bool isnull);
static void on_scalar(void *state, char *token, JsonTokenType type);
static void nested_begin(JsonlState *st, bool is_object);
static void nested_end(JsonlState *st, bool is_object);
static void make_scalar(JsonbValue *v, char *token, JsonTokenType type);
static void push_scalar(JsonlState *st, char *token, JsonTokenType type,
						JsonbIteratorToken where);
static void parse_with_callbacks(JsonlState *st, char *text, int len);

/*
 * jsonl_load
 *		Load one JSON-lines object.  Empty lines are skipped.
 */
static void
jsonl_load(LoadContext *ctx, LoadFile *file)
{
	TextSource *src = TextSourceOpen(ctx, file);
	JsonlLine	line;

	line.keys = JsonlKeysCreate();
	PG_TRY();
	{
		ctx->lineno = 0;
		while (TextSourceNextLine(src, &line.text, &line.len))
		{
			ctx->lineno++;
			if (line.len == 0 ||
				strspn(line.text, " \t\r") == (size_t) line.len)
				continue;
			if (LoaderConvertRow(ctx, convert_line, &line))
				LoaderRowEnd(ctx);
		}
		LoaderReportProgress(ctx);
	}
	PG_FINALLY();
	{
		TextSourceClose(src);
	}
	PG_END_TRY();
}

/*
 * convert_line
 *		Parse one line into the row being built (LoaderConvertRow callback).
 */
static void
convert_line(LoadContext *ctx, void *arg)
{
	JsonlLine  *line = arg;
	JsonlState	st;
	char	   *text = line->text;
	int			len = line->len;
	int			ok;

	LoaderRowStart(ctx);

	/* objects are UTF-8; refuse invalid bytes as COPY would */
	ok = pg_encoding_verifymbstr(PG_UTF8, text, len);
	if (ok != len)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("invalid UTF-8 byte 0x%02x at byte %d of the line",
						(unsigned char) text[ok], ok + 1),
				 errhint("Use the option {\"accept_invalid_chars\": \"?\"} to replace invalid bytes.")));
	if (GetDatabaseEncoding() == PG_UTF8)
	{
		JsonlScanLine(ctx, line->keys, text, len);
		return;
	}

	/* other encodings: convert, then let PostgreSQL's parser walk it all */
	text = pg_any_to_server(text, len, PG_UTF8);
	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	st.att = -1;
	parse_with_callbacks(&st, text, strlen(text));
}

/*
 * parse_with_callbacks
 *		Run PostgreSQL's JSON parser over text with the semantic actions
 *		below, starting from st's depth.
 */
static void
parse_with_callbacks(JsonlState *st, char *text, int len)
{
	JsonSemAction sem;
	JsonParseErrorType err;

	st->line = text;
	st->lex = makeJsonLexContextCstringLen(text, len, GetDatabaseEncoding(),
										   true);
	memset(&sem, 0, sizeof(sem));
	sem.semstate = st;
	sem.object_start = on_object_start;
	sem.object_end = on_object_end;
	sem.array_start = on_array_start;
	sem.array_end = on_array_end;
	sem.object_field_start = on_field_start;
	sem.scalar = on_scalar;

	err = pg_parse_json(st->lex, &sem);
	if (err != JSON_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid JSON at byte %d of a nested value",
						(int) (st->lex->token_start - text) + 1),
				 errdetail_internal("%s", json_errdetail(err, st->lex))));
}

/*
 * JsonlStoreNested
 *		The value of a top-level key is the object or array text[0..len):
 *		parse it and store it in column att (or only check it, att < 0).
 */
void
JsonlStoreNested(LoadContext *ctx, int att, const char *text, int len)
{
	JsonlState	st;

	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	st.att = att;
	st.depth = 1;				/* as if inside the line's object */
	parse_with_callbacks(&st, pnstrdup(text, len), len);
}

/*
 * JsonlKeysCreate
 *		An empty key cache for one file, in the current memory context.
 */
JsonlKeys *
JsonlKeysCreate(void)
{
	JsonlKeys  *keys = palloc0(sizeof(JsonlKeys));

	keys->cxt = CurrentMemoryContext;
	keys->interned = palloc0(sizeof(JsonlKey *) * JSONL_INTERN_SLOTS);
	keys->prev = palloc0(sizeof(JsonlKey *) * JSONL_CACHED_KEYS);
	keys->cur = palloc0(sizeof(JsonlKey *) * JSONL_CACHED_KEYS);
	return keys;
}

/* The column of a key never seen in this file: by name, then the rules. */
static int
resolve_key(LoadContext *ctx, const char *key, int len)
{
	int			att = ConvertLookupColumn(ctx, key, len);

	if (att >= 0 && !TargetColumnIsRead(&ctx->columns[att]))
		att = -1;
	if (att < 0 && ctx->options->strict)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("key \"%.*s\" matches no column of the target", len, key),
				 errhint("Remove \"strict\" to ignore unknown keys.")));
	return att;
}

/* The file's entry of a key (exact bytes), interning it; NULL when full. */
static JsonlKey *
intern_key(LoadContext *ctx, JsonlKeys *keys, const char *key, int len)
{
	uint32		hash = hash_bytes((const unsigned char *) key, len);
	uint32		i;
	JsonlKey   *e;

	for (i = hash;; i++)
	{
		e = keys->interned[i & (JSONL_INTERN_SLOTS - 1)];
		if (e == NULL)
			break;
		if (e->hash == hash && e->len == len && memcmp(e->name, key, len) == 0)
			return e;
	}
	if (keys->ninterned >= JSONL_INTERN_MAX)
		return NULL;
	e = MemoryContextAlloc(keys->cxt, sizeof(JsonlKey));
	e->att = resolve_key(ctx, key, len);
	e->name = MemoryContextAlloc(keys->cxt, len);
	memcpy(e->name, key, len);
	e->len = len;
	e->hash = hash;
	keys->interned[i & (JSONL_INTERN_SLOTS - 1)] = e;
	keys->ninterned++;
	return e;
}

/*
 * JsonlLookupKey
 *		The column of the k-th top-level key of a line (-1: ignored).  keys
 *		may be NULL (no cache), and k >= JSONL_CACHED_KEYS is not cached.
 */
int
JsonlLookupKey(LoadContext *ctx, JsonlKeys *keys, int k, const char *key,
			   int len)
{
	JsonlKey   *e = NULL;
	int			j;

	if (keys == NULL || k >= JSONL_CACHED_KEYS)
		return resolve_key(ctx, key, len);

	if (k == 0)
	{
		/* a new line: this line's keys become the ones to expect */
		JsonlKey  **t = keys->prev;

		keys->prev = keys->cur;
		keys->nprev = keys->ncur;
		keys->cur = t;
		keys->ncur = 0;
		keys->pos = 0;
	}

	for (j = keys->pos; j < keys->nprev && j < keys->pos + JSONL_LOOKAHEAD; j++)
	{
		JsonlKey   *p = keys->prev[j];

		if (p != NULL && p->len == len && memcmp(p->name, key, len) == 0)
		{
			e = p;
			keys->pos = j + 1;
			break;
		}
	}
	if (e == NULL)
		e = intern_key(ctx, keys, key, len);
	keys->cur[keys->ncur++] = e;
	return e != NULL ? e->att : resolve_key(ctx, key, len);
}

void
JsonlNotAnObject(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("a JSON line must hold one object")));
}

static void
on_object_start(void *state)
{
	JsonlState *st = state;

	if (st->depth++ == 0)
		return;					/* the row itself */
	nested_begin(st, true);
}

static void
on_object_end(void *state)
{
	JsonlState *st = state;

	if (--st->depth == 0)
		return;
	nested_end(st, true);
}

static void
on_array_start(void *state)
{
	JsonlState *st = state;

	if (st->depth++ == 0)
		JsonlNotAnObject();
	nested_begin(st, false);
}

static void
on_array_end(void *state)
{
	JsonlState *st = state;

	--st->depth;
	nested_end(st, false);
}

static void
on_field_start(void *state, char *fname, bool isnull)
{
	JsonlState *st = state;

	if (st->depth == 1)
	{
		st->att = JsonlLookupKey(st->ctx, NULL, JSONL_CACHED_KEYS, fname,
								 strlen(fname));
		return;
	}
	if (st->mode == NEST_JSONB)
	{
		JsonbValue	k;

		k.type = jbvString;
		k.val.string.val = fname;
		k.val.string.len = strlen(fname);
		pushJsonbValue(&st->jb, WJB_KEY, &k);
	}
}

static void
on_scalar(void *state, char *token, JsonTokenType type)
{
	JsonlState *st = state;

	if (st->depth == 0)
		JsonlNotAnObject();
	if (st->depth == 1)
	{
		if (st->att >= 0)
			JsonlStoreScalar(st->ctx, st->att, token, type);
	}
	else if (st->mode == NEST_JSONB)
		push_scalar(st, token, type,
					st->jb->contVal.type == jbvArray ? WJB_ELEM : WJB_VALUE);
}

/*
 * nested_begin
 *		An object or array starts at depth >= 2.  At depth 2 it is the value
 *		of a top-level key: decide how to collect it from the column type.
 */
static void
nested_begin(JsonlState *st, bool is_object)
{
	JsonbIteratorToken tok = is_object ? WJB_BEGIN_OBJECT : WJB_BEGIN_ARRAY;

	if (st->depth == 2)
	{
		Oid			typid;

		if (st->att < 0)
		{
			st->mode = NEST_SKIP;
			return;
		}
		typid = st->ctx->columns[st->att].basetype;
		if (typid == JSONBOID)
		{
			st->mode = NEST_JSONB;
			st->jb = NULL;
		}
		else if (typid == JSONOID || typid == TEXTOID ||
				 typid == VARCHAROID || typid == BPCHAROID)
		{
			st->mode = NEST_TEXT;
			st->nest_start = st->lex->token_start;
			return;
		}
		else
		{
			st->ctx->colname = st->ctx->columns[st->att].name;
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("a JSON %s cannot be loaded into column \"%s\" of type %s",
							is_object ? "object" : "array",
							st->ctx->columns[st->att].name,
							format_type_be(st->ctx->columns[st->att].typid)),
					 errhint("Nested values load into jsonb, json or text columns.")));
		}
	}
	if (st->mode == NEST_JSONB)
		st->jb_result = pushJsonbValue(&st->jb, tok, NULL);
}

/*
 * nested_end
 *		An object or array ends; at depth 1 again, the column gets its value.
 */
static void
nested_end(JsonlState *st, bool is_object)
{
	LoadContext *ctx = st->ctx;

	if (st->mode == NEST_JSONB)
		st->jb_result = pushJsonbValue(&st->jb,
									   is_object ? WJB_END_OBJECT : WJB_END_ARRAY,
									   NULL);
	if (st->depth != 1)
		return;

	if (st->mode == NEST_JSONB)
	{
		ctx->values[st->att] = JsonbPGetDatum(JsonbValueToJsonb(st->jb_result));
		ctx->nulls[st->att] = false;
		ctx->present[st->att] = true;
	}
	else if (st->mode == NEST_TEXT)
	{
		const char *end = st->lex->prev_token_terminator;
		char	   *text = pnstrdup(st->nest_start, end - st->nest_start);

		ConvertText(ctx, st->att, text);
	}
	st->mode = NEST_NONE;
	st->jb = NULL;
}

/* The jsonb scalar for a JSON token. */
static void
make_scalar(JsonbValue *v, char *token, JsonTokenType type)
{
	switch (type)
	{
		case JSON_TOKEN_STRING:
			v->type = jbvString;
			v->val.string.val = token;
			v->val.string.len = strlen(token);
			break;
		case JSON_TOKEN_NUMBER:
			v->type = jbvNumeric;
			v->val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in,
																 CStringGetDatum(token),
																 ObjectIdGetDatum(InvalidOid),
																 Int32GetDatum(-1)));
			break;
		case JSON_TOKEN_TRUE:
		case JSON_TOKEN_FALSE:
			v->type = jbvBool;
			v->val.boolean = (type == JSON_TOKEN_TRUE);
			break;
		default:
			v->type = jbvNull;
			break;
	}
}

/* A scalar inside a nested jsonb value. */
static void
push_scalar(JsonlState *st, char *token, JsonTokenType type,
			JsonbIteratorToken where)
{
	JsonbValue	v;

	make_scalar(&v, token, type);
	st->jb_result = pushJsonbValue(&st->jb, where, &v);
}

/*
 * JsonlStoreScalar
 *		The value of a top-level key is a scalar (token, NUL-terminated, may
 *		be modified): JSON null is SQL NULL; a jsonb column gets the scalar
 *		as jsonb; other columns get the token text through the input
 *		function (a json column a JSON string, quoted again).
 */
void
JsonlStoreScalar(LoadContext *ctx, int att, char *token, JsonTokenType type)
{
	if (type == JSON_TOKEN_NULL)
	{
		ConvertNull(ctx, att);
		return;
	}
	if (ctx->columns[att].basetype == JSONBOID)
	{
		JsonbValue	v;

		/* a raw scalar: JsonbValueToJsonb wraps it */
		ctx->colname = ctx->columns[att].name;
		make_scalar(&v, token, type);
		ctx->values[att] = JsonbPGetDatum(JsonbValueToJsonb(&v));
		ctx->nulls[att] = false;
		ctx->present[att] = true;
		ctx->colname = NULL;
		return;
	}
	if (ctx->columns[att].basetype == JSONOID &&
		type == JSON_TOKEN_STRING)
	{
		/* a json column wants a JSON string: quote the de-escaped token */
		StringInfoData buf;

		initStringInfo(&buf);
		escape_json(&buf, token);
		token = buf.data;
	}
	else if (type == JSON_TOKEN_TRUE || type == JSON_TOKEN_FALSE)
		token = pstrdup(type == JSON_TOKEN_TRUE ? "true" : "false");
	ConvertText(ctx, att, token);
}

const FormatRoutine JsonlFormat = {
	.name = "json",
	.streaming = true,
	.load = jsonl_load
};
