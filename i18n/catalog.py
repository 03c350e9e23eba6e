"""The ja/en catalog. Keys are grouped by surface; every key has both languages (a test checks).

Core surfaces live here; adoption and scheduled jobs keep theirs in their own modules, merged
at the end of this file.
"""

from i18n.catalog_absences import MESSAGES as ABSENCES
from i18n.catalog_accounts import MESSAGES as ACCOUNTS
from i18n.catalog_adoption import MESSAGES as ADOPTION
from i18n.catalog_crm import MESSAGES as CRM
from i18n.catalog_hearing import MESSAGES as HEARING
from i18n.catalog_jobs import MESSAGES as JOBS
from i18n.catalog_lists import MESSAGES as LISTS
from i18n.catalog_proposals import MESSAGES as PROPOSALS
from i18n.catalog_readback import MESSAGES as READBACK
from i18n.catalog_routing import MESSAGES as ROUTING

CATALOG: dict[str, dict[str, str]] = {
    # --- the share modal -------------------------------------------------------------------
    "modal.title": {"ja": "アップセル予兆を共有", "en": "Share upsell signal"},
    "modal.submit": {"ja": "共有する", "en": "Share"},
    "modal.cancel": {"ja": "キャンセル", "en": "Cancel"},
    "modal.intro": {
        "ja": "お客様の「もっと使いたい」を営業につなぎます。時期が未定なら🥚卵、決まっていれば🐣ひよこ。",
        "en": "Pass the customer's wish for more on to sales. Timing unknown: 🥚 egg; timing known: 🐣 chick.",
    },
    "field.customer": {"ja": "顧客名", "en": "Customer"},
    "field.customer.placeholder": {"ja": "例: 株式会社サンプル", "en": "e.g. Acme Inc."},
    "field.kind": {"ja": "種別", "en": "Kind"},
    "field.category": {"ja": "カテゴリ", "en": "Category"},
    "field.summary": {"ja": "お客様の言葉", "en": "What the customer said"},
    "field.summary.placeholder": {
        "ja": "例: 「他の工場でも使いたい」「3月ごろ席が足りなくなりそう」",
        "en": "e.g. “We want this at our other plants”, “We'll run out of seats around March”",
    },
    "field.timing": {"ja": "想定時期", "en": "Expected timing"},
    "field.timing.hint": {
        "ja": "🐣ひよこは必須。日付は「そのころ」の目安で構いません。",
        "en": "Required for a 🐣 chick. A day stands for “around then”.",
    },
    "field.owner": {"ja": "担当(営業)", "en": "Owner (sales)"},
    "field.size": {"ja": "規模の見込み", "en": "Estimated size"},
    "field.size.placeholder": {"ja": "例: 50席 / 100万円", "en": "e.g. 50 seats / $10k"},
    "field.source": {"ja": "きっかけ・出典", "en": "Source"},
    "field.source.placeholder": {
        "ja": "例: 定例ミーティング、サポート問い合わせ、Slackのリンク",
        "en": "e.g. QBR meeting, support ticket, a Slack link",
    },
    "field.submitter": {"ja": "共有者", "en": "Shared by"},
    "field.status": {"ja": "状態", "en": "Status"},
    "field.id": {"ja": "ID", "en": "ID"},
    "kind.egg": {"ja": "🥚 卵(時期未定)", "en": "🥚 Egg (timing unknown)"},
    "kind.chick": {"ja": "🐣 ひよこ(時期あり)", "en": "🐣 Chick (timing known)"},
    "kind.egg.short": {"ja": "卵", "en": "egg"},
    "kind.chick.short": {"ja": "ひよこ", "en": "chick"},
    "category.seats": {"ja": "席数追加", "en": "More seats"},
    "category.plan": {"ja": "プランアップ", "en": "Plan upgrade"},
    "category.cross_sell": {"ja": "クロスセル", "en": "Cross-sell"},
    "category.other": {"ja": "その他", "en": "Other"},
    "status.open": {"ja": "進行中", "en": "Open"},
    "status.won": {"ja": "受注", "en": "Won"},
    "status.lost": {"ja": "失注", "en": "Lost"},
    "status.dropped": {"ja": "取り下げ", "en": "Dropped"},
    # --- validation ------------------------------------------------------------------------
    "error.required": {"ja": "入力してください。", "en": "Please fill this in."},
    "error.too_long": {
        "ja": "{limit}文字以内で入力してください(現在{length}文字)。",
        "en": "Please keep this within {limit} characters (now {length}).",
    },
    "error.chick_needs_timing": {
        "ja": "🐣ひよこには想定時期が必要です。時期が未定なら🥚卵を選んでください。",
        "en": "A 🐣 chick needs an expected timing. If the timing is unknown, choose 🥚 egg.",
    },
    "error.timing_past": {
        "ja": "過去の日付は指定できません(今日は{today})。",
        "en": "The timing cannot be in the past (today is {today}).",
    },
    "error.unknown_user": {
        "ja": "このユーザーは見つかりません。ワークスペースのメンバーを選んでください。",
        "en": "This user could not be found. Please choose a member of the workspace.",
    },
    "error.bot_user": {
        "ja": "アプリやボットは担当にできません。人を選んでください。",
        "en": "An app or bot cannot own a signal. Please choose a person.",
    },
    "error.deactivated_user": {
        "ja": "このユーザーは無効化されています。別の担当を選んでください。",
        "en": "This user is deactivated. Please choose another owner.",
    },
    "error.save_failed": {
        "ja": "保存できませんでした。少し待ってからもう一度「共有する」を押してください。入力内容はそのままです。",
        "en": "Could not save just now. Please press Share again in a moment; your input is kept.",
    },
    # --- the card and its thread ----------------------------------------------------------
    "card.fallback": {
        "ja": "{emoji} {customer} のアップセル予兆({id})",
        "en": "{emoji} Upsell signal for {customer} ({id})",
    },
    "card.no_timing": {"ja": "未定", "en": "Unknown"},
    "card.none": {"ja": "—", "en": "—"},
    "card.shared_at": {"ja": "{id} · {when}に共有", "en": "{id} · shared {when}"},
    "thread.assigned": {
        "ja": "{owner} さん、{emoji}{kind}「{customer}」の担当になりました。共有してくれたのは {submitter} さんです。",
        "en": "{owner}, you now own the {emoji} {kind} for {customer}. Shared by {submitter}.",
    },
    # --- the lifecycle: buttons, modals, thread lines, refusals ------------------------------
    "action.hatch": {"ja": "孵化 🐣", "en": "Hatch 🐣"},
    "action.win": {"ja": "受注 🎉", "en": "Won 🎉"},
    "action.lose": {"ja": "失注", "en": "Lost"},
    "action.drop": {"ja": "取り下げ", "en": "Drop"},
    "action.reopen": {"ja": "再開", "en": "Reopen"},
    "action.back_to_egg": {"ja": "卵に戻す 🥚", "en": "Back to egg 🥚"},
    "action.reassign": {"ja": "担当を変更", "en": "Reassign owner"},
    "action.edit": {"ja": "編集", "en": "Edit"},
    "action.note": {"ja": "メモを追加", "en": "Add note"},
    "action.submitted": {"ja": "共有", "en": "Shared"},
    "action.snooze": {"ja": "まだ温め中 🥚", "en": "Still warming 🥚"},
    "action.more": {"ja": "その他", "en": "More"},
    "modal.hatch.title": {"ja": "孵化させる 🐣", "en": "Hatch 🐣"},
    "modal.hatch.intro": {
        "ja": "{id}「{customer}」の時期が決まりました。お客様が言った時期を入れてください。",
        "en": "{id} “{customer}” has a timing now. Enter the timing the customer gave.",
    },
    "modal.lose.title": {"ja": "失注にする", "en": "Mark as lost"},
    "modal.drop.title": {"ja": "取り下げる", "en": "Drop the signal"},
    "modal.reason.intro": {
        "ja": "{id}「{customer}」。理由を残してください。次の予兆に活きます。",
        "en": "{id} “{customer}”. Leave the reason: it is the lesson for the next one.",
    },
    "modal.reassign.title": {"ja": "担当を変更", "en": "Reassign owner"},
    "modal.edit.title": {"ja": "予兆を編集", "en": "Edit the signal"},
    "modal.note.title": {"ja": "メモを追加", "en": "Add a note"},
    "modal.save": {"ja": "保存", "en": "Save"},
    "modal.close": {"ja": "閉じる", "en": "Close"},
    "field.note": {"ja": "メモ", "en": "Note"},
    "field.note.optional": {"ja": "メモ(任意)", "en": "Note (optional)"},
    "field.reason": {"ja": "理由", "en": "Reason"},
    "field.new_owner": {"ja": "新しい担当", "en": "New owner"},
    "field.last_change": {"ja": "最終更新", "en": "Last change"},
    "card.last_change": {"ja": "{when} {actor} さん: {action}", "en": "{when} {actor}: {action}"},
    "card.reason": {"ja": "理由: {reason}", "en": "Reason: {reason}"},
    "thread.hatch": {
        "ja": "🐣 {actor} さんが孵化させました — 時期 {timing}",
        "en": "🐣 hatched by {actor} — timing {timing}",
    },
    "thread.back_to_egg": {
        "ja": "🥚 {actor} さんが卵に戻しました(時期がずれました)",
        "en": "🥚 back to egg by {actor} (the timing slipped)",
    },
    "thread.win": {"ja": "🎉 {actor} さんが受注にしました", "en": "🎉 won, marked by {actor}"},
    "thread.lose": {
        "ja": "🥀 {actor} さんが失注にしました — 理由: {note}",
        "en": "🥀 lost, marked by {actor} — reason: {note}",
    },
    "thread.drop": {
        "ja": "🗑️ {actor} さんが取り下げました — 理由: {note}",
        "en": "🗑️ dropped by {actor} — reason: {note}",
    },
    "thread.reopen": {"ja": "↩️ {actor} さんが再開しました", "en": "↩️ reopened by {actor}"},
    "thread.reassign": {
        "ja": "👤 {actor} さんが担当を {old} さんから {new} さんに変更しました。{new} さん、よろしくお願いします!",
        "en": "👤 {actor} reassigned this from {old} to {new}. Over to you, {new}!",
    },
    "thread.edit": {"ja": "✏️ {actor} さんが編集しました({fields})", "en": "✏️ edited by {actor} ({fields})"},
    "thread.snooze": {
        "ja": "🥚 {actor} さん: まだ温め中({until} までリマインドを止めます)",
        "en": "🥚 still warming, says {actor} (no nudges until {until})",
    },
    "thread.note": {"ja": "📝 {actor} さんのメモ: {note}", "en": "📝 note from {actor}: {note}"},
    "thread.with_note": {"ja": "\n> {note}", "en": "\n> {note}"},
    "lifecycle.already_closed": {
        "ja": "{id} はすでに {by} さんが「{status}」にしています。",
        "en": "{id} was already marked “{status}” by {by}.",
    },
    "lifecycle.not_an_egg": {
        "ja": "{id} はすでに {by} さんが孵化させています(🐣ひよこです)。",
        "en": "{id} was already hatched by {by} (it is a 🐣 chick).",
    },
    "lifecycle.not_a_chick": {
        "ja": "{id} は🥚卵です({by} さんが最後に変更)。",
        "en": "{id} is an 🥚 egg (last changed by {by}).",
    },
    "lifecycle.not_closed": {
        "ja": "{id} は進行中です({by} さんが再開済み)。",
        "en": "{id} is open already (reopened by {by}).",
    },
    "lifecycle.timing_required": {"ja": "時期を入れてください。", "en": "Please enter the timing."},
    "lifecycle.timing_past": {
        "ja": "過去の日付は指定できません(今日は{today})。",
        "en": "The timing cannot be in the past (today is {today}).",
    },
    "lifecycle.reason_required": {"ja": "理由を入れてください。", "en": "Please give a reason."},
    "lifecycle.note_required": {"ja": "メモを入れてください。", "en": "Please write a note."},
    "lifecycle.same_owner": {
        "ja": "今の担当とは別の人を選んでください。",
        "en": "Please choose someone other than the current owner.",
    },
    "permission.denied": {
        "ja": "{id} を変更できるのは、担当({owner} さん)、共有者({submitter} さん)とマネージャーだけです。"
        "変更が必要なら担当に声をかけてください。",
        "en": "Only the owner ({owner}), the submitter ({submitter}) and managers can change {id}. "
        "Please ask the owner if something needs to change.",
    },
    "signal.not_found": {"ja": "{id} という予兆は見つかりません。", "en": "There is no signal {id}."},
    "edit.fields.customer": {"ja": "顧客名", "en": "customer"},
    "edit.fields.category": {"ja": "カテゴリ", "en": "category"},
    "edit.fields.summary": {"ja": "内容", "en": "summary"},
    "edit.fields.size": {"ja": "規模", "en": "size"},
    "edit.fields.timing": {"ja": "時期", "en": "timing"},
    "edit.fields.none": {"ja": "変更なし", "en": "no change"},
    # --- duplicates -----------------------------------------------------------------------
    "duplicate.warning": {
        "ja": "⚠️ *{customer}* には同じカテゴリの進行中の予兆があります:",
        "en": "⚠️ *{customer}* already has open signals of the same category:",
    },
    "duplicate.item": {
        "ja": "• <{link}|{id}> {emoji} {summary} — 担当 <@{owner}>({age}日前)",
        "en": "• <{link}|{id}> {emoji} {summary} — owner <@{owner}> ({age} days ago)",
    },
    "duplicate.item_nolink": {
        "ja": "• {id} {emoji} {summary} — 担当 <@{owner}>({age}日前)",
        "en": "• {id} {emoji} {summary} — owner <@{owner}> ({age} days ago)",
    },
    "duplicate.choice": {"ja": "どうしますか?", "en": "What would you like to do?"},
    "duplicate.new": {"ja": "別件として新しく共有する", "en": "Share it as a new signal (a different need)"},
    "duplicate.note": {"ja": "{id} にメモとして追加する", "en": "Add it to {id} as a note"},
    "duplicate.noted": {
        "ja": "{id} にメモとして追加しました。スレッドに記録されています。",
        "en": "Added to {id} as a note; it is in the card's thread.",
    },
    "duplicate.not_a_target": {
        "ja": "{id} にはここからメモを追加できません(この顧客・カテゴリの進行中の予兆ではありません)。"
        "別件として共有するか、選び直してください。",
        "en": "You cannot add a note to {id} from here: it is not an open signal for this customer and "
        "category. Share it as a new signal, or choose again.",
    },
    "owner_check.problem": {
        "ja": "共有いただいた {id}({customer})の担当 <@{owner}> さんは{why}。"
        "予兆は保存され、カードも投稿されています。担当者を選び直してください。",
        "en": "The owner you chose for {id} ({customer}), <@{owner}>, {why}. "
        "The signal is saved and its card is posted; please pick another owner.",
    },
    "owner_check.why.unknown": {"ja": "ワークスペースに見つかりません", "en": "is not in this workspace"},
    "owner_check.why.bot": {"ja": "ボットです", "en": "is a bot"},
    "owner_check.why.deactivated": {"ja": "無効化されています", "en": "is deactivated"},
    "owner_check.pick": {"ja": "担当者を選び直す", "en": "Pick another owner"},
    # --- /hiyoko and App Home ------------------------------------------------------------
    "command.help": {
        "ja": "*hiyoko の使い方*\n"
        "• `/hiyoko` — アップセル予兆(🥚卵・🐣ひよこ)を共有するフォームを開きます\n"
        "• ショートカット「アップセル予兆を共有」や、投稿の「…」メニューからも共有できます\n"
        "• 共有した予兆は <#{channel}> にカードとして投稿され、担当の営業にスレッドで通知されます",
        "en": "*How to use hiyoko*\n"
        "• `/hiyoko` — open the form to share an upsell signal (🥚 egg or 🐣 chick)\n"
        "• The shortcut “アップセル予兆を共有” (Share an upsell signal) and a message's “…” menu work too\n"
        "• Each signal becomes a card in <#{channel}> and its owner is notified in the thread",
    },
    "command.help_more": {
        "ja": "• `/hiyoko mine` — 自分が担当・共有した進行中の予兆\n"
        "• `/hiyoko list [egg|chick] [顧客名]` — 進行中の予兆を探す(例: `/hiyoko list chick サンプル`)\n"
        "• `/hiyoko show S-000123` — 1件の詳細と履歴",
        "en": "• `/hiyoko mine` — open signals you own or shared\n"
        "• `/hiyoko list [egg|chick] [customer]` — find open signals (e.g. `/hiyoko list chick acme`)\n"
        "• `/hiyoko show S-000123` — one signal with its history",
    },
    "command.mine": {"ja": "あなたの進行中の予兆", "en": "Your open signals"},
    "command.list": {"ja": "進行中の予兆", "en": "Open signals"},
    "command.page": {
        "ja": "*{title}* — {total}件中 {first}–{last}件目",
        "en": "*{title}* — {first}–{last} of {total}",
    },
    "command.empty": {"ja": "*{title}* — 該当する予兆はありません。", "en": "*{title}* — nothing matches."},
    "command.next": {"ja": "次へ ▶", "en": "Next ▶"},
    "command.prev": {"ja": "◀ 前へ", "en": "◀ Previous"},
    "command.history": {"ja": "*履歴*", "en": "*History*"},
    "command.history_line": {"ja": "{when} {action} — {actor}{note}", "en": "{when} {action} — {actor}{note}"},
    "command.show_usage": {
        "ja": "`/hiyoko show S-000123` のようにIDを指定してください。",
        "en": "Please give an id, like `/hiyoko show S-000123`.",
    },
    "home.title": {"ja": "🐣 hiyoko", "en": "🐣 hiyoko"},
    "home.intro": {
        "ja": "お客様の「もっと使いたい」を聞いたら、ここから共有しましょう。"
        "時期が未定なら🥚卵、決まっていれば🐣ひよこです。",
        "en": "Heard a customer wish for more? Share it from here. Timing unknown: 🥚 egg; timing known: 🐣 chick.",
    },
    "home.share": {"ja": "予兆を共有する", "en": "Share a signal"},
    "home.owned": {"ja": "👤 担当している予兆", "en": "👤 Signals you own"},
    "home.shared": {"ja": "📣 共有した予兆", "en": "📣 Signals you shared"},
    "home.eggs": {"ja": "🥚 卵 {count}件(古い順)", "en": "🥚 Eggs: {count} (oldest first)"},
    "home.chicks": {"ja": "🐣 ひよこ {count}件(古い順)", "en": "🐣 Chicks: {count} (oldest first)"},
    "home.none": {"ja": "ありません。", "en": "None."},
    "home.more": {"ja": "ほか{count}件は `/hiyoko mine` で見られます。", "en": "{count} more: see `/hiyoko mine`."},
    "home.team": {"ja": "📊 チームの状況(マネージャー向け)", "en": "📊 The team (for managers)"},
    "home.team_counts": {
        "ja": "進行中: 🥚 {eggs}件 · 🐣 {chicks}件 / 受注 {won}件 · 失注 {lost}件 · 取り下げ {dropped}件\n"
        "孵化率 {hatch_rate} · 受注率 {win_rate}",
        "en": "Open: 🥚 {eggs} · 🐣 {chicks} / won {won} · lost {lost} · dropped {dropped}\n"
        "Hatch rate {hatch_rate} · win rate {win_rate}",
    },
    "row.signal": {
        "ja": "*{link}* {emoji} *{customer}* — {category}\n"
        "{age}日経過 · 時期 {timing} · 担当 <@{owner}> · 共有 <@{submitter}>",
        "en": "*{link}* {emoji} *{customer}* — {category}\n{age} days old · timing {timing} · "
        "owner <@{owner}> · shared by <@{submitter}>",
    },
    "row.summary": {"ja": "> {summary}", "en": "> {summary}"},
    # --- the sheet -------------------------------------------------------------------------
    "sheet.kind": {"ja": "種別", "en": "Kind"},
    "sheet.status": {"ja": "状態", "en": "Status"},
    "sheet.customer": {"ja": "顧客名", "en": "Customer"},
    "sheet.category": {"ja": "カテゴリ", "en": "Category"},
    "sheet.summary": {"ja": "内容", "en": "Summary"},
    "sheet.timing": {"ja": "想定時期", "en": "Timing"},
    "sheet.size": {"ja": "規模", "en": "Size"},
    "sheet.source": {"ja": "出典", "en": "Source"},
    "sheet.submitter": {"ja": "共有者", "en": "Submitter"},
    "sheet.submitter_id": {"ja": "共有者ID", "en": "Submitter ID"},
    "sheet.owner": {"ja": "担当", "en": "Owner"},
    "sheet.owner_id": {"ja": "担当ID", "en": "Owner ID"},
    "sheet.created": {"ja": "作成日時", "en": "Created"},
    "sheet.updated": {"ja": "更新日時", "en": "Updated"},
    "sheet.hatched": {"ja": "孵化日時", "en": "Hatched"},
    "sheet.closed": {"ja": "完了日時", "en": "Closed"},
    "sheet.reason": {"ja": "理由", "en": "Reason"},
    "sheet.link": {"ja": "Slackリンク", "en": "Slack link"},
    "history.event_id": {"ja": "イベントID", "en": "Event ID"},
    "history.id": {"ja": "ID", "en": "ID"},
    "history.at": {"ja": "日時", "en": "At"},
    "history.action": {"ja": "操作", "en": "Action"},
    "history.actor": {"ja": "実行者", "en": "By"},
    "history.actor_id": {"ja": "実行者ID", "en": "By (ID)"},
    "history.from": {"ja": "変更前", "en": "From"},
    "history.to": {"ja": "変更後", "en": "To"},
    "history.note": {"ja": "メモ・理由", "en": "Note / reason"},
    "history.detail": {"ja": "詳細", "en": "Detail"},
    # --- start-up and CLI ------------------------------------------------------------------
    "cli.missing_settings": {
        "ja": "hiyoko を起動できません。次の環境変数を設定してください: {names}\n"
        "  1. https://api.slack.com/apps →「Create New App」→「From a manifest」で manifest.yml を貼り付けて作成\n"
        "  2.「Basic Information」→「App-Level Tokens」で connections:write のトークンを作成"
        " → SLACK_APP_TOKEN=xapp-…\n"
        "  3.「Install App」でワークスペースにインストール → Bot User OAuth Token を SLACK_BOT_TOKEN=xoxb-… に\n"
        "  4. シグナル用チャンネルに @hiyoko を招待し、チャンネルID(C…)を SIGNALS_CHANNEL_ID に\n"
        "  .env に書くのが簡単です(cp .env.example .env)。詳しくは README の「Create the Slack app」。",
        "en": "hiyoko cannot start. Please set these environment variables: {names}\n"
        "  1. https://api.slack.com/apps → Create New App → From a manifest: paste manifest.yml\n"
        "  2. Basic Information → App-Level Tokens: create one with connections:write → SLACK_APP_TOKEN=xapp-…\n"
        "  3. Install App → install to the workspace; the Bot User OAuth Token → SLACK_BOT_TOKEN=xoxb-…\n"
        "  4. Invite @hiyoko to the signals channel; its channel id (C…) → SIGNALS_CHANNEL_ID\n"
        "  The easiest place is .env (cp .env.example .env). See the README section “Create the Slack app”.",
    },
    "cli.invalid_setting": {
        "ja": "設定 {name} が正しくありません: {reason}",
        "en": "The setting {name} is not valid: {reason}",
    },
    "cli.resynced": {
        "ja": "{count}件のシグナルをシートに書き込みました({target})。",
        "en": "Wrote {count} signals to the sheet ({target}).",
    },
    "ops.dead_letter": {
        "ja": "🚨 hiyoko: 配信をあきらめました(outbox #{id}, {target}, {signal}, {attempts}回): {error}\n"
        "原因を直したら `hiyoko outbox retry {id}` で再送できます。",
        "en": "🚨 hiyoko gave up a delivery (outbox #{id}, {target}, {signal}, {attempts} attempts): {error}\n"
        "Once the cause is fixed, `hiyoko outbox retry {id}` sends it again.",
    },
    "cli.db_upgraded": {"ja": "データベースを最新に更新しました。", "en": "The database is up to date."},
}

CATALOG.update(ADOPTION)
CATALOG.update(JOBS)
CATALOG.update(ABSENCES)
CATALOG.update(ROUTING)
CATALOG.update(ACCOUNTS)
CATALOG.update(PROPOSALS)
CATALOG.update(READBACK)
CATALOG.update(LISTS)
CATALOG.update(CRM)
CATALOG.update(HEARING)
