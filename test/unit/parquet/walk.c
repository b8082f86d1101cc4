/*-------------------------------------------------------------------------
 *
 * walk.c
 *	  Decodes a whole in-memory Parquet file through the public API,
 *	  touching every value; shared by the corruption tests and the fuzzer.
 *
 * PqTestDecodeAll() opens the footer, reads every row group with every
 * leaf projected in small batches, walks every top-level field of every
 * row with a visitor that runs the conversion helpers on each value, and
 * returns the first error.  It must never crash, whatever the input.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  test/unit/parquet/walk.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "walk.h"

/* Runs the conversion helpers a consumer would, to cover them too. */
static int
touch_value(void *ctx, const PqSchemaNode *leaf, const PqValue *v)
{
	char		buf[256];
	uint64_t   *sum = ctx;
	int64_t		s;
	int32_t		ns;

	if (v == NULL)
		return 0;
	switch (leaf->physical_type)
	{
		case PQ_INT32:
			if (leaf->logical.kind == PQ_LT_DECIMAL)
				PqDecimalFromInt64(v->u.i32, leaf->logical.scale, buf, sizeof(buf));
			*sum += (uint32_t) v->u.i32;
			break;
		case PQ_INT64:
			if (leaf->logical.kind == PQ_LT_DECIMAL)
				PqDecimalFromInt64(v->u.i64, leaf->logical.scale, buf, sizeof(buf));
			if (leaf->logical.kind == PQ_LT_TIMESTAMP)
			{
				*sum += (uint64_t) PqTimeUnitToMicros(v->u.i64, leaf->logical.unit);
				PqTimeUnitSplit(v->u.i64, leaf->logical.unit, &s, &ns);
			}
			*sum += (uint64_t) v->u.i64;
			break;
		case PQ_INT96:
			*sum += (uint64_t) PqInt96ToMicros(&v->u.i96);
			break;
		case PQ_BYTE_ARRAY:
		case PQ_FIXED_LEN_BYTE_ARRAY:
			if (leaf->logical.kind == PQ_LT_DECIMAL)
				PqDecimalToString(v->u.bytes.ptr, v->u.bytes.len, leaf->logical.scale,
								  buf, sizeof(buf));
			if (leaf->logical.kind == PQ_LT_UUID && v->u.bytes.len == 16)
				PqUuidToString(v->u.bytes.ptr, buf, sizeof(buf));
			if (leaf->logical.kind == PQ_LT_FLOAT16 && v->u.bytes.len == 2)
				*sum += (uint64_t) PqFloat16ToFloat(v->u.bytes.ptr);
			if (v->u.bytes.len > 0)
				*sum += v->u.bytes.ptr[0] + v->u.bytes.ptr[v->u.bytes.len - 1];
			break;
		default:
			*sum += 1;
			break;
	}
	return 0;
}

static int
touch_node(void *ctx, const PqSchemaNode *n)
{
	(*(uint64_t *) ctx)++;
	return 0;
}

static int
touch_key(void *ctx, const char *name, size_t len)
{
	(*(uint64_t *) ctx) += len;
	return 0;
}

PqCode
PqTestDecodeAll(const uint8_t *data, size_t len, int64_t batch_rows,
				size_t max_page_size, uint64_t *checksum, PqError *err)
{
	PqFile		file;
	PqCode		rc;
	PqReaderOptions opts;
	PqByteView *chunks = NULL;
	PqRecordCursor *cur = NULL;
	PqVisitor	v = {touch_node, touch_node, touch_node, touch_node,
	touch_key, touch_value, touch_value, touch_node, checksum};
	PqRowGroupReader rg;
	bool		open = false;
	int			g,
				i;

	PqReaderOptionsInit(&opts);
	opts.max_page_size = max_page_size;
	rc = PqFileOpenMemory(&file, data, len, NULL, err);
	if (rc != PQ_OK)
		return rc;
	chunks = calloc((size_t) file.num_leaves + 1, sizeof(PqByteView));
	cur = calloc((size_t) file.nodes[0].num_children + 1, sizeof(PqRecordCursor));
	for (g = 0; g < file.num_row_groups && rc == PQ_OK; g++)
	{
		int64_t		n;

		for (i = 0; i < file.num_leaves; i++)
		{
			const PqColumnChunkMeta *c = &file.row_groups[g].columns[i];

			/* the footer validated the range against the file size */
			chunks[i].ptr = data + c->range_offset;
			chunks[i].len = (uint32_t) c->range_length;
		}
		/* the first row group opens the reader, later ones reuse it */
		rc = g == 0 ? PqRowGroupReaderInit(&rg, &file, g, chunks, &opts, NULL, err) :
			PqRowGroupReaderReinit(&rg, g, chunks, err);
		if (rc != PQ_OK)
			break;
		open = true;
		while (rc == PQ_OK)
		{
			const PqSchemaNode *root = &file.nodes[0];
			int64_t		r;

			rc = PqRowGroupReaderNext(&rg, batch_rows, &n, err);
			if (rc != PQ_OK || n == 0)
				break;
			for (i = 0; i < root->num_children && rc == PQ_OK; i++)
				rc = PqRowGroupReaderCursor(&rg, root->children[i], &cur[i], err);
			for (r = 0; r < n && rc == PQ_OK; r++)
				for (i = 0; i < root->num_children && rc == PQ_OK; i++)
					rc = (r % 3 == 2) ? PqRecordSkip(&cur[i], err) :
						PqRecordVisit(&cur[i], &v, err);
		}
	}
	if (open)
		PqRowGroupReaderReset(&rg);
	free(chunks);
	free(cur);
	PqFileReset(&file);
	return rc;
}

/* Reads a whole file into malloc'd memory; exits with status 2 on failure. */
uint8_t *
PqTestReadFile(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *buf;
	long		n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
		fseek(f, 0, SEEK_SET) != 0)
	{
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		exit(2);
	}
	buf = malloc((size_t) n + 1);
	if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n)
	{
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	*len = (size_t) n;
	return buf;
}
