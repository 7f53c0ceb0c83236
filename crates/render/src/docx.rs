//! DOCX written directly as WordprocessingML: A4 with the margins of GB/T 9704 (党政机关
//! 公文格式), 方正小标宋简体 title, 黑体 headings, 仿宋_GB2312 text, and the tables
//! in 宋体 with the national template's merges (gridSpan, vMerge).

use crate::RenderError;
use crate::layout::{self, Content, Role, SECTION_HEADINGS, TableLayout};
use gongkai_report::Report;
use std::fmt::Write as _;
use std::io::Write as _;

const TITLE_FONT: &str = "方正小标宋简体";
const HEADING_FONT: &str = "黑体";
const BODY_FONT: &str = "仿宋_GB2312";
const TABLE_FONT: &str = "宋体";
const NOTE_FONT: &str = "楷体";
const LATIN_FONT: &str = "Times New Roman";

/// A4 in twentieths of a point, and GB/T 9704 margins (37 / 35 / 28 / 26 mm).
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN_TOP: u32 = 2098;
const MARGIN_BOTTOM: u32 = 1984;
const MARGIN_LEFT: u32 = 1588;
const MARGIN_RIGHT: u32 = 1474;
const TEXT_W: u32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;
const _: () = assert!(TEXT_W == layout::TEXT_W);
/// Line pitch of the text (the document grid's 28.95 pt: 22 lines a page, GB/T
/// 9704) and of the title (35 pt), in twips; the PDF uses the same.
const BODY_LINE: u32 = 579;
const TITLE_LINE: u32 = 700;

/// The report as a .docx file.
pub fn render(report: &Report) -> Result<Vec<u8>, RenderError> {
    let title = crate::title(report);
    let parts: [(&str, String); 8] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("docProps/core.xml", core(report, &title)),
        ("docProps/app.xml", APP.to_string()),
        ("word/_rels/document.xml.rels", DOC_RELS.to_string()),
        ("word/document.xml", document(report)),
        ("word/styles.xml", STYLES.to_string()),
        ("word/footer1.xml", FOOTER.to_string()),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in parts {
        zip.start_file(name, opts)
            .and_then(|_| zip.write_all(body.as_bytes()).map_err(Into::into))
            .map_err(|e| RenderError::Write(format!("DOCX（{name}）：{e}")))?;
    }
    zip.finish()
        .map(|c| c.into_inner())
        .map_err(|e| RenderError::Write(format!("DOCX：{e}")))
}

fn document(report: &Report) -> String {
    let mut b = String::with_capacity(256 * 1024);
    b.push_str(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>"#,
    );
    // Title: 二号 (22 pt) 方正小标宋简体, centred, broken after the agency; then an
    // empty line.
    let lines = crate::title_lines(report);
    for line in &lines {
        para(
            &mut b,
            &Para::new("center").line(TITLE_LINE).keep_next(),
            &[run(line, TITLE_FONT, 44)],
        );
    }
    para(
        &mut b,
        &Para::new("center").line(BODY_LINE).keep_next(),
        &[],
    );
    let tables = layout::tables(report.template);
    for (i, heading) in SECTION_HEADINGS.iter().enumerate() {
        // A heading is kept with what follows it: it never ends a page.
        para(
            &mut b,
            &Para::new("both").line(BODY_LINE).indent(640).keep_next(),
            &[run(heading, HEADING_FONT, 32)],
        );
        for p in crate::section_text(report, i) {
            para(
                &mut b,
                &Para::new("both").line(BODY_LINE).indent(640),
                &[run(&p, BODY_FONT, 32)],
            );
        }
        if let Some(t) = tables.iter().find(|t| t.heading == *heading) {
            table(&mut b, t, report);
        }
    }
    // 落款: an empty line, the agency, the date (GB/T 9704 7.3.5.2).
    para(&mut b, &Para::new("both").line(BODY_LINE).keep_next(), &[]);
    let sig = crate::signature(report);
    let indents = crate::signature_indents(&sig);
    for (k, (text, right)) in sig.iter().zip(indents).enumerate() {
        let mut p = Para::new("right").line(BODY_LINE).right(right * 320.0);
        if k == 0 {
            p = p.keep_next();
        }
        para(&mut b, &p, &[run(text, BODY_FONT, 32)]);
    }
    let _ = write!(
        b,
        r#"<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter1"/><w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/><w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}" w:left="{MARGIN_LEFT}" w:header="851" w:footer="992" w:gutter="0"/><w:cols w:space="425"/><w:docGrid w:type="lines" w:linePitch="579"/></w:sectPr></w:body></w:document>"#
    );
    b
}

/// A run with an explicit East-Asian font (Word falls back to a Latin font otherwise).
fn run(text: &str, font: &str, half_points: u32) -> String {
    // Figures in Times New Roman (digits half an em wide, as the column widths
    // assume), Chinese in the named font.
    let latin = LATIN_FONT;
    format!(
        r#"<w:r><w:rPr><w:rFonts w:hint="eastAsia" w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{font}" w:cs="{latin}"/><w:kern w:val="0"/><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#,
        esc(text)
    )
}

/// Paragraph properties: alignment, exact line pitch, indents, keep with next.
struct Para<'a> {
    jc: &'a str,
    line: Option<u32>,
    first_line: u32,
    right: u32,
    keep_next: bool,
}

impl<'a> Para<'a> {
    fn new(jc: &'a str) -> Para<'a> {
        Para {
            jc,
            line: None,
            first_line: 0,
            right: 0,
            keep_next: false,
        }
    }
    /// Exact line pitch, twips.
    fn line(mut self, twips: u32) -> Self {
        self.line = Some(twips);
        self
    }
    /// First-line indent, twips.
    fn indent(mut self, twips: u32) -> Self {
        self.first_line = twips;
        self
    }
    /// Right indent, twips.
    fn right(mut self, twips: f64) -> Self {
        self.right = twips.round() as u32;
        self
    }
    fn keep_next(mut self) -> Self {
        self.keep_next = true;
        self
    }
}

fn para(b: &mut String, p: &Para, runs: &[String]) {
    b.push_str("<w:p><w:pPr>");
    if p.keep_next {
        b.push_str("<w:keepNext/>");
    }
    match p.line {
        Some(l) => {
            let _ = write!(
                b,
                r#"<w:spacing w:before="0" w:after="0" w:line="{l}" w:lineRule="exact"/>"#
            );
        }
        None => b.push_str(r#"<w:spacing w:before="0" w:after="0"/>"#),
    }
    if p.first_line > 0 || p.right > 0 {
        let _ = write!(
            b,
            r#"<w:ind w:right="{}" w:firstLine="{}"/>"#,
            p.right, p.first_line
        );
    }
    let _ = write!(b, r#"<w:jc w:val="{}"/></w:pPr>"#, p.jc);
    for r in runs {
        b.push_str(r);
    }
    b.push_str("</w:p>");
}

fn table(b: &mut String, t: &TableLayout, report: &Report) {
    let fit = t.fit(report);
    let widths = &fit.widths;
    let value_half_points = (fit.value_pt * 2.0).round() as u32;
    let border = r#"w:val="single" w:sz="4" w:space="0" w:color="000000""#;
    let _ = write!(
        b,
        r#"<w:tbl><w:tblPr><w:tblW w:w="{TEXT_W}" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/><w:insideH {border}/><w:insideV {border}/></w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="57" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>"#
    );
    for w in widths {
        let _ = write!(b, r#"<w:gridCol w:w="{w}"/>"#);
    }
    b.push_str("</w:tblGrid>");
    let cover = t.coverage();
    let last = cover.len().saturating_sub(1);
    for (r, row) in cover.iter().enumerate() {
        b.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if r < t.header_rows {
            b.push_str("<w:tblHeader/>");
        }
        let _ = write!(
            b,
            r#"<w:trHeight w:val="{}" w:hRule="atLeast"/></w:trPr>"#,
            layout::ROW_H
        );
        // Every row but the last is kept with the next: a table is never split with a
        // lone row (or a lone bar row) on either page.
        let keep = if r < last { "<w:keepNext/>" } else { "" };
        let mut col = 0;
        while col < row.len() {
            let Some(i) = row[col] else {
                col += 1;
                continue;
            };
            let c = &t.cells[i];
            let width: u32 = widths[c.col..c.col + c.colspan].iter().sum();
            let continued = c.row != r;
            let _ = write!(b, r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>"#);
            if c.colspan > 1 {
                let _ = write!(b, r#"<w:gridSpan w:val="{}"/>"#, c.colspan);
            }
            if continued {
                b.push_str("<w:vMerge/>");
            } else if c.rowspan > 1 {
                b.push_str(r#"<w:vMerge w:val="restart"/>"#);
            }
            if c.role == Role::Block && !continued {
                let _ = write!(
                    b,
                    r#"<w:shd w:val="clear" w:color="auto" w:fill="{}"/>"#,
                    layout::BAR_FILL
                );
            }
            b.push_str(r#"<w:vAlign w:val="center"/></w:tcPr>"#);
            let jc = match c.role {
                Role::RowLabel | Role::Note | Role::Block => "left",
                _ => "center",
            };
            let runs = if continued {
                Vec::new()
            } else {
                match c.content {
                    Content::Text(s) => {
                        let font = if c.role == Role::Note {
                            NOTE_FONT
                        } else {
                            TABLE_FONT
                        };
                        vec![run(s, font, 20)]
                    }
                    Content::Value(k) => {
                        let v = crate::cell_text(report, k);
                        if v.is_empty() {
                            Vec::new()
                        } else {
                            vec![run(&v, TABLE_FONT, value_half_points)]
                        }
                    }
                }
            };
            let _ = write!(
                b,
                r#"<w:p><w:pPr>{keep}<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="{jc}"/><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:pPr>"#
            );
            for run in runs {
                b.push_str(&run);
            }
            b.push_str("</w:p></w:tc>");
            col += c.colspan;
        }
        b.push_str("</w:tr>");
    }
    b.push_str("</w:tbl>");
    // Word needs a paragraph between a table and what follows.
    para(b, &Para::new("both").line(BODY_LINE), &[]);
}

fn core(report: &Report, title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>"#,
        esc(title),
        esc(report.agency.as_deref().unwrap_or(""))
    )
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 forbids are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdFooter1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>"#;

const APP: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>gongkai</Application></Properties>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋_GB2312" w:cs="Times New Roman"/><w:kern w:val="2"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl w:val="0"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#;

const FOOTER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">— </w:t></w:r><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t>1</w:t></w:r><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r><w:r><w:rPr><w:rFonts w:ascii="宋体" w:hAnsi="宋体" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"#;

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_report::TemplateId;

    #[test]
    fn document_has_merges_and_fonts() {
        let r = crate::blank(TemplateId::T2021);
        let d = document(&r);
        assert!(d.contains(r#"w:eastAsia="黑体""#));
        assert!(d.contains(r#"w:eastAsia="仿宋_GB2312""#));
        assert!(d.contains(r#"<w:gridSpan w:val="7"/>"#));
        assert!(d.contains(r#"<w:vMerge w:val="restart"/>"#));
        assert!(d.contains("<w:vMerge/>"));
        assert!(d.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
        assert_eq!(d.matches("<w:tbl>").count(), 3);
        // table 三: 28 rows, table 四: 4 rows, table 二: 14 rows (2021)
        assert_eq!(d.matches("<w:tr>").count(), 14 + 28 + 4);
        // The bar rows are filled as in the national template, left aligned.
        assert_eq!(d.matches(r#"w:fill="C6D9F1""#).count(), 4);
        let bytes = render(&r).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }

    #[test]
    fn every_row_fills_the_grid() {
        let r = crate::blank(TemplateId::T2019);
        for t in layout::tables(TemplateId::T2019) {
            let mut b = String::new();
            table(&mut b, &t, &r);
            for row in b.split("<w:tr>").skip(1) {
                let spans: usize = row
                    .split("<w:tc>")
                    .skip(1)
                    .map(|tc| {
                        tc.split_once(r#"<w:gridSpan w:val=""#)
                            .and_then(|(_, rest)| rest.split('"').next())
                            .and_then(|n| n.parse().ok())
                            .unwrap_or(1)
                    })
                    .sum();
                assert_eq!(spans, t.columns(), "{}", t.sheet);
            }
        }
    }

    /// The paragraphs of the body, outside tables, as (properties, text).
    fn body_paragraphs(d: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut rest = d;
        while let Some(i) = rest.find("<w:p>") {
            // Skip tables whole.
            if let Some(t) = rest.find("<w:tbl>").filter(|&t| t < i) {
                let end = rest[t..].find("</w:tbl>").unwrap() + t;
                rest = &rest[end..];
                continue;
            }
            let end = rest[i..].find("</w:p>").unwrap() + i;
            let p = &rest[i..end];
            let props = p.split("</w:pPr>").next().unwrap().to_string();
            let text: String = p
                .split("<w:t xml:space=\"preserve\">")
                .skip(1)
                .map(|x| x.split("</w:t>").next().unwrap())
                .collect();
            out.push((props, text));
            rest = &rest[end..];
        }
        out
    }

    #[test]
    fn official_form() {
        let mut r = crate::blank(TemplateId::T2021);
        r.agency = Some("某某市人民政府办公室".into());
        r.year = Some(2025);
        r.published = Some("2026年1月20日".into());
        let d = document(&r);
        let paras = body_paragraphs(&d);
        // The title on two lines, broken after the agency, 22 pt, kept with what follows.
        assert_eq!(paras[0].1, "某某市人民政府办公室");
        assert_eq!(paras[1].1, "2025年政府信息公开工作年度报告");
        for p in &paras[..2] {
            assert!(p.0.contains("<w:keepNext/>") && p.0.contains(r#"w:line="700""#));
        }
        assert!(d.contains(r#"<w:sz w:val="44"/>"#));
        // Every heading is kept with the next paragraph (or the table's first row).
        for h in SECTION_HEADINGS {
            let p = paras.iter().find(|p| p.1 == h).unwrap();
            assert!(p.0.contains("<w:keepNext/>"), "{h}");
        }
        // Body text 16 pt on the 28.95 pt grid.
        let body = paras.iter().find(|p| p.1 == "（文字描述）").unwrap();
        assert!(body.0.contains(r#"w:line="579" w:lineRule="exact""#));
        // The 落款: agency then date, right aligned, last.
        let n = paras.len();
        assert_eq!(paras[n - 2].1, "某某市人民政府办公室");
        assert_eq!(paras[n - 1].1, "2026年1月20日");
        assert!(paras[n - 1].0.contains(r#"<w:jc w:val="right"/>"#));
        // Rows: each table's rows but its last are kept with the next; rows keep a
        // minimum height even when every cell is blank.
        for tbl in d.split("<w:tbl>").skip(1) {
            let tbl = tbl.split("</w:tbl>").next().unwrap();
            let rows: Vec<&str> = tbl.split("<w:tr>").skip(1).collect();
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(row.contains("<w:keepNext/>"), i + 1 < rows.len());
                assert!(row.contains(r#"<w:trHeight w:val="340" w:hRule="atLeast"/>"#));
            }
        }
    }
}
