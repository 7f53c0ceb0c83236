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
    common::pg_target(name)
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
fn pg_a_file_read_when_a_run_died_is_read_again_alone() {
    let dir = tempfile::tempdir().unwrap();
    with_pg("alone", |t| {
        common::a_file_read_when_a_run_died_is_read_again_alone(t, dir.path())
    });
}

#[test]
fn pg_exports() {
    with_pg("exports", common::exports);
}

/// A TCP proxy in front of the test server, to cut the connections of a run.
struct Proxy {
    addr: std::net::SocketAddr,
    dead: std::sync::Arc<std::sync::atomic::AtomicBool>,
    streams: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl Proxy {
    fn start(upstream: String) -> Proxy {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let dead = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let streams = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (d, st) = (dead.clone(), streams.clone());
        std::thread::spawn(move || {
            while !d.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    continue;
                };
                client.set_nonblocking(false).unwrap();
                let Ok(server) = std::net::TcpStream::connect(&upstream) else {
                    continue;
                };
                {
                    let mut st = st.lock().unwrap();
                    st.push(client.try_clone().unwrap());
                    st.push(server.try_clone().unwrap());
                }
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
            // Dropped here: nothing listens any more, new connections are refused.
        });
        Proxy {
            addr,
            dead,
            streams,
        }
    }

    /// The server is gone: every connection cut, none accepted.
    fn kill(&self) {
        self.dead.store(true, std::sync::atomic::Ordering::SeqCst);
        for s in self.streams.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// `url` with its host and port replaced by `addr`.
fn via(url: &str, addr: std::net::SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let user = authority
        .rsplit_once('@')
        .map(|(u, _)| format!("{u}@"))
        .unwrap_or_default();
    format!("{scheme}://{user}{addr}{tail}")
}

/// `host:port` of a PostgreSQL URL.
fn host_port(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let hp = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    if hp.contains(':') {
        hp.to_string()
    } else {
        format!("{hp}:5432")
    }
}

/// The server ends the run's connections again and again mid-run
/// (`pg_terminate_backend`): the run notices each time, connects again and goes on;
/// every file is stored exactly once.
#[test]
fn pg_dropped_connections_are_retried() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let name = format!("gongkai_drop_{}", std::process::id());
    with_pg("dropped", |t| {
        let t = format!("{t}&application_name={name}");
        let files = common::variant_files(dir.path(), 30);
        let rt = common::runtime();
        let store = rt.block_on(Store::open(&t)).unwrap();
        let url = std::env::var("GONGKAI_TEST_PG").unwrap();
        let killer = std::thread::spawn({
            let name = name.clone();
            move || {
                let rt = common::runtime();
                let mut c = rt.block_on(sqlx::PgConnection::connect(&url)).unwrap();
                let mut ended = 0;
                for _ in 0..8 {
                    std::thread::sleep(std::time::Duration::from_millis(120));
                    let n: Vec<bool> = rt
                        .block_on(
                            sqlx::query_scalar(
                                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                                 WHERE application_name = $1",
                            )
                            .bind(&name)
                            .fetch_all(&mut c),
                        )
                        .unwrap();
                    ended += n.iter().filter(|b| **b).count();
                }
                ended
            }
        });
        let opts = gongkai_dataset::IngestOptions {
            db_patience: std::time::Duration::from_secs(30),
            ..common::opts()
        };
        let s = gongkai_dataset::ingest(rt.handle(), &store, &files, &opts, |_| {}).unwrap();
        let ended = killer.join().unwrap();
        eprintln!("{ended} connections ended mid-run: {s:?}");
        assert!(ended > 0, "no connection of the run was ended");
        assert_eq!(s.stored + s.skipped, files.len(), "{s:?}");
        assert_eq!(s.failed, 0, "{s:?}");
        let t = rt.block_on(store.totals()).unwrap();
        assert_eq!(t.sources as usize, files.len(), "{t:?}");
        assert_eq!(
            t.reports as usize,
            files.len(),
            "each file stored once: {t:?}"
        );
        assert!(rt.block_on(store.unfinished_readings()).unwrap().is_empty());
    });
}

/// The server goes away mid-run (the connection cut, new ones refused): the run stops
/// within its bound with the cause in Chinese; every file committed before stays.
#[test]
fn pg_lost_server_stops_the_run_within_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    with_pg("lost", |t| {
        let proxy = Proxy::start(host_port(t));
        let through = via(t, proxy.addr);
        let files = common::variant_files(dir.path(), 40);
        let rt = common::runtime();
        let store = rt.block_on(Store::open(&through)).unwrap();
        let patience = std::time::Duration::from_secs(3);
        let opts = gongkai_dataset::IngestOptions {
            db_patience: patience,
            ..common::opts()
        };
        let mut stored = 0;
        let mut cut_at = None;
        let e = gongkai_dataset::ingest(rt.handle(), &store, &files, &opts, |ev| {
            if matches!(ev.outcome, gongkai_dataset::Outcome::Stored { .. }) {
                stored += 1;
                if cut_at.is_none() {
                    proxy.kill();
                    cut_at = Some(std::time::Instant::now());
                }
            }
        })
        .unwrap_err();
        let took = cut_at.unwrap().elapsed();
        eprintln!("stopped {took:?} after the cut: {e}");
        assert!(took < patience * 3, "stopped {took:?} after the cut");
        assert!(
            e.cause().contains("连接") || e.cause().contains("没有回答"),
            "{e}"
        );
        assert!(e.cause().contains("秒、重试"), "{e}");
        // What was committed before the cut is there, complete.
        let direct = rt.block_on(Store::open(t)).unwrap();
        let totals = rt.block_on(direct.totals()).unwrap();
        assert!(totals.sources as usize >= stored, "{totals:?} {stored}");
        assert_eq!(totals.sources, totals.reports, "{totals:?}");
        assert!(totals.sources > 0);
        // Run again on the server itself: the rest is stored, nothing twice.
        let s =
            gongkai_dataset::ingest(rt.handle(), &direct, &files, &common::opts(), |_| {}).unwrap();
        assert_eq!(s.stored + s.skipped, files.len(), "{s:?}");
        let t2 = rt.block_on(direct.totals()).unwrap();
        assert_eq!(t2.sources as usize, files.len());
        assert_eq!(t2.reports as usize, files.len());
    });
}
