//! Small numeric guards shared by the modules (private).

use crate::series::TSS_LIMIT;

/// `Some(x)` when `x` is finite, else `None`.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// `a / b` when `b` is non-zero and the quotient is finite.
pub(crate) fn ratio(a: f64, b: f64) -> Option<f64> {
    if b == 0.0 || !a.is_finite() || !b.is_finite() {
        return None;
    }
    finite(a / b)
}

/// `a / b` for a strictly positive `b` (a denominator such as time or FTP).
pub(crate) fn per_positive(a: f64, b: f64) -> Option<f64> {
    if b > 0.0 { ratio(a, b) } else { None }
}

/// A daily load made safe for arithmetic: non-finite → 0, clamped to ±[`TSS_LIMIT`].
#[inline]
pub(crate) fn clean_tss(x: f64) -> f64 {
    if x.is_finite() {
        x.clamp(-TSS_LIMIT, TSS_LIMIT)
    } else {
        0.0
    }
}

/// A measured value that can be used (finite), as an option.
pub(crate) fn usable(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

/// A measured value that is finite and strictly positive (a duration, a power, a heart rate).
pub(crate) fn positive(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v > 0.0)
}

/// Count, mean, minimum and maximum of the finite values; `None` when there are none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Agg {
    pub count: usize,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl Agg {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Agg> {
        let mut agg: Option<Agg> = None;
        for v in values.into_iter().filter(|v| v.is_finite()) {
            agg = Some(match agg {
                None => Agg {
                    count: 1,
                    sum: v,
                    min: v,
                    max: v,
                },
                Some(a) => Agg {
                    count: a.count + 1,
                    sum: a.sum + v,
                    min: a.min.min(v),
                    max: a.max.max(v),
                },
            });
        }
        agg
    }

    pub fn mean(&self) -> Option<f64> {
        ratio(self.sum, self.count as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards() {
        assert_eq!(ratio(1.0, 0.0), None);
        assert_eq!(ratio(1.0, 4.0), Some(0.25));
        assert_eq!(ratio(f64::MAX, 1e-300), None);
        assert_eq!(per_positive(1.0, -2.0), None);
        assert_eq!(clean_tss(f64::NAN), 0.0);
        assert_eq!(clean_tss(f64::INFINITY), 0.0);
        assert_eq!(clean_tss(1e300), TSS_LIMIT);
        assert_eq!(clean_tss(-1e300), -TSS_LIMIT);
        assert_eq!(clean_tss(42.5), 42.5);
        let a = Agg::of([3.0, f64::NAN, 1.0, 2.0]).unwrap();
        assert_eq!((a.count, a.min, a.max, a.mean()), (3, 1.0, 3.0, Some(2.0)));
        assert_eq!(Agg::of(std::iter::empty()), None);
    }
}
