//! `/reports/participation`, `/reports/participation/employees`,
//! `/reports/monthly-performance` and `/reports/overview`: the progress of a cycle for leaders,
//! BKPSDM, the Inspektorat and the payroll system. See [`crate::services::progress`] for how each
//! figure is derived.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::num;
use super::dto::{EmploymentTypeName, OrgPredikatName, PeriodName, PredikatName};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{PerformanceExporter, ReportReader};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::http::Query;
use crate::http::csv::{self, CsvParams};
use crate::http::list::{ListParams, Paged};
use crate::services::progress::{self, Missing, Month, MonthlyRow, OpdProgress, Participation};

/// Lists computed here have no change time.
fn refuse_updated_since(list: &ListParams) -> Result<(), ApiError> {
    if list.updated_since.is_some() {
        return Err(
            ApiError::new(ErrorCode::InvalidParameter).with_field(FieldError::of(
                "updated_since",
                "not_supported",
                "this report has no change time; leave it out",
                "laporan ini tidak memiliki waktu perubahan; hilangkan parameter ini",
            )),
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Participation

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ParticipationQuery {
    /// The cycle.
    pub cycle_id: Uuid,
    /// The unit (its whole subtree). Required for heads of units; admins, auditors and services
    /// default to the city, unit admins to the units they manage.
    pub unit_id: Option<Uuid>,
    /// The quarter (`q4`: the annual evaluation). Default: the latest quarter with an evaluation
    /// self-assessed or rated, or with feedback, in scope (`q1` without any).
    #[param(inline)]
    pub period: Option<PeriodName>,
}

/// The figures of one unit (its own employees) or of all units pooled.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipationFigures {
    /// Active employees.
    pub employees: u64,
    /// Their SKPs of the cycle, any status (a revision counts apart).
    pub skp_total: u64,
    /// SKPs the employee proposed himself.
    pub skp_proposed_by_employee: u64,
    /// SKPs written for him (by the penilai, a unit admin, an admin or an import).
    pub skp_written_for_employee: u64,
    /// Employees who self-assessed an evaluation of the period.
    pub self_assessed: u64,
    /// Notes opening a feedback thread on their SKPs in the period.
    pub feedback_notes: u64,
    /// Employees with at least one such note.
    pub employees_with_feedback_in_period: u64,
    /// Replies in feedback threads in the period.
    pub feedback_replies: u64,
    /// Objections against their evaluations of the period.
    pub objections_filed: u64,
    /// Of those, decided (accepted or rejected).
    pub objections_decided: u64,
    /// Employees whose approved JP of the cycle's year meet the requirement (the `met` standing
    /// of the training compliance report).
    pub training_met: u64,
}

impl From<&Participation> for ParticipationFigures {
    fn from(p: &Participation) -> Self {
        ParticipationFigures {
            employees: p.employees,
            skp_total: p.skp_total,
            skp_proposed_by_employee: p.skp_proposed_by_employee,
            skp_written_for_employee: p.skp_written_for_employee,
            self_assessed: p.self_assessed,
            feedback_notes: p.feedback_notes,
            employees_with_feedback_in_period: p.employees_with_feedback_in_period,
            feedback_replies: p.feedback_replies,
            objections_filed: p.objections_filed,
            objections_decided: p.objections_decided,
            training_met: p.training_met,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitParticipation {
    pub unit_id: Uuid,
    pub unit_code: String,
    #[serde(flatten)]
    pub figures: ParticipationFigures,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "cycle_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e30", "period": "q1",
    "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41",
    "units": [{"unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41", "unit_code": "DISDUKCAPIL",
        "employees": 42, "skp_total": 44, "skp_proposed_by_employee": 30,
        "skp_written_for_employee": 14, "self_assessed": 35, "feedback_notes": 61,
        "employees_with_feedback_in_period": 33, "feedback_replies": 20, "objections_filed": 2,
        "objections_decided": 1, "training_met": 12}],
    "total": {"employees": 42, "skp_total": 44, "skp_proposed_by_employee": 30,
        "skp_written_for_employee": 14, "self_assessed": 35, "feedback_notes": 61,
        "employees_with_feedback_in_period": 33, "feedback_replies": 20, "objections_filed": 2,
        "objections_decided": 1, "training_met": 12}
}))]
pub struct ParticipationView {
    pub cycle_id: Uuid,
    /// The period reported (the default resolved).
    pub period: PeriodName,
    pub unit_id: Option<Uuid>,
    /// Every unit in scope by code, each with its own employees.
    pub units: Vec<UnitParticipation>,
    /// Pooled over every unit in scope.
    pub total: ParticipationFigures,
}

/// Participation per unit (DOMAIN §7) and pooled over the units in scope: who proposed the SKPs,
/// self-assessments, feedback, objections and JP compliance. For admins, auditors, services with
/// `read:reports`/`read:performance` (the city), heads of units (their subtree) and unit admins
/// (the units they manage).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(ParticipationQuery),
    responses(
        (status = 200, description = "The figures.", body = ParticipationView),
        (status = 400, description = "A parameter is malformed (`invalid_parameter`)."),
        (status = 403, description = "Not a head, unit admin, admin or auditor of the unit, nor a service with `read:reports` (`forbidden`)."),
        (status = 404, description = "No such cycle or unit (`not_found`)."),
        (status = 422, description = "`unit_id` is required for this caller (`validation_failed`)."),
    )
)]
#[get("/reports/participation")]
pub async fn participation(
    caller: Need<ReportReader>,
    state: web::Data<AppState>,
    query: Query<ParticipationQuery>,
) -> Result<HttpResponse, ApiError> {
    let report = progress::participation(
        &state.reads,
        &caller.caller,
        query.cycle_id,
        query.unit_id,
        query.period.map(Into::into),
    )
    .await?;
    Ok(HttpResponse::Ok().json(ParticipationView {
        cycle_id: report.cycle_id,
        period: report.period.into(),
        unit_id: query.unit_id,
        units: report
            .units
            .iter()
            .map(|(u, p)| UnitParticipation {
                unit_id: u.id,
                unit_code: u.code.clone(),
                figures: p.into(),
            })
            .collect(),
        total: (&report.total).into(),
    }))
}

/// The figure whose missing employees are listed.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissingName {
    Feedback,
    SelfAssessment,
    Skp,
    Training,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ParticipationEmployeesQuery {
    pub cycle_id: Uuid,
    /// As for the figures.
    pub unit_id: Option<Uuid>,
    /// As for the figures.
    #[param(inline)]
    pub period: Option<PeriodName>,
    /// `feedback`: no note opening a feedback thread in the period; `self_assessment`: no
    /// self-assessment in the period; `skp`: no SKP in the cycle; `training`: JP of the year not
    /// met. Each list has `employees` minus the figure's count of people.
    #[param(inline)]
    pub missing: MissingName,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e46",
    "nip": "198503122010012003", "name": "Rina Simanjuntak",
    "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41", "position": "Pengadministrasi Kependudukan",
    "period": "q1"}))]
pub struct MissingEmployee {
    pub employee_id: Uuid,
    pub nip: String,
    pub name: String,
    pub unit_id: Uuid,
    pub position: String,
    /// The period reported (the default resolved).
    pub period: PeriodName,
}

/// The employees behind a participation figure: active employees in scope the figure does not
/// count (e.g. who had no feedback in the period), by name unless sorted by `name` or `nip`.
/// Scoped like the figures.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(ParticipationEmployeesQuery, ListParams),
    responses(
        (status = 200, description = "A page of employees.", body = Paged<MissingEmployee>),
        (status = 400, description = "A parameter is malformed (`invalid_parameter`)."),
        (status = 403, description = "Not a head, unit admin, admin or auditor of the unit, nor a service with `read:reports` (`forbidden`)."),
        (status = 404, description = "No such cycle or unit (`not_found`)."),
        (status = 422, description = "`unit_id` is required for this caller (`validation_failed`)."),
    )
)]
#[get("/reports/participation/employees")]
pub async fn participation_employees(
    caller: Need<ReportReader>,
    state: web::Data<AppState>,
    query: Query<ParticipationEmployeesQuery>,
    list: Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(progress::EMPLOYEE_SORTABLE)?;
    refuse_updated_since(&list)?;
    let missing = match query.missing {
        MissingName::Feedback => Missing::Feedback,
        MissingName::SelfAssessment => Missing::SelfAssessment,
        MissingName::Skp => Missing::Skp,
        MissingName::Training => Missing::Training,
    };
    let (period, page) = progress::participation_employees(
        &state.reads,
        &caller.caller,
        query.cycle_id,
        query.unit_id,
        query.period.map(Into::into),
        missing,
        &list_query,
    )
    .await?;
    Ok(
        HttpResponse::Ok().json(Paged::new(page, &list_query, |e| MissingEmployee {
            employee_id: e.id,
            nip: e.nip,
            name: e.name,
            unit_id: e.unit_id,
            position: e.position,
            period: period.into(),
        })),
    )
}

// ---------------------------------------------------------------------------------------------
// Monthly figures for the payroll

fn month_ok(raw: &str) -> Result<(), validator::ValidationError> {
    if Month::parse(raw).is_some() {
        return Ok(());
    }
    let mut error = validator::ValidationError::new("invalid_month");
    error.message = Some(
        "must be a month YYYY-MM (2000-01 to 2100-12)|harus bulan YYYY-MM (2000-01 s.d. 2100-12)"
            .into(),
    );
    Err(error)
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct MonthlyQuery {
    /// The month, `YYYY-MM`.
    #[validate(custom(function = "month_ok"))]
    #[param(pattern = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", example = "2026-03")]
    pub month: String,
    /// The unit (its whole subtree). Required for heads of units; admins, auditors and services
    /// default to the city, unit admins to the units they manage.
    pub unit_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f", "nip": "198507122010011003",
    "name": "Budi Santoso Siregar", "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e40",
    "unit_code": "DISDUKCAPIL", "employment_type": "pns", "month": "2026-03",
    "capaian_to_date": 97.5, "capaian_inputs": 2, "predikat": "baik", "predikat_year": 2025,
    "predikat_period": "q4", "jp": 12.0
}))]
pub struct MonthlyView {
    pub employee_id: Uuid,
    /// NIP (PNS) or NI PPPK.
    pub nip: String,
    pub name: String,
    pub unit_id: Uuid,
    pub unit_code: String,
    pub employment_type: EmploymentTypeName,
    pub month: String,
    /// Mean capped capaian (percent, 2 decimals half up) of the utama indicators of his approved
    /// SKP of the year, over q1 up to the month's quarter; one input per indicator and quarter
    /// that has a capaian (`q4`, the annual figure, joins from October). Null without any.
    pub capaian_to_date: Option<f64>,
    /// How many indicator-quarter capaian the mean took.
    pub capaian_inputs: u64,
    /// The latest predikat finalised before the month ended (WIB), of the month's year or the
    /// year before; null without one.
    pub predikat: Option<PredikatName>,
    pub predikat_year: Option<i32>,
    pub predikat_period: Option<PeriodName>,
    /// Approved JP completed from 1 January up to the month's last day.
    pub jp: f64,
}

fn monthly_view(month: &str) -> impl Fn(MonthlyRow) -> MonthlyView + '_ {
    move |r| MonthlyView {
        employee_id: r.employee.id,
        nip: r.employee.nip,
        name: r.employee.name,
        unit_id: r.employee.unit_id,
        unit_code: r.unit_code,
        employment_type: r.employee.employment_type.into(),
        month: month.to_owned(),
        capaian_to_date: r.capaian_to_date.map(|d| num(d, 2)),
        capaian_inputs: r.capaian_inputs as u64,
        predikat: r.predikat.map(|p| p.0.into()),
        predikat_year: r.predikat.map(|p| p.1),
        predikat_period: r.predikat.map(|p| p.2.into()),
        jp: num(kinerja_domain::training::jp_of(r.jp_minutes), 2),
    }
}

/// CSV columns, in order.
const MONTHLY_COLUMNS: &[&str] = &[
    "nip",
    "name",
    "unit_code",
    "employment_type",
    "month",
    "capaian_to_date",
    "capaian_inputs",
    "predikat",
    "predikat_year",
    "predikat_period",
    "jp",
    "employee_id",
];

fn monthly_csv_row(month: &str, r: &MonthlyRow) -> Vec<String> {
    vec![
        r.employee.nip.clone(),
        r.employee.name.clone(),
        r.unit_code.clone(),
        r.employee.employment_type.as_str().to_owned(),
        month.to_owned(),
        r.capaian_to_date
            .map(|c| c.round_dp(2).to_string())
            .unwrap_or_default(),
        r.capaian_inputs.to_string(),
        r.predikat
            .map(|p| p.0.as_str().to_owned())
            .unwrap_or_default(),
        r.predikat.map(|p| p.1.to_string()).unwrap_or_default(),
        r.predikat
            .map(|p| p.2.as_str().to_owned())
            .unwrap_or_default(),
        kinerja_domain::training::jp_of(r.jp_minutes).to_string(),
        r.employee.id.to_string(),
    ]
}

/// The performance figures of a month per active employee for the payroll system that pays the
/// monthly TPP allowance (DOMAIN §5). It exports figures; it computes no pay.
///
/// Columns (JSON fields and CSV columns alike): `nip`, `name`, `unit_code` (his unit now),
/// `employment_type`, `month`, `capaian_to_date` (the mean capped capaian in percent, 2 decimals
/// half up, of the utama indicators of his approved SKP of the month's year started by the
/// month's end, one input per indicator and quarter from q1 up to the month's quarter that has a
/// capaian, as the suggested work rating takes its mean; empty without any), `capaian_inputs`,
/// `predikat`, `predikat_year` and `predikat_period` (the latest predikat finalised before the
/// month ended, WIB, of that year or the one before), `jp` (approved JP completed from 1 January
/// to the month's end), `employee_id`. Sorted by NIP unless `sort` says otherwise (`nip`,
/// `name`, `unit_code`). `Accept: text/csv` streams every row; `?sep=;` for spreadsheets set to
/// Indonesian; formula-like cells are neutralised with a leading `'`. Scoped like the
/// participation report.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(MonthlyQuery, ListParams, CsvParams),
    responses(
        (status = 200, description = "A page of figures (or CSV).", content(
            (Paged<MonthlyView> = "application/json"),
            (String = "text/csv", example = "nip,name,unit_code,employment_type,month,capaian_to_date,capaian_inputs,predikat,predikat_year,predikat_period,jp,employee_id\n198507122010011003,Budi Santoso Siregar,DISDUKCAPIL,pns,2026-03,97.50,2,baik,2025,q4,12,01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f\n"),
        )),
        (status = 400, description = "A parameter is malformed, e.g. `month` (`invalid_parameter`)."),
        (status = 403, description = "Not a head, unit admin, admin or auditor of the unit, nor a service with `read:reports` (`forbidden`)."),
        (status = 404, description = "No such unit (`not_found`)."),
        (status = 422, description = "`unit_id` is required for this caller (`validation_failed`)."),
    )
)]
#[get("/reports/monthly-performance")]
pub async fn monthly_performance(
    caller: Need<ReportReader>,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<MonthlyQuery>,
    list: Query<ListParams>,
    csv_params: Query<CsvParams>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(progress::MONTHLY_SORTABLE)?;
    refuse_updated_since(&list)?;
    let Some(month) = Month::parse(&query.month) else {
        // Validated with the query.
        return Err(ApiError::new(ErrorCode::InvalidParameter));
    };
    let rows = progress::monthly(
        &state.reads,
        &caller.caller,
        month,
        query.unit_id,
        &list_query.sort,
    )
    .await?;
    let label = query.month.clone();
    if csv::wants_csv(&req) {
        let rows = Arc::new(rows);
        return Ok(csv::stream(
            &format!("monthly-performance-{label}.csv"),
            MONTHLY_COLUMNS,
            csv_params.separator(),
            Box::new(move |offset| {
                let rows = rows.clone();
                let label = label.clone();
                Box::pin(async move {
                    let start = usize::try_from(offset)
                        .unwrap_or(usize::MAX)
                        .min(rows.len());
                    let end = start.saturating_add(1000).min(rows.len());
                    Ok(rows[start..end]
                        .iter()
                        .map(|r| monthly_csv_row(&label, r))
                        .collect())
                })
            }),
        ));
    }
    let total = rows.len() as u64;
    let skip = usize::try_from(list_query.page.saturating_sub(1) * list_query.per_page)
        .unwrap_or(usize::MAX);
    let take = usize::try_from(list_query.per_page).unwrap_or(usize::MAX);
    let page = kinerja_persistence::Page {
        items: rows.into_iter().skip(skip).take(take).collect(),
        total,
    };
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, monthly_view(&query.month))))
}

// ---------------------------------------------------------------------------------------------
// Overview

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    pub cycle_id: Uuid,
}

/// Counts per period.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerPeriod {
    pub q1: u64,
    pub q2: u64,
    pub q3: u64,
    pub q4: u64,
}

/// The OPD's predikat per period, null until set.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpdPredikatPerPeriod {
    pub q1: Option<OrgPredikatName>,
    pub q2: Option<OrgPredikatName>,
    pub q3: Option<OrgPredikatName>,
    pub q4: Option<OrgPredikatName>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalibrationProgress {
    /// The q4 calibration of the OPD's predikat is finalised.
    pub q4_finalized: bool,
    pub opd_predikat: OpdPredikatPerPeriod,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JpProgress {
    pub met: u64,
    pub short: u64,
    pub over_cap: u64,
}

/// The OPD's IKM of the cycle's year so far, as `GET /skm/results?unit_id=<opd>&from=<1 Jan>&to=<31
/// Dec>` gives it (pooled over its service units).
#[derive(Debug, Serialize, ToSchema)]
pub struct IkmProgress {
    /// IKM on the 0..100 scale, 2 decimals.
    pub ikm_unit: f64,
    /// `A`..`D`.
    pub mutu: &'static str,
    pub mutu_label: &'static str,
    pub respondents: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpdOverview {
    pub unit_id: Uuid,
    pub unit_code: String,
    pub unit_name: String,
    /// Active employees in the OPD's units (up to, not into, other OPDs).
    pub employees: u64,
    /// Their approved SKPs of the cycle.
    pub skps_approved: u64,
    /// Their finalised evaluations per period.
    pub evaluations_finalized: PerPeriod,
    pub calibration: CalibrationProgress,
    /// JP compliance of the cycle's year (standings of the compliance report).
    pub jp: JpProgress,
    /// Null without a service unit of its own or without responses in the year.
    pub ikm: Option<IkmProgress>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "cycle_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e30", "year": 2026,
    "opds": [{"unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41", "unit_code": "DISDUKCAPIL",
        "unit_name": "Dinas Kependudukan dan Pencatatan Sipil", "employees": 42,
        "skps_approved": 40, "evaluations_finalized": {"q1": 38, "q2": 0, "q3": 0, "q4": 0},
        "calibration": {"q4_finalized": false,
            "opd_predikat": {"q1": "baik", "q2": null, "q3": null, "q4": null}},
        "jp": {"met": 12, "short": 30, "over_cap": 0},
        "ikm": {"ikm_unit": 84.62, "mutu": "B", "mutu_label": "Baik", "respondents": 412}}]
}))]
pub struct OverviewView {
    pub cycle_id: Uuid,
    pub year: i32,
    /// Every OPD, by code.
    pub opds: Vec<OpdOverview>,
}

fn opd_view(u: kinerja_persistence::repos::units::UnitRecord, p: OpdProgress) -> OpdOverview {
    let pred = |i: usize| p.opd_predikat[i].map(Into::into);
    OpdOverview {
        unit_id: u.id,
        unit_code: u.code,
        unit_name: u.name,
        employees: p.employees,
        skps_approved: p.skps_approved,
        evaluations_finalized: PerPeriod {
            q1: p.finalized[0],
            q2: p.finalized[1],
            q3: p.finalized[2],
            q4: p.finalized[3],
        },
        calibration: CalibrationProgress {
            q4_finalized: p.q4_calibrated,
            opd_predikat: OpdPredikatPerPeriod {
                q1: pred(0),
                q2: pred(1),
                q3: pred(2),
                q4: pred(3),
            },
        },
        jp: JpProgress {
            met: p.jp_met,
            short: p.jp_short,
            over_cap: p.jp_over_cap,
        },
        ikm: p.ikm.map(|(ikm, mutu, respondents)| IkmProgress {
            ikm_unit: num(ikm, 2),
            mutu: mutu.as_str(),
            mutu_label: mutu.label(),
            respondents,
        }),
    }
}

/// The progress of a cycle per OPD: employees, approved SKPs, finalised evaluations per quarter,
/// the calibration (q4 finalised; the OPD predikat per period), JP compliance and the IKM of the
/// year (OPDs with a service unit). City-wide, so
/// for admins, auditors and services with `read:reports` or `read:performance` only; heads and
/// unit admins use the participation report of their units.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(OverviewQuery),
    responses(
        (status = 200, description = "The overview.", body = OverviewView),
        (status = 400, description = "A parameter is malformed (`invalid_parameter`)."),
        (status = 403, description = "Not an admin, auditor or service with `read:reports` (`forbidden`)."),
        (status = 404, description = "No such cycle (`not_found`)."),
    )
)]
#[get("/reports/overview")]
pub async fn overview(
    _caller: Need<PerformanceExporter>,
    state: web::Data<AppState>,
    query: Query<OverviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let o = progress::overview(&state.reads, query.cycle_id).await?;
    Ok(HttpResponse::Ok().json(OverviewView {
        cycle_id: o.cycle.id,
        year: o.cycle.year,
        opds: o.opds.into_iter().map(|(u, p)| opd_view(u, p)).collect(),
    }))
}
