//! Paths: names, `env`, `response`, attributes and services.

use super::Checker;
use super::expr::list;
use crate::analysis::Target;
use crate::resolve::{AttrLookup, AttrScope, TriggerKind, is_attribute_like, lookup_attribute};
use crate::ty::Ty;
use tbt_diagnostics::{Diagnostic, TextRange, codes};
use tbt_semconv::DeprecationReason;
use tbt_syntax::ast::{Name, Path};
use tbt_syntax::suggest::closest;

impl Checker<'_> {
    /// Types a dotted path: a name (and fields of it), `env.NAME`, `response.<field>`, or an
    /// attribute of the current span.
    pub(super) fn path(&mut self, p: &Path) -> Ty {
        let [first, rest @ ..] = p.segments.as_slice() else {
            return Ty::Error;
        };
        let bound = |c: &Self, name: &str| c.scopes.lookup(name).is_some();
        match first.text.as_str() {
            "env" if !bound(self, "env") => return self.env(p),
            "response" if !bound(self, "response") => return self.response(first, rest),
            "resource" if self.place.span && !rest.is_empty() => {
                let (dotted, range) = join(rest);
                return self.attribute(&dotted, range, AttrScope::Resource);
            }
            _ => {}
        }
        let dotted = p.dotted();
        if let Some(binding) = self.scopes.lookup(&first.text) {
            let (ty, target) = (binding.ty.clone(), binding.target.clone());
            self.resolve(first.range, target);
            if rest.is_empty() {
                return ty;
            }
            let (fields, range) = join(rest);
            return self.field_of(&ty, &fields, range, first.range);
        }
        if self.place.span {
            // A one-word name close to a visible binding is a misspelt name, not an attribute.
            if rest.is_empty()
                && matches!(
                    lookup_attribute(self.cx.schema, &dotted, AttrScope::Any),
                    AttrLookup::Unknown { .. }
                )
                && closest(&first.text, &self.scopes.names()).is_some()
            {
                self.undefined(first);
                return Ty::Error;
            }
            return self.attribute(&dotted, p.range, AttrScope::Any);
        }
        if is_attribute_like(self.cx.schema, &dotted) {
            self.report(
                Diagnostic::new(codes::SPAN_CONTEXT_REQUIRED, p.range, format!("`{dotted}` is only available inside a span selector or block"))
                    .with_label("an attribute of a span, but which span?")
                    .with_help(format!(
                        "select spans first: `span[...] {{ expect {dotted} ... }}`, or aggregate a projection: `max(span[...].{dotted})`"
                    )),
            );
            return Ty::Error;
        }
        self.undefined(first);
        Ty::Error
    }

    fn undefined(&mut self, name: &Name) {
        let names = self.scopes.names();
        let mut d = Diagnostic::new(
            codes::UNDEFINED_NAME,
            name.range,
            format!("undefined name `{}`", name.text),
        )
        .with_label("not defined here");
        d = match closest(&name.text, &names) {
            Some(best) => d
                .with_help(format!("did you mean `{best}`?"))
                .with_fix(format!("replace with `{best}`"), name.range, best),
            None => d.with_help(
                "define it with `let` above its use; outputs of a suite's tests are visible to the later tests of that suite",
            ),
        };
        self.report(d);
    }

    /// `env.NAME` and `env.secret.NAME`.
    fn env(&mut self, p: &Path) -> Ty {
        let name = match p.segments.as_slice() {
            [_, name] => name,
            [_, secret, name] if secret.text == "secret" => name,
            _ => {
                self.report(
                    Diagnostic::new(codes::UNDEFINED_NAME, p.range, format!("`{}` is not an environment variable", p.dotted()))
                        .with_label("expected `env.NAME` or `env.secret.NAME`")
                        .with_help("environment variables are written `env.SHOP_URL`; secrets `env.secret.TOKEN`"),
                );
                return Ty::Error;
            }
        };
        self.resolve(name.range, Target::Env(name.text.clone()));
        if let Some(declared) = self.cx.env
            && !declared.contains(name.text.as_str())
        {
            let names: Vec<&str> = declared.iter().map(String::as_str).collect();
            let mut d = Diagnostic::new(
                codes::UNDEFINED_ENV,
                name.range,
                format!("`{}` is not in the declared environment", name.text),
            )
            .with_label("not declared in tbt.toml");
            d = match closest_exact(&name.text, &names) {
                Some(best) => d
                    .with_help(format!("did you mean `{best}`?"))
                    .with_fix(format!("replace with `{best}`"), name.range, best),
                None => d.with_help(format!(
                    "add it to `vars` in the `[env]` table of tbt.toml, or to the env file it names{}",
                    if names.is_empty() { String::new() } else { format!("; declared: {}", list(&names)) }
                )),
            };
            self.report(d);
        }
        Ty::String
    }

    /// `response`, `response.status`, `response.json.order.id`, ...
    fn response(&mut self, first: &Name, rest: &[Name]) -> Ty {
        if !self.place.test {
            self.report(
                Diagnostic::new(codes::UNDEFINED_NAME, first.range, "`response` is only available in a test")
                    .with_label("no trigger here")
                    .with_help("`response` is the response to the test's trigger; use it inside `test \"...\" { ... }`"),
            );
            return Ty::Error;
        }
        let kind = self.trigger;
        if kind == TriggerKind::Unknown {
            return Ty::Json;
        }
        let range = rest
            .last()
            .map_or(first.range, |last| first.range.cover(last.range));
        if kind == TriggerKind::Trace {
            self.report(
                Diagnostic::new(
                    codes::UNKNOWN_RESPONSE_FIELD,
                    range,
                    "a `trigger trace` test has no response",
                )
                .with_label("nothing was requested")
                .with_help("assert on the trace's spans instead"),
            );
            return Ty::Error;
        }
        let [field, more @ ..] = rest else {
            return Ty::Json;
        };
        let fields = kind.fields();
        let Some(&(name, field_ty)) = fields.iter().find(|(n, _)| *n == field.text) else {
            let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
            let alias = match field.text.as_str() {
                "status_code" | "code" | "status.code" => Some("status"),
                "header" => Some("headers"),
                "exitcode" | "exit" | "exit_status" => Some("exit_code"),
                _ => None,
            }
            .filter(|a| names.contains(a));
            let mut d = Diagnostic::new(
                codes::UNKNOWN_RESPONSE_FIELD,
                field.range,
                format!("the response has no field `{}`", field.text),
            )
            .with_label("unknown field");
            d = match alias.or_else(|| closest(&field.text, &names)) {
                Some(best) => d
                    .with_help(format!("did you mean `response.{best}`?"))
                    .with_fix(format!("replace with `{best}`"), field.range, best),
                None => d.with_help(format!("the fields of this response are {}", list(&names))),
            };
            self.report(d);
            return Ty::Error;
        };
        self.resolve(first.range.cover(field.range), Target::Response(name));
        let ty = field_ty.ty();
        if more.is_empty() {
            return ty;
        }
        let (fields, range) = join(more);
        self.field_of(&ty, &fields, range, first.range.cover(field.range))
    }

    /// An attribute of the current span (or, for a projection, of each selected span).
    pub(super) fn attribute(&mut self, name: &str, range: TextRange, scope: AttrScope) -> Ty {
        let schema = self.cx.schema;
        let found = lookup_attribute(schema, name, scope);
        let ty = found.ty();
        match found {
            AttrLookup::Intrinsic(i) => self.resolve(range, Target::Intrinsic(i)),
            AttrLookup::User(a) => self.resolve(range, Target::Attribute(a.at.clone())),
            AttrLookup::Semconv(def) => {
                self.resolve(range, Target::Semconv(def));
                if let Some(dep) = &def.deprecated {
                    let mut d = Diagnostic::new(
                        codes::DEPRECATED_ATTRIBUTE,
                        range,
                        format!("`{name}` is deprecated"),
                    );
                    d = match (dep.reason, dep.renamed_to) {
                        (DeprecationReason::Renamed, Some(new)) => d
                            .with_label(format!("renamed to `{new}`"))
                            .with_help(format!(
                                "use `{new}`; current instrumentation sends only the new name"
                            ))
                            .with_fix(format!("rename to `{new}`"), range, new),
                        _ => d
                            .with_label(format!("{} by the semantic conventions", dep.reason))
                            .with_help(dep.note.unwrap_or(
                                "it has no direct replacement; see the semantic conventions",
                            )),
                    };
                    self.report(d);
                }
            }
            AttrLookup::Unknown {
                known_namespace: true,
            } => self.unknown_attribute(name, range),
            AttrLookup::Unknown {
                known_namespace: false,
            } => {}
        }
        ty
    }

    fn unknown_attribute(&mut self, name: &str, range: TextRange) {
        let schema = self.cx.schema;
        let user: Vec<&str> = schema.attributes.keys().map(|k| k.as_str()).collect();
        let best = closest_exact(name, &user)
            .map(str::to_string)
            .or_else(|| tbt_semconv::suggest(name).map(|d| d.name.to_string()));
        let ns = name.split('.').next().unwrap_or(name);
        let mut d = Diagnostic::new(
            codes::UNKNOWN_ATTRIBUTE,
            range,
            format!("unknown attribute `{name}`"),
        )
        .with_label(format!("not an attribute of the `{ns}` namespace"));
        d = match best {
            Some(best) => d.with_help(format!("did you mean `{best}`?")).with_fix(
                format!("replace with `{best}`"),
                range,
                best,
            ),
            None => d.with_help(format!(
                "if the attribute is yours, declare it in a schema: `attribute {name}: string`"
            )),
        };
        self.report(d);
    }
}

/// The segments joined with dots, and the range they cover.
fn join(segments: &[Name]) -> (String, TextRange) {
    let mut out = String::new();
    for (i, s) in segments.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(&s.text);
    }
    let range = match (segments.first(), segments.last()) {
        (Some(a), Some(b)) => a.range.cover(b.range),
        _ => TextRange::default(),
    };
    (out, range)
}

/// Like [`closest`], but case-sensitive (attribute and variable names are).
fn closest_exact<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|&c| (tbt_syntax::suggest::edit_distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}
