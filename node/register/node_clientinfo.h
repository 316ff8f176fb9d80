/*
 * node_clientinfo: what a RET owes the people of a casus and the people who
 * ask it something, besides the casus itself.
 *
 * - Informing: the jeugdige and/or ouders are told at the start that their
 *   casus is registered (and, with the informatiebrief monitor, that it is
 *   entered anonymously in the national monitor). The register keeps the
 *   date, how, and whether the monitor letter went with it; open cases
 *   without such a record are listed for the triage list and dashboard.
 * - Complaints: a registration or question that is really a complaint is
 *   referred to the complaints procedure (klachtenregeling) or the
 *   vertrouwenspersoon (OZJ note). For a casus that is recorded as its
 *   complaint_referral (and a casus in triage moves to doorverwezen); for
 *   a consultation as its outcome.
 * - Confirmations: the procesregisseur confirms every consultation to the
 *   inbrenger: question, answer and agreements, never data of other
 *   persons (node_clientinfo_confirmation()).
 *
 * Changes and reads are audited in the same transaction, like
 * node_register.
 */
#ifndef RET_NODE_CLIENTINFO_H
#define RET_NODE_CLIENTINFO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "node_db.h"

/* How the client was informed: "brief", "mondeling", "email", "other". */
const char *const *node_clientinfo_hows(size_t *ret_n);

/* Consultation outcomes: beantwoord, aanmelding, klachtenregeling,
 * vertrouwenspersoon. */
const char *const *node_clientinfo_consult_outcomes(size_t *ret_n);

/*
 * Record that the jeugdige/ouders of casus `casus_id` were informed on
 * `date` (YYYY-MM-DD, not in the future; NULL: today), `how`, and whether
 * the informatiebrief monitor was given (monitor_letter 0/1). Its id in
 * *ret_id.
 */
enum node_status
node_clientinfo_informed(sqlite3 *db, const char *user, int64_t casus_id,
                         const char *date, const char *how, int monitor_letter,
                         int64_t *ret_id, char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * The ids of the open cases (not afgesloten, geannuleerd or doorverwezen)
 * without an informed record, as a JSON array of {id, phase,
 * registered_on}. Audited ("casus.uninformed").
 */
enum node_status node_clientinfo_uninformed(sqlite3 *db, const char *user,
                                            json_t **ret, char *errbuf,
                                            size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Refer casus `casus_id` to "klachtenregeling" or "vertrouwenspersoon".
 * A casus in triage then moves to doorverwezen (through node_register, so
 * the lifecycle and its audit row apply); *ret_moved says whether it did.
 */
enum node_status node_clientinfo_complaint(sqlite3 *db, const char *user,
                                           int64_t casus_id, const char *to,
                                           int *ret_moved, char *errbuf,
                                           size_t errlen)
    __attribute__((warn_unused_result));

/* Set the outcome of consultation `consult_id`. */
enum node_status node_clientinfo_consult_outcome(sqlite3 *db, const char *user,
                                                 int64_t consult_id,
                                                 const char *outcome,
                                                 char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * What the confirmation to the inbrenger of consultation `consult_id`
 * says: {id, date, from_role, question, answer, outcome, casus_id,
 * agreements:[{text, who, due}]} where question, answer and the
 * agreements (of the casus the consultation led to, if any) have passed
 * node_clientinfo_scrub(), so no data of a person of the register is in
 * it. A text the scrubber refuses is an
 * NODE_ERR_INVALID naming the field. Audited ("consultatie.confirm").
 */
enum node_status node_clientinfo_confirmation(sqlite3 *db, const char *user,
                                              int64_t consult_id, json_t **ret,
                                              char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Counts for the dashboard of from..to (to exclusive): {uninformed (open
 * cases now), complaint_cases (cases registered in the period referred to
 * a complaints route), complaint_consultations (consultations in the
 * period), consultations_by_outcome:{...}}. Audited ("stats.around").
 */
enum node_status node_clientinfo_counts(sqlite3 *db, const char *user,
                                        const char *from, const char *to,
                                        json_t **ret, char *errbuf,
                                        size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Scrub `text` with the names recorded for casus `casus_id` and then with
 * those of every other person in the register (a text about one casus
 * names nobody of another either; casus_id 0: all of them alike). On success *ret_out is a new string the
 * caller frees; a refusal is NODE_ERR_INVALID with a sentence naming
 * `field` and the byte offset (never the text). Reads the persons of the
 * casus without an audit row: call it inside an audited read.
 */
enum node_status node_clientinfo_scrub(sqlite3 *db, int64_t casus_id,
                                       const char *field, const char *text,
                                       char **ret_out, char *errbuf,
                                       size_t errlen)
    __attribute__((warn_unused_result));

#endif
