//! The HTTP API of Siantar Kinerja and the `kinerja` binary's building blocks.
//!
//! A request flows one way: the middleware ([`http::middleware`]) gives it an id and guarantees
//! problem+json errors; extractors parse and validate input into DTOs; a handler calls a service
//! (`services/`) that owns one transaction (load → domain rule → save → audit → commit); the
//! result is mapped to a response DTO. Handlers stay thin, rules live in `kinerja-domain`.
//!
//! [`app::Application::build`] assembles the server from a [`config::Config`] and a
//! [`clock::Clock`]; `main` and the black-box tests use the same builder.

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod http;
pub mod openapi;
pub mod routes;
pub mod services;
pub mod test_hooks;

pub use app::{AppState, Application, StartError};
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use config::{Config, ConfigArgs};
