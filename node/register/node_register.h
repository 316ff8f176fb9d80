/*
 * node_register: the case register of a RET region, the only place where
 * personal data lives.
 *
 * A casus records who registered it, the question type, the problem areas,
 * the casusregisseur, dates, its phase in the procesregie lifecycle (see
 * node_lifecycle.h), the table that discusses it (Westfriesland: mda,
 * schakeloverleg, doorbraaktafel), advice, agreements, follow-up dates,
 * bottleneck themes and the outcome. Persons (jeugdige, ouder, other) hang
 * off a casus; consultations (consultatie en advies) stand alone and may
 * lead to an aanmelding.
 *
 * Every function validates its input first (a bad value gets a sentence
 * naming the field and changes nothing), runs in one write transaction,
 * and appends an audit row (who, what, which casus id, never the personal
 * data) in that same transaction: changes and reads alike. Read functions
 * return JSON (jansson) so the CLI prints the same data as text or --json.
 *
 * node/register owns the tables persoon, casus and everything hanging off
 * them; it is the only library with SQL on them (scripts/check_layers.sh).
 * May use node/audit and node/store; used by node/figures, node/guard and
 * everything above.
 */
#ifndef RET_NODE_REGISTER_H
#define RET_NODE_REGISTER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "node_db.h"
#include "node_lifecycle.h"

/* The closed vocabularies of the register. */
enum node_vocab {
	NODE_VOCAB_REGISTERED_BY = 0, /* gemeente, gi, zorgaanbieder, ... */
	NODE_VOCAB_QUESTION,          /* verblijf_wachtlijst, ... */
	NODE_VOCAB_PROBLEM,           /* proto ProblemArea names: gedrag, ... */
	NODE_VOCAB_TABLE,             /* mda, schakeloverleg, doorbraaktafel */
	NODE_VOCAB_THEME,             /* bottleneck themes: wachtlijsten, ... */
	NODE_VOCAB_OUTCOME,           /* opgelost, deels_opgelost, ... */
	NODE_VOCAB_PERSON_ROLE,       /* jeugdige, ouder, other */
	NODE_VOCAB_COUNT
};

#define NODE_REGISTER_NAME_MAX 200  /* names, addresses, organisations */
#define NODE_REGISTER_TEXT_MAX 4000 /* summaries, advice, agreements */

/* The values of a vocabulary and their number. */
const char *const *node_register_vocab(enum node_vocab v, size_t *ret_n);

/* True if s is one of the values of vocabulary v. */
int node_register_vocab_valid(enum node_vocab v, const char *s);

/* True for a real calendar date written YYYY-MM-DD (1900..2199). */
int node_register_date_valid(const char *s);

/* True for 9 digits that pass the BSN elfproef. */
int node_register_bsn_valid(const char *s);

/*
 * Normalise a Dutch postcode ("1234ab", "1234 AB") to "1234 AB". Returns 0,
 * or -1 if it is not a postcode.
 */
int node_register_postcode_normalise(const char *in, char out[8])
	__attribute__((warn_unused_result));

/*
 * Fields of a casus. NULL means "not given": default on create, unchanged
 * on edit. Lists are comma-separated vocabulary values; "" clears a list
 * or an optional value (table, outcome).
 */
struct node_casus_fields {
	const char *registered_by; /* required on create */
	const char *question_type; /* required on create */
	const char *problem_areas;
	const char *themes;
	const char *regisseur_org;
	const char *regisseur_role;
	const char *registered_on; /* YYYY-MM-DD; default today (UTC) */
	const char *table;
	const char *summary;
	const char *outcome;
};

/* A person of a casus; role and name are required, the rest optional. */
struct node_person {
	const char *role;
	const char *name;
	const char *bsn;
	const char *birth_date;
	const char *address;
	const char *postcode;
	const char *municipality;
};

/* A consultation: from_role (registered_by vocabulary) and question. */
struct node_consult {
	const char *date; /* YYYY-MM-DD; default today */
	const char *from_role;
	const char *question;
	const char *answer;
};

/* List filter; NULL/0 fields do not filter. */
struct node_casus_filter {
	const char *phase;
	const char *table;
	int overdue;       /* only cases with a follow-up due before today */
	const char *today; /* YYYY-MM-DD; NULL: today (UTC) */
};

/* Create or upgrade the audit and register schemas. */
enum node_status node_register_migrate(sqlite3 *db, char *errbuf,
				       size_t errlen)
	__attribute__((warn_unused_result));

/* Check that both schemas are exactly what this program knows. */
enum node_status node_register_check(sqlite3 *db, char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/* Create a casus in phase aanmelding; its id in *ret_id. */
enum node_status node_register_casus_new(sqlite3 *db, const char *user,
					 const struct node_casus_fields *f,
					 int64_t *ret_id, char *errbuf,
					 size_t errlen)
	__attribute__((warn_unused_result));

/* Change the given fields of a casus. */
enum node_status node_register_casus_edit(sqlite3 *db, const char *user,
					  int64_t id,
					  const struct node_casus_fields *f,
					  char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Move a casus to phase `to` (a phase name) if the lifecycle allows it,
 * recording time, user and the optional note. NODE_ERR_TRANSITION with a
 * sentence when refused.
 */
enum node_status node_register_casus_phase(sqlite3 *db, const char *user,
					   int64_t id, const char *to,
					   const char *note, char *errbuf,
					   size_t errlen)
	__attribute__((warn_unused_result));

/* The current phase of a casus (no audit row: not case content). */
enum node_status node_register_casus_get_phase(sqlite3 *db, int64_t id,
					       enum node_phase *ret_phase)
	__attribute__((warn_unused_result));

/* Add a person to a casus; its id in *ret_id. */
enum node_status node_register_person_add(sqlite3 *db, const char *user,
					  int64_t casus_id,
					  const struct node_person *p,
					  int64_t *ret_id, char *errbuf,
					  size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Correct person `person_id` of casus `casus_id` (AVG right of
 * correction): the non-NULL fields of `changes` are validated as in
 * node_register_person_add and written; "" clears an optional field, role
 * and name cannot be cleared. NODE_ERR_NOT_FOUND if the person is not one
 * of that casus. The audit row names the changed fields, not their values.
 */
enum node_status node_register_person_edit(sqlite3 *db, const char *user,
					   int64_t casus_id, int64_t person_id,
					   const struct node_person *changes,
					   char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Delete person `person_id` of casus `casus_id` (AVG right to erasure);
 * the casus stays. NODE_ERR_NOT_FOUND if the person is not one of that
 * casus.
 */
enum node_status node_register_person_remove(sqlite3 *db, const char *user,
					     int64_t casus_id,
					     int64_t person_id, char *errbuf,
					     size_t errlen)
	__attribute__((warn_unused_result));

/* Record advice (advies) for a casus. */
enum node_status node_register_advice_add(sqlite3 *db, const char *user,
					  int64_t casus_id, const char *text,
					  int64_t *ret_id, char *errbuf,
					  size_t errlen)
	__attribute__((warn_unused_result));

/* Record an agreement (afspraak): text, optional who and due date. */
enum node_status node_register_agreement_add(sqlite3 *db, const char *user,
					     int64_t casus_id,
					     const char *text, const char *who,
					     const char *due, int64_t *ret_id,
					     char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/* Plan a follow-up (monitoring) date for a casus. */
enum node_status node_register_followup_add(sqlite3 *db, const char *user,
					    int64_t casus_id, const char *due,
					    const char *note, int64_t *ret_id,
					    char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/* Mark follow-up `followup_id` of casus `casus_id` as done. */
enum node_status node_register_followup_done(sqlite3 *db, const char *user,
					     int64_t casus_id,
					     int64_t followup_id,
					     char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/* The whole casus with persons, history, advice, agreements, follow-ups. */
enum node_status node_register_casus_show(sqlite3 *db, const char *user,
					  int64_t id, json_t **ret,
					  char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/* A JSON array of case summaries (no personal data), by id. */
enum node_status node_register_casus_list(sqlite3 *db, const char *user,
					  const struct node_casus_filter *flt,
					  json_t **ret, char *errbuf,
					  size_t errlen)
	__attribute__((warn_unused_result));

/* Record a consultation; its id in *ret_id. */
enum node_status node_register_consult_new(sqlite3 *db, const char *user,
					   const struct node_consult *c,
					   int64_t *ret_id, char *errbuf,
					   size_t errlen)
	__attribute__((warn_unused_result));

/* One consultation as a JSON object. */
enum node_status node_register_consult_show(sqlite3 *db, const char *user,
					    int64_t id, json_t **ret,
					    char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/* All consultations, newest last, as a JSON array. */
enum node_status node_register_consult_list(sqlite3 *db, const char *user,
					    json_t **ret, char *errbuf,
					    size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Turn a consultation into an aanmelding: create a casus (registered_by
 * defaults to the consultation's from_role) and link the two. Refused if
 * the consultation already led to a casus.
 */
enum node_status node_register_consult_to_casus(
	sqlite3 *db, const char *user, int64_t consult_id,
	const struct node_casus_fields *f, int64_t *ret_casus_id, char *errbuf,
	size_t errlen) __attribute__((warn_unused_result));

/*
 * The aggregate queries of the figures (node_stats), over the cases
 * registered in [from, to): rows of (key, count) for the NODE_COHORT_BY_*
 * queries, one row (count) for the counts, ascending day counts for the
 * NODE_COHORT_DAYS_* queries. No row names or identifies a person.
 */
enum node_cohort {
	NODE_COHORT_BY_MONTH,
	NODE_COHORT_BY_REGISTRANT,
	NODE_COHORT_BY_QUESTION,
	NODE_COHORT_BY_PHASE,
	NODE_COHORT_BY_OUTCOME,
	NODE_COHORT_BY_THEME,
	NODE_COHORT_REGISTRATIONS,
	NODE_COHORT_DISCUSSED,
	NODE_COHORT_CONSULTATIONS,
	NODE_COHORT_DAYS_TO_OVERLEG,
	NODE_COHORT_DAYS_TO_CLOSE,
	NODE_COHORT_COUNT
};

/*
 * Prepare cohort query q with from and to (YYYY-MM-DD, borrowed until the
 * statement is finalized) bound. The caller steps and finalizes *ret and
 * audits the read (node_stats_compute appends "stats.read"). Returns
 * NODE_OK, NODE_ERR_INVALID for an unknown q, or the database's error.
 */
enum node_status node_register_cohort_prepare(sqlite3 *db, enum node_cohort q,
					      const char *from, const char *to,
					      sqlite3_stmt **ret, char *errbuf,
					      size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Call fn with the distinct name of every person recorded in the register
 * (fn returns 0 to go on), then append the audit row `action` by `user`
 * with the number of names as detail ("names=N"), never a name. For the
 * scrubbing of texts that leave the node (node_summary). Returns NODE_OK
 * or an error; on an error nothing is audited.
 */
enum node_status node_register_names(sqlite3 *db, const char *user,
				     const char *action,
				     int (*fn)(const char *name, void *ctx),
				     void *ctx, char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

#endif
