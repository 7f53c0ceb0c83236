//! The store on SQLite (a fresh file per test).

mod common;

fn db(dir: &tempfile::TempDir) -> String {
    dir.path().join("gongkai.db").to_string_lossy().into_owned()
}

#[test]
fn fixtures_then_rerun() {
    let dir = tempfile::tempdir().unwrap();
    common::fixtures_then_rerun(&db(&dir));
}

#[test]
fn resume_after_subset() {
    let dir = tempfile::tempdir().unwrap();
    common::resume_after_subset(&db(&dir));
}

#[test]
fn bad_files() {
    let dir = tempfile::tempdir().unwrap();
    common::bad_files(&db(&dir), dir.path());
}

#[test]
fn cells_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    common::cells_round_trip(&db(&dir));
}

#[test]
fn cross_year() {
    let dir = tempfile::tempdir().unwrap();
    common::cross_year(&db(&dir));
}

#[test]
fn batch_store() {
    let dir = tempfile::tempdir().unwrap();
    common::batch_store(&db(&dir));
}

#[test]
fn crashed_reading_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    common::crashed_reading_is_recorded(&db(&dir), dir.path());
}

#[test]
fn only_stale_notes_of_other_runs_are_crashes() {
    let dir = tempfile::tempdir().unwrap();
    common::only_stale_notes_of_other_runs_are_crashes(&db(&dir), dir.path());
}

#[test]
fn clearing_notes_keeps_other_runs_notes() {
    let dir = tempfile::tempdir().unwrap();
    common::clearing_notes_keeps_other_runs_notes(&db(&dir));
}

#[test]
fn a_finished_reading_replaces_a_crash_record() {
    let dir = tempfile::tempdir().unwrap();
    common::a_finished_reading_replaces_a_crash_record(&db(&dir), dir.path());
}

#[test]
fn two_runs_at_once() {
    let dir = tempfile::tempdir().unwrap();
    common::two_runs_at_once(&db(&dir), dir.path());
}

#[test]
fn a_file_read_when_a_run_died_is_read_again_alone() {
    let dir = tempfile::tempdir().unwrap();
    common::a_file_read_when_a_run_died_is_read_again_alone(&db(&dir), dir.path());
}

#[test]
fn exports() {
    let dir = tempfile::tempdir().unwrap();
    common::exports(&db(&dir));
}

/// A database file whose write lock another program holds: the run says so and stops
/// within its bound (it used to wait in silence); what was stored stays, and once the
/// lock is gone the same command goes on.
#[test]
fn a_locked_database_is_said_within_the_bound() {
    use sqlx::Connection;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let rt = common::runtime();
    let store = rt.block_on(gongkai_store::Store::open(&db)).unwrap();
    let first = [common::fixtures().join("tongjiang-2020.txt")];
    let s = gongkai_dataset::ingest(rt.handle(), &store, &first, &common::opts(), |_| {}).unwrap();
    assert_eq!(s.stored, 1);
    // Another program (here a second connection) takes the write lock and keeps it.
    let mut other = rt
        .block_on(sqlx::sqlite::SqliteConnection::connect(&format!(
            "sqlite://{db}"
        )))
        .unwrap();
    rt.block_on(sqlx::query("BEGIN EXCLUSIVE").execute(&mut other))
        .unwrap();
    // Past SQLite's own wait for a lock (10 s), so that the cause can show.
    let opts = gongkai_dataset::IngestOptions {
        db_patience: Duration::from_secs(12),
        ..common::opts()
    };
    let next = [common::fixtures().join("qingtongxia-2021.txt")];
    let started = Instant::now();
    let e = gongkai_dataset::ingest(rt.handle(), &store, &next, &opts, |_| {}).unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(25), "{took:?}");
    assert!(took >= Duration::from_secs(12), "{took:?}");
    assert!(
        e.cause()
            .starts_with("数据库文件被其他程序锁定；等待 12 秒、重试"),
        "{e}"
    );
    assert!(e.cause().ends_with("次仍未恢复"), "{e}");
    rt.block_on(sqlx::query("ROLLBACK").execute(&mut other))
        .unwrap();
    rt.block_on(other.close()).unwrap();
    assert_eq!(rt.block_on(store.totals()).unwrap().sources, 1);
    let s = gongkai_dataset::ingest(rt.handle(), &store, &next, &common::opts(), |_| {}).unwrap();
    assert_eq!((s.stored, s.skipped), (1, 0), "{s:?}");
    assert_eq!(rt.block_on(store.totals()).unwrap().reports, 2);
}
