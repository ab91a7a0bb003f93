use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opd_performance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cycle_id: Uuid,
    pub unit_id: Uuid,
    pub period: String,
    pub predikat: Option<String>,
    pub suggested_predikat: Option<String>,
    pub reason: Option<String>,
    pub set_by: Option<Uuid>,
    pub set_at: Option<DateTimeUtc>,
    pub calibrated_at: Option<DateTimeUtc>,
    pub calibrated_by: Option<Uuid>,
    pub override_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
