/*-------------------------------------------------------------------------
 *
 * schema.c
 *	  Building the schema tree from the flattened SchemaElement list.
 *
 * FileMetaData.schema is a depth-first list in which each group gives its
 * number of children.  PqSchemaBuild() links that list into a tree,
 * computes each node's maximum definition and repetition levels and dotted
 * path, collects the leaves (the column chunks, in file order) and fills
 * in the logical type of nodes that only carry a legacy ConvertedType.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/schema.c
 *
 *-------------------------------------------------------------------------
 */
#include <strings.h>

#include "pq_internal.h"

/* Derives a LogicalType from a ConvertedType when the file has none. */
static void
normalize_logical(PqSchemaNode *n)
{
	PqLogicalType *lt = &n->logical;
	int32_t		scale = lt->scale,
				precision = lt->precision;

	if (lt->kind != PQ_LT_NONE)
		return;
	memset(lt, 0, sizeof(*lt));
	switch (n->converted_type)
	{
		case PQ_CT_UTF8:
			lt->kind = PQ_LT_STRING;
			break;
		case PQ_CT_MAP:
		case PQ_CT_MAP_KEY_VALUE:
			lt->kind = PQ_LT_MAP;
			break;
		case PQ_CT_LIST:
			lt->kind = PQ_LT_LIST;
			break;
		case PQ_CT_ENUM:
			lt->kind = PQ_LT_ENUM;
			break;
		case PQ_CT_DECIMAL:
			lt->kind = PQ_LT_DECIMAL;
			lt->scale = scale;
			lt->precision = precision;
			break;
		case PQ_CT_DATE:
			lt->kind = PQ_LT_DATE;
			break;
		case PQ_CT_TIME_MILLIS:
		case PQ_CT_TIME_MICROS:
			lt->kind = PQ_LT_TIME;
			lt->is_adjusted_to_utc = true;
			lt->unit = n->converted_type == PQ_CT_TIME_MILLIS ? PQ_UNIT_MILLIS : PQ_UNIT_MICROS;
			break;
		case PQ_CT_TIMESTAMP_MILLIS:
		case PQ_CT_TIMESTAMP_MICROS:
			lt->kind = PQ_LT_TIMESTAMP;
			lt->is_adjusted_to_utc = true;
			lt->unit = n->converted_type == PQ_CT_TIMESTAMP_MILLIS ? PQ_UNIT_MILLIS : PQ_UNIT_MICROS;
			break;
		case PQ_CT_UINT_8:
		case PQ_CT_UINT_16:
		case PQ_CT_UINT_32:
		case PQ_CT_UINT_64:
			lt->kind = PQ_LT_INTEGER;
			lt->is_signed = false;
			lt->bit_width = (int8_t) (8 << (n->converted_type - PQ_CT_UINT_8));
			break;
		case PQ_CT_INT_8:
		case PQ_CT_INT_16:
		case PQ_CT_INT_32:
		case PQ_CT_INT_64:
			lt->kind = PQ_LT_INTEGER;
			lt->is_signed = true;
			lt->bit_width = (int8_t) (8 << (n->converted_type - PQ_CT_INT_8));
			break;
		case PQ_CT_JSON:
			lt->kind = PQ_LT_JSON;
			break;
		case PQ_CT_BSON:
			lt->kind = PQ_LT_BSON;
			break;
		default:
			/* keep scale/precision for callers that look at them anyway */
			lt->scale = scale;
			lt->precision = precision;
			break;
	}
}

/* Builds "parent.name" in the arena (just "name" under the root). */
static const char *
make_path(PqFile *f, const PqSchemaNode *parent, const char *name)
{
	size_t		plen = parent->parent ? strlen(parent->path) : 0;
	size_t		nlen = strlen(name);
	char	   *p = PqArenaAlloc(f, plen + nlen + 2);

	if (p == NULL)
		return NULL;
	if (plen > 0)
	{
		memcpy(p, parent->path, plen);
		p[plen++] = '.';
	}
	memcpy(p + plen, name, nlen + 1);
	return p;
}

/* Validates a leaf's physical type and its logical annotation's storage. */
static PqCode
check_leaf(const PqSchemaNode *n, PqError *err)
{
	if (n->physical_type == PQ_GROUP)
		return PqSetError(err, PQ_ERR_UNSUPPORTED,
						  "schema node \"%s\" is an empty group", n->path);
	if (n->physical_type == PQ_FIXED_LEN_BYTE_ARRAY &&
		(n->type_length <= 0 || n->type_length > (1 << 24)))
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "column \"%s\": invalid fixed length %d", n->path, n->type_length);
	if (n->logical.kind == PQ_LT_DECIMAL &&
		(n->logical.scale < 0 || n->logical.scale > 1000 ||
		 n->logical.precision < 0 || n->logical.precision > 1000))
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "column \"%s\": invalid decimal scale or precision", n->path);
	return PQ_OK;
}

/* True for nodes annotated LIST (logical or converted). */
static bool
is_list(const PqSchemaNode *n)
{
	return n->logical.kind == PQ_LT_LIST || n->converted_type == PQ_CT_LIST;
}

static bool
is_map(const PqSchemaNode *n)
{
	return n->logical.kind == PQ_LT_MAP || n->converted_type == PQ_CT_MAP ||
		n->converted_type == PQ_CT_MAP_KEY_VALUE;
}

/*
 * The element node of a LIST whose repeated child is rep, following the
 * backward-compatibility rules of LogicalTypes.md: a primitive repeated
 * field, a repeated group with several fields, or one named "array" or
 * "<list>_tuple" is itself the element (legacy 2-level lists); otherwise
 * its single child is (the standard 3-level form).
 */
static const PqSchemaNode *
list_element(const PqSchemaNode *list, const PqSchemaNode *rep)
{
	if (rep->physical_type != PQ_GROUP || rep->num_children != 1)
		return rep;
	if (strcmp(rep->name, "array") == 0)
		return rep;
	if (strncmp(rep->name, list->name, list->name_len) == 0 &&
		strcmp(rep->name + list->name_len, "_tuple") == 0)
		return rep;
	return rep->children[0];
}

/*
 * Decides how a node reads as a value: LIST and MAP groups with the shape
 * the format requires become arrays and objects keyed by the map key;
 * other groups (including malformed LIST/MAP ones) are structs.
 */
static void
classify_node(PqSchemaNode *n)
{
	const PqSchemaNode *rep;

	n->nested = n->physical_type == PQ_GROUP ? PQ_NESTED_STRUCT : PQ_NESTED_LEAF;
	if (n->physical_type != PQ_GROUP || n->num_children != 1 ||
		n->children[0]->repetition != PQ_REPEATED)
		return;
	rep = n->children[0];
	if (is_list(n))
	{
		n->nested = PQ_NESTED_LIST;
		n->repeated = rep;
		n->element = list_element(n, rep);
	}
	else if (is_map(n) && rep->physical_type == PQ_GROUP &&
			 rep->num_children >= 1 && rep->num_children <= 2 &&
			 rep->children[0]->physical_type != PQ_GROUP &&
			 rep->children[0]->repetition != PQ_REPEATED)
	{
		n->nested = PQ_NESTED_MAP;
		n->repeated = rep;
	}
}

/*
 * Links file->nodes (as decoded from the footer) into a tree, filling
 * levels, paths, depths, leaf indexes and the leaves array.  Rejects
 * child counts that do not add up, trees deeper than PQ_SCHEMA_MAX_DEPTH
 * and leaves without a physical type.
 */
PqCode
PqSchemaBuild(PqFile *f, PqError *err)
{
	PqSchemaNode *stack[PQ_SCHEMA_MAX_DEPTH + 1];
	int			remaining[PQ_SCHEMA_MAX_DEPTH + 1];
	int			sp = 0;
	int			i,
				nleaves = 0;
	PqSchemaNode *root = &f->nodes[0];

	root->parent = NULL;
	root->leaf_index = -1;
	root->path = "";
	root->depth = 0;
	root->max_def = 0;
	root->max_rep = 0;
	if (root->num_children < 0 || root->num_children >= f->num_nodes + 1)
		return PqSetError(err, PQ_ERR_CORRUPT, "invalid schema root");
	/* the root's repetition is meaningless; some writers set REPEATED */
	root->repetition = PQ_REQUIRED;

	/*
	 * The list is a depth-first walk: an explicit stack of open groups,
	 * each with its count of children still to come, rebuilds the tree
	 * without recursion (and so without a depth-dependent C stack).
	 */
	/* first pass: link children, compute levels and paths */
	stack[0] = root;
	remaining[0] = root->num_children;
	if (root->num_children > 0)
	{
		root->children = PqArenaAlloc(f, sizeof(PqSchemaNode *) * (size_t) root->num_children);
		if (root->children == NULL)
			return PqSetError(err, PQ_ERR_NOMEM, "out of memory building the schema");
	}
	for (i = 1; i < f->num_nodes; i++)
	{
		PqSchemaNode *n = &f->nodes[i];
		PqSchemaNode *parent;

		/* pop finished groups */
		while (sp >= 0 && remaining[sp] == 0)
			sp--;
		if (sp < 0)
			return PqSetError(err, PQ_ERR_CORRUPT,
							  "schema has %d elements but the tree ends at %d",
							  f->num_nodes, i);
		parent = stack[sp];
		parent->children[parent->num_children - remaining[sp]] = n;
		remaining[sp]--;

		n->parent = parent;
		n->depth = parent->depth + 1;
		/*
		 * Optional and repeated nodes add a definition level; repeated
		 * ones also add a repetition level.
		 */
		n->max_def = parent->max_def + (n->repetition != PQ_REQUIRED ? 1 : 0);
		n->max_rep = parent->max_rep + (n->repetition == PQ_REPEATED ? 1 : 0);
		n->path = make_path(f, parent, n->name);
		if (n->path == NULL)
			return PqSetError(err, PQ_ERR_NOMEM, "out of memory building the schema");
		n->leaf_index = -1;
		normalize_logical(n);

		/* a group cannot claim more children than elements remain */
		if (n->num_children < 0 || n->num_children > f->num_nodes - i - 1)
			return PqSetError(err, PQ_ERR_CORRUPT,
							  "schema node \"%s\" has an invalid child count", n->path);
		if (n->num_children > 0)
		{
			if (sp + 1 >= PQ_SCHEMA_MAX_DEPTH)
				return PqSetError(err, PQ_ERR_LIMIT, "schema nested deeper than %d levels",
								  PQ_SCHEMA_MAX_DEPTH);
			n->children = PqArenaAlloc(f, sizeof(PqSchemaNode *) * (size_t) n->num_children);
			if (n->children == NULL)
				return PqSetError(err, PQ_ERR_NOMEM, "out of memory building the schema");
			n->physical_type = PQ_GROUP;
			stack[++sp] = n;
			remaining[sp] = n->num_children;
		}
		else
		{
			PqCode		rc = check_leaf(n, err);

			if (rc != PQ_OK)
				return rc;
			n->leaf_index = nleaves++;
		}
	}
	while (sp >= 0 && remaining[sp] == 0)
		sp--;
	if (sp >= 0)
		return PqSetError(err, PQ_ERR_CORRUPT, "schema ends before all groups are complete");

	/* second pass: leaves array and leaf ranges (children follow parents) */
	f->num_leaves = nleaves;
	f->leaves = PqArenaAlloc(f, sizeof(PqSchemaNode *) * (size_t) (nleaves + 1));
	if (f->leaves == NULL)
		return PqSetError(err, PQ_ERR_NOMEM, "out of memory building the schema");
	for (i = 0; i < f->num_nodes; i++)
	{
		PqSchemaNode *n = &f->nodes[i];

		n->leaf_first = -1;
		n->leaf_count = 0;
		if (n->leaf_index >= 0)
			f->leaves[n->leaf_index] = n;
	}
	for (i = f->num_nodes - 1; i >= 0; i--)
	{
		PqSchemaNode *n = &f->nodes[i];
		PqSchemaNode *p;

		if (n->leaf_index < 0 || i == 0)
			continue;
		/* credit the leaf to itself and every ancestor; leaves come in order */
		for (p = n; p != NULL; p = p->parent)
		{
			p->leaf_first = n->leaf_index;
			p->leaf_count++;
		}
	}
	/* per-node facts the record walk needs on every row, computed once */
	for (i = 0; i < f->num_nodes; i++)
		f->nodes[i].name_len = strlen(f->nodes[i].name);
	for (i = 0; i < f->num_nodes; i++)
		classify_node(&f->nodes[i]);
	if (nleaves == 0)
		root->leaf_first = 0;
	for (i = 0; i < f->num_nodes; i++)
		if (f->nodes[i].leaf_first < 0)
			f->nodes[i].leaf_first = 0;
	return PQ_OK;
}

/* Finds a node by dotted path ("device.mobile_brand_name"); NULL if none. */
const PqSchemaNode *
PqSchemaFindPath(const PqFile *file, const char *path)
{
	int			i;

	for (i = 1; i < file->num_nodes; i++)
		if (strcmp(file->nodes[i].path, path) == 0)
			return &file->nodes[i];
	return NULL;
}

/* Finds a direct child by name, optionally ignoring ASCII case. */
const PqSchemaNode *
PqSchemaChild(const PqSchemaNode *node, const char *name, bool case_insensitive)
{
	int			i;

	for (i = 0; i < node->num_children; i++)
	{
		const char *cn = node->children[i]->name;

		if (case_insensitive ? strcasecmp(cn, name) == 0 : strcmp(cn, name) == 0)
			return node->children[i];
	}
	return NULL;
}

const char *
PqPhysicalTypeName(PqPhysicalType type)
{
	switch (type)
	{
		case PQ_BOOLEAN:
			return "BOOLEAN";
		case PQ_INT32:
			return "INT32";
		case PQ_INT64:
			return "INT64";
		case PQ_INT96:
			return "INT96";
		case PQ_FLOAT:
			return "FLOAT";
		case PQ_DOUBLE:
			return "DOUBLE";
		case PQ_BYTE_ARRAY:
			return "BYTE_ARRAY";
		case PQ_FIXED_LEN_BYTE_ARRAY:
			return "FIXED_LEN_BYTE_ARRAY";
		case PQ_GROUP:
			return "GROUP";
	}
	return "UNKNOWN";
}

const char *
PqLogicalTypeName(const PqLogicalType *lt)
{
	switch (lt->kind)
	{
		case PQ_LT_NONE:
			return "";
		case PQ_LT_STRING:
			return "STRING";
		case PQ_LT_MAP:
			return "MAP";
		case PQ_LT_LIST:
			return "LIST";
		case PQ_LT_ENUM:
			return "ENUM";
		case PQ_LT_DECIMAL:
			return "DECIMAL";
		case PQ_LT_DATE:
			return "DATE";
		case PQ_LT_TIME:
			return "TIME";
		case PQ_LT_TIMESTAMP:
			return "TIMESTAMP";
		case PQ_LT_INTEGER:
			return "INTEGER";
		case PQ_LT_UNKNOWN:
			return "UNKNOWN";
		case PQ_LT_JSON:
			return "JSON";
		case PQ_LT_BSON:
			return "BSON";
		case PQ_LT_UUID:
			return "UUID";
		case PQ_LT_FLOAT16:
			return "FLOAT16";
		case PQ_LT_OTHER:
			return "OTHER";
	}
	return "OTHER";
}

const char *
PqConvertedTypeName(PqConvertedType ct)
{
	static const char *const names[] = {
		"UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE",
		"TIME_MILLIS", "TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS",
		"UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16", "INT_32",
		"INT_64", "JSON", "BSON", "INTERVAL"
	};

	if (ct < 0 || ct > PQ_CT_INTERVAL)
		return "";
	return names[ct];
}

const char *
PqRepetitionName(PqRepetition rep)
{
	switch (rep)
	{
		case PQ_REQUIRED:
			return "REQUIRED";
		case PQ_OPTIONAL:
			return "OPTIONAL";
		case PQ_REPEATED:
			return "REPEATED";
	}
	return "UNKNOWN";
}
