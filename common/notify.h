/*
 * notify: the systemd readiness protocol ($NOTIFY_SOCKET), implemented with
 * one datagram per state change so that no libsystemd is needed. Without
 * $NOTIFY_SOCKET every call does nothing.
 */
#ifndef RET_NOTIFY_H
#define RET_NOTIFY_H

#include <stdint.h>

/* Send a state string such as "READY=1" or "STOPPING=1". Returns 0 or -1. */
int notify_send(const char *state);

/*
 * The watchdog interval in microseconds from $WATCHDOG_USEC (0 if none or
 * if $WATCHDOG_PID names another process).
 */
uint64_t notify_watchdog_usec(void);

#endif
