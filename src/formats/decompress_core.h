/*-------------------------------------------------------------------------
 *
 * decompress_core.h
 *	  gzip/zstd stream decoder core, free of PostgreSQL headers.
 *
 * A DcStream pulls compressed bytes from a source callback into an input
 * buffer the caller provides and decodes them straight into the caller's
 * output buffer, so memory stays bounded whatever the object's size.  It
 * handles concatenated gzip members and multi-frame zstd, and reports
 * truncation and corruption as a status plus the compressed byte offset
 * instead of longjmp'ing; decompress.c turns those into ereports.  The
 * source callback itself may longjmp (ereport): the stream then holds
 * nothing the owner cannot release with DcEnd.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/formats/decompress_core.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DECOMPRESS_CORE_H
#define DECOMPRESS_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum DecompressCodec
{
	DECOMPRESS_NONE,			/* pass bytes through */
	DECOMPRESS_GZIP,			/* RFC 1952, one or more members */
	DECOMPRESS_ZSTD				/* one or more frames, skippable ones too */
} DecompressCodec;

/* Bytes read into buf (at most len), 0 at end of input. */
typedef size_t (*DcSourceFn) (void *arg, char *buf, size_t len);

typedef enum DcStatus
{
	DC_OK = 0,
	DC_ERR_TRUNCATED,			/* input ends inside a gzip member/zstd frame */
	DC_ERR_CORRUPT,				/* the decoder refused the data */
	DC_ERR_LIMIT,				/* zstd frame needs a window over the limit */
	DC_ERR_NOMEM				/* could not create the decoder */
} DcStatus;

/* zstd frames may ask for windows up to 2^27 bytes (zstd's own default). */
#define DC_ZSTD_WINDOW_LOG_MAX	27

/*
 * Stream state.  Fields are for decompress_core.c; callers read status,
 * err_offset, errmsg, codec and consumed only.
 */
typedef struct DcStream
{
	DcSourceFn	src;
	void	   *src_arg;
	DecompressCodec codec;		/* set by DcStart */

	char	   *inbuf;			/* caller's buffer of incap bytes */
	size_t		incap;
	size_t		inpos;			/* next byte to decode */
	size_t		inend;			/* end of the bytes read */
	bool		src_eof;		/* the source returned 0 */
	int64_t		consumed;		/* bytes read from the source so far */

	void	   *zs;				/* z_stream *, malloc'd */
	void	   *zd;				/* ZSTD_DCtx *, malloc'd */
	bool		in_unit;		/* inside a gzip member or zstd frame */
	bool		need_reset;		/* a gzip member ended: reset before the next */

	DcStatus	status;			/* sticky: once set, reads return 0 */
	int64_t		err_offset;		/* compressed byte offset of the problem */
	char		errmsg[160];	/* the library's text, or ours */
} DcStream;

/* in decompress_core.c */
extern DecompressCodec DcCodecFromName(const char *url);
extern const char *DcCodecName(DecompressCodec codec);
extern void DcInit(DcStream *s, DcSourceFn src, void *arg,
				   char *inbuf, size_t incap);
extern DcStatus DcStart(DcStream *s, DecompressCodec by_name);
extern size_t DcRead(DcStream *s, char *buf, size_t len);
extern void DcEnd(DcStream *s);

#endif							/* DECOMPRESS_CORE_H */
