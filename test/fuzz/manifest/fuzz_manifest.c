/*-------------------------------------------------------------------------
 *
 * fuzz_manifest.c
 *	  libFuzzer target for the manifest parser core.
 *
 * Feeds arbitrary bytes to MfParse and checks what it promises: either a
 * manifest whose URLs are unique, allowed and non-empty and whose lengths
 * are -1 or more, or an error with a known kind and a NUL-terminated text
 * that MfErrorFormat can print.  AddressSanitizer catches leaks and
 * overruns.  Build and run with run.sh.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  test/fuzz/manifest/fuzz_manifest.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest_parse.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MfError		err;
	MfManifest *m;
	char		line[MF_ERROR_URL_LEN + MF_ERROR_TEXT_LEN + 128];
	int			i;
	int			j;

	m = MfParse((const char *) data, size, &err);
	if (m == NULL)
	{
		if (err.kind <= MF_OK || err.kind > MF_ERR_NOMEM ||
			memchr(err.text, '\0', sizeof(err.text)) == NULL ||
			memchr(err.url, '\0', sizeof(err.url)) == NULL)
			abort();
		MfErrorFormat(&err, line, sizeof(line));
		return 0;
	}

	if (err.kind != MF_OK || m->nentries < 0)
		abort();
	for (i = 0; i < m->nentries; i++)
	{
		const char *scheme = MfUrlSchemeAllowed(m->entries[i].url);

		if (scheme == NULL || strlen(m->entries[i].url) <= strlen(scheme) ||
			m->entries[i].content_length < -1)
			abort();
		/* quadratic, but fuzz inputs hold few entries */
		for (j = 0; j < i && m->nentries < 2000; j++)
			if (strcmp(m->entries[i].url, m->entries[j].url) == 0)
				abort();
	}
	MfFree(m);
	return 0;
}
