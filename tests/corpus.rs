//! The golden corpus: every file under `tests/corpus/` run through every phase, snapshotted.
