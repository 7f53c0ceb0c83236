//! A SQLite database that another program is writing to: the run says so at once
//! (which file, which process), waits no longer than asked, and loses nothing.
//!
//! The other program is this test binary run again with `GONGKAI_LOCK_DB` set,
//! executing only `lock_holder`: it takes the database's write lock and keeps it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What the run told, with when.
static TOLD: Mutex<Vec<(Instant, String)>> = Mutex::new(Vec::new());

fn record(message: &str) {
    TOLD.lock()
        .unwrap()
        .push((Instant::now(), message.to_string()));
}

/// The other program: takes the write lock of `GONGKAI_LOCK_DB`, says so, and
/// keeps it until killed (a minute at most). Does nothing as an ordinary test.
#[test]
fn lock_holder() {
    use sqlx::Connection;
    let Ok(db) = std::env::var("GONGKAI_LOCK_DB") else {
        return;
    };
    let rt = common::runtime();
    let mut c = rt
        .block_on(sqlx::sqlite::SqliteConnection::connect(&format!(
            "sqlite://{db}"
        )))
        .unwrap();
    rt.block_on(sqlx::query("BEGIN EXCLUSIVE").execute(&mut c))
        .unwrap();
    // libtest prints the test's name on the same line: a marker of its own.
    println!("\n[write lock held]");
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn a_database_locked_by_another_program_is_said_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gongkai.db").to_string_lossy().into_owned();
    let rt = common::runtime();
    let store = rt.block_on(gongkai_store::Store::open(&db)).unwrap();
    let first = [common::fixtures().join("tongjiang-2020.txt")];
    let s = gongkai_dataset::ingest(rt.handle(), &store, &first, &common::opts(), |_| {}).unwrap();
    assert_eq!(s.stored, 1);

    let mut holder = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "lock_holder",
            "--test-threads",
            "1",
            "--nocapture",
        ])
        .env("GONGKAI_LOCK_DB", &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(holder.stdout.take().unwrap());
    let mut line = String::new();
    while line.trim_end() != "[write lock held]" {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the holder ended");
    }

    let opts = gongkai_dataset::IngestOptions {
        db_patience: Duration::from_secs(4),
        notice: Some(record),
        ..common::opts()
    };
    let next = [common::fixtures().join("qingtongxia-2021.txt")];
    let started = Instant::now();
    let e = gongkai_dataset::ingest(rt.handle(), &store, &next, &opts, |_| {}).unwrap_err();
    let took = started.elapsed();
    let told = TOLD.lock().unwrap().clone();
    holder.kill().unwrap();
    holder.wait().unwrap();

    let cause = format!("数据库文件 {db} 被其他程序（进程号 {}）锁定", holder.id());
    // Told at once (SQLite alone waits 10 s before it fails), once.
    assert_eq!(told.len(), 1, "told {told:?}; stopped after {took:?}: {e}");
    let (at, message) = &told[0];
    assert!(
        at.duration_since(started) < Duration::from_secs(2),
        "{:?}",
        at.duration_since(started)
    );
    assert_eq!(
        message,
        &format!("{cause}，正在等待其释放，最多等待 4 秒……")
    );
    // The wait stays within the bound, and the cause is the lock.
    assert!(took >= Duration::from_secs(4), "{took:?}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert!(!e.is_transient());
    assert!(
        e.cause().starts_with(&format!("{cause}；等待 4 秒、重试 ")),
        "{e}"
    );

    // Nothing was lost, and with the lock gone the same files go in.
    assert_eq!(rt.block_on(store.totals()).unwrap().sources, 1);
    let s = gongkai_dataset::ingest(rt.handle(), &store, &next, &common::opts(), |_| {}).unwrap();
    assert_eq!((s.stored, s.skipped), (1, 0), "{s:?}");
    assert_eq!(rt.block_on(store.totals()).unwrap().reports, 2);
    rt.block_on(store.close());
}
