/* dbcheck: start-up check of a SQLite database file. */
#include "dbcheck.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The directory part of path ("." when there is none). */
static void
dir_of(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, cap, ".");
	else if (slash == path)
		snprintf(dir, cap, "/");
	else
		snprintf(dir, cap, "%.*s", (int)(slash - path), path);
}

/* Make one line of a check result: no newlines, bounded. */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r' || *s == '"')
			*s = ' ';
}

/*
 * Run the integrity or quick check on an existing file, opened read-only.
 * Returns DBCHECK_OK, DBCHECK_CORRUPT or DBCHECK_UNAVAILABLE with a
 * sentence in errbuf.
 */
static enum dbcheck_verdict
run_pragma(const char *path, const char *check, const char *what_to_do,
           char *errbuf, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char sql[64], first[256] = "";
	int rc, rows = 0, ok = 0;
	enum dbcheck_verdict v = DBCHECK_OK;

	rc = sqlite3_open_v2(path, &db,
	                     SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(db, 1);
		(void)sqlite3_busy_timeout(db, 5000);
		snprintf(sql, sizeof(sql), "PRAGMA %s(5)", check);
		rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	}
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		const unsigned char *t;

		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		t = sqlite3_column_text(st, 0);
		if (rows++ == 0) {
			snprintf(first, sizeof(first), "%s",
			         t ? (const char *)t : "");
			ok = strcmp(first, "ok") == 0;
		}
	}
	if (rc != SQLITE_DONE) {
		int prim = rc & 0xff;

		snprintf(first, sizeof(first), "%s",
		         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		one_line(first);
		if (prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB) {
			snprintf(errbuf, errlen,
			         "database %s is damaged (%s: %s); %s", path,
			         check, first, what_to_do);
			v = DBCHECK_CORRUPT;
		} else {
			snprintf(errbuf, errlen,
			         "database %s cannot be read (%s); check its "
			         "owner and mode",
			         path, first);
			v = DBCHECK_UNAVAILABLE;
		}
	} else if (!ok) {
		one_line(first);
		snprintf(errbuf, errlen,
		         "database %s is damaged (%s found %d problem%s, the "
		         "first: %s); %s",
		         path, check, rows, rows == 1 ? "" : "s", first,
		         what_to_do);
		v = DBCHECK_CORRUPT;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

enum dbcheck_verdict
dbcheck_run(const char *path, const char *what_to_do,
            struct dbcheck_report *ret_report, char *errbuf, size_t errlen)
{
	char dir[1024];
	struct stat sb;
	struct statvfs vfs;
	uint64_t t0 = mono_ms(), free_bytes;
	enum dbcheck_verdict v;

	memset(ret_report, 0, sizeof(*ret_report));
	ret_report->check = "none";
	if (path == NULL || path[0] == '\0') {
		snprintf(errbuf, errlen, "no database path is configured");
		return DBCHECK_UNAVAILABLE;
	}
	if (strcmp(path, ":memory:") == 0)
		return DBCHECK_OK;
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		int e = stat(dir, &sb) != 0 ? errno : ENOTDIR;

		snprintf(errbuf, errlen,
		         "the directory %s of database %s cannot be used (%s); "
		         "create it or correct the database path",
		         dir, path, strerror(e));
		return DBCHECK_UNAVAILABLE;
	}
	if (statvfs(dir, &vfs) == 0) {
		free_bytes = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
		ret_report->free_bytes = free_bytes;
		if (vfs.f_flag & ST_RDONLY) {
			snprintf(errbuf, errlen,
			         "the filesystem holding %s is mounted "
			         "read-only; remount it read-write or move the "
			         "database to a writable filesystem",
			         path);
			return DBCHECK_READONLY;
		}
	} else {
		free_bytes = UINT64_MAX;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(errbuf, errlen,
		         "the directory %s of database %s is not writable by "
		         "this user (uid %u): %s; SQLite creates the -wal and "
		         "-shm files there, so fix its owner or mode",
		         dir, path, (unsigned)geteuid(), strerror(errno));
		return DBCHECK_READONLY;
	}
	if (stat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			snprintf(errbuf, errlen,
			         "database %s is not a regular file; correct "
			         "the database path",
			         path);
			return DBCHECK_UNAVAILABLE;
		}
		ret_report->bytes = (uint64_t)sb.st_size;
		if (access(path, R_OK | W_OK) != 0) {
			snprintf(errbuf, errlen,
			         "database %s is not writable by this user "
			         "(uid %u): %s; fix its owner or mode",
			         path, (unsigned)geteuid(), strerror(errno));
			return DBCHECK_READONLY;
		}
	} else if (errno != ENOENT) {
		snprintf(errbuf, errlen, "database %s: %s", path,
		         strerror(errno));
		return DBCHECK_UNAVAILABLE;
	}
	if (free_bytes < DBCHECK_MIN_FREE) {
		snprintf(errbuf, errlen,
		         "the filesystem holding %s is full (%llu KiB free, "
		         "at least %llu KiB needed); free space there before "
		         "starting",
		         path, (unsigned long long)(free_bytes / 1024),
		         (unsigned long long)(DBCHECK_MIN_FREE / 1024));
		return DBCHECK_FULL;
	}
	if (ret_report->bytes == 0) {
		ret_report->ms = mono_ms() - t0;
		return DBCHECK_OK; /* created by the daemon */
	}
	ret_report->check = ret_report->bytes <= DBCHECK_FULL_CHECK_MAX
	                        ? "integrity_check"
	                        : "quick_check";
	v = run_pragma(path, ret_report->check, what_to_do, errbuf, errlen);
	ret_report->ms = mono_ms() - t0;
	return v;
}

const char *
dbcheck_verdict_name(enum dbcheck_verdict v)
{
	switch (v) {
	case DBCHECK_OK:
		return "ok";
	case DBCHECK_CORRUPT:
		return "corrupt";
	case DBCHECK_READONLY:
		return "read_only";
	case DBCHECK_FULL:
		return "full";
	case DBCHECK_UNAVAILABLE:
	default:
		return "unavailable";
	}
}
