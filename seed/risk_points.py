"""Demo risk points (风险点) of the Zhoushan enterprises E1..E9, and schematic site plans for E1, E2 and E3.

Data only. Keys of RISK_POINTS are the enterprise keys of seed/zhoushan.py.

Each point's assessment holds raw factors from the tables of domain/risk/model.py: LEC factors as decimal strings
(scheme "lec-usual": D > 320 major, 160 < D ≤ 320 large, 70 < D ≤ 160 general, D ≤ 70 low), LS factors as ints
(scheme "ls-usual": 20–25 major, 15–16 large, 9–12 general, 1–8 low). The comment above each assessment gives the
score and level. Each point's control measures reach up to the control level of its risk (major → company,
large → department, general → workshop, low → team) and no higher.

planX / planY are fractions of the site plan (x to the right, y downwards); points of one enterprise are at least
0.12 apart, and for E1–E3 each lies inside the box of the SITE_PLANS area named by its "area". lat / lng are
WGS-84 positions 20–270 m from the enterprise's site (seed/zhoushan.py SITES; E2 is on 六横岛, which lies at about
29.74° N, south of 舟山本岛); presenceRadiusM, where given, is a large site's own presence radius (default 100 m).

Checklist cycles follow the usual practice of the 危险化学品企业安全风险隐患排查治理导则 (应急〔2019〕78号): post
patrols every 2 h, workshop technical staff twice a day (12 h), team daily, workshop weekly, plant monthly, and
less often for documentary checks. criterionId links an item whose failure would itself be a major hazard under
seed/criteria.py. Clause numbers are cited only where known; otherwise the standard or rule is cited as a whole.
Names of people are fictitious; telephone numbers are invented 0580 (舟山) numbers.
"""

from __future__ import annotations

RISK_POINTS: dict[str, list[dict]] = {
    # ------------------------------------------------------------------------------------------------------------
    # E1 舟山港兴石化储运有限公司 — oil storage, 定海区岑港街道 (tank farm, oil berth, pumps)
    # ------------------------------------------------------------------------------------------------------------
    "E1": [
        {
            "key": "E1-P1",
            "kind": "place",
            "name": "1#罐组外浮顶原油储罐",
            "area": "储罐区",
            "planX": 0.18,
            "planY": 0.25,
            "lat": 30.06900,
            "lng": 121.97008,
            "responsiblePost": "储运部罐区主管",
            "responsiblePerson": "周海峰",
            "hazardSources": [
                "原油泄漏遇点火源引发火灾、爆炸",
                "浮盘卡盘、沉盘，密封圈处油气积聚引发密封圈火灾",
                "雷击引燃浮顶一、二次密封处油气",
                "收油超液位冒罐",
                "防火堤内含油污水经雨排阀外溢污染海域",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "储罐进出口管道设远程控制紧急切断阀，液位高高报警与进料切断联锁，纳入独立安全仪表系统，中控室可一键关断",
                    "controlLevel": "company",
                },
                {
                    "type": "management",
                    "content": "罐组作为一级重大危险源落实安全包保责任制，主要负责人、技术负责人、操作负责人按规定履职并留痕",
                    "controlLevel": "company",
                },
                {
                    "type": "engineering",
                    "content": "浮顶设一、二次密封及浮盘导静电线，密封圈设光纤光栅感温火灾报警并联动泡沫灭火系统，罐壁设固定冷却喷淋",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "收发油执行操作票，收油期间每小时核对液位、温度，液位不得超过安全高度",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "罐区操作工每季度开展密封圈初期火灾处置和紧急切断阀手动关断实操训练",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "进入罐区穿防静电工作服和防静电鞋，入口触摸人体静电释放器，使用防爆对讲机和防爆工具",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "发现泄漏立即在中控室启动紧急切断，关闭罐根阀，停止收发油作业",
                "密封圈着火立即启动泡沫灭火系统和罐壁冷却喷淋，报告119和公司应急指挥部",
                "确认防火堤雨排阀关闭，围堵、回收泄漏油品，防止流入海域",
                "设置警戒区，疏散下风向人员，禁止无关车辆进入罐区",
            ],
            "emergencyPhone": "0580-8063119",
            # D = 1 × 10 × 40 = 400 > 320 → major (red)
            "assessment": {"method": "LEC", "l": "1", "e": "10", "c": "40"},
            "checklist": [
                {
                    "content": "罐区巡检：浮顶密封、浮盘积水及中央排水管、液位计与温度计读数正常，防火堤完好，雨排阀关闭",
                    "basis": "《危险化学品企业安全风险隐患排查治理导则》（应急〔2019〕78号）",
                    "cycleN": 2,
                    "cycleUnit": "hour",
                    "responsiblePost": "罐区操作工",
                    "criterionId": None,
                },
                {
                    "content": "罐根部紧急切断阀远程关断功能完好、处于投用状态，独立安全仪表系统无旁路、无强制",
                    "basis": "《危险化学品重大危险源监督管理暂行规定》（原安监总局令第40号）第十三条",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "仪表主管",
                    "criterionId": "HC2017-05",
                },
                {
                    "content": "罐区可燃气体检测报警器显示正常、报警值设定正确、检定在有效期内，报警信号传至中控室",
                    "basis": "GB/T 50493-2019《石油化工可燃气体和有毒气体检测报警设计标准》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "仪表班长",
                    "criterionId": "HC2017-12",
                },
            ],
        },
        {
            "key": "E1-P2",
            "kind": "place",
            "name": "5万吨级油品装卸码头",
            "area": "装卸码头",
            "planX": 0.76,
            "planY": 0.83,
            "lat": 30.06668,
            "lng": 121.97356,
            # A 50,000-t berth is long: a scan anywhere along it (within 300 m of this point) proves presence.
            "presenceRadiusM": 300,
            "responsiblePost": "码头作业部经理",
            "responsiblePerson": "徐立新",
            "hazardSources": [
                "输油臂或软管破裂致油品泄漏入海",
                "装卸过程静电积聚放电引燃油气",
                "船舶靠离泊碰撞码头及输油设施",
                "台风、大风浪期间系缆断裂",
                "作业人员码头前沿落水",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "输油臂设紧急脱离装置，与船岸紧急切断系统联锁；码头设固定式可燃气体检测报警和消防炮、水幕",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "执行船岸安全检查表，装卸全程船岸双方值守；风力达到6级及以上或雷雨天气停止装卸作业",
                    "controlLevel": "department",
                },
                {
                    "type": "engineering",
                    "content": "装卸前连接船岸静电跨接并确认接地良好，初始流速不大于1 m/s",
                    "controlLevel": "workshop",
                },
                {
                    "type": "emergency",
                    "content": "码头配备围油栏、吸油毡和收油机，装卸作业前预布围油栏",
                    "controlLevel": "workshop",
                },
                {
                    "type": "ppe",
                    "content": "码头前沿作业人员穿救生衣、防静电工作服，夜间作业穿反光背心",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "发生泄漏立即按紧急切断按钮停泵关阀，必要时输油臂紧急脱离",
                "布放围油栏围控溢油，报告舟山海事局和公司应急指挥部",
                "着火时启动码头消防炮和水幕，通知船舶做好解缆离泊准备",
                "人员落水立即抛投救生圈，呼叫救助艇",
            ],
            "emergencyPhone": "0580-8063119",
            # D = 3 × 6 × 15 = 270, 160 < D ≤ 320 → large (orange)
            "assessment": {"method": "LEC", "l": "3", "e": "6", "c": "15"},
            "checklist": [
                {
                    "content": "装卸前船岸安全检查表逐项确认并双方签字，静电跨接、接地完好，围油栏已布放",
                    "basis": "GB 13348-2009《液体石油产品静电安全规程》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "码头装卸班长",
                    "criterionId": None,
                },
                {
                    "content": "溢油应急物资（围油栏、吸油毡、收油机）数量与完好情况检查",
                    "basis": "《港口危险货物安全管理规定》（交通运输部令2017年第27号）",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "码头作业部安全员",
                    "criterionId": None,
                },
                {
                    "content": "输油臂紧急脱离装置及码头紧急切断阀动作试验",
                    "basis": "《港口危险货物安全管理规定》（交通运输部令2017年第27号）",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "设备主管",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E1-P3",
            "kind": "device",
            "name": "输油泵房离心泵组",
            "area": "泵房区",
            "planX": 0.65,
            "planY": 0.42,
            "lat": 30.06832,
            "lng": 121.97290,
            "responsiblePost": "泵房班长",
            "responsiblePerson": "孙国栋",
            "hazardSources": [
                "泵机械密封泄漏，油气在泵房内积聚引发火灾、爆炸",
                "泵出口阀误关导致泵体及管线超压",
                "联轴器等旋转部件绞伤",
                "非防爆电气或检修工具产生火花",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "泵房设固定式可燃气体检测报警仪并与事故排风机联锁，电气设备按爆炸危险区域划分选用防爆型",
                    "controlLevel": "workshop",
                },
                {
                    "type": "management",
                    "content": "执行启停泵操作规程；检修前断电、挂牌、上锁，排空置换合格后方可拆检",
                    "controlLevel": "workshop",
                },
                {
                    "type": "engineering",
                    "content": "泵出口设安全阀和压力高报警，联轴器设防护罩",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "泵房作业穿防静电工作服，佩戴耳塞，使用铜质防爆工具",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "泵密封泄漏立即停泵，关闭进出口阀门，启动事故排风",
                "着火时使用泵房内干粉灭火器扑救，报告中控室并启动消防泵",
                "人员绞伤立即按急停按钮，止血包扎后拨打120",
            ],
            "emergencyPhone": "0580-8063119",
            # D = 3 × 6 × 7 = 126, 70 < D ≤ 160 → general (yellow)
            "assessment": {"method": "LEC", "l": "3", "e": "6", "c": "7"},
            "checklist": [
                {
                    "content": "泵运行巡检：机械密封无泄漏，轴承温度和振动正常，出口压力在工艺控制指标内",
                    "basis": "《危险化学品企业安全风险隐患排查治理导则》（应急〔2019〕78号）",
                    "cycleN": 2,
                    "cycleUnit": "hour",
                    "responsiblePost": "泵房操作工",
                    "criterionId": None,
                },
                {
                    "content": "泵出口安全阀处于投用状态，根部阀全开并铅封，校验在有效期内",
                    "basis": "TSG D0001-2009《压力管道安全技术监察规程——工业管道》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "设备技术员",
                    "criterionId": "HC2017-15",
                },
                {
                    "content": "泵房可燃气体报警器与事故排风机联锁试验，防爆电气设备外壳、密封、接线完好",
                    "basis": "GB 50058-2014《爆炸危险环境电力装置设计规范》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "电仪主管",
                    "criterionId": "HC2017-12",
                },
            ],
        },
        {
            "key": "E1-P4",
            "kind": "activity",
            "name": "罐区动火作业",
            "area": "储罐区",
            "planX": 0.38,
            "planY": 0.50,
            "lat": 30.06800,
            "lng": 121.97128,
            "responsiblePost": "储运部经理",
            "responsiblePerson": "郑永刚",
            "hazardSources": [
                "动火点周边油气未清除或分析不合格，动火引发爆炸",
                "动火作业票未按级别审批，监护人不在场",
                "焊割火花飞溅引燃周边可燃物或窨井、地沟内油气",
                "作业人员未取得焊接与热切割作业操作证",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "罐区内动火按特级或一级动火管理，特级动火作业票由主要负责人或其授权的负责人审批，作业方案经安全评审",
                    "controlLevel": "company",
                },
                {
                    "type": "management",
                    "content": "动火前30分钟内取样分析合格，特级动火作业期间连续监测可燃气体浓度，作业中断超过30分钟重新分析",
                    "controlLevel": "department",
                },
                {
                    "type": "engineering",
                    "content": "清除动火点周围可燃物，封堵窨井、地漏、排水沟，与动火设备相连管线加盲板隔离",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "作业前对作业人员、监护人进行安全交底，焊工持焊接与热切割作业特种作业操作证",
                    "controlLevel": "team",
                },
                {
                    "type": "emergency",
                    "content": "现场配备灭火器和消防水带，监护人全程在场，作业结束后清理现场确认无余火",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "发现异常立即停止动火，切断电焊机电源、关闭气瓶阀门",
                "初期火灾使用现场灭火器和消防水带扑救，同时报告中控室启动罐区冷却喷淋",
                "人员烧伤立即用清水冲洗降温，拨打120",
            ],
            "emergencyPhone": "0580-8063119",
            # R = 4 × 5 = 20, 20–25 → major (red)
            "assessment": {"method": "LS", "l": 4, "s": 5},
            "checklist": [
                {
                    "content": "动火安全作业票审批级别正确，气体分析合格且在有效时间内，监护人在岗，消防器材到位",
                    "basis": "GB 30871-2022《危险化学品企业特殊作业安全规范》第5章",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "储运部安全员",
                    "criterionId": "HC2017-18",
                },
                {
                    "content": "焊工、电工等特种作业人员持有效操作证上岗，证件与本人一致",
                    "basis": "《特种作业人员安全技术培训考核管理规定》（原安监总局令第30号）",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "安全管理部安全员",
                    "criterionId": "HC2017-02",
                },
                {
                    "content": "特殊作业管理制度执行情况抽查：作业票存档、作业方案评审、气体分析记录",
                    "basis": "GB 30871-2022《危险化学品企业特殊作业安全规范》第4章",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "安全管理部经理",
                    "criterionId": "HC2017-18",
                },
            ],
        },
        {
            "key": "E1-P5",
            "kind": "place",
            "name": "消防泵房",
            "area": "消防泵房",
            "planX": 0.875,
            "planY": 0.40,
            "lat": 30.06840,
            "lng": 121.97425,
            "responsiblePost": "消防班长",
            "responsiblePerson": "胡晓东",
            "hazardSources": [
                "消防水泵、泡沫泵故障，火灾时不能供水供泡沫",
                "柴油机消防泵燃油泄漏着火",
                "电气设备漏电触电",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "消防水泵、泡沫泵每周启泵试验并记录，泵房24小时有人值守",
                    "controlLevel": "team",
                },
                {
                    "type": "engineering",
                    "content": "电动消防泵与柴油机消防泵互为备用，泵房设应急照明和直通中控室电话",
                    "controlLevel": "team",
                },
                {
                    "type": "training",
                    "content": "值班人员熟练掌握手动启泵和机械应急启泵操作",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "主泵故障立即启动备用泵或柴油机泵，并报告中控室",
                "柴油泄漏着火使用干粉灭火器扑救，切断燃油阀",
            ],
            "emergencyPhone": "0580-8063119",
            # D = 1 × 6 × 7 = 42 ≤ 70 → low (blue)
            "assessment": {"method": "LEC", "l": "1", "e": "6", "c": "7"},
            "checklist": [
                {
                    "content": "消防水泵、泡沫泵试运转，出口压力和自动启泵功能正常，控制柜处于自动状态",
                    "basis": "GB 50974-2014《消防给水及消火栓系统技术规范》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "消防班长",
                    "criterionId": None,
                },
                {
                    "content": "消防水池水位、泡沫液储量及有效期、柴油机油箱油位检查",
                    "basis": "GB 25201-2010《建筑消防设施的维护管理》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "消防班长",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E1-P6",
            "kind": "place",
            "name": "10kV变配电室",
            "area": "变配电室",
            "planX": 0.875,
            "planY": 0.16,
            "lat": 30.06936,
            "lng": 121.97425,
            "responsiblePost": "电气班长",
            "responsiblePerson": "黄志强",
            "hazardSources": [
                "高压设备触电",
                "电缆沟进水、小动物进入引发短路",
                "供电中断导致罐区仪表、消防系统失电",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "倒闸操作执行操作票、工作票制度，一人操作一人监护",
                    "controlLevel": "team",
                },
                {
                    "type": "engineering",
                    "content": "双回路供电；罐区仪表及安全仪表系统配置不间断电源",
                    "controlLevel": "team",
                },
                {
                    "type": "engineering",
                    "content": "配电室门口设挡鼠板，电缆沟进出口防火封堵",
                    "controlLevel": "post",
                },
                {
                    "type": "ppe",
                    "content": "操作时使用检验合格的绝缘手套、绝缘靴和验电器",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "人员触电立即切断电源，实施心肺复苏并拨打120",
                "电气着火切断电源后使用二氧化碳或干粉灭火器扑救",
                "全厂失电立即报告中控室，确认不间断电源投运，停止收发油作业",
            ],
            "emergencyPhone": "0580-8063119",
            # D = 1 × 6 × 3 = 18 ≤ 70 → low (blue)
            "assessment": {"method": "LEC", "l": "1", "e": "6", "c": "3"},
            "checklist": [
                {
                    "content": "配电室巡检：开关柜指示正常，无异常声响和过热，门窗、挡鼠板完好",
                    "basis": "GB 26860-2011《电力安全工作规程 发电厂和变电站电气部分》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "值班电工",
                    "criterionId": None,
                },
                {
                    "content": "自动化控制系统不间断电源切换试验及蓄电池检查",
                    "basis": "GB 50052-2009《供配电系统设计规范》",
                    "cycleN": 1,
                    "cycleUnit": "quarter",
                    "responsiblePost": "电气班长",
                    "criterionId": "HC2017-14",
                },
            ],
        },
    ],
    # ------------------------------------------------------------------------------------------------------------
    # E2 普陀东海船舶修造有限公司 — ship repair, 普陀区六横镇 (dry dock, painting, gantry crane, outfitting quay)
    # ------------------------------------------------------------------------------------------------------------
    "E2": [
        {
            "key": "E2-P1",
            "kind": "activity",
            "name": "干船坞修船动火作业",
            "area": "干船坞",
            "planX": 0.15,
            "planY": 0.30,
            "lat": 29.74280,
            "lng": 122.13290,
            "responsiblePost": "坞修车间主任",
            "responsiblePerson": "林国平",
            "hazardSources": [
                "在修船舶燃油舱、污油舱残留油气遇焊割火花爆炸",
                "焊割火花引燃舱内油漆、保温材料",
                "乙炔、氧气软管泄漏或回火",
                "电焊机及焊把线漏电触电",
                "坞内多工种交叉作业",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "修船动火实行公司审批，油舱及相邻舱室动火须取得测爆合格证明后方可签发动火证",
                    "controlLevel": "company",
                },
                {
                    "type": "engineering",
                    "content": "动火舱室及相邻舱柜清舱、通风、隔离，动火前和作业中检测可燃气体浓度",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "动火点设专人看火，配备灭火器和消防水带，作业结束后留守30分钟确认无余火",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "焊工持焊接与热切割作业特种作业操作证，班前进行安全交底",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "焊工穿阻燃工作服，佩戴焊接面罩、绝缘手套和绝缘鞋",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "着火立即停止动火，关闭气瓶阀门、切断电焊机电源，用灭火器扑救初期火灾",
                "舱内爆燃或人员受伤立即拨打119、120并启动公司应急预案",
                "清点舱内作业人员，组织沿安全通道撤离",
            ],
            "emergencyPhone": "0580-6081119",
            # D = 3 × 6 × 40 = 720 > 320 → major (red)
            "assessment": {"method": "LEC", "l": "3", "e": "6", "c": "40"},
            "checklist": [
                {
                    "content": "动火证、测爆合格证明在有效期内，看火人到位，消防器材配备齐全",
                    "basis": "GB 9448-1999《焊接与切割安全》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "坞修车间安全员",
                    "criterionId": None,
                },
                {
                    "content": "动火舱室可燃气体浓度复测并记录",
                    "basis": "GB 9448-1999《焊接与切割安全》",
                    "cycleN": 2,
                    "cycleUnit": "hour",
                    "responsiblePost": "测爆员",
                    "criterionId": None,
                },
                {
                    "content": "焊工、气割工特种作业操作证持证上岗检查",
                    "basis": "《特种作业人员安全技术培训考核管理规定》（原安监总局令第30号）",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "安全环保部安全员",
                    "criterionId": "GM2023-02",
                },
            ],
        },
        {
            "key": "E2-P2",
            "kind": "activity",
            "name": "船舱受限空间作业（压载舱、油舱）",
            "area": "干船坞",
            "planX": 0.30,
            "planY": 0.62,
            "lat": 29.74152,
            "lng": 122.13380,
            "responsiblePost": "安全环保部经理",
            "responsiblePerson": "方建军",
            "hazardSources": [
                "舱内缺氧窒息",
                "硫化氢、一氧化碳等有毒气体中毒",
                "残油油气积聚遇火源爆炸",
                "盲目施救导致伤亡扩大",
                "舱内照明不足、通道狭窄致坠落",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "建立船舱有限空间辨识台账，进舱作业实行审批，未经审批严禁进入",
                    "controlLevel": "company",
                },
                {
                    "type": "engineering",
                    "content": "作业前机械通风，检测氧含量19.5%～23.5%及有毒、可燃气体合格后进入，作业中持续检测",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "舱口设专人监护，登记进出人员和工具，设置有限空间安全警示标志",
                    "controlLevel": "workshop",
                },
                {
                    "type": "emergency",
                    "content": "舱口配置三脚架救援装置和正压式空气呼吸器，严禁无防护盲目施救",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "作业、监护、救援人员经有限空间专项培训，每年至少开展一次救援演练",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "进舱人员佩戴便携式四合一气体检测仪、全身式安全带和安全绳，使用防爆照明",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "检测仪报警立即撤出舱内全部人员，加大通风",
                "人员晕倒由佩戴正压式空气呼吸器的救援人员施救，利用三脚架和安全绳将其救出",
                "救出后移至通风处，必要时心肺复苏，拨打120",
            ],
            "emergencyPhone": "0580-6081119",
            # R = 4 × 5 = 20, 20–25 → major (red)
            "assessment": {"method": "LS", "l": 4, "s": 5},
            "checklist": [
                {
                    "content": "有限空间作业审批表、通风及气体检测记录齐全，作业现场监护人在岗",
                    "basis": "《工贸企业有限空间作业安全规定》（应急管理部令第13号）",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "坞修车间安全员",
                    "criterionId": "GM2023-17",
                },
                {
                    "content": "在修船舶舱室有限空间辨识台账更新，舱口安全警示标志完好",
                    "basis": "《工贸企业有限空间作业安全规定》（应急管理部令第13号）",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "安全环保部安全员",
                    "criterionId": "GM2023-16",
                },
                {
                    "content": "气体检测仪标定、正压式空气呼吸器气瓶压力及面罩气密性检查",
                    "basis": "GB 8958-2006《缺氧危险作业安全规程》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "坞修车间安全员",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E2-P3",
            "kind": "activity",
            "name": "船体分段涂装作业",
            "area": "分段涂装车间",
            "planX": 0.555,
            "planY": 0.22,
            "lat": 29.74312,
            "lng": 122.13533,
            "responsiblePost": "涂装车间主任",
            "responsiblePerson": "陈海波",
            "hazardSources": [
                "涂料溶剂挥发形成爆炸性混合物，遇火花爆炸",
                "二甲苯等有机溶剂中毒",
                "无气喷涂设备及工件静电放电",
                "分段高处喷涂坠落",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "涂装车间设机械通风和可燃气体检测报警，照明及电气设备采用防爆型",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "涂装区域严禁动火，涂装与动火作业错时错位安排并由车间统一协调",
                    "controlLevel": "workshop",
                },
                {
                    "type": "engineering",
                    "content": "喷涂泵、喷枪、工件和管道可靠接地",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "喷涂人员佩戴有机蒸气防毒面具、防静电工作服，高处喷涂系安全带",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "可燃气体报警立即停止喷涂，加强通风，切断非防爆电源",
                "着火使用干粉或泡沫灭火器扑救，撤离人员并拨打119",
                "溶剂中毒人员移至新鲜空气处，拨打120",
            ],
            "emergencyPhone": "0580-6081119",
            # D = 3 × 6 × 15 = 270, 160 < D ≤ 320 → large (orange)
            "assessment": {"method": "LEC", "l": "3", "e": "6", "c": "15"},
            "checklist": [
                {
                    "content": "通风设施运行正常，作业区可燃气体浓度低于爆炸下限的25%",
                    "basis": "GB 6514-2008《涂装作业安全规程 涂漆工艺安全及其通风净化》",
                    "cycleN": 2,
                    "cycleUnit": "hour",
                    "responsiblePost": "涂装班长",
                    "criterionId": None,
                },
                {
                    "content": "现场涂料、稀释剂存放量不超过当班用量，空桶及时清出",
                    "basis": "GB 7691-2003《涂装作业安全规程 安全管理通则》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "涂装车间安全员",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E2-P4",
            "kind": "device",
            "name": "300t门式起重机",
            "area": "总装平台",
            "planX": 0.60,
            "planY": 0.72,
            "lat": 29.74112,
            "lng": 122.13560,
            "responsiblePost": "设备动力部经理",
            "responsiblePerson": "王振华",
            "hazardSources": [
                "吊物坠落砸伤",
                "台风、大风导致起重机滑移、倾覆",
                "钢丝绳断丝、断股或吊钩失效",
                "双机抬吊大型分段失稳",
                "司机、司索指挥人员无证上岗",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "设置起重量限制器、起升高度限位器、夹轨器、锚定装置和风速仪报警",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "大型分段吊装编制吊装方案并审批；风速超过规定值停止吊装，台风季提前锚定",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "起重机定期检验合格，车间每周检查钢丝绳、吊钩、制动器",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "司机、司索和指挥人员持特种设备作业人员证，吊装前交底",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "地面人员佩戴安全帽，不在吊物下方停留或通过",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "吊物异常立即停止起升，缓慢落钩至安全位置，疏散下方人员",
                "突发大风立即停止作业，起重机回锚定位并夹紧夹轨器",
                "人员受伤立即拨打120并报告设备动力部",
            ],
            "emergencyPhone": "0580-6081119",
            # R = 3 × 5 = 15, 15–16 → large (orange)
            "assessment": {"method": "LS", "l": 3, "s": 5},
            "checklist": [
                {
                    "content": "作业前检查制动器、各限位器、钢丝绳和吊钩防脱装置",
                    "basis": "GB 6067.1-2010《起重机械安全规程 第1部分：总则》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "起重机司机",
                    "criterionId": None,
                },
                {
                    "content": "防风锚定装置、夹轨器状态及风速仪有效性检查",
                    "basis": "GB/T 6067.5-2014《起重机械安全规程 第5部分：桥式和门式起重机》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "设备管理员",
                    "criterionId": None,
                },
                {
                    "content": "起重机定期检验报告在有效期内，使用登记及作业人员证件齐全",
                    "basis": "TSG 51-2023《起重机械安全技术规程》",
                    "cycleN": 1,
                    "cycleUnit": "quarter",
                    "responsiblePost": "设备动力部经理",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E2-P5",
            "kind": "activity",
            "name": "舾装码头船体外板高处作业",
            "area": "舾装码头",
            "planX": 0.885,
            "planY": 0.50,
            "lat": 29.74200,
            "lng": 122.13731,
            "responsiblePost": "舾装车间主任",
            "responsiblePerson": "李卫东",
            "hazardSources": [
                "脚手架搭设不规范坍塌",
                "未系挂安全带从高处坠落",
                "工具、材料坠落打击",
                "船舷与码头之间落水",
                "外包施工队安全管理失控",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "外包施工队签订安全管理协议，纳入车间统一协调管理和安全检查",
                    "controlLevel": "workshop",
                },
                {
                    "type": "engineering",
                    "content": "脚手架经验收合格挂牌后使用，设防护栏杆和挡脚板，船舷外侧张挂安全网",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "高处作业人员班前交底，登高架设作业人员持证",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "高处作业人员使用全身式安全带并高挂低用，工具系防坠绳",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "人员坠落立即拨打120，不随意搬动疑似脊柱损伤人员",
                "人员落水抛投救生圈，呼叫码头救助艇",
            ],
            "emergencyPhone": "0580-6081119",
            # D = 3 × 6 × 7 = 126, 70 < D ≤ 160 → general (yellow)
            "assessment": {"method": "LEC", "l": "3", "e": "6", "c": "7"},
            "checklist": [
                {
                    "content": "脚手架验收挂牌，踏板、防护栏杆、安全网完好",
                    "basis": "GB 51210-2016《建筑施工脚手架安全技术统一标准》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "舾装班长",
                    "criterionId": None,
                },
                {
                    "content": "安全带外观、连接件及使用情况检查",
                    "basis": "GB 6095-2021《坠落防护 安全带》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "舾装车间安全员",
                    "criterionId": None,
                },
                {
                    "content": "外包施工队安全管理协议、人员培训记录及现场统一协调检查",
                    "basis": "《中华人民共和国安全生产法》第四十九条",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "安全环保部经理",
                    "criterionId": "GM2023-01",
                },
            ],
        },
        {
            "key": "E2-P6",
            "kind": "place",
            "name": "机修车间",
            "area": "机修车间",
            "planX": 0.725,
            "planY": 0.22,
            "lat": 29.74312,
            "lng": 122.13635,
            "responsiblePost": "机修班长",
            "responsiblePerson": "赵立伟",
            "hazardSources": [
                "车床、钻床旋转部件绞伤",
                "砂轮破裂碎片飞溅",
                "手持电动工具漏电",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "设备传动部位设防护罩，设急停按钮，手持电动工具回路设漏电保护器",
                    "controlLevel": "team",
                },
                {
                    "type": "management",
                    "content": "操作旋转设备严禁戴手套，长发盘入工作帽",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "磨削作业佩戴防护眼镜",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "绞伤立即按急停按钮，止血包扎后送医",
                "触电立即切断电源，必要时心肺复苏并拨打120",
            ],
            "emergencyPhone": "0580-6081119",
            # R = 2 × 4 = 8, 1–8 → low (blue)
            "assessment": {"method": "LS", "l": 2, "s": 4},
            "checklist": [
                {
                    "content": "设备防护罩、急停按钮、漏电保护器完好有效",
                    "basis": "GB/T 8196-2018《机械安全 防护装置 固定式和活动式防护装置的设计与制造一般要求》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "机修工",
                    "criterionId": None,
                },
                {
                    "content": "砂轮机托架与砂轮间隙、砂轮有无裂纹及防护罩检查",
                    "basis": "GB 4674-2009《磨削机械安全规程》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "机修班长",
                    "criterionId": None,
                },
            ],
        },
    ],
    # ------------------------------------------------------------------------------------------------------------
    # E3 舟山海鲜冷链食品有限公司 — aquatic products with liquid-ammonia refrigeration, 定海区小沙街道
    # ------------------------------------------------------------------------------------------------------------
    "E3": [
        {
            "key": "E3-P1",
            "kind": "place",
            "name": "液氨制冷机房",
            "area": "液氨机房",
            "planX": 0.165,
            "planY": 0.24,
            "lat": 30.08704,
            "lng": 122.02999,
            "responsiblePost": "制冷车间主任",
            "responsiblePerson": "吴海涛",
            "hazardSources": [
                "液氨管道、阀门、压缩机泄漏导致人员中毒",
                "氨气与空气混合达到爆炸极限遇火源爆炸",
                "储氨器、油分离器等压力容器超压",
                "液氨接触致冻伤",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "机房设氨气浓度报警装置并与事故排风机联锁，储氨器上方设水喷淋，机房设紧急泄氨器",
                    "controlLevel": "company",
                },
                {
                    "type": "management",
                    "content": "主要负责人组织制定液氨泄漏专项应急预案，每半年组织一次演练",
                    "controlLevel": "company",
                },
                {
                    "type": "management",
                    "content": "制冷系统运行执行交接班制度，每2小时巡检并记录压力、温度、液位",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "制冷工持制冷与空调作业特种作业操作证上岗",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "机房配备正压式空气呼吸器、重型防化服、防冻手套和洗眼器",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "发生泄漏立即启动事故排风，佩戴空气呼吸器关闭泄漏点前后阀门",
                "疏散人员至上风向，设置警戒区",
                "大量泄漏时启动紧急泄氨器，报告119和公司应急领导小组",
                "中毒、冻伤人员用大量清水冲洗后送医",
            ],
            "emergencyPhone": "0580-8031220",
            # D = 1 × 10 × 40 = 400 > 320 → major (red)
            "assessment": {"method": "LEC", "l": "1", "e": "10", "c": "40"},
            "checklist": [
                {
                    "content": "机房巡检：压缩机运行参数、储氨器液位、氨气浓度报警器读数正常，无泄漏",
                    "basis": "AQ 7015-2018《氨制冷企业安全规范》",
                    "cycleN": 2,
                    "cycleUnit": "hour",
                    "responsiblePost": "制冷工",
                    "criterionId": None,
                },
                {
                    "content": "氨气浓度报警器与事故排风机联锁试验，紧急泄氨器完好",
                    "basis": "GB 50072-2021《冷库设计标准》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "制冷车间主任",
                    "criterionId": None,
                },
                {
                    "content": "制冷工持有效制冷与空调作业特种作业操作证",
                    "basis": "《特种作业人员安全技术培训考核管理规定》（原安监总局令第30号）",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "安全管理员",
                    "criterionId": "GM2023-02",
                },
                {
                    "content": "储氨器、油分离器安全阀校验及压力表检定在有效期内",
                    "basis": "TSG 21-2016《固定式压力容器安全技术监察规程》",
                    "cycleN": 1,
                    "cycleUnit": "quarter",
                    "responsiblePost": "设备管理员",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E3-P2",
            "kind": "place",
            "name": "螺旋速冻间",
            "area": "速冻间",
            "planX": 0.475,
            "planY": 0.24,
            "lat": 30.08704,
            "lng": 122.03185,
            "responsiblePost": "加工车间主任",
            "responsiblePerson": "邵丽娟",
            "hazardSources": [
                "速冻装置氨管道、阀门泄漏致作业人员中毒",
                "速冻间作业人员过多，泄漏时疏散困难",
                "低温冻伤，地面结冰滑倒",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "速冻装置设在单独的作业间内，设氨气浓度报警和事故排风，疏散门向外开启",
                    "controlLevel": "workshop",
                },
                {
                    "type": "management",
                    "content": "速冻间内作业人员不超过9人，门口设在岗人数登记牌",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "作业人员熟悉氨泄漏报警信号和撤离路线，每季度疏散演练",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "穿防寒服、防滑鞋，作业间门口配备过滤式防毒面具",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "氨气报警立即停止作业，全部人员沿疏散通道撤离至上风向",
                "通知制冷机房关闭速冻装置供液阀",
                "冻伤部位用温水复温，不得揉搓",
            ],
            "emergencyPhone": "0580-8031220",
            # R = 3 × 4 = 12, 9–12 → general (yellow)
            "assessment": {"method": "LS", "l": 3, "s": 4},
            "checklist": [
                {
                    "content": "速冻装置设在单独作业间且隔离完好，作业间内作业人员不超过9人",
                    "basis": "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）第十二条",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "速冻班长",
                    "criterionId": "GM2023-15",
                },
                {
                    "content": "速冻间氨气浓度报警器显示正常，疏散通道畅通",
                    "basis": "AQ 7015-2018《氨制冷企业安全规范》",
                    "cycleN": 2,
                    "cycleUnit": "hour",
                    "responsiblePost": "速冻操作工",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E3-P3",
            "kind": "place",
            "name": "-18℃低温冷藏库",
            "area": "冷藏库",
            "planX": 0.62,
            "planY": 0.72,
            "lat": 30.08512,
            "lng": 122.03272,
            "responsiblePost": "仓储主管",
            "responsiblePerson": "蒋文斌",
            "hazardSources": [
                "人员被困库内冻伤",
                "货架或堆垛倒塌砸伤",
                "库内地面结冰湿滑",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "库门设内开门装置、库内呼救报警按钮和应急照明",
                    "controlLevel": "team",
                },
                {
                    "type": "management",
                    "content": "进出库登记，库内作业不少于2人，下班前清点确认库内无人",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "入库人员穿防寒服、防滑鞋，连续作业不超过规定时间",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "人员被困按下呼救按钮，值班人员立即开门施救",
                "冻伤人员移至常温处复温后送医",
            ],
            "emergencyPhone": "0580-8031220",
            # D = 3 × 3 × 7 = 63 ≤ 70 → low (blue)
            "assessment": {"method": "LEC", "l": "3", "e": "3", "c": "7"},
            "checklist": [
                {
                    "content": "库内呼救按钮、内开门装置和应急照明功能测试",
                    "basis": "GB 50072-2021《冷库设计标准》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "仓储主管",
                    "criterionId": None,
                },
                {
                    "content": "货架稳固，堆码高度和通道宽度符合要求",
                    "basis": "GB/T 30134-2013《冷库管理规范》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "仓管员",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E3-P4",
            "kind": "activity",
            "name": "叉车装卸作业",
            "area": "装卸月台",
            "planX": 0.165,
            "planY": 0.72,
            "lat": 30.08512,
            "lng": 122.02999,
            "responsiblePost": "物流部主管",
            "responsiblePerson": "金伟",
            "hazardSources": [
                "叉车倒车、转弯撞伤行人",
                "货物坠落砸伤",
                "叉车从月台边缘翻落",
                "无证驾驶叉车",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "划定人车分流通道，月台区域叉车限速5 km/h",
                    "controlLevel": "workshop",
                },
                {
                    "type": "engineering",
                    "content": "月台设车辆止退器和边缘警示线，叉车装倒车蜂鸣器和蓝光警示灯",
                    "controlLevel": "team",
                },
                {
                    "type": "training",
                    "content": "叉车司机持场（厂）内专用机动车辆作业人员证",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "月台作业人员穿反光背心、安全鞋",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "发生撞人立即停车熄火，拨打120，保护现场",
                "叉车倾翻时司机不得跳车，应握紧方向盘随车倾倒",
            ],
            "emergencyPhone": "0580-8031220",
            # R = 3 × 3 = 9, 9–12 → general (yellow)
            "assessment": {"method": "LS", "l": 3, "s": 3},
            "checklist": [
                {
                    "content": "叉车使用前检查制动、转向、喇叭、灯光和货叉",
                    "basis": "TSG 81-2022《场（厂）内专用机动车辆安全技术规程》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "叉车司机",
                    "criterionId": None,
                },
                {
                    "content": "叉车定期检验合格、司机持证，月台止退器与人车通道标识完好",
                    "basis": "TSG 81-2022《场（厂）内专用机动车辆安全技术规程》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "物流部主管",
                    "criterionId": None,
                },
            ],
        },
    ],
    # ------------------------------------------------------------------------------------------------------------
    # E4 舟山岑港精细化工有限公司 — fine chemicals, 定海区岑港街道化工园区
    # ------------------------------------------------------------------------------------------------------------
    "E4": [
        {
            "key": "E4-P1",
            "kind": "device",
            "name": "加氢反应釜R-101",
            "area": "合成车间",
            "planX": 0.25,
            "planY": 0.30,
            "lat": 30.07530,
            "lng": 121.98350,
            "responsiblePost": "生产部经理",
            "responsiblePerson": "冯志远",
            "hazardSources": [
                "氢气泄漏形成爆炸性混合物",
                "反应失控导致超温超压",
                "废催化剂（雷尼镍）暴露于空气中自燃",
                "搅拌机械密封泄漏",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "加氢工艺实现DCS自动控制，设安全仪表系统，反应温度、压力高高与氢气进料切断和紧急泄压联锁",
                    "controlLevel": "company",
                },
                {
                    "type": "management",
                    "content": "开展精细化工反应安全风险评估，按评估确定的工艺危险度等级落实控制措施，变更时重新评估",
                    "controlLevel": "company",
                },
                {
                    "type": "engineering",
                    "content": "釜顶设安全阀与爆破片组合泄放装置，泄放气引至安全处置设施",
                    "controlLevel": "department",
                },
                {
                    "type": "engineering",
                    "content": "车间设氢气浓度检测报警，电气设备防爆等级满足IIC类要求",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "操作工持加氢工艺作业特种作业操作证，熟练掌握紧急停车程序",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "穿防静电工作服，处理催化剂时佩戴防护面罩，催化剂保持水封",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "超温超压立即启动紧急停车，切断氢气进料，打开紧急泄压",
                "氢气泄漏立即停止周边作业，切断泄漏源，严禁启闭电气开关",
                "着火时启动消防水炮冷却反应釜，拨打119并启动园区联动",
            ],
            "emergencyPhone": "0580-8065220",
            # D = 1 × 10 × 40 = 400 > 320 → major (red)
            "assessment": {"method": "LEC", "l": "1", "e": "10", "c": "40"},
            "checklist": [
                {
                    "content": "DCS与安全仪表系统投用，联锁无旁路、无强制，联锁摘除经审批",
                    "basis": "GB/T 50770-2013《石油化工安全仪表系统设计规范》",
                    "cycleN": 12,
                    "cycleUnit": "hour",
                    "responsiblePost": "工艺技术员",
                    "criterionId": "HC2017-04",
                },
                {
                    "content": "反应釜安全阀、爆破片处于投用状态，校验或更换在有效期内",
                    "basis": "TSG 21-2016《固定式压力容器安全技术监察规程》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "设备技术员",
                    "criterionId": "HC2017-15",
                },
                {
                    "content": "反应安全风险评估报告覆盖现行工艺，工艺变更后已重新评估",
                    "basis": "GB/T 42300-2022《精细化工反应安全风险评估规范》",
                    "cycleN": 1,
                    "cycleUnit": "year",
                    "responsiblePost": "技术负责人",
                    "criterionId": "HC2017-19",
                },
                {
                    "content": "加氢岗位操作工持有效加氢工艺作业操作证",
                    "basis": "《特种作业人员安全技术培训考核管理规定》（原安监总局令第30号）",
                    "cycleN": 1,
                    "cycleUnit": "quarter",
                    "responsiblePost": "安全管理部",
                    "criterionId": "HC2017-02",
                },
            ],
        },
        {
            "key": "E4-P2",
            "kind": "place",
            "name": "甲类危险化学品仓库",
            "area": "仓储区",
            "planX": 0.70,
            "planY": 0.25,
            "lat": 30.07550,
            "lng": 121.98620,
            "responsiblePost": "仓储部经理",
            "responsiblePerson": "邱明",
            "hazardSources": [
                "易燃液体包装破损泄漏，遇火源燃烧爆炸",
                "禁忌物料混存发生危险反应",
                "超量、超品种储存",
                "静电及电气火花",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "库房采用防爆电气，设可燃气体检测报警和机械通风，门口设人体静电释放器",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "按化学品性质分区分类储存，张贴禁配表，储量不超过核定量",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "出入库登记，双人收发、双人保管，库内严禁分装和开桶作业",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "保管员掌握所储化学品安全技术说明书要点和泄漏处置方法",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "搬运时穿防静电工作服，佩戴防护手套和护目镜",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "泄漏时使用吸附棉、防爆工具收集，通风稀释，禁止一切火源",
                "着火使用抗溶性泡沫或干粉灭火，拨打119",
            ],
            "emergencyPhone": "0580-8065220",
            # R = 3 × 5 = 15, 15–16 → large (orange)
            "assessment": {"method": "LS", "l": 3, "s": 5},
            "checklist": [
                {
                    "content": "分区分类储存，禁忌物料隔离，品种和储量不超过核定范围",
                    "basis": "GB 15603-2022《危险化学品仓库储存通则》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "仓库保管员",
                    "criterionId": "HC2017-20",
                },
                {
                    "content": "库房可燃气体报警器完好，防爆电气与接地检查",
                    "basis": "GB/T 50493-2019《石油化工可燃气体和有毒气体检测报警设计标准》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "电仪主管",
                    "criterionId": "HC2017-12",
                },
            ],
        },
        {
            "key": "E4-P3",
            "kind": "place",
            "name": "甲苯、甲醇溶剂储罐区",
            "area": "罐区",
            "planX": 0.30,
            "planY": 0.75,
            "lat": 30.07350,
            "lng": 121.98380,
            "responsiblePost": "罐区班长",
            "responsiblePerson": "蔡永康",
            "hazardSources": [
                "储罐、管线泄漏遇火源火灾爆炸",
                "甲醇蒸气吸入中毒",
                "槽车卸车静电放电",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "罐区设可燃气体检测报警、液位高报警和氮封，卸车设静电接地报警器",
                    "controlLevel": "workshop",
                },
                {
                    "type": "management",
                    "content": "卸车执行专人监卸，槽车静置后方可卸车",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "罐区操作工掌握泄漏围堵和初期火灾扑救方法",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "卸车人员佩戴防毒面具、防护手套",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "泄漏时关闭罐根阀，围堤内收集，使用泡沫覆盖",
                "着火使用抗溶性泡沫灭火，冷却邻近储罐",
            ],
            "emergencyPhone": "0580-8065220",
            # D = 3 × 6 × 7 = 126, 70 < D ≤ 160 → general (yellow)
            "assessment": {"method": "LEC", "l": "3", "e": "6", "c": "7"},
            "checklist": [
                {
                    "content": "罐区巡检：储罐液位、氮封压力、阀门法兰无泄漏，防火堤完好",
                    "basis": "《危险化学品企业安全风险隐患排查治理导则》（应急〔2019〕78号）",
                    "cycleN": 2,
                    "cycleUnit": "hour",
                    "responsiblePost": "罐区操作工",
                    "criterionId": None,
                },
                {
                    "content": "罐区可燃、有毒气体检测报警器完好，报警值设定正确",
                    "basis": "GB/T 50493-2019《石油化工可燃气体和有毒气体检测报警设计标准》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "仪表班长",
                    "criterionId": "HC2017-12",
                },
            ],
        },
        {
            "key": "E4-P4",
            "kind": "place",
            "name": "成品包装工位",
            "area": "包装车间",
            "planX": 0.72,
            "planY": 0.70,
            "lat": 30.07370,
            "lng": 121.98632,
            "responsiblePost": "包装班长",
            "responsiblePerson": "郭静",
            "hazardSources": [
                "包装机夹伤",
                "成品粉料扬尘吸入",
                "托盘堆垛倒塌",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "包装机设安全光幕和急停按钮，包装口设局部排风",
                    "controlLevel": "team",
                },
                {
                    "type": "management",
                    "content": "托盘堆码不超过规定层数",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "佩戴防尘口罩、护目镜和防护手套",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "夹伤立即按急停按钮，止血包扎后送医",
                "粉料入眼用洗眼器冲洗15分钟",
            ],
            "emergencyPhone": "0580-8065220",
            # D = 1 × 6 × 3 = 18 ≤ 70 → low (blue)
            "assessment": {"method": "LEC", "l": "1", "e": "6", "c": "3"},
            "checklist": [
                {
                    "content": "包装机安全光幕、急停按钮有效，局部排风运行",
                    "basis": "GB/T 8196-2018《机械安全 防护装置 固定式和活动式防护装置的设计与制造一般要求》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "包装工",
                    "criterionId": None,
                },
                {
                    "content": "洗眼器出水正常，防尘口罩等防护用品配备",
                    "basis": "GB 39800.1-2020《个体防护装备配备规范 第1部分：总则》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "包装班长",
                    "criterionId": None,
                },
            ],
        },
    ],
    # ------------------------------------------------------------------------------------------------------------
    # E5 金塘港务物流有限公司 — container port logistics, 定海区金塘镇
    # ------------------------------------------------------------------------------------------------------------
    "E5": [
        {
            "key": "E5-P1",
            "kind": "device",
            "name": "岸边集装箱起重机（岸桥）",
            "area": "码头前沿",
            "planX": 0.20,
            "planY": 0.80,
            "lat": 30.01930,
            "lng": 121.90020,
            "responsiblePost": "装卸部经理",
            "responsiblePerson": "应国强",
            "hazardSources": [
                "集装箱吊具脱钩、箱体坠落",
                "台风期间岸桥防风失效倾覆",
                "司机室及机房登高坠落",
                "舱内拆装扭锁人员被箱体挤压",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "岸桥设风速仪报警、防风锚定和防风拉索，吊具设着箱和闭锁到位联锁",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "台风预警期间按防台预案停止作业并锚定，复工前经检查确认",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "船舶装卸作业指挥统一信号，作业区域设警戒",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "岸桥司机持特种设备作业人员证，定期复训",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "码头作业人员佩戴安全帽、穿反光背心",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "箱体坠落立即停止作业，警戒现场，救护受伤人员",
                "突遇大风立即停止作业，大车回锚定位",
            ],
            "emergencyPhone": "0580-8091100",
            # R = 3 × 5 = 15, 15–16 → large (orange)
            "assessment": {"method": "LS", "l": 3, "s": 5},
            "checklist": [
                {
                    "content": "作业前检查吊具闭锁联锁、制动器、限位器和钢丝绳",
                    "basis": "GB 6067.1-2010《起重机械安全规程 第1部分：总则》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "岸桥司机",
                    "criterionId": None,
                },
                {
                    "content": "防风锚定、防风拉索及风速仪检查",
                    "basis": "TSG 51-2023《起重机械安全技术规程》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "机械技术员",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E5-P2",
            "kind": "activity",
            "name": "集卡与正面吊堆场作业",
            "area": "集装箱堆场",
            "planX": 0.50,
            "planY": 0.40,
            "lat": 30.02090,
            "lng": 121.90200,
            "responsiblePost": "堆场作业队长",
            "responsiblePerson": "史建华",
            "hazardSources": [
                "集卡、正面吊碰撞行人",
                "堆箱倒塌",
                "正面吊超载倾翻",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "堆场实行人车分离，非作业人员禁止进入箱区，集卡限速行驶",
                    "controlLevel": "workshop",
                },
                {
                    "type": "engineering",
                    "content": "正面吊设力矩限制器和倒车影像",
                    "controlLevel": "team",
                },
                {
                    "type": "training",
                    "content": "司机持证上岗，新司机带教期满考核后独立作业",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "进入堆场人员穿反光背心，佩戴安全帽",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "发生车辆伤害立即停车，拨打120，保护现场",
                "堆箱倒塌立即警戒，评估后使用机械救援",
            ],
            "emergencyPhone": "0580-8091100",
            # D = 3 × 6 × 7 = 126, 70 < D ≤ 160 → general (yellow)
            "assessment": {"method": "LEC", "l": "3", "e": "6", "c": "7"},
            "checklist": [
                {
                    "content": "正面吊力矩限制器、制动、灯光、倒车影像检查",
                    "basis": "TSG 81-2022《场（厂）内专用机动车辆安全技术规程》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "正面吊司机",
                    "criterionId": None,
                },
                {
                    "content": "堆场交通标志、限速标识、人行通道标线完好，堆箱层高符合规定",
                    "basis": "企业《集装箱堆场作业安全管理制度》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "堆场作业队长",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E5-P3",
            "kind": "place",
            "name": "危险货物集装箱堆存区",
            "area": "危险货物箱区",
            "planX": 0.82,
            "planY": 0.25,
            "lat": 30.02150,
            "lng": 121.90392,
            "responsiblePost": "危险货物管理员",
            "responsiblePerson": "卢海燕",
            "hazardSources": [
                "危险货物集装箱泄漏引发火灾、中毒",
                "不同类别危险货物未按隔离要求堆存",
                "高温天气箱内压力升高",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "危险货物集装箱按类别和隔离表堆存，实行专区、专人管理并每日核对",
                    "controlLevel": "workshop",
                },
                {
                    "type": "engineering",
                    "content": "箱区设围堰、视频监控和消防水炮，夏季高温时段喷淋降温",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "危险货物作业人员取得港口危险货物从业资格",
                    "controlLevel": "team",
                },
                {
                    "type": "emergency",
                    "content": "箱区配置堵漏器材、吸附材料和正压式空气呼吸器",
                    "controlLevel": "team",
                },
            ],
            "emergencyMeasures": [
                "发现泄漏立即设置警戒，查明货物性质，按安全技术说明书处置",
                "着火启动消防水炮冷却相邻箱体，报告港口行政管理部门和119",
            ],
            "emergencyPhone": "0580-8091100",
            # R = 2 × 5 = 10, 9–12 → general (yellow)
            "assessment": {"method": "LS", "l": 2, "s": 5},
            "checklist": [
                {
                    "content": "危险货物箱按类别隔离堆存，箱体标志完好，无渗漏",
                    "basis": "《港口危险货物安全管理规定》（交通运输部令2017年第27号）",
                    "cycleN": 2,
                    "cycleUnit": "hour",
                    "responsiblePost": "箱区巡查员",
                    "criterionId": None,
                },
                {
                    "content": "箱区消防水炮、喷淋和应急器材检查",
                    "basis": "《港口危险货物安全管理规定》（交通运输部令2017年第27号）",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "危险货物管理员",
                    "criterionId": None,
                },
            ],
        },
    ],
    # ------------------------------------------------------------------------------------------------------------
    # E6 衢山港口散货物流有限公司 — bulk port logistics (ore, coal), 岱山县衢山镇
    # ------------------------------------------------------------------------------------------------------------
    "E6": [
        {
            "key": "E6-P1",
            "kind": "device",
            "name": "散货带式输送机系统",
            "area": "输送廊道",
            "planX": 0.45,
            "planY": 0.50,
            "lat": 30.44200,
            "lng": 122.30970,
            "responsiblePost": "输送作业区主任",
            "responsiblePerson": "章国华",
            "hazardSources": [
                "滚筒、托辊卷入",
                "清理积料时设备误启动",
                "皮带跑偏摩擦起火",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "沿线设拉绳开关、跑偏开关、打滑检测，驱动和改向滚筒设防护罩",
                    "controlLevel": "workshop",
                },
                {
                    "type": "management",
                    "content": "清料、检修执行停机、断电、挂牌上锁，严禁运行中清料",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "巡检工掌握拉绳急停位置和操作",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "穿紧身工作服，佩戴防尘口罩和耳塞",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "人员卷入立即拉下拉绳开关，断电后施救，拨打120",
                "皮带起火立即停机，使用灭火器和消防水扑救",
            ],
            "emergencyPhone": "0580-4721100",
            # D = 3 × 6 × 7 = 126, 70 < D ≤ 160 → general (yellow)
            "assessment": {"method": "LEC", "l": "3", "e": "6", "c": "7"},
            "checklist": [
                {
                    "content": "巡检拉绳开关、跑偏开关、防护罩完好，托辊无卡死",
                    "basis": "GB 14784-2013《带式输送机 安全规范》",
                    "cycleN": 2,
                    "cycleUnit": "hour",
                    "responsiblePost": "输送巡检工",
                    "criterionId": None,
                },
                {
                    "content": "拉绳急停功能试验及挂牌上锁执行情况检查",
                    "basis": "GB 14784-2013《带式输送机 安全规范》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "输送作业区主任",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E6-P2",
            "kind": "device",
            "name": "桥式抓斗卸船机",
            "area": "散货码头",
            "planX": 0.15,
            "planY": 0.85,
            "lat": 30.44060,
            "lng": 122.30790,
            "responsiblePost": "装卸部经理",
            "responsiblePerson": "杨明辉",
            "hazardSources": [
                "抓斗坠落或摆动撞击人员",
                "台风期间卸船机滑移倾覆",
                "舱内清舱人员被抓斗伤害",
                "登机检修高处坠落",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "设起升高度限位、超载保护、风速仪报警和防风锚定装置",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "清舱人员进舱时抓斗停止作业并由指挥员确认，作业区划定警戒",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "卸船机定期检验，每周检查钢丝绳和抓斗",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "司机持特种设备作业人员证",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "登机检修系安全带，舱内人员佩戴安全帽和防尘口罩",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "发生抓斗伤人立即停机，拨打120",
                "突遇大风立即停止作业，回锚定位",
            ],
            "emergencyPhone": "0580-4721100",
            # R = 3 × 5 = 15, 15–16 → large (orange)
            "assessment": {"method": "LS", "l": 3, "s": 5},
            "checklist": [
                {
                    "content": "作业前检查制动器、限位、钢丝绳及抓斗",
                    "basis": "GB 6067.1-2010《起重机械安全规程 第1部分：总则》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "卸船机司机",
                    "criterionId": None,
                },
                {
                    "content": "防风锚定装置、风速仪及定期检验报告检查",
                    "basis": "TSG 51-2023《起重机械安全技术规程》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "设备管理员",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E6-P3",
            "kind": "place",
            "name": "矿石、煤炭散货堆场",
            "area": "散货堆场",
            "planX": 0.80,
            "planY": 0.30,
            "lat": 30.44280,
            "lng": 122.31180,
            "responsiblePost": "堆场班长",
            "responsiblePerson": "毛永军",
            "hazardSources": [
                "煤堆自燃",
                "料堆坍塌掩埋",
                "流动机械碰撞行人",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "煤堆定期测温，超温及时翻堆或倒运，料堆边坡不超过规定角度",
                    "controlLevel": "team",
                },
                {
                    "type": "engineering",
                    "content": "堆场设防风抑尘网和喷淋系统",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "穿反光背心，佩戴防尘口罩",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "煤堆冒烟立即挖除着火部分，用水冷却",
                "料堆坍塌埋人立即组织救援，拨打120",
            ],
            "emergencyPhone": "0580-4721100",
            # D = 1 × 6 × 7 = 42 ≤ 70 → low (blue)
            "assessment": {"method": "LEC", "l": "1", "e": "6", "c": "7"},
            "checklist": [
                {
                    "content": "煤堆温度测量并记录，料堆高度和边坡检查",
                    "basis": "企业《散货堆场安全管理制度》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "堆场班长",
                    "criterionId": None,
                },
                {
                    "content": "喷淋系统、防风抑尘网完好",
                    "basis": "企业《散货堆场安全管理制度》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "堆场班长",
                    "criterionId": None,
                },
            ],
        },
    ],
    # ------------------------------------------------------------------------------------------------------------
    # E7 嵊泗远洋渔业有限公司 — ocean fishing vessels, 嵊泗县菜园镇
    # ------------------------------------------------------------------------------------------------------------
    "E7": [
        {
            "key": "E7-P1",
            "kind": "activity",
            "name": "远洋渔船海上捕捞作业",
            "area": "渔船作业（海上）",
            "planX": 0.20,
            "planY": 0.70,
            "lat": 30.72420,
            "lng": 122.45120,
            "responsiblePost": "船队队长",
            "responsiblePerson": "邵海军",
            "hazardSources": [
                "大风浪中渔船倾覆、沉没",
                "起放网时人员被网具、钢丝绳卷入或拖落入海",
                "船员疲劳作业",
                "船舶碰撞",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "出海前进行适航检查，接收气象预报，风力超过抗风等级提前回港或避风",
                    "controlLevel": "department",
                },
                {
                    "type": "engineering",
                    "content": "渔船配备AIS、北斗终端和卫星通信，救生筏、救生衣按定员配足",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "起放网作业设专人指挥，绞机设急停装置",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "船员持渔业船员证书，每航次开展弃船和人员落水演练",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "甲板作业人员全程穿救生衣",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "人员落水立即抛投救生圈，标记位置，实施救助并报告公司和海上搜救中心",
                "遇险立即通过北斗、卫星电话发出遇险报警",
            ],
            "emergencyPhone": "0580-5081100",
            # R = 3 × 5 = 15, 15–16 → large (orange)
            "assessment": {"method": "LS", "l": 3, "s": 5},
            "checklist": [
                {
                    "content": "出航前检查救生、消防、通信导航设备和船员持证情况",
                    "basis": "《渔业船员管理办法》（农业部令2014年第4号）",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "船长",
                    "criterionId": None,
                },
                {
                    "content": "航行值班与气象信息接收记录检查",
                    "basis": "《渔业船员管理办法》（农业部令2014年第4号）",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "值班驾驶员",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E7-P2",
            "kind": "activity",
            "name": "渔船加装燃油作业",
            "area": "渔港码头",
            "planX": 0.55,
            "planY": 0.25,
            "lat": 30.72600,
            "lng": 122.45330,
            "responsiblePost": "轮机长",
            "responsiblePerson": "沈国良",
            "hazardSources": [
                "燃油溢出污染海域",
                "油气遇火源着火",
                "加油软管破裂",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "加油前确认舱容，加油全程专人值守，禁止吸烟和明火",
                    "controlLevel": "team",
                },
                {
                    "type": "engineering",
                    "content": "甲板落水孔加油前封堵，备吸油毡和灭火器",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "加油人员佩戴防护手套，穿救生衣",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "溢油立即停止加油，用吸油毡回收，报告海事或渔业主管部门",
                "着火使用泡沫或干粉灭火器扑救",
            ],
            "emergencyPhone": "0580-5081100",
            # R = 2 × 4 = 8, 1–8 → low (blue)
            "assessment": {"method": "LS", "l": 2, "s": 4},
            "checklist": [
                {
                    "content": "加油软管、接头完好，落水孔封堵，吸油毡和灭火器到位",
                    "basis": "GB 13348-2009《液体石油产品静电安全规程》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "轮机长",
                    "criterionId": None,
                },
                {
                    "content": "燃油加装记录完整",
                    "basis": "企业《渔船安全管理制度》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "海务主管",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E7-P3",
            "kind": "activity",
            "name": "渔船鱼舱进舱作业",
            "area": "渔船作业（海上）",
            "planX": 0.85,
            "planY": 0.65,
            "lat": 30.72440,
            "lng": 122.45510,
            "responsiblePost": "船长",
            "responsiblePerson": "邵海军",
            "hazardSources": [
                "鱼货腐败产生硫化氢致中毒",
                "冷海水舱、冻结舱内缺氧窒息",
                "制冷剂泄漏",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "进舱前经船长批准，先通风、再检测、后进舱，舱口专人监护",
                    "controlLevel": "workshop",
                },
                {
                    "type": "engineering",
                    "content": "鱼舱设机械通风，配备便携式硫化氢和氧气检测仪",
                    "controlLevel": "team",
                },
                {
                    "type": "training",
                    "content": "船员掌握鱼舱中毒窒息危害和救援方法",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "配备正压式空气呼吸器和安全绳",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "舱内人员晕倒严禁无防护施救，佩戴空气呼吸器救援",
                "救出后移至通风处，必要时心肺复苏，通过卫星电话请求医疗指导",
            ],
            "emergencyPhone": "0580-5081100",
            # D = 3 × 3 × 15 = 135, 70 < D ≤ 160 → general (yellow)
            "assessment": {"method": "LEC", "l": "3", "e": "3", "c": "15"},
            "checklist": [
                {
                    "content": "进舱审批、通风检测记录和监护人在岗检查",
                    "basis": "GB 8958-2006《缺氧危险作业安全规程》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "大副",
                    "criterionId": None,
                },
                {
                    "content": "气体检测仪、空气呼吸器完好检查",
                    "basis": "GB 8958-2006《缺氧危险作业安全规程》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "船长",
                    "criterionId": None,
                },
            ],
        },
    ],
    # ------------------------------------------------------------------------------------------------------------
    # E8 沈家门水产品加工有限公司 — aquatic processing with ammonia refrigeration, 普陀区沈家门街道
    # ------------------------------------------------------------------------------------------------------------
    "E8": [
        {
            "key": "E8-P1",
            "kind": "place",
            "name": "氨制冷机房",
            "area": "制冷机房",
            "planX": 0.25,
            "planY": 0.35,
            "lat": 29.95360,
            "lng": 122.29650,
            "responsiblePost": "设备主管",
            "responsiblePerson": "虞海军",
            "hazardSources": [
                "液氨泄漏中毒",
                "氨气爆炸",
                "压力容器超压",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "机房设氨气浓度报警并与事故排风机联锁，储氨器设水喷淋",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "制定液氨泄漏应急预案并每半年演练",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "每2小时巡检记录运行参数",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "制冷工持制冷与空调作业操作证",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "配备正压式空气呼吸器和防化服",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "泄漏时启动事故排风，佩戴空气呼吸器关阀堵漏",
                "疏散人员至上风向，报告119",
            ],
            "emergencyPhone": "0580-3019119",
            # R = 3 × 5 = 15, 15–16 → large (orange)
            "assessment": {"method": "LS", "l": 3, "s": 5},
            "checklist": [
                {
                    "content": "机房巡检：压缩机参数、储氨器液位、氨气浓度报警器读数正常",
                    "basis": "AQ 7015-2018《氨制冷企业安全规范》",
                    "cycleN": 2,
                    "cycleUnit": "hour",
                    "responsiblePost": "制冷工",
                    "criterionId": None,
                },
                {
                    "content": "制冷工持有效制冷与空调作业特种作业操作证",
                    "basis": "《特种作业人员安全技术培训考核管理规定》（原安监总局令第30号）",
                    "cycleN": 1,
                    "cycleUnit": "quarter",
                    "responsiblePost": "设备主管",
                    "criterionId": "GM2023-02",
                },
            ],
        },
        {
            "key": "E8-P2",
            "kind": "place",
            "name": "分割包装车间",
            "area": "加工车间",
            "planX": 0.70,
            "planY": 0.30,
            "lat": 29.95380,
            "lng": 122.29920,
            "responsiblePost": "车间班长",
            "responsiblePerson": "贺春燕",
            "hazardSources": [
                "空调系统制冷剂泄漏致人员中毒",
                "分割刀具割伤",
                "地面湿滑摔倒",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "车间空调采用非氨直接蒸发的制冷方式（间接供冷），车间无氨管道穿越",
                    "controlLevel": "team",
                },
                {
                    "type": "management",
                    "content": "刀具集中管理，地面及时清扫防滑",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "佩戴防割手套，穿防滑雨靴",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "割伤立即止血包扎，伤口较深送医",
                "闻到氨味立即组织人员撤离，通知设备主管",
            ],
            "emergencyPhone": "0580-3019119",
            # R = 2 × 3 = 6, 1–8 → low (blue)
            "assessment": {"method": "LS", "l": 2, "s": 3},
            "checklist": [
                {
                    "content": "包装、分割车间空调系统未采用氨直接蒸发制冷，无氨管道穿越",
                    "basis": "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）第十二条",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "设备主管",
                    "criterionId": "GM2023-14",
                },
                {
                    "content": "防割手套等防护用品佩戴，地面防滑检查",
                    "basis": "GB 39800.1-2020《个体防护装备配备规范 第1部分：总则》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "车间班长",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E8-P3",
            "kind": "device",
            "name": "燃气蒸汽锅炉",
            "area": "锅炉房",
            "planX": 0.50,
            "planY": 0.78,
            "lat": 29.95188,
            "lng": 122.29800,
            "responsiblePost": "司炉班长",
            "responsiblePerson": "邬建平",
            "hazardSources": [
                "天然气泄漏遇火源爆炸",
                "锅炉缺水、超压",
                "蒸汽烫伤",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "锅炉房设可燃气体报警并与燃气紧急切断阀联锁，锅炉设超压、低水位联锁保护",
                    "controlLevel": "team",
                },
                {
                    "type": "training",
                    "content": "司炉工持特种设备作业人员证",
                    "controlLevel": "team",
                },
                {
                    "type": "management",
                    "content": "运行期间每2小时记录压力、水位，定期排污",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "燃气泄漏立即关闭总阀，开窗通风，严禁操作电气开关",
                "锅炉严重缺水立即停炉，严禁向锅炉进水",
            ],
            "emergencyPhone": "0580-3019119",
            # D = 1 × 6 × 7 = 42 ≤ 70 → low (blue)
            "assessment": {"method": "LEC", "l": "1", "e": "6", "c": "7"},
            "checklist": [
                {
                    "content": "锅炉运行巡检：压力、水位、燃烧工况正常，可燃气体报警器无报警",
                    "basis": "TSG 11-2020《锅炉安全技术规程》",
                    "cycleN": 2,
                    "cycleUnit": "hour",
                    "responsiblePost": "司炉工",
                    "criterionId": None,
                },
                {
                    "content": "安全阀手动排放试验、压力表和水位表校对",
                    "basis": "TSG 11-2020《锅炉安全技术规程》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "司炉班长",
                    "criterionId": None,
                },
            ],
        },
    ],
    # ------------------------------------------------------------------------------------------------------------
    # E9 岱山高亭机械制造有限公司 — machinery, 岱山县高亭镇
    # ------------------------------------------------------------------------------------------------------------
    "E9": [
        {
            "key": "E9-P1",
            "kind": "place",
            "name": "金属切削加工车间",
            "area": "机加工车间",
            "planX": 0.25,
            "planY": 0.30,
            "lat": 30.24980,
            "lng": 122.20150,
            "responsiblePost": "机加工班长",
            "responsiblePerson": "戴志明",
            "hazardSources": [
                "机床旋转部件绞伤",
                "切屑飞溅伤眼",
                "工件装夹不牢飞出",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "机床设防护罩、防护门联锁和急停按钮",
                    "controlLevel": "team",
                },
                {
                    "type": "management",
                    "content": "严禁戴手套操作旋转机床，装夹后空转确认",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "佩戴防护眼镜，长发盘入工作帽",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "绞伤立即按急停按钮，止血包扎送医",
                "异物入眼不得揉搓，冲洗后送医",
            ],
            "emergencyPhone": "0580-4469119",
            # D = 3 × 6 × 3 = 54 ≤ 70 → low (blue)
            "assessment": {"method": "LEC", "l": "3", "e": "6", "c": "3"},
            "checklist": [
                {
                    "content": "机床防护罩、防护门联锁、急停按钮完好",
                    "basis": "GB/T 8196-2018《机械安全 防护装置 固定式和活动式防护装置的设计与制造一般要求》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "机床操作工",
                    "criterionId": None,
                },
                {
                    "content": "劳动防护用品佩戴情况抽查",
                    "basis": "GB 39800.1-2020《个体防护装备配备规范 第1部分：总则》",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "机加工班长",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E9-P2",
            "kind": "place",
            "name": "焊接车间",
            "area": "焊接车间",
            "planX": 0.70,
            "planY": 0.28,
            "lat": 30.24988,
            "lng": 122.20420,
            "responsiblePost": "焊接车间主任",
            "responsiblePerson": "包文杰",
            "hazardSources": [
                "焊接触电",
                "焊接烟尘和弧光伤害",
                "焊接火花引燃可燃物",
                "气瓶泄漏、回火",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "焊接区5米内无可燃物，氧气、乙炔气瓶分开存放并固定",
                    "controlLevel": "workshop",
                },
                {
                    "type": "engineering",
                    "content": "焊接工位设烟尘净化装置，电焊机外壳接地，气瓶装回火防止器",
                    "controlLevel": "team",
                },
                {
                    "type": "training",
                    "content": "焊工持焊接与热切割作业特种作业操作证",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "佩戴焊接面罩、防尘口罩、绝缘手套，穿阻燃工作服",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "触电立即切断电源，心肺复苏并拨打120",
                "着火用灭火器扑救，关闭气瓶阀",
            ],
            "emergencyPhone": "0580-4469119",
            # D = 3 × 6 × 7 = 126, 70 < D ≤ 160 → general (yellow)
            "assessment": {"method": "LEC", "l": "3", "e": "6", "c": "7"},
            "checklist": [
                {
                    "content": "电焊机接地、焊把线绝缘、气瓶回火防止器及间距检查",
                    "basis": "GB 9448-1999《焊接与切割安全》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "焊接班长",
                    "criterionId": None,
                },
                {
                    "content": "焊工持有效焊接与热切割作业操作证上岗",
                    "basis": "《特种作业人员安全技术培训考核管理规定》（原安监总局令第30号）",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "安全管理员",
                    "criterionId": "GM2023-02",
                },
            ],
        },
        {
            "key": "E9-P3",
            "kind": "device",
            "name": "16t桥式起重机（行车）",
            "area": "装配车间",
            "planX": 0.30,
            "planY": 0.75,
            "lat": 30.24800,
            "lng": 122.20180,
            "responsiblePost": "装配车间主任",
            "responsiblePerson": "任国庆",
            "hazardSources": [
                "吊物坠落",
                "吊钩、钢丝绳失效",
                "地面操作人员被吊物撞击",
            ],
            "controlMeasures": [
                {
                    "type": "management",
                    "content": "起重机定期检验，车间每月检查钢丝绳、吊钩、制动器",
                    "controlLevel": "workshop",
                },
                {
                    "type": "engineering",
                    "content": "设起重量限制器、上升极限位置限制器、吊钩防脱钩装置",
                    "controlLevel": "team",
                },
                {
                    "type": "training",
                    "content": "起重机司机和司索人员持特种设备作业人员证",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "佩戴安全帽，严禁在吊物下方站立",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "吊物异常立即停止作业并缓慢落下，疏散下方人员",
                "人员受伤拨打120",
            ],
            "emergencyPhone": "0580-4469119",
            # R = 3 × 4 = 12, 9–12 → general (yellow)
            "assessment": {"method": "LS", "l": 3, "s": 4},
            "checklist": [
                {
                    "content": "作业前检查制动器、限位器、钢丝绳和吊钩防脱钩装置",
                    "basis": "GB 6067.1-2010《起重机械安全规程 第1部分：总则》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "起重机司机",
                    "criterionId": None,
                },
                {
                    "content": "起重机定期检验报告、司机持证检查",
                    "basis": "TSG 51-2023《起重机械安全技术规程》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "设备管理员",
                    "criterionId": None,
                },
            ],
        },
        {
            "key": "E9-P4",
            "kind": "place",
            "name": "铝合金件抛光打磨及除尘系统",
            "area": "抛光车间",
            "planX": 0.75,
            "planY": 0.72,
            "lat": 30.24812,
            "lng": 122.20450,
            "responsiblePost": "设备部经理",
            "responsiblePerson": "陆建新",
            "hazardSources": [
                "铝粉尘在除尘器、风管内积聚，遇点燃源发生粉尘爆炸",
                "湿式除尘器内铝粉遇水产生氢气积聚爆炸",
                "打磨火花进入除尘管道",
                "作业现场积尘二次扬起",
            ],
            "controlMeasures": [
                {
                    "type": "engineering",
                    "content": "除尘系统采用负压方式，除尘器设泄爆装置和锁气卸灰装置，风管设火花探测消除装置",
                    "controlLevel": "department",
                },
                {
                    "type": "management",
                    "content": "落实粉尘清理制度，每班清理作业现场和设备积尘，清理记录存档",
                    "controlLevel": "department",
                },
                {
                    "type": "engineering",
                    "content": "铝粉收集桶存放于干燥通风处，湿式除尘器设氢气排放和液位监测",
                    "controlLevel": "workshop",
                },
                {
                    "type": "training",
                    "content": "作业人员接受粉尘防爆专项培训",
                    "controlLevel": "team",
                },
                {
                    "type": "ppe",
                    "content": "穿防静电工作服，佩戴防尘口罩",
                    "controlLevel": "post",
                },
            ],
            "emergencyMeasures": [
                "除尘系统着火或火花报警立即停机，严禁用水扑救铝粉火灾，使用干砂或D类灭火剂",
                "发生爆炸立即撤离人员，拨打119",
            ],
            "emergencyPhone": "0580-4469119",
            # R = 3 × 5 = 15, 15–16 → large (orange)
            "assessment": {"method": "LS", "l": 3, "s": 5},
            "checklist": [
                {
                    "content": "作业现场及设备积尘清理情况检查，清理记录完整",
                    "basis": "GB 15577-2018《粉尘防爆安全规程》",
                    "cycleN": 1,
                    "cycleUnit": "day",
                    "responsiblePost": "抛光班长",
                    "criterionId": "GM2023-13",
                },
                {
                    "content": "除尘器泄爆片完好，锁气卸灰装置运行正常",
                    "basis": "《工贸企业粉尘防爆安全规定》（应急管理部令第6号）",
                    "cycleN": 1,
                    "cycleUnit": "week",
                    "responsiblePost": "设备管理员",
                    "criterionId": "GM2023-06",
                },
                {
                    "content": "除尘系统负压运行，火花探测消除装置功能测试",
                    "basis": "GB 15577-2018《粉尘防爆安全规程》",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "设备部经理",
                    "criterionId": "GM2023-07",
                },
                {
                    "content": "铝粉收集、储存场所防水防潮、通风防氢气积聚措施检查",
                    "basis": "《工贸企业粉尘防爆安全规定》（应急管理部令第6号）",
                    "cycleN": 1,
                    "cycleUnit": "month",
                    "responsiblePost": "设备部经理",
                    "criterionId": "GM2023-12",
                },
            ],
        },
    ],
}

# Schematic site plans for the 四色分布图 of E1–E3: boxes are fractions [x0, y0, x1, y1] of the image, roads are
# centre lines [x0, y0, x1, y1]. Every risk point's (planX, planY) lies inside the box of the area it names.
SITE_PLANS: dict[str, dict] = {
    "E1": {
        "width": 1600,
        "height": 1000,
        "areas": [
            {"name": "储罐区", "box": [0.04, 0.06, 0.48, 0.62], "fill": "#dfe7ef"},
            {"name": "综合办公区", "box": [0.56, 0.06, 0.74, 0.24], "fill": "#eeeeee"},
            {"name": "泵房区", "box": [0.56, 0.30, 0.74, 0.56], "fill": "#e8e2d6"},
            {"name": "变配电室", "box": [0.80, 0.06, 0.96, 0.26], "fill": "#f3ead0"},
            {"name": "消防泵房", "box": [0.80, 0.30, 0.96, 0.52], "fill": "#f6d9d5"},
            {"name": "装卸码头", "box": [0.52, 0.72, 0.98, 0.94], "fill": "#d4e6f1"},
        ],
        "roads": [
            [0.00, 0.67, 1.00, 0.67],
            [0.52, 0.00, 0.52, 0.67],
            [0.77, 0.00, 0.77, 0.67],
            [0.76, 0.67, 0.76, 0.72],
        ],
    },
    "E2": {
        "width": 1600,
        "height": 1000,
        "areas": [
            {"name": "干船坞", "box": [0.04, 0.08, 0.38, 0.90], "fill": "#d6e4f0"},
            {"name": "分段涂装车间", "box": [0.45, 0.08, 0.66, 0.36], "fill": "#e9e1f0"},
            {"name": "机修车间", "box": [0.68, 0.08, 0.77, 0.36], "fill": "#eeeeee"},
            {"name": "总装平台", "box": [0.45, 0.52, 0.75, 0.92], "fill": "#e8e2d6"},
            {"name": "舾装码头", "box": [0.81, 0.05, 0.97, 0.95], "fill": "#d4e6f1"},
        ],
        "roads": [
            [0.42, 0.00, 0.42, 1.00],
            [0.42, 0.45, 0.79, 0.45],
            [0.79, 0.00, 0.79, 1.00],
        ],
    },
    "E3": {
        "width": 1600,
        "height": 1000,
        "areas": [
            {"name": "液氨机房", "box": [0.05, 0.08, 0.28, 0.40], "fill": "#f6d9d5"},
            {"name": "速冻间", "box": [0.33, 0.08, 0.62, 0.40], "fill": "#dfeef5"},
            {"name": "办公楼", "box": [0.68, 0.08, 0.95, 0.40], "fill": "#eeeeee"},
            {"name": "装卸月台", "box": [0.05, 0.50, 0.28, 0.92], "fill": "#e8e2d6"},
            {"name": "冷藏库", "box": [0.33, 0.50, 0.95, 0.92], "fill": "#dfe7ef"},
        ],
        "roads": [
            [0.305, 0.00, 0.305, 1.00],
            [0.00, 0.45, 1.00, 0.45],
        ],
    },
}
