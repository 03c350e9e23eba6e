"""The hearing detector on its own: the issue's examples, hard negatives, categories from the
team's products and plans (with and without what the customer owns), the `hiyoko hear` JSON
contract, Slack markup, the team model's effect, and floors on the hand-labelled dev set."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest

from bench import train_base_model
from hearing.base import BaseModel, shipped
from hearing.detector import Detector, Heard, Owned
from hearing.learning import MIN_EXAMPLES, Example, TeamModel, feature_id, features, train
from models.offerings import parse_offerings
from models.signal import Category, Kind

PRODUCTS = parse_offerings("ゲンバチェック|GenbaCheck;ゲンバカメラ|GenbaCam;ゲンバ勤怠|GenbaTime")
PLANS = parse_offerings("スタンダード|Standard;プロ|Pro;エンタープライズ|Enterprise|エンプラ")
ON = date(2026, 12, 1)
DATA = Path(__file__).parent / "data" / "hearing"  # dev sets only: holdout.jsonl is never read here

detector = Detector(PRODUCTS, PLANS)
bare = Detector()  # no HIYOKO_PRODUCTS / HIYOKO_PLANS


def hear(text: str, owned: Owned | None = None, on: date = ON) -> Heard:
    return detector.hear(text, on, owned)


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("来年は他の工場でも使いたいと考えています", "他の工場でも"),
        ("IDが足りなくなってきた", "足りなく"),
        ("we might roll this out to the Osaka office", "roll this out"),
        ("ユーザーを増やしたいです", "増やしたい"),
        ("増員を予定しています", "増員"),
        ("ＩＤを5つ追加したいです", "追加したい"),
        ("ライセンス不足で困っています", "不足"),
        ("全社展開も視野に入っています", "全社"),
        ("We need 5 more licenses for the new crew", "more licenses"),
        ("We're running out of seats", "running out of seats"),
    ],
)
def test_the_issues_examples_and_their_kin_are_eggs(text: str, evidence: str) -> None:
    heard = bare.hear(text, ON)
    assert heard.hint and heard.kind is Kind.EGG and heard.category is Category.SEATS, heard
    assert evidence in heard.evidence and heard.score >= 0.5
    assert heard.language == ("en" if text.isascii() else "ja")


@pytest.mark.parametrize(
    "text",
    [
        "増やす予定はない",
        "今のところ増やす予定はありません",
        "ライセンスの追加は当面ないと思います。",
        "他の工場への展開は今のところ考えていないです",
        "no plans to add seats this year",
        "We don't need more licenses",
        "ユーザーを削除したい",
        "退職者のIDを削除してください",
        "please remove two users",
        "解約を検討しています",
        "プランを下げたいです",
        "we want to cancel our subscription",
        "we'd like to downgrade to Standard",
        "請求書を再発行してください",
        "Can you send the invoice for the extra seats?",
        "他の拠点でもエラーが出るようになりました",
        "Our second warehouse is also seeing errors since the update",
        "いつもありがとうございます！",
        "thanks, have a great weekend",
        "ユーザーの追加方法を教えてください",
        "how do I add a user?",
        "チェックリストの項目をもう少し増やしたいです",
        "ID追加しました、ありがとうございます",
        "弊社の新プランもぜひご検討ください",
    ],
)
def test_hard_negatives_are_no_hint(text: str) -> None:
    heard = hear(text)
    assert not heard.hint, heard
    assert heard.kind is None and heard.category is None and heard.timing is None and heard.evidence == ""


def test_an_english_message_naming_someone_in_kanji_is_read_as_english() -> None:
    heard = hear("Our plant manager 山田さん wants the Shiga plant on GenbaCheck too")
    assert heard.hint and heard.language == "en" and heard.category is Category.SEATS
    assert hear("ID追加したい、next quarterくらいで").language == "ja"


def test_a_timing_makes_a_chick_of_the_month_meant() -> None:
    heard = hear("4月からIDを10個追加したいです")
    assert heard.kind is Kind.CHICK and heard.timing == date(2027, 4, 1) and heard.category is Category.SEATS
    heard = hear("We would like to upgrade to Pro after the summer")
    assert heard.kind is Kind.CHICK and heard.timing == date(2027, 9, 1) and heard.category is Category.PLAN


def test_a_timing_far_from_the_hint_is_not_its_timing() -> None:
    far = (
        "We'd like 10 more seats for the new crew. Thanks for the quick fix on exports. The office is closed next week."
    )
    assert hear(far).hint and hear(far).kind is Kind.EGG and hear(far).timing is None
    near = "The office is closed this week. We'd like 10 more seats next month."
    assert hear(near).timing == date(2027, 1, 1)
    assert hear("Hi all! I'm out next week, but we'll need 5 more licenses").timing is None


def test_a_timing_of_the_next_meeting_keeps_it_an_egg() -> None:
    heard = hear("来週の定例で増員について相談させてください")
    assert heard.hint and heard.kind is Kind.EGG and heard.timing is None


def test_another_product_is_cross_sell_unless_the_customer_has_it() -> None:
    text = "ゲンバカメラも気になっています"
    assert hear(text).category is Category.CROSS_SELL  # without Owned: any product but the first
    assert hear(text, Owned(products=("ゲンバチェック",))).category is Category.CROSS_SELL
    owned = hear(text, Owned(products=("GenbaCheck", "GenbaCam")))
    assert not owned.hint or owned.category is not Category.CROSS_SELL
    # the first product is what most customers use: more of it is seats
    assert hear("ゲンバチェックを他の工場でも使いたい").category is Category.SEATS
    # a customer whose product is the camera: the check app is the cross-sell
    assert hear("GenbaCheckにも興味があります", Owned(products=("ゲンバカメラ",))).category is Category.CROSS_SELL
    assert not bare.hear("ゲンバカメラも気になっています", ON).hint  # no products configured: nothing to name


def test_a_higher_plan_or_a_top_plan_feature_is_plan() -> None:
    assert hear("エンタープライズプランにするとSSOは使えますか").category is Category.PLAN
    assert hear("プロプランへの変更を検討しています", Owned(plan="スタンダード")).category is Category.PLAN
    same = hear("プロプランへの変更を検討しています", Owned(plan="プロ"))
    assert not same.hint  # the plan they already have
    assert hear("SSOを使いたいのですが対応していますか", Owned(plan="Pro")).category is Category.PLAN
    top = hear("SSOを使いたいのですが対応していますか", Owned(plan="Enterprise"))
    assert not top.hint  # nothing higher to sell
    assert hear("we'd like to upgrade next quarter").category is Category.PLAN  # upgrade words alone


def test_as_json_is_exactly_the_hear_line() -> None:
    line = hear("4月からIDを10個追加したいです").as_json()
    assert list(line) == ["hint", "kind", "category", "timing", "score", "evidence"]
    assert line["hint"] is True and line["kind"] == "chick" and line["category"] == "seats"
    assert line["timing"] == "2027-04-01" and isinstance(line["score"], float)
    assert line["score"] == round(float(str(line["score"])), 3) and 0 <= float(str(line["score"])) <= 1
    none = hear("ありがとうございました").as_json()
    assert none == {"hint": False, "kind": None, "category": None, "timing": None, "score": none["score"],
                    "evidence": ""}  # fmt: skip
    json.dumps(line, ensure_ascii=False)


def test_slack_markup_and_someone_elses_quote_are_not_the_speakers_words() -> None:
    quoted = "&gt; IDが足りなくなってきたのでライセンスを増やしたい\nそれって先月の話ですよね、了解です"
    assert not hear(quoted).hint
    marked = "<@U012AB3CD> :pray: <https://example.com/x|資料> ありがとうございます `増やす` ```IDを増やしたい```"
    assert not hear(marked).hint
    heard = hear("<@U012AB3CD> 来月からIDを増やしたいです :bow: <#C123|general>")
    assert heard.hint and "<@" not in heard.evidence and ":bow:" not in heard.evidence
    assert hear("").hint is False and hear("<@U1>").hint is False
    assert not hear("thanks! :upgrade: :more-seats: :rocket:").hint  # emoji names are not words


def test_a_team_model_moves_a_borderline_decision() -> None:
    borderline = "デモを見せてもらえますか"
    rules_alone = hear(borderline)
    assert not rules_alone.hint and 0.2 < rules_alone.score < 0.5  # borderline for the rules
    examples = [Example(features(f"デモを{n}回見せてほしい"), True) for n in range(30)]
    examples += [Example(features(f"点検表の{n}番を直してください"), False) for n in range(30)]
    model = train(examples)
    assert model is not None and model.examples == 60
    learned = detector.with_model(TeamModel.from_json(model.to_json()))
    assert learned.hear(borderline, ON).hint and learned.hear(borderline, ON).score > rules_alone.score
    assert not learned.hear("点検表を直してください", ON).hint


def test_training_needs_enough_examples_of_each_answer() -> None:
    few = [Example(features("IDを増やしたい"), True)] * 10 + [Example(features("請求書"), False)] * 9
    assert len(few) < MIN_EXAMPLES and train(few) is None
    assert train([*few, Example(features("解約したい"), False)]) is not None
    assert train([Example(features("IDを増やしたい"), True)] * MIN_EXAMPLES) is None  # no "not a hint"
    with pytest.raises(ValueError, match="hearing model"):
        TeamModel.from_json('{"weights": 3}')


def test_features_keep_which_words_not_the_text() -> None:
    kept = features("来月からIDを増やしたいです")
    assert kept == sorted(set(kept)) and all(isinstance(f, int) for f in kept)
    assert features("ＩＤを増やす、来月から") == features("来月からIDを増やす")  # word order and width gone
    assert features("IDが足りなく") == features("IDが足りない")  # inflection gone
    assert "増やす" not in json.dumps(kept)


def test_hearing_is_cheap_once_loaded() -> None:
    hear("準備")
    start = time.perf_counter()
    for _ in range(200):
        hear("来期から他の工場でも使いたいという話が出ています。まずはお見積もりをいただけますか？")
    assert (time.perf_counter() - start) / 200 < 0.005


# Written for these tests (not from the evaluation set): (text, hint, category, timing month).
FRESH = [
    (
        "来月から協力会社の方にも使ってもらう予定なので、アカウントを20個ほど発行してほしいです",
        True,
        "seats",
        "2027-01",
    ),
    ("今度新しく立ち上がる名古屋営業所でも導入したいです", True, "seats", None),
    ("秋ごろに現場が3つ増えるので、その分のライセンスが必要になりそうです", True, "seats", None),
    ("プロプランだとどこまでできるんでしたっけ？ちょっと比較したくて", True, "plan", None),
    ("ゲンバ勤怠の見積もりをお願いできますか", True, "cross_sell", None),
    ("年度末までにあと10ID追加できますか？", True, "seats", "2027-03"),
    ("人が増えてきてIDがカツカツです", True, "seats", None),
    ("グループ会社にも紹介したら興味を持ってくれたので、一度説明してもらえませんか", True, "seats", None),
    ("来年度から全工場で使う方向で稟議を上げています", True, "seats", "2027-04"),
    ("ライセンスを50に増やすといくらになりますか", True, "seats", None),
    ("監査ログ機能を使いたいので、上のプランの見積もりをください", True, "plan", None),
    ("1月から新しい現場が始まるので、IDを追加したいです", True, "seats", "2027-01"),
    ("IDの追加、ありがとうございました！無事ログインできました", False, None, None),
    ("退職者が出たのでアカウントを停止してください", False, None, None),
    ("来月の請求書について確認させてください", False, None, None),
    ("他の現場でもアプリが落ちるみたいです", False, None, None),
    ("ユーザー追加の手順書ってどこにありますか", False, None, None),
    ("今のライセンス数で足りているので大丈夫です", False, None, None),
    ("来週の打ち合わせ、15時からでお願いします", False, None, None),
    ("弊社の新サービス「ゲンバカメラ」のご案内です", False, None, None),
    ("契約更新のタイミングでプランを見直したい", False, None, None),
    ("We're opening a new site in Fukuoka next spring and will want GenbaCheck there too", True, "seats", None),
    ("Could you send a quote for 25 additional licenses?", True, "seats", None),
    ("Our Kyushu team wants in as well, probably from April", True, "seats", "2027-04"),
    ("We're interested in GenbaTime for our field crews", True, "cross_sell", None),
    ("Is SSO available on the Pro plan? We may need to upgrade in Q2", True, "plan", "2027-04"),
    ("We'll need about 40 more seats once the merger closes", True, "seats", None),
    ("Please remove John's account, he left last week", False, None, None),
    ("We got the invoice, thanks!", False, None, None),
    ("The app keeps crashing at the Osaka site too", False, None, None),
    ("How do I add a new user to a project?", False, None, None),
    ("We're not planning to expand this year", False, None, None),
    ("We're thinking of cancelling at renewal", False, None, None),
    ("Let's discuss at next week's meeting", False, None, None),
    ("Thanks for adding the extra seats last month!", False, None, None),
    ("来期は人員が倍になる見込みなので、その前に相談させてください", True, "seats", "2027-04"),
    ("ゲンバチェックの使い方について、新人向けの説明会を開いてもらえますか", True, "other", None),
    ("うちの親会社でも使いたいと言っています", True, "seats", None),
    ("IDを1つ削除して、別の人に付け替えたいです", False, None, None),
    ("4月から組織変更で部署が2つ増えます。ユーザー追加が必要です", True, "seats", "2027-04"),
    ("来月から担当が変わります。よろしくお願いします", False, None, None),
    ("増やした分のIDのパスワードを教えてください", False, None, None),
    ("Can we add a custom field to the inspection form?", False, None, None),
    ("We added 5 users yesterday and they can't log in", False, None, None),
    ("Our headcount is shrinking so we'll probably need fewer seats", False, None, None),
    ("ユーザーを追加したのに反映されません", False, None, None),
    ("来期の予算が決まったらまた連絡します", False, None, None),
    ("プロプランの請求額が先月と違うのですが", False, None, None),
    ("エンタープライズの契約書を送ってください", False, None, None),
    ("GenbaCam stopped syncing photos at our second site", False, None, None),
    ("We will roll out the new checklist template to all sites next month", False, None, None),
    ("新しく工場を建てているので、稼働したらそっちでも使う予定です", True, "seats", None),
    ("ID、あと5つ追加お願いします！", True, "seats", None),
    ("GW明けに新卒が入ってくるので、その分増やしたいです", True, "seats", "2027-05"),
    ("ゲンバカメラってゲンバチェックと一緒に使えますか？気になってます", True, "cross_sell", None),
    ("We're acquiring a company with 3 plants; they'd be on GenbaCheck by Q1", True, "seats", "2027-01"),
    ("Could we get a trial of the Enterprise plan?", True, "plan", None),
    ("The team in Vietnam also wants access", True, "seats", None),
    ("点検項目を追加したらエラーになりました", False, None, None),
    ("来年の話ですが、ゲンバ勤怠も入れたいなと思っています", True, "cross_sell", None),
    ("いつもお世話になっております。ID追加の件、来月頭でお願いできますでしょうか", True, "seats", "2027-01"),
    ("We'd love to get the Pro features for the Osaka office as well", True, "plan", None),
    ("利用者が今の倍になりそうなので、ライセンス体系について相談したいです", True, "seats", None),
    ("東北の拠点にも広げていきたいと考えています", True, "seats", None),
    ("エンプラの機能、ちょっと気になってます", True, "plan", None),
    ("ゲンバ勤怠の話、詳しく聞かせてもらえますか", True, "cross_sell", None),
    ("3月に新しい事業所がオープンするので、その分のIDを準備しておきたいです", True, "seats", "2027-03"),
    ("正式導入に向けて、他部署への展開も検討中です", True, "seats", None),
    ("アカウントをもう少し増やせませんか", True, "seats", None),
    ("パートさんにもアカウントを配りたいので、追加の見積もりをお願いします", True, "seats", None),
    ("監査ログが必要になったので、エンタープライズへの切り替えを検討しています", True, "plan", None),
    ("IDを増やしたばかりなので、当分は大丈夫です", False, None, None),
    ("ゲンバカメラは使っていないので、請求から外してください", False, None, None),
    ("他部署の方がアカウントを間違えて作ってしまったので削除をお願いします", False, None, None),
    ("上位プランにしたら料金が高くなりすぎたので、元に戻したいです", False, None, None),
    ("アカウントが増えすぎて管理が大変です", False, None, None),
    ("展開資料のPDFが開けません", False, None, None),
    ("ユーザーを追加しようとしたらエラーが出ました", False, None, None),
    ("次回の定例では来期の体制についてお話しします", False, None, None),
    ("We're going to need logins for the night shift crew from next month", True, "seats", "2027-01"),
    ("Could we trial GenbaCam at one site?", True, "cross_sell", None),
    ("If Enterprise gets us SSO we'd probably switch in the new fiscal year", True, "plan", "2027-04"),
    ("Headcount is up 30% so we'll need to top up our licenses", True, "seats", None),
    ("We had to let go of 10 people, can you reduce our seats?", False, None, None),
    ("Where can I find last month's invoice?", False, None, None),
    ("The upgrade to version 5 broke our exports", False, None, None),
    ("Can you add our logo to the reports?", False, None, None),
    ("Expanding the photo size limit would be great", False, None, None),
    ("研修メニューって有料でありますか？新任の職長向けに受けさせたいです", True, "other", None),
    ("データ移行の支援をお願いすることはできますか？費用はお見積もりください", True, "other", None),
    ("来月からゲンバカメラも使い始めたいです", True, "cross_sell", "2027-01"),
    ("We'd like GenbaTime for the Sapporo office starting in April", True, "cross_sell", "2027-04"),
    ("Pro plan pricing please - we're comparing options for next fiscal year", True, "plan", "2027-04"),
    ("予算が取れたので、4月からエンタープライズにします", True, "plan", "2027-04"),
    ("上のプランにするといくらになりますか", True, "plan", None),
    ("ゲンバ勤怠のログインができません", False, None, None),
    ("エンタープライズプランの契約更新は3月で合っていますか", False, None, None),
    ("GenbaTime is working great for us, thanks!", False, None, None),
    ("来月から担当者が山田に変わります。アカウントの名前を変更してください", False, None, None),
    ("Please update the billing contact for the Pro plan", False, None, None),
    ("先月追加してもらったIDの件、ありがとうございました", False, None, None),
    ("Can we get more storage? We keep hitting the photo limit", True, "other", None),
    ("The Osaka office asked me how to reset their passwords", False, None, None),
    ("来年から全社で使うことになりました！", True, "seats", None),
    ("他の現場の点検結果も見られるようにしたいのですが、権限はどこで設定しますか", False, None, None),
    ("チェックリストを他の工場にも展開したいので、テンプレートのエクスポート方法を教えてください", False, None, None),
    ("新しい現場を登録したいのですが、どの画面からできますか", False, None, None),
    ("来月の定例、1時間延長してもらえますか", False, None, None),
    ("アプリのアップデート後、写真が追加できなくなりました", False, None, None),
    ("ゲンバカメラの写真がゲンバチェックに反映されないです", False, None, None),
    ("ゲンバ勤怠との連携設定がうまくいきません", False, None, None),
    ("年明けに点検項目の見直しをしたいです", False, None, None),
    ("4月から新年度なので、ユーザーの所属を一括で変更したいです", False, None, None),
    ("新しく入った方のアカウントを作りました、ありがとうございます", False, None, None),
    ("人数が減ったので、使っていないIDを整理したいです", False, None, None),
    ("ライセンスの更新手続きはいつまでに必要ですか", False, None, None),
    ("操作マニュアルの最新版をいただけますか", False, None, None),
    ("現場でタブレットを追加購入したので、初期設定の方法を教えてください", False, None, None),
    ("来週から現場が繁忙期に入るので、返信が遅れるかもしれません", False, None, None),
    ("先日の研修、ありがとうございました。参加者にも好評でした", False, None, None),
    ("請求先を本社から工場に変更してください", False, None, None),
    ("他の拠点の人がログインできないと言っています", False, None, None),
    ("Can you remind me how to add a site to our account? The docs link is broken", False, None, None),
    ("We're expanding the checklist with three more questions", False, None, None),
    ("Our Osaka office says the app is slow today", False, None, None),
    ("Thanks for the demo last week, the team enjoyed it", False, None, None),
    ("Please add Tanaka-san to the admin group", False, None, None),
    ("We're moving offices next month, does anything change for us?", False, None, None),
    ("We upgraded our phones, will the app still work?", False, None, None),
    ("Is there a way to export all users to CSV?", False, None, None),
    ("Budget season starts in January, I'll let you know if anything changes", False, None, None),
    ("Just checking: our renewal is in March, right?", False, None, None),
    ("More and more of our foremen are using the app every day, great job!", False, None, None),
    ("10名ほど増える予定です", True, "seats", None),
    ("協力会社にもIDを発行できたら便利なんですが、費用感を教えてください", True, "seats", None),
    ("来春から新工場が稼働します。そちらでもぜひ使いたいです", True, "seats", None),
    ("ゲンバカメラのデモをお願いできますか", True, "cross_sell", None),
    ("We're hiring 20 technicians in Q2, so we'll need more seats", True, "seats", "2027-04"),
    ("Would it be possible to get a quote for the Enterprise plan?", True, "plan", None),
    ("Our sister company wants to start using GenbaCheck too", True, "seats", None),
    ("下期から本格的に全社展開する予定です", True, "seats", "2026-10"),
    ("IDが20個じゃ全然足りないです", True, "seats", None),
    ("The Nagoya branch would like their own account as well", True, "seats", None),
    ("Can we get pricing for another 50 users?", True, "seats", None),
    ("あ、ID追加の件は解決しました！", False, None, None),
    ("今月は新規の現場がないので、点検も少なめです", False, None, None),
    ("展開の仕方がわからないので、画面共有で教えてもらえますか", False, None, None),
    ("全社朝礼でゲンバチェックの紹介をしました", False, None, None),
    ("アカウントの追加は管理者しかできないんでしたっけ？", False, None, None),
    ("新しいプランが出たって聞いたんですけど、うちには関係ないですよね", False, None, None),
    ("拡大表示ができなくなりました", False, None, None),
    ("上位の管理者に確認してから返信します", False, None, None),
    ("ライセンスキーが届いていません", False, None, None),
    ("来期の計画を立てているところです。決まったら共有しますね", False, None, None),
    ("他社さんはどのくらいのIDで運用されていますか？", False, None, None),
    ("Sorry for the delay, we added the users you mentioned", False, None, None),
    ("We'll expand on this in our next email", False, None, None),
    ("Can you upgrade my access to admin?", False, None, None),
    ("Our other office uses a different tool, so no need there", False, None, None),
    ("I'll be out next week, please contact Sato for anything urgent", False, None, None),
    ("The Pro plan's report export is broken", False, None, None),
    ("We need to add a new checklist for the Kobe site", False, None, None),
    ("Extra thanks to your support team!", False, None, None),
    ("Please cancel the extra seats we ordered by mistake", False, None, None),
    ("そろそろID買い足さないとまずいです", True, "seats", None),
    ("正直、もう10人分くらい欲しいです", True, "seats", None),
    ("グループ全体に広げる話が出ています", True, "seats", None),
    ("For next quarter we want to bring the Kobe and Osaka plants on board", True, "seats", "2027-01"),
    ("Any chance we could try GenbaCam for a month?", True, "cross_sell", None),
    ("We're looking at upgrading to Enterprise once our audit is done", True, "plan", None),
    ("Yes, we'll need another 15 licenses starting in February", True, "seats", "2027-02"),
    ("名古屋工場でも同じ不具合が起きています", False, None, None),
    ("Same sync issue at our Sendai plant", False, None, None),
    ("他の拠点からも写真が上がらないと連絡が来ました", False, None, None),
    ("北陸の現場でもアプリが立ち上がりません", False, None, None),
    ("異動した3名のアカウントを止めてください", False, None, None),
    ("使わなくなったタブレットの登録を解除したい", False, None, None),
    ("今のところIDは足りてます", False, None, None),
    ("We're fine with our current seat count", False, None, None),
    ("増員の予定は特にないです", False, None, None),
    ("There's no plan to roll it out elsewhere for now", False, None, None),
    ("追加したIDの分、請求書に載っていないようです", False, None, None),
    ("支払い方法を銀行振込に変えたいです", False, None, None),
    ("How can I give the new site manager access?", False, None, None),
    ("ユーザーの招待メールを再送する方法を教えてください", False, None, None),
    ("4月に予算が確定します", False, None, None),
    ("Our budget for next year gets approved in March", False, None, None),
    ("来週の月例会でお時間いただけますか", False, None, None),
    ("Can we move our monthly call to next Thursday?", False, None, None),
    ("新機能のご案内です。ぜひご活用ください", False, None, None),
    ("Hi team, we're launching GenbaTime next month - happy to show you a demo!", False, None, None),
    ("もし全社で使うなら…いや、まだ先の話ですね", False, None, None),
    ("If we ever add the Kyushu plants, we'll let you know, but not this year", False, None, None),
    ("他社のツールの方が安いって言われてまして…", False, None, None),
    ("A competitor quoted us half your price per seat", False, None, None),
    ("値上げされるとID増やしづらいですね", False, None, None),
    ("Seats are getting expensive, we can't add more at that price", False, None, None),
    ("先月購入した10ライセンス分、反映されていますか？", False, None, None),
    ("We bought 5 more seats last week - are they active yet?", False, None, None),
    ("4月から担当が変わります", False, None, None),
    ("Next quarter our office moves to Umeda", False, None, None),
    ("職人さんたちにもアプリを使ってもらいたいので、ID数を相談させてください", True, "seats", None),
    ("第2工場の立ち上げに合わせてゲンバチェックを入れたいです", True, "seats", None),
    ("エンプラにするとどんなメリットがありますか？", True, "plan", None),
    ("Could you price out 30 more seats for us for January?", True, "seats", "2027-01"),
    ("Our safety team is interested in GenbaCam - can we set up a call?", True, "cross_sell", None),
    ("Rolling this out to our Thai subsidiary is on the roadmap", True, "seats", None),
    ("現場から『もっとIDないの？』って言われてます", True, "seats", None),
    ("今期中にあと2拠点増やす計画です", True, "seats", None),
    ("ゲンバカメラとのセットプランってありますか", True, "cross_sell", None),
    ("スタンダードからプロに上げるといくら変わりますか", True, "plan", None),
    ("API連携を使いたいので、プランの相談をさせてください", True, "plan", None),
    ("九州支社の立ち上げが決まりまして、そちらでも使う方向です", True, "seats", None),
    ("申し込み書をいただければ、追加分すぐ発注します", True, "seats", None),
    ("全拠点で使えるようにしたいと上から言われてます", True, "seats", None),
    ("来月、新しく10名入社します。ID準備をお願いします", True, "seats", "2027-01"),
    ("IDの枠ってあと何個まで増やせますか？", True, "seats", None),
    ("Management wants every site on GenbaCheck by next fiscal year", True, "seats", "2027-04"),
    ("We're at 48 of 50 seats, so we'll need more soon", True, "seats", None),
    ("What would it cost to add the Kyushu region?", True, "seats", None),
    ("Is the audit log available on Pro, or do we need Enterprise?", True, "plan", None),
    ("We'd like to add GenbaTime to our subscription", True, "cross_sell", None),
    ("Our new Hiroshima depot opens in May, please set them up", True, "seats", "2027-05"),
    ("Could we bump our license count from 100 to 150?", True, "seats", None),
    ("Can we get a trial for the Osaka team before we commit to more seats?", True, "seats", None),
    ("ID足りてるか確認しますね", False, None, None),
    ("Did the extra seats get applied to our account?", False, None, None),
    ("来月から夜勤チームも使い始めるので、その分お願いします", True, "seats", "2027-01"),
    ("関西エリアにも入れていく予定です", True, "seats", None),
    ("ゲンバ勤怠の導入事例があれば教えてください", True, "cross_sell", None),
    ("うちもそろそろエンタープライズかなと思ってます", True, "plan", None),
    ("ライセンスの追加購入について相談させてください", True, "seats", None),
    ("SSO対応が必須になったので、プラン変更を検討しています", True, "plan", None),
    ("本社以外にも展開する話が出ています", True, "seats", None),
    ("あと3台分、端末のライセンスを足したいです", True, "seats", None),
    ("年内にもう一拠点オープンします", True, "seats", None),
    ("We want to expand GenbaCheck to our warehouses next year", True, "seats", None),
    ("Can you quote us for the Enterprise tier?", True, "plan", None),
    ("Our parent company is evaluating GenbaCheck for all their plants", True, "seats", None),
    ("We're adding a night shift in March and will need logins for them", True, "seats", "2027-03"),
    ("Do you offer a bundle with GenbaCam?", True, "cross_sell", None),
    ("Would love to get our Singapore team set up too", True, "seats", None),
    ("Thinking about going Pro this spring", True, "plan", None),
    ("ゲンバカメラは高いので今回は見送ります", False, None, None),
    ("来期もスタンダードのままで行きます", False, None, None),
    ("他の拠点でも同じ設定にしたいので、設定のコピー方法を教えてください", False, None, None),
    ("We'll stay on Standard for now", False, None, None),
    ("Not interested in GenbaTime at the moment, thanks", False, None, None),
    ("Can you add the Osaka office address to our invoice?", False, None, None),
    ("The new site manager can't find the add user button", False, None, None),
    ("そちらのサービス、グループ会社にも紹介したいので資料をいただけますか", True, "seats", None),
    ("今の契約だと何人まで使えるんでしたっけ？もう少し増えそうで", True, "seats", None),
    ("ゲンバカメラのトライアル、まだ申し込めますか？", True, "cross_sell", None),
    ("来年度の予算でプロプランを申請する予定です", True, "plan", "2027-04"),
    ("現場監督全員に持たせたいので、30台分お願いしたいです", True, "seats", None),
    ("アカウント数が上限に達しました", True, "seats", None),
    ("他の事業部からも問い合わせが来ていて、一度まとめて説明してもらえませんか", True, "seats", None),
    ("導入範囲を広げたいと思っています", True, "seats", None),
    ("We're onboarding a new client team in January and they'll need accounts", True, "seats", "2027-01"),
    ("Leadership asked for a proposal covering all 12 sites", True, "seats", None),
    ("Is there volume pricing if we go above 200 users?", True, "seats", None),
    ("We'd like to pilot GenbaTime at one plant", True, "cross_sell", None),
    ("Could we upgrade just one site to Pro?", True, "plan", None),
    ("アカウントを増やしすぎたので、少し減らしたいです", False, None, None),
    ("他の工場の分の請求書も一緒に送ってください", False, None, None),
    ("新しいiPadでもアプリは使えますか？", False, None, None),
    ("全社員に周知しておきます", False, None, None),
    ("We'll share this with the whole team", False, None, None),
    ("More users are logging in every day, thanks for the help", False, None, None),
    ("展開図のPDFを添付します", False, None, None),
    ("拡大すると画像がぼやけます", False, None, None),
    ("新しい支店長が着任しました。今後ともよろしくお願いします", False, None, None),
    ("他の現場監督にも共有しておきます", False, None, None),
    ("全員ログインできました！", False, None, None),
    ("追加で質問なんですが、CSVの文字コードは何ですか", False, None, None),
    ("アカウントが増えたせいか動作が重いです", False, None, None),
    ("Can we add more detail to the weekly report?", False, None, None),
    ("Our other office's Wi-Fi is down, so sync will be delayed", False, None, None),
    ("We grew our inspection count by 20% this quarter thanks to the app", False, None, None),
    ("Roll out of the new firmware went smoothly", False, None, None),
    ("Please expand the photo in the report, it's too small", False, None, None),
    ("Upgrade complete! The new version looks great", False, None, None),
    ("Can we get the Enterprise plan's invoice in PDF?", False, None, None),
    ("他の現場の方にも使ってもらいたいです", True, "seats", None),
    ("来年の春に新しい倉庫ができるので、そこの作業員分もお願いすることになりそうです", True, "seats", None),
    ("もう何人か使えるようにしたいんですが", True, "seats", None),
    ("今ある30IDだと回らなくなってきました", True, "seats", None),
    ("本格導入に向けて稟議を上げています", True, "seats", None),
    ("うちの部だけじゃなくて、隣の部も使いたいって言ってます", True, "seats", None),
    ("プロプランの見積もりもあわせてお願いできますか", True, "plan", None),
    ("ゲンバカメラって単体でも契約できますか？", True, "cross_sell", None),
    ("スマホだけじゃなくてタブレット用のライセンスも欲しいです", True, "seats", None),
    ("現場の要望で、写真機能付きのゲンバカメラも検討中です", True, "cross_sell", None),
    ("全店舗に展開する方向で動いてます", True, "seats", None),
    ("採用が決まった20名分、来月までにIDを用意してほしいです", True, "seats", "2027-01"),
    ("SSOが使えるプランに変えたいです", True, "plan", None),
    ("契約数を50から80に増やしたい", True, "seats", None),
    ("新設の営業所でも使わせてください", True, "seats", None),
    ("予算がついたので、ID追加の手続きを進めたいです", True, "seats", None),
    ("利用人数が増えそうなので、料金表をもらえますか", True, "seats", None),
    ("来期から協力会社さんの分も含めて契約したいです", True, "seats", "2027-04"),
    ("他のグループ会社でも検討が始まりました", True, "seats", None),
    ("上のグレードにしたら何ができるようになりますか", True, "plan", None),
    ("エンプラのトライアルってできますか", True, "plan", None),
    ("新しく入る派遣さんの分のアカウントが必要です", True, "seats", None),
    ("事業拡大に伴い、利用者を増やす予定です", True, "seats", None),
    ("ゲンバ勤怠、ちょっと話を聞いてみたいです", True, "cross_sell", None),
    ("本社の管理部門でも閲覧だけできるようにしたい", True, "seats", None),
    ("次の四半期からもう一拠点追加予定です", True, "seats", "2027-01"),
    ("夏以降に2工場目の立ち上げがあるので、その際はよろしくお願いします", True, "seats", "2027-09"),
    ("IDってまとめて買うと安くなったりしますか？50くらい考えてます", True, "seats", None),
    ("年明けに他県の現場も始まるので、アカウント追加お願いします", True, "seats", "2027-01"),
    ("何人かログインできないと言っています", False, None, None),
    ("もう何人か退職したので、IDを整理したいです", False, None, None),
    ("あと何個IDが残っているか確認できますか", False, None, None),
    ("協力会社さんの分の請求書も分けてもらえますか", False, None, None),
    ("新しい倉庫の住所に請求書を送ってください", False, None, None),
]


@pytest.mark.parametrize(("text", "hint", "category", "month"), FRESH)
def test_fresh_sentences(text: str, hint: bool, category: str | None, month: str | None) -> None:
    heard = hear(text)
    assert heard.hint is hint, heard
    if hint:
        assert heard.category is not None and heard.category.value == category, heard
        assert (heard.timing.isoformat()[:7] if heard.timing else None) == month, heard
        assert heard.kind is (Kind.CHICK if month else Kind.EGG)


def test_a_very_long_message_costs_little() -> None:
    long = "IDが足りなくなってきたので増やしたいです。" + "点検の記録です。" * 5000
    start = time.perf_counter()
    heard = hear(long)
    assert (
        time.perf_counter() - start < 0.2
        and heard.hint
        and heard.evidence == "IDが足りなくなってきたので増やしたいです"
    )
    words = "the site " * 5000
    start = time.perf_counter()
    hear(words)
    assert time.perf_counter() - start < 0.2


# dev3's categories are the rules' weak side (82 %: another product named by its common noun, a plan by a
# feature): its floor is lower until they are read.
@pytest.mark.parametrize(("name", "category_floor"), [("dev", 0.95), ("dev2", 0.95), ("dev3", 0.8)])
def test_the_dev_sets_stay_above_their_floors(name: str, category_floor: float) -> None:
    rows = [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line]
    assert len(rows) >= 250
    pairs = [(row, hear(row["text"], on=date.fromisoformat(row["date"]))) for row in rows]
    tp = sum(1 for row, heard in pairs if row["hint"] and heard.hint)
    fp = sum(1 for row, heard in pairs if not row["hint"] and heard.hint)
    fn = sum(1 for row, heard in pairs if row["hint"] and not heard.hint)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    # the dev sets reach 1.00 / 0.98-0.99 (bench/hearing.py); a regression of a few messages fails here
    assert precision >= 0.95 and recall >= 0.93, (precision, recall)
    found = [(row, heard) for row, heard in pairs if row["hint"] and heard.hint]
    category = sum(1 for row, heard in found if heard.category and heard.category.value == row["category"])
    kind = sum(1 for row, heard in found if heard.kind and heard.kind.value == row["kind"])
    assert category / len(found) >= category_floor and kind / len(found) >= 0.95
    chicks = [(row, heard) for row, heard in found if row["kind"] == "chick"]
    same_month = sum(1 for row, heard in chicks if heard.timing and heard.timing.isoformat()[:7] == row["timing"][:7])
    assert same_month / len(chicks) >= 0.93


# --- the base model shipped with the package -------------------------------------------------------


def test_the_shipped_base_model_is_what_the_training_script_writes() -> None:
    shipped_text = (Path(__file__).parent.parent / "hearing" / "base_model.json").read_text(encoding="utf-8")
    assert train_base_model.train().to_json() + "\n" == shipped_text  # re-run bench/train_base_model.py
    model = shipped()
    assert model is not None and detector.base is model and len(model.weights) > 1000
    hint = model.probability(detector.signals("来期から他の工場でも使いたいという話が出ています").names)
    no_hint = model.probability(detector.signals("請求書を再発行してください").names)
    assert hint > 0.5 > no_hint


def _model_of(weights: dict[str, float], intercept: float = 0.0) -> BaseModel:
    return BaseModel({feature_id(name): weight for name, weight in weights.items()}, intercept)


def test_the_base_model_vetoes_a_cue_only_when_sure() -> None:
    text = "ユーザーを増やしたいです"
    assert Detector(rules_only=True).hear(text, ON).hint
    assert not Detector(base=_model_of({"w:増やす": -5.0})).hear(text, ON).hint  # sure it is no hint
    assert Detector(base=_model_of({"w:増やす": -1.0})).hear(text, ON).hint  # merely doubtful: the rules decide


def test_the_base_model_hears_a_hint_no_cue_caught_only_when_sure() -> None:
    text = "人手が回らなくなってきました"
    assert not Detector(rules_only=True).hear(text, ON).hint
    heard = Detector(base=_model_of({"b:人手 が": 5.0})).hear(text, ON)
    assert heard.hint and heard.kind is Kind.EGG and heard.category is Category.OTHER and heard.score >= 0.85
    assert not Detector(base=_model_of({"b:人手 が": 1.0})).hear(text, ON).hint


def test_the_base_model_reads_the_teams_product_names_as_a_product_not_as_words() -> None:
    names = detector.signals("ゲンバカメラも気になっています").names
    assert "w:<product>" in names and not any("カメラ" in name for name in names)
    assert any("カメラ" in name for name in bare.signals("ゲンバカメラも気になっています").names)
    assert "w:<plan>" in detector.signals("エンタープライズプランの見積もりをください").names


def test_a_base_model_not_written_by_this_version_is_refused() -> None:
    with pytest.raises(ValueError):
        BaseModel.from_json('{"version": 99}')
    with pytest.raises(ValueError):
        BaseModel.from_json("not json")
    assert BaseModel.from_json(_model_of({"w:x": 1.5}, 0.25).to_json()) == _model_of({"w:x": 1.5}, 0.25)
