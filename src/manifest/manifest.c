/*-------------------------------------------------------------------------
 *
 * manifest.c
 *	  PostgreSQL wrapper of the manifest parser: palloc'd structs, ereport.
 *
 * manifest_parse.c does the work with jansson and malloc and never
 * longjmps; this file copies its result into one palloc'd block, frees the
 * malloc'd one (also when the copy fails), and turns an MfError into an
 * ereport with the SQLSTATE the loader documents:
 *
 *	invalid JSON (duplicate keys included)	INVALID_JSON_TEXT
 *	bad structure, entry, scheme, duplicate	INVALID_PARAMETER_VALUE
 *	more than 64 MB							PROGRAM_LIMIT_EXCEEDED
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/manifest/manifest.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "manifest/manifest.h"
#include "manifest/manifest_parse.h"

/* What ManifestFromJsonb calls its input in messages. */
#define MANIFEST_INLINE_NAME	"inline jsonb"

static Manifest *manifest_copy(const MfManifest *mf);
static void manifest_report(const MfError *err, const char *source_name)
			pg_attribute_noreturn();

/*
 * ManifestParse
 *		Parse and validate the manifest text[0..len) read from source_name.
 *
 * text need not be NUL-terminated.  source_name (usually the manifest's
 * URL) is only used in messages.  Returns a Manifest palloc'd in
 * CurrentMemoryContext as one chunk: entries and URL strings included, so
 * pfree of the result releases everything.  Any problem is an ERROR; no
 * malloc'd memory survives either way.
 */
Manifest *
ManifestParse(const char *text, size_t len, const char *source_name)
{
	MfManifest *volatile mf;
	MfError		err;
	Manifest   *volatile result = NULL;

	mf = MfParse(text, len, &err);
	if (mf == NULL)
		manifest_report(&err, source_name);

	/* palloc may throw; the malloc'd manifest must not leak then */
	PG_TRY();
	{
		result = manifest_copy(mf);
	}
	PG_FINALLY();
	{
		MfFree(mf);
	}
	PG_END_TRY();

	return result;
}

/*
 * ManifestFromJsonb
 *		Validate a manifest given inline as jsonb; same rules as
 *		ManifestParse.
 *
 * The jsonb is serialized and parsed again, so the two paths cannot
 * disagree.  One difference is unavoidable: jsonb already kept only the
 * last of duplicate keys, so those cannot be reported here.
 */
Manifest *
ManifestFromJsonb(Jsonb *jb)
{
	StringInfoData buf;
	Manifest   *result;

	initStringInfo(&buf);
	JsonbToCString(&buf, &jb->root, VARSIZE(jb));
	result = ManifestParse(buf.data, buf.len, MANIFEST_INLINE_NAME);
	pfree(buf.data);
	return result;
}

/*
 * manifest_copy
 *		One palloc'd chunk holding the Manifest, its entries and its URLs.
 */
static Manifest *
manifest_copy(const MfManifest *mf)
{
	Size		total;
	Manifest   *m;
	char	   *pool;
	int			i;

	total = MAXALIGN(sizeof(Manifest)) +
		MAXALIGN(mul_size(mf->nentries, sizeof(ManifestEntry)));
	for (i = 0; i < mf->nentries; i++)
		total = add_size(total, strlen(mf->entries[i].url) + 1);

	/* a 64 MB manifest copies into well under 1 GB, but say so if not */
	m = palloc_extended(total, MCXT_ALLOC_HUGE);
	m->nentries = mf->nentries;
	m->entries = (ManifestEntry *) ((char *) m + MAXALIGN(sizeof(Manifest)));
	pool = (char *) m->entries +
		MAXALIGN(mf->nentries * sizeof(ManifestEntry));

	for (i = 0; i < mf->nentries; i++)
	{
		size_t		ulen = strlen(mf->entries[i].url) + 1;

		memcpy(pool, mf->entries[i].url, ulen);
		m->entries[i].url = pool;
		m->entries[i].mandatory = mf->entries[i].mandatory;
		m->entries[i].content_length = mf->entries[i].content_length;
		pool += ulen;
	}
	return m;
}

/*
 * manifest_report
 *		ereport(ERROR) for err, naming source_name, the entry and its URL.
 *
 * Entries are named by their JSON path, entries[i], counting from 0 as
 * jq and every JSON tool do.
 */
static void
manifest_report(const MfError *err, const char *source_name)
{
	switch (err->kind)
	{
		case MF_ERR_JSON:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_JSON_TEXT),
					 errmsg("invalid manifest \"%s\"", source_name),
					 errdetail_internal("%s at line %d, column %d.",
										err->text, err->line, err->column)));
			break;
		case MF_ERR_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("manifest \"%s\" is too large", source_name),
					 errdetail("The %s.", err->text),
					 errhint("Split the load into several manifests.")));
			break;
		case MF_ERR_STRUCTURE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid manifest \"%s\"", source_name),
					 errdetail("In the manifest, %s.", err->text),
					 errhint("A manifest looks like {\"entries\": [{\"url\": \"s3://bucket/key\", \"mandatory\": true}]}.")));
			break;
		case MF_ERR_ENTRY:
			{
				char		where[MF_ERROR_URL_LEN + 64];

				/* the URL is known unless "url" itself is the problem */
				if (err->url[0] != '\0')
					snprintf(where, sizeof(where), "entries[%d] (URL \"%s\")",
							 err->entry, err->url);
				else
					snprintf(where, sizeof(where), "entries[%d]", err->entry);
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid entry %d in manifest \"%s\"",
								err->entry, source_name),
						 errdetail("In %s, %s.", where, err->text)));
			}
			break;
		case MF_ERR_SCHEME:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unsupported URL scheme in manifest \"%s\"",
							source_name),
					 errdetail("The URL \"%s\" of entries[%d] does not start with s3://, http://, https:// or file://.",
							   err->url, err->entry),
					 errhint("Schemes are matched in lower case.")));
			break;
		case MF_ERR_DUPLICATE_URL:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("duplicate URL in manifest \"%s\"", source_name),
					 errdetail("The URL \"%s\" appears in entries[%d] and entries[%d].",
							   err->url, err->other_entry, err->entry),
					 errhint("List each object once.")));
			break;
		case MF_ERR_NOMEM:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("Failed while parsing manifest \"%s\".",
							   source_name)));
			break;
		case MF_OK:
			break;
	}
	elog(ERROR, "unexpected manifest parser result %d", (int) err->kind);
}
