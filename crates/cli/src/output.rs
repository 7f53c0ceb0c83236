//! Every byte the command line writes goes through here: results to standard output
//! through [`Stdout`] (and the `out!` / `outln!` macros), messages to standard error
//! through `errln!`.
//!
//! Writing to standard output never panics. The first error is kept and later writes
//! are not attempted; [`finish`] turns it into the exit code: a closed pipe
//! (`gongkai … | head -1`) ends quietly with 141, the code a shell reports for a
//! program ended by SIGPIPE; any other error (a full disk, a revoked file) is said in
//! Chinese on standard error and the command exits with 2, whatever it found.
//! Standard error itself failing leaves nowhere to report to: such writes are dropped.

use std::io::{self, ErrorKind, Write};
use std::sync::Mutex;

/// The exit code of a command whose reader closed the pipe (128 + SIGPIPE).
pub const BROKEN_PIPE: u8 = 141;
/// The exit code of a command whose results could not be written.
pub const WRITE_FAILED: u8 = 2;

/// The first error writing to standard output, if any.
static FAILED: Mutex<Option<(ErrorKind, String)>> = Mutex::new(None);

fn failed_kind() -> Option<ErrorKind> {
    FAILED
        .lock()
        .map(|f| f.as_ref().map(|(k, _)| *k))
        .unwrap_or(None)
}

fn record(e: &io::Error) {
    if let Ok(mut f) = FAILED.lock()
        && f.is_none()
    {
        *f = Some((e.kind(), e.to_string()));
    }
}

/// `true` once standard output could not be written: there is no point producing more.
pub fn stdout_failed() -> bool {
    failed_kind().is_some()
}

/// Standard output as a `Write`: errors are returned as usual and also kept for
/// [`finish`]; after the first one nothing more is written.
#[derive(Clone, Copy, Default)]
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(kind) = failed_kind() {
            return Err(io::Error::from(kind));
        }
        io::stdout().write(buf).inspect_err(record)
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(kind) = failed_kind() {
            return Err(io::Error::from(kind));
        }
        io::stdout().flush().inspect_err(record)
    }
}

/// Writes `s` to standard output (errors are kept for [`finish`]).
pub fn print(s: &str) {
    let _ = Stdout.write_all(s.as_bytes());
}

/// Writes `s` to standard error; if that fails too, there is no one left to tell.
pub fn print_err(s: &str) {
    let _ = io::stderr().write_all(s.as_bytes());
}

/// `print!` to standard output, never panicking.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::print(&format!($($arg)*)) };
}

/// `println!` to standard output, never panicking.
macro_rules! outln {
    () => { $crate::output::print("\n") };
    ($($arg:tt)*) => { $crate::output::print(&format!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!`, never panicking.
macro_rules! errln {
    () => { $crate::output::print_err("\n") };
    ($($arg:tt)*) => { $crate::output::print_err(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {errln, out, outln};

/// A write error in a clerk's words.
pub fn write_cause(kind: ErrorKind, original: &str) -> String {
    match kind {
        ErrorKind::StorageFull => "磁盘已满".into(),
        ErrorKind::QuotaExceeded => "超出磁盘配额".into(),
        ErrorKind::PermissionDenied => "没有写入权限".into(),
        ErrorKind::FileTooLarge => "文件超过系统允许的大小".into(),
        ErrorKind::BrokenPipe => "接收输出的程序已关闭".into(),
        _ => format!("系统错误（{original}）"),
    }
}

/// The exit code of a command that would end with `code`: flushes standard output and,
/// if writing to it failed, says so (a closed pipe quietly).
pub fn finish(code: u8) -> u8 {
    let _ = Stdout.flush();
    let failed = FAILED.lock().map(|f| f.clone()).unwrap_or(None);
    match failed {
        None => code,
        Some((ErrorKind::BrokenPipe, _)) => BROKEN_PIPE,
        Some((kind, original)) => {
            errln!("无法写出结果：{}", write_cause(kind, &original));
            WRITE_FAILED
        }
    }
}
