//! One annual report as data.

use crate::template::{self, CellDef, TemplateId};
use crate::value::{Cell, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One of the six sections (一、总体情况 … 六、其他需要报告的事项): heading and prose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub heading: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Where the report came from (a file name, `-` for stdin).
    pub source: String,
    pub agency: Option<String>,
    pub year: Option<i32>,
    /// The template the tables follow (detected from the tables, not the year).
    pub template: TemplateId,
    /// Publication date as printed (`2021-02-20`, `2021年1月28日`).
    pub published: Option<String>,
    pub sections: Vec<Section>,
    /// Every key of `template`, plus any key of the other template that the source
    /// printed (a mixed layout is kept as printed and reported).
    pub cells: BTreeMap<String, Cell>,
    /// What the reader noticed while placing values (a row found by a misspelt label,
    /// a label it could not tell between two rows), reported with the rules' findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reading: Vec<crate::rules::Finding>,
}

/// Every key of a template with its cell missing, built once per template (a new
/// report clones it instead of sorting the keys again).
fn empty_cells(template: TemplateId) -> &'static BTreeMap<String, Cell> {
    static EMPTY: [std::sync::OnceLock<BTreeMap<String, Cell>>; 2] =
        [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
    let i = match template {
        TemplateId::T2019 => 0,
        TemplateId::T2021 => 1,
    };
    EMPTY[i].get_or_init(|| {
        template::keys(template)
            .into_iter()
            .map(|k| (k.to_string(), Cell::missing()))
            .collect()
    })
}

impl Report {
    /// An empty report of a template: every cell missing.
    pub fn new(source: impl Into<String>, template: TemplateId) -> Report {
        Report {
            source: source.into(),
            agency: None,
            year: None,
            template,
            published: None,
            sections: Vec::new(),
            cells: empty_cells(template).clone(),
            reading: Vec::new(),
        }
    }

    /// A report of a template with the cells read from a source (a later cell for the
    /// same definition wins); every other key of the template missing. The read cells
    /// are put in place in one walk over the template's map, not by a lookup each.
    pub fn with_cells(
        source: impl Into<String>,
        template: TemplateId,
        cells: impl IntoIterator<Item = (&'static CellDef, Cell)>,
    ) -> Report {
        let defs = template::all_cells();
        let mut read: Vec<Option<Cell>> = (0..defs.len()).map(|_| None).collect();
        for (d, c) in cells {
            read[d.index()] = Some(c);
        }
        let mut r = Report::new(source, template);
        // The template's map holds exactly its keys, in key order.
        let in_order = template::indices_by_key()
            .iter()
            .filter(|&&i| defs[i].in_template(template));
        for (slot, &i) in r.cells.values_mut().zip(in_order) {
            if let Some(c) = read[i].take() {
                *slot = c;
            }
        }
        // Cells of the other template only (a mixed layout).
        for (i, c) in read.into_iter().enumerate() {
            if let Some(c) = c {
                r.cells.insert(defs[i].key.to_string(), c);
            }
        }
        r
    }

    /// A report built from numbers (casework, aggregation, tests). Unknown keys are an error.
    pub fn from_values<'a>(
        source: impl Into<String>,
        template: TemplateId,
        values: impl IntoIterator<Item = (&'a str, Value)>,
    ) -> Result<Report, String> {
        let mut r = Report::new(source, template);
        for (k, v) in values {
            if template::cell(k).is_none() {
                return Err(format!("未知的单元格：{k}"));
            }
            r.cells.insert(k.to_string(), Cell::from_value(v));
        }
        Ok(r)
    }

    pub fn value(&self, key: &str) -> Value {
        self.cells.get(key).map(|c| c.value).unwrap_or(Value::Blank)
    }

    pub fn cell(&self, key: &str) -> Option<&Cell> {
        self.cells.get(key)
    }

    pub fn set(&mut self, key: &str, cell: Cell) {
        // The template's keys are already there: no new key to allocate.
        match self.cells.get_mut(key) {
            Some(c) => *c = cell,
            None => {
                self.cells.insert(key.to_string(), cell);
            }
        }
    }

    /// The cells present, with their definitions, in the standard's order.
    pub fn defined_cells(&self) -> impl Iterator<Item = (&'static CellDef, &Cell)> {
        template::all_cells()
            .iter()
            .zip(self.cells_by_index())
            .filter_map(|(d, c)| c.map(|c| (d, c)))
    }

    /// The cells present, by their index in [`template::all_cells`]. One walk over the
    /// report's cells and the standard's keys, both in key order: no key is looked up.
    pub fn cells_by_index(&self) -> Vec<Option<&Cell>> {
        let defs = template::all_cells();
        let mut out = vec![None; defs.len()];
        let mut sorted = template::indices_by_key().iter().copied().peekable();
        for (key, cell) in &self.cells {
            while let Some(i) = sorted.peek().copied() {
                // Nearly always the same key: equality is the cheaper question.
                let ord = if defs[i].key == key.as_str() {
                    std::cmp::Ordering::Equal
                } else {
                    defs[i].key.cmp(key.as_str())
                };
                match ord {
                    std::cmp::Ordering::Less => {
                        sorted.next();
                    }
                    std::cmp::Ordering::Equal => {
                        out[i] = Some(cell);
                        sorted.next();
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
        }
        out
    }

    /// Keys printed that belong to the other template only (a mixed layout).
    pub fn foreign_keys(&self) -> Vec<&'static str> {
        self.defined_cells()
            .filter(|(d, c)| !d.in_template(self.template) && c.is_found())
            .map(|(d, _)| d.key)
            .collect()
    }

    /// The spec's machine form: `source`, `agency`, `year`, `template`, `cells`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut cells = serde_json::Map::new();
        for (d, c) in self.defined_cells() {
            if d.in_template(self.template) || c.is_found() {
                cells.insert(d.key.to_string(), c.value.to_json());
            }
        }
        serde_json::json!({
            "source": self.source,
            "agency": self.agency,
            "year": self.year,
            "template": self.template.id(),
            "published": self.published,
            "cells": cells,
        })
    }

    /// Reads the spec's machine form back (e.g. a report written by hand or by casework).
    pub fn from_json(v: &serde_json::Value) -> Result<Report, String> {
        let template = v
            .get("template")
            .and_then(|t| {
                t.as_str()
                    .map(str::to_string)
                    .or_else(|| t.as_i64().map(|i| i.to_string()))
            })
            .and_then(|t| TemplateId::parse(&t))
            .ok_or("缺少模板（template 应为 \"2019\" 或 \"2021\"）")?;
        let mut r = Report::new(
            v.get("source").and_then(|s| s.as_str()).unwrap_or("-"),
            template,
        );
        r.agency = v.get("agency").and_then(|s| s.as_str()).map(str::to_string);
        r.year = v.get("year").and_then(|y| y.as_i64()).map(|y| y as i32);
        r.published = v
            .get("published")
            .and_then(|s| s.as_str())
            .map(str::to_string);
        let cells = v
            .get("cells")
            .and_then(|c| c.as_object())
            .ok_or("缺少 cells")?;
        for (k, val) in cells {
            if template::cell(k).is_none() {
                return Err(format!("未知的单元格：{k}"));
            }
            let value =
                Value::from_json(val).ok_or_else(|| format!("单元格 {k} 的值无效：{val}"))?;
            r.cells.insert(k.clone(), Cell::from_value(value));
        }
        if let Some(sections) = v.get("sections").and_then(|s| s.as_array()) {
            for s in sections {
                r.sections.push(Section {
                    heading: s
                        .get("heading")
                        .and_then(|h| h.as_str())
                        .unwrap_or("")
                        .to_string(),
                    text: s
                        .get("text")
                        .and_then(|h| h.as_str())
                        .unwrap_or("")
                        .to_string(),
                });
            }
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_blank_zero_and_na() {
        let r = Report::from_values(
            "x",
            TemplateId::T2021,
            [
                ("requests.new.total", Value::int(0)),
                ("requests.new.natural_person", Value::NotApplicable),
            ],
        )
        .unwrap();
        let j = r.to_json();
        assert_eq!(j["cells"]["requests.new.total"], serde_json::json!(0));
        assert_eq!(
            j["cells"]["requests.new.natural_person"],
            serde_json::json!("n/a")
        );
        assert_eq!(j["cells"]["requests.new.business"], serde_json::Value::Null);
        let back = Report::from_json(&j).unwrap();
        assert_eq!(back.value("requests.new.total"), Value::int(0));
        assert_eq!(
            back.value("requests.new.natural_person"),
            Value::NotApplicable
        );
        assert_eq!(back.value("requests.new.business"), Value::Blank);
        assert_eq!(
            j["cells"].as_object().unwrap().len(),
            template::keys(TemplateId::T2021).len()
        );
    }

    #[test]
    fn with_cells_is_new_then_set() {
        let five = Cell::from_value(Value::int(5));
        let foreign = template::cell("requests.other.total").unwrap();
        let mine = template::cell("requests.new.total").unwrap();
        let read = [
            (mine, Cell::from_value(Value::int(1))),
            (foreign, five.clone()),
            (mine, five.clone()),
        ];
        let built = Report::with_cells("x", TemplateId::T2021, read.clone());
        let mut set = Report::new("x", TemplateId::T2021);
        for (d, c) in read {
            set.set(d.key, c);
        }
        assert_eq!(built, set);
        assert_eq!(built.value("requests.new.total"), Value::int(5));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(
            Report::from_values(
                "x",
                TemplateId::T2021,
                [("requests.nope.total", Value::int(1))]
            )
            .is_err()
        );
    }
}
