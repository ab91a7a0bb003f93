//! Objections (keberatan, DOMAIN §2.4, PP 30/2019 Pasal 59): the pegawai objects to a finalised
//! evaluation within the cycle's window (WIB days); the penilai explains in writing; the atasan
//! pejabat penilai (an admin for the Wali Kota) decides, `accepted` with new ratings (the
//! predikat recomputed) or `rejected`. The decision is final; the objection keeps the original
//! outcome and the decided one.

use chrono::{DateTime, Utc};
use kinerja_domain::assessment::{
    EvaluationStatus, ObjectionError, ObjectionStatus, ObjectionWindows, Rating, predikat,
};
use kinerja_domain::capaian::Period;
use kinerja_persistence::repos::cycles::CycleRecord;
use kinerja_persistence::repos::evaluations::{self, EvaluationRecord};
use kinerja_persistence::repos::objections::{self, Decision, ObjectionRecord, Outcome};
use kinerja_persistence::{Db, PersistenceError};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Context;
use super::evaluations::{self as evaluation, Evaluation};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError};

/// The objection windows of a cycle.
pub fn windows(cycle: &CycleRecord) -> ObjectionWindows {
    ObjectionWindows {
        window_days: cycle.settings.objection_window_days,
        decision_days: cycle.settings.objection_decision_days,
    }
}

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound)
        .with_detail("No such objection.", "Keberatan tidak ditemukan.")
}

fn objection_error(e: ObjectionError) -> ApiError {
    ApiError::new(match e {
        ObjectionError::WindowClosed => ErrorCode::ObjectionWindowClosed,
        ObjectionError::NotFinalized => ErrorCode::EvaluationNotFinalized,
        ObjectionError::AlreadyFiled => ErrorCode::ObjectionExists,
        ObjectionError::AlreadyExplained => ErrorCode::ObjectionExplained,
        ObjectionError::Decided => ErrorCode::ObjectionDecided,
        ObjectionError::AwaitingExplanation => ErrorCode::ObjectionAwaitingExplanation,
    })
}

fn outcome(e: &EvaluationRecord) -> Outcome {
    Outcome {
        work_rating: e.work_rating,
        behavior_rating: e.behavior_rating,
        predikat: e.predikat,
    }
}

fn audit_view(o: &ObjectionRecord) -> Value {
    json!({
        "evaluation_id": o.evaluation_id, "status": o.status.as_str(), "reason": o.reason,
        "explanation": o.explanation, "original": o.original, "decision": o.decision,
        "version": o.version,
    })
}

/// A text of 1..=4000 characters, trimmed, or the field error.
fn text(name: &str, raw: &str) -> Result<String, ApiError> {
    super::text(name, raw).map_err(|e| ApiError::invalid(vec![e]))
}

/// The pegawai objects to his finalised evaluation, within the window.
pub async fn file(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    (skp_id, period): (Uuid, Period),
    reason: &str,
) -> Result<(ObjectionRecord, Evaluation), ApiError> {
    let e = evaluation::load(db, caller, skp_id, period).await?;
    if !e.rights.owner {
        return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
            "Only the employee objects to his own evaluation.",
            "Hanya pegawai yang mengajukan keberatan atas evaluasinya.",
        ));
    }
    let reason = text("reason", reason)?;
    windows(&e.cycle)
        .may_file(
            e.record.status,
            e.record.finalized_at,
            e.objection.is_some(),
            ctx.now,
        )
        .map_err(objection_error)?;
    let objection = ObjectionRecord {
        id: Uuid::now_v7(),
        evaluation_id: e.record.id,
        status: ObjectionStatus::Filed,
        reason,
        filed_by: caller.user().map(|u| u.id),
        filed_at: ctx.now,
        explanation: None,
        explained_by: None,
        explained_at: None,
        decision: None,
        decided_by: None,
        decided_at: None,
        original: outcome(&e.record),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let tx = db.begin().await?;
    objections::insert(&tx, &objection)
        .await
        .map_err(|err| match err {
            PersistenceError::Conflict(_) => ApiError::new(ErrorCode::ObjectionExists),
            other => other.into(),
        })?;
    ctx.audit(
        &tx,
        "objection.filed",
        "objection",
        objection.id,
        None,
        Some(audit_view(&objection)),
    )
    .await?;
    tx.commit().await?;
    let e = evaluation::load(db, caller, skp_id, period).await?;
    Ok((objection, e))
}

/// An objection the caller may see (he reads its evaluation), with the evaluation.
pub async fn load(
    db: &Db,
    caller: &Caller,
    id: Uuid,
) -> Result<(ObjectionRecord, Evaluation), ApiError> {
    let objection = objections::get(db, id).await?.ok_or_else(not_found)?;
    let record = evaluations::get(db, objection.evaluation_id)
        .await?
        .ok_or_else(not_found)?;
    let e = evaluation::load(db, caller, record.skp_id, record.period)
        .await
        .map_err(|err| {
            if err.code == ErrorCode::NotFound {
                not_found()
            } else {
                err
            }
        })?;
    Ok((objection, e))
}

async fn save(
    db: &Db,
    ctx: &Context,
    before: &ObjectionRecord,
    mut after: ObjectionRecord,
    action: &str,
) -> Result<ObjectionRecord, ApiError> {
    after.version = before.version + 1;
    after.updated_at = ctx.now;
    let tx = db.begin().await?;
    objections::update(&tx, &after, before.version).await?;
    ctx.audit(
        &tx,
        action,
        "objection",
        after.id,
        Some(audit_view(before)),
        Some(audit_view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The penilai's written explanation, once.
pub async fn explain(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    explanation: &str,
) -> Result<(ObjectionRecord, Evaluation), ApiError> {
    let (before, e) = load(db, caller, id).await?;
    if !e.rights.rate {
        return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
            "Only the penilai explains his assessment.",
            "Hanya penilai yang memberi tanggapan atas penilaiannya.",
        ));
    }
    let next = before.status.explain().map_err(objection_error)?;
    let explanation = text("text", explanation)?;
    let after = ObjectionRecord {
        status: next,
        explanation: Some(explanation),
        explained_by: caller.user().map(|u| u.id),
        explained_at: Some(ctx.now),
        ..before.clone()
    };
    let saved = save(db, ctx, &before, after, "objection.explained").await?;
    Ok((saved, e))
}

/// The decision as sent.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    pub accepted: bool,
    pub note: Option<String>,
    pub work_rating: Option<Rating>,
    pub behavior_rating: Option<Rating>,
}

/// The atasan pejabat penilai decides: final. Accepted, the evaluation takes the new ratings
/// and its predikat is recomputed; the objection keeps both outcomes.
pub async fn decide(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    id: Uuid,
    input: DecisionInput,
) -> Result<(ObjectionRecord, Evaluation), ApiError> {
    let (before, e) = load(db, caller, id).await?;
    if !e.rights.decide_objection {
        return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
            "The atasan pejabat penilai (the penilai's own superior) decides the objection.",
            "Atasan pejabat penilai (atasan dari penilai) yang memutus keberatan.",
        ));
    }
    let overdue = ctx.now > windows(&e.cycle).explanation_due(before.filed_at);
    let next = before
        .status
        .decide(input.accepted, overdue)
        .map_err(objection_error)?;
    let mut errors = Vec::new();
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if note.as_ref().is_some_and(|n| n.chars().count() > 4000) {
        errors.push(FieldError::of(
            "note",
            "too_long",
            "at most 4000 characters",
            "paling panjang 4000 karakter",
        ));
    }
    let mut evaluation_after = e.record.clone();
    if input.accepted {
        if e.heads_opd {
            if input.work_rating.is_some() {
                errors.push(FieldError::of(
                    "work_rating",
                    "work_rating_derived",
                    "the head of an OPD is rated on work by his OPD's predikat",
                    "rating hasil kerja kepala OPD mengikuti predikat OPD-nya",
                ));
            }
        } else if let Some(w) = input.work_rating {
            evaluation_after.work_rating = Some(w);
        }
        if let Some(b) = input.behavior_rating {
            evaluation_after.behavior_rating = Some(b);
        }
        if input.work_rating.is_none() && input.behavior_rating.is_none() {
            errors.push(FieldError::of(
                "work_rating",
                "required",
                "an accepted objection gives the new ratings",
                "keberatan yang diterima memuat rating baru",
            ));
        }
    } else {
        for (name, given) in [
            ("work_rating", input.work_rating.is_some()),
            ("behavior_rating", input.behavior_rating.is_some()),
        ] {
            if given {
                errors.push(FieldError::of(
                    name,
                    "not_allowed",
                    "a rejected objection changes no rating",
                    "keberatan yang ditolak tidak mengubah rating",
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    evaluation_after.predikat = match (
        evaluation_after.work_rating,
        evaluation_after.behavior_rating,
    ) {
        (Some(w), Some(b)) => Some(predikat(w, b)),
        _ => evaluation_after.predikat,
    };
    let after = ObjectionRecord {
        status: next,
        decision: Some(Decision {
            accepted: input.accepted,
            note,
            outcome: outcome(&evaluation_after),
        }),
        decided_by: caller.user().map(|u| u.id),
        decided_at: Some(ctx.now),
        version: before.version + 1,
        updated_at: ctx.now,
        ..before.clone()
    };
    let tx = db.begin().await?;
    objections::update(&tx, &after, before.version).await?;
    ctx.audit(
        &tx,
        "objection.decided",
        "objection",
        after.id,
        Some(audit_view(&before)),
        Some(audit_view(&after)),
    )
    .await?;
    if evaluation_after != e.record {
        let expected = e.record.version;
        evaluation_after.version += 1;
        evaluation_after.updated_at = ctx.now;
        evaluations::update(&tx, &evaluation_after, expected).await?;
        ctx.audit(
            &tx,
            "evaluation.changed_by_objection",
            "evaluation",
            e.record.id,
            Some(evaluation::audit_view(&e.record)),
            Some(evaluation::audit_view(&evaluation_after)),
        )
        .await?;
    }
    tx.commit().await?;
    let e = evaluation::load(db, caller, e.full.skp.id, e.record.period).await?;
    Ok((after, e))
}

/// Whether any objection of the cycle is open or may still be filed (a finalised evaluation
/// inside its window without one): the cycle does not close then.
pub async fn pending_in_cycle(
    db: &Db,
    cycle: &CycleRecord,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let finalized = evaluations::finalized_in_cycle(db, cycle.id).await?;
    let ids: Vec<Uuid> = finalized.iter().map(|e| e.id).collect();
    let filed = objections::of_evaluations(db, &ids).await?;
    if filed.iter().any(|o| o.status.is_open()) {
        return Ok(true);
    }
    let w = windows(cycle);
    Ok(finalized.iter().any(|e| {
        e.status == EvaluationStatus::Finalized
            && !filed.iter().any(|o| o.evaluation_id == e.id)
            && e.finalized_at
                .is_some_and(|at| now <= w.filing_deadline(at))
    }))
}

/// The objections the caller may see, optionally only open ones or of one cycle, newest first.
pub async fn list(
    db: &Db,
    caller: &Caller,
    cycle_id: Option<Uuid>,
    status: Option<ObjectionStatus>,
) -> Result<Vec<(ObjectionRecord, Evaluation)>, ApiError> {
    let mut out = Vec::new();
    for objection in objections::all(db).await? {
        if status.is_some_and(|s| s != objection.status) {
            continue;
        }
        match load(db, caller, objection.id).await {
            Ok((o, e)) if cycle_id.is_none_or(|c| c == e.cycle.id) => out.push((o, e)),
            Ok(_) => {}
            Err(err) if err.code == ErrorCode::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    out.sort_by_key(|(o, _)| std::cmp::Reverse(o.filed_at));
    Ok(out)
}
