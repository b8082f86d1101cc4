/*-------------------------------------------------------------------------
 *
 * manifest_parse.c
 *	  Redshift-style manifest parser core: jansson -> one malloc'd block.
 *
 * The parser knows nothing of PostgreSQL: it reads a byte view, returns a
 * manifest or fills an MfError, and never longjmps.  manifest.c wraps it
 * for the backend; test/unit/manifest and test/fuzz/manifest drive it
 * directly.
 *
 * Validation, in order: size, JSON syntax (duplicate keys included, since
 * which of two values wins is ambiguous), shape of the top level, then each
 * entry in turn (url, scheme, mandatory, meta.content_length), then URL
 * uniqueness.  The first problem found is reported.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/manifest/manifest_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/manifest_parse.h"

/* Schemes the object store understands; everything else is refused. */
static const char *const mf_schemes[] = {
	"s3://", "http://", "https://", "file://"
};

static void mf_error_init(MfError *err);
static void mf_error_set(MfError *err, MfErrorKind kind, int entry,
						 const char *url, const char *fmt,...)
			__attribute__((format(printf, 5, 6)));
static int	mf_check_entry(json_t *entry, int index, MfEntry *out,
						   MfError *err);
static int	mf_find_duplicate(MfManifest *m, MfError *err);
static int	mf_cmp_url_index(const void *a, const void *b);

/*
 * MfUrlSchemeAllowed
 *		Return the allowed scheme prefix url starts with, or NULL.
 *
 * Schemes are matched in lower case only, as the object store dispatches
 * them.
 */
const char *
MfUrlSchemeAllowed(const char *url)
{
	size_t		i;

	for (i = 0; i < sizeof(mf_schemes) / sizeof(mf_schemes[0]); i++)
	{
		size_t		n = strlen(mf_schemes[i]);

		if (strncmp(url, mf_schemes[i], n) == 0)
			return mf_schemes[i];
	}
	return NULL;
}

/*
 * MfParse
 *		Parse and validate a manifest held in text[0..len).
 *
 * text need not be NUL-terminated.  On success returns one malloc'd block
 * that the caller releases with MfFree, and sets err->kind to MF_OK.  On
 * failure returns NULL with err filled in; nothing is left allocated.
 */
MfManifest *
MfParse(const char *text, size_t len, MfError *err)
{
	json_error_t jerr;
	json_t	   *root;
	json_t	   *entries;
	MfManifest *m = NULL;
	MfEntry    *tmp = NULL;
	size_t		n;
	size_t		i;
	size_t		strbytes = 0;
	char	   *pool;

	mf_error_init(err);

	if (len > MF_MAX_BYTES)
	{
		mf_error_set(err, MF_ERR_TOO_LARGE, -1, NULL,
					 "manifest is %zu bytes, more than the limit of %zu",
					 len, MF_MAX_BYTES);
		return NULL;
	}

	/*
	 * JSON_REJECT_DUPLICATES: {"url":"a","url":"b"} would otherwise silently
	 * keep one of them.  NUL bytes inside strings stay rejected (the
	 * default), so every URL is a proper C string.
	 */
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
	{
		err->kind = MF_ERR_JSON;
		err->line = jerr.line;
		err->column = jerr.column;
		err->position = (long) jerr.position;
		snprintf(err->text, sizeof(err->text), "%s", jerr.text);
		return NULL;
	}

	if (!json_is_object(root))
	{
		mf_error_set(err, MF_ERR_STRUCTURE, -1, NULL,
					 "top level is not an object");
		goto fail;
	}
	entries = json_object_get(root, "entries");
	if (entries == NULL)
	{
		mf_error_set(err, MF_ERR_STRUCTURE, -1, NULL,
					 "\"entries\" is missing");
		goto fail;
	}
	if (!json_is_array(entries))
	{
		mf_error_set(err, MF_ERR_STRUCTURE, -1, NULL,
					 "\"entries\" is not an array");
		goto fail;
	}

	/* 64 MB of JSON holds far fewer than INT_MAX entries. */
	n = json_array_size(entries);

	/*
	 * First pass: validate every entry into a scratch array whose url
	 * fields still point into jansson's strings, and add up their lengths.
	 */
	tmp = malloc((n > 0 ? n : 1) * sizeof(MfEntry));
	if (tmp == NULL)
		goto nomem;
	for (i = 0; i < n; i++)
	{
		if (mf_check_entry(json_array_get(entries, i), (int) i, &tmp[i], err))
			goto fail;
		strbytes += strlen(tmp[i].url) + 1;
	}

	/* Second pass: copy into one block, entries first, then the strings. */
	m = malloc(sizeof(MfManifest) + n * sizeof(MfEntry) + strbytes);
	if (m == NULL)
		goto nomem;
	m->nentries = (int) n;
	m->entries = (MfEntry *) (m + 1);
	pool = (char *) (m->entries + n);
	for (i = 0; i < n; i++)
	{
		size_t		ulen = strlen(tmp[i].url) + 1;

		memcpy(pool, tmp[i].url, ulen);
		m->entries[i] = tmp[i];
		m->entries[i].url = pool;
		pool += ulen;
	}
	free(tmp);
	tmp = NULL;
	json_decref(root);
	root = NULL;

	if (mf_find_duplicate(m, err))
	{
		free(m);
		return NULL;
	}
	return m;

nomem:
	mf_error_set(err, MF_ERR_NOMEM, -1, NULL, "out of memory");
fail:
	free(tmp);
	free(m);
	json_decref(root);
	return NULL;
}

/*
 * MfFree
 *		Release a manifest returned by MfParse; NULL is allowed.
 */
void
MfFree(MfManifest *manifest)
{
	free(manifest);
}

/*
 * MfErrorFormat
 *		Write err as one line into buf, as the golden "error" files hold it.
 *
 * The form is "<line> <column> <position>\n<where>: <text>\n" where the
 * numbers are -1 for errors that are not JSON syntax errors (jansson's
 * test-suite layout).  Returns what snprintf returns.
 */
int
MfErrorFormat(const MfError *err, char *buf, size_t buflen)
{
	char		where[MF_ERROR_URL_LEN + 64];

	if (err->entry < 0)
		where[0] = '\0';
	else if (err->url[0] == '\0')
		snprintf(where, sizeof(where), "entries[%d]: ", err->entry);
	else
		snprintf(where, sizeof(where), "entries[%d] (\"%s\"): ",
				 err->entry, err->url);

	return snprintf(buf, buflen, "%d %d %ld\n%s%s\n",
					err->line, err->column, err->position, where, err->text);
}

/*
 * mf_check_entry
 *		Validate entries[index] into *out; return nonzero and fill err if
 *		it is ill-formed.  out->url points into the json_t (not copied).
 */
static int
mf_check_entry(json_t *entry, int index, MfEntry *out, MfError *err)
{
	json_t	   *url;
	json_t	   *mandatory;
	json_t	   *meta;
	json_t	   *length;
	const char *s;

	if (!json_is_object(entry))
	{
		mf_error_set(err, MF_ERR_ENTRY, index, NULL, "entry is not an object");
		return 1;
	}

	url = json_object_get(entry, "url");
	if (!json_is_string(url))
	{
		mf_error_set(err, MF_ERR_ENTRY, index, NULL,
					 url ? "\"url\" is not a string" : "\"url\" is missing");
		return 1;
	}
	s = json_string_value(url);
	if (MfUrlSchemeAllowed(s) == NULL)
	{
		mf_error_set(err, MF_ERR_SCHEME, index, s,
					 "URL scheme is not one of s3://, http://, https://, file://");
		return 1;
	}
	if (strlen(s) == strlen(MfUrlSchemeAllowed(s)))
	{
		mf_error_set(err, MF_ERR_ENTRY, index, s,
					 "URL has nothing after its scheme");
		return 1;
	}
	out->url = s;

	/* Redshift's default: an entry is optional unless it says otherwise. */
	out->mandatory = false;
	mandatory = json_object_get(entry, "mandatory");
	if (mandatory != NULL)
	{
		if (!json_is_boolean(mandatory))
		{
			mf_error_set(err, MF_ERR_ENTRY, index, s,
						 "\"mandatory\" is not a boolean");
			return 1;
		}
		out->mandatory = json_is_true(mandatory);
	}

	out->content_length = -1;
	meta = json_object_get(entry, "meta");
	if (meta == NULL)
		return 0;
	if (!json_is_object(meta))
	{
		mf_error_set(err, MF_ERR_ENTRY, index, s, "\"meta\" is not an object");
		return 1;
	}
	length = json_object_get(meta, "content_length");
	if (length == NULL)
		return 0;

	/* 12.0 is a real to jansson and refused: a byte count is an integer. */
	if (!json_is_integer(length) || json_integer_value(length) < 0)
	{
		mf_error_set(err, MF_ERR_ENTRY, index, s,
					 "\"meta\".\"content_length\" is not a non-negative integer");
		return 1;
	}
	out->content_length = (int64_t) json_integer_value(length);
	return 0;
}

/*
 * mf_find_duplicate
 *		Report the first entry (in manifest order) whose URL an earlier entry
 *		already has.  Sorting indexes by (url, index) keeps this O(n log n)
 *		for manifests of hundreds of thousands of entries.
 */
static MfEntry *mf_sort_base;

static int
mf_cmp_url_index(const void *a, const void *b)
{
	int			ia = *(const int *) a;
	int			ib = *(const int *) b;
	int			c = strcmp(mf_sort_base[ia].url, mf_sort_base[ib].url);

	if (c != 0)
		return c;
	return (ia > ib) - (ia < ib);
}

static int
mf_find_duplicate(MfManifest *m, MfError *err)
{
	int		   *order;
	int			i;
	int			best = -1;
	int			first = -1;
	int			run = 0;		/* where the current run of equal URLs starts */

	if (m->nentries < 2)
		return 0;
	order = malloc((size_t) m->nentries * sizeof(int));
	if (order == NULL)
	{
		mf_error_set(err, MF_ERR_NOMEM, -1, NULL, "out of memory");
		return 1;
	}
	for (i = 0; i < m->nentries; i++)
		order[i] = i;

	/* qsort has no context argument; the parser is not reentrant here. */
	mf_sort_base = m->entries;
	qsort(order, m->nentries, sizeof(int), mf_cmp_url_index);
	mf_sort_base = NULL;

	/*
	 * Within a run of equal URLs the indexes ascend, so order[i] with i > 0
	 * in the run is a repeat of the run's first element.  Keep the smallest
	 * repeating index over all runs.
	 */
	for (i = 1; i < m->nentries; i++)
	{
		if (strcmp(m->entries[order[i - 1]].url,
				   m->entries[order[i]].url) != 0)
		{
			run = i;
			continue;
		}
		if (best < 0 || order[i] < best)
		{
			best = order[i];
			first = order[run];
		}
	}
	free(order);

	if (best < 0)
		return 0;
	mf_error_set(err, MF_ERR_DUPLICATE_URL, best, m->entries[best].url,
				 "URL repeats entries[%d]", first);
	err->other_entry = first;
	return 1;
}

/* Reset err to "no error", with every field at its "does not apply" value. */
static void
mf_error_init(MfError *err)
{
	err->kind = MF_OK;
	err->line = -1;
	err->column = -1;
	err->position = -1;
	err->entry = -1;
	err->other_entry = -1;
	err->url[0] = '\0';
	err->text[0] = '\0';
}

/*
 * mf_error_set
 *		Fill err; url (may be NULL) is copied, cut to fit with "...".
 */
static void
mf_error_set(MfError *err, MfErrorKind kind, int entry, const char *url,
			 const char *fmt,...)
{
	va_list		ap;

	err->kind = kind;
	err->entry = entry;
	if (url != NULL)
	{
		size_t		ulen = strlen(url);

		if (ulen < sizeof(err->url))
			memcpy(err->url, url, ulen + 1);
		else
		{
			size_t		cut = sizeof(err->url) - 4;

			/* never split a UTF-8 sequence: the text ends up in a message */
			while (cut > 0 && ((unsigned char) url[cut] & 0xC0) == 0x80)
				cut--;
			memcpy(err->url, url, cut);
			strcpy(err->url + cut, "...");
		}
	}
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}
