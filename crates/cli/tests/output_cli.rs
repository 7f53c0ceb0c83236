//! Every command's results when standard output cannot take them: a pipe closed by its
//! reader (`gongkai … | head -1`) and a full disk (`> /dev/full`).

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> String {
    format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn events() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../cases/examples/events.jsonl")
        .display()
        .to_string()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs gongkai with standard output on /dev/full.
fn to_full_disk(args: &[&str]) -> Output {
    let _alone = spawn_lock();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .expect("run gongkai")
}

/// Held while a child runs on a closed pipe: a process forked meanwhile by another
/// test of this binary would hold a copy of the pipe's reading end until it execs,
/// and a write in that moment would succeed.
static SPAWNING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn spawn_lock() -> std::sync::MutexGuard<'static, ()> {
    SPAWNING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs gongkai with standard output on a pipe whose reader is gone before anything
/// is written: every write fails with EPIPE.
fn to_closed_pipe(args: &[&str]) -> Output {
    let _alone = spawn_lock();
    // The reading end is closed before the command starts: closing it after the
    // spawn raced a fast command, whose few bytes fit the pipe's buffer.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run gongkai")
}

/// The commands whose results go to standard output, one of each kind.
fn commands() -> Vec<Vec<String>> {
    let ev = events();
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        v(&["cases", "due", "--events", &ev, "--at", "2026-03-20"]),
        v(&[
            "cases",
            "due",
            "--events",
            &ev,
            "--at",
            "2026-03-20",
            "--format",
            "json",
        ]),
        v(&["cases", "report", "--events", &ev, "--year", "2025"]),
        v(&["calendar", "add", "2026-03-20", "20"]),
        v(&["check", &fixture("tongjiang-2020.txt")]),
        v(&[
            "check",
            "--format",
            "json",
            &fixture("qingtongxia-2021.txt"),
        ]),
        v(&["extract", &fixture("qingtongxia-2021.txt")]),
        v(&[
            "extract",
            "--format",
            "csv",
            &fixture("qingtongxia-2021.txt"),
        ]),
        v(&["render", "--blank", "2021", "-f", "html", "-o", "-"]),
    ]
}

#[test]
fn a_full_disk_is_said_in_chinese_and_never_exits_0() {
    for args in commands() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = to_full_disk(&args);
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("无法写出结果：磁盘已满"), "{args:?}: {err}");
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in commands() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = to_closed_pipe(&args);
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("无法写出结果"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(141), "{args:?}: {err}");
    }
}

#[test]
fn export_to_a_full_disk_or_a_closed_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("g.db");
    let db = db.to_str().unwrap();
    let ingest = {
        let _alone = spawn_lock();
        Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["ingest", &fixture("qingtongxia-2021.txt"), "--db", db])
            .output()
            .unwrap()
    };
    assert_eq!(ingest.status.code(), Some(0), "{}", text(&ingest.stderr));
    for format in ["csv", "json"] {
        let args = ["export", "--db", db, "--format", format, "-o", "-"];
        let out = to_full_disk(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{format}: {err}");
        assert!(err.contains("无法写出结果：磁盘已满"), "{format}: {err}");
        // Said once, not once more by export itself.
        assert!(!err.contains("导出失败"), "{format}: {err}");

        let out = to_closed_pipe(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(141), "{format}: {err}");
        assert!(err.is_empty(), "{format}: {err}");
    }
}

#[test]
fn ingest_summary_to_a_full_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("g.db");
    let out = to_full_disk(&[
        "ingest",
        &fixture("qingtongxia-2021.txt"),
        "--db",
        db.to_str().unwrap(),
    ]);
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("无法写出结果：磁盘已满"), "{err}");
}
