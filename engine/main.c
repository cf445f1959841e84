/* oo-automator's entry point: hands the command line to cli/ — nothing else. */
#include "cli/cli.h"

int main(int argc, char **argv) { return oo_cli_main(argc, argv); }
