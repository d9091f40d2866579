//! Why an evaluation stopped.

/// An evaluation that did not produce a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// The value is not available offline (the response, an output of a test that did not
    /// run): the assertion is skipped.
    Skip(String),
    /// The evaluation failed (an unset environment variable, an overflow, a body that is not
    /// JSON): the assertion fails with this message.
    Fail(String),
}

impl EvalError {
    /// The message.
    pub fn message(&self) -> &str {
        match self {
            EvalError::Skip(m) | EvalError::Fail(m) => m,
        }
    }
}

/// A result of evaluation.
pub type R<T> = Result<T, EvalError>;
