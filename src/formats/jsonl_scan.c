/*-------------------------------------------------------------------------
 *
 * jsonl_scan.c
 *	  A fast scanner for the top level of one JSON line: {"key": value, ...}.
 *
 * PostgreSQL 15's JSON lexer copies every string one character at a time
 * into a StringInfo; on event rows, with a hundred short keys and strings
 * per line, that was a quarter of the load time.  The top level of a JSON
 * line has a fixed shape, so it is scanned here in place: strings without
 * escapes are used where they lie (NUL-terminated over their closing
 * quote), escaped ones are decoded in place (a decoded string is never
 * longer than its escaped form), numbers and literals are checked against
 * the JSON grammar.  Nested objects and arrays are delimited here and handed
 * to PostgreSQL's parser (jsonl.c), which builds jsonb from them.
 *
 * The line must be valid UTF-8 and NUL-terminated at line[len] (the caller
 * checks); that NUL is the scanner's end sentinel.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/formats/jsonl_scan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "formats/jsonl_int.h"

/* Longest number kept on the stack; longer ones are palloc'd. */
#define NUMBER_BUF	64

typedef struct Scanner
{
	LoadContext *ctx;
	char	   *line;
	char	   *p;
	char	   *end;			/* line + len, where the NUL is */
} Scanner;

static void scan_error(Scanner *sc, const char *expected) pg_attribute_noreturn();
static char *scan_string(Scanner *sc, int *len);
static void scan_value(Scanner *sc, int att);
static char *scan_number(Scanner *sc);
static char *skip_nested(Scanner *sc);

static inline void
skip_ws(Scanner *sc)
{
	while (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\r' || *sc->p == '\n')
		sc->p++;
}

/*
 * Bytes in a 64-bit word (SWAR): whether any byte equals c, whether any is
 * below n (n <= 128).  Exact for "is there one", which is all we ask.
 */
#define SWAR_ONES	UINT64CONST(0x0101010101010101)
#define SWAR_HIGHS	UINT64CONST(0x8080808080808080)

static inline uint64
swar_has_less(uint64 v, unsigned n)
{
	return (v - SWAR_ONES * n) & ~v & SWAR_HIGHS;
}

static inline uint64
swar_has_byte(uint64 v, unsigned char c)
{
	return swar_has_less(v ^ (SWAR_ONES * c), 1);
}

/*
 * JsonlScanLine
 *		Convert one line into the row being built.  keys caches the column
 *		of the k-th key of the previous line: lines of one file usually
 *		repeat their keys in the same order.
 */
void
JsonlScanLine(LoadContext *ctx, JsonlKeys *keys, char *line, int len)
{
	Scanner		sc;
	int			k = 0;

	sc.ctx = ctx;
	sc.line = line;
	sc.p = line;
	sc.end = line + len;

	skip_ws(&sc);
	if (*sc.p != '{')
	{
		if (*sc.p == '[' || *sc.p == '"' || *sc.p == '-' ||
			(*sc.p >= '0' && *sc.p <= '9') || *sc.p == 't' || *sc.p == 'f' ||
			*sc.p == 'n')
			JsonlNotAnObject();
		scan_error(&sc, "\"{\"");
	}
	sc.p++;
	skip_ws(&sc);
	if (*sc.p == '}')
		sc.p++;
	else
	{
		for (;;)
		{
			char	   *key;
			int			keylen;
			int			att;

			if (*sc.p != '"')
				scan_error(&sc, "a string (a key)");
			key = scan_string(&sc, &keylen);
			att = JsonlLookupKey(ctx, keys, k++, key, keylen);
			skip_ws(&sc);
			if (*sc.p != ':')
				scan_error(&sc, "\":\"");
			sc.p++;
			skip_ws(&sc);
			scan_value(&sc, att);
			skip_ws(&sc);
			if (*sc.p == ',')
			{
				sc.p++;
				skip_ws(&sc);
				continue;
			}
			if (*sc.p == '}')
			{
				sc.p++;
				break;
			}
			scan_error(&sc, "\",\" or \"}\"");
		}
	}
	skip_ws(&sc);
	if (sc.p != line + len)
		scan_error(&sc, "the end of the line");
}

/* Report invalid JSON at the scanner's position. */
static void
scan_error(Scanner *sc, const char *expected)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid JSON at byte %d of the line",
					(int) (sc->p - sc->line) + 1),
			 *sc->p == '\0' ?
			 errdetail("Expected %s, but the line ended.", expected) :
			 errdetail("Expected %s.", expected)));
}

/* Value of one hex digit, or -1. */
static inline int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at p, or -1. */
static int
hex4(const char *p)
{
	int			v = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		int			h = hex_value(p[i]);

		if (h < 0)
			return -1;
		v = (v << 4) | h;
	}
	return v;
}

/*
 * scan_string
 *		sc->p is at an opening quote.  Return the string's content, decoded
 *		and NUL-terminated in place, and its length; leave sc->p after the
 *		closing quote.
 */
static char *
scan_string(Scanner *sc, int *len)
{
	char	   *start = ++sc->p;
	char	   *w;

	/*
	 * Skip eight plain bytes at a time while they lie before the line's end:
	 * a word with no quote, backslash or control byte needs no closer look.
	 * (Strings are most of a line's bytes: user agents, URLs, JSON texts.)
	 */
	while (sc->end - sc->p >= 8)
	{
		uint64		v;

		memcpy(&v, sc->p, 8);
		if (swar_has_byte(v, '"') | swar_has_byte(v, '\\') | swar_has_less(v, 0x20))
			break;
		sc->p += 8;
	}

	/* the common case: no escape, so nothing moves */
	for (;;)
	{
		unsigned char c = (unsigned char) *sc->p;

		if (c == '"')
		{
			*sc->p = '\0';
			*len = sc->p - start;
			sc->p++;
			return start;
		}
		if (c == '\\')
			break;
		if (c < 0x20)
			scan_error(sc, c == 0 ? "a closing quote" : "an escape for a control character");
		sc->p++;
	}

	/* decode the rest in place: w never passes sc->p */
	w = sc->p;
	for (;;)
	{
		unsigned char c = (unsigned char) *sc->p;
		int			cp;

		if (c == '"')
		{
			*w = '\0';
			*len = w - start;
			sc->p++;
			return start;
		}
		if (c < 0x20)
			scan_error(sc, c == 0 ? "a closing quote" : "an escape for a control character");
		if (c != '\\')
		{
			*w++ = *sc->p++;
			continue;
		}
		sc->p++;
		switch (*sc->p)
		{
			case '"':
			case '\\':
			case '/':
				*w++ = *sc->p;
				break;
			case 'b':
				*w++ = '\b';
				break;
			case 'f':
				*w++ = '\f';
				break;
			case 'n':
				*w++ = '\n';
				break;
			case 'r':
				*w++ = '\r';
				break;
			case 't':
				*w++ = '\t';
				break;
			case 'u':
				cp = hex4(sc->p + 1);
				if (cp < 0)
					scan_error(sc, "four hexadecimal digits after \\u");
				sc->p += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF)
				{
					int			lo = -1;

					if (sc->p[1] == '\\' && sc->p[2] == 'u')
						lo = hex4(sc->p + 3);
					if (lo < 0xDC00 || lo > 0xDFFF)
						scan_error(sc, "a low surrogate after a high surrogate");
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					sc->p += 6;
				}
				else if (cp >= 0xDC00 && cp <= 0xDFFF)
					scan_error(sc, "a high surrogate before a low surrogate");
				if (cp == 0)
					ereport(ERROR,
							(errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
							 errmsg("\\u0000 cannot be converted to text")));
				unicode_to_utf8((pg_wchar) cp, (unsigned char *) w);
				w += pg_utf_mblen((unsigned char *) w);
				break;
			default:
				scan_error(sc, "a valid escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\u)");
		}
		sc->p++;
	}
}

/*
 * scan_number
 *		Check the JSON number grammar at sc->p and return the number's text
 *		(a copy: the byte after it is still needed); sc->p moves past it.
 */
static char *
scan_number(Scanner *sc)
{
	char	   *start = sc->p;
	char	   *p = sc->p;
	int			len;
	char	   *copy;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
	{
		sc->p = p;
		scan_error(sc, "a JSON value");
	}
	if (*p == '.')
	{
		p++;
		if (!(*p >= '0' && *p <= '9'))
		{
			sc->p = p;
			scan_error(sc, "a digit after the decimal point");
		}
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
		{
			sc->p = p;
			scan_error(sc, "a digit in the exponent");
		}
		while (*p >= '0' && *p <= '9')
			p++;
	}
	len = p - start;
	copy = palloc(len + 1);
	memcpy(copy, start, len);
	copy[len] = '\0';
	sc->p = p;
	return copy;
}

/*
 * skip_nested
 *		sc->p is at '{' or '['.  Return the end of the value (just after its
 *		closing bracket), found by counting brackets outside strings; the
 *		grammar inside is checked by the parser that reads it.
 */
static char *
skip_nested(Scanner *sc)
{
	char	   *p = sc->p;
	int			depth = 0;

	for (; *p != '\0'; p++)
	{
		if (*p == '"')
		{
			for (p++; *p != '"'; p++)
			{
				if (*p == '\0')
					goto unterminated;
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
		}
		else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
		{
			if (--depth == 0)
				return p + 1;
		}
	}
unterminated:
	sc->p = p;
	scan_error(sc, "the end of a nested object or array");
}

/*
 * scan_value
 *		Scan the value of a top-level key and store it in column att (or
 *		drop it when att < 0).
 */
static void
scan_value(Scanner *sc, int att)
{
	char	   *s;
	int			len;

	switch (*sc->p)
	{
		case '"':
			s = scan_string(sc, &len);
			if (att >= 0)
				JsonlStoreScalar(sc->ctx, att, s, JSON_TOKEN_STRING);
			return;
		case '{':
		case '[':
			s = sc->p;
			sc->p = skip_nested(sc);
			JsonlStoreNested(sc->ctx, att, s, sc->p - s);
			return;
		case 't':
			if (strncmp(sc->p, "true", 4) != 0)
				break;
			sc->p += 4;
			if (att >= 0)
				JsonlStoreScalar(sc->ctx, att, "true", JSON_TOKEN_TRUE);
			return;
		case 'f':
			if (strncmp(sc->p, "false", 5) != 0)
				break;
			sc->p += 5;
			if (att >= 0)
				JsonlStoreScalar(sc->ctx, att, "false", JSON_TOKEN_FALSE);
			return;
		case 'n':
			if (strncmp(sc->p, "null", 4) != 0)
				break;
			sc->p += 4;
			if (att >= 0)
				JsonlStoreScalar(sc->ctx, att, NULL, JSON_TOKEN_NULL);
			return;
		default:
			s = scan_number(sc);
			if (att >= 0)
				JsonlStoreScalar(sc->ctx, att, s, JSON_TOKEN_NUMBER);
			return;
	}
	scan_error(sc, "a JSON value");
}
