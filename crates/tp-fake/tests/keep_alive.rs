//! Connections stay open across requests whose body arrives after the
//! headers, as Python's httpx sends them, whatever the handler does with it.
//!
//! hyper closes a connection after answering a request whose body was not
//! read; a client reusing that connection in the instant before the close
//! arrives sees "server disconnected" (this made an e2e test flaky in CI).

mod common;

use std::time::Duration;

use common::start;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends a POST with its headers and body in two packets, 20 ms apart, and
/// returns the status line of the answer.
async fn post_in_two_packets(stream: &mut TcpStream, path: &str, body: &str) -> String {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: fake\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    stream.write_all(body.as_bytes()).await.unwrap();
    read_response(stream).await
}

/// Reads one response (headers and a `Content-Length` body) and returns its
/// status line.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .expect("an answer within 5 s")
            .unwrap();
        assert!(n > 0, "connection closed before a full answer: {buf:?}");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return text.lines().next().unwrap().to_string();
            }
        }
    }
}

/// After the answer, the server must not close: a read sees no EOF.
async fn assert_still_open(stream: &mut TcpStream, after: &str) {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut byte)).await {
        Err(_) => {}
        Ok(Ok(0)) => panic!("the fake closed the connection after {after}"),
        Ok(other) => panic!("unexpected bytes after {after}: {other:?}"),
    }
}

#[tokio::test]
async fn a_body_the_handler_ignores_does_not_close_the_connection() {
    let h = start().await;
    let mut stream = TcpStream::connect(h.server.local_addr()).await.unwrap();
    stream.set_nodelay(true).unwrap();
    // Handlers that take no body, one that reads it, and again: all on one
    // connection.
    for path in [
        "/_fake/expire_tokens",
        "/_fake/reset_faults",
        "/_fake/fail",
        "/_fake/revoke_cookie",
        "/_fake/reset_stats",
    ] {
        let body = if path == "/_fake/fail" {
            r#"{"n": 1, "status": 500}"#
        } else {
            "{}"
        };
        let status = post_in_two_packets(&mut stream, path, body).await;
        assert_eq!(status, "HTTP/1.1 200 OK", "{path}");
        assert_still_open(&mut stream, path).await;
    }
}

#[tokio::test]
async fn an_injected_failure_on_a_post_does_not_close_the_connection() {
    let h = start().await;
    h.server.control().fail_next(1, 503);
    let mut stream = TcpStream::connect(h.server.local_addr()).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let path = "/fitness/v1/athletes/1/reporting/performancedata/2026-01-01/2026-01-31";
    let status = post_in_two_packets(&mut stream, path, "{}").await;
    assert_eq!(status, "HTTP/1.1 503 Service Unavailable");
    assert_still_open(&mut stream, "an injected 503").await;
}
