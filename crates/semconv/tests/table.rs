//! Invariants of the generated table.

use tbt_semconv::{AttrType, DeprecationReason, attributes, lookup};

#[test]
fn sorted_unique_and_self_resolving() {
    let all = attributes();
    for pair in all.windows(2) {
        assert!(
            pair[0].name < pair[1].name,
            "not sorted or not unique: {} then {}",
            pair[0].name,
            pair[1].name
        );
    }
    for def in all {
        let found = lookup(def.name).unwrap_or_else(|| panic!("{} not found", def.name));
        assert!(
            std::ptr::eq(found, def),
            "{} resolves to {}",
            def.name,
            found.name
        );
        assert_eq!(found.ty, def.ty);
        if def.template {
            let instance = format!("{}.some-key", def.name);
            let found = lookup(&instance).unwrap_or_else(|| panic!("{instance} not found"));
            assert!(
                std::ptr::eq(found, def),
                "{instance} resolves to {}",
                found.name
            );
        }
    }
}

#[test]
fn entries_are_well_formed() {
    for def in attributes() {
        assert!(!def.name.is_empty());
        assert!(!def.brief.is_empty(), "{} has no brief", def.name);
        assert_eq!(def.brief, def.brief.trim(), "{}", def.name);
        assert!(!def.brief.contains('\n'), "{}", def.name);
        if let AttrType::Enum(e) = def.ty {
            assert!(!e.members.is_empty(), "{} has no members", def.name);
        }
        if let Some(d) = def.deprecated {
            match d.reason {
                DeprecationReason::Renamed => {
                    let to = d
                        .renamed_to
                        .unwrap_or_else(|| panic!("{} renamed to nothing", def.name));
                    assert!(lookup(to).is_some(), "{} renamed to unknown {to}", def.name);
                }
                _ => assert!(d.renamed_to.is_none(), "{}", def.name),
            }
        }
    }
}
