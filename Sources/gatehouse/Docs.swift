import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseDocs

struct Docs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reference documentation generated from the error catalog.",
        subcommands: [Generate.self]
    )

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write docs/openapi.yaml and docs/errors.md (run from the repository root)."
        )

        @Option(help: "The directory that contains docs/.")
        var root: String = "."

        @Flag(help: "Write nothing; fail if a committed file differs from what the catalog generates.")
        var check = false

        func run() async throws {
            var stale: [String] = []
            for (path, content) in ReferenceDocumentation.files().sorted(by: { $0.key < $1.key }) {
                let url = URL(fileURLWithPath: root).appendingPathComponent(path)
                let current = try? String(contentsOf: url, encoding: .utf8)
                guard current != content else { continue }
                if check {
                    stale.append(path)
                } else {
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try content.write(to: url, atomically: true, encoding: .utf8)
                    print("wrote \(path)")
                }
            }
            if !stale.isEmpty {
                throw CLIError("\(stale.joined(separator: ", ")) differ from the catalog: run gatehouse docs generate")
            }
        }
    }
}
