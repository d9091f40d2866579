//! The triggers of `tbt run`: they start the system under test with a fresh W3C trace context.
