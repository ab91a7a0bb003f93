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
    let realisasi = match realisasi {
        Realisasi::Value(v) => Real::Value(v.to_decimal()),
        Realisasi::Achieved(a) => Real::Achieved(a),
    };
    compute(direction, target, realisasi, cap)
}

/// A realisasi as the formulas use it: an aggregate of quarters may need more than 4 decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Real {
    Value(Decimal),
    Achieved(bool),
}

fn compute(
    direction: Direction,
    target: Target,
    realisasi: Real,
    cap: Decimal,
) -> Result<Capaian, CapaianError> {
    let (formula, value, t, t_max, r, achieved) = match (direction, target, realisasi) {
        (Direction::Qualitative, Target::Qualitative, Real::Achieved(a)) => (
            "achieved → 100, not achieved → 0",
            if a { HUNDRED } else { Decimal::ZERO },
            None,
            None,
            None,
            Some(a),
        ),
        (Direction::Qualitative, _, _) => return Err(CapaianError::TargetMismatch),
        (_, _, Real::Achieved(_)) => return Err(CapaianError::RealisasiMismatch),
        (Direction::HigherIsBetter, Target::Value(t), Real::Value(r)) => {
            if t.is_zero() {
                return Err(CapaianError::ZeroTarget);
            }
            let t = t.to_decimal();
            (
                "realisasi / target × 100",
                percent(r, t),
                Some(t),
                None,
                Some(r),
                None,
            )
        }
        (Direction::LowerIsBetter, Target::Value(t), Real::Value(r)) => {
            let t = t.to_decimal();
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
        (Direction::Range, Target::Range { lo, hi }, Real::Value(r)) => {
            if lo > hi {
                return Err(CapaianError::InvertedRange);
            }
            let (lo, hi) = (lo.to_decimal(), hi.to_decimal());
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

/// How a posted realisasi fails to fit its indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealisasiError {
    /// A qualitative indicator takes `achieved` (true or false).
    AchievedRequired,
    /// ... and no value.
    ValueNotAllowed,
    /// A numeric indicator takes a value.
    ValueRequired,
    /// ... and no `achieved`.
    AchievedNotAllowed,
}

/// What a realisasi for an indicator going in `direction` must carry (DOMAIN §2.1): `achieved`
/// and no value when qualitative, a value and no `achieved` otherwise. Every mismatch, in that
/// order; none when it fits.
pub fn realisasi_shape(
    direction: Direction,
    has_value: bool,
    achieved: Option<bool>,
) -> Vec<RealisasiError> {
    let qualitative = direction == Direction::Qualitative;
    let mut errors = Vec::new();
    match (qualitative, has_value, achieved.is_some()) {
        (true, v, a) => {
            if !a {
                errors.push(RealisasiError::AchievedRequired);
            }
            if v {
                errors.push(RealisasiError::ValueNotAllowed);
            }
        }
        (false, v, a) => {
            if a {
                errors.push(RealisasiError::AchievedNotAllowed);
            }
            if !v {
                errors.push(RealisasiError::ValueRequired);
            }
        }
    }
    errors
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

named_enum! {
    /// A period of a cycle: three quarters, then `q4`, the annual evaluation.
    Period {
        Q1 = ("q1", "Triwulan I"),
        Q2 = ("q2", "Triwulan II"),
        Q3 = ("q3", "Triwulan III"),
        Q4 = ("q4", "Tahunan (Triwulan IV)"),
    }
}

impl Period {
    /// 0 for q1 .. 3 for q4.
    pub fn index(self) -> usize {
        match self {
            Period::Q1 => 0,
            Period::Q2 => 1,
            Period::Q3 => 2,
            Period::Q4 => 3,
        }
    }

    /// The last day of the period in `year`: 31 March, 30 June, 30 September, and 31 December
    /// for q4 (the annual evaluation ends with the year).
    pub fn last_day(self, year: i32) -> Option<chrono::NaiveDate> {
        let (month, day) = match self {
            Period::Q1 => (3, 31),
            Period::Q2 => (6, 30),
            Period::Q3 => (9, 30),
            Period::Q4 => (12, 31),
        };
        chrono::NaiveDate::from_ymd_opt(year, month, day)
    }
}

/// What an indicator plans for the year (an SKP indicator or a Perjanjian Kinerja row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndicatorPlan {
    pub direction: Direction,
    /// The annual target.
    pub target: Target,
    pub aggregation: Aggregation,
    /// Own targets of q1..q3, when set.
    pub period_targets: [Option<Measure>; 3],
}

/// The capaian of one period with what it was computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodCapaian {
    pub period: Period,
    pub capaian: Capaian,
    /// For q4: how the quarters were added up (`None` for a quarter, which stands alone).
    pub aggregation: Option<Aggregation>,
    /// For q4: the quarters' realisasi that went into the aggregate (`None` = not recorded).
    pub quarters: Option<[Option<Decimal>; 4]>,
}

/// The capaian of an indicator for `period` (DOMAIN §2.1). A quarter (q1..q3) is measured against
/// its own target and has none without one (nor without realisasi); a range or qualitative
/// indicator has no quarter targets, so only its annual figure. q4, the annual evaluation,
/// aggregates the q1..q4 realisasi present against the annual target; a qualitative indicator's
/// year is the latest `achieved` recorded. `Ok(None)`: nothing to show for the period.
pub fn period_capaian(
    plan: &IndicatorPlan,
    realisasi: &[Option<Realisasi>; 4],
    period: Period,
    cap: Decimal,
) -> Result<Option<PeriodCapaian>, CapaianError> {
    if period != Period::Q4 {
        let i = period.index();
        let (Some(r), Some(t)) = (realisasi[i], plan.period_targets[i]) else {
            return Ok(None);
        };
        if !matches!(
            plan.direction,
            Direction::HigherIsBetter | Direction::LowerIsBetter
        ) {
            return Ok(None);
        }
        return Ok(Some(PeriodCapaian {
            period,
            capaian: capaian(plan.direction, Target::Value(t), r, cap)?,
            aggregation: None,
            quarters: None,
        }));
    }
    if plan.direction == Direction::Qualitative {
        let Some(latest) = realisasi.iter().rev().flatten().next() else {
            return Ok(None);
        };
        return Ok(Some(PeriodCapaian {
            period,
            capaian: capaian(plan.direction, plan.target, *latest, cap)?,
            aggregation: None,
            quarters: None,
        }));
    }
    let mut values = [None; 4];
    for (slot, r) in values.iter_mut().zip(realisasi) {
        *slot = match r {
            Some(Realisasi::Value(v)) => Some(*v),
            Some(Realisasi::Achieved(_)) => return Err(CapaianError::RealisasiMismatch),
            None => None,
        };
    }
    let Some(annual) = aggregate(plan.aggregation, &values) else {
        return Ok(None);
    };
    Ok(Some(PeriodCapaian {
        period,
        capaian: compute(plan.direction, plan.target, Real::Value(annual), cap)?,
        aggregation: Some(plan.aggregation),
        quarters: Some(values.map(|v| v.map(Measure::to_decimal))),
    }))
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

    fn plan(direction: Direction, target: Target, aggregation: Aggregation) -> IndicatorPlan {
        IndicatorPlan {
            direction,
            target,
            aggregation,
            period_targets: [Some(m("90")), None, Some(m("94"))],
        }
    }

    fn year(values: [Option<&str>; 4]) -> [Option<Realisasi>; 4] {
        values.map(|v| v.map(|v| Realisasi::Value(m(v))))
    }

    fn at(plan: &IndicatorPlan, r: &[Option<Realisasi>; 4], period: Period) -> Option<Decimal> {
        period_capaian(plan, r, period, CAP)
            .unwrap()
            .map(|c| c.capaian.value)
    }

    #[test]
    fn a_quarter_is_measured_against_its_own_target_or_not_at_all() {
        let ktp = plan(
            Direction::HigherIsBetter,
            Target::Value(m("95")),
            Aggregation::Average,
        );
        let r = year([Some("91.8"), Some("93"), None, None]);
        assert_eq!(at(&ktp, &r, Period::Q1), Some(d("102")));
        assert_eq!(at(&ktp, &r, Period::Q2), None, "no q2 target");
        assert_eq!(at(&ktp, &r, Period::Q3), None, "no q3 realisasi");
        // Lower is better against the quarter's own target.
        let akta = IndicatorPlan {
            period_targets: [Some(m("3")), None, None],
            ..plan(
                Direction::LowerIsBetter,
                Target::Value(m("2")),
                Aggregation::Average,
            )
        };
        assert_eq!(
            at(&akta, &year([Some("2.4"), None, None, None]), Period::Q1),
            Some(d("120"))
        );
        // Range and qualitative indicators have no quarter figure.
        let range = plan(
            Direction::Range,
            Target::Range {
                lo: m("80"),
                hi: m("90"),
            },
            Aggregation::Last,
        );
        assert_eq!(
            at(&range, &year([Some("85"), None, None, None]), Period::Q1),
            None
        );
    }

    #[test]
    fn the_year_aggregates_the_quarters_present_against_the_annual_target() {
        let r = year([Some("90"), Some("92"), None, Some("97")]);
        // average of 90, 92, 97 = 93 → 93 / 95.
        let average = period_capaian(
            &plan(
                Direction::HigherIsBetter,
                Target::Value(m("95")),
                Aggregation::Average,
            ),
            &r,
            Period::Q4,
            CAP,
        )
        .unwrap()
        .unwrap();
        assert_eq!(average.capaian.derivation.realisasi, Some(d("93")));
        assert_eq!(round_half_up(average.capaian.value, 6), d("97.894737"));
        assert_eq!(average.aggregation, Some(Aggregation::Average));
        assert_eq!(
            average.quarters,
            Some([Some(d("90")), Some(d("92")), None, Some(d("97"))])
        );
        // sum: 279 documents of 250 → 111.6, capped at 120 only when above.
        let sum = plan(
            Direction::HigherIsBetter,
            Target::Value(m("250")),
            Aggregation::Sum,
        );
        assert_eq!(at(&sum, &r, Period::Q4), Some(d("111.6")));
        // last: the latest quarter present.
        let last = plan(
            Direction::HigherIsBetter,
            Target::Value(m("100")),
            Aggregation::Last,
        );
        assert_eq!(at(&last, &r, Period::Q4), Some(d("97")));
        // An average needing more than 4 decimals stays exact: (1 + 2 + 2) / 3 days against 2.
        let days = plan(
            Direction::LowerIsBetter,
            Target::Value(m("2")),
            Aggregation::Average,
        );
        let c = period_capaian(
            &days,
            &year([Some("1"), Some("2"), Some("2"), None]),
            Period::Q4,
            CAP,
        )
        .unwrap()
        .unwrap();
        assert_eq!(round_half_up(c.capaian.value, 6), d("116.666667"));
        // Nothing recorded: nothing to show.
        assert_eq!(at(&last, &[None; 4], Period::Q4), None);
    }

    #[test]
    fn a_qualitative_year_is_the_latest_achieved() {
        let q = IndicatorPlan {
            direction: Direction::Qualitative,
            target: Target::Qualitative,
            aggregation: Aggregation::Last,
            period_targets: [None; 3],
        };
        let r = [
            Some(Realisasi::Achieved(true)),
            None,
            Some(Realisasi::Achieved(false)),
            None,
        ];
        assert_eq!(at(&q, &r, Period::Q4), Some(d("0")));
        assert_eq!(at(&q, &r, Period::Q1), None);
        // A number where achieved is expected, and the other way round, is refused.
        let numeric = plan(
            Direction::HigherIsBetter,
            Target::Value(m("10")),
            Aggregation::Sum,
        );
        assert_eq!(
            period_capaian(&numeric, &r, Period::Q4, CAP),
            Err(CapaianError::RealisasiMismatch)
        );
    }

    #[test]
    fn a_realisasi_carries_what_its_direction_needs() {
        use RealisasiError::*;
        assert!(realisasi_shape(Direction::HigherIsBetter, true, None).is_empty());
        assert!(realisasi_shape(Direction::Qualitative, false, Some(false)).is_empty());
        assert_eq!(
            realisasi_shape(Direction::Qualitative, true, None),
            [AchievedRequired, ValueNotAllowed]
        );
        assert_eq!(
            realisasi_shape(Direction::LowerIsBetter, false, Some(true)),
            [AchievedNotAllowed, ValueRequired]
        );
        assert_eq!(
            realisasi_shape(Direction::Range, false, None),
            [ValueRequired]
        );
    }

    #[test]
    fn periods_are_named_as_the_api_names_them() {
        assert_eq!(
            Period::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            ["q1", "q2", "q3", "q4"]
        );
        assert_eq!(Period::parse("q4"), Some(Period::Q4));
        assert_eq!(Period::Q3.index(), 2);
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
    fn periods_end_with_their_quarter() {
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d);
        assert_eq!(Period::Q1.last_day(2026), day(3, 31));
        assert_eq!(Period::Q2.last_day(2026), day(6, 30));
        assert_eq!(Period::Q3.last_day(2026), day(9, 30));
        assert_eq!(Period::Q4.last_day(2026), day(12, 31));
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
