//! The `gongkai` command line.

// Results and messages go through `output`, which never panics on a closed pipe or a
// full disk: `print!` and its kin would.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod output;

mod args_zh;
mod cases_cmd;
mod check_cmd;
mod db;
mod ingest_cmd;
mod input;
mod render_cmd;
mod serve_cmd;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use output::{errln, out};
use std::process::ExitCode;

// mimalloc rather than glibc's malloc: under load the server spent 15 % of its CPU in
// malloc and free, many threads taking its locks (the store's connection threads hand
// every row to the request's task).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "gongkai",
    version,
    about = "政府信息公开：依申请公开办理平台（gongkai serve），年度报告的读取、校验、编制与汇总"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 读取并校验年报，指出不符合勾稽关系的单元格
    Check(check_cmd::CheckArgs),
    /// 读取年报的全部单元格（JSON / CSV）
    Extract(check_cmd::ExtractArgs),
    /// 批量读取年报入库（SQLite 文件或 PostgreSQL），可断点续读
    Ingest(ingest_cmd::IngestArgs),
    /// 从库中导出数据集（CSV / XLSX / JSON）
    Export(ingest_cmd::ExportArgs),
    /// 按全国统一格式生成年报（DOCX / HTML / PDF / XLSX / CSV / JSON）
    Render(render_cmd::RenderArgs),
    /// 依申请公开案件：由办件记录生成年报表格、列出期限
    Cases(cases_cmd::CasesArgs),
    /// 工作日日历：计算法定期限
    Calendar(cases_cmd::CalendarArgs),
    /// 启动政府信息公开工作平台（网页与接口）；--demo 以演示数据试用
    Serve(serve_cmd::ServeArgs),
    /// 备份 SQLite 数据库（服务运行时也可备份）
    Backup(serve_cmd::BackupArgs),
    /// 由备份恢复 SQLite 数据库
    Restore(serve_cmd::RestoreArgs),
}

/// Parses the command line with Chinese help and errors; `Err` is the exit code.
fn parse() -> Result<Cli, u8> {
    let told = |e: clap::Error| -> u8 {
        match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                out!("{}", e.render());
                0
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                errln!("错误：缺少命令或参数\n");
                errln!("{}", e.render());
                2
            }
            _ => {
                output::print_err(&args_zh::error_message(&e));
                2
            }
        }
    };
    let matches = args_zh::localize(Cli::command())
        .try_get_matches()
        .map_err(told)?;
    Cli::from_arg_matches(&matches).map_err(told)
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(output::finish(code)),
    };
    let code = match cli.command {
        Command::Check(args) => check_cmd::run_check(&args),
        Command::Extract(args) => check_cmd::run_extract(&args),
        Command::Ingest(args) => ingest_cmd::run_ingest(&args),
        Command::Export(args) => ingest_cmd::run_export(&args),
        Command::Render(args) => render_cmd::run_render(&args),
        Command::Cases(args) => cases_cmd::run_cases(&args),
        Command::Calendar(args) => cases_cmd::run_calendar(&args),
        Command::Serve(args) => serve_cmd::run_serve(&args),
        Command::Backup(args) => serve_cmd::run_backup(&args),
        Command::Restore(args) => serve_cmd::run_restore(&args),
    };
    ExitCode::from(output::finish(code))
}
