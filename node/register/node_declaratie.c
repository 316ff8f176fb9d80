/*
 * node_declaratie: attendance hours times the year's rate.
 */
#include "node_declaratie.h"

#include <stdio.h>
#include <string.h>

#include "node_audit.h"
#include "node_register.h"
#include "node_sqlrows.h"

struct decl_arg {
	const char *user, *from, *to;
	int64_t rate;
	int all;
	json_t *out;
};

static enum node_status
decl_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct decl_arg *a = varg;
	json_t *rows = NULL, *orgs, *row;
	int64_t total_h = 0, total_c = 0;
	char detail[96];
	enum node_status s;
	size_t i;

	s = node_sqlrows_query(
	    db, &rows, errbuf, errlen,
	    "SELECT d.id, d.name, d.organisation, d.kind,"
	    " count(*) AS meetings, sum(a.centihours) AS hours_x100"
	    " FROM overleg_deelnemer a JOIN deelnemer d ON d.id = "
	    "a.deelnemer_id"
	    " JOIN overleg o ON o.id = a.overleg_id"
	    " WHERE a.present = 1 AND o.date >= ?1 AND o.date < ?2"
	    " AND (?3 = 1 OR d.kind = 'kern')"
	    " GROUP BY d.id ORDER BY d.organisation, d.name, d.id",
	    "SSi", a->from, a->to, (int64_t)a->all);
	if (s != NODE_OK)
		return s;
	orgs = json_array();
	a->out = json_pack("{s:s, s:s, s:I, s:s, s:o, s:o}", "from", a->from,
	                   "to", a->to, "rate_cents", (json_int_t)a->rate,
	                   "scope", a->all ? "all" : "kern", "participants",
	                   rows, "organisations", orgs);
	if (a->out == NULL || orgs == NULL)
		return NODE_ERR_NOMEM;
	json_array_foreach(rows, i, row)
	{
		int64_t h =
		    json_integer_value(json_object_get(row, "hours_x100"));
		int64_t c = (h * a->rate + 50) / 100;
		const char *org =
		    json_string_value(json_object_get(row, "organisation"));
		json_t *last = json_array_get(orgs, json_array_size(orgs) - 1);

		json_object_set_new(row, "amount_cents", json_integer(c));
		total_h += h;
		total_c += c;
		/* Rows come ordered by organisation: extend or start one. */
		if (last == NULL || strcmp(json_string_value(json_object_get(
		                               last, "organisation")),
		                           org) != 0) {
			last = json_pack("{s:s, s:I, s:I, s:I}", "organisation",
			                 org, "participants", (json_int_t)0,
			                 "hours_x100", (json_int_t)0,
			                 "amount_cents", (json_int_t)0);
			if (last == NULL ||
			    json_array_append_new(orgs, last) != 0)
				return NODE_ERR_NOMEM;
		}
		json_object_set_new(
		    last, "participants",
		    json_integer(json_integer_value(
		                     json_object_get(last, "participants")) +
		                 1));
		json_object_set_new(
		    last, "hours_x100",
		    json_integer(json_integer_value(
		                     json_object_get(last, "hours_x100")) +
		                 h));
		json_object_set_new(
		    last, "amount_cents",
		    json_integer(json_integer_value(
		                     json_object_get(last, "amount_cents")) +
		                 c));
	}
	if (json_object_set_new(a->out, "total_hours_x100",
	                        json_integer(total_h)) != 0 ||
	    json_object_set_new(a->out, "total_cents", json_integer(total_c)) !=
	        0)
		return NODE_ERR_NOMEM;
	snprintf(detail, sizeof(detail), "from=%s to=%s participants=%zu",
	         a->from, a->to, json_array_size(rows));
	return node_audit_append(db, a->user, "declaratie.read", 0, detail,
	                         errbuf, errlen);
}

enum node_status
node_declaratie_compute(sqlite3 *db, const char *user, const char *from,
                        const char *to, int64_t rate_cents, int all,
                        json_t **ret, char *errbuf, size_t errlen)
{
	struct decl_arg a = {user, from, to, rate_cents, all != 0, NULL};
	enum node_status s;

	if (user == NULL || user[0] == '\0' || strlen(user) > 64) {
		snprintf(errbuf, errlen, "user is required");
		return NODE_ERR_INVALID;
	}
	if (!node_register_date_valid(from) || !node_register_date_valid(to) ||
	    strcmp(from, to) >= 0) {
		snprintf(errbuf, errlen, "the period is not a range of dates");
		return NODE_ERR_INVALID;
	}
	if (rate_cents <= 0 || rate_cents > 10000000) {
		snprintf(errbuf, errlen,
		         "the rate must be 0.01..100000.00 euros");
		return NODE_ERR_INVALID;
	}
	s = node_db_transaction(db, decl_fn, &a, errbuf, errlen);
	if (s != NODE_OK) {
		json_decref(a.out);
		return s;
	}
	*ret = a.out;
	return NODE_OK;
}

void
node_declaratie_euros(int64_t cents, char *out, size_t outlen)
{
	const char *sign = cents < 0 ? "-" : "";

	if (cents < 0)
		cents = -cents;
	snprintf(out, outlen, "%s%lld.%02lld", sign, (long long)(cents / 100),
	         (long long)(cents % 100));
}

void
node_declaratie_hours(int64_t h, char *out, size_t outlen)
{
	node_declaratie_euros(h, out, outlen);
}
