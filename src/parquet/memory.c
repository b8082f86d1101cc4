/*-------------------------------------------------------------------------
 *
 * memory.c
 *	  Allocator hook, metadata arena and error reporting for the Parquet
 *	  reader core.
 *
 * Every allocation of the core goes through a PqAllocator.  Footer
 * metadata lives in an arena (a list of blocks) owned by the PqFile, so
 * freeing a file is one walk of that list.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/memory.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "pq_internal.h"

#define PQ_ARENA_BLOCK_SIZE ((size_t) 64 * 1024)

struct PqArenaBlock
{
	PqArenaBlock *next;
	size_t		size;
	size_t		used;
	/* payload follows, aligned to max_align_t by the allocation below */
};

static void *
default_malloc(void *ctx, size_t size)
{
	return malloc(size);
}

static void *
default_realloc(void *ctx, void *ptr, size_t size)
{
	return realloc(ptr, size);
}

static void
default_free(void *ctx, void *ptr)
{
	free(ptr);
}

static const PqAllocator default_allocator = {
	default_malloc, default_realloc, default_free, NULL
};

/* The C library allocator, used when callers pass a NULL allocator. */
const PqAllocator *
PqDefaultAllocator(void)
{
	return &default_allocator;
}

/* Sets defaults: 256 MB page limit, like the GUC's default. */
void
PqReaderOptionsInit(PqReaderOptions *opts)
{
	opts->max_page_size = PQ_DEFAULT_MAX_PAGE_SIZE;
	opts->release_chunks = false;
}

/* Short name of an error code, for messages and tests. */
const char *
PqCodeName(PqCode code)
{
	switch (code)
	{
		case PQ_OK:
			return "ok";
		case PQ_ERR_CORRUPT:
			return "corrupt";
		case PQ_ERR_UNSUPPORTED:
			return "unsupported";
		case PQ_ERR_NOMEM:
			return "out of memory";
		case PQ_ERR_LIMIT:
			return "limit exceeded";
		case PQ_ERR_INVALID:
			return "invalid argument";
		case PQ_ERR_CALLBACK:
			return "stopped by callback";
	}
	return "unknown";
}

/*
 * Fills err (which may be NULL) and returns code, so callers can write
 * "return PqSetError(err, PQ_ERR_CORRUPT, ...)".  The first error wins:
 * an error already recorded is not overwritten, so the innermost, most
 * precise message survives.
 */
PqCode
PqSetError(PqError *err, PqCode code, const char *fmt,...)
{
	va_list		ap;

	if (err == NULL || err->code != PQ_OK)
		return err ? err->code : code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void *
PqAlloc(const PqAllocator *a, size_t size)
{
	return a->malloc_fn(a->ctx, size ? size : 1);
}

/* realloc through the hook; a NULL ptr becomes a plain allocation. */
void *
PqRealloc(const PqAllocator *a, void *ptr, size_t size)
{
	if (ptr == NULL)
		return PqAlloc(a, size);
	return a->realloc_fn(a->ctx, ptr, size ? size : 1);
}

void
PqFree(const PqAllocator *a, void *ptr)
{
	if (ptr != NULL)
		a->free_fn(a->ctx, ptr);
}

/*
 * Ensures *buf holds at least need elements of elem_size bytes, growing
 * geometrically.  Contents are preserved.  Overflow of the byte count is
 * reported as PQ_ERR_LIMIT.
 */
PqCode
PqGrow(const PqAllocator *a, void **buf, size_t *cap, size_t need,
	   size_t elem_size, PqError *err)
{
	size_t		newcap;
	void	   *p;

	if (need <= *cap && *buf != NULL)
		return PQ_OK;
	newcap = *cap < 64 ? 64 : *cap;
	while (newcap < need)
	{
		if (newcap > SIZE_MAX / 2)
			return PqSetError(err, PQ_ERR_LIMIT, "buffer size overflow");
		newcap *= 2;
	}
	if (elem_size != 0 && newcap > SIZE_MAX / elem_size)
		return PqSetError(err, PQ_ERR_LIMIT, "buffer size overflow");
	p = PqRealloc(a, *buf, newcap * elem_size);
	if (p == NULL)
		return PqSetError(err, PQ_ERR_NOMEM, "out of memory allocating %zu bytes",
						  newcap * elem_size);
	*buf = p;
	*cap = newcap;
	return PQ_OK;
}

/*
 * Allocates size bytes (8-byte aligned, zeroed) from the file's arena.
 * Returns NULL on allocator failure.
 */
void *
PqArenaAlloc(PqFile *file, size_t size)
{
	PqArenaBlock *b = file->arena;
	size_t		hdr = (sizeof(PqArenaBlock) + 15) & ~(size_t) 15;
	uint8_t    *p;

	size = (size + 7) & ~(size_t) 7;
	if (b == NULL || b->size - b->used < size)
	{
		size_t		bsize = size > PQ_ARENA_BLOCK_SIZE ? size : PQ_ARENA_BLOCK_SIZE;

		if (bsize > SIZE_MAX - hdr)
			return NULL;
		b = PqAlloc(&file->allocator, hdr + bsize);
		if (b == NULL)
			return NULL;
		b->size = bsize;
		b->used = 0;
		/* keep the partially used head block in front when this one is big */
		if (file->arena != NULL && size > PQ_ARENA_BLOCK_SIZE / 2)
		{
			b->next = file->arena->next;
			file->arena->next = b;
		}
		else
		{
			b->next = file->arena;
			file->arena = b;
		}
	}
	p = (uint8_t *) b + hdr + b->used;
	b->used += size;
	memset(p, 0, size);
	return p;
}

/* Copies len bytes into the arena as a NUL-terminated string. */
char *
PqArenaStrdup(PqFile *file, const uint8_t *s, size_t len)
{
	char	   *p = PqArenaAlloc(file, len + 1);

	if (p == NULL)
		return NULL;
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Frees every arena block of the file. */
void
PqArenaFree(PqFile *file)
{
	PqArenaBlock *b = file->arena;

	while (b != NULL)
	{
		PqArenaBlock *next = b->next;

		PqFree(&file->allocator, b);
		b = next;
	}
	file->arena = NULL;
}
