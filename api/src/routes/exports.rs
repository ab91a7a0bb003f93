//! `/exports/*`: city-wide exports shaped for the national systems (admin, auditor, services
//! with `read:performance` or `read:reports`). See [`crate::services::exports`].

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::{EvaluationStatusName, PredikatName, RatingName};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::PerformanceExporter;
use crate::error::ApiError;
use crate::http::Query;
use crate::http::csv::{self, CsvParams};
use crate::http::list::{ListParams, Paged};
use crate::services::exports::{self, AnnualRow};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f",
    "nip": "198507122010011003",
    "name": "Budi Santoso Siregar",
    "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e40",
    "unit_code": "DISDUKCAPIL",
    "unit_name": "Dinas Kependudukan dan Pencatatan Sipil",
    "position": "Pengadministrasi Kependudukan",
    "golongan": "III/b",
    "year": 2026,
    "skp_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41",
    "evaluation_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e42",
    "status": "finalized",
    "status_label": "Final",
    "work_rating": "sesuai_ekspektasi",
    "work_rating_label": "Sesuai Ekspektasi",
    "behavior_rating": "di_atas_ekspektasi",
    "behavior_rating_label": "Di Atas Ekspektasi",
    "predikat": "baik",
    "predikat_label": "Baik",
    "finalized_at": "2027-01-20T03:00:00Z"
}))]
pub struct AnnualPredikatView {
    pub employee_id: Uuid,
    /// NIP (PNS) or NI PPPK.
    pub nip: String,
    pub name: String,
    /// The unit of the evaluation's snapshot (frozen at finalisation).
    pub unit_id: Option<Uuid>,
    pub unit_code: String,
    pub unit_name: String,
    pub position: String,
    pub golongan: Option<String>,
    pub year: i32,
    pub skp_id: Uuid,
    /// The annual (q4) evaluation.
    pub evaluation_id: Uuid,
    pub status: EvaluationStatusName,
    pub status_label: &'static str,
    /// Rating of hasil kerja; null until finalised.
    pub work_rating: Option<RatingName>,
    pub work_rating_label: Option<&'static str>,
    /// Rating of perilaku kerja; null until finalised.
    pub behavior_rating: Option<RatingName>,
    pub behavior_rating_label: Option<&'static str>,
    /// Null until finalised.
    pub predikat: Option<PredikatName>,
    pub predikat_label: Option<&'static str>,
    pub finalized_at: Option<DateTime<Utc>>,
}

fn view(year: i32) -> impl Fn(AnnualRow) -> AnnualPredikatView {
    move |r| AnnualPredikatView {
        employee_id: r.employee_id,
        nip: r.nip,
        name: r.name,
        unit_id: r.unit_id,
        unit_code: r.unit_code,
        unit_name: r.unit_name,
        position: r.position,
        golongan: r.golongan,
        year,
        skp_id: r.skp_id,
        evaluation_id: r.evaluation_id,
        status: r.status.into(),
        status_label: r.status.label(),
        work_rating: r.work_rating.map(Into::into),
        work_rating_label: r.work_rating.map(|x| x.label()),
        behavior_rating: r.behavior_rating.map(Into::into),
        behavior_rating_label: r.behavior_rating.map(|x| x.label()),
        predikat: r.predikat.map(Into::into),
        predikat_label: r.predikat.map(|p| p.label()),
        finalized_at: r.finalized_at,
    }
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AnnualQuery {
    /// The cycle's year.
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100, example = 2026)]
    pub year: i32,
}

/// CSV columns, in order: what the national upload needs first.
const CSV_COLUMNS: &[&str] = &[
    "nip",
    "name",
    "year",
    "unit_code",
    "unit_name",
    "position",
    "golongan",
    "work_rating",
    "behavior_rating",
    "predikat",
    "predikat_label",
    "status",
    "finalized_at",
    "employee_id",
    "evaluation_id",
];

fn csv_row(year: i32, r: &AnnualRow) -> Vec<String> {
    vec![
        r.nip.clone(),
        r.name.clone(),
        year.to_string(),
        r.unit_code.clone(),
        r.unit_name.clone(),
        r.position.clone(),
        r.golongan.clone().unwrap_or_default(),
        r.work_rating
            .map(|x| x.as_str())
            .unwrap_or_default()
            .to_owned(),
        r.behavior_rating
            .map(|x| x.as_str())
            .unwrap_or_default()
            .to_owned(),
        r.predikat
            .map(|x| x.as_str())
            .unwrap_or_default()
            .to_owned(),
        r.predikat.map(|x| x.label()).unwrap_or_default().to_owned(),
        r.status.as_str().to_owned(),
        r.finalized_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        r.employee_id.to_string(),
        r.evaluation_id.to_string(),
    ]
}

/// The annual predikat of every employee for a year, for upload to the national systems (admin,
/// auditor, services with `read:performance` or `read:reports`); `Accept: text/csv` exports
/// every row.
///
/// One row per employee with a non-void annual (q4) evaluation in the year's cycle (the SKP
/// active at year end for one who moved); employees without an approved SKP reaching q4 are
/// not listed. Ratings and predikat are given only once the evaluation is finalised: the other
/// rows show their `status` with empty ratings. A year without a cycle gives no rows. Sorted by
/// NIP unless `sort` says otherwise (`nip`, `name`, `unit_code`, `updated_at`);
/// `updated_since` keeps the rows whose evaluation changed since then.
#[utoipa::path(
    tag = "integration",
    security(("bearer" = [])),
    params(AnnualQuery, ListParams, CsvParams),
    responses((status = 200, description = "A page of annual predikat (or CSV).", content(
        (Paged<AnnualPredikatView> = "application/json"),
        (String = "text/csv", example = "nip,name,year,unit_code,unit_name,position,golongan,work_rating,behavior_rating,predikat,predikat_label,status,finalized_at,employee_id,evaluation_id\n198507122010011003,Budi Santoso Siregar,2026,DISDUKCAPIL,Dinas Kependudukan dan Pencatatan Sipil,Pengadministrasi Kependudukan,III/b,sesuai_ekspektasi,di_atas_ekspektasi,baik,Baik,finalized,2027-01-20T03:00:00+00:00,01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f,01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e42\n"),
    )))
)]
#[get("/exports/annual-predikat")]
pub async fn annual_predikat(
    _caller: Need<PerformanceExporter>,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<AnnualQuery>,
    list: Query<ListParams>,
    csv_params: Query<CsvParams>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(exports::SORTABLE)?;
    let year = query.year;
    let rows =
        exports::annual_predikat(&state.reads, year, list.updated_since, &list_query.sort).await?;
    if csv::wants_csv(&req) {
        let rows = Arc::new(rows);
        return Ok(csv::stream(
            &format!("annual-predikat-{year}.csv"),
            CSV_COLUMNS,
            csv_params.separator(),
            Box::new(move |offset| {
                let rows = rows.clone();
                Box::pin(async move {
                    let start = usize::try_from(offset)
                        .unwrap_or(usize::MAX)
                        .min(rows.len());
                    let end = start.saturating_add(1000).min(rows.len());
                    Ok(rows[start..end].iter().map(|r| csv_row(year, r)).collect())
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
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, view(year))))
}
