//! `/employees`: the ASN of the city. Admins and auditors see everyone, unit admins their
//! units' staff, employees themselves and their subordinates; others get 404.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use kinerja_domain::org::{EmployeeStatus, EmploymentType, Golongan, PositionKind};
use kinerja_persistence::Db;
use kinerja_persistence::repos::employees::{self as repo, EmployeeFilter, EmployeeRecord};
use kinerja_persistence::repos::units as units_repo;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::{
    EmployeeStatusName, EmploymentTypeName, PositionKindName, not_null, patch_errors, patch_field,
    respond,
};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{OrgManager, OrgReader};
use crate::error::ApiError;
use crate::http::csv::{self, CsvParams};
use crate::http::list::{ListParams, Paged};
use crate::http::precondition::IfMatch;
use crate::http::{Json, Query};
use crate::services::Context;
use crate::services::employees::{self, EmployeeInput, EmployeePatch};

/// Someone named beside a record (a supervisor): enough to show who it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: Uuid,
    pub nip: String,
    pub name: String,
    pub position: String,
}

impl From<&EmployeeRecord> for PersonRef {
    fn from(e: &EmployeeRecord) -> Self {
        PersonRef {
            id: e.id,
            nip: e.nip.clone(),
            name: e.name.clone(),
            position: e.position.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f",
    "nip": "198507122010011003",
    "name": "Budi Santoso Siregar",
    "employment_type": "pns",
    "employment_type_label": "PNS",
    "golongan": "III/b",
    "pangkat": "Penata Muda Tingkat I",
    "position": "Pengadministrasi Kependudukan",
    "position_kind": "pelaksana",
    "position_kind_label": "Jabatan Pelaksana",
    "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e40",
    "supervisor_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41",
    "supervisor": {"id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41", "nip": "197803152005012002", "name": "Sri Rahayu Damanik", "position": "Kepala Seksi Identitas Penduduk"},
    "status": "active",
    "status_label": "Aktif",
    "version": 1,
    "created_at": "2026-03-02T02:00:00Z",
    "updated_at": "2026-03-02T02:00:00Z"
}))]
pub struct EmployeeView {
    pub id: Uuid,
    /// NIP (PNS) or NI PPPK, 18 digits.
    pub nip: String,
    pub name: String,
    pub employment_type: EmploymentTypeName,
    pub employment_type_label: &'static str,
    /// `I/a`..`IV/e` for PNS, `I`..`XVII` for PPPK; may be null for part-time PPPK.
    pub golongan: Option<String>,
    /// The pangkat of a PNS golongan.
    pub pangkat: Option<&'static str>,
    /// The jabatan.
    pub position: String,
    pub position_kind: PositionKindName,
    pub position_kind_label: &'static str,
    pub unit_id: Uuid,
    /// The atasan langsung: the default penilai of the SKP.
    pub supervisor_id: Option<Uuid>,
    pub supervisor: Option<PersonRef>,
    pub status: EmployeeStatusName,
    pub status_label: &'static str,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl EmployeeView {
    pub fn new(e: EmployeeRecord, supervisor: Option<&EmployeeRecord>) -> EmployeeView {
        let pangkat = e
            .golongan
            .as_deref()
            .and_then(|g| Golongan::parse(g, e.employment_type).ok())
            .and_then(|g| g.pangkat());
        EmployeeView {
            id: e.id,
            nip: e.nip,
            name: e.name,
            employment_type_label: e.employment_type.label(),
            employment_type: e.employment_type.into(),
            golongan: e.golongan,
            pangkat,
            position: e.position,
            position_kind_label: e.position_kind.label(),
            position_kind: e.position_kind.into(),
            unit_id: e.unit_id,
            supervisor_id: e.supervisor_id,
            supervisor: supervisor.map(PersonRef::from),
            status_label: e.status.label(),
            status: e.status.into(),
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// Views of a page of employees, their supervisors loaded in one query.
async fn views(db: &Db, items: Vec<EmployeeRecord>) -> Result<Vec<EmployeeView>, ApiError> {
    let mut ids: Vec<Uuid> = items.iter().filter_map(|e| e.supervisor_id).collect();
    ids.sort();
    ids.dedup();
    let supervisors: HashMap<Uuid, EmployeeRecord> = repo::get_many(db, &ids)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    Ok(items
        .into_iter()
        .map(|e| {
            let sup = e.supervisor_id.and_then(|s| supervisors.get(&s));
            EmployeeView::new(e.clone(), sup)
        })
        .collect())
}

async fn view(db: &Db, e: EmployeeRecord) -> Result<EmployeeView, ApiError> {
    Ok(views(db, vec![e]).await?.remove(0))
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "nip": "198507122010011003", "name": "Budi Santoso Siregar", "employment_type": "pns", "golongan": "III/b",
    "position": "Pengadministrasi Kependudukan", "position_kind": "pelaksana",
    "unit_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e40", "supervisor_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e41"
}))]
pub struct CreateEmployee {
    /// NIP (PNS) or NI PPPK, 18 digits, checked against the employment type.
    #[validate(length(equal = 18))]
    #[schema(min_length = 18, max_length = 18, pattern = "^[0-9]{18}$")]
    pub nip: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub employment_type: EmploymentTypeName,
    #[validate(length(min = 1, max = 8))]
    #[schema(min_length = 1, max_length = 8, example = "III/b")]
    pub golongan: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub position: String,
    pub position_kind: PositionKindName,
    pub unit_id: Uuid,
    pub supervisor_id: Option<Uuid>,
    /// Default `active`.
    pub status: Option<EmployeeStatusName>,
}

/// A JSON Merge Patch of an employee; `null` clears `golongan` (part-time PPPK) and `supervisor_id`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"golongan": "III/c", "position": "Analis Kependudukan", "position_kind": "fungsional"}))]
pub struct UpdateEmployee {
    #[validate(length(equal = 18))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 18, max_length = 18, pattern = "^[0-9]{18}$")]
    pub nip: Option<Option<String>>,
    #[validate(length(min = 1, max = 200))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = EmploymentTypeName, required = false)]
    pub employment_type: Option<Option<EmploymentTypeName>>,
    #[validate(length(min = 1, max = 8))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 8)]
    pub golongan: Option<Option<String>>,
    #[validate(length(min = 1, max = 200))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200)]
    pub position: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = PositionKindName, required = false)]
    pub position_kind: Option<Option<PositionKindName>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Uuid, required = false)]
    pub unit_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<Uuid>)]
    pub supervisor_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = EmployeeStatusName, required = false)]
    pub status: Option<Option<EmployeeStatusName>>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct EmployeeQuery {
    /// Staff of this unit.
    pub unit_id: Option<Uuid>,
    /// With `unit_id`: also the staff of its descendant units.
    pub include_subunits: Option<bool>,
    #[validate(length(max = 18))]
    #[param(max_length = 18)]
    pub nip: Option<String>,
    /// Part of the name or NIP.
    #[validate(length(max = 100))]
    #[param(max_length = 100)]
    pub q: Option<String>,
    pub status: Option<EmployeeStatusName>,
    pub employment_type: Option<EmploymentTypeName>,
    pub position_kind: Option<PositionKindName>,
    pub supervisor_id: Option<Uuid>,
}

const CSV_COLUMNS: &[&str] = &[
    "id",
    "nip",
    "name",
    "employment_type",
    "golongan",
    "position",
    "position_kind",
    "unit_id",
    "supervisor_id",
    "status",
    "version",
    "updated_at",
];

fn csv_row(e: &EmployeeRecord) -> Vec<String> {
    vec![
        e.id.to_string(),
        e.nip.clone(),
        e.name.clone(),
        e.employment_type.as_str().to_owned(),
        e.golongan.clone().unwrap_or_default(),
        e.position.clone(),
        e.position_kind.as_str().to_owned(),
        e.unit_id.to_string(),
        e.supervisor_id.map(|s| s.to_string()).unwrap_or_default(),
        e.status.as_str().to_owned(),
        e.version.to_string(),
        e.updated_at.to_rfc3339(),
    ]
}

/// Employees the caller may see, filtered and paged; `Accept: text/csv` exports every match.
/// Sortable by `name`, `nip`, `golongan`, `status`, `created_at`, `updated_at`.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(ListParams, EmployeeQuery, CsvParams),
    responses((status = 200, description = "A page of employees (or CSV).", content(
        (Paged<EmployeeView> = "application/json"),
        (String = "text/csv"),
    )))
)]
#[get("/employees")]
pub async fn list_employees(
    caller: Need<OrgReader>,
    req: HttpRequest,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<EmployeeQuery>,
    csv_params: Query<CsvParams>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(repo::SORTABLE)?;
    let query = query.into_inner();
    let unit_ids = match (query.unit_id, query.include_subunits.unwrap_or(false)) {
        (None, _) => None,
        (Some(unit), false) => Some(vec![unit]),
        (Some(unit), true) => {
            let all = units_repo::all(&state.db).await?;
            Some(
                kinerja_domain::org::whole_subtree(unit, &units_repo::children_map(&all))
                    .into_iter()
                    .collect(),
            )
        }
    };
    let filter = EmployeeFilter {
        unit_ids,
        ids: None,
        nip: query.nip,
        q: query.q,
        status: query.status.map(EmployeeStatus::from),
        employment_type: query.employment_type.map(EmploymentType::from),
        position_kind: query.position_kind.map(PositionKind::from),
        supervisor_id: query.supervisor_id,
        updated_since: list.updated_since,
    };
    if csv::wants_csv(&req) {
        let separator = csv_params.separator();
        let filter = employees::scoped_filter(&state.db, &caller.caller, filter).await?;
        let db = state.db.clone();
        let sort = list_query.sort.clone();
        return Ok(csv::stream(
            "employees.csv",
            CSV_COLUMNS,
            separator,
            Box::new(move |offset| {
                let db = db.clone();
                let filter = filter.clone();
                let sort = sort.clone();
                Box::pin(async move {
                    let Some(filter) = filter else {
                        return Ok(Vec::new());
                    };
                    let batch = repo::list_all(&db, &filter, &sort, offset, 1000).await?;
                    Ok(batch.iter().map(csv_row).collect())
                })
            }),
        ));
    }
    let page = employees::list(&state.db, &caller.caller, filter, &list_query).await?;
    let items = views(&state.db, page.items).await?;
    Ok(HttpResponse::Ok().json(Paged {
        items,
        page: list_query.page,
        per_page: list_query.per_page,
        total: page.total,
    }))
}

/// Add an employee (admin; a unit admin in the units he manages). NIP and golongan are checked
/// against the employment type; the supervisor must exist and be active.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    request_body = CreateEmployee,
    responses(
        (status = 201, description = "Created.", body = EmployeeView),
        (status = 409, description = "The NIP is taken (`nip_taken`)."),
    )
)]
#[post("/employees")]
pub async fn create_employee(
    caller: Need<OrgManager>,
    state: web::Data<AppState>,
    body: Json<CreateEmployee>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let input = EmployeeInput {
        nip: body.nip,
        name: body.name,
        employment_type: body.employment_type.into(),
        golongan: body.golongan,
        position: body.position,
        position_kind: body.position_kind.into(),
        unit_id: body.unit_id,
        supervisor_id: body.supervisor_id,
        status: body
            .status
            .map(EmployeeStatus::from)
            .unwrap_or(EmployeeStatus::Active),
    };
    let employee = employees::create(&state.db, &ctx, &caller.caller, input).await?;
    let location = format!("/api/v1/employees/{}", employee.id);
    let version = employee.version;
    Ok(respond::created(
        location,
        version,
        &view(&state.db, employee).await?,
    ))
}

/// One employee (404 when outside the caller's scope).
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The employee's id")),
    responses((status = 200, description = "The employee.", body = EmployeeView))
)]
#[get("/employees/{id}")]
pub async fn get_employee(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let employee = employees::get(&state.db, &caller.caller, id.into_inner()).await?;
    let version = employee.version;
    Ok(respond::ok(version, &view(&state.db, employee).await?))
}

/// Change an employee (`If-Match` required): transfers, promotions, a new supervisor. A reporting
/// line that would loop is 409 `reporting_cycle`.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The employee's id"),
        ("If-Match" = String, Header, description = "The employee's current ETag, or `*`."),
    ),
    request_body(content = UpdateEmployee, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed employee.", body = EmployeeView),
        (status = 409, description = "`reporting_cycle` or `nip_taken`."),
    )
)]
#[patch("/employees/{id}")]
pub async fn update_employee(
    caller: Need<OrgManager>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateEmployee>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut errors = Vec::new();
    let patch = EmployeePatch {
        nip: not_null("nip", body.nip, &mut errors),
        name: not_null("name", body.name, &mut errors),
        employment_type: not_null("employment_type", body.employment_type, &mut errors)
            .map(EmploymentType::from),
        golongan: body.golongan,
        position: not_null("position", body.position, &mut errors),
        position_kind: not_null("position_kind", body.position_kind, &mut errors)
            .map(PositionKind::from),
        unit_id: not_null("unit_id", body.unit_id, &mut errors),
        supervisor_id: body.supervisor_id,
        status: not_null("status", body.status, &mut errors).map(EmployeeStatus::from),
    };
    patch_errors(errors)?;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let employee = employees::update(
        &state.db,
        &ctx,
        &caller.caller,
        id.into_inner(),
        &if_match,
        patch,
    )
    .await?;
    let version = employee.version;
    Ok(respond::ok(version, &view(&state.db, employee).await?))
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct SubordinateQuery {
    /// `all` for every depth; direct subordinates otherwise.
    #[validate(custom(function = "depth_ok"))]
    #[param(pattern = "^(1|all)$", example = "all")]
    pub depth: Option<String>,
}

fn depth_ok(depth: &str) -> Result<(), validator::ValidationError> {
    if depth == "1" || depth == "all" {
        return Ok(());
    }
    let mut error = validator::ValidationError::new("invalid");
    error.message = Some("must be 1 or all|harus 1 atau all".into());
    Err(error)
}

/// The employee's subordinates: direct ones, or every depth with `?depth=all`.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The employee's id"), ListParams, SubordinateQuery),
    responses((status = 200, description = "A page of subordinates.", body = Paged<EmployeeView>))
)]
#[get("/employees/{id}/subordinates")]
pub async fn list_subordinates(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    list: Query<ListParams>,
    query: Query<SubordinateQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(repo::SORTABLE)?;
    // Validated by `depth_ok`: "1", "all" or absent.
    let all_depths = query.depth.as_deref() == Some("all");
    let page = employees::subordinates(
        &state.db,
        &caller.caller,
        id.into_inner(),
        all_depths,
        &list_query,
    )
    .await?;
    let items = views(&state.db, page.items).await?;
    Ok(HttpResponse::Ok().json(Paged {
        items,
        page: list_query.page,
        per_page: list_query.per_page,
        total: page.total,
    }))
}
