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

/// Whether the process can serve: the database answers.
#[utoipa::path(
    tag = "service",
    responses(
        (status = 200, description = "The database answers.", body = Health),
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let timeout = std::time::Duration::from_secs(2);
    match tokio::time::timeout(timeout, state.db.ping()).await {
        Ok(Ok(())) => Ok(HttpResponse::Ok().json(Health { status: "ok" })),
        Ok(Err(e)) => Err(unavailable().with_source(e)),
        Err(_) => Err(unavailable().with_source(std::io::Error::other("database ping timed out"))),
    }
}

/// 503 with retry advice.
pub fn unavailable() -> ApiError {
    ApiError::new(ErrorCode::DatabaseUnavailable)
        .with_header(actix_web::http::header::RETRY_AFTER, "5")
}
