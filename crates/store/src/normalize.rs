//! The key that groups the reports of one agency across years.

/// Normalises an agency name to the key its reports are grouped by across years.
///
/// Only presentation is folded: white space of every kind (ASCII, full-width U+3000,
/// no-break, zero-width) is removed and full-width ASCII (`（`, `Ａ`, `１`) becomes
/// half-width. Words are never dropped: 某市人民政府 and 某市人民政府办公室 are two
/// different agencies and keep two different keys. `None` for a name that is empty
/// after folding.
pub fn agency_key(name: &str) -> Option<String> {
    let key: String = name
        .chars()
        .filter(|c| {
            !(c.is_whitespace()
                || matches!(
                    *c,
                    '\u{00a0}' | '\u{3000}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}'
                ))
        })
        .map(|c| match c {
            // Full-width ASCII block → ASCII.
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        })
        .collect();
    if key.is_empty() { None } else { Some(key) }
}

#[cfg(test)]
mod tests {
    use super::agency_key;

    #[test]
    fn folds_spaces_and_width_only() {
        assert_eq!(
            agency_key("　铜川市 人民政府办公室\u{a0}").as_deref(),
            Some("铜川市人民政府办公室")
        );
        assert_eq!(
            agency_key("某县（区）人民政府").as_deref(),
            Some("某县(区)人民政府")
        );
        assert_ne!(agency_key("某市人民政府"), agency_key("某市人民政府办公室"));
        assert_eq!(agency_key(" \u{3000} "), None);
    }
}
