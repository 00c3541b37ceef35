//! The tray icon and its menu: renders the `menu` model, applies only what changed (labels in
//! place when the shape is the same, a new menu otherwise), refreshes on a schedule and on
//! change, and turns clicks into actions.

use crate::actions::{self, Origin};
use crate::i18n::Language;
use crate::menu::{self, Action, Entry, IconState, MenuModel};
use crate::notify;
use crate::shell::Shell;
use crate::state::AppState;
use crate::views::Intent;
use std::collections::HashMap;
use std::sync::Mutex;
use tauri::image::Image;
use tauri::menu::{IsMenuItem, Menu, MenuEvent, MenuItem, MenuItemKind, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

pub const TRAY_ID: &str = "rolebar";

const ICON_IDLE: &[u8] = include_bytes!("../../icons/tray-idle.png");
const ICON_ACTIVE: &[u8] = include_bytes!("../../icons/tray-active.png");
const ICON_EXPIRING: &[u8] = include_bytes!("../../icons/tray-expiring.png");

/// What the tray shows now, with handles to update labels in place.
struct Shown<R: Runtime> {
    model: MenuModel,
    items: Handles<R>,
    /// The language of its labels: another language means a new menu (see `refresh`).
    language: Language,
}

/// Menu items by id, to change their labels in place.
type Handles<R> = HashMap<String, MenuItemKind<R>>;

/// Managed state: the last menu put in the tray.
pub struct TrayMenu<R: Runtime> {
    shown: Mutex<Option<Shown<R>>>,
}

impl<R: Runtime> std::fmt::Debug for TrayMenu<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrayMenu").finish_non_exhaustive()
    }
}

/// Creates the tray icon with the current menu, and starts the refresher.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let shell = app.state::<Shell>().inner().clone();
    let model = current_model(&shell);
    let language = shell.state().catalog().language();
    let (built, items) = build_menu(app, &model)?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(model.icon)?)
        .tooltip("Rolebar")
        .menu(&built)
        // Linux reports no clicks on the icon itself; elsewhere a left click opens the menu too.
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu_event)
        .build(app)?;
    app.manage(TrayMenu {
        shown: Mutex::new(Some(Shown { model, items, language })),
    });
    spawn_refresher(&shell, app.clone());
    Ok(())
}

/// The menu the app's state calls for now.
fn current_model(shell: &Shell) -> MenuModel {
    let state = shell.state();
    let mut activity = state.activity();
    activity.serving = shell.serving().list();
    menu::build(
        &state.snapshot(),
        &activity,
        &state.shortcuts(),
        state.now(),
        state.expiry().expiring_within(),
        state.catalog(),
    )
}

fn icon(state: IconState) -> tauri::Result<Image<'static>> {
    Image::from_bytes(match state {
        IconState::Idle => ICON_IDLE,
        IconState::Active => ICON_ACTIVE,
        IconState::Expiring => ICON_EXPIRING,
    })
}

fn build_menu<R: Runtime>(app: &AppHandle<R>, model: &MenuModel) -> tauri::Result<(Menu<R>, Handles<R>)> {
    let mut handles = HashMap::new();
    let items = build_entries(app, &model.entries, &mut handles)?;
    let refs: Vec<&dyn IsMenuItem<R>> = items.iter().map(|i| i as &dyn IsMenuItem<R>).collect();
    Ok((Menu::with_items(app, &refs)?, handles))
}

fn build_entries<R: Runtime>(
    app: &AppHandle<R>,
    entries: &[Entry],
    handles: &mut Handles<R>,
) -> tauri::Result<Vec<MenuItemKind<R>>> {
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let item = match entry {
            Entry::Item { id, label, enabled } => {
                let item = MenuItem::with_id(app, id.as_str(), label, *enabled, None::<&str>)?;
                handles.insert(id.clone(), MenuItemKind::MenuItem(item.clone()));
                MenuItemKind::MenuItem(item)
            }
            Entry::Submenu { id, label, items } => {
                let children = build_entries(app, items, handles)?;
                let refs: Vec<&dyn IsMenuItem<R>> = children.iter().map(|i| i as &dyn IsMenuItem<R>).collect();
                let sub = Submenu::with_id_and_items(app, id.as_str(), label, true, &refs)?;
                handles.insert(id.clone(), MenuItemKind::Submenu(sub.clone()));
                MenuItemKind::Submenu(sub)
            }
            Entry::Separator => MenuItemKind::Predefined(PredefinedMenuItem::separator(app)?),
        };
        out.push(item);
    }
    Ok(out)
}

/// Recomputes the menu and applies the difference. Returns the model shown.
pub fn refresh<R: Runtime>(app: &AppHandle<R>) -> Option<MenuModel> {
    let shell = app.try_state::<Shell>()?;
    let model = current_model(&shell);
    let language = shell.state().catalog().language();
    let tray_menu = app.try_state::<TrayMenu<R>>()?;
    let tray = app.tray_by_id(TRAY_ID)?;
    let mut shown = tray_menu.shown.lock().unwrap_or_else(|p| p.into_inner());
    // A language change, or a submenu's new label (the countdown), rebuilds the menu rather
    // than relabelling it: the tray host (libayatana's dbusmenu export) keeps a submenu's old
    // label after an in-place change (seen end to end); plain items relabel fine.
    let result = match shown.as_mut().filter(|current| current.language == language) {
        Some(current) if current.model == model => Ok(()),
        Some(current)
            if current.model.same_shape(&model) && current.model.submenu_labels() == model.submenu_labels() =>
        {
            update_labels(current, &model).and_then(|()| {
                if current.model.icon != model.icon {
                    tray.set_icon(Some(icon(model.icon)?))?;
                }
                current.model = model.clone();
                Ok(())
            })
        }
        _ => build_menu(app, &model).and_then(|(built, items)| {
            tray.set_menu(Some(built))?;
            // Each set_icon writes a new PNG for the panel to load: only when it changed.
            if shown.as_ref().map(|s| s.model.icon) != Some(model.icon) {
                tray.set_icon(Some(icon(model.icon)?))?;
            }
            tracing::debug!("tray menu rebuilt");
            *shown = Some(Shown {
                model: model.clone(),
                items,
                language,
            });
            Ok(())
        }),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot update the tray menu");
    }
    Some(model)
}

fn update_labels<R: Runtime>(current: &Shown<R>, model: &MenuModel) -> tauri::Result<()> {
    let old: HashMap<&str, &str> = current.model.labels().into_iter().collect();
    for (id, label) in model.labels() {
        if old.get(id) == Some(&label) {
            continue;
        }
        match current.items.get(id) {
            Some(MenuItemKind::MenuItem(item)) => item.set_text(label)?,
            Some(MenuItemKind::Submenu(sub)) => sub.set_text(label)?,
            _ => {}
        }
    }
    Ok(())
}

/// Refreshes when something changed, and otherwise when the next label would change (see
/// `menu::next_refresh`): a sleep until a computed instant, never a polling loop.
fn spawn_refresher<R: Runtime>(shell: &Shell, app: AppHandle<R>) {
    let task = shell.clone();
    shell.spawn(async move {
        loop {
            let state = task.state();
            let now = state.now();
            let expiries = state
                .sessions
                .vault
                .cache()
                .list()
                .into_iter()
                .map(|s| s.record.expires_at);
            let next = menu::next_refresh(now, expiries, state.expiry().expiring_within());
            // A little after the instant, so the label has changed when we look.
            let wait =
                std::time::Duration::try_from(next - now).unwrap_or_default() + std::time::Duration::from_millis(20);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = state.changed.notified() => {}
            }
            refresh(&app);
        }
    });
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let Some(action) = Action::parse(event.id().as_ref()) else {
        return;
    };
    let Some(shell) = app.try_state::<Shell>() else {
        return;
    };
    let shell = shell.inner().clone();
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
