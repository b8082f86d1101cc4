/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  Every configuration setting of pg_clickstream, defined in one place.
 *
 * Ranges and defaults are documented in docs/configuration.md.  Secrets are
 * never settings: they live in user mappings (see objstore/secrets.c).
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/guc.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "miscadmin.h"
#include "utils/guc.h"

#include "pg_clickstream.h"
#include "worker/worker.h"

int			clickstream_http_connect_timeout_ms = 10000;
int			clickstream_http_low_speed_time_s = 30;
int			clickstream_http_low_speed_limit = 1024;
int			clickstream_http_max_retries = 4;
int			clickstream_http_retry_base_delay_ms = 200;
int			clickstream_http_retry_max_delay_ms = 10000;
bool		clickstream_allow_link_local = false;
int			clickstream_read_object_max_kb = 64 * 1024;
int			clickstream_max_concurrent_downloads = 4;
int			clickstream_download_buffer_kb = 4 * 1024;
int			clickstream_parquet_max_page_kb = 256 * 1024;
char	   *clickstream_s3_default_region = NULL;

/* the loader worker (src/worker/, docs/worker.md) */
char	   *clickstream_database = NULL;
int			clickstream_workers = 1;
int			clickstream_naptime_ms = 5000;
int			clickstream_batch_max_files = 50;
int			clickstream_batch_max_kb = 1024 * 1024;
int			clickstream_max_attempts = 5;
int			clickstream_retry_delay_s = 120;
int			clickstream_batch_history_age_s = 7 * 24 * 3600;
bool		clickstream_concurrent_table_batches = false;

/* the modeler worker (src/worker/modeler.c, docs/model-refresh.md) */
bool		clickstream_modeler = true;
int			clickstream_modeler_max_tasks = 1;
int			clickstream_refresh_interval_min = 120;
int			clickstream_refresh_mode = 0;
int			clickstream_data_freshness_s = 24 * 3600;
int			clickstream_refresh_report_days = 1;
int			clickstream_retention_days = 365;
int			clickstream_retention_hour = 17;

static const struct config_enum_entry refresh_mode_options[] = {
	{"all", 0, false},
	{"none", 1, false},
	{"no_report", 2, false},
	{NULL, 0, false}
};

/*
 * GucInit
 *		Define all settings and reserve the "clickstream." prefix, so that a
 *		misspelled setting is reported rather than silently ignored.
 */
void
GucInit(void)
{
	DefineCustomIntVariable("clickstream.http_connect_timeout",
							"Time allowed to establish a connection to an object store.",
							"Range 100 ms to 10 min.",
							&clickstream_http_connect_timeout_ms,
							10000, 100, 600000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.http_low_speed_time",
							"A transfer slower than http_low_speed_limit for this long is aborted and retried.",
							"Range 1 s to 1 h.",
							&clickstream_http_low_speed_time_s,
							30, 1, 3600,
							PGC_USERSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.http_low_speed_limit",
							"Bytes per second below which a transfer counts as stalled.",
							"Range 1 to 1 GB/s.",
							&clickstream_http_low_speed_limit,
							1024, 1, 1024 * 1024 * 1024,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.http_max_retries",
							"Retries of a request after connection errors, timeouts, 5xx and 429 answers.",
							"Range 0 to 20; other 4xx answers are never retried.",
							&clickstream_http_max_retries,
							4, 0, 20,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.http_retry_base_delay",
							"First delay before a retry; it doubles at each attempt, with full jitter.",
							"Range 1 ms to 1 min.",
							&clickstream_http_retry_base_delay_ms,
							200, 1, 60000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.http_retry_max_delay",
							"Upper bound of one retry delay.",
							"Range 1 ms to 10 min.",
							&clickstream_http_retry_max_delay_ms,
							10000, 1, 600000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("clickstream.allow_link_local",
							 "Allow connections to link-local addresses (169.254.0.0/16, fe80::/10).",
							 "Off by default: these addresses host cloud metadata services.",
							 &clickstream_allow_link_local,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.read_object_max_size",
							"Largest object read_object() returns.",
							"Range 1 kB to 1 GB.",
							&clickstream_read_object_max_kb,
							64 * 1024, 1, 1024 * 1024,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.max_concurrent_downloads",
							"Objects of one load downloaded at the same time (the one being parsed plus prefetches).",
							"Range 1 to 64.",
							&clickstream_max_concurrent_downloads,
							4, 1, 64,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.download_buffer_size",
							"Memory buffered ahead for each download in flight.",
							"Range 64 kB to 256 MB; a download pauses when its buffer is full.",
							&clickstream_download_buffer_kb,
							4 * 1024, 64, 256 * 1024,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.parquet_max_page_size",
							"Largest Parquet page (compressed or uncompressed) the reader accepts.",
							"Range 1 kB to 1 GB; protects against decompression bombs.",
							&clickstream_parquet_max_page_kb,
							256 * 1024, 1, 1024 * 1024,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomStringVariable("clickstream.s3_default_region",
							   "Region used for s3:// URLs when neither a secret nor AWS_REGION names one.",
							   NULL,
							   &clickstream_s3_default_region,
							   "us-east-1",
							   PGC_USERSET, 0,
							   NULL, NULL, NULL);

	/*
	 * Postmaster settings can only be created while the library is preloaded
	 * (PostgreSQL makes it a FATAL error later); without preloading there are
	 * no workers, and run_load_cycle() needs neither setting.
	 */
	if (process_shared_preload_libraries_in_progress)
	{
		DefineCustomStringVariable("clickstream.database",
								   "Database in which the loader workers run.",
								   "The extension must be installed there; the workers wait until it is.",
								   &clickstream_database,
								   "postgres",
								   PGC_POSTMASTER, 0,
								   NULL, NULL, NULL);

		DefineCustomIntVariable("clickstream.workers",
								"Number of background workers loading queued files in parallel.",
								"Range 0 to 32; 0 starts none (run clickstream.run_load_cycle() instead).",
								&clickstream_workers,
								1, 0, 32,
								PGC_POSTMASTER, 0,
								NULL, NULL, NULL);

		DefineCustomBoolVariable("clickstream.modeler",
								 "Start the modeler worker, which refreshes reports, scans metadata and expires old data.",
								 "Off: run CALL clickstream.run_model_cycle() from cron instead.",
								 &clickstream_modeler,
								 true,
								 PGC_POSTMASTER, 0,
								 NULL, NULL, NULL);
	}

	DefineCustomIntVariable("clickstream.naptime",
							"How long an idle loader worker sleeps before looking for due work.",
							"Range 100 ms to 1 h; enqueue() wakes the workers at once.",
							&clickstream_naptime_ms,
							5000, 100, 3600000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.batch_max_files",
							"Most files loaded and merged as one batch.",
							"Range 1 to 10000.",
							&clickstream_batch_max_files,
							50, 1, 10000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.batch_max_bytes",
							"Most bytes of files loaded as one batch (a larger single file still loads alone).",
							"Range 1 kB to 2 TB.",
							&clickstream_batch_max_kb,
							1024 * 1024, 1, INT_MAX,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.max_attempts",
							"Failed loads of a file before it is marked FAILED.",
							"Range 1 to 100.",
							&clickstream_max_attempts,
							5, 1, 100,
							PGC_SUSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.retry_delay",
							"Wait before the first retry of a failed file; it doubles at each further failure.",
							"Range 0 to 1 day.",
							&clickstream_retry_delay_s,
							120, 0, 24 * 3600,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("clickstream.concurrent_table_batches",
							 "Let several workers load batches of one event_v2 or item_v2 table at once.",
							 "Off: a table's batches load one at a time, in queue order, so the newest "
							 "file wins a duplicate key (spec 3).  On: they may overlap, and the batch "
							 "that commits last wins.",
							 &clickstream_concurrent_table_batches,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.batch_history_age",
							"Age after which rows of clickstream.load_batches are deleted.",
							"Range 1 min to about 68 years.",
							&clickstream_batch_history_age_s,
							7 * 24 * 3600, 60, INT_MAX,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.modeler_max_tasks",
							"Modeling tasks of different apps the modeler runs at the same time.",
							"Range 1 to 64; each task is a background worker (max_worker_processes).",
							&clickstream_modeler_max_tasks,
							1, 1, 64,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.refresh_interval",
							"Least time between two automatic refreshes of an app's reports.",
							"Range 6 min to 1440 min (spec 7.1).",
							&clickstream_refresh_interval_min,
							120, 6, 1440,
							PGC_SIGHUP, GUC_UNIT_MIN,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("clickstream.refresh_mode",
							 "What a refresh computes: all, none (nothing), no_report (no daily summaries).",
							 "An app's own mode (clickstream.set_model_settings) takes precedence.",
							 &clickstream_refresh_mode,
							 0, refresh_mode_options,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.data_freshness",
							"Look-back of the incremental refresh of clickstream_event_base_view.",
							"Range 1 h to 365 days; rounded up to whole hours.",
							&clickstream_data_freshness_s,
							24 * 3600, 3600, 365 * 24 * 3600,
							PGC_USERSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.refresh_report_days",
							"Days recomputed by each daily summary procedure in a refresh.",
							"Range 1 to 366.",
							&clickstream_refresh_report_days,
							1, 1, 366,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.retention_days",
							"Days of data kept by the daily retention, unless the app sets its own.",
							"Range 1 to 36500; counted back from the newest row of each table.",
							&clickstream_retention_days,
							365, 1, 36500,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("clickstream.retention_hour",
							"Hour of the day (UTC) from which the daily retention runs.",
							"Range 0 to 23.",
							&clickstream_retention_hour,
							17, 0, 23,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("clickstream");
}
