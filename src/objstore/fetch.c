/*-------------------------------------------------------------------------
 *
 * fetch.c
 *	  Streaming downloads with prefetch, driven by one libcurl multi handle.
 *
 * The loader queues every object of a load (ObjstoreFetcherAdd), then reads
 * them one after the other.  At most max_concurrent downloads hold a slot
 * at a time; each fills a buffer of clickstream.download_buffer_size and is
 * paused (CURL_WRITEFUNC_PAUSE) when it is full, so memory stays bounded
 * whatever the object sizes.  Every ObjstoreStreamRead drives all transfers
 * of the fetcher, so the next objects download while the current one is
 * parsed.  A slot is held until the stream is closed; then the next queued
 * download starts.  A stream the reader asks for is started at once even
 * when all slots are taken, so reading out of order cannot deadlock.
 *
 * A transfer that fails on the way (connection cut, timeout, 5xx) is
 * retried with backoff and resumed with a Range request from the byte
 * reached, with If-Match on the etag so a replaced object is detected
 * rather than spliced.  Waits happen on the latch and every loop checks
 * for interrupts; the progress callback aborts transfers on cancel.
 *
 * libcurl handles, buffers (malloc) and file descriptors are released by a
 * reset callback on the fetcher's memory context, so an ERROR anywhere
 * cannot leak them: deleting the context (or its parent) is enough.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/objstore/fetch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <unistd.h>

#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "pg_clickstream.h"
#include "objstore/objstore_int.h"

/* how long one wait for network activity may last before re-checking */
#define FETCH_POLL_MS 100

/*
 * A ranged stream buffers at most this much ahead (or download_buffer_size
 * when larger): enough for most of a Parquet row group's chunks to arrive
 * while the previous row group is inserted, without holding a whole second
 * row group beside the one being read; the rest streams in as it is read.
 */
#define FETCH_RANGE_AHEAD_MAX ((int64) 8 * 1024 * 1024)

typedef enum StreamState
{
	STREAM_QUEUED,				/* added, no slot yet */
	STREAM_RUNNING,				/* transfer in the multi handle */
	STREAM_WAITING,				/* failed, retry at retry_at */
	STREAM_DONE,				/* whole object received (maybe still buffered) */
	STREAM_FAILED,				/* final failure, reported when read */
	STREAM_CLOSED
} StreamState;

struct ObjstoreFetcher
{
	MemoryContext cxt;			/* owns the fetcher and its streams */
	MemoryContextCallback cleanup;
	CURLM	   *multi;
	int			max_concurrent;
	List	   *streams;		/* every stream, in the order added */
	int			queue_next;		/* index of the first maybe-queued stream */
	List	   *active;			/* streams holding a slot */
};

struct ObjstoreStream
{
	ObjstoreFetcher *fetcher;
	char	   *url;
	ObjstoreKind kind;
	int64		expected_size;	/* -1: unknown */
	int64		range_offset;	/* a byte range of the object, or 0 */
	int64		range_length;	/* its length, or -1 for the whole object */
	StreamState state;
	bool		has_slot;

	int			fd;				/* file://: plain descriptor, or -1 */

	HttpRequest req;			/* network: url resolved when first started */
	CURL	   *easy;
	HttpTransfer xfer;
	bool		paused;
	bool		response_checked;	/* first body bytes of this response seen */
	int64		resume_from;	/* Range start of the current attempt */
	int			attempts;		/* failed attempts so far */
	TimestampTz retry_at;
	char		etag[256];

	/* bytes received but not yet read: buf[start, end), malloc'd */
	char	   *buf;
	size_t		cap;
	size_t		start;
	size_t		end;
	int64		received;		/* object bytes received so far */
	int64		skip;			/* bytes to drop: server ignored our Range */
	int64		delivered;		/* bytes returned by ObjstoreStreamRead */

	/* the final failure, kept until the stream is read */
	CURLcode	fail_rc;
	long		fail_status;
	HttpTransfer *fail_xfer;	/* palloc'd copy: errbuf, flags, no body */
	char	   *fail_body;
};

static void fetcher_step(ObjstoreFetcher *f, ObjstoreStream *target);

/* lappend with the list's cells allocated in cxt */
static List *
lappend_in_context(List *list, void *datum, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);

	list = lappend(list, datum);
	MemoryContextSwitchTo(old);
	return list;
}

/*
 * release_stream
 *		Free what palloc does not own: the easy handle, curl's header list,
 *		the buffer, the descriptor.  Safe to call twice; never errors.
 */
static void
release_stream(ObjstoreStream *s)
{
	if (s->easy != NULL)
	{
		curl_multi_remove_handle(s->fetcher->multi, s->easy);
		curl_easy_cleanup(s->easy);
		s->easy = NULL;
	}
	HttpTransferFree(&s->xfer);
	free(s->buf);
	s->buf = NULL;
	s->start = s->end = s->cap = 0;
	if (s->fd >= 0)
	{
		close(s->fd);
		s->fd = -1;
	}
}

/* memory context reset callback: release every stream, then the multi */
static void
fetcher_cleanup(void *arg)
{
	ObjstoreFetcher *f = (ObjstoreFetcher *) arg;
	ListCell   *lc;

	foreach(lc, f->streams)
		release_stream((ObjstoreStream *) lfirst(lc));
	if (f->multi != NULL)
		curl_multi_cleanup(f->multi);
	f->multi = NULL;
}

/*
 * ObjstoreFetcherCreate
 *		A fetcher in a new child of CurrentMemoryContext; at most
 *		max_concurrent downloads run at once (at least 1).
 */
ObjstoreFetcher *
ObjstoreFetcherCreate(int max_concurrent)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "clickstream fetcher",
											  ALLOCSET_DEFAULT_SIZES);
	ObjstoreFetcher *f = MemoryContextAllocZero(cxt, sizeof(ObjstoreFetcher));

	f->cxt = cxt;
	f->max_concurrent = Max(max_concurrent, 1);
	f->cleanup.func = fetcher_cleanup;
	f->cleanup.arg = f;
	MemoryContextRegisterResetCallback(cxt, &f->cleanup);
	f->multi = curl_multi_init();
	if (f->multi == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create an HTTP multi handle")));
	return f;
}

/*
 * ObjstoreFetcherAdd
 *		Queue the download of url; expected_size (or -1) is checked when the
 *		object has been read.  Privileges are checked now; credentials are
 *		resolved when the download starts.
 */
ObjstoreStream *
ObjstoreFetcherAdd(ObjstoreFetcher *fetcher, const char *url,
				   int64 expected_size)
{
	MemoryContext old;
	ObjstoreStream *s;

	ObjstoreCheckPrivileges(url);
	old = MemoryContextSwitchTo(fetcher->cxt);
	s = palloc0(sizeof(ObjstoreStream));
	s->fetcher = fetcher;
	s->url = pstrdup(url);
	s->kind = ObjstoreUrlKind(url);
	s->expected_size = expected_size;
	s->range_length = -1;
	s->fd = -1;
	s->state = STREAM_QUEUED;
	fetcher->streams = lappend(fetcher->streams, s);
	MemoryContextSwitchTo(old);
	return s;
}

/*
 * ObjstoreFetcherAddRange
 *		Queue the download of length bytes of url from offset (a Parquet
 *		row group's column chunks, say).  The stream buffers up to 8 MB of
 *		the range (FETCH_RANGE_AHEAD_MAX), so that most of a range
 *		prefetched while other work goes on is there when it is read;
 *		ObjstoreFetcherPoll moves it.
 */
ObjstoreStream *
ObjstoreFetcherAddRange(ObjstoreFetcher *fetcher, const char *url,
						int64 offset, int64 length)
{
	ObjstoreStream *s = ObjstoreFetcherAdd(fetcher, url, length);

	s->range_offset = offset;
	s->range_length = length;
	return s;
}

/*
 * ObjstoreFetcherPoll
 *		Move every transfer of the fetcher along without waiting: call it
 *		now and then during long work so that prefetches make progress.
 */
void
ObjstoreFetcherPoll(ObjstoreFetcher *fetcher)
{
	fetcher_step(fetcher, NULL);
}

/*
 * stream_sink
 *		libcurl write callback target for 2xx bodies (called via http.c's
 *		write_cb).  Takes the whole chunk or nothing: when it does not fit
 *		the transfer is paused and libcurl delivers the chunk again after
 *		CURLPAUSE_CONT.  No palloc here: the buffer is malloc'd.
 */
static size_t
stream_sink(void *arg, const char *data, size_t len)
{
	ObjstoreStream *s = (ObjstoreStream *) arg;
	size_t		drop = 0;
	size_t		rest;

	if (!s->response_checked)
	{
		/* resumed, but the server sent the whole object (200, not 206) */
		if ((s->resume_from > 0 || s->range_length >= 0) &&
			s->xfer.status == 200)
			s->skip = s->range_offset + s->resume_from;
		s->response_checked = true;
	}
	if (s->skip > 0)
		drop = (size_t) Min((int64) len, s->skip);
	rest = len - drop;
	/* a server that ignored the Range header sends more than the range */
	if (s->range_length >= 0 && s->received + (int64) rest > s->range_length)
		rest = (size_t) Max(s->range_length - s->received, 0);

	if (rest > s->cap - s->end && s->start > 0)
	{
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	if (rest > s->cap - s->end)
	{
		char	   *p;

		if (s->end > 0)
		{
			s->paused = true;
			return CURL_WRITEFUNC_PAUSE;
		}
		/* a chunk larger than the whole buffer: grow rather than stall */
		p = realloc(s->buf, rest);
		if (p == NULL)
			return 0;
		s->buf = p;
		s->cap = rest;
	}
	memcpy(s->buf + s->end, data + drop, rest);
	s->end += rest;
	s->skip -= drop;
	s->received += rest;
	return len;
}

/*
 * start_transfer
 *		(Re)start the network transfer of s, resuming at s->received.
 */
static void
start_transfer(ObjstoreStream *s)
{
	ObjstoreFetcher *f = s->fetcher;
	CURLMcode	mrc;

	if (s->req.url == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(f->cxt);

		s->req.display_url = ObjstoreRedactUrl(s->url);
		if (s->kind == OBJSTORE_S3)
			S3PrepareRequest(&s->req, s->url);
		else
			s->req.url = pstrdup(s->url);
		MemoryContextSwitchTo(old);
	}
	if (s->buf == NULL)
	{
		s->cap = (size_t) clickstream_download_buffer_kb * 1024;
		if (s->range_length > (int64) s->cap)
			s->cap = (size_t) Max((int64) s->cap, Min(s->range_length, FETCH_RANGE_AHEAD_MAX));
		s->buf = malloc(s->cap);
		if (s->buf == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
	}

	s->resume_from = s->received;
	if (s->range_length >= 0)
	{
		s->req.range_start = s->range_offset + s->received;
		s->req.range_end = s->range_offset + s->range_length - 1;
	}
	else
	{
		s->req.range_start = s->received > 0 ? s->received : -1;
		s->req.range_end = -1;
	}
	s->req.if_match = (s->received > 0 && s->etag[0]) ? s->etag : NULL;
	s->response_checked = false;
	s->paused = false;
	s->skip = 0;

	HttpTransferFree(&s->xfer);
	s->xfer.sink = stream_sink;
	s->xfer.sink_arg = s;
	s->easy = HttpEasyCreate(&s->req, &s->xfer);
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
	mrc = curl_multi_add_handle(f->multi, s->easy);
	if (mrc != CURLM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not start the transfer of \"%s\"",
						s->req.display_url),
				 errdetail_internal("%s", curl_multi_strerror(mrc))));
	s->state = STREAM_RUNNING;
}

/* take a slot and start s (file streams just open their file) */
static void
start_stream(ObjstoreStream *s)
{
	ObjstoreFetcher *f = s->fetcher;

	Assert(s->state == STREAM_QUEUED);
	s->has_slot = true;
	/* the list must outlive whatever context the reader is in */
	f->active = lappend_in_context(f->active, s, f->cxt);
	if (s->kind == OBJSTORE_FILE)
	{
		s->fd = FileOpen(s->url);
		if (s->range_offset > 0 &&
			lseek(s->fd, (off_t) s->range_offset, SEEK_SET) < 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not seek in file \"%s\": %m", FilePath(s->url))));
		s->state = STREAM_RUNNING;
	}
	else
		start_transfer(s);
}

static void
release_slot(ObjstoreStream *s)
{
	if (s->has_slot)
	{
		s->fetcher->active = list_delete_ptr(s->fetcher->active, s);
		s->has_slot = false;
	}
}

/*
 * transfer_done
 *		A network transfer ended with rc: mark the stream done, schedule a
 *		retry, or keep the failure to report when the stream is read.
 */
static void
transfer_done(ObjstoreStream *s, CURLcode rc)
{
	long		status = s->xfer.status;

	curl_multi_remove_handle(s->fetcher->multi, s->easy);
	curl_easy_cleanup(s->easy);
	s->easy = NULL;
	if (s->etag[0] == '\0' && s->xfer.etag[0] != '\0')
		HttpUnquoteEtag(s->xfer.etag, s->etag, sizeof(s->etag));

	/* a Range starting right at the end: the object was complete */
	if (rc == CURLE_OK && ((status >= 200 && status < 300) ||
						   (status == 416 && s->received > 0)))
	{
		s->state = STREAM_DONE;
		HttpTransferFree(&s->xfer);
		return;
	}
	if (!s->xfer.link_local_refused && rc != CURLE_ABORTED_BY_CALLBACK &&
		HttpIsRetryable(rc, status) &&
		s->attempts < clickstream_http_max_retries)
	{
		long		delay = HttpRetryDelayMs(s->attempts);

		ereport(DEBUG1,
				(errmsg_internal("retrying \"%s\" from byte " INT64_FORMAT " in %ld ms: %s (HTTP %ld)",
								 s->req.display_url, s->received, delay,
								 s->xfer.errbuf[0] ? s->xfer.errbuf : curl_easy_strerror(rc),
								 status)));
		s->attempts++;
		s->state = STREAM_WAITING;
		s->retry_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), delay);
		HttpTransferFree(&s->xfer);
		return;
	}

	s->attempts++;
	s->state = STREAM_FAILED;
	s->fail_rc = rc;
	s->fail_status = status;
	s->fail_xfer = MemoryContextAlloc(s->fetcher->cxt, sizeof(HttpTransfer));
	memcpy(s->fail_xfer, &s->xfer, sizeof(HttpTransfer));
	s->fail_xfer->body = NULL;
	s->fail_xfer->headers = NULL;
	s->fail_body = MemoryContextAllocZero(s->fetcher->cxt, s->xfer.body_len + 1);
	if (s->xfer.body_len > 0)
		memcpy(s->fail_body, s->xfer.body, s->xfer.body_len);
	HttpTransferFree(&s->xfer);
	release_slot(s);
}

/*
 * fetcher_step
 *		One round of work for every transfer, without blocking: start queued
 *		downloads while slots are free (and target at once), restart due
 *		retries, resume paused transfers that have room, let libcurl move
 *		data, and collect finished transfers.
 */
static void
fetcher_step(ObjstoreFetcher *f, ObjstoreStream *target)
{
	TimestampTz now = GetCurrentTimestamp();
	ListCell   *lc;
	CURLMsg    *msg;
	int			still;
	int			left;

	if (target != NULL && target->state == STREAM_QUEUED)
		start_stream(target);
	while (list_length(f->active) < f->max_concurrent &&
		   f->queue_next < list_length(f->streams))
	{
		ObjstoreStream *s = list_nth(f->streams, f->queue_next++);

		if (s->state == STREAM_QUEUED)
			start_stream(s);
	}

	foreach(lc, f->active)
	{
		ObjstoreStream *s = lfirst(lc);

		if (s->state == STREAM_WAITING && s->retry_at <= now)
			start_transfer(s);
		/*
		 * Resume only once half the buffer has drained: resuming whenever
		 * one write fits made every write compact the whole buffer.
		 */
		else if (s->state == STREAM_RUNNING && s->paused &&
				 s->end - s->start <= s->cap / 2)
		{
			s->paused = false;
			curl_easy_pause(s->easy, CURLPAUSE_CONT);
		}
	}

	curl_multi_perform(f->multi, &still);
	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL)
	{
		ObjstoreStream *s = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &s);
		transfer_done(s, msg->data.result);
	}
}

/*
 * fetcher_wait
 *		Block until there may be something to do: network activity, a retry
 *		falling due, or FETCH_POLL_MS at most.  Interrupts are served after.
 */
static void
fetcher_wait(ObjstoreFetcher *f)
{
	ListCell   *lc;
	bool		network = false;
	long		sleep_ms = FETCH_POLL_MS;
	TimestampTz now = GetCurrentTimestamp();

	foreach(lc, f->active)
	{
		ObjstoreStream *s = lfirst(lc);

		if (s->state == STREAM_RUNNING && s->easy != NULL && !s->paused)
			network = true;
		else if (s->state == STREAM_WAITING)
			sleep_ms = Min(sleep_ms,
						   Max(TimestampDifferenceMilliseconds(now, s->retry_at), 0));
	}
	if (network)
		curl_multi_poll(f->multi, NULL, 0, (int) sleep_ms, NULL);
	else if (sleep_ms > 0)
		HttpSleepMs(sleep_ms);
	CHECK_FOR_INTERRUPTS();
}

/* raise the error kept for a failed stream */
static void
report_failure(ObjstoreStream *s)
{
	if (s->fail_rc == CURLE_ABORTED_BY_CALLBACK)
	{
		CHECK_FOR_INTERRUPTS();
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("transfer of \"%s\" interrupted", s->req.display_url)));
	}
	if (s->fail_rc != CURLE_OK)
		HttpReportCurlError(s->req.display_url, s->fail_rc, s->fail_xfer,
							s->attempts);
	HttpReportStatus(s->req.display_url, s->fail_status, s->fail_body,
					 s->req.s3);
}

/* at EOF: the object must have the size the caller expected */
static void
check_size(ObjstoreStream *s)
{
	if (s->expected_size >= 0 && s->delivered != s->expected_size)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("object \"%s\" has " INT64_FORMAT " bytes, expected " INT64_FORMAT,
						s->req.display_url ? s->req.display_url : s->url,
						s->delivered, s->expected_size),
				 errdetail("The size differs from the content_length given for it.")));
}

/* read from a file stream; 0 at EOF */
static size_t
read_file(ObjstoreStream *s, char *buf, size_t len)
{
	for (;;)
	{
		ssize_t		n = read(s->fd, buf, len);

		if (n >= 0)
			return (size_t) n;
		if (errno != EINTR)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read file \"%s\": %m", FilePath(s->url))));
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * ObjstoreStreamRead
 *		Up to len bytes of the object into buf; 0 at the end.  Blocks until
 *		some bytes arrive, driving every transfer of the fetcher meanwhile.
 *		Errors (missing object, failure after retries, size mismatch, a
 *		cancel) are raised here.
 */
size_t
ObjstoreStreamRead(ObjstoreStream *s, char *buf, size_t len)
{
	ObjstoreFetcher *f = s->fetcher;

	if (s->state == STREAM_CLOSED)
		elog(ERROR, "read from a closed object stream");
	if (len == 0)
		return 0;

	for (;;)
	{
		fetcher_step(f, s);

		if (s->kind == OBJSTORE_FILE && s->state == STREAM_RUNNING)
		{
			size_t		n;

			if (s->range_length >= 0)
				len = (size_t) Min((int64) len, s->range_length - s->delivered);
			n = len > 0 ? read_file(s, buf, len) : 0;

			s->delivered += n;
			if (n == 0)
			{
				s->state = STREAM_DONE;
				check_size(s);
			}
			return n;
		}
		if (s->end > s->start)
		{
			size_t		n = Min(len, s->end - s->start);

			memcpy(buf, s->buf + s->start, n);
			s->start += n;
			if (s->start == s->end)
				s->start = s->end = 0;
			s->delivered += n;
			return n;
		}
		if (s->state == STREAM_DONE)
		{
			check_size(s);
			return 0;
		}
		if (s->state == STREAM_FAILED)
			report_failure(s);
		fetcher_wait(f);
	}
}

/*
 * ObjstoreStreamBytesRead
 *		Bytes returned to the reader so far (for progress reporting).
 */
int64
ObjstoreStreamBytesRead(ObjstoreStream *stream)
{
	return stream->delivered;
}

/*
 * ObjstoreStreamClose
 *		Stop the download if it still runs and free its slot and buffers;
 *		the next queued download starts at the next read of any stream.
 */
void
ObjstoreStreamClose(ObjstoreStream *stream)
{
	release_stream(stream);
	release_slot(stream);
	stream->state = STREAM_CLOSED;
}

/*
 * ObjstoreFetcherDestroy
 *		Stop everything and free the fetcher and all its streams.
 */
void
ObjstoreFetcherDestroy(ObjstoreFetcher *fetcher)
{
	MemoryContextDelete(fetcher->cxt);
}
