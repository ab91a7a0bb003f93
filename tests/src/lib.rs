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

pub mod city;
mod db;
mod http;
pub mod process;
pub mod proxy;

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
    database_url: String,
    // Dropped last: the server stops before its database goes. `None` for an app started on
    // another app's database (see [`TestApp::another_on_same_database`]).
    _database: Option<TestDb>,
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
        TestApp::start(backend, database.url().to_owned(), Some(database), adjust).await
    }

    /// Starts the app on a fresh database reached through `route(url)` instead of its own URL
    /// (e.g. through a [`proxy::Proxy`]), with an adjusted configuration.
    pub async fn spawn_through(
        backend: Backend,
        route: impl FnOnce(&str) -> String,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        let database = TestDb::create(backend).await;
        let url = route(database.url());
        TestApp::start(backend, url, Some(database), adjust).await
    }

    /// Another app on this app's database, as after a restart or beside it as a second replica:
    /// its own pool, port and clock (at this app's time), the same JWT secret. The database
    /// stays this app's, so drop the other one first.
    pub async fn another_on_same_database(&self) -> TestApp {
        let app = TestApp::start(self.backend, self.database_url.clone(), None, |_| {}).await;
        app.clock.set(self.clock_now());
        app
    }

    /// Stops serving (a restart's first half); the database stays.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }

    async fn start(
        backend: Backend,
        database_url: String,
        database: Option<TestDb>,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        let mut config = Config::for_database(database_url.clone());
        adjust(&mut config);
        let clock = ManualClock::new(start_instant());
        let db = Db::connect_with(
            &config.database_url,
            config.database_acquire_timeout,
            config.database_pool_size,
        )
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
            database_url,
            _database: database,
        }
    }

    /// The URL of the app's own database.
    pub fn database_url(&self) -> &str {
        &self.database_url
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

    /// The body is serialised at once, so the future does not borrow it.
    pub fn post_json<'a>(
        &'a self,
        path: &str,
        body: &serde_json::Value,
    ) -> impl Future<Output = TestResponse> + use<'a> {
        let request = self.request(reqwest::Method::POST, path).json(body);
        self.send(request)
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

/// A user created for a test, with the password it was given.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: uuid::Uuid,
    pub username: String,
    pub password: String,
}

/// Tokens of a logged-in caller.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: Option<String>,
}

impl TestApp {
    /// Creates an active user with these roles (as an admin would), password `<username>-pass-2026`.
    pub async fn create_user(&self, username: &str, roles: &[&str]) -> TestUser {
        self.create_user_with(username, roles, false, None).await
    }

    pub async fn create_user_with(
        &self,
        username: &str,
        roles: &[&str],
        must_change_password: bool,
        unit_id: Option<uuid::Uuid>,
    ) -> TestUser {
        use kinerja_api::services::{Context, users};
        let password = format!("{username}-pass-2026");
        let roles = roles
            .iter()
            .map(|r| {
                r.parse::<kinerja_domain::accounts::Role>()
                    .expect("a role name")
            })
            .collect();
        let user = users::create(
            &self.db,
            &Context::system(self.clock_now()),
            users::NewUser {
                username: username.to_owned(),
                password: password.clone(),
                roles,
                employee_id: None,
                unit_id,
                active: true,
                must_change_password,
            },
        )
        .await
        .expect("create the test user");
        TestUser {
            id: user.id,
            username: user.username,
            password,
        }
    }

    pub fn clock_now(&self) -> chrono::DateTime<Utc> {
        use kinerja_api::Clock;
        self.clock.now()
    }

    /// `POST /api/v1/auth/token` with a password grant.
    pub async fn token(&self, username: &str, password: &str) -> TestResponse {
        self.post_json(
            "/api/v1/auth/token",
            &serde_json::json!({"grant_type": "password", "username": username, "password": password}),
        )
        .await
    }

    /// Logs the user in; panics unless it works.
    pub async fn login(&self, user: &TestUser) -> Session {
        let response = self.token(&user.username, &user.password).await;
        response.assert_status(200);
        let body = response.json();
        Session {
            access_token: body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: body["refresh_token"].as_str().map(str::to_owned),
        }
    }

    /// Creates a user with these roles and logs him in.
    pub async fn session_as(&self, username: &str, roles: &[&str]) -> (TestUser, Session) {
        let user = self.create_user(username, roles).await;
        let session = self.login(&user).await;
        (user, session)
    }

    /// A request carrying `token` as bearer.
    pub fn authed(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.request(method, path).bearer_auth(token)
    }

    pub async fn get_as(&self, path: &str, token: &str) -> TestResponse {
        self.send(self.authed(reqwest::Method::GET, path, token))
            .await
    }

    pub fn post_as<'a>(
        &'a self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> impl Future<Output = TestResponse> + use<'a> {
        let request = self.authed(reqwest::Method::POST, path, token).json(body);
        self.send(request)
    }

    pub fn patch_as<'a>(
        &'a self,
        path: &str,
        token: &str,
        if_match: Option<&str>,
        body: &serde_json::Value,
    ) -> impl Future<Output = TestResponse> + use<'a> {
        let mut request = self.authed(reqwest::Method::PATCH, path, token).json(body);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        self.send(request)
    }
}

/// A valid, distinct NIP (PNS) for each `i` (up to about 330,000).
pub fn test_nip(i: u32) -> String {
    format!(
        "1985{:02}{:02}2010011{:03}",
        1 + (i / 999) % 12,
        1 + (i / (999 * 12)) % 28,
        1 + i % 999
    )
}

impl TestApp {
    /// Creates a unit through the API as `token`; returns its id.
    pub async fn create_unit(
        &self,
        token: &str,
        code: &str,
        kind: &str,
        parent: Option<uuid::Uuid>,
        is_opd: bool,
    ) -> uuid::Uuid {
        let response = self
            .post_as(
                "/api/v1/units",
                token,
                &serde_json::json!({"code": code, "name": format!("Unit {code}"), "kind": kind, "parent_id": parent, "is_opd": is_opd}),
            )
            .await;
        response.assert_status(201);
        response.json()["id"].as_str().unwrap().parse().unwrap()
    }

    /// Creates an active PNS employee through the API as `token`; returns its id.
    pub async fn create_employee(
        &self,
        token: &str,
        nip: &str,
        name: &str,
        unit: uuid::Uuid,
        supervisor: Option<uuid::Uuid>,
    ) -> uuid::Uuid {
        let response = self
            .post_as(
                "/api/v1/employees",
                token,
                &serde_json::json!({
                    "nip": nip, "name": name, "employment_type": "pns", "golongan": "III/a",
                    "position": "Analis", "position_kind": "pelaksana", "unit_id": unit, "supervisor_id": supervisor,
                }),
            )
            .await;
        response.assert_status(201);
        response.json()["id"].as_str().unwrap().parse().unwrap()
    }

    /// Links a user's account to an employee (as an admin would).
    pub async fn link_user(&self, token: &str, user: uuid::Uuid, employee: uuid::Uuid) {
        self.patch_as(
            &format!("/api/v1/users/{user}"),
            token,
            Some("*"),
            &serde_json::json!({"employee_id": employee}),
        )
        .await
        .assert_status(200);
    }

    /// Creates a service account with these scopes (as the admin `admin_token`) and logs it in
    /// with client credentials: its access token.
    pub async fn service_token(&self, admin_token: &str, name: &str, scopes: &[&str]) -> String {
        let created = self
            .post_as(
                "/api/v1/service-accounts",
                admin_token,
                &serde_json::json!({"name": name, "scopes": scopes}),
            )
            .await;
        created.assert_status(201);
        let account = created.json();
        let token = self
            .post_json(
                "/api/v1/auth/token",
                &serde_json::json!({"grant_type": "client_credentials", "client_id": account["client_id"], "client_secret": account["client_secret"]}),
            )
            .await;
        token.assert_status(200);
        token.json()["access_token"].as_str().unwrap().to_owned()
    }

    /// Uploads a file to an import route.
    pub async fn import(
        &self,
        token: &str,
        path: &str,
        content_type: &str,
        body: impl Into<String>,
    ) -> TestResponse {
        self.send(
            self.authed(reqwest::Method::POST, path, token)
                .header("Content-Type", content_type)
                .body(body.into()),
        )
        .await
    }
}

/// Like [`on_each_db`], with an adjusted configuration.
pub async fn on_each_db_with(adjust: impl Fn(&mut Config), test: impl AsyncFn(&TestApp)) {
    for backend in backends() {
        eprintln!("--- on {backend:?}");
        let app = TestApp::spawn_with(backend, &adjust).await;
        test(&app).await;
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
