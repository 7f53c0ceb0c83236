//! A bounded fuzz run of the PDF path, in process, on a stable toolchain (cargo-fuzz
//! needs nightly): the PDFs of `tests/fixtures` (published, converted, crafted) are
//! mutated — bytes flipped, set to interesting values, runs deleted, duplicated or
//! spliced from another seed, PDF tokens inserted — and each result is read the way
//! `ingest` reads a file ([`gongkai_dataset::prepare_file`]: sniff, the PDF engine, the
//! template reader, the rules), and through the PDF engine alone. A panic is a failure
//! (the reader must turn bad input into an error value). The executions run in worker
//! processes: an abort or a stack overflow ends a worker, the execution that was at
//! work is recorded and a new worker goes on after it; an execution over the hang
//! limit is reported by a watchdog and skipped the same way. The run fails if any
//! input panicked, aborted or hung.
//!
//!     cargo bench -p gongkai-dataset --bench pdf_fuzz                  # 300 s
//!     cargo bench -p gongkai-dataset --bench pdf_fuzz -- --seconds 60 --seed 7
//!     cargo bench -p gongkai-dataset --bench pdf_fuzz -- --replay 12345 --seed 7
//!
//! Every input is a function of (seed, execution number): `--replay N` runs
//! execution N alone and writes its bytes to `pdf-fuzz-N.pdf`; after an abort,
//! `pdf-fuzz-last` holds the number of the execution that was at work.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Holds the number of the execution at work (for an abort, which says nothing).
const LAST: &str = "pdf-fuzz-last";

/// An execution taking longer than this is a hang.
const HANG: Duration = Duration::from_secs(20);

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64, so that nearby seeds give unrelated streams.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b"obj",
    b"endobj",
    b"stream\n",
    b"endstream",
    b"<<",
    b">>",
    b"[",
    b"]",
    b"/Type",
    b"/Page",
    b"/Pages",
    b"/Kids",
    b"/Contents",
    b"/Length 0",
    b"/Length 99999999",
    b"/Filter /FlateDecode",
    b"/ObjStm",
    b"/XRef",
    b"xref\n0 1\n",
    b"trailer",
    b"startxref",
    b"1 0 R",
    b"0 0 R",
    b"99999 0 R",
    b"BT",
    b"ET",
    b"Tj",
    b"TJ",
    b"Tf",
    b"Td",
    b"Tm",
    b"/Font",
    b"/ToUnicode",
    b"/Encoding /Identity-H",
    b"beginbfchar",
    b"endbfchar",
    b"(\\",
    b"<FEFF",
    b"-1",
    b"4294967296",
    b"1e308",
    b"%%EOF",
];

const INTERESTING: &[u8] = &[
    0, 1, 0x7f, 0x80, 0xff, b'(', b')', b'<', b'>', b'/', b'\\', b'\n',
];

fn mutate(seeds: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        let len = data.len().max(1);
        match rng.below(8) {
            0 => {
                let i = rng.below(len);
                if let Some(b) = data.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                let i = rng.below(len);
                if let Some(b) = data.get_mut(i) {
                    *b = INTERESTING[rng.below(INTERESTING.len())];
                }
            }
            2 => {
                // Delete a run.
                let i = rng.below(len);
                let n = 1 + rng.below(256);
                let end = (i + n).min(data.len());
                if i < end {
                    data.drain(i..end);
                }
            }
            3 => {
                // Duplicate a run in place (nesting, repeated objects).
                let i = rng.below(len);
                let n = 1 + rng.below(512);
                let end = (i + n).min(data.len());
                if i < end {
                    let run = data[i..end].to_vec();
                    let at = rng.below(data.len() + 1);
                    data.splice(at..at, run);
                }
            }
            4 => {
                // Splice a run from another seed.
                let other = &seeds[rng.below(seeds.len())];
                let i = rng.below(other.len().max(1));
                let n = 1 + rng.below(1024);
                let end = (i + n).min(other.len());
                let at = rng.below(data.len() + 1);
                if i < end {
                    data.splice(at..at, other[i..end].iter().copied());
                }
            }
            5 | 6 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(data.len() + 1);
                data.splice(at..at, t.iter().copied());
            }
            _ => {
                // Truncate.
                let keep = rng.below(len);
                data.truncate(keep.max(16));
            }
        }
    }
    data
}

fn seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut paths: Vec<PathBuf> = Vec::new();
    for dir in [
        root.clone(),
        root.join("pdf"),
        root.join("crafted"),
        root.join("converted"),
    ] {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "pdf") {
                    paths.push(p);
                }
            }
        }
    }
    paths.sort();
    // Large seeds make every execution slow; the engine's paths are in the small ones too.
    paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .filter(|b| b.len() <= 400_000)
        .collect()
}

fn arg(args: &[String], name: &str) -> Option<u64> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

/// One input through both paths; `false` when a reader panicked (`prepare_file`
/// catches its panics and records them as 读取程序内部错误).
fn run_one(data: &[u8]) -> bool {
    let hash = gongkai_dataset::content_hash(data);
    let file = gongkai_dataset::prepare_file("fuzz.pdf", data, hash);
    let caught = file
        .failures
        .iter()
        .any(|f| f.category == "读取程序内部错误");
    if let Ok(doc) = gongkai_extract::pdf::read_pdf(data)
        && let Ok(r) = gongkai_extract::read_report("fuzz.pdf", &doc)
    {
        let _ = gongkai_report::check(&r);
    }
    !caught
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds = arg(&args, "--seconds").unwrap_or(300);
    let max_execs = arg(&args, "--execs").unwrap_or(u64::MAX);
    let seed = arg(&args, "--seed").unwrap_or(1);
    let seeds = seeds();
    assert!(!seeds.is_empty(), "no seed PDFs found");
    let input = |n: u64| mutate(&seeds, &mut Rng::new(seed.wrapping_mul(1_000_003) ^ n));

    if let Some(n) = arg(&args, "--replay") {
        let data = input(n);
        let out = format!("pdf-fuzz-{n}.pdf");
        std::fs::write(&out, &data).expect("write the input");
        println!("execution {n} (seed {seed}): {} bytes → {out}", data.len());
        if run_one(&data) {
            println!("no panic, no abort");
        } else {
            println!("a reader panicked");
        }
        return;
    }

    if args.iter().any(|a| a == "--worker") {
        let from = arg(&args, "--from").unwrap_or(0);
        worker(&seeds, seed, from, seconds, max_execs);
        return;
    }
    supervise(&args, seeds.len(), seed, seconds, max_execs);
}

/// Runs workers (this program again, `--worker`) until the time or the executions are
/// used up. A worker that aborts (a stack overflow) is recorded with the execution
/// that was at work, and the next worker goes on after it.
fn supervise(args: &[String], seeds: usize, seed: u64, seconds: u64, max_execs: u64) {
    println!("PDF fuzz: {seeds} seed PDFs, seed {seed}, at most {seconds} s");
    let t0 = Instant::now();
    let (mut from, mut execs, mut panics) = (0u64, 0u64, 0u64);
    let mut aborts: Vec<u64> = Vec::new();
    let mut hangs: Vec<u64> = Vec::new();
    while t0.elapsed() < Duration::from_secs(seconds) && execs < max_execs {
        let left = seconds.saturating_sub(t0.elapsed().as_secs()).max(1);
        let _ = std::fs::remove_file(LAST);
        let out = std::process::Command::new(&args[0])
            .args([
                "--worker",
                "--seed",
                &seed.to_string(),
                "--from",
                &from.to_string(),
            ])
            .args(["--seconds", &left.to_string()])
            .args(["--execs", &(max_execs - execs).to_string()])
            .stderr(std::process::Stdio::null())
            .output()
            .expect("start a worker");
        let text = String::from_utf8_lossy(&out.stdout);
        print!(
            "{}",
            text.lines()
                .filter(|l| !l.starts_with("DONE "))
                .map(|l| format!("{l}\n"))
                .collect::<String>()
        );
        if let Some(done) = text.lines().find_map(|l| l.strip_prefix("DONE ")) {
            let mut f = done.split(' ').filter_map(|x| x.parse::<u64>().ok());
            let (n, p) = (f.next().unwrap_or(0), f.next().unwrap_or(0));
            execs += n;
            panics += p;
            if out.status.code() == Some(3) {
                // A hang: the worker said which execution.
                hangs.push(from + n);
                execs += 1;
                from += n + 1;
                continue;
            }
            break;
        }
        // Ended without its last line: an abort at the execution on disk.
        let Some(last) = std::fs::read_to_string(LAST)
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
        else {
            println!("a worker ended without a word: {:?}", out.status);
            std::process::exit(2);
        };
        println!(
            "  ABORT at execution {last} ({:?}); replay with --replay {last} --seed {seed}",
            out.status
        );
        aborts.push(last);
        execs += last + 1 - from;
        from = last + 1;
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{execs} executions in {secs:.0} s ({:.0}/s): {panics} panics, {} aborts {:?}, {} hangs {:?}",
        execs as f64 / secs,
        aborts.len(),
        &aborts[..aborts.len().min(20)],
        hangs.len(),
        &hangs[..hangs.len().min(20)]
    );
    if panics > 0 || !aborts.is_empty() || !hangs.is_empty() {
        std::process::exit(1);
    }
}

/// Executions `from`, `from + 1`, … in this process, until the time or the count is
/// used up; the last line is `DONE executed panics`.
fn worker(seeds: &[Vec<u8>], seed: u64, from: u64, seconds: u64, max_execs: u64) {
    let input = |n: u64| mutate(seeds, &mut Rng::new(seed.wrapping_mul(1_000_003) ^ n));
    // Panics are counted, not printed one by one.
    std::panic::set_hook(Box::new(|_| {}));
    let from_at_start = from;
    let current = Arc::new(AtomicU64::new(from));
    let started_at = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    {
        let (current, started_at) = (current.clone(), started_at.clone());
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let since = t0.elapsed().as_millis() as u64 - started_at.load(Ordering::SeqCst);
                if since > HANG.as_millis() as u64 {
                    let n = current.load(Ordering::SeqCst);
                    println!(
                        "  HANG: execution {n} ran over {} s; replay with --replay {n} --seed {seed}",
                        HANG.as_secs()
                    );
                    println!("DONE {} {}", n - from_at_start, 0);
                    std::process::exit(3);
                }
            }
        });
    }
    let deadline = Duration::from_secs(seconds);
    let (mut execs, mut panics, mut bytes) = (0u64, Vec::new(), 0u64);
    let mut slowest = (Duration::ZERO, 0u64);
    let mut next_report = Duration::from_secs(10);
    while t0.elapsed() < deadline && execs < max_execs {
        let n = from + execs;
        let data = input(n);
        bytes += data.len() as u64;
        current.store(n, Ordering::SeqCst);
        // An abort (a stack overflow) leaves no chance to say which input it was: the
        // number is on disk before each execution.
        let _ = std::fs::write(LAST, n.to_string());
        started_at.store(t0.elapsed().as_millis() as u64, Ordering::SeqCst);
        let one = Instant::now();
        if !std::panic::catch_unwind(|| run_one(&data)).unwrap_or(false) {
            panics.push(n);
        }
        let took = one.elapsed();
        if took > slowest.0 {
            slowest = (took, n);
        }
        execs += 1;
        if t0.elapsed() >= next_report {
            println!(
                "  {:>4.0} s: {execs} executions (last {n}), {} panics",
                t0.elapsed().as_secs_f64(),
                panics.len()
            );
            next_report += Duration::from_secs(10);
        }
    }
    if !panics.is_empty() {
        println!(
            "  panicking executions (replay with --replay N --seed {seed}): {:?}",
            &panics[..panics.len().min(20)]
        );
    }
    println!(
        "  this worker: {execs} executions from {from}, {:.1} MiB of input, slowest {:.2} s (execution {})",
        bytes as f64 / (1 << 20) as f64,
        slowest.0.as_secs_f64(),
        slowest.1
    );
    println!("DONE {execs} {}", panics.len());
}
