/* completion: shell completion for bash, zsh and fish (see completion.c). */
#ifndef OO_CLI_COMPLETION_H
#define OO_CLI_COMPLETION_H
/* The completion script for "bash", "zsh" or "fish" (static text), NULL for another shell. */
const char *cli_completion_script(const char *shell);
#endif
