//! The campaign file reader and validator: any bytes, read as JSON and as TOML, end in a
//! campaign or a list of problems, never a panic.
#![no_main]

use guarantor_domain::{FileFormat, parse_campaign};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_campaign(text, FileFormat::Json);
        let _ = parse_campaign(text, FileFormat::Toml);
    }
});
