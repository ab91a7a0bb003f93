use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "skps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub employee_id: Uuid,
    pub evaluator_id: Option<Uuid>,
    pub status: String,
    pub proposed_by: String,
    pub revision_of: Option<Uuid>,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub snapshot: String,
    pub return_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
