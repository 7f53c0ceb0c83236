//! The clerk's work end to end in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by scripts/setup.sh): log in, register a posted
//! application, ask for a 补正, receive it, consult a third party, have the head
//! extend the time limit and decide 部分公开, download the 答复书 DOCX and read it
//! back, record the delivery, and see the case counted in table 三. Every page is
//! driven the way a person does it: visible fields, clicks, the browser's own
//! download. Screenshots of the inbox and the case page land in
//! `target/tmp/browser/` (copied to docs/ for the README).

mod support;

use fantoccini::{Client, ClientBuilder, Locator};
use gongkai_cases::NaiveDate;
use gongkai_office::{Clock, Office};
use gongkai_store::Store;
use gongkai_web::{AppState, router};
use serde_json::json;
use std::io::Read;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const APPLICANT: &str = "陈浏览（测试）";
const REQUEST: &str = "2026年本县老旧小区改造项目的立项批复及资金安排文件";

/// Kills chromedriver and the Chromium it started (one process group) however the
/// test ends, a panic included.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // `--` first: without it procps' kill reads `-PGID` as options and may signal
        // a group the test never made (`-1`: every process).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_driver() -> (Driver, String) {
    for exe in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(exe).exists(),
            "{exe} is missing: run `sh scripts/setup.sh` (installs Debian's chromium and chromium-driver)"
        );
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (driver, format!("http://127.0.0.1:{port}"))
}

async fn browser(webdriver: &str, profile: &Path, downloads: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                // A Chinese office's browser: dates in the pickers read 年/月/日.
                "--lang=zh-CN",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
                // No saved passwords filling the next login form.
                "credentials_enable_service": false,
                "profile.password_manager_enabled": false,
            },
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("a Chromium session through chromedriver")
}

/// The demo office on a fixed day, served on a free local port.
async fn server(dir: &Path) -> String {
    let store = Store::open(&format!("sqlite:{}", dir.join("office.db").display()))
        .await
        .unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let office = Office::new(store, Clock::Fixed(today)).await.unwrap();
    gongkai_office::demo::seed(&office).await.unwrap();
    published_report(&office).await;
    let app = router(AppState {
        office,
        secure_cookies: false,
        demo: true,
        behind_proxy: false,
    })
    .into_make_service_with_connect_info::<SocketAddr>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// The county office's 2025 annual report as `gongkai ingest` keeps it, so the
/// portal lists it.
async fn published_report(office: &Office) {
    support::store_published_report(
        office,
        "演示县人民政府办公室",
        vec![(
            "requests.new.natural_person",
            gongkai_report::Value::int(164),
        )],
    )
    .await;
}

/// Sends a DevTools command to the browser of session `session` through
/// chromedriver (`goog/cdp/execute`), over plain HTTP on localhost.
fn cdp(webdriver: &str, session: &str, cmd: &str, params: serde_json::Value) -> serde_json::Value {
    use std::io::Write;
    let addr = webdriver.trim_start_matches("http://");
    let body = json!({ "cmd": cmd, "params": params }).to_string();
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    write!(
        tcp,
        "POST /session/{session}/goog/cdp/execute HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read the head, then as many bytes as it announces (the driver may keep the
    // connection open).
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tcp.read(&mut buf).unwrap();
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if body.len() >= length || n == 0 {
                assert!(head.contains(" 200 "), "{cmd}: {text}");
                return serde_json::from_str(&body[..length]).unwrap();
            }
        }
        assert!(n > 0, "{cmd}: the driver closed the connection: {text}");
    }
}

async fn css(c: &Client, selector: &str) -> fantoccini::elements::Element {
    match c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(selector))
        .await
    {
        Ok(e) => e,
        Err(e) => {
            let page = c.source().await.unwrap_or_default();
            let url = c.current_url().await.map(|u| u.to_string());
            panic!("no {selector} on {url:?}: {e}\n{page}")
        }
    }
}

/// Sets an input's value as the date picker would (typing into a date field is
/// locale-dependent in Chromium).
async fn set_value(c: &Client, selector: &str, value: &str) {
    c.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        vec![json!(selector), json!(value)],
    )
    .await
    .unwrap();
}

/// Types into a field, replacing whatever it held.
async fn type_into(c: &Client, selector: &str, text: &str) {
    let el = css(c, selector).await;
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

/// Clicks a button or link and waits for the next page to replace this one.
async fn click_and_wait(c: &Client, button: &str) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    css(c, button).await.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while old.tag_name().await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "{button} did not lead to a new page"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn login(c: &Client, base: &str, who: &str) {
    login_with(c, base, who, gongkai_office::demo::DEMO_PASSWORD).await
}

async fn login_with(c: &Client, base: &str, who: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    type_into(c, "#login", who).await;
    type_into(c, "#password", password).await;
    click_and_wait(c, "form button[type=submit]").await;
    css(c, "main h1").await;
    if c.current_url().await.unwrap().path() == "/login" {
        let why = match c.find(Locator::Css("p.error")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        panic!("{who} could not log in: {why}");
    }
}

async fn logout(c: &Client) {
    click_and_wait(c, "form[action='/logout'] button").await;
    css(c, "#login").await;
}

/// Opens the step's fold on the case page, fills it, submits, and expects the
/// page's confirmation (never an error).
async fn step(c: &Client, key: &str, date: &str, fill: &[(&str, &str)]) {
    let input = format!("input[name=step][value='{key}']");
    let form = format!("form:has({input})");
    let summary = format!("details:has({input}) > summary");
    let details = css(c, &format!("details:has({input})")).await;
    if details.attr("open").await.unwrap().is_none() {
        css(c, &summary).await.click().await.unwrap();
    }
    set_value(c, &format!("#{key}-date"), date).await;
    for (field, value) in fill {
        let sel = format!("#{key}-{field}");
        let el = css(c, &sel).await;
        match el.tag_name().await.unwrap().as_str() {
            "select" => el.select_by_value(value).await.unwrap(),
            _ if el.attr("type").await.unwrap().as_deref() == Some("date") => {
                set_value(c, &sel, value).await
            }
            _ => {
                el.clear().await.unwrap();
                el.send_keys(value).await.unwrap();
            }
        }
    }
    click_and_wait(c, &format!("{form} button[type=submit]")).await;
    let status = css(c, "p.ok, p.error").await;
    let text = status.text().await.unwrap();
    assert_eq!(
        status.attr("class").await.unwrap().as_deref(),
        Some("ok"),
        "step {key} refused: {text}"
    );
}

/// The 自然人 count in table 三's row whose label holds `label`.
async fn table3_count(c: &Client, base: &str, label: &str) -> i64 {
    c.goto(&format!("{base}/stats?year=2026")).await.unwrap();
    let cell = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&format!(
            "(//table)[1]//tr[th[contains(., '{label}')]]/td[1]"
        )))
        .await
        .unwrap();
    cell.text().await.unwrap().trim().parse().unwrap()
}

async fn screenshot(c: &Client, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, c.screenshot().await.unwrap()).unwrap();
    path
}

/// Waits for the browser's download of a file ending in `suffix`. Chromium first
/// reserves the final name as an empty file and writes beside it in a .crdownload,
/// so a download is done when that name has bytes and no .crdownload is left.
fn downloaded(dir: &Path, suffix: &str) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        let writing = entries
            .iter()
            .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"));
        let done = entries.iter().find(|e| {
            e.file_name().to_string_lossy().ends_with(suffix)
                && e.metadata().is_ok_and(|m| m.len() > 0)
        });
        if let (false, Some(e)) = (writing, done) {
            return e.path();
        }
        assert!(
            Instant::now() < deadline,
            "no {suffix} downloaded into {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn docx_text(path: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    // Text runs only: drop the markup between them.
    let mut text = String::new();
    let mut in_tag = false;
    for ch in xml.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posted_application_from_registration_to_table_three() {
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    let profile = dir.path().join("profile");
    std::fs::create_dir_all(&downloads).unwrap();
    let base = server(dir.path()).await;
    let (_driver, webdriver) = start_driver();
    let c = browser(&webdriver, &profile, &downloads).await;

    login(&c, &base, "clerk").await;
    let partial_before = table3_count(&c, &base, "部分公开").await;

    // 登记: a letter posted on 18 November, signed for on the 20th. Each step is
    // recorded on or near its day, as the engine offers only what is lawful today.
    c.goto(&format!("{base}/cases/new")).await.unwrap();
    css(&c, "#channel")
        .await
        .select_by_value("post_signed")
        .await
        .unwrap();
    set_value(&c, "#submitted", "2026-11-18").await;
    set_value(&c, "#confirmed", "2026-11-20").await;
    css(&c, "#name").await.send_keys(APPLICANT).await.unwrap();
    css(&c, "#id_number")
        .await
        .send_keys("110101199003071234")
        .await
        .unwrap();
    css(&c, "#phone")
        .await
        .send_keys("13912345678")
        .await
        .unwrap();
    css(&c, "#address")
        .await
        .send_keys("演示县人民路8号")
        .await
        .unwrap();
    css(&c, "#request").await.send_keys(REQUEST).await.unwrap();
    click_and_wait(&c, "form[action='/cases'] button[type=submit]").await;
    let ok = css(&c, "p.ok").await.text().await.unwrap();
    assert_eq!(ok, "已登记");
    let case_url = c.current_url().await.unwrap();
    assert!(case_url.path().starts_with("/cases/"), "{case_url}");
    let number = css(&c, "main h1").await.text().await.unwrap();
    // Received on the signing day (第三十一条): 20 working days run from 23 November.
    let due = css(&c, "p.due strong").await.text().await.unwrap();
    assert_eq!(due, "2026-12-18", "{number}");

    step(
        &c,
        "request_correction",
        "2026-11-23",
        &[
            ("items", "请明确所需文件的年份范围和项目名称"),
            ("supplement_due", "2026-12-04"),
        ],
    )
    .await;
    // Until the 补正 arrives the applicant's date is what matters, and the answer
    // period will start again.
    let due = css(&c, "p.due").await.text().await.unwrap();
    assert!(due.starts_with("申请人补正期限：2026-12-04"), "{due}");
    let section = css(&c, "section[aria-labelledby=h-due]")
        .await
        .text()
        .await
        .unwrap();
    assert!(section.contains("重新计算"), "{section}");
    step(
        &c,
        "supplemented",
        "2026-11-24",
        &[("note", "申请人来函补正")],
    )
    .await;
    // The applicant's letter of 补正, scanned, goes with the case.
    let letter = dir.path().join("补正函.pdf");
    std::fs::write(&letter, b"%PDF-1.4\n% scanned letter\n").unwrap();
    css(&c, "#att-file")
        .await
        .send_keys(&letter.display().to_string())
        .await
        .unwrap();
    click_and_wait(&c, "form[action$='/attachments'] button[type=submit]").await;
    assert_eq!(
        css(&c, "p.ok, p.error").await.text().await.unwrap(),
        "已上传附件：补正函.pdf"
    );
    css(&c, "a[href^='/attachments/'][download='补正函.pdf']").await;
    // 第三十条: the time limit runs again from the 补正 — 20 working days from 25 November.
    assert_eq!(
        css(&c, "p.due strong").await.text().await.unwrap(),
        "2026-12-22"
    );
    step(
        &c,
        "consult",
        "2026-11-25",
        &[("consultee", "third_party"), ("name", "演示建设有限公司")],
    )
    .await;
    assert!(
        css(&c, "p.due")
            .await
            .text()
            .await
            .unwrap()
            .contains("暂停计时"),
        "the time limit pauses while the third party is consulted"
    );
    let consultation = css(&c, "#consultation_replied-consultation option")
        .await
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    step(
        &c,
        "consultation_replied",
        "2026-11-27",
        &[("consultation", &consultation), ("consent", "false")],
    )
    .await;

    // 延期 needs the head (条例第三十三条第二款), and this office has its answers
    // approved too: the head takes over.
    logout(&c).await;

    login(&c, &base, "head").await;
    c.goto(case_url.as_str()).await.unwrap();
    step(
        &c,
        "extend",
        "2026-11-30",
        &[
            ("working_days", "15"),
            ("reason", "需征求第三方意见并区分处理"),
        ],
    )
    .await;
    step(
        &c,
        "decide",
        "2026-11-30",
        &[
            ("outcome", "partial"),
            ("note", "涉及第三方商业秘密的部分不予公开"),
        ],
    )
    .await;

    // The 答复书, downloaded by the browser and read back.
    let link = c
        .find(Locator::XPath(
            "//ul[@class='docs']//a[contains(., '答复书') and contains(@download, '.docx')]",
        ))
        .await
        .expect("the 答复书 DOCX is listed among the case's documents");
    link.click().await.unwrap();
    let docx = downloaded(&downloads, ".docx");
    let text = docx_text(&docx);
    // The clerk's note is the reason given; no placeholder is left for a hand edit.
    for expected in [
        APPLICANT,
        REQUEST,
        "对可以公开的部分予以公开",
        "理由如下：涉及第三方商业秘密的部分不予公开。",
        "第三十七条",
        "六十日内",
    ] {
        assert!(text.contains(expected), "答复书 lacks {expected}: {text}");
    }
    assert!(!text.contains("请填写"), "{text}");
    logout(&c).await;

    login(&c, &base, "clerk").await;
    c.goto(case_url.as_str()).await.unwrap();
    step(
        &c,
        "deliver",
        "2026-11-30",
        &[("method", "邮寄"), ("tracking", "EMS1234567890")],
    )
    .await;
    assert!(
        css(&c, "h1 .stage")
            .await
            .text()
            .await
            .unwrap()
            .contains("已送达")
    );
    screenshot(&c, "case.png").await;

    c.goto(&format!("{base}/inbox")).await.unwrap();
    css(&c, "table.list").await;
    screenshot(&c, "inbox.png").await;

    // On a phone the case page fits the screen: no sideways scrolling.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{base}{}", case_url.path())).await.unwrap();
    css(&c, "main h1").await;
    no_sideways_scroll(&c, "the case page at 390 px").await;
    screenshot(&c, "case-phone.png").await;
    c.set_window_size(1280, 900).await.unwrap();

    assert_eq!(
        table3_count(&c, &base, "部分公开").await,
        partial_before + 1,
        "the delivered 部分公开 answer is counted in table 三"
    );
    c.close().await.unwrap();
}

/// The administrator's pages, the calendar import and the audit log, as their users
/// work them: open an account, edit a letter's wording (a refused field first),
/// the new clerk logs in, the account is turned off, the audit log shows it all, and
/// the system administrator imports next year's holiday notice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_manages_accounts_templates_and_the_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let base = server(dir.path()).await;
    let (_driver, webdriver) = start_driver();
    let c = browser(&webdriver, &dir.path().join("profile"), &downloads).await;

    login(&c, &base, "admin").await;
    click_and_wait(&c, "nav a[href='/admin/users']").await;
    css(&c, "#login")
        .await
        .send_keys("qian.clerk")
        .await
        .unwrap();
    css(&c, "#name").await.send_keys("钱经办").await.unwrap();
    css(&c, "#role")
        .await
        .select_by_value("clerk")
        .await
        .unwrap();
    css(&c, "#password")
        .await
        .send_keys("qian-password-2026")
        .await
        .unwrap();
    assert_eq!(
        css(&c, "#password")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("qian-password-2026"),
        "the browser filled the new account's password field by itself"
    );
    click_and_wait(&c, "form[action='/admin/users'] button[type=submit]").await;
    assert_eq!(
        css(&c, "p.ok").await.text().await.unwrap(),
        "已新增用户 qian.clerk"
    );
    let row = css(&c, "table.list tbody tr:last-child")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        row.contains("qian.clerk") && row.contains("经办人") && row.contains("在用"),
        "{row}"
    );
    screenshot(&c, "users.png").await;

    // A template with a field the letters cannot fill is refused and kept as typed.
    click_and_wait(&c, "nav a[href='/admin/templates']").await;
    css(&c, "details:has(#body-extension) > summary")
        .await
        .click()
        .await
        .unwrap();
    let body = css(&c, "#body-extension").await;
    body.clear().await.unwrap();
    body.send_keys("因{延期原因}，答复期限延长。")
        .await
        .unwrap();
    click_and_wait(&c, "details:has(#body-extension) button[type=submit]").await;
    let error = css(&c, "p.error").await.text().await.unwrap();
    assert!(error.contains("无法填写的字段：延期原因"), "{error}");
    assert_eq!(
        css(&c, "#body-extension")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("因{延期原因}，答复期限延长。")
    );
    let body = css(&c, "#body-extension").await;
    body.clear().await.unwrap();
    body.send_keys("因{延期理由}，答复期限延长{延期天数}个工作日，至{答复期限}。")
        .await
        .unwrap();
    click_and_wait(&c, "details:has(#body-extension) button[type=submit]").await;
    assert!(
        css(&c, "p.ok")
            .await
            .text()
            .await
            .unwrap()
            .starts_with("已保存")
    );
    let summary = css(&c, "details:has(#body-extension) > summary")
        .await
        .text()
        .await
        .unwrap();
    assert!(summary.contains("本机关模板"), "{summary}");

    // The 公开指南 (the demo wrote one): a blank of the outline left in it is
    // refused; the office's new address is saved and is what the public reads.
    click_and_wait(&c, "nav a[href='/admin/templates']").await;
    css(&c, "details:has(#guide-body) > summary")
        .await
        .click()
        .await
        .unwrap();
    let current = css(&c, "#guide-body")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    const OLD_ADDRESS: &str = "演示省演示市演示县人民路1号县政府大楼一楼政务公开办公室";
    const NEW_ADDRESS: &str = "演示省演示市演示县人民路8号政务服务中心二楼";
    assert!(current.contains(OLD_ADDRESS), "{current}");
    set_value(
        &c,
        "#guide-body",
        &current.replace(OLD_ADDRESS, "（请填写办公地址）"),
    )
    .await;
    click_and_wait(&c, "form[action='/admin/guide'] button[type=submit]").await;
    let error = css(&c, "p.error").await.text().await.unwrap();
    assert!(
        error.contains("未填写的内容：（请填写办公地址）"),
        "{error}"
    );
    let filled = current.replace(OLD_ADDRESS, NEW_ADDRESS);
    set_value(&c, "#guide-body", &filled).await;
    click_and_wait(&c, "form[action='/admin/guide'] button[type=submit]").await;
    assert_eq!(
        css(&c, "p.ok, p.error").await.text().await.unwrap(),
        "已保存公开指南"
    );
    screenshot(&c, "templates.png").await;
    let summary = css(&c, "details:has(#guide-body) > summary")
        .await
        .text()
        .await
        .unwrap();
    assert!(summary.contains("本机关指南"), "{summary}");
    c.goto(&format!("{base}/public")).await.unwrap();
    type_into(&c, "#q", "演示县人民政府办公室").await;
    click_and_wait(&c, "form.search button").await;
    click_and_wait(&c, "ul.agencies a").await;
    let public = css(&c, "section.guide").await.text().await.unwrap();
    assert!(
        public.contains(NEW_ADDRESS) && !public.contains(OLD_ADDRESS),
        "{public}"
    );
    c.goto(&format!("{base}/admin/templates")).await.unwrap();
    logout(&c).await;

    // The new account works, then is turned off and no longer does.
    login_with(&c, &base, "qian.clerk", "qian-password-2026").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/inbox");
    logout(&c).await;
    login(&c, &base, "admin").await;
    c.goto(&format!("{base}/admin/users")).await.unwrap();
    click_and_wait(&c, "table.list tbody tr:last-child form.inline button").await;
    assert!(
        css(&c, "p.ok")
            .await
            .text()
            .await
            .unwrap()
            .starts_with("已停用")
    );
    let row = css(&c, "table.list tbody tr:last-child")
        .await
        .text()
        .await
        .unwrap();
    assert!(row.contains("已停用"), "{row}");

    click_and_wait(&c, "nav a[href='/audit']").await;
    let log = css(&c, "table.list tbody").await.text().await.unwrap();
    for action in ["新增用户", "修改文书模板", "修改公开指南", "停用用户"] {
        assert!(log.contains(action), "the audit log lacks {action}: {log}");
    }
    logout(&c).await;

    c.goto(&format!("{base}/login")).await.unwrap();
    type_into(&c, "#login", "qian.clerk").await;
    type_into(&c, "#password", "qian-password-2026").await;
    click_and_wait(&c, "form button[type=submit]").await;
    let refused = css(&c, "p.error").await.text().await.unwrap();
    assert!(refused.contains("用户名或密码不正确"), "{refused}");

    // The system administrator imports the 2027 notice; the reminder goes.
    login(&c, &base, "sysadmin").await;
    c.goto(&format!("{base}/admin/calendar")).await.unwrap();
    assert!(
        css(&c, "p.warn")
            .await
            .text()
            .await
            .unwrap()
            .contains("2027")
    );
    set_value(
        &c,
        "#tsv",
        "date\tkind\tnotice_year\n2027-01-01\toff\t2027\n2027-02-10\toff\t2027\n2027-02-11\toff\t2027\n2027-02-12\toff\t2027\n2027-02-07\twork\t2027\n",
    )
    .await;
    click_and_wait(&c, "form[action='/admin/calendar'] button[type=submit]").await;
    let ok = css(&c, "p.ok, p.error").await.text().await.unwrap();
    assert!(ok.starts_with("已导入"), "{ok}");
    let imports = css(&c, "main").await.text().await.unwrap();
    assert!(imports.contains("2027 年"), "{imports}");
    screenshot(&c, "calendar.png").await;
    c.close().await.unwrap();
}

/// axe-core, injected into a page: the serious and critical violations of WCAG 2
/// A/AA rules, as "rule: target" lines (empty when the page passes).
async fn accessibility_violations(c: &Client) -> Vec<String> {
    const AXE: &str = include_str!("vendor/axe-core/axe.min.js");
    c.execute(&format!("{AXE}\n;return true;"), vec![])
        .await
        .unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

async fn assert_accessible(c: &Client, page: &str) {
    let v = accessibility_violations(c).await;
    assert!(
        v.is_empty(),
        "{page}: accessibility violations:\n{}",
        v.join("\n")
    );
}

async fn no_sideways_scroll(c: &Client, page: &str) {
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    if overflow != json!(0) {
        // Name what sticks out, so the failure says what to fix.
        let culprits = c
            .execute(
                "const w = document.documentElement.clientWidth; return Array.from(document.querySelectorAll('body *'))
                   .filter(e => e.getBoundingClientRect().right > w + 0.5)
                   .slice(0, 8).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));",
                vec![],
            )
            .await
            .unwrap();
        panic!("{page} scrolls sideways by {overflow}: {culprits}");
    }
}

/// A public page passes axe-core and does not scroll sideways at 320 px (the
/// window is put back as it was).
async fn public_page_ok(c: &Client, page: &str) {
    assert_accessible(c, page).await;
    let (w, h) = c.get_window_size().await.unwrap();
    if w != 320 {
        c.set_window_size(320, h as u32).await.unwrap();
    }
    no_sideways_scroll(c, &format!("{page} at 320 px")).await;
    if w != 320 {
        c.set_window_size(w as u32, h as u32).await.unwrap();
    }
}

/// A citizen applies on a phone, the clerk confirms and asks for a 补正, the citizen
/// answers it online, the head answers, and the citizen downloads the 答复书 with the
/// 查询码 — every public page checked by axe-core and at 320 px.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_applies_online_answers_a_correction_and_downloads_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    let profile = dir.path().join("profile");
    std::fs::create_dir_all(&downloads).unwrap();
    let base = server(dir.path()).await;
    let (_driver, webdriver) = start_driver();
    let c = browser(&webdriver, &profile, &downloads).await;
    c.set_window_size(390, 844).await.unwrap();

    // An account first (applying needs none): the sign-in page, then the list.
    c.goto(&format!("{base}/public/account")).await.unwrap();
    public_page_ok(&c, "account sign-in and registration").await;
    type_into(&c, "#reg-login", "13912345678").await;
    type_into(&c, "#reg-password", "citizen-password-1").await;
    click_and_wait(&c, "form[action='/public/account/register'] button").await;
    let list = css(&c, "main").await.text().await.unwrap();
    assert!(list.contains("已登录：13912345678"), "{list}");
    public_page_ok(&c, "account list (empty)").await;

    // Find the agency by pinyin initials and read its guide.
    c.goto(&format!("{base}/public")).await.unwrap();
    public_page_ok(&c, "/public").await;
    type_into(&c, "#q", "ysxrmzfbgs").await;
    click_and_wait(&c, "form.search button").await;
    let hits = c.find_all(Locator::Css("ul.agencies a")).await.unwrap();
    assert_eq!(hits.len(), 1, "one agency has these initials");
    assert_eq!(hits[0].text().await.unwrap(), "演示县人民政府办公室");
    public_page_ok(&c, "search results").await;
    click_and_wait(&c, "ul.agencies a").await;
    let guide = css(&c, "section.guide").await.text().await.unwrap();
    assert!(guide.contains("政府信息公开指南"), "{guide}");
    assert!(
        guide.contains("办公地址：演示省演示市演示县人民路1号"),
        "{guide}"
    );
    public_page_ok(&c, "agency page").await;
    // Its annual report, as the dataset read it.
    click_and_wait(&c, "ul.docs a[href*='/reports/']:not([href*='format'])").await;
    let report = css(&c, "body").await.text().await.unwrap();
    assert!(report.contains("演示县人民政府办公室"), "{report}");
    public_page_ok(&c, "published annual report").await;
    c.back().await.unwrap();
    click_and_wait(&c, "a.button[href$='/apply']").await;

    // Sent empty: every missing field is named beside it, nothing is stored.
    public_page_ok(&c, "apply form").await;
    click_and_wait(&c, "form.apply button[type=submit]").await;
    let errors = css(&c, "#errors").await.text().await.unwrap();
    for expected in [
        "请选择申请人类型",
        "请填写证件号码",
        "请描述您申请公开的政府信息",
    ] {
        assert!(errors.contains(expected), "{errors}");
    }
    public_page_ok(&c, "apply form with errors").await;

    // The draft survives leaving the page (the browser keeps it), the ID number not.
    type_into(&c, "#applicant_name", APPLICANT).await;
    type_into(&c, "#id_number", "11010519491231002X").await;
    let apply_url = c.current_url().await.unwrap();
    c.goto(&format!("{base}/public")).await.unwrap();
    c.goto(apply_url.as_str()).await.unwrap();
    let name = css(&c, "#applicant_name")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(name.as_deref(), Some(APPLICANT), "the draft was restored");
    let id = css(&c, "#id_number").await.prop("value").await.unwrap();
    assert_eq!(
        id.as_deref(),
        Some(""),
        "the ID number is not kept in the draft"
    );

    css(&c, "input[name=applicant_kind][value=natural_person]")
        .await
        .click()
        .await
        .unwrap();
    css(&c, "#id_type")
        .await
        .select_by_value("居民身份证")
        .await
        .unwrap();
    // A mistyped check digit is caught and said so.
    type_into(&c, "#id_number", "110105194912310021").await;
    type_into(&c, "#phone", "13912345678").await;
    type_into(&c, "#request", REQUEST).await;
    click_and_wait(&c, "form.apply button[type=submit]").await;
    let e = css(&c, "#id_number-error").await.text().await.unwrap();
    assert!(e.contains("居民身份证号码不正确"), "{e}");
    type_into(&c, "#id_number", "11010519491231002X").await;

    // The filled form at 200 % zoom: what Chromium shows a 1280 × 900 window zoomed
    // to 200 % (a 640 CSS-pixel viewport drawn at 2 device pixels per pixel) still
    // fits, and its button is within reach.
    c.set_window_size(1280, 900).await.unwrap();
    let session = c.session_id().await.unwrap().unwrap();
    cdp(
        &webdriver,
        &session,
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 640, "height": 450, "deviceScaleFactor": 2, "mobile": false }),
    );
    let zoomed = c
        .execute(
            "return [window.innerWidth, window.devicePixelRatio];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(zoomed, json!([640, 2]));
    no_sideways_scroll(&c, "apply form at 200 % zoom").await;
    let button_right = c
        .execute(
            "return document.querySelector('form.apply button[type=submit]').getBoundingClientRect().right;",
            vec![],
        )
        .await
        .unwrap();
    assert!(button_right.as_f64().unwrap() <= 640.0, "{button_right}");
    cdp(
        &webdriver,
        &session,
        "Emulation.clearDeviceMetricsOverride",
        json!({}),
    );
    c.set_window_size(390, 844).await.unwrap();
    click_and_wait(&c, "form.apply button[type=submit]").await;

    // Confirm, with a file.
    let review = css(&c, "dl.facts").await.text().await.unwrap();
    assert!(
        review.contains(REQUEST) && review.contains("电子；在线下载"),
        "{review}"
    );
    public_page_ok(&c, "confirm page").await;
    let scan = dir.path().join("身份证明.pdf");
    std::fs::write(&scan, b"%PDF-1.4\n% scan\n").unwrap();
    css(&c, "#files")
        .await
        .send_keys(&scan.display().to_string())
        .await
        .unwrap();
    click_and_wait(
        &c,
        "form[action$='/submit'] button[type=submit]:not([name])",
    )
    .await;
    let number = css(&c, "#receipt-number").await.text().await.unwrap();
    let code = css(&c, "#receipt-code").await.text().await.unwrap();
    assert!(number.starts_with("W20261130-"), "{number}");
    assert_eq!(code.len(), 19, "{code}");
    public_page_ok(&c, "receipt").await;
    no_sideways_scroll(&c, "receipt at 390 px").await;
    screenshot(&c, "portal-receipt-phone.png").await;
    // A download: the page stays.
    css(&c, "form[action='/public/track/receipt'] button")
        .await
        .click()
        .await
        .unwrap();
    let receipt = downloaded(&downloads, "申请回执.pdf");
    assert!(std::fs::read(&receipt).unwrap().starts_with(b"%PDF"));

    // The clerk confirms it: received today, 20 working days.
    c.set_window_size(1280, 900).await.unwrap();
    login(&c, &base, "clerk").await;
    let pending = css(&c, "section[aria-labelledby=h-online]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        pending.contains(&number) && pending.contains(APPLICANT),
        "{pending}"
    );
    // The demo's own online applications wait there too: confirm this one.
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::XPath(&format!(
        "//section[@aria-labelledby='h-online']//tr[td[1][normalize-space()='{number}']]//button"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    while old.tag_name().await.is_ok() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        css(&c, "p.due strong").await.text().await.unwrap(),
        "2026-12-28"
    );
    let facts = css(&c, "section[aria-labelledby=h-app]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        facts.contains("网上申请") || facts.contains("互联网"),
        "{facts}"
    );
    assert!(facts.contains("电子；在线下载"), "{facts}");
    assert!(facts.contains(&format!("网上申请编号 {number}")), "{facts}");
    css(&c, "a[download='身份证明.pdf']").await;
    let case_url = c.current_url().await.unwrap();
    step(
        &c,
        "request_correction",
        "2026-11-30",
        &[
            ("items", "请写明所需文件涉及的小区名称"),
            ("supplement_due", "2026-12-09"),
        ],
    )
    .await;
    logout(&c).await;

    // The citizen follows the case at 320 px and answers the 补正.
    c.set_window_size(320, 800).await.unwrap();
    c.goto(&format!("{base}/public/track")).await.unwrap();
    public_page_ok(&c, "track form").await;
    type_into(&c, "#number", &number).await;
    type_into(&c, "#code", &code.to_lowercase().replace('-', "")).await;
    click_and_wait(&c, "form[action='/public/track'] button").await;
    assert_eq!(css(&c, "h1 .stage").await.text().await.unwrap(), "需要补正");
    let corr = css(&c, "section[aria-labelledby=h-corr]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        corr.contains("小区名称") && corr.contains("2026-12-09"),
        "{corr}"
    );
    public_page_ok(&c, "status page").await;
    type_into(&c, "#supp-text", "城南街道幸福里小区").await;
    click_and_wait(&c, "form[action='/public/track/supplement'] button").await;
    let ok = css(&c, "p.ok, p.error").await.text().await.unwrap();
    assert!(ok.contains("补正已提交"), "{ok}");
    assert_eq!(css(&c, "h1 .stage").await.text().await.unwrap(), "办理中");
    public_page_ok(&c, "status page after the 补正").await;

    // The head answers.
    c.set_window_size(1280, 900).await.unwrap();
    login(&c, &base, "head").await;
    c.goto(case_url.as_str()).await.unwrap();
    let timeline = css(&c, "section[aria-labelledby=h-time]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        timeline.contains("幸福里") && timeline.contains("申请人（网上）"),
        "{timeline}"
    );
    step(&c, "decide", "2026-11-30", &[("outcome", "granted")]).await;
    logout(&c).await;

    // The citizen downloads the 答复书 with the 查询码.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{base}/public/track")).await.unwrap();
    type_into(&c, "#number", &number).await;
    type_into(&c, "#code", &code).await;
    click_and_wait(&c, "form[action='/public/track'] button").await;
    assert_eq!(css(&c, "h1 .stage").await.text().await.unwrap(), "已答复");
    screenshot(&c, "portal-status-phone.png").await;
    public_page_ok(&c, "status page with the answer").await;
    let button = c
        .find(Locator::XPath(
            "//ul[@class='docs']//form[contains(., '答复书') and contains(., '.docx')]//button",
        ))
        .await
        .expect("the 答复书 DOCX is offered to the applicant");
    button.click().await.unwrap();
    let docx = downloaded(&downloads, "答复书.docx");
    let text = docx_text(&docx);
    assert!(text.contains(APPLICANT) && text.contains(REQUEST), "{text}");

    // The keyboard alone: the lookup form is reached, filled and sent with Tab and
    // Enter, and the focused field is outlined.
    c.goto(&format!("{base}/public/track")).await.unwrap();
    const TAB: &str = "\u{E004}";
    const ENTER: &str = "\u{E007}";
    let mut reached = Vec::new();
    for _ in 0..12 {
        c.active_element()
            .await
            .unwrap()
            .send_keys(TAB)
            .await
            .unwrap();
        let id = c
            .active_element()
            .await
            .unwrap()
            .attr("id")
            .await
            .unwrap()
            .unwrap_or_default();
        if id == "number" {
            break;
        }
        reached.push(id);
    }
    let focused = c.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("number"),
        "Tab reaches 申请编号 after {reached:?}"
    );
    let outline = c
        .execute(
            "return getComputedStyle(document.activeElement).outlineStyle;",
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(outline, json!("none"), "the focused field is outlined");
    focused.send_keys(&number).await.unwrap();
    focused.send_keys(TAB).await.unwrap();
    let code_field = c.active_element().await.unwrap();
    assert_eq!(
        code_field.attr("id").await.unwrap().as_deref(),
        Some("code")
    );
    code_field.send_keys(&code).await.unwrap();
    let old = c.find(Locator::Css("html")).await.unwrap();
    code_field.send_keys(ENTER).await.unwrap();
    while old.tag_name().await.is_ok() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(css(&c, "h1 .stage").await.text().await.unwrap(), "已答复");

    // A wrong code says nothing about the case.
    c.goto(&format!("{base}/public/track")).await.unwrap();
    type_into(&c, "#number", &number).await;
    type_into(&c, "#code", "AAAA-AAAA-AAAA-AAAA").await;
    click_and_wait(&c, "form[action='/public/track'] button").await;
    let e = css(&c, "p.error").await.text().await.unwrap();
    assert!(e.contains("申请编号或查询码不正确"), "{e}");
    assert!(!c.source().await.unwrap().contains(APPLICANT));
    public_page_ok(&c, "wrong code").await;

    // The account lists the application sent while signed in; signed out, a wrong
    // password is refused on the same page.
    c.goto(&format!("{base}/public/account")).await.unwrap();
    let list = css(&c, "ul.agencies").await.text().await.unwrap();
    assert!(list.contains(&number) && list.contains("已答复"), "{list}");
    public_page_ok(&c, "account list").await;
    click_and_wait(&c, "form[action='/public/account/logout'] button").await;
    type_into(&c, "#login-login", "13912345678").await;
    type_into(&c, "#login-password", "not-the-password").await;
    click_and_wait(&c, "form[action='/public/account/login'] button").await;
    css(&c, "p.error").await;
    public_page_ok(&c, "account sign-in refused").await;
    c.close().await.unwrap();
}

/// `browser` at a phone's width, with JavaScript on or off (Chromium's content
/// setting, as a user turns it off: page scripts do not run, the driver's do).
async fn browser_with(webdriver: &str, profile: &Path, downloads: &Path, script: bool) -> Client {
    let args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--window-size=390,844".into(),
        "--lang=zh-CN".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": args,
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "profile.default_content_setting_values.javascript": if script { 1 } else { 2 },
            },
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("a Chromium session through chromedriver")
}

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const SPACE: &str = "\u{E00D}";
const LEFT: &str = "\u{E012}";
const RIGHT: &str = "\u{E014}";
const DOWN: &str = "\u{E015}";

/// Presses `key` on whatever has the focus, as a keyboard does (an action of the
/// page, not typing into an element: a file field would take it for a path).
async fn press(c: &Client, key: &str) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut keys = KeyActions::new("keyboard".into());
    for value in key.chars() {
        keys = keys
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
    }
    c.perform_actions(keys).await.unwrap();
}

/// Types `text` into the focused field.
async fn type_here(c: &Client, text: &str) {
    c.active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// The focused element as `tag#id[name=value]`, to say where the keyboard is.
async fn focused(c: &Client) -> String {
    c.execute(
        "const e = document.activeElement; return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[' + e.name + '=' + e.value + ']' : '');",
        vec![],
    )
    .await
    .unwrap()
    .as_str()
    .unwrap()
    .to_string()
}

/// Tabs forward until the focus is on `want` (as `focused` writes it, a prefix).
async fn tab_to(c: &Client, want: &str) {
    let mut passed = Vec::new();
    for _ in 0..20 {
        let now = focused(c).await;
        if now.starts_with(want) {
            return;
        }
        passed.push(now);
        press(c, TAB).await;
    }
    panic!("Tab never reached {want}, only {passed:?}");
}

async fn checked(c: &Client, group: &str) -> serde_json::Value {
    c.execute(
        "const e = document.querySelector(`input[name=${arguments[0]}]:checked`); return e && e.value;",
        vec![json!(group)],
    )
    .await
    .unwrap()
}

/// The application form with the keyboard alone (Tab, Space, arrow keys, Enter,
/// radio groups and the select included) up to the receipt; the draft the portal's
/// script keeps, after the browser is closed and opened again on the same profile;
/// and the whole way again with JavaScript turned off in Chromium: apply, then
/// follow the case with the 查询码.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_by_keyboard_alone_after_a_restart_and_without_javascript() {
    let dir = tempfile::tempdir().unwrap();
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let profile = dir.path().join("profile");
    let base = server(dir.path()).await;
    let (_driver, webdriver) = start_driver();
    let agency = {
        let c = browser_with(&webdriver, &profile, &downloads, true).await;
        c.goto(&format!("{base}/public?q=ysxrmzfbgs"))
            .await
            .unwrap();
        let href = css(&c, "ul.agencies a")
            .await
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        let apply = format!("{base}{href}/apply");

        // The keyboard alone, from the top of the page.
        c.goto(&apply).await.unwrap();
        css(&c, "form.apply").await;
        tab_to(&c, "input[applicant_kind=").await;
        press(&c, SPACE).await;
        assert_eq!(checked(&c, "applicant_kind").await, json!("natural_person"));
        press(&c, TAB).await;
        assert_eq!(focused(&c).await, "input#applicant_name[applicant_name=]");
        type_here(&c, APPLICANT).await;
        press(&c, TAB).await;
        assert!(focused(&c).await.starts_with("select#id_type"));
        press(&c, DOWN).await;
        let id_type = css(&c, "#id_type").await.prop("value").await.unwrap();
        assert_eq!(id_type.as_deref(), Some("居民身份证"));
        for (field, text) in [
            ("id_number", "11010519491231002X"),
            ("phone", "13912345678"),
            ("email", "chen@example.cn"),
            ("address", ""),
            ("request", REQUEST),
        ] {
            press(&c, TAB).await;
            assert!(focused(&c).await.contains(&format!("#{field}")), "{field}");
            if !text.is_empty() {
                type_here(&c, text).await;
            }
        }
        // The radio groups: one Tab stop each, the arrow keys move the choice.
        press(&c, TAB).await;
        assert_eq!(focused(&c).await, "input[form=电子]");
        press(&c, LEFT).await;
        assert_eq!(checked(&c, "form").await, json!("纸质"));
        press(&c, RIGHT).await;
        assert_eq!(checked(&c, "form").await, json!("电子"));
        press(&c, TAB).await;
        assert_eq!(focused(&c).await, "input[delivery=在线下载]");
        press(&c, LEFT).await;
        assert_eq!(checked(&c, "delivery").await, json!("电子邮件"));
        press(&c, TAB).await;
        assert_eq!(focused(&c).await, "button");
        let old = c.find(Locator::Css("html")).await.unwrap();
        press(&c, ENTER).await;
        while old.tag_name().await.is_ok() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let review = css(&c, "dl.facts").await.text().await.unwrap();
        assert!(review.contains("电子；电子邮件"), "{review}");
        // On the confirmation page: past the file field to 确认提交.
        tab_to(&c, "input#files").await;
        press(&c, TAB).await;
        assert_eq!(
            c.active_element().await.unwrap().text().await.unwrap(),
            "确认提交"
        );
        let old = c.find(Locator::Css("html")).await.unwrap();
        press(&c, ENTER).await;
        while old.tag_name().await.is_ok() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let number = css(&c, "#receipt-number").await.text().await.unwrap();
        assert!(number.starts_with("W20261130-"), "{number}");

        // A draft begun, then the browser closed.
        c.goto(&apply).await.unwrap();
        type_into(&c, "#applicant_name", "王草稿（测试）").await;
        type_into(&c, "#request", "草稿中的申请内容").await;
        c.close().await.unwrap();
        href
    };
    // The same profile in a new browser: the draft is back, the ID number not kept.
    let c = browser_with(&webdriver, &profile, &downloads, true).await;
    c.goto(&format!("{base}{agency}/apply")).await.unwrap();
    let name = css(&c, "#applicant_name")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        name.as_deref(),
        Some("王草稿（测试）"),
        "the draft outlived the browser"
    );
    let request = css(&c, "#request").await.prop("value").await.unwrap();
    assert_eq!(request.as_deref(), Some("草稿中的申请内容"));
    c.close().await.unwrap();

    // JavaScript off: Chromium runs no page script (the portal's script would show
    // the draft note and the print button), and everything still works.
    let c = browser_with(
        &webdriver,
        &dir.path().join("profile-noscript"),
        &downloads,
        false,
    )
    .await;
    c.goto(&format!("{base}{agency}/apply")).await.unwrap();
    let note = css(&c, "p.draft-note").await;
    assert!(!note.is_displayed().await.unwrap(), "no script ran");
    css(&c, "input[name=applicant_kind][value=natural_person]")
        .await
        .click()
        .await
        .unwrap();
    type_into(&c, "#applicant_name", "钱无脚本（测试）").await;
    css(&c, "#id_type")
        .await
        .select_by_value("居民身份证")
        .await
        .unwrap();
    type_into(&c, "#id_number", "11010519491231002X").await;
    type_into(&c, "#phone", "13700137000").await;
    type_into(&c, "#request", REQUEST).await;
    click_and_wait(&c, "form.apply button[type=submit]").await;
    click_and_wait(
        &c,
        "form[action$='/submit'] button[type=submit]:not([name])",
    )
    .await;
    let number = css(&c, "#receipt-number").await.text().await.unwrap();
    let code = css(&c, "#receipt-code").await.text().await.unwrap();
    let print = css(&c, "[data-print]").await;
    assert!(!print.is_displayed().await.unwrap(), "no script ran");
    c.goto(&format!("{base}/public/track")).await.unwrap();
    type_into(&c, "#number", &number).await;
    type_into(&c, "#code", &code).await;
    click_and_wait(&c, "form[action='/public/track'] button").await;
    assert_eq!(
        css(&c, "h1 .stage").await.text().await.unwrap(),
        "等待机关确认收到"
    );
    let facts = css(&c, "section[aria-labelledby=h-app]")
        .await
        .text()
        .await
        .unwrap();
    assert!(facts.contains("钱**") && facts.contains(REQUEST), "{facts}");
    c.close().await.unwrap();
}
