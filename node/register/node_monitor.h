/*
 * node_monitor: the export for the national Monitor Regionale
 * Expertteams (Westfriesland handbook §2.7 and appendix 4).
 *
 * One row per casus registered in the period, with the indicators the
 * monitor counts: who registered it, age band, problem areas, question
 * type, table, phase and lead times, outcome, complaint referral, whether
 * it was escalated to the BEN and whether the client was informed. The
 * client number is a keyed pseudonym of the casus (privacy_pseudonym,
 * under its own label "mon1", so it is neither the case reference that
 * travels nor derivable from BSN, name or birth date); the one open text
 * (the casus summary) has passed node_clientinfo_scrub() with the names
 * of the casus and of everyone else in the register. The birth date is
 * read only to compute the age band; no BSN, name, address or postcode is
 * ever read into a row.
 *
 * The file must never leave the RET and must be deleted as soon as it
 * has been entered: it is created 0600 and never over an existing path,
 * every export is recorded (and audited) until `ret monitor opruimen`
 * deletes it, and `ret status` and the dashboard remind while it exists.
 */
#ifndef RET_NODE_MONITOR_H
#define RET_NODE_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "node_db.h"
#include "privacy_pseudonym.h"

/* The label of the monitor's client numbers (a pseudonym key version). */
#define NODE_MONITOR_LABEL "mon1"

/* The CSV columns in order (static storage). */
const char *const *node_monitor_columns(size_t *ret_n);

/*
 * The rows of the cases registered from..to (YYYY-MM-DD, to exclusive) as
 * a JSON array of objects with one string per column. p must have been
 * made with NODE_MONITOR_LABEL. Audited ("monitor.read", one row).
 */
enum node_status node_monitor_rows(sqlite3 *db, const char *user,
                                   const struct privacy_pseudonym *p,
                                   const char *from, const char *to,
                                   json_t **ret, char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Write rows as CSV (a header line, then one line per row; fields quoted
 * where needed, a leading =, +, - or @ defused) to a new file at path,
 * mode 0600. An existing path is refused (NODE_ERR_INVALID) and left
 * alone; on a write error the partial file is removed.
 */
enum node_status node_monitor_write(const char *path, json_t *rows,
                                    char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/* Record (and audit, "monitor.export") that path holds n_rows rows. */
enum node_status node_monitor_record(sqlite3 *db, const char *user,
                                     const char *period, const char *path,
                                     int64_t n_rows, int64_t *ret_id,
                                     char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * The exports not yet deleted, as {id, period, path, rows, created_at,
 * created_by, exists} (exists: the file is still on disk).
 */
enum node_status node_monitor_open(sqlite3 *db, json_t **ret, char *errbuf,
                                   size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Delete the files of every open export (a file already gone counts as
 * deleted) and record it, audited ("monitor.delete"). *ret is the array
 * of the exports deleted. A file that cannot be deleted stays open and is
 * reported as NODE_ERR_DB after the others were done.
 */
enum node_status node_monitor_cleanup(sqlite3 *db, const char *user,
                                      json_t **ret, char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

#endif
