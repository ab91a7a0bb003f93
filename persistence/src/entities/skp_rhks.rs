use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "skp_rhks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub skp_id: Uuid,
    pub origin_id: Option<Uuid>,
    pub code: String,
    pub kind: String,
    pub description: String,
    pub parent_rhk_id: Option<Uuid>,
    pub unit_indicator_id: Option<Uuid>,
    pub perspective: Option<String>,
    pub position: i32,
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
