//! Every input file of the command line is read here, through the reader's limited
//! reads: a folder, a named pipe or a device (`/dev/zero`) is refused before it is
//! opened, a file over the limit before it is read, and standard input stops at the
//! limit. Nothing blocks on a FIFO and nothing fills memory.

use gongkai_extract::ReadError;
use std::ffi::OsStr;
use std::path::Path;

/// Reads `name` (a path, or `-` for standard input), at most `limit` bytes. A path
/// need not be UTF-8.
pub fn read(name: impl AsRef<OsStr>, limit: u64) -> Result<Vec<u8>, ReadError> {
    let name = name.as_ref();
    if name == "-" {
        gongkai_extract::read_limited(&mut std::io::stdin().lock(), limit)
    } else {
        gongkai_extract::read_path_limited(Path::new(name), limit)
    }
}

/// [`read`] of a path.
pub fn read_path(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    gongkai_extract::read_path_limited(path, limit)
}

/// Why a file could not be read, as the clause after its name (“无法读取 X：…”).
pub fn cause(e: &ReadError) -> String {
    match e {
        ReadError::Unopenable { cause, .. } => cause.clone(),
        other => other.to_string(),
    }
}

/// A text input (JSON, an event log, a holiday table) this large is not one.
pub const MAX_TEXT: u64 = gongkai_extract::MAX_TEXT_BYTES as u64;
