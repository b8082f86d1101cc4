/*-------------------------------------------------------------------------
 *
 * decompress_pipe.h
 *	  Decompression on a second thread, free of PostgreSQL headers.
 *
 * Inflating gzip costs about a quarter of a JSON-lines load; a DcPipe runs
 * the decoder (a DcStream of decompress_core.c) on its own thread so that
 * the backend parses and inserts while the next megabytes are decoded.  The
 * calling thread keeps every PostgreSQL-facing duty: it alone reads the
 * source (which may ereport), and it calls a wait callback
 * (CHECK_FOR_INTERRUPTS) while waiting.  The decoder thread touches only
 * the decoder, the pipe's malloc'd buffers and its mutex: no palloc, no
 * ereport, no signals (all blocked).  Memory is bounded: DCP_IN_SLOTS input
 * slots plus DCP_OUT_SLOTS output slots.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/formats/decompress_pipe.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef DECOMPRESS_PIPE_H
#define DECOMPRESS_PIPE_H

#include "formats/decompress_core.h"

#define DCP_IN_SLOTS	4
#define DCP_IN_SIZE		(256 * 1024)
#define DCP_OUT_SLOTS	4
#define DCP_OUT_SIZE	(1024 * 1024)

/* Called by the reading thread while it waits; may longjmp (then DcPipeStop). */
typedef void (*DcWaitFn) (void);

typedef struct DcPipe DcPipe;

/* in decompress_pipe.c */
extern DcPipe *DcPipeStart(DcStream *core);
extern size_t DcPipeRead(DcPipe *p, char *buf, size_t len, DcWaitFn wait);
extern int64_t DcPipeConsumed(DcPipe *p);
extern void DcPipeStop(DcPipe *p);

#endif							/* DECOMPRESS_PIPE_H */
