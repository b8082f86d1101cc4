/*-------------------------------------------------------------------------
 *
 * decompress_core.c
 *	  gzip/zstd stream decoder core: codec detection and the read loops.
 *
 * The decoders write straight into the caller's buffer and read from one
 * input buffer refilled with large source reads, so there is no per-byte
 * work outside zlib and libzstd.  zlib and libzstd allocate with malloc;
 * DcEnd releases them and is safe to call at any point, twice included,
 * which is what lets decompress.c call it from a memory-context callback
 * after an ERROR.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/formats/decompress_core.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "formats/decompress_core.h"

/* zlib counts in uInt: never hand it more than this per call. */
#define DC_ZLIB_MAX_CHUNK	((size_t) 1 << 30)

/* Buffers this large are filled by the source directly (codec NONE). */
#define DC_DIRECT_READ_MIN	((size_t) 64 * 1024)

static bool dc_refill(DcStream *s);
static void dc_fail(DcStream *s, DcStatus status, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));
static bool dc_more_input(DcStream *s);
static bool dc_stalled(DcStream *s, const char *unit);
static size_t dc_read_none(DcStream *s, char *buf, size_t len);
static size_t dc_read_gzip(DcStream *s, char *buf, size_t len);
static size_t dc_read_zstd(DcStream *s, char *buf, size_t len);

/*
 * DcCodecFromName
 *		Codec implied by the name's suffix: .gz/.gzip or .zst/.zstd, in any
 *		case; DECOMPRESS_NONE otherwise.
 *
 * For http(s) URLs the query and fragment are not part of the name, so a
 * presigned "https://host/a.csv.gz?X-Amz-..." still counts as gzip.
 */
DecompressCodec
DcCodecFromName(const char *url)
{
	static const struct
	{
		const char *suffix;
		DecompressCodec codec;
	}			suffixes[] = {
		{".gz", DECOMPRESS_GZIP},
		{".gzip", DECOMPRESS_GZIP},
		{".zst", DECOMPRESS_ZSTD},
		{".zstd", DECOMPRESS_ZSTD}
	};
	size_t		len = strlen(url);
	size_t		i;

	if (strncasecmp(url, "http://", 7) == 0 ||
		strncasecmp(url, "https://", 8) == 0)
		len = strcspn(url, "?#");

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
	{
		size_t		n = strlen(suffixes[i].suffix);

		if (len >= n && strncasecmp(url + len - n, suffixes[i].suffix, n) == 0)
			return suffixes[i].codec;
	}
	return DECOMPRESS_NONE;
}

/* Name of a codec for messages. */
const char *
DcCodecName(DecompressCodec codec)
{
	switch (codec)
	{
		case DECOMPRESS_GZIP:
			return "gzip";
		case DECOMPRESS_ZSTD:
			return "zstd";
		case DECOMPRESS_NONE:
			break;
	}
	return "uncompressed";
}

/*
 * DcInit
 *		Prepare s to read from src(arg) through inbuf[0..incap).
 *
 * No allocation happens here, so the owner can arrange cleanup (register
 * a callback that calls DcEnd) before DcStart creates the decoder.
 */
void
DcInit(DcStream *s, DcSourceFn src, void *arg, char *inbuf, size_t incap)
{
	memset(s, 0, sizeof(*s));
	s->src = src;
	s->src_arg = arg;
	s->inbuf = inbuf;
	s->incap = incap;
	s->codec = DECOMPRESS_NONE;
	s->status = DC_OK;
}

/*
 * DcStart
 *		Peek at the first bytes, pick the codec and create its decoder.
 *
 * Magic bytes win: gzip 1f 8b, zstd 28 b5 2f fd or a skippable frame
 * (5? 2a 4d 18, which pzstd writes first).  Without magic the name decides
 * (by_name, from DcCodecFromName), and a name promising a codec whose magic
 * is absent is reported as corrupt rather than left to the decoder's
 * vaguer message.  Empty input is an empty stream whatever the name.
 * Returns s->status.
 */
DcStatus
DcStart(DcStream *s, DecompressCodec by_name)
{
	const unsigned char *p = (const unsigned char *) s->inbuf;
	size_t		n;

	/* the source may return short reads: insist on 4 bytes unless at EOF */
	while (s->inend < 4 && !s->src_eof)
	{
		size_t		got = s->src(s->src_arg, s->inbuf + s->inend,
								 s->incap - s->inend);

		if (got == 0)
			s->src_eof = true;
		s->inend += got;
		s->consumed += got;
	}
	n = s->inend;

	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		s->codec = DECOMPRESS_GZIP;
	else if (n >= 4 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd &&
			 p[0] == 0x28)
		s->codec = DECOMPRESS_ZSTD;
	else if (n >= 4 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a &&
			 p[2] == 0x4d && p[3] == 0x18)
		s->codec = DECOMPRESS_ZSTD;
	else if (n == 0 || by_name == DECOMPRESS_NONE)
		s->codec = DECOMPRESS_NONE;
	else
	{
		s->codec = by_name;
		dc_fail(s, DC_ERR_CORRUPT,
				"the name ends like a %s file but the data does not start with %s magic bytes",
				DcCodecName(by_name), DcCodecName(by_name));
		s->err_offset = 0;
		return s->status;
	}

	if (s->codec == DECOMPRESS_GZIP)
	{
		z_stream   *zs = calloc(1, sizeof(z_stream));

		if (zs == NULL)
		{
			dc_fail(s, DC_ERR_NOMEM, "out of memory creating the gzip decoder");
			return s->status;
		}
		/* 16 + MAX_WBITS: gzip wrapper only, largest window */
		if (inflateInit2(zs, 16 + MAX_WBITS) != Z_OK)
		{
			free(zs);
			dc_fail(s, DC_ERR_NOMEM, "out of memory creating the gzip decoder");
			return s->status;
		}
		s->zs = zs;
	}
	else if (s->codec == DECOMPRESS_ZSTD)
	{
		ZSTD_DCtx  *zd = ZSTD_createDCtx();

		if (zd == NULL)
		{
			dc_fail(s, DC_ERR_NOMEM, "out of memory creating the zstd decoder");
			return s->status;
		}
		s->zd = zd;
		ZSTD_DCtx_setParameter(zd, ZSTD_d_windowLogMax, DC_ZSTD_WINDOW_LOG_MAX);
	}
	return s->status;
}

/*
 * DcRead
 *		Decode up to len (> 0) bytes into buf.
 *
 * Returns the number of bytes written; 0 means end of data when
 * s->status is DC_OK, or a failure otherwise (status, err_offset and
 * errmsg then say what).  A short count does not mean end of data.
 */
size_t
DcRead(DcStream *s, char *buf, size_t len)
{
	if (s->status != DC_OK || len == 0)
		return 0;
	switch (s->codec)
	{
		case DECOMPRESS_GZIP:
			return dc_read_gzip(s, buf, len);
		case DECOMPRESS_ZSTD:
			return dc_read_zstd(s, buf, len);
		case DECOMPRESS_NONE:
			break;
	}
	return dc_read_none(s, buf, len);
}

/*
 * DcEnd
 *		Free the decoder.  Idempotent; the input buffer is the caller's.
 */
void
DcEnd(DcStream *s)
{
	if (s->zs != NULL)
	{
		inflateEnd((z_stream *) s->zs);
		free(s->zs);
		s->zs = NULL;
	}
	if (s->zd != NULL)
	{
		ZSTD_freeDCtx((ZSTD_DCtx *) s->zd);
		s->zd = NULL;
	}
}

/*
 * dc_refill
 *		Read the next chunk of input into the (empty) input buffer; false at
 *		end of input.
 */
static bool
dc_refill(DcStream *s)
{
	size_t		got;

	if (s->src_eof)
		return false;
	got = s->src(s->src_arg, s->inbuf, s->incap);
	s->inpos = 0;
	s->inend = got;
	s->consumed += got;
	if (got == 0)
		s->src_eof = true;
	return got > 0;
}

/* Offset of the next compressed byte not yet handed to the decoder. */
#define DC_OFFSET(s)	((s)->consumed - (int64_t) ((s)->inend - (s)->inpos))

/*
 * dc_more_input
 *		Refill the input buffer if it is empty.  False when the input ended
 *		cleanly, between gzip members or zstd frames.
 */
static bool
dc_more_input(DcStream *s)
{
	if (s->inpos == s->inend)
		(void) dc_refill(s);
	return s->inpos < s->inend || s->in_unit;
}

/*
 * dc_stalled
 *		The decoder consumed and produced nothing.  That is fine (true: go
 *		on) when more input may come; at end of input inside a unit it is
 *		truncation, and with input left it is a decoder refusing to move,
 *		reported as corruption rather than looping forever.
 */
static bool
dc_stalled(DcStream *s, const char *unit)
{
	if (s->inpos == s->inend && s->src_eof)
	{
		if (!s->in_unit)
			return true;
		dc_fail(s, DC_ERR_TRUNCATED, "input ends inside a %s", unit);
		s->err_offset = s->consumed;
		return false;
	}
	if (s->inpos < s->inend)
	{
		dc_fail(s, DC_ERR_CORRUPT, "%s decoder made no progress",
				DcCodecName(s->codec));
		s->err_offset = DC_OFFSET(s);
		return false;
	}
	return true;
}

/*
 * dc_read_none
 *		Pass bytes through: drain the buffer, then let large reads go from
 *		the source straight into the caller's buffer.
 */
static size_t
dc_read_none(DcStream *s, char *buf, size_t len)
{
	size_t		n;

	if (s->inpos == s->inend)
	{
		if (len >= DC_DIRECT_READ_MIN && !s->src_eof)
		{
			n = s->src(s->src_arg, buf, len);
			s->consumed += n;
			if (n == 0)
				s->src_eof = true;
			return n;
		}
		if (!dc_refill(s))
			return 0;
	}
	n = s->inend - s->inpos;
	if (n > len)
		n = len;
	memcpy(buf, s->inbuf + s->inpos, n);
	s->inpos += n;
	return n;
}

/*
 * dc_read_gzip
 *		inflate into buf until it is full or the input ends.
 *
 * After a member ends (Z_STREAM_END), more input means another member, as
 * `cat a.gz b.gz` makes: the inflater is reset and goes on.  Anything after
 * a member that is not a gzip header is corrupt (zlib: "incorrect header
 * check"), trailing zeros included.
 */
static size_t
dc_read_gzip(DcStream *s, char *buf, size_t len)
{
	z_stream   *zs = (z_stream *) s->zs;
	size_t		produced = 0;

	while (produced < len)
	{
		size_t		avail_in;
		size_t		avail_out;
		size_t		used;
		size_t		made;
		int			ret;

		if (!dc_more_input(s))
			break;				/* clean end, between members */
		if (!s->in_unit && s->need_reset)
		{
			inflateReset(zs);
			s->need_reset = false;
		}
		s->in_unit = true;

		avail_in = s->inend - s->inpos;
		avail_out = len - produced;
		if (avail_out > DC_ZLIB_MAX_CHUNK)
			avail_out = DC_ZLIB_MAX_CHUNK;
		zs->next_in = (Bytef *) (s->inbuf + s->inpos);
		zs->avail_in = (uInt) avail_in;
		zs->next_out = (Bytef *) (buf + produced);
		zs->avail_out = (uInt) avail_out;

		ret = inflate(zs, Z_NO_FLUSH);

		used = avail_in - zs->avail_in;
		made = avail_out - zs->avail_out;
		s->inpos += used;
		produced += made;

		if (ret == Z_STREAM_END)
		{
			s->in_unit = false;
			s->need_reset = true;
			continue;
		}
		if (ret == Z_OK || ret == Z_BUF_ERROR)
		{
			if (used > 0 || made > 0 || dc_stalled(s, "gzip member"))
				continue;
			return produced;
		}
		dc_fail(s, ret == Z_MEM_ERROR ? DC_ERR_NOMEM : DC_ERR_CORRUPT,
				"%s", zs->msg ? zs->msg : "gzip decoder failed");
		s->err_offset = DC_OFFSET(s);
		return produced;
	}
	return produced;
}

/*
 * dc_read_zstd
 *		ZSTD_decompressStream into buf until it is full or the input ends.
 *
 * The decoder moves from one frame to the next by itself (skippable frames
 * included); a return of 0 marks a frame fully decoded and flushed, so
 * in_unit tells whether the input may end here.
 */
static size_t
dc_read_zstd(DcStream *s, char *buf, size_t len)
{
	ZSTD_DCtx  *zd = (ZSTD_DCtx *) s->zd;
	size_t		produced = 0;

	while (produced < len)
	{
		ZSTD_inBuffer in;
		ZSTD_outBuffer out;
		size_t		ret;

		if (!dc_more_input(s))
			break;				/* clean end, between frames */

		in.src = s->inbuf + s->inpos;
		in.size = s->inend - s->inpos;
		in.pos = 0;
		out.dst = buf + produced;
		out.size = len - produced;
		out.pos = 0;

		ret = ZSTD_decompressStream(zd, &out, &in);
		s->inpos += in.pos;
		produced += out.pos;

		if (ZSTD_isError(ret))
		{
			dc_fail(s,
					ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge ?
					DC_ERR_LIMIT : DC_ERR_CORRUPT,
					"%s", ZSTD_getErrorName(ret));
			s->err_offset = DC_OFFSET(s);
			return produced;
		}
		s->in_unit = (ret != 0);
		if (in.pos > 0 || out.pos > 0 || dc_stalled(s, "zstd frame"))
			continue;
		return produced;
	}
	return produced;
}

/* Record a failure; the caller sets err_offset. */
static void
dc_fail(DcStream *s, DcStatus status, const char *fmt,...)
{
	va_list		ap;

	s->status = status;
	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
}
