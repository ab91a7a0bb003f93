//! Continuous feedback on SKPs: notes of the penilai that open a thread, and the replies in it.

use chrono::{DateTime, Utc};
use kinerja_domain::capaian::Period;
use kinerja_domain::feedback::{AuthorRole, CoreValue};
use sea_orm::sea_query::Query;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{corrupt, paged};
use crate::entities::{employees, skp_feedback as table, skps};
use crate::{ListQuery, Page, PersistenceError, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRecord {
    pub id: Uuid,
    pub skp_id: Uuid,
    /// The note this replies to; `None` for a note that opens a thread.
    pub thread_id: Option<Uuid>,
    pub period: Period,
    pub rhk_id: Option<Uuid>,
    pub core_value: Option<CoreValue>,
    pub text: String,
    pub author_user_id: Option<Uuid>,
    pub author_role: AuthorRole,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<table::Model> for FeedbackRecord {
    type Error = PersistenceError;
    fn try_from(m: table::Model) -> Result<Self, PersistenceError> {
        let bad = |what: String| corrupt("skp_feedback", what);
        Ok(FeedbackRecord {
            period: Period::parse(&m.period)
                .ok_or_else(|| bad(format!("period {:?}", m.period)))?,
            core_value: m
                .core_value
                .as_deref()
                .map(|v| CoreValue::parse(v).ok_or_else(|| bad(format!("core_value {v:?}"))))
                .transpose()?,
            author_role: AuthorRole::parse(&m.author_role)
                .ok_or_else(|| bad(format!("author_role {:?}", m.author_role)))?,
            id: m.id,
            skp_id: m.skp_id,
            thread_id: m.thread_id,
            rhk_id: m.rhk_id,
            text: m.body,
            author_user_id: m.author_user_id,
            read_at: m.read_at,
            created_at: m.created_at,
        })
    }
}

fn model(f: &FeedbackRecord) -> table::ActiveModel {
    table::ActiveModel {
        id: Set(f.id),
        skp_id: Set(f.skp_id),
        thread_id: Set(f.thread_id),
        period: Set(f.period.as_str().to_owned()),
        rhk_id: Set(f.rhk_id),
        core_value: Set(f.core_value.map(|v| v.as_str().to_owned())),
        body: Set(f.text.clone()),
        author_user_id: Set(f.author_user_id),
        author_role: Set(f.author_role.as_str().to_owned()),
        read_at: Set(f.read_at),
        created_at: Set(f.created_at),
    }
}

fn records(models: Vec<table::Model>) -> Result<Vec<FeedbackRecord>, PersistenceError> {
    models.into_iter().map(FeedbackRecord::try_from).collect()
}

pub async fn insert(s: &impl Store, f: &FeedbackRecord) -> Result<(), PersistenceError> {
    table::Entity::insert(model(f)).exec(s.conn()).await?;
    Ok(())
}

/// Marks a note read.
pub async fn mark_read(
    s: &impl Store,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    table::Entity::update_many()
        .col_expr(table::Column::ReadAt, at.into())
        .filter(table::Column::Id.eq(id))
        .exec(s.conn())
        .await?;
    Ok(())
}

pub async fn get(s: &impl Store, id: Uuid) -> Result<Option<FeedbackRecord>, PersistenceError> {
    table::Entity::find_by_id(id)
        .one(s.conn())
        .await?
        .map(FeedbackRecord::try_from)
        .transpose()
}

/// Every note and reply on an SKP (optionally of one period), oldest first.
pub async fn of_skp(
    s: &impl Store,
    skp_id: Uuid,
    period: Option<Period>,
) -> Result<Vec<FeedbackRecord>, PersistenceError> {
    let mut select = table::Entity::find().filter(table::Column::SkpId.eq(skp_id));
    if let Some(p) = period {
        select = select.filter(table::Column::Period.eq(p.as_str()));
    }
    records(
        select
            .order_by_asc(table::Column::CreatedAt)
            .order_by_asc(table::Column::Id)
            .all(s.conn())
            .await?,
    )
}

/// One page of the notes that open threads on the SKPs of the staff of these units (optionally
/// of one period), newest first, with every reply in those threads.
pub async fn of_units(
    s: &impl Store,
    unit_ids: &[Uuid],
    period: Option<Period>,
    query: &ListQuery,
) -> Result<(Page<FeedbackRecord>, Vec<FeedbackRecord>), PersistenceError> {
    let staff = Query::select()
        .column(employees::Column::Id)
        .from(employees::Entity)
        .and_where(employees::Column::UnitId.is_in(unit_ids.iter().copied()))
        .to_owned();
    let skps_of_staff = Query::select()
        .column(skps::Column::Id)
        .from(skps::Entity)
        .and_where(skps::Column::EmployeeId.in_subquery(staff))
        .to_owned();
    let mut select = table::Entity::find()
        .filter(table::Column::ThreadId.is_null())
        .filter(table::Column::SkpId.in_subquery(skps_of_staff));
    if let Some(p) = period {
        select = select.filter(table::Column::Period.eq(p.as_str()));
    }
    let select = select
        .order_by_desc(table::Column::CreatedAt)
        .order_by_desc(table::Column::Id);
    let page = paged(s.conn(), select, query).await?;
    let openers = records(page.items)?;
    let replies = if openers.is_empty() {
        Vec::new()
    } else {
        records(
            table::Entity::find()
                .filter(table::Column::ThreadId.is_in(openers.iter().map(|o| o.id)))
                .order_by_asc(table::Column::CreatedAt)
                .order_by_asc(table::Column::Id)
                .all(s.conn())
                .await?,
        )?
    };
    Ok((
        Page {
            items: openers,
            total: page.total,
        },
        replies,
    ))
}

/// Every note and reply on these SKPs (optionally of one period), for reports: one query per
/// 1,000 SKPs.
pub async fn of_skps(
    s: &impl Store,
    skp_ids: &[Uuid],
    period: Option<Period>,
) -> Result<Vec<FeedbackRecord>, PersistenceError> {
    let mut out = Vec::new();
    for chunk in skp_ids.chunks(1000) {
        let mut select =
            table::Entity::find().filter(table::Column::SkpId.is_in(chunk.iter().copied()));
        if let Some(p) = period {
            select = select.filter(table::Column::Period.eq(p.as_str()));
        }
        out.extend(records(select.all(s.conn()).await?)?);
    }
    Ok(out)
}
