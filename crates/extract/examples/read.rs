//! Reads files as `gongkai check` would and prints, per file, what was read and how
//! many findings: for measuring memory and time on big inputs by hand
//! (`/usr/bin/time -v target/release/examples/read FILE`).

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match gongkai_extract::read_path(path.as_ref()) {
            Ok(b) => b,
            Err(e) => {
                println!("{path}: {e}");
                continue;
            }
        };
        for (name, r) in gongkai_extract::read_all(&path, &bytes) {
            match r {
                Ok(x) => {
                    let found = x.report.cells.values().filter(|c| c.is_found()).count();
                    let f = gongkai_report::check(&x.report);
                    println!(
                        "{name}: {} {:?} {:?}, {found} cells found, {} findings",
                        x.format.name(),
                        x.report.agency,
                        x.report.year,
                        f.len()
                    );
                }
                Err(e) => println!("{name}: {e}"),
            }
        }
    }
}
