//! `rolebar-window`: Rolebar's windows (the main window, the MFA dialog, the quick switcher) in
//! a process of their own. The tray process starts it when a window is wanted and it exits
//! about 2 s after its last window closed, so the web engine (WebKit: 200+ MiB) is in memory only
//! while a window is open.
//!
//! It keeps no state: every command a page invokes is forwarded to the tray over the agent
//! socket (`call`), and the tray tells it what to show over a link (`subscribe`,
//! `rolebar_core::agent::window_link`). Only what concerns its own windows is answered here
//! (sizing the MFA dialog, closing the switcher).
//!
//! Arguments: `--open main` opens the main window at start (WebDriver needs one); `--linger`
//! keeps the process when no window is open (tests). The tray's environment
//! (`ROLEBAR_AGENT_SOCKET`, `ROLEBAR_LOG`) is inherited.

mod forward;
mod link;
mod shared;
mod windows;

use rolebar_core::agent::window_link::{ToTray, WindowLabel, WINDOW_ROLE};
use rolebar_core::agent::{Client, LinkWriter, SubscribeRequest, DEFAULT_CONNECT_TIMEOUT};
use shared::{tell, Shared};
use std::time::Duration;
use tauri::{Manager, RunEvent, WindowEvent};

/// How long the process stays with no window before it asks to go (and goes at once, the tray
/// agreeing): long enough for a dialog that closes and another that opens (the next request) to
/// reuse it, short enough that the process is gone within 2 s of its last window.
const IDLE_EXIT: Duration = Duration::from_millis(1500);

/// How long a new process waits for the tray's first `open` before it gives up.
const FIRST_WINDOW_BOUND: Duration = Duration::from_secs(10);

struct Options {
    open: Option<WindowLabel>,
    linger: bool,
}

fn main() {
    // Before any thread exists (`set_var`) and before GTK starts.
    rolebar_core::rendering::apply_lean_defaults();
    init_logging();
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("rolebar-window: {e}\nusage: rolebar-window [--open main] [--linger]");
            std::process::exit(2);
        }
    };
    let socket = match rolebar_core::agent::socket_path() {
        Ok(path) => path,
        Err(e) => fail(&format!("cannot find the Rolebar agent socket: {e}")),
    };
    let (writer, reader) = match tauri::async_runtime::block_on(subscribe(&socket)) {
        Ok(link) => link,
        Err(e) => fail(&e),
    };
    let shared = std::sync::Arc::new(Shared {
        socket,
        link: writer,
        seen: std::sync::atomic::AtomicU64::new(0),
        linger: options.linger,
    });
    let app = tauri::Builder::default()
        .manage(shared.clone())
        .invoke_handler(forward::handler(shared.clone()))
        .setup(move |app| {
            // The window asked for on the command line first: the tray's lines (maybe an `open`
            // of the same window) are read only after it exists, so it is never made twice.
            if let Some(window) = options.open {
                windows::open(app.handle(), window, None, None, None)?;
            }
            link::follow(app.handle().clone(), reader);
            idle_check(app.handle().clone(), FIRST_WINDOW_BOUND);
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => fail(&format!("cannot start: {e}")),
    };
    app.run(move |app, event| match event {
        // The last window closed: the process goes a little later, unless one opens meanwhile.
        RunEvent::ExitRequested { code: None, api, .. } => {
            api.prevent_exit();
            idle_check(app.clone(), IDLE_EXIT);
        }
        RunEvent::WindowEvent {
            label,
            event: WindowEvent::Destroyed,
            ..
        } => {
            if let Some(window) = WindowLabel::from_label(&label) {
                tell(app, ToTray::Destroyed { window });
            }
        }
        _ => {}
    });
}

/// Connects to the tray and subscribes as its window process.
async fn subscribe(socket: &std::path::Path) -> Result<(LinkWriter, rolebar_core::agent::LinkReader), String> {
    let client = match Client::connect(socket, DEFAULT_CONNECT_TIMEOUT).await {
        Ok(Some(client)) => client,
        Ok(None) => return Err(start_the_tray(socket)),
        Err(e) => return Err(format!("cannot reach Rolebar: {e}")),
    };
    let request = SubscribeRequest {
        role: WINDOW_ROLE.to_string(),
        pid: Some(std::process::id()),
        build: Some(env!("CARGO_PKG_VERSION").to_string()),
    };
    match client.subscribe(request, DEFAULT_CONNECT_TIMEOUT).await {
        Ok(Ok((_hello, link))) => Ok((link.writer, link.reader)),
        Ok(Err(refused)) if refused.code == "window_process_running" => {
            // Rolebar's windows run already: show its main window there, as a second start does.
            let opened = match Client::connect(socket, DEFAULT_CONNECT_TIMEOUT).await {
                Ok(Some(mut client)) => client
                    .call("open_window", &serde_json::json!({}), DEFAULT_CONNECT_TIMEOUT * 5)
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|answer| answer.map_err(|e| e.message)),
                Ok(None) => Err("Rolebar stopped meanwhile".to_string()),
                Err(e) => Err(e.to_string()),
            };
            match opened {
                Ok(_) => {
                    tracing::info!("Rolebar's windows run already: its main window was shown");
                    std::process::exit(0)
                }
                Err(e) => Err(format!("Rolebar's windows run already, and did not open: {e}")),
            }
        }
        Ok(Err(refused)) => Err(format!("Rolebar refused this window process: {}", refused.message)),
        Err(e) => Err(format!("cannot subscribe to Rolebar: {e}")),
    }
}

/// This program was started without a tray (Finder or the Start menu opened the bundle's main
/// program, or a user ran it): start the tray beside it, which opens the main window, and end.
/// Returns what to say when that is not possible.
fn start_the_tray(socket: &std::path::Path) -> String {
    let tray = std::env::current_exe()
        .ok()
        .map(|exe| exe.with_file_name(format!("rolebar-tray{}", std::env::consts::EXE_SUFFIX)))
        .filter(|tray| tray.is_file());
    let Some(tray) = tray else {
        return format!(
            "Rolebar is not running (no agent at {}): start Rolebar (rolebar-tray); it opens its windows itself",
            socket.display()
        );
    };
    match std::process::Command::new(&tray)
        .env("ROLEBAR_OPEN_MAIN", "1")
        .stdin(std::process::Stdio::null())
        .spawn()
    {
        Ok(_) => {
            tracing::info!(tray = %tray.display(), "Rolebar was not running: started its tray");
            std::process::exit(0);
        }
        Err(e) => format!(
            "Rolebar is not running, and {} could not be started: {e}",
            tray.display()
        ),
    }
}

/// Asks the tray to let the process go if no window is open after `after` (and the process is
/// not told to linger). The tray answers `quit`, unless an `open` is on its way.
fn idle_check(app: tauri::AppHandle, after: Duration) {
    let linger = app.state::<std::sync::Arc<Shared>>().linger;
    if linger {
        return;
    }
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(after).await;
        let shared = app.state::<std::sync::Arc<Shared>>();
        // Read before looking at the windows: an `open` applied after this is not counted, so
        // the tray sees it in flight and keeps the process.
        let seen = shared.seen.load(std::sync::atomic::Ordering::SeqCst);
        if app.webview_windows().is_empty() {
            tracing::debug!(seen, "no window open: asking the tray to let the window process go");
            if let Err(e) = shared.link.send(&ToTray::Bye { seen }).await {
                tracing::warn!(error = %e, "cannot tell the tray; exiting");
                app.exit(0);
            }
        }
    });
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        open: None,
        linger: false,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--linger" => options.linger = true,
            "--open" => {
                let label = args.next().ok_or("--open needs a window: main")?;
                options.open = match WindowLabel::from_label(&label) {
                    Some(WindowLabel::Main) => Some(WindowLabel::Main),
                    _ => return Err(format!("--open {label}: only the main window opens by itself")),
                };
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

fn fail(message: &str) -> ! {
    tracing::error!("{message}");
    eprintln!("rolebar-window: {message}");
    std::process::exit(1);
}

fn init_logging() {
    let filter = rolebar_core::logging::env_filter("warn,rolebar_window=info,rolebar_core=info");
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .try_init();
}
