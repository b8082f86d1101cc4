/*-------------------------------------------------------------------------
 *
 * jsonout.h
 *	  JSON rendering of Parquet values for pqdump and tests (jsonout.c).
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  test/unit/parquet/jsonout.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PQ_TEST_JSONOUT_H
#define PQ_TEST_JSONOUT_H

#include "parquet.h"

/* A growable output buffer; rows are built here, then written at once. */
typedef struct Out
{
	char	   *buf;
	size_t		len;
	size_t		cap;
	bool		need_comma;		/* inside an object/array after a member */
	int			depth;
} Out;

/* in jsonout.c */
extern const PqVisitor PqJsonVisitorTemplate;
extern void out_mem(Out *o, const char *s, size_t n);
extern void out_json_string(Out *o, const uint8_t *s, size_t n);
extern void out_value(Out *o, const PqSchemaNode *leaf, const PqValue *v);
extern PqCode PqJsonRow(Out *o, const PqSchemaNode *root, PqRecordCursor *cursors,
						PqError *err);

#endif							/* PQ_TEST_JSONOUT_H */
