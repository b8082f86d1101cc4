/*-------------------------------------------------------------------------
 *
 * objstore_int.h
 *	  Declarations shared by the files of src/objstore only.
 *
 * The rest of the extension uses objstore.h.  This header adds the parsed
 * URL, the resolved S3 settings, the libcurl request wrapper (http.c), the
 * S3 request builders (s3.c), the credential lookup (secrets.c) and the
 * file:// backend (file.c).
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/objstore/objstore_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OBJSTORE_INT_H
#define OBJSTORE_INT_H

#include <curl/curl.h>

#include "lib/stringinfo.h"
#include "objstore/objstore.h"

/* Settings for one s3:// URL: where to send it and how to sign it. */
typedef struct S3Config
{
	char	   *endpoint;		/* scheme://host[:port], no trailing slash */
	char	   *region;
	bool		path_style;		/* bucket in the path rather than the host */
	char	   *key_id;			/* NULL: anonymous (unsigned) requests */
	char	   *secret;			/* never printed */
	char	   *session_token;	/* never printed; NULL if none */
	char	   *source;			/* where the settings came from, for messages */
} S3Config;

/* One request to send, with everything needed to retry or resume it. */
typedef struct HttpRequest
{
	char	   *url;			/* the URL sent, already canonical for S3 */
	const char *display_url;	/* the caller's URL, redacted: for messages */
	bool		head;			/* HEAD rather than GET */
	int64		range_start;	/* -1: no Range header */
	int64		range_end;		/* inclusive; -1: to the end */
	const char *if_match;		/* etag to insist on when resuming, or NULL */
	const S3Config *s3;			/* sign with these settings; NULL for http */
} HttpRequest;

/* What came back; headers parsed, body palloc'd. */
typedef struct HttpResponse
{
	long		status;
	char	   *body;			/* NUL-terminated; error bodies are capped */
	size_t		body_len;
	char	   *etag;			/* quotes stripped, or NULL */
	int64		content_length; /* -1 if absent */
	int64		total_size;		/* from Content-Range, else content_length */
	TimestampTz last_modified;	/* 0 if absent */
} HttpResponse;

/*
 * Transfer state shared by libcurl's callbacks.  Callbacks run inside
 * libcurl, so they never palloc, elog or longjmp: they only fill these
 * fixed-size fields and malloc'd buffers.
 */
typedef struct HttpTransfer
{
	char		errbuf[CURL_ERROR_SIZE];
	struct curl_slist *headers; /* request headers (malloc'd by libcurl) */
	bool		link_local_refused; /* the open-socket check said no */
	bool		too_large;		/* the body passed max_body */
	long		status;			/* of the last response seen */
	int64		content_length;
	char		etag[256];
	char		last_modified[64];
	char		content_range[128];

	/* body of a buffered (non-streaming) request, or of an error answer */
	char	   *body;			/* malloc'd */
	size_t		body_len;
	size_t		body_cap;
	size_t		max_body;

	/* streaming: when set, 2xx bodies go to this sink instead */
	size_t		(*sink) (void *arg, const char *data, size_t len);
	void	   *sink_arg;
} HttpTransfer;

#define OBJSTORE_ERROR_BODY_MAX 4096

/* in objstore.c */
extern void ObjstoreReportTooLarge(const char *display_url, int64 max_bytes);
extern List *ObjstoreSortEntries(List *entries);

/* in http.c */
extern CURL *HttpEasyCreate(const HttpRequest *req, HttpTransfer *xfer);
extern void HttpTransferFree(HttpTransfer *xfer);
extern void HttpTransferResetResponse(HttpTransfer *xfer);
extern void HttpPerform(const HttpRequest *req, HttpResponse *resp,
						size_t max_body);
extern bool HttpIsRetryable(CURLcode rc, long status);
extern long HttpRetryDelayMs(int attempt);
extern void HttpSleepMs(long ms);
extern void HttpUnquoteEtag(const char *raw, char *dst, size_t dstlen);
extern void HttpFillResponse(const HttpTransfer *xfer, HttpResponse *resp);
extern void HttpReportCurlError(const char *display_url, CURLcode rc,
								const HttpTransfer *xfer, int attempts);
extern void HttpReportStatus(const char *display_url, long status,
							 const char *body, const S3Config *s3);

/* in s3.c */
extern void S3ParseUrl(const char *url, char **bucket, char **key);
extern char *S3ObjectUrl(const S3Config *cfg, const char *bucket,
						 const char *key);
extern void S3PrepareRequest(HttpRequest *req, const char *url);
extern List *S3List(const char *prefix_url);

/* in secrets.c */
extern void S3ResolveConfig(const char *url, S3Config *cfg);

/* in file.c */
extern char *FilePath(const char *url);
extern bool FileStat(const char *url, ObjstoreInfo *info);
extern void FileReadRange(const char *url, int64 offset, size_t len,
						  char *buf);
extern bytea *FileReadAll(const char *url, int64 max_bytes);
extern List *FileList(const char *prefix_url);
extern int	FileOpen(const char *url);

#endif							/* OBJSTORE_INT_H */
