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

/* TimeUnit union: returns the member id (1 MILLIS, 2 MICROS, 3 NANOS). */
static bool
decode_time_unit(FooterState *st, PqTimeUnit *unit)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;

	if (!PqThriftStructBegin(&st->t))
		return false;
	for (;;)
	{
		if (!PqThriftFieldHeader(&st->t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		if (id >= 1 && id <= 3 && type == PQ_TT_STRUCT)
			*unit = (PqTimeUnit) id;
		if (!PqThriftSkip(&st->t, type))
			return false;
	}
	PqThriftStructEnd(&st->t);
	return true;
}

/*
 * Fields of the LogicalType member structs we need: DecimalType(scale,
 * precision), TimeType/TimestampType(isAdjustedToUTC, unit) and
 * IntType(bitWidth, isSigned).  Other members are empty structs.
 */
static bool
decode_logical_member(FooterState *st, int member, PqLogicalType *lt)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;

	if (!PqThriftStructBegin(&st->t))
		return false;
	for (;;)
	{
		bool		ok = true;
		int32_t		i32;

		if (!PqThriftFieldHeader(&st->t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		if (member == PQ_LT_DECIMAL && id == 1)
			ok = PqThriftI32(&st->t, type, &lt->scale);
		else if (member == PQ_LT_DECIMAL && id == 2)
			ok = PqThriftI32(&st->t, type, &lt->precision);
		else if ((member == PQ_LT_TIME || member == PQ_LT_TIMESTAMP) && id == 1)
			ok = PqThriftBool(&st->t, type, &lt->is_adjusted_to_utc);
		else if ((member == PQ_LT_TIME || member == PQ_LT_TIMESTAMP) && id == 2 &&
				 type == PQ_TT_STRUCT)
			ok = decode_time_unit(st, &lt->unit);
		else if (member == PQ_LT_INTEGER && id == 1)
		{
			ok = PqThriftI32(&st->t, type, &i32);
			lt->bit_width = (int8_t) i32;
		}
		else if (member == PQ_LT_INTEGER && id == 2)
			ok = PqThriftBool(&st->t, type, &lt->is_signed);
		else
			ok = PqThriftSkip(&st->t, type);
		if (!ok)
			return false;
	}
	PqThriftStructEnd(&st->t);
	return true;
}

/* LogicalType union; unknown members become PQ_LT_OTHER. */
static bool
decode_logical_type(FooterState *st, PqLogicalType *lt)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;

	if (!PqThriftStructBegin(&st->t))
		return false;
	for (;;)
	{
		if (!PqThriftFieldHeader(&st->t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		if (type != PQ_TT_STRUCT)
		{
			if (!PqThriftSkip(&st->t, type))
				return false;
			continue;
		}
		memset(lt, 0, sizeof(*lt));
		if ((id >= 1 && id <= 8) || (id >= 10 && id <= 15))
			lt->kind = (PqLogicalKind) id;
		else
			lt->kind = PQ_LT_OTHER;
		if (!decode_logical_member(st, id, lt))
			return false;
	}
	PqThriftStructEnd(&st->t);
	return true;
}

/* SchemaElement, decoded straight into a PqSchemaNode (linked in schema.c). */
static bool
decode_schema_element(FooterState *st, PqSchemaNode *n)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;
	bool		have_name = false;
	int32_t		i32;

	n->physical_type = PQ_GROUP;
	n->repetition = PQ_REQUIRED;
	n->converted_type = PQ_CT_NONE;
	n->field_id = -1;
	n->num_children = 0;
	n->logical.kind = PQ_LT_NONE;
	if (!PqThriftStructBegin(&st->t))
		return false;
	for (;;)
	{
		bool		ok = true;

		if (!PqThriftFieldHeader(&st->t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		switch (id)
		{
			case 1:
				ok = PqThriftI32(&st->t, type, &i32);
				if (ok && (i32 < PQ_BOOLEAN || i32 > PQ_FIXED_LEN_BYTE_ARRAY))
				{
					PqSetError(st->err, PQ_ERR_UNSUPPORTED,
							   "unsupported physical type %d", i32);
					return false;
				}
				n->physical_type = (PqPhysicalType) i32;
				break;
			case 2:
				ok = PqThriftI32(&st->t, type, &n->type_length);
				break;
			case 3:
				ok = PqThriftI32(&st->t, type, &i32);
				if (ok && (i32 < PQ_REQUIRED || i32 > PQ_REPEATED))
				{
					PqSetError(st->err, PQ_ERR_CORRUPT, "invalid repetition type %d", i32);
					return false;
				}
				n->repetition = (PqRepetition) i32;
				break;
			case 4:
				ok = read_string(st, type, &n->name);
				have_name = ok;
				break;
			case 5:
				ok = PqThriftI32(&st->t, type, &n->num_children);
				break;
			case 6:
				ok = PqThriftI32(&st->t, type, &i32);
				/* unknown converted types are ignored, like unknown logical ones */
				n->converted_type = (i32 >= 0 && i32 <= PQ_CT_INTERVAL) ?
					(PqConvertedType) i32 : PQ_CT_NONE;
				break;
			case 7:
				ok = PqThriftI32(&st->t, type, &n->logical.scale);
				break;
			case 8:
				ok = PqThriftI32(&st->t, type, &n->logical.precision);
				break;
			case 9:
				ok = PqThriftI32(&st->t, type, &n->field_id);
				break;
			case 10:
				if (type != PQ_TT_STRUCT)
					return PqThriftBadType(&st->t, "SchemaElement.logicalType");
				{
					PqLogicalType lt;

					memset(&lt, 0, sizeof(lt));
					ok = decode_logical_type(st, &lt);
					if (ok && lt.kind != PQ_LT_NONE)
						n->logical = lt;
				}
				break;
			default:
				ok = PqThriftSkip(&st->t, type);
				break;
		}
		if (!ok)
			return false;
	}
	PqThriftStructEnd(&st->t);
	if (!have_name)
	{
		PqSetError(st->err, PQ_ERR_CORRUPT, "schema element without a name");
		return false;
	}
	return true;
}

/* Statistics; min/max values are copied into the arena. */
static bool
decode_statistics(FooterState *st, PqStatistics *s)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;
	PqByteView	bv;
	PqByteView	legacy_min = {NULL, 0},
				legacy_max = {NULL, 0};
	bool		has_legacy_min = false,
				has_legacy_max = false;

	if (!PqThriftStructBegin(&st->t))
		return false;
	for (;;)
	{
		bool		ok = true;

		if (!PqThriftFieldHeader(&st->t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		switch (id)
		{
			case 1:
				ok = PqThriftBinary(&st->t, type, &legacy_max);
				has_legacy_max = ok;
				break;
			case 2:
				ok = PqThriftBinary(&st->t, type, &legacy_min);
				has_legacy_min = ok;
				break;
			case 3:
				ok = PqThriftI64(&st->t, type, &s->null_count);
				s->has_null_count = ok;
				break;
			case 4:
				ok = PqThriftI64(&st->t, type, &s->distinct_count);
				s->has_distinct_count = ok;
				break;
			case 5:
				ok = PqThriftBinary(&st->t, type, &bv);
				s->max = bv;
				s->has_max = ok;
				break;
			case 6:
				ok = PqThriftBinary(&st->t, type, &bv);
				s->min = bv;
				s->has_min = ok;
				break;
			default:
				ok = PqThriftSkip(&st->t, type);
				break;
		}
		if (!ok)
			return false;
	}
	PqThriftStructEnd(&st->t);
	/* prefer the new fields; fall back to the deprecated, signed-order ones */
	if (!s->has_min && !s->has_max && (has_legacy_min || has_legacy_max))
	{
		s->legacy = true;
		s->has_min = has_legacy_min;
		s->has_max = has_legacy_max;
		s->min = legacy_min;
		s->max = legacy_max;
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

/* ColumnMetaData */
static bool
decode_column_meta(FooterState *st, PqColumnChunkMeta *c)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;
	int32_t		i32;
	uint32_t	seen = 0;

	if (!PqThriftStructBegin(&st->t))
		return false;
	for (;;)
	{
		bool		ok = true;

		if (!PqThriftFieldHeader(&st->t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		if (id > 0 && id < 32)
			seen |= 1u << id;
		switch (id)
		{
			case 1:
				ok = PqThriftI32(&st->t, type, &i32);
				if (ok && (i32 < PQ_BOOLEAN || i32 > PQ_FIXED_LEN_BYTE_ARRAY))
				{
					PqSetError(st->err, PQ_ERR_UNSUPPORTED,
							   "unsupported physical type %d", i32);
					return false;
				}
				c->physical_type = (PqPhysicalType) i32;
				break;
			case 2:
				{
					int			et;
					int32_t		n,
								i;
					int32_t    *enc;

					ok = PqThriftListBegin(&st->t, type, &et, &n);
					if (!ok)
						return false;
					enc = PqArenaAlloc(st->file, sizeof(int32_t) * (size_t) (n + 1));
					if (enc == NULL)
						return nomem(st);
					for (i = 0; i < n && ok; i++)
						ok = PqThriftListI32(&st->t, et, &enc[i]);
					PqThriftStructEnd(&st->t);
					c->encodings = enc;
					c->num_encodings = n;
				}
				break;
			case 3:
				ok = decode_path(st, type, &c->path);
				break;
			case 4:
				ok = PqThriftI32(&st->t, type, &i32);
				c->codec = (PqCodec) i32;
				break;
			case 5:
				ok = PqThriftI64(&st->t, type, &c->num_values);
				break;
			case 6:
				ok = PqThriftI64(&st->t, type, &c->total_uncompressed_size);
				break;
			case 7:
				ok = PqThriftI64(&st->t, type, &c->total_compressed_size);
				break;
			case 9:
				ok = PqThriftI64(&st->t, type, &c->data_page_offset);
				break;
			case 10:
				ok = PqThriftI64(&st->t, type, &c->index_page_offset);
				break;
			case 11:
				ok = PqThriftI64(&st->t, type, &c->dictionary_page_offset);
				break;
			case 12:
				if (type != PQ_TT_STRUCT)
					return PqThriftBadType(&st->t, "ColumnMetaData.statistics");
				ok = decode_statistics(st, &c->statistics);
				break;
			default:
				ok = PqThriftSkip(&st->t, type);
				break;
		}
		if (!ok)
			return false;
	}
	PqThriftStructEnd(&st->t);
	/* type, encodings, path, codec, num_values, sizes, data_page_offset */
	if ((seen & 0x2fe) != 0x2fe)
	{
		PqSetError(st->err, PQ_ERR_CORRUPT, "column metadata lacks required fields");
		return false;
	}
	return true;
}

/* ColumnChunk */
static bool
decode_column_chunk(FooterState *st, PqColumnChunkMeta *c)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;
	bool		have_meta = false;
	int64_t		ignored;

	c->dictionary_page_offset = -1;
	c->index_page_offset = -1;
	if (!PqThriftStructBegin(&st->t))
		return false;
	for (;;)
	{
		bool		ok = true;

		if (!PqThriftFieldHeader(&st->t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		switch (id)
		{
			case 1:
				ok = read_string(st, type, &c->file_path);
				break;
			case 2:
				ok = PqThriftI64(&st->t, type, &ignored);
				break;
			case 3:
				if (type != PQ_TT_STRUCT)
					return PqThriftBadType(&st->t, "ColumnChunk.meta_data");
				ok = decode_column_meta(st, c);
				have_meta = ok;
				break;
			case 8:
			case 9:
				PqSetError(st->err, PQ_ERR_UNSUPPORTED,
						   "encrypted Parquet columns are not supported");
				return false;
			default:
				ok = PqThriftSkip(&st->t, type);
				break;
		}
		if (!ok)
			return false;
	}
	PqThriftStructEnd(&st->t);
	if (!have_meta)
	{
		PqSetError(st->err, PQ_ERR_CORRUPT, "column chunk without metadata");
		return false;
	}
	return true;
}

/* RowGroup */
static bool
decode_row_group(FooterState *st, PqRowGroupMeta *rg)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;
	bool		have_columns = false;

	rg->total_compressed_size = -1;
	if (!PqThriftStructBegin(&st->t))
		return false;
	for (;;)
	{
		bool		ok = true;

		if (!PqThriftFieldHeader(&st->t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		switch (id)
		{
			case 1:
				{
					int			et;
					int32_t		n,
								i;

					if (!PqThriftListBegin(&st->t, type, &et, &n))
						return false;
					if (et != PQ_TT_STRUCT)
						return PqThriftBadType(&st->t, "RowGroup.columns");
					rg->columns = PqArenaAlloc(st->file, sizeof(PqColumnChunkMeta) * (size_t) (n + 1));
					if (rg->columns == NULL)
						return nomem(st);
					for (i = 0; i < n; i++)
						if (!decode_column_chunk(st, &rg->columns[i]))
							return false;
					PqThriftStructEnd(&st->t);
					rg->num_columns = n;
					have_columns = true;
				}
				break;
			case 2:
				ok = PqThriftI64(&st->t, type, &rg->total_byte_size);
				break;
			case 3:
				ok = PqThriftI64(&st->t, type, &rg->num_rows);
				break;
			case 6:
				ok = PqThriftI64(&st->t, type, &rg->total_compressed_size);
				break;
			default:
				ok = PqThriftSkip(&st->t, type);
				break;
		}
		if (!ok)
			return false;
	}
	PqThriftStructEnd(&st->t);
	if (!have_columns)
	{
		PqSetError(st->err, PQ_ERR_CORRUPT, "row group without columns");
		return false;
	}
	return true;
}

/* list<KeyValue> key_value_metadata */
static bool
decode_key_values(FooterState *st, int type)
{
	int			et;
	int32_t		n,
				i;

	if (!PqThriftListBegin(&st->t, type, &et, &n))
		return false;
	if (et != PQ_TT_STRUCT)
		return PqThriftBadType(&st->t, "key_value_metadata");
	st->file->key_values = PqArenaAlloc(st->file, sizeof(PqKeyValue) * (size_t) (n + 1));
	if (st->file->key_values == NULL)
		return nomem(st);
	for (i = 0; i < n; i++)
	{
		int16_t		last = 0;
		int			ft;
		int16_t		id;
		PqKeyValue *kv = &st->file->key_values[i];

		if (!PqThriftStructBegin(&st->t))
			return false;
		for (;;)
		{
			bool		ok;

			if (!PqThriftFieldHeader(&st->t, &last, &ft, &id))
				return false;
			if (ft == PQ_TT_STOP)
				break;
			if (id == 1)
				ok = read_string(st, ft, &kv->key);
			else if (id == 2)
				ok = read_string(st, ft, &kv->value);
			else
				ok = PqThriftSkip(&st->t, ft);
			if (!ok)
				return false;
		}
		PqThriftStructEnd(&st->t);
		if (kv->key == NULL)
			kv->key = "";
	}
	PqThriftStructEnd(&st->t);
	st->file->num_key_values = n;
	return true;
}

/* FileMetaData */
static bool
decode_file_metadata(FooterState *st)
{
	PqFile	   *f = st->file;
	int16_t		last = 0;
	int			type;
	int16_t		id;

	if (!PqThriftStructBegin(&st->t))
		return false;
	for (;;)
	{
		bool		ok = true;

		if (!PqThriftFieldHeader(&st->t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		switch (id)
		{
			case 1:
				ok = PqThriftI32(&st->t, type, &f->version);
				break;
			case 2:
				{
					int			et;
					int32_t		n,
								i;

					if (st->have_schema)
						return PqThriftBadType(&st->t, "duplicate schema");
					if (!PqThriftListBegin(&st->t, type, &et, &n))
						return false;
					if (et != PQ_TT_STRUCT)
						return PqThriftBadType(&st->t, "FileMetaData.schema");
					f->nodes = PqArenaAlloc(f, sizeof(PqSchemaNode) * (size_t) (n + 1));
					if (f->nodes == NULL)
						return nomem(st);
					for (i = 0; i < n; i++)
					{
						f->nodes[i].index = i;
						if (!decode_schema_element(st, &f->nodes[i]))
							return false;
					}
					PqThriftStructEnd(&st->t);
					f->num_nodes = n;
					st->have_schema = true;
				}
				break;
			case 3:
				ok = PqThriftI64(&st->t, type, &f->num_rows);
				break;
			case 4:
				{
					int			et;
					int32_t		n,
								i;

					if (st->have_row_groups)
						return PqThriftBadType(&st->t, "duplicate row_groups");
					if (!PqThriftListBegin(&st->t, type, &et, &n))
						return false;
					if (et != PQ_TT_STRUCT)
						return PqThriftBadType(&st->t, "FileMetaData.row_groups");
					f->row_groups = PqArenaAlloc(f, sizeof(PqRowGroupMeta) * (size_t) (n + 1));
					if (f->row_groups == NULL)
						return nomem(st);
					for (i = 0; i < n; i++)
						if (!decode_row_group(st, &f->row_groups[i]))
							return false;
					PqThriftStructEnd(&st->t);
					f->num_row_groups = n;
					st->have_row_groups = true;
				}
				break;
			case 5:
				ok = decode_key_values(st, type);
				break;
			case 6:
				ok = read_string(st, type, &f->created_by);
				break;
			case 8:
			case 9:
				PqSetError(st->err, PQ_ERR_UNSUPPORTED,
						   "encrypted Parquet files are not supported");
				return false;
			default:
				ok = PqThriftSkip(&st->t, type);
				break;
		}
		if (!ok)
			return false;
	}
	PqThriftStructEnd(&st->t);
	if (!st->have_schema || f->num_nodes == 0)
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
	if (c->num_values < 0 || c->total_compressed_size < 0 ||
		c->data_page_offset < 4)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "row group %d column \"%s\": invalid offsets or sizes",
						  rg, leaf->path);
	start = c->data_page_offset;
	if (c->dictionary_page_offset >= 4 && c->dictionary_page_offset < start)
		start = c->dictionary_page_offset;
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
	rc = PqSchemaBuild(file, err);
	if (rc != PQ_OK)
		goto fail;

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
