import Foundation
import HamletCore
import Testing
import HamletTestSupport

/// The report page's inline SVG charts: the axis arithmetic, the label plan and escaping on
/// their own, then whole charts read back by Python's `xml.etree.ElementTree` (an XML parser
/// written by other people) and counted element by element.
struct SVGChartTests {
    static let months = (1...12).map { "\($0)月" }
    static let births: [Double?] = [12, 9, 15, 11, 8, 14, 10, 13, 7, 12, 16, 11]

    // MARK: - Axis

    /// low, high, maxTicks, integral → lower, upper, step, labels.
    static let scales: [(Double, Double, Int, Bool, Double, Double, Double, [String])] = [
        (0, 0, 6, true, 0, 1, 1, ["0", "1"]),
        (0, 0, 6, false, 0, 1, 0.2, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        (0, 100, 6, false, 0, 100, 20, ["0", "20", "40", "60", "80", "100"]),
        (0, 101, 6, false, 0, 150, 50, ["0", "50", "100", "150"]),
        (0, 12.96, 6, true, 0, 15, 5, ["0", "5", "10", "15"]),
        (0, 17.28, 8, true, 0, 20, 5, ["0", "5", "10", "15", "20"]),
        (0, 3, 6, true, 0, 3, 1, ["0", "1", "2", "3"]),
        (0.1, 0.3, 6, false, 0.1, 0.3, 0.05, ["0.10", "0.15", "0.20", "0.25", "0.30"]),
        (98, 112, 6, false, 95, 115, 5, ["95", "100", "105", "110", "115"]),
        (-7, 23, 6, false, -10, 30, 10, ["-10", "0", "10", "20", "30"]),
        (105, 105, 6, false, 90, 120, 10, ["90", "100", "110", "120"]),
        (23, -7, 6, false, -10, 30, 10, ["-10", "0", "10", "20", "30"]),
        (0, 1_000_000, 6, true, 0, 1_000_000, 200_000, ["0", "200000", "400000", "600000", "800000", "1000000"]),
        (.nan, .infinity, 6, false, 0, 1, 0.2, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        (0, 7, 2, true, 0, 10, 10, ["0", "10"]),
        (-3, 7, 2, true, -10, 10, 10, ["-10", "0", "10"]),
    ]

    @Test("nice axes step by 1, 2 or 5 × 10^k and end on ticks", arguments: scales.indices)
    func niceScale(_ index: Int) {
        let (low, high, ticks, integral, lower, upper, step, labels) = Self.scales[index]
        let scale = ChartScale.nice(low: low, high: high, maxTicks: ticks, integral: integral)
        #expect(scale.lower == lower && scale.upper == upper, "\(low)…\(high): \(scale.lower)…\(scale.upper)")
        #expect(abs(scale.step - step) < 1e-12, "\(low)…\(high): step \(scale.step)")
        #expect(scale.tickLabels == labels)
        #expect(scale.ticks.count <= max(ticks, low < 0 && high > 0 ? 3 : 2))
    }

    @Test("every axis over random ranges holds its range, has at most maxTicks ticks and a 1-2-5 step")
    func niceScaleProperties() {
        var rng = SplitMix(seed: 14)
        for _ in 0..<2_000 {
            let a = Double(rng.next() % 2_000_000) / 100 - 10_000, b = a + Double(rng.next() % 100_000) / Double(1 + rng.next() % 1_000)
            let maxTicks = 2 + Int(rng.next() % 7)
            let s = ChartScale.nice(low: a, high: b, maxTicks: maxTicks)
            #expect(s.lower <= a + 1e-9 * s.step && s.upper >= b - 1e-9 * s.step, "\(a)…\(b) in \(s.lower)…\(s.upper)")
            #expect(s.ticks.count <= max(maxTicks, a < 0 && b > 0 ? 3 : 2), "\(a)…\(b) with \(maxTicks): \(s.ticks.count) ticks")
            #expect(!(a < 0 && b > 0) || s.ticks.contains(0), "0 is a tick when the range crosses it")
            var m = s.step
            while m >= 10 { m /= 10 }
            while m < 1 { m *= 10 }
            #expect([1, 2, 5].contains { abs(m - $0) < 1e-9 }, "step \(s.step)")
        }
    }

    @Test("numbers print with fixed decimals, no float noise and never -0",
          arguments: [(0.1 + 0.2, 1, "0.3"), (-0.01, 1, "0.0"), (-2.5, 0, "-3"), (1234.5, 2, "1234.50"), (0.05, 2, "0.05"),
                      (.nan, 0, "–"), (7, 0, "7"), (99.96, 1, "100.0")])
    func numberFormat(_ value: Double, _ decimals: Int, _ text: String) {
        #expect(ChartNumber.format(value, decimals: decimals) == text)
    }

    // MARK: - Text

    @Test func widthCountsCJKDouble() {
        #expect(ChartText.width("ab", fontSize: 10) == 11)
        #expect(ChartText.width("北赵", fontSize: 10) == 22)
        #expect(ChartText.width("12月", fontSize: 10) == 22)
        #expect(ChartText.truncate("北赵村第一村民小组", toWidth: 60, fontSize: 10) == "北赵村第…")
        #expect(ChartText.truncate("北赵", toWidth: 60, fontSize: 10) == "北赵")
    }

    @Test func escapeLeavesNoMarkupAndNoCharacterXMLCannotHold() {
        #expect(ChartText.escape(#"<b>"王&'李"</b>"#) == "&lt;b&gt;&quot;王&amp;&#39;李&quot;&lt;/b&gt;")
        #expect(ChartText.escape("a\u{0}b\u{1B}c\nd\u{FFFF}") == "a b c d ")
    }

    /// labels, slot width → rotated, stride.
    static let plans: [([String], Double, Bool, Int)] = [
        (months, 48, false, 1),                                   // 12 months across 580 px: level
        (["北赵", "南庄", "东营"], 190, false, 1),
        (["北赵村第一村民小组", "南庄村"], 60, true, 1),            // long names: turned
        ((1...60).map { "\($0)月" }, 9.5, true, 2),                // five years of months: turned, every 2nd
        ((1...200).map { "村\($0)" }, 2.9, true, 6),
        (["单"], 580, false, 1),
    ]

    @Test("category labels stay level when they fit, then turn, then thin", arguments: plans.indices)
    func labelPlan(_ index: Int) {
        let (labels, slot, rotated, stride) = Self.plans[index]
        let plan = CategoryLabelPlan.make(labels: labels, slot: slot, fontSize: 11)
        #expect(plan.isRotated == rotated)
        #expect(plan.stride == stride)
        // Turned labels need about 1.5 font heights each: the shown ones get that much room.
        if plan.isRotated { #expect(Double(plan.stride) * slot >= 16.5) }
        #expect(plan.shows(0))
    }

    // MARK: - Whole charts, read by Python

    @Test(.enabled(if: PythonOracle.available, "python3 is not installed"))
    func barChartOfBirthsByMonth() throws {
        let chart = SVGChart.bar(title: "2024 年各月出生", categories: Self.months, series: ChartSeries("出生", Self.births),
                                 unit: "人", noDataText: "无数据", id: "births")
        let facts = try SVGFacts.read(chart.svg())
        #expect(facts.count("rect.bar") == 12)
        #expect(facts.count("text.value") == 12, "every bar has room for its value")
        #expect(facts.count("text.category") == 12)
        #expect(facts.texts("category") == Self.months)
        #expect(facts.texts("tick") == ["0", "5", "10", "15", "20"])
        #expect(facts.texts("unit") == ["人"])
        #expect(facts.texts("legend") == ["出生"])
        #expect(facts.title == "2024 年各月出生")
        #expect(facts.desc == "出生: 1月 12, 2月 9, 3月 15, 4月 11, 5月 8, 6月 14, 7月 10, 8月 13, 9月 7, 10月 12, 11月 16, 12月 11 (人)")
        #expect(facts.attributes["aria-labelledby"] == "births-title births-desc")
        #expect(facts.attributes["role"] == "img")
        #expect(facts.count("pattern") == 0)
        #expect(facts.outside.isEmpty, "\(facts.outside)")
    }

    @Test(.enabled(if: PythonOracle.available, "python3 is not installed"))
    func groupedBarsOfBoysAndGirlsPerVillage() throws {
        let chart = SVGChart.groupedBar(title: "各村出生性别", categories: ["北赵", "南庄", "东营"],
                                        series: [ChartSeries("男", [21, 14, nil]), ChartSeries("女", [19, 0, 8])],
                                        unit: "人", noDataText: "无数据")
        let facts = try SVGFacts.read(chart.svg())
        #expect(facts.count("rect.bar") == 5, "no bar for 东营's missing boys, a flat one for 南庄's 0 girls")
        #expect(facts.count("pattern") == 1, "the second series is hatched, for printouts")
        #expect(facts.count("rect.swatch") == 2)
        #expect(facts.texts("legend") == ["男", "女"])
        #expect(facts.texts("value") == ["21", "19", "14", "0", "8"])
        #expect(facts.desc == "男: 北赵 21, 南庄 14, 东营 –; 女: 北赵 19, 南庄 0, 东营 8 (人)")
        #expect(facts.barTitles == ["北赵 · 男: 21 人", "北赵 · 女: 19 人", "南庄 · 男: 14 人", "南庄 · 女: 0 人", "东营 · 女: 8 人"])
        #expect(facts.outside.isEmpty, "\(facts.outside)")
    }

    @Test(.enabled(if: PythonOracle.available, "python3 is not installed"))
    func lineChartOfTheSexRatioWithItsNormalBandAndGaps() throws {
        let years = (2015...2024).map { "\($0)" }
        let chart = SVGChart.line(title: "出生性别比", categories: years,
                                  series: [ChartSeries("全乡", [108.2, 106.5, nil, 104.9, 110.3, 103.1, nil, nil, 105.0, 107.7]),
                                           ChartSeries("北赵", [112, nil, 99.5, 101, 104, 106, 103, 108, 102, 104])],
                                  reference: ChartReference(low: 107, high: 103, label: "正常范围 103–107"), noDataText: "无数据")
        let facts = try SVGFacts.read(chart.svg())
        #expect(facts.count("path.line") == 2)
        #expect(facts.count("path.marker") == 7 + 9)
        #expect(facts.lineSegments == [3, 2], "全乡 breaks at 2017 and 2021–22; 北赵 at 2016")
        #expect(facts.count("rect.band") == 1)
        #expect(facts.texts("legend") == ["全乡", "北赵", "正常范围 103–107"])
        let ticks = facts.texts("tick").compactMap(Double.init)
        #expect(ticks.first ?? 0 > 0, "a ratio axis does not start at 0: \(ticks)")
        #expect((ticks.first ?? 999) <= 99.5 && (ticks.last ?? 0) >= 112)
        #expect(facts.outside.isEmpty, "\(facts.outside)")
    }

    @Test(.enabled(if: PythonOracle.available, "python3 is not installed"))
    func hostileTextIsEscapedEverywhere() throws {
        let evil = #"<script>alert("x")</script>&amp;'村"#
        let chart = SVGChart(kind: .bars, title: evil, categories: [evil, "南庄"], series: [ChartSeries(evil, [3, 4]), ChartSeries("女", [1, 2])],
                             unit: evil, reference: ChartReference(low: 2, high: 2, label: evil), noDataText: evil,
                             summary: evil, id: #"x" onload="alert(1)"#)
        let svg = chart.svg()
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("onload=\""))
        let facts = try SVGFacts.read(svg)
        #expect(facts.bad.isEmpty, "\(facts.bad)")
        #expect(facts.title == evil && facts.desc == evil)
        #expect(facts.texts("heading").first?.hasPrefix("<script>") == true)
        #expect(facts.texts("legend").contains(evil))
        #expect(facts.barTitles.first == evil + " · " + evil + ": 3 " + evil)
        #expect(facts.missing.isEmpty, "every id the chart refers to exists: \(facts.missing)")
        let line = SVGChart.line(title: evil, categories: [evil], series: [ChartSeries(evil, [1])], noDataText: evil)
        #expect(try SVGFacts.read(line.svg()).bad.isEmpty)
        let empty = SVGChart.line(title: evil, categories: [], series: [], noDataText: evil)
        #expect(try SVGFacts.read(empty.svg()).texts("no-data") == [evil])
    }

    /// A chart that must still draw, what Python must find in it.
    static let awkward: [(String, SVGChart, [String: Int])] = [
        ("no categories", .bar(title: "t", categories: [], series: ChartSeries("a", [1, 2]), noDataText: "无数据"),
         ["text.no-data": 1, "rect.bar": 0, "line.axis": 0]),
        ("no series", .groupedBar(title: "t", categories: months, series: [], noDataText: "无数据"), ["text.no-data": 1]),
        ("every value missing", .line(title: "t", categories: months, series: [ChartSeries("a", Array(repeating: nil, count: 12))],
                                      noDataText: "无数据"), ["text.no-data": 1, "path.line": 0]),
        ("all zeros", .bar(title: "t", categories: months, series: ChartSeries("a", Array(repeating: 0, count: 12)), noDataText: "无数据"),
         ["text.no-data": 0, "rect.bar": 12, "text.tick": 2, "text.value": 12]),
        ("one category", .groupedBar(title: "t", categories: ["北赵"], series: [ChartSeries("男", [5]), ChartSeries("女", [6])],
                                     noDataText: "无数据"), ["rect.bar": 2, "text.category": 1]),
        ("one point", .line(title: "t", categories: ["2024"], series: [ChartSeries("a", [105])], noDataText: "无数据"),
         ["path.line": 1, "path.marker": 1]),
        ("negative values", .bar(title: "t", categories: ["a", "b", "c"], series: ChartSeries("净迁入", [-4, 0, 7]), noDataText: "无数据"),
         ["rect.bar": 3, "text.value": 3]),
        ("not finite, too large, too few, too many", .bar(title: "t", categories: ["a", "b", "c", "d"],
                                                         series: ChartSeries("x", [.nan, .infinity, 1e300, 2, 99, 99]), noDataText: "无数据"),
         ["rect.bar": 1]),
        ("tiny size", .line(title: "t", categories: months, series: [ChartSeries("a", births)], width: 0, height: -5, noDataText: "无数据"),
         ["path.line": 1, "path.marker": 12]),
        ("long names, turned", .groupedBar(title: "t", categories: (1...14).map { "西河村第\($0)村民小组" },
                                          series: [ChartSeries("男", (1...14).map { Double($0) }), ChartSeries("女", [3])],
                                          noDataText: "无数据"), ["rect.bar": 15, "text.category": 14]),
        ("many categories", .bar(title: "t", categories: (1...120).map { "第\($0)村民小组" },
                                 series: ChartSeries("a", (1...120).map { Double($0 % 17) }), noDataText: "无数据"),
         ["rect.bar": 120, "text.category": 30, "text.value": 0]),
    ]

    @Test("awkward data draws a well-formed chart inside its frame",
          .enabled(if: PythonOracle.available, "python3 is not installed"), arguments: awkward.indices)
    func awkwardData(_ index: Int) throws {
        let (name, chart, expected) = Self.awkward[index]
        let facts = try SVGFacts.read(chart.svg())
        for (key, count) in expected { #expect(facts.count(key) == count, "\(name): \(key)") }
        #expect(facts.outside.isEmpty, "\(name): \(facts.outside)")
        #expect(facts.bad.isEmpty && facts.missing.isEmpty, "\(name)")
    }

    @Test func outputIsDeterministicAndIDsDifferPerChart() {
        let a = SVGChart.bar(title: "出生", categories: Self.months, series: ChartSeries("出生", Self.births), noDataText: "无数据")
        let b = SVGChart.bar(title: "死亡", categories: Self.months, series: ChartSeries("死亡", Self.births), noDataText: "无数据")
        #expect(a.svg() == a.svg())
        #expect(a.svg().contains("aria-labelledby=\"chart-"))
        #expect(a.svg() != b.svg())
        let ids = [a, b].map { $0.svg().firstMatch(of: /id="([^"]+)-title"/).map { String($0.1) } }
        #expect(ids[0] != nil && ids[0] != ids[1])
    }
}

/// What Python's ElementTree found in an SVG: element counts by `tag.class`, texts by class,
/// ids that are referred to but missing, anything that could run or fetch, and elements
/// drawn outside the viewBox or category labels that collide (measured with Python's
/// `unicodedata` East Asian Width, not our estimate).
struct SVGFacts: Decodable {
    var attributes: [String: String]
    var counts: [String: Int]
    var texts: [[String]]
    var title: String
    var desc: String
    var missing: [String]
    var bad: [String]
    var outside: [String]
    var lineSegments: [Int]
    var barTitles: [String]

    func count(_ key: String) -> Int { counts[key] ?? 0 }
    func texts(_ cls: String) -> [String] { texts.filter { $0.first == cls }.map { $0.count > 1 ? $0[1] : "" } }

    static let script = #"""
    import sys, json, re, unicodedata, xml.etree.ElementTree as ET
    NS = "{http://www.w3.org/2000/svg}"
    root = ET.fromstring(sys.stdin.buffer.read())
    assert root.tag == NS + "svg", root.tag
    W, H = [float(v) for v in root.get("viewBox").split()[2:]]
    counts, ids, refs, bad, outside = {}, set(), [], [], []
    for el in root.iter():
        if not el.tag.startswith(NS): bad.append("namespace " + el.tag)
        tag = el.tag[len(NS):]
        key = tag + ("." + el.get("class") if el.get("class") else "")
        counts[key] = counts.get(key, 0) + 1
        if el.get("id"): ids.add(el.get("id"))
        if tag in ("script", "foreignObject", "image", "style", "use", "a"): bad.append(tag)
        for k, v in el.attrib.items():
            if k.lower().startswith("on") or "href" in k: bad.append(k)
            if re.search(r"nan|inf", v) and k in ("x", "y", "width", "height", "d", "x1", "x2", "y1", "y2"): bad.append(k + "=" + v)
            refs += re.findall(r"url\(#([^)]+)\)", v)
        if tag in ("rect", "text") and el.get("class") not in (None, "background"):
            x, y = float(el.get("x", 0)), float(el.get("y", 0))
            w, h = float(el.get("width", 0)), float(el.get("height", 0))
            if x < 0 or y < 0 or x + w > W + 0.01 or y + h > H + 0.01 or w < 0 or h < 0: outside.append(key + " at %g,%g" % (x, y))
    refs += root.get("aria-labelledby", "").split()
    # Category labels measured by Unicode's own East Asian Width table: wide 1 em, others 0.55 em.
    def width(el):
        size = float(el.get("font-size"))
        return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.55 * size for ch in "".join(el.itertext()))
    labels = [el for el in root.iter(NS + "text") if el.get("class") == "category"]
    for el in labels:
        if el.get("transform") and float(el.get("x")) - width(el) * 0.71 < 0: outside.append("turned label reaches past the left edge")
    level = [el for el in labels if not el.get("transform")]
    for a, b in zip(level, level[1:]):
        if float(b.get("x")) - float(a.get("x")) < (width(a) + width(b)) / 2: outside.append("level labels overlap: " + a.text)
    texts = [[el.get("class") or "", "".join(el.itertext())] for el in root.iter(NS + "text")]
    segments = [len(re.findall("M", el.get("d"))) for el in root.iter(NS + "path") if el.get("class") == "line"]
    titles = [el.find(NS + "title").text for el in root.iter(NS + "rect") if el.get("class") == "bar"]
    print(json.dumps({"attributes": dict(root.attrib), "counts": counts, "texts": texts,
                      "title": root.find(NS + "title").text or "", "desc": root.find(NS + "desc").text or "",
                      "missing": [r for r in refs if r not in ids], "bad": bad, "outside": outside,
                      "lineSegments": segments, "barTitles": titles}))
    """#

    /// Parses the SVG with Python and collects the facts.
    static func read(_ svg: String) throws -> SVGFacts {
        let out = try PythonOracle.run(script, stdin: Data(svg.utf8))
        return try JSONDecoder().decode(SVGFacts.self, from: out)
    }
}
