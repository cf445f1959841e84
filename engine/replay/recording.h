/* recording: a Chrome DevTools Recorder export, parsed and validated into steps. A malformed
 * recording gets one error naming the JSON path, what was expected and what was found
 * ("flow.json: steps[3].selectors[0]: expected a string or an array of strings, found number
 * 5"); no input crashes the parser. The recording owns everything in it. */
#ifndef OO_REPLAY_RECORDING_H
#define OO_REPLAY_RECORDING_H
#include <cjson/cJSON.h>
#include "base/err.h"

typedef enum {
    REC_SET_VIEWPORT, REC_NAVIGATE, REC_CLICK, REC_DOUBLE_CLICK, REC_HOVER, REC_CHANGE, REC_KEY_DOWN,
    REC_KEY_UP, REC_SCROLL, REC_WAIT_ELEMENT, REC_WAIT_EXPRESSION, REC_CLOSE, REC_EMULATE_NETWORK, REC_CUSTOM,
} rec_type;

typedef struct rec_step {
    rec_type type;
    const char *type_name;      /* as in the file: "click" */
    int index;
    char *target;               /* "main" or a page URL */
    cJSON *selectors;           /* normalised: an array of arrays of strings; NULL when none */
    cJSON *frame;               /* an array of frame indices, or NULL */
    int timeout;                /* ms; 0 = the recording's or the default */
    char *value, *url, *key, *expression, *name, *button;
    int has_offset;
    double offset_x, offset_y, x, y;
    int width, height, is_mobile;
    double scale;
    int count;                  /* waitForElement: -1 when not given */
    char *op;                   /* waitForElement operator: ">=", "==", "<=" */
    int visible;                /* waitForElement: -1 not given, 0 false, 1 true */
    cJSON *attributes, *properties;
    int offline;
    double latency, download, upload;
    int asserts_navigation;
    char *assert_url, *assert_title;
    cJSON *parameters;          /* customStep */
} rec_step;

typedef struct recording {
    char *file;
    char *title;
    int timeout;                /* ms, 0 = not given */
    int nsteps;
    rec_step *steps;
} recording;

recording *recording_parse(const char *json, size_t len, const char *file, oo_err *err);
recording *recording_load(const char *path, oo_err *err);
void recording_free(recording *r);
/* The step's target for page.js: {"selectors": [...], "frame": [...]}; caller frees. */
cJSON *recording_step_target(const rec_step *s);
/* Fills {{NAME}} from vars (a JSON object of strings, may be NULL), then the environment.
 * An unknown NAME is an error naming it. Caller frees the result. */
char *recording_expand(const char *text, const cJSON *vars, const char *where, oo_err *err);
#endif
