//! The statutory letters of a case, worded from templates the agency's administrator
//! may edit (each edit a new version in the store). A template is plain text: one
//! paragraph per line, with fields in braces — `{申请人}`, `{收到日期}` … — filled
//! from the case. An unknown field is left as written, so a typo shows in the letter
//! preview rather than vanishing.

use gongkai_cases::{Case, Outcome};
use gongkai_render::letter::Letter;

/// A kind of letter: its store key, its title, and its built-in wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LetterKind {
    pub key: &'static str,
    pub title: &'static str,
    pub default_body: &'static str,
}

const REMEDY: &str = "如对本答复不服，可以自收到本答复之日起六十日内向{复议机关}申请行政复议，或者自收到本答复之日起六个月内依法向人民法院提起行政诉讼。";

pub const CORRECTION: LetterKind = LetterKind {
    key: "correction",
    title: "补正申请告知书",
    default_body: "本机关于{收到日期}收到您提出的政府信息公开申请（申请编号：{编号}），申请内容为：“{申请内容}”。\n\
经审查，您的申请内容不明确。根据《中华人民共和国政府信息公开条例》第三十条的规定，请您于{补正期限}前对下列事项作出补正：{补正事项}。\n\
答复期限自本机关收到补正后的申请之日起计算。无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
};

pub const CONSULTATION: LetterKind = LetterKind {
    key: "consultation",
    title: "政府信息公开征求意见函",
    default_body: "本机关于{收到日期}收到政府信息公开申请（申请编号：{编号}），申请公开“{申请内容}”。经审查，该信息的公开{征求事由}。\n\
根据《中华人民共和国政府信息公开条例》{征求依据}的规定，现书面征求你方意见。请于{回复期限}前书面答复本机关；逾期未提出意见的，由本机关依照条例的规定决定是否公开。",
};

pub const EXTENSION: LetterKind = LetterKind {
    key: "extension",
    title: "延期答复告知书",
    default_body: "本机关于{收到日期}收到您提出的政府信息公开申请（申请编号：{编号}）。因{延期理由}，本机关不能在规定期限内作出答复。\n\
根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，经政府信息公开工作机构负责人同意，答复期限延长{延期天数}个工作日，本机关将于{答复期限}前作出答复。",
};

pub const FEE: LetterKind = LetterKind {
    key: "fee",
    title: "收取信息处理费通知书",
    default_body: "本机关于{收到日期}收到您提出的政府信息公开申请（申请编号：{编号}）。根据《中华人民共和国政府信息公开条例》第四十二条和《政府信息公开信息处理费管理办法》的规定，您本次申请需缴纳信息处理费人民币{金额}元（{计收方式}）。\n\
请于{缴费期限}前缴纳。逾期未缴纳的，视为放弃申请，本机关不再处理该申请。自本通知发出之日起至您缴纳费用之日止的期间，不计算在答复期限内。",
};

/// The answer (答复书); its middle paragraph depends on the outcome.
pub const ANSWER: LetterKind = LetterKind {
    key: "answer",
    title: "政府信息公开申请答复书",
    default_body: "本机关于{收到日期}收到您提出的政府信息公开申请（申请编号：{编号}），申请获取“{申请内容}”。经审查，现答复如下：\n\
{答复内容}\n\
{救济途径}",
};

pub const ALL: [LetterKind; 5] = [CORRECTION, CONSULTATION, EXTENSION, FEE, ANSWER];

pub fn kind(key: &str) -> Option<LetterKind> {
    ALL.into_iter().find(|k| k.key == key)
}

/// The middle paragraph of an answer, by outcome, citing its article.
pub fn answer_text(outcome: Outcome, basis: &str) -> String {
    let tiao = |s: &str| format!("根据《中华人民共和国政府信息公开条例》{basis}的规定，{s}");
    match outcome {
        Outcome::Granted => {
            tiao("本机关予以公开。所申请的政府信息见附件（或按您选择的方式提供）。")
        }
        Outcome::Partial => tiao(
            "您申请的政府信息中含有不应当公开的内容，本机关对可以公开的部分予以公开（见附件），对不应当公开的部分不予公开，并说明理由如下：{不予公开理由}。",
        ),
        Outcome::DeniedStateSecret => tiao("您申请的政府信息属于国家秘密，本机关不予公开。"),
        Outcome::DeniedProhibitedByLaw => {
            tiao("您申请的政府信息属于法律、行政法规禁止公开的信息，本机关不予公开。")
        }
        Outcome::DeniedSecurityStability => tiao(
            "您申请的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，本机关不予公开。",
        ),
        Outcome::DeniedThirdParty => tiao(
            "您申请的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害，本机关不予公开。",
        ),
        Outcome::DeniedInternalAffairs => tiao(
            "您申请的政府信息属于人事管理、后勤管理、内部工作流程等内部事务信息，本机关不予公开。",
        ),
        Outcome::DeniedDeliberative => tiao(
            "您申请的政府信息属于本机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息，本机关不予公开。",
        ),
        Outcome::DeniedEnforcementFile => {
            tiao("您申请的政府信息属于行政执法案卷信息，本机关不予公开。")
        }
        Outcome::DeniedAdminQuery => tiao(
            "您申请的事项属于依照法律、行政法规的规定办理查询的事项，请按照有关法律、行政法规的规定办理。",
        ),
        Outcome::UnavailableNotHeld => {
            tiao("经检索，本机关未制作或者获取您申请的政府信息，该政府信息不存在。特此告知。")
        }
        Outcome::UnavailableNeedsCreation => tiao(
            "您申请的信息需要本机关对现有政府信息进行加工、分析后方能提供，本机关可以不予提供。",
        ),
        Outcome::UnavailableUnclear => tiao(
            "本机关已告知您补正，补正后您的申请内容仍不明确，本机关无法确定您所需要的政府信息，特此告知。",
        ),
        Outcome::RejectedPetition => tiao(
            "您以政府信息公开申请的形式进行信访、投诉、举报等活动，本机关不作为政府信息公开申请处理，请通过相应渠道提出。",
        ),
        Outcome::RejectedDuplicate => tiao(
            "您已就同一政府信息提出过公开申请，本机关已作出答复，且您重复申请的，本机关不予重复处理。",
        ),
        Outcome::RejectedPublication => tiao(
            "您申请获取的信息属于公开出版物，本机关不作为政府信息公开申请处理，您可以通过公开渠道获取。",
        ),
        Outcome::RejectedExcessive => {
            tiao("您的申请数量、频次明显超过合理范围且未说明理由，本机关不予处理。")
        }
        Outcome::RejectedConfirmation => tiao(
            "您要求本机关确认或者重新出具已获取的信息，不属于政府信息公开申请，本机关不予处理。",
        ),
        Outcome::OtherNoCorrection => tiao(
            "本机关已告知您补正申请，您无正当理由逾期未补正，视为放弃申请，本机关不再处理该申请。",
        ),
        Outcome::OtherFeeUnpaid => {
            tiao("本机关已通知您缴纳信息处理费，您逾期未缴纳，视为放弃申请，本机关不再处理该申请。")
        }
        Outcome::OtherOther => format!(
            "{}本机关处理如下：{{处理说明}}",
            if basis.is_empty() {
                String::new()
            } else {
                format!("根据《中华人民共和国政府信息公开条例》{basis}的规定，")
            }
        ),
    }
}

/// The remedy paragraph (救济途径): review within 60 days, suit within 6 months.
pub fn remedy(review_body: &str) -> String {
    REMEDY.replace("{复议机关}", review_body)
}

/// Fills `{field}`s of `body` from `fields`; unknown fields stay as written.
pub fn fill(body: &str, fields: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(body.len() * 2);
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match fields.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{field}` names written in `body`, in order, each once.
pub fn placeholders(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = after[..close].to_string();
        if !out.contains(&name) {
            out.push(name);
        }
        rest = &after[close + 1..];
    }
    out
}

/// The fields of every case letter (`case_fields`).
const COMMON_FIELDS: [&str; 6] = ["申请人", "编号", "收到日期", "申请内容", "机关", "复议机关"];

/// Every field a template of `kind` may use.
pub fn fields_of(kind: LetterKind) -> Vec<String> {
    let mut out: Vec<String> = COMMON_FIELDS.iter().map(|s| s.to_string()).collect();
    let extra: &[&str] = if kind == ANSWER {
        &["不予公开理由", "处理说明"]
    } else {
        &[]
    };
    for f in placeholders(kind.default_body)
        .into_iter()
        .chain(extra.iter().map(|s| s.to_string()))
    {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// The fields of `body` that a letter of `kind` cannot fill.
pub fn unknown_fields(kind: LetterKind, body: &str) -> Vec<String> {
    let known = fields_of(kind);
    placeholders(body)
        .into_iter()
        .filter(|f| !known.contains(f))
        .collect()
}

/// A date as letters print it: 2026年12月1日.
pub fn cn_date(d: gongkai_cases::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The fields every letter of `case` can use.
pub fn case_fields(
    case: &Case,
    number: &str,
    agency: &str,
    review_body: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("申请人", case.applicant.name.clone()),
        ("编号", number.to_string()),
        ("收到日期", cn_date(case.receipt)),
        ("申请内容", case.request.clone()),
        ("机关", agency.to_string()),
        ("复议机关", review_body.to_string()),
    ]
}

/// Words `kind` with `body` (the agency's template or the built-in one) and `fields`.
pub fn compose(
    kind: LetterKind,
    body: &str,
    fields: &[(&str, String)],
    addressee: &str,
    signature: &str,
    date: gongkai_cases::NaiveDate,
) -> Letter {
    // Fields may themselves hold fields (the answer's middle paragraph): fill twice.
    let text = fill(&fill(body, fields), fields);
    Letter {
        title: kind.title.to_string(),
        number: String::new(),
        addressee: addressee.to_string(),
        paragraphs: text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        signature: signature.to_string(),
        date: cn_date(date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_known_fields_and_keeps_unknown_ones() {
        let f = [
            ("申请人", "张三".to_string()),
            ("编号", "2026-00001".to_string()),
        ];
        assert_eq!(
            fill("{申请人}（{编号}）{未知}{", &f),
            "张三（2026-00001）{未知}{"
        );
    }

    #[test]
    fn every_outcome_has_an_answer_citing_its_article() {
        for o in Outcome::ALL {
            let t = answer_text(o, o.default_basis());
            assert!(!t.is_empty());
            if !o.default_basis().is_empty() {
                assert!(t.contains(o.default_basis()), "{o:?}: {t}");
            }
        }
        assert!(remedy("演示市人民政府").contains("六十日内向演示市人民政府申请行政复议"));
        assert!(remedy("x").contains("六个月内"));
    }
}
