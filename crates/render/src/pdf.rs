//! PDF through typst: the report is written as typst markup (tables with colspan /
//! rowspan from the layout) and typeset with a CJK font from the system
//! (Debian `fonts-noto-cjk`), or the font file named by `GONGKAI_FONT`. The fonts
//! are read and parsed once per process.

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

/// The environment variable that names a font file (.ttc/.otf/.ttf) or a folder of them.
pub const FONT_ENV: &str = "GONGKAI_FONT";

/// Where distributions install Noto CJK.
const FONT_DIRS: &[&str] = &[
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/opentype/noto-cjk",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/noto",
    "/usr/local/share/fonts",
    "/usr/local/share/fonts/noto",
    "/opt/homebrew/share/fonts",
];

/// The font files looked for, by role: body (宋体-like serif), headings (黑体-like
/// sans), title (bold serif). Each list is in order of preference.
const BODY_FILES: &[&str] = &[
    "NotoSerifCJK-Regular.ttc",
    "NotoSerifCJKsc-Regular.otf",
    "NotoSerifSC-Regular.otf",
];
const HEADING_FILES: &[&str] = &[
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
];
const TITLE_FILES: &[&str] = &[
    "NotoSerifCJK-Bold.ttc",
    "NotoSerifCJKsc-Bold.otf",
    "NotoSerifSC-Bold.otf",
];

/// The loaded fonts and the family to use for each role.
pub struct Fonts {
    fonts: Vec<Font>,
    pub(crate) body: String,
    pub(crate) heading: String,
    pub(crate) title: String,
    /// The files read, for messages and the benchmark.
    pub files: Vec<PathBuf>,
}

fn missing_message() -> String {
    format!(
        "未找到生成 PDF 所需的中文字体（Noto Serif CJK / Noto Sans CJK）。\
         请运行 scripts/setup.sh，或执行 apt-get install fonts-noto-cjk 安装字体；\
         也可以用环境变量 {FONT_ENV} 指定字体文件（.ttc / .otf / .ttf）或字体所在文件夹的路径。\
         已查找：{}",
        FONT_DIRS.join("、")
    )
}

fn find_in(dir: &Path, names: &[&str]) -> Option<PathBuf> {
    names.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// Finds the font files: `GONGKAI_FONT` first, then the standard folders.
fn locate() -> Result<Vec<PathBuf>, RenderError> {
    if let Some(v) = std::env::var_os(FONT_ENV).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(v);
        if p.is_file() {
            return Ok(vec![p]);
        }
        if p.is_dir() {
            let found: Vec<PathBuf> = [BODY_FILES, HEADING_FILES, TITLE_FILES]
                .iter()
                .filter_map(|names| find_in(&p, names))
                .collect();
            if !found.is_empty() {
                return Ok(found);
            }
            // Any font file in the folder.
            let mut any: Vec<PathBuf> = std::fs::read_dir(&p)
                .map(|rd| {
                    rd.filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|f| {
                            f.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                                matches!(x.to_ascii_lowercase().as_str(), "ttc" | "otf" | "ttf")
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            any.sort();
            if !any.is_empty() {
                return Ok(any);
            }
        }
        return Err(RenderError::FontMissing(format!(
            "环境变量 {FONT_ENV} 指向的 {} 不是字体文件，也不是含有字体文件的文件夹。{}",
            p.display(),
            missing_message()
        )));
    }
    for dir in FONT_DIRS.iter().map(Path::new) {
        if let Some(body) = find_in(dir, BODY_FILES).or_else(|| find_in(dir, HEADING_FILES)) {
            let mut files = vec![body];
            for names in [HEADING_FILES, TITLE_FILES] {
                if let Some(f) = find_in(dir, names) {
                    if !files.contains(&f) {
                        files.push(f);
                    }
                }
            }
            return Ok(files);
        }
    }
    Err(RenderError::FontMissing(missing_message()))
}

fn load() -> Result<Fonts, RenderError> {
    let files = locate()?;
    let mut all = Vec::new();
    for f in &files {
        let data = std::fs::read(f).map_err(|e| RenderError::FontUnreadable {
            path: f.display().to_string(),
            detail: e.to_string(),
        })?;
        let faces: Vec<Font> = Font::iter(Bytes::new(data)).collect();
        if faces.is_empty() {
            return Err(RenderError::FontUnreadable {
                path: f.display().to_string(),
                detail: "不是可用的 OpenType / TrueType 字体".into(),
            });
        }
        all.extend(faces);
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

/// The report as a PDF.
pub fn render(report: &Report) -> Result<Vec<u8>, RenderError> {
    let fonts = fonts()?;
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

/// The typst source of the whole report.
pub fn markup(report: &Report, fonts: &Fonts) -> String {
    let title = crate::title(report);
    let mut s = String::with_capacity(64 * 1024);
    let _ = writeln!(s, "#set document(title: {})", lit(&title));
    let _ = writeln!(
        s,
        "#set page(paper: \"a4\", margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm), \
         footer: context align(center, text(size: 10.5pt)[— #counter(page).display() —]))"
    );
    let _ = writeln!(
        s,
        "#set text(font: {}, size: 12pt, lang: \"zh\", region: \"cn\")",
        lit(&fonts.body)
    );
    s.push_str("#set par(justify: true, leading: 0.85em, spacing: 0.85em)\n");
    s.push_str("#show table: set par(justify: false, leading: 0.45em)\n");
    s.push_str("#show table: set text(size: 9pt)\n");
    let _ = writeln!(
        s,
        "#align(center, text(font: {}, size: 20pt, weight: \"bold\", {}))\n#v(0.8em)",
        lit(&fonts.title),
        lit(&title)
    );
    let tables = layout::tables(report.template);
    for (i, heading) in SECTION_HEADINGS.iter().enumerate() {
        // Sticky: a heading never stays alone at the foot of a page.
        let _ = writeln!(
            s,
            "\n#block(sticky: true, above: 0.85em, below: 0.85em)[#h(2em)#text(font: {}, {})]\n",
            lit(&fonts.heading),
            lit(heading)
        );
        for p in crate::section_text(report, i) {
            // The 2em first-line indent is explicit: it survives any paragraph context.
            let _ = writeln!(s, "#h(2em)#{}\n", lit(&p));
        }
        if let Some(t) = tables.iter().find(|t| t.heading == *heading) {
            table(&mut s, t, report);
        }
    }
    s
}

fn table(s: &mut String, t: &TableLayout, report: &Report) {
    let cols: Vec<String> = t.widths.iter().map(|w| format!("{w}fr")).collect();
    // Tables 三 and 四 are kept on one page (三 fits: 28 rows): a table split over
    // pages is harder to read, and a repeated header row (总计 …) in the middle of
    // the rows confuses readers that rebuild tables from the page.
    let breakable = t.header_rows == 0;
    let _ = writeln!(
        s,
        "#block(width: 100%, breakable: {breakable}, table(\n  columns: ({}),\n  stroke: 0.5pt + black,\n  inset: (x: 3pt, y: 4pt),\n  align: center + horizon,",
        cols.join(", ")
    );
    let cell = |c: &layout::GridCell| {
        let text = match c.content {
            Content::Text(x) => x.to_string(),
            Content::Value(k) => crate::cell_text(report, k),
        };
        let mut args = Vec::new();
        if c.colspan > 1 {
            args.push(format!("colspan: {}", c.colspan));
        }
        if c.rowspan > 1 {
            args.push(format!("rowspan: {}", c.rowspan));
        }
        if matches!(c.role, Role::RowLabel | Role::Note) {
            args.push("align: left + horizon".into());
        }
        let body = match c.role {
            Role::Block => format!("strong({})", lit(&text)),
            _ => lit(&text),
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
