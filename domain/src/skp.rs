//! The SKP agreement workflow (PermenPANRB 6/2022; DOMAIN §2): `draft` → `submitted` (the
//! pegawai proposes) → `approved` by the penilai, or `returned` with a reason (edited like a
//! draft and submitted again). An approved SKP changes through a revision: a new draft whose
//! RHK and indicators copy the original's (`origin_id`); approving the revision applies it onto
//! the original (the original id stays canonical) and marks the revision `merged`.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

named_enum! {
    /// Whether an RHK is the core of the job or additional to it.
    RhkKind {
        Utama = ("utama", "Utama"),
        Tambahan = ("tambahan", "Tambahan"),
    }
}

named_enum! {
    /// What an indicator measures of its RHK.
    Aspect {
        Kuantitas = ("kuantitas", "Kuantitas"),
        Kualitas = ("kualitas", "Kualitas"),
        Waktu = ("waktu", "Waktu"),
        Biaya = ("biaya", "Biaya"),
    }
}

named_enum! {
    /// Who wrote the SKP: the pegawai himself (a participation figure), or someone for him.
    ProposedBy {
        Employee = ("employee", "Pegawai"),
        Evaluator = ("evaluator", "Pejabat penilai"),
        UnitAdmin = ("unit_admin", "Operator unit"),
        Admin = ("admin", "Administrator"),
        Import = ("import", "Impor"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkpStatus {
    Draft,
    Submitted,
    Approved,
    Returned,
    /// A revision applied onto its original.
    Merged,
}

impl SkpStatus {
    pub const ALL: [SkpStatus; 5] = [
        SkpStatus::Draft,
        SkpStatus::Submitted,
        SkpStatus::Approved,
        SkpStatus::Returned,
        SkpStatus::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SkpStatus::Draft => "draft",
            SkpStatus::Submitted => "submitted",
            SkpStatus::Approved => "approved",
            SkpStatus::Returned => "returned",
            SkpStatus::Merged => "merged",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SkpStatus::Draft => "Draf",
            SkpStatus::Submitted => "Diajukan",
            SkpStatus::Approved => "Disetujui",
            SkpStatus::Returned => "Dikembalikan",
            SkpStatus::Merged => "Digabungkan",
        }
    }

    pub fn parse(s: &str) -> Option<SkpStatus> {
        SkpStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A transition the workflow refuses, named for the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SkpError {
    #[error("only a draft or returned SKP can be edited")]
    NotEditable,
    #[error("only a draft or returned SKP can be submitted")]
    NotSubmittable,
    #[error("only a submitted SKP can be approved or returned")]
    NotSubmitted,
    #[error("a returned SKP needs a reason")]
    ReasonRequired,
    #[error("only an approved SKP can be revised")]
    NotApproved,
    #[error("this SKP already has an open revision")]
    RevisionOpen,
    #[error("an SKP needs at least one utama RHK with an indicator to be submitted")]
    Empty,
}

impl SkpError {
    /// The stable code of the reason.
    pub fn code(self) -> &'static str {
        match self {
            SkpError::NotEditable => "skp_not_editable",
            SkpError::NotSubmittable => "skp_not_submittable",
            SkpError::NotSubmitted => "skp_not_submitted",
            SkpError::ReasonRequired => "reason_required",
            SkpError::NotApproved => "skp_not_approved",
            SkpError::RevisionOpen => "revision_open",
            SkpError::Empty => "skp_empty",
        }
    }
}

/// What approving does: an SKP becomes approved; a revision is applied and becomes merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    Approved,
    MergedIntoOriginal,
}

impl SkpStatus {
    pub fn is_editable(self) -> bool {
        matches!(self, SkpStatus::Draft | SkpStatus::Returned)
    }

    pub fn ensure_editable(self) -> Result<(), SkpError> {
        if self.is_editable() {
            Ok(())
        } else {
            Err(SkpError::NotEditable)
        }
    }

    /// The pegawai (or whoever drafted it) proposes the SKP. It must hold at least one utama RHK
    /// with an indicator.
    pub fn submit(self, has_content: bool) -> Result<SkpStatus, SkpError> {
        if !self.is_editable() {
            return Err(SkpError::NotSubmittable);
        }
        if !has_content {
            return Err(SkpError::Empty);
        }
        Ok(SkpStatus::Submitted)
    }

    /// The penilai agrees. A revision is applied onto its original instead.
    pub fn approve(self, is_revision: bool) -> Result<(SkpStatus, Approval), SkpError> {
        match (self, is_revision) {
            (SkpStatus::Submitted, false) => Ok((SkpStatus::Approved, Approval::Approved)),
            (SkpStatus::Submitted, true) => Ok((SkpStatus::Merged, Approval::MergedIntoOriginal)),
            _ => Err(SkpError::NotSubmitted),
        }
    }

    /// The penilai sends it back with a reason.
    pub fn return_with(self, reason: &str) -> Result<SkpStatus, SkpError> {
        if self != SkpStatus::Submitted {
            return Err(SkpError::NotSubmitted);
        }
        if reason.trim().is_empty() {
            return Err(SkpError::ReasonRequired);
        }
        Ok(SkpStatus::Returned)
    }

    /// Opens a revision of an approved SKP (one at a time); the approved SKP stays in force.
    pub fn revise(self, open_revision: bool) -> Result<SkpStatus, SkpError> {
        match (self, open_revision) {
            (SkpStatus::Approved, false) => Ok(SkpStatus::Draft),
            (SkpStatus::Approved, true) => Err(SkpError::RevisionOpen),
            _ => Err(SkpError::NotApproved),
        }
    }
}

/// Where an SKP stands among an employee's SKPs of one cycle: a mid-year transfer ends one SKP
/// at a date and starts another, and a revision lives beside the SKP it revises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkpSpan {
    pub status: SkpStatus,
    pub is_revision: bool,
    pub start: NaiveDate,
    /// `None`: to the end of the cycle's year.
    pub end: Option<NaiveDate>,
}

impl SkpSpan {
    /// An SKP of its own: neither a revision nor merged into its original.
    pub fn is_own(&self) -> bool {
        !self.is_revision && self.status != SkpStatus::Merged
    }

    /// An SKP of its own whose dates hold `day` (of its cycle's year). Realisasi of a period goes
    /// to the SKP covering the period's last day, once approved.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.is_own() && self.start <= day && self.end.is_none_or(|end| day <= end)
    }
}

/// The employee's current SKP of a cycle among `spans` (its index): the own SKP that starts last,
/// the one a transfer left in force.
pub fn current(spans: &[SkpSpan]) -> Option<usize> {
    spans
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_own())
        .max_by_key(|(n, s)| (s.start, *n))
        .map(|(n, _)| n)
}

/// How a revision's items (RHK or indicators) apply onto the original's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergePlan<K> {
    /// (original id, revision id): the original keeps its id and takes the revision's content.
    pub keep: Vec<(K, K)>,
    /// Revision items without an origin: they become new items of the original (new ids).
    pub add: Vec<K>,
    /// Original items the revision dropped: retired, their realisasi kept in history.
    pub retire: Vec<K>,
}

/// Matches revision items to the original's by `origin_id`. An origin that is not an item of
/// the original (or is claimed twice) counts as new.
pub fn plan_merge<K: Eq + Hash + Copy + Ord>(
    original: &[K],
    revision: &[(K, Option<K>)],
) -> MergePlan<K> {
    let originals: HashSet<K> = original.iter().copied().collect();
    let mut claimed: HashMap<K, K> = HashMap::new();
    let mut add = Vec::new();
    for (id, origin) in revision {
        match origin {
            Some(o) if originals.contains(o) && !claimed.contains_key(o) => {
                claimed.insert(*o, *id);
            }
            _ => add.push(*id),
        }
    }
    let mut keep: Vec<(K, K)> = claimed.into_iter().collect();
    keep.sort();
    let mut retire: Vec<K> = original
        .iter()
        .copied()
        .filter(|o| !keep.iter().any(|(k, _)| k == o))
        .collect();
    retire.sort();
    MergePlan { keep, add, retire }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SkpStatus::*;

    #[test]
    fn the_current_skp_is_the_own_one_starting_last_and_covers_its_dates() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let span = |status, is_revision, start, end| SkpSpan {
            status,
            is_revision,
            start,
            end,
        };
        // A transfer on 1 July: the first SKP ends on 30 June; its revision lives beside it.
        let first = span(Approved, false, day(1, 1), Some(day(6, 30)));
        let revision = span(Draft, true, day(1, 1), Some(day(6, 30)));
        let second = span(Draft, false, day(7, 1), None);
        assert_eq!(current(&[first, revision, second]), Some(2));
        assert_eq!(current(&[second, first]), Some(0));
        assert_eq!(current(&[revision]), None);
        assert_eq!(current(&[span(Merged, true, day(1, 1), None)]), None);
        assert!(first.covers(day(3, 31)) && first.covers(day(6, 30)));
        assert!(!first.covers(day(9, 30)));
        assert!(second.covers(day(12, 31)) && !second.covers(day(6, 30)));
        assert!(!revision.covers(day(3, 31)), "a revision is never in force");
    }

    #[test]
    fn the_agreement_path() {
        assert_eq!(Draft.submit(true), Ok(Submitted));
        assert_eq!(
            Submitted.return_with("Tambahkan indikator waktu"),
            Ok(Returned)
        );
        assert_eq!(Returned.submit(true), Ok(Submitted));
        assert_eq!(Submitted.approve(false), Ok((Approved, Approval::Approved)));
        assert_eq!(Approved.revise(false), Ok(Draft));
        assert_eq!(
            Submitted.approve(true),
            Ok((Merged, Approval::MergedIntoOriginal))
        );
    }

    #[test]
    fn every_forbidden_transition_names_its_reason() {
        for status in SkpStatus::ALL {
            let editable = matches!(status, Draft | Returned);
            assert_eq!(status.is_editable(), editable, "{status:?}");
            if !editable {
                assert_eq!(status.ensure_editable(), Err(SkpError::NotEditable));
                assert_eq!(
                    status.submit(true),
                    Err(SkpError::NotSubmittable),
                    "{status:?}"
                );
            }
            if status != Submitted {
                assert_eq!(
                    status.approve(false),
                    Err(SkpError::NotSubmitted),
                    "{status:?}"
                );
                assert_eq!(
                    status.approve(true),
                    Err(SkpError::NotSubmitted),
                    "{status:?}"
                );
                assert_eq!(
                    status.return_with("x"),
                    Err(SkpError::NotSubmitted),
                    "{status:?}"
                );
            }
            if status != Approved {
                assert_eq!(
                    status.revise(false),
                    Err(SkpError::NotApproved),
                    "{status:?}"
                );
            }
        }
        assert_eq!(Draft.submit(false), Err(SkpError::Empty));
        assert_eq!(Submitted.return_with("  "), Err(SkpError::ReasonRequired));
        assert_eq!(Approved.revise(true), Err(SkpError::RevisionOpen));
    }

    #[test]
    fn codes_are_distinct_and_statuses_round_trip() {
        let errors = [
            SkpError::NotEditable,
            SkpError::NotSubmittable,
            SkpError::NotSubmitted,
            SkpError::ReasonRequired,
            SkpError::NotApproved,
            SkpError::RevisionOpen,
            SkpError::Empty,
        ];
        let codes: HashSet<&str> = errors.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), errors.len());
        for s in SkpStatus::ALL {
            assert_eq!(SkpStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn a_merge_keeps_original_ids_adds_new_ones_and_retires_dropped_ones() {
        // Original RHK 1, 2, 3. The revision copies 1 (as 11) and 3 (as 13), drops 2, adds 14.
        let plan = plan_merge(&[1, 2, 3], &[(11, Some(1)), (13, Some(3)), (14, None)]);
        assert_eq!(plan.keep, vec![(1, 11), (3, 13)]);
        assert_eq!(plan.add, vec![14]);
        assert_eq!(plan.retire, vec![2]);

        // An origin claimed twice, or one outside the original, is new.
        let plan = plan_merge(&[1], &[(11, Some(1)), (12, Some(1)), (13, Some(99))]);
        assert_eq!(plan.keep, vec![(1, 11)]);
        assert_eq!(plan.add, vec![12, 13]);
        assert!(plan.retire.is_empty());
    }
}
