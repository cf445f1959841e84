/* The recording parser, one step at a time: each member a step may carry (frame, assertedEvents,
 * the pointer's offset and button, waitForElement's count/operator/visible/attributes/properties,
 * the network conditions, a custom step's parameters) is read into rec_step as given, or named
 * in one error with its JSON path, what was expected and what was found. Each case is a one-step
 * recording; the expectations were written from the Recorder's schema, not from the parser. */
#include "testlib.h"
#include "replay/recording.h"
#include "base/buf.h"
#include <stdlib.h>

/* Parses {"title":"t","steps":[STEP]}; *err gets the message on failure. */
static recording *parse_step_json(const char *step, oo_err *err)
{
    char *json = oo_asprintf("{\"title\":\"t\",\"steps\":[%s]}", step);
    recording *r = recording_parse(json, strlen(json), "case.json", err);
    free(json);
    return r;
}

static const struct { const char *name, *step, *error; } bad_steps[] = {
    {"frame not an array", "{\"type\":\"click\",\"selectors\":[\"#a\"],\"frame\":1}",
     "case.json: steps[0].frame: expected an array of frame indices, found number 1"},
    {"negative frame", "{\"type\":\"click\",\"selectors\":[\"#a\"],\"frame\":[0,-1]}",
     "case.json: steps[0].frame: expected frame indices >= 0, found number -1"},
    {"asserted events not an array", "{\"type\":\"click\",\"selectors\":[\"#a\"],\"assertedEvents\":\"x\"}",
     "case.json: steps[0].assertedEvents: expected an array of events, found string \"x\""},
    {"asserted event not navigation", "{\"type\":\"click\",\"selectors\":[\"#a\"],\"assertedEvents\":[{\"type\":\"x\"}]}",
     "case.json: steps[0].assertedEvents[0]: expected {\"type\": \"navigation\", ...}, found an object"},
    {"unknown button", "{\"type\":\"click\",\"selectors\":[\"#a\"],\"button\":\"middle\"}",
     "case.json: steps[0]: expected button primary, auxiliary, secondary, back or forward, found string \"middle\""},
    {"offset half given", "{\"type\":\"click\",\"selectors\":[\"#a\"],\"offsetX\":3}",
     "case.json: steps[0].offsetY: expected a number, found nothing"},
    {"attributes not an object", "{\"type\":\"waitForElement\",\"selectors\":[\"#a\"],\"attributes\":[]}",
     "case.json: steps[0].attributes: expected an object, found an array"},
    {"properties not an object", "{\"type\":\"waitForElement\",\"selectors\":[\"#a\"],\"properties\":2}",
     "case.json: steps[0].properties: expected an object, found number 2"},
    {"visible not a boolean", "{\"type\":\"waitForElement\",\"selectors\":[\"#a\"],\"visible\":1}",
     "case.json: steps[0].visible: expected true or false, found number 1"},
    {"negative timeout", "{\"type\":\"navigate\",\"url\":\"u\",\"timeout\":-5}",
     "case.json: steps[0]: expected a timeout >= 0, found number -5"},
    {"type missing", "{\"url\":\"u\"}", "case.json: steps[0].type: expected a step type such as \"click\", found nothing"},
    {"custom step without a name", "{\"type\":\"customStep\"}", "case.json: steps[0].name: expected a string, found nothing"},
    {"step not an object", "[]", "case.json: steps[0]: expected an object, found an array"},
};

static void test_bad_steps(void)
{
    for (size_t i = 0; i < sizeof bad_steps / sizeof bad_steps[0]; i++) {
        oo_err err = {0};
        recording *r = parse_step_json(bad_steps[i].step, &err);
        CHECK_MSG(r == NULL, "%s: parsed", bad_steps[i].name);
        CHECK_MSG(!strcmp(err.msg, bad_steps[i].error), "%s: got \"%s\"", bad_steps[i].name, err.msg);
        CHECK_MSG(err.code == OO_E_INPUT, "%s: code %d", bad_steps[i].name, err.code);
        recording_free(r);
    }
}

static rec_step *one(recording **r, const char *step)
{
    oo_err err = {0};
    *r = parse_step_json(step, &err);
    CHECK_MSG(*r != NULL, "%s: %s", step, err.msg);
    if (!*r) exit(tl_finish());
    CHECK_INT((*r)->nsteps, 1);
    return &(*r)->steps[0];
}

static void test_pointer_and_frame(void)
{
    recording *r;
    rec_step *s = one(&r, "{\"type\":\"doubleClick\",\"selectors\":[[\"#f\",\"b\"]],\"frame\":[0,2],"
                          "\"offsetX\":3.5,\"offsetY\":4,\"button\":\"secondary\","
                          "\"assertedEvents\":[{\"type\":\"navigation\",\"url\":\"u1\"},{\"type\":\"navigation\",\"url\":\"u2\",\"title\":\"T\"}]}");
    CHECK(s->type == REC_DOUBLE_CLICK);
    CHECK_STR(s->type_name, "doubleClick");
    CHECK_INT(cJSON_GetArraySize(s->frame), 2);
    CHECK_INT(cJSON_GetArrayItem(s->frame, 1)->valueint, 2);
    CHECK_INT(s->has_offset, 1);
    CHECK(s->offset_x == 3.5 && s->offset_y == 4);
    CHECK_STR(s->button, "secondary");
    CHECK_INT(s->asserts_navigation, 1);
    CHECK_STR(s->assert_url, "u2");           /* the last event wins */
    CHECK_STR(s->assert_title, "T");
    CHECK_STR(cJSON_GetArrayItem(cJSON_GetArrayItem(s->selectors, 0), 1)->valuestring, "b");
    recording_free(r);
}

static void test_wait_element(void)
{
    recording *r;
    rec_step *s = one(&r, "{\"type\":\"waitForElement\",\"selectors\":[\"#a\"]}");
    CHECK_INT(s->count, -1);                  /* not given */
    CHECK_INT(s->visible, -1);
    CHECK(s->op == NULL && s->attributes == NULL && s->properties == NULL);
    recording_free(r);
    s = one(&r, "{\"type\":\"waitForElement\",\"selectors\":[\"#a\"],\"count\":2,\"operator\":\"<=\",\"visible\":false,"
                "\"attributes\":{\"k\":\"v\"},\"properties\":{\"p\":1}}");
    CHECK_INT(s->count, 2);
    CHECK_STR(s->op, "<=");
    CHECK_INT(s->visible, 0);
    CHECK_STR(cJSON_GetObjectItem(s->attributes, "k")->valuestring, "v");
    CHECK_INT(cJSON_GetObjectItem(s->properties, "p")->valueint, 1);
    recording_free(r);
}

static void test_viewport_network_custom(void)
{
    recording *r;
    rec_step *s = one(&r, "{\"type\":\"setViewport\",\"width\":800,\"height\":600}");
    CHECK(s->width == 800 && s->height == 600 && s->scale == 1 && s->is_mobile == 0);  /* defaults */
    recording_free(r);
    s = one(&r, "{\"type\":\"emulateNetworkConditions\",\"latency\":40}");
    CHECK(s->offline == 0 && s->latency == 40 && s->download == -1 && s->upload == -1);
    recording_free(r);
    s = one(&r, "{\"type\":\"customStep\",\"name\":\"n\",\"parameters\":{\"a\":[1]}}");
    CHECK_STR(s->name, "n");
    CHECK(cJSON_IsArray(cJSON_GetObjectItem(s->parameters, "a")));
    recording_free(r);
    s = one(&r, "{\"type\":\"scroll\",\"x\":5}");
    CHECK(s->selectors == NULL && s->x == 5 && s->y == 0);
    recording_free(r);
}

int main(void)
{
    test_bad_steps();
    test_pointer_and_frame();
    test_wait_element();
    test_viewport_network_custom();
    return tl_finish();
}
