//! `tbt fmt`: rewrite files in the canonical layout, or check that they are.

use crate::cli::FmtArgs;
pub fn run(_args: &FmtArgs) -> i32 { 2 }
