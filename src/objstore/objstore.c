/*-------------------------------------------------------------------------
 *
 * objstore.c
 *	  URL dispatch: one API over file://, http(s):// and s3:// objects.
 *
 * This file knows the URL kinds, checks who may read what, redacts URLs
 * for messages, and turns stat, ranged read, whole read and listing into
 * calls to file.c or into HTTP requests (http.c) built by s3.c for s3://
 * URLs.  Streaming with prefetch lives in fetch.c.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/objstore/objstore.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

#include "objstore/objstore_int.h"

#define CLICKSTREAM_LOADER_ROLE "clickstream_loader"

/*
 * ObjstoreInit
 *		Called once from _PG_init: libcurl's global state must be set up
 *		before any handle is created and while the process has one thread.
 */
void
ObjstoreInit(void)
{
	CURLcode	rc = curl_global_init(CURL_GLOBAL_ALL);

	if (rc != CURLE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not initialize libcurl"),
				 errdetail_internal("%s", curl_easy_strerror(rc))));
}

/*
 * ObjstoreUrlKind
 *		The kind of a URL, by its scheme (case-insensitive).  Anything else,
 *		including file URLs that are not absolute (file:///path), is an
 *		ERRCODE_INVALID_PARAMETER_VALUE error naming the URL.
 */
ObjstoreKind
ObjstoreUrlKind(const char *url)
{
	if (pg_strncasecmp(url, "s3://", 5) == 0 && url[5] != '\0' && url[5] != '/')
		return OBJSTORE_S3;
	if ((pg_strncasecmp(url, "http://", 7) == 0 && url[7] != '\0') ||
		(pg_strncasecmp(url, "https://", 8) == 0 && url[8] != '\0'))
		return OBJSTORE_HTTP;
	if (pg_strncasecmp(url, "file:///", 8) == 0)
		return OBJSTORE_FILE;

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unsupported URL \"%s\"", ObjstoreRedactUrl(url)),
			 errdetail("Only s3://bucket/key, http://, https:// and file:///absolute/path URLs are supported.")));
	return OBJSTORE_FILE;		/* keep compiler quiet */
}

/*
 * ObjstoreCheckPrivileges
 *		Error out unless the current user may read this URL: file:// needs
 *		the privileges of pg_read_server_files (as COPY FROM a file does),
 *		network URLs those of clickstream_loader.  Superusers pass both.
 */
void
ObjstoreCheckPrivileges(const char *url)
{
	Oid			userid = GetUserId();

	if (ObjstoreUrlKind(url) == OBJSTORE_FILE)
	{
		if (!has_privs_of_role(userid, ROLE_PG_READ_SERVER_FILES))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to read server file \"%s\"", url),
					 errhint("Only roles with privileges of the \"pg_read_server_files\" role may read file:// URLs.")));
	}
	else
	{
		Oid			loader = get_role_oid(CLICKSTREAM_LOADER_ROLE, true);

		if (!superuser() &&
			(!OidIsValid(loader) || !has_privs_of_role(userid, loader)))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to read network URL \"%s\"",
							ObjstoreRedactUrl(url)),
					 errhint("Grant the \"%s\" role to the user that reads http://, https:// and s3:// URLs.",
							 CLICKSTREAM_LOADER_ROLE)));
	}
}

/*
 * ObjstoreRedactUrl
 *		The URL as it may appear in a message: for http(s) URLs, without
 *		user:password@ and without the query string, which for presigned
 *		URLs holds a signature.  Returns a palloc'd copy.
 */
char *
ObjstoreRedactUrl(const char *url)
{
	StringInfoData buf;
	const char *p;
	const char *host;
	const char *at;
	const char *slash;
	const char *query;

	if (pg_strncasecmp(url, "http://", 7) != 0 &&
		pg_strncasecmp(url, "https://", 8) != 0)
		return pstrdup(url);

	p = strstr(url, "://") + 3;
	host = p;
	slash = p + strcspn(p, "/?#");
	at = memchr(p, '@', slash - p);
	if (at != NULL)
		host = at + 1;
	query = strpbrk(slash, "?#");

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, url, p - url);
	if (at != NULL)
		appendStringInfoString(&buf, "***@");
	if (query != NULL)
	{
		appendBinaryStringInfo(&buf, host, query - host);
		appendStringInfoString(&buf, "?...");
	}
	else
		appendStringInfoString(&buf, host);
	return buf.data;
}

/*
 * prepare_remote
 *		Fill req for a GET (or HEAD) of an http(s) or s3 URL.  For s3:// the
 *		credentials are resolved and the URL is rewritten to the endpoint.
 */
static void
prepare_remote(HttpRequest *req, const char *url, ObjstoreKind kind)
{
	memset(req, 0, sizeof(HttpRequest));
	req->range_start = -1;
	req->range_end = -1;
	req->display_url = ObjstoreRedactUrl(url);
	if (kind == OBJSTORE_S3)
		S3PrepareRequest(req, url);
	else
		req->url = pstrdup(url);
}

/*
 * check_answer
 *		Raise the error for a non-2xx answer; a 404 is ERRCODE_UNDEFINED_FILE
 *		naming the URL.
 */
static void
check_answer(const HttpRequest *req, const HttpResponse *resp)
{
	if (resp->status >= 200 && resp->status < 300)
		return;
	HttpReportStatus(req->display_url, resp->status, resp->body, req->s3);
}

/*
 * ObjstoreStat
 *		Size, etag and modification time of an object; false if it does not
 *		exist (404, or ENOENT for files).  Other failures raise an error.
 */
bool
ObjstoreStat(const char *url, ObjstoreInfo *info)
{
	ObjstoreKind kind = ObjstoreUrlKind(url);
	HttpRequest req;
	HttpResponse resp;

	ObjstoreCheckPrivileges(url);
	memset(info, 0, sizeof(ObjstoreInfo));
	info->size = -1;
	if (kind == OBJSTORE_FILE)
		return FileStat(url, info);

	prepare_remote(&req, url, kind);
	req.head = true;
	HttpPerform(&req, &resp, OBJSTORE_ERROR_BODY_MAX);
	if (resp.status == 404)
		return false;
	check_answer(&req, &resp);
	info->size = resp.content_length;
	info->etag = resp.etag;
	info->last_modified = resp.last_modified;
	return true;
}

/*
 * ObjstoreReadRange
 *		Read exactly len bytes at offset into buf (a Range GET for network
 *		URLs).  Fewer bytes available is an ERRCODE_DATA_CORRUPTED error; a
 *		missing object is ERRCODE_UNDEFINED_FILE.
 */
void
ObjstoreReadRange(const char *url, int64 offset, size_t len, char *buf)
{
	ObjstoreKind kind = ObjstoreUrlKind(url);
	HttpRequest req;
	HttpResponse resp;
	const char *data;

	ObjstoreCheckPrivileges(url);
	if (len == 0)
		return;
	if (kind == OBJSTORE_FILE)
	{
		FileReadRange(url, offset, len, buf);
		return;
	}

	prepare_remote(&req, url, kind);
	req.range_start = offset;
	req.range_end = offset + (int64) len - 1;
	HttpPerform(&req, &resp, len + 1);
	check_answer(&req, &resp);

	/* a server that ignores Range sends the whole object (200) */
	data = resp.body;
	if (resp.status == 200)
	{
		if ((int64) resp.body_len < offset + (int64) len)
			goto short_read;
		data += offset;
	}
	else if (resp.body_len < len)
		goto short_read;
	memcpy(buf, data, len);
	return;

short_read:
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("could not read %zu bytes at offset " INT64_FORMAT " of \"%s\"",
					len, offset, req.display_url),
			 errdetail("The object is shorter than expected.")));
}

/*
 * ObjstoreReadAll
 *		The whole object as a bytea, refusing objects of more than max_bytes
 *		(ERRCODE_PROGRAM_LIMIT_EXCEEDED).
 */
bytea *
ObjstoreReadAll(const char *url, int64 max_bytes)
{
	ObjstoreKind kind = ObjstoreUrlKind(url);
	HttpRequest req;
	HttpResponse resp;
	bytea	   *result;

	ObjstoreCheckPrivileges(url);
	if (kind == OBJSTORE_FILE)
		return FileReadAll(url, max_bytes);

	prepare_remote(&req, url, kind);
	HttpPerform(&req, &resp, (size_t) max_bytes);
	check_answer(&req, &resp);
	result = (bytea *) palloc(VARHDRSZ + resp.body_len);
	SET_VARSIZE(result, VARHDRSZ + resp.body_len);
	memcpy(VARDATA(result), resp.body, resp.body_len);
	return result;
}

/*
 * ObjstoreReportTooLarge
 *		The error for an object above a size limit, shared by all kinds.
 */
void
ObjstoreReportTooLarge(const char *display_url, int64 max_bytes)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("object \"%s\" is larger than " INT64_FORMAT " bytes",
					display_url, max_bytes),
			 errhint("Raise clickstream.read_object_max_size, or load the object with copy_from_url.")));
}

/*
 * ObjstoreList
 *		Every object whose URL starts with prefix_url, as ObjstoreEntry *,
 *		sorted by URL.  s3:// lists by key prefix (all pages), file:// walks
 *		directories; http(s) cannot be listed.
 */
List *
ObjstoreList(const char *prefix_url)
{
	ObjstoreKind kind = ObjstoreUrlKind(prefix_url);

	ObjstoreCheckPrivileges(prefix_url);
	if (kind == OBJSTORE_FILE)
		return FileList(prefix_url);
	if (kind == OBJSTORE_S3)
		return S3List(prefix_url);
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot list \"%s\"", ObjstoreRedactUrl(prefix_url)),
			 errdetail("HTTP servers offer no listing; only s3:// and file:// prefixes can be listed.")));
	return NIL;					/* keep compiler quiet */
}

static int
cmp_entry(const ListCell *a, const ListCell *b)
{
	const ObjstoreEntry *x = lfirst(a);
	const ObjstoreEntry *y = lfirst(b);

	return strcmp(x->url, y->url);
}

/*
 * ObjstoreSortEntries
 *		Sort a listing by URL (byte order, as S3 sorts keys), in place.
 */
List *
ObjstoreSortEntries(List *entries)
{
	list_sort(entries, cmp_entry);
	return entries;
}
