/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The loader background workers: registration at preload, the slot in
 *	  shared memory through which enqueue() wakes them, and the main loop.
 *
 * clickstream.workers static background workers connect to
 * clickstream.database and run load cycles (queue.c): each batch is one
 * transaction that claims, loads, merges and completes its files, so a crash
 * at any point leaves every file either loaded once or still queued.  Between
 * cycles a worker sleeps on its latch for clickstream.naptime; a transaction
 * that queues files calls clickstream.wake_worker(), which sets the workers'
 * latches when it commits, so new files are loaded within moments.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/worker/worker.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

#include "pg_clickstream.h"
#include "worker/worker.h"

PG_FUNCTION_INFO_V1(pg_clickstream_wake_worker);

/*
 * Shared state: the PGPROC number of each running worker (-1 when the slot is
 * empty), so any backend can set its latch.
 */
typedef struct WorkerShared
{
	slock_t		mutex;
	int			procno[CLICKSTREAM_MAX_WORKERS];
} WorkerShared;

static WorkerShared *worker_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* this backend's transaction asked to wake the workers at commit */
static bool wake_at_commit = false;
static bool xact_callback_registered = false;

static void worker_shmem_request(void);
static void worker_shmem_startup(void);
static void worker_xact_callback(XactEvent event, void *arg);
static void worker_wake_all(void);
static void worker_slot_release(int code, Datum arg);

/*
 * WorkerInit
 *		Called from _PG_init after the settings are defined.  Only when the
 *		library is preloaded: reserve the shared slots and register
 *		clickstream.workers background workers.  Otherwise nothing: sessions
 *		can still load with clickstream.run_load_cycle().
 */
void
WorkerInit(void)
{
	BackgroundWorker worker;
	int			i;

	if (!process_shared_preload_libraries_in_progress)
		return;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = worker_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = worker_shmem_startup;

	for (i = 0; i < clickstream_workers; i++)
	{
		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
			BGWORKER_BACKEND_DATABASE_CONNECTION;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		/* after an error exit (e.g. the database does not exist yet) */
		worker.bgw_restart_time = 5;
		snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_clickstream");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "WorkerMain");
		snprintf(worker.bgw_name, BGW_MAXLEN, "pg_clickstream loader %d", i);
		snprintf(worker.bgw_type, BGW_MAXLEN, "pg_clickstream loader");
		worker.bgw_main_arg = Int32GetDatum(i);
		worker.bgw_notify_pid = 0;
		RegisterBackgroundWorker(&worker);
	}

	/* the refresh, scan and retention run beside the loaders (modeler.c) */
	ModelerRegister();
}

/* PG 15: shared memory is requested from shmem_request_hook */
static void
worker_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(WorkerShared)));
}

static void
worker_shmem_startup(void)
{
	bool		found;
	int			i;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	worker_shared = ShmemInitStruct("pg_clickstream worker", sizeof(WorkerShared),
									&found);
	if (!found)
	{
		SpinLockInit(&worker_shared->mutex);
		for (i = 0; i < CLICKSTREAM_MAX_WORKERS; i++)
			worker_shared->procno[i] = -1;
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * worker_wake_all
 *		Set the latch of every running worker.
 */
static void
worker_wake_all(void)
{
	int			procno[CLICKSTREAM_MAX_WORKERS];
	int			i;

	if (worker_shared == NULL)
		return;
	SpinLockAcquire(&worker_shared->mutex);
	memcpy(procno, worker_shared->procno, sizeof(procno));
	SpinLockRelease(&worker_shared->mutex);

	for (i = 0; i < CLICKSTREAM_MAX_WORKERS; i++)
	{
		if (procno[i] >= 0)
			SetLatch(&ProcGlobal->allProcs[procno[i]].procLatch);
	}
}

/*
 * worker_xact_callback
 *		Wake the workers once the transaction that queued work has committed;
 *		earlier, they would not see its rows.
 */
static void
worker_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (wake_at_commit)
				worker_wake_all();
			wake_at_commit = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			wake_at_commit = false;
			break;
		default:
			break;
	}
}

/*
 * pg_clickstream_wake_worker
 *		SQL clickstream.wake_worker(): wake the loader workers when the current
 *		transaction commits.  A no-op when the library is not preloaded.
 */
Datum
pg_clickstream_wake_worker(PG_FUNCTION_ARGS)
{
	if (worker_shared == NULL)
		PG_RETURN_VOID();
	if (!xact_callback_registered)
	{
		RegisterXactCallback(worker_xact_callback, NULL);
		xact_callback_registered = true;
	}
	wake_at_commit = true;
	PG_RETURN_VOID();
}

/* on exit: empty this worker's slot, so nobody sets a latch we no longer own */
static void
worker_slot_release(int code, Datum arg)
{
	int			index = DatumGetInt32(arg);

	SpinLockAcquire(&worker_shared->mutex);
	if (worker_shared->procno[index] == MyProc->pgprocno)
		worker_shared->procno[index] = -1;
	SpinLockRelease(&worker_shared->mutex);
}

/*
 * WorkerMain
 *		Entry point of loader worker number main_arg.  Connects to
 *		clickstream.database as the bootstrap superuser and runs load cycles
 *		until shutdown.  SIGHUP rereads the configuration; SIGTERM ends the
 *		worker at the next interrupt check (a running batch is rolled back and
 *		its files stay queued).  Errors inside a cycle are reported and the
 *		loop goes on (queue.c); the worker exits only on FATAL or postmaster
 *		death.
 */
void
WorkerMain(Datum main_arg)
{
	int			index = DatumGetInt32(main_arg);
	MemoryContext loop_context;
	bool		first = true;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	BackgroundWorkerInitializeConnection(clickstream_database, NULL, 0);
	pgstat_report_appname(MyBgworkerEntry->bgw_name);

	SpinLockAcquire(&worker_shared->mutex);
	worker_shared->procno[index] = MyProc->pgprocno;
	SpinLockRelease(&worker_shared->mutex);
	on_shmem_exit(worker_slot_release, Int32GetDatum(index));

	ereport(LOG,
			(errmsg("pg_clickstream loader %d started in database \"%s\"",
					index, clickstream_database)));

	/* one context for the loop, reset every iteration */
	loop_context = AllocSetContextCreate(TopMemoryContext,
										 "pg_clickstream loader loop",
										 ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		int64		batches;

		MemoryContextSwitchTo(loop_context);
		MemoryContextReset(loop_context);

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		batches = QueueCycle(index, first);
		first = false;

		/*
		 * After work, look again at once: more files may be due.  Set latches
		 * are kept, so a wake-up during the cycle is not lost.
		 */
		if (batches > 0)
			continue;

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 clickstream_naptime_ms,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
