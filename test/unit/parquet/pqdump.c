/*-------------------------------------------------------------------------
 *
 * pqdump.c
 *	  Prints a Parquet file as JSON lines, or measures decode throughput.
 *
 *	  pqdump [--batch N] FILE         every row as one JSON object per line
 *	  pqdump --schema FILE            the schema tree and column chunks
 *	  pqdump --bench [--repeat N] FILE
 *	                                  decode every column (and walk nested
 *	                                  fields) without printing; reports MB/s
 *	                                  of uncompressed column data
 *
 * Values are rendered the way DuckDB's to_json() renders them (timestamps
 * as "YYYY-MM-DD HH:MM:SS.ffffff", decimals as exact numbers, blobs with
 * \xHH escapes, maps as objects keyed by the map key), so run.sh can
 * compare the output with DuckDB's.  Exit status: 0 on success, 1 on a
 * reader error (the message goes to stderr), 2 on usage errors.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  test/unit/parquet/pqdump.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonout.h"
#include "walk.h"

/* ---- counting visitor for --bench ---- */

static int
c_any(void *ctx, const PqSchemaNode *n)
{
	(*(int64_t *) ctx)++;
	return 0;
}

static int
c_key(void *ctx, const char *name, size_t len)
{
	(*(int64_t *) ctx)++;
	return 0;
}

static int
c_val(void *ctx, const PqSchemaNode *leaf, const PqValue *v)
{
	(*(int64_t *) ctx)++;
	return 0;
}

static const PqVisitor count_visitor = {
	c_any, c_any, c_any, c_any, c_key, c_val, c_val, c_any, NULL
};

/*
 * Bench mode: consume flat top-level columns straight from their batches,
 * as the adapter does (one pass over levels and values, no per-row call).
 */
static void
touch_flat(PqRowGroupReader *rg, const PqSchemaNode *root, int64_t *acc)
{
	int			i;
	int64_t		k;

	for (i = 0; i < root->num_children; i++)
	{
		const PqSchemaNode *f = root->children[i];
		const PqBatch *b;

		if (f->physical_type == PQ_GROUP || f->repetition == PQ_REPEATED)
			continue;
		b = &rg->batches[f->leaf_index];
		if (b->def_levels)
			for (k = 0; k < b->n_levels; k++)
				*acc += b->def_levels[k];
		if (f->physical_type == PQ_BYTE_ARRAY || f->physical_type == PQ_FIXED_LEN_BYTE_ARRAY)
		{
			const PqByteView *v = b->values;

			for (k = 0; k < b->n_values; k++)
				*acc += v[k].len;
		}
		else if (b->n_values > 0)
			*acc += ((const uint8_t *) b->values)[b->n_values - 1];
	}
}

static void
print_schema(const PqFile *file)
{
	int			i,
				j;

	printf("version %d, %" PRId64 " rows, %d row groups, created by %s\n",
		   file->version, file->num_rows, file->num_row_groups,
		   file->created_by ? file->created_by : "?");
	for (i = 1; i < file->num_nodes; i++)
	{
		const PqSchemaNode *n = &file->nodes[i];

		printf("%*s%s %s %s %s%s%s def=%d rep=%d", n->depth * 2, "", n->path,
			   PqRepetitionName(n->repetition), PqPhysicalTypeName(n->physical_type),
			   PqLogicalTypeName(&n->logical),
			   n->converted_type != PQ_CT_NONE ? " ct=" : "",
			   PqConvertedTypeName(n->converted_type), n->max_def, n->max_rep);
		if (n->logical.kind == PQ_LT_DECIMAL)
			printf(" (%d,%d)", n->logical.precision, n->logical.scale);
		if (n->logical.kind == PQ_LT_TIMESTAMP || n->logical.kind == PQ_LT_TIME)
			printf(" unit=%d utc=%d", n->logical.unit, n->logical.is_adjusted_to_utc);
		printf("\n");
	}
	for (i = 0; i < file->num_row_groups; i++)
	{
		const PqRowGroupMeta *rg = &file->row_groups[i];

		printf("row group %d: %" PRId64 " rows\n", i, rg->num_rows);
		for (j = 0; j < rg->num_columns; j++)
		{
			const PqColumnChunkMeta *c = &rg->columns[j];
			int			k;

			printf("  %s %s offset=%" PRId64 " len=%" PRId64 " values=%" PRId64 " unc=%" PRId64 " enc=",
				   c->path, PqCodecName(c->codec), c->range_offset, c->range_length,
				   c->num_values, c->total_uncompressed_size);
			for (k = 0; k < c->num_encodings; k++)
				printf("%s%s", k ? "," : "", PqEncodingName(c->encodings[k]));
			printf("\n");
		}
	}
}

static void
die(const char *what, const PqError *err)
{
	fprintf(stderr, "pqdump: %s: %s: %s\n", what, PqCodeName(err->code), err->message);
	exit(1);
}

/*
 * Reads every row group with all leaves projected.  mode 0 prints JSON
 * lines, mode 1 only walks values (bench).  Returns uncompressed bytes.
 */
static int64_t
scan(const PqFile *file, const uint8_t *data, int64_t batch_rows, int mode,
	 int64_t *events)
{
	PqByteView *chunks = calloc((size_t) file->num_leaves + 1, sizeof(PqByteView));
	PqRecordCursor *cur = calloc((size_t) file->nodes[0].num_children + 1, sizeof(PqRecordCursor));
	PqError		err;
	Out			o = {0};
	int64_t		bytes = 0;
	int			g,
				i;
	PqVisitor	cv = count_visitor;
	PqRowGroupReader rg;

	cv.ctx = events;
	for (g = 0; g < file->num_row_groups; g++)
	{
		int64_t		n;

		for (i = 0; i < file->num_leaves; i++)
		{
			const PqColumnChunkMeta *c = &file->row_groups[g].columns[i];

			chunks[i].ptr = data + c->range_offset;
			chunks[i].len = (uint32_t) c->range_length;
			bytes += c->total_uncompressed_size;
		}
		/* later row groups reuse the reader's buffers */
		if ((g == 0 ? PqRowGroupReaderInit(&rg, file, g, chunks, NULL, NULL, &err) :
			 PqRowGroupReaderReinit(&rg, g, chunks, &err)) != PQ_OK)
			die("row group", &err);
		for (;;)
		{
			int64_t		r;
			const PqSchemaNode *root = &file->nodes[0];

			if (PqRowGroupReaderNext(&rg, batch_rows, &n, &err) != PQ_OK)
				die("batch", &err);
			if (n == 0)
				break;
			for (i = 0; i < root->num_children; i++)
				if (PqRowGroupReaderCursor(&rg, root->children[i], &cur[i], &err) != PQ_OK)
					die("cursor", &err);
			if (mode == 1)
				touch_flat(&rg, root, events);
			for (r = 0; r < n; r++)
			{
				o.len = 0;
				if (mode == 0)
				{
					if (PqJsonRow(&o, root, cur, &err) != PQ_OK)
						die("record", &err);
				}
				else
				{
					for (i = 0; i < root->num_children; i++)
					{
						const PqSchemaNode *f = root->children[i];

						if (f->physical_type == PQ_GROUP || f->repetition == PQ_REPEATED)
						{
							if (PqRecordVisit(&cur[i], &cv, &err) != PQ_OK)
								die("record", &err);
						}
					}
				}
				if (mode == 0)
				{
					out_mem(&o, "\n", 1);
					fwrite(o.buf, 1, o.len, stdout);
				}
			}
		}
	}
	if (file->num_row_groups > 0)
		PqRowGroupReaderReset(&rg);
	free(o.buf);
	free(chunks);
	free(cur);
	return bytes;
}

int
main(int argc, char **argv)
{
	int			mode = 0;
	int64_t		batch_rows = 4096;
	int			repeat = 1;
	const char *path = NULL;
	uint8_t    *data;
	size_t		len;
	PqFile		file;
	PqError		err;
	int			i;

	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--schema") == 0)
			mode = 2;
		else if (strcmp(argv[i], "--bench") == 0)
			mode = 1;
		else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
			batch_rows = atoll(argv[++i]);
		else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else if (argv[i][0] == '-')
		{
			fprintf(stderr, "usage: pqdump [--schema|--bench [--repeat N]] [--batch N] FILE\n");
			return 2;
		}
		else
			path = argv[i];
	}
	if (path == NULL || batch_rows <= 0)
	{
		fprintf(stderr, "usage: pqdump [--schema|--bench [--repeat N]] [--batch N] FILE\n");
		return 2;
	}
	data = PqTestReadFile(path, &len);
	if (PqFileOpenMemory(&file, data, len, NULL, &err) != PQ_OK)
		die("footer", &err);
	if (mode == 2)
		print_schema(&file);
	else if (mode == 0)
		scan(&file, data, batch_rows, 0, NULL);
	else
	{
		struct timespec t0,
					t1;
		int64_t		bytes = 0;
		int64_t		events = 0;
		double		secs;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < repeat; i++)
			bytes += scan(&file, data, batch_rows, 1, &events);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("rows %" PRId64 " x %d, uncompressed %.1f MB, %.3f s, %.1f MB/s, %" PRId64 " checksum\n",
			   file.num_rows, repeat, (double) bytes / 1e6, secs,
			   (double) bytes / 1e6 / secs, events);
	}
	PqFileReset(&file);
	free(data);
	return 0;
}
