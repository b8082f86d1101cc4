/*-------------------------------------------------------------------------
 *
 * modeler.c
 *	  The modeler background worker: the refresh of the reporting layer, the
 *	  metadata scan and the daily retention of every app, run beside the
 *	  loaders so that modeling work never delays a load.
 *
 * "pg_clickstream modeler" (one static worker) wakes every
 * clickstream.naptime, asks clickstream.model_tasks_due() which tasks are due
 * (a refresh after loads, once clickstream.refresh_interval has passed; the
 * scan when its own rule says so; retention once a day from
 * clickstream.retention_hour, UTC), and runs each in a dynamic background
 * worker of its own, "pg_clickstream modeler task": up to
 * clickstream.modeler_max_tasks at a time, never two of one app (their units
 * would wait for each other's locks), in the order the tasks came; the
 * next cycle starts when all of them have ended.  A
 * task CALLs clickstream.run_model_task(app, task), a procedure that commits
 * after every unit of work; a separate process per task means a failing or
 * crashing task never takes the modeler down, and the task's locks and
 * temporary state end with its process.  A task that fails logs its error to
 * the server log and, from a new transaction, to the app's clickstream_log_v2
 * and clickstream.model_state.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/worker/modeler.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

#include "pg_clickstream.h"
#include "worker/worker.h"

/* a task to run: app id and task name, as the task worker receives them */
typedef struct ModelerTask
{
	char		app_id[96];		/* an app id maps to a schema name: < 64 bytes */
	char		task[16];
} ModelerTask;

StaticAssertDecl(sizeof(ModelerTask) <= BGW_EXTRALEN,
				 "ModelerTask must fit in bgw_extra");

static bool modeler_missing_logged = false;

/*
 * ModelerRegister
 *		Called from WorkerInit at preload: register the static modeler worker
 *		when clickstream.modeler is on.
 */
void
ModelerRegister(void)
{
	BackgroundWorker worker;

	if (!clickstream_modeler)
		return;
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_clickstream");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "ModelerMain");
	snprintf(worker.bgw_name, BGW_MAXLEN, "pg_clickstream modeler");
	snprintf(worker.bgw_type, BGW_MAXLEN, "pg_clickstream modeler");
	worker.bgw_notify_pid = 0;
	RegisterBackgroundWorker(&worker);
}

/* argument of modeler_due_step */
typedef struct ModelerDue
{
	MemoryContext context;		/* where the list and its tasks are allocated */
	List	   *tasks;
} ModelerDue;

/*
 * modeler_session_setup
 *		Settings of a modeler session.  No JIT: the modeling queries read
 *		partitioned tables, and LLVM compiles the expressions of every
 *		partition's scan; with a month of daily partitions that took most of a
 *		refresh.  The procedures themselves also say SET jit = off; this covers
 *		the rest of what a task runs.
 */
static void
modeler_session_setup(void)
{
	SetConfigOption("jit", "off", PGC_USERSET, PGC_S_SESSION);
}

/*
 * modeler_due_step
 *		Inside a transaction (WorkerTransaction): if the extension and its
 *		modeling functions are installed, append the due tasks to due->tasks.
 */
static void
modeler_due_step(void *arg)
{
	ModelerDue *due = (ModelerDue *) arg;
	bool		installed;
	uint64		i;

	if (SPI_execute("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_clickstream'"
					" AND pg_catalog.to_regprocedure('clickstream.model_tasks_due()') IS NOT NULL",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not look for the extension");
	installed = SPI_processed > 0;
	if (!installed && !modeler_missing_logged)
		ereport(LOG,
				(errmsg("pg_clickstream modeler waits for CREATE EXTENSION pg_clickstream in database \"%s\"",
						clickstream_database)));
	modeler_missing_logged = !installed;
	if (!installed)
		return;

	if (SPI_execute("SELECT app_id, task FROM clickstream.model_tasks_due()",
					false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not list the due modeling tasks");
	for (i = 0; i < SPI_processed; i++)
	{
		ModelerTask *task = MemoryContextAllocZero(due->context, sizeof(ModelerTask));
		MemoryContext spi_context;

		strlcpy(task->app_id,
				SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1),
				sizeof(task->app_id));
		strlcpy(task->task,
				SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2),
				sizeof(task->task));
		spi_context = MemoryContextSwitchTo(due->context);
		due->tasks = lappend(due->tasks, task);
		MemoryContextSwitchTo(spi_context);
	}
}

/*
 * modeler_due_tasks
 *		In a transaction of its own: the due tasks, allocated in the caller's
 *		memory context (NIL when the extension, or its modeling functions, are
 *		not installed, or on error, which is logged).
 */
static List *
modeler_due_tasks(void)
{
	ModelerDue	due;

	due.context = CurrentMemoryContext;
	due.tasks = NIL;
	if (!WorkerTransaction("pg_clickstream: looking for due modeling tasks",
						   modeler_due_step, &due))
		return NIL;
	return due.tasks;
}

/*
 * modeler_start_task
 *		Start a task worker for one task.  Returns its handle, or NULL when it
 *		could not be started (no free slot: raise max_worker_processes),
 *		which is logged.
 */
static BackgroundWorkerHandle *
modeler_start_task(const ModelerTask *task)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	pid_t		pid;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_clickstream");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "ModelerTaskMain");
	snprintf(worker.bgw_name, BGW_MAXLEN, "pg_clickstream modeler task");
	snprintf(worker.bgw_type, BGW_MAXLEN, "pg_clickstream modeler task");
	worker.bgw_main_arg = ObjectIdGetDatum(MyDatabaseId);
	memcpy(worker.bgw_extra, task, sizeof(ModelerTask));
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		ereport(LOG,
				(errmsg("pg_clickstream modeler could not start a worker for the %s of app \"%s\"",
						task->task, task->app_id),
				 errhint("Raise max_worker_processes.")));
		return NULL;
	}
	if (WaitForBackgroundWorkerStartup(handle, &pid) == BGWH_POSTMASTER_DIED)
		proc_exit(1);
	return handle;
}

/* a task worker the modeler started and has not seen end yet */
typedef struct ModelerRunning
{
	const ModelerTask *task;
	BackgroundWorkerHandle *handle;
} ModelerRunning;

/*
 * modeler_app_running
 *		Whether a task of app_id is among the running ones.
 */
static bool
modeler_app_running(List *running, const char *app_id)
{
	ListCell   *lc;

	foreach(lc, running)
	{
		ModelerRunning *r = (ModelerRunning *) lfirst(lc);

		if (strcmp(r->task->app_id, app_id) == 0)
			return true;
	}
	return false;
}

/*
 * modeler_run_tasks
 *		Run the tasks, up to clickstream.modeler_max_tasks at a time and one
 *		per app, in their order, and return when all have ended.  A worker
 *		that cannot be started ends the starting for this cycle (the tasks
 *		are due again at the next one).  The workers notify us (bgw_notify_pid)
 *		when they end, which sets our latch.
 */
static void
modeler_run_tasks(List *tasks)
{
	List	   *pending = list_copy(tasks);
	List	   *running = NIL;
	bool		can_start = true;

	while (pending != NIL || running != NIL)
	{
		ListCell   *lc;
		pid_t		pid;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		/* forget the workers that ended */
		foreach(lc, running)
		{
			ModelerRunning *r = (ModelerRunning *) lfirst(lc);

			if (GetBackgroundWorkerPid(r->handle, &pid) == BGWH_STOPPED)
			{
				pfree(r->handle);
				running = foreach_delete_current(running, lc);
			}
		}

		/* start what may start: a free slot, no other task of the app */
		if (!can_start)
			pending = NIL;
		foreach(lc, pending)
		{
			const ModelerTask *task = (const ModelerTask *) lfirst(lc);
			ModelerRunning *r;

			if (list_length(running) >= clickstream_modeler_max_tasks)
				break;
			if (modeler_app_running(running, task->app_id))
				continue;
			r = palloc(sizeof(ModelerRunning));
			r->task = task;
			r->handle = modeler_start_task(task);
			pending = foreach_delete_current(pending, lc);
			if (r->handle == NULL)
			{
				pfree(r);
				can_start = false;
				break;
			}
			running = lappend(running, r);
		}

		if (running == NIL)
		{
			if (!can_start || pending == NIL)
				break;
			continue;
		}
		pgstat_report_activity(STATE_RUNNING,
							   psprintf("pg_clickstream: waiting for %d modeling task(s), %d more due",
										list_length(running), list_length(pending)));
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 1000L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * ModelerMain
 *		Entry point of the modeler.  Connects to clickstream.database and,
 *		every clickstream.naptime, runs the due tasks (modeler_run_tasks).
 *		SIGHUP rereads the settings (the interval, the retention hour ...);
 *		SIGTERM ends it.
 */
void
ModelerMain(Datum main_arg)
{
	MemoryContext loop_context;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	BackgroundWorkerInitializeConnection(clickstream_database, NULL, 0);
	pgstat_report_appname(MyBgworkerEntry->bgw_name);
	modeler_session_setup();
	ereport(LOG,
			(errmsg("pg_clickstream modeler started in database \"%s\"", clickstream_database)));

	loop_context = AllocSetContextCreate(TopMemoryContext,
										 "pg_clickstream modeler loop",
										 ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		List	   *tasks;

		MemoryContextSwitchTo(loop_context);
		MemoryContextReset(loop_context);

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		tasks = modeler_due_tasks();
		modeler_run_tasks(tasks);

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 clickstream_naptime_ms,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* argument of modeler_failed_step */
typedef struct ModelerFailure
{
	const ModelerTask *task;
	const char *message;
} ModelerFailure;

/* record the failure through clickstream._model_task_failed(app, task, message) */
static void
modeler_failed_step(void *arg)
{
	ModelerFailure *failure = (ModelerFailure *) arg;
	Oid			argtypes[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];

	values[0] = CStringGetTextDatum(failure->task->app_id);
	values[1] = CStringGetTextDatum(failure->task->task);
	values[2] = CStringGetTextDatum(failure->message);
	if (SPI_execute_with_args("SELECT clickstream._model_task_failed($1, $2, $3)",
							  3, argtypes, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not record the failure of the %s of app \"%s\"",
			 failure->task->task, failure->task->app_id);
}

/*
 * modeler_task_failed
 *		After the task's transaction was rolled back: record the error in the
 *		app's log and model_state, in a transaction of its own.  A failure here
 *		is only reported to the server log.
 */
static void
modeler_task_failed(const ModelerTask *task, const char *message)
{
	ModelerFailure failure;

	failure.task = task;
	failure.message = message;
	(void) WorkerTransaction("pg_clickstream: recording a failed modeling task",
							 modeler_failed_step, &failure);
}

/*
 * ModelerTaskMain
 *		Entry point of a task worker: CALL clickstream.run_model_task(app,
 *		task) in database main_arg.  The procedure commits as it goes, which
 *		needs a non-atomic SPI connection inside a portal, as the top level
 *		of a backend would run a CALL (the portal carries the snapshot
 *		bookkeeping across the procedure's commits; pg_partman's worker does
 *		the same).  On error: report, roll back, record the failure; the
 *		worker then exits (it is never restarted).
 */
void
ModelerTaskMain(Datum main_arg)
{
	ModelerTask task;
	Portal		portal;
	StringInfoData sql;
	MemoryContext task_context;

	memcpy(&task, MyBgworkerEntry->bgw_extra, sizeof(ModelerTask));
	task.app_id[sizeof(task.app_id) - 1] = '\0';
	task.task[sizeof(task.task) - 1] = '\0';

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(DatumGetObjectId(main_arg), InvalidOid, 0);
	pgstat_report_appname(MyBgworkerEntry->bgw_name);
	modeler_session_setup();

	task_context = AllocSetContextCreate(TopMemoryContext,
										 "pg_clickstream modeler task",
										 ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(task_context);
	initStringInfo(&sql);
	appendStringInfo(&sql, "CALL clickstream.run_model_task(%s, %s)",
					 quote_literal_cstr(task.app_id), quote_literal_cstr(task.task));

	/* created outside any transaction, so the procedure's commits keep it */
	portal = CreateNewPortal();
	portal->visible = false;
	portal->resowner = NULL;
	ActivePortal = portal;
	PortalContext = portal->portalContext;

	PG_TRY();
	{
		SPIExecuteOptions options;
		int			ret;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		EnsurePortalSnapshotExists();
		if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		pgstat_report_activity(STATE_RUNNING, sql.data);

		memset(&options, 0, sizeof(options));
		options.allow_nonatomic = true;
		ret = SPI_execute_extended(sql.data, &options);
		if (ret != SPI_OK_UTILITY)
			elog(ERROR, "unexpected SPI result %d for \"%s\"", ret, sql.data);

		SPI_finish();
		if (ActiveSnapshotSet())
			PopActiveSnapshot();
		CommitTransactionCommand();
		pgstat_report_stat(true);
		pgstat_report_activity(STATE_IDLE, NULL);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		HOLD_INTERRUPTS();
		MemoryContextSwitchTo(task_context);
		edata = CopyErrorData();
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
		portal->portalSnapshot = NULL;
		ActivePortal = NULL;
		RESUME_INTERRUPTS();

		modeler_task_failed(&task, edata->message ? edata->message : "unknown error");
		pgstat_report_stat(true);
		proc_exit(1);
	}
	PG_END_TRY();

	/* the portal goes with the process */
	ActivePortal = NULL;
	proc_exit(0);
}
