//! Cell values exactly as printed: a number, blank, or not applicable, with the raw
//! text, its unit, any note printed in the cell, and where it was read.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An exact decimal number: `mantissa × 10^-scale`. Printed values are never
/// rounded, so amounts such as 15954.526468 survive every conversion.
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    pub fn from_int(v: i64) -> Self {
        Decimal {
            mantissa: v as i128,
            scale: 0,
        }
    }

    /// Parses `-12`, `+451`, `164.504`, `1,234` (ASCII only; callers normalise first).
    pub fn parse(s: &str) -> Option<Decimal> {
        let s = s.trim();
        let (neg, digits) = match s.as_bytes().first()? {
            b'-' => (true, &s.as_bytes()[1..]),
            b'+' => (false, &s.as_bytes()[1..]),
            _ => (false, s.as_bytes()),
        };
        // One pass over bytes: every cell of every report is parsed.
        let dot = digits.iter().position(|&b| b == b'.');
        let (int, frac) = match dot {
            Some(i) => (&digits[..i], &digits[i + 1..]),
            None => (digits, &digits[digits.len()..]),
        };
        let int_digits = int.iter().filter(|&&b| b != b',').count();
        if int_digits == 0 || !int.iter().all(|&b| b.is_ascii_digit() || b == b',') {
            return None;
        }
        // Thousands separators must group by three, or "1,2" would be misread.
        if int.contains(&b',') && !int.split(|&b| b == b',').skip(1).all(|g| g.len() == 3) {
            return None;
        }
        if dot.is_some() && (frac.is_empty() || !frac.iter().all(u8::is_ascii_digit)) {
            return None;
        }
        if int_digits + frac.len() > 30 {
            return None;
        }
        let mut mantissa: i128 = 0;
        for &b in int.iter().chain(frac).filter(|&&b| b != b',') {
            mantissa = mantissa * 10 + (b - b'0') as i128;
        }
        Some(Decimal {
            mantissa: if neg { -mantissa } else { mantissa },
            scale: frac.len() as u32,
        })
    }

    pub fn is_integer(&self) -> bool {
        self.normalized().scale == 0
    }

    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// The value as an integer, if it is one.
    pub fn to_i64(&self) -> Option<i64> {
        let n = self.normalized();
        if n.scale == 0 {
            i64::try_from(n.mantissa).ok()
        } else {
            None
        }
    }

    /// Digits of the mantissa, leading and trailing zeros dropped (`0.00120` → 2).
    pub fn significant_digits(&self) -> usize {
        // Counted, not printed: every cell of every report is asked.
        let m = self.mantissa.unsigned_abs();
        if m == 0 {
            return 1;
        }
        // In u64 when it fits (every real count): 128-bit division is a library call.
        match u64::try_from(m) {
            Ok(mut m) => {
                while m.is_multiple_of(10) {
                    m /= 10;
                }
                m.ilog10() as usize + 1
            }
            Err(_) => {
                let mut m = m;
                while m.is_multiple_of(10) {
                    m /= 10;
                }
                m.ilog10() as usize + 1
            }
        }
    }

    /// Whether the nearest `f64` prints back as exactly this value.
    fn is_exact_f64(&self) -> bool {
        let f = self.to_f64();
        f.is_finite() && Decimal::parse(&format!("{f}")).is_some_and(|d| d == *self)
    }

    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Divides by 10^k exactly (元 → 万元 is k = 4).
    pub fn shift_down(&self, k: u32) -> Decimal {
        Decimal {
            mantissa: self.mantissa,
            scale: self.scale + k,
        }
        .normalized()
    }

    fn normalized(&self) -> Decimal {
        let mut d = *self;
        while d.scale > 0 && d.mantissa % 10 == 0 {
            d.mantissa /= 10;
            d.scale -= 1;
        }
        d
    }

    fn aligned(a: Decimal, b: Decimal) -> (i128, i128, u32) {
        // Counts share their scale (0): nothing to multiply.
        if a.scale == b.scale {
            return (a.mantissa, b.mantissa, a.scale);
        }
        let s = a.scale.max(b.scale);
        let up = |d: Decimal| {
            d.mantissa
                .saturating_mul(10i128.saturating_pow(s - d.scale))
        };
        (up(a), up(b), s)
    }

    pub fn add(self, other: Decimal) -> Decimal {
        let (a, b, s) = Decimal::aligned(self, other);
        Decimal {
            mantissa: a.saturating_add(b),
            scale: s,
        }
        .normalized()
    }

    pub fn sub(self, other: Decimal) -> Decimal {
        let (a, b, s) = Decimal::aligned(self, other);
        Decimal {
            mantissa: a.saturating_sub(b),
            scale: s,
        }
        .normalized()
    }

    pub fn cmp_value(&self, other: &Decimal) -> std::cmp::Ordering {
        let (a, b, _) = Decimal::aligned(*self, *other);
        a.cmp(&b)
    }
}

/// Equal by value: 1370 and 1370.00 are the same number.
impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.normalized(), other.normalized());
        a.mantissa == b.mantissa && a.scale == b.scale
    }
}

impl Eq for Decimal {}

impl std::hash::Hash for Decimal {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let n = self.normalized();
        n.mantissa.hash(state);
        n.scale.hash(state);
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.normalized();
        if n.scale == 0 {
            return write!(f, "{}", n.mantissa);
        }
        let neg = n.mantissa < 0;
        let digits = n.mantissa.unsigned_abs().to_string();
        let scale = n.scale as usize;
        let padded = if digits.len() <= scale {
            format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits)
        } else {
            digits
        };
        let (i, fr) = padded.split_at(padded.len() - scale);
        write!(f, "{}{}.{}", if neg { "-" } else { "" }, i, fr)
    }
}

impl Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A number a JSON double cannot carry exactly is written as its exact digits
        // in a string, never rounded (99999999999999999999 must not become 1e20).
        match self.to_i64() {
            Some(i) => s.serialize_i64(i),
            None if self.is_exact_f64() => s.serialize_f64(self.to_f64()),
            None => s.serialize_str(&self.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let text = match &v {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.clone(),
            _ => return Err(serde::de::Error::custom(format!("不是有效的数值：{v}"))),
        };
        Decimal::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("不是有效的数值：{v}")))
    }
}

/// What a cell holds. Blank and 0 are different facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Value {
    Number(Decimal),
    /// Nothing printed (or the row was not found: see `Cell::source`).
    Blank,
    /// Printed `/`, `-`, `—`, `无`: the clerk says the cell does not apply.
    NotApplicable,
}

impl Value {
    pub fn number(&self) -> Option<Decimal> {
        match self {
            Value::Number(d) => Some(*d),
            _ => None,
        }
    }
    pub fn int(v: i64) -> Value {
        Value::Number(Decimal::from_int(v))
    }
    /// The spec's machine form: a number, `null` for blank, `"n/a"`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Number(d) => serde_json::to_value(d).unwrap_or(serde_json::Value::Null),
            Value::Blank => serde_json::Value::Null,
            Value::NotApplicable => serde_json::Value::String("n/a".into()),
        }
    }
    pub fn from_json(v: &serde_json::Value) -> Option<Value> {
        match v {
            serde_json::Value::Null => Some(Value::Blank),
            serde_json::Value::String(s) if s == "n/a" => Some(Value::NotApplicable),
            // Exact digits of a number too long for a JSON double (see `Serialize`).
            serde_json::Value::String(s) => Decimal::parse(s).map(Value::Number),
            serde_json::Value::Number(n) => Decimal::parse(&n.to_string()).map(Value::Number),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(d) => write!(f, "{d}"),
            Value::Blank => f.write_str("空白"),
            Value::NotApplicable => f.write_str("“/”"),
        }
    }
}

/// Where in the source a value was read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// 1-based line of a text source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based table, row and column (grid column, spans expanded) of a tabular source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(l) = self.line {
            parts.push(format!("第{l}行"));
        }
        if let Some(t) = self.table {
            parts.push(format!("第{t}个表格"));
        }
        if let Some(r) = self.row {
            parts.push(format!("第{r}行"));
        }
        if let Some(c) = self.column {
            parts.push(format!("第{c}列"));
        }
        f.write_str(&parts.join(""))
    }
}

/// One cell as read: the value, and everything printed with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    #[serde(with = "value_serde")]
    pub value: Value,
    /// The text exactly as printed (after decoding), e.g. `164.504万`, `22（其中修订16件）`.
    pub raw: String,
    /// The unit printed with the number, if any (`万元`, `元`, `件`…). Amounts printed in
    /// 元 are converted to 万元 in `value`; this keeps the original.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// A note printed inside the cell, e.g. `其中修订16件`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the value was read; `None` when the cell was not found in the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Provenance>,
}

mod value_serde {
    use super::Value;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&v.to_json(), s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        let j = serde_json::Value::deserialize(d)?;
        Value::from_json(&j).ok_or_else(|| serde::de::Error::custom("单元格值无效"))
    }
}

impl Cell {
    /// A cell that was not found in the source at all.
    pub fn missing() -> Cell {
        Cell {
            value: Value::Blank,
            raw: String::new(),
            unit: None,
            note: None,
            source: None,
        }
    }

    /// A cell built from data (not read from a document).
    pub fn from_value(value: Value) -> Cell {
        let raw = match value {
            Value::Number(d) => d.to_string(),
            Value::Blank => String::new(),
            Value::NotApplicable => "/".into(),
        };
        Cell {
            value,
            raw,
            unit: None,
            note: None,
            source: Some(Provenance::default()),
        }
    }

    pub fn is_found(&self) -> bool {
        self.source.is_some()
    }

    /// Reads a printed cell text. `None` when the text is not a value (it is a label).
    /// `amount` cells convert 元 to 万元; others keep the number as printed.
    /// Whether `raw` reads as a printed value ([`Cell::parse`] would give a cell),
    /// without building the cell.
    pub fn is_printed_value(raw: &str) -> bool {
        read_printed(raw, |_, _, _| ()).is_some()
    }

    pub fn parse(raw: &str, amount: bool) -> Option<Cell> {
        read_printed(raw, |mut value, unit, note| {
            if amount
                && unit == Some("元")
                && let Value::Number(d) = value
            {
                value = Value::Number(d.shift_down(4));
            }
            Cell {
                value,
                raw: raw.trim().to_string(),
                unit: unit.map(str::to_string),
                note: note.map(str::to_string),
                source: Some(Provenance::default()),
            }
        })
    }
}

/// Units that may follow a number inside a cell.
const UNITS: [&str; 8] = ["万元", "元", "万", "件", "个", "项", "条", "次"];

/// Folds full-width digits and signs to ASCII, drops spaces; other characters are kept.
pub fn fold_width(s: &str) -> String {
    s.chars().filter_map(fold_width_char).collect()
}

/// [`fold_width`], borrowing `s` when folding leaves it as it is (most cells and
/// labels).
pub fn fold_width_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(|c| fold_width_char(c) == Some(c)) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(fold_width(s))
    }
}

/// `fold_width` of one character: `None` for a space.
#[inline]
pub fn fold_width_char(c: char) -> Option<char> {
    match c {
        // Printable ASCII and the CJK blocks fold to themselves: decided before the
        // Unicode whitespace table is asked.
        '!'..='~' | '\u{3001}'..='\u{fe62}' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        '＋' => Some('+'),
        '－' | '−' | '﹣' => Some('-'),
        '．' => Some('.'),
        '，' => Some(','),
        '（' => Some('('),
        '）' => Some(')'),
        '／' => Some('/'),
        c if c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' => None,
        c => Some(c),
    }
}

/// The character at byte `i` of `s` (a character boundary): its length in bytes and
/// whether it is white space ([`char::is_whitespace`]). Only ASCII and the characters
/// whose UTF-8 lead byte is C2, E1, E2 or E3 can be white space, so every other
/// character (the CJK text of a report) is stepped over by its lead byte, not decoded.
#[inline]
pub fn space_at(s: &str, i: usize) -> (usize, bool) {
    match s.as_bytes()[i] {
        b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => (1, true),
        0x00..=0x7F => (1, false),
        0xC2 | 0xE1 | 0xE2 | 0xE3 => {
            let c = s[i..].chars().next().unwrap_or('x');
            (c.len_utf8(), c.is_whitespace())
        }
        0xC0..=0xDF => (2, false),
        0xE0..=0xEF => (3, false),
        _ => (4, false),
    }
}

/// Reads a printed cell text without allocating: `f` is given the value, the unit
/// printed with it (`万` as `万元`) and the note inside it. `None` when the text is
/// not a value.
fn read_printed<R>(
    raw: &str,
    f: impl FnOnce(Value, Option<&'static str>, Option<&str>) -> R,
) -> Option<R> {
    // Most cells are a plain count (`0`, `12`): read at once. Eighteen digits fit an
    // i64 and are well inside the general path's limit of thirty.
    let b = raw.as_bytes();
    if !b.is_empty() && b.len() <= 18 && b.iter().all(u8::is_ascii_digit) {
        let mantissa = b.iter().fold(0i64, |m, &d| m * 10 + i64::from(d - b'0'));
        return Some(f(Value::Number(Decimal::from_int(mantissa)), None, None));
    }
    // A value starts with a digit, a sign, a point or a not-applicable mark: anything
    // else (row labels, prose) is text, decided without folding the whole of it.
    let starts_like_value = raw.chars().find_map(fold_width_char).is_none_or(|c| {
        c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | '/' | '\\' | '—' | '–' | '无')
    });
    if !starts_like_value {
        return None;
    }
    let s = fold_width_cow(raw);
    if s.is_empty() {
        return Some(f(Value::Blank, None, None));
    }
    if matches!(&*s, "/" | "-" | "—" | "——" | "–" | "无" | "--" | "\\") {
        return Some(f(Value::NotApplicable, None, None));
    }
    // number [unit] [(note)]
    let num_end = s
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit() || c == '.' || c == ',' || (i == 0 && (c == '+' || c == '-')))
        })
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let number = Decimal::parse(&s[..num_end])?;
    let mut rest = &s[num_end..];
    let mut unit = None;
    for u in UNITS {
        if let Some(r) = rest.strip_prefix(u) {
            unit = Some(u);
            rest = r;
            break;
        }
    }
    let note = if rest.is_empty() {
        None
    } else if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner)
    } else {
        return None;
    };
    let unit = match unit {
        Some("万") => Some("万元"),
        _ => unit,
    };
    Some(f(Value::Number(number), unit, note))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Value {
        Value::Number(Decimal::parse(s).unwrap())
    }

    #[test]
    fn only_value_like_text_parses() {
        assert!(Cell::parse("（一）予以公开", false).is_none());
        assert!(Cell::parse("总计", false).is_none());
        assert_eq!(Cell::parse("　－2", false).unwrap().value, num("-2"));
        assert_eq!(
            Cell::parse("无", false).unwrap().value,
            Value::NotApplicable
        );
        assert_eq!(
            Cell::parse("／", false).unwrap().value,
            Value::NotApplicable
        );
        assert_eq!(Cell::parse("　", false).unwrap().value, Value::Blank);
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(
            Decimal::parse("15954.526468").unwrap().to_string(),
            "15954.526468"
        );
        assert_eq!(Decimal::parse("+451").unwrap().to_i64(), Some(451));
        assert_eq!(Decimal::parse("-2147").unwrap().to_i64(), Some(-2147));
        assert_eq!(Decimal::parse("1,234").unwrap().to_i64(), Some(1234));
        assert_eq!(Decimal::parse("1,23"), None);
        assert_eq!(Decimal::parse("1."), None);
        assert_eq!(Decimal::parse("."), None);
        assert_eq!(
            Decimal::parse("251000").unwrap().shift_down(4).to_string(),
            "25.1"
        );
        assert_eq!(
            Decimal::parse("0.5").unwrap().shift_down(4).to_string(),
            "0.00005"
        );
        let a = Decimal::parse("1.25")
            .unwrap()
            .add(Decimal::parse("2.75").unwrap());
        assert_eq!(a.to_i64(), Some(4));
        assert_eq!(
            Decimal::parse("1370.00").unwrap(),
            Decimal::parse("1370").unwrap()
        );
    }

    #[test]
    fn significant_digits_drop_leading_and_trailing_zeros() {
        for (s, n) in [
            ("0", 1),
            ("0.00120", 2),
            ("1000", 1),
            ("-1203", 4),
            ("15954.526468", 11),
            ("99999999999999999999", 20),
        ] {
            assert_eq!(Decimal::parse(s).unwrap().significant_digits(), n, "{s}");
        }
    }

    #[test]
    fn printed_cells() {
        let c = Cell::parse("164.504万", true).unwrap();
        assert_eq!(c.value, num("164.504"));
        assert_eq!(c.unit.as_deref(), Some("万元"));
        assert_eq!(c.raw, "164.504万");
        let c = Cell::parse("251000元", true).unwrap();
        assert_eq!(c.value, num("25.1"));
        assert_eq!(c.unit.as_deref(), Some("元"));
        let c = Cell::parse("22（其中修订16件）", false).unwrap();
        assert_eq!(c.value, num("22"));
        assert_eq!(c.note.as_deref(), Some("其中修订16件"));
        assert_eq!(Cell::parse("１２", false).unwrap().value, num("12"));
        assert_eq!(Cell::parse("", false).unwrap().value, Value::Blank);
        assert_eq!(Cell::parse("/", false).unwrap().value, Value::NotApplicable);
        assert_eq!(Cell::parse("—", false).unwrap().value, Value::NotApplicable);
        assert_eq!(
            Cell::parse("无", false).unwrap().value,
            Value::NotApplicable
        );
        assert_eq!(Cell::parse("-1", false).unwrap().value, num("-1"));
        assert_eq!(Cell::parse("38.41 万", true).unwrap().value, num("38.41"));
    }

    #[test]
    fn labels_are_not_values() {
        for label in [
            "1.属于国家秘密",
            "规章",
            "1.",
            "（一）予以公开",
            "2020年",
            "第1项",
        ] {
            assert!(Cell::parse(label, false).is_none(), "{label}");
        }
    }

    #[test]
    fn json_forms() {
        assert_eq!(num("7").to_json(), serde_json::json!(7));
        assert_eq!(Value::Blank.to_json(), serde_json::Value::Null);
        assert_eq!(Value::NotApplicable.to_json(), serde_json::json!("n/a"));
        assert_eq!(num("5949.088667").to_json(), serde_json::json!(5949.088667));
    }
}
