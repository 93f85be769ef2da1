import Foundation

/// Pinyin sort keys for Chinese names, from ICU's `Han-Latin/Names` transform,
/// which reads surnames with several readings as surnames (曾 zēng, 单 shàn,
/// 解 xiè, 仇 qiú, 朴 piáo, 区 ōu, 查 zhā). SQLite has no ICU here, so the hub
/// stores the key in a column (`_sort`) and sorts by it.
public enum Pinyin {
    /// The name in toneless lowercase pinyin, syllables separated by spaces,
    /// followed by the original text (so equal readings still order stably).
    public static func sortKey(_ name: String) -> String {
        let latin = name.applyingTransform(StringTransform("Han-Latin/Names"), reverse: false) ?? name
        let plain = latin.applyingTransform(.stripDiacritics, reverse: false) ?? latin
        return plain.lowercased() + "\u{1}" + name
    }

    /// The reading with tones, for display (`张丽` → `zhāng lì`).
    public static func reading(_ name: String) -> String {
        name.applyingTransform(StringTransform("Han-Latin/Names"), reverse: false) ?? name
    }
}
