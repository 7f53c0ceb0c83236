//! Property tests: random valid reports of both templates, written out in the text
//! and HTML layouts met in the wild, read back identical; and a random single-cell
//! change is caught by the rule that covers that cell.

mod generated;

use generated::*;
use gongkai_report::template::{self, TableId};
use gongkai_report::{Cell, Severity, Status, TemplateId, Value};
use proptest::prelude::*;

fn template_strategy() -> impl Strategy<Value = TemplateId> {
    prop_oneof![Just(TemplateId::T2019), Just(TemplateId::T2021)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_layout_reads_back_identical(t in template_strategy(), seed in prop::collection::vec(0u32..1_000_000, 40..80), blanks in any::<bool>()) {
        let r = build(t, &seed, blanks);
        assert_same(&r, &one_cell_per_line(&r), "one-cell-per-line");
        assert_same(&r, &tab_rows(&r), "tab-rows");
        assert_same(&r, &markdown(&r), "markdown");
        assert_same(&r, &html(&r), "html");
        let f = gongkai_report::check(&r);
        prop_assert!(!gongkai_report::has_errors(&f), "{f:?}");
    }

    #[test]
    fn a_single_changed_cell_is_caught(t in template_strategy(), seed in prop::collection::vec(0u32..1_000_000, 40..80), pick in any::<prop::sample::Index>(), delta in 1i64..9) {
        let r = build(t, &seed, false);
        let keys: Vec<&str> = template::cells_of(t).filter(|d| d.table != TableId::Proactive).map(|d| d.key).collect();
        let key = keys[pick.index(keys.len())];
        let mut changed = r.clone();
        let old = r.value(key).number().unwrap().to_i64().unwrap();
        changed.set(key, Cell::from_value(Value::int(old + delta)));
        // Written out and read back, the change is still caught.
        let back = gongkai_extract::read_bytes("changed", tab_rows(&changed).as_bytes()).unwrap();
        let f = gongkai_report::check(&back);
        prop_assert!(
            f.iter().any(|f| f.severity == Severity::Error && f.status == Status::Failed && f.cells.iter().any(|c| c == key)),
            "{key} +{delta} not caught: {f:?}"
        );
    }

    #[test]
    fn a_negative_count_is_caught(t in template_strategy(), seed in prop::collection::vec(0u32..1_000_000, 40..80), pick in any::<prop::sample::Index>()) {
        let r = build(t, &seed, false);
        let keys: Vec<&str> = template::cells_of(t).filter(|d| d.table == TableId::Proactive && !d.is_signed() && !d.is_amount()).map(|d| d.key).collect();
        let key = keys[pick.index(keys.len())];
        let mut changed = r.clone();
        changed.set(key, Cell::from_value(Value::int(-3)));
        let f = gongkai_report::check(&changed);
        prop_assert!(f.iter().any(|f| f.rule == "VALUE.RANGE" && f.cells.iter().any(|c| c == key)));
    }
}
