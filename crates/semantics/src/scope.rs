//! Lexical scopes of `let` and `output` bindings.

use crate::analysis::{BindingKind, Target};
use crate::ty::Ty;
use smol_str::SmolStr;
use tbt_diagnostics::TextRange;

/// A bound name.
#[derive(Clone, Debug)]
pub(crate) struct Binding {
    pub name: SmolStr,
    pub ty: Ty,
    pub target: Target,
}

impl Binding {
    /// A `let` or `output` of the file being checked.
    pub fn local(name: SmolStr, range: TextRange, ty: Ty, kind: BindingKind) -> Self {
        Binding {
            name,
            ty,
            target: Target::Local { kind, range },
        }
    }

    /// Where the binding is defined, when it is in this file.
    pub fn local_range(&self) -> Option<TextRange> {
        match self.target {
            Target::Local { range, .. } => Some(range),
            _ => None,
        }
    }
}

/// What kind of block a frame is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Frame {
    /// Constants of imported files.
    Imports,
    File,
    Suite,
    Test,
    Block,
}

/// A stack of frames, innermost last.
#[derive(Default)]
pub(crate) struct Scopes {
    frames: Vec<(Frame, Vec<Binding>)>,
}

impl Scopes {
    pub fn push(&mut self, frame: Frame) {
        self.frames.push((frame, Vec::new()));
    }

    pub fn pop(&mut self) -> Vec<Binding> {
        self.frames.pop().map(|(_, b)| b).unwrap_or_default()
    }

    /// Binds in the innermost frame; returns the earlier binding of the same name in that frame.
    pub fn bind(&mut self, binding: Binding) -> Option<Binding> {
        let frame = &mut self.frames.last_mut()?.1;
        let earlier = frame.iter().find(|b| b.name == binding.name).cloned();
        frame.push(binding);
        earlier
    }

    /// Binds in the innermost frame of kind `kind`.
    pub fn bind_in(&mut self, kind: Frame, binding: Binding) {
        if let Some((_, frame)) = self.frames.iter_mut().rev().find(|(k, _)| *k == kind) {
            frame.push(binding);
        }
    }

    /// The visible binding called `name`.
    pub fn lookup(&self, name: &str) -> Option<&Binding> {
        self.frames
            .iter()
            .rev()
            .flat_map(|(_, frame)| frame.iter().rev())
            .find(|b| b.name == name)
    }

    /// Every visible name, for "did you mean".
    pub fn names(&self) -> Vec<&str> {
        self.frames
            .iter()
            .flat_map(|(_, frame)| frame.iter().map(|b| b.name.as_str()))
            .collect()
    }
}
