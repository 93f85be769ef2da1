// swift-tools-version:6.0
// Hamlet: offline-first sync of village registers. No package dependencies:
// the toolchain's own modules and the system SQLite only.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Hamlet",
    products: [
        .executable(name: "hamlet", targets: ["hamlet"]),
        .executable(name: "hamlet-bench", targets: ["hamlet-bench"]),
    ],
    targets: [
        // System SQLite (libsqlite3-dev) with a shim for what Swift cannot import.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // <sys/epoll.h>, which `import Glibc` does not expose.
        .systemLibrary(name: "CEpoll"),
        // SHA-256 and HMAC-SHA256: pure, stdlib only.
        .target(name: "HamletCrypto", swiftSettings: swiftSettings),
        // Schema, validation, ids, clocks, changes, merge, CSV, seeds: pure, no I/O.
        .target(
            name: "HamletCore",
            dependencies: ["HamletCrypto"],
            resources: [.embedInCode("Resources/register-schema.json"), .embedInCode("Resources/register-schema-v1.json"),
                        .embedInCode("Resources/check-rules.json"),
                        .embedInCode("Resources/gb18030.deflate")],
            swiftSettings: swiftSettings
        ),
        // Wire messages, error codes, line framing, codec, session state machine.
        .target(name: "HamletProtocol", dependencies: ["HamletCore", "HamletCrypto"], swiftSettings: swiftSettings),
        // Our SQLite layer, the replica store and the hub store.
        .target(name: "HamletStore", dependencies: ["CSQLite", "HamletCore"], swiftSettings: swiftSettings),
        // POSIX sockets, an epoll event loop, deadlines.
        .target(name: "HamletNet", dependencies: ["CEpoll"], swiftSettings: swiftSettings),
        // A pure, size-capped HTTP/1.1 request parser and response encoder.
        .target(name: "HamletHTTP", swiftSettings: swiftSettings),
        // The node's sync client.
        .target(
            name: "HamletNode",
            dependencies: ["HamletCore", "HamletProtocol", "HamletStore", "HamletNet", "HamletCrypto"],
            swiftSettings: swiftSettings
        ),
        // The hub server: sessions, reconcile queue, operator page.
        .target(
            name: "HamletHub",
            dependencies: ["HamletCore", "HamletProtocol", "HamletStore", "HamletNet", "HamletHTTP", "HamletCrypto"],
            swiftSettings: swiftSettings
        ),
        // Command tree, argument parsing, help, width-aware tables, messages, exit codes.
        .target(name: "HamletCLI", swiftSettings: swiftSettings),
        // The `hamlet` executable: wiring, signals, the only exit().
        .executableTarget(
            name: "hamlet",
            dependencies: ["HamletCLI", "HamletCore", "HamletStore", "HamletProtocol", "HamletNode", "HamletHub", "HamletNet", "HamletCrypto"],
            swiftSettings: swiftSettings
        ),
        // SQLite's session extension, for the benchmark's changeset-apply peer.
        .systemLibrary(name: "CSQLiteSession"),
        // `scripts/bench`: figures beside the raw SQLite ceiling, release build.
        .executableTarget(
            name: "hamlet-bench",
            dependencies: ["CSQLiteSession", "HamletCore", "HamletStore", "HamletProtocol", "HamletNode", "HamletHub", "HamletNet", "HamletCrypto"],
            swiftSettings: swiftSettings
        ),
        .target(name: "HamletTestSupport", dependencies: ["HamletCore", "HamletStore"], path: "Tests/HamletTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "HamletCryptoTests", dependencies: ["HamletCrypto"], swiftSettings: swiftSettings),
        .testTarget(name: "HamletCoreTests", dependencies: ["HamletCore", "HamletTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "HamletProtocolTests", dependencies: ["HamletProtocol", "HamletCore", "HamletTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "HamletStoreTests", dependencies: ["HamletStore", "HamletCore", "HamletTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "HamletNetTests", dependencies: ["HamletNet"], swiftSettings: swiftSettings),
        .testTarget(name: "HamletHTTPTests", dependencies: ["HamletHTTP"], swiftSettings: swiftSettings),
        .testTarget(name: "HamletCLITests", dependencies: ["HamletCLI"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HamletHubTests",
            dependencies: ["HamletHub", "HamletProtocol", "HamletStore", "HamletNet", "HamletCore", "HamletCrypto", "HamletTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HamletIntegrationTests",
            dependencies: ["hamlet", "HamletCore", "HamletStore", "HamletProtocol", "HamletNode", "HamletHub", "HamletNet", "HamletCrypto", "HamletTestSupport"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
