//! Crafted inputs that once crashed or hung the reader, or made it speak English, each with
//! the exact outcome it must have now. The hostile files are made by
//! `tests/fixtures/crafted/make_crafted.py`.

use gongkai_extract::{ReadError, read_all, read_bytes};
use std::time::{Duration, Instant};

mod generated;

use generated::fixture;

/// Reads a crafted file and returns the one result, timing it.
fn read_one(name: &str) -> Result<gongkai_extract::Extracted, ReadError> {
    let bytes = fixture(name);
    let t = Instant::now();
    let mut all = read_all(name, &bytes);
    assert!(
        t.elapsed() < Duration::from_secs(60),
        "{name} took {:?}",
        t.elapsed()
    );
    assert_eq!(all.len(), 1, "{name}");
    all.remove(0).1
}

fn assert_chinese(e: &ReadError) {
    let s = e.to_string();
    assert!(
        !s.chars().any(|c| c.is_ascii_alphabetic())
            || s.contains("PDF")
            || s.contains("Word")
            || s.contains("ZIP")
            || s.contains("OCR")
            || s.contains("MB"),
        "English words in a clerk's message: {s}"
    );
}

#[test]
fn deeply_nested_pdfs_are_refused_not_crashed() {
    for name in [
        "crafted/deep-content.pdf",
        "crafted/deep-objstm.pdf",
        "crafted/deep-body.pdf",
        "crafted/page-tree-cycle.pdf",
        "crafted/reference-chain.pdf",
        // Found by the PDF fuzz run (fuzz/found/): a filter name misspelt
        // (/Flatedecode), a string opened inside `endobj` hiding a stream from a scan
        // that skips strings, a damaged stream.
        "crafted/fuzz-filter-misspelt.pdf",
        "crafted/fuzz-string-in-endobj.pdf",
        "crafted/fuzz-broken-stream.pdf",
        "crafted/fuzz-deflate-recovered.pdf",
    ] {
        eprintln!("reading {name}");
        match read_one(name) {
            Err(e) => {
                assert!(
                    matches!(
                        e,
                        ReadError::Corrupt { .. }
                            | ReadError::TooLarge { .. }
                            | ReadError::NotAReport { .. }
                            | ReadError::Scanned
                    ),
                    "{name}: {e:?}"
                );
                assert_chinese(&e);
            }
            Ok(x) => panic!("{name} read as a report: {:?}", x.report.agency),
        }
    }
}

/// fuzz/found/pdf-stack-overflow-3.pdf: object 4's stream has lost its end and runs on
/// over a second copy of object 4, which the engine reads (rebuilding its table of
/// objects); that copy's stream inflates, all but its checksum, to 490 KB of `[`. The
/// guard scans the objects inside stream data, decodes as the engine does, and
/// refuses the file for its nesting instead of letting the engine overflow its stack.
#[test]
fn an_object_copied_inside_a_stream_is_measured_not_crashed() {
    let e = read_one("crafted/fuzz-deflate-recovered.pdf").unwrap_err();
    assert!(matches!(e, ReadError::TooLarge { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "文件超出处理上限：PDF 内部对象嵌套过深（超过 4096 层，实际至少 4097 层），可能是损坏或恶意构造的文件"
    );
    assert_chinese(&e);
}

/// Every input the PDF fuzz run found (fuzz/found/) is refused with a Chinese
/// message or read, within the time limit; none aborts the process.
#[test]
fn every_found_fuzz_input_is_refused_or_read() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/found");
    let mut found: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    found.sort();
    assert!(found.len() >= 5, "{found:?}");
    for path in found {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        eprintln!("reading {name}");
        let bytes = std::fs::read(&path).unwrap();
        let t = Instant::now();
        let all = read_all(&name, &bytes);
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "{name}: {:?}",
            t.elapsed()
        );
        assert_eq!(all.len(), 1, "{name}");
        match &all[0].1 {
            Ok(x) => {
                let _ = gongkai_report::check(&x.report);
            }
            Err(e) => {
                assert_chinese(e);
                if name.starts_with("pdf-stack-overflow") {
                    assert!(e.to_string().contains("嵌套过深"), "{name}: {e}");
                }
            }
        }
    }
}

#[test]
fn deeply_nested_docx_is_refused_or_read_not_crashed() {
    for name in ["crafted/deep-tables.docx", "crafted/deep-boxes.docx"] {
        let e = read_one(name).expect_err(name);
        // Only the word 规章 is in there: not a report, or refused for its nesting.
        assert!(
            matches!(e, ReadError::NotAReport { .. } | ReadError::TooLarge { .. }),
            "{name}: {e:?}"
        );
        assert_chinese(&e);
    }
}

#[test]
fn deeply_nested_html_is_refused_not_crashed() {
    // The crafted pages compress more than 400 times: in a ZIP they are refused as a
    // zip bomb before they are parsed, with one message for the archive.
    let bytes = fixture("crafted/deep-html.zip");
    let t = Instant::now();
    let all = read_all("deep-html.zip", &bytes);
    assert!(t.elapsed() < Duration::from_secs(60));
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].0, "deep-html.zip");
    let e = all[0].1.as_ref().expect_err("refused");
    assert!(matches!(e, ReadError::TooLarge { .. }), "{e:?}");
    assert!(e.to_string().contains("压缩比异常"), "{e}");
    // The same pages on their own: refused for their nesting.
    let d = 100_000;
    let tables = format!(
        "<html><body>{}规章{}</body></html>",
        "<table><tr><td>".repeat(d),
        "</td></tr></table>".repeat(d)
    );
    let spans = format!(
        "<html><body><p>{}规章{}</p></body></html>",
        "<span>".repeat(d),
        "</span>".repeat(d)
    );
    for page in [tables, spans] {
        let t = Instant::now();
        let e = read_bytes("deep.html", page.as_bytes()).unwrap_err();
        assert!(t.elapsed() < Duration::from_secs(30));
        assert!(matches!(e, ReadError::TooLarge { .. }), "{e:?}");
        assert!(e.to_string().contains("嵌套"), "{e}");
    }
}

/// Tables inside tables 1,500 deep (under the nesting limit) are read as layout, with
/// no recursion: the one data table inside is found.
#[test]
fn html_tables_nested_under_the_limit_are_read_without_recursion() {
    let d = 600;
    let page = format!(
        "<html><body>{}<table><tr><td>规章</td><td>7</td></tr></table>{}</body></html>",
        "<table><tr><td>".repeat(d),
        "</td></tr></table>".repeat(d)
    );
    let doc = gongkai_extract::html::read_html(&page).unwrap();
    let tables: Vec<_> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            gongkai_extract::Block::Table(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].rows[0][1].text, "7");
}

#[test]
fn a_broken_zip_says_why_in_chinese() {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(&[0u8; 60]);
    let all = read_all("broken.zip", &bytes);
    let e = all[0].1.as_ref().unwrap_err();
    assert_chinese(e);
    assert!(e.to_string().contains("目录结构"), "{e}");
    assert!(e.original().is_some_and(|o| o.contains("EOCD")), "{e:?}");
}

#[test]
fn reading_stops_at_the_limit() {
    use gongkai_extract::{read_limited, read_path};
    let mut zero = std::fs::File::open("/dev/zero").unwrap();
    let t = Instant::now();
    let e = read_limited(&mut zero, 8 * 1024 * 1024).unwrap_err();
    assert!(matches!(e, ReadError::TooLarge { .. }), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(10));
    // Devices, folders and pipes are refused before they are opened.
    let e = read_path("/dev/zero".as_ref()).unwrap_err();
    assert!(e.to_string().contains("不是普通文件"), "{e}");
    let dir = std::env::temp_dir().join(format!("gongkai-crafted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let e = read_path(&dir).unwrap_err();
    assert!(e.to_string().contains("文件夹"), "{e}");
    let e = read_path(&dir.join("missing.txt")).unwrap_err();
    assert!(e.to_string().contains("文件不存在"), "{e}");
    let fifo = dir.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let t = Instant::now();
    let e = read_path(&fifo).unwrap_err();
    assert!(e.to_string().contains("命名管道"), "{e}");
    assert!(t.elapsed() < Duration::from_secs(5));
    // A regular file is read whole.
    let ok = dir.join("ok.txt");
    std::fs::write(&ok, fixture("tongjiang-2020.txt")).unwrap();
    assert_eq!(read_path(&ok).unwrap(), fixture("tongjiang-2020.txt"));
    let big = dir.join("big.txt");
    std::fs::write(&big, vec![b'a'; 2 * 1024 * 1024]).unwrap();
    let e = gongkai_extract::read_path_limited(&big, 1024 * 1024).unwrap_err();
    assert!(matches!(e, ReadError::TooLarge { .. }), "{e:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// Bounded fuzzing of the PDF path in every test run: random edits of real PDFs,
    /// including runs of `[` and `<<` spliced in anywhere, never panic, abort or hang.
    #[test]
    fn mutated_pdfs_never_crash(
        which in 0usize..3,
        edits in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>(), 0u8..4), 1..24),
    ) {
        let name = ["pdf/pingtan-2023.pdf", "pdf/qingtongxia-2021.pdf", "huaian-2024.pdf"][which];
        let mut bytes = fixture(name);
        for (at, byte, op) in edits {
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                2 => { bytes.remove(i); }
                _ => {
                    let run: &[u8] = if byte % 2 == 0 { b"[" } else { b"<<" };
                    let n = 1 + byte as usize * 40;
                    bytes.splice(i..i, run.iter().copied().cycle().take(n * run.len()));
                }
            }
        }
        let t = Instant::now();
        for (_, r) in read_all(name, &bytes) {
            if let Ok(x) = r {
                let _ = gongkai_report::check(&x.report);
            } else if let Err(e) = r {
                assert_chinese(&e);
            }
        }
        proptest::prop_assert!(t.elapsed() < Duration::from_secs(90));
    }
}
