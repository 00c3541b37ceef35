# Rolebar's English messages (the tray menu, the MFA dialog, the main window, notifications).
# Keys are referenced whole in the code: tr("key") / tr_args("key", …) in Rust, t("key") in
# TypeScript, data-i18n="key" (or data-i18n-title, -placeholder, -aria-label) in HTML; a test
# (crates/tray/src/i18n/coverage.rs) fails on a key missing here, in ja.ftl, or never used.
# Messages the web UI uses take plain { $variables } only (no selectors): the UI fills them.

## Times left

# Tray labels and "refreshed" notices: whole minutes, rounded down.
time-under-minute = under 1 min
time-minutes = { $minutes } min
time-hours-minutes = { $hours } h { $minutes2 } min
# Expiry warnings: minutes rounded to the nearest, seconds under a minute.
time-warn-seconds = { $seconds } s
time-warn-hours = { $hours } h
time-warn-hours-minutes = { $hours } h { $minutes } min
# The main window's countdown.
time-expired = expired
time-countdown-hm = { $hours }h { $minutes2 }m
time-countdown-ms = { $minutes }m { $seconds2 }s
time-countdown-s = { $seconds }s

## Tray menu (labels start with the profile name: tests find items by that prefix)

menu-open = Open Rolebar…
menu-quit = Quit
menu-copy-exports = Copy env exports
menu-console = Open AWS console
menu-serve = Serve to containers…
menu-stop-serving = Stop serving to containers ({ $address })
menu-stop-serving-profile = { $profile } — stop serving to containers ({ $address })
menu-write = Write to profile…
menu-log-out = Log out
menu-config-error = Cannot read the AWS config: { $error }
menu-no-profiles = No profiles in the AWS config
menu-session = { $profile } — { $left }
menu-busy = Getting a session for { $profile }…
menu-failed = Failed: { $error }
menu-agent-off-taken = Agent off: { $folder } belongs to another user
menu-agent-off = Agent off: { $error }
menu-profile-mfa = { $profile } (MFA)
menu-profile-role = { $profile } (role)
menu-profile-sso = { $profile } (SSO)
menu-sign-in = Sign in to { $name }…
menu-signed-in = { $name } — signed in, { $left }
menu-signed-in-renewable = { $name } — signed in (renewed as needed)
menu-sign-out = Sign out
menu-signing-in = Signing in to { $name } in your browser…
menu-profile-unsupported = { $profile } — not supported: { $what }
menu-profile-invalid = { $profile } — config error: { $code }
menu-written-title = Written to { $file }
menu-written-from = { $profile } — from { $source }, { $left }
menu-written = { $profile } — { $left }
menu-written-left = { $left } left
menu-written-no-end = end unknown
menu-recent = Recent
menu-favourites = Favourites
menu-all-profiles = All profiles
menu-pin = Pin to favourites
menu-unpin = Unpin from favourites
menu-find-profile = Find a profile…
menu-more-sessions = More sessions ({ $count })

## Notifications

note-sso-sign-in = Signing in to { $name }
note-sso-sign-in-browser = Finish signing in in your browser.
note-sso-sign-in-code = Open { $url } and enter the code { $code }.
note-sso-signed-in = Signed in to { $name }
note-sso-sign-in-failed = Cannot sign in to { $name }
note-sso-sign-out-failed = Cannot sign out of { $name }
note-copied-title = Copied exports for { $profile }
note-copied-body = { $count ->
    [one] 1 line for { $format } is on the clipboard
   *[other] { $count } lines for { $format } are on the clipboard
}
note-copy-failed = Rolebar: cannot copy exports
note-log-out-failed = Rolebar: cannot log out of { $profile }
note-favourite-failed = Rolebar: cannot save the favourites
note-rotated-title = Rotated the access key of { $profile }
note-rotate-failed = Rolebar: cannot rotate the access key of { $profile }
note-key-old-title = The access key of { $profile } is old
note-key-rotate-now = Rotate now
note-touch-title = Touch your YubiKey
note-touch-body = { $source } is waiting for a code for { $profile }.
note-next-code-title = Waiting for the next code
note-next-code-body = AWS rejected the code { $source } gave for { $profile }; asking it again in { $seconds } s.
note-source-failed-title = No code from { $source } for { $profile }: enter it in the dialog
note-console-title = Opened the AWS console for { $profile }
note-console-failed = Rolebar: cannot open the AWS console for { $profile }
note-serve-failed = Rolebar: cannot serve to containers
note-serving-title = Serving { $profile } to containers
note-serving-body = Copied AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN for { $address }: paste them where the program runs (docker run --network host -e …).
note-hotkey-failed = Rolebar: cannot use { $hotkey } to open the quick switcher
note-no-session = Rolebar: no session for { $profile }
note-expires-in = { $profile } expires in { $left }
note-expired = { $profile } expired
note-sign-in-expires-in = Your sign-in to { $profile } ends in { $left }
note-sign-in-expired = Your sign-in to { $profile } ended
note-sign-in-again = Sign in again
note-sign-in-again-in-tray = Sign in again from the Rolebar tray menu.
note-renew = Renew
note-dismiss = Dismiss
note-renew-in-tray = Renew it by choosing the profile in the Rolebar tray menu.
note-refreshed = { $profile } refreshed
note-refreshed-left = New session: { $left } left.
note-rewrote = Rewrote { $sections }.
note-cannot-rewrite = Cannot rewrite [{ $target }]: { $error }
note-refresh-needs-mfa = Refreshing it needs an MFA code.
note-refresh-failed = Automatic refresh failed: { $error }
note-settings-not-used = Rolebar: settings not used
note-settings-defaults = Expiry warnings use the defaults (10 and 2 minutes before) until this is fixed and Rolebar restarts.

## MFA dialog

mfa-window-title = Rolebar — MFA code
tray-gone = Rolebar has quit or stopped, so this window closes. Start Rolebar again to go on.
mfa-heading = Enter your MFA code
mfa-profile = Profile
mfa-device = Device
mfa-why = Why
mfa-code-label = 6-digit code from your authenticator
mfa-cancel = Cancel
mfa-deny = Deny
mfa-requested-by = Asked by { $program }
mfa-asked-by-endpoint = a program using the container-credentials endpoint at { $address }
mfa-continue = Continue
mfa-checking = Checking the code with AWS…
mfa-cancelling = Cancelling…
mfa-via = The code starts an MFA session for { $profile }; roles using the same device reuse it.
mfa-rejected = AWS rejected that code. Wait for the next code and enter it (attempt { $attempt }).
mfa-six-digits = Enter the 6 digits your authenticator shows.
mfa-none = No MFA code is being asked for.
mfa-reason-no-session = no session yet
mfa-reason-session-expired = the session expired
mfa-reason-different-device = this role uses a different MFA device
mfa-reason-source-without-mfa = the role it is assumed from was obtained without MFA
mfa-reason-rejected = AWS rejected the last code


## Approvals: the dialog asks before a program uses a profile

approval-heading = Allow a program to use this profile?
approval-program = Program
approval-unidentified = cannot be identified (asked every time, never remembered)
approval-why-new-programs = This profile asks before a program it has not seen gets its credentials.
approval-why-every-time = This profile asks each time a program wants its credentials.
approval-once = Allow once
approval-always = Always for this program

## Main window

main-start-at-login = Start at login
main-refresh = Refresh
main-language = Language
main-language-auto = Auto
main-warn-edit = Change warning times…
main-warn-label = Warn this long before a session ends
main-warn-hint = e.g. 30m, 10m, 2m · empty: only when it ends
main-save = Save
main-cancel = Cancel
main-dismiss = Dismiss
main-expiry-end-only = Expiry warnings at the end only
main-expiry-before = Expiry warnings { $times } before the end
main-expiry-auto-refresh = auto-refresh: { $profiles }
main-expiry-auto-refresh-off = auto-refresh: off
main-expiry-settings-path = settings: { $path }
main-expiry-problem = Settings not used, the defaults apply: { $message } ({ $code })
main-agent-off = The credentials agent is off, so Rolebar commands and tools ask for MFA codes in the terminal instead of this app's dialog: { $message }
main-no-tray-gnome = Your desktop shows no tray icons, so Rolebar shows this window instead. To get its icon on GNOME, install and enable the "AppIndicator and KStatusNotifierItem Support" extension (on Debian and Ubuntu: the gnome-shell-extension-appindicator package), then log out and back in.
main-no-tray-other = Your desktop shows no tray icons, so Rolebar shows this window instead. To get its icon, add a system tray that shows StatusNotifier (AppIndicator) items to your panel or bar.
main-no-tray-keeps-running = Rolebar keeps running when you close this window (tools still get their credentials): start it again to open this window.
main-quit = Quit Rolebar
main-list-and = { $first } and { $last }
main-notice-warnings = Warnings { $times } before the end
main-notice-warning-end-only = A warning only when a session ends
main-sessions-title = Active sessions
main-export-format = Export format
main-col-profile = Profile
main-col-kind = Kind
main-col-time-left = Time left
main-col-written-to = Written to
main-col-actions = Actions
main-col-role = Role
main-col-mfa-device = MFA device
main-col-region = Region
main-col-source = Source
main-col-key = Key
main-col-added = Added
main-no-sessions = No active session. Assume a profile below.
main-kind-role-session = role
main-kind-mfa-session = MFA session
main-until = until { $date }
main-copy-exports = Copy exports
main-open-write = Write to profile…
main-renew = Renew
main-log-out = Log out
main-write-heading = Write to the credentials file:
main-write-target-label = Profile name in the credentials file
main-write-hint = Tools then use it with --profile { $target } (or AWS_PROFILE).
main-write-confirm-keys = Replace those long-term keys with this session? Keep a copy of them first.
main-write-force-keys = Replace them
main-write-confirm-not-owned = Write this session into that section anyway? Its credential keys are replaced; its other lines stay.
main-write-force-not-owned = Write anyway
main-write = Write
main-notice-wrote = Wrote { $profile } to [{ $target }] in { $path }
main-wrote-created-file = created the file
main-wrote-replaced-keys = replaced long-term keys
main-wrote-removed-expired = removed expired { $sections }
main-wrote-duplicates = warning: other [{ $target }] sections on lines { $lines }
main-profiles-title = Profiles
main-filter-placeholder = Filter: name, account, role, region
main-active = active
main-assume = Assume
main-console = Console
main-console-title = Open the AWS console signed in as { $profile } (in your browser)
main-busy-console = Opening the AWS console for { $profile }…
main-notice-console = Opened the AWS console for { $profile }
main-pin = Pin to favourites
main-unpin = Unpin from favourites
main-auto-refresh = auto-refresh
main-auto-refresh-title = Renew before expiry when no MFA code is needed, and rewrite the credentials-file profiles it was written to
main-notice-auto-refresh-on = { $profile } will be renewed before it expires when no code is needed
main-notice-auto-refresh-off = Auto-refresh off for { $profile }
main-source-from = from { $profile }
main-source-keyring = keys in keyring
main-source-file = keys in file
main-source-missing = no keys stored
main-kind-keys = keys
main-kind-session-token = keys + MFA
main-kind-role = role
main-kind-unsupported = not supported
main-kind-invalid = config error
main-kind-written = written by Rolebar
main-kind-sso = IAM Identity Center
main-kind-sso-session = SSO role
main-sso-title = IAM Identity Center
main-sso-hint = One sign-in serves every account and role of it; Rolebar renews it without a browser while it can. The token is kept where the AWS CLI keeps it (~/.aws/sso/cache).
main-col-sign-in = Sign-in
main-col-start-url = Start URL
main-col-status = Status
main-col-account = Account
main-sso-sign-in = Sign in
main-sso-sign-out = Sign out
main-sso-browse = Accounts and roles…
main-sso-signed-in = signed in, { $left } left
main-sso-renewable = signed in (renewed as needed)
main-sso-signed-out = signed out
main-sso-accounts-title = Accounts and roles of
main-sso-add-profile = Add profile
main-close = Close
main-busy-sign-in = Signing in to { $name } in your browser…
main-busy-accounts = Reading the accounts of { $name }…
main-notice-signed-in = Signed in to { $name }.
main-notice-signed-out = Signed out of { $name }; { $count } role session(s) ended.
main-notice-profile-added = Profile { $profile } added to ~/.aws/config.
main-written-info = { $from }, { $left }
main-written-left = { $left } left
main-written-no-end = end unknown
main-written-log-out-title = Remove this section from the credentials file
main-approvals-title = Approvals
main-approvals-hint = Which profiles ask before a program gets their credentials, even with a session cached. The setting here wins over rolebar_approve in ~/.aws/config.
main-approvals-profile = Profile
main-approvals-policy = Asks
main-approvals-programs = Always allowed
main-approvals-default = As ~/.aws/config says ({ $policy })
main-approvals-never = Never
main-approvals-new-programs = New programs
main-approvals-every-time = Every time
main-approvals-revoke = Revoke
main-approvals-none = none
main-notice-approval-set = { $profile } now asks: { $policy }
main-notice-approval-revoked = { $program } will be asked again for { $profile }
main-keys-title = Long-term keys
main-keys-hint = Stored in the OS keyring. Secrets are never shown again once saved.
main-key-not-in-keyring = not in keyring
main-key-replace = Replace…
main-key-add = Add…
main-key-remove = Remove
main-key-rotate = Rotate key…
main-key-age-due = rotate due
main-confirm-rotate = Rotate the access key of { $profile }? A new key is created and stored in the keyring, then the old one is deleted in AWS.
main-busy-rotate = Rotating the access key of { $profile }…
main-notice-rotated = Rotated the access key of { $profile }: { $old } → { $new }.
main-keys-form-title = Keys for
main-keys-a-profile = a profile
main-keys-profile = Profile
main-keys-access-key-id = Access key ID
main-keys-secret = Secret access key
main-keys-save = Save to keyring
main-keys-add-other = Add keys for another profile…
main-notice-keys-stored = Stored keys { $key } for { $profile } in the keyring
main-aws-vault-found = aws-vault keys found ({ $count } profiles: { $profiles }). Import them into Rolebar's keyring; aws-vault's own stay as they are.
main-aws-vault-locked = aws-vault's keyring collection is locked: unlock your keyring to see all its keys (Import asks to unlock it).
main-aws-vault-passphrase = aws-vault's passphrase
main-aws-vault-import = Import them
main-aws-vault-imported = Imported { $count } key(s) from aws-vault; its entries are unchanged.
main-aws-vault-outcome-imported = imported
main-aws-vault-outcome-already = already in Rolebar's keyring
main-aws-vault-outcome-kept = kept: Rolebar holds another key ({ $key })
main-aws-vault-outcome-duplicate = skipped: the { $backend } backend's key came first
main-aws-vault-outcome-skipped = skipped: { $why }
main-confirm-remove-keys = Remove the keys of { $profile } from the keyring? Its sessions are removed too.
main-busy-remove-keys = Removing the keys of { $profile }…
main-notice-keys-removed = Removed the keys of { $profile }
main-notice-no-keys = No keys were stored for { $profile }
main-busy-assume = Getting a session for { $profile }… (answer the MFA dialog if it opens)
main-notice-session-until = Session for { $profile } until { $time }
main-busy-renew = Renewing { $profile }…
main-notice-renewed = New session for { $profile }
main-busy-log-out = Logging out of { $profile }…
main-notice-logged-out = Logged out of { $profile }
main-notice-logged-out-removed = Logged out of { $profile }; removed { $sections } from the credentials file
main-busy-copy = Copying…
main-notice-copied = Copied { $count } { $format } lines for { $profile } to the clipboard
main-notice-autostart-on = Rolebar will start at login
main-notice-autostart-off = Rolebar will not start at login
main-session-gone = That session is gone; assume the profile again.

## Quick switcher

main-hotkey-label = Quick switcher key
main-hotkey-hint = e.g. Ctrl+Alt+P; off unless set. Grabbed for the whole desktop (X11, Windows, macOS).
main-hotkey-off = Turn off
main-hotkey-unavailable = Global keys are not available in this build.
main-notice-hotkey-on = { $hotkey } now opens the quick switcher
main-notice-hotkey-off = No key opens the quick switcher now

switcher-window-title = Rolebar — Find a profile
switcher-placeholder = Profile name, account id, role or region
switcher-label = Find a profile
switcher-none = No profile matches “{ $query }”
switcher-empty = No profiles to switch to
switcher-keys = ↵ assume · ⇧↵ assume and copy exports · Esc close
switcher-live = session
switcher-recent = recent
switcher-favourite = favourite
switcher-count = { $shown } of { $searched }
