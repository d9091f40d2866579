//! Trace backends as sources: fetch a stored trace by id from Jaeger or Tempo.
