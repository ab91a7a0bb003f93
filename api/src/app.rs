//! `Application::build`: the one way the server is assembled, used by `main` and by the tests.

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::{Server, ServerHandle};
use actix_web::http::{Method, header};
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, get, web};
use kinerja_persistence::{Db, PersistenceError};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::http::fallback::{RouteTable, not_found_or_method_not_allowed};
use crate::http::{self as h, BodyLimits};
use crate::{openapi, routes};

/// What every handler can reach.
pub struct AppState {
    /// The primary: every write, and every read that must see the latest write.
    pub db: Db,
    /// Report and export queries: the read replica of `KINERJA_DATABASE_READ_URL` when one is
    /// configured, otherwise the primary. A replica may lag behind by its replication delay.
    pub reads: Db,
    pub clock: SharedClock,
    pub config: Arc<Config>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot connect to the database: {0}")]
    Database(#[from] PersistenceError),
    #[error("cannot connect to the read replica (KINERJA_DATABASE_READ_URL): {0}")]
    ReadDatabase(#[source] PersistenceError),
    #[error("cannot migrate the database: {0}")]
    Migration(#[source] sea_orm_migration::DbErr),
    #[error("cannot listen on the configured address: {0}")]
    Bind(#[from] std::io::Error),
    #[error("cannot open the evaluations or OPD performance records of running cycles: {0}")]
    Backfill(String),
}

/// The pool reports read from: a connection to `KINERJA_DATABASE_READ_URL` (a read replica of
/// the primary, never migrated from here), or the primary itself when none is configured.
pub async fn connect_reads(config: &Config, primary: &Db) -> Result<Db, StartError> {
    match &config.database_read_url {
        Some(url) => Db::connect_with(
            url,
            config.database_acquire_timeout,
            config.database_pool_size,
        )
        .await
        .map_err(StartError::ReadDatabase),
        None => Ok(primary.clone()),
    }
}

/// A built, listening server.
pub struct Application {
    port: u16,
    server: Server,
    housekeeping: tokio::task::JoinHandle<()>,
}

impl Application {
    /// Connects to the database, applies pending migrations and binds the listener.
    pub async fn build(config: Config, clock: SharedClock) -> Result<Application, StartError> {
        let db = Db::connect_with(
            &config.database_url,
            config.database_acquire_timeout,
            config.database_pool_size,
        )
        .await?;
        kinerja_migrations::migrate_up(db.connection())
            .await
            .map_err(StartError::Migration)?;
        crate::services::evaluations::backfill(&db, clock.now())
            .await
            .map_err(|e| StartError::Backfill(e.to_string()))?;
        crate::services::calibration::ensure_records(&db, clock.now())
            .await
            .map_err(|e| StartError::Backfill(e.to_string()))?;
        let reads = connect_reads(&config, &db).await?;
        Application::build_with_dbs(config, clock, db, reads)
    }

    /// Builds the server on an already migrated database, reading reports from it too.
    pub fn build_with_db(
        config: Config,
        clock: SharedClock,
        db: Db,
    ) -> Result<Application, StartError> {
        let reads = db.clone();
        Application::build_with_dbs(config, clock, db, reads)
    }

    /// Builds the server on an already migrated primary and the pool reports read from (see
    /// [`connect_reads`]).
    pub fn build_with_dbs(
        config: Config,
        clock: SharedClock,
        db: Db,
        reads: Db,
    ) -> Result<Application, StartError> {
        let listener = TcpListener::bind(config.bind)?;
        let port = listener.local_addr()?.port();
        let spec = openapi::spec();
        let yaml = web::Data::new(OpenApiYaml(openapi::to_yaml(&spec)));
        let route_table = web::Data::new(route_table(&spec));
        let limits = web::Data::new(BodyLimits {
            json: config.json_limit,
            import: config.import_limit,
        });
        let workers = config.workers;
        let config = Arc::new(config);
        let housekeeping = crate::services::housekeeping::spawn(
            db.clone(),
            clock.clone(),
            std::time::Duration::from_secs(600),
        );
        let state = web::Data::new(AppState {
            db,
            reads,
            clock,
            config: config.clone(),
        });

        let mut server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .configure(routes::configure)
                .split_for_parts();
            app.app_data(state.clone())
                .app_data(limits.clone())
                .app_data(route_table.clone())
                .app_data(yaml.clone())
                .app_data(web::PathConfig::default().error_handler(h::path_error))
                .app_data(web::QueryConfig::default().error_handler(h::query_error))
                .service(openapi_yaml)
                .service(web::resource("/docs").route(web::get().to(docs_redirect)))
                .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", spec.clone()))
                .default_service(web::to(not_found_or_method_not_allowed))
                .wrap(cors(&config.cors_origins))
                .wrap(from_fn(h::middleware::request_context))
                .wrap(Compress::default())
        })
        .listen(listener)?
        .shutdown_timeout(30);
        if let Some(workers) = workers {
            server = server.workers(workers);
        }
        Ok(Application {
            port,
            server: server.run(),
            housekeeping,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server gracefully (SIGTERM does the same).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped; in-flight requests finish (up to 30 s) on SIGTERM or SIGINT.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.housekeeping.abort();
        result
    }
}

struct OpenApiYaml(String);

#[get("/openapi.yaml")]
async fn openapi_yaml(yaml: web::Data<OpenApiYaml>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml; charset=utf-8")
        .body(yaml.0.clone())
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// Paths and methods for the 405 fallback: the documented ones and the few served beside them.
fn route_table(spec: &utoipa::openapi::OpenApi) -> RouteTable {
    let mut table = RouteTable::default();
    for (path, item) in &spec.paths.paths {
        let methods = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        for (method, present) in methods {
            if present {
                table.add(path, method);
            }
        }
    }
    for path in ["/openapi.json", "/openapi.yaml", "/docs", "/docs/{_:.*}"] {
        table.add(path, "GET");
    }
    table
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(3600)
        // A disallowed origin simply gets no CORS headers (the browser then refuses the
        // response); failing the request would hide it from non-browser clients too.
        .block_on_origin_mismatch(false);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}
