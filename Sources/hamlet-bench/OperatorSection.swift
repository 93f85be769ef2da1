import CSQLite
import Foundation
import HamletCore
import HamletNet
import HamletStore
#if canImport(Glibc)
import Glibc
#endif

// The operator's side at scale (issue 20): on a hub made by `hamlet seed`, the streamed CLI export and its peak
// RSS, the page's `/export/people.csv` from a real `hamlet hub serve` and the hub's peak RSS, an idle sync of one
// seeded village with verify against `--no-verify`, and the conflict page (first and a deep page) with thousands
// of open field conflicts. Every command is the release `hamlet` binary run as a child process.

extension Config {
    /// `hamlet seed` sizes: villages × people per village (3,000 people ≈ 15k rows in register v2; 80 villages ≈ 1.2M rows).
    var operatorVillages: Int { quick ? 3 : 80 }
    var operatorPeople: Int { quick ? 300 : 3_000 }
    var operatorConflicts: Int { quick ? 300 : 5_000 }
    var operatorSyncRuns: Int { 5 }
    /// Rows changed at the hub before one sync, to price verify per changed row.
    var operatorChangedRows: [Int] { quick ? [0, 10, 100] : [0, 100, 1_000] }
}

/// Runs `hamlet args…` to completion; throws on a non-zero exit. The child's own VmHWM comes back in `maxRSS`
/// (via `HAMLET_PEAK_RSS_FILE`: `wait4`'s figure would include this process's map, see `pullSection`).
@discardableResult
func runHamlet(_ args: [String], log: String, captureStdout: Bool = false) throws -> (ChildResult, String) {
    let rssFile = log + ".rss"
    var env = ProcessInfo.processInfo.environment
    env["HAMLET_PEAK_RSS_FILE"] = rssFile
    let child = try Child(hamletBinary(), args, captureStdout: captureStdout, stderrPath: log, environment: env)
    var out = ""
    if captureStdout { while let line = child.readLine(prefix: "") { out += line + "\n" } }
    var r = child.wait()
    if let kb = (try? String(contentsOfFile: rssFile, encoding: .utf8)).flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
        r.maxRSS = kb * 1024
    }
    guard r.status == 0 else { throw BenchError("hamlet \(args.prefix(3).joined(separator: " ")) exited \(r.status) (see \(log))") }
    return (r, out)
}

/// A plain HTTP/1.1 GET with `Connection: close`, read to EOF; the status line and the number of bytes after the head.
func httpGet(_ address: SocketAddress, path: String) throws -> (status: String, bodyBytes: Int) {
    let socket = try ClientSocket.connect(to: address, timeout: .seconds(5))
    defer { socket.close() }
    try socket.write(Array("GET \(path) HTTP/1.1\r\nHost: \(address)\r\nConnection: close\r\n\r\n".utf8),
                     deadline: .now.advanced(by: .seconds(10)))
    var head: [UInt8] = []
    var headDone = false
    var body = 0
    while true {
        let chunk = try socket.read(upTo: 1 << 16, deadline: .now.advanced(by: .seconds(120)))
        if chunk.isEmpty { break }
        if headDone { body += chunk.count; continue }
        head += chunk
        if let end = firstIndex(of: [13, 10, 13, 10], in: head) {
            body += head.count - end - 4
            head = Array(head[..<end])
            headDone = true
        }
    }
    let status = String(decoding: head.prefix(while: { $0 != 13 }), as: UTF8.self)
    return (status, body)
}

private func firstIndex(of needle: [UInt8], in hay: [UInt8]) -> Int? {
    guard hay.count >= needle.count else { return nil }
    for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
    return nil
}

/// `count` real field conflicts in `village`, made as `ConflictBatch` (Tests/HamletTestSupport) makes them: one node
/// registers people, then two nodes rename each one concurrently through `HubStore.reconcile`.
func makeFieldConflicts(_ store: HubStore, count: Int, village: String) throws {
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    let nodes = ("conflict-a", "conflict-b")
    for node in [nodes.0, nodes.1] where try store.node(node) == nil {
        try store.addNode(id: node, village: village, secretHash: String(repeating: "0", count: 64), wallMillis: now)
    }
    var rng = SystemRandomNumberGenerator()
    let people = (0..<count).map { _ in RowID.make(unixMillis: now, using: &rng) }
    func name(_ i: Int) -> String { "冲突\(i)" }
    var counter: Int64 = 0
    func change(_ node: String, _ row: String, _ values: Fields, base: Int64) throws -> Change {
        counter += 1
        return Change(node: node, seq: try store.lastSeq(node: node) + counter, table: "people", row: row, op: .put, values: values,
                      bases: values.mapValues { _ in base }, rowBase: base,
                      hlc: HLC(wall: now + counter, counter: 0, node: node), author: node, epoch: "")
    }
    func push(_ node: String, _ make: (Int, String) throws -> Change) throws -> [Int64] {
        var hseqs: [Int64] = []
        var i = 0
        while i < people.count {  // batches of 500, as a node pushes
            counter = 0
            let end = min(i + 500, people.count)
            let list = try (i..<end).map { try make($0, people[$0]) }
            let results = try store.reconcile(list, from: BatchSource(node: node, village: village), wallMillis: now)
            for r in results where r.status == .rejected { throw BenchError("conflicts: rejected \(r.code ?? "") \(r.message ?? "")") }
            hseqs += results.map { $0.hseq ?? 0 }
            i = end
        }
        return hseqs
    }
    let made = try push(nodes.0) { i, id in
        try change(nodes.0, id, ["village": .text(village), "name": .text(name(i)), "sex": .text("F"),
                                 "birth_date": .text(CalendarDate(daysSinceEpoch: 3000 + i % 9000).description),
                                 "national_id": .text(NationalID.make(region: 130124, birth: CalendarDate(daysSinceEpoch: 3000 + i % 9000),
                                                                      sequence: 100 + 2 * (i / 9000 % 400)))], base: 0)
    }
    _ = try push(nodes.1) { i, id in try change(nodes.1, id, ["name": .text(name(i) + "乙")], base: made[i]) }
    _ = try push(nodes.0) { i, id in try change(nodes.0, id, ["name": .text(name(i) + "甲")], base: made[i]) }
}

func operatorSection(_ c: Config, _ scratch: Scratch) throws -> [Figure] {
    let dir = try scratch.folder("operator")
    func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
    let hubDir = path("hub")
    let scale = c.quick ? " (at 1M rows)" : ""

    progress("operator: hamlet seed --villages \(c.operatorVillages) --people \(c.operatorPeople)")
    try runHamlet(["hub", "init", "--dir", hubDir], log: path("init.log"))
    let (seedRun, _) = try runHamlet(["seed", "--dir", hubDir, "--villages", "\(c.operatorVillages)", "--people", "\(c.operatorPeople)"],
                                     log: path("seed.log"))

    // What the seed wrote: rows in all, people, and the first village with its row count.
    var totalRows = 0, peopleRows = 0, village = "", villageRows = 0
    do {
        let db = try RawDB(path: HubStore.path(in: hubDir), wal: false)
        for t in schema.tables {
            let s = try db.prepare("SELECT count(*) FROM \"\(t.name)\"")
            if sqlite3_step(s) == SQLITE_ROW { totalRows += Int(sqlite3_column_int64(s, 0)) }
            sqlite3_reset(s)
        }
        let p = try db.prepare("SELECT count(*) FROM people")
        if sqlite3_step(p) == SQLITE_ROW { peopleRows = Int(sqlite3_column_int64(p, 0)) }
        let v = try db.prepare("SELECT \"\(schema.scope)\" FROM people LIMIT 1")
        if sqlite3_step(v) == SQLITE_ROW, let text = sqlite3_column_text(v, 0) { village = String(cString: text) }
        for t in schema.tables {
            let s = try db.prepare("SELECT count(*) FROM \"\(t.name)\" WHERE \"\(schema.scope)\" = ?1")
            sqlite3_bind_text(s, 1, village, -1, transientDestructor)
            if sqlite3_step(s) == SQLITE_ROW { villageRows += Int(sqlite3_column_int64(s, 0)) }
            sqlite3_reset(s)
        }
    }
    progress("operator: \(totalRows) rows (\(peopleRows) people) seeded in \(fmtSeconds(seedRun.seconds)); peak RSS \(fmtMB(seedRun.maxRSS))")

    progress("operator: \(c.operatorConflicts) field conflicts through HubStore.reconcile")
    do {
        let store = try HubStore.open(directory: hubDir)
        try makeFieldConflicts(store, count: c.operatorConflicts, village: "冲突村")
        try store.checkpointNow()
    }

    progress("operator: hamlet hub export people > /dev/null")
    // The first export after `hamlet seed` also fills the pinyin sort keys the seed leaves empty (a one-time write):
    // timed apart; the second is the export as an operator meets it from then on.
    let (firstExport, _) = try runHamlet(["hub", "export", "people", "--dir", hubDir], log: path("export.log"))
    let (export, _) = try runHamlet(["hub", "export", "people", "--dir", hubDir], log: path("export.log"))
    let exportRSS = max(firstExport.maxRSS, export.maxRSS)
    progress("operator: hamlet hub export people --out people.xlsx")
    let xlsxPath = path("people.xlsx")
    let (xlsxExport, _) = try runHamlet(["hub", "export", "people", "--dir", hubDir, "--out", xlsxPath], log: path("export-xlsx.log"))
    let xlsxBytes = ((try? FileManager.default.attributesOfItem(atPath: xlsxPath))?[.size] as? Int) ?? 0
    try? FileManager.default.removeItem(atPath: xlsxPath)

    progress("operator: a node of \(village) (\(villageRows) rows): hub add-node, init")
    let nodeDir = path("node"), secret = path("node.secret")
    try runHamlet(["hub", "add-node", "op-node", "--village", village, "--secret-out", secret, "--dir", hubDir], log: path("add-node.log"))

    progress("operator: starting hamlet hub serve (sync port and page)")
    let hubProcess = try Child(hamletBinary(), ["hub", "serve", "--dir", hubDir, "--listen", "127.0.0.1:0", "--web", "127.0.0.1:0"],
                               captureStdout: true, stderrPath: path("hub.log"))
    guard let line = hubProcess.readLine(prefix: "listening "), let sync = try? SocketAddress(parsing: String(line.dropFirst(10))),
          let webLine = hubProcess.readLine(prefix: "web "),
          let web = try? SocketAddress(parsing: String(webLine.dropFirst("web http://".count)).trimmingCharacters(in: CharacterSet(charactersIn: "/ \n")))
    else {
        hubProcess.signal(SIGKILL)
        _ = hubProcess.wait()
        throw BenchError("hub serve did not start (see \(dir)/hub.log)")
    }
    var hubRunning = true
    defer { if hubRunning { stopHub(hubProcess) } }
    let hubPid = String(hubProcess.pid)
    let startRSS = procStatus("VmHWM", pid: hubPid)

    progress("operator: GET /export/people.csv from the page")
    var page: (status: String, bodyBytes: Int) = ("", 0)
    let pageSeconds = try timed { page = try httpGet(web, path: "/export/people.csv") }
    guard page.status.hasPrefix("HTTP/1.1 200") else { throw BenchError("/export/people.csv: \(page.status)") }
    let pageRSS = procStatus("VmHWM", pid: hubPid)
    progress("operator: GET /export/people.xlsx from the page")
    var pageXLSX: (status: String, bodyBytes: Int) = ("", 0)
    let pageXLSXSeconds = try timed { pageXLSX = try httpGet(web, path: "/export/people.xlsx") }
    guard pageXLSX.status.hasPrefix("HTTP/1.1 200") else { throw BenchError("/export/people.xlsx: \(pageXLSX.status)") }
    let pageXLSXRSS = procStatus("VmHWM", pid: hubPid)

    progress("operator: GET / (conflict list), first and deep page")
    var deepAfter: Int64 = 0, openConflicts = 0
    do {
        let db = try RawDB(path: HubStore.path(in: hubDir), wal: false)
        let s = try db.prepare("SELECT count(*), (SELECT id FROM conflicts WHERE status = 'open' ORDER BY id DESC LIMIT 1 OFFSET 50) FROM conflicts WHERE status = 'open'")
        if sqlite3_step(s) == SQLITE_ROW {
            openConflicts = Int(sqlite3_column_int64(s, 0))
            deepAfter = sqlite3_column_int64(s, 1)
        }
    }
    func pageTime(_ p: String) throws -> Double {
        var times: [Double] = []
        for _ in 0..<3 {
            var r: (status: String, bodyBytes: Int) = ("", 0)
            times.append(try timed { r = try httpGet(web, path: p) })
            guard r.status.hasPrefix("HTTP/1.1 200") else { throw BenchError("\(p): \(r.status)") }
        }
        return percentile(times, 50)
    }
    let firstPage = try pageTime("/")
    let deepPage = try pageTime("/?after=\(deepAfter)")

    progress("operator: hamlet init, first sync, then \(c.operatorSyncRuns) idle syncs with and without verify")
    try runHamlet(["init", "--node", "op-node", "--village", village, "--hub", sync.description, "--secret-file", secret, "--dir", nodeDir],
                  log: path("node-init.log"))
    let (first, _) = try runHamlet(["sync", "--dir", nodeDir], log: path("sync.log"))
    var withVerify: [Double] = [], without: [Double] = []
    for _ in 0..<c.operatorSyncRuns {
        without.append(try runHamlet(["sync", "--dir", nodeDir, "--no-verify"], log: path("sync.log")).0.seconds)
        withVerify.append(try runHamlet(["sync", "--dir", nodeDir], log: path("sync.log")).0.seconds)
    }
    let verifyMedian = percentile(withVerify, 50), plainMedian = percentile(without, 50)
    let verifyCost = verifyMedian - plainMedian
    let syncRSS = procStatus("VmHWM", pid: hubPid)
    stopHub(hubProcess)
    hubRunning = false
    let perRow = try verifyPerChangedRow(c, hubDir: hubDir, nodeDir: nodeDir, village: village, listen: sync.description, path: path)

    let rowsNote = "hub of \(totalRows) rows (`hamlet seed --villages \(c.operatorVillages) --people \(c.operatorPeople)`, \(fmtSeconds(seedRun.seconds)), seed peak RSS \(fmtMB(seedRun.maxRSS)))"
    return [
        Figure(section: "Operator", measure: "hub export people (\(peopleRows) people), time", value: export.seconds, unit: "s",
               shown: fmtSeconds(export.seconds), ceiling: nil, ceilingShown: "", ratio: nil, target: "", met: nil,
               note: "a whole `hamlet hub export people` process, CSV to /dev/null; the first after seeding, which also fills the sort keys the seed left empty, took \(fmtSeconds(firstExport.seconds)); " + rowsNote),
        Figure(section: "Operator", measure: "hub export people, peak RSS", value: Double(exportRSS), unit: "bytes",
               shown: fmtMB(exportRSS), ceiling: nil, ceilingShown: "", ratio: nil, target: "< 150 MB" + scale,
               met: c.quick ? nil : exportRSS < 150 << 20, note: "VmHWM the `hamlet hub export` process reports for itself, the larger of the two runs"),
        Figure(section: "Operator", measure: "hub export people --out people.xlsx, time", value: xlsxExport.seconds, unit: "s",
               shown: fmtSeconds(xlsxExport.seconds), ceiling: export.seconds, ceilingShown: fmtSeconds(export.seconds) + " CSV",
               ratio: xlsxExport.seconds / max(export.seconds, 1e-6), target: "", met: nil,
               note: "a whole `hamlet hub export` process writing a \(xlsxBytes / 1024) KiB xlsx (streamed: inline strings, the sheet deflated as rows come)"),
        Figure(section: "Operator", measure: "hub export people xlsx, peak RSS", value: Double(xlsxExport.maxRSS), unit: "bytes",
               shown: fmtMB(xlsxExport.maxRSS), ceiling: Double(exportRSS), ceilingShown: fmtMB(exportRSS) + " CSV", ratio: nil,
               target: "< 150 MB" + scale, met: c.quick ? nil : xlsxExport.maxRSS < 150 << 20,
               note: "VmHWM the `hamlet hub export --out people.xlsx` process reports for itself"),
        Figure(section: "Operator", measure: "page /export/people.csv, time", value: pageSeconds, unit: "s", shown: fmtSeconds(pageSeconds),
               ceiling: export.seconds, ceilingShown: fmtSeconds(export.seconds) + " CLI", ratio: pageSeconds / max(export.seconds, 1e-6),
               target: "", met: nil, note: "\(page.bodyBytes / 1024) KiB read to the end over loopback (chunked), from `hamlet hub serve`"),
        Figure(section: "Operator", measure: "page /export/people.csv, hub peak RSS", value: Double(pageRSS), unit: "bytes",
               shown: fmtMB(pageRSS), ceiling: nil, ceilingShown: "", ratio: nil, target: "< 150 MB" + scale,
               met: c.quick ? nil : pageRSS < 150 << 20, note: "VmHWM of the `hamlet hub serve` process after the download (\(fmtMB(startRSS)) before it)"),
        Figure(section: "Operator", measure: "page /export/people.xlsx, time", value: pageXLSXSeconds, unit: "s",
               shown: fmtSeconds(pageXLSXSeconds), ceiling: xlsxExport.seconds, ceilingShown: fmtSeconds(xlsxExport.seconds) + " CLI",
               ratio: pageXLSXSeconds / max(xlsxExport.seconds, 1e-6), target: "", met: nil,
               note: "\(pageXLSX.bodyBytes / 1024) KiB read to the end over loopback (chunked)"),
        Figure(section: "Operator", measure: "page /export/people.xlsx, hub peak RSS", value: Double(pageXLSXRSS), unit: "bytes",
               shown: fmtMB(pageXLSXRSS), ceiling: nil, ceilingShown: "", ratio: nil, target: "< 150 MB" + scale,
               met: c.quick ? nil : pageXLSXRSS < 150 << 20, note: "VmHWM of `hamlet hub serve` after the CSV and the xlsx downloads"),
        Figure(section: "Operator", measure: "conflict page, first (\(openConflicts) open)", value: firstPage, unit: "s", shown: fmtMillis(firstPage),
               ceiling: nil, ceilingShown: "", ratio: nil, target: "< 100 ms", met: c.quick ? nil : firstPage < 0.1,
               note: "GET / (the conflict list), whole response, median of 3; \(c.operatorConflicts) field conflicts made through HubStore.reconcile"),
        Figure(section: "Operator", measure: "conflict page, deep (after #\(deepAfter))", value: deepPage, unit: "s", shown: fmtMillis(deepPage),
               ceiling: firstPage, ceilingShown: fmtMillis(firstPage) + " first", ratio: deepPage / max(firstPage, 1e-6),
               target: "< 100 ms", met: c.quick ? nil : deepPage < 0.1, note: "GET /?after=<the 51st-newest open conflict>, median of 3"),
        Figure(section: "Operator", measure: "idle sync with verify, \(villageRows)-row village", value: verifyMedian, unit: "s",
               shown: fmtMillis(verifyMedian), ceiling: plainMedian, ceilingShown: fmtMillis(plainMedian) + " --no-verify",
               ratio: verifyMedian / max(plainMedian, 1e-6), target: "", met: nil,
               note: "whole `hamlet sync` processes, median of \(c.operatorSyncRuns) each, after a first sync of \(fmtSeconds(first.seconds))"),
        Figure(section: "Operator", measure: "verify's cost in an idle sync", value: verifyCost, unit: "s", shown: fmtMillis(verifyCost),
               ceiling: nil, ceilingShown: "", ratio: nil, target: "< 30 ms" + (c.quick ? " (at 12k rows)" : ""), met: c.quick ? nil : verifyCost < 0.03,
               note: "median with verify − median without (both sides' digests); hub VmHWM after all: \(fmtMB(syncRSS))"),
    ] + perRow
}
