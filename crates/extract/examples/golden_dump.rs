// Scratch: dumps every report and its findings for comparing outputs before/after.
fn main() {
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    fn walk(d: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let mut es: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        es.sort();
        for p in es {
            if p.is_dir() {
                walk(&p, out)
            } else {
                out.push(p)
            }
        }
    }
    for a in std::env::args().skip(1) {
        walk(a.as_ref(), &mut paths);
    }
    for p in paths {
        let bytes = std::fs::read(&p).unwrap();
        let name = p.display().to_string();
        for (n, r) in gongkai_extract::read_all(&name, &bytes) {
            match r {
                Ok(x) => {
                    let f = gongkai_report::check(&x.report);
                    println!("== {n}\n{:#?}\n{:#?}", x.report, f);
                }
                Err(e) => println!("== {n}\nERR {e:?}"),
            }
        }
    }
}
