//! Organisational performance and calibration (SE MenPANRB 3/2023, DOMAIN §2.2–§2.3): the
//! predikat of an OPD suggested from the mean capaian of its Perjanjian Kinerja, the head's work
//! rating that follows from it, and the distribution curve the OPD's predikat sets for its
//! employees' predikat — every breach with the rule, its limit, the actual count and the fewest
//! employees whose predikat must change, in integer arithmetic.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::assessment::{Predikat, Rating};
use crate::capaian::round_half_up;
use crate::cycle::{HeadRatingFromOrg, OrgPredikatThresholds};

named_enum! {
    /// Predikat kinerja organisasi.
    OrgPredikat {
        Istimewa = ("istimewa", "Istimewa"),
        Baik = ("baik", "Baik"),
        ButuhPerbaikan = ("butuh_perbaikan", "Butuh Perbaikan"),
        Kurang = ("kurang", "Kurang"),
        SangatKurang = ("sangat_kurang", "Sangat Kurang"),
    }
}

/// The suggested organisational predikat and what it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSuggestion {
    /// Indicators with a capaian for the period.
    pub inputs: usize,
    /// Mean of their capped capaian, full precision.
    pub mean: Decimal,
    /// At 2 decimals (half up): what the thresholds judge.
    pub mean_rounded: Decimal,
    pub predikat: OrgPredikat,
}

/// Mean capaian ≥ istimewa → istimewa; ≥ baik → baik; ≥ butuh perbaikan → butuh perbaikan;
/// ≥ kurang → kurang; else sangat kurang (on the 2-decimal mean). None without any capaian.
pub fn suggest_org_predikat(
    capped: &[Decimal],
    t: &OrgPredikatThresholds,
) -> Option<OrgSuggestion> {
    if capped.is_empty() {
        return None;
    }
    let mean = capped.iter().sum::<Decimal>() / Decimal::from(capped.len());
    let mean_rounded = round_half_up(mean, 2);
    let predikat = if mean_rounded >= t.istimewa {
        OrgPredikat::Istimewa
    } else if mean_rounded >= t.baik {
        OrgPredikat::Baik
    } else if mean_rounded >= t.butuh_perbaikan {
        OrgPredikat::ButuhPerbaikan
    } else if mean_rounded >= t.kurang {
        OrgPredikat::Kurang
    } else {
        OrgPredikat::SangatKurang
    };
    Some(OrgSuggestion {
        inputs: capped.len(),
        mean,
        mean_rounded,
        predikat,
    })
}

/// The head of an OPD's work rating: his OPD's predikat through the cycle's mapping.
pub fn head_work_rating(org: OrgPredikat, map: &HeadRatingFromOrg) -> Rating {
    match org {
        OrgPredikat::Istimewa => map.istimewa,
        OrgPredikat::Baik => map.baik,
        OrgPredikat::ButuhPerbaikan => map.butuh_perbaikan,
        OrgPredikat::Kurang => map.kurang,
        OrgPredikat::SangatKurang => map.sangat_kurang,
    }
}

/// How many employees hold each predikat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub sangat_baik: u32,
    pub baik: u32,
    pub butuh_perbaikan: u32,
    pub kurang: u32,
    pub sangat_kurang: u32,
}

impl Counts {
    pub fn of(predikat: impl IntoIterator<Item = Predikat>) -> Counts {
        let mut c = Counts::default();
        for p in predikat {
            *c.get_mut(p) += 1;
        }
        c
    }

    pub fn get(&self, p: Predikat) -> u32 {
        match p {
            Predikat::SangatBaik => self.sangat_baik,
            Predikat::Baik => self.baik,
            Predikat::ButuhPerbaikan => self.butuh_perbaikan,
            Predikat::Kurang => self.kurang,
            Predikat::SangatKurang => self.sangat_kurang,
        }
    }

    fn get_mut(&mut self, p: Predikat) -> &mut u32 {
        match p {
            Predikat::SangatBaik => &mut self.sangat_baik,
            Predikat::Baik => &mut self.baik,
            Predikat::ButuhPerbaikan => &mut self.butuh_perbaikan,
            Predikat::Kurang => &mut self.kurang,
            Predikat::SangatKurang => &mut self.sangat_kurang,
        }
    }

    pub fn headcount(&self) -> u32 {
        Predikat::ALL.iter().map(|p| self.get(*p)).sum()
    }
}

/// One rule of a curve that the counts break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    /// E.g. `sangat_baik_largest_group`, `baik_at_most_70`, `butuh_perbaikan_at_least_60`.
    pub rule: String,
    /// The limit in employees (for a largest-group rule: the size of the largest rival group).
    pub limit: u32,
    pub actual: u32,
    /// The fewest employees whose predikat must change to satisfy this rule.
    pub to_move: u32,
}

/// "At most p%": floor(p × n / 100).
pub fn at_most(percent: u32, n: u32) -> u32 {
    percent * n / 100
}

/// "At least p%": ceil(p × n / 100).
pub fn at_least(percent: u32, n: u32) -> u32 {
    (percent * n).div_ceil(100)
}

fn upper(rule: String, limit: u32, actual: u32) -> Option<Breach> {
    (actual > limit).then(|| Breach {
        rule,
        limit,
        actual,
        to_move: actual - limit,
    })
}

fn lower(rule: String, limit: u32, actual: u32) -> Option<Breach> {
    (actual < limit).then(|| Breach {
        rule,
        limit,
        actual,
        to_move: limit - actual,
    })
}

/// `group` must be the largest (ties allowed). Moving one employee from the largest rival into
/// the group is the best single step; the fewest moves are counted by taking those steps.
fn largest(group: Predikat, counts: &Counts) -> Option<Breach> {
    let mut own = counts.get(group);
    let mut rivals: Vec<u32> = Predikat::ALL
        .iter()
        .filter(|p| **p != group)
        .map(|p| counts.get(*p))
        .collect();
    let limit = rivals.iter().copied().max().unwrap_or(0);
    let actual = own;
    let mut to_move = 0;
    loop {
        rivals.sort_unstable();
        let Some(top) = rivals.last_mut() else { break };
        if own >= *top {
            break;
        }
        *top -= 1;
        own += 1;
        to_move += 1;
    }
    (to_move > 0).then(|| Breach {
        rule: format!("{}_largest_group", group.as_str()),
        limit,
        actual,
        to_move,
    })
}

/// Every rule the counts break under the OPD's predikat (SE MenPANRB 3/2023).
pub fn breaches(org: OrgPredikat, counts: &Counts) -> Vec<Breach> {
    use Predikat::{Baik, ButuhPerbaikan, Kurang, SangatBaik, SangatKurang};
    let n = counts.headcount();
    let c = |p| counts.get(p);
    let rule = |p: Predikat, what: &str| format!("{}_{what}", p.as_str());
    let found = match org {
        OrgPredikat::Istimewa => vec![
            largest(SangatBaik, counts),
            upper(
                rule(SangatBaik, "at_most_70"),
                at_most(70, n),
                c(SangatBaik),
            ),
        ],
        OrgPredikat::Baik => vec![
            largest(Baik, counts),
            upper(rule(Baik, "at_most_70"), at_most(70, n), c(Baik)),
            lower(
                "butuh_perbaikan_or_kurang_at_least_one".to_owned(),
                1.min(n),
                c(ButuhPerbaikan) + c(Kurang),
            ),
        ],
        OrgPredikat::ButuhPerbaikan => vec![
            lower(
                rule(ButuhPerbaikan, "at_least_60"),
                at_least(60, n),
                c(ButuhPerbaikan),
            ),
            upper(
                rule(SangatBaik, "at_most_10"),
                at_most(10, n),
                c(SangatBaik),
            ),
        ],
        OrgPredikat::Kurang => vec![
            lower(rule(Kurang, "at_least_60"), at_least(60, n), c(Kurang)),
            lower(
                rule(ButuhPerbaikan, "at_least_10"),
                at_least(10, n),
                c(ButuhPerbaikan),
            ),
            upper(
                rule(SangatBaik, "at_most_10"),
                at_most(10, n),
                c(SangatBaik),
            ),
        ],
        OrgPredikat::SangatKurang => vec![
            lower(
                rule(SangatKurang, "at_least_60"),
                at_least(60, n),
                c(SangatKurang),
            ),
            lower(
                "kurang_or_butuh_perbaikan_at_least_10".to_owned(),
                at_least(10, n),
                c(Kurang) + c(ButuhPerbaikan),
            ),
            upper(rule(SangatBaik, "none"), 0, c(SangatBaik)),
        ],
    };
    found.into_iter().flatten().collect()
}

/// Whether breaches block finalisation: never for OPDs below the minimum headcount (never
/// below 5), only when the cycle enforces the curve.
pub fn blocks(breaches: &[Breach], headcount: u32, min_headcount: u32, enforce: bool) -> bool {
    enforce && headcount >= min_headcount.max(5) && !breaches.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cycle::Settings;

    fn counts(sb: u32, b: u32, bp: u32, k: u32, sk: u32) -> Counts {
        Counts {
            sangat_baik: sb,
            baik: b,
            butuh_perbaikan: bp,
            kurang: k,
            sangat_kurang: sk,
        }
    }

    fn rules(org: OrgPredikat, c: Counts) -> Vec<(String, u32, u32, u32)> {
        breaches(org, &c)
            .into_iter()
            .map(|b| (b.rule, b.limit, b.actual, b.to_move))
            .collect()
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn limits_never_exceed_the_percentage() {
        // 70% of 7 = 4.9 → at most 4; 60% of 7 = 4.2 → at least 5.
        assert_eq!((at_most(70, 7), at_least(60, 7)), (4, 5));
        for (n, most70, least60, most10, least10) in [
            (1, 0, 1, 0, 1),
            (3, 2, 2, 0, 1),
            (7, 4, 5, 0, 1),
            (10, 7, 6, 1, 1),
            (90, 63, 54, 9, 9),
            (250, 175, 150, 25, 25),
        ] {
            assert_eq!(
                (
                    at_most(70, n),
                    at_least(60, n),
                    at_most(10, n),
                    at_least(10, n)
                ),
                (most70, least60, most10, least10),
                "n = {n}"
            );
        }
    }

    #[test]
    fn a_baik_opd_with_8_of_10_sangat_baik_breaks_two_rules() {
        // The example: baik is not the largest group, and no butuh perbaikan or kurang.
        let c = counts(8, 2, 0, 0, 0);
        assert_eq!(
            rules(OrgPredikat::Baik, c),
            [
                ("baik_largest_group".to_owned(), 8, 2, 3),
                ("butuh_perbaikan_or_kurang_at_least_one".to_owned(), 1, 0, 1),
            ]
        );
        // Re-assessed to 2 sangat baik, 6 baik and 2 butuh perbaikan: within the curve.
        assert!(breaches(OrgPredikat::Baik, &counts(2, 6, 2, 0, 0)).is_empty());
        // 8 baik of 10 is more than 70%.
        assert_eq!(
            rules(OrgPredikat::Baik, counts(0, 8, 2, 0, 0)),
            [("baik_at_most_70".to_owned(), 7, 8, 1)]
        );
    }

    #[test]
    fn largest_group_allows_ties_and_counts_the_fewest_moves() {
        assert!(breaches(OrgPredikat::Istimewa, &counts(3, 3, 1, 0, 0)).is_empty());
        // 1 sangat baik against 5 baik and 4 butuh perbaikan: move 2 from baik (3 vs 3), then
        // the rival max is 4: one more from butuh perbaikan (4 vs 3 / 3) → 3 moves.
        assert_eq!(
            rules(OrgPredikat::Istimewa, counts(1, 5, 4, 0, 0)),
            [("sangat_baik_largest_group".to_owned(), 5, 1, 3)]
        );
        // At 250, 180 sangat baik is above 175.
        assert_eq!(
            rules(OrgPredikat::Istimewa, counts(180, 60, 10, 0, 0)),
            [("sangat_baik_at_most_70".to_owned(), 175, 180, 5)]
        );
    }

    #[test]
    fn each_curve_at_several_headcounts() {
        // Butuh perbaikan: at least 60% bp, at most 10% sb.
        assert_eq!(
            rules(OrgPredikat::ButuhPerbaikan, counts(1, 2, 0, 0, 0)),
            [
                ("butuh_perbaikan_at_least_60".to_owned(), 2, 0, 2),
                ("sangat_baik_at_most_10".to_owned(), 0, 1, 1),
            ]
        );
        assert!(breaches(OrgPredikat::ButuhPerbaikan, &counts(9, 27, 54, 0, 0)).is_empty());
        // Kurang at 7: at least 5 kurang, at least 1 bp, at most 0 sb.
        assert_eq!(
            rules(OrgPredikat::Kurang, counts(0, 2, 1, 4, 0)),
            [("kurang_at_least_60".to_owned(), 5, 4, 1)]
        );
        assert!(breaches(OrgPredikat::Kurang, &counts(0, 1, 1, 5, 0)).is_empty());
        // Sangat kurang at 10: at least 6 sk, at least 1 kurang or bp, no sangat baik.
        assert_eq!(
            rules(OrgPredikat::SangatKurang, counts(1, 3, 0, 0, 6)),
            [
                ("kurang_or_butuh_perbaikan_at_least_10".to_owned(), 1, 0, 1),
                ("sangat_baik_none".to_owned(), 0, 1, 1),
            ]
        );
        // A single employee under a baik OPD: he must be the largest group and still be bp or k.
        assert_eq!(
            rules(OrgPredikat::Baik, counts(0, 1, 0, 0, 0)),
            [
                ("baik_at_most_70".to_owned(), 0, 1, 1),
                ("butuh_perbaikan_or_kurang_at_least_one".to_owned(), 1, 0, 1),
            ]
        );
    }

    #[test]
    fn small_opds_are_reported_but_never_blocked() {
        let b = breaches(OrgPredikat::Baik, &counts(3, 0, 0, 0, 0));
        assert!(!b.is_empty());
        assert!(!blocks(&b, 3, 5, true));
        assert!(!blocks(&b, 4, 3, true), "the minimum is never below 5");
        assert!(blocks(&b, 10, 5, true));
        assert!(!blocks(&b, 10, 5, false), "warn only");
    }

    #[test]
    fn the_org_predikat_is_suggested_on_the_two_decimal_mean() {
        let t = Settings::default().org_predikat_thresholds;
        let s = |v: &[&str]| {
            suggest_org_predikat(&v.iter().map(|x| d(x)).collect::<Vec<_>>(), &t)
                .map(|s| s.predikat)
        };
        assert_eq!(s(&[]), None);
        assert_eq!(s(&["109.995"]), Some(OrgPredikat::Istimewa));
        assert_eq!(
            s(&["100", "99.99"]),
            Some(OrgPredikat::Baik),
            "99.995 rounds to 100.00"
        );
        assert_eq!(s(&["100", "99.98"]), Some(OrgPredikat::ButuhPerbaikan));
        assert_eq!(s(&["100"]), Some(OrgPredikat::Baik));
        assert_eq!(s(&["80"]), Some(OrgPredikat::ButuhPerbaikan));
        assert_eq!(s(&["60"]), Some(OrgPredikat::Kurang));
        assert_eq!(s(&["59.994"]), Some(OrgPredikat::SangatKurang));
        let map = Settings::default().head_rating_from_org;
        assert_eq!(
            head_work_rating(OrgPredikat::Istimewa, &map),
            Rating::DiAtasEkspektasi
        );
        assert_eq!(
            head_work_rating(OrgPredikat::Baik, &map),
            Rating::SesuaiEkspektasi
        );
        assert_eq!(
            head_work_rating(OrgPredikat::Kurang, &map),
            Rating::DiBawahEkspektasi
        );
    }

    #[test]
    fn counts_from_predikat() {
        let c = Counts::of([Predikat::Baik, Predikat::Baik, Predikat::Kurang]);
        assert_eq!((c.baik, c.kurang, c.headcount()), (2, 1, 3));
    }
}
