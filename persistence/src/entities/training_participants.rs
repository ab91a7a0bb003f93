use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_participants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub training_id: Uuid,
    pub employee_id: Uuid,
    pub status: String,
    pub enrolled_by: Option<Uuid>,
    pub enrolled_at: DateTimeUtc,
    pub attended_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub dropped_at: Option<DateTimeUtc>,
    pub drop_reason: Option<String>,
    pub record_id: Option<Uuid>,
    pub version: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
