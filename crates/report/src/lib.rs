//! The statutory 政府信息公开工作年度报告 as data: the two national templates, cell
//! values as printed, and the template's identities as findings. Pure: no I/O.

pub mod report;
pub mod rules;
pub mod template;
pub mod value;

pub use report::{Report, Section};
pub use rules::{Finding, Severity, Status, check, check_consecutive, has_errors};
pub use template::{CellDef, TableId, TemplateId};
pub use value::{Cell, Decimal, Provenance, Value};
