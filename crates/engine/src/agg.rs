//! Aggregates: `sum`, `min`, `max`, `avg` and the nearest-rank percentiles (docs §13).
//!
//! `sum` of nothing is `0` (`0s` for durations); the others of nothing are missing, and so is
//! any aggregate of a missing value.

use crate::error::{EvalError, R};
use crate::ops;
use crate::value::Val;
use std::cmp::Ordering;
use tbt_plan::{AggFn, ItemHint};

/// Aggregates `values` (a list; anything else is missing).
pub fn aggregate<'a>(
    func: AggFn,
    values: &Val<'a>,
    q: Option<&Val<'a>>,
    hint: ItemHint,
) -> R<Val<'a>> {
    let items: Vec<&Val<'a>> = match values {
        Val::List(items) => items
            .iter()
            .filter(|v| !matches!(v, Val::Missing | Val::Null))
            .collect(),
        _ => return Ok(Val::Missing),
    };
    match func {
        AggFn::Sum => sum(&items, hint),
        AggFn::Avg => avg(&items),
        AggFn::Min | AggFn::Max => {
            let mut best: Option<&Val<'a>> = None;
            for item in &items {
                best = Some(match best {
                    None => item,
                    Some(b) => {
                        let o = ops::order(item, b).ok_or_else(|| mixed(func, item, b))?;
                        let better = if func == AggFn::Min {
                            o == Ordering::Less
                        } else {
                            o == Ordering::Greater
                        };
                        if better { item } else { b }
                    }
                });
            }
            Ok(best.cloned().unwrap_or(Val::Missing))
        }
        AggFn::Percentile => {
            let q = match q {
                Some(Val::Int(n)) => *n as f64,
                Some(Val::Double(x)) => *x,
                _ => return Ok(Val::Missing),
            };
            if !(0.0..=100.0).contains(&q) {
                return Err(EvalError::Fail(format!(
                    "a percentile is between 0 and 100, not {q}"
                )));
            }
            if items.is_empty() {
                return Ok(Val::Missing);
            }
            let n = items.len();
            let rank = (((q / 100.0) * n as f64).ceil() as usize).clamp(1, n) - 1;
            // Durations and ints: sort the integers themselves.
            if let Some(ints) = items
                .iter()
                .map(|v| match v {
                    Val::Duration(d) | Val::Int(d) => Some(*d),
                    _ => None,
                })
                .collect::<Option<Vec<i64>>>()
            {
                let mut ints = ints;
                let (_, &mut at, _) = ints.select_nth_unstable(rank);
                return Ok(match items[0] {
                    Val::Duration(_) => Val::Duration(at),
                    _ => Val::Int(at),
                });
            }
            let mut sorted = items.clone();
            let mut error = None;
            sorted.sort_by(|a, b| {
                ops::order(a, b).unwrap_or_else(|| {
                    error.get_or_insert_with(|| mixed(func, a, b));
                    Ordering::Equal
                })
            });
            if let Some(e) = error {
                return Err(e);
            }
            Ok(sorted[rank].clone())
        }
    }
}

fn mixed(func: AggFn, a: &Val<'_>, b: &Val<'_>) -> EvalError {
    EvalError::Fail(format!(
        "`{}` of values that do not compare: {} and {}",
        format!("{func:?}").to_lowercase(),
        a.type_name(),
        b.type_name()
    ))
}

fn sum<'a>(items: &[&Val<'a>], hint: ItemHint) -> R<Val<'a>> {
    let Some(first) = items.first() else {
        return Ok(match hint {
            ItemHint::Double => Val::Double(0.0),
            ItemHint::Duration => Val::Duration(0),
            _ => Val::Int(0),
        });
    };
    let mut acc = (*first).clone();
    for item in &items[1..] {
        acc = ops::arith(tbt_plan::ArithOp::Add, &acc, item)?;
    }
    match acc {
        Val::Int(_) | Val::Double(_) | Val::Duration(_) => Ok(acc),
        other => Err(EvalError::Fail(format!(
            "`sum` of {} values",
            other.type_name()
        ))),
    }
}

fn avg<'a>(items: &[&Val<'a>]) -> R<Val<'a>> {
    if items.is_empty() {
        return Ok(Val::Missing);
    }
    let n = items.len() as f64;
    if items.iter().all(|v| matches!(v, Val::Duration(_))) {
        let total: i128 = items
            .iter()
            .map(|v| match v {
                Val::Duration(d) => i128::from(*d),
                _ => 0,
            })
            .sum();
        return Ok(Val::Duration((total as f64 / n).round() as i64));
    }
    let mut total = 0.0;
    for v in items {
        total += v
            .as_f64()
            .ok_or_else(|| EvalError::Fail(format!("`avg` of {} values", v.type_name())))?;
    }
    Ok(Val::Double(total / n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn list(v: Vec<Val<'static>>) -> Val<'static> {
        Val::List(Rc::new(v))
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v = list((1..=10).map(Val::Int).collect());
        let p = |q: i64| aggregate(AggFn::Percentile, &v, Some(&Val::Int(q)), ItemHint::Int);
        assert!(matches!(p(50), Ok(Val::Int(5))));
        assert!(matches!(p(90), Ok(Val::Int(9))));
        assert!(matches!(p(99), Ok(Val::Int(10))));
        assert!(matches!(p(0), Ok(Val::Int(1))));
    }

    #[test]
    fn empty_sums_are_zero_of_their_type() {
        let empty = list(vec![]);
        assert!(matches!(
            aggregate(AggFn::Sum, &empty, None, ItemHint::Duration),
            Ok(Val::Duration(0))
        ));
        assert!(matches!(
            aggregate(AggFn::Max, &empty, None, ItemHint::Duration),
            Ok(Val::Missing)
        ));
    }
}
