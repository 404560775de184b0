"""The major-hazard criteria library (重大事故隐患判定标准): one dict per item, loaded as MajorHazardCriterion rows.

Fields: id, standard (title), edition, itemNo (as the document numbers it), text, industry (the group the item
applies to; not always an `Industry` member: "trade_general", "dust" and "confined_space" are criterion groups).

HC2017 — 化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）, issued with 安监总管三〔2017〕121号.
    All 20 items. The document numbers its items 一 … 二十 with no articles, so itemNo is "第一项" … "第二十项".
    Texts follow the published wording as recalled (each item one sentence, ending in "。"); items 一 to 五 were
    compared with a reprint and matched. The issue date below (2017-11-13) is from memory.

GM2023 — 工贸企业重大事故隐患判定标准, 应急管理部令第10号 (adopted 2023-03-20, promulgated 2023-04-14, in force
    2023-05-15; it replaced the 2017 工贸行业 list, 安监总管四〔2017〕129号 — that number from memory).
    PARTIAL: only the 17 items of these articles are included —
        第三条 (all 3 general management items, industry "trade_general"),
        第十一条 (all 10 dust-explosion items, "dust"),
        第十二条 (both liquid-ammonia refrigeration items, "aquatic_processing"),
        第十三条 (both confined-space items for spaces with H2S / CO poisoning risk, "confined_space").
    Not included: the industry articles 第四条 冶金, 第五条 有色, 第六条 建材, 第七条 机械, 第八条 轻工, 第九条 纺织,
    第十条 烟草 (the rest of the regulation's items).
    itemNo uses the regulation's own article/item numbering, "第N条第（N）项". A leading "~" would mark a number
    that is approximate; none is needed here: 第三条, 第十二条 and 第十三条 were checked against reprints of the
    order, and the dust items are the article immediately before 第十二条, i.e. 第十一条.
    The regulation ends each item with "的；" (the last with "的。"); here every text ends "的。" so items stand alone.
    Wording of GM2023-12 (after its first clause) and GM2023-13 and GM2023-17 is from memory and was not seen in a
    reprint; the other GM2023 texts were compared with reprints.
    Note the 2023 texts differ from the superseded 2017 list: e.g. the quick-freeze item is now "…单独的作业间内，
    或者…超过9人" (either suffices; 2017 said "且"), the dust siting item now names people-gathering rooms inside the
    dust area instead of "安全距离不足".
"""

from __future__ import annotations

HC2017_STANDARD = "化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）"
GM2023_STANDARD = "工贸企业重大事故隐患判定标准"

# Extra facts about each standard, for display; the loader may ignore them.
STANDARDS = {
    "HC2017": {
        "title": HC2017_STANDARD,
        "docNo": "安监总管三〔2017〕121号",
        "issuer": "原国家安全生产监督管理总局",
        "issued": "2017-11-13",
        "effective": "2017-11-13",
        "complete": True,
    },
    "GM2023": {
        "title": GM2023_STANDARD,
        "docNo": "应急管理部令第10号",
        "issuer": "应急管理部",
        "issued": "2023-04-14",
        "effective": "2023-05-15",
        "complete": False,
    },
}

# Major-hazard criteria, one dict per item (see the module docstring for what is included).
CRITERIA: list[dict[str, str]] = [
    # 化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）：以下情形应当判定为重大事故隐患。
    {
        "id": "HC2017-01",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第一项",
        "text": "危险化学品生产、经营单位主要负责人和安全生产管理人员未依法经考核合格。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-02",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第二项",
        "text": "特种作业人员未持证上岗。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-03",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第三项",
        "text": "涉及“两重点一重大”的生产装置、储存设施外部安全防护距离不符合国家标准要求。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-04",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第四项",
        "text": "涉及重点监管危险化工工艺的装置未实现自动化控制，系统未实现紧急停车功能，装备的自动化控制系统、紧急停车系统未投入使用。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-05",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第五项",
        "text": "构成一级、二级重大危险源的危险化学品罐区未实现紧急切断功能；涉及毒性气体、液化气体、剧毒液体的一级、二级重大危险源的危险化学品罐区未配备独立的安全仪表系统。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-06",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第六项",
        "text": "全压力式液化烃储罐未按国家标准设置注水措施。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-07",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第七项",
        "text": "液化烃、液氨、液氯等易燃易爆、有毒有害液化气体的充装未使用万向管道充装系统。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-08",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第八项",
        "text": "光气、氯气等剧毒气体及硫化氢气体管道穿越除厂区（包括化工园区、工业园区）外的公共区域。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-09",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第九项",
        "text": "地区架空电力线路穿越生产区且不符合国家标准要求。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-10",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第十项",
        "text": "在役化工装置未经正规设计且未进行安全设计诊断。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-11",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第十一项",
        "text": "使用淘汰落后安全技术工艺、设备目录列出的工艺、设备。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-12",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第十二项",
        "text": "涉及可燃和有毒有害气体泄漏的场所未按国家标准设置检测报警装置，爆炸危险场所未按国家标准安装使用防爆电气设备。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-13",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第十三项",
        "text": "控制室或机柜间面向具有火灾、爆炸危险性装置一侧不满足国家标准关于防火防爆的要求。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-14",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第十四项",
        "text": "化工生产装置未按国家标准要求设置双重电源供电，自动化控制系统未设置不间断电源。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-15",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第十五项",
        "text": "安全阀、爆破片等安全附件未正常投用。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-16",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第十六项",
        "text": "未建立与岗位相匹配的全员安全生产责任制或者未制定实施生产安全事故隐患排查治理制度。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-17",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第十七项",
        "text": "未制定操作规程和工艺控制指标。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-18",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第十八项",
        "text": "未按照国家标准制定动火、进入受限空间等特殊作业管理制度，或者制度未有效执行。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-19",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第十九项",
        "text": "新开发的危险化学品生产工艺未经小试、中试、工业化试验直接进行工业化生产；国内首次使用的化工工艺未经过省级人民政府有关部门组织的安全可靠性论证；新建装置未制定试生产方案投料开车；精细化工企业未按规范性文件要求开展反应安全风险评估。",
        "industry": "hazardous_chemicals",
    },
    {
        "id": "HC2017-20",
        "standard": HC2017_STANDARD,
        "edition": "2017",
        "itemNo": "第二十项",
        "text": "未按国家标准分区分类储存危险化学品，超量、超品种储存危险化学品，相互禁配物质混放混存。",
        "industry": "hazardous_chemicals",
    },
    # 工贸企业重大事故隐患判定标准 第三条：工贸企业有下列情形之一的，应当判定为重大事故隐患。
    {
        "id": "GM2023-01",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第三条第（一）项",
        "text": "未对承包单位、承租单位的安全生产工作统一协调、管理，或者未定期进行安全检查的。",
        "industry": "trade_general",
    },
    {
        "id": "GM2023-02",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第三条第（二）项",
        "text": "特种作业人员未按照规定经专门的安全作业培训并取得相应资格，上岗作业的。",
        "industry": "trade_general",
    },
    {
        "id": "GM2023-03",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第三条第（三）项",
        "text": "金属冶炼企业主要负责人、安全生产管理人员未按照规定经考核合格的。",
        "industry": "trade_general",
    },
    # 第十一条：存在粉尘爆炸危险的工贸企业有下列情形之一的，应当判定为重大事故隐患。
    {
        "id": "GM2023-04",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十一条第（一）项",
        "text": "粉尘爆炸危险场所设置在非框架结构的多层建（构）筑物内，或者粉尘爆炸危险场所内设有员工宿舍、会议室、办公室、休息室等人员聚集场所的。",
        "industry": "dust",
    },
    {
        "id": "GM2023-05",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十一条第（二）项",
        "text": "不同类别的可燃性粉尘、可燃性粉尘与可燃气体等易加剧爆炸危险的介质共用一套除尘系统，或者不同建（构）筑物、不同防火分区共用一套除尘系统、除尘系统互联互通的。",
        "industry": "dust",
    },
    {
        "id": "GM2023-06",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十一条第（三）项",
        "text": "干式除尘系统未采取泄爆、惰化、抑爆等任一种爆炸防控措施的。",
        "industry": "dust",
    },
    {
        "id": "GM2023-07",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十一条第（四）项",
        "text": "铝镁等金属粉尘除尘系统采用正压除尘方式，或者其他可燃性粉尘除尘系统采用正压吹送粉尘时，未采取火花探测消除等防范点燃源措施的。",
        "industry": "dust",
    },
    {
        "id": "GM2023-08",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十一条第（五）项",
        "text": "除尘系统采用重力沉降室除尘，或者采用干式巷道式构筑物作为除尘风道的。",
        "industry": "dust",
    },
    {
        "id": "GM2023-09",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十一条第（六）项",
        "text": "铝镁等金属粉尘、木质粉尘的干式除尘系统未设置锁气卸灰装置的。",
        "industry": "dust",
    },
    {
        "id": "GM2023-10",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十一条第（七）项",
        "text": "除尘器、收尘仓等划分为20区的粉尘爆炸危险场所电气设备不符合防爆要求的。",
        "industry": "dust",
    },
    {
        "id": "GM2023-11",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十一条第（八）项",
        "text": "粉碎、研磨、造粒等易产生机械点燃源的工艺设备前，未设置铁、石等杂物去除装置，或者木制品加工企业与砂光机连接的风管未设置火花探测消除装置的。",
        "industry": "dust",
    },
    {
        "id": "GM2023-12",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十一条第（九）项",
        "text": "遇湿自燃金属粉尘收集、堆放、储存场所未采取通风等防止氢气积聚措施，或者干式收集、堆放、储存场所未采取防水、防潮措施的。",
        "industry": "dust",
    },
    {
        "id": "GM2023-13",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十一条第（十）项",
        "text": "未落实粉尘清理制度，造成作业现场积尘严重的。",
        "industry": "dust",
    },
    # 第十二条：使用液氨制冷的工贸企业有下列情形之一的，应当判定为重大事故隐患。
    {
        "id": "GM2023-14",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十二条第（一）项",
        "text": "包装、分割、产品整理场所的空调系统采用氨直接蒸发制冷的。",
        "industry": "aquatic_processing",
    },
    {
        "id": "GM2023-15",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十二条第（二）项",
        "text": "快速冻结装置未设置在单独的作业间内，或者快速冻结装置作业间内作业人员数量超过9人的。",
        "industry": "aquatic_processing",
    },
    # 第十三条：存在硫化氢、一氧化碳等中毒风险的有限空间作业的工贸企业有下列情形之一的，应当判定为重大事故隐患。
    {
        "id": "GM2023-16",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十三条第（一）项",
        "text": "未对有限空间进行辨识、建立安全管理台账，并且未设置明显的安全警示标志的。",
        "industry": "confined_space",
    },
    {
        "id": "GM2023-17",
        "standard": GM2023_STANDARD,
        "edition": "2023",
        "itemNo": "第十三条第（二）项",
        "text": "未落实有限空间作业审批，或者未执行“先通风、再检测、后作业”要求，或者作业现场未设置监护人员的。",
        "industry": "confined_space",
    },
]
