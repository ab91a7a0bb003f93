//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, ErrorCode};

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Whether the process is up. Never touches the database.
#[utoipa::path(
    tag = "service",
    responses((status = 200, description = "The process is up.", body = Health))
)]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Whether the process can serve: the primary database answers, and so does the read replica
/// when one is configured (reports read from it).
#[utoipa::path(
    tag = "service",
    responses(
        (status = 200, description = "The database (and the read replica, if any) answers.", body = Health),
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    ping(&state.db, "database").await?;
    if state.config.database_read_url.is_some() {
        ping(&state.reads, "read replica").await?;
    }
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// One ping, bounded: a database that does not answer in 2 s is unavailable.
async fn ping(db: &kinerja_persistence::Db, what: &str) -> Result<(), ApiError> {
    let timeout = std::time::Duration::from_secs(2);
    match tokio::time::timeout(timeout, db.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(unavailable().with_source(e)),
        Err(_) => {
            Err(unavailable().with_source(std::io::Error::other(format!("{what} ping timed out"))))
        }
    }
}

/// 503 with retry advice.
pub fn unavailable() -> ApiError {
    ApiError::new(ErrorCode::DatabaseUnavailable)
        .with_header(actix_web::http::header::RETRY_AFTER, "5")
}
