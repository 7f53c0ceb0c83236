//! gongkai-cases: disclosure applications under the 《政府信息公开条例》 (2019).
//!
//! Pure library, no I/O: events in, case state, deadlines and report tables out.
//!
//! - [`Calendar`]: working days on the official holiday / 调休 notices.
//! - [`Case`], [`Registry`]: the lifecycle (receipt, 补正, consultation, extension,
//!   fee, decision, delivery, withdrawal, appeals), built from [`Event`]s.
//! - [`deadline()`]: due date, working days left, pauses, and why.
//! - [`fees`]: 信息处理费 (国办函〔2020〕109号).
//! - [`YearReport`]: tables 三 and 四 of a year, keyed as `spec/cells.tsv`.

pub mod calendar;
pub mod case;
pub mod deadline;
pub mod event;
pub mod fees;
pub mod model;
pub mod report;

pub use calendar::{Calendar, CalendarError, DayKind};
pub use case::{Case, CaseError, Registry, Stage};
pub use deadline::{Deadline, PauseSpan, deadline};
pub use event::{Event, EventBody, LogError, parse_event_line, parse_event_log};
pub use model::{
    AppealKind, AppealResult, Applicant, ApplicantKind, Channel, Consultee, FeeMethod, Outcome,
};
pub use report::{Template, YearReport};

/// Dates throughout the API are `chrono` calendar dates.
pub use chrono::NaiveDate;
