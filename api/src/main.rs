//! `kinerja`: serve the API (default), migrate the database, or print the OpenAPI document.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use kinerja_api::config::{ConfigWarning, redact_url};
use kinerja_api::{Application, Config, ConfigArgs, SystemClock, openapi};
use kinerja_persistence::Db;

#[derive(Parser)]
#[command(
    name = "kinerja",
    version,
    about = "Siantar Kinerja: performance management of ASN for Pemko Pematangsiantar"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: ConfigArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the API (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi {
        #[arg(long, value_enum, default_value = "yaml")]
        format: SpecFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SpecFormat {
    Yaml,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    env_logger::Builder::from_env(
        env_logger::Env::default()
            .default_filter_or("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"),
    )
    .init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi { format } => {
            let spec = openapi::spec();
            match format {
                SpecFormat::Yaml => print!("{}", openapi::to_yaml(&spec)),
                SpecFormat::Json => match spec.to_pretty_json() {
                    Ok(json) => println!("{json}"),
                    Err(e) => return fail(&format!("cannot render the spec: {e}")),
                },
            }
            ExitCode::SUCCESS
        }
        Command::Serve => with_config(cli.config, serve),
        Command::Migrate => with_config(cli.config, migrate),
    }
}

fn with_config<F>(args: ConfigArgs, run: impl FnOnce(Config) -> F) -> ExitCode
where
    F: std::future::Future<Output = Result<(), String>>,
{
    let config = match Config::from_args(args) {
        Ok((config, warnings)) => {
            for warning in warnings {
                match warning {
                    ConfigWarning::GeneratedSecret => log::warn!(
                        "KINERJA_JWT_SECRET is not set: generated a random one for this process (dev only); tokens will not survive a restart"
                    ),
                }
            }
            config
        }
        Err(e) => return fail(&format!("invalid configuration: {e}")),
    };
    let runtime = match actix_web::rt::System::new().block_on(async { run(config).await }) {
        Ok(()) => return ExitCode::SUCCESS,
        Err(e) => e,
    };
    fail(&runtime)
}

async fn serve(config: Config) -> Result<(), String> {
    log::info!(
        "starting on {} with database {}",
        config.bind,
        redact_url(&config.database_url)
    );
    let app = Application::build(config, Arc::new(SystemClock))
        .await
        .map_err(|e| e.to_string())?;
    log::info!("listening on port {}", app.port());
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

async fn migrate(config: Config) -> Result<(), String> {
    let db = Db::connect(&config.database_url, config.database_acquire_timeout)
        .await
        .map_err(|e| e.to_string())?;
    kinerja_migrations::migrate_up(db.connection())
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    log::info!(
        "database {} is up to date",
        redact_url(&config.database_url)
    );
    Ok(())
}

fn fail(message: &str) -> ExitCode {
    eprintln!("kinerja: {message}");
    ExitCode::FAILURE
}
