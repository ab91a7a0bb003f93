//! The assessment of an SKP for a period (DOMAIN §2.2 and §2.4): the suggested work rating and
//! how it was derived, the predikat from the two ratings, the evaluation's life
//! (`open` → `assessed` → `finalized`, reopened by an admin), and the objection (keberatan) with
//! its windows in WIB.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::capaian::{Period, round_half_up};
pub use crate::cycle::Rating;
use crate::cycle::WorkRatingThresholds;

named_enum! {
    /// Predikat kinerja pegawai.
    Predikat {
        SangatBaik = ("sangat_baik", "Sangat Baik"),
        Baik = ("baik", "Baik"),
        ButuhPerbaikan = ("butuh_perbaikan", "Butuh Perbaikan"),
        Kurang = ("kurang", "Kurang/Misconduct"),
        SangatKurang = ("sangat_kurang", "Sangat Kurang"),
    }
}

/// The predikat from the quadrant of PermenPANRB 6/2022 (rows: hasil kerja; columns: perilaku).
pub fn predikat(work: Rating, behavior: Rating) -> Predikat {
    use Rating::{
        DiAtasEkspektasi as Atas, DiBawahEkspektasi as Bawah, SesuaiEkspektasi as Sesuai,
    };
    match (work, behavior) {
        (Atas, Atas) => Predikat::SangatBaik,
        (Atas | Sesuai, Sesuai) | (Sesuai, Atas) => Predikat::Baik,
        (Atas | Sesuai, Bawah) => Predikat::Kurang,
        (Bawah, Bawah) => Predikat::SangatKurang,
        (Bawah, Sesuai | Atas) => Predikat::ButuhPerbaikan,
    }
}

/// The suggested work rating with what it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The capped capaian that went in (indicators of utama RHK with a capaian this period).
    pub inputs: usize,
    /// Their plain mean, full precision.
    pub mean: Decimal,
    /// The mean at 2 decimals (half up): the figure the thresholds judge.
    pub mean_rounded: Decimal,
    pub di_atas: Decimal,
    pub sesuai: Decimal,
    pub rating: Rating,
}

/// The suggested work rating from the capped capaian of the utama RHK's indicators that have one
/// for the period: mean ≥ `di_atas` → di atas, ≥ `sesuai` → sesuai, else di bawah (judged on the
/// 2-decimal mean). None without any capaian.
pub fn suggest_work_rating(capped: &[Decimal], t: &WorkRatingThresholds) -> Option<Suggestion> {
    if capped.is_empty() {
        return None;
    }
    let mean = capped.iter().sum::<Decimal>() / Decimal::from(capped.len());
    let mean_rounded = round_half_up(mean, 2);
    let rating = if mean_rounded >= t.di_atas {
        Rating::DiAtasEkspektasi
    } else if mean_rounded >= t.sesuai {
        Rating::SesuaiEkspektasi
    } else {
        Rating::DiBawahEkspektasi
    };
    Some(Suggestion {
        inputs: capped.len(),
        mean,
        mean_rounded,
        di_atas: t.di_atas,
        sesuai: t.sesuai,
        rating,
    })
}

/// Whether a decided work rating needs a reason: it differs from the suggestion.
pub fn override_needs_reason(suggested: Option<Rating>, decided: Rating) -> bool {
    suggested.is_some_and(|s| s != decided)
}

named_enum! {
    /// The life of an evaluation.
    EvaluationStatus {
        Open = ("open", "Terbuka"),
        Assessed = ("assessed", "Sudah Dinilai"),
        Finalized = ("finalized", "Final"),
        Void = ("void", "Batal"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum EvaluationError {
    #[error("the evaluation is finalised: reopen it first")]
    Finalized,
    #[error("the evaluation is void: the SKP ended before this period")]
    Void,
    #[error("the penilai has already rated: the self-assessment is closed")]
    AlreadyAssessed,
    #[error("the evaluation is not assessed yet")]
    NotAssessed,
    #[error("only a finalised evaluation is reopened")]
    NotFinalized,
}

impl EvaluationStatus {
    fn editable(self) -> Result<(), EvaluationError> {
        match self {
            EvaluationStatus::Finalized => Err(EvaluationError::Finalized),
            EvaluationStatus::Void => Err(EvaluationError::Void),
            _ => Ok(()),
        }
    }

    /// The pegawai's self-assessment: before the penilai rates.
    pub fn self_assess(self) -> Result<EvaluationStatus, EvaluationError> {
        self.editable()?;
        match self {
            EvaluationStatus::Open => Ok(EvaluationStatus::Open),
            _ => Err(EvaluationError::AlreadyAssessed),
        }
    }

    /// The penilai's ratings (again, until finalised).
    pub fn assess(self) -> Result<EvaluationStatus, EvaluationError> {
        self.editable()?;
        Ok(EvaluationStatus::Assessed)
    }

    /// Finalising locks an assessed evaluation.
    pub fn finalize(self) -> Result<EvaluationStatus, EvaluationError> {
        self.editable()?;
        match self {
            EvaluationStatus::Assessed => Ok(EvaluationStatus::Finalized),
            _ => Err(EvaluationError::NotAssessed),
        }
    }

    /// Reopening (an admin, with a reason) unlocks a finalised evaluation, ratings kept.
    pub fn reopen(self) -> Result<EvaluationStatus, EvaluationError> {
        match self {
            EvaluationStatus::Finalized => Ok(EvaluationStatus::Assessed),
            _ => Err(EvaluationError::NotFinalized),
        }
    }

    /// Whether the period's realisasi may still change.
    pub fn locks_realisasi(self) -> bool {
        self == EvaluationStatus::Finalized
    }
}

/// The first and last day of a period of the cycle's `year` (q4 is the fourth quarter; as the
/// annual evaluation it judges the whole year, but an SKP takes part in it only if in force then).
pub fn period_days(year: i32, period: Period) -> Option<(NaiveDate, NaiveDate)> {
    let first_month = 3 * period.index() as u32 + 1;
    let first = NaiveDate::from_ymd_opt(year, first_month, 1)?;
    let next = if period == Period::Q4 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, first_month + 3, 1)?
    };
    Some((first, next.pred_opt()?))
}

/// The periods an SKP running from `start` to `end` (open-ended: the year's end) is evaluated in:
/// every quarter its dates overlap.
pub fn evaluated_periods(year: i32, start: NaiveDate, end: Option<NaiveDate>) -> Vec<Period> {
    Period::ALL
        .iter()
        .copied()
        .filter(|p| {
            period_days(year, *p)
                .is_some_and(|(first, last)| start <= last && end.is_none_or(|e| e >= first))
        })
        .collect()
}

/// Western Indonesia Time is UTC+7, all year: the windows are counted in its calendar days.
const WIB_OFFSET_HOURS: i64 = 7;

/// The business date of an instant: its calendar day in WIB.
pub fn wib_date(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(WIB_OFFSET_HOURS)).date_naive()
}

/// The last instant of the WIB calendar day `days` after the WIB date of `from` (day 0):
/// 23:59:59 WIB.
pub fn end_of_wib_day(from: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let date = wib_date(from) + Duration::days(i64::from(days));
    let end = date.and_time(NaiveTime::MIN) + Duration::days(1) - Duration::seconds(1);
    (end - Duration::hours(WIB_OFFSET_HOURS)).and_utc()
}

named_enum! {
    /// The life of an objection (keberatan).
    ObjectionStatus {
        Filed = ("filed", "Diajukan"),
        Explained = ("explained", "Sudah Ditanggapi Penilai"),
        Accepted = ("accepted", "Diterima"),
        Rejected = ("rejected", "Ditolak"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ObjectionError {
    #[error("the objection window has closed")]
    WindowClosed,
    #[error("only a finalised evaluation is objected to")]
    NotFinalized,
    #[error("this evaluation already has an objection")]
    AlreadyFiled,
    #[error("the penilai has already explained")]
    AlreadyExplained,
    #[error("the objection is decided: the decision is final")]
    Decided,
    #[error("the decision waits for the penilai's explanation or the end of its 7 days")]
    AwaitingExplanation,
}

/// The windows of an objection (DOMAIN §2.4): filing closes 23:59:59 WIB of day `window_days`
/// after finalisation (day 0); the penilai explains within 7 days of filing; the decision is due
/// within `decision_days` of filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectionWindows {
    pub window_days: u32,
    pub decision_days: u32,
}

/// Days the penilai has to explain, from filing.
pub const EXPLANATION_DAYS: u32 = 7;

impl ObjectionWindows {
    /// The last instant to file.
    pub fn filing_deadline(&self, finalized_at: DateTime<Utc>) -> DateTime<Utc> {
        end_of_wib_day(finalized_at, self.window_days)
    }

    /// Filing is open until the deadline, on a finalised evaluation without an objection.
    pub fn may_file(
        &self,
        status: EvaluationStatus,
        finalized_at: Option<DateTime<Utc>>,
        already: bool,
        now: DateTime<Utc>,
    ) -> Result<(), ObjectionError> {
        let (EvaluationStatus::Finalized, Some(at)) = (status, finalized_at) else {
            return Err(ObjectionError::NotFinalized);
        };
        if already {
            return Err(ObjectionError::AlreadyFiled);
        }
        if now > self.filing_deadline(at) {
            return Err(ObjectionError::WindowClosed);
        }
        Ok(())
    }

    pub fn explanation_due(&self, filed_at: DateTime<Utc>) -> DateTime<Utc> {
        end_of_wib_day(filed_at, EXPLANATION_DAYS)
    }

    pub fn decision_due(&self, filed_at: DateTime<Utc>) -> DateTime<Utc> {
        end_of_wib_day(filed_at, self.decision_days)
    }
}

impl ObjectionStatus {
    pub fn is_open(self) -> bool {
        matches!(self, ObjectionStatus::Filed | ObjectionStatus::Explained)
    }

    /// The penilai's written explanation, once.
    pub fn explain(self) -> Result<ObjectionStatus, ObjectionError> {
        match self {
            ObjectionStatus::Filed => Ok(ObjectionStatus::Explained),
            ObjectionStatus::Explained => Err(ObjectionError::AlreadyExplained),
            _ => Err(ObjectionError::Decided),
        }
    }

    /// The atasan's decision: after the explanation, or once its days have passed without one.
    pub fn decide(
        self,
        accepted: bool,
        explanation_overdue: bool,
    ) -> Result<ObjectionStatus, ObjectionError> {
        match self {
            ObjectionStatus::Filed if !explanation_overdue => {
                Err(ObjectionError::AwaitingExplanation)
            }
            ObjectionStatus::Filed | ObjectionStatus::Explained => Ok(if accepted {
                ObjectionStatus::Accepted
            } else {
                ObjectionStatus::Rejected
            }),
            _ => Err(ObjectionError::Decided),
        }
    }
}

/// Of one employee's SKPs in a cycle (their start and end dates), the index of the one whose
/// evaluation is the annual one: the SKP active at year end (DOMAIN §2, transfers). An open-ended
/// SKP runs to the end of the cycle, so it beats any end date; then the later end, then the later
/// start. `None` for no SKP.
pub fn active_at_year_end(spans: &[(NaiveDate, Option<NaiveDate>)]) -> Option<usize> {
    spans
        .iter()
        .enumerate()
        .max_by_key(|(_, (start, end))| (end.is_none(), *end, *start))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Rating::{
        DiAtasEkspektasi as Atas, DiBawahEkspektasi as Bawah, SesuaiEkspektasi as Sesuai,
    };
    use chrono::TimeZone;

    #[test]
    fn the_annual_evaluation_is_that_of_the_skp_active_at_year_end() {
        let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(active_at_year_end(&[]), None);
        // Transferred in October: the new, open-ended SKP counts.
        assert_eq!(
            active_at_year_end(&[(d(1, 1), Some(d(10, 15))), (d(10, 16), None)]),
            Some(1)
        );
        assert_eq!(
            active_at_year_end(&[(d(10, 16), None), (d(1, 1), Some(d(10, 15)))]),
            Some(0)
        );
        // Both ended: the later end; the same end: the later start.
        assert_eq!(
            active_at_year_end(&[(d(1, 1), Some(d(12, 31))), (d(2, 1), Some(d(11, 30)))]),
            Some(0)
        );
        assert_eq!(
            active_at_year_end(&[(d(11, 1), Some(d(12, 31))), (d(1, 1), Some(d(12, 31)))]),
            Some(0)
        );
    }

    #[test]
    fn the_nine_cells_of_the_quadrant() {
        let cases = [
            (Atas, Bawah, Predikat::Kurang),
            (Atas, Sesuai, Predikat::Baik),
            (Atas, Atas, Predikat::SangatBaik),
            (Sesuai, Bawah, Predikat::Kurang),
            (Sesuai, Sesuai, Predikat::Baik),
            (Sesuai, Atas, Predikat::Baik),
            (Bawah, Bawah, Predikat::SangatKurang),
            (Bawah, Sesuai, Predikat::ButuhPerbaikan),
            (Bawah, Atas, Predikat::ButuhPerbaikan),
        ];
        for (work, behavior, expected) in cases {
            assert_eq!(
                predikat(work, behavior),
                expected,
                "{work:?} × {behavior:?}"
            );
        }
        assert_eq!(Predikat::Kurang.label(), "Kurang/Misconduct");
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn the_suggestion_is_judged_on_the_two_decimal_mean() {
        let t = crate::cycle::Settings::default().work_rating_thresholds;
        assert_eq!(suggest_work_rating(&[], &t), None);
        let s = suggest_work_rating(&[d("120"), d("100")], &t).unwrap();
        assert_eq!((s.inputs, s.mean, s.rating), (2, d("110"), Atas));
        // 109.995 rounds half up to 110.00: di atas.
        let s = suggest_work_rating(&[d("109.995")], &t).unwrap();
        assert_eq!((s.mean_rounded, s.rating), (d("110.00"), Atas));
        let s = suggest_work_rating(&[d("109.994")], &t).unwrap();
        assert_eq!(s.rating, Sesuai);
        assert_eq!(suggest_work_rating(&[d("90")], &t).unwrap().rating, Sesuai);
        assert_eq!(
            suggest_work_rating(&[d("89.994")], &t).unwrap().rating,
            Bawah
        );
        // A third: 100/3 = 33.333… exactly in the mean, 33.33 judged.
        let s = suggest_work_rating(&[d("100"), d("0"), d("0")], &t).unwrap();
        assert_eq!(s.mean_rounded, d("33.33"));
        assert!(override_needs_reason(Some(Atas), Sesuai));
        assert!(!override_needs_reason(Some(Atas), Atas));
        assert!(!override_needs_reason(None, Bawah));
    }

    #[test]
    fn an_evaluation_is_assessed_finalised_and_reopened() {
        use EvaluationStatus::*;
        assert_eq!(Open.self_assess(), Ok(Open));
        assert_eq!(
            Assessed.self_assess(),
            Err(EvaluationError::AlreadyAssessed)
        );
        assert_eq!(Open.assess(), Ok(Assessed));
        assert_eq!(Assessed.assess(), Ok(Assessed));
        assert_eq!(Open.finalize(), Err(EvaluationError::NotAssessed));
        assert_eq!(Assessed.finalize(), Ok(Finalized));
        assert_eq!(Finalized.assess(), Err(EvaluationError::Finalized));
        assert_eq!(Finalized.self_assess(), Err(EvaluationError::Finalized));
        assert_eq!(Finalized.finalize(), Err(EvaluationError::Finalized));
        assert_eq!(Finalized.reopen(), Ok(Assessed));
        assert_eq!(Assessed.reopen(), Err(EvaluationError::NotFinalized));
        assert_eq!(Void.assess(), Err(EvaluationError::Void));
        assert!(Finalized.locks_realisasi() && !Assessed.locks_realisasi());
    }

    #[test]
    fn the_worked_date_of_the_objection_window() {
        let w = ObjectionWindows {
            window_days: 14,
            decision_days: 14,
        };
        // Finalised 2026-04-10 (any hour WIB) → last filing 2026-04-24 23:59:59 WIB.
        let finalized = Utc.with_ymd_and_hms(2026, 4, 10, 2, 0, 0).unwrap();
        let last = Utc.with_ymd_and_hms(2026, 4, 24, 16, 59, 59).unwrap();
        assert_eq!(w.filing_deadline(finalized), last);
        // 23:30 WIB on the 10th is 16:30 UTC: still day 0.
        let late_evening = Utc.with_ymd_and_hms(2026, 4, 10, 16, 30, 0).unwrap();
        assert_eq!(w.filing_deadline(late_evening), last);
        // 00:30 WIB on the 11th is 17:30 UTC on the 10th: day 0 is the 11th.
        let after_midnight = Utc.with_ymd_and_hms(2026, 4, 10, 17, 30, 0).unwrap();
        assert_eq!(w.filing_deadline(after_midnight), last + Duration::days(1));
        let f = EvaluationStatus::Finalized;
        assert_eq!(w.may_file(f, Some(finalized), false, last), Ok(()));
        assert_eq!(
            w.may_file(f, Some(finalized), false, last + Duration::seconds(1)),
            Err(ObjectionError::WindowClosed)
        );
        assert_eq!(
            w.may_file(f, Some(finalized), true, finalized),
            Err(ObjectionError::AlreadyFiled)
        );
        assert_eq!(
            w.may_file(EvaluationStatus::Assessed, None, false, finalized),
            Err(ObjectionError::NotFinalized)
        );
        let filed = Utc.with_ymd_and_hms(2026, 4, 20, 3, 0, 0).unwrap();
        assert_eq!(
            w.explanation_due(filed),
            Utc.with_ymd_and_hms(2026, 4, 27, 16, 59, 59).unwrap()
        );
        assert_eq!(
            w.decision_due(filed),
            Utc.with_ymd_and_hms(2026, 5, 4, 16, 59, 59).unwrap()
        );
    }

    #[test]
    fn an_skp_is_evaluated_in_the_quarters_it_overlaps() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(period_days(2026, Period::Q1), Some((day(1, 1), day(3, 31))));
        assert_eq!(
            period_days(2026, Period::Q4),
            Some((day(10, 1), day(12, 31)))
        );
        assert_eq!(
            evaluated_periods(2026, day(1, 2), None),
            Period::ALL.to_vec()
        );
        // Transferred on 15 May: the first SKP ends on the 14th, the next starts on the 15th.
        assert_eq!(
            evaluated_periods(2026, day(1, 2), Some(day(5, 14))),
            [Period::Q1, Period::Q2]
        );
        assert_eq!(
            evaluated_periods(2026, day(5, 15), None),
            [Period::Q2, Period::Q3, Period::Q4]
        );
        assert_eq!(
            evaluated_periods(2026, day(4, 1), Some(day(6, 30))),
            [Period::Q2]
        );
    }

    #[test]
    fn an_objection_is_explained_then_decided_once() {
        use ObjectionStatus::*;
        assert_eq!(Filed.explain(), Ok(Explained));
        assert_eq!(Explained.explain(), Err(ObjectionError::AlreadyExplained));
        assert_eq!(
            Filed.decide(true, false),
            Err(ObjectionError::AwaitingExplanation)
        );
        assert_eq!(Filed.decide(false, true), Ok(Rejected));
        assert_eq!(Explained.decide(true, false), Ok(Accepted));
        assert_eq!(Accepted.decide(false, true), Err(ObjectionError::Decided));
        assert_eq!(Rejected.explain(), Err(ObjectionError::Decided));
        assert!(Filed.is_open() && Explained.is_open() && !Accepted.is_open());
    }
}
