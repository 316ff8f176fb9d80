/* Support code for tests: guard drafts from the real builders. */
#include "drafts.h"

#include <stdio.h>
#include <string.h>

#include "node_register.h"

#define SUPPORT_USER "test"

enum node_status
support_draft_peer_request(sqlite3 *db, const struct keyfile *keys,
                           const char *recipient, const char *approach,
                           const char *question, struct node_build_draft **ret,
                           char *errbuf, size_t errlen)
{
	struct node_build_ctx ctx = {db, SUPPORT_USER, keys, NULL, NULL};
	struct node_build_peer_request in = {recipient, 0, approach, question};
	struct node_build_error err;

	enum node_status s = node_build_peer_request(&ctx, &in, ret, &err);

	if (s != NODE_OK)
		snprintf(errbuf, errlen, "%s", err.detail);
	return s;
}

enum node_status
support_draft_escalation(sqlite3 *db, const struct keyfile *keys,
                         const char *why_stuck, const char *what_was_tried,
                         int64_t *ret_casus, struct node_build_draft **ret,
                         char *errbuf, size_t errlen)
{
	static const int support[] = {1};
	struct node_build_ctx ctx = {db, SUPPORT_USER, keys, NULL, NULL};
	struct node_build_escalation in;
	struct node_casus_fields cf;
	struct node_person kid = {"jeugdige", "Sem Jansen", NULL, "2012-03-04",
	                          NULL,       NULL,         NULL};
	struct node_build_error err;
	char buf[256];
	int64_t id = 0, pid = 0;
	enum node_status s;

	memset(&cf, 0, sizeof(cf));
	cf.registered_by = "gemeente";
	cf.question_type = "passend_aanbod";
	cf.problem_areas = "gedrag";
	s = node_register_migrate(db, buf, sizeof(buf));
	if (s == NODE_OK)
		s = node_register_casus_new(db, SUPPORT_USER, &cf, &id, buf,
		                            sizeof(buf));
	if (s == NODE_OK)
		s = node_register_person_add(db, SUPPORT_USER, id, &kid, &pid,
		                             buf, sizeof(buf));
	if (s == NODE_OK)
		s = node_register_casus_phase(db, SUPPORT_USER, id, "triage",
		                              NULL, buf, sizeof(buf));
	if (s == NODE_OK)
		s = node_register_casus_phase(db, SUPPORT_USER, id, "overleg",
		                              NULL, buf, sizeof(buf));
	if (s != NODE_OK) {
		snprintf(errbuf, errlen, "%s", buf);
		return s;
	}
	memset(&in, 0, sizeof(in));
	in.casus_id = id;
	in.why_stuck = why_stuck;
	in.what_was_tried = what_was_tried;
	in.support = support;
	in.n_support = 1;
	in.urgency = 1;
	if (ret_casus != NULL)
		*ret_casus = id;
	s = node_build_escalation(&ctx, &in, ret, &err);
	if (s != NODE_OK)
		snprintf(errbuf, errlen, "%s", err.detail);
	return s;
}

enum node_status
support_draft_summary(sqlite3 *db, const struct keyfile *keys,
                      const char *period, struct node_summary_draft **ret,
                      char *errbuf, size_t errlen)
{
	struct node_summary_error err;
	char buf[256];
	enum node_status s;

	s = node_register_migrate(db, buf, sizeof(buf));
	if (s == NODE_OK) {
		s = node_summary_build(db, SUPPORT_USER, keys->party, period, 3,
		                       NULL, 0, ret, &err);
		snprintf(buf, sizeof(buf), "%s", err.detail);
	}
	if (s != NODE_OK)
		snprintf(errbuf, errlen, "%s", buf);
	return s;
}
