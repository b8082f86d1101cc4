/*-------------------------------------------------------------------------
 *
 * parquet_pg.c
 *	  The Parquet format of the loader.
 *
 * The reader core (src/parquet/) is being written; until this adapter is
 * connected to it, a Parquet entry is a clean "not supported" error raised
 * before anything is read.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/parquet_pg.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "loader/loader.h"

static void
parquet_load(LoadContext *ctx, LoadFile *file)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("loading Parquet is not supported yet"),
			 errhint("Load CSV or JSON lines for now.")));
}

const FormatRoutine ParquetFormat = {
	.name = "parquet",
	.streaming = false,
	.load = parquet_load
};
