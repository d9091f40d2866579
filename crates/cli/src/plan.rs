//! `tbt plan FILE [--test NAME]`: the query plan of a file's tests, like SQL's EXPLAIN.
//!
//! Each test is an indented tree: its trigger, its bindings, and for every assertion the
//! operators the engine runs (filters with their cost-ordered predicates and access path,
//! joins, pseudo-classes, quantifiers, aggregates, ordering chains). A file with errors is
//! not planned: its diagnostics are printed and the exit code is 1.

use crate::check::{OK, USAGE};
use crate::cli::{ColorChoice, PlanArgs};
use crate::eval::{load_checked, matching_tests};

/// Runs `tbt plan` and returns the exit code.
pub fn run(args: &PlanArgs) -> i32 {
    let (db, file) = match load_checked(&args.file, ColorChoice::Auto) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let plan = tbt_plan::plan_file(&db, file);
    let tests = match matching_tests(&plan, args.test.as_deref()) {
        Ok(tests) => tests,
        Err(message) => {
            eprintln!("error: {message}");
            return USAGE;
        }
    };
    let mut out = String::new();
    if args.test.is_none() && !plan.constants.is_empty() {
        let all = tbt_plan::explain(&tbt_plan::FilePlan {
            tests: Vec::new(),
            ..plan.clone()
        });
        out.push_str(&all);
    }
    for (i, test) in tests.iter().enumerate() {
        if i > 0 || !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&tbt_plan::explain_test(&plan, test));
    }
    print!("{out}");
    OK
}
