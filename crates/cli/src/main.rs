//! The `gongkai` command line.

mod cases_cmd;
mod render_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "gongkai", version, about = "政府信息公开工作年度报告：读取、校验、编制与汇总")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 按全国统一格式生成年报（DOCX / HTML / PDF / XLSX / CSV / JSON）
    Render(render_cmd::RenderArgs),
    /// 依申请公开案件：由办件记录生成年报表格、列出期限
    Cases(cases_cmd::CasesArgs),
    /// 工作日日历：计算法定期限
    Calendar(cases_cmd::CalendarArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Render(args) => render_cmd::run_render(&args),
        Command::Cases(args) => cases_cmd::run_cases(&args),
        Command::Calendar(args) => cases_cmd::run_calendar(&args),
    };
    ExitCode::from(code)
}
