/*
 * node_declaratie: what the municipality pays for the participants of
 * the overleg (Westfriesland handbook §2.5): the recorded attendance hours
 * (travel and preparation included) times the Consultatie en Advies rate
 * of that year, per participant and per organisation. Only the fixed core
 * (kern) is declared unless the configuration says every participant is.
 *
 * Amounts are whole cents: per participant round(hours_x100 * rate / 100)
 * with halves rounded up; an organisation's amount is the sum of its
 * participants', so the totals add up exactly.
 */
#ifndef RET_NODE_DECLARATIE_H
#define RET_NODE_DECLARATIE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "node_db.h"

/*
 * The declaration of the meetings dated from..to (YYYY-MM-DD, to
 * exclusive) at rate_cents per hour (1..10000000), for the fixed core
 * only or (all != 0) for every participant present. *ret is a new JSON
 * object {from, to, rate_cents, scope, participants:[{id, name,
 * organisation, kind, meetings, hours_x100, amount_cents}],
 * organisations:[{organisation, participants, hours_x100, amount_cents}],
 * total_hours_x100, total_cents}. Audited ("declaratie.read").
 */
enum node_status
node_declaratie_compute(sqlite3 *db, const char *user, const char *from,
                        const char *to, int64_t rate_cents, int all,
                        json_t **ret, char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/* "1234.50" for 123450 cents into out (at least 24 bytes). */
void node_declaratie_euros(int64_t cents, char *out, size_t outlen);

/* "2.50" for 250 hundredths of an hour into out (at least 24 bytes). */
void node_declaratie_hours(int64_t hours_x100, char *out, size_t outlen);

#endif
