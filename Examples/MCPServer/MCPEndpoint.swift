import Foundation

/// A minimal MCP server over the streamable HTTP transport (MCP 2025-06-18 and 2025-11-25, "Streamable
/// HTTP"): JSON-RPC requests arrive by POST and each is answered with one JSON body, which the
/// transport allows instead of an SSE stream. It offers one tool, `whoami`, that tells the caller
/// who the access token speaks for — enough to show an MCP client's OAuth flow end to end.
struct MCPEndpoint: Sendable {
    /// The revisions whose initialize handshake this server speaks, newest first.
    static let protocolVersions = ["2025-11-25", "2025-06-18", "2025-03-26"]

    /// What one POST is answered with.
    enum Reply: Equatable {
        /// 200 with this JSON-RPC response object.
        case json([String: JSONValue])
        /// 202 without a body: the POST carried only notifications or responses.
        case accepted
    }

    /// Who the request's access token speaks for, for the `whoami` tool.
    struct Caller: Sendable {
        var subject: String
        var username: String?
        var clientID: String
        var scope: [String]
    }

    func reply(to body: Data, caller: Caller) -> Reply {
        guard let message = try? JSONDecoder().decode([String: JSONValue].self, from: body) else {
            return .json(Self.error(id: .null, code: -32700, message: "Parse error"))
        }
        guard case .string(let method) = message["method"] else {
            // A response to a request of ours, or garbage: we send none, so accept and ignore it.
            return .accepted
        }
        guard let id = message["id"], id != .null else {
            // A notification (notifications/initialized, notifications/cancelled) needs no answer.
            return .accepted
        }
        let params: [String: JSONValue]
        if case .object(let object) = message["params"] { params = object } else { params = [:] }
        switch method {
        case "initialize":
            var version = Self.protocolVersions[0]
            if case .string(let requested) = params["protocolVersion"], Self.protocolVersions.contains(requested) {
                version = requested
            }
            return .json(
                Self.result(
                    id: id,
                    [
                        "protocolVersion": .string(version),
                        "capabilities": .object(["tools": .object([:])]),
                        "serverInfo": .object(["name": .string("gatehouse-example-mcp"), "version": .string("1.0.0")]),
                    ]
                )
            )
        case "ping":
            return .json(Self.result(id: id, [:]))
        case "tools/list":
            return .json(
                Self.result(
                    id: id,
                    [
                        "tools": .array([
                            .object([
                                "name": .string("whoami"),
                                "description": .string("Tells who the access token of this session speaks for."),
                                "inputSchema": .object(["type": .string("object"), "properties": .object([:])]),
                            ])
                        ])
                    ]
                )
            )
        case "tools/call":
            guard params["name"] == .string("whoami") else {
                return .json(Self.error(id: id, code: -32602, message: "Unknown tool"))
            }
            let text = "subject=\(caller.subject) username=\(caller.username ?? "-") client_id=\(caller.clientID) scope=\(caller.scope.joined(separator: " "))"
            return .json(
                Self.result(
                    id: id,
                    ["content": .array([.object(["type": .string("text"), "text": .string(text)])]), "isError": .bool(false)]
                )
            )
        default:
            return .json(Self.error(id: id, code: -32601, message: "Method not found"))
        }
    }

    private static func result(id: JSONValue, _ result: [String: JSONValue]) -> [String: JSONValue] {
        ["jsonrpc": .string("2.0"), "id": id, "result": .object(result)]
    }

    private static func error(id: JSONValue, code: Int, message: String) -> [String: JSONValue] {
        ["jsonrpc": .string("2.0"), "id": id, "error": .object(["code": .number(Double(code)), "message": .string(message)])]
    }
}

/// The JSON values of a JSON-RPC message, Sendable and comparable (unlike `Any`).
enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
