// swift-tools-version:5.4
// The fuzz targets live in their own package: from tools-version 5.5 on, SwiftPM links an executable
// target with `--defsym main=<Target>_main`, which `-sanitize=fuzzer` cannot satisfy (libFuzzer brings
// its own `main`). Build and run them with `scripts/fuzz`.
import PackageDescription

let package = Package(
    name: "facedrop-fuzz",
    dependencies: [
        .package(name: "facedrop", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "FuzzJSON",
            dependencies: [.product(name: "StrictJSON", package: "facedrop")]
        ),
        .executableTarget(
            name: "FuzzSidecar",
            dependencies: [
                .product(name: "SegmindCatalog", package: "facedrop"),
                .product(name: "StrictJSON", package: "facedrop"),
            ]
        ),
        .executableTarget(
            name: "FuzzConfig",
            dependencies: [
                .product(name: "DaemonConfiguration", package: "facedrop"),
                .product(name: "SegmindCatalog", package: "facedrop"),
                .product(name: "StrictJSON", package: "facedrop"),
            ]
        ),
    ]
)
