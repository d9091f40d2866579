//! Reading the model's YAML files.
//!
//! Attributes are defined in two syntaxes, both accepted:
//! - legacy: `groups:` entries with `type: attribute_group` and an `id` starting with
//!   `registry.`, whose `attributes:` are keyed by `id:`;
//! - `file_format: definition/2`: top-level `attributes:` keyed by `key:`.
//!
//! Everything else (spans, metrics, events, groups that only `ref` attributes) is skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_norway::Value;

use super::Error;
use super::model::{
    Attribute, Deprecation, Member, MemberValue, Model, Plain, Reason, Stability, Type,
};
use super::text::first_sentence;

/// The top level of a model file; other keys are ignored.
#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    groups: Vec<RawGroup>,
    /// `definition/2` attribute definitions.
    #[serde(default)]
    attributes: Vec<Value>,
}

/// A legacy group; only registry attribute groups are read further.
#[derive(Deserialize)]
struct RawGroup {
    #[serde(default)]
    id: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    attributes: Vec<Value>,
}

/// One attribute definition, in either syntax; other keys (`note`, `examples`, ...) are
/// ignored.
#[derive(Deserialize)]
struct RawAttribute {
    #[serde(alias = "key")]
    id: String,
    #[serde(rename = "type")]
    ty: RawType,
    brief: String,
    stability: String,
    #[serde(default)]
    deprecated: Option<RawDeprecated>,
}

/// `type:` — a name (`string`, `template[int]`, ...) or an enum's `members:`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawType {
    Name(String),
    Enum { members: Vec<RawMember> },
}

#[derive(Deserialize)]
struct RawMember {
    value: RawValue,
    #[serde(default)]
    brief: Option<String>,
    #[serde(default)]
    deprecated: Option<Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawValue {
    Int(i64),
    Str(String),
}

#[derive(Deserialize)]
struct RawDeprecated {
    reason: String,
    #[serde(default)]
    renamed_to: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// Reads every `*.yaml` file under `dir` (in path order) and the version from
/// `manifest.yaml`.
pub(super) fn load(dir: &Path) -> Result<Model, Error> {
    if !dir.is_dir() {
        return Err(Error::new(dir, "not a directory"));
    }
    let version = read_version(&dir.join("manifest.yaml"))?;

    // name -> (attribute, file that defined it); a BTreeMap keeps the names sorted.
    let mut found: BTreeMap<String, (Attribute, PathBuf)> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::new(&path, e.to_string())
        })?;
        let path = entry.path();
        let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if !entry.file_type().is_file() || !is_yaml {
            continue;
        }
        for attribute in read_file(path)? {
            if let Some((_, first)) = found.get(&attribute.name) {
                let message = format!(
                    "attribute `{}` is already defined in {}",
                    attribute.name,
                    first.display()
                );
                return Err(Error::new(path, message));
            }
            found.insert(attribute.name.clone(), (attribute, path.to_path_buf()));
        }
    }
    let attributes = found.into_values().map(|(a, _)| a).collect();
    Ok(Model {
        version,
        attributes,
    })
}

/// The version at the end of `manifest.yaml`'s `schema_url`.
fn read_version(path: &Path) -> Result<String, Error> {
    #[derive(Deserialize)]
    struct Manifest {
        schema_url: String,
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::new(path, e.to_string()))?;
    let manifest: Manifest =
        serde_norway::from_str(&text).map_err(|e| Error::new(path, e.to_string()))?;
    match manifest.schema_url.rsplit_once('/') {
        Some((_, version)) if !version.is_empty() => Ok(version.to_owned()),
        _ => Err(Error::new(
            path,
            format!(
                "no version at the end of schema_url `{}`",
                manifest.schema_url
            ),
        )),
    }
}

/// The attributes defined in one file.
fn read_file(path: &Path) -> Result<Vec<Attribute>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::new(path, e.to_string()))?;
    let file: RawFile =
        serde_norway::from_str(&text).map_err(|e| Error::new(path, e.to_string()))?;
    let registry_groups = file
        .groups
        .into_iter()
        .filter(|g| g.kind == "attribute_group" && g.id.starts_with("registry."));
    let definitions = registry_groups
        .flat_map(|g| g.attributes)
        .chain(file.attributes);
    definitions
        .map(|value| convert(value).map_err(|message| Error::new(path, message)))
        .collect()
}

/// One attribute definition, or what is wrong with it.
fn convert(value: Value) -> Result<Attribute, String> {
    let name = value
        .get("id")
        .or_else(|| value.get("key"))
        .and_then(Value::as_str)
        .unwrap_or("<unnamed>")
        .to_owned();
    let in_attribute = |message: String| format!("attribute `{name}`: {message}");
    let raw: RawAttribute =
        serde_norway::from_value(value).map_err(|e| in_attribute(e.to_string()))?;

    let (ty, template) = convert_type(raw.ty).map_err(in_attribute)?;
    let stability = Stability::parse(&raw.stability)
        .ok_or_else(|| in_attribute(format!("unknown stability `{}`", raw.stability)))?;
    let deprecated = raw
        .deprecated
        .map(|d| {
            let reason = Reason::parse(&d.reason).ok_or_else(|| {
                in_attribute(format!("unknown deprecation reason `{}`", d.reason))
            })?;
            if reason == Reason::Renamed && d.renamed_to.is_none() {
                return Err(in_attribute("renamed without `renamed_to`".to_owned()));
            }
            Ok(Deprecation {
                reason,
                renamed_to: d.renamed_to,
                note: d
                    .note
                    .as_deref()
                    .map(first_sentence)
                    .filter(|n| !n.is_empty()),
            })
        })
        .transpose()?;
    Ok(Attribute {
        name: raw.id,
        ty,
        template,
        stability,
        brief: first_sentence(&raw.brief),
        deprecated,
    })
}

/// The type and whether it was a `template[T]`.
fn convert_type(ty: RawType) -> Result<(Type, bool), String> {
    match ty {
        RawType::Name(name) => {
            let (inner, template) = match name.strip_prefix("template[") {
                Some(rest) => (rest.strip_suffix(']').unwrap_or(rest), true),
                None => (name.as_str(), false),
            };
            let plain = Plain::parse(inner).ok_or_else(|| format!("unknown type `{name}`"))?;
            Ok((Type::Plain(plain), template))
        }
        RawType::Enum { members } => {
            if members.is_empty() {
                return Err("enum without members".to_owned());
            }
            let ints = members
                .iter()
                .filter(|m| matches!(m.value, RawValue::Int(_)))
                .count();
            if ints != 0 && ints != members.len() {
                return Err("enum mixes int and string values".to_owned());
            }
            let members = members
                .into_iter()
                .map(|m| Member {
                    value: match m.value {
                        RawValue::Int(i) => MemberValue::Int(i),
                        RawValue::Str(s) => MemberValue::Str(s),
                    },
                    brief: m.brief.as_deref().map(first_sentence).unwrap_or_default(),
                    deprecated: m.deprecated.is_some(),
                })
                .collect();
            Ok((Type::Enum(members), false))
        }
    }
}
