"""The words that give an expansion hint away, and the words that say it is something else.

Patterns read a message's lemma line: each token's normalised form between single spaces
(" id が 足りる ない 成る て 来る た "), so 増やしたい / 増やします / 増やす are one pattern.
English tokens are lower-cased and crudely stemmed (users → user, adding → add).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.signal import Category


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern[str]
    weight: float
    category: Category | None = None  # what it says by itself (seats, plan), None: decided elsewhere
    stative: bool = False  # a state ("IDが足りなくなってきた"): past tense does not mean "done"


def _p(text: str) -> re.Pattern[str]:
    return re.compile(text)


_SEATS_OBJ = (
    r"(?:ユーザー|ユーザ|アカウント|id|ライセンス|席|席数|枠|人数|利用者|メンバー|端末|台数|ログイン|利用 枠|シート"
    r"|user|seat|license|account|login|member)"
)
_SITES = (
    r"\S*(?:学校|校|病院|クリニック|ホーム|特養|園|棟|物件|庁舎|役所|自治体|店|拠点|工場|部署|支店|現場|事業所"
    r"|営業所|店舗|部門|チーム|事業部|グループ 会社|子 会社|子会社|センター|倉庫"
    r"|エリア|ライン|支社|本社|営業 所|オフィス|会社|課|部|店|建物|プラント|施設|地域|関連 会社|総務|経理|人事"
    r"|営業|現場|協力 会社"
    r"|部隊|グループ)"
)
# People named after their site ("現場監督", "支店長") are people, not a site.
_SITE_PEOPLE = r" (?:監督|長|担当|責任 者|責任者|所長|さん|様|管理 者|管理者)"
_NEW_SITES = _SITES.replace("|現場|", "|").replace("|現場", "")
_PEOPLE = (
    r"(?:人数|人員|要員|社員 数|従業員 数|社員|従業員|スタッフ|ユーザー|利用者|メンバー|作業員|人|職人"
    r"|作業 員|現場 監督|ドライバー|パート)"
)

JA_CUES: tuple[Cue, ...] = (
    Cue(
        "ja-growth",
        _p(
            r" (?:人|利用 者|利用者|ユーザー|社員|従業員|スタッフ|メンバー) (?:が|も)"
            r" (?:どんどん |更に |さらに |また )?増える"
        ),
        0.6,
        Category.SEATS,
        stative=True,
    ),
    Cue("ja-no-room", _p(r"(?<! の) 枠 (?:が |は |も )?(?:もう )?(?:無い|ない)"), 0.7, Category.SEATS, stative=True),
    Cue(
        "ja-shared-login",
        _p(r" (?:アカウント|id|ライセンス) (?:を )?(?:使い回す|回す|使い 回す|共用)"),
        0.6,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "ja-ids-please",
        _p(r" (?:id|アカウント|ライセンス) (?:も|を) (?:追加 (?:で )?)?(?:御 )?(?:願う|下さる|頂ける|欲しい|用意)"),
        0.55,
        Category.SEATS,
    ),
    Cue("ja-hand-out", _p(r" (?:アカウント|id|ライセンス) (?:を |も )?配る"), 0.6, Category.SEATS),
    Cue(
        "ja-short",
        _p(r" (?:足りる (?:て |てる |て 居る )?(?:ない|無い)|不足|足る ない|足る ず|足りる ず|足る ぬ)"),
        0.75,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "ja-limit",
        _p(r" 上限 (?:に|を|まで)? ?(?:達する|超える|近い|来る|行く|なる|迫る|当たる|届く)"),
        0.7,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "ja-full",
        _p(
            rf" {_SEATS_OBJ} (?:が|は)? ?(?:\S+ ){{0,2}}?(?:いっぱい|一杯|埋まる|ぎりぎり|ギリギリ|カツカツ"
            rf"|かつかつ|パンパン"
            r"|ぱんぱん)| 枠 を (?:\S+ )?(?:広げる|増やす|拡げる)"
        ),
        0.7,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "ja-more",
        _p(
            r" (?:増やす|増員|増席|増枠|増設|買い増し|買い増す|買い足す|足す|追加 購入|追加 契約|追加 発注|増強"
            r"|追加 分|買う|購入)"
        ),
        0.7,
        Category.SEATS,
    ),
    Cue(
        "ja-add-seat",
        _p(rf" {_SEATS_OBJ}(?: \S+){{0,4}} (?:追加|発行|購入|拡張|増やす)"),
        0.7,
        Category.SEATS,
    ),
    Cue(
        "ja-add-n",
        _p(
            r" (?:\d+|数|何) (?:名|人|件|台|ライセンス|アカウント|id|席|つ|個) (?:分 )?(?:ほど |くらい |ぐらい |程度 )?"
            r"(?:の )?(?:追加|増やす|増える|発行|購入|欲しい|必要|要る|入社|入る|加わる|採用|お願い|御願い|頼む)"
            r"| (?:あと|後|もう) \d+ (?:名|人|台|ライセンス|アカウント|id|席|つ|個|拠点|ユーザー|ユーザ)"
            r"| もう (?:何人|数人|数名|何 人|数 名)"
            r"| 追加 で (?:\S+ )?\d+ (?:名|人|台|ライセンス|アカウント|id|席|つ|個)"
            r"| (?:新人|新卒|新入 社員|新入社員|中途) (?:が |も )?\d+ (?:名|人)"
        ),
        0.75,
        Category.SEATS,
    ),
    Cue("ja-add", _p(r" 追加 (?:為る|で|を|の)"), 0.45, Category.SEATS),
    Cue("ja-grow", _p(rf" {_PEOPLE} (?:が|も)? ?(?:増える|増加|倍増)"), 0.45, Category.SEATS, stative=True),
    Cue(
        "ja-new-people",
        _p(r" (?:新入 社員|新入社員|新卒|新人|中途 採用|入社|採用 (?:する|予定))"),
        0.45,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "ja-other-site",
        # "他の工場でも", not "他の現場の点検結果" (a site's data is not a site that wants it)
        _p(
            rf" (?:他|別|ほか|外|他の|違う|もう 一つ|もう 1 つ|隣) (?:の )?{_SITES}(?! の |{_SITE_PEOPLE})"
            r" (?:で|に|へ|でも)? ?(?:も)?"
        ),
        0.7,
        Category.SEATS,
    ),
    Cue("ja-other-site2", _p(rf" (?:他|別) ?{_SITES}(?! の |{_SITE_PEOPLE})"), 0.7, Category.SEATS),
    # A new job site (現場) is everyday work; a new plant or office is growth.
    Cue(
        "ja-new-site",
        _p(
            rf" (?:新しい|新|新規|新設|第 \d+|第二|第三) (?:の )?(?:(?!(?:は|が|を|に|で|も|の) )\S+"
            rf" ){{0,2}}{_NEW_SITES}"
            rf"(?!{_SITE_PEOPLE})"
        ),
        0.6,
        Category.SEATS,
    ),
    Cue(
        "ja-site-opens",
        _p(rf" {_NEW_SITES}(?: 目)? (?:の|が|を)? ?(?:立ち上げ|立ち上がる|新設|開設|稼働|オープン|開所|開業|竣工)"),
        0.6,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "ja-people-too",
        _p(
            rf" (?:{_PEOPLE}|協力 会社|協力会社|パート|アルバイト|\d+ (?:名|人))(?: さん| たち| の 方| 方)* (?:に )?も"
            rf" (?:\S+ ){{0,3}}?使う"
        ),
        0.6,
        Category.SEATS,
    ),
    Cue("ja-more-obj", _p(rf" もっと (?:\S+ )?{_SEATS_OBJ}"), 0.6, Category.SEATS),
    # "30IDだと回らない": the seats they have do not go round
    Cue("ja-not-round", _p(rf" {_SEATS_OBJ} (?:\S+ ){{0,2}}?回る (?:ない|無い|ず)"), 0.7, Category.SEATS, stative=True),
    # "協力会社さんの分も": someone else's share as well
    Cue(
        "ja-share-too",
        _p(rf" (?:{_PEOPLE}|協力 会社|協力会社|パート|アルバイト|{_SITES})(?: さん| たち| の 方| 方)* の 分 も"),
        0.65,
        Category.SEATS,
    ),
    Cue(
        "ja-prepare",
        _p(rf" {_SEATS_OBJ} (?:の |を )?(?:御 )?(?:準備|用意|手配|頼む)"),
        0.55,
        Category.SEATS,
    ),
    Cue(
        "ja-your-have",
        _p(r" (?:御 社|御社|貴社|そちら) (?:に|で|は|に は)? ?(?:\S+ ){0,3}?有る"),
        0.55,
        Category.CROSS_SELL,
    ),
    Cue("ja-plan-switch", _p(r" プラン (?:へ |に )?(?:の )?(?:切り替え|切り替える|切替|移行)"), 0.6, Category.PLAN),
    Cue(
        "ja-all-use",
        _p(
            r" (?:全社|全 社|全国|全店|全 拠点|全 工場|全 部署|会社 全体|グループ 全体|全社的|グループ 会社)"
            r" (?:で|に|へ)? ?"
            r"(?:\S+ ){0,3}?(?:使う|導入|展開|利用|入れる|広げる)"
        ),
        0.65,
        Category.SEATS,
    ),
    Cue(
        "ja-will-grow", _p(r" (?:増える|増加 為る) (?:そう|見込み|見込む|予定|かも)"), 0.5, Category.SEATS, stative=True
    ),
    Cue(
        "ja-count-talk",
        _p(r" (?:id|ライセンス|アカウント|ユーザー) 数 (?:を|の|について|に つく て)? ?(?:\S+ )?(?:相談|見直し|検討)"),
        0.55,
        Category.SEATS,
    ),
    Cue(
        "ja-there-too",
        _p(
            rf" (?:{_SITES}|そこ|あちら|こちら|そちら)(?: の 方| \S+){{0,3}}? (?:(?:で|に) )?も (?:\S+ ){{0,4}}?"
            r"(?:使う|導入|展開|利用|入れる|使い始める|運用|試す|広げる|紹介|閲覧|出来る よう)"
        ),
        0.65,
        Category.SEATS,
    ),
    Cue(
        "ja-more-sites",
        _p(rf" {_SITES} (?:が|も) (?:\d+ (?:つ|箇所|か所|ヶ所|カ所) )?(?:増える|増加)"),
        0.6,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "ja-need-seats",
        _p(rf" {_SEATS_OBJ} (?:\S+ )?(?:が|も) (?:必要|要る|欲しい)"),
        0.55,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "ja-storage",
        _p(r" (?:容量|ストレージ|保存 容量|データ 容量) (?:\S+ ){0,2}?(?:増やす|追加|足りる ない|不足|上限|拡張)"),
        0.65,
        Category.OTHER,
        stative=True,
    ),
    Cue(
        "ja-double", _p(rf" {_PEOPLE} (?:が|も) (?:\S+ ){{0,2}}?(?:倍|倍増|\d+ 倍)"), 0.65, Category.SEATS, stative=True
    ),
    Cue(
        "ja-paid",
        _p(
            r" (?:有償|有料|費用 を 払う|お金 を 払う|別 料金|追加 料金 で も|費用 が (?:掛かる|かかる) て も"
            r"|(?:費用|料金|お金) (?:は|が|も)? ?(?:\S+ ){0,2}?(?:構う|御 支払う|支払う|払う|出す|お 支払い))"
        ),
        0.7,
        Category.OTHER,
        stative=True,
    ),
    Cue(
        "ja-service",
        _p(
            r" (?:研修|セミナー|コンサル|トレーニング|講習|勉強 会|勉強会|活用 支援|導入 支援|伴走|相談 に 乗る"
            r"|サポート プラン"
            r"|レクチャー|説明 会|説明会|\S*支援|\S*サービス|メニュー|パッケージ)(?: \S+){0,6}? (?:お願い|御願い"
            r"|願う|貰う|もらえる"
            r"|頂ける|有る|出来る|やる|遣る|頂く"
            r"|欲しい)"
        ),
        0.55,
        Category.OTHER,
    ),
    Cue("ja-use-for", _p(r" に も (?:\S+ ){0,2}?使う (?:\S+ )?(?:たい|ない か)"), 0.55, Category.OTHER),
    Cue(
        "ja-your-other",
        _p(r" (?:御 社|御社|貴社|そちら) (?:の|で|に は|は)? ?(?:\S+ ){0,3}?(?:アプリ|サービス|製品|商品|ツール)"),
        0.6,
        Category.CROSS_SELL,
    ),
    Cue(
        "ja-all",
        _p(
            r" (?:全社|全 社|全国|全店|全 拠点|全 工場|全 部署|全 現場|会社 全体|グループ 全体|全社的|全員|全"
            r" 社員|グループ 会社)"
        ),
        0.45,  # "全社員に周知します" is no hint: it takes a wish or another cue
        Category.SEATS,
    ),
    Cue(
        "ja-spread",
        # "展開図", "拡大すると" are no growth: alone it is weak, a wish or another cue makes it a hint
        _p(r" (?:横 展開|展開|拡大|拡げる|広げる|広める|拡充|本格 導入|本 導入|全面 導入)(?! 図| 資料| 表示| 為る と)"),
        0.45,
        Category.SEATS,
    ),
    Cue("ja-introduce", _p(r" 導入 (?:為る たい|を 検討|検討|予定|を 考える|し たい|為る 予定)"), 0.5),
    Cue(
        "ja-upgrade",
        _p(
            r" (?:上位 (?:プラン|版|グレード|エディション)|アップグレード|プラン アップ|グレード アップ|プラン"
            r" を 上げる|上 の (?:プラン|グレード|エディション)|プラン (?:の )?変更 (?:を )?(?:検討|検討中|為る"
            r" たい|考える))"
        ),
        0.7,
        Category.PLAN,
    ),
    Cue("ja-quote", _p(r" (?:見積もり|見積|見積り|お見積もり|見積もる) (?!書)"), 0.45),
    Cue("ja-trial", _p(r" (?:トライアル|試用|デモ)"), 0.35),
)

EN_CUES: tuple[Cue, ...] = (
    Cue(
        "en-short",
        _p(
            r" (?:run|running|ran) out of | not enough (?:\S+ )?(?:seat|license|account|login|user|id) "
            r"| used up | maxed out | at capacity "
            r"| short (?:on|of) (?:seat|license|account|login)| out of (?:seat|license|account)"
        ),
        0.75,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "en-count-up",
        _p(
            r" (?:bump|increase|raise|up|expand|grow) (?:\S+ ){0,2}(?:seat|license|user|account|id|login) "
            r"(?:count|number|limit|total|cap) "
        ),
        0.7,
        Category.SEATS,
    ),
    Cue(
        "en-opening",
        _p(
            r" (?:open|opening|launch|launching) (?:\S+ ){0,3}(?:site|office|plant|factory|branch|warehouse|depot|store"
            r"|home|school|clinic|hospital|facility|location) "
        ),
        0.6,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "en-about-n",
        _p(
            r" (?:roughly|about|around|approx|approximately|some|another) \d+ (?:more )?(?:user|seat|license"
            r"|people|account|login) "
        ),
        0.5,
        Category.SEATS,
    ),
    Cue(
        "en-need-more",
        _p(r" (?:need|want|get|require) (?:a few |a lot |a couple |some |many |lots )?more(?: soon| now| asap)? "),
        0.45,
        Category.SEATS,
    ),
    Cue(
        "en-limit",
        _p(
            r" (?:hit|hitting|reach|reached|at|near|close to|over|exceed) (?:the |our |my )?"
            r"(?:seat |license |user )?(?:limit|cap|maximum|max) "
            r"| \d+ (?:of|out of) (?:our )?\d+ (?:seat|license|user|account|id|login) "
        ),
        0.7,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "en-more",
        _p(
            r" (?:more|additional|extra|another \d+|\d+ more|few more|couple more|\d+ additional|\d+ extra) "
            r"(?:\S+ ){0,2}(?:seat|license|user|account|id|login|people|person|member|staff|employee|worker"
            r"|driver|technician|operator|tablet|device|slot) (?!(?:are|is|were|was|be|have|has|keep|log) )"
            r"| (?:above|over|beyond|more than|past) \d+ (?:seat|license|user|account|id|login) | volume"
            r" (?:pricing|discount) "
        ),
        0.7,
        Category.SEATS,
    ),
    Cue(
        "en-add",
        _p(
            r" (?:add|adding|buy|purchase|get|onboard|bring on|bring in) (?:\S+ ){0,3}"
            r"(?:seat|license|user|account|id|login|people|person|member|staff|employee|worker|team|site"
            r"|technician|operator|driver|depot|office|plant|warehouse|branch|location|region|area|country|division"
            r"|subsidiary|crew|shift|factory|facility|home|school|store|clinic|hospital) "
        ),
        0.55,
        Category.SEATS,
    ),
    Cue(
        "en-storage",
        _p(
            r" (?:more|extra|additional) (?:\S+ )?(?:storage|capacity|space)"
            r" | (?:storage|photo|upload|data) (?:limit|cap|quota) "
        ),
        0.65,
        Category.OTHER,
        stative=True,
    ),
    Cue(
        "en-need-seats",
        _p(
            r" (?<!my )(?:need|want|require|request) (?:\S+ ){0,2}(?:seat|license|login|account|id) (?!reset|password)"
            r"| top up (?:\S+ ){0,2}(?:seat|license|login|account|id) "
        ),
        0.55,
        Category.SEATS,
    ),
    Cue(
        "en-grow",
        _p(
            r" (?:team|headcount|staff|workforce|crew|company) (?:\S+ ){0,2}(?:grow|double|expand)"
            r"| (?:headcount|team|staff|workforce) (?:be|is|are) up "
            r"| new hire | new starter | new joiner "
            r"| (?:hire|hiring|onboard|onboarding) (?:\S+ ){0,3}(?:people|person|staff|employee|worker|new"
            r"|technician|engineer|driver|\d+)"
        ),
        0.55,
        Category.SEATS,
        stative=True,
    ),
    Cue(
        "en-merger", _p(r" (?:acquire|acquiring|acquisition|merger|merge|merging) "), 0.55, Category.SEATS, stative=True
    ),
    Cue(
        "en-access",
        _p(
            r" also (?:\S+ )?(?:want|need|ask for|would like) (?:\S+ ){0,3}(?:access|account|login|seat|license) "
            r"| (?:want|need|would like|ask for) (?:\S+ ){0,3}(?:access|account|login|seat|license) (?:\S+"
            r" )?(?:too|as well) "
        ),
        0.6,
        Category.SEATS,
    ),
    Cue(
        "en-rollout",
        _p(
            r" roll (?:\S+ ){0,2}out | rollout | roll out | deploy (?:\S+ ){0,3}(?:to|across|at|in) "
            r"| extend (?:\S+ ){0,3}to | scale (?:\S+ )?(?:up|out) | expand (?!on )| bring (?:\S+ ){0,2}to "
            r"| bring (?:\S+ ){0,5}on ?board "
        ),
        0.65,
        Category.SEATS,
    ),
    Cue(
        "en-other-site",
        _p(
            r" (?:other|another|second|new|more|all) (?:of )?(?:our )?(?:\S+ )?(?:office|site|location|team"
            r"|department|plant|factory|branch|warehouse|region|division|subsidiary|store|depot|facility"
            r"|shop|unit|business unit|group company|project|country|home|care home|school|clinic|hospital|building"
            r"|property|facility|restaurant|hotel) "
            r"| (?:sister|parent|affiliate|group|partner) (?:company|companies|firm|firms) "
        ),
        0.6,
        Category.SEATS,
    ),
    Cue(
        "en-wide",
        _p(
            r" (?:company|org|organization|organisation|group|enterprise) ?wide | across (?:the |our )?"
            r"(?:company|org|organization|organisation|group|business|site|office|plant|team|region) "
            r"| (?:whole|entire) (?:company|org|organization|organisation|group|team) "
        ),
        0.45,  # "share this with the whole team" is no hint: it takes a wish or another cue
        Category.SEATS,
    ),
    Cue(
        "en-upgrade",
        _p(
            r" upgrade | higher (?:plan|tier) | move up (?:to|a|one) | step up to | premium (?:plan|tier)"
            r" | bump (?:\S+ )?up "
        ),
        0.7,
        Category.PLAN,
    ),
    Cue(
        "en-site-on",
        _p(
            r" want (?:\S+ ){0,3}(?:plant|site|office|depot|warehouse|branch|team|factory|location|department)"
            r" (?:on|using|to use) | (?:want|wants) in "
        ),
        0.65,
        Category.SEATS,
    ),
    Cue(
        "en-paid",
        _p(
            r" (?:happy to pay|willing to pay|we'd pay|we would pay|we'd budget|we would budget|pay for it|paid"
            r"|budget for it) "
        ),
        0.7,
        Category.OTHER,
        stative=True,
    ),
    Cue(
        "en-service",
        _p(
            r" (?:training|consulting|consultancy|workshop|support package|dedicated contact|success package"
            r"|professional service|coaching|onboarding session) "
        ),
        0.45,
        Category.OTHER,
    ),
    Cue(
        "en-your-other",
        _p(
            r" (?:your|the) (?:\S+ )?(?:app|product|module|tool) (?:\S+ ){0,6}?(?:add|buy|get|use|try) "
            r"| add (?:\S+ ){0,2}to (?:our|the) (?:contract|subscription) "
        ),
        0.6,
        Category.CROSS_SELL,
    ),
    Cue("en-quote", _p(r" (?:quote|quotation|estimate) "), 0.45),
    Cue("en-trial", _p(r" (?:trial|demo) "), 0.35),
)

# Want, plan, consider: what turns a topic into an intention.
JA_INTENT = _p(
    r" (?:たい|予定|興味|稟議|考える|検討|検討中|見込み|つもり|積もり|方向|計画|希望|欲しい|ほしい|相談|お願い|御願い"
    r"|願う|可能"
    r"|出来る|頂ける|いただける"
    r"|下さる|くださる|もらえる|貰える|思う|方針|予算|そう|かも|見込む|いる 予定|話 が 出る|声 が 上がる|要望|必要)"
)
EN_INTENT = _p(
    r" (?:want|wanted|would like|like to|plan|planning|thinking|think|consider|considering|looking to|look into"
    r"|hoping|hope|need|going to|will|might|may|could|can we|can you|interested|wonder|wondering|probably|likely"
    r"|intend|aim|budget|how much|pricing|price|cost) "
)

# A negation after a Japanese cue ("増やす予定はない", "追加しません") — unless it asks or obliges
# ("追加できませんか", "増やさないといけない").
JA_NEGATION = _p(
    r" (?:ない|無い|ず|ぬ|無し|なし|不要|要る ない|必要 無い|必要 ない|結構|十分|足りる て 居る|見送る|見送り"
    r"|保留|立ち消え"
    r"|白紙|中止|無理|厳しい|難しい|見合わせる|辛い|にくい|悪い) "
)
# After a negation: a question or an obligation, not a refusal ("追加できませんか", "増やさないといけない").
JA_NEG_SKIP = _p(
    r"^ (?:か|と (?:行く|行ける|駄目|だめ|困る|不味い|まずい|無理)|ば|でしょう|だろう|ては|て は|ても|かしら|なら"
    r"|(?:\S+ ){0,3}?(?:っけ|け) |の って |って |の $|です か|ます か|でしょう か)"
)
# Before a negation: not a refusal ("増やすしかない", "有償でも構いません").
JA_NEG_NOT_AFTER = _p(r" (?:しか|構う|構う ます)$")
# A refusal whatever follows ("上げるほどではないかな", "ないと思う").
JA_STRONG_NEG = _p(
    r" (?:ほど (?:で|だ) は (?:無い|ない)|訳 (?:で|だ) は (?:無い|ない)|(?:無い|ない) と 思う|予定 は (?:無い|ない)"
    r"|つもり は (?:無い|ない))"
)
# What a customer may roll out, add or extend that is not more of the product: a template, a field.
EN_THING = _p(
    r" (?:template|checklist|form|feature|update|version|field|report|setting|workflow|process|policy"
    r"|change|tag|folder|category|column|photo|picture|comment|note|step|item|question|rule|schedule|access"
    r"|permission|password|role|phone|browser|os|ios|android|firmware|patch|fix|app|detail|photo|range|date|dashboard|view|filter"
    r"|chart|graph|screen|page|list|table) "
)
# What a Japanese customer may spread to other sites that is not the product: a checklist, a template.
JA_THING = _p(
    r" (?:チェック リスト|チェックリスト|テンプレート|帳票|フォーム|設定|マスタ|項目|レポート|データ|写真|ファイル) "
)
JA_THING_CUES = frozenset(
    {"ja-add-n", "ja-other-site", "ja-other-site2", "ja-spread", "ja-there-too", "ja-new-site", "ja-all"}
)
EN_THING_CUES = frozenset({"en-rollout", "en-add", "en-wide", "en-other-site", "en-upgrade", "en-need-more"})
EN_NEGATION = {
    "not", "no", "never", "don't", "doesn't", "won't", "can't", "cannot", "isn't", "aren't", "wasn't", "didn't",
    "haven't", "hasn't", "wouldn't", "shouldn't", "without", "nobody", "none", "dont", "wont", "nor",
}  # fmt: skip
EN_NO_NEED = _p(
    r" (?:no|not) (?:plan|planning|need|intention|intend|going|looking|look|thinking|think|budget|interest|interested) "
    r"| not happening | anytime soon | can't afford | too expensive | out of budget | shelved | if we (?:ever|had) "
    r"| (?:don't|do not|doesn't|won't|will not) (?:need|plan|want|expect|intend) | no longer | on hold | pause "
)

# What makes a message about something else: (name, pattern over the lemma line, penalty when in the cue's
# clause; half elsewhere, but a dismissal counts in full). A how-to question in the cue's clause costs 0.4.
JA_AGAINST: tuple[tuple[str, re.Pattern[str], float], ...] = (
    (
        "removal",
        _p(
            r" (?:削除|減らす|削減|減員|減少|無効|無効化|停止|退職|外す|返却|縮小|撤退|消す|消去|廃止"
            r"|閉鎖|統合|引き継ぐ)"
        ),
        0.6,
    ),
    (
        "dismiss",
        _p(
            r" (?:(?<!有償 で )(?<!有料 で )(?<!で も )(?<!て も )大丈夫|結構 です|間に合う|見送り|見送る|立ち消え|白紙"
            r"|他社|無理(?! です か| か)|予算 的 に|厳しい|難しい|否|いえ|合う ない|高い 過ぎる|高過ぎる|ちょうど"
            r" 良い|ちょうど いい|山々|だけ です"
            r"|予定 は (?:無い|ない)|(?:別|他) の ツール|他社 の ツール|稟議 (?:が|は)? ?(?:通る|とおる) (?:ます"
            r" )?(?:ない|ぬ|ず)"
            r"|ほど (?:で|だ) は (?:無い"
            r"|ない)|(?:無い|ない) と 思う"
            r"|つもり は (?:無い|ない)|過剰|オーバー スペック|今 の まま|矢張り (?:無し|なし)|(?:無し|なし) に 成る"
            r"|仮 に|取れる ない)"
        ),
        0.6,
    ),
    # what the customer's own devices or premises lack is not a seat ("スマホの容量", "駐車場の枠")
    (
        "device",
        _p(r" (?:スマホ|スマートフォン|携帯|タブレット|ipad|iphone|パソコン|駐車 場|駐車場|駐車|充電|電池|バッテリー)"),
        0.6,
    ),
    ("billing", _p(r" (?:増減 (?:無し|なし|無い|ない)|更新 分)"), 0.6),
    # a bare refusal as its own sentence ("増員?ないです")
    ("dismiss", _p(r"^ (?:否 )?(?:無い|ない|無し|なし)(?: です| ね| よ| ます| 〜)* $"), 0.6),
    ("reassign", _p(r" (?:付け替え|付け替える|異動|コピー|複製|移動)"), 0.45),
    (
        "cancel",
        _p(
            r" (?:解約|退会|(?:契約|利用|サービス|ツール) (?:を )?(?:止める|やめる|辞める)|更新 為る ない|更新"
            r" し ない|ダウン グレード|ダウングレード|下げる|下位 プラン|安い プラン"
            r"|減額|乗り換え|乗り換える|見直す|見直し|コスト 削減|終了|元 に 戻す|戻す)"
        ),
        0.7,
    ),
    (
        "billing",
        _p(
            r" (?:請求|請求書|領収書|領収|支払い|支払|振込|振り込み|入金|経理|宛名|引き落とし|クレジット カード"
            r"|決済|インボイス"
            r"|納品書|請求額|金額 が 違う|二重|契約書|契約 書|契約 更新|更新 日)(?! 用)"
        ),
        0.6,
    ),
    (
        "bug",
        _p(
            r" (?:エラー|不具合|バグ|障害|落ちる|重い|遅い|繋がる ない|つながる ない|反映 為る れる ない|止まる"
            r"|固まる|失敗|異常|文字化け"
            r"|表示 為る れる ない|出来る ない(?! (?:でしょう|か|です か|かな))|できる ない(?! (?:でしょう|か"
            r"|です か))|動く ない|ログイン 出来る ない|不安定|おかしい|消える"
            r"|出る ない|開く ない|届く ない)"
        ),
        0.7,
    ),
    (
        "vendor",
        _p(
            r" (?:御 提案(?! (?:下さる|頂く|頂ける|を 御願い|を お願い))|ご 提案(?! (?:下さる|頂く|頂ける))|提案"
            r" 為る せる て 頂く|いかが|今 なら|無料|案内 為る せる て|紹介 為る せる て|御 検討|ご 検討"
            r"|キャンペーン|弊社|お得|割引 プラン"
            r"|ご 興味|御 興味|ご 案内|御 案内|お知らせ|御 知らせ|ご覧|御覧|リリース 為る ます た"
            r"|メルマガ|メール マガジン|ニュース レター|ニュースレター)"
        ),
        0.7,
    ),
    (
        "howto",
        _p(
            r" (?:方法|やり方|手順|仕方|設定 方法|マニュアル|どうやって|どう やる て|どこ から|どこ で|どちら から"
            r"|\S*方 (?:を|が) (?:教える|分かる|知る)|どの (?:画面|メニュー|ページ|ボタン))"
        ),
        0.0,
    ),
)
EN_AGAINST: tuple[tuple[str, re.Pattern[str], float], ...] = (
    (
        "removal",
        _p(
            r" (?:remove|removing|delete|deleting|deactivate|deactivating|offboard|offboarding|reduce|reducing|fewer"
            r"|cut|cutting|downsize|downsizing|lay off|layoff|leave|leaving|left the company|drop|dropping"
            r"|shrink|less) "
        ),
        0.6,
    ),
    (
        "cancel",
        _p(
            r" (?:cancel|cancelling|canceling|cancellation|downgrade|downgrading|terminate|termination|not renew"
            r"|won't renew|churn|end our contract|switch away|move off|moving off|lower plan|cheaper plan|scale"
            r" back|scaling back) "
        ),
        0.7,
    ),
    (
        "billing",
        _p(
            r" (?:invoice|billing|bill|billed|receipt|payment|charged|double charged|credit card|refund|vat"
            r"|po number|remittance|get applied|been applied|applied to|activated|active yet|show up|showing up"
            r"|reflected) "
        ),
        0.6,
    ),
    (
        "dismiss",
        _p(
            r" (?:not happening|anytime soon|can't afford|too expensive|out of budget|shelved|no budget"
            r"|we won't|not this year|not right now|maybe later|all set|we're good|we are good|don't need|do not need"
            r"|no need|decided not to|decided against|not to go ahead|pass on|passing on|stay on|stick with|unlikely"
            r"|probably not|we're fine|we are fine|fine now|don't use|do not use|doesn't use|does not use"
            r"|everything we need|nothing change|nothing changes|no change|no changes|same size|same as last year) "
        ),
        0.6,
    ),
    ("reassign", _p(r" (?:copy|copying|duplicate|transfer|reassign|swap) "), 0.45),
    ("device", _p(r" (?:ipad|ipads|iphone|iphones|phone|phones|tablet|tablets|battery|parking) "), 0.6),
    (
        "bug",
        _p(
            r" (?:error|bug|crash|crashing|broken|not working|doesn't work|don't work|fail|failing|failed|outage|down"
            r"|stop|stopped|not sync|won't sync|doesn't sync|broke|break|breaking"
            r"|can't log|cannot log|can't access|cannot access|slow|freeze|freezing|glitch|issue with|problem"
            r" with|not loading"
            r"|not showing|not syncing|500|blank|missing|since the update|after the update|stuck|wrong|blurry|zoom"
            r"|the issue is|the problem is|issue is|problem is|denied|permission denied) "
        ),
        0.7,
    ),
    (
        "vendor",
        _p(
            r" (?:we'd like to propose|we would like to propose|we recommend|would you be interested|let me know"
            r" if you'd like"
            r"|special offer|promotion|campaign|our new (?:feature|release|version|product|service|plan|app)"
            r"|we're offering|we are offering|we can offer|happy to offer"
            r"|we're launching|we are launching|we've launched|we have launched|happy to show you|introducing"
            r"|new release|check out our|newsletter|your blog|your webinar) "
        ),
        0.7,
    ),
    (
        "howto",
        _p(
            r" (?:how do i|how do we|how can i|how can we|how to|where do i|where can i|where is|steps to|instructions"
            r"|what's the way|is there a way to|can't find|cannot find|where's|button|menu) "
        ),
        0.0,
    ),
)

# Features only a higher plan has, when a plan ladder is configured: they are asked for on the top plan.
PLAN_FEATURES = _p(
    r"(?:sso|audit trail|シングルサインオン|シングル サイン オン|single sign[- ]?on|saml|監査ログ|監査 ログ|audit log"
    r"|api連携|api 連携"
    r"|api integration|api access|権限管理|権限 管理|role[- ]based|permission management|ip制限|ip 制限|ip restriction"
    r"|scim|専任サポート|dedicated support|permissions|admin roles?|granular|細かい権限|権限 設定|権限設定"
    r"|閲覧権限|権限の細かい"
    r"|api\s*(?:で|と)\s*(?:つな|繋|連携|接続))"
)
# Interest in something named (a product, a plan, a feature).
JA_INTEREST = _p(
    r"(?:興味|気になる|気になって|検討|資料|デモ|試し|試す|試して|トライアル|見積|導入|使いたい|使ってみたい|話を聞|詳しく|教えて|紹介|料金"
    r"|価格|費用|併用|連携|できますか|使えますか|可能ですか|したい|にしたい|変更|移行|切り替え|切替|上げ|追加|欲しい|ほしい|必要|お願い|相談|違い|比較|いくら"
    r"|ありますか|ありましたっけ|あります\?|どんな|ってどう|とは|対応|入れる|入れたい|予算|たい|かな|ですか|じゃないと|でないと|どれ|つなぎ|つなげ|繋)"
)
EN_INTEREST = _p(
    r"\b(?:interest|interested|curious|demo|trial|quote|pricing|price|cost|info|information|brochure|learn more"
    r"|tell me more"
    r"|look into|looking into|consider|considering|evaluate|evaluating|try|trying|test|add|adding|switch|move"
    r"|upgrade|want"
    r"|would like|'d like|need|does|do you|can we|could we|support|available|include|difference|compare|how much"
    r"|require|requires|required|only on|which plan|what plan|is that|is it|has that|asking about|ask about"
    r"|whether you have|do you have|anything for|sounds like|love to|get|going|go|bundle|bolt|something we could)\b"
)
