import Foundation

/// Pinyin sort keys for Chinese names, from ICU's `Han-Latin/Names` transform,
/// which reads surnames with several readings as surnames (曾 zēng, 单 shàn,
/// 解 xiè, 仇 qiú, 区 ōu, 查 zhā, 盖 gě, 尉迟 yù chí). Two surnames ICU still
/// reads as common words are corrected here (朴 piáo, 缪 miào). SQLite has no
/// ICU here, so the hub stores the key in a column (`_sort`) and sorts by it.
public enum Pinyin {
    /// Surname readings ICU's name transform gets wrong.
    static let surnameOverrides: [Character: String] = ["朴": "piáo", "缪": "miào"]

    /// The reading with tones (`张丽` → `zhāng lì`), surnames read as surnames.
    public static func reading(_ name: String) -> String {
        guard let first = name.first else { return "" }
        let latin = { (s: String) in s.applyingTransform(StringTransform("Han-Latin/Names"), reverse: false) ?? s }
        if let surname = surnameOverrides[first] {
            let rest = String(name.dropFirst())
            return rest.isEmpty ? surname : surname + " " + latin(rest)
        }
        return latin(name)
    }

    /// The name in toneless lowercase pinyin, then the original text (so equal
    /// readings still order stably). Sorting by it gives pinyin order.
    public static func sortKey(_ name: String) -> String {
        let r = reading(name)
        let plain = r.applyingTransform(.stripDiacritics, reverse: false) ?? r
        return plain.lowercased() + "\u{1}" + name
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
