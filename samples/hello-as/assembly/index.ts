// hello-as: a WAGI function in AssemblyScript (with @assemblyscript/wasi-shim).
//
//   curl 'http://127.0.0.1:8080/hello-as?name=Ada'   ->  Hello, Ada!
//   curl -d 'Grace' http://127.0.0.1:8080/hello-as   ->  Hello, Grace!
//
// The request arrives as environment variables (REQUEST_METHOD, QUERY_STRING, X_REQUEST_ID, HTTP_* headers, ...)
// and the body on stdin. The response goes to stdout: header lines, a blank line, the body. Lines written to
// stderr are the function's log (functions logs hello-as). This file's top level runs once per request.

function env(name: string): string {
  return process.env.has(name) ? process.env.get(name) : "";
}

/** The value of `key` in a query string (a=1&b=2), percent-decoded; null when absent. */
function queryValue(query: string, key: string): string | null {
  const pairs = query.split("&");
  for (let i = 0; i < pairs.length; i++) {
    const equals = pairs[i].indexOf("=");
    if (equals < 0 || pairs[i].substring(0, equals) != key) continue;
    return decodeURIComponent(pairs[i].substring(equals + 1).replaceAll("+", " "));
  }
  return null;
}

/** Up to `limit` bytes of the request body, as UTF-8 text. */
function readBody(limit: i32): string {
  const buffer = new ArrayBuffer(limit);
  let length = 0;
  while (length < limit) {
    const n = process.stdin.read(buffer, length);
    if (n <= 0) break;
    length += n;
  }
  return String.UTF8.decode(buffer.slice(0, length));
}

let body = readBody(255);
while (body.endsWith("\n") || body.endsWith("\r")) body = body.substring(0, body.length - 1);
let name = "world";
if (body.length > 0) {
  name = body;
} else {
  const fromQuery = queryValue(env("QUERY_STRING"), "name");
  if (fromQuery !== null) name = fromQuery;
}

process.stderr.write(`greeting ${name} (${env("REQUEST_METHOD")} ${env("SCRIPT_NAME")}, request ${env("X_REQUEST_ID")})\n`);
// One write for the whole response.
process.stdout.write(`Content-Type: text/plain; charset=utf-8\nX-Function: hello-as\n\nHello, ${name}!\n`);
