//! Batch ingestion: many files read on all cores, one writer storing each file in one
//! transaction. Memory stays flat: workers hand each file to the writer through a
//! bounded channel, and nothing is collected across files.

use gongkai_extract::ReadError;
use gongkai_store::{Failure, PreparedFile, PreparedReport, Store, StoreError, file_name_of};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::Handle;

/// sha256 as lowercase hex.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A short category of a read error, for the summary's 失败按原因.
pub fn category(e: &ReadError) -> String {
    match e {
        ReadError::Empty => "文件为空".into(),
        ReadError::Binary { .. } => "不是可识别的文档格式".into(),
        ReadError::Encoding { .. } => "文字编码无法识别".into(),
        ReadError::NotAReport { .. } => "不是政府信息公开工作年度报告".into(),
        ReadError::Scanned => "扫描版 PDF（需 OCR）".into(),
        ReadError::Unsupported { format, .. } => format!("暂不支持读取{format}"),
        ReadError::Corrupt { format, .. } => format!("{format} 文件已损坏"),
        ReadError::Unopenable { cause, .. } => cause.clone(),
        ReadError::TooLarge { .. } => "超出处理上限".into(),
    }
}

/// Reads and checks one file's bytes (every member of an archive). Never panics: a
/// reader that panics is recorded as a failure of that file.
pub fn prepare_file(path: &str, bytes: &[u8], hash: String) -> PreparedFile {
    let size = bytes.len() as u64;
    let format = gongkai_extract::sniff(bytes).ok().map(|f| f.name());
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        gongkai_extract::read_all(path, bytes)
            .into_iter()
            .map(|(member, result)| match result {
                Ok(e) => {
                    let findings = gongkai_report::check(&e.report);
                    Ok(PreparedReport {
                        member,
                        format: e.format.name(),
                        report: e.report,
                        findings,
                    })
                }
                Err(err) => Err(Failure {
                    member,
                    category: category(&err),
                    cause: err.to_string(),
                }),
            })
            .collect::<Vec<_>>()
    }));
    match read {
        Ok(results) => {
            let mut file = PreparedFile {
                path: path.to_string(),
                file_name: file_name_of(path),
                hash,
                size,
                format,
                reports: Vec::new(),
                failures: Vec::new(),
            };
            for r in results {
                match r {
                    Ok(rep) => file.reports.push(rep),
                    Err(f) => file.failures.push(f),
                }
            }
            if file.reports.is_empty() && file.failures.is_empty() {
                file.failures.push(Failure {
                    member: path.to_string(),
                    category: "没有读到报告".into(),
                    cause: "文件中没有读到任何年度报告".into(),
                });
            }
            file
        }
        Err(_) => PreparedFile::failed(
            path,
            hash,
            size,
            format,
            "读取程序内部错误",
            "读取此文件时程序发生内部错误（已跳过，请将文件反馈给维护人员）".into(),
        ),
    }
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Reader threads (at least 1).
    pub jobs: usize,
    /// Re-read files stored as failed before (e.g. after a reader was improved).
    pub retry_failed: bool,
    /// A file still being read after this long is recorded as failed (读取超时) and the
    /// run goes on; `None` waits for ever.
    pub timeout: Option<Duration>,
}

/// The default per-file reading limit: a report takes milliseconds, a large PDF seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            retry_failed: false,
            timeout: Some(DEFAULT_TIMEOUT),
        }
    }
}

/// What became of one file.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Read and stored: how many reports, how many of them with errors.
    Stored {
        reports: usize,
        with_errors: usize,
        failures: Vec<Failure>,
    },
    /// Could not be read: stored as failed with its causes.
    Failed { failures: Vec<Failure> },
    /// Already in the dataset (same content hash), or twice in this batch.
    Skipped,
    /// The file system refused it (not stored: it has no content to identify it by).
    Unreadable { cause: String },
}

/// Reported to the caller once per file, in the order files finish.
#[derive(Debug, Clone)]
pub struct FileEvent {
    pub path: String,
    /// The format sniffed from the bytes; `None` for skipped or unreadable files.
    pub format: Option<&'static str>,
    pub outcome: Outcome,
}

/// The counts of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestSummary {
    pub files: usize,
    /// Files stored with at least one report.
    pub stored: usize,
    pub reports: usize,
    pub reports_with_errors: usize,
    /// Files already stored before (by content hash) or repeated in this batch.
    pub skipped: usize,
    /// Files read as nothing (stored as failed, or unreadable from disk).
    pub failed: usize,
    /// Failures by category: files and archive members.
    pub failed_by_cause: BTreeMap<String, usize>,
    /// Files by sniffed format (read or failed; not skipped).
    pub by_format: BTreeMap<String, usize>,
    /// Cross-year findings written by this run's recomputation.
    pub cross_year_findings: usize,
}

enum Msg {
    File(PreparedFile),
    Skipped(String),
    Unreadable(String, String),
}

/// Expands the command line's paths: files as they are, directories recursively (hidden
/// entries skipped), glob patterns (`*.txt`, `data/**/*.html`). Sorted, without
/// repeats. Paths that match nothing are returned as the second list.
pub fn collect_inputs(args: &[String]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for arg in args {
        let p = Path::new(arg);
        if p.exists() {
            push_path(p, &mut files);
            continue;
        }
        let mut matched = false;
        if arg.contains(['*', '?', '[']) {
            if let Ok(paths) = glob::glob(arg) {
                for entry in paths.flatten() {
                    matched = true;
                    push_path(&entry, &mut files);
                }
            }
        }
        if !matched {
            missing.push(arg.clone());
        }
    }
    files.sort();
    files.dedup();
    (files, missing)
}

fn push_path(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        for entry in walkdir::WalkDir::new(p)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
            .flatten()
        {
            if entry.file_type().is_file() {
                out.push(entry.into_path());
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
}

/// Ingests `files` into `store`: reads them on `opts.jobs` threads, stores each file in
/// one transaction on this thread, skips what is stored already (by content hash), then
/// recomputes the cross-year rules for the agencies touched. `on_event` is called once
/// per file. Only a database failure stops the run.
pub fn ingest(
    rt: &Handle,
    store: &Store,
    files: &[PathBuf],
    opts: &IngestOptions,
    on_event: impl FnMut(&FileEvent),
) -> Result<IngestSummary, StoreError> {
    ingest_with(rt, store, files, opts, prepare_file, on_event)
}

/// `ingest` with the reading step given: the tests use it to stand in a reader that hangs.
fn ingest_with(
    rt: &Handle,
    store: &Store,
    files: &[PathBuf],
    opts: &IngestOptions,
    prepare: fn(&str, &[u8], String) -> PreparedFile,
    mut on_event: impl FnMut(&FileEvent),
) -> Result<IngestSummary, StoreError> {
    let known: HashMap<String, bool> = rt.block_on(store.known_hashes())?;
    // Hashes claimed in this batch: the second copy of a file is skipped before parsing.
    let claimed: Mutex<std::collections::HashSet<String>> = Mutex::new(Default::default());
    let known = Arc::new(known);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let jobs = opts.jobs.max(1);
    let (tx, rx) = mpsc::sync_channel::<Msg>(jobs * 4);
    let mut summary = IngestSummary {
        files: files.len(),
        ..Default::default()
    };
    let retry_failed = opts.retry_failed;
    let quiet = QuietPanics::install();

    let result: Result<(), StoreError> = std::thread::scope(|scope| {
        for w in 0..jobs {
            let tx = tx.clone();
            let known = Arc::clone(&known);
            let (next, stop, claimed) = (&next, &stop, &claimed);
            std::thread::Builder::new()
                .name(format!("ingest-reader-{w}"))
                .spawn_scoped(scope, move || {
                    loop {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(i) else { break };
                        let shown = path.to_string_lossy().into_owned();
                        let msg = match std::fs::read(path) {
                            Err(e) => Msg::Unreadable(shown, format!("无法读取文件：{e}")),
                            Ok(bytes) => {
                                let hash = content_hash(&bytes);
                                let stored = known.get(&hash).copied();
                                let skip = match stored {
                                    Some(true) => true,
                                    Some(false) => !retry_failed,
                                    None => false,
                                };
                                let repeated = !skip
                                    && !claimed
                                        .lock()
                                        .map(|mut c| c.insert(hash.clone()))
                                        .unwrap_or(true);
                                if skip || repeated {
                                    Msg::Skipped(shown)
                                } else {
                                    Msg::File(prepare_within(
                                        prepare,
                                        shown,
                                        bytes,
                                        hash,
                                        opts.timeout,
                                    ))
                                }
                            }
                        };
                        if tx.send(msg).is_err() {
                            break;
                        }
                    }
                })
                .map_err(|e| StoreError::Invalid(format!("无法启动读取线程：{e}")))?;
        }
        drop(tx);
        let mut outcome = Ok(());
        // Group commit: the files waiting when the writer comes round go in one
        // transaction, at most WRITE_BATCH of them.
        while let Ok(first) = rx.recv() {
            let mut batch: Vec<PreparedFile> = Vec::new();
            let waiting = std::iter::once(first).chain(std::iter::from_fn(|| rx.try_recv().ok()));
            for msg in waiting {
                match msg {
                    Msg::Skipped(path) => {
                        summary.skipped += 1;
                        on_event(&FileEvent {
                            path,
                            format: None,
                            outcome: Outcome::Skipped,
                        });
                    }
                    Msg::Unreadable(path, cause) => {
                        summary.failed += 1;
                        *summary
                            .failed_by_cause
                            .entry("无法读取文件".into())
                            .or_default() += 1;
                        on_event(&FileEvent {
                            path,
                            format: None,
                            outcome: Outcome::Unreadable { cause },
                        });
                    }
                    Msg::File(file) => batch.push(file),
                }
                if batch.len() == WRITE_BATCH {
                    break;
                }
            }
            if batch.is_empty() {
                continue;
            }
            match write_batch(rt, store, batch, retry_failed, &mut summary) {
                Ok(events) => events.iter().for_each(&mut on_event),
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    outcome = Err(e);
                    break;
                }
            }
        }
        outcome
    });
    drop(quiet);
    result?;
    summary.cross_year_findings = rt.block_on(store.cross_year())?;
    Ok(summary)
}

/// Reads one file on a thread of its own and waits at most `timeout` for it. A reader
/// that does not finish is left behind (a thread cannot be stopped from outside) and
/// the file is recorded as failed, so one pathological file never stalls the batch.
fn prepare_within(
    prepare: fn(&str, &[u8], String) -> PreparedFile,
    path: String,
    bytes: Vec<u8>,
    hash: String,
    timeout: Option<Duration>,
) -> PreparedFile {
    let Some(limit) = timeout else {
        return prepare(&path, &bytes, hash);
    };
    let (tx, rx) = mpsc::channel();
    let (p, h, size) = (path.clone(), hash.clone(), bytes.len() as u64);
    let format = gongkai_extract::sniff(&bytes).ok().map(|f| f.name());
    let spawned = std::thread::Builder::new()
        .name("ingest-reader-file".into())
        .spawn(move || {
            let _ = tx.send(prepare(&p, &bytes, h));
        });
    if let Err(e) = spawned {
        return PreparedFile::failed(
            &path,
            hash,
            size,
            None,
            "读取程序内部错误",
            format!("无法启动读取线程：{e}"),
        );
    }
    match rx.recv_timeout(limit) {
        Ok(file) => file,
        Err(mpsc::RecvTimeoutError::Timeout) => PreparedFile::failed(
            &path,
            hash,
            size,
            format,
            "读取超时",
            format!(
                "读取超过 {} 秒仍未完成，已跳过（文件可能异常，请单独检查；可用 --timeout 放宽）",
                limit.as_secs_f64()
            ),
        ),
        // The reader thread ended without an answer: prepare_file catches panics, so
        // only a panic outside it lands here.
        Err(mpsc::RecvTimeoutError::Disconnected) => PreparedFile::failed(
            &path,
            hash,
            size,
            None,
            "读取程序内部错误",
            "读取此文件时程序发生内部错误（已跳过，请将文件反馈给维护人员）".into(),
        ),
    }
}

/// Files stored in one transaction at most: large enough that commits cost little,
/// small enough that a run killed half-way loses only seconds of reading.
const WRITE_BATCH: usize = 64;

fn write_batch(
    rt: &Handle,
    store: &Store,
    files: Vec<PreparedFile>,
    retry_failed: bool,
    summary: &mut IngestSummary,
) -> Result<Vec<FileEvent>, StoreError> {
    let results = rt.block_on(store.store_files(&files, retry_failed))?;
    let mut events = Vec::with_capacity(files.len());
    for (file, stored) in files.into_iter().zip(results) {
        events.push(match stored {
            Ok(true) => count(file, summary),
            Ok(false) => {
                summary.skipped += 1;
                FileEvent {
                    path: file.path,
                    format: None,
                    outcome: Outcome::Skipped,
                }
            }
            Err(e) => {
                // The data of this one file was refused: keep the file as failed, with why.
                let failed = PreparedFile::failed(
                    &file.path,
                    file.hash.clone(),
                    file.size,
                    file.format,
                    "写入数据库失败",
                    format!("写入数据库失败：{e}"),
                );
                record(rt, store, failed, retry_failed, summary)?
            }
        });
    }
    Ok(events)
}

fn record(
    rt: &Handle,
    store: &Store,
    file: PreparedFile,
    retry_failed: bool,
    summary: &mut IngestSummary,
) -> Result<FileEvent, StoreError> {
    if !rt.block_on(store.store_file(&file, retry_failed))? {
        summary.skipped += 1;
        return Ok(FileEvent {
            path: file.path,
            format: None,
            outcome: Outcome::Skipped,
        });
    }
    Ok(count(file, summary))
}

fn count(file: PreparedFile, summary: &mut IngestSummary) -> FileEvent {
    *summary
        .by_format
        .entry(file.format.unwrap_or("未知").to_string())
        .or_default() += 1;
    for f in &file.failures {
        *summary
            .failed_by_cause
            .entry(f.category.clone())
            .or_default() += 1;
    }
    let outcome = if file.reports.is_empty() {
        summary.failed += 1;
        Outcome::Failed {
            failures: file.failures,
        }
    } else {
        let with_errors = file
            .reports
            .iter()
            .filter(|r| gongkai_report::has_errors(&r.findings))
            .count();
        summary.stored += 1;
        summary.reports += file.reports.len();
        summary.reports_with_errors += with_errors;
        Outcome::Stored {
            reports: file.reports.len(),
            with_errors,
            failures: file.failures,
        }
    };
    FileEvent {
        path: file.path,
        format: file.format,
        outcome,
    }
}

/// While alive, panics on reader threads (caught and recorded per file) print nothing,
/// so they do not tear the progress display; other threads keep the previous hook.
struct QuietPanics;

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

static PREVIOUS_HOOK: Mutex<Option<Arc<PanicHook>>> = Mutex::new(None);

impl QuietPanics {
    fn install() -> QuietPanics {
        let prev: Arc<PanicHook> = Arc::new(std::panic::take_hook());
        if let Ok(mut slot) = PREVIOUS_HOOK.lock() {
            *slot = Some(Arc::clone(&prev));
        }
        std::panic::set_hook(Box::new(move |info| {
            let reader = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("ingest-reader-"));
            if !reader {
                prev(info);
            }
        }));
        QuietPanics
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        let _ = std::panic::take_hook();
        if let Some(prev) = PREVIOUS_HOOK.lock().ok().and_then(|mut s| s.take()) {
            std::panic::set_hook(Box::new(move |info| prev(info)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    }

    /// Stands in for a reader: hangs on files named `hang*`, reads the rest normally.
    fn hanging_reader(path: &str, bytes: &[u8], hash: String) -> PreparedFile {
        if file_name_of(path).starts_with("hang") {
            std::thread::sleep(Duration::from_secs(30));
        }
        prepare_file(path, bytes, hash)
    }

    #[test]
    fn a_hanging_file_times_out_and_the_batch_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let good = dir.path().join("good.txt");
        std::fs::copy(fixtures.join("qingtongxia-2021.txt"), &good).unwrap();
        let hang = dir.path().join("hang.txt");
        std::fs::write(&hang, "2021年政府信息公开工作年度报告\n（不同内容）").unwrap();
        let rt = runtime();
        let store = rt
            .block_on(Store::open(dir.path().join("t.db").to_str().unwrap()))
            .unwrap();
        let opts = IngestOptions {
            jobs: 2,
            retry_failed: false,
            timeout: Some(Duration::from_millis(300)),
        };
        let started = std::time::Instant::now();
        let mut events = Vec::new();
        let s = ingest_with(
            rt.handle(),
            &store,
            &[hang.clone(), good.clone()],
            &opts,
            hanging_reader,
            |e| events.push(e.clone()),
        )
        .unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the run waited for the hang"
        );
        assert_eq!((s.files, s.stored, s.failed), (2, 1, 1));
        assert_eq!(s.failed_by_cause.get("读取超时"), Some(&1));
        let failed = events
            .iter()
            .find(|e| e.path.ends_with("hang.txt"))
            .unwrap();
        match &failed.outcome {
            Outcome::Failed { failures } => assert!(failures[0].cause.contains("读取超过")),
            other => panic!("expected a failure, got {other:?}"),
        }
        // Stored as failed with its cause: a re-run skips it, --retry-failed reads it again.
        let again =
            ingest_with(rt.handle(), &store, &[hang], &opts, hanging_reader, |_| {}).unwrap();
        assert_eq!(again.skipped, 1);
    }
}
