import Testing
@testable import HamletCore

@Suite("CSV injection: FormulaGuard")
struct FormulaGuardTests {
    @Test(arguments: ["=1+1", "+8613800000000", "-5", "@SUM(A1)", "\tx", "\rx", "=", "'=x", "''-1"])
    func neutralisesFormulaStarts(cell: String) {
        #expect(FormulaGuard.neutralized(cell) == "'" + cell)
        #expect(FormulaGuard.restored(FormulaGuard.neutralized(cell)) == cell)
    }

    @Test(arguments: ["", "王秀英", "370481199001011234", "'abc", "'", "''", "a=b", " =1", "0537-1234567", "\n=1"])
    func leavesOtherCellsAlone(cell: String) {
        #expect(FormulaGuard.neutralized(cell) == cell)
        #expect(FormulaGuard.restored(cell) == cell)
    }

    @Test func restoreInvertsNeutraliseForAnyString() {
        let alphabet: [Character] = ["'", "=", "+", "-", "@", "\t", "\r", "a", "王", " ", "\r\n"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let s = String((0..<Int.random(in: 0...5, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "a" })
            #expect(FormulaGuard.restored(FormulaGuard.neutralized(s)) == s, "\(s.debugDescription)")
        }
        // A value that looks exported but was typed that way loses its quote only when a trigger follows.
        #expect(FormulaGuard.restored("'-5") == "-5" && FormulaGuard.restored("'5") == "'5")
    }
}
