//! Lowering: from a checked syntax tree to the plan IR.
//!
//! Names are resolved through the checker's resolutions (by range), not again: a `let` or
//! `output` of the file becomes the slot of its defining name, a constant of another file is
//! lowered from that file's tree (with that file's resolutions) on first use.

mod expr;
mod sel;
mod stmt;

use crate::ir::{Expr, ExprKind, FilePlan, LetPlan, SelId, SlotId, SlotInfo, SlotKind, TestPlan};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tbt_db::{Db, File};
use tbt_diagnostics::TextRange;
use tbt_semantics::{Target, Ty};
use tbt_syntax::ast::{self, Stmt};

/// Plans a file.
pub(crate) fn plan(db: &dyn Db, file: File) -> FilePlan {
    let mut shared = Shared::default();
    let path = file.path(db).to_path_buf();
    let text: Arc<str> = Arc::from(file.text(db).as_str());
    let tree = &tbt_db::parse(db, file).file;
    let mut lowerer = Lowerer {
        db,
        shared: &mut shared,
        fcx: FileCx::new(db, file),
    };
    // The file's constants first, in order: every test may read them.
    for item in &tree.items {
        if let Stmt::Let(binding) = item {
            lowerer.constant(binding);
        }
    }
    let mut tests = Vec::new();
    for item in &tree.items {
        match item {
            Stmt::Test(test) => tests.push(lowerer.test(test, None, &[])),
            Stmt::Suite(suite) => tests.extend(lowerer.suite(suite)),
            _ => {}
        }
    }
    FilePlan {
        path: path.display().to_string(),
        text,
        constants: std::mem::take(&mut shared.constants),
        slots: std::mem::take(&mut shared.slots),
        tests,
        selections: shared.next_sel,
    }
}

/// State shared by the lowering of a file and of the constants it imports.
#[derive(Default)]
struct Shared {
    slots: Vec<SlotInfo>,
    constants: Vec<LetPlan>,
    /// Slots by (file, range of the defining name).
    by_def: HashMap<(PathBuf, u32, u32), SlotId>,
    /// Constants being lowered (a cycle gives an invalid value, not a stack overflow).
    lowering: HashSet<(PathBuf, u32, u32)>,
    /// Slots that hold selections.
    selections: HashSet<SlotId>,
    next_sel: SelId,
    next_assertion: u32,
}

impl Shared {
    fn slot(&mut self, name: &str, kind: SlotKind, range: TextRange) -> SlotId {
        self.slots.push(SlotInfo {
            name: name.into(),
            kind,
            range,
        });
        (self.slots.len() - 1) as SlotId
    }

    fn is_block_slot(&self, slot: SlotId) -> bool {
        self.slots
            .get(slot as usize)
            .is_some_and(|s| s.kind == SlotKind::BlockLet)
    }
}

/// What the checker found in one file, by range.
struct FileCx {
    path: PathBuf,
    resolutions: HashMap<(u32, u32), Target>,
    types: HashMap<(u32, u32), Ty>,
}

impl FileCx {
    fn new(db: &dyn Db, file: File) -> FileCx {
        let check = tbt_db::check(db, file);
        let resolutions = check
            .resolutions()
            .map(|r| ((r.range.start, r.range.end), r.target))
            .collect();
        let types = check
            .types()
            .map(|(r, ty)| ((r.start, r.end), ty.clone()))
            .collect();
        FileCx {
            path: file.path(db).to_path_buf(),
            resolutions,
            types,
        }
    }

    fn target(&self, range: TextRange) -> Option<&Target> {
        self.resolutions.get(&(range.start, range.end))
    }

    fn ty(&self, range: TextRange) -> Option<&Ty> {
        self.types.get(&(range.start, range.end))
    }
}

/// Where an expression is lowered.
#[derive(Clone, Copy, Debug, Default)]
struct Cx {
    /// Bare names are attributes of the current span.
    span: bool,
    /// Bare names are fields of the current list item.
    item: bool,
    /// Inside a span block (its `let`s are per span).
    block: bool,
}

struct Lowerer<'a> {
    db: &'a dyn Db,
    shared: &'a mut Shared,
    fcx: FileCx,
}

impl Lowerer<'_> {
    /// A new selection id.
    fn sel_id(&mut self) -> SelId {
        self.shared.next_sel += 1;
        self.shared.next_sel - 1
    }

    fn assertion_id(&mut self) -> u32 {
        self.shared.next_assertion += 1;
        self.shared.next_assertion - 1
    }

    /// Binds `name` (defined at `range` of this file) to a new slot.
    fn bind(&mut self, name: &ast::Name, kind: SlotKind) -> SlotId {
        let slot = self.shared.slot(&name.text, kind, name.range);
        self.shared.by_def.insert(
            (self.fcx.path.clone(), name.range.start, name.range.end),
            slot,
        );
        slot
    }

    /// The slot a name refers to, if it is a binding.
    fn binding(&mut self, name: &ast::Name) -> Option<SlotId> {
        match self.fcx.target(name.range)?.clone() {
            Target::Local { range, .. } => self
                .shared
                .by_def
                .get(&(self.fcx.path.clone(), range.start, range.end))
                .copied(),
            Target::Constant(at) => Some(self.imported(&at.file, at.range)),
            _ => None,
        }
    }

    /// A top-level `let` of this file.
    fn constant(&mut self, binding: &ast::Let) {
        let key = (
            self.fcx.path.clone(),
            binding.name.range.start,
            binding.name.range.end,
        );
        if self.shared.by_def.contains_key(&key) {
            return;
        }
        self.shared.lowering.insert(key.clone());
        let value = self.value(&binding.value, Cx::default());
        let slot = self.bind(&binding.name, SlotKind::Constant);
        if matches!(value.kind, ExprKind::Selection(_)) {
            self.shared.selections.insert(slot);
        }
        self.shared.lowering.remove(&key);
        self.shared.constants.push(LetPlan {
            slot,
            name: binding.name.text.clone(),
            value,
            range: binding.range,
        });
    }

    /// The slot of the constant defined at `range` of `file`, lowering it on first use.
    fn imported(&mut self, file: &Path, range: TextRange) -> SlotId {
        let key = (file.to_path_buf(), range.start, range.end);
        if let Some(&slot) = self.shared.by_def.get(&key) {
            return slot;
        }
        let invalid = |shared: &mut Shared, why: &str| {
            let slot = shared.slot("?", SlotKind::Constant, TextRange::default());
            shared.constants.push(LetPlan {
                slot,
                name: "?".into(),
                value: Expr {
                    kind: ExprKind::Invalid(why.to_string()),
                    range: TextRange::default(),
                },
                range: TextRange::default(),
            });
            slot
        };
        if self.shared.lowering.contains(&key) {
            return invalid(self.shared, "a constant that depends on itself");
        }
        let db = self.db;
        let Some(other) = tbt_db::Workspace::get(db)
            .files(db)
            .get(&tbt_db::normalize(file))
            .copied()
        else {
            return invalid(self.shared, "a constant of a file that could not be read");
        };
        let tree = &tbt_db::parse(db, other).file;
        let Some(binding) = tree.items.iter().find_map(|item| match item {
            Stmt::Let(b) if b.name.range == range => Some(b),
            _ => None,
        }) else {
            return invalid(self.shared, "a constant that could not be found");
        };
        let mut sub = Lowerer {
            db,
            shared: &mut *self.shared,
            fcx: FileCx::new(db, other),
        };
        sub.constant(binding);
        self.shared
            .by_def
            .get(&key)
            .copied()
            .unwrap_or_else(|| invalid(self.shared, "a constant that could not be lowered"))
    }

    fn suite(&mut self, suite: &ast::Suite) -> Vec<TestPlan> {
        let name = suite
            .name
            .as_ref()
            .and_then(|n| n.as_plain())
            .unwrap_or("")
            .to_string();
        let mut lets = Vec::new();
        let mut tests = Vec::new();
        for stmt in &suite.body {
            match stmt {
                Stmt::Let(binding) => {
                    let value = self.value(&binding.value, Cx::default());
                    let slot = self.bind(&binding.name, SlotKind::Let);
                    if matches!(value.kind, ExprKind::Selection(_)) {
                        self.shared.selections.insert(slot);
                    }
                    lets.push(crate::ir::Step::Let(LetPlan {
                        slot,
                        name: binding.name.text.clone(),
                        value,
                        range: binding.range,
                    }));
                }
                Stmt::Test(test) => tests.push(self.test(test, Some(&name), &lets)),
                _ => {}
            }
        }
        tests
    }
}
