//! Two `gongkai serve` processes on one PostgreSQL behave as one: a session opened on
//! one is valid on the other and ends on both, a case registered on one is read on
//! the other, and two clerks stepping on one case through different servers at the
//! same version get one success and one 「案件已被他人更新，请刷新」.

mod common;

use common::{chrono_today, drop_pg_schema, http, login, pg_url, start_serve};

struct Servers(Vec<std::process::Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn two_servers_on_one_postgresql_are_one_office() {
    let Some(url) = pg_url("cluster") else { return };
    let (a, addr_a) = start_serve(&["--db", &url, "--demo"]);
    let mut servers = Servers(vec![a]);
    let (b, addr_b) = start_serve(&["--db", &url]);
    servers.0.push(b);

    // A session opened on A works on B.
    let (cookie, csrf) = login(&addr_a, "clerk");
    let (status, _, body) = http(&addr_b, "GET", "/api/cases", &cookie, &csrf, "").unwrap();
    assert_eq!(status, 200, "{body}");

    // Registered on A, read on B.
    let reg = format!(
        r#"{{"channel":"in_person","applicant_kind":"natural_person","applicant_name":"集群测试","request":"某文件","submitted":"{}"}}"#,
        chrono_today()
    );
    let (status, _, body) = http(&addr_a, "POST", "/api/cases", &cookie, &csrf, &reg).unwrap();
    assert_eq!(status, 201, "{body}");
    let id = json(&body)["id"].as_i64().unwrap();
    let (status, _, body) = http(
        &addr_b,
        "GET",
        &format!("/api/cases/{id}"),
        &cookie,
        &csrf,
        "",
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["row"]["applicant_name"], "集群测试");

    // Two clerks, two servers, one version: one wins, the other is told to refresh.
    let (cookie2, csrf2) = login(&addr_b, "clerk");
    let step = r#"{"version":1,"step":"consult","consultee":"third_party","name":"某公司"}"#;
    let path = format!("/api/cases/{id}/steps");
    let (ta, tb) = std::thread::scope(|s| {
        let ta = s.spawn(|| http(&addr_a, "POST", &path, &cookie, &csrf, step).unwrap());
        let tb = s.spawn(|| http(&addr_b, "POST", &path, &cookie2, &csrf2, step).unwrap());
        (ta.join().unwrap(), tb.join().unwrap())
    });
    let mut statuses = [ta.0, tb.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [200, 409],
        "A: {} {}; B: {} {}",
        ta.0,
        ta.2,
        tb.0,
        tb.2
    );
    let refused = if ta.0 == 409 { &ta.2 } else { &tb.2 };
    assert!(refused.contains("案件已被他人更新，请刷新"), "{refused}");
    let (_, _, body) = http(
        &addr_a,
        "GET",
        &format!("/api/cases/{id}"),
        &cookie,
        &csrf,
        "",
    )
    .unwrap();
    assert_eq!(json(&body)["row"]["version"], 2, "exactly one step stored");

    // Logging out on B ends the session on A too.
    let (status, _, _) = http(&addr_b, "DELETE", "/api/session", &cookie, &csrf, "").unwrap();
    assert_eq!(status, 200);
    let (status, _, _) = http(&addr_a, "GET", "/api/cases", &cookie, &csrf, "").unwrap();
    assert_eq!(status, 401);

    drop(servers);
    drop_pg_schema(&url);
}
