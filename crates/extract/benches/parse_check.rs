//! Parse + check throughput per report, text and HTML, on the real samples.
//! Run: `cargo bench -p gongkai-extract --bench parse_check`.
//!
//! `PARSE_CHECK_SAMPLE=tongjiang-2020.txt PARSE_CHECK_N=20` runs that sample alone, N
//! times after one warm-up: for counting instructions under callgrind, where
//! `--toggle-collect='*parse_check::one_report*'` counts only those N reports, not the
//! warm-up's one-time set-up (a shared machine's timings drift; instruction counts do
//! not).

use std::time::Instant;

/// CPU time this thread has run, in ns (Linux: the first field of schedstat): on a
/// shared machine the wall time counts other programs' turns, this does not.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// One parse + check, kept out of line so a profiler can count it alone.
#[inline(never)]
fn one_report(name: &str, bytes: &[u8]) {
    let r = gongkai_extract::read_bytes(name, bytes).expect("reads");
    std::hint::black_box(gongkai_report::check(&r));
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let samples = [
        ("text", "tongjiang-2020.txt"),
        ("text", "tongchuan-govoffice-2020.txt"),
        ("text", "qingtongxia-2021.txt"),
        ("html", "pingtan-2023.html"),
    ];
    let only = std::env::var("PARSE_CHECK_SAMPLE").ok();
    let runs: Option<usize> = std::env::var("PARSE_CHECK_N")
        .ok()
        .map(|n| n.parse().expect("PARSE_CHECK_N: a number"));
    for (kind, name) in samples {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let bytes = std::fs::read(dir.join(name)).expect("fixture");
        // Warm up outside `one_report`, then time enough iterations for a stable figure.
        for _ in 0..if runs.is_some() { 1 } else { 50 } {
            let r = gongkai_extract::read_bytes(name, &bytes).expect("reads");
            std::hint::black_box(gongkai_report::check(&r));
        }
        let n = runs.unwrap_or(2000);
        let t = Instant::now();
        let c0 = cpu_ns();
        for _ in 0..n {
            one_report(name, &bytes);
        }
        let secs = t.elapsed().as_secs_f64();
        let cpu = c0.zip(cpu_ns()).map(|(a, b)| (b - a) as f64 / 1e9);
        let per = cpu.unwrap_or(secs);
        println!(
            "{kind:5} {name:32} {:>8.1} µs CPU/report  {:>8.0} reports/s per core (wall {:.1} µs; parse + check, {} KB)",
            per * 1e6 / n as f64,
            n as f64 / per,
            secs * 1e6 / n as f64,
            bytes.len() / 1024
        );
    }
}
