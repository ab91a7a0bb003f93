use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_responses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub unit_id: Uuid,
    pub service_id: Uuid,
    pub responded_on: Date,
    pub u1: i16,
    pub u2: i16,
    pub u3: i16,
    pub u4: i16,
    pub u5: i16,
    pub u6: i16,
    pub u7: i16,
    pub u8: i16,
    pub u9: i16,
    pub gender: Option<String>,
    pub age: Option<String>,
    pub education: Option<String>,
    pub occupation: Option<String>,
    pub comment: Option<String>,
    pub channel: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
