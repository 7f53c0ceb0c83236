//! HTML, DOCX, legacy Word and ZIP readers: shape of real reports' tables,
//! spans, encodings, limits, and robustness against damaged input.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gongkai_extract::archive::read_zip;
use gongkai_extract::docx::{read_doc, read_docx};
use gongkai_extract::html::{declared_charset, read_html};
use gongkai_extract::{Block, Document, ReadError, Table, TableCell};
use proptest::prelude::*;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(rel)
}

fn read_fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn expected(rel: &str) -> serde_json::Map<String, serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&read_fixture(rel)).unwrap();
    v["cells"].as_object().unwrap().clone()
}

fn tables(doc: &Document) -> Vec<&Table> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// Expands spans into a full grid (the HTML table model): grid[r][c] is the
/// text of the cell covering (r, c), `None` where no cell is.
fn grid(t: &Table) -> Vec<Vec<Option<String>>> {
    let mut g: Vec<Vec<Option<String>>> = vec![Vec::new(); t.rows.len()];
    for (r, row) in t.rows.iter().enumerate() {
        let mut c = 0;
        for cell in row {
            while g[r].get(c).is_some_and(|x| x.is_some()) {
                c += 1;
            }
            for dr in 0..cell.row_span as usize {
                for dc in 0..cell.col_span as usize {
                    if r + dr >= g.len() {
                        continue;
                    }
                    let line = &mut g[r + dr];
                    if line.len() <= c + dc {
                        line.resize(c + dc + 1, None);
                    }
                    line[c + dc] = Some(cell.text.clone());
                }
            }
            c += cell.col_span as usize;
        }
    }
    g
}

const PERSONS: [&str; 7] = [
    "natural_person",
    "business",
    "research",
    "nonprofit",
    "legal_service",
    "other_org",
    "total",
];

/// Row keys of table 三 (2021 template), in printed order.
const REQUEST_ROWS: [&str; 25] = [
    "requests.new",
    "requests.carried_in",
    "requests.granted",
    "requests.partial",
    "requests.denied.state_secret",
    "requests.denied.prohibited_by_law",
    "requests.denied.security_stability",
    "requests.denied.third_party",
    "requests.denied.internal_affairs",
    "requests.denied.deliberative",
    "requests.denied.enforcement_file",
    "requests.denied.admin_query",
    "requests.unavailable.not_held",
    "requests.unavailable.needs_creation",
    "requests.unavailable.unclear",
    "requests.rejected.petition",
    "requests.rejected.duplicate",
    "requests.rejected.publication",
    "requests.rejected.excessive",
    "requests.rejected.confirmation",
    "requests.other.no_correction",
    "requests.other.fee_unpaid",
    "requests.other.other",
    "requests.total",
    "requests.carried_out",
];

/// Checks a cell against the expected value; `None` = the cell must be blank.
fn check_value(cell: &Option<String>, want: Option<&serde_json::Value>, at: &str) {
    let text = cell
        .as_deref()
        .unwrap_or_else(|| panic!("{at}: no cell"))
        .trim();
    match want {
        None | Some(serde_json::Value::Null) => {
            assert_eq!(text, "", "{at}: a blank template cell must read as empty")
        }
        Some(v) => {
            let want = v.as_f64().unwrap();
            let got: f64 = text
                .parse()
                .unwrap_or_else(|_| panic!("{at}: {text:?} is no number"));
            assert!((got - want).abs() < 1e-9, "{at}: got {got}, want {want}");
        }
    }
}

/// Checks the three statistics tables of a 2021-template report against the
/// expected values (`None`: a blank template, every value cell empty).
fn check_report_tables(doc: &Document, exp: Option<&serde_json::Map<String, serde_json::Value>>) {
    let ts = tables(doc);
    assert_eq!(ts.len(), 3, "three tables, got {}", ts.len());
    let get = |k: &str| exp.map(|m| m.get(k).unwrap_or_else(|| panic!("missing key {k}")));

    // 二、主动公开
    let g = grid(ts[0]);
    assert_eq!(g.len(), 14);
    assert_eq!(g[0][0].as_deref(), Some("第二十条第（一）项"));
    for (r, item) in [(2, "regulations"), (3, "normative_docs")] {
        for (c, col) in [(1, "issued"), (2, "repealed"), (3, "in_force")] {
            let key = format!("proactive.{item}.{col}");
            check_value(&g[r][c], get(&key), &key);
        }
    }
    for (r, key) in [
        (6, "proactive.licensing.decisions"),
        (9, "proactive.penalty.decisions"),
        (10, "proactive.coercion.decisions"),
        (13, "proactive.fees.amount_wan"),
    ] {
        assert_eq!(g[r].len(), 4, "{key}: row is 4 grid columns wide");
        check_value(&g[r][1], get(key), key);
        assert_eq!(g[r][1], g[r][3], "{key}: value spans 3 columns");
    }

    // 三、收到和处理政府信息公开申请
    let g = grid(ts[1]);
    assert_eq!(g.len(), 28);
    assert!(
        g.iter().all(|r| r.len() == 10),
        "every row is 10 grid columns wide"
    );
    assert_eq!(g[1][3].as_deref(), Some("自然人"));
    assert_eq!(
        g[2][3].as_deref(),
        Some("自然人"),
        "自然人 spans two header rows"
    );
    assert_eq!(
        g[27][0].as_deref().map(|s| s.starts_with("四、结转下年度")),
        Some(true)
    );
    for (i, row_key) in REQUEST_ROWS.iter().enumerate() {
        for (j, col) in PERSONS.iter().enumerate() {
            let key = format!("{row_key}.{col}");
            check_value(&g[3 + i][3 + j], get(&key), &key);
        }
    }
    // The rows of 三、本年度办理结果 share its label through the row span.
    for (r, row) in g.iter().enumerate().skip(5) {
        let label = row[0].as_deref().unwrap();
        assert_eq!(
            label.starts_with("三、本年度办理结果"),
            r < 27,
            "row {r}: {label}"
        );
    }

    // 四、行政复议、行政诉讼
    let g = grid(ts[2]);
    assert_eq!(g.len(), 4);
    assert_eq!(g[3].len(), 15);
    let mut c = 0;
    for kind in ["review", "suit_direct", "suit_after_review"] {
        for col in ["upheld", "corrected", "other", "pending", "total"] {
            let key = format!("appeals.{kind}.{col}");
            check_value(&g[3][c], get(&key), &key);
            c += 1;
        }
    }
}

/// The row of a table whose label cell contains `label`, as written (cells
/// that start in that row).
fn row_with<'a>(doc: &'a Document, label: &str) -> &'a Vec<TableCell> {
    tables(doc)
        .into_iter()
        .flat_map(|t| &t.rows)
        .find(|r| r.iter().any(|c| c.text.contains(label)))
        .unwrap_or_else(|| panic!("no row labelled {label}"))
}

fn granted_in_order(exp: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    PERSONS
        .iter()
        .map(|p| exp[&format!("requests.granted.{p}")].to_string())
        .collect()
}

// ---------------------------------------------------------------- HTML

#[test]
fn pingtan_html_tables() {
    let html = String::from_utf8(read_fixture("pingtan-2023.html")).unwrap();
    let doc = read_html(&html).unwrap();
    let exp = expected("pingtan-2023.expected.json");

    // The 予以公开 row: the 三、本年度办理结果 label (spanning 22 rows) starts
    // here, then its own label, then 7 numbers in column order.
    let row = row_with(&doc, "予以公开");
    assert_eq!(row[0].text, "三、本年度办理结果");
    assert_eq!(row[0].row_span, 22);
    assert_eq!(row[1].text, "（一）予以公开");
    assert_eq!(row[1].col_span, 2);
    let numbers: Vec<String> = row[2..].iter().map(|c| c.text.clone()).collect();
    assert_eq!(numbers, granted_in_order(&exp));

    check_report_tables(&doc, Some(&exp));

    // Labels split over <p>/<br> keep the break as '\n'.
    let header = row_with(&doc, "商业");
    assert_eq!(header[0].text, "商业\n企业");
    let appeals = row_with(&doc, "结果维持");
    assert_eq!(appeals[1].text, "结果\n纠正");
    assert_eq!((appeals[1].row_span, appeals[1].col_span), (2, 1));

    // Paragraphs and headings; &nbsp; is white space.
    let paras: Vec<&str> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(paras[0], "平潭综合实验区2023年度政府信息公开工作年度报告");
    assert!(paras.contains(&"一、总体情况"), "{paras:?}");
    assert!(paras.contains(&"三、收到和处理政府信息公开申请情况"));
    assert!(paras.iter().all(|p| !p.contains('\u{a0}') && !p.is_empty()));
    // The heading comes before its table.
    let pos_heading = doc
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Paragraph(p) if p == "三、收到和处理政府信息公开申请情况"))
        .unwrap();
    assert!(matches!(&doc.blocks[pos_heading + 1], Block::Table(t) if t.rows.len() == 28));
}

#[test]
fn html_spans_and_text_rules() {
    let doc = read_html(
        "<table><tr><td rowspan=2>a</td><td colspan=\"2\">b</td></tr>\
         <tr><td><span>1</span><span>23</span></td><td> x&nbsp;&nbsp;y </td></tr></table>",
    )
    .unwrap();
    let t = tables(&doc)[0];
    assert_eq!(
        t.rows,
        vec![
            vec![
                TableCell::spanning("a", 2, 1),
                TableCell::spanning("b", 1, 2)
            ],
            vec![TableCell::new("123"), TableCell::new("x y")],
        ]
    );

    let doc = read_html(
        "<html><head><title>t</title><style>p{}</style></head><body>\
         <script>var x = '<p>no</p>';</script>\
         <h2>标题</h2><p>第一行<br>第二行</p><div>甲<div>乙</div></div>\
         <table><tr><td><p>商业</p><p>企业</p></td><td>a<br/>b<div>c</div></td></tr></table>\
         <p>&nbsp;</p></body></html>",
    )
    .unwrap();
    assert_eq!(
        doc.blocks,
        vec![
            Block::Paragraph("标题".into()),
            Block::Paragraph("第一行\n第二行".into()),
            Block::Paragraph("甲".into()),
            Block::Paragraph("乙".into()),
            Block::Table(Table {
                rows: vec![vec![
                    TableCell::new("商业\n企业"),
                    TableCell::new("a\nb\nc")
                ]]
            }),
        ]
    );

    // rowspan past the end is clipped; rowspan=0 spans to the end; bad values are 1.
    let doc = read_html(
        "<table><tr><td rowspan=9>a</td><td rowspan=0>b</td><td colspan=x>c</td></tr>\
         <tr><td>d</td></tr></table>",
    )
    .unwrap();
    let t = tables(&doc)[0];
    assert_eq!(
        t.rows[0],
        vec![
            TableCell::spanning("a", 2, 1),
            TableCell::spanning("b", 2, 1),
            TableCell::new("c")
        ]
    );
}

#[test]
fn html_nested_tables_are_dissolved() {
    // A layout table around the article: its cells become flow, the inner data
    // table stays a table.
    let doc = read_html(
        "<table><tr><td>标题</td></tr><tr><td><p>正文</p>\
         <table><tr><td>行政许可</td><td>5</td></tr></table><p>结尾</p></td></tr></table>",
    )
    .unwrap();
    assert_eq!(
        doc.blocks,
        vec![
            Block::Paragraph("标题".into()),
            Block::Paragraph("正文".into()),
            Block::Table(Table {
                rows: vec![vec![TableCell::new("行政许可"), TableCell::new("5")]]
            }),
            Block::Paragraph("结尾".into()),
        ]
    );
}

#[test]
fn gbk_declared_html_decodes() {
    let page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\
                </head><body><p>政府信息公开工作年度报告</p>\
                <table><tr><td>（一）予以公开</td><td>22</td></tr></table></body></html>";
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(page);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really GBK bytes");
    let enc = declared_charset(&bytes).expect("charset found");
    assert_eq!(enc, encoding_rs::GBK);
    let (text, _, errors) = enc.decode(&bytes);
    assert!(!errors);
    let doc = read_html(&text).unwrap();
    assert_eq!(
        doc.blocks[0],
        Block::Paragraph("政府信息公开工作年度报告".into())
    );
    assert_eq!(tables(&doc)[0].rows[0][1].text, "22");

    assert_eq!(
        declared_charset(b"<meta charset='GBK'>"),
        Some(encoding_rs::GBK)
    );
    assert_eq!(
        declared_charset(b"<META CHARSET=utf-8>"),
        Some(encoding_rs::UTF_8)
    );
    assert_eq!(
        declared_charset(b"<?xml version=\"1.0\" encoding=\"gb18030\"?><html>"),
        Some(encoding_rs::GB18030)
    );
    assert_eq!(declared_charset(b"<html><body>no meta</body></html>"), None);
    assert_eq!(declared_charset(b"<meta charset=nonsense>"), None);
    // Only the first 4 KB count.
    let mut late = vec![b' '; 5000];
    late.extend_from_slice(b"<meta charset=gbk>");
    assert_eq!(declared_charset(&late), None);
    // The fixture declares UTF-8.
    assert_eq!(
        declared_charset(&read_fixture("pingtan-2023.html")),
        Some(encoding_rs::UTF_8)
    );
}

/// Runs `f` on a thread with a small stack and fails if it takes too long.
fn bounded<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let start = Instant::now();
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(f)
        .unwrap();
    let out = handle.join().expect("no panic, no stack overflow");
    assert!(start.elapsed() < limit, "took {:?}", start.elapsed());
    out
}

#[test]
fn deeply_nested_html_neither_panics_nor_hangs() {
    let deep = |n: usize, open: &str, close: &str| {
        let mut s = String::with_capacity(n * (open.len() + close.len()) + 20);
        s.push_str("<p>x</p>");
        for _ in 0..n {
            s.push_str(open);
        }
        s.push('深');
        for _ in 0..n {
            s.push_str(close);
        }
        s
    };
    for (open, close) in [
        ("<div>", "</div>"),
        ("<div/>", ""),
        ("<span>", "</span>"),
        ("<b>", ""),
        ("<table><tr><td>", "</td></tr></table>"),
        ("<ul><li>", ""),
    ] {
        let page = deep(100_000, open, close);
        let res = bounded(Duration::from_secs(20), move || {
            read_html(&page).map(|d| d.blocks.len())
        });
        match res {
            Ok(_) | Err(ReadError::TooLarge { .. }) => {}
            Err(e) => panic!("{open}: {e}"),
        }
    }
    // Deep but within the limit: read in full.
    let page = deep(1_500, "<div>", "</div>");
    let doc = bounded(Duration::from_secs(20), move || read_html(&page).unwrap());
    assert_eq!(doc.blocks.last(), Some(&Block::Paragraph("深".into())));
    let page = deep(100_000, "<div>", "</div>");
    assert!(matches!(read_html(&page), Err(ReadError::TooLarge { .. })));
}

// ---------------------------------------------------------------- DOCX

#[test]
fn blank_template_docx_value_cells_are_empty() {
    let doc = read_docx(&read_fixture("template-2021-blank.docx")).unwrap();
    check_report_tables(&doc, None);
    let row = row_with(&doc, "予以公开");
    assert_eq!(row.len(), 9, "two labels + 7 value cells");
    assert_eq!(row[1].text, "（一）予以公开");
    assert!(row[2..].iter().all(|c| c.text.is_empty()));
    let head = row_with(&doc, "勾稽关系");
    assert_eq!((head[0].row_span, head[0].col_span), (3, 3));
    let label = row_with(&doc, "三、本年度办理结果");
    assert_eq!(label[0].row_span, 22);
}

#[test]
fn pingtan_docx_made_by_word_processor() {
    let doc = read_docx(&read_fixture("docx/pingtan-2023.docx")).unwrap();
    let exp = expected("pingtan-2023.expected.json");
    check_report_tables(&doc, Some(&exp));
    let row = row_with(&doc, "予以公开");
    assert_eq!(row[1].text, "（一）予以公开");
    let numbers: Vec<String> = row[2..].iter().map(|c| c.text.clone()).collect();
    assert_eq!(numbers, granted_in_order(&exp));
    assert_eq!(row_with(&doc, "商业")[0].text, "商业\n企业");
    assert!(
        doc.blocks
            .iter()
            .any(|b| matches!(b, Block::Paragraph(p) if p == "一、总体情况"))
    );
}

#[test]
fn qingtongxia_docx_tables() {
    let doc = read_docx(&read_fixture("docx/qingtongxia-2021.docx")).unwrap();
    check_report_tables(&doc, Some(&expected("qingtongxia-2021.expected.json")));
}

/// A .docx with the given `w:body` content.
fn make_docx(body: &str) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("[Content_Types].xml", opts).unwrap();
        zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
        zip.start_file("_rels/.rels", opts).unwrap();
        zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#).unwrap();
        zip.start_file("word/document.xml", opts).unwrap();
        write!(
            zip,
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}<w:sectPr/></w:body></w:document>"#
        )
        .unwrap();
        zip.finish().unwrap();
    }
    out.into_inner()
}

fn p(text: &str) -> String {
    format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
}

fn tc(pr: &str, text: &str) -> String {
    format!("<w:tc><w:tcPr>{pr}</w:tcPr>{}</w:tc>", p(text))
}

#[test]
fn docx_runs_tabs_breaks_and_tracked_changes() {
    let body = r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs><w:rPr><w:b/></w:rPr></w:pPr>
        <w:r><w:t xml:space="preserve">　　行政</w:t></w:r><w:r><w:t>许可&amp;&#x4E2D;&lt;</w:t></w:r>
        <w:r><w:tab/><w:t>1</w:t><w:br/><w:t>2</w:t></w:r>
        <w:del w:id="1"><w:r><w:delText>删掉</w:delText></w:r></w:del>
        <w:ins w:id="2"><w:r><w:t>加上</w:t></w:r></w:ins>
        <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>
        <w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>
        <mc:AlternateContent><mc:Choice Requires="wps"><w:r><w:t>选</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>备</w:t></w:r></mc:Fallback></mc:AlternateContent>
        </w:p><w:p/><w:p><w:r><w:t>　</w:t></w:r></w:p><w:sdt><w:sdtContent>"#
        .to_owned()
        + &p("控件")
        + "</w:sdtContent></w:sdt>";
    let doc = read_docx(&make_docx(&body)).unwrap();
    assert_eq!(
        doc.blocks,
        vec![
            Block::Paragraph("行政许可&中<\t1\n2加上7选".into()),
            Block::Paragraph("控件".into()),
        ]
    );
}

#[test]
fn docx_spans_merges_and_nesting() {
    // gridSpan, vMerge restart/continue (with the value-less form), gridBefore,
    // a deleted row, a blank cell with ideographic spaces.
    let body = format!(
        "<w:tbl><w:tblGrid/>\
         <w:tr>{a}{b}</w:tr>\
         <w:tr>{c}{d}{e}</w:tr>\
         <w:tr><w:trPr><w:del w:id=\"9\"/></w:trPr>{x}{x}{x}</w:tr>\
         <w:tr>{f}{g}{h}</w:tr>\
         <w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>{i}{j}</w:tr>\
         </w:tbl>",
        a = tc(r#"<w:vMerge w:val="restart"/>"#, "甲"),
        b = tc(r#"<w:gridSpan w:val="2"/>"#, "乙"),
        c = tc("<w:vMerge/>", ""),
        d = tc("", "1"),
        e = tc("", "　　"),
        x = tc("", "删"),
        f = tc(r#"<w:vMerge w:val="continue"/>"#, ""),
        g = tc("", "2"),
        h = tc("", "3"),
        i = tc("", "4"),
        j = tc("", "5"),
    );
    let doc = read_docx(&make_docx(&body)).unwrap();
    let t = tables(&doc)[0];
    assert_eq!(
        t.rows,
        vec![
            vec![
                TableCell::spanning("甲", 3, 1),
                TableCell::spanning("乙", 1, 2)
            ],
            vec![TableCell::new("1"), TableCell::new("")],
            vec![TableCell::new("2"), TableCell::new("3")],
            vec![TableCell::new(""), TableCell::new("4"), TableCell::new("5")],
        ]
    );
    let g = grid(t);
    assert_eq!(g[2][0].as_deref(), Some("甲"));

    // A table inside a table cell: the outer one is dissolved.
    let inner = format!(
        "<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
        tc("", "行政许可"),
        tc("", "5")
    );
    let body = format!(
        "<w:tbl><w:tr><w:tc>{}{inner}{}</w:tc></w:tr></w:tbl>",
        p("前"),
        p("后")
    );
    let doc = read_docx(&make_docx(&body)).unwrap();
    assert_eq!(
        doc.blocks,
        vec![
            Block::Paragraph("前".into()),
            Block::Table(Table {
                rows: vec![vec![TableCell::new("行政许可"), TableCell::new("5")]]
            }),
            Block::Paragraph("后".into()),
        ]
    );

    // Tables nested beyond the limit are refused, not overflowed.
    let mut deep = String::new();
    for _ in 0..10_000 {
        deep.push_str("<w:tbl><w:tr><w:tc>");
    }
    let res = bounded(Duration::from_secs(20), move || {
        read_docx(&make_docx(&deep))
    });
    assert!(matches!(res, Err(ReadError::TooLarge { .. })), "{res:?}");
}

#[test]
fn truncated_or_damaged_docx_is_corrupt() {
    let bytes = read_fixture("docx/pingtan-2023.docx");
    for cut in [bytes.len() / 2, bytes.len() - 10, 100, 30] {
        match read_docx(&bytes[..cut]) {
            Err(ReadError::Corrupt { format, detail, .. }) => {
                assert!(format.contains("docx"), "{format}");
                assert!(!detail.is_empty());
            }
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    // Damage inside the compressed body, directory intact.
    let mut damaged = bytes.clone();
    let at = find(&damaged, b"word/document.xml").unwrap() + 200;
    for b in &mut damaged[at..at + 64] {
        *b ^= 0x5a;
    }
    assert!(read_docx(&damaged).is_err());
    // A zip without a Word body.
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        zip.start_file("a.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"hello").unwrap();
        zip.finish().unwrap();
    }
    let err = read_docx(out.get_ref()).unwrap_err();
    assert!(err.to_string().contains("document.xml"), "{err}");
    // Messages are Chinese sentences.
    assert!(
        read_docx(&bytes[..100])
            .unwrap_err()
            .to_string()
            .contains("损坏")
    );
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn docx_bomb_is_refused() {
    // 100 MB of white space inside the body compresses about 1000:1.
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("word/document.xml", opts).unwrap();
        zip.write_all(b"<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>")
            .unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..100 {
            zip.write_all(&chunk).unwrap();
        }
        zip.write_all(b"</w:t></w:r></w:p></w:body></w:document>")
            .unwrap();
        zip.finish().unwrap();
    }
    let bytes = out.into_inner();
    assert!(bytes.len() < 1_000_000);
    let err = bounded(Duration::from_secs(30), move || read_docx(&bytes)).unwrap_err();
    assert!(matches!(err, ReadError::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("压缩"), "{err}");
}

// ---------------------------------------------------------------- legacy .doc

#[test]
fn legacy_doc_reads_tables() {
    match read_doc(&read_fixture("docx/pingtan-2023.doc")) {
        Ok(doc) => {
            check_report_tables(&doc, Some(&expected("pingtan-2023.expected.json")));
            let doc = read_doc(&read_fixture("docx/template-2021-blank.doc")).unwrap();
            check_report_tables(&doc, None);
        }
        Err(e) => panic!("{e}"),
    }
    // read_docx hands OLE2 files on to the .doc reader.
    assert!(read_docx(&read_fixture("docx/pingtan-2023.doc")).is_ok());
    // Not an OLE2 file.
    assert!(matches!(
        read_doc(b"PK\x03\x04 not a doc"),
        Err(ReadError::Corrupt { .. })
    ));
    // OLE2 magic, then garbage.
    let mut junk = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    junk.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    assert!(read_doc(&junk).is_err());
    // Truncated.
    let bytes = read_fixture("docx/pingtan-2023.doc");
    assert!(read_doc(&bytes[..bytes.len() / 3]).is_err());
}

// ---------------------------------------------------------------- ZIP

/// A ZIP made by hand, entries stored uncompressed, with raw name bytes and flags.
fn raw_zip(entries: &[(&[u8], &[u8], u16)]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data, flags) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let mut head = Vec::new();
        head.extend_from_slice(&[20, 0]); // version needed
        head.extend_from_slice(&flags.to_le_bytes());
        head.extend_from_slice(&[0, 0, 0, 0, 0x21, 0]); // stored, time, date
        head.extend_from_slice(&crc.to_le_bytes());
        head.extend_from_slice(&(data.len() as u32).to_le_bytes());
        head.extend_from_slice(&(data.len() as u32).to_le_bytes());
        head.extend_from_slice(&(name.len() as u16).to_le_bytes());
        head.extend_from_slice(&[0, 0]); // extra length
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&head);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&[20, 0]); // version made by (MS-DOS)
        central.extend_from_slice(&head);
        central.extend_from_slice(&[0; 10]); // comment length, disk, internal and external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn zip_members_names_and_skips() {
    let (gbk, _, _) = encoding_rs::GBK.encode("年报/平潭2023.html");
    let bytes = raw_zip(&[
        (&gbk[..], b"<p>gbk</p>", 0),
        ("青铜峡.docx".as_bytes(), b"docx", 0x0800),
        (b"dir/", b"", 0),
        (b"__MACOSX/._x.docx", b"junk", 0),
        (b".DS_Store", b"junk", 0),
        (b"a\\b\\c.txt", b"text", 0),
    ]);
    let members = read_zip(&bytes).unwrap();
    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["年报/平潭2023.html", "青铜峡.docx", "a/b/c.txt"]);
    assert_eq!(members[0].1, b"<p>gbk</p>");

    // A zip made by the zip crate, deflated, with the docx fixture inside.
    let docx = read_fixture("docx/pingtan-2023.docx");
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        zip.start_file("报告/平潭.docx", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&docx).unwrap();
        zip.finish().unwrap();
    }
    let members = read_zip(out.get_ref()).unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].0, "报告/平潭.docx");
    assert!(read_docx(&members[0].1).is_ok());
}

#[test]
fn zip_path_traversal_is_refused() {
    for name in [
        &b"../../etc/evil.docx"[..],
        b"/etc/passwd",
        b"a/../../x.docx",
        b"C:\\x.docx",
    ] {
        let bytes = raw_zip(&[(b"ok.txt", b"fine", 0), (name, b"evil", 0)]);
        let err = read_zip(&bytes).unwrap_err();
        assert!(matches!(err, ReadError::Corrupt { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("已拒绝"), "{msg}");
    }
}

#[test]
fn zip_bombs_are_refused() {
    // Highly compressible member: refused by the ratio check while decompressing.
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("bomb.txt", opts).unwrap();
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..64 {
            zip.write_all(&chunk).unwrap();
        }
        zip.finish().unwrap();
    }
    let bytes = out.into_inner();
    let err = bounded(Duration::from_secs(30), move || read_zip(&bytes)).unwrap_err();
    assert!(matches!(err, ReadError::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("压缩炸弹"), "{err}");

    // Too many entries.
    let names: Vec<String> = (0..10_001).map(|i| format!("f{i}.txt")).collect();
    let entries: Vec<(&[u8], &[u8], u16)> =
        names.iter().map(|n| (n.as_bytes(), &b""[..], 0)).collect();
    let err = read_zip(&raw_zip(&entries)).unwrap_err();
    assert!(matches!(err, ReadError::TooLarge { .. }), "{err:?}");

    // Declared sizes that lie (say 4 bytes, hold more): never more than declared is read,
    // or the member is refused.
    let mut bytes = raw_zip(&[(b"liar.txt", &[b'x'; 5000], 0)]);
    for sig in [&b"PK\x03\x04"[..], b"PK\x01\x02"] {
        let at = find(&bytes, sig).unwrap();
        let size_at = if sig == b"PK\x03\x04" {
            at + 22
        } else {
            at + 24
        };
        bytes[size_at..size_at + 4].copy_from_slice(&4u32.to_le_bytes());
    }
    match read_zip(&bytes) {
        Ok(m) => assert!(m[0].1.len() <= 5000),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    let junk: Vec<u8> = (0..10_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    assert!(read_docx(&junk).is_err());
    assert!(read_zip(&junk).is_err());
    assert!(read_doc(&junk).is_err());
    assert!(matches!(read_docx(b""), Err(ReadError::Empty)));
    assert!(matches!(read_zip(b""), Err(ReadError::Empty)));
    assert!(matches!(read_html("  \n "), Err(ReadError::Empty)));
    let mut pk = b"PK\x03\x04".to_vec();
    pk.extend_from_slice(&junk);
    assert!(read_docx(&pk).is_err());
    assert!(read_zip(&pk).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096), prefix in 0usize..4) {
        let mut data = match prefix {
            0 => Vec::new(),
            1 => b"PK\x03\x04".to_vec(),
            2 => vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
            _ => b"<html><meta charset=gbk><table><tr><td rowspan=3>".to_vec(),
        };
        data.extend_from_slice(&bytes);
        let _ = read_docx(&data);
        let _ = read_zip(&data);
        let _ = read_doc(&data);
        let _ = declared_charset(&data);
        let _ = read_html(&String::from_utf8_lossy(&data));
    }

    #[test]
    fn random_html_never_panics(s in "(<(/?)(table|tr|td|th|p|div|br|span|script|caption)( rowspan=[0-9]{1,3}| colspan=[0-9x]{1,3})?>|[a-z0-9 ]|&nbsp;|\u{4e2d}){0,200}") {
        let doc = read_html(&s);
        if let Ok(doc) = doc {
            for b in &doc.blocks {
                if let Block::Table(t) = b {
                    let n = t.rows.len() as u32;
                    for (i, row) in t.rows.iter().enumerate() {
                        for c in row {
                            prop_assert!(c.row_span >= 1 && c.col_span >= 1);
                            prop_assert!(c.row_span <= n - i as u32);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn damaged_docx_never_panics(cuts in proptest::collection::vec((0usize..12_000, any::<u8>()), 1..8)) {
        let mut bytes = read_fixture("docx/pingtan-2023.docx");
        for (at, v) in cuts {
            let at = at % bytes.len();
            bytes[at] = v;
        }
        let _ = read_docx(&bytes);
        let _ = read_zip(&bytes);
    }
}

/// A report page with a table of 100,000 rows after it (6 MB): the report reads exactly
/// as the page alone does, and the large table is read cell for cell. The reader keeps
/// one copy of a table (as cells, then as tokens made row by row), so the peak memory
/// of a page of tables stays a few times its size (README: limits and memory).
#[test]
fn a_large_table_after_the_report_changes_nothing() {
    let page = String::from_utf8(std::fs::read(fixture("pingtan-2023.html")).unwrap()).unwrap();
    let at = page.rfind("</body>").unwrap();
    let n = 100_000;
    let mut rows = String::from(
        "<table border=\"1\">\n<tr><td><p>附表说明</p><p>第二段<br>续行</p></td>\
         <td>0</td><td>/</td><td></td></tr>\n",
    );
    for i in 1..n {
        rows.push_str(&format!(
            "<tr><td>附表第{i}行</td><td>{}</td><td>/</td><td></td></tr>\n",
            i % 997
        ));
    }
    rows.push_str("</table>\n");
    let big = format!("{}{rows}{}", &page[..at], &page[at..]);
    assert!(big.len() > 5_500_000, "{}", big.len());

    let plain = gongkai_extract::read_bytes("pingtan.html", page.as_bytes()).unwrap();
    let padded = gongkai_extract::read_bytes("pingtan.html", big.as_bytes()).unwrap();
    // Every value as the page alone gives it (the table's labels join the last
    // section's text, where they stand).
    assert_eq!(plain.cells.len(), padded.cells.len());
    for (key, cell) in &plain.cells {
        assert!(padded.cells.get(key) == Some(cell), "{key}");
    }
    assert_eq!(
        (
            &padded.agency,
            padded.year,
            padded.template,
            &padded.published
        ),
        (&plain.agency, plain.year, plain.template, &plain.published)
    );
    assert!(padded.reading == plain.reading);
    assert!(
        padded.sections[5]
            .text
            .ends_with(&format!("附表第{}行", n - 1)),
        "{}",
        padded.sections.len()
    );

    let doc = read_html(&big).unwrap();
    let Some(Block::Table(table)) = doc
        .blocks
        .iter()
        .rev()
        .find(|b| matches!(b, Block::Table(_)))
    else {
        panic!("no table");
    };
    assert_eq!(table.rows.len(), n);
    assert_eq!(table.rows[0][0].text, "附表说明\n第二段\n续行");
    for (i, row) in table.rows.iter().enumerate().skip(1) {
        let texts: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                format!("附表第{i}行").as_str(),
                &(i % 997).to_string(),
                "/",
                ""
            ],
            "row {i}"
        );
        assert!(row.iter().all(|c| c.row_span == 1 && c.col_span == 1));
    }
}
