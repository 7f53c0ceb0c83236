//! The vocabulary of a case: applicants, channels, outcomes, appeals.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Applicant type = the applicant columns of table 三.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// 自然人
    NaturalPerson,
    /// 商业企业
    Business,
    /// 科研机构
    Research,
    /// 社会公益组织
    Nonprofit,
    /// 法律服务机构
    LegalService,
    /// 其他（法人或其他组织）
    OtherOrg,
}

impl ApplicantKind {
    pub const ALL: [ApplicantKind; 6] = [
        ApplicantKind::NaturalPerson,
        ApplicantKind::Business,
        ApplicantKind::Research,
        ApplicantKind::Nonprofit,
        ApplicantKind::LegalService,
        ApplicantKind::OtherOrg,
    ];

    /// Column key of table 三 (`spec/cells.tsv`).
    pub fn column_key(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "natural_person",
            ApplicantKind::Business => "business",
            ApplicantKind::Research => "research",
            ApplicantKind::Nonprofit => "nonprofit",
            ApplicantKind::LegalService => "legal_service",
            ApplicantKind::OtherOrg => "other_org",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "自然人",
            ApplicantKind::Business => "商业企业",
            ApplicantKind::Research => "科研机构",
            ApplicantKind::Nonprofit => "社会公益组织",
            ApplicantKind::LegalService => "法律服务机构",
            ApplicantKind::OtherOrg => "其他组织",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Who applies (条例第二十九条第（一）项).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub kind: ApplicantKind,
    pub name: String,
    /// A stable identity (ID card or 统一社会信用代码, or a hash of it). Counting
    /// applications per applicant per month for 按件计收 uses it; defaults to `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Applicant {
    pub fn identity(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.name)
    }
}

/// How the application arrived; decides the legal receipt date (条例第三十一条).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 当面提交
    InPerson,
    /// 邮寄，需签收
    PostSigned,
    /// 平常信函等无需签收的邮件
    PlainLetter,
    /// 互联网渠道（网站、平台）
    Online,
    /// 传真
    Fax,
    /// 电子邮件
    Email,
}

impl Channel {
    pub fn label(self) -> &'static str {
        match self {
            Channel::InPerson => "当面提交",
            Channel::PostSigned => "邮寄（签收）",
            Channel::PlainLetter => "平常信函",
            Channel::Online => "互联网渠道",
            Channel::Fax => "传真",
            Channel::Email => "电子邮件",
        }
    }

    /// The legal receipt date (条例第三十一条): `submitted` is the day the application
    /// was handed in or arrived; `confirmed` the signing day (邮寄) or the day the
    /// receipt was confirmed (平常信函, and with the applicant for online / fax / e-mail).
    pub fn receipt_date(
        self,
        submitted: NaiveDate,
        confirmed: Option<NaiveDate>,
    ) -> Result<NaiveDate, String> {
        let need = |what: &str| -> Result<NaiveDate, String> {
            let c = confirmed.ok_or_else(|| {
                format!(
                    "{}申请须填写{what}（confirmed），以其为收到申请之日（条例第三十一条）",
                    self.label()
                )
            })?;
            if c < submitted {
                return Err(format!("{what} {c} 早于提交日期 {submitted}"));
            }
            Ok(c)
        };
        match self {
            // 第三十一条第（一）项: the day of submission.
            Channel::InPerson => Ok(submitted),
            // 第三十一条第（二）项: the day the agency signs for it.
            Channel::PostSigned => need("签收日期"),
            // 第三十一条第（二）项: confirmed with the applicant on the day received.
            Channel::PlainLetter => need("与申请人确认的日期"),
            // 第三十一条第（三）项: the day both sides confirm.
            Channel::Online | Channel::Fax | Channel::Email => need("双方确认的日期"),
        }
    }
}

/// A leaf outcome row of table 三 in the 2021 coding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    #[serde(rename = "granted")]
    Granted,
    #[serde(rename = "partial")]
    Partial,
    #[serde(rename = "denied.state_secret")]
    DeniedStateSecret,
    #[serde(rename = "denied.prohibited_by_law")]
    DeniedProhibitedByLaw,
    #[serde(rename = "denied.security_stability")]
    DeniedSecurityStability,
    #[serde(rename = "denied.third_party")]
    DeniedThirdParty,
    #[serde(rename = "denied.internal_affairs")]
    DeniedInternalAffairs,
    #[serde(rename = "denied.deliberative")]
    DeniedDeliberative,
    #[serde(rename = "denied.enforcement_file")]
    DeniedEnforcementFile,
    #[serde(rename = "denied.admin_query")]
    DeniedAdminQuery,
    #[serde(rename = "unavailable.not_held")]
    UnavailableNotHeld,
    #[serde(rename = "unavailable.needs_creation")]
    UnavailableNeedsCreation,
    #[serde(rename = "unavailable.unclear")]
    UnavailableUnclear,
    #[serde(rename = "rejected.petition")]
    RejectedPetition,
    #[serde(rename = "rejected.duplicate")]
    RejectedDuplicate,
    #[serde(rename = "rejected.publication")]
    RejectedPublication,
    #[serde(rename = "rejected.excessive")]
    RejectedExcessive,
    #[serde(rename = "rejected.confirmation")]
    RejectedConfirmation,
    #[serde(rename = "other.no_correction")]
    OtherNoCorrection,
    #[serde(rename = "other.fee_unpaid")]
    OtherFeeUnpaid,
    #[serde(rename = "other.other")]
    OtherOther,
}

impl Outcome {
    /// All leaf rows in template order.
    pub const ALL: [Outcome; 21] = [
        Outcome::Granted,
        Outcome::Partial,
        Outcome::DeniedStateSecret,
        Outcome::DeniedProhibitedByLaw,
        Outcome::DeniedSecurityStability,
        Outcome::DeniedThirdParty,
        Outcome::DeniedInternalAffairs,
        Outcome::DeniedDeliberative,
        Outcome::DeniedEnforcementFile,
        Outcome::DeniedAdminQuery,
        Outcome::UnavailableNotHeld,
        Outcome::UnavailableNeedsCreation,
        Outcome::UnavailableUnclear,
        Outcome::RejectedPetition,
        Outcome::RejectedDuplicate,
        Outcome::RejectedPublication,
        Outcome::RejectedExcessive,
        Outcome::RejectedConfirmation,
        Outcome::OtherNoCorrection,
        Outcome::OtherFeeUnpaid,
        Outcome::OtherOther,
    ];

    /// Row key in the 2021 template (`requests.<row>.<column>`).
    pub fn row_key(self) -> &'static str {
        match self {
            Outcome::Granted => "granted",
            Outcome::Partial => "partial",
            Outcome::DeniedStateSecret => "denied.state_secret",
            Outcome::DeniedProhibitedByLaw => "denied.prohibited_by_law",
            Outcome::DeniedSecurityStability => "denied.security_stability",
            Outcome::DeniedThirdParty => "denied.third_party",
            Outcome::DeniedInternalAffairs => "denied.internal_affairs",
            Outcome::DeniedDeliberative => "denied.deliberative",
            Outcome::DeniedEnforcementFile => "denied.enforcement_file",
            Outcome::DeniedAdminQuery => "denied.admin_query",
            Outcome::UnavailableNotHeld => "unavailable.not_held",
            Outcome::UnavailableNeedsCreation => "unavailable.needs_creation",
            Outcome::UnavailableUnclear => "unavailable.unclear",
            Outcome::RejectedPetition => "rejected.petition",
            Outcome::RejectedDuplicate => "rejected.duplicate",
            Outcome::RejectedPublication => "rejected.publication",
            Outcome::RejectedExcessive => "rejected.excessive",
            Outcome::RejectedConfirmation => "rejected.confirmation",
            Outcome::OtherNoCorrection => "other.no_correction",
            Outcome::OtherFeeUnpaid => "other.fee_unpaid",
            Outcome::OtherOther => "other.other",
        }
    }

    pub fn from_row_key(key: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.row_key() == key)
    }

    /// Row key in the 2019 template, where （六）其他处理 is one row.
    pub fn row_key_2019(self) -> &'static str {
        if self.is_other() {
            "other"
        } else {
            self.row_key()
        }
    }

    pub fn is_other(self) -> bool {
        matches!(
            self,
            Outcome::OtherNoCorrection | Outcome::OtherFeeUnpaid | Outcome::OtherOther
        )
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The template's row label.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Granted => "予以公开",
            Outcome::Partial => "部分公开",
            Outcome::DeniedStateSecret => "不予公开：属于国家秘密",
            Outcome::DeniedProhibitedByLaw => "不予公开：其他法律行政法规禁止公开",
            Outcome::DeniedSecurityStability => "不予公开：危及“三安全一稳定”",
            Outcome::DeniedThirdParty => "不予公开：保护第三方合法权益",
            Outcome::DeniedInternalAffairs => "不予公开：属于三类内部事务信息",
            Outcome::DeniedDeliberative => "不予公开：属于四类过程性信息",
            Outcome::DeniedEnforcementFile => "不予公开：属于行政执法案卷",
            Outcome::DeniedAdminQuery => "不予公开：属于行政查询事项",
            Outcome::UnavailableNotHeld => "无法提供：本机关不掌握相关政府信息",
            Outcome::UnavailableNeedsCreation => "无法提供：没有现成信息需要另行制作",
            Outcome::UnavailableUnclear => "无法提供：补正后申请内容仍不明确",
            Outcome::RejectedPetition => "不予处理：信访举报投诉类申请",
            Outcome::RejectedDuplicate => "不予处理：重复申请",
            Outcome::RejectedPublication => "不予处理：要求提供公开出版物",
            Outcome::RejectedExcessive => "不予处理：无正当理由大量反复申请",
            Outcome::RejectedConfirmation => "不予处理：要求行政机关确认或重新出具已获取信息",
            Outcome::OtherNoCorrection => "其他处理：逾期不补正",
            Outcome::OtherFeeUnpaid => "其他处理：逾期未缴纳信息处理费",
            Outcome::OtherOther => "其他处理：其他",
        }
    }

    /// The usual legal basis, used when a decision names none (standards §1.7).
    pub fn default_basis(self) -> &'static str {
        match self {
            Outcome::Granted => "第三十六条第（一）（二）项",
            Outcome::Partial => "第三十七条",
            Outcome::DeniedStateSecret
            | Outcome::DeniedProhibitedByLaw
            | Outcome::DeniedSecurityStability => "第十四条、第三十六条第（三）项",
            Outcome::DeniedThirdParty => "第十五条、第三十二条、第三十六条第（三）项",
            Outcome::DeniedInternalAffairs
            | Outcome::DeniedDeliberative
            | Outcome::DeniedEnforcementFile => "第十六条、第三十六条第（三）项",
            Outcome::DeniedAdminQuery => "第三十六条第（七）项",
            Outcome::UnavailableNotHeld => "第三十六条第（四）（五）项",
            Outcome::UnavailableNeedsCreation => "第三十八条",
            Outcome::UnavailableUnclear => "第三十条",
            Outcome::RejectedPetition => "第三十九条第一款",
            Outcome::RejectedDuplicate => "第三十六条第（六）项",
            Outcome::RejectedPublication => "第三十九条第二款",
            Outcome::RejectedExcessive => "第三十五条",
            Outcome::RejectedConfirmation => "第三十六条",
            Outcome::OtherNoCorrection => "第三十条",
            Outcome::OtherFeeUnpaid => "第四十二条、《政府信息公开信息处理费管理办法》",
            Outcome::OtherOther => "",
        }
    }
}

/// The remedy sought (table 四 rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealKind {
    /// 行政复议
    Review,
    /// 行政诉讼，未经复议直接起诉
    SuitDirect,
    /// 行政诉讼，复议后起诉
    SuitAfterReview,
}

impl AppealKind {
    pub const ALL: [AppealKind; 3] = [
        AppealKind::Review,
        AppealKind::SuitDirect,
        AppealKind::SuitAfterReview,
    ];

    pub fn row_key(self) -> &'static str {
        match self {
            AppealKind::Review => "review",
            AppealKind::SuitDirect => "suit_direct",
            AppealKind::SuitAfterReview => "suit_after_review",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AppealKind::Review => "行政复议",
            AppealKind::SuitDirect => "行政诉讼（未经复议直接起诉）",
            AppealKind::SuitAfterReview => "行政诉讼（复议后起诉）",
        }
    }
}

/// The result of an appeal (table 四 columns, `pending` = no result yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealResult {
    /// 结果维持
    Upheld,
    /// 结果纠正
    Corrected,
    /// 其他结果
    Other,
}

impl AppealResult {
    pub fn label(self) -> &'static str {
        match self {
            AppealResult::Upheld => "结果维持",
            AppealResult::Corrected => "结果纠正",
            AppealResult::Other => "其他结果",
        }
    }

    pub fn column_key(self) -> &'static str {
        match self {
            AppealResult::Upheld => "upheld",
            AppealResult::Corrected => "corrected",
            AppealResult::Other => "other",
        }
    }
}

/// Whom the agency consults while the clock is paused (条例第三十二条、第三十三条、第三十四条).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consultee {
    /// 第三方（第三十二条）
    ThirdParty,
    /// 其他机关（第三十三条第三款）
    Agency,
    /// 共同制作机关（第三十四条）：逾期未答复视为同意
    CoProducer,
}

impl Consultee {
    pub fn label(self) -> &'static str {
        match self {
            Consultee::ThirdParty => "第三方",
            Consultee::Agency => "其他机关",
            Consultee::CoProducer => "共同制作机关",
        }
    }
}

/// How an information-processing fee is charged (国办函〔2020〕109号 第三条).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeMethod {
    /// 按件计收
    PerItem,
    /// 按量计收
    PerVolume,
}

impl FeeMethod {
    pub fn label(self) -> &'static str {
        match self {
            FeeMethod::PerItem => "按件计收",
            FeeMethod::PerVolume => "按量计收",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// 条例第三十一条第（一）项：当面提交的，以提交之日为收到申请之日。
    #[test]
    fn art31_in_person_receipt_is_submission_day() {
        assert_eq!(
            Channel::InPerson
                .receipt_date(d("2026-03-02"), None)
                .unwrap(),
            d("2026-03-02")
        );
    }

    /// 条例第三十一条第（二）项：邮寄的以签收之日；平常信函以确认之日。
    #[test]
    fn art31_post_uses_signing_or_confirmation_day() {
        assert_eq!(
            Channel::PostSigned
                .receipt_date(d("2026-03-02"), Some(d("2026-03-04")))
                .unwrap(),
            d("2026-03-04")
        );
        let e = Channel::PlainLetter
            .receipt_date(d("2026-03-02"), None)
            .unwrap_err();
        assert!(e.contains("第三十一条"), "{e}");
    }

    /// 条例第三十一条第（三）项：互联网渠道、传真以双方确认之日。
    #[test]
    fn art31_online_fax_email_use_confirmation_day() {
        for ch in [Channel::Online, Channel::Fax, Channel::Email] {
            assert!(ch.receipt_date(d("2026-03-02"), None).is_err());
            assert_eq!(
                ch.receipt_date(d("2026-03-02"), Some(d("2026-03-03")))
                    .unwrap(),
                d("2026-03-03")
            );
            assert!(
                ch.receipt_date(d("2026-03-02"), Some(d("2026-03-01")))
                    .is_err()
            );
        }
    }

    #[test]
    fn outcome_keys_round_trip_and_2019_merges_other_rows() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_row_key(o.row_key()), Some(o));
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(json, format!("\"{}\"", o.row_key()));
        }
        assert_eq!(Outcome::OtherFeeUnpaid.row_key_2019(), "other");
        assert_eq!(Outcome::Partial.row_key_2019(), "partial");
        assert_eq!(Outcome::ALL.iter().filter(|o| o.is_other()).count(), 3);
        for (i, o) in Outcome::ALL.iter().enumerate() {
            assert_eq!(o.index(), i);
        }
    }
}
