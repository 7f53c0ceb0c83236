//! XLSX: one sheet per table (表二 表三 表四) with the template's merged headers,
//! numbers as numbers, blank cells empty and "/" as text.

use crate::RenderError;
use crate::layout::{self, Content, Role, TableLayout};
use gongkai_report::{Decimal, Report, Value};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// The sheet row where a table's grid starts (row 0: report title, row 1: section
/// heading).
pub const FIRST_ROW: u32 = 2;

/// The report as an .xlsx workbook.
pub fn render(report: &Report) -> Result<Vec<u8>, RenderError> {
    build(report).map_err(|e| RenderError::Write(format!("XLSX：{e}")))
}

struct Styles {
    title: Format,
    heading: Format,
    header: Format,
    block: Format,
    label: Format,
    note: Format,
    value: Format,
    number: Format,
}

fn styles() -> Styles {
    let cell = Format::new()
        .set_font_name("宋体")
        .set_font_size(10)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    Styles {
        title: Format::new()
            .set_font_name("方正小标宋简体")
            .set_font_size(16)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        heading: Format::new()
            .set_font_name("黑体")
            .set_font_size(12)
            .set_align(FormatAlign::VerticalCenter),
        header: cell.clone().set_align(FormatAlign::Center),
        // The 第二十条 bar rows, filled as in the national template.
        block: cell
            .clone()
            .set_align(FormatAlign::Left)
            .set_background_color(Color::RGB(0xC6D9F1)),
        label: cell.clone().set_align(FormatAlign::Left),
        note: cell
            .clone()
            .set_font_name("楷体")
            .set_align(FormatAlign::Left),
        value: cell.clone().set_align(FormatAlign::Center),
        // General number format: integers print without decimals, amounts keep theirs.
        number: cell.set_align(FormatAlign::Center),
    }
}

/// Whether a spreadsheet shows the number exactly: at most 15 significant digits
/// (Excel's precision) and a double that prints back as the same value.
fn spreadsheet_number(d: Decimal) -> bool {
    d.significant_digits() <= 15 && Decimal::parse(&format!("{}", d.to_f64())) == Some(d)
}

fn build(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let s = styles();
    let title = crate::title(report);
    for t in layout::tables(report.template) {
        let ws = wb.add_worksheet();
        ws.set_name(t.sheet)?;
        sheet(ws, &t, report, &title, &s)?;
    }
    wb.save_to_buffer()
}

fn sheet(
    ws: &mut Worksheet,
    t: &TableLayout,
    report: &Report,
    title: &str,
    s: &Styles,
) -> Result<(), XlsxError> {
    let last_col = (t.columns() - 1) as u16;
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    if t.columns() > 10 {
        ws.set_landscape();
    }
    ws.merge_range(0, 0, 0, last_col, title, &s.title)?;
    ws.set_row_height(0, 30)?;
    ws.merge_range(1, 0, 1, last_col, t.heading, &s.heading)?;
    ws.set_row_height(1, 22)?;
    if t.header_rows > 0 {
        ws.set_repeat_rows(FIRST_ROW, FIRST_ROW + t.header_rows as u32 - 1)?;
    }
    // Column widths in characters: CJK glyphs count double.
    let widths: Vec<f64> = t
        .widths
        .iter()
        .map(|w| (*w as f64 / 100.0).max(10.0))
        .collect();
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let mut lines = vec![1usize; t.rows];
    for c in &t.cells {
        let row = FIRST_ROW + c.row as u32;
        let col = c.col as u16;
        let (last_row, last_c) = (row + c.rowspan as u32 - 1, col + c.colspan as u16 - 1);
        let merged = c.rowspan > 1 || c.colspan > 1;
        match c.content {
            Content::Text(text) => {
                let f = match c.role {
                    Role::RowLabel => &s.label,
                    Role::Note => &s.note,
                    Role::Block => &s.block,
                    _ => &s.header,
                };
                if merged {
                    ws.merge_range(row, col, last_row, last_c, text, f)?;
                } else {
                    ws.write_string_with_format(row, col, text, f)?;
                }
                if c.rowspan == 1 {
                    let width: f64 = widths[c.col..c.col + c.colspan].iter().sum();
                    let need = (text.chars().count() as f64 * 2.0 / (width - 1.0)).ceil();
                    lines[c.row] = lines[c.row].max(need as usize);
                }
            }
            Content::Value(k) => {
                if merged {
                    ws.merge_range(row, col, last_row, last_c, "", &s.value)?;
                }
                match report.value(k) {
                    Value::Number(d) if spreadsheet_number(d) => {
                        ws.write_number_with_format(row, col, d.to_f64(), &s.number)?;
                    }
                    Value::Number(d) => {
                        // More digits than a spreadsheet number keeps (15): written as
                        // its digits, never rounded.
                        ws.write_string_with_format(row, col, d.to_string(), &s.number)?;
                    }
                    Value::Blank => {
                        ws.write_blank(row, col, &s.value)?;
                    }
                    Value::NotApplicable => {
                        ws.write_string_with_format(row, col, "/", &s.value)?;
                    }
                }
            }
        }
    }
    for (r, n) in lines.iter().enumerate() {
        ws.set_row_height(FIRST_ROW + r as u32, 15.0 * (*n).max(1) as f64 + 3.0)?;
    }
    Ok(())
}
