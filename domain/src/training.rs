//! Competency development (DOMAIN §4; PP 11/2017 as amended by PP 17/2020, Peraturan LAN
//! 10/2018): routes and methods of learning, JP kept as whole minutes, the yearly JP requirement
//! of PNS and PPPK with its compliance, the life of a participation and of an external record,
//! the recommendations that follow an evaluation, and the status of a development plan.
//!
//! JP are stored as minutes (1 JP = 45 minutes) so that sums are exact; a JP figure entered with
//! up to 2 decimals is converted and rounded to the minute (half up), and minutes are shown as JP
//! with 2 decimals. Requirements compare minutes with `JP × 45` exactly, never a rounded figure.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use crate::assessment::{Predikat, Rating};
use crate::capaian::{Period, round_half_up};
use crate::cycle::Settings;
use crate::feedback::CoreValue;
use crate::org::EmploymentType;

/// Minutes in one jam pelajaran.
pub const MINUTES_PER_JP: i64 = 45;

/// The most JP one programme or record may carry (a full-time year-long course is about 1,800).
pub const MAX_JP: i64 = 2000;

named_enum! {
    /// The two routes of competency development (Peraturan LAN 10/2018).
    Route {
        Klasikal = ("klasikal", "Klasikal"),
        Nonklasikal = ("nonklasikal", "Nonklasikal"),
    }
}

named_enum! {
    /// How the learning happens; each method belongs to one route.
    Method {
        Pelatihan = ("pelatihan", "Pelatihan"),
        Seminar = ("seminar", "Seminar/Konferensi/Sarasehan"),
        Workshop = ("workshop", "Workshop/Lokakarya"),
        Kursus = ("kursus", "Kursus"),
        Penataran = ("penataran", "Penataran"),
        BimbinganTeknis = ("bimbingan_teknis", "Bimbingan Teknis"),
        Sosialisasi = ("sosialisasi", "Sosialisasi"),
        Coaching = ("coaching", "Coaching"),
        Mentoring = ("mentoring", "Mentoring"),
        ELearning = ("e_learning", "E-Learning"),
        PelatihanJarakJauh = ("pelatihan_jarak_jauh", "Pelatihan Jarak Jauh"),
        Magang = ("magang", "Magang/Praktik Kerja"),
        Benchmarking = ("benchmarking", "Patok Banding (Benchmarking)"),
        Detasering = ("detasering", "Detasering (Secondment)"),
        PertukaranPegawai = ("pertukaran_pegawai", "Pertukaran PNS dengan Pegawai Swasta/BUMN"),
        BelajarMandiri = ("belajar_mandiri", "Belajar Mandiri"),
        KomunitasBelajar = ("komunitas_belajar", "Komunitas Belajar"),
        AlamTerbuka = ("alam_terbuka", "Pembelajaran Alam Terbuka (Outbound)"),
    }
}

impl Method {
    /// The route the method belongs to.
    pub fn route(self) -> Route {
        use Method::*;
        match self {
            Pelatihan | Seminar | Workshop | Kursus | Penataran | BimbinganTeknis | Sosialisasi => {
                Route::Klasikal
            }
            Coaching | Mentoring | ELearning | PelatihanJarakJauh | Magang | Benchmarking
            | Detasering | PertukaranPegawai | BelajarMandiri | KomunitasBelajar | AlamTerbuka => {
                Route::Nonklasikal
            }
        }
    }
}

/// One scheduled meeting of a programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub date: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    pub location: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ScheduleError {
    #[error("the end date is before the start date")]
    EndBeforeStart,
    #[error("a session lies outside the programme's dates")]
    SessionOutside,
    #[error("a session ends before it starts")]
    SessionEndsBeforeStart,
}

/// Checks a programme's dates and its sessions; answers the index of the session at fault.
pub fn check_schedule(
    start: NaiveDate,
    end: NaiveDate,
    sessions: &[Session],
) -> Result<(), (Option<usize>, ScheduleError)> {
    if end < start {
        return Err((None, ScheduleError::EndBeforeStart));
    }
    for (i, s) in sessions.iter().enumerate() {
        if s.date < start || s.date > end {
            return Err((Some(i), ScheduleError::SessionOutside));
        }
        if let (Some(a), Some(b)) = (s.start_time, s.end_time)
            && b < a
        {
            return Err((Some(i), ScheduleError::SessionEndsBeforeStart));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum JpError {
    #[error("JP must be more than 0")]
    NotPositive,
    #[error("JP take at most 2 decimals")]
    TooPrecise,
    #[error("JP is too small: less than one minute")]
    UnderOneMinute,
    #[error("at most 2000 JP")]
    TooLarge,
}

/// The whole minutes of a JP figure (at most 2 decimals, more than 0, at most [`MAX_JP`]),
/// rounded half up: 1 JP = 45 minutes, 0.5 JP = 23 minutes (22.5 rounded up).
pub fn minutes_of(jp: Decimal) -> Result<i64, JpError> {
    if jp <= Decimal::ZERO {
        return Err(JpError::NotPositive);
    }
    if jp.normalize().scale() > 2 {
        return Err(JpError::TooPrecise);
    }
    if jp > Decimal::from(MAX_JP) {
        return Err(JpError::TooLarge);
    }
    let minutes = round_half_up(jp * Decimal::from(MINUTES_PER_JP), 0);
    let minutes = i64::try_from(minutes).map_err(|_| JpError::TooLarge)?;
    if minutes == 0 {
        return Err(JpError::UnderOneMinute);
    }
    Ok(minutes)
}

/// Minutes shown as JP with 2 decimals (half up).
pub fn jp_of(minutes: i64) -> Decimal {
    round_half_up(Decimal::from(minutes) / Decimal::from(MINUTES_PER_JP), 2)
}

/// What a year asks of one employee, by employment type and the cycle's settings: a minimum,
/// and for PPPK a cap (in JP as configured).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    pub minimum: Decimal,
    pub cap: Option<Decimal>,
}

impl Requirement {
    /// PNS: `jp_minimum_pns`, no cap; PPPK (also paruh waktu): `jp_minimum_pppk` and
    /// `jp_cap_pppk` (the calendar year stands in for the contract year).
    pub fn of(employment: EmploymentType, settings: &Settings) -> Requirement {
        match employment {
            EmploymentType::Pns => Requirement {
                minimum: settings.jp_minimum_pns,
                cap: None,
            },
            EmploymentType::Pppk | EmploymentType::PppkParuhWaktu => Requirement {
                minimum: settings.jp_minimum_pppk,
                cap: Some(settings.jp_cap_pppk),
            },
        }
    }
}

/// One employee's standing for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compliance {
    /// The minutes that count (approved records of the year).
    pub minutes: i64,
    /// The same as JP, 2 decimals.
    pub jp: Decimal,
    pub required: Decimal,
    pub cap: Option<Decimal>,
    /// JP ≥ minimum, and for PPPK also JP ≤ cap.
    pub met: bool,
    /// JP above the cap (PPPK only).
    pub over_cap: bool,
    /// JP still needed to reach the minimum (0 once reached), 2 decimals rounded up to the
    /// minute.
    pub missing_jp: Decimal,
}

/// The standing of `minutes` against `req`, compared exactly in minutes (`JP × 45`).
pub fn compliance(minutes: i64, req: Requirement) -> Compliance {
    let have = Decimal::from(minutes);
    let per = Decimal::from(MINUTES_PER_JP);
    let needed = req.minimum * per;
    let over_cap = req.cap.is_some_and(|cap| have > cap * per);
    let reached = have >= needed;
    let missing = if reached {
        0
    } else {
        i64::try_from((needed - have).ceil()).unwrap_or(i64::MAX)
    };
    Compliance {
        minutes,
        jp: jp_of(minutes),
        required: req.minimum,
        cap: req.cap,
        met: reached && !over_cap,
        over_cap,
        missing_jp: jp_of(missing),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TagError {
    #[error("a tag is 2 to 50 characters: lower-case letters, digits and underscores")]
    Malformed,
}

/// A competency tag as programmes carry it: 2 to 50 characters of `a-z`, `0-9` and `_`,
/// starting with a letter (`teknologi_informasi`, `pelayanan_publik`, or a core value such as
/// `berorientasi_pelayanan`).
pub fn tag(raw: &str) -> Result<String, TagError> {
    let t = raw.trim();
    let ok = (2..=50).contains(&t.len())
        && t.starts_with(|c: char| c.is_ascii_lowercase())
        && t.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(t.to_owned())
    } else {
        Err(TagError::Malformed)
    }
}

/// A free tag as an indicator may carry it ("Teknologi Informasi", "pelayanan-publik"), in the
/// form programme tags take, for matching: lower case, runs of spaces and dashes as one `_`.
pub fn normalize_tag(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.trim().chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || c == '-' || c == '_' {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_end_matches('_').to_owned()
}

named_enum! {
    /// An employee's place in a programme.
    ParticipationStatus {
        Enrolled = ("enrolled", "Terdaftar"),
        Attended = ("attended", "Hadir"),
        Completed = ("completed", "Selesai"),
        Dropped = ("dropped", "Mengundurkan Diri"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ParticipationError {
    #[error("the employee is already enrolled in this programme")]
    AlreadyEnrolled,
    #[error("the participation is completed")]
    Completed,
    #[error("the participation was dropped")]
    Dropped,
    #[error("the programme is full")]
    Full,
}

impl ParticipationStatus {
    /// Whether the participation holds a seat.
    pub fn holds_seat(self) -> bool {
        self != ParticipationStatus::Dropped
    }

    /// Attendance: from enrolled (or again from attended).
    pub fn attend(self) -> Result<ParticipationStatus, ParticipationError> {
        match self {
            Self::Enrolled | Self::Attended => Ok(Self::Attended),
            Self::Completed => Err(ParticipationError::Completed),
            Self::Dropped => Err(ParticipationError::Dropped),
        }
    }

    /// Completion with JP and certificate: from enrolled or attended.
    pub fn complete(self) -> Result<ParticipationStatus, ParticipationError> {
        match self {
            Self::Enrolled | Self::Attended => Ok(Self::Completed),
            Self::Completed => Err(ParticipationError::Completed),
            Self::Dropped => Err(ParticipationError::Dropped),
        }
    }

    /// Leaving the programme before completing it.
    pub fn drop_out(self) -> Result<ParticipationStatus, ParticipationError> {
        match self {
            Self::Enrolled | Self::Attended => Ok(Self::Dropped),
            Self::Completed => Err(ParticipationError::Completed),
            Self::Dropped => Err(ParticipationError::Dropped),
        }
    }
}

/// Whether an employee may take a seat: not while he holds one (a dropped participation may
/// enrol again), and only while seats are left (`quota` none: unlimited; `taken`: seats held).
pub fn may_enrol(
    current: Option<ParticipationStatus>,
    quota: Option<u32>,
    taken: u32,
) -> Result<(), ParticipationError> {
    match current {
        Some(ParticipationStatus::Completed) => return Err(ParticipationError::Completed),
        Some(s) if s.holds_seat() => return Err(ParticipationError::AlreadyEnrolled),
        _ => {}
    }
    if quota.is_some_and(|q| taken >= q) {
        return Err(ParticipationError::Full);
    }
    Ok(())
}

named_enum! {
    /// Where a training record came from.
    RecordSource {
        Programme = ("programme", "Program Pengembangan Kompetensi"),
        External = ("external", "Diajukan Pegawai"),
        Import = ("import", "Impor"),
    }
}

named_enum! {
    /// Whether a record counts: external records wait for the superior's approval.
    RecordStatus {
        Pending = ("pending", "Menunggu Persetujuan"),
        Approved = ("approved", "Disetujui"),
        Rejected = ("rejected", "Ditolak"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the record was already decided")]
pub struct AlreadyDecided;

impl RecordStatus {
    /// The superior's decision on a pending record.
    pub fn decide(self, approve: bool) -> Result<RecordStatus, AlreadyDecided> {
        match self {
            RecordStatus::Pending if approve => Ok(RecordStatus::Approved),
            RecordStatus::Pending => Ok(RecordStatus::Rejected),
            _ => Err(AlreadyDecided),
        }
    }

    /// Only approved records count towards the JP of a year.
    pub fn counts(self) -> bool {
        self == RecordStatus::Approved
    }
}

/// What an evaluation said, as the recommendations read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub period: Period,
    pub predikat: Option<Predikat>,
    /// The penilai's rating per core value.
    pub core_values: Vec<(CoreValue, Rating)>,
    /// Each indicator with its capaian for the period and its competency tags.
    pub indicators: Vec<IndicatorOutcome>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorOutcome {
    pub id: Uuid,
    pub code: String,
    pub capaian: Decimal,
    pub competencies: Vec<String>,
}

/// Why development is recommended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Finding {
    /// A core value rated below expectation: programmes tagged with that value.
    CoreValueBelowExpectation {
        period: Period,
        core_value: CoreValue,
    },
    /// Predikat butuh perbaikan, kurang or sangat kurang: a development plan is due.
    PredikatLow { period: Period, predikat: Predikat },
    /// An indicator's capaian below the weak threshold: programmes tagged with its competencies.
    WeakIndicator {
        period: Period,
        indicator_id: Uuid,
        indicator_code: String,
        #[serde(with = "rust_decimal::serde::str")]
        capaian: Decimal,
        #[serde(with = "rust_decimal::serde::str")]
        threshold: Decimal,
        competencies: Vec<String>,
    },
}

impl Finding {
    pub fn period(&self) -> Period {
        match self {
            Finding::CoreValueBelowExpectation { period, .. }
            | Finding::PredikatLow { period, .. }
            | Finding::WeakIndicator { period, .. } => *period,
        }
    }

    /// The programme tags that answer the finding (none for a low predikat by itself: it asks
    /// for a plan, made of what the other findings match).
    pub fn tags(&self) -> Vec<String> {
        match self {
            Finding::CoreValueBelowExpectation { core_value, .. } => {
                vec![core_value.as_str().to_owned()]
            }
            Finding::PredikatLow { .. } => Vec::new(),
            Finding::WeakIndicator { competencies, .. } => {
                competencies.iter().map(|c| normalize_tag(c)).collect()
            }
        }
    }
}

/// Whether a predikat asks for a development plan.
pub fn predikat_low(p: Predikat) -> bool {
    matches!(
        p,
        Predikat::ButuhPerbaikan | Predikat::Kurang | Predikat::SangatKurang
    )
}

/// The findings of a cycle's evaluation outcomes, in period order: each core value rated below
/// expectation, each low predikat, each indicator whose capaian is below `weak` (percent).
pub fn findings(outcomes: &[Outcome], weak: Decimal) -> Vec<Finding> {
    let mut sorted: Vec<&Outcome> = outcomes.iter().collect();
    sorted.sort_by_key(|o| Period::ALL.iter().position(|p| *p == o.period));
    let mut out = Vec::new();
    for o in sorted {
        for (value, rating) in &o.core_values {
            if *rating == Rating::DiBawahEkspektasi {
                out.push(Finding::CoreValueBelowExpectation {
                    period: o.period,
                    core_value: *value,
                });
            }
        }
        if let Some(p) = o.predikat.filter(|p| predikat_low(*p)) {
            out.push(Finding::PredikatLow {
                period: o.period,
                predikat: p,
            });
        }
        for i in &o.indicators {
            if i.capaian < weak {
                out.push(Finding::WeakIndicator {
                    period: o.period,
                    indicator_id: i.id,
                    indicator_code: i.code.clone(),
                    capaian: i.capaian,
                    threshold: weak,
                    competencies: i.competencies.clone(),
                });
            }
        }
    }
    out
}

/// A programme as the recommendations match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: Uuid,
    pub competencies: Vec<String>,
}

/// A programme that answers some findings: which (indexes into the findings) and through which
/// tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    pub programme_id: Uuid,
    pub findings: Vec<usize>,
    pub matched_tags: Vec<String>,
}

/// The programmes whose tags match a finding's tags, most findings answered first (then in the
/// order offered).
pub fn recommend(findings: &[Finding], offers: &[Offer]) -> Vec<Recommendation> {
    let wanted: Vec<Vec<String>> = findings.iter().map(Finding::tags).collect();
    let mut out: Vec<Recommendation> = offers
        .iter()
        .filter_map(|offer| {
            let mut hit = Vec::new();
            let mut tags = BTreeSet::new();
            for (i, want) in wanted.iter().enumerate() {
                let matched: Vec<&String> = want
                    .iter()
                    .filter(|t| offer.competencies.contains(t))
                    .collect();
                if !matched.is_empty() {
                    hit.push(i);
                    tags.extend(matched.into_iter().cloned());
                }
            }
            (!hit.is_empty()).then(|| Recommendation {
                programme_id: offer.id,
                findings: hit,
                matched_tags: tags.into_iter().collect(),
            })
        })
        .collect();
    // A stable sort keeps the offered order among equals.
    out.sort_by_key(|r| std::cmp::Reverse(r.findings.len()));
    out
}

named_enum! {
    /// Where a development plan stands, derived from its enrolments.
    PlanStatus {
        None = ("none", "Belum Ada"),
        Planned = ("planned", "Direncanakan"),
        InProgress = ("in_progress", "Berjalan"),
        Done = ("done", "Selesai"),
    }
}

/// The status of a plan from the participations of its programmes (`None`: no participation):
/// `none` without a live enrolment (no programme, or every one dropped), `done` when every live
/// one is completed, `in_progress` once one is attended or completed, `planned` otherwise.
pub fn plan_status(items: &[Option<ParticipationStatus>]) -> PlanStatus {
    let live: Vec<ParticipationStatus> = items
        .iter()
        .flatten()
        .copied()
        .filter(|s| s.holds_seat())
        .collect();
    if live.is_empty() {
        PlanStatus::None
    } else if live.iter().all(|s| *s == ParticipationStatus::Completed) {
        PlanStatus::Done
    } else if live.iter().any(|s| {
        matches!(
            s,
            ParticipationStatus::Attended | ParticipationStatus::Completed
        )
    }) {
        PlanStatus::InProgress
    } else {
        PlanStatus::Planned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn jp_converts_to_whole_minutes_half_up() {
        for (jp, minutes) in [
            ("1", 45),
            ("20", 900),
            ("0.5", 23), // 22.5 rounds up
            ("0.1", 5),  // 4.5 rounds up
            ("2.25", 101),
            ("0.03", 1),
            ("2000", 90_000),
        ] {
            assert_eq!(minutes_of(d(jp)), Ok(minutes), "{jp} JP");
        }
        assert_eq!(minutes_of(d("0")), Err(JpError::NotPositive));
        assert_eq!(minutes_of(d("-1")), Err(JpError::NotPositive));
        assert_eq!(minutes_of(d("1.005")), Err(JpError::TooPrecise));
        assert_eq!(minutes_of(d("0.01")), Err(JpError::UnderOneMinute));
        assert_eq!(minutes_of(d("2000.01")), Err(JpError::TooLarge));
        // Trailing zeros are not precision.
        assert_eq!(minutes_of(d("1.500")), Ok(68));
    }

    #[test]
    fn minutes_show_as_jp_with_two_decimals() {
        assert_eq!(jp_of(900), d("20.00"));
        assert_eq!(jp_of(23), d("0.51"));
        assert_eq!(jp_of(899), d("19.98"));
        assert_eq!(jp_of(0), d("0"));
    }

    fn pns() -> Requirement {
        Requirement::of(EmploymentType::Pns, &Settings::default())
    }

    fn pppk() -> Requirement {
        Requirement::of(EmploymentType::Pppk, &Settings::default())
    }

    #[test]
    fn requirements_follow_employment_type_and_settings() {
        assert_eq!(
            pns(),
            Requirement {
                minimum: d("20"),
                cap: None
            }
        );
        assert_eq!(
            pppk(),
            Requirement {
                minimum: d("0"),
                cap: Some(d("24"))
            }
        );
        assert_eq!(
            Requirement::of(EmploymentType::PppkParuhWaktu, &Settings::default()),
            pppk()
        );
        let s = Settings {
            jp_minimum_pppk: d("10"),
            jp_cap_pppk: d("30"),
            ..Settings::default()
        };
        assert_eq!(
            Requirement::of(EmploymentType::Pppk, &s),
            Requirement {
                minimum: d("10"),
                cap: Some(d("30"))
            }
        );
    }

    #[test]
    fn compliance_table() {
        struct Case {
            minutes: i64,
            req: Requirement,
            met: bool,
            over_cap: bool,
            missing: &'static str,
        }
        let cases = [
            // PNS: 20 JP = 900 minutes, no cap.
            (
                "pns none",
                Case {
                    minutes: 0,
                    req: pns(),
                    met: false,
                    over_cap: false,
                    missing: "20.00",
                },
            ),
            (
                "pns one minute short",
                Case {
                    minutes: 899,
                    req: pns(),
                    met: false,
                    over_cap: false,
                    missing: "0.02",
                },
            ),
            (
                "pns exactly",
                Case {
                    minutes: 900,
                    req: pns(),
                    met: true,
                    over_cap: false,
                    missing: "0",
                },
            ),
            (
                "pns far above",
                Case {
                    minutes: 9000,
                    req: pns(),
                    met: true,
                    over_cap: false,
                    missing: "0",
                },
            ),
            // PPPK: minimum 0, cap 24 JP = 1080 minutes.
            (
                "pppk none",
                Case {
                    minutes: 0,
                    req: pppk(),
                    met: true,
                    over_cap: false,
                    missing: "0",
                },
            ),
            (
                "pppk at cap",
                Case {
                    minutes: 1080,
                    req: pppk(),
                    met: true,
                    over_cap: false,
                    missing: "0",
                },
            ),
            (
                "pppk a minute over cap",
                Case {
                    minutes: 1081,
                    req: pppk(),
                    met: false,
                    over_cap: true,
                    missing: "0",
                },
            ),
            // A fractional minimum compares exactly: 10.5 JP = 472.5 minutes.
            (
                "fractional minimum short",
                Case {
                    minutes: 472,
                    req: Requirement {
                        minimum: d("10.5"),
                        cap: Some(d("24")),
                    },
                    met: false,
                    over_cap: false,
                    missing: "0.02",
                },
            ),
            (
                "fractional minimum met",
                Case {
                    minutes: 473,
                    req: Requirement {
                        minimum: d("10.5"),
                        cap: Some(d("24")),
                    },
                    met: true,
                    over_cap: false,
                    missing: "0",
                },
            ),
        ];
        for (name, c) in cases {
            let got = compliance(c.minutes, c.req);
            assert_eq!(got.met, c.met, "{name}: met");
            assert_eq!(got.over_cap, c.over_cap, "{name}: over_cap");
            assert_eq!(got.missing_jp, d(c.missing), "{name}: missing");
            assert_eq!(got.jp, jp_of(c.minutes), "{name}: jp");
        }
    }

    #[test]
    fn every_method_has_its_route() {
        let klasikal: Vec<_> = Method::ALL
            .iter()
            .filter(|m| m.route() == Route::Klasikal)
            .map(|m| m.as_str())
            .collect();
        assert_eq!(
            klasikal,
            [
                "pelatihan",
                "seminar",
                "workshop",
                "kursus",
                "penataran",
                "bimbingan_teknis",
                "sosialisasi"
            ]
        );
        for m in [
            "coaching",
            "mentoring",
            "e_learning",
            "magang",
            "belajar_mandiri",
        ] {
            assert_eq!(Method::parse(m).unwrap().route(), Route::Nonklasikal, "{m}");
        }
    }

    #[test]
    fn tags_are_checked_and_free_tags_normalised() {
        assert_eq!(
            tag(" teknologi_informasi "),
            Ok("teknologi_informasi".into())
        );
        assert_eq!(tag("akuntabel"), Ok("akuntabel".into()));
        for bad in [
            "",
            "a",
            "Teknologi",
            "1abc",
            "tik-dasar",
            "tik dasar",
            &"a".repeat(51),
        ] {
            assert_eq!(tag(bad), Err(TagError::Malformed), "{bad:?}");
        }
        assert_eq!(
            normalize_tag(" Teknologi  Informasi "),
            "teknologi_informasi"
        );
        assert_eq!(normalize_tag("pelayanan-publik"), "pelayanan_publik");
        assert_eq!(normalize_tag("__x__"), "x");
    }

    #[test]
    fn schedules_keep_sessions_inside_the_dates() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let at = |h: u32| NaiveTime::from_hms_opt(h, 0, 0);
        let session = |d: u32, a: u32, b: u32| Session {
            date: day(d),
            start_time: at(a),
            end_time: at(b),
            location: None,
        };
        assert_eq!(
            check_schedule(day(2), day(4), &[session(2, 8, 12), session(4, 13, 16)]),
            Ok(())
        );
        assert_eq!(check_schedule(day(2), day(2), &[]), Ok(()));
        assert_eq!(
            check_schedule(day(4), day(2), &[]),
            Err((None, ScheduleError::EndBeforeStart))
        );
        assert_eq!(
            check_schedule(day(2), day(4), &[session(2, 8, 12), session(5, 8, 12)]),
            Err((Some(1), ScheduleError::SessionOutside))
        );
        assert_eq!(
            check_schedule(day(2), day(4), &[session(3, 12, 8)]),
            Err((Some(0), ScheduleError::SessionEndsBeforeStart))
        );
    }

    #[test]
    fn participation_life() {
        use ParticipationStatus::*;
        assert_eq!(Enrolled.attend(), Ok(Attended));
        assert_eq!(Attended.attend(), Ok(Attended));
        assert_eq!(Enrolled.complete(), Ok(Completed));
        assert_eq!(Attended.complete(), Ok(Completed));
        assert_eq!(Completed.complete(), Err(ParticipationError::Completed));
        assert_eq!(Dropped.complete(), Err(ParticipationError::Dropped));
        assert_eq!(Attended.drop_out(), Ok(Dropped));
        assert_eq!(Completed.drop_out(), Err(ParticipationError::Completed));
        assert_eq!(Dropped.attend(), Err(ParticipationError::Dropped));
    }

    #[test]
    fn enrolment_respects_seats_and_the_quota() {
        use ParticipationStatus::*;
        assert_eq!(may_enrol(None, None, 1000), Ok(()));
        assert_eq!(may_enrol(None, Some(2), 1), Ok(()));
        assert_eq!(may_enrol(None, Some(2), 2), Err(ParticipationError::Full));
        assert_eq!(may_enrol(Some(Dropped), Some(2), 1), Ok(()));
        assert_eq!(
            may_enrol(Some(Enrolled), None, 0),
            Err(ParticipationError::AlreadyEnrolled)
        );
        assert_eq!(
            may_enrol(Some(Completed), None, 0),
            Err(ParticipationError::Completed)
        );
    }

    #[test]
    fn records_are_decided_once_and_only_approved_ones_count() {
        assert_eq!(
            RecordStatus::Pending.decide(true),
            Ok(RecordStatus::Approved)
        );
        assert_eq!(
            RecordStatus::Pending.decide(false),
            Ok(RecordStatus::Rejected)
        );
        assert_eq!(RecordStatus::Approved.decide(false), Err(AlreadyDecided));
        assert_eq!(RecordStatus::Rejected.decide(true), Err(AlreadyDecided));
        assert!(RecordStatus::Approved.counts());
        assert!(!RecordStatus::Pending.counts());
        assert!(!RecordStatus::Rejected.counts());
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn outcome(period: Period) -> Outcome {
        Outcome {
            period,
            predikat: Some(Predikat::Baik),
            core_values: CoreValue::ALL
                .iter()
                .map(|v| (*v, Rating::SesuaiEkspektasi))
                .collect(),
            indicators: vec![IndicatorOutcome {
                id: id(1),
                code: "I1".into(),
                capaian: d("100"),
                competencies: vec!["Teknologi Informasi".into()],
            }],
        }
    }

    #[test]
    fn a_good_evaluation_finds_nothing() {
        assert!(findings(&[outcome(Period::Q1)], d("80")).is_empty());
    }

    #[test]
    fn findings_table() {
        let mut o = outcome(Period::Q2);
        o.core_values[0].1 = Rating::DiBawahEkspektasi;
        o.predikat = Some(Predikat::Kurang);
        o.indicators[0].capaian = d("79.99");
        let mut earlier = outcome(Period::Q1);
        earlier.predikat = Some(Predikat::ButuhPerbaikan);
        let got = findings(&[o, earlier], d("80"));
        assert_eq!(
            got,
            vec![
                Finding::PredikatLow {
                    period: Period::Q1,
                    predikat: Predikat::ButuhPerbaikan
                },
                Finding::CoreValueBelowExpectation {
                    period: Period::Q2,
                    core_value: CoreValue::BerorientasiPelayanan
                },
                Finding::PredikatLow {
                    period: Period::Q2,
                    predikat: Predikat::Kurang
                },
                Finding::WeakIndicator {
                    period: Period::Q2,
                    indicator_id: id(1),
                    indicator_code: "I1".into(),
                    capaian: d("79.99"),
                    threshold: d("80"),
                    competencies: vec!["Teknologi Informasi".into()],
                },
            ]
        );
        // Exactly at the threshold is not weak; the threshold is configurable.
        let mut at = outcome(Period::Q3);
        at.indicators[0].capaian = d("80");
        assert!(findings(std::slice::from_ref(&at), d("80")).is_empty());
        assert_eq!(findings(&[at], d("90")).len(), 1);
        for (p, low) in [
            (Predikat::SangatBaik, false),
            (Predikat::Baik, false),
            (Predikat::ButuhPerbaikan, true),
            (Predikat::Kurang, true),
            (Predikat::SangatKurang, true),
        ] {
            assert_eq!(predikat_low(p), low, "{p:?}");
        }
    }

    #[test]
    fn recommendations_match_tags_and_say_which_findings() {
        let found = vec![
            Finding::CoreValueBelowExpectation {
                period: Period::Q1,
                core_value: CoreValue::BerorientasiPelayanan,
            },
            Finding::PredikatLow {
                period: Period::Q1,
                predikat: Predikat::ButuhPerbaikan,
            },
            Finding::WeakIndicator {
                period: Period::Q1,
                indicator_id: id(1),
                indicator_code: "I1".into(),
                capaian: d("60"),
                threshold: d("80"),
                competencies: vec!["Teknologi Informasi".into()],
            },
        ];
        let offers = vec![
            Offer {
                id: id(10),
                competencies: vec!["teknologi_informasi".into()],
            },
            Offer {
                id: id(11),
                competencies: vec!["akuntabel".into()],
            },
            Offer {
                id: id(12),
                competencies: vec![
                    "berorientasi_pelayanan".into(),
                    "teknologi_informasi".into(),
                ],
            },
        ];
        let got = recommend(&found, &offers);
        assert_eq!(
            got,
            vec![
                Recommendation {
                    programme_id: id(12),
                    findings: vec![0, 2],
                    matched_tags: vec![
                        "berorientasi_pelayanan".into(),
                        "teknologi_informasi".into()
                    ],
                },
                Recommendation {
                    programme_id: id(10),
                    findings: vec![2],
                    matched_tags: vec!["teknologi_informasi".into()],
                },
            ]
        );
        assert!(recommend(&found[1..2], &offers).is_empty());
    }

    #[test]
    fn plan_status_table() {
        use ParticipationStatus::*;
        for (items, want) in [
            (vec![], PlanStatus::None),
            (vec![None], PlanStatus::None),
            (vec![Some(Dropped)], PlanStatus::None),
            (vec![Some(Enrolled), Some(Enrolled)], PlanStatus::Planned),
            (vec![Some(Enrolled), Some(Dropped)], PlanStatus::Planned),
            (vec![Some(Enrolled), Some(Attended)], PlanStatus::InProgress),
            (
                vec![Some(Enrolled), Some(Completed)],
                PlanStatus::InProgress,
            ),
            (vec![Some(Completed), Some(Dropped)], PlanStatus::Done),
            (vec![Some(Completed), Some(Completed)], PlanStatus::Done),
        ] {
            assert_eq!(plan_status(&items), want, "{items:?}");
        }
    }
}
