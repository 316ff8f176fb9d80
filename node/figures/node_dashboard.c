/*
 * node_dashboard: HTML of the regional dashboard, written into a growing
 * buffer. Charts are drawn by two helpers (vertical bars for months,
 * horizontal bars, single or paired, for everything else); each chart is
 * followed by its table.
 */
#include "node_dashboard.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- buffer ------------------------------------------------------------ */

struct buf {
	char *p;
	size_t len, cap;
	int oom;
	unsigned seq; /* ids of charts: t1/d1, t2/d2, ... */
};

static void
buf_grow(struct buf *b, size_t more)
{
	size_t ncap;
	char *np;

	if (b->oom)
		return;
	if (b->len + more + 1 <= b->cap)
		return;
	ncap = b->cap ? b->cap : 16384;
	while (ncap < b->len + more + 1)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (np == NULL) {
		b->oom = 1;
		return;
	}
	b->p = np;
	b->cap = ncap;
}

static void
buf_addn(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_add(struct buf *b, const char *s)
{
	buf_addn(b, s, strlen(s));
}

static void
buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->oom = 1; /* formats here are short: treat as a bug */
		return;
	}
	buf_addn(b, tmp, (size_t)n);
}

/* Append s with &, <, >, " and ' escaped. */
static void
buf_esc(struct buf *b, const char *s)
{
	const char *start = s;

	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: break;
		}
		if (rep != NULL) {
			buf_addn(b, start, (size_t)(s - start));
			buf_add(b, rep);
			start = s + 1;
		}
	}
	buf_addn(b, start, (size_t)(s - start));
}

/* ---- Dutch labels ------------------------------------------------------ */

struct label {
	const char *key, *nl;
};

static const struct label labels[] = {
	/* who registered */
	{"gemeente", "Gemeente"},
	{"gi", "Gecertificeerde instelling"},
	{"zorgaanbieder", "Zorgaanbieder"},
	{"ouders_jeugdige", "Ouders of jeugdige"},
	/* question types */
	{"verblijf_wachtlijst", "Verblijf en wachtlijst"},
	{"passend_aanbod", "Passend aanbod"},
	{"samenwerking_regie", "Samenwerking en regie"},
	{"overgang_18", "Overgang 18-/18+"},
	/* phases */
	{"aanmelding", "Aanmelding"},
	{"triage", "Triage"},
	{"overleg", "In overleg"},
	{"monitoren", "Monitoren"},
	{"afgesloten", "Afgesloten"},
	{"geannuleerd", "Geannuleerd"},
	{"doorverwezen", "Doorverwezen"},
	/* outcomes */
	{"opgelost", "Opgelost"},
	{"deels_opgelost", "Deels opgelost"},
	{"niet_opgelost", "Niet opgelost"},
	{"unknown", "Niet vastgelegd"},
	/* themes */
	{"wachtlijsten", "Wachtlijsten"},
	{"kleinschalig_wonen", "Kleinschalig wonen"},
	{"regie", "Regie"},
	{"afwijzing_aanbieders", "Afwijzing door aanbieders"},
	{"normaliseren", "Normaliseren"},
	{"perspectief", "Perspectief"},
	/* shared */
	{"onderwijs", "Onderwijs"},
	{"other", "Anders"},
};

static const char *const month_nl[] = {
	"januari", "februari", "maart",     "april",   "mei",      "juni",
	"juli",    "augustus", "september", "oktober", "november", "december"};
static const char *const month_short[] = {"jan", "feb", "mrt", "apr",
					  "mei", "jun", "jul", "aug",
					  "sep", "okt", "nov", "dec"};

/* The Dutch label of a vocabulary key; unknown keys are shown as given. */
static const char *
label_of(const char *key)
{
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].key, key) == 0)
			return labels[i].nl;
	return key;
}

/* The month number 1..12 of a key "YYYY-MM", or 0. */
static int
month_of(const char *key)
{
	int m;

	if (strlen(key) != 7 || key[4] != '-' || key[5] < '0' || key[5] > '1' ||
	    key[6] < '0' || key[6] > '9')
		return 0;
	m = (key[5] - '0') * 10 + (key[6] - '0');
	return m >= 1 && m <= 12 ? m : 0;
}

/* A period in words: "2026", "2e kwartaal 2026", "juli 2026". */
static void
period_words(struct buf *b, const char *period)
{
	size_t n = strlen(period);

	if (n == 7 && (period[5] == 'Q' || period[5] == 'q')) {
		buf_printf(b, "%ce kwartaal ", period[6]);
		buf_addn(b, period, 4);
	} else if (n == 7 && month_of(period) > 0) {
		buf_add(b, month_nl[month_of(period) - 1]);
		buf_add(b, " ");
		buf_addn(b, period, 4);
	} else {
		buf_esc(b, period);
	}
}

const char *
node_dashboard_region_name(const char *party, char *out, size_t outlen)
{
	const char *colon;
	size_t j = 0;
	int up = 1;

	if (outlen == 0)
		return out;
	out[0] = '\0';
	if (party == NULL)
		return out;
	colon = strchr(party, ':');
	if (colon != NULL)
		party = colon + 1;
	for (; *party != '\0' && j + 1 < outlen; party++) {
		char c = *party;

		if (up && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		up = (c == '-' || c == ' ');
		out[j++] = c;
	}
	out[j] = '\0';
	return out;
}

/* ---- cells ------------------------------------------------------------- */

static void
cell_text(struct buf *b, const struct node_stats_summary *s,
	  const struct node_stats_cell *c)
{
	char t[16];

	buf_esc(b, node_stats_cell_text(s, c, t, sizeof(t)));
}

/* A table cell with a count, marked when hidden. */
static void
td_cell(struct buf *b, const struct node_stats_summary *s,
	const struct node_stats_cell *c)
{
	if (c == NULL) {
		buf_add(b, "<td class=\"num na\">–</td>");
		return;
	}
	buf_add(b, c->hidden ? "<td class=\"num hid\">" : "<td class=\"num\">");
	cell_text(b, s, c);
	buf_add(b, "</td>");
}

/* The share of a shown cell in a shown, non-zero total, as "58%". */
static void
td_share(struct buf *b, const struct node_stats_cell *c,
	 const struct node_stats_cell *total)
{
	if (c->hidden || total == NULL || total->hidden || total->count == 0) {
		buf_add(b, "<td class=\"num na\">–</td>");
		return;
	}
	buf_printf(b, "<td class=\"num\">%u%%</td>",
		   (unsigned)((c->count * 100ull + total->count / 2) /
			      total->count));
}

/* A median: days, "verborgen" when it rests on too few cases, "–" none. */
static void
median_text(struct buf *b, const struct node_stats_summary *s,
	    const struct node_stats_cell *m, int has)
{
	if (!has)
		buf_add(b, "–");
	else if (m->hidden)
		buf_printf(b, "verborgen (minder dan %u casussen)",
			   (unsigned)s->threshold);
	else
		buf_printf(b, "%u dagen", (unsigned)m->count);
}

/* ---- charts ------------------------------------------------------------ */

/*
 * Charts are drawn in a 440-unit-wide box and scaled to the page (at most
 * 560 px wide): labels sit above their bars, so a phone's width keeps the
 * text readable without scrolling sideways.
 */
#define CHART_W 440
#define VALUE_W 64
#define BAR_MAX (CHART_W - VALUE_W)
#define COLOR_CUR "#1f5f8b"  /* 6.9:1 on white */
#define COLOR_PREV "#6b6b6b" /* 5.3:1 on white */

/* One bar of a horizontal chart: a series of up to two values per row. */
struct hrow {
	const char *label; /* escaped when written */
	const struct node_stats_summary *s[2];
	const struct node_stats_cell *c[2];
};

static uint32_t
rows_max(const struct hrow *r, size_t n, int series)
{
	uint32_t max = 0;

	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < series; k++)
			if (r[i].c[k] != NULL && !r[i].c[k]->hidden &&
			    r[i].c[k]->count > max)
				max = r[i].c[k]->count;
	return max;
}

static void
svg_open(struct buf *b, unsigned id, unsigned h, const char *title,
	 const char *desc)
{
	buf_printf(b,
		   "<svg class=\"chart\" viewBox=\"0 0 %d %u\" role=\"img\""
		   " aria-labelledby=\"t%u d%u\" preserveAspectRatio=\"xMinYMin meet\">"
		   "<title id=\"t%u\">",
		   CHART_W, h, id, id, id);
	buf_esc(b, title);
	buf_printf(b, "</title><desc id=\"d%u\">", id);
	buf_esc(b, desc);
	buf_add(b, "</desc>");
}

/*
 * Horizontal bars: one row per category, one or two series (previous
 * period grey above current blue). Hidden cells draw no bar, only "<5"
 * or "x".
 */
static void
chart_hbars(struct buf *b, const char *title, const char *desc,
	    const struct hrow *rows, size_t n, int series,
	    const char *unit)
{
	unsigned id = ++b->seq;
	unsigned bar_h = series == 2 ? 13 : 18, row_h = series == 2 ? 54 : 44;
	unsigned h = (unsigned)n * row_h + 4;
	uint32_t max = rows_max(rows, n, series);

	svg_open(b, id, h, title, desc);
	for (size_t i = 0; i < n; i++) {
		unsigned y = (unsigned)i * row_h;

		buf_printf(b, "<text x=\"0\" y=\"%u\" class=\"lbl\">", y + 15);
		buf_esc(b, rows[i].label);
		buf_add(b, "</text>");
		for (int k = 0; k < series; k++) {
			const struct node_stats_cell *c = rows[i].c[k];
			unsigned by = y + 21 + (unsigned)k * (bar_h + 3);
			unsigned w = 0;
			const char *color =
				series == 2 && k == 0 ? COLOR_PREV : COLOR_CUR;

			if (c == NULL)
				continue;
			if (!c->hidden && max > 0)
				w = (unsigned)((uint64_t)c->count * BAR_MAX / max);
			if (!c->hidden && c->count > 0 && w < 2)
				w = 2;
			if (w > 0)
				buf_printf(b,
					   "<rect x=\"0\" y=\"%u\" width=\"%u\""
					   " height=\"%u\" fill=\"%s\"/>",
					   by, w, bar_h, color);
			buf_printf(b,
				   "<text x=\"%u\" y=\"%u\" class=\"val%s\">",
				   w + 5, by + bar_h - 2,
				   c->hidden ? " hid" : "");
			cell_text(b, rows[i].s[k], c);
			if (!c->hidden && unit != NULL)
				buf_add(b, unit);
			buf_add(b, "</text>");
		}
	}
	buf_add(b, "</svg>");
}

/* Vertical bars for the months of a period. */
static void
chart_months(struct buf *b, const struct node_stats_summary *s)
{
	const struct node_stats_list *l = &s->by_month;
	unsigned id = ++b->seq;
	unsigned top = 22, plot_h = 150, base = top + plot_h;
	unsigned slot = l->n ? (CHART_W - 4) / (unsigned)l->n : CHART_W;
	unsigned bw = slot * 6 / 10;
	uint32_t max = 0;

	for (size_t i = 0; i < l->n; i++)
		if (!l->cell[i].hidden && l->cell[i].count > max)
			max = l->cell[i].count;
	svg_open(b, id, base + 30, "Aanmeldingen per maand",
		 "Staafdiagram: het aantal aanmeldingen in elke maand van de"
		 " periode. De cijfers staan ook in de tabel hieronder.");
	buf_printf(b,
		   "<line x1=\"2\" y1=\"%u\" x2=\"%d\" y2=\"%u\""
		   " stroke=\"#595959\" stroke-width=\"1\"/>",
		   base, CHART_W - 10, base);
	for (size_t i = 0; i < l->n; i++) {
		const struct node_stats_cell *c = &l->cell[i];
		unsigned x = 2 + (unsigned)i * slot + (slot - bw) / 2;
		unsigned hgt = 0;
		int m = month_of(c->key);

		if (!c->hidden && max > 0)
			hgt = (unsigned)((uint64_t)c->count * plot_h / max);
		if (!c->hidden && c->count > 0 && hgt < 2)
			hgt = 2;
		if (hgt > 0)
			buf_printf(b,
				   "<rect x=\"%u\" y=\"%u\" width=\"%u\""
				   " height=\"%u\" fill=\"%s\"/>",
				   x, base - hgt, bw, hgt, COLOR_CUR);
		buf_printf(b,
			   "<text x=\"%u\" y=\"%u\" class=\"val sm%s\""
			   " text-anchor=\"middle\">",
			   x + bw / 2, base - hgt - 6, c->hidden ? " hid" : "");
		cell_text(b, s, c);
		buf_printf(b,
			   "</text><text x=\"%u\" y=\"%u\" class=\"lbl sm\""
			   " text-anchor=\"middle\">",
			   x + bw / 2, base + 20);
		if (m > 0)
			buf_add(b, month_short[m - 1]);
		else
			buf_esc(b, c->key);
		buf_add(b, "</text>");
	}
	buf_add(b, "</svg>");
}

/* ---- sections ---------------------------------------------------------- */

static void
section_open(struct buf *b, const char *id, const char *h2, const char *intro)
{
	buf_printf(b, "<section id=\"%s\" aria-labelledby=\"h-%s\">", id, id);
	buf_printf(b, "<h2 id=\"h-%s\">", id);
	buf_esc(b, h2);
	buf_add(b, "</h2>");
	if (intro != NULL) {
		buf_add(b, "<p class=\"intro\">");
		buf_esc(b, intro);
		buf_add(b, "</p>");
	}
}

/* A chart of one list (optionally with last period) and its table. */
static void
list_block(struct buf *b, const char *title, const char *col,
	   const struct node_stats_summary *s,
	   const struct node_stats_list *l,
	   const struct node_stats_summary *ps,
	   const struct node_stats_list *pl, int share, const char *desc)
{
	struct hrow rows[NODE_STATS_LIST_MAX];
	size_t n = l->n;
	int paired = pl != NULL && pl->n == l->n;

	memset(rows, 0, sizeof(rows));

	for (size_t i = 0; i < n; i++) {
		rows[i].label = label_of(l->cell[i].key);
		rows[i].s[0] = paired ? ps : s;
		rows[i].c[0] = paired ? &pl->cell[i] : &l->cell[i];
		rows[i].s[1] = s;
		rows[i].c[1] = paired ? &l->cell[i] : NULL;
	}
	buf_add(b, "<div class=\"pair\"><figure>");
	chart_hbars(b, title, desc, rows, n, paired ? 2 : 1, NULL);
	buf_add(b, "<figcaption>");
	buf_esc(b, title);
	if (paired)
		buf_add(b, " <span class=\"key\"><span class=\"sw prev\"></span>vorige periode"
			   " <span class=\"sw cur\"></span>deze periode</span>");
	buf_add(b, "</figcaption></figure>");
	buf_add(b, "<table><caption>");
	buf_esc(b, title);
	buf_add(b, " (tabel)</caption><thead><tr><th scope=\"col\">");
	buf_esc(b, col);
	buf_add(b, "</th><th scope=\"col\" class=\"num\">Aantal</th>");
	if (share)
		buf_add(b, "<th scope=\"col\" class=\"num\">Aandeel</th>");
	if (paired) {
		buf_add(b, "<th scope=\"col\" class=\"num\">Vorige periode (");
		buf_esc(b, ps->period);
		buf_add(b, ")</th>");
	}
	buf_add(b, "</tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		buf_add(b, "<tr><th scope=\"row\">");
		buf_esc(b, label_of(l->cell[i].key));
		buf_add(b, "</th>");
		td_cell(b, s, &l->cell[i]);
		if (share)
			td_share(b, &l->cell[i], &s->registrations);
		if (paired)
			td_cell(b, ps, &pl->cell[i]);
		buf_add(b, "</tr>");
	}
	buf_add(b, "</tbody></table></div>");
}

static void
kpi(struct buf *b, const char *label, const struct node_stats_summary *s,
    const struct node_stats_cell *c, const struct node_stats_summary *ps,
    const struct node_stats_cell *pc)
{
	buf_add(b, "<div class=\"kpi\"><div class=\"kv\">");
	cell_text(b, s, c);
	buf_add(b, "</div><div class=\"kl\">");
	buf_esc(b, label);
	buf_add(b, "</div>");
	if (ps != NULL && pc != NULL) {
		buf_add(b, "<div class=\"kp\">");
		buf_esc(b, ps->period);
		buf_add(b, ": ");
		cell_text(b, ps, pc);
		buf_add(b, "</div>");
	}
	buf_add(b, "</div>");
}

static void
section_headline(struct buf *b, const struct node_stats_summary *s,
		 const struct node_stats_summary *p)
{
	buf_add(b, "<section id=\"kern\" aria-labelledby=\"h-kern\">"
		   "<h2 id=\"h-kern\" class=\"vh\">Kerncijfers</h2>"
		   "<div class=\"kpis\">");
	kpi(b, "aanmeldingen", s, &s->registrations, p,
	    p ? &p->registrations : NULL);
	kpi(b, "besproken in overleg", s, &s->discussed, p,
	    p ? &p->discussed : NULL);
	kpi(b, "geannuleerd", s, &s->cancelled, p, p ? &p->cancelled : NULL);
	kpi(b, "doorverwezen", s, &s->referred, p, p ? &p->referred : NULL);
	kpi(b, "consultaties", s, &s->consultations, p,
	    p ? &p->consultations : NULL);
	buf_printf(b,
		   "</div><p class=\"note\">&lt;%u: minder dan %u, verborgen."
		   " x: verborgen om een ander klein aantal te beschermen.</p>"
		   "</section>",
		   (unsigned)s->threshold, (unsigned)s->threshold);
}

static void
section_months(struct buf *b, const struct node_stats_summary *s)
{
	const struct node_stats_list *l = &s->by_month;

	section_open(b, "maanden", "Aanmeldingen per maand",
		     "Casussen naar de maand waarin ze zijn aangemeld.");
	buf_add(b, "<div class=\"pair\"><figure>");
	chart_months(b, s);
	buf_add(b, "<figcaption>Aanmeldingen per maand</figcaption></figure>");
	buf_add(b, "<table><caption>Aanmeldingen per maand (tabel)</caption>"
		   "<thead><tr><th scope=\"col\">Maand</th>"
		   "<th scope=\"col\" class=\"num\">Aanmeldingen</th></tr></thead><tbody>");
	for (size_t i = 0; i < l->n; i++) {
		int m = month_of(l->cell[i].key);

		buf_add(b, "<tr><th scope=\"row\">");
		if (m > 0) {
			buf_add(b, month_nl[m - 1]);
			buf_add(b, " ");
			buf_addn(b, l->cell[i].key, 4);
		} else {
			buf_esc(b, l->cell[i].key);
		}
		buf_add(b, "</th>");
		td_cell(b, s, &l->cell[i]);
		buf_add(b, "</tr>");
	}
	buf_add(b, "<tr class=\"tot\"><th scope=\"row\">Totaal</th>");
	td_cell(b, s, &s->registrations);
	buf_add(b, "</tr></tbody></table></div></section>");
}

static void
section_lead_times(struct buf *b, const struct node_stats_summary *s,
		   const struct node_stats_summary *p)
{
	struct hrow rows[2];
	const char *names[2] = {"Aanmelding tot overleg",
				"Aanmelding tot afsluiting"};
	const struct node_stats_cell *med[2][2] = {
		{p ? &p->median_days_to_overleg : NULL,
		 &s->median_days_to_overleg},
		{p ? &p->median_days_to_close : NULL, &s->median_days_to_close}};
	int has[2][2] = {{p ? p->has_median_to_overleg : 0,
			  s->has_median_to_overleg},
			 {p ? p->has_median_to_close : 0,
			  s->has_median_to_close}};
	const struct node_stats_cell *ns[2][2] = {
		{p ? &p->n_to_overleg : NULL, &s->n_to_overleg},
		{p ? &p->n_to_close : NULL, &s->n_to_close}};
	int series = p != NULL ? 2 : 1;

	section_open(b, "doorlooptijd", "Doorlooptijden",
		     "Mediaan van het aantal dagen, over de casussen die in de"
		     " periode zijn aangemeld. Een mediaan over minder casussen"
		     " dan de drempel wordt niet getoond.");
	for (int i = 0; i < 2; i++) {
		rows[i].label = names[i];
		for (int k = 0; k < 2; k++) {
			int src = series == 2 ? k : 1;
			rows[i].s[k] = src == 0 ? p : s;
			rows[i].c[k] = has[i][src] ? med[i][src] : NULL;
			if (series == 1 && k == 1)
				rows[i].c[k] = NULL;
		}
	}
	buf_add(b, "<div class=\"pair\"><figure>");
	chart_hbars(b, "Doorlooptijden in dagen (mediaan)",
		    "Staafdiagram: mediaan aantal dagen van aanmelding tot"
		    " overleg en tot afsluiting, vorige en deze periode.",
		    rows, 2, series, " d");
	buf_add(b, "<figcaption>Doorlooptijden in dagen (mediaan)");
	if (series == 2)
		buf_add(b, " <span class=\"key\"><span class=\"sw prev\"></span>vorige periode"
			   " <span class=\"sw cur\"></span>deze periode</span>");
	buf_add(b, "</figcaption></figure>");
	buf_add(b, "<table><caption>Doorlooptijden (tabel)</caption><thead><tr>"
		   "<th scope=\"col\">Doorlooptijd</th>"
		   "<th scope=\"col\" class=\"num\">Mediaan</th>"
		   "<th scope=\"col\" class=\"num\">Aantal casussen</th>");
	if (p != NULL) {
		buf_add(b, "<th scope=\"col\" class=\"num\">Mediaan ");
		buf_esc(b, p->period);
		buf_add(b, "</th>");
	}
	buf_add(b, "</tr></thead><tbody>");
	for (int i = 0; i < 2; i++) {
		buf_add(b, "<tr><th scope=\"row\">");
		buf_add(b, names[i]);
		buf_add(b, "</th><td class=\"num\">");
		median_text(b, s, med[i][1], has[i][1]);
		buf_add(b, "</td>");
		td_cell(b, s, ns[i][1]);
		if (p != NULL) {
			buf_add(b, "<td class=\"num\">");
			median_text(b, p, med[i][0], has[i][0]);
			buf_add(b, "</td>");
		}
		buf_add(b, "</tr>");
	}
	buf_add(b, "</tbody></table></div></section>");
}

static void
section_compare(struct buf *b, const struct node_stats_summary *s,
		const struct node_stats_summary *p)
{
	const char *names[5] = {"Aanmeldingen", "Besproken in overleg",
				"Geannuleerd", "Doorverwezen", "Consultaties"};
	const struct node_stats_cell *cs[5] = {&s->registrations, &s->discussed,
					       &s->cancelled, &s->referred,
					       &s->consultations};
	const struct node_stats_cell *pcs[5] = {&p->registrations, &p->discussed,
						&p->cancelled, &p->referred,
						&p->consultations};
	struct hrow rows[5];

	section_open(b, "vergelijking", "Vergelijking met de vorige periode",
		     NULL);
	buf_add(b, "<p class=\"intro\">");
	period_words(b, s->period);
	buf_add(b, " naast ");
	period_words(b, p->period);
	buf_add(b, ".</p>");
	for (int i = 0; i < 5; i++) {
		rows[i].label = names[i];
		rows[i].s[0] = p;
		rows[i].c[0] = pcs[i];
		rows[i].s[1] = s;
		rows[i].c[1] = cs[i];
	}
	buf_add(b, "<div class=\"pair\"><figure>");
	chart_hbars(b, "Deze periode naast de vorige",
		    "Staafdiagram met paren: per kerncijfer de vorige periode"
		    " (grijs, boven) en deze periode (blauw, onder).",
		    rows, 5, 2, NULL);
	buf_add(b, "<figcaption>Deze periode naast de vorige <span class=\"key\">"
		   "<span class=\"sw prev\"></span>vorige periode "
		   "<span class=\"sw cur\"></span>deze periode</span>"
		   "</figcaption></figure>");
	buf_add(b, "<table><caption>Vergelijking met de vorige periode (tabel)"
		   "</caption><thead><tr><th scope=\"col\">Kerncijfer</th>"
		   "<th scope=\"col\" class=\"num\">");
	buf_esc(b, p->period);
	buf_add(b, "</th><th scope=\"col\" class=\"num\">");
	buf_esc(b, s->period);
	buf_add(b, "</th></tr></thead><tbody>");
	for (int i = 0; i < 5; i++) {
		buf_add(b, "<tr><th scope=\"row\">");
		buf_add(b, names[i]);
		buf_add(b, "</th>");
		td_cell(b, p, pcs[i]);
		td_cell(b, s, cs[i]);
		buf_add(b, "</tr>");
	}
	buf_add(b, "</tbody></table></div></section>");
}

static void
section_regions(struct buf *b, const struct node_stats_summary *r, size_t n)
{
	static const char *const theme_keys[] = {
		"wachtlijsten", "kleinschalig_wonen", "overgang_18", "regie",
		"afwijzing_aanbieders", "normaliseren", "perspectief",
		"onderwijs", "other"};
	struct hrow rows[NODE_STATS_LIST_MAX];
	char name[NODE_STATS_REGION_MAX];
	size_t shown = n < NODE_STATS_LIST_MAX ? n : NODE_STATS_LIST_MAX;

	memset(rows, 0, sizeof(rows));
	section_open(b, "regios", "Regio's naast elkaar",
		     "Uit de leersamenvattingen van de regio's; kleine aantallen"
		     " zijn daar al verborgen.");
	for (size_t i = 0; i < shown; i++) {
		rows[i].label = NULL;
		rows[i].s[0] = &r[i];
		rows[i].c[0] = &r[i].registrations;
		rows[i].s[1] = NULL;
		rows[i].c[1] = NULL;
	}
	{
		char names[NODE_STATS_LIST_MAX][NODE_STATS_REGION_MAX];
		for (size_t i = 0; i < shown; i++)
			rows[i].label = node_dashboard_region_name(
				r[i].region, names[i], sizeof(names[i]));
		buf_add(b, "<figure>");
		chart_hbars(b, "Aanmeldingen per regio",
			    "Staafdiagram: het aantal aanmeldingen van elke regio"
			    " in de periode van haar leersamenvatting.",
			    rows, shown, 1, NULL);
		buf_add(b, "<figcaption>Aanmeldingen per regio</figcaption></figure>");
	}
	buf_add(b, "<div class=\"wide\"><table><caption>Regio's naast elkaar"
		   " (tabel)</caption><thead><tr><th scope=\"col\">Kerncijfer</th>");
	for (size_t i = 0; i < shown; i++) {
		buf_add(b, "<th scope=\"col\" class=\"num\">");
		buf_esc(b, node_dashboard_region_name(r[i].region, name,
						      sizeof(name)));
		buf_add(b, "<br><span class=\"per\">");
		buf_esc(b, r[i].period);
		buf_add(b, "</span></th>");
	}
	buf_add(b, "</tr></thead><tbody>");
#define REGION_ROW(label, field)                                          \
	do {                                                              \
		buf_add(b, "<tr><th scope=\"row\">" label "</th>");       \
		for (size_t i = 0; i < shown; i++)                        \
			td_cell(b, &r[i], &r[i].field);                   \
		buf_add(b, "</tr>");                                      \
	} while (0)
	REGION_ROW("Aanmeldingen", registrations);
	REGION_ROW("Besproken in overleg", discussed);
	REGION_ROW("Geannuleerd", cancelled);
	REGION_ROW("Doorverwezen", referred);
	REGION_ROW("Consultaties", consultations);
#undef REGION_ROW
	for (int k = 0; k < 2; k++) {
		buf_add(b, k == 0 ? "<tr><th scope=\"row\">Dagen tot overleg (mediaan)</th>"
				  : "<tr><th scope=\"row\">Dagen tot afsluiting (mediaan)</th>");
		for (size_t i = 0; i < shown; i++) {
			const struct node_stats_cell *m =
				k == 0 ? &r[i].median_days_to_overleg
				       : &r[i].median_days_to_close;
			int has = k == 0 ? r[i].has_median_to_overleg
					 : r[i].has_median_to_close;
			if (!has)
				buf_add(b, "<td class=\"num na\">–</td>");
			else if (m->hidden)
				buf_add(b, "<td class=\"num hid\">verborgen</td>");
			else
				buf_printf(b, "<td class=\"num\">%u</td>",
					   (unsigned)m->count);
		}
		buf_add(b, "</tr>");
	}
	for (size_t t = 0; t < sizeof(theme_keys) / sizeof(theme_keys[0]); t++) {
		buf_add(b, "<tr><th scope=\"row\">Knelpunt: ");
		buf_add(b, label_of(theme_keys[t]));
		buf_add(b, "</th>");
		for (size_t i = 0; i < shown; i++) {
			const struct node_stats_cell *c = NULL;
			for (size_t j = 0; j < r[i].themes.n; j++)
				if (strcmp(r[i].themes.cell[j].key,
					   theme_keys[t]) == 0)
					c = &r[i].themes.cell[j];
			td_cell(b, &r[i], c);
		}
		buf_add(b, "</tr>");
	}
	buf_add(b, "</tbody></table></div></section>");
}

static const char css[] =
	"*{box-sizing:border-box}"
	"html{-webkit-text-size-adjust:100%}"
	"body{margin:0;background:#f4f6f8;color:#1a1a1a;"
	"font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',"
	"'DejaVu Sans',Arial,sans-serif}"
	"main{max-width:980px;margin:0 auto;padding:16px}"
	"header{background:#123d5a;color:#fff;padding:22px 16px}"
	"header .in{max-width:980px;margin:0 auto}"
	"header h1{margin:0;font-size:1.7rem;line-height:1.2}"
	"header p{margin:.35rem 0 0;color:#e3edf5}"
	"section{background:#fff;border:1px solid #d5dbe1;border-radius:8px;"
	"padding:16px 18px;margin:0 0 16px;overflow-wrap:break-word}"
	"h2{font-size:1.25rem;margin:0 0 .4rem;color:#123d5a}"
	".intro{margin:0 0 .8rem;color:#3d3d3d}"
	".vh{position:absolute;width:1px;height:1px;overflow:hidden;"
	"clip:rect(0 0 0 0);white-space:nowrap}"
	".kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));"
	"gap:12px}"
	".kpi{border-left:5px solid #1f5f8b;background:#f0f5f9;padding:10px 12px;"
	"border-radius:4px}"
	".kv{font-size:2.1rem;font-weight:700;line-height:1.1;color:#123d5a}"
	".kl{font-weight:600}"
	".kp{color:#4a4a4a;font-size:.9rem}"
	".note{margin:.7rem 0 0;font-size:.9rem;color:#3d3d3d}"
	"figure{margin:0 0 .6rem}"
	"figcaption{font-size:.9rem;color:#3d3d3d;margin-top:.2rem}"
	".chart{display:block;width:100%;height:auto;max-width:560px}"
	".chart text{font-size:14px;fill:#1a1a1a}"
	".chart .sm{font-size:12px}"
	".chart .val{font-weight:700}"
	".chart .hid{font-style:italic;fill:#4a4a4a}"
	".key{white-space:nowrap;margin-left:.6rem}"
	".sw{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 .6em;"
	"vertical-align:-.05em;border-radius:2px}"
	".sw.prev{background:#6b6b6b}.sw.cur{background:#1f5f8b}"
	"table{width:100%;max-width:700px;border-collapse:collapse;margin:.4rem 0 .6rem;"
	"font-size:.95rem}"
	"caption{text-align:left;font-weight:600;padding:.2rem 0;color:#3d3d3d}"
	"th,td{padding:.3rem .5rem;border-bottom:1px solid #d5dbe1;text-align:left;"
	"vertical-align:top}"
	"thead th{border-bottom:2px solid #595959}"
	".num{text-align:right;font-variant-numeric:tabular-nums}"
	".hid{font-style:italic;color:#4a4a4a}"
	".na{color:#4a4a4a}"
	".tot th,.tot td{font-weight:700}"
	".per{font-weight:400;font-size:.85rem}"
	".wide{overflow-x:auto}.wide table{max-width:none}"
	"h3{font-size:1.05rem;margin:1rem 0 .3rem}"
	".pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);"
	"gap:28px;align-items:start}"
	"footer{max-width:980px;margin:0 auto;padding:0 16px 24px;color:#3d3d3d;"
	"font-size:.9rem}"
	"@media (max-width:860px){.pair{display:block}}"
	"@media (max-width:700px){"
	"main{padding:10px}section{padding:12px}header h1{font-size:1.35rem}"
	".kv{font-size:1.7rem}table{font-size:.88rem}th,td{padding:.25rem .3rem}}"
	"@media print{@page{size:A4;margin:14mm}"
	"body{background:#fff;font-size:10.5pt}"
	"header{background:#fff;color:#000;border-bottom:2px solid #123d5a;"
	"padding:0 0 6pt}header p{color:#333}main{max-width:none;padding:0}"
	"section{border:none;border-radius:0;padding:0;margin:0 0 10pt;"
	"break-inside:avoid;page-break-inside:avoid}"
	"figure,table{break-inside:avoid;page-break-inside:avoid}"
	".pair{gap:14pt}"
	".chart{max-height:9cm}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static int
check_summary(const struct node_stats_summary *s, const char *what,
	      char *errbuf, size_t errlen)
{
	if (s->threshold == 0) {
		snprintf(errbuf, errlen,
			 "%s: the figures are not suppressed; only suppressed"
			 " figures may be shown",
			 what);
		return -1;
	}
	return 0;
}

enum node_status
node_dashboard_render(const struct node_dashboard *d, char **ret_html,
		      size_t *ret_len, char *errbuf, size_t errlen)
{
	struct buf b = {0};
	const struct node_stats_summary *s, *p;
	char name[NODE_STATS_REGION_MAX];
	uint32_t threshold = 0;

	if (d == NULL || ret_html == NULL) {
		snprintf(errbuf, errlen, "no dashboard given");
		return NODE_ERR_INVALID;
	}
	s = d->cur;
	p = d->prev;
	if (s == NULL && d->n_regions == 0) {
		snprintf(errbuf, errlen,
			 "nothing to show: no period and no region summaries");
		return NODE_ERR_INVALID;
	}
	if (d->n_regions > 0 && d->regions == NULL) {
		snprintf(errbuf, errlen, "regions: %zu given but none passed",
			 d->n_regions);
		return NODE_ERR_INVALID;
	}
	if ((s != NULL && check_summary(s, "period", errbuf, errlen) != 0) ||
	    (p != NULL && check_summary(p, "previous period", errbuf, errlen) != 0))
		return NODE_ERR_INVALID;
	for (size_t i = 0; i < d->n_regions; i++)
		if (check_summary(&d->regions[i], "region summary", errbuf,
				  errlen) != 0)
			return NODE_ERR_INVALID;
	threshold = s != NULL ? s->threshold : d->regions[0].threshold;

	node_dashboard_region_name(d->region, name, sizeof(name));
	buf_add(&b, "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\""
		    "default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		    "<meta name=\"referrer\" content=\"no-referrer\">"
		    "<title>Dashboard RET ");
	buf_esc(&b, name);
	if (s != NULL) {
		buf_add(&b, " – ");
		period_words(&b, s->period);
	}
	buf_add(&b, "</title><style>");
	buf_add(&b, css);
	buf_add(&b, "</style></head><body><header><div class=\"in\"><h1>");
	if (s != NULL) {
		buf_add(&b, "Dashboard RET ");
		buf_esc(&b, name);
		buf_add(&b, " – ");
		period_words(&b, s->period);
	} else {
		buf_add(&b, "Regio's van ");
		buf_esc(&b, name);
	}
	buf_add(&b, "</h1><p>Regionaal Expertteam");
	if (p != NULL) {
		buf_add(&b, " · vergeleken met ");
		period_words(&b, p->period);
	}
	if (d->generated != NULL) {
		buf_add(&b, " · gemaakt op ");
		buf_esc(&b, d->generated);
	}
	buf_add(&b, "</p></div></header><main>");

	if (s != NULL) {
		section_headline(&b, s, p);
		section_months(&b, s);

		section_open(&b, "aanmelders", "Wie meldde aan",
			     "Casussen naar de organisatie of persoon die ze aanmeldde.");
		list_block(&b, "Aanmeldingen naar aanmelder", "Aangemeld door", s,
			   &s->by_registrant, p, p ? &p->by_registrant : NULL, 1,
			   "Staafdiagram: aanmeldingen per soort aanmelder.");
		buf_add(&b, "</section>");

		section_open(&b, "vraag", "Soort vraag",
			     "Waar de aanmelding over ging.");
		list_block(&b, "Aanmeldingen naar soort vraag", "Soort vraag", s,
			   &s->by_question_type, p,
			   p ? &p->by_question_type : NULL, 1,
			   "Staafdiagram: aanmeldingen per soort vraag.");
		buf_add(&b, "</section>");

		section_open(&b, "fase", "Fase en uitkomst",
			     "Waar de casussen van deze periode nu staan, en hoe"
			     " de afgesloten casussen zijn afgerond.");
		buf_add(&b, "<h3>Fase</h3>");
		list_block(&b, "Casussen naar fase", "Fase", s, &s->by_phase,
			   NULL, NULL, 1,
			   "Staafdiagram: het aantal casussen in elke fase.");
		buf_add(&b, "<h3>Uitkomst</h3>");
		list_block(&b, "Afgesloten casussen naar uitkomst", "Uitkomst",
			   s, &s->by_outcome, NULL, NULL, 0,
			   "Staafdiagram: afgesloten casussen per uitkomst.");
		buf_add(&b, "</section>");

		section_lead_times(&b, s, p);

		section_open(&b, "knelpunten", "Knelpunten",
			     "Hoe vaak elk knelpunt bij een casus is benoemd; een"
			     " casus kan meer knelpunten hebben.");
		list_block(&b, "Knelpunten", "Knelpunt", s, &s->themes, p,
			   p ? &p->themes : NULL, 0,
			   "Staafdiagram: hoe vaak elk knelpunt is benoemd.");
		buf_add(&b, "</section>");

		if (p != NULL)
			section_compare(&b, s, p);
	}
	if (d->n_regions > 0)
		section_regions(&b, d->regions, d->n_regions);

	buf_printf(&b,
		   "</main><footer><p><strong>Kleine aantallen.</strong> Om"
		   " niemand herkenbaar te maken staat een aantal onder de %u"
		   " er als &lt;%u, en een aantal dat verborgen is om een"
		   " ander aantal te beschermen als x. Een mediaan over minder"
		   " dan %u casussen wordt niet getoond. Verborgen aantallen"
		   " krijgen geen staaf.</p>",
		   (unsigned)threshold, (unsigned)threshold, (unsigned)threshold);
	buf_add(&b, "<p>Deze pagina bevat geen persoonsgegevens, laadt niets van"
		    " internet en werkt ook geprint (A4).</p></footer></body></html>\n");
	if (b.oom) {
		free(b.p);
		return NODE_ERR_NOMEM;
	}
	*ret_html = b.p;
	if (ret_len != NULL)
		*ret_len = b.len;
	return NODE_OK;
}
