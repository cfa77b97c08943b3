//! The strict JSON reader every API body and campaign file goes through: any bytes end in a
//! value, a syntax error or a duplicate key named with its path, never a panic; and a value it
//! accepts has no key twice.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = guarantor_domain::json::parse_strict_bytes(data) {
        // What it accepts is also what serde_json alone reads (it only refuses more).
        let plain: serde_json::Value = match std::str::from_utf8(data) {
            Ok(text) => serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
                .expect("serde_json reads what the strict reader accepts"),
            Err(_) => unreachable!("accepted bytes are UTF-8"),
        };
        assert_eq!(value, plain);
    }
});
