//! The demo city: a plausible Pemerintah Kota Pematangsiantar for local trials (`kinerja
//! seed-demo`, `kinerja serve --demo`). Real OPD names, the 8 kecamatan with their kelurahan,
//! Disdukcapil's service counters and Dinas Kesehatan's puskesmas, about 1,500 employees with
//! valid NIPs and golongan and a complete reporting line up to the Sekretaris Daerah (whose
//! penilai, the Wali Kota, is no employee: an admin acts for him).
//!
//! Deterministic: the same reference date gives the same city, ids included. The demo logins
//! have published passwords: never seed a database that serves real people.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use kinerja_domain::accounts::Role;
use kinerja_domain::capaian::{Aggregation, Direction, Measure, Source};
use kinerja_domain::cycle::{CycleStatus, Settings};
use kinerja_domain::org::{EmployeeStatus, EmploymentType, Nip, PositionKind, UnitKind};
use kinerja_domain::skp::{Aspect, ProposedBy, RhkKind, SkpStatus};
use kinerja_persistence::Db;
use kinerja_persistence::repos::cycles::CycleRecord;
use kinerja_persistence::repos::employees::{self, EmployeeRecord};
use kinerja_persistence::repos::evaluations::EvaluationRecord;
use kinerja_persistence::repos::feedback::FeedbackRecord;
use kinerja_persistence::repos::objections::ObjectionRecord;
use kinerja_persistence::repos::realizations::{self, RealizationRecord};
use kinerja_persistence::repos::skm::{PeriodRecord, ResponseRecord, ServiceRecord};
use kinerja_persistence::repos::skps::{self, RhkRecord, SkpIndicatorRecord, SkpRecord};
use kinerja_persistence::repos::unit_indicators::UnitIndicatorRecord;
use kinerja_persistence::repos::unit_realizations::UnitRealizationRecord;
use kinerja_persistence::repos::units::{self, UnitRecord};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use uuid::Uuid;

use crate::error::ApiError;
use crate::services::Context;
use crate::services::users::{self, NewUser};

/// The default reference date of the demo city.
pub fn default_as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 15).unwrap_or_default()
}

/// A demo login, printed by the command.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: &'static str,
    pub username: String,
    pub password: &'static str,
    pub who: String,
}

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub units: usize,
    pub opds: usize,
    pub employees: usize,
    /// The running cycle of the reference year.
    pub cycle_year: i32,
    /// Perjanjian Kinerja indicators seeded for some OPDs.
    pub indicators: usize,
    /// Approved SKPs cascaded from the Sekda down through Disdukcapil.
    pub skps: usize,
    pub logins: Vec<DemoLogin>,
}

/// Why seeding did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(
        "the database already holds units: the demo city is seeded only into an empty database"
    )]
    NotEmpty,
    #[error("{0}")]
    Api(String),
}

impl From<ApiError> for SeedError {
    fn from(e: ApiError) -> Self {
        SeedError::Api(e.to_string())
    }
}

impl From<kinerja_persistence::PersistenceError> for SeedError {
    fn from(e: kinerja_persistence::PersistenceError) -> Self {
        SeedError::Api(e.to_string())
    }
}

const DINAS: &[(&str, &str)] = &[
    ("DISDIK", "Dinas Pendidikan"),
    ("DINKES", "Dinas Kesehatan"),
    ("DINSOS", "Dinas Sosial"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("DPRKP", "Dinas Perumahan Rakyat dan Kawasan Permukiman"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
    (
        "DPPPA",
        "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
    ),
    (
        "DPPKB",
        "Dinas Pengendalian Penduduk dan Keluarga Berencana",
    ),
    ("DISHUB", "Dinas Perhubungan"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
    ("DISKOPUKM", "Dinas Koperasi dan Usaha Kecil Menengah"),
    (
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    ),
    ("DISPORA", "Dinas Kepemudaan dan Olahraga"),
    ("DISBUDPAR", "Dinas Kebudayaan dan Pariwisata"),
    ("DISPUSIP", "Dinas Perpustakaan dan Kearsipan"),
    ("DKPP", "Dinas Ketahanan Pangan dan Pertanian"),
    ("DISPERINDAG", "Dinas Perdagangan dan Perindustrian"),
    ("DISNAKER", "Dinas Tenaga Kerja"),
    ("DAMKAR", "Dinas Pemadam Kebakaran dan Penyelamatan"),
];

const BADAN: &[(&str, &str)] = &[
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
    (
        "BKPSDM",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    ),
    ("BPKD", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    ("BAPENDA", "Badan Pendapatan Daerah"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah"),
    ("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik"),
];

const KECAMATAN: &[(&str, &str, &[&str])] = &[
    (
        "KEC.BARAT",
        "Siantar Barat",
        &[
            "Bantan",
            "Banjar",
            "Dwikora",
            "Proklamasi",
            "Simarito",
            "Sipinggol-pinggol",
            "Teladan",
            "Timbang Galung",
        ],
    ),
    (
        "KEC.UTARA",
        "Siantar Utara",
        &[
            "Bane",
            "Baru",
            "Kahean",
            "Martoba",
            "Melayu",
            "Sigulang-gulang",
            "Sukadame",
        ],
    ),
    (
        "KEC.TIMUR",
        "Siantar Timur",
        &[
            "Asuhan",
            "Kebun Sayur",
            "Merdeka",
            "Pahlawan",
            "Pardomuan",
            "Siopat Suhu",
            "Tomuan",
        ],
    ),
    (
        "KEC.SELATAN",
        "Siantar Selatan",
        &[
            "Aek Nauli",
            "Karo",
            "Kristen",
            "Martimbang",
            "Simalungun",
            "Toba",
        ],
    ),
    (
        "KEC.MARIHAT",
        "Siantar Marihat",
        &[
            "Baringin Pancur Nauli",
            "Mekar Nauli",
            "Pardamean",
            "Parhorasan Nauli",
            "Suka Makmur",
            "Sukamaju",
            "Sukaraja",
        ],
    ),
    (
        "KEC.MARIMBUN",
        "Siantar Marimbun",
        &[
            "Marihat Jaya",
            "Nagahuta",
            "Nagahuta Timur",
            "Pematang Marihat",
            "Simarimbun",
            "Tong Marimbun",
        ],
    ),
    (
        "KEC.MARTOBA",
        "Siantar Martoba",
        &[
            "Naga Pita",
            "Naga Pitu",
            "Pondok Sayur",
            "Sumber Jaya",
            "Tambun Nabolon",
            "Tanjung Pinggir",
            "Tanjung Tongah",
        ],
    ),
    (
        "KEC.SITALASARI",
        "Siantar Sitalasari",
        &[
            "Bah Kapul",
            "Bah Sorma",
            "Gurilla",
            "Setia Negara",
            "Sitalasari",
        ],
    ),
];

const SETDA_BAGIAN: &[(&str, &str)] = &[
    ("SETDA.PEM", "Bagian Tata Pemerintahan"),
    ("SETDA.HUKUM", "Bagian Hukum"),
    ("SETDA.ORG", "Bagian Organisasi"),
    ("SETDA.UMUM", "Bagian Umum"),
    (
        "SETDA.EKON",
        "Bagian Perekonomian dan Administrasi Pembangunan",
    ),
    ("SETDA.PBJ", "Bagian Pengadaan Barang dan Jasa"),
    ("SETDA.PROKOPIM", "Bagian Protokol dan Komunikasi Pimpinan"),
];

const FIRST_NAMES: &[&str] = &[
    "Budi",
    "Sri",
    "Rina",
    "Andi",
    "Dewi",
    "Hendra",
    "Maria",
    "Yohannes",
    "Jonri",
    "Ruth",
    "Lestari",
    "Agus",
    "Sinta",
    "Fajar",
    "Putri",
    "Rudi",
    "Desi",
    "Rahmat",
    "Siti",
    "Imam",
    "Tiur",
    "Lamhot",
    "Mangasi",
    "Romauli",
    "Hotma",
    "Ester",
    "Daniel",
    "Samuel",
    "Yosua",
    "Nurhayati",
    "Ahmad",
    "Fitri",
    "Yanti",
    "Eka",
    "Dian",
    "Hana",
    "Rizky",
    "Wahyu",
    "Taufik",
    "Indah",
    "Benget",
    "Juliana",
    "Marlina",
    "Poltak",
    "Sondang",
    "Erwin",
    "Novita",
    "Roy",
    "Friska",
    "Ikhsan",
];

const FAMILY_NAMES: &[&str] = &[
    "Siregar",
    "Simanjuntak",
    "Sinaga",
    "Purba",
    "Damanik",
    "Saragih",
    "Manurung",
    "Lubis",
    "Nasution",
    "Sitorus",
    "Napitupulu",
    "Hutapea",
    "Panjaitan",
    "Simatupang",
    "Tambunan",
    "Harahap",
    "Pardede",
    "Sihombing",
    "Silalahi",
    "Girsang",
    "Sipayung",
    "Sitanggang",
    "Ginting",
    "Tarigan",
    "Hasibuan",
    "Pohan",
    "Santoso",
    "Wibowo",
    "Lestari",
];

struct Builder {
    rng: ChaCha8Rng,
    now: DateTime<Utc>,
    as_of: NaiveDate,
    units: Vec<UnitRecord>,
    employees: Vec<EmployeeRecord>,
    nips: HashSet<String>,
    city: Option<Uuid>,
    sekda: Option<Uuid>,
}

impl Builder {
    fn id(&mut self) -> Uuid {
        let bytes: [u8; 16] = self.rng.random();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    fn unit(
        &mut self,
        code: &str,
        name: &str,
        kind: UnitKind,
        parent: Option<Uuid>,
        is_opd: bool,
        service: bool,
    ) -> Uuid {
        let id = self.id();
        self.units.push(UnitRecord {
            id,
            code: code.to_owned(),
            name: name.to_owned(),
            kind,
            parent_id: parent,
            head_employee_id: None,
            is_opd,
            is_service_unit: service,
            active: true,
            version: 1,
            created_at: self.now,
            updated_at: self.now,
        });
        id
    }

    fn name(&mut self) -> String {
        let first = FIRST_NAMES[self.rng.random_range(0..FIRST_NAMES.len())];
        let family = FAMILY_NAMES[self.rng.random_range(0..FAMILY_NAMES.len())];
        format!("{first} {family}")
    }

    /// A valid, unused NIP or NI PPPK for someone `age` years old at the reference date.
    fn nip(&mut self, employment: EmploymentType, age: i32) -> String {
        loop {
            let year = self.as_of.year() - age;
            let month = self.rng.random_range(1..=12u32);
            let day = self.rng.random_range(1..=28u32);
            let gender = self.rng.random_range(1..=2u32);
            let serial = self.rng.random_range(1..=999u32);
            let raw = if employment.is_pns() {
                let tmt_year = (year + self.rng.random_range(21..=27)).min(self.as_of.year() - 1);
                let tmt_month = self.rng.random_range(1..=12u32);
                format!("{year:04}{month:02}{day:02}{tmt_year:04}{tmt_month:02}{gender}{serial:03}")
            } else {
                let appointed = (year + 24)
                    .clamp(2019, self.as_of.year() - 1)
                    .max(year + 18);
                let kind = if employment == EmploymentType::PppkParuhWaktu {
                    21
                } else {
                    1
                };
                format!("{year:04}{month:02}{day:02}{appointed:04}{kind:02}{gender}{serial:03}")
            };
            if Nip::parse(&raw, employment).is_ok() && self.nips.insert(raw.clone()) {
                return raw;
            }
        }
    }

    fn golongan(&mut self, employment: EmploymentType, kind: PositionKind) -> Option<String> {
        let pick = |rng: &mut ChaCha8Rng, options: &[&str]| {
            options[rng.random_range(0..options.len())].to_owned()
        };
        match (employment, kind) {
            (EmploymentType::PppkParuhWaktu, _) => None,
            (EmploymentType::Pppk, PositionKind::Fungsional) => {
                Some(pick(&mut self.rng, &["IX", "X", "XI"]))
            }
            (EmploymentType::Pppk, _) => Some(pick(&mut self.rng, &["V", "VI", "VII"])),
            (_, PositionKind::Jpt) => Some(pick(&mut self.rng, &["IV/c", "IV/d"])),
            (_, PositionKind::Administrator) => Some(pick(&mut self.rng, &["IV/a", "IV/b"])),
            (_, PositionKind::Pengawas) => Some(pick(&mut self.rng, &["III/c", "III/d"])),
            (_, PositionKind::Fungsional) => {
                Some(pick(&mut self.rng, &["III/a", "III/b", "III/c", "III/d"]))
            }
            (_, PositionKind::Pelaksana) => Some(pick(
                &mut self.rng,
                &["II/a", "II/b", "II/c", "II/d", "III/a", "III/b"],
            )),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn employee(
        &mut self,
        position: &str,
        kind: PositionKind,
        employment: EmploymentType,
        unit: Uuid,
        supervisor: Option<Uuid>,
        min_age: i32,
        max_age: i32,
    ) -> Uuid {
        let id = self.id();
        let age = self.rng.random_range(min_age..=max_age);
        let nip = self.nip(employment, age);
        let golongan = self.golongan(employment, kind);
        let name = self.name();
        self.employees.push(EmployeeRecord {
            id,
            nip,
            name,
            employment_type: employment,
            golongan,
            position: position.to_owned(),
            position_kind: kind,
            unit_id: unit,
            supervisor_id: supervisor,
            status: EmployeeStatus::Active,
            version: 1,
            created_at: self.now,
            updated_at: self.now,
        });
        id
    }

    fn set_head(&mut self, unit: Uuid, head: Uuid) {
        if let Some(u) = self.units.iter_mut().find(|u| u.id == unit) {
            u.head_employee_id = Some(head);
        }
    }

    /// Staff of a unit under one supervisor: mostly PNS pelaksana, some fungsional, some PPPK.
    fn staff(&mut self, unit: Uuid, supervisor: Uuid, count: usize, roles: &[&str]) {
        for i in 0..count {
            let roll = self.rng.random_range(0..100);
            let (employment, kind) = match roll {
                0..=9 => (EmploymentType::Pppk, PositionKind::Fungsional),
                10..=14 => (EmploymentType::PppkParuhWaktu, PositionKind::Pelaksana),
                15..=34 => (EmploymentType::Pns, PositionKind::Fungsional),
                _ => (EmploymentType::Pns, PositionKind::Pelaksana),
            };
            let position = roles[i % roles.len()];
            self.employee(position, kind, employment, unit, Some(supervisor), 23, 56);
        }
    }

    /// An OPD with its head, a secretary, some bidang with their kasi, and staff.
    fn opd(
        &mut self,
        code: &str,
        name: &str,
        kind: UnitKind,
        bidang: usize,
        staff_each: usize,
        head_title: &str,
    ) -> (Uuid, Uuid) {
        // Every OPD hangs from the city and its head reports to the Sekda.
        let (parent, sekda) = (self.city, self.sekda);
        let opd = self.unit(code, name, kind, parent, true, false);
        let head = self.employee(
            head_title,
            PositionKind::Jpt,
            EmploymentType::Pns,
            opd,
            sekda,
            45,
            57,
        );
        self.set_head(opd, head);
        let sekretariat = self.unit(
            &format!("{code}.SEKRE"),
            &format!("Sekretariat {name}"),
            UnitKind::Bagian,
            Some(opd),
            false,
            false,
        );
        let sekretaris = self.employee(
            "Sekretaris",
            PositionKind::Administrator,
            EmploymentType::Pns,
            sekretariat,
            Some(head),
            42,
            56,
        );
        self.set_head(sekretariat, sekretaris);
        self.staff(
            sekretariat,
            sekretaris,
            staff_each.max(2) / 2,
            &[
                "Pengadministrasi Umum",
                "Pengelola Keuangan",
                "Analis Perencanaan",
            ],
        );
        for b in 1..=bidang {
            let bid = self.unit(
                &format!("{code}.BID{b}"),
                &format!("Bidang {b} {name}"),
                UnitKind::Bidang,
                Some(opd),
                false,
                false,
            );
            let kabid = self.employee(
                &format!("Kepala Bidang {b}"),
                PositionKind::Administrator,
                EmploymentType::Pns,
                bid,
                Some(head),
                40,
                56,
            );
            self.set_head(bid, kabid);
            let kasi = self.employee(
                &format!("Kepala Seksi {b}.1"),
                PositionKind::Pengawas,
                EmploymentType::Pns,
                bid,
                Some(kabid),
                35,
                55,
            );
            self.staff(
                bid,
                kasi,
                staff_each,
                &[
                    "Analis",
                    "Pengadministrasi",
                    "Pengelola Data",
                    "Verifikator",
                ],
            );
        }
        (opd, head)
    }
}

/// Builds the city in memory.
fn build(as_of: NaiveDate) -> Builder {
    let now = Utc
        .with_ymd_and_hms(as_of.year(), as_of.month(), as_of.day(), 1, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let mut b = Builder {
        rng: ChaCha8Rng::seed_from_u64(0x0051_5341_5254_414e),
        now,
        as_of,
        units: Vec::new(),
        employees: Vec::new(),
        nips: HashSet::new(),
        city: None,
        sekda: None,
    };
    let pemko = b.unit(
        "PEMKO",
        "Pemerintah Kota Pematangsiantar",
        UnitKind::Lainnya,
        None,
        false,
        false,
    );
    let setda = b.unit(
        "SETDA",
        "Sekretariat Daerah",
        UnitKind::Sekretariat,
        Some(pemko),
        true,
        false,
    );
    // The Sekda: his penilai is the Wali Kota, who is no employee (an admin acts for him).
    let sekda = b.employee(
        "Sekretaris Daerah",
        PositionKind::Jpt,
        EmploymentType::Pns,
        setda,
        None,
        50,
        57,
    );
    b.city = Some(pemko);
    b.sekda = Some(sekda);
    b.set_head(setda, sekda);
    for (code, name) in SETDA_BAGIAN {
        let bagian = b.unit(code, name, UnitKind::Bagian, Some(setda), false, false);
        let kabag = b.employee(
            &format!("Kepala {name}"),
            PositionKind::Administrator,
            EmploymentType::Pns,
            bagian,
            Some(sekda),
            40,
            56,
        );
        b.set_head(bagian, kabag);
        let kasubbag = b.employee(
            "Kepala Subbagian",
            PositionKind::Pengawas,
            EmploymentType::Pns,
            bagian,
            Some(kabag),
            35,
            55,
        );
        b.staff(
            bagian,
            kasubbag,
            7,
            &[
                "Pengadministrasi Umum",
                "Analis Kebijakan",
                "Pengelola Dokumen",
            ],
        );
    }
    b.opd(
        "SETWAN",
        "Sekretariat DPRD",
        UnitKind::Sekretariat,
        2,
        6,
        "Sekretaris DPRD",
    );
    b.opd(
        "INSPEKTORAT",
        "Inspektorat",
        UnitKind::Inspektorat,
        3,
        6,
        "Inspektur",
    );

    for (code, name) in DINAS {
        let (bidang, staff) = match *code {
            "DISDIK" => (4, 18),
            "DINKES" => (3, 12),
            "DISDUKCAPIL" => (2, 9),
            _ => (2, 8),
        };
        let (opd, head) = b.opd(
            code,
            name,
            UnitKind::Dinas,
            bidang,
            staff,
            &format!("Kepala {name}"),
        );
        match *code {
            "DISDUKCAPIL" => {
                for (suffix, service) in [
                    ("KTP", "Layanan KTP-el"),
                    ("KK", "Layanan Kartu Keluarga"),
                    ("AKTA", "Layanan Akta Kelahiran"),
                ] {
                    let counter = b.unit(
                        &format!("DISDUKCAPIL.{suffix}"),
                        service,
                        UnitKind::Upt,
                        Some(opd),
                        false,
                        true,
                    );
                    let coordinator = b.employee(
                        &format!("Koordinator {service}"),
                        PositionKind::Pengawas,
                        EmploymentType::Pns,
                        counter,
                        Some(head),
                        35,
                        55,
                    );
                    b.set_head(counter, coordinator);
                    b.staff(
                        counter,
                        coordinator,
                        10,
                        &[
                            "Operator Layanan",
                            "Verifikator Berkas",
                            "Petugas Perekaman",
                        ],
                    );
                }
            }
            "DINKES" => {
                for puskesmas in [
                    "Kesatria",
                    "Rami",
                    "Pardamean",
                    "Teladan",
                    "Tomuan",
                    "Bah Kapul",
                ] {
                    let code = format!("DINKES.PKM.{}", puskesmas.to_uppercase().replace(' ', "-"));
                    let pkm = b.unit(
                        &code,
                        &format!("Puskesmas {puskesmas}"),
                        UnitKind::Upt,
                        Some(opd),
                        false,
                        true,
                    );
                    let kapus = b.employee(
                        &format!("Kepala Puskesmas {puskesmas}"),
                        PositionKind::Fungsional,
                        EmploymentType::Pns,
                        pkm,
                        Some(head),
                        38,
                        56,
                    );
                    b.set_head(pkm, kapus);
                    b.staff(
                        pkm,
                        kapus,
                        16,
                        &[
                            "Perawat",
                            "Bidan",
                            "Dokter",
                            "Apoteker",
                            "Pranata Laboratorium",
                        ],
                    );
                }
            }
            _ => {}
        }
    }
    for (code, name) in BADAN {
        b.opd(code, name, UnitKind::Badan, 3, 8, &format!("Kepala {name}"));
    }
    for (code, name, kelurahan) in KECAMATAN {
        let kec = b.unit(
            code,
            &format!("Kecamatan {name}"),
            UnitKind::Kecamatan,
            Some(pemko),
            true,
            true,
        );
        let camat = b.employee(
            &format!("Camat {name}"),
            PositionKind::Administrator,
            EmploymentType::Pns,
            kec,
            Some(sekda),
            40,
            56,
        );
        b.set_head(kec, camat);
        let sekcam = b.employee(
            "Sekretaris Kecamatan",
            PositionKind::Administrator,
            EmploymentType::Pns,
            kec,
            Some(camat),
            38,
            56,
        );
        b.staff(
            kec,
            sekcam,
            8,
            &["Pengadministrasi Umum", "Pengelola Pelayanan"],
        );
        for kel in *kelurahan {
            let kel_code = format!("KEL.{}", kel.to_uppercase().replace([' ', '-'], "_"));
            let unit = b.unit(
                &kel_code,
                &format!("Kelurahan {kel}"),
                UnitKind::Kelurahan,
                Some(kec),
                false,
                true,
            );
            let lurah = b.employee(
                &format!("Lurah {kel}"),
                PositionKind::Pengawas,
                EmploymentType::Pns,
                unit,
                Some(camat),
                35,
                56,
            );
            b.set_head(unit, lurah);
            b.staff(
                unit,
                lurah,
                5,
                &["Pengadministrasi Kelurahan", "Pengelola Pelayanan"],
            );
        }
    }
    b
}

/// A demo account to create: the login, its roles, and what it is linked to.
struct DemoAccount {
    login: DemoLogin,
    roles: Vec<Role>,
    unit_id: Option<Uuid>,
    employee_id: Option<Uuid>,
}

/// The demo logins: who they are in the city, and their published passwords.
fn logins(b: &Builder) -> Vec<DemoAccount> {
    let unit = |code: &str| b.units.iter().find(|u| u.code == code).map(|u| u.id);
    let disdukcapil = unit("DISDUKCAPIL");
    let head_of = |code: &str| {
        b.units
            .iter()
            .find(|u| u.code == code)
            .and_then(|u| u.head_employee_id)
    };
    let person = |id: Option<Uuid>| id.and_then(|id| b.employees.iter().find(|e| e.id == id));
    let kadis = person(head_of("DISDUKCAPIL"));
    let kabid = person(head_of("DISDUKCAPIL.BID1"));
    let staf = kabid.and_then(|kabid| {
        // A pelaksana two levels below the kabid (under the kasi).
        let kasi = b
            .employees
            .iter()
            .find(|e| e.supervisor_id == Some(kabid.id))?;
        b.employees
            .iter()
            .find(|e| e.supervisor_id == Some(kasi.id) && e.employment_type.is_pns())
    });
    let mut out = vec![
        DemoAccount {
            login: DemoLogin {
                role: "admin",
                username: "admin".into(),
                password: "demo-admin-2026",
                who: "Administrator BKPSDM".into(),
            },
            roles: vec![Role::Admin],
            unit_id: None,
            employee_id: None,
        },
        DemoAccount {
            login: DemoLogin {
                role: "unit_admin",
                username: "operator.disdukcapil".into(),
                password: "demo-operator-2026",
                who: "Operator Disdukcapil".into(),
            },
            roles: vec![Role::UnitAdmin],
            unit_id: disdukcapil,
            employee_id: None,
        },
    ];
    for (role, person, password) in [
        ("kepala dinas", kadis, "demo-kepala-2026"),
        ("supervisor", kabid, "demo-atasan-2026"),
        ("staff", staf, "demo-staf-2026"),
    ] {
        if let Some(p) = person {
            out.push(DemoAccount {
                login: DemoLogin {
                    role,
                    username: p.nip.clone(),
                    password,
                    who: format!("{}, {}", p.name, p.position),
                },
                roles: vec![Role::Employee],
                unit_id: None,
                employee_id: Some(p.id),
            });
        }
    }
    out
}

/// The running cycle of the reference year, started on 2 January, and the Perjanjian Kinerja of
/// a few OPDs with realistic indicators.
fn performance(b: &Builder, as_of: NaiveDate) -> (CycleRecord, Vec<UnitIndicatorRecord>) {
    let year = as_of.year();
    let started = Utc
        .with_ymd_and_hms(year, 1, 2, 1, 0, 0)
        .single()
        .unwrap_or(b.now);
    let id_of = demo_id;
    let cycle = CycleRecord {
        id: id_of(u128::from(year as u32)),
        year,
        name: format!("Siklus Kinerja {year}"),
        status: CycleStatus::Running,
        settings: Settings::default(),
        started_at: Some(started),
        closed_at: None,
        version: 2,
        created_at: started,
        updated_at: started,
    };
    let m = |v: i64, dp: u32| {
        Measure::from_decimal(rust_decimal::Decimal::new(v, dp)).unwrap_or_default()
    };
    #[allow(clippy::type_complexity)]
    let plan: [(
        &str,
        &str,
        Direction,
        Measure,
        &str,
        Aggregation,
        [Option<Measure>; 3],
        Source,
    ); 9] = [
        (
            "SETDA",
            "Indeks Reformasi Birokrasi Kota Pematangsiantar",
            Direction::HigherIsBetter,
            m(70, 0),
            "indeks",
            Aggregation::Last,
            [None; 3],
            Source::Manual,
        ),
        (
            "DISDUKCAPIL",
            "Persentase KTP-el terbit ≤ 1 hari kerja",
            Direction::HigherIsBetter,
            m(95, 0),
            "persen",
            Aggregation::Average,
            [Some(m(90, 0)), Some(m(92, 0)), Some(m(94, 0))],
            Source::Manual,
        ),
        (
            "DISDUKCAPIL",
            "Rata-rata hari penerbitan akta kelahiran",
            Direction::LowerIsBetter,
            m(2, 0),
            "hari",
            Aggregation::Average,
            [Some(m(3, 0)), Some(m(25, 1)), Some(m(2, 0))],
            Source::Manual,
        ),
        (
            "DISDUKCAPIL",
            "Indeks Kepuasan Masyarakat layanan kependudukan",
            Direction::HigherIsBetter,
            m(82, 0),
            "indeks",
            Aggregation::Last,
            [None; 3],
            Source::Ikm,
        ),
        (
            "DINKES",
            "Persentase ibu hamil mendapat pelayanan kesehatan sesuai standar",
            Direction::HigherIsBetter,
            m(100, 0),
            "persen",
            Aggregation::Last,
            [Some(m(25, 0)), Some(m(50, 0)), Some(m(75, 0))],
            Source::Manual,
        ),
        (
            "DINKES",
            "Angka kematian bayi per 1.000 kelahiran hidup",
            Direction::LowerIsBetter,
            m(8, 0),
            "per 1.000 KH",
            Aggregation::Last,
            [None; 3],
            Source::Manual,
        ),
        (
            "BKPSDM",
            "Persentase ASN memenuhi 20 JP pengembangan kompetensi",
            Direction::HigherIsBetter,
            m(80, 0),
            "persen",
            Aggregation::Last,
            [Some(m(20, 0)), Some(m(40, 0)), Some(m(60, 0))],
            Source::Manual,
        ),
        (
            "BKPSDM",
            "Persentase SKP disetujui tepat waktu",
            Direction::HigherIsBetter,
            m(95, 0),
            "persen",
            Aggregation::Last,
            [None; 3],
            Source::Manual,
        ),
        (
            "KEC.BARAT",
            "Persentase layanan administrasi selesai ≤ 3 hari kerja",
            Direction::HigherIsBetter,
            m(90, 0),
            "persen",
            Aggregation::Average,
            [None; 3],
            Source::Manual,
        ),
    ];
    let mut counters: HashMap<&str, u32> = HashMap::new();
    let indicators = plan
        .iter()
        .enumerate()
        .filter_map(
            |(i, (code, description, direction, target, unit, aggregation, quarters, source))| {
                let unit_id = b.units.iter().find(|u| u.code == *code)?.id;
                let n = counters.entry(code).or_insert(0);
                *n += 1;
                Some(UnitIndicatorRecord {
                    id: id_of(1_000 + i as u128),
                    cycle_id: cycle.id,
                    unit_id,
                    code: format!("IKU{n}"),
                    description: (*description).to_owned(),
                    direction: *direction,
                    target: Some(*target),
                    target_max: None,
                    target_text: None,
                    unit: (*unit).to_owned(),
                    aggregation: *aggregation,
                    period_targets: *quarters,
                    source: *source,
                    version: 1,
                    created_at: started,
                    updated_at: started,
                })
            },
        )
        .collect();
    (cycle, indicators)
}

/// A deterministic demo id (the same reference date gives the same ids).
fn demo_id(seed: u128) -> Uuid {
    uuid::Builder::from_random_bytes((seed ^ 0x5349_414e_5441_5200_u128).to_be_bytes()).into_uuid()
}

/// What a demo RHK intervenes.
#[derive(Clone, Copy)]
enum Intervenes {
    /// The `n`th (from 1) Perjanjian Kinerja indicator of the employee's OPD.
    Pk(&'static str, usize),
    /// The penilai's RHK at this index.
    Penilai(usize),
}

/// A demo indicator: description, aspect, direction, target, unit, aggregation, quarterly targets.
type Iki = (
    &'static str,
    Aspect,
    Direction,
    Measure,
    &'static str,
    Aggregation,
    [Option<Measure>; 3],
);

/// A demo RHK utama: description, what it intervenes, its perspective (JPT), its indicators.
type Rhk = (&'static str, Intervenes, Option<&'static str>, Vec<Iki>);

/// Approved SKPs cascaded from the Sekda down through Disdukcapil's Bidang 1 (kepala dinas,
/// kepala bidang, kepala seksi, and every staff member under that seksi), agreed in January.
fn approved_skps(
    b: &Builder,
    cycle: &CycleRecord,
    indicators: &[UnitIndicatorRecord],
) -> Vec<(SkpRecord, Vec<RhkRecord>)> {
    use Aggregation::{Average, Last, Sum};
    use Aspect::{Kualitas, Kuantitas, Waktu};
    use Direction::{HigherIsBetter as Up, LowerIsBetter as Down};
    let m = Measure::from_int;
    let unit = |code: &str| b.units.iter().find(|u| u.code == code);
    let head = |code: &str| unit(code).and_then(|u| u.head_employee_id);
    let (Some(sekda), Some(kadis), Some(kabid)) =
        (head("SETDA"), head("DISDUKCAPIL"), head("DISDUKCAPIL.BID1"))
    else {
        return Vec::new();
    };
    let under = |boss: Uuid| {
        b.employees
            .iter()
            .filter(move |e| e.supervisor_id == Some(boss))
    };
    let Some(kasi) = under(kabid)
        .find(|e| e.position_kind == PositionKind::Pengawas)
        .map(|e| e.id)
    else {
        return Vec::new();
    };
    let staff: Vec<Uuid> = under(kasi).map(|e| e.id).collect();

    let ktp = "Persentase KTP-el terbit ≤ 1 hari kerja";
    let akta = "Rata-rata hari penerbitan akta kelahiran";
    let q_ktp = [Some(m(90)), Some(m(92)), Some(m(94))];
    let sekda_rhk: Vec<Rhk> = vec![
        (
            "Meningkatnya kualitas tata kelola pemerintahan Kota Pematangsiantar",
            Intervenes::Pk("SETDA", 1),
            Some("Proses Bisnis"),
            vec![(
                "Indeks Reformasi Birokrasi Kota Pematangsiantar",
                Kualitas,
                Up,
                m(70),
                "indeks",
                Last,
                [None; 3],
            )],
        ),
        (
            "Meningkatnya kualitas pelayanan publik perangkat daerah",
            Intervenes::Pk("SETDA", 1),
            Some("Penerima Layanan"),
            vec![(
                "Persentase unit layanan dengan IKM kategori Baik",
                Kualitas,
                Up,
                m(85),
                "persen",
                Last,
                [None; 3],
            )],
        ),
    ];
    let kadis_rhk: Vec<Rhk> = vec![
        (
            "Meningkatnya kecepatan penerbitan dokumen kependudukan",
            Intervenes::Pk("DISDUKCAPIL", 1),
            Some("Penerima Layanan"),
            vec![(ktp, Waktu, Up, m(95), "persen", Average, q_ktp)],
        ),
        (
            "Meningkatnya kecepatan penerbitan akta pencatatan sipil",
            Intervenes::Pk("DISDUKCAPIL", 2),
            Some("Proses Bisnis"),
            vec![(
                akta,
                Waktu,
                Down,
                m(2),
                "hari",
                Average,
                [Some(m(3)), Some(m(3)), Some(m(2))],
            )],
        ),
        (
            "Meningkatnya kepuasan masyarakat atas layanan administrasi kependudukan",
            Intervenes::Penilai(1),
            Some("Penerima Layanan"),
            vec![(
                "Nilai IKM layanan kependudukan",
                Kualitas,
                Up,
                m(82),
                "indeks",
                Last,
                [None; 3],
            )],
        ),
    ];
    let kabid_rhk: Vec<Rhk> = vec![
        (
            "Terlaksananya penerbitan KTP-el tepat waktu",
            Intervenes::Penilai(0),
            None,
            vec![(ktp, Waktu, Up, m(95), "persen", Average, q_ktp)],
        ),
        (
            "Terlaksananya penerbitan akta kelahiran tepat waktu",
            Intervenes::Penilai(1),
            None,
            vec![(akta, Waktu, Down, m(2), "hari", Average, [None; 3])],
        ),
    ];
    let kasi_rhk: Vec<Rhk> = vec![
        (
            "Terverifikasinya permohonan KTP-el pada hari pengajuan",
            Intervenes::Penilai(0),
            None,
            vec![
                (
                    "Jumlah permohonan KTP-el terverifikasi",
                    Kuantitas,
                    Up,
                    m(12_000),
                    "berkas",
                    Sum,
                    [None; 3],
                ),
                (ktp, Waktu, Up, m(95), "persen", Average, q_ktp),
            ],
        ),
        (
            "Terverifikasinya permohonan akta kelahiran tepat waktu",
            Intervenes::Penilai(1),
            None,
            vec![(akta, Waktu, Down, m(2), "hari", Average, [None; 3])],
        ),
    ];
    let staff_rhk: Vec<Rhk> = vec![
        (
            "Terlaksananya perekaman dan verifikasi berkas KTP-el",
            Intervenes::Penilai(0),
            None,
            vec![
                (
                    "Jumlah berkas KTP-el terverifikasi",
                    Kuantitas,
                    Up,
                    m(2_400),
                    "berkas",
                    Sum,
                    [None; 3],
                ),
                (
                    "Persentase berkas KTP-el tanpa kesalahan data",
                    Kualitas,
                    Up,
                    m(99),
                    "persen",
                    Average,
                    [None; 3],
                ),
            ],
        ),
        (
            "Terlaksananya verifikasi berkas akta kelahiran",
            Intervenes::Penilai(1),
            None,
            vec![(
                "Rata-rata hari verifikasi berkas akta kelahiran",
                Waktu,
                Down,
                m(1),
                "hari",
                Average,
                [None; 3],
            )],
        ),
    ];

    let start = NaiveDate::from_ymd_opt(cycle.year, 1, 1).unwrap_or(b.as_of);
    let agreed = Utc
        .with_ymd_and_hms(cycle.year, 1, 31, 3, 0, 0)
        .single()
        .unwrap_or(b.now);
    let mut seed = 10_000_u128;
    let mut next_id = || {
        seed += 1;
        demo_id(seed)
    };
    let employee = |id: Uuid| b.employees.iter().find(|e| e.id == id);
    let mut out: Vec<(SkpRecord, Vec<RhkRecord>)> = Vec::new();
    let mut write = |id: Uuid, plan: &[Rhk], penilai_rhk: &[RhkRecord]| -> Vec<RhkRecord> {
        let Some(e) = employee(id) else {
            return Vec::new();
        };
        let evaluator = e.supervisor_id.and_then(employee);
        let skp = SkpRecord {
            id: next_id(),
            cycle_id: cycle.id,
            employee_id: e.id,
            evaluator_id: evaluator.map(|v| v.id),
            status: SkpStatus::Approved,
            proposed_by: ProposedBy::Employee,
            revision_of: None,
            start_date: start,
            end_date: None,
            snapshot: crate::services::skps::snapshot_of(
                b.units.iter().find(|u| u.id == e.unit_id),
                e,
                evaluator,
            ),
            return_reason: None,
            version: 3,
            created_at: agreed,
            updated_at: agreed,
        };
        let rhks: Vec<RhkRecord> = plan
            .iter()
            .enumerate()
            .map(|(r, (description, intervenes, perspective, ikis))| {
                let (parent_rhk_id, unit_indicator_id) = match *intervenes {
                    Intervenes::Pk(code, n) => (
                        None,
                        unit(code).and_then(|u| {
                            indicators
                                .iter()
                                .filter(|i| i.unit_id == u.id)
                                .nth(n - 1)
                                .map(|i| i.id)
                        }),
                    ),
                    Intervenes::Penilai(k) => (penilai_rhk.get(k).map(|p| p.id), None),
                };
                RhkRecord {
                    id: next_id(),
                    skp_id: skp.id,
                    origin_id: None,
                    code: format!("R{}", r + 1),
                    kind: RhkKind::Utama,
                    description: (*description).to_owned(),
                    parent_rhk_id,
                    unit_indicator_id,
                    perspective: perspective.map(str::to_owned),
                    position: r as i32,
                    indicators: ikis
                        .iter()
                        .enumerate()
                        .map(
                            |(
                                k,
                                (text, aspect, direction, target, unit, aggregation, quarters),
                            )| {
                                SkpIndicatorRecord {
                                    id: next_id(),
                                    origin_id: None,
                                    code: format!("R{}.{}", r + 1, k + 1),
                                    description: (*text).to_owned(),
                                    aspect: *aspect,
                                    direction: *direction,
                                    target: Some(*target),
                                    target_max: None,
                                    target_text: None,
                                    unit: (*unit).to_owned(),
                                    aggregation: *aggregation,
                                    period_targets: *quarters,
                                    competencies: Vec::new(),
                                    position: k as i32,
                                }
                            },
                        )
                        .collect(),
                }
            })
            .collect();
        out.push((skp, rhks.clone()));
        rhks
    };
    let of_sekda = write(sekda, &sekda_rhk, &[]);
    let of_kadis = write(kadis, &kadis_rhk, &of_sekda);
    let of_kabid = write(kabid, &kabid_rhk, &of_kadis);
    let of_kasi = write(kasi, &kasi_rhk, &of_kabid);
    for s in staff {
        write(s, &staff_rhk, &of_kasi);
    }
    out
}

/// Realisasi of q1..q3 (the quarters ended by `as_of`) for every demo SKP indicator, near its
/// target with some quarters above and some below, each with an evidence link.
fn demo_realizations(
    agreed: &[(SkpRecord, Vec<RhkRecord>)],
    as_of: NaiveDate,
) -> Vec<RealizationRecord> {
    use kinerja_domain::capaian::{Period, round_half_up};
    use rust_decimal::Decimal;
    let mut seed = 50_000_u128;
    let mut out = Vec::new();
    for (skp, rhks) in agreed {
        let year = skp.start_date.year();
        for (n, indicator) in rhks.iter().flat_map(|r| &r.indicators).enumerate() {
            for (k, period) in [Period::Q1, Period::Q2, Period::Q3].into_iter().enumerate() {
                let Some(quarter_end) = NaiveDate::from_ymd_opt(year, 3 * (k as u32 + 1), 28)
                else {
                    continue;
                };
                if quarter_end >= as_of {
                    continue;
                }
                let Some(target) = indicator.target.map(Measure::to_decimal) else {
                    continue;
                };
                let base = match (indicator.aggregation, indicator.period_targets[k]) {
                    (Aggregation::Sum, _) => target / Decimal::from(4),
                    (_, Some(t)) => t.to_decimal(),
                    (_, None) => target,
                };
                // Some quarters a little under, some on, some a little over.
                let swing = [Decimal::new(96, 2), Decimal::ONE, Decimal::new(103, 2)][(n + k) % 3];
                let factor = if indicator.direction == Direction::LowerIsBetter {
                    Decimal::TWO - swing
                } else {
                    swing
                };
                let Ok(value) = Measure::from_decimal(round_half_up(base * factor, 2)) else {
                    continue;
                };
                let at = Utc
                    .with_ymd_and_hms(year, 3 * (k as u32 + 1), 28, 2, 0, 0)
                    .single()
                    .unwrap_or(skp.created_at);
                seed += 1;
                out.push(RealizationRecord {
                    id: demo_id(seed),
                    skp_id: skp.id,
                    indicator_id: indicator.id,
                    period,
                    value: Some(value),
                    achieved: None,
                    evidence: vec![format!(
                        "https://arsip.siantar.example/bukti/{}/{}-{}.pdf",
                        skp.employee_id,
                        indicator.code,
                        period.as_str()
                    )],
                    note: None,
                    recorded_by: None,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                });
            }
        }
    }
    out
}

/// Notes of the penilai through the year: for every quarter ended by `as_of`, one about an RHK
/// or a core value, most answered (and read) by the pegawai, some still waiting.
fn demo_feedback(agreed: &[(SkpRecord, Vec<RhkRecord>)], as_of: NaiveDate) -> Vec<FeedbackRecord> {
    use kinerja_domain::capaian::Period;
    use kinerja_domain::feedback::{AuthorRole, CoreValue};
    const NOTES: [&str; 3] = [
        "Capaian triwulan ini sesuai rencana. Lengkapi bukti dukung sebelum akhir bulan.",
        "Perhatikan ketepatan waktu layanan; antrean di loket masih panjang pada hari Senin.",
        "Koordinasi dengan bidang lain sudah baik, pertahankan dan bagikan praktiknya ke rekan.",
    ];
    const REPLIES: [&str; 3] = [
        "Siap, bukti dukung segera saya unggah.",
        "Baik, kami atur jadwal petugas tambahan untuk hari Senin.",
        "Terima kasih, akan saya sampaikan di rapat bidang.",
    ];
    let mut seed = 60_000_u128;
    let mut out = Vec::new();
    for (n, (skp, rhks)) in agreed.iter().enumerate() {
        if skp.evaluator_id.is_none() {
            continue;
        }
        let year = skp.start_date.year();
        for (k, period) in [Period::Q1, Period::Q2, Period::Q3].into_iter().enumerate() {
            let month = 3 * (k as u32) + 2;
            let (Some(day), Some(at)) = (
                NaiveDate::from_ymd_opt(year, month, 15),
                Utc.with_ymd_and_hms(year, month, 15, 3, 0, 0).single(),
            ) else {
                continue;
            };
            if day >= as_of {
                continue;
            }
            let rhk = rhks.get(k % rhks.len().max(1)).map(|r| r.id);
            let core_value = CoreValue::ALL[(n + k) % CoreValue::ALL.len()];
            seed += 1;
            let note = FeedbackRecord {
                id: demo_id(seed),
                skp_id: skp.id,
                thread_id: None,
                period,
                rhk_id: rhk.filter(|_| k != 1),
                core_value: (k == 1 || rhk.is_none()).then_some(core_value),
                text: NOTES[(n + k) % NOTES.len()].to_owned(),
                author_user_id: None,
                author_role: AuthorRole::Penilai,
                read_at: None,
                created_at: at,
            };
            // One SKP in four leaves this quarter's note unanswered and unread.
            if (n + k) % 4 != 3 {
                let answered = at + chrono::Duration::days(2);
                seed += 1;
                out.push(FeedbackRecord {
                    id: demo_id(seed),
                    thread_id: Some(note.id),
                    text: REPLIES[(n + k) % REPLIES.len()].to_owned(),
                    author_role: AuthorRole::Pegawai,
                    created_at: answered,
                    ..note.clone()
                });
                out.push(FeedbackRecord {
                    read_at: Some(answered),
                    ..note
                });
            } else {
                out.push(note);
            }
        }
    }
    // Notes before their replies: a reply's thread is stored first.
    out.sort_by_key(|f| f.thread_id.is_some());
    out
}

/// Realisasi of q1..q3 (the quarters ended by `as_of`) for every manual Perjanjian Kinerja
/// indicator, near its quarter target (or its annual one).
fn demo_unit_realizations(
    indicators: &[UnitIndicatorRecord],
    as_of: NaiveDate,
) -> Vec<UnitRealizationRecord> {
    use kinerja_domain::capaian::{Period, round_half_up};
    use rust_decimal::Decimal;
    let mut seed = 70_000_u128;
    let mut out = Vec::new();
    for (n, indicator) in indicators
        .iter()
        .filter(|i| i.source == Source::Manual)
        .enumerate()
    {
        for (k, period) in [Period::Q1, Period::Q2, Period::Q3].into_iter().enumerate() {
            let year = indicator.created_at.year();
            let (Some(end), Some(at)) = (
                NaiveDate::from_ymd_opt(year, 3 * (k as u32 + 1), 28),
                Utc.with_ymd_and_hms(year, 3 * (k as u32 + 1), 28, 4, 0, 0)
                    .single(),
            ) else {
                continue;
            };
            if end >= as_of {
                continue;
            }
            let Some(target) = indicator.period_targets[k]
                .or(indicator.target)
                .map(Measure::to_decimal)
            else {
                continue;
            };
            let base = if indicator.aggregation == Aggregation::Sum {
                target / Decimal::from(4)
            } else {
                target
            };
            let swing = [Decimal::new(98, 2), Decimal::new(101, 2), Decimal::ONE][(n + k) % 3];
            let factor = if indicator.direction == Direction::LowerIsBetter {
                Decimal::TWO - swing
            } else {
                swing
            };
            let Ok(value) = Measure::from_decimal(round_half_up(base * factor, 2)) else {
                continue;
            };
            seed += 1;
            out.push(UnitRealizationRecord {
                id: demo_id(seed),
                indicator_id: indicator.id,
                period,
                value: Some(value),
                achieved: None,
                evidence: vec![format!(
                    "https://arsip.siantar.example/pk/{}/{}-{}.pdf",
                    indicator.unit_id,
                    indicator.code,
                    period.as_str()
                )],
                note: None,
                recorded_by: None,
                version: 1,
                created_at: at,
                updated_at: at,
            });
        }
    }
    out
}

/// The evaluations of every demo SKP (one per quarter its dates overlap), with Q1 and Q2
/// assessed and finalised for Disdukcapil's staff below its head (ten days after each quarter, when
/// `as_of` is past that): work rated as suggested by the realisasi (two overridden with a reason),
/// behaviour spread so that every predikat but one appears; and two objections against Q2, one
/// decided and one waiting for its decision.
fn demo_evaluations(
    agreed: &[(SkpRecord, Vec<RhkRecord>)],
    realized: &[RealizationRecord],
    cycle: &CycleRecord,
    kadis: Option<Uuid>,
    as_of: NaiveDate,
) -> (Vec<EvaluationRecord>, Vec<ObjectionRecord>) {
    use Rating::{
        DiAtasEkspektasi as Atas, DiBawahEkspektasi as Bawah, SesuaiEkspektasi as Sesuai,
    };
    use kinerja_domain::assessment::{
        EvaluationStatus, ObjectionStatus, Rating, evaluated_periods, predikat, suggest_work_rating,
    };
    use kinerja_domain::capaian::Period;
    use kinerja_domain::feedback::CoreValue;
    use kinerja_persistence::repos::evaluations::BehaviorScore;
    use kinerja_persistence::repos::objections::{Decision, Outcome};
    let at = |month: u32, day: u32, hour: u32| {
        Utc.with_ymd_and_hms(cycle.year, month, day, hour, 0, 0)
            .single()
            .unwrap_or(cycle.created_at)
    };
    let behaviors = [Sesuai, Atas, Sesuai, Bawah, Sesuai, Atas];
    let mut seed = 80_000_u128;
    let mut evaluations = Vec::new();
    let mut assessed = 0_usize;
    for (skp, rhks) in agreed {
        // Disdukcapil's staff below its head (the Sekda has no penilai among the employees).
        let below_head = skp.evaluator_id.is_some() && Some(skp.employee_id) != kadis;
        for period in evaluated_periods(cycle.year, skp.start_date, skp.end_date) {
            seed += 1;
            let mut e = EvaluationRecord::open(
                demo_id(seed),
                skp.id,
                period,
                skp.snapshot.clone(),
                skp.updated_at,
            );
            let finalized = match period {
                Period::Q1 => at(4, 10, 3),
                Period::Q2 => at(7, 10, 3),
                _ => at(12, 31, 0),
            };
            if below_head
                && matches!(period, Period::Q1 | Period::Q2)
                && finalized.date_naive() < as_of
            {
                let capped: Vec<_> = rhks
                    .iter()
                    .filter(|r| r.kind == RhkKind::Utama)
                    .flat_map(|r| &r.indicators)
                    .filter_map(|i| {
                        crate::services::realizations::capaian_of(
                            i,
                            realized,
                            cycle.settings.capaian_cap,
                        )
                        .into_iter()
                        .find(|c| c.period == period)
                        .map(|c| c.capaian.capped)
                    })
                    .collect();
                let suggested =
                    suggest_work_rating(&capped, &cycle.settings.work_rating_thresholds)
                        .map(|s| s.rating);
                let (work, reason) = match assessed % 7 {
                    1 => (
                        Atas,
                        Some("Menyelesaikan backlog perekaman KTP-el di luar target."),
                    ),
                    4 => (
                        Bawah,
                        Some("Banyak berkas dikembalikan karena data tidak lengkap."),
                    ),
                    _ => (suggested.unwrap_or(Sesuai), None),
                };
                let behavior = behaviors[assessed % behaviors.len()];
                e.status = EvaluationStatus::Finalized;
                e.work_rating = Some(work);
                e.suggested_work_rating = suggested;
                e.override_reason = reason
                    .filter(|_| suggested.is_some_and(|s| s != work))
                    .map(str::to_owned);
                e.behavior_ratings = CoreValue::ALL
                    .iter()
                    .map(|v| BehaviorScore {
                        core_value: *v,
                        rating: behavior,
                        note: None,
                    })
                    .collect();
                e.behavior_rating = Some(behavior);
                e.predikat = Some(predikat(work, behavior));
                e.assessed_at = Some(finalized - chrono::Duration::days(2));
                e.finalized_at = Some(finalized);
                e.updated_at = finalized;
                e.version = 3;
                assessed += 1;
            }
            evaluations.push(e);
        }
    }
    // Two objections against Q2: one decided (accepted, behaviour raised), one waiting.
    let mut objections = Vec::new();
    let q2: Vec<&EvaluationRecord> = evaluations
        .iter()
        .filter(|e| e.period == Period::Q2 && e.status == EvaluationStatus::Finalized)
        .filter(|e| e.behavior_rating == Some(Bawah))
        .take(2)
        .collect();
    for (n, e) in q2.iter().enumerate() {
        let filed = at(7, 14 + n as u32 * 4, 2);
        if filed.date_naive() >= as_of {
            continue;
        }
        let original = Outcome {
            work_rating: e.work_rating,
            behavior_rating: e.behavior_rating,
            predikat: e.predikat,
        };
        seed += 1;
        let decided = (n == 0).then(|| Decision {
            accepted: true,
            note: Some("Bukti kerja sama lintas bidang pada pelayanan keliling cukup.".to_owned()),
            outcome: Outcome {
                behavior_rating: Some(Sesuai),
                predikat: e.work_rating.map(|w| predikat(w, Sesuai)),
                ..original
            },
        });
        objections.push(ObjectionRecord {
            id: demo_id(seed),
            evaluation_id: e.id,
            status: if decided.is_some() { ObjectionStatus::Accepted } else { ObjectionStatus::Explained },
            reason: "Saya aktif dalam pelayanan keliling dan rapat koordinasi; rating perilaku di bawah ekspektasi tidak sesuai.".to_owned(),
            filed_by: None,
            filed_at: filed,
            explanation: Some("Dua kali terlambat menyerahkan laporan mingguan.".to_owned()),
            explained_by: None,
            explained_at: Some(filed + chrono::Duration::days(3)),
            decided_by: None,
            decided_at: decided.as_ref().map(|_| filed + chrono::Duration::days(8)),
            decision: decided,
            original,
            version: if n == 0 { 3 } else { 2 },
            created_at: filed,
            updated_at: filed + chrono::Duration::days(if n == 0 { 8 } else { 3 }),
        });
    }
    // An accepted objection changed its evaluation.
    for o in &objections {
        if let (Some(d), Some(e)) = (
            &o.decision,
            evaluations.iter_mut().find(|e| e.id == o.evaluation_id),
        ) {
            e.behavior_rating = d.outcome.behavior_rating;
            e.predikat = d.outcome.predikat;
            e.version += 1;
        }
    }
    (evaluations, objections)
}

/// The survey of Disdukcapil's three service counters: two services each, a period per quarter
/// of the cycle's year (population 3,000), and about 300 responses per counter per quarter up to
/// `as_of` with a realistic spread — most answers 3, some 4, a few 2 — where each counter has one
/// weak unsur (waiting time at the KTP counter, complaint handling at the KK counter, facilities
/// at the birth-certificate counter), so closing a quarter gives each feedback.
fn demo_survey(
    b: &Builder,
    year: i32,
    as_of: NaiveDate,
) -> (Vec<ServiceRecord>, Vec<PeriodRecord>, Vec<ResponseRecord>) {
    use kinerja_domain::assessment::period_days;
    use kinerja_domain::capaian::Period;
    use kinerja_domain::skm::{AgeBand, Answer, Education, Gender, Occupation};
    use kinerja_persistence::repos::skm::Channel;
    const COMMENTS: [&str; 8] = [
        "Antrean perekaman pagi hari terlalu panjang.",
        "Petugas ramah dan membantu.",
        "Pengaduan lewat WhatsApp lambat dibalas.",
        "Ruang tunggu panas, kipas angin kurang.",
        "Pelayanan cepat, terima kasih.",
        "Persyaratan jelas dipasang di papan informasi.",
        "Blangko sempat habis, harus datang lagi.",
        "Sebaiknya ada layanan di kecamatan setiap minggu.",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(14_2017);
    let counters = [
        (
            "DISDUKCAPIL.KTP",
            [
                ("KTP-EL", "Perekaman KTP-el"),
                ("KTP-CETAK", "Pencetakan KTP-el"),
            ],
            2,
        ),
        (
            "DISDUKCAPIL.KK",
            [
                ("KK-BARU", "Penerbitan Kartu Keluarga baru"),
                ("KK-UBAH", "Perubahan Kartu Keluarga"),
            ],
            7,
        ),
        (
            "DISDUKCAPIL.AKTA",
            [
                ("AKTA-LAHIR", "Akta kelahiran"),
                ("AKTA-MATI", "Akta kematian"),
            ],
            8,
        ),
    ];
    let (mut services, mut periods, mut responses) = (Vec::new(), Vec::new(), Vec::new());
    let mut seed = 90_000_u128;
    let mut next = || {
        seed += 1;
        demo_id(seed)
    };
    for (code, offered, weak) in counters {
        let Some(unit) = b.units.iter().find(|u| u.code == code) else {
            continue;
        };
        let ids: Vec<Uuid> = offered
            .iter()
            .map(|(code, name)| {
                let id = next();
                services.push(ServiceRecord {
                    id,
                    unit_id: unit.id,
                    code: (*code).to_owned(),
                    name: (*name).to_owned(),
                    active: true,
                    version: 1,
                    created_at: b.now,
                    updated_at: b.now,
                });
                id
            })
            .collect();
        for period in Period::ALL {
            let Some((first, last)) = period_days(year, *period) else {
                continue;
            };
            periods.push(PeriodRecord {
                id: next(),
                unit_id: unit.id,
                name: format!(
                    "{} {year}",
                    period
                        .label()
                        .replace(" (Triwulan IV)", "")
                        .replace("Tahunan", "Triwulan IV")
                ),
                start_date: first,
                end_date: last,
                population: Some(3_000),
                weights: None,
                closed: false,
                closed_at: None,
                version: 1,
                created_at: b.now,
                updated_at: b.now,
            });
            let days = (last.min(as_of - chrono::Duration::days(1)) - first).num_days();
            if days < 0 {
                continue;
            }
            let count = 300 * (days + 1) / ((last - first).num_days() + 1);
            for _ in 0..count {
                let day = first + chrono::Duration::days(rng.random_range(0..=days));
                let answers: [Answer; 9] = std::array::from_fn(|u| {
                    let roll = rng.random_range(0..100);
                    let value = if u == weak {
                        match roll {
                            0..4 => 1,
                            4..28 => 2,
                            28..86 => 3,
                            _ => 4,
                        }
                    } else {
                        match roll {
                            0..1 => 1,
                            1..7 => 2,
                            7..68 => 3,
                            _ => 4,
                        }
                    };
                    Answer::new(value).unwrap_or_else(|_| unreachable!("1..=4"))
                });
                let pick = |n: usize, rng: &mut ChaCha8Rng| rng.random_range(0..n);
                let comment = (rng.random_range(0..100) < 12)
                    .then(|| COMMENTS[pick(COMMENTS.len(), &mut rng)].to_owned());
                responses.push(ResponseRecord {
                    id: next(),
                    unit_id: unit.id,
                    service_id: ids[pick(ids.len(), &mut rng)],
                    responded_on: day,
                    answers,
                    gender: Some(Gender::ALL[pick(Gender::ALL.len(), &mut rng)]),
                    age: Some(AgeBand::ALL[pick(AgeBand::ALL.len(), &mut rng)]),
                    education: Some(Education::ALL[pick(Education::ALL.len(), &mut rng)]),
                    occupation: Some(Occupation::ALL[pick(Occupation::ALL.len(), &mut rng)]),
                    comment,
                    channel: if pick(3, &mut rng) == 0 {
                        Channel::Paper
                    } else {
                        Channel::Kiosk
                    },
                    created_at: day.and_hms_opt(2, 0, 0).map_or(b.now, |t| t.and_utc()),
                });
            }
        }
    }
    (services, periods, responses)
}

/// Every OPD's performance records, with the predikat of the quarters ended by `as_of` set as
/// suggested (baik without a suggestion) — except Disdukcapil's Q2, set to istimewa by the Sekda,
/// which its staff's Q2 predikat breach (sangat baik is not their largest group): something to
/// calibrate.
async fn demo_org_predikat(
    db: &Db,
    ctx: &Context,
    cycle: &CycleRecord,
    as_of: NaiveDate,
) -> Result<(), SeedError> {
    use kinerja_domain::assessment::period_days;
    use kinerja_domain::calibration::OrgPredikat;
    use kinerja_persistence::repos::opd_performance;
    crate::services::calibration::ensure_records(db, ctx.now).await?;
    let all = units::all(db).await?;
    let mut set = Vec::new();
    for mut record in opd_performance::of_cycle(db, cycle.id).await? {
        let ended = period_days(cycle.year, record.period).is_some_and(|(_, last)| last < as_of);
        if !ended || record.period == kinerja_domain::capaian::Period::Q4 {
            continue;
        }
        let Some(unit) = all.iter().find(|u| u.id == record.unit_id) else {
            continue;
        };
        let suggested =
            crate::services::calibration::opd_capaian(db, cycle, unit.id, record.period)
                .await?
                .1
                .map(|s| s.predikat);
        let breach =
            unit.code == "DISDUKCAPIL" && record.period == kinerja_domain::capaian::Period::Q2;
        let expected = record.version;
        record.predikat = Some(if breach {
            OrgPredikat::Istimewa
        } else {
            suggested.unwrap_or(OrgPredikat::Baik)
        });
        record.suggested_predikat = suggested;
        record.reason = (suggested.is_some() && suggested != record.predikat)
            .then(|| "Inovasi layanan jemput bola KTP-el di seluruh kecamatan.".to_owned());
        record.set_at = period_days(cycle.year, record.period)
            .and_then(|(_, last)| (last + chrono::Duration::days(12)).and_hms_opt(3, 0, 0))
            .map(|t| t.and_utc());
        record.version += 1;
        set.push((record, expected));
    }
    let tx = db.begin().await?;
    for (record, expected) in &set {
        opd_performance::update(&tx, record, *expected).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Seeds the demo city into an empty database.
/// A demo programme: title, method, JP, tags, provider, start (month, day), days, quota.
type DemoProgramme = (
    &'static str,
    kinerja_domain::training::Method,
    u32,
    &'static [&'static str],
    &'static str,
    (u32, u32),
    i64,
    Option<u32>,
);

/// The city's competency development catalogue for the year: about 20 programmes of both routes,
/// IT training for Disdukcapil's staff among them.
const PROGRAMMES: &[DemoProgramme] = {
    use kinerja_domain::training::Method::*;
    &[
        (
            "Pelatihan SIAK Terpusat dan Tanda Tangan Elektronik",
            Pelatihan,
            16,
            &["teknologi_informasi", "pelayanan_publik"],
            "Ditjen Dukcapil Kemendagri",
            (2, 9),
            2,
            Some(640),
        ),
        (
            "Keamanan Data Kependudukan",
            ELearning,
            8,
            &["teknologi_informasi", "akuntabel"],
            "Ditjen Dukcapil Kemendagri",
            (3, 2),
            30,
            None,
        ),
        (
            "Literasi Digital ASN",
            ELearning,
            10,
            &["teknologi_informasi", "adaptif"],
            "LAN RI (ASN Unggul)",
            (1, 15),
            60,
            None,
        ),
        (
            "Pengolahan Data dengan Spreadsheet",
            Pelatihan,
            12,
            &["teknologi_informasi"],
            "Dinas Kominfo Kota Pematangsiantar",
            (4, 21),
            2,
            Some(320),
        ),
        (
            "Aplikasi Srikandi untuk Arsip Dinamis",
            BimbinganTeknis,
            8,
            &["teknologi_informasi", "akuntabel"],
            "ANRI",
            (5, 19),
            1,
            Some(480),
        ),
        (
            "Pelayanan Prima",
            Pelatihan,
            16,
            &["berorientasi_pelayanan", "pelayanan_publik"],
            "BKPSDM Kota Pematangsiantar",
            (3, 10),
            2,
            Some(480),
        ),
        (
            "Penanganan Pengaduan SP4N-LAPOR!",
            Workshop,
            6,
            &["berorientasi_pelayanan", "pelayanan_publik"],
            "Bagian Organisasi Setda",
            (6, 9),
            1,
            Some(400),
        ),
        (
            "Orientasi Nilai Dasar BerAKHLAK",
            Sosialisasi,
            4,
            &[
                "berorientasi_pelayanan",
                "akuntabel",
                "kompeten",
                "harmonis",
                "loyal",
                "adaptif",
                "kolaboratif",
            ],
            "BKPSDM Kota Pematangsiantar",
            (2, 2),
            1,
            None,
        ),
        (
            "Penyusunan SKP dan Manajemen Kinerja",
            BimbinganTeknis,
            8,
            &["akuntabel", "manajemen_kinerja"],
            "BKPSDM Kota Pematangsiantar",
            (1, 20),
            1,
            Some(960),
        ),
        (
            "Bimtek SAKIP Perangkat Daerah",
            BimbinganTeknis,
            12,
            &["akuntabel", "perencanaan"],
            "Bappeda Kota Pematangsiantar",
            (4, 7),
            2,
            Some(480),
        ),
        (
            "Pengadaan Barang/Jasa Pemerintah Tingkat Dasar",
            Pelatihan,
            24,
            &["pengadaan", "akuntabel"],
            "LKPP",
            (7, 14),
            3,
            Some(240),
        ),
        (
            "Penatausahaan Keuangan Daerah di SIPD",
            Pelatihan,
            16,
            &["keuangan_daerah", "teknologi_informasi"],
            "BPKPD Kota Pematangsiantar",
            (8, 4),
            2,
            Some(320),
        ),
        (
            "Coaching Kepemimpinan Pengawas",
            Coaching,
            6,
            &["kepemimpinan", "kolaboratif"],
            "BKPSDM Kota Pematangsiantar",
            (5, 5),
            21,
            Some(25),
        ),
        (
            "Mentoring Pejabat Fungsional Pemula",
            Mentoring,
            8,
            &["kompeten", "kolaboratif"],
            "BKPSDM Kota Pematangsiantar",
            (6, 2),
            30,
            Some(240),
        ),
        (
            "Komunitas Belajar Analisis Data Pelayanan",
            KomunitasBelajar,
            6,
            &["teknologi_informasi", "kolaboratif"],
            "Dinas Kominfo Kota Pematangsiantar",
            (7, 1),
            90,
            None,
        ),
        (
            "Etika Komunikasi dan Public Speaking",
            Seminar,
            4,
            &["harmonis", "berorientasi_pelayanan"],
            "BKPSDM Kota Pematangsiantar",
            (9, 16),
            1,
            Some(1200),
        ),
        (
            "Magang Layanan Adminduk Terintegrasi",
            Magang,
            20,
            &["pelayanan_publik", "teknologi_informasi"],
            "Disdukcapil Kota Medan",
            (9, 1),
            10,
            Some(10),
        ),
        (
            "Kesehatan dan Keselamatan Kerja Perkantoran",
            Sosialisasi,
            3,
            &["kompeten"],
            "Dinas Tenaga Kerja Kota Pematangsiantar",
            (10, 6),
            1,
            None,
        ),
        (
            "Manajemen Risiko dan Pengendalian Intern",
            Pelatihan,
            12,
            &["akuntabel", "pengendalian_intern"],
            "Inspektorat Kota Pematangsiantar",
            (11, 9),
            2,
            Some(320),
        ),
        (
            "Layanan Digital Kependudukan (IKD)",
            Pelatihan,
            12,
            &["teknologi_informasi", "berorientasi_pelayanan"],
            "Ditjen Dukcapil Kemendagri",
            (11, 23),
            2,
            Some(480),
        ),
        (
            "Penulisan Naskah Dinas",
            Kursus,
            8,
            &["kompeten", "tata_naskah"],
            "BKPSDM Kota Pematangsiantar",
            (12, 1),
            2,
            Some(400),
        ),
    ]
};

/// The year's programmes, who took part, and the training records that count: Disdukcapil's
/// staff all go through the SIAK and data-security training; everyone takes zero to five more
/// programmes, so that some end the year short of 20 JP. Programmes over by `as_of` are
/// completed (some dropped), those running are attended, those ahead have enrolments. A few
/// e-learning certificates wait for the superior's approval.
fn demo_training(
    b: &Builder,
    year: i32,
    as_of: NaiveDate,
) -> (
    Vec<kinerja_persistence::repos::training::ProgrammeRecord>,
    Vec<kinerja_persistence::repos::training::ParticipantRecord>,
    Vec<kinerja_persistence::repos::training::RecordRecord>,
) {
    use kinerja_domain::training::{
        MINUTES_PER_JP, Method, ParticipationStatus, RecordSource, RecordStatus, Session,
    };
    use kinerja_persistence::repos::training::{ParticipantRecord, ProgrammeRecord, RecordRecord};
    let mut rng = ChaCha8Rng::seed_from_u64(10_2018);
    let mut seed = 120_000_u128;
    let mut next_id = || {
        seed += 1;
        demo_id(seed)
    };
    let noon = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(5, 0, 0).unwrap_or_default());
    let programmes: Vec<ProgrammeRecord> = PROGRAMMES
        .iter()
        .map(
            |(title, method, jp, tags, provider, (month, day), days, quota)| {
                let start = NaiveDate::from_ymd_opt(year, *month, *day).unwrap_or(as_of);
                let end = (start + chrono::Duration::days(days - 1))
                    .min(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(start));
                // Classroom days get a session each (at most five listed).
                let sessions = if method.route() == kinerja_domain::training::Route::Klasikal {
                    (0..(*days).min(5))
                        .map(|d| Session {
                            date: start + chrono::Duration::days(d),
                            start_time: chrono::NaiveTime::from_hms_opt(8, 0, 0),
                            end_time: chrono::NaiveTime::from_hms_opt(16, 0, 0),
                            location: Some("Aula BKPSDM, Jl. Merdeka".to_owned()),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let created = noon(NaiveDate::from_ymd_opt(year, 1, 5).unwrap_or(start)).min(b.now);
                ProgrammeRecord {
                    id: next_id(),
                    title: (*title).to_owned(),
                    description: None,
                    route: method.route(),
                    method: *method,
                    jp_minutes: i64::from(*jp) * MINUTES_PER_JP,
                    competencies: tags.iter().map(|t| (*t).to_owned()).collect(),
                    provider: (*provider).to_owned(),
                    start_date: start,
                    end_date: end,
                    quota: *quota,
                    sessions,
                    created_by: None,
                    version: 1,
                    created_at: created,
                    updated_at: created,
                }
            },
        )
        .collect();
    let disdukcapil: HashSet<Uuid> = b
        .units
        .iter()
        .filter(|u| u.code.starts_with("DISDUKCAPIL"))
        .map(|u| u.id)
        .collect();
    let mut seats: HashMap<Uuid, u32> = HashMap::new();
    let mut participants = Vec::new();
    let mut records = Vec::new();
    let mut serial = 0_u32;
    for e in b.employees.iter().filter(|e| e.is_active()) {
        let mut chosen: Vec<usize> = if disdukcapil.contains(&e.unit_id) {
            vec![0, 1]
        } else {
            Vec::new()
        };
        // Everyone: zero to five programmes more (one in twenty takes none).
        let extra = match rng.random_range(0..20) {
            0 => 0,
            1 | 2 => 1,
            3..=6 => 2,
            7..=12 => 3,
            13..=17 => 4,
            _ => 5,
        };
        for _ in 0..extra {
            let pick = rng.random_range(2..PROGRAMMES.len());
            if !chosen.contains(&pick) {
                chosen.push(pick);
            }
        }
        for i in chosen {
            let p = &programmes[i];
            let taken = seats.entry(p.id).or_default();
            if p.quota.is_some_and(|q| *taken >= q) {
                continue;
            }
            let enrolled_on = (p.start_date - chrono::Duration::days(30))
                .max(NaiveDate::from_ymd_opt(year, 1, 6).unwrap_or(p.start_date));
            if enrolled_on > as_of {
                continue;
            }
            let mut part = ParticipantRecord {
                id: next_id(),
                training_id: p.id,
                employee_id: e.id,
                status: ParticipationStatus::Enrolled,
                enrolled_by: None,
                enrolled_at: noon(enrolled_on),
                attended_at: None,
                completed_at: None,
                dropped_at: None,
                drop_reason: None,
                record_id: None,
                version: 1,
                updated_at: noon(enrolled_on),
            };
            if p.end_date < as_of {
                if rng.random_range(0..20) == 0 {
                    part.status = ParticipationStatus::Dropped;
                    part.dropped_at = Some(noon(p.start_date));
                    part.drop_reason = Some("Bertepatan dengan tugas pelayanan.".to_owned());
                    part.updated_at = noon(p.start_date);
                    part.version = 2;
                } else {
                    serial += 1;
                    let record = RecordRecord {
                        id: next_id(),
                        employee_id: e.id,
                        source: RecordSource::Programme,
                        training_id: Some(p.id),
                        title: p.title.clone(),
                        route: p.route,
                        method: p.method,
                        jp_minutes: p.jp_minutes,
                        completed_on: p.end_date,
                        certificate_no: Some(format!("PKOM-{year}-{serial:05}")),
                        evidence: None,
                        status: RecordStatus::Approved,
                        submitted_by: None,
                        decided_by: None,
                        decided_at: Some(noon(p.end_date)),
                        decision_reason: None,
                        version: 1,
                        created_at: noon(p.end_date),
                        updated_at: noon(p.end_date),
                    };
                    part.status = ParticipationStatus::Completed;
                    part.attended_at = Some(noon(p.start_date));
                    part.completed_at = Some(noon(p.end_date));
                    part.record_id = Some(record.id);
                    part.updated_at = noon(p.end_date);
                    part.version = 3;
                    records.push(record);
                }
            } else if p.start_date <= as_of {
                part.status = ParticipationStatus::Attended;
                part.attended_at = Some(noon(p.start_date));
                part.updated_at = noon(p.start_date);
                part.version = 2;
            }
            if part.status.holds_seat() {
                *taken += 1;
            }
            participants.push(part);
        }
        // One in eight Disdukcapil staff sent an e-learning certificate awaiting approval.
        if disdukcapil.contains(&e.unit_id)
            && e.supervisor_id.is_some()
            && rng.random_range(0..8) == 0
        {
            let done = as_of - chrono::Duration::days(rng.random_range(3..20));
            records.push(RecordRecord {
                id: next_id(),
                employee_id: e.id,
                source: RecordSource::External,
                training_id: None,
                title: "E-Learning Manajemen ASN (ASN Unggul)".to_owned(),
                route: Method::ELearning.route(),
                method: Method::ELearning,
                jp_minutes: 6 * MINUTES_PER_JP,
                completed_on: done,
                certificate_no: Some(format!("ASNU-{year}-{:06}", rng.random_range(1..999_999))),
                evidence: Some("https://asnunggul.lan.go.id/sertifikat".to_owned()),
                status: RecordStatus::Pending,
                submitted_by: None,
                decided_by: None,
                decided_at: None,
                decision_reason: None,
                version: 1,
                created_at: noon(done),
                updated_at: noon(done),
            });
        }
    }
    (programmes, participants, records)
}

pub async fn seed(db: &Db, as_of: NaiveDate) -> Result<DemoSummary, SeedError> {
    if !units::all(db).await?.is_empty() {
        return Err(SeedError::NotEmpty);
    }
    let b = build(as_of);
    let ctx = Context::system(b.now);
    // Supervisors first, so every foreign key points at a stored row.
    let line = b
        .employees
        .iter()
        .map(|e| (e.id, e.supervisor_id))
        .collect();
    let order = kinerja_domain::org::parents_first(&line);
    let by_id: std::collections::HashMap<Uuid, &EmployeeRecord> =
        b.employees.iter().map(|e| (e.id, e)).collect();
    let ordered: Vec<EmployeeRecord> = order
        .iter()
        .filter_map(|id| by_id.get(id).map(|e| (*e).clone()))
        .collect();
    let unit_line = b.units.iter().map(|u| (u.id, u.parent_id)).collect();
    let unit_order = kinerja_domain::org::parents_first(&unit_line);
    let units_ordered: Vec<UnitRecord> = unit_order
        .iter()
        .filter_map(|id| b.units.iter().find(|u| u.id == *id).cloned())
        .collect();

    let (cycle, indicators) = performance(&b, as_of);
    let agreed = approved_skps(&b, &cycle, &indicators);
    let realized = demo_realizations(&agreed, as_of);
    let unit_realized = demo_unit_realizations(&indicators, as_of);
    let notes = demo_feedback(&agreed, as_of);
    let kadis = b
        .units
        .iter()
        .find(|u| u.code == "DISDUKCAPIL")
        .and_then(|u| u.head_employee_id);
    let (evaluations, objections) = demo_evaluations(&agreed, &realized, &cycle, kadis, as_of);
    let (services, survey_periods, responses) = demo_survey(&b, cycle.year, as_of);
    let (programmes, participants, training_records) = demo_training(&b, cycle.year, as_of);
    let tx = db.begin().await?;
    units::insert_many(&tx, &units_ordered).await?;
    employees::insert_many(&tx, &ordered).await?;
    kinerja_persistence::repos::cycles::insert(&tx, &cycle).await?;
    for indicator in &indicators {
        kinerja_persistence::repos::unit_indicators::insert(&tx, indicator).await?;
    }
    // Penilai first: every RHK's parent is stored before it.
    for (skp, rhks) in &agreed {
        skps::insert(&tx, skp).await?;
        for rhk in rhks {
            skps::save_rhk(&tx, rhk, true).await?;
        }
    }
    for service in &services {
        kinerja_persistence::repos::skm::insert_service(&tx, service).await?;
    }
    for p in &survey_periods {
        kinerja_persistence::repos::skm::insert_period(&tx, p).await?;
    }
    kinerja_persistence::repos::skm::insert_responses(&tx, &responses).await?;
    kinerja_persistence::repos::evaluations::insert_many(&tx, &evaluations).await?;
    for o in &objections {
        kinerja_persistence::repos::objections::insert(&tx, o).await?;
    }
    for r in &realized {
        realizations::save(&tx, r, true).await?;
    }
    for r in &unit_realized {
        kinerja_persistence::repos::unit_realizations::save(&tx, r, true).await?;
    }
    for f in &notes {
        kinerja_persistence::repos::feedback::insert(&tx, f).await?;
    }
    kinerja_persistence::repos::training::insert_programmes(&tx, &programmes).await?;
    kinerja_persistence::repos::training::insert_participants(&tx, &participants).await?;
    kinerja_persistence::repos::training::insert_records(&tx, &training_records).await?;
    ctx.audit(
        &tx,
        "demo.seeded",
        "import",
        format!("demo-{as_of}"),
        None,
        Some(json!({"units": b.units.len(), "employees": b.employees.len(), "cycle": cycle.year, "indicators": indicators.len(), "skps": agreed.len(), "realizations": realized.len(), "unit_realizations": unit_realized.len(), "feedback": notes.len(), "evaluations": evaluations.len(), "objections": objections.len(), "survey_responses": responses.len(), "trainings": programmes.len(), "training_participants": participants.len(), "training_records": training_records.len(), "as_of": as_of.to_string()})),
    )
    .await?;
    tx.commit().await?;
    // Quarters over by `as_of` are closed as the housekeeping task would: their feedback reaches
    // the counters.
    crate::services::skm::close_ended_periods(db, &ctx, as_of).await?;
    demo_org_predikat(db, &ctx, &cycle, as_of).await?;

    let mut demo_logins = Vec::new();
    for DemoAccount {
        login,
        roles,
        unit_id,
        employee_id,
    } in logins(&b)
    {
        // The first start may already have made `admin`: keep it.
        let created = users::create(
            db,
            &ctx,
            NewUser {
                username: login.username.clone(),
                password: login.password.to_owned(),
                roles,
                employee_id,
                unit_id,
                active: true,
                must_change_password: false,
            },
        )
        .await;
        match created {
            Ok(_) => demo_logins.push(login),
            Err(e) if e.code == crate::error::ErrorCode::UsernameTaken => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(DemoSummary {
        units: b.units.len(),
        opds: b.units.iter().filter(|u| u.is_opd).count(),
        employees: b.employees.len(),
        cycle_year: cycle.year,
        indicators: indicators.len(),
        skps: agreed.len(),
        logins: demo_logins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_city_is_plausible_and_deterministic() {
        let city = build(default_as_of());
        let opds = city.units.iter().filter(|u| u.is_opd).count();
        assert!(opds >= 30, "{opds} OPDs");
        let kelurahan = city
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Kelurahan)
            .count();
        assert_eq!(kelurahan, 53);
        assert_eq!(
            city.units
                .iter()
                .filter(|u| u.kind == UnitKind::Kecamatan)
                .count(),
            8
        );
        let n = city.employees.len();
        assert!((1300..=1800).contains(&n), "{n} employees");
        for e in &city.employees {
            assert!(Nip::parse(&e.nip, e.employment_type).is_ok(), "{}", e.nip);
            if let Some(g) = &e.golongan {
                assert!(
                    kinerja_domain::org::Golongan::parse(g, e.employment_type).is_ok(),
                    "{g}"
                );
            }
        }
        // Codes follow the unit-code rule and are unique.
        let codes: HashSet<&str> = city.units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes.len(), city.units.len());
        for u in &city.units {
            assert!(
                kinerja_domain::org::UnitCode::parse(&u.code).is_ok(),
                "{}",
                u.code
            );
            assert!(u.name.chars().count() <= 200);
        }
        // One top of the reporting line: the Sekda.
        assert_eq!(
            city.employees
                .iter()
                .filter(|e| e.supervisor_id.is_none())
                .count(),
            1
        );
        let line = city
            .employees
            .iter()
            .map(|e| (e.id, e.supervisor_id))
            .collect();
        assert!(kinerja_domain::org::nodes_on_cycles(&line).is_empty());
        // Disdukcapil's counters and the puskesmas are service units.
        assert!(
            city.units
                .iter()
                .any(|u| u.code == "DISDUKCAPIL.KTP" && u.is_service_unit)
        );

        let again = build(default_as_of());
        assert_eq!(
            city.employees.iter().map(|e| &e.nip).collect::<Vec<_>>(),
            again.employees.iter().map(|e| &e.nip).collect::<Vec<_>>()
        );
        assert_eq!(
            city.units.iter().map(|u| u.id).collect::<Vec<_>>(),
            again.units.iter().map(|u| u.id).collect::<Vec<_>>()
        );
        assert_eq!(logins(&city).len(), 5);
    }
}
