//! Repositories: one module per aggregate, functions over any [`crate::Store`].

pub mod audit;
pub mod cycles;
pub mod employees;
pub mod evaluations;
pub mod events;
pub mod feedback;
pub mod idempotency;
pub mod objections;
pub mod opd_performance;
pub mod realizations;
pub mod service_accounts;
pub mod sessions;
pub mod skm;
pub mod skps;
pub mod survey_guard;
pub mod training;
pub mod unit_indicators;
pub mod unit_realizations;
pub mod units;
pub mod users;

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, QuerySelect, Select};

use crate::{ListQuery, Page, PersistenceError};

/// Runs a select as one page, counting the total.
pub(crate) async fn paged<E, C>(
    conn: &C,
    select: Select<E>,
    query: &ListQuery,
) -> Result<Page<E::Model>, PersistenceError>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let total = select.clone().count(conn).await?;
    let offset = query.page.saturating_sub(1).saturating_mul(query.per_page);
    let items = select
        .offset(offset)
        .limit(query.per_page)
        .all(conn)
        .await?;
    Ok(Page { items, total })
}

/// Applies `sort` through a mapping from field name to column; unknown names are skipped (the
/// API validated them).
pub(crate) fn ordered<E, F>(mut select: Select<E>, sort: &[(String, bool)], column: F) -> Select<E>
where
    E: EntityTrait,
    F: Fn(&str) -> Option<E::Column>,
{
    for (name, desc) in sort {
        if let Some(col) = column(name) {
            select = if *desc {
                select.order_by_desc(col)
            } else {
                select.order_by_asc(col)
            };
        }
    }
    select
}

pub(crate) fn corrupt(table: &'static str, reason: impl std::fmt::Display) -> PersistenceError {
    PersistenceError::Corrupt {
        table,
        reason: reason.to_string(),
    }
}
