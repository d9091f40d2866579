//! "Did you mean" suggestions for misspelled attribute names.

use crate::{AttributeDef, attributes, namespace_of};

/// The attribute whose name is closest to `name`, if one is close enough to be a likely typo.
///
/// Closeness is the Damerau-Levenshtein distance (optimal string alignment: insertions,
/// deletions, substitutions and swaps of adjacent characters), allowed to grow with the
/// length of `name`: 1 up to 8 characters, 2 up to 16, 3 beyond. Candidates are searched in
/// two rounds: first the non-deprecated attributes of `name`'s namespace (its first dotted
/// segment), then every attribute. Ties go to the non-deprecated attribute, then to the first
/// by name. A template attribute (`http.request.header.<key>`) is compared against `name`
/// without its last segment. Returns `None` when `name` is itself an attribute.
pub fn suggest(name: &str) -> Option<&'static AttributeDef> {
    if crate::lookup(name).is_some() {
        return None;
    }
    let bound = max_distance(name);
    let ns = namespace_of(name);
    let same_namespace = attributes()
        .iter()
        .filter(|a| !a.is_deprecated() && namespace_of(a.name) == ns);
    closest(name, same_namespace, bound).or_else(|| closest(name, attributes().iter(), bound))
}

/// How many edits a name of this length may be from its suggestion.
fn max_distance(name: &str) -> usize {
    match name.chars().count() {
        0..=8 => 1,
        9..=16 => 2,
        _ => 3,
    }
}

/// The candidate closest to `name` within `bound` edits.
fn closest(
    name: &str,
    candidates: impl Iterator<Item = &'static AttributeDef>,
    bound: usize,
) -> Option<&'static AttributeDef> {
    let mut best: Option<(usize, bool, &'static AttributeDef)> = None;
    for candidate in candidates {
        let compared = if candidate.template {
            name.rsplit_once('.').map_or(name, |(head, _)| head)
        } else {
            name
        };
        let Some(d) = distance(compared, candidate.name, bound) else {
            continue;
        };
        // Candidates come sorted by name, so `<` keeps the first one on a tie.
        let key = (d, candidate.is_deprecated());
        if best.is_none_or(|(bd, bdep, _)| key < (bd, bdep)) {
            best = Some((d, candidate.is_deprecated(), candidate));
        }
    }
    best.map(|(_, _, a)| a)
}

/// The optimal-string-alignment distance between `a` and `b`, or `None` if it exceeds
/// `bound`.
pub(crate) fn distance(a: &str, b: &str, bound: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    // Three rows of the dynamic-programming table: i-2, i-1 and i.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > bound {
            return None;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= bound).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::distance;

    #[test]
    fn distances() {
        assert_eq!(distance("", "", 3), Some(0));
        assert_eq!(distance("abc", "abc", 0), Some(0));
        assert_eq!(distance("abc", "ab", 3), Some(1));
        assert_eq!(distance("abc", "acb", 3), Some(1));
        assert_eq!(distance("kitten", "sitting", 3), Some(3));
        assert_eq!(distance("kitten", "sitting", 2), None);
        assert_eq!(distance("ca", "abc", 3), Some(3));
        assert_eq!(distance("", "abcd", 3), None);
    }
}
