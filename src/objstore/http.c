/*-------------------------------------------------------------------------
 *
 * http.c
 *	  HTTP requests over libcurl: handle setup, retries, error reporting.
 *
 * Every easy handle is set up here (HttpEasyCreate), for buffered requests
 * (HttpPerform, below) and for the streaming fetcher (fetch.c) alike, so
 * the security rules hold everywhere:
 *
 *	- only http and https, also after redirects; s3 requests never follow
 *	  redirects at all;
 *	- link-local addresses (169.254.0.0/16, fe80::/10, cloud metadata
 *	  services) are refused when the socket is opened, unless the superuser
 *	  setting clickstream.allow_link_local is on;
 *	- the progress callback aborts the transfer as soon as a cancel or
 *	  terminate request is pending, so pg_cancel_backend works mid-transfer;
 *	- libcurl's callbacks never palloc, elog or longjmp.
 *
 * Retries use exponential backoff with full jitter, on connection errors,
 * timeouts, 5xx and 429, at most clickstream.http_max_retries times; the
 * waits go through WaitLatch so a cancel interrupts them too.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/objstore/http.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/pg_prng.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "pg_clickstream.h"
#include "objstore/objstore_int.h"

#define HTTP_USER_AGENT "pg_clickstream"

/*
 * progress_cb
 *		Non-zero aborts the transfer (CURLE_ABORTED_BY_CALLBACK).  libcurl
 *		calls it at least once a second, even while waiting for data.
 */
static int
progress_cb(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
			curl_off_t ultotal, curl_off_t ulnow)
{
	return (QueryCancelPending || ProcDiePending) ? 1 : 0;
}

/* is this address in 169.254.0.0/16 or fe80::/10 (or v4-mapped)? */
static bool
is_link_local(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
	{
		const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
		uint32		a = ntohl(in->sin_addr.s_addr);

		return (a >> 16) == ((169 << 8) | 254);
	}
	if (sa->sa_family == AF_INET6)
	{
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
		const uint8 *b = in6->sin6_addr.s6_addr;

		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
			return true;
		/* ::ffff:169.254.x.x reaches the same IPv4 hosts */
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			return b[12] == 169 && b[13] == 254;
	}
	return false;
}

/*
 * The sockets libcurl opened through opensocket_cb and has not closed yet.
 * libcurl cannot tell a callback which connection its transfer uses
 * (CURLINFO_ACTIVESOCKET is only set once the transfer is done), so
 * ack_now acts on all of them: a few at most.
 */
#define MAX_TRACKED_SOCKETS 64
static curl_socket_t tracked_sockets[MAX_TRACKED_SOCKETS];
static int	ntracked_sockets;

static int
closesocket_cb(void *clientp, curl_socket_t sock)
{
	int			i;

	for (i = 0; i < ntracked_sockets; i++)
		if (tracked_sockets[i] == sock)
		{
			tracked_sockets[i] = tracked_sockets[--ntracked_sockets];
			break;
		}
	return close(sock);
}

/*
 * opensocket_cb
 *		Open the socket libcurl asks for unless its address is link-local;
 *		checked here, after DNS resolution, so a host name cannot hide it.
 */
static curl_socket_t
opensocket_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	HttpTransfer *xfer = (HttpTransfer *) clientp;
	curl_socket_t sock;

	if (!clickstream_allow_link_local && is_link_local(&addr->addr))
	{
		xfer->link_local_refused = true;
		return CURL_SOCKET_BAD;
	}
	sock = socket(addr->family, addr->socktype, addr->protocol);
	if (sock != CURL_SOCKET_BAD && ntracked_sockets < MAX_TRACKED_SOCKETS)
		tracked_sockets[ntracked_sockets++] = sock;
	return sock;
}

/* copy a header value, trimmed, into a fixed buffer */
static void
copy_value(char *dst, size_t dstlen, const char *v, size_t len)
{
	while (len > 0 && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
					   v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len >= dstlen)
		len = dstlen - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

/*
 * ack_now
 *		Acknowledge what has arrived at once.  A server that writes a
 *		response's headers and its body separately, with Nagle's algorithm on
 *		(Ceph RGW does), holds the body back until the headers are
 *		acknowledged, and on a kept-alive connection Linux delays that ACK by
 *		up to 40 ms: every request after a connection's first took 40 ms
 *		more.  TCP_QUICKACK does not stick, so it is set again each time.
 */
static void
ack_now(void)
{
#ifdef TCP_QUICKACK
	int			one = 1;
	int			i;

	for (i = 0; i < ntracked_sockets; i++)
		(void) setsockopt(tracked_sockets[i], IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#endif
}

/*
 * header_cb
 *		Record the status and the headers we use.  A new status line starts
 *		a new response (after a redirect or a 100 Continue), so it clears
 *		what the previous one said.
 */
static size_t
header_cb(char *buffer, size_t size, size_t nitems, void *userdata)
{
	HttpTransfer *xfer = (HttpTransfer *) userdata;
	size_t		len = size * nitems;
	char		num[32];

	if (len <= 2)
		ack_now();			/* the blank line ending the headers */
	else if (len > 5 && strncmp(buffer, "HTTP/", 5) == 0)
	{
		const char *sp = memchr(buffer, ' ', len);

		HttpTransferResetResponse(xfer);
		if (sp != NULL)
			xfer->status = strtol(sp + 1, NULL, 10);
	}
	else if (len > 5 && pg_strncasecmp(buffer, "etag:", 5) == 0)
		copy_value(xfer->etag, sizeof(xfer->etag), buffer + 5, len - 5);
	else if (len > 14 && pg_strncasecmp(buffer, "last-modified:", 14) == 0)
		copy_value(xfer->last_modified, sizeof(xfer->last_modified),
				   buffer + 14, len - 14);
	else if (len > 14 && pg_strncasecmp(buffer, "content-range:", 14) == 0)
		copy_value(xfer->content_range, sizeof(xfer->content_range),
				   buffer + 14, len - 14);
	else if (len > 15 && pg_strncasecmp(buffer, "content-length:", 15) == 0)
	{
		copy_value(num, sizeof(num), buffer + 15, len - 15);
		xfer->content_length = strtoll(num, NULL, 10);
	}
	return len;
}

/*
 * write_cb
 *		Body bytes: 2xx bodies go to the streaming sink if there is one, else
 *		into the malloc'd body up to max_body (more aborts the transfer with
 *		too_large set).  Error bodies are kept up to OBJSTORE_ERROR_BODY_MAX
 *		for the message and the rest is dropped.
 */
static size_t
write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	HttpTransfer *xfer = (HttpTransfer *) userdata;
	size_t		len = size * nmemb;
	bool		ok = xfer->status >= 200 && xfer->status < 300;
	size_t		limit = ok ? xfer->max_body : OBJSTORE_ERROR_BODY_MAX;
	size_t		keep = len;

	ack_now();
	if (ok && xfer->sink != NULL)
		return xfer->sink(xfer->sink_arg, data, len);

	if (xfer->body_len + len > limit)
	{
		if (ok)
		{
			xfer->too_large = true;
			return 0;			/* CURLE_WRITE_ERROR */
		}
		keep = limit - xfer->body_len;
	}
	if (xfer->body_len + keep + 1 > xfer->body_cap)
	{
		size_t		cap = Max(xfer->body_cap * 2, xfer->body_len + keep + 1);
		char	   *p;

		cap = Max(cap, 8192);
		p = realloc(xfer->body, cap);
		if (p == NULL)
			return 0;
		xfer->body = p;
		xfer->body_cap = cap;
	}
	memcpy(xfer->body + xfer->body_len, data, keep);
	xfer->body_len += keep;
	return len;
}

/*
 * HttpTransferResetResponse
 *		Forget what a previous response said (status, headers, body), before
 *		a retry or when a new status line arrives.  Callback-safe.
 */
void
HttpTransferResetResponse(HttpTransfer *xfer)
{
	xfer->status = 0;
	xfer->content_length = -1;
	xfer->etag[0] = '\0';
	xfer->last_modified[0] = '\0';
	xfer->content_range[0] = '\0';
	xfer->body_len = 0;
	xfer->too_large = false;
}

/*
 * HttpTransferFree
 *		Release what libcurl-side memory the transfer holds (not the easy
 *		handle, which the caller cleans up first).  Safe to call twice.
 */
void
HttpTransferFree(HttpTransfer *xfer)
{
	if (xfer->headers)
		curl_slist_free_all(xfer->headers);
	xfer->headers = NULL;
	free(xfer->body);
	xfer->body = NULL;
	xfer->body_len = xfer->body_cap = 0;
}

/* append one header to the transfer's list; out of memory is an ERROR */
static void
add_header(HttpTransfer *xfer, const char *line)
{
	struct curl_slist *l = curl_slist_append(xfer->headers, line);

	if (l == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	xfer->headers = l;
}

/*
 * HttpEasyCreate
 *		A new easy handle for req with all of the module's options set, its
 *		callbacks pointed at xfer (which must stay at the same address until
 *		the handle is cleaned up).  The caller owns the handle and must call
 *		curl_easy_cleanup then HttpTransferFree.  May ERROR before anything
 *		is allocated that the caller would have to free, or leave only
 *		xfer->headers allocated.
 */
CURL *
HttpEasyCreate(const HttpRequest *req, HttpTransfer *xfer)
{
	CURL	   *h;
	char		line[512];

	HttpTransferResetResponse(xfer);
	xfer->errbuf[0] = '\0';
	xfer->link_local_refused = false;

	if (req->range_start >= 0)
	{
		if (req->range_end >= 0)
			snprintf(line, sizeof(line), "Range: bytes=" INT64_FORMAT "-" INT64_FORMAT,
					 req->range_start, req->range_end);
		else
			snprintf(line, sizeof(line), "Range: bytes=" INT64_FORMAT "-",
					 req->range_start);
		add_header(xfer, line);
	}
	if (req->if_match != NULL && strlen(req->if_match) < 400)
	{
		snprintf(line, sizeof(line), "If-Match: \"%s\"", req->if_match);
		add_header(xfer, line);
	}
	if (req->s3 != NULL)
	{
		/* curl 7.88 does not add it, and S3 requires it on every request */
		add_header(xfer, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
		if (req->s3->key_id != NULL && req->s3->session_token != NULL)
		{
			char	   *tok = psprintf("x-amz-security-token: %s",
									   req->s3->session_token);

			add_header(xfer, tok);
			memset(tok, 0, strlen(tok));
			pfree(tok);
		}
	}

	h = curl_easy_init();
	if (h == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create an HTTP handle")));

	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* S3 answers redirects for wrong regions: following them would re-sign */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, req->s3 ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, HTTP_USER_AGENT);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
					 (long) clickstream_http_connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT,
					 (long) clickstream_http_low_speed_limit);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
					 (long) clickstream_http_low_speed_time_s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, xfer->errbuf);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, opensocket_cb);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, xfer);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, closesocket_cb);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, xfer);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, xfer);
	if (req->head)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	if (xfer->headers)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, xfer->headers);

	if (req->s3 != NULL && req->s3->key_id != NULL)
	{
		snprintf(line, sizeof(line), "aws:amz:%s:s3", req->s3->region);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, line);
		curl_easy_setopt(h, CURLOPT_USERNAME, req->s3->key_id);
		curl_easy_setopt(h, CURLOPT_PASSWORD, req->s3->secret);
	}
	return h;
}

/*
 * HttpIsRetryable
 *		Worth another attempt: a connection error, a timeout, a transfer
 *		cut short, or an answer of 5xx or 429.  Other 4xx are final.
 */
bool
HttpIsRetryable(CURLcode rc, long status)
{
	switch (rc)
	{
		case CURLE_OK:
			return status == 429 || status >= 500;
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_CONNECT:
		case CURLE_OPERATION_TIMEDOUT:
		case CURLE_PARTIAL_FILE:
		case CURLE_RECV_ERROR:
		case CURLE_SEND_ERROR:
		case CURLE_GOT_NOTHING:
		case CURLE_HTTP2:
		case CURLE_HTTP2_STREAM:
		case CURLE_SSL_CONNECT_ERROR:
			return true;
		default:
			return false;
	}
}

/*
 * HttpRetryDelayMs
 *		Full-jitter backoff: uniform in [0, min(max_delay, base * 2^attempt)].
 */
long
HttpRetryDelayMs(int attempt)
{
	uint64		cap = (uint64) clickstream_http_retry_base_delay_ms;

	while (attempt-- > 0 && cap < (uint64) clickstream_http_retry_max_delay_ms)
		cap *= 2;
	cap = Min(cap, (uint64) clickstream_http_retry_max_delay_ms);
	return (long) pg_prng_uint64_range(&pg_global_prng_state, 0, cap);
}

/*
 * HttpSleepMs
 *		Wait ms milliseconds on the process latch, answering interrupts (a
 *		cancel raises its ERROR from here).
 */
void
HttpSleepMs(long ms)
{
	TimestampTz end = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);

	for (;;)
	{
		long		left;

		CHECK_FOR_INTERRUPTS();
		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), end);
		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/*
 * HttpUnquoteEtag
 *		The etag of an ETag header value without W/ and quotes, into dst.
 */
void
HttpUnquoteEtag(const char *raw, char *dst, size_t dstlen)
{
	size_t		n;

	if (strncmp(raw, "W/", 2) == 0)
		raw += 2;
	if (*raw == '"')
		raw++;
	n = strlen(raw);
	if (n > 0 && raw[n - 1] == '"')
		n--;
	n = Min(n, dstlen - 1);
	memcpy(dst, raw, n);
	dst[n] = '\0';
}

/*
 * HttpFillResponse
 *		Copy what the callbacks recorded into palloc'd form.
 */
void
HttpFillResponse(const HttpTransfer *xfer, HttpResponse *resp)
{
	const char *slash;

	memset(resp, 0, sizeof(HttpResponse));
	resp->status = xfer->status;
	resp->body = palloc(xfer->body_len + 1);
	if (xfer->body_len > 0)
		memcpy(resp->body, xfer->body, xfer->body_len);
	resp->body[xfer->body_len] = '\0';
	resp->body_len = xfer->body_len;
	resp->content_length = xfer->content_length;
	resp->total_size = xfer->content_length;
	if (xfer->etag[0] != '\0')
	{
		char		etag[sizeof(xfer->etag)];

		HttpUnquoteEtag(xfer->etag, etag, sizeof(etag));
		resp->etag = pstrdup(etag);
	}
	if (xfer->last_modified[0] != '\0')
	{
		time_t		t = curl_getdate(xfer->last_modified, NULL);

		if (t > 0)
			resp->last_modified = time_t_to_timestamptz((pg_time_t) t);
	}
	/* "bytes 0-9/1234": the object's size is after the slash */
	slash = strchr(xfer->content_range, '/');
	if (slash != NULL && slash[1] != '*')
		resp->total_size = strtoll(slash + 1, NULL, 10);
}

/*
 * HttpReportCurlError
 *		Raise the error for a transfer that failed below HTTP (no answer, a
 *		cut connection, a timeout), after `attempts` tries.  Refused
 *		link-local addresses get their own message.
 */
void
HttpReportCurlError(const char *display_url, CURLcode rc,
					const HttpTransfer *xfer, int attempts)
{
	const char *why = xfer->errbuf[0] ? xfer->errbuf : curl_easy_strerror(rc);

	if (xfer->link_local_refused)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("connection to a link-local address refused for \"%s\"",
						display_url),
				 errdetail("Addresses in 169.254.0.0/16 and fe80::/10 host cloud metadata services."),
				 errhint("A superuser can allow them with clickstream.allow_link_local.")));
	if (rc == CURLE_OPERATION_TIMEDOUT)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg_plural("timed out reading \"%s\" after %d attempt",
							   "timed out reading \"%s\" after %d attempts",
							   attempts, display_url, attempts),
				 errdetail_internal("%s", why),
				 errhint("See clickstream.http_connect_timeout, clickstream.http_low_speed_time and clickstream.http_max_retries.")));
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg_plural("could not read \"%s\" after %d attempt",
						   "could not read \"%s\" after %d attempts",
						   attempts, display_url, attempts),
			 errdetail_internal("%s", why),
			 errhint("Check that the server is reachable; clickstream.http_max_retries sets how often a request is retried.")));
}

/* the text of <tag>...</tag> in an S3 error body, or NULL */
static char *
xml_tag_text(const char *body, const char *tag)
{
	char	   *open = psprintf("<%s>", tag);
	char	   *close = psprintf("</%s>", tag);
	const char *s = body ? strstr(body, open) : NULL;
	const char *e;

	if (s == NULL)
		return NULL;
	s += strlen(open);
	e = strstr(s, close);
	if (e == NULL || e - s > 512)
		return NULL;
	return pnstrdup(s, e - s);
}

/*
 * HttpReportStatus
 *		Raise the error for a non-2xx answer.  For S3 the detail quotes the
 *		error Code and Message only (never the request or the credentials)
 *		and the hint names where the credentials came from.
 */
void
HttpReportStatus(const char *display_url, long status, const char *body,
				 const S3Config *s3)
{
	char	   *code = xml_tag_text(body, "Code");
	char	   *message = xml_tag_text(body, "Message");
	char	   *detail;

	if (code != NULL && message != NULL && message[0] != '\0')
		detail = psprintf("The server answered HTTP %ld (%s): %s", status, code,
						  message);
	else if (code != NULL)
		detail = psprintf("The server answered HTTP %ld (%s).", status, code);
	else
		detail = psprintf("The server answered HTTP %ld.", status);

	if (status == 404)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("object \"%s\" does not exist", display_url),
				 errdetail_internal("%s", detail)));
	if (status == 401 || status == 403)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("access denied to \"%s\"", display_url),
				 errdetail_internal("%s", detail),
				 s3 ? errhint("Check the key id, secret and region of the credentials used (%s), and the bucket's permissions.",
							  s3->source)
				 : errhint("Check that the URL is readable without credentials.")));
	if (status == 412)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("object \"%s\" changed while it was being read",
						display_url),
				 errdetail_internal("%s", detail)));
	if (status >= 300 && status < 400 && s3 != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("object store redirected the request for \"%s\"",
						display_url),
				 errdetail_internal("%s", detail),
				 errhint("The bucket may be in another region than %s; set the region of the secret.",
						 s3->region)));
	ereport(ERROR,
			(errcode(status >= 500 || status == 429 ?
					 ERRCODE_CONNECTION_FAILURE : ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("could not read \"%s\": HTTP %ld", display_url, status),
			 errdetail_internal("%s", detail)));
}

/*
 * HttpPerform
 *		Send req and wait for the whole answer, retrying transient failures.
 *		Returns any HTTP answer in resp (the caller judges the status; a
 *		2xx body over max_body raises ERRCODE_PROGRAM_LIMIT_EXCEEDED).
 *		Failures below HTTP raise ERRCODE_CONNECTION_FAILURE once retries
 *		are exhausted.  No libcurl resource outlives the call, even on error.
 */
void
HttpPerform(const HttpRequest *req, HttpResponse *resp, size_t max_body)
{
	HttpTransfer xfer;
	CURLcode	rc;
	int			attempt;

	memset(&xfer, 0, sizeof(xfer));
	for (attempt = 0;; attempt++)
	{
		CURL	   *h;

		HttpTransferFree(&xfer);
		xfer.max_body = max_body;
		h = HttpEasyCreate(req, &xfer);
		rc = curl_easy_perform(h);
		curl_easy_cleanup(h);

		if (rc == CURLE_ABORTED_BY_CALLBACK)
		{
			/* a cancel: raise it; if it was already served, give up too */
			HttpTransferFree(&xfer);
			CHECK_FOR_INTERRUPTS();
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("transfer of \"%s\" interrupted", req->display_url)));
		}
		if (xfer.too_large)
		{
			HttpTransferFree(&xfer);
			ObjstoreReportTooLarge(req->display_url, (int64) max_body);
		}
		if (xfer.link_local_refused ||
			!HttpIsRetryable(rc, xfer.status) ||
			attempt >= clickstream_http_max_retries)
			break;

		ereport(DEBUG1,
				(errmsg_internal("retrying \"%s\" after %s (HTTP %ld)",
								 req->display_url,
								 xfer.errbuf[0] ? xfer.errbuf : curl_easy_strerror(rc),
								 xfer.status)));
		HttpSleepMs(HttpRetryDelayMs(attempt));
	}

	if (rc != CURLE_OK)
	{
		HttpTransfer copy = xfer;

		HttpTransferFree(&xfer);
		HttpReportCurlError(req->display_url, rc, &copy, attempt + 1);
	}
	HttpFillResponse(&xfer, resp);
	HttpTransferFree(&xfer);
}
