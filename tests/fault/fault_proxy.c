/*
 * fault_proxy: see fault_proxy.h. Support code, not a test: it returns
 * error values and test_fault.c asserts on them.
 */
/* accept4(): the accepted socket must be close-on-exec from its first
 * moment, or a daemon the harness forks meanwhile keeps the connection
 * open after the proxy closed it. */
#define _GNU_SOURCE
#include "fault_proxy.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROXY_MAX_PAIRS 8
#define PROXY_CHUNK 65536
#define PROXY_TURN_MS 20
#define PROXY_WRITE_MAX_MS 10000

struct pair {
	int a; /* accepted (the node's side), -1 when unused */
	int b; /* to the target */
};

struct fault_proxy {
	int listen_fd;
	int port;
	int target_port;
	struct pair pairs[PROXY_MAX_PAIRS];
	pthread_t thread;
	atomic_int stop;
	atomic_int cut;
	atomic_int stalled;
	atomic_int delay_ms;
	atomic_uint_fast64_t accepted;
	atomic_uint_fast64_t bytes;
};

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
pair_close(struct pair *pp)
{
	if (pp->a >= 0)
		close(pp->a);
	if (pp->b >= 0)
		close(pp->b);
	pp->a = -1;
	pp->b = -1;
}

static int
connect_target(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Write all of buf to fd, waiting (bounded) while the peer is slow. */
static int
write_all(struct fault_proxy *p, int fd, const char *buf, size_t len)
{
	int waited = 0;

	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return -1;
		if (atomic_load(&p->stop) || atomic_load(&p->cut) ||
		    waited >= PROXY_WRITE_MAX_MS)
			return -1;
		{
			struct pollfd pf = {fd, POLLOUT, 0};

			(void)poll(&pf, 1, PROXY_TURN_MS);
		}
		waited += PROXY_TURN_MS;
	}
	return 0;
}

/* Move what is waiting on `from` to `to`; -1 when the pair is done. */
static int
forward(struct fault_proxy *p, int from, int to, char *buf)
{
	ssize_t n = recv(from, buf, PROXY_CHUNK, MSG_DONTWAIT);
	int d;

	if (n == 0)
		return -1;
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK ||
			errno == EINTR)
			       ? 0
			       : -1;
	d = atomic_load(&p->delay_ms);
	if (d > 0)
		sleep_ms(d);
	if (write_all(p, to, buf, (size_t)n) != 0)
		return -1;
	atomic_fetch_add(&p->bytes, (uint_fast64_t)n);
	return 0;
}

static void *
proxy_main(void *arg)
{
	struct fault_proxy *p = arg;
	char *buf = malloc(PROXY_CHUNK);
	struct pollfd pf[1 + 2 * PROXY_MAX_PAIRS];
	int owner[1 + 2 * PROXY_MAX_PAIRS];
	size_t i, n;

	if (buf == NULL)
		return NULL;
	while (!atomic_load(&p->stop)) {
		if (atomic_exchange(&p->cut, 0))
			for (i = 0; i < PROXY_MAX_PAIRS; i++)
				pair_close(&p->pairs[i]);
		n = 0;
		pf[n].fd = p->listen_fd;
		pf[n].events = POLLIN;
		owner[n++] = -1;
		if (!atomic_load(&p->stalled))
			for (i = 0; i < PROXY_MAX_PAIRS; i++) {
				if (p->pairs[i].a < 0)
					continue;
				pf[n].fd = p->pairs[i].a;
				pf[n].events = POLLIN;
				owner[n++] = (int)i;
				pf[n].fd = p->pairs[i].b;
				pf[n].events = POLLIN;
				owner[n++] = (int)i;
			}
		if (poll(pf, (nfds_t)n, PROXY_TURN_MS) <= 0)
			continue;
		if (pf[0].revents & POLLIN) {
			int c = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0) {
				int t = connect_target(p->target_port);
				int one = 1;

				(void)setsockopt(c, IPPROTO_TCP, TCP_NODELAY,
						 &one, sizeof(one));
				for (i = 0; i < PROXY_MAX_PAIRS && t >= 0; i++)
					if (p->pairs[i].a < 0)
						break;
				if (t < 0 || i == PROXY_MAX_PAIRS) {
					close(c);
					if (t >= 0)
						close(t);
				} else {
					p->pairs[i].a = c;
					p->pairs[i].b = t;
					atomic_fetch_add(&p->accepted, 1);
				}
			}
		}
		for (i = 1; i < n; i++) {
			struct pair *pp = &p->pairs[owner[i]];
			int from = pf[i].fd;

			if (pf[i].revents == 0 || pp->a < 0 ||
			    (from != pp->a && from != pp->b))
				continue;
			if (forward(p, from, from == pp->a ? pp->b : pp->a,
				    buf) != 0)
				pair_close(pp);
		}
	}
	for (i = 0; i < PROXY_MAX_PAIRS; i++)
		pair_close(&p->pairs[i]);
	free(buf);
	return NULL;
}

/* Listen on a free loopback port; start the relaying thread. */
struct fault_proxy *
fault_proxy_new(int target_port)
{
	struct fault_proxy *p = calloc(1, sizeof(*p));
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int one = 1;
	size_t i;

	if (p == NULL)
		return NULL;
	for (i = 0; i < PROXY_MAX_PAIRS; i++)
		p->pairs[i].a = p->pairs[i].b = -1;
	p->target_port = target_port;
	p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->listen_fd < 0)
		goto fail;
	(void)setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
			 sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(p->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(p->listen_fd, 16) != 0 ||
	    getsockname(p->listen_fd, (struct sockaddr *)&sa, &len) != 0)
		goto fail;
	p->port = ntohs(sa.sin_port);
	if (pthread_create(&p->thread, NULL, proxy_main, p) != 0)
		goto fail;
	return p;
fail:
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	free(p);
	return NULL;
}

/* Stop the thread (it sees the flag within one turn), then free. */
void
fault_proxy_destroy(struct fault_proxy **pp)
{
	struct fault_proxy *p;

	if (pp == NULL || *pp == NULL)
		return;
	p = *pp;
	atomic_store(&p->stop, 1);
	pthread_join(p->thread, NULL);
	close(p->listen_fd);
	free(p);
	*pp = NULL;
}

/* The listening port, for the node's relay endpoint. */
int
fault_proxy_port(const struct fault_proxy *p)
{
	return p->port;
}

/* Ask the thread to close every pair at its next turn. */
void
fault_proxy_cut(struct fault_proxy *p)
{
	atomic_store(&p->cut, 1);
}

/* While stalled the thread polls only for new connections. */
void
fault_proxy_stall(struct fault_proxy *p, int on)
{
	atomic_store(&p->stalled, on ? 1 : 0);
}

/* A delay slept before every forwarded chunk, clamped to 0..1000. */
void
fault_proxy_delay(struct fault_proxy *p, int ms)
{
	atomic_store(&p->delay_ms, ms < 0 ? 0 : ms > 1000 ? 1000 : ms);
}

/* Connections accepted so far. */
uint64_t
fault_proxy_accepted(const struct fault_proxy *p)
{
	return atomic_load(&((struct fault_proxy *)(uintptr_t)p)->accepted);
}

/* Bytes forwarded so far, both directions together. */
uint64_t
fault_proxy_bytes(const struct fault_proxy *p)
{
	return atomic_load(&((struct fault_proxy *)(uintptr_t)p)->bytes);
}
