/// Word lists for the seed generator: surnames with their frequencies, given
/// names by era and sex, village names, places and region codes.
///
/// Everything here is an array: output never depends on hashing order.
enum SeedNames {
    /// The commonest surnames with approximate shares of the population (per
    /// 10,000), the order of the national ranking, and a few rare ones whose
    /// readings trip up pinyin sorting (单 shàn, 解 xiè, 仇 qiú, 区 ōu, 查 zhā).
    static let surnames: [(String, Int)] = [
        ("王", 747), ("李", 720), ("张", 676), ("刘", 538), ("陈", 453), ("杨", 308), ("黄", 224), ("赵", 218),
        ("吴", 205), ("周", 190), ("徐", 145), ("孙", 138), ("马", 129), ("朱", 128), ("胡", 116), ("郭", 113),
        ("何", 106), ("林", 102), ("高", 100), ("罗", 94), ("郑", 88), ("梁", 81), ("谢", 77), ("宋", 71),
        ("唐", 70), ("许", 66), ("韩", 62), ("冯", 61), ("邓", 60), ("曹", 59), ("彭", 58), ("曾", 57),
        ("肖", 56), ("田", 54), ("董", 52), ("袁", 50), ("潘", 49), ("于", 48), ("蒋", 47), ("蔡", 46),
        ("余", 45), ("杜", 44), ("叶", 43), ("程", 42), ("苏", 41), ("魏", 40), ("吕", 39), ("丁", 38),
        ("任", 37), ("沈", 36), ("姚", 35), ("卢", 34), ("姜", 33), ("崔", 32), ("钟", 31), ("谭", 30),
        ("陆", 30), ("汪", 29), ("范", 29), ("金", 28), ("石", 28), ("廖", 27), ("贾", 27), ("夏", 26),
        ("韦", 26), ("付", 25), ("方", 25), ("白", 24), ("邹", 24), ("孟", 23), ("熊", 23), ("秦", 22),
        ("邱", 22), ("江", 22), ("尹", 21), ("薛", 21), ("闫", 21), ("段", 20), ("雷", 20), ("侯", 19),
        ("龙", 19), ("史", 19), ("陶", 18), ("黎", 18), ("贺", 18), ("顾", 17), ("毛", 17), ("郝", 17),
        ("龚", 16), ("邵", 16), ("万", 16), ("钱", 15), ("严", 15), ("覃", 14), ("武", 14), ("戴", 14),
        ("莫", 13), ("孔", 13), ("向", 13), ("汤", 12), ("单", 4), ("解", 3), ("仇", 2), ("朴", 2),
        ("区", 1), ("查", 2),
    ]

    static let surnameCumulative: [Int] = {
        var total = 0
        return surnames.map { total += $0.1; return total }
    }()

    /// Given names for people born before 1970.
    static let maleOld = ["建国", "建华", "国庆", "志强", "德明", "永刚", "长青", "学文", "春生", "保国", "玉山", "文华",
                          "振华", "广才", "桂林", "庆山", "福来", "金生", "明", "华", "军", "勇", "刚", "成", "海", "林", "山", "忠"]
    static let femaleOld = ["秀英", "桂英", "玉兰", "秀兰", "桂兰", "凤英", "淑珍", "玉珍", "秀珍", "翠花", "兰英", "玉梅",
                            "春梅", "秀云", "桂芳", "凤兰", "英", "兰", "芳", "霞", "珍", "梅", "凤", "荣"]
    /// Given names for people born 1970–1994.
    static let maleMid = ["伟", "磊", "勇", "军", "涛", "强", "鹏", "超", "杰", "斌", "亮", "刚", "建军", "海涛", "志刚",
                          "晓东", "立新", "文杰", "国强", "春雷", "红军", "俊峰", "明亮", "永强", "东升", "小龙"]
    static let femaleMid = ["丽", "娟", "敏", "燕", "艳", "静", "红", "霞", "芳", "玲", "丽娜", "丽华", "秀丽", "海燕",
                            "晓燕", "红梅", "春燕", "美玲", "雪梅", "晓丽", "静静", "丽丽", "金凤", "文静"]
    /// Given names for people born from 1995.
    static let maleYoung = ["浩", "宇", "轩", "博", "睿", "子轩", "浩然", "宇航", "俊杰", "梓豪", "一鸣", "博文", "天佑",
                            "皓轩", "明轩", "睿泽", "子墨", "家豪", "晨阳", "嘉乐", "宇轩", "思远", "泽宇", "铭"]
    static let femaleYoung = ["欣怡", "梓涵", "诗涵", "雨萱", "子涵", "可馨", "思琪", "佳怡", "梦瑶", "雨桐", "一诺",
                              "若汐", "语嫣", "欣妍", "静怡", "紫萱", "思雨", "悦", "萱", "琪", "佳琪", "梦琪", "雅婷", "晨曦"]

    /// The villages named in the brief and the demo, then more built from these parts.
    static let defaultVillages = ["北赵", "南赵", "东庄", "西河", "李家营", "王庄", "后刘", "前屯", "张家洼", "大柳树",
                                  "小李庄", "马村", "高庙", "河口", "孙家楼", "郭集", "杨店", "石桥", "新庄", "陈家寨"]
    static let villagePrefixes = ["东", "西", "南", "北", "前", "后", "大", "小", "上", "下", "新", "老"]
    static let villageCores = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
                               "何", "高", "韩", "冯", "曹", "田", "董", "于", "杜", "魏", "丁", "任", "姚", "崔", "宋", "唐"]
    static let villageSuffixes = ["庄", "家庄", "营", "楼", "店", "集", "屯", "洼", "寨", "村", "桥", "庙", "岭", "湾"]

    /// `count` distinct village names: the defaults first, then names made from the parts.
    static func villages(count: Int) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        func add(_ name: String) {
            guard out.count < count, seen.insert(name).inserted else { return }
            out.append(name)
        }
        for v in defaultVillages { add(v) }
        outer: for suffix in villageSuffixes {
            for core in villageCores {
                add(core + suffix)
                if out.count >= count { break outer }
            }
        }
        if out.count < count {
            outer: for prefix in villagePrefixes {
                for core in villageCores {
                    for suffix in villageSuffixes {
                        add(prefix + core + suffix)
                        if out.count >= count { break outer }
                    }
                }
            }
        }
        var k = 1
        while out.count < count {
            add("新村" + String(k))
            k += 1
        }
        return out
    }

    /// Chinese numerals for village groups (组).
    static let groupNumerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]

    /// Region codes of nearby counties (Zaozhuang, Jining, Linyi, Xuzhou) with
    /// their names, where wives who marry in come from.
    static let nearbyRegions: [(code: Int, name: String)] = [
        (370402, "枣庄市市中区"), (370403, "枣庄市薛城区"), (370404, "枣庄市峄城区"), (370405, "枣庄市台儿庄区"),
        (370406, "枣庄市山亭区"), (370883, "济宁市邹城市"), (371324, "临沂市兰陵县"), (320382, "徐州市邳州市"),
        (370481, "滕州市"),
    ]

    /// Where people who move away for work are living.
    static let cities = ["浙江省宁波市鄞州区", "江苏省苏州市工业园区", "广东省东莞市长安镇", "北京市朝阳区",
                         "上海市闵行区", "山东省济南市历城区", "山东省青岛市黄岛区", "天津市滨海新区", "江苏省昆山市"]

    /// Mobile number prefixes in common use.
    static let mobilePrefixes = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
                                 "152", "153", "155", "156", "157", "158", "159", "166", "176", "177", "178", "180",
                                 "181", "182", "183", "185", "186", "187", "188", "189", "198", "199"]

    static let deathCauses = ["病故", "因病去世", "自然死亡", "病故，已注销户口"]
    static let workReasons = ["外出务工", "随配偶外出", "外出经商", "升学"]
}
