//! Which campaign and brief the board works on, and what there is to choose from.
//!
//! The campaigns and the chosen campaign's briefs are resources: the briefs follow
//! the chosen campaign, so briefs of a campaign the user has already left are never
//! shown. The choice is remembered in `localStorage`, so a reload (or tomorrow)
//! opens the same brief.

use codee::string::FromToStringCodec;
use leptos::prelude::*;
use leptos_use_storage::use_local_storage;

use crate::api::ApiError;
use crate::api::operations::campaigns;
use crate::model::{Brief, Campaign};

const CAMPAIGN_KEY: &str = "kiln.campaign";
const BRIEF_KEY: &str = "kiln.brief";

/// A value kept in `localStorage`; empty when there is none.
#[derive(Clone, Copy)]
struct Remembered {
    value: Signal<String>,
    set: WriteSignal<String>,
}

impl Remembered {
    fn new(key: &'static str) -> Self {
        let (value, set, _) = use_local_storage::<String, FromToStringCodec>(key);
        Self { value, set }
    }

    /// The remembered id if `ids` has it, else the first of them.
    fn pick<'a>(&self, mut ids: impl Iterator<Item = &'a String> + Clone) -> Option<String> {
        let wanted = self.value.get_untracked();
        ids.clone()
            .find(|id| **id == wanted)
            .or_else(|| ids.next())
            .cloned()
    }

    fn remember(&self, id: &str) {
        self.set.set(id.to_owned());
    }
}

/// A campaign's briefs, with the campaign they were read for; `None` when no
/// campaign is chosen.
type BriefsRead = Option<(String, Result<Vec<Brief>, ApiError>)>;

/// The campaigns, the briefs of the chosen one, and the choice.
#[derive(Clone, Copy)]
pub struct BriefContext {
    pub campaigns: RwSignal<Vec<Campaign>>,
    pub campaign_id: RwSignal<Option<String>>,
    pub briefs: RwSignal<Vec<Brief>>,
    pub brief_id: RwSignal<Option<String>>,
    /// The campaigns have been read at least once.
    pub loaded: RwSignal<bool>,
    /// The chosen campaign's briefs have been read.
    pub briefs_loaded: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    all_campaigns: LocalResource<Result<Vec<Campaign>, ApiError>>,
    /// The chosen campaign's briefs.
    its_briefs: LocalResource<BriefsRead>,
    remembered_campaign: Remembered,
    remembered_brief: Remembered,
}

impl BriefContext {
    /// Made in the board's scope; reads the campaigns and picks the remembered one,
    /// else the newest.
    pub fn new() -> Self {
        let campaign_id = RwSignal::new(None::<String>);
        let context = Self {
            campaigns: RwSignal::new(Vec::new()),
            campaign_id,
            briefs: RwSignal::new(Vec::new()),
            brief_id: RwSignal::new(None),
            loaded: RwSignal::new(false),
            briefs_loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            all_campaigns: LocalResource::new(campaigns::fetch_campaigns),
            its_briefs: LocalResource::new(move || {
                let id = campaign_id.get();
                async move {
                    let id = id?;
                    let briefs = campaigns::fetch_briefs(id.clone()).await;
                    Some((id, briefs))
                }
            }),
            remembered_campaign: Remembered::new(CAMPAIGN_KEY),
            remembered_brief: Remembered::new(BRIEF_KEY),
        };
        Effect::new(move |_| {
            if let Some(result) = context.all_campaigns.get() {
                context.on_campaigns(result);
            }
        });
        Effect::new(move |_| {
            if let Some(Some((id, result))) = context.its_briefs.get() {
                context.on_briefs(id, result);
            }
        });
        context
    }

    fn on_campaigns(&self, result: Result<Vec<Campaign>, ApiError>) {
        let first = !self.loaded.get_untracked();
        match result {
            Ok(list) => {
                let pick = self.remembered_campaign.pick(list.iter().map(|c| &c.id));
                self.campaigns.set(list);
                self.error.set(None);
                self.loaded.set(true);
                // Later reads are for fresh figures and keep the choice.
                if first {
                    match pick {
                        Some(id) => self.select_campaign(id),
                        None => self.campaign_id.set(None),
                    }
                }
            }
            // Fresh figures that did not come cost nothing: the old ones stay.
            Err(_) if !first => {}
            Err(e) => self.error.set(Some(e)),
        }
    }

    fn on_briefs(&self, campaign_id: String, result: Result<Vec<Brief>, ApiError>) {
        if self
            .campaign_id
            .with_untracked(|c| c.as_ref() != Some(&campaign_id))
        {
            return;
        }
        match result {
            Ok(list) => {
                let pick = self.remembered_brief.pick(list.iter().map(|b| &b.id));
                self.briefs.set(list);
                if let Some(id) = &pick {
                    self.remembered_brief.remember(id);
                }
                self.brief_id.set(pick);
                self.briefs_loaded.set(true);
            }
            Err(e) => self.error.set(Some(e)),
        }
    }

    /// Whether the choice has settled, so the board can list tasks for it. Tracked.
    pub fn ready(&self) -> bool {
        self.loaded.get() && (self.campaign_id.with(Option::is_none) || self.briefs_loaded.get())
    }

    /// The chosen campaign. Tracked.
    pub fn campaign(&self) -> Option<Campaign> {
        let id = self.campaign_id.get()?;
        self.campaigns
            .with(|all| all.iter().find(|c| c.id == id).cloned())
    }

    /// The chosen brief. Tracked.
    pub fn brief(&self) -> Option<Brief> {
        let id = self.brief_id.get()?;
        self.briefs
            .with(|all| all.iter().find(|b| b.id == id).cloned())
    }

    /// After a failed read: reads again what failed.
    pub fn retry(&self) {
        self.error.set(None);
        if self.loaded.get_untracked() {
            self.its_briefs.refetch();
        } else {
            self.all_campaigns.refetch();
        }
    }

    /// Re-reads the campaigns for fresh spend figures, keeping the choice.
    pub fn refresh_stats(&self) {
        self.all_campaigns.refetch();
    }

    /// Switches to the campaign; its briefs follow.
    pub fn select_campaign(&self, id: String) {
        self.remembered_campaign.remember(&id);
        self.briefs.set(Vec::new());
        self.brief_id.set(None);
        self.briefs_loaded.set(false);
        self.campaign_id.set(Some(id));
    }

    pub fn select_brief(&self, id: String) {
        self.remembered_brief.remember(&id);
        self.brief_id.set(Some(id));
    }

    /// A campaign just created, with its first brief if that worked too.
    pub(super) fn add_campaign(&self, campaign: Campaign, brief: Option<Brief>) {
        self.remembered_campaign.remember(&campaign.id);
        if let Some(brief) = &brief {
            self.remembered_brief.remember(&brief.id);
        }
        self.campaign_id.set(Some(campaign.id.clone()));
        self.campaigns.update(|all| all.insert(0, campaign));
        self.brief_id.set(brief.as_ref().map(|b| b.id.clone()));
        self.briefs.set(brief.into_iter().collect());
        self.briefs_loaded.set(true);
        self.loaded.set(true);
    }

    pub(super) fn add_brief(&self, brief: Brief) {
        let id = brief.id.clone();
        self.briefs.update(|all| all.insert(0, brief));
        self.select_brief(id);
    }
}

impl Default for BriefContext {
    fn default() -> Self {
        Self::new()
    }
}
