//! `/public/surveys/{unit_code}`: the citizen satisfaction survey of a service unit, without
//! login — the questionnaire, an optional single-use submission token, and the submission
//! (rate limited per client address and unit; a kiosk signed in as a service account with
//! `submit:surveys` is limited per account and recorded as channel `kiosk`).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use kinerja_domain::accounts::Scope;
use kinerja_domain::skm::{AgeBand, Education, Gender, Occupation, Unsur};
use kinerja_persistence::repos::skm::Channel;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::caller::resolve;
use crate::auth::{Caller, ClientAddr, Principal};
use crate::error::{ApiError, ErrorCode};
use crate::http::json::{BodyLimits, BodyWait, parse_json, read_limited, too_large};
use crate::services::survey::{
    self, COMMENT_MAX_CHARS, RawSubmission, SUBMISSION_LIMIT_BYTES, Submitter, TOKEN_TTL_SECONDS,
};

// ---------------------------------------------------------------------------------------------
// The questionnaire

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicUnit {
    #[schema(example = "DISDUKCAPIL.KTP")]
    pub code: String,
    #[schema(example = "Layanan KTP-el")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerOption {
    /// The answer to send, 1 (worst) to 4 (best).
    #[schema(minimum = 1, maximum = 4)]
    pub value: u8,
    /// Its words in Bahasa Indonesia.
    pub label: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnsurView {
    /// `u1` .. `u9`: the key under `answers`.
    #[schema(example = "u1")]
    pub code: &'static str,
    /// The unsur (PermenPANRB 14/2017).
    #[schema(example = "Persyaratan")]
    pub name: &'static str,
    /// The four answers, 1 to 4.
    pub answers: Vec<AnswerOption>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicService {
    /// The code to send as `service`.
    #[schema(example = "KTP-BARU")]
    pub code: String,
    #[schema(example = "Perekaman KTP-el baru")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileOption {
    pub code: &'static str,
    pub label: &'static str,
}

/// One optional respondent-profile field and its code list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileField {
    /// The key to send: `gender`, `age`, `education` or `occupation`.
    #[schema(example = "gender")]
    pub field: &'static str,
    #[schema(example = "Jenis kelamin")]
    pub label: &'static str,
    /// Always false: the profile is optional.
    pub required: bool,
    pub options: Vec<ProfileOption>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentRule {
    /// Always false.
    pub required: bool,
    /// In characters, after trimming.
    #[schema(example = 1000)]
    pub max_length: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenRule {
    /// Whether anonymous submissions must carry `submission_token` (kiosks never need one).
    pub required: bool,
    /// Tokens can always be fetched; a submission that carries one uses it up.
    pub available: bool,
    /// Where a form fetches one (`POST`).
    #[schema(example = "/api/v1/public/surveys/DISDUKCAPIL.KTP/token")]
    pub endpoint: String,
    /// How long a token stays usable.
    #[schema(example = 7200)]
    pub ttl_seconds: i64,
}

/// Everything a kiosk, web form or chat bot needs to ask the survey.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "unit": {"code": "DISDUKCAPIL.KTP", "name": "Layanan KTP-el"},
    "unsur": [
        {"code": "u1", "name": "Persyaratan", "answers": [
            {"value": 1, "label": "Tidak sesuai"}, {"value": 2, "label": "Kurang sesuai"},
            {"value": 3, "label": "Sesuai"}, {"value": 4, "label": "Sangat sesuai"}]},
        {"code": "u4", "name": "Biaya/tarif", "answers": [
            {"value": 1, "label": "Sangat mahal"}, {"value": 2, "label": "Cukup mahal"},
            {"value": 3, "label": "Murah"}, {"value": 4, "label": "Gratis"}]}
    ],
    "services": [{"code": "KTP-BARU", "name": "Perekaman KTP-el baru"}],
    "profile": [{"field": "gender", "label": "Jenis kelamin", "required": false,
        "options": [{"code": "l", "label": "Laki-laki"}, {"code": "p", "label": "Perempuan"}]}],
    "comment": {"required": false, "max_length": 1000},
    "accepting_responses": true,
    "submission_token": {"required": false, "available": true,
        "endpoint": "/api/v1/public/surveys/DISDUKCAPIL.KTP/token", "ttl_seconds": 7200},
    "responses_endpoint": "/api/v1/public/surveys/DISDUKCAPIL.KTP/responses"
}))]
pub struct QuestionnaireView {
    pub unit: PublicUnit,
    /// The nine unsur, u1 to u9, each answered 1 to 4.
    pub unsur: Vec<UnsurView>,
    /// The unit's active services; a response names one.
    pub services: Vec<PublicService>,
    /// Optional respondent profile: gender, age band, education, occupation.
    pub profile: Vec<ProfileField>,
    pub comment: CommentRule,
    /// False while today (WIB) falls in a closed survey period of the unit: submissions are
    /// then refused with 409 `survey_period_closed`.
    pub accepting_responses: bool,
    pub submission_token: TokenRule,
    /// Where to `POST` a response.
    pub responses_endpoint: String,
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<ProfileOption> {
    all.iter()
        .map(|v| ProfileOption {
            code: code(*v),
            label: label(*v),
        })
        .collect()
}

fn base(unit_code: &str) -> String {
    format!("/api/v1/public/surveys/{unit_code}")
}

/// The questionnaire of a service unit: the nine unsur with their answer labels, the unit's
/// active services, the optional respondent profile with its code lists, the comment limit, and
/// whether a submission token is required. No login. 404 for an unknown or inactive unit, or one
/// that is not a service unit.
#[utoipa::path(
    tag = "survey",
    params(("unit_code" = String, Path, description = "The service unit's code", example = "DISDUKCAPIL.KTP")),
    responses(
        (status = 200, description = "The questionnaire.", body = QuestionnaireView),
        (status = 404, description = "No active service unit has this code (`not_found`)."),
    )
)]
#[get("/public/surveys/{unit_code}")]
pub async fn get_questionnaire(
    state: web::Data<AppState>,
    unit_code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let q = survey::questionnaire(
        &state.db,
        &state.config,
        &unit_code.into_inner(),
        state.clock.now(),
    )
    .await?;
    let base = base(&q.unit.code);
    let body = QuestionnaireView {
        unsur: Unsur::ALL
            .iter()
            .map(|u| UnsurView {
                code: u.as_str(),
                name: u.label(),
                answers: u
                    .answer_labels()
                    .iter()
                    .zip(1u8..)
                    .map(|(label, value)| AnswerOption { value, label })
                    .collect(),
            })
            .collect(),
        services: q
            .services
            .into_iter()
            .map(|s| PublicService {
                code: s.code,
                name: s.name,
            })
            .collect(),
        profile: vec![
            ProfileField {
                field: "gender",
                label: "Jenis kelamin",
                required: false,
                options: options(Gender::ALL, Gender::as_str, Gender::label),
            },
            ProfileField {
                field: "age",
                label: "Usia",
                required: false,
                options: options(AgeBand::ALL, AgeBand::as_str, AgeBand::label),
            },
            ProfileField {
                field: "education",
                label: "Pendidikan terakhir",
                required: false,
                options: options(Education::ALL, Education::as_str, Education::label),
            },
            ProfileField {
                field: "occupation",
                label: "Pekerjaan",
                required: false,
                options: options(Occupation::ALL, Occupation::as_str, Occupation::label),
            },
        ],
        comment: CommentRule {
            required: false,
            max_length: COMMENT_MAX_CHARS,
        },
        accepting_responses: q.accepting_responses,
        submission_token: TokenRule {
            required: q.token_required,
            available: true,
            endpoint: format!("{base}/token"),
            ttl_seconds: TOKEN_TTL_SECONDS,
        },
        responses_endpoint: format!("{base}/responses"),
        unit: PublicUnit {
            code: q.unit.code,
            name: q.unit.name,
        },
    };
    Ok(HttpResponse::Ok().json(body))
}

// ---------------------------------------------------------------------------------------------
// Who is calling

/// The caller of a public route, if he sent a bearer token: none without `Authorization`; a
/// token that is sent must be valid (401 otherwise), so a kiosk with an expired token learns it
/// instead of being counted as an anonymous address.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if !req.headers().contains_key(header::AUTHORIZATION) {
                return Ok(MaybeCaller(None));
            }
            // A pending password change does not matter here: nothing of the account is used.
            resolve(&req, true).await.map(|c| MaybeCaller(Some(c)))
        })
    }
}

/// A kiosk is a service account with `submit:surveys`; everyone else is counted by address.
fn submitter(caller: &MaybeCaller, client: ClientAddr) -> Submitter {
    match &caller.0 {
        Some(c) if c.has_scope(Scope::SubmitSurveys) => match &c.principal {
            Principal::Service(account) => Submitter::Kiosk(account.id),
            Principal::User(_) => Submitter::Web(client.0),
        },
        _ => Submitter::Web(client.0),
    }
}

// ---------------------------------------------------------------------------------------------
// Submission tokens

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "submission_token": "q0y8VbX3m1Yd3Qf8mZsWb4lQ2l8c5KpC1o3uXo2nS7A",
    "expires_at": "2026-03-02T04:00:00Z",
    "expires_in": 7200
}))]
pub struct SubmissionTokenView {
    /// Send it as `submission_token` with one response to this unit; it works once.
    pub submission_token: String,
    pub expires_at: DateTime<Utc>,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// A single-use submission token for a web form: fetch it when the form opens, send it with the
/// response. Only a hash of it is stored; it works once, for this unit, for two hours. Fetching
/// is rate limited like submitting (a counter of its own). No login.
#[utoipa::path(
    tag = "survey",
    params(("unit_code" = String, Path, description = "The service unit's code", example = "DISDUKCAPIL.KTP")),
    responses(
        (status = 201, description = "A new token (never cached).", body = SubmissionTokenView),
        (status = 401, description = "An `Authorization` header was sent with an invalid token (`invalid_token`); send none to fetch anonymously."),
        (status = 404, description = "No active service unit has this code (`not_found`)."),
        (status = 429, description = "Too many tokens fetched from this client for this unit this minute (`rate_limited`).",
            headers(("Retry-After" = u32, description = "Seconds until the current one-minute window ends."))),
    )
)]
#[post("/public/surveys/{unit_code}/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    unit_code: web::Path<String>,
    caller: MaybeCaller,
    client: ClientAddr,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let issued = survey::issue_token(
        &state.db,
        &state.config,
        &unit_code.into_inner(),
        submitter(&caller, client),
        now,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(SubmissionTokenView {
            expires_in: (issued.expires_at - now).num_seconds(),
            submission_token: issued.token,
            expires_at: issued.expires_at,
        }))
}

// ---------------------------------------------------------------------------------------------
// Submissions

/// The answers to the nine unsur, each a whole number 1 (worst) to 4 (best).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswers {
    #[serde(default)]
    #[schema(value_type = u8, required = true, minimum = 1, maximum = 4, example = 4)]
    pub u1: Option<Value>,
    #[serde(default)]
    #[schema(value_type = u8, required = true, minimum = 1, maximum = 4, example = 3)]
    pub u2: Option<Value>,
    #[serde(default)]
    #[schema(value_type = u8, required = true, minimum = 1, maximum = 4, example = 3)]
    pub u3: Option<Value>,
    #[serde(default)]
    #[schema(value_type = u8, required = true, minimum = 1, maximum = 4, example = 4)]
    pub u4: Option<Value>,
    #[serde(default)]
    #[schema(value_type = u8, required = true, minimum = 1, maximum = 4, example = 3)]
    pub u5: Option<Value>,
    #[serde(default)]
    #[schema(value_type = u8, required = true, minimum = 1, maximum = 4, example = 4)]
    pub u6: Option<Value>,
    #[serde(default)]
    #[schema(value_type = u8, required = true, minimum = 1, maximum = 4, example = 4)]
    pub u7: Option<Value>,
    #[serde(default)]
    #[schema(value_type = u8, required = true, minimum = 1, maximum = 4, example = 2)]
    pub u8: Option<Value>,
    #[serde(default)]
    #[schema(value_type = u8, required = true, minimum = 1, maximum = 4, example = 3)]
    pub u9: Option<Value>,
}

/// One response. Every field is checked and every bad one named in `errors` (e.g.
/// `answers.u3`); fields not listed here are refused (400).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "service": "KTP-BARU",
    "answers": {"u1": 4, "u2": 3, "u3": 3, "u4": 4, "u5": 3, "u6": 4, "u7": 4, "u8": 2, "u9": 3},
    "gender": "p", "age": "u26_35", "education": "sma", "occupation": "wirausaha",
    "comment": "Antrean cepat, tetapi ruang tunggu panas."
}))]
pub struct SubmitSurvey {
    /// The code of one of the unit's active services (see the questionnaire).
    #[schema(value_type = String, required = true, min_length = 1, max_length = 32, example = "KTP-BARU")]
    pub service: Option<String>,
    #[schema(value_type = SurveyAnswers, required = true)]
    pub answers: Option<SurveyAnswers>,
    #[schema(value_type = Option<String>, example = "p", pattern = "^(l|p)$")]
    pub gender: Option<String>,
    /// Age band.
    #[schema(value_type = Option<String>, example = "u26_35", pattern = "^(u17_25|u26_35|u36_45|u46_55|u56_plus)$")]
    pub age: Option<String>,
    #[schema(value_type = Option<String>, example = "sma", pattern = "^(sd|smp|sma|d1_d3|d4_s1|s2|s3)$")]
    pub education: Option<String>,
    #[schema(value_type = Option<String>, example = "wirausaha", pattern = "^(pns|tni_polri|swasta|wirausaha|pelajar_mahasiswa|lainnya)$")]
    pub occupation: Option<String>,
    /// Trimmed; empty is none. At most 1,000 characters.
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub comment: Option<String>,
    /// From `POST .../token`; required when the server requires tokens (kiosks never need one).
    #[schema(value_type = Option<String>, max_length = 100)]
    pub submission_token: Option<String>,
}

impl From<SubmitSurvey> for RawSubmission {
    fn from(b: SubmitSurvey) -> RawSubmission {
        RawSubmission {
            service: b.service,
            answers: b
                .answers
                .map(|a| [a.u1, a.u2, a.u3, a.u4, a.u5, a.u6, a.u7, a.u8, a.u9]),
            gender: b.gender,
            age: b.age,
            education: b.education,
            occupation: b.occupation,
            comment: b.comment,
            submission_token: b.submission_token,
        }
    }
}

/// The submission body: JSON, read up to a small limit (16 KiB, or the JSON limit if smaller;
/// 413 beyond), unknown fields refused.
pub struct SubmissionBody(pub SubmitSurvey);

impl FromRequest for SubmissionBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<BodyLimits>>()
            .map(|l| l.json)
            .unwrap_or(SUBMISSION_LIMIT_BYTES)
            .min(SUBMISSION_LIMIT_BYTES);
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<actix_web::mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == actix_web::mime::APPLICATION
                    && (m.subtype() == actix_web::mime::JSON
                        || m.suffix() == Some(actix_web::mime::JSON))
            });
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        let wait = BodyWait::of(req);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::new(ErrorCode::UnsupportedMediaType).with_detail(
                    "Send the body as application/json.",
                    "Kirim isi permintaan sebagai application/json.",
                ));
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(too_large(limit));
            }
            let bytes = read_limited(&mut payload, limit, wait).await?;
            parse_json::<SubmitSurvey>(&bytes).map(SubmissionBody)
        })
    }
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelName {
    Web,
    Kiosk,
    Paper,
}

fn channel(c: Channel) -> (ChannelName, &'static str) {
    match c {
        Channel::Web => (ChannelName::Web, "Formulir web"),
        Channel::Kiosk => (ChannelName::Kiosk, "Anjungan (kios)"),
        Channel::Paper => (ChannelName::Paper, "Kuesioner kertas"),
    }
}

/// The acknowledgement of a response: what it was counted under, never the profile.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "received": true,
    "unit_code": "DISDUKCAPIL.KTP",
    "service": "KTP-BARU",
    "responded_on": "2026-03-02",
    "channel": "web",
    "channel_label": "Formulir web",
    "message": "Terima kasih. Penilaian Anda sudah kami terima."
}))]
pub struct SubmissionReceipt {
    pub received: bool,
    pub unit_code: String,
    pub service: String,
    /// The response's date: today in WIB.
    pub responded_on: NaiveDate,
    /// `kiosk` for a service account with `submit:surveys`, else `web`.
    pub channel: ChannelName,
    pub channel_label: &'static str,
    pub message: &'static str,
}

/// Submit a response. No login; a kiosk signs in as a service account with `submit:surveys`
/// (channel `kiosk`, limited per account) — anyone else is channel `web`, limited per client
/// address (behind `KINERJA_TRUSTED_PROXIES`, the right-most untrusted `X-Forwarded-For` entry).
/// At most `KINERJA_SURVEY_RATE_PER_MINUTE` (30) attempts a minute per client and unit, in
/// fixed one-minute windows; every attempt counts, refused ones too. The response is dated
/// today (WIB) and keeps no address, user agent or token.
#[utoipa::path(
    tag = "survey",
    params(("unit_code" = String, Path, description = "The service unit's code", example = "DISDUKCAPIL.KTP")),
    request_body = SubmitSurvey,
    responses(
        (status = 201, description = "Recorded.", body = SubmissionReceipt),
        (status = 401, description = "An `Authorization` header was sent with an invalid token (`invalid_token`); send none to submit anonymously."),
        (status = 404, description = "No active service unit has this code (`not_found`)."),
        (status = 409, description = "Today falls in a closed survey period of the unit (`survey_period_closed`)."),
        (status = 413, description = "The body is over 16 KiB (`payload_too_large`)."),
        (status = 422, description = "`validation_failed`: every bad field named (`answers.u3`, `service`, `gender`, `comment`, `submission_token`, ...)."),
        (status = 429, description = "Too many submissions from this client for this unit this minute (`rate_limited`).",
            headers(("Retry-After" = u32, description = "Seconds until the current one-minute window ends."))),
    )
)]
#[post("/public/surveys/{unit_code}/responses")]
pub async fn submit_response(
    state: web::Data<AppState>,
    unit_code: web::Path<String>,
    caller: MaybeCaller,
    client: ClientAddr,
    body: SubmissionBody,
) -> Result<HttpResponse, ApiError> {
    let accepted = survey::submit(
        &state.db,
        &state.config,
        &unit_code.into_inner(),
        submitter(&caller, client),
        body.0.into(),
        state.clock.now(),
    )
    .await?;
    let (channel, channel_label) = channel(accepted.channel);
    Ok(HttpResponse::Created().json(SubmissionReceipt {
        received: true,
        unit_code: accepted.unit_code,
        service: accepted.service_code,
        responded_on: accepted.responded_on,
        channel,
        channel_label,
        message: "Terima kasih. Penilaian Anda sudah kami terima.",
    }))
}
