//! The domain of Siantar Kinerja: the rules of performance-based management of ASN for
//! Pemerintah Kota Pematangsiantar (PermenPANRB 6/2022, PermenPANRB 14/2017, PP 11/2017 and the
//! city's own settings), as pure functions and value types.
//!
//! Nothing here does I/O or reads the clock: time is passed in. Raw input becomes a value type
//! at the boundary (`Nip::parse`, `Golongan::parse`, ...), so code behind it cannot hold an
//! invalid value; state machines are types whose methods return typed errors; scores are
//! functions of their inputs that also say how they were derived.
//!
//! - [`accounts`]: roles, scopes, usernames, the password policy, login throttling, refresh-token
//!   rotation.
//! - [`org`]: NIP and NI PPPK, golongan, unit codes, the unit tree and the reporting line.
//! - [`assessment`]: the suggested work rating, the predikat quadrant, the evaluation's life,
//!   the objection and its windows in WIB.
//! - [`calibration`]: the OPD's predikat, the head's rating from it, the distribution curve and
//!   its breaches.
//! - [`capaian`]: exact measures, the capaian of one indicator with its derivation, aggregation.
//! - [`cycle`]: the annual cycle's settings (with the regulation's defaults) and its life.
//! - [`feedback`]: continuous feedback: the BerAKHLAK core values, what a note is about, who writes.
//! - [`skm`]: the citizen satisfaction survey: answers, NRR, IKM, mutu, sample size, areas to improve.
//! - [`skp`]: the SKP agreement workflow and how a revision merges onto its original.
//! - [`training`]: competency development: JP in minutes, the yearly requirement and compliance,
//!   participation, external records, recommendations from evaluations, development plans.

/// Declares a closed list of names with their Indonesian labels.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = ($text:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

pub mod accounts;
pub mod assessment;
pub mod calibration;
pub mod capaian;
pub mod cycle;
pub mod feedback;
pub mod org;
pub mod skm;
pub mod skp;
pub mod training;
