/*
 * node_overleg: the meetings of a RET (overleg) and what happens around
 * them: the table that meets (RET, or Westfriesland's MDA++,
 * schakeloverleg and doorbraaktafel), the cases on its agenda with the
 * evaluation-form deadline of each, the participants (a fixed core
 * "kern", a flexible shell "schil" and invited experts, each with their
 * organisation), attendance and hours, and the minutes per agenda item,
 * whose advice and agreements become the casus's own advies and afspraak
 * records (node_register).
 *
 * The evaluation-form rule (roles sheet): an aanvrager whose casus is on
 * the agenda sends the evaluation form `evaluation_days` days before the
 * overleg. The deadline is fixed when the casus is put on the agenda and
 * is overdue while the form has not been received and the day has passed
 * (node_register_casus_list --verlopen shows it too).
 *
 * Every function checks its input first (a bad value gets a sentence
 * naming the field, and changes nothing) and writes its audit row in the
 * same transaction as the change or read, like node_register.
 */
#ifndef RET_NODE_OVERLEG_H
#define RET_NODE_OVERLEG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "node_db.h"

#define NODE_OVERLEG_MAX_HOURS_X100 2400 /* 24 hours per meeting */

/* The tables that meet: "ret", "mda", "schakeloverleg", "doorbraaktafel". */
const char *const *node_overleg_tables(size_t *ret_n);

/* The participant kinds: "kern", "schil", "expert". */
const char *const *node_overleg_kinds(size_t *ret_n);

/*
 * Plan a meeting on `date` (YYYY-MM-DD, not before `today`; NULL today:
 * the current UTC date) of `table`, with an optional note. Its id in
 * *ret_id.
 */
enum node_status node_overleg_new(sqlite3 *db, const char *user,
                                  const char *date, const char *table,
                                  const char *note, const char *today,
                                  int64_t *ret_id, char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Put casus `casus_id` on the agenda of meeting `overleg_id`, which must
 * not lie before `today` (NULL: the current date). The evaluation form is
 * due `evaluation_days` (0..60) before the meeting; that date is written
 * to ret_due (11 bytes) when it is not NULL. A closed or cancelled casus
 * and a casus already on that agenda are refused.
 */
enum node_status node_overleg_agenda_add(sqlite3 *db, const char *user,
                                         int64_t overleg_id, int64_t casus_id,
                                         int evaluation_days, const char *today,
                                         char *ret_due, char *errbuf,
                                         size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Record that the evaluation form of casus `casus_id` for meeting
 * `overleg_id` arrived on `date` (NULL: today).
 */
enum node_status node_overleg_evaluation(sqlite3 *db, const char *user,
                                         int64_t overleg_id, int64_t casus_id,
                                         const char *date, char *errbuf,
                                         size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Add a participant to the RET's list: name and organisation (1..200
 * bytes each) and kind. Its id in *ret_id. The same name at the same
 * organisation twice is refused.
 */
enum node_status
node_overleg_participant_add(sqlite3 *db, const char *user, const char *name,
                             const char *organisation, const char *kind,
                             int64_t *ret_id, char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/* The participant list as a JSON array {id, name, organisation, kind}. */
enum node_status node_overleg_participant_list(sqlite3 *db, const char *user,
                                               json_t **ret, char *errbuf,
                                               size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Record whether participant `participant_id` attended meeting
 * `overleg_id` and for how many hours (hundredths of an hour, 0..2400;
 * including travel and preparation). A second call replaces the first.
 */
enum node_status
node_overleg_attendance(sqlite3 *db, const char *user, int64_t overleg_id,
                        int64_t participant_id, int present, int64_t hours_x100,
                        char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Parse hours as written by a person: "2", "1.5", "0,75" (at most two
 * decimals, 0..24). Returns 0 and hundredths of an hour in *ret, or -1.
 */
int node_overleg_parse_hours(const char *s, int64_t *ret)
    __attribute__((warn_unused_result));

/*
 * Write the minutes (verslag) of agenda item `casus_id` of meeting
 * `overleg_id`. advice (optional) becomes an advies record of the casus,
 * agreement (optional, with who and due) an afspraak record, both through
 * node_register so they carry their own audit rows. Everything is checked
 * before anything is written; the ids of the new records are returned in
 * ret_advice_id / ret_agreement_id (0 when not given).
 */
struct node_overleg_minutes {
	const char *minutes; /* required: the verslag of this item */
	const char *advice;
	const char *agreement;
	const char *who;
	const char *due;
};

enum node_status
node_overleg_minutes(sqlite3 *db, const char *user, int64_t overleg_id,
                     int64_t casus_id, const struct node_overleg_minutes *m,
                     int64_t *ret_advice_id, int64_t *ret_agreement_id,
                     char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * One meeting as JSON: {id, date, table, note, created_by, agenda:[{casus_id,
 * position, evaluation_due, evaluation_received, evaluation_overdue,
 * minutes}], participants:[{id, name, organisation, kind, present,
 * hours_x100}]}, evaluated against `today` (NULL: the current date).
 * Audited once per casus on the agenda.
 */
enum node_status node_overleg_show(sqlite3 *db, const char *user, int64_t id,
                                   const char *today, json_t **ret,
                                   char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/* All meetings, by date: {id, date, table, agenda_items, present}. */
enum node_status node_overleg_list(sqlite3 *db, const char *user, json_t **ret,
                                   char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

#endif
