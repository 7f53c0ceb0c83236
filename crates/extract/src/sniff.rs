//! What a file is, from its bytes (never its name), and its text decoded.

use crate::doc::Format;
use crate::error::ReadError;
use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};
use memchr::memmem::find;

/// Magic numbers of things that are not reports, to name them in the error.
const FOREIGN: [(&[u8], &str); 9] = [
    (b"\x89PNG", "PNG 图片"),
    (b"\xFF\xD8\xFF", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"\x7FELF", "可执行程序"),
    (b"MZ", "Windows 可执行程序"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xBC\xAF", "7z 压缩包"),
    (b"\x1F\x8B", "gzip 压缩文件"),
    (b"OFD", "OFD 版式文件"),
];

pub fn sniff(bytes: &[u8]) -> Result<Format, ReadError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty);
    }
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Ok(package_format(bytes));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // A compound file: Word/WPS text, or an Excel/WPS workbook (its directory
        // names the `Workbook` or `Book` stream, in UTF-16).
        let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        let has = |s: &str| find(bytes, &utf16(s)).is_some();
        return Ok(
            if !has("WordDocument") && (has("Workbook") || has("Book\0")) {
                Format::Xls
            } else {
                Format::Doc
            },
        );
    }
    for (magic, what) in FOREIGN {
        if bytes.starts_with(magic) {
            return Err(ReadError::Binary { what: what.into() });
        }
    }
    // UTF-16 without a byte-order mark needs a zero byte in the first 8 KB, where
    // binary data is told by one: that is asked once.
    let zero = bytes[..bytes.len().min(8192)].contains(&0);
    let utf16 = bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || zero && utf16_without_bom(bytes).is_some();
    if !utf16 && zero {
        return Err(ReadError::Binary {
            what: "二进制数据".into(),
        });
    }
    // Look at a decoded prefix for markup.
    let prefix = decode_prefix(head);
    let lower = prefix.to_ascii_lowercase();
    if [
        "<!doctype html",
        "<html",
        "<table",
        "<body",
        "<meta",
        "<p>",
        "<div",
    ]
    .iter()
    .any(|m| lower.contains(m))
    {
        return Ok(Format::Html);
    }
    // A decoded '|' comes from a 0x7C byte in every encoding decoded here: without
    // one, nothing is decoded.
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let pipe_rows = if sample.contains(&b'|') {
        crate::lines(&decode_prefix(sample))
            .filter(|l| l.trim_start().starts_with('|') && l.trim_end().ends_with('|'))
            .count()
    } else {
        0
    };
    Ok(if pipe_rows >= 3 {
        Format::Markdown
    } else {
        Format::Text
    })
}

/// What a ZIP package is, from the names in its directory: an OOXML or OpenDocument
/// file is that document, not an archive of XML files.
fn package_format(bytes: &[u8]) -> Format {
    let Ok(zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        // A damaged package: judge by the names its local headers still show.
        return if find(bytes, b"word/document.xml").is_some() {
            Format::Docx
        } else {
            Format::Zip
        };
    };
    let names: Vec<String> = zip
        .file_names()
        .take(crate::archive::MAX_MEMBERS)
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let has = |n: &str| names.iter().any(|m| m == n);
    if has("word/document.xml")
        || names
            .iter()
            .any(|n| n.ends_with("/document.xml") && has("[Content_Types].xml"))
    {
        return Format::Docx;
    }
    if has("xl/workbook.xml") || has("xl/workbook.bin") {
        return Format::Xlsx;
    }
    if has("content.xml") && has("mimetype") {
        match crate::odf::mimetype(bytes).as_deref() {
            Some("application/vnd.oasis.opendocument.text") => return Format::Odt,
            Some("application/vnd.oasis.opendocument.spreadsheet") => return Format::Ods,
            _ => {}
        }
    }
    Format::Zip
}

/// UTF-16 text saved without a byte-order mark (Windows "Unicode" text from some
/// tools): recognised by its zero bytes, which fall on one parity only, and by
/// decoding to text without errors or control characters. Returns the byte order.
pub fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(8192) & !1];
    // No zero byte at all (nearly every text file): not UTF-16, without counting.
    if sample.len() < 4 || !sample.contains(&0) {
        return None;
    }
    let zeros = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    // ASCII in UTF-16 has one zero byte per unit; CJK has few. Binary data has zeros
    // at both parities.
    // And enough of them: a stray NUL in binary data is not text.
    let enough = (sample.len() / 2 / 10).max(2);
    let enc = if odd > even * 4 && odd >= enough {
        UTF_16LE
    } else if even > odd * 4 && even >= enough {
        UTF_16BE
    } else {
        return None;
    };
    let (text, had_errors) = enc.decode_without_bom_handling(sample);
    let bad = text
        .chars()
        .filter(|&c| c == '\u{fffd}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')))
        .count();
    // A cut at the end of the sample may split a surrogate pair: allow one error.
    (bad <= usize::from(had_errors) && !text.trim().is_empty()).then_some(enc)
}

/// Borrowed when the bytes are valid UTF-8 already.
fn decode_prefix(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let (enc, skip) = bom(bytes)
        .or_else(|| utf16_without_bom(bytes).map(|e| (e, 0)))
        .unwrap_or((UTF_8, 0));
    enc.decode_without_bom_handling(&bytes[skip..]).0
}

fn bom(bytes: &[u8]) -> Option<(&'static Encoding, usize)> {
    Encoding::for_bom(bytes)
}

/// Decodes text: a BOM wins, then a declared charset, then UTF-8 if valid, then the
/// detector's guess (GB18030 for GBK files). Text that decodes only with many errors
/// is refused rather than read wrongly.
pub fn decode_text(bytes: &[u8], declared: Option<&'static Encoding>) -> Result<String, ReadError> {
    if let Some((enc, skip)) = bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[skip..]);
        if had_errors && replacement_share(&text) > 0.01 {
            return Err(ReadError::Encoding {
                detail: format!("按 {} 解码时出现大量无效字符", enc.name()),
            });
        }
        return Ok(text.into_owned());
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if had_errors && replacement_share(&text) > 0.01 {
            return Err(ReadError::Encoding {
                detail: format!("按 {}（无字节序标记）解码时出现大量无效字符", enc.name()),
            });
        }
        return Ok(text.into_owned());
    }
    if let Some(enc) = declared {
        // Web pages that say GBK/GB2312 are GB18030 in practice (a superset).
        let enc = if enc == encoding_rs::GBK {
            GB18030
        } else {
            enc
        };
        if enc != UTF_16LE && enc != UTF_16BE {
            let (text, _, had_errors) = enc.decode(bytes);
            if !had_errors || replacement_share(&text) < 0.001 {
                return Ok(text.into_owned());
            }
        }
    }
    // The SIMD validator: the same answer as `std::str::from_utf8`, faster on CJK text.
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let guess = det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    let enc = if guess == encoding_rs::GBK || guess == UTF_8 {
        GB18030
    } else {
        guess
    };
    let (text, _, had_errors) = enc.decode(bytes);
    if had_errors && replacement_share(&text) > 0.001 {
        // Mostly-UTF-8 text with a few broken bytes (copied from a damaged page): keep it,
        // the damaged characters show as U+FFFD and cannot be mistaken for digits.
        let lossy = String::from_utf8_lossy(bytes);
        if replacement_share(&lossy) < 0.01 {
            return Ok(lossy.into_owned());
        }
        return Err(ReadError::Encoding {
            detail: "既不是有效的 UTF-8，也不是 GBK/GB18030 编码".into(),
        });
    }
    Ok(text.into_owned())
}

fn replacement_share(text: &str) -> f64 {
    let total = text.chars().count().max(1);
    text.chars().filter(|&c| c == '\u{fffd}').count() as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Ok(Format::Pdf));
        assert_eq!(
            sniff("<html><body>年报</body></html>".as_bytes()),
            Ok(Format::Html)
        );
        assert_eq!(sniff("规章\t0\t0\t0".as_bytes()), Ok(Format::Text));
        assert_eq!(sniff(b""), Err(ReadError::Empty));
        assert_eq!(sniff(b"  \n\t "), Err(ReadError::Empty));
        assert!(matches!(
            sniff(b"\x89PNG\r\n\x1a\n"),
            Err(ReadError::Binary { .. })
        ));
        assert!(matches!(sniff(b"abc\0def"), Err(ReadError::Binary { .. })));
        assert_eq!(
            sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Ok(Format::Doc)
        );
    }

    #[test]
    fn decodes_gbk_utf16_and_utf8() {
        let s = "二、主动公开政府信息情况 规章 12";
        let (gbk, _, _) = encoding_rs::GBK.encode(s);
        assert_eq!(decode_text(&gbk, None).unwrap(), s);
        let mut u16 = vec![0xFF, 0xFE];
        for c in s.encode_utf16() {
            u16.extend_from_slice(&c.to_le_bytes());
        }
        assert_eq!(sniff(&u16), Ok(Format::Text));
        assert_eq!(decode_text(&u16, None).unwrap(), s);
        assert_eq!(decode_text(s.as_bytes(), None).unwrap(), s);
    }

    #[test]
    fn invalid_encodings_are_refused() {
        let junk: Vec<u8> = (0..4000u32)
            .map(|i| (0x80 + (i * 7919 % 0x7f)) as u8)
            .collect();
        assert!(decode_text(&junk, None).is_err() || !decode_text(&junk, None).unwrap().is_empty());
    }
}
