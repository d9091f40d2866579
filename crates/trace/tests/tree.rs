//! The parent/child index: pre/post-order ancestor tests against a naive parent walk,
//! cycles, orphans, very deep traces.

use proptest::prelude::*;
use tbt_trace::synth::{self, Rng, SynthConfig};
use tbt_trace::{SpanId, SpanIdx, SpanInfo, Trace, TraceBuilder, TraceId};

fn naive_is_ancestor(t: &Trace, a: SpanIdx, b: SpanIdx) -> bool {
    let mut cur = t.parent(b);
    let mut steps = 0;
    while let Some(p) = cur {
        if p == a {
            return true;
        }
        cur = t.parent(p);
        steps += 1;
        assert!(steps <= t.len(), "parent links must be acyclic");
    }
    false
}

fn check_tree(t: &Trace) {
    // Pre and post numbers are permutations; the walk visits every span once.
    let mut pre: Vec<u32> = t.span_indices().map(|i| t.pre_order(i)).collect();
    let mut post: Vec<u32> = t.span_indices().map(|i| t.post_order(i)).collect();
    pre.sort_unstable();
    post.sort_unstable();
    let all: Vec<u32> = (0..t.len() as u32).collect();
    assert_eq!(pre, all);
    assert_eq!(post, all);
    assert_eq!(t.walk().count(), t.len());
    for i in t.span_indices() {
        let kids = t.children(i);
        for w in kids.windows(2) {
            assert!(t.start(w[0]) <= t.start(w[1]), "children by start time");
        }
        for &c in kids {
            assert_eq!(t.parent(c), Some(i));
        }
        if t.parent(i).is_none() {
            assert!(t.roots().contains(&i));
        }
    }
}

#[test]
fn synthetic_traces_agree_with_a_parent_walk() {
    for seed in 0..4u64 {
        let t = synth::trace(&SynthConfig::many(5, 60, seed));
        check_tree(&t);
        for a in t.span_indices() {
            for b in t.span_indices() {
                assert_eq!(
                    t.is_ancestor(a, b),
                    naive_is_ancestor(&t, a, b),
                    "{a:?} {b:?}"
                );
            }
        }
    }
    let big = synth::trace(&SynthConfig::huge(20_000, 9));
    check_tree(&big);
    let mut rng = Rng::new(3);
    for _ in 0..20_000 {
        let a = SpanIdx(rng.below(big.len() as u64) as u32);
        let b = SpanIdx(rng.below(big.len() as u64) as u32);
        assert_eq!(big.is_ancestor(a, b), naive_is_ancestor(&big, a, b));
        // Every span is a descendant of the single root.
        assert!(b == big.roots()[0] || big.is_ancestor(big.roots()[0], b));
    }
    let max_depth = big.walk().map(|(_, d)| d).max().unwrap();
    assert!((4..=12).contains(&max_depth), "depth {max_depth}");
}

/// Builds a store from `parents[i]`: `None` root, `Some(j)` the span with id j+1 (may be
/// absent, itself, or form cycles).
fn build(parents: &[Option<u64>], starts: &[u64]) -> Trace {
    let mut b = TraceBuilder::new();
    let res = b.resource("", |_| {});
    let scope = b.scope(res, "", "", "", |_| {});
    for (i, p) in parents.iter().enumerate() {
        b.span(SpanInfo {
            trace_id: TraceId([7; 16]),
            span_id: SpanId((i as u64 + 1).to_be_bytes()),
            parent_span_id: p.map_or(SpanId::ZERO, |p| SpanId((p + 1).to_be_bytes())),
            start_unix_nano: starts[i],
            end_unix_nano: starts[i] + 10,
            ..SpanInfo::new(scope)
        })
        .finish();
    }
    b.finish().unwrap()
}

proptest! {
    #[test]
    fn random_forests_with_cycles_and_orphans(
        spec in prop::collection::vec((prop::option::of(0u64..80), 0u64..50), 1..70)
    ) {
        let parents: Vec<Option<u64>> = spec.iter().map(|s| s.0).collect();
        let starts: Vec<u64> = spec.iter().map(|s| s.1).collect();
        let t = build(&parents, &starts);
        prop_assert_eq!(t.len(), parents.len());
        check_tree(&t);
        for a in t.span_indices() {
            for b in t.span_indices() {
                prop_assert_eq!(t.is_ancestor(a, b), naive_is_ancestor(&t, a, b));
            }
        }
        // Orphans are exactly the spans naming an id beyond the store.
        let n = parents.len() as u64;
        let expected: Vec<u32> = parents.iter().enumerate()
            .filter(|(_, p)| matches!(p, Some(p) if *p >= n))
            .map(|(i, _)| i as u32).collect();
        let got: Vec<u32> = t.orphans().map(|o| o.span.0).collect();
        prop_assert_eq!(got, expected);
        // A span whose named parent exists keeps it unless its link was cut for a cycle.
        for (i, p) in parents.iter().enumerate() {
            let i = SpanIdx(i as u32);
            if let Some(p) = p.filter(|p| *p < n) {
                let cut = t.cycle_cuts().contains(&i);
                prop_assert_eq!(t.parent(i).is_none(), cut);
                if !cut { prop_assert_eq!(t.parent(i), Some(SpanIdx(p as u32))); }
            }
        }
    }
}

#[test]
fn self_parent_and_two_cycle_are_cut() {
    let t = build(&[Some(0), Some(2), Some(1), None], &[0, 1, 2, 3]);
    assert_eq!(t.cycle_cuts().len(), 2);
    check_tree(&t);
    assert!(t.dump().contains("(parent link cut: cycle)"));
}

#[test]
fn a_very_deep_chain_needs_no_recursion() {
    let n = 300_000u64;
    let parents: Vec<Option<u64>> = (0..n).map(|i| i.checked_sub(1)).collect();
    let starts: Vec<u64> = (0..n).collect();
    let t = build(&parents, &starts);
    let leaf = SpanIdx(n as u32 - 1);
    assert!(t.is_ancestor(SpanIdx(0), leaf));
    assert!(!t.is_ancestor(leaf, SpanIdx(0)));
    assert_eq!(t.depth(leaf), n as usize - 1);
    assert_eq!(t.walk().last().unwrap(), (leaf, n as usize - 1));
    // The dump stays linear: indentation stops growing.
    let dump = t.dump_subtree(SpanIdx(n as u32 - 3));
    assert!(dump.contains("[depth 2]") || dump.lines().count() == 3);
    let full = t.dump();
    assert!(full.lines().take(50).any(|l| l.contains("[depth 39] ")));
    assert!(full.len() < 200 * n as usize);
}
