//! Continuous feedback: `GET|POST /skps/{id}/feedback`, a thread, its replies and the read mark,
//! and `GET /feedback?unit_id=&period=` for unit heads and admins.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use kinerja_domain::capaian::Period;
use kinerja_domain::feedback::{AuthorRole, CoreValue};
use kinerja_persistence::repos::feedback::FeedbackRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::dto::{AuthorRoleName, CoreValueName, PeriodName};
use crate::app::AppState;
use crate::auth::Need;
use crate::auth::policy::{OrgReader, PerformanceReader};
use crate::error::ApiError;
use crate::http::list::{ListParams, Paged};
use crate::http::{Json, Query};
use crate::services::Context;
use crate::services::feedback::{self, NoteInput, Thread};

/// A note of the penilai: about one RHK of the SKP or one core value, for a period.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "period": "q1", "rhk_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e50", "core_value": null,
    "text": "Antrean perekaman KTP-el di Siantar Barat masih panjang; coba jadwal jemput bola Sabtu."
}))]
pub struct GiveFeedback {
    pub period: PeriodName,
    /// The RHK the note is about (or give `core_value`).
    pub rhk_id: Option<Uuid>,
    /// The core value the note is about (or give `rhk_id`).
    pub core_value: Option<CoreValueName>,
    /// 1 to 4000 characters.
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
}

/// A reply in a feedback thread.
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Siap, Pak. Mulai Sabtu depan kami buka layanan jemput bola."}))]
pub struct ReplyFeedback {
    /// 1 to 4000 characters.
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
}

/// A reply in a thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyView {
    pub id: Uuid,
    pub text: String,
    pub author_user_id: Option<Uuid>,
    pub author_role: AuthorRoleName,
    pub author_role_label: &'static str,
    pub created_at: DateTime<Utc>,
}

/// A feedback note with the replies to it, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e70", "skp_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e45",
    "employee_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e46", "period": "q1", "period_label": "Triwulan I",
    "rhk_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e50", "core_value": null, "core_value_label": null,
    "text": "Antrean perekaman KTP-el di Siantar Barat masih panjang; coba jadwal jemput bola Sabtu.",
    "author_user_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e61", "author_role": "penilai",
    "author_role_label": "Pejabat Penilai", "read_at": "2026-04-10T01:00:00Z",
    "created_at": "2026-04-08T03:00:00Z",
    "replies": [{"id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e71",
        "text": "Siap, Pak. Mulai Sabtu depan kami buka layanan jemput bola.",
        "author_user_id": "01936c3e-8f7a-7cc3-9a6e-0f3b8c1d2e62", "author_role": "pegawai",
        "author_role_label": "Pegawai", "created_at": "2026-04-10T01:05:00Z"}]
}))]
pub struct ThreadView {
    pub id: Uuid,
    pub skp_id: Uuid,
    /// The employee whose SKP it is.
    pub employee_id: Uuid,
    pub period: PeriodName,
    pub period_label: &'static str,
    pub rhk_id: Option<Uuid>,
    pub core_value: Option<CoreValueName>,
    pub core_value_label: Option<&'static str>,
    pub text: String,
    pub author_user_id: Option<Uuid>,
    pub author_role: AuthorRoleName,
    pub author_role_label: &'static str,
    /// When the pegawai marked the note read; null while unread.
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub replies: Vec<ReplyView>,
}

fn reply_view(r: FeedbackRecord) -> ReplyView {
    ReplyView {
        id: r.id,
        text: r.text,
        author_user_id: r.author_user_id,
        author_role: r.author_role.into(),
        author_role_label: r.author_role.label(),
        created_at: r.created_at,
    }
}

impl From<Thread> for ThreadView {
    fn from(t: Thread) -> Self {
        let n = t.note;
        ThreadView {
            id: n.id,
            skp_id: n.skp_id,
            employee_id: t.employee_id,
            period: n.period.into(),
            period_label: n.period.label(),
            rhk_id: n.rhk_id,
            core_value: n.core_value.map(Into::into),
            core_value_label: n.core_value.map(CoreValue::label),
            text: n.text,
            author_user_id: n.author_user_id,
            author_role: n.author_role.into(),
            author_role_label: AuthorRole::label(n.author_role),
            read_at: n.read_at,
            created_at: n.created_at,
            replies: t.replies.into_iter().map(reply_view).collect(),
        }
    }
}

/// Which feedback of an SKP to list.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SkpFeedbackQuery {
    /// Only this period.
    pub period: Option<PeriodName>,
}

/// The feedback threads of an SKP, newest first: whoever reads the SKP reads them.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The SKP's id"), SkpFeedbackQuery),
    responses((status = 200, description = "The threads.", body = Vec<ThreadView>))
)]
#[get("/skps/{id}/feedback")]
pub async fn list_skp_feedback(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: Query<SkpFeedbackQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = query.period.map(Period::from);
    let (_, threads) = feedback::of_skp(&state.db, &caller.caller, id.into_inner(), period).await?;
    Ok(HttpResponse::Ok().json(
        threads
            .into_iter()
            .map(ThreadView::from)
            .collect::<Vec<_>>(),
    ))
}

/// Give feedback (the penilai; an admin for the Wali Kota): a dated note about one RHK of the
/// SKP or one core value, for a period, on an approved SKP of a running cycle. Audited as
/// `skp.feedback_given`.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The SKP's id")),
    request_body = GiveFeedback,
    responses(
        (status = 201, description = "The new thread.", body = ThreadView),
        (status = 403, description = "Not the penilai (`forbidden`)."),
        (status = 409, description = "`skp_not_approved` or `cycle_not_running`."),
    )
)]
#[post("/skps/{id}/feedback")]
pub async fn give_feedback(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<GiveFeedback>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let skp_id = id.into_inner();
    let ctx = Context::of(&caller.caller, state.clock.now());
    let input = NoteInput {
        period: body.period.into(),
        rhk_id: body.rhk_id,
        core_value: body.core_value.map(Into::into),
        text: body.text,
    };
    let thread = feedback::give(&state.db, &ctx, &caller.caller, skp_id, input).await?;
    Ok(created(skp_id, thread))
}

fn created(skp_id: Uuid, thread: Thread) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/skps/{skp_id}/feedback/{}", thread.note.id),
        ))
        .json(ThreadView::from(thread))
}

/// One feedback thread of an SKP (a reply's id leads to its thread).
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("feedback_id" = Uuid, Path, description = "The note's (or a reply's) id"),
    ),
    responses((status = 200, description = "The thread.", body = ThreadView))
)]
#[get("/skps/{id}/feedback/{feedback_id}")]
pub async fn get_feedback(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let thread = feedback::thread(&state.db, &caller.caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ThreadView::from(thread)))
}

/// Answer in a feedback thread: the pegawai (or his penilai), while the cycle runs. Audited as
/// `skp.feedback_replied`. Answers the whole thread.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("feedback_id" = Uuid, Path, description = "The note's (or a reply's) id"),
    ),
    request_body = ReplyFeedback,
    responses(
        (status = 201, description = "The thread with the reply.", body = ThreadView),
        (status = 403, description = "Neither the employee nor his penilai (`forbidden`)."),
        (status = 409, description = "`skp_not_approved` or `cycle_not_running`."),
    )
)]
#[post("/skps/{id}/feedback/{feedback_id}/replies")]
pub async fn reply_feedback(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ReplyFeedback>,
) -> Result<HttpResponse, ApiError> {
    let route = path.into_inner();
    let ctx = Context::of(&caller.caller, state.clock.now());
    let thread = feedback::reply(&state.db, &ctx, &caller.caller, route, &body.0.text).await?;
    Ok(created(route.0, thread))
}

/// Mark a feedback note read (the pegawai; once, later calls change nothing). Audited as
/// `skp.feedback_read`.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The SKP's id"),
        ("feedback_id" = Uuid, Path, description = "The note's (or a reply's) id"),
    ),
    responses(
        (status = 200, description = "The thread, read.", body = ThreadView),
        (status = 403, description = "Not the employee (`forbidden`)."),
    )
)]
#[post("/skps/{id}/feedback/{feedback_id}/read")]
pub async fn read_feedback(
    caller: Need<OrgReader>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let ctx = Context::of(&caller.caller, state.clock.now());
    let thread = feedback::mark_read(&state.db, &ctx, &caller.caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ThreadView::from(thread)))
}

/// Which unit's feedback to list.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct UnitFeedbackQuery {
    /// The unit; its whole subtree is listed.
    pub unit_id: Uuid,
    /// Only this period.
    pub period: Option<PeriodName>,
}

/// The feedback threads on the SKPs of a unit's staff (its subtree), newest first: for the head
/// of the unit (or of a unit above it), its unit admin (the part he manages), admins, auditors
/// and services with `read:performance`.
#[utoipa::path(
    tag = "skps",
    security(("bearer" = [])),
    params(ListParams, UnitFeedbackQuery),
    responses(
        (status = 200, description = "A page of threads.", body = Paged<ThreadView>),
        (status = 404, description = "No such unit (`not_found`)."),
        (status = 403, description = "Not the unit's head, unit admin or an admin (`forbidden`)."),
    )
)]
#[get("/feedback")]
pub async fn list_unit_feedback(
    caller: Need<PerformanceReader>,
    state: web::Data<AppState>,
    list: Query<ListParams>,
    query: Query<UnitFeedbackQuery>,
) -> Result<HttpResponse, ApiError> {
    let list_query = list.to_query(&[])?;
    let page = feedback::of_unit(
        &state.db,
        &caller.caller,
        query.unit_id,
        query.period.map(Period::from),
        &list_query,
    )
    .await?;
    Ok(HttpResponse::Ok().json(Paged::new(page, &list_query, ThreadView::from)))
}
