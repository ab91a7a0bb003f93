//! `/skps/{id}/evaluations/{period}`: the assessment of an SKP for a period, its self-assessment,
//! ratings, finalisation and reopening; `/objections`: the keberatan against finalised ones.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use kinerja_domain::assessment::{ObjectionStatus, Rating};
use kinerja_domain::capaian::Period;
use kinerja_domain::feedback::CoreValue;
use kinerja_persistence::repos::evaluations::EvaluationRecord;
use kinerja_persistence::repos::objections::{ObjectionRecord, Outcome};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::num;
use super::dto::{
    CoreValueName, EvaluationStatusName, ObjectionStatusName, PeriodName, PredikatName, RatingName,
    respond,
};
use super::realizations::CapaianView;
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{OrgReader, PerformanceReader};
use crate::error::ApiError;
use crate::http::list::{ListParams, Paged};
use crate::http::precondition::IfMatch;
use crate::http::{Json, Query};
use crate::services::Context;
use crate::services::evaluations::{self, AssessmentInput, Evaluation, SelfAssessmentInput};
use crate::services::objections::{self, DecisionInput};

/// A rating with its label.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingView {
    pub rating: RatingName,
    pub label: &'static str,
}

fn rating(r: Option<Rating>) -> Option<RatingView> {
    r.map(|r| RatingView {
        rating: r.into(),
        label: r.label(),
    })
}

/// How the suggested work rating was derived (DOMAIN §2.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionView {
    pub rating: RatingName,
    pub rating_label: &'static str,
    pub rule: &'static str,
    /// How many indicators of utama RHK had a capaian for the period.
    pub inputs: usize,
    /// The mean of their capped capaian, 6 decimals.
    pub mean: f64,
    /// The mean at 2 decimals (half up): what the thresholds judge.
    pub mean_rounded: f64,
    pub threshold_di_atas: f64,
    pub threshold_sesuai: f64,
}

/// An indicator in force with its capaian for the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorCapaianView {
    pub indicator_id: Uuid,
    pub rhk_id: Uuid,
    pub code: String,
    pub description: String,
    /// Whether it counts for the suggestion (an indicator of an utama RHK).
    pub utama: bool,
    /// Null: no realisasi, or a quarter without its own target.
    pub capaian: Option<CapaianView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RhkSelfNote {
    pub rhk_id: Uuid,
    /// 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueSelfNote {
    pub core_value: CoreValueName,
    /// 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
}

/// The pegawai's self-assessment, per RHK and per core value (replaced whole on each PUT).
#[derive(Debug, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "rhk": [{"rhk_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e50", "text": "Target perekaman terlampaui berkat jemput bola."}],
    "core_values": [{"core_value": "berorientasi_pelayanan", "text": "Melayani warga di luar jam kerja saat jemput bola."}]
}))]
pub struct SelfAssessmentBody {
    #[serde(default)]
    pub rhk: Vec<RhkSelfNote>,
    #[serde(default)]
    pub core_values: Vec<ValueSelfNote>,
}

/// A core value's rating in an evaluation.
#[derive(Debug, Serialize, ToSchema)]
pub struct BehaviorView {
    pub core_value: CoreValueName,
    pub core_value_label: &'static str,
    pub rating: RatingName,
    pub rating_label: &'static str,
    pub note: Option<String>,
}

/// The self-assessment as given.
#[derive(Debug, Serialize, ToSchema)]
pub struct SelfAssessmentView {
    pub rhk: Vec<RhkSelfNote>,
    pub core_values: Vec<ValueSelfNote>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// One outcome: the ratings and the predikat at a moment.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeView {
    pub work_rating: Option<RatingName>,
    pub behavior_rating: Option<RatingName>,
    pub predikat: Option<PredikatName>,
    pub predikat_label: Option<&'static str>,
}

fn outcome_view(o: &Outcome) -> OutcomeView {
    OutcomeView {
        work_rating: o.work_rating.map(Into::into),
        behavior_rating: o.behavior_rating.map(Into::into),
        predikat: o.predikat.map(Into::into),
        predikat_label: o.predikat.map(|p| p.label()),
    }
}

/// An objection (keberatan) with its windows, explanation and decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectionView {
    pub id: Uuid,
    pub evaluation_id: Uuid,
    pub skp_id: Uuid,
    pub employee_id: Uuid,
    pub period: PeriodName,
    pub status: ObjectionStatusName,
    pub status_label: &'static str,
    pub reason: String,
    pub filed_at: DateTime<Utc>,
    pub explanation: Option<String>,
    pub explained_at: Option<DateTime<Utc>>,
    /// The penilai explains by then (23:59:59 WIB of the 7th day after filing).
    pub explanation_due: DateTime<Utc>,
    /// The decision is due by then.
    pub decision_due: DateTime<Utc>,
    /// Still undecided after `decision_due`.
    pub overdue: bool,
    /// `accepted` or `rejected`, once decided (final).
    pub decision: Option<&'static str>,
    pub decision_note: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// What was objected to.
    pub original: OutcomeView,
    /// The evaluation's outcome after the decision.
    pub decided: Option<OutcomeView>,
    pub version: i64,
}

fn objection_view(o: &ObjectionRecord, e: &Evaluation, now: DateTime<Utc>) -> ObjectionView {
    let w = objections::windows(&e.cycle);
    let decision_due = w.decision_due(o.filed_at);
    ObjectionView {
        id: o.id,
        evaluation_id: o.evaluation_id,
        skp_id: e.full.skp.id,
        employee_id: e.full.skp.employee_id,
        period: e.record.period.into(),
        status: o.status.into(),
        status_label: o.status.label(),
        reason: o.reason.clone(),
        filed_at: o.filed_at,
        explanation: o.explanation.clone(),
        explained_at: o.explained_at,
        explanation_due: w.explanation_due(o.filed_at),
        decision_due,
        overdue: o.status.is_open() && now > decision_due,
        decision: o
            .decision
            .as_ref()
            .map(|d| if d.accepted { "accepted" } else { "rejected" }),
        decision_note: o.decision.as_ref().and_then(|d| d.note.clone()),
        decided_at: o.decided_at,
        original: outcome_view(&o.original),
        decided: o.decision.as_ref().map(|d| outcome_view(&d.outcome)),
        version: o.version,
    }
}

/// A periodic result of an earlier SKP of the year (for the annual evaluation).
#[derive(Debug, Serialize, ToSchema)]
pub struct EarlierView {
    pub skp_id: Uuid,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub period: PeriodName,
    pub status: EvaluationStatusName,
    pub outcome: OutcomeView,
}

/// The assessment of an SKP for a period: everything a screen needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationView {
    pub id: Uuid,
    pub skp_id: Uuid,
    pub employee_id: Uuid,
    pub evaluator_id: Option<Uuid>,
    pub period: PeriodName,
    pub period_label: &'static str,
    pub status: EvaluationStatusName,
    pub status_label: &'static str,
    /// Unit, jabatan, golongan and penilai when the evaluation was opened.
    pub snapshot: serde_json::Value,
    pub capaian: Vec<IndicatorCapaianView>,
    /// Null when no indicator of an utama RHK has a capaian for the period.
    pub suggested_work_rating: Option<SuggestionView>,
    /// The head of an OPD is rated on work by his OPD's predikat (`work_rating_derived`).
    pub work_rating_from_org: bool,
    pub self_assessment: Option<SelfAssessmentView>,
    pub work_rating: Option<RatingView>,
    /// Why the penilai differs from the suggestion.
    pub override_reason: Option<String>,
    pub behavior_ratings: Vec<BehaviorView>,
    pub behavior_rating: Option<RatingView>,
    pub predikat: Option<PredikatName>,
    pub predikat_label: Option<&'static str>,
    /// How the predikat follows from the two ratings.
    pub predikat_rule: &'static str,
    /// What is still to be done, in order: `self_assessment`, `work_rating`, `org_predikat`,
    /// `behavior_ratings`, `behavior_rating`, `finalization`.
    pub missing: Vec<&'static str>,
    pub objection: Option<ObjectionView>,
    /// For `q4`: the periodic results of the employee's other SKPs of the year.
    pub earlier: Vec<EarlierView>,
    pub assessed_at: Option<DateTime<Utc>>,
    pub finalized_at: Option<DateTime<Utc>>,
    /// The last instant to object (23:59:59 WIB), once finalised.
    pub objection_deadline: Option<DateTime<Utc>>,
    /// What the caller may do now.
    pub actions: Vec<&'static str>,
    pub version: i64,
}

const SUGGESTION_RULE: &str = "mean of the capped capaian of the utama RHK's indicators, at 2 decimals: >= threshold_di_atas -> di_atas_ekspektasi; >= threshold_sesuai -> sesuai_ekspektasi; else di_bawah_ekspektasi";
const PREDIKAT_RULE: &str = "PermenPANRB 6/2022 quadrant (work x behaviour): atas x atas = sangat_baik; atas|sesuai x sesuai, sesuai x atas = baik; atas|sesuai x bawah = kurang; bawah x sesuai|atas = butuh_perbaikan; bawah x bawah = sangat_kurang";

fn view(e: &Evaluation, now: DateTime<Utc>) -> EvaluationView {
    let r = &e.record;
    let utama: Vec<Uuid> = e
        .full
        .rhks
        .iter()
        .filter(|x| x.kind == kinerja_domain::skp::RhkKind::Utama)
        .map(|x| x.id)
        .collect();
    let rhk_of = |indicator: Uuid| {
        e.full
            .rhks
            .iter()
            .find(|x| x.indicators.iter().any(|i| i.id == indicator))
            .map(|x| x.id)
            .unwrap_or_default()
    };
    EvaluationView {
        id: r.id,
        skp_id: r.skp_id,
        employee_id: e.full.skp.employee_id,
        evaluator_id: e.full.skp.evaluator_id,
        period: r.period.into(),
        period_label: r.period.label(),
        status: r.status.into(),
        status_label: r.status.label(),
        snapshot: r.snapshot.clone(),
        capaian: e
            .capaian
            .iter()
            .map(|(i, c)| {
                let rhk_id = rhk_of(i.id);
                IndicatorCapaianView {
                    indicator_id: i.id,
                    rhk_id,
                    code: i.code.clone(),
                    description: i.description.clone(),
                    utama: utama.contains(&rhk_id),
                    capaian: c.clone().map(CapaianView::from),
                }
            })
            .collect(),
        suggested_work_rating: e.suggestion.as_ref().map(|s| SuggestionView {
            rating: s.rating.into(),
            rating_label: s.rating.label(),
            rule: SUGGESTION_RULE,
            inputs: s.inputs,
            mean: num(s.mean, 6),
            mean_rounded: num(s.mean_rounded, 2),
            threshold_di_atas: num(s.di_atas, 2),
            threshold_sesuai: num(s.sesuai, 2),
        }),
        work_rating_from_org: e.heads_opd,
        self_assessment: r.self_assessment.as_ref().map(|s| SelfAssessmentView {
            rhk: s
                .rhk
                .iter()
                .map(|n| RhkSelfNote {
                    rhk_id: n.rhk_id,
                    text: n.text.clone(),
                })
                .collect(),
            core_values: s
                .core_values
                .iter()
                .map(|n| ValueSelfNote {
                    core_value: n.core_value.into(),
                    text: n.text.clone(),
                })
                .collect(),
            submitted_at: r.self_assessed_at,
        }),
        work_rating: rating(r.work_rating),
        override_reason: r.override_reason.clone(),
        behavior_ratings: r
            .behavior_ratings
            .iter()
            .map(|b| BehaviorView {
                core_value: b.core_value.into(),
                core_value_label: b.core_value.label(),
                rating: b.rating.into(),
                rating_label: b.rating.label(),
                note: b.note.clone(),
            })
            .collect(),
        behavior_rating: rating(r.behavior_rating),
        predikat: r.predikat.map(Into::into),
        predikat_label: r.predikat.map(|p| p.label()),
        predikat_rule: PREDIKAT_RULE,
        missing: evaluations::missing(e),
        objection: e.objection.as_ref().map(|o| objection_view(o, e, now)),
        earlier: e
            .earlier
            .iter()
            .flat_map(|(skp, evals)| {
                evals
                    .iter()
                    .filter(|x| x.period != Period::Q4)
                    .map(move |x| EarlierView {
                        skp_id: skp.id,
                        start_date: skp.start_date,
                        end_date: skp.end_date,
                        period: x.period.into(),
                        status: x.status.into(),
                        outcome: outcome_view(&Outcome {
                            work_rating: x.work_rating,
                            behavior_rating: x.behavior_rating,
                            predikat: x.predikat,
                        }),
                    })
            })
            .collect(),
        assessed_at: r.assessed_at,
        finalized_at: r.finalized_at,
        objection_deadline: r
            .finalized_at
            .map(|at| objections::windows(&e.cycle).filing_deadline(at)),
        actions: evaluations::actions(e, now),
        version: r.version,
    }
}

/// An evaluation in brief (the list of an SKP's periods).
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationSummary {
    pub id: Uuid,
    pub period: PeriodName,
    pub status: EvaluationStatusName,
    pub status_label: &'static str,
    pub predikat: Option<PredikatName>,
    pub predikat_label: Option<&'static str>,
    pub version: i64,
}

fn summary(r: &EvaluationRecord) -> EvaluationSummary {
    EvaluationSummary {
        id: r.id,
        period: r.period.into(),
        status: r.status.into(),
        status_label: r.status.label(),
        predikat: r.predikat.map(Into::into),
        predikat_label: r.predikat.map(|p| p.label()),
        version: r.version,
    }
}

/// The evaluations of an SKP, one per quarter its dates overlap (opened when it is approved).
/// The pegawai, his penilai and the penilai's superior, unit admins, admins and auditors read
/// them; his subordinates do not.
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The SKP's id")),
    responses((status = 200, description = "The evaluations, q1 to q4.", body = Vec<EvaluationSummary>))
)]
#[get("/skps/{id}/evaluations")]
pub async fn list_evaluations(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let items = evaluations::of_skp(&state.db, &caller.caller, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(items.iter().map(summary).collect::<Vec<_>>()))
}

fn route(path: web::Path<(Uuid, PeriodName)>) -> (Uuid, Period) {
    let (id, period) = path.into_inner();
    (id, period.into())
}

fn answer(state: &AppState, e: &Evaluation) -> HttpResponse {
    respond::ok(e.record.version, &view(e, state.clock.now()))
}

/// The evaluation of a period: capaian per indicator, the suggested work rating with its
/// derivation, the self-assessment, the ratings, the predikat and how it follows, what is
/// missing, the objection, and the caller's `actions`.
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("period" = PeriodName, Path, description = "q1..q4 (q4: the annual evaluation)"),
    ),
    responses((status = 200, description = "The evaluation.", body = EvaluationView))
)]
#[get("/skps/{id}/evaluations/{period}")]
pub async fn get_evaluation(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, PeriodName)>,
) -> Result<HttpResponse, ApiError> {
    let (id, period) = route(path);
    let e = evaluations::load(&state.db, &caller.caller, id, period).await?;
    Ok(answer(&state, &e))
}

/// What the caller may do with the evaluation now.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"actions": ["assess", "finalize"]}))]
pub struct EvaluationActions {
    /// Among `self_assess`, `assess`, `finalize`, `reopen`, `object`.
    pub actions: Vec<&'static str>,
}

/// The actions the caller may take on the evaluation now (for a frontend's buttons).
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("period" = PeriodName, Path, description = "q1..q4"),
    ),
    responses((status = 200, description = "The actions.", body = EvaluationActions))
)]
#[get("/skps/{id}/evaluations/{period}/actions")]
pub async fn evaluation_actions(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, PeriodName)>,
) -> Result<HttpResponse, ApiError> {
    let (id, period) = route(path);
    let e = evaluations::load(&state.db, &caller.caller, id, period).await?;
    Ok(HttpResponse::Ok().json(EvaluationActions {
        actions: evaluations::actions(&e, state.clock.now()),
    }))
}

/// The pegawai's self-assessment, before the penilai rates (`If-Match` required). Audited as
/// `evaluation.self_assessed`.
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("period" = PeriodName, Path, description = "q1..q4"),
        ("If-Match" = String, Header, description = "The evaluation's ETag, or `*`."),
    ),
    request_body = SelfAssessmentBody,
    responses(
        (status = 200, description = "The evaluation.", body = EvaluationView),
        (status = 403, description = "Not the employee (`forbidden`)."),
        (status = 409, description = "`self_assessment_closed`, `evaluation_finalized`, `evaluation_void` or `cycle_not_running`."),
    )
)]
#[put("/skps/{id}/evaluations/{period}/self-assessment")]
pub async fn put_self_assessment(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, PeriodName)>,
    if_match: IfMatch,
    body: Json<SelfAssessmentBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let input = SelfAssessmentInput {
        rhk: body.rhk.into_iter().map(|n| (n.rhk_id, n.text)).collect(),
        core_values: body
            .core_values
            .into_iter()
            .map(|n| (CoreValue::from(n.core_value), n.text))
            .collect(),
    };
    let ctx = Context::of(&caller.caller, state.clock.now());
    let e = evaluations::self_assess(
        &state.db,
        &ctx,
        &caller.caller,
        route(path),
        &if_match,
        input,
    )
    .await?;
    Ok(answer(&state, &e))
}

/// The penilai's ratings.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "work_rating": "sesuai_ekspektasi",
    "behavior_ratings": {"berorientasi_pelayanan": "di_atas_ekspektasi", "akuntabel": "sesuai_ekspektasi",
        "kompeten": "sesuai_ekspektasi", "harmonis": "sesuai_ekspektasi", "loyal": "sesuai_ekspektasi",
        "adaptif": "sesuai_ekspektasi", "kolaboratif": "sesuai_ekspektasi"},
    "behavior_notes": {"berorientasi_pelayanan": "Jemput bola di akhir pekan."},
    "behavior_rating": "sesuai_ekspektasi",
    "override_reason": null
}))]
pub struct AssessmentBody {
    /// Required, except for the head of an OPD (his follows the OPD's predikat).
    pub work_rating: Option<RatingName>,
    /// A rating for each of the 7 BerAKHLAK core values.
    pub behavior_ratings: BTreeMap<CoreValueName, RatingName>,
    /// Optional notes per core value (at most 2000 characters each).
    #[serde(default)]
    pub behavior_notes: BTreeMap<CoreValueName, String>,
    pub behavior_rating: RatingName,
    /// Required when `work_rating` differs from the suggestion (at most 2000 characters).
    #[schema(max_length = 2000)]
    pub override_reason: Option<String>,
}

/// The penilai rates (`If-Match` required): work rating (a different one from the suggestion
/// needs `override_reason`), a rating per core value, the behaviour rating; the predikat is
/// computed. Nobody rates himself. Audited as `evaluation.assessed`.
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("period" = PeriodName, Path, description = "q1..q4"),
        ("If-Match" = String, Header, description = "The evaluation's ETag, or `*`."),
    ),
    request_body = AssessmentBody,
    responses(
        (status = 200, description = "The evaluation.", body = EvaluationView),
        (status = 403, description = "Not the penilai (`forbidden`)."),
        (status = 409, description = "`evaluation_finalized`, `evaluation_void` or `cycle_not_running`."),
    )
)]
#[put("/skps/{id}/evaluations/{period}/assessment")]
pub async fn put_assessment(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, PeriodName)>,
    if_match: IfMatch,
    body: Json<AssessmentBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let mut notes = body.behavior_notes;
    let input = AssessmentInput {
        work_rating: body.work_rating.map(Into::into),
        behavior_ratings: body
            .behavior_ratings
            .into_iter()
            .map(|(v, r)| (CoreValue::from(v), Rating::from(r), notes.remove(&v)))
            .collect(),
        behavior_rating: body.behavior_rating.into(),
        override_reason: body.override_reason,
    };
    let ctx = Context::of(&caller.caller, state.clock.now());
    let e = evaluations::assess(
        &state.db,
        &ctx,
        &caller.caller,
        route(path),
        &if_match,
        input,
    )
    .await?;
    Ok(answer(&state, &e))
}

/// The penilai finalises q1..q3: the evaluation and the quarter's realisasi lock. `q4` is
/// finalised through the OPD's calibration (409 `finalized_by_calibration`); the head of an OPD
/// waits for the OPD's predikat (409 `org_predikat_missing`). Audited as `evaluation.finalized`.
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("period" = PeriodName, Path, description = "q1..q3"),
    ),
    responses(
        (status = 200, description = "The finalised evaluation.", body = EvaluationView),
        (status = 403, description = "Not the penilai (`forbidden`)."),
        (status = 409, description = "`evaluation_not_assessed`, `evaluation_finalized`, `finalized_by_calibration`, `org_predikat_missing` or `cycle_not_running`."),
    )
)]
#[post("/skps/{id}/evaluations/{period}/finalize")]
pub async fn finalize_evaluation(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, PeriodName)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let e = evaluations::finalize(&state.db, &ctx, &caller.caller, route(path), &if_match).await?;
    Ok(answer(&state, &e))
}

/// Why an evaluation is reopened.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Realisasi Triwulan I salah input; dikoreksi atas nota dinas BKPSDM."}))]
pub struct ReopenBody {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// An admin reopens a finalised evaluation with a reason (audited as `evaluation.reopened`);
/// refused while an objection against it awaits its decision.
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("period" = PeriodName, Path, description = "q1..q4"),
    ),
    request_body = ReopenBody,
    responses(
        (status = 200, description = "The reopened evaluation.", body = EvaluationView),
        (status = 403, description = "Not an admin (`forbidden`)."),
        (status = 409, description = "`evaluation_not_finalized` or `objections_pending`."),
    )
)]
#[post("/skps/{id}/evaluations/{period}/reopen")]
pub async fn reopen_evaluation(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, PeriodName)>,
    if_match: IfMatch,
    body: Json<ReopenBody>,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let e = evaluations::reopen(
        &state.db,
        &ctx,
        &caller.caller,
        route(path),
        &if_match,
        &body.0.reason,
    )
    .await?;
    Ok(answer(&state, &e))
}

/// An objection as filed.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Realisasi Triwulan I sudah di atas target; rating di bawah ekspektasi tidak sesuai capaian."}))]
pub struct ObjectionBody {
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub reason: String,
}

/// The pegawai objects to his finalised evaluation within the window (14 calendar days WIB by
/// default, the finalisation date being day 0). One objection per evaluation. Audited as
/// `objection.filed`.
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("period" = PeriodName, Path, description = "q1..q4"),
    ),
    request_body = ObjectionBody,
    responses(
        (status = 201, description = "Filed.", body = ObjectionView),
        (status = 403, description = "Not the employee (`forbidden`)."),
        (status = 409, description = "`evaluation_not_finalized`, `objection_window_closed` or `objection_exists`."),
    )
)]
#[post("/skps/{id}/evaluations/{period}/objections")]
pub async fn file_objection(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, PeriodName)>,
    body: Json<ObjectionBody>,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let (o, e) =
        objections::file(&state.db, &ctx, &caller.caller, route(path), &body.0.reason).await?;
    Ok(respond::created(
        format!("/api/v1/objections/{}", o.id),
        o.version,
        &objection_view(&o, &e, ctx.now),
    ))
}

/// Which objections to list.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct ObjectionQuery {
    pub cycle_id: Option<Uuid>,
    pub status: Option<ObjectionStatusName>,
}

/// The objections the caller may see (his own, those against his assessments, those he decides;
/// all for admins and auditors), newest first, a page at a time.
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(ListParams, ObjectionQuery),
    responses((status = 200, description = "A page of objections.", body = Paged<ObjectionView>))
)]
#[get("/objections")]
pub async fn list_objections(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<ObjectionQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(&[])?;
    let now = state.clock.now();
    let items = objections::list(
        &state.db,
        &caller.caller,
        query.cycle_id,
        query.status.map(ObjectionStatus::from),
    )
    .await?;
    let total = items.len() as u64;
    let skip = list_query
        .page
        .saturating_sub(1)
        .saturating_mul(list_query.per_page);
    let page = kinerja_persistence::Page {
        items: items
            .into_iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(usize::try_from(list_query.per_page).unwrap_or(usize::MAX))
            .collect(),
        total,
    };
    Ok(
        HttpResponse::Ok().json(Paged::new(page, &list_query, |(o, e)| {
            objection_view(&o, &e, now)
        })),
    )
}

/// One objection.
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The objection's id")),
    responses((status = 200, description = "The objection.", body = ObjectionView))
)]
#[get("/objections/{id}")]
pub async fn get_objection(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (o, e) = objections::load(&state.db, &caller.caller, id.into_inner()).await?;
    Ok(respond::ok(
        o.version,
        &objection_view(&o, &e, state.clock.now()),
    ))
}

/// The penilai's written explanation.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Capaian Q1 tinggi, tetapi dua indikator kualitas di bawah target."}))]
pub struct ExplanationBody {
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
}

/// The penilai explains his assessment, once (audited as `objection.explained`).
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The objection's id")),
    request_body = ExplanationBody,
    responses(
        (status = 200, description = "The objection.", body = ObjectionView),
        (status = 403, description = "Not the penilai (`forbidden`)."),
        (status = 409, description = "`objection_explained` or `objection_decided`."),
    )
)]
#[post("/objections/{id}/explanation")]
pub async fn explain_objection(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<ExplanationBody>,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let (o, e) = objections::explain(
        &state.db,
        &ctx,
        &caller.caller,
        id.into_inner(),
        &body.0.text,
    )
    .await?;
    Ok(respond::ok(o.version, &objection_view(&o, &e, ctx.now)))
}

/// The decision.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionName {
    Accepted,
    Rejected,
}

/// The atasan's decision: ratings only when accepted.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "accepted", "note": "Capaian mendukung rating sesuai ekspektasi.",
    "work_rating": "sesuai_ekspektasi", "behavior_rating": null}))]
pub struct DecideBody {
    pub decision: DecisionName,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    pub work_rating: Option<RatingName>,
    pub behavior_rating: Option<RatingName>,
}

/// The atasan pejabat penilai (an admin for the Wali Kota) decides, after the explanation or
/// once its 7 days have passed: `accepted` with new ratings (the predikat is recomputed) or
/// `rejected`. Final. Audited as `objection.decided` (and `evaluation.changed_by_objection`).
#[utoipa::path(
    tag = "evaluations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The objection's id")),
    request_body = DecideBody,
    responses(
        (status = 200, description = "The decided objection.", body = ObjectionView),
        (status = 403, description = "Not the atasan pejabat penilai (`forbidden`)."),
        (status = 409, description = "`objection_awaiting_explanation` or `objection_decided`."),
    )
)]
#[post("/objections/{id}/decide")]
pub async fn decide_objection(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<DecideBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let ctx = Context::of(&caller.caller, state.clock.now());
    let input = DecisionInput {
        accepted: matches!(body.decision, DecisionName::Accepted),
        note: body.note,
        work_rating: body.work_rating.map(Into::into),
        behavior_rating: body.behavior_rating.map(Into::into),
    };
    let (o, e) =
        objections::decide(&state.db, &ctx, &caller.caller, id.into_inner(), input).await?;
    Ok(respond::ok(o.version, &objection_view(&o, &e, ctx.now)))
}
