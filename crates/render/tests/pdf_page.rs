//! A rendered PDF looked at as a picture (poppler's pdftoppm / pdftotext / pdffonts):
//! pages are not blank, the tables' ruling lines are drawn, the Chinese text is real
//! text in an embedded CJK font (not tofu). Skips only when poppler-utils is absent
//! (scripts/setup.sh installs it).

mod common;

use gongkai_render::{Format, Options, render};
use gongkai_report::Report;
use std::path::{Path, PathBuf};
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new(tool).arg("-v").output().is_ok()
}

fn sample_2021() -> Report {
    let text = include_str!("data/qingtongxia-2021.json");
    Report::from_json(&serde_json::from_str(text).unwrap()).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gongkai-render-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A binary PGM (P5) page image: width, height, 8-bit grey pixels.
struct Gray {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

fn read_pgm(path: &Path) -> Gray {
    let (w, h, px) = common::read_pgm(path);
    Gray { w, h, px }
}

impl Gray {
    /// Ink of a thin rule: a 0.5 pt line is under a pixel wide, so it is grey.
    fn dark(&self, x: usize, y: usize) -> bool {
        self.px[y * self.w + x] < 192
    }
    fn dark_fraction(&self) -> f64 {
        self.px.iter().filter(|&&p| p < 128).count() as f64 / self.px.len() as f64
    }
    /// Rows holding a dark horizontal run at least `min` pixels long (a table rule).
    fn horizontal_rules(&self, min: usize) -> Vec<usize> {
        (0..self.h)
            .filter(|&y| {
                let mut run = 0;
                (0..self.w).any(|x| {
                    run = if self.dark(x, y) { run + 1 } else { 0 };
                    run >= min
                })
            })
            .collect()
    }
    /// Columns holding a dark vertical run at least `min` pixels long.
    fn vertical_rules(&self, min: usize) -> usize {
        (0..self.w)
            .filter(|&x| {
                let mut run = 0;
                (0..self.h).any(|y| {
                    run = if self.dark(x, y) { run + 1 } else { 0 };
                    run >= min
                })
            })
            .count()
    }
}

#[test]
fn rendered_pdf_pages_show_tables_and_chinese_text() {
    if !have("pdftoppm") {
        println!("跳过：未安装 pdftoppm（poppler-utils），请运行 scripts/setup.sh");
        return;
    }
    let dir = temp_dir("page");
    let pdf = dir.join("report.pdf");
    let bytes = render(&sample_2021(), Format::Pdf, &Options::default()).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    std::fs::write(&pdf, &bytes).unwrap();

    // Real text, in the template's words.
    let out = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for want in [
        "青铜峡市2021年政府信息公开工作年度报告",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "申请人情况",
        "法律服务机构",
        "15954.526468",
    ] {
        assert!(squeezed.contains(want), "pdftotext lacks {want}:\n{text}");
    }

    // The glyphs come from an embedded CJK font (no tofu from a missing font).
    let out = Command::new("pdffonts").arg(&pdf).output().unwrap();
    let fonts = String::from_utf8_lossy(&out.stdout);
    assert!(fonts.contains("CJK"), "no CJK font embedded:\n{fonts}");
    assert!(
        fonts.lines().skip(2).all(|l| l.contains(" yes ")),
        "every font must be embedded:\n{fonts}"
    );

    // Every page as a grey picture at 50 dpi (A4 = 413 × 585 pixels).
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", "50"])
        .arg(&pdf)
        .arg(dir.join("page"))
        .status()
        .unwrap();
    assert!(status.success());
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pgm"))
        .collect();
    pages.sort();
    assert!(pages.len() >= 2, "{} pages", pages.len());
    let images: Vec<Gray> = pages.iter().map(|p| read_pgm(p)).collect();
    for (i, g) in images.iter().enumerate() {
        assert!(
            (412..=415).contains(&g.w) && (584..=586).contains(&g.h),
            "page {} is not A4: {}×{}",
            i + 1,
            g.w,
            g.h
        );
        // The last page may hold only a few lines of prose.
        assert!(g.dark_fraction() > 0.0005, "page {} is blank", i + 1);
    }
    // Table 三 (28 rows) is drawn with its rules: some page has many long horizontal
    // lines across the text width (≥ 60% of 156 mm ≈ 184 px at 50 dpi), and some
    // page has the vertical rules of its columns (runs ≥ 100 px ≈ 5 cm).
    let best = images
        .iter()
        .map(|g| (g.horizontal_rules(180).len(), g.vertical_rules(100)))
        .max()
        .unwrap();
    assert!(best.0 >= 15, "too few horizontal table rules: {best:?}");
    assert!(best.1 >= 8, "too few vertical table rules: {best:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
