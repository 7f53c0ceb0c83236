//! 信息处理费 (《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号).
//!
//! Both standards are 超额累进 (progressive over the free quota); one application is
//! charged by one standard only (第三条).

/// 按件计收 (第四条): the fee in 元 for the `k`-th application (1-based) that the same
/// applicant filed with the agency in one natural month. 1–10 free; 11–30 100 元 each;
/// from the 31st, every further band of 10 costs 100 元 more per application.
pub fn per_item_fee(k: u32) -> u64 {
    match k {
        0..=10 => 0,
        11..=30 => 100,
        _ => 100 * (2 + u64::from(k - 31) / 10),
    }
}

/// 按件计收: the total in 元 for `count` applications of one applicant in one month.
pub fn per_item_total(count: u32) -> u64 {
    (1..=count).map(per_item_fee).sum()
}

/// 按量计收 (第五条): the fee in 元 for one application of `pages` pages (or the
/// equivalent units): 1–30 free, pages 31–100 at 10 元, 101–200 at 20 元, 201 on at 40 元.
pub fn per_volume_fee(pages: u32) -> u64 {
    let p = u64::from(pages);
    let band = |lo: u64, hi: u64| p.min(hi).saturating_sub(lo);
    10 * band(30, 100) + 20 * band(100, 200) + 40 * p.saturating_sub(200)
}

/// Working days the applicant has to pay after receiving the 收费通知 (第六条, as
/// implemented locally; counted from the day after receipt of the notice).
pub const PAYMENT_WORKING_DAYS: u32 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    /// 办法第四条的收费标准表：10件以下（含10件）不收费；11—30件（含30件）100元/件；
    /// 31件以上以10件为一档，每增加一档，收费标准提高100元/件。
    #[test]
    fn art4_per_item_table() {
        let table = [
            (1, 0),
            (10, 0),
            (11, 100),
            (30, 100),
            (31, 200),
            (40, 200),
            (41, 300),
            (50, 300),
            (51, 400),
            (60, 400),
            (61, 500),
        ];
        for (k, fee) in table {
            assert_eq!(per_item_fee(k), fee, "第 {k} 件");
        }
    }

    /// 第四条：按件累进合计。
    #[test]
    fn art4_per_item_totals() {
        assert_eq!(per_item_total(10), 0);
        assert_eq!(per_item_total(11), 100);
        assert_eq!(per_item_total(30), 2_000);
        assert_eq!(per_item_total(40), 2_000 + 2_000);
        assert_eq!(per_item_total(45), 4_000 + 5 * 300);
    }

    /// 办法第五条的收费标准表：30页以下（含30页）不收费；31—100页（含100页）的部分10元/页；
    /// 101—200页（含200页）的部分20元/页；200页以上的部分40元/页。
    #[test]
    fn art5_per_volume_table() {
        let table = [
            (0, 0),
            (30, 0),
            (31, 10),
            (100, 700),
            (101, 720),
            (200, 2_700),
            (201, 2_740),
            (250, 2_700 + 50 * 40),
        ];
        for (p, fee) in table {
            assert_eq!(per_volume_fee(p), fee, "{p} 页");
        }
    }
}
