//! `kinerja serve` as a real operating-system process, for what an in-process [`crate::TestApp`]
//! cannot show: a SIGKILL in the middle of a request, a restart, two replicas on one database.
//!
//! The binary is this package's `kinerja-served` (the `kinerja` command itself); integration
//! tests name it with `env!("CARGO_BIN_EXE_kinerja-served")`. Every process of a test shares the
//! JWT secret, as replicas behind a load balancer must, and the first start creates the
//! administrator `admin` with [`ADMIN_PASSWORD`]. The process runs on the system clock.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::TestResponse;

/// The password of the first-start administrator of every process-based test.
pub const ADMIN_PASSWORD: &str = "Admin-Proses-2026!";
/// The JWT secret every process of a test shares.
pub const JWT_SECRET: &str = "kinerja-process-tests-shared-secret-0123456789";

/// A running `kinerja serve`; killed (SIGKILL) when dropped.
pub struct ServerProcess {
    child: Child,
    pub address: String,
    pub client: reqwest::Client,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts `bin serve` on `database_url` and a free loopback port, with `env` added, and
    /// waits until `/ready` answers 200.
    pub async fn start(bin: &str, database_url: &str, env: &[(&str, &str)]) -> ServerProcess {
        let port = free_port();
        let log = std::env::temp_dir().join(format!(
            "kinerja-served-{}-{port}.log",
            uuid::Uuid::now_v7().simple()
        ));
        let log_file = std::fs::File::create(&log).expect("create the server log");
        let mut command = Command::new(bin);
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("KINERJA_ENV", "dev")
            .env("KINERJA_DATABASE_URL", database_url)
            .env("KINERJA_BIND", format!("127.0.0.1:{port}"))
            .env("KINERJA_JWT_SECRET", JWT_SECRET)
            .env("KINERJA_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("KINERJA_WORKERS", "2")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone the log handle"))
            .stderr(log_file);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("start kinerja-served");
        let mut server = ServerProcess {
            child,
            address: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            log,
        };
        server.wait_ready(Duration::from_secs(60)).await;
        server
    }

    async fn wait_ready(&mut self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the server") {
                panic!("the server exited with {status}:\n{}", self.log_text());
            }
            if let Ok(r) = self.client.get(self.url("/ready")).send().await
                && r.status() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server was not ready within {within:?}:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process id, for `/proc` and for checks that it is still the same process.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("poll the server").is_none()
    }

    /// What the server wrote to standard output and error so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL, and reaps the process: no shutdown code runs.
    pub fn kill(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn authed(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.request(method, path).bearer_auth(token)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> TestResponse {
        TestResponse::from(request.send().await.expect("send the request")).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> TestResponse {
        self.send(self.authed(reqwest::Method::GET, path, token))
            .await
    }

    pub async fn post_as(&self, path: &str, token: &str, body: &serde_json::Value) -> TestResponse {
        self.send(self.authed(reqwest::Method::POST, path, token).json(body))
            .await
    }

    /// Logs `username` in with a password grant.
    pub async fn token(&self, username: &str, password: &str) -> TestResponse {
        self.send(self.request(reqwest::Method::POST, "/api/v1/auth/token").json(
            &serde_json::json!({"grant_type": "password", "username": username, "password": password}),
        ))
        .await
    }

    /// An access token of the first-start administrator.
    pub async fn admin_token(&self) -> String {
        let response = self.token("admin", ADMIN_PASSWORD).await;
        response.assert_status(200);
        response.json()["access_token"].as_str().unwrap().to_owned()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
        std::fs::remove_file(&self.log).ok();
    }
}

/// A loopback port nobody listens on now (the kernel's choice for port 0).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
