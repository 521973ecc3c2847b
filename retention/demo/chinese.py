"""The demo organisation in Simplified Chinese (``seed_demo --locale zh-hans``).

Everything here is synthetic: a person's name is a common surname and one or two given-name
characters drawn at random, a company is a city, a two-character brand, an industry word and a
legal form (上海恒瑞贸易有限公司), built from parts; no real person's or company's data.

Only words change: the names are drawn on their own random stream (``[seed, 7]``) after the
English organisation is complete, and every other text is a word-for-word table of the English
one, so the same seed gives the same reps, departures, customers and numbers in either language.
The terms follow docs/glossary-zh-hans.md.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from retention.demo.generate import Org

LOCALE = "zh-hans"
NAME_STREAM = 7  # np.random.default_rng([seed, NAME_STREAM]): names only

# Common surnames, with pinyin for the e-mail addresses.
SURNAMES = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("罗", "luo"),
    ("高", "gao"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("许", "xu"),
    ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
    ("彭", "peng"),
    ("曾", "zeng"),
    ("肖", "xiao"),
    ("田", "tian"),
    ("董", "dong"),
    ("袁", "yuan"),
    ("潘", "pan"),
    ("蒋", "jiang"),
    ("蔡", "cai"),
    ("余", "yu"),
    ("杜", "du"),
    ("叶", "ye"),
    ("程", "cheng"),
    ("苏", "su"),
    ("魏", "wei"),
    ("吕", "lv"),
    ("丁", "ding"),
    ("任", "ren"),
    ("沈", "shen"),
    ("姚", "yao"),
    ("卢", "lu"),
    ("姜", "jiang"),
    ("崔", "cui"),
    ("钟", "zhong"),
    ("谭", "tan"),
    ("陆", "lu"),
    ("汪", "wang"),
    ("范", "fan"),
    ("金", "jin"),
    ("石", "shi"),
    ("廖", "liao"),
    ("贾", "jia"),
    ("夏", "xia"),
    ("方", "fang"),
    ("白", "bai"),
    ("邹", "zou"),
    ("孟", "meng"),
    ("熊", "xiong"),
    ("秦", "qin"),
    ("江", "jiang"),
    ("薛", "xue"),
    ("侯", "hou"),
]
# Characters common in given names; a given name is one (35%) or two of them.
GIVEN = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀", "xiu"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("英", "ying"),
    ("华", "hua"),
    ("文", "wen"),
    ("辉", "hui"),
    ("建", "jian"),
    ("玲", "ling"),
    ("婷", "ting"),
    ("宇", "yu"),
    ("浩", "hao"),
    ("鹏", "peng"),
    ("晨", "chen"),
    ("欣", "xin"),
    ("思", "si"),
    ("佳", "jia"),
    ("雪", "xue"),
    ("琳", "lin"),
    ("红", "hong"),
    ("斌", "bin"),
    ("波", "bo"),
    ("宁", "ning"),
    ("凯", "kai"),
    ("俊", "jun"),
    ("峰", "feng"),
    ("颖", "ying"),
    ("倩", "qian"),
    ("晓", "xiao"),
    ("志", "zhi"),
    ("海", "hai"),
    ("东", "dong"),
    ("雨", "yu"),
    ("嘉", "jia"),
    ("子", "zi"),
    ("轩", "xuan"),
    ("涵", "han"),
    ("博", "bo"),
    ("睿", "rui"),
    ("怡", "yi"),
    ("慧", "hui"),
    ("振", "zhen"),
    ("国", "guo"),
    ("立", "li"),
    ("清", "qing"),
    ("春", "chun"),
    ("新", "xin"),
    ("健", "jian"),
]
# Regions (大区) in the order of generate.REGION_NAMES, each with the cities its teams sit in.
REGIONS = [
    ("华北大区", ["北京", "天津", "石家庄", "太原", "济南"]),
    ("华南大区", ["广州", "深圳", "厦门", "南宁", "海口"]),
    ("华东大区", ["上海", "杭州", "南京", "苏州", "宁波"]),
    ("西南大区", ["成都", "重庆", "昆明", "贵阳"]),
    ("华中大区", ["武汉", "长沙", "郑州", "南昌"]),
    ("东南沿海大区", ["福州", "青岛", "温州", "烟台"]),
    ("西北大区", ["西安", "兰州", "银川", "西宁"]),
    ("东北大区", ["沈阳", "大连", "长春", "哈尔滨"]),
]
NUMERALS = "一二三四五六七八九十"
BRAND_FIRST = list("恒华金鑫宏中瑞天新博汇嘉永安德盛广东凯正立海联启远誉卓祥泰银")
BRAND_SECOND = list("瑞信达源远联丰成创通禾盛泰星科诚航辉鼎润宇茂祥弘")
LEGAL_FORMS = ["有限公司", "股份有限公司", "集团有限公司"]
# generate.INDUSTRIES: the industry as a customer record says it, and its word in a company name.
INDUSTRIES = {
    "Manufacturing": ("制造业", "制造"),
    "Logistics": ("物流", "物流"),
    "Retail": ("零售", "商贸"),
    "Healthcare": ("医疗健康", "医疗器械"),
    "Financial services": ("金融服务", "金融服务"),
    "Energy": ("能源", "能源"),
    "Construction": ("建筑", "建设工程"),
    "Food and beverage": ("食品饮料", "食品"),
    "Technology": ("科技", "信息技术"),
    "Hospitality": ("酒店", "酒店管理"),
    "Education": ("教育", "教育科技"),
    "Telecommunications": ("电信", "通信"),
}
# Every other text of the demo, word for word (titles, activity subjects, deal products, stages).
TEXTS = {
    "Sales Representative": "销售代表",
    "Account Executive": "客户经理",
    "Senior Account Executive": "高级客户经理",
    "Key Account Manager": "重点客户经理",
    "Follow-up call": "跟进电话",
    "Pricing call": "报价沟通电话",
    "Check-in call": "例行回访电话",
    "Renewal call": "续约电话",
    "Intro call": "初次沟通电话",
    "Sent proposal": "发送方案",
    "Answered question": "答复客户问题",
    "Sent quote": "发送报价",
    "Follow-up e-mail": "跟进邮件",
    "Recap": "会议纪要",
    "Prepare quote": "准备报价",
    "Update forecast": "更新销售预测",
    "Prepare review": "准备业务回顾",
    "Log order": "录入订单",
    "Research": "客户调研",
    "Site visit": "现场拜访",
    "Quarterly business review": "季度业务回顾",
    "Product demo": "产品演示",
    "Account review": "客户回顾",
    "Planning meeting": "规划会议",
    "Negotiation": "商务谈判",
    "Stakeholder meeting": "干系人会议",
    "Kick-off": "项目启动会",
    "Workshop": "研讨会",
    "Team meeting": "团队例会",
    "Pipeline review": "销售管道评审",
    "Training": "培训",
    "One-to-one": "一对一面谈",
    "Renewal": "续约",
    "Expansion": "扩容",
    "New licences": "新增许可",
    "Services": "服务",
    "Upgrade": "升级",
    "Pilot": "试点",
    "Qualification": "线索确认",
    "Discovery": "需求调研",
    "Proposal": "方案报价",
    "Closed won": "赢单",
    "Closed lost": "丢单",
}
# The two demo logins that are not managers (generate's English: Ada Admin, Hana Hartmann).
ADMIN_NAME = ("立新", "周")
HR_NAME = ("晓红", "何")


def say(values):
    """An English demo text (or an array of them) in Chinese; unknown texts stay as they are."""
    if isinstance(values, str):
        return TEXTS.get(values, values)
    return np.array([TEXTS.get(v, v) for v in values], dtype=object)


def _numeral(n: int) -> str:
    return NUMERALS[n - 1] if 1 <= n <= len(NUMERALS) else str(n)


def region_and_team_names(regions: int, team_region: np.ndarray) -> tuple[list[str], list[str]]:
    region_names = [REGIONS[i][0] if i < len(REGIONS) else f"第{i + 1}大区" for i in range(regions)]
    counters = [0] * regions
    team_names = []
    for region in team_region:
        counters[region] += 1
        cities = REGIONS[region][1] if region < len(REGIONS) else [region_names[region]]
        city = cities[(counters[region] - 1) % len(cities)]
        team_names.append(f"{city}{_numeral((counters[region] - 1) // len(cities) + 1)}组")
    return region_names, team_names


def _person_names(
    rng: np.random.Generator, n: int, taken: set[tuple[str, str]]
) -> tuple[list[str], list[str], list[str]]:
    """(given names, surnames, the pinyin "given.surname" for e-mail) for ``n`` people, no full
    name twice nor one in ``taken`` (given, surname), which gains the names given here."""
    surname = rng.integers(0, len(SURNAMES), n)
    first = rng.integers(0, len(GIVEN), n)
    second = rng.integers(0, len(GIVEN), n)
    two = rng.random(n) >= 0.35
    given, family, pinyin = [], [], []
    for s, a, b, double in zip(surname, first, second, two, strict=True):
        chars, s = _unique_name([int(a), int(b)] if double else [int(a)], int(s), taken)
        g = "".join(GIVEN[c][0] for c in chars)
        taken.add((g, SURNAMES[s][0]))
        given.append(g)
        family.append(SURNAMES[s][0])
        pinyin.append("".join(GIVEN[c][1] for c in chars) + f".{SURNAMES[s][1]}")
    return given, family, pinyin


def _unique_name(chars: list[int], surname: int, taken: set) -> tuple[list[int], int]:
    """The drawn name (given-name characters, surname) if nobody in ``taken`` has it; else the
    first free one of: the next surnames (round the list), then the given name's second
    character the next ones of ``GIVEN``, each with every surname. No random draw, so nothing
    else changes with it."""

    def name(option: tuple[list[int], int]) -> tuple[str, str]:
        return "".join(GIVEN[c][0] for c in option[0]), SURNAMES[option[1]][0]

    if name((chars, surname)) not in taken:
        return chars, surname

    def around(start: int) -> list[int]:
        return [(start + step) % len(SURNAMES) for step in range(len(SURNAMES))]

    options = itertools.chain(
        ((chars, s) for s in around(surname)),
        (
            ([chars[0], (chars[-1] + step) % len(GIVEN)], s)
            for step in range(1, len(GIVEN) + 1)
            for s in around(surname)
        ),
    )
    return next(option for option in options if name(option) not in taken)


def localise(org: Org) -> None:
    """Rewrite ``org``'s names and words in Chinese, in place; numbers and dates stay."""
    rng = np.random.default_rng([org.seed, NAME_STREAM])
    org.locale = LOCALE
    org.region_names, org.team_names = region_and_team_names(len(org.region_names), org.team_region)
    people = org.people
    # Nobody shares a full name with another person of the organisation or with a login.
    taken = {ADMIN_NAME, HR_NAME}
    given, family, pinyin = _person_names(rng, len(people), taken)
    seen: dict[str, int] = {}
    emails = []
    for base in pinyin:
        seen[base] = seen.get(base, 0) + 1
        suffix = "" if seen[base] == 1 else str(seen[base])
        emails.append(f"{base}{suffix}@demo.relay.example")
    people["first_name"] = given
    people["last_name"] = family
    people["email"] = emails
    people["title"] = say(people["title"].to_numpy())
    given, family, _ = _person_names(rng, len(org.manager_names), taken)
    org.manager_names = list(zip(given, family, strict=True))
    org.login_names = {"admin": ADMIN_NAME, "hr": HR_NAME}

    customers = org.customers
    c = len(customers)
    home_region = org.team_region[
        people.drop_duplicates("seat")
        .set_index("seat")["team"]
        .sort_index()
        .to_numpy()[customers["home_seat"].to_numpy()]
    ]
    city_pick = rng.integers(0, 1 << 30, c)
    first = rng.integers(0, len(BRAND_FIRST), c)
    second = rng.integers(0, len(BRAND_SECOND), c)
    form = rng.integers(0, len(LEGAL_FORMS), c)
    industry = customers["industry"].to_numpy()
    names: list[str] = []
    used: set[str] = set()
    for i in range(c):
        region = int(home_region[i])
        cities = REGIONS[region][1] if region < len(REGIONS) else [""]
        city = cities[city_pick[i] % len(cities)]
        # A name already given takes the brand's next second character, then the next first
        # ones (no random draw: nothing else changes with it).
        brands = (
            BRAND_FIRST[(first[i] + a) % len(BRAND_FIRST)]
            + BRAND_SECOND[(second[i] + b) % len(BRAND_SECOND)]
            for a in range(len(BRAND_FIRST))
            for b in range(len(BRAND_SECOND))
        )
        rest = f"{INDUSTRIES[industry[i]][1]}{LEGAL_FORMS[form[i]]}"
        name = next(name for brand in brands if (name := f"{city}{brand}{rest}") not in used)
        used.add(name)
        names.append(name)
    customers["name"] = names
    customers["industry"] = [INDUSTRIES[value][0] for value in industry]
    customers["region"] = np.array(org.region_names)[home_region]
