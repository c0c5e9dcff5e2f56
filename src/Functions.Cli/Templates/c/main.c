/* {{name}}: a WAGI function in C.
 *
 *   curl 'http://127.0.0.1:8080/{{name}}?name=Ada'   ->  Hello, Ada!
 *   curl -d 'Grace' http://127.0.0.1:8080/{{name}}   ->  Hello, Grace!
 *
 * The request arrives as environment variables (REQUEST_METHOD, QUERY_STRING, X_REQUEST_ID, HTTP_* headers, ...)
 * and the body on stdin. The response goes to stdout: header lines, a blank line, the body. Lines written to stderr
 * are the function's log (functions logs {{name}}). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env(const char *name) {
    const char *value = getenv(name);
    return value ? value : "";
}

/* Copies the value of `key` in a query string (a=1&b=2), percent-decoded, into out; 0 when absent. */
static int query_value(const char *query, const char *key, char *out, size_t size) {
    size_t key_length = strlen(key);
    for (const char *p = query; *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : p + strlen(p)) {
        if (strncmp(p, key, key_length) != 0 || p[key_length] != '=') continue;
        size_t n = 0;
        for (const char *v = p + key_length + 1; *v && *v != '&' && n + 1 < size; v++) {
            unsigned hex;
            if (*v == '+') out[n++] = ' ';
            else if (*v == '%' && sscanf(v + 1, "%2x", &hex) == 1) { out[n++] = (char)hex; v += 2; }
            else out[n++] = *v;
        }
        out[n] = '\0';
        return 1;
    }
    return 0;
}

int main(void) {
    char name[256] = "world";
    char body[256];
    size_t length = fread(body, 1, sizeof body - 1, stdin);
    while (length > 0 && (body[length - 1] == '\n' || body[length - 1] == '\r')) length--;
    body[length] = '\0';
    if (length > 0) strcpy(name, body);
    else query_value(env("QUERY_STRING"), "name", name, sizeof name);

    fprintf(stderr, "greeting %s (%s %s, request %s)\n", name, env("REQUEST_METHOD"), env("SCRIPT_NAME"), env("X_REQUEST_ID"));
    printf("Content-Type: text/plain; charset=utf-8\n");
    printf("X-Function: {{name}}\n\n");
    printf("Hello, %s!\n", name);
    return 0;
}
