// swift-tools-version:6.0
import PackageDescription
import Foundation

// Kernels use SIMD types; on CPUs with AVX2+FMA (every machine this project targets)
// let the compiler use them. Detected at manifest time so `swift build` and the Makefile agree.
let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
let hasAVX2 = cpuinfo.contains(" avx2") && cpuinfo.contains(" fma") && cpuinfo.contains(" f16c")
let simdFlags: [SwiftSetting] = hasAVX2 ? [.unsafeFlags(["-target-cpu", "haswell"])] : []
// The integer kernels call AVX2 intrinsics (CIntrinsics); the C importer needs the same features.
let intrinsicFlags: [SwiftSetting] = hasAVX2
    ? [.unsafeFlags(["-target-cpu", "haswell", "-Xcc", "-mavx2", "-Xcc", "-mfma", "-Xcc", "-mf16c"]),
       .define("ROLLBOOK_AVX2")]
    : []

// AVX-512 VNNI (vpdpbusd): a separate module with its own flags, called after a run-time
// check; its results are bit-identical to the AVX2 kernels'.
let hasVNNI = hasAVX2 && cpuinfo.contains(" avx512_vnni") && cpuinfo.contains(" avx512vl") && cpuinfo.contains(" avx512bw")
let vnniFlags: [SwiftSetting] = hasVNNI
    ? [.unsafeFlags(["-target-cpu", "icelake-server", "-Xcc", "-mavx2", "-Xcc", "-mfma", "-Xcc", "-mf16c",
                     "-Xcc", "-mavx512f", "-Xcc", "-mavx512vl", "-Xcc", "-mavx512bw", "-Xcc", "-mavx512vnni"]),
       .define("ROLLBOOK_VNNI")]
    : []

let package = Package(
    name: "Rollbook",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rollbook", targets: ["rollbook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "GGUF", swiftSettings: simdFlags),
        .target(name: "Tokenizers"),
        .target(name: "LinAlg", dependencies: ["CBLAS"], swiftSettings: simdFlags),
        .target(name: "Seeds"),
        .target(name: "Sampling", dependencies: ["Seeds", "CIntrinsics"], swiftSettings: intrinsicFlags),
        .target(name: "Tasks", dependencies: ["Seeds", .product(name: "BigInt", package: "BigInt")]),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo",
                       providers: [.apt(["libcairo2-dev"])]),
        .target(name: "Analysis", dependencies: ["Seeds", "LinAlg"]),
        .target(name: "Store", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Runner", dependencies: ["Store", "Inference", "Sampling", "Tasks", "Seeds", "Analysis",
                                               .product(name: "Yams", package: "Yams")]),
        .target(name: "Charts", dependencies: ["CCairo"]),
        .target(name: "Reports", dependencies: ["Analysis", "Charts",
                                                .product(name: "Mustache", package: "swift-mustache"),
                                                .product(name: "Ink", package: "Ink")]),
        .target(name: "Notebooks", dependencies: ["Runner", "Reports", "Store", "Analysis", "Charts", "Tasks",
                                                  .product(name: "Yams", package: "Yams")]),
        .systemLibrary(name: "CIntrinsics", path: "Sources/CIntrinsics"),
        .target(name: "InferenceVNNI", dependencies: ["CIntrinsics"], swiftSettings: vnniFlags),
        .target(name: "Inference", dependencies: ["GGUF", "Tokenizers", "LinAlg", "Sampling", "CIntrinsics", "InferenceVNNI"],
                swiftSettings: intrinsicFlags),
        .executableTarget(name: "rollbook", dependencies: [
            "GGUF", "Tokenizers", "Inference", "Sampling", "Tasks", "Analysis", "Store", "Runner", "Charts", "Reports", "Notebooks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: simdFlags),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "TestSupport"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizers", "Inference", "GGUF", "TestSupport"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "GGUF", "Sampling", "LinAlg", "TestSupport"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Runner", "Tasks", "Analysis", "TestSupport"]),
        .testTarget(name: "RemoteTests", dependencies: ["Store", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "FuzzTests", dependencies: ["GGUF", "Inference", "Tokenizers", "Tasks", "Runner", "Notebooks",
                                                 "Seeds", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Charts", "Reports", "Notebooks", "Runner", "Store", "Analysis", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
