//! The builder API and the model's lookups and indexes.

use tbt_trace::{
    AttrValue, SpanId, SpanIdx, SpanInfo, SpanKind, SpanOutcome, StatusCode, Sym, Trace,
    TraceBuilder, TraceId, Value, ValueRef,
};

fn tid(n: u8) -> TraceId {
    TraceId([n; 16])
}
fn sid(n: u64) -> SpanId {
    SpanId(n.to_be_bytes())
}

/// Two services; five spans; resource `env` on one of them, overridden by a span attribute.
fn sample() -> Trace {
    let mut b = TraceBuilder::new();
    let cart = b.resource("", |r| {
        r.attr("service.name", AttrValue::Str("cart"));
        r.attr("env", AttrValue::Str("prod"));
    });
    let shop = b.resource("", |r| r.attr("service.name", AttrValue::Str("shop")));
    // The same resource again is the same index.
    let cart2 = b.resource("", |r| {
        r.attr("env", AttrValue::Str("prod"));
        r.attr("service.name", AttrValue::Str("cart"));
    });
    assert_eq!(cart, cart2);
    let sc = b.scope(cart, "lib", "1", "", |_| {});
    let ss = b.scope(shop, "lib", "1", "", |_| {});
    assert_ne!(sc, ss, "scopes belong to their resource");
    let mk = |span: u64, parent: u64, scope, start: u64| SpanInfo {
        trace_id: tid(1),
        span_id: sid(span),
        parent_span_id: sid(parent),
        name: "op",
        start_unix_nano: start,
        end_unix_nano: start + 100,
        ..SpanInfo::new(scope)
    };
    let mut w = b.span(SpanInfo {
        name: "GET /",
        kind: SpanKind::Server,
        status: StatusCode::Error,
        status_message: "bad",
        trace_state: "k=v",
        ..mk(1, 0, ss, 0)
    });
    w.attr("http.response.status_code", AttrValue::Int(500));
    w.attr("env", AttrValue::Str("canary"));
    w.attr("http.response.status_code", AttrValue::Int(200)); // repeated key: first stays
    let arr = {
        let p = w.pool();
        let a = p.value(AttrValue::Str("a"));
        p.array(&[a, Value::Int(2)])
    };
    w.attr("list", AttrValue::Built(arr));
    w.event("cache.miss", 5, |e| e.attr("key", AttrValue::Str("k1")));
    w.link(tid(2), sid(9), "", |l| {
        l.attr("why", AttrValue::Str("batch"))
    });
    assert_eq!(w.finish(), SpanOutcome::Added(SpanIdx(0)));
    for (span, parent, start, code) in [(2, 1, 30, 200), (3, 1, 10, 404), (4, 3, 12, 200)] {
        let mut w = b.span(mk(span, parent, sc, start));
        w.attr("http.response.status_code", AttrValue::Int(code));
        w.finish();
    }
    // A span written and then dropped unfinished leaves nothing behind.
    {
        let mut w = b.span(mk(77, 1, sc, 1));
        w.attr("leak", AttrValue::Bool(true));
        w.event("leak", 1, |_| {});
    }
    // A duplicate (with its own attributes and events) is dropped and counted.
    let mut w = b.span(mk(3, 1, sc, 99));
    w.attr("dup", AttrValue::Bool(true));
    w.event("dup", 1, |_| {});
    assert_eq!(w.finish(), SpanOutcome::Duplicate(SpanIdx(2)));
    // An orphan.
    b.span(mk(5, 42, sc, 50)).finish();
    b.finish().unwrap()
}

#[test]
fn builder_results() {
    let t = sample();
    assert_eq!(t.len(), 5);
    assert_eq!(t.resource_count(), 2);
    assert_eq!(t.duplicates().len(), 1);
    assert_eq!(t.duplicates()[0].span_id, sid(3));
    assert!(
        t.sym("leak").is_none()
            || t.span_indices()
                .all(|i| t.span_attrs(i).get_str("leak").is_none())
    );
    assert!(
        t.span_indices()
            .all(|i| t.span_attrs(i).get_str("dup").is_none())
    );
    assert_eq!(t.spans().map(|s| s.events().len()).sum::<usize>(), 1);
    let root = t.span(SpanIdx(0));
    assert_eq!(root.name(), "GET /");
    assert_eq!(root.service(), "shop");
    assert_eq!(root.status_message(), "bad");
    assert_eq!(root.trace_state(), "k=v");
    assert_eq!(
        root.attr("http.response.status_code"),
        Some(ValueRef::Int(500))
    );
    assert_eq!(root.attrs().len(), 3);
    assert_eq!(
        t.display_value(t.span_attr(SpanIdx(0), t.sym("list").unwrap()).unwrap())
            .to_string(),
        "[\"a\", 2]"
    );
    let ev = root.events().next().unwrap();
    assert_eq!((ev.name(), ev.time_unix_nano()), ("cache.miss", 5));
    let l = root.links().next().unwrap();
    assert_eq!((l.trace_id(), l.span_id()), (tid(2), sid(9)));
    assert_eq!(l.target(), None);
    // Children by start time: span 3 (start 10) before span 2 (start 30).
    let kids: Vec<u64> = root.children().map(|c| c.span_id().as_u64()).collect();
    assert_eq!(kids, [3, 2]);
    assert_eq!(t.roots().len(), 2);
    let orphan = t.find_span(tid(1), sid(5)).unwrap();
    assert!(t.is_orphan(orphan));
    assert_eq!(t.missing_parent_id(orphan), Some(sid(42)));
    assert!(t.is_ancestor(SpanIdx(0), t.find_span(tid(1), sid(4)).unwrap()));
    assert_eq!(t.find_span(tid(9), sid(1)), None);
    assert!(format!("{:?}", root).contains("GET /"));
    assert!(format!("{t:?}").contains("duplicates: 1"));
}

#[test]
fn span_attribute_first_then_resource() {
    let t = sample();
    let env = t.sym("env").unwrap();
    let root = SpanIdx(0);
    let child = t.find_span(tid(1), sid(2)).unwrap();
    // The root (service shop) has its own `env`; the child only its resource's.
    assert_eq!(t.value(t.attr(root, env).unwrap()), ValueRef::Str("canary"));
    assert_eq!(t.resource_attr(root, env), None);
    assert_eq!(t.span_attr(child, env), None);
    assert_eq!(t.value(t.attr(child, env).unwrap()), ValueRef::Str("prod"));
    assert_eq!(t.service(child), t.sym("cart").unwrap());
}

#[test]
fn key_indexes() {
    let t = sample();
    let code = t.sym("http.response.status_code").unwrap();
    let idx = t.key_index(code).unwrap();
    assert_eq!(idx.len(), 4);
    assert_eq!(
        idx.spans(),
        &[SpanIdx(0), SpanIdx(1), SpanIdx(2), SpanIdx(3)]
    );
    let twohundred: Vec<SpanIdx> = idx.spans_eq(t.pool(), Value::Int(200)).collect();
    assert_eq!(twohundred, [SpanIdx(1), SpanIdx(3)]);
    assert_eq!(idx.get(SpanIdx(2)), Some(Value::Int(404)));
    assert_eq!(
        t.spans_where_eq(code, Value::Int(999)),
        Vec::<SpanIdx>::new()
    );
    // Same answer twice (the index is built once).
    assert!(std::ptr::eq(idx, t.key_index(code).unwrap()));
    // `env` through the lookup rule: the root's own value, the cart spans' resource value.
    let env = t.sym("env").unwrap();
    let prod = Value::Str(t.sym("prod").unwrap());
    let canary = Value::Str(t.sym("canary").unwrap());
    assert_eq!(t.spans_where_eq(env, canary), [SpanIdx(0)]);
    assert_eq!(t.spans_where_eq(env, prod).len(), 4);
    assert_eq!(t.spans_with_attr(env).len(), 5);
    // Composite values compare by content.
    let list = t.sym("list").unwrap();
    let v = t.span_attr(SpanIdx(0), list).unwrap();
    assert_eq!(t.spans_where_eq(list, v), [SpanIdx(0)]);
    assert!(t.key_index(Sym(u32::MAX - 1)).is_none());
    assert!(t.memory_usage().indexes > 0);
}

#[test]
fn store_is_send_sync_and_value_is_small() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Trace>();
    assert_eq!(std::mem::size_of::<Value>(), 16);
    let t = Trace::empty();
    assert!(t.is_empty());
    assert_eq!(t.dump(), "");
}

#[test]
fn key_indexes_are_thread_safe() {
    let t = tbt_trace::synth::trace(&tbt_trace::synth::SynthConfig::many(20, 50, 3));
    let key = t.sym("http.request.method").unwrap();
    let get = Value::Str(t.sym("GET").unwrap());
    let counts: Vec<usize> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| s.spawn(|| t.key_index(key).unwrap().spans_eq(t.pool(), get).count()))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let naive = t
        .span_indices()
        .filter(|&i| t.span_attr(i, key) == Some(get))
        .count();
    assert!(naive > 0);
    assert!(counts.iter().all(|&c| c == naive));
}

#[test]
fn store_is_smaller_than_its_protobuf() {
    use tbt_trace::synth::{self, SynthConfig};
    for cfg in [SynthConfig::huge(20_000, 2), SynthConfig::many(200, 100, 2)] {
        let bytes = synth::protobuf(&cfg);
        let t = tbt_trace::import_otlp_proto(&bytes).unwrap();
        let heap = t.memory_usage().total();
        // The aim: resident memory per span at most about the span's protobuf size.
        assert!(
            heap < bytes.len(),
            "{cfg:?}: store {heap} bytes, protobuf {} bytes",
            bytes.len()
        );
        // Exact sizing: the protobuf importer counts spans first.
        let key = t.sym("http.request.method").unwrap();
        assert!(t.key_index(key).is_some());
    }
}
