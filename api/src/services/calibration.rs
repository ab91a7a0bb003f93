//! Organisational performance and calibration (DOMAIN §2.2–§2.3, SE MenPANRB 3/2023): each OPD
//! has a record per period of every running cycle; its capaian comes from its Perjanjian Kinerja,
//! the leader above sets its predikat (a reason when it differs from the suggestion), the head's
//! work rating follows and the period's manual PK realisasi lock; the calibration counts the
//! predikat of the OPD's employees against the curve that predikat allows, and for q4 finalises
//! all their annual evaluations at once — refused on a breach unless the cycle only warns or the
//! leader above (or an admin) records an override reason.

use std::collections::{HashMap, HashSet};

use kinerja_domain::assessment::{EvaluationStatus, predikat as employee_predikat};
use kinerja_domain::calibration::{
    Breach, Counts, OrgPredikat, OrgSuggestion, blocks, breaches, head_work_rating,
    suggest_org_predikat,
};
use kinerja_domain::capaian::{Period, PeriodCapaian};
use kinerja_domain::cycle::{CurveEnforcement, CycleStatus};
use kinerja_domain::org::scope_within_opd;
use kinerja_domain::skp::SkpStatus;
use kinerja_persistence::repos::cycles::{self, CycleRecord};
use kinerja_persistence::repos::employees;
use kinerja_persistence::repos::evaluations::{self, EvaluationRecord};
use kinerja_persistence::repos::opd_performance::{self, OpdPerformanceRecord};
use kinerja_persistence::repos::skps as skp_repo;
use kinerja_persistence::repos::unit_indicators::{self, UnitIndicatorRecord};
use kinerja_persistence::repos::units::{self, UnitRecord};
use kinerja_persistence::{Db, Store};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Context;
use super::evaluations::audit_view as evaluation_audit;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::http::precondition::IfMatch;

/// Creates the missing records: one per OPD and period of every running cycle (idempotent; run
/// at start-up and when a cycle starts; a read fills in one OPD's with [`ensure_for`]).
pub async fn ensure_records(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, ApiError> {
    let running: Vec<CycleRecord> = cycles::all(db)
        .await?
        .into_iter()
        .filter(|c| c.status == CycleStatus::Running)
        .collect();
    if running.is_empty() {
        return Ok(0);
    }
    let opds: Vec<UnitRecord> = units::all(db)
        .await?
        .into_iter()
        .filter(|u| u.is_opd)
        .collect();
    let mut missing = Vec::new();
    for cycle in &running {
        let have: HashSet<(Uuid, Period)> = opd_performance::of_cycle(db, cycle.id)
            .await?
            .into_iter()
            .map(|r| (r.unit_id, r.period))
            .collect();
        for unit in &opds {
            for period in Period::ALL {
                if !have.contains(&(unit.id, *period)) {
                    missing.push(OpdPerformanceRecord::open(cycle.id, unit.id, *period, now));
                }
            }
        }
    }
    insert(db, &missing).await?;
    Ok(missing.len())
}

async fn insert(db: &Db, records: &[OpdPerformanceRecord]) -> Result<(), ApiError> {
    if records.is_empty() {
        return Ok(());
    }
    let tx = db.begin().await?;
    opd_performance::insert_many(&tx, records).await?;
    tx.commit().await?;
    Ok(())
}

/// The record of one OPD for a period; when the cycle runs and the OPD has none yet (it became an
/// OPD after the cycle started), its records are created first.
async fn ensure_for(
    db: &Db,
    cycle: &CycleRecord,
    unit_id: Uuid,
    period: Period,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<OpdPerformanceRecord>, ApiError> {
    if let Some(record) = opd_performance::find(db, cycle.id, unit_id, period).await? {
        return Ok(Some(record));
    }
    if cycle.status != CycleStatus::Running {
        return Ok(None);
    }
    let have: HashSet<Period> = opd_performance::of_cycle(db, cycle.id)
        .await?
        .into_iter()
        .filter(|r| r.unit_id == unit_id)
        .map(|r| r.period)
        .collect();
    let missing: Vec<OpdPerformanceRecord> = Period::ALL
        .iter()
        .filter(|p| !have.contains(p))
        .map(|p| OpdPerformanceRecord::open(cycle.id, unit_id, *p, now))
        .collect();
    insert(db, &missing).await?;
    Ok(opd_performance::find(db, cycle.id, unit_id, period).await?)
}

/// Who sets an OPD's predikat: the head of the nearest unit above it that has one, or an admin
/// for the Wali Kota when there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leader {
    Employee(Uuid),
    WaliKota,
}

fn leader_of(unit: &UnitRecord, all: &[UnitRecord]) -> Leader {
    super::scope::line_up(all, unit.id)
        .iter()
        .skip(1)
        .find_map(|u| u.head_employee_id)
        .map_or(Leader::WaliKota, Leader::Employee)
}

fn is_leader(caller: &Caller, leader: Leader) -> bool {
    match leader {
        Leader::Employee(e) => caller.user().and_then(|u| u.employee_id) == Some(e),
        Leader::WaliKota => caller.is_admin(),
    }
}

/// An OPD's performance for a period, with everything its view shows.
#[derive(Debug, Clone)]
pub struct Performance {
    pub record: OpdPerformanceRecord,
    pub cycle: CycleRecord,
    pub unit: UnitRecord,
    pub leader: Leader,
    /// Each Perjanjian Kinerja indicator with its capaian for the period.
    pub indicators: Vec<(UnitIndicatorRecord, Option<PeriodCapaian>)>,
    pub suggestion: Option<OrgSuggestion>,
    /// Whether the caller may set the predikat now.
    pub may_set: bool,
}

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound).with_detail(
        "No such OPD performance (an OPD of a running cycle has one per period).",
        "Kinerja OPD tidak ditemukan (OPD pada siklus berjalan memilikinya per periode).",
    )
}

/// Loads an OPD's performance record for a period (created first when missing).
pub async fn load(
    db: &Db,
    caller: &Caller,
    now: chrono::DateTime<chrono::Utc>,
    (cycle_id, unit_id): (Uuid, Uuid),
    period: Period,
) -> Result<Performance, ApiError> {
    let cycle = cycles::get(db, cycle_id)
        .await?
        .ok_or_else(super::cycles::not_found)?;
    let all = units::all(db).await?;
    let unit = all
        .iter()
        .find(|u| u.id == unit_id)
        .cloned()
        .ok_or_else(super::scope::unit_not_found)?;
    if !unit.is_opd {
        return Err(ApiError::new(ErrorCode::UnitNotOpd));
    }
    let record = ensure_for(db, &cycle, unit_id, period, now)
        .await?
        .ok_or_else(not_found)?;
    let (indicators, suggestion) = opd_capaian(db, &cycle, unit_id, period).await?;
    let leader = leader_of(&unit, &all);
    Ok(Performance {
        may_set: is_leader(caller, leader)
            && cycle.status == CycleStatus::Running
            && record.calibrated_at.is_none(),
        record,
        cycle,
        unit,
        leader,
        indicators,
        suggestion,
    })
}

/// Each Perjanjian Kinerja indicator of an OPD with its capaian for the period, and the
/// organisational predikat they suggest.
pub async fn opd_capaian(
    db: &Db,
    cycle: &CycleRecord,
    unit_id: Uuid,
    period: Period,
) -> Result<
    (
        Vec<(UnitIndicatorRecord, Option<PeriodCapaian>)>,
        Option<OrgSuggestion>,
    ),
    ApiError,
> {
    let pk = unit_indicators::list(db, cycle.id, unit_id).await?;
    let realized = super::unit_indicators::realizations_of(db, &pk).await?;
    let ikm = super::unit_indicators::ikm_of(db, cycle.id, unit_id, &pk).await?;
    let cap = cycle.settings.capaian_cap;
    let indicators: Vec<(UnitIndicatorRecord, Option<PeriodCapaian>)> = pk
        .into_iter()
        .map(|i| {
            let c = super::unit_indicators::capaian_of(&i, &realized, &ikm, cap)
                .into_iter()
                .find(|c| c.period == period);
            (i, c)
        })
        .collect();
    let capped: Vec<_> = indicators
        .iter()
        .filter_map(|(_, c)| c.as_ref().map(|c| c.capaian.capped))
        .collect();
    let suggestion = suggest_org_predikat(&capped, &cycle.settings.org_predikat_thresholds);
    Ok((indicators, suggestion))
}

fn audit_view(r: &OpdPerformanceRecord) -> Value {
    json!({
        "cycle_id": r.cycle_id, "unit_id": r.unit_id, "period": r.period.as_str(),
        "predikat": r.predikat.map(OrgPredikat::as_str),
        "suggested_predikat": r.suggested_predikat.map(OrgPredikat::as_str),
        "reason": r.reason, "calibrated_at": r.calibrated_at, "override_reason": r.override_reason,
        "version": r.version,
    })
}

/// The leader above sets the OPD's predikat for a period (`If-Match` required; a reason when it
/// differs from the suggestion). The head's work rating for that period follows, and the
/// period's manual Perjanjian Kinerja realisasi lock.
/// The predikat the leader above sets for a period, with his reason.
#[derive(Debug, Clone)]
pub struct PredikatInput {
    pub period: Period,
    pub predikat: OrgPredikat,
    pub reason: Option<String>,
}

pub async fn set_predikat(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    route: (Uuid, Uuid),
    if_match: &IfMatch,
    input: PredikatInput,
) -> Result<Performance, ApiError> {
    let PredikatInput {
        period,
        predikat,
        reason,
    } = input;
    let p = load(db, caller, ctx.now, route, period).await?;
    if !is_leader(caller, p.leader) {
        return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
            "The leader above the OPD (the head of the unit above; an admin for the Wali Kota at the top) sets its predikat.",
            "Pimpinan di atas OPD (kepala unit di atasnya; admin untuk Wali Kota di puncak) yang menetapkan predikatnya.",
        ));
    }
    if p.cycle.status != CycleStatus::Running {
        return Err(ApiError::new(ErrorCode::CycleNotRunning));
    }
    if p.record.calibrated_at.is_some() {
        return Err(ApiError::new(ErrorCode::CalibrationFinalized));
    }
    if_match.require(p.record.version)?;
    let suggested = p.suggestion.as_ref().map(|s| s.predikat);
    let reason = reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if suggested.is_some_and(|s| s != predikat) && reason.is_none() {
        return Err(ApiError::invalid(vec![FieldError::of(
            "reason",
            "required",
            "the predikat differs from the suggestion: give the reason",
            "predikat berbeda dari saran sistem: sebutkan alasannya",
        )]));
    }
    if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
        return Err(ApiError::invalid(vec![FieldError::of(
            "reason",
            "too_long",
            "at most 2000 characters",
            "paling panjang 2000 karakter",
        )]));
    }
    let before = p.record.clone();
    let mut after = before.clone();
    after.predikat = Some(predikat);
    after.suggested_predikat = suggested;
    after.reason = reason;
    after.set_by = caller.user().map(|u| u.id);
    after.set_at = Some(ctx.now);
    after.version += 1;
    after.updated_at = ctx.now;
    let tx = db.begin().await?;
    opd_performance::update(&tx, &after, before.version).await?;
    let mut ctx = ctx.clone();
    if p.leader == Leader::WaliKota {
        ctx.actor.acting_for = Some("Wali Kota".to_owned());
    }
    ctx.audit(
        &tx,
        "opd_performance.set",
        "opd_performance",
        after.id,
        Some(audit_view(&before)),
        Some(audit_view(&after)),
    )
    .await?;
    // The head's work rating follows the OPD's predikat.
    if let Some(head) = p.unit.head_employee_id {
        let work = head_work_rating(predikat, &p.cycle.settings.head_rating_from_org);
        for skp in skp_repo::of_employee(&tx, p.cycle.id, head).await? {
            if skp.status != SkpStatus::Approved {
                continue;
            }
            for mut e in evaluations::of_skp(&tx, skp.id).await? {
                if e.period != period
                    || matches!(
                        e.status,
                        EvaluationStatus::Finalized | EvaluationStatus::Void
                    )
                {
                    continue;
                }
                let old = e.clone();
                e.work_rating = Some(work);
                e.predikat = e.behavior_rating.map(|b| employee_predikat(work, b));
                if e == old {
                    continue;
                }
                e.version += 1;
                e.updated_at = ctx.now;
                evaluations::update(&tx, &e, old.version).await?;
                ctx.audit(
                    &tx,
                    "evaluation.work_rating_from_org",
                    "evaluation",
                    e.id,
                    Some(evaluation_audit(&old)),
                    Some(evaluation_audit(&e)),
                )
                .await?;
            }
        }
    }
    tx.commit().await?;
    load(db, caller, ctx.now, route, period).await
}

/// The OPD predikat of a period, if set (for the head's evaluation and the PK realisasi lock).
pub async fn org_predikat(
    db: &impl Store,
    cycle_id: Uuid,
    unit_id: Uuid,
    period: Period,
) -> Result<Option<OrgPredikat>, ApiError> {
    Ok(opd_performance::find(db, cycle_id, unit_id, period)
        .await?
        .and_then(|r| r.predikat))
}

/// The calibration of an OPD for a period.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub performance: Performance,
    /// Employees of the OPD (its units, not reaching into OPDs below) whose evaluation of the
    /// period is assessed or finalised, with their predikat.
    pub counts: Counts,
    pub breaches: Vec<Breach>,
    /// Whether the breaches block finalisation (the cycle enforces the curve and the OPD has
    /// at least the minimum headcount).
    pub blocked: bool,
    /// Employees whose evaluation of the period is still open.
    pub not_assessed: Vec<Uuid>,
    /// The evaluations the calibration covers.
    evaluations: Vec<EvaluationRecord>,
}

/// Counts the OPD's employees' predikat for the period against its curve.
pub async fn calibration(
    db: &Db,
    caller: &Caller,
    now: chrono::DateTime<chrono::Utc>,
    route: (Uuid, Uuid),
    period: Period,
) -> Result<Calibration, ApiError> {
    let performance = load(db, caller, now, route, period).await?;
    let all = units::all(db).await?;
    let scope = scope_within_opd(performance.unit.id, &units::children_map(&all));
    let filter = employees::EmployeeFilter {
        unit_ids: Some(scope.into_iter().collect()),
        ..Default::default()
    };
    let mut staff: Vec<Uuid> = Vec::new();
    loop {
        let batch = employees::list_all(db, &filter, &[], staff.len() as u64, 5_000).await?;
        let n = batch.len();
        staff.extend(batch.into_iter().map(|e| e.id));
        if n < 5_000 {
            break;
        }
    }
    let skps = skp_repo::of_employees(db, &[performance.cycle.id], &staff).await?;
    let owner: HashMap<Uuid, Uuid> = skps
        .iter()
        .filter(|s| s.status == SkpStatus::Approved)
        .map(|s| (s.id, s.employee_id))
        .collect();
    let skp_ids: Vec<Uuid> = owner.keys().copied().collect();
    let evals: Vec<EvaluationRecord> = evaluations::of_skps(db, &skp_ids)
        .await?
        .into_iter()
        .filter(|e| e.period == period && e.status != EvaluationStatus::Void)
        .collect();
    let counts = Counts::of(
        evals
            .iter()
            .filter(|e| e.status != EvaluationStatus::Open)
            .filter_map(|e| e.predikat),
    );
    let mut not_assessed: Vec<Uuid> = evals
        .iter()
        .filter(|e| e.status == EvaluationStatus::Open || e.predikat.is_none())
        .filter_map(|e| owner.get(&e.skp_id).copied())
        .collect();
    not_assessed.sort();
    not_assessed.dedup();
    let found = performance
        .record
        .predikat
        .map(|org| breaches(org, &counts))
        .unwrap_or_default();
    let settings = &performance.cycle.settings;
    let blocked = blocks(
        &found,
        counts.headcount(),
        settings.curve_min_headcount,
        settings.curve_enforcement == CurveEnforcement::Block,
    );
    Ok(Calibration {
        performance,
        counts,
        breaches: found,
        blocked,
        not_assessed,
        evaluations: evals,
    })
}

/// Finalises the OPD's annual (q4) calibration: every q4 evaluation of its employees at once.
/// The OPD head runs it (or the leader above, or an admin); refused while one is still open,
/// before the OPD predikat is set, and on a blocking breach unless the leader above or an admin
/// gives an override reason (audited).
pub async fn finalize(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    route: (Uuid, Uuid),
    period: Period,
    override_reason: Option<String>,
) -> Result<Calibration, ApiError> {
    if period != Period::Q4 {
        return Err(ApiError::invalid(vec![FieldError::of(
            "period",
            "q4_only",
            "only the annual (q4) calibration is finalised; q1..q3 are shown, not finalised",
            "hanya kalibrasi tahunan (q4) yang difinalkan; q1..q3 hanya ditampilkan",
        )]));
    }
    let c = calibration(db, caller, ctx.now, route, period).await?;
    let p = &c.performance;
    let me = caller.user().and_then(|u| u.employee_id);
    let head = me.is_some() && me == p.unit.head_employee_id;
    let above = is_leader(caller, p.leader) || caller.is_admin();
    if !(head || above) {
        return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
            "The OPD's head runs its calibration (or the leader above, or an admin).",
            "Kepala OPD yang menjalankan kalibrasinya (atau pimpinan di atasnya, atau admin).",
        ));
    }
    if p.record.calibrated_at.is_some() {
        return Err(ApiError::new(ErrorCode::CalibrationFinalized));
    }
    if p.record.predikat.is_none() {
        return Err(ApiError::new(ErrorCode::OrgPredikatMissing));
    }
    if !c.not_assessed.is_empty() {
        return Err(ApiError::new(ErrorCode::EvaluationsOpen)
            .with_extension("employees", json!(c.not_assessed)));
    }
    let override_reason = override_reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if c.blocked {
        match &override_reason {
            None => {
                return Err(ApiError::new(ErrorCode::CurveBreached)
                    .with_extension("breaches", json!(c.breaches)));
            }
            Some(_) if !above => {
                return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
                    "Only the leader above the OPD or an admin overrides its curve.",
                    "Hanya pimpinan di atas OPD atau admin yang dapat mengesampingkan kurvanya.",
                ));
            }
            Some(_) => {}
        }
    }
    let before = p.record.clone();
    let mut after = before.clone();
    after.calibrated_at = Some(ctx.now);
    after.calibrated_by = caller.user().map(|u| u.id);
    after.override_reason = override_reason.filter(|_| c.blocked);
    after.version += 1;
    after.updated_at = ctx.now;
    let tx = db.begin().await?;
    opd_performance::update(&tx, &after, before.version).await?;
    for e in c
        .evaluations
        .iter()
        .filter(|e| e.status == EvaluationStatus::Assessed)
    {
        let mut done = e.clone();
        done.status = EvaluationStatus::Finalized;
        done.finalized_by = caller.user().map(|u| u.id);
        done.finalized_at = Some(ctx.now);
        done.version += 1;
        done.updated_at = ctx.now;
        evaluations::update(&tx, &done, e.version).await?;
        ctx.audit(
            &tx,
            "evaluation.finalized",
            "evaluation",
            done.id,
            Some(evaluation_audit(e)),
            Some(evaluation_audit(&done)),
        )
        .await?;
    }
    let mut audit = audit_view(&after);
    if let Value::Object(a) = &mut audit {
        a.insert("breaches".into(), json!(c.breaches));
        a.insert("counts".into(), json!(c.counts));
    }
    ctx.audit(
        &tx,
        "calibration.finalized",
        "opd_performance",
        after.id,
        Some(audit_view(&before)),
        Some(audit),
    )
    .await?;
    tx.commit().await?;
    calibration(db, caller, ctx.now, route, period).await
}

/// The calibration of every OPD of a cycle for a period (the city-wide view).
pub async fn all_opds(
    db: &Db,
    caller: &Caller,
    now: chrono::DateTime<chrono::Utc>,
    cycle_id: Uuid,
    period: Period,
) -> Result<Vec<Calibration>, ApiError> {
    cycles::get(db, cycle_id)
        .await?
        .ok_or_else(super::cycles::not_found)?;
    ensure_records(db, now).await?;
    // The OPDs that have a record: every OPD of a running (or closed) cycle; none in planning.
    let recorded: HashSet<Uuid> = opd_performance::of_cycle(db, cycle_id)
        .await?
        .into_iter()
        .filter(|r| r.period == period)
        .map(|r| r.unit_id)
        .collect();
    let mut opds: Vec<UnitRecord> = units::all(db)
        .await?
        .into_iter()
        .filter(|u| u.is_opd && recorded.contains(&u.id))
        .collect();
    opds.sort_by(|a, b| a.code.cmp(&b.code));
    let mut out = Vec::new();
    for unit in opds {
        out.push(calibration(db, caller, now, (cycle_id, unit.id), period).await?);
    }
    Ok(out)
}
