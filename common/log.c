/* log: journald-friendly stderr logging. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "ret";
static enum log_level log_max = LOG_LEVEL_INFO;
static int log_stamp;

void
log_init(const char *progname, enum log_level max_level)
{
	log_prog = progname;
	log_max = max_level;
}

/* Whether stderr is the stream JOURNAL_STREAM ("DEV:INODE") names. */
static int
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev = 0, ino = 0;
	struct stat sb;

	if (js == NULL || js[0] == '\0')
		return 0;
	if (sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &sb) != 0)
		return 0;
	return (unsigned long long)sb.st_dev == dev &&
	       (unsigned long long)sb.st_ino == ino;
}

int
log_set_timestamps(int on)
{
	log_stamp = on && !stderr_is_journal();
	return log_stamp;
}

int
log_level_parse(const char *s, enum log_level *ret)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
		{"err", LOG_LEVEL_ERR},       {"warning", LOG_LEVEL_WARNING},
		{"notice", LOG_LEVEL_NOTICE}, {"info", LOG_LEVEL_INFO},
		{"debug", LOG_LEVEL_DEBUG},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*ret = names[i].level;
			return 0;
		}
	return -1;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	size_t i;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One event, one line: never let a value break the line. */
	for (i = 0; line[i] != '\0'; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	if (log_stamp) {
		struct timespec ts;
		struct tm tm;
		char stamp[40] = "";

		clock_gettime(CLOCK_REALTIME, &ts);
		if (gmtime_r(&ts.tv_sec, &tm) != NULL)
			snprintf(stamp, sizeof(stamp),
				 "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ ",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				 tm.tm_hour, tm.tm_min, tm.tm_sec,
				 ts.tv_nsec / 1000000L);
		fprintf(stderr, "<%d>%s%s: %s\n", (int)level, stamp,
			log_prog, line);
		return;
	}
	fprintf(stderr, "<%d>%s: %s\n", (int)level, log_prog, line);
}
