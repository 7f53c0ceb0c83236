//! Fault tests: ingest runs killed with SIGKILL at random moments, with a reader in
//! the batch that takes the program down (abort) on one file, re-run until a run
//! finishes. Every good file is then stored exactly once, the crashing file is stored
//! as failed with 读取时程序异常终止, and no reading note is left. On SQLite and on the
//! real PostgreSQL (`GONGKAI_TEST_PG`, see postgres.rs).
//!
//! The runs are child processes: this test binary run again with `GONGKAI_FAULT_DB`
//! set, executing only `fault_child`, which ingests the folder with the crashing reader.

mod common;

use gongkai_dataset::{IngestOptions, ingest};
use gongkai_store::{PreparedFile, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The reader of the child runs: the real one, except that a file named `…crash…`
/// ends the process as a crashing reader would (a stack overflow aborts likewise).
fn crashing_reader(path: &str, bytes: &[u8], hash: String) -> PreparedFile {
    if gongkai_store::file_name_of(path).contains("crash") {
        std::process::abort();
    }
    gongkai_dataset::prepare_file(path, bytes, hash)
}

/// One child run: ingests `GONGKAI_FAULT_DIR` into `GONGKAI_FAULT_DB`. Does nothing
/// when run as an ordinary test.
#[test]
fn fault_child() {
    let (Ok(db), Ok(dir)) = (
        std::env::var("GONGKAI_FAULT_DB"),
        std::env::var("GONGKAI_FAULT_DIR"),
    ) else {
        return;
    };
    let rt = common::runtime();
    let store = rt.block_on(Store::open(&db)).unwrap();
    let files = gongkai_dataset::collect_inputs(&[dir]).files;
    let opts = IngestOptions {
        jobs: 2,
        reader: crashing_reader,
        ..IngestOptions::default()
    };
    ingest(rt.handle(), &store, &files, &opts, |_| {}).unwrap();
    rt.block_on(store.close());
}

fn child(db: &str, dir: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "fault_child", "--test-threads", "1", "--quiet"])
        .env("GONGKAI_FAULT_DB", db)
        .env("GONGKAI_FAULT_DIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a child run")
}

/// A small xorshift generator, seeded from the clock (the seed is printed).
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("GONGKAI_FAULT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("GONGKAI_FAULT_SEED={seed}");
        Rng(seed)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// `n` distinct good reports (text variants of the fixtures) and one crashing file.
fn batch(dir: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let d = dir.join("in");
    std::fs::create_dir_all(&d).unwrap();
    let names = [
        "tongchuan-govoffice-2020.txt",
        "fengxiang-2020.txt",
        "qingtongxia-2021.txt",
        "tongjiang-2020.txt",
        "yuncheng-govoffice-2020.txt",
    ];
    let mut hashes = Vec::new();
    for i in 0..n {
        let n = names[i % names.len()];
        let mut text = std::fs::read_to_string(common::fixtures().join(n)).unwrap();
        text.push_str(&"\n".repeat(i + 1));
        hashes.push(gongkai_dataset::content_hash(text.as_bytes()));
        std::fs::write(d.join(format!("{i:03}-{n}")), text).unwrap();
    }
    // In the middle of the batch, in sorted order.
    let crash = std::fs::read_to_string(common::fixtures().join(names[0])).unwrap() + "\n崩溃";
    std::fs::write(d.join(format!("{:03}-crash.txt", n / 2)), crash).unwrap();
    (d, hashes)
}

fn signal(status: ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

/// Kills runs at random moments, then re-runs until one finishes; checks the dataset.
fn killed_at_random_then_completed(db: &str, scratch_db: &str, dir: &Path) {
    const GOOD: usize = 400;
    const KILLS: usize = 8;
    let (input, good) = batch(dir, GOOD);
    // How long an undisturbed run takes (into a scratch database, without the crash).
    let scratch = dir.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    for f in std::fs::read_dir(&input).unwrap() {
        let f = f.unwrap().path();
        if !f.to_string_lossy().contains("crash") {
            std::fs::copy(&f, scratch.join(f.file_name().unwrap())).unwrap();
        }
    }
    let started = Instant::now();
    let status = child(scratch_db, &scratch).wait().unwrap();
    assert!(status.success(), "{status:?}");
    let full = started.elapsed();
    eprintln!("an undisturbed run: {full:?}");

    let mut rng = Rng::new();
    let rt = common::runtime();
    let watcher = rt.block_on(Store::open(db)).unwrap();
    let stored = || rt.block_on(watcher.totals()).unwrap().sources;
    let (mut sigkills, mut aborts, mut attempts) = (0, 0, 0);
    // Each run is killed at a random moment while at work: once it has stored a random
    // number of files more, after a random pause. Until KILLS have landed (or a run got
    // through on its own: nothing is left to disturb).
    while sigkills < KILLS && attempts < 4 * KILLS {
        attempts += 1;
        let target = stored() + 1 + rng.below(30) as i64;
        let mut c = child(db, &input);
        let started = Instant::now();
        let status = loop {
            if let Some(status) = c.try_wait().unwrap() {
                break status;
            }
            if stored() >= target || started.elapsed() > full * 2 {
                std::thread::sleep(Duration::from_micros(rng.below(20_000)));
                let _ = c.kill(); // SIGKILL
                break c.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(3));
        };
        if std::env::var("GONGKAI_FAULT_DEBUG").is_ok() {
            eprintln!("attempt {attempts}: {status:?}, {} stored", stored());
        }
        match signal(status) {
            Some(9) => sigkills += 1,
            Some(6) => aborts += 1,
            Some(other) => panic!("a run ended by signal {other}"),
            None => break,
        }
    }
    // Then run until a run finishes: the crashing file ends runs until its solitary
    // readings have ended the program twice.
    let mut runs = 0;
    loop {
        runs += 1;
        assert!(runs <= 10, "no run finished after {runs} attempts");
        let status = child(db, &input).wait().unwrap();
        if status.success() {
            break;
        }
        assert_eq!(signal(status), Some(6), "a run failed: {status:?}");
        aborts += 1;
    }
    eprintln!(
        "{sigkills} runs killed at work (of {attempts}), {aborts} ended by the crashing reader, \
         finished on re-run {runs}"
    );
    assert!(sigkills >= KILLS / 2, "too few kills landed: {sigkills}");
    // Read with others once, then alone twice: three runs end on the crashing file (a
    // kill that falls on one of these readings takes its place).
    assert!(
        (1..=1 + gongkai_dataset::runs::CONCLUSIVE).contains(&aborts),
        "{aborts}"
    );

    let store = watcher;
    let sources = rt.block_on(store.sources()).unwrap();
    let ok: Vec<&String> = sources
        .iter()
        .filter(|s| s.status == "ok")
        .map(|s| &s.hash)
        .collect();
    let mut expected: Vec<&String> = good.iter().collect();
    expected.sort();
    let mut ok_sorted = ok.clone();
    ok_sorted.sort();
    let not_ok: Vec<_> = sources
        .iter()
        .filter(|s| good.contains(&s.hash) && s.status != "ok")
        .collect();
    assert!(
        not_ok.is_empty(),
        "good files not stored as read: {not_ok:?}"
    );
    assert_eq!(
        ok_sorted, expected,
        "every good file stored, and only those"
    );
    let failed: Vec<_> = sources.iter().filter(|s| s.status != "ok").collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].path.ends_with("crash.txt"), "{failed:?}");
    assert!(
        failed[0]
            .cause
            .as_deref()
            .unwrap()
            .starts_with(gongkai_dataset::CRASHED),
        "{failed:?}"
    );
    let t = rt.block_on(store.totals()).unwrap();
    assert_eq!(t.sources as usize, GOOD + 1, "{t:?}");
    assert_eq!(
        t.reports as usize, GOOD,
        "each good file's report once: {t:?}"
    );
    assert!(rt.block_on(store.unfinished_readings()).unwrap().is_empty());
    // One more run: nothing is read, nothing changes.
    let status = child(db, &input).wait().unwrap();
    assert!(status.success());
    assert_eq!(rt.block_on(store.totals()).unwrap(), t);
    rt.block_on(store.close());
}

#[test]
fn sqlite_killed_at_random_then_completed() {
    if std::env::var("GONGKAI_FAULT_DB").is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("faults.db");
    let scratch = dir.path().join("scratch.db");
    killed_at_random_then_completed(db.to_str().unwrap(), scratch.to_str().unwrap(), dir.path());
}

#[test]
fn pg_killed_at_random_then_completed() {
    if std::env::var("GONGKAI_FAULT_DB").is_ok() {
        return;
    }
    let (Some(target), Some(scratch)) = (
        common::pg_target("faults"),
        common::pg_target("faults_scratch"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let result =
        std::panic::catch_unwind(|| killed_at_random_then_completed(&target, &scratch, dir.path()));
    let rt = common::runtime();
    for t in [&target, &scratch] {
        if let Ok(store) = rt.block_on(Store::open(t)) {
            let _ = rt.block_on(store.drop_schema());
        }
    }
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}
