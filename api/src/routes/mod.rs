//! Every route of the API, registered through utoipa-actix-web so the OpenAPI document is
//! collected from the same calls that build the router and cannot drift from it.

pub mod service;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented route. Used by the server and by `kinerja openapi` alike.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(service::health).service(service::ready);
}
