//! The PDF reader: tables rebuilt from glyphs and rules, CJK CMaps without
//! ToUnicode, and clean errors for scanned, encrypted and damaged files.

use std::path::PathBuf;

use gongkai_extract::pdf::read_pdf;
use gongkai_extract::{Block, Document, ReadError, Table, TableCell};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn huaian() -> Document {
    read_pdf(&fixture("huaian-2024.pdf")).expect("huaian reads")
}

/// The hand-checked value of `key` in huaian-2024.expected.json.
fn expected(key: &str) -> String {
    let json = String::from_utf8(fixture("huaian-2024.expected.json")).expect("utf-8");
    let needle = format!("\"{key}\":");
    let at = json
        .find(&needle)
        .unwrap_or_else(|| panic!("{key} not in expected json"));
    json[at + needle.len()..]
        .trim_start()
        .split([',', '\n', '}'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
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

fn paragraphs(doc: &Document) -> Vec<&str> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.as_str()),
            _ => None,
        })
        .collect()
}

/// The first row (of any table) with a cell whose text contains `label`.
fn row_with<'a>(doc: &'a Document, label: &str) -> &'a [TableCell] {
    for t in tables(doc) {
        for row in &t.rows {
            if row.iter().any(|c| c.text.contains(label)) {
                return row;
            }
        }
    }
    panic!("no table row with {label:?}");
}

/// The cells after the one holding `label`, as text.
fn values_after(doc: &Document, label: &str) -> Vec<String> {
    let row = row_with(doc, label);
    let at = row.iter().position(|c| c.text.contains(label)).unwrap_or(0);
    row[at + 1..].iter().map(|c| c.text.clone()).collect()
}

const COLUMNS: [&str; 7] = [
    "natural_person",
    "business",
    "research",
    "nonprofit",
    "legal_service",
    "other_org",
    "total",
];

fn expected_row(prefix: &str) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|c| expected(&format!("{prefix}.{c}")))
        .collect()
}

#[test]
fn huaian_request_rows_carry_their_seven_values() {
    let doc = huaian();
    let rows = [
        ("一、本年新收政府信息公开申请数量", "requests.new"),
        ("二、上年结转政府信息公开申请数量", "requests.carried_in"),
        ("（一）予以公开", "requests.granted"),
        (
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            "requests.partial",
        ),
        ("1.属于国家秘密", "requests.denied.state_secret"),
        (
            "2.其他法律行政法规禁止公开",
            "requests.denied.prohibited_by_law",
        ),
        ("3.危及“三安全一稳定”", "requests.denied.security_stability"),
        ("4.保护第三方合法权益", "requests.denied.third_party"),
        ("5.属于三类内部事务信息", "requests.denied.internal_affairs"),
        ("6.属于四类过程性信息", "requests.denied.deliberative"),
        ("7.属于行政执法案卷", "requests.denied.enforcement_file"),
        ("8.属于行政查询事项", "requests.denied.admin_query"),
        (
            "1.本机关不掌握相关政府信息",
            "requests.unavailable.not_held",
        ),
        (
            "2.没有现成信息需要另行制作",
            "requests.unavailable.needs_creation",
        ),
        ("3.补正后申请内容仍不明确", "requests.unavailable.unclear"),
        ("1.信访举报投诉类申请", "requests.rejected.petition"),
        ("2.重复申请", "requests.rejected.duplicate"),
        ("3.要求提供公开出版物", "requests.rejected.publication"),
        ("4.无正当理由大量反复申请", "requests.rejected.excessive"),
        (
            "5.要求行政机关确认或重新出具已获取信息",
            "requests.rejected.confirmation",
        ),
        (
            "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "requests.other.no_correction",
        ),
        (
            "2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "requests.other.fee_unpaid",
        ),
        ("3、其他", "requests.other.other"),
        ("（七）总计", "requests.total"),
        ("四、结转下年度继续办理", "requests.carried_out"),
    ];
    for (label, key) in rows {
        assert_eq!(values_after(&doc, label), expected_row(key), "row {label}");
    }
}

#[test]
fn huaian_request_table_keeps_its_label_spans() {
    let doc = huaian();
    // The outer label spans every outcome row (予以公开 … 总计) and is one cell.
    let granted = row_with(&doc, "（一）予以公开");
    assert_eq!(granted.len(), 1 + 1 + 7, "{granted:?}");
    assert!(
        granted[0].text.starts_with("三、本年度办理结果"),
        "{:?}",
        granted[0]
    );
    assert!(granted[0].row_span >= 10, "{:?}", granted[0]);
    assert_eq!(granted[1].col_span, 2);
    // 不予公开 groups its eight reasons.
    let secret = row_with(&doc, "1.属于国家秘密");
    assert_eq!(secret[0].text, "（三）不予公开");
    assert_eq!(secret[0].row_span, 8);
    // 无法提供 is cut by the page break; the two halves become one cell.
    let not_held = row_with(&doc, "1.本机关不掌握相关政府信息");
    assert_eq!(not_held[0].text, "（四）无法提供");
    assert_eq!(not_held[0].row_span, 3);
    // Rows whose labels have no outer cell start with the label itself.
    let new = row_with(&doc, "一、本年新收政府信息公开申请数量");
    assert_eq!(new.len(), 8);
    assert_eq!(new[0].col_span, 3);
}

#[test]
fn huaian_header_labels_come_out_unspaced() {
    let doc = huaian();
    let text = doc.plain_text();
    for label in [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "法人或其他组织",
        "申请人情况",
    ] {
        assert!(text.contains(label), "{label} missing");
    }
    assert!(!text.contains("商 业"), "spaces left between CJK glyphs");
    let header = row_with(&doc, "商业企业");
    let names: Vec<&str> = header.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        names,
        [
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他"
        ]
    );
}

#[test]
fn huaian_table_two_values() {
    let doc = huaian();
    assert_eq!(
        values_after(&doc, "规章"),
        [
            expected("proactive.regulations.issued"),
            expected("proactive.regulations.repealed"),
            expected("proactive.regulations.in_force")
        ]
    );
    assert_eq!(
        values_after(&doc, "行政规范性文件"),
        [
            expected("proactive.normative_docs.issued"),
            expected("proactive.normative_docs.repealed"),
            expected("proactive.normative_docs.in_force")
        ]
    );
    assert_eq!(
        values_after(&doc, "行政许可"),
        [expected("proactive.licensing.decisions")]
    );
    assert_eq!(
        values_after(&doc, "行政处罚"),
        [expected("proactive.penalty.decisions")]
    );
    assert_eq!(
        values_after(&doc, "行政强制"),
        [expected("proactive.coercion.decisions")]
    );
    assert_eq!(
        values_after(&doc, "行政事业性收费"),
        [expected("proactive.fees.amount_wan")]
    );
    // The section heading rows span the whole table.
    let heading = row_with(&doc, "第二十条第（八）项");
    assert_eq!(heading.len(), 1);
}

#[test]
fn huaian_table_four_is_headers_and_one_row_of_fifteen() {
    let doc = huaian();
    let t = tables(&doc)
        .into_iter()
        .find(|t| {
            t.rows
                .iter()
                .any(|r| r.iter().any(|c| c.text == "未经复议直接起诉"))
        })
        .expect("table 四");
    let data: Vec<&Vec<TableCell>> = t
        .rows
        .iter()
        .filter(|r| {
            r.iter()
                .all(|c| c.text.chars().all(|ch| ch.is_ascii_digit()))
        })
        .collect();
    assert_eq!(data.len(), 1, "{t:?}");
    let mut want = Vec::new();
    for group in ["review", "suit_direct", "suit_after_review"] {
        for col in ["upheld", "corrected", "other", "pending", "total"] {
            want.push(expected(&format!("appeals.{group}.{col}")));
        }
    }
    let got: Vec<String> = data[0].iter().map(|c| c.text.clone()).collect();
    assert_eq!(got, want);
    assert_eq!(
        t.rows[0]
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>(),
        ["行政复议", "行政诉讼"]
    );
    assert_eq!(t.rows[0][0].col_span, 5);
    assert_eq!(t.rows[0][1].col_span, 10);
}

#[test]
fn huaian_paragraphs_join_wrapped_lines_in_order() {
    let doc = huaian();
    let paras = paragraphs(&doc);
    assert!(paras[0].contains("淮安市人民政府"), "{:?}", &paras[..3]);
    let intro = paras
        .iter()
        .find(|p| p.starts_with("本报告由淮安市人民政府办公室根据"))
        .expect("intro paragraph");
    // Wrapped at "政府 / 信息公开条例" in print.
    assert!(
        intro.contains("《中华人民共和国政府信息公开条例》"),
        "{intro}"
    );
    assert!(intro.contains("hazwgkc@163.com"), "{intro}");
    // A paragraph continued over the page break (pages 2–3) is one paragraph.
    assert!(
        paras
            .iter()
            .any(|p| p.contains("将栏目不更新、政策解读不通俗易懂")),
        "page-break paragraph split"
    );
    // No page numbers as text.
    assert!(
        !paras
            .iter()
            .any(|p| p.trim() == "-1-" || p.trim() == "- 5 -")
    );
    // Section headings come in order, tables between them.
    let order: Vec<usize> = [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    .iter()
    .map(|h| {
        doc.blocks
            .iter()
            .position(|b| matches!(b, Block::Paragraph(p) if p.trim() == *h))
            .unwrap_or_else(|| panic!("heading {h}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // 表三 sits between headings 三 and 四.
    let t3 = doc
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Table(t) if t.rows.iter().any(|r| r.iter().any(|c| c.text == "（一）予以公开"))))
        .expect("table 三");
    assert!(order[2] < t3 && t3 < order[3]);
}

#[test]
fn huaian_every_expected_cell_is_found_in_the_tables() {
    // Each hand-checked value sits in the row of its label, in its column.
    let doc = huaian();
    let json = String::from_utf8(fixture("huaian-2024.expected.json")).expect("utf-8");
    let cells_at = json.find("\"cells\"").expect("cells");
    let body = &json[cells_at..];
    let body = &body[body.find('{').unwrap_or(0) + 1..body.find('}').unwrap_or(body.len())];
    let mut checked = 0;
    for line in body.lines() {
        let Some((k, v)) = line.trim().trim_end_matches(',').split_once(':') else {
            continue;
        };
        let key = k.trim().trim_matches('"');
        let want = v.trim();
        let got = cell_value(&doc, key);
        assert_eq!(got.as_deref(), Some(want), "{key}");
        checked += 1;
    }
    assert_eq!(checked, 200);
}

/// Where each key of the 2021 template lives in the PDF's tables.
fn cell_value(doc: &Document, key: &str) -> Option<String> {
    let parts: Vec<&str> = key.split('.').collect();
    let (row_key, col) = key.rsplit_once('.')?;
    let proactive: &[(&str, &str, usize)] = &[
        ("proactive.regulations.issued", "规章", 0),
        ("proactive.regulations.repealed", "规章", 1),
        ("proactive.regulations.in_force", "规章", 2),
        ("proactive.normative_docs.issued", "行政规范性文件", 0),
        ("proactive.normative_docs.repealed", "行政规范性文件", 1),
        ("proactive.normative_docs.in_force", "行政规范性文件", 2),
        ("proactive.licensing.decisions", "行政许可", 0),
        ("proactive.penalty.decisions", "行政处罚", 0),
        ("proactive.coercion.decisions", "行政强制", 0),
        ("proactive.fees.amount_wan", "行政事业性收费", 0),
    ];
    if parts[0] == "proactive" {
        let (_, label, i) = proactive.iter().find(|(k, ..)| *k == key)?;
        return values_after(doc, label).get(*i).cloned();
    }
    if parts[0] == "appeals" {
        let t = tables(doc).into_iter().find(|t| {
            t.rows
                .iter()
                .any(|r| r.iter().any(|c| c.text == "未经复议直接起诉"))
        })?;
        let row = t.rows.last()?;
        let g = ["review", "suit_direct", "suit_after_review"]
            .iter()
            .position(|g| *g == parts[1])?;
        let c = ["upheld", "corrected", "other", "pending", "total"]
            .iter()
            .position(|c| *c == parts[2])?;
        return row.get(g * 5 + c).map(|c| c.text.clone());
    }
    let label = match row_key {
        "requests.new" => "一、本年新收",
        "requests.carried_in" => "二、上年结转",
        "requests.granted" => "（一）予以公开",
        "requests.partial" => "（二）部分公开",
        "requests.denied.state_secret" => "1.属于国家秘密",
        "requests.denied.prohibited_by_law" => "2.其他法律行政法规禁止公开",
        "requests.denied.security_stability" => "3.危及",
        "requests.denied.third_party" => "4.保护第三方合法权益",
        "requests.denied.internal_affairs" => "5.属于三类内部事务信息",
        "requests.denied.deliberative" => "6.属于四类过程性信息",
        "requests.denied.enforcement_file" => "7.属于行政执法案卷",
        "requests.denied.admin_query" => "8.属于行政查询事项",
        "requests.unavailable.not_held" => "1.本机关不掌握",
        "requests.unavailable.needs_creation" => "2.没有现成信息",
        "requests.unavailable.unclear" => "3.补正后申请内容仍不明确",
        "requests.rejected.petition" => "1.信访举报投诉类申请",
        "requests.rejected.duplicate" => "2.重复申请",
        "requests.rejected.publication" => "3.要求提供公开出版物",
        "requests.rejected.excessive" => "4.无正当理由大量反复申请",
        "requests.rejected.confirmation" => "5.要求行政机关确认",
        "requests.other.no_correction" => "1、申请人无正当理由逾期不补正",
        "requests.other.fee_unpaid" => "2、申请人逾期未按收费通知",
        "requests.other.other" => "3、其他",
        "requests.total" => "（七）总计",
        "requests.carried_out" => "四、结转下年度继续办理",
        _ => return None,
    };
    let i = COLUMNS.iter().position(|c| *c == col)?;
    values_after(doc, label).get(i).cloned()
}

/// Full-width ASCII (how some engines map the GBK-EUC-H half-width range) folded back.
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c as u32 {
            0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

fn check_cjk_fixture(name: &str) {
    let doc = read_pdf(&fixture(&format!("pdf/{name}"))).unwrap_or_else(|e| panic!("{name}: {e}"));
    let paras = paragraphs(&doc);
    assert_eq!(
        paras.first().copied(),
        Some("政府信息公开工作年度报告"),
        "{name}: {doc:?}"
    );
    if name.starts_with("gbk") {
        // See gbk_euc_h_odd_ascii_run_inside_one_string below.
        assert!(
            fold(paras[1]).starts_with("本报告由办公室编制。统计期限自2024年"),
            "{name}"
        );
    } else {
        assert_eq!(
            fold(paras[1]),
            "本报告由办公室编制。统计期限自2024年1月1日起。",
            "{name}"
        );
    }
    assert_eq!(paras.last().copied(), Some("以上数据截至年底。"), "{name}");
    let t = tables(&doc);
    assert_eq!(t.len(), 1, "{name}: {doc:?}");
    let rows: Vec<Vec<(String, u32, u32)>> = t[0]
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| (fold(&c.text), c.row_span, c.col_span))
                .collect()
        })
        .collect();
    let cell = |s: &str, rs: u32| (s.to_string(), rs, 1u32);
    assert_eq!(
        rows,
        vec![
            vec![cell("信息内容", 2), cell("本年新收", 1), cell("总计", 1)],
            vec![cell("商业企业", 1), cell("12", 1)],
            vec![
                cell("行政许可（区分处理的，只计这一情形）", 1),
                cell("3001", 1),
                cell("0", 1)
            ],
            // The blank cell is kept, empty.
            vec![cell("行政处罚", 1), cell("", 1), cell("5", 1)],
        ],
        "{name}"
    );
    // Blocks in reading order: heading, paragraph, table, paragraph.
    assert!(matches!(doc.blocks[2], Block::Table(_)), "{name}");
}

#[test]
fn gbk_euc_h_font_without_tounicode_decodes() {
    check_cjk_fixture("gbk-euc-h.pdf");
}

#[test]
fn unigb_ucs2_h_font_without_tounicode_decodes() {
    check_cjk_fixture("unigb-ucs2-h.pdf");
}

#[test]
fn image_only_pdf_is_scanned() {
    assert_eq!(
        read_pdf(&fixture("pdf/scanned.pdf")),
        Err(ReadError::Scanned)
    );
}

#[test]
fn encrypted_pdf_is_unsupported_with_a_fix() {
    match read_pdf(&fixture("pdf/encrypted.pdf")) {
        Err(ReadError::Unsupported { format, fix }) => {
            assert!(format.contains("加密"), "{format}");
            assert!(fix.contains("密码"), "{fix}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn truncated_pdf_is_corrupt() {
    let bytes = fixture("huaian-2024.pdf");
    for cut in [bytes.len() / 2, bytes.len() - 100, 2000] {
        match read_pdf(&bytes[..cut]) {
            Err(ReadError::Corrupt { format, .. }) => assert_eq!(format, "PDF"),
            other => panic!("cut at {cut}: {:?}", other.map(|d| d.blocks.len())),
        }
    }
}

/// A small deterministic generator, so the test needs no crate.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn random_bytes_are_corrupt() {
    for seed in 1..20 {
        let bytes = noise(seed, 4096);
        assert!(
            matches!(read_pdf(&bytes), Err(ReadError::Corrupt { .. })),
            "seed {seed}"
        );
        let mut with_header = b"%PDF-1.7\n".to_vec();
        with_header.extend(noise(seed, 4096));
        with_header.extend(b"\n%%EOF\n");
        assert!(
            matches!(read_pdf(&with_header), Err(ReadError::Corrupt { .. })),
            "seed {seed}"
        );
    }
    assert_eq!(read_pdf(b""), Err(ReadError::Empty));
}

#[test]
fn damaged_fixtures_never_panic() {
    // Every cut and a sprinkling of flipped bytes through a small real PDF:
    // any outcome but a panic or a hang is fine.
    let good = fixture("pdf/gbk-euc-h.pdf");
    for cut in (0..good.len()).step_by(97) {
        let _ = read_pdf(&good[..cut]);
    }
    for seed in 0..40u64 {
        let mut bytes = good.clone();
        for (i, r) in noise(seed, 8).chunks(2).enumerate() {
            let at = (r[0] as usize * 256 + r[1] as usize + i * 131) % bytes.len();
            bytes[at] = r[0] ^ 0x5A;
        }
        let _ = read_pdf(&bytes);
    }
}
