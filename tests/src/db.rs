//! Test databases: one migrated template per process, one copy per test.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use tokio::sync::{Mutex, OnceCell};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when `KINERJA_TEST_DATABASE_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut backends = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        backends.push(Backend::Postgres);
    }
    backends
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("KINERJA_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Leftovers of killed runs older than this are dropped by the next run.
const STALE_AFTER: Duration = Duration::from_secs(3 * 3600);

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn unique_suffix() -> String {
    // The tail of a UUIDv7 is random.
    let id = uuid::Uuid::now_v7().simple().to_string();
    format!("{}_{}", unix_now(), &id[id.len() - 12..])
}

/// A database for one test, removed on drop.
pub struct TestDb {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub async fn create(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let template = sqlite_template().await;
                let path = sqlite_dir().join(format!("kinerja_test_{}.db", unique_suffix()));
                std::fs::copy(template, &path).expect("copy the SQLite template");
                TestDb {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    cleanup: Cleanup::File(path),
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url().expect("KINERJA_TEST_DATABASE_URL");
                let template = postgres_template(&admin_url).await;
                let name = format!("kinerja_test_{}", unique_suffix());
                create_from_template(&admin_url, &name, template).await;
                TestDb {
                    url: with_database(&admin_url, &name),
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A PostgreSQL copy of this database as it is now (`CREATE DATABASE ... TEMPLATE`), e.g. a
    /// read replica that stopped replicating. Nobody may be connected to this one meanwhile.
    pub async fn snapshot(&self) -> TestDb {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            panic!("snapshots are of PostgreSQL databases only");
        };
        let copy = format!("kinerja_test_{}", unique_suffix());
        create_from_template(admin_url, &copy, name).await;
        TestDb {
            url: with_database(admin_url, &copy),
            cleanup: Cleanup::Postgres {
                admin_url: admin_url.clone(),
                name: copy,
            },
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                // Drop may run inside a runtime (or while unwinding): use a thread of its own.
                let admin_url = admin_url.clone();
                let name = name.clone();
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(runtime) = runtime {
                        runtime.block_on(async {
                            if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                                let _ = exec(
                                    &admin,
                                    &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                                )
                                .await;
                                let _ = admin.close().await;
                            }
                        });
                    }
                })
                .join();
            }
        }
    }
}

/// An empty, unmigrated database (for the migration tests), removed on drop.
pub async fn fresh_empty_database(backend: Backend) -> TestDb {
    match backend {
        Backend::Sqlite => {
            let path = sqlite_dir().join(format!("kinerja_test_{}.db", unique_suffix()));
            TestDb {
                url: format!("sqlite://{}?mode=rwc", path.display()),
                cleanup: Cleanup::File(path),
            }
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url().expect("KINERJA_TEST_DATABASE_URL");
            let name = format!("kinerja_test_{}", unique_suffix());
            let admin = Database::connect(admin_url.as_str())
                .await
                .expect("connect as admin");
            exec(&admin, &format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create database");
            admin.close().await.ok();
            TestDb {
                url: with_database(&admin_url, &name),
                cleanup: Cleanup::Postgres { admin_url, name },
            }
        }
    }
}

fn sqlite_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("kinerja-tests");
    std::fs::create_dir_all(&dir).expect("create the test directory");
    dir
}

/// A fingerprint of the schema history: templates are reused across test processes and runs
/// until a migration file changes (even one edited in place during development).
fn migrations_fingerprint() -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/src");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.file_name().hash(&mut hasher);
        std::fs::read(&file).unwrap_or_default().hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

static SQLITE_TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();

async fn sqlite_template() -> &'static PathBuf {
    SQLITE_TEMPLATE
        .get_or_init(|| async {
            let dir = sqlite_dir();
            remove_stale_files(&dir);
            let path = dir.join(format!("kinerja_tpl_{}.db", migrations_fingerprint()));
            if path.exists() {
                return path;
            }
            // Built under a name of its own and renamed into place: processes racing here each
            // build one, and the rename is atomic.
            let building = dir.join(format!("kinerja_tpl_building_{}.db", unique_suffix()));
            let url = format!("sqlite://{}?mode=rwc", building.display());
            let db = Database::connect(url.as_str())
                .await
                .expect("create the SQLite template");
            kinerja_migrations::migrate_up(&db)
                .await
                .expect("migrate the SQLite template");
            // Fold the WAL into the main file so a plain copy holds everything.
            exec(&db, "PRAGMA wal_checkpoint(TRUNCATE)")
                .await
                .expect("checkpoint");
            db.close().await.expect("close the template");
            std::fs::rename(&building, &path).expect("move the template into place");
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
            }
            path
        })
        .await
}

fn remove_stale_files(dir: &PathBuf) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

static POSTGRES_TEMPLATE: OnceCell<String> = OnceCell::const_new();
/// PostgreSQL refuses to copy a template that another CREATE DATABASE is copying.
static TEMPLATE_COPY: Mutex<()> = Mutex::const_new(());
/// Serialises template creation across test processes (session advisory lock).
const TEMPLATE_LOCK_KEY: i64 = 0x6b69_6e65_7274_706c;

async fn postgres_template(admin_url: &str) -> &'static str {
    POSTGRES_TEMPLATE
        .get_or_init(|| async {
            let name = format!("kinerja_tpl_{}", migrations_fingerprint());
            // One connection, so the session lock and its release happen on the same session.
            let mut options = sea_orm::ConnectOptions::new(admin_url.to_owned());
            options.max_connections(1).sqlx_logging(false);
            let admin = Database::connect(options).await.expect("connect as admin");
            exec(
                &admin,
                &format!("SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})"),
            )
            .await
            .expect("lock");
            if !database_exists(&admin, &name).await {
                drop_stale_databases(&admin).await;
                let building = format!("kinerja_tpl_building_{}", unique_suffix());
                exec(&admin, &format!("CREATE DATABASE \"{building}\""))
                    .await
                    .expect("create the template");
                let db = Database::connect(with_database(admin_url, &building).as_str())
                    .await
                    .expect("connect to the template");
                kinerja_migrations::migrate_up(&db)
                    .await
                    .expect("migrate the PostgreSQL template");
                db.close().await.expect("close the template");
                exec(
                    &admin,
                    &format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""),
                )
                .await
                .expect("rename the template");
            }
            exec(
                &admin,
                &format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})"),
            )
            .await
            .expect("unlock");
            admin.close().await.ok();
            name
        })
        .await
}

async fn database_exists(admin: &DatabaseConnection, name: &str) -> bool {
    let row = admin
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 AS present FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await
        .expect("look up the template");
    row.is_some()
}

async fn create_from_template(admin_url: &str, name: &str, template: &str) {
    let _guard = TEMPLATE_COPY.lock().await;
    let admin = Database::connect(admin_url)
        .await
        .expect("connect as admin");
    let mut attempt = 0;
    loop {
        match exec(
            &admin,
            &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
        )
        .await
        {
            Ok(()) => break,
            Err(e) if attempt < 100 && e.to_string().contains("being accessed by other users") => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot create {name} from {template}: {e}"),
        }
    }
    admin.close().await.ok();
}

/// Drops what killed runs left: test databases and half-built templates older than a few hours.
async fn drop_stale_databases(admin: &DatabaseConnection) {
    let rows = admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT datname FROM pg_database WHERE datname LIKE 'kinerja_test_%' OR datname LIKE 'kinerja_tpl_%'",
        ))
        .await
        .unwrap_or_default();
    let cutoff = unix_now().saturating_sub(STALE_AFTER.as_secs());
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        // Test databases and half-built templates carry their creation time. Finished
        // templates are kept: another checkout (another schema) may be using one right now;
        // CI drops them all before it runs.
        let stamped = name
            .strip_prefix("kinerja_test_")
            .or_else(|| name.strip_prefix("kinerja_tpl_building_"));
        let stale = stamped
            .and_then(|rest| rest.split('_').next())
            .and_then(|ts| ts.parse::<u64>().ok())
            .is_some_and(|ts| ts < cutoff);
        if stale {
            let _ = exec(
                admin,
                &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            )
            .await;
        }
    }
}

/// The admin URL with another database name.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let prefix = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{prefix}/{name}?{query}"),
        None => format!("{prefix}/{name}"),
    }
}

async fn exec(db: &DatabaseConnection, sql: &str) -> Result<(), sea_orm::DbErr> {
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_replaced_in_urls() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/postgres?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
