//! The same checks, run on SQLite (store.rs) and PostgreSQL (postgres.rs).
#![allow(dead_code)]

use gongkai_dataset::{IngestOptions, ingest};
use gongkai_report::{Report, TemplateId, Value};
use gongkai_store::{PreparedFile, PreparedReport, Store};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub fn runtime() -> tokio::runtime::Runtime {
    gongkai_dataset::runtime().unwrap()
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// A fresh schema on the test server (`GONGKAI_TEST_PG`), or `None` when skipping was
/// asked for (`GONGKAI_SKIP_PG=1`).
pub fn pg_target(name: &str) -> Option<String> {
    let url = pg_url(name)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let schema = format!("gongkai_test_{name}_{}_{nanos}", std::process::id());
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}schema={schema}"))
}

/// The test server's URL (`GONGKAI_TEST_PG`), or `None` when skipping was asked for.
pub fn pg_url(name: &str) -> Option<String> {
    match std::env::var("GONGKAI_TEST_PG") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            if std::env::var("GONGKAI_SKIP_PG").as_deref() == Ok("1") {
                eprintln!("GONGKAI_SKIP_PG=1：跳过 PostgreSQL 测试 {name}");
                return None;
            }
            panic!(
                "PostgreSQL 测试需要环境变量 GONGKAI_TEST_PG，例如 \
                 GONGKAI_TEST_PG=postgres://postgres@127.0.0.1:5432/test \
                 （运行 scripts/ci-postgres.sh 可安装并启动本地服务器并打印地址）；\
                 确实要跳过时请设置 GONGKAI_SKIP_PG=1"
            );
        }
    }
}

pub fn opts() -> IngestOptions {
    IngestOptions {
        jobs: 2,
        retry_failed: false,
        ..IngestOptions::default()
    }
}

/// Every fixture is either stored or failed with a cause; a re-run skips all of them.
pub fn fixtures_then_rerun(target: &str) {
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let inputs = gongkai_dataset::collect_inputs(&[fixtures().to_string_lossy().into_owned()]);
    assert!(
        inputs.missing.is_empty() && inputs.refused.is_empty(),
        "{inputs:?}"
    );
    let files = inputs.files;
    assert!(files.len() >= 10, "{files:?}");
    let mut events = 0;
    let s = ingest(rt.handle(), &store, &files, &opts(), |_| events += 1).unwrap();
    assert_eq!(events, files.len());
    assert_eq!(s.files, files.len());
    assert_eq!(
        s.stored + s.failed + s.skipped + s.not_documents,
        files.len(),
        "{s:?}"
    );
    // README.md and the expected readings (JSON) are not documents.
    assert!(s.not_documents >= 2, "{s:?}");
    // The plain-text samples are read.
    assert!(s.reports >= 5, "{s:?}");
    let sources = rt.block_on(store.sources()).unwrap();
    for src in &sources {
        if src.status == "failed" {
            assert!(
                src.cause.as_deref().is_some_and(|c| !c.is_empty()),
                "{src:?}"
            );
        }
    }
    let tongchuan = sources
        .iter()
        .find(|s| s.file_name == "tongchuan-govoffice-2020.txt")
        .expect("tongchuan stored");
    assert_eq!(tongchuan.status, "ok");
    let before = rt.block_on(store.totals()).unwrap();

    let again = ingest(rt.handle(), &store, &files, &opts(), |_| {}).unwrap();
    assert_eq!(
        again.skipped + again.not_documents,
        files.len(),
        "{again:?}"
    );
    assert_eq!(again.stored, 0);
    assert_eq!(
        rt.block_on(store.totals()).unwrap(),
        before,
        "nothing stored twice"
    );
}

/// A run killed after some files is resumed by running on all of them.
pub fn resume_after_subset(target: &str) {
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let names = [
        "tongchuan-govoffice-2020.txt",
        "fengxiang-2020.txt",
        "qingtongxia-2021.txt",
        "tongjiang-2020.txt",
        "yuncheng-govoffice-2020.txt",
    ];
    let all: Vec<PathBuf> = names.iter().map(|n| fixtures().join(n)).collect();
    let first = ingest(rt.handle(), &store, &all[..2], &opts(), |_| {}).unwrap();
    assert_eq!(first.stored, 2);
    let rest = ingest(rt.handle(), &store, &all, &opts(), |_| {}).unwrap();
    assert_eq!(rest.skipped, 2, "{rest:?}");
    assert_eq!(rest.stored, 3, "{rest:?}");
    let t = rt.block_on(store.totals()).unwrap();
    assert_eq!(t.sources, 5);
    assert_eq!(t.reports, 5);
}

/// Random bytes and an empty file are stored as failed, with their cause.
pub fn bad_files(target: &str, dir: &Path) {
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let random = dir.join("random.bin");
    let mut x: u64 = 0x9e3779b97f4a7c15;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(&random, bytes).unwrap();
    let good = fixtures().join("tongjiang-2020.txt");
    let s = ingest(
        rt.handle(),
        &store,
        &[empty.clone(), random.clone(), good],
        &opts(),
        |_| {},
    )
    .unwrap();
    assert_eq!(s.stored, 1, "{s:?}");
    assert_eq!(s.failed, 2, "{s:?}");
    assert_eq!(s.failed_by_cause.get("文件为空"), Some(&1), "{s:?}");
    let sources = rt.block_on(store.sources()).unwrap();
    let e = sources.iter().find(|s| s.file_name == "empty.txt").unwrap();
    assert_eq!(e.status, "failed");
    assert!(e.cause.as_deref().unwrap().contains("文件为空"));
    let r = sources
        .iter()
        .find(|s| s.file_name == "random.bin")
        .unwrap();
    assert_eq!(r.status, "failed");
    assert!(!r.cause.as_deref().unwrap_or("").is_empty());
    // The checker's findings of the good (but wrong) report are stored.
    let t = rt.block_on(store.totals()).unwrap();
    assert!(t.reports_with_errors >= 1, "{t:?}");
    // Failed files are skipped next time too, unless asked to retry.
    let again = ingest(rt.handle(), &store, &[empty.clone()], &opts(), |_| {}).unwrap();
    assert_eq!(again.skipped, 1);
    let retry = ingest(
        rt.handle(),
        &store,
        &[empty],
        &IngestOptions {
            jobs: 1,
            retry_failed: true,
            ..IngestOptions::default()
        },
        |_| {},
    )
    .unwrap();
    assert_eq!(retry.failed, 1);
    assert_eq!(rt.block_on(store.totals()).unwrap().sources, 3);
}

/// Every stored cell equals what the reader read: value (blank ≠ 0 ≠ n/a), raw text, unit.
pub fn cells_round_trip(target: &str) {
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let names = ["tongchuan-govoffice-2020.txt", "qingtongxia-2021.txt"];
    let files: Vec<PathBuf> = names.iter().map(|n| fixtures().join(n)).collect();
    ingest(rt.handle(), &store, &files, &opts(), |_| {}).unwrap();
    let reports = rt.block_on(store.reports_after(0, 10)).unwrap();
    assert_eq!(reports.len(), 2);
    let (mut blanks, mut zeros, mut prose) = (0, 0, 0);
    for row in &reports {
        let stored = rt.block_on(store.load_report(row.id)).unwrap().unwrap();
        let bytes = std::fs::read(&row.member).unwrap();
        let read = gongkai_extract::read_bytes(&row.member, &bytes).unwrap();
        assert_eq!(stored.agency, read.agency);
        assert_eq!(stored.year, read.year);
        assert_eq!(stored.template, read.template);
        assert_eq!(stored.cells.len(), read.cells.len());
        // The prose comes back as read, section by section (the portal shows it).
        assert_eq!(stored.sections, read.sections);
        prose += read.sections.len();
        for (k, c) in &read.cells {
            let s = &stored.cells[k];
            assert_eq!(s.value, c.value, "{k}");
            assert_eq!(s.raw, c.raw, "{k}");
            assert_eq!(s.unit, c.unit, "{k}");
            assert_eq!(s.note, c.note, "{k}");
            assert_eq!(s.source, c.source, "{k}");
            match c.value {
                Value::Blank => blanks += 1,
                Value::Number(d) if d.to_i64() == Some(0) => zeros += 1,
                _ => {}
            }
        }
    }
    assert!(blanks > 0 && zeros > 0, "blanks {blanks}, zeros {zeros}");
    assert!(prose >= 6, "the samples' sections were read: {prose}");
}

fn prepared(name: &str, agency: &str, year: i32, values: &[(&str, i64)]) -> PreparedFile {
    let mut r = Report::from_values(
        name,
        TemplateId::for_year(year),
        values.iter().map(|(k, v)| (*k, Value::int(*v))),
    )
    .unwrap();
    r.agency = Some(agency.to_string());
    r.year = Some(year);
    let findings = gongkai_report::check(&r);
    PreparedFile {
        path: name.into(),
        file_name: name.into(),
        hash: format!("{:0>64}", name.len() * 1000 + year as usize + agency.len()),
        size: 1,
        format: Some("text"),
        reports: vec![PreparedReport {
            member: name.into(),
            format: "text",
            report: r,
            findings,
        }],
        failures: Vec::new(),
    }
}

/// YEAR.CARRY across two years of one agency, found whatever the spacing of its name;
/// a different agency (人民政府 vs 人民政府办公室) is never compared; recomputation is idempotent.
pub fn cross_year(target: &str) {
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let a = prepared(
        "a-2021.txt",
        "某市人民政府",
        2021,
        &[("requests.carried_out.total", 3)],
    );
    let b = prepared(
        "b-2022.txt",
        "　某市 人民政府 ",
        2022,
        &[("requests.carried_in.total", 2)],
    );
    let c = prepared(
        "c-2022.txt",
        "某市人民政府办公室",
        2022,
        &[("requests.carried_in.total", 9)],
    );
    for f in [&a, &b, &c] {
        assert!(rt.block_on(store.store_file(f, false)).unwrap());
    }
    assert!(
        !rt.block_on(store.store_file(&a, false)).unwrap(),
        "same hash is stored once"
    );
    assert_eq!(rt.block_on(store.cross_year()).unwrap(), 1);
    let cross = |s: &Store| {
        rt.block_on(s.findings_after(0, 10_000))
            .unwrap()
            .into_iter()
            .filter(|f| f.prev_report_id.is_some())
            .collect::<Vec<_>>()
    };
    let found = cross(&store);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule, "YEAR.CARRY");
    assert_eq!(found[0].member, "b-2022.txt");
    assert_eq!(found[0].cells, "requests.carried_in.total");
    // Nothing pending: a second pass writes nothing and keeps the finding.
    assert_eq!(rt.block_on(store.cross_year()).unwrap(), 0);
    assert_eq!(cross(&store).len(), 1);
    // A new year of the agency recomputes its findings without duplicating them.
    let d = prepared(
        "d-2023.txt",
        "某市人民政府",
        2023,
        &[("requests.carried_in.total", 0)],
    );
    assert!(rt.block_on(store.store_file(&d, false)).unwrap());
    rt.block_on(store.cross_year()).unwrap();
    let found = cross(&store);
    assert_eq!(found.len(), 1, "{found:?}");
    let keys: Vec<Option<String>> = rt
        .block_on(store.reports_after(0, 10))
        .unwrap()
        .into_iter()
        .map(|r| r.agency_key)
        .collect();
    assert_eq!(keys[0], keys[1]);
    assert_ne!(keys[0], keys[2]);
}

/// Several files in one transaction: a file stored before and the same content twice in
/// the batch are stored once; two archive members with the same name keep their own
/// cells (their rows cannot be told apart by name).
pub fn batch_store(target: &str) {
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let a = prepared("a.txt", "甲县人民政府", 2021, &[("requests.new.total", 1)]);
    let b = prepared("b.txt", "乙县人民政府", 2021, &[("requests.new.total", 2)]);
    let c = prepared("c.txt", "丙县人民政府", 2022, &[("requests.new.total", 3)]);
    let mut zip = prepared("z.zip", "丁县人民政府", 2021, &[("requests.new.total", 4)]);
    let mut twin = prepared("z.zip", "戊县人民政府", 2019, &[("requests.new.total", 5)]);
    for (f, h) in [(&mut zip, "1"), (&mut twin, "2")] {
        f.hash = format!("{h:f>64}");
    }
    let (mut b, mut c) = (b, c);
    b.hash = format!("{:b>64}", 1);
    c.hash = format!("{:c>64}", 1);
    zip.reports[0].member = "z.zip/年报.txt".into();
    twin.reports[0].member = "z.zip/年报.txt".into();
    zip.reports.push(twin.reports.remove(0));
    assert!(rt.block_on(store.store_file(&a, false)).unwrap());
    let results: Vec<bool> = rt
        .block_on(store.store_files(&[b.clone(), a.clone(), c.clone(), c.clone(), zip], false))
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(results, [true, false, true, false, true]);
    let rows = rt.block_on(store.reports_after(0, 100)).unwrap();
    assert_eq!(rows.len(), 5, "{rows:?}");
    for row in rows {
        let report = rt.block_on(store.load_report(row.id)).unwrap().unwrap();
        let expected = match row.agency.as_deref() {
            Some("甲县人民政府") => 1,
            Some("乙县人民政府") => 2,
            Some("丙县人民政府") => 3,
            Some("丁县人民政府") => 4,
            Some("戊县人民政府") => 5,
            other => panic!("unexpected agency {other:?}"),
        };
        assert_eq!(
            report.value("requests.new.total"),
            Value::int(expected),
            "{row:?}"
        );
        assert_eq!(report.template.id(), row.template);
    }
}

/// A file whose reading ended an earlier run (its reading note left behind, as a crash
/// in a reader leaves it) is stored as failed with that cause and not read; the other
/// files are stored once, and no note is left.
pub fn crashed_reading_is_recorded(target: &str, dir: &Path) {
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let names = [
        "qingtongxia-2021.txt",
        "tongjiang-2020.txt",
        "fengxiang-2020.txt",
    ];
    let files: Vec<PathBuf> = names
        .iter()
        .map(|n| {
            let p = dir.join(n);
            std::fs::copy(fixtures().join(n), &p).unwrap();
            p
        })
        .collect();
    let crash = &files[1];
    let bytes = std::fs::read(crash).unwrap();
    let hash = gongkai_dataset::content_hash(&bytes);
    let shown = crash.to_string_lossy().into_owned();
    // What the runs that died on it left: the note of the run that read it with
    // others, and the notes of the runs that read it alone, twice; their time is up.
    for run in ["killed", "killed-again/alone", "killed-once-more/alone"] {
        rt.block_on(store.reading_started(run, &hash, &shown, bytes.len() as u64, Duration::ZERO))
            .unwrap();
    }
    assert_eq!(rt.block_on(store.unfinished_readings()).unwrap().len(), 3);

    let s = ingest(rt.handle(), &store, &files, &opts(), |_| {}).unwrap();
    assert_eq!(s.crashed_before, vec![shown.clone()], "{s:?}");
    assert_eq!(s.stored, 2, "{s:?}");
    assert_eq!(s.skipped, 1, "the crashed file is not read again: {s:?}");
    assert!(rt.block_on(store.unfinished_readings()).unwrap().is_empty());
    let sources = rt.block_on(store.sources()).unwrap();
    assert_eq!(sources.len(), 3, "{sources:?}");
    let row = sources.iter().find(|r| r.hash == hash).unwrap();
    assert_eq!(row.status, "failed");
    assert_eq!(row.path, shown);
    assert!(
        row.cause.as_deref().unwrap().contains("读取时程序异常终止"),
        "{row:?}"
    );
    let t = rt.block_on(store.totals()).unwrap();
    assert_eq!(t.reports, 2);

    // Nothing is stored twice on the next run, and nothing is taken for a crash.
    let again = ingest(rt.handle(), &store, &files, &opts(), |_| {}).unwrap();
    assert!(again.crashed_before.is_empty());
    assert_eq!(again.skipped, 3, "{again:?}");
    assert_eq!(rt.block_on(store.totals()).unwrap(), t);
}

/// In-flight readings now, and the most seen while the suspect was read.
static IN_FLIGHT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static SUSPECT: std::sync::Mutex<Option<(String, usize)>> = std::sync::Mutex::new(None);

/// A reader that takes its time (so that readings overlap) and notes how many
/// readings were at work while it read the suspect.
fn overlap_reader(path: &str, bytes: &[u8], hash: String) -> PreparedFile {
    use std::sync::atomic::Ordering;
    let now = IN_FLIGHT.fetch_add(1, Ordering::SeqCst) + 1;
    std::thread::sleep(Duration::from_millis(30));
    let seen = IN_FLIGHT.load(Ordering::SeqCst).max(now);
    if let Some((h, most)) = SUSPECT.lock().unwrap().as_mut()
        && *h == hash
    {
        *most = (*most).max(seen);
    }
    let file = gongkai_dataset::prepare_file(path, bytes, hash);
    IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    file
}

/// A file that was being read, with others, when a run died (killed, or a reader
/// crashed on another file) is not taken for a crash: the next run reads it again,
/// alone, and stores it. Only a file whose solitary readings ended the program twice
/// is recorded as crashed.
pub fn a_file_read_when_a_run_died_is_read_again_alone(target: &str, dir: &Path) {
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let files = copies(
        dir,
        &[
            "qingtongxia-2021.txt",
            "tongjiang-2020.txt",
            "fengxiang-2020.txt",
            "tongchuan-govoffice-2020.txt",
        ],
    );
    let suspect = note_of(&files[1]);
    rt.block_on(store.reading_started("killed", &suspect.0, &suspect.1, suspect.2, Duration::ZERO))
        .unwrap();
    *SUSPECT.lock().unwrap() = Some((suspect.0.clone(), 0));
    let o = IngestOptions {
        jobs: 3,
        reader: overlap_reader,
        ..opts()
    };
    let s = ingest(rt.handle(), &store, &files, &o, |_| {}).unwrap();
    assert!(s.crashed_before.is_empty(), "{s:?}");
    assert_eq!((s.stored, s.failed), (4, 0), "{s:?}");
    let (_, most) = SUSPECT.lock().unwrap().take().unwrap();
    assert_eq!(
        most, 1,
        "the suspect was read with no other reading at work"
    );
    let row = rt
        .block_on(store.sources())
        .unwrap()
        .into_iter()
        .find(|r| r.hash == suspect.0)
        .unwrap();
    assert_eq!((row.status.as_str(), row.reports), ("ok", 1), "{row:?}");
    assert!(rt.block_on(store.unfinished_readings()).unwrap().is_empty());
}

/// Copies `names` from the fixtures into `dir`.
fn copies(dir: &Path, names: &[&str]) -> Vec<PathBuf> {
    names
        .iter()
        .map(|n| {
            let p = dir.join(n);
            std::fs::copy(fixtures().join(n), &p).unwrap();
            p
        })
        .collect()
}

/// `(hash, path, size)` of a file, as its reading note names it.
fn note_of(path: &Path) -> (String, String, u64) {
    let bytes = std::fs::read(path).unwrap();
    (
        gongkai_dataset::content_hash(&bytes),
        path.to_string_lossy().into_owned(),
        bytes.len() as u64,
    )
}

/// Two runs at work on one database: the note of a file another run is reading now
/// (within its bound) is no crash, and the next run reads that file as any other; only
/// a note past its bound is. The run's own notes are never taken for a crash.
pub fn only_stale_notes_of_other_runs_are_crashes(target: &str, dir: &Path) {
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let files = copies(
        dir,
        &[
            "qingtongxia-2021.txt",
            "tongjiang-2020.txt",
            "fengxiang-2020.txt",
        ],
    );
    let (live, dead) = (note_of(&files[0]), note_of(&files[1]));
    let bound = gongkai_dataset::reading_bound(Some(gongkai_dataset::DEFAULT_TIMEOUT));
    assert_eq!(bound, Duration::from_secs(300));
    // Another run reading the first file right now, with the default limit.
    rt.block_on(store.reading_started("live-run", &live.0, &live.1, live.2, bound))
        .unwrap();
    // Runs that ended while reading the second alone, twice: their bound has passed.
    for run in ["dead-run/alone", "dead-run-2/alone"] {
        rt.block_on(store.reading_started(run, &dead.0, &dead.1, dead.2, Duration::ZERO))
            .unwrap();
    }
    let notes = rt.block_on(store.unfinished_readings()).unwrap();
    assert_eq!(notes.len(), 3, "{notes:?}");
    let fresh = notes.iter().find(|r| r.run == "live-run").unwrap();
    assert!(fresh.stale_at > fresh.started_at, "{fresh:?}");
    let stale: Vec<String> = rt
        .block_on(store.stale_readings("this-run"))
        .unwrap()
        .into_iter()
        .map(|r| r.hash)
        .collect();
    assert_eq!(stale, vec![dead.0.clone(), dead.0.clone()]);
    // The dead run's own notes are its own, past their bound or not.
    assert_eq!(
        rt.block_on(store.stale_readings("dead-run/alone"))
            .unwrap()
            .len(),
        1
    );

    let s = ingest(rt.handle(), &store, &files, &opts(), |_| {}).unwrap();
    assert_eq!(s.crashed_before, vec![dead.1.clone()], "{s:?}");
    assert_eq!(
        s.stored, 2,
        "the file being read elsewhere is read here too: {s:?}"
    );
    assert_eq!(s.skipped, 1, "{s:?}");
    assert_eq!(s.failed, 0, "{s:?}");
    let sources = rt.block_on(store.sources()).unwrap();
    assert_eq!(sources.len(), 3, "{sources:?}");
    let row = |hash: &str| sources.iter().find(|r| r.hash == hash).unwrap().clone();
    assert_eq!(row(&live.0).status, "ok", "{:?}", row(&live.0));
    assert_eq!(row(&dead.0).status, "failed");
    assert!(
        row(&dead.0)
            .cause
            .as_deref()
            .unwrap()
            .starts_with(gongkai_dataset::CRASHED)
    );
    // Storing a file's result removes its notes, whoever wrote them.
    assert!(rt.block_on(store.unfinished_readings()).unwrap().is_empty());
}

/// A run stopped on purpose (Ctrl-C) clears its own reading notes, never those of a
/// run at work beside it.
pub fn clearing_notes_keeps_other_runs_notes(target: &str) {
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let minute = Duration::from_secs(60);
    for (run, hash) in [
        ("run-a", "h1"),
        ("run-a", "h2"),
        ("run-b", "h2"),
        ("run-b", "h3"),
    ] {
        rt.block_on(store.reading_started(run, hash, &format!("/{run}/{hash}"), 1, minute))
            .unwrap();
    }
    rt.block_on(store.clear_readings("run-a")).unwrap();
    let left: Vec<(String, String)> = rt
        .block_on(store.unfinished_readings())
        .unwrap()
        .into_iter()
        .map(|r| (r.run, r.hash))
        .collect();
    assert_eq!(
        left,
        vec![("run-b".into(), "h2".into()), ("run-b".into(), "h3".into())]
    );
    rt.block_on(store.clear_readings("run-b")).unwrap();
    assert!(rt.block_on(store.unfinished_readings()).unwrap().is_empty());
}

/// A file recorded as crashed (its note past its bound) and then read to the end by a
/// run that was slower than the bound: the reading's result replaces the crash record.
/// A crash record never replaces a result.
pub fn a_finished_reading_replaces_a_crash_record(target: &str, dir: &Path) {
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let files = copies(dir, &["qingtongxia-2021.txt", "tongjiang-2020.txt"]);
    let (slow, done) = (note_of(&files[0]), note_of(&files[1]));
    // The first file: crash record first, then the slow run's result.
    let crash = PreparedFile::crashed(&slow.1, slow.0.clone(), slow.2);
    assert!(crash.is_crash_record());
    assert!(rt.block_on(store.store_file(&crash, false)).unwrap());
    let read =
        gongkai_dataset::prepare_file(&slow.1, &std::fs::read(&files[0]).unwrap(), slow.0.clone());
    assert!(!read.reports.is_empty());
    assert!(
        rt.block_on(store.store_file(&read, false)).unwrap(),
        "the result is stored"
    );
    // The second file: result first, then a late crash record (a run that found the
    // note before the result removed it).
    let read =
        gongkai_dataset::prepare_file(&done.1, &std::fs::read(&files[1]).unwrap(), done.0.clone());
    assert!(rt.block_on(store.store_file(&read, false)).unwrap());
    let crash = PreparedFile::crashed(&done.1, done.0.clone(), done.2);
    assert!(
        !rt.block_on(store.store_file(&crash, false)).unwrap(),
        "nothing replaced"
    );

    let sources = rt.block_on(store.sources()).unwrap();
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert!(
        sources
            .iter()
            .all(|r| r.status == "ok" && r.cause.is_none() && r.reports == 1),
        "{sources:?}"
    );
    let t = rt.block_on(store.totals()).unwrap();
    assert_eq!((t.sources, t.reports), (2, 2), "{t:?}");
    // A failure that was read (not a crash) is not replaced without --retry-failed.
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let e = note_of(&empty);
    let failed = gongkai_dataset::prepare_file(&e.1, b"", e.0.clone());
    assert!(rt.block_on(store.store_file(&failed, false)).unwrap());
    let again = gongkai_dataset::prepare_file(&e.1, b"", e.0.clone());
    assert!(!rt.block_on(store.store_file(&again, false)).unwrap());
}

/// `copies` × 5 distinct text reports in `dir` (see `variants`).
pub fn variant_files(dir: &Path, copies: usize) -> Vec<PathBuf> {
    variants(dir, copies)
}

/// `copies` variants of the plain-text fixtures, each with distinct content (so a
/// distinct file to read), written into `dir`.
fn variants(dir: &Path, copies: usize) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    let names = [
        "tongchuan-govoffice-2020.txt",
        "fengxiang-2020.txt",
        "qingtongxia-2021.txt",
        "tongjiang-2020.txt",
        "yuncheng-govoffice-2020.txt",
    ];
    let mut out = Vec::new();
    for i in 0..copies {
        for n in names {
            let mut text = std::fs::read_to_string(fixtures().join(n)).unwrap();
            text.push_str(&"\n".repeat(i + 1));
            let p = dir.join(format!("{i:03}-{n}"));
            std::fs::write(&p, text).unwrap();
            out.push(p);
        }
    }
    out
}

/// Two ingest runs at once into one database (two machines on one PostgreSQL, or two
/// processes on one SQLite file), over folders that overlap: the second starts while
/// the first is reading. Neither takes the other's readings for crashes, every distinct
/// file is stored exactly once, and each run's counts add up.
pub fn two_runs_at_once(target: &str, dir: &Path) {
    let (a_dir, b_dir) = (dir.join("a"), dir.join("b"));
    let shared = variants(&a_dir, 12);
    // B: copies of all of A's files (same content, other paths) and some of its own.
    std::fs::create_dir_all(&b_dir).unwrap();
    for p in &shared {
        std::fs::copy(p, b_dir.join(p.file_name().unwrap())).unwrap();
    }
    variants(&b_dir.join("own"), 4);
    let a_files = gongkai_dataset::collect_inputs(&[a_dir.to_string_lossy().into_owned()]).files;
    let b_files = gongkai_dataset::collect_inputs(&[
        b_dir.to_string_lossy().into_owned(),
        // And the fixtures folder itself, in both.
        fixtures().to_string_lossy().into_owned(),
    ])
    .files;
    let a_files: Vec<PathBuf> = a_files
        .into_iter()
        .chain(gongkai_dataset::collect_inputs(&[fixtures().to_string_lossy().into_owned()]).files)
        .collect();
    let distinct: std::collections::HashSet<String> = a_files
        .iter()
        .chain(&b_files)
        .filter(|p| !gongkai_dataset::not_a_document_by_name(p))
        .map(|p| note_of(p).0)
        .collect();

    let rt = runtime();
    let watcher = rt.block_on(Store::open(target)).unwrap();
    let a = std::thread::spawn({
        let (target, files) = (target.to_string(), a_files.clone());
        move || {
            let rt = runtime();
            let store = rt.block_on(Store::open(&target)).unwrap();
            let s = ingest(rt.handle(), &store, &files, &opts(), |_| {}).unwrap();
            rt.block_on(store.close());
            s
        }
    });
    // B starts while A is reading: A's notes are in the table.
    let started = std::time::Instant::now();
    while rt
        .block_on(watcher.unfinished_readings())
        .unwrap()
        .is_empty()
    {
        assert!(
            !a.is_finished(),
            "the first run ended before it was seen reading"
        );
        assert!(started.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(2));
    }
    let b = std::thread::spawn({
        let (target, files) = (target.to_string(), b_files.clone());
        move || {
            let rt = runtime();
            let store = rt.block_on(Store::open(&target)).unwrap();
            let s = ingest(rt.handle(), &store, &files, &opts(), |_| {}).unwrap();
            rt.block_on(store.close());
            s
        }
    });
    let (sa, sb) = (a.join().unwrap(), b.join().unwrap());

    for (s, n) in [(&sa, a_files.len()), (&sb, b_files.len())] {
        assert!(s.crashed_before.is_empty(), "{s:?}");
        assert!(
            !s.failed_by_cause.contains_key(gongkai_dataset::CRASHED),
            "{s:?}"
        );
        assert_eq!(
            s.stored + s.failed + s.skipped + s.not_documents,
            n,
            "{s:?}"
        );
    }
    let sources = rt.block_on(watcher.sources()).unwrap();
    assert!(
        sources.iter().all(|r| !r
            .cause
            .as_deref()
            .unwrap_or("")
            .contains(gongkai_dataset::CRASHED)),
        "{sources:?}"
    );
    let stored: std::collections::HashSet<String> =
        sources.iter().map(|r| r.hash.clone()).collect();
    assert_eq!(stored, distinct, "every distinct file stored, nothing else");
    assert_eq!(sources.len(), distinct.len(), "each once");
    // Each file stored by exactly one of the two runs.
    assert_eq!(
        sa.stored + sa.failed + sb.stored + sb.failed,
        distinct.len(),
        "{sa:?} {sb:?}"
    );
    let t = rt.block_on(watcher.totals()).unwrap();
    assert_eq!(t.sources as usize, distinct.len());
    assert_eq!(t.reports as usize, sa.reports + sb.reports, "{t:?}");
    assert_eq!(
        t.reports,
        sources.iter().map(|r| r.reports).sum::<i64>(),
        "no report stored twice"
    );
    assert!(
        rt.block_on(watcher.unfinished_readings())
            .unwrap()
            .is_empty()
    );
}

/// A writer whose bytes the test reads afterwards.
#[derive(Clone, Default)]
pub struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
}

/// The export of `content` as `format`, as bytes, and its row count.
fn exported(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    format: gongkai_dataset::export::Format,
    content: gongkai_dataset::export::Content,
) -> (usize, Vec<u8>) {
    let buf = Buffer::default();
    let to = gongkai_dataset::export::Destination::Writer(Box::new(buf.clone()));
    let n = rt
        .block_on(gongkai_dataset::export::export(store, format, content, to))
        .unwrap();
    (n, buf.bytes())
}

/// The exports, from the library the command line and the web share: long and wide
/// cells, findings, in CSV, JSON and XLSX; blank stays blank and 0 stays 0 in each.
pub fn exports(target: &str) {
    use gongkai_dataset::export::{Content, Format};
    let rt = runtime();
    let store = rt.block_on(Store::open(target)).unwrap();
    let files: Vec<PathBuf> = ["tongchuan-govoffice-2020.txt", "qingtongxia-2021.txt"]
        .iter()
        .map(|n| fixtures().join(n))
        .collect();
    ingest(rt.handle(), &store, &files, &opts(), |_| {}).unwrap();
    let t = rt.block_on(store.totals()).unwrap();

    // Long CSV: a BOM, one row per cell; blank empty, 0 as 0.
    let (n, csv) = exported(&rt, &store, Format::Csv, Content::Long);
    assert_eq!(n as i64, t.cells);
    assert!(csv.starts_with("\u{feff}source,agency,year,template,key,value,kind,".as_bytes()));
    let text = String::from_utf8(csv).unwrap();
    assert_eq!(text.lines().count(), n + 1);
    let row = |source: &str, key: &str| {
        text.lines()
            .find(|l| l.contains(source) && l.contains(&format!(",{key},")))
            .unwrap_or_else(|| panic!("{source} {key}"))
            .to_string()
    };
    assert!(
        row("tongchuan", "requests.carried_in.total")
            .contains(",requests.carried_in.total,,blank,"),
        "{}",
        row("tongchuan", "requests.carried_in.total")
    );
    assert!(
        row("qingtongxia", "requests.carried_in.total")
            .contains(",requests.carried_in.total,0,number,"),
        "{}",
        row("qingtongxia", "requests.carried_in.total")
    );

    // Wide JSON: one object per report, cells nested, null vs 0.
    let (n, json) = exported(&rt, &store, Format::Json, Content::Wide);
    assert_eq!(n as i64, t.reports);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let by = |s: &str| {
        rows.iter()
            .find(|r| r["source"].as_str().unwrap().contains(s))
            .unwrap()
    };
    assert_eq!(
        by("tongchuan")["cells"]["requests.carried_in.total"],
        serde_json::Value::Null
    );
    assert_eq!(
        by("qingtongxia")["cells"]["requests.carried_in.total"],
        serde_json::json!(0)
    );
    assert_eq!(by("qingtongxia")["year"], serde_json::json!(2021));

    // Findings JSON: every stored finding once.
    let (n, json) = exported(&rt, &store, Format::Json, Content::Findings);
    assert_eq!(n as i64, t.findings);
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), n);

    // XLSX into a writer: a zip (the workbook), one header row and a row per report.
    let (n, xlsx) = exported(&rt, &store, Format::Xlsx, Content::Wide);
    assert_eq!(n as i64, t.reports);
    assert!(xlsx.starts_with(b"PK\x03\x04"), "an XLSX is a zip");
    rt.block_on(store.close());
}
