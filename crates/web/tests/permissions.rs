//! Every route × every role × own / other agency → the status it must answer, walked
//! through the real router on a real database. A route added without a line here
//! fails `every_route_is_in_the_table`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use gongkai_cases::{ApplicantKind, Channel, NaiveDate};
use gongkai_office::casework::{Registration, Step};
use gongkai_office::{Actor, Clock, Office};
use gongkai_store::Store;
use gongkai_store::office::{NewAgency, NewUser};
use gongkai_web::{AppState, router};
use tower::ServiceExt;

const ROLES: [&str; 6] = [
    "clerk",
    "head",
    "admin",
    "oversight",
    "sysadmin",
    "anonymous",
];

struct Fixture {
    app: axum::Router,
    office: Office,
    /// (cookie, csrf) per role; anonymous has none.
    sessions: Vec<Option<(String, String)>>,
    own_case: i64,
    other_case: i64,
    own_doc: i64,
    other_doc: i64,
    own_agency: i64,
    other_agency: i64,
    /// The clerk of the own agency, and the clerk of the other.
    own_user: i64,
    other_user: i64,
    own_att: i64,
    other_att: i64,
    /// An online application confirmed by the own agency: (number, 查询码).
    portal: (String, String),
    /// Online applications waiting for confirmation, own and other agency.
    own_pending: i64,
    other_pending: i64,
    _dir: tempfile::TempDir,
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn reg(name: &str) -> Registration {
    Registration {
        channel: Channel::InPerson,
        applicant_kind: ApplicantKind::NaturalPerson,
        applicant_name: name.into(),
        id_type: Some("居民身份证".into()),
        id_number: Some("110101199003071234".into()),
        phone: None,
        email: None,
        address: None,
        request: "某项目的批复文件".into(),
        submitted: d("2026-11-24"),
        confirmed: None,
        provision: None,
    }
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite:{}", dir.path().join("w.db").display()))
        .await
        .unwrap();
    let office = Office::new(store, Clock::Fixed(d("2026-11-30")))
        .await
        .unwrap();
    let s = &office.store;
    let ag = |parent, name: &str, kind: &str| NewAgency {
        parent_id: parent,
        name: name.into(),
        level: "county".into(),
        kind: kind.into(),
        requires_approval: false,
        demo: false,
    };
    let province = s
        .create_agency(&ag(None, "省人民政府", "government"))
        .await
        .unwrap();
    let city = s
        .create_agency(&ag(Some(province), "市人民政府", "government"))
        .await
        .unwrap();
    let own = s
        .create_agency(&ag(Some(city), "县人民政府办公室", "office"))
        .await
        .unwrap();
    let other = s
        .create_agency(&ag(Some(city), "县教育局", "department"))
        .await
        .unwrap();
    let hash = gongkai_office::auth::hash_password("pw");
    let homes = [own, own, own, city, province];
    for (role, agency) in ROLES.iter().zip(homes) {
        s.create_user(&NewUser {
            agency_id: agency,
            login: role.to_string(),
            name: role.to_string(),
            role: role.to_string(),
            password_hash: hash.clone(),
        })
        .await
        .unwrap();
    }
    s.create_user(&NewUser {
        agency_id: other,
        login: "other".into(),
        name: "other".into(),
        role: "clerk".into(),
        password_hash: hash.clone(),
    })
    .await
    .unwrap();
    let mut sessions = Vec::new();
    for role in ROLES {
        if role == "anonymous" {
            sessions.push(None);
        } else {
            let se = office.login(role, "pw", "127.0.0.1").await.unwrap();
            sessions.push(Some((se.token, se.csrf)));
        }
    }
    let actor = |login: &str| {
        let office = office.clone();
        let login = login.to_string();
        async move {
            let u = office.store.user_by_login(&login).await.unwrap().unwrap();
            let a = office.store.agency(u.agency_id).await.unwrap().unwrap();
            Actor::new(&u, &a).unwrap()
        }
    };
    let clerk = actor("clerk").await;
    let other_clerk = actor("other").await;
    let own_case = office.register(&clerk, &reg("张三"), None).await.unwrap();
    let other_case = office
        .register(&other_clerk, &reg("李四"), None)
        .await
        .unwrap();
    // A consultation: a letter for each case, and a step that may be repeated.
    let consult = Step::Consult {
        consultee: gongkai_cases::Consultee::ThirdParty,
        name: "某公司".into(),
    };
    office
        .act(&clerk, own_case, 1, &consult, None, None)
        .await
        .unwrap();
    office
        .act(&other_clerk, other_case, 1, &consult, None, None)
        .await
        .unwrap();
    let own_att = office
        .add_attachment(
            &clerk,
            own_case,
            "申请书.txt",
            "申请书".as_bytes().to_vec(),
            None,
        )
        .await
        .unwrap();
    let other_att = office
        .add_attachment(
            &other_clerk,
            other_case,
            "申请书.txt",
            "申请书".as_bytes().to_vec(),
            None,
        )
        .await
        .unwrap();
    let online = gongkai_office::application_form::ApplicationForm {
        applicant_kind: "natural_person".into(),
        applicant_name: "赵网申".into(),
        id_type: "居民身份证".into(),
        id_number: "11010519491231002X".into(),
        phone: "13800138000".into(),
        request: "某项目的立项批复文件".into(),
        form: "电子".into(),
        delivery: "在线下载".into(),
        ..Default::default()
    };
    let submit = |agency: i64| {
        let office = office.clone();
        let online = online.clone();
        async move {
            office
                .submit_online(agency, &online, vec![], "fixture")
                .await
                .unwrap()
        }
    };
    let receipt = submit(own).await;
    let confirmed = office.pending_online(&clerk, 1000).await.unwrap().0[0].id;
    office
        .confirm_online(&clerk, confirmed, None)
        .await
        .unwrap();
    submit(own).await;
    let own_pending = office.pending_online(&clerk, 1000).await.unwrap().0[0].id;
    submit(other).await;
    let other_pending = office.pending_online(&other_clerk, 1000).await.unwrap().0[0].id;
    let own_doc = office.store.documents_of(own_case).await.unwrap()[0].id;
    let other_doc = office.store.documents_of(other_case).await.unwrap()[0].id;
    let app = router(AppState {
        office: office.clone(),
        secure_cookies: false,
        demo: false,
        behind_proxy: false,
    });
    Fixture {
        app,
        office,
        sessions,
        own_case,
        other_case,
        own_doc,
        other_doc,
        own_agency: own,
        other_agency: other,
        own_user: clerk.user_id,
        other_user: other_clerk.user_id,
        own_att,
        other_att,
        portal: (receipt.number, receipt.code),
        own_pending,
        other_pending,
        _dir: dir,
    }
}

/// What a route is called with.
enum Body_ {
    None,
    /// A form; `{csrf}` is replaced by the role's token.
    Form(String),
    Json(String),
    /// A multipart upload of one file; `{csrf}` is replaced by the role's token.
    Multipart(String),
}

/// A `multipart/form-data` body: the CSRF token, then `file` named `name`.
fn upload(csrf: &str, name: &str, content: &str) -> String {
    format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n--XyZ--\r\n"
    )
}

struct Row {
    method: &'static str,
    path: String,
    body: Body_,
    /// clerk, head, admin, oversight, sysadmin, anonymous.
    expect: [u16; 6],
}

async fn call(
    f: &Fixture,
    role: usize,
    method: &str,
    path: &str,
    body: &Body_,
) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(path);
    let csrf = f.sessions[role]
        .as_ref()
        .map(|s| s.1.clone())
        .unwrap_or_default();
    if let Some((token, csrf)) = &f.sessions[role] {
        req = req
            .header("cookie", format!("gk_session={token}"))
            .header("x-csrf-token", csrf);
    }
    let body = match body {
        Body_::None => Body::empty(),
        Body_::Form(s) => {
            req = req.header("content-type", "application/x-www-form-urlencoded");
            Body::from(s.replace("{csrf}", &csrf).replace("{role}", ROLES[role]))
        }
        Body_::Json(s) => {
            req = req.header("content-type", "application/json");
            Body::from(s.clone())
        }
        Body_::Multipart(s) => {
            req = req.header("content-type", "multipart/form-data; boundary=XyZ");
            Body::from(s.replace("{csrf}", &csrf))
        }
    };
    let resp = f
        .app
        .clone()
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn table(f: &Fixture) -> Vec<Row> {
    let (oc, xc, od, xd, oa, xa) = (
        f.own_case,
        f.other_case,
        f.own_doc,
        f.other_doc,
        f.own_agency,
        f.other_agency,
    );
    let (ou, xu) = (f.own_user, f.other_user);
    let (oat, xat) = (f.own_att, f.other_att);
    let att = || Body_::Multipart(upload("{csrf}", "补正材料.txt", "补正内容"));
    let form = |s: &str| Body_::Form(s.to_string());
    // A login of its own per agency and role, so each allowed creation succeeds.
    let new_user = |agency: i64| {
        format!(
            "_csrf={{csrf}}&agency={agency}&login=n{agency}-{{role}}&name=x&role=clerk&password=long-enough-1"
        )
    };
    let consult =
        "_csrf={csrf}&version=VERSION&step=consult&date=2026-11-30&consultee=third_party&name=x";
    let (pn, pc) = (&f.portal.0, &f.portal.1);
    let (op, xp) = (f.own_pending, f.other_pending);
    let keys = format!("number={pn}&code={pc}");
    let register = "_csrf={csrf}&channel=in_person&kind=natural_person&name=%E7%8E%8B%E4%BA%94&request=%E6%96%87%E4%BB%B6&submitted=2026-11-30";
    vec![
        Row { method: "GET", path: "/inbox".into(), body: Body_::None, expect: [200, 200, 403, 403, 403, 303] },
        Row { method: "GET", path: "/inbox.xlsx".into(), body: Body_::None, expect: [200, 200, 403, 403, 403, 303] },
        Row { method: "GET", path: "/cases/new".into(), body: Body_::None, expect: [200, 200, 403, 403, 403, 303] },
        Row { method: "POST", path: "/cases".into(), body: form(register), expect: [303, 303, 403, 403, 403, 303] },
        Row { method: "GET", path: format!("/cases/{oc}"), body: Body_::None, expect: [200, 200, 404, 404, 404, 303] },
        Row { method: "GET", path: format!("/cases/{xc}"), body: Body_::None, expect: [404, 404, 404, 404, 404, 303] },
        Row { method: "POST", path: format!("/cases/{oc}/steps"), body: form(consult), expect: [303, 303, 404, 404, 404, 303] },
        Row { method: "POST", path: format!("/cases/{xc}/steps"), body: form(consult), expect: [404, 404, 404, 404, 404, 303] },
        Row { method: "POST", path: format!("/cases/{oc}/attachments"), body: att(), expect: [303, 303, 404, 404, 404, 303] },
        Row { method: "POST", path: format!("/cases/{xc}/attachments"), body: att(), expect: [404, 404, 404, 404, 404, 303] },
        Row { method: "GET", path: format!("/attachments/{oat}"), body: Body_::None, expect: [200, 200, 404, 404, 404, 303] },
        Row { method: "GET", path: format!("/attachments/{xat}"), body: Body_::None, expect: [404, 404, 404, 404, 404, 303] },
        Row { method: "GET", path: format!("/documents/{od}"), body: Body_::None, expect: [200, 200, 404, 404, 404, 303] },
        Row { method: "GET", path: format!("/documents/{xd}"), body: Body_::None, expect: [404, 404, 404, 404, 404, 303] },
        Row { method: "GET", path: "/stats".into(), body: Body_::None, expect: [200, 200, 200, 200, 200, 303] },
        Row { method: "GET", path: format!("/stats?agency={oa}"), body: Body_::None, expect: [200, 200, 200, 200, 200, 303] },
        Row { method: "GET", path: format!("/stats?agency={xa}"), body: Body_::None, expect: [403, 403, 403, 200, 200, 303] },
        Row { method: "GET", path: "/admin/calendar".into(), body: Body_::None, expect: [403, 403, 403, 403, 200, 303] },
        Row { method: "POST", path: "/admin/calendar".into(), body: form("_csrf={csrf}&tsv=2027-01-01%09off%092027"), expect: [403, 403, 403, 403, 200, 303] },
        Row { method: "GET", path: "/admin/users".into(), body: Body_::None, expect: [403, 403, 200, 403, 200, 303] },
        Row { method: "GET", path: format!("/admin/users?agency={xa}"), body: Body_::None, expect: [403, 403, 403, 403, 200, 303] },
        Row { method: "POST", path: "/admin/users".into(), body: form(&new_user(oa)), expect: [403, 403, 303, 403, 303, 303] },
        Row { method: "POST", path: "/admin/users".into(), body: form(&new_user(xa)), expect: [403, 403, 403, 403, 303, 303] },
        Row { method: "POST", path: format!("/admin/users/{ou}"), body: form("_csrf={csrf}&action=activate"), expect: [403, 403, 303, 403, 303, 303] },
        Row { method: "POST", path: format!("/admin/users/{xu}"), body: form("_csrf={csrf}&action=activate"), expect: [403, 403, 403, 403, 303, 303] },
        Row { method: "POST", path: "/admin/users/999999".into(), body: form("_csrf={csrf}&action=activate"), expect: [404, 404, 404, 404, 404, 303] },
        Row { method: "GET", path: "/admin/templates".into(), body: Body_::None, expect: [403, 403, 200, 403, 200, 303] },
        Row { method: "GET", path: format!("/admin/templates?agency={xa}"), body: Body_::None, expect: [403, 403, 403, 403, 200, 303] },
        Row { method: "POST", path: "/admin/templates".into(), body: form(&format!("_csrf={{csrf}}&agency={oa}&kind=fee&body=")), expect: [403, 403, 303, 403, 303, 303] },
        Row { method: "POST", path: "/admin/templates".into(), body: form(&format!("_csrf={{csrf}}&agency={xa}&kind=fee&body=")), expect: [403, 403, 403, 403, 303, 303] },
        Row { method: "POST", path: "/admin/guide".into(), body: form(&format!("_csrf={{csrf}}&agency={oa}&body=%E6%8C%87%E5%8D%97")), expect: [403, 403, 303, 403, 303, 303] },
        Row { method: "POST", path: "/admin/guide".into(), body: form(&format!("_csrf={{csrf}}&agency={xa}&body=%E6%8C%87%E5%8D%97")), expect: [403, 403, 403, 403, 303, 303] },
        Row { method: "GET", path: "/audit".into(), body: Body_::None, expect: [403, 403, 200, 403, 200, 303] },
        Row { method: "POST", path: "/logout".into(), body: form("_csrf=wrong"), expect: [403, 403, 403, 403, 403, 303] },
        Row { method: "GET", path: "/api/cases".into(), body: Body_::None, expect: [200, 200, 403, 403, 403, 401] },
        Row { method: "POST", path: "/api/cases".into(), body: Body_::Json(r#"{"channel":"in_person","applicant_kind":"business","applicant_name":"某公司","request":"文件","submitted":"2026-11-30"}"#.into()), expect: [201, 201, 403, 403, 403, 401] },
        Row { method: "GET", path: format!("/api/cases/{oc}"), body: Body_::None, expect: [200, 200, 404, 404, 404, 401] },
        Row { method: "GET", path: format!("/api/cases/{xc}"), body: Body_::None, expect: [404, 404, 404, 404, 404, 401] },
        Row { method: "POST", path: format!("/api/cases/{oc}/steps"), body: Body_::Json(r#"{"version":VERSION,"step":"consult","consultee":"agency"}"#.into()), expect: [200, 200, 404, 404, 404, 401] },
        Row { method: "GET", path: format!("/api/stats/{oa}/2026"), body: Body_::None, expect: [200, 200, 200, 200, 200, 401] },
        Row { method: "GET", path: format!("/api/stats/{xa}/2026"), body: Body_::None, expect: [403, 403, 403, 200, 200, 401] },
        Row { method: "GET", path: "/api/openapi.json".into(), body: Body_::None, expect: [200, 200, 200, 200, 200, 200] },
        Row { method: "GET", path: "/login".into(), body: Body_::None, expect: [200, 200, 200, 200, 200, 200] },
        Row { method: "GET", path: "/".into(), body: Body_::None, expect: [303, 303, 303, 303, 303, 303] },
        Row { method: "POST", path: format!("/online/{op}/confirm"), body: form("_csrf={csrf}"), expect: [303, 409, 403, 403, 403, 303] },
        Row { method: "POST", path: format!("/online/{xp}/confirm"), body: form("_csrf={csrf}"), expect: [404, 404, 403, 403, 403, 303] },
        // The public portal: the same for everyone, signed in or not.
        Row { method: "GET", path: "/public".into(), body: Body_::None, expect: [200; 6] },
        Row { method: "GET", path: "/public?q=jyj".into(), body: Body_::None, expect: [200; 6] },
        Row { method: "GET", path: format!("/public/agencies/{oa}"), body: Body_::None, expect: [200; 6] },
        Row { method: "GET", path: "/public/agencies/999999".into(), body: Body_::None, expect: [404; 6] },
        // No report of the agency is stored here (tests/portal.rs reads one).
        Row { method: "GET", path: format!("/public/agencies/{oa}/reports/1"), body: Body_::None, expect: [404; 6] },
        Row { method: "GET", path: format!("/public/agencies/{oa}/apply"), body: Body_::None, expect: [200; 6] },
        // Without the form's double-submit cookie: refused.
        Row { method: "POST", path: format!("/public/agencies/{oa}/apply"), body: form("_token=forged&applicant_name=x"), expect: [403; 6] },
        Row { method: "POST", path: format!("/public/agencies/{oa}/submit"), body: Body_::Multipart(upload("forged", "a.txt", "x")), expect: [403; 6] },
        Row { method: "GET", path: "/public/track".into(), body: Body_::None, expect: [200; 6] },
        Row { method: "POST", path: "/public/track".into(), body: form(&keys), expect: [200; 6] },
        Row { method: "POST", path: "/public/track/receipt".into(), body: form(&keys), expect: [200; 6] },
        // Another case's letter is not the applicant's, whoever asks.
        Row { method: "POST", path: "/public/track/document".into(), body: form(&format!("{keys}&id={od}")), expect: [404; 6] },
        Row { method: "POST", path: "/public/track/message".into(), body: form(&format!("{keys}&kind=copy")), expect: [422; 6] },
        Row { method: "POST", path: "/public/track/supplement".into(), body: Body_::Multipart(format!("--XyZ\r\nContent-Disposition: form-data; name=\"number\"\r\n\r\n{pn}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n{pc}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n补正\r\n--XyZ--\r\n")), expect: [422; 6] },
        // The first withdrawal closes the case; the others are refused by the engine.
        Row { method: "POST", path: "/public/track/withdraw".into(), body: form(&keys), expect: [200, 422, 422, 422, 422, 422] },
        Row { method: "GET", path: "/assets/portal.js".into(), body: Body_::None, expect: [200; 6] },
        Row { method: "GET", path: "/public/account".into(), body: Body_::None, expect: [200; 6] },
        // The account forms without their double-submit cookie: refused.
        Row { method: "POST", path: "/public/account/register".into(), body: form("_token=forged&login=13800138000&password=long-enough"), expect: [403; 6] },
        Row { method: "POST", path: "/public/account/login".into(), body: form("_token=forged&login=13800138000&password=long-enough"), expect: [403; 6] },
        Row { method: "POST", path: "/public/account/logout".into(), body: form("_token=forged"), expect: [403; 6] },
        Row { method: "GET", path: "/healthz".into(), body: Body_::None, expect: [200, 200, 200, 200, 200, 200] },
        Row { method: "GET", path: "/assets/style.css".into(), body: Body_::None, expect: [200, 200, 200, 200, 200, 200] },
        Row { method: "POST", path: "/api/session".into(), body: Body_::Json(r#"{"login":"clerk","password":"wrong"}"#.into()), expect: [422, 422, 422, 422, 422, 429] },
        // Last: it ends each role's session.
        Row { method: "DELETE", path: "/api/session".into(), body: Body_::None, expect: [200, 200, 200, 200, 200, 401] },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_every_role() {
    let f = fixture().await;
    let mut failures = Vec::new();
    for row in table(&f) {
        for (i, role) in ROLES.iter().enumerate() {
            // Steps name the case's current version.
            let version = f
                .office
                .store
                .case(f.own_case)
                .await
                .unwrap()
                .unwrap()
                .version;
            let body = match &row.body {
                Body_::Form(s) => Body_::Form(s.replace("VERSION", &version.to_string())),
                Body_::Json(s) => Body_::Json(s.replace("VERSION", &version.to_string())),
                Body_::Multipart(s) => Body_::Multipart(s.clone()),
                Body_::None => Body_::None,
            };
            let (status, text) = call(&f, i, row.method, &row.path, &body).await;
            if status.as_u16() != row.expect[i] {
                failures.push(format!(
                    "{} {} as {role}: {} (expected {}) {}",
                    row.method,
                    row.path,
                    status.as_u16(),
                    row.expect[i],
                    text.chars().take(200).collect::<String>()
                ));
            }
            // A refusal never shows the applicant's data.
            if status.as_u16() >= 400 && text.contains("110101199003071234") {
                failures.push(format!(
                    "{} {} as {role}: refusal leaked the ID number",
                    row.method, row.path
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Whether `path` (without its query) is an instance of the route `pattern`.
fn matches(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or("");
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len()
        && p.iter()
            .zip(&q)
            .all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_in_the_table() {
    let f = fixture().await;
    let rows = table(&f);
    let src = include_str!("../src/lib.rs");
    let routes: Vec<&str> = src
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".route(\""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert!(routes.len() >= 18, "{routes:?}");
    for r in &routes {
        assert!(
            rows.iter().any(|row| matches(r, &row.path)),
            "route {r} has no row in the table"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_malformed_requests_change_nothing() {
    let f = fixture().await;
    let before = f.office.store.case_events(f.own_case).await.unwrap().len();
    let oc = f.own_case;
    // A form with another session's (or no) CSRF token.
    let (s, t) = call(
        &f,
        0,
        "POST",
        &format!("/cases/{oc}/steps"),
        &Body_::Form("_csrf=forged&version=2&step=withdraw".into()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(t.contains("请求校验失败"), "{t}");
    // The API without the CSRF header.
    let (token, _) = f.sessions[0].clone().unwrap();
    let req = Request::builder()
        .method("POST")
        .uri(format!("/api/cases/{oc}/steps"))
        .header("cookie", format!("gk_session={token}"))
        .header("content-type", "application/json")
        .body(Body::from(r#"{"version":2,"step":"withdraw"}"#))
        .unwrap();
    let resp = f.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // Malformed JSON, a wrong type, an unknown step: a Chinese error each.
    for (body, needle) in [
        ("{not json", "JSON 格式错误"),
        (r#"{"version":"two","step":"withdraw"}"#, "version"),
        (r#"{"version":2,"step":"teleport"}"#, "无效"),
    ] {
        let (s, t) = call(
            &f,
            0,
            "POST",
            &format!("/api/cases/{oc}/steps"),
            &Body_::Json(body.into()),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {t}");
        assert!(t.contains(needle), "{body}: {t}");
        assert!(
            !t.chars()
                .any(|c| c.is_ascii_alphabetic() && t.contains("expected")),
            "English in {t}"
        );
    }
    // A wrong date in a form.
    let (s, t) = call(
        &f,
        0,
        "POST",
        &format!("/cases/{oc}/steps"),
        &Body_::Form("_csrf={csrf}&version=2&step=supplemented&date=2026-02-30".into()),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(t.contains("办理日期不是有效日期"), "{t}");
    // Uploads: a forged token, a disguised file and a web page store nothing.
    let before_att = f.office.store.attachments_of(oc).await.unwrap().len();
    let path = format!("/cases/{oc}/attachments");
    let (s, t) = call(
        &f,
        0,
        "POST",
        &path,
        &Body_::Multipart(upload("forged", "a.txt", "x")),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{t}");
    let (s, t) = call(
        &f,
        0,
        "POST",
        &path,
        &Body_::Multipart(upload("{csrf}", "照片.jpg", "%PDF-1.4 x")),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(t.contains("与文件扩展名不符"), "{t}");
    let (s, t) = call(
        &f,
        0,
        "POST",
        &path,
        &Body_::Multipart(upload("{csrf}", "x.txt", "<html><script>alert(1)</script>")),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(t.contains("不是可接收的文件类型"), "{t}");
    assert_eq!(
        f.office.store.attachments_of(oc).await.unwrap().len(),
        before_att
    );
    // A download is an attachment, never shown inline.
    let (s, _) = call(
        &f,
        0,
        "GET",
        &format!("/attachments/{}", f.own_att),
        &Body_::None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // A stale version: the clerk is told to refresh.
    let (s, t) = call(
        &f,
        0,
        "POST",
        &format!("/cases/{oc}/steps"),
        &Body_::Form("_csrf={csrf}&version=1&step=supplemented".into()),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(t.contains("案件已被他人更新，请刷新"), "{t}");
    // A case id that is not a number.
    let (s, t) = call(&f, 0, "GET", "/cases/abc", &Body_::None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(t.contains("编号无效"), "{t}");
    assert_eq!(
        f.office.store.case_events(f.own_case).await.unwrap().len(),
        before
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_mask_and_downloads_are_attachments() {
    let f = fixture().await;
    let (_, page) = call(
        &f,
        0,
        "GET",
        &format!("/cases/{}", f.own_case),
        &Body_::None,
    )
    .await;
    // The handling agency's case page shows the number in full…
    assert!(page.contains("110101199003071234"));
    // …the inbox does not.
    let (_, inbox) = call(&f, 0, "GET", "/inbox", &Body_::None).await;
    assert!(!inbox.contains("110101199003071234"));
    assert!(inbox.contains("张三"));
    let req = Request::builder()
        .uri(format!("/documents/{}", f.own_doc))
        .header(
            "cookie",
            format!("gk_session={}", f.sessions[0].as_ref().unwrap().0),
        )
        .body(Body::empty())
        .unwrap();
    let resp = f.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers();
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
}
