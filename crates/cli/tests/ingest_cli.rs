//! `gongkai ingest` and `gongkai export` end to end, on a SQLite file (and once on
//! PostgreSQL: see `GONGKAI_TEST_PG` in crates/store/tests/postgres.rs).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run gongkai")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `gongkai export --db DB ARGS… -o OUT`, which must succeed.
fn export(db: &str, args: &[&str], out: &str) -> Output {
    let mut all = vec!["export", "--db", db];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", out]);
    let output = run(&all);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    output
}

/// `export` of JSON to standard output, parsed.
fn export_json(db: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_slice(&export(db, &all, "-").stdout).unwrap()
}

/// A directory with the text samples, a second-year copy of one, and two bad files.
fn corpus(dir: &Path) -> PathBuf {
    let d = dir.join("in");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    for n in [
        "tongchuan-govoffice-2020.txt",
        "qingtongxia-2021.txt",
        "tongjiang-2020.txt",
    ] {
        std::fs::copy(fixtures().join(n), d.join(n)).unwrap();
    }
    // The next year's report of 青铜峡市: the same tables, so its 上年结转 (0) does not
    // match 2021's 结转下年度 (1): YEAR.CARRY.
    let q = std::fs::read_to_string(fixtures().join("qingtongxia-2021.txt")).unwrap();
    std::fs::write(
        d.join("sub/qingtongxia-2022.txt"),
        q.replace("2021", "2022"),
    )
    .unwrap();
    std::fs::write(d.join("empty.txt"), b"").unwrap();
    std::fs::write(
        d.join("noise.bin"),
        (0..2000u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    d
}

#[test]
fn ingest_rerun_and_export_keep_blank_and_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path());
    let db = tmp.path().join("g.db");
    let db = db.to_str().unwrap();

    let out = run(&["ingest", input.to_str().unwrap(), "--db", db, "--jobs", "2"]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "bad files make exit 1\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("读取成功"), "{stdout}");
    assert!(stdout.contains("4 个文件，报告 4 份"), "{stdout}");
    assert!(stdout.contains("失败按原因"), "{stdout}");
    assert!(stdout.contains("文件为空"), "{stdout}");
    assert!(stdout.contains("有错误的报告"), "{stdout}");
    assert!(stderr.contains("empty.txt"), "{stderr}");
    // Not a terminal: no progress bar drawn.
    assert!(!stderr.contains("个文件 "), "{stderr}");

    // Re-run: everything skipped, nothing new.
    let again = run(&["ingest", input.to_str().unwrap(), "--db", db]);
    let s = text(&again.stdout);
    assert!(s.contains("已在库中（跳过）"), "{s}");
    let skipped_line = s.lines().find(|l| l.contains("已在库中")).unwrap();
    assert!(skipped_line.trim_end().ends_with('6'), "{s}");
    assert!(s.contains("0 个文件，报告 0 份"), "{s}");

    // Long CSV: BOM, blank stays empty, 0 stays 0.
    let csv_path = tmp.path().join("long.csv");
    export(db, &["--format", "csv"], csv_path.to_str().unwrap());
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    let headers = rdr.headers().unwrap().clone();
    let idx = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let (src, key, value, kind) = (idx("source"), idx("key"), idx("value"), idx("kind"));
    let (mut blank, mut zero) = (false, false);
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if rec[src].ends_with("tongchuan-govoffice-2020.txt") && rec[kind] == *"blank" {
            assert_eq!(&rec[value], "");
            blank = true;
        }
        if rec[src].ends_with("qingtongxia-2021.txt") && rec[key] == *"requests.carried_in.total" {
            assert_eq!(&rec[value], "0");
            assert_eq!(&rec[kind], "number");
            zero = true;
        }
    }
    assert!(blank && zero);

    // Wide JSON: the spec's machine form, null vs 0.
    let json_path = tmp.path().join("wide.json");
    export(
        db,
        &["--format", "json", "--shape", "wide"],
        json_path.to_str().unwrap(),
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let tc = rows
        .iter()
        .find(|r| {
            r["source"]
                .as_str()
                .unwrap()
                .ends_with("tongchuan-govoffice-2020.txt")
        })
        .unwrap();
    assert_eq!(tc["agency"], "铜川市人民政府办公室");
    assert_eq!(tc["year"], 2020);
    assert_eq!(
        tc["cells"]["requests.carried_in.total"],
        serde_json::Value::Null
    );
    let q = rows
        .iter()
        .find(|r| {
            r["source"]
                .as_str()
                .unwrap()
                .ends_with("in/qingtongxia-2021.txt")
        })
        .unwrap();
    assert_eq!(
        q["cells"]["requests.carried_in.total"],
        serde_json::json!(0)
    );
    assert_eq!(
        q["cells"]["requests.carried_out.natural_person"],
        serde_json::json!(1)
    );

    // Long JSON.
    let v = export_json(db, &[]);
    let row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["source"]
                .as_str()
                .unwrap()
                .ends_with("tongchuan-govoffice-2020.txt")
                && r["kind"] == "blank"
        })
        .unwrap();
    assert_eq!(row["value"], serde_json::Value::Null);

    // Wide CSV.
    let out = export(db, &["--format", "csv", "--shape", "wide"], "-");
    let s = text(&out.stdout);
    let mut rdr = csv::Reader::from_reader(s.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = headers
        .iter()
        .position(|h| h == "requests.carried_in.total")
        .unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if rec[0].ends_with("tongchuan-govoffice-2020.txt") {
            assert_eq!(&rec[col], "");
        }
        if rec[0].ends_with("in/qingtongxia-2021.txt") {
            assert_eq!(&rec[col], "0");
        }
    }

    // Wide XLSX: Chinese headers, blank cell empty, 0 a number.
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let x = tmp.path().join("wide.xlsx");
    export(
        db,
        &["--format", "xlsx", "--shape", "wide"],
        x.to_str().unwrap(),
    );
    let mut wb: Xlsx<_> = open_workbook(&x).unwrap();
    let range = wb.worksheet_range("数据").unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[1], "机关");
    let label = gongkai_report::template::cell("requests.carried_in.total").unwrap();
    let col = header
        .iter()
        .position(|h| h == &format!("{} {}", label.row_label, label.column_label))
        .unwrap();
    for r in range.rows().skip(1) {
        let src = r[0].to_string();
        if src.ends_with("tongchuan-govoffice-2020.txt") {
            assert_eq!(r[col], Data::Empty);
        }
        if src.ends_with("in/qingtongxia-2021.txt") {
            assert_eq!(r[col], Data::Float(0.0));
        }
    }

    // Findings: YEAR.CARRY between the two years of 青铜峡市.
    let v = export_json(db, &["--findings"]);
    let carry: Vec<&serde_json::Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "YEAR.CARRY")
        .collect();
    assert!(!carry.is_empty(), "{v}");
    assert!(carry.iter().all(|f| {
        f["source"]
            .as_str()
            .unwrap()
            .ends_with("qingtongxia-2022.txt")
    }));
    assert!(carry.iter().all(|f| f["prev_report"].is_i64()));
    // Findings from the one-report rules too (同江 is wrong by design).
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "T3.OUTCOMES")
    );
    let n_findings = v.as_array().unwrap().len();

    // A re-run recomputes nothing twice.
    run(&["ingest", input.to_str().unwrap(), "--db", db]);
    let v = export_json(db, &["--findings"]);
    assert_eq!(v.as_array().unwrap().len(), n_findings);
}

#[test]
fn killed_run_resumes_and_globs_expand() {
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path());
    let db = tmp.path().join("g.db");
    let db = db.to_str().unwrap();
    // A first run that only got through some files.
    let one = input.join("tongjiang-2020.txt");
    let out = run(&["ingest", one.to_str().unwrap(), "--db", db]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Then everything, by glob.
    let pattern = format!("{}/**/*.txt", input.display());
    let out = run(&["ingest", &pattern, "--db", db]);
    let s = text(&out.stdout);
    assert!(s.contains("3 个文件，报告 3 份"), "{s}");
    let skipped = s.lines().find(|l| l.contains("已在库中")).unwrap();
    assert!(skipped.trim_end().ends_with('1'), "{s}");
}

#[test]
fn missing_inputs_and_bad_db_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&[
        "ingest",
        "/nonexistent/xyz.txt",
        "--db",
        tmp.path().join("g.db").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("找不到"));
    let out = run(&[
        "export",
        "--db",
        "/nonexistent/dir/g.db",
        "--format",
        "csv",
        "-o",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stderr).is_empty());
}

/// Commands that only read the dataset never create one from a mistyped path.
#[test]
fn reading_a_missing_database_does_not_create_it() {
    let tmp = tempfile::tempdir().unwrap();
    let typo = tmp.path().join("typo.db");
    let t = typo.to_str().unwrap();
    let runs = [
        vec!["export", "--db", t, "--format", "csv", "-o", "-"],
        vec![
            "export",
            "--db",
            t,
            "--format",
            "json",
            "--findings",
            "-o",
            "-",
        ],
        vec!["backup", "--db", t, "copy.db"],
    ];
    for args in runs {
        let out = bin().args(&args).current_dir(tmp.path()).output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!("数据库文件不存在：{t}")),
            "{args:?}: {err}"
        );
        assert!(!typo.exists(), "{args:?} created {t}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn postgres_round_trip() {
    let url = match std::env::var("GONGKAI_TEST_PG") {
        Ok(u) if !u.trim().is_empty() => u,
        _ => {
            if std::env::var("GONGKAI_SKIP_PG").as_deref() == Ok("1") {
                eprintln!("GONGKAI_SKIP_PG=1：跳过 PostgreSQL 测试");
                return;
            }
            panic!(
                "PostgreSQL 测试需要环境变量 GONGKAI_TEST_PG，例如 \
                 GONGKAI_TEST_PG=postgres://postgres@127.0.0.1:5432/test \
                 （scripts/ci-postgres.sh 会启动本地服务器并打印地址）；确实要跳过时请设置 GONGKAI_SKIP_PG=1"
            );
        }
    };
    let schema = format!("gongkai_cli_{}", std::process::id());
    let sep = if url.contains('?') { '&' } else { '?' };
    let target = format!("{url}{sep}schema={schema}");
    let tmp = tempfile::tempdir().unwrap();
    let input = corpus(tmp.path());
    let out = run(&["ingest", input.to_str().unwrap(), "--db", &target]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}\n{}", text(&out.stderr));
    assert!(s.contains("4 个文件，报告 4 份"), "{s}");
    let v = export_json(&target, &["--findings"]);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "YEAR.CARRY")
    );
    let rt = gongkai_dataset::runtime().unwrap();
    if let Ok(store) = rt.block_on(gongkai_store::Store::open(&target)) {
        let _ = rt.block_on(store.drop_schema());
    }
}

/// Two `gongkai ingest` processes at once — two machines, as far as the database can
/// tell — into one PostgreSQL with overlapping inputs: each file is stored once.
#[test]
fn two_ingests_at_once_into_one_postgresql_store_each_file_once() {
    let Ok(url) = std::env::var("GONGKAI_TEST_PG") else {
        assert_eq!(std::env::var("GONGKAI_SKIP_PG").as_deref(), Ok("1"));
        return;
    };
    let schema = format!("gongkai_cli_two_{}", std::process::id());
    let sep = if url.contains('?') { '&' } else { '?' };
    let target = format!("{url}{sep}schema={schema}");
    let tmp = tempfile::tempdir().unwrap();
    // Two folders, each missing a different one of the corpus's files.
    let a = corpus(&tmp.path().join("a"));
    let b = corpus(&tmp.path().join("b"));
    std::fs::remove_file(a.join("tongjiang-2020.txt")).unwrap();
    std::fs::remove_file(b.join("qingtongxia-2021.txt")).unwrap();
    // The schema is made once before, as a server or an earlier run would have.
    let rt = gongkai_dataset::runtime().unwrap();
    rt.block_on(async {
        gongkai_store::Store::open(&target)
            .await
            .unwrap()
            .close()
            .await
    });
    let spawn = |dir: &Path| {
        bin()
            .args(["ingest", dir.to_str().unwrap(), "--db", &target])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(&a), spawn(&b));
    for run in [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ] {
        // 0 or 1 (findings or unreadable files among its own), as the two share
        // the files out; never a failed run.
        assert!(
            matches!(run.status.code(), Some(0 | 1)),
            "{}\n{}",
            text(&run.stdout),
            text(&run.stderr)
        );
    }
    let store = rt.block_on(gongkai_store::Store::open(&target)).unwrap();
    let stored = rt.block_on(store.sources()).unwrap();
    let mut hashes: Vec<&str> = stored.iter().map(|s| s.hash.as_str()).collect();
    hashes.sort();
    let n = hashes.len();
    hashes.dedup();
    assert_eq!(hashes.len(), n, "a file stored twice: {stored:?}");
    // Four readable reports and the two bad files, each once, from both folders.
    assert_eq!(n, 6, "{stored:?}");
    assert_eq!(rt.block_on(store.totals()).unwrap().reports, 4);
    let _ = rt.block_on(store.drop_schema());
}

/// The sources stored in a SQLite dataset: (file name, status, cause).
fn sources(db: &str) -> Vec<(String, String, Option<String>)> {
    let rt = gongkai_dataset::runtime().unwrap();
    let store = rt
        .block_on(gongkai_store::Store::open_existing(db))
        .unwrap();
    let rows = rt.block_on(store.sources()).unwrap();
    rt.block_on(store.close());
    rows.into_iter()
        .map(|s| (s.file_name, s.status, s.cause))
        .collect()
}

/// The value printed on the summary line starting with `label`.
fn summary_value<'a>(stdout: &'a str, label: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line {label}:\n{stdout}"))
        .trim_start()[label.len()..]
        .trim()
}

/// Notes, scripts and data beside the reports are skipped as not documents (by name
/// and by content), never stored or counted as failures; a text read as nothing is a
/// failure with its cause, not a report.
#[test]
fn non_documents_are_skipped_and_empty_readings_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("in");
    std::fs::create_dir(&d).unwrap();
    std::fs::copy(
        fixtures().join("qingtongxia-2021.txt"),
        d.join("qingtongxia-2021.txt"),
    )
    .unwrap();
    for (name, body) in [
        ("README.md", "# 年报数据\n说明文字。\n"),
        ("README", "年报数据说明。\n"),
        ("fetch.py", "import sys\nprint('年报')\n"),
        ("run.sh", "gongkai ingest .\n"),
        ("meta.json", "{\"year\": 2021}\n"),
        ("Cargo.toml", "[package]\nname = \"x\"\n"),
        // No telling name: known by content.
        (
            "download",
            "#!/bin/sh\ncurl -O http://example.org/年报.html\n",
        ),
        ("list", "[\"2021年报.html\", \"2022年报.html\"]\n"),
    ] {
        std::fs::write(d.join(name), body).unwrap();
    }
    // The blank national template: its tables are there, nothing is filled in.
    std::fs::copy(
        fixtures().join("template-2021-blank.docx"),
        d.join("nothing.docx"),
    )
    .unwrap();
    let db = tmp.path().join("g.db");
    let db = db.to_str().unwrap();
    let out = run(&["ingest", d.to_str().unwrap(), "--db", db]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert_eq!(summary_value(&stdout, "跳过（非文档）"), "8", "{stdout}");
    assert_eq!(summary_value(&stdout, "失败"), "1", "{stdout}");
    assert!(stdout.contains("1 个文件，报告 1 份"), "{stdout}");
    assert!(stdout.contains("未识别出年度报告"), "{stdout}");
    assert!(
        stderr.contains("nothing.docx")
            && stderr.contains("未识别出年度报告（无单位、年度和表格）"),
        "{stderr}"
    );
    let stored = sources(db);
    assert_eq!(stored.len(), 2, "{stored:?}");
    let nothing = stored.iter().find(|s| s.0 == "nothing.docx").unwrap();
    assert_eq!(nothing.1, "failed");
    assert!(nothing.2.as_deref().unwrap().contains("无单位、年度和表格"));
    let totals = {
        let rt = gongkai_dataset::runtime().unwrap();
        let store = rt
            .block_on(gongkai_store::Store::open_existing(db))
            .unwrap();
        rt.block_on(store.totals()).unwrap()
    };
    assert_eq!(totals.reports, 1, "the empty reading is no report");
}

/// Named pipes, links to nothing or to folders, and folders that cannot be opened are
/// listed with their cause; a link to a file is read.
#[test]
fn walking_lists_what_it_cannot_read() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let tmp = tempfile::tempdir().unwrap();
    // Written by `nobody` below when the tests run as root.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let d = tmp.path().join("in");
    std::fs::create_dir(&d).unwrap();
    std::fs::copy(
        fixtures().join("qingtongxia-2021.txt"),
        d.join("qingtongxia-2021.txt"),
    )
    .unwrap();
    std::fs::copy(
        fixtures().join("tongjiang-2020.txt"),
        tmp.path().join("tongjiang-2020.txt"),
    )
    .unwrap();
    symlink(
        tmp.path().join("tongjiang-2020.txt"),
        d.join("link-to-file.txt"),
    )
    .unwrap();
    symlink(tmp.path().join("gone.txt"), d.join("dangling.txt")).unwrap();
    symlink(tmp.path(), d.join("link-to-dir")).unwrap();
    let fifo = d.join("pipe.txt");
    common::mkfifo(&fifo);
    let closed = d.join("closed");
    std::fs::create_dir(&closed).unwrap();
    std::fs::write(closed.join("inside.txt"), "x").unwrap();
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o000)).unwrap();
    for p in [
        &tmp.path().join("tongjiang-2020.txt"),
        &d.join("qingtongxia-2021.txt"),
    ] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();

    let db = tmp.path().join("g.db");
    let mut cmd = bin();
    cmd.args(["ingest", d.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    let root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(tmp.path()).unwrap()) == 0;
    if root {
        // Root opens any folder: run as someone who cannot.
        use std::os::unix::process::CommandExt;
        cmd.uid(65534).gid(65534);
    }
    let out = cmd.output().unwrap();
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("2 个文件，报告 2 份"),
        "link to a file is read\n{stdout}"
    );
    for (name, cause) in [
        ("pipe.txt", "不是普通文件"),
        ("dangling.txt", "链接指向的文件不存在"),
        ("link-to-dir", "链接指向文件夹"),
        ("closed", "没有读取权限"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(name) && l.contains(cause)),
            "{name}: {cause}\n{stderr}"
        );
    }
    assert_eq!(summary_value(&stdout, "失败"), "4", "{stdout}");
}

/// A wrong PostgreSQL port or database name is said at once, in Chinese, naming the
/// database — not after a connection timeout.
#[test]
fn wrong_postgres_port_or_database_is_said_at_once() {
    let file = fixtures().join("tongjiang-2020.txt");
    let file = file.to_str().unwrap();
    // Nothing listens on port 1.
    let started = std::time::Instant::now();
    let out = run(&[
        "ingest",
        file,
        "--db",
        "postgres://postgres@127.0.0.1:1/gongkai",
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "无法连接数据库 postgres://postgres@127.0.0.1:1/gongkai：服务器未运行或端口不对"
        ),
        "{err}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // A database that does not exist on a server that does.
    let Ok(url) = std::env::var("GONGKAI_TEST_PG") else {
        assert_eq!(std::env::var("GONGKAI_SKIP_PG").as_deref(), Ok("1"));
        return;
    };
    let base = &url[..url.rfind('/').unwrap()];
    let wrong = format!("{base}/gongkai_no_such_db");
    let started = std::time::Instant::now();
    let out = run(&["ingest", file, "--db", &wrong]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("数据库不存在："), "{err}");
    assert!(err.contains("gongkai_no_such_db"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let out = run(&["export", "--db", &wrong, "--format", "csv", "-o", "-"]);
    assert!(text(&out.stderr).contains("数据库不存在："));
}
