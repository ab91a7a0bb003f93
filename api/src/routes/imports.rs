//! `/imports/*`: bulk uploads as CSV or a JSON array, all rows or none, with a dry run.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, post, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::{EmployeeStatusName, EmploymentTypeName, PositionKindName, UnitKindName};

use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{ImportsEmployees, ImportsUnits};
use crate::error::{ApiError, ErrorCode};
use crate::http::Query;
use crate::http::json::{BodyLimits, read_limited};
use crate::services::Context;
use crate::services::imports::{self, Format, ImportOutcome};

/// One row of a unit import in JSON (the CSV columns, by name).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UnitImportRow {
    #[schema(min_length = 1, max_length = 32, example = "DISDUKCAPIL")]
    code: String,
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    kind: UnitKindName,
    /// The parent's code, in the file or stored.
    parent_code: Option<String>,
    is_opd: Option<bool>,
    is_service_unit: Option<bool>,
}

/// One row of an employee import in JSON (the CSV columns, by name).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct EmployeeImportRow {
    #[schema(min_length = 18, max_length = 18, example = "198507122010011003")]
    nip: String,
    #[schema(min_length = 1, max_length = 200)]
    name: String,
    employment_type: EmploymentTypeName,
    #[schema(example = "III/b")]
    golongan: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    position: String,
    position_kind: PositionKindName,
    unit_code: String,
    /// The supervisor's NIP, in the file or stored.
    supervisor_nip: Option<String>,
    /// Default `active`.
    status: Option<EmployeeStatusName>,
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Validate and count, write nothing.
    pub dry_run: Option<bool>,
}

fn format_of(req: &HttpRequest) -> Result<Format, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<actix_web::mime::Mime>().ok());
    match content_type {
        Some(m) if m.type_() == "text" && m.subtype() == "csv" => Ok(Format::Csv),
        Some(m)
            if m.type_() == "application"
                && (m.subtype() == "json" || m.suffix() == Some(actix_web::mime::JSON)) =>
        {
            Ok(Format::Json)
        }
        _ => Err(ApiError::new(ErrorCode::UnsupportedMediaType).with_detail(
            "Send the file as text/csv or application/json.",
            "Kirim berkas sebagai text/csv atau application/json.",
        )),
    }
}

/// An uploaded import file: its format (from `Content-Type`) and its bytes, read up to the
/// import limit (413 naming the limit beyond it).
pub struct Upload {
    format: Format,
    bytes: web::Bytes,
}

impl FromRequest for Upload {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Upload, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let format = format_of(req);
        let limit = req
            .app_data::<web::Data<BodyLimits>>()
            .map(|l| l.import)
            .unwrap_or(20 * 1024 * 1024);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            let format = format?;
            if declared.is_some_and(|n| n > limit) {
                return Err(crate::http::json::too_large(limit));
            }
            let bytes = read_limited(&mut payload, limit).await?;
            Ok(Upload { format, bytes })
        })
    }
}

impl ImportQuery {
    fn dry_run(&self) -> bool {
        self.dry_run.unwrap_or(false)
    }
}

/// Import units: CSV columns `code,name,kind,parent_code,is_opd,is_service_unit` (or a JSON
/// array of objects with those names). Upsert by code; parents anywhere in the file or stored.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(description = "CSV with a header row (`,` or `;`, UTF-8, BOM allowed), or a JSON array of rows.", content(
        (String = "text/csv", example = "code,name,kind,parent_code,is_opd,is_service_unit\nDISDUKCAPIL,Dinas Kependudukan dan Pencatatan Sipil,dinas,SETDA,true,false\n"),
        (Vec<UnitImportRow> = "application/json"),
    )),
    responses(
        (status = 200, description = "Imported (or, with `dry_run`, checked).", body = ImportOutcome),
        (status = 422, description = "`import_invalid` (every bad row listed; nothing written) or `import_empty`."),
    )
)]
#[post("/imports/units")]
pub async fn import_units(
    caller: Need<ImportsUnits>,
    state: web::Data<AppState>,
    query: Query<ImportQuery>,
    file: Upload,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let outcome =
        imports::units::import(&state.db, &ctx, &file.bytes, file.format, query.dry_run()).await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// Import employees: CSV columns
/// `nip,name,employment_type,golongan,position,position_kind,unit_code,supervisor_nip,status`
/// (or a JSON array). Upsert by NIP; supervisors anywhere in the file or stored.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(description = "CSV with a header row (`,` or `;`, UTF-8, BOM allowed), or a JSON array of rows.", content(
        (String = "text/csv", example = "nip,name,employment_type,golongan,position,position_kind,unit_code,supervisor_nip,status\n198507122010011003,Budi Santoso Siregar,pns,III/b,Pengadministrasi Kependudukan,pelaksana,DISDUKCAPIL,,active\n"),
        (Vec<EmployeeImportRow> = "application/json"),
    )),
    responses(
        (status = 200, description = "Imported (or, with `dry_run`, checked).", body = ImportOutcome),
        (status = 422, description = "`import_invalid` (every bad row listed; nothing written) or `import_empty`."),
    )
)]
#[post("/imports/employees")]
pub async fn import_employees(
    caller: Need<ImportsEmployees>,
    state: web::Data<AppState>,
    query: Query<ImportQuery>,
    file: Upload,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let outcome =
        imports::employees::import(&state.db, &ctx, &file.bytes, file.format, query.dry_run())
            .await?;
    Ok(HttpResponse::Ok().json(outcome))
}
