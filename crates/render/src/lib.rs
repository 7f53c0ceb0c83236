//! Writes a 政府信息公开工作年度报告 in the national format (国办公开办函〔2019〕60号 /
//! 〔2021〕30号) from a report's data: DOCX, HTML, PDF and XLSX for people, CSV and
//! JSON for machines. The tables' layout is data ([`layout`]); each format writer
//! draws it.

pub mod docx;
pub mod html;
pub mod layout;
pub mod letter;
pub mod machine;
pub mod pdf;
pub mod xlsx;

use gongkai_report::{Cell, Report, TemplateId, Value};
use std::fmt;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Docx,
    Html,
    Pdf,
    Xlsx,
    Csv,
    Json,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Docx,
        Format::Html,
        Format::Pdf,
        Format::Xlsx,
        Format::Csv,
        Format::Json,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        let s = s.trim().to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s || (s == "htm" && *f == Format::Html))
    }

    /// The format a file name's extension names.
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1;
        Format::parse(ext)
    }
}

/// Rendering choices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Print 0 in blank cells (evaluators prefer it in published tables). Off: blank
    /// stays blank, 0 stays 0, not applicable prints "/".
    pub fill_blank_zero: bool,
}

/// Why a document could not be written. Displays as a Chinese sentence.
#[derive(Debug)]
pub enum RenderError {
    /// The fonts named by `GONGKAI_FONT` could not be found (the message names the fix).
    FontMissing(String),
    /// Characters of the report's text that no font of the PDF can draw.
    GlyphMissing(Vec<char>),
    /// A font file named by `GONGKAI_FONT` could not be read or parsed.
    FontUnreadable { path: String, detail: String },
    /// The PDF typesetter failed (a bug: the document is generated).
    Typeset(String),
    /// Writing the container (zip / xlsx) failed.
    Write(String),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::FontMissing(m) => f.write_str(m),
            RenderError::GlyphMissing(chars) => {
                let named: Vec<String> = chars
                    .iter()
                    .map(|c| format!("“{c}”（U+{:04X}）", *c as u32))
                    .collect();
                write!(
                    f,
                    "字体中没有以下字符的字形，无法生成 PDF：{}。请改用常用字，\
                     或用环境变量 GONGKAI_FONT 指定含有这些字符的字体文件。",
                    named.join("、")
                )
            }
            RenderError::FontUnreadable { path, detail } => {
                write!(f, "无法读取字体文件 {path}：{detail}")
            }
            RenderError::Typeset(m) => write!(f, "PDF 排版失败：{m}"),
            RenderError::Write(m) => write!(f, "生成文件失败：{m}"),
        }
    }
}

impl std::error::Error for RenderError {}

/// Renders a report in one format.
pub fn render(report: &Report, format: Format, opts: &Options) -> Result<Vec<u8>, RenderError> {
    let filled;
    let report = if opts.fill_blank_zero {
        filled = fill_blank_zero(report);
        &filled
    } else {
        report
    };
    match format {
        Format::Docx => docx::render(report),
        Format::Html => Ok(html::render(report).into_bytes()),
        Format::Pdf => pdf::render(report),
        Format::Xlsx => xlsx::render(report),
        Format::Csv => Ok(machine::csv(report).into_bytes()),
        Format::Json => Ok(machine::json(report).into_bytes()),
    }
}

/// The empty national template: every cell blank, no agency or year.
pub fn blank(template: TemplateId) -> Report {
    let mut r = Report::new("", template);
    for cell in r.cells.values_mut() {
        *cell = Cell::from_value(Value::Blank);
    }
    r
}

/// The report with every blank cell of its template set to 0.
pub fn fill_blank_zero(report: &Report) -> Report {
    let mut r = report.clone();
    for k in gongkai_report::template::keys(r.template) {
        let blank = r.cells.get(k).is_none_or(|c| c.value == Value::Blank);
        if blank {
            r.cells
                .insert(k.to_string(), Cell::from_value(Value::int(0)));
        }
    }
    r
}

/// The report's title in one line (document properties): agency + year +
/// 政府信息公开工作年度报告.
pub fn title(report: &Report) -> String {
    title_lines(report).concat()
}

/// The title as printed: the agency on the first line, the rest on the second
/// (机关名称 / ××××年政府信息公开工作年度报告), so a line never breaks inside a word.
pub fn title_lines(report: &Report) -> [String; 2] {
    let agency = report
        .agency
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .unwrap_or("（机关名称）");
    let year = match report.year {
        Some(y) => format!("{y}年"),
        None => "××××年".to_string(),
    };
    [
        agency.to_string(),
        format!("{year}政府信息公开工作年度报告"),
    ]
}

/// The 落款 printed under the last section: the agency and the date, as the report
/// has them (the date exactly as printed); placeholders where they are unknown.
pub fn signature(report: &Report) -> [String; 2] {
    let [agency, _] = title_lines(report);
    let date = report
        .published
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or("××××年××月××日");
    [agency, date.to_string()]
}

/// Right indents of the 落款's two lines, in em of the body text (GB/T 9704
/// 7.3.5.2): the agency stands two characters from the right margin and the date
/// starts two characters to the right of the agency's first character; a date longer
/// than that stands two characters from the margin and the agency moves left.
pub fn signature_indents(sig: &[String; 2]) -> [f64; 2] {
    let (wa, wd) = (em_width(&sig[0]), em_width(&sig[1]));
    let date = wa - wd;
    if date >= 2.0 {
        [2.0, date]
    } else {
        [4.0 + wd - wa, 2.0]
    }
}

/// Approximate advance of a line of text, in em: CJK and full-width characters are
/// one em, digits and other narrow characters a little over half (the Latin faces of
/// Song/FangSong fonts and Times New Roman set digits at 0.5 em).
pub fn em_width(s: &str) -> f64 {
    s.chars()
        .map(|c| match c {
            '0'..='9' | '.' | ',' | '-' | '+' | '/' | ' ' => 0.56,
            c if c.is_ascii() => 0.6,
            _ => 1.0,
        })
        .sum()
}

/// The text a value cell prints: the number, nothing, or "/".
pub fn cell_text(report: &Report, key: &str) -> String {
    match report.value(key) {
        Value::Number(d) => d.to_string(),
        Value::Blank => String::new(),
        Value::NotApplicable => "/".to_string(),
    }
}

/// The prose of section `index` (0 = 一、总体情况 … 5 = 六、其他需要报告的事项), as
/// paragraphs. A section is matched by its leading numeral (一、 … 六、), so
/// wording variants of a heading are accepted.
pub fn section_paragraphs(report: &Report, index: usize) -> Vec<String> {
    const NUMERALS: [&str; 6] = ["一", "二", "三", "四", "五", "六"];
    let numeral = NUMERALS[index];
    report
        .sections
        .iter()
        .filter(|s| {
            let h = s.heading.trim_start();
            h.strip_prefix(numeral)
                .is_some_and(|rest| rest.starts_with(['、', '.', '．', ' ', '　']))
        })
        .flat_map(|s| s.text.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// What a prose section prints: its text, or the template's placeholder for 一、五、六.
/// A report read from a published document carries its 落款 at the end of 六; the
/// writer prints the 落款 itself, so those closing lines are not repeated.
pub fn section_text(report: &Report, index: usize) -> Vec<String> {
    let mut paras = section_paragraphs(report, index);
    if index == 5 {
        let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let closing: Vec<String> = signature(report).iter().map(|s| squeeze(s)).collect();
        while paras.last().is_some_and(|p| closing.contains(&squeeze(p))) {
            paras.pop();
        }
    }
    if paras.is_empty() && matches!(index, 0 | 4 | 5) {
        vec![layout::section_placeholder(index).to_string()]
    } else {
        paras
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_report::Section;

    #[test]
    fn titles() {
        let mut r = blank(TemplateId::T2021);
        assert_eq!(title(&r), "（机关名称）××××年政府信息公开工作年度报告");
        r.agency = Some("某某市人民政府".into());
        r.year = Some(2024);
        assert_eq!(title(&r), "某某市人民政府2024年政府信息公开工作年度报告");
    }

    #[test]
    fn title_breaks_after_the_agency_and_signature_follows_it() {
        let mut r = blank(TemplateId::T2021);
        assert_eq!(
            title_lines(&r),
            [
                "（机关名称）".to_string(),
                "××××年政府信息公开工作年度报告".into()
            ]
        );
        assert_eq!(signature(&r)[1], "××××年××月××日");
        r.agency = Some("某某市人民政府办公室".into());
        r.year = Some(2024);
        r.published = Some("2025年1月20日".into());
        assert_eq!(title_lines(&r)[0], "某某市人民政府办公室");
        assert_eq!(title_lines(&r)[1], "2024年政府信息公开工作年度报告");
        let sig = signature(&r);
        assert_eq!(
            sig,
            ["某某市人民政府办公室".to_string(), "2025年1月20日".into()]
        );
        // 10 em agency, 6.8 em date: agency two from the margin, date starting two
        // to the right of the agency's first character.
        let [ra, rd] = signature_indents(&sig);
        assert_eq!(ra, 2.0);
        assert!((rd - (10.0 - em_width("2025年1月20日"))).abs() < 1e-9);
        // The 落款 read back into section 六 is not printed twice.
        r.sections.push(Section {
            heading: "六、其他需要报告的事项".into(),
            text: "无。\n某某市人民政府办公室\n2025年1月20日".into(),
        });
        assert_eq!(section_text(&r, 5), vec!["无。"]);
    }

    #[test]
    fn sections_match_by_numeral() {
        let mut r = blank(TemplateId::T2021);
        r.sections.push(Section {
            heading: "五、政府信息公开工作存在的主要问题及改进情况".into(),
            text: "问题一。\n\n问题二。".into(),
        });
        assert_eq!(section_paragraphs(&r, 4), vec!["问题一。", "问题二。"]);
        assert_eq!(section_text(&r, 0), vec!["（文字描述）"]);
        assert!(section_text(&r, 1).is_empty());
    }

    #[test]
    fn fill_blank_zero_keeps_na_and_numbers() {
        let r = Report::from_values(
            "x",
            TemplateId::T2021,
            [
                ("requests.new.total", Value::int(3)),
                ("requests.new.business", Value::NotApplicable),
            ],
        )
        .unwrap();
        let f = fill_blank_zero(&r);
        assert_eq!(f.value("requests.new.total"), Value::int(3));
        assert_eq!(f.value("requests.new.business"), Value::NotApplicable);
        assert_eq!(f.value("requests.new.research"), Value::int(0));
    }

    #[test]
    fn formats_parse() {
        assert_eq!(Format::from_path("a/b.DOCX"), Some(Format::Docx));
        assert_eq!(Format::parse("htm"), Some(Format::Html));
        assert_eq!(Format::parse("doc"), None);
    }
}
