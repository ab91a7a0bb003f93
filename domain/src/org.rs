//! People and organisation (DOMAIN §1): NIP and NI PPPK, golongan, unit codes, the unit tree
//! and the reporting line.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::Hash;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// PNS, PPPK, or part-time PPPK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    Pns,
    Pppk,
    PppkParuhWaktu,
}

impl EmploymentType {
    pub const ALL: [EmploymentType; 3] = [
        EmploymentType::Pns,
        EmploymentType::Pppk,
        EmploymentType::PppkParuhWaktu,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmploymentType::Pns => "pns",
            EmploymentType::Pppk => "pppk",
            EmploymentType::PppkParuhWaktu => "pppk_paruh_waktu",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EmploymentType::Pns => "PNS",
            EmploymentType::Pppk => "PPPK",
            EmploymentType::PppkParuhWaktu => "PPPK Paruh Waktu",
        }
    }

    pub fn parse(s: &str) -> Option<EmploymentType> {
        EmploymentType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn is_pns(self) -> bool {
        self == EmploymentType::Pns
    }
}

named_enum! {
    /// The kind of a unit kerja.
    UnitKind {
        Dinas = ("dinas", "Dinas"),
        Badan = ("badan", "Badan"),
        Sekretariat = ("sekretariat", "Sekretariat"),
        Inspektorat = ("inspektorat", "Inspektorat"),
        Kecamatan = ("kecamatan", "Kecamatan"),
        Kelurahan = ("kelurahan", "Kelurahan"),
        Upt = ("upt", "Unit Pelaksana Teknis"),
        Bagian = ("bagian", "Bagian"),
        Bidang = ("bidang", "Bidang"),
        Lainnya = ("lainnya", "Lainnya"),
    }
}

named_enum! {
    /// The kind of a jabatan.
    PositionKind {
        Jpt = ("jpt", "Jabatan Pimpinan Tinggi"),
        Administrator = ("administrator", "Jabatan Administrator"),
        Pengawas = ("pengawas", "Jabatan Pengawas"),
        Pelaksana = ("pelaksana", "Jabatan Pelaksana"),
        Fungsional = ("fungsional", "Jabatan Fungsional"),
    }
}

named_enum! {
    /// An employee's standing.
    EmployeeStatus {
        Active = ("active", "Aktif"),
        CutiLuarTanggungan = ("cuti_luar_tanggungan", "Cuti di Luar Tanggungan Negara"),
        TugasBelajar = ("tugas_belajar", "Tugas Belajar"),
        Pensiun = ("pensiun", "Pensiun"),
        Meninggal = ("meninggal", "Meninggal Dunia"),
        Diberhentikan = ("diberhentikan", "Diberhentikan"),
        Inactive = ("inactive", "Tidak Aktif"),
    }
}

/// Why an 18-digit employee number is not valid. One variant per reason, so the API can say
/// exactly what is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NipError {
    #[error("must be exactly 18 digits (it has {0} characters)")]
    WrongLength(usize),
    #[error("must contain digits only")]
    NotDigits,
    #[error("the first 8 digits must be a real birth date (YYYYMMDD)")]
    InvalidBirthDate,
    #[error("digits 9-14 must be the TMT CPNS year and month (YYYYMM, month 01-12)")]
    InvalidTmt,
    #[error("the TMT CPNS must be at least 18 years after the birth month")]
    TmtBeforeAge18,
    #[error("digits 13-16 must be the first appointment year, at least 18 years after birth")]
    AppointmentBeforeAge18,
    #[error("the gender digit must be 1 or 2")]
    InvalidGenderDigit,
    #[error("the serial (last 3 digits) must be 001 or more")]
    InvalidSerial,
}

impl NipError {
    /// The stable code of the reason.
    pub fn code(self) -> &'static str {
        match self {
            NipError::WrongLength(_) => "nip_wrong_length",
            NipError::NotDigits => "nip_not_digits",
            NipError::InvalidBirthDate => "nip_invalid_birth_date",
            NipError::InvalidTmt => "nip_invalid_tmt",
            NipError::TmtBeforeAge18 => "nip_tmt_before_age_18",
            NipError::AppointmentBeforeAge18 => "nip_appointment_before_age_18",
            NipError::InvalidGenderDigit => "nip_invalid_gender_digit",
            NipError::InvalidSerial => "nip_invalid_serial",
        }
    }

    pub fn message_id(self) -> String {
        match self {
            NipError::WrongLength(n) => format!("harus tepat 18 digit (ada {n} karakter)"),
            NipError::NotDigits => "hanya boleh berisi angka".into(),
            NipError::InvalidBirthDate => {
                "8 digit pertama harus tanggal lahir yang valid (YYYYMMDD)".into()
            }
            NipError::InvalidTmt => {
                "digit 9-14 harus tahun dan bulan TMT CPNS (YYYYMM, bulan 01-12)".into()
            }
            NipError::TmtBeforeAge18 => {
                "TMT CPNS harus minimal 18 tahun setelah bulan lahir".into()
            }
            NipError::AppointmentBeforeAge18 => {
                "digit 13-16 harus tahun pengangkatan pertama, minimal 18 tahun setelah lahir"
                    .into()
            }
            NipError::InvalidGenderDigit => "digit jenis kelamin harus 1 atau 2".into(),
            NipError::InvalidSerial => "nomor urut (3 digit terakhir) minimal 001".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
}

/// A validated NIP (PNS) or NI PPPK: 18 digits whose parts make sense.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nip(String);

impl Nip {
    /// Validates `raw` as the number of an employee of this employment type.
    ///
    /// PNS: `YYYYMMDD` birth date, `YYYYMM` TMT CPNS at least 18 years after the birth month,
    /// gender digit, 3-digit serial ≥ 001. There is no check digit.
    /// PPPK: `YYYYMMDD` birth date, `YYYY` first-appointment year at least 18 years after the birth
    /// year, two digits (type and contract count; meaning unconfirmed, so only digits), gender digit,
    /// serial.
    pub fn parse(raw: &str, employment: EmploymentType) -> Result<Nip, NipError> {
        let s = raw.trim();
        let length = s.chars().count();
        if length != 18 {
            return Err(NipError::WrongLength(length));
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NipError::NotDigits);
        }
        let num = |from: usize, to: usize| -> u32 { s[from..to].parse().unwrap_or(0) };
        let birth = NaiveDate::from_ymd_opt(num(0, 4) as i32, num(4, 6), num(6, 8))
            .filter(|d| d.year() >= 1900)
            .ok_or(NipError::InvalidBirthDate)?;
        if employment.is_pns() {
            let (tmt_year, tmt_month) = (num(8, 12) as i32, num(12, 14));
            if !(1..=12).contains(&tmt_month) || tmt_year < 1900 {
                return Err(NipError::InvalidTmt);
            }
            let tmt = tmt_year * 12 + tmt_month as i32;
            let adult = (birth.year() + 18) * 12 + birth.month() as i32;
            if tmt < adult {
                return Err(NipError::TmtBeforeAge18);
            }
        } else if (num(8, 12) as i32) < birth.year() + 18 {
            return Err(NipError::AppointmentBeforeAge18);
        }
        if !matches!(&s[14..15], "1" | "2") {
            return Err(NipError::InvalidGenderDigit);
        }
        if num(15, 18) == 0 {
            return Err(NipError::InvalidSerial);
        }
        Ok(Nip(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[0..8], "%Y%m%d").ok()
    }

    pub fn gender(&self) -> Gender {
        if &self.0[14..15] == "2" {
            Gender::Female
        } else {
            Gender::Male
        }
    }
}

impl fmt::Display for Nip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Golongan/ruang: PNS `I/a`..`IV/e` (17 steps), PPPK `I`..`XVII`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Golongan {
    code: &'static str,
    /// 1..=17 within its scheme.
    step: u8,
}

const PNS_GOLONGAN: [(&str, &str); 17] = [
    ("I/a", "Juru Muda"),
    ("I/b", "Juru Muda Tingkat I"),
    ("I/c", "Juru"),
    ("I/d", "Juru Tingkat I"),
    ("II/a", "Pengatur Muda"),
    ("II/b", "Pengatur Muda Tingkat I"),
    ("II/c", "Pengatur"),
    ("II/d", "Pengatur Tingkat I"),
    ("III/a", "Penata Muda"),
    ("III/b", "Penata Muda Tingkat I"),
    ("III/c", "Penata"),
    ("III/d", "Penata Tingkat I"),
    ("IV/a", "Pembina"),
    ("IV/b", "Pembina Tingkat I"),
    ("IV/c", "Pembina Utama Muda"),
    ("IV/d", "Pembina Utama Madya"),
    ("IV/e", "Pembina Utama"),
];

const PPPK_GOLONGAN: [&str; 17] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
    "XVI", "XVII",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GolonganError {
    #[error("is not a PNS golongan (I/a to IV/e)")]
    NotPns,
    #[error("is not a PPPK golongan (I to XVII)")]
    NotPppk,
}

impl Golongan {
    /// Parses a golongan for this employment type (case-insensitive for the ruang letter).
    pub fn parse(raw: &str, employment: EmploymentType) -> Result<Golongan, GolonganError> {
        let s = raw.trim();
        if employment.is_pns() {
            PNS_GOLONGAN
                .iter()
                .position(|(code, _)| code.eq_ignore_ascii_case(s))
                .map(|i| Golongan {
                    code: PNS_GOLONGAN[i].0,
                    step: i as u8 + 1,
                })
                .ok_or(GolonganError::NotPns)
        } else {
            PPPK_GOLONGAN
                .iter()
                .position(|code| code.eq_ignore_ascii_case(s))
                .map(|i| Golongan {
                    code: PPPK_GOLONGAN[i],
                    step: i as u8 + 1,
                })
                .ok_or(GolonganError::NotPppk)
        }
    }

    pub fn as_str(&self) -> &'static str {
        self.code
    }

    pub fn step(&self) -> u8 {
        self.step
    }

    /// The pangkat of a PNS golongan (`None` for PPPK).
    pub fn pangkat(&self) -> Option<&'static str> {
        PNS_GOLONGAN
            .iter()
            .find(|(code, _)| *code == self.code)
            .map(|(_, name)| *name)
    }
}

/// A unit code: 1–32 letters, digits, `.`, `-`, `_`, starting with a letter or digit (codes
/// appear in URLs, where `.` and `..` would be read as dot segments).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UnitCodeError {
    #[error("must be 1 to 32 characters long")]
    Length,
    #[error(
        "may contain only letters, digits, '.', '-' and '_', and starts with a letter or digit"
    )]
    Characters,
}

impl UnitCode {
    pub fn parse(raw: &str) -> Result<UnitCode, UnitCodeError> {
        let s = raw.trim();
        if s.is_empty() || s.len() > 32 {
            return Err(UnitCodeError::Length);
        }
        if !s.starts_with(|c: char| c.is_ascii_alphanumeric())
            || !s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err(UnitCodeError::Characters);
        }
        Ok(UnitCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether setting `node`'s parent to `new_parent` would close a loop, given the current
/// parent of every node. Also true when `new_parent == node`.
pub fn would_create_cycle<K: Eq + Hash + Copy>(
    parents: &HashMap<K, Option<K>>,
    node: K,
    new_parent: Option<K>,
) -> bool {
    let mut seen = HashSet::new();
    let mut current = new_parent;
    while let Some(k) = current {
        if k == node || !seen.insert(k) {
            return true;
        }
        current = parents.get(&k).copied().flatten();
    }
    false
}

/// Every node that lies on a cycle of the parent relation (for whole-file checks of imports).
pub fn nodes_on_cycles<K: Eq + Hash + Copy + Ord>(parents: &HashMap<K, Option<K>>) -> Vec<K> {
    let mut on_cycle = HashSet::new();
    let mut done: HashSet<K> = HashSet::new();
    let mut keys: Vec<K> = parents.keys().copied().collect();
    keys.sort();
    for start in keys {
        if done.contains(&start) {
            continue;
        }
        // Walk up, remembering the path; meeting the path again closes a cycle.
        let mut path: Vec<K> = Vec::new();
        let mut index: HashMap<K, usize> = HashMap::new();
        let mut current = Some(start);
        while let Some(k) = current {
            if done.contains(&k) {
                break;
            }
            if let Some(&at) = index.get(&k) {
                on_cycle.extend(path[at..].iter().copied());
                break;
            }
            index.insert(k, path.len());
            path.push(k);
            current = parents.get(&k).copied().flatten();
        }
        done.extend(path);
    }
    let mut result: Vec<K> = on_cycle.into_iter().collect();
    result.sort();
    result
}

/// Orders nodes so that every node comes after its parent (parents outside `parents` count as
/// already there). Assumes no cycles.
pub fn parents_first<K: Eq + Hash + Copy + Ord>(parents: &HashMap<K, Option<K>>) -> Vec<K> {
    let mut depth_cache: HashMap<K, usize> = HashMap::new();
    fn depth<K: Eq + Hash + Copy>(
        k: K,
        parents: &HashMap<K, Option<K>>,
        cache: &mut HashMap<K, usize>,
        guard: usize,
    ) -> usize {
        if let Some(&d) = cache.get(&k) {
            return d;
        }
        let d = match parents.get(&k).copied().flatten() {
            Some(p) if parents.contains_key(&p) && guard < parents.len() => {
                depth(p, parents, cache, guard + 1) + 1
            }
            _ => 0,
        };
        cache.insert(k, d);
        d
    }
    let mut keys: Vec<K> = parents.keys().copied().collect();
    keys.sort();
    let mut with_depth: Vec<(usize, K)> = keys
        .into_iter()
        .map(|k| (depth(k, parents, &mut depth_cache, 0), k))
        .collect();
    with_depth.sort();
    with_depth.into_iter().map(|(_, k)| k).collect()
}

/// The units an OPD-bounded scope covers: `root` and its descendants, not entering descendant
/// units that are OPDs themselves (the Setda's scope does not include the dinas below it).
/// `children` lists each unit's children with their `is_opd` flag.
pub fn scope_within_opd<K: Eq + Hash + Copy>(
    root: K,
    children: &HashMap<K, Vec<(K, bool)>>,
) -> HashSet<K> {
    let mut scope = HashSet::from([root]);
    let mut stack = vec![root];
    while let Some(unit) = stack.pop() {
        for (child, is_opd) in children.get(&unit).map(Vec::as_slice).unwrap_or(&[]) {
            if !*is_opd && scope.insert(*child) {
                stack.push(*child);
            }
        }
    }
    scope
}

/// `root` and every descendant.
pub fn whole_subtree<K: Eq + Hash + Copy>(
    root: K,
    children: &HashMap<K, Vec<(K, bool)>>,
) -> HashSet<K> {
    let mut scope = HashSet::from([root]);
    let mut stack = vec![root];
    while let Some(unit) = stack.pop() {
        for (child, _) in children.get(&unit).map(Vec::as_slice).unwrap_or(&[]) {
            if scope.insert(*child) {
                stack.push(*child);
            }
        }
    }
    scope
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PNS: EmploymentType = EmploymentType::Pns;
    const PPPK: EmploymentType = EmploymentType::Pppk;

    #[test]
    fn nip_examples_from_the_domain_reference() {
        // Born 1992-01-15 with TMT 2010-01 is valid; TMT 2009-12 is not.
        assert!(Nip::parse("199201152010011001", PNS).is_ok());
        assert_eq!(
            Nip::parse("199201152009121001", PNS),
            Err(NipError::TmtBeforeAge18)
        );
        let nip = Nip::parse("198507122010011003", PNS).unwrap();
        assert_eq!(nip.birth_date(), NaiveDate::from_ymd_opt(1985, 7, 12));
        assert_eq!(nip.gender(), Gender::Male);
    }

    #[test]
    fn every_nip_failure_has_its_own_reason() {
        let cases = [
            ("19850712201001100", NipError::WrongLength(17)),
            ("1985071220100110031", NipError::WrongLength(19)),
            ("19850712201001100A", NipError::NotDigits),
            ("198513122010011003", NipError::InvalidBirthDate),
            ("198502302010011003", NipError::InvalidBirthDate),
            ("198507122010131003", NipError::InvalidTmt),
            ("198507122010001003", NipError::InvalidTmt),
            ("198507122003061003", NipError::TmtBeforeAge18),
            ("198507122010013003", NipError::InvalidGenderDigit),
            ("198507122010010003", NipError::InvalidGenderDigit),
            ("198507122010011000", NipError::InvalidSerial),
        ];
        for (raw, expected) in cases {
            assert_eq!(Nip::parse(raw, PNS), Err(expected), "{raw}");
        }
        // Leap day exists in 1992, not in 1991.
        assert!(Nip::parse("199202292011011001", PNS).is_ok());
        assert_eq!(
            Nip::parse("199102292011011001", PNS),
            Err(NipError::InvalidBirthDate)
        );
        // TMT exactly in the birth month 18 years later is allowed.
        assert!(Nip::parse("199207312010071001", PNS).is_ok());
        assert_eq!(
            Nip::parse("199207312010061001", PNS),
            Err(NipError::TmtBeforeAge18)
        );
    }

    #[test]
    fn ni_pppk_rules() {
        // Born 1990-05-20, appointed 2021, type/contract 01, female, serial 001.
        assert!(Nip::parse("199005202021012001", PPPK).is_ok());
        assert!(Nip::parse("199005202021992001", EmploymentType::PppkParuhWaktu).is_ok());
        assert_eq!(
            Nip::parse("199005202007012001", PPPK),
            Err(NipError::AppointmentBeforeAge18)
        );
        assert_eq!(
            Nip::parse("199005202021013001", PPPK),
            Err(NipError::InvalidGenderDigit)
        );
        assert_eq!(
            Nip::parse("199005202021012000", PPPK),
            Err(NipError::InvalidSerial)
        );
        assert_eq!(
            Nip::parse("199013202021012001", PPPK),
            Err(NipError::InvalidBirthDate)
        );
        // Digits 13-14 of a NI PPPK are not a month: "99" is fine there.
        assert!(Nip::parse("199005202021992001", PPPK).is_ok());
    }

    #[test]
    fn error_codes_are_distinct() {
        let all = [
            NipError::WrongLength(0),
            NipError::NotDigits,
            NipError::InvalidBirthDate,
            NipError::InvalidTmt,
            NipError::TmtBeforeAge18,
            NipError::AppointmentBeforeAge18,
            NipError::InvalidGenderDigit,
            NipError::InvalidSerial,
        ];
        let codes: HashSet<&str> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
    }

    proptest! {
        #[test]
        fn valid_pns_nips_round_trip(
            year in 1960i32..2000, month in 1u32..=12, day in 1u32..=28,
            years_after in 18i32..40, tmt_month in 1u32..=12, gender in 1u32..=2, serial in 1u32..=999,
        ) {
            let tmt_year = year + years_after + i32::from(tmt_month < month);
            let raw = format!("{year:04}{month:02}{day:02}{tmt_year:04}{tmt_month:02}{gender}{serial:03}");
            let nip = Nip::parse(&raw, PNS).unwrap();
            prop_assert_eq!(nip.as_str(), raw.as_str());
        }

        #[test]
        fn any_18_char_string_parses_or_names_a_reason(raw in "[0-9A]{18}") {
            let _ = Nip::parse(&raw, PNS);
            let _ = Nip::parse(&raw, PPPK);
        }
    }

    #[test]
    fn golongan_per_employment_type() {
        assert_eq!(Golongan::parse("III/b", PNS).map(|g| g.step()), Ok(10));
        assert_eq!(Golongan::parse("iv/E", PNS).map(|g| g.as_str()), Ok("IV/e"));
        assert_eq!(
            Golongan::parse("IV/e", PNS).unwrap().pangkat(),
            Some("Pembina Utama")
        );
        assert_eq!(Golongan::parse("I/e", PNS), Err(GolonganError::NotPns));
        assert_eq!(Golongan::parse("IX", PNS), Err(GolonganError::NotPns));
        assert_eq!(Golongan::parse("IX", PPPK).map(|g| g.step()), Ok(9));
        assert_eq!(
            Golongan::parse("XVII", EmploymentType::PppkParuhWaktu).map(|g| g.step()),
            Ok(17)
        );
        assert_eq!(Golongan::parse("XVIII", PPPK), Err(GolonganError::NotPppk));
        assert_eq!(Golongan::parse("III/b", PPPK), Err(GolonganError::NotPppk));
        assert_eq!(PNS_GOLONGAN.len(), 17);
    }

    #[test]
    fn unit_codes() {
        assert!(UnitCode::parse("DISDUKCAPIL.KTP-01_a").is_ok());
        assert_eq!(UnitCode::parse(""), Err(UnitCodeError::Length));
        assert_eq!(UnitCode::parse(&"a".repeat(33)), Err(UnitCodeError::Length));
        assert_eq!(UnitCode::parse("../etc"), Err(UnitCodeError::Characters));
        assert_eq!(UnitCode::parse("a b"), Err(UnitCodeError::Characters));
        for dots in [".", "..", ".hidden", "-x", "_x"] {
            assert_eq!(
                UnitCode::parse(dots),
                Err(UnitCodeError::Characters),
                "{dots}"
            );
        }
    }

    #[test]
    fn cycles_are_found() {
        let parents: HashMap<u32, Option<u32>> =
            HashMap::from([(1, None), (2, Some(1)), (3, Some(2))]);
        assert!(would_create_cycle(&parents, 1, Some(3)));
        assert!(would_create_cycle(&parents, 2, Some(2)));
        assert!(!would_create_cycle(&parents, 3, Some(1)));
        assert!(!would_create_cycle(&parents, 1, None));

        let looped: HashMap<u32, Option<u32>> = HashMap::from([
            (1, Some(3)),
            (2, Some(1)),
            (3, Some(2)),
            (4, Some(1)),
            (5, None),
            (6, Some(6)),
        ]);
        assert_eq!(nodes_on_cycles(&looped), vec![1, 2, 3, 6]);
        assert!(nodes_on_cycles(&parents).is_empty());
    }

    #[test]
    fn parents_come_first() {
        let parents: HashMap<u32, Option<u32>> =
            HashMap::from([(3, Some(2)), (2, Some(1)), (1, Some(99)), (4, None)]);
        let order = parents_first(&parents);
        let at = |k| order.iter().position(|x| *x == k).unwrap();
        assert!(at(1) < at(2) && at(2) < at(3));
    }

    #[test]
    fn opd_scopes_stop_at_descendant_opds() {
        // Setda (OPD) → Bagian Umum (not OPD) → Subbag; Setda → Dinas (OPD) → Bidang.
        let children = HashMap::from([
            ("setda", vec![("umum", false), ("dinas", true)]),
            ("umum", vec![("subbag", false)]),
            ("dinas", vec![("bidang", false)]),
        ]);
        let scope = scope_within_opd("setda", &children);
        assert_eq!(scope, HashSet::from(["setda", "umum", "subbag"]));
        assert_eq!(whole_subtree("setda", &children).len(), 5);
    }
}
