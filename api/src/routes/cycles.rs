//! `/cycles`: the annual performance cycles and their settings. Everyone signed in reads them
//! (integrations with `read:performance`); admins create, change, start and close them.

use std::str::FromStr;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use kinerja_domain::cycle::{CurveEnforcement, CycleStatus, Rating, Settings};
use kinerja_persistence::repos::cycles::{self as repo, CycleFilter, CycleRecord};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::respond;
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{AdminOnly, PerformanceReader};
use crate::error::{ApiError, ErrorCode, FieldError, Msg};
use crate::http::list::{ListParams, Paged};
use crate::http::precondition::IfMatch;
use crate::http::{Json, Query};
use crate::services::Context;
use crate::services::cycles::{self, SettingsChange};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CycleStatusName {
    Planning,
    Running,
    Closed,
}

impl From<CycleStatus> for CycleStatusName {
    fn from(s: CycleStatus) -> Self {
        match s {
            CycleStatus::Planning => CycleStatusName::Planning,
            CycleStatus::Running => CycleStatusName::Running,
            CycleStatus::Closed => CycleStatusName::Closed,
        }
    }
}

impl From<CycleStatusName> for CycleStatus {
    fn from(s: CycleStatusName) -> Self {
        match s {
            CycleStatusName::Planning => CycleStatus::Planning,
            CycleStatusName::Running => CycleStatus::Running,
            CycleStatusName::Closed => CycleStatus::Closed,
        }
    }
}

/// A work rating (hasil kerja or perilaku).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingName {
    DiAtasEkspektasi,
    SesuaiEkspektasi,
    DiBawahEkspektasi,
}

impl From<Rating> for RatingName {
    fn from(r: Rating) -> Self {
        match r {
            Rating::DiAtasEkspektasi => RatingName::DiAtasEkspektasi,
            Rating::SesuaiEkspektasi => RatingName::SesuaiEkspektasi,
            Rating::DiBawahEkspektasi => RatingName::DiBawahEkspektasi,
        }
    }
}

impl From<RatingName> for Rating {
    fn from(r: RatingName) -> Self {
        match r {
            RatingName::DiAtasEkspektasi => Rating::DiAtasEkspektasi,
            RatingName::SesuaiEkspektasi => Rating::SesuaiEkspektasi,
            RatingName::DiBawahEkspektasi => Rating::DiBawahEkspektasi,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CurveEnforcementName {
    Block,
    Warn,
}

fn num(d: Decimal) -> f64 {
    d.to_f64().unwrap_or_default()
}

/// The settings of a cycle (DOMAIN §8); percentages as numbers (`110` is 110%).
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    pub work_rating_thresholds: WorkRatingThresholdsView,
    pub capaian_cap: f64,
    pub org_predikat_thresholds: OrgPredikatThresholdsView,
    pub head_rating_from_org: HeadRatingFromOrgView,
    pub curve_enforcement: CurveEnforcementName,
    pub curve_min_headcount: u32,
    pub objection_window_days: u32,
    pub objection_decision_days: u32,
    pub jp_minimum_pns: f64,
    pub jp_minimum_pppk: f64,
    pub jp_cap_pppk: f64,
    pub weak_indicator_capaian: f64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WorkRatingThresholdsView {
    /// Mean capaian at or above: di atas ekspektasi.
    pub di_atas: f64,
    /// At or above: sesuai ekspektasi.
    pub sesuai: f64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct OrgPredikatThresholdsView {
    pub istimewa: f64,
    pub baik: f64,
    pub butuh_perbaikan: f64,
    pub kurang: f64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct HeadRatingFromOrgView {
    pub istimewa: RatingName,
    pub baik: RatingName,
    pub butuh_perbaikan: RatingName,
    pub kurang: RatingName,
    pub sangat_kurang: RatingName,
}

impl From<&Settings> for SettingsView {
    fn from(s: &Settings) -> Self {
        let h = &s.head_rating_from_org;
        SettingsView {
            work_rating_thresholds: WorkRatingThresholdsView {
                di_atas: num(s.work_rating_thresholds.di_atas),
                sesuai: num(s.work_rating_thresholds.sesuai),
            },
            capaian_cap: num(s.capaian_cap),
            org_predikat_thresholds: OrgPredikatThresholdsView {
                istimewa: num(s.org_predikat_thresholds.istimewa),
                baik: num(s.org_predikat_thresholds.baik),
                butuh_perbaikan: num(s.org_predikat_thresholds.butuh_perbaikan),
                kurang: num(s.org_predikat_thresholds.kurang),
            },
            head_rating_from_org: HeadRatingFromOrgView {
                istimewa: h.istimewa.into(),
                baik: h.baik.into(),
                butuh_perbaikan: h.butuh_perbaikan.into(),
                kurang: h.kurang.into(),
                sangat_kurang: h.sangat_kurang.into(),
            },
            curve_enforcement: match s.curve_enforcement {
                CurveEnforcement::Block => CurveEnforcementName::Block,
                CurveEnforcement::Warn => CurveEnforcementName::Warn,
            },
            curve_min_headcount: s.curve_min_headcount,
            objection_window_days: s.objection_window_days,
            objection_decision_days: s.objection_decision_days,
            jp_minimum_pns: num(s.jp_minimum_pns),
            jp_minimum_pppk: num(s.jp_minimum_pppk),
            jp_cap_pppk: num(s.jp_cap_pppk),
            weak_indicator_capaian: num(s.weak_indicator_capaian),
        }
    }
}

/// Settings to change: every field optional; what is left out keeps its value.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capaian_cap": 120, "curve_enforcement": "warn", "work_rating_thresholds": {"di_atas": 110, "sesuai": 90}}))]
pub struct SettingsInput {
    pub work_rating_thresholds: Option<WorkRatingThresholdsView>,
    #[schema(minimum = 100, maximum = 1000)]
    pub capaian_cap: Option<f64>,
    pub org_predikat_thresholds: Option<OrgPredikatThresholdsView>,
    pub head_rating_from_org: Option<HeadRatingFromOrgView>,
    pub curve_enforcement: Option<CurveEnforcementName>,
    /// Never below 5.
    #[validate(range(min = 5, max = 10000))]
    #[schema(minimum = 5, maximum = 10000)]
    pub curve_min_headcount: Option<u32>,
    #[validate(range(min = 1, max = 90))]
    #[schema(minimum = 1, maximum = 90)]
    pub objection_window_days: Option<u32>,
    #[validate(range(min = 1, max = 90))]
    #[schema(minimum = 1, maximum = 90)]
    pub objection_decision_days: Option<u32>,
    #[schema(minimum = 0, maximum = 500)]
    pub jp_minimum_pns: Option<f64>,
    #[schema(minimum = 0, maximum = 500)]
    pub jp_minimum_pppk: Option<f64>,
    #[schema(minimum = 0, maximum = 500)]
    pub jp_cap_pppk: Option<f64>,
    #[schema(minimum = 0, maximum = 100)]
    pub weak_indicator_capaian: Option<f64>,
}

/// A JSON number as the exact decimal it was written as (`80.12`, not 80.1199999…).
fn exact(field: &str, v: f64, errors: &mut Vec<FieldError>) -> Decimal {
    match Decimal::from_str(&v.to_string()) {
        Ok(d) => d,
        Err(_) => {
            errors.push(FieldError::new(
                format!("settings.{field}"),
                "invalid",
                Msg::new("is not a decimal number", "bukan bilangan desimal"),
            ));
            Decimal::ZERO
        }
    }
}

impl SettingsInput {
    /// The change to apply; number conversion errors are collected in `errors`.
    fn into_change(self, errors: &mut Vec<FieldError>) -> SettingsChange {
        let work = self.work_rating_thresholds.map(|w| {
            (
                exact("work_rating_thresholds.di_atas", w.di_atas, errors),
                exact("work_rating_thresholds.sesuai", w.sesuai, errors),
            )
        });
        let cap = self.capaian_cap.map(|v| exact("capaian_cap", v, errors));
        let org = self.org_predikat_thresholds.map(|o| {
            [
                exact("org_predikat_thresholds.istimewa", o.istimewa, errors),
                exact("org_predikat_thresholds.baik", o.baik, errors),
                exact(
                    "org_predikat_thresholds.butuh_perbaikan",
                    o.butuh_perbaikan,
                    errors,
                ),
                exact("org_predikat_thresholds.kurang", o.kurang, errors),
            ]
        });
        let jp_pns = self
            .jp_minimum_pns
            .map(|v| exact("jp_minimum_pns", v, errors));
        let jp_pppk = self
            .jp_minimum_pppk
            .map(|v| exact("jp_minimum_pppk", v, errors));
        let jp_cap = self.jp_cap_pppk.map(|v| exact("jp_cap_pppk", v, errors));
        let weak = self
            .weak_indicator_capaian
            .map(|v| exact("weak_indicator_capaian", v, errors));
        let head = self.head_rating_from_org;
        let curve = self.curve_enforcement;
        let (headcount, window, decision) = (
            self.curve_min_headcount,
            self.objection_window_days,
            self.objection_decision_days,
        );
        Box::new(move |s: &mut Settings| {
            if let Some((di_atas, sesuai)) = work {
                s.work_rating_thresholds.di_atas = di_atas;
                s.work_rating_thresholds.sesuai = sesuai;
            }
            if let Some(v) = cap {
                s.capaian_cap = v;
            }
            if let Some([istimewa, baik, butuh_perbaikan, kurang]) = org {
                let o = &mut s.org_predikat_thresholds;
                (o.istimewa, o.baik, o.butuh_perbaikan, o.kurang) =
                    (istimewa, baik, butuh_perbaikan, kurang);
            }
            if let Some(h) = head {
                let m = &mut s.head_rating_from_org;
                m.istimewa = h.istimewa.into();
                m.baik = h.baik.into();
                m.butuh_perbaikan = h.butuh_perbaikan.into();
                m.kurang = h.kurang.into();
                m.sangat_kurang = h.sangat_kurang.into();
            }
            if let Some(c) = curve {
                s.curve_enforcement = match c {
                    CurveEnforcementName::Block => CurveEnforcement::Block,
                    CurveEnforcementName::Warn => CurveEnforcement::Warn,
                };
            }
            if let Some(v) = headcount {
                s.curve_min_headcount = v;
            }
            if let Some(v) = window {
                s.objection_window_days = v;
            }
            if let Some(v) = decision {
                s.objection_decision_days = v;
            }
            if let Some(v) = jp_pns {
                s.jp_minimum_pns = v;
            }
            if let Some(v) = jp_pppk {
                s.jp_minimum_pppk = v;
            }
            if let Some(v) = jp_cap {
                s.jp_cap_pppk = v;
            }
            if let Some(v) = weak {
                s.weak_indicator_capaian = v;
            }
        })
    }
}

pub use super::dto::PeriodName;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f", "year": 2026, "name": "Siklus Kinerja 2026",
    "status": "running", "status_label": "Berjalan", "periods": ["q1", "q2", "q3", "q4"],
    "started_at": "2026-01-05T02:00:00Z", "closed_at": null, "version": 2,
    "created_at": "2025-12-01T02:00:00Z", "updated_at": "2026-01-05T02:00:00Z"
}))]
pub struct CycleView {
    pub id: Uuid,
    pub year: i32,
    pub name: String,
    pub status: CycleStatusName,
    pub status_label: &'static str,
    pub settings: SettingsView,
    /// The evaluation periods: `q1`..`q3` periodic, `q4` the annual evaluation.
    pub periods: Vec<PeriodName>,
    pub started_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CycleRecord> for CycleView {
    fn from(c: CycleRecord) -> Self {
        CycleView {
            id: c.id,
            year: c.year,
            name: c.name,
            status_label: c.status.label(),
            status: c.status.into(),
            settings: SettingsView::from(&c.settings),
            periods: kinerja_domain::capaian::Period::ALL
                .iter()
                .map(|p| PeriodName::from(*p))
                .collect(),
            started_at: c.started_at,
            closed_at: c.closed_at,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2026, "name": "Siklus Kinerja 2026"}))]
pub struct CreateCycle {
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Default "Siklus Kinerja <year>".
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// Changes to the defaults of DOMAIN §8.
    #[validate(nested)]
    pub settings: Option<SettingsInput>,
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"settings": {"curve_enforcement": "warn"}, "reason": "Keputusan Sekda tentang kalibrasi 2026"}))]
pub struct UpdateCycle {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[validate(nested)]
    pub settings: Option<SettingsInput>,
    /// Required to change settings once the cycle runs; kept in the audit trail.
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct CycleQuery {
    pub status: Option<CycleStatusName>,
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

fn settings_errors(errors: Vec<FieldError>) -> Result<(), ApiError> {
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

/// Cycles, newest year first. Sortable by `year`, `name`, `updated_at`.
#[utoipa::path(
    tag = "cycles",
    security(("bearer" = [])),
    params(ListParams, CycleQuery),
    responses((status = 200, description = "A page of cycles.", body = Paged<CycleView>))
)]
#[get("/cycles")]
pub async fn list_cycles(
    _caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<CycleQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(repo::SORTABLE)?;
    let filter = CycleFilter {
        status: query.status.map(CycleStatus::from),
        year: query.year,
        updated_since: list.updated_since,
    };
    let page = cycles::list(&state.db, &filter, &list_query).await?;
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, CycleView::from)))
}

/// Open a cycle for a year (admin), in `planning`, with the default settings or changes to them.
#[utoipa::path(
    tag = "cycles",
    security(("bearer" = [])),
    request_body = CreateCycle,
    responses(
        (status = 201, description = "Created.", body = CycleView),
        (status = 409, description = "The year has a cycle (`cycle_year_taken`)."),
    )
)]
#[post("/cycles")]
pub async fn create_cycle(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    body: Json<CreateCycle>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut errors = Vec::new();
    let change = body.settings.map(|s| s.into_change(&mut errors));
    settings_errors(errors)?;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let cycle = cycles::create(&state.db, &ctx, body.year, body.name, change).await?;
    Ok(respond::created(
        format!("/api/v1/cycles/{}", cycle.id),
        cycle.version,
        &CycleView::from(cycle),
    ))
}

/// One cycle with its settings.
#[utoipa::path(
    tag = "cycles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cycle's id")),
    responses((status = 200, description = "The cycle.", body = CycleView))
)]
#[get("/cycles/{id}")]
pub async fn get_cycle(
    _caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let cycle = cycles::get(&state.db, id.into_inner()).await?;
    Ok(respond::ok(cycle.version, &CycleView::from(cycle)))
}

/// Rename a cycle or change its settings (admin; `If-Match` required). While planning settings
/// change freely; once running only with a `reason`; a closed cycle is 409 `cycle_closed`.
#[utoipa::path(
    tag = "cycles",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cycle's id"),
        ("If-Match" = String, Header, description = "The cycle's current ETag, or `*`."),
    ),
    request_body(content = UpdateCycle, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed cycle.", body = CycleView),
        (status = 409, description = "The cycle is closed (`cycle_closed`)."),
    )
)]
#[patch("/cycles/{id}")]
pub async fn update_cycle(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateCycle>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut errors = Vec::new();
    let change = body.settings.map(|s| s.into_change(&mut errors));
    settings_errors(errors)?;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let cycle = cycles::update(
        &state.db,
        &ctx,
        id.into_inner(),
        &if_match,
        body.name,
        change,
        body.reason,
    )
    .await?;
    Ok(respond::ok(cycle.version, &CycleView::from(cycle)))
}

/// Start a cycle in planning (admin): realisasi and evaluations open. `If-Match` honoured.
#[utoipa::path(
    tag = "cycles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cycle's id")),
    responses(
        (status = 200, description = "The running cycle.", body = CycleView),
        (status = 409, description = "The cycle is not in planning (`cycle_not_planning`)."),
    )
)]
#[post("/cycles/{id}/start")]
pub async fn start_cycle(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let cycle = cycles::start(&state.db, &ctx, id.into_inner(), &if_match).await?;
    Ok(respond::ok(cycle.version, &CycleView::from(cycle)))
}

/// Close a running cycle (admin) once no objection is open or may still be filed.
#[utoipa::path(
    tag = "cycles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cycle's id")),
    responses(
        (status = 200, description = "The closed cycle.", body = CycleView),
        (status = 409, description = "`cycle_not_running` or `objections_pending`."),
    )
)]
#[post("/cycles/{id}/close")]
pub async fn close_cycle(
    caller: Need<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let cycle = cycles::close(&state.db, &ctx, id.into_inner(), &if_match).await?;
    Ok(respond::ok(cycle.version, &CycleView::from(cycle)))
}
