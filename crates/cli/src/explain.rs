//! `tbt explain CODE`: the long description of a diagnostic code.

use crate::cli::ExplainArgs;
use tbt_diagnostics::codes::{CODES, Code};

/// Prints the explanation of a code, or the list of codes.
pub fn run(args: &ExplainArgs) -> i32 {
    let Some(text) = &args.code else {
        for info in CODES {
            println!("{}  {:<28} {}", info.code, info.name, info.summary);
        }
        return 0;
    };
    let Some(code) = Code::parse(text) else {
        eprintln!("error: `{text}` is not a tbt diagnostic code; `tbt explain` lists them");
        return 2;
    };
    let info = code.info();
    println!(
        "{} {}: {}\n\n{}",
        info.code, info.name, info.summary, info.explanation
    );
    if !info.example.is_empty() {
        println!("\nExample:\n");
        for line in info.example.lines() {
            println!("    {line}");
        }
    }
    0
}
