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

/* in modeler.c */
extern void ModelerRegister(void);
extern PGDLLEXPORT void ModelerMain(Datum main_arg);
extern PGDLLEXPORT void ModelerTaskMain(Datum main_arg);

/* settings of the modeling tasks (defined in guc.c; docs/model-refresh.md) */
extern bool clickstream_modeler;
extern int	clickstream_modeler_max_tasks;
extern int	clickstream_refresh_interval_min;
extern int	clickstream_refresh_mode;
extern int	clickstream_data_freshness_s;
extern int	clickstream_refresh_report_days;
extern int	clickstream_retention_days;
extern int	clickstream_retention_hour;

/* in queue.c */
typedef void (*WorkerStep) (void *arg);
extern bool WorkerTransaction(const char *activity, WorkerStep step, void *arg);
extern int64 QueueCycle(int worker_index, bool first_cycle);

#endif							/* CLICKSTREAM_WORKER_H */
