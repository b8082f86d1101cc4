/*-------------------------------------------------------------------------
 *
 * textsource.c
 *	  The byte stream that text formats read: an object's bytes, inflated if
 *	  they are compressed, with invalid UTF-8 replaced when the load asks
 *	  for it (Redshift's ACCEPTINVCHARS).
 *
 * Memory is bounded: the buffer holds one read-ahead chunk, or one line when
 * lines are asked for (a line longer than the chunk grows the buffer, up to
 * MaxAllocSize).
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/loader/textsource.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "formats/decompress.h"
#include "loader/loader.h"

#define TEXT_CHUNK	(256 * 1024)

struct TextSource
{
	LoadContext *ctx;
	LoadFile   *file;
	DecompressStream *dz;
	char	   *buf;			/* bytes ready for the reader */
	int			start;			/* first unread byte in buf */
	int			end;			/* end of valid bytes in buf */
	int			cap;
	char		carry[4];		/* incomplete UTF-8 sequence at chunk end */
	int			ncarry;
	bool		eof;
	char		replacement;	/* accept_invalid_chars, or 0 */
	char	   *raw;			/* TEXT_CHUNK bytes before replacement */
	int64		replaced;		/* bytes replaced, for a NOTICE */
};

static size_t read_object(void *arg, char *buf, size_t len);
static int	fill(TextSource *src);
static int	fix_utf8(TextSource *src, char *dst, const char *in, int n,
					 bool at_eof);

/*
 * TextSourceOpen
 *		Start reading file's stream through decompression.  Allocations are
 *		in the current memory context.
 */
TextSource *
TextSourceOpen(LoadContext *ctx, LoadFile *file)
{
	TextSource *src = palloc0(sizeof(TextSource));

	src->ctx = ctx;
	src->file = file;
	src->cap = TEXT_CHUNK * 2;
	src->buf = palloc(src->cap);
	if (ctx->options->accept_invalid_chars)
	{
		src->replacement = ctx->options->accept_invalid_chars[0];
		src->raw = palloc(TEXT_CHUNK);
	}
	src->dz = DecompressOpen(read_object, src, file->url);
	return src;
}

/*
 * TextSourceRead
 *		Copy up to len bytes into buf; 0 means the end of the object.
 */
int
TextSourceRead(TextSource *src, char *buf, int len)
{
	int			n;

	if (src->start == src->end && fill(src) == 0)
		return 0;
	n = Min(len, src->end - src->start);
	memcpy(buf, src->buf + src->start, n);
	src->start += n;
	return n;
}

/*
 * TextSourceNextLine
 *		Return the next line (without its LF or CRLF) in *line and *len, valid
 *		until the next call.  The line is NUL-terminated in place.  Returns
 *		false at the end of the object.  A last line without \n counts.
 */
bool
TextSourceNextLine(TextSource *src, char **line, int *len)
{
	int			scanned = 0;

	for (;;)
	{
		char	   *nl = memchr(src->buf + src->start + scanned, '\n',
								src->end - src->start - scanned);

		if (nl != NULL)
		{
			int			n = nl - (src->buf + src->start);

			*line = src->buf + src->start;
			src->start += n + 1;
			if (n > 0 && (*line)[n - 1] == '\r')
				n--;
			(*line)[n] = '\0';
			*len = n;
			return true;
		}
		scanned = src->end - src->start;
		if (fill(src) == 0)
		{
			int			n = src->end - src->start;

			if (n == 0)
				return false;
			/* the last line had no newline: there is room for the NUL */
			*line = src->buf + src->start;
			src->start = src->end;
			if (n > 0 && (*line)[n - 1] == '\r')
				n--;
			(*line)[n] = '\0';
			*len = n;
			return true;
		}
	}
}

/*
 * TextSourceClose
 *		Release the decompressor; say how many bytes were replaced.
 */
void
TextSourceClose(TextSource *src)
{
	if (src->replaced > 0)
		ereport(NOTICE,
				(errmsg("replaced " INT64_FORMAT " invalid UTF-8 bytes in \"%s\" with \"%c\"",
						src->replaced, ObjstoreRedactUrl(src->file->url),
						src->replacement)));
	DecompressClose(src->dz);
	pfree(src->buf);
	pfree(src);
}

/* DecompressSourceFn over the object's stream */
static size_t
read_object(void *arg, char *buf, size_t len)
{
	TextSource *src = arg;
	size_t		n = ObjstoreStreamRead(src->file->stream, buf, len);

	src->ctx->bytes_read += n;
	return n;
}

/*
 * fill
 *		Append the next chunk after the unread bytes, moving them to the
 *		front (and growing the buffer when one line fills it).  Returns the
 *		number of bytes added; 0 at the end.
 */
static int
fill(TextSource *src)
{
	int			unread = src->end - src->start;
	int			n;

	CHECK_FOR_INTERRUPTS();
	if (src->eof)
		return 0;
	if (src->start > 0)
	{
		memmove(src->buf, src->buf + src->start, unread);
		src->start = 0;
		src->end = unread;
	}
	/* keep room for a chunk plus a terminating NUL */
	if (src->cap - src->end < TEXT_CHUNK + 1)
	{
		if ((Size) src->cap * 2 > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("line too long in \"%s\"",
							ObjstoreRedactUrl(src->file->url)),
					 errdetail("A line may hold at most %d bytes.",
							   (int) (MaxAllocSize / 2))));
		src->cap *= 2;
		src->buf = repalloc(src->buf, src->cap);
	}

	if (src->replacement == 0)
		n = DecompressRead(src->dz, src->buf + src->end, TEXT_CHUNK);
	else
	{
		char	   *raw = src->raw;
		int			got;

		memcpy(raw, src->carry, src->ncarry);
		got = DecompressRead(src->dz, raw + src->ncarry,
							 TEXT_CHUNK - src->ncarry);
		n = fix_utf8(src, src->buf + src->end, raw, got + src->ncarry,
					 got == 0);
		if (got == 0 && n == 0)
			src->eof = true;
		src->end += n;
		return n > 0 ? n : (src->eof ? 0 : fill(src));
	}
	if (n == 0)
		src->eof = true;
	src->end += n;
	return n;
}

/*
 * fix_utf8
 *		Copy n bytes from in to dst replacing every byte that is not part of
 *		valid UTF-8 (or is NUL) with the replacement character.  An incomplete
 *		sequence at the end is kept in src->carry for the next chunk, unless
 *		at_eof.  Returns the bytes written to dst.
 */
static int
fix_utf8(TextSource *src, char *dst, const char *in, int n, bool at_eof)
{
	int			out = 0;
	int			i = 0;

	src->ncarry = 0;
	while (i < n)
	{
		int			ok = pg_encoding_verifymbstr(PG_UTF8, in + i, n - i);
		int			mblen;

		memcpy(dst + out, in + i, ok);
		out += ok;
		i += ok;
		if (i >= n)
			break;
		mblen = pg_utf_mblen((const unsigned char *) in + i);
		if (!at_eof && n - i < mblen && in[i] != '\0')
		{
			/* possibly a character cut by the chunk boundary */
			memcpy(src->carry, in + i, n - i);
			src->ncarry = n - i;
			break;
		}
		dst[out++] = src->replacement;
		src->replaced++;
		i++;
	}
	return out;
}
