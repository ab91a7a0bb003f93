//! Continuous feedback (umpan balik berkelanjutan, DOMAIN §2): dated notes from the penilai to
//! the pegawai, each about one RHK or one BerAKHLAK core value, for a period; the pegawai answers
//! in the note's thread and marks it read.

use serde::{Deserialize, Serialize};
use thiserror::Error;

named_enum! {
    /// The seven BerAKHLAK core values of ASN (perilaku kerja).
    CoreValue {
        BerorientasiPelayanan = ("berorientasi_pelayanan", "Berorientasi Pelayanan"),
        Akuntabel = ("akuntabel", "Akuntabel"),
        Kompeten = ("kompeten", "Kompeten"),
        Harmonis = ("harmonis", "Harmonis"),
        Loyal = ("loyal", "Loyal"),
        Adaptif = ("adaptif", "Adaptif"),
        Kolaboratif = ("kolaboratif", "Kolaboratif"),
    }
}

named_enum! {
    /// Who wrote a note or a reply, in his relation to the SKP (`admin`: an admin writing for
    /// the Wali Kota, the penilai of the Sekretaris Daerah).
    AuthorRole {
        Penilai = ("penilai", "Pejabat Penilai"),
        Pegawai = ("pegawai", "Pegawai"),
        Admin = ("admin", "Admin (untuk Wali Kota)"),
    }
}

/// The longest note or reply, in characters.
pub const MAX_TEXT: usize = 4_000;

/// What a note is about: one RHK of the SKP (`K` is its key) or one core value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<K> {
    Rhk(K),
    CoreValue(CoreValue),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum FeedbackError {
    #[error("a note is about an RHK (rhk_id) or a core value (core_value)")]
    SubjectRequired,
    #[error("a note is about one RHK or one core value, not both")]
    OneSubjectOnly,
    #[error("the text is empty")]
    Empty,
    #[error("the text is longer than 4000 characters")]
    TooLong,
    #[error("only the penilai opens a feedback thread")]
    NotPenilai,
    #[error("only the pegawai and his penilai write in a thread")]
    NotParty,
}

impl<K> Subject<K> {
    /// Exactly one of the two.
    pub fn of(rhk: Option<K>, core_value: Option<CoreValue>) -> Result<Self, FeedbackError> {
        match (rhk, core_value) {
            (Some(r), None) => Ok(Subject::Rhk(r)),
            (None, Some(v)) => Ok(Subject::CoreValue(v)),
            (None, None) => Err(FeedbackError::SubjectRequired),
            (Some(_), Some(_)) => Err(FeedbackError::OneSubjectOnly),
        }
    }
}

/// The text of a note or reply, trimmed: not blank, at most [`MAX_TEXT`] characters.
pub fn text(raw: &str) -> Result<&str, FeedbackError> {
    let t = raw.trim();
    if t.is_empty() {
        Err(FeedbackError::Empty)
    } else if t.chars().count() > MAX_TEXT {
        Err(FeedbackError::TooLong)
    } else {
        Ok(t)
    }
}

/// A thread is opened by the penilai (or the admin writing for the Wali Kota).
pub fn may_open(role: Option<AuthorRole>) -> Result<AuthorRole, FeedbackError> {
    match role {
        Some(r @ (AuthorRole::Penilai | AuthorRole::Admin)) => Ok(r),
        _ => Err(FeedbackError::NotPenilai),
    }
}

/// Both sides answer in a thread: the pegawai, and the penilai who opened it.
pub fn may_reply(role: Option<AuthorRole>) -> Result<AuthorRole, FeedbackError> {
    role.ok_or(FeedbackError::NotParty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_about_exactly_one_thing() {
        assert_eq!(Subject::of(Some(7), None), Ok(Subject::Rhk(7)));
        assert_eq!(
            Subject::<u8>::of(None, Some(CoreValue::Adaptif)),
            Ok(Subject::CoreValue(CoreValue::Adaptif))
        );
        assert_eq!(
            Subject::<u8>::of(None, None),
            Err(FeedbackError::SubjectRequired)
        );
        assert_eq!(
            Subject::of(Some(7), Some(CoreValue::Loyal)),
            Err(FeedbackError::OneSubjectOnly)
        );
    }

    #[test]
    fn the_seven_core_values_have_their_names() {
        let names: Vec<_> = CoreValue::ALL.iter().map(|v| v.as_str()).collect();
        assert_eq!(
            names,
            [
                "berorientasi_pelayanan",
                "akuntabel",
                "kompeten",
                "harmonis",
                "loyal",
                "adaptif",
                "kolaboratif"
            ]
        );
        assert_eq!(
            CoreValue::parse("berorientasi_pelayanan").map(CoreValue::label),
            Some("Berorientasi Pelayanan")
        );
    }

    #[test]
    fn text_is_trimmed_not_blank_and_bounded() {
        assert_eq!(text("  Bagus, lanjutkan.\n"), Ok("Bagus, lanjutkan."));
        assert_eq!(text(" \t "), Err(FeedbackError::Empty));
        let long = "é".repeat(MAX_TEXT);
        assert_eq!(text(&long).map(str::len), Ok(long.len()));
        assert_eq!(text(&format!("{long}x")), Err(FeedbackError::TooLong));
    }

    #[test]
    fn the_penilai_opens_and_both_sides_reply() {
        assert_eq!(may_open(Some(AuthorRole::Penilai)), Ok(AuthorRole::Penilai));
        assert_eq!(may_open(Some(AuthorRole::Admin)), Ok(AuthorRole::Admin));
        assert_eq!(
            may_open(Some(AuthorRole::Pegawai)),
            Err(FeedbackError::NotPenilai)
        );
        assert_eq!(may_open(None), Err(FeedbackError::NotPenilai));
        assert_eq!(
            may_reply(Some(AuthorRole::Pegawai)),
            Ok(AuthorRole::Pegawai)
        );
        assert_eq!(may_reply(None), Err(FeedbackError::NotParty));
    }
}
