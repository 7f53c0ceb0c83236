//! Load on `gongkai serve`: the built binary serving an office with many cases,
//! measured from outside by `wrk` (Debian's package, installed by scripts/setup.sh).
//!
//!     cargo bench -p gongkai --bench serve_load                 # SQLite, 100,000 cases
//!     GONGKAI_LOAD_DB=postgres://postgres@127.0.0.1:5432/load cargo bench -p gongkai --bench serve_load
//!     GONGKAI_LOAD_CASES=20000 GONGKAI_LOAD_SECONDS=10 cargo bench -p gongkai --bench serve_load
//!
//! It seeds the demo office plus GONGKAI_LOAD_CASES registered applications spread
//! over five years, 99 in 100 closed (a SQLite seed is kept in target/ and reused; a
//! PostgreSQL schema is made anew, then vacuumed and analysed as autovacuum would do
//! in time), starts the server, times how long it takes to answer,
//! logs the clerk in, and runs wrk against the inbox, a case page (a different case
//! each request, each view audited) and the JSON API, with 50 and 200 connections.
//! It also sends `PORTAL_APPLICATIONS` online applications (half confirmed into
//! cases) and runs the public portal's status lookup (`POST /public/track` with the
//! 申请编号 and 查询码, each lookup audited) at 50 and 200 connections.
//! Each route is warmed for a second first (not counted). It prints requests/s, p50
//! and p99 latency, and the server's peak RSS.

use gongkai_cases::{ApplicantKind, Channel, NaiveDate};
use gongkai_office::casework::Registration;
use gongkai_office::{Clock, Office};
use gongkai_store::Store;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicI64, AtomicUsize};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn registration(i: usize) -> Registration {
    // Five years back from 2022, a working day's spread of dates.
    let start = NaiveDate::from_ymd_opt(2022, 1, 4).unwrap();
    let submitted = start + chrono::Duration::days((i % 1790) as i64);
    Registration {
        channel: if i % 3 == 0 {
            Channel::InPerson
        } else {
            Channel::Online
        },
        applicant_kind: if i % 5 == 0 {
            ApplicantKind::Business
        } else {
            ApplicantKind::NaturalPerson
        },
        applicant_name: format!("压测申请人{i}"),
        id_type: Some("居民身份证".into()),
        id_number: Some(format!("11010119900307{:04}", i % 10_000)),
        phone: Some(format!("139{:08}", i)),
        email: None,
        address: Some("演示县人民路1号".into()),
        request: format!("第{i}号项目的立项批复、资金安排及验收文件"),
        submitted,
        confirmed: (i % 3 != 0).then_some(submitted),
        provision: None,
    }
}

/// The demo office plus `n` cases at the county office, 99 in 100 of them closed
/// (withdrawn), as in an office's store after some years; returns the id range of
/// the seeded cases once the seed is committed and the store closed.
async fn seed(url: &str, n: usize) -> (i64, i64) {
    let store = Store::open_with(url, 8)
        .await
        .expect("open the load database");
    let office = Office::new(store, Clock::System).await.unwrap();
    let demo = gongkai_office::demo::seed(&office).await.unwrap();
    let agency = office.agency(demo.office_id).await.unwrap();
    let user = office.store.user_by_login("clerk").await.unwrap().unwrap();
    let clerk = gongkai_office::Actor::new(&user, &agency).unwrap();
    // The registering tasks share the office and three counters.
    struct Shared {
        office: Office,
        agency: gongkai_store::office::AgencyRow,
        clerk: gongkai_office::Actor,
        next: AtomicUsize,
        lo: AtomicI64,
        hi: AtomicI64,
        started: Instant,
        n: usize,
    }
    let shared = Arc::new(Shared {
        office,
        agency,
        clerk,
        next: AtomicUsize::new(0),
        lo: AtomicI64::new(i64::MAX),
        hi: AtomicI64::new(0),
        started: Instant::now(),
        n,
    });
    // SQLite has one writer: more tasks would only queue for it.
    let parallel = if url.starts_with("postgres") { 8 } else { 1 };
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..parallel {
        let s = Arc::clone(&shared);
        tasks.spawn(async move {
            loop {
                let i = s.next.fetch_add(1, Relaxed);
                if i >= s.n {
                    break;
                }
                let reg = registration(i);
                // Case numbers are per receipt year; a conflict on the number is retried.
                let id = loop {
                    match s
                        .office
                        .register_for(&s.agency, None, &reg, false, None)
                        .await
                    {
                        Ok(id) => break id,
                        Err(gongkai_office::OfficeError::Conflict(_)) => continue,
                        Err(e) => panic!("seeding case {i}: {e}"),
                    }
                };
                s.lo.fetch_min(id, Relaxed);
                s.hi.fetch_max(id, Relaxed);
                if i % 100 != 0 {
                    let withdraw = gongkai_office::Step::Withdraw {
                        reason: "申请人撤回".into(),
                    };
                    let on = reg.confirmed.unwrap_or(reg.submitted);
                    s.office
                        .act(&s.clerk, id, 1, &withdraw, Some(on), None)
                        .await
                        .unwrap_or_else(|e| panic!("closing case {id}: {e}"));
                }
                if (i + 1) % 10_000 == 0 {
                    eprintln!(
                        "  seeded {} cases ({:.0}/s)",
                        i + 1,
                        (i + 1) as f64 / s.started.elapsed().as_secs_f64()
                    );
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a seeding task panicked");
    }
    eprintln!(
        "seeded {n} cases in {:.1} s",
        shared.started.elapsed().as_secs_f64()
    );
    shared.office.store.close().await;
    (shared.lo.load(Relaxed), shared.hi.load(Relaxed))
}

/// Online applications sent for the lookup runs.
const PORTAL_APPLICATIONS: usize = 200;

/// Sends online applications to the demo county office, confirms every second one,
/// and returns their (申请编号, 查询码).
async fn seed_portal(url: &str) -> Vec<(String, String)> {
    let store = Store::open_with(url, 8)
        .await
        .expect("open the load database");
    let office = Office::new(store, Clock::System).await.unwrap();
    let user = office.store.user_by_login("clerk").await.unwrap().unwrap();
    let agency = office.agency(user.agency_id).await.unwrap();
    let clerk = gongkai_office::Actor::new(&user, &agency).unwrap();
    let mut keys = Vec::new();
    for i in 0..PORTAL_APPLICATIONS {
        let form = gongkai_office::application_form::ApplicationForm {
            applicant_kind: "natural_person".into(),
            applicant_name: format!("网上申请人{i}"),
            id_type: "居民身份证".into(),
            id_number: "11010519491231002X".into(),
            phone: "13800138000".into(),
            request: format!("第 {i} 件网上申请所涉的政府信息"),
            form: "电子".into(),
            delivery: "在线下载".into(),
            ..Default::default()
        };
        // One address per application: the per-address limit is not what is measured.
        let r = office
            .submit_online(agency.id, &form, vec![], &format!("seed-{i}"))
            .await
            .unwrap_or_else(|e| panic!("online application {i}: {e}"));
        keys.push((r.number, r.code));
    }
    let pending = office.pending_online(&clerk, 1000).await.unwrap().0;
    for p in pending.iter().step_by(2) {
        office.confirm_online(&clerk, p.id, None).await.unwrap();
    }
    // The last seed on both engines: PostgreSQL's tables are vacuumed and analysed,
    // as autovacuum would do before an office's working day.
    office.store.vacuum_analyze().await.unwrap();
    office.store.close().await;
    keys
}

/// A wrk script that looks the applications up in turn.
fn lookup_script(dir: &std::path::Path, keys: &[(String, String)]) -> PathBuf {
    let p = dir.join("lookup.lua");
    let list: Vec<String> = keys
        .iter()
        .map(|(n, c)| format!("\"number={n}&code={c}\""))
        .collect();
    std::fs::write(
        &p,
        format!(
            r#"local bodies = {{ {} }}
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/public/track",
    {{ ["Content-Type"] = "application/x-www-form-urlencoded" }}, bodies[n % #bodies + 1])
end
"#,
            list.join(", ")
        ),
    )
    .unwrap();
    p
}

/// A wrk script that floods the online application form from one address: a real
/// form with its token, sent as fast as wrk can, or with `pause_ms` between the
/// requests of each connection (the per-address limit answers all but the first few
/// with 429).
fn flood_script(dir: &std::path::Path, port: u16, agency: i64, pause_ms: u32) -> PathBuf {
    let (_, headers, _) = http(
        port,
        &format!("GET /public/agencies/{agency}/apply HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    )
    .unwrap();
    let token = headers
        .lines()
        .find_map(|l| {
            let v = l.strip_prefix("set-cookie: gk_public=")?;
            Some(v.split(';').next()?.to_string())
        })
        .expect("the apply form's token");
    let fields = [
        ("_token", token.as_str()),
        ("applicant_kind", "natural_person"),
        ("applicant_name", "洪水"),
        ("id_type", "居民身份证"),
        ("id_number", "11010519491231002X"),
        ("phone", "13800138000"),
        ("request", "大量重复提交的申请内容"),
        ("form", "电子"),
        ("delivery", "在线下载"),
    ];
    let body: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "--B0\\r\\nContent-Disposition: form-data; name=\\\"{k}\\\"\\r\\n\\r\\n{v}\\r\\n"
            )
        })
        .collect::<String>()
        + "--B0--\\r\\n";
    let p = dir.join(format!("flood-{pause_ms}.lua"));
    let pause = if pause_ms == 0 {
        String::new()
    } else {
        format!("delay = function() return {pause_ms} end\n")
    };
    std::fs::write(
        &p,
        format!(
            r#"wrk.method = "POST"
wrk.path = "/public/agencies/{agency}/submit"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=B0"
wrk.headers["Cookie"] = "gk_public={token}"
wrk.body = "{body}"
{pause}"#
        ),
    )
    .unwrap();
    p
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request on a fresh connection; returns (status line, headers, body).
fn http(port: u16, request: &str) -> std::io::Result<(String, String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    Ok((status.to_string(), headers.to_string(), body.to_string()))
}

/// Logs the demo clerk in: (the session cookie, the clerk's agency id).
fn login(port: u16) -> (String, i64) {
    let body = format!(
        r#"{{"login":"clerk","password":"{}"}}"#,
        gongkai_office::demo::DEMO_PASSWORD
    );
    let (status, headers, body) = http(
        port,
        &format!(
            "POST /api/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .unwrap();
    assert!(status.contains("200"), "login: {status}");
    let agency = body
        .split("\"agency_id\":")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|d| d.parse::<i64>().ok())
        .unwrap_or_else(|| panic!("the clerk's agency in the login answer: {body}"));
    let cookie = headers
        .lines()
        .find_map(|l| {
            let v = l
                .strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))?;
            v.starts_with(gongkai_web::SESSION_COOKIE)
                .then(|| v.split(';').next().unwrap().to_string())
        })
        .expect("a session cookie");
    (cookie, agency)
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

struct Run {
    name: &'static str,
    connections: u32,
    rps: f64,
    p50: String,
    p99: String,
    errors: String,
}

fn wrk(
    port: u16,
    cookie: &str,
    script: &std::path::Path,
    name: &'static str,
    connections: u32,
    seconds: u32,
) -> Run {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "--timeout",
            "10s",
            "-s",
        ])
        .arg(script)
        .arg(format!("http://127.0.0.1:{port}"))
        .env("GONGKAI_COOKIE", cookie)
        .output()
        .expect("wrk (run `sh scripts/setup.sh`)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| "?".into())
    };
    let errors = text
        .lines()
        .filter(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ");
    Run {
        name,
        connections,
        rps: field("Requests/sec:").parse().unwrap_or(f64::NAN),
        p50: field("50%"),
        p99: field("99%"),
        errors: if errors.is_empty() {
            "none".into()
        } else {
            errors
        },
    }
}

fn script(dir: &std::path::Path, name: &str, path_lua: &str) -> PathBuf {
    let p = dir.join(format!("{name}.lua"));
    std::fs::write(
        &p,
        format!(
            r#"local cookie = os.getenv("GONGKAI_COOKIE")
local n = 0
request = function()
  n = n + 1
  local path = {path_lua}
  return wrk.format("GET", path, {{ ["Cookie"] = cookie }})
end
"#
        ),
    )
    .unwrap();
    p
}

fn main() {
    // `cargo bench` passes --bench; nothing else is accepted.
    let cases: usize = env_or("GONGKAI_LOAD_CASES", 100_000);
    let seconds: u32 = env_or("GONGKAI_LOAD_SECONDS", 20);
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve_load");
    std::fs::create_dir_all(&target).unwrap();
    // PostgreSQL: a schema of its own, dropped at the end.
    let url = match std::env::var("GONGKAI_LOAD_DB") {
        Ok(base) => {
            assert!(
                base.starts_with("postgres://") || base.starts_with("postgresql://"),
                "GONGKAI_LOAD_DB must be a postgres:// URL (unset it for SQLite), not {base:?}"
            );
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}schema=gk_load_{}", std::process::id())
        }
        Err(_) => format!(
            "sqlite:{}",
            target.join(format!("office-{cases}.db")).display()
        ),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (lo, hi) = if let Some(file) = url.strip_prefix("sqlite:") {
        // The seed is kept with the id range of its cases beside it.
        let ids = format!("{file}.ids");
        match std::fs::read_to_string(&ids).ok().and_then(|s| {
            let (a, b) = s.trim().split_once(' ')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        }) {
            Some(range) if std::path::Path::new(file).exists() => {
                eprintln!("reusing the seeded {file}");
                range
            }
            _ => {
                let partial = format!("{file}.partial");
                let _ = std::fs::remove_file(&partial);
                let range = rt.block_on(seed(&format!("sqlite:{partial}"), cases));
                std::fs::rename(&partial, file).unwrap();
                std::fs::write(&ids, format!("{} {}", range.0, range.1)).unwrap();
                range
            }
        }
    } else {
        rt.block_on(seed(&url, cases))
    };
    // The online applications: kept beside a SQLite seed, made anew on PostgreSQL.
    let keys_file = url.strip_prefix("sqlite:").map(|f| format!("{f}.portal"));
    let keys: Vec<(String, String)> = match keys_file
        .as_ref()
        .and_then(|f| std::fs::read_to_string(f).ok())
    {
        Some(text) => text
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(n, c)| (n.to_string(), c.to_string()))
            .collect(),
        None => {
            let keys = rt.block_on(seed_portal(&url));
            if let Some(f) = &keys_file {
                let text: String = keys.iter().map(|(n, c)| format!("{n}\t{c}\n")).collect();
                std::fs::write(f, text).unwrap();
            }
            keys
        }
    };

    let port = free_port();
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args([
            "serve",
            "--db",
            &url,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let server = Server(child);
    loop {
        if let Ok((status, _, _)) = http(
            port,
            "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        ) && status.contains("200")
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let startup = started.elapsed();
    let (cookie, agency) = login(port);
    let rss_idle = peak_rss_mb(server.0.id());

    let span = hi - lo + 1;
    let scripts = [
        (
            "inbox",
            script(&target, "inbox", r#""/inbox?page=" .. (n % 20 + 1)"#),
        ),
        (
            "case page",
            script(
                &target,
                "case",
                &format!(r#""/cases/" .. ({lo} + n % {span})"#),
            ),
        ),
        (
            "api case",
            script(
                &target,
                "api",
                &format!(r#""/api/cases/" .. ({lo} + n % {span})"#),
            ),
        ),
    ];
    let scripts = {
        let mut all = scripts.to_vec();
        all.push(("portal lookup", lookup_script(&target, &keys)));
        all
    };
    let mut runs = Vec::new();
    for (name, s) in &scripts {
        // A second of warm-up, not counted: the pool's connections prepare their
        // statements and the database's pages come into memory (the first route's
        // first row measured that start, not the route).
        let _ = wrk(port, &cookie, s, name, 50, 1);
        for c in [50, 200] {
            runs.push(wrk(port, &cookie, s, name, c, seconds));
        }
    }
    // The clerk's inbox while the application form is flooded from one address: as
    // fast as a second wrk can send (on these 2 cores it takes CPU from the server as
    // well as requests), and at a bounded rate (50 connections, each pausing 100 ms:
    // at most 500 requests/s).
    let mut flood_rates = Vec::new();
    for (label, pause_ms) in [
        ("inbox, form flooded", 0),
        ("inbox, form flooded at ≤500/s", 100),
    ] {
        let flood = flood_script(&target, port, agency, pause_ms);
        let flooding = Command::new("wrk")
            .args(["-t1", "-c50", &format!("-d{}s", seconds + 2)])
            .arg("-s")
            .arg(&flood)
            .arg(format!("http://127.0.0.1:{port}"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("wrk");
        std::thread::sleep(Duration::from_secs(1));
        runs.push(wrk(port, &cookie, &scripts[0].1, label, 50, seconds));
        let flood_out = flooding.wait_with_output().unwrap();
        let flood_text = String::from_utf8_lossy(&flood_out.stdout);
        let flood_rps = flood_text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
            .map_or("?".to_string(), |v| v.trim().to_string());
        flood_rates.push((label, flood_rps));
    }
    // The year's statistics, one request at a time (the best of three).
    let mut stats_ms = Vec::new();
    for year in [2026, 2024] {
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let t = Instant::now();
            let (status, _, _) = http(
                port,
                &format!("GET /stats?year={year} HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"),
            )
            .unwrap();
            assert!(status.contains("200"), "/stats?year={year}: {status}");
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        }
        stats_ms.push((year, best));
    }
    let rss_peak = peak_rss_mb(server.0.id());
    drop(server);
    if url.starts_with("postgres") {
        rt.block_on(async {
            let store = Store::open_with(&url, 1).await.unwrap();
            store.drop_schema().await.unwrap();
        });
    }

    let engine = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "\n{engine}, {cases} cases; start-up to first answer {:.2} s; RSS after start {rss_idle:.0} MB, peak {rss_peak:.0} MB",
        startup.as_secs_f64()
    );
    for (year, ms) in &stats_ms {
        println!("/stats?year={year}: {ms:.0} ms (best of 3, one at a time)");
    }
    for (label, rps) in &flood_rates {
        println!(
            "(the flood of the online application form ran at {rps} requests/s beside the run \"{label}\")"
        );
    }
    println!("| route | connections | requests/s | p50 | p99 | errors |");
    println!("|---|---:|---:|---:|---:|---|");
    for r in &runs {
        println!(
            "| {} | {} | {:.0} | {} | {} | {} |",
            r.name, r.connections, r.rps, r.p50, r.p99, r.errors
        );
    }
}
