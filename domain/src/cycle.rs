//! The annual performance cycle (DOMAIN §8): its settings with the regulation's defaults, and
//! its life: `planning` → `running` → `closed`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The configurable thresholds of a cycle, with the defaults of DOMAIN §8. Percentages are whole
/// or decimal percents (`110` means 110%).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub work_rating_thresholds: WorkRatingThresholds,
    #[serde(with = "rust_decimal::serde::str")]
    pub capaian_cap: Decimal,
    pub org_predikat_thresholds: OrgPredikatThresholds,
    pub head_rating_from_org: HeadRatingFromOrg,
    pub curve_enforcement: CurveEnforcement,
    pub curve_min_headcount: u32,
    pub objection_window_days: u32,
    pub objection_decision_days: u32,
    #[serde(with = "rust_decimal::serde::str")]
    pub jp_minimum_pns: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub jp_minimum_pppk: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub jp_cap_pppk: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub weak_indicator_capaian: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkRatingThresholds {
    /// Mean capaian at or above this: di atas ekspektasi.
    #[serde(with = "rust_decimal::serde::str")]
    pub di_atas: Decimal,
    /// At or above this: sesuai ekspektasi; below: di bawah.
    #[serde(with = "rust_decimal::serde::str")]
    pub sesuai: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgPredikatThresholds {
    #[serde(with = "rust_decimal::serde::str")]
    pub istimewa: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub baik: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub butuh_perbaikan: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub kurang: Decimal,
}

named_enum! {
    /// A rating of hasil kerja or perilaku kerja (DOMAIN §2.2).
    Rating {
        DiAtasEkspektasi = ("di_atas_ekspektasi", "Di Atas Ekspektasi"),
        SesuaiEkspektasi = ("sesuai_ekspektasi", "Sesuai Ekspektasi"),
        DiBawahEkspektasi = ("di_bawah_ekspektasi", "Di Bawah Ekspektasi"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadRatingFromOrg {
    pub istimewa: Rating,
    pub baik: Rating,
    pub butuh_perbaikan: Rating,
    pub kurang: Rating,
    pub sangat_kurang: Rating,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CurveEnforcement {
    /// A breach blocks calibration unless the leader above records an override.
    Block,
    /// A breach is reported only.
    Warn,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            work_rating_thresholds: WorkRatingThresholds {
                di_atas: Decimal::from(110),
                sesuai: Decimal::from(90),
            },
            capaian_cap: Decimal::from(120),
            org_predikat_thresholds: OrgPredikatThresholds {
                istimewa: Decimal::from(110),
                baik: Decimal::from(100),
                butuh_perbaikan: Decimal::from(80),
                kurang: Decimal::from(60),
            },
            head_rating_from_org: HeadRatingFromOrg {
                istimewa: Rating::DiAtasEkspektasi,
                baik: Rating::SesuaiEkspektasi,
                butuh_perbaikan: Rating::DiBawahEkspektasi,
                kurang: Rating::DiBawahEkspektasi,
                sangat_kurang: Rating::DiBawahEkspektasi,
            },
            curve_enforcement: CurveEnforcement::Block,
            curve_min_headcount: 5,
            objection_window_days: 14,
            objection_decision_days: 14,
            jp_minimum_pns: Decimal::from(20),
            jp_minimum_pppk: Decimal::ZERO,
            jp_cap_pppk: Decimal::from(24),
            weak_indicator_capaian: Decimal::from(80),
        }
    }
}

/// A setting that breaks its rule: the field path and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub field: &'static str,
    pub reason: &'static str,
}

/// A percentage from 0 to 1000 with at most 2 decimals (categories are decided on 2 decimals).
fn pct_ok(v: Decimal) -> bool {
    v >= Decimal::ZERO && v <= Decimal::from(1000) && v.normalize().scale() <= 2
}

impl Settings {
    /// Checks every rule; returns all breaches.
    pub fn validate(&self) -> Vec<SettingError> {
        let mut errors = Vec::new();
        let mut check = |ok: bool, field: &'static str, reason: &'static str| {
            if !ok {
                errors.push(SettingError { field, reason });
            }
        };
        let w = &self.work_rating_thresholds;
        check(
            pct_ok(w.di_atas),
            "work_rating_thresholds.di_atas",
            "a percentage from 0 to 1000 with at most 2 decimals",
        );
        check(
            pct_ok(w.sesuai),
            "work_rating_thresholds.sesuai",
            "a percentage from 0 to 1000 with at most 2 decimals",
        );
        check(
            w.di_atas > w.sesuai,
            "work_rating_thresholds.di_atas",
            "must be above sesuai",
        );
        check(
            pct_ok(self.capaian_cap) && self.capaian_cap >= Decimal::ONE_HUNDRED,
            "capaian_cap",
            "a percentage of at least 100",
        );
        let o = &self.org_predikat_thresholds;
        for (field, v) in [
            ("org_predikat_thresholds.istimewa", o.istimewa),
            ("org_predikat_thresholds.baik", o.baik),
            ("org_predikat_thresholds.butuh_perbaikan", o.butuh_perbaikan),
            ("org_predikat_thresholds.kurang", o.kurang),
        ] {
            check(
                pct_ok(v),
                field,
                "a percentage from 0 to 1000 with at most 2 decimals",
            );
        }
        check(
            o.istimewa > o.baik && o.baik > o.butuh_perbaikan && o.butuh_perbaikan > o.kurang,
            "org_predikat_thresholds",
            "must fall strictly: istimewa > baik > butuh_perbaikan > kurang",
        );
        check(
            self.curve_min_headcount >= 5,
            "curve_min_headcount",
            "never below 5",
        );
        check(
            (1..=90).contains(&self.objection_window_days),
            "objection_window_days",
            "from 1 to 90 days",
        );
        check(
            (1..=90).contains(&self.objection_decision_days),
            "objection_decision_days",
            "from 1 to 90 days",
        );
        for (field, v) in [
            ("jp_minimum_pns", self.jp_minimum_pns),
            ("jp_minimum_pppk", self.jp_minimum_pppk),
            ("jp_cap_pppk", self.jp_cap_pppk),
        ] {
            check(
                v >= Decimal::ZERO && v <= Decimal::from(500) && v.normalize().scale() <= 2,
                field,
                "from 0 to 500 JP, at most 2 decimals",
            );
        }
        check(
            self.jp_minimum_pppk <= self.jp_cap_pppk,
            "jp_minimum_pppk",
            "must not exceed jp_cap_pppk",
        );
        check(
            pct_ok(self.weak_indicator_capaian)
                && self.weak_indicator_capaian <= Decimal::ONE_HUNDRED,
            "weak_indicator_capaian",
            "a percentage from 0 to 100",
        );
        errors
    }
}

/// Where a cycle is in its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleStatus {
    /// SKPs are drafted and agreed; settings may change freely.
    Planning,
    /// Realisasi and evaluations happen.
    Running,
    /// Done: nothing changes.
    Closed,
}

impl CycleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CycleStatus::Planning => "planning",
            CycleStatus::Running => "running",
            CycleStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CycleStatus::Planning => "Perencanaan",
            CycleStatus::Running => "Berjalan",
            CycleStatus::Closed => "Ditutup",
        }
    }

    pub fn parse(s: &str) -> Option<CycleStatus> {
        [
            CycleStatus::Planning,
            CycleStatus::Running,
            CycleStatus::Closed,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// A transition a cycle refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CycleError {
    #[error("only a cycle in planning can start")]
    NotPlanning,
    #[error("only a running cycle can close")]
    NotRunning,
    #[error("objections are open or may still be filed")]
    ObjectionsPending,
    #[error("a closed cycle cannot change")]
    Closed,
    #[error("after planning, settings change only with a reason")]
    ReasonRequired,
}

impl CycleStatus {
    pub fn start(self) -> Result<CycleStatus, CycleError> {
        match self {
            CycleStatus::Planning => Ok(CycleStatus::Running),
            _ => Err(CycleError::NotPlanning),
        }
    }

    /// Closes a running cycle once no objection is open or may still be filed.
    pub fn close(self, objections_pending: bool) -> Result<CycleStatus, CycleError> {
        match (self, objections_pending) {
            (CycleStatus::Running, false) => Ok(CycleStatus::Closed),
            (CycleStatus::Running, true) => Err(CycleError::ObjectionsPending),
            _ => Err(CycleError::NotRunning),
        }
    }

    /// Settings change freely while planning; later only with a reason (by an admin, and only
    /// for what is not finalised — the caller checks that); never once closed.
    pub fn may_change_settings(self, has_reason: bool) -> Result<(), CycleError> {
        match (self, has_reason) {
            (CycleStatus::Planning, _) => Ok(()),
            (CycleStatus::Running, true) => Ok(()),
            (CycleStatus::Running, false) => Err(CycleError::ReasonRequired),
            (CycleStatus::Closed, _) => Err(CycleError::Closed),
        }
    }

    /// SKPs may be drafted from planning on (also later, for newcomers and transfers).
    pub fn accepts_skps(self) -> bool {
        self != CycleStatus::Closed
    }

    /// Realisasi and evaluations need a running cycle.
    pub fn accepts_realisasi(self) -> bool {
        self == CycleStatus::Running
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_regulation_and_valid() {
        let s = Settings::default();
        let d = Decimal::from;
        assert_eq!(
            (
                s.work_rating_thresholds.di_atas,
                s.work_rating_thresholds.sesuai
            ),
            (d(110), d(90))
        );
        assert_eq!(s.capaian_cap, d(120));
        assert_eq!(s.curve_min_headcount, 5);
        assert_eq!(
            (s.jp_minimum_pns, s.jp_minimum_pppk, s.jp_cap_pppk),
            (d(20), d(0), d(24))
        );
        assert_eq!(s.head_rating_from_org.baik, Rating::SesuaiEkspektasi);
        assert!(s.validate().is_empty());
    }

    #[test]
    fn broken_settings_name_their_field() {
        let mut s = Settings::default();
        s.work_rating_thresholds.sesuai = Decimal::from(120);
        s.curve_min_headcount = 4;
        s.org_predikat_thresholds.baik = Decimal::from(70);
        s.jp_minimum_pppk = Decimal::from(30);
        s.capaian_cap = Decimal::from(99);
        s.weak_indicator_capaian = Decimal::new(80_123, 3);
        let fields: Vec<&str> = s.validate().iter().map(|e| e.field).collect();
        for expected in [
            "work_rating_thresholds.di_atas",
            "curve_min_headcount",
            "org_predikat_thresholds",
            "jp_minimum_pppk",
            "capaian_cap",
            "weak_indicator_capaian",
        ] {
            assert!(fields.contains(&expected), "{expected} not in {fields:?}");
        }
    }

    #[test]
    fn every_transition() {
        use CycleStatus::*;
        assert_eq!(Planning.start(), Ok(Running));
        assert_eq!(Running.start(), Err(CycleError::NotPlanning));
        assert_eq!(Closed.start(), Err(CycleError::NotPlanning));
        assert_eq!(Running.close(false), Ok(Closed));
        assert_eq!(Running.close(true), Err(CycleError::ObjectionsPending));
        assert_eq!(Planning.close(false), Err(CycleError::NotRunning));
        assert_eq!(Closed.close(false), Err(CycleError::NotRunning));
        assert_eq!(Planning.may_change_settings(false), Ok(()));
        assert_eq!(
            Running.may_change_settings(false),
            Err(CycleError::ReasonRequired)
        );
        assert_eq!(Running.may_change_settings(true), Ok(()));
        assert_eq!(Closed.may_change_settings(true), Err(CycleError::Closed));
        assert!(Planning.accepts_skps() && Running.accepts_skps() && !Closed.accepts_skps());
        assert!(!Planning.accepts_realisasi() && Running.accepts_realisasi());
    }
}
