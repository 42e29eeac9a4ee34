import Foundation

/// A throwaway PostgreSQL cluster for one run, like `scripts/test` starts: initdb into a scratch
/// directory, listening on loopback only, removed at the end. Durable settings (fsync and
/// synchronous commit on, PostgreSQL's defaults), so a commit costs what it costs in production.
final class PostgresServer {
    let directory: String
    let port: Int
    private let server = Process()
    private let binaries: String
    private let asPostgres: [String]

    var pid: Int32 { server.processIdentifier }
    var url: String { "postgres://gatehouse:gatehouse@127.0.0.1:\(port)/gatehouse_bench?sslmode=disable" }

    init(port: Int) throws {
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted()
        guard let newest = versions.last else {
            throw LoadError("no PostgreSQL server in /usr/lib/postgresql (apt-get install postgresql), or pass --postgres-url")
        }
        binaries = "/usr/lib/postgresql/\(newest)/bin"
        // initdb and postgres refuse to run as root.
        asPostgres = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
        self.port = port
        directory = NSTemporaryDirectory() + "gatehouse-bench-pg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.run(["/bin/chown", "postgres:", directory]) }
        try Self.run(
            asPostgres + [
                "\(binaries)/initdb", "-D", "\(directory)/data", "-U", "postgres", "-E", "UTF8", "--locale=C",
                "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync",
            ],
            in: directory
        )
        server.executableURL = URL(fileURLWithPath: asPostgres.first ?? "\(binaries)/postgres")
        server.arguments =
            Array(asPostgres.dropFirst()) + (asPostgres.isEmpty ? [] : ["\(binaries)/postgres"]) + [
                "-D", "\(directory)/data", "-c", "listen_addresses=127.0.0.1", "-c", "port=\(port)",
                "-c", "unix_socket_directories=\(directory)", "-c", "max_connections=200",
            ]
        server.currentDirectoryURL = URL(fileURLWithPath: directory)
        let log = FileHandle(forWritingAtPath: "/dev/null")
        server.standardOutput = log
        server.standardError = log
        try server.run()
        for attempt in 0...300 {
            if (try? Self.run(["\(binaries)/pg_isready", "-q", "-h", "127.0.0.1", "-p", "\(port)"])) != nil { break }
            guard attempt < 300, server.isRunning else { throw LoadError("PostgreSQL did not start on port \(port)") }
            Thread.sleep(forTimeInterval: 0.1)
        }
        try Self.run(
            [
                "\(binaries)/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", directory, "-p", "\(port)", "-U", "postgres", "-d", "postgres",
                "-c", "CREATE ROLE gatehouse LOGIN PASSWORD 'gatehouse'", "-c", "CREATE DATABASE gatehouse_bench OWNER gatehouse",
            ]
        )
    }

    /// The server's process, for its CPU time; the postmaster is under `runuser` when root.
    var postmasterPID: Int32 {
        guard !asPostgres.isEmpty,
            let pidFile = try? String(contentsOfFile: "\(directory)/data/postmaster.pid", encoding: .utf8),
            let first = pidFile.split(separator: "\n").first, let pid = Int32(first)
        else { return server.processIdentifier }
        return pid
    }

    func stop() {
        _ = try? Self.run(asPostgres + ["\(binaries)/pg_ctl", "stop", "-D", "\(directory)/data", "-m", "fast", "-w"], in: directory)
        if server.isRunning { server.terminate() }
        server.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    private static func run(_ arguments: [String], in directory: String? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LoadError("\(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return 0
    }
}
