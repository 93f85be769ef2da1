import Foundation
import Testing
@testable import HamletStore

/// The memoised sort keys a bulk fill uses (issue 20, item 3) are exactly `Pinyin.sortKey`'s: compound and corrected
/// surnames, polyphonic given-name characters, names with other characters, one to four characters.
@Suite struct SortKeyCacheTests {
    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解仇区查盖朴薄尉能行长乐重").map(String.init)
        + ["诸葛", "令狐", "长孙", "澹台", "欧阳", "司马", "上官", "皇甫", "夏侯", "单于", "尉迟", "万俟", "拓跋"]
    static let given = Array("秀英丽娜敏静伟芳强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉珍红梅建国文斌辉鹏飞宇浩然子涵欣怡长重行乐朝单解仇区查盖薄都句能曾省藏和")

    @Test func aGivenNameIsReadCharacterByCharacterNotAsAWord() {
        // ICU reads the word 藏文 as zàng wén; in a name 藏 keeps the reading it has after the surname.
        #expect(Pinyin.reading("郝藏文") == Pinyin.reading("郝藏") + " wén")
        #expect(Pinyin.reading("诸葛亮") == "zhū gě liàng" && Pinyin.reading("令狐冲") == "líng hú chōng")
        #expect(Pinyin.reading("长孙无忌") == "zhǎng sūn wú jì" && Pinyin.reading("单田芳") == "shàn tián fāng")
    }

    @Test func keysAreExactlyPinyinSortKeysForEveryKindOfName() {
        var rng = SystemRandomNumberGenerator()
        var names = ["王", "曾", "单", "𠀀明", "王𠀀", "Anna", "阿依古丽·买买提", "王 丽", "张丽2", "李", "诸葛亮", "令狐冲", "长孙无忌", ""]
        for _ in 0..<3_000 {
            var n = Self.surnames.randomElement(using: &rng) ?? "王"
            for _ in 0..<Int.random(in: 0...3, using: &rng) { n.append(Self.given.randomElement(using: &rng) ?? "丽") }
            names.append(n)
        }
        var cache = SortKeyCache()
        for name in names + names.shuffled(using: &rng) {  // the second pass is served from the memos
            #expect(cache.key(name) == Pinyin.sortKey(name), "\(name): \(cache.reading(name)) vs \(Pinyin.reading(name))")
        }
    }
}
