//! Comparisons and arithmetic (docs/language.md §15–16).
//!
//! - A missing operand makes every comparison false (`!=`, `in`, `not in`, `contains` and
//!   `matches` included) and arithmetic missing.
//! - Ints and doubles compare numerically; `==` with a double uses a relative tolerance of
//!   1e-9; `<`/`>` are exact, `<=`/`>=` are `<` or `==`.
//! - Present values of unrelated types are unequal: `==` is false, `!=` true, `<` false.
//! - Int arithmetic is checked (overflow fails), `/` of ints is a double, `%` by zero fails.

use crate::error::{EvalError, R};
use crate::value::Val;
use std::cmp::Ordering;
use tbt_plan::{ArithOp, CmpOp};

/// The relative tolerance of `==` on doubles.
pub const TOLERANCE: f64 = 1e-9;

/// Whether two doubles are equal within the tolerance.
pub fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= TOLERANCE * a.abs().max(b.abs())
}

/// Equality of two present values.
pub fn equal(l: &Val<'_>, r: &Val<'_>) -> bool {
    match (l, r) {
        (Val::Int(a), Val::Int(b)) => a == b,
        (Val::Int(_) | Val::Double(_), Val::Int(_) | Val::Double(_)) => close(
            l.as_f64().unwrap_or(f64::NAN),
            r.as_f64().unwrap_or(f64::NAN),
        ),
        (Val::Str(a), Val::Str(b)) => a.as_str() == b.as_str(),
        (Val::Bool(a), Val::Bool(b)) => a == b,
        (Val::Duration(a), Val::Duration(b)) | (Val::Timestamp(a), Val::Timestamp(b)) => a == b,
        (Val::Null, Val::Null) => true,
        (Val::List(a), Val::List(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| equal(x, y))
        }
        (Val::Object(a), Val::Object(b)) => {
            a.len() == b.len()
                && a.iter().all(|(k, v)| {
                    b.iter()
                        .find(|(k2, _)| k2.as_str() == k.as_str())
                        .is_some_and(|(_, w)| equal(v, w))
                })
        }
        (Val::Map(a), Val::Map(b)) => {
            a.len() == b.len()
                && a.iter().all(|(k, v)| {
                    let w = r.get(k);
                    !w.is_missing() && equal(v, &w)
                })
        }
        (Val::Sel(a), Val::Sel(b)) => a.ids() == b.ids(),
        _ => false,
    }
}

/// The order of two present values, when they are ordered.
pub fn order(l: &Val<'_>, r: &Val<'_>) -> Option<Ordering> {
    match (l, r) {
        (Val::Int(a), Val::Int(b)) => Some(a.cmp(b)),
        (Val::Int(_) | Val::Double(_), Val::Int(_) | Val::Double(_)) => {
            l.as_f64()?.partial_cmp(&r.as_f64()?)
        }
        (Val::Duration(a), Val::Duration(b)) | (Val::Timestamp(a), Val::Timestamp(b)) => {
            Some(a.cmp(b))
        }
        (Val::Str(a), Val::Str(b)) => Some(a.as_str().cmp(b.as_str())),
        _ => None,
    }
}

/// A comparison. `regex` compiles a pattern given as a string (`x matches "a.*"`).
pub fn compare<'a>(
    op: CmpOp,
    l: &Val<'a>,
    r: &Val<'a>,
    regex: &mut dyn FnMut(&str) -> R<std::sync::Arc<regex::Regex>>,
) -> R<bool> {
    if l.is_missing() || r.is_missing() {
        return Ok(false);
    }
    Ok(match op {
        CmpOp::Eq => equal(l, r),
        CmpOp::Ne => !equal(l, r),
        CmpOp::Lt => order(l, r) == Some(Ordering::Less),
        CmpOp::Gt => order(l, r) == Some(Ordering::Greater),
        CmpOp::Le => order(l, r) == Some(Ordering::Less) || order(l, r).is_some() && equal(l, r),
        CmpOp::Ge => order(l, r) == Some(Ordering::Greater) || order(l, r).is_some() && equal(l, r),
        CmpOp::Contains => match (l, r) {
            (Val::Str(a), Val::Str(b)) => a.as_str().contains(b.as_str()),
            (Val::List(items), x) => items.iter().any(|i| equal(i, x)),
            _ => false,
        },
        CmpOp::Matches => match (l, r) {
            (Val::Str(s), Val::Regex(re)) => re.is_match(s.as_str()),
            (Val::Str(s), Val::Str(p)) => regex(p.as_str())?.is_match(s.as_str()),
            _ => false,
        },
        CmpOp::In => match r {
            Val::List(items) => items.iter().any(|i| equal(l, i)),
            _ => false,
        },
        CmpOp::NotIn => match r {
            Val::List(items) => !items.iter().any(|i| equal(l, i)),
            _ => false,
        },
    })
}

fn overflow(op: ArithOp) -> EvalError {
    EvalError::Fail(format!("integer overflow in `{}`", op.as_str()))
}

/// Nanoseconds from a double, failing outside the range of a duration.
fn nanos(x: f64, op: ArithOp) -> R<i64> {
    let r = x.round();
    if r.is_finite() && r.abs() < i64::MAX as f64 {
        Ok(r as i64)
    } else {
        Err(EvalError::Fail(format!(
            "duration out of range in `{}`",
            op.as_str()
        )))
    }
}

/// Arithmetic on two values.
pub fn arith<'a>(op: ArithOp, l: &Val<'a>, r: &Val<'a>) -> R<Val<'a>> {
    use ArithOp::*;
    if matches!(l, Val::Missing | Val::Null) || matches!(r, Val::Missing | Val::Null) {
        return Ok(Val::Missing);
    }
    let v = match (op, l, r) {
        (Div, Val::Int(a), Val::Int(b)) => Val::Double(*a as f64 / *b as f64),
        (Rem, Val::Int(_), Val::Int(0)) => {
            return Err(EvalError::Fail("remainder by zero in `%`".into()));
        }
        (_, Val::Int(a), Val::Int(b)) => Val::Int(
            match op {
                Add => a.checked_add(*b),
                Sub => a.checked_sub(*b),
                Mul => a.checked_mul(*b),
                _ => a.checked_rem(*b),
            }
            .ok_or_else(|| overflow(op))?,
        ),
        (_, Val::Int(_) | Val::Double(_), Val::Int(_) | Val::Double(_)) => {
            let (a, b) = (
                l.as_f64().unwrap_or(f64::NAN),
                r.as_f64().unwrap_or(f64::NAN),
            );
            Val::Double(match op {
                Add => a + b,
                Sub => a - b,
                Mul => a * b,
                Div => a / b,
                Rem => a % b,
            })
        }
        (Add | Sub, Val::Duration(a), Val::Duration(b)) => Val::Duration(
            if op == Add {
                a.checked_add(*b)
            } else {
                a.checked_sub(*b)
            }
            .ok_or_else(|| overflow(op))?,
        ),
        (Mul, Val::Duration(d), Val::Int(n)) | (Mul, Val::Int(n), Val::Duration(d)) => {
            Val::Duration(d.checked_mul(*n).ok_or_else(|| overflow(op))?)
        }
        (Mul, Val::Duration(d), Val::Double(x)) | (Mul, Val::Double(x), Val::Duration(d)) => {
            Val::Duration(nanos(*d as f64 * x, op)?)
        }
        (Div, Val::Duration(d), n @ (Val::Int(_) | Val::Double(_))) => {
            let n = n.as_f64().unwrap_or(f64::NAN);
            if n == 0.0 {
                return Err(EvalError::Fail("division of a duration by zero".into()));
            }
            Val::Duration(nanos(*d as f64 / n, op)?)
        }
        (Div, Val::Duration(a), Val::Duration(b)) => Val::Double(*a as f64 / *b as f64),
        (Sub, Val::Timestamp(a), Val::Timestamp(b)) => {
            Val::Duration(a.checked_sub(*b).ok_or_else(|| overflow(op))?)
        }
        (Add | Sub, Val::Timestamp(t), Val::Duration(d)) => Val::Timestamp(
            if op == Add {
                t.checked_add(*d)
            } else {
                t.checked_sub(*d)
            }
            .ok_or_else(|| overflow(op))?,
        ),
        (Add, Val::Duration(d), Val::Timestamp(t)) => {
            Val::Timestamp(t.checked_add(*d).ok_or_else(|| overflow(op))?)
        }
        (Add, Val::Str(a), Val::Str(b)) => Val::string(format!("{}{}", a.as_str(), b.as_str())),
        _ => {
            return Err(EvalError::Fail(format!(
                "`{}` cannot combine {} and {}",
                op.as_str(),
                l.type_name(),
                r.type_name()
            )));
        }
    };
    Ok(v)
}

/// `-x`.
pub fn negate<'a>(v: &Val<'a>) -> R<Val<'a>> {
    Ok(match v {
        Val::Int(i) => Val::Int(i.checked_neg().ok_or_else(|| overflow(ArithOp::Sub))?),
        Val::Double(d) => Val::Double(-d),
        Val::Duration(d) => Val::Duration(d.checked_neg().ok_or_else(|| overflow(ArithOp::Sub))?),
        Val::Missing | Val::Null => Val::Missing,
        other => {
            return Err(EvalError::Fail(format!(
                "cannot negate {}",
                other.type_name()
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(op: CmpOp, l: Val<'_>, r: Val<'_>) -> bool {
        compare(op, &l, &r, &mut |_| Err(EvalError::Fail("no".into()))).unwrap_or(false)
    }

    #[test]
    fn doubles_compare_with_a_tolerance() {
        let sum = arith(ArithOp::Add, &Val::Double(0.1), &Val::Double(0.2)).unwrap_or_default();
        assert!(cmp(CmpOp::Eq, sum.clone(), Val::Double(0.3)));
        assert!(cmp(CmpOp::Le, sum.clone(), Val::Double(0.3)));
        // `<` is exact: 0.1 + 0.2 is a little more than 0.3.
        assert!(cmp(CmpOp::Lt, Val::Double(0.3), sum));
        assert!(cmp(CmpOp::Eq, Val::Int(1), Val::Double(1.0)));
    }

    #[test]
    fn missing_is_neither_equal_nor_unequal() {
        for op in [
            CmpOp::Eq,
            CmpOp::Ne,
            CmpOp::Lt,
            CmpOp::In,
            CmpOp::NotIn,
            CmpOp::Contains,
        ] {
            assert!(!cmp(op, Val::Missing, Val::Int(1)), "{op:?}");
        }
    }

    #[test]
    fn int_arithmetic_is_checked() {
        assert!(arith(ArithOp::Add, &Val::Int(i64::MAX), &Val::Int(1)).is_err());
        assert!(arith(ArithOp::Rem, &Val::Int(1), &Val::Int(0)).is_err());
        assert!(
            matches!(arith(ArithOp::Div, &Val::Int(7), &Val::Int(2)), Ok(Val::Double(x)) if x == 3.5)
        );
    }
}
