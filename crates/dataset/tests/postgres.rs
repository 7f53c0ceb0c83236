//! The store on a real PostgreSQL server: the same checks as on SQLite, each in a
//! fresh schema that is dropped afterwards.
//!
//! Set `GONGKAI_TEST_PG` to a URL with the user in it, e.g.
//! `GONGKAI_TEST_PG=postgres://postgres@127.0.0.1:5432/test` (`scripts/ci-postgres.sh`
//! starts a local server and prints one). Without it these tests fail, unless
//! `GONGKAI_SKIP_PG=1` says to skip them on purpose.

mod common;

use gongkai_store::Store;

/// A fresh schema on the test server, or `None` when skipping was asked for.
fn target(name: &str) -> Option<String> {
    let url = match std::env::var("GONGKAI_TEST_PG") {
        Ok(u) if !u.trim().is_empty() => u,
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
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let schema = format!("gongkai_test_{name}_{}_{nanos}", std::process::id());
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}schema={schema}"))
}

fn with_pg(name: &str, f: impl FnOnce(&str)) {
    let Some(t) = target(name) else { return };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&t)));
    let rt = common::runtime();
    if let Ok(store) = rt.block_on(Store::open(&t)) {
        let _ = rt.block_on(store.drop_schema());
    }
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

#[test]
fn pg_is_really_postgres() {
    with_pg("engine", |t| {
        let rt = common::runtime();
        let store = rt.block_on(Store::open(t)).unwrap();
        assert!(store.is_postgres());
    });
}

#[test]
fn pg_fixtures_then_rerun() {
    with_pg("fixtures", common::fixtures_then_rerun);
}

#[test]
fn pg_resume_after_subset() {
    with_pg("resume", common::resume_after_subset);
}

#[test]
fn pg_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    with_pg("bad", |t| common::bad_files(t, dir.path()));
}

#[test]
fn pg_cells_round_trip() {
    with_pg("cells", common::cells_round_trip);
}

#[test]
fn pg_cross_year() {
    with_pg("cross", common::cross_year);
}

#[test]
fn pg_batch_store() {
    with_pg("batch", common::batch_store);
}

#[test]
fn pg_crashed_reading_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    with_pg("crashed", |t| {
        common::crashed_reading_is_recorded(t, dir.path())
    });
}

#[test]
fn pg_only_stale_notes_of_other_runs_are_crashes() {
    let dir = tempfile::tempdir().unwrap();
    with_pg("stale", |t| {
        common::only_stale_notes_of_other_runs_are_crashes(t, dir.path())
    });
}

#[test]
fn pg_clearing_notes_keeps_other_runs_notes() {
    with_pg("clear", common::clearing_notes_keeps_other_runs_notes);
}

#[test]
fn pg_a_finished_reading_replaces_a_crash_record() {
    let dir = tempfile::tempdir().unwrap();
    with_pg("replace", |t| {
        common::a_finished_reading_replaces_a_crash_record(t, dir.path())
    });
}

#[test]
fn pg_two_runs_at_once() {
    let dir = tempfile::tempdir().unwrap();
    with_pg("twoatonce", |t| common::two_runs_at_once(t, dir.path()));
}

#[test]
fn pg_exports() {
    with_pg("exports", common::exports);
}
