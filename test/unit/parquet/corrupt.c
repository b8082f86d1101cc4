/*-------------------------------------------------------------------------
 *
 * corrupt.c
 *	  Truncated and corrupted file tests for the Parquet reader core.
 *
 *	  corrupt [--flips N] [--seed S] FILE...     mutate valid files
 *	  corrupt --regress FILE...                  decode inputs that once
 *	                                             crashed (must not crash)
 *
 * For each valid FILE: the file must decode cleanly; then it is truncated
 * at many offsets, every byte of its footer (sampled for big footers) is
 * flipped, N random bytes across the file are flipped and N random byte
 * ranges in the column data are overwritten.  Each mutant is decoded
 * whole.  The reader may return any error but must not crash, leak or
 * touch memory it does not own; run under AddressSanitizer and UBSan,
 * which abort on the first fault.  Prints counts per file.  With
 * PQ_SAVE_MUTANT=path set, each mutant is written there before it is
 * decoded, so the input of a crash can be kept as a regression file.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  test/unit/parquet/corrupt.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk.h"

#define MAX_PAGE (64u * 1024 * 1024)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static const char *save_path;	/* $PQ_SAVE_MUTANT: write each mutant here */

/* xorshift64*: deterministic for a given --seed */
static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Decodes a mutant copy (exactly len bytes, so ASan sees overreads). */
static int
try_decode(const uint8_t *data, size_t len, int64_t batch)
{
	uint8_t    *copy = malloc(len ? len : 1);
	PqError		err;
	uint64_t	sum = 0;
	PqCode		rc;

	memcpy(copy, data, len);
	if (save_path != NULL)
	{
		/* keep the input so a crash can become a regression file */
		FILE	   *f = fopen(save_path, "wb");

		if (f != NULL)
		{
			fwrite(data, 1, len, f);
			fclose(f);
		}
	}
	rc = PqTestDecodeAll(copy, len, batch, MAX_PAGE, &sum, &err);
	free(copy);
	return rc == PQ_OK ? 0 : 1;
}

static int
mutate_file(const char *path, int flips)
{
	size_t		len;
	uint8_t    *data = PqTestReadFile(path, &len);
	uint8_t    *m = malloc(len + 1);
	PqError		err;
	uint64_t	sum = 0;
	size_t		off;
	size_t		step;
	uint32_t	footer_len;
	size_t		footer_start;
	int			n = 0,
				errors = 0;
	int			i;

	if (PqTestDecodeAll(data, len, 1000, MAX_PAGE, &sum, &err) != PQ_OK)
	{
		fprintf(stderr, "FAIL %s: valid file does not decode: %s\n", path, err.message);
		return 1;
	}
	/* truncation at ~300 offsets plus the whole tail region */
	step = len / 300 + 1;
	for (off = 0; off < len; off += step, n++)
		errors += try_decode(data, off, 1000);
	for (off = len > 64 ? len - 64 : 0; off < len; off++, n++)
		errors += try_decode(data, off, 1000);

	/* flip each footer byte (at most ~1500 of them) */
	if (PqFooterPeek(data + len - 8, 8, len, &footer_len, &err) == PQ_OK)
	{
		footer_start = len - 8 - footer_len;
		step = footer_len / 1500 + 1;
		for (off = footer_start; off < len; off += step, n++)
		{
			memcpy(m, data, len);
			m[off] ^= (uint8_t) (1u << (rng() % 8)) | (uint8_t) (rng() & 0x80);
			errors += try_decode(m, len, 1 + (int64_t) (rng() % 64));
		}
	}
	else
		footer_start = len;

	/* random flips anywhere, and random overwritten ranges in column data */
	for (i = 0; i < flips; i++, n++)
	{
		int			k;

		memcpy(m, data, len);
		for (k = 0; k < 1 + (int) (rng() % 4); k++)
			m[rng() % len] ^= (uint8_t) (1 + rng() % 255);
		errors += try_decode(m, len, 1 + (int64_t) (rng() % 500));
	}
	for (i = 0; i < flips && footer_start > 4; i++, n++)
	{
		size_t		pos = 4 + rng() % (footer_start - 4);
		size_t		rl = 1 + rng() % 32;
		size_t		k;

		memcpy(m, data, len);
		for (k = 0; k < rl && pos + k < footer_start; k++)
			m[pos + k] = (i & 1) ? 0 : (uint8_t) rng();
		errors += try_decode(m, len, 1 + (int64_t) (rng() % 500));
	}
	printf("ok %s: %d mutants, %d rejected, none crashed\n", path, n, errors);
	free(m);
	free(data);
	return 0;
}

int
main(int argc, char **argv)
{
	int			flips = 500;
	int			regress = 0;
	int			failed = 0;
	int			i;

	save_path = getenv("PQ_SAVE_MUTANT");
	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--flips") == 0 && i + 1 < argc)
			flips = atoi(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			rng_state ^= strtoull(argv[++i], NULL, 10) * 0x9e3779b97f4a7c15ull;
		else if (strcmp(argv[i], "--regress") == 0)
			regress = 1;
		else if (regress)
		{
			size_t		len;
			uint8_t    *data = PqTestReadFile(argv[i], &len);
			PqError		err;
			uint64_t	sum = 0;
			PqCode		rc;

			rc = PqTestDecodeAll(data, len, 7, MAX_PAGE, &sum, &err);
			printf("ok %s: %s%s%s\n", argv[i], PqCodeName(rc),
				   rc != PQ_OK ? ": " : "", rc != PQ_OK ? err.message : "");
			free(data);
		}
		else
			failed |= mutate_file(argv[i], flips);
	}
	return failed;
}
