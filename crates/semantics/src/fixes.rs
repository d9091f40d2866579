//! Applying fixes: which are safe to apply without asking (`tbt check --fix`), and applying
//! them to a text.
//!
//! Every fix is offered to editors as a code action. `--fix` applies only the fixes whose
//! result is certain: a deprecated attribute's rename, and the syntax fixes of the parser.
//! "Did you mean" replacements and the `ms` added to a unit-less duration are suggestions: the
//! closest name is not always the intended one, and only the author knows the unit.

use tbt_diagnostics::{Code, Diagnostic, TextEdit, codes};

/// The codes whose fixes are suggestions, never applied by `--fix`.
pub const SUGGESTION_ONLY: &[Code] = &[
    codes::DURATION_WITHOUT_UNIT,
    codes::UNDEFINED_NAME,
    codes::VALUE_NOT_IN_ENUM,
    codes::UNKNOWN_FUNCTION,
    codes::UNKNOWN_RESPONSE_FIELD,
    codes::UNKNOWN_ATTRIBUTE,
    codes::UNKNOWN_SERVICE,
    codes::VALUE_NOT_IN_OPEN_ENUM,
    codes::UNDEFINED_ENV,
];

/// Whether `--fix` may apply the fixes of this diagnostic.
pub fn is_machine_applicable(diagnostic: &Diagnostic) -> bool {
    !diagnostic.fixes.is_empty() && !SUGGESTION_ONLY.contains(&diagnostic.code)
}

/// Applies the first fix of every machine-applicable diagnostic whose edits overlap no edit
/// already taken, from the end of the text backwards. Returns the new text and the number of
/// fixes applied (0 and the same text when none applies).
pub fn apply(text: &str, diagnostics: &[Diagnostic]) -> (String, usize) {
    let mut fixes: Vec<&Vec<TextEdit>> = diagnostics
        .iter()
        .filter(|d| is_machine_applicable(d))
        .filter_map(|d| d.fixes.first().map(|f| &f.edits))
        .filter(|edits| !edits.is_empty())
        .collect();
    // Later fixes first, so that earlier ranges stay valid.
    fixes.sort_by_key(|edits| {
        std::cmp::Reverse(edits.iter().map(|e| e.range.start).min().unwrap_or(0))
    });
    let mut taken: Vec<TextEdit> = Vec::new();
    let mut applied = 0;
    for edits in fixes {
        let overlaps = edits.iter().any(|e| {
            taken.iter().any(|t| {
                e.range.start < t.range.end && t.range.start < e.range.end
                    || (e.range.is_empty() || t.range.is_empty()) && e.range.start == t.range.start
            })
        });
        let in_bounds = edits.iter().all(|e| {
            (e.range.end as usize) <= text.len()
                && text.is_char_boundary(e.range.start as usize)
                && text.is_char_boundary(e.range.end as usize)
        });
        if overlaps || !in_bounds {
            continue;
        }
        taken.extend(edits.iter().cloned());
        applied += 1;
    }
    taken.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
    let mut out = text.to_string();
    for edit in &taken {
        out.replace_range(edit.range.to_usize(), &edit.replacement);
    }
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tbt_diagnostics::TextRange;

    #[test]
    fn applies_from_the_end_and_skips_overlaps_and_suggestions() {
        let text = "abc def ghi";
        let d = |range: TextRange, to: &str| {
            Diagnostic::new(codes::DEPRECATED_ATTRIBUTE, range, "x").with_fix("fix", range, to)
        };
        let diagnostics = vec![
            d(TextRange::new(0, 3), "ABC"),
            d(TextRange::new(8, 11), "GHI"),
            d(TextRange::new(9, 10), "H"),
            Diagnostic::new(codes::DURATION_WITHOUT_UNIT, TextRange::new(4, 7), "x").with_fix(
                "add",
                TextRange::empty(7),
                "ms",
            ),
        ];
        let (out, n) = apply(text, &diagnostics);
        assert_eq!(out, "ABC def gHi");
        assert_eq!(n, 2);
    }
}
