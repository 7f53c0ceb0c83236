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

// The office tests' databases: a fresh SQLite file, or a fresh schema on the
// PostgreSQL of `GONGKAI_TEST_PG`, so the table is walked on both engines.
#[path = "../../office/tests/common/mod.rs"]
mod common;
use common::TestDb;

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
    /// One more of the own agency's, for the API to confirm.
    api_pending: i64,
    /// A fresh case of the own agency, for the extension only the head may grant.
    ext_case: i64,
    /// An agency outside the oversight office's city.
    far_agency: i64,
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

async fn fixture(db: &TestDb) -> Fixture {
    fixture_on(db, "2026-11-30").await
}

/// The fixture with `today` as the office's date.
async fn fixture_on(db: &TestDb, today: &str) -> Fixture {
    let store = Store::open(&db.target).await.unwrap();
    let office = Office::new(store, Clock::Fixed(d(today))).await.unwrap();
    let s = &office.store;
    let ag = |parent, name: &str, kind: &str| NewAgency {
        parent_id: parent,
        name: name.into(),
        level: "county".into(),
        kind: kind.into(),
        // Every answer of the own office needs its head (报批).
        requires_approval: kind == "office",
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
    let far_city = s
        .create_agency(&ag(Some(province), "乙市人民政府", "government"))
        .await
        .unwrap();
    let far = s
        .create_agency(&ag(Some(far_city), "乙市教育局", "department"))
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
        name: "教育局经办人".into(),
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
    let ext_case = office.register(&clerk, &reg("王五"), None).await.unwrap();
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
    submit(own).await;
    let api_pending = office
        .pending_online(&clerk, 1000)
        .await
        .unwrap()
        .0
        .iter()
        .map(|p| p.id)
        .find(|id| *id != own_pending)
        .unwrap();
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
        api_pending,
        ext_case,
        far_agency: far,
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
    let (ec, fa) = (f.ext_case, f.far_agency);
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
    let (op, xp, ap) = (f.own_pending, f.other_pending, f.api_pending);
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
        // An extension needs the head (条例第三十三条第二款): the clerk is refused, the
        // head's is recorded; the case is only the own agency's to touch.
        Row { method: "POST", path: format!("/cases/{ec}/steps"), body: form("_csrf={csrf}&version=EXTVERSION&step=extend&working_days=15&reason=%E9%87%8F%E5%A4%A7"), expect: [403, 303, 404, 404, 404, 303] },
        // The office answers only through its head (报批): the clerk's decision is
        // refused, the head's recorded.
        Row { method: "POST", path: format!("/cases/{ec}/steps"), body: form("_csrf={csrf}&version=EXTVERSION&step=decide&outcome=partial&note=x"), expect: [403, 303, 404, 404, 404, 303] },
        Row { method: "POST", path: format!("/cases/{oc}/attachments"), body: att(), expect: [303, 303, 404, 404, 404, 303] },
        Row { method: "POST", path: format!("/cases/{xc}/attachments"), body: att(), expect: [404, 404, 404, 404, 404, 303] },
        Row { method: "GET", path: format!("/attachments/{oat}"), body: Body_::None, expect: [200, 200, 404, 404, 404, 303] },
        Row { method: "GET", path: format!("/attachments/{xat}"), body: Body_::None, expect: [404, 404, 404, 404, 404, 303] },
        Row { method: "GET", path: format!("/documents/{od}"), body: Body_::None, expect: [200, 200, 404, 404, 404, 303] },
        Row { method: "GET", path: format!("/documents/{xd}"), body: Body_::None, expect: [404, 404, 404, 404, 404, 303] },
        Row { method: "GET", path: "/stats".into(), body: Body_::None, expect: [200, 200, 200, 200, 200, 303] },
        Row { method: "GET", path: format!("/stats?agency={oa}"), body: Body_::None, expect: [200, 200, 200, 200, 200, 303] },
        Row { method: "GET", path: format!("/stats?agency={xa}"), body: Body_::None, expect: [403, 403, 403, 200, 200, 303] },
        // Outside the oversight office's city: only the system administrator.
        Row { method: "GET", path: format!("/stats?agency={fa}"), body: Body_::None, expect: [403, 403, 403, 403, 200, 303] },
        Row { method: "GET", path: "/admin/calendar".into(), body: Body_::None, expect: [403, 403, 403, 403, 200, 303] },
        // The notice as a file (a CSV, as a spreadsheet saves it).
        Row { method: "POST", path: "/admin/calendar".into(), body: Body_::Multipart(upload("{csrf}", "2027年放假安排.csv", "date,kind,notice_year\r\n2027-01-01,off,2027\r\n")), expect: [403, 403, 403, 403, 200, 303] },
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
        Row { method: "POST", path: format!("/api/cases/{xc}/steps"), body: Body_::Json(r#"{"version":1,"step":"consult","consultee":"agency"}"#.into()), expect: [404, 404, 404, 404, 404, 401] },
        Row { method: "POST", path: format!("/api/cases/{oc}/attachments"), body: att(), expect: [201, 201, 404, 404, 404, 401] },
        Row { method: "POST", path: format!("/api/cases/{xc}/attachments"), body: att(), expect: [404, 404, 404, 404, 404, 401] },
        Row { method: "GET", path: format!("/api/documents/{od}"), body: Body_::None, expect: [200, 200, 404, 404, 404, 401] },
        Row { method: "GET", path: format!("/api/documents/{xd}"), body: Body_::None, expect: [404, 404, 404, 404, 404, 401] },
        Row { method: "GET", path: format!("/api/attachments/{oat}"), body: Body_::None, expect: [200, 200, 404, 404, 404, 401] },
        Row { method: "GET", path: format!("/api/attachments/{xat}"), body: Body_::None, expect: [404, 404, 404, 404, 404, 401] },
        Row { method: "GET", path: "/api/online".into(), body: Body_::None, expect: [200, 200, 403, 403, 403, 401] },
        Row { method: "POST", path: format!("/api/online/{ap}/confirm"), body: Body_::None, expect: [201, 409, 403, 403, 403, 401] },
        Row { method: "POST", path: format!("/api/online/{xp}/confirm"), body: Body_::None, expect: [404, 404, 403, 403, 403, 401] },
        // Administration through the API: the same checks as the pages.
        Row { method: "GET", path: format!("/api/agencies/{oa}/users"), body: Body_::None, expect: [403, 403, 200, 403, 200, 401] },
        Row { method: "GET", path: format!("/api/agencies/{xa}/users"), body: Body_::None, expect: [403, 403, 403, 403, 200, 401] },
        Row { method: "POST", path: format!("/api/agencies/{oa}/users"), body: Body_::Json(format!(r#"{{"login":"api{oa}-ROLE","name":"x","role":"clerk","password":"long-enough-1"}}"#)), expect: [403, 403, 201, 403, 201, 401] },
        Row { method: "POST", path: format!("/api/agencies/{xa}/users"), body: Body_::Json(format!(r#"{{"login":"api{xa}-ROLE","name":"x","role":"clerk","password":"long-enough-1"}}"#)), expect: [403, 403, 403, 403, 201, 401] },
        Row { method: "POST", path: format!("/api/users/{ou}"), body: Body_::Json(r#"{"action":"activate"}"#.into()), expect: [403, 403, 200, 403, 200, 401] },
        Row { method: "POST", path: format!("/api/users/{xu}"), body: Body_::Json(r#"{"action":"activate"}"#.into()), expect: [403, 403, 403, 403, 200, 401] },
        Row { method: "GET", path: format!("/api/agencies/{oa}/templates"), body: Body_::None, expect: [403, 403, 200, 403, 200, 401] },
        Row { method: "GET", path: format!("/api/agencies/{xa}/templates"), body: Body_::None, expect: [403, 403, 403, 403, 200, 401] },
        Row { method: "POST", path: format!("/api/agencies/{oa}/templates/fee"), body: Body_::Json(r#"{"body":""}"#.into()), expect: [403, 403, 200, 403, 200, 401] },
        Row { method: "POST", path: format!("/api/agencies/{xa}/templates/fee"), body: Body_::Json(r#"{"body":""}"#.into()), expect: [403, 403, 403, 403, 200, 401] },
        Row { method: "POST", path: format!("/api/agencies/{oa}/guide"), body: Body_::Json(r#"{"body":"指南"}"#.into()), expect: [403, 403, 200, 403, 200, 401] },
        Row { method: "POST", path: format!("/api/agencies/{xa}/guide"), body: Body_::Json(r#"{"body":"指南"}"#.into()), expect: [403, 403, 403, 403, 200, 401] },
        Row { method: "POST", path: "/api/calendar".into(), body: Body_::Json(r#"{"tsv":"2027-01-01\toff\t2027"}"#.into()), expect: [403, 403, 403, 403, 200, 401] },
        Row { method: "GET", path: "/api/audit".into(), body: Body_::None, expect: [403, 403, 200, 403, 200, 401] },
        Row { method: "GET", path: format!("/api/stats/{oa}/2026"), body: Body_::None, expect: [200, 200, 200, 200, 200, 401] },
        Row { method: "GET", path: format!("/api/stats/{xa}/2026"), body: Body_::None, expect: [403, 403, 403, 200, 200, 401] },
        Row { method: "GET", path: format!("/api/stats/{fa}/2026"), body: Body_::None, expect: [403, 403, 403, 403, 200, 401] },
        Row { method: "GET", path: "/api/openapi.json".into(), body: Body_::None, expect: [200, 200, 200, 200, 200, 200] },
        Row { method: "GET", path: "/login".into(), body: Body_::None, expect: [200, 200, 200, 200, 200, 200] },
        // Without the login form's own cookie (`login_form_sets_its_cookies` signs in).
        Row { method: "POST", path: "/login".into(), body: form("_csrf=forged&login=clerk&password=pw"), expect: [403; 6] },
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

/// The applicants' ID numbers: the fixture's paper applications and the online one.
const IDS: [&str; 2] = ["110101199003071234", "11010519491231002X"];

async fn every_route_every_role(db: TestDb) {
    let f = fixture(&db).await;
    let mut failures = Vec::new();
    for row in table(&f) {
        for (i, role) in ROLES.iter().enumerate() {
            // Steps name the case's current version.
            let version = |id| {
                let office = f.office.clone();
                async move { office.store.case(id).await.unwrap().unwrap().version }
            };
            let (v, ev) = (version(f.own_case).await, version(f.ext_case).await);
            let fill = |s: &str| {
                s.replace("EXTVERSION", &ev.to_string())
                    .replace("VERSION", &v.to_string())
                    .replace("ROLE", role)
            };
            let body = match &row.body {
                Body_::Form(s) => Body_::Form(fill(s)),
                Body_::Json(s) => Body_::Json(fill(s)),
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
            // An ID number is shown in full only on the handling agency's case page
            // (and its JSON), to its clerk and head — also when the page comes back
            // with a refused step; every other answer masks it.
            let own_cases = [f.own_case, f.ext_case];
            let case_page = own_cases.iter().any(|c| {
                row.path == format!("/cases/{c}")
                    || row.path == format!("/cases/{c}/steps")
                    || row.path == format!("/api/cases/{c}")
            });
            let may_show = case_page && i < 2;
            for id in IDS {
                if !may_show && text.contains(id) {
                    failures.push(format!(
                        "{} {} as {role}: {} shows the ID number {id}",
                        row.method,
                        row.path,
                        status.as_u16()
                    ));
                }
            }
        }
    }
    // The head's extension and decision are on the case; the clerk's refusals left
    // nothing.
    let ext = f.office.store.case_events(f.ext_case).await.unwrap();
    assert_eq!(ext.len(), 3, "{ext:?}");
    db.drop().await;
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Runs a test on SQLite, and on the PostgreSQL of `GONGKAI_TEST_PG`.
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::TestDb::sqlite()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = super::TestDb::postgres(concat!("web_", stringify!($name))) {
                    super::$name(db).await;
                }
            }
        }
    };
}

on_both!(every_route_every_role);
on_both!(forged_and_malformed_requests_change_nothing);
on_both!(pages_mask_and_downloads_are_attachments);
on_both!(login_form_sets_its_cookies);
on_both!(provisional_dates_are_marked_until_the_notice_is_imported);

/// Whether `path` (without its query) is an instance of the route `pattern`.
fn matches(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or("");
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len()
        && p.iter()
            .zip(&q)
            .all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
}

/// Every (method, path) the router declares, read from its source: each
/// `.route("PATH", get(…).post(…))`, on one line or several.
fn declared_routes() -> Vec<(String, String)> {
    let src = include_str!("../src/lib.rs");
    let body = &src[src.find("pub fn router").unwrap()..src.find(".fallback(").unwrap()];
    let mut out = Vec::new();
    for chunk in body.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).unwrap().to_string();
        let handlers = chunk.splitn(3, '"').nth(2).unwrap();
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = handlers
                .match_indices(&format!("{method}("))
                .any(|(at, _)| {
                    at == 0
                        || !handlers.as_bytes()[at - 1].is_ascii_alphanumeric()
                            && handlers.as_bytes()[at - 1] != b'_'
                });
            if called {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_in_the_table() {
    let db = TestDb::sqlite();
    let f = fixture(&db).await;
    let rows = table(&f);
    let routes = declared_routes();
    // The parser sees the multi-line declarations and every method of a route.
    assert!(routes.len() >= 50, "{routes:?}");
    for r in [
        ("POST", "/login"),
        ("POST", "/admin/calendar"),
        ("DELETE", "/api/session"),
        ("GET", "/public/agencies/{id}/reports/{report}"),
    ] {
        assert!(
            routes.iter().any(|(m, p)| m == r.0 && p == r.1),
            "{r:?} not read: {routes:?}"
        );
    }
    for (method, path) in &routes {
        assert!(
            rows.iter()
                .any(|row| row.method == method && matches(path, &row.path)),
            "{method} {path} has no row in the table"
        );
    }
}

/// The OpenAPI description is valid JSON and says exactly what the router serves
/// under `/api`: every operation described is a route, every API route described.
#[test]
fn the_openapi_description_matches_the_api() {
    let doc: serde_json::Value = serde_json::from_str(gongkai_web::OPENAPI).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut described: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path}"
            );
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
            described.push((method.to_uppercase(), path.clone()));
        }
    }
    let mut served: Vec<(String, String)> = declared_routes()
        .into_iter()
        .filter(|(_, p)| p.starts_with("/api/") && p != "/api/openapi.json")
        .collect();
    described.sort();
    served.sort();
    assert_eq!(described, served);
}

async fn forged_and_malformed_requests_change_nothing(db: TestDb) {
    let f = fixture(&db).await;
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
    // A notice file that is a spreadsheet, not text: named and refused, nothing imported.
    let imports = f.office.store.calendar_imports().await.unwrap().len();
    let (s, t) = call(
        &f,
        4,
        "POST",
        "/admin/calendar",
        &Body_::Multipart(upload(
            "{csrf}",
            "放假安排.xlsx",
            "PK\u{3}\u{4}xl/workbook.xml",
        )),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{t}");
    assert!(t.contains("「放假安排.xlsx」不是文本文件"), "{t}");
    assert_eq!(
        f.office.store.calendar_imports().await.unwrap().len(),
        imports
    );
    // A case id that is not a number.
    let (s, t) = call(&f, 0, "GET", "/cases/abc", &Body_::None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(t.contains("编号无效"), "{t}");
    // A well-formed step the case's state does not allow, forced through the API:
    // refused with the engine's reason (补正 was never asked of this applicant).
    let v = f.office.store.case(oc).await.unwrap().unwrap().version;
    let (s, t) = call(
        &f,
        0,
        "POST",
        &format!("/api/cases/{oc}/steps"),
        &Body_::Json(format!(r#"{{"version":{v},"step":"supplemented"}}"#)),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{t}");
    assert!(t.contains("补正"), "{t}");
    // An oversized upload (over the 10 MB cap) is refused before it is stored.
    let big = "x".repeat(10 * 1024 * 1024 + 1);
    let (s, t) = call(
        &f,
        0,
        "POST",
        &path,
        &Body_::Multipart(upload("{csrf}", "大文件.txt", &big)),
    )
    .await;
    assert!(
        s == StatusCode::PAYLOAD_TOO_LARGE || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{s} {t}"
    );
    assert!(t.contains("MB"), "{t}");
    assert_eq!(
        f.office.store.attachments_of(oc).await.unwrap().len(),
        before_att
    );
    assert_eq!(
        f.office.store.case_events(f.own_case).await.unwrap().len(),
        before
    );
    db.drop().await;
}

async fn pages_mask_and_downloads_are_attachments(db: TestDb) {
    let f = fixture(&db).await;
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
    // An attachment too: downloaded, never rendered, whatever its bytes.
    let req = Request::builder()
        .uri(format!("/attachments/{}", f.own_att))
        .header(
            "cookie",
            format!("gk_session={}", f.sessions[0].as_ref().unwrap().0),
        )
        .body(Body::empty())
        .unwrap();
    let resp = f.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers();
    let disposition = h["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(!h["content-type"].to_str().unwrap().contains("html"));
    // The inbox's filters, on the page and in its Excel export: paper applications
    // only, then the online one only.
    let (_, paper) = call(&f, 0, "GET", "/inbox?channel=in_person", &Body_::None).await;
    // (The online applications waiting for confirmation stay listed above the cases.)
    assert!(
        paper.contains("待办案件 <small>共 2 件")
            && paper.contains("张三")
            && paper.contains("王五"),
        "{paper}"
    );
    let (_, online) = call(&f, 0, "GET", "/inbox?channel=online", &Body_::None).await;
    assert!(
        online.contains("待办案件 <small>共 1 件") && !online.contains("张三"),
        "{online}"
    );
    let (s, bad) = call(&f, 0, "GET", "/inbox?from=2026-13-01", &Body_::None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("收到日期（起）不是有效日期"), "{bad}");
    let workbook = |query: &'static str| {
        let app = f.app.clone();
        let token = f.sessions[0].as_ref().unwrap().0.clone();
        async move {
            let req = Request::builder()
                .uri(format!("/inbox.xlsx{query}"))
                .header("cookie", format!("gk_session={token}"))
                .body(Body::empty())
                .unwrap();
            let resp = app.oneshot(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let bytes = http_body_util::BodyExt::collect(resp.into_body())
                .await
                .unwrap()
                .to_bytes();
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
            let mut strings = String::new();
            std::io::Read::read_to_string(
                &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
                &mut strings,
            )
            .unwrap();
            strings
        }
    };
    let all = workbook("").await;
    assert!(
        all.contains("申请编号")
            && all.contains("张三")
            && all.contains("王五")
            && all.contains("赵网申"),
        "{all}"
    );
    let online = workbook("?channel=online").await;
    assert!(
        online.contains("赵网申") && !online.contains("张三") && !online.contains("王五"),
        "{online}"
    );
    // The export holds no ID number either.
    assert!(!all.contains(IDS[0]) && !all.contains(IDS[1]));
    // The audit log: the unit administrator sees its own agency's entries only,
    // the system administrator everyone's.
    let (_, own_log) = call(&f, 2, "GET", "/audit", &Body_::None).await;
    assert!(own_log.contains("clerk"), "{own_log}");
    assert!(!own_log.contains("教育局经办人"), "{own_log}");
    let (_, all_log) = call(&f, 4, "GET", "/audit", &Body_::None).await;
    assert!(all_log.contains("教育局经办人"), "{all_log}");
    db.drop().await;
}

/// The sign-in form: its token travels in a cookie of its own and in the form;
/// the session cookie it sets is HttpOnly and SameSite, never readable by a script
/// or sent by another site's form.
async fn login_form_sets_its_cookies(db: TestDb) {
    let f = fixture(&db).await;
    let resp = f
        .app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/login")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let set = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let login_cookie = set.split(';').next().unwrap().to_string();
    let page = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let page = String::from_utf8_lossy(&page);
    let token = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let post = |cookie: String, csrf: String, password: &'static str| {
        let app = f.app.clone();
        async move {
            let req = Request::builder()
                .method("POST")
                .uri("/login")
                .header("cookie", cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "_csrf={csrf}&login=clerk&password={password}&next=/inbox"
                )))
                .unwrap();
            app.oneshot(req).await.unwrap()
        }
    };
    // Another token than the cookie's: the page has expired, nobody is signed in.
    let resp = post(login_cookie.clone(), "forged".into(), "pw").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(
        resp.headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("gk_session="))
    );
    let body = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("登录页面已过期"));
    // A wrong password: refused, in Chinese.
    let resp = post(login_cookie.clone(), token.clone(), "wrong").await;
    assert!(resp.status().is_client_error(), "{}", resp.status());
    // The right one: a session cookie, HttpOnly and SameSite, and on to the inbox.
    let resp = post(login_cookie, token, "pw").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/inbox");
    let session = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .find(|c| c.starts_with("gk_session="))
        .unwrap();
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Strict"), "{session}");
    db.drop().await;
}

/// Past the built-in calendar's end, the inbox and the case page mark a date 暂定
/// with the reason; the system administrator is reminded, imports next year's
/// notice as a file, and is shown every open case whose date moved.
async fn provisional_dates_are_marked_until_the_notice_is_imported(db: TestDb) {
    let f = fixture_on(&db, "2026-12-21").await;
    let clerk = {
        let u = f
            .office
            .store
            .user_by_login("clerk")
            .await
            .unwrap()
            .unwrap();
        let a = f.office.store.agency(u.agency_id).await.unwrap().unwrap();
        Actor::new(&u, &a).unwrap()
    };
    let mut late = reg("钱七");
    late.submitted = d("2026-12-21");
    let id = f.office.register(&clerk, &late, None).await.unwrap();
    let number = f.office.store.case(id).await.unwrap().unwrap().number;

    let (_, inbox) = call(&f, 0, "GET", "/inbox", &Body_::None).await;
    assert!(inbox.contains("暂定"), "{inbox}");
    let (_, page) = call(&f, 0, "GET", &format!("/cases/{id}"), &Body_::None).await;
    assert!(page.contains("待导入2027年放假安排"), "{page}");
    // Counted Monday–Friday: 2026-12-21 + 20 weekdays.
    assert!(page.contains("2027-01-18"), "{page}");
    let (_, cal) = call(&f, 4, "GET", "/admin/calendar", &Body_::None).await;
    assert!(cal.contains("2027"), "{cal}");

    // The notice as a CSV file with the mark Windows Notepad writes.
    let file = "\u{feff}date,kind,notice_year\r\n2027-01-01,off,2027\r\n";
    let (s, done) = call(
        &f,
        4,
        "POST",
        "/admin/calendar",
        &Body_::Multipart(upload("{csrf}", "2027年放假安排.csv", file)),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert!(done.contains("期限发生变化的在办案件"), "{done}");
    let moved = format!("<td>{number}</td><td>2027-01-18</td><td>2027-01-19</td>");
    assert!(done.contains(&moved), "{done}");
    let (_, page) = call(&f, 0, "GET", &format!("/cases/{id}"), &Body_::None).await;
    assert!(
        page.contains("2027-01-19") && !page.contains("待导入2027年放假安排"),
        "{page}"
    );
    let (_, inbox) = call(&f, 0, "GET", "/inbox", &Body_::None).await;
    assert!(!inbox.contains("暂定"), "{inbox}");
    db.drop().await;
}
