//! Tables 三 and 四 of a year's annual report, derived from cases.
//!
//! Definitions (so that the identities hold by construction):
//! - `new`: received (第三十一条 date) in the year;
//! - `carried_in`: received before the year and not concluded before 1 January;
//! - outcome rows: concluded in the year, by outcome (a withdrawal counts as 其他);
//! - `carried_out`: received by 31 December and not concluded by then.
//!
//! Table 四 counts every appeal handled in the year: filed in the year, or filed
//! earlier and still undecided on 1 January; its column is its result as of
//! 31 December (`pending` if none yet).

use crate::case::Case;
use crate::model::{AppealKind, ApplicantKind, Outcome};
use chrono::NaiveDate;

/// The national template a report follows: the standard's own type.
pub use gongkai_report::TemplateId as Template;
use gongkai_report::template::{APPEAL_COLUMNS, REQUEST_COLUMNS as COLUMNS};

/// Table 三 outcome row keys (without `requests.`), in template order.
pub fn outcome_rows(t: Template) -> Vec<&'static str> {
    let mut rows: Vec<&'static str> = Outcome::ALL
        .iter()
        .filter(|o| !o.is_other())
        .map(|o| o.row_key())
        .collect();
    match t {
        Template::T2019 => rows.push("other"),
        Template::T2021 => rows.extend(["other.no_correction", "other.fee_unpaid", "other.other"]),
    }
    rows
}

/// Every cell key of the template (`cells.tsv`); table 二 cannot be derived from cases.
pub fn all_keys(t: Template) -> Vec<String> {
    gongkai_report::template::keys(t)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// The keys of tables 三 and 四, in template order.
pub fn derivable_keys(t: Template) -> Vec<String> {
    let mut rows = vec!["new", "carried_in"];
    rows.extend(outcome_rows(t));
    rows.extend(["total", "carried_out"]);
    let mut keys = Vec::with_capacity(rows.len() * 7 + 15);
    for r in rows {
        for c in COLUMNS {
            keys.push(format!("requests.{r}.{c}"));
        }
    }
    for a in AppealKind::ALL {
        for c in APPEAL_COLUMNS {
            keys.push(format!("appeals.{}.{c}", a.row_key()));
        }
    }
    keys
}

const NEW: usize = 0;
const CARRIED_IN: usize = 1;
const FIRST_OUTCOME: usize = 2;
const CARRIED_OUT: usize = FIRST_OUTCOME + Outcome::ALL.len();
const ROWS: usize = CARRIED_OUT + 1;

/// Tables 三 and 四 of one year, counted in the 2021 coding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearReport {
    pub year: i32,
    pub template: Template,
    /// `[row][applicant column]`: new, carried_in, the 21 outcomes, carried_out.
    requests: [[u64; 6]; ROWS],
    /// `[appeal kind][upheld, corrected, other, pending]`.
    appeals: [[u64; 4]; 3],
}

impl YearReport {
    /// Counts `cases` for `year`.
    pub fn from_cases<'a>(
        cases: impl IntoIterator<Item = &'a Case>,
        year: i32,
        template: Template,
    ) -> YearReport {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
        let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
        let mut r = YearReport {
            year,
            template,
            requests: [[0; 6]; ROWS],
            appeals: [[0; 4]; 3],
        };
        for case in cases {
            if case.receipt > end {
                continue;
            }
            let col = case.applicant.kind.index();
            let concluded = case.concluded();
            let open_at_start = concluded.is_none_or(|(d, _)| d >= start);
            if !open_at_start {
                // Concluded before the year; only its appeals may still count.
                r.count_appeals(case, start, end);
                continue;
            }
            if case.receipt >= start {
                r.requests[NEW][col] += 1;
            } else {
                r.requests[CARRIED_IN][col] += 1;
            }
            match concluded {
                Some((d, o)) if d <= end => r.requests[FIRST_OUTCOME + o.index()][col] += 1,
                _ => r.requests[CARRIED_OUT][col] += 1,
            }
            r.count_appeals(case, start, end);
        }
        r
    }

    fn count_appeals(&mut self, case: &Case, start: NaiveDate, end: NaiveDate) {
        for a in &case.appeals {
            if a.filed > end {
                continue;
            }
            if a.filed < start && a.resolved.is_some_and(|(d, _)| d < start) {
                continue;
            }
            let col = match a.resolved {
                Some((d, res)) if d <= end => res as usize,
                _ => 3,
            };
            self.appeals[a.kind as usize][col] += 1;
        }
    }

    /// A table 三 cell, 2021 coding; `row` is a row key, `column` a column key
    /// (`total` allowed for both).
    pub fn request(&self, row: &str, column: &str) -> Option<u64> {
        let rows = self.row_values(row)?;
        if column == "total" {
            return Some(rows.iter().sum());
        }
        let c = ApplicantKind::ALL
            .iter()
            .position(|k| k.column_key() == column)?;
        Some(rows[c])
    }

    fn row_values(&self, row: &str) -> Option<[u64; 6]> {
        let sum_rows = |pred: &dyn Fn(Outcome) -> bool| {
            let mut acc = [0u64; 6];
            for o in Outcome::ALL.into_iter().filter(|o| pred(*o)) {
                for (a, v) in acc.iter_mut().zip(self.requests[FIRST_OUTCOME + o.index()]) {
                    *a += v;
                }
            }
            acc
        };
        Some(match row {
            "new" => self.requests[NEW],
            "carried_in" => self.requests[CARRIED_IN],
            "carried_out" => self.requests[CARRIED_OUT],
            "total" => sum_rows(&|_| true),
            "other" => sum_rows(&|o| o.is_other()),
            _ => self.requests[FIRST_OUTCOME + Outcome::from_row_key(row)?.index()],
        })
    }

    /// A table 四 cell.
    pub fn appeal(&self, kind: AppealKind, column: &str) -> Option<u64> {
        let row = self.appeals[kind as usize];
        Some(match column {
            "upheld" => row[0],
            "corrected" => row[1],
            "other" => row[2],
            "pending" => row[3],
            "total" => row.iter().sum(),
            _ => return None,
        })
    }

    /// Tables 三 and 四 as `(key, value)` pairs with exactly the template's keys, in
    /// template order.
    pub fn cells(&self) -> Vec<(String, u64)> {
        let mut out = Vec::with_capacity(25 * 7 + 15);
        let mut rows = vec!["new", "carried_in"];
        rows.extend(outcome_rows(self.template));
        rows.extend(["total", "carried_out"]);
        for r in rows {
            let vals = self.row_values(r).unwrap_or([0; 6]);
            for (i, k) in ApplicantKind::ALL.iter().enumerate() {
                out.push((format!("requests.{r}.{}", k.column_key()), vals[i]));
            }
            out.push((format!("requests.{r}.total"), vals.iter().sum()));
        }
        for a in AppealKind::ALL {
            for c in APPEAL_COLUMNS {
                out.push((
                    format!("appeals.{}.{c}", a.row_key()),
                    self.appeal(a, c).unwrap_or(0),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn tsv_keys(t: Template) -> BTreeSet<String> {
        gongkai_report::template::keys(t)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn template_keys_are_exactly_cells_tsv() {
        for t in [Template::T2019, Template::T2021] {
            let ours: BTreeSet<String> = all_keys(t).into_iter().collect();
            assert_eq!(ours.len(), all_keys(t).len(), "no duplicates");
            let derived: BTreeSet<String> = derivable_keys(t).into_iter().collect();
            let tables_3_4: BTreeSet<String> = tsv_keys(t)
                .into_iter()
                .filter(|k| !k.starts_with("proactive."))
                .collect();
            assert_eq!(derived, tables_3_4, "template {t}");
            let derivable: Vec<String> = YearReport::from_cases([], 2021, t)
                .cells()
                .into_iter()
                .map(|(k, _)| k)
                .collect();
            assert_eq!(derivable, derivable_keys(t));
        }
        assert_eq!(derivable_keys(Template::T2019).len(), 23 * 7 + 15);
        assert_eq!(derivable_keys(Template::T2021).len(), 25 * 7 + 15);
    }

    #[test]
    fn template_for_year_follows_the_notices() {
        assert_eq!(Template::for_year(2019), Template::T2019);
        assert_eq!(Template::for_year(2020), Template::T2019);
        assert_eq!(Template::for_year(2021), Template::T2021);
        assert_eq!(Template::for_year(2026), Template::T2021);
    }
}
