//! {{name}}: a WAGI function in Rust.
//!
//!   curl 'http://127.0.0.1:8080/{{name}}?name=Ada'   ->  Hello, Ada!
//!   curl -d 'Grace' http://127.0.0.1:8080/{{name}}   ->  Hello, Grace!
//!
//! The request arrives as environment variables (REQUEST_METHOD, QUERY_STRING, X_REQUEST_ID, HTTP_* headers, ...)
//! and the body on stdin. The response goes to stdout: header lines, a blank line, the body. Lines written to
//! stderr are the function's log (functions logs {{name}}).
use std::env;
use std::io::{self, Read, Write};

/// The value of `key` in a query string (`a=1&b=2`), percent-decoded.
fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        if k != key {
            return None;
        }
        let bytes = v.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                    match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        Some(b) => {
                            out.push(b);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        Some(String::from_utf8_lossy(&out).into_owned())
    })
}

fn main() {
    let var = |name: &str| env::var(name).unwrap_or_default();
    let mut body = String::new();
    // A body that is not UTF-8 is ignored: the query string names the caller then.
    let _ = io::stdin().take(255).read_to_string(&mut body);
    let body = body.trim_end_matches(['\r', '\n']);
    let name = if !body.is_empty() {
        body.to_string()
    } else {
        query_value(&var("QUERY_STRING"), "name").unwrap_or_else(|| "world".to_string())
    };

    eprintln!("greeting {} ({} {}, request {})", name, var("REQUEST_METHOD"), var("SCRIPT_NAME"), var("X_REQUEST_ID"));
    let response = format!("Content-Type: text/plain; charset=utf-8\nX-Function: {{name}}\n\nHello, {}!\n", name);
    let mut stdout = io::stdout().lock();
    stdout.write_all(response.as_bytes()).expect("writing the response");
    stdout.flush().expect("writing the response");
}
