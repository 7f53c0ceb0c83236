//! The online application form (条例第二十九条) as the public fills it in: each
//! field checked with a message that says what to fix, ID numbers by their check
//! digits, and the result as the office's `Registration`.

use crate::casework::Registration;
use chrono::NaiveDate;
use gongkai_cases::{ApplicantKind, Channel};
use serde::{Deserialize, Serialize};

/// The form's fields as sent (all text: a browser sends nothing else).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    /// `natural_person`, or an organisation column key of table 三.
    pub applicant_kind: String,
    pub applicant_name: String,
    pub id_type: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub request: String,
    /// 纸质 / 电子
    pub form: String,
    /// 自行领取 / 邮寄 / 电子邮件 / 在线下载
    pub delivery: String,
}

/// One field's problem, for the message beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

pub const ID_TYPES_PERSON: [&str; 5] = [
    "居民身份证",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "护照",
    "外国人永久居留身份证",
];
pub const ID_TYPES_ORGANIZATION: [&str; 2] = ["统一社会信用代码", "其他证照"];
pub const FORMS: [&str; 2] = ["纸质", "电子"];
pub const DELIVERIES: [&str; 4] = ["自行领取", "邮寄", "电子邮件", "在线下载"];

/// The longest each field may be, in characters.
pub const MAX_NAME: usize = 100;
pub const MAX_REQUEST: usize = 2000;
pub const MAX_ADDRESS: usize = 200;
pub const MAX_CONTACT: usize = 100;

/// The applicant kinds offered, as (key, label): the columns of table 三.
pub fn applicant_kinds() -> Vec<(&'static str, &'static str)> {
    ApplicantKind::ALL
        .iter()
        .map(|k| (k.column_key(), k.label()))
        .collect()
}

/// Checks the 18-character 居民身份证号码 (GB 11643): digits, a real birth date,
/// and the ISO 7064 MOD 11-2 check character.
pub fn valid_resident_id(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d");
    b[17].to_ascii_uppercase() == check && birth.is_ok()
}

/// Checks the 18-character 统一社会信用代码 (GB 32100-2015): its alphabet and the
/// MOD 31 check character.
pub fn valid_credit_code(s: &str) -> bool {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let b: Vec<u8> = s.bytes().map(|c| c.to_ascii_uppercase()).collect();
    if b.len() != 18 {
        return false;
    }
    let mut values = Vec::with_capacity(18);
    for c in &b {
        match ALPHABET.iter().position(|a| a == c) {
            Some(v) => values.push(v),
            None => return false,
        }
    }
    let sum: usize = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    values[17] == check
}

fn valid_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    s.chars()
        .all(|c| c.is_ascii_digit() || "-+ ()（）转".contains(c))
        && (7..=20).contains(&digits)
}

fn valid_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((user, host)) => {
            !user.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        }
        None => false,
    }
}

impl ApplicationForm {
    /// The form trimmed: what is checked and stored.
    pub fn trimmed(&self) -> ApplicationForm {
        let t = |s: &String| s.trim().to_string();
        ApplicationForm {
            applicant_kind: t(&self.applicant_kind),
            applicant_name: t(&self.applicant_name),
            id_type: t(&self.id_type),
            id_number: t(&self.id_number).to_ascii_uppercase(),
            phone: t(&self.phone),
            email: t(&self.email),
            address: t(&self.address),
            request: t(&self.request),
            form: t(&self.form),
            delivery: t(&self.delivery),
        }
    }

    /// Checks every field; on success the office's registration of an online
    /// application submitted on `today` (received when the office confirms it).
    pub fn check(&self, today: NaiveDate) -> Result<Registration, Vec<FieldError>> {
        let f = self.trimmed();
        let mut errors = Vec::new();
        let mut err =
            |field: &'static str, message: String| errors.push(FieldError { field, message });
        let kind = ApplicantKind::ALL
            .iter()
            .copied()
            .find(|k| k.column_key() == f.applicant_kind);
        if kind.is_none() {
            err("applicant_kind", "请选择申请人类型".into());
        }
        let person = kind == Some(ApplicantKind::NaturalPerson);
        let too_long = |s: &str, max: usize| s.chars().count() > max;
        if f.applicant_name.is_empty() {
            err(
                "applicant_name",
                if person {
                    "请填写申请人姓名".into()
                } else {
                    "请填写法人或其他组织的名称".into()
                },
            );
        } else if too_long(&f.applicant_name, MAX_NAME) {
            err("applicant_name", format!("姓名或名称最多 {MAX_NAME} 字"));
        }
        let types: &[&str] = if person {
            &ID_TYPES_PERSON
        } else {
            &ID_TYPES_ORGANIZATION
        };
        if kind.is_some() && !types.contains(&f.id_type.as_str()) {
            err("id_type", format!("请选择证件类型（{}）", types.join("、")));
        }
        // A number is checked against its type only once the type fits the applicant.
        let type_fits = types.contains(&f.id_type.as_str());
        if f.id_number.is_empty() {
            err("id_number", "请填写证件号码".into());
        } else if type_fits && f.id_type == "居民身份证" && !valid_resident_id(&f.id_number) {
            err(
                "id_number",
                "居民身份证号码不正确：应为 18 位，最后一位可为 X，请逐位核对".into(),
            );
        } else if type_fits && f.id_type == "统一社会信用代码" && !valid_credit_code(&f.id_number)
        {
            err(
                "id_number",
                "统一社会信用代码不正确：应为 18 位数字或大写字母，请对照营业执照或登记证书逐位核对"
                    .into(),
            );
        } else if too_long(&f.id_number, 40) {
            err("id_number", "证件号码最多 40 位".into());
        }
        if f.phone.is_empty() && f.email.is_empty() {
            err(
                "phone",
                "请至少填写联系电话或电子邮箱中的一项，以便机关与您联系".into(),
            );
        }
        if !f.phone.is_empty() && (!valid_phone(&f.phone) || too_long(&f.phone, 30)) {
            err(
                "phone",
                "联系电话不正确：请填写手机号码或带区号的固定电话".into(),
            );
        }
        if !f.email.is_empty() && (!valid_email(&f.email) || too_long(&f.email, MAX_CONTACT)) {
            err("email", "电子邮箱不正确：应形如 name@example.cn".into());
        }
        if too_long(&f.address, MAX_ADDRESS) {
            err("address", format!("通信地址最多 {MAX_ADDRESS} 字"));
        }
        if f.request.chars().count() < 4 {
            err(
                "request",
                "请描述您申请公开的政府信息：名称、文号，或者便于机关查询的其他特征性描述（条例第二十九条）"
                    .into(),
            );
        } else if too_long(&f.request, MAX_REQUEST) {
            err(
                "request",
                format!(
                    "申请内容最多 {MAX_REQUEST} 字；内容较多的，可以分为几件申请或作为附件上传"
                ),
            );
        }
        if !FORMS.contains(&f.form.as_str()) {
            err("form", "请选择获取信息的形式（纸质或电子）".into());
        }
        if !DELIVERIES.contains(&f.delivery.as_str()) {
            err("delivery", "请选择获取信息的方式".into());
        }
        if f.delivery == "邮寄" && f.address.is_empty() {
            err("address", "选择邮寄的，请填写通信地址".into());
        }
        if f.delivery == "电子邮件" && f.email.is_empty() {
            err("email", "选择电子邮件方式的，请填写电子邮箱".into());
        }
        if f.delivery == "在线下载" && f.form == "纸质" {
            err(
                "delivery",
                "纸质形式不能在线下载，请选择自行领取或邮寄".into(),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let opt = |s: String| if s.is_empty() { None } else { Some(s) };
        Ok(Registration {
            channel: Channel::Online,
            applicant_kind: kind.unwrap_or(ApplicantKind::NaturalPerson),
            applicant_name: f.applicant_name,
            id_type: opt(f.id_type),
            id_number: opt(f.id_number),
            phone: opt(f.phone),
            email: opt(f.email),
            address: opt(f.address),
            request: f.request,
            submitted: today,
            confirmed: None,
            provision: Some(format!("{}；{}", f.form, f.delivery)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ApplicationForm {
        ApplicationForm {
            applicant_kind: "natural_person".into(),
            applicant_name: "张三".into(),
            id_type: "居民身份证".into(),
            id_number: "11010519491231002x".into(),
            phone: "13800138000".into(),
            email: String::new(),
            address: String::new(),
            request: "2025年本县城区道路改造工程的立项批复文件".into(),
            form: "电子".into(),
            delivery: "在线下载".into(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn resident_ids_are_checked_by_their_check_character() {
        // The standard's own example, and its X written small.
        assert!(valid_resident_id("11010519491231002X"));
        assert!(valid_resident_id("11010519491231002x"));
        assert!(!valid_resident_id("110105194912310021"));
        // A wrong birth date with a matching check character is still wrong.
        assert!(!valid_resident_id("110105194913310021"));
        assert!(!valid_resident_id("1101051949123100"));
        assert!(!valid_resident_id("11010519491231002Ｘ"));
    }

    #[test]
    fn credit_codes_are_checked_by_their_check_character() {
        assert!(valid_credit_code("91350100M000100Y43"));
        assert!(valid_credit_code("91350100m000100y43"));
        assert!(!valid_credit_code("91350100M000100Y44"));
        // I, O, S, V and Z are not in the alphabet.
        assert!(!valid_credit_code("91350100M000100I43"));
        assert!(!valid_credit_code("91350100M000100Y4"));
    }

    #[test]
    fn a_good_form_becomes_an_online_registration_waiting_for_confirmation() {
        let reg = good().check(today()).unwrap();
        assert_eq!(reg.channel, Channel::Online);
        assert_eq!(reg.confirmed, None);
        assert_eq!(reg.submitted, today());
        assert_eq!(reg.id_number.as_deref(), Some("11010519491231002X"));
        assert_eq!(reg.provision.as_deref(), Some("电子；在线下载"));
    }

    #[test]
    fn each_bad_field_is_named_with_what_to_fix() {
        let mut f = good();
        f.id_number = "110105194912310021".into();
        f.phone = "abc".into();
        f.request = "文件".into();
        f.delivery = "邮寄".into();
        let errs = f.check(today()).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["id_number", "phone", "request", "address"]);
        assert!(errs[0].message.contains("居民身份证号码不正确"));
        assert!(errs[3].message.contains("邮寄"));
    }

    #[test]
    fn an_organisation_needs_its_credit_code_and_a_contact() {
        let f = ApplicationForm {
            applicant_kind: "business".into(),
            applicant_name: "某某有限公司".into(),
            id_type: "居民身份证".into(),
            id_number: "91350100M000100Y43".into(),
            request: "某项目环境影响评价批复".into(),
            form: "纸质".into(),
            delivery: "在线下载".into(),
            ..ApplicationForm::default()
        };
        let errs = f.check(today()).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["id_type", "phone", "delivery"]);
    }

    #[test]
    fn over_long_fields_are_refused_not_cut() {
        let mut f = good();
        f.request = "文".repeat(MAX_REQUEST + 1);
        f.applicant_name = "张".repeat(MAX_NAME + 1);
        let errs = f.check(today()).unwrap_err();
        assert_eq!(errs.len(), 2);
    }
}
