//! Lookups in the built-in table of semantic conventions.

use tbt_semconv::{
    AttrType, DeprecationReason, EnumBase, EnumValue, IntrinsicType, Stability, attributes,
    intrinsic, intrinsics, is_known_namespace, lookup, suggest,
};

#[test]
fn version() {
    assert_eq!(tbt_semconv::VERSION, "1.44.0");
}

#[test]
fn counts() {
    let all = attributes();
    assert_eq!(all.len(), 940);
    assert_eq!(all.iter().filter(|a| a.is_deprecated()).count(), 206);
    assert_eq!(all.iter().filter(|a| a.template).count(), 41);
    assert_eq!(all.iter().filter(|a| a.ty.as_enum().is_some()).count(), 171);
}

#[test]
fn stable_int() {
    let a = lookup("http.response.status_code").expect("known");
    assert_eq!(a.name, "http.response.status_code");
    assert_eq!(a.ty, AttrType::Int);
    assert_eq!(a.stability, Stability::Stable);
    assert!(!a.template);
    assert!(a.deprecated.is_none());
    assert_eq!(
        a.brief,
        "[HTTP response status code](https://tools.ietf.org/html/rfc7231#section-6)."
    );
}

#[test]
fn string_enum() {
    let a = lookup("http.request.method").expect("known");
    let e = a.ty.as_enum().expect("an enum");
    assert_eq!(e.base, EnumBase::String);
    assert_eq!(a.ty.name(), "enum string");
    let get = e.member_str("GET").expect("GET is a member");
    assert_eq!(get.value, EnumValue::Str("GET"));
    assert_eq!(get.brief, Some("GET method."));
    assert!(e.member_str("_OTHER").is_some());
    assert!(e.member_str("get").is_none(), "values are case-sensitive");
}

#[test]
fn int_enum() {
    let a = lookup("rpc.grpc.status_code").expect("known");
    let e = a.ty.as_enum().expect("an enum");
    assert_eq!(e.base, EnumBase::Int);
    assert!(e.member_int(0).is_some());
    assert!(e.member_int(16).is_some());
    assert!(e.member_int(17).is_none());
}

#[test]
fn deprecated_renamed() {
    let a = lookup("http.status_code").expect("known");
    let d = a.deprecated.expect("deprecated");
    assert_eq!(d.reason, DeprecationReason::Renamed);
    assert_eq!(d.renamed_to, Some("http.response.status_code"));
    let target = lookup(d.renamed_to.unwrap()).expect("the new name is known");
    assert!(target.deprecated.is_none());
}

#[test]
fn deprecated_obsoleted_and_uncategorized() {
    let target = lookup("http.target")
        .and_then(|a| a.deprecated)
        .expect("deprecated");
    assert_eq!(target.reason, DeprecationReason::Obsoleted);
    assert_eq!(target.renamed_to, None);
    assert_eq!(target.note, Some("Split to `url.path` and `url.query`."));
    let length = lookup("http.request_content_length").and_then(|a| a.deprecated);
    assert_eq!(
        length.map(|d| d.reason),
        Some(DeprecationReason::Uncategorized)
    );
}

#[test]
fn other_known_names() {
    let db = lookup("db.system.name").expect("known");
    assert!(
        db.ty
            .as_enum()
            .and_then(|e| e.member_str("postgresql"))
            .is_some()
    );
    assert_eq!(db.stability, Stability::Stable);

    let dest = lookup("messaging.destination.name").expect("known");
    assert_eq!(dest.ty, AttrType::String);
    assert_eq!(dest.stability, Stability::Development);

    let service = lookup("service.name").expect("known");
    assert_eq!(service.ty, AttrType::String);
    assert_eq!(service.stability, Stability::Stable);

    // Defined in the `definition/2` syntax.
    let server = lookup("server.port").expect("known");
    assert_eq!(server.ty, AttrType::Int);
    assert_eq!(server.stability, Stability::Stable);

    // `experimental` in the model is `development`.
    let state = lookup("k8s.container.status.state").expect("known");
    assert_eq!(state.stability, Stability::Development);
}

#[test]
fn templates() {
    let a = lookup("http.request.header.content-type").expect("template");
    assert_eq!(a.name, "http.request.header");
    assert!(a.template);
    assert_eq!(a.ty, AttrType::StringArray);
    assert_eq!(a.display_name(), "http.request.header.<key>");
    assert!(a.matches("http.request.header.content-type"));
    assert!(!a.matches("http.request.headers"));
    assert!(!a.matches("http.request.header."));

    // Keys may contain dots.
    let label = lookup("k8s.pod.label.app.kubernetes.io/name").expect("template");
    assert_eq!(label.name, "k8s.pod.label");
    assert_eq!(label.ty, AttrType::String);

    assert!(lookup("http.request.header.").is_none());
    assert!(lookup("http.request.headers").is_none());
}

#[test]
fn unknown_names() {
    assert!(lookup("").is_none());
    assert!(lookup("http").is_none());
    assert!(lookup("http.response.status_cod").is_none());
    assert!(lookup("payment.amount").is_none());
    // Not a template: no prefix match.
    assert!(lookup("http.response.status_code.extra").is_none());
}

#[test]
fn namespaces() {
    assert!(is_known_namespace("http.anything"));
    assert!(is_known_namespace("http"));
    assert!(is_known_namespace("db.whatever.else"));
    assert!(is_known_namespace("k8s.x"));
    assert!(!is_known_namespace("payment.amount"));
    assert!(!is_known_namespace("htt.x"));
    assert!(!is_known_namespace("httpx.y"));
    assert!(!is_known_namespace(""));
    // `state` is an attribute without a dot, not a namespace.
    assert!(lookup("state").is_some());
    assert!(!is_known_namespace("state.x"));
}

#[test]
fn suggestions() {
    let name = |s: &str| suggest(s).map(|a| a.name);
    assert_eq!(
        name("http.response.status_cod"),
        Some("http.response.status_code")
    );
    assert_eq!(
        name("http.respnose.status_code"),
        Some("http.response.status_code")
    );
    assert_eq!(name("http.request.methd"), Some("http.request.method"));
    assert_eq!(name("servce.name"), Some("service.name"));
    assert_eq!(
        name("http.request.headr.content-type"),
        Some("http.request.header")
    );
    // Known names need no suggestion; far-off names get none.
    assert_eq!(name("http.response.status_code"), None);
    assert_eq!(name("payment.amount"), None);
    assert_eq!(name("x"), None);
}

#[test]
fn intrinsics_table() {
    let all = intrinsics();
    assert!(
        all.windows(2).all(|w| w[0].name < w[1].name),
        "sorted and unique"
    );
    for i in all {
        assert_eq!(intrinsic(i.name), Some(i));
        assert!(!i.brief.is_empty());
    }
    assert_eq!(
        intrinsic("duration").map(|i| i.ty),
        Some(IntrinsicType::Duration)
    );
    assert_eq!(
        intrinsic("start").map(|i| i.ty),
        Some(IntrinsicType::Timestamp)
    );
    assert_eq!(
        intrinsic("status_message").map(|i| i.ty),
        Some(IntrinsicType::String)
    );
    assert_eq!(
        intrinsic("status.message").map(|i| i.ty),
        Some(IntrinsicType::String)
    );
    assert_eq!(
        intrinsic("events").map(|i| i.ty),
        Some(IntrinsicType::EventList)
    );
    let Some(IntrinsicType::Enum(kinds)) = intrinsic("kind").map(|i| i.ty) else {
        panic!("kind is an enum");
    };
    assert!(kinds.contains(&"server") && kinds.contains(&"internal"));
    let Some(IntrinsicType::Enum(status)) = intrinsic("status").map(|i| i.ty) else {
        panic!("status is an enum");
    };
    assert_eq!(status, &["ok", "error", "unset"]);
    assert!(intrinsic("service.name").is_none());
    assert!(intrinsic("http.request.method").is_none());
}
