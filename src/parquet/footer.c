/*-------------------------------------------------------------------------
 *
 * footer.c
 *	  Locating and decoding the Parquet footer (FileMetaData).
 *
 * A Parquet file ends with the Thrift-encoded FileMetaData, its length as
 * a 4-byte little-endian integer, and the magic "PAR1".  The adapter reads
 * the last PQ_FOOTER_TAIL_SIZE bytes, calls PqFooterPeek() to learn the
 * metadata length, reads that many bytes before the tail and passes them
 * to PqFooterDecode().  Nothing else of the file is needed to plan the
 * column chunk reads.
 *
 * The decoded metadata (schema tree, row groups, column chunks, statistics)
 * is copied into the PqFile's arena, so the caller may free the metadata
 * bytes right after decoding.  Every offset and size is validated against
 * the file size here, once, so readers can trust range_offset/range_length.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/footer.c
 *
 *-------------------------------------------------------------------------
 */
#include "pq_internal.h"

/* Decoding state shared by the struct decoders below. */
typedef struct FooterState
{
	PqThrift	t;
	PqFile	   *file;
	PqError    *err;
	bool		have_schema;
	bool		have_row_groups;
} FooterState;

static bool
nomem(FooterState *st)
{
	PqSetError(st->err, PQ_ERR_NOMEM, "out of memory decoding the footer");
	return false;
}

/*
 * Checks the leading magic.  Optional: the footer alone is enough to read
 * a file, but callers that have the first bytes can reject non-Parquet
 * input early.
 */
PqCode
PqFooterVerify(const uint8_t *head, size_t head_len, PqError *err)
{
	PqErrorClear(err);
	if (head == NULL || head_len < 4 || memcmp(head, PQ_MAGIC, 4) != 0)
		return PqSetError(err, PQ_ERR_CORRUPT, "file does not start with the Parquet magic");
	return PQ_OK;
}

/*
 * Given the last bytes of a file (at least PQ_FOOTER_TAIL_SIZE; only the
 * last 8 are looked at), returns in *metadata_len the length of the
 * FileMetaData that precedes them.  The caller then reads the range
 * [file_size - 8 - *metadata_len, file_size - 8).  Encrypted footers
 * ("PARE") are reported as unsupported.
 */
PqCode
PqFooterPeek(const uint8_t *tail, size_t tail_len, uint64_t file_size,
			 uint32_t *metadata_len, PqError *err)
{
	const uint8_t *p;
	uint32_t	len;

	PqErrorClear(err);
	if (tail == NULL || tail_len < PQ_FOOTER_TAIL_SIZE || file_size < 12)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "file of %llu bytes is too small to be Parquet",
						  (unsigned long long) file_size);
	p = tail + tail_len - PQ_FOOTER_TAIL_SIZE;
	if (memcmp(p + 4, "PARE", 4) == 0)
		return PqSetError(err, PQ_ERR_UNSUPPORTED, "encrypted Parquet files are not supported");
	if (memcmp(p + 4, PQ_MAGIC, 4) != 0)
		return PqSetError(err, PQ_ERR_CORRUPT, "file does not end with the Parquet magic");
	len = PqLoadU32(p);
	/* 4 bytes of leading magic, then metadata, length and trailing magic */
	if ((uint64_t) len + 12 > file_size)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "footer length %u exceeds file size %llu",
						  len, (unsigned long long) file_size);
	if (len == 0)
		return PqSetError(err, PQ_ERR_CORRUPT, "footer length is zero");
	*metadata_len = len;
	return PQ_OK;
}

/* Copies a thrift binary into the arena as a C string. */
static bool
read_string(FooterState *st, int type, const char **out)
{
	PqByteView bv;

	if (!PqThriftBinary(&st->t, type, &bv))
		return false;
	*out = PqArenaStrdup(st->file, bv.ptr, bv.len);
	return *out != NULL || nomem(st);
}

/* FooterState embeds the PqThrift first, so field callbacks can reach it. */
#define STATE(t) ((FooterState *) (t))

/*
 * Reads a list<struct> into a new zeroed arena array: init (may be NULL)
 * prepares each element, fn decodes its fields, and every element must
 * carry the fields in the `required` bit mask.
 */
static bool
read_struct_list(FooterState *st, int type, size_t elem_size,
				 void (*init) (void *elem, int32_t i), PqThriftFieldFn fn,
				 uint32_t required, const char *what, void **out, int32_t *count)
{
	int			et;
	int32_t		n,
				i;
	uint8_t    *arr;
	/* an element with its required fields takes at least ~2 bytes per field */
	size_t		min_bytes = 1;
	uint32_t	r;

	for (r = required; r != 0; r &= r - 1)
		min_bytes += 2;
	if (!PqThriftListBegin(&st->t, type, &et, &n))
		return false;
	if (et != PQ_TT_STRUCT)
		return PqThriftBadType(&st->t, what);
	/* bound the array by what the bytes left can hold, before allocating */
	if ((size_t) n > (size_t) (st->t.end - st->t.p) / min_bytes)
	{
		PqSetError(st->err, PQ_ERR_CORRUPT, "%s has more elements than bytes", what);
		return false;
	}
	arr = PqArenaAlloc(st->file, elem_size * (size_t) (n + 1));
	if (arr == NULL)
		return nomem(st);
	for (i = 0; i < n; i++)
	{
		void	   *elem = arr + elem_size * (size_t) i;
		uint32_t	seen;

		if (init)
			init(elem, i);
		if (!PqThriftReadStruct(&st->t, fn, elem, &seen))
			return false;
		if ((seen & required) != required)
		{
			PqSetError(st->err, PQ_ERR_CORRUPT, "%s element lacks required fields", what);
			return false;
		}
	}
	PqThriftStructEnd(&st->t);
	*out = arr;
	*count = n;
	return true;
}

/* Physical type enum; values outside the format are unsupported. */
static bool
read_physical_type(PqThrift *t, int type, PqPhysicalType *out)
{
	int32_t		i32;

	if (!PqThriftI32(t, type, &i32))
		return false;
	if (i32 < PQ_BOOLEAN || i32 > PQ_FIXED_LEN_BYTE_ARRAY)
	{
		PqSetError(t->err, PQ_ERR_UNSUPPORTED, "unsupported physical type %d", i32);
		return false;
	}
	*out = (PqPhysicalType) i32;
	return true;
}

/* TimeUnit union: the member id is the unit (1 MILLIS, 2 MICROS, 3 NANOS). */
static bool
time_unit_field(PqThrift *t, void *target, int16_t id, int type)
{
	if (id >= 1 && id <= 3 && type == PQ_TT_STRUCT)
		*(PqTimeUnit *) target = (PqTimeUnit) id;
	return PqThriftSkip(t, type);
}

/*
 * Fields of the LogicalType member structs we need: DecimalType(scale,
 * precision), TimeType/TimestampType(isAdjustedToUTC, unit) and
 * IntType(bitWidth, isSigned).  Other members are empty structs.  The
 * member kind has been stored in target->kind by the caller.
 */
static bool
logical_member_field(PqThrift *t, void *target, int16_t id, int type)
{
	PqLogicalType *lt = target;
	int32_t		i32;

	switch (lt->kind)
	{
		case PQ_LT_DECIMAL:
			if (id == 1)
				return PqThriftI32(t, type, &lt->scale);
			if (id == 2)
				return PqThriftI32(t, type, &lt->precision);
			break;
		case PQ_LT_TIME:
		case PQ_LT_TIMESTAMP:
			if (id == 1)
				return PqThriftBool(t, type, &lt->is_adjusted_to_utc);
			if (id == 2 && type == PQ_TT_STRUCT)
				return PqThriftReadStruct(t, time_unit_field, &lt->unit, NULL);
			break;
		case PQ_LT_INTEGER:
			if (id == 1)
			{
				if (!PqThriftI32(t, type, &i32))
					return false;
				lt->bit_width = (int8_t) i32;
				return true;
			}
			if (id == 2)
				return PqThriftBool(t, type, &lt->is_signed);
			break;
		default:
			break;
	}
	return PqThriftSkip(t, type);
}

/* LogicalType union; unknown members become PQ_LT_OTHER. */
static bool
logical_type_field(PqThrift *t, void *target, int16_t id, int type)
{
	PqLogicalType *lt = target;

	if (type != PQ_TT_STRUCT)
		return PqThriftSkip(t, type);
	memset(lt, 0, sizeof(*lt));
	if ((id >= 1 && id <= 8) || (id >= 10 && id <= 15))
		lt->kind = (PqLogicalKind) id;
	else
		lt->kind = PQ_LT_OTHER;
	return PqThriftReadStruct(t, logical_member_field, lt, NULL);
}

/* SchemaElement, decoded straight into a PqSchemaNode (linked in schema.c). */
static void
schema_element_init(void *elem, int32_t i)
{
	PqSchemaNode *n = elem;

	n->index = i;
	n->physical_type = PQ_GROUP;
	n->repetition = PQ_REQUIRED;
	n->converted_type = PQ_CT_NONE;
	n->field_id = -1;
	n->logical.kind = PQ_LT_NONE;
}

static bool
schema_element_field(PqThrift *t, void *target, int16_t id, int type)
{
	PqSchemaNode *n = target;
	int32_t		i32;

	switch (id)
	{
		case 1:
			return read_physical_type(t, type, &n->physical_type);
		case 2:
			return PqThriftI32(t, type, &n->type_length);
		case 3:
			if (!PqThriftI32(t, type, &i32))
				return false;
			if (i32 < PQ_REQUIRED || i32 > PQ_REPEATED)
			{
				PqSetError(t->err, PQ_ERR_CORRUPT, "invalid repetition type %d", i32);
				return false;
			}
			n->repetition = (PqRepetition) i32;
			return true;
		case 4:
			return read_string(STATE(t), type, &n->name);
		case 5:
			return PqThriftI32(t, type, &n->num_children);
		case 6:
			if (!PqThriftI32(t, type, &i32))
				return false;
			/* unknown converted types are ignored, like unknown logical ones */
			n->converted_type = (i32 >= 0 && i32 <= PQ_CT_INTERVAL) ?
				(PqConvertedType) i32 : PQ_CT_NONE;
			return true;
		case 7:
			return PqThriftI32(t, type, &n->logical.scale);
		case 8:
			return PqThriftI32(t, type, &n->logical.precision);
		case 9:
			return PqThriftI32(t, type, &n->field_id);
		case 10:
			{
				PqLogicalType lt;

				if (type != PQ_TT_STRUCT)
					return PqThriftBadType(t, "SchemaElement.logicalType");
				memset(&lt, 0, sizeof(lt));
				if (!PqThriftReadStruct(t, logical_type_field, &lt, NULL))
					return false;
				if (lt.kind != PQ_LT_NONE)
					n->logical = lt;
				return true;
			}
		default:
			return PqThriftSkip(t, type);
	}
}

/* Statistics fields; min/max point into the metadata until copied below. */
typedef struct StatsState
{
	PqStatistics *s;
	PqByteView	legacy_min;
	PqByteView	legacy_max;
	bool		has_legacy_min;
	bool		has_legacy_max;
} StatsState;

static bool
statistics_field(PqThrift *t, void *target, int16_t id, int type)
{
	StatsState *ss = target;
	PqStatistics *s = ss->s;

	switch (id)
	{
		case 1:
			return (ss->has_legacy_max = PqThriftBinary(t, type, &ss->legacy_max));
		case 2:
			return (ss->has_legacy_min = PqThriftBinary(t, type, &ss->legacy_min));
		case 3:
			return (s->has_null_count = PqThriftI64(t, type, &s->null_count));
		case 4:
			return (s->has_distinct_count = PqThriftI64(t, type, &s->distinct_count));
		case 5:
			return (s->has_max = PqThriftBinary(t, type, &s->max));
		case 6:
			return (s->has_min = PqThriftBinary(t, type, &s->min));
		default:
			return PqThriftSkip(t, type);
	}
}

/* Statistics; min/max values are copied into the arena. */
static bool
decode_statistics(FooterState *st, int type, PqStatistics *s)
{
	StatsState	ss;

	if (type != PQ_TT_STRUCT)
		return PqThriftBadType(&st->t, "ColumnMetaData.statistics");
	memset(&ss, 0, sizeof(ss));
	ss.s = s;
	if (!PqThriftReadStruct(&st->t, statistics_field, &ss, NULL))
		return false;
	/* prefer the new fields; fall back to the deprecated, signed-order ones */
	if (!s->has_min && !s->has_max && (ss.has_legacy_min || ss.has_legacy_max))
	{
		s->legacy = true;
		s->has_min = ss.has_legacy_min;
		s->has_max = ss.has_legacy_max;
		s->min = ss.legacy_min;
		s->max = ss.legacy_max;
	}
	if (s->has_min)
	{
		s->min.ptr = (const uint8_t *) PqArenaStrdup(st->file, s->min.ptr, s->min.len);
		if (s->min.ptr == NULL)
			return nomem(st);
	}
	if (s->has_max)
	{
		s->max.ptr = (const uint8_t *) PqArenaStrdup(st->file, s->max.ptr, s->max.len);
		if (s->max.ptr == NULL)
			return nomem(st);
	}
	return true;
}

/* list<string> path_in_schema, joined with '.' */
static bool
decode_path(FooterState *st, int type, const char **out)
{
	int			et;
	int32_t		n,
				i;
	const uint8_t *save = st->t.p;
	size_t		total = 0;
	char	   *buf,
			   *w;
	PqByteView	bv;

	/* first pass measures, second pass copies */
	if (!PqThriftListBegin(&st->t, type, &et, &n))
		return false;
	for (i = 0; i < n; i++)
	{
		if (!PqThriftBinary(&st->t, et, &bv))
			return false;
		total += bv.len + 1;
	}
	PqThriftStructEnd(&st->t);
	buf = PqArenaAlloc(st->file, total + 1);
	if (buf == NULL)
		return nomem(st);
	/* rewind: the list was validated above, now copy it */
	st->t.p = save;
	if (!PqThriftListBegin(&st->t, type, &et, &n))
		return false;
	w = buf;
	for (i = 0; i < n; i++)
	{
		if (!PqThriftBinary(&st->t, et, &bv))
			return false;
		if (i > 0)
			*w++ = '.';
		memcpy(w, bv.ptr, bv.len);
		w += bv.len;
	}
	*w = '\0';
	PqThriftStructEnd(&st->t);
	*out = buf;
	return true;
}

/* list<Encoding> */
static bool
decode_encodings(FooterState *st, int type, PqColumnChunkMeta *c)
{
	int			et;
	int32_t		n,
				i;
	int32_t    *enc;

	if (!PqThriftListBegin(&st->t, type, &et, &n))
		return false;
	enc = PqArenaAlloc(st->file, sizeof(int32_t) * (size_t) (n + 1));
	if (enc == NULL)
		return nomem(st);
	for (i = 0; i < n; i++)
		if (!PqThriftListI32(&st->t, et, &enc[i]))
			return false;
	PqThriftStructEnd(&st->t);
	c->encodings = enc;
	c->num_encodings = n;
	return true;
}

/* ColumnMetaData fields */
static bool
column_meta_field(PqThrift *t, void *target, int16_t id, int type)
{
	PqColumnChunkMeta *c = target;
	int32_t		i32;

	switch (id)
	{
		case 1:
			return read_physical_type(t, type, &c->physical_type);
		case 2:
			return decode_encodings(STATE(t), type, c);
		case 3:
			return decode_path(STATE(t), type, &c->path);
		case 4:
			if (!PqThriftI32(t, type, &i32))
				return false;
			c->codec = (PqCodec) i32;
			return true;
		case 5:
			return PqThriftI64(t, type, &c->num_values);
		case 6:
			return PqThriftI64(t, type, &c->total_uncompressed_size);
		case 7:
			return PqThriftI64(t, type, &c->total_compressed_size);
		case 9:
			return PqThriftI64(t, type, &c->data_page_offset);
		case 10:
			return PqThriftI64(t, type, &c->index_page_offset);
		case 11:
			return PqThriftI64(t, type, &c->dictionary_page_offset);
		case 12:
			return decode_statistics(STATE(t), type, &c->statistics);
		default:
			return PqThriftSkip(t, type);
	}
}

/* ColumnChunk fields; ColumnMetaData is required (field 3) */
static void
column_chunk_init(void *elem, int32_t i)
{
	PqColumnChunkMeta *c = elem;

	c->dictionary_page_offset = -1;
	c->index_page_offset = -1;
}

static bool
column_chunk_field(PqThrift *t, void *target, int16_t id, int type)
{
	PqColumnChunkMeta *c = target;
	int64_t		ignored;
	uint32_t	seen;

	switch (id)
	{
		case 1:
			return read_string(STATE(t), type, &c->file_path);
		case 2:
			return PqThriftI64(t, type, &ignored);
		case 3:
			if (type != PQ_TT_STRUCT)
				return PqThriftBadType(t, "ColumnChunk.meta_data");
			if (!PqThriftReadStruct(t, column_meta_field, c, &seen))
				return false;
			/* type, encodings, path, codec, num_values, sizes, data_page_offset */
			if ((seen & 0x2fe) != 0x2fe)
			{
				PqSetError(t->err, PQ_ERR_CORRUPT, "column metadata lacks required fields");
				return false;
			}
			return true;
		case 8:
		case 9:
			PqSetError(t->err, PQ_ERR_UNSUPPORTED, "encrypted Parquet columns are not supported");
			return false;
		default:
			return PqThriftSkip(t, type);
	}
}

/* RowGroup fields */
static void
row_group_init(void *elem, int32_t i)
{
	((PqRowGroupMeta *) elem)->total_compressed_size = -1;
}

static bool
row_group_field(PqThrift *t, void *target, int16_t id, int type)
{
	PqRowGroupMeta *rg = target;

	switch (id)
	{
		case 1:
			return read_struct_list(STATE(t), type, sizeof(PqColumnChunkMeta),
									column_chunk_init, column_chunk_field, 1u << 3,
									"RowGroup.columns", (void **) &rg->columns,
									&rg->num_columns);
		case 2:
			return PqThriftI64(t, type, &rg->total_byte_size);
		case 3:
			return PqThriftI64(t, type, &rg->num_rows);
		case 6:
			return PqThriftI64(t, type, &rg->total_compressed_size);
		default:
			return PqThriftSkip(t, type);
	}
}

/* KeyValue fields */
static bool
key_value_field(PqThrift *t, void *target, int16_t id, int type)
{
	PqKeyValue *kv = target;

	if (id == 1)
		return read_string(STATE(t), type, &kv->key);
	if (id == 2)
		return read_string(STATE(t), type, &kv->value);
	return PqThriftSkip(t, type);
}

/* FileMetaData fields */
static bool
file_metadata_field(PqThrift *t, void *target, int16_t id, int type)
{
	FooterState *st = STATE(t);
	PqFile	   *f = st->file;

	switch (id)
	{
		case 1:
			return PqThriftI32(t, type, &f->version);
		case 2:
			if (st->have_schema)
				return PqThriftBadType(t, "duplicate schema");
			st->have_schema = true;
			return read_struct_list(st, type, sizeof(PqSchemaNode), schema_element_init,
									schema_element_field, 1u << 4, "FileMetaData.schema",
									(void **) &f->nodes, &f->num_nodes);
		case 3:
			return PqThriftI64(t, type, &f->num_rows);
		case 4:
			if (st->have_row_groups)
				return PqThriftBadType(t, "duplicate row_groups");
			st->have_row_groups = true;
			return read_struct_list(st, type, sizeof(PqRowGroupMeta), row_group_init,
									row_group_field, 1u << 1, "FileMetaData.row_groups",
									(void **) &f->row_groups, &f->num_row_groups);
		case 5:
			{
				int32_t		i;

				if (!read_struct_list(st, type, sizeof(PqKeyValue), NULL, key_value_field,
									  0, "key_value_metadata",
									  (void **) &f->key_values, &f->num_key_values))
					return false;
				/* be lenient with a missing key: metadata is informational */
				for (i = 0; i < f->num_key_values; i++)
					if (f->key_values[i].key == NULL)
						f->key_values[i].key = "";
				return true;
			}
		case 6:
			return read_string(st, type, &f->created_by);
		case 8:
		case 9:
			PqSetError(t->err, PQ_ERR_UNSUPPORTED, "encrypted Parquet files are not supported");
			return false;
		default:
			return PqThriftSkip(t, type);
	}
}

/* FileMetaData */
static bool
decode_file_metadata(FooterState *st)
{
	if (!PqThriftReadStruct(&st->t, file_metadata_field, NULL, NULL))
		return false;
	if (!st->have_schema || st->file->num_nodes == 0)
	{
		PqSetError(st->err, PQ_ERR_CORRUPT, "file metadata has no schema");
		return false;
	}
	return true;
}

/*
 * Checks one column chunk against its schema leaf and the file size, and
 * computes the byte range holding its pages.  Some writers record a
 * dictionary_page_offset of 0 for "none" (old parquet-cpp); a dictionary
 * offset is used only when it lies before the first data page.
 */
static PqCode
validate_chunk(PqFile *f, int rg, int col, PqError *err)
{
	PqColumnChunkMeta *c = &f->row_groups[rg].columns[col];
	const PqSchemaNode *leaf = f->leaves[col];
	int64_t		start;

	if (c->path == NULL || strcmp(c->path, leaf->path) != 0)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "row group %d column %d: path \"%s\" does not match schema leaf \"%s\"",
						  rg, col, c->path ? c->path : "", leaf->path);
	if (c->physical_type != leaf->physical_type)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "row group %d column \"%s\": physical type differs from the schema",
						  rg, leaf->path);
	if (c->file_path != NULL)
		return PqSetError(err, PQ_ERR_UNSUPPORTED,
						  "row group %d column \"%s\": column chunks in other files are not supported",
						  rg, leaf->path);
	/* offsets below 4 would point into the leading magic */
	if (c->num_values < 0 || c->total_compressed_size < 0 ||
		c->data_page_offset < 4)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "row group %d column \"%s\": invalid offsets or sizes",
						  rg, leaf->path);
	start = c->data_page_offset;
	if (c->dictionary_page_offset >= 4 && c->dictionary_page_offset < start)
		start = c->dictionary_page_offset;
	/* written as a subtraction so that huge sizes cannot overflow */
	if (start > f->file_size ||
		c->total_compressed_size > f->file_size - start)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "row group %d column \"%s\": byte range %lld+%lld exceeds file size %lld",
						  rg, leaf->path, (long long) start,
						  (long long) c->total_compressed_size, (long long) f->file_size);
	c->range_offset = start;
	c->range_length = c->total_compressed_size;
	return PQ_OK;
}

/*
 * Decodes FileMetaData from metadata[0..metadata_len) into *file.
 *
 * file_size is the size of the whole file, used to validate column chunk
 * ranges.  On success *file owns arena memory that PqFileReset() frees; on
 * failure nothing is left allocated and *file is zeroed.  allocator may be
 * NULL for malloc.
 */
PqCode
PqFooterDecode(PqFile *file, const uint8_t *metadata, size_t metadata_len,
			   uint64_t file_size, const PqAllocator *allocator, PqError *err)
{
	FooterState st;
	PqCode		rc;
	int			i,
				j;

	PqErrorClear(err);
	memset(file, 0, sizeof(*file));
	file->allocator = allocator ? *allocator : *PqDefaultAllocator();
	if (metadata == NULL || file_size > INT64_MAX || metadata_len > file_size)
		return PqSetError(err, PQ_ERR_INVALID, "invalid footer arguments");
	file->file_size = (int64_t) file_size;

	/* the thrift reader reports into the caller's error */
	memset(&st, 0, sizeof(st));
	st.file = file;
	st.err = err;
	PqThriftInit(&st.t, metadata, metadata_len, err);
	if (!decode_file_metadata(&st))
	{
		rc = err && err->code != PQ_OK ? err->code : PQ_ERR_CORRUPT;
		PqSetError(err, rc, "corrupt file metadata");
		goto fail;
	}
	if (file->num_rows < 0)
	{
		rc = PqSetError(err, PQ_ERR_CORRUPT, "negative row count");
		goto fail;
	}
	/* the schema must be linked before chunks can be matched to leaves */
	rc = PqSchemaBuild(file, err);
	if (rc != PQ_OK)
		goto fail;

	/*
	 * Check each row group against the schema once, so readers can index
	 * columns by leaf and trust every chunk's byte range.
	 */
	for (i = 0; i < file->num_row_groups; i++)
	{
		PqRowGroupMeta *rg = &file->row_groups[i];

		if (rg->num_columns != file->num_leaves)
		{
			rc = PqSetError(err, PQ_ERR_CORRUPT,
							"row group %d has %d columns, the schema has %d leaves",
							i, rg->num_columns, file->num_leaves);
			goto fail;
		}
		if (rg->num_rows < 0)
		{
			rc = PqSetError(err, PQ_ERR_CORRUPT, "row group %d has a negative row count", i);
			goto fail;
		}
		for (j = 0; j < rg->num_columns; j++)
		{
			rc = validate_chunk(file, i, j, err);
			if (rc != PQ_OK)
				goto fail;
		}
	}
	return PQ_OK;

fail:
	PqFileReset(file);
	return rc;
}

/*
 * Convenience for tests and tools: the whole file is in memory.  Verifies
 * both magics and decodes the footer.  The PqFile does not reference data.
 */
PqCode
PqFileOpenMemory(PqFile *file, const uint8_t *data, size_t len,
				 const PqAllocator *allocator, PqError *err)
{
	uint32_t	mlen;
	PqCode		rc;

	PqErrorClear(err);
	memset(file, 0, sizeof(*file));
	if (data == NULL || len < 12)
		return PqSetError(err, PQ_ERR_CORRUPT, "file of %zu bytes is too small to be Parquet", len);
	rc = PqFooterVerify(data, len, err);
	if (rc != PQ_OK)
		return rc;
	rc = PqFooterPeek(data + len - PQ_FOOTER_TAIL_SIZE, PQ_FOOTER_TAIL_SIZE, len, &mlen, err);
	if (rc != PQ_OK)
		return rc;
	return PqFooterDecode(file, data + len - PQ_FOOTER_TAIL_SIZE - mlen, mlen, len,
						  allocator, err);
}

/* Frees everything a PqFile owns; the struct is left zeroed and reusable. */
void
PqFileReset(PqFile *file)
{
	PqAllocator a = file->allocator;

	if (file->arena != NULL)
		PqArenaFree(file);
	memset(file, 0, sizeof(*file));
	file->allocator = a;
}
