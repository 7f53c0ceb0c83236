//! gongkai-dataset: bulk work over many reports — ingest (walk, hash, read in
//! parallel with limits, store each file once) and the dataset's exports. The command
//! line and the web server call the same functions.

pub mod export;
pub mod ingest;
mod patience;
pub mod runs;
mod sqlite_lock;

pub use ingest::{
    CRASHED, DEFAULT_DB_PATIENCE, DEFAULT_TIMEOUT, FileEvent, IngestOptions, IngestSummary, Inputs,
    NOTHING_READ, Outcome, Reader, category, collect_inputs, content_hash, forget_run, ingest,
    missing_parts, new_run_id, not_a_document_by_content, not_a_document_by_name, prepare_file,
    read_nothing, reading_bound,
};

/// A runtime for the blocking entry points (the command line): one worker thread, so
/// that the store's connections are driven while the calling thread blocks on them.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
}
