/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  The loader background workers: registration, shared state, wake-ups,
 *	  and the load cycle they run.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/worker/worker.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef CLICKSTREAM_WORKER_H
#define CLICKSTREAM_WORKER_H

#include "fmgr.h"

/* upper bound of clickstream.workers; sizes the shared slot array */
#define CLICKSTREAM_MAX_WORKERS 32

/* in worker.c */
extern void WorkerInit(void);
extern PGDLLEXPORT void WorkerMain(Datum main_arg);

/* in queue.c */
extern int64 QueueCycle(int worker_index, bool first_cycle);

#endif							/* CLICKSTREAM_WORKER_H */
