//! Exports shaped for upload to the national systems: the annual predikat per employee.
//!
//! One row per employee with an annual (q4) evaluation in the cycle of the year that is not void,
//! i.e. every employee whose SKP was approved and ran into the last quarter; an employee who moved
//! during the year is listed once, with the evaluation of the SKP active at year end
//! ([`kinerja_domain::assessment::active_at_year_end`]). Employees without such an evaluation are
//! not listed (they have nothing to report). Only a finalised evaluation carries its ratings and
//! predikat: the others are listed with their status and empty ratings, so an uploader sees who is
//! still missing. Unit, position and golongan are those of the evaluation's snapshot (frozen at
//! finalisation), the NIP and name the employee's.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kinerja_domain::assessment::{EvaluationStatus, Predikat, Rating, active_at_year_end};
use kinerja_persistence::Db;
use kinerja_persistence::repos::{cycles, employees, evaluations};
use serde_json::Value;
use uuid::Uuid;

use crate::error::ApiError;

/// One employee's annual predikat.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnualRow {
    pub employee_id: Uuid,
    pub nip: String,
    pub name: String,
    pub unit_id: Option<Uuid>,
    pub unit_code: String,
    pub unit_name: String,
    pub position: String,
    pub golongan: Option<String>,
    pub skp_id: Uuid,
    pub evaluation_id: Uuid,
    pub status: EvaluationStatus,
    /// Set only when finalised, like the two ratings.
    pub predikat: Option<Predikat>,
    pub work_rating: Option<Rating>,
    pub behavior_rating: Option<Rating>,
    pub finalized_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// Fields the rows may be sorted by.
pub const SORTABLE: &[&str] = &["nip", "name", "unit_code", "updated_at"];

fn text(v: &Value, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The annual predikat of the year's cycle, one row per employee (none when the year has no
/// cycle), changed at or after `since` if given, sorted by `sort` (then by NIP).
pub async fn annual_predikat(
    db: &Db,
    year: i32,
    since: Option<DateTime<Utc>>,
    sort: &[(String, bool)],
) -> Result<Vec<AnnualRow>, ApiError> {
    let Some(cycle) = cycles::by_years(db, &[year]).await?.into_iter().next() else {
        return Ok(Vec::new());
    };
    let mut per_employee: HashMap<Uuid, Vec<_>> = HashMap::new();
    for (evaluation, skp) in evaluations::annual_in_cycle(db, cycle.id).await? {
        per_employee
            .entry(skp.employee_id)
            .or_default()
            .push((evaluation, skp));
    }
    let ids: Vec<Uuid> = per_employee.keys().copied().collect();
    let people: HashMap<Uuid, _> = employees::get_many(db, &ids)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let mut rows = Vec::with_capacity(per_employee.len());
    for (employee_id, candidates) in per_employee {
        let spans: Vec<_> = candidates
            .iter()
            .map(|(_, s)| (s.start_date, s.end_date))
            .collect();
        let (Some(chosen), Some(person)) = (active_at_year_end(&spans), people.get(&employee_id))
        else {
            continue;
        };
        let (e, skp) = &candidates[chosen];
        if since.is_some_and(|since| e.updated_at < since) {
            continue;
        }
        let finalized = e.status == EvaluationStatus::Finalized;
        let s = &e.snapshot;
        rows.push(AnnualRow {
            employee_id,
            nip: person.nip.clone(),
            name: person.name.clone(),
            unit_id: text(s, &["unit", "id"]).and_then(|id| id.parse().ok()),
            unit_code: text(s, &["unit", "code"]).unwrap_or_default(),
            unit_name: text(s, &["unit", "name"]).unwrap_or_default(),
            position: text(s, &["position"]).unwrap_or_else(|| person.position.clone()),
            golongan: text(s, &["golongan"]),
            skp_id: skp.id,
            evaluation_id: e.id,
            status: e.status,
            predikat: e.predikat.filter(|_| finalized),
            work_rating: e.work_rating.filter(|_| finalized),
            behavior_rating: e.behavior_rating.filter(|_| finalized),
            finalized_at: e.finalized_at.filter(|_| finalized),
            updated_at: e.updated_at,
        });
    }
    rows.sort_by(|a, b| {
        for (field, desc) in sort {
            let order = match field.as_str() {
                "name" => a.name.cmp(&b.name),
                "unit_code" => a.unit_code.cmp(&b.unit_code),
                "updated_at" => a.updated_at.cmp(&b.updated_at),
                _ => a.nip.cmp(&b.nip),
            };
            let order = if *desc { order.reverse() } else { order };
            if order.is_ne() {
                return order;
            }
        }
        a.nip.cmp(&b.nip)
    });
    Ok(rows)
}
