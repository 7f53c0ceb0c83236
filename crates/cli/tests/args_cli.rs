//! The command line's help and argument errors are in Chinese; a wrong argument exits
//! with 2.

use std::process::{Command, Output};

fn gongkai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .output()
        .expect("run gongkai")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// clap's own English words, none of which may reach a clerk.
const ENGLISH: [&str; 9] = [
    "error:",
    "Usage:",
    "Print help",
    "Print version",
    "Options:",
    "Arguments:",
    "Commands:",
    "[default:",
    "[possible values:",
];

fn assert_chinese(s: &str, what: &str) {
    for w in ENGLISH {
        assert!(!s.contains(w), "{what}: 「{w}」 in\n{s}");
    }
}

#[test]
fn an_unknown_argument_is_said_in_chinese() {
    let o = gongkai(&["check", "--no-such-option"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("错误：无法识别的参数「--no-such-option」"),
        "{err}"
    );
    assert!(
        err.contains("用法：gongkai check [选项] [文件]..."),
        "{err}"
    );
    assert!(err.contains("加 --help 查看帮助"), "{err}");
    assert_chinese(&err, "unknown argument");
    assert!(o.stdout.is_empty());
}

#[test]
fn other_argument_errors_are_said_in_chinese() {
    let runs: [(&[&str], &str); 5] = [
        (&["chek"], "没有「chek」这个命令"),
        (
            &["check", "--format", "xml"],
            "参数「--format <格式>」的值「xml」无效",
        ),
        (&["ingest", "x", "--jobs", "many"], "的值「many」无效"),
        (&["export", "--format", "csv"], "缺少必需的参数"),
        (
            &["render", "a.json", "--blank", "2021", "-o", "x.pdf"],
            "不能与",
        ),
    ];
    for (args, said) in runs {
        let o = gongkai(args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(said), "{args:?}: {err}");
        assert_chinese(&err, &format!("{args:?}"));
    }
    let o = gongkai(&[]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("缺少命令"), "{err}");
    assert_chinese(&err, "no command");
}

#[test]
fn help_pages_are_in_chinese() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["check", "--help"],
        &["ingest", "-h"],
        &["export", "--help"],
        &["cases", "due", "--help"],
        &["calendar", "add", "--help"],
    ] {
        let o = gongkai(args);
        let out = text(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        assert!(out.contains("用法："), "{args:?}: {out}");
        assert!(
            out.contains("-h, --help") && out.contains("显示帮助"),
            "{args:?}: {out}"
        );
        assert_chinese(&out, &format!("{args:?}"));
    }
    let top = text(&gongkai(&["--help"]).stdout);
    assert!(top.contains("命令：") || top.contains("命令:"), "{top}");
    assert!(top.contains("显示版本"), "{top}");
    let check = text(&gongkai(&["check", "--help"]).stdout);
    assert!(
        check.contains("可选：text、json") && check.contains("默认：text"),
        "{check}"
    );
    let o = gongkai(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).starts_with("gongkai "));
}
