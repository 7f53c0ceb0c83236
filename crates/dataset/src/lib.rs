//! gongkai-dataset: bulk work over many reports — ingest (walk, hash, read in
//! parallel with limits, store each file once) and the dataset's exports. The command
//! line and the web server call the same functions.

pub mod ingest;

pub use ingest::{
    DEFAULT_TIMEOUT, FileEvent, IngestOptions, IngestSummary, Outcome, category, collect_inputs,
    content_hash, ingest, prepare_file,
};

/// A runtime for the blocking entry points (the command line): one worker thread, so
/// that the store's connections are driven while the calling thread blocks on them.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
}
