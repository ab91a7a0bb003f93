//! `/units`: the unit tree. Everyone signed in reads it; admins manage it, unit admins their
//! own subtree.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use kinerja_domain::org::{UnitKind, whole_subtree};
use kinerja_persistence::ListQuery;
use kinerja_persistence::repos::units::{self as repo, UnitFilter, UnitRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::{UnitKindName, not_null, patch_errors, patch_field, respond};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{OrgManager, OrgReader};
use crate::error::ApiError;
use crate::http::csv::{self, CsvParams};
use crate::http::list::{ListParams, Paged};
use crate::http::precondition::IfMatch;
use crate::http::{Json, Query};
use crate::services::units::{self, NewUnit, UnitPatch};
use crate::services::{Context, scope};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f",
    "code": "DISDUKCAPIL",
    "name": "Dinas Kependudukan dan Pencatatan Sipil",
    "kind": "dinas",
    "kind_label": "Dinas",
    "parent_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e40",
    "head_employee_id": null,
    "is_opd": true,
    "is_service_unit": false,
    "active": true,
    "version": 1,
    "created_at": "2026-03-02T02:00:00Z",
    "updated_at": "2026-03-02T02:00:00Z"
}))]
pub struct UnitView {
    pub id: Uuid,
    /// Unique; letters, digits, `.`, `-`, `_`, at most 32 characters.
    pub code: String,
    pub name: String,
    pub kind: UnitKindName,
    pub kind_label: &'static str,
    pub parent_id: Option<Uuid>,
    /// The kepala of the unit.
    pub head_employee_id: Option<Uuid>,
    /// A Perangkat Daerah: a unit of organisational performance and calibration.
    pub is_opd: bool,
    /// Serves citizens directly (surveyed by the SKM).
    pub is_service_unit: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UnitRecord> for UnitView {
    fn from(u: UnitRecord) -> Self {
        UnitView {
            id: u.id,
            code: u.code,
            name: u.name,
            kind_label: u.kind.label(),
            kind: u.kind.into(),
            parent_id: u.parent_id,
            head_employee_id: u.head_employee_id,
            is_opd: u.is_opd,
            is_service_unit: u.is_service_unit,
            active: u.active,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "DISDUKCAPIL.KTP", "name": "Pelayanan KTP-el", "kind": "upt", "parent_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f", "is_service_unit": true}))]
pub struct CreateUnit {
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
    pub kind: UnitKindName,
    pub parent_id: Option<Uuid>,
    pub head_employee_id: Option<Uuid>,
    #[serde(default)]
    pub is_opd: bool,
    #[serde(default)]
    pub is_service_unit: bool,
    /// Default true.
    pub active: Option<bool>,
}

/// A JSON Merge Patch of a unit; `null` clears `parent_id` and `head_employee_id`.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Dinas Kependudukan dan Pencatatan Sipil", "head_employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e4f"}))]
pub struct UpdateUnit {
    #[validate(length(min = 1, max = 32))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    pub code: Option<Option<String>>,
    #[validate(length(min = 1, max = 200))]
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 200)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = UnitKindName, required = false)]
    pub kind: Option<Option<UnitKindName>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = Option<Uuid>)]
    pub head_employee_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = bool, required = false)]
    pub is_opd: Option<Option<bool>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = bool, required = false)]
    pub is_service_unit: Option<Option<bool>>,
    #[serde(default, deserialize_with = "patch_field")]
    #[schema(value_type = bool, required = false)]
    pub active: Option<Option<bool>>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Direct children of this unit.
    pub parent_id: Option<Uuid>,
    /// The unit and all its descendants.
    pub subtree_of: Option<Uuid>,
    /// Only top-level units.
    pub root: Option<bool>,
    pub kind: Option<UnitKindName>,
    pub is_opd: Option<bool>,
    pub is_service_unit: Option<bool>,
    pub active: Option<bool>,
    /// Part of the code or name.
    #[validate(length(max = 100))]
    #[param(max_length = 100)]
    pub q: Option<String>,
}

const CSV_COLUMNS: &[&str] = &[
    "id",
    "code",
    "name",
    "kind",
    "parent_code",
    "is_opd",
    "is_service_unit",
    "active",
    "version",
];

/// Units, filtered and paged; `Accept: text/csv` exports every match. Sortable by `code`,
/// `name`, `kind`, `created_at`, `updated_at`.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(ListParams, UnitQuery, CsvParams),
    responses((status = 200, description = "A page of units (or CSV).", content(
        (Paged<UnitView> = "application/json"),
        (String = "text/csv"),
    )))
)]
#[get("/units")]
pub async fn list_units(
    _caller: Need<OrgReader>,
    req: HttpRequest,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<UnitQuery>,
    csv_params: Query<CsvParams>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(repo::SORTABLE)?;
    let query = query.into_inner();
    // An unknown root is an empty subtree, as an unknown parent_id lists no children.
    let ids = match query.subtree_of {
        Some(root) => {
            let all = repo::all(&state.db).await?;
            let ids = if all.iter().any(|u| u.id == root) {
                whole_subtree(root, &repo::children_map(&all))
                    .into_iter()
                    .collect()
            } else {
                Vec::new()
            };
            Some(ids)
        }
        None => None,
    };
    let filter = UnitFilter {
        parent_id: query.parent_id,
        roots: query.root.unwrap_or(false),
        kind: query.kind.map(UnitKind::from),
        is_opd: query.is_opd,
        is_service_unit: query.is_service_unit,
        active: query.active,
        q: query.q,
        updated_since: list.updated_since,
        ids,
    };
    if csv::wants_csv(&req) {
        let separator = csv_params.separator();
        // The tree is small: one query, with parent codes resolved from it.
        let all = repo::all(&state.db).await?;
        let codes: std::collections::HashMap<Uuid, String> =
            all.iter().map(|u| (u.id, u.code.clone())).collect();
        let everything = ListQuery {
            page: 1,
            per_page: u64::MAX / 2,
            sort: list_query.sort.clone(),
        };
        let page = units::list(&state.db, &filter, &everything).await?;
        let rows: Vec<Vec<String>> = page
            .items
            .into_iter()
            .map(|u| {
                vec![
                    u.id.to_string(),
                    u.code,
                    u.name,
                    u.kind.as_str().to_owned(),
                    u.parent_id
                        .and_then(|p| codes.get(&p).cloned())
                        .unwrap_or_default(),
                    u.is_opd.to_string(),
                    u.is_service_unit.to_string(),
                    u.active.to_string(),
                    u.version.to_string(),
                ]
            })
            .collect();
        return Ok(csv::respond("units.csv", CSV_COLUMNS, rows, separator));
    }
    let page = units::list(&state.db, &filter, &list_query).await?;
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, UnitView::from)))
}

/// Create a unit (admin; a unit admin under the units he manages, never an OPD).
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    request_body = CreateUnit,
    responses(
        (status = 201, description = "Created.", body = UnitView),
        (status = 409, description = "The code is taken (`unit_code_taken`)."),
    )
)]
#[post("/units")]
pub async fn create_unit(
    caller: Need<OrgManager>,
    state: web::Data<AppState>,
    body: Json<CreateUnit>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let unit = units::create(
        &state.db,
        &ctx,
        &caller.caller,
        NewUnit {
            code: body.code,
            name: body.name,
            kind: body.kind.into(),
            parent_id: body.parent_id,
            head_employee_id: body.head_employee_id,
            is_opd: body.is_opd,
            is_service_unit: body.is_service_unit,
            active: body.active.unwrap_or(true),
        },
    )
    .await?;
    Ok(respond::created(
        format!("/api/v1/units/{}", unit.id),
        unit.version,
        &UnitView::from(unit),
    ))
}

/// One unit.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The unit's id")),
    responses((status = 200, description = "The unit.", body = UnitView))
)]
#[get("/units/{id}")]
pub async fn get_unit(
    _caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let unit = scope::visible_unit(&state.db, id.into_inner()).await?;
    Ok(respond::ok(unit.version, &UnitView::from(unit)))
}

/// Change a unit (`If-Match` required). Moving it under itself or a descendant is 409
/// `unit_cycle`. A unit admin changes only units he manages and cannot make or unmake OPDs.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The unit's id"),
        ("If-Match" = String, Header, description = "The unit's current ETag, or `*`."),
    ),
    request_body(content = UpdateUnit, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed unit.", body = UnitView),
        (status = 409, description = "`unit_cycle` or `unit_code_taken`."),
    )
)]
#[patch("/units/{id}")]
pub async fn update_unit(
    caller: Need<OrgManager>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateUnit>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut errors = Vec::new();
    let patch = UnitPatch {
        code: not_null("code", body.code, &mut errors),
        name: not_null("name", body.name, &mut errors),
        kind: not_null("kind", body.kind, &mut errors).map(UnitKind::from),
        parent_id: body.parent_id,
        head_employee_id: body.head_employee_id,
        is_opd: not_null("is_opd", body.is_opd, &mut errors),
        is_service_unit: not_null("is_service_unit", body.is_service_unit, &mut errors),
        active: not_null("active", body.active, &mut errors),
    };
    patch_errors(errors)?;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let unit = units::update(
        &state.db,
        &ctx,
        &caller.caller,
        id.into_inner(),
        &if_match,
        patch,
    )
    .await?;
    Ok(respond::ok(unit.version, &UnitView::from(unit)))
}

/// Delete a unit nothing refers to. A unit with sub-units, staff, accounts or history is 409
/// `unit_in_use`: deactivate it (`PATCH` with `active: false`) instead.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The unit's id")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 409, description = "The unit is in use (`unit_in_use`)."),
    )
)]
#[delete("/units/{id}")]
pub async fn delete_unit(
    caller: Need<OrgManager>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    units::delete(&state.db, &ctx, &caller.caller, id.into_inner(), &if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}
