"""Town, county, city and province — only as the report itself states them (no gazetteer).

Sources in order of trust: the signature (覃斗镇人民政府), the title (黔江区马喇镇人民政府关于…),
the addressee (雷州市依法行政工作领导小组办公室 → the county-level unit above the town), and
mentions in the body (衡阳县委, 在湛江市、雷州市委…的领导下). Works on simplified text.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from archive.model import Provenance

PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省",
    "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区",
    "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
)
_TOWN_UNIT = r"(?:民族乡|街道办事处|街道|镇|乡)"
_TOWN_RE = re.compile(rf"([\u4e00-\u9fff]{{1,8}}?){_TOWN_UNIT}(?![村土亲愁贤里下镇])")
_UNIT_RE = re.compile(r"[\u4e00-\u9fff]+?(?:自治州|地区|盟|自治县|县|区|旗|市)")
_ADMIN_CHARS = set("省市县区镇乡村委")
_STOP_STEMS = {"乡", "城", "集", "小", "全", "本", "我", "该", "各", "每", "城关"}
_BOUNDARY = r"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[在于对由经据向及和与为是的将把]))"
_BODY_TOWN_RE = re.compile(rf"{_BOUNDARY}([\u4e00-\u9fff]{{2,4}}?{_TOWN_UNIT})(?![村土亲愁贤里下镇])")
_COUNTY_CONTEXT = r"(?=委|人民政府|政府|全面依法|依法治|人大|政协|司法局|普法|政务|法院|检察院|、|和|及|[，,]|\d{4}年)"
_BODY_COUNTY_RE = re.compile(rf"{_BOUNDARY}([\u4e00-\u9fff]{{2,4}}?(?:自治县|县|区|旗|市)){_COUNTY_CONTEXT}")
_CITY_PAIR_RE = re.compile(r"([\u4e00-\u9fff]{2,4}?市)[、和及]?([\u4e00-\u9fff]{2,4}?市)(?=委|人民政府|政府)")

Found = dict[str, tuple[str, Provenance]]


def _stem_ok(stem: str) -> bool:
    """A plausible place-name stem: no unit characters inside, not 全镇/我县…, not a phrase."""
    return (bool(stem) and not (_ADMIN_CHARS & set(stem)) and stem not in _STOP_STEMS
            and stem[-1] not in "全本我该各每" and not (set(stem) & set("了的是被把")))


# 城乡 (urban and rural) and 城镇 (towns in general) end like a town: 统筹城乡, 住房城乡建设,
# 负责城镇规划. In the body, two or more characters before them make a phrase, not a name;
# one-character names such as 古城镇 and 新城乡 stay, and titles and signatures are not affected.
_BODY_TOWN_PHRASE = re.compile(r"[\u4e00-\u9fff]{2,}城[乡镇]$")
# A body mention names the reporting town only where a town acts or is organised: 赵集镇政府,
# 和平镇党委, "2024年，赵集镇坚持…". Laws and plans say 报乡、镇人民政府 or 全国城乡 without it.
_TOWN_ACTS = re.compile(r"(?:党委|人民政府|政府|人大|司法所|纪委|党政|坚持|始终|深入|认真|全面|围绕|紧紧|严格|"
                        r"积极|高度|扎实|持续|法治政府建设)")


# Words of a sentence, not of a name: "应当向镇人民政府报告" must not give the town 应当向镇.
_PHRASE_WORDS = re.compile("应当|可以|必须|负责|报告|有关|所在|以上|以下|按照|依照")


def _body_town_ok(name: str) -> bool:
    return (not _BODY_TOWN_PHRASE.search(name) and not _PHRASE_WORDS.search(name)
            and _stem_ok(re.sub(_TOWN_UNIT + "$", "", name)))


def _body_towns(lines: str) -> list[str]:
    """Town names mentioned in the body; only names seen at least once in an acting context count."""
    names, acting = [], set()
    for m in _BODY_TOWN_RE.finditer(lines):
        name = m.group(1)
        if _body_town_ok(name):
            names.append(name)
            if _TOWN_ACTS.match(lines, m.end()):
                acting.add(_trim(name))
    return [n for n in names if any(_trim(n).endswith(a) or a.endswith(_trim(n)) for a in acting)]


def parse_chain(text: str) -> dict[str, str]:
    """Places named at the start of an organisation name or title: 黔江区马喇镇人民政府 →
    {county: 黔江区, town: 马喇镇}; 湖南省衡阳县三湖镇… → province, county, town."""
    text = re.sub(r"^(中共|关于|中国共产党)", "", text)
    out: dict[str, str] = {}
    for p in PROVINCES:
        if text.startswith(p):
            out["province"], text = p, text[len(p):]
            break
    m = _TOWN_RE.match(text)
    if not m:
        return out if out else {}
    prefix, town = m.group(1), m.group(0)[len(m.group(1)):]
    units = _UNIT_RE.findall(prefix)
    stem = prefix[sum(map(len, units)):]
    popped = not stem and bool(units)
    if popped:  # 新市镇: the "unit" was part of the town's own name
        stem = units.pop()
    if not (_stem_ok(stem) or popped) or len(stem) > 6:
        return out
    out["town"] = stem + town
    for u in units:
        if u.endswith(("自治州", "地区", "盟")) or (u.endswith("市") and len(units) > 1 and u == units[0]):
            out["city"] = u
        else:
            out["county"] = u
    return out


# A match may start one word early ("在湛江市", "依托衡阳县"): these words never begin a
# place name often enough to keep, and the name left after them must still be 2+ characters.
_LEADING_WORDS = re.compile(r"^(?:依托|按照|根据|通过|在|对|经|据|将|把|的|是|及|与|由)")


def _trim(name: str) -> str:
    m = _LEADING_WORDS.match(name)
    return name[m.end():] if m and len(name) - m.end() >= 3 else name


def _most_common(names: list[str]) -> Optional[tuple[str, int]]:
    """The most frequent name; a name also counts where a longer candidate ends with it."""
    if not names:
        return None
    counts = Counter(_trim(n) for n in names)
    merged = {n: sum(c for m, c in counts.items() if m.endswith(n)) for n in counts}
    return max(merged.items(), key=lambda kv: (kv[1], len(kv[0])))


def find_places(title: Optional[str], issuer: Optional[str], addressee: Optional[str],
                body: list[str]) -> Found:
    found: Found = {}

    def put(field: str, value: Optional[str], source: str, conf: float) -> None:
        if value and field not in found:
            found[field] = (value, Provenance(source, conf))

    for text, source in ((issuer, "signature"), (title, "title")):
        for field, value in parse_chain(text or "").items():
            put(field, value, source, 0.9)
    # No match crosses a line, so each pattern only scans the lines holding its unit words.
    text = "\n".join(body)
    town_lines = "\n".join(t for t in body if "镇" in t or "乡" in t or "街道" in t)
    unit_lines = "\n".join(t for t in body if "县" in t or "区" in t or "旗" in t or "市" in t)
    towns = _body_towns(town_lines)
    best = _most_common(towns)
    if best and best[1] >= 2:  # a single mention may be a phrase ("自觉接受镇人大监督")
        put("town", best[0], "body", 0.8 if best[1] >= 3 else 0.6)

    county_level: list[str] = []
    if addressee:
        m = re.match(r"[\u4e00-\u9fff]{2,4}?(?:自治县|县|区|旗|市)", addressee)
        if m and _stem_ok(m.group(0)[:-1]) and not addressee.startswith(m.group(0) + "委、"):
            county_level.append(m.group(0))
            put("county", m.group(0), "body", 0.75)
    mentions = [m.group(1) for m in _BODY_COUNTY_RE.finditer(unit_lines)
                if _stem_ok(m.group(1)[:-1].removesuffix("自治"))]
    counties = [n for n in mentions if not n.endswith("市")]
    cities = [n for n in mentions if n.endswith("市") and n not in PROVINCES]
    best = _most_common(counties)
    if best:
        put("county", best[0], "body", 0.8 if best[1] >= 2 else 0.65)
    for pair in _CITY_PAIR_RE.finditer(unit_lines):  # 湛江市、雷州市委: the second is county-level
        city, county = _trim(pair.group(1)), _trim(pair.group(2))
        if _stem_ok(city[:-1]) and _stem_ok(county[:-1]) and city != county:
            put("county", county, "body", 0.7)
            put("city", city, "body", 0.7)
    county = found.get("county", ("",))[0]
    best = _most_common([c for c in map(_trim, cities) if c != county and c not in county_level])
    if best:
        put("city", best[0], "body", 0.7 if best[1] >= 2 else 0.55)
    for p in PROVINCES:
        if p in text or p in (title or ""):
            put("province", p, "body", 0.8)
            break
    return found
