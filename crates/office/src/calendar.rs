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

/// The largest holiday-notice file accepted (a year is a few dozen lines).
pub const MAX_NOTICE_BYTES: usize = 1024 * 1024;

/// The text of an uploaded notice file, as the import reads it: UTF-8 (with or
/// without a byte-order mark) or GB18030, the encoding Excel and WPS save text in on
/// Chinese Windows; a line of comma-separated values (a CSV) is read as tab-separated.
/// The message names the file and what is wrong with it.
pub fn notice_text(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    if bytes.len() > MAX_NOTICE_BYTES {
        return Err(format!(
            "文件「{file_name}」过大（{} KB），放假安排文件不超过 {} KB",
            bytes.len() / 1024,
            MAX_NOTICE_BYTES / 1024
        ));
    }
    if bytes.contains(&0)
        || bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
    {
        return Err(format!(
            "文件「{file_name}」不是文本文件：请在表格软件中「另存为」文本文件（制表符分隔）或 CSV 后再导入"
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (t, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                return Err(format!(
                    "文件「{file_name}」的文字编码无法识别（应为 UTF-8 或 GB18030/GBK）"
                ));
            }
            t.into_owned()
        }
    };
    Ok(text
        .lines()
        .map(|l| {
            if l.contains('\t') {
                l.to_string()
            } else {
                l.replace(',', "\t")
            }
        })
        .collect::<Vec<_>>()
        .join("\n"))
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

#[cfg(test)]
mod tests {
    use super::*;

    const NOTICE: &str = "date\tkind\tnotice_year\n2027-01-01\toff\t2027\n2027-02-07\twork\t2027\n";

    #[test]
    fn a_notice_file_reads_in_any_office_encoding() {
        // UTF-8, with and without the mark Windows Notepad writes.
        assert_eq!(
            notice_text("a.tsv", NOTICE.as_bytes()).unwrap(),
            NOTICE.trim_end()
        );
        let bom = [b"\xEF\xBB\xBF".as_slice(), NOTICE.as_bytes()].concat();
        assert_eq!(notice_text("a.txt", &bom).unwrap(), NOTICE.trim_end());
        // GB18030 (GBK) with a Chinese header, as Excel saves text on Chinese Windows.
        let chinese = "日期\t类型\t通知年度\n2027-01-01\toff\t2027\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(chinese);
        assert_eq!(notice_text("放假.txt", &gbk).unwrap(), chinese.trim_end());
        // A CSV: commas read as tabs, and the result imports.
        let csv = "date,kind,notice_year\r\n2027-01-01,off,2027\r\n2027-02-07,work,2027\r\n";
        let text = notice_text("放假.csv", csv.as_bytes()).unwrap();
        assert_eq!(check_import(&text).unwrap(), vec![2027]);
    }

    #[test]
    fn a_file_that_is_not_a_notice_is_named_and_refused() {
        let e = notice_text("放假.xlsx", b"PK\x03\x04rest").unwrap_err();
        assert!(
            e.contains("「放假.xlsx」不是文本文件") && e.contains("另存为"),
            "{e}"
        );
        let e = notice_text("a.bin", &[0x41, 0, 0x42]).unwrap_err();
        assert!(e.contains("不是文本文件"), "{e}");
        let e = notice_text("大.txt", &vec![b'a'; MAX_NOTICE_BYTES + 1]).unwrap_err();
        assert!(e.contains("「大.txt」过大"), "{e}");
        let e = notice_text("乱码.txt", &[0xFF, 0xFE, 0x81]).unwrap_err();
        assert!(e.contains("编码无法识别"), "{e}");
    }
}
