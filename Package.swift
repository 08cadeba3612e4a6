// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "facedrop",
    products: [
        .executable(name: "facedrop", targets: ["facedrop"]),
        .executable(name: "segmind-emulator", targets: ["segmind-emulator"]),
        .library(name: "SegmindAPI", targets: ["SegmindAPI"]),
        .library(name: "StrictJSON", targets: ["StrictJSON"]),
        .library(name: "SegmindCatalog", targets: ["SegmindCatalog"]),
        .library(name: "DaemonConfiguration", targets: ["DaemonConfiguration"]),
        .library(name: "SegmindEmulator", targets: ["SegmindEmulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.0"),
        // Exact: TOMLAssertionGuard knows the assertions of the toml++ 3.4.0 inside this release.
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Tests only: TestClock, a clock the tests move by hand.
        .package(url: "https://github.com/pointfreeco/swift-clocks", from: "1.1.1"),
    ],
    targets: [
        // MARK: C libraries, one wrapper target each.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CInotifyTools",
            providers: [.apt(["libinotifytools0-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CTurboJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]
        ),
        .systemLibrary(
            name: "CWebP",
            pkgConfig: "libwebp",
            providers: [.apt(["libwebp-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),

        // The Linux calls Swift's Glibc module does not show (renameat2, pthread_setname_np, openat).
        .target(name: "CLinux"),

        // MARK: Libraries.
        .target(name: "DedicatedThreads", dependencies: ["CLinux"]),
        .target(
            name: "FileSystem",
            dependencies: ["CLinux", .product(name: "SystemPackage", package: "swift-system")]
        ),
        .target(
            name: "CurlHTTP",
            dependencies: ["FileSystem", "CCurl", "DedicatedThreads"]
        ),
        .target(
            name: "Hashing",
            dependencies: ["CCrypto"]
        ),
        .target(
            name: "ImageFormats",
            dependencies: ["StrictJSON", "CZlib", "CTurboJPEG", "CWebP"]
        ),
        .target(
            name: "SegmindCatalog",
            dependencies: ["FileSystem", "StrictJSON"],
            resources: [.copy("Resources/models.json")]
        ),
        .target(name: "StrictJSON"),
        // The names of facedrop's metrics and the calls that record them, through swift-metrics' global API.
        .target(
            name: "ServiceMetrics",
            dependencies: [.product(name: "CoreMetrics", package: "swift-metrics")]
        ),
        // Prometheus text out of the recorded metrics: the node_exporter textfile and the `GET /metrics` endpoint.
        .target(
            name: "MetricsExporter",
            dependencies: [
                "FileSystem",
                "DedicatedThreads",
                "ServiceMetrics",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "SegmindAPI",
            dependencies: [
                "FileSystem",
                "StrictJSON",
                "CurlHTTP",
                "DedicatedThreads",
                "SegmindCatalog",
                "ServiceMetrics",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SegmindEmulator",
            dependencies: [
                "DedicatedThreads",
                "StrictJSON",
                "SegmindCatalog",
                "ImageFormats",
                "Hashing",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Outbox",
            dependencies: ["FileSystem", "StrictJSON", "Hashing"]
        ),
        .target(
            name: "DaemonConfiguration",
            dependencies: [
                "FileSystem",
                "StrictJSON",
                "SegmindCatalog",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),

        .target(
            name: "HotFolder",
            dependencies: [
                "DedicatedThreads",
                "FileSystem",
                "Hashing",
                "StrictJSON",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .target(
            name: "Journal",
            dependencies: ["FileSystem", "StrictJSON", "DedicatedThreads", .product(name: "GRDB", package: "GRDB.swift")]
        ),

        .target(
            name: "InboxWatcher",
            dependencies: [
                "FileSystem",
                "CInotifyTools",
                "DedicatedThreads",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .target(
            name: "JobPipeline",
            dependencies: [
                "FileSystem",
                "StrictJSON",
                "CurlHTTP",
                "Hashing",
                "ImageFormats",
                "Outbox",
                "SegmindAPI",
                "SegmindCatalog",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .target(
            name: "Scheduling",
            dependencies: [
                "FileSystem",
                "DedicatedThreads",
                "StrictJSON",
                "Outbox",
                "SegmindAPI",
                "SegmindCatalog",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .target(
            name: "JobHooks",
            dependencies: [
                "CLinux",
                "ServiceMetrics",
                "CurlHTTP",
                "DaemonConfiguration",
                "DedicatedThreads",
                "FileSystem",
                "Hashing",
                "Journal",
                "Outbox",
                "StrictJSON",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .target(
            name: "SystemdService",
            dependencies: ["FileSystem", .product(name: "Logging", package: "swift-log")]
        ),

        .target(
            name: "SegmindConnection",
            dependencies: [
                "DaemonConfiguration",
                "SegmindAPI",
                "SegmindCatalog",
                "SegmindEmulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .target(
            name: "Daemon",
            dependencies: [
                "CLinux",
                "FileSystem",
                "StrictJSON",
                "DedicatedThreads",
                "SystemdService",
                "CurlHTTP",
                "DaemonConfiguration",
                "HotFolder",
                "InboxWatcher",
                "JobHooks",
                "JobPipeline",
                "Journal",
                "Outbox",
                "Scheduling",
                "SegmindAPI",
                "SegmindCatalog",
                "ServiceMetrics",
                "MetricsExporter",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Executables: argument parsing and wiring only.
        .executableTarget(
            name: "facedrop",
            dependencies: [
                "FileSystem",
                "StrictJSON",
                "CurlHTTP",
                "Daemon",
                "DedicatedThreads",
                "DaemonConfiguration",
                "HotFolder",
                "JobPipeline",
                "Journal",
                "Outbox",
                "SegmindAPI",
                "SegmindCatalog",
                "SegmindConnection",
                "SystemdService",
                "MetricsExporter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // Linked with lld and packed relative relocations (DT_RELR, glibc 2.36): the 2.4 MB table of relative
            // relocations the default linker writes, which the loader reads whole at every start, becomes 20 kB,
            // and a started daemon maps 3 MB less (BENCHMARKS.md, issue 13).
            linkerSettings: [.unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"])],
            plugins: ["BuildInfo"]
        ),
        .plugin(name: "BuildInfo", capability: .buildTool()),
        .executableTarget(
            name: "segmind-emulator",
            dependencies: [
                "FileSystem",
                "SegmindEmulator",
                "SegmindCatalog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .executableTarget(
            name: "facedrop-bench",
            dependencies: [
                "StrictJSON",
                "CurlHTTP",
                "SegmindAPI",
                "SegmindCatalog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests.
        .target(
            name: "FacedropTestSupport",
            dependencies: [
                "DedicatedThreads",
                "StrictJSON",
                "SegmindEmulator",
                "SegmindCatalog",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ],
            path: "Tests/FacedropTestSupport",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "CurlHTTPTests",
            dependencies: ["StrictJSON", "CurlHTTP", "DedicatedThreads", "FacedropTestSupport", .product(name: "FlyingFox", package: "FlyingFox")]
        ),
        .testTarget(name: "DedicatedThreadsTests", dependencies: ["DedicatedThreads"]),
        .testTarget(name: "FileSystemTests", dependencies: ["FileSystem"]),
        .testTarget(name: "HashingTests", dependencies: ["StrictJSON", "Hashing"]),
        .testTarget(name: "ImageFormatsTests", dependencies: ["StrictJSON", "ImageFormats", "Hashing", "FacedropTestSupport"]),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON"]),
        .testTarget(name: "SegmindCatalogTests", dependencies: ["StrictJSON", "SegmindCatalog"]),
        .testTarget(name: "DaemonConfigurationTests", dependencies: ["StrictJSON", "DaemonConfiguration", "SegmindCatalog"]),
        .testTarget(
            name: "SegmindAPITests",
            dependencies: [
                "StrictJSON",
                "SegmindAPI",
                "SegmindEmulator",
                "FacedropTestSupport",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SegmindEmulatorTests",
            dependencies: ["StrictJSON", "SegmindEmulator", "SegmindCatalog", "ImageFormats", "Hashing", "FacedropTestSupport"]
        ),
        .testTarget(
            name: "OutboxTests",
            dependencies: ["StrictJSON", "Outbox", "SegmindCatalog", "FacedropTestSupport"]
        ),
        .testTarget(name: "HotFolderTests", dependencies: ["StrictJSON", "HotFolder", "FacedropTestSupport"]),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "DedicatedThreads",
                "StrictJSON",
                "Daemon", "CurlHTTP", "DaemonConfiguration", "Journal", "Outbox", "SegmindAPI", "SegmindCatalog", "SegmindConnection", "SegmindEmulator",
                "SystemdService", "FacedropTestSupport", .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "MetricsExporterTests",
            dependencies: [
                "MetricsExporter", "ServiceMetrics", "FacedropTestSupport",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "SystemdServiceTests", dependencies: ["StrictJSON", "SystemdService", "FacedropTestSupport"]),
        .testTarget(
            name: "JournalTests",
            dependencies: ["DedicatedThreads", "StrictJSON", "Journal", "FacedropTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "InboxWatcherTests", dependencies: ["StrictJSON", "InboxWatcher", "DedicatedThreads", "FacedropTestSupport"]),
        .testTarget(
            name: "JobPipelineTests",
            dependencies: [
                "StrictJSON",
                "JobPipeline",
                "CurlHTTP",
                "Hashing",
                "ImageFormats",
                "Outbox",
                "SegmindAPI",
                "SegmindCatalog",
                "SegmindEmulator",
                "FacedropTestSupport",
            ]
        ),
        .testTarget(
            name: "DaemonEndToEndTests",
            dependencies: [
                "StrictJSON", "FacedropTestSupport", "SegmindEmulator", "SegmindCatalog", "ImageFormats", "Hashing", "FileSystem", "HotFolder",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
            ]
        ),
        .testTarget(
            name: "JobHooksTests",
            dependencies: [
                "CurlHTTP",
                "DaemonConfiguration",
                "Hashing",
                "JobHooks",
                "Journal",
                "FacedropTestSupport",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SchedulingTests",
            dependencies: [
                "DedicatedThreads",
                "StrictJSON",
                "Scheduling",
                "Outbox",
                "SegmindAPI",
                "SegmindCatalog",
                "SegmindEmulator",
                "CurlHTTP",
                "FacedropTestSupport",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
    ]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    settings.append(.enableUpcomingFeature("NonisolatedNonsendingByDefault"))
    target.swiftSettings = settings
}
