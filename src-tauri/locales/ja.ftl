# Rolebar の日本語メッセージ。キーは en.ftl と同じ (src-tauri/src/i18n/coverage.rs が検査)。
# 文は です/ます 調、ボタンとメニューは短い名詞句。AWS の用語 (MFA, STS, プロファイル名) はそのまま。

## 残り時間

time-under-minute = 1 分未満
time-minutes = { $minutes } 分
time-hours-minutes = { $hours } 時間 { $minutes } 分
time-warn-seconds = { $seconds } 秒
time-warn-hours = { $hours } 時間
time-warn-hours-minutes = { $hours } 時間 { $minutes } 分
time-expired = 期限切れ
time-countdown-hm = { $hours } 時間 { $minutes2 } 分
time-countdown-ms = { $minutes } 分 { $seconds2 } 秒
time-countdown-s = { $seconds } 秒

## トレイメニュー (ラベルはプロファイル名で始める)

menu-open = Rolebar を開く…
menu-quit = 終了
menu-copy-exports = 環境変数をコピー
menu-write = プロファイルに書き込む…
menu-log-out = ログアウト
menu-config-error = AWS の設定を読めません: { $error }
menu-no-profiles = AWS の設定にプロファイルがありません
menu-session = { $profile } — 残り { $left }
menu-busy = { $profile } のセッションを取得中…
menu-failed = 失敗: { $error }
menu-profile-mfa = { $profile } (MFA)
menu-profile-role = { $profile } (ロール)
menu-profile-unsupported = { $profile } — 未対応: { $what }
menu-profile-invalid = { $profile } — 設定エラー: { $code }
menu-written-title = { $file } に書き込んだセッション
menu-written-from = { $profile } — { $source } から、{ $left }
menu-written = { $profile } — { $left }
menu-written-left = 残り { $left }
menu-written-no-end = 期限不明
menu-recent = 最近使ったもの
menu-favourites = お気に入り
menu-all-profiles = すべてのプロファイル
menu-pin = お気に入りに追加
menu-unpin = お気に入りから外す
menu-find-profile = プロファイルを検索…
menu-more-sessions = その他のセッション ({ $count })

## 通知

note-copied-title = { $profile } の環境変数をコピーしました
note-copied-body = { $format } 用の { $count } 行をクリップボードに入れました
note-copy-failed = Rolebar: 環境変数をコピーできません
note-log-out-failed = Rolebar: { $profile } からログアウトできません
note-favourite-failed = Rolebar: お気に入りを保存できません
note-hotkey-failed = Rolebar: { $hotkey } でクイックスイッチャーを開けるようにできません
note-no-session = Rolebar: { $profile } のセッションを取得できません
note-expires-in = { $profile } はあと { $left }で期限切れになります
note-expired = { $profile } の期限が切れました
note-renew = 更新
note-dismiss = 閉じる
note-renew-in-tray = Rolebar のトレイメニューでプロファイルを選ぶと更新できます。
note-refreshed = { $profile } を更新しました
note-refreshed-left = 新しいセッションの残り: { $left }。
note-rewrote = { $sections } を書き直しました。
note-cannot-rewrite = [{ $target }] を書き直せません: { $error }
note-refresh-needs-mfa = 更新には MFA コードが必要です。
note-refresh-failed = 自動更新に失敗しました: { $error }
note-settings-not-used = Rolebar: 設定を使えません
note-settings-defaults = 直して Rolebar を再起動するまで、期限切れの警告は既定 (10 分前と 2 分前) で出します。

## MFA ダイアログ

mfa-window-title = Rolebar — MFA コード
mfa-heading = MFA コードを入力してください
mfa-profile = プロファイル
mfa-device = デバイス
mfa-why = 理由
mfa-code-label = 認証アプリの 6 桁のコード
mfa-cancel = キャンセル
mfa-continue = 続ける
mfa-checking = AWS でコードを確認しています…
mfa-cancelling = キャンセルしています…
mfa-via = このコードで { $profile } の MFA セッションを開始します。同じデバイスを使うロールはこのセッションを共有します。
mfa-rejected = AWS がこのコードを拒否しました。次のコードが出るまで待って入力してください (試行 { $attempt } 回目)。
mfa-six-digits = 認証アプリに表示される 6 桁を入力してください。
mfa-none = MFA コードを求めているリクエストはありません。
mfa-reason-no-session = まだセッションがありません
mfa-reason-session-expired = セッションの期限が切れました
mfa-reason-different-device = このロールは別の MFA デバイスを使います
mfa-reason-rejected = AWS が前のコードを拒否しました

## メインウィンドウ

main-start-at-login = ログイン時に起動
main-refresh = 再読み込み
main-language = 言語
main-language-auto = 自動
main-warn-edit = 警告のタイミングを変更…
main-warn-label = セッション終了のどれだけ前に警告するか
main-warn-hint = 例: 30m, 10m, 2m · 空欄: 終了時のみ
main-save = 保存
main-cancel = キャンセル
main-dismiss = 閉じる
main-expiry-end-only = 期限切れの警告: 終了時のみ
main-expiry-before = 期限切れの警告: 終了の { $times } 前
main-expiry-auto-refresh = 自動更新: { $profiles }
main-expiry-auto-refresh-off = 自動更新: オフ
main-expiry-settings-path = 設定: { $path }
main-expiry-problem = 設定を使えないため既定値を使っています: { $message } ({ $code })
main-list-and = { $first } と { $last }
main-notice-warnings = 終了の { $times } 前に警告します
main-notice-warning-end-only = セッション終了時にだけ警告します
main-sessions-title = 有効なセッション
main-export-format = エクスポート形式
main-col-profile = プロファイル
main-col-kind = 種類
main-col-time-left = 残り時間
main-col-written-to = 書き込み先
main-col-actions = 操作
main-col-role = ロール
main-col-mfa-device = MFA デバイス
main-col-region = リージョン
main-col-source = ソース
main-col-key = キー
main-col-added = 追加日時
main-no-sessions = 有効なセッションはありません。下のプロファイルから引き受けてください。
main-kind-role-session = ロール
main-kind-mfa-session = MFA セッション
main-until = { $date } まで
main-copy-exports = 環境変数をコピー
main-open-write = プロファイルに書き込む…
main-renew = 更新
main-log-out = ログアウト
main-write-heading = 認証情報ファイルに書き込む:
main-write-target-label = 認証情報ファイルでのプロファイル名
main-write-hint = ツールからは --profile { $target } (または AWS_PROFILE) で使えます。
main-write-confirm-keys = その長期キーをこのセッションで置き換えますか？ 先にコピーを取っておいてください。
main-write-force-keys = 置き換える
main-write-confirm-not-owned = それでもこのセクションにセッションを書き込みますか？ 認証情報のキーは置き換わり、ほかの行は残ります。
main-write-force-not-owned = それでも書き込む
main-write = 書き込む
main-notice-wrote = { $profile } を { $path } の [{ $target }] に書き込みました
main-wrote-created-file = ファイルを作成
main-wrote-replaced-keys = 長期キーを置き換え
main-wrote-removed-expired = 期限切れの { $sections } を削除
main-wrote-duplicates = 注意: ほかの [{ $target }] セクションが { $lines } 行目にあります
main-profiles-title = プロファイル
main-filter-placeholder = 絞り込み: 名前・アカウント・ロール・リージョン
main-active = 有効
main-assume = 引き受ける
main-pin = お気に入りに追加
main-unpin = お気に入りから外す
main-auto-refresh = 自動更新
main-auto-refresh-title = MFA コードが不要なら期限前に更新し、書き込んだ認証情報ファイルのプロファイルも書き直します
main-notice-auto-refresh-on = { $profile } はコード不要なら期限前に更新されます
main-notice-auto-refresh-off = { $profile } の自動更新をオフにしました
main-source-from = { $profile } から
main-source-keyring = キーはキーリングにあります
main-source-file = キーはファイルにあります
main-source-missing = キーが保存されていません
main-kind-keys = キー
main-kind-session-token = キー + MFA
main-kind-role = ロール
main-kind-unsupported = 未対応
main-kind-invalid = 設定エラー
main-kind-written = Rolebar が書き込み済み
main-written-info = { $from }、{ $left }
main-written-left = 残り { $left }
main-written-no-end = 期限不明
main-written-log-out-title = このセクションを認証情報ファイルから削除します
main-keys-title = 長期キー
main-keys-hint = OS のキーリングに保存します。保存したシークレットは二度と表示されません。
main-key-not-in-keyring = キーリングにありません
main-key-replace = 置き換える…
main-key-add = 追加…
main-key-remove = 削除
main-keys-form-title = キーの登録:
main-keys-a-profile = プロファイル
main-keys-profile = プロファイル
main-keys-access-key-id = アクセスキー ID
main-keys-secret = シークレットアクセスキー
main-keys-save = キーリングに保存
main-keys-add-other = ほかのプロファイルのキーを追加…
main-notice-keys-stored = { $profile } のキー { $key } をキーリングに保存しました
main-confirm-remove-keys = { $profile } のキーをキーリングから削除しますか？ そのセッションも削除されます。
main-busy-remove-keys = { $profile } のキーを削除しています…
main-notice-keys-removed = { $profile } のキーを削除しました
main-notice-no-keys = { $profile } のキーは保存されていませんでした
main-busy-assume = { $profile } のセッションを取得しています… (MFA ダイアログが開いたら答えてください)
main-notice-session-until = { $profile } のセッションは { $time } まで有効です
main-busy-renew = { $profile } を更新しています…
main-notice-renewed = { $profile } の新しいセッションを取得しました
main-busy-log-out = { $profile } からログアウトしています…
main-notice-logged-out = { $profile } からログアウトしました
main-notice-logged-out-removed = { $profile } からログアウトし、認証情報ファイルから { $sections } を削除しました
main-busy-copy = コピーしています…
main-notice-copied = { $profile } の { $format } 形式の { $count } 行をクリップボードにコピーしました
main-notice-autostart-on = ログイン時に Rolebar を起動します
main-notice-autostart-off = ログイン時に Rolebar を起動しません
main-session-gone = そのセッションはもうありません。プロファイルをもう一度引き受けてください。

## Quick switcher

main-hotkey-label = クイックスイッチャーのキー
main-hotkey-hint = 例: Ctrl+Alt+P。設定するまでオフです。デスクトップ全体で使われます (X11、Windows、macOS)。
main-hotkey-off = オフにする
main-hotkey-unavailable = このビルドではグローバルキーを使えません。
main-notice-hotkey-on = { $hotkey } でクイックスイッチャーが開きます
main-notice-hotkey-off = クイックスイッチャーを開くキーはありません

switcher-window-title = Rolebar — プロファイルを検索
switcher-placeholder = プロファイル名、アカウント ID、ロール、リージョン
switcher-label = プロファイルを検索
switcher-none = 「{ $query }」に一致するプロファイルはありません
switcher-empty = 切り替えられるプロファイルがありません
switcher-keys = ↵ 引き受ける · ⇧↵ 引き受けて環境変数をコピー · Esc 閉じる
switcher-live = セッション
switcher-recent = 最近
switcher-favourite = お気に入り
switcher-count = { $searched } 件中 { $shown } 件
