//! `/cycles/{id}/units/{unit_id}/indicators`: an OPD's Perjanjian Kinerja for a cycle.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use kinerja_domain::capaian::{Aggregation, Direction, Measure, Source};
use kinerja_persistence::repos::unit_indicators::UnitIndicatorRecord;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::dto::{exact, not_null, patch_errors, patch_field, respond};
use super::realizations::{CapaianView, RealizationView};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{OrgReader, PerformanceReader};
use crate::error::{ApiError, FieldError};
use crate::http::Json;
use crate::http::precondition::IfMatch;
use crate::services::Context;
use crate::services::cycles;
use crate::services::unit_indicators::{self, IndicatorInput};
use kinerja_persistence::repos::unit_realizations::UnitRealizationRecord;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DirectionName {
    HigherIsBetter,
    LowerIsBetter,
    Range,
    Qualitative,
}

impl From<DirectionName> for Direction {
    fn from(d: DirectionName) -> Self {
        match d {
            DirectionName::HigherIsBetter => Direction::HigherIsBetter,
            DirectionName::LowerIsBetter => Direction::LowerIsBetter,
            DirectionName::Range => Direction::Range,
            DirectionName::Qualitative => Direction::Qualitative,
        }
    }
}

pub(super) fn direction_view(d: Direction) -> (DirectionName, &'static str) {
    match d {
        Direction::HigherIsBetter => (DirectionName::HigherIsBetter, "Semakin tinggi semakin baik"),
        Direction::LowerIsBetter => (DirectionName::LowerIsBetter, "Semakin rendah semakin baik"),
        Direction::Range => (DirectionName::Range, "Rentang"),
        Direction::Qualitative => (DirectionName::Qualitative, "Kualitatif"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AggregationName {
    Sum,
    Average,
    Last,
}

impl From<AggregationName> for Aggregation {
    fn from(a: AggregationName) -> Self {
        match a {
            AggregationName::Sum => Aggregation::Sum,
            AggregationName::Average => Aggregation::Average,
            AggregationName::Last => Aggregation::Last,
        }
    }
}

pub(super) fn aggregation_view(a: Aggregation) -> (AggregationName, &'static str) {
    match a {
        Aggregation::Sum => (AggregationName::Sum, "Jumlah"),
        Aggregation::Average => (AggregationName::Average, "Rata-rata"),
        Aggregation::Last => (AggregationName::Last, "Nilai terakhir"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceName {
    Manual,
    Ikm,
}

impl From<SourceName> for Source {
    fn from(s: SourceName) -> Self {
        match s {
            SourceName::Manual => Source::Manual,
            SourceName::Ikm => Source::Ikm,
        }
    }
}

fn source_view(s: Source) -> (SourceName, &'static str) {
    match s {
        Source::Manual => (SourceName::Manual, "Manual"),
        Source::Ikm => (SourceName::Ikm, "IKM (Survei Kepuasan Masyarakat)"),
    }
}

/// Quarter targets; a quarter without one has no capaian of its own.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PeriodTargets {
    #[schema(minimum = 0)]
    pub q1: Option<f64>,
    #[schema(minimum = 0)]
    pub q2: Option<f64>,
    #[schema(minimum = 0)]
    pub q3: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f", "cycle_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e40",
    "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41", "code": "IKU1",
    "description": "Persentase KTP-el terbit ≤ 1 hari kerja", "direction": "higher_is_better",
    "direction_label": "Semakin tinggi semakin baik", "target": 95.0, "target_max": null, "target_text": null,
    "unit": "persen", "aggregation": "average", "aggregation_label": "Rata-rata",
    "period_targets": {"q1": 90.0, "q2": 92.5, "q3": 94.0}, "source": "manual", "source_label": "Manual",
    "realizations": [], "capaian": [],
    "version": 1, "created_at": "2026-01-05T02:00:00Z", "updated_at": "2026-01-05T02:00:00Z"
}))]
pub struct IndicatorView {
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub unit_id: Uuid,
    pub code: String,
    pub description: String,
    pub direction: DirectionName,
    pub direction_label: &'static str,
    /// The annual target (the low end of a range); null for qualitative indicators.
    pub target: Option<f64>,
    /// The high end of a range.
    pub target_max: Option<f64>,
    /// The target in words (qualitative indicators).
    pub target_text: Option<String>,
    /// Satuan, e.g. `persen`, `dokumen`, `hari`.
    pub unit: String,
    pub aggregation: AggregationName,
    pub aggregation_label: &'static str,
    pub period_targets: PeriodTargets,
    pub source: SourceName,
    pub source_label: &'static str,
    /// The realisasi recorded, by period (none for `source: ikm`: computed from the survey).
    pub realizations: Vec<RealizationView>,
    /// The capaian per period that has one; `q4` aggregates the quarters (DOMAIN §2.1).
    pub capaian: Vec<CapaianView>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn number(m: Option<Measure>) -> Option<f64> {
    m.and_then(|m| m.to_decimal().to_f64())
}

impl IndicatorView {
    /// The indicator with its realisasi (from `all`) and their capaian under the cycle's `cap`.
    pub fn of(
        i: UnitIndicatorRecord,
        all: &[UnitRealizationRecord],
        ikm: &[Option<Decimal>; 4],
        cap: Decimal,
    ) -> Self {
        let capaian = unit_indicators::capaian_of(&i, all, ikm, cap)
            .into_iter()
            .map(CapaianView::from)
            .collect();
        let realizations = all
            .iter()
            .filter(|r| r.indicator_id == i.id)
            .map(RealizationView::from)
            .collect();
        let (direction, direction_label) = direction_view(i.direction);
        let (aggregation, aggregation_label) = aggregation_view(i.aggregation);
        let (source, source_label) = source_view(i.source);
        IndicatorView {
            id: i.id,
            cycle_id: i.cycle_id,
            unit_id: i.unit_id,
            code: i.code,
            description: i.description,
            direction,
            direction_label,
            target: number(i.target),
            target_max: number(i.target_max),
            target_text: i.target_text,
            unit: i.unit,
            aggregation,
            aggregation_label,
            period_targets: PeriodTargets {
                q1: number(i.period_targets[0]),
                q2: number(i.period_targets[1]),
                q3: number(i.period_targets[2]),
            },
            source,
            source_label,
            realizations,
            capaian,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "description": "Persentase KTP-el terbit ≤ 1 hari kerja", "direction": "higher_is_better", "target": 95,
    "unit": "persen", "aggregation": "average", "period_targets": {"q1": 90, "q2": 92.5, "q3": 94}
}))]
pub struct CreateIndicator {
    /// Assigned `IKU1`, `IKU2`, ... when left out; unique in the OPD's cycle.
    #[validate(length(min = 1, max = 32))]
    #[schema(min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9._-]+$")]
    pub code: Option<String>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    pub direction: DirectionName,
    /// Up to 4 decimals, not negative.
    #[schema(minimum = 0)]
    pub target: Option<f64>,
    #[schema(minimum = 0)]
    pub target_max: Option<f64>,
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub target_text: Option<String>,
    #[validate(length(min = 1, max = 50))]
    #[schema(min_length = 1, max_length = 50, example = "persen")]
    pub unit: String,
    /// Default `sum`.
    pub aggregation: Option<AggregationName>,
    pub period_targets: Option<PeriodTargets>,
    /// Default `manual`; `ikm` takes the realisasi from the OPD's citizen survey.
    pub source: Option<SourceName>,
}

/// A JSON Merge Patch of an indicator; `null` clears `target`, `target_max`, `target_text` and
/// `period_targets`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"target": 97.5, "period_targets": {"q1": 92, "q2": 94, "q3": 96}}))]
pub struct UpdateIndicator {
    #[validate(length(min = 1, max = 32))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9._-]+$")]
    pub code: Option<Option<String>>,
    #[validate(length(min = 1, max = 2000))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 2000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = DirectionName, required = false)]
    pub direction: Option<Option<DirectionName>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub target: Option<Option<f64>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub target_max: Option<Option<f64>>,
    #[validate(length(max = 500))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub target_text: Option<Option<String>>,
    #[validate(length(min = 1, max = 50))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 50)]
    pub unit: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = AggregationName, required = false)]
    pub aggregation: Option<Option<AggregationName>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<PeriodTargets>)]
    pub period_targets: Option<Option<PeriodTargets>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = SourceName, required = false)]
    pub source: Option<Option<SourceName>>,
}

fn quarters(p: Option<&PeriodTargets>, errors: &mut Vec<FieldError>) -> [Option<Decimal>; 3] {
    match p {
        None => [None; 3],
        Some(p) => [
            exact("period_targets.q1", p.q1, errors),
            exact("period_targets.q2", p.q2, errors),
            exact("period_targets.q3", p.q3, errors),
        ],
    }
}

/// The OPD's Perjanjian Kinerja indicators in the cycle, by code.
#[utoipa::path(
    tag = "cycles",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cycle's id"),
        ("unit_id" = Uuid, Path, description = "The OPD's id"),
    ),
    responses(
        (status = 200, description = "The indicators.", body = Vec<IndicatorView>),
        (status = 422, description = "The unit is not an OPD (`unit_not_opd`)."),
    )
)]
#[get("/cycles/{id}/units/{unit_id}/indicators")]
pub async fn list_indicators(
    _caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (cycle_id, unit_id) = path.into_inner();
    let items = unit_indicators::list(&state.db, cycle_id, unit_id).await?;
    let all = unit_indicators::realizations_of(&state.db, &items).await?;
    let ikm = unit_indicators::ikm_of(&state.db, cycle_id, unit_id, &items).await?;
    let cap = cycles::cap_of(&state.db, cycle_id).await?;
    Ok(HttpResponse::Ok().json(
        items
            .into_iter()
            .map(|i| IndicatorView::of(i, &all, &ikm, cap))
            .collect::<Vec<_>>(),
    ))
}

/// Add an indicator to the OPD's Perjanjian Kinerja (admin, the OPD's unit admin, or its head).
#[utoipa::path(
    tag = "cycles",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cycle's id"),
        ("unit_id" = Uuid, Path, description = "The OPD's id"),
    ),
    request_body = CreateIndicator,
    responses(
        (status = 201, description = "Created.", body = IndicatorView),
        (status = 409, description = "`indicator_code_taken` or `cycle_closed`."),
    )
)]
#[post("/cycles/{id}/units/{unit_id}/indicators")]
pub async fn create_indicator(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<CreateIndicator>,
) -> Result<HttpResponse, ApiError> {
    let (cycle_id, unit_id) = path.into_inner();
    let body = body.0;
    let mut errors = Vec::new();
    let input = IndicatorInput {
        code: body.code,
        description: body.description,
        direction: body.direction.into(),
        target: exact("target", body.target, &mut errors),
        target_max: exact("target_max", body.target_max, &mut errors),
        target_text: body.target_text,
        unit: body.unit,
        aggregation: body
            .aggregation
            .map(Aggregation::from)
            .unwrap_or(Aggregation::Sum),
        period_targets: quarters(body.period_targets.as_ref(), &mut errors),
        source: body.source.map(Source::from).unwrap_or(Source::Manual),
    };
    patch_errors(errors)?;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let indicator =
        unit_indicators::create(&state.db, &ctx, &caller.caller, cycle_id, unit_id, input).await?;
    let location = format!(
        "/api/v1/cycles/{cycle_id}/units/{unit_id}/indicators/{}",
        indicator.id
    );
    Ok(respond::created(
        location,
        indicator.version,
        &IndicatorView::of(indicator, &[], &[None; 4], Decimal::ZERO),
    ))
}

/// Change an indicator (`If-Match` required; admin, the OPD's unit admin, or its head).
#[utoipa::path(
    tag = "cycles",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cycle's id"),
        ("unit_id" = Uuid, Path, description = "The OPD's id"),
        ("indicator_id" = Uuid, Path, description = "The indicator's id"),
        ("If-Match" = String, Header, description = "The indicator's current ETag, or `*`."),
    ),
    request_body(content = UpdateIndicator, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed indicator.", body = IndicatorView),
        (status = 409, description = "`indicator_code_taken` or `cycle_closed`."),
        (status = 422, description = "Invalid fields, or the unit is not an OPD (`unit_not_opd`)."),
    )
)]
#[patch("/cycles/{id}/units/{unit_id}/indicators/{indicator_id}")]
pub async fn update_indicator(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    if_match: IfMatch,
    body: Json<UpdateIndicator>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut errors = Vec::new();
    let code = not_null("code", body.code, &mut errors);
    let description = not_null("description", body.description, &mut errors);
    let direction = not_null("direction", body.direction, &mut errors);
    let unit = not_null("unit", body.unit, &mut errors);
    let aggregation = not_null("aggregation", body.aggregation, &mut errors);
    let source = not_null("source", body.source, &mut errors);
    let target = body.target.map(|t| exact("target", t, &mut errors));
    let target_max = body.target_max.map(|t| exact("target_max", t, &mut errors));
    let period_targets = body
        .period_targets
        .map(|p| quarters(p.as_ref(), &mut errors));
    let target_text = body.target_text;
    patch_errors(errors)?;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let indicator = unit_indicators::update(
        &state.db,
        &ctx,
        &caller.caller,
        path.into_inner(),
        &if_match,
        move |input| {
            if let Some(v) = code {
                input.code = Some(v);
            }
            if let Some(v) = description {
                input.description = v;
            }
            if let Some(v) = direction {
                input.direction = v.into();
            }
            if let Some(v) = unit {
                input.unit = v;
            }
            if let Some(v) = aggregation {
                input.aggregation = v.into();
            }
            if let Some(v) = source {
                input.source = v.into();
            }
            if let Some(v) = target {
                input.target = v;
            }
            if let Some(v) = target_max {
                input.target_max = v;
            }
            if let Some(v) = target_text {
                input.target_text = v;
            }
            if let Some(v) = period_targets {
                input.period_targets = v;
            }
        },
    )
    .await?;
    let one = std::slice::from_ref(&indicator);
    let all = unit_indicators::realizations_of(&state.db, one).await?;
    let ikm =
        unit_indicators::ikm_of(&state.db, indicator.cycle_id, indicator.unit_id, one).await?;
    let cap = cycles::cap_of(&state.db, indicator.cycle_id).await?;
    Ok(respond::ok(
        indicator.version,
        &IndicatorView::of(indicator, &all, &ikm, cap),
    ))
}
