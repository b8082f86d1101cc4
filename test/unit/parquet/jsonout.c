/*-------------------------------------------------------------------------
 *
 * jsonout.c
 *	  Renders Parquet values and records as JSON text, as DuckDB's
 *	  to_json() does, for pqdump and the unit tests.
 *
 * Timestamps become "YYYY-MM-DD HH:MM:SS[.fraction]" (trailing zeros
 * trimmed, "+00" for UTC-adjusted ones, " (BC)" after BC dates), decimals
 * exact numbers, blobs strings with \\xHH escapes for non-printable bytes,
 * floats the shortest text that reads back as the same double, JSON
 * columns raw JSON, maps objects keyed by the map key rendered as text.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  test/unit/parquet/jsonout.c
 *
 *-------------------------------------------------------------------------
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"


static void
out_reserve(Out *o, size_t n)
{
	if (o->len + n + 1 > o->cap)
	{
		size_t		cap = o->cap ? o->cap : 4096;

		while (cap < o->len + n + 1)
			cap *= 2;
		o->buf = realloc(o->buf, cap);
		if (o->buf == NULL)
		{
			fprintf(stderr, "pqdump: out of memory\n");
			exit(1);
		}
		o->cap = cap;
	}
}

void
out_mem(Out *o, const char *s, size_t n)
{
	out_reserve(o, n);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
out_str(Out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static void
out_fmt(Out *o, const char *fmt,...)
{
	va_list		ap;
	char		tmp[128];
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	out_mem(o, tmp, (size_t) n);
}

/* JSON string escaping of raw bytes (UTF-8 passes through). */
void
out_json_string(Out *o, const uint8_t *s, size_t n)
{
	size_t		i;

	out_reserve(o, n + 2);
	o->buf[o->len++] = '"';
	for (i = 0; i < n; i++)
	{
		uint8_t		c = s[i];

		switch (c)
		{
			case '"':
				out_str(o, "\\\"");
				break;
			case '\\':
				out_str(o, "\\\\");
				break;
			case '\n':
				out_str(o, "\\n");
				break;
			case '\r':
				out_str(o, "\\r");
				break;
			case '\t':
				out_str(o, "\\t");
				break;
			case '\b':
				out_str(o, "\\b");
				break;
			case '\f':
				out_str(o, "\\f");
				break;
			default:
				if (c < 0x20)
					out_fmt(o, "\\u%04x", c);
				else
					out_mem(o, (const char *) &c, 1);
		}
	}
	out_mem(o, "\"", 1);
}

/* Shortest text that reads back as the same double, like DuckDB prints. */
static void
out_double(Out *o, double d)
{
	char		tmp[64];
	int			prec;

	if (isnan(d))
	{
		out_str(o, "NaN");
		return;
	}
	if (isinf(d))
	{
		out_str(o, d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	for (prec = 1; prec <= 17; prec++)
	{
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	out_str(o, tmp);
}

/* "YYYY-MM-DD" or "YYYY-MM-DD (BC)" as DuckDB writes dates. */
static void
fmt_date(char *buf, size_t n, int64_t days, bool bc_suffix_later, bool *bc)
{
	int64_t		y;
	int			m,
				d;

	PqCivilFromDays(days, &y, &m, &d);
	*bc = y <= 0;
	if (*bc)
		y = 1 - y;
	snprintf(buf, n, "%04" PRId64 "-%02d-%02d", y, m, d);
}

/* Fractional seconds with trailing zeros removed ("" for zero). */
static void
fmt_fraction(char *buf, size_t n, int32_t nanos, int digits)
{
	char		tmp[16];
	int			len;

	buf[0] = '\0';
	if (nanos == 0)
		return;
	if (digits == 6)
		snprintf(tmp, sizeof(tmp), "%06d", nanos / 1000);
	else if (digits == 3)
		snprintf(tmp, sizeof(tmp), "%03d", nanos / 1000000);
	else
		snprintf(tmp, sizeof(tmp), "%09d", nanos);
	len = (int) strlen(tmp);
	while (len > 0 && tmp[len - 1] == '0')
		tmp[--len] = '\0';
	if (len > 0)
		snprintf(buf, n, ".%s", tmp);
}

static void
out_timestamp(Out *o, int64_t seconds, int32_t nanos, int digits, bool tz)
{
	char		date[48],
				frac[16];
	bool		bc;
	int64_t		days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
	int64_t		sod = seconds - days * 86400;

	fmt_date(date, sizeof(date), days, false, &bc);
	fmt_fraction(frac, sizeof(frac), nanos, digits);
	out_fmt(o, "\"%s%s %02d:%02d:%02d%s%s\"", date, bc ? " (BC)" : "",
			(int) (sod / 3600), (int) (sod / 60 % 60), (int) (sod % 60), frac,
			tz ? "+00" : "");
}

static void
out_time(Out *o, int64_t v, PqTimeUnit unit)
{
	int64_t		s;
	int32_t		ns;
	char		frac[16];

	PqTimeUnitSplit(v, unit, &s, &ns);
	fmt_fraction(frac, sizeof(frac), ns, unit == PQ_UNIT_NANOS ? 9 : 6);
	out_fmt(o, "\"%02d:%02d:%02d%s\"", (int) (s / 3600), (int) (s / 60 % 60),
			(int) (s % 60), frac);
}

/* DuckDB renders BLOBs with printable ASCII kept and other bytes as \xHH. */
static void
out_blob(Out *o, const uint8_t *p, size_t n)
{
	Out			tmp = {0};
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (p[i] >= 32 && p[i] <= 126 && p[i] != '\\' && p[i] != '\'' && p[i] != '"')
			out_mem(&tmp, (const char *) &p[i], 1);
		else
			out_fmt(&tmp, "\\x%02X", p[i]);
	}
	out_json_string(o, (const uint8_t *) tmp.buf, tmp.len);
	free(tmp.buf);
}

/* Renders one leaf value as JSON according to its logical type. */
void
out_value(Out *o, const PqSchemaNode *leaf, const PqValue *v)
{
	const PqLogicalType *lt = &leaf->logical;
	char		buf[256];

	switch (leaf->physical_type)
	{
		case PQ_BOOLEAN:
			out_str(o, v->u.b ? "true" : "false");
			return;
		case PQ_INT32:
			if (lt->kind == PQ_LT_DATE)
			{
				bool		bc;

				if (v->u.i32 == INT32_MAX || v->u.i32 == -INT32_MAX)
				{
					out_str(o, v->u.i32 > 0 ? "\"infinity\"" : "\"-infinity\"");
					return;
				}
				fmt_date(buf, sizeof(buf), v->u.i32, false, &bc);
				out_fmt(o, "\"%s%s\"", buf, bc ? " (BC)" : "");
			}
			else if (lt->kind == PQ_LT_DECIMAL)
			{
				PqDecimalFromInt64(v->u.i32, lt->scale, buf, sizeof(buf));
				out_str(o, buf);
			}
			else if (lt->kind == PQ_LT_TIME)
				out_time(o, v->u.i32, lt->unit);
			else if (lt->kind == PQ_LT_INTEGER && !lt->is_signed)
				out_fmt(o, "%" PRIu32, (uint32_t) v->u.i32);
			else
				out_fmt(o, "%" PRId32, v->u.i32);
			return;
		case PQ_INT64:
			if (lt->kind == PQ_LT_TIMESTAMP)
			{
				int64_t		s;
				int32_t		ns;

				if (v->u.i64 == INT64_MAX || v->u.i64 == -INT64_MAX)
				{
					out_str(o, v->u.i64 > 0 ? "\"infinity\"" : "\"-infinity\"");
					return;
				}
				PqTimeUnitSplit(v->u.i64, lt->unit, &s, &ns);
				out_timestamp(o, s, ns, lt->unit == PQ_UNIT_NANOS ? 9 : 6,
							  lt->is_adjusted_to_utc);
			}
			else if (lt->kind == PQ_LT_TIME)
				out_time(o, v->u.i64, lt->unit);
			else if (lt->kind == PQ_LT_DECIMAL)
			{
				PqDecimalFromInt64(v->u.i64, lt->scale, buf, sizeof(buf));
				out_str(o, buf);
			}
			else if (lt->kind == PQ_LT_INTEGER && !lt->is_signed)
				out_fmt(o, "%" PRIu64, (uint64_t) v->u.i64);
			else
				out_fmt(o, "%" PRId64, v->u.i64);
			return;
		case PQ_INT96:
			{
				int64_t		s;
				int32_t		ns;

				PqInt96Split(&v->u.i96, &s, &ns);
				out_timestamp(o, s, ns, 6, false);
				return;
			}
		case PQ_FLOAT:
			out_double(o, (double) v->u.f);
			return;
		case PQ_DOUBLE:
			out_double(o, v->u.d);
			return;
		case PQ_BYTE_ARRAY:
		case PQ_FIXED_LEN_BYTE_ARRAY:
			if (lt->kind == PQ_LT_DECIMAL)
			{
				if (PqDecimalToString(v->u.bytes.ptr, v->u.bytes.len, lt->scale, buf, sizeof(buf)) == 0)
					out_str(o, "\"<decimal too wide>\"");
				else
					out_str(o, buf);
			}
			else if (lt->kind == PQ_LT_UUID && v->u.bytes.len == 16)
			{
				PqUuidToString(v->u.bytes.ptr, buf, sizeof(buf));
				out_fmt(o, "\"%s\"", buf);
			}
			else if (lt->kind == PQ_LT_FLOAT16 && v->u.bytes.len == 2)
				out_double(o, (double) PqFloat16ToFloat(v->u.bytes.ptr));
			else if (lt->kind == PQ_LT_JSON)
				out_mem(o, (const char *) v->u.bytes.ptr, v->u.bytes.len);
			else if (lt->kind == PQ_LT_STRING || lt->kind == PQ_LT_ENUM)
				out_json_string(o, v->u.bytes.ptr, v->u.bytes.len);
			else
				out_blob(o, v->u.bytes.ptr, v->u.bytes.len);
			return;
		case PQ_GROUP:
			break;
	}
	out_str(o, "null");
}

/* ---- visitor printing JSON ---- */

static void
sep(Out *o)
{
	if (o->need_comma)
		out_mem(o, ",", 1);
	o->need_comma = false;
}

static int
v_begin_object(void *ctx, const PqSchemaNode *n)
{
	Out		   *o = ctx;

	sep(o);
	out_mem(o, "{", 1);
	return 0;
}

static int
v_end_object(void *ctx, const PqSchemaNode *n)
{
	Out		   *o = ctx;

	out_mem(o, "}", 1);
	o->need_comma = true;
	return 0;
}

static int
v_begin_array(void *ctx, const PqSchemaNode *n)
{
	Out		   *o = ctx;

	sep(o);
	out_mem(o, "[", 1);
	return 0;
}

static int
v_end_array(void *ctx, const PqSchemaNode *n)
{
	Out		   *o = ctx;

	out_mem(o, "]", 1);
	o->need_comma = true;
	return 0;
}

static int
v_key(void *ctx, const char *name, size_t len)
{
	Out		   *o = ctx;

	sep(o);
	out_json_string(o, (const uint8_t *) name, len);
	out_mem(o, ":", 1);
	return 0;
}

static int
v_map_key(void *ctx, const PqSchemaNode *leaf, const PqValue *v)
{
	Out		   *o = ctx;
	Out			tmp = {0};

	sep(o);
	if (v == NULL)
		out_str(o, "\"null\"");
	else if (leaf->physical_type == PQ_BYTE_ARRAY &&
			 (leaf->logical.kind == PQ_LT_STRING || leaf->logical.kind == PQ_LT_ENUM))
		out_json_string(o, v->u.bytes.ptr, v->u.bytes.len);
	else
	{
		/* render the key as JSON, then quote it unless it already is a string */
		out_value(&tmp, leaf, v);
		if (tmp.len > 0 && tmp.buf[0] == '"')
			out_mem(o, tmp.buf, tmp.len);
		else
			out_json_string(o, (const uint8_t *) tmp.buf, tmp.len);
		free(tmp.buf);
	}
	out_mem(o, ":", 1);
	return 0;
}

static int
v_scalar(void *ctx, const PqSchemaNode *leaf, const PqValue *v)
{
	Out		   *o = ctx;

	sep(o);
	out_value(o, leaf, v);
	o->need_comma = true;
	return 0;
}

static int
v_null(void *ctx, const PqSchemaNode *n)
{
	Out		   *o = ctx;

	sep(o);
	out_str(o, "null");
	o->need_comma = true;
	return 0;
}

const PqVisitor PqJsonVisitorTemplate = {
	v_begin_object, v_end_object, v_begin_array, v_end_array,
	v_key, v_map_key, v_scalar, v_null, NULL
};


/*
 * Appends one row as {"field":value,...} for every top-level field, using
 * one record cursor per field (cursors[i] for root->children[i]).
 */
PqCode
PqJsonRow(Out *o, const PqSchemaNode *root, PqRecordCursor *cursors, PqError *err)
{
	PqVisitor	jv = PqJsonVisitorTemplate;
	int			i;
	PqCode		rc;

	jv.ctx = o;
	out_mem(o, "{", 1);
	for (i = 0; i < root->num_children; i++)
	{
		const PqSchemaNode *f = root->children[i];

		if (i > 0)
			out_mem(o, ",", 1);
		out_json_string(o, (const uint8_t *) f->name, strlen(f->name));
		out_mem(o, ":", 1);
		o->need_comma = false;
		rc = PqRecordVisit(&cursors[i], &jv, err);
		if (rc != PQ_OK)
			return rc;
	}
	out_mem(o, "}", 1);
	return PQ_OK;
}
