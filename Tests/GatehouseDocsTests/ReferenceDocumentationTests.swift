import Foundation
import GatehouseCore
import GatehouseDocs
import HTTPTypes
import Testing

@Suite("Reference documentation from the catalog")
struct ReferenceDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the committed docs are what the catalog generates (run gatehouse docs generate)", arguments: ReferenceDocumentation.files().keys.sorted())
    func noDrift(path: String) throws {
        let committed = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
        #expect(committed == ReferenceDocumentation.files()[path], "\(path) is stale: run `swift run gatehouse docs generate`")
    }

    @Test("every code an endpoint returns is in its OpenAPI responses and its guide table with the same status")
    func everyCodeDocumented() {
        let openAPI = ReferenceDocumentation.openAPI()
        let tables = ReferenceDocumentation.errorTables()
        for endpoint in EndpointErrors.all {
            let pathSection = section(of: openAPI, from: "  \(endpoint.path):\n", until: "\n  /")
            let tableSection = section(of: tables, from: "## `\(endpoint.method) \(endpoint.path)`", until: "\n## ")
            for row in endpoint.rows {
                #expect(tableSection.contains("| `\(row.code.rawValue)` | \(row.status.code) |"), "\(endpoint.path) \(row.code)")
                if row.status == .found {
                    #expect(pathSection.contains("'302'") && pathSection.contains(row.code.rawValue), "\(endpoint.path) \(row.code)")
                } else {
                    // A path may serve several methods, each with its own responses.
                    let responses = methodSections(of: pathSection).map { section(of: $0, from: "'\(row.status.code)':", until: "        '") }
                    #expect(responses.contains { $0.contains(row.code.rawValue) }, "\(endpoint.path) \(row.status.code) \(row.code)")
                }
            }
        }
    }

    @Test("each table row gives the catalog's whole advice for its code, never a truncated sentence")
    func wholeAdvice() {
        let tables = ReferenceDocumentation.errorTables()
        for endpoint in EndpointErrors.all {
            for row in endpoint.rows {
                let advice = ErrorCatalog.entry(for: row.code).advice
                #expect(tables.contains("| `\(row.code.rawValue)` | \(row.status.code) | \(row.when) | \(advice) |"), "\(endpoint.path) \(row.code)")
            }
        }
        #expect(tables.contains("before base64 (RFC 6749 §2.3.1). |"))
    }

    @Test("the OpenAPI paths are those of the route table")
    func pathsFromRouteTable() {
        let documented = ReferenceDocumentation.openAPI().split(separator: "\n")
            .filter { $0.hasPrefix("  /") && $0.hasSuffix(":") }
            .map { String($0.dropFirst(2).dropLast()) }
        let served: [EndpointPath] =
            EndpointPath.oauth + [.me, .errorDocs, .health, .ready, .registration, .registrationClient] + EndpointPath.admin
            + EndpointPath.delegation + [.deviceAuthorization, .device] + EndpointPath.openIDConnect
        #expect(Set(documented) == Set(served.map(\.path)))
        #expect(documented.count == served.count)
    }

    @Test("every catalog code is documented on some endpoint")
    func noOrphanCodes() {
        let used = Set(EndpointErrors.all.flatMap(\.codes))
        for entry in ErrorCatalog.entries {
            #expect(used.contains(entry.code), "\(entry.code)")
        }
    }

    /// The parts of a path's YAML that belong to one method each (`    get:`, `    post:`, …).
    private func methodSections(of pathSection: String) -> [String] {
        var sections: [String] = []
        for line in pathSection.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("    ") && !line.hasPrefix("     ") && line.hasSuffix(":") {
                sections.append("")
            }
            if !sections.isEmpty { sections[sections.count - 1] += line + "\n" }
        }
        return sections
    }

    private func section(of text: String, from start: String, until end: String) -> String {
        guard let lower = text.range(of: start) else { return "" }
        let rest = text[lower.upperBound...]
        guard let upper = rest.range(of: end) else { return String(rest) }
        return String(rest[..<upper.lowerBound])
    }
}
