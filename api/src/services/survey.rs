//! The public side of the citizen satisfaction survey (DOMAIN §3, DESIGN §4): the questionnaire
//! of a service unit, optional single-use submission tokens, and submissions from web forms and
//! kiosks.
//!
//! Respondents are anonymous citizens, so the submission route resists abuse without knowing
//! who anyone is:
//! - a fixed one-minute window per client and unit, counted in the database (so it holds across
//!   replicas): the client is the address (an IPv6 client by its /64, which one household or
//!   phone holds as a whole) or, for a kiosk signed in as a service account with
//!   `submit:surveys`, that account; every attempt at a known unit counts, refused ones too;
//! - optional single-use tokens a web form fetches first (required with
//!   `KINERJA_SURVEY_REQUIRE_TOKEN=true`; kiosks never need one);
//! - strict validation and a small body limit.
//!
//! A response keeps the answers, the optional profile and the comment, nothing else: no
//! address, no user agent, no link to the token or the counter (counters and tokens are keyed by
//! hashes and purged by the housekeeping task). Its date is today in WIB.

use std::net::IpAddr;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kinerja_domain::org::UnitCode;
use kinerja_domain::skm::{AgeBand, Answer, Education, Gender, Occupation, Unsur};
use kinerja_persistence::repos::skm::{self, Channel, ResponseRecord, ServiceRecord};
use kinerja_persistence::repos::survey_guard::{self, TokenRecord};
use kinerja_persistence::repos::units::{self, UnitRecord};
use kinerja_persistence::{Db, PersistenceError, Store};
use serde_json::Value;
use uuid::Uuid;

use crate::auth::password;
use crate::config::Config;
use crate::error::{ApiError, ErrorCode, FieldError};

/// The longest comment, in characters (after trimming).
pub const COMMENT_MAX_CHARS: usize = 1000;
/// How long a submission token stays usable.
pub const TOKEN_TTL_SECONDS: i64 = 2 * 3600;
/// The largest submission body accepted, in bytes: a full answer with a 1,000-character comment
/// of 4-byte characters is under 5 KiB.
pub const SUBMISSION_LIMIT_BYTES: usize = 16 * 1024;
/// Counters are kept this long after their window starts (a window is one minute).
const COUNTER_KEPT_SECONDS: i64 = 120;

/// The business date of an instant (Western Indonesia Time, UTC+7 all year).
pub use kinerja_domain::assessment::wib_date;

/// The unit a public URL names, if it takes the survey: an active service unit. Anything else
/// (a malformed code, a path trick, an inactive or non-service unit) is 404.
pub async fn public_unit(db: &Db, raw_code: &str) -> Result<UnitRecord, ApiError> {
    let not_found = || {
        ApiError::new(ErrorCode::NotFound).with_detail(
            "No service unit takes the survey under this code.",
            "Tidak ada unit layanan dengan kode ini yang menerima survei.",
        )
    };
    let code = UnitCode::parse(raw_code).map_err(|_| not_found())?;
    units::get_by_code(db, code.as_str())
        .await?
        .filter(|u| u.active && u.is_service_unit)
        .ok_or_else(not_found)
}

/// Whether a response dated `day` may still be recorded for the unit: not when a closed survey
/// period contains that day. A day in no period is fine (results count responses by date).
async fn period_open(s: &impl Store, unit_id: Uuid, day: NaiveDate) -> Result<bool, ApiError> {
    Ok(!skm::periods_of(s, unit_id)
        .await?
        .iter()
        .any(|p| p.closed && p.start_date <= day && day <= p.end_date))
}

fn period_closed(day: NaiveDate) -> ApiError {
    ApiError::new(ErrorCode::SurveyPeriodClosed).with_detail(
        format!("The survey period containing {day} is closed: it takes no more responses."),
        format!(
            "Periode survei yang memuat tanggal {day} sudah ditutup: tidak menerima jawaban lagi."
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// The questionnaire

/// What a form needs to show a unit's survey.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub unit: UnitRecord,
    /// The unit's active services, by code.
    pub services: Vec<ServiceRecord>,
    /// False when today falls in a closed survey period of the unit.
    pub accepting_responses: bool,
    /// Whether anonymous submissions need a submission token.
    pub token_required: bool,
}

pub async fn questionnaire(
    db: &Db,
    config: &Config,
    raw_code: &str,
    now: DateTime<Utc>,
) -> Result<Questionnaire, ApiError> {
    let unit = public_unit(db, raw_code).await?;
    let services = skm::services_of(db, unit.id)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .collect();
    let accepting_responses = period_open(db, unit.id, wib_date(now)).await?;
    Ok(Questionnaire {
        unit,
        services,
        accepting_responses,
        token_required: config.survey_require_token,
    })
}

// ---------------------------------------------------------------------------------------------
// Who submits, and the rate limit

/// Who is submitting: an anonymous client by its address, or a kiosk by its service account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitter {
    Web(IpAddr),
    Kiosk(Uuid),
}

impl Submitter {
    pub fn channel(self) -> Channel {
        match self {
            Submitter::Web(_) => Channel::Web,
            Submitter::Kiosk(_) => Channel::Kiosk,
        }
    }

    /// The counter key of this client for `purpose` at `unit_id`: a hash, so the table holds
    /// no address. IPv6 clients count by their /64 (one host can use any address in it).
    fn counter_key(self, purpose: &str, unit_id: Uuid) -> String {
        let who = match self {
            Submitter::Web(IpAddr::V4(a)) => format!("ip:{a}"),
            Submitter::Web(IpAddr::V6(a)) => match a.to_ipv4_mapped() {
                Some(v4) => format!("ip:{v4}"),
                None => {
                    let s = a.segments();
                    format!("ip6:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
            Submitter::Kiosk(account) => format!("kiosk:{account}"),
        };
        password::sha256_hex(&format!("{purpose}|{who}|{unit_id}"))
    }
}

/// The start of the one-minute window containing `now`.
fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let seconds = now.timestamp();
    DateTime::from_timestamp(seconds - seconds.rem_euclid(60), 0).unwrap_or(now)
}

/// Counts this attempt and refuses it (429 with `Retry-After`, the seconds to the window's end)
/// when it is beyond the limit of its window.
async fn count_attempt(db: &Db, key: &str, limit: u32, now: DateTime<Utc>) -> Result<(), ApiError> {
    let start = window_start(now);
    let count = survey_guard::hit(db, key, start).await?;
    if count <= limit {
        return Ok(());
    }
    let end = start + Duration::seconds(60);
    let millis = (end - now).num_milliseconds().max(1);
    let seconds = (millis + 999) / 1000;
    Err(ApiError::new(ErrorCode::RateLimited)
        .with_detail(
            format!("At most {limit} a minute from one client for one unit; try again in {seconds} seconds."),
            format!("Paling banyak {limit} per menit dari satu klien untuk satu unit; coba lagi dalam {seconds} detik."),
        )
        .with_header(actix_web::http::header::RETRY_AFTER, seconds.to_string()))
}

// ---------------------------------------------------------------------------------------------
// Submission tokens

/// A token handed to a web form, shown once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Issues a single-use submission token for the unit. Fetching tokens is limited like
/// submitting (its own counter), so tokens cannot be stockpiled faster than they can be used.
pub async fn issue_token(
    db: &Db,
    config: &Config,
    raw_code: &str,
    submitter: Submitter,
    now: DateTime<Utc>,
) -> Result<IssuedToken, ApiError> {
    let unit = public_unit(db, raw_code).await?;
    count_attempt(
        db,
        &submitter.counter_key("token", unit.id),
        config.survey_rate_per_minute,
        now,
    )
    .await?;
    let token = password::random_token();
    let expires_at = now + Duration::seconds(TOKEN_TTL_SECONDS);
    survey_guard::insert_token(
        db,
        &TokenRecord {
            token_hash: password::sha256_hex(&token),
            unit_id: unit.id,
            expires_at,
            used_at: None,
        },
    )
    .await?;
    Ok(IssuedToken { token, expires_at })
}

fn token_error(code: &str, en: &str, id: &str) -> FieldError {
    FieldError::of("submission_token", code, en, id)
}

fn token_used() -> FieldError {
    token_error(
        "token_used",
        "was already used: fetch a new one",
        "sudah dipakai: ambil token baru",
    )
}

/// Why a presented token cannot be used now, if it cannot. A token of another unit reads as
/// unknown.
fn token_problem(
    found: Option<&TokenRecord>,
    unit_id: Uuid,
    now: DateTime<Utc>,
) -> Option<FieldError> {
    match found {
        Some(t) if t.unit_id != unit_id => Some(token_unknown()),
        None => Some(token_unknown()),
        Some(t) if t.used_at.is_some() => Some(token_used()),
        Some(t) if t.expires_at <= now => Some(token_error(
            "token_expired",
            "has expired: fetch a new one",
            "sudah kedaluwarsa: ambil token baru",
        )),
        Some(_) => None,
    }
}

fn token_unknown() -> FieldError {
    token_error(
        "token_unknown",
        "is not a submission token of this unit",
        "bukan token pengisian survei unit ini",
    )
}

// ---------------------------------------------------------------------------------------------
// Submissions

/// A submission as posted (shape checked by the DTO; every value checked here).
#[derive(Debug, Clone, Default)]
pub struct RawSubmission {
    pub service: Option<String>,
    /// u1..u9 as posted; `None` when absent or null.
    pub answers: Option<[Option<Value>; 9]>,
    pub gender: Option<String>,
    pub age: Option<String>,
    pub education: Option<String>,
    pub occupation: Option<String>,
    pub comment: Option<String>,
    pub submission_token: Option<String>,
}

/// What was recorded, for the acknowledgement (no profile echoed).
#[derive(Debug, Clone)]
pub struct Accepted {
    pub unit_code: String,
    pub service_code: String,
    pub responded_on: NaiveDate,
    pub channel: Channel,
}

/// One answer cell as posted: a whole number 1..4.
pub fn answer(field: &str, value: Option<&Value>) -> Result<Answer, FieldError> {
    let out_of_range = || {
        FieldError::of(
            field,
            "out_of_range",
            "must be 1, 2, 3 or 4",
            "harus 1, 2, 3 atau 4",
        )
    };
    match value {
        None | Some(Value::Null) => Err(FieldError::of(
            field,
            "required",
            "is required",
            "wajib diisi",
        )),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(v) => Answer::new(v).map_err(|_| out_of_range()),
            None if n.as_u64().is_some() => Err(out_of_range()),
            None => Err(FieldError::of(
                field,
                "invalid_type",
                "must be a whole number: 1, 2, 3 or 4",
                "harus bilangan bulat: 1, 2, 3 atau 4",
            )),
        },
        Some(_) => Err(FieldError::of(
            field,
            "invalid_type",
            "must be a whole number: 1, 2, 3 or 4",
            "harus bilangan bulat: 1, 2, 3 atau 4",
        )),
    }
}

/// A profile value from its code list (exactly as listed); absent or null is fine.
fn profile<T: Copy>(
    field: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    name: fn(T) -> &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let raw = raw?;
    let found = parse(raw);
    if found.is_none() {
        let list = all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", ");
        errors.push(FieldError::of(
            field,
            "invalid",
            format!("must be one of {list}"),
            format!("harus salah satu dari {list}"),
        ));
    }
    found
}

/// The comment trimmed; empty is none; longer than 1,000 characters is an error.
pub fn comment(field: &str, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > COMMENT_MAX_CHARS {
        return Err(FieldError::of(
            field,
            "length",
            format!("must be at most {COMMENT_MAX_CHARS} characters long"),
            format!("maksimal {COMMENT_MAX_CHARS} karakter"),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// The profile of a response, parsed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Profile {
    pub gender: Option<Gender>,
    pub age: Option<AgeBand>,
    pub education: Option<Education>,
    pub occupation: Option<Occupation>,
}

/// Records a submission. In order: the unit (404), the client's rate (429), the unit's survey
/// period of today (409 when closed), every field (422 naming each bad one), then the response
/// and the token's use in one transaction.
pub async fn submit(
    db: &Db,
    config: &Config,
    raw_code: &str,
    submitter: Submitter,
    raw: RawSubmission,
    now: DateTime<Utc>,
) -> Result<Accepted, ApiError> {
    let unit = public_unit(db, raw_code).await?;
    count_attempt(
        db,
        &submitter.counter_key("submit", unit.id),
        config.survey_rate_per_minute,
        now,
    )
    .await?;
    let today = wib_date(now);
    if !period_open(db, unit.id, today).await? {
        return Err(period_closed(today));
    }

    let mut errors: Vec<FieldError> = Vec::new();
    let services = skm::services_of(db, unit.id).await?;
    let service = match raw.service.as_deref() {
        None => {
            errors.push(FieldError::of(
                "service",
                "required",
                "is required",
                "wajib diisi",
            ));
            None
        }
        Some(code) => match services.iter().find(|s| s.code.eq_ignore_ascii_case(code)) {
            Some(s) if s.active => Some(s.clone()),
            Some(_) => {
                errors.push(FieldError::of(
                    "service",
                    "service_inactive",
                    format!("the service {code:?} no longer takes the survey"),
                    format!("layanan {code:?} tidak lagi disurvei"),
                ));
                None
            }
            None => {
                let active: Vec<&str> = services
                    .iter()
                    .filter(|s| s.active)
                    .map(|s| s.code.as_str())
                    .collect();
                errors.push(FieldError::of(
                    "service",
                    "unknown_service",
                    format!(
                        "is not a service of this unit; expected one of: {}",
                        active.join(", ")
                    ),
                    format!(
                        "bukan layanan unit ini; yang diharapkan salah satu dari: {}",
                        active.join(", ")
                    ),
                ));
                None
            }
        },
    };

    let mut answers: Vec<Answer> = Vec::with_capacity(9);
    match &raw.answers {
        None => errors.push(FieldError::of(
            "answers",
            "required",
            "is required",
            "wajib diisi",
        )),
        Some(cells) => {
            for (unsur, cell) in Unsur::ALL.iter().zip(cells.iter()) {
                match answer(&format!("answers.{}", unsur.as_str()), cell.as_ref()) {
                    Ok(a) => answers.push(a),
                    Err(e) => errors.push(e),
                }
            }
        }
    }

    let profile = Profile {
        gender: profile(
            "gender",
            raw.gender.as_deref(),
            Gender::parse,
            Gender::ALL,
            Gender::as_str,
            &mut errors,
        ),
        age: profile(
            "age",
            raw.age.as_deref(),
            AgeBand::parse,
            AgeBand::ALL,
            AgeBand::as_str,
            &mut errors,
        ),
        education: profile(
            "education",
            raw.education.as_deref(),
            Education::parse,
            Education::ALL,
            Education::as_str,
            &mut errors,
        ),
        occupation: profile(
            "occupation",
            raw.occupation.as_deref(),
            Occupation::parse,
            Occupation::ALL,
            Occupation::as_str,
            &mut errors,
        ),
    };
    let comment = comment("comment", raw.comment.as_deref()).unwrap_or_else(|e| {
        errors.push(e);
        None
    });

    // Kiosks are signed in: the token is for anonymous web forms.
    let token_hash = match (raw.submission_token.as_deref(), submitter) {
        (Some(token), _) => {
            let hash = password::sha256_hex(token.trim());
            let found = survey_guard::find_token(db, &hash).await?;
            if let Some(problem) = token_problem(found.as_ref(), unit.id, now) {
                errors.push(problem);
            }
            Some(hash)
        }
        (None, Submitter::Web(_)) if config.survey_require_token => {
            errors.push(token_error(
                "required",
                "is required: fetch one from the token route of this unit first",
                "wajib diisi: ambil dahulu dari rute token unit ini",
            ));
            None
        }
        (None, _) => None,
    };

    let (Some(service), Ok(answers), true) =
        (service, <[Answer; 9]>::try_from(answers), errors.is_empty())
    else {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        return Err(ApiError::invalid(errors));
    };

    let tx = db.begin().await?;
    if let Some(hash) = &token_hash
        && !survey_guard::use_token(&tx, hash, unit.id, now).await?
    {
        // Another submission used it since it was checked.
        return Err(ApiError::invalid(vec![token_used()]));
    }
    skm::insert_responses(
        &tx,
        &[ResponseRecord {
            id: Uuid::now_v7(),
            unit_id: unit.id,
            service_id: service.id,
            responded_on: today,
            answers,
            gender: profile.gender,
            age: profile.age,
            education: profile.education,
            occupation: profile.occupation,
            comment,
            channel: submitter.channel(),
            created_at: now,
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(Accepted {
        unit_code: unit.code,
        service_code: service.code,
        responded_on: today,
        channel: submitter.channel(),
    })
}

/// Purges counters of past windows and tokens expired over a day ago (housekeeping); returns
/// how many rows went.
pub async fn purge(db: &Db, now: DateTime<Utc>) -> Result<u64, PersistenceError> {
    let counters =
        survey_guard::purge_counters(db, now - Duration::seconds(COUNTER_KEPT_SECONDS)).await?;
    // Expired tokens are kept a day, so a late submission reads "expired", not "unknown".
    let tokens = survey_guard::purge_tokens(db, now - Duration::days(1)).await?;
    Ok(counters + tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_business_date_is_wib() {
        // 16:59:59 UTC is 23:59:59 WIB; a second later it is the next day in Pematangsiantar.
        let late = Utc.with_ymd_and_hms(2026, 3, 2, 16, 59, 59).unwrap();
        assert_eq!(wib_date(late).to_string(), "2026-03-02");
        assert_eq!(
            wib_date(late + Duration::seconds(1)).to_string(),
            "2026-03-03"
        );
    }

    #[test]
    fn windows_are_whole_minutes() {
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 59).unwrap();
        assert_eq!(
            window_start(t),
            Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
        );
    }

    #[test]
    fn counter_keys_hide_the_address_and_group_ipv6_by_64() {
        let unit = Uuid::nil();
        let a = Submitter::Web("2001:db8:1:2::1".parse().unwrap()).counter_key("submit", unit);
        let b = Submitter::Web("2001:db8:1:2:ffff::9".parse().unwrap()).counter_key("submit", unit);
        let c = Submitter::Web("2001:db8:1:3::1".parse().unwrap()).counter_key("submit", unit);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 64);
        let v4 = Submitter::Web("198.51.100.7".parse().unwrap());
        assert_ne!(
            v4.counter_key("submit", unit),
            v4.counter_key("token", unit),
            "tokens have their own counter"
        );
        assert!(!v4.counter_key("submit", unit).contains("198"));
    }

    #[test]
    fn answers_are_whole_numbers_one_to_four() {
        use serde_json::json;
        assert_eq!(
            answer("u1", Some(&json!(4))).map(Answer::value).ok(),
            Some(4)
        );
        for (value, code) in [
            (None, "required"),
            (Some(json!(null)), "required"),
            (Some(json!(0)), "out_of_range"),
            (Some(json!(5)), "out_of_range"),
            (Some(json!(-1)), "out_of_range"),
            (Some(json!(u64::MAX)), "out_of_range"),
            (Some(json!(3.5)), "invalid_type"),
            (Some(json!("4")), "invalid_type"),
            (Some(json!(true)), "invalid_type"),
        ] {
            let error = answer("u1", value.as_ref()).unwrap_err();
            assert_eq!(error.code, code, "{value:?}");
        }
    }

    #[test]
    fn comments_are_trimmed_and_limited() {
        assert_eq!(comment("c", Some("  ")).unwrap(), None);
        assert_eq!(
            comment("c", Some(" bagus ")).unwrap().as_deref(),
            Some("bagus")
        );
        // 1,000 characters of several bytes each are fine; 1,001 are not.
        assert!(comment("c", Some(&"é".repeat(1000))).unwrap().is_some());
        assert_eq!(
            comment("c", Some(&"é".repeat(1001))).unwrap_err().code,
            "length"
        );
    }
}
