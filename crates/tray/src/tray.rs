//! The tray icon and its menu, on tray-icon (muda menus): renders the `menu` model, applies only
//! what changed (labels in place when the shape is the same, a new menu otherwise), refreshes on
//! a schedule and on change, and turns clicks into actions.
//!
//! Menus and the icon live on the UI thread (GTK's on Linux, AppKit's main thread): the
//! refresher computes the model on the runtime and sends it over (`UiEvent::Menu`), and clicks
//! come back as menu ids (`UiEvent::Click`).

use crate::actions::{self, Origin};
use crate::i18n::Language;
use crate::menu::{self, Action, Entry, IconState, MenuModel};
use crate::notify;
use crate::shell::Shell;
use crate::state::AppState;
use crate::views::Intent;
use std::collections::HashMap;
use tray_icon::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

pub const TRAY_ID: &str = "rolebar";

const ICON_IDLE: &[u8] = include_bytes!("../../../icons/tray-idle.png");
const ICON_ACTIVE: &[u8] = include_bytes!("../../../icons/tray-active.png");
const ICON_EXPIRING: &[u8] = include_bytes!("../../../icons/tray-expiring.png");

/// What the UI thread is asked to do.
#[derive(Debug)]
pub enum UiEvent {
    /// Show this menu (in this language).
    Menu(Box<MenuModel>, Language),
    /// A menu item was clicked.
    Click(String),
    /// The global key was pressed.
    Hotkey,
    /// End the app with this code.
    Quit(i32),
}

/// A menu item as built, to change its label in place.
enum Handle {
    Item(MenuItem),
    Submenu(Submenu),
}

/// What the tray shows now, with handles to update labels in place.
struct Shown {
    model: MenuModel,
    items: HashMap<String, Handle>,
    /// The language of its labels: another language means a new menu (see `show`).
    language: Language,
}

/// The tray icon and the menu it shows; lives on the UI thread.
pub struct Tray {
    icon: TrayIcon,
    shown: Shown,
}

impl std::fmt::Debug for Tray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tray").finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrayError {
    #[error("cannot make the tray icon: {0}")]
    Icon(#[from] tray_icon::Error),
    #[error("cannot build the tray menu: {0}")]
    Menu(#[from] tray_icon::menu::Error),
    #[error("cannot read the tray icon's picture: {0}")]
    Picture(String),
}

impl Tray {
    /// Creates the tray icon showing `model`.
    pub fn create(model: MenuModel, language: Language) -> Result<Tray, TrayError> {
        let (built, items) = build_menu(&model)?;
        let icon = TrayIconBuilder::new()
            .with_id(TRAY_ID)
            .with_icon(icon(model.icon)?)
            .with_tooltip("Rolebar")
            .with_menu(Box::new(built))
            // Linux reports no clicks on the icon itself; elsewhere a left click opens the menu too.
            .with_menu_on_left_click(true)
            .build()?;
        Ok(Tray {
            icon,
            shown: Shown { model, items, language },
        })
    }

    /// Shows `model`, changing only what differs from the menu shown.
    pub fn show(&mut self, model: MenuModel, language: Language) {
        if let Err(e) = self.apply(model, language) {
            tracing::warn!(error = %e, "cannot update the tray menu");
        }
    }

    fn apply(&mut self, model: MenuModel, language: Language) -> Result<(), TrayError> {
        let current = &mut self.shown;
        // A language change, or a submenu's new label (the countdown), rebuilds the menu rather
        // than relabelling it: the tray host (libayatana's dbusmenu export) keeps a submenu's old
        // label after an in-place change (seen end to end); plain items relabel fine.
        if current.language == language && current.model == model {
            return Ok(());
        }
        if current.language == language
            && current.model.same_shape(&model)
            && current.model.submenu_labels() == model.submenu_labels()
        {
            update_labels(current, &model);
            if current.model.icon != model.icon {
                self.icon.set_icon(Some(icon(model.icon)?))?;
            }
            current.model = model;
            return Ok(());
        }
        let (built, items) = build_menu(&model)?;
        self.icon.set_menu(Some(Box::new(built)));
        // Each set_icon writes a new PNG for the panel to load: only when it changed.
        if current.model.icon != model.icon {
            self.icon.set_icon(Some(icon(model.icon)?))?;
        }
        tracing::debug!("tray menu rebuilt");
        *current = Shown { model, items, language };
        Ok(())
    }
}

/// The menu the app's state calls for now, and its language.
pub fn current_model(shell: &Shell) -> Current {
    let state = shell.state();
    let mut activity = state.activity();
    activity.serving = shell.serving().list();
    let words = state.catalog();
    let (snapshot, now, expiring_within) = (state.snapshot(), state.now(), state.expiry().expiring_within());
    let model = menu::build(&snapshot, &activity, &state.shortcuts(), now, expiring_within, words);
    // What counts down in the labels: sessions, sign-ins, sections written to the credentials file.
    let countdowns = snapshot
        .sessions
        .iter()
        .map(|s| s.expires_at)
        .chain(snapshot.sign_ins.iter().filter_map(|s| s.expires_at))
        .chain(snapshot.profiles.iter().filter_map(|p| p.written.as_ref()?.expires_at));
    Current {
        next_change: menu::next_refresh(now, countdowns, expiring_within),
        model,
        language: words.language(),
    }
}

/// The menu the app's state calls for now ([`current_model`]).
#[derive(Debug)]
pub struct Current {
    pub model: MenuModel,
    pub language: Language,
    /// When a label next changes by itself (a countdown), if anything counts down.
    pub next_change: Option<time::OffsetDateTime>,
}

fn icon(state: IconState) -> Result<Icon, TrayError> {
    let png = match state {
        IconState::Idle => ICON_IDLE,
        IconState::Active => ICON_ACTIVE,
        IconState::Expiring => ICON_EXPIRING,
    };
    let (rgba, width, height) = decode_png(png).map_err(TrayError::Picture)?;
    Icon::from_rgba(rgba, width, height).map_err(|e| TrayError::Picture(e.to_string()))
}

/// A PNG as 8-bit RGBA (what tray-icon takes), whatever its colour type.
fn decode_png(bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(
        png::Transformations::EXPAND | png::Transformations::ALPHA | png::Transformations::STRIP_16,
    );
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader.output_buffer_size().ok_or("the picture is too large")?;
    let mut buffer = vec![0; size];
    let frame = reader.next_frame(&mut buffer).map_err(|e| e.to_string())?;
    buffer.truncate(frame.buffer_size());
    let rgba = match frame.color_type {
        png::ColorType::Rgba => buffer,
        png::ColorType::GrayscaleAlpha => buffer.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect(),
        other => return Err(format!("unexpected colour type {other:?}")),
    };
    Ok((rgba, frame.width, frame.height))
}

fn build_menu(model: &MenuModel) -> Result<(Menu, HashMap<String, Handle>), TrayError> {
    let mut handles = HashMap::new();
    let items = build_entries(&model.entries, &mut handles)?;
    let refs: Vec<&dyn IsMenuItem> = items.iter().map(|i| i.as_ref()).collect();
    Ok((Menu::with_items(&refs)?, handles))
}

fn build_entries(
    entries: &[Entry],
    handles: &mut HashMap<String, Handle>,
) -> Result<Vec<Box<dyn IsMenuItem>>, TrayError> {
    let mut out: Vec<Box<dyn IsMenuItem>> = Vec::with_capacity(entries.len());
    for entry in entries {
        match entry {
            Entry::Item { id, label, enabled } => {
                let item = MenuItem::with_id(id.as_str(), label, *enabled, None);
                handles.insert(id.clone(), Handle::Item(item.clone()));
                out.push(Box::new(item));
            }
            Entry::Submenu { id, label, items } => {
                let children = build_entries(items, handles)?;
                let refs: Vec<&dyn IsMenuItem> = children.iter().map(|i| i.as_ref()).collect();
                let sub = Submenu::with_id_and_items(id.as_str(), label, true, &refs)?;
                handles.insert(id.clone(), Handle::Submenu(sub.clone()));
                out.push(Box::new(sub));
            }
            Entry::Separator => out.push(Box::new(PredefinedMenuItem::separator())),
        }
    }
    Ok(out)
}

fn update_labels(current: &Shown, model: &MenuModel) {
    let old: HashMap<&str, &str> = current.model.labels().into_iter().collect();
    for (id, label) in model.labels() {
        if old.get(id) == Some(&label) {
            continue;
        }
        match current.items.get(id) {
            Some(Handle::Item(item)) => item.set_text(label),
            Some(Handle::Submenu(sub)) => sub.set_text(label),
            None => {}
        }
    }
}

/// Sends the menu to the UI thread when something changed, and otherwise when the next label
/// would change (see `menu::next_refresh`): a sleep until a computed instant, never a polling loop.
/// With nothing counting down it sleeps until a change — `follows_files`: the files the menu is
/// read from are followed (`file_watch`), so an edit of ~/.aws/config is a change too; if they
/// are not, it also wakes at each wall-clock minute to read them again. `first_change` is when
/// the menu the icon was made with next changes by itself.
pub fn spawn_refresher(
    shell: &Shell,
    follows_files: bool,
    first_change: Option<time::OffsetDateTime>,
    show: impl Fn(MenuModel, Language) -> bool + Send + 'static,
) {
    let task = shell.clone();
    shell.spawn(async move {
        let mut next_change = first_change;
        loop {
            let state = task.state();
            let now = state.now();
            let wake = next_change.or_else(|| (!follows_files).then(|| menu::next_wall_minute(now)));
            match wake {
                Some(at) => {
                    // A little after the instant, so the label has changed when we look.
                    let wait = std::time::Duration::try_from(at - now).unwrap_or_default()
                        + std::time::Duration::from_millis(20);
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = state.changed.notified() => {}
                    }
                }
                None => state.changed.notified().await,
            }
            let current = current_model(&task);
            next_change = current.next_change;
            if !show(current.model, current.language) {
                // The UI thread is gone: the app is ending.
                return;
            }
        }
    });
}

/// A click on the menu item `id` (on the UI thread): the work leaves it.
pub fn on_menu_event(shell: &Shell, id: &str) {
    let Some(action) = Action::parse(id) else {
        return;
    };
    let shell = shell.clone();
    tracing::debug!(?action, "tray menu");
    let pinned = matches!(action, Action::Pin(_));
    match action {
        // Keyring, STS and clipboard work leaves the event loop (which runs this handler).
        Action::Assume(profile) => {
            let task = shell.clone();
            shell.spawn(async move {
                // Failures are reported inside (notification, menu line, log).
                let _ = actions::assume(&task, &profile, false, Origin::Tray).await;
            });
        }
        Action::CopyExports(id) => {
            let task = shell.clone();
            shell.spawn(async move { actions::copy_exports_and_tell(task.state(), &id) });
        }
        Action::LogOut(id) => {
            let task = shell.clone();
            shell.spawn(async move {
                let state = task.state();
                match actions::session_profile(state, &id) {
                    Some(profile) => log_out(&task, &profile),
                    None => state.touch(),
                }
            });
        }
        Action::TakeBack(profile) => {
            let task = shell.clone();
            shell.spawn(async move { log_out(&task, &profile) });
        }
        Action::Pin(profile) | Action::Unpin(profile) => {
            let task = shell.clone();
            shell.spawn(async move {
                let state = task.state();
                match state.set_favourite(&profile, pinned) {
                    Ok(_) => {
                        state.touch();
                        task.windows().changed();
                    }
                    Err(e) => notify::failure(state.catalog().tr("note-favourite-failed"), e.message),
                }
            });
        }
        Action::WriteTo(id) => open_main(&shell, Some(Intent::Write { session_id: id })),
        Action::FindProfile => crate::switcher_flow::open(&shell),
        Action::Console(id) => {
            let task = shell.clone();
            shell.spawn(async move {
                // Failures are told inside (notification, menu line).
                let _ = actions::open_console(&task, actions::ConsoleFor::Session(id), Origin::Tray).await;
            });
        }
        Action::Serve(profile) => {
            let task = shell.clone();
            shell.spawn(async move { crate::serving::start(&task, &profile).await });
        }
        Action::StopServing(profile) => crate::serving::stop(&shell, &profile),
        Action::SignIn(name) => {
            let task = shell.clone();
            shell.spawn(async move { crate::sso::sign_in_from_tray(&task, &name).await });
        }
        Action::SignOut(name) => {
            let task = shell.clone();
            shell.spawn(async move { crate::sso::sign_out_from_tray(&task, &name).await });
        }
        Action::OpenMain => open_main(&shell, None),
        Action::Quit => shell.quit(0),
    }
}

fn open_main(shell: &Shell, intent: Option<Intent>) {
    if let Err(e) = shell.windows().open_main(intent) {
        tracing::error!(error = %e, "cannot open the main window");
        notify::failure("Rolebar", e.message);
    }
}

/// Log out of `profile` (its sessions, and what Rolebar wrote for it), saying so on failure.
fn log_out(shell: &Shell, profile: &str) {
    let state: &AppState = shell.state();
    match actions::log_out(state, profile) {
        Ok(_) => shell.windows().changed(),
        Err(e) => notify::failure(
            state
                .catalog()
                .tr_args("note-log-out-failed", &[("profile", profile.into())]),
            e.message,
        ),
    }
}
