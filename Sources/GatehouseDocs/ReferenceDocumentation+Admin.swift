import Foundation
import GatehouseCore
import HTTPTypes

extension ReferenceDocumentation {
    /// One call of the admin API as the OpenAPI document describes it.
    private struct AdminCall {
        let errors: EndpointErrors
        let summary: String
        var parameters: [String] = []
        /// The request body's schema, when the call takes one.
        var request: String?
        let status: Int
        let answer: String
        /// The answer's schema; `nil` for an empty answer.
        var schema: String?
    }

    private static let clientIDParameter = "{name: client_id, in: path, required: true, schema: {type: string}}"
    /// A user as the admin API renders it: `email` and `name` only when set (SPEC §10).
    private static let userSchema = """
        {type: object, required: [username], properties: {username: {type: string}, \
        email: {type: string, description: 'Only when set.'}, name: {type: string, description: 'Only when set.'}}}
        """

    private static let calls: [AdminCall] = {
        let errors = Dictionary(EndpointErrors.admin.map { ("\($0.method) \($0.path)", $0) }) { first, _ in first }
        func table(_ endpoint: EndpointPath, _ method: String) -> EndpointErrors {
            errors["\(method) \(endpoint.path)"] ?? EndpointErrors(endpoint, method: .get, [])
        }
        let client = "{$ref: '#/components/schemas/RegisteredClient'}"
        return [
            AdminCall(
                errors: table(.adminClients, "GET"), summary: "List clients, oldest first, a page at a time",
                parameters: [
                    "{name: limit, in: query, schema: {type: integer, minimum: 1, maximum: \(AdminAPI.maximumPageSize), default: \(AdminAPI.defaultPageSize)}}",
                    "{name: cursor, in: query, schema: {type: string}, description: The next_cursor of the page before.}",
                ],
                status: 200, answer: "A page of clients, never their secrets; next_cursor is null on the last page.",
                schema: """
                    {type: object, required: [clients, next_cursor], properties: {clients: {type: array, items: \(client)}, next_cursor: {type: [string, 'null']}}}
                    """
            ),
            AdminCall(
                errors: table(.adminClients, "POST"), summary: "Register a client (the rules of RFC 7591 and the command line)",
                request: "{$ref: '#/components/schemas/ClientMetadata'}", status: 201,
                answer: "Registered; Location names the client. client_secret is shown this once, for a confidential client only.",
                schema: client
            ),
            AdminCall(
                errors: table(.adminClient, "GET"), summary: "Read a client, never its secret", parameters: [clientIDParameter], status: 200,
                answer: "The client.", schema: client
            ),
            AdminCall(
                errors: table(.adminClient, "PUT"), summary: "Replace a client's metadata; its client_id and secret stay",
                parameters: [clientIDParameter], request: "{$ref: '#/components/schemas/ClientMetadata'}", status: 200,
                answer: "The client as replaced.", schema: client
            ),
            AdminCall(
                errors: table(.adminClient, "DELETE"), summary: "Delete a client and revoke everything issued to it",
                parameters: [clientIDParameter], status: 204, answer: "Deleted."
            ),
            AdminCall(
                errors: table(.adminClientSecret, "POST"),
                summary: "Give a confidential client a new secret; the old one works grace_seconds more seconds",
                parameters: [clientIDParameter],
                request: "{type: object, properties: {grace_seconds: {type: integer, minimum: 0, maximum: \(AdminAPI.maximumGraceSeconds), default: 0}}}",
                status: 200, answer: "The new secret, shown this once, and when the old one stops working (seconds since the epoch).",
                schema: """
                    {type: object, required: [client_secret, previous_secret_expires_at], properties: {client_secret: {type: string}, previous_secret_expires_at: {type: integer}}}
                    """
            ),
            AdminCall(
                errors: table(.adminUsers, "GET"), summary: "List the users of the built-in store, by username", status: 200,
                answer: "The users, without passwords; email and name only when set.",
                schema: "{type: object, required: [users], properties: {users: {type: array, items: \(userSchema)}}}"
            ),
            AdminCall(
                errors: table(.adminUsers, "POST"), summary: "Create a user; the password is kept as a bcrypt hash",
                request: """
                    {type: object, required: [username, password], properties: {username: {type: string}, password: {type: string}, \
                    email: {type: string, pattern: '^[^@]+@[^@]+$', description: 'Optional; one @ with text on both sides, no control characters.'}, \
                    name: {type: string, minLength: 1, description: 'Optional display name; not empty, no control characters.'}}}
                    """,
                status: 201, answer: "Created.", schema: userSchema
            ),
            AdminCall(
                errors: table(.adminUser, "DELETE"), summary: "Delete a user and everything the user granted",
                parameters: ["{name: username, in: path, required: true, schema: {type: string}}"], status: 204, answer: "Deleted."
            ),
            AdminCall(
                errors: table(.adminGrants, "GET"), summary: "The active grants (authorized applications) of a subject or a client",
                parameters: [
                    "{name: subject, in: query, schema: {type: string}, description: 'A user id (the sub of the tokens), or a username.'}",
                    "{name: client_id, in: query, schema: {type: string}}",
                ],
                status: 200, answer: "Grants that are not revoked and still have a live token or a code not yet redeemed, oldest first.",
                schema: """
                    {type: object, required: [grants], properties: {grants: {type: array, items: {type: object, required: [grant_id, client_id, client_name, scope, created_at], properties: {grant_id: {type: string}, client_id: {type: string}, client_name: {type: string}, subject: {type: string}, scope: {type: string}, created_at: {type: integer}}}}}}
                    """
            ),
            AdminCall(
                errors: table(.adminGrant, "DELETE"),
                summary: "Revoke every token of a grant and forget its consent; the next authorization asks again",
                parameters: ["{name: grant_id, in: path, required: true, schema: {type: string}}"], status: 204, answer: "Revoked."
            ),
            AdminCall(
                errors: table(.adminTokenRevocation, "POST"), summary: "Revoke every token of a client, or of a subject (as the command line does)",
                request: "{type: object, properties: {client_id: {type: string}, subject: {type: string}}, description: Exactly one of the two.}",
                status: 200, answer: "How many access and refresh tokens were revoked.",
                schema: "{type: object, required: [revoked], properties: {revoked: {type: integer}}}"
            ),
        ]
    }()

    /// The admin API (SPEC §10): every call needs a bearer token with scope `gatehouse:admin`.
    static func adminPaths() -> String {
        var yaml = ""
        for endpoint in EndpointPath.admin {
            yaml += "  \(endpoint.path):\n"
            for call in calls where call.errors.path == endpoint.path {
                yaml += "    \(call.errors.method.lowercased()):\n"
                yaml += "      summary: \(quoted(call.summary))\n"
                yaml += "      security: [{bearerToken: []}]\n"
                if !call.parameters.isEmpty {
                    yaml += "      parameters:\n" + call.parameters.map { "        - \($0)\n" }.joined()
                }
                if let request = call.request {
                    yaml += "      requestBody:\n        required: true\n        content:\n          application/json:\n"
                    yaml += "            schema: \(request)\n"
                }
                yaml += "      responses:\n        '\(call.status)':\n          description: \(quoted(call.answer))\n"
                yaml += "          headers:\n            Cache-Control: {$ref: '#/components/headers/Cache-Control'}\n"
                if let schema = call.schema {
                    yaml += "          content:\n            application/json:\n              schema: \(schema)\n"
                }
                yaml += errorResponses(call.errors)
            }
        }
        return yaml
    }

    /// A YAML single-quoted scalar: prose may hold `: ` and `#`.
    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
