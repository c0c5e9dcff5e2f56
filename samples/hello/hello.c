/* hello — a friendly first function: greets the caller and shows what the platform passed in.
 *
 *   $ curl 'http://localhost:8080/hello/there?name=Ada'
 *   Hello from a WebAssembly function!
 *
 *   method:  GET
 *   path:    /hello/there
 *   query:   name=Ada
 *   body:    0 bytes
 *   request: 7f3c…
 *
 * WAGI contract: the request arrives as environment variables (REQUEST_METHOD, SCRIPT_NAME, PATH_INFO,
 * QUERY_STRING, X_REQUEST_ID, …) and the body on stdin; the response is a header block, a blank line,
 * then the body, on stdout.
 * Build: clang-14 --target=wasm32-wasi -O2 hello.c -o hello.wasm */
#include <stdio.h>
#include <stdlib.h>

static const char *env(const char *name) {
    const char *value = getenv(name);
    return value ? value : "";
}

int main(void) {
    /* Count the request body (stdin) without keeping it. */
    char buf[4096];
    size_t body = 0, n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) body += n;

    printf("Content-Type: text/plain; charset=utf-8\n\n");
    printf("Hello from a WebAssembly function!\n\n");
    printf("method:  %s\n", env("REQUEST_METHOD"));
    printf("path:    %s%s\n", env("SCRIPT_NAME"), env("PATH_INFO"));
    printf("query:   %s\n", env("QUERY_STRING"));
    printf("body:    %zu bytes\n", body);
    printf("request: %s\n", env("X_REQUEST_ID"));
    return 0;
}
