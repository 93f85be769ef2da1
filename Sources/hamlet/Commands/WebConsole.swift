import HamletCLI
import HamletNet

/// Hook for the operator web page (filled in when the page exists).
enum WebConsole {
    static let isAvailable = false
    static func factory(directory: String, token: String?, language: Language) -> (@Sendable (Connection) -> any ConnectionHandler)? { nil }
}
