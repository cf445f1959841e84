/* ws: the live event stream. GET /ws upgrades to a WebSocket; the server then sends
 *   {"type":"hello","last_event_id":N}
 *   {"type":"event","id":..,"run_id":..,"kind":"task_completed","payload":{..},"created_at":".."}
 * A timer tails the events table (every poll_ms) through the web thread's store connection, so
 * events appended by any process reach every client. A client that connects with ?after=ID is
 * first sent the events after ID it missed (catch-up from the store); with too many missed it
 * gets {"type":"reset"} and reloads over REST; so does a client ahead of the store (it knew a
 * replaced or smaller database).
 * Streams are capped (in all and per client address) so that plain requests always find a
 * connection; a client silent for ws_ping_ms is pinged and closed when it does not answer.
 * Each client struct is owned by the server's list
 * and freed when its connection closes. */
#include "web/internal.h"
#include "base/buf.h"
#include "base/util.h"
#include "base/log.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>

#define WS_CATCHUP_MAX 5000      /* more missed events than this: the client reloads */
#define WS_BACKLOG_MAX 20000     /* messages queued for a client that does not read */
static const char RESET[] = "{\"type\":\"reset\"}";

static void client_unlink(web_ws *c)
{
    web_server *w = c->w;
    if (c->prev) c->prev->next = c->next;
    else w->clients = c->next;
    if (c->next) c->next->prev = c->prev;
    w->nclients--;
    free(c);
}

static void on_ws_msg(h2o_websocket_conn_t *conn, const struct wslay_event_on_msg_recv_arg *arg)
{
    web_ws *c = conn->data;
    if (!arg) {                      /* closed (by the peer, an error, or us) */
        client_unlink(c);
        h2o_websocket_close(conn);
        return;
    }
    /* the stream is one-way; wslay answers pings and close frames itself. Anything heard,
     * a pong above all, shows the client is there. */
    c->heard_ms = oo_now_ms();
    c->pinged_ms = 0;
}

static void queue_text(web_ws *c, const char *txt, size_t len)
{
    struct wslay_event_msg m = {.opcode = WSLAY_TEXT_FRAME, .msg = (const uint8_t *)txt, .msg_length = len};
    wslay_event_queue_msg(c->conn->ws_ctx, &m);   /* wslay copies the message */
}

/* Sends what is queued. May close (and free) the client: do not touch c afterwards. */
static void flush(web_ws *c)
{
    if (!c->conn->sock) return;      /* the upgrade completes first; it sends the queue then */
    if (wslay_event_get_queued_msg_count(c->conn->ws_ctx) > WS_BACKLOG_MAX) {
        OO_WARN("web", "a WebSocket client does not read its events; closing it");
        h2o_websocket_conn_t *conn = c->conn;
        client_unlink(c);
        h2o_websocket_close(conn);
        return;
    }
    h2o_websocket_proceed(c->conn);
}

static char *event_text(cJSON *ev)
{
    cJSON_AddStringToObject(ev, "type", "event");
    return cJSON_PrintUnformatted(ev);
}

/* Queues to c the events after c->sent_upto up to the broadcast tail. */
static void catch_up(web_server *w, web_ws *c)
{
    int sent = 0;
    oo_err err = {0};
    while (c->sent_upto < w->last_event_id) {
        cJSON *evs = store_events_after(w->store, c->sent_upto, 500, &err);
        if (!evs) {
            OO_WARN("web", "catch-up: %s", err.msg);
            break;
        }
        int n = cJSON_GetArraySize(evs);
        cJSON *ev;
        cJSON_ArrayForEach(ev, evs) {
            int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(ev, "id"));
            if (id > w->last_event_id) break;
            char *txt = event_text(ev);
            if (txt) queue_text(c, txt, strlen(txt));
            free(txt);
            c->sent_upto = id;
            sent++;
        }
        cJSON_Delete(evs);
        if (n < 500) break;
        if (sent > WS_CATCHUP_MAX) {
            queue_text(c, RESET, sizeof RESET - 1);
            c->sent_upto = w->last_event_id;
            break;
        }
    }
    if (c->sent_upto < w->last_event_id) c->sent_upto = w->last_event_id;
}

/* Whether one more live stream is allowed for a client at addr; answers 503 when not. */
static int room_for(web_server *w, h2o_req_t *req, const char *addr)
{
    int same = 0;
    for (web_ws *c = w->clients; c; c = c->next) same += !strcmp(c->addr, addr);
    if (w->nclients < WEB_MAX_WS && same < WEB_MAX_WS_PER_ADDR) return 1;
    web_add_header(req, "retry-after", "5");
    web_send_error(req, 503, "too many live streams are open (%d at most, %d from one address): "
                             "close a dashboard tab; the REST API still answers", WEB_MAX_WS, WEB_MAX_WS_PER_ADDR);
    return 0;
}

static int offers_dashboard(const char *item, size_t len, void *ud)
{
    (void)ud;
    return len == sizeof WEB_WS_PROTOCOL - 1 && !memcmp(item, WEB_WS_PROTOCOL, len);
}

int web_ws_accept(web_server *w, h2o_req_t *req)
{
    const char *key = NULL;
    if (!web_method_is(req, "GET")) return web_send_405(req, "GET");
    if (h2o_is_websocket_handshake(req, &key) != 0 || !key || req->version >= 0x200)
        return web_send_error(req, 400, "/ws is a WebSocket: connect with GET and Upgrade: websocket");
    int64_t after = w->last_event_id;
    const char *q = web_query(req, "after");
    if (q) {
        if (strcmp(q, "0") == 0) after = 0;
        else if (!(after = web_parse_id(q))) return web_send_error(req, 400, "after must be an event id (a whole number)");
    }
    struct sockaddr_storage ss;
    char addr[64];
    web_peer_addr((struct sockaddr *)&ss, req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss), addr, sizeof addr);
    if (!room_for(w, req, addr)) return 0;
    /* a client ahead of the store (it knew a replaced or smaller database) would wait for ids
     * that may never come: it starts over from what the store holds */
    oo_err err = {0};
    int64_t last = store_events_last_id(w->store, &err);
    int ahead = last >= 0 && after > last;
    if (ahead) after = last;
    web_ws *c = oo_calloc(1, sizeof *c);
    c->w = w;
    c->sent_upto = after;
    c->heard_ms = oo_now_ms();
    snprintf(c->addr, sizeof c->addr, "%s", addr);
    c->next = w->clients;
    if (w->clients) w->clients->prev = c;
    w->clients = c;
    w->nclients++;
    /* a browser that offered protocols closes a stream whose answer names none of them */
    if (web_header_items(req, "sec-websocket-protocol", offers_dashboard, NULL))
        web_add_header(req, "sec-websocket-protocol", WEB_WS_PROTOCOL);
    c->conn = h2o_upgrade_to_websocket(req, key, c, on_ws_msg);
    /* clients only ever send control frames: a big message is refused, not buffered */
    wslay_event_config_set_max_recv_msg_length(c->conn->ws_ctx, 4096);
    char hello[96];
    snprintf(hello, sizeof hello, "{\"type\":\"hello\",\"last_event_id\":%lld}", (long long)w->last_event_id);
    queue_text(c, hello, strlen(hello));
    if (ahead) queue_text(c, RESET, sizeof RESET - 1);
    if (after < w->last_event_id) catch_up(w, c);
    return 0;
}

/* Sends every new event of the store to every client. */
static void broadcast(web_server *w)
{
    oo_err err = {0};
    for (;;) {
        cJSON *evs = store_events_after(w->store, w->last_event_id, 500, &err);
        if (!evs) {
            OO_WARN("web", "events tail: %s", err.msg);
            return;
        }
        int n = cJSON_GetArraySize(evs);
        cJSON *ev;
        cJSON_ArrayForEach(ev, evs) {
            int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(ev, "id"));
            char *txt = event_text(ev);
            for (web_ws *c = w->clients; c && txt; c = c->next) {
                if (id <= c->sent_upto) continue;
                queue_text(c, txt, strlen(txt));
                c->sent_upto = id;
            }
            free(txt);
            w->last_event_id = id;
        }
        cJSON_Delete(evs);
        if (n < 500) break;
    }
    for (web_ws *c = w->clients, *next; c; c = next) {
        next = c->next;
        flush(c);                    /* may free c */
    }
}

/* This dashboard still serves: its record in the store says so every 5 s. */
static void renew_record(web_server *w)
{
    int64_t now = oo_now_ms();
    if (now - w->record_seen_ms < 5000) return;
    w->record_seen_ms = now;
    oo_err err = {0};
    if (store_dashboard_seen(w->store, w->record_id, &err) != 0) OO_WARN("web", "%s", err.msg);
}

/* Pings every client silent for ws_ping_ms; closes those still silent as long after the ping
 * (a dead peer, a suspended laptop, a socket held open and never read). */
static void keepalive(web_server *w)
{
    int64_t now = oo_now_ms();
    for (web_ws *c = w->clients, *next; c; c = next) {
        next = c->next;
        if (!c->conn->sock) continue;                     /* still upgrading */
        if (c->pinged_ms && now - c->pinged_ms >= w->ws_ping_ms) {
            h2o_websocket_conn_t *conn = c->conn;
            client_unlink(c);
            h2o_websocket_close(conn);
        } else if (!c->pinged_ms && now - c->heard_ms >= w->ws_ping_ms) {
            struct wslay_event_msg m = {.opcode = WSLAY_PING, .msg = (const uint8_t *)"oo", .msg_length = 2};
            wslay_event_queue_msg(c->conn->ws_ctx, &m);
            c->pinged_ms = now;
            flush(c);                                     /* may free c */
        }
    }
}

static void on_tail(h2o_timeout_entry_t *entry)
{
    web_server *w = H2O_STRUCT_FROM_MEMBER(web_server, tail_entry, entry);
    renew_record(w);
    if (w->nclients > 0) {
        broadcast(w);
        keepalive(w);
    } else {
        oo_err err = {0};
        int64_t last = store_events_last_id(w->store, &err);
        if (last >= 0) w->last_event_id = last;
    }
    h2o_timeout_link(w->loop, &w->tail_timeout, &w->tail_entry);
}

void web_ws_start_tail(web_server *w)
{
    h2o_timeout_init(w->loop, &w->tail_timeout, (uint64_t)w->poll_ms);
    w->tail_entry.cb = on_tail;
    h2o_timeout_link(w->loop, &w->tail_timeout, &w->tail_entry);
}

void web_ws_stop(web_server *w)
{
    if (h2o_timeout_is_linked(&w->tail_entry)) h2o_timeout_unlink(&w->tail_entry);
    h2o_timeout_dispose(w->loop, &w->tail_timeout);
    for (web_ws *c = w->clients, *next; c; c = next) {
        next = c->next;
        /* a client still upgrading is closed by its socket's shutdown (on_ws_msg with NULL) */
        if (!c->conn->sock) continue;
        h2o_websocket_conn_t *conn = c->conn;
        client_unlink(c);
        h2o_websocket_close(conn);
    }
}
