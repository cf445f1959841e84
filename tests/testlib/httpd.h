/* httpd: a tiny static file server for tests, on 127.0.0.1 with a free port, in a thread.
 * GET /path serves <dir>/path (Content-Type from the extension); anything else is 404. It
 * keeps the head of every request it received (what a browser sent it: cookies included). */
#ifndef OO_TEST_HTTPD_H
#define OO_TEST_HTTPD_H
typedef struct tl_httpd tl_httpd;
tl_httpd *tl_httpd_start(const char *dir);
int tl_httpd_port(const tl_httpd *h);
void tl_httpd_stop(tl_httpd *h);
/* Every request head received so far, in order; the caller frees it. */
char *tl_httpd_received(tl_httpd *h);
#endif
