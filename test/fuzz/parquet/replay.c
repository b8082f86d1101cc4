/*-------------------------------------------------------------------------
 *
 * replay.c
 *	  Runs the fuzz target on files without libFuzzer, so regression inputs
 *	  replay in the ordinary sanitizer build of the unit tests.
 *
 *	  fuzz_replay FILE...
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  test/fuzz/parquet/replay.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>

#include "walk.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int			i;

	for (i = 1; i < argc; i++)
	{
		size_t		len;
		uint8_t    *data = PqTestReadFile(argv[i], &len);

		LLVMFuzzerTestOneInput(data, len);
		free(data);
		printf("ok   replayed %s\n", argv[i]);
	}
	return 0;
}
