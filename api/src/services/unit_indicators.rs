//! Perjanjian Kinerja: the indicators an OPD commits to for a cycle, with their targets and their
//! realisasi. Kept by admins, the unit admins of the OPD and its head; read by everyone signed in.

use kinerja_domain::capaian::{
    Aggregation, Direction, Measure, PeriodCapaian, Realisasi, Source, target_of,
};
use kinerja_domain::cycle::CycleStatus;
use kinerja_domain::org::UnitCode;
use kinerja_persistence::repos::unit_indicators::{
    self, UnitIndicatorRecord, aggregation_str, direction_str,
};
use kinerja_persistence::repos::unit_realizations::{self, UnitRealizationRecord};
use kinerja_persistence::repos::{cycles, units};
use kinerja_persistence::{Db, PersistenceError};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Context;
use super::realizations::{self, Planned, RealizationInput};
use super::scope;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError, Msg};
use crate::http::precondition::IfMatch;

/// An indicator as entered (numbers as exact decimals).
#[derive(Debug, Clone)]
pub struct IndicatorInput {
    pub code: Option<String>,
    pub description: String,
    pub direction: Direction,
    pub target: Option<Decimal>,
    pub target_max: Option<Decimal>,
    pub target_text: Option<String>,
    pub unit: String,
    pub aggregation: Aggregation,
    pub period_targets: [Option<Decimal>; 3],
    pub source: Source,
}

fn audit_view(i: &UnitIndicatorRecord) -> Value {
    let m = |v: Option<Measure>| v.map(|m| m.to_string());
    json!({
        "cycle_id": i.cycle_id,
        "unit_id": i.unit_id,
        "code": i.code,
        "description": i.description,
        "direction": direction_str(i.direction),
        "target": m(i.target),
        "target_max": m(i.target_max),
        "target_text": i.target_text,
        "unit": i.unit,
        "aggregation": aggregation_str(i.aggregation),
        "period_targets": i.period_targets.iter().map(|t| m(*t)).collect::<Vec<_>>(),
        "version": i.version,
    })
}

/// The record an input describes, or every field error.
fn build(
    input: IndicatorInput,
    mut record: UnitIndicatorRecord,
) -> Result<UnitIndicatorRecord, ApiError> {
    let mut errors = Vec::new();
    if let Some(code) = input.code {
        match UnitCode::parse(&code) {
            Ok(c) => record.code = c.as_str().to_owned(),
            Err(e) => errors.push(super::units::code_error("code", e)),
        }
    }
    record.description = input.description.trim().to_owned();
    if record.description.is_empty() {
        errors.push(FieldError::new(
            "description",
            "required",
            Msg::new("is required", "wajib diisi"),
        ));
    }
    record.unit = input.unit.trim().to_owned();
    record.direction = input.direction;
    record.aggregation = input.aggregation;
    record.source = input.source;
    record.target = super::measure("target", input.target, &mut errors);
    record.target_max = super::measure("target_max", input.target_max, &mut errors);
    record.target_text = input
        .target_text
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    for (i, t) in input.period_targets.into_iter().enumerate() {
        record.period_targets[i] =
            super::measure(&format!("period_targets.q{}", i + 1), t, &mut errors);
    }
    if errors.is_empty()
        && let Err(e) = target_of(
            record.direction,
            record.source,
            record.target,
            record.target_max,
        )
    {
        let (field, code) = e.field_and_code();
        errors.push(FieldError::new(
            field,
            code,
            Msg::new(e.to_string(), e.to_string()),
        ));
    }
    if record.direction == Direction::Qualitative
        && record.period_targets.iter().any(Option::is_some)
    {
        errors.push(FieldError::new(
            "period_targets",
            "not_allowed",
            Msg::new(
                "a qualitative indicator has no numeric quarter targets",
                "indikator kualitatif tidak memiliki target triwulan numerik",
            ),
        ));
    }
    if errors.is_empty() {
        Ok(record)
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// Who keeps an OPD's Perjanjian Kinerja: admins, the unit admins of the OPD, and its head.
async fn may_keep(db: &Db, caller: &Caller, unit: &units::UnitRecord) -> Result<bool, ApiError> {
    if scope::may_manage_org(caller) && scope::manages_unit(db, caller, unit.id).await? {
        return Ok(true);
    }
    Ok(caller
        .user()
        .and_then(|u| u.employee_id)
        .is_some_and(|e| unit.head_employee_id == Some(e)))
}

/// The cycle and the OPD of a route, checked.
async fn load_context(
    db: &Db,
    cycle_id: Uuid,
    unit_id: Uuid,
) -> Result<(cycles::CycleRecord, units::UnitRecord), ApiError> {
    let cycle = cycles::get(db, cycle_id)
        .await?
        .ok_or_else(super::cycles::not_found)?;
    let unit = units::get(db, unit_id)
        .await?
        .ok_or_else(scope::unit_not_found)?;
    if !unit.is_opd {
        return Err(ApiError::new(ErrorCode::UnitNotOpd));
    }
    Ok((cycle, unit))
}

fn forbidden() -> ApiError {
    ApiError::new(ErrorCode::Forbidden).with_detail(
        "Only an admin, the OPD's unit admin or its head keeps its Perjanjian Kinerja.",
        "Hanya admin, operator OPD atau kepalanya yang mengelola Perjanjian Kinerja.",
    )
}

fn code_taken(code: &str) -> ApiError {
    ApiError::new(ErrorCode::IndicatorCodeTaken).with_detail(
        format!("The OPD already has an indicator {code:?} in this cycle."),
        format!("OPD sudah memiliki indikator {code:?} pada siklus ini."),
    )
}

pub async fn list(
    db: &Db,
    cycle_id: Uuid,
    unit_id: Uuid,
) -> Result<Vec<UnitIndicatorRecord>, ApiError> {
    load_context(db, cycle_id, unit_id).await?;
    Ok(unit_indicators::list(db, cycle_id, unit_id).await?)
}

pub async fn create(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    cycle_id: Uuid,
    unit_id: Uuid,
    input: IndicatorInput,
) -> Result<UnitIndicatorRecord, ApiError> {
    let (cycle, unit) = load_context(db, cycle_id, unit_id).await?;
    if !may_keep(db, caller, &unit).await? {
        return Err(forbidden());
    }
    if cycle.status == CycleStatus::Closed {
        return Err(ApiError::new(ErrorCode::CycleClosed));
    }
    let tx = db.begin().await?;
    let existing = unit_indicators::list(&tx, cycle_id, unit_id).await?;
    // Codes are assigned IKU1, IKU2, ... when left out.
    let next_code = (1..)
        .map(|n| format!("IKU{n}"))
        .find(|c| !existing.iter().any(|i| &i.code == c))
        .unwrap_or_default();
    let blank = UnitIndicatorRecord {
        id: Uuid::now_v7(),
        cycle_id,
        unit_id,
        code: next_code,
        description: String::new(),
        direction: Direction::HigherIsBetter,
        target: None,
        target_max: None,
        target_text: None,
        unit: String::new(),
        aggregation: Aggregation::Sum,
        period_targets: [None; 3],
        source: Source::Manual,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let indicator = build(input, blank)?;
    unit_indicators::insert(&tx, &indicator)
        .await
        .map_err(|e| match e {
            PersistenceError::Conflict(_) => code_taken(&indicator.code),
            other => other.into(),
        })?;
    ctx.audit(
        &tx,
        "unit_indicator.created",
        "unit_indicator",
        indicator.id,
        None,
        Some(audit_view(&indicator)),
    )
    .await?;
    tx.commit().await?;
    Ok(indicator)
}

/// Changes an indicator (`If-Match` required); `change` edits the input made from the record.
pub async fn update(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    (cycle_id, unit_id, id): (Uuid, Uuid, Uuid),
    if_match: &IfMatch,
    change: impl FnOnce(&mut IndicatorInput),
) -> Result<UnitIndicatorRecord, ApiError> {
    let (cycle, unit) = load_context(db, cycle_id, unit_id).await?;
    let tx = db.begin().await?;
    let before = indicator_of(&tx, (cycle_id, unit_id, id)).await?;
    if !may_keep(db, caller, &unit).await? {
        return Err(forbidden());
    }
    if cycle.status == CycleStatus::Closed {
        return Err(ApiError::new(ErrorCode::CycleClosed));
    }
    if_match.require(before.version)?;
    let d = |m: Option<Measure>| m.map(Measure::to_decimal);
    let mut input = IndicatorInput {
        code: Some(before.code.clone()),
        description: before.description.clone(),
        direction: before.direction,
        target: d(before.target),
        target_max: d(before.target_max),
        target_text: before.target_text.clone(),
        unit: before.unit.clone(),
        aggregation: before.aggregation,
        period_targets: before.period_targets.map(d),
        source: before.source,
    };
    change(&mut input);
    let mut after = build(input, before.clone())?;
    if after == before {
        return Ok(before);
    }
    after.version = before.version + 1;
    after.updated_at = ctx.now;
    unit_indicators::update(&tx, &after, before.version)
        .await
        .map_err(|e| match e {
            PersistenceError::Conflict(_) => code_taken(&after.code),
            other => other.into(),
        })?;
    ctx.audit(
        &tx,
        "unit_indicator.updated",
        "unit_indicator",
        id,
        Some(audit_view(&before)),
        Some(audit_view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The indicator of a route, in its cycle and OPD.
async fn indicator_of(
    db: &impl kinerja_persistence::Store,
    (cycle_id, unit_id, id): (Uuid, Uuid, Uuid),
) -> Result<UnitIndicatorRecord, ApiError> {
    unit_indicators::get(db, id)
        .await?
        .filter(|i| i.cycle_id == cycle_id && i.unit_id == unit_id)
        .ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound)
                .with_detail("No such indicator.", "Indikator tidak ditemukan.")
        })
}

/// The realisasi recorded on these indicators.
pub async fn realizations_of(
    db: &Db,
    indicators: &[UnitIndicatorRecord],
) -> Result<Vec<UnitRealizationRecord>, ApiError> {
    let ids: Vec<Uuid> = indicators.iter().map(|i| i.id).collect();
    Ok(unit_realizations::of_indicators(db, &ids).await?)
}

/// The capaian of a Perjanjian Kinerja indicator for every period that has one. A manual
/// indicator's comes from its realisasi in `all`; one fed by the survey (`source: ikm`) takes the
/// OPD's IKM unit per quarter and, for `q4`, the whole year's IKM (`ikm`, from [`ikm_of`]).
pub fn capaian_of(
    indicator: &UnitIndicatorRecord,
    all: &[UnitRealizationRecord],
    ikm: &[Option<Decimal>; 4],
    cap: Decimal,
) -> Vec<PeriodCapaian> {
    let mut by_period: [Option<Realisasi>; 4] = [None; 4];
    let mut aggregation = indicator.aggregation;
    if indicator.source == Source::Ikm {
        for (slot, value) in by_period.iter_mut().zip(ikm) {
            *slot = value
                .and_then(|v| Measure::from_decimal(v).ok())
                .map(Realisasi::Value);
        }
        // The year's figure stands in q4's place: the annual capaian takes it as it is.
        aggregation = Aggregation::Last;
    } else {
        for r in all.iter().filter(|r| r.indicator_id == indicator.id) {
            by_period[r.period.index()] = realizations::realisasi(r.value, r.achieved);
        }
    }
    let planned = Planned {
        direction: indicator.direction,
        source: indicator.source,
        target: indicator.target,
        target_max: indicator.target_max,
        aggregation,
        period_targets: indicator.period_targets,
    };
    realizations::capaian_by_period(planned, &by_period, cap)
}

/// The IKM figures the OPD's `source: ikm` indicators take (none when it has no such indicator).
pub async fn ikm_of(
    db: &Db,
    cycle_id: Uuid,
    unit_id: Uuid,
    indicators: &[UnitIndicatorRecord],
) -> Result<[Option<Decimal>; 4], ApiError> {
    if !indicators.iter().any(|i| i.source == Source::Ikm) {
        return Ok([None; 4]);
    }
    let (cycle, unit) = load_context(db, cycle_id, unit_id).await?;
    super::skm::ikm_realisasi(db, &unit, cycle.year).await
}

fn realization_view(r: &UnitRealizationRecord) -> Value {
    json!({
        "indicator_id": r.indicator_id, "period": r.period.as_str(),
        "value": r.value.map(|v| v.to_string()), "achieved": r.achieved,
        "evidence": r.evidence, "note": r.note, "version": r.version,
    })
}

/// Records (or replaces) the realisasi of a manual Perjanjian Kinerja indicator for one period:
/// by the OPD's head, its unit admins or an admin, while the cycle runs. Answers the realisasi,
/// whether it is new, the indicator after (its version moves with its capaian) and every
/// realisasi of the indicator.
pub async fn record_realization(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    route: (Uuid, Uuid, Uuid),
    if_match: &IfMatch,
    input: RealizationInput,
) -> Result<(UnitRealizationRecord, bool, UnitIndicatorRecord), ApiError> {
    let (cycle, unit) = load_context(db, route.0, route.1).await?;
    let mut indicator = indicator_of(db, route).await?;
    if !may_keep(db, caller, &unit).await? {
        return Err(forbidden());
    }
    if_match.honour(indicator.version)?;
    if indicator.source == Source::Ikm {
        return Err(ApiError::new(ErrorCode::IndicatorComputed));
    }
    if super::calibration::org_predikat(db, cycle.id, unit.id, input.period)
        .await?
        .is_some()
    {
        return Err(ApiError::new(ErrorCode::PeriodLocked).with_detail(
            "The OPD's predikat of this period is set: its Perjanjian Kinerja realisasi no longer changes.",
            "Predikat OPD periode ini sudah ditetapkan: realisasi Perjanjian Kinerjanya tidak dapat diubah lagi.",
        ));
    }
    if cycle.status != CycleStatus::Running {
        return Err(ApiError::new(ErrorCode::CycleNotRunning).with_detail(
            "Realisasi is recorded while the cycle runs.",
            "Realisasi dicatat selama siklus berjalan.",
        ));
    }
    let (value, evidence, note) =
        realizations::check(indicator.direction, &input).map_err(ApiError::invalid)?;

    let tx = db.begin().await?;
    let existing = unit_realizations::of_indicators(&tx, &[indicator.id])
        .await?
        .into_iter()
        .find(|r| r.period == input.period);
    let record = UnitRealizationRecord {
        id: existing.as_ref().map_or_else(Uuid::now_v7, |e| e.id),
        indicator_id: indicator.id,
        period: input.period,
        value,
        achieved: input.achieved,
        evidence,
        note,
        recorded_by: caller.user().map(|u| u.id),
        version: existing.as_ref().map_or(1, |e| e.version + 1),
        created_at: existing.as_ref().map_or(ctx.now, |e| e.created_at),
        updated_at: ctx.now,
    };
    let same = |e: &UnitRealizationRecord| {
        (e.value, e.achieved, &e.evidence, &e.note)
            == (
                record.value,
                record.achieved,
                &record.evidence,
                &record.note,
            )
    };
    if let Some(e) = existing.as_ref().filter(|e| same(e)) {
        tx.commit().await?;
        return Ok((e.clone(), false, indicator));
    }
    unit_realizations::save(&tx, &record, existing.is_none()).await?;
    let expected = indicator.version;
    indicator.version += 1;
    indicator.updated_at = ctx.now;
    unit_indicators::update(&tx, &indicator, expected).await?;
    ctx.audit(
        &tx,
        if existing.is_some() {
            "unit_indicator.realization_replaced"
        } else {
            "unit_indicator.realization_recorded"
        },
        "unit_indicator",
        indicator.id,
        existing.as_ref().map(realization_view),
        Some(realization_view(&record)),
    )
    .await?;
    tx.commit().await?;
    Ok((record, existing.is_none(), indicator))
}
