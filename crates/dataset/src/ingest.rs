//! Batch ingestion: many files read on all cores, one writer storing each file in one
//! transaction. Memory stays flat: workers hand each file to the writer through a
//! bounded channel, and nothing is collected across files.

use crate::patience::Patience;
use crate::runs;
use gongkai_extract::ReadError;
use gongkai_store::{Failure, PreparedFile, PreparedReport, Store, StoreError, file_name_of};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
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

/// Extensions of files that are never reports: notes, source code, scripts,
/// configuration, data and databases (the dataset itself among them), programs.
const NOT_DOCUMENT_EXTENSIONS: &[&str] = &[
    "md",
    "markdown",
    "rst",
    "adoc",
    "py",
    "pyc",
    "ipynb",
    "sh",
    "bash",
    "zsh",
    "fish",
    "ps1",
    "bat",
    "cmd",
    "js",
    "mjs",
    "cjs",
    "ts",
    "css",
    "scss",
    "rs",
    "go",
    "c",
    "h",
    "cc",
    "cpp",
    "hpp",
    "java",
    "class",
    "jar",
    "rb",
    "pl",
    "php",
    "lua",
    "r",
    "sql",
    "json",
    "jsonl",
    "toml",
    "yaml",
    "yml",
    "ini",
    "cfg",
    "conf",
    "lock",
    "log",
    "db",
    "sqlite",
    "sqlite3",
    "db-wal",
    "db-shm",
    "db-journal",
    "exe",
    "dll",
    "so",
    "dylib",
    "o",
    "a",
];

/// Names (without extension, any case) of a project's notes, never reports:
/// `README.txt` is skipped as well as `README`.
const NOT_DOCUMENT_NAMES: &[&str] = &[
    "readme",
    "license",
    "licence",
    "copying",
    "changelog",
    "authors",
    "contributing",
    "makefile",
    "dockerfile",
];

/// `true` when the file's name says it is not a document (README, a script, source
/// code, configuration, a database): such files are skipped, not read.
pub fn not_a_document_by_name(path: &Path) -> bool {
    let lower = |s: &std::ffi::OsStr| s.to_string_lossy().to_lowercase();
    let ext = path.extension().map(lower).unwrap_or_default();
    let stem = path.file_stem().map(lower).unwrap_or_default();
    NOT_DOCUMENT_EXTENSIONS.contains(&ext.as_str()) || NOT_DOCUMENT_NAMES.contains(&stem.as_str())
}

/// `true` when the bytes are a script (`#!`), a program (ELF) or JSON: not a document
/// whatever the file is called.
pub fn not_a_document_by_content(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let trimmed = text.trim_ascii();
    text.starts_with(b"#!")
        || text.starts_with(b"\x7FELF")
        || matches!(
            (trimmed.first(), trimmed.last()),
            (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']'))
        )
}

/// The category and cause of a reading that found nothing of a report.
pub const NOTHING_READ: &str = "未识别出年度报告";

/// What a reading did not find of a report, in the words shown: 单位名称 (no
/// agency), 年度 (no year), 表格数值 (no value in any table: every cell blank, as in a
/// blank template).
pub fn missing_parts(r: &gongkai_report::Report) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if r.agency.is_none() {
        missing.push("单位名称");
    }
    if r.year.is_none() {
        missing.push("年度");
    }
    if r.cells
        .values()
        .all(|c| matches!(c.value, gongkai_report::Value::Blank))
    {
        missing.push("表格数值");
    }
    missing
}

/// `true` when a reading found no agency, no year and no value in any table: the
/// document is not a report, whatever the reader made of it.
pub fn read_nothing(r: &gongkai_report::Report) -> bool {
    missing_parts(r).len() == 3
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
                Ok(e) if read_nothing(&e.report) => Err(Failure {
                    member,
                    category: NOTHING_READ.into(),
                    cause: format!("{NOTHING_READ}（无单位、年度和表格）"),
                }),
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

/// The reading step of a run: a file's path, bytes and hash to what it brings.
pub type Reader = fn(&str, &[u8], String) -> PreparedFile;

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
    /// This run's id in its reading notes ([`new_run_id`]): several runs may ingest into
    /// one database at once, and each knows its own notes from the others'.
    pub run: String,
    /// How long the run waits for a database that does not answer, has dropped the
    /// connection or is locked by another program, before it stops (see
    /// [`DEFAULT_DB_PATIENCE`]).
    pub db_patience: Duration,
    /// Told, as it happens, when the database fails and the run waits for it, and when
    /// it is back (the command line prints it).
    pub notice: Option<fn(&str)>,
    /// The reading step: [`prepare_file`]; tests stand in readers that hang or crash.
    pub reader: Reader,
}

/// A random id for a run: 16 hex digits from the operating system's random source
/// (time and process id when that is unavailable), then `@` and the process that runs
/// it where the system tells (see [`crate::runs`]).
pub fn new_run_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let digest = Sha256::digest(format!("{nanos}-{}", std::process::id()));
        bytes.copy_from_slice(&digest[..8]);
    }
    let random: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match runs::this_process() {
        Some(p) => format!("{random}@{p}"),
        None => random,
    }
}

/// How long after its reading started a note can still belong to a live reader, for
/// a run with per-file limit `timeout`: twice the limit and a minute (the result may
/// wait for the writer, the writer for the database), or an hour with no limit. A note
/// older than that was left by a run that ended while reading the file.
pub fn reading_bound(timeout: Option<Duration>) -> Duration {
    match timeout {
        Some(t) => t.saturating_mul(2).saturating_add(Duration::from_secs(60)),
        None => Duration::from_secs(3600),
    }
}

/// The default per-file reading limit: a report takes milliseconds, a large PDF seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// The default wait for the database: long enough for a server restart or a
/// connection to come back, short enough that a run never hangs unnoticed.
pub const DEFAULT_DB_PATIENCE: Duration = Duration::from_secs(60);

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            retry_failed: false,
            timeout: Some(DEFAULT_TIMEOUT),
            run: new_run_id(),
            db_patience: DEFAULT_DB_PATIENCE,
            notice: None,
            reader: prepare_file,
        }
    }
}

/// Forgets the unfinished readings of run `run`, solitary ones included: for a run
/// stopped on purpose (Ctrl-C), whose files were not at fault.
pub async fn forget_run(store: &Store, run: &str) -> Result<(), StoreError> {
    store.clear_readings(run).await?;
    store.clear_readings(&runs::solitary(run)).await
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
    /// Not a document (a README, a script, JSON…): neither read nor stored.
    NotDocument,
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
    /// Files that are not documents (by name or content): neither read nor stored.
    pub not_documents: usize,
    /// Files read as nothing (stored as failed, or unreadable from disk).
    pub failed: usize,
    /// Failures by category: files and archive members.
    pub failed_by_cause: BTreeMap<String, usize>,
    /// Files by sniffed format (read or failed; not skipped).
    pub by_format: BTreeMap<String, usize>,
    /// Cross-year findings written by this run's recomputation.
    pub cross_year_findings: usize,
    /// Files whose reading ended an earlier run (a crash in a reader), found at the start
    /// of this one: now stored as failed (读取时程序异常终止), not read again.
    pub crashed_before: Vec<String>,
}

/// The category of a file whose reading ended the program.
pub use gongkai_store::CRASHED;

enum Msg {
    File(PreparedFile),
    /// The store refused the note that a reading starts: the run stops.
    Abort(StoreError),
    Skipped(String),
    NotDocument(String),
    /// Path, category, cause.
    Unreadable(String, String, String),
}

/// What the command line's paths name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    /// The files to read, sorted, without repeats.
    pub files: Vec<PathBuf>,
    /// Arguments that are no file, folder or matching pattern.
    pub missing: Vec<String>,
    /// What was met inside folders and cannot be read as a file, with why: folders
    /// that cannot be opened, links to folders or to nothing, named pipes, devices.
    pub refused: Vec<(String, String)>,
}

/// Expands the command line's paths: files as they are, directories recursively (hidden
/// entries skipped), glob patterns (`*.txt`, `data/**/*.html`). A link inside a
/// folder is read when it leads to a file; anything else that is not a file is listed
/// in `refused`, never dropped in silence.
pub fn collect_inputs<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Inputs {
    let mut inputs = Inputs::default();
    for arg in args {
        // A name need not be UTF-8 (GBK bytes from a Windows share): it is a path as it
        // is; only a pattern must be text.
        let p = Path::new(arg.as_ref());
        if p.exists() {
            push_path(p, &mut inputs);
            continue;
        }
        let mut matched = false;
        if let Some(pattern) = arg
            .as_ref()
            .to_str()
            .filter(|a| a.contains(['*', '?', '[']))
            && let Ok(paths) = glob::glob(pattern)
        {
            for entry in paths {
                matched = true;
                match entry {
                    Ok(path) => push_path(&path, &mut inputs),
                    Err(e) => inputs
                        .refused
                        .push((e.path().display().to_string(), walk_cause(e.error()))),
                }
            }
        }
        if !matched {
            inputs.missing.push(p.display().to_string());
        }
    }
    inputs.files.sort();
    inputs.files.dedup();
    inputs
}

/// A folder or entry that could not be opened, in a clerk's words.
fn walk_cause(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "没有读取权限，无法打开".into(),
        std::io::ErrorKind::NotFound => "读取时已不存在".into(),
        _ => format!("无法打开（{e}）"),
    }
}

const NOT_A_FILE: &str = "不是普通文件（是命名管道、设备或套接字），未读取";

fn push_path(p: &Path, inputs: &mut Inputs) {
    if !p.is_dir() {
        inputs.files.push(p.to_path_buf());
        return;
    }
    let walk = walkdir::WalkDir::new(p)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(p).display().to_string();
                let cause = if e.loop_ancestor().is_some() {
                    "链接形成循环，未读取".to_string()
                } else {
                    e.io_error()
                        .map(walk_cause)
                        .unwrap_or_else(|| e.to_string())
                };
                inputs.refused.push((path, cause));
                continue;
            }
        };
        let kind = entry.file_type();
        let shown = || entry.path().display().to_string();
        if kind.is_file() {
            inputs.files.push(entry.into_path());
        } else if kind.is_dir() {
            continue;
        } else if kind.is_symlink() {
            match std::fs::metadata(entry.path()) {
                Ok(m) if m.is_file() => inputs.files.push(entry.into_path()),
                Ok(m) if m.is_dir() => inputs.refused.push((
                    shown(),
                    "链接指向文件夹，未跟随读取（如需读取，请直接给出该文件夹）".into(),
                )),
                Ok(_) => inputs.refused.push((shown(), NOT_A_FILE.into())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => inputs
                    .refused
                    .push((shown(), "链接指向的文件不存在".into())),
                Err(e) => inputs.refused.push((shown(), walk_cause(&e))),
            }
        } else {
            inputs.refused.push((shown(), NOT_A_FILE.into()));
        }
    }
}

/// Ingests `files` into `store`: reads them on `opts.jobs` threads, stores each file in
/// one transaction on this thread, skips what is stored already (by content hash), then
/// recomputes the cross-year rules for the agencies touched. `on_event` is called once
/// per file. Only a database failure stops the run: one that lasts past
/// `opts.db_patience`, or one that trying again cannot mend.
pub fn ingest(
    rt: &Handle,
    store: &Store,
    files: &[PathBuf],
    opts: &IngestOptions,
    mut on_event: impl FnMut(&FileEvent),
) -> Result<IngestSummary, StoreError> {
    let patience = Patience::new(opts.db_patience, opts.notice);
    let patience = &patience;
    let runs::Verdict { crashed, suspects } = judge_notes(rt, store, patience, &opts.run)?;
    let crashed_before = record_crashed(rt, store, patience, crashed)?;
    if !suspects.is_empty()
        && let Some(notice) = opts.notice
    {
        notice(&format!(
            "上次运行在读取 {} 个文件时中途退出：这些文件本次逐个单独读取；\
             若再次中途退出，重新运行即可，连续两次单独读取时退出的文件将记为失败（{CRASHED}）并跳过。",
            suspects.len()
        ));
    }
    let bound = reading_bound(opts.timeout);
    let known: HashMap<String, bool> = patience.call(rt, || store.known_hashes())?;
    // Hashes claimed in this batch: the second copy of a file is skipped before parsing.
    let claimed: Mutex<std::collections::HashSet<String>> = Mutex::new(Default::default());
    let known = Arc::new(known);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // Held shared by every reading, exclusively by a suspect's and a large file's: a
    // suspect is read with no other reading at the same time (so that a crash is known
    // to be its), and so is a large file (reading takes many times a file's size in
    // memory: two large files at once would double the peak).
    let alone = RwLock::new(());
    let solitary_run = runs::solitary(&opts.run);
    let jobs = opts.jobs.max(1);
    let (tx, rx) = mpsc::sync_channel::<Msg>(jobs * 4);
    let mut summary = IngestSummary {
        files: files.len(),
        crashed_before,
        ..Default::default()
    };
    let retry_failed = opts.retry_failed;
    let quiet = QuietPanics::install();

    let result: Result<(), StoreError> = std::thread::scope(|scope| {
        // The writer's end of the channel lives in this closure: when the writer stops
        // (the database failed), it is dropped, and readers waiting to hand over a file
        // see that and end instead of waiting for ever.
        let rx = rx;
        for w in 0..jobs {
            let tx = tx.clone();
            let known = Arc::clone(&known);
            let (next, stop, claimed, alone, suspects) =
                (&next, &stop, &claimed, &alone, &suspects);
            let solitary_run = solitary_run.as_str();
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
                        if not_a_document_by_name(path) {
                            if tx.send(Msg::NotDocument(shown)).is_err() {
                                break;
                            }
                            continue;
                        }
                        // Limited: a FIFO or device is refused, not waited on or read for ever.
                        let msg = match gongkai_extract::read_path(path) {
                            Err(e) => Msg::Unreadable(shown, category(&e), e.to_string()),
                            Ok(bytes) if not_a_document_by_content(&bytes) => {
                                Msg::NotDocument(shown)
                            }
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
                                let size = bytes.len() as u64;
                                if skip || repeated {
                                    Msg::Skipped(shown)
                                } else {
                                    let suspect = suspects.contains(&hash);
                                    let (_shared, _exclusive);
                                    if suspect || size > LARGE_FILE {
                                        _exclusive = alone.write();
                                    } else {
                                        _shared = alone.read();
                                    }
                                    let run = if suspect {
                                        solitary_run
                                    } else {
                                        opts.run.as_str()
                                    };
                                    let noted = patience.call(rt, || {
                                        store.reading_started(run, &hash, &shown, size, bound)
                                    });
                                    let read = noted.map(|()| {
                                        prepare_within(
                                            opts.reader,
                                            shown,
                                            bytes,
                                            hash.clone(),
                                            opts.timeout,
                                        )
                                    });
                                    // A solitary reading that has ended is no longer
                                    // evidence: if the program ends before its result
                                    // is stored, the file was not at fault.
                                    let read = match read {
                                        Ok(file) if suspect => patience
                                            .call(rt, || store.reading_ended(run, &hash))
                                            .map(|()| file),
                                        other => other,
                                    };
                                    match read {
                                        Err(e) => Msg::Abort(e),
                                        Ok(file) => Msg::File(file),
                                    }
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
            let mut aborted = None;
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
                    Msg::NotDocument(path) => {
                        summary.not_documents += 1;
                        on_event(&FileEvent {
                            path,
                            format: None,
                            outcome: Outcome::NotDocument,
                        });
                    }
                    Msg::Unreadable(path, category, cause) => {
                        summary.failed += 1;
                        *summary.failed_by_cause.entry(category).or_default() += 1;
                        on_event(&FileEvent {
                            path,
                            format: None,
                            outcome: Outcome::Unreadable { cause },
                        });
                    }
                    Msg::File(file) => batch.push(file),
                    Msg::Abort(e) => {
                        aborted = Some(e);
                        break;
                    }
                }
                if batch.len() == WRITE_BATCH {
                    break;
                }
            }
            if let Some(e) = aborted {
                outcome = Err(e);
                break;
            }
            if batch.is_empty() {
                continue;
            }
            match write_batch(rt, store, patience, batch, retry_failed, &mut summary) {
                Ok(events) => events.iter().for_each(&mut on_event),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        if outcome.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        drop(rx);
        outcome
    });
    drop(quiet);
    result?;
    summary.cross_year_findings = patience.call(rt, || store.cross_year())?;
    Ok(summary)
}

/// The notes of runs that are gone — on this machine, runs whose process has ended;
/// elsewhere, notes past their bound (by the database's clock) — judged: which files
/// are to be recorded as crashed, which to be read alone ([`crate::runs`]). A run at
/// work beside this one on the same database keeps its files.
fn judge_notes(
    rt: &Handle,
    store: &Store,
    patience: &Patience,
    run: &str,
) -> Result<runs::Verdict, StoreError> {
    let mine = |r: &gongkai_store::Reading| r.run == run || r.run == runs::solitary(run);
    let mut seen = std::collections::HashSet::new();
    let mut notes = Vec::new();
    for r in patience.call(rt, || store.stale_readings(run))? {
        if !mine(&r) && seen.insert((r.run.clone(), r.hash.clone())) {
            notes.push(r);
        }
    }
    for r in patience.call(rt, || store.unfinished_readings())? {
        if !mine(&r) && runs::gone_here(&r.run) && seen.insert((r.run.clone(), r.hash.clone())) {
            notes.push(r);
        }
    }
    Ok(runs::judge(notes))
}

/// Stores as failed (读取时程序异常终止) every file judged crashed, so that it is not
/// read again: one such file would otherwise end every run. Returns the paths this
/// run recorded (another run may record the same file at once).
fn record_crashed(
    rt: &Handle,
    store: &Store,
    patience: &Patience,
    crashed: Vec<gongkai_store::Reading>,
) -> Result<Vec<String>, StoreError> {
    let mut paths = Vec::new();
    for r in crashed {
        let file = PreparedFile::crashed(&r.path, r.hash, r.size);
        // Removes the file's notes in the same transaction; `false` when the file has
        // been stored meanwhile (by a reading that did finish, or by another run).
        if patience.call(rt, || store.store_file(&file, false))? {
            paths.push(r.path);
        }
    }
    Ok(paths)
}

/// Reads one file on a thread of its own and waits at most `timeout` for it. A reader
/// that does not finish is left behind (a thread cannot be stopped from outside) and
/// the file is recorded as failed, so one pathological file never stalls the batch.
fn prepare_within(
    prepare: Reader,
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

/// A file larger than this is read with no other reading at the same time.
pub const LARGE_FILE: u64 = 8 << 20;

/// Files stored in one transaction at most: large enough that commits cost little,
/// small enough that a run killed half-way loses only seconds of reading.
const WRITE_BATCH: usize = 64;

fn write_batch(
    rt: &Handle,
    store: &Store,
    patience: &Patience,
    files: Vec<PreparedFile>,
    retry_failed: bool,
    summary: &mut IngestSummary,
) -> Result<Vec<FileEvent>, StoreError> {
    // Tried again whole after a lost connection: a file whose commit did go through
    // is found stored by its hash and counted as skipped, never stored twice.
    let results = patience.call(rt, || store.store_files(&files, retry_failed))?;
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
                record(rt, store, patience, failed, retry_failed, summary)?
            }
        });
    }
    Ok(events)
}

fn record(
    rt: &Handle,
    store: &Store,
    patience: &Patience,
    file: PreparedFile,
    retry_failed: bool,
    summary: &mut IngestSummary,
) -> Result<FileEvent, StoreError> {
    if !patience.call(rt, || store.store_file(&file, retry_failed))? {
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
        crate::runtime().unwrap()
    }

    /// Stands in for a reader: hangs on files named `hang*`, reads the rest normally.
    fn hanging_reader(path: &str, bytes: &[u8], hash: String) -> PreparedFile {
        if file_name_of(path).starts_with("hang") {
            std::thread::sleep(Duration::from_secs(30));
        }
        prepare_file(path, bytes, hash)
    }

    /// The store a reader looks into while it reads (for `noting_reader`).
    /// The runtime, the store, and the hashes noted as being read, per reading.
    type Probe = (Handle, Store, Vec<Vec<String>>);
    static PROBE: Mutex<Option<Probe>> = Mutex::new(None);

    /// Stands in for a reader: before reading, records which files the store has as
    /// being read, as the next run would find them had this reading crashed.
    fn noting_reader(path: &str, bytes: &[u8], hash: String) -> PreparedFile {
        let (rt, store) = {
            let probe = PROBE.lock().unwrap();
            let (rt, store, _) = probe.as_ref().unwrap();
            (rt.clone(), store.clone())
        };
        let pending: Vec<String> = rt
            .block_on(store.unfinished_readings())
            .unwrap()
            .into_iter()
            .map(|r| r.hash)
            .collect();
        assert!(pending.contains(&hash), "{path} is read without its note");
        PROBE.lock().unwrap().as_mut().unwrap().2.push(pending);
        prepare_file(path, bytes, hash)
    }

    #[test]
    fn each_reading_is_noted_before_it_starts_and_cleared_once_stored() {
        let dir = tempfile::tempdir().unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let files: Vec<PathBuf> = ["qingtongxia-2021.txt", "tongjiang-2020.txt"]
            .iter()
            .map(|n| {
                let p = dir.path().join(n);
                std::fs::copy(fixtures.join(n), &p).unwrap();
                p
            })
            .collect();
        let rt = runtime();
        let store = rt
            .block_on(Store::open(dir.path().join("t.db").to_str().unwrap()))
            .unwrap();
        *PROBE.lock().unwrap() = Some((rt.handle().clone(), store.clone(), Vec::new()));
        let opts = IngestOptions {
            jobs: 1,
            retry_failed: false,
            timeout: None,
            reader: noting_reader,
            ..IngestOptions::default()
        };
        let s = ingest(rt.handle(), &store, &files, &opts, |_| {}).unwrap();
        assert_eq!(s.stored, 2);
        let seen = PROBE.lock().unwrap().take().unwrap().2;
        assert_eq!(seen.len(), 2, "both files were read");
        assert!(rt.block_on(store.unfinished_readings()).unwrap().is_empty());
    }

    /// Readings at work now, and the most seen at once, per size class.
    static AT_WORK: AtomicUsize = AtomicUsize::new(0);
    static MOST_LARGE: AtomicUsize = AtomicUsize::new(0);
    static MOST_SMALL: AtomicUsize = AtomicUsize::new(0);

    /// Stands in for a reader: takes its time and notes how many readings overlap.
    /// A small file's reading waits up to a second for another to start beside it, so
    /// a busy machine's slow dispatch is not taken for readings one by one.
    fn counting_reader(path: &str, bytes: &[u8], hash: String) -> PreparedFile {
        let now = AT_WORK.fetch_add(1, Ordering::SeqCst) + 1;
        let large = bytes.len() as u64 > LARGE_FILE;
        let start = std::time::Instant::now();
        std::thread::sleep(Duration::from_millis(40));
        while !large
            && AT_WORK.load(Ordering::SeqCst) < 2
            && start.elapsed() < Duration::from_secs(1)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        let seen = AT_WORK.load(Ordering::SeqCst).max(now);
        let most = if large { &MOST_LARGE } else { &MOST_SMALL };
        most.fetch_max(seen, Ordering::SeqCst);
        AT_WORK.fetch_sub(1, Ordering::SeqCst);
        PreparedFile::failed(path, hash, bytes.len() as u64, None, "测试", "测试".into())
    }

    /// A large file is read with no other reading at the same time (reading takes many
    /// times a file's size in memory); small ones are read side by side.
    #[test]
    fn large_files_are_read_one_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for i in 0..3 {
            let p = dir.path().join(format!("large-{i}.txt"));
            let line = format!("第{i}份 政府信息公开工作年度报告 正文\n");
            let big = line.repeat((LARGE_FILE as usize / line.len()) + 10);
            std::fs::write(&p, big).unwrap();
            files.push(p);
        }
        for i in 0..6 {
            let p = dir.path().join(format!("small-{i}.txt"));
            std::fs::write(&p, format!("第{i}份 小文件")).unwrap();
            files.push(p);
        }
        let rt = runtime();
        let store = rt
            .block_on(Store::open(dir.path().join("t.db").to_str().unwrap()))
            .unwrap();
        let opts = IngestOptions {
            jobs: 3,
            reader: counting_reader,
            ..IngestOptions::default()
        };
        let s = ingest(rt.handle(), &store, &files, &opts, |_| {}).unwrap();
        assert_eq!(s.failed, 9, "{s:?}");
        assert_eq!(
            MOST_LARGE.load(Ordering::SeqCst),
            1,
            "a large file read beside another"
        );
        assert!(
            MOST_SMALL.load(Ordering::SeqCst) >= 2,
            "small files read one by one"
        );
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
            reader: hanging_reader,
            ..IngestOptions::default()
        };
        let started = std::time::Instant::now();
        let mut events = Vec::new();
        let s = ingest(
            rt.handle(),
            &store,
            &[hang.clone(), good.clone()],
            &opts,
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
        let again = ingest(rt.handle(), &store, &[hang], &opts, |_| {}).unwrap();
        assert_eq!(again.skipped, 1);
    }
}
