"""Zhoushan's administrative tree, grids, and the demo enterprises and accounts.

District and county codes are the national ones (GB/T 2260); town codes follow the national 9-digit layout
in the order of the official lists.
"""

from __future__ import annotations

CITY = ("330900", "舟山市")

DISTRICTS = [
    ("330902", "定海区"),
    ("330903", "普陀区"),
    ("330921", "岱山县"),
    ("330922", "嵊泗县"),
]

TOWNS = {
    "330902": [
        ("330902001", "解放街道"),
        ("330902002", "昌国街道"),
        ("330902003", "环南街道"),
        ("330902004", "城东街道"),
        ("330902005", "盐仓街道"),
        ("330902006", "临城街道"),
        ("330902007", "岑港街道"),
        ("330902008", "马岙街道"),
        ("330902009", "双桥街道"),
        ("330902010", "小沙街道"),
        ("330902100", "金塘镇"),
        ("330902101", "白泉镇"),
        ("330902102", "干览镇"),
    ],
    "330903": [
        ("330903001", "沈家门街道"),
        ("330903002", "东港街道"),
        ("330903003", "朱家尖街道"),
        ("330903004", "展茅街道"),
        ("330903100", "六横镇"),
        ("330903101", "桃花镇"),
        ("330903102", "虾峙镇"),
        ("330903103", "东极镇"),
        ("330903104", "普陀山镇"),
    ],
    "330921": [
        ("330921100", "高亭镇"),
        ("330921101", "东沙镇"),
        ("330921102", "岱西镇"),
        ("330921103", "岱东镇"),
        ("330921104", "长涂镇"),
        ("330921105", "衢山镇"),
        ("330921200", "秀山乡"),
    ],
    "330922": [
        ("330922100", "菜园镇"),
        ("330922101", "嵊山镇"),
        ("330922102", "洋山镇"),
        ("330922200", "五龙乡"),
        ("330922201", "黄龙乡"),
        ("330922202", "枸杞乡"),
        ("330922203", "花鸟乡"),
    ],
}

# (grid code, name, town code): the towns with key enterprises get grids; more can be added by admins.
GRIDS = [
    ("DH-CG-01", "岑港街道第一网格（岑港工业园）", "330902007"),
    ("DH-CG-02", "岑港街道第二网格", "330902007"),
    ("DH-JT-01", "金塘镇第一网格（金塘港区）", "330902100"),
    ("DH-XS-01", "小沙街道第一网格", "330902010"),
    ("PT-LH-01", "六横镇第一网格（六横船舶工业区）", "330903100"),
    ("PT-SJM-01", "沈家门街道第一网格（渔港）", "330903001"),
    ("DS-QS-01", "衢山镇第一网格（衢山港区）", "330921105"),
    ("DS-GT-01", "高亭镇第一网格", "330921100"),
    ("SS-CY-01", "菜园镇第一网格", "330922100"),
    ("SS-YS-01", "洋山镇第一网格（洋山港区）", "330922102"),
]

# (key, name, industry, grid code, above designated size, supervising department, address)
ENTERPRISES = [
    ("E1", "舟山港兴石化储运有限公司", "oil_storage", "DH-CG-01", True, "定海区应急管理局", "定海区岑港街道港兴路1号"),
    ("E2", "普陀东海船舶修造有限公司", "shipbuilding", "PT-LH-01", True, "普陀区应急管理局", "普陀区六横镇船厂路8号"),
    (
        "E3",
        "舟山海鲜冷链食品有限公司",
        "aquatic_processing",
        "DH-XS-01",
        True,
        "定海区应急管理局",
        "定海区小沙街道冷库路6号",
    ),
    (
        "E4",
        "舟山岑港精细化工有限公司",
        "hazardous_chemicals",
        "DH-CG-01",
        True,
        "定海区应急管理局",
        "定海区岑港街道化工园区3号",
    ),
    ("E5", "金塘港务物流有限公司", "port_logistics", "DH-JT-01", True, "定海区交通运输局", "定海区金塘镇港区大道18号"),
    ("E6", "衢山港口散货物流有限公司", "port_logistics", "DS-QS-01", True, "岱山县交通运输局", "岱山县衢山镇港区路2号"),
    ("E7", "嵊泗远洋渔业有限公司", "fishing_vessels", "SS-CY-01", False, "嵊泗县海洋与渔业局", "嵊泗县菜园镇渔港路5号"),
    (
        "E8",
        "沈家门水产品加工有限公司",
        "aquatic_processing",
        "PT-SJM-01",
        False,
        "普陀区应急管理局",
        "普陀区沈家门街道渔港西路12号",
    ),
    ("E9", "岱山高亭机械制造有限公司", "machinery", "DS-GT-01", False, "岱山县应急管理局", "岱山县高亭镇工业路9号"),
]

# Each demo enterprise's site (WGS-84 lat, lng: its gate, at the middle of its risk points, which lie 20–270 m
# around it), in the town of its address: 岑港, 六横岛, 小沙, 金塘, 衢山, 菜园, 沈家门 and 高亭.
SITES = {
    "E1": (30.06829, 121.97272),
    "E2": (29.74228, 122.13522),
    "E3": (30.08608, 122.03114),
    "E4": (30.07450, 121.98495),
    "E5": (30.02057, 121.90204),
    "E6": (30.44180, 122.30980),
    "E7": (30.72487, 122.45320),
    "E8": (29.95309, 122.29790),
    "E9": (30.24895, 122.20300),
}

# (username, name, role, enterprise key | grid codes | region code)
DEMO_USERS = [
    ("officer1", "王安全", "officer", "E1"),
    ("principal1", "陈总", "principal", "E1"),
    ("officer2", "李安全", "officer", "E2"),
    ("principal2", "周厂长", "principal", "E2"),
    ("inspector1", "张网格", "inspector", ["DH-CG-01"]),
    ("regulator_dinghai", "赵监管（定海区应急管理局）", "regulator", "330902"),
    ("regulator_city", "钱监管（舟山市应急管理局）", "regulator", "330900"),
    ("admin", "系统管理员", "admin", None),
]


# The posts (岗位) the demo staff hold: names the checklist items of seed/risk_points.py give, so
# GET /v1/tasks?due=true&mine=true and the scan card's due task show each person their own work.
DEMO_POSTS = {
    "officer1": ["罐区操作工", "储运部安全员", "安全管理部安全员"],
    "principal1": ["安全管理部经理"],
    "officer2": ["测爆员", "坞修车间安全员", "安全环保部安全员"],
    "principal2": ["安全环保部经理"],
}
