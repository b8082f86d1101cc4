/*-------------------------------------------------------------------------
 *
 * thrift_compact.c
 *	  Bounded decoder for the Thrift compact protocol.
 *
 * Parquet's footer and page headers are Thrift structs in the compact
 * protocol (apache/thrift doc/specs/thrift-compact-protocol.md).  This is
 * a pull decoder over a byte view: the struct decoders in footer.c and
 * page.c ask for field headers and values and skip what they do not know.
 *
 * Robustness rules: varints are capped at 10 bytes, every length is
 * checked against the bytes left, list counts are checked against the
 * bytes left (each element needs at least one byte), and nesting of
 * structs, lists and maps is capped at PQ_THRIFT_MAX_DEPTH.  Functions
 * return false after recording PQ_ERR_CORRUPT in t->err.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/thrift_compact.c
 *
 *-------------------------------------------------------------------------
 */
#include "pq_internal.h"

static bool
truncated(PqThrift *t)
{
	PqSetError(t->err, PQ_ERR_CORRUPT, "thrift: truncated metadata");
	return false;
}

void
PqThriftInit(PqThrift *t, const uint8_t *data, size_t len, PqError *err)
{
	t->p = data;
	t->end = data + len;
	t->depth = 0;
	t->err = err;
}

/* Reports a field whose wire type does not match the schema. */
bool
PqThriftBadType(PqThrift *t, const char *what)
{
	PqSetError(t->err, PQ_ERR_CORRUPT, "thrift: unexpected wire type for %s", what);
	return false;
}

/* Enters a nested struct, list or map, enforcing the depth cap. */
bool
PqThriftStructBegin(PqThrift *t)
{
	if (++t->depth > PQ_THRIFT_MAX_DEPTH)
	{
		PqSetError(t->err, PQ_ERR_CORRUPT, "thrift: nesting deeper than %d",
				   PQ_THRIFT_MAX_DEPTH);
		return false;
	}
	return true;
}

void
PqThriftStructEnd(PqThrift *t)
{
	t->depth--;
}

/* Unsigned LEB128 varint of at most 10 bytes. */
bool
PqThriftVarint(PqThrift *t, uint64_t *out)
{
	uint64_t	v = 0;
	int			shift = 0;
	int			i;

	for (i = 0; i < 10; i++)
	{
		uint8_t		b;

		if (t->p >= t->end)
			return truncated(t);
		b = *t->p++;
		v |= (uint64_t) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
		{
			*out = v;
			return true;
		}
		shift += 7;
	}
	PqSetError(t->err, PQ_ERR_CORRUPT, "thrift: varint longer than 10 bytes");
	return false;
}

static inline int64_t
zigzag(uint64_t v)
{
	return (int64_t) (v >> 1) ^ -(int64_t) (v & 1);
}

/*
 * Reads the next field header of a struct.  *type is PQ_TT_STOP at the end
 * of the struct.  *last_id carries the previous field id for delta
 * encoding; the caller initializes it to 0 per struct.
 */
bool
PqThriftFieldHeader(PqThrift *t, int16_t *last_id, int *type, int16_t *id)
{
	uint8_t		b;
	int			delta;

	if (t->p >= t->end)
		return truncated(t);
	b = *t->p++;
	*type = b & 0x0f;
	if (*type == PQ_TT_STOP)
	{
		*id = 0;
		return true;
	}
	/* short form: the id is a delta from the previous field's id */
	delta = b >> 4;
	if (delta != 0)
		*id = (int16_t) (*last_id + delta);
	else
	{
		uint64_t	v;
		int64_t		s;

		if (!PqThriftVarint(t, &v))
			return false;
		s = zigzag(v);
		if (s < INT16_MIN || s > INT16_MAX)
		{
			PqSetError(t->err, PQ_ERR_CORRUPT, "thrift: field id out of range");
			return false;
		}
		*id = (int16_t) s;
	}
	*last_id = *id;
	if (*type > PQ_TT_STRUCT)
	{
		PqSetError(t->err, PQ_ERR_CORRUPT, "thrift: invalid wire type %d", *type);
		return false;
	}
	return true;
}

/* i32 field (also accepts i8/i16 wire types, which widen losslessly). */
bool
PqThriftI32(PqThrift *t, int type, int32_t *out)
{
	uint64_t	v;
	int64_t		s;

	if (type == PQ_TT_BYTE)
	{
		if (t->p >= t->end)
			return truncated(t);
		*out = (int8_t) *t->p++;
		return true;
	}
	if (type != PQ_TT_I32 && type != PQ_TT_I16)
		return PqThriftBadType(t, "i32");
	if (!PqThriftVarint(t, &v))
		return false;
	s = zigzag(v);
	if (s < INT32_MIN || s > INT32_MAX)
	{
		PqSetError(t->err, PQ_ERR_CORRUPT, "thrift: i32 value out of range");
		return false;
	}
	*out = (int32_t) s;
	return true;
}

/* i64 field (also accepts narrower integer wire types). */
bool
PqThriftI64(PqThrift *t, int type, int64_t *out)
{
	uint64_t	v;

	if (type == PQ_TT_BYTE || type == PQ_TT_I16 || type == PQ_TT_I32)
	{
		int32_t		i;

		if (!PqThriftI32(t, type, &i))
			return false;
		*out = i;
		return true;
	}
	if (type != PQ_TT_I64)
		return PqThriftBadType(t, "i64");
	if (!PqThriftVarint(t, &v))
		return false;
	*out = zigzag(v);
	return true;
}

/* Boolean struct field: the value is carried by the wire type itself. */
bool
PqThriftBool(PqThrift *t, int type, bool *out)
{
	if (type == PQ_TT_TRUE)
		*out = true;
	else if (type == PQ_TT_FALSE)
		*out = false;
	else
		return PqThriftBadType(t, "bool");
	return true;
}

/* Binary/string: varint length then bytes; the view points into the input. */
bool
PqThriftBinary(PqThrift *t, int type, PqByteView *out)
{
	uint64_t	len;

	if (type != PQ_TT_BINARY)
		return PqThriftBadType(t, "binary");
	if (!PqThriftVarint(t, &len))
		return false;
	if (len > (uint64_t) (t->end - t->p) || len > UINT32_MAX)
		return truncated(t);
	out->ptr = t->p;
	out->len = (uint32_t) len;
	t->p += len;
	return true;
}

/*
 * List or set header.  The count is checked against the bytes left: every
 * element takes at least one byte on the wire.  The caller must call
 * PqThriftStructEnd() after the elements (lists count toward the depth).
 */
bool
PqThriftListBegin(PqThrift *t, int type, int *elem_type, int32_t *count)
{
	uint8_t		b;
	uint64_t	n;

	if (type != PQ_TT_LIST && type != PQ_TT_SET)
		return PqThriftBadType(t, "list");
	if (t->p >= t->end)
		return truncated(t);
	b = *t->p++;
	*elem_type = b & 0x0f;
	n = b >> 4;
	/* sizes of 15 and more are in a varint after the header byte */
	if (n == 15 && !PqThriftVarint(t, &n))
		return false;
	if (n > (uint64_t) (t->end - t->p) || n > INT32_MAX)
		return truncated(t);
	/* element types use 1 (TRUE) for bool in lists; STOP is not a type */
	if (*elem_type == PQ_TT_STOP || *elem_type > PQ_TT_STRUCT)
	{
		PqSetError(t->err, PQ_ERR_CORRUPT, "thrift: invalid list element type");
		return false;
	}
	*count = (int32_t) n;
	return PqThriftStructBegin(t);
}

/* One i32 element of a list (enum lists such as encodings). */
bool
PqThriftListI32(PqThrift *t, int elem_type, int32_t *out)
{
	return PqThriftI32(t, elem_type, out);
}

/* Skips one value of the given wire type, recursing into containers. */
bool
PqThriftSkip(PqThrift *t, int type)
{
	uint64_t	v;

	switch (type)
	{
		case PQ_TT_TRUE:
		case PQ_TT_FALSE:
			return true;
		case PQ_TT_BYTE:
			if (t->p >= t->end)
				return truncated(t);
			t->p++;
			return true;
		case PQ_TT_I16:
		case PQ_TT_I32:
		case PQ_TT_I64:
			return PqThriftVarint(t, &v);
		case PQ_TT_DOUBLE:
			if (t->end - t->p < 8)
				return truncated(t);
			t->p += 8;
			return true;
		case PQ_TT_BINARY:
			{
				PqByteView bv;

				return PqThriftBinary(t, type, &bv);
			}
		case PQ_TT_LIST:
		case PQ_TT_SET:
			{
				int			et;
				int32_t		n,
							i;

				if (!PqThriftListBegin(t, type, &et, &n))
					return false;
				for (i = 0; i < n; i++)
				{
					/* bools inside lists occupy one byte each */
					if (et == PQ_TT_TRUE || et == PQ_TT_FALSE)
					{
						if (!PqThriftSkip(t, PQ_TT_BYTE))
							return false;
					}
					else if (!PqThriftSkip(t, et))
						return false;
				}
				PqThriftStructEnd(t);
				return true;
			}
		case PQ_TT_MAP:
			{
				uint64_t	n,
							i;
				int			kt,
							vt;

				/* map: varint size, then (if not empty) key and value types */
				if (!PqThriftVarint(t, &n))
					return false;
				if (n == 0)
					return true;
				if (n > (uint64_t) (t->end - t->p))
					return truncated(t);
				if (t->p >= t->end)
					return truncated(t);
				kt = *t->p >> 4;
				vt = *t->p & 0x0f;
				t->p++;
				if (!PqThriftStructBegin(t))
					return false;
				for (i = 0; i < n; i++)
				{
					if (!PqThriftSkip(t, kt == PQ_TT_TRUE || kt == PQ_TT_FALSE ? PQ_TT_BYTE : kt) ||
						!PqThriftSkip(t, vt == PQ_TT_TRUE || vt == PQ_TT_FALSE ? PQ_TT_BYTE : vt))
						return false;
				}
				PqThriftStructEnd(t);
				return true;
			}
		case PQ_TT_STRUCT:
			{
				int16_t		last = 0;
				int			ft;
				int16_t		id;

				if (!PqThriftStructBegin(t))
					return false;
				for (;;)
				{
					if (!PqThriftFieldHeader(t, &last, &ft, &id))
						return false;
					if (ft == PQ_TT_STOP)
						break;
					if (!PqThriftSkip(t, ft))
						return false;
				}
				PqThriftStructEnd(t);
				return true;
			}
		default:
			PqSetError(t->err, PQ_ERR_CORRUPT, "thrift: cannot skip wire type %d", type);
			return false;
	}
}

/*
 * Reads one struct, calling fn for each field (fn must consume the value,
 * typically skipping fields it does not know).  *seen, if not NULL, gets a
 * bit per field id 1..31 present, so callers can check required fields.
 */
bool
PqThriftReadStruct(PqThrift *t, PqThriftFieldFn fn, void *target, uint32_t *seen)
{
	int16_t		last = 0;
	int			type;
	int16_t		id;

	if (seen != NULL)
		*seen = 0;
	if (!PqThriftStructBegin(t))
		return false;
	for (;;)
	{
		if (!PqThriftFieldHeader(t, &last, &type, &id))
			return false;
		if (type == PQ_TT_STOP)
			break;
		if (!fn(t, target, id, type))
			return false;
		if (seen != NULL && id > 0 && id < 32)
			*seen |= 1u << id;
	}
	PqThriftStructEnd(t);
	return true;
}
