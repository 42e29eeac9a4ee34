import Foundation
import NIOCore
import NIOPosix

/// A `gatehouse serve` child process on loopback, stopped with SIGTERM.
final class ServerProcess {
    let process = Process()
    let port: Int
    let logPath: String

    var pid: Int32 { process.processIdentifier }

    /// Starts the server and waits (at most 30 s) until `/healthz` answers 200.
    init(binary: String, database: String, port: Int, issuer: String, logPath: String, healthz: RequestPlan, runner: LoadRunner) async throws {
        self.port = port
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--database", database, "--host", "127.0.0.1", "--port", String(port), "--issuer", issuer]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let probe = LoadRunner(group: runner.group, ports: [port])
        for _ in 0..<300 {
            guard process.isRunning else { break }
            // Connection refused until the server listens; then the check must pass.
            do {
                if try await probe.check(healthz) == nil { return }
            } catch {}
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        let tail = (try? String(contentsOfFile: logPath, encoding: .utf8))?.suffix(2000) ?? ""
        throw LoadError("gatehouse serve on port \(port) did not answer /healthz within 30 s; its log ends:\n\(tail)")
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// A port nobody listens on now: bound once by the kernel's choice, then released.
    static func freePort(group: MultiThreadedEventLoopGroup) async throws -> Int {
        let channel = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}
