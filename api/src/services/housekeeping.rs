//! Housekeeping: purges expired idempotency keys, refresh tokens, login-failure rows, survey
//! submission counters and expired submission tokens, and closes survey periods after their end
//! date. Safe to run on every replica at once (plain deletes of rows past their time; a period
//! closes once under its version).

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use kinerja_domain::accounts::ThrottlePolicy;
use kinerja_persistence::repos::{idempotency, sessions};
use kinerja_persistence::{Db, PersistenceError};

use crate::clock::SharedClock;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub idempotency_keys: u64,
    pub refresh_tokens: u64,
    pub login_failures: u64,
    /// Survey submission counters of past windows and expired submission tokens.
    pub survey_guard: u64,
}

/// One pass at `now`.
pub async fn run_once(db: &Db, now: DateTime<Utc>) -> Result<Purged, PersistenceError> {
    Ok(Purged {
        idempotency_keys: idempotency::purge(db, now).await?,
        // Expired tokens are kept a day, so a late refresh still reads "expired", not "unknown".
        refresh_tokens: sessions::purge_refresh_tokens(db, now - Duration::days(1)).await?,
        login_failures: sessions::purge_login_failures(
            db,
            now - ThrottlePolicy::default().horizon(),
        )
        .await?,
        survey_guard: crate::services::survey::purge(db, now).await?,
    })
}

/// Runs [`run_once`] every `every` until the process ends.
pub fn spawn(db: Db, clock: SharedClock, every: StdDuration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match run_once(&db, clock.now()).await {
                Ok(purged) if purged != Purged::default() => {
                    log::info!("housekeeping purged {purged:?}")
                }
                Ok(_) => {}
                Err(e) => log::warn!("housekeeping failed (will retry): {e}"),
            }
            let now = clock.now();
            match close_ended_survey_periods(&db, now).await {
                Ok(0) => {}
                Ok(n) => log::info!("housekeeping closed {n} ended survey period(s)"),
                Err(e) => log::warn!("closing ended survey periods failed (will retry): {e}"),
            }
        }
    })
}

/// Closes, once, the survey periods whose end date (WIB) has passed: their feedback reaches
/// their units. Replicas racing for one period: the loser meets a closed period and skips it.
pub async fn close_ended_survey_periods(
    db: &Db,
    now: DateTime<Utc>,
) -> Result<usize, crate::error::ApiError> {
    let today_wib = kinerja_domain::assessment::wib_date(now);
    super::skm::close_ended_periods(db, &super::Context::system(now), today_wib).await
}
