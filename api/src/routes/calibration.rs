//! `/cycles/{id}/units/{unit_id}/performance` and `/calibration`: an OPD's predikat per period,
//! set by the leader above, and the calibration of its employees' predikat against the curve
//! that predikat allows; `/cycles/{id}/calibration`: every OPD at once.

use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use kinerja_domain::calibration::{Breach, OrgPredikat, head_work_rating};
use kinerja_domain::capaian::Period;
use kinerja_domain::cycle::CurveEnforcement;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::num;
use super::dto::{OrgPredikatName, PeriodName, RatingName, respond};
use super::realizations::CapaianView;
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{OrgReader, PerformanceReader};
use crate::error::ApiError;
use crate::http::precondition::IfMatch;
use crate::http::{Json, Query};
use crate::services::Context;
use crate::services::calibration::{self, Calibration, Leader, Performance};

/// Which period (default `q4`, the annual one).
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    pub period: Option<PeriodName>,
}

impl PeriodQuery {
    fn period(&self) -> Period {
        self.period.map(Period::from).unwrap_or(Period::Q4)
    }
}

/// A Perjanjian Kinerja indicator with its capaian for the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpdIndicatorView {
    pub indicator_id: Uuid,
    pub code: String,
    pub description: String,
    pub capaian: Option<CapaianView>,
}

/// How the organisational predikat was suggested.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgSuggestionView {
    pub predikat: OrgPredikatName,
    pub predikat_label: &'static str,
    pub rule: &'static str,
    pub inputs: usize,
    pub mean: f64,
    pub mean_rounded: f64,
    pub threshold_istimewa: f64,
    pub threshold_baik: f64,
    pub threshold_butuh_perbaikan: f64,
    pub threshold_kurang: f64,
}

/// Who sets the OPD's predikat.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeaderView {
    /// The head of the nearest unit above that has one.
    pub employee_id: Option<Uuid>,
    /// No leader above among the employees: an admin sets it for the Wali Kota.
    pub wali_kota: bool,
}

/// An OPD's performance for a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceView {
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub unit_id: Uuid,
    pub unit_code: String,
    pub period: PeriodName,
    pub period_label: &'static str,
    pub indicators: Vec<OpdIndicatorView>,
    /// Null when no indicator has a capaian for the period.
    pub suggested_predikat: Option<OrgSuggestionView>,
    pub predikat: Option<OrgPredikatName>,
    pub predikat_label: Option<&'static str>,
    /// Why the leader differs from the suggestion.
    pub reason: Option<String>,
    pub set_at: Option<DateTime<Utc>>,
    pub leader: LeaderView,
    /// The head's work rating that follows from the predikat (the cycle's mapping).
    pub head_work_rating: Option<RatingName>,
    /// When the annual calibration finalised the OPD's evaluations.
    pub calibrated_at: Option<DateTime<Utc>>,
    /// `set_predikat` when the caller may set it now.
    pub actions: Vec<&'static str>,
    pub version: i64,
}

const ORG_RULE: &str = "mean of the capped capaian of the OPD's Perjanjian Kinerja indicators, at 2 decimals: >= threshold_istimewa -> istimewa; >= threshold_baik -> baik; >= threshold_butuh_perbaikan -> butuh_perbaikan; >= threshold_kurang -> kurang; else sangat_kurang";

fn performance_view(p: &Performance) -> PerformanceView {
    let r = &p.record;
    let t = &p.cycle.settings.org_predikat_thresholds;
    PerformanceView {
        id: r.id,
        cycle_id: r.cycle_id,
        unit_id: r.unit_id,
        unit_code: p.unit.code.clone(),
        period: r.period.into(),
        period_label: r.period.label(),
        indicators: p
            .indicators
            .iter()
            .map(|(i, c)| OpdIndicatorView {
                indicator_id: i.id,
                code: i.code.clone(),
                description: i.description.clone(),
                capaian: c.clone().map(CapaianView::from),
            })
            .collect(),
        suggested_predikat: p.suggestion.as_ref().map(|s| OrgSuggestionView {
            predikat: s.predikat.into(),
            predikat_label: s.predikat.label(),
            rule: ORG_RULE,
            inputs: s.inputs,
            mean: num(s.mean, 6),
            mean_rounded: num(s.mean_rounded, 2),
            threshold_istimewa: num(t.istimewa, 2),
            threshold_baik: num(t.baik, 2),
            threshold_butuh_perbaikan: num(t.butuh_perbaikan, 2),
            threshold_kurang: num(t.kurang, 2),
        }),
        predikat: r.predikat.map(Into::into),
        predikat_label: r.predikat.map(OrgPredikat::label),
        reason: r.reason.clone(),
        set_at: r.set_at,
        leader: LeaderView {
            employee_id: match p.leader {
                Leader::Employee(e) => Some(e),
                Leader::WaliKota => None,
            },
            wali_kota: p.leader == Leader::WaliKota,
        },
        head_work_rating: r
            .predikat
            .map(|o| head_work_rating(o, &p.cycle.settings.head_rating_from_org).into()),
        calibrated_at: r.calibrated_at,
        actions: if p.may_set {
            vec!["set_predikat"]
        } else {
            Vec::new()
        },
        version: r.version,
    }
}

/// An OPD's performance for a period (default `q4`): capaian per Perjanjian Kinerja indicator,
/// the suggested predikat with its derivation, the predikat set, and who sets it.
#[utoipa::path(
    tag = "calibration",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cycle's id"),
        ("unit_id" = Uuid, Path, description = "The OPD's id"),
        PeriodQuery,
    ),
    responses(
        (status = 200, description = "The OPD's performance.", body = PerformanceView),
        (status = 422, description = "The unit is not an OPD (`unit_not_opd`)."),
    )
)]
#[get("/cycles/{id}/units/{unit_id}/performance")]
pub async fn get_performance(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    query: Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = calibration::load(
        &state.db,
        &caller.caller,
        state.clock.now(),
        path.into_inner(),
        query.period(),
    )
    .await?;
    Ok(respond::ok(p.record.version, &performance_view(&p)))
}

/// The predikat the leader above sets.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period": "q4", "predikat": "baik", "reason": null}))]
pub struct SetPerformance {
    pub period: PeriodName,
    pub predikat: OrgPredikatName,
    /// Required when the predikat differs from the suggestion (at most 2000 characters).
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// The leader above sets the OPD's predikat for a period (`If-Match` required; a reason when it
/// differs from the suggestion). The head's work rating follows; the period's manual Perjanjian
/// Kinerja realisasi lock. Audited as `opd_performance.set`.
#[utoipa::path(
    tag = "calibration",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cycle's id"),
        ("unit_id" = Uuid, Path, description = "The OPD's id"),
        ("If-Match" = String, Header, description = "The record's ETag (from GET), or `*`."),
    ),
    request_body = SetPerformance,
    responses(
        (status = 200, description = "The OPD's performance.", body = PerformanceView),
        (status = 403, description = "Not the leader above (`forbidden`)."),
        (status = 409, description = "`cycle_not_running` or `calibration_finalized`."),
        (status = 422, description = "`reason` missing, or the unit is not an OPD."),
    )
)]
#[put("/cycles/{id}/units/{unit_id}/performance")]
pub async fn put_performance(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: Json<SetPerformance>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let input = calibration::PredikatInput {
        period: body.period.into(),
        predikat: body.predikat.into(),
        reason: body.reason,
    };
    let p = calibration::set_predikat(
        &state.db,
        &ctx,
        &caller.caller,
        path.into_inner(),
        &if_match,
        input,
    )
    .await?;
    Ok(respond::ok(p.record.version, &performance_view(&p)))
}

/// Employees by predikat.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsView {
    pub sangat_baik: u32,
    pub baik: u32,
    pub butuh_perbaikan: u32,
    pub kurang: u32,
    pub sangat_kurang: u32,
}

/// One rule the counts break.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreachView {
    pub rule: String,
    pub limit: u32,
    pub actual: u32,
    /// The fewest employees whose predikat must change to satisfy this rule.
    pub to_move: u32,
}

impl From<&Breach> for BreachView {
    fn from(b: &Breach) -> Self {
        BreachView {
            rule: b.rule.clone(),
            limit: b.limit,
            actual: b.actual,
            to_move: b.to_move,
        }
    }
}

/// The calibration of an OPD for a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalibrationView {
    pub unit_id: Uuid,
    pub unit_code: String,
    pub unit_name: String,
    pub period: PeriodName,
    /// Employees counted: those of the OPD (not of OPDs below it) with an assessed evaluation.
    pub headcount: u32,
    pub counts: CountsView,
    /// The OPD's predikat, whose curve applies (null until set).
    pub rule: Option<OrgPredikatName>,
    pub breaches: Vec<BreachView>,
    /// Whether the breaches block finalisation (never below the minimum headcount, or when the
    /// cycle only warns).
    pub blocked: bool,
    /// `block` or `warn`.
    pub enforcement: &'static str,
    pub min_headcount: u32,
    /// Employees whose evaluation of the period is still open.
    pub not_assessed: Vec<Uuid>,
    pub finalized: bool,
    pub calibrated_at: Option<DateTime<Utc>>,
    pub override_reason: Option<String>,
    pub version: i64,
}

fn calibration_view(c: &Calibration) -> CalibrationView {
    let p = &c.performance;
    let s = &p.cycle.settings;
    CalibrationView {
        unit_id: p.unit.id,
        unit_code: p.unit.code.clone(),
        unit_name: p.unit.name.clone(),
        period: p.record.period.into(),
        headcount: c.counts.headcount(),
        counts: CountsView {
            sangat_baik: c.counts.sangat_baik,
            baik: c.counts.baik,
            butuh_perbaikan: c.counts.butuh_perbaikan,
            kurang: c.counts.kurang,
            sangat_kurang: c.counts.sangat_kurang,
        },
        rule: p.record.predikat.map(Into::into),
        breaches: c.breaches.iter().map(BreachView::from).collect(),
        blocked: c.blocked,
        enforcement: match s.curve_enforcement {
            CurveEnforcement::Block => "block",
            CurveEnforcement::Warn => "warn",
        },
        min_headcount: s.curve_min_headcount.max(5),
        not_assessed: c.not_assessed.clone(),
        finalized: p.record.calibrated_at.is_some(),
        calibrated_at: p.record.calibrated_at,
        override_reason: p.record.override_reason.clone(),
        version: p.record.version,
    }
}

/// The calibration of an OPD for a period (default `q4`): the predikat of its employees, the
/// curve its own predikat allows, every breach, and who is not assessed yet.
#[utoipa::path(
    tag = "calibration",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cycle's id"),
        ("unit_id" = Uuid, Path, description = "The OPD's id"),
        PeriodQuery,
    ),
    responses(
        (status = 200, description = "The calibration.", body = CalibrationView),
        (status = 422, description = "The unit is not an OPD (`unit_not_opd`)."),
    )
)]
#[get("/cycles/{id}/units/{unit_id}/calibration")]
pub async fn get_calibration(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    query: Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let c = calibration::calibration(
        &state.db,
        &caller.caller,
        state.clock.now(),
        path.into_inner(),
        query.period(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(calibration_view(&c)))
}

/// Finalising the annual calibration.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period": "q4", "override_reason": null}))]
pub struct FinalizeCalibration {
    /// Only `q4` (422 otherwise).
    pub period: PeriodName,
    /// The leader above or an admin finalises a breaching curve with a reason (audited).
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub override_reason: Option<String>,
}

/// Finalise the OPD's annual calibration: all its employees' q4 evaluations at once (the OPD
/// head, the leader above or an admin). Refused while one is open (409 `evaluations_open`), before
/// the OPD predikat is set (409 `org_predikat_missing`), and on a breach (409 `curve_breached`
/// listing them) unless the leader above or an admin gives `override_reason`. Audited as
/// `calibration.finalized`.
#[utoipa::path(
    tag = "calibration",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cycle's id"),
        ("unit_id" = Uuid, Path, description = "The OPD's id"),
    ),
    request_body = FinalizeCalibration,
    responses(
        (status = 200, description = "The finalised calibration.", body = CalibrationView),
        (status = 403, description = "Not the OPD head, the leader above or an admin; or an override by the head (`forbidden`)."),
        (status = 409, description = "`evaluations_open`, `org_predikat_missing`, `curve_breached` or `calibration_finalized`."),
        (status = 422, description = "A period other than q4, or the unit is not an OPD."),
    )
)]
#[post("/cycles/{id}/units/{unit_id}/calibration/finalize")]
pub async fn finalize_calibration(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<FinalizeCalibration>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let c = calibration::finalize(
        &state.db,
        &ctx,
        &caller.caller,
        path.into_inner(),
        body.period.into(),
        body.override_reason,
    )
    .await?;
    Ok(HttpResponse::Ok().json(calibration_view(&c)))
}

/// The calibration of every OPD of the cycle for a period (default `q4`): the city-wide view.
#[utoipa::path(
    tag = "calibration",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The cycle's id"), PeriodQuery),
    responses((status = 200, description = "Every OPD's calibration.", body = Vec<CalibrationView>))
)]
#[get("/cycles/{id}/calibration")]
pub async fn city_calibration(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let all = calibration::all_opds(
        &state.db,
        &caller.caller,
        state.clock.now(),
        id.into_inner(),
        query.period(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(all.iter().map(calibration_view).collect::<Vec<_>>()))
}
