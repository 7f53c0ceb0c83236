//! The office end to end on a real database (SQLite, and the real PostgreSQL):
//! a posted application through 补正, consultation, extension, decision with its
//! answer letter, delivery, into the year's table 三; and the refusals around it.

mod common;

use common::TestDb;
use gongkai_cases::{ApplicantKind, Channel, Consultee, NaiveDate, Outcome};
use gongkai_office::casework::{Registration, Step, StepKind};
use gongkai_office::{Actor, Clock, Office, OfficeError, Role};
use gongkai_store::office::{CaseFilter, CaseListing, NewAgency, NewAudit, NewUser};
use std::future::Future;
use std::io::Read;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct World {
    office: Office,
    clerk: Actor,
    head: Actor,
    other_clerk: Actor,
    oversight: Actor,
    outside_oversight: Actor,
    county_office: i64,
}

async fn world(db: &TestDb, today: &str) -> World {
    let store = db.open().await;
    let office = Office::new(store, Clock::Fixed(d(today))).await.unwrap();
    let s = &office.store;
    let mk = |parent: Option<i64>, name: &str, kind: &str, approval: bool| NewAgency {
        parent_id: parent,
        name: name.into(),
        level: "county".into(),
        kind: kind.into(),
        requires_approval: approval,
        demo: false,
    };
    let city = s
        .create_agency(&mk(None, "测试市人民政府", "government", false))
        .await
        .unwrap();
    let county = s
        .create_agency(&mk(Some(city), "测试县人民政府", "government", false))
        .await
        .unwrap();
    let county_office = s
        .create_agency(&mk(Some(county), "测试县人民政府办公室", "office", true))
        .await
        .unwrap();
    let bureau = s
        .create_agency(&mk(Some(county), "测试县教育局", "department", false))
        .await
        .unwrap();
    let other_city = s
        .create_agency(&mk(None, "另一市人民政府", "government", false))
        .await
        .unwrap();
    let hash = gongkai_office::auth::hash_password("pw");
    let mut n = 0;
    let mut user = |agency: i64, role: Role| {
        n += 1;
        let login = format!("u{n}");
        let hash = hash.clone();
        let office = office.clone();
        async move {
            let id = office
                .store
                .create_user(&NewUser {
                    agency_id: agency,
                    login: login.clone(),
                    name: format!("{}{n}", role.label()),
                    role: role.key().into(),
                    password_hash: hash,
                })
                .await
                .unwrap();
            let u = office.store.user(id).await.unwrap().unwrap();
            let a = office.store.agency(agency).await.unwrap().unwrap();
            Actor::new(&u, &a).unwrap()
        }
    };
    World {
        clerk: user(county_office, Role::Clerk).await,
        head: user(county_office, Role::Head).await,
        other_clerk: user(bureau, Role::Clerk).await,
        oversight: user(city, Role::Oversight).await,
        outside_oversight: user(other_city, Role::Oversight).await,
        county_office,
        office,
    }
}

fn posted(name: &str, submitted: &str, signed: &str) -> Registration {
    Registration {
        channel: Channel::PostSigned,
        applicant_kind: ApplicantKind::NaturalPerson,
        applicant_name: name.into(),
        id_type: Some("居民身份证".into()),
        id_number: Some("110101199003071234".into()),
        phone: Some("13812345678".into()),
        email: None,
        address: Some("测试县人民路1号".into()),
        request: "2025年度城区道路改造工程的招标文件".into(),
        submitted: d(submitted),
        confirmed: Some(d(signed)),
        provision: None,
    }
}

fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip_reader(bytes);
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

fn zip_reader(bytes: &[u8]) -> zip::ZipArchive<std::io::Cursor<Vec<u8>>> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap()
}

async fn whole_story(db: TestDb) {
    let w = world(&db, "2026-11-30").await;
    let o = &w.office;
    let id = o
        .register(
            &w.clerk,
            &posted("张三", "2026-11-02", "2026-11-03"),
            Some("127.0.0.1"),
        )
        .await
        .unwrap();
    let v = o.view_case(&w.clerk, id, None).await.unwrap();
    // 第三十一条: a signed letter is received the day it is signed for.
    assert_eq!(v.case.receipt, d("2026-11-03"));
    let due_before = v.due.as_ref().unwrap().deadline.answer_due.unwrap();
    assert_eq!(due_before, d("2026-12-01"));
    // Today (11-30) the 7 working days for a 补正 notice (第三十条) are over: it is not
    // offered, though it may still be recorded with the date it was sent.
    assert!(!v.next_steps.contains(&StepKind::RequestCorrection));
    assert!(v.next_steps.contains(&StepKind::Decide));
    assert!(
        !v.next_steps.contains(&StepKind::Supplemented),
        "no 补正 asked yet"
    );
    assert!(
        !v.next_steps.contains(&StepKind::Deliver),
        "nothing decided yet"
    );

    let mut version = v.row.version;
    version = o
        .act(
            &w.clerk,
            id,
            version,
            &Step::RequestCorrection {
                items: "请写明工程名称".into(),
                supplement_due: d("2026-11-20"),
            },
            Some(d("2026-11-05")),
            None,
        )
        .await
        .unwrap();
    // The correction notice is a document of the case.
    let docs = o.store.documents_of(id).await.unwrap();
    assert!(
        docs.iter()
            .any(|x| x.kind == "correction" && x.file_name.ends_with(".docx"))
    );
    version = o
        .act(
            &w.clerk,
            id,
            version,
            &Step::Supplemented { note: None },
            Some(d("2026-11-10")),
            None,
        )
        .await
        .unwrap();
    let v = o.view_case(&w.clerk, id, None).await.unwrap();
    let due_after = v.due.as_ref().unwrap().deadline.answer_due.unwrap();
    // 第三十条: the answer period restarts from the supplemented application.
    assert_eq!(due_after, d("2026-12-08"));
    assert!(due_after > due_before);

    version = o
        .act(
            &w.clerk,
            id,
            version,
            &Step::Consult {
                consultee: Consultee::ThirdParty,
                name: "某建设公司".into(),
            },
            Some(d("2026-11-12")),
            None,
        )
        .await
        .unwrap();
    let v = o.view_case(&w.clerk, id, None).await.unwrap();
    assert!(
        v.due.as_ref().unwrap().deadline.paused,
        "consultation pauses the clock"
    );
    let row = o.store.case(id).await.unwrap().unwrap();
    assert_eq!(row.paused, 1);
    version = o
        .act(
            &w.clerk,
            id,
            version,
            &Step::ConsultationReplied {
                consultation: v.open_consultations[0].clone(),
                consent: Some(false),
            },
            Some(d("2026-11-19")),
            None,
        )
        .await
        .unwrap();

    // An extension needs the head (第三十三条第二款): the clerk is refused.
    let e = o
        .act(
            &w.clerk,
            id,
            version,
            &Step::Extend {
                working_days: 15,
                reason: "涉及第三方".into(),
            },
            Some(d("2026-11-25")),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, OfficeError::Forbidden(m) if m.contains("负责人")),
        "{e:?}"
    );
    version = o
        .act(
            &w.head,
            id,
            version,
            &Step::Extend {
                working_days: 15,
                reason: "涉及第三方".into(),
            },
            Some(d("2026-11-25")),
            None,
        )
        .await
        .unwrap();
    let v = o.view_case(&w.clerk, id, None).await.unwrap();
    assert!(
        v.due
            .as_ref()
            .unwrap()
            .deadline
            .explanation
            .contains("延长 15 个工作日")
    );

    // This office requires 报批: the decision is the head's.
    let decide = Step::Decide {
        outcome: Outcome::Partial,
        basis: None,
        note: None,
    };
    assert!(matches!(
        o.act(&w.clerk, id, version, &decide, Some(d("2026-11-27")), None)
            .await,
        Err(OfficeError::Forbidden(_))
    ));
    version = o
        .act(&w.head, id, version, &decide, Some(d("2026-11-27")), None)
        .await
        .unwrap();
    let docs = o.store.documents_of(id).await.unwrap();
    let answer = docs
        .iter()
        .find(|x| x.kind == "answer" && x.file_name.ends_with(".docx"))
        .expect("the answer letter");
    let bytes = o.document(&w.clerk, answer.id, None).await.unwrap().content;
    let xml = docx_text(&bytes);
    assert!(xml.contains("政府信息公开申请答复书"));
    assert!(xml.contains("张三："));
    assert!(
        xml.contains("第三十七条"),
        "partial disclosure cites art. 37"
    );
    assert!(
        xml.contains("六十日内向测试县人民政府申请行政复议"),
        "remedy names the review body"
    );
    assert!(xml.contains("六个月内"));
    assert!(xml.contains("测试县人民政府办公室"), "signed by the agency");

    o.act(
        &w.clerk,
        id,
        version,
        &Step::Deliver {
            method: "邮寄".into(),
            tracking: Some("EMS123".into()),
        },
        Some(d("2026-11-30")),
        None,
    )
    .await
    .unwrap();
    let v = o.view_case(&w.clerk, id, None).await.unwrap();
    assert_eq!(v.row.stage, "delivered");
    assert!(v.due.is_none());
    assert_eq!(v.timeline.len(), 8);
    assert!(v.timeline.iter().any(|t| t.detail.contains("EMS123")));

    // Table 三 counts it: new and partial, natural person column.
    let r = o
        .year_report(&w.clerk, w.county_office, 2026)
        .await
        .unwrap();
    assert_eq!(r.request("new", "natural_person"), Some(1));
    assert_eq!(r.request("partial", "natural_person"), Some(1));
    assert_eq!(r.request("partial", "total"), Some(1));
    assert_eq!(r.request("carried_out", "total"), Some(0));
    // The oversight office above reads it; one outside the subtree does not.
    assert!(
        o.year_report(&w.oversight, w.county_office, 2026)
            .await
            .is_ok()
    );
    assert!(matches!(
        o.year_report(&w.outside_oversight, w.county_office, 2026)
            .await,
        Err(OfficeError::Forbidden(_))
    ));

    // Every view of the applicant's data is in the audit log.
    let log = o.store.audit_log(Some(w.county_office), 500).await.unwrap();
    assert_eq!(
        log.iter().filter(|a| a.action == "查看申请人信息").count(),
        5,
        "one entry per view"
    );
    assert!(log.iter().any(|a| a.action == "下载文书"));
    assert!(
        !log.iter().any(|a| a.detail.contains("110101199003071234")),
        "no ID number in the log"
    );
    db.drop().await;
}

async fn refusals(db: TestDb) {
    let w = world(&db, "2026-11-30").await;
    let o = &w.office;
    let id = o
        .register(&w.clerk, &posted("李四", "2026-11-02", "2026-11-02"), None)
        .await
        .unwrap();
    // An illegal step is refused with the engine's reason and its article.
    let e = o
        .act(
            &w.clerk,
            id,
            1,
            &Step::Supplemented { note: None },
            None,
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, OfficeError::Invalid(m) if m.contains("补正")),
        "{e:?}"
    );
    // 补正 after 7 working days is refused (第三十条).
    let e = o
        .act(
            &w.clerk,
            id,
            1,
            &Step::RequestCorrection {
                items: "x".into(),
                supplement_due: d("2026-12-20"),
            },
            Some(d("2026-11-20")),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, OfficeError::Invalid(m) if m.contains("第三十条")),
        "{e:?}"
    );
    // Nothing was written by the refusals.
    assert_eq!(o.store.case(id).await.unwrap().unwrap().version, 1);
    // A future date is refused.
    assert!(matches!(
        o.act(
            &w.clerk,
            id,
            1,
            &Step::Withdraw {
                reason: String::new()
            },
            Some(d("2026-12-05")),
            None
        )
        .await,
        Err(OfficeError::Invalid(_))
    ));
    // Another agency's clerk cannot see it, and is not told it exists.
    assert!(matches!(
        o.view_case(&w.other_clerk, id, None).await,
        Err(OfficeError::NotFound(_))
    ));
    assert!(matches!(
        o.act(
            &w.other_clerk,
            id,
            1,
            &Step::Withdraw {
                reason: String::new()
            },
            None,
            None
        )
        .await,
        Err(OfficeError::NotFound(_))
    ));
    // The oversight office never sees a case (personal data).
    assert!(matches!(
        o.view_case(&w.oversight, id, None).await,
        Err(OfficeError::NotFound(_))
    ));
    assert!(matches!(
        o.cases(&w.oversight, &CaseFilter::default()).await,
        Err(OfficeError::Forbidden(_))
    ));
    // A registration missing what 第二十九条 requires says what is missing.
    let mut bad = posted("", "2026-11-02", "2026-11-02");
    bad.request = " ".into();
    let e = o.register(&w.clerk, &bad, None).await.unwrap_err();
    assert!(
        matches!(&e, OfficeError::Invalid(m) if m.contains("姓名") && m.contains("特征性描述")),
        "{e:?}"
    );
    let mut late = posted("王五", "2026-12-02", "2026-12-02");
    late.channel = Channel::InPerson;
    assert!(matches!(
        o.register(&w.clerk, &late, None).await,
        Err(OfficeError::Invalid(_))
    ));
    db.drop().await;
}

async fn two_clerks_at_once(db: TestDb) {
    let w = world(&db, "2026-11-30").await;
    let o = &w.office;
    let id = o
        .register(&w.clerk, &posted("赵六", "2026-11-23", "2026-11-23"), None)
        .await
        .unwrap();
    let v = o.view_case(&w.clerk, id, None).await.unwrap();
    assert!(
        v.next_steps.contains(&StepKind::RequestCorrection),
        "within 7 working days"
    );
    let a = Step::RequestCorrection {
        items: "a".into(),
        supplement_due: d("2026-12-10"),
    };
    let b = Step::Withdraw { reason: "b".into() };
    let (ra, rb) = tokio::join!(
        o.act(&w.clerk, id, 1, &a, None, None),
        o.act(&w.head, id, 1, &b, None, None)
    );
    let (ok, err) = match (ra, rb) {
        (Ok(v), Err(e)) | (Err(e), Ok(v)) => (v, e),
        other => panic!("exactly one must succeed: {other:?}"),
    };
    assert_eq!(ok, 2);
    assert_eq!(
        err,
        OfficeError::Conflict("案件已被他人更新，请刷新".into())
    );
    assert_eq!(o.store.case_events(id).await.unwrap().len(), 2);
    // A stale version is refused too.
    assert!(matches!(
        o.act(&w.clerk, id, 1, &b, None, None).await,
        Err(OfficeError::Conflict(_))
    ));
    db.drop().await;
}

async fn provisional_dates_and_import(db: TestDb) {
    let w = world(&db, "2026-12-21").await;
    let o = &w.office;
    let id = o
        .register(&w.clerk, &posted("钱七", "2026-12-21", "2026-12-21"), None)
        .await
        .unwrap();
    let row = o.store.case(id).await.unwrap().unwrap();
    // 20 working days from 2026-12-21 run into 2027, which no notice covers yet.
    assert_eq!(row.due_provisional, 1);
    let v = o.view_case(&w.clerk, id, None).await.unwrap();
    let due = v.due.unwrap();
    assert!(
        due.provisional
            .as_deref()
            .unwrap()
            .contains("待导入2027年放假安排")
    );
    // Counted Monday–Friday: 2026-12-21 + 20 weekdays = 2027-01-18.
    assert_eq!(due.deadline.answer_due, Some(d("2027-01-18")));
    let cal = o.calendar().await.unwrap();
    assert_eq!(cal.import_due(d("2026-11-01")), Some(2027));
    assert_eq!(cal.import_due(d("2026-10-31")), None);

    // Only the system administrator imports; the clerk is refused.
    let tsv = "date\tkind\tnotice_year\n2027-01-01\toff\t2027\n";
    assert!(matches!(
        o.import_calendar(&w.clerk, tsv, None).await,
        Err(OfficeError::Forbidden(_))
    ));
    let admin_id = o
        .store
        .create_user(&NewUser {
            agency_id: w.county_office,
            login: "sys".into(),
            name: "系统管理员".into(),
            role: "sysadmin".into(),
            password_hash: "x".into(),
        })
        .await
        .unwrap();
    let admin = Actor::new(
        &o.store.user(admin_id).await.unwrap().unwrap(),
        &o.agency(w.county_office).await.unwrap(),
    )
    .unwrap();
    assert!(
        matches!(o.import_calendar(&admin, "2027-13-01\toff\t2027\n", None).await, Err(OfficeError::Invalid(m)) if m.contains("第 1 行"))
    );
    let changed = o.import_calendar(&admin, tsv, None).await.unwrap();
    // 2027-01-01 is now a holiday: the date moves one working day, and is final.
    assert_eq!(
        changed,
        vec![(
            row.number.clone(),
            Some("2027-01-18".into()),
            Some("2027-01-19".into())
        )]
    );
    let row = o.store.case(id).await.unwrap().unwrap();
    assert_eq!(row.due_provisional, 0);
    assert_eq!(row.due_on.as_deref(), Some("2027-01-19"));

    // A second server on the same database, its calendar cached before the import
    // and not yet refreshed: a case it records now is dated by the old calendar…
    let mut other = Office::new(db.open().await, Clock::Fixed(d("2026-12-21")))
        .await
        .unwrap();
    let tsv_more = "date\tkind\tnotice_year\n2027-01-04\toff\t2027\n";
    o.import_calendar(&admin, tsv_more, None).await.unwrap();
    let late = other
        .register(&w.clerk, &posted("孙八", "2026-12-21", "2026-12-21"), None)
        .await
        .unwrap();
    let stale = o.store.case(late).await.unwrap().unwrap();
    assert_eq!(stale.due_on.as_deref(), Some("2027-01-19"));
    // …until it looks again: finding the newer notice, it recomputes the open cases.
    other.set_calendar_ttl(std::time::Duration::ZERO);
    other.calendar().await.unwrap();
    let fixed = o.store.case(late).await.unwrap().unwrap();
    assert_eq!(fixed.due_on.as_deref(), Some("2027-01-20"));
    assert_eq!(
        o.store.case(id).await.unwrap().unwrap().due_on.as_deref(),
        Some("2027-01-20")
    );
    db.drop().await;
}

async fn login_and_rate_limit(db: TestDb) {
    let w = world(&db, "2026-11-30").await;
    let o = &w.office;
    let s = o.login(&w.clerk.login, "pw", "10.0.0.1").await.unwrap();
    assert_eq!(s.actor.user_id, w.clerk.user_id);
    let again = o.session(&s.token).await.unwrap().unwrap();
    assert_eq!(again.csrf, s.csrf);
    assert!(o.session("not-a-token").await.unwrap().is_none());
    for _ in 0..5 {
        assert!(matches!(
            o.login(&w.head.login, "wrong", "10.0.0.2").await,
            Err(OfficeError::Invalid(_))
        ));
    }
    // The sixth attempt is refused even with the right password.
    assert!(matches!(
        o.login(&w.head.login, "pw", "10.0.0.2").await,
        Err(OfficeError::TooMany(_))
    ));
    o.logout(&s, "10.0.0.1").await.unwrap();
    assert!(o.session(&s.token).await.unwrap().is_none());
    db.drop().await;
}

/// The portal's records on each engine: an online application with its file, two
/// clerks confirming it at once (one case, one refusal), the file on the case, the
/// applicant following it and leaving a message, a wrong code refused.
async fn online_application(db: TestDb) {
    let w = world(&db, "2026-11-30").await;
    let o = &w.office;
    let form = gongkai_office::application_form::ApplicationForm {
        applicant_kind: "research".into(),
        applicant_name: "测试大学法学院".into(),
        id_type: "统一社会信用代码".into(),
        id_number: "91350100M000100Y43".into(),
        email: "law@example.cn".into(),
        request: "2025年度行政复议决定书汇编".into(),
        form: "电子".into(),
        delivery: "电子邮件".into(),
        ..Default::default()
    };
    let r = o
        .submit_online(
            w.county_office,
            &form,
            vec![("委托书.pdf".into(), b"%PDF-1.4 letter".to_vec())],
            "192.0.2.1",
        )
        .await
        .unwrap();
    let pending = o.pending_online(&w.clerk, 1000).await.unwrap().0;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].files, 1);
    assert!(
        o.pending_online(&w.other_clerk, 1000)
            .await
            .unwrap()
            .0
            .is_empty()
    );
    // Another agency's clerk cannot confirm it.
    assert!(matches!(
        o.confirm_online(&w.other_clerk, pending[0].id, None).await,
        Err(OfficeError::NotFound(_))
    ));
    let id = pending[0].id;
    let (a, b) = tokio::join!(
        o.confirm_online(&w.clerk, id, None),
        o.confirm_online(&w.head, id, None)
    );
    let (ok, refused): (Vec<_>, Vec<_>) = [a, b].into_iter().partition(|r| r.is_ok());
    assert_eq!(ok.len(), 1, "one confirmation makes the case");
    assert!(
        matches!(refused[0], Err(OfficeError::Conflict(_))),
        "{:?}",
        refused[0]
    );
    let case_id = *ok[0].as_ref().unwrap();
    let (rows, _) = o
        .cases(
            &w.clerk,
            &CaseFilter {
                open_only: true,
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "exactly one case");
    let row = &rows[0];
    assert_eq!((row.id, row.channel.as_str()), (case_id, "online"));
    assert_eq!(row.applicant_kind, "research");
    assert_eq!(row.received_on, "2026-11-30");
    let stored = o.store.case(case_id).await.unwrap().unwrap();
    assert_eq!(stored.provision.as_deref(), Some("电子；电子邮件"));
    let files = o.store.attachments_of(case_id).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name, "委托书.pdf");
    assert!(o.pending_online(&w.clerk, 1000).await.unwrap().0.is_empty());

    let t = o.track(&r.number, &r.code, "192.0.2.1").await.unwrap();
    assert_eq!(t.state, "办理中");
    assert_eq!(t.case.as_ref().unwrap().received_on, "2026-11-30");
    o.applicant_withdraw(&r.number, &r.code, "已从其他渠道获取", "192.0.2.1")
        .await
        .unwrap();
    let t = o.track(&r.number, &r.code, "192.0.2.1").await.unwrap();
    assert_eq!(t.state, "已撤回");
    let wrong = o.track(&r.number, "2222-2222-2222-2222", "192.0.2.1").await;
    assert!(matches!(wrong, Err(OfficeError::Invalid(_))));

    // Waiting applications are listed oldest first, a page of them with the whole
    // count, each as it was sent.
    let mut numbers = Vec::new();
    for i in 0..3 {
        let mut f = form.clone();
        f.applicant_name = format!("网上申请人{i}");
        let files = vec![("委托书.pdf".to_string(), b"%PDF-1.4 letter".to_vec()); i];
        let r = o
            .submit_online(w.county_office, &f, files, &format!("192.0.2.{}", 10 + i))
            .await
            .unwrap();
        numbers.push(r.number);
    }
    let (page, total) = o.pending_online(&w.clerk, 2).await.unwrap();
    assert_eq!(total, 3);
    let shown: Vec<(&str, &str, i64)> = page
        .iter()
        .map(|p| {
            (
                p.number.as_str(),
                p.application.applicant_name.as_str(),
                p.files,
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            (numbers[0].as_str(), "网上申请人0", 0),
            (numbers[1].as_str(), "网上申请人1", 1)
        ]
    );
    let (all, total) = o.pending_online(&w.clerk, 20).await.unwrap();
    assert_eq!((all.len(), total), (3, 3));
    assert_eq!(all[2].files, 2);
    let today = o.today().to_string();
    assert!(all.iter().all(|p| p.submitted_on == today), "{all:?}");
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    db.drop().await;
}

/// Sixteen registrations at once (on PostgreSQL, on many connections): each gets
/// its own number, the numbers run on without a gap, and none is refused as busy.
async fn registrations_at_once(db: TestDb) {
    let w = world(&db, "2026-11-30").await;
    let o = &w.office;
    let first = o
        .register(
            &w.clerk,
            &posted("先到者", "2026-11-20", "2026-11-23"),
            None,
        )
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..16 {
        let o = o.clone();
        let clerk = w.clerk.clone();
        tasks.spawn(async move {
            o.register(
                &clerk,
                &posted(&format!("申请人{i}"), "2026-11-20", "2026-11-23"),
                None,
            )
            .await
        });
    }
    let mut numbers = Vec::new();
    while let Some(r) = tasks.join_next().await {
        let id = r.unwrap().unwrap();
        numbers.push(o.store.case(id).await.unwrap().unwrap().number);
    }
    numbers.sort();
    let expected: Vec<String> = (2..=17).map(|n| format!("2026-{n:05}")).collect();
    assert_eq!(numbers, expected);
    assert_eq!(
        o.store.case(first).await.unwrap().unwrap().number,
        "2026-00001"
    );
    db.drop().await;
}

/// The inbox: open cases by due date, a page at a time with the whole count, each row
/// exactly as stored; filters; a closed case only in the list of all.
async fn inbox_pages(db: TestDb) {
    let w = world(&db, "2026-11-30").await;
    let o = &w.office;
    let mut ids = Vec::new();
    // Received on different days: different due dates, the latest received last due.
    for (i, day) in [
        "2026-11-23",
        "2026-11-02",
        "2026-11-16",
        "2026-11-09",
        "2026-11-25",
    ]
    .iter()
    .enumerate()
    {
        let mut r = posted(&format!("申请人{i}"), day, day);
        if i == 2 {
            r.applicant_kind = ApplicantKind::Business;
            r.email = Some("a@example.cn".into());
            r.id_number = None;
        }
        ids.push(o.register(&w.clerk, &r, None).await.unwrap());
    }
    let closed = o
        .register(
            &w.clerk,
            &posted("撤回者", "2026-11-03", "2026-11-03"),
            None,
        )
        .await
        .unwrap();
    o.act(
        &w.clerk,
        closed,
        1,
        &Step::Withdraw {
            reason: "申请人撤回".into(),
        },
        Some(d("2026-11-30")),
        None,
    )
    .await
    .unwrap();

    let open = |limit, offset| CaseFilter {
        open_only: true,
        limit,
        offset,
        ..CaseFilter::default()
    };
    let (all, total) = o.cases(&w.clerk, &open(50, 0)).await.unwrap();
    assert_eq!(total, 5);
    let order: Vec<i64> = all.iter().map(|r| r.id).collect();
    assert_eq!(order, vec![ids[1], ids[3], ids[2], ids[0], ids[4]]);
    let dues: Vec<&str> = all.iter().map(|r| r.due_on.as_deref().unwrap()).collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);
    // Every listed column as stored, the absent ones absent.
    for r in &all {
        let stored = o.store.case(r.id).await.unwrap().unwrap();
        assert_eq!(r, &CaseListing::from(&stored));
    }
    let business = all.iter().find(|r| r.id == ids[2]).unwrap();
    assert_eq!(business.applicant_kind, "business");
    assert_eq!(business.outcome, None);
    // A listing carries none of the applicant's particulars beyond the name.
    let listed = serde_json::to_value(business).unwrap();
    for field in ["id_number", "phone", "email", "address", "request"] {
        assert!(listed.get(field).is_none(), "{field} listed");
    }

    // Pages of two: the same order, the whole count on each, nothing past the end.
    let mut paged = Vec::new();
    for offset in [0, 2, 4] {
        let (rows, total) = o.cases(&w.clerk, &open(2, offset)).await.unwrap();
        assert_eq!(total, 5, "offset {offset}");
        paged.extend(rows.iter().map(|r| r.id));
    }
    assert_eq!(paged, order);
    let (rows, total) = o.cases(&w.clerk, &open(2, 10)).await.unwrap();
    assert!(rows.is_empty());
    assert_eq!(total, 5);

    // Filters.
    let kind = CaseFilter {
        applicant_kind: Some("business".into()),
        ..open(50, 0)
    };
    let (rows, total) = o.cases(&w.clerk, &kind).await.unwrap();
    assert_eq!((rows.len(), total), (1, 1));
    assert_eq!(rows[0].id, ids[2]);
    let received = CaseFilter {
        received_from: Some("2026-11-09".into()),
        received_to: Some("2026-11-16".into()),
        ..open(50, 0)
    };
    let (rows, _) = o.cases(&w.clerk, &received).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[3], ids[2]]
    );
    // The closed case is only among all, newest first.
    let everything = CaseFilter {
        open_only: false,
        ..open(50, 0)
    };
    let (rows, total) = o.cases(&w.clerk, &everything).await.unwrap();
    assert_eq!(total, 6);
    assert_eq!(rows[0].id, closed);
    assert_eq!(rows[0].closed, 1);
    // Another agency's clerk sees none of them.
    let (rows, total) = o.cases(&w.other_clerk, &open(50, 0)).await.unwrap();
    assert!(rows.is_empty());
    assert_eq!(total, 0);

    // By stage, channel and outcome, as the inbox's filter sends them.
    let ids_of = |rows: Vec<CaseListing>| rows.iter().map(|r| r.id).collect::<Vec<_>>();
    let v = o
        .act(
            &w.clerk,
            ids[0],
            1,
            &Step::RequestCorrection {
                items: "请写明文件名称".into(),
                supplement_due: d("2026-12-10"),
            },
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(v, 2);
    let stage = CaseFilter {
        stage: Some("awaiting_correction".into()),
        ..open(50, 0)
    };
    assert_eq!(
        ids_of(o.cases(&w.clerk, &stage).await.unwrap().0),
        vec![ids[0]]
    );
    let mut walk_in = posted("当面者", "2026-11-30", "2026-11-30");
    walk_in.channel = Channel::InPerson;
    walk_in.confirmed = None;
    let walk_in = o.register(&w.clerk, &walk_in, None).await.unwrap();
    let channel = CaseFilter {
        channel: Some("in_person".into()),
        ..open(50, 0)
    };
    assert_eq!(
        ids_of(o.cases(&w.clerk, &channel).await.unwrap().0),
        vec![walk_in]
    );
    let decide = Step::Decide {
        outcome: Outcome::Granted,
        basis: None,
        note: None,
    };
    o.act(&w.head, ids[3], 1, &decide, None, None)
        .await
        .unwrap();
    let granted = CaseFilter {
        outcome: Some("granted".into()),
        ..everything
    };
    assert_eq!(
        ids_of(o.cases(&w.clerk, &granted).await.unwrap().0),
        vec![ids[3]]
    );
    let (none, total) = o
        .cases(
            &w.clerk,
            &CaseFilter {
                outcome: Some("partial".into()),
                ..open(50, 0)
            },
        )
        .await
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(total, 0);
    db.drop().await;
}

/// Audit entries written at once are committed in groups: every call returns only
/// once its own row is stored, each row is stored once, and a caller that goes away
/// (its request dropped) loses neither its row nor the others'.
async fn audits_at_once(db: TestDb) {
    let w = world(&db, "2026-11-30").await;
    let store = &w.office.store;
    let entry = |i: usize| NewAudit {
        user_id: None,
        agency_id: Some(w.county_office),
        action: "查看案件".into(),
        target: format!("burst:{i}"),
        detail: "并发审计".into(),
        address: Some("127.0.0.1".into()),
    };
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let store = store.clone();
        let e = entry(i);
        tasks.spawn(async move {
            store.audit(&e).await.unwrap();
            // Its own row is there as soon as the call returns.
            let log = store.audit_log(e.agency_id, 1000).await.unwrap();
            assert!(log.iter().any(|r| r.target == e.target), "{}", e.target);
        });
    }
    // Callers that give up after their first step (polled once, then dropped, as a
    // request is when its client goes away): their rows still go in with a group.
    for i in 200..210 {
        let e = entry(i);
        let mut call = std::pin::pin!(store.audit(&e));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(
            call.as_mut().poll(&mut cx).is_pending(),
            "the call waits for its commit"
        );
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
    // Entries are committed in the order they came: once this one is answered, all
    // before it are stored.
    store.audit(&entry(210)).await.unwrap();
    let log = store.audit_log(Some(w.county_office), 1000).await.unwrap();
    let mut burst: Vec<usize> = log
        .iter()
        .filter_map(|r| r.target.strip_prefix("burst:")?.parse().ok())
        .collect();
    burst.sort();
    assert_eq!(
        burst,
        (0..=210).collect::<Vec<_>>(),
        "every entry stored once"
    );
    db.drop().await;
}

/// The letters on case `id`: (kind, DOCX text, PDF text), whitespace removed (a
/// PDF's lines break where the page does).
async fn letters_of(o: &Office, id: i64) -> Vec<(String, String, String)> {
    let squeeze = |t: String| t.split_whitespace().collect::<String>();
    let mut by_kind: Vec<(String, String, String)> = Vec::new();
    for doc in o.store.documents_of(id).await.unwrap() {
        let bytes = o.store.document(doc.id).await.unwrap().unwrap().content;
        let (read, _) = gongkai_extract::read_document(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", doc.file_name));
        let text = squeeze(read.plain_text());
        let slot = match by_kind.iter().position(|(k, ..)| *k == doc.kind) {
            Some(i) => i,
            None => {
                by_kind.push((doc.kind.clone(), String::new(), String::new()));
                by_kind.len() - 1
            }
        };
        if doc.file_name.ends_with(".pdf") {
            assert_eq!(doc.media_type, "application/pdf");
            by_kind[slot].2 = text;
        } else {
            assert!(doc.file_name.ends_with(".docx"), "{}", doc.file_name);
            by_kind[slot].1 = text;
        }
    }
    by_kind
}

/// The one letter of `kind` on case `id`, as DOCX and as PDF, each holding every
/// phrase of `phrases`.
async fn letter_says(o: &Office, id: i64, kind: &str, phrases: &[&str]) {
    let letters = letters_of(o, id).await;
    let (_, docx, pdf) = letters
        .iter()
        .find(|(k, ..)| k == kind)
        .unwrap_or_else(|| panic!("case {id} has no {kind} letter: {letters:?}"));
    for p in phrases {
        assert!(docx.contains(p), "{kind} DOCX lacks {p}: {docx}");
        assert!(pdf.contains(p), "{kind} PDF lacks {p}: {pdf}");
    }
}

/// Every step that writes a letter writes it as DOCX and as PDF, both read back by
/// the project's own reader: the 补正, consultation (each kind, its article),
/// extension and fee letters, and the 答复书 of every outcome of table 三, citing
/// its article and the remedies (复议 within 60 days, 诉讼 within 6 months).
async fn every_letter_reads_back(db: TestDb) {
    let w = world(&db, "2026-12-31").await;
    let o = &w.office;
    let new_case = |name: &'static str| {
        let o = o.clone();
        let clerk = w.clerk.clone();
        async move {
            o.register(&clerk, &posted(name, "2026-12-01", "2026-12-01"), None)
                .await
                .unwrap()
        }
    };
    let at = |s: &str| Some(d(s));

    let id = new_case("钱补正").await;
    o.act(
        &w.clerk,
        id,
        1,
        &Step::RequestCorrection {
            items: "请写明招标文件的项目名称".into(),
            supplement_due: d("2026-12-16"),
        },
        at("2026-12-02"),
        None,
    )
    .await
    .unwrap();
    letter_says(
        o,
        id,
        "correction",
        &[
            "补正申请告知书",
            "钱补正",
            "第三十条",
            "请写明招标文件的项目名称",
            "2026年12月16日",
        ],
    )
    .await;

    for (consultee, article, name) in [
        (Consultee::ThirdParty, "第三十二条", "某建设公司"),
        (
            Consultee::Agency,
            "第三十三条第三款",
            "测试县住房和城乡建设局",
        ),
        (Consultee::CoProducer, "第三十四条", "测试县财政局"),
    ] {
        let id = new_case("孙征求").await;
        o.act(
            &w.clerk,
            id,
            1,
            &Step::Consult {
                consultee,
                name: name.into(),
            },
            at("2026-12-02"),
            None,
        )
        .await
        .unwrap();
        letter_says(
            o,
            id,
            "consultation",
            &["政府信息公开征求意见函", name, article],
        )
        .await;
    }

    let id = new_case("李延期").await;
    o.act(
        &w.head,
        id,
        1,
        &Step::Extend {
            working_days: 20,
            reason: "需要调取的档案数量较多".into(),
        },
        at("2026-12-02"),
        None,
    )
    .await
    .unwrap();
    letter_says(
        o,
        id,
        "extension",
        &[
            "延期答复告知书",
            "第三十三条第二款",
            "需要调取的档案数量较多",
            "延长20个工作日",
        ],
    )
    .await;

    let id = new_case("周收费").await;
    o.act(
        &w.clerk,
        id,
        1,
        &Step::NoticeFee {
            method: gongkai_cases::FeeMethod::PerVolume,
            amount_yuan: 720,
            pages: Some(101),
        },
        at("2026-12-02"),
        None,
    )
    .await
    .unwrap();
    letter_says(
        o,
        id,
        "fee",
        &["收取信息处理费通知书", "720元", "按量计收", "第四十二条"],
    )
    .await;

    for outcome in Outcome::ALL {
        let id = new_case("吴答复").await;
        let mut version = 1;
        // The outcomes that follow a 补正 (answered or not) or an unpaid fee need
        // those steps first.
        let correction = || Step::RequestCorrection {
            items: "请写明文件名称".into(),
            supplement_due: d("2026-12-09"),
        };
        let before = match outcome {
            Outcome::OtherNoCorrection => vec![(correction(), "2026-12-02")],
            Outcome::UnavailableUnclear => vec![
                (correction(), "2026-12-02"),
                (Step::Supplemented { note: None }, "2026-12-03"),
            ],
            Outcome::OtherFeeUnpaid => vec![(
                Step::NoticeFee {
                    method: gongkai_cases::FeeMethod::PerVolume,
                    amount_yuan: 720,
                    pages: Some(101),
                },
                "2026-12-02",
            )],
            _ => Vec::new(),
        };
        for (step, day) in before {
            version = o
                .act(&w.clerk, id, version, &step, at(day), None)
                .await
                .unwrap();
        }
        let decide = Step::Decide {
            outcome,
            basis: None,
            note: Some("经查，说明如下".into()),
        };
        // After the fee's payment period (20 working days from 2 December) ran out.
        o.act(&w.head, id, version, &decide, at("2026-12-31"), None)
            .await
            .unwrap_or_else(|e| panic!("{outcome:?}: {e}"));
        let mut phrases = vec!["政府信息公开申请答复书", "吴答复", "六十日内", "六个月内"];
        if !outcome.default_basis().is_empty() {
            phrases.push(outcome.default_basis());
        }
        letter_says(o, id, "answer", &phrases).await;
    }
    db.drop().await;
}

/// The records are append-only in the database itself: a connection that goes
/// around the office (a script, a console) cannot change or remove a case's events,
/// its letters, or the audit log.
async fn records_are_append_only(db: TestDb) {
    use sqlx::Connection;
    let w = world(&db, "2026-11-30").await;
    let o = &w.office;
    let id = o
        .register(
            &w.clerk,
            &posted("郑记录", "2026-11-27", "2026-11-27"),
            None,
        )
        .await
        .unwrap();
    o.act(
        &w.clerk,
        id,
        1,
        &Step::RequestCorrection {
            items: "请写明文件名称".into(),
            supplement_due: d("2026-12-10"),
        },
        None,
        None,
    )
    .await
    .unwrap();
    o.view_case(&w.clerk, id, Some("127.0.0.1")).await.unwrap();
    let attempts = [
        format!("UPDATE case_events SET event = '{{}}' WHERE case_id = {id}"),
        format!("DELETE FROM case_events WHERE case_id = {id}"),
        format!("UPDATE documents SET content = content WHERE case_id = {id}"),
        format!("DELETE FROM documents WHERE case_id = {id}"),
        "UPDATE audit_log SET detail = ''".to_string(),
        "DELETE FROM audit_log".to_string(),
    ];
    let refused = |e: sqlx::Error| {
        let m = e.to_string();
        assert!(m.contains("只能追加，不能修改或删除"), "{m}");
    };
    if db.pg {
        let (url, schema) = db.target.split_once("?schema=").unwrap();
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET search_path TO {schema}")))
            .execute(&mut c)
            .await
            .unwrap();
        for sql in &attempts {
            refused(
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut c)
                    .await
                    .unwrap_err(),
            );
        }
        refused(
            sqlx::raw_sql("TRUNCATE audit_log")
                .execute(&mut c)
                .await
                .unwrap_err(),
        );
    } else {
        let mut c = sqlx::SqliteConnection::connect(&db.target).await.unwrap();
        for sql in &attempts {
            refused(
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut c)
                    .await
                    .unwrap_err(),
            );
        }
    }
    // Everything is still there, and the case still replays.
    assert_eq!(o.store.case_events(id).await.unwrap().len(), 2);
    assert!(!o.store.documents_of(id).await.unwrap().is_empty());
    assert!(!o.store.audit_log(None, 10).await.unwrap().is_empty());
    o.view_case(&w.clerk, id, None).await.unwrap();
    db.drop().await;
}

macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(TestDb::sqlite()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = TestDb::postgres(stringify!($name)) {
                    super::$name(db).await;
                }
            }
        }
    };
}

on_both!(whole_story);
on_both!(refusals);
on_both!(two_clerks_at_once);
on_both!(provisional_dates_and_import);
on_both!(login_and_rate_limit);
on_both!(online_application);
on_both!(registrations_at_once);
on_both!(inbox_pages);
on_both!(audits_at_once);
on_both!(every_letter_reads_back);
on_both!(records_are_append_only);
