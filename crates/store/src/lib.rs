//! gongkai-store: the annual reports as one dataset, in SQLite (an embedded file) or
//! PostgreSQL, with one schema and the same SQL on both engines.
//!
//! * `sources`  — one row per input file, identified by the sha256 of its bytes; a file
//!   that could not be read is kept with its cause, so a re-run skips it too.
//! * `reports`  — one row per report read (an archive may hold several).
//! * `cells`    — every cell of the report's template: kind `number` / `blank` / `n/a`,
//!   the exact value as text, the raw text as printed, unit, note, provenance.
//! * `findings` — the rules of `gongkai_report::check`, and the cross-year rules
//!   (`YEAR.CARRY`, `YEAR.IN_FORCE`) with `prev_report_id` set.
//!
//! Everything one file brings is written in one transaction: a run killed half-way
//! leaves each file either fully stored or not at all, and the next run picks up the rest.

mod db;
pub mod ingest;
mod normalize;

pub use db::{CellRow, FindingRow, ReportRow, SourceRow, Store, StoreError, Totals};
pub use ingest::{
    DEFAULT_TIMEOUT, FileEvent, IngestOptions, IngestSummary, Outcome, PreparedFile,
    PreparedReport, collect_inputs, ingest, prepare_file,
};
pub use normalize::agency_key;

/// The default SQLite file when no `--db` is given.
pub const DEFAULT_DB: &str = "gongkai.db";
