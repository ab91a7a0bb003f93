//! Configuration from `KINERJA_*` environment variables (or the matching command-line flags),
//! validated once at start with a message that names the variable.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::{Args, ValueEnum};
use ipnet::IpNet;

/// `dev` generates a missing JWT secret with a warning; `prod` refuses to start without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Dev,
    Prod,
}

/// The raw settings, as clap reads them from flags and the environment.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// `dev` or `prod`.
    #[arg(
        long = "env",
        global = true,
        env = "KINERJA_ENV",
        value_enum,
        default_value = "dev"
    )]
    pub environment: Environment,
    /// The primary database: `sqlite://FILE?mode=rwc` or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        global = true,
        env = "KINERJA_DATABASE_URL",
        default_value = "sqlite://kinerja.db?mode=rwc"
    )]
    pub database_url: String,
    /// Optional read replica for report queries (PostgreSQL).
    #[arg(long, global = true, env = "KINERJA_DATABASE_READ_URL")]
    pub database_read_url: Option<String>,
    /// Address and port to listen on.
    #[arg(
        long,
        global = true,
        env = "KINERJA_BIND",
        default_value = "127.0.0.1:8080"
    )]
    pub bind: SocketAddr,
    /// HS256 secret for access tokens, at least 32 bytes; replicas must share it.
    #[arg(
        long,
        global = true,
        env = "KINERJA_JWT_SECRET",
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,
    /// Comma-separated origins browsers may call from (e.g. `https://portal.example.go.id`).
    #[arg(
        long,
        global = true,
        env = "KINERJA_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Comma-separated proxy addresses or CIDR ranges whose `X-Forwarded-For` is believed.
    #[arg(
        long,
        global = true,
        env = "KINERJA_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// Largest JSON body accepted, in bytes.
    #[arg(long, global = true, env = "KINERJA_JSON_LIMIT", default_value_t = 1024 * 1024)]
    pub json_limit: usize,
    /// Largest import file accepted (CSV or JSON), in bytes.
    #[arg(long, global = true, env = "KINERJA_IMPORT_LIMIT", default_value_t = 20 * 1024 * 1024)]
    pub import_limit: usize,
    /// Lifetime of access tokens, in seconds (60 to 86400).
    #[arg(
        long,
        global = true,
        env = "KINERJA_ACCESS_TOKEN_TTL",
        default_value_t = 900
    )]
    pub access_token_ttl: i64,
    /// Lifetime of refresh tokens, in seconds (at least the access-token lifetime).
    #[arg(long, global = true, env = "KINERJA_REFRESH_TOKEN_TTL", default_value_t = 14 * 24 * 3600)]
    pub refresh_token_ttl: i64,
    /// Worker threads of the HTTP server (default: one per core).
    #[arg(long, global = true, env = "KINERJA_WORKERS")]
    pub workers: Option<usize>,
    /// Public survey submissions accepted per minute from one client address for one unit (a
    /// kiosk service account: per account), 1 to 10000.
    #[arg(
        long,
        global = true,
        env = "KINERJA_SURVEY_RATE_PER_MINUTE",
        default_value_t = 30
    )]
    pub survey_rate_per_minute: u32,
    /// Whether anonymous survey submissions need a single-use token from
    /// `POST /public/surveys/{unit_code}/token` (`true` or `false`).
    #[arg(
        long,
        global = true,
        env = "KINERJA_SURVEY_REQUIRE_TOKEN",
        default_value_t = false,
        action = clap::ArgAction::Set
    )]
    pub survey_require_token: bool,
    /// Seconds an API request may take (its body's arrival not counted) before it is abandoned with 503
    /// `database_unavailable` (its transaction rolled back): bounds requests caught by a hung
    /// database connection. A body that sends no byte for as long is 408 `body_timeout`.
    #[arg(
        long,
        global = true,
        env = "KINERJA_REQUEST_TIMEOUT",
        default_value_t = 30
    )]
    pub request_timeout: u64,
    /// Connections each pool may open (the primary's, and the read replica's when set), 1 to
    /// 1000; default 32 on PostgreSQL, 8 on SQLite.
    #[arg(long, global = true, env = "KINERJA_DATABASE_POOL_SIZE")]
    pub database_pool_size: Option<u32>,
}

/// The validated configuration the app is built with.
#[derive(Clone)]
pub struct Config {
    pub environment: Environment,
    pub database_url: String,
    pub database_read_url: Option<String>,
    pub bind: SocketAddr,
    pub jwt_secret: Vec<u8>,
    pub cors_origins: Vec<String>,
    pub trusted_proxies: Vec<IpNet>,
    pub json_limit: usize,
    pub import_limit: usize,
    pub workers: Option<usize>,
    pub access_token_ttl: chrono::Duration,
    pub refresh_token_ttl: chrono::Duration,
    /// How long a request waits for a database connection before answering 503.
    pub database_acquire_timeout: Duration,
    /// Connections each pool may open; `None`: the engine's default (see [`Db::connect`]).
    ///
    /// [`Db::connect`]: kinerja_persistence::Db::connect
    pub database_pool_size: Option<u32>,
    /// Public survey submissions per minute per client address and unit (kiosks: per account).
    pub survey_rate_per_minute: u32,
    /// Whether anonymous survey submissions need a submission token.
    pub survey_require_token: bool,
    /// How long an API request may take before it is abandoned with 503 (see
    /// [`crate::http::deadline`]).
    pub request_timeout: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret, nor credentials inside database URLs.
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field("database", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("cors_origins", &self.cors_origins)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish_non_exhaustive()
    }
}

/// A configuration problem, naming the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "KINERJA_JWT_SECRET is required when KINERJA_ENV=prod (at least 32 bytes, shared by all replicas)"
    )]
    MissingSecret,
    #[error("KINERJA_JWT_SECRET must be at least 32 bytes (it has {0})")]
    ShortSecret(usize),
    #[error("KINERJA_DATABASE_URL must start with sqlite:// or postgres:// (got {0:?})")]
    DatabaseUrl(String),
    #[error("KINERJA_DATABASE_READ_URL must be a postgres:// URL (got {0:?})")]
    ReadUrl(String),
    #[error("KINERJA_CORS_ORIGINS: {0:?} is not an origin like https://portal.example.go.id")]
    CorsOrigin(String),
    #[error("KINERJA_CORS_ORIGINS may not be * when KINERJA_ENV=prod")]
    CorsWildcard,
    #[error("KINERJA_TRUSTED_PROXIES: {0:?} is not an IP address or CIDR range")]
    TrustedProxy(String),
    #[error("{0} must be at least 1024 bytes")]
    Limit(&'static str),
    #[error("KINERJA_WORKERS must be between 1 and 256")]
    Workers,
    #[error("KINERJA_ACCESS_TOKEN_TTL must be between 60 and 86400 seconds")]
    AccessTtl,
    #[error(
        "KINERJA_REFRESH_TOKEN_TTL must be at least KINERJA_ACCESS_TOKEN_TTL and at most 90 days"
    )]
    RefreshTtl,
    #[error("KINERJA_SURVEY_RATE_PER_MINUTE must be between 1 and 10000")]
    SurveyRate,
    #[error("KINERJA_REQUEST_TIMEOUT must be between 1 and 3600 seconds")]
    RequestTimeout,
    #[error("KINERJA_DATABASE_POOL_SIZE must be between 1 and 1000")]
    PoolSize,
}

/// What `Config::from_args` decided that the operator should hear about.
#[derive(Debug, PartialEq, Eq)]
pub enum ConfigWarning {
    GeneratedSecret,
}

impl Config {
    /// Validates raw settings. A missing secret in `dev` is generated (returned as a warning).
    pub fn from_args(args: ConfigArgs) -> Result<(Config, Vec<ConfigWarning>), ConfigError> {
        let mut warnings = Vec::new();
        let jwt_secret = match (args.jwt_secret.filter(|s| !s.is_empty()), args.environment) {
            (Some(secret), _) if secret.len() < 32 => {
                return Err(ConfigError::ShortSecret(secret.len()));
            }
            (Some(secret), _) => secret.into_bytes(),
            (None, Environment::Prod) => return Err(ConfigError::MissingSecret),
            (None, Environment::Dev) => {
                warnings.push(ConfigWarning::GeneratedSecret);
                random_secret()
            }
        };
        if !is_supported_url(&args.database_url) {
            return Err(ConfigError::DatabaseUrl(redact_url(&args.database_url)));
        }
        let database_read_url = args.database_read_url.filter(|u| !u.is_empty());
        if let Some(url) = &database_read_url
            && !url.starts_with("postgres://")
            && !url.starts_with("postgresql://")
        {
            return Err(ConfigError::ReadUrl(redact_url(url)));
        }
        let cors_origins: Vec<String> = args
            .cors_origins
            .into_iter()
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        for origin in &cors_origins {
            if origin == "*" {
                if args.environment == Environment::Prod {
                    return Err(ConfigError::CorsWildcard);
                }
            } else if !is_origin(origin) {
                return Err(ConfigError::CorsOrigin(origin.clone()));
            }
        }
        let trusted_proxies = args
            .trusted_proxies
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| ConfigError::TrustedProxy(p.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if args.json_limit < 1024 {
            return Err(ConfigError::Limit("KINERJA_JSON_LIMIT"));
        }
        if args.import_limit < 1024 {
            return Err(ConfigError::Limit("KINERJA_IMPORT_LIMIT"));
        }
        if matches!(args.workers, Some(n) if n == 0 || n > 256) {
            return Err(ConfigError::Workers);
        }
        if !(60..=86_400).contains(&args.access_token_ttl) {
            return Err(ConfigError::AccessTtl);
        }
        if args.refresh_token_ttl < args.access_token_ttl || args.refresh_token_ttl > 90 * 86_400 {
            return Err(ConfigError::RefreshTtl);
        }
        if !(1..=10_000).contains(&args.survey_rate_per_minute) {
            return Err(ConfigError::SurveyRate);
        }
        if !(1..=3600).contains(&args.request_timeout) {
            return Err(ConfigError::RequestTimeout);
        }
        if matches!(args.database_pool_size, Some(n) if !(1..=1000).contains(&n)) {
            return Err(ConfigError::PoolSize);
        }
        Ok((
            Config {
                environment: args.environment,
                database_url: args.database_url,
                database_read_url,
                bind: args.bind,
                jwt_secret,
                cors_origins,
                trusted_proxies,
                json_limit: args.json_limit,
                import_limit: args.import_limit,
                workers: args.workers,
                access_token_ttl: chrono::Duration::seconds(args.access_token_ttl),
                refresh_token_ttl: chrono::Duration::seconds(args.refresh_token_ttl),
                database_acquire_timeout: Duration::from_secs(5),
                database_pool_size: args.database_pool_size,
                survey_rate_per_minute: args.survey_rate_per_minute,
                survey_require_token: args.survey_require_token,
                request_timeout: Duration::from_secs(args.request_timeout),
            },
            warnings,
        ))
    }

    /// A configuration for tests and tools: the given database, port 0, a fixed secret.
    pub fn for_database(database_url: impl Into<String>) -> Config {
        Config {
            environment: Environment::Dev,
            database_url: database_url.into(),
            database_read_url: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            jwt_secret: b"test-secret-test-secret-test-secret!".to_vec(),
            cors_origins: vec!["http://portal.test".into()],
            trusted_proxies: Vec::new(),
            json_limit: 1024 * 1024,
            import_limit: 20 * 1024 * 1024,
            workers: Some(2),
            access_token_ttl: chrono::Duration::minutes(15),
            refresh_token_ttl: chrono::Duration::days(14),
            database_acquire_timeout: Duration::from_secs(5),
            database_pool_size: None,
            survey_rate_per_minute: 30,
            survey_require_token: false,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// `scheme://host[:port]` with nothing after it.
fn is_origin(origin: &str) -> bool {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    matches!(rest, Some(host) if !host.is_empty() && !host.contains('/'))
}

fn is_supported_url(url: &str) -> bool {
    ["sqlite:", "postgres://", "postgresql://"]
        .iter()
        .any(|p| url.starts_with(p))
}

/// Hides a password in `scheme://user:password@host/...`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn random_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut secret = vec![0u8; 48];
    rand::rng().fill_bytes(&mut secret);
    secret
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: ConfigArgs,
    }

    fn parse(flags: &[&str]) -> Result<(Config, Vec<ConfigWarning>), ConfigError> {
        let mut argv = vec!["kinerja"];
        argv.extend_from_slice(flags);
        let cli = Cli::try_parse_from(argv).expect("flags parse");
        Config::from_args(cli.config)
    }

    #[test]
    fn prod_requires_a_long_secret() {
        assert!(matches!(
            parse(&["--env", "prod"]),
            Err(ConfigError::MissingSecret)
        ));
        assert!(matches!(
            parse(&["--env", "prod", "--jwt-secret", "short"]),
            Err(ConfigError::ShortSecret(5))
        ));
        let ok = parse(&["--env", "prod", "--jwt-secret", &"x".repeat(32)]);
        assert!(matches!(ok, Ok((_, ref w)) if w.is_empty()));
    }

    #[test]
    fn dev_generates_a_missing_secret_with_a_warning() {
        let Ok((config, warnings)) = parse(&[]) else {
            panic!("dev defaults must be valid");
        };
        assert_eq!(warnings, vec![ConfigWarning::GeneratedSecret]);
        assert!(config.jwt_secret.len() >= 32);
        assert_eq!(config.database_url, "sqlite://kinerja.db?mode=rwc");
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.request_timeout, Duration::from_secs(30));
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases: &[(&[&str], &str)] = &[
            (&["--database-url", "mysql://x"], "KINERJA_DATABASE_URL"),
            (
                &["--database-read-url", "sqlite://x"],
                "KINERJA_DATABASE_READ_URL",
            ),
            (
                &["--cors-origins", "portal.example"],
                "KINERJA_CORS_ORIGINS",
            ),
            (
                &["--trusted-proxies", "10.0.0.1,nonsense"],
                "KINERJA_TRUSTED_PROXIES",
            ),
            (&["--json-limit", "10"], "KINERJA_JSON_LIMIT"),
            (&["--workers", "0"], "KINERJA_WORKERS"),
            (&["--access-token-ttl", "5"], "KINERJA_ACCESS_TOKEN_TTL"),
            (&["--refresh-token-ttl", "100"], "KINERJA_REFRESH_TOKEN_TTL"),
            (
                &["--survey-rate-per-minute", "0"],
                "KINERJA_SURVEY_RATE_PER_MINUTE",
            ),
            (&["--request-timeout", "0"], "KINERJA_REQUEST_TIMEOUT"),
            (&["--database-pool-size", "0"], "KINERJA_DATABASE_POOL_SIZE"),
            (
                &["--database-pool-size", "1001"],
                "KINERJA_DATABASE_POOL_SIZE",
            ),
        ];
        for (flags, variable) in cases {
            match parse(flags) {
                Err(e) => assert!(e.to_string().contains(variable), "{flags:?}: {e}"),
                Ok(_) => panic!("{flags:?} was accepted"),
            }
        }
    }

    #[test]
    fn proxies_accept_addresses_and_ranges() {
        let Ok((config, _)) = parse(&["--trusted-proxies", "10.0.0.1, 192.168.0.0/16,::1"]) else {
            panic!("valid proxies refused");
        };
        assert_eq!(config.trusted_proxies.len(), 3);
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact_url("postgres://u:pw@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://kinerja.db"), "sqlite://kinerja.db");
    }
}
