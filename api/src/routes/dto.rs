//! Types shared by several resources' DTOs: the role and scope names as the contract shows them.

use std::str::FromStr;

use kinerja_domain::accounts::{Role, Scope};
use rust_decimal::Decimal;

use crate::error::{FieldError, Msg};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role of a person's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Admin,
    UnitAdmin,
    Employee,
    Auditor,
}

impl From<RoleName> for Role {
    fn from(r: RoleName) -> Role {
        match r {
            RoleName::Admin => Role::Admin,
            RoleName::UnitAdmin => Role::UnitAdmin,
            RoleName::Employee => Role::Employee,
            RoleName::Auditor => Role::Auditor,
        }
    }
}

impl From<Role> for RoleName {
    fn from(r: Role) -> RoleName {
        match r {
            Role::Admin => RoleName::Admin,
            Role::UnitAdmin => RoleName::UnitAdmin,
            Role::Employee => RoleName::Employee,
            Role::Auditor => RoleName::Auditor,
        }
    }
}

/// What a service account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum ScopeName {
    #[serde(rename = "import:units")]
    ImportUnits,
    #[serde(rename = "import:employees")]
    ImportEmployees,
    #[serde(rename = "import:skps")]
    ImportSkps,
    #[serde(rename = "import:realizations")]
    ImportRealizations,
    #[serde(rename = "import:survey-responses")]
    ImportSurveyResponses,
    #[serde(rename = "import:training-records")]
    ImportTrainingRecords,
    #[serde(rename = "read:org")]
    ReadOrg,
    #[serde(rename = "read:performance")]
    ReadPerformance,
    #[serde(rename = "read:reports")]
    ReadReports,
    #[serde(rename = "read:events")]
    ReadEvents,
    #[serde(rename = "submit:surveys")]
    SubmitSurveys,
}

impl From<ScopeName> for Scope {
    fn from(s: ScopeName) -> Scope {
        match s {
            ScopeName::ImportUnits => Scope::ImportUnits,
            ScopeName::ImportEmployees => Scope::ImportEmployees,
            ScopeName::ImportSkps => Scope::ImportSkps,
            ScopeName::ImportRealizations => Scope::ImportRealizations,
            ScopeName::ImportSurveyResponses => Scope::ImportSurveyResponses,
            ScopeName::ImportTrainingRecords => Scope::ImportTrainingRecords,
            ScopeName::ReadOrg => Scope::ReadOrg,
            ScopeName::ReadPerformance => Scope::ReadPerformance,
            ScopeName::ReadReports => Scope::ReadReports,
            ScopeName::ReadEvents => Scope::ReadEvents,
            ScopeName::SubmitSurveys => Scope::SubmitSurveys,
        }
    }
}

impl From<Scope> for ScopeName {
    fn from(s: Scope) -> ScopeName {
        match s {
            Scope::ImportUnits => ScopeName::ImportUnits,
            Scope::ImportEmployees => ScopeName::ImportEmployees,
            Scope::ImportSkps => ScopeName::ImportSkps,
            Scope::ImportRealizations => ScopeName::ImportRealizations,
            Scope::ImportSurveyResponses => ScopeName::ImportSurveyResponses,
            Scope::ImportTrainingRecords => ScopeName::ImportTrainingRecords,
            Scope::ReadOrg => ScopeName::ReadOrg,
            Scope::ReadPerformance => ScopeName::ReadPerformance,
            Scope::ReadReports => ScopeName::ReadReports,
            Scope::ReadEvents => ScopeName::ReadEvents,
            Scope::SubmitSurveys => ScopeName::SubmitSurveys,
        }
    }
}

/// Deserialises a field that may be absent (keep), `null` (clear) or a value (set): the three
/// cases of JSON Merge Patch. Use with `#[serde(default, deserialize_with = "patch_field")]`.
pub fn patch_field<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A merge-patch field that may be absent or set, but not `null` (nothing to clear).
pub fn not_null<T>(
    field: &str,
    value: Option<Option<T>>,
    errors: &mut Vec<crate::error::FieldError>,
) -> Option<T> {
    match value {
        Some(None) => {
            errors.push(crate::error::FieldError::new(
                field,
                "not_nullable",
                crate::error::Msg::new(
                    "cannot be null; leave it out to keep it",
                    "tidak boleh null; hilangkan untuk mempertahankan",
                ),
            ));
            None
        }
        Some(Some(v)) => Some(v),
        None => None,
    }
}

/// 422 for the field errors found while reading a patch.
pub fn patch_errors(errors: Vec<crate::error::FieldError>) -> Result<(), crate::error::ApiError> {
    if errors.is_empty() {
        return Ok(());
    }
    Err(
        crate::error::ApiError::new(crate::error::ErrorCode::ValidationFailed)
            .with_detail("Some fields are invalid.", "Beberapa field tidak valid.")
            .with_errors(errors),
    )
}

/// JSON responses with an `ETag` (and a `Location` when created).
pub mod respond {
    use actix_web::HttpResponse;
    use actix_web::http::header;
    use serde::Serialize;

    use crate::http::precondition::etag;

    pub fn ok<T: Serialize>(version: i64, body: &T) -> HttpResponse {
        HttpResponse::Ok()
            .insert_header((header::ETAG, etag(version)))
            .json(body)
    }

    pub fn created<T: Serialize>(location: String, version: i64, body: &T) -> HttpResponse {
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .insert_header((header::ETAG, etag(version)))
            .json(body)
    }
}

/// Mirrors a domain enum as a documented DTO enum (the domain crate knows no OpenAPI).
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $dto:ident => $domain:path { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $dto { $($variant),+ }

        impl From<$dto> for $domain {
            fn from(v: $dto) -> $domain {
                match v { $($dto::$variant => <$domain>::$variant),+ }
            }
        }

        impl From<$domain> for $dto {
            fn from(v: $domain) -> $dto {
                match v { $(<$domain>::$variant => $dto::$variant),+ }
            }
        }
    };
}

mirror_enum! {
    /// A quarter of the cycle; `q4` is the annual evaluation.
    PeriodName => kinerja_domain::capaian::Period { Q1, Q2, Q3, Q4 }
}

mirror_enum! {
    /// A BerAKHLAK core value.
    CoreValueName => kinerja_domain::feedback::CoreValue {
        BerorientasiPelayanan, Akuntabel, Kompeten, Harmonis, Loyal, Adaptif, Kolaboratif,
    }
}

mirror_enum! {
    /// Who wrote a feedback note or reply: the penilai, the pegawai, or an admin for the Wali Kota.
    AuthorRoleName => kinerja_domain::feedback::AuthorRole { Penilai, Pegawai, Admin }
}

mirror_enum! {
    /// A rating of hasil kerja or perilaku kerja.
    RatingName => kinerja_domain::assessment::Rating {
        DiAtasEkspektasi, SesuaiEkspektasi, DiBawahEkspektasi,
    }
}

mirror_enum! {
    /// Predikat kinerja pegawai (`kurang` is labelled "Kurang/Misconduct").
    PredikatName => kinerja_domain::assessment::Predikat {
        SangatBaik, Baik, ButuhPerbaikan, Kurang, SangatKurang,
    }
}

mirror_enum! {
    /// The life of an evaluation: `open` → `assessed` → `finalized`; `void` when the SKP ended
    /// before the period.
    EvaluationStatusName => kinerja_domain::assessment::EvaluationStatus { Open, Assessed, Finalized, Void }
}

mirror_enum! {
    /// The life of an objection: `filed` → `explained` → `accepted` | `rejected` (final).
    ObjectionStatusName => kinerja_domain::assessment::ObjectionStatus { Filed, Explained, Accepted, Rejected }
}

mirror_enum! {
    /// Predikat kinerja organisasi.
    OrgPredikatName => kinerja_domain::calibration::OrgPredikat {
        Istimewa, Baik, ButuhPerbaikan, Kurang, SangatKurang,
    }
}

mirror_enum! {
    /// The kind of a unit kerja.
    UnitKindName => kinerja_domain::org::UnitKind {
        Dinas, Badan, Sekretariat, Inspektorat, Kecamatan, Kelurahan, Upt, Bagian, Bidang, Lainnya,
    }
}

mirror_enum! {
    /// PNS, PPPK or part-time PPPK.
    EmploymentTypeName => kinerja_domain::org::EmploymentType { Pns, Pppk, PppkParuhWaktu }
}

mirror_enum! {
    /// The kind of a jabatan.
    PositionKindName => kinerja_domain::org::PositionKind { Jpt, Administrator, Pengawas, Pelaksana, Fungsional }
}

mirror_enum! {
    /// An employee's standing.
    EmployeeStatusName => kinerja_domain::org::EmployeeStatus {
        Active, CutiLuarTanggungan, TugasBelajar, Pensiun, Meninggal, Diberhentikan, Inactive,
    }
}

/// A JSON number as the exact decimal it was written as (`80.12`, not 80.1199999…); `field` is
/// named in `errors` when it cannot be one.
pub fn exact(field: &str, v: Option<f64>, errors: &mut Vec<FieldError>) -> Option<Decimal> {
    let v = v?;
    match Decimal::from_str(&v.to_string()).or_else(|_| Decimal::from_scientific(&format!("{v:e}")))
    {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "out_of_range",
                Msg::new("is out of range", "di luar rentang"),
            ));
            None
        }
    }
}

mirror_enum! {
    /// A route of competency development (Peraturan LAN 10/2018).
    RouteName => kinerja_domain::training::Route { Klasikal, Nonklasikal }
}

mirror_enum! {
    /// How the learning happens: `pelatihan`, `seminar`, `workshop`, `kursus`, `penataran`,
    /// `bimbingan_teknis`, `sosialisasi` (klasikal); the rest nonklasikal.
    MethodName => kinerja_domain::training::Method {
        Pelatihan, Seminar, Workshop, Kursus, Penataran, BimbinganTeknis, Sosialisasi, Coaching,
        Mentoring, ELearning, PelatihanJarakJauh, Magang, Benchmarking, Detasering,
        PertukaranPegawai, BelajarMandiri, KomunitasBelajar, AlamTerbuka,
    }
}

mirror_enum! {
    /// An employee's place in a programme: `enrolled` → `attended` → `completed`, or `dropped`.
    ParticipationStatusName => kinerja_domain::training::ParticipationStatus {
        Enrolled, Attended, Completed, Dropped,
    }
}

mirror_enum! {
    /// Where a training record came from.
    RecordSourceName => kinerja_domain::training::RecordSource { Programme, External, Import }
}

mirror_enum! {
    /// Whether a training record counts: only `approved` ones do.
    RecordStatusName => kinerja_domain::training::RecordStatus { Pending, Approved, Rejected }
}

mirror_enum! {
    /// A development plan's status, derived from its enrolments.
    PlanStatusName => kinerja_domain::training::PlanStatus { None, Planned, InProgress, Done }
}

/// A decimal as a JSON number, rounded half up to `dp` decimals (the rounding every figure of
/// the API uses).
pub fn num(d: Decimal, dp: u32) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    kinerja_domain::capaian::round_half_up(d, dp)
        .to_f64()
        .unwrap_or_default()
}
