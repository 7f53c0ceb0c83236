//! `gongkai serve --demo`, the README's first command: a throw-away data directory
//! holding a demo province → city → county → departments, users of every role and
//! cases in every state, all marked 演示数据; the URL and the logins printed; the
//! directory gone when the server stops.

mod common;

use common::{all_cases, api_case, http, login};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The server, stopped if the test fails half-way.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_demo_prints_its_logins_shows_every_state_and_leaves_nothing() {
    let mut child = Server(
        Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["serve", "--listen", "127.0.0.1:0", "--demo"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let line = lines.next().expect("server output").unwrap();
        let done = line.contains("按 Ctrl-C 停止");
        printed.push(line);
        if done {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines.by_ref() {});
    let text = printed.join("\n");
    let addr = text
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no URL printed: {text}"))
        .to_string();
    assert!(text.contains("演示数据（虚构，退出后删除）"), "{text}");
    assert!(text.contains("密码均为 demo2026"), "{text}");
    for role in ["经办人", "负责人", "单位管理员", "监督", "系统管理员"] {
        assert!(text.contains(role), "no {role} login printed: {text}");
    }
    let db = text
        .lines()
        .find_map(|l| l.strip_prefix("数据库：sqlite:"))
        .unwrap_or_else(|| panic!("no database printed: {text}"))
        .to_string();
    let dir = std::path::Path::new(&db).parent().unwrap().to_path_buf();
    assert!(dir.is_dir(), "{}", dir.display());

    // Every state of a case is there, every case marked as demo data.
    let (cookie, csrf) = login(&addr, "clerk");
    let cases = all_cases(&addr, &cookie, &csrf);
    let total: usize = text
        .split("演示数据（虚构，退出后删除）：")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no case count printed: {text}"));
    assert!(total >= 24, "a few dozen cases: {total}");
    assert!(
        cases.len() >= 20,
        "the county office's cases: {}",
        cases.len()
    );
    for stage in [
        "received",
        "awaiting_correction",
        "in_process",
        "awaiting_payment",
        "decided",
        "delivered",
        "withdrawn",
    ] {
        assert!(
            cases.iter().any(|c| c["stage"] == stage),
            "no demo case is {stage}"
        );
    }
    assert!(
        cases.iter().any(|c| c["paused"] == true),
        "no paused demo case"
    );
    for c in &cases {
        let id = c["id"].as_i64().unwrap();
        let case = api_case(&addr, &cookie, &csrf, id).unwrap();
        assert_eq!(case["row"]["demo"], 1, "{case}");
    }
    // The pages say so.
    let (status, _, page) = http(&addr, "GET", "/public", "", "", "").unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("演示数据"), "{page}");
    // The oversight office and the agencies below it: province → city → county → department.
    let (oc, ocsrf) = login(&addr, "oversight");
    let (status, _, stats) = http(&addr, "GET", "/stats", &oc, &ocsrf, "").unwrap();
    assert_eq!(status, 200);
    for unit in ["演示县人民政府", "演示县自然资源局"] {
        assert!(
            stats.contains(unit),
            "{unit} not among the oversight office's units"
        );
    }

    // Stopped as Ctrl-C or a service manager stops it: the directory goes with it.
    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let t = Instant::now();
    while child.0.try_wait().unwrap().is_none() {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the server did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!dir.exists(), "{} left behind", dir.display());
}
