//! The tokenizer against html5ever's, token by token, on real pages, on markup
//! built to reach each tokenizer state, and on random markup; and what a few
//! cases must give.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use proptest::prelude::*;

use super::*;

#[derive(Debug, PartialEq, Clone)]
enum Tok {
    Start {
        name: String,
        self_closing: bool,
        attrs: Vec<(String, String)>,
    },
    End(String),
    Text(String),
}

/// Tokens as the reader sees them: adjacent text joined, line ends as input
/// normalisation leaves them ('\r' and "\r\n" as '\n', in each piece of text as it
/// comes: the tokenizer here treats them alike and passes them on).
fn push(out: &mut Vec<Tok>, tok: Tok) {
    let lf = |s: &str| s.replace("\r\n", "\n").replace('\r', "\n");
    match tok {
        Tok::Text(t) => {
            if let Some(Tok::Text(last)) = out.last_mut() {
                last.push_str(&lf(&t));
            } else if !t.is_empty() {
                out.push(Tok::Text(lf(&t)));
            }
        }
        Tok::Start {
            name,
            self_closing,
            attrs,
        } => out.push(Tok::Start {
            name: lf(&name),
            self_closing,
            attrs: attrs.into_iter().map(|(n, v)| (n, lf(&v))).collect(),
        }),
        end => out.push(end),
    }
}

#[derive(Default)]
struct Recorder(Vec<Tok>);

impl Sink for Recorder {
    fn start_tag(&mut self, tag: &Tag<'_>) {
        // The attributes as `Tag::attr` sees them: the first of each name.
        let mut attrs: Vec<(String, String)> = Vec::new();
        for (n, v) in tag.attrs {
            if !attrs.iter().any(|(seen, _)| seen == n) {
                attrs.push((n.to_string(), v.to_string()));
            }
        }
        push(
            &mut self.0,
            Tok::Start {
                name: tag.name.to_string(),
                self_closing: tag.self_closing,
                attrs,
            },
        );
    }
    fn end_tag(&mut self, name: &str) {
        push(&mut self.0, Tok::End(name.to_string()));
    }
    fn text(&mut self, text: &str) {
        assert!(!text.is_empty(), "empty text handed on");
        push(&mut self.0, Tok::Text(text.to_string()));
    }
}

fn ours(page: &str) -> Vec<Tok> {
    let mut r = Recorder::default();
    tokenize(page, &mut r);
    r.0
}

/// html5ever's tokenizer, told after each start tag what a tree builder would
/// tell it (written out here from the standard, not taken from the code tested).
struct Oracle(RefCell<Vec<Tok>>);

impl TokenSink for Oracle {
    type Handle = ();
    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut out = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                let name = tag.name.to_string();
                push(
                    &mut out,
                    Tok::Start {
                        name: name.clone(),
                        self_closing: tag.self_closing,
                        attrs: tag
                            .attrs
                            .iter()
                            .map(|a| (a.name.local.to_string(), a.value.to_string()))
                            .collect(),
                    },
                );
                return match name.as_str() {
                    "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                        TokenSinkResult::RawData(RawKind::Rawtext)
                    }
                    "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                    "plaintext" => TokenSinkResult::Plaintext,
                    _ => TokenSinkResult::Continue,
                };
            }
            Token::TagToken(tag) => push(&mut out, Tok::End(tag.name.to_string())),
            Token::CharacterTokens(t) => push(&mut out, Tok::Text(t.to_string())),
            // NullCharacterToken (a NUL in text), comments, doctypes, errors, EOF.
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn theirs(page: &str) -> Vec<Tok> {
    let tokenizer = Tokenizer::new(Oracle(RefCell::new(Vec::new())), TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(page));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    tokenizer.sink.0.into_inner()
}

fn same_as_html5ever(page: &str) {
    assert_eq!(ours(page), theirs(page), "page {page:?}");
}

#[test]
fn every_html_page_in_the_repository_gives_html5evers_tokens() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let mut pages = 0;
    for dir in [
        "tests/fixtures",
        "tests/fixtures/html",
        "tests/fixtures/layouts",
        "crates/web/templates",
    ] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).expect(dir) {
            let path = entry.expect(dir).path();
            if path.extension().is_some_and(|e| e == "html" || e == "htm") {
                let bytes = std::fs::read(&path).expect("fixture");
                same_as_html5ever(&String::from_utf8_lossy(&bytes));
                pages += 1;
            }
        }
    }
    assert!(pages >= 20, "only {pages} pages found");
}

/// One case per branch of the tokenizer states the reader goes through.
const CASES: &[&str] = &[
    // Tags and attributes.
    "<p>a</p>",
    "<TD ColSpan=\"2\" ROWSPAN='3'>x</Td>",
    "<td colspan=2 rowspan=0>",
    "<td colspan = 2 >",
    "<td colspan=>x",
    "<td colspan>x",
    "<td colspan=\"2\"rowspan=\"3\">",
    "<td colspan=2 colspan=3 COLSPAN=4>",
    "<td =x a==b>",
    "<td a\"b='c' <d>",
    "<a/b>",
    "<br/>",
    "<br / >",
    "<br/ class=x>",
    "<table/>",
    "<svg/>",
    "<td\0x a\0=v\0>",
    "<td\r\ncolspan\r=\r2\r>",
    "<td\tcolspan\x0c=\"2\">",
    "<div class=\"a>b\">c</div>",
    "<div class='a\"b'>",
    "<td colspan=\"2",
    "<td colspan=2",
    "<td colspan",
    "<td ",
    "<td",
    "<td/",
    "</td attr=\"x\" />",
    "</TD >",
    "<p>a<",
    "a</",
    "a</>b",
    "a</ b>c",
    "a</1>c",
    "a<1b",
    "a < b",
    "a<>b",
    "<?xml version=\"1.0\"?><p>x",
    "<é>x</é>",
    "<p\u{3000}>x",
    // Character references.
    "&amp;&lt;&gt;&quot;&nbsp;&copy",
    "&notit; &notin; &not &no",
    "&amp &ampx &amp; &AMP; &Amp;",
    "&#65;&#x41;&#X41;&#0065&#x;&#;&#&#x",
    "&#0;&#x110000;&#xD800;&#99999999999999;&#x7f;&#x80;&#x81;&#x9f;&#xFFFE;&#13;",
    "&bogus; &1; &; & x &\u{3000}",
    "&NotNestedGreaterGreater;&acE;&fjlig;",
    "&nbsp",
    "&",
    "&#",
    "&#x1",
    "<td title=\"&amp=x&ampy&amp;z&amp\" a=&notit; b=&not=>",
    "<td a='&#x32;' b=&#50 c=\"&lt\">",
    "<td colspan=\"&#50;\">",
    // Comments, doctypes, declarations.
    "<!-- a --> b",
    "<!--> b",
    "<!---> b",
    "<!----> b",
    "<!-- a --!> b",
    "<!-- a --!-> b --> c",
    "<!-- a - -> b --> c",
    "<!-- <!-- a --> b",
    "<!-- <!--> b",
    "<!-- <!---> b",
    "<!--!> b -->c",
    "<!---!> b -->c",
    "<!-- a ---> b",
    "<!-- a",
    "<!-",
    "<!",
    "<!>x",
    "<!DOCTYPE html>x",
    "<!doctype html public \"a>b\">c",
    "<![CDATA[ a ]]> b",
    // Raw text.
    "<script>a<b</script>c",
    "<script>a</scriptx>b</script>c",
    "<script>a</SCRIPT >b",
    "<script>a</script/>b",
    "<script>a</script",
    "<script>a</scrip",
    "<script><!-- a --></script>b",
    "<script><!--<script></script>a</script>b",
    "<script><!--<script>a--></script>b",
    "<script><!--<script>a</script>b--></script>c",
    "<script><!--<scriptx></script>b",
    "<script><!--<script/></script>--></script>b",
    "<script><!-x</script>b",
    "<script><!--a-</script>b",
    "<script><!--a--</script>b",
    "<script><!--<b></script>c",
    "<script><!--</b></script>c",
    "<script><!--<script>a<</script>b</script>c",
    "<script><!--<script>a<-</script>b</script>c",
    "<script><!--<script>a--<script></script>b</script>c",
    "<script><!--<script>-<</script>b--></script>c",
    "<script><!-->a</script>b",
    "<script><!-- --><script></script>x",
    "<script><!--<script>--><script></script>x</script>y",
    "<script>\0</script>",
    "<script/>a</script>b",
    "<style>a<b>&amp;</style>c",
    "<style>a</styl>b</style >c",
    "<style>a</style",
    "<title>a&amp;b<i>\0</title>c",
    "<title>a</titlex></title>b",
    "<textarea>&lt;p&gt;</textarea>",
    "<xmp><p></xmp>a",
    "<iframe><p></iframe>a",
    "<noscript><p>a</p></noscript>b",
    "<noembed>a</noembed><noframes>b</noframes>",
    "<plaintext>a</plaintext><p>&amp;\0",
    // Text.
    "a\0b",
    "\u{feff}<p>a",
    "\r\na\rb\r\n",
    "规章\u{a0}\u{a0}0",
];

#[test]
fn markup_for_each_tokenizer_state_gives_html5evers_tokens() {
    for case in CASES {
        same_as_html5ever(case);
    }
}

/// Pieces that, joined at random, reach the states and their corners.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    "<", ">", "/", "!", "-", "--", "=", "\"", "'", "&", ";", "#", "x", "?", " ", "\n", "\r",
    "\t", "\0", "a", "A", "1", "é", "规", "amp", "lt", "not", "nbsp", "#65", "#x41", "td",
    "TD", "p", "br", "table", "tr", "colspan", "rowspan", "script", "SCRIPT", "style", "title",
    "textarea", "plaintext", "xmp", "<!--", "-->", "--!>", "<!DOCTYPE", "<![CDATA[", "<td ",
    "</td>", "<script>", "</script>", "<style>", "</style>", "<title>", "</title>", "<p>",
    "</p>", "<br/>", "<td colspan=2>",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn random_markup_gives_html5evers_tokens(
        picks in proptest::collection::vec(0..PIECES.len(), 0..40)
    ) {
        let page: String = picks.iter().map(|&i| PIECES[i]).collect();
        prop_assert_eq!(ours(&page), theirs(&page), "page {:?}", page);
    }
}

/// The `colspan` the walker would read from the first tag.
struct FirstColspan<'a>(&'a mut Option<String>);

impl Sink for FirstColspan<'_> {
    fn start_tag(&mut self, tag: &Tag<'_>) {
        if self.0.is_none() {
            *self.0 = tag.attr("colspan").map(str::to_string);
        }
    }
    fn end_tag(&mut self, _: &str) {}
    fn text(&mut self, _: &str) {}
}

#[test]
fn what_a_few_cases_give() {
    let text = |s: &str| Tok::Text(s.to_string());
    let start = |n: &str, attrs: &[(&str, &str)]| Tok::Start {
        name: n.to_string(),
        self_closing: false,
        attrs: attrs
            .iter()
            .map(|(a, v)| (a.to_string(), v.to_string()))
            .collect(),
    };
    // The longest name that is a reference; an attribute keeps `&amp=` as text.
    assert_eq!(ours("&notit;"), [text("\u{ac}it;")]);
    assert_eq!(
        ours("<TD ColSpan=2 colspan=3 title=\"&amp=&amp;\">"),
        [start("td", &[("colspan", "2"), ("title", "&amp=&")])]
    );
    // A script's end tag inside `<!--<script>` does not end it.
    assert_eq!(
        ours("<script><!--<script></script>--></script>x"),
        [
            start("script", &[]),
            text("<!--<script></script>-->"),
            Tok::End("script".to_string()),
            text("x")
        ]
    );
    // A tag cut off by the end of the page is dropped; a NUL in text too.
    assert_eq!(ours("a\0b<td colspan=\"2"), [text("ab")]);
    // The first of a repeated attribute, however many repeats.
    let many = format!("<td{}>", " COLSPAN=1 colspan=2".repeat(50_000));
    let mut r = Recorder::default();
    tokenize(&many, &mut r);
    assert_eq!(r.0.len(), 1);
    let mut first = None;
    tokenize(&many, &mut FirstColspan(&mut first));
    assert_eq!(first.as_deref(), Some("1"));
    // A C1 control by number is the windows-1252 character.
    assert_eq!(ours("&#x80;&#150;"), [text("\u{20ac}\u{2013}")]);
}
