//! `/imports/*`: bulk uploads as CSV or a JSON array, all rows or none, with a dry run.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, post, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::cycles::PeriodName;
use super::dto::{
    EmployeeStatusName, EmploymentTypeName, MethodName, PositionKindName, RouteName, UnitKindName,
};
use super::indicators::{AggregationName, DirectionName};
use super::skps::{AspectName, RhkKindName};

use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{
    ImportsEmployees, ImportsRealizations, ImportsSkps, ImportsSurveyResponses,
    ImportsTrainingRecords, ImportsUnits,
};
use crate::error::{ApiError, ErrorCode};
use crate::http::Query;
use crate::http::json::{BodyLimits, BodyWait, read_limited};
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

/// One row of an SKP import in JSON (the CSV columns, by name): one indicator of an RHK. Numbers
/// may also be sent as strings.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
#[schema(example = json!({
    "nip": "198507122010011003", "cycle_year": 2026, "rhk_code": "R1", "rhk_kind": "utama",
    "rhk_description": "Terlaksananya perekaman dan verifikasi berkas KTP-el",
    "parent_rhk_code": "R1", "indicator_code": "R1.1",
    "indicator_description": "Jumlah berkas KTP-el terverifikasi", "aspect": "kuantitas",
    "direction": "higher_is_better", "target": 2400, "unit": "berkas", "aggregation": "sum",
    "q1_target": 600, "q2_target": 1200, "q3_target": 1800
}))]
pub struct SkpImportRow {
    #[schema(min_length = 18, max_length = 18, example = "198507122010011003")]
    nip: String,
    #[schema(example = 2026)]
    cycle_year: i32,
    /// The RHK's code, unique in the SKP; rows with the same code describe the same RHK alike.
    #[schema(min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9._-]+$")]
    rhk_code: String,
    rhk_kind: RhkKindName,
    #[schema(min_length = 1, max_length = 2000)]
    rhk_description: String,
    /// The code of the RHK it intervenes in the penilai's SKP of the cycle (stored or in the file).
    parent_rhk_code: Option<String>,
    /// For JPT and unit heads: the code of the Perjanjian Kinerja indicator it intervenes.
    unit_indicator_code: Option<String>,
    /// The indicator's code, unique in the SKP.
    #[schema(min_length = 1, max_length = 32, pattern = r"^[A-Za-z0-9._-]+$")]
    indicator_code: String,
    #[schema(min_length = 1, max_length = 2000)]
    indicator_description: String,
    aspect: AspectName,
    direction: DirectionName,
    /// At most 4 decimals; none for a qualitative indicator.
    #[schema(minimum = 0)]
    target: Option<f64>,
    /// Range indicators only: the upper end.
    #[schema(minimum = 0)]
    target_max: Option<f64>,
    #[schema(min_length = 1, max_length = 50, example = "berkas")]
    unit: String,
    /// Default `sum`.
    aggregation: Option<AggregationName>,
    #[schema(minimum = 0)]
    q1_target: Option<f64>,
    #[schema(minimum = 0)]
    q2_target: Option<f64>,
    #[schema(minimum = 0)]
    q3_target: Option<f64>,
}

/// One row of a realisasi import in JSON (the CSV columns, by name). Numbers may also be sent
/// as strings.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
#[schema(example = json!({
    "nip": "198507122010011003", "cycle_year": 2026, "indicator_code": "R1.1", "period": "q1",
    "value": 640, "evidence": "https://arsip.siantar.example/bukti/ktp-q1.pdf|https://arsip.siantar.example/bukti/ktp-q1-rekap.xlsx",
    "note": "Perekaman di 8 kecamatan"
}))]
pub struct RealizationImportRow {
    #[schema(min_length = 18, max_length = 18, example = "198507122010011003")]
    nip: String,
    #[schema(example = 2026)]
    cycle_year: i32,
    /// The indicator's code in the SKP in force at the end of the period.
    #[schema(min_length = 1, max_length = 32)]
    indicator_code: String,
    period: PeriodName,
    /// At most 4 decimals, 0 or more. Not for qualitative indicators.
    #[schema(minimum = 0)]
    value: Option<f64>,
    /// Qualitative indicators only.
    achieved: Option<bool>,
    /// http(s) links to the bukti dukung separated by `|`, at most 10.
    evidence: Option<String>,
    /// At most 2000 characters.
    #[schema(max_length = 2000)]
    note: Option<String>,
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
        let wait = BodyWait::of(req);
        Box::pin(async move {
            let format = format?;
            if declared.is_some_and(|n| n > limit) {
                return Err(crate::http::json::too_large(limit));
            }
            let bytes = read_limited(&mut payload, limit, wait).await?;
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

/// Import draft SKPs: one row per indicator, CSV columns
/// `nip,cycle_year,rhk_code,rhk_kind,rhk_description,parent_rhk_code,unit_indicator_code,indicator_code,indicator_description,aspect,direction,target,target_max,unit,aggregation,q1_target,q2_target,q3_target`
/// (or a JSON array). Rows of one NIP and cycle year go to the employee's current SKP of the cycle
/// (a new draft with `proposed_by: import` when he has none; draft or returned ones are updated;
/// a submitted or approved one is a row error `skp_not_editable`). RHK and indicators are matched
/// by code; those the file does not name are kept. Every rule of writing an RHK applies. Counts
/// are per indicator row. Admins, unit admins for the staff of their units, and integrations
/// with `import:skps`.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(description = "CSV with a header row (`,` or `;`, UTF-8, BOM allowed), or a JSON array of rows.", content(
        (String = "text/csv", example = "nip,cycle_year,rhk_code,rhk_kind,rhk_description,parent_rhk_code,unit_indicator_code,indicator_code,indicator_description,aspect,direction,target,target_max,unit,aggregation,q1_target,q2_target,q3_target\n198507122010011003,2026,R1,utama,Terlaksananya perekaman dan verifikasi berkas KTP-el,R1,,R1.1,Jumlah berkas KTP-el terverifikasi,kuantitas,higher_is_better,2400,,berkas,sum,600,1200,1800\n198507122010011003,2026,R1,utama,Terlaksananya perekaman dan verifikasi berkas KTP-el,R1,,R1.2,Persentase berkas KTP-el tanpa kesalahan data,kualitas,higher_is_better,99,,persen,average,,,\n"),
        (Vec<SkpImportRow> = "application/json"),
    )),
    responses(
        (status = 200, description = "Imported (or, with `dry_run`, checked).", body = ImportOutcome),
        (status = 422, description = "`import_invalid` (every bad row listed; nothing written) or `import_empty`."),
    )
)]
#[post("/imports/skps")]
pub async fn import_skps(
    caller: Need<ImportsSkps>,
    state: web::Data<AppState>,
    query: Query<ImportQuery>,
    file: Upload,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let outcome = imports::skps::import(
        &state.db,
        &ctx,
        &caller.caller,
        &file.bytes,
        file.format,
        query.dry_run(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// Import realisasi: CSV columns `nip,cycle_year,indicator_code,period,value,achieved,evidence,note`
/// (evidence links separated by `|`; or a JSON array). A row addresses the SKP in force for the
/// NIP in that cycle on the period's last day (31 March, 30 June, 30 September, 31 December),
/// which must be approved in a running cycle; upsert by NIP + cycle year + indicator code +
/// period, replacing what stood. The rules of `POST /skps/{id}/realizations` apply. Admins, unit
/// admins for the staff of their units, and integrations with `import:realizations`.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(description = "CSV with a header row (`,` or `;`, UTF-8, BOM allowed), or a JSON array of rows.", content(
        (String = "text/csv", example = "nip,cycle_year,indicator_code,period,value,achieved,evidence,note\n198507122010011003,2026,R1.1,q1,640,,https://arsip.siantar.example/bukti/ktp-q1.pdf,Perekaman di 8 kecamatan\n198507122010011003,2026,R1.2,q1,99.2,,https://arsip.siantar.example/bukti/ktp-mutu-q1.pdf|https://arsip.siantar.example/bukti/ktp-mutu-q1.xlsx,\n"),
        (Vec<RealizationImportRow> = "application/json"),
    )),
    responses(
        (status = 200, description = "Imported (or, with `dry_run`, checked).", body = ImportOutcome),
        (status = 422, description = "`import_invalid` (every bad row listed; nothing written) or `import_empty`."),
    )
)]
#[post("/imports/realizations")]
pub async fn import_realizations(
    caller: Need<ImportsRealizations>,
    state: web::Data<AppState>,
    query: Query<ImportQuery>,
    file: Upload,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let outcome = imports::realizations::import(
        &state.db,
        &ctx,
        &caller.caller,
        &file.bytes,
        file.format,
        query.dry_run(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// One row of a survey-response import in JSON (the CSV columns, by name): one paper
/// questionnaire. Answers may also be sent as strings.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
#[schema(example = json!({
    "unit_code": "DISDUKCAPIL.KTP", "service": "KTP-BARU", "date": "2026-02-27",
    "u1": 4, "u2": 3, "u3": 3, "u4": 4, "u5": 3, "u6": 4, "u7": 4, "u8": 2, "u9": 3,
    "gender": "l", "age": "u46_55", "education": "sma", "occupation": "wirausaha",
    "comment": "Petugas ramah."
}))]
pub struct SurveyResponseImportRow {
    /// A service unit (in the caller's units, for a unit admin).
    #[schema(min_length = 1, max_length = 32, example = "DISDUKCAPIL.KTP")]
    unit_code: String,
    /// The code of one of the unit's services.
    #[schema(min_length = 1, max_length = 32, example = "KTP-BARU")]
    service: String,
    /// The day the questionnaire was filled in: not after today (WIB), not in a closed period.
    date: chrono::NaiveDate,
    #[schema(minimum = 1, maximum = 4)]
    u1: u8,
    #[schema(minimum = 1, maximum = 4)]
    u2: u8,
    #[schema(minimum = 1, maximum = 4)]
    u3: u8,
    #[schema(minimum = 1, maximum = 4)]
    u4: u8,
    #[schema(minimum = 1, maximum = 4)]
    u5: u8,
    #[schema(minimum = 1, maximum = 4)]
    u6: u8,
    #[schema(minimum = 1, maximum = 4)]
    u7: u8,
    #[schema(minimum = 1, maximum = 4)]
    u8: u8,
    #[schema(minimum = 1, maximum = 4)]
    u9: u8,
    /// `l` or `p`.
    gender: Option<String>,
    /// `u17_25`, `u26_35`, `u36_45`, `u46_55` or `u56_plus`.
    age: Option<String>,
    /// `sd`, `smp`, `sma`, `d1_d3`, `d4_s1`, `s2` or `s3`.
    education: Option<String>,
    /// `pns`, `tni_polri`, `swasta`, `wirausaha`, `pelajar_mahasiswa` or `lainnya`.
    occupation: Option<String>,
    /// At most 1,000 characters.
    #[schema(max_length = 1000)]
    comment: Option<String>,
}

/// Import paper survey questionnaires: CSV columns
/// `unit_code,service,date,u1,u2,u3,u4,u5,u6,u7,u8,u9,gender,age,education,occupation,comment`
/// (profile and comment may be empty; or a JSON array). Every row is a new response with
/// channel `paper`, dated by its `date`. Responses have no natural key, so a file is applied
/// once: the same file again is 409 `import_already_applied` (counts: `created` only). Admins,
/// unit admins for the service units they manage, and integrations with
/// `import:survey-responses`.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(description = "CSV with a header row (`,` or `;`, UTF-8, BOM allowed), or a JSON array of rows.", content(
        (String = "text/csv", example = "unit_code,service,date,u1,u2,u3,u4,u5,u6,u7,u8,u9,gender,age,education,occupation,comment\nDISDUKCAPIL.KTP,KTP-BARU,2026-02-27,4,3,3,4,3,4,4,2,3,l,u46_55,sma,wirausaha,Petugas ramah.\nDISDUKCAPIL.KTP,KTP-BARU,2026-02-27,3,3,2,4,3,3,4,3,3,,,,,\n"),
        (Vec<SurveyResponseImportRow> = "application/json"),
    )),
    responses(
        (status = 200, description = "Imported (or, with `dry_run`, checked).", body = ImportOutcome),
        (status = 409, description = "This file was imported before (`import_already_applied`)."),
        (status = 422, description = "`import_invalid` (every bad row listed; nothing written) or `import_empty`."),
    )
)]
#[post("/imports/survey-responses")]
pub async fn import_survey_responses(
    caller: Need<ImportsSurveyResponses>,
    state: web::Data<AppState>,
    query: Query<ImportQuery>,
    file: Upload,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let outcome = imports::survey_responses::import(
        &state.db,
        &ctx,
        &caller.caller,
        &file.bytes,
        file.format,
        query.dry_run(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// One row of a training-record import in JSON (the CSV columns, by name).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
#[schema(example = json!({
    "nip": "198507122010011003", "title": "Pelatihan Dasar Analisis Data", "route": "nonklasikal",
    "method": "e_learning", "jp": 12, "completed_on": "2026-02-14", "certificate_no": "LAN-ELN-2026-00871"
}))]
pub struct TrainingRecordImportRow {
    #[schema(min_length = 18, max_length = 18, example = "198507122010011003")]
    nip: String,
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    route: RouteName,
    /// Must belong to `route`.
    method: MethodName,
    /// More than 0, at most 2 decimals (kept as whole minutes; 1 JP = 45 minutes).
    #[schema(exclusive_minimum = 0, maximum = 2000)]
    jp: f64,
    /// `YYYY-MM-DD`, not after today (WIB): the year it counts for.
    completed_on: chrono::NaiveDate,
    /// The key of the record with the NIP; without one, the title and date are.
    #[schema(max_length = 100)]
    certificate_no: Option<String>,
}

/// Import training records done elsewhere: CSV columns
/// `nip,title,route,method,jp,completed_on,certificate_no` (or a JSON array). Upsert by NIP +
/// certificate number (or NIP + title + completion date without one); imported records count
/// at once (a pending record with the same key is approved by the import). Admins, unit admins
/// for the staff of their units, and integrations with `import:training-records`.
#[utoipa::path(
    tag = "imports",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(description = "CSV with a header row (`,` or `;`, UTF-8, BOM allowed), or a JSON array of rows.", content(
        (String = "text/csv", example = "nip,title,route,method,jp,completed_on,certificate_no\n198507122010011003,Pelatihan Dasar Analisis Data,nonklasikal,e_learning,12,2026-02-14,LAN-ELN-2026-00871\n198507122010011003,Bimtek Arsip Elektronik,klasikal,bimbingan_teknis,8,2026-02-20,\n"),
        (Vec<TrainingRecordImportRow> = "application/json"),
    )),
    responses(
        (status = 200, description = "Imported (or, with `dry_run`, checked).", body = ImportOutcome),
        (status = 422, description = "`import_invalid` (every bad row listed; nothing written) or `import_empty`."),
    )
)]
#[post("/imports/training-records")]
pub async fn import_training_records(
    caller: Need<ImportsTrainingRecords>,
    state: web::Data<AppState>,
    query: Query<ImportQuery>,
    file: Upload,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let outcome = imports::training_records::import(
        &state.db,
        &ctx,
        &caller.caller,
        &file.bytes,
        file.format,
        query.dry_run(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(outcome))
}
