//! Demonstration data (演示数据): a province → city → county → departments tree,
//! users of every role, and a few dozen cases in every state, all recorded through
//! the same operations a clerk uses, so every case obeys the 条例. Everything is
//! marked as demo data (agencies and cases carry `demo = 1`, names say 演示).

use crate::Office;
use crate::auth::hash_password;
use crate::casework::{Registration, Step};
use crate::error::Result;
use crate::roles::{Actor, Role};
use chrono::{Datelike, Duration, Weekday};
use gongkai_cases::{
    AppealKind, AppealResult, ApplicantKind, Channel, Consultee, FeeMethod, NaiveDate, Outcome,
};
use gongkai_store::office::{AgencyRow, NewAgency, NewUser};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo2026";

/// The county office's contact details in its demo 公开指南, by the outline's blank.
const DEMO_GUIDE: [(&str, &str); 6] = [
    (
        "（请填写办公地址）",
        "演示省演示市演示县人民路1号县政府大楼一楼政务公开办公室",
    ),
    ("（请填写邮政编码）", "100000"),
    (
        "（请填写办公时间）",
        "工作日上午9:00至12:00，下午14:00至17:30（法定节假日除外）",
    ),
    ("（请填写联系电话）", "0000-12345678"),
    ("（请填写传真号码）", "0000-12345679"),
    ("（请填写电子邮箱）", "gongkai@county.demo.example"),
];

/// One demo login, for the start-up message.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub login: String,
    pub role: Role,
    pub agency: String,
}

#[derive(Debug, Clone)]
pub struct DemoData {
    pub logins: Vec<DemoLogin>,
    pub cases: usize,
    /// The county office's id (where most cases are).
    pub office_id: i64,
    /// The city government's id (the oversight office's subtree root).
    pub city_id: i64,
}

struct Tree {
    province: i64,
    city: i64,
    county: i64,
    county_office: i64,
    county_land: i64,
    township: i64,
}

async fn agency(
    office: &Office,
    parent: Option<i64>,
    name: &str,
    level: &str,
    kind: &str,
    approval: bool,
) -> Result<i64> {
    Ok(office
        .store
        .create_agency(&NewAgency {
            parent_id: parent,
            name: name.into(),
            level: level.into(),
            kind: kind.into(),
            requires_approval: approval,
            demo: true,
        })
        .await?)
}

async fn tree(office: &Office) -> Result<Tree> {
    let province = agency(
        office,
        None,
        "演示省人民政府",
        "province",
        "government",
        false,
    )
    .await?;
    agency(
        office,
        Some(province),
        "演示省人民政府办公厅",
        "province",
        "office",
        false,
    )
    .await?;
    let city = agency(
        office,
        Some(province),
        "演示市人民政府",
        "city",
        "government",
        false,
    )
    .await?;
    agency(
        office,
        Some(city),
        "演示市人民政府办公室",
        "city",
        "office",
        false,
    )
    .await?;
    agency(
        office,
        Some(city),
        "演示市教育局",
        "city",
        "department",
        false,
    )
    .await?;
    let county = agency(
        office,
        Some(city),
        "演示县人民政府",
        "county",
        "government",
        false,
    )
    .await?;
    let county_office = agency(
        office,
        Some(county),
        "演示县人民政府办公室",
        "county",
        "office",
        true,
    )
    .await?;
    let county_land = agency(
        office,
        Some(county),
        "演示县自然资源局",
        "county",
        "department",
        false,
    )
    .await?;
    let township = agency(
        office,
        Some(county),
        "演示县城关镇人民政府",
        "township",
        "government",
        false,
    )
    .await?;
    Ok(Tree {
        province,
        city,
        county,
        county_office,
        county_land,
        township,
    })
}

async fn user(
    office: &Office,
    hash: &str,
    agency_id: i64,
    login: &str,
    name: &str,
    role: Role,
    logins: &mut Vec<DemoLogin>,
) -> Result<Actor> {
    let id = office
        .store
        .create_user(&NewUser {
            agency_id,
            login: login.into(),
            name: name.into(),
            role: role.key().into(),
            password_hash: hash.into(),
        })
        .await?;
    let a: AgencyRow = office.agency(agency_id).await?;
    let u = office.store.user(id).await?.expect("just created");
    logins.push(DemoLogin {
        login: login.into(),
        role,
        agency: a.name.clone(),
    });
    Ok(Actor::new(&u, &a).expect("a valid role"))
}

/// The `n`-th working day (Mon–Fri) before `d`: demo dates avoid weekends so that
/// every act falls on an office day (holidays are checked by the engine anyway).
fn workdays_before(d: NaiveDate, n: i64) -> NaiveDate {
    let mut d = d;
    let mut left = n;
    while left > 0 {
        d -= Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

fn reg(
    channel: Channel,
    kind: ApplicantKind,
    name: &str,
    request: &str,
    submitted: NaiveDate,
) -> Registration {
    let confirmed = (channel != Channel::InPerson).then_some(submitted);
    Registration {
        channel,
        applicant_kind: kind,
        applicant_name: name.into(),
        id_type: Some(
            if kind == ApplicantKind::NaturalPerson {
                "居民身份证"
            } else {
                "统一社会信用代码"
            }
            .into(),
        ),
        id_number: Some(if kind == ApplicantKind::NaturalPerson {
            format!("1101011990030{:05}", name.chars().count() * 7919 % 100_000)
        } else {
            format!(
                "91110000MA0{:07}",
                name.chars().count() * 104_729 % 10_000_000
            )
        }),
        phone: Some("13800000000".into()),
        email: None,
        address: Some("演示省演示市演示县人民路1号".into()),
        request: request.into(),
        submitted,
        confirmed,
        provision: None,
    }
}

/// Seeds the demo data into an empty office. Dates run back from the office's today.
pub async fn seed(office: &Office) -> Result<DemoData> {
    let hash = hash_password(DEMO_PASSWORD);
    let t = tree(office).await?;
    let mut logins = Vec::new();
    let clerk = user(
        office,
        &hash,
        t.county_office,
        "clerk",
        "王经办（演示）",
        Role::Clerk,
        &mut logins,
    )
    .await?;
    let head = user(
        office,
        &hash,
        t.county_office,
        "head",
        "李主任（演示）",
        Role::Head,
        &mut logins,
    )
    .await?;
    let admin = user(
        office,
        &hash,
        t.county_office,
        "admin",
        "赵管理（演示）",
        Role::Admin,
        &mut logins,
    )
    .await?;
    let land_clerk = user(
        office,
        &hash,
        t.county_land,
        "land",
        "孙经办（演示）",
        Role::Clerk,
        &mut logins,
    )
    .await?;
    let town_clerk = user(
        office,
        &hash,
        t.township,
        "town",
        "周经办（演示）",
        Role::Clerk,
        &mut logins,
    )
    .await?;
    user(
        office,
        &hash,
        // At the city government: its 政务公开办 oversees the whole city below it
        // (the 办公室 node alone has no units under it).
        t.city,
        "oversight",
        "钱监督（演示）",
        Role::Oversight,
        &mut logins,
    )
    .await?;
    user(
        office,
        &hash,
        t.province,
        "sysadmin",
        "系统管理员（演示）",
        Role::Sysadmin,
        &mut logins,
    )
    .await?;
    let _ = t.county;
    // The county office's 公开指南, written as its administrator would; the other
    // agencies have none, and the portal says so.
    let outline = office.guide(t.county_office).await?.body;
    let mut guide = outline;
    for (blank, value) in DEMO_GUIDE {
        guide = guide.replace(blank, value);
    }
    guide.push_str("\n（本指南为演示数据，地址、电话等联系方式均为虚构。）");
    office
        .save_guide(&admin, t.county_office, &guide, None)
        .await?;

    let today = office.today();
    let ago = |n: i64| workdays_before(today, n);
    let county_office = office.agency(t.county_office).await?;
    let mut cases = 0usize;

    // (submitted working days ago, channel, kind, name, request, steps: (days ago, step, by head))
    type Plan = (
        i64,
        Channel,
        ApplicantKind,
        &'static str,
        &'static str,
        Vec<(i64, Step, bool)>,
    );
    let plans: Vec<Plan> = vec![
        (
            1,
            Channel::InPerson,
            ApplicantKind::NaturalPerson,
            "张三",
            "2025年本县城区老旧小区改造项目清单",
            vec![],
        ),
        (
            2,
            Channel::PostSigned,
            ApplicantKind::Business,
            "演示建设有限公司",
            "县城南片区控制性详细规划批复文件",
            vec![],
        ),
        (
            3,
            Channel::Email,
            ApplicantKind::NaturalPerson,
            "李四",
            "本人房屋所在地块的征收决定及补偿方案",
            vec![],
        ),
        (
            6,
            Channel::PlainLetter,
            ApplicantKind::NaturalPerson,
            "王五",
            "有关部门的文件",
            vec![(
                4,
                Step::RequestCorrection {
                    items: "请写明所需文件的名称、文号或者其他特征性描述".into(),
                    supplement_due: today + Duration::days(10),
                },
                false,
            )],
        ),
        (
            12,
            Channel::InPerson,
            ApplicantKind::Research,
            "演示大学公共管理学院",
            "2024年至2025年本县政府信息公开申请办理情况统计",
            vec![
                (
                    10,
                    Step::RequestCorrection {
                        items: "请明确统计的时间范围和具体项目".into(),
                        supplement_due: ago(5),
                    },
                    false,
                ),
                (
                    7,
                    Step::Supplemented {
                        note: Some("申请人补充了时间范围和统计项目".into()),
                    },
                    false,
                ),
            ],
        ),
        (
            9,
            Channel::PostSigned,
            ApplicantKind::Business,
            "演示商贸有限公司",
            "本公司参与投标的县政府采购项目评标报告",
            vec![(
                6,
                Step::Consult {
                    consultee: Consultee::ThirdParty,
                    name: "演示科技有限公司".into(),
                },
                false,
            )],
        ),
        (
            14,
            Channel::Fax,
            ApplicantKind::Nonprofit,
            "演示环保公益协会",
            "县工业园区企业环境影响评价批复",
            vec![
                (
                    12,
                    Step::Consult {
                        consultee: Consultee::Agency,
                        name: "演示县生态环境分局".into(),
                    },
                    false,
                ),
                (
                    5,
                    Step::ConsultationReplied {
                        consultation: "征求意见1".into(),
                        consent: Some(true),
                    },
                    false,
                ),
            ],
        ),
        (
            18,
            Channel::InPerson,
            ApplicantKind::LegalService,
            "演示律师事务所",
            "某拆迁项目的全部审批材料",
            vec![(
                3,
                Step::Extend {
                    working_days: 15,
                    reason: "申请公开的信息量大，需要调取多个部门的档案".into(),
                },
                true,
            )],
        ),
        (
            8,
            Channel::Email,
            ApplicantKind::NaturalPerson,
            "赵六",
            "2020年以来全县道路维修工程的全部合同",
            vec![(
                5,
                Step::NoticeFee {
                    method: FeeMethod::PerVolume,
                    amount_yuan: gongkai_cases::fees::per_volume_fee(450),
                    pages: Some(450),
                },
                false,
            )],
        ),
        (
            16,
            Channel::InPerson,
            ApplicantKind::NaturalPerson,
            "钱七",
            "县医保基金年度审计报告",
            vec![
                (
                    12,
                    Step::NoticeFee {
                        method: FeeMethod::PerVolume,
                        amount_yuan: gongkai_cases::fees::per_volume_fee(220),
                        pages: Some(220),
                    },
                    false,
                ),
                (
                    8,
                    Step::FeePaid {
                        note: Some("已现场缴纳".into()),
                    },
                    false,
                ),
            ],
        ),
        (
            24,
            Channel::InPerson,
            ApplicantKind::NaturalPerson,
            "孙八",
            "本县2025年财政预算执行情况报告",
            vec![],
        ),
        (
            15,
            Channel::PostSigned,
            ApplicantKind::NaturalPerson,
            "周九",
            "县政府常务会议纪要（2025年第3次）",
            vec![(
                4,
                Step::Decide {
                    outcome: Outcome::Granted,
                    basis: None,
                    note: None,
                },
                true,
            )],
        ),
        (
            20,
            Channel::InPerson,
            ApplicantKind::Business,
            "演示物流有限公司",
            "物流园区用地出让合同",
            vec![
                (
                    9,
                    Step::Decide {
                        outcome: Outcome::Partial,
                        basis: None,
                        note: Some("合同中的商业秘密部分不予公开".into()),
                    },
                    true,
                ),
                (
                    7,
                    Step::Deliver {
                        method: "邮寄".into(),
                        tracking: Some("EMS1100000000".into()),
                    },
                    false,
                ),
            ],
        ),
        (
            19,
            Channel::Email,
            ApplicantKind::NaturalPerson,
            "吴十",
            "县领导班子内部分工调整的请示",
            vec![
                (
                    6,
                    Step::Decide {
                        outcome: Outcome::DeniedDeliberative,
                        basis: None,
                        note: None,
                    },
                    true,
                ),
                (
                    5,
                    Step::Deliver {
                        method: "电子邮件".into(),
                        tracking: None,
                    },
                    false,
                ),
            ],
        ),
        (
            17,
            Channel::InPerson,
            ApplicantKind::NaturalPerson,
            "郑十一",
            "1990年某村土地承包合同原件",
            vec![
                (
                    8,
                    Step::Decide {
                        outcome: Outcome::UnavailableNotHeld,
                        basis: None,
                        note: None,
                    },
                    true,
                ),
                (
                    8,
                    Step::Deliver {
                        method: "当面领取".into(),
                        tracking: None,
                    },
                    false,
                ),
            ],
        ),
        (
            21,
            Channel::PlainLetter,
            ApplicantKind::NaturalPerson,
            "冯十二",
            "对某干部的投诉处理结果",
            vec![
                (
                    12,
                    Step::Decide {
                        outcome: Outcome::RejectedPetition,
                        basis: None,
                        note: None,
                    },
                    true,
                ),
                (
                    11,
                    Step::Deliver {
                        method: "邮寄".into(),
                        tracking: Some("EMS1100000001".into()),
                    },
                    false,
                ),
            ],
        ),
        (
            13,
            Channel::InPerson,
            ApplicantKind::NaturalPerson,
            "陈十三",
            "县自来水价格调整听证材料",
            vec![(
                6,
                Step::Withdraw {
                    reason: "申请人已通过政府网站获取".into(),
                },
                false,
            )],
        ),
        (
            30,
            Channel::InPerson,
            ApplicantKind::NaturalPerson,
            "褚十四",
            "某地块土地征收补偿标准文件",
            vec![
                (
                    20,
                    Step::Decide {
                        outcome: Outcome::Granted,
                        basis: None,
                        note: None,
                    },
                    true,
                ),
                (
                    19,
                    Step::Deliver {
                        method: "当面领取".into(),
                        tracking: None,
                    },
                    false,
                ),
                (
                    10,
                    Step::FileAppeal {
                        appeal_kind: AppealKind::Review,
                        body: "演示县人民政府".into(),
                    },
                    false,
                ),
            ],
        ),
        (
            40,
            Channel::InPerson,
            ApplicantKind::NaturalPerson,
            "卫十五",
            "拆迁安置房分配方案",
            vec![
                (
                    30,
                    Step::Decide {
                        outcome: Outcome::DeniedThirdParty,
                        basis: None,
                        note: None,
                    },
                    true,
                ),
                (
                    29,
                    Step::Deliver {
                        method: "当面领取".into(),
                        tracking: None,
                    },
                    false,
                ),
                (
                    25,
                    Step::FileAppeal {
                        appeal_kind: AppealKind::SuitDirect,
                        body: "演示县人民法院".into(),
                    },
                    false,
                ),
                (
                    3,
                    Step::ResolveAppeal {
                        appeal: "复议诉讼1".into(),
                        result: AppealResult::Upheld,
                    },
                    false,
                ),
            ],
        ),
        (
            26,
            Channel::InPerson,
            ApplicantKind::OtherOrg,
            "演示村民委员会",
            "本村集体土地征收的批复文件",
            vec![],
        ),
        (
            10,
            Channel::Online,
            ApplicantKind::NaturalPerson,
            "蒋十六",
            "县教育局2026年教师招聘计划",
            vec![],
        ),
        (
            4,
            Channel::Online,
            ApplicantKind::NaturalPerson,
            "沈十七",
            "县城公交线路调整方案",
            vec![],
        ),
    ];
    for (submitted, channel, kind, name, request, steps) in plans {
        let id = office
            .register_for(
                &county_office,
                Some(&clerk),
                &reg(channel, kind, name, request, ago(submitted)),
                true,
                None,
            )
            .await?;
        let mut version = 1;
        for (days, step, by_head) in steps {
            let actor = if by_head { &head } else { &clerk };
            version = office
                .act(actor, id, version, &step, Some(ago(days)), None)
                .await?;
        }
        cases += 1;
    }
    // A few cases in the other units, so the oversight view has a subtree to sum.
    for (actor, agency_id, name, request, days) in [
        (&land_clerk, t.county_land, "韩十八", "宅基地审批档案", 5),
        (
            &land_clerk,
            t.county_land,
            "杨十九",
            "2025年度土地利用变更调查成果",
            11,
        ),
        (
            &town_clerk,
            t.township,
            "朱二十",
            "镇2025年惠民资金发放名单",
            7,
        ),
    ] {
        let agency = office.agency(agency_id).await?;
        let id = office
            .register_for(
                &agency,
                Some(actor),
                &reg(
                    Channel::InPerson,
                    ApplicantKind::NaturalPerson,
                    name,
                    request,
                    ago(days),
                ),
                true,
                None,
            )
            .await?;
        if days > 10 {
            office
                .act(
                    actor,
                    id,
                    1,
                    &Step::Decide {
                        outcome: Outcome::Granted,
                        basis: None,
                        note: None,
                    },
                    Some(ago(2)),
                    None,
                )
                .await?;
        }
        cases += 1;
    }
    // Two applications sent through the portal this morning, waiting for the
    // clerk to confirm receipt.
    for (name, request) in [
        ("郑网申（演示）", "演示县2026年城区停车位规划建设方案"),
        ("演示律师事务所", "演示县人民政府2025年度行政复议案件统计"),
    ] {
        let org = name.ends_with("事务所");
        let form = crate::application_form::ApplicationForm {
            applicant_kind: if org {
                "legal_service"
            } else {
                "natural_person"
            }
            .into(),
            applicant_name: name.into(),
            id_type: if org {
                "统一社会信用代码"
            } else {
                "居民身份证"
            }
            .into(),
            id_number: if org {
                "91350100M000100Y43"
            } else {
                "11010519491231002X"
            }
            .into(),
            phone: "13800000000".into(),
            request: request.into(),
            form: "电子".into(),
            delivery: "在线下载".into(),
            ..Default::default()
        };
        office
            .submit_online(t.county_office, &form, Vec::new(), "演示数据")
            .await?;
    }
    Ok(DemoData {
        logins,
        cases,
        office_id: t.county_office,
        city_id: t.city,
    })
}
