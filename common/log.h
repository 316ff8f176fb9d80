/*
 * log: one line per event on stderr, in a form journald and grep both
 * understand: a "<N>" syslog priority prefix (journald strips it and keeps
 * the priority), then the program name, then an English message made of
 * key=value fields. Only program code logs; library modules return errors.
 * Never pass personal data to these functions.
 */
#ifndef RET_LOG_H
#define RET_LOG_H

enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_NOTICE = 5,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

/* Set the program name shown on every line and the most verbose level. */
void log_init(const char *progname, enum log_level max_level);

/*
 * Put an ISO 8601 UTC timestamp with milliseconds after the priority
 * prefix of every line ("<6>2026-12-04T21:14:06.123Z ret-relay: ...") when
 * on is non-zero and stderr is not journald's stream (JOURNAL_STREAM unset
 * or naming another file): journald stamps lines itself. Returns whether
 * timestamps are now written.
 */
int log_set_timestamps(int on);

/* Parse "err", "warning", "notice", "info" or "debug". Returns 0 or -1. */
int log_level_parse(const char *s, enum log_level *ret)
	__attribute__((warn_unused_result));

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
