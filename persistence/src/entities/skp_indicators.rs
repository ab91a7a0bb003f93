use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "skp_indicators")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub rhk_id: Uuid,
    pub origin_id: Option<Uuid>,
    pub code: String,
    pub description: String,
    pub aspect: String,
    pub direction: String,
    pub target: Option<i64>,
    pub target_max: Option<i64>,
    pub target_text: Option<String>,
    pub unit: String,
    pub aggregation: String,
    pub q1_target: Option<i64>,
    pub q2_target: Option<i64>,
    pub q3_target: Option<i64>,
    pub competencies: String,
    pub position: i32,
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
