//! `gongkai backup` of a running server's SQLite database while clerks write, and
//! `gongkai restore` of it into a new place: the copy is consistent (every case in
//! it opens, its timeline as long as its version) and holds every case acknowledged
//! before the backup began.

mod common;

use common::{api_case, chrono_today, every_case_replays, http, login, start_serve};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn gongkai(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .output()
        .unwrap()
}

fn register(addr: &str, cookie: &str, csrf: &str, name: &str) -> Option<i64> {
    let body = format!(
        r#"{{"channel":"in_person","applicant_kind":"natural_person","applicant_name":"{name}","request":"文件","submitted":"{}"}}"#,
        chrono_today()
    );
    match http(addr, "POST", "/api/cases", cookie, csrf, &body) {
        Some((201, _, b)) => serde_json::from_str::<serde_json::Value>(&b).unwrap()["id"].as_i64(),
        _ => None,
    }
}

#[test]
fn an_online_backup_restores_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut server, addr) = start_serve(&["--data", data.to_str().unwrap(), "--demo"]);
    let (cookie, csrf) = login(&addr, "clerk");
    let before: Vec<i64> = (0..20)
        .map(|n| register(&addr, &cookie, &csrf, &format!("备份前{n}")).expect("registered"))
        .collect();

    // Clerks keep writing while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let during = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let (addr, cookie, csrf) = (addr.clone(), cookie.clone(), csrf.clone());
        let (stop, during) = (Arc::clone(&stop), Arc::clone(&during));
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 2_000 {
                n += 1;
                if let Some(id) = register(&addr, &cookie, &csrf, &format!("备份中{n}")) {
                    during.lock().unwrap().push(id);
                }
            }
        })
    };
    while during.lock().unwrap().len() < 5 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let copy = dir.path().join("backup-2026-12-02.db");
    let db = data.join("gongkai.db");
    let out = gongkai(&[
        "backup",
        "--db",
        db.to_str().unwrap(),
        copy.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("已备份到"));
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(!during.lock().unwrap().is_empty());
    server.kill().unwrap();
    let _ = server.wait();

    // A restore never overwrites a database in place.
    let out = gongkai(&[
        "restore",
        copy.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("已存在"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A file that is not a database is refused and leaves nothing behind.
    let elsewhere = dir.path().join("restored");
    std::fs::create_dir(&elsewhere).unwrap();
    let target = elsewhere.join("gongkai.db");
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "这不是数据库").unwrap();
    let out = gongkai(&[
        "restore",
        junk.to_str().unwrap(),
        "--db",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("备份文件无法作为数据库打开"));
    assert!(std::fs::read_dir(&elsewhere).unwrap().next().is_none());

    let out = gongkai(&[
        "restore",
        copy.to_str().unwrap(),
        "--db",
        target.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (mut server, addr) = start_serve(&["--data", elsewhere.to_str().unwrap()]);
    let (cookie, csrf) = login(&addr, "clerk");
    for id in &before {
        if let Err((status, body)) = api_case(&addr, &cookie, &csrf, *id) {
            panic!("case {id}, acknowledged before the backup, is missing: {status} {body}");
        }
    }
    // Consistent: every case in the copy opens, its events whole.
    assert!(every_case_replays(&addr, &cookie, &csrf) >= before.len());
    server.kill().unwrap();
    let _ = server.wait();
}
