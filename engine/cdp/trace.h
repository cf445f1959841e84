/* trace: what -vvv shows of the CDP traffic (cdp/ only). A message is logged with what a fill
 * types left out (the value of a fill, Input.insertText, the text of a key event: the field
 * may be a password, which is known only later, in the page), and with the page's request
 * bodies and its cookie and authorization headers left out; the logger masks every registered
 * secret on top. Incoming messages are cut to a few hundred bytes, after masking. Nothing is
 * kept: each call parses, redacts, logs and frees. */
#ifndef OO_CDP_TRACE_H
#define OO_CDP_TRACE_H
#include <cjson/cJSON.h>
#include <stddef.h>

/* A message sent to Chromium (its JSON text). */
void cdp_trace_sent(const char *text);
/* A message received (parsed). */
void cdp_trace_received(const cJSON *msg);
/* The redacted JSON text of a message; caller frees (what the two above log). */
char *cdp_trace_redact(const cJSON *msg);
#endif
