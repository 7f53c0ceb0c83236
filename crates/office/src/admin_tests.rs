use super::*;
use crate::demo;
use crate::testing::{actor, demo_office as fx};

fn account(login: &str, role: Role) -> NewAccount {
    NewAccount {
        login: login.into(),
        name: "钱新人".into(),
        role,
        password: "a-long-password-1".into(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_opens_an_account_that_can_log_in_and_is_audited() {
    let f = fx().await;
    let admin = actor(&f.office, "admin").await;
    let id = f
        .office
        .add_user(
            &admin,
            admin.agency_id,
            &account("qian", Role::Clerk),
            Some("10.0.0.1"),
        )
        .await
        .unwrap();
    let s = f
        .office
        .login("qian", "a-long-password-1", "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(s.actor.user_id, id);
    assert_eq!(s.actor.role, Role::Clerk);
    let log = f
        .office
        .store
        .audit_log(Some(admin.agency_id), 50)
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "新增用户" && e.target == format!("user:{id}")),
        "{log:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_are_refused_with_what_to_fix() {
    let f = fx().await;
    let admin = actor(&f.office, "admin").await;
    let bad = NewAccount {
        login: "王".into(),
        name: " ".into(),
        role: Role::Clerk,
        password: "short".into(),
    };
    let e = f
        .office
        .add_user(&admin, admin.agency_id, &bad, None)
        .await
        .unwrap_err()
        .to_string();
    for part in [
        "登录名须为 3–50 个字符",
        "只能使用英文字母",
        "姓名不能为空",
        "密码至少 10 个字符",
    ] {
        assert!(e.contains(part), "{e}");
    }
    let taken = f
        .office
        .add_user(
            &admin,
            admin.agency_id,
            &account("clerk", Role::Clerk),
            None,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(taken.contains("登录名「clerk」已被使用"), "{taken}");
    // Oversight is not an agency administrator's role to give.
    let e = f
        .office
        .add_user(
            &admin,
            admin.agency_id,
            &account("watcher", Role::Oversight),
            None,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("不能设置「监督"), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_agencys_own_admin_manages_its_users() {
    let f = fx().await;
    let admin = actor(&f.office, "admin").await;
    let clerk = actor(&f.office, "clerk").await;
    let land = actor(&f.office, "land").await;
    assert!(matches!(
        f.office.users(&clerk, clerk.agency_id).await,
        Err(OfficeError::Forbidden(_))
    ));
    // Another agency's users are out of the admin's reach.
    assert!(matches!(
        f.office.users(&admin, land.agency_id).await,
        Err(OfficeError::Forbidden(_))
    ));
    assert!(matches!(
        f.office
            .set_user_active(&admin, land.user_id, false, None)
            .await,
        Err(OfficeError::Forbidden(_))
    ));
    let users = f.office.users(&admin, admin.agency_id).await.unwrap();
    assert!(users.iter().any(|u| u.login == "clerk"));
    assert!(users.iter().all(|u| u.agency_id == admin.agency_id));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_turned_off_account_loses_its_session_and_a_reset_password_ends_sessions() {
    let f = fx().await;
    let admin = actor(&f.office, "admin").await;
    let clerk = actor(&f.office, "clerk").await;
    let s = f
        .office
        .login("clerk", demo::DEMO_PASSWORD, "10.0.0.2")
        .await
        .unwrap();
    assert!(f.office.session(&s.token).await.unwrap().is_some());
    f.office
        .set_user_active(&admin, clerk.user_id, false, None)
        .await
        .unwrap();
    assert!(f.office.session(&s.token).await.unwrap().is_none());
    assert!(
        f.office
            .login("clerk", demo::DEMO_PASSWORD, "10.0.0.2")
            .await
            .is_err()
    );
    f.office
        .set_user_active(&admin, clerk.user_id, true, None)
        .await
        .unwrap();
    let s = f
        .office
        .login("clerk", demo::DEMO_PASSWORD, "10.0.0.2")
        .await
        .unwrap();
    f.office
        .reset_password(&admin, clerk.user_id, "another-password-2", None)
        .await
        .unwrap();
    assert!(f.office.session(&s.token).await.unwrap().is_none());
    f.office
        .login("clerk", "another-password-2", "10.0.0.2")
        .await
        .unwrap();
    assert!(matches!(
        f.office.set_user_active(&admin, admin.user_id, false, None).await,
        Err(OfficeError::Invalid(m)) if m.contains("不能停用自己的账号")
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_template_edit_is_a_new_version_used_by_the_next_letter() {
    let f = fx().await;
    let admin = actor(&f.office, "admin").await;
    let before = f.office.templates(&admin, admin.agency_id).await.unwrap();
    let ext = before.iter().find(|t| t.kind.key == "extension").unwrap();
    assert!(!ext.customized);
    assert_eq!(ext.body, letters::EXTENSION.default_body);

    let e = f
        .office
        .save_template(
            &admin,
            admin.agency_id,
            "extension",
            "因{延期原因}延期。",
            None,
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("无法填写的字段：延期原因"), "{e}");
    assert!(
        e.contains("延期理由"),
        "the message lists the usable fields: {e}"
    );

    let body = "{申请人}：\n因{延期理由}，答复期限延长{延期天数}个工作日，至{答复期限}。";
    f.office
        .save_template(&admin, admin.agency_id, "extension", body, None)
        .await
        .unwrap();
    let after = f.office.templates(&admin, admin.agency_id).await.unwrap();
    let ext = after.iter().find(|t| t.kind.key == "extension").unwrap();
    assert!(ext.customized);
    assert_eq!(ext.body, body);
    // The next extension letter is written from the edited wording, its fields filled.
    let clerk = actor(&f.office, "clerk").await;
    let head = actor(&f.office, "head").await;
    let id = f
        .office
        .register(
            &clerk,
            &crate::casework::Registration {
                channel: gongkai_cases::Channel::InPerson,
                applicant_kind: gongkai_cases::ApplicantKind::NaturalPerson,
                applicant_name: "孙模板".into(),
                id_type: None,
                id_number: None,
                phone: None,
                email: None,
                address: None,
                request: "某项目的批复文件".into(),
                submitted: f.office.today(),
                confirmed: None,
                provision: None,
            },
            None,
        )
        .await
        .unwrap();
    f.office
        .act(
            &head,
            id,
            1,
            &crate::casework::Step::Extend {
                working_days: 15,
                reason: "涉及档案较多".into(),
            },
            None,
            None,
        )
        .await
        .unwrap();
    let docs = f.office.store.documents_of(id).await.unwrap();
    let docx = docs
        .iter()
        .find(|d| d.kind == "extension" && d.file_name.ends_with(".docx"))
        .unwrap();
    let bytes = f
        .office
        .store
        .document(docx.id)
        .await
        .unwrap()
        .unwrap()
        .content;
    let (doc, _) = gongkai_extract::read_document(&bytes).unwrap();
    let text = doc.plain_text();
    assert!(text.contains("孙模板："), "{text}");
    assert!(
        text.contains("因涉及档案较多，答复期限延长15个工作日，至"),
        "{text}"
    );
    assert!(!text.contains("经政府信息公开工作机构负责人同意"), "{text}");
    // A clerk may not edit the wording.
    let clerk = actor(&f.office, "clerk").await;
    assert!(matches!(
        f.office
            .save_template(&clerk, clerk.agency_id, "extension", body, None)
            .await,
        Err(OfficeError::Forbidden(_))
    ));
    // Emptying the box restores the built-in wording, as one more version.
    f.office
        .save_template(&admin, admin.agency_id, "extension", "  ", None)
        .await
        .unwrap();
    let restored = f.office.templates(&admin, admin.agency_id).await.unwrap();
    assert!(
        !restored
            .iter()
            .find(|t| t.kind.key == "extension")
            .unwrap()
            .customized
    );
}
