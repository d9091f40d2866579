//! The tbt language server. Only this crate speaks the protocol.
