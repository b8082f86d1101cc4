/*-------------------------------------------------------------------------
 *
 * decompress.h
 *	  Streaming gzip/zstd decompression for the CSV and JSON-lines readers.
 *
 * A DecompressStream sits between an object-store stream (any source
 * callback) and a text reader.  The codec comes from the URL's suffix or
 * from the data's magic bytes; concatenated gzip members and multi-frame
 * zstd are one stream.  Memory is bounded: one input buffer of
 * DECOMPRESS_INPUT_BUFFER bytes plus the decoder's window.  Errors are
 * ereport(ERROR) with ERRCODE_DATA_CORRUPTED naming the URL and the
 * compressed byte offset.  The decoder's malloc'd state is released by a
 * memory-context callback, so an ERROR cannot leak it.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/formats/decompress.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DECOMPRESS_H
#define DECOMPRESS_H

#include "formats/decompress_core.h"	/* DecompressCodec */

/* Compressed bytes read from the source per call. */
#define DECOMPRESS_INPUT_BUFFER		(256 * 1024)

/* Returns bytes read into buf (at most len), 0 at EOF; may ereport. */
typedef size_t (*DecompressSourceFn) (void *arg, char *buf, size_t len);

typedef struct DecompressStream DecompressStream;

/* in decompress.c */
extern DecompressCodec DecompressCodecFromName(const char *url);
extern DecompressStream *DecompressOpen(DecompressSourceFn src, void *arg,
										const char *url);
extern size_t DecompressRead(DecompressStream *s, char *buf, size_t len);
extern int64 DecompressCompressedBytes(DecompressStream *s);
extern DecompressCodec DecompressStreamCodec(DecompressStream *s);
extern void DecompressClose(DecompressStream *s);

#endif							/* DECOMPRESS_H */
