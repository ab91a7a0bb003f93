//! Supervision reports: `/reports/predikat-distribution`, `/reports/ikm-trend` and
//! `/reports/follow-up`. Every one is for admins, auditors and services with `read:reports` or
//! `read:performance` (the city), heads of units (their subtree) and unit admins (the units they
//! manage); see `services::reports`.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use kinerja_domain::capaian::Period;
use kinerja_domain::cycle::CurveEnforcement;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::calibration::BreachView;
use super::dto::num;
use super::dto::{EvaluationStatusName, OrgPredikatName, PeriodName, PlanStatusName, PredikatName};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::ReportReader;
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::http::Query;
use crate::http::list::{ListParams, Paged};
use crate::services::calibration;
use crate::services::reports::{self, FollowUpRow, Tally, share};

fn bad(field: &str, code: &str, en: &str, id: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter)
        .with_detail(
            "A query parameter is invalid.",
            "Parameter query tidak valid.",
        )
        .with_field(FieldError::of(field, code, en, id))
}

/// A UUID query parameter, parsed here so a bad one is named in the problem.
fn uuid_param(field: &str, raw: Option<&str>, required: bool) -> Result<Option<Uuid>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") if required => Err(bad(field, "required", "is required", "wajib diisi")),
        None | Some("") => Ok(None),
        Some(s) => s.parse::<Uuid>().map(Some).map_err(|_| {
            bad(
                field,
                "invalid_uuid",
                "is not a UUID",
                "bukan UUID yang valid",
            )
        }),
    }
}

fn period_param(raw: Option<&str>) -> Result<Option<Period>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some("q1") => Ok(Some(Period::Q1)),
        Some("q2") => Ok(Some(Period::Q2)),
        Some("q3") => Ok(Some(Period::Q3)),
        Some("q4") => Ok(Some(Period::Q4)),
        Some(_) => Err(bad(
            "period",
            "invalid_period",
            "must be q1, q2, q3 or q4",
            "harus q1, q2, q3 atau q4",
        )),
    }
}

fn no_updated_since(list: &ListParams) -> Result<(), ApiError> {
    if list.updated_since.is_some() {
        // Computed figures have no change time.
        return Err(bad(
            "updated_since",
            "not_supported",
            "this report has no change time; leave it out",
            "laporan ini tidak memiliki waktu perubahan; hilangkan parameter ini",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Predikat distribution

/// Which cycle, unit and period.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct DistributionQuery {
    /// The cycle.
    #[param(required = true, value_type = Uuid)]
    #[validate(length(max = 100))]
    pub cycle_id: Option<String>,
    /// The unit (its whole subtree). Required for heads of units; admins, auditors and services
    /// default to the city, unit admins to the units they manage.
    #[param(value_type = Option<Uuid>)]
    #[validate(length(max = 100))]
    pub unit_id: Option<String>,
    /// `q1`..`q4` (`q4` is the annual evaluation). Default: the latest quarter in which anyone
    /// in scope has an assessed or finalised evaluation (`q1` when nobody has one).
    #[param(value_type = Option<PeriodName>, inline)]
    #[validate(length(max = 10))]
    pub period: Option<String>,
}

/// Employees by predikat; `not_assessed`: an approved SKP but no assessed or finalised
/// evaluation of the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct PredikatCounts {
    pub sangat_baik: u32,
    pub baik: u32,
    pub butuh_perbaikan: u32,
    pub kurang: u32,
    pub sangat_kurang: u32,
    pub not_assessed: u32,
}

/// Percentages at 2 decimals (half up); null when the denominator is 0. Each predikat's share
/// is `count / assessed × 100`; `not_assessed` is `not_assessed / employees × 100`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PredikatShares {
    pub sangat_baik: Option<f64>,
    pub baik: Option<f64>,
    pub butuh_perbaikan: Option<f64>,
    pub kurang: Option<f64>,
    pub sangat_kurang: Option<f64>,
    pub not_assessed: Option<f64>,
}

/// Counts and shares over a set of employees.
#[derive(Debug, Serialize, ToSchema)]
pub struct DistributionFigures {
    /// Employees with an approved SKP in the cycle.
    pub employees: u32,
    /// Of them, those with a predikat for the period (the denominator of the predikat shares).
    pub assessed: u32,
    pub counts: PredikatCounts,
    pub shares: PredikatShares,
}

fn pct(count: u32, of: u32) -> Option<f64> {
    share(count, of).map(|d| num(d, 2))
}

impl From<&Tally> for DistributionFigures {
    fn from(t: &Tally) -> Self {
        let (assessed, employees) = (t.assessed(), t.employees());
        DistributionFigures {
            employees,
            assessed,
            counts: PredikatCounts {
                sangat_baik: t.sangat_baik,
                baik: t.baik,
                butuh_perbaikan: t.butuh_perbaikan,
                kurang: t.kurang,
                sangat_kurang: t.sangat_kurang,
                not_assessed: t.not_assessed,
            },
            shares: PredikatShares {
                sangat_baik: pct(t.sangat_baik, assessed),
                baik: pct(t.baik, assessed),
                butuh_perbaikan: pct(t.butuh_perbaikan, assessed),
                kurang: pct(t.kurang, assessed),
                sangat_kurang: pct(t.sangat_kurang, assessed),
                not_assessed: pct(t.not_assessed, employees),
            },
        }
    }
}

/// One unit: its own employees, and pooled over its subtree (the units of it the caller sees).
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDistributionView {
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub is_opd: bool,
    pub own: DistributionFigures,
    pub subtree: DistributionFigures,
}

/// An OPD's curve status for the period, as `GET /cycles/{id}/units/{unit_id}/calibration`
/// shows it (employees of the OPD, not reaching into OPDs below it).
#[derive(Debug, Serialize, ToSchema)]
pub struct CurveStatusView {
    pub unit_id: Uuid,
    pub code: String,
    pub name: String,
    /// The OPD's predikat whose curve applies (null until set: no curve yet).
    pub rule: Option<OrgPredikatName>,
    /// Employees counted by the curve.
    pub headcount: u32,
    pub breaches: Vec<BreachView>,
    /// `within` (no breach), `breached`, or `no_rule` (the OPD predikat is not set).
    pub status: &'static str,
    /// Whether the breaches block finalisation.
    pub blocked: bool,
    /// `block` or `warn`.
    pub enforcement: &'static str,
    pub finalized: bool,
}

/// The predikat distribution of a period.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "cycle_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e10", "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41",
    "period": "q2", "period_defaulted": true,
    "share_basis": "each predikat: count / assessed × 100; not_assessed: not_assessed / employees × 100; 2 decimals, half up",
    "total": {"employees": 5, "assessed": 4,
        "counts": {"sangat_baik": 1, "baik": 2, "butuh_perbaikan": 1, "kurang": 0, "sangat_kurang": 0, "not_assessed": 1},
        "shares": {"sangat_baik": 25.0, "baik": 50.0, "butuh_perbaikan": 25.0, "kurang": 0.0, "sangat_kurang": 0.0, "not_assessed": 20.0}},
    "units": [{"unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41", "code": "DISDUKCAPIL", "name": "Dinas Kependudukan dan Pencatatan Sipil",
        "parent_id": null, "is_opd": true,
        "own": {"employees": 5, "assessed": 4,
            "counts": {"sangat_baik": 1, "baik": 2, "butuh_perbaikan": 1, "kurang": 0, "sangat_kurang": 0, "not_assessed": 1},
            "shares": {"sangat_baik": 25.0, "baik": 50.0, "butuh_perbaikan": 25.0, "kurang": 0.0, "sangat_kurang": 0.0, "not_assessed": 20.0}},
        "subtree": {"employees": 5, "assessed": 4,
            "counts": {"sangat_baik": 1, "baik": 2, "butuh_perbaikan": 1, "kurang": 0, "sangat_kurang": 0, "not_assessed": 1},
            "shares": {"sangat_baik": 25.0, "baik": 50.0, "butuh_perbaikan": 25.0, "kurang": 0.0, "sangat_kurang": 0.0, "not_assessed": 20.0}}}],
    "curves": [{"unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41", "code": "DISDUKCAPIL", "name": "Dinas Kependudukan dan Pencatatan Sipil",
        "rule": "baik", "headcount": 4, "breaches": [], "status": "within", "blocked": false, "enforcement": "block", "finalized": false}]
}))]
pub struct DistributionView {
    pub cycle_id: Uuid,
    pub unit_id: Option<Uuid>,
    pub period: PeriodName,
    /// Whether `period` was chosen by default.
    pub period_defaulted: bool,
    /// How the shares are derived.
    pub share_basis: &'static str,
    /// Over every unit in scope (the subtree of `unit_id`).
    pub total: DistributionFigures,
    /// Each unit in scope, by code.
    pub units: Vec<UnitDistributionView>,
    /// The curve of each OPD the units belong to, by code (none while the cycle is planned).
    pub curves: Vec<CurveStatusView>,
}

const SHARE_BASIS: &str = "each predikat: count / assessed × 100; not_assessed: not_assessed / employees × 100; 2 decimals, half up";

/// Counts and shares of each predikat (and of employees not assessed yet) per unit and pooled
/// over each unit's subtree, for a period of a cycle, with the curve status of the OPDs
/// concerned. For admins, auditors, services with `read:reports`/`read:performance`, heads of
/// units (their subtree) and unit admins (the units they manage).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(DistributionQuery),
    responses(
        (status = 200, description = "The distribution.", body = DistributionView),
        (status = 400, description = "A bad `cycle_id`, `unit_id` or `period` (`invalid_parameter`)."),
        (status = 401, description = "Not signed in (`unauthorized`)."),
        (status = 403, description = "Not a head, unit admin, admin or auditor of the unit, or a service without `read:reports`/`read:performance` (`forbidden`)."),
        (status = 404, description = "No such cycle or unit (`not_found`)."),
        (status = 422, description = "`unit_id` is required for this caller (`validation_failed`)."),
    )
)]
#[get("/reports/predikat-distribution")]
pub async fn predikat_distribution(
    caller: Need<ReportReader>,
    state: web::Data<AppState>,
    query: Query<DistributionQuery>,
) -> Result<HttpResponse, ApiError> {
    let cycle_id = uuid_param("cycle_id", query.cycle_id.as_deref(), true)?.unwrap_or_default();
    let unit_id = uuid_param("unit_id", query.unit_id.as_deref(), false)?;
    let period = period_param(query.period.as_deref())?;
    // The curves read each OPD's performance record, which a read replica cannot create: make
    // sure the primary has them all (cheap when it does), then read from the replica.
    calibration::ensure_records(&state.db, state.clock.now()).await?;
    let d = reports::predikat_distribution(
        &state.reads,
        &caller.caller,
        state.clock.now(),
        cycle_id,
        unit_id,
        period,
    )
    .await?;
    Ok(HttpResponse::Ok().json(DistributionView {
        cycle_id: d.cycle_id,
        unit_id: d.unit_id,
        period: d.period.into(),
        period_defaulted: d.period_defaulted,
        share_basis: SHARE_BASIS,
        total: (&d.total).into(),
        units: d
            .units
            .iter()
            .map(|u| UnitDistributionView {
                unit_id: u.unit.id,
                code: u.unit.code.clone(),
                name: u.unit.name.clone(),
                parent_id: u.unit.parent_id,
                is_opd: u.unit.is_opd,
                own: (&u.own).into(),
                subtree: (&u.subtree).into(),
            })
            .collect(),
        curves: d
            .curves
            .iter()
            .map(|c| {
                let p = &c.performance;
                CurveStatusView {
                    unit_id: p.unit.id,
                    code: p.unit.code.clone(),
                    name: p.unit.name.clone(),
                    rule: p.record.predikat.map(Into::into),
                    headcount: c.counts.headcount(),
                    breaches: c.breaches.iter().map(BreachView::from).collect(),
                    status: match (p.record.predikat, c.breaches.is_empty()) {
                        (None, _) => "no_rule",
                        (Some(_), true) => "within",
                        (Some(_), false) => "breached",
                    },
                    blocked: c.blocked,
                    enforcement: match p.cycle.settings.curve_enforcement {
                        CurveEnforcement::Block => "block",
                        CurveEnforcement::Warn => "warn",
                    },
                    finalized: p.record.calibrated_at.is_some(),
                }
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------------------------------------
// IKM trend

/// Which unit.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// The unit whose survey periods are shown; results are pooled over the service units of
    /// its subtree, as `GET /skm/results` pools them.
    #[param(required = true, value_type = Uuid)]
    #[validate(length(max = 100))]
    pub unit_id: Option<String>,
}

/// One survey period.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendPointView {
    pub period_id: Uuid,
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub closed: bool,
    pub respondents: u64,
    /// IKM × 25 at 2 decimals (half up); null without respondents.
    pub ikm_unit: Option<f64>,
    /// `A`, `B`, `C` or `D`.
    pub mutu: Option<&'static str>,
    pub mutu_label: Option<&'static str>,
    /// The unsur with the lowest NRR (ties by unsur number).
    pub weakest_unsur: Option<&'static str>,
    /// Its NRR (4 decimals).
    pub weakest_nrr: Option<f64>,
    /// `ikm_unit` minus that of the period before (both at 2 decimals); null for the first
    /// period or when either has no respondents.
    pub change: Option<f64>,
}

/// A unit's IKM per survey period.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41", "unit_code": "DISDUKCAPIL",
    "pooled_over": ["01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41"],
    "periods": [
        {"period_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e70", "name": "Semester I 2026", "start_date": "2026-01-01",
         "end_date": "2026-06-30", "closed": true, "respondents": 120, "ikm_unit": 78.25, "mutu": "B", "mutu_label": "Baik",
         "weakest_unsur": "u3", "weakest_nrr": 2.9, "change": null},
        {"period_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e71", "name": "Semester II 2026", "start_date": "2026-07-01",
         "end_date": "2026-12-31", "closed": false, "respondents": 64, "ikm_unit": 81.5, "mutu": "B", "mutu_label": "Baik",
         "weakest_unsur": "u8", "weakest_nrr": 3.05, "change": 3.25}
    ]
}))]
pub struct TrendView {
    pub unit_id: Uuid,
    pub unit_code: String,
    /// The service units whose answers are added.
    pub pooled_over: Vec<Uuid>,
    /// By start date.
    pub periods: Vec<TrendPointView>,
}

/// IKM unit, mutu and the weakest unsur of each survey period (closed or open) of a unit, in
/// date order, with the change from the period before. Scoped like the other reports.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(TrendQuery),
    responses(
        (status = 200, description = "The trend.", body = TrendView),
        (status = 400, description = "A missing or bad `unit_id` (`invalid_parameter`)."),
        (status = 401, description = "Not signed in (`unauthorized`)."),
        (status = 403, description = "Not a head, unit admin, admin or auditor of the unit, or a service without `read:reports`/`read:performance` (`forbidden`)."),
        (status = 404, description = "No such unit (`not_found`)."),
    )
)]
#[get("/reports/ikm-trend")]
pub async fn ikm_trend(
    caller: Need<ReportReader>,
    state: web::Data<AppState>,
    query: Query<TrendQuery>,
) -> Result<HttpResponse, ApiError> {
    let unit_id = uuid_param("unit_id", query.unit_id.as_deref(), true)?.unwrap_or_default();
    let t = reports::ikm_trend(&state.reads, &caller.caller, unit_id).await?;
    Ok(HttpResponse::Ok().json(TrendView {
        unit_id: t.unit.id,
        unit_code: t.unit.code.clone(),
        pooled_over: t.pooled_over.clone(),
        periods: t
            .points
            .iter()
            .map(|p| {
                let r = p.figures.result.as_ref();
                let weakest = r.and_then(|r| r.weakest.first().map(|u| (*u, r)));
                TrendPointView {
                    period_id: p.period.id,
                    name: p.period.name.clone(),
                    start_date: p.period.start_date,
                    end_date: p.period.end_date,
                    closed: p.period.closed,
                    respondents: p.figures.tally.respondents,
                    ikm_unit: r.map(|r| num(r.ikm_unit_rounded, 2)),
                    mutu: r.map(|r| r.mutu.as_str()),
                    mutu_label: r.map(|r| r.mutu.label()),
                    weakest_unsur: weakest.map(|(u, _)| u.as_str()),
                    weakest_nrr: weakest.map(|(u, r)| num(r.nrr_rounded[u.index()], 4)),
                    change: p.change.map(|c| num(c, 2)),
                }
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Follow-up

/// Which cycle, period and unit.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// The cycle.
    #[param(required = true, value_type = Uuid)]
    #[validate(length(max = 100))]
    pub cycle_id: Option<String>,
    /// `q1`..`q4`. Default: the latest quarter in which anyone in scope has an assessed or
    /// finalised evaluation.
    #[param(value_type = Option<PeriodName>, inline)]
    #[validate(length(max = 10))]
    pub period: Option<String>,
    /// Only this unit's subtree. Required for heads of units; admins, auditors and services
    /// default to the city, unit admins to the units they manage.
    #[param(value_type = Option<Uuid>)]
    #[validate(length(max = 100))]
    pub unit_id: Option<String>,
}

/// An employee with a low predikat and his development plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpItem {
    pub employee_id: Uuid,
    pub nip: String,
    pub name: String,
    pub unit_id: Uuid,
    pub period: PeriodName,
    pub predikat: PredikatName,
    pub evaluation_id: Uuid,
    pub skp_id: Uuid,
    /// `assessed` or `finalized`.
    pub evaluation_status: EvaluationStatusName,
    /// From the enrolments of his plan for the cycle (`none` without a plan).
    pub plan_status: PlanStatusName,
    /// Whether his development recommendations require a plan (a low predikat in the cycle).
    pub plan_required: bool,
}

impl From<FollowUpRow> for FollowUpItem {
    fn from(r: FollowUpRow) -> Self {
        FollowUpItem {
            employee_id: r.employee.id,
            nip: r.employee.nip,
            name: r.employee.name,
            unit_id: r.employee.unit_id,
            period: r.evaluation.period.into(),
            predikat: r.predikat.into(),
            evaluation_id: r.evaluation.id,
            skp_id: r.evaluation.skp_id,
            evaluation_status: r.evaluation.status.into(),
            plan_status: r.plan_status.into(),
            plan_required: r.plan_required,
        }
    }
}

/// The follow-up stage of a period: a page of employees with a low predikat.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "cycle_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e10", "period": "q2", "period_defaulted": false,
    "by_plan_status": {"done": 0, "in_progress": 1, "none": 1, "planned": 0},
    "items": [{"employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e46", "nip": "198503122010012003",
        "name": "Rina Simanjuntak", "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41", "period": "q2",
        "predikat": "butuh_perbaikan", "evaluation_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e80",
        "skp_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e60", "evaluation_status": "assessed",
        "plan_status": "none", "plan_required": true}],
    "page": 1, "per_page": 50, "total": 2
}))]
pub struct FollowUpView {
    pub cycle_id: Uuid,
    pub period: PeriodName,
    pub period_defaulted: bool,
    /// Everyone listed (all pages) by plan status.
    pub by_plan_status: BTreeMap<String, u64>,
    /// Lowest predikat first, then by name (or as `sort` asks: `name`, `nip`, `predikat`).
    #[serde(flatten)]
    pub page: Paged<FollowUpItem>,
}

/// Employees with predikat `butuh_perbaikan`, `kurang` or `sangat_kurang` in a period (assessed
/// or finalised evaluations) and the state of their development plan: the follow-up stage.
/// Scoped like the other reports.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(ListParams, FollowUpQuery),
    responses(
        (status = 200, description = "A page of employees.", body = FollowUpView),
        (status = 400, description = "A bad `cycle_id`, `unit_id`, `period` or list parameter; `updated_since` is refused (`invalid_parameter`)."),
        (status = 401, description = "Not signed in (`unauthorized`)."),
        (status = 403, description = "Not a head, unit admin, admin or auditor of the unit, or a service without `read:reports`/`read:performance` (`forbidden`)."),
        (status = 404, description = "No such cycle or unit (`not_found`)."),
        (status = 422, description = "`unit_id` is required for this caller (`validation_failed`)."),
    )
)]
#[get("/reports/follow-up")]
pub async fn follow_up(
    caller: Need<ReportReader>,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<FollowUpQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(reports::FOLLOW_UP_SORTABLE)?;
    no_updated_since(&list)?;
    let cycle_id = uuid_param("cycle_id", query.cycle_id.as_deref(), true)?.unwrap_or_default();
    let unit_id = uuid_param("unit_id", query.unit_id.as_deref(), false)?;
    let period = period_param(query.period.as_deref())?;
    let f = reports::follow_up(
        &state.reads,
        &caller.caller,
        cycle_id,
        period,
        unit_id,
        &list_query,
    )
    .await?;
    Ok(HttpResponse::Ok().json(FollowUpView {
        cycle_id,
        period: f.period.into(),
        period_defaulted: f.period_defaulted,
        by_plan_status: f
            .by_plan_status
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        page: Paged::new(f.page, &list_query, FollowUpItem::from),
    }))
}
