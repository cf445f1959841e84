/* cli: the command line. oo_cli_main parses global options and dispatches to one command. */
#ifndef OO_CLI_H
#define OO_CLI_H
int oo_cli_main(int argc, char **argv);
#endif
