//! The HTML tokenizer: a page's text → start tags, end tags and text.
//!
//! It follows the tokenization states of the WHATWG HTML standard for what the
//! reader uses (tags with their attributes, text with character references
//! decoded), and switches to raw text after `<script>`, `<style>`, `<title>`,
//! `<textarea>`, `<plaintext>` and the like as a tree builder would tell it. It
//! gives the same tags and text as html5ever's tokenizer so driven (the tests check
//! it token by token), at a fraction of the cost: the syntax is all ASCII, so the
//! page is scanned as bytes, text between tags is handed on as slices of the page,
//! and a tag allocates nothing unless its names need folding to lower case or its
//! attributes hold a character reference.
//!
//! Comments, doctypes and processing instructions are skipped. A NUL in text is
//! dropped (a NUL in raw text, a tag name or an attribute becomes U+FFFD), as the
//! standard says. Line ends are not normalised: '\r' is white space wherever '\n'
//! is, and text collapses its white space anyway.

use std::borrow::Cow;

use memchr::{memchr, memchr2, memchr3};
use web_atoms::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// A start tag: its name in lower case, its attributes and whether it ended
/// with `/>`.
pub(super) struct Tag<'t> {
    pub name: &'t str,
    pub self_closing: bool,
    attrs: &'t [(Cow<'t, str>, Cow<'t, str>)],
}

impl Tag<'_> {
    /// The value of the attribute `name` (lower case), character references
    /// decoded: the first of that name, as the standard keeps.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| &**v)
    }
}

/// What the tokenizer hands on. Text may come in several pieces between two tags.
pub(super) trait Sink {
    fn start_tag(&mut self, tag: &Tag<'_>);
    fn end_tag(&mut self, name: &str);
    fn text(&mut self, text: &str);
}

/// Tokenizes a whole page.
pub(super) fn tokenize(page: &str, sink: &mut impl Sink) {
    let page = page.strip_prefix('\u{feff}').unwrap_or(page);
    let mut lexer = Lexer {
        s: page,
        i: 0,
        name: String::new(),
        attrs: Vec::new(),
    };
    let mut content = Content::Data;
    while lexer.i < page.len() {
        content = match content {
            Content::Data => lexer.data(sink),
            Content::Plaintext => {
                text_without_nul(&page[lexer.i..], sink);
                lexer.i = page.len();
                Content::Plaintext
            }
            raw => lexer.raw(raw, sink),
        };
    }
}

/// How the content after a start tag is read.
#[derive(Clone, Copy, PartialEq)]
enum Content {
    /// Markup.
    Data,
    /// Text up to the end tag of the element named (`title`, `textarea`: with
    /// character references).
    Raw {
        element: &'static str,
        references: bool,
    },
    /// A script's text, up to its end tag outside an escaped `<!--<script>` run.
    Script,
    /// Text to the end of the page.
    Plaintext,
}

/// The content a start tag opens, as the tree builder would set it.
fn content_after(name: &str) -> Content {
    let raw = |element, references| Content::Raw {
        element,
        references,
    };
    match name {
        "script" => Content::Script,
        "style" => raw("style", false),
        "xmp" => raw("xmp", false),
        "iframe" => raw("iframe", false),
        "noembed" => raw("noembed", false),
        "noframes" => raw("noframes", false),
        "noscript" => raw("noscript", false),
        "title" => raw("title", true),
        "textarea" => raw("textarea", true),
        "plaintext" => Content::Plaintext,
        _ => Content::Data,
    }
}

/// The standard's ASCII white space.
pub(super) fn is_space(b: u8) -> bool {
    // '\r' stands for the '\n' that input normalisation would make of it.
    matches!(b, b'\t' | b'\n' | b'\x0c' | b' ' | b'\r')
}

struct Lexer<'a> {
    s: &'a str,
    /// The next byte to read.
    i: usize,
    /// A tag name folded to lower case (when the page's is not already).
    name: String,
    /// The attributes of the tag being read.
    attrs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Lexer<'a> {
    /// Markup: text up to a tag, then the tag. Returns the content that follows.
    fn data(&mut self, sink: &mut impl Sink) -> Content {
        let (s, b) = (self.s, self.s.as_bytes());
        loop {
            let Some(k) = memchr3(b'<', b'&', 0, &b[self.i..]) else {
                emit(&s[self.i..], sink);
                self.i = b.len();
                return Content::Data;
            };
            let at = self.i + k;
            emit(&s[self.i..at], sink);
            self.i = at + 1;
            match b[at] {
                // A NUL in text is a parse error, and dropped.
                0 => {}
                b'&' => self.i = char_ref_in_text(s, self.i, sink),
                _ => return self.markup(at, sink),
            }
        }
    }

    /// After a '<' at `at` in markup.
    fn markup(&mut self, at: usize, sink: &mut impl Sink) -> Content {
        let b = self.s.as_bytes();
        match b.get(at + 1) {
            None => {
                sink.text("<");
                self.i = b.len();
                Content::Data
            }
            Some(b'!') => {
                self.i = declaration_end(b, at + 2);
                Content::Data
            }
            Some(b'/') => match b.get(at + 2) {
                None => {
                    sink.text("</");
                    self.i = b.len();
                    Content::Data
                }
                Some(c) if c.is_ascii_alphabetic() => self.tag(at + 2, true, sink),
                Some(b'>') => {
                    self.i = at + 3;
                    Content::Data
                }
                // `</ …>`, `</1…>`: a bogus comment up to the next '>'.
                Some(_) => {
                    self.i = after_gt(b, at + 2);
                    Content::Data
                }
            },
            Some(c) if c.is_ascii_alphabetic() => self.tag(at + 1, false, sink),
            // `<?xml …>`: a bogus comment.
            Some(b'?') => {
                self.i = after_gt(b, at + 1);
                Content::Data
            }
            // `a < b`: the '<' is text.
            Some(_) => {
                sink.text("<");
                self.i = at + 1;
                Content::Data
            }
        }
    }

    /// Reads a tag whose name starts at `start`, and hands it on.
    fn tag(&mut self, start: usize, end_tag: bool, sink: &mut impl Sink) -> Content {
        let (s, b) = (self.s, self.s.as_bytes());
        let mut k = start;
        let mut fold = false;
        while k < b.len() && !matches!(b[k], b'/' | b'>') && !is_space(b[k]) {
            fold |= b[k].is_ascii_uppercase() || b[k] == 0;
            k += 1;
        }
        let name_end = k;
        if fold {
            self.name.clear();
            fold_into(&mut self.name, &s[start..name_end]);
        }
        let Some((end, self_closing)) = self.attributes(name_end, end_tag) else {
            // The page ends inside the tag: it is dropped, as the standard says.
            self.i = b.len();
            return Content::Data;
        };
        self.i = end;
        let name = if fold {
            &self.name[..]
        } else {
            &s[start..name_end]
        };
        if end_tag {
            sink.end_tag(name);
            return Content::Data;
        }
        let content = content_after(name);
        sink.start_tag(&Tag {
            name,
            self_closing,
            attrs: &self.attrs,
        });
        content
    }

    /// Reads a tag's attributes from `k` (after its name) into `self.attrs` (none
    /// for an end tag); returns where the tag ends and whether it ended with `/>`,
    /// or `None` when the page ends inside it.
    fn attributes(&mut self, mut k: usize, end_tag: bool) -> Option<(usize, bool)> {
        let (s, b) = (self.s, self.s.as_bytes());
        self.attrs.clear();
        // Before an attribute's name.
        loop {
            k = skip_space(b, k);
            match *b.get(k)? {
                b'>' => return Some((k + 1, false)),
                b'/' => {
                    k += 1;
                    if *b.get(k)? == b'>' {
                        return Some((k + 1, true));
                    }
                    // `<a/b>`: the '/' is dropped and `b` read as an attribute.
                    continue;
                }
                _ => {}
            }
            // The name: its first character may be '='.
            let name_start = k;
            k += 1;
            while k < b.len() && !matches!(b[k], b'/' | b'>' | b'=') && !is_space(b[k]) {
                k += 1;
            }
            let name = &s[name_start..k];
            k = skip_space(b, k);
            let mut value = Cow::Borrowed("");
            if b.get(k) == Some(&b'=') {
                k = skip_space(b, k + 1);
                match *b.get(k)? {
                    q @ (b'"' | b'\'') => {
                        let len = memchr(q, &b[k + 1..])?;
                        value = decode(&s[k + 1..k + 1 + len], true);
                        k += len + 2;
                    }
                    // `<td colspan=>`: an empty value.
                    b'>' => {}
                    _ => {
                        let from = k;
                        while k < b.len() && b[k] != b'>' && !is_space(b[k]) {
                            k += 1;
                        }
                        if k == b.len() {
                            return None;
                        }
                        value = decode(&s[from..k], true);
                    }
                }
            }
            // Kept in order, repeats too: [`Tag::attr`] takes the first of a name,
            // so a tag of many attributes costs no more than its length.
            if !end_tag {
                self.attrs.push((fold_name(name), value));
            }
        }
    }

    /// Raw text up to the end tag of the element that opened it (or to the end of
    /// the page), then that end tag.
    fn raw(&mut self, content: Content, sink: &mut impl Sink) -> Content {
        let (s, b) = (self.s, self.s.as_bytes());
        let from = self.i;
        let (end, references) = match content {
            Content::Raw {
                element,
                references,
            } => (raw_end(b, from, element), references),
            _ => (script_end(b, from), false),
        };
        let text = &s[from..end.unwrap_or(b.len())];
        if references {
            emit(&decode(text, false), sink);
        } else {
            text_without_nul(text, sink);
        }
        match end {
            Some(at) => self.tag(at + 2, true, sink),
            None => {
                self.i = b.len();
                Content::Data
            }
        }
    }
}

/// Where a comment, doctype or other `<!…>` declaration whose body starts at
/// `from` (after `<!`) ends: after its closing `-->`/`--!>` or '>'.
fn declaration_end(b: &[u8], from: usize) -> usize {
    if !b[from..].starts_with(b"--") {
        // A doctype ends at its first '>' in every one of its states, as does a
        // bogus comment (`<!>`, `<![CDATA[…]]>` outside foreign content).
        return after_gt(b, from);
    }
    let body = from + 2;
    // `<!-->` and `<!--->` end at once.
    match &b[body..] {
        [b'>', ..] => return body + 1,
        [b'-', b'>', ..] => return body + 2,
        _ => {}
    }
    let mut k = body;
    while let Some(d) = memchr::memmem::find(&b[k..], b"--") {
        let dash = k + d;
        match &b[dash + 2..] {
            [b'>', ..] => return dash + 3,
            [b'!', b'>', ..] => return dash + 4,
            _ => k = dash + 1,
        }
    }
    b.len()
}

/// The first byte at or after `k` that is not white space.
fn skip_space(b: &[u8], mut k: usize) -> usize {
    while k < b.len() && is_space(b[k]) {
        k += 1;
    }
    k
}

/// After the next '>' at or after `from` (or the end of the page).
fn after_gt(b: &[u8], from: usize) -> usize {
    memchr(b'>', &b[from.min(b.len())..]).map_or(b.len(), |k| from + k + 1)
}

/// Whether `</name` followed by white space, '/' or '>' starts at `at` (the
/// "appropriate end tag" of raw text, its name in any case).
fn is_end_tag_of(b: &[u8], at: usize, name: &str) -> bool {
    let n = name.len();
    b.get(at + 1) == Some(&b'/')
        && b.len() > at + 2 + n
        && b[at + 2..at + 2 + n].eq_ignore_ascii_case(name.as_bytes())
        && (matches!(b[at + 2 + n], b'/' | b'>') || is_space(b[at + 2 + n]))
}

/// Where the end tag `</name` of RCDATA or RAWTEXT starting at `from` is.
fn raw_end(b: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut k = from;
    while let Some(d) = memchr(b'<', &b[k..]) {
        let at = k + d;
        if is_end_tag_of(b, at, name) {
            return Some(at);
        }
        k = at + 1;
    }
    None
}

/// The script data states: where a script's `</script` end tag is, stepping over
/// `<!-- … <script> … </script> … -->` runs as a browser does.
fn script_end(b: &[u8], from: usize) -> Option<usize> {
    #[derive(Clone, Copy)]
    enum S {
        Data,
        /// Inside `<!--` (escaped), or inside `<!--<script>` (double escaped), with
        /// the number of '-' just read (two or more count as two).
        Run {
            double: bool,
            dashes: u8,
        },
    }
    // The run of ASCII letters starting at `k`, and whether it is "script"
    // followed by white space, '/' or '>' (else `None` for what follows it).
    let word = |k: usize| -> (usize, Option<bool>) {
        let end = k + b[k.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let ends = b
            .get(end)
            .is_some_and(|&c| matches!(c, b'/' | b'>') || is_space(c));
        (end, ends.then(|| b[k..end].eq_ignore_ascii_case(b"script")))
    };
    let mut st = S::Data;
    let mut k = from;
    while k < b.len() {
        let c = b[k];
        match st {
            S::Data => {
                if c != b'<' {
                    // Only a '<' can change the state.
                    k = memchr(b'<', &b[k..]).map_or(b.len(), |d| k + d);
                    continue;
                }
                if is_end_tag_of(b, k, "script") {
                    return Some(k);
                }
                if b.get(k + 1) == Some(&b'!') {
                    // `<!--` opens an escaped run; `<!-x` does not.
                    k += 2;
                    if b.get(k) == Some(&b'-') {
                        k += 1;
                        if b.get(k) == Some(&b'-') {
                            k += 1;
                            st = S::Run {
                                double: false,
                                dashes: 2,
                            };
                        }
                    }
                    continue;
                }
                k += 1;
            }
            S::Run { double, dashes } => match c {
                b'<' => {
                    if !double && is_end_tag_of(b, k, "script") {
                        return Some(k);
                    }
                    k += 1;
                    // `<script` opens a double escaped run, `</script` closes it.
                    let at = if double { k + 1 } else { k };
                    let opens = if double {
                        b.get(k) == Some(&b'/')
                    } else {
                        b.get(k).is_some_and(u8::is_ascii_alphabetic)
                    };
                    let mut now_double = double;
                    if opens {
                        let (end, script) = word(at);
                        now_double ^= script == Some(true);
                        k = end + usize::from(script.is_some());
                    }
                    st = S::Run {
                        double: now_double,
                        dashes: 0,
                    };
                }
                b'-' => {
                    st = S::Run {
                        double,
                        dashes: 2.min(dashes + 1),
                    };
                    k += 1;
                }
                b'>' if dashes == 2 => {
                    st = S::Data;
                    k += 1;
                }
                _ if dashes == 0 => {
                    // Only a '-' or a '<' can change the state.
                    k = memchr2(b'-', b'<', &b[k..]).map_or(b.len(), |d| k + d);
                }
                _ => {
                    st = S::Run { double, dashes: 0 };
                    k += 1;
                }
            },
        }
    }
    None
}

/// Hands on text, unless it is empty.
fn emit(text: &str, sink: &mut impl Sink) {
    if !text.is_empty() {
        sink.text(text);
    }
}

/// Raw text, a NUL in it as U+FFFD.
fn text_without_nul(text: &str, sink: &mut impl Sink) {
    let mut rest = text;
    while let Some(k) = memchr(0, rest.as_bytes()) {
        emit(&rest[..k], sink);
        sink.text("\u{fffd}");
        rest = &rest[k + 1..];
    }
    emit(rest, sink);
}

/// Decodes the character reference after a '&' in text (`at` just after it) and
/// hands it on; returns where the text goes on. Not a reference: the '&' is text.
fn char_ref_in_text(s: &str, at: usize, sink: &mut impl Sink) -> usize {
    match char_ref(s, at, false) {
        Some((first, second, end)) => {
            let mut buf = [0u8; 8];
            let n = first.encode_utf8(&mut buf).len();
            let m = second.map_or(0, |c| c.encode_utf8(&mut buf[n..]).len());
            sink.text(std::str::from_utf8(&buf[..n + m]).unwrap_or("\u{fffd}"));
            end
        }
        None => {
            sink.text("&");
            at
        }
    }
}

/// An attribute's value or RCDATA (`<title>`, `<textarea>`): character references
/// decoded, NUL as U+FFFD. Borrowed when there is neither.
fn decode(raw: &str, in_attribute: bool) -> Cow<'_, str> {
    let b = raw.as_bytes();
    if memchr2(b'&', 0, b).is_none() {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while let Some(k) = memchr2(b'&', 0, &b[i..]) {
        let at = i + k;
        out.push_str(&raw[i..at]);
        i = at + 1;
        if b[at] == 0 {
            out.push('\u{fffd}');
            continue;
        }
        match char_ref(raw, i, in_attribute) {
            Some((first, second, end)) => {
                out.push(first);
                out.extend(second);
                i = end;
            }
            None => out.push('&'),
        }
    }
    out.push_str(&raw[i..]);
    Cow::Owned(out)
}

/// The character reference after a '&' (`at` just after it): its one or two
/// characters and where it ends, or `None` when the '&' is only text.
fn char_ref(s: &str, at: usize, in_attribute: bool) -> Option<Decoded> {
    match s.as_bytes().get(at) {
        Some(b'#') => numeric_ref(s.as_bytes(), at + 1),
        Some(c) if c.is_ascii_alphanumeric() => named_ref(s, at, in_attribute),
        _ => None,
    }
}

/// A character reference's one or two characters, and where it ends.
type Decoded = (char, Option<char>, usize);

/// `&#…;` / `&#x…;` (`at` after the '#'). The ';' may be missing.
fn numeric_ref(b: &[u8], at: usize) -> Option<Decoded> {
    let hex = matches!(b.get(at), Some(b'x' | b'X'));
    let base = if hex { 16 } else { 10 };
    let digits = at + usize::from(hex);
    let mut k = digits;
    let mut value: u32 = 0;
    while let Some(d) = b.get(k).and_then(|&c| char::from(c).to_digit(base)) {
        // Anything past U+10FFFF is as bad as any other: stop growing there.
        value = (value * base + d).min(0x11_0000);
        k += 1;
    }
    if k == digits {
        return None;
    }
    if b.get(k) == Some(&b';') {
        k += 1;
    }
    let c = match value {
        0 | 0xD800..=0xDFFF | 0x11_0000.. => '\u{fffd}',
        0x80..=0x9F => C1_REPLACEMENTS[(value - 0x80) as usize]
            .or_else(|| char::from_u32(value))
            .unwrap_or('\u{fffd}'),
        v => char::from_u32(v).unwrap_or('\u{fffd}'),
    };
    Some((c, None, k))
}

/// `&name;`: the longest name in the standard's list that the text starts with
/// (`&notit;` reads `¬it;`). In an attribute, a name without its ';' followed by
/// '=' or a letter or digit is left as text, for historical reasons.
fn named_ref(s: &str, at: usize, in_attribute: bool) -> Option<Decoded> {
    let b = s.as_bytes();
    // The table holds every prefix of every name (prefixes map to 0), so the name
    // grows a character at a time while it is still a prefix.
    let mut best = None;
    let mut k = at;
    while k < b.len() {
        let next = k + utf8_len(b[k]);
        match NAMED_ENTITIES.get(s.get(at..next)?) {
            Some(&(first, second)) => {
                if first != 0 {
                    best = Some((first, second, next));
                }
                k = next;
            }
            None => break,
        }
    }
    let (first, second, end) = best?;
    if in_attribute
        && b[end - 1] != b';'
        && b.get(end)
            .is_some_and(|&c| c == b'=' || c.is_ascii_alphanumeric())
    {
        return None;
    }
    let first = char::from_u32(first).unwrap_or('\u{fffd}');
    let second = char::from_u32(second).filter(|&c| c != '\0');
    Some((first, second, end))
}

/// The length of the UTF-8 sequence a lead byte starts.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// A tag or attribute name in lower case, a NUL in it as U+FFFD.
fn fold_into(out: &mut String, name: &str) {
    for c in name.chars() {
        match c {
            '\0' => out.push('\u{fffd}'),
            c => out.push(c.to_ascii_lowercase()),
        }
    }
}

fn fold_name(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|c| c.is_ascii_uppercase() || c == 0) {
        let mut out = String::with_capacity(name.len());
        fold_into(&mut out, name);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests;
