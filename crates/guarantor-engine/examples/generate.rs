//! Writes a generated campaign (the one the benches and property tests use) as a campaign file,
//! so that other tools (the PuLP + CBC reference model in `tools/reference/`) can read it.
//!
//! `cargo run -p guarantor-engine --example generate -- RESPONDENTS OFFERS REQUIREMENTS SEED`
//! prints canonical JSON to standard output.

use guarantor_engine::generate;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse().unwrap_or_else(|_| {
                eprintln!("usage: generate RESPONDENTS OFFERS REQUIREMENTS SEED (whole numbers)");
                std::process::exit(2)
            })
        })
        .collect();
    let [respondents, offers_per_respondent, requirements, seed] = args[..] else {
        eprintln!("usage: generate RESPONDENTS OFFERS REQUIREMENTS SEED");
        std::process::exit(2)
    };
    let size = generate::Size {
        respondents,
        offers_per_respondent,
        requirements,
    };
    print!("{}", generate::campaign(size, seed as u64).to_json());
}
