//! Input files that are not files: devices, named pipes, folders, missing files and
//! files without read permission. Every command that reads a file refuses them with the
//! file's name and a cause in Chinese, quickly, without blocking or filling memory.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn fixture(name: &str) -> String {
    format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs the command, failing the test if it takes more than `limit` (a read that
/// blocks on a FIFO would never end).
fn within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gongkai");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gongkai still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn gongkai(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.args(args);
    within(cmd, Duration::from_secs(20))
}

/// Everything the command said, both streams.
fn said(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

#[test]
fn check_refuses_a_device_and_a_fifo_at_once() {
    let started = Instant::now();
    let o = gongkai(&["check", "/dev/zero"]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(o.status.code(), Some(2), "{}", said(&o));
    let s = said(&o);
    assert!(s.contains("/dev/zero") && s.contains("不是普通文件"), "{s}");

    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe.txt");
    common::mkfifo(&fifo);
    for cmd in ["check", "extract"] {
        let o = gongkai(&[cmd, fifo.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", said(&o));
        let s = said(&o);
        assert!(
            s.contains("pipe.txt") && s.contains("不是普通文件"),
            "{cmd}: {s}"
        );
    }
}

#[test]
fn standard_input_stops_at_the_limit() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.args(["check", "-"]);
    let mut child = cmd
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("check - read /dev/zero for a minute");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", said(&o));
    assert!(said(&o).contains("上限"), "{}", said(&o));
}

#[test]
fn one_file_commands_name_the_cause() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("年报");
    std::fs::create_dir(&dir).unwrap();
    let fifo = tmp.path().join("pipe.json");
    common::mkfifo(&fifo);
    let missing = tmp.path().join("nothing.json");
    let cases: [(&Path, &str); 4] = [
        (&dir, "这是一个文件夹"),
        (&fifo, "不是普通文件"),
        (&missing, "文件不存在"),
        (Path::new("/dev/zero"), "不是普通文件"),
    ];
    for (path, cause) in cases {
        let p = path.to_str().unwrap();
        let runs = [
            vec!["render", p, "-o", "-", "-f", "json"],
            vec!["cases", "report", "--events", p, "--year", "2025"],
            vec!["cases", "due", "--events", p, "--at", "2026-01-05"],
            vec!["calendar", "add", "2026-01-05", "20", "--holidays", p],
        ];
        for args in runs {
            let o = gongkai(&args);
            let err = text(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            let name = path.file_name().unwrap().to_str().unwrap();
            assert!(err.contains(name) && err.contains(cause), "{args:?}: {err}");
        }
    }
}

/// A file only its owner may read, and a command run by someone else. As root (who
/// reads anything) the command runs as `nobody`.
#[test]
fn no_read_permission_is_said() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let secret = tmp.path().join("secret.txt");
    std::fs::copy(fixture("qingtongxia-2021.txt"), &secret).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let root = std::fs::metadata(tmp.path())
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap();
    for args in [
        vec!["check", secret.to_str().unwrap()],
        vec!["render", secret.to_str().unwrap(), "-o", "-", "-f", "json"],
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
        cmd.args(&args).current_dir(tmp.path());
        if root {
            cmd.uid(65534).gid(65534);
        }
        let o = within(cmd, Duration::from_secs(20));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", said(&o));
        let s = said(&o);
        assert!(
            s.contains("secret.txt") && s.contains("没有读取权限"),
            "{args:?}: {s}"
        );
    }
}

#[test]
fn ingest_does_not_wait_on_a_fifo() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe.txt");
    common::mkfifo(&fifo);
    let good = tmp.path().join("good.txt");
    std::fs::copy(fixture("qingtongxia-2021.txt"), &good).unwrap();
    let db = tmp.path().join("g.db");
    let o = gongkai(&[
        "ingest",
        fifo.to_str().unwrap(),
        good.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    let s = said(&o);
    assert_eq!(o.status.code(), Some(1), "{s}");
    assert!(s.contains("pipe.txt") && s.contains("不是普通文件"), "{s}");
    assert!(s.contains("1 个文件，报告 1 份"), "{s}");
}
