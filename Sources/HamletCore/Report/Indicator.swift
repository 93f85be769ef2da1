/// One figure the office reports (指标), defined once: its stable key, its name, its unit, and
/// its 口径 (definition) in Chinese and English, to be shown beside the figure everywhere.
///
/// 指标只在这里定义一次：键名（JSON、CSV 用，永不改名）、中英文名称、单位和口径说明。
public struct Indicator: Sendable, Hashable, Identifiable {
    /// The figures' sections, in the order a table shows them.
    public enum Group: String, Sendable, Hashable, CaseIterable {
        /// 人口.
        case population
        /// 出生、死亡、婚姻、迁移.
        case vital
        /// 孕情、节育、查环查孕.
        case familyHealth = "family_health"
        /// 奖扶.
        case benefits
        /// 随访.
        case visits
        /// 数据质量.
        case quality

        /// 人口 / population …
        public var label: Label {
            switch self {
            case .population: return Label(zh: "人口", en: "Population")
            case .vital: return Label(zh: "出生、死亡、婚姻、迁移", en: "Births, deaths, marriages, moves")
            case .familyHealth: return Label(zh: "孕情、节育、查环查孕", en: "Pregnancies, contraception, checks")
            case .benefits: return Label(zh: "奖励扶助", en: "Benefits")
            case .visits: return Label(zh: "随访", en: "Visits")
            case .quality: return Label(zh: "数据质量", en: "Data quality")
            }
        }
    }

    /// What kind of value the figure takes (see `ReportValue`).
    public enum Shape: String, Sendable, Hashable {
        /// An integer count (`integer`).
        case count
        /// A rate or ratio with two decimals, or `missing` (`decimal`).
        case rate
        /// An object of parts (`object`); `parts` names them when they are fixed.
        case breakdown
        /// An amount: integer 分 (`…_fen`) or 元 text (`…_yuan`).
        case money
    }

    /// The stable key (snake_case), as in the JSON and the CSV header.
    public let key: String
    /// The section.
    public let group: Group
    /// The value's shape.
    public let shape: Shape
    /// The figure's name.
    public let label: Label
    /// The unit (人, ‰, %, 元 …).
    public let unit: Label
    /// The 口径: exactly what is counted, in Chinese first.
    public let definition: Label
    /// A breakdown's fixed parts, in display order (empty when the parts are open, like programs).
    public let parts: [String]

    /// The key.
    public var id: String { key }

    init(_ key: String, _ group: Group, _ shape: Shape, _ zh: String, _ en: String, unit: Label,
         _ defZH: String, _ defEN: String, parts: [String] = []) {
        self.key = key
        self.group = group
        self.shape = shape
        self.label = Label(zh: zh, en: en)
        self.unit = unit
        self.definition = Label(zh: defZH, en: defEN)
        self.parts = parts
    }

    /// The indicator with this key, or nil.
    /// - Parameter key: a stable key.
    /// - Returns: the indicator.
    public static func named(_ key: String) -> Indicator? { byKey[key] }

    private static let byKey: [String: Indicator] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    /// A breakdown part's label (`iud` → 上环 / IUD, `3+` → 多孩 …), the part itself when unknown.
    /// - Parameter part: the part's key.
    /// - Returns: its label.
    public static func partLabel(_ part: String) -> Label {
        partLabels[part] ?? Label(zh: part, en: part)
    }

    static let partLabels: [String: Label] = [
        "1": Label(zh: "一孩", en: "first"), "2": Label(zh: "二孩", en: "second"), "3+": Label(zh: "多孩", en: "third or later"),
        "unknown": Label(zh: "不详", en: "unknown"),
        "born": Label(zh: "分娩", en: "born"), "miscarriage": Label(zh: "流产", en: "miscarriage"),
        "induced": Label(zh: "引产", en: "induced"), "other": Label(zh: "其他", en: "other"),
        "iud": Label(zh: "上环", en: "IUD"), "sterilization": Label(zh: "结扎", en: "sterilization"),
        "implant": Label(zh: "皮埋", en: "implant"), "drugs": Label(zh: "药具", en: "pills/condoms"),
        "none": Label(zh: "未登记措施", en: "none recorded"),
        "health_check": Label(zh: "健康体检", en: "health check"), "prenatal": Label(zh: "产前检查", en: "prenatal"),
        "postnatal": Label(zh: "产后访视", en: "postnatal"), "child_health": Label(zh: "儿童保健", en: "child health"),
        "follow_up": Label(zh: "随访", en: "follow-up"), "ring_check": Label(zh: "查环", en: "ring check"),
        "pregnancy_check": Label(zh: "查孕", en: "pregnancy check"),
        "new": Label(zh: "新增", en: "new"), "continuing": Label(zh: "继续", en: "continuing"), "ended": Label(zh: "退出", en: "ended"),
        "paid_fen": Label(zh: "发放金额（分）", en: "paid (fen)"), "paid_yuan": Label(zh: "发放金额（元）", en: "paid (yuan)"),
    ]
}

extension Label {
    static let people = Label(zh: "人", en: "people")
    static let perMille = Label(zh: "‰", en: "‰")
    static let percent = Label(zh: "%", en: "%")
    static let perHundredGirls = Label(zh: "（女=100）", en: "boys per 100 girls")
    static let items = Label(zh: "条", en: "items")
    static let times = Label(zh: "次", en: "visits")
    static let pregnancies = Label(zh: "例", en: "pregnancies")
    static let fen = Label(zh: "分", en: "fen")
    static let yuan = Label(zh: "元", en: "yuan")
}
