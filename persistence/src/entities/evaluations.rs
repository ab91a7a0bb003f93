use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub skp_id: Uuid,
    pub period: String,
    pub status: String,
    pub snapshot: String,
    pub self_assessment: Option<String>,
    pub self_assessed_at: Option<DateTimeUtc>,
    pub work_rating: Option<String>,
    pub suggested_work_rating: Option<String>,
    pub override_reason: Option<String>,
    pub behavior_ratings: Option<String>,
    pub behavior_rating: Option<String>,
    pub predikat: Option<String>,
    pub assessed_by: Option<Uuid>,
    pub assessed_at: Option<DateTimeUtc>,
    pub finalized_by: Option<Uuid>,
    pub finalized_at: Option<DateTimeUtc>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
