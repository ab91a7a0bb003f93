//! Fault-injection points for the black-box fault tests: inert unless the process was started
//! with `KINERJA_TEST_PAUSE_AT=<point>:<marker file>` (and never with `KINERJA_ENV=prod`).
//!
//! At a named point the request writes its process id into the marker file and waits there, so a
//! test can kill the process with SIGKILL at a known moment (e.g. an import's rows written, its
//! transaction not yet committed) and check that a restart serves a database without any of it.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// The points a test can pause at.
pub mod points {
    /// `POST /imports/employees`: every row inserted and audited, before the commit.
    pub const EMPLOYEE_IMPORT_BEFORE_COMMIT: &str = "import.employees.before_commit";
}

fn setting() -> Option<&'static (String, PathBuf)> {
    static SETTING: OnceLock<Option<(String, PathBuf)>> = OnceLock::new();
    SETTING
        .get_or_init(|| {
            if std::env::var("KINERJA_ENV").is_ok_and(|e| e.eq_ignore_ascii_case("prod")) {
                return None;
            }
            let value = std::env::var("KINERJA_TEST_PAUSE_AT").ok()?;
            let (point, marker) = value.split_once(':')?;
            Some((point.to_owned(), PathBuf::from(marker)))
        })
        .as_ref()
}

/// Waits (up to ten minutes) when the process was told to pause at `point`; a no-op otherwise.
pub async fn pause(point: &str) {
    let Some((wanted, marker)) = setting() else {
        return;
    };
    if wanted != point {
        return;
    }
    log::warn!("test hook: paused at {point} until killed");
    if let Err(e) = std::fs::write(marker, std::process::id().to_string()) {
        log::error!("test hook: cannot write {}: {e}", marker.display());
    }
    tokio::time::sleep(Duration::from_secs(600)).await;
}
