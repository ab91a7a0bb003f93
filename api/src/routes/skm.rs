//! The citizen satisfaction survey for signed-in users: a service unit's services and survey
//! periods, `GET /skm/results`, the feedback a unit got from its survey, and the published
//! `GET /public/ikm` (no login, no comments, no profiles).

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use kinerja_domain::skm::{Unsur, required_sample};
use kinerja_persistence::repos::skm::{PeriodRecord, ServiceRecord, UnitFeedbackRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::num;
use super::dto::{exact, not_null, patch_errors, patch_field, respond};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{OrgManager, OrgReader, PerformanceReader};
use crate::error::{ApiError, FieldError};
use crate::http::precondition::IfMatch;
use crate::http::{Json, Query};
use crate::services::Context;
use crate::services::skm::{self, Figures, PeriodInput, ResultQuery};

/// A service a service unit offers.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e90", "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41",
    "code": "KTP-EL", "name": "Penerbitan KTP elektronik", "active": true, "version": 1}))]
pub struct ServiceView {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub active: bool,
    pub version: i64,
}

impl From<ServiceRecord> for ServiceView {
    fn from(s: ServiceRecord) -> Self {
        ServiceView {
            id: s.id,
            unit_id: s.unit_id,
            code: s.code,
            name: s.name,
            active: s.active,
            version: s.version,
        }
    }
}

/// A new service.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "AKTA-LAHIR", "name": "Penerbitan akta kelahiran"}))]
pub struct CreateService {
    #[validate(length(min = 1, max = 32))]
    #[schema(
        min_length = 1,
        max_length = 32,
        pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )]
    pub code: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Default true.
    pub active: Option<bool>,
}

/// A change to a service (JSON Merge Patch).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateService {
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = bool, required = false)]
    pub active: Option<Option<bool>>,
}

/// The services of a unit, by code.
#[utoipa::path(
    tag = "skm",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The unit's id")),
    responses((status = 200, description = "The services.", body = Vec<ServiceView>))
)]
#[get("/units/{id}/services")]
pub async fn list_services(
    _caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let items = skm::services(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(items.into_iter().map(ServiceView::from).collect::<Vec<_>>()))
}

/// Add a service to a service unit (admin, its unit admin). Audited as `service.created`.
#[utoipa::path(
    tag = "skm",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The unit's id")),
    request_body = CreateService,
    responses(
        (status = 201, description = "Created.", body = ServiceView),
        (status = 409, description = "`service_code_taken`."),
        (status = 422, description = "Invalid fields, or `unit_not_service_unit`."),
    )
)]
#[post("/units/{id}/services")]
pub async fn create_service(
    caller: Need<OrgManager>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<CreateService>,
) -> Result<HttpResponse, ApiError> {
    let unit_id = id.into_inner();
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let s = skm::create_service(
        &state.db,
        &ctx,
        &caller.caller,
        unit_id,
        &body.code,
        &body.name,
        body.active.unwrap_or(true),
    )
    .await?;
    Ok(respond::created(
        format!("/api/v1/units/{unit_id}/services/{}", s.id),
        s.version,
        &ServiceView::from(s),
    ))
}

/// Rename or (de)activate a service (`If-Match` required; admin, the unit's unit admin). An
/// inactive service is no longer offered on the questionnaire; its responses stay counted.
#[utoipa::path(
    tag = "skm",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The unit's id"),
        ("service_id" = Uuid, Path, description = "The service's id"),
        ("If-Match" = String, Header, description = "The service's ETag, or `*`."),
    ),
    request_body(content = UpdateService, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The service.", body = ServiceView),
        (status = 422, description = "Invalid fields, or `unit_not_service_unit`."),
    )
)]
#[patch("/units/{id}/services/{service_id}")]
pub async fn update_service(
    caller: Need<OrgManager>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: Json<UpdateService>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut errors = Vec::new();
    let name = not_null("name", body.name, &mut errors);
    let active = not_null("active", body.active, &mut errors);
    patch_errors(errors)?;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let s = skm::update_service(
        &state.db,
        &ctx,
        &caller.caller,
        path.into_inner(),
        &if_match,
        name,
        active,
    )
    .await?;
    Ok(respond::ok(s.version, &ServiceView::from(s)))
}

/// A survey period of a service unit.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e91", "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41",
    "name": "Triwulan I 2026", "start_date": "2026-01-01", "end_date": "2026-03-31", "population": 4200,
    "required_sample": 352, "weights": null, "weighting": "exact_1_9", "status": "open", "closed_at": null, "version": 1}))]
pub struct SurveyPeriodView {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Service users in the period.
    pub population: Option<u64>,
    /// The Krejcie–Morgan sample size for that population.
    pub required_sample: Option<u64>,
    /// Custom weights per unsur; null: exactly 1/9 each.
    pub weights: Option<BTreeMap<String, f64>>,
    pub weighting: &'static str,
    /// `open` or `closed`.
    pub status: &'static str,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<PeriodRecord> for SurveyPeriodView {
    fn from(p: PeriodRecord) -> Self {
        SurveyPeriodView {
            id: p.id,
            unit_id: p.unit_id,
            name: p.name,
            start_date: p.start_date,
            end_date: p.end_date,
            population: p.population,
            required_sample: p.population.map(required_sample),
            weights: p.weights.map(|w| {
                Unsur::ALL
                    .iter()
                    .map(|u| (u.as_str().to_owned(), num(w[u.index()], 6)))
                    .collect()
            }),
            weighting: if p.weights.is_some() {
                "custom"
            } else {
                "exact_1_9"
            },
            status: if p.closed { "closed" } else { "open" },
            closed_at: p.closed_at,
            version: p.version,
        }
    }
}

/// A new survey period.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Triwulan I 2026", "start_date": "2026-01-01", "end_date": "2026-03-31", "population": 4200}))]
pub struct CreateSurveyPeriod {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Service users in the period (1 or more), for the sample size.
    #[schema(minimum = 1)]
    pub population: Option<i64>,
    /// Custom weights u1..u9 (all nine, each 0 or more, summing to exactly 1); absent: 1/9 each.
    pub weights: Option<BTreeMap<String, f64>>,
}

/// The survey periods of a unit, by start date.
#[utoipa::path(
    tag = "skm",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The unit's id")),
    responses((status = 200, description = "The periods.", body = Vec<SurveyPeriodView>))
)]
#[get("/units/{id}/survey-periods")]
pub async fn list_survey_periods(
    _caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let items = skm::periods(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(
        items
            .into_iter()
            .map(SurveyPeriodView::from)
            .collect::<Vec<_>>(),
    ))
}

/// Open a survey period of a service unit (admin, its unit admin): periods of a unit do not
/// overlap (409 `survey_period_overlap`). Audited as `survey_period.created`.
#[utoipa::path(
    tag = "skm",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The unit's id")),
    request_body = CreateSurveyPeriod,
    responses(
        (status = 201, description = "Created.", body = SurveyPeriodView),
        (status = 409, description = "`survey_period_overlap`."),
        (status = 422, description = "Invalid fields, or `unit_not_service_unit`."),
    )
)]
#[post("/units/{id}/survey-periods")]
pub async fn create_survey_period(
    caller: Need<OrgManager>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<CreateSurveyPeriod>,
) -> Result<HttpResponse, ApiError> {
    let unit_id = id.into_inner();
    let body = body.0;
    let mut errors = Vec::new();
    let weights = match body.weights {
        None => None,
        Some(map) => {
            let mut list = Vec::new();
            for u in Unsur::ALL {
                match exact(
                    &format!("weights.{}", u.as_str()),
                    map.get(u.as_str()).copied(),
                    &mut errors,
                ) {
                    Some(w) => list.push(w),
                    None => errors.push(FieldError::of(
                        &format!("weights.{}", u.as_str()),
                        "required",
                        "custom weights give all nine unsur",
                        "bobot khusus mengisi kesembilan unsur",
                    )),
                }
            }
            for key in map.keys().filter(|k| Unsur::parse(k).is_none()) {
                errors.push(FieldError::of(
                    &format!("weights.{key}"),
                    "unknown_unsur",
                    "is not one of u1..u9",
                    "bukan salah satu dari u1..u9",
                ));
            }
            Some(list)
        }
    };
    patch_errors(errors)?;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let input = PeriodInput {
        name: body.name,
        start_date: body.start_date,
        end_date: body.end_date,
        population: body.population,
        weights,
    };
    let p = skm::create_period(&state.db, &ctx, &caller.caller, unit_id, input).await?;
    Ok(respond::created(
        format!("/api/v1/units/{unit_id}/survey-periods/{}", p.id),
        p.version,
        &SurveyPeriodView::from(p),
    ))
}

/// A feedback item to a unit: an unsur below mutu B in a closed period.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e92", "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41",
    "period_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e91", "period_name": "Triwulan I 2026", "unsur": "u3",
    "unsur_label": "Waktu penyelesaian", "nrr": 2.9412, "threshold": 3.0644,
    "comments": ["Antrean perekaman terlalu lama."], "created_at": "2026-04-01T00:00:00Z"}))]
pub struct UnitFeedbackView {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub period_id: Uuid,
    pub period_name: Option<String>,
    pub unsur: String,
    pub unsur_label: &'static str,
    /// NRR at 4 decimals.
    pub nrr: f64,
    /// Below this NRR an unsur is below mutu B.
    pub threshold: f64,
    /// The period's comments (newest first, at most 50).
    pub comments: Vec<String>,
    pub created_at: DateTime<Utc>,
}

fn feedback_view(f: UnitFeedbackRecord, periods: &[PeriodRecord]) -> UnitFeedbackView {
    UnitFeedbackView {
        id: f.id,
        unit_id: f.unit_id,
        period_id: f.period_id,
        period_name: periods
            .iter()
            .find(|p| p.id == f.period_id)
            .map(|p| p.name.clone()),
        unsur: f.unsur.as_str().to_owned(),
        unsur_label: f.unsur.label(),
        nrr: num(f.nrr, 4),
        threshold: num(kinerja_domain::skm::below_b_threshold(), 4),
        comments: f.comments,
        created_at: f.created_at,
    }
}

/// A closed period and the feedback it gave its unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedPeriod {
    pub period: SurveyPeriodView,
    pub feedback: Vec<UnitFeedbackView>,
}

/// Close a survey period (admin, the unit's unit admin; the housekeeping task closes it once
/// after its end date): every unsur below mutu B becomes feedback to the unit. Audited as
/// `survey_period.closed`.
#[utoipa::path(
    tag = "skm",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The unit's id"),
        ("period_id" = Uuid, Path, description = "The period's id"),
    ),
    responses(
        (status = 200, description = "The closed period with its feedback.", body = ClosedPeriod),
        (status = 409, description = "`survey_period_closed`."),
        (status = 422, description = "`unit_not_service_unit`."),
    )
)]
#[post("/units/{id}/survey-periods/{period_id}/close")]
pub async fn close_survey_period(
    caller: Need<OrgManager>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let (p, feedback) = skm::close_period(
        &state.db,
        &ctx,
        Some(&caller.caller),
        path.into_inner(),
        &if_match,
    )
    .await?;
    let periods = [p.clone()];
    Ok(respond::ok(
        p.version,
        &ClosedPeriod {
            feedback: feedback
                .into_iter()
                .map(|f| feedback_view(f, &periods))
                .collect(),
            period: SurveyPeriodView::from(p),
        },
    ))
}

/// The feedback a unit got from its survey, newest first: for its staff, its heads, its unit
/// admin, admins and auditors.
#[utoipa::path(
    tag = "skm",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The unit's id")),
    responses(
        (status = 200, description = "The feedback.", body = Vec<UnitFeedbackView>),
        (status = 403, description = "Not of the unit (`forbidden`)."),
    )
)]
#[get("/units/{id}/feedback")]
pub async fn unit_feedback(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (items, periods) = skm::unit_feedback(&state.db, &caller.caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(
        items
            .into_iter()
            .map(|f| feedback_view(f, &periods))
            .collect::<Vec<_>>(),
    ))
}

/// The sample size of a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct SampleView {
    pub population: u64,
    /// Krejcie–Morgan.
    pub required: u64,
    pub met: bool,
}

/// The figures of one span.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresView {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub period_id: Option<Uuid>,
    pub period_name: Option<String>,
    pub respondents: u64,
    /// NRR per unsur (4 decimals); empty without respondents.
    pub nrr: BTreeMap<String, f64>,
    /// IKM on the 1..4 scale (4 decimals).
    pub ikm: Option<f64>,
    /// IKM × 25, 6 decimals.
    pub ikm_unit: Option<f64>,
    /// IKM × 25 at 2 decimals (half up): the published figure the mutu is decided on.
    pub ikm_unit_rounded: Option<f64>,
    /// `exact_1_9` (exactly 1/9 each, not 0.111), or `custom` (the period's weights).
    pub weighting: &'static str,
    /// `A`, `B`, `C` or `D`.
    pub mutu: Option<&'static str>,
    pub mutu_label: Option<&'static str>,
    pub sample: Option<SampleView>,
    /// The three unsur with the lowest NRR.
    pub weakest: Vec<&'static str>,
    /// The unsur with NRR below 3.0644: the unit's areas to improve.
    pub below_b: Vec<&'static str>,
}

fn figures_view(f: &Figures, public: bool) -> FiguresView {
    let r = f.result.as_ref();
    FiguresView {
        from: f.from,
        to: f.to,
        period_id: f.period.as_ref().filter(|_| !public).map(|p| p.id),
        period_name: f.period.as_ref().map(|p| p.name.clone()),
        respondents: f.tally.respondents,
        nrr: r
            .map(|r| {
                Unsur::ALL
                    .iter()
                    .map(|u| (u.as_str().to_owned(), num(r.nrr_rounded[u.index()], 4)))
                    .collect()
            })
            .unwrap_or_default(),
        ikm: r.map(|r| num(r.ikm, 4)),
        ikm_unit: r.map(|r| num(r.ikm_unit, 6)),
        ikm_unit_rounded: r.map(|r| num(r.ikm_unit_rounded, 2)),
        weighting: f.weighting,
        mutu: r.map(|r| r.mutu.as_str()),
        mutu_label: r.map(|r| r.mutu.label()),
        sample: f.sample.map(|(population, required, met)| SampleView {
            population,
            required,
            met,
        }),
        weakest: r
            .map(|r| r.weakest.iter().map(|u| u.as_str()).collect())
            .unwrap_or_default(),
        below_b: r
            .map(|r| r.below_b.iter().map(|u| u.as_str()).collect())
            .unwrap_or_default(),
    }
}

/// Survey results: a unit's own, or pooled over a parent unit's service units.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsView {
    pub unit_id: Uuid,
    pub unit_code: String,
    /// The service units whose answers were added up (answers added, never averages).
    pub pooled_over: Vec<Uuid>,
    pub service: Option<String>,
    #[serde(flatten)]
    pub figures: FiguresView,
    /// The previous period (or the same-length range before) for comparison.
    pub previous: Option<FiguresView>,
}

/// Which results.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ResultsQuery {
    pub unit_id: Uuid,
    /// A survey period of the unit (or give `from`/`to`).
    pub period_id: Option<Uuid>,
    /// First day (inclusive).
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub to: Option<NaiveDate>,
    /// A service code: that service only.
    pub service: Option<String>,
}

/// The survey results of a unit for a period or a date range (all responses when neither), of
/// one service or all; for a unit that is not itself a service unit, pooled over the service
/// units below it (answers added, equal weights). With the previous span for comparison.
#[utoipa::path(
    tag = "skm",
    security(("bearer" = [])),
    params(ResultsQuery),
    responses(
        (status = 200, description = "The results.", body = ResultsView),
        (status = 404, description = "No such unit (`not_found`)."),
        (status = 422, description = "`service` is not a service of the unit, `period_id` goes with `from`/`to`, or the dates do not make a span (`validation_failed`, naming the parameter)."),
    )
)]
#[get("/skm/results")]
pub async fn results(
    _caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    query: Query<ResultsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let r = skm::results(
        &state.db,
        ResultQuery {
            unit_id: q.unit_id,
            period_id: q.period_id,
            from: q.from,
            to: q.to,
            service: q.service,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(ResultsView {
        unit_id: r.unit.id,
        unit_code: r.unit.code.clone(),
        pooled_over: r.pooled_over.clone(),
        service: r.service.as_ref().map(|s| s.code.clone()),
        figures: figures_view(&r.current, false),
        previous: r.previous.as_ref().map(|p| figures_view(p, false)),
    }))
}

/// Which published figures.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PublicIkmQuery {
    #[validate(length(min = 1, max = 32))]
    pub unit_code: String,
    #[validate(range(min = 2000, max = 2100))]
    pub year: i32,
}

/// The published IKM of a unit for a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicIkmView {
    pub unit_code: String,
    pub unit_name: String,
    pub year: i32,
    /// Each survey period of the year.
    pub periods: Vec<FiguresView>,
    /// The whole year.
    pub year_total: FiguresView,
}

/// The published IKM of a unit (or pooled over a parent unit's service units) for a year: each
/// survey period and the whole year. No login; no comments, no profiles.
#[utoipa::path(
    tag = "public",
    params(PublicIkmQuery),
    responses(
        (status = 200, description = "The published figures.", body = PublicIkmView),
        (status = 404, description = "No such unit, or it has no service unit (`not_found`)."),
    )
)]
#[get("/public/ikm")]
pub async fn public_ikm(
    state: web::Data<AppState>,
    query: Query<PublicIkmQuery>,
) -> Result<HttpResponse, ApiError> {
    let (unit, periods, year) = skm::published(&state.db, &query.unit_code, query.year).await?;
    Ok(HttpResponse::Ok().json(PublicIkmView {
        unit_code: unit.code,
        unit_name: unit.name,
        year: query.year,
        periods: periods.iter().map(|f| figures_view(f, true)).collect(),
        year_total: figures_view(&year, true),
    }))
}
