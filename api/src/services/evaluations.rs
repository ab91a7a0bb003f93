//! Evaluations of an approved SKP per period (DOMAIN §2.2, §2.4): created `open` when the SKP is
//! approved, for every quarter its dates overlap; the pegawai's self-assessment; the penilai's
//! ratings with the suggested work rating and its derivation; the predikat computed from the two
//! ratings; finalisation (q1..q3 by the penilai; q4 through calibration) that locks the period's
//! realisasi; reopening by an admin with a reason.

use chrono::{DateTime, Utc};
use kinerja_domain::assessment::{
    EvaluationError, EvaluationStatus, Predikat, Rating, Suggestion, evaluated_periods,
    override_needs_reason, predikat, suggest_work_rating,
};
use kinerja_domain::capaian::{Period, PeriodCapaian};
use kinerja_domain::cycle::CycleStatus;
use kinerja_domain::feedback::CoreValue;
use kinerja_domain::skp::{RhkKind, SkpStatus};
use kinerja_persistence::repos::cycles::{self, CycleRecord};
use kinerja_persistence::repos::employees::{self, EmployeeRecord};
use kinerja_persistence::repos::evaluations::{
    self, BehaviorScore, EvaluationRecord, RhkNote, SelfAssessment, ValueNote,
};
use kinerja_persistence::repos::objections::{self, ObjectionRecord};
use kinerja_persistence::repos::skps::{self as skp_repo, SkpIndicatorRecord, SkpRecord};
use kinerja_persistence::repos::units;
use kinerja_persistence::{Db, Store, Tx};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Context;
use super::realizations::capaian_of;
use super::skps::{self, FullSkp};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::http::precondition::IfMatch;

/// What the caller may do with one evaluation, by his relation to the SKP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvaluationRights {
    pub read: bool,
    /// The pegawai himself.
    pub owner: bool,
    /// The penilai (or an admin for the Wali Kota), never the pegawai himself.
    pub rate: bool,
    /// The atasan pejabat penilai: the penilai's own superior (an admin for the Wali Kota).
    pub decide_objection: bool,
    pub admin: bool,
}

/// An evaluation with everything its view shows.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub record: EvaluationRecord,
    pub full: FullSkp,
    pub cycle: CycleRecord,
    pub rights: EvaluationRights,
    /// Each indicator in force with its capaian for the period (none: no realisasi, or a quarter
    /// without its own target).
    pub capaian: Vec<(SkpIndicatorRecord, Option<PeriodCapaian>)>,
    pub suggestion: Option<Suggestion>,
    /// Whether the employee heads an OPD: his work rating follows the OPD's predikat.
    pub heads_opd: bool,
    /// That OPD's predikat for the period, once the leader above has set it.
    pub org_predikat: Option<kinerja_domain::calibration::OrgPredikat>,
    pub objection: Option<ObjectionRecord>,
    /// For q4: the employee's other SKPs of the year with their evaluations.
    pub earlier: Vec<(SkpRecord, Vec<EvaluationRecord>)>,
}

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound).with_detail(
        "No such evaluation (an SKP is evaluated in the quarters its dates overlap, once approved).",
        "Evaluasi tidak ditemukan (SKP dievaluasi pada triwulan yang dicakup tanggalnya, setelah disetujui).",
    )
}

fn forbidden(en: &'static str, id: &'static str) -> ApiError {
    ApiError::new(ErrorCode::Forbidden).with_detail(en, id)
}

pub(crate) fn evaluation_error(e: EvaluationError) -> ApiError {
    ApiError::new(match e {
        EvaluationError::Finalized => ErrorCode::EvaluationFinalized,
        EvaluationError::Void => ErrorCode::EvaluationVoid,
        EvaluationError::AlreadyAssessed => ErrorCode::SelfAssessmentClosed,
        EvaluationError::NotAssessed => ErrorCode::EvaluationNotAssessed,
        EvaluationError::NotFinalized => ErrorCode::EvaluationNotFinalized,
    })
}

pub(crate) fn audit_view(e: &EvaluationRecord) -> Value {
    json!({
        "skp_id": e.skp_id, "period": e.period.as_str(), "status": e.status.as_str(),
        "work_rating": e.work_rating.map(Rating::as_str),
        "suggested_work_rating": e.suggested_work_rating.map(Rating::as_str),
        "override_reason": e.override_reason,
        "behavior_ratings": e.behavior_ratings,
        "behavior_rating": e.behavior_rating.map(Rating::as_str),
        "predikat": e.predikat.map(Predikat::as_str),
        "self_assessed": e.self_assessment.is_some(),
        "version": e.version,
    })
}

/// Opens the evaluations of a newly approved SKP: one per quarter its dates overlap (DESIGN §3:
/// records that a PUT fills exist beforehand). Periods already there are kept.
pub async fn open_for(tx: &Tx, skp: &SkpRecord, now: DateTime<Utc>) -> Result<(), ApiError> {
    let Some(cycle) = cycles::get(tx, skp.cycle_id).await? else {
        return Ok(());
    };
    let existing = evaluations::of_skp(tx, skp.id).await?;
    let fresh: Vec<EvaluationRecord> = evaluated_periods(cycle.year, skp.start_date, skp.end_date)
        .into_iter()
        .filter(|p| !existing.iter().any(|e| e.period == *p))
        .map(|period| {
            EvaluationRecord::open(Uuid::now_v7(), skp.id, period, skp.snapshot.clone(), now)
        })
        .collect();
    Ok(evaluations::insert_many(tx, &fresh).await?)
}

/// After an SKP's dates change: evaluations of quarters it no longer overlaps become `void`
/// (finalised ones stay as they are), and quarters it newly overlaps get theirs.
pub async fn follow_dates(tx: &Tx, skp: &SkpRecord, now: DateTime<Utc>) -> Result<(), ApiError> {
    if skp.status != SkpStatus::Approved {
        return Ok(());
    }
    let Some(cycle) = cycles::get(tx, skp.cycle_id).await? else {
        return Ok(());
    };
    let periods = evaluated_periods(cycle.year, skp.start_date, skp.end_date);
    for mut e in evaluations::of_skp(tx, skp.id).await? {
        let next = match (periods.contains(&e.period), e.status) {
            (false, EvaluationStatus::Open | EvaluationStatus::Assessed) => EvaluationStatus::Void,
            (true, EvaluationStatus::Void) => EvaluationStatus::Open,
            _ => continue,
        };
        let expected = e.version;
        e.status = next;
        e.version += 1;
        e.updated_at = now;
        evaluations::update(tx, &e, expected).await?;
    }
    open_for(tx, skp, now).await
}

/// Opens the evaluations of SKPs approved before evaluations existed. Run at start-up; does
/// nothing once every approved SKP has them.
pub async fn backfill(db: &Db, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let missing = evaluations::approved_without_evaluations(db).await?;
    if missing.is_empty() {
        return Ok(0);
    }
    let tx = db.begin().await?;
    for skp in &missing {
        open_for(&tx, skp, now).await?;
    }
    tx.commit().await?;
    Ok(missing.len())
}

/// The caller's rights on the evaluations of `skp` of `employee`.
async fn rights_of(
    db: &Db,
    caller: &Caller,
    skp: &SkpRecord,
    skp_rights: skps::Rights,
) -> Result<EvaluationRights, ApiError> {
    let me = caller.user().and_then(|u| u.employee_id);
    let owner = me == Some(skp.employee_id);
    let evaluator = me.is_some() && me == skp.evaluator_id;
    let admin = caller.is_admin();
    let atasan = match (me, skp.evaluator_id) {
        (Some(me), Some(penilai)) => {
            employees::get(db, penilai)
                .await?
                .and_then(|p| p.supervisor_id)
                == Some(me)
        }
        _ => false,
    };
    // The penilai's penilai is the Wali Kota when the penilai reports to nobody: an admin.
    let atasan_is_wali_kota = match skp.evaluator_id {
        Some(penilai) => employees::get(db, penilai)
            .await?
            .is_some_and(|p| p.supervisor_id.is_none()),
        None => true,
    };
    let reader = admin
        || caller.is_auditor()
        || caller.has_scope(kinerja_domain::accounts::Scope::ReadPerformance);
    Ok(EvaluationRights {
        // Not the subordinate who reads his penilai's SKP to cascade from it.
        read: owner || evaluator || atasan || skp_rights.manage || reader,
        owner,
        rate: !owner && (evaluator || skp_rights.acting_for_wali_kota),
        decide_objection: !owner && (atasan || (admin && atasan_is_wali_kota)),
        admin,
    })
}

/// An SKP whose evaluations the caller reads (the penilai's superior too, who decides
/// objections, though he does not read the SKP itself), with the caller's rights on them.
async fn readable(
    db: &Db,
    caller: &Caller,
    skp_id: Uuid,
) -> Result<(FullSkp, EmployeeRecord, EvaluationRights), ApiError> {
    let skp = skp_repo::get(db, skp_id)
        .await?
        .ok_or_else(skps::not_found)?;
    let employee = employees::get(db, skp.employee_id)
        .await?
        .ok_or_else(skps::not_found)?;
    let skp_rights = skps::rights(db, caller, &skp, &employee).await?;
    let rights = rights_of(db, caller, &skp, skp_rights).await?;
    if !rights.read {
        return Err(skps::not_found());
    }
    Ok((skps::complete(db, skp).await?, employee, rights))
}

/// The OPD the employee heads, if any.
async fn opd_headed(db: &Db, employee: &EmployeeRecord) -> Result<Option<Uuid>, ApiError> {
    Ok(units::all(db)
        .await?
        .iter()
        .find(|u| u.is_opd && u.head_employee_id == Some(employee.id))
        .map(|u| u.id))
}

/// Loads the evaluation of `skp_id` for `period` with everything its view needs.
pub async fn load(
    db: &Db,
    caller: &Caller,
    skp_id: Uuid,
    period: Period,
) -> Result<Evaluation, ApiError> {
    let (full, employee, rights) = readable(db, caller, skp_id).await?;
    let record = evaluations::of_skp(db, skp_id)
        .await?
        .into_iter()
        .find(|e| e.period == period)
        .ok_or_else(not_found)?;
    let cycle = cycles::get(db, full.skp.cycle_id)
        .await?
        .ok_or_else(not_found)?;
    let capaian: Vec<(SkpIndicatorRecord, Option<PeriodCapaian>)> = full
        .rhks
        .iter()
        .flat_map(|r| &r.indicators)
        .map(|i| {
            let c = capaian_of(i, &full.realizations, full.cap)
                .into_iter()
                .find(|c| c.period == period);
            (i.clone(), c)
        })
        .collect();
    let utama: Vec<_> = full
        .rhks
        .iter()
        .filter(|r| r.kind == RhkKind::Utama)
        .flat_map(|r| r.indicators.iter().map(|i| i.id))
        .collect();
    let capped: Vec<_> = capaian
        .iter()
        .filter(|(i, _)| utama.contains(&i.id))
        .filter_map(|(_, c)| c.as_ref().map(|c| c.capaian.capped))
        .collect();
    let suggestion = suggest_work_rating(&capped, &cycle.settings.work_rating_thresholds);
    let objection = objections::of_evaluations(db, &[record.id])
        .await?
        .into_iter()
        .next();
    let mut earlier = Vec::new();
    if period == Period::Q4 {
        for other in skp_repo::of_employee(db, full.skp.cycle_id, full.skp.employee_id).await? {
            if other.id != full.skp.id && other.status == SkpStatus::Approved {
                let evals = evaluations::of_skp(db, other.id).await?;
                earlier.push((other, evals));
            }
        }
        earlier.sort_by_key(|(s, _)| s.start_date);
    }
    let opd = opd_headed(db, &employee).await?;
    let org_predikat = match opd {
        Some(unit) => super::calibration::org_predikat(db, full.skp.cycle_id, unit, period).await?,
        None => None,
    };
    Ok(Evaluation {
        heads_opd: opd.is_some(),
        org_predikat,
        record,
        full,
        cycle,
        rights,
        capaian,
        suggestion,
        objection,
        earlier,
    })
}

/// The evaluations of an SKP the caller may read, q1 to q4.
pub async fn of_skp(
    db: &Db,
    caller: &Caller,
    skp_id: Uuid,
) -> Result<Vec<EvaluationRecord>, ApiError> {
    readable(db, caller, skp_id).await?;
    Ok(evaluations::of_skp(db, skp_id).await?)
}

/// What is still missing before the evaluation can be finalised, in order.
pub fn missing(e: &Evaluation) -> Vec<&'static str> {
    let r = &e.record;
    let mut out = Vec::new();
    if r.self_assessment.is_none() && r.status == EvaluationStatus::Open {
        out.push("self_assessment");
    }
    if r.work_rating.is_none() && !e.heads_opd {
        out.push("work_rating");
    }
    if e.heads_opd && e.org_predikat.is_none() {
        out.push("org_predikat");
    }
    if r.behavior_ratings.len() < CoreValue::ALL.len() {
        out.push("behavior_ratings");
    }
    if r.behavior_rating.is_none() {
        out.push("behavior_rating");
    }
    if r.status == EvaluationStatus::Assessed {
        out.push("finalization");
    }
    out
}

/// The actions the caller may take on the evaluation now.
pub fn actions(e: &Evaluation, now: DateTime<Utc>) -> Vec<&'static str> {
    let r = &e.record;
    let running = e.cycle.status == CycleStatus::Running;
    let mut out = Vec::new();
    if running && e.rights.owner && r.status.self_assess().is_ok() {
        out.push("self_assess");
    }
    if running && e.rights.rate && r.status.assess().is_ok() {
        out.push("assess");
    }
    if running
        && e.rights.rate
        && r.period != Period::Q4
        && (!e.heads_opd || e.org_predikat.is_some())
        && r.status.finalize().is_ok()
    {
        out.push("finalize");
    }
    if e.rights.admin
        && r.status.reopen().is_ok()
        && e.objection.as_ref().is_none_or(|o| !o.status.is_open())
    {
        out.push("reopen");
    }
    if e.rights.owner
        && super::objections::windows(&e.cycle)
            .may_file(r.status, r.finalized_at, e.objection.is_some(), now)
            .is_ok()
    {
        out.push("object");
    }
    out
}

/// An evaluation the caller changes: loaded, its version checked, its cycle running.
async fn for_change(
    db: &Db,
    caller: &Caller,
    (skp_id, period): (Uuid, Period),
    if_match: &IfMatch,
    required: bool,
) -> Result<Evaluation, ApiError> {
    let e = load(db, caller, skp_id, period).await?;
    if required {
        if_match.require(e.record.version)?;
    } else {
        if_match.honour(e.record.version)?;
    }
    Ok(e)
}

fn ensure_running(cycle: &CycleRecord) -> Result<(), ApiError> {
    if cycle.status != CycleStatus::Running {
        return Err(ApiError::new(ErrorCode::CycleNotRunning).with_detail(
            "Evaluations happen while the cycle runs.",
            "Evaluasi dilakukan selama siklus berjalan.",
        ));
    }
    Ok(())
}

/// Writes the changed evaluation with its audit event; answers it reloaded.
async fn save(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    mut e: Evaluation,
    before: EvaluationRecord,
    action: &str,
    extra: Option<Value>,
) -> Result<Evaluation, ApiError> {
    let expected = before.version;
    e.record.version = before.version + 1;
    e.record.updated_at = ctx.now;
    let tx = db.begin().await?;
    evaluations::update(&tx, &e.record, expected).await?;
    let mut after = audit_view(&e.record);
    if let (Some(Value::Object(extra)), Value::Object(after)) = (extra, &mut after) {
        after.extend(extra);
    }
    ctx.audit(
        &tx,
        action,
        "evaluation",
        e.record.id,
        Some(audit_view(&before)),
        Some(after),
    )
    .await?;
    tx.commit().await?;
    load(db, caller, e.full.skp.id, e.record.period).await
}

/// The self-assessment as written.
#[derive(Debug, Clone, Default)]
pub struct SelfAssessmentInput {
    pub rhk: Vec<(Uuid, String)>,
    pub core_values: Vec<(CoreValue, String)>,
}

/// The pegawai's self-assessment (replaced whole), before the penilai rates.
pub async fn self_assess(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    route: (Uuid, Period),
    if_match: &IfMatch,
    input: SelfAssessmentInput,
) -> Result<Evaluation, ApiError> {
    let mut e = for_change(db, caller, route, if_match, true).await?;
    if !e.rights.owner {
        return Err(forbidden(
            "Only the employee assesses himself.",
            "Hanya pegawai yang menilai dirinya sendiri.",
        ));
    }
    e.record.status.self_assess().map_err(evaluation_error)?;
    ensure_running(&e.cycle)?;
    let mut errors = Vec::new();
    let mut out = SelfAssessment::default();
    for (n, (rhk_id, text)) in input.rhk.iter().enumerate() {
        if !e.full.rhks.iter().any(|r| r.id == *rhk_id) {
            errors.push(FieldError::of(
                &format!("rhk[{n}].rhk_id"),
                "unknown_rhk",
                "is not an RHK in force of this SKP",
                "bukan RHK yang berlaku pada SKP ini",
            ));
        } else if out.rhk.iter().any(|r| r.rhk_id == *rhk_id) {
            errors.push(FieldError::of(
                &format!("rhk[{n}].rhk_id"),
                "duplicate",
                "appears twice",
                "muncul dua kali",
            ));
        }
        match super::text(&format!("rhk[{n}].text"), text) {
            Ok(text) => out.rhk.push(RhkNote {
                rhk_id: *rhk_id,
                text,
            }),
            Err(e) => errors.push(e),
        }
    }
    for (n, (core_value, text)) in input.core_values.iter().enumerate() {
        if out.core_values.iter().any(|v| v.core_value == *core_value) {
            errors.push(FieldError::of(
                &format!("core_values[{n}].core_value"),
                "duplicate",
                "appears twice",
                "muncul dua kali",
            ));
        }
        match super::text(&format!("core_values[{n}].text"), text) {
            Ok(text) => out.core_values.push(ValueNote {
                core_value: *core_value,
                text,
            }),
            Err(e) => errors.push(e),
        }
    }
    if input.rhk.is_empty() && input.core_values.is_empty() {
        errors.push(FieldError::of(
            "rhk",
            "required",
            "say something about at least one RHK or core value",
            "isi setidaknya satu RHK atau nilai dasar",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let before = e.record.clone();
    e.record.self_assessment = Some(out);
    e.record.self_assessed_at = Some(ctx.now);
    save(db, ctx, caller, e, before, "evaluation.self_assessed", None).await
}

/// The penilai's ratings as sent.
#[derive(Debug, Clone)]
pub struct AssessmentInput {
    pub work_rating: Option<Rating>,
    pub behavior_ratings: Vec<(CoreValue, Rating, Option<String>)>,
    pub behavior_rating: Rating,
    pub override_reason: Option<String>,
}

/// The penilai rates (again, until finalised): the predikat follows from the two ratings.
pub async fn assess(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    route: (Uuid, Period),
    if_match: &IfMatch,
    input: AssessmentInput,
) -> Result<Evaluation, ApiError> {
    let mut e = for_change(db, caller, route, if_match, true).await?;
    if !e.rights.rate {
        return Err(forbidden(
            "Only the penilai rates, and nobody rates himself.",
            "Hanya penilai yang menilai, dan tidak ada yang menilai dirinya sendiri.",
        ));
    }
    let next = e.record.status.assess().map_err(evaluation_error)?;
    ensure_running(&e.cycle)?;
    let mut errors = Vec::new();
    if e.heads_opd {
        // His work rating is his OPD's predikat for the period (organisational performance).
        if input.work_rating.is_some() {
            errors.push(FieldError::of(
                "work_rating",
                "work_rating_derived",
                "the head of an OPD is rated on work by his OPD's predikat",
                "rating hasil kerja kepala OPD mengikuti predikat OPD-nya",
            ));
        }
    } else if input.work_rating.is_none() {
        errors.push(FieldError::of(
            "work_rating",
            "required",
            "is required",
            "wajib diisi",
        ));
    }
    let reason = input
        .override_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let suggested = e.suggestion.as_ref().map(|s| s.rating);
    if let Some(w) = input.work_rating
        && override_needs_reason(suggested, w)
        && reason.is_none()
    {
        errors.push(FieldError::of(
            "override_reason",
            "required",
            "the work rating differs from the suggestion: give the reason",
            "rating hasil kerja berbeda dari saran sistem: sebutkan alasannya",
        ));
    }
    if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
        errors.push(FieldError::of(
            "override_reason",
            "too_long",
            "at most 2000 characters",
            "paling panjang 2000 karakter",
        ));
    }
    let mut scores: Vec<BehaviorScore> = Vec::new();
    for (value, rating, note) in &input.behavior_ratings {
        let note = note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            errors.push(FieldError::of(
                &format!("behavior_notes.{}", value.as_str()),
                "too_long",
                "at most 2000 characters",
                "paling panjang 2000 karakter",
            ));
        }
        scores.push(BehaviorScore {
            core_value: *value,
            rating: *rating,
            note,
        });
    }
    for value in CoreValue::ALL {
        if !scores.iter().any(|s| s.core_value == *value) {
            errors.push(FieldError::of(
                &format!("behavior_ratings.{}", value.as_str()),
                "required",
                "every BerAKHLAK core value is rated",
                "setiap nilai dasar BerAKHLAK dinilai",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    scores.sort_by_key(|s| CoreValue::ALL.iter().position(|v| *v == s.core_value));
    let before = e.record.clone();
    // The head of an OPD: his work rating is his OPD's predikat of the period, once set.
    let from_org = e.org_predikat.filter(|_| e.heads_opd).map(|org| {
        kinerja_domain::calibration::head_work_rating(org, &e.cycle.settings.head_rating_from_org)
    });
    let r = &mut e.record;
    r.status = next;
    r.work_rating = input.work_rating.or(from_org);
    r.suggested_work_rating = suggested;
    r.override_reason = reason.filter(|_| {
        input
            .work_rating
            .is_some_and(|w| override_needs_reason(suggested, w))
    });
    r.behavior_ratings = scores;
    r.behavior_rating = Some(input.behavior_rating);
    r.predikat = r.work_rating.map(|w| predikat(w, input.behavior_rating));
    r.assessed_by = caller.user().map(|u| u.id);
    r.assessed_at = Some(ctx.now);
    let derivation = e.suggestion.as_ref().map(|s| {
        json!({"inputs": s.inputs, "mean_rounded": s.mean_rounded.to_string(), "suggested": s.rating.as_str()})
    });
    save(
        db,
        ctx,
        caller,
        e,
        before,
        "evaluation.assessed",
        Some(json!({"suggestion": derivation})),
    )
    .await
}

/// The penilai finalises a quarter (q1..q3): the evaluation and that quarter's realisasi lock.
pub async fn finalize(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    route: (Uuid, Period),
    if_match: &IfMatch,
) -> Result<Evaluation, ApiError> {
    let mut e = for_change(db, caller, route, if_match, false).await?;
    if !e.rights.rate {
        return Err(forbidden(
            "Only the penilai finalises the evaluation.",
            "Hanya penilai yang memfinalkan evaluasi.",
        ));
    }
    if e.record.period == Period::Q4 {
        return Err(ApiError::new(ErrorCode::FinalizedByCalibration));
    }
    let next = e.record.status.finalize().map_err(evaluation_error)?;
    ensure_running(&e.cycle)?;
    if e.heads_opd && e.org_predikat.is_none() {
        return Err(ApiError::new(ErrorCode::OrgPredikatMissing));
    }
    let before = e.record.clone();
    e.record.status = next;
    e.record.finalized_by = caller.user().map(|u| u.id);
    e.record.finalized_at = Some(ctx.now);
    save(db, ctx, caller, e, before, "evaluation.finalized", None).await
}

/// An admin reopens a finalised evaluation with a reason (audited); its ratings stay for the
/// penilai to change.
pub async fn reopen(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    route: (Uuid, Period),
    if_match: &IfMatch,
    reason: &str,
) -> Result<Evaluation, ApiError> {
    let mut e = for_change(db, caller, route, if_match, false).await?;
    if !e.rights.admin {
        return Err(forbidden(
            "Only an admin reopens a finalised evaluation.",
            "Hanya admin yang membuka kembali evaluasi final.",
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::invalid(vec![FieldError::of(
            "reason",
            "required",
            "is required",
            "wajib diisi",
        )]));
    }
    let next = e.record.status.reopen().map_err(evaluation_error)?;
    if e.objection.as_ref().is_some_and(|o| o.status.is_open()) {
        return Err(ApiError::new(ErrorCode::ObjectionsPending).with_detail(
            "An objection against this evaluation awaits its decision.",
            "Keberatan atas evaluasi ini menunggu keputusan.",
        ));
    }
    let before = e.record.clone();
    e.record.status = next;
    e.record.finalized_by = None;
    e.record.finalized_at = None;
    save(
        db,
        ctx,
        caller,
        e,
        before,
        "evaluation.reopened",
        Some(json!({"reason": reason})),
    )
    .await
}

/// Whether the period's realisasi of an SKP is locked (its evaluation finalised).
pub async fn period_locked(
    db: &impl Store,
    skp_id: Uuid,
    period: Period,
) -> Result<bool, ApiError> {
    Ok(evaluations::of_skp(db, skp_id)
        .await?
        .iter()
        .any(|e| e.period == period && e.status.locks_realisasi()))
}
