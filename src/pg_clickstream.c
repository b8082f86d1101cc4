/*-------------------------------------------------------------------------
 *
 * pg_clickstream.c
 *	  Module entry point: _PG_init only initialises each module.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/pg_clickstream.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "pg_clickstream.h"
#include "objstore/objstore.h"
#include "worker/worker.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	GucInit();
	WorkerInit();
	ObjstoreInit();
}
