//! Ingest throughput, end to end (read file, hash, sniff, parse, check, store): per
//! format, replicates the sample reports into a temporary directory (each copy slightly
//! different, so every file has its own hash), ingests them into a fresh SQLite file,
//! and prints files/s and peak memory; then re-runs, which skips every file.
//!
//!     cargo bench -p gongkai --bench ingest            # 10,000 files per format
//!     GONGKAI_BENCH_FILES=50000 GONGKAI_BENCH_FORMATS=text,html cargo bench -p gongkai --bench ingest

use gongkai_dataset::{IngestOptions, ingest};
use gongkai_store::Store;
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
        let p = dir.join(format!("{i:06}-{name}"));
        std::fs::write(&p, vary(name, bytes, i)).expect("write bench file");
        out.push(p);
    }
    out
}

/// A copy of a sample with its own content hash that reads the same: an HTML comment,
/// trailing spaces for text, a comment after a PDF's `%%EOF`, a ZIP archive comment
/// for Word files.
fn vary(name: &str, bytes: &[u8], i: usize) -> Vec<u8> {
    let mut data = bytes.to_vec();
    if name.ends_with(".html") {
        data.extend_from_slice(format!("\n<!-- copy {i} -->\n").as_bytes());
    } else if name.ends_with(".pdf") {
        data.extend_from_slice(format!("\n% copy {i}\n").as_bytes());
    } else if name.ends_with(".docx") {
        // The end-of-central-directory record is the last 22 bytes of an archive
        // without a comment; its last field is the comment length.
        let comment = format!("copy {i}");
        let len = data.len();
        assert_eq!(
            &data[len - 22..len - 18],
            b"PK\x05\x06",
            "{name}: archive has a comment"
        );
        data[len - 2..].copy_from_slice(&(comment.len() as u16).to_le_bytes());
        data.extend_from_slice(comment.as_bytes());
    } else {
        data.extend_from_slice(format!("\n{}", " ".repeat(i / 5 + 1)).as_bytes());
    }
    data
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
    let rt = gongkai_dataset::runtime().expect("runtime");
    let store = rt
        .block_on(Store::open(db.to_str().unwrap()))
        .expect("open store");
    let t = Instant::now();
    let s = ingest(
        rt.handle(),
        &store,
        files,
        &IngestOptions {
            jobs,
            retry_failed: false,
            // GONGKAI_BENCH_TIMEOUT=0 reads on the worker threads themselves.
            timeout: match std::env::var("GONGKAI_BENCH_TIMEOUT").as_deref() {
                Ok("0") => None,
                _ => Some(gongkai_dataset::DEFAULT_TIMEOUT),
            },
            ..IngestOptions::default()
        },
        |_| {},
    )
    .expect("ingest");
    let secs = t.elapsed().as_secs_f64();
    let rate = files.len() as f64 / secs;
    println!(
        "{label:<12} {:>6} files  {:>7.2} s  {:>8.0} files/s  {:>7.0} files/s/core  peak {:>6.1} MiB  (stored {}, reports {}, failed {}, skipped {})",
        files.len(),
        secs,
        rate,
        rate / jobs as f64,
        peak_mib(),
        s.stored,
        s.reports,
        s.failed,
        s.skipped
    );
    rate
}

/// The formats measured: name, fixtures, default number of files.
const FORMATS: &[(&str, &[&str])] = &[
    (
        "text",
        &[
            "tongchuan-govoffice-2020.txt",
            "fengxiang-2020.txt",
            "qingtongxia-2021.txt",
            "tongjiang-2020.txt",
            "yuncheng-govoffice-2020.txt",
        ],
    ),
    ("html", &["pingtan-2023.html", "html/qingtongxia-2021.html"]),
    (
        "docx",
        &["docx/pingtan-2023.docx", "docx/qingtongxia-2021.docx"],
    ),
    ("pdf", &["huaian-2024.pdf"]),
];

fn main() {
    let n: usize = std::env::var("GONGKAI_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let only = std::env::var("GONGKAI_BENCH_FORMATS").unwrap_or_default();
    let jobs = std::env::var("GONGKAI_BENCH_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
    let tmp = tempfile::tempdir().expect("tempdir");
    println!("ingest benchmark: {n} files per format, {jobs} reader threads, SQLite");
    println!("peak memory is the process's VmHWM after each run: flat when it does not grow");
    println!("from a tenth of the files to all of them");
    for (format, names) in FORMATS {
        if !only.is_empty() && !only.split(',').any(|f| f == *format) {
            continue;
        }
        let files = replicate(&tmp.path().join(format), &load(names), n);
        let tenth = &files[..(n / 10).max(1)];
        run(
            &format!("{format} 1/10"),
            &tmp.path().join(format!("{format}-tenth.db")),
            tenth,
            jobs,
        );
        let db = tmp.path().join(format!("{format}.db"));
        run(format, &db, &files, jobs);
        run(&format!("{format} again"), &db, &files, jobs);
        let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0)
            + std::fs::metadata(db.with_extension("db-wal"))
                .map(|m| m.len())
                .unwrap_or(0);
        println!("{format}: database {:.1} MiB", size as f64 / 1048576.0);
        std::fs::remove_dir_all(tmp.path().join(format)).ok();
    }
}
