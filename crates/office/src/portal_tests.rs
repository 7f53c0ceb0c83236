use super::*;
use crate::casework::StepKind;
use crate::testing::{actor, demo_office};

const ADDR: &str = "203.0.113.7";

fn form() -> ApplicationForm {
    ApplicationForm {
        applicant_kind: "natural_person".into(),
        applicant_name: "陈网申".into(),
        id_type: "居民身份证".into(),
        id_number: "11010519491231002X".into(),
        phone: "13800138000".into(),
        email: "chen@example.cn".into(),
        address: String::new(),
        request: "2025年演示县城区老旧小区改造项目的资金安排文件".into(),
        form: "电子".into(),
        delivery: "在线下载".into(),
    }
}

#[test]
fn codes_are_long_unbiased_and_typed_loosely() {
    let a = new_code();
    let b = new_code();
    assert_eq!(a.len(), CODE_LEN);
    assert_ne!(a, b);
    assert!(a.bytes().all(|c| CODE_ALPHABET.contains(&c)));
    let shown = grouped(&a);
    assert_eq!(shown.len(), CODE_LEN + 3);
    assert_eq!(normalize_code(&shown.to_lowercase()), a);
    assert_eq!(normalize_code(&format!(" {} ", shown.replace('-', " "))), a);
}

#[test]
fn initials_find_agencies_by_pinyin() {
    let first = |name: &str| -> String { initials(name).iter().map(|s| s[0]).collect() };
    assert_eq!(first("演示县自然资源局"), "ysxzrzyj");
    assert_eq!(first("演示市A局"), "yssaj");
    // Anywhere in the name, not only from its start.
    assert!(initials_match("演示县自然资源局", "zrzy"));
    assert!(initials_match("演示县自然资源局", "ysx"));
    assert!(!initials_match("演示县自然资源局", "zrzyt"));
    assert!(!initials_match("演示县自然资源局", "xyz"));
    // A character with several readings matches by any of them: the dictionary's
    // first readings of 长 and 重 are zhǎng and zhòng, the cities' cháng and chóng.
    assert!(initials_match("长沙市人民政府", "cs"));
    assert!(initials_match("长子县人民政府", "zzx"));
    assert!(initials_match("重庆市人民政府", "cq"));
    assert!(initials_match("演示市A局", "aj"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_finds_an_agency_by_name_or_initials() {
    let d = demo_office().await;
    let by_name = d.office.find_agencies("自然资源").await.unwrap();
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name[0].name, "演示县自然资源局");
    assert!(
        by_name[0].trail.contains("演示县人民政府"),
        "{:?}",
        by_name[0]
    );
    let by_initials = d.office.find_agencies("YSXZ").await.unwrap();
    assert_eq!(by_initials.len(), 1);
    assert_eq!(by_initials[0].name, "演示县自然资源局");
    // The search box's own hint: initials from the middle of the name.
    let inside = d.office.find_agencies("zrzy").await.unwrap();
    assert_eq!(inside.len(), 1, "{inside:?}");
    assert_eq!(inside[0].name, "演示县自然资源局");
    assert!(
        d.office
            .find_agencies("不存在的机关")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_online_application_waits_for_the_office_then_runs_from_its_confirmation() {
    let d = demo_office().await;
    let o = &d.office;
    let receipt = o
        .submit_online(
            d.demo.office_id,
            &form(),
            vec![("身份证复印件.pdf".into(), b"%PDF-1.4 scan".to_vec())],
            ADDR,
        )
        .await
        .unwrap();
    assert!(
        receipt.number.starts_with("W20261130-"),
        "{}",
        receipt.number
    );

    // Before confirmation: stored, followed, not yet a case.
    let t = o.track(&receipt.number, &receipt.code, ADDR).await.unwrap();
    assert_eq!(t.state, "等待机关确认收到");
    assert!(t.case.is_none());
    assert_eq!(t.applicant, "陈**");
    assert_eq!(t.id_number.as_deref(), Some("110***********002X"));
    assert_eq!(t.files.len(), 1);
    let e = o
        .applicant_withdraw(&receipt.number, &receipt.code, "", ADDR)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("尚未确认收到"), "{e}");

    // The clerk sees it waiting and confirms it: a case received today.
    let clerk = actor(o, "clerk").await;
    let pending = o.pending_online(&clerk, 1000).await.unwrap().0;
    let p = pending.iter().find(|p| p.number == receipt.number).unwrap();
    assert_eq!(p.application.applicant_name, "陈网申");
    let case_id = o.confirm_online(&clerk, p.id, Some(ADDR)).await.unwrap();
    let again = o.confirm_online(&clerk, p.id, None).await.unwrap_err();
    assert!(again.to_string().contains("已由他人确认"), "{again}");
    assert!(
        o.pending_online(&clerk, 1000)
            .await
            .unwrap()
            .0
            .iter()
            .all(|p| p.number != receipt.number)
    );
    let view = o.view_case(&clerk, case_id, None).await.unwrap();
    assert_eq!(view.row.channel, "online");
    assert_eq!(view.row.received_on, "2026-11-30");
    assert_eq!(view.row.provision.as_deref(), Some("电子；在线下载"));
    assert_eq!(
        view.attachments.len(),
        1,
        "the application's file came with it"
    );
    // 20 working days from Monday 30 November 2026.
    assert_eq!(
        view.due.as_ref().unwrap().deadline.next_due.to_string(),
        "2026-12-28"
    );

    // Another agency's clerk cannot confirm or see it.
    let land = actor(o, "land").await;
    assert!(
        o.pending_online(&land, 1000)
            .await
            .unwrap()
            .0
            .iter()
            .all(|p| p.number != receipt.number)
    );

    // 补正 asked; the applicant answers online; the period restarts.
    let supplement_due = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
    o.act(
        &clerk,
        case_id,
        view.row.version,
        &Step::RequestCorrection {
            items: "请写明改造项目所在小区名称".into(),
            supplement_due,
        },
        None,
        None,
    )
    .await
    .unwrap();
    let t = o.track(&receipt.number, &receipt.code, ADDR).await.unwrap();
    assert_eq!(t.state, "需要补正");
    let c = t.case.as_ref().unwrap();
    assert_eq!(
        c.correction,
        Some(("请写明改造项目所在小区名称".to_string(), supplement_due))
    );
    assert!(c.actions.contains(&ApplicantAction::Supplement));
    let letter = c.documents.iter().find(|d| d.kind == "correction").unwrap();
    let file = o
        .applicant_document(&receipt.number, &receipt.code, letter.id, ADDR)
        .await
        .unwrap();
    assert!(!file.content.is_empty());
    o.applicant_supplement(
        &receipt.number,
        &receipt.code,
        "城南街道幸福里小区",
        vec![("小区位置图.png".into(), b"\x89PNG\r\n\x1a\n....".to_vec())],
        ADDR,
    )
    .await
    .unwrap();
    let view = o.view_case(&clerk, case_id, None).await.unwrap();
    assert_eq!(view.row.stage, "in_process");
    assert_eq!(view.attachments.len(), 2);
    let last = view.timeline.last().unwrap();
    assert_eq!(last.actor, APPLICANT_ONLINE);
    assert!(last.detail.contains("幸福里"), "{last:?}");
    assert!(!view.next_steps.contains(&StepKind::Supplemented));
    let again = o
        .applicant_supplement(&receipt.number, &receipt.code, "再补一次", vec![], ADDR)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("不需要补正"), "{again}");

    // The decision's letter is the applicant's to download; a consultation letter is not.
    let v = view.row.version;
    let v = o
        .act(
            &clerk,
            case_id,
            v,
            &Step::Consult {
                consultee: gongkai_cases::Consultee::ThirdParty,
                name: "某物业公司".into(),
            },
            None,
            None,
        )
        .await
        .unwrap();
    let t = o.track(&receipt.number, &receipt.code, ADDR).await.unwrap();
    let c = t.case.as_ref().unwrap();
    assert!(c.documents.iter().all(|d| d.kind != "consultation"));
    assert!(
        c.timeline.iter().all(|(_, w)| !w.contains("物业")),
        "the third party is not named to the applicant: {:?}",
        c.timeline
    );
    let all = o.store.documents_of(case_id).await.unwrap();
    let consult = all.iter().find(|d| d.kind == "consultation").unwrap();
    assert!(
        o.applicant_document(&receipt.number, &receipt.code, consult.id, ADDR)
            .await
            .is_err()
    );
    let _ = v;

    // A copy can be asked for once there is an answer; then it reaches the clerk.
    let e = o
        .applicant_message(&receipt.number, &receipt.code, "copy", "请再发一份", ADDR)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("尚未作出答复"), "{e}");
    let head = actor(o, "head").await;
    let v = o
        .act(
            &clerk,
            case_id,
            v,
            &Step::ConsultationReplied {
                consultation: "征求意见1".into(),
                consent: Some(true),
            },
            None,
            None,
        )
        .await
        .unwrap();
    o.act(
        &head,
        case_id,
        v,
        &Step::Decide {
            outcome: gongkai_cases::Outcome::Granted,
            basis: None,
            note: None,
        },
        None,
        None,
    )
    .await
    .unwrap();
    let t = o.track(&receipt.number, &receipt.code, ADDR).await.unwrap();
    assert_eq!(t.state, "已答复");
    let c = t.case.as_ref().unwrap();
    assert!(c.documents.iter().any(|d| d.kind == "answer"));
    assert!(c.actions.contains(&ApplicantAction::AskCopy));
    o.applicant_message(&receipt.number, &receipt.code, "copy", "请再发一份", ADDR)
        .await
        .unwrap();
    let view = o.view_case(&clerk, case_id, None).await.unwrap();
    assert_eq!(view.messages.len(), 1);
    assert_eq!(view.messages[0].text, "请再发一份");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_code_tells_nothing_and_failures_are_limited_per_address() {
    let d = demo_office().await;
    let o = &d.office;
    let r = o
        .submit_online(d.demo.office_id, &form(), vec![], ADDR)
        .await
        .unwrap();
    let wrong_code = o
        .track(&r.number, "AAAA-AAAA-AAAA-AAAA", ADDR)
        .await
        .unwrap_err()
        .to_string();
    let wrong_number = o
        .track("W20261130-000000", &r.code, ADDR)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(wrong_code, wrong_number);
    for _ in 2..MAX_LOOKUP_FAILURES {
        o.track(&r.number, "x", ADDR).await.unwrap_err();
    }
    // The limit is reached: even the right code is refused from this address now…
    let limited = o.track(&r.number, &r.code, ADDR).await.unwrap_err();
    assert!(matches!(limited, OfficeError::TooMany(_)), "{limited}");
    // …but not from another.
    o.track(&r.number, &r.code, "198.51.100.1").await.unwrap();
    let log = o.store.audit_log(None, 100).await.unwrap();
    assert_eq!(
        log.iter().filter(|a| a.action == "查询失败").count() as i64,
        MAX_LOOKUP_FAILURES
    );
    assert!(log.iter().any(|a| a.action == "查询申请进度"));
}

#[tokio::test(flavor = "multi_thread")]
async fn submissions_are_limited_per_address_and_bad_forms_store_nothing() {
    let d = demo_office().await;
    let o = &d.office;
    let mut bad = form();
    bad.id_number = "110105194912310021".into();
    let e = o
        .submit_online(d.demo.office_id, &bad, vec![], ADDR)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("居民身份证号码不正确"), "{e}");
    let disguised = o
        .submit_online(
            d.demo.office_id,
            &form(),
            vec![("照片.jpg".into(), b"%PDF-1.4".to_vec())],
            ADDR,
        )
        .await
        .unwrap_err();
    assert!(
        disguised.to_string().contains("与文件扩展名不符"),
        "{disguised}"
    );
    let clerk = actor(o, "clerk").await;
    let before = o.pending_online(&clerk, 1000).await.unwrap().0.len() as i64;
    assert_eq!(
        before, 2,
        "the demo's two; the refused forms stored nothing"
    );
    for _ in 0..MAX_SUBMISSIONS_PER_ADDRESS {
        o.submit_online(d.demo.office_id, &form(), vec![], ADDR)
            .await
            .unwrap();
    }
    let e = o
        .submit_online(d.demo.office_id, &form(), vec![], ADDR)
        .await
        .unwrap_err();
    assert!(matches!(e, OfficeError::TooMany(_)), "{e}");
    o.submit_online(d.demo.office_id, &form(), vec![], "198.51.100.1")
        .await
        .unwrap();
    assert_eq!(
        o.pending_online(&clerk, 1000).await.unwrap().0.len() as i64,
        before + MAX_SUBMISSIONS_PER_ADDRESS + 1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_receipt_is_a_document_with_the_number() {
    let d = demo_office().await;
    let o = &d.office;
    let r = o
        .submit_online(d.demo.office_id, &form(), vec![], ADDR)
        .await
        .unwrap();
    let (name, media, bytes) = o.receipt_document(&r.number, &r.code, ADDR).await.unwrap();
    assert!(name.starts_with(&r.number), "{name}");
    assert!(name.contains("申请回执"));
    // The fonts are built in, so the receipt is a PDF, and it carries both the
    // number and the code: a citizen who keeps only the file can still follow.
    assert_eq!(media, "application/pdf");
    assert!(name.ends_with(".pdf"), "{name}");
    let (doc, _) = gongkai_extract::read_document(&bytes).unwrap();
    let text: String = doc.plain_text().split_whitespace().collect();
    assert!(text.contains(&r.number), "{text}");
    assert!(text.contains(&format!("查询码：{}", r.code)), "{text}");
}
