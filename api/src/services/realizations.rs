//! Realisasi of an approved SKP's indicators (DOMAIN §2.1): one value (or `achieved`, for a
//! qualitative indicator) per indicator and period, with evidence links and a note, recorded by
//! the pegawai or his penilai. Posting again replaces it (audited) until the period's evaluation
//! is finalised (409 `period_locked`); a running cycle takes any open period at any time.

use chrono::{DateTime, Utc};
use kinerja_domain::capaian::{
    Direction, IndicatorPlan, Measure, Period, PeriodCapaian, Realisasi, RealisasiError, Source,
    period_capaian, realisasi_shape, target_of,
};
use kinerja_domain::cycle::CycleStatus;
use kinerja_domain::skp::SkpStatus;
use kinerja_persistence::Db;
use kinerja_persistence::repos::realizations::{self, RealizationRecord};
use kinerja_persistence::repos::skps::SkpIndicatorRecord;
use kinerja_persistence::repos::{cycles, skps as skp_repo};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Context;
use super::skps::{self, FullSkp};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError, Msg};
use crate::http::precondition::IfMatch;

/// At most this many evidence links per realisasi.
pub const MAX_EVIDENCE: usize = 10;
/// The longest evidence link and note accepted.
pub const MAX_LINK: usize = 2_000;
pub const MAX_NOTE: usize = 2_000;

/// A realisasi as posted.
#[derive(Debug, Clone)]
pub struct RealizationInput {
    pub indicator_id: Uuid,
    pub period: Period,
    pub value: Option<Decimal>,
    pub achieved: Option<bool>,
    pub evidence: Vec<String>,
    pub note: Option<String>,
}

/// A realisasi as the audit trail shows it.
pub fn view(r: &RealizationRecord) -> Value {
    json!({
        "indicator_id": r.indicator_id, "period": r.period.as_str(),
        "value": r.value.map(|v| v.to_string()), "achieved": r.achieved,
        "evidence": r.evidence, "note": r.note, "version": r.version,
    })
}

/// A checked realisasi: the value, the trimmed evidence links, the note.
pub type Checked = (Option<Measure>, Vec<String>, Option<String>);

/// Why no realisasi can be recorded on an SKP now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRecordable {
    SkpNotApproved,
    CycleNotRunning,
}

impl NotRecordable {
    pub fn code(self) -> ErrorCode {
        match self {
            NotRecordable::SkpNotApproved => ErrorCode::SkpNotApproved,
            NotRecordable::CycleNotRunning => ErrorCode::CycleNotRunning,
        }
    }

    pub fn message(self) -> Msg {
        match self {
            NotRecordable::SkpNotApproved => Msg::new(
                "Realisasi is recorded on an approved SKP.",
                "Realisasi dicatat pada SKP yang sudah disetujui.",
            ),
            NotRecordable::CycleNotRunning => Msg::new(
                "Realisasi is recorded while the cycle runs.",
                "Realisasi dicatat selama siklus berjalan.",
            ),
        }
    }
}

impl From<NotRecordable> for ApiError {
    fn from(n: NotRecordable) -> ApiError {
        let Msg { en, id } = n.message();
        ApiError::new(n.code()).with_detail(en, id)
    }
}

/// Realisasi is recorded on an approved SKP while its cycle runs (`None`: no such cycle).
pub fn recordable(skp: SkpStatus, cycle: Option<CycleStatus>) -> Result<(), NotRecordable> {
    if skp != SkpStatus::Approved {
        return Err(NotRecordable::SkpNotApproved);
    }
    if !cycle.is_some_and(CycleStatus::accepts_realisasi) {
        return Err(NotRecordable::CycleNotRunning);
    }
    Ok(())
}

/// The record a checked realisasi makes on `skp_id`, replacing `existing` (the one standing for
/// that indicator and period, if any), and whether it changes anything.
pub fn next_record(
    skp_id: Uuid,
    input: &RealizationInput,
    (value, evidence, note): Checked,
    existing: Option<&RealizationRecord>,
    recorded_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> (RealizationRecord, bool) {
    let record = RealizationRecord {
        id: existing.map_or_else(Uuid::now_v7, |e| e.id),
        skp_id,
        indicator_id: input.indicator_id,
        period: input.period,
        value,
        achieved: input.achieved,
        evidence,
        note,
        recorded_by,
        version: existing.map_or(1, |e| e.version + 1),
        created_at: existing.map_or(now, |e| e.created_at),
        updated_at: now,
    };
    let changed = existing.is_none_or(|e| {
        (e.value, e.achieved, &e.evidence, &e.note)
            != (
                record.value,
                record.achieved,
                &record.evidence,
                &record.note,
            )
    });
    (record, changed)
}

/// Checks what the indicator's direction needs and the evidence; the field errors, all of them.
pub fn check(direction: Direction, input: &RealizationInput) -> Result<Checked, Vec<FieldError>> {
    let mut errors: Vec<FieldError> =
        realisasi_shape(direction, input.value.is_some(), input.achieved)
            .into_iter()
            .map(|e| match e {
                RealisasiError::AchievedRequired => FieldError::of(
                    "achieved",
                    "required",
                    "is required for a qualitative indicator (true or false)",
                    "wajib diisi untuk indikator kualitatif (true atau false)",
                ),
                RealisasiError::ValueNotAllowed => FieldError::of(
                    "value",
                    "not_allowed",
                    "a qualitative indicator takes `achieved`, not a value",
                    "indikator kualitatif diisi `achieved`, bukan nilai",
                ),
                RealisasiError::AchievedNotAllowed => FieldError::of(
                    "achieved",
                    "not_allowed",
                    "only a qualitative indicator takes `achieved`",
                    "hanya indikator kualitatif yang diisi `achieved`",
                ),
                RealisasiError::ValueRequired => FieldError::of(
                    "value",
                    "required",
                    "is required for this indicator",
                    "wajib diisi untuk indikator ini",
                ),
            })
            .collect();
    let value = super::measure("value", input.value, &mut errors);
    if input.evidence.len() > MAX_EVIDENCE {
        errors.push(FieldError::of(
            "evidence",
            "too_many",
            "at most 10 links",
            "paling banyak 10 tautan",
        ));
    }
    let mut evidence = Vec::with_capacity(input.evidence.len());
    for (n, link) in input.evidence.iter().enumerate() {
        let link = link.trim();
        let ok = link.len() <= MAX_LINK
            && url::Url::parse(link).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            });
        if ok {
            evidence.push(link.to_owned());
        } else {
            errors.push(FieldError::of(
                &format!("evidence[{n}]"),
                "invalid_url",
                "must be an http or https link of at most 2000 characters",
                "harus tautan http atau https paling panjang 2000 karakter",
            ));
        }
    }
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        errors.push(FieldError::of(
            "note",
            "too_long",
            "at most 2000 characters",
            "paling panjang 2000 karakter",
        ));
    }
    if errors.is_empty() {
        Ok((value, evidence, note))
    } else {
        Err(errors)
    }
}

/// The capaian of one SKP indicator for every period that has one (DOMAIN §2.1), from all the
/// realisasi recorded on its SKP. An indicator whose target no longer fits its direction shows
/// none.
pub fn capaian_of(
    indicator: &SkpIndicatorRecord,
    all: &[RealizationRecord],
    cap: Decimal,
) -> Vec<PeriodCapaian> {
    let mut by_period: [Option<Realisasi>; 4] = [None; 4];
    for r in all.iter().filter(|r| r.indicator_id == indicator.id) {
        by_period[r.period.index()] = realisasi(r.value, r.achieved);
    }
    let planned = Planned {
        direction: indicator.direction,
        source: Source::Manual,
        target: indicator.target,
        target_max: indicator.target_max,
        aggregation: indicator.aggregation,
        period_targets: indicator.period_targets,
    };
    capaian_by_period(planned, &by_period, cap)
}

/// A stored realisasi as the domain takes it.
pub fn realisasi(value: Option<Measure>, achieved: Option<bool>) -> Option<Realisasi> {
    match (value, achieved) {
        (Some(v), _) => Some(Realisasi::Value(v)),
        (None, Some(a)) => Some(Realisasi::Achieved(a)),
        (None, None) => None,
    }
}

/// The plan of an indicator, SKP or Perjanjian Kinerja, as stored.
#[derive(Debug, Clone, Copy)]
pub struct Planned {
    pub direction: Direction,
    pub source: Source,
    pub target: Option<Measure>,
    pub target_max: Option<Measure>,
    pub aggregation: kinerja_domain::capaian::Aggregation,
    pub period_targets: [Option<Measure>; 3],
}

/// The capaian of every period that has one, from the realisasi of q1..q4.
pub fn capaian_by_period(
    planned: Planned,
    by_period: &[Option<Realisasi>; 4],
    cap: Decimal,
) -> Vec<PeriodCapaian> {
    let Ok(target) = target_of(
        planned.direction,
        planned.source,
        planned.target,
        planned.target_max,
    ) else {
        return Vec::new();
    };
    let plan = IndicatorPlan {
        direction: planned.direction,
        target,
        aggregation: planned.aggregation,
        period_targets: planned.period_targets,
    };
    Period::ALL
        .iter()
        .filter_map(|p| period_capaian(&plan, by_period, *p, cap).ok().flatten())
        .collect()
}

/// Records (or replaces) the realisasi of one indicator for one period. Answers the realisasi,
/// whether it is new, and the SKP as it stands after (its version moves: its capaian changed).
pub async fn record(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    skp_id: Uuid,
    if_match: &IfMatch,
    input: RealizationInput,
) -> Result<(RealizationRecord, bool, FullSkp), ApiError> {
    let (mut full, _, rights) = skps::load(db, caller, skp_id).await?;
    if_match.honour(full.skp.version)?;
    if !rights.record {
        return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
            "Only the employee or his penilai records realisasi.",
            "Hanya pegawai atau penilainya yang mencatat realisasi.",
        ));
    }
    let cycle = cycles::get(db, full.skp.cycle_id).await?;
    recordable(full.skp.status, cycle.map(|c| c.status))?;
    let Some(indicator) = full
        .rhks
        .iter()
        .flat_map(|r| &r.indicators)
        .find(|i| i.id == input.indicator_id)
        .cloned()
    else {
        return Err(ApiError::invalid(vec![FieldError::of(
            "indicator_id",
            "unknown_indicator",
            "is not an indicator in force of this SKP",
            "bukan indikator yang berlaku pada SKP ini",
        )]));
    };
    let checked = check(indicator.direction, &input).map_err(ApiError::invalid)?;
    if super::evaluations::period_locked(db, full.skp.id, input.period).await? {
        return Err(ApiError::new(ErrorCode::PeriodLocked));
    }

    let tx = db.begin().await?;
    let existing = realizations::find(&tx, indicator.id, input.period).await?;
    let (record, changed) = next_record(
        full.skp.id,
        &input,
        checked,
        existing.as_ref(),
        caller.user().map(|u| u.id),
        ctx.now,
    );
    if !changed {
        tx.commit().await?;
        return Ok((existing.unwrap_or(record), false, full));
    }
    realizations::save(&tx, &record, existing.is_none()).await?;
    let expected = full.skp.version;
    full.skp.version += 1;
    full.skp.updated_at = ctx.now;
    skp_repo::update(&tx, &full.skp, expected).await?;
    let mut ctx = ctx.clone();
    if rights.acting_for_wali_kota {
        ctx.actor.acting_for = Some("Wali Kota".to_owned());
    }
    ctx.audit(
        &tx,
        if existing.is_some() {
            "skp.realization_replaced"
        } else {
            "skp.realization_recorded"
        },
        "skp",
        full.skp.id,
        existing.as_ref().map(view),
        Some(view(&record)),
    )
    .await?;
    tx.commit().await?;
    full.realizations
        .retain(|r| (r.indicator_id, r.period) != (record.indicator_id, record.period));
    full.realizations.push(record.clone());
    Ok((record, existing.is_none(), full))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(value: Option<&str>, achieved: Option<bool>, evidence: &[&str]) -> RealizationInput {
        RealizationInput {
            indicator_id: Uuid::nil(),
            period: Period::Q1,
            value: value.map(|v| v.parse().unwrap()),
            achieved,
            evidence: evidence.iter().map(|s| (*s).to_owned()).collect(),
            note: Some("  ".into()),
        }
    }

    fn codes(r: Result<Checked, Vec<FieldError>>) -> Vec<(String, String)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field.clone(), e.code.to_string()))
            .collect()
    }

    #[test]
    fn the_direction_decides_between_a_value_and_achieved() {
        let ok = check(Direction::HigherIsBetter, &input(Some("91.5"), None, &[])).unwrap();
        assert_eq!(
            ok.0,
            Some(Measure::from_decimal("91.5".parse().unwrap()).unwrap())
        );
        assert_eq!(ok.2, None, "a blank note is no note");
        assert_eq!(
            codes(check(Direction::Qualitative, &input(Some("1"), None, &[]))),
            [
                ("achieved".into(), "required".into()),
                ("value".into(), "not_allowed".into())
            ]
        );
        assert_eq!(
            codes(check(
                Direction::LowerIsBetter,
                &input(None, Some(true), &[])
            )),
            [
                ("achieved".into(), "not_allowed".into()),
                ("value".into(), "required".into())
            ]
        );
        assert_eq!(
            codes(check(Direction::Range, &input(Some("-1"), None, &[]))),
            [("value".into(), "negative".into())]
        );
        assert_eq!(
            codes(check(Direction::Range, &input(Some("1.23456"), None, &[]))),
            [("value".into(), "too_precise".into())]
        );
    }

    #[test]
    fn evidence_is_http_or_https_and_at_most_ten_links() {
        let fine = check(
            Direction::Qualitative,
            &input(
                None,
                Some(true),
                &[
                    "https://drive.example.go.id/ktp-q1.pdf",
                    " http://siak.local/x ",
                ],
            ),
        )
        .unwrap();
        assert_eq!(fine.1[1], "http://siak.local/x");
        assert_eq!(
            codes(check(
                Direction::Qualitative,
                &input(
                    None,
                    Some(true),
                    &["ftp://x/y", "javascript:alert(1)", "https://", "not a link"]
                ),
            )),
            (0..4)
                .map(|n| (format!("evidence[{n}]"), "invalid_url".to_owned()))
                .collect::<Vec<_>>()
        );
        let eleven = vec!["https://example.org/a"; 11];
        assert_eq!(
            codes(check(
                Direction::Qualitative,
                &input(None, Some(true), &eleven)
            )),
            [("evidence".into(), "too_many".into())]
        );
    }
}
