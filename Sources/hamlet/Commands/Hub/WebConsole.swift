import HamletCLI
import HamletHub
import HamletNet

/// The operator web page served by `hamlet hub serve` (see `OperatorConsole` in HamletHub).
enum WebConsole {
    static let isAvailable = true

    /// The operator page for the hub folder, with the operator token (nil on loopback) and the
    /// CLI's language (`--lang`, then LC_ALL / LC_MESSAGES / LANG / LANGUAGE) as the page's default.
    static func make(directory: String, token: String?, language: Language) -> OperatorConsole {
        OperatorConsole(configuration: OperatorConsole.Configuration(
            directory: directory, token: token, language: language == .zh ? .zh : .en))
    }
}
