@testable import HamletCore

/// The `CSVError` a sheet operation throws, or nil when it succeeds (or throws something else).
func failure(_ body: () throws -> Void) -> CSVError? {
    do {
        try body()
        return nil
    } catch {
        return error as? CSVError
    }
}
