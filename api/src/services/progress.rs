//! Supervision reports on the progress of a cycle: participation per unit (DOMAIN §7) with the
//! employees behind each figure, the monthly figures a payroll system needs for the TPP
//! allowance (DOMAIN §5: figures only, no pay), and the per-OPD overview of a cycle.
//!
//! Every figure is counted from bulk loads (one query per table, or per 1,000 ids), never one
//! query per employee. Units and employees in scope come from
//! [`super::training::report_units`], like the JP compliance report: admins, auditors and
//! services with `read:reports`/`read:performance` see the city, heads their subtree, unit admins
//! the units they manage.
//!
//! Participation of an employee in a period, which the per-unit figures add up:
//! - his SKPs of the cycle (any status, revisions included), by whom each was proposed: the
//!   employee himself, or someone else (penilai, unit admin, admin, an import);
//! - self-assessed: he self-assessed an evaluation of the period that is not void;
//! - feedback: notes that open a thread on his SKPs in the period, and replies in the period;
//! - objections filed against his evaluations of the period, and those decided (accepted or
//!   rejected);
//! - training met: his JP of the cycle's year reach the minimum and stay under any cap (the
//!   `met` standing of the compliance report).
//!
//! Employees are the active ones, counted in the unit they belong to now.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use kinerja_domain::assessment::{EvaluationStatus, Predikat};
use kinerja_domain::calibration::OrgPredikat;
use kinerja_domain::capaian::{Period, round_half_up};
use kinerja_domain::org::{EmployeeStatus, scope_within_opd};
use kinerja_domain::skp::{ProposedBy, RhkKind, SkpStatus};
use kinerja_persistence::repos::cycles::{self, CycleRecord};
use kinerja_persistence::repos::employees::{EmployeeFilter, EmployeeRecord};
use kinerja_persistence::repos::evaluations::{self, EvaluationRecord};
use kinerja_persistence::repos::skps::{self as skp_repo, SkpRecord};
use kinerja_persistence::repos::training as training_repo;
use kinerja_persistence::repos::units::{self, UnitRecord};
use kinerja_persistence::repos::{feedback, objections, opd_performance, realizations};
use kinerja_persistence::{Db, ListQuery, Page};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::realizations::capaian_of;
use super::skm;
use super::training::{self, Standings, all_employees, compliance_rows, report_units};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};

const PERIODS: [Period; 4] = [Period::Q1, Period::Q2, Period::Q3, Period::Q4];

fn cycle_not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound).with_detail("No such cycle.", "Siklus tidak ditemukan.")
}

/// The active employees of the units in scope (`None`: the city).
async fn active_in(
    db: &Db,
    units: Option<&HashSet<Uuid>>,
) -> Result<Vec<EmployeeRecord>, ApiError> {
    let filter = EmployeeFilter {
        unit_ids: units.map(|u| u.iter().copied().collect()),
        status: Some(EmployeeStatus::Active),
        ..Default::default()
    };
    all_employees(db, &filter).await
}

async fn evaluations_of(db: &Db, skp_ids: &[Uuid]) -> Result<Vec<EvaluationRecord>, ApiError> {
    let mut out = Vec::new();
    for chunk in skp_ids.chunks(1000) {
        out.extend(evaluations::of_skps(db, chunk).await?);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Participation

/// The participation figures of a set of employees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Participation {
    pub employees: u64,
    pub skp_total: u64,
    pub skp_proposed_by_employee: u64,
    pub skp_written_for_employee: u64,
    pub self_assessed: u64,
    pub feedback_notes: u64,
    pub employees_with_feedback_in_period: u64,
    pub feedback_replies: u64,
    pub objections_filed: u64,
    pub objections_decided: u64,
    pub training_met: u64,
}

/// One employee's part.
#[derive(Debug, Clone, Default)]
struct Facts {
    skps: u64,
    proposed: u64,
    self_assessed: bool,
    notes: u64,
    replies: u64,
    objections: u64,
    decided: u64,
    training_met: bool,
}

impl Participation {
    fn add(&mut self, f: &Facts) {
        self.employees += 1;
        self.skp_total += f.skps;
        self.skp_proposed_by_employee += f.proposed;
        self.skp_written_for_employee += f.skps - f.proposed;
        self.self_assessed += u64::from(f.self_assessed);
        self.feedback_notes += f.notes;
        self.employees_with_feedback_in_period += u64::from(f.notes > 0);
        self.feedback_replies += f.replies;
        self.objections_filed += f.objections;
        self.objections_decided += f.decided;
        self.training_met += u64::from(f.training_met);
    }
}

#[derive(Debug, Clone)]
pub struct ParticipationReport {
    pub cycle_id: Uuid,
    pub period: Period,
    /// Every unit in scope, by code.
    pub units: Vec<(UnitRecord, Participation)>,
    pub total: Participation,
}

/// Which employees the drill-down lists: those not counted in a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// No note opening a feedback thread in the period (`employees_with_feedback_in_period`).
    Feedback,
    /// No self-assessment in the period (`self_assessed`).
    SelfAssessment,
    /// No SKP in the cycle (`skp_total`).
    Skp,
    /// JP of the year not `met` (`training_met`).
    Training,
}

impl Missing {
    fn lacks(self, f: &Facts) -> bool {
        match self {
            Missing::Feedback => f.notes == 0,
            Missing::SelfAssessment => !f.self_assessed,
            Missing::Skp => f.skps == 0,
            Missing::Training => !f.training_met,
        }
    }
}

struct Gathered {
    cycle: CycleRecord,
    period: Period,
    units: Vec<UnitRecord>,
    people: Vec<(EmployeeRecord, Facts)>,
}

async fn gather(
    db: &Db,
    caller: &Caller,
    cycle_id: Uuid,
    unit_id: Option<Uuid>,
    period: Option<Period>,
) -> Result<Gathered, ApiError> {
    // Scope first: who may not read the unit learns nothing about the cycle either.
    let scope = report_units(db, caller, unit_id).await?;
    let cycle = cycles::get(db, cycle_id)
        .await?
        .ok_or_else(cycle_not_found)?;
    let mut units: Vec<UnitRecord> = units::all(db)
        .await?
        .into_iter()
        .filter(|u| scope.as_ref().is_none_or(|s| s.contains(&u.id)))
        .collect();
    units.sort_by(|a, b| a.code.cmp(&b.code));
    let people = active_in(db, scope.as_ref()).await?;
    let ids: Vec<Uuid> = people.iter().map(|e| e.id).collect();
    let skps = skp_repo::of_employees(db, &[cycle.id], &ids).await?;
    let owner: HashMap<Uuid, Uuid> = skps.iter().map(|s| (s.id, s.employee_id)).collect();
    let skp_ids: Vec<Uuid> = skps.iter().map(|s| s.id).collect();
    let all_evaluations: Vec<EvaluationRecord> = evaluations_of(db, &skp_ids)
        .await?
        .into_iter()
        .filter(|e| e.status != EvaluationStatus::Void)
        .collect();
    let notes = feedback::of_skps(db, &skp_ids, None).await?;
    // The latest quarter with data: an evaluation self-assessed or rated, or feedback (every
    // quarter's evaluation opens with the SKP's approval, so an open one is no data).
    let period = period.unwrap_or_else(|| {
        all_evaluations
            .iter()
            .filter(|e| e.self_assessed_at.is_some() || e.status != EvaluationStatus::Open)
            .map(|e| e.period)
            .chain(notes.iter().map(|n| n.period))
            .max_by_key(|p| p.index())
            .unwrap_or(Period::Q1)
    });
    let in_period: Vec<&EvaluationRecord> = all_evaluations
        .iter()
        .filter(|e| e.period == period)
        .collect();
    let mut objected = Vec::new();
    let evaluation_ids: Vec<Uuid> = in_period.iter().map(|e| e.id).collect();
    for chunk in evaluation_ids.chunks(1000) {
        objected.extend(objections::of_evaluations(db, chunk).await?);
    }
    let settings = training::settings_of_year(db, cycle.year).await?;
    let everyone = scope.is_none();
    let met: HashSet<Uuid> = compliance_rows(db, cycle.year, &settings, people.clone(), everyone)
        .await?
        .into_iter()
        .filter(|r| r.standing() == Standings::Met)
        .map(|r| r.employee.id)
        .collect();

    let mut facts: HashMap<Uuid, Facts> = HashMap::new();
    for s in &skps {
        let f = facts.entry(s.employee_id).or_default();
        f.skps += 1;
        f.proposed += u64::from(s.proposed_by == ProposedBy::Employee);
    }
    let evaluation_owner: HashMap<Uuid, Uuid> = in_period
        .iter()
        .filter_map(|e| owner.get(&e.skp_id).map(|o| (e.id, *o)))
        .collect();
    for e in &in_period {
        if e.self_assessed_at.is_some()
            && let Some(o) = owner.get(&e.skp_id)
        {
            facts.entry(*o).or_default().self_assessed = true;
        }
    }
    for n in notes.iter().filter(|n| n.period == period) {
        if let Some(o) = owner.get(&n.skp_id) {
            let f = facts.entry(*o).or_default();
            if n.thread_id.is_none() {
                f.notes += 1;
            } else {
                f.replies += 1;
            }
        }
    }
    for o in &objected {
        if let Some(e) = evaluation_owner.get(&o.evaluation_id) {
            let f = facts.entry(*e).or_default();
            f.objections += 1;
            f.decided += u64::from(!o.status.is_open());
        }
    }
    let people = people
        .into_iter()
        .map(|e| {
            let mut f = facts.remove(&e.id).unwrap_or_default();
            f.training_met = met.contains(&e.id);
            (e, f)
        })
        .collect();
    Ok(Gathered {
        cycle,
        period,
        units,
        people,
    })
}

/// Participation per unit in scope and pooled, for a period (default: the latest quarter with
/// an evaluation self-assessed or rated, or with feedback, in scope; q1 without any).
pub async fn participation(
    db: &Db,
    caller: &Caller,
    cycle_id: Uuid,
    unit_id: Option<Uuid>,
    period: Option<Period>,
) -> Result<ParticipationReport, ApiError> {
    let g = gather(db, caller, cycle_id, unit_id, period).await?;
    let mut per_unit: HashMap<Uuid, Participation> = HashMap::new();
    let mut total = Participation::default();
    for (e, f) in &g.people {
        total.add(f);
        per_unit.entry(e.unit_id).or_default().add(f);
    }
    Ok(ParticipationReport {
        cycle_id: g.cycle.id,
        period: g.period,
        units: g
            .units
            .into_iter()
            .map(|u| {
                let p = per_unit.remove(&u.id).unwrap_or_default();
                (u, p)
            })
            .collect(),
        total,
    })
}

/// The employees behind a participation figure: those it does not count, by name then NIP.
pub async fn participation_employees(
    db: &Db,
    caller: &Caller,
    cycle_id: Uuid,
    unit_id: Option<Uuid>,
    period: Option<Period>,
    missing: Missing,
    query: &ListQuery,
) -> Result<(Period, Page<EmployeeRecord>), ApiError> {
    let g = gather(db, caller, cycle_id, unit_id, period).await?;
    let mut listed: Vec<EmployeeRecord> = g
        .people
        .into_iter()
        .filter(|(_, f)| missing.lacks(f))
        .map(|(e, _)| e)
        .collect();
    sort_people(&mut listed, &query.sort, |e| e);
    Ok((g.period, page_of(listed, query)))
}

pub const EMPLOYEE_SORTABLE: &[&str] = &["name", "nip"];

fn sort_people<T>(rows: &mut [T], sort: &[(String, bool)], person: impl Fn(&T) -> &EmployeeRecord) {
    rows.sort_by(|a, b| {
        let (a, b) = (person(a), person(b));
        for (field, desc) in sort {
            let order = match field.as_str() {
                "nip" => a.nip.cmp(&b.nip),
                _ => a.name.cmp(&b.name),
            };
            let order = if *desc { order.reverse() } else { order };
            if order.is_ne() {
                return order;
            }
        }
        (&a.name, &a.nip).cmp(&(&b.name, &b.nip))
    });
}

fn page_of<T>(rows: Vec<T>, query: &ListQuery) -> Page<T> {
    let total = rows.len() as u64;
    let start = usize::try_from(query.page.saturating_sub(1).saturating_mul(query.per_page))
        .unwrap_or(usize::MAX);
    Page {
        items: rows
            .into_iter()
            .skip(start)
            .take(usize::try_from(query.per_page).unwrap_or(usize::MAX))
            .collect(),
        total,
    }
}

// ---------------------------------------------------------------------------------------------
// Monthly figures for the TPP payroll

/// One employee's figures for a month.
#[derive(Debug, Clone)]
pub struct MonthlyRow {
    pub employee: EmployeeRecord,
    pub unit_code: String,
    /// Mean capped capaian (2 decimals, half up) of his utama indicators over q1 up to the
    /// month's quarter; none without any capaian.
    pub capaian_to_date: Option<Decimal>,
    /// How many indicator-quarter capaian went into the mean.
    pub capaian_inputs: usize,
    pub predikat: Option<(Predikat, i32, Period)>,
    pub jp_minutes: i64,
}

/// Parsed `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(raw: &str) -> Option<Month> {
        let (y, m) = raw.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        ((2000..=2100).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        let next = if self.month == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.month + 1, 1)
        };
        next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
    }

    /// The first instant after the month in WIB (UTC+7).
    fn end_instant(self) -> DateTime<Utc> {
        (self.last_day() + Duration::days(1))
            .and_time(NaiveTime::MIN)
            .and_utc()
            - Duration::hours(7)
    }

    /// q1 up to the quarter the month lies in.
    fn quarters(self) -> &'static [Period] {
        &PERIODS[..=((self.month as usize - 1) / 3)]
    }
}

pub const MONTHLY_SORTABLE: &[&str] = &["nip", "name", "unit_code"];

/// The payroll figures of a month per active employee in scope, sorted by `sort` then NIP.
///
/// - capaian to date: his SKP of the month's year that is approved and started by the month's
///   end (the latest such); for each of its utama indicators and each quarter from q1 up to the
///   month's quarter that has a capaian ([`capaian_of`], capped at the cycle's cap), one input;
///   the plain mean of the inputs, 2 decimals half up (as the suggested work rating takes it).
///   q4 is the annual figure: from October on it joins as one more input.
/// - predikat: the latest finalised evaluation (of the month's year or the year before),
///   finalised before the month ended (WIB), latest by year then period.
/// - JP: approved training minutes completed from 1 January up to the month's last day.
pub async fn monthly(
    db: &Db,
    caller: &Caller,
    month: Month,
    unit_id: Option<Uuid>,
    sort: &[(String, bool)],
) -> Result<Vec<MonthlyRow>, ApiError> {
    let scope = report_units(db, caller, unit_id).await?;
    let codes: HashMap<Uuid, String> = units::all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
    let people = active_in(db, scope.as_ref()).await?;
    let ids: Vec<Uuid> = people.iter().map(|e| e.id).collect();
    let cycles = cycles::by_years(db, &[month.year - 1, month.year]).await?;
    let year_of: HashMap<Uuid, i32> = cycles.iter().map(|c| (c.id, c.year)).collect();
    let current = cycles.iter().find(|c| c.year == month.year);
    let cycle_ids: Vec<Uuid> = cycles.iter().map(|c| c.id).collect();
    let skps = skp_repo::of_employees(db, &cycle_ids, &ids).await?;
    let month_end = month.last_day();
    // His SKP for capaian: approved, of this year, started by the month's end, the latest.
    let mut chosen: HashMap<Uuid, &SkpRecord> = HashMap::new();
    for s in skps.iter().filter(|s| {
        Some(s.cycle_id) == current.map(|c| c.id)
            && s.status == SkpStatus::Approved
            && s.start_date <= month_end
    }) {
        let slot = chosen.entry(s.employee_id).or_insert(s);
        if s.start_date > slot.start_date {
            *slot = s;
        }
    }
    let chosen_ids: Vec<Uuid> = chosen.values().map(|s| s.id).collect();
    let rhks = skp_repo::rhks_of(db, &chosen_ids).await?;
    let realized = realizations::of_skps(db, &chosen_ids).await?;
    let mut realized_of: HashMap<Uuid, Vec<_>> = HashMap::new();
    for r in realized {
        realized_of.entry(r.skp_id).or_default().push(r);
    }
    let cap = current
        .map(|c| c.settings.capaian_cap)
        .unwrap_or_else(|| kinerja_domain::cycle::Settings::default().capaian_cap);
    let quarters = month.quarters();

    let skp_owner: HashMap<Uuid, (Uuid, Uuid)> = skps
        .iter()
        .map(|s| (s.id, (s.employee_id, s.cycle_id)))
        .collect();
    let all_ids: Vec<Uuid> = skps.iter().map(|s| s.id).collect();
    let cutoff = month.end_instant();
    let mut predikat: HashMap<Uuid, (Predikat, i32, Period, DateTime<Utc>)> = HashMap::new();
    for e in evaluations_of(db, &all_ids).await? {
        let (Some(p), Some(at)) = (e.predikat, e.finalized_at) else {
            continue;
        };
        if e.status != EvaluationStatus::Finalized || at >= cutoff {
            continue;
        }
        let Some((employee, cycle)) = skp_owner.get(&e.skp_id) else {
            continue;
        };
        let year = year_of.get(cycle).copied().unwrap_or(month.year);
        let candidate = (p, year, e.period, at);
        predikat
            .entry(*employee)
            .and_modify(|best| {
                if (year, e.period.index(), at) > (best.1, best.2.index(), best.3) {
                    *best = candidate;
                }
            })
            .or_insert(candidate);
    }
    let minutes = training_repo::approved_minutes_between(
        db,
        month.first_day().with_month(1).unwrap_or(month.first_day()),
        month_end,
        if scope.is_none() { None } else { Some(&ids) },
    )
    .await?;

    let none = Vec::new();
    let mut rows: Vec<MonthlyRow> = people
        .into_iter()
        .map(|employee| {
            let mut capped = Vec::new();
            if let Some(skp) = chosen.get(&employee.id) {
                let realized = realized_of.get(&skp.id).unwrap_or(&none);
                for rhk in rhks.get(&skp.id).into_iter().flatten() {
                    if rhk.kind != RhkKind::Utama {
                        continue;
                    }
                    for i in &rhk.indicators {
                        capped.extend(
                            capaian_of(i, realized, cap)
                                .into_iter()
                                .filter(|c| quarters.contains(&c.period))
                                .map(|c| c.capaian.capped),
                        );
                    }
                }
            }
            let capaian_to_date = (!capped.is_empty()).then(|| {
                round_half_up(
                    capped.iter().sum::<Decimal>() / Decimal::from(capped.len()),
                    2,
                )
            });
            MonthlyRow {
                unit_code: codes.get(&employee.unit_id).cloned().unwrap_or_default(),
                capaian_to_date,
                capaian_inputs: capped.len(),
                predikat: predikat.get(&employee.id).map(|p| (p.0, p.1, p.2)),
                jp_minutes: minutes.get(&employee.id).copied().unwrap_or(0),
                employee,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        for (field, desc) in sort {
            let order = match field.as_str() {
                "name" => a.employee.name.cmp(&b.employee.name),
                "unit_code" => a.unit_code.cmp(&b.unit_code),
                _ => a.employee.nip.cmp(&b.employee.nip),
            };
            let order = if *desc { order.reverse() } else { order };
            if order.is_ne() {
                return order;
            }
        }
        a.employee.nip.cmp(&b.employee.nip)
    });
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Overview of a cycle per OPD

#[derive(Debug, Clone, Default)]
pub struct OpdProgress {
    pub employees: u64,
    pub skps_approved: u64,
    /// Finalised evaluations per period, q1..q4.
    pub finalized: [u64; 4],
    /// The OPD's predikat per period (q1..q4) as set by the leader above, if set.
    pub opd_predikat: [Option<OrgPredikat>; 4],
    /// Whether the OPD's q4 calibration is finalised.
    pub q4_calibrated: bool,
    pub jp_met: u64,
    pub jp_short: u64,
    pub jp_over_cap: u64,
    /// IKM of the cycle's year so far (unit scale, 2 decimals), its mutu and respondents, when a
    /// service unit lies in the OPD and has responses.
    pub ikm: Option<(Decimal, kinerja_domain::skm::Mutu, u64)>,
}

#[derive(Debug, Clone)]
pub struct Overview {
    pub cycle: CycleRecord,
    pub opds: Vec<(UnitRecord, OpdProgress)>,
}

/// Per OPD (its units up to, not into, other OPDs) the progress of the cycle, from one query
/// per table (and the IKM of each OPD with a service unit, from [`skm::results`]).
pub async fn overview(db: &Db, cycle_id: Uuid) -> Result<Overview, ApiError> {
    let cycle = cycles::get(db, cycle_id)
        .await?
        .ok_or_else(cycle_not_found)?;
    let all_units = units::all(db).await?;
    let children = units::children_map(&all_units);
    let mut opd_of: HashMap<Uuid, Uuid> = HashMap::new();
    let mut opds: Vec<UnitRecord> = all_units.iter().filter(|u| u.is_opd).cloned().collect();
    opds.sort_by(|a, b| a.code.cmp(&b.code));
    for opd in &opds {
        for u in scope_within_opd(opd.id, &children) {
            opd_of.insert(u, opd.id);
        }
    }
    let people = active_in(db, None).await?;
    let employee_opd: HashMap<Uuid, Uuid> = people
        .iter()
        .filter_map(|e| opd_of.get(&e.unit_id).map(|o| (e.id, *o)))
        .collect();
    let mut progress: HashMap<Uuid, OpdProgress> = HashMap::new();
    for e in &people {
        if let Some(o) = opd_of.get(&e.unit_id) {
            progress.entry(*o).or_default().employees += 1;
        }
    }
    let ids: Vec<Uuid> = people.iter().map(|e| e.id).collect();
    let skps = skp_repo::of_employees(db, &[cycle.id], &ids).await?;
    let mut skp_opd: HashMap<Uuid, Uuid> = HashMap::new();
    for s in &skps {
        if let Some(o) = employee_opd.get(&s.employee_id) {
            skp_opd.insert(s.id, *o);
            if s.status == SkpStatus::Approved {
                progress.entry(*o).or_default().skps_approved += 1;
            }
        }
    }
    for e in evaluations::finalized_in_cycle(db, cycle.id).await? {
        if let Some(o) = skp_opd.get(&e.skp_id) {
            progress.entry(*o).or_default().finalized[e.period.index()] += 1;
        }
    }
    for r in opd_performance::of_cycle(db, cycle.id).await? {
        let p = progress.entry(r.unit_id).or_default();
        p.opd_predikat[r.period.index()] = r.predikat;
        if r.period == Period::Q4 {
            p.q4_calibrated = r.calibrated_at.is_some();
        }
    }
    let settings = training::settings_of_year(db, cycle.year).await?;
    for row in compliance_rows(db, cycle.year, &settings, people, true).await? {
        if let Some(o) = opd_of.get(&row.employee.unit_id) {
            let p = progress.entry(*o).or_default();
            match row.standing() {
                Standings::Met => p.jp_met += 1,
                Standings::Short => p.jp_short += 1,
                Standings::OverCap => p.jp_over_cap += 1,
            }
        }
    }
    // IKM: as `GET /skm/results?unit_id=<opd>&from=<1 Jan>&to=<31 Dec>` gives it, for the OPDs
    // with a service unit of their own (the few that serve the public).
    let first = NaiveDate::from_ymd_opt(cycle.year, 1, 1);
    let last = NaiveDate::from_ymd_opt(cycle.year, 12, 31);
    for opd in &opds {
        let own = scope_within_opd(opd.id, &children);
        if !all_units
            .iter()
            .any(|u| u.is_service_unit && own.contains(&u.id))
        {
            continue;
        }
        let results = skm::results(
            db,
            skm::ResultQuery {
                unit_id: opd.id,
                from: first,
                to: last,
                ..Default::default()
            },
        )
        .await?;
        if let Some(r) = results.current.result {
            progress.entry(opd.id).or_default().ikm =
                Some((r.ikm_unit_rounded, r.mutu, r.respondents));
        }
    }
    Ok(Overview {
        cycle,
        opds: opds
            .into_iter()
            .map(|u| {
                let p = progress.remove(&u.id).unwrap_or_default();
                (u, p)
            })
            .collect(),
    })
}
