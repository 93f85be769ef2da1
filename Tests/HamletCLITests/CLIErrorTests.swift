import HamletCLI
import Testing

@Suite struct CLIErrorTests {
    let error = CLIError(
        code: "invalid-national-id",
        exit: .invalidData,
        message: Localized(zh: "身份证号校验位不正确，请核对第18位", en: "The national ID check digit is wrong; check the 18th character"),
        hint: Localized(zh: "第18位是校验位，可以是数字或 X。", en: "The 18th character is a check digit: a digit or X.")
    )

    @Test func rendersChinese() {
        #expect(error.render(.zh) == "error[invalid-national-id]: 身份证号校验位不正确，请核对第18位\n提示：第18位是校验位，可以是数字或 X。\n")
    }

    @Test func rendersEnglish() {
        #expect(error.render(.en) == "error[invalid-national-id]: The national ID check digit is wrong; check the 18th character\nhint: The 18th character is a check digit: a digit or X.\n")
    }

    @Test func rendersWithoutHint() {
        let plain = CLIError(code: "hub-unreachable", exit: .temporaryFailure, message: Localized(zh: "连不上镇中心，请稍后重试", en: "Cannot reach the hub; try again later"))
        #expect(plain.render(.zh) == "error[hub-unreachable]: 连不上镇中心，请稍后重试\n")
    }

    @Test func exitCodesFollowSysexits() {
        let codes: [ExitCode: Int32] = [
            .ok: 0, .internalError: 1, .usage: 64, .invalidData: 65, .notFound: 66, .storage: 74,
            .temporaryFailure: 75, .refused: 77,
        ]
        for (code, value) in codes {
            #expect(code.rawValue == value)
        }
        #expect(ExitCode.allCases.count == codes.count)
        #expect(error.exit.rawValue == 65)
    }
}
