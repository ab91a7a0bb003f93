//! Continuous feedback on an approved SKP (DOMAIN §2): the penilai writes dated notes about one
//! RHK or one core value for a period; the pegawai (and the penilai) answer in the note's thread;
//! the pegawai marks a note read. Notes are never edited or deleted: they are the record of the
//! conversation. Whoever reads the SKP reads its feedback; unit heads and admins list it per
//! unit.

use kinerja_domain::accounts::Scope;
use kinerja_domain::capaian::Period;
use kinerja_domain::cycle::CycleStatus;
use kinerja_domain::feedback::{self as rules, AuthorRole, CoreValue, FeedbackError, Subject};
use kinerja_domain::org::whole_subtree;
use kinerja_domain::skp::SkpStatus;
use kinerja_persistence::repos::feedback::{self, FeedbackRecord};
use kinerja_persistence::repos::skps::SkpRecord;
use kinerja_persistence::repos::{cycles, skps as skp_repo, units};
use kinerja_persistence::{Db, ListQuery, Page};
use serde_json::{Value, json};
use uuid::Uuid;

use super::skps::{self, FullSkp};
use super::{Context, scope};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode, FieldError};

/// A note of the penilai as written.
#[derive(Debug, Clone)]
pub struct NoteInput {
    pub period: Period,
    pub rhk_id: Option<Uuid>,
    pub core_value: Option<CoreValue>,
    pub text: String,
}

/// A note that opens a thread and the replies in it, oldest first.
#[derive(Debug, Clone)]
pub struct Thread {
    /// The employee whose SKP it is.
    pub employee_id: Uuid,
    pub note: FeedbackRecord,
    pub replies: Vec<FeedbackRecord>,
}

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound)
        .with_detail("No such feedback.", "Umpan balik tidak ditemukan.")
}

fn audit_view(f: &FeedbackRecord) -> Value {
    json!({
        "skp_id": f.skp_id, "thread_id": f.thread_id, "period": f.period.as_str(),
        "rhk_id": f.rhk_id, "core_value": f.core_value.map(CoreValue::as_str),
        "text": f.text, "author_role": f.author_role.as_str(), "read_at": f.read_at,
    })
}

/// The caller's side in the SKP's conversation, if he has one.
fn role_of(caller: &Caller, skp: &SkpRecord) -> Option<AuthorRole> {
    let me = caller.user().and_then(|u| u.employee_id);
    if me.is_some() && me == skp.evaluator_id {
        Some(AuthorRole::Penilai)
    } else if me == Some(skp.employee_id) {
        Some(AuthorRole::Pegawai)
    } else if caller.is_admin() && skp.evaluator_id.is_none() {
        Some(AuthorRole::Admin)
    } else {
        None
    }
}

/// An approved SKP of a running cycle: the execution stage, when feedback is given.
async fn ensure_open(db: &Db, skp: &SkpRecord) -> Result<(), ApiError> {
    if skp.status != SkpStatus::Approved {
        return Err(ApiError::new(ErrorCode::SkpNotApproved).with_detail(
            "Feedback is given on an approved SKP.",
            "Umpan balik diberikan pada SKP yang sudah disetujui.",
        ));
    }
    let running = cycles::get(db, skp.cycle_id)
        .await?
        .is_some_and(|c| c.status == CycleStatus::Running);
    if !running {
        return Err(ApiError::new(ErrorCode::CycleNotRunning).with_detail(
            "Feedback is given while the cycle runs.",
            "Umpan balik diberikan selama siklus berjalan.",
        ));
    }
    Ok(())
}

/// Puts each reply into its note's thread; the notes keep their order.
fn attach(
    notes: Vec<FeedbackRecord>,
    replies: Vec<FeedbackRecord>,
    employee_of: impl Fn(Uuid) -> Uuid,
) -> Vec<Thread> {
    let mut threads: Vec<Thread> = notes
        .into_iter()
        .map(|note| Thread {
            employee_id: employee_of(note.skp_id),
            note,
            replies: Vec::new(),
        })
        .collect();
    for reply in replies {
        if let Some(t) = threads
            .iter_mut()
            .find(|t| Some(t.note.id) == reply.thread_id)
        {
            t.replies.push(reply);
        }
    }
    threads
}

/// Groups the notes and replies of one employee's SKP into threads, newest note first.
fn threads(all: Vec<FeedbackRecord>, employee_id: Uuid) -> Vec<Thread> {
    let (mut notes, replies): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|f| f.thread_id.is_none());
    notes.sort_by_key(|n| std::cmp::Reverse((n.created_at, n.id)));
    attach(notes, replies, |_| employee_id)
}

/// The feedback threads of an SKP the caller reads (optionally of one period), newest first.
pub async fn of_skp(
    db: &Db,
    caller: &Caller,
    skp_id: Uuid,
    period: Option<Period>,
) -> Result<(FullSkp, Vec<Thread>), ApiError> {
    let (full, _, _) = skps::load(db, caller, skp_id).await?;
    let all = feedback::of_skp(db, skp_id, period).await?;
    let employee_id = full.skp.employee_id;
    Ok((full, threads(all, employee_id)))
}

/// The penilai (or the admin writing for the Wali Kota) opens a thread with a note.
pub async fn give(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    skp_id: Uuid,
    input: NoteInput,
) -> Result<Thread, ApiError> {
    let (full, _, _) = skps::load(db, caller, skp_id).await?;
    let role = rules::may_open(role_of(caller, &full.skp)).map_err(|_| {
        ApiError::new(ErrorCode::Forbidden).with_detail(
            "Only the penilai gives feedback; the employee answers it.",
            "Hanya penilai yang memberi umpan balik; pegawai menjawabnya.",
        )
    })?;
    ensure_open(db, &full.skp).await?;
    let mut errors = Vec::new();
    match Subject::of(input.rhk_id, input.core_value) {
        Ok(Subject::Rhk(id)) if !full.rhks.iter().any(|r| r.id == id) => {
            errors.push(FieldError::of(
                "rhk_id",
                "unknown_rhk",
                "is not an RHK in force of this SKP",
                "bukan RHK yang berlaku pada SKP ini",
            ))
        }
        Ok(_) => {}
        Err(FeedbackError::OneSubjectOnly) => errors.push(FieldError::of(
            "core_value",
            "one_subject_only",
            "a note is about an RHK or a core value, not both",
            "umpan balik tentang satu RHK atau satu nilai dasar, bukan keduanya",
        )),
        Err(_) => errors.push(FieldError::of(
            "rhk_id",
            "required",
            "give rhk_id or core_value: what the note is about",
            "isi rhk_id atau core_value: hal yang dibahas",
        )),
    }
    let text = super::text("text", &input.text)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(text), true) = (text, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let note = FeedbackRecord {
        id: Uuid::now_v7(),
        skp_id,
        thread_id: None,
        period: input.period,
        rhk_id: input.rhk_id,
        core_value: input.core_value,
        text: text.to_owned(),
        author_user_id: caller.user().map(|u| u.id),
        author_role: role,
        read_at: None,
        created_at: ctx.now,
    };
    let tx = db.begin().await?;
    feedback::insert(&tx, &note).await?;
    ctx.audit(
        &tx,
        "skp.feedback_given",
        "skp",
        skp_id,
        None,
        Some(audit_view(&note)),
    )
    .await?;
    tx.commit().await?;
    Ok(Thread {
        employee_id: full.skp.employee_id,
        note,
        replies: Vec::new(),
    })
}

/// The note `id` of the SKP (a reply's id leads to its thread's note), with its thread.
async fn thread_of(db: &Db, skp: &SkpRecord, id: Uuid) -> Result<Thread, ApiError> {
    let found = feedback::get(db, id)
        .await?
        .filter(|f| f.skp_id == skp.id)
        .ok_or_else(not_found)?;
    let note_id = found.thread_id.unwrap_or(found.id);
    let all = feedback::of_skp(db, skp.id, Some(found.period)).await?;
    threads(all, skp.employee_id)
        .into_iter()
        .find(|t| t.note.id == note_id)
        .ok_or_else(not_found)
}

/// The pegawai, or the penilai, answers in a thread. Answers the thread with the reply.
pub async fn reply(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    (skp_id, feedback_id): (Uuid, Uuid),
    text: &str,
) -> Result<Thread, ApiError> {
    let (full, _, _) = skps::load(db, caller, skp_id).await?;
    let mut thread = thread_of(db, &full.skp, feedback_id).await?;
    let role = rules::may_reply(role_of(caller, &full.skp)).map_err(|_| {
        ApiError::new(ErrorCode::Forbidden).with_detail(
            "Only the employee and his penilai write in a feedback thread.",
            "Hanya pegawai dan penilainya yang menulis dalam utas umpan balik.",
        )
    })?;
    ensure_open(db, &full.skp).await?;
    let text = super::text("text", text).map_err(|e| ApiError::invalid(vec![e]))?;
    let note = &thread.note;
    let reply = FeedbackRecord {
        id: Uuid::now_v7(),
        skp_id,
        thread_id: Some(note.id),
        period: note.period,
        rhk_id: note.rhk_id,
        core_value: note.core_value,
        text: text.to_owned(),
        author_user_id: caller.user().map(|u| u.id),
        author_role: role,
        read_at: None,
        created_at: ctx.now,
    };
    let tx = db.begin().await?;
    feedback::insert(&tx, &reply).await?;
    ctx.audit(
        &tx,
        "skp.feedback_replied",
        "skp",
        skp_id,
        None,
        Some(audit_view(&reply)),
    )
    .await?;
    tx.commit().await?;
    thread.replies.push(reply);
    Ok(thread)
}

/// The pegawai marks a note read (once; later calls change nothing).
pub async fn mark_read(
    db: &Db,
    ctx: &Context,
    caller: &Caller,
    (skp_id, feedback_id): (Uuid, Uuid),
) -> Result<Thread, ApiError> {
    let (full, _, _) = skps::load(db, caller, skp_id).await?;
    let mut thread = thread_of(db, &full.skp, feedback_id).await?;
    if role_of(caller, &full.skp) != Some(AuthorRole::Pegawai) {
        return Err(ApiError::new(ErrorCode::Forbidden).with_detail(
            "Only the employee marks his feedback read.",
            "Hanya pegawai yang menandai umpan baliknya sudah dibaca.",
        ));
    }
    if thread.note.read_at.is_some() {
        return Ok(thread);
    }
    let before = audit_view(&thread.note);
    thread.note.read_at = Some(ctx.now);
    let tx = db.begin().await?;
    feedback::mark_read(&tx, thread.note.id, ctx.now).await?;
    ctx.audit(
        &tx,
        "skp.feedback_read",
        "skp",
        skp_id,
        Some(before),
        Some(audit_view(&thread.note)),
    )
    .await?;
    tx.commit().await?;
    Ok(thread)
}

/// The units whose staff's feedback the caller lists under `unit_id`: the whole subtree for an
/// admin, an auditor, a service with `read:performance` and the head of the unit or of a unit
/// above it; the part of it a unit admin manages. 403 for anyone else.
async fn units_listed(db: &Db, caller: &Caller, unit_id: Uuid) -> Result<Vec<Uuid>, ApiError> {
    let all = units::all(db).await?;
    if !all.iter().any(|u| u.id == unit_id) {
        return Err(scope::unit_not_found());
    }
    let subtree = whole_subtree(unit_id, &units::children_map(&all));
    if caller.is_admin() || caller.is_auditor() || caller.has_scope(Scope::ReadPerformance) {
        return Ok(subtree.into_iter().collect());
    }
    if let Some(me) = caller.user().and_then(|u| u.employee_id)
        && scope::heads_at_or_above(&all, unit_id, me)
    {
        return Ok(subtree.into_iter().collect());
    }
    if let Some(managed) = scope::managed_units(db, caller).await?
        && managed.contains(&unit_id)
    {
        return Ok(subtree.intersection(&managed).copied().collect());
    }
    Err(ApiError::new(ErrorCode::Forbidden).with_detail(
        "The feedback of a unit's staff is for its head, its unit admin and admins.",
        "Umpan balik staf suatu unit untuk kepalanya, operatornya dan admin.",
    ))
}

/// One page of the feedback threads on the SKPs of a unit's staff (its subtree), newest first.
pub async fn of_unit(
    db: &Db,
    caller: &Caller,
    unit_id: Uuid,
    period: Option<Period>,
    query: &ListQuery,
) -> Result<Page<Thread>, ApiError> {
    let listed = units_listed(db, caller, unit_id).await?;
    let (page, replies) = feedback::of_units(db, &listed, period, query).await?;
    let skp_ids: Vec<Uuid> = page.items.iter().map(|n| n.skp_id).collect();
    let owners = skp_repo::employees_of(db, &skp_ids).await?;
    let items = attach(page.items, replies, |skp| {
        owners.get(&skp).copied().unwrap_or_default()
    });
    Ok(Page {
        items,
        total: page.total,
    })
}

/// One thread of an SKP the caller reads (a reply's id leads to its thread).
pub async fn thread(
    db: &Db,
    caller: &Caller,
    (skp_id, feedback_id): (Uuid, Uuid),
) -> Result<Thread, ApiError> {
    let (full, _, _) = skps::load(db, caller, skp_id).await?;
    thread_of(db, &full.skp, feedback_id).await
}
