/*-------------------------------------------------------------------------
 *
 * s3.c
 *	  s3:// URLs: addressing, request preparation and ListObjectsV2.
 *
 * An s3://bucket/key URL becomes an HTTP request to the endpoint of the
 * settings secrets.c resolves for it, path-style
 * (https://endpoint/bucket/key) or virtual-hosted
 * (https://bucket.endpoint/key).  libcurl signs it (CURLOPT_AWS_SIGV4, set
 * up in http.c) but signs the path and query exactly as given, so both are
 * canonicalized here with sigv4.c: the key is percent-encoded once, never
 * normalized, and query parameters are sorted.
 *
 * Listings use ListObjectsV2 with encoding-type=url (keys come back
 * percent-encoded, so any byte survives XML) and follow continuation tokens
 * until the listing is complete.  Pages are parsed with libxml2 under
 * PostgreSQL's libxml error handling (pg_xml_init).
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/objstore/s3.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/xml.h"

#include "objstore/objstore_int.h"
#include "objstore/sigv4.h"

/* keys per ListObjectsV2 page (the S3 maximum) */
#define S3_LIST_PAGE_KEYS "1000"

/*
 * sigv4_result
 *		Take a malloc'd string from sigv4.c into palloc'd memory.
 */
static char *
sigv4_result(char *s)
{
	char	   *p;

	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	p = pstrdup(s);
	free(s);
	return p;
}

/*
 * S3ParseUrl
 *		Split s3://bucket/key into palloc'd bucket and key (key may be "").
 */
void
S3ParseUrl(const char *url, char **bucket, char **key)
{
	const char *b = url + 5;
	const char *slash = strchr(b, '/');

	if (slash == NULL)
	{
		*bucket = pstrdup(b);
		*key = pstrdup("");
	}
	else
	{
		*bucket = pnstrdup(b, slash - b);
		*key = pstrdup(slash + 1);
	}
	if ((*bucket)[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("URL \"%s\" names no bucket", url)));
}

/*
 * S3ObjectUrl
 *		The HTTP URL (without query) of a key: endpoint plus canonical path,
 *		in the addressing style of cfg.
 */
char *
S3ObjectUrl(const S3Config *cfg, const char *bucket, const char *key)
{
	const char *hostpart = strstr(cfg->endpoint, "://");
	char	   *path;

	Assert(hostpart != NULL);
	hostpart += 3;
	if (cfg->path_style)
	{
		path = sigv4_result(SigV4CanonicalPath(psprintf("/%s/%s", bucket, key),
											   false));
		return psprintf("%s%s", cfg->endpoint, path);
	}
	path = sigv4_result(SigV4CanonicalPath(psprintf("/%s", key), false));
	return psprintf("%.*s%s.%s%s", (int) (hostpart - cfg->endpoint),
					cfg->endpoint, bucket, hostpart, path);
}

/*
 * S3PrepareRequest
 *		Resolve settings and credentials for an s3:// URL and point req at
 *		the object.  req->display_url must already be set.
 */
void
S3PrepareRequest(HttpRequest *req, const char *url)
{
	S3Config   *cfg = palloc0(sizeof(S3Config));
	char	   *bucket;
	char	   *key;

	S3ParseUrl(url, &bucket, &key);
	S3ResolveConfig(url, cfg);
	req->s3 = cfg;
	req->url = S3ObjectUrl(cfg, bucket, key);
}

/* text content of an element, palloc'd ("" when empty) */
static char *
node_text(xmlNodePtr node)
{
	xmlChar    *c = xmlNodeGetContent(node);
	char	   *s;

	s = pstrdup(c ? (char *) c : "");
	if (c)
		xmlFree(c);
	return s;
}

static bool
is_elem(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
		strcmp((const char *) n->name, name) == 0;
}

/* percent-decode a key of an encoding-type=url listing, palloc'd */
static char *
decode_key(const char *s)
{
	return sigv4_result(SigV4UriDecode(s, strlen(s), true));
}

/*
 * parse_contents
 *		One <Contents> element into an entry.
 */
static ObjstoreEntry *
parse_contents(xmlNodePtr contents, const char *bucket)
{
	ObjstoreEntry *e = palloc0(sizeof(ObjstoreEntry));
	xmlNodePtr	c;

	e->size = -1;
	for (c = contents->children; c != NULL; c = c->next)
	{
		if (is_elem(c, "Key"))
			e->url = psprintf("s3://%s/%s", bucket, decode_key(node_text(c)));
		else if (is_elem(c, "Size"))
			e->size = strtoll(node_text(c), NULL, 10);
		else if (is_elem(c, "LastModified"))
			e->last_modified =
				DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
														CStringGetDatum(node_text(c)),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
		else if (is_elem(c, "ETag"))
		{
			char	   *t = node_text(c);
			size_t		n = strlen(t);

			if (n >= 2 && t[0] == '"' && t[n - 1] == '"')
				t = pnstrdup(t + 1, n - 2);
			e->etag = t;
		}
	}
	return e->url ? e : NULL;
}

/*
 * parse_page
 *		Append the page's objects to *entries; returns the continuation
 *		token for the next page, or NULL when this was the last one.
 */
static char *
parse_page(const char *body, size_t len, const char *bucket,
		   const char *display_url, List **entries)
{
	PgXmlErrorContext *xcxt = pg_xml_init(PG_XML_STRICTNESS_ALL);
	xmlDocPtr	doc = NULL;
	char	   *token = NULL;
	bool		truncated = false;

	PG_TRY();
	{
		xmlNodePtr	root;
		xmlNodePtr	n;

		doc = xmlReadMemory(body, (int) len, NULL, NULL,
							XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		if (doc == NULL || pg_xml_error_occurred(xcxt))
			xml_ereport(xcxt, ERROR, ERRCODE_INVALID_XML_DOCUMENT,
						psprintf("could not parse the listing of \"%s\"",
								 display_url));
		root = xmlDocGetRootElement(doc);
		if (root == NULL || !is_elem(root, "ListBucketResult"))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_XML_DOCUMENT),
					 errmsg("unexpected answer listing \"%s\"", display_url),
					 errdetail("The root element is not ListBucketResult.")));
		for (n = root->children; n != NULL; n = n->next)
		{
			if (is_elem(n, "Contents"))
			{
				ObjstoreEntry *e = parse_contents(n, bucket);

				if (e)
					*entries = lappend(*entries, e);
			}
			else if (is_elem(n, "IsTruncated"))
				truncated = strcmp(node_text(n), "true") == 0;
			else if (is_elem(n, "NextContinuationToken"))
				token = node_text(n);
		}
	}
	PG_FINALLY();
	{
		if (doc)
			xmlFreeDoc(doc);
		pg_xml_done(xcxt, true);
	}
	PG_END_TRY();

	if (truncated && (token == NULL || token[0] == '\0'))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("listing of \"%s\" is truncated without a continuation token",
						display_url)));
	return truncated ? token : NULL;
}

/*
 * S3List
 *		All objects whose key starts with the prefix of s3://bucket/prefix,
 *		every page of ListObjectsV2.  Returns ObjstoreEntry *, sorted by URL
 *		(S3 sorts by UTF-8 bytes already; this keeps the order identical for
 *		servers that do not).
 */
List *
S3List(const char *prefix_url)
{
	S3Config   *cfg = palloc0(sizeof(S3Config));
	char	   *bucket;
	char	   *prefix;
	char	   *base;
	char	   *token = NULL;
	List	   *entries = NIL;
	int			pages = 0;

	S3ParseUrl(prefix_url, &bucket, &prefix);
	S3ResolveConfig(prefix_url, cfg);
	base = S3ObjectUrl(cfg, bucket, "");

	do
	{
		SigV4Pair	params[5];
		int			np = 0;
		HttpRequest req;
		HttpResponse resp;

		params[np].name = "list-type";
		params[np++].value = "2";
		params[np].name = "encoding-type";
		params[np++].value = "url";
		params[np].name = "max-keys";
		params[np++].value = S3_LIST_PAGE_KEYS;
		params[np].name = "prefix";
		params[np++].value = prefix;
		if (token != NULL)
		{
			params[np].name = "continuation-token";
			params[np++].value = token;
		}

		memset(&req, 0, sizeof(req));
		req.range_start = req.range_end = -1;
		req.display_url = prefix_url;
		req.s3 = cfg;
		req.url = psprintf("%s?%s", base,
						   sigv4_result(SigV4CanonicalQuery(params, np)));
		/* a page of 1,000 long keys is well under 4 MB */
		HttpPerform(&req, &resp, 16 * 1024 * 1024);
		if (resp.status == 404)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FILE),
					 errmsg("bucket of \"%s\" does not exist", prefix_url)));
		if (resp.status < 200 || resp.status >= 300)
			HttpReportStatus(prefix_url, resp.status, resp.body, cfg);

		token = parse_page(resp.body, resp.body_len, bucket, prefix_url,
						   &entries);
		pfree(resp.body);
		pages++;
		CHECK_FOR_INTERRUPTS();
	} while (token != NULL);

	ereport(DEBUG1,
			(errmsg_internal("listed %d objects of \"%s\" in %d pages",
							 list_length(entries), prefix_url, pages)));
	return ObjstoreSortEntries(entries);
}
