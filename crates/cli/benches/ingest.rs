//! Ingest throughput: replicates the text and HTML sample reports into a temporary
//! directory (each copy slightly different, so every file has its own hash), ingests
//! them into a fresh SQLite file, and prints files/s per format and peak memory.
//!
//!     cargo bench -p gongkai --bench ingest            # 10,000 files
//!     GONGKAI_BENCH_FILES=50000 cargo bench -p gongkai --bench ingest

use gongkai_store::{IngestOptions, Store, ingest};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Peak resident memory of this process (VmHWM), in MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn replicate(dir: &Path, samples: &[(String, Vec<u8>)], n: usize) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("create bench dir");
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (name, bytes) = &samples[i % samples.len()];
        let mut data = bytes.clone();
        // A trailing variation: an HTML comment, or trailing blank lines for text.
        if name.ends_with(".html") {
            data.extend_from_slice(format!("\n<!-- copy {i} -->\n").as_bytes());
        } else {
            data.extend_from_slice(format!("\n{}", " ".repeat(i / samples.len() + 1)).as_bytes());
        }
        let p = dir.join(format!("{i:06}-{name}"));
        std::fs::write(&p, data).expect("write bench file");
        out.push(p);
    }
    out
}

fn load(names: &[&str]) -> Vec<(String, Vec<u8>)> {
    names
        .iter()
        .map(|n| {
            let bytes = std::fs::read(fixtures().join(n)).expect("read fixture");
            let base = Path::new(n)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (base, bytes)
        })
        .collect()
}

fn run(label: &str, db: &Path, files: &[PathBuf], jobs: usize) -> f64 {
    let store = Store::open(db.to_str().unwrap()).expect("open store");
    let t = Instant::now();
    let s = ingest(
        &store,
        files,
        &IngestOptions {
            jobs,
            retry_failed: false,
        },
        |_| {},
    )
    .expect("ingest");
    let secs = t.elapsed().as_secs_f64();
    let rate = files.len() as f64 / secs;
    println!(
        "{label:<10} {:>6} files  {:>7.2} s  {:>8.0} files/s  {:>7.0} files/s/core  (stored {}, reports {}, failed {}, skipped {})",
        files.len(),
        secs,
        rate,
        rate / jobs as f64,
        s.stored,
        s.reports,
        s.failed,
        s.skipped
    );
    rate
}

fn main() {
    let n: usize = std::env::var("GONGKAI_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let jobs = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let tmp = tempfile::tempdir().expect("tempdir");
    let text = load(&[
        "tongchuan-govoffice-2020.txt",
        "fengxiang-2020.txt",
        "qingtongxia-2021.txt",
        "tongjiang-2020.txt",
        "yuncheng-govoffice-2020.txt",
    ]);
    let html = load(&["pingtan-2023.html", "html/qingtongxia-2021.html"]);
    let n_text = n * 5 / 7;
    let n_html = n - n_text;
    let t_files = replicate(&tmp.path().join("text"), &text, n_text);
    let h_files = replicate(&tmp.path().join("html"), &html, n_html);
    println!("ingest benchmark: {n} files, {jobs} reader threads, SQLite");
    run("text", &tmp.path().join("text.db"), &t_files, jobs);
    run("html", &tmp.path().join("html.db"), &h_files, jobs);
    let mut all = t_files.clone();
    all.extend(h_files.iter().cloned());
    let db = tmp.path().join("all.db");
    run("all", &db, &all, jobs);
    run("re-run", &db, &all, jobs);
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(tmp.path().join("all.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "database size: {:.1} MiB; peak memory (VmHWM): {:.1} MiB",
        size as f64 / 1048576.0,
        peak_mib()
    );
}
