import HamletCLI
import Testing

@Suite struct TableTests {
    /// The cell offset at which `needle` first appears in `line`.
    func cellOffset(of needle: String, in line: Substring) -> Int? {
        guard let range = line.firstRange(of: needle) else { return nil }
        return TextWidth.cells(line[..<range.lowerBound])
    }

    let mixed = Table(
        columns: [
            .init(header: "姓名"), .init(header: "Village"), .init(header: "身份证号"),
            .init(header: "Amount", alignment: .right),
        ],
        rows: [
            ["张丽", "北赵村三组12号", "110101199003070023", "1200"],
            ["Zha\u{0304}ng Wei", "Nanzhuang", "11010119900307002X", "35"],
            ["欧阳娜娜", "东村", "", "7"],
            ["Li", "Dōngcūn 东村", "110101199003070023", "100000"],
        ]
    )

    @Test func everyLineSameWidthAndColumnsAligned() throws {
        let text = mixed.render()
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2 + mixed.rows.count)
        let widths = lines.map { TextWidth.cells($0) }
        #expect(Set(widths).count == 1, "line widths \(widths)")
        // Column widths: 9 ("Zhāng Wei"), 14 ("北赵村三组12号"), 18, 6 ("Amount").
        #expect(widths[0] == 9 + 2 + 14 + 2 + 18 + 2 + 6)
        let starts = [0, 11, 27, 47]
        let header = lines[0]
        for (column, start) in zip(mixed.columns.dropLast(), starts) {
            #expect(cellOffset(of: column.header, in: header) == start)
        }
        for (row, line) in zip(mixed.rows, lines.dropFirst(2)) {
            // Left-aligned columns start at the same cell offset on every line…
            for (index, start) in starts.dropLast().enumerated() where !row[index].isEmpty {
                #expect(cellOffset(of: row[index], in: line) == start, "\(row[index]) in \(line)")
            }
            // …and the right-aligned amount ends at the right edge.
            let amount = try #require(row.last)
            let offset = try #require(cellOffset(of: amount, in: line))
            #expect(offset + TextWidth.cells(amount) == widths[0])
            #expect(line.hasSuffix(amount))
        }
        #expect(lines[1] == "---------  --------------  ------------------  ------")
    }

    @Test func exactRendering() {
        let table = Table(
            columns: [.init(header: "姓名"), .init(header: "村"), .init(header: "金额", alignment: .right)],
            rows: [["张丽", "北赵村", "12.50"], ["Zhāng", "Nan", "300.00"]]
        )
        #expect(table.render() == """
            姓名   村        金额
            -----  ------  ------
            张丽   北赵村   12.50
            Zhāng  Nan     300.00

            """)
    }

    @Test func noTrailingSpacesWithLeftLastColumn() {
        let table = Table(
            columns: [.init(header: "No."), .init(header: "姓名")],
            rows: [["1", "张丽"], ["2", "欧阳娜娜"], ["3", "Li"]]
        )
        let lines = table.render().split(separator: "\n")
        for line in lines {
            #expect(!line.hasSuffix(" "))
        }
        // The names start at cell 5 on every line, whatever their width.
        for (name, line) in zip(["姓名", "  -", "张丽", "欧阳娜娜", "Li"], lines) {
            let name = name.hasPrefix(" ") ? "-" : name
            let line = name == "-" ? line.dropFirst(3) : line
            let base = name == "-" ? 3 : 0
            #expect(cellOffset(of: name, in: line).map { $0 + base } == 5)
        }
        #expect(TextWidth.cells(lines[3]) == 5 + 8)
        #expect(TextWidth.cells(lines[4]) == 5 + 2)
    }

    @Test func maxCellsCutsWithEllipsis() {
        let table = Table(columns: [.init(header: "地址", maxCells: 8), .init(header: "x")], rows: [["北赵村三组12号", "y"]])
        let lines = table.render().split(separator: "\n")
        #expect(lines[2] == "北赵村…   y") // 7 cells padded to 8
    }

    @Test(arguments: [20, 30, 40, 56])
    func maxWidthShrinksWidestFirst(_ maxWidth: Int) throws {
        let text = mixed.render(maxWidth: maxWidth)
        let lines = text.split(separator: "\n")
        let widths = Set(lines.map { TextWidth.cells($0) })
        #expect(widths.count == 1)
        #expect(try #require(widths.first) <= maxWidth)
    }

    @Test func shrinkingTakesFromTheWidestColumn() {
        let table = Table(
            columns: [.init(header: "a"), .init(header: "b")],
            rows: [["1234", "一二三四五六七八九十"]]
        )
        #expect(table.render(maxWidth: 16) == "a     b\n----  ----------\n1234  一二三四…\n")
    }

    @Test func fixedColumnsKeepTheirWidthWhileOthersShrink() {
        // The 身份证号 is wider than the address but only the address gives up cells.
        let table = Table(columns: [Table.Column(header: "id", shrinks: false), Table.Column(header: "地址")],
                          rows: [["370481199003021224", "北赵村三组12号"]])
        #expect(table.render(maxWidth: 28) == "id                  地址\n------------------  --------\n370481199003021224  北赵村…\n")
        // When the others are down to one cell, the fixed ones give way too.
        let narrow = table.render(maxWidth: 10)
        #expect(narrow.split(separator: "\n").allSatisfy { TextWidth.cells($0) <= 10 })
    }

    @Test func controlCharactersInCells() {
        let table = Table(columns: [.init(header: "备注")], rows: [["第一行\n第二行\t完"]])
        #expect(table.render().split(separator: "\n")[2] == "第一行 第二行 完")
    }

    @Test func boxDrawingRuleAndShortRows() {
        let table = Table(columns: [.init(header: "ab"), .init(header: "c")], rows: [["x"]], rule: .boxDrawing)
        #expect(table.render() == "ab  c\n──  ─\nx\n")
    }

    @Test func keyValueListAlignsCJKKeys() {
        let list = KeyValueList(pairs: [
            ("姓名", "张丽"), ("身份证号", "110101199003070023"), ("Village", "北赵村"), ("备注", ""),
        ])
        #expect(list.render() == """
            姓名      张丽
            身份证号  110101199003070023
            Village   北赵村
            备注

            """)
    }

    @Test func keyValueListWrapsValues() {
        let list = KeyValueList([.init("地址", "北赵村三组12号北赵村三组12号"), .init("note", "a\nb")])
        let text = list.render(maxWidth: 20)
        #expect(text == "地址  北赵村三组12号\n      北赵村三组12号\nnote  a\n      b\n")
        for line in text.split(separator: "\n") {
            #expect(TextWidth.cells(line) <= 20)
        }
    }
}
