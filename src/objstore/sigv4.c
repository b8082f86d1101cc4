/*-------------------------------------------------------------------------
 *
 * sigv4.c
 *	  AWS Signature Version 4, standalone (no PostgreSQL headers).
 *
 * The rules, from AWS's "Create a canonical request for Signature Version
 * 4" and checked against the aws-c-auth signing test suite:
 *
 *	- URI-encode every byte except A-Z a-z 0-9 - _ . ~ as %XY with upper-case
 *	  hex; '/' is kept in the path and encoded everywhere else.  S3 encodes
 *	  the path once and never normalizes it.
 *	- The canonical query string is name=value pairs, both encoded, sorted
 *	  by encoded name then encoded value, joined by '&'.
 *	- Canonical headers are lower-cased names, values with surrounding blanks
 *	  trimmed and inner runs of blanks folded to one space, sorted by name,
 *	  repeated names joined with ','.
 *
 * Hashing and HMAC come from OpenSSL's libcrypto, which libcurl and the
 * PostgreSQL server are linked with already.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/objstore/sigv4.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "sigv4.h"

/* A growable malloc'd string; "failed" sticks once an allocation failed. */
typedef struct SigV4Buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		failed;
} SigV4Buf;

/* An encoded query parameter, for sorting. */
typedef struct SigV4Encoded
{
	char	   *name;
	char	   *value;
} SigV4Encoded;

/* A canonical header, for sorting and folding duplicates. */
typedef struct SigV4Header
{
	char	   *name;			/* lower-cased */
	char	   *value;			/* trimmed, blanks folded */
	int			order;			/* position in the input, keeps duplicates stable */
} SigV4Header;

static const char hexdigits[] = "0123456789ABCDEF";

/*
 * buf_append
 *		Append len bytes to buf, growing it; marks buf failed on OOM.
 */
static void
buf_append(SigV4Buf *buf, const char *s, size_t len)
{
	if (buf->failed)
		return;
	if (buf->len + len + 1 > buf->cap)
	{
		size_t		newcap = buf->cap ? buf->cap : 64;
		char	   *p;

		while (newcap < buf->len + len + 1)
			newcap *= 2;
		p = realloc(buf->data, newcap);
		if (p == NULL)
		{
			buf->failed = true;
			return;
		}
		buf->data = p;
		buf->cap = newcap;
	}
	memcpy(buf->data + buf->len, s, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
}

static void
buf_puts(SigV4Buf *buf, const char *s)
{
	buf_append(buf, s, strlen(s));
}

/*
 * buf_finish
 *		Return the buffer's string (never NULL unless OOM), or free it and
 *		return NULL if any append failed.
 */
static char *
buf_finish(SigV4Buf *buf)
{
	if (buf->failed)
	{
		free(buf->data);
		return NULL;
	}
	if (buf->data == NULL)
		return strdup("");
	return buf->data;
}

static bool
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		c == '~';
}

/*
 * SigV4UriEncode
 *		Percent-encode len bytes of src the SigV4 way; '/' stays as is when
 *		keep_slash (paths) and becomes %2F otherwise (query components).
 */
char *
SigV4UriEncode(const char *src, size_t len, bool keep_slash)
{
	char	   *out = malloc(len * 3 + 1);
	char	   *p = out;
	size_t		i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) src[i];

		if (is_unreserved(c) || (keep_slash && c == '/'))
			*p++ = (char) c;
		else
		{
			*p++ = '%';
			*p++ = hexdigits[c >> 4];
			*p++ = hexdigits[c & 15];
		}
	}
	*p = '\0';
	return out;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * SigV4UriDecode
 *		Decode %XY escapes (and '+' as a space when plus_is_space, as in
 *		S3's encoding-type=url listings).  A '%' not followed by two hex
 *		digits is kept literally.  The result may contain any byte but NUL
 *		is kept too; callers treat it as a C string.
 */
char *
SigV4UriDecode(const char *src, size_t len, bool plus_is_space)
{
	char	   *out = malloc(len + 1);
	char	   *p = out;
	size_t		i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++)
	{
		if (src[i] == '%' && i + 2 < len &&
			hexval(src[i + 1]) >= 0 && hexval(src[i + 2]) >= 0)
		{
			*p++ = (char) (hexval(src[i + 1]) * 16 + hexval(src[i + 2]));
			i += 2;
		}
		else if (plus_is_space && src[i] == '+')
			*p++ = ' ';
		else
			*p++ = src[i];
	}
	*p = '\0';
	return out;
}

/*
 * normalize_path
 *		Remove "." and ".." segments and empty segments (RFC 3986 section
 *		5.2.4 plus slash folding), as the AWS test suite's "normalize" mode
 *		does for services other than S3.  Keeps a trailing slash.  Works in
 *		place: the result is never longer.
 */
static void
normalize_path(char *path)
{
	char	   *src = path;
	char	   *dst = path;
	bool		trailing = false;

	while (*src)
	{
		char	   *seg;
		size_t		seglen;

		while (*src == '/')
			src++;
		seg = src;
		while (*src && *src != '/')
			src++;
		seglen = src - seg;
		trailing = (*src == '/') || seglen == 0;
		if (seglen == 0)
			continue;
		if (seglen == 1 && seg[0] == '.')
		{
			trailing = true;
			continue;
		}
		if (seglen == 2 && seg[0] == '.' && seg[1] == '.')
		{
			/* drop the last written segment */
			while (dst > path && *(dst - 1) != '/')
				dst--;
			if (dst > path)
				dst--;
			trailing = true;
			continue;
		}
		*dst++ = '/';
		memmove(dst, seg, seglen);
		dst += seglen;
	}
	if (dst == path || trailing)
		*dst++ = '/';
	*dst = '\0';
}

/*
 * SigV4CanonicalPath
 *		The canonical URI of a raw (decoded) path: optionally normalized,
 *		then encoded once keeping slashes.  An empty path is "/".
 */
char *
SigV4CanonicalPath(const char *raw_path, bool normalize)
{
	char	   *copy;
	char	   *out;

	if (raw_path[0] == '\0')
		return strdup("/");
	copy = strdup(raw_path);
	if (copy == NULL)
		return NULL;
	if (normalize)
		normalize_path(copy);
	out = SigV4UriEncode(copy, strlen(copy), true);
	free(copy);
	return out;
}

static int
cmp_encoded(const void *a, const void *b)
{
	const SigV4Encoded *x = a;
	const SigV4Encoded *y = b;
	int			c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->value, y->value);
}

/*
 * SigV4CanonicalQuery
 *		Encode raw parameters, sort them and join them as the canonical
 *		query string, which is also the query string to send: the server
 *		recomputes the canonical form from what it receives, so sending
 *		exactly this string makes both sides agree.
 */
char *
SigV4CanonicalQuery(const SigV4Pair *params, int nparams)
{
	SigV4Encoded *enc;
	SigV4Buf	buf = {0};
	int			i;

	enc = calloc(nparams > 0 ? nparams : 1, sizeof(SigV4Encoded));
	if (enc == NULL)
		return NULL;
	for (i = 0; i < nparams; i++)
	{
		enc[i].name = SigV4UriEncode(params[i].name, strlen(params[i].name),
									 false);
		enc[i].value = SigV4UriEncode(params[i].value,
									  strlen(params[i].value), false);
		if (enc[i].name == NULL || enc[i].value == NULL)
			buf.failed = true;
	}
	if (!buf.failed)
		qsort(enc, nparams, sizeof(SigV4Encoded), cmp_encoded);
	for (i = 0; i < nparams; i++)
	{
		if (!buf.failed)
		{
			if (i > 0)
				buf_puts(&buf, "&");
			buf_puts(&buf, enc[i].name);
			buf_puts(&buf, "=");
			buf_puts(&buf, enc[i].value);
		}
		free(enc[i].name);
		free(enc[i].value);
	}
	free(enc);
	return buf_finish(&buf);
}

static int
cmp_header(const void *a, const void *b)
{
	const SigV4Header *x = a;
	const SigV4Header *y = b;
	int			c = strcmp(x->name, y->name);

	return c != 0 ? c : x->order - y->order;
}

/*
 * fold_value
 *		Trim a header value and fold inner runs of blanks (including the
 *		line breaks of an obsolete multi-line value) into one space.
 */
static char *
fold_value(const char *v)
{
	char	   *out = malloc(strlen(v) + 1);
	char	   *p = out;
	bool		blank = false;

	if (out == NULL)
		return NULL;
	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	for (; *v; v++)
	{
		if (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
			blank = true;
		else
		{
			if (blank)
				*p++ = ' ';
			blank = false;
			*p++ = *v;
		}
	}
	*p = '\0';
	return out;
}

/*
 * SigV4CanonicalRequest
 *		Build the canonical request from already canonical path and query,
 *		the headers to sign (raw names and values; Host and X-Amz-Date must
 *		be among them) and the payload hash.  *signed_headers receives the
 *		malloc'd "host;x-amz-date;..." list.
 */
char *
SigV4CanonicalRequest(const char *method, const char *canonical_path,
					  const char *canonical_query,
					  const SigV4Pair *headers, int nheaders,
					  const char *payload_hash, char **signed_headers)
{
	SigV4Header *hdr;
	SigV4Buf	buf = {0};
	SigV4Buf	names = {0};
	int			i;
	int			j;

	*signed_headers = NULL;
	hdr = calloc(nheaders > 0 ? nheaders : 1, sizeof(SigV4Header));
	if (hdr == NULL)
		return NULL;
	for (i = 0; i < nheaders; i++)
	{
		char	   *c;

		hdr[i].name = strdup(headers[i].name);
		hdr[i].value = fold_value(headers[i].value);
		hdr[i].order = i;
		if (hdr[i].name == NULL || hdr[i].value == NULL)
		{
			buf.failed = true;
			continue;
		}
		for (c = hdr[i].name; *c; c++)
			*c = (char) tolower((unsigned char) *c);
	}
	if (!buf.failed)
		qsort(hdr, nheaders, sizeof(SigV4Header), cmp_header);

	buf_puts(&buf, method);
	buf_puts(&buf, "\n");
	buf_puts(&buf, canonical_path);
	buf_puts(&buf, "\n");
	buf_puts(&buf, canonical_query);
	buf_puts(&buf, "\n");
	for (i = 0; i < nheaders && !buf.failed; i = j)
	{
		/* one line per name, values of repeated names joined by ',' */
		buf_puts(&buf, hdr[i].name);
		buf_puts(&buf, ":");
		buf_puts(&buf, hdr[i].value);
		for (j = i + 1; j < nheaders && strcmp(hdr[j].name, hdr[i].name) == 0; j++)
		{
			buf_puts(&buf, ",");
			buf_puts(&buf, hdr[j].value);
		}
		buf_puts(&buf, "\n");
		if (i > 0)
			buf_puts(&names, ";");
		buf_puts(&names, hdr[i].name);
	}
	buf_puts(&buf, "\n");
	buf_puts(&buf, names.data ? names.data : "");
	buf_puts(&buf, "\n");
	buf_puts(&buf, payload_hash);

	for (i = 0; i < nheaders; i++)
	{
		free(hdr[i].name);
		free(hdr[i].value);
	}
	free(hdr);
	if (buf.failed || names.failed)
	{
		free(buf.data);
		free(names.data);
		return NULL;
	}
	*signed_headers = buf_finish(&names);
	return buf_finish(&buf);
}

/*
 * SigV4Scope
 *		"<yyyymmdd>/<region>/<service>/aws4_request".  The region is part of
 *		what is signed: a wrong region is a 403 on AWS.
 */
char *
SigV4Scope(const char *date8, const char *region, const char *service)
{
	SigV4Buf	buf = {0};

	buf_append(&buf, date8, 8);
	buf_puts(&buf, "/");
	buf_puts(&buf, region);
	buf_puts(&buf, "/");
	buf_puts(&buf, service);
	buf_puts(&buf, "/aws4_request");
	return buf_finish(&buf);
}

/*
 * SigV4Sha256Hex
 *		Lower-case hex SHA-256 of data into out_hex; false on failure.
 */
bool
SigV4Sha256Hex(const void *data, size_t len, char out_hex[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned int mdlen = 0;
	int			i;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) ||
		mdlen != SHA256_DIGEST_LENGTH)
		return false;
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
	{
		out_hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
		out_hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	out_hex[64] = '\0';
	return true;
}

/*
 * SigV4StringToSign
 *		"AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of request>".
 */
char *
SigV4StringToSign(const char *amz_date, const char *scope,
				  const char *canonical_request)
{
	SigV4Buf	buf = {0};
	char		hash[65];

	if (!SigV4Sha256Hex(canonical_request, strlen(canonical_request), hash))
		return NULL;
	buf_puts(&buf, "AWS4-HMAC-SHA256\n");
	buf_puts(&buf, amz_date);
	buf_puts(&buf, "\n");
	buf_puts(&buf, scope);
	buf_puts(&buf, "\n");
	buf_puts(&buf, hash);
	return buf_finish(&buf);
}

/* one HMAC-SHA256 step of the key derivation */
static bool
hmac_step(const unsigned char *key, size_t keylen, const char *msg,
		  unsigned char out[32])
{
	unsigned char tmp[EVP_MAX_MD_SIZE];
	unsigned int outlen = 0;

	/* key and out may be the same buffer: compute into tmp first */
	if (HMAC(EVP_sha256(), key, (int) keylen,
			 (const unsigned char *) msg, strlen(msg), tmp, &outlen) == NULL ||
		outlen != 32)
		return false;
	memcpy(out, tmp, 32);
	return true;
}

/*
 * SigV4Signature
 *		Derive the signing key from the secret, date, region and service,
 *		then sign the string to sign; hex signature into out_hex.  The
 *		secret is only read, never copied anywhere but a stack buffer that
 *		is cleared before returning.
 */
bool
SigV4Signature(const char *secret, const char *date8, const char *region,
			   const char *service, const char *string_to_sign,
			   char out_hex[65])
{
	unsigned char k[32];
	char		date[9];
	char	   *kinit;
	size_t		slen = strlen(secret);
	bool		ok;
	int			i;

	kinit = malloc(slen + 5);
	if (kinit == NULL)
		return false;
	memcpy(kinit, "AWS4", 4);
	memcpy(kinit + 4, secret, slen + 1);
	memcpy(date, date8, 8);
	date[8] = '\0';

	ok = hmac_step((unsigned char *) kinit, slen + 4, date, k) &&
		hmac_step(k, 32, region, k) &&
		hmac_step(k, 32, service, k) &&
		hmac_step(k, 32, "aws4_request", k) &&
		hmac_step(k, 32, string_to_sign, k);

	memset(kinit, 0, slen + 4);
	free(kinit);
	if (ok)
	{
		for (i = 0; i < 32; i++)
		{
			out_hex[2 * i] = "0123456789abcdef"[k[i] >> 4];
			out_hex[2 * i + 1] = "0123456789abcdef"[k[i] & 15];
		}
		out_hex[64] = '\0';
	}
	memset(k, 0, sizeof(k));
	return ok;
}
