//! Supervision reports (issue 11): the predikat distribution of a unit with its OPD's curve, the
//! IKM trend of a unit over its survey periods, and the follow-up of employees with a low
//! predikat. Each report is a view over figures other services own — the curve over
//! [`super::calibration`], IKM over [`super::skm`], plan status over [`super::training`] — and is
//! scoped like the data behind it through [`training::report_units`]: admins, auditors and
//! services with `read:reports`/`read:performance` the city, a head his subtree, a unit admin
//! the units he manages.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use kinerja_domain::assessment::{EvaluationStatus, Predikat};
use kinerja_domain::capaian::Period;
use kinerja_domain::cycle::CycleStatus;
use kinerja_domain::org::whole_subtree;
use kinerja_domain::skp::SkpStatus;
use kinerja_domain::training::{self as rules, Finding, Outcome, PlanStatus};
use kinerja_persistence::repos::employees::{EmployeeFilter, EmployeeRecord};
use kinerja_persistence::repos::evaluations::{self, EvaluationRecord};
use kinerja_persistence::repos::skm::PeriodRecord;
use kinerja_persistence::repos::units::{self, UnitRecord};
use kinerja_persistence::repos::{cycles, opd_performance, skps as skp_repo};
use kinerja_persistence::{Db, ListQuery, Page};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::calibration::{self, Calibration};
use super::skm::{self, Figures, ResultQuery};
use super::{scope, training};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};

fn cycle_not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound).with_detail("No such cycle.", "Siklus tidak ditemukan.")
}

/// An employee in scope with the evaluation that stands for him in the period (assessed or
/// finalised, else the open one), if any.
#[derive(Debug, Clone)]
struct Standing {
    employee: EmployeeRecord,
    /// Assessed or finalised evaluations of the cycle (all periods).
    assessed: Vec<EvaluationRecord>,
}

impl Standing {
    /// The assessed or finalised evaluation of `period` (the latest assessed when an employee
    /// had more than one approved SKP).
    fn of_period(&self, period: Period) -> Option<&EvaluationRecord> {
        self.assessed
            .iter()
            .filter(|e| e.period == period && e.predikat.is_some())
            .max_by_key(|e| (e.assessed_at, e.updated_at))
    }
}

/// The employees of the units (the city for `None`) who have an approved SKP in the cycle, each
/// with his assessed or finalised evaluations of it.
async fn standings(
    db: &Db,
    cycle_id: Uuid,
    units: Option<&HashSet<Uuid>>,
) -> Result<Vec<Standing>, ApiError> {
    let filter = EmployeeFilter {
        unit_ids: units.map(|u| u.iter().copied().collect()),
        ..Default::default()
    };
    let people = training::all_employees(db, &filter).await?;
    let ids: Vec<Uuid> = people.iter().map(|e| e.id).collect();
    let skps = skp_repo::of_employees(db, &[cycle_id], &ids).await?;
    let owner: HashMap<Uuid, Uuid> = skps
        .iter()
        .filter(|s| s.status == SkpStatus::Approved)
        .map(|s| (s.id, s.employee_id))
        .collect();
    let skp_ids: Vec<Uuid> = owner.keys().copied().collect();
    let mut assessed: HashMap<Uuid, Vec<EvaluationRecord>> = HashMap::new();
    for e in evaluations::of_skps(db, &skp_ids).await? {
        if matches!(
            e.status,
            EvaluationStatus::Assessed | EvaluationStatus::Finalized
        ) && let Some(employee) = owner.get(&e.skp_id)
        {
            assessed.entry(*employee).or_default().push(e);
        }
    }
    let with_skp: HashSet<Uuid> = owner.values().copied().collect();
    Ok(people
        .into_iter()
        .filter(|e| with_skp.contains(&e.id))
        .map(|employee| Standing {
            assessed: assessed.remove(&employee.id).unwrap_or_default(),
            employee,
        })
        .collect())
}

/// The period asked for, or the latest quarter in which anyone in scope has an assessed or
/// finalised evaluation (`q1` when nobody has one yet); whether it was defaulted.
fn period_or_latest(asked: Option<Period>, people: &[Standing]) -> (Period, bool) {
    if let Some(p) = asked {
        return (p, false);
    }
    let latest = Period::ALL
        .iter()
        .rev()
        .find(|p| people.iter().any(|s| s.of_period(**p).is_some()))
        .copied()
        .unwrap_or(Period::Q1);
    (latest, true)
}

// ---------------------------------------------------------------------------------------------
// Predikat distribution

/// Employees by predikat, and those not assessed yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub sangat_baik: u32,
    pub baik: u32,
    pub butuh_perbaikan: u32,
    pub kurang: u32,
    pub sangat_kurang: u32,
    pub not_assessed: u32,
}

impl Tally {
    fn add(&mut self, p: Option<Predikat>) {
        *match p {
            Some(Predikat::SangatBaik) => &mut self.sangat_baik,
            Some(Predikat::Baik) => &mut self.baik,
            Some(Predikat::ButuhPerbaikan) => &mut self.butuh_perbaikan,
            Some(Predikat::Kurang) => &mut self.kurang,
            Some(Predikat::SangatKurang) => &mut self.sangat_kurang,
            None => &mut self.not_assessed,
        } += 1;
    }

    fn merge(&mut self, o: &Tally) {
        self.sangat_baik += o.sangat_baik;
        self.baik += o.baik;
        self.butuh_perbaikan += o.butuh_perbaikan;
        self.kurang += o.kurang;
        self.sangat_kurang += o.sangat_kurang;
        self.not_assessed += o.not_assessed;
    }

    /// Employees with a predikat.
    pub fn assessed(&self) -> u32 {
        self.sangat_baik + self.baik + self.butuh_perbaikan + self.kurang + self.sangat_kurang
    }

    /// Every employee with an approved SKP.
    pub fn employees(&self) -> u32 {
        self.assessed() + self.not_assessed
    }
}

/// `count / denominator` as a percentage, unrounded (`None` for an empty denominator).
pub fn share(count: u32, denominator: u32) -> Option<Decimal> {
    (denominator > 0)
        .then(|| Decimal::from(count) * Decimal::from(100) / Decimal::from(denominator))
}

/// One unit's figures: its own employees, and pooled over its subtree (within the caller's scope).
#[derive(Debug, Clone)]
pub struct UnitDistribution {
    pub unit: UnitRecord,
    pub own: Tally,
    pub subtree: Tally,
}

#[derive(Debug, Clone)]
pub struct Distribution {
    pub cycle_id: Uuid,
    pub unit_id: Option<Uuid>,
    pub period: Period,
    pub period_defaulted: bool,
    /// Over every unit in scope.
    pub total: Tally,
    /// Each unit in scope, by code.
    pub units: Vec<UnitDistribution>,
    /// The calibration of each OPD a unit in scope belongs to (none in a cycle being planned).
    pub curves: Vec<Calibration>,
}

/// The predikat distribution of a cycle's period in the caller's scope (`unit_id`: its subtree).
pub async fn predikat_distribution(
    db: &Db,
    caller: &Caller,
    now: DateTime<Utc>,
    cycle_id: Uuid,
    unit_id: Option<Uuid>,
    period: Option<Period>,
) -> Result<Distribution, ApiError> {
    let in_scope = training::report_units(db, caller, unit_id).await?;
    let cycle = cycles::get(db, cycle_id)
        .await?
        .ok_or_else(cycle_not_found)?;
    let people = standings(db, cycle_id, in_scope.as_ref()).await?;
    let (period, period_defaulted) = period_or_latest(period, &people);
    let all = units::all(db).await?;
    let scoped: Vec<&UnitRecord> = all
        .iter()
        .filter(|u| in_scope.as_ref().is_none_or(|s| s.contains(&u.id)))
        .collect();
    let mut own: HashMap<Uuid, Tally> = HashMap::new();
    let mut total = Tally::default();
    for s in &people {
        let p = s.of_period(period).and_then(|e| e.predikat);
        own.entry(s.employee.unit_id).or_default().add(p);
        total.add(p);
    }
    let children = units::children_map(&all);
    let mut rows: Vec<UnitDistribution> = scoped
        .iter()
        .map(|u| {
            let mut subtree = Tally::default();
            for id in whole_subtree(u.id, &children) {
                if let Some(t) = own.get(&id) {
                    subtree.merge(t);
                }
            }
            UnitDistribution {
                unit: (*u).clone(),
                own: own.get(&u.id).copied().unwrap_or_default(),
                subtree,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.unit.code.cmp(&b.unit.code));
    // The OPD each unit in scope belongs to: the nearest OPD at or above it.
    let mut opds: BTreeMap<String, Uuid> = BTreeMap::new();
    for u in &scoped {
        if let Some(opd) = scope::line_up(&all, u.id).into_iter().find(|x| x.is_opd) {
            opds.insert(opd.code.clone(), opd.id);
        }
    }
    let mut curves = Vec::new();
    if cycle.status != CycleStatus::Planning {
        for opd in opds.into_values() {
            // No record, no curve to show: a closed cycle has none for an OPD made after it ran,
            // and a read replica may not yet have the one the primary has just made (the route
            // makes them there first; a replica cannot write, so none is made here).
            if opd_performance::find(db, cycle_id, opd, period)
                .await?
                .is_none()
            {
                continue;
            }
            curves.push(calibration::calibration(db, caller, now, (cycle_id, opd), period).await?);
        }
    }
    Ok(Distribution {
        cycle_id,
        unit_id,
        period,
        period_defaulted,
        total,
        units: rows,
        curves,
    })
}

// ---------------------------------------------------------------------------------------------
// IKM trend

/// One survey period's results, with the change from the period before.
#[derive(Debug, Clone)]
pub struct TrendPoint {
    pub period: PeriodRecord,
    pub figures: Figures,
    /// IKM unit (2 decimals) minus that of the previous period, when both have results.
    pub change: Option<Decimal>,
}

#[derive(Debug, Clone)]
pub struct Trend {
    pub unit: UnitRecord,
    pub pooled_over: Vec<Uuid>,
    pub points: Vec<TrendPoint>,
}

/// The IKM of each survey period of a unit (pooled over the service units of its subtree, as
/// `GET /skm/results` pools), by start date.
pub async fn ikm_trend(db: &Db, caller: &Caller, unit_id: Uuid) -> Result<Trend, ApiError> {
    training::report_units(db, caller, Some(unit_id)).await?;
    let periods = skm::periods(db, unit_id).await?;
    let unit = scope::visible_unit(db, unit_id).await?;
    let mut pooled_over = Vec::new();
    let mut points: Vec<TrendPoint> = Vec::with_capacity(periods.len());
    for p in periods {
        let results = skm::results(
            db,
            ResultQuery {
                unit_id,
                period_id: Some(p.id),
                ..Default::default()
            },
        )
        .await?;
        pooled_over = results.pooled_over;
        let figures = results.current;
        let change = match (
            points.last().and_then(|l| l.figures.result.as_ref()),
            figures.result.as_ref(),
        ) {
            (Some(before), Some(now)) => Some(now.ikm_unit_rounded - before.ikm_unit_rounded),
            _ => None,
        };
        points.push(TrendPoint {
            period: p,
            figures,
            change,
        });
    }
    Ok(Trend {
        unit,
        pooled_over,
        points,
    })
}

// ---------------------------------------------------------------------------------------------
// Follow-up

/// An employee whose predikat in the period is low, and where his development plan stands.
#[derive(Debug, Clone)]
pub struct FollowUpRow {
    pub employee: EmployeeRecord,
    pub evaluation: EvaluationRecord,
    pub predikat: Predikat,
    pub plan_status: PlanStatus,
    /// Whether his recommendations call for a development plan (a low predikat in the cycle).
    pub plan_required: bool,
}

#[derive(Debug, Clone)]
pub struct FollowUp {
    pub period: Period,
    pub period_defaulted: bool,
    pub page: Page<FollowUpRow>,
    /// Everyone listed (all pages) by plan status.
    pub by_plan_status: BTreeMap<&'static str, u64>,
}

pub const FOLLOW_UP_SORTABLE: &[&str] = &["name", "nip", "predikat"];

/// Severity for sorting: the lowest predikat first.
fn severity(p: Predikat) -> usize {
    Predikat::ALL
        .iter()
        .rev()
        .position(|x| *x == p)
        .unwrap_or(usize::MAX)
}

/// Employees of the caller's scope (`unit_id`: its subtree) with a low predikat in the period
/// (assessed or finalised), each with his plan status; lowest predikat first unless sorted.
pub async fn follow_up(
    db: &Db,
    caller: &Caller,
    cycle_id: Uuid,
    period: Option<Period>,
    unit_id: Option<Uuid>,
    query: &ListQuery,
) -> Result<FollowUp, ApiError> {
    let in_scope = training::report_units(db, caller, unit_id).await?;
    cycles::get(db, cycle_id)
        .await?
        .ok_or_else(cycle_not_found)?;
    let people = standings(db, cycle_id, in_scope.as_ref()).await?;
    let (period, period_defaulted) = period_or_latest(period, &people);
    let low: Vec<(&Standing, &EvaluationRecord, Predikat)> = people
        .iter()
        .filter_map(|s| {
            let e = s.of_period(period)?;
            let p = e.predikat.filter(|p| rules::predikat_low(*p))?;
            Some((s, e, p))
        })
        .collect();
    let ids: Vec<Uuid> = low.iter().map(|(s, _, _)| s.employee.id).collect();
    let plans = training::plan_statuses(db, cycle_id, &ids).await?;
    let mut rows: Vec<FollowUpRow> = low
        .into_iter()
        .map(|(s, e, predikat)| {
            // The recommendations' own rule, on the predikat of his evaluations in the cycle.
            let outcomes: Vec<Outcome> = s
                .assessed
                .iter()
                .map(|e| Outcome {
                    period: e.period,
                    predikat: e.predikat,
                    core_values: Vec::new(),
                    indicators: Vec::new(),
                })
                .collect();
            let plan_required = rules::findings(&outcomes, Decimal::ZERO)
                .iter()
                .any(|f| matches!(f, Finding::PredikatLow { .. }));
            FollowUpRow {
                plan_status: plans
                    .get(&s.employee.id)
                    .copied()
                    .unwrap_or(PlanStatus::None),
                plan_required,
                employee: s.employee.clone(),
                evaluation: e.clone(),
                predikat,
            }
        })
        .collect();
    let mut by_plan_status: BTreeMap<&'static str, u64> = [
        PlanStatus::None,
        PlanStatus::Planned,
        PlanStatus::InProgress,
        PlanStatus::Done,
    ]
    .into_iter()
    .map(|s| (s.as_str(), 0))
    .collect();
    for r in &rows {
        *by_plan_status.entry(r.plan_status.as_str()).or_default() += 1;
    }
    rows.sort_by(|a, b| {
        for (field, desc) in &query.sort {
            let order = match field.as_str() {
                "name" => a.employee.name.cmp(&b.employee.name),
                "nip" => a.employee.nip.cmp(&b.employee.nip),
                "predikat" => severity(a.predikat).cmp(&severity(b.predikat)),
                _ => std::cmp::Ordering::Equal,
            };
            let order = if *desc { order.reverse() } else { order };
            if order.is_ne() {
                return order;
            }
        }
        (severity(a.predikat), &a.employee.name, &a.employee.nip).cmp(&(
            severity(b.predikat),
            &b.employee.name,
            &b.employee.nip,
        ))
    });
    let total = rows.len() as u64;
    let start = usize::try_from(query.page.saturating_sub(1).saturating_mul(query.per_page))
        .unwrap_or(usize::MAX);
    let items = rows
        .into_iter()
        .skip(start)
        .take(usize::try_from(query.per_page).unwrap_or(usize::MAX))
        .collect();
    Ok(FollowUp {
        period,
        period_defaulted,
        page: Page { items, total },
        by_plan_status,
    })
}
