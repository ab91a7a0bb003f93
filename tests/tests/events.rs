//! The events feed: every change of note exactly once, in commit order, with a cursor that holds
//! across a restart and between replicas, even while many writers commit at once; only admins,
//! auditors and services with `read:events` read it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kinerja_tests::{TestApp, on_each_db, test_nip};
use serde_json::{Value, json};

/// A service account with these scopes, logged in: its access token.
async fn service(app: &TestApp, admin: &str, name: &str, scopes: &[&str]) -> String {
    app.service_token(admin, name, scopes).await
}

/// One page of the feed after `after` (the start when `None`).
async fn page(app: &TestApp, token: &str, after: Option<&str>, limit: u32) -> (Vec<Value>, String) {
    let path = match after {
        Some(after) => format!("/api/v1/events?after={after}&limit={limit}"),
        None => format!("/api/v1/events?limit={limit}"),
    };
    let response = app.get_as(&path, token).await;
    response.assert_status(200);
    let body = response.json();
    (
        body["items"].as_array().unwrap().clone(),
        body["next_cursor"].as_str().unwrap().to_owned(),
    )
}

/// Everything after `after`, page by page, as an integrator polls: the events and the cursor
/// to keep.
async fn drain(app: &TestApp, token: &str, after: &str, limit: u32) -> (Vec<Value>, String) {
    let mut cursor = after.to_owned();
    let mut all = Vec::new();
    loop {
        let (items, next) = page(app, token, Some(&cursor), limit).await;
        if items.is_empty() {
            assert_eq!(next, cursor, "an empty page keeps the cursor");
            return (all, cursor);
        }
        assert_eq!(
            next,
            items.last().unwrap()["cursor"],
            "next_cursor is the last item's"
        );
        cursor = next;
        all.extend(items);
    }
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

fn positions(events: &[Value]) -> Vec<i64> {
    events
        .iter()
        .map(|e| e["cursor"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn the_feed_returns_every_change_once_in_order_across_a_restart() {
    on_each_db(async |first: &TestApp| {
        let (_, admin) = first.session_as("admin", &["admin"]).await;
        let a = admin.access_token.clone();
        let feed = service(first, &a, "payroll", &["read:events"]).await;

        // Nothing yet: accounts and sign-ins are not published; the cursor stays where it was.
        let (items, next) = page(first, &feed, None, 500).await;
        assert!(items.is_empty(), "{items:?}");
        assert_eq!(next, "0");

        let cycle = first
            .post_as("/api/v1/cycles", &a, &json!({"year": 2026}))
            .await;
        cycle.assert_status(201);
        let unit = first
            .create_unit(&a, "DISDUKCAPIL", "dinas", None, true)
            .await;
        let head = first
            .create_employee(&a, &test_nip(1), "Kepala Dinas", unit, None)
            .await;
        let staff = first
            .create_employee(&a, &test_nip(2), "Staf", unit, Some(head))
            .await;
        first
            .patch_as(
                &format!("/api/v1/employees/{staff}"),
                &a,
                Some("*"),
                &json!({"golongan": "III/b"}),
            )
            .await
            .assert_status(200);
        // An import: one row new, one changed, one as it was → one event with the counts.
        let row = |n: u32, name: &str, golongan: &str| {
            json!({"nip": test_nip(n), "name": name, "employment_type": "pns", "golongan": golongan,
                   "position": "Analis", "position_kind": "pelaksana", "unit_code": "DISDUKCAPIL"})
        };
        first.clock.advance(chrono::Duration::minutes(5));
        let rows = json!([
            row(3, "Pegawai Impor", "II/a"),
            row(2, "Staf", "III/c"),
            row(1, "Kepala Dinas", "III/a")
        ]);
        let imported = first
            .import(
                &a,
                "/api/v1/imports/employees",
                "application/json",
                rows.to_string(),
            )
            .await;
        imported.assert_status(200);
        assert_eq!(
            (
                imported.json()["created"].as_u64(),
                imported.json()["updated"].as_u64()
            ),
            (Some(1), Some(1))
        );
        // The same file again changes nothing: no event.
        first
            .import(
                &a,
                "/api/v1/imports/employees",
                "application/json",
                rows.to_string(),
            )
            .await
            .assert_status(200);

        // Read in pages of two, as a poller would.
        let (events, cursor) = drain(first, &feed, "0", 2).await;
        assert_eq!(
            types(&events),
            [
                "cycle.created",
                "unit.created",
                "employee.created",
                "employee.created",
                "employee.updated",
                "employees.imported"
            ]
        );
        assert_eq!(positions(&events), [1, 2, 3, 4, 5, 6]);
        assert_eq!(cursor, "6");
        let updated = &events[4];
        assert_eq!(updated["entity_type"], "employee");
        assert_eq!(updated["entity_id"], staff.to_string());
        assert_eq!(updated["data"]["golongan"], "III/b");
        assert_eq!(updated["data"]["nip"], test_nip(2));
        assert_eq!(updated["occurred_at"], "2026-03-02T02:00:00Z");
        let import = &events[5];
        assert_eq!(
            (
                import["entity_type"].as_str(),
                import["data"]["created"].as_u64(),
                import["data"]["updated"].as_u64()
            ),
            (Some("import"), Some(1), Some(1))
        );
        // The import's rows carry its instant: an integrator re-reads them with updated_since.
        let changed = first
            .get_as(
                &format!(
                    "/api/v1/employees?updated_since={}",
                    import["occurred_at"].as_str().unwrap().replace('+', "%2B")
                ),
                &a,
            )
            .await
            .json();
        assert_eq!(changed["total"], 2, "{changed}");

        // Restart: the first app stops, a new one starts on the same database.
        first.stop().await;
        let second = first.another_on_same_database().await;
        // Tokens survive (same secret); the cursor kept by the integrator still holds.
        let (nothing, kept) = page(&second, &feed, Some(&cursor), 500).await;
        assert!(nothing.is_empty());
        assert_eq!(kept, cursor);
        second
            .patch_as(
                &format!("/api/v1/employees/{head}"),
                &a,
                Some("*"),
                &json!({"position": "Kepala Dinas Kependudukan"}),
            )
            .await
            .assert_status(200);
        let (after_restart, cursor) = drain(&second, &feed, &cursor, 500).await;
        assert_eq!(types(&after_restart), ["employee.updated"]);
        assert_eq!(positions(&after_restart), [7]);
        assert_eq!(cursor, "7");
        // From the start, the whole feed is the same list again: nothing skipped, nothing repeated.
        let (all, _) = drain(&second, &feed, "0", 1000).await;
        assert_eq!(all[..6], events[..]);
        assert_eq!(all[6..], after_restart[..]);
        drop(second);
    })
    .await;
}

#[tokio::test]
async fn only_admins_auditors_and_services_with_read_events_read_the_feed() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = admin.access_token.clone();
        let reader = service(app, &a, "payroll", &["read:events"]).await;
        let org_only = service(
            app,
            &a,
            "directory",
            &["read:org", "read:performance", "read:reports"],
        )
        .await;
        let (_, auditor) = app.session_as("auditor", &["auditor"]).await;
        let (_, employee) = app.session_as("pegawai", &["employee"]).await;
        let unit = app
            .create_unit(&a, "DISDUKCAPIL", "dinas", None, true)
            .await;
        let unit_admin = app
            .create_user_with("operator", &["unit_admin"], false, Some(unit))
            .await;
        let unit_admin = app.login(&unit_admin).await.access_token;

        app.get("/api/v1/events")
            .await
            .assert_problem(401, "unauthorized");
        for token in [&org_only, &employee.access_token, &unit_admin] {
            app.get_as("/api/v1/events", token)
                .await
                .assert_problem(403, "forbidden");
        }
        for token in [&reader, &auditor.access_token, &a] {
            app.get_as("/api/v1/events", token).await.assert_status(200);
        }

        // A bad cursor names the field; a bad limit is a bad parameter.
        for bad in ["abc", "-1", "", "1.5", "99999999999999999999"] {
            let problem = app
                .get_as(&format!("/api/v1/events?after={bad}"), &reader)
                .await
                .assert_problem(422, "invalid_cursor");
            assert_eq!(problem["errors"][0]["field"], "after", "{bad:?}");
        }
        for bad in ["0", "1001", "x"] {
            app.get_as(&format!("/api/v1/events?limit={bad}"), &reader)
                .await
                .assert_problem(400, "invalid_parameter");
        }
        // Past the end is simply nothing new yet.
        let (items, next) = page(app, &reader, Some("1000"), 10).await;
        assert!(items.is_empty());
        assert_eq!(next, "1000");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_give_a_poller_gapless_positions_in_order() {
    on_each_db(async |app: &TestApp| {
        let (_, admin) = app.session_as("admin", &["admin"]).await;
        let a = admin.access_token.clone();
        let feed = service(app, &a, "payroll", &["read:events"]).await;
        let unit = app.create_unit(&a, "DISDUKCAPIL", "dinas", None, true).await;
        let mut staff = Vec::new();
        for n in 0..20 {
            staff.push(app.create_employee(&a, &test_nip(10 + n), &format!("Staf {n}"), unit, None).await);
        }
        let (before, start) = drain(app, &feed, "0", 1000).await;
        assert_eq!(before.len(), 21);

        // 20 PATCHes of different employees and 20 creations, all at once, while a poller reads.
        let done = AtomicBool::new(false);
        let writers = async {
            let patches = staff.iter().enumerate().map(|(i, id)| {
                app.patch_as(&format!("/api/v1/employees/{id}"), &a, Some("*"), &json!({"position": format!("Analis {i}")}))
            });
            let creates = (0..20u32).map(|n| {
                app.post_as(
                    "/api/v1/employees",
                    &a,
                    &json!({"nip": test_nip(100 + n), "name": format!("Baru {n}"), "employment_type": "pns", "golongan": "III/a",
                            "position": "Analis", "position_kind": "pelaksana", "unit_id": unit}),
                )
            });
            let (patched, created) = tokio::join!(
                futures_util::future::join_all(patches),
                futures_util::future::join_all(creates)
            );
            for r in patched {
                r.assert_status(200);
            }
            for r in created {
                r.assert_status(201);
            }
            done.store(true, Ordering::SeqCst);
        };
        let poller = async {
            let mut cursor = start.clone();
            let mut seen = Vec::new();
            let mut polls = 0;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let (items, next) = page(app, &feed, Some(&cursor), 7).await;
                polls += 1;
                if items.is_empty() && finished {
                    return (seen, polls);
                }
                cursor = next;
                seen.extend(items);
                if !finished {
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
            }
        };
        let ((), (seen, polls)) = tokio::join!(writers, poller);
        assert!(polls > 2, "the poller read during the writes");

        // What the poller saw, page after page: each position once, one after the other.
        let first: i64 = start.parse().unwrap();
        let expected: Vec<i64> = (first + 1..=first + 40).collect();
        assert_eq!(positions(&seen), expected, "gap, duplicate or disorder");
        let kinds = types(&seen);
        assert_eq!(kinds.iter().filter(|k| **k == "employee.updated").count(), 20);
        assert_eq!(kinds.iter().filter(|k| **k == "employee.created").count(), 20);
        // And it is exactly the feed as read afterwards.
        let (after, _) = drain(app, &feed, &start, 1000).await;
        assert_eq!(after, seen);
    })
    .await;
}
