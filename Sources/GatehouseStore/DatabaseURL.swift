import Foundation

/// Where the data lives: `sqlite:PATH` or `postgres://USER:PASSWORD@HOST:PORT/DB` (SPEC §2).
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(Postgres)

    public struct Postgres: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        /// `sslmode` from the query: `disable`, `prefer` (the default) or `require`.
        public var tlsMode: String
    }

    public static let `default` = DatabaseURL.sqlite(path: "gatehouse.sqlite")

    /// Parses a database URL.
    /// - Throws: ``DatabaseURLError`` with a message fit for a one-line CLI error.
    public init(parsing string: String) throws(DatabaseURLError) {
        if string.hasPrefix("sqlite:") {
            var path = String(string.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw DatabaseURLError("sqlite: URL needs a file path, e.g. sqlite:gatehouse.sqlite") }
            self = .sqlite(path: path)
            return
        }
        guard string.hasPrefix("postgres://") || string.hasPrefix("postgresql://"),
            let components = URLComponents(string: string),
            let host = components.host, !host.isEmpty
        else {
            throw DatabaseURLError("database URL must be sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DB")
        }
        guard let username = components.user, !username.isEmpty else {
            throw DatabaseURLError("postgres URL needs a user name")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw DatabaseURLError("postgres URL needs a database name") }
        let tlsMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard ["disable", "prefer", "require"].contains(tlsMode) else {
            throw DatabaseURLError("sslmode must be disable, prefer or require")
        }
        self = .postgres(
            Postgres(
                host: host,
                port: components.port ?? 5432,
                username: username,
                password: components.password,
                database: database,
                tlsMode: tlsMode
            ))
    }

    /// The URL without its password, for logs and messages.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let p): "postgres://\(p.username)@\(p.host):\(p.port)/\(p.database)"
        }
    }
}

public struct DatabaseURLError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
