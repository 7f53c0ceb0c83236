//! The PDF path: any bytes made to look like a PDF (header and end marker added, so
//! the input reaches the engine instead of the early refusals), through the reader
//! and the rules: must never panic, abort or hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend_from_slice(data);
    pdf.extend_from_slice(b"\n%%EOF\n");
    if let Ok(doc) = gongkai_extract::pdf::read_pdf(&pdf) {
        if let Ok(r) = gongkai_extract::read_report("fuzz.pdf", &doc) {
            let _ = gongkai_report::check(&r);
        }
    }
});
