//! Bad input gets a clear error naming the cause: never a panic, never a hang.

use gongkai_extract::{ReadError, read_all, read_bytes};
use proptest::prelude::*;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[test]
fn empty_input() {
    assert_eq!(read_bytes("a.txt", b"").unwrap_err(), ReadError::Empty);
    assert_eq!(
        read_bytes("a.txt", b"\n\n  \t\n").unwrap_err(),
        ReadError::Empty
    );
    assert!(ReadError::Empty.to_string().contains("为空"));
}

#[test]
fn binary_input_is_named() {
    let e = read_bytes("photo.txt", b"\x89PNG\r\n\x1a\n\0\0\0").unwrap_err();
    assert!(e.to_string().contains("PNG"), "{e}");
    let e = read_bytes("x", b"\x7FELF\x02\x01\x01\0\0\0").unwrap_err();
    assert!(e.to_string().contains("可执行程序"), "{e}");
}

#[test]
fn a_document_that_is_not_a_report() {
    let e = read_bytes(
        "news.txt",
        "市政府召开常务会议，研究部署春季农业生产工作。\n会议强调要抓好粮食生产。".as_bytes(),
    )
    .unwrap_err();
    assert!(matches!(e, ReadError::NotAReport { .. }), "{e:?}");
    assert!(e.to_string().contains("不是政府信息公开工作年度报告"));
}

#[test]
fn truncated_mid_table_reports_missing_cells() {
    let bytes = fixture("tongjiang-2020.txt");
    let text = String::from_utf8(bytes).unwrap();
    let cut = text.find("(四)无法提供").unwrap();
    let r = read_bytes("cut.txt", text[..cut].as_bytes()).unwrap();
    let f = gongkai_report::check(&r);
    let complete: Vec<_> = f.iter().filter(|f| f.rule == "TABLE.COMPLETE").collect();
    assert!(
        complete.iter().any(|f| f
            .cells
            .iter()
            .any(|c| c == "requests.unavailable.not_held.total")),
        "{f:#?}"
    );
    assert!(
        complete.iter().any(|f| f.message.contains("未找到表四")),
        "{f:#?}"
    );
    // What was printed before the cut is still read exactly.
    assert_eq!(
        r.value("requests.granted.total"),
        gongkai_report::Value::int(9)
    );
}

#[test]
fn huge_input_is_refused_quickly() {
    let big = vec![b'a'; 101 * 1024 * 1024];
    let t = Instant::now();
    let e = read_bytes("big.txt", &big).unwrap_err();
    assert!(matches!(e, ReadError::TooLarge { .. }), "{e:?}");
    assert!(e.to_string().contains("MB"));
    assert!(t.elapsed() < Duration::from_secs(20));
}

#[test]
fn deeply_nested_html_neither_panics_nor_hangs() {
    let depth = 100_000;
    let mut s = String::from("<html><body>");
    s += &"<div>".repeat(depth);
    s += "规章";
    s += &"</div>".repeat(depth);
    s += "</body></html>";
    let t = Instant::now();
    let r = read_bytes("deep.html", s.as_bytes());
    assert!(r.is_err());
    assert!(t.elapsed() < Duration::from_secs(30));
}

#[test]
fn invalid_encoding_is_an_error() {
    // Bytes that are neither UTF-8 nor a plausible GBK text.
    let junk: Vec<u8> = (0..20_000u32)
        .map(|i| [0x81u8, 0x30, 0xFF, 0xC0, 0x7F][(i % 5) as usize])
        .collect();
    let e = read_bytes("junk.txt", &junk).unwrap_err();
    assert!(
        matches!(
            e,
            ReadError::Encoding { .. } | ReadError::NotAReport { .. } | ReadError::Binary { .. }
        ),
        "{e:?}"
    );
}

#[test]
fn gbk_text_reads_like_utf8() {
    let text = String::from_utf8(fixture("tongjiang-2020.txt")).unwrap();
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let a = read_bytes("utf8", text.as_bytes()).unwrap();
    let b = read_bytes("gbk", &gbk).unwrap();
    assert_eq!(a.to_json()["cells"], b.to_json()["cells"]);
}

#[test]
fn a_bad_archive_member_does_not_stop_the_rest() {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opt = zip::write::SimpleFileOptions::default();
        z.start_file("a/tongjiang.txt", opt).unwrap();
        z.write_all(&fixture("tongjiang-2020.txt")).unwrap();
        z.start_file("b/empty.txt", opt).unwrap();
        z.start_file("c/pingtan.html", opt).unwrap();
        z.write_all(&fixture("pingtan-2023.html")).unwrap();
        z.finish().unwrap();
    }
    let all = read_all("reports.zip", buf.get_ref());
    assert_eq!(all.len(), 3);
    assert!(all[0].1.is_ok() && all[2].1.is_ok());
    assert_eq!(all[1].0, "reports.zip/b/empty.txt");
    assert!(all[1].1.is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Bounded fuzzing in the test suite: random edits of real reports never panic.
    #[test]
    fn mutated_reports_never_panic(which in 0usize..3, edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..40), cut in any::<prop::sample::Index>()) {
        let name = ["tongjiang-2020.txt", "pingtan-2023.html", "qingtongxia-2021.txt"][which];
        let mut bytes = fixture(name);
        for (at, byte, op) in edits {
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep.max(bytes.len() / 2));
        let _ = read_all(name, &bytes);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read_all("random", &bytes);
    }
}
