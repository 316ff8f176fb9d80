/*
 * dbcheck: the start-up check of a daemon's SQLite database file, run
 * before the daemon reports READY.
 *
 * It tells an operator what is wrong in words that point at the fix,
 * instead of SQLite's "unable to open database file" or "disk I/O error":
 * a missing directory, a read-only filesystem, a directory or file the
 * daemon's user cannot write, a full filesystem, or a file that is not a
 * database or fails PRAGMA integrity_check (files up to
 * DBCHECK_FULL_CHECK_MAX bytes) or PRAGMA quick_check (larger files).
 *
 * The check changes nothing: the database is opened read-only and only
 * when it exists (a missing file is fine, the daemon creates it). Library
 * code: it never logs, it returns a verdict and a sentence.
 */
#ifndef RET_DBCHECK_H
#define RET_DBCHECK_H

#include <stddef.h>
#include <stdint.h>

/* Files up to this size get the full integrity_check, larger ones the
 * quicker quick_check (which skips matching index entries to rows). */
#define DBCHECK_FULL_CHECK_MAX (64ull * 1024 * 1024)
/* A filesystem with less free space than this counts as full: SQLite
 * needs room for the WAL and a checkpoint before the first ack. */
#define DBCHECK_MIN_FREE (1024ull * 1024)

enum dbcheck_verdict {
	DBCHECK_OK = 0,
	DBCHECK_CORRUPT,     /* not a database, or the check found damage */
	DBCHECK_READONLY,    /* read-only filesystem, directory or file */
	DBCHECK_FULL,        /* less than DBCHECK_MIN_FREE bytes free */
	DBCHECK_UNAVAILABLE, /* missing directory, unreadable file, ... */
};

/* What the check did, for the daemon's log line. */
struct dbcheck_report {
	const char *check;   /* "integrity_check", "quick_check" or "none" */
	uint64_t bytes;      /* size of the database file (0: none yet) */
	uint64_t free_bytes; /* free space on its filesystem */
	uint64_t ms;         /* how long the check took */
};

/*
 * Check the database file at path. `what_to_do` is the caller's advice
 * for a damaged file (e.g. how to restore a backup); it ends the sentence
 * written for DBCHECK_CORRUPT. Returns the verdict; for anything but
 * DBCHECK_OK a sentence that names the file (or its directory) and what
 * to do is in errbuf. *ret_report is filled in every case.
 */
enum dbcheck_verdict dbcheck_run(const char *path, const char *what_to_do,
                                 struct dbcheck_report *ret_report,
                                 char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/* "ok", "corrupt", "read_only", "full" or "unavailable". */
const char *dbcheck_verdict_name(enum dbcheck_verdict v);

#endif
