/*-------------------------------------------------------------------------
 *
 * manifest.h
 *	  Redshift-style manifests for copy_from_manifest, as palloc'd structs.
 *
 * A thin PostgreSQL wrapper over manifest_parse.c: the same validation,
 * with failures reported by ereport(ERROR) and results in palloc'd memory.
 * See docs/manifest.md for the accepted format.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/manifest/manifest.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MANIFEST_H
#define MANIFEST_H

#include "utils/jsonb.h"

typedef struct ManifestEntry
{
	char	   *url;			/* s3://, http://, https:// or file://; unique */
	bool		mandatory;		/* false when absent, as in Redshift */
	int64		content_length; /* meta.content_length; -1 if absent */
} ManifestEntry;

typedef struct Manifest
{
	int			nentries;		/* may be 0: an empty load */
	ManifestEntry *entries;
} Manifest;

/* in manifest.c */
extern Manifest *ManifestParse(const char *text, size_t len,
							   const char *source_name);
extern Manifest *ManifestFromJsonb(Jsonb *jb);

#endif							/* MANIFEST_H */
