/*
 * relay_metrics: the running relay's counters in the Prometheus text
 * format (version 0.0.4), written to a file for node_exporter's textfile
 * collector (metrics_file) and/or served on 127.0.0.1 (metrics_listen) by
 * a libmicrohttpd thread at /metrics.
 *
 * The event loop counts (accepted, refused per reason, acks, commit and
 * verify times) and calls relay_metrics_publish() now and then; that
 * renders the text once, with the backlog from the store, writes the file
 * atomically (temporary file, rename) and hands the HTTP thread a copy
 * under a mutex. Nothing in the metrics names a message or its content;
 * party ids are labels (they are organisations, not persons).
 */
#ifndef RET_RELAY_METRICS_H
#define RET_RELAY_METRICS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct relay_metrics;

/*
 * Start the metrics: textfile may be NULL or "" (no file), port 0 means
 * no HTTP endpoint. Returns NULL with a sentence in errbuf when the port
 * cannot be bound.
 */
struct relay_metrics *relay_metrics_new(const char *textfile, uint16_t port,
                                        char *errbuf, size_t errlen);

/* Stop the HTTP thread and free; NULL-safe, nulls *mp. */
void relay_metrics_destroy(struct relay_metrics **mp);

/* An envelope was stored and acked (duplicate: acked again). */
void relay_metrics_acked(struct relay_metrics *m, int duplicate);

/* A frame was refused with this wire reason (its name from
 * wire_reason_name). */
void relay_metrics_refused(struct relay_metrics *m, int reason);

/* One batch transaction committed (or failed) after usec microseconds. */
void relay_metrics_commit(struct relay_metrics *m, uint64_t usec, int ok);

/* n frames were decoded and verified in usec microseconds. */
void relay_metrics_verify(struct relay_metrics *m, uint64_t usec, size_t n);

/* Retention purged n envelopes; `unconfirmed`: before every recipient
 * confirmed them (the maximum age had passed). */
void relay_metrics_purged(struct relay_metrics *m, uint64_t n, int unconfirmed);

/*
 * Render the metrics, with backlog and store size read through db, and
 * publish them (file and HTTP). Returns 0, or -1 with a sentence in
 * errbuf (the previous text stays served).
 */
int relay_metrics_publish(struct relay_metrics *m, sqlite3 *db, char *errbuf,
                          size_t errlen) __attribute__((warn_unused_result));

#endif
