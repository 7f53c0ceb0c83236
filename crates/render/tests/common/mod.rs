//! Reports for the render tests: the two templates filled by hand, and random ones.
#![allow(dead_code)]

use gongkai_report::template::{self, CellDef};
use gongkai_report::{Cell, Decimal, Report, Section, TemplateId, Value};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Every cell of the template with a value: counts, some 0, some blank, some "/".
pub fn sample(t: TemplateId) -> Report {
    let mut r = Report::new("sample.json", t);
    r.agency = Some("某某县人民政府办公室".into());
    r.year = Some(if t == TemplateId::T2019 { 2020 } else { 2023 });
    for (i, d) in template::cells_of(t).enumerate() {
        let v = match i % 7 {
            3 => Value::Blank,
            5 => Value::int(0),
            6 if d.table != gongkai_report::TableId::Requests => Value::NotApplicable,
            _ if d.is_amount() => Value::Number(Decimal::parse("15954.5264").unwrap()),
            _ if d.is_signed() => Value::int(-(i as i64)),
            _ => Value::int(i as i64 * 3 + 1),
        };
        r.set(d.key, Cell::from_value(v));
    }
    r.sections = vec![
        Section {
            heading: "一、总体情况".into(),
            text: "本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，围绕主动公开、依申请公开、政府信息管理、政府信息公开平台建设和监督保障，扎实推进政府信息公开工作。".into(),
        },
        Section {
            heading: "五、存在的主要问题及改进情况".into(),
            text: "一是主动公开的及时性还需提高，部分栏目更新不够及时；二是政策解读形式较为单一。下一步，本机关将加强培训和督查，提高公开质量。".into(),
        },
        Section {
            heading: "六、其他需要报告的事项".into(),
            text: "依据《政府信息公开信息处理费管理办法》规定，本年度本机关未发出收费通知，未收取信息处理费。".into(),
        },
    ];
    r
}

/// The template's cells and their values.
pub fn values(r: &Report) -> BTreeMap<&'static str, Value> {
    template::cells_of(r.template)
        .map(|d| (d.key, r.value(d.key)))
        .collect()
}

fn value_for(d: &'static CellDef) -> BoxedStrategy<Value> {
    let number: BoxedStrategy<Value> = if d.is_amount() {
        // Amounts in 万元 with up to four decimals.
        (0i64..10_000_000, 0u32..5)
            .prop_map(|(m, s)| {
                let text = if s == 0 {
                    m.to_string()
                } else {
                    let digits = format!("{:0>width$}", m, width = s as usize + 1);
                    let (i, f) = digits.split_at(digits.len() - s as usize);
                    format!("{i}.{f}")
                };
                Value::Number(Decimal::parse(&text).unwrap())
            })
            .boxed()
    } else if d.is_signed() {
        (-5000i64..5000).prop_map(Value::int).boxed()
    } else {
        (1i64..100_000).prop_map(Value::int).boxed()
    };
    prop_oneof![
        3 => number,
        2 => Just(Value::int(0)),
        2 => Just(Value::Blank),
        1 => Just(Value::NotApplicable),
    ]
    .boxed()
}

/// A random report: random counts, blanks, zeros and "/" in every cell.
pub fn any_report() -> impl Strategy<Value = Report> {
    prop_oneof![Just(TemplateId::T2019), Just(TemplateId::T2021)].prop_flat_map(|t| {
        let defs: Vec<&'static CellDef> = template::cells_of(t).collect();
        let strategies: Vec<BoxedStrategy<Value>> = defs.iter().map(|d| value_for(d)).collect();
        (strategies, 2019i32..2027).prop_map(move |(vals, year)| {
            let mut r = Report::new("random.json", t);
            r.agency = Some("某某市某某区人民政府".into());
            r.year = Some(year);
            for (d, v) in defs.iter().zip(vals) {
                r.set(d.key, Cell::from_value(v));
            }
            r
        })
    })
}

/// A binary PGM (P5) page picture, as pdftoppm -gray writes it: width, height and
/// 8-bit grey pixels.
pub fn read_pgm(path: &std::path::Path) -> (usize, usize, Vec<u8>) {
    let data = std::fs::read(path).unwrap();
    // Header: "P5" w h maxval, separated by white space, then one white space byte.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    assert_eq!(fields[3], "255");
    (w, h, data[i + 1..i + 1 + w * h].to_vec())
}
