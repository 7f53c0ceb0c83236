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
fn exports() {
    let dir = tempfile::tempdir().unwrap();
    common::exports(&db(&dir));
}
