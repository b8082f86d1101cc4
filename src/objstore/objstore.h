/*-------------------------------------------------------------------------
 *
 * objstore.h
 *	  Object-store access: file://, http(s):// and s3:// URLs behind one API.
 *
 * All functions report failures with ereport(ERROR) naming the URL (never a
 * secret, never a presigned query string).  Memory is palloc'd in the
 * current memory context unless said otherwise; libcurl handles and file
 * descriptors are released by a reset callback on the context that owns the
 * fetcher, so an error anywhere cannot leak them.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/objstore/objstore.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OBJSTORE_H
#define OBJSTORE_H

#include "nodes/pg_list.h"
#include "utils/timestamp.h"

typedef enum ObjstoreKind
{
	OBJSTORE_FILE,				/* file:///absolute/path */
	OBJSTORE_HTTP,				/* http:// or https:// */
	OBJSTORE_S3					/* s3://bucket/key */
} ObjstoreKind;

/* What HEAD (or stat) tells about one object. */
typedef struct ObjstoreInfo
{
	int64		size;			/* bytes; -1 when the server did not say */
	char	   *etag;			/* palloc'd, quotes stripped; NULL if none */
	TimestampTz last_modified;	/* 0 when unknown */
} ObjstoreInfo;

/* One row of a listing. */
typedef struct ObjstoreEntry
{
	char	   *url;			/* full URL of the object, same scheme as the prefix */
	int64		size;
	TimestampTz last_modified;
	char	   *etag;
} ObjstoreEntry;

/* A set of concurrent downloads driven by one multi handle. */
typedef struct ObjstoreFetcher ObjstoreFetcher;

/* One object being streamed; created by ObjstoreFetcherAdd. */
typedef struct ObjstoreStream ObjstoreStream;

/* in objstore.c */
extern void ObjstoreInit(void);
extern ObjstoreKind ObjstoreUrlKind(const char *url);
extern void ObjstoreCheckPrivileges(const char *url);
extern char *ObjstoreRedactUrl(const char *url);
extern bool ObjstoreStat(const char *url, ObjstoreInfo *info);
extern void ObjstoreReadRange(const char *url, int64 offset, size_t len,
							  char *buf);
extern bytea *ObjstoreReadAll(const char *url, int64 max_bytes);
extern List *ObjstoreList(const char *prefix_url);

extern ObjstoreFetcher *ObjstoreFetcherCreate(int max_concurrent);
extern ObjstoreStream *ObjstoreFetcherAdd(ObjstoreFetcher *fetcher,
										  const char *url,
										  int64 expected_size);
extern ObjstoreStream *ObjstoreFetcherAddRange(ObjstoreFetcher *fetcher,
											   const char *url, int64 offset,
											   int64 length);
extern void ObjstoreFetcherPoll(ObjstoreFetcher *fetcher);
extern size_t ObjstoreStreamRead(ObjstoreStream *stream, char *buf,
								 size_t len);
extern int64 ObjstoreStreamBytesRead(ObjstoreStream *stream);
extern void ObjstoreStreamClose(ObjstoreStream *stream);
extern void ObjstoreFetcherDestroy(ObjstoreFetcher *fetcher);

#endif							/* OBJSTORE_H */
