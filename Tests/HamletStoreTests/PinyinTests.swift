import Testing
@testable import HamletStore

@Suite struct PinyinTests {
    @Test(arguments: [("曾国藩", "zeng"), ("单田芳", "shan"), ("解缙", "xie"), ("仇英", "qiu"), ("朴树", "piao"),
                      ("区伟", "ou"), ("查良镛", "zha"), ("缪斯", "miao"), ("张丽", "zhang")])
    func surnamesReadAsSurnames(name: String, surname: String) {
        #expect(Pinyin.sortKey(name).hasPrefix(surname + " "))
    }

    @Test func namesSortInPinyinOrder() {
        let names = ["张丽", "安娜", "曾国藩", "李娜", "王芳", "单田芳", "赵敏"]
        let sorted = names.sorted { Pinyin.sortKey($0) < Pinyin.sortKey($1) }
        #expect(sorted == ["安娜", "李娜", "单田芳", "王芳", "曾国藩", "张丽", "赵敏"])
    }
}
