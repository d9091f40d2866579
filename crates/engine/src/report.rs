//! What a run reports: a verdict per test and per assertion, with evidence.

use tbt_diagnostics::TextRange;
use tbt_trace::SpanIdx;

/// The outcome of an assertion or a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// It held.
    Pass,
    /// It did not hold, or could not be evaluated.
    Fail,
    /// It could not run offline (it needs the response, or an output of a test that did not
    /// run).
    Skip,
}

impl Verdict {
    /// `pass`, `fail` or `skip`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Skip => "skip",
        }
    }
}

/// An operand's value in a failure: the expression as written and what it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operand {
    /// The expression (source text).
    pub expr: String,
    /// Its value, as shown (`<missing>` when absent).
    pub value: String,
}

/// One span (or the test as a whole) that violated an assertion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The span, for span blocks.
    pub span: Option<SpanIdx>,
    /// The statement that failed (inside a span block, the nested statement).
    pub range: TextRange,
    /// What went wrong.
    pub message: String,
    /// The operands' values.
    pub values: Vec<Operand>,
}

/// Whether an assertion is an `expect` or a span block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssertionKind {
    /// `expect EXPR`.
    Expect,
    /// `SELECTION { ... }`, quantified or not.
    Block,
}

/// The verdict of one assertion with its evidence.
#[derive(Clone, Debug)]
pub struct AssertionReport {
    /// The assertion's number in its file plan.
    pub id: u32,
    /// `expect` or block.
    pub kind: AssertionKind,
    /// The statement's range.
    pub range: TextRange,
    /// The verdict.
    pub verdict: Verdict,
    /// A one-line summary: what was expected and what was found, or why it was skipped.
    pub message: String,
    /// Operand values (expected vs actual).
    pub values: Vec<Operand>,
    /// The spans the assertion selected (at most [`crate::Options::max_spans`]).
    pub selected: Vec<SpanIdx>,
    /// How many spans it selected in all.
    pub selected_count: usize,
    /// The spans (or statements) that violated it, at most `max_spans`.
    pub violations: Vec<Violation>,
    /// How many violations there were in all.
    pub violation_count: usize,
}

/// The verdict of one test.
#[derive(Clone, Debug)]
pub struct TestReport {
    /// The test's name.
    pub name: String,
    /// Its suite, if any.
    pub suite: Option<String>,
    /// Its range.
    pub range: TextRange,
    /// Fail when an assertion failed; skip when every assertion was skipped (or an earlier
    /// test of its suite failed); pass otherwise.
    pub verdict: Verdict,
    /// Why the test as a whole was skipped or restricted, if it was.
    pub note: Option<String>,
    /// The assertions, in source order.
    pub assertions: Vec<AssertionReport>,
    /// The outputs it published: name and value as shown.
    pub outputs: Vec<(String, String)>,
}

impl TestReport {
    /// How many assertions had each verdict: (passed, failed, skipped).
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |v| self.assertions.iter().filter(|a| a.verdict == v).count();
        (
            count(Verdict::Pass),
            count(Verdict::Fail),
            count(Verdict::Skip),
        )
    }
}
