//! Which tests run, and how they are grouped: `--filter`, suites, `--shard`.

use std::sync::Arc;
use tbt_runner::{PlannedFile, Unit};

/// `--shard i/n`: this machine runs the i-th of n slices (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, from 1.
    pub index: usize,
    /// How many slices.
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a shard: write i/n with 1 <= i <= n, e.g. 2/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// A `--filter`: a test's name, or `suite › name`, must contain it, unless some test is
/// named exactly so, in which case it selects only the tests of that exact name (so the
/// editor's "run test at cursor" on `pay` does not also run `pay twice`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    text: String,
    exact: bool,
}

impl Filter {
    /// The filters of the command line, made exact where a test has exactly that name.
    pub fn new(texts: &[String], files: &[Arc<PlannedFile>]) -> Vec<Filter> {
        texts
            .iter()
            .map(|text| Filter {
                exact: files.iter().flat_map(|f| &f.plan.tests).any(|t| {
                    t.name == *text
                        || t.suite
                            .as_ref()
                            .is_some_and(|s| format!("{s} › {}", t.name) == *text)
                }),
                text: text.clone(),
            })
            .collect()
    }
}

/// Whether a test matches the filters (every test matches when there is no filter).
pub fn matches(filters: &[Filter], suite: Option<&str>, name: &str) -> bool {
    if filters.is_empty() {
        return true;
    }
    let full = match suite {
        Some(s) => format!("{s} › {name}"),
        None => name.to_string(),
    };
    filters.iter().any(|f| {
        if f.exact {
            name == f.text || full == f.text
        } else {
            name.contains(f.text.as_str()) || full.contains(f.text.as_str())
        }
    })
}

/// Groups the tests of the files into units: each test outside a suite alone, each suite's
/// tests together in order. A suite runs up to its last selected test (the tests before it
/// produce the outputs it reads). With a shard, units are dealt round-robin in file order, so
/// every machine gets a share of every file and a suite is never split.
pub fn units(files: &[Arc<PlannedFile>], filters: &[String], shard: Option<Shard>) -> Vec<Unit> {
    let filters = Filter::new(filters, files);
    let filters = &filters[..];
    let mut all = Vec::new();
    for file in files {
        let tests = &file.plan.tests;
        let mut i = 0;
        while i < tests.len() {
            match &tests[i].suite {
                None => {
                    if matches(filters, None, &tests[i].name) {
                        all.push(Unit {
                            file: file.clone(),
                            tests: vec![i],
                        });
                    }
                    i += 1;
                }
                Some(suite) => {
                    let start = i;
                    while i < tests.len() && tests[i].suite.as_ref() == Some(suite) {
                        i += 1;
                    }
                    let last = (start..i)
                        .rev()
                        .find(|&k| matches(filters, Some(suite), &tests[k].name));
                    if let Some(last) = last {
                        all.push(Unit {
                            file: file.clone(),
                            tests: (start..=last).collect(),
                        });
                    }
                }
            }
        }
    }
    match shard {
        None => all,
        Some(s) => all
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % s.count == s.index - 1)
            .map(|(_, u)| u)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert!("0/4".parse::<Shard>().is_err());
        assert!("5/4".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    #[test]
    fn filters_match_names_and_suites() {
        let f = vec![Filter {
            text: "cancel".into(),
            exact: false,
        }];
        assert!(matches(&f, None, "cancel it"));
        assert!(matches(&f, Some("create, then cancel"), "create"));
        assert!(!matches(&f, None, "create"));
        assert!(matches(&[], None, "anything"));
        let exact = vec![Filter {
            text: "pay".into(),
            exact: true,
        }];
        assert!(matches(&exact, None, "pay"));
        assert!(!matches(&exact, None, "pay twice"));
    }
}
