/*-------------------------------------------------------------------------
 *
 * walk.h
 *	  Whole-file decoding helper for tests and the fuzzer (see walk.c).
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  test/unit/parquet/walk.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PQ_TEST_WALK_H
#define PQ_TEST_WALK_H

#include "parquet.h"

/* in walk.c */
extern PqCode PqTestDecodeAll(const uint8_t *data, size_t len, int64_t batch_rows,
							  size_t max_page_size, uint64_t *checksum,
							  PqError *err);
extern uint8_t *PqTestReadFile(const char *path, size_t *len);

#endif							/* PQ_TEST_WALK_H */
