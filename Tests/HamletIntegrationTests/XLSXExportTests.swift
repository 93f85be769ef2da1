import Foundation
import HamletCore
import HamletStore
import HamletTestSupport
import Testing

// `hamlet hub export --format xlsx` (issue 11, item 3): what a spreadsheet program does to the
// file must not touch a national ID, a phone's leading 0 or the Chinese; and the CSV export
// must never hand a spreadsheet a formula.

/// A hub with 北赵's people as township offices have them: IDs ending in X, landlines with a
/// leading 0, rare surnames, and addresses a spreadsheet would read as formulas.
private struct ExportScene {
    let dir: TempDir
    /// What the hub holds, by row id: field name → value.
    var people: [String: [String: String]] = [:]

    static let formulaAddresses = ["=HYPERLINK(\"http://example.com\",\"点我\")", "-3号院", "+86 北赵", "@北赵", "=1+1", "北赵村, 三组 \"老屋\"\n二号院"]
    static let names = ["王秀英", "吕淼", "单于燕", "欧阳娜娜", "薄一", "尉迟恭", "乜小红", "张丽", "李娜", "赵六"]

    /// - Parameter count: how many people (40 by default; a large one checks the streamed writer past its first
    ///   flushes). Every seventh person past the first few has a formula-looking address too.
    init(count: Int = 40) throws {
        dir = TempDir("xlsx-export")
        let store = try HubStore.create(directory: dir.path)
        let now = wallMillisNow()
        try store.addNode(id: "bz", village: "北赵", secretHash: String(repeating: "0", count: 64), wallMillis: now)
        var rng = SystemRandomNumberGenerator()
        var changes: [Change] = []
        var sequence = 1
        for k in 0..<count {
            guard let birth = CalendarDate(year: 1950 + k % 60, month: 1 + k % 12, day: 1 + k % 28) else { throw ProcessRunnerError("date") }
            // Every third person's ID ends in X, the digit a spreadsheet cannot even hold as a number.
            // The 17th digit is odd for a man: people alternate F, M.
            var id = NationalID.make(region: 370481, birth: birth, sequence: sequence)
            while (k % 3 == 0) != id.hasSuffix("X") || (sequence % 2 == 1) != (k % 2 == 1) {
                sequence += 1
                id = NationalID.make(region: 370481, birth: birth, sequence: sequence)
            }
            sequence += 1
            var values: [String: String] = [
                "village": "北赵", "name": ExportScene.names[k % ExportScene.names.count] + (k < 10 ? "" : String(k)),
                "sex": k % 2 == 0 ? "F" : "M", "birth_date": birth.description, "national_id": id,
                "phone": k % 2 == 0 ? "0537" + String(1_000_000 + k) : "138" + String(10_000_000 + k),
            ]
            if k < ExportScene.formulaAddresses.count || k % 7 == 0 {
                values["current_address"] = ExportScene.formulaAddresses[k % ExportScene.formulaAddresses.count]
            }
            if k % 4 == 1 { values["marital_status"] = "married" }
            let row = RowID.make(unixMillis: now, using: &rng)
            people[row] = values
            changes.append(Change(node: "bz", seq: Int64(k + 1), table: "people", row: row, op: .put,
                                  values: values.mapValues { .text($0) }, bases: values.mapValues { _ in 0 }, rowBase: 0,
                                  hlc: HLC(wall: now + Int64(k), counter: 0, node: "bz"), author: "村专干王芳", epoch: ""))
        }
        for r in try store.reconcile(changes, from: BatchSource(node: "bz", village: "北赵"), wallMillis: now)
            where r.status.rawValue == "rejected" {
            throw ProcessRunnerError("rejected \(r.code ?? "") \(r.message ?? "")")
        }
    }

    /// The people as a sheet reads them: row id → header → value.
    static func byID(_ table: CSVTable) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for r in table.rows { out[r.fields["id"] ?? ""] = r.fields }
        return out
    }
}

/// LibreOffice's `soffice`, when installed (`scripts/test` installs libreoffice-calc where it can).
private enum LibreOffice {
    static let path: String? = ["/usr/bin/soffice", "/usr/local/bin/soffice", "/usr/lib/libreoffice/program/soffice"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}

@Suite("xlsx export", .serialized)
struct XLSXExportTests {
    @Test func xlsxExportReadsBackWithChineseHeadersAndEveryValue() throws {
        let scene = try ExportScene()
        defer { scene.dir.remove() }
        let r = try Hamlet.run(["hub", "export", "people", "--format", "xlsx", "--dir", scene.dir.path])
        #expect(r.status == 0, "\(r)")
        let bytes = [UInt8](r.stdoutData)
        #expect(bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]), "a ZIP file")
        let table = try SheetFile.read(bytes: bytes, name: "people.xlsx")
        #expect(table.header == ["id", "村", "户", "母亲", "父亲", "姓名", "性别", "出生日期", "身份证号", "婚姻状况", "居住状态", "电话", "现住址"])
        let labels = ["village": "村", "name": "姓名", "sex": "性别", "birth_date": "出生日期", "national_id": "身份证号",
                      "marital_status": "婚姻状况", "phone": "电话", "current_address": "现住址"]
        let read = ExportScene.byID(table)
        #expect(read.count == scene.people.count)
        for (id, values) in scene.people {
            for (field, label) in labels {
                #expect(read[id]?[label] == (values[field] ?? ""), "\(field) of \(id)")
            }
        }
        #expect(try Hamlet.run(["hub", "export", "people", "--format", "ods", "--dir", scene.dir.path]).status == 64)
    }

    @Test func csvExportNeutralisesFormulasReversibly() throws {
        let scene = try ExportScene()
        defer { scene.dir.remove() }
        let r = try Hamlet.run(["hub", "export", "people", "--dir", scene.dir.path])
        #expect(r.status == 0, "\(r)")
        let text = r.stdout
        #expect(text.contains("'=HYPERLINK(") && text.contains("'-3号院") && text.contains("'+86 北赵") && text.contains("'@北赵"))
        #expect(!text.contains(",=") && !text.contains(",-") && !text.contains(",+") && !text.contains(",@"), "no cell starts a formula")
        let table = try SheetFile.read(bytes: [UInt8](r.stdoutData), name: "people.csv")
        for (id, values) in scene.people {
            let row = ExportScene.byID(table)[id] ?? [:]
            for (field, value) in values { #expect(FormulaGuard.restored(row[field] ?? "") == value, "\(field) of \(id)") }
        }
    }

    /// The issue's test: export, let LibreOffice open and save the file, read it back. The large file checks the
    /// streamed form (inline strings, a deflated sheet past many flushes, sizes in data descriptors) the same way.
    @Test(.enabled(if: LibreOffice.path != nil, "LibreOffice (soffice) is not installed; scripts/test installs libreoffice-calc where it can"),
          arguments: [40, 6_000])
    func libreOfficeResaveKeepsEveryIDPhoneAndName(count: Int) throws {
        let scene = try ExportScene(count: count)
        defer { scene.dir.remove() }
        let work = TempDir("soffice")
        defer { work.remove() }
        let r = try Hamlet.run(["hub", "export", "people", "--format", "xlsx", "--dir", scene.dir.path])
        #expect(r.status == 0, "\(r)")
        try r.stdoutData.write(to: URL(fileURLWithPath: work.file("people.xlsx")))
        let out = work.file("saved")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(LibreOffice.path))
        p.arguments = ["--headless", "--norestore", "-env:UserInstallation=file://" + work.file("profile"),
                       "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", out, work.file("people.xlsx")]
        p.environment = ["HOME": work.path, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let started = ContinuousClock.now
        try p.run()
        while p.isRunning, ContinuousClock.now - started < .seconds(120) { Thread.sleep(forTimeInterval: 0.1) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        let saved = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/people.xlsx")))
        #expect(saved != [UInt8](r.stdoutData), "LibreOffice wrote its own file")
        let table = try SheetFile.read(bytes: saved, name: "people.xlsx")
        #expect(table.header.first == "id" && table.header.contains("身份证号"))
        let read = ExportScene.byID(table)
        #expect(read.count == scene.people.count)
        for (id, values) in scene.people {
            let row = read[id] ?? [:]
            #expect(row["身份证号"] == values["national_id"], "national ID of \(id)")
            #expect(row["电话"] == values["phone"], "phone of \(id), leading 0 included")
            #expect(row["姓名"] == values["name"], "name of \(id)")
            #expect(row["出生日期"] == values["birth_date"], "birth date of \(id)")
            #expect(row["现住址"] == values["current_address"] ?? "", "address of \(id)")
        }
    }
}
