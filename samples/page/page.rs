//! page — a Rust WebAssembly function that renders a small HTML page from its query string.
//!
//!   GET /page?name=Ada&color=teal  →  200 text/html, "Hello, Ada!" on a teal card
//!
//! WAGI contract: the query arrives in the QUERY_STRING environment variable; the response is a header
//! block, a blank line, then the body, on stdout. Everything taken from the request is HTML-escaped, and
//! the colour is accepted only from a fixed list or as #rgb/#rrggbb, so no input can inject markup or CSS.
//! Built with plain rustc (no Cargo needed):
//!   rustc --edition 2021 --target wasm32-wasi -C opt-level=3 -C strip=debuginfo page.rs -o page.wasm

use std::env;
use std::fmt::Write as _;
use std::io::{self, Write};

const NAMED_COLORS: &[&str] = &[
    "black", "blue", "coral", "crimson", "gold", "gray", "green", "indigo", "navy", "olive", "orange",
    "orchid", "purple", "red", "salmon", "sienna", "slateblue", "teal", "tomato", "violet",
];

fn main() {
    let query = env::var("QUERY_STRING").unwrap_or_default();
    let params = parse_query(&query);
    let get = |key: &str| params.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str());

    let name = get("name").map(str::trim).filter(|n| !n.is_empty()).unwrap_or("world");
    let requested = get("color").unwrap_or("teal");
    let (color, note) = match safe_color(requested) {
        Some(c) => (c, String::new()),
        None => (
            "teal".to_string(),
            format!("<p class=\"note\">Unknown colour “{}”: using teal.</p>", escape_html(requested)),
        ),
    };

    let mut page = String::with_capacity(1024);
    let _ = write!(
        page,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Hello, {name}!</title>\n<style>\n\
         body {{ font-family: system-ui, sans-serif; background: #f4f4f5; margin: 0; }}\n\
         .card {{ max-width: 28rem; margin: 4rem auto; padding: 2rem; border-radius: 1rem; \
         background: white; border-top: 0.75rem solid {color}; box-shadow: 0 2px 12px #0002; }}\n\
         h1 {{ color: {color}; margin-top: 0; }}\n.note {{ color: #a15c00; }}\n</style>\n</head>\n<body>\n\
         <main class=\"card\">\n<h1>Hello, {name}!</h1>\n\
         <p>This page was rendered by a Rust function compiled to WebAssembly.</p>\n{note}</main>\n\
         </body>\n</html>\n",
        name = escape_html(name),
        color = color,
        note = note,
    );

    let stdout = io::stdout();
    let mut out = stdout.lock();
    let _ = write!(out, "Content-Type: text/html; charset=utf-8\n\n{page}");
    let _ = out.flush();
}

/// Splits `a=1&b=2` into decoded pairs; items without `=` get an empty value.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|item| !item.is_empty())
        .map(|item| match item.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(item), String::new()),
        })
        .collect()
}

/// Decodes `%XX` escapes and `+` (a space in form encoding); bad escapes are kept as they are and
/// invalid UTF-8 becomes U+FFFD.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(h * 16 + l);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// A colour that is safe inside CSS: a known name, or #rgb / #rrggbb.
fn safe_color(c: &str) -> Option<String> {
    let c = c.trim().to_ascii_lowercase();
    let is_hex = c.len() == 4 || c.len() == 7;
    if NAMED_COLORS.contains(&c.as_str())
        || (is_hex && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit()))
    {
        Some(c)
    } else {
        None
    }
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}
