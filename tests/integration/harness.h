/*
 * harness: what integration tests need to drive the real programs
 * (ret-relay, ret-node, ret) on 127.0.0.1.
 *
 * - temporary directories, files and configuration snippets;
 * - free TCP ports picked at run time;
 * - spawning a program with its stdout/stderr in a log file, waiting for
 *   a log line, stopping it by PID (SIGTERM, then SIGKILL after a bounded
 *   wait) or killing it hard; with RET_VALGRIND=1 in the environment every
 *   spawned program runs under valgrind --leak-check=full
 *   --error-exitcode=99 and every timeout is multiplied by
 *   harness_slowness();
 * - party keys written as real key files (keyfile_generate);
 * - a CURVE DEALER client that sends ClientFrames and reads RelayFrames
 *   with timeouts;
 * - a builder for valid signed envelopes of every kind, with knobs to make
 *   them wrong in the ways the bad-input tests need.
 *
 * Every function either succeeds or returns an error value; none calls
 * exit() or a test framework, so the harness works with any test runner.
 */
#ifndef RET_TEST_HARNESS_H
#define RET_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "frame.h"
#include "keyfile.h"

#define HARNESS_PATH_MAX 512

/* ---- files ---- */

/* A new directory under $TMPDIR (or /tmp); malloc'ed path or NULL. */
char *harness_tmpdir(const char *prefix);

/* Remove a directory tree made by harness_tmpdir (files one level deep
 * and their subdirectories). NULL-safe. */
void harness_rmtree(const char *dir);

/*
 * Write text to dir/name (mode 0600), the full path into path[cap].
 * Returns 0 or -1.
 */
int harness_write_file(const char *dir, const char *name, const char *text,
		       char *path, size_t cap)
	__attribute__((warn_unused_result));

/* Whether the file at path contains needle. */
int harness_file_contains(const char *path, const char *needle);

/* ---- ports and timing ---- */

/* A TCP port on 127.0.0.1 that was free a moment ago, or -1. */
int harness_free_port(void);

/* 1 normally, 20 when RET_VALGRIND=1: multiply every timeout by it. */
int harness_slowness(void);

/* Milliseconds on a monotonic clock. */
uint64_t harness_now_ms(void);

/* Sleep ms milliseconds. */
void harness_sleep_ms(int ms);

/* ---- processes ---- */

struct harness_proc {
	pid_t pid;                        /* 0 when not running */
	char log[HARNESS_PATH_MAX];       /* stdout + stderr of the program */
};

/*
 * Start argv[0] (a path) with argv, stdout and stderr appended to
 * log_path. Honours RET_VALGRIND. Returns 0 with p filled, or -1.
 */
int harness_spawn(struct harness_proc *p, const char *const argv[],
		  const char *log_path) __attribute__((warn_unused_result));

/*
 * Wait until the process's log contains needle, at most timeout_ms (times
 * harness_slowness()). Returns 0, or -1 on timeout or when the process
 * exited first.
 */
int harness_wait_log(const struct harness_proc *p, const char *needle,
		     int timeout_ms) __attribute__((warn_unused_result));

/*
 * Stop by PID: SIGTERM, wait up to timeout_ms (times harness_slowness()),
 * then SIGKILL. Returns the exit status (0..255), 128+signal if killed by
 * a signal, or -1 if there was no process. p->pid becomes 0.
 */
int harness_stop(struct harness_proc *p, int timeout_ms);

/* SIGKILL now and reap. p->pid becomes 0. */
void harness_kill9(struct harness_proc *p);

/* ---- keys ---- */

/*
 * Generate keys for party, write them to dir/<slug>.secret (path into
 * path[cap] if path is not NULL). Returns 0 or -1.
 */
int harness_party_keys(const char *dir, const char *party, struct keyfile *k,
		       char *path, size_t cap)
	__attribute__((warn_unused_result));

/*
 * Append the configuration section of a party to buf (at most cap bytes,
 * always NUL-terminated): "[party ID]", signing_key, transport_key when
 * with_transport, ben, endpoint when not NULL. Returns 0 or -1 if full.
 */
int harness_append_party(char *buf, size_t cap, const struct keyfile *k,
			 int with_transport, const char *ben,
			 const char *endpoint)
	__attribute__((warn_unused_result));

/* ---- a relay ---- */

/* One ret-relay with its own key, port, configuration and log. */
struct harness_relay {
	char dir[HARNESS_PATH_MAX];
	char config[HARNESS_PATH_MAX];
	char database[HARNESS_PATH_MAX];
	char log[HARNESS_PATH_MAX];
	char endpoint[64];
	int port;
	struct keyfile key;
	struct harness_proc proc;
};

/*
 * Prepare a relay in dir: keys for `party` (a relay:* id), a free port,
 * and a configuration "<slug>.ini" with a [relay] section for BEN `ben`
 * followed by parties_text (sections made with harness_append_party).
 * The relay logs at $RET_HARNESS_LOG_LEVEL (default debug).
 * Returns 0 or -1.
 */
int harness_relay_init(struct harness_relay *r, const char *dir,
		       const char *party, const char *ben,
		       const char *parties_text)
	__attribute__((warn_unused_result));

/*
 * Rewrite the relay's configuration with new parties_text (same relay
 * section). Returns 0 or -1.
 */
int harness_relay_rewrite(struct harness_relay *r, const char *ben,
			  const char *parties_text)
	__attribute__((warn_unused_result));

/*
 * Start $RET_RELAY_BIN --config <config> and wait (timeout_ms, scaled) for
 * its "ready=1" log line. Returns 0, or -1 (the process is stopped).
 */
int harness_relay_start(struct harness_relay *r, int timeout_ms)
	__attribute__((warn_unused_result));

/* ---- envelopes ---- */

struct harness_env {
	int kind;                 /* Retfed__V1__Kind */
	const char *sender;       /* NULL: the key's party */
	const char *recipient;    /* NULL: none */
	uint64_t seq;
	const uint8_t *request_id;   /* decisions and peer reviews */
	const uint8_t *sign_sk;      /* NULL: the key's own secret */
	const uint8_t *key_id_pk;    /* NULL: the key's own public key */
	const char *case_ref;        /* NULL: "t:0123...cdef" (escalation,
				      * procesversneller, decision) */
};

/*
 * Build and sign a valid envelope (payload filled with neutral test
 * values) as described by e with key k. The message id is written to
 * msgid. *ret_buf is malloc'ed. Returns 0 or -1.
 */
int harness_seal(const struct keyfile *k, const struct harness_env *e,
		 uint8_t msgid[16], uint8_t **ret_buf, size_t *ret_len)
	__attribute__((warn_unused_result));

/* ---- a CURVE client ---- */

struct harness_client;

/*
 * Connect a DEALER socket to endpoint as a CURVE client with k's transport
 * keys, trusting server_key (Z85). Returns NULL on failure.
 */
struct harness_client *harness_client_new(const char *endpoint,
					  const char *server_key,
					  const struct keyfile *k);

/* Close the socket and context; NULL-safe, nulls *cp. */
void harness_client_destroy(struct harness_client **cp);

/* The client's ZeroMQ socket (borrowed), e.g. for a zmq_poll over many
 * clients; read it only through harness_client_recv(). */
void *harness_client_socket(struct harness_client *c);

/* Send one message (raw bytes). Returns 0 or -1. */
int harness_client_send_raw(struct harness_client *c, const void *buf,
			    size_t len) __attribute__((warn_unused_result));

/* Send a Submit frame carrying env. Returns 0 or -1. */
int harness_client_submit(struct harness_client *c, const uint8_t *env,
			  size_t len) __attribute__((warn_unused_result));

/* Send Confirm(cursor), Resume(after) or SeqQuery. Return 0 or -1. */
int harness_client_confirm(struct harness_client *c, uint64_t cursor)
	__attribute__((warn_unused_result));
int harness_client_resume(struct harness_client *c, uint64_t after)
	__attribute__((warn_unused_result));
int harness_client_seq_query(struct harness_client *c)
	__attribute__((warn_unused_result));

/* A set of RelayFrame cases for harness_client_recv(). */
#define HARNESS_WANT(frame_case) (1u << (unsigned)(frame_case))
#define HARNESS_WANT_ACK HARNESS_WANT(RETFED__V1__RELAY_FRAME__FRAME_ACK)
#define HARNESS_WANT_NACK HARNESS_WANT(RETFED__V1__RELAY_FRAME__FRAME_NACK)
#define HARNESS_WANT_REPLY (HARNESS_WANT_ACK | HARNESS_WANT_NACK)
#define HARNESS_WANT_DELIVERY                                                 \
	HARNESS_WANT(RETFED__V1__RELAY_FRAME__FRAME_DELIVERY)
#define HARNESS_WANT_RECEIPT HARNESS_WANT(RETFED__V1__RELAY_FRAME__FRAME_RECEIPT)
#define HARNESS_WANT_SEQ HARNESS_WANT(RETFED__V1__RELAY_FRAME__FRAME_SEQ_REPLY)

/*
 * Wait up to timeout_ms (times harness_slowness()) for the next
 * RelayFrame whose case is in the set `want` (HARNESS_WANT_*; 0: any).
 * Frames of other cases are kept, in order, for later calls. Returns the
 * decoded frame (free with relay_frame_destroy) or NULL on timeout or
 * undecodable input.
 */
struct relay_frame *harness_client_recv(struct harness_client *c,
					unsigned want, int timeout_ms);

/* ---- short-lived programs and logs ---- */

/*
 * Run argv[0] (a path) with argv to completion, stdout truncated into
 * out_path and stderr appended to err_path (either may be NULL: discarded).
 * Waits at most timeout_ms (times harness_slowness()), then kills it by
 * PID. Returns the exit status (0..255), or -1 when it could not start,
 * was killed by a signal or timed out. Never runs under valgrind.
 */
int harness_run(const char *const argv[], const char *out_path,
		const char *err_path, int timeout_ms);

/* How many times needle occurs in the file at path (0 if unreadable). */
int harness_file_count(const char *path, const char *needle);

#endif
