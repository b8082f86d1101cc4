/*-------------------------------------------------------------------------
 *
 * parquet_pg.h
 *	  The PostgreSQL side of the Parquet reader, shared by the loader
 *	  (parquet_pg.c) and the SQL helpers (parquet_sql.c).
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/parquet_pg.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PARQUET_PG_H
#define PARQUET_PG_H

#include "utils/jsonb.h"

#include "parquet/parquet.h"

/* in parquet_pg.c */
extern void PqAdapterAllocator(PqAllocator *alloc);
extern void PqErrorReport(const PqError *err, const char *url, int row_group,
						  const char *column) pg_attribute_noreturn();
extern void PqOpenFooter(PqFile *file, const char *url, int64 size,
						 const char *whole);
extern void PqValueToJsonb(const PqSchemaNode *leaf, const PqValue *v,
						   JsonbValue *jv);

#endif							/* PARQUET_PG_H */
