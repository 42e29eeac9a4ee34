import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL server of one test's own, on a free port, which the test may stop and start again.
///
/// The shared test server (`GATEHOUSE_TEST_POSTGRES_URL`) serves every other test at the same time,
/// so a test that takes the database away needs a server nobody else uses. `initdb` and `postgres`
/// refuse to run as root; as root they run as the `postgres` user, as in `scripts/test`.
///
/// Its calls block until the tools they run are done, for seconds: from async code, call them
/// through `onOwnThread(_:)`, so that they do not hold one of the few threads every other test
/// runs on. One test owns an instance and makes one call at a time, hence `@unchecked Sendable`.
final class PrivatePostgres: @unchecked Sendable {
    /// The `bin` directory of the newest installed PostgreSQL server, if any.
    static let binaries: URL? = {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return
            versions
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            .map { root.appendingPathComponent($0).appendingPathComponent("bin") }
            .last { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path) }
    }()

    /// Whether a test needing its own server runs: when the binaries are installed, and always under
    /// CI, where their absence must fail the run instead of skipping.
    static var canRun: Bool {
        binaries != nil || ProcessInfo.processInfo.environment["CI"] != nil
    }

    let port: Int
    private let bin: URL
    private let directory: URL
    /// The running `postgres` (or `runuser`) process.
    private var server: Process?
    private var data: String { directory.appendingPathComponent("data").path }
    private var log: URL { directory.appendingPathComponent("postgres.log") }

    /// A `--database` URL; every local connection is trusted, so no password is checked.
    var url: String { "postgres://postgres:unused@127.0.0.1:\(port)/postgres?sslmode=disable" }

    /// Creates a cluster in a fresh temporary directory and starts it.
    init() throws {
        guard let bin = Self.binaries else {
            throw HarnessError("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
        }
        self.bin = bin
        port = try freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-fault-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if geteuid() == 0 {
            guard let account = getpwnam("postgres") else { throw HarnessError("running as root but there is no postgres user") }
            guard chown(directory.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw HarnessError("cannot hand \(directory.path) to the postgres user")
            }
        }
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw HarnessError("cannot create \(log.path)") }
        try run("initdb", ["-D", data, "-U", "postgres", "-E", "UTF8", "--locale=C", "--auth=trust", "--no-sync"])
        try start()
    }

    /// Starts the server on its port and data directory, waiting (at most 30 s) until it accepts
    /// connections. `postgres` runs as our child rather than through `pg_ctl start`: a daemon would
    /// inherit the descriptor by which Foundation sees `pg_ctl` end, and waiting for it would hang.
    func start() throws {
        let process = Process()
        configure(
            process, tool: "postgres",
            arguments: [
                "-D", data, "-c", "listen_addresses=127.0.0.1", "-c", "port=\(port)", "-c", "unix_socket_directories=\(directory.path)",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            ]
        )
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
        server = process
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else { throw HarnessError("postgres exited: \(logTail)") }
            if isReady() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw HarnessError("postgres did not accept connections within 30 s: \(logTail)")
    }

    /// Stops the server as an operator would (`pg_ctl stop -m fast`): open connections are closed.
    func stop() throws {
        try run("pg_ctl", ["stop", "-w", "-t", "30", "-D", data, "-m", "fast"])
        server?.waitUntilExit()
        server = nil
    }

    /// Stops the server if it runs and removes its files.
    func destroy() {
        if FileManager.default.fileExists(atPath: "\(data)/postmaster.pid") {
            try? run("pg_ctl", ["stop", "-w", "-t", "30", "-D", data, "-m", "immediate"])
        }
        if let server, server.isRunning {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        server = nil
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { destroy() }

    /// Runs one server tool to completion, with its output in a file.
    private func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        configure(process, tool: tool, arguments: arguments)
        let output = directory.appendingPathComponent("\(tool).out")
        guard FileManager.default.createFile(atPath: output.path, contents: nil) else {
            throw HarnessError("cannot create \(output.path)")
        }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw HarnessError("\(tool) \(arguments.first ?? "") failed (\(process.terminationStatus)): \(text) \(logTail)")
        }
    }

    /// A server tool, as the `postgres` user when we are root.
    private func configure(_ process: Process, tool: String, arguments: [String]) {
        let path = bin.appendingPathComponent(tool).path
        if geteuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", path] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
        }
        // The postgres user may not be allowed into the test's working directory.
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
    }

    /// Whether the server accepts connections now (`pg_isready`, a client, runs as anyone).
    private func isReady() -> Bool {
        let process = Process()
        process.executableURL = bin.appendingPathComponent("pg_isready")
        process.arguments = ["-q", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    private var logTail: String {
        String(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(2000))
    }
}
