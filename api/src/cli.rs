//! The `kinerja` command line: serve the API (default), migrate the database, seed the demo city,
//! create an administrator, or print the OpenAPI document. `main.rs` only calls [`main`]; the
//! black-box tests run the same command as a real process (`kinerja-tests`' `kinerja-served`).

use std::process::ExitCode;
use std::sync::Arc;

use crate::config::{ConfigWarning, redact_url};
use crate::services::Context;
use crate::services::users::{self, Bootstrap, NewUser};
use crate::{Application, Clock, Config, ConfigArgs, SystemClock, demo, openapi};
use clap::{Parser, Subcommand, ValueEnum};
use kinerja_domain::accounts::Role;
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
    Serve {
        /// Seed the demo city first if the database has no units (local trials only).
        #[arg(long)]
        demo: bool,
        /// Reference date of the demo city.
        #[arg(long, requires = "demo")]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Seed the demo city of Pematangsiantar into an empty database and print its logins.
    SeedDemo {
        /// Reference date of the demo city (default 2026-10-15).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Create an administrator; the password is read from standard input (one line).
    CreateAdmin {
        #[arg(long)]
        username: String,
    },
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

/// Parses the command line and the `KINERJA_*` environment, runs the command, and answers the
/// process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    env_logger::Builder::from_env(
        env_logger::Env::default()
            .default_filter_or("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"),
    )
    .init();
    match cli.command.unwrap_or(Command::Serve {
        demo: false,
        as_of: None,
    }) {
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
        Command::Serve { demo, as_of } => with_config(cli.config, true, move |config| {
            serve(
                config,
                demo.then(|| as_of.unwrap_or_else(demo::default_as_of)),
            )
        }),
        Command::SeedDemo { as_of } => with_config(cli.config, false, move |config| {
            seed_demo(config, as_of.unwrap_or_else(demo::default_as_of))
        }),
        Command::Migrate => with_config(cli.config, false, migrate),
        Command::CreateAdmin { username } => {
            let mut password = String::new();
            if let Err(e) = std::io::stdin().read_line(&mut password) {
                return fail(&format!(
                    "cannot read the password from standard input: {e}"
                ));
            }
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            with_config(cli.config, false, move |config| {
                create_admin(config, username, password)
            })
        }
    }
}

fn with_config<F>(args: ConfigArgs, serving: bool, run: impl FnOnce(Config) -> F) -> ExitCode
where
    F: std::future::Future<Output = Result<(), String>>,
{
    let config = match Config::from_args(args) {
        Ok((config, warnings)) => {
            for warning in warnings {
                match warning {
                    // Only a server hands out tokens; other commands need no secret.
                    ConfigWarning::GeneratedSecret if !serving => {}
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

async fn serve(config: Config, demo_as_of: Option<chrono::NaiveDate>) -> Result<(), String> {
    log::info!(
        "starting on {} with database {}",
        config.bind,
        redact_url(&config.database_url)
    );
    let db = connect_and_migrate(&config).await?;
    let clock = Arc::new(SystemClock);
    let ctx = Context::system(clock.now());
    // The demo city brings its own admin, so it goes before the first-start admin.
    if let Some(as_of) = demo_as_of {
        match demo::seed(&db, as_of).await {
            Ok(summary) => print_demo(&summary),
            Err(demo::SeedError::NotEmpty) => {
                log::info!("--demo: the database already holds a city; not seeding")
            }
            Err(e) => return Err(format!("cannot seed the demo city: {e}")),
        }
    }
    let admin_password = std::env::var("KINERJA_ADMIN_PASSWORD").ok();
    match users::bootstrap_admin(&db, &ctx, admin_password)
        .await
        .map_err(|e| e.to_string())?
    {
        Bootstrap::NotNeeded => {}
        Bootstrap::Created => {
            log::info!("created user admin with the password in KINERJA_ADMIN_PASSWORD")
        }
        // Written once, to standard error and not through the logger, which may be shipped.
        Bootstrap::Generated(password) => eprintln!(
            "\nkinerja: created the first administrator.\n  username: admin\n  password: {password}\n  (shown once; it must be changed at first login)\n"
        ),
    }
    let reads = crate::app::connect_reads(&config, &db)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(url) = &config.database_read_url {
        log::info!("reports read from {}", redact_url(url));
    }
    let app = Application::build_with_dbs(config, clock, db, reads).map_err(|e| e.to_string())?;
    log::info!("listening on port {}", app.port());
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

async fn seed_demo(config: Config, as_of: chrono::NaiveDate) -> Result<(), String> {
    let db = connect_and_migrate(&config).await?;
    let summary = demo::seed(&db, as_of).await.map_err(|e| e.to_string())?;
    print_demo(&summary);
    Ok(())
}

/// The demo logins go to standard output: they are published, local-trial-only passwords.
fn print_demo(summary: &demo::DemoSummary) {
    println!(
        "Seeded the demo city of Pematangsiantar: {} units ({} OPDs), {} employees.",
        summary.units, summary.opds, summary.employees
    );
    println!(
        "A running cycle {} with {} Perjanjian Kinerja indicators (Setda, Disdukcapil, Dinas Kesehatan, BKPSDM, Kecamatan Siantar Barat).",
        summary.cycle_year, summary.indicators
    );
    println!(
        "{} approved SKPs cascaded from the Sekretaris Daerah down through Disdukcapil's Bidang 1.",
        summary.skps
    );
    println!("Demo logins (local trials only; the passwords are public):");
    for login in &summary.logins {
        println!(
            "  {:<13} {:<22} {:<20} {}",
            login.role, login.username, login.password, login.who
        );
    }
}

async fn connect_and_migrate(config: &Config) -> Result<Db, String> {
    let db = Db::connect_with(
        &config.database_url,
        config.database_acquire_timeout,
        config.database_pool_size,
    )
    .await
    .map_err(|e| format!("cannot connect to the database: {e}"))?;
    kinerja_migrations::migrate_up(db.connection())
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    // SKPs approved before evaluations existed get theirs (once; a no-op afterwards).
    crate::services::evaluations::backfill(&db, chrono::Utc::now())
        .await
        .map_err(|e| format!("cannot open the evaluations of SKPs approved earlier: {e}"))?;
    crate::services::calibration::ensure_records(&db, chrono::Utc::now())
        .await
        .map_err(|e| format!("cannot open the OPD performance records of running cycles: {e}"))?;
    Ok(db)
}

async fn migrate(config: Config) -> Result<(), String> {
    connect_and_migrate(&config).await?;
    log::info!(
        "database {} is up to date",
        redact_url(&config.database_url)
    );
    Ok(())
}

async fn create_admin(config: Config, username: String, password: String) -> Result<(), String> {
    let db = connect_and_migrate(&config).await?;
    let ctx = Context::system(SystemClock.now());
    let new = NewUser {
        username,
        password,
        roles: vec![Role::Admin],
        employee_id: None,
        unit_id: None,
        active: true,
        must_change_password: false,
    };
    let user = users::create(&db, &ctx, new).await.map_err(|e| {
        let details: Vec<String> = e
            .errors
            .iter()
            .map(|f| format!("{} {}", f.field, f.message.en))
            .collect();
        if details.is_empty() {
            e.to_string()
        } else {
            format!("{e}: {}", details.join("; "))
        }
    })?;
    println!("created administrator {} ({})", user.username, user.id);
    Ok(())
}

fn fail(message: &str) -> ExitCode {
    eprintln!("kinerja: {message}");
    ExitCode::FAILURE
}
