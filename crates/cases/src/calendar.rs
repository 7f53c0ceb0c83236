//! Working-day calendar on China's official holiday and 调休 arrangements.
//!
//! The data are the yearly 国务院办公厅关于部分节假日安排的通知 as exceptions to the
//! Monday–Friday rule (`off` / `work` lines in `holidays.tsv`). A date whose year
//! no loaded notice covers is an error: a deadline is never guessed.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The embedded notices, 2019–2026 (`spec/holidays.tsv`).
pub const BUILTIN_HOLIDAYS: &str = include_str!("../data/holidays.tsv");

/// How the notices classify one date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayKind {
    /// A holiday (放假), including weekend days inside a holiday range.
    Off,
    /// A weekend day made a working day (调休上班).
    Work,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalendarError {
    /// A line of a holidays file could not be read.
    Parse { line: usize, message: String },
    /// The date lies in a year no loaded notice covers.
    NotCovered {
        date: NaiveDate,
        first: i32,
        last: i32,
    },
    /// Arithmetic ran past chrono's date range.
    Overflow,
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarError::Parse { line, message } => {
                write!(f, "节假日文件第 {line} 行：{message}")
            }
            CalendarError::NotCovered { date, first, last } => write!(
                f,
                "{date} 不在工作日日历覆盖范围内（已载入 {first}–{last} 年的放假安排）；\
                 请用 --holidays 补充该年度国务院办公厅放假安排通知的数据"
            ),
            CalendarError::Overflow => write!(f, "日期超出可计算范围"),
        }
    }
}

impl std::error::Error for CalendarError {}

/// Working days by the official notices. Cheap to clone; build once, share.
#[derive(Clone, Debug)]
pub struct Calendar {
    exceptions: BTreeMap<NaiveDate, DayKind>,
    /// Calendar years for which a notice is loaded.
    years: BTreeSet<i32>,
    /// What the exceptions change in the Monday–Friday count, summed in date order:
    /// (an exception that changes it, the sum through that day). A span's change is
    /// then two binary searches, not a walk over the exceptions it holds (an inbox
    /// of cases years overdue asks for 50 such spans a page).
    shifts: Vec<(NaiveDate, i64)>,
}

impl Calendar {
    /// The calendar embedded in the program (notices 2019–2026).
    pub fn builtin() -> Calendar {
        // The embedded file is checked by the tests; an empty calendar is the safe fallback.
        let mut cal = Calendar::empty();
        let _ = cal.load_tsv(BUILTIN_HOLIDAYS);
        cal
    }

    /// A calendar that covers nothing (every date is an error until data is loaded).
    pub fn empty() -> Calendar {
        Calendar {
            exceptions: BTreeMap::new(),
            years: BTreeSet::new(),
            shifts: Vec::new(),
        }
    }

    /// Adds the lines of a holidays TSV (`date<TAB>kind<TAB>notice_year`, `#` comments,
    /// an optional header). Later data override earlier data for the same date, so an
    /// amended notice (like 2020's extended 春节) can be loaded on top of the builtin one.
    /// Nothing is changed when the text has an error.
    pub fn load_tsv(&mut self, text: &str) -> Result<(), CalendarError> {
        let mut parsed = Vec::new();
        let mut years = BTreeSet::new();
        for (idx, raw) in text.lines().enumerate() {
            let line = idx + 1;
            let l = raw.trim_start_matches('\u{feff}').trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = l.split('\t').map(str::trim).collect();
            if fields[0] == "date" {
                continue; // header
            }
            let err = |message: String| CalendarError::Parse { line, message };
            if fields.len() < 2 {
                return Err(err(
                    "应为「日期<TAB>off|work<TAB>通知年度」三列，用制表符分隔".into(),
                ));
            }
            let date = NaiveDate::parse_from_str(fields[0], "%Y-%m-%d")
                .map_err(|_| err(format!("日期「{}」无效，应为 YYYY-MM-DD", fields[0])))?;
            let kind = match fields[1] {
                "off" => DayKind::Off,
                "work" => DayKind::Work,
                other => return Err(err(format!("类型「{other}」无效，应为 off 或 work"))),
            };
            // The notice year says which calendar year the notice covers; a notice's
            // entries may spill into the previous December (2023's notice: 2022-12-31).
            let year = match fields.get(2) {
                Some(y) if !y.is_empty() => y
                    .parse::<i32>()
                    .map_err(|_| err(format!("通知年度「{y}」无效")))?,
                _ => date.year(),
            };
            if (year - date.year()).abs() > 1 {
                return Err(err(format!("日期 {date} 与通知年度 {year} 相差过远")));
            }
            parsed.push((date, kind));
            years.insert(year);
        }
        for (d, k) in parsed {
            self.exceptions.insert(d, k);
        }
        self.years.extend(years);
        self.sum_shifts();
        Ok(())
    }

    fn sum_shifts(&mut self) {
        let mut sum = 0;
        self.shifts = self
            .exceptions
            .iter()
            .filter_map(|(day, kind)| {
                let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
                sum += match (kind, weekend) {
                    (DayKind::Off, false) => -1,
                    (DayKind::Work, true) => 1,
                    _ => return None,
                };
                Some((*day, sum))
            })
            .collect();
    }

    /// The exceptions' change to the Monday–Friday count of the days up to `day`.
    fn shift_through(&self, day: NaiveDate) -> i64 {
        match self.shifts.partition_point(|(d, _)| *d <= day) {
            0 => 0,
            i => self.shifts[i - 1].1,
        }
    }

    /// This calendar with the years after its last covered year, through `last`,
    /// counted by the weekday rule alone (Monday–Friday). For *provisional* dates
    /// only: a date computed with it must be shown as 暂定 until the year's notice is
    /// loaded. Returns the years added.
    pub fn with_weekday_years(&self, last: i32) -> (Calendar, Vec<i32>) {
        let mut cal = self.clone();
        let first = self.covered_years().map_or(last, |(_, l)| l + 1);
        let added: Vec<i32> = (first..=last).collect();
        cal.years.extend(added.iter().copied());
        (cal, added)
    }

    /// First and last calendar year covered, if any.
    pub fn covered_years(&self) -> Option<(i32, i32)> {
        Some((*self.years.first()?, *self.years.last()?))
    }

    /// Whether `date` falls in a covered year (or is listed explicitly).
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.years.contains(&date.year()) || self.exceptions.contains_key(&date)
    }

    fn not_covered(&self, date: NaiveDate) -> CalendarError {
        let (first, last) = self.covered_years().unwrap_or((0, 0));
        CalendarError::NotCovered { date, first, last }
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        if let Some(k) = self.exceptions.get(&date) {
            return Ok(*k == DayKind::Work);
        }
        if !self.years.contains(&date.year()) {
            return Err(self.not_covered(date));
        }
        Ok(!matches!(date.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The `n`-th working day after `date`; the day of `date` itself does not count
    /// (开始的当日不计入). `n == 0` returns `date`.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        self.add_working_days_skipping(date, n, |_| false)
    }

    /// Like [`Calendar::add_working_days`], but days for which `skip` is true do not
    /// count (a paused clock).
    pub fn add_working_days_skipping(
        &self,
        date: NaiveDate,
        n: u32,
        skip: impl Fn(NaiveDate) -> bool,
    ) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().ok_or(CalendarError::Overflow)?;
            if self.is_working_day(d)? && !skip(d) {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// Working days in `(from, to]`; negative when `to < from` (days in `(to, from]`).
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, CalendarError> {
        let (a, b, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        if a == b {
            return Ok(0);
        }
        // The days counted are a+1 ..= b. Every day must be known: a day in a year
        // without a notice is an error unless the notice of an exception names it.
        let first = a + Duration::days(1);
        for year in first.year()..=b.year() {
            if self.years.contains(&year) {
                continue;
            }
            let start = first.max(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(first));
            let mut d = start;
            while d <= b && d.year() == year {
                if !self.exceptions.contains_key(&d) {
                    return Err(self.not_covered(d));
                }
                d += Duration::days(1);
            }
        }
        // Monday–Friday by arithmetic (whole weeks, then the rest), then the notices'
        // exceptions inside the span: years of overdue cases cost no more than a week.
        let days = (b - a).num_days();
        let mut n = days / 7 * 5;
        let mut d = a + Duration::days(days / 7 * 7);
        while d < b {
            d += Duration::days(1);
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                n += 1;
            }
        }
        // The exceptions' change over a+1 ..= b.
        n += self.shift_through(b) - self.shift_through(a);
        Ok(sign * n)
    }
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::builtin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Day by day, as the law counts: the oracle for `working_days_between`.
    fn counted_day_by_day(
        cal: &Calendar,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, CalendarError> {
        let (a, b, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut n = 0i64;
        let mut d = a;
        while d < b {
            d += Duration::days(1);
            if cal.is_working_day(d)? {
                n += 1;
            }
        }
        Ok(sign * n)
    }

    #[test]
    fn working_days_between_agrees_with_counting_day_by_day() {
        let cal = Calendar::builtin();
        let (provisional, _) = cal.with_weekday_years(2028);
        let start = NaiveDate::from_ymd_opt(2018, 12, 20).unwrap();
        // Every pair of a spread of dates across the covered years and past them,
        // errors included (the same uncovered day named).
        let dates: Vec<NaiveDate> = (0..3700)
            .step_by(37)
            .map(|k| start + Duration::days(k))
            .collect();
        for c in [&cal, &provisional] {
            for &x in &dates {
                for &y in dates.iter().step_by(3) {
                    assert_eq!(
                        c.working_days_between(x, y),
                        counted_day_by_day(c, x, y),
                        "{x} → {y}"
                    );
                }
            }
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn builtin_file_parses_and_covers_2019_to_2026() {
        let mut cal = Calendar::empty();
        cal.load_tsv(BUILTIN_HOLIDAYS).unwrap();
        assert_eq!(cal.covered_years(), Some((2019, 2026)));
        assert_eq!(Calendar::builtin().covered_years(), Some((2019, 2026)));
    }

    /// The seven test vectors of spec/README.md (start day excluded, 条例第三十条/第三十三条).
    #[test]
    fn spec_vectors() {
        let cal = Calendar::builtin();
        let cases = [
            ("2026-02-10", 20, "2026-03-16"),
            ("2026-02-10", 7, "2026-02-26"),
            ("2025-09-26", 20, "2025-10-30"),
            ("2024-12-31", 20, "2025-02-05"),
            ("2020-01-20", 20, "2020-02-25"),
            ("2023-09-28", 15, "2023-10-25"),
            ("2026-09-18", 40, "2026-11-19"),
        ];
        for (from, n, due) in cases {
            assert_eq!(
                cal.add_working_days(d(from), n).unwrap(),
                d(due),
                "{from} + {n}"
            );
        }
    }

    #[test]
    fn make_up_saturday_is_working_and_weekday_holiday_is_not() {
        let cal = Calendar::builtin();
        assert!(cal.is_working_day(d("2026-02-14")).unwrap()); // Saturday, 调休
        assert!(!cal.is_working_day(d("2026-02-16")).unwrap()); // Monday, 春节
        assert!(cal.is_working_day(d("2018-12-29")).unwrap()); // listed in 2019's notice
        assert!(!cal.is_working_day(d("2022-12-31")).unwrap()); // listed in 2023's notice
        assert!(!cal.is_working_day(d("2026-03-07")).unwrap()); // ordinary Saturday
    }

    #[test]
    fn zero_days_is_the_same_day() {
        let cal = Calendar::builtin();
        assert_eq!(
            cal.add_working_days(d("2026-02-10"), 0).unwrap(),
            d("2026-02-10")
        );
    }

    #[test]
    fn uncovered_year_is_an_error_not_a_guess() {
        let cal = Calendar::builtin();
        let e = cal.add_working_days(d("2026-12-20"), 20).unwrap_err();
        assert!(matches!(e, CalendarError::NotCovered { .. }));
        assert!(e.to_string().contains("2027-01-01"));
        assert!(cal.is_working_day(d("2018-06-01")).is_err());
    }

    #[test]
    fn weekday_years_are_added_only_after_coverage() {
        let cal = Calendar::builtin();
        let (prov, added) = cal.with_weekday_years(2027);
        assert_eq!(added, vec![2027]);
        // 2027-01-01 is a Friday: a working day by the weekday rule alone (the notice
        // will make it a holiday), which is why such dates are only provisional.
        assert_eq!(prov.is_working_day(d("2027-01-01")), Ok(true));
        assert_eq!(prov.is_working_day(d("2027-01-02")), Ok(false));
        assert!(cal.is_working_day(d("2027-01-01")).is_err());
        // Covered years keep their notices.
        assert_eq!(prov.is_working_day(d("2026-10-01")), Ok(false));
        let (_, none) = cal.with_weekday_years(2026);
        assert!(none.is_empty());
    }

    #[test]
    fn a_later_notice_is_added_as_data() {
        let mut cal = Calendar::builtin();
        cal.load_tsv("date\tkind\tnotice_year\n2027-01-01\toff\t2027\n")
            .unwrap();
        assert_eq!(cal.covered_years(), Some((2019, 2027)));
        // 2026-12-31 (Thu) + 1: 2027-01-01 is off, so Monday 2027-01-04.
        assert_eq!(
            cal.add_working_days(d("2026-12-31"), 1).unwrap(),
            d("2027-01-04")
        );
    }

    #[test]
    fn bad_tsv_lines_are_reported_by_number_and_change_nothing() {
        let mut cal = Calendar::builtin();
        let e = cal
            .load_tsv("# c\n2027-01-01\toff\t2027\n2027-13-01\toff\t2027\n")
            .unwrap_err();
        assert_eq!(
            e,
            CalendarError::Parse {
                line: 3,
                message: "日期「2027-13-01」无效，应为 YYYY-MM-DD".into()
            }
        );
        assert_eq!(cal.covered_years(), Some((2019, 2026)));
        assert!(cal.load_tsv("2027-01-01\tholiday\t2027").is_err());
        assert!(cal.load_tsv("2027-01-01").is_err());
    }

    #[test]
    fn working_days_between_counts_half_open_interval() {
        let cal = Calendar::builtin();
        assert_eq!(
            cal.working_days_between(d("2026-02-10"), d("2026-03-16"))
                .unwrap(),
            20
        );
        assert_eq!(
            cal.working_days_between(d("2026-03-16"), d("2026-02-10"))
                .unwrap(),
            -20
        );
        assert_eq!(
            cal.working_days_between(d("2026-03-16"), d("2026-03-16"))
                .unwrap(),
            0
        );
    }
}
