/*
 * node_dashboard: the regional dashboard, one self-contained HTML page.
 *
 * The page shows a period like a RET's annual dashboard: headline figures,
 * registrations per month, by who registered, by question type, by phase
 * and outcome, lead times, bottleneck themes, the comparison with the
 * previous period and, when summaries of several regions are given (a BEN
 * desk, or received learning summaries), the regions side by side.
 *
 * It is built for people and for the privacy rules at the same time:
 *  - UTF-8, lang="nl", Dutch labels; no external resource of any kind: a
 *    Content-Security-Policy meta tag (default-src 'none'; style-src
 *    'unsafe-inline'; img-src data:) forbids every network request, the
 *    CSS is inline, the charts are inline SVG and there is no script;
 *  - every chart has a <title> and <desc> and is followed by a data table
 *    with the same figures (WCAG 2.1 AA: colours meet the contrast ratios,
 *    nothing is told by colour alone);
 *  - only SUPPRESSED summaries are accepted (threshold set); a hidden cell
 *    is written as "<5" or "x", exactly as node_stats_cell_text() and the
 *    learning summaries publish it, never as a number, and draws no bar;
 *  - every string taken from a summary is HTML-escaped;
 *  - @media print lays it out for A4, and it reflows to a phone's width
 *    without horizontal scrolling.
 *
 * Library code: never logs, writes no file; the caller writes the page.
 */
#ifndef RET_NODE_DASHBOARD_H
#define RET_NODE_DASHBOARD_H

#include <stddef.h>

#include "node_db.h"
#include "node_stats.h"

/* What the page is made of. Pointers are borrowed. */
struct node_dashboard {
	const char *region;    /* party id of this node, "region:noord-limburg" */
	const char *generated; /* YYYY-MM-DD the page was made */
	/* The period and the one before it; cur NULL on a BEN desk. */
	const struct node_stats_summary *cur, *prev;
	/* Regions side by side (may include this region); n_regions 0: none. */
	const struct node_stats_summary *regions;
	size_t n_regions;
};

/*
 * Render the page. On success *ret_html is a NUL-terminated string the
 * caller frees, its length in *ret_len (may be NULL). NODE_ERR_INVALID
 * (with a sentence) when a summary is not suppressed (threshold 0) or
 * required fields are missing; NODE_ERR_NOMEM.
 */
enum node_status node_dashboard_render(const struct node_dashboard *d,
				       char **ret_html, size_t *ret_len,
				       char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * A party id as a display name: "region:noord-limburg" -> "Noord-Limburg",
 * "desk:bel-roermond" -> "Bel-Roermond". Writes at most outlen bytes and
 * returns out.
 */
const char *node_dashboard_region_name(const char *party, char *out,
				       size_t outlen);

#endif
