/*-------------------------------------------------------------------------
 *
 * manifest_parse.h
 *	  Redshift-style manifest parser core, free of PostgreSQL headers.
 *
 * A manifest is {"entries":[{"url":"s3://...","mandatory":true,
 * "meta":{"content_length":N}}, ...]}.  MfParse turns its text into one
 * malloc'd MfManifest, or fills an MfError describing the first problem.
 * It never longjmps, so it is usable from unit tests, a libFuzzer target
 * and (through manifest.c) the backend.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/manifest/manifest_parse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MANIFEST_PARSE_H
#define MANIFEST_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Larger manifests are refused before parsing (about 500,000 entries). */
#define MF_MAX_BYTES			((size_t) 64 * 1024 * 1024)

/* Room for a URL quoted in an error; longer ones are cut, ending in "...". */
#define MF_ERROR_URL_LEN		256
#define MF_ERROR_TEXT_LEN		256

/* One entry; url points into the manifest's own allocation. */
typedef struct MfEntry
{
	const char *url;			/* never NULL, NUL-terminated, unique */
	bool		mandatory;		/* false when absent, as in Redshift */
	int64_t		content_length; /* meta.content_length; -1 when absent */
} MfEntry;

/*
 * The whole manifest is one malloc'd block (entries, then the URL strings),
 * so MfFree is a single free().
 */
typedef struct MfManifest
{
	int			nentries;
	MfEntry    *entries;
} MfManifest;

typedef enum MfErrorKind
{
	MF_OK = 0,
	MF_ERR_JSON,				/* not JSON, or a duplicate key: line/column set */
	MF_ERR_TOO_LARGE,			/* over MF_MAX_BYTES */
	MF_ERR_STRUCTURE,			/* top level or "entries" ill-formed */
	MF_ERR_ENTRY,				/* one entry ill-formed: entry (and url) set */
	MF_ERR_DUPLICATE_URL,		/* entry repeats the URL of other_entry */
	MF_ERR_SCHEME,				/* entry's URL has an unsupported scheme */
	MF_ERR_NOMEM				/* malloc failed */
} MfErrorKind;

/*
 * What went wrong.  text is lower case without a final period (jansson's
 * style); for MF_ERR_JSON it is jansson's own text.  Fields that do not
 * apply are -1 (numbers) or "" (url).
 */
typedef struct MfError
{
	MfErrorKind kind;
	int			line;			/* 1-based, MF_ERR_JSON only */
	int			column;			/* 1-based, in characters */
	long		position;		/* byte offset, MF_ERR_JSON only */
	int			entry;			/* 0-based index into "entries" */
	int			other_entry;	/* MF_ERR_DUPLICATE_URL: the first occurrence */
	char		url[MF_ERROR_URL_LEN];
	char		text[MF_ERROR_TEXT_LEN];
} MfError;

/* in manifest_parse.c */
extern MfManifest *MfParse(const char *text, size_t len, MfError *err);
extern void MfFree(MfManifest *manifest);
extern const char *MfUrlSchemeAllowed(const char *url);
extern int	MfErrorFormat(const MfError *err, char *buf, size_t buflen);

#endif							/* MANIFEST_PARSE_H */
