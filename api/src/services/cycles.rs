//! Performance cycles: one per year, its settings, and its life (planning → running → closed).

use kinerja_domain::cycle::{CycleError, CycleStatus, Settings};
use kinerja_persistence::repos::cycles::{self, CycleFilter, CycleRecord};
use kinerja_persistence::{Db, ListQuery, Page, PersistenceError};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Context;
use crate::error::{ApiError, ErrorCode, FieldError, Msg};
use crate::http::precondition::IfMatch;

fn audit_view(c: &CycleRecord) -> Value {
    json!({
        "year": c.year,
        "name": c.name,
        "status": c.status,
        "settings": c.settings,
        "version": c.version,
    })
}

pub fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound).with_detail("No such cycle.", "Siklus tidak ditemukan.")
}

fn cycle_error(e: CycleError) -> ApiError {
    match e {
        CycleError::NotPlanning => ApiError::new(ErrorCode::CycleNotPlanning),
        CycleError::NotRunning => ApiError::new(ErrorCode::CycleNotRunning),
        CycleError::Closed => ApiError::new(ErrorCode::CycleClosed),
        CycleError::ObjectionsPending => ApiError::new(ErrorCode::ObjectionsPending),
        CycleError::ReasonRequired => ApiError::new(ErrorCode::ValidationFailed)
            .with_detail(
                "The cycle is running: changing its settings needs a reason.",
                "Siklus sedang berjalan: perubahan pengaturan memerlukan alasan.",
            )
            .with_field(FieldError::new(
                "reason",
                "required",
                Msg::new("is required", "wajib diisi"),
            )),
    }
}

/// Settings that break their rules, as a 422 naming each field.
fn check_settings(settings: &Settings) -> Result<(), ApiError> {
    let errors: Vec<FieldError> = settings
        .validate()
        .into_iter()
        .map(|e| {
            FieldError::new(
                format!("settings.{}", e.field),
                "invalid",
                Msg::new(e.reason, e.reason),
            )
        })
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(ErrorCode::ValidationFailed)
        .with_detail(
            "Some settings are invalid.",
            "Beberapa pengaturan tidak valid.",
        )
        .with_errors(errors))
}

/// A change to the settings, applied onto the current ones.
pub type SettingsChange = Box<dyn FnOnce(&mut Settings)>;

pub async fn create(
    db: &Db,
    ctx: &Context,
    year: i32,
    name: Option<String>,
    change: Option<SettingsChange>,
) -> Result<CycleRecord, ApiError> {
    let mut settings = Settings::default();
    if let Some(change) = change {
        change(&mut settings);
    }
    check_settings(&settings)?;
    let cycle = CycleRecord {
        id: Uuid::now_v7(),
        year,
        name: name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("Siklus Kinerja {year}")),
        status: CycleStatus::Planning,
        settings,
        started_at: None,
        closed_at: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let tx = db.begin().await?;
    cycles::insert(&tx, &cycle).await.map_err(|e| match e {
        PersistenceError::Conflict(_) => ApiError::new(ErrorCode::CycleYearTaken).with_detail(
            format!("{year} already has a cycle."),
            format!("Tahun {year} sudah memiliki siklus."),
        ),
        other => other.into(),
    })?;
    ctx.audit(
        &tx,
        "cycle.created",
        "cycle",
        cycle.id,
        None,
        Some(audit_view(&cycle)),
    )
    .await?;
    tx.commit().await?;
    Ok(cycle)
}

pub async fn get(db: &Db, id: Uuid) -> Result<CycleRecord, ApiError> {
    cycles::get(db, id).await?.ok_or_else(not_found)
}

/// The cycle's capaian cap for aggregation (the default when the cycle is gone).
pub async fn cap_of(
    db: &impl kinerja_persistence::Store,
    id: Uuid,
) -> Result<rust_decimal::Decimal, ApiError> {
    Ok(cycles::get(db, id)
        .await?
        .map(|c| c.settings.capaian_cap)
        .unwrap_or_else(|| Settings::default().capaian_cap))
}

pub async fn list(
    db: &Db,
    filter: &CycleFilter,
    query: &ListQuery,
) -> Result<Page<CycleRecord>, ApiError> {
    Ok(cycles::list(db, filter, query).await?)
}

/// Renames or changes settings: freely while planning; while running only with a reason (kept
/// in the audit trail); never once closed.
pub async fn update(
    db: &Db,
    ctx: &Context,
    id: Uuid,
    if_match: &IfMatch,
    name: Option<String>,
    change: Option<SettingsChange>,
    reason: Option<String>,
) -> Result<CycleRecord, ApiError> {
    let tx = db.begin().await?;
    let before = cycles::get(&tx, id).await?.ok_or_else(not_found)?;
    if_match.require(before.version)?;
    if before.status == CycleStatus::Closed {
        return Err(cycle_error(CycleError::Closed));
    }
    let mut after = before.clone();
    if let Some(name) = name {
        after.name = name.trim().to_owned();
    }
    if let Some(change) = change {
        change(&mut after.settings);
        if after.settings != before.settings {
            let reason = reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
            before
                .status
                .may_change_settings(reason.is_some())
                .map_err(cycle_error)?;
            // What finalised evaluations were judged by stays as it was.
            let (a, b) = (&after.settings, &before.settings);
            let shapes_ratings = a.work_rating_thresholds != b.work_rating_thresholds
                || a.capaian_cap != b.capaian_cap
                || a.head_rating_from_org != b.head_rating_from_org;
            if shapes_ratings
                && !kinerja_persistence::repos::evaluations::finalized_in_cycle(&tx, id)
                    .await?
                    .is_empty()
            {
                return Err(ApiError::new(ErrorCode::EvaluationFinalized).with_detail(
                    "Evaluations of this cycle are finalised: the rating thresholds, the capaian cap and the head's rating mapping no longer change.",
                    "Evaluasi siklus ini sudah final: ambang rating, batas capaian dan pemetaan rating kepala OPD tidak dapat diubah lagi.",
                ));
            }
        }
    }
    check_settings(&after.settings)?;
    if after == before {
        return Ok(before);
    }
    after.version = before.version + 1;
    after.updated_at = ctx.now;
    cycles::update(&tx, &after, before.version).await?;
    let mut after_view = audit_view(&after);
    if let Some(reason) = reason.filter(|r| !r.trim().is_empty()) {
        after_view["reason"] = Value::String(reason);
    }
    ctx.audit(
        &tx,
        "cycle.updated",
        "cycle",
        id,
        Some(audit_view(&before)),
        Some(after_view),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

async fn transition(
    db: &Db,
    ctx: &Context,
    id: Uuid,
    if_match: &IfMatch,
    action: &str,
    step: impl FnOnce(&mut CycleRecord) -> Result<(), CycleError>,
) -> Result<CycleRecord, ApiError> {
    let tx = db.begin().await?;
    let before = cycles::get(&tx, id).await?.ok_or_else(not_found)?;
    if_match.honour(before.version)?;
    let mut after = before.clone();
    step(&mut after).map_err(cycle_error)?;
    after.version = before.version + 1;
    after.updated_at = ctx.now;
    cycles::update(&tx, &after, before.version).await?;
    ctx.audit(
        &tx,
        action,
        "cycle",
        id,
        Some(audit_view(&before)),
        Some(audit_view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Starts a cycle in planning: realisasi and evaluations open.
pub async fn start(
    db: &Db,
    ctx: &Context,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<CycleRecord, ApiError> {
    let now = ctx.now;
    let started = transition(db, ctx, id, if_match, "cycle.started", |c| {
        c.status = c.status.start()?;
        c.started_at = Some(now);
        Ok(())
    })
    .await?;
    // Each OPD's performance record per period exists from the cycle's start.
    super::calibration::ensure_records(db, now).await?;
    Ok(started)
}

/// Closes a running cycle. Objections arrive with the assessment issue; until then none can be
/// open or pending.
pub async fn close(
    db: &Db,
    ctx: &Context,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<CycleRecord, ApiError> {
    let now = ctx.now;
    let cycle = cycles::get(db, id).await?.ok_or_else(not_found)?;
    let pending = super::objections::pending_in_cycle(db, &cycle, now).await?;
    transition(db, ctx, id, if_match, "cycle.closed", |c| {
        c.status = c.status.close(pending)?;
        c.closed_at = Some(now);
        Ok(())
    })
    .await
}
