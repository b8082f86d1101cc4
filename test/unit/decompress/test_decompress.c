/*-------------------------------------------------------------------------
 *
 * test_decompress.c
 *	  Unit tests of the gzip/zstd stream core (no PostgreSQL needed).
 *
 * The Makefile writes fixtures with the gzip and zstd command-line tools
 * into build/: plain.txt, multi.gz and multi.zst (two members or frames
 * made by concatenating two compressed halves), single.gz, single.zst,
 * empty-member.gz.  Each compressed file is decoded with many source chunk
 * and output buffer sizes and must give plain.txt back; truncated and
 * corrupted copies must fail with the right status and offset.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  test/unit/decompress/test_decompress.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/decompress_core.h"
#include "formats/decompress_pipe.h"

static int	failures = 0;
static int	passes = 0;

/* Decode through a DcPipe (decoder thread) instead of DcRead directly. */
static int	use_pipe = 0;
static int	pipe_waits = 0;

static void
count_wait(void)
{
	pipe_waits++;
}

#define CHECK(cond, ...) \
	do { \
		if (cond) \
			passes++; \
		else \
		{ \
			printf("FAIL (%s:%d): ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); \
			printf("\n"); \
			failures++; \
		} \
	} while (0)

/* A byte view served to the stream in chunks of at most chunk bytes. */
typedef struct MemSource
{
	const char *data;
	size_t		len;
	size_t		pos;
	size_t		chunk;
	unsigned	seed;			/* nonzero: random chunk sizes 1..chunk */
	int			calls_after_eof;
} MemSource;

static size_t
mem_source(void *arg, char *buf, size_t len)
{
	MemSource  *m = (MemSource *) arg;
	size_t		n = m->len - m->pos;

	if (n == 0)
	{
		m->calls_after_eof++;
		return 0;
	}
	if (n > len)
		n = len;
	if (m->seed != 0)
	{
		size_t		c;

		m->seed = m->seed * 1103515245 + 12345;
		c = 1 + (m->seed >> 8) % m->chunk;
		if (n > c)
			n = c;
	}
	else if (n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return n;
}

static char *
read_file(const char *dir, const char *name, size_t *len)
{
	char		path[4096];
	FILE	   *f;
	char	   *buf;
	long		n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
	{
		printf("cannot open %s (run `make check`, which writes it)\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? n : 1);
	if (fread(buf, 1, n, f) != (size_t) n)
		exit(2);
	fclose(f);
	*len = (size_t) n;
	return buf;
}

/*
 * Decode data[0..len) named name with the given buffer sizes.  Returns
 * the malloc'd output (length in *outlen) and the final stream in *out_s
 * (already DcEnd'ed).
 */
static char *
decode(const char *data, size_t len, const char *name, size_t incap,
	   size_t chunk, unsigned seed, size_t outbuf, size_t *outlen,
	   DcStream *out_s)
{
	MemSource	src = {data, len, 0, chunk, seed, 0};
	char	   *inbuf = malloc(incap);
	size_t		cap = 1 << 20;
	char	   *out = malloc(cap);
	size_t		used = 0;
	char	   *tmp = malloc(outbuf);
	DcStream	s;

	DcPipe	   *pipe = NULL;

	DcInit(&s, mem_source, &src, inbuf, incap);
	if (DcStart(&s, DcCodecFromName(name)) == DC_OK)
	{
		if (use_pipe && s.codec != DECOMPRESS_NONE)
		{
			pipe = DcPipeStart(&s);
			CHECK(pipe != NULL, "%s: no decoder thread", name);
		}
		for (;;)
		{
			size_t		n = pipe ? DcPipeRead(pipe, tmp, outbuf, count_wait)
				: DcRead(&s, tmp, outbuf);

			if (n == 0)
				break;
			if (used + n > cap)
			{
				cap = (used + n) * 2;
				out = realloc(out, cap);
			}
			memcpy(out + used, tmp, n);
			used += n;
		}
	}
	if (pipe)
	{
		CHECK(DcPipeConsumed(pipe) == (int64_t) len || s.status != DC_OK,
			  "%s: pipe consumed %lld of %zu bytes", name,
			  (long long) DcPipeConsumed(pipe), len);
		DcPipeStop(pipe);
		CHECK(s.src == mem_source, "%s: source restored after the pipe", name);
	}
	CHECK(src.calls_after_eof <= 1, "%s: source called %d times after EOF",
		  name, src.calls_after_eof);
	DcEnd(&s);
	DcEnd(&s);					/* idempotent */
	free(tmp);
	free(inbuf);
	*outlen = used;
	*out_s = s;
	return out;
}

/* Every good file, every buffer shape, must round-trip to plain. */
static void
test_round_trips(const char *dir)
{
	static const struct
	{
		const char *file;
		const char *name;		/* what the URL is called */
		DecompressCodec codec;
	}			cases[] = {
		{"multi.gz", "s3://b/multi.csv.gz", DECOMPRESS_GZIP},
		{"multi.zst", "s3://b/multi.csv.zst", DECOMPRESS_ZSTD},
		{"single.gz", "s3://b/single.CSV.GZIP", DECOMPRESS_GZIP},
		{"single.zst", "s3://b/single.csv.ZSTD", DECOMPRESS_ZSTD},
		/* no suffix: magic bytes decide */
		{"multi.gz", "s3://b/noext", DECOMPRESS_GZIP},
		{"multi.zst", "file:///tmp/noext.csv", DECOMPRESS_ZSTD},
		{"plain.txt", "s3://b/plain.csv", DECOMPRESS_NONE},
	};
	static const struct
	{
		size_t		incap;
		size_t		chunk;
		unsigned	seed;
		size_t		outbuf;
	}			shapes[] = {
		{256 * 1024, 256 * 1024, 0, 1 << 20},	/* the production shape */
		{256 * 1024, 256 * 1024, 0, 65536},
		{256 * 1024, 1, 0, 65536},	/* one byte per source call */
		{256 * 1024, 4093, 7, 13},	/* random chunks, odd output */
		{16, 16, 0, 1},			/* tiny everything */
		{4096, 100000, 3, 7919},
	};
	size_t		plainlen;
	char	   *plain = read_file(dir, "plain.txt", &plainlen);
	size_t		c;
	size_t		k;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
	{
		size_t		len;
		char	   *data = read_file(dir, cases[c].file, &len);

		for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++)
		{
			size_t		outlen;
			DcStream	s;
			char	   *out;

			/* one-byte output over megabytes is slow under ASan: once */
			if (shapes[k].outbuf == 1 && c > 1)
				continue;
			out = decode(data, len, cases[c].name, shapes[k].incap,
						 shapes[k].chunk, shapes[k].seed, shapes[k].outbuf,
						 &outlen, &s);
			CHECK(s.status == DC_OK, "%s shape %zu: status %d (%s)",
				  cases[c].file, k, s.status, s.errmsg);
			CHECK(s.codec == cases[c].codec, "%s shape %zu: codec %d",
				  cases[c].file, k, s.codec);
			CHECK(outlen == plainlen && memcmp(out, plain, plainlen) == 0,
				  "%s shape %zu: output differs (%zu bytes, want %zu)",
				  cases[c].file, k, outlen, plainlen);
			CHECK(s.consumed == (int64_t) len,
				  "%s shape %zu: consumed %lld of %zu",
				  cases[c].file, k, (long long) s.consumed, len);
			free(out);
		}
		free(data);
	}
	free(plain);
}

/* Cut a good file short anywhere but at a member boundary: truncated. */
static void
test_truncation(const char *dir)
{
	static const char *const files[] = {"multi.gz", "multi.zst",
	"single.gz", "single.zst"};
	size_t		f;

	for (f = 0; f < 4; f++)
	{
		size_t		len;
		char	   *data = read_file(dir, files[f], &len);
		size_t		cuts[] = {4, 10, 100, len / 3, len - 8, len - 1};
		size_t		i;
		char		name[64];

		snprintf(name, sizeof(name), "s3://b/%s", files[f]);
		for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		{
			size_t		outlen;
			DcStream	s;
			char	   *out = decode(data, cuts[i], name, 256 * 1024,
									 256 * 1024, 0, 65536, &outlen, &s);

			CHECK(s.status == DC_ERR_TRUNCATED &&
				  s.err_offset == (int64_t) cuts[i],
				  "%s cut at %zu: status %d offset %lld (%s)", files[f],
				  cuts[i], s.status, (long long) s.err_offset, s.errmsg);
			free(out);
		}
		free(data);
	}
}

/* Flip bytes in the compressed data, or append garbage: corrupt. */
static void
test_corruption(const char *dir)
{
	static const char *const files[] = {"single.gz", "single.zst"};
	size_t		f;

	for (f = 0; f < 2; f++)
	{
		size_t		len;
		char	   *data = read_file(dir, files[f], &len);
		size_t		at[] = {len / 4, len / 2, len - 6};
		size_t		i;
		char		name[64];

		snprintf(name, sizeof(name), "s3://b/%s", files[f]);
		for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		{
			char	   *bad = malloc(len);
			size_t		outlen;
			DcStream	s;
			char	   *out;

			memcpy(bad, data, len);
			bad[at[i]] ^= 0x5a;
			out = decode(bad, len, name, 256 * 1024, 256 * 1024, 0, 65536,
						 &outlen, &s);
			CHECK(s.status == DC_ERR_CORRUPT && s.err_offset >= 0 &&
				  s.err_offset <= (int64_t) len && s.errmsg[0] != '\0',
				  "%s byte %zu flipped: status %d offset %lld", files[f],
				  at[i], s.status, (long long) s.err_offset);
			free(out);
			free(bad);
		}
		free(data);
	}

	/* garbage, or zero padding, after the last gzip member */
	{
		size_t		len;
		char	   *data = read_file(dir, "single.gz", &len);
		char	   *bad = malloc(len + 16);
		size_t		outlen;
		DcStream	s;
		char	   *out;

		memcpy(bad, data, len);
		memcpy(bad + len, "hello, world\n", 13);
		out = decode(bad, len + 13, "s3://b/x.gz", 256 * 1024, 256 * 1024,
					 0, 65536, &outlen, &s);
		CHECK(s.status == DC_ERR_CORRUPT && s.err_offset >= (int64_t) len,
			  "gzip trailing garbage: status %d offset %lld (%s)",
			  s.status, (long long) s.err_offset, s.errmsg);
		free(out);
		memset(bad + len, 0, 16);
		out = decode(bad, len + 16, "s3://b/x.gz", 256 * 1024, 256 * 1024,
					 0, 65536, &outlen, &s);
		CHECK(s.status == DC_ERR_CORRUPT, "gzip zero padding: status %d",
			  s.status);
		free(out);
		free(bad);
		free(data);
	}

	/* a suffix promising a codec the data lacks */
	{
		size_t		outlen;
		DcStream	s;
		char	   *out = decode("a,b\n1,2\n", 8, "s3://b/x.csv.gz", 1024,
								 1024, 0, 1024, &outlen, &s);

		CHECK(s.status == DC_ERR_CORRUPT && s.err_offset == 0 && outlen == 0,
			  "plain text named .gz: status %d", s.status);
		free(out);
		out = decode("a,b\n1,2\n", 8, "s3://b/x.zst", 1024, 1024, 0, 1024,
					 &outlen, &s);
		CHECK(s.status == DC_ERR_CORRUPT, "plain text named .zst: status %d",
			  s.status);
		free(out);
	}
}

/* Empty inputs, short inputs and names. */
static void
test_edges(const char *dir)
{
	size_t		outlen;
	size_t		len;
	DcStream	s;
	char	   *out;
	char	   *data;

	out = decode("", 0, "s3://b/empty.csv.gz", 1024, 1024, 0, 1024,
				 &outlen, &s);
	CHECK(s.status == DC_OK && outlen == 0, "empty .gz: status %d", s.status);
	free(out);

	out = decode("ab", 2, "s3://b/short.csv", 1024, 1, 0, 1024, &outlen, &s);
	CHECK(s.status == DC_OK && outlen == 2 && memcmp(out, "ab", 2) == 0 &&
		  s.codec == DECOMPRESS_NONE, "two plain bytes: status %d", s.status);
	free(out);

	/* gzip of nothing is a valid member with no data */
	data = read_file(dir, "empty-member.gz", &len);
	out = decode(data, len, "s3://b/e.gz", 1024, 1024, 0, 1024, &outlen, &s);
	CHECK(s.status == DC_OK && outlen == 0 && s.codec == DECOMPRESS_GZIP,
		  "gzip of empty input: status %d", s.status);
	free(out);
	free(data);

	CHECK(DcCodecFromName("s3://b/a.csv.gz") == DECOMPRESS_GZIP, "suffix .gz");
	CHECK(DcCodecFromName("s3://b/a.GzIp") == DECOMPRESS_GZIP, "suffix .GzIp");
	CHECK(DcCodecFromName("s3://b/a.zst") == DECOMPRESS_ZSTD, "suffix .zst");
	CHECK(DcCodecFromName("s3://b/a.ZSTD") == DECOMPRESS_ZSTD, "suffix .ZSTD");
	CHECK(DcCodecFromName("s3://b/a.csv") == DECOMPRESS_NONE, "suffix .csv");
	CHECK(DcCodecFromName("s3://b/a.gz.csv") == DECOMPRESS_NONE, "inner .gz");
	CHECK(DcCodecFromName("gz") == DECOMPRESS_NONE, "bare gz");
	CHECK(DcCodecFromName("") == DECOMPRESS_NONE, "empty name");
	CHECK(DcCodecFromName("https://h/a.jsonl.gz?X-Amz-Signature=1") ==
		  DECOMPRESS_GZIP, "presigned https URL");
	CHECK(DcCodecFromName("s3://b/odd?.gz") == DECOMPRESS_GZIP,
		  "'?' is part of an S3 key");
}

/*
 * A reader that gives up early (an ERROR in the backend) stops the decoder
 * thread wherever it is: waiting for input, for a free output slot, or
 * decoding.  Nothing may hang or leak (ASan checks the leaks).
 */
static void
test_pipe_stop(const char *dir)
{
	static const char *const names[] = {"single.gz", "multi.zst"};
	int			i,
				after;

	for (i = 0; i < 2; i++)
		for (after = 0; after < 3; after++)
		{
			size_t		len;
			char	   *data = read_file(dir, names[i], &len);
			MemSource	src = {data, len, 0, 4096, 0, 0};
			char	   *inbuf = malloc(65536);
			char		tmp[1000];
			DcStream	s;
			DcPipe	   *pipe;
			int			k;

			DcInit(&s, mem_source, &src, inbuf, 65536);
			CHECK(DcStart(&s, DcCodecFromName(names[i])) == DC_OK,
				  "%s: start", names[i]);
			pipe = DcPipeStart(&s);
			CHECK(pipe != NULL, "%s: no decoder thread", names[i]);
			for (k = 0; k < after * 50; k++)
				CHECK(DcPipeRead(pipe, tmp, sizeof(tmp), count_wait) > 0,
					  "%s: read %d", names[i], k);
			DcPipeStop(pipe);
			DcEnd(&s);
			free(inbuf);
			free(data);
		}
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "build";

	test_round_trips(dir);
	test_truncation(dir);
	test_corruption(dir);
	test_edges(dir);

	/* the same again with the decoder on its own thread */
	use_pipe = 1;
	test_round_trips(dir);
	test_truncation(dir);
	test_corruption(dir);
	test_edges(dir);
	test_pipe_stop(dir);
	printf("decompress: %d passed, %d failed\n", passes, failures);
	return failures ? 1 : 0;
}
