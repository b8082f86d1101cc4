/*-------------------------------------------------------------------------
 *
 * decompress.c
 *	  PostgreSQL side of the gzip/zstd streams: memory contexts, ereport.
 *
 * The decoding itself is in decompress_core.c (no PostgreSQL headers, unit
 * tested in test/unit/decompress).  Here each stream gets its own small
 * memory context, a child of the caller's, holding the stream and its
 * input buffer; a reset callback on that context frees zlib's or libzstd's
 * malloc'd state.  DecompressClose deletes the context, and so does the
 * abort of the caller's context after an ERROR: either way the callback
 * runs exactly once.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/formats/decompress.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"

#include "formats/decompress.h"
#include "formats/decompress_pipe.h"

struct DecompressStream
{
	MemoryContext cxt;			/* owns this struct and the input buffer */
	MemoryContextCallback cleanup;	/* stops the pipe, calls DcEnd */
	char	   *url;			/* for messages */
	DcStream	core;
	DcPipe	   *pipe;			/* decoder thread, or NULL: decode here */
};

static void decompress_cleanup(void *arg);
static void decompress_wait(void);
static void decompress_report(DecompressStream *s) pg_attribute_noreturn();

/*
 * DecompressCodecFromName
 *		Codec implied by url's suffix (.gz, .gzip, .zst, .zstd, any case;
 *		the query of an http(s) URL is ignored), else DECOMPRESS_NONE.
 */
DecompressCodec
DecompressCodecFromName(const char *url)
{
	return DcCodecFromName(url);
}

/*
 * DecompressOpen
 *		Start decoding the object url, read through src(arg).
 *
 * Reads the first bytes at once to detect the codec (magic bytes first,
 * then the suffix).  The stream lives in a child of CurrentMemoryContext
 * and must be released with DecompressClose, or with that context.  src
 * must keep working until then; it may ereport.  Raises
 * ERRCODE_DATA_CORRUPTED when the suffix promises a codec the data lacks.
 */
DecompressStream *
DecompressOpen(DecompressSourceFn src, void *arg, const char *url)
{
	MemoryContext cxt;
	DecompressStream *s;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "decompress stream",
								ALLOCSET_SMALL_SIZES);
	s = MemoryContextAllocZero(cxt, sizeof(DecompressStream));
	s->cxt = cxt;
	s->url = MemoryContextStrdup(cxt, url);
	DcInit(&s->core, src, arg,
		   MemoryContextAlloc(cxt, DECOMPRESS_INPUT_BUFFER),
		   DECOMPRESS_INPUT_BUFFER);

	/* before DcStart allocates anything outside palloc */
	s->cleanup.func = decompress_cleanup;
	s->cleanup.arg = s;
	MemoryContextRegisterResetCallback(cxt, &s->cleanup);

	if (DcStart(&s->core, DcCodecFromName(url)) != DC_OK)
		decompress_report(s);

	/*
	 * Decode compressed data on a second thread while this backend parses
	 * and inserts.  Without a thread (none to be had) decode here.
	 */
	if (s->core.codec != DECOMPRESS_NONE)
		s->pipe = DcPipeStart(&s->core);
	return s;
}

/*
 * DecompressRead
 *		Decode up to len bytes into buf; returns how many, 0 at EOF only.
 *
 * Fills buf as far as the input allows, so short counts are rare and mean
 * nothing.  Truncated or corrupt input raises ERRCODE_DATA_CORRUPTED.
 */
size_t
DecompressRead(DecompressStream *s, char *buf, size_t len)
{
	size_t		n;

	CHECK_FOR_INTERRUPTS();
	if (len == 0)
		return 0;
	if (s->pipe)
		n = DcPipeRead(s->pipe, buf, len, decompress_wait);
	else
		n = DcRead(&s->core, buf, len);
	if (n == 0 && s->core.status != DC_OK)
		decompress_report(s);
	return n;
}

/*
 * DecompressCompressedBytes
 *		Bytes read from the source so far: progress in compressed terms.
 *		At EOF this is the object's size.
 */
int64
DecompressCompressedBytes(DecompressStream *s)
{
	return s->pipe ? (int64) DcPipeConsumed(s->pipe) : (int64) s->core.consumed;
}

/*
 * DecompressStreamCodec
 *		Codec in use, as detected by DecompressOpen.
 */
DecompressCodec
DecompressStreamCodec(DecompressStream *s)
{
	return s->core.codec;
}

/*
 * DecompressClose
 *		Free the stream, its buffer and its decoder.  s is invalid after.
 */
void
DecompressClose(DecompressStream *s)
{
	/* the reset callback runs as part of the delete */
	MemoryContextDelete(s->cxt);
}

/* Memory-context callback: release the decoder's malloc'd state. */
static void
decompress_cleanup(void *arg)
{
	DecompressStream *s = (DecompressStream *) arg;

	if (s->pipe)
	{
		DcPipeStop(s->pipe);
		s->pipe = NULL;
	}
	DcEnd(&s->core);
}

/* DcWaitFn: while the decoder thread works, stay responsive to cancels. */
static void
decompress_wait(void)
{
	CHECK_FOR_INTERRUPTS();
}

/*
 * decompress_report
 *		ereport(ERROR) for the failure recorded in s->core.
 */
static void
decompress_report(DecompressStream *s)
{
	const char *codec = DcCodecName(s->core.codec);
	long long	offset = (long long) s->core.err_offset;

	switch (s->core.status)
	{
		case DC_ERR_TRUNCATED:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("unexpected end of %s data in \"%s\"",
							codec, s->url),
					 errdetail("The input ends after %lld compressed bytes, inside a %s.",
							   offset,
							   s->core.codec == DECOMPRESS_GZIP ? "gzip member" : "zstd frame"),
					 errhint("The object may be truncated; check that it was uploaded completely.")));
			break;
		case DC_ERR_CORRUPT:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("corrupt %s data in \"%s\" at compressed byte offset %lld",
							codec, s->url, offset),
					 errdetail_internal("%s.", s->core.errmsg)));
			break;
		case DC_ERR_LIMIT:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("zstd frame in \"%s\" needs too large a window",
							s->url),
					 errdetail_internal("%s at compressed byte offset %lld.",
										s->core.errmsg, offset),
					 errhint("Compress with a window of at most %d MB (for example without --long).",
							 1 << (DC_ZSTD_WINDOW_LOG_MAX - 20))));
			break;
		case DC_ERR_NOMEM:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("Failed to create the %s decoder for \"%s\".",
							   codec, s->url)));
			break;
		case DC_OK:
			break;
	}
	elog(ERROR, "unexpected decompression status %d", (int) s->core.status);
}
