//! The agency's 政府信息公开指南 (条例第十二条): how information is classified and
//! obtained, and where, when and how to apply. The agency's administrator words it
//! from a built-in outline; each save is a new version. A guide still holding an
//! outline blank (「（请填写…）」) is not saved: a published guide must not send an
//! applicant to an address nobody filled in.

use crate::Office;
use crate::error::{OfficeError, Result};
use crate::roles::{Actor, Permission};

/// The store's template kind for the guide.
const KIND: &str = "guide";

/// The longest guide accepted.
pub const MAX_GUIDE_CHARS: usize = 20_000;

/// What an outline blank starts with.
pub const BLANK: &str = "（请填写";

/// The built-in outline, after the 条例; `{机关}` is the agency's name.
pub const OUTLINE: &str = "{机关}政府信息公开指南
为便于公民、法人和其他组织获取本机关的政府信息，根据《中华人民共和国政府信息公开条例》（以下简称《条例》），编制本指南。
一、主动公开
本机关主动公开的政府信息按机构职能、政策文件、规划计划、财政预决算、行政执法等分类编排，通过本机关门户网站政府信息公开专栏、政府公报、政务服务场所等途径公开。主动公开的政府信息，自该信息形成或者变更之日起20个工作日内予以公开（《条例》第二十六条）。
二、依申请公开
（一）受理机构：{机关}政府信息公开工作机构。办公地址：（请填写办公地址）；邮政编码：（请填写邮政编码）；办公时间：（请填写办公时间）；联系电话：（请填写联系电话）；传真：（请填写传真号码）；电子邮箱：（请填写电子邮箱）。
（二）申请方式：可以当面提交、邮寄或者传真书面申请，也可以通过电子邮件或者本机关的网上申请渠道提出申请。采用书面形式确有困难的，可以口头提出，由受理机构代为填写申请。
（三）申请内容：申请人的姓名或者名称、身份证明、联系方式；申请公开的政府信息的名称、文号或者便于查询的其他特征性描述；申请公开的政府信息的形式要求，包括获取信息的方式、途径（《条例》第二十九条）。申请内容不明确的，本机关自收到申请之日起7个工作日内一次性告知补正。
（四）答复期限：能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起20个工作日内予以答复；需要延长答复期限的，经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不超过20个工作日。征求第三方和其他机关意见所需时间不计算在前述期限内（《条例》第三十三条）。
（五）收费：本机关依申请提供政府信息，不收取费用。申请人申请公开政府信息的数量、频次明显超过合理范围的，按照《政府信息公开信息处理费管理办法》收取信息处理费（《条例》第四十二条）。
三、监督和救济
公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼（《条例》第五十一条）。";

/// What the public reads where the agency never saved its guide: a plain notice
/// and what the system knows without the agency — its name, the online channel of
/// this platform, and what the 条例 lays down for every agency (contents of an
/// application, time limits, fees, remedies). Never the outline's blanks.
pub const UNPUBLISHED: &str = "{机关}政府信息公开指南
本机关尚未发布政府信息公开指南，请通过下列渠道联系。以下为《中华人民共和国政府信息公开条例》（以下简称《条例》）对各行政机关的共同规定。
一、申请渠道
（一）网上申请：通过本平台向{机关}在线提交政府信息公开申请，提交后凭申请编号和查询码查询办理进度、提交补正、下载答复文书。
（二）书面申请：也可以采用信件、数据电文等书面形式向{机关}的政府信息公开工作机构提出申请；采用书面形式确有困难的，可以口头提出，由受理申请的政府信息公开工作机构代为填写申请（《条例》第二十九条）。
二、申请内容
申请人的姓名或者名称、身份证明、联系方式；申请公开的政府信息的名称、文号或者便于查询的其他特征性描述；申请公开的政府信息的形式要求，包括获取信息的方式、途径（《条例》第二十九条）。申请内容不明确的，行政机关自收到申请之日起7个工作日内一次性告知补正，答复期限自收到补正的申请之日起计算（《条例》第三十条）。
三、答复期限
能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起20个工作日内予以答复；需要延长答复期限的，经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不超过20个工作日。征求第三方和其他机关意见所需时间不计算在前述期限内（《条例》第三十三条）。
四、收费
行政机关依申请提供政府信息，不收取费用。申请人申请公开政府信息的数量、频次明显超过合理范围的，行政机关可以收取信息处理费（《条例》第四十二条）。
五、监督和救济
公民、法人或者其他组织认为行政机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼（《条例》第五十一条）。";

/// The guide as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guide {
    pub body: String,
    /// The agency has saved its own wording (else: the outline).
    pub customized: bool,
}

impl Office {
    /// The agency's guide: public information, read by anyone.
    pub async fn guide(&self, agency_id: i64) -> Result<Guide> {
        let agency = self.agency(agency_id).await?;
        Ok(match self.store.doc_template(agency.id, KIND).await? {
            Some(body) => Guide {
                body,
                customized: true,
            },
            None => Guide {
                body: OUTLINE.replace("{机关}", &agency.name),
                customized: false,
            },
        })
    }

    /// The guide as the public reads it: the agency's own, or where it never saved
    /// one, `UNPUBLISHED` (the outline's blanks are the administrator's to fill, not
    /// the public's to read).
    pub async fn public_guide(&self, agency_id: i64) -> Result<Guide> {
        let guide = self.guide(agency_id).await?;
        if guide.customized {
            return Ok(guide);
        }
        let agency = self.agency(agency_id).await?;
        Ok(Guide {
            body: UNPUBLISHED.replace("{机关}", &agency.name),
            customized: false,
        })
    }

    /// Saves a new version of the agency's guide.
    pub async fn save_guide(
        &self,
        actor: &Actor,
        agency_id: i64,
        body: &str,
        address: Option<&str>,
    ) -> Result<()> {
        let agency = self.agency(agency_id).await?;
        actor.require(Permission::EditTemplates, &agency.path)?;
        let body = body.replace("\r\n", "\n");
        let body = body.trim();
        if body.is_empty() {
            return Err(OfficeError::Invalid("公开指南不能为空".into()));
        }
        if body.chars().count() > MAX_GUIDE_CHARS {
            return Err(OfficeError::Invalid(format!(
                "公开指南不能超过 {MAX_GUIDE_CHARS} 个字"
            )));
        }
        let blanks: Vec<&str> = body
            .match_indices(BLANK)
            .map(|(i, _)| {
                let rest = &body[i..];
                rest.find('）')
                    .map_or(rest, |end| &rest[..end + '）'.len_utf8()])
            })
            .collect();
        if !blanks.is_empty() {
            return Err(OfficeError::Invalid(format!(
                "公开指南中还有未填写的内容：{}",
                blanks.join("、")
            )));
        }
        self.store
            .save_doc_template(Some(agency.id), KIND, body, Some(actor.user_id))
            .await?;
        self.audit(
            Some(actor),
            Some(agency.id),
            "修改公开指南",
            format!("guide:{}", agency.id),
            format!("{} 字", body.chars().count()),
            address,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{actor, demo_office};

    #[tokio::test(flavor = "multi_thread")]
    async fn the_guide_starts_as_the_outline_and_is_saved_only_when_filled_in() {
        let f = demo_office().await;
        let (office, d) = (&f.office, &f.demo);
        // The land bureau never wrote its guide (the demo wrote the county office's).
        let land = office
            .store
            .agencies()
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.name == "演示县自然资源局")
            .unwrap()
            .id;
        let sysadmin = actor(office, "sysadmin").await;

        let outline = office.guide(land).await.unwrap();
        assert!(!outline.customized);
        assert!(outline.body.starts_with("演示县自然资源局政府信息公开指南"));
        let e = office
            .save_guide(&sysadmin, land, &outline.body, None)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("未填写的内容：（请填写办公地址）、（请填写邮政编码）"),
            "{e}"
        );
        let filled = outline
            .body
            .replace("（请填写办公地址）", "演示县人民路3号")
            .replace("（请填写邮政编码）", "100000")
            .replace("（请填写办公时间）", "工作日 9:00–17:00")
            .replace("（请填写联系电话）", "010-12345678")
            .replace("（请填写传真号码）", "010-12345679")
            .replace("（请填写电子邮箱）", "gk@example.gov.cn");
        office
            .save_guide(&sysadmin, land, &filled, None)
            .await
            .unwrap();
        let saved = office.guide(land).await.unwrap();
        assert!(saved.customized);
        assert_eq!(saved.body, filled.trim());
        assert_eq!(office.public_guide(land).await.unwrap(), saved);
        // A clerk reads it (it is public) but does not edit it.
        let clerk = actor(office, "clerk").await;
        assert!(matches!(
            office.save_guide(&clerk, d.office_id, &filled, None).await,
            Err(OfficeError::Forbidden(_))
        ));
        let log = office.store.audit_log(Some(land), 10).await.unwrap();
        assert!(log.iter().any(|e| e.action == "修改公开指南"));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_public_never_reads_the_outlines_blanks() {
        let f = demo_office().await;
        let office = &f.office;
        let all = office.store.agencies().await.unwrap();
        let land = all.iter().find(|a| a.name == "演示县自然资源局").unwrap();
        // Never saved: the administrator's outline has blanks; the public reads a
        // plain notice, the online channel and what the 条例 says for every agency.
        assert!(office.guide(land.id).await.unwrap().body.contains(BLANK));
        let public = office.public_guide(land.id).await.unwrap();
        assert!(!public.customized);
        assert!(!public.body.contains(BLANK), "{}", public.body);
        for expected in [
            "演示县自然资源局政府信息公开指南",
            "本机关尚未发布政府信息公开指南，请通过下列渠道联系。",
            "通过本平台向演示县自然资源局在线提交政府信息公开申请",
            "7个工作日内一次性告知补正",
            "20个工作日内予以答复",
            "依法申请行政复议或者提起行政诉讼（《条例》第五十一条）",
        ] {
            assert!(
                public.body.contains(expected),
                "{expected}: {}",
                public.body
            );
        }
        // No agency of the demo shows a blank; the county office has the demo's own
        // guide, complete and marked as demo data.
        for a in &all {
            let g = office.public_guide(a.id).await.unwrap();
            assert!(!g.body.contains(BLANK), "{}: {}", a.name, g.body);
        }
        let county = office.public_guide(f.demo.office_id).await.unwrap();
        assert!(county.customized);
        assert!(
            county
                .body
                .contains("办公地址：演示省演示市演示县人民路1号"),
            "{}",
            county.body
        );
        assert!(county.body.contains("演示数据"), "{}", county.body);
    }
}
