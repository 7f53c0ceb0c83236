//! Property tests for the reading classes met in real reports beyond the four basic
//! layouts: units in a column header, misspelt row labels, text as PDF converters
//! and OCR write it, table 四 printed in pieces, and spreadsheets / OpenDocument.
//! Each generator writes a random balanced report its way; it must read back identical.

mod generated;

use generated::*;
use gongkai_report::template::{self, TableId};
use gongkai_report::{Cell, Decimal, Report, TemplateId, Value};
use proptest::prelude::*;
use std::io::Write;

fn template_strategy() -> impl Strategy<Value = TemplateId> {
    prop_oneof![Just(TemplateId::T2019), Just(TemplateId::T2021)]
}

fn seed() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(0u32..1_000_000, 40..80)
}

fn amount_key(t: TemplateId) -> &'static str {
    template::cells_of(t)
        .find(|d| d.is_amount())
        .map(|d| d.key)
        .unwrap()
}

/// Table 二 in 元 with the unit in a header (three ways), the rest as `tab_rows`.
fn header_unit_text(r: &Report, how: usize) -> String {
    let key = amount_key(r.template);
    let mut yuan = r.clone();
    if let Value::Number(d) = r.value(key) {
        // Printed in 元: the number × 10,000, exactly.
        let printed = Decimal::parse(&format!("{d}")).unwrap();
        let y = Decimal::parse(&format!("{}", printed)).unwrap();
        let text = shift_up(&y.to_string(), 4);
        yuan.set(
            key,
            Cell::from_value(Value::Number(Decimal::parse(&text).unwrap())),
        );
    }
    let text = tab_rows(&yuan);
    match how {
        0 => text
            .replace("采购总金额", "采购总金额（元）")
            .replace("本年收费金额（单位：万元）", "本年收费金额（单位：元）"),
        1 => text.replace(
            "二、主动公开政府信息情况\n",
            "二、主动公开政府信息情况\n（单位：元）\n",
        ),
        _ => text
            .replace("采购总金额", "采购总金额(单位:元)")
            .replace("本年收费金额（单位：万元）", "本年收费金额（元）"),
    }
}

/// Multiplies a printed decimal by 10^k without going through floats.
fn shift_up(s: &str, k: usize) -> String {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut frac = frac.to_string();
    while frac.len() < k {
        frac.push('0');
    }
    let (moved, rest) = frac.split_at(k);
    let int = format!("{int}{moved}").trim_start_matches('0').to_string();
    let int = if int.is_empty() { "0".into() } else { int };
    if rest.is_empty() {
        int
    } else {
        format!("{int}.{rest}")
    }
}

/// Misspelt labels as authors print them: (row, the label printed, template).
const TYPOS: [(&str, &str, &str); 5] = [
    (
        "requests.denied.prohibited_by_law",
        "2.其他法律行政法规禁止公开",
        "2.其他法律行政法规止公开",
    ),
    (
        "requests.denied.third_party",
        "4.保护第三方合法权益",
        "4.保护第三方合法权权益",
    ),
    (
        "requests.denied.deliberative",
        "6.属于四类过程性信息",
        "6.属于四类过程信息",
    ),
    ("requests.rejected.duplicate", "2.重复申请", "2.重申复请"),
    ("requests.granted", "（一）予以公开", "（一）予公开"),
];

/// Text as `pdftotext` writes it without `-layout`: every cell on its own line, the
/// row label first, then its numbers (and blanks dropped entirely would be lost, so
/// this generator prints no blanks).
fn label_then_numbers(r: &Report) -> String {
    let mut s = format!(
        "{}\n一、总体情况\n本年度工作情况。\n二、主动公开政府信息情况\n",
        title(r)
    );
    for row in rows(r, TableId::Proactive) {
        s += "信息内容\n";
        for h in &row.headers {
            s += &format!("{h}\n");
        }
        s += &format!("{}\n{}\n", row.label, row.values.join(" "));
    }
    s += "三、收到和处理政府信息公开申请情况\n申请人情况\n自然人\n法人或其他组织\n总计\n商业企业\n科研机构\n社会公益组织\n法律服务机构\n其他\n";
    for row in rows(r, TableId::Requests) {
        s += &format!("{}\n{}\n", row.label, row.values.join(" "));
    }
    s += "四、政府信息公开行政复议、行政诉讼情况\n行政复议\n行政诉讼\n未经复议直接起诉\n复议后起诉\n";
    s += &"结果维持\n结果纠正\n其他结果\n尚未审结\n总计\n".repeat(3);
    let vals: Vec<String> = rows(r, TableId::Appeals)
        .into_iter()
        .flat_map(|x| x.values)
        .collect();
    s += &vals.join(" ");
    s += "\n五、存在的主要问题及改进情况\n无。\n六、其他需要报告的事项\n无。\n";
    s
}

/// One row of a table as printed: (label, header labels, values).
fn printed_row(r: &Report, row: &str) -> Row {
    let defs: Vec<_> = template::cells_of(r.template)
        .filter(|d| d.row == row)
        .collect();
    Row {
        label: row_label(r, row),
        headers: defs.iter().map(|d| d.column_label).collect(),
        values: defs.iter().map(|d| printed(r.value(d.key))).collect(),
    }
}

/// A table 三 row label as `pdftotext_raw` prints it: a long one broken over two lines.
fn pdftotext_raw_label(label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    if chars.len() < 8 {
        return label.to_string();
    }
    let (a, b) = chars.split_at(chars.len() / 2);
    format!(
        "{}\n{}",
        a.iter().collect::<String>(),
        b.iter().collect::<String>()
    )
}

/// Text as `pdftotext` writes a table without `-layout`: every cell on its own line
/// and a blank line after it, a long row label broken over two lines. With `wrap`,
/// table 二's labels are wrapped around their first value (`行政规范` / `26` /
/// `性文件`). The rows picked by `displaced` (never a table's first) are printed
/// with their label away from their numbers, as the PDF draws them: their numbers
/// straight after the row before, their label (and in table 二 its header) after
/// those numbers, before the next row printed with its label.
fn pdftotext_raw(r: &Report, displaced: &[bool], wrap: bool) -> String {
    fn cell(s: &mut String, text: &str) {
        s.push_str(text);
        s.push_str("\n\n");
    }
    let moved = |i: usize, offset: usize| i > 0 && displaced[(i + offset) % displaced.len()];
    let mut s = format!(
        "{}\n\n一、总体情况\n本年度工作情况。\n\n二、主动公开政府信息情况\n",
        title(r)
    );
    let mut pending: Vec<String> = Vec::new();
    // Table 二 in its printed order (the standard's list puts 2021's 规章 and 行政规范性
    // 文件 after the rows both templates share).
    let proactive = [
        "proactive.regulations",
        "proactive.normative_docs",
        "proactive.licensing",
        "proactive.other_services",
        "proactive.penalty",
        "proactive.coercion",
        "proactive.fees",
        "proactive.procurement",
    ]
    .into_iter()
    .filter(|row| template::cells_of(r.template).any(|d| d.row == *row))
    .map(|row| printed_row(r, row));
    for (i, row) in proactive.enumerate() {
        let mut label = String::from("信息内容\n\n");
        for h in &row.headers {
            cell(&mut label, h);
        }
        if moved(i, 0) {
            label += &row.label;
            pending.push(label);
            for v in &row.values {
                cell(&mut s, v);
            }
            continue;
        }
        for l in pending.drain(..) {
            cell(&mut s, &l);
        }
        s += &label;
        let chars: Vec<char> = row.label.chars().collect();
        if wrap && chars.len() >= 4 {
            let (a, b) = chars.split_at(chars.len() / 2);
            cell(&mut s, &a.iter().collect::<String>());
            cell(&mut s, &row.values[0]);
            cell(&mut s, &b.iter().collect::<String>());
            for v in &row.values[1..] {
                cell(&mut s, v);
            }
        } else {
            cell(&mut s, &row.label);
            for v in &row.values {
                cell(&mut s, v);
            }
        }
    }
    for l in pending.drain(..) {
        cell(&mut s, &l);
    }
    s += "三、收到和处理政府信息公开申请情况\n";
    for h in T3_HEADER {
        cell(&mut s, h);
    }
    for (i, row) in template::request_rows(r.template).iter().enumerate() {
        let row = printed_row(r, row);
        if moved(i, 3) {
            pending.push(pdftotext_raw_label(&row.label));
        } else {
            for l in pending.drain(..) {
                cell(&mut s, &l);
            }
            cell(&mut s, &pdftotext_raw_label(&row.label));
        }
        for v in &row.values {
            cell(&mut s, v);
        }
    }
    for l in pending.drain(..) {
        cell(&mut s, &l);
    }
    s += "四、政府信息公开行政复议、行政诉讼情况\n";
    for h in ["行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"] {
        cell(&mut s, h);
    }
    for h in RESULTS.repeat(3) {
        cell(&mut s, h);
    }
    for row in rows(r, TableId::Appeals) {
        for v in &row.values {
            cell(&mut s, v);
        }
    }
    s += "五、存在的主要问题及改进情况\n无。\n六、其他需要报告的事项\n无。\n";
    s
}

/// Text as `pdftotext -layout` writes it: columns padded with runs of spaces, the
/// label and its numbers on one line, a page number between pages.
fn pdftotext_layout(r: &Report) -> String {
    let mut s = format!(
        "        {}\n\n一、总体情况\n    本年度工作情况。\n二、主动公开政府信息情况\n",
        title(r)
    );
    for row in rows(r, TableId::Proactive) {
        s += &format!("   信息内容      {}\n", row.headers.join("    "));
        s += &format!("   {}      {}\n", row.label, row.values.join("      "));
    }
    s += "\n                             - 2 -\n\x0c三、收到和处理政府信息公开申请情况\n";
    s += "                       申请人情况\n             自然人    法人或其他组织                 总计\n                  商业企业  科研机构  社会公益组织  法律服务机构  其他\n";
    for row in rows(r, TableId::Requests) {
        s += &format!("  {}       {}\n", row.label, row.values.join("     "));
    }
    s += "四、政府信息公开行政复议、行政诉讼情况\n      行政复议                      行政诉讼\n";
    s += "                          未经复议直接起诉          复议后起诉\n";
    s += &format!(
        "{}\n",
        "结果维持  结果纠正  其他结果  尚未审结  总计  ".repeat(3)
    );
    let vals: Vec<String> = rows(r, TableId::Appeals)
        .into_iter()
        .flat_map(|x| x.values)
        .collect();
    s += &format!("  {}\n", vals.join("      "));
    s += "五、存在的主要问题及改进情况\n    无。\n六、其他需要报告的事项\n    无。\n";
    s
}

/// `pdftotext -layout` of a PDF whose table 二 wraps each long row label around its
/// numbers: the label's first half, the numbers, then its second half.
fn pdftotext_layout_wrapped(r: &Report) -> String {
    let mut text = pdftotext_layout(r);
    for row in rows(r, TableId::Proactive) {
        let chars: Vec<char> = row.label.chars().collect();
        if chars.len() < 4 {
            continue;
        }
        let (a, b) = chars.split_at(chars.len() / 2);
        let (a, b): (String, String) = (a.iter().collect(), b.iter().collect());
        let line = format!("   {}      {}\n", row.label, row.values.join("      "));
        assert!(text.contains(&line), "{line}");
        let wrapped = format!("   {a}\n         {}\n   {b}\n", row.values.join("      "));
        text = text.replacen(&line, &wrapped, 1);
    }
    text
}

/// PDF-to-Markdown output: table 三 split into several pipe tables at page breaks,
/// its heading repeated, and table 四 as two tables (复议 / 诉讼), values on the line
/// after each header.
fn split_markdown(r: &Report) -> String {
    let mut s = markdown_head(r);
    s += "## 三、收到和处理政府信息公开申请情况\n\n";
    let t3 = rows(r, TableId::Requests);
    for (i, chunk) in t3.chunks(9).enumerate() {
        if i > 0 {
            s += "\n（续表）\n\n";
        }
        s += "| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n|---|---|---|---|---|---|---|---|\n";
        for row in chunk {
            s += &format!("| {} | {} |\n", row.label, row.values.join(" | "));
        }
    }
    let t4 = rows(r, TableId::Appeals);
    s += "\n## 四、政府信息公开行政复议、行政诉讼情况\n\n| 行政复议 | | | | |\n|---|---|---|---|---|\n| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n";
    s += &format!("| {} |\n\n", t4[0].values.join(" | "));
    s += "| 行政诉讼 | | | | | | | | | |\n|---|---|---|---|---|---|---|---|---|---|\n| 未经复议直接起诉 | | | | | 复议后起诉 | | | | |\n";
    s += &"| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 ".repeat(2);
    s += "|\n";
    s += &format!(
        "| {} | {} |\n\n## 五、存在的主要问题及改进情况\n\n无。\n",
        t4[1].values.join(" | "),
        t4[2].values.join(" | ")
    );
    s
}

/// PDF-to-Markdown output where each row label stands on its own pipe row and its
/// numbers (blank cells included) on the next, under an empty label cell.
fn markdown_label_then_numbers(r: &Report) -> String {
    let mut s = format!(
        "# {}\n\n## 一、总体情况\n\n本年度工作情况。\n\n## 二、主动公开政府信息情况\n\n",
        title(r)
    );
    for row in rows(r, TableId::Proactive) {
        let n = row.values.len();
        s += &format!(
            "| 信息内容 | {} |\n|{}\n",
            row.headers.join(" | "),
            "---|".repeat(n + 1)
        );
        s += &format!("| {} |{}\n", row.label, " |".repeat(n));
        s += &format!("| | {} |\n\n", row.values.join(" | "));
    }
    s += "## 三、收到和处理政府信息公开申请情况\n\n| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n|---|---|---|---|---|---|---|---|\n";
    for row in rows(r, TableId::Requests) {
        s += &format!("| {} |{}\n", row.label, " |".repeat(7));
        s += &format!("| | {} |\n", row.values.join(" | "));
    }
    let vals: Vec<String> = rows(r, TableId::Appeals)
        .into_iter()
        .flat_map(|x| x.values)
        .collect();
    s += "\n## 四、政府信息公开行政复议、行政诉讼情况\n\n| 行政复议 | | | | | 行政诉讼 |\n|---|---|---|---|---|---|\n";
    s += &format!("| {} |\n", RESULTS.repeat(3).join(" | "));
    s += &format!(
        "| {} |\n\n## 五、存在的主要问题及改进情况\n\n无。\n",
        vals.join(" | ")
    );
    s
}

/// `split_markdown` with the section heading repeated over each continued table, as
/// converters repeat a page's running heading.
fn split_markdown_repeated_heading(r: &Report) -> String {
    split_markdown(r).replace(
        "\n（续表）\n",
        "\n## 三、收到和处理政府信息公开申请情况\n\n（续表）\n",
    )
}

/// `tab_rows` with table 四 printed as `t4` instead.
fn with_table4(r: &Report, t4: &str) -> String {
    let text = tab_rows(r);
    let start = text.find("四、政府信息公开行政复议").unwrap();
    let end = text.find("五、存在的主要问题").unwrap();
    format!(
        "{}四、政府信息公开行政复议、行政诉讼情况\n{t4}{}",
        &text[..start],
        &text[end..]
    )
}

const RESULTS: [&str; 5] = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
const KINDS: [&str; 3] = [
    "行政复议",
    "行政诉讼（未经复议直接起诉）",
    "行政诉讼（复议后起诉）",
];

/// Table 四 transposed: one row per result, one column per appeal kind, the kinds in
/// the header in the order `order` (a permutation of 0..3).
fn appeals_transposed(r: &Report, order: &[usize]) -> String {
    let t4 = rows(r, TableId::Appeals);
    let mut s = format!(
        "结果\t{}\n",
        order
            .iter()
            .map(|&k| KINDS[k])
            .collect::<Vec<_>>()
            .join("\t")
    );
    for (i, res) in RESULTS.iter().enumerate() {
        let vals: Vec<&str> = order.iter().map(|&k| t4[k].values[i].as_str()).collect();
        s += &format!("{res}\t{}\n", vals.join("\t"));
    }
    with_table4(r, &s)
}

/// Table 四 with one row per appeal kind (行政诉讼's two kinds under one spanned
/// label), one column per result.
fn appeals_by_kind(r: &Report) -> String {
    let t4 = rows(r, TableId::Appeals);
    let mut s = format!("\t\t{}\n", RESULTS.join("\t"));
    s += &format!("行政复议\t\t{}\n", t4[0].values.join("\t"));
    s += &format!("行政诉讼\t未经复议直接起诉\t{}\n", t4[1].values.join("\t"));
    s += &format!("\t复议后起诉\t{}\n", t4[2].values.join("\t"));
    with_table4(r, &s)
}

/// Table 四's header as one Markdown table and its 15 values as another.
fn appeals_header_apart(r: &Report) -> String {
    let vals: Vec<String> = rows(r, TableId::Appeals)
        .into_iter()
        .flat_map(|x| x.values)
        .collect();
    let mut s =
        String::from("| 行政复议 | 行政诉讼 |\n|---|---|\n| | 未经复议直接起诉 | 复议后起诉 |\n");
    s += &format!("| {} |\n\n", RESULTS.repeat(3).join(" | "));
    s += &format!("| {} |\n|{}\n\n", vals.join(" | "), "---|".repeat(15));
    with_table4(r, &s)
}

/// Markdown as OCR tools write it: a merged cell's text repeated in every column and
/// row it covers (headers, table 三's 三、本年度办理结果 and its groups, table 二's
/// values spanning three columns), an empty header row of the tool's own.
fn ocr_markdown(r: &Report) -> String {
    let mut s = format!(
        "# {}\n\n## 一、总体情况\n\n本年度工作情况。\n\n## 二、主动公开政府信息情况\n\n",
        title(r)
    );
    s += "| | | | |\n|---|---|---|---|\n";
    for row in rows(r, TableId::Proactive) {
        let pad = |v: &[String]| -> Vec<String> {
            // One value under a header spanning three columns: repeated three times.
            if v.len() == 1 {
                vec![v[0].clone(); 3]
            } else {
                v.to_vec()
            }
        };
        let headers: Vec<String> = row.headers.iter().map(|h| h.to_string()).collect();
        s += &format!("| 信息内容 | {} |\n", pad(&headers).join(" | "));
        s += &format!("| {} | {} |\n", row.label, pad(&row.values).join(" | "));
    }
    s += "\n## 三、收到和处理政府信息公开申请情况\n\n| | | | | | | | | |\n|---|---|---|---|---|---|---|---|---|\n";
    let note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";
    s += &format!("| {note} | {note} | {} |\n", ["申请人情况"; 7].join(" | "));
    s += &format!(
        "| {note} | {note} | 自然人 | {} | 总计 |\n",
        ["法人或其他组织"; 5].join(" | ")
    );
    s += &format!(
        "| {note} | {note} | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n"
    );
    let t3 = rows(r, TableId::Requests);
    let n = t3.len();
    for (i, row) in t3.iter().enumerate() {
        let label = if i < 2 || i == n - 1 {
            format!("{} | {}", row.label, row.label)
        } else {
            // `（三）不予公开` over its numbered rows, `三、本年度办理结果` over all.
            let (group, item) = match row.label.find('）') {
                Some(p)
                    if row.label[p + '）'.len_utf8()..]
                        .starts_with(|c: char| c.is_ascii_digit()) =>
                {
                    let g = &row.label[..p + '）'.len_utf8()];
                    (g.to_string(), row.label[g.len()..].to_string())
                }
                _ => (row.label.clone(), row.label.clone()),
            };
            format!("三、本年度办理结果{group} | {item}")
        };
        s += &format!("| {label} | {} |\n", row.values.join(" | "));
    }
    s += "\n## 四、政府信息公开行政复议、行政诉讼情况\n\n";
    s += &format!(
        "| {} | {} |\n|{}\n",
        ["行政复议"; 5].join(" | "),
        ["行政诉讼"; 10].join(" | "),
        "---|".repeat(15)
    );
    s += &format!(
        "| {} | {} | {} |\n",
        ["行政复议"; 5].join(" | "),
        ["未经复议直接起诉"; 5].join(" | "),
        ["复议后起诉"; 5].join(" | ")
    );
    s += &format!("| {} |\n", RESULTS.repeat(3).join(" | "));
    let vals: Vec<String> = rows(r, TableId::Appeals)
        .into_iter()
        .flat_map(|x| x.values)
        .collect();
    s += &format!(
        "| {} |\n\n## 五、存在的主要问题及改进情况\n\n无。\n",
        vals.join(" | ")
    );
    s
}

/// All rows of the report, one per table row, as a spreadsheet would hold them.
fn sheet_rows(r: &Report) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![vec![title(r)], vec!["二、主动公开政府信息情况".into()]];
    for row in rows(r, TableId::Proactive) {
        let mut h = vec!["信息内容".to_string()];
        h.extend(row.headers.iter().map(|x| x.to_string()));
        out.push(h);
        let mut v = vec![row.label.clone()];
        v.extend(row.values.clone());
        out.push(v);
    }
    out.push(vec!["三、收到和处理政府信息公开申请情况".into()]);
    out.push(T3_HEADER.iter().map(|x| x.to_string()).collect::<Vec<_>>());
    for row in rows(r, TableId::Requests) {
        let mut v = vec![row.label.clone()];
        v.extend(row.values.clone());
        out.push(v);
    }
    out.push(vec!["四、政府信息公开行政复议、行政诉讼情况".into()]);
    out.push(vec![
        "行政复议".into(),
        "".into(),
        "".into(),
        "".into(),
        "".into(),
        "行政诉讼".into(),
    ]);
    let mut h = Vec::new();
    for _ in 0..3 {
        for c in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] {
            h.push(c.to_string());
        }
    }
    out.push(h);
    out.push(
        rows(r, TableId::Appeals)
            .into_iter()
            .flat_map(|x| x.values)
            .collect(),
    );
    out.push(vec!["五、存在的主要问题及改进情况".into()]);
    out.push(vec!["无。".into()]);
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn zip_of(parts: &[(&str, String)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        for (name, data) in parts {
            let opt = if *name == "mimetype" {
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Stored)
            } else {
                zip::write::SimpleFileOptions::default()
            };
            z.start_file(*name, opt).unwrap();
            z.write_all(data.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// A minimal XLSX: one sheet, numbers as numbers, text as inline strings.
fn xlsx(r: &Report) -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (i, row) in sheet_rows(r).iter().enumerate() {
        sheet += &format!("<row r=\"{}\">", i + 1);
        for (j, v) in row.iter().enumerate() {
            let at = format!("{}{}", col_name(j), i + 1);
            if v.is_empty() {
                continue;
            }
            if Decimal::parse(v).is_some() && !v.starts_with('+') {
                sheet += &format!("<c r=\"{at}\"><v>{v}</v></c>");
            } else {
                sheet += &format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                    xml_escape(v)
                );
            }
        }
        sheet += "</row>";
    }
    sheet += "</sheetData></worksheet>";
    zip_of(&[
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.into()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="年报" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into()),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
}

fn col_name(mut j: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (j % 26) as u8) as char);
        if j < 26 {
            break;
        }
        j = j / 26 - 1;
    }
    s
}

/// An OpenDocument package: `spreadsheet` (ODS) or `text` (ODT with one table per row group).
fn odf(r: &Report, kind: &str) -> Vec<u8> {
    let body_tag = if kind == "spreadsheet" {
        "spreadsheet"
    } else {
        "text"
    };
    let mut body = String::new();
    body += "<table:table table:name=\"年报\">";
    for row in sheet_rows(r) {
        body += "<table:table-row>";
        for v in row {
            if v.is_empty() {
                body += "<table:table-cell/>";
            } else if Decimal::parse(&v).is_some() && !v.starts_with('+') {
                body += &format!(
                    "<table:table-cell office:value-type=\"float\" office:value=\"{v}\"><text:p>{v}</text:p></table:table-cell>"
                );
            } else {
                body += &format!(
                    "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                    xml_escape(&v)
                );
            }
        }
        body += "</table:table-row>";
    }
    body += "</table:table>";
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:{body_tag}>{body}</office:{body_tag}></office:body></office:document-content>"#
    );
    zip_of(&[
        ("mimetype", format!("application/vnd.oasis.opendocument.{kind}")),
        ("META-INF/manifest.xml", r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>"#.into()),
        ("content.xml", content),
    ])
}

fn assert_same_bytes(want: &Report, bytes: &[u8], layout: &str) {
    let got =
        gongkai_extract::read_bytes(layout, bytes).unwrap_or_else(|e| panic!("{layout}: {e}"));
    assert_eq!(got.template, want.template, "{layout}");
    if layout != "odt" {
        // A spreadsheet's title row is its title: agency and year are read from it.
        assert_eq!(
            (&got.agency, got.year),
            (&want.agency, want.year),
            "{layout}"
        );
    }
    for k in template::keys(want.template) {
        assert_eq!(
            got.value(k),
            want.value(k),
            "{layout}: {k} (raw {:?})",
            got.cell(k).map(|c| &c.raw)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn units_in_a_header_are_converted_and_kept(t in template_strategy(), seed in seed(), how in 0usize..3) {
        let r = build(t, &seed, false);
        let text = header_unit_text(&r, how);
        assert_same(&r, &text, "header-unit");
        let got = gongkai_extract::read_bytes("u", text.as_bytes()).unwrap();
        let c = got.cell(amount_key(t)).unwrap();
        prop_assert_eq!(c.unit.as_deref(), Some("元"));
    }

    #[test]
    fn misspelt_labels_are_found_by_order_and_closeness(t in template_strategy(), seed in seed(), pick in 0usize..5) {
        let r = build(t, &seed, false);
        let (row, right, wrong) = TYPOS[pick];
        let text = tab_rows(&r);
        let line = format!("{right}\t");
        prop_assert!(text.contains(&line), "{}", right);
        let text = text.replacen(&line, &format!("{wrong}\t"), 1);
        assert_same(&r, &text, "typo");
        let got = gongkai_extract::read_bytes("typo", text.as_bytes()).unwrap();
        let f = gongkai_report::check(&got);
        let hit = f.iter().find(|f| f.rule == "LABEL.TYPO").expect("a LABEL.TYPO note");
        prop_assert!(hit.cells.iter().any(|c| c.starts_with(row)), "{:?}", hit);
        prop_assert!(!gongkai_report::has_errors(&f), "{:?}", f);
    }

    #[test]
    fn converter_text_reads_back_identical(t in template_strategy(), seed in seed()) {
        let r = build(t, &seed, false);
        assert_same(&r, &label_then_numbers(&r), "label-then-numbers");
        assert_same(&r, &pdftotext_layout(&r), "pdftotext-layout");
        assert_same(&r, &pdftotext_layout_wrapped(&r), "pdftotext-layout-wrapped");
        assert_same(&r, &split_markdown(&r), "split-markdown");
        assert_same(&r, &split_markdown_repeated_heading(&r), "split-markdown-repeated-heading");
    }

    #[test]
    fn pdftotext_raw_reads_back_identical(t in template_strategy(), seed in seed(), displaced in prop::collection::vec(prop::bool::weighted(0.3), 1..9), wrap in any::<bool>()) {
        let r = build(t, &seed, false);
        let text = pdftotext_raw(&r, &displaced, wrap);
        assert_same(&r, &text, "pdftotext-raw");
        let got = gongkai_extract::read_bytes("raw", text.as_bytes()).unwrap();
        let f = gongkai_report::check(&got);
        prop_assert!(!gongkai_report::has_errors(&f), "{:?}", f);
    }

    #[test]
    fn pdftotext_raw_unit_broken_over_two_lines_is_converted(t in template_strategy(), seed in seed()) {
        let r = build(t, &seed, false);
        let key = amount_key(t);
        let mut yuan = r.clone();
        if let Value::Number(d) = r.value(key) {
            let text = shift_up(&d.to_string(), 4);
            yuan.set(key, Cell::from_value(Value::Number(Decimal::parse(&text).unwrap())));
        }
        let text = pdftotext_raw(&yuan, &[false], false)
            .replace("本年收费金额（单位：万元）\n", "本年收费金额（单位：\n元）\n")
            .replace("采购总金额（万元）\n", "采购总金额（\n元）\n");
        prop_assert!(text.contains("元）"));
        assert_same(&r, &text, "pdftotext-raw-unit");
        let got = gongkai_extract::read_bytes("u", text.as_bytes()).unwrap();
        prop_assert_eq!(got.cell(key).unwrap().unit.as_deref(), Some("元"));
    }

    #[test]
    fn pdftotext_raw_with_a_value_missing_is_a_finding_not_a_guess(t in template_strategy(), seed in seed(), displaced in prop::collection::vec(prop::bool::weighted(0.3), 1..9), pick in any::<prop::sample::Index>(), col in 0usize..7) {
        let r = build(t, &seed, false);
        // A row of table 三 printed with its label, one of its values dropped.
        let all = template::request_rows(t);
        let kept: Vec<usize> = (0..all.len()).filter(|&i| i == 0 || !displaced[(i + 3) % displaced.len()]).collect();
        let i = kept[pick.index(kept.len())];
        let row = printed_row(&r, all[i]);
        let text = pdftotext_raw(&r, &displaced, false);
        let label = format!("{}\n\n{}", pdftotext_raw_label(&row.label), row.values.join("\n\n"));
        prop_assert!(text.contains(&label), "{}", label);
        let mut values = row.values.clone();
        values.remove(col);
        let text = text.replacen(&label, &format!("{}\n\n{}", pdftotext_raw_label(&row.label), values.join("\n\n")), 1);
        let got = gongkai_extract::read_bytes("raw-missing", text.as_bytes()).unwrap();
        // Nothing is read with another value; the row is not read at all.
        for k in template::keys(t) {
            if let Some(c) = got.cell(k).filter(|c| c.is_found()) {
                prop_assert_eq!(c.value, r.value(k), "{}", k);
            }
        }
        let row_keys: Vec<&str> = template::cells_of(t).filter(|d| d.row == all[i]).map(|d| d.key).collect();
        for k in &row_keys {
            prop_assert!(got.cell(k).is_none_or(|c| !c.is_found()), "{} read", k);
        }
        let f = gongkai_report::check(&got);
        let hit = f.iter().find(|f| f.rule == "TEXT.SCATTERED" && row_keys.iter().all(|k| f.cells.iter().any(|c| c == k)));
        prop_assert!(hit.is_some_and(|h| h.severity == gongkai_report::Severity::Error), "{:?}", f);
        prop_assert!(gongkai_report::has_errors(&f));
    }

    #[test]
    fn markdown_label_then_numbers_reads_back_identical(t in template_strategy(), seed in seed(), blanks in any::<bool>()) {
        let r = build(t, &seed, blanks);
        assert_same(&r, &markdown_label_then_numbers(&r), "markdown-label-then-numbers");
    }

    #[test]
    fn table_four_in_every_layout_reads_back_identical(t in template_strategy(), seed in seed(), order in Just(vec![0usize, 1, 2]).prop_shuffle()) {
        let r = build(t, &seed, false);
        assert_same(&r, &appeals_transposed(&r, &order), "table-4-transposed");
        assert_same(&r, &appeals_by_kind(&r), "table-4-by-kind");
        assert_same(&r, &appeals_header_apart(&r), "table-4-header-apart");
        assert_same(&r, &split_markdown(&r), "table-4-two-tables");
    }

    #[test]
    fn ocr_markdown_reads_back_identical(t in template_strategy(), seed in seed(), blanks in any::<bool>()) {
        let r = build(t, &seed, blanks);
        assert_same(&r, &ocr_markdown(&r), "ocr-markdown");
    }

    #[test]
    fn spreadsheets_and_opendocument_read_back_identical(t in template_strategy(), seed in seed(), blanks in any::<bool>()) {
        let r = build(t, &seed, blanks);
        assert_same_bytes(&r, &xlsx(&r), "xlsx");
        assert_same_bytes(&r, &odf(&r, "spreadsheet"), "ods");
        assert_same_bytes(&r, &odf(&r, "text"), "odt");
    }
}

#[test]
fn an_ambiguous_label_is_a_finding_not_a_guess() {
    let r = build(TemplateId::T2021, &[7, 11, 13, 17, 19, 23, 29, 31], false);
    let text = tab_rows(&r);
    // `量反复申请` is one edit from both `重复申请` (2.) and `大量反复申请` (4.).
    let line = "2.重复申请\t";
    assert!(text.contains(line));
    let text = text.replacen(line, "2.量反复申请\t", 1);
    let got = gongkai_extract::read_bytes("amb", text.as_bytes()).unwrap();
    let f = gongkai_report::check(&got);
    let hit = f
        .iter()
        .find(|f| f.rule == "LABEL.TYPO")
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert_eq!(hit.severity, gongkai_report::Severity::Error);
    assert!(
        hit.cells
            .iter()
            .any(|c| c.starts_with("requests.rejected.duplicate."))
    );
    assert!(
        hit.cells
            .iter()
            .any(|c| c.starts_with("requests.rejected.excessive."))
    );
    assert!(hit.message.contains("无法确定"), "{}", hit.message);
    // Not guessed: the row is missing, the next one read by its own label.
    assert!(
        !got.cell("requests.rejected.duplicate.total")
            .unwrap()
            .is_found()
    );
    assert_eq!(
        got.value("requests.rejected.excessive.total"),
        r.value("requests.rejected.excessive.total")
    );
}

/// Table 四 printed one value per line with a header word among its values, or a value
/// short, is not read in the template's order: it stays unread, with a finding.
#[test]
fn pdftotext_raw_table_four_out_of_order_is_a_finding_not_a_guess() {
    let r = build(TemplateId::T2021, &[7, 11, 13, 17, 19, 23, 29, 31], false);
    let text = pdftotext_raw(&r, &[false], false);
    let start = text.find("四、政府信息公开行政复议").unwrap();
    let end = text.find("五、存在的主要问题").unwrap();
    let t4 = &text[start..end];
    let values: Vec<String> = rows(&r, TableId::Appeals)
        .into_iter()
        .flat_map(|x| x.values)
        .collect();
    let printed = values
        .iter()
        .map(|v| format!("{v}\n\n"))
        .collect::<String>();
    assert!(t4.ends_with(&printed));
    let head = &t4[..t4.len() - printed.len()];
    let header_between = format!(
        "{head}{}总计\n\n{}",
        values[..4]
            .iter()
            .map(|v| format!("{v}\n\n"))
            .collect::<String>(),
        values[4..]
            .iter()
            .map(|v| format!("{v}\n\n"))
            .collect::<String>()
    );
    let one_short = format!(
        "{head}{}",
        values[1..]
            .iter()
            .map(|v| format!("{v}\n\n"))
            .collect::<String>()
    );
    for (what, t4) in [("header between", header_between), ("one short", one_short)] {
        let text = format!("{}{t4}{}", &text[..start], &text[end..]);
        let got = gongkai_extract::read_bytes("raw-t4", text.as_bytes()).unwrap();
        let f = gongkai_report::check(&got);
        let keys: Vec<&str> = template::cells_of(TemplateId::T2021)
            .filter(|d| d.table == TableId::Appeals)
            .map(|d| d.key)
            .collect();
        for k in &keys {
            assert!(
                got.cell(k).is_none_or(|c| !c.is_found()),
                "{what}: {k} read"
            );
        }
        let hit = f
            .iter()
            .find(|f| f.rule == "TEXT.SCATTERED")
            .unwrap_or_else(|| panic!("{what}: {f:#?}"));
        assert_eq!(hit.severity, gongkai_report::Severity::Error, "{what}");
        assert!(
            keys.iter().all(|k| hit.cells.iter().any(|c| c == k)),
            "{what}"
        );
        // Tables 二 and 三 are read all the same.
        for d in template::cells_of(TemplateId::T2021).filter(|d| d.table != TableId::Appeals) {
            assert_eq!(got.value(d.key), r.value(d.key), "{what}: {}", d.key);
        }
    }
}
