"""The major-hazard criteria library (重大事故隐患判定标准): editions with effective dates, items with industries.

Loaded as `criteria_edition`, `major_hazard_criterion` and `criterion_industry` rows (seed/scenario.py). Each item:
id (stable: hazards and checklist items cite it), edition id, itemNo (as the document numbers it), text, the
industries (`domain.org.model.Industry`) it applies to, and `verbatim` — False where the text is a faithful
paraphrase written without the regulation's own wording at hand. An itemNo starting with "~" is a number inferred
from the item's place in the article, not seen next to its text in a reprint.

HC2017 — 化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）, issued with 安监总管三〔2017〕121号.
    All 20 items, numbered 一 … 二十 with no articles ("第一项" … "第二十项"). Texts follow the published wording
    as recalled (each item one sentence, ending in "。"); items 一 to 十四 were compared with reprints of the
    document (安监总管三〔2017〕121号) and matched; 十五 to 二十 were not seen whole and are marked not verbatim.
    The issue date (2017-11-13) is from memory. Applies to hazardous_chemicals and oil_storage (oil depots store
    and trade hazardous chemicals: 成品油 is on the 危险化学品目录).

GM2023 — 工贸企业重大事故隐患判定标准, 应急管理部令第10号 (adopted 2023-03-20, promulgated 2023-04-14, in force
    2023-05-15). 第二条: it applies to 冶金、有色、建材、机械、轻工、纺织、烟草、商贸 enterprises; hazardous chemicals,
    fire, gas and special equipment inside them follow their own criteria.
    Industry mapping (应急厅〔2019〕17号 工贸行业安全监管分类标准): shipbuilding is 机械 (GB/T 4754 大类 37), aquatic
    processing is 轻工 (大类 13 农副食品加工). 第三条 (general management) and the special groups 第十一条 粉尘防爆,
    第十二条 使用液氨制冷, 第十三条 有限空间作业 apply to every 工贸 industry (they name a hazard, not an industry);
    the industry articles 第四条 冶金 … 第十条 烟草 to their own industry. The regulation has no article of its
    own for 商贸: a 商贸 enterprise is judged by 第三条 and the special groups (the 64 items it is known for are
    consistent with that count).
    Checked this time against reprints of the order's text found by search: 第三条 (all), 第四条（一）–（三）,
    第六条 (all eight), 第七条（一）–（二）, and seven items of 第五条 on cooling water and aluminium deep-well
    casting (their texts seen in a reprint grouped under 铝加工, so their numbers carry "~"). 第十一条 to 第十三条
    were compared with reprints before (except GM2023-12 after its first clause, GM2023-13 and GM2023-17).
    Everything else is marked verbatim False: a paraphrase of the item as remembered.
    Structure relied on, and how sure it is. Confirmed: 15 articles; 第三条 general, 第四条 冶金, 第五条 有色,
    第六条 建材, 第七条 机械, 第八条 轻工, 第九条 纺织, 第十条 烟草, 第十一条 粉尘, 第十二条 液氨制冷, 第十三条 有限空间
    (every article's opening sentence, verbatim, in a public clause check of the order against the 国务院公报
    reprint), 第十四条 (a monitoring, alarm or protective device that fails counts as the hazard itself) and 第十五条
    (in force 2023-05-15, repeals the 2017 工贸行业 list, 安监总管四〔2017〕129号); no article for 商贸. The 64 items
    as 3 management + 47 industry (seven industries) + 14 special (three groups), from the ministry's announcement
    as reported (中新网, 2023-04-19); 第三条 has 3 items and 第六条 8 (reprints show the article's last item followed
    by the next article). Not confirmed item by item: 冶金 11 and 有色 13; they are what remains of the 47 once
    建材 8, 机械 6, 轻工 5, 纺织 2 and 烟草 2 are counted, so they rest on those counts.
    COMPLETED from memory, none seen in a reprint, all verbatim False, numbers with "~" (the slot is the article's
    last three; which text stands in which slot is not confirmed): 第四条（九）–（十一） (the gas items: water-seal
    drains of positive-pressure gas lines, gas mains of forced-draught burners, burners without a flame-failure
    shut-off valve) and 第五条（十一）–（十三） (toxic-gas detection including arsine; the same two gas items). The
    last of 第四条 is the least certain: it keeps the wording of the 2017 list's 有色 item. Also in doubt: 第四条（七）–（八）
    as seeded follow the 2017 list; the 2023 （七） may read "加热炉、煤气柜、除尘器、加压机、烘烤器等设施，以及
    进入车间前的煤气管道未安装隔断装置的" (recalled, not seen). With these, all 64 items are here.
    Items first loaded before editions existed keep their ids GM2023-01 … -17; the others are
    "GM2023-<article>-<item>". Texts end "的。" (the regulation ends each item "的；") so each item stands alone.
"""

from __future__ import annotations

HC2017_STANDARD = "化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）"
GM2023_STANDARD = "工贸企业重大事故隐患判定标准"

# The eight 工贸 industries of the regulation's 第二条, with the demo's sectors that belong to them.
TRADE = (
    "metallurgy",
    "nonferrous",
    "building_materials",
    "machinery",
    "light_industry",
    "textiles",
    "tobacco",
    "trade",
    "shipbuilding",
    "aquatic_processing",
)
CHEMICALS = ("hazardous_chemicals", "oil_storage")
METALLURGY = ("metallurgy",)
NONFERROUS = ("nonferrous",)
BUILDING_MATERIALS = ("building_materials",)
MACHINERY = ("machinery", "shipbuilding")
LIGHT_INDUSTRY = ("light_industry", "aquatic_processing")
TEXTILES = ("textiles",)
TOBACCO = ("tobacco",)

# Editions: id → what the loader stores; `complete` says whether every item of the document is here.
EDITIONS = {
    "HC2017": {
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "docNo": "安监总管三〔2017〕121号",
        "issuer": "原国家安全生产监督管理总局",
        "effectiveFrom": "2017-11-13",
        "supersedes": None,
        "complete": True,
    },
    "GM2023": {
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "docNo": "应急管理部令第10号",
        "issuer": "应急管理部",
        "effectiveFrom": "2023-05-15",
        "supersedes": None,  # the 2017 工贸行业 list it replaced is not in the library
        "complete": True,  # all 64 items are here; not all in the regulation's own words (see `verbatim`)
    },
}
# Kept for readers of the old name.
STANDARDS = EDITIONS

# 化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）：以下情形应当判定为重大事故隐患。
# (id, itemNo, text); all apply to CHEMICALS.
HC2017_ITEMS = [
    ("HC2017-01", "第一项", "危险化学品生产、经营单位主要负责人和安全生产管理人员未依法经考核合格。"),
    ("HC2017-02", "第二项", "特种作业人员未持证上岗。"),
    ("HC2017-03", "第三项", "涉及“两重点一重大”的生产装置、储存设施外部安全防护距离不符合国家标准要求。"),
    (
        "HC2017-04",
        "第四项",
        "涉及重点监管危险化工工艺的装置未实现自动化控制，系统未实现紧急停车功能，装备的自动化控制系统、紧急停车系统未投入使用。",
    ),
    (
        "HC2017-05",
        "第五项",
        "构成一级、二级重大危险源的危险化学品罐区未实现紧急切断功能；涉及毒性气体、液化气体、剧毒液体的一级、二级重大危险源的危险化学品罐区未配备独立的安全仪表系统。",
    ),
    ("HC2017-06", "第六项", "全压力式液化烃储罐未按国家标准设置注水措施。"),
    ("HC2017-07", "第七项", "液化烃、液氨、液氯等易燃易爆、有毒有害液化气体的充装未使用万向管道充装系统。"),
    ("HC2017-08", "第八项", "光气、氯气等剧毒气体及硫化氢气体管道穿越除厂区（包括化工园区、工业园区）外的公共区域。"),
    ("HC2017-09", "第九项", "地区架空电力线路穿越生产区且不符合国家标准要求。"),
    ("HC2017-10", "第十项", "在役化工装置未经正规设计且未进行安全设计诊断。"),
    ("HC2017-11", "第十一项", "使用淘汰落后安全技术工艺、设备目录列出的工艺、设备。"),
    (
        "HC2017-12",
        "第十二项",
        "涉及可燃和有毒有害气体泄漏的场所未按国家标准设置检测报警装置，爆炸危险场所未按国家标准安装使用防爆电气设备。",
    ),
    ("HC2017-13", "第十三项", "控制室或机柜间面向具有火灾、爆炸危险性装置一侧不满足国家标准关于防火防爆的要求。"),
    ("HC2017-14", "第十四项", "化工生产装置未按国家标准要求设置双重电源供电，自动化控制系统未设置不间断电源。"),
    ("HC2017-15", "第十五项", "安全阀、爆破片等安全附件未正常投用。"),
    ("HC2017-16", "第十六项", "未建立与岗位相匹配的全员安全生产责任制或者未制定实施生产安全事故隐患排查治理制度。"),
    ("HC2017-17", "第十七项", "未制定操作规程和工艺控制指标。"),
    ("HC2017-18", "第十八项", "未按照国家标准制定动火、进入受限空间等特殊作业管理制度，或者制度未有效执行。"),
    (
        "HC2017-19",
        "第十九项",
        "新开发的危险化学品生产工艺未经小试、中试、工业化试验直接进行工业化生产；国内首次使用的化工工艺未经过省级人民政府有关部门组织的安全可靠性论证；新建装置未制定试生产方案投料开车；精细化工企业未按规范性文件要求开展反应安全风险评估。",
    ),
    ("HC2017-20", "第二十项", "未按国家标准分区分类储存危险化学品，超量、超品种储存危险化学品，相互禁配物质混放混存。"),
]

# 工贸企业重大事故隐患判定标准: (id, itemNo, text, industries, verbatim), in the order of the regulation.
GM2023_ITEMS = [
    # 第三条 工贸企业有下列情形之一的，应当判定为重大事故隐患：
    (
        "GM2023-01",
        "第三条第（一）项",
        "未对承包单位、承租单位的安全生产工作统一协调、管理，或者未定期进行安全检查的。",
        TRADE,
        True,
    ),
    (
        "GM2023-02",
        "第三条第（二）项",
        "特种作业人员未按照规定经专门的安全作业培训并取得相应资格，上岗作业的。",
        TRADE,
        True,
    ),
    ("GM2023-03", "第三条第（三）项", "金属冶炼企业主要负责人、安全生产管理人员未按照规定经考核合格的。", TRADE, True),
    # 第四条 冶金企业有下列情形之一的，应当判定为重大事故隐患：
    (
        "GM2023-04-01",
        "第四条第（一）项",
        "会议室、活动室、休息室、操作室、交接班室、更衣室（含澡堂）等6类人员聚集场所，以及钢铁水罐冷（热）修工位设置在铁水、钢水、液渣吊运跨的地坪区域内的。",
        METALLURGY,
        True,
    ),
    (
        "GM2023-04-02",
        "第四条第（二）项",
        "生产期间冶炼、精炼和铸造生产区域的事故坑、炉下渣坑，以及熔融金属泄漏和喷溅影响范围内的炉前平台、炉基区域、厂房内吊运和地面运输通道等6类区域存在积水的。",
        METALLURGY,
        True,
    ),
    (
        "GM2023-04-03",
        "第四条第（三）项",
        "炼钢连铸流程未设置事故钢水罐、中间罐漏钢坑（槽）、中间罐溢流坑（槽）、漏钢回转溜槽，或者模铸流程未设置事故钢水罐（坑、槽）的。",
        METALLURGY,
        True,
    ),
    (
        "GM2023-04-04",
        "第四条第（四）项",
        "转炉、电弧炉、AOD炉、LF炉、RH炉、VOD炉等炼钢炉的水冷元件未设置出水温度、进出水流量差等监测报警装置，或者监测报警装置未与炉体倾动、氧（副）枪自动提升、电极自动断电和升起等装置联锁的。",
        METALLURGY,
        False,
    ),
    (
        "GM2023-04-05",
        "第四条第（五）项",
        "高炉生产期间炉顶工作压力设定值超过设计文件规定的最高工作压力，或者炉顶工作压力监测装置未与炉顶放散阀联锁，或者炉顶放散阀的联锁放散压力设定值超过设备设计压力值的。",
        METALLURGY,
        False,
    ),
    (
        "GM2023-04-06",
        "第四条第（六）项",
        "煤气生产、回收净化、加压混合、储存、使用设施附近的人员聚集场所，以及可能发生煤气泄漏、积聚的场所和部位，未设置固定式一氧化碳浓度监测报警装置，或者监测数据未接入24小时有人值守场所的。",
        METALLURGY,
        False,
    ),
    (
        "GM2023-04-07",
        "第四条第（七）项",
        "加热炉、煤气柜、除尘器等设施的煤气管道未设置可靠隔离装置和吹扫设施的。",
        METALLURGY,
        False,
    ),
    (
        "GM2023-04-08",
        "第四条第（八）项",
        "煤气分配主管上支管引接处未设置可靠的切断装置，或者车间内各类燃气管线在车间入口未设置总管切断阀的。",
        METALLURGY,
        False,
    ),
    # （九）–（十一）: recalled, not seen in a reprint; the slots are sure, the order of the three texts is not.
    (
        "GM2023-04-09",
        "~第四条第（九）项",
        "正压煤气输配管线水封式排水器的最高封堵煤气压力小于30kPa，或者同一煤气管道隔断装置的两侧共用一个排水器，或者不同煤气管道排水器上部的排水管连通，或者不同介质的煤气管道共用一个排水器的。",
        METALLURGY,
        False,
    ),
    (
        "GM2023-04-10",
        "~第四条第（十）项",
        "使用煤气（天然气）并强制送风的燃烧装置的燃气总管未设置压力监测报警装置，或者监测报警装置未与紧急自动切断装置联锁的。",
        METALLURGY,
        False,
    ),
    (
        "GM2023-04-11",
        "~第四条第（十一）项",
        "使用煤气（天然气）的烧嘴等燃烧装置未设置防突然熄火或者点火失败的快速切断阀，以切断煤气（天然气）的。",
        METALLURGY,
        False,
    ),
    # 第五条 有色企业有下列情形之一的，应当判定为重大事故隐患：
    (
        "GM2023-05-01",
        "~第五条第（一）项",
        "会议室、活动室、休息室、操作室、交接班室、更衣室等人员聚集场所设置在熔融金属吊运跨的地坪区域内的。",
        NONFERROUS,
        False,
    ),
    (
        "GM2023-05-02",
        "~第五条第（二）项",
        "生产期间冶炼、精炼、铸造生产区域的事故坑、炉下渣坑，以及熔融金属泄漏、喷溅影响范围内的炉前平台、炉基区域、厂房内吊运和地面运输通道等区域存在积水的。",
        NONFERROUS,
        False,
    ),
    (
        "GM2023-05-03",
        "~第五条第（三）项",
        "熔融金属铸造环节未设置紧急排放和应急储存设施的（倾动式熔炼炉、倾动式保温炉等倾动式炉窑除外）。",
        NONFERROUS,
        False,
    ),
    (
        "GM2023-05-04",
        "~第五条第（四）项",
        "采用水冷冷却的冶炼炉窑、铸造机（铝加工深井铸造工艺的结晶器除外）、加热炉未设置应急水源的。",
        NONFERROUS,
        True,
    ),
    (
        "GM2023-05-05",
        "~第五条第（五）项",
        "熔融金属冶炼炉窑的闭路循环水冷元件未设置出水温度、进出水流量差监测报警装置，或者开路水冷元件未设置进水流量、压力监测报警装置，或者未监测开路水冷元件出水温度的。",
        NONFERROUS,
        True,
    ),
    (
        "GM2023-05-06",
        "~第五条第（六）项",
        "铝加工深井铸造工艺的结晶器冷却水系统未设置进水压力、进水流量监测报警装置，或者监测报警装置未与快速切断阀、紧急排放阀、流槽断开装置联锁，或者监测报警装置未与倾动式浇铸炉控制系统联锁的。",
        NONFERROUS,
        True,
    ),
    (
        "GM2023-05-07",
        "~第五条第（七）项",
        "铝加工深井铸造工艺的浇铸炉铝液出口流槽、流槽与模盘（分配流槽）入口连接处未设置液位监测报警装置，或者固定式浇铸炉的铝液出口未设置机械锁紧装置的。",
        NONFERROUS,
        True,
    ),
    (
        "GM2023-05-08",
        "~第五条第（八）项",
        "铝加工深井铸造工艺的固定式浇铸炉的铝液流槽未设置紧急排放阀，或者流槽与模盘（分配流槽）入口连接处未设置快速切断阀（断开装置），或者流槽与模盘（分配流槽）入口连接处的液位监测报警装置未与快速切断阀（断开装置）、紧急排放阀联锁的。",
        NONFERROUS,
        True,
    ),
    (
        "GM2023-05-09",
        "~第五条第（九）项",
        "铝加工深井铸造工艺的倾动式浇铸炉流槽与模盘（分配流槽）入口连接处未设置快速切断阀（断开装置），或者流槽与模盘（分配流槽）入口连接处的液位监测报警装置未与浇铸炉倾动控制系统、快速切断阀（断开装置）联锁的。",
        NONFERROUS,
        True,
    ),
    (
        "GM2023-05-10",
        "~第五条第（十）项",
        "铝加工深井铸造机钢丝卷扬系统选用非钢芯钢丝绳，或者未落实钢丝绳定期检查、更换制度的。",
        NONFERROUS,
        True,
    ),
    # （十一）–（十三）: recalled, not seen in a reprint.
    (
        "GM2023-05-11",
        "~第五条第（十一）项",
        "可能发生一氧化碳、砷化氢、氯气、硫化氢等4种有毒气体泄漏、积聚的场所和部位未设置固定式气体浓度监测报警装置，或者监测数据未接入24小时有人值守场所，或者未对可能有砷化氢气体的场所和部位采取同等效果的检测措施的。",
        NONFERROUS,
        False,
    ),
    (
        "GM2023-05-12",
        "~第五条第（十二）项",
        "使用煤气（天然气）并强制送风的燃烧装置的燃气总管未设置压力监测报警装置，或者监测报警装置未与紧急自动切断装置联锁的。",
        NONFERROUS,
        False,
    ),
    (
        "GM2023-05-13",
        "~第五条第（十三）项",
        "正压煤气输配管线水封式排水器的最高封堵煤气压力小于30kPa，或者同一煤气管道隔断装置的两侧共用一个排水器，或者不同煤气管道排水器上部的排水管连通，或者不同介质的煤气管道共用一个排水器的。",
        NONFERROUS,
        False,
    ),
    # 第六条 建材企业有下列情形之一的，应当判定为重大事故隐患：
    (
        "GM2023-06-01",
        "第六条第（一）项",
        "煤磨袋式收尘器、煤粉仓未设置温度和固定式一氧化碳浓度监测报警装置，或者未设置气体灭火装置的。",
        BUILDING_MATERIALS,
        True,
    ),
    (
        "GM2023-06-02",
        "第六条第（二）项",
        "筒型储库人工清库作业未落实清库方案中防止高处坠落、坍塌等安全措施的。",
        BUILDING_MATERIALS,
        True,
    ),
    (
        "GM2023-06-03",
        "第六条第（三）项",
        "水泥企业电石渣原料筒型储库未设置固定式可燃气体浓度监测报警装置，或者监测报警装置未与事故通风装置联锁的。",
        BUILDING_MATERIALS,
        True,
    ),
    (
        "GM2023-06-04",
        "第六条第（四）项",
        "进入筒型储库、焙烧窑、预热器旋风筒、分解炉、竖炉、篦冷机、磨机、破碎机前，未对可能意外启动的设备和涌入的物料、高温气体、有毒有害气体等采取隔离措施，或者未落实防止高处坠落、坍塌等安全措施的。",
        BUILDING_MATERIALS,
        True,
    ),
    (
        "GM2023-06-05",
        "第六条第（五）项",
        "采用预混燃烧方式的燃气窑炉（热发生炉煤气窑炉除外）的燃气总管未设置管道压力监测报警装置，或者监测报警装置未与紧急自动切断装置联锁的。",
        BUILDING_MATERIALS,
        True,
    ),
    (
        "GM2023-06-06",
        "第六条第（六）项",
        "制氢站、氮氢保护气体配气间、燃气配气间等3类场所未设置固定式可燃气体浓度监测报警装置的。",
        BUILDING_MATERIALS,
        True,
    ),
    ("GM2023-06-07", "第六条第（七）项", "电熔制品电炉的水冷设备失效的。", BUILDING_MATERIALS, True),
    (
        "GM2023-06-08",
        "第六条第（八）项",
        "玻璃窑炉、玻璃锡槽等设备未设置水冷和风冷保护系统的监测报警装置的。",
        BUILDING_MATERIALS,
        True,
    ),
    # 第七条 机械企业有下列情形之一的，应当判定为重大事故隐患：
    (
        "GM2023-07-01",
        "第七条第（一）项",
        "会议室、活动室、休息室、更衣室、交接班室等5类人员聚集场所设置在熔融金属吊运跨或者浇注跨的地坪区域内的。",
        MACHINERY,
        True,
    ),
    (
        "GM2023-07-02",
        "第七条第（二）项",
        "铸造用熔炼炉、精炼炉、保温炉未设置紧急排放和应急储存设施的。",
        MACHINERY,
        True,
    ),
    (
        "GM2023-07-03",
        "第七条第（三）项",
        "生产期间铸造用熔炼炉、精炼炉、保温炉的炉底、炉坑和事故坑，以及熔融金属泄漏、喷溅影响范围内的炉前平台、炉基区域、造型地坑、浇注作业坑和熔融金属转运通道等区域存在积水的。",
        MACHINERY,
        False,
    ),
    (
        "GM2023-07-04",
        "第七条第（四）项",
        "铸造用熔炼炉、精炼炉、压铸机、氧枪的冷却水系统未设置出水温度、进出水流量差监测报警装置，或者监测报警装置未与熔融金属加热、输送控制系统联锁的。",
        MACHINERY,
        False,
    ),
    (
        "GM2023-07-05",
        "第七条第（五）项",
        "使用易燃易爆稀释剂（如天拿水）清洗设备设施，未采取有效措施及时清除集聚在地沟、地坑等有限空间内的可燃气体的。",
        MACHINERY,
        False,
    ),
    (
        "GM2023-07-06",
        "第七条第（六）项",
        "涂装调漆间和喷漆室未规范设置可燃气体浓度监测报警装置或者通风设施的。",
        MACHINERY,
        False,
    ),
    # 第八条 轻工企业有下列情形之一的，应当判定为重大事故隐患：
    (
        "GM2023-08-01",
        "第八条第（一）项",
        "食品制造企业烘制、油炸设备未设置防过热自动切断装置的。",
        LIGHT_INDUSTRY,
        False,
    ),
    (
        "GM2023-08-02",
        "第八条第（二）项",
        "白酒勾兑、灌装场所和酒库未设置固定式乙醇蒸气浓度监测报警装置，或者监测报警装置未与通风设施联锁的。",
        LIGHT_INDUSTRY,
        False,
    ),
    (
        "GM2023-08-03",
        "第八条第（三）项",
        "纸浆制造、造纸企业使用蒸气、明火直接加热钢瓶汽化液氯的。",
        LIGHT_INDUSTRY,
        False,
    ),
    (
        "GM2023-08-04",
        "第八条第（四）项",
        "日用玻璃、陶瓷制造企业燃气窑炉未设置燃气低压警报器和快速切断阀，或者易燃易爆气体聚集区域未设置监测报警装置的。",
        LIGHT_INDUSTRY,
        False,
    ),
    (
        "GM2023-08-05",
        "第八条第（五）项",
        "日用玻璃制造企业玻璃窑炉的冷却保护系统未设置监测报警装置的。",
        LIGHT_INDUSTRY,
        False,
    ),
    # 第九条 纺织企业有下列情形之一的，应当判定为重大事故隐患：
    (
        "GM2023-09-01",
        "第九条第（一）项",
        "纱、线、织物加工的烧毛、开幅、烘干等热定型工艺的汽化室、燃气贮罐、储油罐、热媒炉等未与生产加工等人员聚集场所隔开或者单独设置的。",
        TEXTILES,
        False,
    ),
    (
        "GM2023-09-02",
        "第九条第（二）项",
        "保险粉、双氧水、次氯酸钠、亚氯酸钠、雕白粉（吊白块）等危险品与禁忌物料混合贮存，或者保险粉露天堆放，或者储存场所未采取防水、防潮等措施的。",
        TEXTILES,
        False,
    ),
    # 第十条 烟草企业有下列情形之一的，应当判定为重大事故隐患：
    (
        "GM2023-10-01",
        "第十条第（一）项",
        "熏蒸作业场所未配备磷化氢气体浓度监测报警仪器，或者未配备空气呼吸器，或者熏蒸杀虫作业前未确认无关人员全部撤离熏蒸作业场所的。",
        TOBACCO,
        False,
    ),
    (
        "GM2023-10-02",
        "第十条第（二）项",
        "使用液态二氧化碳制造膨胀烟丝的生产线和场所未设置固定式二氧化碳浓度监测报警装置，或者监测报警装置未与事故通风设施联锁的。",
        TOBACCO,
        False,
    ),
    # 第十一条 存在粉尘爆炸危险的工贸企业有下列情形之一的，应当判定为重大事故隐患：
    (
        "GM2023-04",
        "第十一条第（一）项",
        "粉尘爆炸危险场所设置在非框架结构的多层建（构）筑物内，或者粉尘爆炸危险场所内设有员工宿舍、会议室、办公室、休息室等人员聚集场所的。",
        TRADE,
        True,
    ),
    (
        "GM2023-05",
        "第十一条第（二）项",
        "不同类别的可燃性粉尘、可燃性粉尘与可燃气体等易加剧爆炸危险的介质共用一套除尘系统，或者不同建（构）筑物、不同防火分区共用一套除尘系统、除尘系统互联互通的。",
        TRADE,
        True,
    ),
    ("GM2023-06", "第十一条第（三）项", "干式除尘系统未采取泄爆、惰化、抑爆等任一种爆炸防控措施的。", TRADE, True),
    (
        "GM2023-07",
        "第十一条第（四）项",
        "铝镁等金属粉尘除尘系统采用正压除尘方式，或者其他可燃性粉尘除尘系统采用正压吹送粉尘时，未采取火花探测消除等防范点燃源措施的。",
        TRADE,
        True,
    ),
    (
        "GM2023-08",
        "第十一条第（五）项",
        "除尘系统采用重力沉降室除尘，或者采用干式巷道式构筑物作为除尘风道的。",
        TRADE,
        True,
    ),
    ("GM2023-09", "第十一条第（六）项", "铝镁等金属粉尘、木质粉尘的干式除尘系统未设置锁气卸灰装置的。", TRADE, True),
    (
        "GM2023-10",
        "第十一条第（七）项",
        "除尘器、收尘仓等划分为20区的粉尘爆炸危险场所电气设备不符合防爆要求的。",
        TRADE,
        True,
    ),
    (
        "GM2023-11",
        "第十一条第（八）项",
        "粉碎、研磨、造粒等易产生机械点燃源的工艺设备前，未设置铁、石等杂物去除装置，或者木制品加工企业与砂光机连接的风管未设置火花探测消除装置的。",
        TRADE,
        True,
    ),
    (
        "GM2023-12",
        "第十一条第（九）项",
        "遇湿自燃金属粉尘收集、堆放、储存场所未采取通风等防止氢气积聚措施，或者干式收集、堆放、储存场所未采取防水、防潮措施的。",
        TRADE,
        False,
    ),
    ("GM2023-13", "第十一条第（十）项", "未落实粉尘清理制度，造成作业现场积尘严重的。", TRADE, False),
    # 第十二条 使用液氨制冷的工贸企业有下列情形之一的，应当判定为重大事故隐患：
    ("GM2023-14", "第十二条第（一）项", "包装、分割、产品整理场所的空调系统采用氨直接蒸发制冷的。", TRADE, True),
    (
        "GM2023-15",
        "第十二条第（二）项",
        "快速冻结装置未设置在单独的作业间内，或者快速冻结装置作业间内作业人员数量超过9人的。",
        TRADE,
        True,
    ),
    # 第十三条 存在硫化氢、一氧化碳等中毒风险的有限空间作业的工贸企业有下列情形之一的，应当判定为重大事故隐患：
    (
        "GM2023-16",
        "第十三条第（一）项",
        "未对有限空间进行辨识、建立安全管理台账，并且未设置明显的安全警示标志的。",
        TRADE,
        True,
    ),
    (
        "GM2023-17",
        "第十三条第（二）项",
        "未落实有限空间作业审批，或者未执行“先通风、再检测、后作业”要求，或者作业现场未设置监护人员的。",
        TRADE,
        False,
    ),
]

_HC2017_VERBATIM = {f"HC2017-{n:02d}" for n in range(1, 15)}
# The group the legacy `industry` field shows for the articles that apply across 工贸 (as first loaded).
_GROUPS = {
    "第三条": "trade_general",
    "第十一条": "dust",
    "第十二条": "aquatic_processing",
    "第十三条": "confined_space",
}


def _group(item_no: str, industries: tuple[str, ...]) -> str:
    return _GROUPS.get(item_no.lstrip("~").split("条")[0] + "条", industries[0])


# One dict per item, in the library's order.
CRITERIA: list[dict] = [
    {
        "id": id_,
        "edition": "HC2017",
        "itemNo": item_no,
        "text": text,
        "industries": list(CHEMICALS),
        "verbatim": id_ in _HC2017_VERBATIM,
        "group": "hazardous_chemicals",
    }
    for id_, item_no, text in HC2017_ITEMS
] + [
    {
        "id": id_,
        "edition": "GM2023",
        "itemNo": item_no,
        "text": text,
        "industries": list(industries),
        "verbatim": verbatim,
        "group": _group(item_no, industries),
    }
    for id_, item_no, text, industries, verbatim in GM2023_ITEMS
]
