//! `GET|POST /skps/{id}/realizations`, `POST .../indicators/{indicator_id}/realizations` of a
//! Perjanjian Kinerja, and the realisasi and capaian shown with each indicator.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use kinerja_domain::capaian::{Capaian, Period, PeriodCapaian, round_half_up};
use kinerja_persistence::repos::realizations::RealizationRecord;
use kinerja_persistence::repos::skps::SkpIndicatorRecord;
use kinerja_persistence::repos::unit_realizations::UnitRealizationRecord;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::cycles::PeriodName;
use super::dto::exact;
use super::indicators::{AggregationName, aggregation_view};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::OrgReader;
use crate::error::ApiError;
use crate::http::precondition::{IfMatch, etag};
use crate::http::{Json, Query};
use crate::services::Context;
use crate::services::realizations::{self, RealizationInput};
use crate::services::{cycles, skps, unit_indicators};

fn six(d: Decimal) -> f64 {
    round_half_up(d, 6).to_f64().unwrap_or_default()
}

fn two(d: Decimal) -> f64 {
    round_half_up(d, 2).to_f64().unwrap_or_default()
}

/// A realisasi as posted: `value` for numeric indicators, `achieved` for qualitative ones.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "indicator_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e52", "period": "q1", "value": 91.8,
    "evidence": ["https://drive.pematangsiantarkota.go.id/disdukcapil/ktp-q1.pdf"],
    "note": "Perekaman di 8 kecamatan; 2 hari gangguan jaringan SIAK."
}))]
pub struct RecordRealization {
    pub indicator_id: Uuid,
    pub period: PeriodName,
    /// At most 4 decimals, 0 or more. Not for qualitative indicators.
    pub value: Option<f64>,
    /// Qualitative indicators only.
    pub achieved: Option<bool>,
    /// http(s) links to the bukti dukung, at most 10.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// At most 2000 characters.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// How a capaian was computed, as the formulas of PermenPANRB 8/2021 say (DOMAIN §2.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct DerivationView {
    pub formula: &'static str,
    pub target: Option<f64>,
    pub target_max: Option<f64>,
    /// The realisasi used; for q4 the aggregate of the quarters (6 decimals).
    pub realisasi: Option<f64>,
    pub achieved: Option<bool>,
    /// For q4: how the quarters were added up.
    pub aggregation: Option<AggregationName>,
    /// For q4: the realisasi of q1..q4 that went in (null = not recorded).
    pub quarters: Option<Vec<Option<f64>>>,
    pub uncapped: f64,
    /// The cycle's cap for aggregation.
    pub cap: f64,
    pub capped: f64,
}

/// The capaian of one period, in percent.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapaianView {
    pub period: PeriodName,
    /// Uncapped, 6 decimals.
    pub capaian: f64,
    /// Uncapped, 2 decimals (half up): the published figure.
    pub capaian_rounded: f64,
    /// Capped at the cycle's cap: what averages use (6 decimals).
    pub capaian_capped: f64,
    pub derivation: DerivationView,
}

impl From<PeriodCapaian> for CapaianView {
    fn from(p: PeriodCapaian) -> Self {
        let Capaian {
            value,
            capped,
            derivation: d,
        } = p.capaian;
        CapaianView {
            period: p.period.into(),
            capaian: six(value),
            capaian_rounded: two(value),
            capaian_capped: six(capped),
            derivation: DerivationView {
                formula: d.formula,
                target: d.target.map(six),
                target_max: d.target_max.map(six),
                realisasi: d.realisasi.map(six),
                achieved: d.achieved,
                aggregation: p.aggregation.map(|a| aggregation_view(a).0),
                quarters: p.quarters.map(|q| q.iter().map(|v| v.map(six)).collect()),
                uncapped: six(d.uncapped),
                cap: six(d.cap),
                capped: six(d.capped),
            },
        }
    }
}

/// The realisasi of one indicator for one period.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e60", "indicator_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e52",
    "period": "q1", "value": 91.8, "achieved": null,
    "evidence": ["https://drive.pematangsiantarkota.go.id/disdukcapil/ktp-q1.pdf"], "note": null,
    "recorded_by": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e61", "version": 1,
    "created_at": "2026-04-03T02:00:00Z", "updated_at": "2026-04-03T02:00:00Z"
}))]
pub struct RealizationView {
    pub id: Uuid,
    pub indicator_id: Uuid,
    pub period: PeriodName,
    pub value: Option<f64>,
    pub achieved: Option<bool>,
    pub evidence: Vec<String>,
    pub note: Option<String>,
    /// The user who posted the value standing now.
    pub recorded_by: Option<Uuid>,
    /// How many times it was posted.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&RealizationRecord> for RealizationView {
    fn from(r: &RealizationRecord) -> Self {
        RealizationView {
            id: r.id,
            indicator_id: r.indicator_id,
            period: r.period.into(),
            value: r.value.and_then(|v| v.to_decimal().to_f64()),
            achieved: r.achieved,
            evidence: r.evidence.clone(),
            note: r.note.clone(),
            recorded_by: r.recorded_by,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl From<&UnitRealizationRecord> for RealizationView {
    fn from(r: &UnitRealizationRecord) -> Self {
        RealizationView {
            id: r.id,
            indicator_id: r.indicator_id,
            period: r.period.into(),
            value: r.value.and_then(|v| v.to_decimal().to_f64()),
            achieved: r.achieved,
            evidence: r.evidence.clone(),
            note: r.note.clone(),
            recorded_by: r.recorded_by,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The realisasi of one indicator, each period's capaian (null: no realisasi, or a quarter
/// without its own target) and the annual `q4` figure aggregated from the quarters.
pub fn of_indicator(
    indicator: &SkpIndicatorRecord,
    all: &[RealizationRecord],
    cap: Decimal,
) -> (Vec<RealizationView>, Vec<CapaianView>) {
    let mine: Vec<&RealizationRecord> = all
        .iter()
        .filter(|r| r.indicator_id == indicator.id)
        .collect();
    let capaian = realizations::capaian_of(indicator, all, cap)
        .into_iter()
        .map(CapaianView::from)
        .collect();
    (
        mine.into_iter().map(RealizationView::from).collect(),
        capaian,
    )
}

/// Record the realisasi of one indicator for one period: the pegawai or his penilai, on an
/// approved SKP of a running cycle. Posting again replaces it (audited as
/// `skp.realization_replaced`). The SKP's version moves (its capaian changed); `If-Match` is
/// honoured. Answers the realisasi with the indicator's capaian now.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The SKP's id")),
    request_body = RecordRealization,
    responses(
        (status = 201, description = "Recorded.", body = RecordedRealization),
        (status = 200, description = "Replaced (or the same values again).", body = RecordedRealization),
        (status = 403, description = "Neither the employee nor his penilai (`forbidden`)."),
        (status = 409, description = "`skp_not_approved` or `cycle_not_running`."),
        (status = 412, description = "The SKP changed (`precondition_failed`)."),
    )
)]
#[post("/skps/{id}/realizations")]
pub async fn record_realization(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<RecordRealization>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let mut errors = Vec::new();
    let value = exact("value", body.value, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let input = RealizationInput {
        indicator_id: body.indicator_id,
        period: body.period.into(),
        value,
        achieved: body.achieved,
        evidence: body.evidence,
        note: body.note,
    };
    let (record, created, full) = realizations::record(
        &state.db,
        &ctx,
        &caller.caller,
        id.into_inner(),
        &if_match,
        input,
    )
    .await?;
    let capaian = full
        .rhks
        .iter()
        .flat_map(|r| &r.indicators)
        .find(|i| i.id == record.indicator_id)
        .map(|i| of_indicator(i, &full.realizations, full.cap).1)
        .unwrap_or_default();
    let body = RecordedRealization {
        realization: RealizationView::from(&record),
        capaian,
    };
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response
        .insert_header((actix_web::http::header::ETAG, etag(full.skp.version)))
        .json(body))
}

/// A recorded realisasi and its indicator's capaian after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedRealization {
    pub realization: RealizationView,
    /// The indicator's capaian per period after this realisasi.
    pub capaian: Vec<CapaianView>,
}

/// Which realisasi to list.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RealizationFilter {
    /// Only this period.
    pub period: Option<PeriodName>,
    /// Only this indicator.
    pub indicator_id: Option<Uuid>,
}

/// The realisasi recorded on an SKP (also those of retired indicators, kept as history), by
/// indicator then period. Whoever reads the SKP reads them; its indicators' capaian comes with
/// `GET /skps/{id}`.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The SKP's id"), RealizationFilter),
    responses((status = 200, description = "The realisasi.", body = Vec<RealizationView>))
)]
#[get("/skps/{id}/realizations")]
pub async fn list_realizations(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    filter: Query<RealizationFilter>,
) -> Result<HttpResponse, ApiError> {
    let (full, _, _) = skps::load(&state.db, &caller.caller, id.into_inner()).await?;
    let period = filter.period.map(Period::from);
    let items: Vec<RealizationView> = full
        .realizations
        .iter()
        .filter(|r| period.is_none_or(|p| r.period == p))
        .filter(|r| filter.indicator_id.is_none_or(|i| r.indicator_id == i))
        .map(RealizationView::from)
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, etag(full.skp.version)))
        .json(items))
}

/// A realisasi of a Perjanjian Kinerja indicator as posted.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "period": "q1", "value": 93.4,
    "evidence": ["https://drive.pematangsiantarkota.go.id/disdukcapil/iku1-q1.pdf"],
    "note": "Rekap SIAK Triwulan I."
}))]
pub struct RecordUnitRealization {
    pub period: PeriodName,
    /// At most 4 decimals, 0 or more. Not for qualitative indicators.
    pub value: Option<f64>,
    /// Qualitative indicators only.
    pub achieved: Option<bool>,
    /// http(s) links to the bukti dukung, at most 10.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// At most 2000 characters.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Record the realisasi of a Perjanjian Kinerja indicator for one period: the OPD's head, its
/// unit admin or an admin, while the cycle runs. Posting again replaces it (audited as
/// `unit_indicator.realization_replaced`); the indicator's version moves and `If-Match` is
/// honoured. Indicators fed by the survey (`source: ikm`) are computed, never entered (409
/// `indicator_computed`). Answers the realisasi with the indicator's capaian now.
#[utoipa::path(
    tag = "cycles",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The cycle's id"),
        ("unit_id" = Uuid, Path, description = "The OPD's id"),
        ("indicator_id" = Uuid, Path, description = "The indicator's id"),
    ),
    request_body = RecordUnitRealization,
    responses(
        (status = 201, description = "Recorded.", body = RecordedRealization),
        (status = 200, description = "Replaced (or the same values again).", body = RecordedRealization),
        (status = 403, description = "Not the OPD's head, unit admin or an admin (`forbidden`)."),
        (status = 409, description = "`cycle_not_running` or `indicator_computed`."),
        (status = 412, description = "The indicator changed (`precondition_failed`)."),
        (status = 422, description = "Invalid fields, or the unit is not an OPD (`unit_not_opd`)."),
    )
)]
#[post("/cycles/{id}/units/{unit_id}/indicators/{indicator_id}/realizations")]
pub async fn record_unit_realization(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    if_match: IfMatch,
    body: Json<RecordUnitRealization>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let route = path.into_inner();
    let ctx = Context::of(&caller.caller, state.clock.now());
    let mut errors = Vec::new();
    let value = exact("value", body.value, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let input = RealizationInput {
        indicator_id: route.2,
        period: body.period.into(),
        value,
        achieved: body.achieved,
        evidence: body.evidence,
        note: body.note,
    };
    let (record, created, indicator) = unit_indicators::record_realization(
        &state.db,
        &ctx,
        &caller.caller,
        route,
        &if_match,
        input,
    )
    .await?;
    let cap = cycles::cap_of(&state.db, indicator.cycle_id).await?;
    let all = unit_indicators::realizations_of(&state.db, std::slice::from_ref(&indicator)).await?;
    let body = RecordedRealization {
        realization: RealizationView::from(&record),
        capaian: unit_indicators::capaian_of(&indicator, &all, &[None; 4], cap)
            .into_iter()
            .map(CapaianView::from)
            .collect(),
    };
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response
        .insert_header((actix_web::http::header::ETAG, etag(indicator.version)))
        .json(body))
}
