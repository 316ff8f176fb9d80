/*
 * node_lifecycle: the transition table of the procesregie, as data.
 */
#include "node_lifecycle.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	unsigned final : 1;
	unsigned past_triage : 1;
	unsigned may_escalate : 1;
} phases[NODE_PHASE_COUNT] = {
	[NODE_PHASE_AANMELDING] = {"aanmelding", 0, 0, 0},
	[NODE_PHASE_TRIAGE] = {"triage", 0, 0, 0},
	[NODE_PHASE_OVERLEG] = {"overleg", 0, 1, 1},
	[NODE_PHASE_MONITOREN] = {"monitoren", 0, 1, 1},
	[NODE_PHASE_AFGESLOTEN] = {"afgesloten", 1, 1, 0},
	[NODE_PHASE_GEANNULEERD] = {"geannuleerd", 1, 0, 0},
	[NODE_PHASE_DOORVERWEZEN] = {"doorverwezen", 1, 0, 0},
};

static const struct {
	enum node_phase from, to;
	const char *step;
} steps[] = {
	{NODE_PHASE_AANMELDING, NODE_PHASE_TRIAGE, "triage"},
	{NODE_PHASE_AANMELDING, NODE_PHASE_GEANNULEERD, "annuleren"},
	{NODE_PHASE_TRIAGE, NODE_PHASE_OVERLEG, "bespreken"},
	{NODE_PHASE_TRIAGE, NODE_PHASE_GEANNULEERD, "annuleren"},
	{NODE_PHASE_TRIAGE, NODE_PHASE_DOORVERWEZEN, "doorverwijzen"},
	{NODE_PHASE_OVERLEG, NODE_PHASE_MONITOREN, "afschalen"},
	{NODE_PHASE_MONITOREN, NODE_PHASE_AFGESLOTEN, "afsluiten"},
	{NODE_PHASE_MONITOREN, NODE_PHASE_OVERLEG, "heropenen"},
};

static int
valid(enum node_phase p)
{
	return (unsigned)p < NODE_PHASE_COUNT;
}

const char *
node_lifecycle_phase_name(enum node_phase p)
{
	return valid(p) ? phases[p].name : "?";
}

int
node_lifecycle_phase_parse(const char *name, enum node_phase *ret)
{
	if (name == NULL)
		return -1;
	for (unsigned i = 0; i < NODE_PHASE_COUNT; i++) {
		if (strcmp(name, phases[i].name) == 0) {
			*ret = (enum node_phase)i;
			return 0;
		}
	}
	return -1;
}

const char *
node_lifecycle_step_name(enum node_phase from, enum node_phase to)
{
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i].from == from && steps[i].to == to)
			return steps[i].step;
	return NULL;
}

int
node_lifecycle_allowed(enum node_phase from, enum node_phase to)
{
	return node_lifecycle_step_name(from, to) != NULL;
}

int
node_lifecycle_check(enum node_phase from, enum node_phase to, char *errbuf,
		     size_t errlen)
{
	char allowed[128] = "";
	size_t used = 0;

	if (!valid(from) || !valid(to)) {
		snprintf(errbuf, errlen, "unknown phase");
		return -1;
	}
	if (node_lifecycle_allowed(from, to))
		return 0;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].from != from)
			continue;
		int n = snprintf(allowed + used, sizeof(allowed) - used, "%s%s",
				 used > 0 ? ", " : "", phases[steps[i].to].name);
		if (n > 0 && (size_t)n < sizeof(allowed) - used)
			used += (size_t)n;
	}
	if (from == to)
		snprintf(errbuf, errlen, "the casus is already in phase %s",
			 phases[from].name);
	else if (phases[from].final)
		snprintf(errbuf, errlen,
			 "cannot go from %s to %s: %s is final",
			 phases[from].name, phases[to].name, phases[from].name);
	else
		snprintf(errbuf, errlen,
			 "cannot go from %s to %s (allowed: %s)",
			 phases[from].name, phases[to].name, allowed);
	return -1;
}

int
node_lifecycle_is_final(enum node_phase p)
{
	return valid(p) && phases[p].final;
}

int
node_lifecycle_past_triage(enum node_phase p)
{
	return valid(p) && phases[p].past_triage;
}

int
node_lifecycle_may_escalate(enum node_phase p)
{
	return valid(p) && phases[p].may_escalate;
}
