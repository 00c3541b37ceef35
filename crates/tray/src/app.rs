//! The tray process put together: the agent socket bound first (a second start finds the first
//! there and asks it for the main window), the shell with its ports (windows in the window
//! process, start at login, the global key), the features started, and the UI thread's event
//! loop for the icon, its menu and the global key.

use crate::agent::{self, OPEN_WINDOW};
use crate::autostart::SystemAutostart;
use crate::hotkey::SystemKeys;
use crate::shell::{Ports, Shell};
use crate::state::AppState;
use crate::tray::{self, Tray, UiEvent};
use crate::window_process::{WindowBinary, WindowProcess};
use crate::windows_link::{Hooks, LinkedWindows};
use crate::{expiry, file_watch, key_age, lean, switcher_flow, switcher_key, tray_host};
use rolebar_core::agent::window_link::FromTray;
use rolebar_core::agent::{Agent, AgentError, Client, DEFAULT_CONNECT_TIMEOUT};
use rolebar_core::HasCode;
use std::sync::Arc;
use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoopBuilder};

/// Starts the tray; returns only by exiting the process.
pub fn run() {
    // Before any thread exists (`set_var`) and before GTK starts; the window process inherits them.
    rolebar_core::rendering::apply_lean_defaults();
    let bridge_off = without_accessibility_bridge();
    init_logging();
    let agent = rolebar_core::agent::socket_path().and_then(|path| Agent::bind(&path));
    if let Err(AgentError::AlreadyRunning { path }) = &agent {
        second_start(path);
    }
    let state = match AppState::from_env() {
        Ok(state) => state,
        Err(e) => fail(&format!("cannot start: {e}"), e.code()),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("rolebar")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => fail(&format!("cannot start its runtime: {e}"), "io"),
    };
    // Menu clicks and the event loop's callbacks run here: spawning must work on this thread.
    let _entered = runtime.enter();
    let event_loop = EventLoopBuilder::<UiEvent>::with_user_event().build();
    let proxy = event_loop.create_proxy();

    let hooks = Arc::new(Hooks::default());
    let mut window_binary = WindowBinary::beside_this_program();
    if bridge_off {
        // The windows are read by screen readers: their process gets the bridge back.
        window_binary.unset.push(NO_AT_BRIDGE);
    }
    let process = Arc::new(WindowProcess::new(window_binary, hooks.clone()));
    let quitting = proxy.clone();
    let ports = Ports {
        windows: Arc::new(LinkedWindows::new(
            process.clone(),
            hooks.clone(),
            state.language_handle(),
            runtime.handle().clone(),
        )),
        autostart: Arc::new(SystemAutostart::for_this_program()),
        // On the UI thread, as macOS wants.
        keys: Arc::new(SystemKeys::new()),
        quit: Box::new(move |code| {
            let _ = quitting.send_event(UiEvent::Quit(code));
        }),
    };
    let shell = Shell::new(state, ports, runtime.handle().clone());
    hooks.connect(&shell);

    // Edits made elsewhere refresh the menu and wake the expiry schedule at once; kept for the
    // life of the event loop.
    let paths = &shell.state().sessions.paths;
    let touched = shell.clone();
    let watcher = file_watch::follow(file_watch::Followed::menu_sources(paths), &paths.config, move || {
        touched.state().touch()
    });
    let follows_files = watcher.is_some();
    agent::start(&shell, agent, process.clone());
    expiry::start(&shell, follows_files);
    key_age::start(&shell);
    let task = shell.clone();
    shell.spawn(async move { switcher_key::apply_saved(&task) });

    let clicks = proxy.clone();
    tray_icon::menu::MenuEvent::set_event_handler(Some(move |event: tray_icon::menu::MenuEvent| {
        let _ = clicks.send_event(UiEvent::Click(event.id.0));
    }));
    let keys = proxy.clone();
    global_hotkey::GlobalHotKeyEvent::set_event_handler(Some(move |event: global_hotkey::GlobalHotKeyEvent| {
        if event.state == global_hotkey::HotKeyState::Pressed {
            tracing::debug!("switcher hotkey pressed");
            let _ = keys.send_event(UiEvent::Hotkey);
        }
    }));

    let mut shown: Option<Tray> = None;
    event_loop.run(move |event, _, control_flow| {
        let _following = &watcher;
        *control_flow = ControlFlow::Wait;
        match event {
            // The icon is made once the loop runs (macOS needs it so).
            Event::NewEvents(StartCause::Init) => {
                let current = tray::current_model(&shell);
                let icon_made = match Tray::create(current.model, current.language) {
                    Ok(made) => {
                        shown = Some(made);
                        true
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot make the tray icon");
                        false
                    }
                };
                let menus = proxy.clone();
                tray::spawn_refresher(&shell, follows_files, current.next_change, move |model, language| {
                    menus.send_event(UiEvent::Menu(Box::new(model), language)).is_ok()
                });
                follow_tray_host(&shell, icon_made);
                shell.spawn(async {
                    // Long enough for the panel to have read the first menu.
                    tokio::time::sleep(START_UP_SETTLES).await;
                    let _ = tokio::task::spawn_blocking(lean::give_back_start_up_memory).await;
                });
                if std::env::var("ROLEBAR_OPEN_MAIN").is_ok_and(|v| v == "1") {
                    if let Err(e) = shell.windows().open_main(None) {
                        tracing::error!(error = %e, "cannot open the main window");
                    }
                }
            }
            Event::UserEvent(UiEvent::Menu(model, language)) => {
                if let Some(tray) = shown.as_mut() {
                    tray.show(*model, language);
                }
            }
            Event::UserEvent(UiEvent::Click(id)) => tray::on_menu_event(&shell, &id),
            Event::UserEvent(UiEvent::Hotkey) => switcher_flow::open(&shell),
            Event::UserEvent(UiEvent::Quit(code)) => {
                tracing::info!("quitting");
                let _ = process.send(FromTray::Quit);
                *control_flow = ControlFlow::ExitWithCode(code);
            }
            _ => {}
        }
    });
}

/// When the start's memory is given back (`lean`): the tray is up and its menu read by then.
const START_UP_SETTLES: std::time::Duration = std::time::Duration::from_secs(5);

/// GTK's accessibility bridge: off in the tray unless the user set it (see below).
const NO_AT_BRIDGE: &str = "NO_AT_BRIDGE";

/// The tray's GTK never shows a widget (the panel draws the menu it reads over D-Bus), so its
/// accessibility bridge would only start the AT-SPI bus and hold memory for the whole day.
/// Returns whether it was turned off here. Must run before any other thread exists (`set_var`).
fn without_accessibility_bridge() -> bool {
    if !cfg!(target_os = "linux") || std::env::var_os(NO_AT_BRIDGE).is_some() {
        return false;
    }
    std::env::set_var(NO_AT_BRIDGE, "1");
    true
}

/// Another Rolebar runs (it holds the agent socket): ask it for its main window, and end.
fn second_start(path: &std::path::Path) -> ! {
    let asked = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|runtime| {
            runtime.block_on(async {
                let mut client = Client::connect(path, DEFAULT_CONNECT_TIMEOUT)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or("it stopped meanwhile")?;
                client
                    .call(OPEN_WINDOW, &serde_json::json!({}), DEFAULT_CONNECT_TIMEOUT * 5)
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.message)
            })
        });
    match asked {
        Ok(_) => {
            tracing::info!("Rolebar already runs: its main window was opened");
            std::process::exit(0)
        }
        Err(e) => fail(
            &format!("Rolebar already runs, but does not answer: {e}"),
            "agent_already_running",
        ),
    }
}

/// Asks whether the tray icon can be seen, and keeps asking as panels come and go. Without a
/// host the main window opens at start (it says how to get the icon, and has Quit); a host that
/// appears later takes the notice away (the icon registers with it by itself).
fn follow_tray_host(shell: &Shell, icon_made: bool) {
    let task = shell.clone();
    shell.spawn(async move {
        let mut first = true;
        tray_host::watch(|sighting| {
            let present = tray_host::has_host(sighting, icon_made);
            let changed = task.tray_host().set_present(present);
            if std::mem::take(&mut first) {
                if present {
                    tracing::info!("Rolebar is in the tray");
                } else {
                    tracing::warn!(?sighting, icon_made, "no tray host: Rolebar shows its window instead");
                    if let Err(e) = task.windows().open_main(None) {
                        tracing::error!(error = %e, "cannot open the main window");
                    }
                }
            } else if changed {
                tracing::info!(?sighting, present, "the tray host changed");
                task.windows().changed();
            }
        })
        .await;
    });
}

fn fail(message: &str, code: &str) -> ! {
    tracing::error!(code, "{message}");
    eprintln!("rolebar-tray: {message}");
    std::process::exit(1);
}

fn init_logging() {
    // The CLI's rule: a bare level is Rolebar's; other crates stay at info unless named.
    let filter = rolebar_core::logging::env_filter("warn,rolebar_tray=info,rolebar_core=info");
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .try_init();
}
