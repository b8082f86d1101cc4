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

/*
 * Keys of a file, resolved to columns once.  Lines of one file usually repeat
 * their keys in the same order, except that a writer may omit a null value's
 * key: a key is first compared with the next few keys of the previous line
 * (one memcmp in the common case), then looked up among the file's distinct
 * keys by exact bytes, and only a key never seen goes to the column lookup.
 */
#define JSONL_CACHED_KEYS	256		/* keys per line remembered */
#define JSONL_LOOKAHEAD		4		/* previous line's keys tried per key */
#define JSONL_INTERN_SLOTS	8192	/* distinct keys: hash slots ... */
#define JSONL_INTERN_MAX	4096	/* ... and at most this many kept */

typedef struct JsonlKey
{
	char	   *name;
	int			len;
	uint32		hash;
	int			att;			/* column, or -1 for an ignored key */
} JsonlKey;

typedef struct JsonlKeys
{
	MemoryContext cxt;			/* outlives the rows */
	JsonlKey  **interned;		/* JSONL_INTERN_SLOTS, open addressing */
	int			ninterned;
	JsonlKey  **prev;			/* keys of the previous line, in order */
	int			nprev;
	JsonlKey  **cur;			/* keys of this line so far */
	int			ncur;
	int			pos;			/* next key of prev expected */
} JsonlKeys;

/* in jsonl.c */
extern JsonlKeys *JsonlKeysCreate(void);
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
