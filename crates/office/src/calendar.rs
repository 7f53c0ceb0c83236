//! The office's working-day calendar: the built-in notices plus those imported by
//! the administrator (kept in the database, so every server sees them), and a
//! provisional extension past the last notice for dates that cannot wait.

use gongkai_cases::{Calendar, CalendarError, NaiveDate};
use gongkai_store::office::CalendarImportRow;

/// How far past the last notice a provisional date may be counted.
pub const PROVISIONAL_YEARS: i32 = 2;

#[derive(Debug, Clone)]
pub struct OfficeCalendar {
    /// The notices: built-in and imported.
    pub official: Calendar,
    /// `official` with the following years counted Monday–Friday.
    pub provisional: Calendar,
    /// The years `provisional` adds.
    pub provisional_years: Vec<i32>,
    /// Imports applied (their ids), to notice a newer one.
    pub imports: usize,
}

impl OfficeCalendar {
    /// The built-in calendar with `imports` applied in order. An import that no longer
    /// parses (it was checked when imported) is skipped rather than stopping the office.
    pub fn build(imports: &[CalendarImportRow]) -> OfficeCalendar {
        let mut official = Calendar::builtin();
        for i in imports {
            let _ = official.load_tsv(&i.tsv);
        }
        let last = official.covered_years().map_or(2026, |(_, l)| l);
        let (provisional, provisional_years) =
            official.with_weekday_years(last + PROVISIONAL_YEARS);
        OfficeCalendar {
            official,
            provisional,
            provisional_years,
            imports: imports.len(),
        }
    }

    /// The last year the notices cover.
    pub fn last_year(&self) -> i32 {
        self.official.covered_years().map_or(0, |(_, l)| l)
    }

    /// Whether the administrator should be reminded to import next year's notice:
    /// from 1 November of the last covered year on.
    pub fn import_due(&self, today: NaiveDate) -> Option<i32> {
        let last = self.last_year();
        let remind_from = NaiveDate::from_ymd_opt(last, 11, 1)?;
        (today >= remind_from).then_some(last + 1)
    }
}

/// Checks a notice before it is imported: it must parse, and name at least one date.
/// Returns the calendar years it covers.
pub fn check_import(tsv: &str) -> Result<Vec<i32>, CalendarError> {
    let mut probe = Calendar::empty();
    probe.load_tsv(tsv)?;
    match probe.covered_years() {
        Some((a, b)) => Ok((a..=b).collect()),
        None => Err(CalendarError::Parse {
            line: 0,
            message: "文件中没有任何日期（应为「日期<TAB>off|work<TAB>通知年度」）".into(),
        }),
    }
}
