//! The written PDF and DOCX looked at as pages: the PDF as gongkai writes it, the
//! DOCX as an office opens it (LibreOffice turns it into a PDF). From the text
//! positions on each page (poppler's `pdftotext -bbox-layout`) and the page pictures
//! (`pdftoppm`): the title stands on its two lines, no heading ends a page, table 三
//! is never split, no number wraps or runs over a ruling line, the 第二十条 bars are
//! filled. scripts/setup.sh installs poppler-utils and libreoffice-writer-nogui.

mod common;

use gongkai_render::layout::SECTION_HEADINGS;
use gongkai_render::{Format, Options, render};
use gongkai_report::{Cell, Report, Section, TemplateId, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const AGENCY: &str = "某某省某某市某某区人民政府办公室";

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gongkai-pictures-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A 2021 report with large figures (five and six digits, a long amount) and
/// `paragraphs` paragraphs of prose in 一、总体情况, which moves the headings and
/// tables that follow down the pages.
fn report(paragraphs: usize) -> Report {
    let mut r = Report::new("pictures.json", TemplateId::T2021);
    r.agency = Some(AGENCY.into());
    r.year = Some(2025);
    r.published = Some("2026年1月20日".into());
    for (i, d) in gongkai_report::template::cells_of(TemplateId::T2021).enumerate() {
        let v = match i % 5 {
            0 => Value::Blank,
            1 => Value::int(0),
            _ if d.is_amount() => {
                Value::Number(gongkai_report::Decimal::parse("15954.5264").unwrap())
            }
            2 => Value::int(123456),
            3 => Value::int(98765),
            _ => Value::int(7),
        };
        r.set(d.key, Cell::from_value(v));
    }
    let para = "本年度，本机关坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，\
                围绕主动公开、依申请公开、政府信息管理、平台建设和监督保障，扎实推进政府信息公开工作，不断提升公开质量和实效。";
    r.sections = vec![
        Section {
            heading: "一、总体情况".into(),
            text: vec![para; paragraphs].join("\n"),
        },
        Section {
            heading: "五、存在的主要问题及改进情况".into(),
            text: para.into(),
        },
        Section {
            heading: "六、其他需要报告的事项".into(),
            text: "本年度未收取信息处理费。".into(),
        },
    ];
    r
}

#[derive(Debug, Clone)]
struct Line {
    page: usize,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
    words: Vec<(f64, f64, f64, f64, String)>,
}

fn attr(tag: &str, name: &str) -> f64 {
    let k = format!("{name}=\"");
    let i = tag.find(&k).unwrap() + k.len();
    tag[i..].split('"').next().unwrap().parse().unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Every text line of the PDF with its page (from 0) and box, in points from the
/// page's top-left corner.
fn lines(pdf: &Path) -> Vec<Line> {
    let out = Command::new("pdftotext")
        .arg("-bbox-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; scripts/setup.sh installs it)");
    assert!(out.status.success());
    let xml = String::from_utf8(out.stdout).unwrap();
    let mut result = Vec::new();
    for (page, p) in xml.split("<page ").skip(1).enumerate() {
        for l in p.split("<line ").skip(1) {
            let tag = l.split('>').next().unwrap();
            let mut words = Vec::new();
            for w in l.split("<word ").skip(1) {
                let wtag = w.split('>').next().unwrap();
                let text = w[wtag.len() + 1..].split("</word>").next().unwrap();
                words.push((
                    attr(wtag, "xMin"),
                    attr(wtag, "yMin"),
                    attr(wtag, "xMax"),
                    attr(wtag, "yMax"),
                    unescape(text),
                ));
            }
            result.push(Line {
                page,
                x0: attr(tag, "xMin"),
                y0: attr(tag, "yMin"),
                x1: attr(tag, "xMax"),
                y1: attr(tag, "yMax"),
                text: words.iter().map(|w| w.4.as_str()).collect(),
                words,
            });
        }
    }
    result
}

/// A grey page picture.
struct Gray {
    w: usize,
    h: usize,
    px: Vec<u8>,
    /// Pixels per point.
    scale: f64,
}

fn read_pgm(path: &Path, dpi: f64) -> Gray {
    let (w, h, px) = common::read_pgm(path);
    Gray {
        w,
        h,
        px,
        scale: dpi / 72.0,
    }
}

impl Gray {
    fn at(&self, x: f64, y: f64) -> u8 {
        let (x, y) = ((x * self.scale) as usize, (y * self.scale) as usize);
        self.px[y.min(self.h - 1) * self.w + x.min(self.w - 1)]
    }
    /// Whether a vertical ruling line crosses the box: a pixel column inside it that
    /// is dark from above the box to below it (a glyph stays inside its box).
    fn rule_through(&self, x0: f64, y0: f64, x1: f64, y1: f64) -> Option<usize> {
        let s = self.scale;
        let (xa, xb) = ((x0 * s).ceil() as usize + 1, (x1 * s).floor() as usize);
        let (ya, yb) = (((y0 * s) as usize).saturating_sub(3), (y1 * s) as usize + 3);
        (xa..xb.saturating_sub(1))
            .find(|&x| (ya..=yb.min(self.h - 1)).all(|y| self.px[y * self.w + x] < 160))
    }
}

fn pages(pdf: &Path, dir: &Path, dpi: f64) -> Vec<Gray> {
    let stem = dir.join(pdf.file_stem().unwrap());
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", &dpi.to_string()])
        .arg(pdf)
        .arg(&stem)
        .status()
        .expect("pdftoppm");
    assert!(status.success());
    let prefix = stem.file_name().unwrap().to_string_lossy().into_owned();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "pgm")
                && p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("{prefix}-"))
        })
        .collect();
    files.sort();
    files.iter().map(|f| read_pgm(f, dpi)).collect()
}

fn is_page_number(s: &str) -> bool {
    let t: String = s
        .chars()
        .filter(|c| !matches!(c, '—' | '-' | ' '))
        .collect();
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
}

/// The checks on one written document, as a PDF; `what` names it in messages.
fn check_pages(pdf: &Path, dir: &Path, r: &Report, what: &str, one_page_tables: bool) {
    let all = lines(pdf);
    let dpi = 100.0;
    let images = pages(pdf, dir, dpi);
    assert!(!images.is_empty(), "{what}: no pages");

    // The title: the first two lines of page 1, the agency then the rest.
    let mut first: Vec<&Line> = all.iter().filter(|l| l.page == 0).collect();
    first.sort_by(|a, b| a.y0.total_cmp(&b.y0));
    let [l1, l2] = gongkai_render::title_lines(r);
    assert_eq!(first[0].text, l1, "{what}: title line 1");
    assert_eq!(first[1].text, l2, "{what}: title line 2");
    assert!(
        first[1].y0 >= first[0].y1 - 1.0,
        "{what}: the title lines overlap"
    );
    // Centred: equal room on both sides within 1 em.
    for l in &first[..2] {
        let page_w = images[0].w as f64 / images[0].scale;
        let (left, right) = (
            l.x0 - 28.0 * 72.0 / 25.4,
            page_w - 26.0 * 72.0 / 25.4 - l.x1,
        );
        assert!(
            (left - right).abs() < 22.0,
            "{what}: title line not centred: {left} / {right}"
        );
    }

    // Nothing but the page number runs below the type area (35 mm bottom margin).
    for l in &all {
        let page_h = images[l.page].h as f64 / images[l.page].scale;
        let bottom = page_h - 35.0 * 72.0 / 25.4;
        assert!(
            is_page_number(&l.text) || l.y1 <= bottom + 2.0,
            "{what}: {:?} on page {} runs below the type area ({:.1} > {bottom:.1})",
            l.text,
            l.page + 1,
            l.y1
        );
    }

    // No heading ends a page: below each heading, on its page, stands more text
    // than the page number.
    for h in SECTION_HEADINGS {
        let line = all
            .iter()
            .find(|l| l.text == h)
            .unwrap_or_else(|| panic!("{what}: heading {h} not found"));
        let below = all
            .iter()
            .any(|l| l.page == line.page && l.y0 > line.y1 - 0.5 && !is_page_number(&l.text));
        assert!(below, "{what}: heading {h} ends page {}", line.page + 1);
    }

    // Text on the 28.95 pt line grid of GB/T 9704 (22 lines a page, the DOCX's grid),
    // heading 一 and the prose under it alike.
    let h1 = all.iter().find(|l| l.text == SECTION_HEADINGS[0]).unwrap();
    let mut on_page: Vec<&Line> = all
        .iter()
        .filter(|l| l.page == h1.page && l.y0 >= h1.y0 - 0.5 && !is_page_number(&l.text))
        .collect();
    on_page.sort_by(|a, b| a.y0.total_cmp(&b.y0));
    let mut prose: Vec<&Line> = on_page
        .into_iter()
        .take_while(|l| l.text != SECTION_HEADINGS[1])
        .collect();
    // poppler may cut one printed line in two at a wide gap (around quotation marks):
    // pieces on the same baseline are one line.
    prose.dedup_by(|b, a| (b.y0 - a.y0).abs() < 1.0);
    for pair in prose.windows(2) {
        let pitch = pair[1].y0 - pair[0].y0;
        assert!(
            (pitch - 28.95).abs() < 0.8,
            "{what}: line pitch {pitch:.2} pt between {:?} and {:?}",
            pair[0].text,
            pair[1].text
        );
    }

    // Table 三 is on one page: its first row, its 总计 and its last row together.
    let page_of = |label: &str| {
        all.iter()
            .find(|l| l.text.contains(label))
            .map(|l| l.page)
            .unwrap_or_else(|| panic!("{what}: {label} not found"))
    };
    let p3 = page_of("一、本年新收");
    let last = page_of("四、结转下年度");
    if one_page_tables {
        assert_eq!(page_of("（七）总计"), p3, "{what}: table 三 split");
        assert_eq!(last, p3, "{what}: table 三 split");
    } else if last != p3 {
        // Split (LibreOffice does not keep table rows with the next): never one
        // row alone on either page.
        let count = |page: usize, labels: &[&str]| {
            labels
                .iter()
                .filter(|l| all.iter().any(|x| x.page == page && x.text.contains(*l)))
                .count()
        };
        let head = count(
            p3,
            &[
                "一、本年新收",
                "二、上年结转",
                "（一）予以公开",
                "（二）部分公开",
            ],
        );
        let tail = count(
            last,
            &[
                "四、结转下年度",
                "（七）总计",
                "3.其他",
                "2.重复申请",
                "1.信访举报",
            ],
        );
        assert!(
            head >= 2 && tail >= 2,
            "{what}: table 三 leaves a row alone ({head} / {tail})"
        );
    }

    // Numbers: every figure the report prints stands whole in one word (never
    // wrapped), and no ruling line runs through it (never over its cell).
    let words: Vec<(usize, &(f64, f64, f64, f64, String))> = all
        .iter()
        .flat_map(|l| l.words.iter().map(move |w| (l.page, w)))
        .collect();
    let figures: Vec<String> = gongkai_report::template::keys(r.template)
        .into_iter()
        .map(|k| gongkai_render::cell_text(r, k))
        .filter(|t| t.len() >= 5)
        .collect();
    for f in &figures {
        let n = words.iter().filter(|(_, w)| &w.4 == f).count();
        assert!(n > 0, "{what}: {f} is not printed whole");
    }
    let mut checked = 0;
    for (page, w) in &words {
        if w.4.chars().all(|c| c.is_ascii_digit() || c == '.') && w.4.len() >= 4 {
            checked += 1;
            if let Some(x) = images[*page].rule_through(w.0, w.1, w.2, w.3) {
                panic!(
                    "{what}: a ruling line crosses {} on page {} (pixel column {x})",
                    w.4,
                    page + 1
                );
            }
        }
    }
    assert!(
        checked >= figures.len(),
        "{what}: {checked} numbers checked"
    );

    // The 第二十条 bars are filled (the template's light blue, grey here) right of
    // their words.
    let bars: Vec<&Line> = all
        .iter()
        .filter(|l| l.text.starts_with("第二十条第"))
        .collect();
    assert_eq!(bars.len(), 4, "{what}: bar rows");
    for b in bars {
        let g = images[b.page].at(b.x1 + 20.0, (b.y0 + b.y1) / 2.0);
        assert!(
            (190..=235).contains(&g),
            "{what}: bar {} not filled (grey {g})",
            b.text
        );
    }

    // The 落款 is the last text before the page number, the agency above the date.
    let mut last: Vec<&Line> = all
        .iter()
        .filter(|l| l.page == images.len() - 1 && !is_page_number(&l.text))
        .collect();
    last.sort_by(|a, b| a.y0.total_cmp(&b.y0));
    let n = last.len();
    let [agency, date] = gongkai_render::signature(r);
    assert_eq!(last[n - 1].text, date, "{what}: date");
    assert_eq!(last[n - 2].text, agency, "{what}: signature");
}

fn have(tool: &str, arg: &str) -> bool {
    Command::new(tool)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
}

#[test]
fn written_pdf_pages() {
    assert!(
        have("pdftoppm", "-v"),
        "pdftoppm missing: run scripts/setup.sh (poppler-utils)"
    );
    let dir = temp_dir("pdf");
    // Prose of different lengths moves every heading and table across the pages.
    for n in [0, 2, 4, 5, 6, 7, 9, 12] {
        let r = report(n);
        let pdf = dir.join(format!("report-{n}.pdf"));
        std::fs::write(&pdf, render(&r, Format::Pdf, &Options::default()).unwrap()).unwrap();
        check_pages(&pdf, &dir, &r, &format!("PDF with {n} paragraphs"), true);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn written_docx_pages_in_an_office_program() {
    assert!(
        have("soffice", "--version"),
        "soffice missing: run scripts/setup.sh (libreoffice-writer-nogui)"
    );
    let dir = temp_dir("docx");
    let counts = [0, 4, 6, 9];
    let mut files = Vec::new();
    for n in counts {
        let f = dir.join(format!("report-{n}.docx"));
        std::fs::write(
            &f,
            render(&report(n), Format::Docx, &Options::default()).unwrap(),
        )
        .unwrap();
        files.push(f);
    }
    // A profile of its own: no clash with another LibreOffice running.
    let profile = format!("file://{}", dir.join("profile").display());
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&dir)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for n in counts {
        let pdf = dir.join(format!("report-{n}.pdf"));
        assert!(pdf.is_file(), "LibreOffice wrote no {}", pdf.display());
        check_pages(
            &pdf,
            &dir,
            &report(n),
            &format!("DOCX with {n} paragraphs"),
            false,
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A real published report (the huaian PDF as the reader reads it: its agency, its
/// own prose, its figures) written again as PDF and as DOCX (laid out by
/// LibreOffice): the same checks on every page.
#[test]
fn a_published_report_written_again_is_fit_to_send() {
    assert!(have("pdftoppm", "-v") && have("soffice", "--version"));
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/huaian-2024.pdf"
    );
    let r = gongkai_extract::read_bytes("huaian-2024.pdf", &std::fs::read(path).unwrap()).unwrap();
    assert_eq!(r.agency.as_deref(), Some("淮安市人民政府"));
    let dir = temp_dir("published");
    let pdf = dir.join("huaian.pdf");
    std::fs::write(&pdf, render(&r, Format::Pdf, &Options::default()).unwrap()).unwrap();
    check_pages(&pdf, &dir, &r, "huaian → PDF", true);
    let docx = dir.join("huaian-docx.docx");
    std::fs::write(
        &docx,
        render(&r, Format::Docx, &Options::default()).unwrap(),
    )
    .unwrap();
    let profile = format!("file://{}", dir.join("profile").display());
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&dir)
        .arg(&docx)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_pages(
        &dir.join("huaian-docx.pdf"),
        &dir,
        &r,
        "huaian → DOCX",
        false,
    );
    let _ = std::fs::remove_dir_all(&dir);
}
