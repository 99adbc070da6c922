# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""Vocabulary for generated data: the demo seed (app/seed.py) and the benchmark (bench/generate.py).

Plain lists, no logic. Chinese words come with a pinyin spelling (same index) so emails, domains
and websites derived from a Chinese name look like the ones real companies use.
"""

from __future__ import annotations

# (name, pinyin) of cities; the region code the city belongs to.
CITIES: list[tuple[str, str, str]] = [
    ("北京", "beijing", "north"),
    ("天津", "tianjin", "north"),
    ("石家庄", "shijiazhuang", "north"),
    ("太原", "taiyuan", "north"),
    ("济南", "jinan", "north"),
    ("青岛", "qingdao", "north"),
    ("上海", "shanghai", "east"),
    ("杭州", "hangzhou", "east"),
    ("南京", "nanjing", "east"),
    ("苏州", "suzhou", "east"),
    ("宁波", "ningbo", "east"),
    ("合肥", "hefei", "east"),
    ("无锡", "wuxi", "east"),
    ("广州", "guangzhou", "south"),
    ("深圳", "shenzhen", "south"),
    ("东莞", "dongguan", "south"),
    ("佛山", "foshan", "south"),
    ("厦门", "xiamen", "south"),
    ("福州", "fuzhou", "south"),
    ("南宁", "nanning", "south"),
    ("成都", "chengdu", "south"),
    ("武汉", "wuhan", "east"),
    ("西安", "xian", "north"),
    ("长沙", "changsha", "south"),
]

# Brand syllable pairs of Chinese company names (北京 + 星辰 + 科技 + 有限公司).
ZH_BRANDS: list[tuple[str, str]] = [
    ("星辰", "xingchen"),
    ("云帆", "yunfan"),
    ("华创", "huachuang"),
    ("恒信", "hengxin"),
    ("博远", "boyuan"),
    ("智联", "zhilian"),
    ("鼎盛", "dingsheng"),
    ("明德", "mingde"),
    ("海纳", "haina"),
    ("天成", "tiancheng"),
    ("瑞丰", "ruifeng"),
    ("金石", "jinshi"),
    ("宏图", "hongtu"),
    ("新元", "xinyuan"),
    ("东方", "dongfang"),
    ("中科", "zhongke"),
    ("锦程", "jincheng"),
    ("嘉禾", "jiahe"),
    ("启明", "qiming"),
    ("远航", "yuanhang"),
    ("腾达", "tengda"),
    ("盛世", "shengshi"),
    ("卓越", "zhuoyue"),
    ("汇通", "huitong"),
    ("安泰", "antai"),
    ("长青", "changqing"),
    ("银河", "yinhe"),
    ("蓝海", "lanhai"),
    ("北辰", "beichen"),
    ("万象", "wanxiang"),
    ("福瑞", "furui"),
    ("众诚", "zhongcheng"),
    ("华美", "huamei"),
    ("创新", "chuangxin"),
    ("精诚", "jingcheng"),
    ("高科", "gaoke"),
    ("德润", "derun"),
    ("凯旋", "kaixuan"),
    ("飞鸿", "feihong"),
    ("聚力", "juli"),
    ("易达", "yida"),
    ("百川", "baichuan"),
    ("九州", "jiuzhou"),
    ("天宇", "tianyu"),
    ("新锐", "xinrui"),
    ("泰和", "taihe"),
    ("永信", "yongxin"),
    ("光明", "guangming"),
]

# (industry word in the name, pinyin, industry code)
ZH_TRADES: list[tuple[str, str, str]] = [
    ("科技", "tech", "technology"),
    ("信息技术", "it", "technology"),
    ("网络", "net", "internet"),
    ("软件", "soft", "software"),
    ("贸易", "trade", "trading"),
    ("实业", "group", "manufacturing"),
    ("电子", "elec", "electronics"),
    ("医药", "pharma", "healthcare"),
    ("物流", "logistics", "logistics"),
    ("建设工程", "build", "construction"),
    ("食品", "food", "food"),
    ("文化传媒", "media", "media"),
    ("教育咨询", "edu", "education"),
    ("新能源", "energy", "energy"),
    ("机械制造", "machinery", "manufacturing"),
    ("金融服务", "finance", "finance"),
]

ZH_COMPANY_SUFFIXES = ["有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司"]

EN_BRANDS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Wonka",
    "Cyberdyne",
    "Soylent",
    "Tyrell",
    "Hooli",
    "Vandelay",
    "Pied Piper",
    "Aperture",
    "Oscorp",
    "Massive Dynamic",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Litware",
    "Tailspin",
    "Adventure Works",
    "Blue Yonder",
    "Proseware",
    "Woodgrove",
    "Lucerne",
    "Fourth Coffee",
    "Alpine",
    "Coho",
    "Wingtip",
    "Summit",
    "Evergreen",
    "Redwood",
    "Silverline",
    "Brightway",
    "Keystone",
    "Pinnacle",
    "Horizon",
    "Atlas",
    "Vertex",
    "Nimbus",
    "Orbit",
    "Quantum",
    "Harbor",
    "Granite",
    "Cobalt",
]

# (word in the name, industry code)
EN_TRADES: list[tuple[str, str]] = [
    ("Technologies", "technology"),
    ("Software", "software"),
    ("Systems", "technology"),
    ("Logistics", "logistics"),
    ("Trading", "trading"),
    ("Manufacturing", "manufacturing"),
    ("Electronics", "electronics"),
    ("Health", "healthcare"),
    ("Foods", "food"),
    ("Media", "media"),
    ("Energy", "energy"),
    ("Capital", "finance"),
    ("Construction", "construction"),
    ("Learning", "education"),
    ("Networks", "internet"),
]

EN_COMPANY_SUFFIXES = ["Inc.", "Ltd.", "Corp.", "LLC", "GmbH", "Pte. Ltd.", "Co."]

EN_CITIES = [
    "Singapore",
    "London",
    "San Francisco",
    "New York",
    "Berlin",
    "Sydney",
    "Tokyo",
    "Toronto",
    "Paris",
    "Dubai",
    "Hong Kong",
    "Seoul",
]

# (surname, pinyin)
ZH_SURNAMES: list[tuple[str, str]] = [
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
    ("高", "gao"),
    ("罗", "luo"),
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
]

# (given name, pinyin)
ZH_GIVEN: list[tuple[str, str]] = [
    ("伟", "wei"),
    ("娜", "na"),
    ("芳", "fang"),
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
    ("秀英", "xiuying"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂英", "guiying"),
    ("建华", "jianhua"),
    ("晓东", "xiaodong"),
    ("海燕", "haiyan"),
    ("志强", "zhiqiang"),
    ("丽娟", "lijuan"),
    ("文博", "wenbo"),
    ("子涵", "zihan"),
    ("雨萱", "yuxuan"),
    ("浩然", "haoran"),
    ("思远", "siyuan"),
]

EN_FIRST = [
    "John",
    "Mary",
    "James",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Susan",
    "Richard",
    "Jessica",
    "Thomas",
    "Sarah",
    "Daniel",
    "Karen",
    "Matthew",
    "Emily",
    "Andrew",
    "Olivia",
    "Lucas",
    "Sophie",
    "Noah",
    "Emma",
    "Liam",
    "Chloe",
]

EN_LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Lee",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Carter",
    "Mitchell",
    "Roberts",
]

ZH_TITLES = [
    "总经理",
    "副总经理",
    "销售总监",
    "采购经理",
    "技术总监",
    "财务经理",
    "行政主管",
    "市场经理",
    "项目经理",
    "董事长",
]
EN_TITLES = [
    "CEO",
    "CTO",
    "CFO",
    "Head of Procurement",
    "Purchasing Manager",
    "IT Director",
    "Operations Manager",
    "Marketing Director",
    "Project Manager",
    "Office Manager",
]

ZH_STREETS = [
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "科技园路",
    "长江路",
    "和平大道",
    "世纪大道",
    "创业路",
    "滨江大道",
]
ZH_DISTRICTS = ["朝阳区", "海淀区", "浦东新区", "徐汇区", "天河区", "南山区", "西湖区", "高新区", "江宁区", "武侯区"]
EN_STREETS = [
    "Market Street",
    "Main Street",
    "High Street",
    "Harbour Road",
    "King Street",
    "Park Avenue",
    "Queen's Road",
    "Orchard Road",
]

STATUSES = ["prospect", "active", "inactive", "lost"]
STATUS_WEIGHTS = [35, 40, 15, 10]
LEVELS = ["A", "B", "C", "D"]
LEVEL_WEIGHTS = [10, 25, 40, 25]
COMPANY_TYPES = ["smb", "enterprise", "partner", "government"]
COMPANY_TYPE_WEIGHTS = [50, 30, 12, 8]
SOURCES = ["website", "referral", "trade_show", "cold_call", "advertisement", "partner", "social_media", "other"]
SOURCE_WEIGHTS = [25, 20, 12, 10, 8, 10, 10, 5]
TAGS = ["vip", "key-account", "new", "renewal", "at-risk", "partner", "event-2026", "newsletter"]
SEGMENTS = ["strategic", "growth", "maintain", "nurture"]

# (code, name) of the regions each demo/bench tenant gets.
REGIONS: list[tuple[str, str]] = [
    ("east", "East China 华东"),
    ("north", "North China 华北"),
    ("south", "South China 华南"),
    ("overseas", "Overseas 海外"),
]

CUSTOMER_DESCRIPTIONS = [
    "长期合作客户，关注交付周期与售后响应。",
    "Evaluating our platform against two competitors.",
    "年度框架协议客户，每季度复盘。",
    "Introduced by a partner at the spring trade show.",
    "对价格敏感，需要分阶段报价。",
    "Procurement runs a formal RFP every autumn.",
]

ACTIVITY_KINDS = ["note", "call", "email", "meeting", "visit"]
ACTIVITY_KIND_WEIGHTS = [20, 35, 25, 12, 8]
ACTIVITY_SUBJECTS: dict[str, list[str]] = {
    "note": ["客户需求记录", "Internal note", "跟进备注", "Budget confirmed", "决策链梳理"],
    "call": ["电话回访", "首次电话沟通", "Follow-up call", "Pricing call", "续约电话"],
    "email": ["发送报价单", "Sent proposal", "产品资料邮件", "Contract draft sent", "会议纪要"],
    "meeting": ["需求评审会", "Product demo", "季度业务回顾", "Kick-off meeting", "合同谈判"],
    "visit": ["上门拜访", "On-site visit", "工厂参观", "Customer site survey", "年度拜访"],
}
ACTIVITY_BODIES = [
    "客户对新版本很感兴趣，下周安排演示。",
    "Discussed pricing tiers; customer asked for a volume discount.",
    "已确认预算，等待采购流程。",
    "Customer raised integration questions about the ERP connector.",
    "对方负责人出差，约定月底再联系。",
    "Sent the revised quote and the case study.",
    "客户反馈交付周期过长，需要协调生产。",
    "Agreed on a pilot with two departments.",
]
ACTIVITY_OUTCOMES = ["completed", "no_answer", "follow_up", "interested", "not_interested"]
