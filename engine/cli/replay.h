/* replay: the `oo-automator replay` command (argv[0] is "replay"); exit 0 when every step
 * passed, 1 when one failed, 2 for usage errors and malformed recordings. */
#ifndef OO_CLI_REPLAY_H
#define OO_CLI_REPLAY_H
int cli_cmd_replay(int argc, char **argv);
#endif
