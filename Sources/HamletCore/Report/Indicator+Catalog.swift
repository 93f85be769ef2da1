/// Every indicator, in display order, each with its 口径.
///
/// Rules common to all (stated once in `Indicator.commonRules`): a person is counted once by
/// 身份证号 (an open duplicate counts in the village of the row registered first); deleted and
/// merged-away rows never count; a person counts in the village whose register held them on the
/// day that matters (a transfer between villages takes effect on the day the hub received it).
extension Indicator {
    /// The rules every figure follows, for the page's and the README's 口径 note.
    public static let commonRules = Label(
        zh: "通用口径：每人按身份证号只计一次（同一身份证号有两条在册记录、尚未合并的，计在最早登记的那条记录所在村）；"
            + "已删除、已合并掉的记录不计。人计在当日所在的村（村间转移以镇中心收到转移的日期为准）。"
            + "婚姻状况、居住状态取当前登记值。数据缺失时显示“—”，不作推算。",
        en: "Common rules: each person is counted once by national ID (two live rows with the same ID, not yet merged, count "
            + "in the village of the row registered first); deleted and merged-away rows never count. A person counts in the "
            + "village that held them on the day (a transfer between villages takes effect on the day the hub received it). "
            + "Marital status and residence are the current values. Where data is missing the figure shows “—”; nothing is estimated.")

    /// Every indicator, in display order.
    public static let all: [Indicator] = population + vital + familyHealth + benefitsAndVisits + quality

    static let population: [Indicator] = [
        Indicator("population_start", .population, .count, "期初人口", "Population at start", unit: .people,
                  "报告期开始前一日在册的户籍人口：出生日期不晚于该日、该日前无死亡记录的人（含外出的流出人口）。",
                  "People on the register the day before the period: born by then, no death recorded by then (people living away included)."),
        Indicator("population_end", .population, .count, "期末人口", "Population at end", unit: .people,
                  "报告期末日在册的户籍人口：出生日期不晚于期末、期末前无死亡记录的人（含外出的流出人口）。",
                  "People on the register on the last day: born by then, no death recorded by then (people living away included)."),
        Indicator("population_end_male", .population, .count, "期末人口（男）", "Population at end, male", unit: .people,
                  "期末人口中性别为男的人。", "Population at end whose sex is M."),
        Indicator("population_end_female", .population, .count, "期末人口（女）", "Population at end, female", unit: .people,
                  "期末人口中性别为女的人。", "Population at end whose sex is F."),
        Indicator("population_age_0_14", .population, .count, "0–14岁", "Aged 0–14", unit: .people,
                  "期末人口中期末日未满15周岁的人。", "Population at end under 15 on the last day."),
        Indicator("population_age_15_59", .population, .count, "15–59岁", "Aged 15–59", unit: .people,
                  "期末人口中期末日满15周岁、未满60周岁的人。", "Population at end aged 15 to 59 on the last day."),
        Indicator("population_age_60_plus", .population, .count, "60岁及以上", "Aged 60 and over", unit: .people,
                  "期末人口中期末日满60周岁的人。", "Population at end aged 60 or more on the last day."),
        Indicator("population_age_65_plus", .population, .count, "65岁及以上", "Aged 65 and over", unit: .people,
                  "期末人口中期末日满65周岁的人（60岁及以上的一部分）。", "Population at end aged 65 or more (part of 60 and over)."),
        Indicator("women_15_49", .population, .count, "育龄妇女", "Women aged 15–49", unit: .people,
                  "期末人口中期末日满15周岁、未满50周岁的女性。", "Women in the population at end aged 15 to 49 on the last day."),
        Indicator("married_women_15_49", .population, .count, "已婚育龄妇女", "Married women aged 15–49", unit: .people,
                  "育龄妇女中婚姻状况登记为已婚的人（取当前登记值）。", "Women aged 15–49 whose marital status is married (current value)."),
        Indicator("migrants_out", .population, .count, "流动人口（流出）", "Migrants out", unit: .people,
                  "期末人口中居住状态登记为“外出”（户籍在本村、人在外地）的人，取当前登记值。",
                  "Population at end whose residence is moved_out (registered here, living elsewhere); current value."),
        Indicator("migrants_in", .population, .count, "流动人口（流入）", "Migrants in", unit: .people,
                  "期末人口中居住状态登记为“迁入”（从外地来、住在本村）的人，取当前登记值。",
                  "Population at end whose residence is moved_in (come from elsewhere, living here); current value."),
    ]

    static let vital: [Indicator] = [
        Indicator("births", .vital, .count, "出生", "Births", unit: .people,
                  "出生日期在报告期内的人，按人计（不按出生事件计：一个孩子有两条出生事件也只算一个）。",
                  "People whose birth date is in the period, each child once (birth events are not counted: two events, one birth)."),
        Indicator("births_male", .vital, .count, "出生（男）", "Births, boys", unit: .people,
                  "出生人数中性别为男的。", "Births whose sex is M."),
        Indicator("births_female", .vital, .count, "出生（女）", "Births, girls", unit: .people,
                  "出生人数中性别为女的。", "Births whose sex is F."),
        Indicator("births_by_order", .vital, .breakdown, "出生孩次", "Births by order", unit: .people,
                  "孩次 = 孩子在其母亲登记的全部子女中按出生日期的排序（双胞胎按记录号排）；1 一孩、2 二孩、3+ 多孩；"
                    + "母亲未登记的记为“不详”。",
                  "Order = the child's place among all its mother's registered children by birth date (twins by row id); "
                    + "1 first, 2 second, 3+ third or later; a child without a registered mother is 'unknown'.",
                  parts: ["1", "2", "3+", "unknown"]),
        Indicator("sex_ratio_at_birth", .vital, .rate, "出生人口性别比", "Sex ratio at birth", unit: .perHundredGirls,
                  "报告期内出生男孩数 ÷ 出生女孩数 × 100，保留两位小数；无女孩时显示“—”。正常范围约103–107。",
                  "Boys born ÷ girls born × 100, two decimals; “—” when no girls were born. Normal range about 103–107."),
        Indicator("sex_ratio_at_birth_order2plus", .vital, .rate, "二孩及以上出生性别比", "Sex ratio at birth, second and later",
                  unit: .perHundredGirls, "孩次为二孩及以上的出生中，男孩数 ÷ 女孩数 × 100；无女孩时显示“—”。",
                  "Among births of order 2 or more, boys ÷ girls × 100; “—” when no girls."),
        Indicator("deaths", .vital, .count, "死亡", "Deaths", unit: .people,
                  "报告期内有死亡记录（婚育动态“死亡”，日期在期内）的人，每人一次。",
                  "People with a death event dated in the period, each once."),
        Indicator("birth_rate", .vital, .rate, "出生率", "Birth rate", unit: .perMille,
                  "出生人数 ÷ 平均人口 × 1000；平均人口 = (期初人口 + 期末人口) ÷ 2。未折算为年率。",
                  "Births ÷ mean population × 1000; mean = (population at start + at end) ÷ 2. Not annualised."),
        Indicator("death_rate", .vital, .rate, "死亡率", "Death rate", unit: .perMille,
                  "死亡人数 ÷ 平均人口 × 1000。未折算为年率。", "Deaths ÷ mean population × 1000. Not annualised."),
        Indicator("natural_growth_rate", .vital, .rate, "人口自然增长率", "Natural growth rate", unit: .perMille,
                  "(出生人数 − 死亡人数) ÷ 平均人口 × 1000。未折算为年率。",
                  "(Births − deaths) ÷ mean population × 1000. Not annualised."),
        Indicator("marriages", .vital, .count, "结婚", "Marriages", unit: .people,
                  "报告期内有结婚记录的人数（按人计：双方都在本镇登记的一对计2人）。",
                  "People with a marriage event dated in the period (counted per person: a couple both registered here is 2)."),
        Indicator("first_marriages", .vital, .count, "初婚", "First marriages", unit: .people,
                  "结婚人数中，此前没有任何结婚记录的人。", "People marrying in the period with no earlier marriage event."),
        Indicator("moves_in", .vital, .count, "迁入", "Moved in", unit: .people,
                  "报告期内加入本村登记的人：从本镇其他村转入本村的（镇中心收到转移的日期在期内），以及本村“迁入”事件日期在期内的；每人每期只计一次。"
                    + "镇合计只计从镇外迁入的（镇内村间转移不计）。",
                  "People who joined the village's register in the period: transferred from another village (received by the hub "
                    + "in the period) or with a move-in event dated in the period; each person once. The township counts only moves "
                    + "from outside it (transfers between its villages are not moves of the township)."),
        Indicator("moves_out", .vital, .count, "迁出", "Moved out", unit: .people,
                  "报告期内离开本村登记的人：转到本镇其他村的，以及本村“迁出”事件日期在期内的；每人每期只计一次。镇合计只计迁往镇外的。",
                  "People who left the village's register in the period: transferred to another village, or with a move-out event "
                    + "dated in the period; each person once. The township counts only moves out of it."),
    ]

    static let familyHealth: [Indicator] = [
        Indicator("pregnancies_new", .familyHealth, .count, "新增孕情", "New pregnancies", unit: .pregnancies,
                  "发现日期在报告期内的孕情（同一妇女同一发现日期只计一次）。",
                  "Pregnancies found in the period (one woman, one found date: once)."),
        Indicator("pregnancies_ongoing_end", .familyHealth, .count, "期末在孕", "Ongoing at end", unit: .pregnancies,
                  "期末日已发现、尚未结束（无结束日期且状态为“在孕”，或结束日期晚于期末）的孕情。",
                  "Pregnancies found by the last day and not ended by then (no end date and ongoing, or ended after the period)."),
        Indicator("pregnancies_ended", .familyHealth, .breakdown, "孕情结束", "Pregnancies ended", unit: .pregnancies,
                  "结束日期在报告期内的孕情，按结局分：分娩、流产、引产、其他（结局未填的计“其他”）。",
                  "Pregnancies whose end date is in the period, by outcome: born, miscarriage, induced, other (no outcome recorded: other).",
                  parts: ["born", "miscarriage", "induced", "other"]),
        Indicator("contraception_by_method", .familyHealth, .breakdown, "节育措施", "Contraception by method", unit: .people,
                  "已婚育龄妇女期末日正在使用的措施（开始日期不晚于期末，且未停用或停用日期晚于期末；多种时取长效的）；没有登记措施的计“未登记”。",
                  "Married women 15–49 by the method in use on the last day (started by then, not stopped by then; a long-acting "
                    + "one first when several); none recorded: 'none'.",
                  parts: ["iud", "sterilization", "implant", "drugs", "other", "none"]),
        Indicator("long_acting_rate", .familyHealth, .rate, "长效节育率", "Long-acting rate", unit: .percent,
                  "期末使用长效措施（上环、结扎、皮埋）的已婚育龄妇女 ÷ 全部已婚育龄妇女 × 100；无已婚育龄妇女时显示“—”。",
                  "Married women 15–49 using a long-acting method (IUD, sterilization, implant) ÷ all married women 15–49 × 100; “—” when none."),
        Indicator("ring_pregnancy_checked", .familyHealth, .count, "查环查孕已查", "Ring/pregnancy checks done", unit: .people,
                  "已婚育龄妇女中，报告期内有带轮次的查环或查孕随访的人（每人一次）。",
                  "Married women 15–49 with a ring or pregnancy check visit (with a round) dated in the period, each once."),
        Indicator("ring_pregnancy_due", .familyHealth, .count, "查环查孕应查", "Ring/pregnancy checks due", unit: .people,
                  "报告期内有查环查孕轮次时，应查人数 = 期末已婚育龄妇女；期内没有轮次时显示“—”。",
                  "When a round falls in the period, women due = married women 15–49 at the end; “—” when no round fell in the period."),
        Indicator("ring_pregnancy_check_rate", .familyHealth, .rate, "查环查孕到位率", "Ring/pregnancy check rate", unit: .percent,
                  "已查 ÷ 应查 × 100（轮次取报告期内的查环、查孕随访所带的轮次，全镇任何一村有即算有轮次）；期内没有轮次或应查为0时显示“—”。",
                  "Checked ÷ due × 100 (rounds are those named by ring/pregnancy check visits in the period anywhere in the "
                    + "township); “—” when no round fell in the period or nobody was due."),
    ]

    static let benefitsAndVisits: [Indicator] = [
        Indicator("benefits", .benefits, .breakdown, "奖扶", "Benefits by program", unit: Label(zh: "人 / 元", en: "people / yuan"),
                  "按项目：新增、继续、退出为所属年度与报告期重叠的奖扶记录的对象人数（按人或户计，每项目每类一次）；"
                    + "发放金额为状态“已发放”、发放日期在期内的记录金额之和，以整数分记，另以元显示（两位小数）。",
                  "Per program: new / continuing / ended are the beneficiaries (person or household, once per program and kind) "
                    + "of benefit rows whose year overlaps the period; paid is the sum of rows paid with a paid date in the period, "
                    + "paid_fen in integer fen and paid_yuan in yuan as text with two decimals."),
        Indicator("benefits_paid_fen", .benefits, .money, "奖扶发放合计（分）", "Benefits paid (fen)", unit: .fen,
                  "各项目发放金额之和，整数分。", "Sum of all programs' paid amounts, integer fen."),
        Indicator("benefits_paid_yuan", .benefits, .money, "奖扶发放合计（元）", "Benefits paid (yuan)", unit: .yuan,
                  "同上，以元表示（两位小数）。", "The same in yuan (two decimals)."),
        Indicator("visits_by_kind", .visits, .breakdown, "随访", "Visits by kind", unit: .times,
                  "日期在报告期内的随访记录，按类别计次数（计在记录所属的村）。",
                  "Visit rows dated in the period, by kind (counted in the row's village).",
                  parts: ["health_check", "prenatal", "postnatal", "child_health", "follow_up", "ring_check", "pregnancy_check"]),
    ]

    static let quality: [Indicator] = [
        Indicator("open_conflicts", .quality, .count, "待处理冲突", "Open conflicts", unit: .items,
                  "现在（不是期末）仍未处理的冲突条数，不含重复登记；计在冲突所属的村。",
                  "Conflicts open now (not at the period end), duplicates excluded; in the conflict's village."),
        Indicator("open_duplicates", .quality, .count, "待处理重复登记", "Open duplicates", unit: .items,
                  "现在仍未处理的重复登记（同一身份证号两条在册记录）条数。", "Duplicate registrations open now."),
        Indicator("check_items", .quality, .count, "待核查", "Open check items", unit: .items,
                  "现在逻辑核查列出、尚未核实的条数。", "Logic-check items open now (not marked verified)."),
    ]
}
