import Foundation
import HamletCore

/// Pinyin sort keys for Chinese names, from ICU's `Han-Latin/Names` transform,
/// which reads most surnames with several readings as surnames (曾 zēng,
/// 单 shàn, 解 xiè, 仇 qiú, 区 ōu, 查 zhā, 盖 gě, 尉迟 yù chí). The surnames
/// ICU still reads as common words are corrected here, from the 现代汉语词典
/// surname readings. SQLite has no ICU here, so the hub stores the key in a
/// column (`_sort`) and sorts by it.
public enum Pinyin {
    /// Single-character surname readings ICU's name transform gets wrong.
    static let surnameOverrides: [Character: String] = [
        "朴": "piáo", "缪": "miào", "薄": "bó", "尉": "wèi", "藏": "zàng", "黑": "hè", "能": "nài", "行": "háng",
        "句": "gōu", "都": "dū", "乜": "niè", "莘": "shēn", "祭": "zhài", "洗": "xiǎn", "牟": "móu", "占": "zhān",
        "訾": "zī",
    ]

    /// Two-character surnames read whole, checked before the single ones:
    /// 单于 is not 单 (shàn) 于, and 尉迟 keeps yù although 尉 alone is wèi.
    static let compoundSurnames: [String: String] = [
        "单于": "chán yú", "尉迟": "yù chí", "拓跋": "tuò bá", "万俟": "mò qí",
    ]

    /// Bumped whenever readings or the key layout change: hub sort keys stored
    /// under another version are recomputed (see `dropStaleSortKeys`).
    static let keyVersion = "2"

    /// The reading with tones (`张丽` → `zhāng lì`), surnames read as surnames.
    public static func reading(_ name: String) -> String {
        guard let first = name.first else { return "" }
        let latin = { (s: String) in s.applyingTransform(StringTransform("Han-Latin/Names"), reverse: false) ?? s }
        let two = String(name.prefix(2))
        if two.count == 2, let surname = compoundSurnames[two] {
            let rest = String(name.dropFirst(2))
            return rest.isEmpty ? surname : surname + " " + givenName(rest, latin)
        }
        if let surname = surnameOverrides[first] {
            let rest = String(name.dropFirst())
            return rest.isEmpty ? surname : surname + " " + givenName(rest, latin)
        }
        return latin(name)
    }

    /// A given name alone: the name transform would read its first character
    /// as a surname (单 as shàn in 王单), so the plain transform reads it.
    private static func givenName(_ rest: String, _ latin: (String) -> String) -> String {
        rest.applyingTransform(.mandarinToLatin, reverse: false) ?? latin(rest)
    }

    /// The name as a sort key: each syllable toneless and lowercase, ended by
    /// U+0001, or by U+0002 when it has ü; then U+0000 and the name itself (so
    /// equal readings still order stably). Comparing keys gives pinyin order:
    /// syllable by syllable, so every 卢 (lu) comes before every 吕 (lü) and
    /// 吕 before 栾 (luan); ü sorts after u (lu, lü, luan, lüe, lun).
    public static func sortKey(_ name: String) -> String {
        var key = ""
        for syllable in reading(name).split(whereSeparator: { $0 == " " }) {
            var plain = ""
            var umlaut = false
            for scalar in String(syllable).decomposedStringWithCanonicalMapping.unicodeScalars {
                switch scalar.value {
                case 0x0300...0x036F where scalar.value == 0x0308:
                    umlaut = true
                case 0x0300...0x036F:
                    continue
                default:
                    plain.unicodeScalars.append(scalar)
                }
            }
            key += plain.lowercased() + (umlaut ? "\u{2}" : "\u{1}")
        }
        return key + "\u{0}" + name
    }
}

/// A bounded memo of sort keys (the ICU transform costs ~25 µs; names repeat).
struct SortKeyCache {
    private var keys: [String: String] = [:]

    mutating func key(_ name: String) -> String {
        if let k = keys[name] { return k }
        if keys.count > 50_000 { keys.removeAll(keepingCapacity: true) }
        let k = Pinyin.sortKey(name)
        keys[name] = k
        return k
    }
}

extension HubStore {
    /// Clears a table's stored sort keys when they were made under another
    /// ``Pinyin/keyVersion``, so `fillSortKeys` recomputes them (old keys
    /// would sort 薄 as báo and mix 吕 among 卢).
    func dropStaleSortKeys(_ t: TableSchema) throws {
        let key = "sort_keys.\(t.name)"
        guard try meta(key) != Pinyin.keyVersion else { return }
        try connection.transaction {
            try connection.run("UPDATE \(SchemaSQL.quote(t.name)) SET \"_sort\" = NULL")
            try connection.setMeta(key, Pinyin.keyVersion)
        }
    }
}
