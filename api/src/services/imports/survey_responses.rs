//! `POST /imports/survey-responses`: paper questionnaires typed into a spreadsheet, columns
//! `unit_code,service,date,u1,...,u9,gender,age,education,occupation,comment`, channel `paper`.
//!
//! Responses have no natural key (two citizens may well answer alike on one day), so an import
//! cannot upsert: every row is a new response, and a file is applied once — its SHA-256 is
//! recorded in the import's transaction, and the same file again is 409
//! `import_already_applied`. The rules of the public form apply to every row (answers 1..4,
//! profile codes, a comment of at most 1,000 characters); the date comes from the row, is not in
//! the future (WIB) and not in a closed survey period of the unit. The service must be one of the
//! unit's, active or not: a paper form filled before a service was retired still counts.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use kinerja_domain::accounts::Scope;
use kinerja_domain::org::UnitCode;
use kinerja_domain::skm::{AgeBand, Answer, Education, Gender, Occupation, Unsur};
use kinerja_persistence::repos::skm::{self, Channel, PeriodRecord, ResponseRecord, ServiceRecord};
use kinerja_persistence::repos::survey_guard;
use kinerja_persistence::repos::units::{self, UnitRecord};
use kinerja_persistence::{Db, PersistenceError};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Columns, Format, ImportOutcome, Row, RowErrors, choice, file_hash, parse, required};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::services::Context;
use crate::services::survey::{self, wib_date};
use crate::services::units::code_error;

pub const COLUMNS: &[&str] = &[
    "unit_code",
    "service",
    "date",
    "u1",
    "u2",
    "u3",
    "u4",
    "u5",
    "u6",
    "u7",
    "u8",
    "u9",
    "gender",
    "age",
    "education",
    "occupation",
    "comment",
];
const REQUIRED: &[&str] = &[
    "unit_code",
    "service",
    "date",
    "u1",
    "u2",
    "u3",
    "u4",
    "u5",
    "u6",
    "u7",
    "u8",
    "u9",
];
const ANSWERS: &[&str] = &["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"];

fn already_applied() -> ApiError {
    ApiError::new(ErrorCode::ImportAlreadyApplied).with_detail(
        "This file was imported before; importing it again would count its questionnaires twice.",
        "Berkas ini sudah pernah diimpor; mengimpornya lagi akan menghitung kuesionernya dua kali.",
    )
}

/// An answer cell: a whole number 1..4 (text in CSV; a number or text in JSON).
fn answer_cell(row: &Row, column: &str, errors: &mut RowErrors) -> Option<Answer> {
    let value = match row.cells.get(column) {
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() {
                None
            } else {
                match s.parse::<i64>() {
                    Ok(n) => Some(Value::from(n)),
                    // Text that is no whole number is reported as such.
                    Err(_) => Some(Value::String(s.to_owned())),
                }
            }
        }
        Some(Value::Null) | None => None,
        Some(other) => Some(other.clone()),
    };
    match survey::answer(column, value.as_ref()) {
        Ok(a) => Some(a),
        Err(e) => {
            errors.add_field(row.number, e);
            None
        }
    }
}

fn date_cell(row: &Row, today: NaiveDate, errors: &mut RowErrors) -> Option<NaiveDate> {
    let raw = required(row, "date", errors)?;
    match NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
        Ok(d) if d > today => {
            errors.add(
                row.number,
                "date",
                "in_future",
                format!("is after today ({today}, WIB)"),
                format!("setelah hari ini ({today}, WIB)"),
            );
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(
                row.number,
                "date",
                "invalid_date",
                "must be a date written YYYY-MM-DD",
                "harus tanggal dengan format YYYY-MM-DD",
            );
            None
        }
    }
}

/// The unit a row names, if the caller may import for it and it takes the survey.
fn unit_cell<'a>(
    row: &Row,
    by_code: &'a HashMap<String, UnitRecord>,
    scope: Option<&HashSet<Uuid>>,
    errors: &mut RowErrors,
) -> Option<&'a UnitRecord> {
    let raw = required(row, "unit_code", errors)?;
    let code = match UnitCode::parse(&raw) {
        Ok(code) => code,
        Err(e) => {
            errors.add_field(row.number, code_error("unit_code", e));
            return None;
        }
    };
    match by_code.get(code.as_str()) {
        Some(u) if scope.is_none_or(|s| s.contains(&u.id)) => {
            if !u.active || !u.is_service_unit {
                errors.add(
                    row.number,
                    "unit_code",
                    "not_a_service_unit",
                    format!("{} is not an active service unit", u.code),
                    format!("{} bukan unit layanan yang aktif", u.code),
                );
                return None;
            }
            Some(u)
        }
        _ if scope.is_some() => {
            errors.add(
                row.number,
                "unit_code",
                "unknown_unit",
                format!("no unit you manage has the code {:?}", code.as_str()),
                format!(
                    "tidak ada unit yang Anda kelola dengan kode {:?}",
                    code.as_str()
                ),
            );
            None
        }
        _ => {
            errors.add(
                row.number,
                "unit_code",
                "unknown_unit",
                format!("no unit has the code {:?}", code.as_str()),
                format!("tidak ada unit dengan kode {:?}", code.as_str()),
            );
            None
        }
    }
}

pub async fn import(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    bytes: &[u8],
    format: Format,
    dry_run: bool,
) -> Result<ImportOutcome, ApiError> {
    let hash = file_hash(bytes);
    // Before anything else: a file applied once is answered as such, even if it would not
    // validate any more (a period it fell in has closed since).
    if survey_guard::import_applied(db, &hash).await? {
        return Err(already_applied());
    }
    let columns = Columns {
        all: COLUMNS,
        required: REQUIRED,
        flags: &[],
        numbers: ANSWERS,
    };
    let rows = parse(bytes, format, columns)?;
    let scope = super::units_in_scope(db, caller, Scope::ImportSurveyResponses).await?;
    let by_code: HashMap<String, UnitRecord> = units::all(db)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let today = wib_date(ctx.now);

    // The services and periods of the units the file names, loaded once per unit.
    let mut unit_ids: Vec<Uuid> = Vec::new();
    for row in &rows {
        if let Some(u) = row
            .text("unit_code")
            .and_then(|raw| UnitCode::parse(&raw).ok())
            .and_then(|c| by_code.get(c.as_str()))
            && !unit_ids.contains(&u.id)
        {
            unit_ids.push(u.id);
        }
    }
    let mut services: HashMap<(Uuid, String), ServiceRecord> = HashMap::new();
    for s in skm::services_of_units(db, &unit_ids).await? {
        services.insert((s.unit_id, s.code.to_uppercase()), s);
    }
    let mut closed: HashMap<Uuid, Vec<PeriodRecord>> = HashMap::new();
    for id in &unit_ids {
        let periods = skm::periods_of(db, *id).await?;
        closed.insert(*id, periods.into_iter().filter(|p| p.closed).collect());
    }

    let mut errors = RowErrors::default();
    let mut responses: Vec<ResponseRecord> = Vec::with_capacity(rows.len());
    for row in &rows {
        let n = row.number;
        let before = errors.0.len();
        let unit = unit_cell(row, &by_code, scope.as_ref(), &mut errors);
        let service_code = required(row, "service", &mut errors);
        let service = match (unit, service_code) {
            (Some(u), Some(code)) => {
                let found = services.get(&(u.id, code.to_uppercase()));
                if found.is_none() {
                    errors.add(
                        n,
                        "service",
                        "unknown_service",
                        format!("{} has no service with the code {code:?}", u.code),
                        format!("{} tidak memiliki layanan berkode {code:?}", u.code),
                    );
                }
                found
            }
            _ => None,
        };
        let date = date_cell(row, today, &mut errors);
        if let (Some(u), Some(d)) = (unit, date)
            && let Some(p) = closed
                .get(&u.id)
                .into_iter()
                .flatten()
                .find(|p| p.start_date <= d && d <= p.end_date)
        {
            errors.add(
                n,
                "date",
                "survey_period_closed",
                format!("falls in the closed survey period {:?}", p.name),
                format!("termasuk periode survei {:?} yang sudah ditutup", p.name),
            );
        }
        let answers: Vec<Option<Answer>> = Unsur::ALL
            .iter()
            .map(|u| answer_cell(row, u.as_str(), &mut errors))
            .collect();
        let gender = choice(row, "gender", Gender::ALL, Gender::as_str, &mut errors);
        let age = choice(row, "age", AgeBand::ALL, AgeBand::as_str, &mut errors);
        let education = choice(
            row,
            "education",
            Education::ALL,
            Education::as_str,
            &mut errors,
        );
        let occupation = choice(
            row,
            "occupation",
            Occupation::ALL,
            Occupation::as_str,
            &mut errors,
        );
        let comment = survey::comment("comment", row.text("comment").as_deref())
            .map_err(|e| errors.add_field(n, e))
            .ok()
            .flatten();
        if errors.0.len() != before {
            continue;
        }
        let answers: Option<Vec<Answer>> = answers.into_iter().collect();
        if let (Some(unit), Some(service), Some(date), Some(Ok(answers))) =
            (unit, service, date, answers.map(<[Answer; 9]>::try_from))
        {
            responses.push(ResponseRecord {
                id: Uuid::now_v7(),
                unit_id: unit.id,
                service_id: service.id,
                responded_on: date,
                answers,
                gender,
                age,
                education,
                occupation,
                comment,
                channel: Channel::Paper,
                created_at: ctx.now,
            });
        }
    }

    let outcome = ImportOutcome {
        dry_run,
        created: responses.len() as u64,
        updated: 0,
        unchanged: 0,
    };
    if !errors.is_empty() {
        return Err(errors.into_problem(outcome));
    }
    if dry_run {
        return Ok(outcome);
    }

    let tx = db.begin().await?;
    match survey_guard::record_import(&tx, &hash, outcome.created, ctx.now).await {
        Err(PersistenceError::Conflict(_)) => return Err(already_applied()),
        other => other?,
    }
    skm::insert_responses(&tx, &responses).await?;
    ctx.audit(
        &tx,
        "import.survey_responses",
        "import",
        &hash,
        None,
        Some(json!({"format": format.as_str(), "rows": rows.len(), "created": outcome.created, "units": unit_ids.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}
