//! The PDF writer's fonts are built into the program: a PDF is written on a machine
//! with no CJK font (the system's font folders hidden, fontconfig pointed nowhere,
//! `GONGKAI_FONT` unset); every character of the GB18030 two-byte repertoire (GBK,
//! which holds GB2312) has a glyph; a character no font can draw is refused by name.

use gongkai_render::{Format, Options, RenderError, render};
use gongkai_report::{Report, Section, TemplateId};
use std::path::{Path, PathBuf};
use std::process::Command;

const CHILD: &str = "GONGKAI_TEST_FONTLESS_OUT";

fn report(agency: &str) -> Report {
    let mut r = gongkai_render::blank(TemplateId::T2021);
    r.agency = Some(agency.into());
    r.year = Some(2025);
    r
}

/// In the child process: the system font folders must be empty (when hidden), then
/// a PDF is written with prose that needs more than the template's own characters.
fn child(out: &Path) {
    if std::env::var_os("GONGKAI_TEST_FONTS_HIDDEN").is_some() {
        for dir in ["/usr/share/fonts", "/usr/local/share/fonts"] {
            let n = std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
            assert_eq!(n, 0, "{dir} is not hidden");
        }
    }
    assert!(std::env::var_os(gongkai_render::pdf::FONT_ENV).is_none());
    let mut r = report("鄄城县人民政府");
    r.sections.push(Section {
        heading: "一、总体情况".into(),
        text: "本机关在亳州、犍为、丽水等地开展培训。".into(),
    });
    let bytes = render(&r, Format::Pdf, &Options::default()).unwrap();
    std::fs::write(out, bytes).unwrap();
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gongkai-fonts-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs this test again, as the child, in a fresh process with no font to be found: in a mount
/// namespace where the font folders are covered by empty tmpfs (where the kernel
/// allows one), fontconfig pointed at an empty configuration, HOME elsewhere.
fn run_child(pdf: &Path, home: &Path) -> bool {
    let exe = std::env::current_exe().unwrap();
    let script = "for d in /usr/share/fonts /usr/local/share/fonts; do \
                  [ -d \"$d\" ] && mount -t tmpfs none \"$d\"; done; exec \"$@\"";
    let base = |cmd: &mut Command| {
        cmd.env_remove(gongkai_render::pdf::FONT_ENV)
            .env(CHILD, pdf)
            .env("FONTCONFIG_FILE", home.join("fonts.conf"))
            .env("HOME", home)
            .env("XDG_DATA_HOME", home)
            .env("XDG_DATA_DIRS", home);
    };
    for unshare in [&["-m"][..], &["-rm"][..]] {
        let mut cmd = Command::new("unshare");
        cmd.args(unshare)
            .args(["sh", "-c", script, "sh"])
            .arg(&exe)
            .args(["--exact", "pdf_without_system_fonts", "--nocapture"])
            .env("GONGKAI_TEST_FONTS_HIDDEN", "1");
        base(&mut cmd);
        if let Ok(out) = cmd.output() {
            if out.status.success() {
                return true;
            }
            let err = String::from_utf8_lossy(&out.stderr);
            let stdout = String::from_utf8_lossy(&out.stdout);
            // A namespace refused by the kernel is not a failure of the writer.
            let refused = err.contains("unshare failed") || err.contains("mount:");
            assert!(refused, "the child failed:\n{stdout}\n{err}");
        }
    }
    // No mount namespace here: still no fontconfig, no GONGKAI_FONT, no HOME fonts.
    let mut cmd = Command::new(&exe);
    cmd.args(["--exact", "pdf_without_system_fonts", "--nocapture"]);
    base(&mut cmd);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

#[test]
fn pdf_without_system_fonts() {
    if let Some(out) = std::env::var_os(CHILD) {
        return child(Path::new(&out));
    }
    let dir = temp_dir("none");
    std::fs::write(
        dir.join("fonts.conf"),
        "<?xml version=\"1.0\"?><fontconfig></fontconfig>",
    )
    .unwrap();
    let pdf = dir.join("out.pdf");
    let hidden = run_child(&pdf, &dir);
    if !hidden {
        eprintln!("note: no mount namespace, system font folders were not hidden");
    }
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    // The embedded faces are in the file, by name (subset prefix + PostScript name).
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("NotoSerifCJKsc-Regular") && text.contains("NotoSansCJKsc-Regular"),
        "the PDF does not embed the built-in Noto CJK SC faces"
    );
    // And the text is real text: poppler reads the agency back, when installed.
    if let Ok(out) = Command::new("pdftotext").arg(&pdf).arg("-").output() {
        let t: String = String::from_utf8_lossy(&out.stdout)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(t.contains("鄄城县人民政府"), "{t}");
        assert!(t.contains("亳州、犍为、丽水"), "{t}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every character of GB18030's two-byte part (GBK: GB2312 plus the CJK Unified
/// Ideographs and the symbols) has a glyph in the built-in fonts but one: the
/// symbol ≒ (U+2252, GBK A894), which Noto CJK lacks and the writer refuses by name.
/// The user-defined areas, which map to the Private Use Area, have none.
#[test]
fn every_gbk_character_has_a_glyph() {
    let fonts = gongkai_render::pdf::fonts().unwrap();
    let mut missing = Vec::new();
    let mut checked = 0;
    for lead in 0x81u8..=0xFE {
        for trail in (0x40u8..=0x7E).chain(0x80..=0xFE) {
            let pair = [lead, trail];
            let (text, _, bad) = encoding_rs::GB18030.decode(&pair);
            let Some(c) = text.chars().next().filter(|_| !bad) else {
                continue;
            };
            if ('\u{E000}'..='\u{F8FF}').contains(&c) {
                continue;
            }
            checked += 1;
            if !fonts.covers(c) {
                missing.push(format!("{c} U+{:04X}", c as u32));
            }
        }
    }
    assert!(checked > 21_000, "{checked}");
    assert!(
        missing == ["≒ U+2252"],
        "{} of {checked} GBK characters have no glyph: {:?}",
        missing.len(),
        missing
    );
}

/// A character beyond the fonts (a rare CJK Extension B ideograph, valid GB18030)
/// is refused by name, in Chinese, and nothing is written.
#[test]
fn uncovered_character_is_refused_by_name() {
    let fonts = gongkai_render::pdf::fonts().unwrap();
    let rare = ('\u{20000}'..='\u{2A6DF}')
        .find(|&c| !fonts.covers(c))
        .expect("an Extension B ideograph the fonts lack");
    // GB18030 encodes it (four bytes): an agency name can hold it.
    let rare_text = rare.to_string();
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&rare_text);
    assert!(!unmappable && bytes.len() == 4);

    let name = format!("某{rare}县人民政府");
    match render(&report(&name), Format::Pdf, &Options::default()) {
        Err(e @ RenderError::GlyphMissing(_)) => {
            let msg = e.to_string();
            assert!(msg.contains(&format!("“{rare}”")), "{msg}");
            assert!(msg.contains(&format!("U+{:04X}", rare as u32)), "{msg}");
            assert!(msg.contains("无法生成 PDF"), "{msg}");
        }
        other => panic!("expected a refusal, got {:?}", other.map(|b| b.len())),
    }
    // In prose too.
    let mut r = report("某县人民政府");
    r.sections.push(Section {
        heading: "六、其他需要报告的事项".into(),
        text: format!("无{rare}。"),
    });
    assert!(matches!(
        render(&r, Format::Pdf, &Options::default()),
        Err(RenderError::GlyphMissing(c)) if c == vec![rare]
    ));
}
