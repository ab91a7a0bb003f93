//! Achievement of one indicator (capaian IKI, PermenPANRB 8/2021 formulas; DOMAIN §2.1).
//!
//! Measured values (targets, realisasi) have at most 4 decimals and are kept exactly as scaled
//! integers ([`Measure`], value × 10,000). Capaian is computed exactly with decimals; callers
//! round only for display ([`round_half_up`]: 6 decimals for the value, 2 for `_rounded`).
//! Every result carries its [`Derivation`]: the inputs, the formula and the output, so a score
//! always says how it was reached.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// A measured value with at most 4 decimals, stored as value × 10,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Measure(i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MeasureError {
    #[error("has more than 4 decimals")]
    TooPrecise,
    #[error("is out of range")]
    OutOfRange,
    #[error("must not be negative")]
    Negative,
}

impl Measure {
    pub const SCALE: i64 = 10_000;
    /// ±900 trillion: far beyond any count or rupiah amount an indicator holds.
    const MAX: i64 = 9_000_000_000_000_000_000 / 1_000;

    pub fn from_scaled(scaled: i64) -> Measure {
        Measure(scaled)
    }

    pub fn scaled(self) -> i64 {
        self.0
    }

    /// An exact decimal with at most 4 decimals, not negative.
    pub fn from_decimal(value: Decimal) -> Result<Measure, MeasureError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MeasureError::Negative);
        }
        let scaled = value * Decimal::from(Measure::SCALE);
        if scaled.fract() != Decimal::ZERO {
            return Err(MeasureError::TooPrecise);
        }
        let scaled = i64::try_from(scaled.trunc()).map_err(|_| MeasureError::OutOfRange)?;
        if scaled > Measure::MAX {
            return Err(MeasureError::OutOfRange);
        }
        Ok(Measure(scaled))
    }

    pub fn from_int(value: i64) -> Measure {
        Measure(value.saturating_mul(Measure::SCALE))
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 4).normalize()
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_decimal().fmt(f)
    }
}

/// Which way an indicator is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    /// "Kondisi khusus", e.g. days to issue a KTP.
    LowerIsBetter,
    Range,
    Qualitative,
}

/// What an indicator aims at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Value(Measure),
    Range { lo: Measure, hi: Measure },
    Qualitative,
}

/// What was achieved in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realisasi {
    Value(Measure),
    Achieved(bool),
}

/// How quarterly realisasi add up to the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Counts: documents issued.
    Sum,
    /// Rates: the mean of the quarters present.
    Average,
    /// Levels and cumulative values: the latest quarter present.
    Last,
}

/// Why a capaian cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CapaianError {
    #[error("a target of 0 is allowed only for lower-is-better indicators")]
    ZeroTarget,
    #[error("the target does not fit the direction")]
    TargetMismatch,
    #[error(
        "the realisasi does not fit the direction (a number, or achieved true/false for qualitative)"
    )]
    RealisasiMismatch,
    #[error("a range needs lo <= hi")]
    InvertedRange,
}

/// How a capaian was computed: shown with every score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivation {
    /// The formula in words, e.g. `realisasi / target × 100`.
    pub formula: &'static str,
    pub target: Option<Decimal>,
    pub target_max: Option<Decimal>,
    pub realisasi: Option<Decimal>,
    pub achieved: Option<bool>,
    /// The percentage before the cap.
    pub uncapped: Decimal,
    /// The cap applied for aggregation (configurable, 120 by default).
    pub cap: Decimal,
    /// The percentage after the cap.
    pub capped: Decimal,
}

/// The achievement of one indicator in one period, in percent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capaian {
    /// Uncapped, full precision.
    pub value: Decimal,
    /// Capped at the cycle's cap: what averages use.
    pub capped: Decimal,
    pub derivation: Derivation,
}

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

fn percent(numerator: Decimal, denominator: Decimal) -> Decimal {
    numerator / denominator * HUNDRED
}

/// Capaian of `realisasi` against `target` for an indicator going in `direction`, capped at `cap`.
pub fn capaian(
    direction: Direction,
    target: Target,
    realisasi: Realisasi,
    cap: Decimal,
) -> Result<Capaian, CapaianError> {
    let (formula, value, t, t_max, r, achieved) = match (direction, target, realisasi) {
        (Direction::Qualitative, Target::Qualitative, Realisasi::Achieved(a)) => (
            "achieved → 100, not achieved → 0",
            if a { HUNDRED } else { Decimal::ZERO },
            None,
            None,
            None,
            Some(a),
        ),
        (Direction::Qualitative, _, _) => return Err(CapaianError::TargetMismatch),
        (_, _, Realisasi::Achieved(_)) => return Err(CapaianError::RealisasiMismatch),
        (Direction::HigherIsBetter, Target::Value(t), Realisasi::Value(r)) => {
            if t.is_zero() {
                return Err(CapaianError::ZeroTarget);
            }
            let (t, r) = (t.to_decimal(), r.to_decimal());
            (
                "realisasi / target × 100",
                percent(r, t),
                Some(t),
                None,
                Some(r),
                None,
            )
        }
        (Direction::LowerIsBetter, Target::Value(t), Realisasi::Value(r)) => {
            let (t, r) = (t.to_decimal(), r.to_decimal());
            if t.is_zero() {
                // "0 temuan": nothing is the whole target, anything is none of it.
                let value = if r.is_zero() { HUNDRED } else { Decimal::ZERO };
                (
                    "target 0: realisasi 0 → 100, else 0",
                    value,
                    Some(t),
                    None,
                    Some(r),
                    None,
                )
            } else {
                let value = ((Decimal::ONE + (Decimal::ONE - r / t)) * HUNDRED).max(Decimal::ZERO);
                (
                    "(1 + (1 − realisasi / target)) × 100, at least 0",
                    value,
                    Some(t),
                    None,
                    Some(r),
                    None,
                )
            }
        }
        (Direction::Range, Target::Range { lo, hi }, Realisasi::Value(r)) => {
            if lo > hi {
                return Err(CapaianError::InvertedRange);
            }
            let (lo, hi, r) = (lo.to_decimal(), hi.to_decimal(), r.to_decimal());
            if r > hi {
                (
                    "above the range: realisasi / target_max × 100",
                    percent(r, hi),
                    Some(lo),
                    Some(hi),
                    Some(r),
                    None,
                )
            } else if r < lo {
                (
                    "below the range: realisasi / target × 100",
                    percent(r, lo),
                    Some(lo),
                    Some(hi),
                    Some(r),
                    None,
                )
            } else {
                (
                    "inside the range → 100",
                    HUNDRED,
                    Some(lo),
                    Some(hi),
                    Some(r),
                    None,
                )
            }
        }
        _ => return Err(CapaianError::TargetMismatch),
    };
    let capped = value.min(cap);
    Ok(Capaian {
        value,
        capped,
        derivation: Derivation {
            formula,
            target: t,
            target_max: t_max,
            realisasi: r,
            achieved,
            uncapped: value,
            cap,
            capped,
        },
    })
}

/// Where an indicator's realisasi comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Entered by people.
    Manual,
    /// The IKM of the OPD's service units (citizen survey), computed when read.
    Ikm,
}

/// Why an indicator's targets do not fit its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("a numeric target is required for this direction")]
    TargetRequired,
    #[error("a target of 0 is allowed only for lower-is-better indicators")]
    ZeroTarget,
    #[error("a range needs target (lo) and target_max (hi)")]
    TargetMaxRequired,
    #[error("target_max is used only by range indicators")]
    TargetMaxNotAllowed,
    #[error("a range needs target <= target_max")]
    InvertedRange,
    #[error("a qualitative indicator has no numeric target")]
    NumericTargetNotAllowed,
    #[error("an IKM indicator is higher-is-better")]
    IkmDirection,
}

impl TargetError {
    /// The field the error is about, and its stable code.
    pub fn field_and_code(self) -> (&'static str, &'static str) {
        match self {
            TargetError::TargetRequired => ("target", "required"),
            TargetError::ZeroTarget => ("target", "zero_not_allowed"),
            TargetError::TargetMaxRequired => ("target_max", "required"),
            TargetError::TargetMaxNotAllowed => ("target_max", "not_allowed"),
            TargetError::InvertedRange => ("target_max", "below_target"),
            TargetError::NumericTargetNotAllowed => ("target", "not_allowed"),
            TargetError::IkmDirection => ("direction", "ikm_needs_higher_is_better"),
        }
    }
}

/// Checks an indicator's targets against its direction and source, and gives its [`Target`].
pub fn target_of(
    direction: Direction,
    source: Source,
    target: Option<Measure>,
    target_max: Option<Measure>,
) -> Result<Target, TargetError> {
    if source == Source::Ikm && direction != Direction::HigherIsBetter {
        return Err(TargetError::IkmDirection);
    }
    match direction {
        Direction::HigherIsBetter | Direction::LowerIsBetter => {
            if target_max.is_some() {
                return Err(TargetError::TargetMaxNotAllowed);
            }
            let t = target.ok_or(TargetError::TargetRequired)?;
            if t.is_zero() && direction == Direction::HigherIsBetter {
                return Err(TargetError::ZeroTarget);
            }
            Ok(Target::Value(t))
        }
        Direction::Range => {
            let lo = target.ok_or(TargetError::TargetRequired)?;
            let hi = target_max.ok_or(TargetError::TargetMaxRequired)?;
            if lo > hi {
                return Err(TargetError::InvertedRange);
            }
            Ok(Target::Range { lo, hi })
        }
        Direction::Qualitative => {
            if target.is_some() || target_max.is_some() {
                return Err(TargetError::NumericTargetNotAllowed);
            }
            Ok(Target::Qualitative)
        }
    }
}

/// Adds up the quarters present (`None` = not recorded) as the aggregation says; `None` when no
/// quarter is present.
pub fn aggregate(aggregation: Aggregation, quarters: &[Option<Measure>]) -> Option<Decimal> {
    let present: Vec<Decimal> = quarters.iter().flatten().map(|m| m.to_decimal()).collect();
    if present.is_empty() {
        return None;
    }
    Some(match aggregation {
        Aggregation::Sum => present.iter().sum(),
        Aggregation::Average => present.iter().sum::<Decimal>() / Decimal::from(present.len()),
        Aggregation::Last => *present.last()?,
    })
}

/// Half-up rounding to `dp` decimals, for display (capaian: 6 and 2).
pub fn round_half_up(value: Decimal, dp: u32) -> Decimal {
    value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn m(s: &str) -> Measure {
        Measure::from_decimal(Decimal::from_str(s).unwrap()).unwrap()
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    const CAP: Decimal = Decimal::from_parts(120, 0, 0, false, 0);

    fn value(direction: Direction, target: Target, realisasi: Realisasi) -> Decimal {
        capaian(direction, target, realisasi, CAP).unwrap().value
    }

    #[test]
    fn measures_are_exact_with_four_decimals() {
        assert_eq!(m("12.3456").scaled(), 123_456);
        assert_eq!(m("0.1").scaled(), 1_000);
        assert_eq!(m("7").to_decimal(), d("7"));
        assert_eq!(
            Measure::from_decimal(d("1.23456")),
            Err(MeasureError::TooPrecise)
        );
        assert_eq!(Measure::from_decimal(d("-1")), Err(MeasureError::Negative));
        assert_eq!(
            Measure::from_decimal(d("1e20")),
            Err(MeasureError::OutOfRange)
        );
        assert_eq!(m("0.0001").to_string(), "0.0001");
    }

    #[test]
    fn higher_is_better() {
        let t = Target::Value(m("200"));
        assert_eq!(
            value(Direction::HigherIsBetter, t, Realisasi::Value(m("150"))),
            d("75")
        );
        assert_eq!(
            value(Direction::HigherIsBetter, t, Realisasi::Value(m("300"))),
            d("150")
        );
        let c = capaian(
            Direction::HigherIsBetter,
            t,
            Realisasi::Value(m("300")),
            CAP,
        )
        .unwrap();
        assert_eq!(
            (c.value, c.capped, c.derivation.uncapped),
            (d("150"), d("120"), d("150"))
        );
        assert_eq!(
            capaian(
                Direction::HigherIsBetter,
                Target::Value(m("0")),
                Realisasi::Value(m("1")),
                CAP
            ),
            Err(CapaianError::ZeroTarget)
        );
        // One third stays exact until it is rounded for display.
        let third = value(
            Direction::HigherIsBetter,
            Target::Value(m("3")),
            Realisasi::Value(m("1")),
        );
        assert_eq!(round_half_up(third, 6), d("33.333333"));
        assert_eq!(round_half_up(third, 2), d("33.33"));
    }

    #[test]
    fn lower_is_better_never_goes_below_zero() {
        // Days to issue a KTP: target 2 days.
        let t = Target::Value(m("2"));
        assert_eq!(
            value(Direction::LowerIsBetter, t, Realisasi::Value(m("1"))),
            d("150")
        );
        assert_eq!(
            value(Direction::LowerIsBetter, t, Realisasi::Value(m("2"))),
            d("100")
        );
        assert_eq!(
            value(Direction::LowerIsBetter, t, Realisasi::Value(m("3"))),
            d("50")
        );
        assert_eq!(
            value(Direction::LowerIsBetter, t, Realisasi::Value(m("5"))),
            d("0")
        );
        // "0 temuan".
        let zero = Target::Value(m("0"));
        assert_eq!(
            value(Direction::LowerIsBetter, zero, Realisasi::Value(m("0"))),
            d("100")
        );
        assert_eq!(
            value(Direction::LowerIsBetter, zero, Realisasi::Value(m("1"))),
            d("0")
        );
    }

    #[test]
    fn ranges() {
        let t = Target::Range {
            lo: m("80"),
            hi: m("90"),
        };
        assert_eq!(
            value(Direction::Range, t, Realisasi::Value(m("85"))),
            d("100")
        );
        assert_eq!(
            value(Direction::Range, t, Realisasi::Value(m("80"))),
            d("100")
        );
        assert_eq!(
            value(Direction::Range, t, Realisasi::Value(m("99"))),
            d("110")
        );
        assert_eq!(
            value(Direction::Range, t, Realisasi::Value(m("60"))),
            d("75")
        );
        assert_eq!(
            capaian(
                Direction::Range,
                Target::Range {
                    lo: m("9"),
                    hi: m("1")
                },
                Realisasi::Value(m("5")),
                CAP
            ),
            Err(CapaianError::InvertedRange)
        );
    }

    #[test]
    fn qualitative_and_mismatches() {
        assert_eq!(
            value(
                Direction::Qualitative,
                Target::Qualitative,
                Realisasi::Achieved(true)
            ),
            d("100")
        );
        assert_eq!(
            value(
                Direction::Qualitative,
                Target::Qualitative,
                Realisasi::Achieved(false)
            ),
            d("0")
        );
        assert_eq!(
            capaian(
                Direction::Qualitative,
                Target::Qualitative,
                Realisasi::Value(m("1")),
                CAP
            ),
            Err(CapaianError::TargetMismatch)
        );
        assert_eq!(
            capaian(
                Direction::HigherIsBetter,
                Target::Value(m("1")),
                Realisasi::Achieved(true),
                CAP
            ),
            Err(CapaianError::RealisasiMismatch)
        );
        assert_eq!(
            capaian(
                Direction::HigherIsBetter,
                Target::Qualitative,
                Realisasi::Value(m("1")),
                CAP
            ),
            Err(CapaianError::TargetMismatch)
        );
    }

    #[test]
    fn derivations_name_inputs_and_formula() {
        let c = capaian(
            Direction::LowerIsBetter,
            Target::Value(m("2")),
            Realisasi::Value(m("1.5")),
            CAP,
        )
        .unwrap();
        assert_eq!(c.derivation.target, Some(d("2")));
        assert_eq!(c.derivation.realisasi, Some(d("1.5")));
        assert!(c.derivation.formula.contains("1 −"));
        assert_eq!(c.value, d("125"));
    }

    #[test]
    fn quarters_add_up_by_aggregation() {
        let q = [Some(m("10")), None, Some(m("30")), Some(m("20"))];
        assert_eq!(aggregate(Aggregation::Sum, &q), Some(d("60")));
        assert_eq!(aggregate(Aggregation::Average, &q), Some(d("20")));
        assert_eq!(aggregate(Aggregation::Last, &q), Some(d("20")));
        let missing_last = [Some(m("10")), Some(m("15")), None, None];
        assert_eq!(aggregate(Aggregation::Last, &missing_last), Some(d("15")));
        assert_eq!(aggregate(Aggregation::Sum, &[None, None]), None);
        let thirds = [Some(m("1")), Some(m("1")), Some(m("2"))];
        assert_eq!(
            round_half_up(aggregate(Aggregation::Average, &thirds).unwrap(), 6),
            d("1.333333")
        );
    }

    #[test]
    fn targets_fit_their_direction() {
        let (h, l, r, q) = (
            Direction::HigherIsBetter,
            Direction::LowerIsBetter,
            Direction::Range,
            Direction::Qualitative,
        );
        let src = Source::Manual;
        assert_eq!(
            target_of(h, src, Some(m("95")), None),
            Ok(Target::Value(m("95")))
        );
        assert_eq!(
            target_of(h, src, None, None),
            Err(TargetError::TargetRequired)
        );
        assert_eq!(
            target_of(h, src, Some(m("0")), None),
            Err(TargetError::ZeroTarget)
        );
        assert_eq!(
            target_of(l, src, Some(m("0")), None),
            Ok(Target::Value(m("0")))
        );
        assert_eq!(
            target_of(l, src, Some(m("1")), Some(m("2"))),
            Err(TargetError::TargetMaxNotAllowed)
        );
        assert_eq!(
            target_of(r, src, Some(m("80")), Some(m("90"))),
            Ok(Target::Range {
                lo: m("80"),
                hi: m("90")
            })
        );
        assert_eq!(
            target_of(r, src, Some(m("80")), None),
            Err(TargetError::TargetMaxRequired)
        );
        assert_eq!(
            target_of(r, src, Some(m("90")), Some(m("80"))),
            Err(TargetError::InvertedRange)
        );
        assert_eq!(target_of(q, src, None, None), Ok(Target::Qualitative));
        assert_eq!(
            target_of(q, src, Some(m("1")), None),
            Err(TargetError::NumericTargetNotAllowed)
        );
        assert_eq!(
            target_of(l, Source::Ikm, Some(m("80")), None),
            Err(TargetError::IkmDirection)
        );
        assert_eq!(
            target_of(h, Source::Ikm, Some(m("80")), None),
            Ok(Target::Value(m("80")))
        );
    }

    #[test]
    fn rounding_is_half_up() {
        assert_eq!(round_half_up(d("84.125"), 2), d("84.13"));
        assert_eq!(round_half_up(d("84.124999"), 2), d("84.12"));
        assert_eq!(round_half_up(d("109.995"), 2), d("110.00"));
    }
}
