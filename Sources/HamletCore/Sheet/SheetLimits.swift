/// What an xlsx file may unpack to before it is refused: the defence against zip bombs
/// and files far too large to be a village register.
public struct SheetLimits: Sendable, Equatable {
    /// Most members in the ZIP archive.
    public var maxEntries = 10_000
    /// Most bytes one part (a sheet's XML, the shared strings) may unpack to.
    public var maxEntryBytes = 256 << 20
    /// Most bytes all the parts read may unpack to together.
    public var maxTotalBytes = 512 << 20
    /// Most rows of a sheet (xlsx's own limit).
    public var maxRows = 1_048_576
    /// Most columns of a sheet (xlsx's own limit, XFD).
    public var maxColumns = 16_384
    /// Most cells read (non-blank cells, and rows × header width).
    public var maxCells = 20_000_000

    /// The default limits.
    public init() {}
}
