/*-------------------------------------------------------------------------
 *
 * convert.c
 *	  Helpers turning raw Parquet values into common representations.
 *
 * The reader core hands out physical values plus type information; these
 * helpers do the conversions every consumer needs and that are easy to get
 * subtly wrong: time units, INT96 (Julian day + nanoseconds of day, as
 * Spark writes timestamps), civil dates from day numbers, half floats,
 * decimals stored as big-endian two's complement of any width, and UUIDs.
 * Divisions round toward negative infinity so pre-1970 instants are right.
 *
 * Copyright (c) 2026, pg_clickstream authors
 *
 * IDENTIFICATION
 *	  src/parquet/convert.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>

#include "pq_internal.h"

#define JULIAN_DAY_OF_UNIX_EPOCH INT64_C(2440588)
#define NANOS_PER_SECOND INT64_C(1000000000)
#define SECONDS_PER_DAY INT64_C(86400)

/* Floor division and the matching non-negative remainder. */
static inline int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t		q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static inline int64_t
floor_mod(int64_t a, int64_t b)
{
	int64_t		r = a % b;

	/* adjust the remainder itself: recomputing a - q * b could overflow */
	if (r != 0 && ((r < 0) != (b < 0)))
		r += b;
	return r;
}

/*
 * Converts a TIME/TIMESTAMP value in `unit` to microseconds, rounding
 * nanoseconds down (toward negative infinity).  Millisecond values that
 * would overflow saturate at INT64_MIN/INT64_MAX.
 */
int64_t
PqTimeUnitToMicros(int64_t v, PqTimeUnit unit)
{
	switch (unit)
	{
		case PQ_UNIT_MILLIS:
			if (v > INT64_MAX / 1000)
				return INT64_MAX;
			if (v < INT64_MIN / 1000)
				return INT64_MIN;
			return v * 1000;
		case PQ_UNIT_NANOS:
			return floor_div(v, 1000);
		default:
			return v;
	}
}

/*
 * Splits a TIME/TIMESTAMP value into whole seconds and nanoseconds
 * (0..999999999).  Always succeeds for the three units; returns false for
 * PQ_UNIT_NONE.
 */
bool
PqTimeUnitSplit(int64_t v, PqTimeUnit unit, int64_t *seconds, int32_t *nanos)
{
	int64_t		per;

	switch (unit)
	{
		case PQ_UNIT_MILLIS:
			per = 1000;
			break;
		case PQ_UNIT_MICROS:
			per = 1000000;
			break;
		case PQ_UNIT_NANOS:
			per = NANOS_PER_SECOND;
			break;
		default:
			return false;
	}
	*seconds = floor_div(v, per);
	*nanos = (int32_t) (floor_mod(v, per) * (NANOS_PER_SECOND / per));
	return true;
}

/*
 * INT96 timestamp: little-endian nanoseconds of day (8 bytes) then the
 * Julian day (4 bytes).  Gives seconds since the Unix epoch and nanos.
 */
void
PqInt96Split(const PqInt96 *v, int64_t *seconds, int32_t *nanos)
{
	int64_t		nod = (int64_t) PqLoadU64(v->bytes);
	int64_t		jd = (int32_t) PqLoadU32(v->bytes + 8);
	int64_t		s = floor_div(nod, NANOS_PER_SECOND);

	*nanos = (int32_t) floor_mod(nod, NANOS_PER_SECOND);
	*seconds = (jd - JULIAN_DAY_OF_UNIX_EPOCH) * SECONDS_PER_DAY + s;
}

/*
 * INT96 timestamp as microseconds since the Unix epoch (truncating nanos).
 * Values outside the int64 microsecond range (only corrupt files have
 * them: that is beyond year 294,000) saturate at INT64_MIN/INT64_MAX.
 */
int64_t
PqInt96ToMicros(const PqInt96 *v)
{
	int64_t		s;
	int32_t		ns;

	PqInt96Split(v, &s, &ns);
	if (s > INT64_MAX / 1000000 - 1)
		return INT64_MAX;
	if (s < INT64_MIN / 1000000 + 1)
		return INT64_MIN;
	return s * 1000000 + ns / 1000;
}

/*
 * Civil (proleptic Gregorian) date from days since 1970-01-01, after
 * Howard Hinnant's days_from_civil inverse.  Year 0 is 1 BC.
 */
void
PqCivilFromDays(int64_t days, int64_t *year, int *month, int *day)
{
	int64_t		z = days + 719468;
	int64_t		era = floor_div(z, 146097);
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;
	int			d = (int) (doy - (153 * mp + 2) / 5 + 1);
	int			m = (int) (mp < 10 ? mp + 3 : mp - 9);

	*year = yoe + era * 400 + (m <= 2);
	*month = m;
	*day = d;
}

/* IEEE 754 half precision (little-endian) to float. */
float
PqFloat16ToFloat(const uint8_t *two_bytes)
{
	uint16_t	h = (uint16_t) (two_bytes[0] | (two_bytes[1] << 8));
	int			sign = (h >> 15) & 1;
	int			exp = (h >> 10) & 0x1f;
	int			mant = h & 0x3ff;
	float		v;

	if (exp == 0)
		v = ldexpf((float) mant, -24);
	else if (exp == 31)
		v = mant ? NAN : INFINITY;
	else
		v = ldexpf((float) (mant | 0x400), exp - 25);
	return sign ? -v : v;
}

/*
 * Formats unscaled digits (most significant first, no sign) with the
 * decimal point placed `scale` digits from the right.
 */
static size_t
place_point(bool negative, const char *digits, size_t nd, int32_t scale,
			char *buf, size_t buflen)
{
	size_t		need;
	size_t		w = 0;
	size_t		i;
	size_t		sc = scale > 0 ? (size_t) scale : 0;

	/* strip leading zeros, keeping at least one digit */
	while (nd > 1 && digits[0] == '0')
	{
		digits++;
		nd--;
	}
	if (nd == 1 && digits[0] == '0')
		negative = false;
	need = (negative ? 1 : 0) + (sc >= nd ? sc + 2 : nd + (sc > 0 ? 1 : 0)) +
		(scale < 0 ? (size_t) -scale : 0) + 1;
	if (need > buflen)
		return 0;
	if (negative)
		buf[w++] = '-';
	if (sc >= nd)
	{
		buf[w++] = '0';
		buf[w++] = '.';
		for (i = nd; i < sc; i++)
			buf[w++] = '0';
		memcpy(buf + w, digits, nd);
		w += nd;
	}
	else
	{
		memcpy(buf + w, digits, nd - sc);
		w += nd - sc;
		if (sc > 0)
		{
			buf[w++] = '.';
			memcpy(buf + w, digits + nd - sc, sc);
			w += sc;
		}
		for (i = 0; scale < 0 && i < (size_t) -scale; i++)
			buf[w++] = '0';
	}
	buf[w] = '\0';
	return w;
}

/*
 * Decimal stored as big-endian two's complement (FIXED_LEN_BYTE_ARRAY or
 * BYTE_ARRAY storage) to text with `scale` fractional digits.  Returns the
 * length written (NUL-terminated), or 0 if buf is too small or the value
 * is wider than 64 bytes.
 */
size_t
PqDecimalToString(const uint8_t *be, size_t len, int32_t scale, char *buf,
				  size_t buflen)
{
	uint8_t		mag[64];
	char		digits[192];
	size_t		nd = 0;
	bool		negative;
	size_t		i;
	size_t		start = 0;

	if (len == 0)
		return place_point(false, "0", 1, scale, buf, buflen);
	if (len > sizeof(mag))
		return 0;
	negative = (be[0] & 0x80) != 0;
	memcpy(mag, be, len);
	if (negative)
	{
		/* two's complement negate: invert and add one */
		int			carry = 1;

		for (i = len; i-- > 0;)
		{
			int			v = (uint8_t) ~mag[i] + carry;

			mag[i] = (uint8_t) v;
			carry = v >> 8;
		}
	}
	/* repeated division by 10^9, collecting 9 digits per round */
	for (;;)
	{
		uint64_t	rem = 0;
		int			k;

		while (start < len && mag[start] == 0)
			start++;
		if (start == len)
			break;
		for (i = start; i < len; i++)
		{
			uint64_t	cur = (rem << 8) | mag[i];

			mag[i] = (uint8_t) (cur / 1000000000u);
			rem = cur % 1000000000u;
		}
		for (k = 0; k < 9; k++)
		{
			digits[nd++] = (char) ('0' + rem % 10);
			rem /= 10;
		}
	}
	if (nd == 0)
		digits[nd++] = '0';
	/* digits are least significant first; reverse them */
	for (i = 0; i < nd / 2; i++)
	{
		char		t = digits[i];

		digits[i] = digits[nd - 1 - i];
		digits[nd - 1 - i] = t;
	}
	return place_point(negative, digits, nd, scale, buf, buflen);
}

/* Decimal stored as INT32/INT64 to text; see PqDecimalToString. */
size_t
PqDecimalFromInt64(int64_t unscaled, int32_t scale, char *buf, size_t buflen)
{
	char		digits[24];
	size_t		nd = 0;
	uint64_t	mag = unscaled < 0 ? (uint64_t) 0 - (uint64_t) unscaled : (uint64_t) unscaled;
	size_t		i;

	do
	{
		digits[nd++] = (char) ('0' + mag % 10);
		mag /= 10;
	} while (mag != 0);
	for (i = 0; i < nd / 2; i++)
	{
		char		t = digits[i];

		digits[i] = digits[nd - 1 - i];
		digits[nd - 1 - i] = t;
	}
	return place_point(unscaled < 0, digits, nd, scale, buf, buflen);
}

/* 16 bytes to the canonical 8-4-4-4-12 lower-case form (needs 37 bytes). */
size_t
PqUuidToString(const uint8_t *b, char *buf, size_t buflen)
{
	static const char hex[] = "0123456789abcdef";
	size_t		w = 0;
	int			i;

	if (buflen < 37)
		return 0;
	for (i = 0; i < 16; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[w++] = '-';
		buf[w++] = hex[b[i] >> 4];
		buf[w++] = hex[b[i] & 15];
	}
	buf[w] = '\0';
	return w;
}
