//! The statutory letters of a disclosure case (补正申请告知书, 延期答复告知书,
//! 政府信息公开申请答复书 …) as DOCX and PDF, in the layout of GB/T 9704: title in
//! 小标宋 22 pt, addressee flush left, body in 仿宋 16 pt with a two-character indent,
//! the agency and date at the foot on the right.

use crate::RenderError;
use crate::pdf::{fonts, lit, typeset};
use std::fmt::Write as _;
use std::io::Write as _;

/// One letter, already worded (the wording comes from the office's editable templates).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Letter {
    /// E.g. 政府信息公开申请答复书.
    pub title: String,
    /// 文号, e.g. 〔2026〕第 12 号; printed under the title when present.
    pub number: String,
    /// The applicant, printed as 「张三：」.
    pub addressee: String,
    /// Body paragraphs, each indented two characters.
    pub paragraphs: Vec<String>,
    /// The issuing agency (落款).
    pub signature: String,
    /// The date as printed, e.g. 2026年12月1日.
    pub date: String,
}

const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋_GB2312";
const LATIN_FONT: &str = "Times New Roman";

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn para(b: &mut String, jc: &str, indent: bool, font: &str, half_points: u32, text: &str) {
    let ind = if indent {
        r#"<w:ind w:firstLineChars="200" w:firstLine="640"/>"#
    } else {
        ""
    };
    let _ = write!(
        b,
        r#"<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="560" w:lineRule="exact"/>{ind}<w:jc w:val="{jc}"/></w:pPr><w:r><w:rPr><w:rFonts w:hint="eastAsia" w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:eastAsia="{font}"/><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/><w:lang w:eastAsia="zh-CN"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
        esc(text)
    );
}

impl Letter {
    /// The letter as a .docx file.
    pub fn docx(&self) -> Result<Vec<u8>, RenderError> {
        let mut b = String::with_capacity(16 * 1024);
        b.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#);
        para(&mut b, "center", false, TITLE_FONT, 44, &self.title);
        if !self.number.is_empty() {
            para(&mut b, "center", false, BODY_FONT, 32, &self.number);
        }
        para(&mut b, "left", false, BODY_FONT, 32, "");
        if !self.addressee.is_empty() {
            para(
                &mut b,
                "left",
                false,
                BODY_FONT,
                32,
                &format!("{}：", self.addressee),
            );
        }
        for p in &self.paragraphs {
            para(&mut b, "both", true, BODY_FONT, 32, p);
        }
        para(&mut b, "left", false, BODY_FONT, 32, "");
        para(&mut b, "right", false, BODY_FONT, 32, &self.signature);
        para(&mut b, "right", false, BODY_FONT, 32, &self.date);
        b.push_str(r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#);
        let parts: [(&str, &str); 4] = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
            ),
            (
                "word/_rels/document.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>"#,
            ),
            ("word/document.xml", &b),
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

    /// The letter as a PDF (same page setup and type sizes as the DOCX).
    pub fn pdf(&self) -> Result<Vec<u8>, RenderError> {
        let fonts = fonts()?;
        let mut missing: Vec<char> = Vec::new();
        for c in self.text().chars() {
            if !c.is_whitespace() && !c.is_control() && !missing.contains(&c) && !fonts.covers(c) {
                missing.push(c);
            }
        }
        if !missing.is_empty() {
            return Err(RenderError::GlyphMissing(missing));
        }
        let mut s = String::with_capacity(8 * 1024);
        let _ = writeln!(s, "#set document(title: {})", lit(&self.title));
        s.push_str("#set page(paper: \"a4\", margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm))\n");
        let _ = writeln!(
            s,
            "#set text(font: {}, size: 16pt, lang: \"zh\", region: \"cn\")",
            lit(&fonts.body)
        );
        s.push_str("#set par(justify: true, leading: 0.75em, spacing: 0.75em)\n");
        let _ = writeln!(
            s,
            "#align(center, text(font: {}, size: 22pt, weight: \"bold\", {}))",
            lit(&fonts.title),
            lit(&self.title)
        );
        if !self.number.is_empty() {
            let _ = writeln!(s, "#align(center, {})", lit(&self.number));
        }
        s.push_str("#v(1em)\n");
        if !self.addressee.is_empty() {
            let _ = writeln!(s, "#{}\n", lit(&format!("{}：", self.addressee)));
        }
        for p in &self.paragraphs {
            let _ = writeln!(s, "#h(2em)#{}\n", lit(p));
        }
        let _ = writeln!(
            s,
            "#v(2em)\n#align(right, {})\n#align(right, {})",
            lit(&self.signature),
            lit(&self.date)
        );
        typeset(s, fonts)
    }

    /// The letter as plain text (for the case page's preview and for tests).
    pub fn text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{}", self.title);
        if !self.number.is_empty() {
            let _ = writeln!(s, "{}", self.number);
        }
        if !self.addressee.is_empty() {
            let _ = writeln!(s, "{}：", self.addressee);
        }
        for p in &self.paragraphs {
            let _ = writeln!(s, "　　{p}");
        }
        let _ = writeln!(s, "{}\n{}", self.signature, self.date);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Letter {
        Letter {
            title: "政府信息公开申请答复书".into(),
            number: "〔2026〕第 3 号".into(),
            addressee: "张三".into(),
            paragraphs: vec![
                "本机关于2026年11月2日收到您的申请。".into(),
                "如对本答复不服，可以依法申请行政复议或者提起行政诉讼。<&>".into(),
            ],
            signature: "演示县人民政府办公室".into(),
            date: "2026年12月1日".into(),
        }
    }

    #[test]
    fn docx_holds_every_paragraph_escaped() {
        let bytes = sample().docx().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        for needle in [
            "政府信息公开申请答复书",
            "张三：",
            "本机关于2026年11月2日收到您的申请。",
            "提起行政诉讼。&lt;&amp;&gt;",
            "演示县人民政府办公室",
            "2026年12月1日",
        ] {
            assert!(xml.contains(needle), "{needle} missing");
        }
    }

    #[test]
    fn text_has_title_addressee_and_signature() {
        let t = sample().text();
        assert!(t.starts_with("政府信息公开申请答复书\n〔2026〕第 3 号\n张三：\n"));
        assert!(t.ends_with("演示县人民政府办公室\n2026年12月1日\n"));
    }
}
