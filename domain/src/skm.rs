//! Survei Kepuasan Masyarakat (PermenPANRB 14/2017, DOMAIN §3): answers 1..4 to nine unsur, the
//! NRR of each from integer sums, the IKM with exact 1/9 (or custom) weights, the IKM unit on the
//! 25..100 scale rounded half up only for display, the mutu decided on that rounded figure, the
//! Krejcie–Morgan sample size, and the areas to improve (`weakest`, `below_b`).

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::capaian::round_half_up;

/// One answer on the 1..4 scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Answer(u8);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SkmError {
    #[error("an answer is 1, 2, 3 or 4")]
    AnswerOutOfRange,
    #[error("custom weights are 0 or more and sum to exactly 1")]
    WeightsInvalid,
}

impl Answer {
    pub fn new(value: i64) -> Result<Answer, SkmError> {
        match value {
            1..=4 => Ok(Answer(value as u8)),
            _ => Err(SkmError::AnswerOutOfRange),
        }
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

named_enum! {
    /// The nine unsur of the questionnaire.
    Unsur {
        U1 = ("u1", "Persyaratan"),
        U2 = ("u2", "Sistem, mekanisme, dan prosedur"),
        U3 = ("u3", "Waktu penyelesaian"),
        U4 = ("u4", "Biaya/tarif"),
        U5 = ("u5", "Produk spesifikasi jenis pelayanan"),
        U6 = ("u6", "Kompetensi pelaksana"),
        U7 = ("u7", "Perilaku pelaksana"),
        U8 = ("u8", "Penanganan pengaduan, saran dan masukan"),
        U9 = ("u9", "Sarana dan prasarana"),
    }
}

impl Unsur {
    /// 0 for u1 .. 8 for u9.
    pub fn index(self) -> usize {
        Unsur::ALL.iter().position(|u| *u == self).unwrap_or(0)
    }

    /// The words of answers 1, 2, 3 and 4.
    pub fn answer_labels(self) -> [&'static str; 4] {
        match self {
            Unsur::U1 | Unsur::U5 => ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
            Unsur::U2 => ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"],
            Unsur::U3 => ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"],
            Unsur::U4 => ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"],
            Unsur::U6 => [
                "Tidak kompeten",
                "Kurang kompeten",
                "Kompeten",
                "Sangat kompeten",
            ],
            Unsur::U7 => [
                "Tidak sopan dan ramah",
                "Kurang sopan dan ramah",
                "Sopan dan ramah",
                "Sangat sopan dan ramah",
            ],
            Unsur::U8 => [
                "Tidak ada",
                "Ada tetapi tidak berfungsi",
                "Berfungsi kurang maksimal",
                "Dikelola dengan baik",
            ],
            Unsur::U9 => ["Buruk", "Cukup", "Baik", "Sangat baik"],
        }
    }
}

named_enum! {
    /// Respondent profile: gender.
    Gender {
        L = ("l", "Laki-laki"),
        P = ("p", "Perempuan"),
    }
}

named_enum! {
    /// Respondent profile: age band.
    AgeBand {
        U17To25 = ("u17_25", "17–25 tahun"),
        U26To35 = ("u26_35", "26–35 tahun"),
        U36To45 = ("u36_45", "36–45 tahun"),
        U46To55 = ("u46_55", "46–55 tahun"),
        U56Plus = ("u56_plus", "56 tahun ke atas"),
    }
}

named_enum! {
    /// Respondent profile: education.
    Education {
        Sd = ("sd", "SD"),
        Smp = ("smp", "SMP"),
        Sma = ("sma", "SMA/SMK"),
        D1D3 = ("d1_d3", "D1–D3"),
        D4S1 = ("d4_s1", "D4/S1"),
        S2 = ("s2", "S2"),
        S3 = ("s3", "S3"),
    }
}

named_enum! {
    /// Respondent profile: occupation.
    Occupation {
        Pns = ("pns", "PNS"),
        TniPolri = ("tni_polri", "TNI/Polri"),
        Swasta = ("swasta", "Pegawai swasta"),
        Wirausaha = ("wirausaha", "Wirausaha"),
        PelajarMahasiswa = ("pelajar_mahasiswa", "Pelajar/Mahasiswa"),
        Lainnya = ("lainnya", "Lainnya"),
    }
}

named_enum! {
    /// Mutu pelayanan, decided on the 2-decimal IKM unit.
    Mutu {
        A = ("A", "Sangat Baik"),
        B = ("B", "Baik"),
        C = ("C", "Kurang Baik"),
        D = ("D", "Tidak Baik"),
    }
}

/// The answers of a set of responses, added up: every response answers all nine unsur.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub respondents: u64,
    pub sums: [u64; 9],
}

impl Tally {
    pub fn add(&mut self, answers: &[Answer; 9]) {
        self.respondents += 1;
        for (sum, a) in self.sums.iter_mut().zip(answers) {
            *sum += u64::from(a.value());
        }
    }

    /// Pooling adds answers (never averages of averages).
    pub fn merge(&mut self, other: &Tally) {
        self.respondents += other.respondents;
        for (a, b) in self.sums.iter_mut().zip(other.sums) {
            *a += b;
        }
    }
}

/// How the unsur are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weighting {
    /// Exactly 1/9 each (not 0.111).
    Exact19,
    /// Weights of u1..u9, each 0 or more, summing to exactly 1.
    Custom([Decimal; 9]),
}

impl Weighting {
    pub fn custom(weights: [Decimal; 9]) -> Result<Weighting, SkmError> {
        if weights.iter().any(|w| w.is_sign_negative())
            || weights.iter().sum::<Decimal>() != Decimal::ONE
        {
            return Err(SkmError::WeightsInvalid);
        }
        Ok(Weighting::Custom(weights))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Weighting::Exact19 => "exact_1_9",
            Weighting::Custom(_) => "custom",
        }
    }
}

/// The threshold below which an unsur is below mutu B (compared on the 4-decimal NRR).
pub fn below_b_threshold() -> Decimal {
    Decimal::new(30644, 4)
}

/// The figures of a set of responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IkmResult {
    pub respondents: u64,
    /// NRR of u1..u9, full precision.
    pub nrr: [Decimal; 9],
    /// NRR of u1..u9 at 4 decimals (half up).
    pub nrr_rounded: [Decimal; 9],
    /// IKM on the 1..4 scale, full precision.
    pub ikm: Decimal,
    /// IKM × 25, full precision.
    pub ikm_unit: Decimal,
    /// IKM unit at 2 decimals (half up): the published figure the mutu is decided on.
    pub ikm_unit_rounded: Decimal,
    pub mutu: Mutu,
    pub weighting: &'static str,
    /// The three unsur with the lowest NRR (ties by unsur number).
    pub weakest: Vec<Unsur>,
    /// Every unsur with NRR (4 decimals) below 3.0644.
    pub below_b: Vec<Unsur>,
}

/// The mutu of a 2-decimal IKM unit.
pub fn mutu(ikm_unit_rounded: Decimal) -> Mutu {
    if ikm_unit_rounded >= Decimal::new(8831, 2) {
        Mutu::A
    } else if ikm_unit_rounded >= Decimal::new(7661, 2) {
        Mutu::B
    } else if ikm_unit_rounded >= Decimal::new(6500, 2) {
        Mutu::C
    } else {
        Mutu::D
    }
}

/// NRR, IKM, IKM unit and mutu of a tally; none without respondents. With exact 1/9 weights the
/// IKM unit is 25 × Σ sums / (9 × n), one exact division of integers.
pub fn ikm(tally: &Tally, weighting: &Weighting) -> Option<IkmResult> {
    if tally.respondents == 0 {
        return None;
    }
    let n = Decimal::from(tally.respondents);
    let nrr = tally.sums.map(|s| Decimal::from(s) / n);
    let nrr_rounded = nrr.map(|v| round_half_up(v, 4));
    let ikm = match weighting {
        Weighting::Exact19 => {
            Decimal::from(tally.sums.iter().sum::<u64>()) / (Decimal::from(9) * n)
        }
        Weighting::Custom(w) => {
            let weighted: Decimal = w
                .iter()
                .zip(tally.sums)
                .map(|(w, s)| *w * Decimal::from(s))
                .sum();
            weighted / n
        }
    };
    let ikm_unit = match weighting {
        Weighting::Exact19 => {
            Decimal::from(25 * tally.sums.iter().sum::<u64>()) / (Decimal::from(9) * n)
        }
        Weighting::Custom(_) => ikm * Decimal::from(25),
    };
    let ikm_unit_rounded = round_half_up(ikm_unit, 2);
    let mut order: Vec<Unsur> = Unsur::ALL.to_vec();
    order.sort_by_key(|u| (nrr[u.index()], u.index()));
    Some(IkmResult {
        respondents: tally.respondents,
        weakest: order.into_iter().take(3).collect(),
        below_b: Unsur::ALL
            .iter()
            .copied()
            .filter(|u| nrr_rounded[u.index()] < below_b_threshold())
            .collect(),
        nrr,
        nrr_rounded,
        ikm,
        ikm_unit,
        ikm_unit_rounded,
        mutu: mutu(ikm_unit_rounded),
        weighting: weighting.name(),
    })
}

/// The Krejcie–Morgan sample size for a population of `population` service users (95%
/// confidence, 5% margin): ⌈3.841·N·0.25 / (0.0025·(N−1) + 3.841·0.25)⌉.
pub fn required_sample(population: u64) -> u64 {
    if population == 0 {
        return 0;
    }
    let n = Decimal::from(population);
    let chi = Decimal::new(3841, 3);
    let p = Decimal::new(25, 2);
    let d2 = Decimal::new(25, 4);
    let value = chi * n * p / (d2 * (n - Decimal::ONE) + chi * p);
    value.ceil().to_u64().unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn tally(n: u64, sums: [u64; 9]) -> Tally {
        Tally {
            respondents: n,
            sums,
        }
    }

    #[test]
    fn answers_are_one_to_four() {
        assert!(Answer::new(0).is_err() && Answer::new(5).is_err());
        assert_eq!(Answer::new(4).map(Answer::value), Ok(4));
        assert_eq!(Unsur::U4.answer_labels()[3], "Gratis");
        assert_eq!(Unsur::ALL.len(), 9);
    }

    #[test]
    fn thirty_over_nine_is_83_33_exactly_and_not_83_25() {
        // ΣNRR = 30 (each respondent sums 30 over nine unsur).
        let t = tally(3, [10, 10, 10, 10, 10, 10, 10, 10, 10]);
        let r = ikm(&t, &Weighting::Exact19).unwrap();
        assert_eq!(r.ikm_unit_rounded, d("83.33"));
        assert_eq!(r.weighting, "exact_1_9");
        assert_eq!(r.mutu, Mutu::B);
        // 0.111 per unsur would give 83.25: the published worksheets' figure.
        let w = Weighting::custom([d("0.111"); 9]);
        assert_eq!(w, Err(SkmError::WeightsInvalid), "0.111 × 9 is not 1");
    }

    #[test]
    fn mutu_at_every_band_edge() {
        for (v, m) in [
            ("64.99", Mutu::D),
            ("65.00", Mutu::C),
            ("76.60", Mutu::C),
            ("76.61", Mutu::B),
            ("88.30", Mutu::B),
            ("88.31", Mutu::A),
        ] {
            assert_eq!(mutu(d(v)), m, "{v}");
        }
        // An IKM unit of exactly 76.605 rounds half up to 76.61: B, not C.
        // 25 × 275,778 / (9 × 10,000) = 76.605.
        let t = tally(
            10_000,
            [
                30_642, 30_642, 30_642, 30_642, 30_642, 30_642, 30_642, 30_642, 30_642,
            ],
        );
        let r = ikm(&t, &Weighting::Exact19).unwrap();
        assert_eq!(r.ikm_unit, d("76.605"));
        assert_eq!(r.ikm_unit_rounded, d("76.61"));
        assert_eq!(r.mutu, Mutu::B);
    }

    #[test]
    fn nrr_weakest_and_below_b() {
        // Four respondents; u3 and u8 weakest, u3 and u8 and u9 below 3.0644.
        let t = tally(4, [14, 13, 9, 16, 13, 15, 16, 10, 12]);
        let r = ikm(&t, &Weighting::Exact19).unwrap();
        assert_eq!(r.nrr[2], d("2.25"));
        assert_eq!(r.weakest, [Unsur::U3, Unsur::U8, Unsur::U9]);
        assert_eq!(r.below_b, [Unsur::U3, Unsur::U8, Unsur::U9]);
        // Ties by unsur number.
        let even = tally(1, [3, 3, 3, 3, 3, 3, 3, 3, 3]);
        assert_eq!(
            ikm(&even, &Weighting::Exact19).unwrap().weakest,
            [Unsur::U1, Unsur::U2, Unsur::U3]
        );
        // 3.0644 itself is not below B; 3.0643 is.
        let edge = tally(
            10_000,
            [
                30_644, 30_643, 40_000, 40_000, 40_000, 40_000, 40_000, 40_000, 40_000,
            ],
        );
        assert_eq!(
            ikm(&edge, &Weighting::Exact19).unwrap().below_b,
            [Unsur::U2]
        );
        assert_eq!(ikm(&Tally::default(), &Weighting::Exact19), None);
    }

    #[test]
    fn custom_weights_sum_to_one() {
        let mut w = [d("0.1"); 9];
        w[0] = d("0.2");
        let weighting = Weighting::custom(w).unwrap();
        let t = tally(2, [8, 4, 4, 4, 4, 4, 4, 4, 4]);
        let r = ikm(&t, &weighting).unwrap();
        // 0.2 × 4 + 0.8 × 2 = 2.4 → 60.00: D.
        assert_eq!(
            (r.ikm, r.ikm_unit_rounded, r.mutu),
            (d("2.4"), d("60.00"), Mutu::D)
        );
        assert_eq!(r.weighting, "custom");
        assert!(
            Weighting::custom([
                d("0.2"),
                d("-0.1"),
                d("0.9"),
                d("0"),
                d("0"),
                d("0"),
                d("0"),
                d("0"),
                d("0")
            ])
            .is_err()
        );
    }

    #[test]
    fn pooling_adds_answers() {
        let mut a = tally(1, [4; 9]);
        let b = tally(3, [6; 9]);
        a.merge(&b);
        assert_eq!(a, tally(4, [10; 9]));
        let r = ikm(&a, &Weighting::Exact19).unwrap();
        assert_eq!(r.nrr[0], d("2.5"));
    }

    #[test]
    fn krejcie_morgan() {
        assert_eq!(required_sample(100), 80);
        assert_eq!(required_sample(1_000), 278);
        assert_eq!(required_sample(1_000_000), 384);
        assert!(required_sample(u64::from(u32::MAX)) <= 385);
        assert_eq!(required_sample(0), 0);
    }
}
