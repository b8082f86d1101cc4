/*-------------------------------------------------------------------------
 *
 * queue.c
 *	  One load cycle of a loader worker, through SPI: recover, poll sources,
 *	  then claim-load-merge-complete batches.
 *
 * The work itself is SQL (src/sql/queue.sql, src/sql/worker.sql), shared with
 * clickstream.run_load_cycle(); this file runs each step in a transaction of
 * its own, the way a session would, and keeps the worker alive when a step
 * fails: the error is logged, the transaction rolled back (its files stay
 * queued) and the cycle ends, to be tried again after clickstream.naptime.
 * Failures of a batch's files are handled in SQL (retries, FAILED) and never
 * reach this level; what does is unexpected (a broken install, a cancel).
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/worker/queue.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/pmsignal.h"
#include "utils/backend_status.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "pg_clickstream.h"
#include "worker/worker.h"

/* batches run back to back before the worker rereads its settings and sources */
#define QUEUE_BATCHES_PER_CYCLE 100

/* load_batches is pruned at most this often (ms) */
#define QUEUE_PRUNE_INTERVAL_MS 60000

static TimestampTz last_prune = 0;
static bool extension_missing_logged = false;

/*
 * WorkerTransaction
 *		Run step(arg) in a transaction of its own, inside an SPI connection and
 *		with a snapshot, the way a session runs a statement.  activity is what
 *		pg_stat_activity shows meanwhile.  Returns false, after logging the
 *		error and rolling back, if the step raised one: one failing statement
 *		must not end a worker.  On return the caller's memory context is
 *		current again (allocations of the step in SPI's context are gone).
 */
bool
WorkerTransaction(const char *activity, WorkerStep step, void *arg)
{
	MemoryContext caller_context = CurrentMemoryContext;
	volatile bool ok = true;

	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, activity);

		step(arg);

		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		pgstat_report_stat(false);
		pgstat_report_activity(STATE_IDLE, NULL);
	}
	PG_CATCH();
	{
		/* report and roll back, as the main loop of a backend would, then go on */
		HOLD_INTERRUPTS();
		MemoryContextSwitchTo(caller_context);
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
		pgstat_report_activity(STATE_IDLE, NULL);
		RESUME_INTERRUPTS();
		ok = false;
	}
	PG_END_TRY();

	MemoryContextSwitchTo(caller_context);
	return ok;
}

/* argument of queue_exec_step */
typedef struct QueueExec
{
	const char *sql;
	int64	   *result;
} QueueExec;

/* run exec->sql; store the first column of its first row, if any and not NULL */
static void
queue_exec_step(void *arg)
{
	QueueExec  *exec = (QueueExec *) arg;
	int			ret;

	ret = SPI_execute(exec->sql, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "unexpected SPI result %d for \"%s\"", ret, exec->sql);
	if (SPI_processed > 0)
	{
		bool		isnull;
		Datum		value;

		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
							  1, &isnull);
		if (!isnull)
			*exec->result = DatumGetInt64(value);
	}
}

/*
 * queue_exec
 *		Run sql (a query returning at most one row, whose first column is a
 *		bigint) in a transaction of its own.  Stores that value in *result (0
 *		when no row or NULL).  Returns false, after logging the error and
 *		rolling back, if the statement failed.  activity is what
 *		pg_stat_activity shows meanwhile.
 */
static bool
queue_exec(const char *activity, const char *sql, int64 *result)
{
	QueueExec	exec;

	*result = 0;
	exec.sql = sql;
	exec.result = result;
	return WorkerTransaction(activity, queue_exec_step, &exec);
}

/*
 * QueueCycle
 *		One cycle of worker worker_index: if the extension is installed in
 *		this database, recover files left in progress (first cycle of worker
 *		0), poll due sources (worker 0) and prune history (worker 0, at most
 *		once a minute), then load batches until none is due (or
 *		QUEUE_BATCHES_PER_CYCLE ran; a batch creates the partitions it needs).
 *		Returns the number of batches run; errors are logged, never raised.
 */
int64
QueueCycle(int worker_index, bool first_cycle)
{
	int64		installed;
	int64		value;
	int64		batches = 0;
	TimestampTz now;

	if (!queue_exec("pg_clickstream: checking for the extension",
					"SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'pg_clickstream'",
					&installed))
		return 0;
	if (installed == 0)
	{
		if (!extension_missing_logged)
			ereport(LOG,
					(errmsg("pg_clickstream loader waits for CREATE EXTENSION pg_clickstream in database \"%s\"",
							clickstream_database)));
		extension_missing_logged = true;
		return 0;
	}
	extension_missing_logged = false;

	if (worker_index == 0)
	{
		if (first_cycle)
		{
			(void) queue_exec("pg_clickstream: recovering the queue",
							  "SELECT clickstream.recover_queue()", &value);
			if (value > 0)
				ereport(LOG,
						(errmsg("pg_clickstream loader put %lld files left in progress back in the queue",
								(long long) value)));
		}
		/* cheap when no source is due; add_source() wakes us to poll at once */
		(void) queue_exec("pg_clickstream: polling sources",
						  "SELECT clickstream.poll_sources()", &value);
		now = GetCurrentTimestamp();
		if (TimestampDifferenceExceeds(last_prune, now, QUEUE_PRUNE_INTERVAL_MS))
		{
			last_prune = now;
			(void) queue_exec("pg_clickstream: pruning load_batches",
							  "SELECT clickstream.prune_batches()", &value);
		}
	}

	while (batches < QUEUE_BATCHES_PER_CYCLE)
	{
		int64		claimed;

		CHECK_FOR_INTERRUPTS();
		/* WaitLatch notices postmaster death, but a busy worker never waits */
		if (!PostmasterIsAlive())
			proc_exit(1);
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (!queue_exec("pg_clickstream: loading a batch",
						"SELECT count(*) FROM clickstream.load_next_batch()",
						&claimed))
			break;
		if (claimed == 0)
			break;
		batches++;
	}
	return batches;
}
