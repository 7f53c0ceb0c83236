//! The command line's own words in Chinese: help pages (headings, the help and version
//! options, defaults and choices) and argument errors. clap writes these in English; the
//! command tree is rewritten once before parsing, and clap's errors are told again
//! from their kind and context.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

/// The layout of every help page, with Chinese headings.
const TEMPLATE: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// `cmd` and all its subcommands with Chinese help.
pub fn localize(cmd: Command) -> Command {
    let mut cmd = localize_tree(cmd, true);
    // Built, so that each subcommand's usage carries its full name (`gongkai cases due`).
    cmd.build();
    translate_usage(cmd)
}

fn localize_tree(cmd: Command, top: bool) -> Command {
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .mut_args(localize_arg)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助")
                .help_heading("选项"),
        );
    if top {
        cmd = cmd.arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本")
                .help_heading("选项"),
        );
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |s| localize_tree(s, false));
    }
    cmd
}

/// One argument: its heading, and its default and choices said in Chinese.
fn localize_arg(arg: Arg) -> Arg {
    let heading = if arg.is_positional() {
        "参数"
    } else {
        "选项"
    };
    if !arg.get_action().takes_values() {
        return arg.help_heading(heading);
    }
    let mut extra = Vec::new();
    let choices: Vec<String> = if arg.is_hide_possible_values_set() {
        Vec::new()
    } else {
        arg.get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect()
    };
    if !choices.is_empty() {
        extra.push(format!("可选：{}", choices.join("、")));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !arg.is_hide_default_value_set() {
        extra.push(format!("默认：{}", defaults.join("、")));
    }
    let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    let help = if extra.is_empty() {
        help
    } else {
        format!("{help}（{}）", extra.join("；"))
    };
    arg.help_heading(heading)
        .help(help)
        .hide_default_value(true)
        .hide_possible_values(true)
}

/// Usage lines in Chinese (`[选项]` for `[OPTIONS]`), for every (built) command.
fn translate_usage(mut cmd: Command) -> Command {
    let usage = cmd.render_usage().to_string();
    let usage = usage
        .trim_start_matches("Usage:")
        .trim()
        .replace("[OPTIONS]", "[选项]");
    let mut cmd = cmd.override_usage(usage);
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, translate_usage);
    }
    cmd
}

/// Words of one context value: a string, or a list joined with 、.
fn words(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("、"),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        ContextValue::Bool(b) => Some(b.to_string()),
        ContextValue::None => None,
        _ => None,
    }
}

/// A clap error (not help or version) in Chinese, with the usage line and a pointer
/// to the help. Argument errors exit with 2.
pub fn error_message(e: &clap::Error) -> String {
    let arg = words(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = words(e, ContextKind::InvalidValue).unwrap_or_default();
    let mut msg = match e.kind() {
        ErrorKind::UnknownArgument => format!("无法识别的参数「{arg}」"),
        ErrorKind::InvalidSubcommand => format!(
            "没有「{}」这个命令",
            words(e, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            if value.is_empty() {
                format!("参数「{arg}」需要一个值")
            } else {
                format!("参数「{arg}」的值「{value}」无效")
            }
        }
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "缺少命令".to_string()
        }
        ErrorKind::ArgumentConflict => match words(e, ContextKind::PriorArg) {
            Some(prior) => format!("参数「{arg}」不能与「{prior}」同时使用"),
            None => format!("参数「{arg}」不能与其他参数同时使用"),
        },
        ErrorKind::NoEquals => format!("参数「{arg}」的值须用等号给出（如 {arg}=值）"),
        ErrorKind::TooManyValues => format!("参数「{arg}」的值太多：「{value}」"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("参数「{arg}」的值个数不对")
        }
        ErrorKind::InvalidUtf8 => "参数中有无法识别的文字（不是 UTF-8 编码）".to_string(),
        _ => "命令行参数有误".to_string(),
    };
    if let Some(valid) = words(e, ContextKind::ValidValue) {
        msg.push_str(&format!("（可选：{valid}）"));
    }
    if let Some(s) = words(e, ContextKind::SuggestedArg) {
        msg.push_str(&format!("；是否要用「{s}」？"));
    }
    if let Some(s) = words(e, ContextKind::SuggestedSubcommand) {
        msg.push_str(&format!("；是否要用「{s}」命令？"));
    }
    let mut out = format!("错误：{msg}\n");
    if let Some(usage) = words(e, ContextKind::Usage) {
        let usage = usage.trim_start_matches("Usage:").trim();
        out.push_str(&format!("\n用法：{usage}\n"));
    }
    out.push_str("\n加 --help 查看帮助。\n");
    out
}
