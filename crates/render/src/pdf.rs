//! PDF through typst: the report is written as typst markup (tables with colspan /
//! rowspan from the layout) and typeset with the CJK fonts built into the program
//! (no font needs to be installed), or the font files named by `GONGKAI_FONT`. A
//! character of the report's text that the fonts cannot draw is refused by name,
//! never printed as an empty box.

use crate::RenderError;
use crate::layout::{self, Content, Role, SECTION_HEADINGS, TableLayout};
use gongkai_report::Report;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use typst::foundations::Bytes;
use typst::text::Font;
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

/// The environment variable that names a font file (.ttc/.otf/.ttf) or a folder of
/// them, used instead of the embedded fonts (a unit's own licensed 仿宋, say).
pub const FONT_ENV: &str = "GONGKAI_FONT";

/// The fonts built into the program (Noto CJK from Debian's fonts-noto-cjk, found by
/// build.rs; licence in fonts/OFL.txt): a Song-style serif for the text, the tables
/// and the title, a Hei-style sans for the headings. Each is a collection holding the
/// JP/KR/SC/TC/HK faces; the SC faces are used.
static EMBEDDED: [(&str, &[u8]); 2] = [
    (
        "Noto Serif CJK（内嵌）",
        include_bytes!(env!("GONGKAI_EMBED_SERIF")),
    ),
    (
        "Noto Sans CJK（内嵌）",
        include_bytes!(env!("GONGKAI_EMBED_SANS")),
    ),
];

/// The loaded fonts and the family to use for each role.
pub struct Fonts {
    fonts: Vec<Font>,
    pub(crate) body: String,
    pub(crate) heading: String,
    pub(crate) title: String,
    /// Where the fonts came from (file paths, or the embedded fonts), for messages and
    /// the benchmark.
    pub files: Vec<String>,
}

impl Fonts {
    /// Whether some loaded face has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.fonts
            .iter()
            .any(|f| f.info().coverage.contains(c as u32))
    }
}

fn is_font_file(f: &Path) -> bool {
    f.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "ttc" | "otf" | "ttf"))
}

/// The font files `GONGKAI_FONT` names: one file, or every font file of a folder.
fn named_files(p: &Path) -> Result<Vec<PathBuf>, RenderError> {
    if p.is_file() {
        return Ok(vec![p.to_path_buf()]);
    }
    let mut any: Vec<PathBuf> = std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| is_font_file(f))
                .collect()
        })
        .unwrap_or_default();
    any.sort();
    if any.is_empty() {
        return Err(RenderError::FontMissing(format!(
            "环境变量 {FONT_ENV} 指向的 {} 不是字体文件，也不是含有字体文件（.ttc / .otf / .ttf）的文件夹。\
             不设置 {FONT_ENV} 时使用程序内嵌的 Noto CJK 字体。",
            p.display()
        )));
    }
    Ok(any)
}

fn faces(data: Vec<u8>, what: &str) -> Result<Vec<Font>, RenderError> {
    let faces: Vec<Font> = Font::iter(Bytes::new(data)).collect();
    if faces.is_empty() {
        return Err(RenderError::FontUnreadable {
            path: what.to_string(),
            detail: "不是可用的 OpenType / TrueType 字体".into(),
        });
    }
    Ok(faces)
}

fn load() -> Result<Fonts, RenderError> {
    let mut all = Vec::new();
    let mut files = Vec::new();
    match std::env::var_os(FONT_ENV).filter(|v| !v.is_empty()) {
        Some(v) => {
            for f in named_files(Path::new(&v))? {
                let data = std::fs::read(&f).map_err(|e| RenderError::FontUnreadable {
                    path: f.display().to_string(),
                    detail: e.to_string(),
                })?;
                all.extend(faces(data, &f.display().to_string())?);
                files.push(f.display().to_string());
            }
        }
        None => {
            for (what, data) in &EMBEDDED {
                // Borrowed, not copied: the bytes live in the program image.
                let faces: Vec<Font> = Font::iter(Bytes::new(*data)).collect();
                if faces.is_empty() {
                    return Err(RenderError::FontUnreadable {
                        path: what.to_string(),
                        detail: "内嵌字体已损坏".into(),
                    });
                }
                all.extend(faces);
                files.push(what.to_string());
            }
        }
    }
    // A Noto CJK collection holds the JP, KR, SC, TC and HK faces: keep the
    // simplified Chinese ones when there are any.
    let sc: Vec<Font> = all
        .iter()
        .filter(|f| f.info().family.ends_with(" SC"))
        .cloned()
        .collect();
    let fonts = if sc.is_empty() { all } else { sc };
    let families: Vec<String> = fonts.iter().map(|f| f.info().family.clone()).collect();
    let pick = |want: &str| {
        families
            .iter()
            .find(|f| f.contains(want))
            .or_else(|| families.first())
            .cloned()
            .unwrap_or_default()
    };
    let body = pick("Serif");
    let heading = pick("Sans");
    Ok(Fonts {
        title: body.clone(),
        body,
        heading,
        fonts,
        files,
    })
}

/// The fonts, loaded on first use and kept for the life of the process.
pub fn fonts() -> Result<&'static Fonts, RenderError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    match FONTS.get_or_init(|| load().map_err(|e| e.to_string())) {
        Ok(f) => Ok(f),
        Err(m) => Err(RenderError::FontMissing(m.clone())),
    }
}

/// Every character of the report's own text (agency, prose, date) that no loaded
/// font can draw, in order of first appearance. The template's fixed words are
/// covered by construction; white space and control characters print nothing.
pub fn uncovered(report: &Report, fonts: &Fonts) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    let texts = report
        .agency
        .iter()
        .chain(report.published.iter())
        .chain(report.sections.iter().map(|s| &s.text));
    for t in texts {
        for c in t.chars() {
            if !c.is_whitespace() && !c.is_control() && !out.contains(&c) && !fonts.covers(c) {
                out.push(c);
            }
        }
    }
    out
}

/// The report as a PDF.
pub fn render(report: &Report) -> Result<Vec<u8>, RenderError> {
    let fonts = fonts()?;
    let missing = uncovered(report, fonts);
    if !missing.is_empty() {
        return Err(RenderError::GlyphMissing(missing));
    }
    typeset(markup(report, fonts), fonts)
}

/// Typesets typst `source` with the loaded fonts into a PDF.
pub(crate) fn typeset(source: String, fonts: &Fonts) -> Result<Vec<u8>, RenderError> {
    let engine = TypstEngine::builder()
        .main_file(source)
        .fonts(fonts.fonts.iter().cloned())
        .build();
    let doc: PagedDocument = engine
        .compile()
        .output
        .map_err(|e| RenderError::Typeset(e.to_string()))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|errs| {
        RenderError::Typeset(
            errs.iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("；"),
        )
    })
}

/// A typst string literal.
pub(crate) fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The typst source of the whole report. Sizes and page setup are the DOCX's
/// (GB/T 9704): A4, margins 37 / 35 / 28 / 26 mm, text 16 pt on a 28.95 pt line pitch,
/// title 22 pt on 35 pt, tables 10 pt, page numbers 14 pt 「— 1 —」.
pub fn markup(report: &Report, fonts: &Fonts) -> String {
    let title = crate::title(report);
    let mut s = String::with_capacity(64 * 1024);
    let _ = writeln!(s, "#set document(title: {})", lit(&title));
    let _ = writeln!(
        s,
        "#set page(paper: \"a4\", margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm), \
         footer-descent: 7mm, \
         footer: context align(center, text(size: 14pt)[— #counter(page).display() —]))"
    );
    // Line boxes from ascender to descender (1 em for CJK faces), so the pitch is
    // the size plus the leading: 16 + 12.95 = 28.95 pt, the DOCX's line grid.
    let _ = writeln!(
        s,
        "#set text(font: {}, size: 16pt, lang: \"zh\", region: \"cn\", top-edge: \"ascender\", bottom-edge: \"descender\")",
        lit(&fonts.body)
    );
    s.push_str("#set par(justify: true, leading: 12.95pt, spacing: 12.95pt, first-line-indent: (amount: 2em, all: true))\n");
    s.push_str("#show table: set par(justify: false, leading: 0pt, spacing: 0pt, first-line-indent: 0pt)\n");
    s.push_str("#show table: set text(size: 10pt)\n");
    // Title: two lines (agency / year + 政府信息公开工作年度报告), 22 pt on 35 pt, in
    // the serif face drawn heavier (方正小标宋 is a heavy Song), then an empty line.
    let lines = crate::title_lines(report);
    let _ = writeln!(
        s,
        "#block(width: 100%, sticky: true, above: 0pt, below: 40pt, {{\n  set par(first-line-indent: 0pt, leading: 13pt, justify: false)\n  align(center, text(font: {}, size: 22pt, stroke: 0.45pt + black, [#{}#linebreak()#{}]))\n}})",
        lit(&fonts.title),
        lit(&lines[0]),
        lit(&lines[1])
    );
    let tables = layout::tables(report.template);
    for (i, heading) in SECTION_HEADINGS.iter().enumerate() {
        let paras = crate::section_text(report, i);
        let t = tables.iter().find(|t| t.heading == *heading);
        // A heading directly over its table shares the table's unbreakable block
        // (typst's sticky does not carry over a block moved to the next page);
        // otherwise it is sticky to its first paragraph. It never ends a page.
        let with_table = paras.is_empty() && t.is_some();
        if with_table {
            s.push_str("\n#block(breakable: false, above: 12.95pt, below: 0pt)[\n");
        }
        let _ = writeln!(
            s,
            "\n#block(sticky: true, above: 12.95pt, below: 12.95pt, par(text(font: {}, {})))\n",
            lit(&fonts.heading),
            lit(heading)
        );
        for p in paras {
            let _ = writeln!(s, "#par({})\n", lit(&p));
        }
        if let Some(t) = t {
            table(&mut s, t, report);
        }
        if with_table {
            s.push_str("]\n");
        }
    }
    // 落款: an empty line, the agency, the date, kept together.
    let sig = crate::signature(report);
    let [ra, rd] = crate::signature_indents(&sig);
    let _ = writeln!(
        s,
        "#block(breakable: false, above: 40pt, {{\n  set par(first-line-indent: 0pt)\n  align(right, pad(right: {ra:.2}em, par({})))\n  align(right, pad(right: {rd:.2}em, par({})))\n}})",
        lit(&sig[0]),
        lit(&sig[1])
    );
    s
}

fn table(s: &mut String, t: &TableLayout, report: &Report) {
    let fit = t.fit(report);
    let cols: Vec<String> = fit
        .widths
        .iter()
        .map(|w| format!("{:.2}pt", *w as f64 / 20.0))
        .collect();
    // A table is kept on one page (each fits one): a table split over pages is harder
    // to read, leaves rows alone on a page, and a repeated header row (总计 …) in the
    // middle of the rows confuses readers that rebuild tables from the page.
    let pad_x = layout::CELL_PAD as f64 / 20.0;
    // Rows at least 15 pt high (10 pt line + 2 × 2.5 pt): table 三 with wrapped
    // labels then still fits one page with its heading.
    let pad_y = 2.5;
    let _ = writeln!(
        s,
        "#block(width: 100%, breakable: false, above: 6pt, below: 12pt, table(\n  columns: ({}),\n  stroke: 0.5pt + black,\n  inset: (x: {pad_x:.2}pt, y: {pad_y:.2}pt),\n  align: center + horizon,",
        cols.join(", ")
    );
    let cell = |c: &layout::GridCell| {
        let mut args = Vec::new();
        if c.colspan > 1 {
            args.push(format!("colspan: {}", c.colspan));
        }
        if c.rowspan > 1 {
            args.push(format!("rowspan: {}", c.rowspan));
        }
        if matches!(c.role, Role::RowLabel | Role::Note | Role::Block) {
            args.push("align: left + horizon".into());
        }
        if c.role == Role::Block {
            args.push(format!("fill: rgb(\"#{}\")", layout::BAR_FILL));
        }
        // A zero-width strut one line high: a row whose cells are all blank keeps the
        // height of a row of text.
        let body = match c.content {
            Content::Text(x) => format!("[#box(height: 1em)#{}]", lit(x)),
            Content::Value(k) => format!(
                "[#box(height: 1em)#text(size: {:.1}pt, {})]",
                fit.value_pt,
                lit(&crate::cell_text(report, k))
            ),
        };
        args.push(body);
        format!("table.cell({})", args.join(", "))
    };
    if t.header_rows > 0 {
        s.push_str("  table.header(\n");
        for c in t.cells.iter().filter(|c| c.row < t.header_rows) {
            let _ = writeln!(s, "    {},", cell(c));
        }
        s.push_str("  ),\n");
    }
    for c in t.cells.iter().filter(|c| c.row >= t.header_rows) {
        let _ = writeln!(s, "  {},", cell(c));
    }
    s.push_str("))\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape() {
        assert_eq!(lit("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
