//! `gongkai serve` killed with SIGKILL during a burst of writes: after a restart,
//! every action that was answered with success is there, and no case is half-written
//! — on SQLite and on PostgreSQL.

mod common;

use common::{
    api_case, chrono_today, drop_pg_schema, every_case_replays, http, login, pg_url, start_serve,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn kill_9_during_writes_loses_nothing_acknowledged_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    kill_9_during_writes(&["--data", data, "--demo"], &["--data", data]);
}

#[test]
fn kill_9_during_writes_loses_nothing_acknowledged_postgresql() {
    let Some(url) = pg_url("crash") else { return };
    kill_9_during_writes(&["--db", &url, "--demo"], &["--db", &url]);
    drop_pg_schema(&url);
}

/// Starts the server with `first`, kills it in a burst of writes, restarts it with
/// `again` on the same store, and checks every acknowledged write.
fn kill_9_during_writes(first: &[&str], again: &[&str]) {
    let (mut server, addr) = start_serve(first);
    let (cookie, csrf) = login(&addr, "clerk");
    let today = chrono_today();
    let acked: Arc<Mutex<Vec<(i64, i64)>>> = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (addr, cookie, csrf, acked, stop, today) = (
            addr.clone(),
            cookie.clone(),
            csrf.clone(),
            Arc::clone(&acked),
            Arc::clone(&stop),
            today.clone(),
        );
        writers.push(std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 500 {
                n += 1;
                let body = format!(
                    r#"{{"channel":"in_person","applicant_kind":"natural_person","applicant_name":"压力测试{w}-{n}","request":"文件{n}","submitted":"{today}"}}"#
                );
                let Some((201, _, b)) = http(&addr, "POST", "/api/cases", &cookie, &csrf, &body) else { continue };
                let id = serde_json::from_str::<serde_json::Value>(&b).unwrap()["id"].as_i64().unwrap();
                acked.lock().unwrap().push((id, 1));
                // A second write on the same case: a step.
                let step = r#"{"version":1,"step":"consult","consultee":"third_party","name":"某公司"}"#;
                if let Some((200, _, b)) = http(&addr, "POST", &format!("/api/cases/{id}/steps"), &cookie, &csrf, step) {
                    let v = serde_json::from_str::<serde_json::Value>(&b).unwrap()["version"].as_i64().unwrap();
                    acked.lock().unwrap().push((id, v));
                }
            }
        }));
    }
    // Let the burst run, then kill the server without warning.
    let t = Instant::now();
    while acked.lock().unwrap().len() < 40 && t.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill().expect("SIGKILL");
    let _ = server.wait();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 40,
        "the burst wrote too little: {}",
        acked.len()
    );

    let (mut server, addr) = start_serve(again);
    let (cookie, csrf) = login(&addr, "clerk");
    for (id, version) in &acked {
        let v = api_case(&addr, &cookie, &csrf, *id).unwrap_or_else(|(s, body)| {
            panic!("acknowledged case {id} missing after the crash: {s} {body}")
        });
        let stored = v["row"]["version"].as_i64().unwrap();
        assert!(
            stored >= *version,
            "case {id}: acknowledged version {version}, stored {stored}"
        );
    }
    // Every case in the database opens and replays whole: nothing half-applied,
    // acknowledged or not.
    every_case_replays(&addr, &cookie, &csrf);
    server.kill().unwrap();
    let _ = server.wait();
}
