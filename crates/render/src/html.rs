//! One self-contained HTML file that reads like a government web publication and
//! prints on A4.

use crate::layout::{self, Content, Role, SECTION_HEADINGS, TableLayout};
use gongkai_report::Report;
use std::fmt::Write;

const STYLE: &str = r#"
@page { size: A4; margin: 37mm 26mm 35mm 28mm;
  @bottom-center { content: "— " counter(page) " —"; font-family: "宋体", "SimSun", "Noto Serif CJK SC", serif; font-size: 14pt; } }
html { background: #f2f2f2; }
body { margin: 0; color: #000; font-family: "仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif; font-size: 16pt; line-height: 28.95pt; }
main { box-sizing: border-box; width: 210mm; min-height: 297mm; margin: 12mm auto; padding: 37mm 26mm 35mm 28mm; background: #fff; box-shadow: 0 0 4mm rgba(0,0,0,.15); }
h1 { margin: 0 0 28pt; text-align: center; break-after: avoid; page-break-after: avoid; font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "宋体", "SimSun", "Noto Serif CJK SC", serif; font-size: 22pt; font-weight: normal; line-height: 35pt; }
h2 { margin: 0; text-indent: 2em; break-after: avoid; page-break-after: avoid; font-family: "黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; font-size: 16pt; font-weight: normal; }
p { margin: 0; text-indent: 2em; text-align: justify; }
table { width: 100%; margin: 6pt 0 12pt; border-collapse: collapse; table-layout: fixed; break-inside: avoid; page-break-inside: avoid; font-family: "宋体", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC", serif; font-size: 10pt; line-height: 1.2; }
td { border: 1px solid #000; padding: 0 2.85pt; height: 17pt; text-align: center; vertical-align: middle; }
td.v { white-space: nowrap; }
td.label { text-align: left; }
td.note { text-align: left; font-family: "楷体_GB2312", "楷体", "KaiTi", "STKaiti", "Noto Serif CJK SC", serif; }
td.block { text-align: left; background: #C6D9F1; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
p.sig { text-indent: 0; text-align: right; }
p.sig.first { margin-top: 28pt; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
@media screen and (max-width: 220mm) {
  /* A phone or a narrow window: the text flows to its width; a table wider than it
     scrolls within the page instead of cutting the page off. */
  html { background: #fff; }
  body { font-size: 13pt; line-height: 1.8; }
  main { width: auto; min-height: 0; margin: 0; padding: 16px 12px; box-shadow: none; }
  div.wide { overflow-x: auto; }
  h1 { font-size: 18pt; line-height: 1.5; margin-bottom: 16pt; }
  h2 { font-size: 13pt; }
  table { min-width: 36em; }
}
@media print {
  html { background: none; }
  main { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
}
"#;

/// The report as one HTML page.
pub fn render(report: &Report) -> String {
    let title = crate::title(report);
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", esc(&title));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<main>");
    let [line1, line2] = crate::title_lines(report);
    let _ = writeln!(out, "<h1>{}<br>{}</h1>", esc(&line1), esc(&line2));
    let tables = layout::tables(report.template);
    for (i, heading) in SECTION_HEADINGS.iter().enumerate() {
        let _ = writeln!(out, "<h2>{heading}</h2>");
        for p in crate::section_text(report, i) {
            let _ = writeln!(out, "<p>{}</p>", esc(&p));
        }
        if let Some(t) = tables.iter().find(|t| t.heading == *heading) {
            table(&mut out, t, report);
        }
    }
    let sig = crate::signature(report);
    let indents = crate::signature_indents(&sig);
    for (k, (text, right)) in sig.iter().zip(indents).enumerate() {
        let first = if k == 0 { " first" } else { "" };
        let _ = writeln!(
            out,
            "<p class=\"sig{first}\" style=\"padding-right:{right:.2}em\">{}</p>",
            esc(text)
        );
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn table(out: &mut String, t: &TableLayout, report: &Report) {
    let fit = t.fit(report);
    let total: u32 = fit.widths.iter().sum();
    // A table wider than a phone scrolls in its own region, which the keyboard can
    // reach and scroll too; the page itself never scrolls sideways.
    let _ = writeln!(
        out,
        "<div class=\"wide\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">",
        esc(t.heading)
    );
    let _ = writeln!(out, "<table class=\"{}\">", t.table.prefix());
    out.push_str("<colgroup>");
    for w in &fit.widths {
        let _ = write!(
            out,
            "<col style=\"width:{:.2}%\">",
            *w as f64 * 100.0 / total as f64
        );
    }
    out.push_str("</colgroup>\n");
    for r in 0..t.rows {
        if r == 0 && t.header_rows > 0 {
            out.push_str("<thead>\n");
        }
        if r == t.header_rows {
            if r > 0 {
                out.push_str("</thead>\n");
            }
            out.push_str("<tbody>\n");
        }
        out.push_str("<tr>");
        for c in t.row_cells(r) {
            let class = match c.role {
                Role::Block => "block",
                Role::Header => "head",
                Role::Note => "note",
                Role::RowLabel => "label",
                Role::Group => "group",
                Role::Value => "v",
            };
            let _ = write!(out, "<td class=\"{class}\"");
            if c.rowspan > 1 {
                let _ = write!(out, " rowspan=\"{}\"", c.rowspan);
            }
            if c.colspan > 1 {
                let _ = write!(out, " colspan=\"{}\"", c.colspan);
            }
            match c.content {
                Content::Text(s) => {
                    let _ = write!(out, ">{}</td>", esc(s));
                }
                Content::Value(k) => {
                    if fit.value_pt < layout::TABLE_PT {
                        let _ = write!(out, " style=\"font-size:{:.1}pt\"", fit.value_pt);
                    }
                    let _ = write!(
                        out,
                        " data-key=\"{k}\">{}</td>",
                        esc(&crate::cell_text(report, k))
                    );
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_report::{TemplateId, Value};

    #[test]
    fn page_has_title_headings_and_spans() {
        let mut r = Report::from_values(
            "x",
            TemplateId::T2021,
            [("requests.new.total", Value::int(0))],
        )
        .unwrap();
        r.agency = Some("某县<人民政府>".into());
        r.year = Some(2022);
        let h = render(&r);
        assert!(h.contains("<h1>某县&lt;人民政府&gt;<br>2022年政府信息公开工作年度报告</h1>"));
        for s in SECTION_HEADINGS {
            assert!(h.contains(&format!("<h2>{s}</h2>")));
        }
        assert!(h.contains("rowspan=\"22\">三、本年度办理结果</td>"));
        assert!(h.contains("data-key=\"requests.new.total\">0</td>"));
        assert!(h.contains("data-key=\"requests.new.business\"></td>"));
        assert!(h.contains("@page { size: A4;"));
        // Printed pages carry their number, 「— 1 —」.
        assert!(h.contains(r#"@bottom-center { content: "— " counter(page) " —";"#));
        // Numbers never wrap; headings are kept with what follows; tables not split.
        assert!(h.contains("td.v { white-space: nowrap; }"));
        assert!(h.contains("h2 { margin: 0; text-indent: 2em; break-after: avoid;"));
        assert!(h.contains("break-inside: avoid;"));
        // The 落款 closes the page: agency (placeholder here), then the date.
        let sig = h.rfind("<p class=\"sig first\"").unwrap();
        assert!(h[sig..].contains("某县&lt;人民政府&gt;</p>"));
        assert!(h[sig..].contains("××××年××月××日</p>"));
        // The bar rows: filled, left aligned.
        assert!(h.contains("td.block { text-align: left; background: #C6D9F1;"));
    }
}
