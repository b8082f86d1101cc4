/*-------------------------------------------------------------------------
 *
 * pg_clickstream.h
 *	  Settings and module entry points shared across pg_clickstream.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/pg_clickstream.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_CLICKSTREAM_H
#define PG_CLICKSTREAM_H

/* in guc.c: every setting of the extension (see docs/configuration.md) */
extern int	clickstream_http_connect_timeout_ms;
extern int	clickstream_http_low_speed_time_s;
extern int	clickstream_http_low_speed_limit;
extern int	clickstream_http_max_retries;
extern int	clickstream_http_retry_base_delay_ms;
extern int	clickstream_http_retry_max_delay_ms;
extern bool clickstream_allow_link_local;
extern int	clickstream_read_object_max_kb;
extern int	clickstream_max_concurrent_downloads;
extern int	clickstream_download_buffer_kb;
extern int	clickstream_parquet_max_page_kb;
extern char *clickstream_s3_default_region;
extern char *clickstream_database;
extern int	clickstream_workers;
extern int	clickstream_naptime_ms;
extern int	clickstream_batch_max_files;
extern int	clickstream_batch_max_kb;
extern int	clickstream_max_attempts;
extern bool clickstream_concurrent_table_batches;
extern int	clickstream_retry_delay_s;
extern int	clickstream_batch_history_age_s;

extern void GucInit(void);

#endif							/* PG_CLICKSTREAM_H */
