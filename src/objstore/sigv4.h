/*-------------------------------------------------------------------------
 *
 * sigv4.h
 *	  AWS Signature Version 4: canonicalization, canonical request, string
 *	  to sign and signature, with no PostgreSQL headers.
 *
 * libcurl's CURLOPT_AWS_SIGV4 signs the path and query string exactly as it
 * is given them, so s3.c canonicalizes both with the functions below before
 * handing the URL to curl.  The rest (canonical request, string to sign,
 * signature) is a complete standalone signer, used by test/unit/sigv4 to
 * prove the canonicalization and the region handling against AWS's
 * published test vectors (radosgw, our integration server, ignores the
 * region).
 *
 * Every function returning char * returns a malloc'd, NUL-terminated string
 * the caller frees with free(), or NULL when out of memory.  Nothing here
 * logs, longjmps or keeps state.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/objstore/sigv4.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stdbool.h>
#include <stddef.h>

/* A query parameter or a header: raw (not percent-encoded) name and value. */
typedef struct SigV4Pair
{
	const char *name;
	const char *value;			/* may be "" but not NULL */
} SigV4Pair;

/* hex SHA-256 of the empty string: the payload hash of a GET */
#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* in sigv4.c: canonicalization (used by s3.c) */
extern char *SigV4UriEncode(const char *src, size_t len, bool keep_slash);
extern char *SigV4UriDecode(const char *src, size_t len, bool plus_is_space);
extern char *SigV4CanonicalPath(const char *raw_path, bool normalize);
extern char *SigV4CanonicalQuery(const SigV4Pair *params, int nparams);

/* in sigv4.c: the standalone signer (used by the unit tests) */
extern char *SigV4CanonicalRequest(const char *method,
								   const char *canonical_path,
								   const char *canonical_query,
								   const SigV4Pair *headers, int nheaders,
								   const char *payload_hash,
								   char **signed_headers);
extern char *SigV4Scope(const char *date8, const char *region,
						const char *service);
extern char *SigV4StringToSign(const char *amz_date, const char *scope,
							   const char *canonical_request);
extern bool SigV4Signature(const char *secret, const char *date8,
						   const char *region, const char *service,
						   const char *string_to_sign, char out_hex[65]);
extern bool SigV4Sha256Hex(const void *data, size_t len, char out_hex[65]);

#endif							/* SIGV4_H */
