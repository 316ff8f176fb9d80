/*
 * node_lifecycle: the phases of a casus in the procesregie of a RET and
 * the transitions between them.
 *
 *   aanmelding --triage------> triage --bespreken--> overleg
 *   overleg --afschalen------> monitoren --afsluiten--> afgesloten
 *   monitoren --heropenen----> overleg      (the plan stalls: discuss again)
 *   aanmelding, triage --annuleren----> geannuleerd
 *   triage --doorverwijzen------------> doorverwezen
 *
 * afgesloten, geannuleerd and doorverwezen are final. Everything else is
 * refused, including a step to the phase the casus is already in. The
 * escalation ladder (opschaling to the BEN) starts only after triage:
 * node_lifecycle_past_triage() and node_lifecycle_may_escalate() say where
 * a casus stands. This module is pure logic; node_register records the
 * transitions.
 */
#ifndef RET_NODE_LIFECYCLE_H
#define RET_NODE_LIFECYCLE_H

#include <stddef.h>

enum node_phase {
	NODE_PHASE_AANMELDING = 0,
	NODE_PHASE_TRIAGE,
	NODE_PHASE_OVERLEG,
	NODE_PHASE_MONITOREN,
	NODE_PHASE_AFGESLOTEN,
	NODE_PHASE_GEANNULEERD,
	NODE_PHASE_DOORVERWEZEN,
	NODE_PHASE_COUNT
};

/* The phase's name as stored and typed ("aanmelding", ...). */
const char *node_lifecycle_phase_name(enum node_phase p);

/* Parse a phase name. Returns 0 and sets *ret, or -1 if unknown. */
int node_lifecycle_phase_parse(const char *name, enum node_phase *ret)
	__attribute__((warn_unused_result));

/* True if the lifecycle allows the step from `from` to `to`. */
int node_lifecycle_allowed(enum node_phase from, enum node_phase to);

/*
 * The name of the step from `from` to `to` ("triage", "bespreken",
 * "afschalen", "afsluiten", "heropenen", "annuleren", "doorverwijzen"), or
 * NULL if the step is not allowed.
 */
const char *node_lifecycle_step_name(enum node_phase from, enum node_phase to);

/*
 * Check a step. Returns 0, or -1 with an English sentence in errbuf that
 * names both phases and the phases allowed from `from`.
 */
int node_lifecycle_check(enum node_phase from, enum node_phase to,
			 char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/* True for afgesloten, geannuleerd and doorverwezen. */
int node_lifecycle_is_final(enum node_phase p);

/* True once the casus has been through triage and was taken on. */
int node_lifecycle_past_triage(enum node_phase p);

/* True while the casus may be escalated to the BEN (overleg, monitoren). */
int node_lifecycle_may_escalate(enum node_phase p);

#endif
