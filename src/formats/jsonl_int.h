/*-------------------------------------------------------------------------
 *
 * jsonl_int.h
 *	  Shared by the JSON-lines reader (jsonl.c) and its top-level scanner
 *	  (jsonl_scan.c).
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/formats/jsonl_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef JSONL_INT_H
#define JSONL_INT_H

#include "common/jsonapi.h"

#include "loader/loader.h"

/* Keys seen on the previous line, by position: most lines repeat them. */
#define JSONL_CACHED_KEYS	256

typedef struct JsonlKey
{
	char	   *name;			/* NULL when the slot is unused */
	int			len;
	int			att;			/* column, or -1 for an ignored key */
} JsonlKey;

typedef struct JsonlKeys
{
	MemoryContext cxt;			/* outlives the rows */
	JsonlKey	keys[JSONL_CACHED_KEYS];
} JsonlKeys;

/* in jsonl.c */
extern int	JsonlLookupKey(LoadContext *ctx, JsonlKeys *keys, int k,
						   const char *key, int len);
extern void JsonlStoreScalar(LoadContext *ctx, int att, char *token,
							 JsonTokenType type);
extern void JsonlStoreNested(LoadContext *ctx, int att, const char *text,
							 int len);
extern void JsonlNotAnObject(void) pg_attribute_noreturn();

/* in jsonl_scan.c */
extern void JsonlScanLine(LoadContext *ctx, JsonlKeys *keys, char *line,
						  int len);

#endif							/* JSONL_INT_H */
