//! What the command-line tests share: starting `gongkai serve` and talking HTTP/1.1
//! to it, the test PostgreSQL, and making FIFOs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `gongkai serve --listen 127.0.0.1:0 ARGS…`; returns it and its address.
pub fn start_serve(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start gongkai serve");
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(Instant::now() < deadline, "server did not start");
        let line = lines.next().expect("server output").expect("utf-8 output");
        if let Some(rest) = line.split("http://").nth(1) {
            let addr = rest.split('/').next().unwrap().to_string();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines.by_ref() {});
            return (child, addr);
        }
    }
}

/// One HTTP/1.1 request; returns (status, set-cookie, body).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    cookie: &str,
    csrf: &str,
    body: &str,
) -> Option<(u16, String, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status: u16 = head.split(' ').nth(1)?.parse().ok()?;
    let cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .map(|c| c.split(';').next().unwrap_or("").to_string())
        .unwrap_or_default();
    Some((status, cookie, body.to_string()))
}

/// A case through the API, as JSON; or the status and body it was refused with.
pub fn api_case(
    addr: &str,
    cookie: &str,
    csrf: &str,
    id: i64,
) -> Result<serde_json::Value, (u16, String)> {
    let (status, _, body) =
        http(addr, "GET", &format!("/api/cases/{id}"), cookie, csrf, "").expect("case");
    if status == 200 {
        Ok(serde_json::from_str(&body).unwrap())
    } else {
        Err((status, body))
    }
}

/// Every case of the user's agency, open and closed, as the API lists them.
pub fn all_cases(addr: &str, cookie: &str, csrf: &str) -> Vec<serde_json::Value> {
    let (status, _, body) = http(
        addr,
        "GET",
        "/api/cases?all=true&limit=1000",
        cookie,
        csrf,
        "",
    )
    .expect("case list");
    assert_eq!(status, 200, "{body}");
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    list["cases"].as_array().unwrap().clone()
}

/// Every case of the user's agency opens and replays whole: its timeline holds
/// every version.
pub fn every_case_replays(addr: &str, cookie: &str, csrf: &str) -> usize {
    let cases = all_cases(addr, cookie, csrf);
    for c in &cases {
        let id = c["id"].as_i64().unwrap();
        let v = api_case(addr, cookie, csrf, id)
            .unwrap_or_else(|(s, b)| panic!("case {id} does not open: {s} {b}"));
        assert_eq!(
            v["timeline"].as_array().unwrap().len() as i64,
            v["row"]["version"].as_i64().unwrap(),
            "case {id}: a half-written step"
        );
    }
    cases.len()
}

/// Logs a demo user in through the API: (cookie, CSRF token).
pub fn login(addr: &str, who: &str) -> (String, String) {
    let (status, cookie, body) = http(
        addr,
        "POST",
        "/api/session",
        "",
        "",
        &format!(r#"{{"login":"{who}","password":"demo2026"}}"#),
    )
    .expect("login");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    (cookie, v["csrf"].as_str().unwrap().to_string())
}

/// Today in China (the server's legal date).
pub fn chrono_today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8))
        .date_naive()
        .to_string()
}

/// The test PostgreSQL (GONGKAI_TEST_PG, started by scripts/ci-postgres.sh) with a
/// schema of its own named after `name` and this process; `None` only when
/// GONGKAI_SKIP_PG=1 says to skip on purpose.
pub fn pg_url(name: &str) -> Option<String> {
    let base = match std::env::var("GONGKAI_TEST_PG") {
        Ok(u) if !u.trim().is_empty() => u,
        _ if std::env::var("GONGKAI_SKIP_PG").as_deref() == Ok("1") => {
            eprintln!("GONGKAI_SKIP_PG=1：跳过 PostgreSQL 测试");
            return None;
        }
        _ => panic!(
            "PostgreSQL 测试需要 GONGKAI_TEST_PG（scripts/ci-postgres.sh 会启动本地服务器并打印地址）；确实要跳过请设置 GONGKAI_SKIP_PG=1"
        ),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!(
        "{base}{sep}schema=gk_{name}_{}",
        std::process::id()
    ))
}

/// Drops the schema `pg_url` named, with everything in it.
pub fn drop_pg_schema(url: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        gongkai_store::Store::open(url)
            .await
            .unwrap()
            .drop_schema()
            .await
            .unwrap();
    });
}

/// Makes a FIFO at `path` (the tests check that no command waits on one).
pub fn mkfifo(path: &std::path::Path) {
    assert!(
        Command::new("mkfifo").arg(path).status().unwrap().success(),
        "mkfifo {}",
        path.display()
    );
}
