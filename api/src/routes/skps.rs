//! `/skps`: SKP drafting and agreement. RHK and their indicators are children of the SKP: they
//! share its version and `ETag`, and every change to one bumps the SKP.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use kinerja_domain::capaian::{Aggregation, Measure};
use kinerja_domain::skp::{Aspect, RhkKind, SkpStatus};
use kinerja_persistence::repos::skps::{
    self as repo, RhkRecord, SkpFilter, SkpIndicatorRecord, SkpRecord,
};
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::{exact, not_null, patch_errors, patch_field, respond};
use super::indicators::{
    AggregationName, DirectionName, PeriodTargets, aggregation_view, direction_view,
};
use super::realizations::{CapaianView, RealizationView};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{OrgReader, PerformanceReader};
use crate::error::{ApiError, FieldError};
use crate::http::list::{ListParams, Paged};
use crate::http::precondition::{IfMatch, etag};
use crate::http::{Json, Query};
use crate::services::Context;
use crate::services::skps::{self, FullSkp, IndicatorInput, NewSkp, RhkInput};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkpStatusName {
    Draft,
    Submitted,
    Approved,
    Returned,
    Merged,
}

impl From<SkpStatus> for SkpStatusName {
    fn from(s: SkpStatus) -> Self {
        match s {
            SkpStatus::Draft => SkpStatusName::Draft,
            SkpStatus::Submitted => SkpStatusName::Submitted,
            SkpStatus::Approved => SkpStatusName::Approved,
            SkpStatus::Returned => SkpStatusName::Returned,
            SkpStatus::Merged => SkpStatusName::Merged,
        }
    }
}

impl From<SkpStatusName> for SkpStatus {
    fn from(s: SkpStatusName) -> Self {
        match s {
            SkpStatusName::Draft => SkpStatus::Draft,
            SkpStatusName::Submitted => SkpStatus::Submitted,
            SkpStatusName::Approved => SkpStatus::Approved,
            SkpStatusName::Returned => SkpStatus::Returned,
            SkpStatusName::Merged => SkpStatus::Merged,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RhkKindName {
    Utama,
    Tambahan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AspectName {
    Kuantitas,
    Kualitas,
    Waktu,
    Biaya,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposedByName {
    Employee,
    Evaluator,
    UnitAdmin,
    Admin,
    Import,
}

fn kind_of(k: RhkKindName) -> RhkKind {
    match k {
        RhkKindName::Utama => RhkKind::Utama,
        RhkKindName::Tambahan => RhkKind::Tambahan,
    }
}

fn aspect_of(a: AspectName) -> Aspect {
    match a {
        AspectName::Kuantitas => Aspect::Kuantitas,
        AspectName::Kualitas => Aspect::Kualitas,
        AspectName::Waktu => Aspect::Waktu,
        AspectName::Biaya => Aspect::Biaya,
    }
}

fn number(m: Option<Measure>) -> Option<f64> {
    m.and_then(|m| m.to_decimal().to_f64())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkpIndicatorView {
    pub id: Uuid,
    pub origin_id: Option<Uuid>,
    pub code: String,
    pub description: String,
    pub aspect: AspectName,
    pub aspect_label: &'static str,
    pub direction: DirectionName,
    pub target: Option<f64>,
    pub target_max: Option<f64>,
    pub target_text: Option<String>,
    pub unit: String,
    pub aggregation: AggregationName,
    pub period_targets: PeriodTargets,
    pub competencies: Vec<String>,
    /// Realisasi recorded per period (approved SKPs).
    pub realizations: Vec<RealizationView>,
    /// Capaian per period with its derivation: a quarter against its own target (absent without
    /// one or without realisasi), `q4` the year aggregated from the quarters.
    pub capaian: Vec<CapaianView>,
}

impl From<&SkpIndicatorRecord> for SkpIndicatorView {
    fn from(i: &SkpIndicatorRecord) -> Self {
        SkpIndicatorView {
            id: i.id,
            origin_id: i.origin_id,
            code: i.code.clone(),
            description: i.description.clone(),
            aspect: match i.aspect {
                Aspect::Kuantitas => AspectName::Kuantitas,
                Aspect::Kualitas => AspectName::Kualitas,
                Aspect::Waktu => AspectName::Waktu,
                Aspect::Biaya => AspectName::Biaya,
            },
            aspect_label: i.aspect.label(),
            direction: direction_view(i.direction).0,
            target: number(i.target),
            target_max: number(i.target_max),
            target_text: i.target_text.clone(),
            unit: i.unit.clone(),
            aggregation: aggregation_view(i.aggregation).0,
            period_targets: PeriodTargets {
                q1: number(i.period_targets[0]),
                q2: number(i.period_targets[1]),
                q3: number(i.period_targets[2]),
            },
            competencies: i.competencies.clone(),
            realizations: Vec::new(),
            capaian: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RhkView {
    pub id: Uuid,
    /// In a revision: the RHK it copies.
    pub origin_id: Option<Uuid>,
    pub code: String,
    pub kind: RhkKindName,
    pub kind_label: &'static str,
    pub description: String,
    /// The penilai's RHK this one intervenes.
    pub parent_rhk_id: Option<Uuid>,
    /// The Perjanjian Kinerja indicator this one intervenes (JPT and unit heads).
    pub unit_indicator_id: Option<Uuid>,
    /// JPT only, e.g. `Penerima Layanan`.
    pub perspective: Option<String>,
    pub indicators: Vec<SkpIndicatorView>,
}

impl From<&RhkRecord> for RhkView {
    fn from(r: &RhkRecord) -> Self {
        RhkView {
            id: r.id,
            origin_id: r.origin_id,
            code: r.code.clone(),
            kind: match r.kind {
                RhkKind::Utama => RhkKindName::Utama,
                RhkKind::Tambahan => RhkKindName::Tambahan,
            },
            kind_label: r.kind.label(),
            description: r.description.clone(),
            parent_rhk_id: r.parent_rhk_id,
            unit_indicator_id: r.unit_indicator_id,
            perspective: r.perspective.clone(),
            indicators: r.indicators.iter().map(SkpIndicatorView::from).collect(),
        }
    }
}

/// An SKP summary (lists) or in full (with `rhk`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SkpView {
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub employee_id: Uuid,
    /// The penilai; null when it is the Wali Kota (an admin acts for him).
    pub evaluator_id: Option<Uuid>,
    pub status: SkpStatusName,
    pub status_label: &'static str,
    pub proposed_by: ProposedByName,
    pub proposed_by_label: &'static str,
    pub revision_of: Option<Uuid>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// Unit, jabatan, golongan and penilai at creation.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
    /// Why the penilai returned it, while returned.
    pub return_reason: Option<String>,
    /// Present on single SKPs, absent in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rhk: Option<Vec<RhkView>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(skp: SkpRecord, rhks: Option<&[RhkRecord]>) -> SkpView {
    let proposed_by = match skp.proposed_by {
        kinerja_domain::skp::ProposedBy::Employee => ProposedByName::Employee,
        kinerja_domain::skp::ProposedBy::Evaluator => ProposedByName::Evaluator,
        kinerja_domain::skp::ProposedBy::UnitAdmin => ProposedByName::UnitAdmin,
        kinerja_domain::skp::ProposedBy::Admin => ProposedByName::Admin,
        kinerja_domain::skp::ProposedBy::Import => ProposedByName::Import,
    };
    SkpView {
        id: skp.id,
        cycle_id: skp.cycle_id,
        employee_id: skp.employee_id,
        evaluator_id: skp.evaluator_id,
        status_label: skp.status.label(),
        status: skp.status.into(),
        proposed_by_label: skp.proposed_by.label(),
        proposed_by,
        revision_of: skp.revision_of,
        start_date: skp.start_date,
        end_date: skp.end_date,
        snapshot: skp.snapshot,
        return_reason: skp.return_reason,
        rhk: rhks.map(|r| r.iter().map(RhkView::from).collect()),
        version: skp.version,
        created_at: skp.created_at,
        updated_at: skp.updated_at,
    }
}

fn full_view(full: FullSkp) -> (i64, SkpView) {
    let mut out = view(full.skp, Some(&full.rhks));
    let records = full.rhks.iter().flat_map(|r| &r.indicators);
    let views = out
        .rhk
        .iter_mut()
        .flatten()
        .flat_map(|r| r.indicators.iter_mut());
    for (record, view) in records.zip(views) {
        (view.realizations, view.capaian) =
            super::realizations::of_indicator(record, &full.realizations, full.cap);
    }
    (out.version, out)
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"cycle_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e40", "employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41"}))]
pub struct CreateSkp {
    pub cycle_id: Uuid,
    pub employee_id: Uuid,
    /// Default: the employee's supervisor. Another (Plt/Plh) only by a unit admin or admin.
    pub evaluator_id: Option<Uuid>,
    /// Default 1 January of the cycle's year.
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end_date": "2026-06-30"}))]
pub struct UpdateSkp {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<Uuid>)]
    pub evaluator_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<Option<NaiveDate>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct IndicatorBody {
    /// The indicator's id when changing an RHK: known ids are kept, others are new.
    pub id: Option<Uuid>,
    #[validate(length(min = 1, max = 32))]
    #[schema(min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9._-]+$")]
    pub code: Option<String>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    pub aspect: AspectName,
    pub direction: DirectionName,
    #[schema(minimum = 0)]
    pub target: Option<f64>,
    #[schema(minimum = 0)]
    pub target_max: Option<f64>,
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub target_text: Option<String>,
    #[validate(length(min = 1, max = 50))]
    #[schema(min_length = 1, max_length = 50)]
    pub unit: String,
    /// Default `sum`.
    pub aggregation: Option<AggregationName>,
    pub period_targets: Option<PeriodTargets>,
    /// Competency tags (e.g. core values) for development recommendations.
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub competencies: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "utama", "description": "Terlaksananya penerbitan KTP-el tepat waktu",
    "parent_rhk_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e42",
    "indicators": [{"description": "Persentase KTP-el terbit ≤ 1 hari kerja", "aspect": "waktu", "direction": "higher_is_better", "target": 95, "unit": "persen", "aggregation": "average"}]
}))]
pub struct CreateRhk {
    /// Assigned `R1`, `R2`, ... when left out; unique in the SKP.
    #[validate(length(min = 1, max = 32))]
    #[schema(min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9._-]+$")]
    pub code: Option<String>,
    pub kind: RhkKindName,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    pub parent_rhk_id: Option<Uuid>,
    pub unit_indicator_id: Option<Uuid>,
    #[validate(length(min = 1, max = 50))]
    #[schema(min_length = 1, max_length = 50)]
    pub perspective: Option<String>,
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub indicators: Vec<IndicatorBody>,
}

/// A JSON Merge Patch of an RHK; `indicators`, when sent, is the whole new list (items matched
/// by `id`; an item without one is new; a missing one is removed).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "Terlaksananya penerbitan KTP-el dan KIA tepat waktu"}))]
pub struct UpdateRhk {
    #[validate(length(min = 1, max = 32))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9._-]+$")]
    pub code: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = RhkKindName, required = false)]
    pub kind: Option<Option<RhkKindName>>,
    #[validate(length(min = 1, max = 2000))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 2000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_rhk_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<Uuid>)]
    pub unit_indicator_id: Option<Option<Uuid>>,
    #[validate(length(min = 1, max = 50))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50)]
    pub perspective: Option<Option<String>>,
    #[validate(length(max = 20), nested)]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Vec<IndicatorBody>, required = false, max_items = 20)]
    pub indicators: Option<Option<Vec<IndicatorBody>>>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Indikator waktu belum terukur; tambahkan target triwulan."}))]
pub struct ReturnSkp {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct SkpQuery {
    pub cycle_id: Option<Uuid>,
    pub employee_id: Option<Uuid>,
    pub evaluator_id: Option<Uuid>,
    pub status: Option<SkpStatusName>,
}

/// What the caller may do now.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"actions": ["edit", "submit"]}))]
pub struct SkpActions {
    /// Among `edit`, `submit`, `approve`, `return`, `update`, `record_realization`, `revise`.
    pub actions: Vec<&'static str>,
}

fn indicator_inputs(
    items: Vec<IndicatorBody>,
    errors: &mut Vec<FieldError>,
) -> Vec<IndicatorInput> {
    items
        .into_iter()
        .enumerate()
        .map(|(n, i)| {
            let at = |f: &str| format!("indicators[{n}].{f}");
            let period = i.period_targets.as_ref();
            IndicatorInput {
                id: i.id,
                code: i.code,
                description: i.description,
                aspect: aspect_of(i.aspect),
                direction: i.direction.into(),
                target: exact(&at("target"), i.target, errors),
                target_max: exact(&at("target_max"), i.target_max, errors),
                target_text: i.target_text,
                unit: i.unit,
                aggregation: i
                    .aggregation
                    .map(Aggregation::from)
                    .unwrap_or(Aggregation::Sum),
                period_targets: [
                    exact(&at("period_targets.q1"), period.and_then(|p| p.q1), errors),
                    exact(&at("period_targets.q2"), period.and_then(|p| p.q2), errors),
                    exact(&at("period_targets.q3"), period.and_then(|p| p.q3), errors),
                ],
                competencies: i.competencies.unwrap_or_default(),
            }
        })
        .collect()
}

/// SKPs the caller may see. Sortable by `created_at`, `updated_at`, `start_date`.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(ListParams, SkpQuery),
    responses((status = 200, description = "A page of SKPs (without their RHK).", body = Paged<SkpView>))
)]
#[get("/skps")]
pub async fn list_skps(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<SkpQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(repo::SORTABLE)?;
    let query = query.into_inner();
    let filter = SkpFilter {
        cycle_id: query.cycle_id,
        employee_id: query.employee_id,
        evaluator_id: query.evaluator_id,
        status: query.status.map(SkpStatus::from),
        updated_since: list.updated_since,
        ..Default::default()
    };
    let page = skps::list(&state.db, &caller.caller, filter, &list_query).await?;
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, |s| view(s, None))))
}

/// Start an SKP: by the employee himself, his penilai, his unit admin or an admin (recorded in
/// `proposed_by`). The unit, jabatan, golongan and penilai are frozen into `snapshot`.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    request_body = CreateSkp,
    responses(
        (status = 201, description = "Created, as a draft.", body = SkpView),
        (status = 409, description = "`skp_exists` or `cycle_closed`."),
    )
)]
#[post("/skps")]
pub async fn create_skp(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    body: Json<CreateSkp>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let new = NewSkp {
        cycle_id: body.cycle_id,
        employee_id: body.employee_id,
        evaluator_id: body.evaluator_id,
        start_date: body.start_date,
        end_date: body.end_date,
    };
    let (version, view) = full_view(skps::create(&state.db, &ctx, &caller.caller, new).await?);
    Ok(respond::created(
        format!("/api/v1/skps/{}", view.id),
        version,
        &view,
    ))
}

/// One SKP with its RHK and indicators.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The SKP's id")),
    responses((status = 200, description = "The SKP.", body = SkpView))
)]
#[get("/skps/{id}")]
pub async fn get_skp(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (full, _, _) = skps::load(&state.db, &caller.caller, id.into_inner()).await?;
    let (version, view) = full_view(full);
    Ok(respond::ok(version, &view))
}

/// Name another penilai (Plt/Plh) or end the SKP (a transfer): unit admins and admins,
/// `If-Match` required.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("If-Match" = String, Header, description = "The SKP's current ETag, or `*`."),
    ),
    request_body(content = UpdateSkp, content_type = "application/merge-patch+json"),
    responses((status = 200, description = "The changed SKP.", body = SkpView))
)]
#[patch("/skps/{id}")]
pub async fn update_skp(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateSkp>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let full = skps::update(
        &state.db,
        &ctx,
        &caller.caller,
        id.into_inner(),
        &if_match,
        body.evaluator_id,
        body.end_date,
    )
    .await?;
    let (version, view) = full_view(full);
    Ok(respond::ok(version, &view))
}

/// Add an RHK with its indicators to a draft or returned SKP. An utama RHK intervenes an RHK of
/// the penilai's SKP (`parent_rhk_id`) or, for JPT and unit heads, a Perjanjian Kinerja indicator
/// (`unit_indicator_id`). Answers the whole SKP (its new `ETag`).
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The SKP's id")),
    request_body = CreateRhk,
    responses(
        (status = 201, description = "The SKP with the new RHK.", body = SkpView),
        (status = 409, description = "`skp_not_editable` or `rhk_code_taken`."),
    )
)]
#[post("/skps/{id}/rhk")]
pub async fn add_rhk(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<CreateRhk>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut errors = Vec::new();
    let input = RhkInput {
        code: body.code,
        kind: kind_of(body.kind),
        description: body.description,
        parent_rhk_id: body.parent_rhk_id,
        unit_indicator_id: body.unit_indicator_id,
        perspective: body.perspective,
        indicators: indicator_inputs(body.indicators, &mut errors),
    };
    patch_errors(errors)?;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let id = id.into_inner();
    let (full, rhk_id) =
        skps::add_rhk(&state.db, &ctx, &caller.caller, id, &if_match, input).await?;
    let (version, view) = full_view(full);
    Ok(respond::created(
        format!("/api/v1/skps/{id}/rhk/{rhk_id}"),
        version,
        &view,
    ))
}

/// Change an RHK (`If-Match` with the SKP's ETag). Answers the whole SKP.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("rhk_id" = Uuid, Path, description = "The RHK's id"),
        ("If-Match" = String, Header, description = "The SKP's current ETag, or `*`."),
    ),
    request_body(content = UpdateRhk, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The SKP with the changed RHK.", body = SkpView),
        (status = 409, description = "`skp_not_editable` or `rhk_code_taken`."),
    )
)]
#[patch("/skps/{id}/rhk/{rhk_id}")]
pub async fn update_rhk(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: Json<UpdateRhk>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut errors = Vec::new();
    let code = not_null("code", body.code, &mut errors);
    let kind = not_null("kind", body.kind, &mut errors);
    let description = not_null("description", body.description, &mut errors);
    let indicators = not_null("indicators", body.indicators, &mut errors)
        .map(|items| indicator_inputs(items, &mut errors));
    let (parent, unit_indicator, perspective) =
        (body.parent_rhk_id, body.unit_indicator_id, body.perspective);
    patch_errors(errors)?;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let full = skps::change_rhk(
        &state.db,
        &ctx,
        &caller.caller,
        path.into_inner(),
        &if_match,
        move |input| {
            if let Some(v) = code {
                input.code = Some(v);
            }
            if let Some(v) = kind {
                input.kind = kind_of(v);
            }
            if let Some(v) = description {
                input.description = v;
            }
            if let Some(v) = parent {
                input.parent_rhk_id = v;
            }
            if let Some(v) = unit_indicator {
                input.unit_indicator_id = v;
            }
            if let Some(v) = perspective {
                input.perspective = v;
            }
            if let Some(v) = indicators {
                input.indicators = v;
            }
        },
    )
    .await?;
    let (version, view) = full_view(full);
    Ok(respond::ok(version, &view))
}

/// Remove an RHK and its indicators (`If-Match` with the SKP's ETag). The new ETag is sent back.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("rhk_id" = Uuid, Path, description = "The RHK's id"),
        ("If-Match" = String, Header, description = "The SKP's current ETag, or `*`."),
    ),
    responses(
        (status = 204, description = "Removed."),
        (status = 409, description = "`skp_not_editable`."),
        (status = 412, description = "The SKP changed (`precondition_failed`)."),
        (status = 428, description = "`If-Match` is missing (`precondition_required`)."),
    )
)]
#[delete("/skps/{id}/rhk/{rhk_id}")]
pub async fn delete_rhk(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let full = skps::remove_rhk(
        &state.db,
        &ctx,
        &caller.caller,
        path.into_inner(),
        &if_match,
    )
    .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((actix_web::http::header::ETAG, etag(full.skp.version)))
        .finish())
}

/// Propose the SKP to the penilai. Needs an utama RHK with an indicator; every penilai's SKP it
/// cascades from must be approved (409 `penilai_skp_not_approved`). `If-Match` honoured.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The SKP's id")),
    responses(
        (status = 200, description = "The submitted SKP.", body = SkpView),
        (status = 409, description = "`skp_not_submittable` or `penilai_skp_not_approved`."),
        (status = 422, description = "`skp_empty`."),
    )
)]
#[post("/skps/{id}/submit")]
pub async fn submit_skp(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let (version, view) =
        full_view(skps::submit(&state.db, &ctx, &caller.caller, id.into_inner(), &if_match).await?);
    Ok(respond::ok(version, &view))
}

/// Agree to the SKP: the penilai only (an admin for the Wali Kota when there is none).
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The SKP's id")),
    responses(
        (status = 200, description = "The approved SKP; for a revision, the original it was \
            applied onto.", body = SkpView),
        (status = 409, description = "`skp_not_submitted`, or `skp_not_approved` when a \
            revision's original is no longer approved."),
    )
)]
#[post("/skps/{id}/approve")]
pub async fn approve_skp(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let (version, view) = full_view(
        skps::approve(&state.db, &ctx, &caller.caller, id.into_inner(), &if_match).await?,
    );
    Ok(respond::ok(version, &view))
}

/// Open a revision of an approved SKP (who may edit it may revise it): a draft copy whose RHK
/// and indicators carry `origin_id`, the item they revise. Edit, submit and have it approved like
/// any SKP; approval applies it onto the original (kept items keep their ids, dropped ones
/// retire) and the revision becomes `merged`. One open revision at a time (409
/// `revision_open`); only approved SKPs (409 `skp_not_approved`). `If-Match` honoured.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The approved SKP's id")),
    responses(
        (status = 201, description = "The revision, a draft.", body = SkpView,
         headers(("Location" = String, description = "The revision's URL"))),
        (status = 403, description = "The caller may not edit this SKP (`forbidden`)."),
        (status = 409, description = "`skp_not_approved` or `revision_open`."),
        (status = 412, description = "The SKP changed (`precondition_failed`)."),
    )
)]
#[post("/skps/{id}/revise")]
pub async fn revise_skp(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let (version, view) =
        full_view(skps::revise(&state.db, &ctx, &caller.caller, id.into_inner(), &if_match).await?);
    Ok(respond::created(
        format!("/api/v1/skps/{}", view.id),
        version,
        &view,
    ))
}

/// Send the SKP back with a reason: the penilai only. It is then edited and submitted again.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The SKP's id")),
    request_body = ReturnSkp,
    responses(
        (status = 200, description = "The returned SKP.", body = SkpView),
        (status = 409, description = "`skp_not_submitted`."),
    )
)]
#[post("/skps/{id}/return")]
pub async fn return_skp(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ReturnSkp>,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let full = skps::return_to_employee(
        &state.db,
        &ctx,
        &caller.caller,
        id.into_inner(),
        &if_match,
        body.0.reason,
    )
    .await?;
    let (version, view) = full_view(full);
    Ok(respond::ok(version, &view))
}

/// What the caller may do with the SKP now (`edit`, `submit`, `approve`, `return`, `update`,
/// `record_realization`, `revise`).
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The SKP's id")),
    responses((status = 200, description = "The caller's actions.", body = SkpActions))
)]
#[get("/skps/{id}/actions")]
pub async fn skp_actions(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (full, _, rights) = skps::load(&state.db, &caller.caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(SkpActions {
        actions: skps::actions_now(&state.db, &full, rights).await?,
    }))
}
