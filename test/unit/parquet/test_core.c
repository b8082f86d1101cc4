/*-------------------------------------------------------------------------
 *
 * test_core.c
 *	  Unit tests of the Parquet reader core.
 *
 *	  test_core [DATADIR]      DATADIR holds the DuckDB fixtures (for the
 *	                           allocator and limit tests)
 *
 * Covers what DuckDB's files do not: hand-built files with legacy layouts
 * (2-level LISTs, MAP_KEY_VALUE, bare repeated fields), BIT_PACKED levels,
 * Hadoop-framed LZ4, DELTA_BYTE_ARRAY, RLE booleans, uncompressed v2
 * pages, index pages, INT96, FLOAT16, decimals in BYTE_ARRAY; encoder /
 * decoder round trips for RLE and DELTA_BINARY_PACKED; codec round trips;
 * Thrift edge cases; conversion vectors; allocation failure at every
 * allocation; the page size limit.  Expected values come from the format
 * specification (or are constructed here), never from the reader.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  test/unit/parquet/test_core.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/encode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "jsonout.h"
#include "pq_internal.h"
#include "walk.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond) \
	do { \
		checks++; \
		if (!(cond)) \
		{ \
			failures++; \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		} \
	} while (0)

#define CHECK_STR(got, want) \
	do { \
		checks++; \
		if (strcmp((got), (want)) != 0) \
		{ \
			failures++; \
			fprintf(stderr, "%s:%d: got  %s\n%*swant %s\n", __FILE__, __LINE__, \
					(got), (int) strlen(__FILE__) + 6, "", (want)); \
		} \
	} while (0)

/* ----------------------------------------------------------------
 *		Byte writer with Thrift compact encoding
 * ----------------------------------------------------------------
 */
typedef struct W
{
	uint8_t    *buf;
	size_t		len;
	size_t		cap;
	int16_t		last[64];
	int			sp;
} W;

static void
w_bytes(W *w, const void *p, size_t n)
{
	if (w->len + n > w->cap)
	{
		w->cap = (w->len + n) * 2 + 64;
		w->buf = realloc(w->buf, w->cap);
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void
w_byte(W *w, uint8_t b)
{
	w_bytes(w, &b, 1);
}

static void
w_varint(W *w, uint64_t v)
{
	while (v >= 0x80)
	{
		w_byte(w, (uint8_t) (v | 0x80));
		v >>= 7;
	}
	w_byte(w, (uint8_t) v);
}

static void
w_zz(W *w, int64_t v)
{
	w_varint(w, ((uint64_t) v << 1) ^ (uint64_t) (v >> 63));
}

static void
w_le32(W *w, uint32_t v)
{
	uint8_t		b[4] = {(uint8_t) v, (uint8_t) (v >> 8), (uint8_t) (v >> 16), (uint8_t) (v >> 24)};

	w_bytes(w, b, 4);
}

static void
t_field(W *w, int type, int id)
{
	int			delta = id - w->last[w->sp];

	if (delta > 0 && delta <= 15)
		w_byte(w, (uint8_t) (delta << 4 | type));
	else
	{
		w_byte(w, (uint8_t) type);
		w_zz(w, id);
	}
	w->last[w->sp] = (int16_t) id;
}

static void
t_begin(W *w)
{
	w->last[++w->sp] = 0;
}

static void
t_end(W *w)
{
	w_byte(w, 0);
	w->sp--;
}

static void
t_struct(W *w, int id)
{
	t_field(w, PQ_TT_STRUCT, id);
	t_begin(w);
}

static void
t_i32(W *w, int id, int64_t v)
{
	t_field(w, PQ_TT_I32, id);
	w_zz(w, v);
}

static void
t_i64(W *w, int id, int64_t v)
{
	t_field(w, PQ_TT_I64, id);
	w_zz(w, v);
}

static void
t_bin(W *w, int id, const char *s)
{
	t_field(w, PQ_TT_BINARY, id);
	w_varint(w, strlen(s));
	w_bytes(w, s, strlen(s));
}

static void
t_bool(W *w, int id, bool b)
{
	t_field(w, b ? PQ_TT_TRUE : PQ_TT_FALSE, id);
}

static void
t_list(W *w, int id, int elem_type, int n)
{
	t_field(w, PQ_TT_LIST, id);
	if (n < 15)
		w_byte(w, (uint8_t) (n << 4 | elem_type));
	else
	{
		w_byte(w, (uint8_t) (0xf0 | elem_type));
		w_varint(w, (uint64_t) n);
	}
}

/* ----------------------------------------------------------------
 *		Encoders used to build pages (independent of the decoders)
 * ----------------------------------------------------------------
 */

/* LSB-first bit packing of n values (n a multiple of 8 after padding). */
static void
pack_lsb(W *w, const uint64_t *v, int n, int width)
{
	uint64_t	acc = 0;
	int			bits = 0;
	int			i,
				k;

	for (i = 0; i < n; i++)
	{
		for (k = 0; k < width; k++)
		{
			acc |= ((v[i] >> k) & 1) << bits;
			if (++bits == 8)
			{
				w_byte(w, (uint8_t) acc);
				acc = 0;
				bits = 0;
			}
		}
	}
	if (bits > 0)
		w_byte(w, (uint8_t) acc);
}

/* RLE hybrid: alternates one RLE run and one bit-packed run, for coverage. */
static void
rle_encode(W *w, const uint64_t *v, int n, int width)
{
	int			i = 0;
	int			turn = 0;

	while (i < n)
	{
		int			j = i;

		while (j < n && v[j] == v[i])
			j++;
		if ((turn++ % 2 == 0 && j - i >= 2) || n - i < 8)
		{
			int			k;

			if (n - i < 8 && j - i < n - i)
				j = i + 1;
			w_varint(w, (uint64_t) (j - i) << 1);
			for (k = 0; k < (width + 7) / 8; k++)
				w_byte(w, (uint8_t) (v[i] >> (8 * k)));
			i = j;
		}
		else
		{
			int			groups = (n - i) / 8 > 2 ? 2 : (n - i) / 8;

			w_varint(w, (uint64_t) groups << 1 | 1);
			pack_lsb(w, v + i, groups * 8, width);
			i += groups * 8;
		}
	}
}

/* Deprecated BIT_PACKED: MSB first, no header. */
static void
pack_msb(W *w, const uint64_t *v, int n, int width)
{
	uint8_t		cur = 0;
	int			bits = 0;
	int			i,
				k;

	for (i = 0; i < n; i++)
		for (k = width - 1; k >= 0; k--)
		{
			cur = (uint8_t) (cur << 1 | ((v[i] >> k) & 1));
			if (++bits == 8)
			{
				w_byte(w, cur);
				cur = 0;
				bits = 0;
			}
		}
	if (bits > 0)
		w_byte(w, (uint8_t) (cur << (8 - bits)));
}

/* DELTA_BINARY_PACKED with 128-value blocks of 4 miniblocks. */
static void
dbp_encode(W *w, const int64_t *v, int n, bool is64)
{
	int			i;

	w_varint(w, 128);
	w_varint(w, 4);
	w_varint(w, (uint64_t) n);
	w_zz(w, n > 0 ? v[0] : 0);
	for (i = 1; i < n; i += 128)
	{
		int			cnt = n - i < 128 ? n - i : 128;
		uint64_t	d[128];
		int64_t		min = INT64_MAX;
		int			m,
					k;

		memset(d, 0, sizeof(d));
		for (k = 0; k < cnt; k++)
		{
			int64_t		delta = is64 ? (int64_t) ((uint64_t) v[i + k] - (uint64_t) v[i + k - 1]) :
				v[i + k] - v[i + k - 1];

			d[k] = (uint64_t) delta;
			if (delta < min)
				min = delta;
		}
		w_zz(w, min);
		for (k = 0; k < cnt; k++)
			d[k] -= (uint64_t) min;
		for (m = 0; m < 4; m++)
		{
			uint64_t	mx = 0;

			for (k = m * 32; k < cnt && k < m * 32 + 32; k++)
				mx |= d[k];
			w_byte(w, (uint8_t) (m * 32 < cnt ? PqBitWidth(mx) : 0));
		}
		for (m = 0; m < 4 && m * 32 < cnt; m++)
		{
			uint64_t	mx = 0;

			for (k = m * 32; k < m * 32 + 32; k++)
				mx |= k < cnt ? d[k] : 0;
			for (k = m * 32 + 32; k > cnt && k > m * 32; k--)
				d[k - 1] = 0;	/* padding */
			pack_lsb(w, d + m * 32, 32, PqBitWidth(mx));
		}
	}
}

/* ----------------------------------------------------------------
 *		Hand-built files
 * ----------------------------------------------------------------
 */
typedef struct SchemaSpec
{
	const char *name;
	int			type;			/* -1 for a group */
	int			repetition;
	int			num_children;
	int			converted;		/* -1 none */
	int			type_length;
	int			logical;		/* 0 none, else a LogicalType member id */
} SchemaSpec;

typedef struct ChunkSpec
{
	W			pages;
	int			codec;
	int64_t		num_values;
	bool		has_dict;		/* first page is the dictionary */
} ChunkSpec;

/* Page header; v2 when levels_len >= 0 (rep_len, def_len in *levels_len). */
static void
page_header(W *w, int type, int unc, int comp, int num_values, int enc,
			int def_enc, int rep_enc, int rep_len, int def_len, int nulls,
			int rows, bool v2_compressed)
{
	W			h = {0};

	t_begin(&h);
	t_i32(&h, 1, type);
	t_i32(&h, 2, unc);
	t_i32(&h, 3, comp);
	if (type == PQ_PAGE_DATA)
	{
		t_struct(&h, 5);
		t_i32(&h, 1, num_values);
		t_i32(&h, 2, enc);
		t_i32(&h, 3, def_enc);
		t_i32(&h, 4, rep_enc);
		t_end(&h);
	}
	else if (type == PQ_PAGE_DICTIONARY)
	{
		t_struct(&h, 7);
		t_i32(&h, 1, num_values);
		t_i32(&h, 2, enc);
		t_end(&h);
	}
	else if (type == PQ_PAGE_DATA_V2)
	{
		t_struct(&h, 8);
		t_i32(&h, 1, num_values);
		t_i32(&h, 2, nulls);
		t_i32(&h, 3, rows);
		t_i32(&h, 4, enc);
		t_i32(&h, 5, def_len);
		t_i32(&h, 6, rep_len);
		t_bool(&h, 7, v2_compressed);
		t_end(&h);
	}
	else
	{
		/* index page: an empty IndexPageHeader, plus an unknown field */
		t_struct(&h, 6);
		t_end(&h);
		t_field(&h, PQ_TT_DOUBLE, 20);
		w_bytes(&h, "\0\0\0\0\0\0\0\0", 8);
	}
	t_end(&h);
	w_bytes(w, h.buf, h.len);
	free(h.buf);
}

/* Appends a v1 data page; body = levels + values, compressed with codec. */
static void
add_page_v1(ChunkSpec *c, int num_values, int enc, int def_enc, int rep_enc,
			const W *body)
{
	uint8_t    *comp = malloc(body->len * 2 + 64);
	int			clen;

	if (c->codec == PQ_CODEC_LZ4)
	{
		/* Hadoop framing: BE uncompressed and compressed sizes */
		int			n = LZ4_compress_default((const char *) body->buf, (char *) comp + 8,
											 (int) body->len, (int) body->len * 2 + 56);

		comp[0] = (uint8_t) (body->len >> 24);
		comp[1] = (uint8_t) (body->len >> 16);
		comp[2] = (uint8_t) (body->len >> 8);
		comp[3] = (uint8_t) body->len;
		comp[4] = (uint8_t) (n >> 24);
		comp[5] = (uint8_t) (n >> 16);
		comp[6] = (uint8_t) (n >> 8);
		comp[7] = (uint8_t) n;
		clen = n + 8;
	}
	else
	{
		memcpy(comp, body->buf, body->len);
		clen = (int) body->len;
	}
	page_header(&c->pages, PQ_PAGE_DATA, (int) body->len, clen, num_values, enc,
				def_enc, rep_enc, 0, 0, 0, 0, false);
	w_bytes(&c->pages, comp, (size_t) clen);
	free(comp);
}

/*
 * Writes "PAR1", the chunks, FileMetaData with one row group, the footer
 * length and "PAR1".  leaf_types/paths describe the leaves in order.
 */
static void
build_file(W *f, const SchemaSpec *s, int ns, ChunkSpec *chunks, int nleaves,
		   const int *leaf_types, const char *const *paths, int64_t rows)
{
	int64_t    *offsets = calloc((size_t) nleaves, sizeof(int64_t));
	W			m = {0};
	int			i;
	size_t		start;

	w_bytes(f, "PAR1", 4);
	for (i = 0; i < nleaves; i++)
	{
		offsets[i] = (int64_t) f->len;
		w_bytes(f, chunks[i].pages.buf, chunks[i].pages.len);
	}
	t_begin(&m);
	t_i32(&m, 1, 1);
	t_list(&m, 2, PQ_TT_STRUCT, ns);
	for (i = 0; i < ns; i++)
	{
		t_begin(&m);
		if (s[i].type >= 0)
			t_i32(&m, 1, s[i].type);
		if (s[i].type_length > 0)
			t_i32(&m, 2, s[i].type_length);
		if (i > 0)
			t_i32(&m, 3, s[i].repetition);
		t_bin(&m, 4, s[i].name);
		if (s[i].num_children > 0)
			t_i32(&m, 5, s[i].num_children);
		if (s[i].converted >= 0)
			t_i32(&m, 6, s[i].converted);
		if (s[i].converted == PQ_CT_DECIMAL)
		{
			t_i32(&m, 7, 2);
			t_i32(&m, 8, 20);
		}
		if (s[i].logical > 0)
		{
			t_struct(&m, 10);
			t_struct(&m, s[i].logical);
			t_end(&m);
			t_end(&m);
		}
		t_end(&m);
	}
	t_i64(&m, 3, rows);
	t_list(&m, 4, PQ_TT_STRUCT, 1);
	t_begin(&m);
	t_list(&m, 1, PQ_TT_STRUCT, nleaves);
	for (i = 0; i < nleaves; i++)
	{
		char		path[256];
		char	   *tok;
		int			parts = 1;
		const char *p;

		t_begin(&m);
		t_i64(&m, 2, offsets[i]);
		t_struct(&m, 3);
		t_i32(&m, 1, leaf_types[i]);
		t_list(&m, 2, PQ_TT_I32, 1);
		w_zz(&m, PQ_ENC_PLAIN);
		for (p = paths[i]; *p; p++)
			parts += *p == '.';
		t_list(&m, 3, PQ_TT_BINARY, parts);
		snprintf(path, sizeof(path), "%s", paths[i]);
		for (tok = strtok(path, "."); tok; tok = strtok(NULL, "."))
		{
			w_varint(&m, strlen(tok));
			w_bytes(&m, tok, strlen(tok));
		}
		t_i32(&m, 4, chunks[i].codec);
		t_i64(&m, 5, chunks[i].num_values);
		t_i64(&m, 6, (int64_t) chunks[i].pages.len);
		t_i64(&m, 7, (int64_t) chunks[i].pages.len);
		t_i64(&m, 9, offsets[i]);
		if (chunks[i].has_dict)
			t_i64(&m, 11, offsets[i]);
		t_end(&m);
		t_end(&m);
	}
	t_i64(&m, 2, 1000);
	t_i64(&m, 3, rows);
	t_end(&m);
	t_bin(&m, 6, "test_core");
	t_end(&m);
	start = f->len;
	w_bytes(f, m.buf, m.len);
	w_le32(f, (uint32_t) (f->len - start));
	w_bytes(f, "PAR1", 4);
	free(m.buf);
	free(offsets);
	for (i = 0; i < nleaves; i++)
		free(chunks[i].pages.buf);
}

/* Decodes a file into JSON lines (rows joined with '\n'), or "ERROR: msg". */
static char *
dump(const uint8_t *data, size_t len, int64_t batch)
{
	PqFile		file;
	PqError		err;
	Out			o = {0};
	PqByteView	chunks[16];
	PqRecordCursor cur[16];
	int			g,
				i;

	if (PqFileOpenMemory(&file, data, len, NULL, &err) != PQ_OK)
		goto fail;
	for (g = 0; g < file.num_row_groups; g++)
	{
		PqRowGroupReader rg;
		int64_t		n,
					r;

		for (i = 0; i < file.num_leaves; i++)
		{
			chunks[i].ptr = data + file.row_groups[g].columns[i].range_offset;
			chunks[i].len = (uint32_t) file.row_groups[g].columns[i].range_length;
		}
		if (PqRowGroupReaderInit(&rg, &file, g, chunks, NULL, NULL, &err) != PQ_OK)
			goto fail_file;
		for (;;)
		{
			if (PqRowGroupReaderNext(&rg, batch, &n, &err) != PQ_OK)
			{
				PqRowGroupReaderReset(&rg);
				goto fail_file;
			}
			if (n == 0)
				break;
			for (i = 0; i < file.nodes[0].num_children; i++)
				PqRowGroupReaderCursor(&rg, file.nodes[0].children[i], &cur[i], &err);
			for (r = 0; r < n; r++)
			{
				if (o.len > 0)
					out_mem(&o, "\n", 1);
				if (PqJsonRow(&o, &file.nodes[0], cur, &err) != PQ_OK)
				{
					PqRowGroupReaderReset(&rg);
					goto fail_file;
				}
			}
		}
		PqRowGroupReaderReset(&rg);
	}
	PqFileReset(&file);
	out_mem(&o, "", 1);
	return o.buf ? o.buf : strdup("");

fail_file:
	PqFileReset(&file);
fail:
	free(o.buf);
	{
		char	   *s = malloc(strlen(err.message) + 8);

		sprintf(s, "ERROR: %s", err.message);
		return s;
	}
}

static void
check_dump(W *f, const char *want)
{
	int64_t		batches[] = {1, 2, 1000};
	int			i;

	for (i = 0; i < 3; i++)
	{
		char	   *got = dump(f->buf, f->len, batches[i]);

		CHECK_STR(got, want);
		free(got);
	}
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

/* 2-level LIST with primitive element, BIT_PACKED def levels, Hadoop LZ4 */
static void
test_legacy_list(void)
{
	SchemaSpec	s[] = {
		{"schema", -1, 0, 1, -1, 0, 0},
		{"my_list", -1, PQ_OPTIONAL, 1, PQ_CT_LIST, 0, 0},
		{"element", PQ_INT32, PQ_REPEATED, 0, -1, 0, 0},
	};
	int			types[] = {PQ_INT32};
	const char *paths[] = {"my_list.element"};
	uint64_t	rep[] = {0, 1, 0, 0, 0, 1, 0, 1};
	uint64_t	def[] = {2, 2, 1, 0, 2, 2, 2, 2};
	int32_t		vals[] = {1, 2, 3, 4, 5, 6};
	ChunkSpec	c = {{0}, PQ_CODEC_LZ4, 8, false};
	W			body = {0},
				lev = {0},
				f = {0};

	rle_encode(&lev, rep, 8, 1);
	w_le32(&body, (uint32_t) lev.len);
	w_bytes(&body, lev.buf, lev.len);
	pack_msb(&body, def, 8, 2);
	w_bytes(&body, vals, sizeof(vals));
	add_page_v1(&c, 8, PQ_ENC_PLAIN, PQ_ENC_BIT_PACKED, PQ_ENC_RLE, &body);
	build_file(&f, s, 3, &c, 1, types, paths, 5);
	check_dump(&f, "{\"my_list\":[1,2]}\n{\"my_list\":[]}\n{\"my_list\":null}\n"
			   "{\"my_list\":[3,4]}\n{\"my_list\":[5,6]}");
	free(body.buf);
	free(lev.buf);
}

/* A record that continues on the next page (allowed in v1 pages). */
static void
test_record_spans_pages(void)
{
	SchemaSpec	s[] = {
		{"schema", -1, 0, 1, -1, 0, 0},
		{"l", -1, PQ_OPTIONAL, 1, PQ_CT_LIST, 0, 0},
		{"list", -1, PQ_REPEATED, 1, -1, 0, 0},
		{"element", PQ_INT64, PQ_OPTIONAL, 0, -1, 0, 0},
	};
	int			types[] = {PQ_INT64};
	const char *paths[] = {"l.list.element"};
	/* rows: [1,2,null,3] (split after 2), [4], null */
	uint64_t	rep1[] = {0, 1},
				def1[] = {3, 3};
	uint64_t	rep2[] = {1, 1, 0, 0},
				def2[] = {2, 3, 3, 0};
	int64_t		v1[] = {1, 2},
				v2[] = {3, 4};
	ChunkSpec	c = {{0}, PQ_CODEC_UNCOMPRESSED, 6, false};
	W			f = {0};
	int			page;

	for (page = 0; page < 2; page++)
	{
		W			b = {0},
					l = {0};
		int			n = page == 0 ? 2 : 4;

		rle_encode(&l, page == 0 ? rep1 : rep2, n, 1);
		w_le32(&b, (uint32_t) l.len);
		w_bytes(&b, l.buf, l.len);
		l.len = 0;
		rle_encode(&l, page == 0 ? def1 : def2, n, 2);
		w_le32(&b, (uint32_t) l.len);
		w_bytes(&b, l.buf, l.len);
		w_bytes(&b, page == 0 ? v1 : v2, 16);
		add_page_v1(&c, n, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &b);
		free(b.buf);
		free(l.buf);
	}
	build_file(&f, s, 4, &c, 1, types, paths, 3);
	check_dump(&f, "{\"l\":[1,2,null,3]}\n{\"l\":[4]}\n{\"l\":null}");
}

/* 2-level LIST of structs named "array", bare repeated groups, MAP_KEY_VALUE */
static void
test_legacy_nested(void)
{
	SchemaSpec	s[] = {
		{"schema", -1, 0, 3, -1, 0, 0},
		{"a", -1, PQ_REQUIRED, 1, PQ_CT_LIST, 0, 0},
		{"array", -1, PQ_REPEATED, 1, -1, 0, 0},
		{"x", PQ_INT32, PQ_REQUIRED, 0, -1, 0, 0},
		{"r", PQ_INT64, PQ_REPEATED, 0, -1, 0, 0},
		{"m", -1, PQ_OPTIONAL, 1, PQ_CT_MAP_KEY_VALUE, 0, 0},
		{"map", -1, PQ_REPEATED, 2, -1, 0, 0},
		{"key", PQ_BYTE_ARRAY, PQ_REQUIRED, 0, PQ_CT_UTF8, 0, 0},
		{"value", PQ_BOOLEAN, PQ_OPTIONAL, 0, -1, 0, 0},
	};
	int			types[] = {PQ_INT32, PQ_INT64, PQ_BYTE_ARRAY, PQ_BOOLEAN};
	const char *paths[] = {"a.array.x", "r", "m.map.key", "m.map.value"};
	ChunkSpec	c[4] = {{{0}, 0, 3, false}, {{0}, 0, 3, false}, {{0}, 0, 4, false}, {{0}, 0, 4, false}};
	W			f = {0};
	W			b = {0};

	/* a.array.x: rows [{x:7},{x:8}], [], [{x:9}]; max_def 1, max_rep 1 */
	{
		uint64_t	rep[] = {0, 1, 0, 0},
					def[] = {1, 1, 0, 1};
		int32_t		v[] = {7, 8, 9};

		c[0].num_values = 4;
		memset(&b, 0, sizeof(b));
		{
			W			l = {0};

			rle_encode(&l, rep, 4, 1);
			w_le32(&b, (uint32_t) l.len);
			w_bytes(&b, l.buf, l.len);
			l.len = 0;
			rle_encode(&l, def, 4, 1);
			w_le32(&b, (uint32_t) l.len);
			w_bytes(&b, l.buf, l.len);
			free(l.buf);
		}
		w_bytes(&b, v, sizeof(v));
		add_page_v1(&c[0], 4, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &b);
		free(b.buf);
	}
	/* r: rows [10], [], [11, 12]; max_def 1, max_rep 1 */
	{
		uint64_t	rep[] = {0, 0, 0, 1},
					def[] = {1, 0, 1, 1};
		int64_t		v[] = {10, 11, 12};
		W			l = {0};

		c[1].num_values = 4;
		memset(&b, 0, sizeof(b));
		rle_encode(&l, rep, 4, 1);
		w_le32(&b, (uint32_t) l.len);
		w_bytes(&b, l.buf, l.len);
		l.len = 0;
		rle_encode(&l, def, 4, 1);
		w_le32(&b, (uint32_t) l.len);
		w_bytes(&b, l.buf, l.len);
		free(l.buf);
		w_bytes(&b, v, sizeof(v));
		add_page_v1(&c[1], 4, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &b);
		free(b.buf);
	}
	/* m: rows {"k":true,"j":null}, null, {}; key def 2, value def 3 */
	{
		uint64_t	rep[] = {0, 1, 0, 0},
					kdef[] = {2, 2, 0, 1},
					vdef[] = {3, 2, 0, 1};
		W			l = {0};
		W			kb = {0};

		rle_encode(&l, rep, 4, 1);
		w_le32(&kb, (uint32_t) l.len);
		w_bytes(&kb, l.buf, l.len);
		l.len = 0;
		rle_encode(&l, kdef, 4, 2);
		w_le32(&kb, (uint32_t) l.len);
		w_bytes(&kb, l.buf, l.len);
		w_le32(&kb, 1);
		w_bytes(&kb, "k", 1);
		w_le32(&kb, 1);
		w_bytes(&kb, "j", 1);
		add_page_v1(&c[2], 4, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &kb);
		memset(&b, 0, sizeof(b));
		l.len = 0;
		rle_encode(&l, rep, 4, 1);
		w_le32(&b, (uint32_t) l.len);
		w_bytes(&b, l.buf, l.len);
		l.len = 0;
		rle_encode(&l, vdef, 4, 2);
		w_le32(&b, (uint32_t) l.len);
		w_bytes(&b, l.buf, l.len);
		w_byte(&b, 1);			/* PLAIN boolean: true */
		add_page_v1(&c[3], 4, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &b);
		free(l.buf);
		free(kb.buf);
		free(b.buf);
	}
	build_file(&f, s, 9, c, 4, types, paths, 3);
	check_dump(&f, "{\"a\":[{\"x\":7},{\"x\":8}],\"r\":[10],\"m\":{\"k\":true,\"j\":null}}\n"
			   "{\"a\":[],\"r\":[],\"m\":null}\n"
			   "{\"a\":[{\"x\":9}],\"r\":[11,12],\"m\":{}}");
}

/*
 * Flat columns in unusual encodings: DELTA_BYTE_ARRAY strings in an
 * uncompressed v2 page after an index page; RLE booleans (v2); INT96;
 * FLOAT16; DECIMAL in BYTE_ARRAY; TIME_MILLIS; dictionary + plain fallback.
 */
static void
test_flat_encodings(void)
{
	SchemaSpec	s[] = {
		{"schema", -1, 0, 6, -1, 0, 0},
		{"s", PQ_BYTE_ARRAY, PQ_OPTIONAL, 0, PQ_CT_UTF8, 0, 0},
		{"b", PQ_BOOLEAN, PQ_REQUIRED, 0, -1, 0, 0},
		{"ts", PQ_INT96, PQ_REQUIRED, 0, -1, 0, 0},
		{"h", PQ_FIXED_LEN_BYTE_ARRAY, PQ_REQUIRED, 0, -1, 2, PQ_LT_FLOAT16},
		{"dec", PQ_BYTE_ARRAY, PQ_REQUIRED, 0, PQ_CT_DECIMAL, 0, 0},
		{"t", PQ_INT32, PQ_REQUIRED, 0, PQ_CT_TIME_MILLIS, 0, 0},
	};
	int			types[] = {PQ_BYTE_ARRAY, PQ_BOOLEAN, PQ_INT96, PQ_FIXED_LEN_BYTE_ARRAY,
	PQ_BYTE_ARRAY, PQ_INT32};
	const char *paths[] = {"s", "b", "ts", "h", "dec", "t"};
	ChunkSpec	c[6];
	W			f = {0};
	W			b = {0},
				l = {0};
	int			i;

	memset(c, 0, sizeof(c));
	for (i = 0; i < 6; i++)
		c[i].num_values = 5;
	/* s: "axis","axle",null,"babble","babyhood" as DELTA_BYTE_ARRAY */
	{
		uint64_t	def[] = {1, 1, 0, 1, 1};
		int64_t		prefix[] = {0, 2, 0, 3};
		int64_t		slen[] = {4, 2, 6, 5};

		page_header(&c[0].pages, PQ_PAGE_INDEX, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false);
		rle_encode(&l, def, 5, 1);
		dbp_encode(&b, prefix, 4, false);
		dbp_encode(&b, slen, 4, false);
		w_bytes(&b, "axislebabbleyhood", 17);
		page_header(&c[0].pages, PQ_PAGE_DATA_V2, (int) (b.len + l.len), (int) (b.len + l.len), 5,
					PQ_ENC_DELTA_BYTE_ARRAY, 0, 0, 0, (int) l.len, 1, 5, false);
		w_bytes(&c[0].pages, l.buf, l.len);
		w_bytes(&c[0].pages, b.buf, b.len);
		b.len = l.len = 0;
	}
	/* b: RLE booleans t,f,t,t,t in a v2 page (4-byte length prefix) */
	{
		uint64_t	v[] = {1, 0, 1, 1, 1};

		rle_encode(&l, v, 5, 1);
		w_le32(&b, (uint32_t) l.len);
		w_bytes(&b, l.buf, l.len);
		page_header(&c[1].pages, PQ_PAGE_DATA_V2, (int) b.len, (int) b.len, 5, PQ_ENC_RLE,
					0, 0, 0, 0, 0, 5, true);
		w_bytes(&c[1].pages, b.buf, b.len);
		b.len = l.len = 0;
	}
	/* ts: INT96 = nanos of day + Julian day; 2440588 is 1970-01-01 */
	{
		int64_t		nod[] = {0, 1500000, 86399999999999LL, 3600000000000LL, 0};
		int32_t		jd[] = {2440588, 2440588, 2440587, 2460311, 1721426};

		for (i = 0; i < 5; i++)
		{
			w_bytes(&b, &nod[i], 8);
			w_bytes(&b, &jd[i], 4);
		}
		add_page_v1(&c[2], 5, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &b);
		b.len = 0;
	}
	/* h: FLOAT16 1.0, -2.0, 0.5, 65504, 2^-24 */
	{
		uint8_t		h[] = {0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0xff, 0x7b, 0x01, 0x00};

		w_bytes(&b, h, sizeof(h));
		add_page_v1(&c[3], 5, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &b);
		b.len = 0;
	}
	/* dec: DECIMAL(20,2) big-endian two's complement in BYTE_ARRAY */
	{
		uint8_t		v1[] = {0x01, 0x00};	/* 256 -> 2.56 */
		uint8_t		v2[] = {0xff};	/* -1 -> -0.01 */
		uint8_t		v3[] = {0x00};
		uint8_t		v4[] = {0x05, 0x6b, 0xc7, 0x5e, 0x2d, 0x63, 0x10, 0x00, 0x00};	/* 10^20 */
		uint8_t		v5[] = {0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};	/* -2^71 */
		const uint8_t *vs[] = {v1, v2, v3, v4, v5};
		uint32_t	ls[] = {2, 1, 1, 9, 9};

		for (i = 0; i < 5; i++)
		{
			w_le32(&b, ls[i]);
			w_bytes(&b, vs[i], ls[i]);
		}
		add_page_v1(&c[4], 5, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &b);
		b.len = 0;
	}
	/* t: dictionary page, a dictionary-encoded page, then a PLAIN page */
	{
		int32_t		dict[] = {1000, 45296789};
		uint64_t	idx[] = {1, 0, 1};
		int32_t		plain[] = {86399999, 0};

		page_header(&c[5].pages, PQ_PAGE_DICTIONARY, 8, 8, 2, PQ_ENC_PLAIN_DICTIONARY,
					0, 0, 0, 0, 0, 0, false);
		w_bytes(&c[5].pages, dict, sizeof(dict));
		w_byte(&b, 1);
		rle_encode(&b, idx, 3, 1);
		add_page_v1(&c[5], 3, PQ_ENC_RLE_DICTIONARY, PQ_ENC_RLE, PQ_ENC_RLE, &b);
		b.len = 0;
		w_bytes(&b, plain, sizeof(plain));
		add_page_v1(&c[5], 2, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &b);
		c[5].has_dict = true;
	}
	free(b.buf);
	free(l.buf);
	build_file(&f, s, 7, c, 6, types, paths, 5);
	check_dump(&f,
			   "{\"s\":\"axis\",\"b\":true,\"ts\":\"1970-01-01 00:00:00\",\"h\":1,\"dec\":2.56,\"t\":\"12:34:56.789\"}\n"
			   "{\"s\":\"axle\",\"b\":false,\"ts\":\"1970-01-01 00:00:00.0015\",\"h\":-2,\"dec\":-0.01,\"t\":\"00:00:01\"}\n"
			   "{\"s\":null,\"b\":true,\"ts\":\"1969-12-31 23:59:59.999999\",\"h\":0.5,\"dec\":0.00,\"t\":\"12:34:56.789\"}\n"
			   "{\"s\":\"babble\",\"b\":true,\"ts\":\"2024-01-01 01:00:00\",\"h\":65504,\"dec\":1000000000000000000.00,\"t\":\"23:59:59.999\"}\n"
			   "{\"s\":\"babyhood\",\"b\":true,\"ts\":\"0001-01-01 00:00:00\",\"h\":5.9604644775390625e-08,\"dec\":-23611832414348226068.48,\"t\":\"00:00:00\"}");
}

/* ----------------------------------------------------------------
 *		Encoding round trips
 * ----------------------------------------------------------------
 */
static uint64_t seed = 88172645463325252ull;

static uint64_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void
test_rle_roundtrip(void)
{
	int			width;
	PqError		err;

	for (width = 0; width <= 32; width++)
	{
		uint64_t	v[1000];
		uint32_t	out[1000];
		W			w = {0};
		PqRleDecoder d;
		int			i,
					n = 1 + (int) (rnd() % 1000);
		uint64_t	mask = width == 0 ? 0 : (width == 64 ? ~0ull : ((1ull << width) - 1));

		for (i = 0; i < n; i++)
			v[i] = (rnd() % 4 == 0 && i > 0) ? v[i - 1] : rnd() & mask;
		/* long runs too */
		for (i = n / 3; i < n / 2; i++)
			v[i] = v[n / 3];
		rle_encode(&w, v, n, width);
		memset(&err, 0, sizeof(err));
		CHECK(PqRleInit(&d, w.buf, w.len, width, &err) == PQ_OK);
		/* decode in uneven pieces to cross run boundaries */
		for (i = 0; i < n;)
		{
			int			k = 1 + (int) (rnd() % 37);

			if (k > n - i)
				k = n - i;
			CHECK(PqRleDecode32(&d, out + i, k, &err) == PQ_OK);
			i += k;
		}
		for (i = 0; i < n; i++)
			if (out[i] != (uint32_t) v[i])
				break;
		CHECK(i == n);
		/* asking for more than encoded fails cleanly (unless width 0) */
		if (width > 0)
			CHECK(PqRleDecode32(&d, out, 9, &err) == PQ_ERR_CORRUPT);
		free(w.buf);
	}
	/* levels above the maximum are corrupt */
	{
		uint64_t	v[] = {0, 1, 2, 3, 1, 1, 1, 1, 1};
		int16_t		lv[9];
		W			w = {0};
		PqRleDecoder d;

		rle_encode(&w, v, 9, 2);
		memset(&err, 0, sizeof(err));
		PqRleInit(&d, w.buf, w.len, 2, &err);
		CHECK(PqRleDecodeLevels(&d, lv, 9, 2, &err) == PQ_ERR_CORRUPT);
		free(w.buf);
	}
	/* spec example for BIT_PACKED: 0..7 width 3 is 0x05 0x39 0x77 */
	{
		uint8_t		bp[] = {0x05, 0x39, 0x77};
		int16_t		lv[8];
		int			i;

		memset(&err, 0, sizeof(err));
		CHECK(PqBitPackedDecodeLevels(bp, 3, 3, lv, 8, 7, &err) == PQ_OK);
		for (i = 0; i < 8; i++)
			CHECK(lv[i] == i);
		CHECK(PqBitPackedDecodeLevels(bp, 2, 3, lv, 8, 7, &err) == PQ_ERR_CORRUPT);
	}
}

static void
test_delta_roundtrip(void)
{
	PqError		err;
	int			rep;

	/* Encodings.md example 1: 1..5 -> header 128/4/5/1, min delta 1, widths 0 */
	{
		uint8_t		ex[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
		int32_t		out[5];
		size_t		used;

		memset(&err, 0, sizeof(err));
		CHECK(PqDecodeDeltaBinaryPacked(ex, sizeof(ex), 5, false, out, &used, &err) == PQ_OK);
		CHECK(out[0] == 1 && out[4] == 5 && used == sizeof(ex));
		CHECK(PqDecodeDeltaBinaryPacked(ex, 5, 5, false, out, &used, &err) == PQ_ERR_CORRUPT);
	}
	for (rep = 0; rep < 40; rep++)
	{
		int			n = 1 + (int) (rnd() % 700);
		bool		is64 = rep % 2 == 1;
		int64_t    *v = malloc(sizeof(int64_t) * (size_t) n);
		int64_t    *o64 = malloc(sizeof(int64_t) * (size_t) n);
		int32_t    *o32 = (int32_t *) o64;
		W			w = {0};
		size_t		used;
		int			i,
					bad = 0;

		for (i = 0; i < n; i++)
		{
			uint64_t	r = rnd();

			if (rep % 4 < 2)
				v[i] = (int64_t) (r % 1000) - 500;
			else if (is64)
				v[i] = (i % 3 == 0) ? INT64_MIN + (int64_t) (r % 7) : (int64_t) r;
			else
				v[i] = (i % 3 == 0) ? INT32_MIN : (int32_t) (uint32_t) r;
		}
		dbp_encode(&w, v, n, is64);
		w_bytes(&w, "tail", 4);
		memset(&err, 0, sizeof(err));
		CHECK(PqDecodeDeltaBinaryPacked(w.buf, w.len, n, is64, o64, &used, &err) == PQ_OK);
		CHECK(used == w.len - 4);
		for (i = 0; i < n; i++)
			bad |= is64 ? o64[i] != v[i] : o32[i] != (int32_t) v[i];
		CHECK(!bad);
		free(w.buf);
		free(v);
		free(o64);
	}
}

/* ----------------------------------------------------------------
 *		Codecs, Thrift, conversions, footer
 * ----------------------------------------------------------------
 */
static void
test_codecs(void)
{
	uint8_t		src[5000];
	uint8_t		comp[8000];
	uint8_t		out[5000];
	PqError		err;
	size_t		clen;
	int			i;

	for (i = 0; i < (int) sizeof(src); i++)
		src[i] = (uint8_t) ((i * 7) % 13 + (i / 100));

	clen = sizeof(comp);
	snappy_compress((const char *) src, sizeof(src), (char *) comp, &clen);
	memset(&err, 0, sizeof(err));
	CHECK(PqDecompress(PQ_CODEC_SNAPPY, comp, clen, out, sizeof(src), &err) == PQ_OK);
	CHECK(memcmp(out, src, sizeof(src)) == 0);
	CHECK(PqDecompress(PQ_CODEC_SNAPPY, comp, clen, out, sizeof(src) - 1, &err) == PQ_ERR_CORRUPT);

	clen = ZSTD_compress(comp, sizeof(comp), src, sizeof(src), 3);
	memset(&err, 0, sizeof(err));
	CHECK(PqDecompress(PQ_CODEC_ZSTD, comp, clen, out, sizeof(src), &err) == PQ_OK);
	CHECK(memcmp(out, src, sizeof(src)) == 0);
	memset(&err, 0, sizeof(err));
	CHECK(PqDecompress(PQ_CODEC_ZSTD, comp, clen / 2, out, sizeof(src), &err) == PQ_ERR_CORRUPT);

	{
		z_stream	zs;

		memset(&zs, 0, sizeof(zs));
		deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
		zs.next_in = src;
		zs.avail_in = sizeof(src);
		zs.next_out = comp;
		zs.avail_out = sizeof(comp);
		deflate(&zs, Z_FINISH);
		clen = sizeof(comp) - zs.avail_out;
		deflateEnd(&zs);
		memset(&err, 0, sizeof(err));
		CHECK(PqDecompress(PQ_CODEC_GZIP, comp, clen, out, sizeof(src), &err) == PQ_OK);
		CHECK(memcmp(out, src, sizeof(src)) == 0);
		memset(&err, 0, sizeof(err));
		CHECK(PqDecompress(PQ_CODEC_GZIP, comp, clen - 9, out, sizeof(src), &err) == PQ_ERR_CORRUPT);
	}
	clen = sizeof(comp);
	BrotliEncoderCompress(5, 22, BROTLI_MODE_GENERIC, sizeof(src), src, &clen, comp);
	memset(&err, 0, sizeof(err));
	CHECK(PqDecompress(PQ_CODEC_BROTLI, comp, clen, out, sizeof(src), &err) == PQ_OK);
	CHECK(memcmp(out, src, sizeof(src)) == 0);

	clen = (size_t) LZ4_compress_default((const char *) src, (char *) comp, sizeof(src), sizeof(comp));
	memset(&err, 0, sizeof(err));
	CHECK(PqDecompress(PQ_CODEC_LZ4_RAW, comp, clen, out, sizeof(src), &err) == PQ_OK);
	CHECK(memcmp(out, src, sizeof(src)) == 0);
	/* the LZ4 codec falls back to a raw block when Hadoop framing fails */
	memset(out, 0, sizeof(out));
	CHECK(PqDecompress(PQ_CODEC_LZ4, comp, clen, out, sizeof(src), &err) == PQ_OK);
	CHECK(memcmp(out, src, sizeof(src)) == 0);

	memset(&err, 0, sizeof(err));
	CHECK(PqDecompress(PQ_CODEC_LZO, comp, clen, out, sizeof(src), &err) == PQ_ERR_UNSUPPORTED);
	memset(&err, 0, sizeof(err));
	CHECK(PqDecompress((PqCodec) 42, comp, clen, out, sizeof(src), &err) == PQ_ERR_UNSUPPORTED);
	CHECK(strstr(err.message, "not supported") != NULL);
}

static void
test_thrift(void)
{
	PqError		err;
	PqThrift	t;
	uint64_t	v;
	uint8_t		buf[200];
	int			i;

	/* an 11-byte varint is refused */
	memset(buf, 0xff, 11);
	buf[10] = 0;
	memset(&err, 0, sizeof(err));
	PqThriftInit(&t, buf, 11, &err);
	CHECK(!PqThriftVarint(&t, &v));
	CHECK(err.code == PQ_ERR_CORRUPT);

	/* 100 nested structs in an unknown field: depth limit, no crash */
	for (i = 0; i < 100; i++)
		buf[i] = 0x1c;			/* field delta 1, type struct */
	memset(&err, 0, sizeof(err));
	PqThriftInit(&t, buf, 100, &err);
	CHECK(!PqThriftSkip(&t, PQ_TT_STRUCT));
	CHECK(strstr(err.message, "nesting") != NULL);

	/* a list claiming more elements than bytes */
	{
		uint8_t		l[] = {0xf5, 0xff, 0xff, 0x03};
		int			et;
		int32_t		n;

		memset(&err, 0, sizeof(err));
		PqThriftInit(&t, l, sizeof(l), &err);
		CHECK(!PqThriftListBegin(&t, PQ_TT_LIST, &et, &n));
	}
	/* a page header with unknown fields of every type is skipped over */
	{
		W			w = {0};
		PqPageHeader h;
		size_t		hl;

		t_begin(&w);
		t_i32(&w, 1, PQ_PAGE_INDEX);
		t_i32(&w, 2, 0);
		t_i32(&w, 3, 0);
		t_field(&w, PQ_TT_MAP, 30);
		w_varint(&w, 1);
		w_byte(&w, (PQ_TT_BINARY << 4) | PQ_TT_TRUE);
		w_varint(&w, 1);
		w_byte(&w, 'k');
		w_byte(&w, 1);
		t_list(&w, 31, PQ_TT_TRUE, 2);
		w_byte(&w, 1);
		w_byte(&w, 2);
		t_field(&w, PQ_TT_DOUBLE, 400);
		w_bytes(&w, "12345678", 8);
		t_field(&w, PQ_TT_BYTE, 401);
		w_byte(&w, 7);
		t_end(&w);
		memset(&err, 0, sizeof(err));
		CHECK(PqPageHeaderDecode(w.buf, w.len, &h, &hl, &err) == PQ_OK);
		CHECK(hl == w.len && h.type == PQ_PAGE_INDEX);
		for (i = 0; i < (int) w.len - 1; i++)
			CHECK(PqPageHeaderDecode(w.buf, (size_t) i, &h, &hl, &err) != PQ_OK);
		free(w.buf);
	}
}

static void
test_conversions(void)
{
	char		buf[128];
	int64_t		y,
				s;
	int			m,
				d;
	int32_t		ns;
	uint8_t		u[16];
	int			i;

	PqCivilFromDays(0, &y, &m, &d);
	CHECK(y == 1970 && m == 1 && d == 1);
	PqCivilFromDays(-1, &y, &m, &d);
	CHECK(y == 1969 && m == 12 && d == 31);
	PqCivilFromDays(19723, &y, &m, &d);
	CHECK(y == 2024 && m == 1 && d == 1);
	PqCivilFromDays(-719162, &y, &m, &d);
	CHECK(y == 1 && m == 1 && d == 1);
	PqCivilFromDays(11016, &y, &m, &d);
	CHECK(y == 2000 && m == 2 && d == 29);

	CHECK(PqTimeUnitToMicros(-1, PQ_UNIT_NANOS) == -1);
	CHECK(PqTimeUnitToMicros(1999, PQ_UNIT_NANOS) == 1);
	CHECK(PqTimeUnitToMicros(-5, PQ_UNIT_MILLIS) == -5000);
	CHECK(PqTimeUnitToMicros(INT64_MAX / 10, PQ_UNIT_MILLIS) == INT64_MAX);
	PqTimeUnitSplit(-1, PQ_UNIT_MICROS, &s, &ns);
	CHECK(s == -1 && ns == 999999000);

	PqDecimalFromInt64(-5, 3, buf, sizeof(buf));
	CHECK_STR(buf, "-0.005");
	PqDecimalFromInt64(INT64_MIN, 0, buf, sizeof(buf));
	CHECK_STR(buf, "-9223372036854775808");
	PqDecimalFromInt64(12345, 2, buf, sizeof(buf));
	CHECK_STR(buf, "123.45");
	PqDecimalFromInt64(0, 2, buf, sizeof(buf));
	CHECK_STR(buf, "0.00");
	CHECK(PqDecimalFromInt64(123456, 2, buf, 4) == 0);
	{
		/* -(2^127) in 16 bytes, scale 10 */
		uint8_t		be[16] = {0x80};

		PqDecimalToString(be, 16, 10, buf, sizeof(buf));
		CHECK_STR(buf, "-17014118346046923173168730371.5884105728");
	}
	{
		uint8_t		be[3] = {0xff, 0xff, 0xfe};

		PqDecimalToString(be, 3, 0, buf, sizeof(buf));
		CHECK_STR(buf, "-2");
	}
	for (i = 0; i < 16; i++)
		u[i] = (uint8_t) (i * 17);
	PqUuidToString(u, buf, sizeof(buf));
	CHECK_STR(buf, "00112233-4455-6677-8899-aabbccddeeff");
	{
		uint8_t		h[2] = {0x00, 0x7c};

		CHECK(isinf(PqFloat16ToFloat(h)));
		h[1] = 0x7e;
		CHECK(isnan(PqFloat16ToFloat(h)));
	}
	{
		PqInt96		v;
		int64_t		nod = 1000;
		int32_t		jd = 2440589;

		memcpy(v.bytes, &nod, 8);
		memcpy(v.bytes + 8, &jd, 4);
		CHECK(PqInt96ToMicros(&v) == 86400000000LL + 1);
		/* corrupt nanos of day far out of range saturate */
		nod = INT64_MAX;
		jd = INT32_MAX;
		memcpy(v.bytes, &nod, 8);
		memcpy(v.bytes + 8, &jd, 4);
		CHECK(PqInt96ToMicros(&v) == INT64_MAX);
		jd = INT32_MIN;
		nod = INT64_MIN;
		memcpy(v.bytes, &nod, 8);
		memcpy(v.bytes + 8, &jd, 4);
		CHECK(PqInt96ToMicros(&v) == INT64_MIN);
	}
}

static void
test_footer(void)
{
	PqError		err;
	uint32_t	len;
	uint8_t		tail[8] = {10, 0, 0, 0, 'P', 'A', 'R', '1'};

	CHECK(PqFooterPeek(tail, 8, 100, &len, &err) == PQ_OK && len == 10);
	CHECK(PqFooterPeek(tail, 8, 21, &len, &err) == PQ_ERR_CORRUPT);
	tail[7] = 'E';
	CHECK(PqFooterPeek(tail, 8, 100, &len, &err) == PQ_ERR_UNSUPPORTED);
	tail[7] = 'X';
	CHECK(PqFooterPeek(tail, 8, 100, &len, &err) == PQ_ERR_CORRUPT);
	CHECK(PqFooterPeek(tail, 7, 100, &len, &err) == PQ_ERR_CORRUPT);
	CHECK(PqFooterVerify((const uint8_t *) "PAR1", 4, &err) == PQ_OK);
	CHECK(PqFooterVerify((const uint8_t *) "PAR", 3, &err) == PQ_ERR_CORRUPT);
}

/* ----------------------------------------------------------------
 *		Allocator hook: failure at every allocation, no leaks
 * ----------------------------------------------------------------
 */
typedef struct CountingAlloc
{
	long		calls;
	long		fail_at;		/* fail the fail_at-th call; -1 never */
	long		live;
} CountingAlloc;

static void *
c_malloc(void *ctx, size_t size)
{
	CountingAlloc *c = ctx;

	if (c->calls++ == c->fail_at)
		return NULL;
	c->live++;
	return malloc(size);
}

static void *
c_realloc(void *ctx, void *p, size_t size)
{
	CountingAlloc *c = ctx;

	if (c->calls++ == c->fail_at)
		return NULL;
	return realloc(p, size);
}

static void
c_free(void *ctx, void *p)
{
	CountingAlloc *c = ctx;

	c->live--;
	free(p);
}

/* Decodes the whole file through the hook; returns the result code. */
static PqCode
decode_with(const uint8_t *data, size_t len, CountingAlloc *ca)
{
	PqAllocator a = {c_malloc, c_realloc, c_free, ca};
	PqFile		file;
	PqError		err;
	PqCode		rc;
	PqByteView	chunks[64];
	int			g,
				i;

	rc = PqFileOpenMemory(&file, data, len, &a, &err);
	if (rc != PQ_OK)
		return rc;
	for (g = 0; g < file.num_row_groups && rc == PQ_OK; g++)
	{
		PqRowGroupReader rg;
		int64_t		n = 1;

		for (i = 0; i < file.num_leaves && i < 64; i++)
		{
			chunks[i].ptr = data + file.row_groups[g].columns[i].range_offset;
			chunks[i].len = (uint32_t) file.row_groups[g].columns[i].range_length;
		}
		rc = PqRowGroupReaderInit(&rg, &file, g, chunks, NULL, &a, &err);
		while (rc == PQ_OK && n > 0)
			rc = PqRowGroupReaderNext(&rg, 50, &n, &err);
		PqRowGroupReaderReset(&rg);
	}
	PqFileReset(&file);
	return rc;
}

static void
test_allocator(const char *dir)
{
	const char *names[] = {"nested_v1.parquet", "types_v2.parquet"};
	int			k;

	for (k = 0; k < 2; k++)
	{
		char		path[1024];
		size_t		len;
		uint8_t    *data;
		CountingAlloc ca = {0, -1, 0};
		long		total,
					i,
					step;

		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		data = PqTestReadFile(path, &len);
		CHECK(decode_with(data, len, &ca) == PQ_OK);
		CHECK(ca.live == 0);
		total = ca.calls;
		step = total / 400 + 1;
		for (i = 0; i < total; i += step)
		{
			CountingAlloc f = {0, i, 0};
			PqCode		rc = decode_with(data, len, &f);

			CHECK(rc == PQ_ERR_NOMEM);
			CHECK(f.live == 0);
		}
		/* the page size limit refuses pages instead of allocating them */
		{
			PqError		err;
			uint64_t	sum = 0;

			CHECK(PqTestDecodeAll(data, len, 100, 64, &sum, &err) == PQ_ERR_LIMIT);
			CHECK(strstr(err.message, "limit") != NULL);
		}
		free(data);
	}
}

/*
 * Dictionary exposure and reader reuse on a file with 5 row groups:
 * dict_indices must agree with the values, and readers moved with Reinit
 * (with the projection changing between row groups) must read every row.
 */
static void
test_dictionary_and_reinit(const char *dir)
{
	char		path[1024];
	size_t		len;
	uint8_t    *data;
	PqFile		file;
	PqError		err;
	PqColumnReader cr;
	PqRowGroupReader rg;
	const PqSchemaNode *s;
	PqByteView *chunks;
	int			g,
				i,
				dict_batches = 0,
				bad = 0;
	int64_t		total = 0;

	snprintf(path, sizeof(path), "%s/types_rowgroups.parquet", dir);
	data = PqTestReadFile(path, &len);
	CHECK(PqFileOpenMemory(&file, data, len, NULL, &err) == PQ_OK);
	s = PqSchemaFindPath(&file, "s");
	CHECK(s != NULL && s->leaf_index >= 0);
	CHECK(file.num_row_groups == 5);
	for (g = 0; g < file.num_row_groups; g++)
	{
		const PqColumnChunkMeta *c = &file.row_groups[g].columns[s->leaf_index];
		PqBatch		b;
		const void *dict;
		int64_t		dn;
		PqCode		rc;

		rc = g == 0 ?
			PqColumnReaderInit(&cr, &file, g, s->leaf_index, data + c->range_offset,
							   (size_t) c->range_length, NULL, NULL, &err) :
			PqColumnReaderReinit(&cr, &file, g, data + c->range_offset,
								 (size_t) c->range_length, &err);
		CHECK(rc == PQ_OK);
		CHECK(PqColumnDictionary(&cr, &dict, &dn, &err) == PQ_OK);
		while (PqColumnReadBatch(&cr, 7, &b, &err) == PQ_OK && b.n_records > 0)
		{
			const PqByteView *v = b.values;
			const PqByteView *d = dict;
			int64_t		k;

			total += b.n_records;
			if (b.dict_indices == NULL)
				continue;
			dict_batches++;
			for (k = 0; k < b.n_values; k++)
				bad |= b.dict_indices[k] < 0 || b.dict_indices[k] >= dn ||
					d[b.dict_indices[k]].ptr != v[k].ptr;
		}
	}
	PqColumnReaderReset(&cr);
	CHECK(total == 10000);
	CHECK(dict_batches > 0);
	CHECK(!bad);

	/* row group reader: all leaves, then only leaf 0, then all again */
	chunks = calloc((size_t) file.num_leaves, sizeof(PqByteView));
	total = 0;
	for (g = 0; g < file.num_row_groups; g++)
	{
		int64_t		n;
		PqCode		rc;

		for (i = 0; i < file.num_leaves; i++)
		{
			bool		on = i == 0 || g % 3 != 1;

			chunks[i].ptr = on ? data + file.row_groups[g].columns[i].range_offset : NULL;
			chunks[i].len = (uint32_t) file.row_groups[g].columns[i].range_length;
		}
		rc = g == 0 ? PqRowGroupReaderInit(&rg, &file, g, chunks, NULL, NULL, &err) :
			PqRowGroupReaderReinit(&rg, g, chunks, &err);
		CHECK(rc == PQ_OK);
		while (PqRowGroupReaderNext(&rg, 33, &n, &err) == PQ_OK && n > 0)
			total += n;
		CHECK(err.code == PQ_OK);
	}
	PqRowGroupReaderReset(&rg);
	CHECK(total == 10000);
	free(chunks);
	PqFileReset(&file);
	free(data);
}

/* ----------------------------------------------------------------
 *		Streaming within a page: memory bounded by the batch
 * ----------------------------------------------------------------
 */
typedef struct PeakAlloc
{
	size_t		live;
	size_t		peak;
} PeakAlloc;

/* Each block carries its size in a 16-byte header so frees can be counted. */
static void *
p_malloc(void *ctx, size_t size)
{
	PeakAlloc  *pa = ctx;
	size_t	   *h = malloc(size + 16);

	if (h == NULL)
		return NULL;
	h[0] = size;
	pa->live += size;
	if (pa->live > pa->peak)
		pa->peak = pa->live;
	return (char *) h + 16;
}

static void
p_free(void *ctx, void *p)
{
	PeakAlloc  *pa = ctx;
	size_t	   *h = (size_t *) ((char *) p - 16);

	pa->live -= h[0];
	free(h);
}

static void *
p_realloc(void *ctx, void *p, size_t size)
{
	size_t	   *h = (size_t *) ((char *) p - 16);
	void	   *n = p_malloc(ctx, size);

	if (n == NULL)
		return NULL;
	memcpy(n, p, h[0] < size ? h[0] : size);
	p_free(ctx, p);
	return n;
}

/*
 * One row group of 100,000 rows whose every column is ONE uncompressed
 * data page (as DuckDB writes them): an optional INT64 (PLAIN), an
 * optional dictionary-encoded string and a LIST<INT32> with 0-3 elements
 * per row (150,000 level slots, so records cross level windows).  Read in
 * batches of 1024 rows, the core's peak allocation must stay bounded by
 * the batch: decoding the pages whole needs more than 4 MB (8 bytes per
 * INT64, 16 per string view, 4 per index, 2 per level, for every slot).
 * Uncompressed pages are views into the chunk, so nothing here is the
 * page body itself.  The values are checked too.
 */
static void
test_streaming_memory(void)
{
	enum
	{
		N = 100000
	};
	SchemaSpec	s[] = {
		{"schema", -1, 0, 3, -1, 0, 0},
		{"v", PQ_INT64, PQ_OPTIONAL, 0, -1, 0, 0},
		{"s", PQ_BYTE_ARRAY, PQ_OPTIONAL, 0, PQ_CT_UTF8, 0, 0},
		{"l", -1, PQ_OPTIONAL, 1, PQ_CT_LIST, 0, 0},
		{"list", -1, PQ_REPEATED, 1, -1, 0, 0},
		{"element", PQ_INT32, PQ_REQUIRED, 0, -1, 0, 0},
	};
	int			types[] = {PQ_INT64, PQ_BYTE_ARRAY, PQ_INT32};
	const char *paths[] = {"v", "s", "l.list.element"};
	ChunkSpec	c[3];
	W			f = {0},
				b = {0},
				l = {0};
	uint64_t   *def = malloc(sizeof(uint64_t) * N * 2);
	uint64_t   *rep = malloc(sizeof(uint64_t) * N * 2);
	uint64_t   *idx = malloc(sizeof(uint64_t) * N);
	int64_t		want_v = 0,
				want_l = 0,
				want_s = 0,
				got_v = 0,
				got_l = 0,
				got_s = 0,
				rows = 0;
	int			i,
				k,
				nl = 0,
				ni = 0;
	PeakAlloc	pa = {0, 0};
	PqAllocator a = {p_malloc, p_realloc, p_free, &pa};
	PqFile		file;
	PqRowGroupReader rg;
	PqByteView	chunks[3];
	PqError		err;
	int64_t		n = 1;

	memset(c, 0, sizeof(c));
	/* v: null every 7th row, else the row number */
	for (i = 0; i < N; i++)
		def[i] = i % 7 != 0;
	rle_encode(&l, def, N, 1);
	w_le32(&b, (uint32_t) l.len);
	w_bytes(&b, l.buf, l.len);
	for (i = 0; i < N; i++)
		if (i % 7 != 0)
		{
			int64_t		v = i;

			w_bytes(&b, &v, 8);
			want_v += v;
		}
	c[0].num_values = N;
	add_page_v1(&c[0], N, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &b);
	b.len = l.len = 0;
	/* s: dictionary "a", "bb", "ccc"; null every 5th row, else entry i % 3 */
	page_header(&c[1].pages, PQ_PAGE_DICTIONARY, 18, 18, 3, PQ_ENC_PLAIN_DICTIONARY,
				0, 0, 0, 0, 0, 0, false);
	w_bytes(&c[1].pages, "\1\0\0\0a\2\0\0\0bb\3\0\0\0ccc", 18);
	c[1].has_dict = true;
	for (i = 0; i < N; i++)
	{
		def[i] = i % 5 != 0;
		if (i % 5 != 0)
		{
			idx[ni++] = (uint64_t) (i % 3);
			want_s += i % 3 + 1;
		}
	}
	rle_encode(&l, def, N, 1);
	w_le32(&b, (uint32_t) l.len);
	w_bytes(&b, l.buf, l.len);
	w_byte(&b, 2);
	rle_encode(&b, idx, ni, 2);
	c[1].num_values = N;
	add_page_v1(&c[1], N, PQ_ENC_RLE_DICTIONARY, PQ_ENC_RLE, PQ_ENC_RLE, &b);
	b.len = l.len = 0;
	/* l: row i has i % 4 elements (0: an empty list), element j of all is j */
	for (i = 0; i < N; i++)
	{
		if (i % 4 == 0)
		{
			rep[nl] = 0;
			def[nl++] = 1;
			continue;
		}
		for (k = 0; k < i % 4; k++)
		{
			rep[nl] = k > 0;
			def[nl++] = 2;
		}
	}
	rle_encode(&l, rep, nl, 1);
	w_le32(&b, (uint32_t) l.len);
	w_bytes(&b, l.buf, l.len);
	l.len = 0;
	rle_encode(&l, def, nl, 2);
	w_le32(&b, (uint32_t) l.len);
	w_bytes(&b, l.buf, l.len);
	for (i = 0, ni = 0; i < nl; i++)
		if (def[i] == 2)
		{
			int32_t		v = ni++;

			w_bytes(&b, &v, 4);
			want_l += v;
		}
	c[2].num_values = nl;
	add_page_v1(&c[2], nl, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &b);
	build_file(&f, s, 6, c, 3, types, paths, N);

	CHECK(PqFileOpenMemory(&file, f.buf, f.len, &a, &err) == PQ_OK);
	for (i = 0; i < 3; i++)
	{
		chunks[i].ptr = f.buf + file.row_groups[0].columns[i].range_offset;
		chunks[i].len = (uint32_t) file.row_groups[0].columns[i].range_length;
	}
	CHECK(PqRowGroupReaderInit(&rg, &file, 0, chunks, NULL, &a, &err) == PQ_OK);
	while (PqRowGroupReaderNext(&rg, 1024, &n, &err) == PQ_OK && n > 0)
	{
		const PqBatch *bv = &rg.batches[0];
		const PqBatch *bs = &rg.batches[1];
		const PqBatch *bl = &rg.batches[2];

		rows += n;
		for (k = 0; k < bv->n_values; k++)
			got_v += ((const int64_t *) bv->values)[k];
		for (k = 0; k < bs->n_values; k++)
			got_s += ((const PqByteView *) bs->values)[k].len;
		for (k = 0; k < bl->n_values; k++)
			got_l += ((const int32_t *) bl->values)[k];
	}
	CHECK(err.code == PQ_OK);
	CHECK(rows == N);
	CHECK(got_v == want_v);
	CHECK(got_s == want_s);
	CHECK(got_l == want_l);
	/* about 200 KB: the level windows and the batch arrays */
	if (getenv("PQ_VERBOSE") || pa.peak > 512 * 1024)
	{
		printf("peak allocation %zu bytes for batches of 1024 rows\n", pa.peak);
		CHECK(pa.peak <= 512 * 1024);
	}
	PqRowGroupReaderReset(&rg);
	PqFileReset(&file);
	CHECK(pa.live == 0);
	free(f.buf);
	free(b.buf);
	free(l.buf);
	free(def);
	free(rep);
	free(idx);
}

/*
 * release_chunks, on a row group of three columns that are each ONE
 * LZ4-compressed page (DuckDB's layout), the third with a dictionary
 * page: every chunk is copied into a buffer of the counting allocator and
 * given with PqRowGroupReaderSetChunk, one at a time.  The reader must
 * free each chunk once its page is decompressed, so the peak stays under
 * the decompressed pages plus ONE chunk (holding all chunks beside the
 * pages needs about 1.2 MB more), nothing is left when reading ends, and
 * reading the row group again and again does not raise the peak.
 */
static void
test_release_chunks(void)
{
	enum
	{
		N = 100000
	};
	SchemaSpec	s[] = {
		{"schema", -1, 0, 3, -1, 0, 0},
		{"a", PQ_INT64, PQ_REQUIRED, 0, -1, 0, 0},
		{"b", PQ_INT64, PQ_REQUIRED, 0, -1, 0, 0},
		{"s", PQ_BYTE_ARRAY, PQ_REQUIRED, 0, PQ_CT_UTF8, 0, 0},
	};
	int			types[] = {PQ_INT64, PQ_INT64, PQ_BYTE_ARRAY};
	const char *paths[] = {"a", "b", "s"};
	ChunkSpec	c[3];
	W			f = {0},
				b = {0};
	uint64_t   *idx = malloc(sizeof(uint64_t) * N);
	uint8_t		dict[256 * 12 + 1];	/* + the last snprintf NUL */
	uint8_t		dcomp[sizeof(dict) * 2 + 64];
	size_t		dlen = 0;
	int			dclen;
	size_t		unc = 0,
				max_chunk = 0,
				first_peak = 0;
	int64_t		want = 0;
	uint32_t	x = 12345;
	int			i,
				pass;
	PeakAlloc	pa = {0, 0};
	PqAllocator a = {p_malloc, p_realloc, p_free, &pa};
	PqReaderOptions opts;
	PqFile		file;
	PqRowGroupReader rg;
	PqByteView	none[3];
	PqError		err;

	memset(c, 0, sizeof(c));
	memset(none, 0, sizeof(none));
	/* a, b: pseudo-random values, which LZ4 barely compresses */
	for (i = 0; i < 2; i++)
	{
		int			k;

		for (k = 0; k < N; k++)
		{
			int64_t		v;

			x = x * 1103515245u + 12345u;
			v = (int64_t) (x >> 8);
			w_bytes(&b, &v, 8);
			want += v;
		}
		c[i].codec = PQ_CODEC_LZ4;
		c[i].num_values = N;
		unc += b.len;
		add_page_v1(&c[i], N, PQ_ENC_PLAIN, PQ_ENC_RLE, PQ_ENC_RLE, &b);
		b.len = 0;
	}
	/* s: a dictionary of 256 eight-byte strings, a page of indices */
	for (i = 0; i < 256; i++)
	{
		uint32_t	len = 8;

		memcpy(dict + dlen, &len, 4);
		snprintf((char *) dict + dlen + 4, 9, "val%05d", i);
		dlen += 12;
	}
	dclen = LZ4_compress_default((const char *) dict, (char *) dcomp + 8, (int) dlen,
								 (int) sizeof(dcomp) - 8);
	dcomp[0] = dcomp[1] = 0;
	dcomp[2] = (uint8_t) (dlen >> 8);
	dcomp[3] = (uint8_t) dlen;
	dcomp[4] = dcomp[5] = 0;
	dcomp[6] = (uint8_t) (dclen >> 8);
	dcomp[7] = (uint8_t) dclen;
	page_header(&c[2].pages, PQ_PAGE_DICTIONARY, (int) dlen, dclen + 8, 256,
				PQ_ENC_PLAIN_DICTIONARY, 0, 0, 0, 0, 0, 0, false);
	w_bytes(&c[2].pages, dcomp, (size_t) dclen + 8);
	c[2].has_dict = true;
	c[2].codec = PQ_CODEC_LZ4;
	for (i = 0; i < N; i++)
	{
		x = x * 1103515245u + 12345u;
		idx[i] = x >> 24;
		want += (int64_t) idx[i];
	}
	w_byte(&b, 8);
	rle_encode(&b, idx, N, 8);
	unc += dlen + b.len;
	c[2].num_values = N;
	add_page_v1(&c[2], N, PQ_ENC_RLE_DICTIONARY, PQ_ENC_RLE, PQ_ENC_RLE, &b);
	build_file(&f, s, 4, c, 3, types, paths, N);

	CHECK(PqFileOpenMemory(&file, f.buf, f.len, NULL, &err) == PQ_OK);
	for (i = 0; i < 3; i++)
	{
		const PqColumnChunkMeta *cm = &file.row_groups[0].columns[i];

		if ((size_t) cm->range_length > max_chunk)
			max_chunk = (size_t) cm->range_length;
	}
	PqReaderOptionsInit(&opts);
	opts.release_chunks = true;
	CHECK(PqRowGroupReaderInit(&rg, &file, 0, none, &opts, &a, &err) == PQ_OK);
	for (pass = 0; pass < 6; pass++)
	{
		int64_t		got = 0,
					rows = 0,
					n;

		pa.peak = pa.live;
		CHECK(PqRowGroupReaderBegin(&rg, 0, &err) == PQ_OK);
		for (i = 0; i < 3; i++)
		{
			const PqColumnChunkMeta *cm = &file.row_groups[0].columns[i];
			uint8_t    *copy = p_malloc(&pa, (size_t) cm->range_length);

			memcpy(copy, f.buf + cm->range_offset, (size_t) cm->range_length);
			CHECK(PqRowGroupReaderSetChunk(&rg, i, copy, (size_t) cm->range_length,
										   &err) == PQ_OK);
			/* a chunk of one compressed page is gone once it is given */
			CHECK(rg.readers[i].data == NULL);
		}
		while (PqRowGroupReaderNext(&rg, 1024, &n, &err) == PQ_OK && n > 0)
		{
			const PqByteView *sv = rg.batches[2].values;
			int			k;

			rows += n;
			for (k = 0; k < n; k++)
			{
				got += ((const int64_t *) rg.batches[0].values)[k] +
					((const int64_t *) rg.batches[1].values)[k];
				got += atoi((const char *) sv[k].ptr + 3);
			}
		}
		CHECK(err.code == PQ_OK);
		CHECK(rows == N);
		CHECK(got == want);
		if (getenv("PQ_VERBOSE"))
			printf("release_chunks pass %d: peak %zu bytes, pages %zu, largest chunk %zu\n",
				   pass, pa.peak, unc, max_chunk);
		/* pages with their slack, one chunk, the dictionary, the batch arrays */
		CHECK(pa.peak <= unc + unc / 16 + max_chunk + 128 * 1024);
		/* the buffers of the first pass are reused, not doubled */
		if (pass == 1)
			first_peak = pa.peak;
		else if (pass > 1)
			CHECK(pa.peak <= first_peak + 1024);
	}
	PqRowGroupReaderReset(&rg);
	CHECK(pa.live == 0);
	PqFileReset(&file);
	free(f.buf);
	free(b.buf);
	free(idx);
}

int
main(int argc, char **argv)
{
	test_thrift();
	test_footer();
	test_conversions();
	test_codecs();
	test_rle_roundtrip();
	test_delta_roundtrip();
	test_legacy_list();
	test_record_spans_pages();
	test_legacy_nested();
	test_flat_encodings();
	test_streaming_memory();
	test_release_chunks();
	if (argc > 1)
	{
		test_allocator(argv[1]);
		test_dictionary_and_reinit(argv[1]);
	}
	printf("test_core: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
