/* relay_metrics: Prometheus text for a textfile and a loopback endpoint. */
#include "relay_metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relay_status.h"
#include "wire_error.h"

#define N_REASONS (WIRE_REASON_MAX + 1)
/* Commit latency buckets, seconds (upper bounds). */
static const double commit_le[] = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                   0.05,   0.1,   0.25,  0.5,   1.0,  2.5};
#define N_BUCKETS (sizeof(commit_le) / sizeof(commit_le[0]))

struct relay_metrics {
	char *textfile;
	struct MHD_Daemon *httpd;
	pthread_mutex_t mu; /* guards text */
	char *text;
	size_t text_len;
	uint64_t acked, duplicates;
	uint64_t refused[N_REASONS];
	uint64_t commit_bucket[N_BUCKETS], commit_count, commit_failed;
	double commit_sum;
	uint64_t verify_frames;
	double verify_sum;
	uint64_t purged, purged_unconfirmed;
};

/* A growing text buffer. */
struct sb {
	char *p;
	size_t len, cap;
	int failed;
};

static void sb_printf(struct sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = (b->cap ? b->cap * 2 : 8192) + (size_t)n;
			char *np = realloc(b->p, cap);

			if (np == NULL) {
				b->failed = 1;
				return;
			}
			b->p = np;
			b->cap = cap;
		}
	}
}

static enum MHD_Result
serve(void *cls, struct MHD_Connection *conn, const char *url,
      const char *method, const char *version, const char *upload,
      size_t *upload_len, void **con_cls)
{
	struct relay_metrics *m = cls;
	struct MHD_Response *resp;
	enum MHD_Result r;
	unsigned status = MHD_HTTP_OK;
	char *copy = NULL;
	size_t len = 0;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	else if (strcmp(url, "/metrics") != 0)
		status = MHD_HTTP_NOT_FOUND;
	if (status == MHD_HTTP_OK) {
		pthread_mutex_lock(&m->mu);
		if (m->text != NULL && (copy = malloc(m->text_len)) != NULL) {
			memcpy(copy, m->text, m->text_len);
			len = m->text_len;
		}
		pthread_mutex_unlock(&m->mu);
		if (copy == NULL)
			status = MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	if (copy == NULL) {
		static const char msg[] = "see /metrics\n";

		resp = MHD_create_response_from_buffer(sizeof(msg) - 1,
		                                       (void *)(uintptr_t)msg,
		                                       MHD_RESPMEM_PERSISTENT);
	} else {
		resp = MHD_create_response_from_buffer(len, copy,
		                                       MHD_RESPMEM_MUST_FREE);
	}
	if (resp == NULL) {
		free(copy);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, "Content-Type",
	                              "text/plain; version=0.0.4; "
	                              "charset=utf-8");
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

struct relay_metrics *
relay_metrics_new(const char *textfile, uint16_t port, char *errbuf,
                  size_t errlen)
{
	struct relay_metrics *m = calloc(1, sizeof(*m));
	struct sockaddr_in sa;

	if (m == NULL || pthread_mutex_init(&m->mu, NULL) != 0) {
		free(m);
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	if (textfile != NULL && textfile[0] != '\0' &&
	    (m->textfile = strdup(textfile)) == NULL) {
		relay_metrics_destroy(&m);
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	if (port != 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons(port);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		m->httpd = MHD_start_daemon(
		    MHD_USE_INTERNAL_POLLING_THREAD, port, NULL, NULL, serve, m,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
		    MHD_OPTION_END);
		if (m->httpd == NULL) {
			snprintf(errbuf, errlen,
			         "cannot serve metrics on 127.0.0.1:%u (port "
			         "in use?)",
			         (unsigned)port);
			relay_metrics_destroy(&m);
			return NULL;
		}
	}
	return m;
}

void
relay_metrics_destroy(struct relay_metrics **mp)
{
	struct relay_metrics *m;

	if (mp == NULL || *mp == NULL)
		return;
	m = *mp;
	if (m->httpd)
		MHD_stop_daemon(m->httpd);
	pthread_mutex_destroy(&m->mu);
	free(m->text);
	free(m->textfile);
	free(m);
	*mp = NULL;
}

void
relay_metrics_acked(struct relay_metrics *m, int duplicate)
{
	if (m == NULL)
		return;
	m->acked++;
	m->duplicates += duplicate != 0;
}

void
relay_metrics_refused(struct relay_metrics *m, int reason)
{
	if (m == NULL || reason <= 0 || reason >= N_REASONS)
		return;
	m->refused[reason]++;
}

void
relay_metrics_commit(struct relay_metrics *m, uint64_t usec, int ok)
{
	double s = (double)usec / 1e6;
	size_t i;

	if (m == NULL)
		return;
	if (!ok) {
		m->commit_failed++;
		return;
	}
	m->commit_count++;
	m->commit_sum += s;
	for (i = 0; i < N_BUCKETS; i++)
		if (s <= commit_le[i])
			m->commit_bucket[i]++;
}

void
relay_metrics_verify(struct relay_metrics *m, uint64_t usec, size_t n)
{
	if (m == NULL)
		return;
	m->verify_frames += n;
	m->verify_sum += (double)usec / 1e6;
}

void
relay_metrics_purged(struct relay_metrics *m, uint64_t n, int unconfirmed)
{
	if (m == NULL)
		return;
	if (unconfirmed)
		m->purged_unconfirmed += n;
	else
		m->purged += n;
}

static void
render(const struct relay_metrics *m, const struct relay_status *st,
       struct sb *b)
{
	size_t i;

	sb_printf(b,
	          "# HELP ret_relay_acked_total Envelopes stored and "
	          "acked (including duplicates acked again).\n"
	          "# TYPE ret_relay_acked_total counter\n"
	          "ret_relay_acked_total %llu\n",
	          (unsigned long long)m->acked);
	sb_printf(b,
	          "# HELP ret_relay_duplicates_total Envelopes acked "
	          "again because their message id was stored before.\n"
	          "# TYPE ret_relay_duplicates_total counter\n"
	          "ret_relay_duplicates_total %llu\n",
	          (unsigned long long)m->duplicates);
	sb_printf(b, "# HELP ret_relay_refused_total Frames refused (Nack), "
	             "by reason code.\n"
	             "# TYPE ret_relay_refused_total counter\n");
	for (i = 1; i < N_REASONS; i++)
		sb_printf(b, "ret_relay_refused_total{reason=\"%s\"} %llu\n",
		          wire_reason_name((int)i),
		          (unsigned long long)m->refused[i]);
	sb_printf(b, "# HELP ret_relay_commit_seconds Time of one batch "
	             "transaction, BEGIN to COMMIT (fsync included).\n"
	             "# TYPE ret_relay_commit_seconds histogram\n");
	for (i = 0; i < N_BUCKETS; i++)
		sb_printf(
		    b, "ret_relay_commit_seconds_bucket{le=\"%g\"} %llu\n",
		    commit_le[i], (unsigned long long)m->commit_bucket[i]);
	sb_printf(b,
	          "ret_relay_commit_seconds_bucket{le=\"+Inf\"} %llu\n"
	          "ret_relay_commit_seconds_sum %.6f\n"
	          "ret_relay_commit_seconds_count %llu\n",
	          (unsigned long long)m->commit_count, m->commit_sum,
	          (unsigned long long)m->commit_count);
	sb_printf(b,
	          "# HELP ret_relay_commit_failures_total Batch "
	          "transactions that failed (answered store_failed).\n"
	          "# TYPE ret_relay_commit_failures_total counter\n"
	          "ret_relay_commit_failures_total %llu\n",
	          (unsigned long long)m->commit_failed);
	sb_printf(b,
	          "# HELP ret_relay_verify_seconds_total Time spent "
	          "decoding and verifying frames.\n"
	          "# TYPE ret_relay_verify_seconds_total counter\n"
	          "ret_relay_verify_seconds_total %.6f\n"
	          "# HELP ret_relay_verified_frames_total Frames decoded "
	          "and verified.\n"
	          "# TYPE ret_relay_verified_frames_total counter\n"
	          "ret_relay_verified_frames_total %llu\n",
	          m->verify_sum, (unsigned long long)m->verify_frames);
	sb_printf(b,
	          "# HELP ret_relay_purged_total Envelopes removed by "
	          "retention; unconfirmed=\"yes\": before every recipient "
	          "confirmed them.\n"
	          "# TYPE ret_relay_purged_total counter\n"
	          "ret_relay_purged_total{unconfirmed=\"no\"} %llu\n"
	          "ret_relay_purged_total{unconfirmed=\"yes\"} %llu\n",
	          (unsigned long long)m->purged,
	          (unsigned long long)m->purged_unconfirmed);
	sb_printf(b,
	          "# HELP ret_relay_store_bytes Size of the relay's "
	          "SQLite store.\n"
	          "# TYPE ret_relay_store_bytes gauge\n"
	          "ret_relay_store_bytes %llu\n"
	          "# HELP ret_relay_messages Envelopes in the store.\n"
	          "# TYPE ret_relay_messages gauge\n"
	          "ret_relay_messages %llu\n",
	          (unsigned long long)st->store_bytes,
	          (unsigned long long)st->messages);
	sb_printf(b, "# HELP ret_relay_backlog Deliveries waiting for the "
	             "recipient's confirm.\n"
	             "# TYPE ret_relay_backlog gauge\n");
	for (i = 0; i < st->n_parties; i++)
		sb_printf(b, "ret_relay_backlog{party=\"%s\"} %llu\n",
		          st->parties[i].party,
		          (unsigned long long)st->parties[i].backlog);
	sb_printf(b, "# HELP ret_relay_oldest_unconfirmed_seconds Age of the "
	             "oldest unconfirmed delivery per recipient.\n"
	             "# TYPE ret_relay_oldest_unconfirmed_seconds gauge\n");
	for (i = 0; i < st->n_parties; i++) {
		uint64_t o = st->parties[i].oldest_unconfirmed_ms;
		struct timespec ts;
		uint64_t now;

		if (o == 0)
			continue;
		clock_gettime(CLOCK_REALTIME, &ts);
		now = (uint64_t)ts.tv_sec * 1000u +
		      (uint64_t)ts.tv_nsec / 1000000u;
		sb_printf(b,
		          "ret_relay_oldest_unconfirmed_seconds{party=\"%s\"} "
		          "%.3f\n",
		          st->parties[i].party,
		          now > o ? (double)(now - o) / 1000.0 : 0.0);
	}
}

/* Write text to path atomically: a temporary file beside it, renamed. */
static int
write_file(const char *path, const char *text, size_t len, char *errbuf,
           size_t errlen)
{
	char tmp[1100];
	FILE *f;
	int ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		snprintf(errbuf, errlen, "cannot write %s: %s", tmp,
		         strerror(errno));
		return -1;
	}
	ok = fwrite(text, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		snprintf(errbuf, errlen, "cannot write %s: %s", path,
		         strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

int
relay_metrics_publish(struct relay_metrics *m, sqlite3 *db, char *errbuf,
                      size_t errlen)
{
	struct relay_status st;
	struct sb b = {NULL, 0, 0, 0};
	char *old;
	int rc = 0;

	if (m == NULL)
		return 0;
	if (relay_status_collect(db, 0, &st, errbuf, errlen) != 0)
		return -1;
	render(m, &st, &b);
	relay_status_clear(&st);
	if (b.failed || b.p == NULL) {
		free(b.p);
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	if (m->textfile != NULL)
		rc = write_file(m->textfile, b.p, b.len, errbuf, errlen);
	pthread_mutex_lock(&m->mu);
	old = m->text;
	m->text = b.p;
	m->text_len = b.len;
	pthread_mutex_unlock(&m->mu);
	free(old);
	return rc;
}
