//! The public portal as a browser without JavaScript uses it: plain GETs and form
//! POSTs through the real router, the cookie carried by hand. Apply (with a file),
//! get the receipt, follow the case, and see what a stranger cannot do.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use gongkai_cases::NaiveDate;
use gongkai_office::{Clock, Office, OfficeError};
use gongkai_store::Store;
use gongkai_web::{AppState, router};
use tower::ServiceExt;

struct Portal {
    app: axum::Router,
    office: Office,
    agency: i64,
    _dir: std::sync::Arc<Option<tempfile::TempDir>>,
}

impl Portal {
    /// The same portal on a later `day`: another server over the same store, its
    /// clock there (how a case is followed over the days it takes).
    async fn on(&self, day: &str) -> Portal {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        let office = Office::new(self.office.store.clone(), Clock::Fixed(day))
            .await
            .unwrap();
        Portal {
            app: router(AppState {
                office: office.clone(),
                secure_cookies: false,
                demo: true,
                behind_proxy: false,
            }),
            office,
            agency: self.agency,
            _dir: self._dir.clone(),
        }
    }
}

async fn portal() -> Portal {
    portal_with(false).await
}

async fn portal_with(behind_proxy: bool) -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite:{}", dir.path().join("p.db").display()))
        .await
        .unwrap();
    portal_over(store, behind_proxy, Some(dir)).await
}

/// The demo portal over `store` (which lives in `dir`, if it is a file).
async fn portal_over(store: Store, behind_proxy: bool, dir: Option<tempfile::TempDir>) -> Portal {
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let office = Office::new(store, Clock::Fixed(today)).await.unwrap();
    let demo = gongkai_office::demo::seed(&office).await.unwrap();
    let app = router(AppState {
        office: office.clone(),
        secure_cookies: false,
        demo: true,
        behind_proxy,
    });
    Portal {
        app,
        office,
        agency: demo.office_id,
        _dir: std::sync::Arc::new(dir),
    }
}

/// The demo county office's clerk.
async fn clerk(p: &Portal) -> gongkai_office::Actor {
    let u = p
        .office
        .store
        .user_by_login("clerk")
        .await
        .unwrap()
        .unwrap();
    let ag = p.office.agency(u.agency_id).await.unwrap();
    gongkai_office::Actor::new(&u, &ag).unwrap()
}

struct Answer {
    status: StatusCode,
    set_cookie: Vec<String>,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The value of the `gk_public` cookie this answer sets.
    fn token(&self) -> String {
        self.set_cookie
            .iter()
            .find_map(|c| c.strip_prefix("gk_public="))
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_string()
    }
}

async fn send(p: &Portal, req: Request<Body>) -> Answer {
    let resp = p.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let set_cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        set_cookie,
        content_type,
        body,
    }
}

async fn get(p: &Portal, path: &str) -> Answer {
    send(p, Request::get(path).body(Body::empty()).unwrap()).await
}

async fn post_form(p: &Portal, path: &str, cookie: &str, body: &str) -> Answer {
    let req = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .body(Body::from(body.to_string()))
        .unwrap();
    send(p, req).await
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in\n{text}"))
        + start.len();
    let to = text[from..].find(end).unwrap() + from;
    &text[from..to]
}

fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    multipart_files(fields, file.as_slice())
}

fn multipart_files(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--B0\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        b.extend_from_slice(
            format!(
                "--B0\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(b"--B0--\r\n");
    b
}

/// An application sent online and confirmed by the clerk on the portal's day:
/// (申请编号, 查询码, case id).
async fn confirmed_case(p: &Portal) -> (String, String, i64) {
    let r = p
        .office
        .submit_online(p.agency, &sample_form(), Vec::new(), "192.0.2.50")
        .await
        .unwrap();
    let clerk = clerk(p).await;
    let pending = p.office.pending_online(&clerk, 1000).await.unwrap().0;
    let id = pending.iter().find(|x| x.number == r.number).unwrap().id;
    let case_id = p.office.confirm_online(&clerk, id, None).await.unwrap();
    (r.number, r.code, case_id)
}

/// The online form as `FIELDS` fill it.
fn sample_form() -> gongkai_office::application_form::ApplicationForm {
    gongkai_office::application_form::ApplicationForm {
        applicant_kind: "natural_person".into(),
        applicant_name: "钱无脚本".into(),
        id_type: "居民身份证".into(),
        id_number: "11010519491231002X".into(),
        phone: "13700137000".into(),
        request: "演示县2026年公共租赁住房分配名单".into(),
        form: "电子".into(),
        delivery: "在线下载".into(),
        ..Default::default()
    }
}

/// The lookup form's body.
fn lookup(number: &str, code: &str) -> String {
    format!("number={number}&code={}", enc(code))
}

async fn version(p: &Portal, case_id: i64) -> i64 {
    p.office.store.case(case_id).await.unwrap().unwrap().version
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const FIELDS: [(&str, &str); 8] = [
    ("applicant_kind", "natural_person"),
    ("applicant_name", "钱无脚本"),
    ("id_type", "居民身份证"),
    ("id_number", "11010519491231002X"),
    ("phone", "13700137000"),
    ("request", "演示县2026年公共租赁住房分配名单"),
    ("form", "电子"),
    ("delivery", "在线下载"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applying_and_following_work_without_javascript() {
    let p = portal().await;
    let a = p.agency;

    let found = get(&p, &format!("/public?q={}", enc("县人民政府办公室"))).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.text().contains(&format!("/public/agencies/{a}")));

    let form = get(&p, &format!("/public/agencies/{a}/apply")).await;
    assert_eq!(form.status, StatusCode::OK);
    let token = form.token();
    assert_eq!(token.len(), 32, "{:?}", form.set_cookie);
    let cookie = format!("gk_public={token}");
    // Every input has its label.
    let html = form.text();
    for id in [
        "applicant_name",
        "id_type",
        "id_number",
        "phone",
        "email",
        "address",
        "request",
    ] {
        assert!(
            html.contains(&format!("<label for=\"{id}\"")),
            "no label for {id}"
        );
    }

    // Checked, then confirmed with a file.
    let body: String = FIELDS
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .chain([format!("_token={token}")])
        .collect::<Vec<_>>()
        .join("&");
    let review = post_form(&p, &format!("/public/agencies/{a}/apply"), &cookie, &body).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.text());
    assert!(review.text().contains("确认提交"));
    let token = review.token();
    let mut fields: Vec<(&str, &str)> = FIELDS.to_vec();
    fields.push(("_token", &token));
    let req = Request::post(format!("/public/agencies/{a}/submit"))
        .header("content-type", "multipart/form-data; boundary=B0")
        .header("cookie", format!("gk_public={token}"))
        .body(Body::from(multipart(
            &fields,
            Some(("申请书.pdf", b"%PDF-1.4 x")),
        )))
        .unwrap();
    let receipt = send(&p, req).await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.text());
    let text = receipt.text();
    let number = between(&text, "<dd id=\"receipt-number\">", "<").to_string();
    let code = between(&text, "<dd id=\"receipt-code\" class=\"code\">", "<").to_string();
    assert!(number.starts_with("W20261130-"), "{number}");
    assert_eq!(code.len(), 19);
    // The token is spent: the same submission again is refused, nothing doubled.
    assert!(
        receipt
            .set_cookie
            .iter()
            .any(|c| c.starts_with("gk_public=;"))
    );

    // Followed with the code: masked, waiting for confirmation.
    let keys = format!("number={number}&code={}", enc(&code));
    let status = post_form(&p, "/public/track", "", &keys).await;
    assert_eq!(status.status, StatusCode::OK);
    let s = status.text();
    assert!(s.contains("等待机关确认收到"), "{s}");
    assert!(
        s.contains("钱**") && !s.contains("钱无脚本"),
        "the name is masked"
    );
    assert!(s.contains("110***********002X") && !s.contains("11010519491231002X"));
    assert!(s.contains("申请书.pdf"));

    let receipt_pdf = post_form(&p, "/public/track/receipt", "", &keys).await;
    assert_eq!(receipt_pdf.status, StatusCode::OK);
    assert!(
        receipt_pdf.content_type == "application/pdf"
            || receipt_pdf.content_type.contains("wordprocessingml"),
        "{}",
        receipt_pdf.content_type
    );

    // The office confirms; the applicant sees the due date.
    let clerk = clerk(&p).await;
    let pending = p.office.pending_online(&clerk, 1000).await.unwrap().0;
    let mine = pending.iter().find(|x| x.number == number).unwrap();
    p.office
        .confirm_online(&clerk, mine.id, None)
        .await
        .unwrap();
    let s = post_form(&p, "/public/track", "", &keys).await.text();
    assert!(
        s.contains("办理中") && s.contains("答复期限：<strong>2026-12-28</strong>"),
        "{s}"
    );
    assert!(s.contains("撤回申请"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_public_input_is_refused_in_chinese_and_changes_nothing() {
    let p = portal().await;
    let a = p.agency;
    let form = get(&p, &format!("/public/agencies/{a}/apply")).await;
    let token = form.token();
    let cookie = format!("gk_public={token}");

    // Each field's mistake beside it; the form keeps what was typed.
    let body = format!(
        "_token={token}&applicant_kind=natural_person&applicant_name={}&id_type={}&id_number=123&request=x&form={}&delivery={}",
        enc("孙某"),
        enc("居民身份证"),
        enc("纸质"),
        enc("在线下载")
    );
    let r = post_form(&p, &format!("/public/agencies/{a}/apply"), &cookie, &body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = r.text();
    for m in [
        "居民身份证号码不正确",
        "请至少填写联系电话或电子邮箱",
        "请描述您申请公开的政府信息",
        "纸质形式不能在线下载",
    ] {
        assert!(t.contains(m), "{m} missing");
    }
    assert!(t.contains("value=\"孙某\""), "what was typed is kept");
    assert!(t.contains("aria-invalid=\"true\""));

    // A forged confirmation (no cookie) and a disguised file: refused, nothing stored.
    let mut fields: Vec<(&str, &str)> = FIELDS.to_vec();
    fields.push(("_token", "forged"));
    let req = Request::post(format!("/public/agencies/{a}/submit"))
        .header("content-type", "multipart/form-data; boundary=B0")
        .body(Body::from(multipart(&fields, None)))
        .unwrap();
    let r = send(&p, req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("页面已过期"));
    let mut fields: Vec<(&str, &str)> = FIELDS.to_vec();
    fields.push(("_token", &token));
    let req = Request::post(format!("/public/agencies/{a}/submit"))
        .header("content-type", "multipart/form-data; boundary=B0")
        .header("cookie", &cookie)
        .body(Body::from(multipart(
            &fields,
            Some(("照片.jpg", b"%PDF-1.4 x")),
        )))
        .unwrap();
    let r = send(&p, req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("与文件扩展名不符"));
    let clerk = clerk(&p).await;
    assert_eq!(
        p.office.pending_online(&clerk, 1000).await.unwrap().0.len(),
        2,
        "only the demo's two applications wait"
    );

    // A wrong code and an unknown number read alike; the page names neither.
    let a1 = post_form(
        &p,
        "/public/track",
        "",
        "number=W20261130-000001&code=AAAABBBBCCCCDDDD",
    )
    .await;
    assert_eq!(a1.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a1.text().contains("申请编号或查询码不正确"));
    // An unknown agency.
    assert_eq!(
        get(&p, "/public/agencies/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&p, "/public/agencies/abc").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_page_shows_its_guide_and_never_an_outline_blank() {
    let p = portal().await;
    // The demo county office wrote its guide: complete, marked as demo data.
    let county = get(&p, &format!("/public/agencies/{}", p.agency)).await;
    assert_eq!(county.status, StatusCode::OK);
    let t = county.text();
    assert!(t.contains("演示县人民政府办公室政府信息公开指南"), "{t}");
    assert!(t.contains("办公地址：演示省演示市演示县人民路1号"), "{t}");
    assert!(t.contains("演示数据"));
    assert!(!t.contains("请填写"), "{t}");
    // Every other agency never saved one: a plain notice and the general rules.
    for a in p.office.store.agencies().await.unwrap() {
        if a.id == p.agency {
            continue;
        }
        let t = get(&p, &format!("/public/agencies/{}", a.id)).await.text();
        assert!(!t.contains("请填写"), "{}: {t}", a.name);
        assert!(
            t.contains("本机关尚未发布政府信息公开指南，请通过下列渠道联系。"),
            "{}: {t}",
            a.name
        );
        assert!(t.contains(&format!("通过本平台向{}在线提交", a.name)));
        assert!(t.contains("20个工作日内予以答复") && t.contains("行政复议"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_reads_an_agencys_published_annual_report() {
    let p = portal().await;
    let a = p.agency;
    let name = p.office.agency(a).await.unwrap().name;
    // The agency's 2025 report as `gongkai ingest` keeps it: cells exactly as printed.
    support::store_published_report(
        &p.office,
        &name,
        vec![
            (
                "requests.new.natural_person",
                gongkai_report::Value::int(10164),
            ),
            ("requests.new.business", gongkai_report::Value::int(0)),
        ],
    )
    .await;

    let page = get(&p, &format!("/public/agencies/{a}")).await.text();
    let href = format!("/public/agencies/{a}/reports/");
    let start = page.find(&href).expect("the report is listed") + href.len();
    let id: String = page[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(page.contains("2025年政府信息公开工作年度报告"));

    let html = get(&p, &format!("{href}{id}")).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.text().contains("10164"), "the printed value, exactly");
    assert!(html.text().contains(&name));
    // The prose as published, not the template's blank-form placeholder.
    assert!(
        html.text()
            .contains("本机关坚持以公开为常态、不公开为例外。")
    );
    assert!(!html.text().contains("（文字描述）"));
    let docx = get(&p, &format!("{href}{id}?format=docx")).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert!(docx.body.starts_with(b"PK"));
    // A real PDF, a download, that the project's own reader reads back.
    let pdf = get(&p, &format!("{href}{id}?format=pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF-"), "{:?}", &pdf.body[..16]);
    let (doc, format) = gongkai_extract::read_document(&pdf.body).unwrap();
    assert_eq!(format, gongkai_extract::Format::Pdf);
    let text: String = doc.plain_text().split_whitespace().collect();
    assert!(text.contains("10164"), "{text}");
    assert!(text.contains(&name), "{text}");
    assert_eq!(
        get(&p, &format!("{href}{id}?format=exe")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Another agency's page does not serve it.
    let other = p
        .office
        .store
        .agencies()
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.id != a)
        .unwrap();
    assert_eq!(
        get(&p, &format!("/public/agencies/{}/reports/{id}", other.id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A report stored without its prose (before the dataset kept it) says so; it
    // never shows the blank form's 「（文字描述）」 as if that were the agency's text.
    let mut bare = gongkai_report::Report::from_values(
        "2024年报.txt",
        gongkai_report::TemplateId::T2021,
        [("requests.new.natural_person", gongkai_report::Value::int(7))],
    )
    .unwrap();
    bare.agency = Some(name.clone());
    bare.year = Some(2024);
    let file = gongkai_store::PreparedFile {
        path: "2024年报.txt".into(),
        file_name: "2024年报.txt".into(),
        hash: "cd".repeat(32),
        size: 1,
        format: Some("text"),
        reports: vec![gongkai_store::PreparedReport {
            member: "2024年报.txt".into(),
            format: "text",
            report: bare,
            findings: Vec::new(),
        }],
        failures: Vec::new(),
    };
    assert!(p.office.store.store_file(&file, false).await.unwrap());
    let page = get(&p, &format!("/public/agencies/{a}")).await.text();
    let at = page.find("2024年政府信息公开工作年度报告").expect("listed");
    let start = page[..at].rfind(&href).expect("its link") + href.len();
    let bare_id: String = page[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert_ne!(bare_id, id);
    let html = get(&p, &format!("{href}{bare_id}")).await.text();
    assert!(html.contains(gongkai_office::portal::PROSE_NOT_KEPT));
    assert!(!html.contains("（文字描述）"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_lists_the_applications_sent_while_signed_in() {
    let p = portal().await;
    let a = p.agency;
    let page = get(&p, "/public/account").await;
    let token = page.token();
    let csrf = format!("gk_public={token}");
    let r = post_form(
        &p,
        "/public/account/register",
        &csrf,
        &format!("_token={token}&login=13900139000&password=long-enough-1"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let session = r
        .set_cookie
        .iter()
        .find_map(|c| c.strip_prefix("gk_citizen="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string();
    assert!(
        r.set_cookie
            .iter()
            .any(|c| c.contains("HttpOnly") && c.starts_with("gk_citizen="))
    );
    let both = format!("gk_public={token}; gk_citizen={session}");

    // Apply while signed in (the same form token: the account page's).
    let mut fields: Vec<(&str, &str)> = FIELDS.to_vec();
    fields.push(("_token", &token));
    let req = Request::post(format!("/public/agencies/{a}/submit"))
        .header("content-type", "multipart/form-data; boundary=B0")
        .header("cookie", &both)
        .body(Body::from(multipart(&fields, None)))
        .unwrap();
    let receipt = send(&p, req).await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.text());
    let number = between(&receipt.text(), "<dd id=\"receipt-number\">", "<").to_string();

    let list = send(
        &p,
        Request::get("/public/account")
            .header("cookie", format!("gk_citizen={session}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .text();
    assert!(list.contains(&number), "{list}");
    assert!(list.contains("等待机关确认收到"));
    let log = p.office.store.audit_log(Some(a), 20).await.unwrap();
    assert!(
        log.iter().any(|e| e.action == "账户查看申请列表"
            && e.detail.contains(&number)
            && e.address.as_deref() == Some("local")),
        "the listing is in the agency's audit log: {log:?}"
    );
    assert!(list.contains(&format!("/public/track?number={number}")));
    // Without the account's cookie the list is not shown.
    assert!(!get(&p, "/public/account").await.text().contains(&number));
    // The same login again is refused in Chinese.
    let again = post_form(
        &p,
        "/public/account/register",
        &csrf,
        &format!("_token={token}&login=139-0013-9000&password=long-enough-2"),
    )
    .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("已注册"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_proxy_the_client_is_the_address_the_proxy_appended() {
    for (behind_proxy, expected) in [(true, "198.51.100.23"), (false, "local")] {
        let p = portal_with(behind_proxy).await;
        let req = Request::post("/public/track")
            .header("content-type", "application/x-www-form-urlencoded")
            // The first entry is whatever the client claimed; the proxy appended the last.
            .header("x-forwarded-for", "203.0.113.1, 198.51.100.23")
            .body(Body::from("number=W20261130-000001&code=AAAABBBBCCCCDDDD"))
            .unwrap();
        assert_eq!(send(&p, req).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        let log = p.office.store.audit_log(None, 5).await.unwrap();
        let failed = log.iter().find(|a| a.action == "查询失败").unwrap();
        assert_eq!(
            failed.address.as_deref(),
            Some(expected),
            "behind_proxy={behind_proxy}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_shows_a_consultations_pause_and_how_the_limit_is_counted() {
    let p = portal().await;
    let (number, code, case_id) = confirmed_case(&p).await;
    let keys = lookup(&number, &code);
    let clerk = clerk(&p).await;
    // Received Monday 30 November; the third party is consulted on Tuesday.
    let tuesday = p.on("2026-12-01").await;
    tuesday
        .office
        .act(
            &clerk,
            case_id,
            version(&p, case_id).await,
            &gongkai_office::Step::Consult {
                consultee: gongkai_cases::Consultee::ThirdParty,
                name: "某物业公司".into(),
            },
            None,
            None,
        )
        .await
        .unwrap();
    // Friday: three working days (2, 3, 4 December) paused so far, so the answer
    // is due three working days after 28 December.
    let friday = p.on("2026-12-04").await;
    let s = post_form(&friday, "/public/track", "", &keys).await;
    assert_eq!(s.status, StatusCode::OK);
    let s = s.text();
    assert!(s.contains("答复期限：<strong>2026-12-31</strong>"), "{s}");
    assert!(s.contains("不计入期限的期间"), "{s}");
    assert!(
        s.contains("<li>征求第三方意见：2026-12-01 至 2026-12-04（进行中）</li>"),
        "{s}"
    );
    assert!(s.contains("<summary>期限如何计算</summary>"), "{s}");
    let explain = between(&s, "<p class=\"explain\">", "</p>");
    for part in [
        "收到申请之日为 2026-11-30",
        "答复期限 20 个工作日",
        "征求第三方意见，自 2026-12-01 至 2026-12-04，不计入答复期限 3 个工作日",
        "届满日将随之顺延",
        "答复期限届满日为 2026-12-31",
    ] {
        assert!(explain.contains(part), "{part}: {explain}");
    }
    // The applicant is told of the pause, not whom the office consulted.
    assert!(!s.contains("物业"), "{s}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplement_sent_days_later_restarts_the_answer_period_from_that_day() {
    let p = portal().await;
    let (number, code, case_id) = confirmed_case(&p).await;
    let clerk = clerk(&p).await;
    let first_due = day("2026-12-28");
    let view = p.office.view_case(&clerk, case_id, None).await.unwrap();
    assert_eq!(view.due.unwrap().deadline.next_due, first_due);
    p.office
        .act(
            &clerk,
            case_id,
            version(&p, case_id).await,
            &gongkai_office::Step::RequestCorrection {
                items: "请写明申请的年度和所在街道".into(),
                supplement_due: day("2026-12-11"),
            },
            None,
            None,
        )
        .await
        .unwrap();

    // A week later the applicant answers online, with a file.
    let later = p.on("2026-12-08").await;
    let req = Request::post("/public/track/supplement")
        .header("content-type", "multipart/form-data; boundary=B0")
        .body(Body::from(multipart(
            &[
                ("number", &number),
                ("code", &code),
                ("text", "2026年度，城南街道"),
            ],
            Some(("街道说明.pdf", b"%PDF-1.4 street")),
        )))
        .unwrap();
    let r = send(&later, req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("补正已提交"), "{}", r.text());

    // 第三十条: twenty working days counted again from the day the 补正 came.
    let cal = later.office.calendar().await.unwrap();
    // It runs into 2027, whose holidays are not imported yet: counted provisionally.
    let expected = cal
        .provisional
        .add_working_days(day("2026-12-08"), 20)
        .unwrap();
    assert!(expected > first_due, "{expected}");
    let view = later.office.view_case(&clerk, case_id, None).await.unwrap();
    let due = view.due.as_ref().unwrap();
    assert_eq!(due.deadline.next_due, expected);
    assert!(due.provisional.is_some());
    assert!(
        due.deadline
            .explanation
            .contains("2026-12-08 收到补正材料，答复期限自该日重新起算"),
        "{}",
        due.deadline.explanation
    );
    // The file came with the step.
    assert_eq!(view.attachments.len(), 1);
    assert_eq!(view.attachments[0].file_name, "街道说明.pdf");
    let s = post_form(&later, "/public/track", "", &lookup(&number, &code))
        .await
        .text();
    assert!(
        s.contains(&format!("答复期限：<strong>{expected}</strong>")),
        "{s}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_refused_by_the_limit_is_still_in_the_audit_log() {
    let p = portal().await;
    let (number, code, _) = confirmed_case(&p).await;
    let wrong = format!("number={number}&code=AAAABBBBCCCCDDDD");
    for _ in 0..gongkai_office::portal::MAX_LOOKUP_FAILURES {
        let r = post_form(&p, "/public/track", "", &wrong).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Now even the right code is refused from this address, before it is checked…
    let r = post_form(&p, "/public/track", "", &lookup(&number, &code)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(r.text().contains("查询失败次数过多"), "{}", r.text());
    // …and the refusal is written down with what was typed and from where.
    let log = p.office.store.audit_log(None, 5).await.unwrap();
    let refused = log
        .iter()
        .find(|e| e.action == "查询被限制")
        .expect("the refused lookup is audited");
    assert_eq!(refused.detail, format!("查询申请进度：{number}"));
    assert_eq!(refused.address.as_deref(), Some("local"));
    assert!(
        !log.iter()
            .any(|e| e.action == "查询申请进度" && e.detail == number),
        "it was not a lookup that succeeded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_over_the_limit_is_refused_before_the_form_is_read() {
    let p = portal().await;
    let a = p.agency;
    let max = gongkai_office::portal::MAX_SUBMISSIONS_PER_ADDRESS;
    // The hour's submissions from this address (the test's requests come from "local").
    for _ in 0..max {
        p.office
            .submit_online(a, &sample_form(), Vec::new(), "local")
            .await
            .unwrap();
    }
    let clerk = clerk(&p).await;
    let waiting = p.office.pending_online(&clerk, 1000).await.unwrap().0.len();
    let submit = |agency: i64, token: &str| {
        let mut fields: Vec<(&str, &str)> = FIELDS.to_vec();
        fields.push(("_token", token));
        Request::post(format!("/public/agencies/{agency}/submit"))
            .header("content-type", "multipart/form-data; boundary=B0")
            .header("cookie", format!("gk_public={token}"))
            .body(Body::from(multipart(&fields, None)))
            .unwrap()
    };
    let token = get(&p, &format!("/public/agencies/{a}/apply"))
        .await
        .token();
    // The first one over the limit is found so in the database: the form comes back
    // filled in, with the reason.
    let first = send(&p, submit(a, &token)).await;
    assert_eq!(
        first.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        first.text()
    );
    let t = first.text();
    assert!(t.contains("已达上限"), "{t}");
    assert!(
        t.contains("演示县2026年公共租赁住房分配名单"),
        "filled back: {t}"
    );
    // From then on the address is refused from memory, before the agency or the form
    // is read: even an agency that does not exist answers 429, not 404, and the page
    // tells where what was typed is.
    for agency in [a, 999_999] {
        let again = send(&p, submit(agency, &token)).await;
        assert_eq!(
            again.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            again.text()
        );
        let t = again.text();
        assert!(t.contains("已达上限") && t.contains("返回上一页"), "{t}");
        assert!(!t.contains("演示县2026年公共租赁住房分配名单"), "{t}");
    }
    assert_eq!(
        p.office.pending_online(&clerk, 1000).await.unwrap().0.len(),
        waiting,
        "nothing stored"
    );
    // Another address is not refused.
    assert!(p.office.submissions_refused("192.0.2.200").is_none());
    assert!(p.office.submissions_refused("local").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fee_is_shown_to_the_applicant_who_says_it_is_paid_and_the_case_goes_on() {
    let p = portal().await;
    let (number, code, case_id) = confirmed_case(&p).await;
    let keys = lookup(&number, &code);
    let clerk = clerk(&p).await;
    // 按量计收: 120 pages.
    let amount = gongkai_cases::fees::per_volume_fee(120);
    assert!(amount > 0);
    p.office
        .act(
            &clerk,
            case_id,
            version(&p, case_id).await,
            &gongkai_office::Step::NoticeFee {
                method: gongkai_cases::FeeMethod::PerVolume,
                amount_yuan: amount,
                pages: Some(120),
            },
            None,
            None,
        )
        .await
        .unwrap();

    // The applicant sees the notice with its amount and last day, and its letter.
    let s = post_form(&p, "/public/track", "", &keys).await.text();
    assert!(s.contains("待缴纳信息处理费"), "{s}");
    let fee = between(&s, "<p class=\"fee\">", "</p>");
    assert!(
        fee.contains(&format!("<strong>{amount} 元</strong>（按量计收）")),
        "{fee}"
    );
    assert!(
        fee.contains("请于 <strong>2026-12-28</strong> 前缴纳"),
        "{fee}"
    );
    assert!(s.contains("即表示您接受收费"), "{s}");
    assert!(s.contains("收费通知"), "the letter is offered: {s}");
    // They tell the office it is paid.
    let paid = post_form(
        &p,
        "/public/track/message",
        "",
        &format!(
            "{keys}&kind=fee_paid&text={}",
            enc("2026年11月30日银行转账，凭证号 8812")
        ),
    )
    .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.text());
    assert!(paid.text().contains("已告知机关"), "{}", paid.text());
    assert!(
        paid.text()
            .contains("告知已缴费：2026年11月30日银行转账，凭证号 8812")
    );

    // The clerk's case page shows it; the clerk records the payment.
    let session = p
        .office
        .login("clerk", gongkai_office::demo::DEMO_PASSWORD, "local")
        .await
        .unwrap();
    let cookie = format!("gk_session={}", session.token);
    let page = send(
        &p,
        Request::get(format!("/cases/{case_id}"))
            .header("cookie", &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let t = page.text();
    let msgs = between(&t, "<h3>申请人网上留言</h3>", "</ul>");
    assert!(
        msgs.contains("告知已缴费：2026年11月30日银行转账，凭证号 8812"),
        "{msgs}"
    );
    let r = post_form(
        &p,
        &format!("/cases/{case_id}/steps"),
        &cookie,
        &format!(
            "_csrf={}&version={}&step=fee_paid&note={}",
            session.csrf,
            version(&p, case_id).await,
            enc("凭证号 8812 已到账")
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    // The case goes on: back to 办理中, nothing more to pay.
    let s = post_form(&p, "/public/track", "", &keys).await.text();
    assert!(s.contains("<span class=\"stage\">办理中</span>"), "{s}");
    assert!(!s.contains("<p class=\"fee\">") && !s.contains("告知已缴费</button>"));
    assert!(s.contains("答复期限：<strong>"), "{s}");
}

/// `n` small valid PDF files.
fn pdfs(n: usize) -> Vec<(String, Vec<u8>)> {
    (1..=n)
        .map(|i| (format!("材料{i}.pdf"), format!("%PDF-1.4 {i}").into_bytes()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_or_too_large_files_are_refused_by_name_and_nothing_is_stored() {
    let p = portal().await;
    let a = p.agency;
    let clerk = clerk(&p).await;
    let waiting = p.office.pending_online(&clerk, 1000).await.unwrap().0.len();
    let six = pdfs(gongkai_office::portal::MAX_FILES + 1);
    let six: Vec<(&str, &[u8])> = six.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(gongkai_office::attachments::MAX_ATTACHMENT_BYTES + 1, b' ');
    let mut huge = b"%PDF-1.4\n".to_vec();
    huge.resize(13 * 1024 * 1024, b' ');
    let too_many = "附件最多 5 个，请合并后上传";
    let too_big = "附件「大文件.pdf」大小为 10.0 MB，超过上限 10 MB";
    // Past the body's limit the request is cut off before its files are read.
    let beyond_body = "上传的内容无法读取（文件过大或传输中断；合计上限 12 MB）";

    // The online form's confirmation.
    let token = get(&p, &format!("/public/agencies/{a}/apply"))
        .await
        .token();
    let mut fields: Vec<(&str, &str)> = FIELDS.to_vec();
    fields.push(("_token", &token));
    for (files, expected) in [
        (six.clone(), too_many),
        (vec![("大文件.pdf", &big[..])], too_big),
        (vec![("超大文件.pdf", &huge[..])], beyond_body),
    ] {
        let req = Request::post(format!("/public/agencies/{a}/submit"))
            .header("content-type", "multipart/form-data; boundary=B0")
            .header("cookie", format!("gk_public={token}"))
            .body(Body::from(multipart_files(&fields, &files)))
            .unwrap();
        let r = send(&p, req).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{expected}");
        assert!(r.text().contains(expected), "{expected}: {}", r.text());
    }
    assert_eq!(
        p.office.pending_online(&clerk, 1000).await.unwrap().0.len(),
        waiting,
        "no application was stored"
    );

    // The answer to a 补正.
    let (number, code, case_id) = confirmed_case(&p).await;
    p.office
        .act(
            &clerk,
            case_id,
            version(&p, case_id).await,
            &gongkai_office::Step::RequestCorrection {
                items: "请写明申请的年度".into(),
                supplement_due: day("2026-12-11"),
            },
            None,
            None,
        )
        .await
        .unwrap();
    let before = version(&p, case_id).await;
    let fields = [
        ("number", number.as_str()),
        ("code", code.as_str()),
        ("text", "2026年度"),
    ];
    for (files, expected) in [
        (six.clone(), too_many),
        (vec![("大文件.pdf", &big[..])], too_big),
        (vec![("超大文件.pdf", &huge[..])], beyond_body),
    ] {
        let req = Request::post("/public/track/supplement")
            .header("content-type", "multipart/form-data; boundary=B0")
            .body(Body::from(multipart_files(&fields, &files)))
            .unwrap();
        let r = send(&p, req).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{expected}");
        assert!(r.text().contains(expected), "{expected}: {}", r.text());
    }
    assert_eq!(version(&p, case_id).await, before, "no step was recorded");
    assert!(
        p.office
            .store
            .attachments_of(case_id)
            .await
            .unwrap()
            .is_empty(),
        "no file was stored"
    );
    let row = p.office.store.case(case_id).await.unwrap().unwrap();
    assert_eq!(row.stage, "awaiting_correction");
}

// The office tests' databases: SQLite, and a fresh schema on the PostgreSQL of
// `GONGKAI_TEST_PG` (the limits count in the store, where the engines differ).
#[path = "../../office/tests/common/mod.rs"]
mod common;

mod limits_at_once {
    use super::common::TestDb;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let db = TestDb::sqlite();
        super::requests_sent_at_once_from_one_address_pass_exactly_up_to_the_limit(&db).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(db) = TestDb::postgres("web_limits_at_once") {
            super::requests_sent_at_once_from_one_address_pass_exactly_up_to_the_limit(&db).await;
            db.drop().await;
        }
    }
}

async fn requests_sent_at_once_from_one_address_pass_exactly_up_to_the_limit(db: &common::TestDb) {
    let p = portal_over(db.open().await, false, None).await;
    let clerk = clerk(&p).await;
    let waiting = p.office.pending_online(&clerk, 1000).await.unwrap().0.len();
    let max = gongkai_office::portal::MAX_SUBMISSIONS_PER_ADDRESS as usize;
    let sends: Vec<_> = (0..max + 10)
        .map(|_| {
            let (office, agency) = (p.office.clone(), p.agency);
            tokio::spawn(async move {
                office
                    .submit_online(agency, &sample_form(), Vec::new(), "192.0.2.99")
                    .await
            })
        })
        .collect();
    let (mut passed, mut refused) = (0, 0);
    for s in sends {
        match s.await.unwrap() {
            Ok(_) => passed += 1,
            Err(OfficeError::TooMany(_)) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((passed, refused), (max, 10));
    assert_eq!(
        p.office.pending_online(&clerk, 1000).await.unwrap().0.len(),
        waiting + max
    );

    // Accounts opened at once from one address: the same.
    let max = gongkai_office::public_account::MAX_ACCOUNTS_PER_ADDRESS as usize;
    let opens: Vec<_> = (0..max + 5)
        .map(|i| {
            let office = p.office.clone();
            tokio::spawn(async move {
                office
                    .open_public_account(&format!("1390000{i:04}"), "long-enough-1", "192.0.2.98")
                    .await
            })
        })
        .collect();
    let (mut passed, mut refused) = (0, 0);
    for o in opens {
        match o.await.unwrap() {
            Ok(_) => passed += 1,
            Err(OfficeError::TooMany(_)) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((passed, refused), (max, 5));
}
