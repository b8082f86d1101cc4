/*-------------------------------------------------------------------------
 *
 * assemble.c
 *	  Record assembly: walking a nested field's value as a tree of events.
 *
 * Given batches of levels and values for every leaf under a field,
 * PqRecordVisit() rebuilds one row's value of that field from the
 * definition and repetition levels (the Dremel algorithm, recursive on the
 * schema) and reports it to a PqVisitor: a struct is an object keyed by
 * field name, a MAP an object keyed by the map key, a LIST or a bare
 * repeated field an array, and leaves scalars or nulls.  The adapter can
 * build jsonb straight from these events, without printing JSON text.
 *
 * How levels drive the walk: all leaves under a node share that node's
 * ancestry, so the first leaf under a node says whether the node is null
 * (definition level below the node's) or, for a repeated node, whether it
 * has another element (the next slot's repetition level equals the node's).
 * A null or empty node occupies exactly one slot in every leaf under it.
 * Which groups are lists and maps, and what a list's element is, was
 * decided once per schema (PqSchemaNode.nested, see schema.c).
 *
 * Every cursor access is bounds-checked: inconsistent levels give
 * PQ_ERR_CORRUPT, never a read outside the batches.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/assemble.c
 *
 *-------------------------------------------------------------------------
 */
#include "pq_internal.h"

typedef struct AsmState
{
	PqRecordCursor *rc;
	const PqVisitor *v;
	PqError    *err;
} AsmState;

static PqCode visit_field(AsmState *st, const PqSchemaNode *node);
static PqCode visit_value(AsmState *st, const PqSchemaNode *node);

#define CALLBACK(st, fn, ...) \
	do { \
		if ((st)->v->fn != NULL && (st)->v->fn((st)->v->ctx, __VA_ARGS__) != 0) \
			return PqSetError((st)->err, PQ_ERR_CALLBACK, "visitor stopped the walk"); \
	} while (0)

static inline PqLeafCursor *
first_cursor(AsmState *st, const PqSchemaNode *node)
{
	return &st->rc->cursors[node->leaf_first - st->rc->field->leaf_first];
}

static PqCode
levels_exhausted(AsmState *st, const PqLeafCursor *c)
{
	return PqSetError(st->err, PQ_ERR_CORRUPT,
					  "column \"%s\": levels end inside a record", c->leaf->path);
}

/* Definition level at the cursor (max_def when the column has none). */
static inline int16_t
cur_def(const PqLeafCursor *c)
{
	return c->batch->def_levels ? c->batch->def_levels[c->level_pos] : c->leaf->max_def;
}

static inline int16_t
cur_rep(const PqLeafCursor *c)
{
	return c->batch->rep_levels ? c->batch->rep_levels[c->level_pos] : 0;
}

/*
 * Consumes the single slot that a null or empty `node` occupies in each
 * leaf under it, checking that every leaf agrees the node is absent.
 */
static PqCode
consume_absent(AsmState *st, const PqSchemaNode *node)
{
	int			i;
	PqLeafCursor *c = first_cursor(st, node);

	for (i = 0; i < node->leaf_count; i++, c++)
	{
		if (c->level_pos >= c->batch->n_levels)
			return levels_exhausted(st, c);
		if (cur_def(c) >= node->max_def)
			return PqSetError(st->err, PQ_ERR_CORRUPT,
							  "column \"%s\": levels disagree with sibling columns",
							  c->leaf->path);
		c->level_pos++;
	}
	return PQ_OK;
}

/* Reads the leaf's current value and advances its cursor. */
static PqCode
take_value(AsmState *st, PqLeafCursor *c, PqValue *out)
{
	const uint8_t *base = c->batch->values;

	if (cur_def(c) != c->leaf->max_def)
		return PqSetError(st->err, PQ_ERR_CORRUPT,
						  "column \"%s\": required value is missing", c->leaf->path);
	if (c->value_pos >= c->batch->n_values)
		return PqSetError(st->err, PQ_ERR_CORRUPT,
						  "column \"%s\": fewer values than levels", c->leaf->path);
	switch (c->leaf->physical_type)
	{
		case PQ_BOOLEAN:
			out->u.b = base[c->value_pos] != 0;
			break;
		case PQ_INT32:
			memcpy(&out->u.i32, base + c->value_pos * 4, 4);
			break;
		case PQ_FLOAT:
			memcpy(&out->u.f, base + c->value_pos * 4, 4);
			break;
		case PQ_INT64:
			memcpy(&out->u.i64, base + c->value_pos * 8, 8);
			break;
		case PQ_DOUBLE:
			memcpy(&out->u.d, base + c->value_pos * 8, 8);
			break;
		case PQ_INT96:
			memcpy(&out->u.i96, base + c->value_pos * sizeof(PqInt96), sizeof(PqInt96));
			break;
		case PQ_BYTE_ARRAY:
		case PQ_FIXED_LEN_BYTE_ARRAY:
			out->u.bytes = ((const PqByteView *) base)[c->value_pos];
			break;
		case PQ_GROUP:
			return PqSetError(st->err, PQ_ERR_INVALID, "group used as a leaf");
	}
	c->value_pos++;
	c->level_pos++;
	return PQ_OK;
}

/*
 * Emits the elements of repeated node `rep` as an array (or, for a map,
 * as object members through visit_entry).  element is the node to visit
 * per element: rep itself, or its single child in the 3-level LIST form.
 */
static PqCode
visit_repeated(AsmState *st, const PqSchemaNode *container,
			   const PqSchemaNode *rep, const PqSchemaNode *element, bool is_map)
{
	PqLeafCursor *c = first_cursor(st, rep);
	PqCode		rc;

	/* a map is an object of its entries; anything else repeated is an array */
	if (is_map)
		CALLBACK(st, begin_object, container);
	else
		CALLBACK(st, begin_array, container);
	if (c->level_pos >= c->batch->n_levels)
		return levels_exhausted(st, c);
	if (cur_def(c) < rep->max_def)
	{
		/* zero elements */
		rc = consume_absent(st, rep);
		if (rc != PQ_OK)
			return rc;
	}
	else
	{
		for (;;)
		{
			if (is_map)
			{
				const PqSchemaNode *key = rep->children[0];
				PqLeafCursor *kc = first_cursor(st, key);
				PqValue		kv;

				if (kc->level_pos >= kc->batch->n_levels)
					return levels_exhausted(st, kc);
				if (cur_def(kc) < key->max_def)
				{
					/* a null key is invalid Parquet; report it as a null key */
					rc = consume_absent(st, key);
					if (rc != PQ_OK)
						return rc;
					CALLBACK(st, map_key, key, NULL);
				}
				else
				{
					rc = take_value(st, kc, &kv);
					if (rc != PQ_OK)
						return rc;
					CALLBACK(st, map_key, key, &kv);
				}
				if (rep->num_children > 1)
					rc = visit_field(st, rep->children[1]);
				else
				{
					CALLBACK(st, null, rep);
					rc = PQ_OK;
				}
			}
			else if (element == rep)
				rc = visit_value(st, rep);
			else
				rc = visit_field(st, element);
			if (rc != PQ_OK)
				return rc;
			/* another element follows when the next slot repeats at rep's level */
			if (c->level_pos >= c->batch->n_levels || cur_rep(c) < rep->max_rep)
				break;
			if (cur_rep(c) > rep->max_rep)
				return PqSetError(st->err, PQ_ERR_CORRUPT,
								  "column \"%s\": repetition level %d deeper than expected",
								  c->leaf->path, cur_rep(c));
		}
	}
	if (is_map)
		CALLBACK(st, end_object, container);
	else
		CALLBACK(st, end_array, container);
	return PQ_OK;
}

/* Visits a node known to be present (its parent is defined). */
static PqCode
visit_value(AsmState *st, const PqSchemaNode *node)
{
	PqLeafCursor *c = first_cursor(st, node);
	PqCode		rc;
	int			i;

	/* the first leaf under the node decides whether the node is null */
	if (c->level_pos >= c->batch->n_levels)
		return levels_exhausted(st, c);
	if (node->repetition == PQ_OPTIONAL && cur_def(c) < node->max_def)
	{
		rc = consume_absent(st, node);
		if (rc != PQ_OK)
			return rc;
		CALLBACK(st, null, node);
		return PQ_OK;
	}
	if (node->physical_type != PQ_GROUP)
	{
		PqValue		v;

		rc = take_value(st, c, &v);
		if (rc != PQ_OK)
			return rc;
		CALLBACK(st, scalar, node, &v);
		return PQ_OK;
	}
	if (node->nested == PQ_NESTED_LIST)
		return visit_repeated(st, node, node->repeated, node->element, false);
	if (node->nested == PQ_NESTED_MAP)
		return visit_repeated(st, node, node->repeated, node->repeated, true);
	/* a struct */
	CALLBACK(st, begin_object, node);
	for (i = 0; i < node->num_children; i++)
	{
		const PqSchemaNode *child = node->children[i];

		CALLBACK(st, key, child->name, child->name_len);
		rc = visit_field(st, child);
		if (rc != PQ_OK)
			return rc;
	}
	CALLBACK(st, end_object, node);
	return PQ_OK;
}

/* Visits a field of a present parent: a bare repeated field is an array. */
static PqCode
visit_field(AsmState *st, const PqSchemaNode *node)
{
	if (node->repetition == PQ_REPEATED)
		return visit_repeated(st, node, node, node, false);
	return visit_value(st, node);
}

/* Fills cursors for the leaves under node in order (depth first). */
static void
collect_leaves(const PqSchemaNode *node, PqLeafCursor *cursors, int *n)
{
	int			i;

	if (node->physical_type != PQ_GROUP)
	{
		cursors[(*n)++].leaf = node;
		return;
	}
	for (i = 0; i < node->num_children; i++)
		collect_leaves(node->children[i], cursors, n);
}

/*
 * Prepares a cursor over one field.  cursors must have room for
 * field->leaf_count entries; batches is indexed by leaf index (as in
 * PqRowGroupReader), so batches[field->leaf_first + i] feeds cursors[i].
 * Every one of those batches must hold the same number of records.
 */
PqCode
PqRecordCursorInit(PqRecordCursor *rc, const PqSchemaNode *field,
				   PqLeafCursor *cursors, const PqBatch *batches, PqError *err)
{
	int			n = 0;
	int			i;

	PqErrorClear(err);
	if (field == NULL || field->parent == NULL || field->leaf_count <= 0)
		return PqSetError(err, PQ_ERR_INVALID, "record cursor needs a non-root field with leaves");
	rc->field = field;
	rc->cursors = cursors;
	rc->n_cursors = field->leaf_count;
	collect_leaves(field, cursors, &n);
	for (i = 0; i < n; i++)
	{
		cursors[i].batch = &batches[field->leaf_first + i];
		cursors[i].level_pos = 0;
		cursors[i].value_pos = 0;
		if (cursors[i].batch->n_records != cursors[0].batch->n_records)
			return PqSetError(err, PQ_ERR_CORRUPT,
							  "columns \"%s\" and \"%s\" have different row counts",
							  cursors[0].leaf->path, cursors[i].leaf->path);
	}
	return PQ_OK;
}

/*
 * Walks the next row's value of the cursor's field, calling the visitor.
 * A null field gives one null event.  After the walk every leaf cursor
 * must sit at a record boundary, or the file is corrupt.
 */
PqCode
PqRecordVisit(PqRecordCursor *rc, const PqVisitor *visitor, PqError *err)
{
	AsmState	st;
	PqCode		code;
	int			i;

	PqErrorClear(err);
	st.rc = rc;
	st.v = visitor;
	st.err = err;
	for (i = 0; i < rc->n_cursors; i++)
	{
		PqLeafCursor *c = &rc->cursors[i];

		if (c->level_pos >= c->batch->n_levels)
			return PqSetError(err, PQ_ERR_INVALID, "no more records in the batch");
		if (cur_rep(c) != 0)
			return PqSetError(err, PQ_ERR_CORRUPT,
							  "column \"%s\": record does not start at repetition level 0",
							  c->leaf->path);
	}
	code = visit_field(&st, rc->field);
	if (code != PQ_OK)
		return code;
	for (i = 0; i < rc->n_cursors; i++)
	{
		PqLeafCursor *c = &rc->cursors[i];

		if (c->level_pos < c->batch->n_levels && cur_rep(c) != 0)
			return PqSetError(err, PQ_ERR_CORRUPT,
							  "column \"%s\": record has more levels than its siblings",
							  c->leaf->path);
	}
	return PQ_OK;
}

/* Skips the next row's value of the field without visiting it. */
PqCode
PqRecordSkip(PqRecordCursor *rc, PqError *err)
{
	int			i;

	PqErrorClear(err);
	for (i = 0; i < rc->n_cursors; i++)
	{
		PqLeafCursor *c = &rc->cursors[i];

		if (c->level_pos >= c->batch->n_levels)
			return PqSetError(err, PQ_ERR_INVALID, "no more records in the batch");
		do
		{
			if (cur_def(c) == c->leaf->max_def)
				c->value_pos++;
			c->level_pos++;
		} while (c->level_pos < c->batch->n_levels && cur_rep(c) != 0);
		if (c->value_pos > c->batch->n_values)
			return PqSetError(err, PQ_ERR_CORRUPT,
							  "column \"%s\": fewer values than levels", c->leaf->path);
	}
	return PQ_OK;
}
