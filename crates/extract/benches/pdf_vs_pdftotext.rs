//! CPU time of reading + checking a PDF against poppler's `pdftotext -layout` on the
//! same files, side by side in one run. Run:
//! `cargo bench -p gongkai-extract --bench pdf_vs_pdftotext`.
//!
//! CPU time, not wall time: ours is this process's user + system time, poppler's is
//! the waited-for children's (both from /proc/self/stat), so process start-up and
//! waiting do not count against either. Linux only.

use std::process::Command;

/// (own CPU seconds, children's CPU seconds) so far.
fn cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').expect("stat") + 2..];
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // utime, stime, cutime, cstime are fields 14–17 (1-based); `rest` starts at field 3.
    let tick = 100.0;
    ((f[11] + f[12]) / tick, (f[13] + f[14]) / tick)
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let files = [
        "huaian-2024.pdf",
        "pdf/qingtongxia-2021.pdf",
        "pdf/pingtan-2023.pdf",
        "pdf/pingtan-2023-repeated-header.pdf",
    ];
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("pdftotext 未安装（poppler-utils），无法对比");
        return;
    }
    let n = 40;
    let (mut ours_total, mut theirs_total) = (0.0, 0.0);
    for name in files {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).expect("fixture");
        let (a0, _) = cpu();
        for _ in 0..n {
            let r = gongkai_extract::read_bytes(name, &bytes).expect("reads");
            std::hint::black_box(gongkai_report::check(&r));
        }
        let (a1, c0) = cpu();
        for _ in 0..n {
            let out = Command::new("pdftotext")
                .args(["-layout", path.to_str().unwrap(), "-"])
                .output()
                .expect("pdftotext");
            std::hint::black_box(out.stdout.len());
        }
        let (_, c1) = cpu();
        let (ours, theirs) = ((a1 - a0) / n as f64, (c1 - c0) / n as f64);
        ours_total += ours;
        theirs_total += theirs;
        println!(
            "{name:40} gongkai {:>7.1} ms CPU  pdftotext -layout {:>7.1} ms CPU  ratio {:.2}",
            ours * 1e3,
            theirs * 1e3,
            ours / theirs
        );
    }
    println!(
        "all files: ratio {:.2} (gongkai read + check CPU / pdftotext -layout CPU; aim ≤ 0.6)",
        ours_total / theirs_total
    );
}
