//! A pre-scan of a PDF's object syntax before the engine parses it: the engine's
//! object parser recurses once per nested array or dictionary, so a few kilobytes of
//! `[[[[…` (or a compressed object stream that inflates to them) would overflow its
//! stack and abort the whole process. Real PDFs nest a few levels; anything past
//! [`MAX_NESTING`] is refused with a clear error before the engine sees it.
//!
//! The scan walks the file body (skipping strings, comments and stream data) and the
//! inflated content of every object stream (`/Type /ObjStm`, where objects are
//! stored compressed). It is linear in the input, and inflating is bounded.

use std::io::Read;

/// Deepest array/dictionary nesting accepted.
pub const MAX_NESTING: usize = 256;
/// At most this many bytes are inflated per object stream, and in all.
const MAX_INFLATED: u64 = 64 * 1024 * 1024;

/// Content streams nest arrays only for text (`[(a) 2 (b)] TJ`), a level or two; a
/// content stream may hold inline-image bytes, so it gets a bound far above anything
/// real, yet far below what overflows the engine.
pub const MAX_CONTENT_NESTING: usize = 4_096;

/// The deepest nesting found, if over the bound.
pub fn too_deep(bytes: &[u8]) -> Option<usize> {
    let mut budget = MAX_INFLATED;
    let mut streams = Vec::new();
    let d = scan(bytes, Some(&mut streams), MAX_NESTING, true);
    if d > MAX_NESTING {
        return Some(d);
    }
    // A malformed string (`endob(\j`) may hide the rest of the file from a scan
    // that skips strings, while the engine's lexer reads on: scan once more with
    // strings not skipped, under the loose bound (text may hold brackets).
    // Its streams are checked too: a stream the first scan took for string bytes.
    let raw = scan(bytes, Some(&mut streams), MAX_CONTENT_NESTING, false);
    if raw > MAX_CONTENT_NESTING {
        return Some(raw);
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
        let inflated;
        // Whatever the filter is called (`/Flatedecode` too: the engine is lenient),
        // data that inflates is scanned inflated, other data as it is.
        let text: &[u8] = if has(b"/Filter") {
            match inflate(data, &mut budget) {
                Some(v) => {
                    inflated = v;
                    &inflated
                }
                None => data,
            }
        } else {
            data
        };
        let d = scan(text, None, bound, true);
        if d > bound {
            return Some(d);
        }
        if budget == 0 {
            break;
        }
    }
    None
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
/// collected, and the data is skipped.
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
            b'%' => {
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
            b'<' => {
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

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
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
}
