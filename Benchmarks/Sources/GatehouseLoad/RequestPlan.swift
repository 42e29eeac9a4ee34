import NIOCore
import NIOHTTP1
import Synchronization

/// One scenario made ready to send: templates split once into literals and placeholders, the
/// client's credentials and the seeded items at hand. Shared by all connections.
final class RequestPlan: Sendable {
    struct PreparedStep: Sendable {
        let method: HTTPMethod
        let path: Template
        let body: Template?
        let headers: HTTPHeaders
        let expectStatus: Int
        let expectBody: String?
        let expectEmptyBody: Bool
        let captureFromLocation: String?
    }

    let name: String
    let steps: [PreparedStep]
    private let items: [String]
    private let consumed: Bool
    private let nextIndex = Atomic<Int>(0)

    init(_ scenario: Scenario, seeded: SeededState, hostHeader: String) throws {
        name = scenario.name
        var fixed: [String: String] = [:]
        var authorization: String?
        if let clientName = scenario.client {
            let client = try seeded.client(named: clientName)
            fixed["client_id"] = client.client.id
            authorization = client.basicAuthorization
        }
        fixed["session"] = seeded.sessionCookie
        steps = try scenario.steps.map { step in
            var headers = HTTPHeaders([("Host", hostHeader)])
            if let authorization { headers.add(name: "Authorization", value: authorization) }
            if step.session == true {
                guard let cookie = seeded.sessionCookie else { throw LoadError("\(scenario.name): no seeded session for the cookie") }
                headers.add(name: "Cookie", value: "gatehouse_session=\(cookie)")
            }
            if step.body != nil { headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded") }
            return PreparedStep(
                method: HTTPMethod(rawValue: step.method), path: Template(step.path, fixed: fixed),
                body: step.body.map { Template($0, fixed: fixed) }, headers: headers,
                expectStatus: step.expectStatus, expectBody: step.expectBody,
                expectEmptyBody: step.expectEmptyBody ?? false, captureFromLocation: step.captureFromLocation
            )
        }
        items = seeded.items[scenario.name] ?? []
        consumed = scenario.items?.consumed ?? false
        if scenario.items != nil && items.isEmpty { throw LoadError("\(scenario.name): no items were seeded") }
    }

    var usesItems: Bool { !items.isEmpty }

    /// The next item; `nil` once every item of a consumed pool was handed out.
    func nextItem() -> String? {
        let index = nextIndex.add(1, ordering: .relaxed).oldValue
        if consumed { return index < items.count ? items[index] : nil }
        return items[index % items.count]
    }

    /// Items handed out so far, for the pool report.
    var itemsUsed: Int { min(nextIndex.load(ordering: .relaxed), consumed ? items.count : .max) }
    var itemsSeeded: Int { items.count }

    /// The first items handed out, at most `count`.
    func usedItems(upTo count: Int) -> ArraySlice<String> { items.prefix(min(count, itemsUsed)) }
}

/// A request template: literals and `{placeholder}`s, the fixed ones filled in at once.
struct Template: Sendable {
    private enum Part: Sendable {
        case literal(String)
        case variable(String)
    }

    private let parts: [Part]

    init(_ text: String, fixed: [String: String]) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = String(rest[rest.index(after: open)..<close])
            parts.append(.literal(String(rest[..<open])))
            parts.append(fixed[name].map(Part.literal) ?? .variable(name))
            rest = rest[rest.index(after: close)...]
        }
        parts.append(.literal(String(rest)))
        self.parts = parts
    }

    func render(_ values: [String: String]) -> String {
        var result = ""
        for part in parts {
            switch part {
            case .literal(let text): result += text
            case .variable(let name): result += values[name] ?? ""
            }
        }
        return result
    }
}
