import Foundation
import HamletCore
import HamletTestSupport
import Testing

/// The three chart kinds drawn by a real browser: a page under the report page's CSP is
/// screenshotted by headless Chromium and must come out clearly different from the same page
/// without the charts. Skipped with a message when Chromium is not installed (`scripts/test`
/// installs it). With `HAMLET_SCREENSHOT_DIR` set, the PNG is kept there as `charts.png`.
struct SVGChartBrowserTests {
    static let chromium: String? = {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["HAMLET_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        let found = candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
        if found == nil { print("SVGChartBrowserTests skipped: chromium is not installed (apt-get install chromium fonts-noto-cjk)") }
        return found
    }()

    /// A report-like page holding the charts, with the CSP the operator console sends.
    static func page(_ charts: [SVGChart]) -> String {
        """
        <!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'self'; style-src 'self' 'unsafe-inline'">
        <title>月报</title></head><body style="margin:16px;background:#fff">
        \(charts.map { "<figure style=\"margin:0 0 12px\">" + $0.svg() + "</figure>" }.joined(separator: "\n"))
        </body></html>
        """
    }

    static let charts: [SVGChart] = [
        .bar(title: "2024 年各月出生", categories: SVGChartTests.months, series: ChartSeries("出生", SVGChartTests.births),
             unit: "人", noDataText: "无数据", id: "births"),
        .groupedBar(title: "各村出生性别", categories: ["北赵", "南庄", "东营", "西河村第三村民小组", "<&\"'>"],
                    series: [ChartSeries("男", [21, 14, nil, 9, 3]), ChartSeries("女", [19, 0, 8, 11, 4]), ChartSeries("未填", [1, 0, 2, 0, 0])],
                    unit: "人", noDataText: "无数据", id: "villages"),
        .line(title: "出生性别比", categories: (2015...2024).map { "\($0)年" },
              series: [ChartSeries("全乡", [108.2, 106.5, nil, 104.9, 110.3, 103.1, nil, nil, 105.0, 107.7]),
                       ChartSeries("北赵", [112, nil, 99.5, 101, 104, 106, 103, 108, 102, 104])],
              reference: ChartReference(low: 103, high: 107, label: "正常范围 103–107"), noDataText: "无数据", id: "ratio"),
        .bar(title: "各村民小组人口", categories: (1...36).map { "第\($0)村民小组" },
             series: ChartSeries("", (1...36).map { Double(($0 * 37) % 90 + 10) }), unit: "人", noDataText: "无数据", id: "groups"),
        .groupedBar(title: "净迁入", categories: ["北赵", "南庄", "东营"],
                    series: [ChartSeries("迁入−迁出", [-4, 0, 7]), ChartSeries("上年", [2, -6, 3])],
                    reference: ChartReference(low: 5, high: 5, label: "目标"), noDataText: "无数据", id: "moves"),
        .bar(title: "本月死亡", categories: [], series: ChartSeries("死亡", []), noDataText: "无数据", id: "empty"),
    ]

    @Test(.enabled(if: SVGChartBrowserTests.chromium != nil, "chromium is not installed"))
    func chromiumDrawsTheChartsUnderTheReportPagesCSP() throws {
        let chromium = try #require(Self.chromium)
        let dir = TempDir("svgchart")
        defer { dir.remove() }
        let blank = try screenshot(html: Self.page([]), chromium: chromium, dir: dir, name: "blank")
        let charts = try screenshot(html: Self.page(Self.charts), chromium: chromium, dir: dir, name: "charts")
        #expect(charts.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG")
        #expect(charts.count > 20_000 && charts.count > blank.count * 4,
                "the charts drew something: \(charts.count) bytes against \(blank.count) for the empty page")
        if let shots = ProcessInfo.processInfo.environment["HAMLET_SCREENSHOT_DIR"], !shots.isEmpty {
            try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
            try Data(charts).write(to: URL(fileURLWithPath: (shots as NSString).appendingPathComponent("charts.png")))
        }
    }

    /// Saves the page, has Chromium screenshot it (killed after 60 s) and returns the PNG.
    func screenshot(html: String, chromium: String, dir: TempDir, name: String) throws -> [UInt8] {
        let page = dir.file("\(name).html"), png = dir.file("\(name).png")
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                       "--disable-extensions", "--disable-background-networking", "--hide-scrollbars", "--lang=zh-CN",
                       "--user-data-dir=\(dir.file("profile-\(name)"))", "--window-size=720,2300",
                       "--screenshot=\(png)", "file://\(page)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while p.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
            throw ProcessRunnerError("chromium did not finish the screenshot of \(name) within 60 s")
        }
        guard p.terminationStatus == 0, let data = FileManager.default.contents(atPath: png) else {
            throw ProcessRunnerError("chromium exited \(p.terminationStatus) without a screenshot of \(name)")
        }
        return [UInt8](data)
    }
}
