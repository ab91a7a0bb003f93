//! The schema history applies, rolls back and applies again on both databases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kinerja_tests::{backends, fresh_empty_database};
use sea_orm::{ConnectionTrait, Database, Statement};

async fn count_tables(db: &sea_orm::DatabaseConnection) -> i64 {
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations'"
        }
        _ => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'seaql_migrations'"
        }
    };
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    for backend in backends() {
        eprintln!("--- on {backend:?}");
        let database = fresh_empty_database(backend).await;
        let db = Database::connect(database.url()).await.unwrap();

        kinerja_migrations::migrate_up(&db).await.unwrap();
        let tables = count_tables(&db).await;
        assert!(tables > 0, "up created no table");

        // Applying again is a no-op, as when a second replica starts.
        kinerja_migrations::migrate_up(&db).await.unwrap();
        assert_eq!(count_tables(&db).await, tables);

        kinerja_migrations::migrate_down_all(&db).await.unwrap();
        assert_eq!(count_tables(&db).await, 0, "down left tables behind");

        kinerja_migrations::migrate_up(&db).await.unwrap();
        assert_eq!(count_tables(&db).await, tables);
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn replicas_starting_together_migrate_once() {
    for backend in backends() {
        eprintln!("--- on {backend:?}");
        let database = fresh_empty_database(backend).await;
        let a = Database::connect(database.url()).await.unwrap();
        let b = Database::connect(database.url()).await.unwrap();
        let (ra, rb) = tokio::join!(
            kinerja_migrations::migrate_up(&a),
            kinerja_migrations::migrate_up(&b)
        );
        ra.unwrap();
        rb.unwrap();
        assert!(count_tables(&a).await > 0);
        a.close().await.unwrap();
        b.close().await.unwrap();
    }
}
