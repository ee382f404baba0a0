"""Town, county, city and province of a report, and the level it reports at.

Every name that can become a place must be one the national gazetteer knows (`importers.
gazetteer`); a phrase ending in 镇/乡/街道 is used for the town only when no gazetteer town is
named (a town merged or renamed since keeps the name as written), and a phrase ending in
县/区/市 never becomes a place. Where a name is written weighs how much it counts: the title,
the issuing lines and the signature most, then the site's metadata (发布机构, 来源), the first
sentences, and single mentions in the body least.

The town's county, city and province are what the text states when the gazetteer agrees; else
the gazetteer's when the town's name is unique nationally, or when exactly one of its namesakes
lies in a county, city or province the text names (source `gazetteer`). Otherwise the fields stay
empty and the namesakes are returned as candidates for the reviewer.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Optional

from archive.model import Provenance
from importers import gazetteer
from importers.placenames import Mention, mentions

LEVELS = ("town", "county", "city", "province")
# How much a mention counts, by where it is written.
WEIGHTS = {"title": 10, "head": 8, "signature": 10, "metadata": 5, "addressee": 4, "intro": 3, "header": 2,
           "body": 1}
SOURCE_OF_ZONE = {"title": "title", "head": "body", "signature": "signature", "metadata": "metadata",
                  "addressee": "body", "intro": "body", "header": "metadata", "body": "body"}
_STRONG = ("title", "head", "signature", "metadata")   # where an organisation names itself
_CAPTION = re.compile(r"^(?:图为|图：|图:|（图|\(图)|(?:摄|供图)$")
_FIRST_WORDS = 60   # the subject of the first sentence: "2022年，管城回族区法治政府建设工作…"


@dataclass
class Texts:
    """The report's text by where it sits (all simplified)."""
    title: Optional[str] = None
    head: list[str] = field(default_factory=list)      # issuing lines around the title
    signature: Optional[str] = None
    addressee: Optional[str] = None
    metadata: list[str] = field(default_factory=list)  # site metadata naming an organisation
    header: list[str] = field(default_factory=list)    # the site's header lines (site name…)
    intro: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    doc_number: Optional[str] = None

    def zones(self):
        """(zone, its text): the paragraphs of a zone joined by line breaks; photo captions
        (图为…, …摄) left out of the body."""
        yield "title", self.title or ""
        for zone in ("head", "metadata", "intro", "header"):
            yield zone, "\n".join(getattr(self, zone))
        yield "body", "\n".join(t for t in self.body if not _CAPTION.search(t))
        yield "signature", self.signature or ""
        yield "addressee", self.addressee or ""


@dataclass
class Found:
    fields: dict[str, tuple[str, Provenance]] = field(default_factory=dict)
    level: Optional[str] = None
    candidates: list[dict[str, str]] = field(default_factory=list)  # when the place is ambiguous
    level_confidence: float = 0.0
    level_evidence: str = ""

    def put(self, name: str, value: Optional[str], source: str, confidence: float) -> None:
        if value and name not in self.fields:
            self.fields[name] = (value, Provenance(source, round(confidence, 2)))


def find_places(texts: Texts) -> Found:
    national = _national(texts)
    if national:   # the State Council's: no province, whatever provinces it speaks of
        return Found(level="national", level_confidence=0.95, level_evidence=national)
    named: dict[str, Counter] = defaultdict(Counter)     # level → name → weight
    where: dict[str, str] = {}                            # name → strongest zone
    for zone, text in texts.zones():
        found_here = mentions(text)
        if zone in ("intro", "body"):
            found_here = [m for m in found_here if _names_a_town_here(text, m, texts)]
        if zone in ("intro", "body"):   # running text names other places; only an organisation counts
            found_here = [m if _as_organisation(text, m, zone) else Mention(m.start, m.end, m.name, m.levels & {"town"})
                          for m in found_here]
            found_here = [m for m in found_here if m.levels]
        for m in found_here:
            for level in m.levels - ({"town"} if zone == "header" else set()):  # a menu of towns
                named[level][m.name] += WEIGHTS[zone]
            if m.name not in where or WEIGHTS[zone] > WEIGHTS[where[m.name]]:
                where[m.name] = zone
        if zone in _STRONG:
            for county in _unlisted_counties(text, found_here):
                named["county"][county] += WEIGHTS[zone]
                where.setdefault(county, zone)
    found = Found()
    found.level, found.level_confidence, found.level_evidence = _level(texts, named)
    town = _town(named["town"], where, found.level, texts) or _slogan_town(texts, named)
    phrase = _written_town(texts) if found.level in (None, "town") else None
    if town and phrase and _longer_name(phrase[0], town):
        town = None   # 青石桥镇 is not 石桥镇: the text's own name, which the list lacks
    if town:
        if found.level != "town":
            found.level, found.level_confidence, found.level_evidence = "town", 0.7, f"正文以{town}的口吻"
        found.put("town", town, SOURCE_OF_ZONE.get(where.get(town), "body"),
                  _town_confidence(named["town"][town]))
        _above_town(found, town, named, where, texts)
    else:
        phrase = phrase or (_body_town(texts) if found.level in (None, "town") else None)
        if phrase:
            if found.level != "town":
                found.level, found.level_confidence, found.level_evidence = "town", 0.6, f"写明乡镇 {phrase[0]}"
            found.put("town", *phrase)
        _above(found, named, where)
    if found.level == "province" and "province" not in found.fields:
        short = _province_by_short_name("\n".join(t for _, t in texts.zones()))
        found.put("province", short, "body", 0.7)
    return found


_UNLISTED_COUNTY = re.compile(r"(?:关于)?([\u4e00-\u9fff]{2,4}?(?:自治县|县|区|市|旗))$")
_PARTY = re.compile(r"^(?:中共|中国共产党)")
# A division named in running text counts (for a county, city or province) only as an
# organisation: 在雷州市委、市政府的领导下, 《乌审旗…清单》, 传达英德市有关会议精神 (its meetings),
# not 沿海城市 or 香港特别行政区 in passing.
_ORGANISATION = re.compile(r"(?:党委|党工委|委|人民政府|政府|人大|办事处|司法局|法院|(?:有关)?会议)")


def _as_organisation(text: str, m, zone: str) -> bool:
    """Whether a division named in running text stands for an organisation or a document of its
    own: before 委/政府…, at the start of a 《title》 or of a sentence, or as the subject of the
    first sentence."""
    return (bool(_ORGANISATION.match(text, m.end)) or text[m.start - 1:m.start] in ("《", "", "\n", "。", "；")
            or (zone == "intro" and m.start < _FIRST_WORDS))
_ZONE_NOT_COUNTY = re.compile(r"(?:开发|高新|新|示范|园|经济|工业|保税|综合|管理|社)区$")  # 高新区 is no county


_WORD_BEFORE = re.compile(r"[\u4e00-\u9fff]")
_BOUNDARY_BEFORE = set("在于对和与及、的由经向将把为是据至到以从同跟共省市州县区旗盟镇乡街道")


# Names that end in a common word (古城镇, 于城镇: 城镇; 新城乡: 城乡) and where a town acts.
_COMMON_ENDING = re.compile(r"(?:城镇|城乡|村镇|集镇|乡镇)$")
_TOWN_ACTS = re.compile(r"党委|党工委|人民政府|政府|人大|司法所|坚持|始终|深入|认真|全面|围绕|紧紧|严格|积极|"
                        r"高度|扎实|持续|法治政府建设")


def _names_a_town_here(text: str, m, texts: Texts) -> bool:
    """Whether a name in running text names a town: not where it ends in a common word
    (提高城镇化, 对于城镇) unless a town acts right after it; and, starting inside a word
    (强化伊金霍洛镇, 历史文化街道), only in a text that speaks as a town (我镇…)."""
    if "town" not in m.levels:
        return True
    before = text[m.start - 1:m.start]
    inside = bool(_WORD_BEFORE.match(before)) and before not in _BOUNDARY_BEFORE
    phrase_like = inside or (len(m.name) == 3 and m.name[0] in _BOUNDARY_BEFORE)  # 于|城镇
    if _COMMON_ENDING.search(m.name) and phrase_like and not _TOWN_ACTS.match(text, m.end):
        return False
    return not inside or _speaks_as_town(m.name, texts)


def _unlisted_counties(text: str, found: list) -> list[str]:
    """County names the list lacks (renamed or merged since) that an organisation's name states
    right before its town: 重庆市渝北区大盛镇人民政府 → 渝北区. A party committee's prefix is no
    part of it (中共滑县万古镇委员会: not 中共滑县)."""
    out = []
    for before, m in zip([None] + found, found):
        if "town" not in m.levels:
            continue
        gap = text[before.end if before else text.rfind("\n", 0, m.start) + 1:m.start]
        gap = _PARTY.sub("", gap.strip())
        unit = _UNLISTED_COUNTY.fullmatch(gap.strip())
        if (unit and not gazetteer.is_name(unit.group(1)) and _stem_ok(unit.group(1)[:-1])
                and not _ZONE_NOT_COUNTY.search(unit.group(1))):
            out.append(unit.group(1))
    return out


# The one-character abbreviations, as in 来陕考察, 在湘工作 (the short names are the gazetteer's).
_ABBREVIATIONS = dict(zip("京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀黔滇藏陕秦甘陇青宁新",
                          ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏",
                           "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西",
                           "海南", "重庆", "四川", "四川", "贵州", "云南", "西藏", "陕西", "陕西", "甘肃",
                           "甘肃", "青海", "宁夏", "新疆")))
_ABBREVIATED = re.compile(f"(?:来|在|对|赴|到|入|视察)([{''.join(_ABBREVIATIONS)}])(?:考察|工作|调研|视察|重要讲话)")


def _province_by_short_name(text: str) -> Optional[str]:
    """A province's report may name it only by its short name (考察上海, 对内蒙古的指示) or its
    abbreviation (来陕考察)."""
    shorts = gazetteer.province_short_names()
    counts = Counter({short: text.count(short) for short in shorts})
    counts.update(_ABBREVIATIONS[a] for a in _ABBREVIATED.findall(text))
    short, n = counts.most_common(1)[0]
    return shorts[short] if n else None


_SELF_TOWN = re.compile(r"[我本全](?:镇|乡|街道)(?![长村])|我街")
_SELF_COUNTY = re.compile(r"[我本全][县旗]|[我本]区|(?:^|[，,]\s*)[县区旗](?:人民)?政府(?!办|工作)")
# How a province's or a municipality's own report speaks of itself without its name.
_SELF_PROVINCE = re.compile(r"全省|[我本]省|省(?:人民)?政府|自治区人民政府|全区各级人民政府|全市各区|结合自治区实际")
_SELF_CITY = re.compile(r"[我本]市|(?:^|[，,]\s*)市(?:人民)?政府(?!办|工作)")


# The State Council's own reports (政府工作报告 since 1954): named in the title or signature, or
# the premier speaks for it in the first lines.
_NATIONAL_NAME = re.compile(r"国务院|中央人民政府|中华人民共和国政府")
_NATIONAL_SPEAKS = re.compile(r"我(?:现在)?代表(?:国务院|中央人民政府)|全国人民代表大会第.{1,3}次会议")


def _national(texts: Texts) -> str:
    """Why the report is the State Council's, or "" when it is not."""
    for text, where in ((texts.title, "标题"), (texts.signature, "落款"), (" ".join(texts.head), "发文机关")):
        if text and _NATIONAL_NAME.search(text) and not mentions(text):
            return f"{where}是国务院"
    first = "\n".join(texts.intro[:3])[:300]
    if _NATIONAL_SPEAKS.search(first) and not mentions(texts.title or ""):
        return "开头代表国务院向全国人民代表大会报告"
    return ""


_LEVEL_ZONES = (("title", "标题", 0.95), ("head", "发文机关", 0.95), ("signature", "落款", 0.9),
                ("first", "第一句", 0.8))


def _municipality(texts: Texts) -> Optional[str]:
    """北京市/天津市/上海市/重庆市 when the title, the page's metadata or the first paragraph names it."""
    text = "\n".join((texts.title or "", *texts.metadata, *texts.intro[:1]))
    return next((m.name for m in mentions(text) if "province" in m.levels and m.name.endswith("市")), None)


def _level(texts: Texts, named: dict[str, Counter]) -> tuple[Optional[str], float, str]:
    """The level of the unit that reports, its confidence and evidence: the lowest division named
    in the title, else in the issuing lines or the signature, else how the first sentence speaks
    (我镇; 全省) or whom it names."""
    first = next((t for t in texts.intro if len(t) > 40 or "，" in t), "")[:_FIRST_WORDS]
    zones = {"title": texts.title, "head": " ".join(texts.head), "signature": texts.signature, "first": first}
    for zone, label, confidence in _LEVEL_ZONES:
        text = zones[zone]
        if zone == "first" and _SELF_TOWN.search(first):
            return "town", 0.85, "第一句以乡镇口吻（我镇/本乡…）"
        if zone == "first" and _SELF_COUNTY.search(first):
            return "county", 0.85, "第一句以县区口吻（我县/区政府…）"
        found = {lv: m.name for m in mentions(text or "") for lv in m.levels}
        for level in LEVELS:
            if level in found:
                return level, confidence, f"{label}写明{found[level]}"
    if _SELF_PROVINCE.search(first):
        return "province", 0.8, "第一句以省级口吻（全省/省政府…）"
    if _SELF_CITY.search(first):
        municipality = _municipality(texts)   # 我市 in Tianjin's own text: a province-level city
        return (("province", 0.75, f"第一句以{municipality}的口吻") if municipality
                else ("city", 0.75, "第一句以市级口吻（我市/市政府…）"))
    for m in mentions("\n".join(texts.metadata)):
        for level in LEVELS:
            if level in m.levels:
                return level, 0.6, f"网页的发布机构或来源是{m.name}"
    opening = "\n".join((texts.title or "", *texts.intro[:1]))
    if _SELF_PROVINCE.search(opening):
        return "province", 0.7, "开头以省级口吻（全省/省政府…）"
    if _SELF_CITY.search(opening):
        return "city", 0.7, "开头以市级口吻（我市/市政府…）"
    return None, 0.0, ""


def _longer_name(written: str, listed: str) -> bool:
    """`written` is a town name one or two characters longer than the gazetteer's `listed`
    (青石桥镇 / 石桥镇), which the text only seemed to name."""
    extra = written[:-len(listed)] if written.endswith(listed) else ""
    return 1 <= len(extra) <= 2 and _stem_ok(extra) and not gazetteer.is_name(written)


def _town(weights: Counter, where: dict[str, str], level: Optional[str], texts: Texts) -> Optional[str]:
    if not weights:
        return None
    name, weight = max(weights.items(), key=lambda kv: (kv[1], -_order(where[kv[0]])))
    if level not in (None, "town") and where[name] not in ("title", "head", "signature"):
        return None   # a county's report names its towns; it is not theirs
    if where[name] in ("body", "addressee") and not _speaks_as_town(name, texts):
        return None   # 文明村镇, 对于城镇: a name in running text of a file that is no town's
    return name


_SLOGAN = re.compile(r"法治([\u4e00-\u9fff]{2,3})(?=建设|”|\"|」)")


def _slogan_town(texts: Texts, named: dict[str, Counter]) -> Optional[str]:
    """A report that names its town only in a slogan (推进“法治东里”建设): the listed town
    of that short name, when exactly one of them lies in a county or city the text names."""
    body = "\n".join((*texts.intro, *texts.body))
    for short in dict.fromkeys(_SLOGAN.findall(body)):
        for unit in ("镇", "乡", "街道"):
            chains = [gazetteer.place_of(u.code) for u in gazetteer.towns_named(short + unit)]
            agreeing = [c for c in chains if _agreement(c, named) >= 30]
            if len(agreeing) == 1 and _speaks_as_town(short + unit, texts):
                return short + unit
    return None


def _speaks_as_town(name: str, texts: Texts) -> bool:
    """The text speaks as a town of `name`'s kind: 我镇/本乡/全街道, 镇党委, 街道党工委."""
    unit = "街" if name.endswith("街道") else name[-1]
    pattern = f"[我本全]{unit}|(?<![乡、]){unit}(?:道)?(?:党委|党工委|政府)"
    return any(re.search(pattern, t) for t in (*texts.intro, *texts.body))


def _order(zone: str) -> int:
    return list(WEIGHTS).index(zone)


def _town_confidence(weight: int) -> float:
    return 0.95 if weight >= 10 else 0.85 if weight >= 5 else 0.7 if weight >= 2 else 0.5


def _agreement(chain: dict[str, str], named: dict[str, Counter], doc_prefix: str = "",
               text: str = "") -> int:
    """How strongly the text names the divisions above a candidate: county 3, city 2, province 1
    (a short name such as 法治东莞 in `text` counts half)."""
    score = 0
    for level, factor in (("county", 3), ("city", 2), ("province", 1)):
        if chain.get(level) and named[level][chain[level]]:
            score += factor * 10 + min(named[level][chain[level]], 9)
        elif level != "province" and len(_short(chain.get(level, ""))) >= 2 and _short(chain[level]) in text:
            score += factor * 5
    county = chain.get("county", "")
    if doc_prefix and county and county.startswith(doc_prefix):
        score += 5
    return score


def _short(name: str) -> str:
    """东莞市 → 东莞, 英德市 → 英德; names of one character plus unit stay whole."""
    short = re.sub(r"(?:自治州|自治县|地区|市|县|区|旗|盟)$", "", name)
    return short if len(short) >= 2 else name


def _doc_prefix(doc_number: Optional[str]) -> str:
    """The place part of a 文号: 沙府〔2024〕3号 → 沙, 丰都府办〔2025〕37号 → 丰都."""
    m = re.match(r"([\u4e00-\u9fff]{1,4}?)(?:府|政|委|办|发)", doc_number or "")
    return m.group(1) if m else ""


def _above_town(found: Found, town: str, named: dict[str, Counter], where: dict[str, str],
                texts: Texts) -> None:
    units = gazetteer.towns_named(town)
    chains = [gazetteer.place_of(u.code) for u in units]
    prefix = _doc_prefix(texts.doc_number)
    whole = "\n".join(t for _, t in texts.zones()).replace(town, "")  # 宁安镇 does not say 宁安市
    scores = [_agreement(c, named, prefix, whole) for c in chains]
    best = max(scores)
    stated = {n for n in named["county"] if where[n] in _STRONG}
    if stated and not any(c.get("county") in stated for c in chains):  # the text knows better
        found.candidates = [dict(c) for c in chains] if len(chains) > 1 and not best else []
        _above(found, named, where)
        return
    left = [c for c, s in zip(chains, scores) if s == best]
    kind = _county_kind(whole)
    if len(left) > 1 and kind and any(c.get("county", "").endswith(kind) for c in left):
        left = [c for c in left if c.get("county", "").endswith(kind)]  # 在区委、区政府的领导下
    if len(left) > 1:
        found.candidates = [dict(c) for c in left]
    # Fields every remaining candidate shares are known; stated ones keep their source.
    for level in ("county", "city", "province"):
        values = {c.get(level) for c in left}
        if len(values) != 1 or None in values:
            continue
        value = values.pop()
        if value in where and named[level][value]:
            found.put(level, value, SOURCE_OF_ZONE[where[value]], 0.9)
        else:
            found.put(level, value, "gazetteer", 0.9 if best else 0.8)


def _county_kind(text: str) -> str:
    """县, 区, 旗 or 市 when the text speaks of the town's superiors by one kind only (县委、县政府;
    区委; only 市委: a county-level city), else ""."""
    kinds = {k for k in "县区旗市" if re.search(f"(?:^|[^\u4e00-\u9fff]|[在和及与由对向经]){k}(?:委|人民政府|政府)", text,
                                             re.M)}
    return kinds.pop() if len(kinds) == 1 else ""


def _above(found: Found, named: dict[str, Counter], where: dict[str, str]) -> None:
    """County, city and province without a gazetteer town: the divisions the text names, made
    whole by the gazetteer where the name leaves no doubt."""
    for level in ("county", "city", "province"):
        if level in found.fields or not named[level]:
            continue
        if found.level == "province" and level != "province":
            continue
        if found.level == "city" and level == "county":
            continue
        weight, name = max((w, n) for n, w in named[level].items())
        chains = [gazetteer.place_of(u.code) for u in gazetteer.named(name, level)]
        agreeing = [c for c in chains if _agreement(c, named) > 30 * (level == "county")]
        if where[name] in ("body", "intro") and weight < 2 and found.level != level and not agreeing:
            continue  # named once in passing, and nothing else in the text places it
        found.put(level, name, SOURCE_OF_ZONE[where[name]], 0.8 if weight >= 5 else 0.65)
        agreeing = agreeing or chains
        if len(agreeing) == 1:
            for upper in LEVELS[LEVELS.index(level) + 1:]:
                found.put(upper, agreeing[0].get(upper), "gazetteer", 0.85)
        elif len(agreeing) > 1 and found.level == level:
            found.candidates = agreeing


# ---- towns the gazetteer does not know (merged or renamed since): phrases, as written --------

_TOWN_UNIT = r"(?:民族乡|街道办事处|街道|镇|乡)"
_TOWN_RE = re.compile(rf"([\u4e00-\u9fff]{{1,8}}?){_TOWN_UNIT}(?![村土亲愁贤里下镇])")
_UNIT_RE = re.compile(r"[\u4e00-\u9fff]+?(?:自治州|地区|盟|自治县|县|区|旗|市)")
_ADMIN_CHARS = set("省市县区镇乡村委")
_STOP_STEMS = {"乡", "城", "集", "小", "全", "本", "我", "该", "各", "每", "城关"}


def _stem_ok(stem: str) -> bool:
    """A plausible place-name stem: no unit characters inside, not 全镇/我县…, not a phrase."""
    return (bool(stem) and not (_ADMIN_CHARS & set(stem)) and stem not in _STOP_STEMS
            and stem[-1] not in "全本我该各每" and not (set(stem) & set("了的是被把")))


def parse_chain(text: str) -> dict[str, str]:
    """The town named at the start of an organisation name or title, as written:
    黔江区马喇镇人民政府 → {town: 马喇镇}; the units before it are left to the gazetteer."""
    text = re.sub(r"^(中共|关于|中国共产党)", "", text)
    m = _TOWN_RE.match(text)
    if not m:
        return {}
    prefix, town = m.group(1), m.group(0)[len(m.group(1)):]
    units = _UNIT_RE.findall(prefix)
    stem = prefix[sum(map(len, units)):]
    popped = not stem and bool(units)
    if popped:  # 新市镇: the "unit" was part of the town's own name
        stem = units.pop()
    if not (_stem_ok(stem) or popped) or len(stem) > 6:
        return {}
    return {"town": stem + town.replace("街道办事处", "街道")}


_BODY_TOWN_RE = re.compile(rf"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{{2,3}}{_TOWN_UNIT})(?![长村镇]|社区)"
                           rf"|(?<=[在于对由经据向及和与为是的将把入])([\u4e00-\u9fff]{{2,3}}{_TOWN_UNIT})(?![长村镇]|社区)")


def _written_town(texts: Texts) -> Optional[tuple[str, str, float]]:
    """A town as an organisation's name writes it (signature, title, issuing lines), listed or
    not: (name, source, confidence)."""
    for text, source in ((texts.signature, "signature"), (texts.title, "title"),
                         *((h, "body") for h in texts.head)):
        town = parse_chain(text or "").get("town")
        if town:
            return town, source, 0.6
    return None


def _body_town(texts: Texts) -> Optional[tuple[str, str, float]]:
    """A town the gazetteer does not list, named twice in the body of a report that calls
    itself 我镇/我乡/我街道: (name, source, confidence)."""
    body = "\n".join(texts.intro + texts.body)
    if not re.search("[我本全][镇乡街]", body):
        return None
    found = [(m.group(1) or m.group(2), m.end()) for m in _BODY_TOWN_RE.finditer(body)]
    names = Counter(name for name, _ in found)
    acting = {name for name, end in found if _TOWN_ACTS.match(body, end) or body.startswith("委", end)}
    for name, n in names.most_common():
        unit = re.search(_TOWN_UNIT + "$", name).group(0)
        if (n >= 2 and name in acting and _stem_ok(name[:-len(unit)]) and not _COMMON_ENDING.search(name)
                and re.search(f"[我本全]{unit[0]}", body)):
            return name, "body", 0.5
    return None
