//! `gongkai serve` (the disclosure office's server), `gongkai backup` and
//! `gongkai restore`.

use crate::output::{errln, outln};
use clap::Args;
use gongkai_office::{Clock, Office};
use gongkai_store::Store;
use gongkai_web::AppState;
use std::path::PathBuf;

#[derive(Args)]
pub struct ServeArgs {
    /// 数据目录（默认 ./gongkai-data；首次启动时创建）
    #[arg(long, value_name = "目录")]
    data: Option<PathBuf>,
    /// 数据库：sqlite:文件 或 postgres://用户@主机:端口/库（默认为数据目录中的 gongkai.db）
    #[arg(long, value_name = "地址")]
    db: Option<String>,
    /// 监听地址
    #[arg(long, value_name = "地址:端口", default_value = "127.0.0.1:8080")]
    listen: String,
    /// 演示：在临时目录中生成演示省市县机关、各角色用户和各种状态的案件（演示数据）
    #[arg(long)]
    demo: bool,
    /// 通过 HTTPS 提供服务时设置（Cookie 仅经加密连接发送）
    #[arg(long)]
    secure_cookies: bool,
    /// 部署在反向代理或负载均衡之后时设置：以代理追加在 X-Forwarded-For 末尾的地址为访问者地址（用于按地址限流和审计）
    #[arg(long)]
    behind_proxy: bool,
    /// PostgreSQL 连接数上限（每个服务进程）
    #[arg(long, value_name = "数量", default_value_t = 16)]
    connections: u32,
}

#[derive(Args)]
pub struct BackupArgs {
    /// 要备份的 SQLite 数据库文件（服务运行时也可备份）
    #[arg(long, value_name = "文件")]
    db: String,
    /// 备份文件（不得已存在）
    #[arg(value_name = "备份文件")]
    output: String,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// 备份文件
    #[arg(value_name = "备份文件")]
    backup: PathBuf,
    /// 恢复到的数据库文件（不得已存在；请先停止服务并移走旧文件）
    #[arg(long, value_name = "文件")]
    db: PathBuf,
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("无法启动服务运行时（系统资源不足？）：{e}"))
}

pub fn run_serve(args: &ServeArgs) -> u8 {
    match serve(args) {
        Ok(()) => 0,
        Err(e) => {
            errln!("{e}");
            2
        }
    }
}

fn serve(args: &ServeArgs) -> Result<(), String> {
    let rt = runtime()?;
    // A demo without --data runs in a throw-away directory, removed on exit.
    let temp = if args.demo && args.data.is_none() {
        Some(tempfile::tempdir().map_err(|e| format!("无法创建临时目录：{e}"))?)
    } else {
        None
    };
    let data = match (&temp, &args.data) {
        (Some(t), _) => t.path().to_path_buf(),
        (None, Some(d)) => d.clone(),
        (None, None) => PathBuf::from("gongkai-data"),
    };
    let db = match &args.db {
        Some(db) => db.clone(),
        None => {
            std::fs::create_dir_all(&data)
                .map_err(|e| format!("无法创建数据目录 {}：{}", data.display(), io_cause(&e)))?;
            format!("sqlite:{}", data.join("gongkai.db").display())
        }
    };
    rt.block_on(async {
        let started = std::time::Instant::now();
        let store = Store::open_with(&db, args.connections)
            .await
            .map_err(|e| e.to_string())?;
        let office = Office::new(store, Clock::System)
            .await
            .map_err(|e| e.to_string())?;
        let empty = office
            .store
            .agencies()
            .await
            .map_err(|e| e.to_string())?
            .is_empty();
        let demo = if args.demo {
            if !empty {
                return Err("--demo 需要一个空的数据库（演示数据不会写入已有数据的库）".to_string());
            }
            Some(
                gongkai_office::demo::seed(&office)
                    .await
                    .map_err(|e| e.to_string())?,
            )
        } else {
            None
        };
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| format!("无法监听 {}：{}", args.listen, io_cause(&e)))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        outln!(
            "gongkai 已启动：http://{addr}/  （{:.1} 秒）",
            started.elapsed().as_secs_f64()
        );
        outln!("公众网上申请：http://{addr}/public");
        outln!("数据库：{}", redact(&db));
        if let Some(d) = &demo {
            outln!(
                "演示数据（虚构，退出后删除）：{} 件案件。登录名（密码均为 {}）：",
                d.cases,
                gongkai_office::demo::DEMO_PASSWORD
            );
            for l in &d.logins {
                outln!("  {:<10} {}，{}", l.login, l.role.label(), l.agency);
            }
        } else if empty {
            outln!("数据库中还没有机关和用户：可先用 --demo 试用。");
        }
        outln!("按 Ctrl-C 停止。");
        let state = AppState {
            office,
            secure_cookies: args.secure_cookies,
            demo: demo.is_some(),
            behind_proxy: args.behind_proxy,
        };
        let store = state.office.store.clone();
        gongkai_web::serve(listener, state)
            .await
            .map_err(|e| format!("服务异常停止：{}", io_cause(&e)))?;
        store.close().await;
        Ok(())
    })
}

fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((user, host)) => {
                format!("{scheme}://{}@{host}", user.split(':').next().unwrap_or(""))
            }
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

fn io_cause(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "文件或目录不存在".into(),
        PermissionDenied => "没有权限".into(),
        AddrInUse => "端口已被占用（换一个 --listen 端口，或先停止占用它的程序）".into(),
        AddrNotAvailable => "本机没有这个地址".into(),
        AlreadyExists => "已存在".into(),
        _ => format!("{e}"),
    }
}

pub fn run_backup(args: &BackupArgs) -> u8 {
    let result = (|| -> Result<(), String> {
        let rt = runtime()?;
        rt.block_on(async {
            let store = Store::open_existing(&args.db)
                .await
                .map_err(|e| e.to_string())?;
            store
                .backup_to(&args.output)
                .await
                .map_err(|e| e.to_string())?;
            store.close().await;
            Ok(())
        })
    })();
    match result {
        Ok(()) => {
            errln!("已备份到 {}", args.output);
            0
        }
        Err(e) => {
            errln!("备份失败：{e}");
            2
        }
    }
}

pub fn run_restore(args: &RestoreArgs) -> u8 {
    let result = (|| -> Result<(), String> {
        if !args.backup.is_file() {
            return Err(format!("备份文件不存在：{}", args.backup.display()));
        }
        if args.db.exists() {
            return Err(format!(
                "{} 已存在：为免覆盖现有数据，请先停止服务并移走该文件",
                args.db.display()
            ));
        }
        // The backup must open as a gongkai database before it replaces anything.
        let rt = runtime()?;
        let tmp = args.db.with_extension("restoring");
        std::fs::copy(&args.backup, &tmp).map_err(|e| format!("无法复制备份：{}", io_cause(&e)))?;
        let check = rt.block_on(async {
            let store = Store::open(&tmp.to_string_lossy())
                .await
                .map_err(|e| e.to_string())?;
            let n = store.agencies().await.map_err(|e| e.to_string())?.len();
            store.close().await;
            Ok::<usize, String>(n)
        });
        match check {
            Ok(n) => {
                std::fs::rename(&tmp, &args.db)
                    .map_err(|e| format!("无法写入 {}：{}", args.db.display(), io_cause(&e)))?;
                errln!("已恢复到 {}（{n} 个机关）", args.db.display());
                Ok(())
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(format!("备份文件无法作为数据库打开：{e}"))
            }
        }
    })();
    match result {
        Ok(()) => 0,
        Err(e) => {
            errln!("恢复失败：{e}");
            2
        }
    }
}
