/*
 * fault_proxy: a small TCP proxy on 127.0.0.1 for fault injection.
 *
 * It listens on a port picked at run time and relays bytes, both ways,
 * between every accepted connection and a fresh connection to the target
 * port, in one thread with a poll loop. Commands, usable from any thread:
 * cut (close every connection now; new ones are accepted), stall (stop
 * reading: bytes wait in the kernel buffers) and delay (sleep before
 * forwarding every chunk). Every wait inside is bounded; the thread stops
 * within about 50 ms of fault_proxy_destroy().
 */
#ifndef RET_FAULT_PROXY_H
#define RET_FAULT_PROXY_H

#include <stdint.h>

struct fault_proxy;

/*
 * Start a proxy to 127.0.0.1:target_port. Returns NULL when no socket or
 * thread could be made.
 */
struct fault_proxy *fault_proxy_new(int target_port);

/* Stop the thread, close every socket, free; NULL-safe, nulls *pp. */
void fault_proxy_destroy(struct fault_proxy **pp);

/* The port the proxy listens on. */
int fault_proxy_port(const struct fault_proxy *p);

/* Close every open connection (both sides) at the next turn. */
void fault_proxy_cut(struct fault_proxy *p);

/* 1: stop moving bytes (connections stay open); 0: move them again. */
void fault_proxy_stall(struct fault_proxy *p, int on);

/* Sleep ms (0..1000) before forwarding each chunk; 0: no delay. */
void fault_proxy_delay(struct fault_proxy *p, int ms);

/* Connections accepted and bytes moved so far. */
uint64_t fault_proxy_accepted(const struct fault_proxy *p);
uint64_t fault_proxy_bytes(const struct fault_proxy *p);

#endif
