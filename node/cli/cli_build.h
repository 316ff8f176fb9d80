/*
 * cli_build: what the sending commands of the `ret` CLI share (ret
 * opschaling, ret procesversneller, ret peer-review): texts given inline
 * or read from a file, a refusal of the privacy guard told as "rewrite
 * this part of this option", the --preview that prints exactly what would
 * leave and queues nothing, and the queueing that prints the message id.
 */
#ifndef RET_CLI_BUILD_H
#define RET_CLI_BUILD_H

#include "cli.h"
#include "node_build.h"

/*
 * The text of option `flag` (inline `text`) or of `flag`-bestand (`file`):
 * exactly one may be given; `required` says whether one must. *ret is a
 * malloc'ed copy (NULL when absent and not required). Returns 0, or an
 * exit code after printing what is wrong (64 usage, 66 unreadable file,
 * 65 not UTF-8 text or too long).
 */
int cli_build_text(const char *cmd, const char *flag, const char *text,
                   const char *file, int required, char **ret)
    __attribute__((warn_unused_result));

/*
 * Open the context for a sending command (database, keys, region only) and
 * make sure the sent-request table exists. Fills bctx from ctx. Returns 0
 * or an exit code.
 */
int cli_build_open(struct cli_ctx *ctx, struct node_build_ctx *bctx)
    __attribute__((warn_unused_result));

/*
 * Tell the user why a builder refused: for a text, which option to rewrite,
 * where (byte offset) and what it looks like there; never the datum
 * itself. Returns the exit code (65 for a refusal, else by status).
 */
int cli_build_refused(const struct node_build_error *e);

/*
 * With preview: print exactly what would leave (text, or --json) and queue
 * nothing. Without: queue the draft, record it in the casus and print the
 * message id. Returns the exit code.
 */
int cli_build_deliver(struct cli_ctx *ctx, const struct node_build_ctx *bctx,
                      const struct node_build_draft *d, bool preview);

/* The sending commands (listed in cli_main.c's table). */
int cli_opschaling(int argc, char **argv);
int cli_procesversneller(int argc, char **argv);
int cli_peerreview(int argc, char **argv);

#endif
