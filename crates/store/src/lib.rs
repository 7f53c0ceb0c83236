//! gongkai-store: persistence for gongkai, in SQLite (an embedded file, the default)
//! or PostgreSQL (several servers on one database), with one schema kept by
//! migrations (`migrations/ENGINE/`) and the same SQL on both engines. Async: every
//! call is a future on the caller's tokio runtime.
//!
//! The reports dataset (`dataset` module):
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
//!
//! The disclosure office (`office` module): agencies, users, sessions, cases and their
//! append-only events, documents, attachments and the audit log.

mod audit;
mod db;
mod error;
mod files;
mod normalize;
pub mod office;
pub mod portal;

pub use db::{CellRow, FindingRow, Reading, ReportRow, SourceRow, Store, Totals};
pub use error::StoreError;
pub use files::{CRASHED, Failure, PreparedFile, PreparedReport, file_name_of};
pub use normalize::agency_key;

/// The default SQLite file when no `--db` is given.
pub const DEFAULT_DB: &str = "gongkai.db";
