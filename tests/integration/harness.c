/*
 * harness: processes, files, keys, envelopes and a CURVE client for tests.
 * Support code, not a test: every function returns an error value and the
 * tests that call it assert on those values.
 */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "envelope.h"
#include "msgid.h"
#include "party.h"

#define CLIENT_QUEUE_MAX 4096

/* ---------------------------------------------------------------------- */
/* Files */

char *
harness_tmpdir(const char *prefix)
{
	const char *base = getenv("TMPDIR");
	char tmpl[HARNESS_PATH_MAX];
	int n;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	n = snprintf(tmpl, sizeof(tmpl), "%s/%s-XXXXXX", base,
		     prefix ? prefix : "ret-test");
	if (n < 0 || (size_t)n >= sizeof(tmpl) || mkdtemp(tmpl) == NULL)
		return NULL;
	return strdup(tmpl);
}

static void
rmtree_depth(const char *dir, int depth)
{
	DIR *d;
	struct dirent *e;
	char path[HARNESS_PATH_MAX];
	struct stat sb;

	if (depth > 4 || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path))
			continue;
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			rmtree_depth(path, depth + 1);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void
harness_rmtree(const char *dir)
{
	if (dir != NULL && getenv("RET_KEEP_TMP") == NULL)
		rmtree_depth(dir, 0);
}

int
harness_write_file(const char *dir, const char *name, const char *text,
		   char *path, size_t cap)
{
	int fd, n;
	size_t len = strlen(text), off = 0;

	n = snprintf(path, cap, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	return close(fd);
}

int
harness_file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;
	int found = 0;

	if (f == NULL)
		return 0;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return 0;
	}
	buf = malloc((size_t)size + 1);
	if (buf != NULL) {
		size_t n = fread(buf, 1, (size_t)size, f);

		buf[n] = '\0';
		/* Logs are text; a NUL would only shorten the search. */
		found = strstr(buf, needle) != NULL;
		free(buf);
	}
	fclose(f);
	return found;
}

/* ---------------------------------------------------------------------- */
/* Ports and timing */

int
harness_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

int
harness_slowness(void)
{
	const char *v = getenv("RET_VALGRIND");

	return (v != NULL && strcmp(v, "1") == 0) ? 20 : 1;
}

uint64_t
harness_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
harness_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---------------------------------------------------------------------- */
/* Processes */

int
harness_spawn(struct harness_proc *p, const char *const argv[],
	      const char *log_path)
{
	const char *vg[] = {"valgrind", "--quiet", "--leak-check=full",
			    "--error-exitcode=99", "--errors-for-leak-kinds=definite,indirect",
			    "--show-leak-kinds=definite,indirect"};
	const size_t nvg = sizeof(vg) / sizeof(vg[0]);
	const char *args[64];
	size_t n = 0, i;
	pid_t pid;
	int fd;

	memset(p, 0, sizeof(*p));
	if (snprintf(p->log, sizeof(p->log), "%s", log_path) >=
	    (int)sizeof(p->log))
		return -1;
	if (harness_slowness() > 1)
		for (i = 0; i < nvg; i++)
			args[n++] = vg[i];
	for (i = 0; argv[i] != NULL; i++) {
		if (n + 1 >= sizeof(args) / sizeof(args[0]))
			return -1;
		args[n++] = argv[i];
	}
	args[n] = NULL;
	fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fd);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		/* execvp takes char *const[]; the strings are not modified. */
		execvp(args[0], (char *const *)(uintptr_t)args);
		_exit(127);
	}
	close(fd);
	p->pid = pid;
	return 0;
}

int
harness_wait_log(const struct harness_proc *p, const char *needle,
		 int timeout_ms)
{
	uint64_t deadline =
		harness_now_ms() + (uint64_t)timeout_ms * harness_slowness();
	int status;

	while (harness_now_ms() < deadline) {
		if (harness_file_contains(p->log, needle))
			return 0;
		if (p->pid > 0 && waitpid(p->pid, &status, WNOHANG) == p->pid)
			return -1;
		harness_sleep_ms(20);
	}
	return -1;
}

static int
status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int
harness_stop(struct harness_proc *p, int timeout_ms)
{
	uint64_t deadline;
	int status = 0;
	pid_t r;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, SIGTERM);
	deadline = harness_now_ms() + (uint64_t)timeout_ms * harness_slowness();
	while (harness_now_ms() < deadline) {
		r = waitpid(p->pid, &status, WNOHANG);
		if (r == p->pid) {
			p->pid = 0;
			return status_code(status);
		}
		if (r < 0) {
			p->pid = 0;
			return -1;
		}
		harness_sleep_ms(10);
	}
	kill(p->pid, SIGKILL);
	if (waitpid(p->pid, &status, 0) != p->pid)
		status = 0;
	p->pid = 0;
	return status_code(status);
}

void
harness_kill9(struct harness_proc *p)
{
	int status;

	if (p->pid <= 0)
		return;
	kill(p->pid, SIGKILL);
	(void)waitpid(p->pid, &status, 0);
	p->pid = 0;
}

/* ---------------------------------------------------------------------- */
/* Keys */

int
harness_party_keys(const char *dir, const char *party, struct keyfile *k,
		   char *path, size_t cap)
{
	char buf[HARNESS_PATH_MAX], err[256];
	const char *slug;

	if (keyfile_generate(party, k) != 0 ||
	    (slug = party_slug(party)) == NULL)
		return -1;
	if (snprintf(buf, sizeof(buf), "%s/%s.secret", dir, slug) >=
	    (int)sizeof(buf))
		return -1;
	unlink(buf);
	if (keyfile_write(buf, k, err, sizeof(err)) != 0)
		return -1;
	if (path != NULL && snprintf(path, cap, "%s", buf) >= (int)cap)
		return -1;
	return 0;
}

int
harness_append_party(char *buf, size_t cap, const struct keyfile *k,
		     int with_transport, const char *ben, const char *endpoint)
{
	size_t used = strlen(buf);
	char hex[65];
	int n;

	sodium_bin2hex(hex, sizeof(hex), k->sign_pk, sizeof(k->sign_pk));
	n = snprintf(buf + used, cap - used,
		     "[party %s]\nsigning_key = %s\n%s%s%sben = %s\n%s%s%s",
		     k->party, hex, with_transport ? "transport_key = " : "",
		     with_transport ? k->transport_pk : "",
		     with_transport ? "\n" : "", ben,
		     endpoint ? "endpoint = " : "", endpoint ? endpoint : "",
		     endpoint ? "\n" : "");
	return (n < 0 || (size_t)n >= cap - used) ? -1 : 0;
}

/* ---------------------------------------------------------------------- */
/* A relay */

static int
relay_write_config(struct harness_relay *r, const char *ben,
		   const char *parties_text)
{
	size_t cap = strlen(parties_text) + 1024;
	char *text = malloc(cap);
	char name[HARNESS_PATH_MAX];
	int n, rc;
	const char *level = getenv("RET_HARNESS_LOG_LEVEL");

	if (text == NULL)
		return -1;
	if (level == NULL || level[0] == '\0')
		level = "debug";
	n = snprintf(text, cap,
		     "[relay]\nparty = %s\nben = %s\nlisten = %s\n"
		     "key_file = %s.secret\ndatabase = relay.db\n"
		     "log_level = %s\n\n%s",
		     r->key.party, ben, r->endpoint, party_slug(r->key.party),
		     level, parties_text);
	if (n < 0 || (size_t)n >= cap) {
		free(text);
		return -1;
	}
	snprintf(name, sizeof(name), "%s.ini", party_slug(r->key.party));
	rc = harness_write_file(r->dir, name, text, r->config,
				sizeof(r->config));
	free(text);
	return rc;
}

int
harness_relay_init(struct harness_relay *r, const char *dir,
		   const char *party, const char *ben,
		   const char *parties_text)
{
	memset(r, 0, sizeof(*r));
	if (snprintf(r->dir, sizeof(r->dir), "%s", dir) >= (int)sizeof(r->dir) ||
	    harness_party_keys(dir, party, &r->key, NULL, 0) != 0)
		return -1;
	r->port = harness_free_port();
	if (r->port <= 0)
		return -1;
	snprintf(r->endpoint, sizeof(r->endpoint), "tcp://127.0.0.1:%d",
		 r->port);
	if (snprintf(r->database, sizeof(r->database), "%s/relay.db", dir) >=
		    (int)sizeof(r->database) ||
	    snprintf(r->log, sizeof(r->log), "%s/%s.log", dir,
		     party_slug(party)) >= (int)sizeof(r->log))
		return -1;
	return relay_write_config(r, ben, parties_text);
}

int
harness_relay_rewrite(struct harness_relay *r, const char *ben,
		      const char *parties_text)
{
	return relay_write_config(r, ben, parties_text);
}

int
harness_relay_start(struct harness_relay *r, int timeout_ms)
{
	const char *bin = getenv("RET_RELAY_BIN");
	const char *argv[] = {bin, "--config", r->config, NULL};
	size_t before = 0;
	struct stat sb;
	uint64_t deadline;

	if (bin == NULL)
		return -1;
	/* Only a "ready=1" written by this run counts. */
	if (stat(r->log, &sb) == 0)
		before = (size_t)sb.st_size;
	if (harness_spawn(&r->proc, argv, r->log) != 0)
		return -1;
	deadline = harness_now_ms() + (uint64_t)timeout_ms * harness_slowness();
	while (harness_now_ms() < deadline) {
		FILE *f = fopen(r->log, "rb");
		char line[1024];
		int ready = 0, status;

		if (f != NULL) {
			if (fseek(f, (long)before, SEEK_SET) == 0)
				while (!ready && fgets(line, sizeof(line), f))
					ready = strstr(line, "ready=1") != NULL;
			fclose(f);
		}
		if (ready)
			return 0;
		if (waitpid(r->proc.pid, &status, WNOHANG) == r->proc.pid) {
			r->proc.pid = 0;
			return -1;
		}
		harness_sleep_ms(20);
	}
	(void)harness_stop(&r->proc, 2000);
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Envelopes */

int
harness_seal(const struct keyfile *k, const struct harness_env *e,
	     uint8_t msgid[16], uint8_t **ret_buf, size_t *ret_len)
{
	Retfed__V1__Body b;
	Retfed__V1__Escalation esc;
	Retfed__V1__ProcesversnellerRequest pv;
	Retfed__V1__Decision dec;
	Retfed__V1__LearningSummary ls;
	Retfed__V1__Cell c_reg, c_dis, c_can, c_ref;
	Retfed__V1__PeerReviewRequest prq;
	Retfed__V1__PeerReview pr;
	Retfed__V1__ProblemArea areas[] = {RETFED__V1__PROBLEM_AREA__PROBLEM_GEZIN};
	Retfed__V1__SupportKind support[] = {RETFED__V1__SUPPORT_KIND__SUPPORT_EXPERTISE};
	uint8_t key_id[ENVELOPE_KEY_ID_LEN], id[16], req[16];
	char sender[PARTY_ID_MAX], recipient[PARTY_ID_MAX];
	char case_ref[48] = "t:0123456789abcdef0123456789abcdef";
	char text[] = "test text";
	char period[] = "2026-Q3";
	char k_reg[] = "registrations", k_dis[] = "discussed",
	     k_can[] = "cancelled", k_ref[] = "referred";
	struct wire_error err;
	uint64_t now = msgid_now_ms();

	/* The INIT macros cast away const, which clang refuses. */
	retfed__v1__body__init(&b);
	snprintf(sender, sizeof(sender), "%s", e->sender ? e->sender : k->party);
	if (e->case_ref != NULL &&
	    snprintf(case_ref, sizeof(case_ref), "%s", e->case_ref) >=
		    (int)sizeof(case_ref))
		return -1;
	snprintf(recipient, sizeof(recipient), "%s",
		 e->recipient ? e->recipient : "");
	memset(req, 0, sizeof(req));
	if (e->request_id)
		memcpy(req, e->request_id, sizeof(req));
	envelope_key_id(e->key_id_pk ? e->key_id_pk : k->sign_pk, key_id);
	envelope_body_prepare(&b, (Retfed__V1__Kind)e->kind, sender, key_id,
			      e->seq, now, id);
	b.recipient = recipient;
	switch (e->kind) {
	case RETFED__V1__KIND__KIND_ESCALATION:
		retfed__v1__escalation__init(&esc);
		esc.case_ref = case_ref;
		esc.age_band = RETFED__V1__AGE_BAND__AGE_12_15;
		esc.n_problem_areas = 1;
		esc.problem_areas = areas;
		esc.why_stuck = text;
		esc.what_was_tried = text;
		esc.n_support_asked = 1;
		esc.support_asked = support;
		esc.urgency = RETFED__V1__URGENCY__URGENCY_NORMAL;
		b.payload_case = RETFED__V1__BODY__PAYLOAD_ESCALATION;
		b.escalation = &esc;
		break;
	case RETFED__V1__KIND__KIND_PROCESVERSNELLER:
		retfed__v1__procesversneller_request__init(&pv);
		pv.case_ref = case_ref;
		pv.stagnation_reason = text;
		pv.expected_weeks = 6;
		b.payload_case = RETFED__V1__BODY__PAYLOAD_PROCESVERSNELLER;
		b.procesversneller = &pv;
		break;
	case RETFED__V1__KIND__KIND_DECISION:
		retfed__v1__decision__init(&dec);
		dec.case_ref = case_ref;
		dec.request_id.data = req;
		dec.request_id.len = 16;
		dec.status = RETFED__V1__DECISION_STATUS__DECISION_RECEIVED;
		b.payload_case = RETFED__V1__BODY__PAYLOAD_DECISION;
		b.decision = &dec;
		break;
	case RETFED__V1__KIND__KIND_LEARNING_SUMMARY:
		retfed__v1__learning_summary__init(&ls);
		retfed__v1__cell__init(&c_reg);
		retfed__v1__cell__init(&c_dis);
		retfed__v1__cell__init(&c_can);
		retfed__v1__cell__init(&c_ref);
		c_reg.key = k_reg;
		c_reg.count = 12;
		c_dis.key = k_dis;
		c_dis.count = 9;
		c_can.key = k_can;
		c_can.suppressed = 1;
		c_ref.key = k_ref;
		c_ref.count = 3;
		ls.period = period;
		ls.threshold = 3;
		ls.registrations = &c_reg;
		ls.discussed = &c_dis;
		ls.cancelled = &c_can;
		ls.referred = &c_ref;
		b.payload_case = RETFED__V1__BODY__PAYLOAD_LEARNING_SUMMARY;
		b.learning_summary = &ls;
		break;
	case RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST:
		retfed__v1__peer_review_request__init(&prq);
		prq.approach = text;
		prq.question = text;
		b.payload_case = RETFED__V1__BODY__PAYLOAD_PEER_REVIEW_REQUEST;
		b.peer_review_request = &prq;
		break;
	case RETFED__V1__KIND__KIND_PEER_REVIEW:
		retfed__v1__peer_review__init(&pr);
		pr.request_id.data = req;
		pr.request_id.len = 16;
		pr.review = text;
		b.payload_case = RETFED__V1__BODY__PAYLOAD_PEER_REVIEW;
		b.peer_review = &pr;
		break;
	default:
		return -1;
	}
	if (envelope_seal(&b, e->sign_sk ? e->sign_sk : k->sign_sk, ret_buf,
			  ret_len, &err) != WIRE_OK)
		return -1;
	memcpy(msgid, id, 16);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Client */

struct queued {
	struct relay_frame *f;
	struct queued *next;
};

struct harness_client {
	void *ctx, *sock;
	struct queued *head, *tail;
	size_t queued;
};

struct harness_client *
harness_client_new(const char *endpoint, const char *server_key,
		   const struct keyfile *k)
{
	struct harness_client *c = calloc(1, sizeof(*c));
	int linger = 0;

	if (c == NULL)
		return NULL;
	c->ctx = zmq_ctx_new();
	if (c->ctx == NULL)
		goto fail;
	c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
	if (c->sock == NULL ||
	    zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, server_key, 40) != 0 ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, k->transport_pk, 40) !=
		    0 ||
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, k->transport_sk, 40) !=
		    0 ||
	    zmq_connect(c->sock, endpoint) != 0)
		goto fail;
	return c;
fail:
	harness_client_destroy(&c);
	return NULL;
}

void
harness_client_destroy(struct harness_client **cp)
{
	struct harness_client *c;

	if (cp == NULL || *cp == NULL)
		return;
	c = *cp;
	while (c->head != NULL) {
		struct queued *q = c->head;

		c->head = q->next;
		relay_frame_destroy(&q->f);
		free(q);
	}
	if (c->sock)
		zmq_close(c->sock);
	if (c->ctx)
		zmq_ctx_term(c->ctx);
	free(c);
	*cp = NULL;
}

void *
harness_client_socket(struct harness_client *c)
{
	return c->sock;
}

int
harness_client_send_raw(struct harness_client *c, const void *buf, size_t len)
{
	return zmq_send(c->sock, buf, len, 0) < 0 ? -1 : 0;
}

static int
send_packed(struct harness_client *c, int rc, uint8_t *buf, size_t len)
{
	if (rc != 0)
		return -1;
	rc = harness_client_send_raw(c, buf, len);
	free(buf);
	return rc;
}

int
harness_client_submit(struct harness_client *c, const uint8_t *env, size_t len)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc = frame_pack_submit(env, len, &buf, &n);

	return send_packed(c, rc, buf, n);
}

int
harness_client_confirm(struct harness_client *c, uint64_t cursor)
{
	Retfed__V1__ClientFrame f = RETFED__V1__CLIENT_FRAME__INIT;
	Retfed__V1__DeliveryConfirm m = RETFED__V1__DELIVERY_CONFIRM__INIT;
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc;

	m.cursor = cursor;
	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_CONFIRM;
	f.confirm = &m;
	rc = frame_pack(&f.base, &buf, &n);
	return send_packed(c, rc, buf, n);
}

int
harness_client_resume(struct harness_client *c, uint64_t after)
{
	Retfed__V1__ClientFrame f = RETFED__V1__CLIENT_FRAME__INIT;
	Retfed__V1__Resume m = RETFED__V1__RESUME__INIT;
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc;

	m.after_cursor = after;
	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_RESUME;
	f.resume = &m;
	rc = frame_pack(&f.base, &buf, &n);
	return send_packed(c, rc, buf, n);
}

int
harness_client_seq_query(struct harness_client *c)
{
	Retfed__V1__ClientFrame f = RETFED__V1__CLIENT_FRAME__INIT;
	Retfed__V1__SeqQuery m = RETFED__V1__SEQ_QUERY__INIT;
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc;

	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_SEQ_QUERY;
	f.seq_query = &m;
	rc = frame_pack(&f.base, &buf, &n);
	return send_packed(c, rc, buf, n);
}

static struct relay_frame *
take_queued(struct harness_client *c, unsigned want)
{
	struct queued **pp = &c->head, *prev = NULL;

	while (*pp != NULL) {
		struct queued *q = *pp;

		if (want == 0 || (want & HARNESS_WANT(q->f->msg->frame_case))) {
			struct relay_frame *f = q->f;

			*pp = q->next;
			if (c->tail == q)
				c->tail = prev;
			free(q);
			c->queued--;
			return f;
		}
		prev = q;
		pp = &q->next;
	}
	return NULL;
}

struct relay_frame *
harness_client_recv(struct harness_client *c, unsigned want, int timeout_ms)
{
	uint64_t deadline =
		harness_now_ms() + (uint64_t)timeout_ms * harness_slowness();
	struct relay_frame *f = take_queued(c, want);

	while (f == NULL) {
		uint64_t now = harness_now_ms();
		zmq_pollitem_t it = {c->sock, 0, ZMQ_POLLIN, 0};
		zmq_msg_t msg;
		struct wire_error err;
		int rc;

		rc = zmq_poll(&it, 1, now < deadline ? (long)(deadline - now) : 0);
		if (rc < 0 && errno != EINTR)
			return NULL;
		if (rc <= 0) {
			if (harness_now_ms() >= deadline)
				return NULL;
			continue;
		}
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, c->sock, 0) < 0) {
			zmq_msg_close(&msg);
			return NULL;
		}
		rc = (int)relay_frame_decode(zmq_msg_data(&msg),
					     zmq_msg_size(&msg), &f, &err);
		zmq_msg_close(&msg);
		if (rc != WIRE_OK)
			return NULL;
		if (want != 0 && !(want & HARNESS_WANT(f->msg->frame_case))) {
			struct queued *q = calloc(1, sizeof(*q));

			if (q == NULL || c->queued >= CLIENT_QUEUE_MAX) {
				free(q);
				relay_frame_destroy(&f);
				continue;
			}
			q->f = f;
			if (c->tail)
				c->tail->next = q;
			else
				c->head = q;
			c->tail = q;
			c->queued++;
			f = NULL;
		}
	}
	return f;
}

/* ---------------------------------------------------------------------- */
/* Short-lived programs and logs */

/* Open path for the child's fd `to` (or /dev/null); 0 or -1. */
static int
redirect(const char *path, int flags, int to)
{
	int fd = open(path != NULL ? path : "/dev/null", flags, 0600);

	if (fd < 0 || dup2(fd, to) < 0)
		return -1;
	close(fd);
	return 0;
}

int
harness_run(const char *const argv[], const char *out_path,
	    const char *err_path, int timeout_ms)
{
	uint64_t deadline;
	pid_t pid;
	int status = 0;

	if (argv == NULL || argv[0] == NULL)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (redirect(out_path, O_WRONLY | O_CREAT | O_TRUNC, 1) != 0 ||
		    redirect(err_path, O_WRONLY | O_CREAT | O_APPEND, 2) != 0)
			_exit(127);
		/* execv takes char *const[]; the strings are not modified. */
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	deadline = harness_now_ms() + (uint64_t)timeout_ms * harness_slowness();
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r < 0 && errno != EINTR)
			return -1;
		if (harness_now_ms() >= deadline)
			break;
		harness_sleep_ms(5);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

int
harness_file_count(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	char line[4096];
	int n = 0;

	if (f == NULL || needle == NULL || needle[0] == '\0') {
		if (f != NULL)
			fclose(f);
		return 0;
	}
	/* Log lines are short; a longer one is read in pieces, and a needle
	 * split across two pieces is not counted. */
	while (fgets(line, sizeof(line), f) != NULL)
		for (const char *p = line; (p = strstr(p, needle)) != NULL;
		     p += strlen(needle))
			n++;
	fclose(f);
	return n;
}

