//! Any bytes through the whole reader and the rules: must never panic or hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    for (_, r) in gongkai_extract::read_all("fuzz", data) {
        if let Ok(x) = r {
            let _ = gongkai_report::check(&x.report);
        }
    }
});
