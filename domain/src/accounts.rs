//! Accounts: roles, service-account scopes, the password policy, login throttling and
//! refresh-token rotation — the rules, with no storage and no clock of their own.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What a person's account may do. Penilai rights are not a role: they follow an SKP's
/// `evaluator_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// BKPSDM, city-wide.
    Admin,
    /// Operator of one unit's subtree (not reaching into descendant OPDs).
    UnitAdmin,
    /// An ASN using his own account.
    Employee,
    /// Inspektorat: reads everything, changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::UnitAdmin, Role::Employee, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::UnitAdmin => "unit_admin",
            Role::Employee => "employee",
            Role::Auditor => "auditor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator BKPSDM",
            Role::UnitAdmin => "Operator Unit Kerja",
            Role::Employee => "Pegawai",
            Role::Auditor => "Auditor Inspektorat",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Role, UnknownName> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

/// A name that is not in the catalogue it was looked up in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown name {0:?}")]
pub struct UnknownName(pub String);

/// What an integration (service account) may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
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

impl Scope {
    pub const ALL: [Scope; 11] = [
        Scope::ImportUnits,
        Scope::ImportEmployees,
        Scope::ImportSkps,
        Scope::ImportRealizations,
        Scope::ImportSurveyResponses,
        Scope::ImportTrainingRecords,
        Scope::ReadOrg,
        Scope::ReadPerformance,
        Scope::ReadReports,
        Scope::ReadEvents,
        Scope::SubmitSurveys,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ImportUnits => "import:units",
            Scope::ImportEmployees => "import:employees",
            Scope::ImportSkps => "import:skps",
            Scope::ImportRealizations => "import:realizations",
            Scope::ImportSurveyResponses => "import:survey-responses",
            Scope::ImportTrainingRecords => "import:training-records",
            Scope::ReadOrg => "read:org",
            Scope::ReadPerformance => "read:performance",
            Scope::ReadReports => "read:reports",
            Scope::ReadEvents => "read:events",
            Scope::SubmitSurveys => "submit:surveys",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Scope, UnknownName> {
        Scope::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

/// A username: 3–64 characters of letters, digits, `.`, `_`, `-`, stored lower-case (an
/// employee's username is his NIP, 18 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("must be 3 to 64 characters long")]
    Length,
    #[error("may contain only letters, digits, '.', '_' and '-'")]
    Characters,
}

impl Username {
    pub fn parse(raw: &str) -> Result<Username, UsernameError> {
        let trimmed = raw.trim();
        if !(3..=64).contains(&trimmed.chars().count()) {
            return Err(UsernameError::Length);
        }
        if !trimmed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(UsernameError::Characters);
        }
        Ok(Username(trimmed.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The password policy: 10 to 128 characters, not the username, not one repeated character.
/// (Length beats composition rules: NIST SP 800-63B.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("must be at least {min} characters long")]
    TooShort { min: usize },
    #[error("must be at most {max} characters long")]
    TooLong { max: usize },
    #[error("must not be the username")]
    SameAsUsername,
    #[error("must not be one character repeated")]
    Repetitive,
}

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;

pub fn check_password(password: &str, username: &str) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        return Err(PasswordError::TooShort { min: PASSWORD_MIN });
    }
    if length > PASSWORD_MAX {
        return Err(PasswordError::TooLong { max: PASSWORD_MAX });
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(PasswordError::SameAsUsername);
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(PasswordError::Repetitive);
    }
    Ok(())
}

/// Login throttling (DESIGN §4): 5 failures of one (username, address) pair within 15 minutes
/// lock that pair for 15 minutes after the last of them; 50 failures of one username within an
/// hour, from anywhere, lock the username until the oldest of them is an hour old.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub pair_failures: usize,
    pub pair_window: Duration,
    pub pair_lock: Duration,
    pub user_failures: usize,
    pub user_window: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            pair_failures: 5,
            pair_window: Duration::minutes(15),
            pair_lock: Duration::minutes(15),
            user_failures: 50,
            user_window: Duration::hours(1),
        }
    }
}

/// Whether a login attempt may be checked now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleDecision {
    Allowed,
    /// Refuse without checking the password; the caller may retry at `until`.
    Locked {
        until: DateTime<Utc>,
    },
}

impl ThrottlePolicy {
    /// How far back the failures that can matter reach.
    pub fn horizon(&self) -> Duration {
        (self.pair_window + self.pair_lock).max(self.user_window)
    }

    /// Decides from the failure times of this pair and of this username (any address).
    pub fn decide(
        &self,
        now: DateTime<Utc>,
        pair_failures: &[DateTime<Utc>],
        user_failures: &[DateTime<Utc>],
    ) -> ThrottleDecision {
        let mut until: Option<DateTime<Utc>> = None;

        // The pair is locked if some run of `pair_failures` failures fits in the window and its
        // last one is less than `pair_lock` ago.
        let mut pair: Vec<DateTime<Utc>> = pair_failures
            .iter()
            .copied()
            .filter(|t| *t <= now)
            .collect();
        pair.sort();
        if self.pair_failures > 0 && pair.len() >= self.pair_failures {
            for run in pair.windows(self.pair_failures) {
                let (first, last) = (run[0], run[run.len() - 1]);
                if last - first <= self.pair_window {
                    let lock_end = last + self.pair_lock;
                    if lock_end > now {
                        until = Some(until.map_or(lock_end, |u| u.max(lock_end)));
                    }
                }
            }
        }

        let mut recent: Vec<DateTime<Utc>> = user_failures
            .iter()
            .copied()
            .filter(|t| *t <= now && now - *t < self.user_window)
            .collect();
        recent.sort();
        if self.user_failures > 0 && recent.len() >= self.user_failures {
            // Unlocks when enough of them have aged out to fall below the ceiling.
            let release = recent[recent.len() - self.user_failures] + self.user_window;
            until = Some(until.map_or(release, |u| u.max(release)));
        }

        match until {
            Some(until) => ThrottleDecision::Locked { until },
            None => ThrottleDecision::Allowed,
        }
    }
}

/// The state of a stored refresh token when it is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshTokenState {
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    pub revoked: bool,
}

/// What presenting a refresh token leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// Issue a new pair and mark this token used.
    Rotate,
    /// The token was already rotated: someone replays a stolen token (or a client raced itself).
    /// Revoke the whole family and refuse.
    ReuseDetected,
    /// Expired or revoked: refuse.
    Refuse,
}

pub fn refresh_outcome(token: RefreshTokenState, now: DateTime<Utc>) -> RefreshOutcome {
    if token.revoked {
        RefreshOutcome::Refuse
    } else if token.used {
        RefreshOutcome::ReuseDetected
    } else if token.expires_at <= now {
        RefreshOutcome::Refuse
    } else {
        RefreshOutcome::Rotate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0)
            .single()
            .unwrap_or_default()
            + Duration::minutes(minutes)
    }

    #[test]
    fn roles_and_scopes_round_trip_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>(), Ok(scope));
        }
        assert!("root".parse::<Role>().is_err());
        assert!("import:everything".parse::<Scope>().is_err());
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(
            Username::parse(" Admin.BKPSDM ").map(|u| u.0),
            Ok("admin.bkpsdm".to_owned())
        );
        assert_eq!(Username::parse("ab"), Err(UsernameError::Length));
        assert_eq!(Username::parse(&"a".repeat(65)), Err(UsernameError::Length));
        assert_eq!(Username::parse("a b c"), Err(UsernameError::Characters));
        assert_eq!(Username::parse("nip'--"), Err(UsernameError::Characters));
        assert!(Username::parse("198507122010011003").is_ok());
    }

    #[test]
    fn password_policy() {
        let cases = [
            ("short", Err(PasswordError::TooShort { min: 10 })),
            ("aaaaaaaaaaaa", Err(PasswordError::Repetitive)),
            ("operator01x", Ok(())),
            ("Operator01X", Ok(())),
            ("budi.santoso", Err(PasswordError::SameAsUsername)),
        ];
        for (password, expected) in cases {
            assert_eq!(
                check_password(password, "budi.santoso"),
                expected,
                "{password}"
            );
        }
        assert_eq!(
            check_password(&"ab".repeat(65), "x"),
            Err(PasswordError::TooLong { max: 128 })
        );
    }

    #[test]
    fn five_failures_lock_the_pair_for_fifteen_minutes_after_the_last() {
        let policy = ThrottlePolicy::default();
        let four = [t(0), t(1), t(2), t(3)];
        assert_eq!(policy.decide(t(4), &four, &four), ThrottleDecision::Allowed);
        let five = [t(0), t(1), t(2), t(3), t(4)];
        assert_eq!(
            policy.decide(t(5), &five, &five),
            ThrottleDecision::Locked { until: t(19) }
        );
        assert_eq!(
            policy.decide(t(18), &five, &five),
            ThrottleDecision::Locked { until: t(19) }
        );
        assert_eq!(
            policy.decide(t(19), &five, &five),
            ThrottleDecision::Allowed
        );
    }

    #[test]
    fn failures_spread_wider_than_the_window_do_not_lock() {
        let policy = ThrottlePolicy::default();
        let spread = [t(0), t(5), t(10), t(15), t(20)];
        assert_eq!(
            policy.decide(t(21), &spread, &spread),
            ThrottleDecision::Allowed
        );
    }

    #[test]
    fn fifty_failures_an_hour_lock_the_username_from_every_address() {
        let policy = ThrottlePolicy::default();
        let user: Vec<_> = (0..50).map(t).collect();
        // This address never failed, but the username is over its ceiling.
        assert_eq!(
            policy.decide(t(50), &[], &user),
            ThrottleDecision::Locked { until: t(60) }
        );
        assert_eq!(policy.decide(t(60), &[], &user), ThrottleDecision::Allowed);
        assert_eq!(
            policy.decide(t(50), &[], &user[..49]),
            ThrottleDecision::Allowed
        );
    }

    #[test]
    fn refresh_tokens_rotate_once() {
        let live = RefreshTokenState {
            expires_at: t(60),
            used: false,
            revoked: false,
        };
        assert_eq!(refresh_outcome(live, t(0)), RefreshOutcome::Rotate);
        assert_eq!(refresh_outcome(live, t(60)), RefreshOutcome::Refuse);
        let used = RefreshTokenState { used: true, ..live };
        assert_eq!(refresh_outcome(used, t(0)), RefreshOutcome::ReuseDetected);
        let revoked = RefreshTokenState {
            revoked: true,
            used: true,
            ..live
        };
        assert_eq!(refresh_outcome(revoked, t(0)), RefreshOutcome::Refuse);
    }
}
