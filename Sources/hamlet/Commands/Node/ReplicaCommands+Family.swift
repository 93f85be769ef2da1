import HamletCLI
import HamletCore
import HamletStore

/// Mothers and children on the clerk's screen: 孩次 in `show person`, and the
/// pregnancy a recorded birth closed in `add person`.
extension ReplicaCommands {
    /// A person's 孩次 and, for a woman, her children, derived from the replica's rows.
    struct Family {
        /// This person's own 孩次 among the mother's children (nil without a mother).
        var own: BirthOrder?
        /// How many children the mother has in this register.
        var siblings = 0
        /// The mother's id, when she is not in this replica (孩次 then counts only the children here).
        var motherElsewhere: String?
        /// A woman's children, first-born first, with their rows (nil for a man).
        var children: [(order: BirthOrder, values: Fields)]?

        /// Reads what 孩次 needs: the mother's children and the person's own. The reads
        /// throw, so a failed read is an error, never a wrong 孩次.
        init(_ r: Replica, person id: String, values: Fields) throws {
            if let mother = values["mother"]?.text {
                let siblings = try ReplicaCommands.children(r, of: mother)
                own = BirthOrder.of(siblings.map { BirthOrder.Child(id: $0.0, birthDate: $0.1["birth_date"]?.text ?? "") })
                    .first { $0.id == id }
                self.siblings = siblings.count
                if let people = r.schema.table(named: "people"), try r.visibleRow(people, id: mother) == nil {
                    motherElsewhere = mother
                }
            }
            if values["sex"]?.text == "F" {
                let rows = try ReplicaCommands.children(r, of: id)
                let byID = Dictionary(rows, uniquingKeysWith: { a, _ in a })
                children = BirthOrder.of(rows.map { BirthOrder.Child(id: $0.0, birthDate: $0.1["birth_date"]?.text ?? "") })
                    .map { ($0, byID[$0.id] ?? [:]) }
            }
        }
    }

    /// The live people of this replica whose mother is `mother`.
    static func children(_ r: Replica, of mother: String) throws -> [(String, Fields)] {
        try r.list(table: "people", filters: [("mother", .text(mother))], limit: Int.max)
    }

    /// `show person`'s 孩次 lines and children table, after the fields.
    static func printFamily(_ f: Family, _ c: Context, _ r: Replica, _ t: TableSchema, motherLabel: String?) {
        if let own = f.own {
            let mother = motherLabel ?? ""
            Output.out(c.t("\n孩次：\(own.label(chinese: true))；母亲 \(mother) 的第 \(own.order) 个孩子，共 \(f.siblings) 个\n",
                           "\nBirth order: \(own.label(chinese: false)); child \(own.order) of \(f.siblings) of mother \(mother)\n"))
            if f.motherElsewhere != nil {
                Output.out(c.t("  母亲不在本村台账，孩次只按本村登记的子女推算\n",
                               "  the mother is not in this village's register: only the children registered here are counted\n"))
            }
        }
        guard let children = f.children, !children.isEmpty else { return }
        Output.out(c.t("\n子女（按出生日期排列，孩次由台账推算，不用录入）：\n",
                       "\nChildren (by birth date; birth order is derived from the register, never typed in):\n"))
        let sex = t.field("sex")
        var table = Table(columns: [Table.Column(header: c.t("孩次", "order")), Table.Column(header: c.t("姓名", "name")),
                                    Table.Column(header: c.t("性别", "sex")), Table.Column(header: c.t("出生日期", "birth date"), shrinks: false),
                                    Table.Column(header: c.t("编号", "id"), shrinks: false)])
        let shorts = ShortID.unique(children.map(\.order.id))
        table.rows = children.map { child in
            let s = child.values["sex"]?.text ?? ""
            let sexLabel = c.flag(CommandTree.codes) ? s : (sex.map { c.chinese ? $0.label(ofValue: s).zh : $0.label(ofValue: s).en } ?? s)
            return [child.order.label(chinese: c.chinese), child.values["name"]?.text ?? "", sexLabel, child.order.birthDate,
                    c.flag(CommandTree.codes) ? child.order.id : shorts[child.order.id] ?? child.order.id]
        }
        Output.out(table.render(maxWidth: max(c.width, 60)))
    }

    /// A refused write whose issues name a referenced row (a mother too young) by the row's
    /// label, 侯娟 *7269, rather than the id the clerk never typed.
    static func labellingReferences(_ r: Replica, _ t: TableSchema, _ write: () throws -> LocalWrite) throws -> LocalWrite {
        do {
            return try write()
        } catch var e as ReplicaError where e.code == .invalid {
            for (i, issue) in e.issues.enumerated() {
                guard let id = issue.value, RowID.isValid(id),
                      let target = t.field(issue.field)?.references.flatMap({ r.schema.table(named: $0) }) else { continue }
                // Only wording: when the label cannot be read, the id stays.
                do {
                    if let label = try r.rowLabels(target, ids: [id])[id] { e.issues[i].value = label }
                } catch {}
            }
            throw e
        }
    }

    /// After `add person`: on stderr (stdout keeps just the new id), the pregnancy the birth closed.
    /// The write has committed by then, so a failed read of the mother's label only shortens the note.
    static func noteClosedPregnancy(_ w: LocalWrite, _ c: Context, _ r: Replica, mother: String?, child: String) {
        guard let closed = w.closedPregnancy else { return }
        var name = mother.map { "#" + ShortID.of($0) } ?? ""
        if let mother, let people = r.schema.table(named: "people") {
            do { name = try r.rowLabels(people, ids: [mother])[mother] ?? name } catch {}
        }
        let ended = closed.values["ended_on"]?.text ?? ""
        Output.err(c.t("已把 \(name) 的孕情 *\(ShortID.of(closed.id)) 记为已生育：孩子 \(child)，结束日期 \(ended)（修改 #\(closed.seq) 待上传）\n",
                       "closed \(name)'s pregnancy *\(ShortID.of(closed.id)) as born: child \(child), ended on \(ended) (change #\(closed.seq) pending)\n"))
    }
}

/// `--json` shape of a person's 孩次 in `show`.
struct BirthOrderJSON: Encodable {
    var id: String
    var birthDate: String
    var order: Int
    var category: String
    var multipleBirth: Bool
    var of: Int?
    var name: String?
    var sex: String?

    init(_ o: BirthOrder, of count: Int? = nil, values: Fields? = nil) {
        id = o.id
        birthDate = o.birthDate
        order = o.order
        category = o.category.rawValue
        multipleBirth = o.isMultipleBirth
        of = count
        name = values?["name"]?.text
        sex = values?["sex"]?.text
    }

    enum CodingKeys: String, CodingKey {
        case id, order, category, of, name, sex
        case birthDate = "birth_date"
        case multipleBirth = "multiple_birth"
    }
}
