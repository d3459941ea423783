// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SessionGraph",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SessionGraph", targets: ["SessionGraph"]),
        .executable(name: "sessiongraph", targets: ["sessiongraph"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // zlib, for reading .gz exports transparently.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // Graphviz (libgvc), for in-process layout and rendering.
        .systemLibrary(
            name: "CGraphviz",
            pkgConfig: "libgvc",
            providers: [.apt(["libgraphviz-dev"]), .brew(["graphviz"])]
        ),
        // jemalloc, the executable's allocator: transparent huge pages for the heap cut the page
        // faults of a large run about tenfold (BENCHMARKS.md). Linked by the command-line tool
        // only; the library leaves the allocator to whoever embeds it.
        .systemLibrary(
            name: "CJemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"]), .brew(["jemalloc"])]
        ),
        // jemalloc's options for the executable (`malloc_conf`), and which allocator serves `malloc`.
        .target(
            name: "CAllocatorSettings",
            dependencies: ["CJemalloc"]
        ),
        // Replacing an output file atomically without forcing its blocks out (renameat2).
        .target(name: "CFileReplace"),
        // A cache prefetch hint for the passes over every event (Swift has none of its own).
        .target(name: "CMemoryHints"),
        // The model and the pipeline: ingest → graph → detect → render/report.
        .target(
            name: "SessionGraph",
            dependencies: ["CZlib", "CMemoryHints", "CFileReplace"]
        ),
        // The only code that imports CGraphviz: in-process layout and rendering.
        .target(
            name: "SessionGraphRenderer",
            dependencies: ["CGraphviz"]
        ),
        // The deterministic synthetic tenant behind Examples/ and the benchmark.
        .target(
            name: "SessionGraphSimulator",
            dependencies: ["SessionGraph"]
        ),
        // The command-line front end: parses arguments, calls the library.
        .executableTarget(
            name: "sessiongraph",
            dependencies: [
                "SessionGraph",
                "SessionGraphRenderer",
                "SessionGraphSimulator",
                "CAllocatorSettings",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer harness for the parser entry points (`make fuzz`); a corpus replayer otherwise.
        .executableTarget(
            name: "sessiongraph-fuzz",
            dependencies: ["SessionGraph"]
        ),
        .testTarget(
            name: "SessionGraphTests",
            dependencies: ["SessionGraph", "SessionGraphRenderer", "SessionGraphSimulator", "CFileReplace"],
            exclude: ["Golden"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
