//! The domain of Siantar Kinerja: the rules of performance-based management of ASN for
//! Pemerintah Kota Pematangsiantar (PermenPANRB 6/2022, PermenPANRB 14/2017, PP 11/2017 and the
//! city's own settings), as pure functions and value types.
//!
//! Nothing here does I/O or reads the clock: time is passed in. Raw input becomes a value type
//! at the boundary (`Nip::parse`, `Golongan::parse`, ...), so code behind it cannot hold an
//! invalid value; state machines are types whose methods return typed errors; scores are
//! functions of their inputs that also say how they were derived.

pub mod accounts;
pub mod org;
