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
    static let keyVersion = "3"

    /// The reading with tones (`张丽` → `zhāng lì`), surnames read as surnames.
    ///
    /// A name of Han characters is read as its first two characters through the `Names` transform (which reads
    /// surnames, compound ones included: 令狐 líng hú, 长孙 zhǎng sūn), then each later character on its own, as a
    /// given-name character: a given name is not a word, so 郝藏文 is not read through the word 藏文. Reading
    /// character by character is also what lets `SortKeyCache` memoise readings (a bulk fill of a million names).
    public static func reading(_ name: String) -> String {
        guard name.allSatisfy(isHan), name.count > 2, surnameOverrides[name.first ?? " "] == nil,
              compoundSurnames[String(name.prefix(2))] == nil else { return wholeReading(name) }
        var out = wholeReading(String(name.prefix(2)))
        for c in name.dropFirst(2) {
            guard let syllable = laterReading(c) else { return wholeReading(name) }
            out += " " + syllable
        }
        return out
    }

    /// A character's reading after the first two: on its own, as a word (one syllable, or nil).
    static func laterReading(_ c: Character) -> String? {
        let r = String(c).applyingTransform(.mandarinToLatin, reverse: false) ?? ""
        return r.isEmpty || r.contains(" ") ? nil : r
    }

    /// One CJK unified ideograph (the basic block, extensions A to F, compatibility ideographs).
    static func isHan(_ c: Character) -> Bool {
        guard c.unicodeScalars.count == 1, let v = c.unicodeScalars.first?.value else { return false }
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2FA1F).contains(v)
            || (0xF900...0xFAFF).contains(v)
    }

    /// The name through the `Names` transform whole, with the surname corrections.
    private static func wholeReading(_ name: String) -> String {
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
        sortKey(name, reading: reading(name))
    }

    /// The sort key of a name whose reading is known (`reading(name)`).
    static func sortKey(_ name: String, reading: String) -> String {
        var key = ""
        for syllable in reading.split(whereSeparator: { $0 == " " }) {
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

/// Sort keys for many names at a fraction of the ICU cost (~36 µs a name in release): `Pinyin.reading` reads a name
/// of Han characters as its first two characters, then character by character, so both are memoised here (the
/// prefixes emptied past `maxPrefixes`, the characters bounded by the script). The keys are exactly
/// `Pinyin.sortKey`'s (tested); other names take `Pinyin.reading` whole.
struct SortKeyCache {
    private var prefixes: [String: String] = [:]
    private var later: [Character: String] = [:]
    static let maxPrefixes = 200_000

    mutating func key(_ name: String) -> String {
        Pinyin.sortKey(name, reading: reading(name))
    }

    /// What `Pinyin.reading(name)` gives.
    mutating func reading(_ name: String) -> String {
        guard !name.isEmpty, name.allSatisfy(Pinyin.isHan) else { return Pinyin.reading(name) }
        if name.count > 2, Pinyin.surnameOverrides[name.first ?? " "] != nil || Pinyin.compoundSurnames[String(name.prefix(2))] != nil {
            return Pinyin.reading(name)
        }
        let head = String(name.prefix(2))
        var out: String
        if let known = prefixes[head] { out = known } else {
            if prefixes.count >= SortKeyCache.maxPrefixes { prefixes.removeAll(keepingCapacity: true) }
            out = Pinyin.reading(head)
            prefixes[head] = out
        }
        for c in name.dropFirst(2) {
            if let known = later[c] { out += " " + known; continue }
            guard let syllable = Pinyin.laterReading(c) else { return Pinyin.reading(name) }
            later[c] = syllable
            out += " " + syllable
        }
        return out
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
