/*-------------------------------------------------------------------------
 *
 * insert.c
 *	  Insert ready-made rows into a table through the executor, as COPY does.
 *
 * The format readers build Datums directly (no text re-serialization), so
 * COPY's CopyFrom() cannot take them.  This file does what CopyFrom() does
 * with them: partition routing, BEFORE/AFTER row and statement triggers
 * (with transition tables), generated columns, constraints, the partition
 * constraint, index insertion, and table_multi_insert() batches when no
 * trigger or volatile default could observe the difference.  The structure
 * follows src/backend/commands/copyfrom.c (PostgreSQL 15); no code is copied.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/loader/insert.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "commands/trigger.h"
#include "executor/execPartition.h"
#include "executor/executor.h"
#include "executor/nodeModifyTable.h"
#include "executor/tuptable.h"
#include "nodes/makefuncs.h"
#include "utils/rel.h"

#include "loader/loader.h"

/* Rows per table_multi_insert() call; COPY uses the same figure. */
#define INSERT_BATCH_ROWS	1000

/* Bytes per batch, so that wide rows do not pile up in memory. */
#define INSERT_BATCH_BYTES	(1024 * 1024)

typedef struct RowInserter
{
	EState	   *estate;
	ModifyTableState *mtstate;
	ResultRelInfo *root;
	PartitionTupleRouting *proute;
	TransitionCaptureState *transition;
	BulkInsertState bistate;
	CommandId	cid;
	TupleTableSlot *rootslot;	/* incoming row, root row type */
	int64	   *lineno;			/* caller's line counter, for error context */
	bool		no_batching;	/* a volatile default must see each row */

	/* batch of rows for one result relation */
	ResultRelInfo *batch_rel;
	TupleTableSlot *slots[INSERT_BATCH_ROWS];
	int64		linenos[INSERT_BATCH_ROWS];
	int			nslots_made;
	int			nbatched;
	Size		batched_bytes;
} RowInserter;

static bool can_batch(RowInserter *ins, ResultRelInfo *rri);
static void prepare_row(RowInserter *ins, ResultRelInfo *rri,
						TupleTableSlot *slot, bool routed);
static void insert_one(RowInserter *ins, ResultRelInfo *rri,
					   TupleTableSlot *slot);
static void flush_batch(RowInserter *ins);
static void drop_batch_slots(RowInserter *ins);

/*
 * RowInserterBegin
 *		Set up executor state to insert into rel (already opened and locked
 *		by the caller, with permissions checked on range_table, whose first
 *		entry is rel).  Fires BEFORE STATEMENT triggers.
 *
 * The caller's estate is used; lineno points to the caller's current line
 * number, which is set back to each row's line while a batch is flushed so
 * that a unique violation names the right line.
 */
RowInserter *
RowInserterBegin(Relation rel, List *range_table, EState *estate)
{
	RowInserter *ins = palloc0(sizeof(RowInserter));
	ResultRelInfo *rri = makeNode(ResultRelInfo);

	ins->estate = estate;
	ExecInitRangeTable(estate, range_table);
	ExecInitResultRelation(estate, rri, 1);
	ExecOpenIndices(rri, false);
	ins->root = rri;

	/* ExecFindPartition and the trigger code want a ModifyTableState */
	ins->mtstate = makeNode(ModifyTableState);
	ins->mtstate->ps.plan = NULL;
	ins->mtstate->ps.state = estate;
	ins->mtstate->operation = CMD_INSERT;
	ins->mtstate->mt_nrels = 1;
	ins->mtstate->resultRelInfo = rri;
	ins->mtstate->rootResultRelInfo = rri;

	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
		ins->proute = ExecSetupPartitionTupleRouting(estate, rel);

	/* transition capture needs the after-trigger query level to exist */
	AfterTriggerBeginQuery();
	ins->transition = MakeTransitionCaptureState(rel->trigdesc,
												 RelationGetRelid(rel),
												 CMD_INSERT);
	ins->mtstate->mt_transition_capture = ins->transition;

	ins->cid = GetCurrentCommandId(true);
	ins->bistate = GetBulkInsertState();
	ins->rootslot = table_slot_create(rel, &estate->es_tupleTable);

	ExecBSInsertTriggers(estate, rri);
	return ins;
}

/*
 * RowInserterSetLineCounter
 *		Point the inserter at the caller's line counter (see Begin).
 */
void
RowInserterSetLineCounter(RowInserter *ins, int64 *lineno)
{
	ins->lineno = lineno;
}

/*
 * RowInserterDisableBatching
 *		Insert row by row, e.g. because a volatile default expression might
 *		query the table and must see the rows inserted before.
 */
void
RowInserterDisableBatching(RowInserter *ins)
{
	ins->no_batching = true;
}

/*
 * RowInserterPut
 *		Insert one row given in the root table's row type.  values/nulls may
 *		point into memory the caller resets after this returns: rows kept for
 *		a batch are materialized into their own slots.
 */
void
RowInserterPut(RowInserter *ins, Datum *values, bool *nulls)
{
	TupleTableSlot *slot = ins->rootslot;
	ResultRelInfo *rri = ins->root;
	int			natts = slot->tts_tupleDescriptor->natts;

	ResetPerTupleExprContext(ins->estate);

	ExecClearTuple(slot);
	memcpy(slot->tts_values, values, natts * sizeof(Datum));
	memcpy(slot->tts_isnull, nulls, natts * sizeof(bool));
	ExecStoreVirtualTuple(slot);

	if (ins->proute)
	{
		rri = ExecFindPartition(ins->mtstate, ins->root, ins->proute, slot,
								ins->estate);
		if (rri->ri_FdwRoutine != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot load into foreign partition \"%s\"",
							RelationGetRelationName(rri->ri_RelationDesc))));
		if (ins->transition)
			ins->transition->tcs_original_insert_tuple = NULL;
	}

	if (can_batch(ins, rri))
	{
		TupleTableSlot *bslot;
		TupleConversionMap *map = rri->ri_RootToPartitionMap;

		if (ins->batch_rel != rri)
		{
			flush_batch(ins);
			drop_batch_slots(ins);
			ins->batch_rel = rri;
			ReleaseBulkInsertStatePin(ins->bistate);
		}
		if (ins->nbatched == ins->nslots_made)
		{
			/* slots outlive the caller's per-row memory */
			MemoryContext oldcxt = MemoryContextSwitchTo(ins->estate->es_query_cxt);

			ins->slots[ins->nslots_made++] =
				MakeSingleTupleTableSlot(RelationGetDescr(rri->ri_RelationDesc),
										 table_slot_callbacks(rri->ri_RelationDesc));
			MemoryContextSwitchTo(oldcxt);
		}
		bslot = ins->slots[ins->nbatched];
		if (map != NULL)
		{
			execute_attr_map_slot(map->attrMap, slot, bslot);
			prepare_row(ins, rri, bslot, ins->proute != NULL);
		}
		else
		{
			/*
			 * Check the row while it is still virtual: copying it into the
			 * heap slot forms the tuple, and the NOT NULL checks would then
			 * deform it all again (5% of a wide table's load).
			 */
			prepare_row(ins, rri, slot, ins->proute != NULL);
			ExecCopySlot(bslot, slot);
		}
		ExecMaterializeSlot(bslot);
		ins->linenos[ins->nbatched] = ins->lineno ? *ins->lineno : 0;
		ins->nbatched++;
		/* heap tuples know their size: bound memory for very wide rows */
		if (TTS_IS_BUFFERTUPLE(bslot) &&
			((HeapTupleTableSlot *) bslot)->tuple != NULL)
			ins->batched_bytes += ((HeapTupleTableSlot *) bslot)->tuple->t_len;
		if (ins->nbatched == INSERT_BATCH_ROWS ||
			ins->batched_bytes >= INSERT_BATCH_BYTES)
			flush_batch(ins);
		return;
	}

	/* row-at-a-time path: triggers can see each row as it goes in */
	flush_batch(ins);
	if (rri->ri_RootToPartitionMap != NULL)
		slot = execute_attr_map_slot(rri->ri_RootToPartitionMap->attrMap,
									 slot, rri->ri_PartitionTupleSlot);
	if (rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row)
	{
		if (!ExecBRInsertTriggers(ins->estate, rri, slot))
			return;				/* a trigger said skip this row */
	}
	prepare_row(ins, rri, slot, ins->proute != NULL &&
				!(rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row));
	insert_one(ins, rri, slot);
}

/*
 * RowInserterFlush
 *		Write the rows batched so far, e.g. at the end of each object so that
 *		a constraint error is reported while the object is still known.
 */
void
RowInserterFlush(RowInserter *ins)
{
	flush_batch(ins);
}

/*
 * RowInserterFinish
 *		Flush the last batch, fire AFTER STATEMENT triggers and release the
 *		executor resources.  The estate stays the caller's to free.
 */
void
RowInserterFinish(RowInserter *ins)
{
	flush_batch(ins);
	drop_batch_slots(ins);

	ExecASInsertTriggers(ins->estate, ins->root, ins->transition);
	AfterTriggerEndQuery(ins->estate);

	ExecResetTupleTable(ins->estate->es_tupleTable, false);
	FreeBulkInsertState(ins->bistate);
	if (ins->proute)
		ExecCleanupTupleRouting(ins->mtstate, ins->proute);
	ExecCloseResultRelations(ins->estate);
	ExecCloseRangeTableRelations(ins->estate);
}

/*
 * can_batch
 *		Whether rows for rri may go through table_multi_insert().  As in COPY:
 *		not when BEFORE/INSTEAD row triggers must see each row, not with
 *		transition tables on a partitioned target, and not when a default
 *		is volatile (checked by the caller, see loader.c).
 */
static bool
can_batch(RowInserter *ins, ResultRelInfo *rri)
{
	TriggerDesc *td = rri->ri_TrigDesc;

	if (ins->no_batching)
		return false;
	if (td && (td->trig_insert_before_row || td->trig_insert_instead_row))
		return false;
	if (ins->proute && ins->transition)
		return false;
	return true;
}

/*
 * prepare_row
 *		Compute stored generated columns and check constraints, including the
 *		partition constraint when the row was not routed to this partition by
 *		us (routing already proved it).
 */
static void
prepare_row(RowInserter *ins, ResultRelInfo *rri, TupleTableSlot *slot,
			bool routed)
{
	Relation	rel = rri->ri_RelationDesc;

	if (rel->rd_att->constr && rel->rd_att->constr->has_generated_stored)
		ExecComputeStoredGenerated(rri, ins->estate, slot, CMD_INSERT);
	if (rel->rd_att->constr)
		ExecConstraints(rri, slot, ins->estate);
	if (rel->rd_rel->relispartition && !routed)
		ExecPartitionCheck(rri, slot, ins->estate, true);
}

/*
 * insert_one
 *		Insert one row, its index entries, and queue AFTER row triggers.
 */
static void
insert_one(RowInserter *ins, ResultRelInfo *rri, TupleTableSlot *slot)
{
	List	   *recheck = NIL;

	table_tuple_insert(rri->ri_RelationDesc, slot, ins->cid, 0, NULL);
	if (rri->ri_NumIndices > 0)
		recheck = ExecInsertIndexTuples(rri, slot, ins->estate,
										false, false, NULL, NIL);
	ExecARInsertTriggers(ins->estate, rri, slot, recheck, ins->transition);
	list_free(recheck);
}

/*
 * flush_batch
 *		Write the batched rows with one table_multi_insert(), then their
 *		index entries and AFTER row triggers, row by row.
 */
static void
flush_batch(RowInserter *ins)
{
	ResultRelInfo *rri = ins->batch_rel;
	TriggerDesc *td;
	MemoryContext oldcxt;
	int64		current_line = ins->lineno ? *ins->lineno : 0;
	int			i;

	if (ins->nbatched == 0)
		return;
	td = rri->ri_TrigDesc;

	oldcxt = MemoryContextSwitchTo(GetPerTupleMemoryContext(ins->estate));
	table_multi_insert(rri->ri_RelationDesc, ins->slots, ins->nbatched,
					   ins->cid, 0, ins->bistate);
	MemoryContextSwitchTo(oldcxt);

	for (i = 0; i < ins->nbatched; i++)
	{
		List	   *recheck = NIL;

		if (ins->lineno)
			*ins->lineno = ins->linenos[i];
		if (rri->ri_NumIndices > 0)
			recheck = ExecInsertIndexTuples(rri, ins->slots[i], ins->estate,
											false, false, NULL, NIL);
		if (td && (td->trig_insert_after_row || td->trig_insert_new_table))
			ExecARInsertTriggers(ins->estate, rri, ins->slots[i], recheck,
								 ins->transition);
		list_free(recheck);
		ExecClearTuple(ins->slots[i]);
		ResetPerTupleExprContext(ins->estate);
	}
	if (ins->lineno)
		*ins->lineno = current_line;
	ins->nbatched = 0;
	ins->batched_bytes = 0;
}

/* Slots are shaped for one relation; a new batch relation needs new ones. */
static void
drop_batch_slots(RowInserter *ins)
{
	int			i;

	for (i = 0; i < ins->nslots_made; i++)
		ExecDropSingleTupleTableSlot(ins->slots[i]);
	ins->nslots_made = 0;
	ins->batch_rel = NULL;
}
