//! Support for the black-box tests: the real app on port 0, talking HTTP, against a fresh
//! database per test — always SQLite, and PostgreSQL too when `KINERJA_TEST_DATABASE_URL` is set
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`; CI sets it).
//!
//! Each process migrates one template (a SQLite file, a PostgreSQL template database) and every
//! test copies it, so a test costs a file copy or a `CREATE DATABASE ... TEMPLATE`, not a
//! migration run. A test's database is dropped when its [`TestApp`] is dropped, even when the
//! test panics; leftovers of killed runs older than a few hours are dropped by the next run.
//!
//! Write a test as the user's story, once, and run it on every database:
//!
//! ```ignore
//! #[tokio::test]
//! async fn health_answers() {
//!     on_each_db(async |app| {
//!         app.get("/health").await.assert_status(200);
//!     })
//!     .await;
//! }
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod db;
mod http;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use kinerja_api::{Application, Config, ManualClock};
use kinerja_persistence::Db;

pub use db::{Backend, TestDb, backends, fresh_empty_database};
pub use http::TestResponse;

/// A running app on its own database.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub backend: Backend,
    /// The app's own pool: closing it makes the database unreachable for the app.
    pub db: Db,
    handle: actix_web::dev::ServerHandle,
    // Dropped last: the server stops before its database goes.
    _database: TestDb,
}

/// The fixed instant every test app starts at (WIB business day 2026-03-02).
pub fn start_instant() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

impl TestApp {
    /// Starts the app on a fresh copy of the migrated template.
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// Starts the app with an adjusted configuration.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let database = TestDb::create(backend).await;
        let mut config = Config::for_database(database.url());
        adjust(&mut config);
        let clock = ManualClock::new(start_instant());
        let db = Db::connect(&config.database_url, config.database_acquire_timeout)
            .await
            .expect("connect to the test database");
        let app =
            Application::build_with_db(config, clock.clone(), db.clone()).expect("build the app");
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            address,
            client,
            clock,
            backend,
            db,
            handle,
            _database: database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A request builder for anything the helpers below do not cover.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        TestResponse::from(
            self.request(reqwest::Method::GET, path)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> TestResponse {
        self.send(self.request(reqwest::Method::POST, path).json(body))
            .await
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> TestResponse {
        TestResponse::from(request.send().await.unwrap()).await
    }

    /// Makes the database unreachable for the app (its pool is closed).
    pub async fn cut_database(&self) {
        self.db.clone().close().await.unwrap();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command at once; the database is dropped right after (forcefully).
        drop(self.handle.stop(false));
    }
}

/// Runs a test on SQLite, then on PostgreSQL when configured, each on a fresh app.
pub async fn on_each_db(test: impl AsyncFn(&TestApp)) {
    for backend in backends() {
        // Shown with a failing test's output, so the database that failed is known.
        eprintln!("--- on {backend:?}");
        let app = TestApp::spawn(backend).await;
        test(&app).await;
    }
}
