//! A pre-scan of a PDF's object syntax before the engine parses it: the engine's
//! object parser recurses once per nested array or dictionary, so a few kilobytes of
//! `[[[[…` (or a compressed object stream that inflates to them) would overflow its
//! stack and abort the whole process. Real PDFs nest a few levels; anything past
//! [`MAX_NESTING`] is refused with a clear error before the engine sees it.
//!
//! The scan walks the file body (skipping strings, comments and stream data) and the
//! decoded data of every stream that holds syntax: object streams (`/Type /ObjStm`,
//! where objects are stored compressed), content streams and forms. A stream is
//! decoded the way the engine decodes it — with the engine's own decoders, whose
//! recovery of a damaged deflate stream (raw deflate, skipped header bytes, a
//! corrected header) may give bytes a plain inflate never sees — and also plainly
//! inflated, whatever its filter is called. It is linear in the input, and decoding
//! is bounded.

use memchr::memmem::find;
use std::io::Read;

/// Deepest array/dictionary nesting accepted.
pub const MAX_NESTING: usize = 256;
/// At most this many bytes are inflated per object stream, and in all.
const MAX_INFLATED: u64 = 64 * 1024 * 1024;

/// Content streams nest arrays only for text (`[(a) 2 (b)] TJ`), a level or two; a
/// content stream may hold inline-image bytes, so it gets a bound far above anything
/// real, yet far below what overflows the engine.
pub const MAX_CONTENT_NESTING: usize = 4_096;

/// How deep objects inside stream data (inside stream data …) are looked for.
const MAX_STREAM_IN_STREAM: u8 = 3;

/// The bound exceeded and the deepest nesting found (at least), if over a bound.
pub fn too_deep(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut budget = MAX_INFLATED;
    let mut streams = Vec::new();
    let d = scan(bytes, Some(&mut streams), MAX_NESTING, true);
    if d > MAX_NESTING {
        return Some((MAX_NESTING, d));
    }
    // A malformed string (`endob(\j`) may hide the rest of the file from a scan
    // that skips strings, while the engine's lexer reads on: scan once more with
    // strings not skipped, under the loose bound (text may hold brackets).
    // Its streams are checked too: a stream the first scan took for string bytes.
    let raw = scan(bytes, Some(&mut streams), MAX_CONTENT_NESTING, false);
    if raw > MAX_CONTENT_NESTING {
        return Some((MAX_CONTENT_NESTING, raw));
    }
    // A stream whose `endstream` was lost runs on over the objects after it; a
    // damaged file may then hold the same object again, whole, inside that data, and
    // the engine (rebuilding its table of objects) reads the later copy. Objects
    // inside a stream's data are scanned as the body is, a few levels deep.
    let mut level = vec![0u8; streams.len()];
    let mut at = 0;
    while at < streams.len() {
        let (_, data) = streams[at];
        let inner_level = level[at] + 1;
        at += 1;
        if inner_level > MAX_STREAM_IN_STREAM {
            continue;
        }
        let Some(header) = object_header(data) else {
            continue;
        };
        let before = streams.len();
        let d = scan(&data[header..], Some(&mut streams), MAX_NESTING, true);
        if d > MAX_NESTING {
            return Some((MAX_NESTING, d));
        }
        // And with strings not skipped, as the body is (a `(` in a damaged dictionary
        // must not hide the streams after it).
        let raw = scan(
            &data[header..],
            Some(&mut streams),
            MAX_CONTENT_NESTING,
            false,
        );
        if raw > MAX_CONTENT_NESTING {
            return Some((MAX_CONTENT_NESTING, raw));
        }
        level.resize(before, 0);
        level.resize(streams.len(), inner_level);
    }
    for (dict, data) in streams {
        let dict: Vec<u8> = dict
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let has = |k: &[u8]| dict.windows(k.len()).any(|w| w == k);
        // Images and embedded fonts are binary: their bytes are no syntax.
        if has(b"/Image") || has(b"/FontFile") || has(b"/Length1") || has(b"/XRef") {
            continue;
        }
        let bound = if has(b"/ObjStm") {
            MAX_NESTING
        } else {
            MAX_CONTENT_NESTING
        };
        if !has(b"/Filter") {
            if let Some(found) = decoded_too_deep(data, bound) {
                return Some(found);
            }
            continue;
        }
        // Whatever the filter is called (`/Flatedecode` too: the engine is lenient),
        // data that inflates is scanned inflated, other data as it is; and the
        // engine's own decoding of it, which may recover other bytes.
        let found = match inflate(data, &mut budget) {
            Some(v) => decoded_too_deep(&v, bound),
            None => decoded_too_deep(data, bound),
        };
        if found.is_some() {
            return found;
        }
        if budget > 0
            && let Some(v) = engine_decode(&dict, data, &mut budget)
        {
            if let Some(found) = decoded_too_deep(&v, bound) {
                return Some(found);
            }
        }
        if budget == 0 {
            break;
        }
    }
    None
}

/// Filters whose output is bytes of PDF syntax (or could be); image codecs are not.
const SYNTAX_FILTERS: &[&str] = &[
    "flatedecode",
    "fl",
    "asciihexdecode",
    "ahx",
    "ascii85decode",
    "a85",
    "lzwdecode",
    "lzw",
    "runlengthdecode",
    "rl",
];

/// Decodes a stream's data with the engine's decoders and the filters its dictionary
/// names (`dict` without white space), as the engine will when it reads the stream.
/// `None` for image codecs, unknown filters, data the engine cannot decode, or output
/// past the budget.
fn engine_decode(dict: &[u8], data: &[u8], budget: &mut u64) -> Option<Vec<u8>> {
    let mut filters = filter_names(dict);
    if filters.is_empty() {
        // An indirect /Filter (`/Filter 7 0 R`): the common case is deflate.
        filters.push("FlateDecode".to_string());
    }
    if !filters
        .iter()
        .all(|f| SYNTAX_FILTERS.contains(&f.to_ascii_lowercase().as_str()))
    {
        return None;
    }
    let out = pdf_oxide::decoders::decode_stream(data, &filters).ok()?;
    *budget = budget.saturating_sub(out.len() as u64);
    (!out.is_empty()).then_some(out)
}

/// The filter names after `/Filter` in a dictionary without white space:
/// `/Filter/FlateDecode` or `/Filter[/ASCII85Decode/FlateDecode]`.
fn filter_names(dict: &[u8]) -> Vec<String> {
    let Some(at) = find(dict, b"/Filter") else {
        return Vec::new();
    };
    let rest = &dict[at + b"/Filter".len()..];
    let rest = match rest.first() {
        Some(b'[') => {
            let end = rest.iter().position(|&b| b == b']').unwrap_or(rest.len());
            &rest[1..end]
        }
        Some(b'/') => {
            let end = rest[1..]
                .iter()
                .position(|&b| is_delimiter(b))
                .map_or(rest.len(), |e| e + 1);
            &rest[..end]
        }
        _ => return Vec::new(),
    };
    rest.split(|&b| b == b'/')
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect()
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'/' | b'[' | b']' | b'<' | b'>' | b'(' | b')' | b'{' | b'}' | b'%'
    )
}

/// The nesting of a decoded content stream, if over [`MAX_CONTENT_NESTING`].
pub fn content_too_deep(content: &[u8]) -> Option<usize> {
    decoded_too_deep(content, MAX_CONTENT_NESTING).map(|(_, d)| d)
}

/// The bound exceeded and the depth, if decoded stream data nests too deep: read as
/// syntax (strings, comments and hex strings skipped) under `bound`, and as bare
/// brackets under [`MAX_CONTENT_NESTING`]. The engine's content parser gets past what
/// it cannot parse (an unclosed `(`, a stray `%`) byte by byte and reads on, so the
/// brackets a scan that skips strings passes over may be nesting to it.
fn decoded_too_deep(text: &[u8], bound: usize) -> Option<(usize, usize)> {
    let d = scan(text, None, bound, true);
    if d > bound {
        return Some((bound, d));
    }
    let raw = scan(text, None, MAX_CONTENT_NESTING, false);
    (raw > MAX_CONTENT_NESTING).then_some((MAX_CONTENT_NESTING, raw))
}

fn inflate(data: &[u8], budget: &mut u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut z = flate2::read::ZlibDecoder::new(data).take(*budget);
    // A damaged stream inflates as far as it goes: scan what came out.
    let _ = z.read_to_end(&mut out);
    *budget = budget.saturating_sub(out.len() as u64);
    (!out.is_empty()).then_some(out)
}

/// Scans PDF object syntax and returns the deepest `[`/`<<` nesting. When `streams` is
/// given, each stream's dictionary (the bytes since the last `obj`) and raw data are
/// collected, and the data is skipped. Without `skip_strings` only brackets count:
/// strings, comments and hex strings are read as any other bytes.
fn scan<'a>(
    b: &'a [u8],
    mut streams: Option<&mut Vec<(&'a [u8], &'a [u8])>>,
    bound: usize,
    skip_strings: bool,
) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut obj_start = 0usize;
    let mut i = 0usize;
    while i < b.len() {
        match b[i] {
            b'%' if skip_strings => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' if skip_strings => {
                // A literal string: balanced parentheses, backslash escapes.
                let mut level = 1usize;
                i += 1;
                while i < b.len() && level > 0 {
                    match b[i] {
                        b'\\' => i += 1,
                        b'(' => level += 1,
                        b')' => level -= 1,
                        _ => {}
                    }
                    i += 1;
                }
                continue;
            }
            b'<' if b.get(i + 1) == Some(&b'<') => {
                depth += 1;
                deepest = deepest.max(depth);
                i += 2;
                continue;
            }
            b'<' if skip_strings => {
                // A hex string.
                while i < b.len() && b[i] != b'>' {
                    i += 1;
                }
            }
            b'>' if b.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 2;
                continue;
            }
            b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' => depth = depth.saturating_sub(1),
            b'o' if b[i..].starts_with(b"obj") && !b[..i].ends_with(b"end") => {
                obj_start = i + 3;
                depth = 0;
            }
            b's' if b[i..].starts_with(b"stream") && !b[..i].ends_with(b"end") => {
                let dict = &b[obj_start.min(i)..i];
                let mut start = i + 6;
                if b.get(start) == Some(&b'\r') {
                    start += 1;
                }
                if b.get(start) == Some(&b'\n') {
                    start += 1;
                }
                let end =
                    find(&b[start.min(b.len())..], b"endstream").map_or(b.len(), |e| start + e);
                if let Some(s) = streams.as_deref_mut() {
                    s.push((dict, &b[start.min(end)..end]));
                }
                i = end + 9;
                depth = 0;
                continue;
            }
            _ => {}
        }
        if deepest > bound {
            return deepest;
        }
        i += 1;
    }
    deepest
}

/// Where the first object header (`12 0 obj`) in `data` starts.
fn object_header(data: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(rel) = find(&data[from..], b"obj") {
        let at = from + rel;
        from = at + 3;
        // Backwards: white space, digits, white space, digits.
        let mut i = at;
        let mut fields = 0;
        while fields < 2 {
            let ws = i;
            while i > 0 && data[i - 1].is_ascii_whitespace() {
                i -= 1;
            }
            let digits = i;
            while i > 0 && data[i - 1].is_ascii_digit() {
                i -= 1;
            }
            if ws == digits || digits == i {
                break;
            }
            fields += 1;
        }
        if fields == 2 {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_outside_strings_and_streams() {
        assert_eq!(
            scan(
                b"1 0 obj << /A [1 [2] (x[[[) <5b5b> ] >> endobj",
                None,
                9,
                true
            ),
            3
        );
        let deep = format!("1 0 obj {}{} endobj", "[".repeat(300), "]".repeat(300));
        assert!(too_deep(deep.as_bytes()).is_some());
        let image = format!(
            "1 0 obj << /Subtype /Image /Length 5 >> stream\n{}\nendstream endobj",
            "[".repeat(5000)
        );
        assert_eq!(too_deep(image.as_bytes()), None);
        let content = format!(
            "1 0 obj << /Length 5 >> stream\n{}\nendstream endobj",
            "[".repeat(5000)
        );
        assert!(too_deep(content.as_bytes()).is_some());
    }

    #[test]
    fn object_headers_are_found_in_stream_data() {
        assert_eq!(object_header(b"\x00\xffjunk\n4 0 obj\n<<>>"), Some(7));
        assert_eq!(object_header(b"12 0 obj"), Some(0));
        assert_eq!(object_header(b"xobj 0obj 1 obj"), None);
    }

    #[test]
    fn an_object_written_again_inside_a_stream_is_scanned() {
        // Object 4's stream lost its end: the object written again after it lies
        // inside its data, with a deep stream of its own.
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all("[".repeat(10_000).as_bytes()).unwrap();
        let deep = z.finish().unwrap();
        let mut pdf = b"%PDF-1.7\n4 0 obj << /Length 9 /Filter /FlateDecode >> stream\n\x01\x02\n\
                        4 0 obj << /Length 5 /Filter /FlateDecode >> stream\n"
            .to_vec();
        pdf.extend_from_slice(&deep);
        pdf.extend_from_slice(b"\nendstream endobj\n%%EOF\n");
        assert_eq!(
            too_deep(&pdf),
            Some((MAX_CONTENT_NESTING, MAX_CONTENT_NESTING + 1))
        );
    }

    #[test]
    fn the_fuzz_found_copy_inside_a_stream_is_refused_before_the_engine() {
        // fuzz/found/pdf-stack-overflow-3.pdf: object 4's stream runs on over a second
        // copy of object 4, whose stream inflates (checksum aside) to 490 KB of `[`.
        let pdf = include_bytes!("../../../tests/fixtures/crafted/fuzz-deflate-recovered.pdf");
        assert_eq!(
            too_deep(pdf),
            Some((MAX_CONTENT_NESTING, MAX_CONTENT_NESTING + 1))
        );
    }

    #[test]
    fn brackets_after_an_unclosed_string_count() {
        // fuzz/found/pdf-stack-overflow-unclosed-string.pdf: `BT /F1 ( ( ( … [[[[…`: the engine
        // cannot parse the string, reads on and nests on the brackets.
        let content = format!("BT /F1 {}{} Tj ET", "( ".repeat(88), "[".repeat(5_000));
        assert_eq!(
            content_too_deep(content.as_bytes()),
            Some(MAX_CONTENT_NESTING + 1)
        );
        // Text in strings with a bracket or two, as real pages print it, passes.
        let text = "BT (see [1]) Tj (a [b) Tj [(x) 2 (y)] TJ ET ".repeat(1_000);
        assert_eq!(content_too_deep(text.as_bytes()), None);
    }

    #[test]
    fn filter_names_are_read_as_the_dictionary_lists_them() {
        assert_eq!(
            filter_names(b"<</Length5/Filter/FlateDecode>>"),
            ["FlateDecode"]
        );
        assert_eq!(filter_names(b"<</Filter/Fl/Length5>>"), ["Fl"]);
        assert_eq!(
            filter_names(b"<</Filter[/ASCII85Decode/FlateDecode]/Length5>>"),
            ["ASCII85Decode", "FlateDecode"]
        );
        assert!(filter_names(b"<</Filter70R>>").is_empty());
        assert!(filter_names(b"<</Length5>>").is_empty());
        // Image codecs are not decoded.
        let mut budget = 1 << 20;
        assert_eq!(
            engine_decode(b"<</Filter/DCTDecode>>", b"xyz", &mut budget),
            None
        );
    }

    #[test]
    fn the_engine_decoding_is_scanned_too() {
        // A deflate stream of deep `[`s behind two damaged bytes: a plain inflate
        // gives nothing, the engine's recovery (a corrected header) gives it all.
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all("[".repeat(10_000).as_bytes()).unwrap();
        let mut data = z.finish().unwrap();
        data[0] = 0x7f;
        let mut budget = MAX_INFLATED;
        assert!(inflate(&data, &mut budget).is_none());
        let mut pdf = b"%PDF-1.7\n4 0 obj << /Length 9 /Filter /FlateDecode >> stream\n".to_vec();
        pdf.extend_from_slice(&data);
        pdf.extend_from_slice(b"\nendstream endobj\n%%EOF\n");
        assert_eq!(
            too_deep(&pdf),
            Some((MAX_CONTENT_NESTING, MAX_CONTENT_NESTING + 1))
        );
    }
}
