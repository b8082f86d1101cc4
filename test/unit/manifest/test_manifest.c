/*-------------------------------------------------------------------------
 *
 * test_manifest.c
 *	  Unit tests of the manifest parser core (no PostgreSQL needed).
 *
 * Runs every golden case under test/data/manifest, in jansson's test-suite
 * layout:
 *
 *	valid/<case>/input		a manifest that must parse
 *	valid/<case>/output		"<n> entries" then "url<TAB>mandatory<TAB>length"
 *	invalid/<case>/input	a manifest that must be refused
 *	invalid/<case>/error	"<line> <column> <position>" then the message
 *
 * then a few cases too big or too binary for a golden file.  With
 * --regen it rewrites the expected files from the current output instead
 * (review the diff before committing).  Exit status 0 when all pass.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  test/unit/manifest/test_manifest.c
 *
 *-------------------------------------------------------------------------
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest_parse.h"

static int	failures = 0;
static int	passes = 0;
static int	regen = 0;

/* Read a whole file into a malloc'd buffer; *len gets its size. */
static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t) n)
	{
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	*len = (size_t) n;
	return buf;
}

/* Render a parse result as the golden files hold it; malloc'd. */
static char *
render(const char *text, size_t len, int *ok)
{
	MfError		err;
	MfManifest *m = MfParse(text, len, &err);
	char	   *out;
	size_t		cap = 64;
	size_t		used = 0;
	int			i;

	*ok = (m != NULL);
	if (m == NULL)
	{
		out = malloc(MF_ERROR_URL_LEN + MF_ERROR_TEXT_LEN + 128);
		MfErrorFormat(&err, out, MF_ERROR_URL_LEN + MF_ERROR_TEXT_LEN + 128);
		return out;
	}
	for (i = 0; i < m->nentries; i++)
		cap += strlen(m->entries[i].url) + 40;
	out = malloc(cap);
	used += snprintf(out + used, cap - used, "%d entries\n", m->nentries);
	for (i = 0; i < m->nentries; i++)
		used += snprintf(out + used, cap - used, "%s\t%s\t%lld\n",
						 m->entries[i].url,
						 m->entries[i].mandatory ? "true" : "false",
						 (long long) m->entries[i].content_length);
	MfFree(m);
	return out;
}

/* Run one golden case directory; valid says which outcome is expected. */
static void
run_case(const char *dir, const char *name, int valid)
{
	char		path[4096];
	char		expath[4096];
	char	   *input;
	char	   *expected;
	char	   *got;
	size_t		len;
	size_t		exlen;
	int			ok;

	snprintf(path, sizeof(path), "%s/%s/input", dir, name);
	snprintf(expath, sizeof(expath), "%s/%s/%s", dir, name,
			 valid ? "output" : "error");
	input = read_file(path, &len);
	if (input == NULL)
	{
		printf("FAIL %s: cannot read %s\n", name, path);
		failures++;
		return;
	}
	got = render(input, len, &ok);

	if (regen)
	{
		FILE	   *f = fopen(expath, "w");

		fputs(got, f);
		fclose(f);
	}
	expected = read_file(expath, &exlen);
	if (ok != valid)
	{
		printf("FAIL %s/%s: expected %s, got:\n%s", dir, name,
			   valid ? "success" : "an error", got);
		failures++;
	}
	else if (expected == NULL || strcmp(expected, got) != 0)
	{
		printf("FAIL %s/%s:\n--- expected\n%s--- got\n%s", dir, name,
			   expected ? expected : "(missing)\n", got);
		failures++;
	}
	else
		passes++;
	free(input);
	free(expected);
	free(got);
}

/* Run every case under dir, sorted by name so output is stable. */
static void
run_dir(const char *dir, int valid)
{
	struct dirent **names;
	int			n = scandir(dir, &names, NULL, alphasort);
	int			i;

	if (n < 0)
	{
		printf("FAIL cannot open %s\n", dir);
		failures++;
		return;
	}
	for (i = 0; i < n; i++)
	{
		if (names[i]->d_name[0] != '.')
			run_case(dir, names[i]->d_name, valid);
		free(names[i]);
	}
	free(names);
}

#define CHECK(cond, what) \
	do { \
		if (cond) \
			passes++; \
		else \
		{ \
			printf("FAIL %s (%s:%d)\n", what, __FILE__, __LINE__); \
			failures++; \
		} \
	} while (0)

/* Cases that do not fit in a golden pair. */
static void
run_programmatic(void)
{
	MfError		err;
	MfManifest *m;
	char	   *big;
	size_t		len;
	size_t		i;
	int			n;
	char	   *p;

	/* over the limit: refused before jansson sees it */
	len = MF_MAX_BYTES + 1;
	big = malloc(len);
	memset(big, ' ', len);
	m = MfParse(big, len, &err);
	CHECK(m == NULL && err.kind == MF_ERR_TOO_LARGE, "over 64 MB refused");
	free(big);

	/* a NUL byte inside a string: jansson refuses it by default */
	m = MfParse("{\"entries\":[{\"url\":\"s3://a\\u0000b\"}]}", 35, &err);
	CHECK(m == NULL && err.kind == MF_ERR_JSON, "NUL in URL refused");

	/* input not NUL-terminated: only len bytes are read */
	m = MfParse("{\"entries\":[]}garbage", 14, &err);
	CHECK(m != NULL && m->nentries == 0, "length-bounded input");
	MfFree(m);

	/* a long URL is cut in the error, at a UTF-8 boundary */
	len = 4096;
	big = malloc(len + 64);
	p = big + sprintf(big, "{\"entries\":[{\"url\":\"ftp://");
	for (i = 0; i < 1000; i++)
		p += sprintf(p, "\xc3\xa9");	/* é, two bytes */
	p += sprintf(p, "\"}]}");
	m = MfParse(big, p - big, &err);
	CHECK(m == NULL && err.kind == MF_ERR_SCHEME &&
		  strlen(err.url) < MF_ERROR_URL_LEN &&
		  strcmp(err.url + strlen(err.url) - 3, "...") == 0 &&
		  ((unsigned char) err.url[strlen(err.url) - 4] & 0xC0) != 0xC0,
		  "long URL cut at a character boundary");
	free(big);

	/*
	 * Many entries with one late duplicate: the sort-based check must find
	 * the earliest repeat and its first occurrence.
	 */
	n = 200000;
	big = malloc((size_t) n * 40 + 64);
	p = big + sprintf(big, "{\"entries\":[");
	for (i = 0; i < (size_t) n; i++)
		p += sprintf(p, "%s{\"url\":\"s3://b/%zu\"}", i ? "," : "",
					 i == (size_t) n - 1 ? (size_t) 7 : i);
	p += sprintf(p, "]}");
	m = MfParse(big, p - big, &err);
	CHECK(m == NULL && err.kind == MF_ERR_DUPLICATE_URL &&
		  err.entry == n - 1 && err.other_entry == 7,
		  "duplicate found among 200000 entries");
	free(big);
}

int
main(int argc, char **argv)
{
	const char *data = "../../data/manifest";
	char		dir[4096];
	int			i;

	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--regen") == 0)
			regen = 1;
		else
			data = argv[i];
	}

	snprintf(dir, sizeof(dir), "%s/valid", data);
	run_dir(dir, 1);
	snprintf(dir, sizeof(dir), "%s/invalid", data);
	run_dir(dir, 0);
	run_programmatic();

	printf("manifest: %d passed, %d failed\n", passes, failures);
	return failures ? 1 : 0;
}
