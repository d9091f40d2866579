//! `tbt run`: the orchestration of triggers, trace collection, evaluation and reports.
