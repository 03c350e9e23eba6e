"""ja/en strings of scheduled work: nudges, reminders, the weekly digest, `hiyoko jobs`."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- direct messages -------------------------------------------------------------------
    "dm.stale_egg": {
        "ja": "🥚 {owner} さん、この卵は{days}日間動きがありません。お客様の状況はいかがですか?"
        "時期が決まったら孵化、まだなら「まだ温め中」、なくなったら取り下げを。(共有: {submitter} さん)",
        "en": "🥚 {owner}, this egg has had no news for {days} days. How is the customer doing? "
        "Hatch it if there is a timing, say it is still warming, or drop it. (Shared by {submitter})",
    },
    "dm.remind_chick": {
        "ja": "🐣 {owner} さん、お客様は「{timing} ごろ」と言っていました — そろそろ提案の時期です。",
        "en": "🐣 {owner}, the customer said around {timing} — time to propose.",
    },
    "dm.overdue_chick": {
        "ja": "⏰ {owner} さん、お客様が言っていた時期({timing})を過ぎました。結果はどうでしたか?",
        "en": "⏰ {owner}, the timing the customer gave ({timing}) has passed. How did it go?",
    },
    "dm.fallback": {"ja": "{id} {customer}", "en": "{id} {customer}"},
    # --- the weekly digest -----------------------------------------------------------------
    "digest.title": {
        "ja": "🐣 今週のアップセル予兆({start}〜{end})",
        "en": "🐣 Upsell signals this week ({start} – {end})",
    },
    "digest.week": {
        "ja": "*今週*: 新しい🥚卵 {new_eggs} · 新しい🐣ひよこ {new_chicks} · 孵化 {hatched} · 受注 {won} · 失注 {lost}",
        "en": "*This week*: new 🥚 eggs {new_eggs} · new 🐣 chicks {new_chicks} · hatched {hatched} · "
        "won {won} · lost {lost}",
    },
    "digest.ages": {
        "ja": "*進行中(経過日数別)*\n🥚 卵: {eggs}\n🐣 ひよこ: {chicks}",
        "en": "*Open, by age in days*\n🥚 eggs: {eggs}\n🐣 chicks: {chicks}",
    },
    "digest.rates": {
        "ja": "*累計*: 孵化率 {hatch_rate} · 卵→ひよこ 中央値 {median_days}日 · 受注率 {win_rate} · "
        "卵の割合 {egg_share}",
        "en": "*All time*: hatch rate {hatch_rate} · median egg→chick {median_days} days · win rate "
        "{win_rate} · egg share {egg_share}",
    },
    "digest.submitters": {
        "ja": "*予兆を見つけた人(直近12週)* 🙌 {people}",
        "en": "*Who found signals (last 12 weeks)* 🙌 {people}",
    },
    "digest.stale": {
        "ja": "*{days}日以上動きのない卵が多い担当*: {people}",
        "en": "*Owners with the most eggs untouched for {days}+ days*: {people}",
    },
    "digest.unanswered": {
        "ja": "*{count}回以上リマインドに反応のない卵*: {items}",
        "en": "*Eggs nudged {count}+ times with no answer*: {items}",
    },
    "digest.none": {"ja": "なし", "en": "none"},
    "digest.chart_comment": {
        "ja": "直近12週の週ごとの予兆数(卵・ひよこ別)",
        "en": "Signals per week over the last 12 weeks, eggs and chicks",
    },
    "digest.chart_title": {"ja": "週ごとの予兆数", "en": "Signals per week"},
    "digest.chart_egg": {"ja": "卵", "en": "egg"},
    "digest.chart_chick": {"ja": "ひよこ", "en": "chick"},
    # --- hiyoko jobs -----------------------------------------------------------------------
    "jobs.header": {"ja": "ジョブ | スケジュール | 最後の実行", "en": "job | schedule | last run"},
    "jobs.never": {"ja": "まだなし", "en": "never"},
    "jobs.unknown": {
        "ja": "{name} というジョブはありません。使えるのは: {names}",
        "en": "There is no job {name}. Jobs: {names}",
    },
    "jobs.claimed_elsewhere": {
        "ja": "{name} の枠 {slot} は別のプロセスが実行済みです。",
        "en": "{name} for slot {slot} was already run by another process.",
    },
    "jobs.outside_hours": {
        "ja": "今は業務時間外です(次は {next})。何も送りません。",
        "en": "Outside working hours (next: {next}); nothing is sent.",
    },
    "jobs.dry_run": {"ja": "[ドライラン] 送信しません: {line}", "en": "[dry run] would send: {line}"},
    "jobs.done": {"ja": "{name}: {count}件", "en": "{name}: {count} message(s)"},
    # --- dead letters: the chain and the fix named in the admin alert ------------------------
    "ops.chain": {
        "ja": "このカードを待っていたスレッドの投稿 {count}件({rows})も一緒に止めました。"
        "再送するとカード、スレッドの順にまとめて届きます。",
        "en": "The {count} thread post(s) waiting on this card ({rows}) stopped with it; "
        "a retry sends them all, the card first.",
    },
    "ops.fix.not_in_channel": {
        "ja": "hiyoko が <#{channel}> のメンバーではありません。チャンネルで「/invite @hiyoko」を送ってから "
        "`hiyoko outbox retry {id}` を実行してください。",
        "en": "hiyoko is not a member of <#{channel}>: send “/invite @hiyoko” in that channel, then run "
        "`hiyoko outbox retry {id}`.",
    },
    "ops.fix.channel_not_found": {
        "ja": "チャンネル {channel} が見つかりません(削除された、または非公開で招待されていない)。"
        "SIGNALS_CHANNEL_ID / DIGEST_CHANNEL_ID を確認するか hiyoko を招待してから "
        "`hiyoko outbox retry {id}` を実行してください。",
        "en": "Channel {channel} cannot be found (deleted, or private without hiyoko in it): check "
        "SIGNALS_CHANNEL_ID / DIGEST_CHANNEL_ID or invite hiyoko, then run `hiyoko outbox retry {id}`.",
    },
    "ops.fix.is_archived": {
        "ja": "<#{channel}> はアーカイブされています。アーカイブを解除するか、"
        "設定で別のチャンネルを指定して再起動してから `hiyoko outbox retry {id}` を実行してください。",
        "en": "<#{channel}> is archived: unarchive it, or set another channel and restart, then run "
        "`hiyoko outbox retry {id}`.",
    },
    "ops.fix.invalid_auth": {
        "ja": "ボットトークンが無効です(取り消し・アプリの再インストール)。https://api.slack.com/apps で"
        "トークンを確認して SLACK_BOT_TOKEN を更新・再起動し、`hiyoko outbox retry {id}` を実行してください。",
        "en": "The bot token is no longer valid (revoked, or the app was reinstalled): copy the token from "
        "https://api.slack.com/apps into SLACK_BOT_TOKEN, restart, then run `hiyoko outbox retry {id}`.",
    },
    "ops.fix.missing_scope": {
        "ja": "権限(スコープ)が足りません。アプリ設定の App Manifest に manifest.yml を貼り直して保存し、"
        "再インストールしてから `hiyoko outbox retry {id}` を実行してください(`hiyoko doctor` で確認できます)。",
        "en": "A scope is missing: paste manifest.yml into the app's App Manifest, save, reinstall the app, "
        "then run `hiyoko outbox retry {id}` (`hiyoko doctor` names the scope).",
    },
    "ops.fix.other": {
        "ja": "上のエラーの原因を直してから `hiyoko outbox retry {id}` を実行してください。",
        "en": "Fix the cause of the error above, then run `hiyoko outbox retry {id}`.",
    },
}
