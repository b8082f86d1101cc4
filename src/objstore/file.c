/*-------------------------------------------------------------------------
 *
 * file.c
 *	  file:// objects: stat, ranged and whole reads, listing.
 *
 * A file URL is file:// followed by an absolute path, taken literally (no
 * percent-decoding), so what list_objects prints can be read back as is.
 * Callers have checked pg_read_server_files already (objstore.c).  Short
 * lived descriptors come from OpenTransientFile, so an error closes them;
 * the streaming fetcher (fetch.c) opens its own and closes them from its
 * memory context callback.
 *
 * Copyright (c) 2026, pg_clickstream developers
 *
 * IDENTIFICATION
 *	  src/objstore/file.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/timestamp.h"

#include "objstore/objstore_int.h"

/*
 * FilePath
 *		The absolute path of a file:///path URL (pointer into url).
 */
char *
FilePath(const char *url)
{
	Assert(pg_strncasecmp(url, "file:///", 8) == 0);
	return (char *) url + 7;
}

/* fill info from a stat result; the etag is "<mtime>-<size>" in hex */
static void
fill_info(const struct stat *st, ObjstoreInfo *info)
{
	info->size = (int64) st->st_size;
	info->last_modified = time_t_to_timestamptz((pg_time_t) st->st_mtime);
	info->etag = psprintf("%lx-%llx", (long) st->st_mtime,
						  (unsigned long long) st->st_size);
}

/*
 * FileStat
 *		Stat a file; false if it does not exist.  A directory or another
 *		non-regular file is an error.
 */
bool
FileStat(const char *url, ObjstoreInfo *info)
{
	const char *path = FilePath(url);
	struct stat st;

	if (stat(path, &st) != 0)
	{
		if (errno == ENOENT || errno == ENOTDIR)
			return false;
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat file \"%s\": %m", path)));
	}
	if (!S_ISREG(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a regular file", path)));
	fill_info(&st, info);
	return true;
}

/*
 * open_file
 *		Open a file URL for reading, as a transient file (closed by an
 *		error) or as a plain descriptor the caller closes.  A missing file
 *		is ERRCODE_UNDEFINED_FILE naming the URL.
 */
static int
open_file(const char *url, bool transient)
{
	const char *path = FilePath(url);
	int			fd;

	if (transient)
		fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	else
		fd = open(path, O_RDONLY | PG_BINARY | O_CLOEXEC);
	if (fd < 0)
	{
		if (errno == ENOENT || errno == ENOTDIR)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FILE),
					 errmsg("object \"%s\" does not exist", url)));
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\" for reading: %m", path)));
	}
	return fd;
}

/* read len bytes at offset; returns bytes read (short only at EOF) */
static size_t
pread_full(int fd, const char *path, char *buf, size_t len, off_t offset)
{
	size_t		done = 0;

	while (done < len)
	{
		ssize_t		n = pg_pread(fd, buf + done, len - done, offset + done);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read file \"%s\": %m", path)));
		}
		if (n == 0)
			break;
		done += n;
		CHECK_FOR_INTERRUPTS();
	}
	return done;
}

/*
 * FileReadRange
 *		Exactly len bytes at offset; fewer available is an error.
 */
void
FileReadRange(const char *url, int64 offset, size_t len, char *buf)
{
	int			fd = open_file(url, true);

	if (pread_full(fd, FilePath(url), buf, len, (off_t) offset) != len)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("could not read %zu bytes at offset " INT64_FORMAT " of \"%s\"",
						len, offset, url),
				 errdetail("The file is shorter than expected.")));
	CloseTransientFile(fd);
}

/*
 * FileReadAll
 *		The whole file as a bytea, if it is at most max_bytes long.
 */
bytea *
FileReadAll(const char *url, int64 max_bytes)
{
	int			fd = open_file(url, true);
	struct stat st;
	bytea	   *result;
	size_t		n;

	if (fstat(fd, &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat file \"%s\": %m", FilePath(url))));
	if (!S_ISREG(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a regular file", FilePath(url))));
	if ((int64) st.st_size > max_bytes)
		ObjstoreReportTooLarge(url, max_bytes);

	result = (bytea *) palloc(VARHDRSZ + st.st_size);
	n = pread_full(fd, FilePath(url), VARDATA(result), st.st_size, 0);
	SET_VARSIZE(result, VARHDRSZ + n);
	CloseTransientFile(fd);
	return result;
}

/*
 * FileOpen
 *		A plain descriptor for streaming, owned by the caller (fetch.c closes
 *		it from its reset callback, which may run after the transaction has
 *		ended, so it must not be a transient file).
 */
int
FileOpen(const char *url)
{
	return open_file(url, false);
}

/*
 * walk
 *		Add to *entries every regular file below dir whose path starts with
 *		prefix, descending only into directories that can hold such files.
 *		Symbolic links to directories are not followed (no cycles).
 */
static void
walk(const char *dir, const char *prefix, List **entries)
{
	DIR		   *d = AllocateDir(dir);
	struct dirent *de;
	size_t		plen = strlen(prefix);

	if (d == NULL && (errno == ENOENT || errno == ENOTDIR))
		return;
	while ((de = ReadDir(d, dir)) != NULL)
	{
		char	   *path;
		struct stat st;
		size_t		n;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		CHECK_FOR_INTERRUPTS();
		path = psprintf("%s%s%s", dir,
						dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
		if (lstat(path, &st) != 0)
			continue;			/* vanished meanwhile */
		if (S_ISLNK(st.st_mode) && stat(path, &st) != 0)
			continue;			/* dangling link */
		n = strlen(path);
		if (S_ISDIR(st.st_mode))
		{
			char	   *asdir = psprintf("%s/", path);

			/* the directory is under the prefix, or the prefix under it */
			if (strncmp(asdir, prefix, Min(n + 1, plen)) == 0)
			{
				struct stat lst;

				if (lstat(path, &lst) == 0 && !S_ISLNK(lst.st_mode))
					walk(path, prefix, entries);
			}
			pfree(asdir);
		}
		else if (S_ISREG(st.st_mode) && n >= plen &&
				 strncmp(path, prefix, plen) == 0)
		{
			ObjstoreEntry *e = palloc0(sizeof(ObjstoreEntry));
			ObjstoreInfo info;

			fill_info(&st, &info);
			e->url = psprintf("file://%s", path);
			e->size = info.size;
			e->last_modified = info.last_modified;
			e->etag = info.etag;
			*entries = lappend(*entries, e);
		}
		pfree(path);
	}
	FreeDir(d);
}

/*
 * FileList
 *		Every regular file whose path starts with the prefix's path, sorted.
 *		"file:///data/in/" lists the directory recursively; "file:///data/in/
 *		events-" lists the files of /data/in (and below) named events-*.
 */
List *
FileList(const char *prefix_url)
{
	const char *prefix = FilePath(prefix_url);
	char	   *dir = pstrdup(prefix);
	char	   *slash = strrchr(dir, '/');
	List	   *entries = NIL;

	/* start at the deepest directory named by the prefix */
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	walk(dir, prefix, &entries);
	return ObjstoreSortEntries(entries);
}
