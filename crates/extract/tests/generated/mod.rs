//! Generators shared by the property tests: random balanced reports, and the layouts
//! they are printed in, and the fixtures' path.
#![allow(dead_code)]

use gongkai_report::template::{self, APPEAL_COLUMNS, APPEAL_ROWS, APPLICANT_COLUMNS, TableId};
use gongkai_report::{Cell, Decimal, Report, TemplateId, Value};

/// A file of `tests/fixtures`, as bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(name),
    )
    .unwrap()
}

/// Builds a balanced report from random counts; `blanks` turns some table-二 cells blank.
pub fn build(template: TemplateId, seed: &[u32], blanks: bool) -> Report {
    let mut it = seed.iter().cycle().copied();
    let mut next = move |m: u32| it.next().unwrap() % m;
    let mut r = Report::new("gen", template);
    r.year = Some(if template == TemplateId::T2019 {
        2020
    } else {
        2022
    });
    r.agency = Some("某某市人民政府".into());
    let set = |r: &mut Report, k: &str, v: Value| r.set(k, Cell::from_value(v));
    for d in template::cells_of(template).filter(|d| d.table == TableId::Proactive) {
        let v = if blanks && next(5) == 0 {
            Value::Blank
        } else if d.is_amount() {
            Value::Number(Decimal::parse(&format!("{}.{:02}", next(100000), next(100))).unwrap())
        } else if d.is_signed() {
            Value::int(next(600) as i64 - 300)
        } else {
            Value::int(next(5000) as i64)
        };
        set(&mut r, d.key, v);
    }
    let outcomes = template::outcome_rows(template);
    let mut col_totals = std::collections::BTreeMap::<String, i64>::new();
    for c in APPLICANT_COLUMNS {
        let mut total = 0;
        for row in &outcomes {
            let v = if next(3) == 0 { next(30) as i64 } else { 0 };
            total += v;
            set(&mut r, &format!("{row}.{c}"), Value::int(v));
        }
        let carried_out = next(6) as i64;
        let carried_in = (next(6) as i64).min(total + carried_out);
        let new = total + carried_out - carried_in;
        for (row, v) in [
            ("requests.total", total),
            ("requests.carried_out", carried_out),
            ("requests.carried_in", carried_in),
            ("requests.new", new),
        ] {
            set(&mut r, &format!("{row}.{c}"), Value::int(v));
        }
    }
    for row in template::request_rows(template) {
        let sum: i64 = APPLICANT_COLUMNS
            .iter()
            .map(|c| {
                r.value(&format!("{row}.{c}"))
                    .number()
                    .unwrap()
                    .to_i64()
                    .unwrap()
            })
            .sum();
        col_totals.insert(row.to_string(), sum);
        set(&mut r, &format!("{row}.total"), Value::int(sum));
    }
    for row in APPEAL_ROWS {
        let mut sum = 0;
        for c in &APPEAL_COLUMNS[..4] {
            let v = next(4) as i64;
            sum += v;
            set(&mut r, &format!("appeals.{row}.{c}"), Value::int(v));
        }
        set(&mut r, &format!("appeals.{row}.total"), Value::int(sum));
    }
    r
}

/// How a value is printed.
pub fn printed(v: Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::Blank => String::new(),
        Value::NotApplicable => "/".into(),
    }
}

/// The printed row label: cells.tsv's label without the leading 三 of table 三.
pub fn row_label(r: &Report, row: &str) -> String {
    let d = template::cells_of(r.template)
        .find(|d| d.row == row)
        .unwrap();
    let l = d.row_label.strip_prefix('三').unwrap_or(d.row_label);
    if r.template == TemplateId::T2021 && row == "proactive.normative_docs" {
        "行政规范性文件".into()
    } else {
        l.replace(' ', "")
    }
}

/// The table rows of a report in order: (label, header labels, values).
pub struct Row {
    pub label: String,
    pub headers: Vec<&'static str>,
    pub values: Vec<String>,
}

pub fn rows(r: &Report, table: TableId) -> Vec<Row> {
    let mut out: Vec<Row> = Vec::new();
    let mut current: Option<&str> = None;
    for d in template::cells_of(r.template).filter(|d| d.table == table) {
        if current != Some(d.row) {
            current = Some(d.row);
            out.push(Row {
                label: row_label(r, d.row),
                headers: Vec::new(),
                values: Vec::new(),
            });
        }
        let last = out.last_mut().unwrap();
        last.headers.push(d.column_label);
        last.values.push(printed(r.value(d.key)));
    }
    out
}

pub fn title(r: &Report) -> String {
    format!(
        "{}{}年政府信息公开工作年度报告",
        r.agency.as_deref().unwrap(),
        r.year.unwrap()
    )
}

pub const T3_HEADER: [&str; 9] = [
    "申请人情况",
    "自然人",
    "法人或其他组织",
    "总计",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
];

/// Layout 1: one cell per line, tab-led, empty cells as empty lines, rows separated by blank lines.
pub fn one_cell_per_line(r: &Report) -> String {
    let mut s = format!(
        "{}\n\n一、总体情况\n\n本年度工作情况。\n\n二、主动公开政府信息情况\n\n",
        title(r)
    );
    for row in rows(r, TableId::Proactive) {
        s += "\t信息内容\n";
        for h in &row.headers {
            s += &format!("\t{h}\n");
        }
        s += &format!("\n\t{}\n", row.label);
        for v in &row.values {
            s += &format!("\t{v}\n");
        }
        s += "\n";
    }
    s += "三、收到和处理政府信息公开申请情况\n\n";
    for h in T3_HEADER {
        s += &format!("\t{h}\n");
    }
    s += "\n";
    for row in rows(r, TableId::Requests) {
        s += &format!("\t\n\t{}\n", row.label);
        for v in &row.values {
            s += &format!("\t{v}\n");
        }
        s += "\n";
    }
    s += "四、政府信息公开行政复议、行政诉讼情况\n\n\t行政复议\n\t行政诉讼\n\n";
    for _ in 0..3 {
        for c in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] {
            s += &format!("\t{c}\n");
        }
    }
    s += "\n";
    for row in rows(r, TableId::Appeals) {
        for v in &row.values {
            s += &format!("\t{v}\n");
        }
    }
    s += "\n五、存在的主要问题及改进情况\n\n无。\n\n六、其他需要报告的事项\n\n无。\n";
    s
}

/// Layout 2: tab-separated rows, with a spanned first column and trailing tabs.
pub fn tab_rows(r: &Report) -> String {
    let mut s = format!(
        "{}\n一、总体情况\n本年度工作情况。\n二、主动公开政府信息情况\n",
        title(r)
    );
    for row in rows(r, TableId::Proactive) {
        s += &format!("信息内容\t{}\t\n", row.headers.join("\t"));
        s += &format!("{}\t{}\t\n", row.label, row.values.join("\t"));
    }
    s += "三、收到和处理政府信息公开申请情况\n\t\t自然人\t法人或其他组织\t\t\t\t\t总计\n\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n";
    for row in rows(r, TableId::Requests) {
        s += &format!("{}\t\t{}\t\n", row.label, row.values.join("\t"));
    }
    s += "四、政府信息公开行政复议、行政诉讼情况\n行政复议\t\t\t\t\t行政诉讼\n";
    s += "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\n";
    let vals: Vec<String> = rows(r, TableId::Appeals)
        .into_iter()
        .flat_map(|x| x.values)
        .collect();
    s += &format!("{}\n", vals.join("\t"));
    s += "五、存在的主要问题及改进情况\n无。\n六、其他需要报告的事项\n无。\n";
    s
}

/// Layout 3: Markdown tables as PDF-to-Markdown tools write them (labels in their own
/// column, a spurious header row).
pub fn markdown(r: &Report) -> String {
    let mut s = markdown_head(r);
    s += "## 三、收到和处理政府信息公开申请情况\n\n| Col1 | Col2 | Col3 | Col4 | Col5 | Col6 | Col7 | Col8 |\n|---|---|---|---|---|---|---|---|\n";
    s += "| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n";
    for row in rows(r, TableId::Requests) {
        s += &format!("| {} | {} |\n", row.label, row.values.join(" | "));
    }
    s += "\n## 四、政府信息公开行政复议、行政诉讼情况\n\n| 行政复议 | | | | | 行政诉讼 |\n|---|---|---|---|---|---|\n";
    let vals: Vec<String> = rows(r, TableId::Appeals)
        .into_iter()
        .flat_map(|x| x.values)
        .collect();
    s += &format!(
        "| {} |\n\n## 五、存在的主要问题及改进情况\n\n无。\n\n## 六、其他需要报告的事项\n\n无。\n",
        vals.join(" | ")
    );
    s
}

/// The title, section 一 and table 二 as Markdown pipe tables, one per row group.
pub fn markdown_head(r: &Report) -> String {
    let mut s = format!(
        "# {}\n\n## 一、总体情况\n\n本年度工作情况。\n\n## 二、主动公开政府信息情况\n\n",
        title(r)
    );
    for row in rows(r, TableId::Proactive) {
        s += &format!(
            "| 信息内容 | {} |\n|{}|\n",
            row.headers.join(" | "),
            "---|".repeat(row.headers.len() + 1)
        );
        s += &format!("| {} | {} |\n\n", row.label, row.values.join(" | "));
    }
    s
}

/// Layout 4: an HTML page with rowspan/colspan, labels split across <p>/<span>/<br>, &nbsp;.
pub fn html(r: &Report) -> String {
    let td = |v: &str| {
        format!(
            "<td><p><span>{}</span></p></td>",
            if v.is_empty() {
                "&nbsp;".to_string()
            } else {
                v.to_string()
            }
        )
    };
    let mut s = format!(
        "<html><head><meta charset=\"utf-8\"></head><body><p><strong>{}</strong></p><p>一、总体情况</p><p>本年度工作情况。</p><p>二、主动公开政府信息情况</p>",
        title(r)
    );
    s += "<table>";
    for row in rows(r, TableId::Proactive) {
        s += &format!(
            "<tr><td>信息内容</td>{}</tr>",
            row.headers.iter().map(|h| td(h)).collect::<String>()
        );
        s += &format!(
            "<tr><td><p>{}</p></td>{}</tr>",
            row.label,
            row.values.iter().map(|v| td(v)).collect::<String>()
        );
    }
    s += "</table><p>三、收到和处理政府信息公开申请情况</p><table>";
    s += "<tr><td rowspan=\"3\" colspan=\"2\">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan=\"7\">申请人情况</td></tr>";
    s += "<tr><td rowspan=\"2\">自然人</td><td colspan=\"5\">法人或其他组织</td><td rowspan=\"2\">总计</td></tr>";
    s += "<tr><td>商业<br/>企业</td><td>科研<br/>机构</td><td>社会公益<br/>组织</td><td>法律服务<br/>机构</td><td>其他</td></tr>";
    let t3 = rows(r, TableId::Requests);
    let n = t3.len();
    for (i, row) in t3.iter().enumerate() {
        let first = if i == 2 {
            format!(
                "<td rowspan=\"{}\"><p>三、本年度</p><p>办理结果</p></td>",
                n - 3
            )
        } else if i < 2 || i == n - 1 {
            String::new()
        } else {
            String::new()
        };
        let label_span = if i < 2 || i == n - 1 {
            " colspan=\"2\""
        } else {
            ""
        };
        let label = row.label.replace("（", "<span>（</span>");
        s += &format!(
            "<tr>{first}<td{label_span}><p>{label}</p></td>{}</tr>",
            row.values.iter().map(|v| td(v)).collect::<String>()
        );
    }
    s += "</table><p>四、政府信息公开行政复议、行政诉讼情况</p><table>";
    s += "<tr><td colspan=\"5\" rowspan=\"2\">行政复议</td><td colspan=\"10\">行政诉讼</td></tr>";
    s += "<tr><td colspan=\"5\">未经复议直接起诉</td><td colspan=\"5\">复议后起诉</td></tr><tr>";
    for _ in 0..3 {
        for c in [
            "结果<br>维持",
            "结果<br>纠正",
            "其他<br>结果",
            "尚未<br>审结",
            "总计",
        ] {
            s += &td(c);
        }
    }
    s += "</tr><tr>";
    for row in rows(r, TableId::Appeals) {
        for v in &row.values {
            s += &td(v);
        }
    }
    s += "</tr></table><p>五、存在的主要问题及改进情况</p><p>无。</p><p>六、其他需要报告的事项</p><p>无。</p></body></html>";
    s
}

pub fn assert_same(want: &Report, text: &str, layout: &str) {
    let got = gongkai_extract::read_bytes(layout, text.as_bytes())
        .unwrap_or_else(|e| panic!("{layout}: {e}\n{text}"));
    assert_eq!(got.template, want.template, "{layout}");
    assert_eq!(got.year, want.year, "{layout}");
    assert_eq!(got.agency, want.agency, "{layout}");
    for k in template::keys(want.template) {
        assert_eq!(
            got.value(k),
            want.value(k),
            "{layout}: {k} (raw {:?})\n{text}",
            got.cell(k).map(|c| &c.raw)
        );
    }
}
