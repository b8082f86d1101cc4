/*-------------------------------------------------------------------------
 *
 * rowgroup.c
 *	  Reading the projected columns of one row group in lockstep.
 *
 * A PqRowGroupReader owns one PqColumnReader per projected leaf and reads
 * the same number of records from each, so that row i of every batch
 * belongs to the same row.  Flat columns are then consumed straight from
 * the batches; nested fields are walked with PqRowGroupReaderCursor() and
 * PqRecordVisit().  The caller provides each projected chunk's bytes
 * (fetched with ranged reads), so the reader never touches the file.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/rowgroup.c
 *
 *-------------------------------------------------------------------------
 */
#include "pq_internal.h"

/*
 * Opens the row group.  chunks[i] (i < file->num_leaves) holds leaf i's
 * column chunk bytes, or a NULL ptr for a leaf that is not read.  The
 * chunk bytes must outlive the reader.
 */
PqCode
PqRowGroupReaderInit(PqRowGroupReader *g, const PqFile *file, int row_group,
					 const PqByteView *chunks, const PqReaderOptions *opts,
					 const PqAllocator *allocator, PqError *err)
{
	int			n;
	int			i;
	PqCode		rc;

	PqErrorClear(err);
	memset(g, 0, sizeof(*g));
	g->allocator = allocator ? *allocator : *PqDefaultAllocator();
	if (file == NULL || row_group < 0 || row_group >= file->num_row_groups || chunks == NULL)
		return PqSetError(err, PQ_ERR_INVALID, "invalid row group reader arguments");
	g->file = file;
	g->row_group = row_group;
	if (opts)
		g->options = *opts;
	else
		PqReaderOptionsInit(&g->options);
	g->rows_left = file->row_groups[row_group].num_rows;
	n = file->num_leaves;
	g->readers = PqAlloc(&g->allocator, sizeof(PqColumnReader) * (size_t) (n + 1));
	g->projected = PqAlloc(&g->allocator, sizeof(bool) * (size_t) (n + 1));
	g->batches = PqAlloc(&g->allocator, sizeof(PqBatch) * (size_t) (n + 1));
	g->cursors = PqAlloc(&g->allocator, sizeof(PqLeafCursor) * (size_t) (n + 1));
	/* zero the readers first: Reset walks them after a failure */
	if (g->readers)
		memset(g->readers, 0, sizeof(PqColumnReader) * (size_t) (n + 1));
	if (!g->readers || !g->projected || !g->batches || !g->cursors)
	{
		PqRowGroupReaderReset(g);
		return PqSetError(err, PQ_ERR_NOMEM, "out of memory");
	}
	memset(g->batches, 0, sizeof(PqBatch) * (size_t) (n + 1));
	for (i = 0; i < n; i++)
	{
		g->projected[i] = chunks[i].ptr != NULL;
		if (!g->projected[i])
			continue;
		rc = PqColumnReaderInit(&g->readers[i], file, row_group, i, chunks[i].ptr,
								chunks[i].len, &g->options, &g->allocator, err);
		if (rc != PQ_OK)
		{
			PqRowGroupReaderReset(g);
			return rc;
		}
	}
	return PQ_OK;
}

/*
 * Moves an open reader to another row group of the same file, keeping
 * every column reader's buffers (see PqColumnReaderReinit).  chunks is as
 * for Init; the projection may change.  On failure the reader is Reset.
 * (PqRowGroupReaderBegin, then PqRowGroupReaderSetChunk for each chunk.)
 */
PqCode
PqRowGroupReaderReinit(PqRowGroupReader *g, int row_group, const PqByteView *chunks,
					   PqError *err)
{
	int			i;
	PqCode		rc;

	if (chunks == NULL)
	{
		PqErrorClear(err);
		return PqSetError(err, PQ_ERR_INVALID, "invalid row group reader arguments");
	}
	rc = PqRowGroupReaderBegin(g, row_group, err);
	for (i = 0; rc == PQ_OK && i < g->file->num_leaves; i++)
	{
		if (chunks[i].ptr != NULL)
			rc = PqRowGroupReaderSetChunk(g, i, chunks[i].ptr, chunks[i].len, err);
		else if (g->projected[i])
		{
			PqColumnReaderReset(&g->readers[i]);
			g->projected[i] = false;
		}
	}
	return rc;
}

/*
 * Moves an open reader to another row group of the same file without
 * touching its column readers: the caller then gives each projected leaf
 * its chunk with PqRowGroupReaderSetChunk(), one at a time, so that with
 * release_chunks a chunk can be fetched, decompressed and freed before the
 * next one is fetched.  A leaf not given a chunk for the new row group must
 * not be projected (its reader would still point at the old chunk).
 */
PqCode
PqRowGroupReaderBegin(PqRowGroupReader *g, int row_group, PqError *err)
{
	const PqFile *file = g->file;

	PqErrorClear(err);
	if (file == NULL || row_group < 0 || row_group >= file->num_row_groups)
		return PqSetError(err, PQ_ERR_INVALID, "invalid row group reader arguments");
	g->row_group = row_group;
	g->rows_left = file->row_groups[row_group].num_rows;
	memset(g->batches, 0, sizeof(PqBatch) * (size_t) (file->num_leaves + 1));
	return PQ_OK;
}

/*
 * Gives leaf `leaf` its column chunk in the current row group (see
 * PqRowGroupReaderBegin; PqRowGroupReaderInit with a NULL chunk for every
 * leaf opens a reader to be filled this way).  The leaf becomes projected.
 * With release_chunks the reader owns chunk from here on.  On failure the
 * whole reader is Reset.
 */
PqCode
PqRowGroupReaderSetChunk(PqRowGroupReader *g, int leaf, const uint8_t *chunk,
						 size_t chunk_len, PqError *err)
{
	PqCode		rc;

	PqErrorClear(err);
	if (g->file == NULL || leaf < 0 || leaf >= g->file->num_leaves || chunk == NULL)
		return PqSetError(err, PQ_ERR_INVALID, "invalid row group reader arguments");
	if (g->projected[leaf])
		rc = PqColumnReaderReinit(&g->readers[leaf], g->file, g->row_group, chunk,
								  chunk_len, err);
	else
		rc = PqColumnReaderInit(&g->readers[leaf], g->file, g->row_group, leaf, chunk,
								chunk_len, &g->options, &g->allocator, err);
	g->projected[leaf] = rc == PQ_OK;
	if (rc != PQ_OK)
		PqRowGroupReaderReset(g);
	return rc;
}

/*
 * Reads the next batch of up to max_rows rows from every projected leaf;
 * *n_rows is 0 at the end of the row group.  Leaves that disagree on the
 * number of rows, or end before the row group's row count, are corrupt.
 */
PqCode
PqRowGroupReaderNext(PqRowGroupReader *g, int64_t max_rows, int64_t *n_rows,
					 PqError *err)
{
	int			i;
	int64_t		rows = -1;
	int			first = -1;
	PqCode		rc;

	PqErrorClear(err);
	*n_rows = 0;
	if (g->file == NULL)
		return PqSetError(err, PQ_ERR_INVALID, "row group reader not initialized");
	if (max_rows > g->rows_left)
		max_rows = g->rows_left;
	if (max_rows <= 0)
		return PQ_OK;
	for (i = 0; i < g->file->num_leaves; i++)
	{
		if (!g->projected[i])
			continue;
		rc = PqColumnReadBatch(&g->readers[i], max_rows, &g->batches[i], err);
		if (rc != PQ_OK)
			return rc;
		if (rows < 0)
		{
			rows = g->batches[i].n_records;
			first = i;
		}
		else if (g->batches[i].n_records != rows)
			return PqSetError(err, PQ_ERR_CORRUPT,
							  "columns \"%s\" and \"%s\" have different row counts",
							  g->file->leaves[first]->path, g->file->leaves[i]->path);
	}
	if (rows < 0)
		rows = max_rows;		/* nothing projected: count rows only */
	if (rows < max_rows)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "column chunks end after %lld of %lld rows",
						  (long long) (g->file->row_groups[g->row_group].num_rows - g->rows_left + rows),
						  (long long) g->file->row_groups[g->row_group].num_rows);
	g->rows_left -= rows;
	*n_rows = rows;
	return PQ_OK;
}

/*
 * Prepares rc to walk `field` over the current batches.  Every leaf under
 * field must be projected.  The cursor is invalidated by the next
 * PqRowGroupReaderNext().
 */
PqCode
PqRowGroupReaderCursor(PqRowGroupReader *g, const PqSchemaNode *field,
					   PqRecordCursor *rc, PqError *err)
{
	int			i;

	PqErrorClear(err);
	if (field == NULL || field->leaf_count <= 0)
		return PqSetError(err, PQ_ERR_INVALID, "invalid field");
	for (i = field->leaf_first; i < field->leaf_first + field->leaf_count; i++)
		if (!g->projected[i])
			return PqSetError(err, PQ_ERR_INVALID, "column \"%s\" is not projected",
							  g->file->leaves[i]->path);
	return PqRecordCursorInit(rc, field, g->cursors + field->leaf_first, g->batches, err);
}

/* Frees the column readers and arrays. */
void
PqRowGroupReaderReset(PqRowGroupReader *g)
{
	PqAllocator a = g->allocator;
	int			i;

	if (a.free_fn == NULL)
		return;
	if (g->readers != NULL && g->file != NULL)
		for (i = 0; i < g->file->num_leaves; i++)
			PqColumnReaderReset(&g->readers[i]);
	PqFree(&a, g->readers);
	PqFree(&a, g->projected);
	PqFree(&a, g->batches);
	PqFree(&a, g->cursors);
	memset(g, 0, sizeof(*g));
	g->allocator = a;
}
