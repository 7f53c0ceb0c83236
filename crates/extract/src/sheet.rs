//! Spreadsheets (XLSX, XLS and WPS .et, ODS) → [`Document`], through calamine.
//!
//! Every sheet becomes its name as a paragraph and one table of its used range.
//! Merged cells (XLSX, XLS) become one cell with its spans, the covered cells
//! omitted, as in the other readers. A cell's text is what the spreadsheet shows
//! in its General format: integers as integers, other numbers with at most 15
//! significant digits (Excel's own precision), errors as `#VALUE!` and the like
//! (reported by the rules, never read as blank).

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, Dimensions, Reader, Sheets};

use crate::doc::{Document, Table, TableCell};
use crate::error::ReadError;

/// Cells read at most over the whole workbook.
pub const MAX_CELLS: usize = 2_000_000;

const FORMAT: &str = "电子表格";

/// Reads a workbook's sheets into the neutral shape.
pub fn read_spreadsheet(bytes: &[u8]) -> Result<Document, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    catch_unwind(AssertUnwindSafe(|| read_inner(bytes))).unwrap_or_else(|_| {
        Err(ReadError::corrupt(
            FORMAT,
            "解析时出现内部错误，文件可能已损坏",
            "",
        ))
    })
}

fn read_inner(bytes: &[u8]) -> Result<Document, ReadError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        let text = e.to_string();
        let lower = text.to_ascii_lowercase();
        if lower.contains("password") || lower.contains("encrypt") {
            return ReadError::Unsupported {
                format: "加密（设有密码）的电子表格".into(),
                fix: "请在 Excel 或 WPS 中取消密码后另存再读取".into(),
            };
        }
        ReadError::corrupt(
            FORMAT,
            "无法识别表格文件的结构，文件可能已损坏或不完整",
            text,
        )
    })?;
    let mut doc = Document::default();
    let mut cells = 0usize;
    for name in book.sheet_names().to_vec() {
        let range = match book.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                return Err(ReadError::corrupt(
                    FORMAT,
                    format!("工作表“{name}”无法读取"),
                    e,
                ));
            }
        };
        let merges = merged(&mut book, &name);
        let Some((r0, c0)) = range.start() else {
            continue;
        };
        let (h, w) = range.get_size();
        cells += h * w;
        if cells > MAX_CELLS {
            return Err(ReadError::TooLarge {
                detail: format!("电子表格超过 {MAX_CELLS} 个单元格的上限"),
            });
        }
        let mut rows = Vec::with_capacity(h);
        for (i, row) in range.rows().enumerate() {
            let r = r0 + i as u32;
            let mut out = Vec::with_capacity(w);
            for (j, data) in row.iter().enumerate() {
                let c = c0 + j as u32;
                let mut cell = TableCell::new(cell_text(data));
                if let Some(m) = merges.iter().find(|m| contains(m, r, c)) {
                    if m.start != (r, c) {
                        continue;
                    }
                    cell.row_span = m.end.0 - m.start.0 + 1;
                    cell.col_span = m.end.1 - m.start.1 + 1;
                }
                out.push(cell);
            }
            rows.push(out);
        }
        // Trailing rows that only format cells are not part of the table.
        while rows
            .last()
            .is_some_and(|r: &Vec<TableCell>| r.iter().all(|c| c.text.trim().is_empty()))
        {
            rows.pop();
        }
        if rows.is_empty() {
            continue;
        }
        // Rows above and below the grid that hold one text only (the title merged
        // across, a section heading, `（单位：元）`, the 落款) are the sheet's
        // paragraphs, as in a document: the reader finds the title and date there.
        let lead = rows.iter().take_while(|r| lone_text(r).is_some()).count();
        let below: Vec<Vec<TableCell>> = if lead < rows.len() {
            let tail = rows
                .iter()
                .rev()
                .take_while(|r| lone_text(r).is_some())
                .count();
            rows.split_off(rows.len() - tail)
        } else {
            Vec::new()
        };
        for r in rows.drain(..lead) {
            doc.paragraph(lone_text(&r).unwrap_or_default());
        }
        // The sheet's name after its title (a name before it would read as part of
        // the agency's name): it may be the section heading.
        doc.paragraph(name.clone());
        if !rows.is_empty() {
            doc.table(Table { rows });
        }
        for r in below {
            doc.paragraph(lone_text(&r).unwrap_or_default());
        }
    }
    if doc.blocks.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(doc)
}

/// The one text of a row whose other cells are empty, if it is not a number (a lone
/// number is a table's value, never a paragraph).
fn lone_text(row: &[TableCell]) -> Option<String> {
    let mut texts = row.iter().filter(|c| !c.text.trim().is_empty());
    let only = texts.next()?;
    if texts.next().is_some() {
        return None;
    }
    let t = only.text.trim();
    let numeric = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | ',' | '/'));
    (!numeric).then(|| t.to_string())
}

fn contains(m: &Dimensions, r: u32, c: u32) -> bool {
    (m.start.0..=m.end.0).contains(&r) && (m.start.1..=m.end.1).contains(&c)
}

/// The merged regions of a sheet, where the format keeps them.
fn merged(book: &mut Sheets<Cursor<&[u8]>>, name: &str) -> Vec<Dimensions> {
    let mut m = match book {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        _ => Vec::new(),
    };
    // Hostile files may declare thousands of overlapping regions: keep a sane number.
    m.truncate(10_000);
    m
}

/// What the spreadsheet shows for a cell (General format).
pub fn cell_text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::Error(e) => e.to_string(),
        Data::DateTime(d) => float_text(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// A double as Excel's General format shows it: at most 15 significant digits.
fn float_text(f: f64) -> String {
    if !f.is_finite() {
        return if f.is_nan() {
            "NaN".into()
        } else {
            "Inf".into()
        };
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let shortest = format!("{f}");
    let digits = shortest.bytes().filter(u8::is_ascii_digit).count();
    let leading_zeros = shortest
        .trim_start_matches('-')
        .bytes()
        .take_while(|b| *b == b'0' || *b == b'.')
        .filter(|b| *b == b'0')
        .count();
    if digits - leading_zeros <= 15 {
        return shortest;
    }
    // Round to 15 significant digits, then drop trailing zeros.
    let magnitude = f.abs().log10().floor() as i32;
    let decimals = (14 - magnitude).clamp(0, 30) as usize;
    let s = format!("{f:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_general_format_shows_them() {
        assert_eq!(float_text(10164.0), "10164");
        assert_eq!(float_text(15954.526468), "15954.526468");
        assert_eq!(float_text(164.504), "164.504");
        assert_eq!(float_text(0.1 + 0.2), "0.3");
        assert_eq!(float_text(-1.0), "-1");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(
            cell_text(&Data::Error(calamine::CellErrorType::Value)),
            "#VALUE!"
        );
    }
}
