/*-------------------------------------------------------------------------
 *
 * encoding_dict.c
 *	  Dictionary encoding: turning decoded indices into values.
 *
 * PLAIN_DICTIONARY / RLE_DICTIONARY data pages hold a one-byte bit width
 * followed by RLE/bit-packed hybrid indices into the column chunk's
 * dictionary page (decoded once, PLAIN, by column.c).  Gathering copies
 * fixed-size values; byte arrays are copied as views, so strings are never
 * copied and stay valid as long as the dictionary.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/encoding_dict.c
 *
 *-------------------------------------------------------------------------
 */
#include "pq_internal.h"

#define GATHER(T) \
	do { \
		const T    *d = (const T *) dict; \
		T		   *o = (T *) out; \
		for (i = 0; i < n; i++) \
			o[i] = d[idx[i]]; \
	} while (0)

/*
 * Writes dict[idx[i]] to out[i] for i < n.  Every index is checked
 * against dict_count first (one pass that the compiler vectorizes), so the
 * gather loops run without branches.
 */
PqCode
PqDictGather(PqPhysicalType type, const void *dict, int64_t dict_count,
			 const uint32_t *idx, int64_t n, void *out, PqError *err)
{
	int64_t		i;
	uint32_t	max = 0;

	for (i = 0; i < n; i++)
		max = idx[i] > max ? idx[i] : max;
	if (n > 0 && (int64_t) max >= dict_count)
		return PqSetError(err, PQ_ERR_CORRUPT,
						  "dictionary index %u out of range (dictionary has %lld entries)",
						  max, (long long) dict_count);
	switch (type)
	{
		case PQ_BOOLEAN:
			GATHER(uint8_t);
			break;
		case PQ_INT32:
		case PQ_FLOAT:
			GATHER(uint32_t);
			break;
		case PQ_INT64:
		case PQ_DOUBLE:
			GATHER(uint64_t);
			break;
		case PQ_INT96:
			GATHER(PqInt96);
			break;
		case PQ_BYTE_ARRAY:
		case PQ_FIXED_LEN_BYTE_ARRAY:
			GATHER(PqByteView);
			break;
		case PQ_GROUP:
			return PqSetError(err, PQ_ERR_INVALID, "dictionary gather of a group");
	}
	return PQ_OK;
}
